#!/usr/bin/env bash
# Runs inside the private D-Bus session of run.sh.
set -euo pipefail
cd "$SCRATCH"
log() { printf '[notify-test %s] %s\n' "$(date +%T)" "$*"; }

# A Secret Service on this bus (a workspace's key lives in the keyring), its keyring files
# under $XDG_DATA_HOME (the scratch dir).
echo -n helpdeck-notify | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
for _ in $(seq 1 50); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && break
  sleep 0.1
done

# dunst: one format per urgency so the history shows how it classified each notification,
# a script that records when each one arrived, nothing times out.
cat >dunstrc <<CFG
[global]
    history_length = 1000
[urgency_low]
    format = "[LOW] %s\n%b"
    timeout = 0
[urgency_normal]
    format = "[NORMAL] %s\n%b"
    timeout = 0
[urgency_critical]
    format = "[CRITICAL] %s\n%b"
    timeout = 0
[record]
    summary = "*"
    script = $SCRATCH/received.sh
CFG
cat >received.sh <<'SH'
#!/bin/sh
echo "$(date +%s%3N) $DUNST_URGENCY $DUNST_SUMMARY" >> "$SCRATCH/received.log"
SH
chmod +x received.sh
: >received.log
dunst -config "$SCRATCH/dunstrc" >dunst.log 2>&1 &
dunst_pid=$!
trap '[[ -n "$watch_pid" ]] && kill "$watch_pid" 2>/dev/null; kill $dunst_pid 2>/dev/null || true' EXIT
watch_pid=""
# Wait for our dunst to own the name (asking dunstctl earlier would D-Bus-activate another
# dunst with the default configuration).
owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q 'boolean true'
}
for _ in $(seq 1 50); do owned && break; sleep 0.1; done
owned || { echo "dunst did not start" >&2; exit 1; }

hd() { "$HELPDECK_BIN" --data-dir "$SCRATCH/ws" "$@"; }
hd init --name "Notify test" --timezone UTC --language en --email me@helpdeck.example >/dev/null
# Test policy: very short targets (whole minutes), at risk at half time.
hd sla policy set --priority P1 --first-response 1m --warning-pct 50 --warning-min-left 0 >/dev/null
hd sla policy set --priority P2 --first-response 1m --calendar 24x7 >/dev/null

start_watch() { # $1: log name
  "$HELPDECK_BIN" --data-dir "$SCRATCH/ws" --json watch >"$SCRATCH/$1.log" 2>"$SCRATCH/$1.err" &
  watch_pid=$!
}
stop_watch() { kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; watch_pid=""; }
wait_for() { # $1 file, $2 pattern, $3 seconds
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "timed out waiting for '$2' in $1" >&2; exit 1; }
    sleep 0.2
  done
}

hd ticket create --title "Core switch down" --priority P1 --assignee me >/dev/null          # HD-1
sleep 5
hd ticket create --title "VPN slow for sales" --priority P2 --assignee me --json \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).created_at))' >hd2.created
log "HD-1 and HD-2 created; watching (at risk after 30 s, breach after 60 s)"

start_watch watch1
if ((BENCH > 0)); then
  for i in $(seq 1 "$BENCH"); do
    hd ticket create --title "Bench $i" --priority P1 --assignee me >/dev/null
    sleep 1.3
  done
fi
if ((BENCH > 0)); then
  wait_for watch1.log "HD-$((BENCH + 2)) breached" 150
  stop_watch
  dunstctl close-all; sleep 0.5; dunstctl history >history.json
  node "$HERE/check.mjs" "$SCRATCH" "$BENCH"
  exit 0
fi
wait_for watch1.log 'HD-1 breached' 90
stop_watch
log "run 1 done; HD-2's breach (65 s) falls due while nothing runs"
sleep 8
start_watch watch2
wait_for watch2.log 'HD-2 breached' 15
sleep 2
stop_watch
log "run 2 done; run 3 must deliver nothing"
start_watch watch3
sleep 4
stop_watch

dunstctl close-all
sleep 0.5
dunstctl history >history.json
node "$HERE/check.mjs" "$SCRATCH" "$BENCH"
