#!/usr/bin/env python3
"""A whole `helpdeck` read, from exec to exit (spec §8: ≤ 2.5 ms at 10k tickets).

Usage: cli-read-bench.py HELPDECK_BIN DATA_DIR [REPS]
Runs each read REPS times (after one untimed run) and prints a Markdown row per read, with
the time of starting /bin/true the same way beside it (what any process costs here).
"""
import json
import os
import statistics
import subprocess
import sys
import time


def timed(cmd, reps):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def record(key, what, value):
    """Appends a spec §8 figure for scripts/s8-summary.py (when scripts/task asks for it)."""
    path = os.environ.get("HELPDECK_S8_RESULTS")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"key": key, "what": what, "value": value}) + "\n")


def main():
    cli, data = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    middle = "HD-5000"
    reads = [
        ("ticket list --limit 20 (first page of the open queue)", ["ticket", "list", "--limit", "20"]),
        ("ticket list --limit 20 --json", ["ticket", "list", "--limit", "20", "--json"]),
        (f"ticket show {middle}", ["ticket", "show", middle]),
        (f"ticket show {middle} --json", ["ticket", "show", middle, "--json"]),
    ]
    print("| read (whole process, exec to exit) | p50 ms | p95 ms | bar |")
    print("|---|---|---|---|")
    for name, args in reads:
        p50, p95 = timed([cli, "--data-dir", data] + args, reps)
        print(f"| `helpdeck {name}` | {p50:.2f} | {p95:.2f} | ≤ 2.5 ms at 10k |")
        record("cli_read_p50_ms", f"helpdeck {name}, 10k tickets", p50)
    p50, p95 = timed(["/bin/true"], reps)
    record("process_start_ms", "/bin/true, started the same way", p50)
    print(f"| `/bin/true` (starting any process here) | {p50:.2f} | {p95:.2f} | |")
    # The floor of a read: a process that only gets the key, opens the file and reads the
    # first page and its total (crates/helpdeck-bench/src/bin/helpdeck-cli-floor.rs).
    floor = os.path.join(os.path.dirname(cli), "helpdeck-cli-floor")
    if os.path.exists(floor):
        p50, p95 = timed([floor, data], reps)
        record("cli_floor_ms", "a process that only opens the encrypted store and reads the first page and its total", p50)
        print(f"| `helpdeck-cli-floor` (key, one connection, the first page and its total) | {p50:.2f} | {p95:.2f} | |")


if __name__ == "__main__":
    main()
