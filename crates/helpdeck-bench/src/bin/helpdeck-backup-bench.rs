//! Backup and restore benchmark (issue 14, docs/benchmarks.md; seed 003: recovery in under
//! 5 minutes): `Store::backup` and `Store::restore` of a workspace of N imported demo tickets
//! (with their comments and history), as `helpdeck backup|restore` run them. Prints Markdown
//! rows.

#[path = "../bench_key.rs"]
mod bench_key;
use bench_key::bench_key;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use helpdeck_store::{ImportOptions, InitOptions, KeySource, Store, StoreKey};

#[derive(Parser)]
struct Args {
    /// Tickets in the workspace.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Where the workspace is kept (reused between runs).
    #[arg(long, default_value = "bench-data")]
    dir: PathBuf,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.tickets;
    let dir = args.dir.join(format!("backup-{n}"));
    if !dir.join(helpdeck_store::DB_FILE).exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::init_with_key(
            &dir,
            InitOptions {
                name: format!("backup {n}"),
                timezone: "Asia/Shanghai".into(),
                language: "zh".into(),
                owner_name: "Bench".into(),
                owner_email: "bench@helpdeck.example".into(),
            },
            bench_key(&dir)?,
        )
        .await?;
        let data = helpdeck_demo::generate(n, 7, jiff::Timestamp::now());
        store
            .transfer()
            .import(&data, ImportOptions { outbox: true })
            .await?;
        store.shutdown().await;
    }
    let store = Store::open_with_key(&dir, bench_key(&dir)?).await?;
    let db_bytes = std::fs::metadata(dir.join(helpdeck_store::DB_FILE))?.len();
    let scratch = args.dir.join(format!("backup-{n}-scratch"));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let file = scratch.join("bench.hdbackup");

    println!("| workspace | measurement | time | bar |");
    println!("|---|---|---|---|");
    let start = Instant::now();
    let made = store.backup(&file, "bench passphrase 1").await?;
    let took = start.elapsed();
    println!(
        "| {n} tickets ({:.0} MiB database) | `helpdeck backup` (online, passphrase-encrypted, {:.0} MiB file) | {:.1} s | |",
        db_bytes as f64 / 1_048_576.0,
        made.bytes as f64 / 1_048_576.0,
        took.as_secs_f64()
    );
    store.shutdown().await;

    let into = scratch.join("restored");
    let start = Instant::now();
    let restored = Store::restore(
        &file,
        "bench passphrase 1",
        &into,
        &KeySource::Given(StoreKey::random()),
    )
    .await?;
    let took = start.elapsed();
    assert_eq!(restored.tickets, made.tickets);
    println!(
        "| {n} tickets | `helpdeck restore` (new key, integrity check, migrations) | {:.1} s | < 5 min (seed 003) |",
        took.as_secs_f64()
    );
    std::fs::remove_dir_all(&scratch)?;
    Ok(())
}
