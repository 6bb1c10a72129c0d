//! SLA monitor at scale: start-up (load + evaluate + schedule every open ticket), the cost of
//! one `tickets_changed` recompute and of a 1,000-ticket batch (a sync pull), and memory.

use crate::bench_key;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use helpdeck_core::sla::monitor::Monitor;
use helpdeck_notify::{MonitorOptions, RecordingSink, SystemClock};
use helpdeck_store::{ImportOptions, Store};

use crate::{ms, percentile, workspace_options};

/// Anonymous resident memory of this process in MiB (the heap; SQLite's memory-mapped file
/// pages are left out).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

/// A workspace whose `open` tickets are all open (demo tickets, the resolved ones left out).
async fn workspace(dir: &Path, open: usize) -> Result<Store> {
    if !dir.join(helpdeck_store::DB_FILE).exists() {
        let _ = std::fs::remove_dir_all(dir);
        let store = Store::init_with_key(
            dir,
            workspace_options(&format!("monitor {open} open")),
            bench_key(dir)?,
        )
        .await?;
        let mut data = helpdeck_demo::generate(open * 3, 11, jiff::Timestamp::now());
        data.tickets.retain(|t| t.status.is_open());
        anyhow::ensure!(data.tickets.len() >= open, "not enough open demo tickets");
        data.tickets.truncate(open);
        store
            .transfer()
            .import(&data, ImportOptions { outbox: false })
            .await?;
        store.shutdown().await;
    }
    Ok(Store::open_with_key(dir, bench_key(dir)?).await?)
}

async fn start(dir: &Path) -> Result<(Duration, helpdeck_notify::MonitorHandle)> {
    let store = Store::open_with_key(dir, bench_key(dir)?).await?;
    let started = Instant::now();
    let h = helpdeck_notify::spawn(
        store,
        Arc::new(RecordingSink::new()),
        Arc::new(SystemClock),
        MonitorOptions {
            max_individual: 5,
            ..MonitorOptions::default()
        },
    );
    h.watch_counts().wait_for(|c| c.ready).await?;
    Ok((started.elapsed(), h))
}

pub async fn bench(root: &Path, open: usize) -> Result<()> {
    let dir = root.join(format!("monitor-open-{open}"));
    let store = workspace(&dir, open).await?;

    // The pieces of a start: load + evaluate from SQLite, then schedule in the heap.
    let rss0 = rss_mib();
    let t = Instant::now();
    let watched = store.sla().watched_open_tickets().await?;
    let load = t.elapsed();
    let t = Instant::now();
    let fired = store.sla().fired_sla_keys().await?;
    let fired_count = fired.len();
    let read_fired = t.elapsed();
    let t = Instant::now();
    let mut monitor = Monitor::new();
    monitor.restore_fired(fired);
    for w in &watched {
        monitor.upsert(&w.ticket);
    }
    let schedule = t.elapsed();
    let rss1 = rss_mib();
    println!(
        "| {open} open | monitor start-up pieces: load + evaluate {} ms, read the {fired_count} alerts already fired {} ms, schedule (heap) {} ms | | | SLA evaluation of 100k open < 100 ms |",
        ms(load),
        ms(read_fired),
        ms(schedule)
    );
    println!(
        "| {open} open | memory: RssAnon +{:.0} MiB with every report and the scheduler held | | | |",
        rss1 - rss0
    );
    let ids: Vec<_> = watched.iter().map(|w| w.ticket.id).collect();
    drop(watched);
    println!(
        "| {open} open | memory: the scheduler alone (reports dropped) RssAnon {:.0} MiB above start | | | |",
        rss_mib() - rss0
    );

    // The whole monitor task: load, restore fired keys, schedule, first poll, counts. The
    // first start on a fresh workspace also claims every alert already due (a burst shown as
    // one summary); later starts restore those keys.
    let (first, h) = start(&dir).await?;
    drop(h);
    let mut starts = Vec::new();
    for _ in 0..5 {
        let (took, h) = start(&dir).await?;
        starts.push(took);
        drop(h);
    }
    starts.sort();
    crate::s8::record(
        "monitor_start_s",
        &format!("{open} open tickets, p50 of 5 starts"),
        percentile(&starts, 0.5).as_secs_f64(),
    );
    println!(
        "| {open} open | monitor task start to first counts (first start {} ms) | {} | {} | |",
        ms(first),
        ms(percentile(&starts, 0.5)),
        ms(percentile(&starts, 0.95))
    );

    // Before the kept histories (same data, same run): the rows without them, read from
    // every open ticket's events and comments as the monitor did before the column; then the
    // kept ones back.
    {
        use sqlx::ConnectOptions;
        let mut raw = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.join(helpdeck_store::DB_FILE))
            .pragma(
                "key",
                format!("\"x'{}'\"", bench_key(&dir)?.to_hex().as_str()),
            )
            .connect()
            .await?;
        sqlx::query("CREATE TEMP TABLE kept AS SELECT id, sla_history FROM tickets")
            .execute(&mut raw)
            .await?;
        sqlx::query("UPDATE tickets SET sla_history = NULL")
            .execute(&mut raw)
            .await?;
        let t = Instant::now();
        let watched = store.sla().watched_open_tickets().await?;
        let load_before = t.elapsed();
        drop(watched);
        let mut before = Vec::new();
        for _ in 0..3 {
            let (took, h) = start(&dir).await?;
            before.push(took);
            drop(h);
        }
        before.sort();
        sqlx::query(
            "UPDATE tickets SET sla_history = kept.sla_history FROM kept WHERE tickets.id = kept.id",
        )
        .execute(&mut raw)
        .await?;
        println!(
            "| {open} open | before the kept histories (joined events and comments): load + evaluate {} ms; monitor task start | {} | {} | |",
            ms(load_before),
            ms(percentile(&before, 0.5)),
            ms(*before.last().unwrap())
        );
    }

    // Recompute after a change: what `tickets_changed` costs per ticket and per batch.
    let mut one = Vec::new();
    for i in 0..300 {
        let id = ids[(i * 7919) % ids.len()];
        let t = Instant::now();
        for w in store.sla().watched_tickets(&[id]).await? {
            monitor.upsert(&w.ticket);
        }
        one.push(t.elapsed());
    }
    one.sort();
    println!(
        "| {open} open | recompute one changed ticket (load facts + evaluate + reschedule) | {} | {} | |",
        ms(percentile(&one, 0.5)),
        ms(percentile(&one, 0.95))
    );
    let mut batch = Vec::new();
    for b in 0..10 {
        let chunk: Vec<_> = ids.iter().skip(b * 1000).take(1000).copied().collect();
        let t = Instant::now();
        for w in store.sla().watched_tickets(&chunk).await? {
            monitor.upsert(&w.ticket);
        }
        batch.push(t.elapsed());
    }
    batch.sort();
    println!(
        "| {open} open | recompute 1,000 changed tickets (a sync pull) | {} | {} | |",
        ms(percentile(&batch, 0.5)),
        ms(percentile(&batch, 0.95))
    );
    store.shutdown().await;
    Ok(())
}
