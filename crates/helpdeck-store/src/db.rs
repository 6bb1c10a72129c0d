//! The one place that opens the database.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::Result;

/// Migrations of the client schema, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/client");

/// Opens (creating if asked) the SQLite file with WAL, `synchronous = NORMAL`, foreign keys
/// and a busy timeout on every pooled connection, then runs pending migrations.
pub async fn open_pool(path: &Path, create: bool) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("temp_store", "memory")
        // 8 MiB page cache per connection: the OS page cache does the rest, and the desktop
        // app keeps its idle memory low.
        .pragma("cache_size", "-8000")
        // Read pages through a memory map instead of one read() per page: large scans (the
        // SLA report, exports) spent more time in the kernel than in SQLite.
        .pragma("mmap_size", "268435456");
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    upgrade_outbox(&pool).await?;
    Ok(pool)
}

/// Rewrites changes still waiting in the outbox from an older operation schema to the
/// current one, so a replica upgraded with unsent work pushes it (typed) instead of losing
/// it. A change that cannot be read is moved to `sync_rejections` with the reason, where its
/// user sees it, never dropped silently.
async fn upgrade_outbox(pool: &SqlitePool) -> Result<()> {
    use helpdeck_core::op::{OP_SCHEMA_VERSION, parse_stored};
    let old: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT seq, op_id, entity_id, op FROM outbox WHERE schema_version < ? ORDER BY seq",
    )
    .bind(i64::from(OP_SCHEMA_VERSION))
    .fetch_all(pool)
    .await?;
    if old.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for (seq, op_id, entity_id, text) in old {
        match parse_stored(&text) {
            Ok(op) => {
                sqlx::query("UPDATE outbox SET op = ?, schema_version = ? WHERE seq = ?")
                    .bind(serde_json::to_string(&op).expect("op serializes"))
                    .bind(i64::from(OP_SCHEMA_VERSION))
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
            }
            Err(e) => {
                tracing::warn!(op = %op_id, error = %e, "an outbox op could not be upgraded");
                sqlx::query(
                    "INSERT OR IGNORE INTO sync_rejections (op_id, entity_id, op, error, rejected_at) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&op_id)
                .bind(&entity_id)
                .bind(&text)
                .bind(format!("could not be upgraded to this version of Helpdeck: {e}"))
                .bind(jiff::Timestamp::now().as_millisecond())
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM outbox WHERE seq = ?")
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}
