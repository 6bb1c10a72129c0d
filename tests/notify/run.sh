#!/usr/bin/env bash
# Real desktop notifications on Linux: `helpdeck watch` delivers SLA alerts through
# notify-rust to a real notification daemon (dunst) on a private D-Bus session under Xvfb.
# Reads them back with `dunstctl history` and checks text, urgency, timing (within 1 s of
# due) and that restarts repeat nothing, while a breach missed while stopped fires once.
#
#   tests/notify/run.sh                 the test (about 90 s: targets are whole minutes)
#   tests/notify/run.sh --bench N       also N staggered tickets; prints delay p50/p95
#
# Needs: Xvfb, dbus-run-session, dunst, dunstctl, gnome-keyring-daemon, node; HELPDECK_BIN (default: build it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BENCH=0
[[ "${1:-}" == "--bench" ]] && BENCH="${2:?--bench N}"

if [[ -z "${HELPDECK_BIN:-}" ]]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/helpdeck/target}"
  (cd "$ROOT" && cargo build --locked -q -p helpdeck-cli)
  HELPDECK_BIN="$CARGO_TARGET_DIR/debug/helpdeck"
fi
for tool in Xvfb dbus-run-session dunst dunstctl gnome-keyring-daemon node; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (scripts/task deps)" >&2; exit 1; }
done

SCRATCH="$(mktemp -d)"
export SCRATCH HELPDECK_BIN BENCH HERE
# Hermetic: nothing under $HOME.
export XDG_RUNTIME_DIR="$SCRATCH/run" XDG_CONFIG_HOME="$SCRATCH/config" XDG_DATA_HOME="$SCRATCH/data" XDG_CACHE_HOME="$SCRATCH/cache"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

display=":$((110 + RANDOM % 80))"
Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp >"$SCRATCH/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY="$display"
for _ in $(seq 1 50); do [[ -e "/tmp/.X11-unix/X${display#:}" ]] && break; sleep 0.1; done

status=0
dbus-run-session -- bash "$HERE/session.sh" || status=$?
if ((status != 0)); then
  echo "--- watch logs ---"; cat "$SCRATCH"/watch*.log 2>/dev/null || true
  echo "--- dunst log ---"; tail -n 20 "$SCRATCH/dunst.log" 2>/dev/null || true
fi
rm -rf "$SCRATCH"
exit $status
