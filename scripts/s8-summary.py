#!/usr/bin/env python3
"""Prints every bar of spec §8 beside the figure this run measured for it.

    scripts/s8-summary.py RESULTS [CRITERION_DIR SINCE]

RESULTS is the JSON-lines file the benchmarks append to (HELPDECK_S8_RESULTS; see
crates/helpdeck-bench/src/s8.rs): {"key", "what", "value"} per figure. CRITERION_DIR is
cargo's criterion output; its estimates count when written after SINCE (seconds since the
epoch, the start of the run). A bar measured several times (every queue, every backend) is
judged by its worst figure. A bar with a limit key shows beside it what SQLite, the machine
or WebKit does at best, measured in the same run. The bars are written here and nowhere else.
"""
import json
import os
import sys
from collections import defaultdict

# (key, what, comparison, bar, unit, limit key or None)
BARS = [
    ("create_p50_ms", "create ticket (row + FTS + outbox, one transaction), p50", "<", 1.0, "ms", "create_rows_ms"),
    ("create_raw_pct", "create ticket, throughput as % of raw SQLite single-insert transactions", ">=", 50, "%", "create_rows_pct"),
    ("import_tps@100000", "bulk import, full dataset with comments and history, at 100k", ">=", 20000, "tickets/s", "import_raw_tps@100000"),
    ("import_tps@1000000", "bulk import, full dataset, at 1M", ">=", 10000, "tickets/s", "import_raw_tps@1000000"),
    ("cli_read_p50_ms", "a read at 10k tickets (first page, one ticket), whole CLI process, p50", "<=", 2.5, "ms", "cli_floor_ms"),
    ("read_inprocess_p50_ms@10000", "the same reads in-process at 10k, p50", "<=", 1.0, "ms", None),
    ("read_inprocess_p50_ms@1000000", "the same reads in-process at 1M, p50", "<=", 10.0, "ms", "count_raw_p50_ms@1000000"),
    ("queue_p95_ms@1000000", "queue page (filter + sort, first 100 rows, with total) at 1M", "<", 10.0, "ms", "count_raw_p95_ms@1000000"),
    ("search_p95_ms@1000000", "full-text search at 1M tickets + comments, every query", "<", 30.0, "ms", "search_raw_p95_ms@1000000"),
    ("kb_p95_ms", "knowledge-base search and suggestions at 100k articles", "<", 20.0, "ms", None),
    ("sla_eval_ms", "SLA evaluation of 100k open tickets", "<", 100.0, "ms", None),
    ("breach_notify_ms", "a breach notification after its due time (worst)", "<=", 1000.0, "ms", None),
    ("monitor_start_s", "SLA monitor start, 100k open tickets", "<", 1.0, "s", None),
    ("initial_sync_usable_s", "initial sync of 100k tickets: usable (queues, SLA, ticket view)", "<", 5.0, "s", "import_raw_rows_s@100000"),
    ("initial_sync_searchable_s", "initial sync of 100k tickets: fully searchable", "<", 15.0, "s", "import_raw_search_s@100000"),
    ("propagation_p95_ms", "propagation A → server → B on loopback, p95", "<", 250.0, "ms", None),
    ("propagation_idle_p95_ms", "the same with 500 idle connected clients, p95", "<", 250.0, "ms", None),
    ("push_ops_s", "server push throughput (SQLite, 2 cores), every op kind", ">=", 5000, "ops/s", "push_raw_ops_s"),
    ("idle_cost_pct", "throughput lost to 500 idle connected clients", "<", 20.0, "%", "idle_cost_floor_pct"),
    ("upload_mb_s", "attachments: upload on loopback", ">=", 50.0, "MB/s", None),
    ("download_mb_s", "attachments: download on loopback", ">=", 50.0, "MB/s", None),
    ("resume_resent_chunks", "attachments: chunks re-sent after an interruption", "<", 1.0, "chunks", None),
    ("reports_ms@1000000", "reports dashboard at 1M tickets, whole dashboard", "<", 1000.0, "ms", None),
    ("cold_start_s", "app cold start to first queue paint (100k tickets)", "<", 1.5, "s", "cold_start_floor_s"),
    ("idle_memory_mb", "app idle memory, all processes", "<", 200.0, "MB", "webkit_floor_mb"),
]

# Criterion benchmarks (crates/helpdeck-store/benches/write_path.rs) → keys.
CRITERION = {
    "create_ticket": ("write_path", "create_ticket"),
    "raw_insert": ("write_path", "raw_sqlite_single_insert_txn"),
    "raw_create": ("write_path", "raw_sqlite_create_rows_txn"),
    "sla_eval": ("sla", "evaluate_100k_open_tickets"),
}


def criterion_figures(root, since):
    """Median estimates (ms) of the criterion benchmarks run since `since`."""
    out = {}
    for name, (group, bench) in CRITERION.items():
        path = os.path.join(root, group, bench, "new", "estimates.json")
        try:
            if os.path.getmtime(path) < since:
                continue
            with open(path) as f:
                out[name] = json.load(f)["median"]["point_estimate"] / 1e6
        except (OSError, KeyError, ValueError):
            continue
    return out


def fmt(value, unit):
    if unit in ("tickets/s", "ops/s"):
        return f"{value:,.0f} {unit}"
    if unit == "%":
        return f"{value:.0f} %"
    if unit == "chunks":
        return f"{value:g} {unit}"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    figures = defaultdict(list)
    try:
        with open(sys.argv[1]) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    figures[r["key"]].append((r["value"], r.get("what", "")))
    except FileNotFoundError:
        pass
    if len(sys.argv) >= 4:
        c = criterion_figures(sys.argv[2], float(sys.argv[3]))
        if "create_ticket" in c:
            figures["create_p50_ms"].append((c["create_ticket"], "criterion median"))
            if "raw_insert" in c:
                figures["create_raw_pct"].append(
                    (100 * c["raw_insert"] / c["create_ticket"],
                     f"raw {c['raw_insert']:.3f} ms, create {c['create_ticket']:.3f} ms"))
        if "raw_create" in c:
            # The limit: the ticket row, its search document and its outbox op written bare.
            what = "the ticket row, its FTS5 document and its outbox op written bare, one transaction"
            figures["create_rows_ms"].append((c["raw_create"], what))
            if "raw_insert" in c:
                figures["create_rows_pct"].append((100 * c["raw_insert"] / c["raw_create"], what))
        if "sla_eval" in c:
            figures["sla_eval_ms"].append((c["sla_eval"], "engine, criterion median"))

    print("\n## Spec §8, this run\n")
    print("| what | measured (worst of the run) | bar | verdict | limit measured in the same run |")
    print("|---|---|---|---|---|")
    met = missing = 0
    for key, what, cmp, bar, unit, limit_key in BARS:
        rows = figures.get(key, [])
        bar_text = f"{'<' if cmp == '<' else '≤' if cmp == '<=' else '≥'} {fmt(bar, unit)}"
        worst = min if cmp == ">=" else max
        limits = figures.get(limit_key, []) if limit_key else []
        limit = ""
        if limits:
            if rows and len(limits) == len(rows):
                # Recorded in pairs (each figure with its own limit): the worst figure's.
                lv, lw = limits[rows.index(worst(rows, key=lambda r: r[0]))]
            else:
                lv, lw = (max if cmp == ">=" else min)(limits, key=lambda r: r[0])
            limit = f"{fmt(lv, unit)} ({lw})"
        if not rows:
            missing += 1
            print(f"| {what} | not measured in this run | {bar_text} | — | {limit} |")
            continue
        value, which = worst(rows, key=lambda r: r[0])
        if limits and value > 0 and lv > 0:
            # How close: how many times the limit the run's worst figure is.
            limit += f"; {(lv / value if cmp == '>=' else value / lv):.1f}× from it"
        ok = {"<": value < bar, "<=": value <= bar, ">=": value >= bar}[cmp]
        met += ok
        more = f"; {len(rows)} figures" if len(rows) > 1 else ""
        print(f"| {what} | **{fmt(value, unit)}** ({which}{more}) | {bar_text} | "
              f"{'met' if ok else 'NOT MET'} | {limit} |")
    print(f"\n{met} of {len(BARS)} bars met; {missing} not measured in this run.")


if __name__ == "__main__":
    main()
