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
    Ok(pool)
}
