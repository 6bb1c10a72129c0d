//! The floor of a whole CLI read (spec §8: ≤ 2.5 ms at 10k tickets), measured beside
//! `helpdeck` by `scripts/cli-read-bench.py`: a process that finds the workspace key as
//! `helpdeck` does (the kernel's copy of the keyring entry), opens the SQLCipher file with
//! one connection, and prints the first page of the open queue (20 rows by due time, through
//! its index) and the open total — nothing else: no migration check, no pool, no rule, no
//! SLA, no time zone. What any read of the encrypted store costs in a new process here.
//!
//! Usage: helpdeck-cli-floor DATA_DIR

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: helpdeck-cli-floor DATA_DIR")?,
    );
    // As every binary does first: SQLCipher's exit handler waits for closing connections
    // (without it, a connection still closing at exit crashed this process once in a run).
    helpdeck_store::vault::init_crypto();
    let key = helpdeck_store::vault::key_pragma(&dir).await?;
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.join(helpdeck_store::DB_FILE))
        .pragma("key", key.as_str().to_string())
        .read_only(true)
        .connect()
        .await?;
    let page: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT number, status, priority, title FROM tickets INDEXED BY tickets_open_due \
         WHERE is_open = 1 ORDER BY (sla_due_at IS NULL), sla_due_at LIMIT 20",
    )
    .fetch_all(&mut conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM tickets INDEXED BY tickets_open_risk WHERE is_open = 1",
    )
    .fetch_one(&mut conn)
    .await?;
    let mut out = std::io::stdout().lock();
    for (number, status, priority, title) in page {
        writeln!(out, "HD-{number:<6} {status:<16} {priority} {title}")?;
    }
    writeln!(out, "{total} open")?;
    conn.close().await?;
    Ok(())
}
