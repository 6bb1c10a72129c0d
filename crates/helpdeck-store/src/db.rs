//! The one place that opens the database.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::{Result, StoreError};
use crate::vault::{self, KeySource, StoreKey};

/// Migrations of the client schema, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/client");

/// Opens (creating if asked) the workspace database at `path` with its key: a new
/// workspace gets a new key; one from before encryption is encrypted in place first
/// (`vault`). Returns the pool and the key (for the sealed files beside it).
pub async fn open_store(
    path: &Path,
    create: bool,
    source: &KeySource,
) -> Result<(SqlitePool, StoreKey)> {
    vault::quiet_sqlcipher().await;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let exists = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    // The header is read (outside SQLite) only when no key names the file yet: opening and
    // closing the database file beside SQLite would drop this process's locks on it if a
    // connection of this process had it open (POSIX locks belong to the process), and
    // another process could then checkpoint under it.
    let key_named = vault::key_id(dir)?.is_some();
    let key = if !exists || (!key_named && vault::is_plain_sqlite(path)?) {
        if !exists && !create {
            return Err(StoreError::NoWorkspace(dir.display().to_string()));
        }
        // A key named by an earlier attempt that stopped half-way is used again.
        let key = match vault::unlock(dir, source).await {
            Ok(k) => k,
            Err(StoreError::KeyMissing(_)) => vault::new_key(dir, source).await?,
            Err(e) => return Err(e),
        };
        if exists {
            encrypt_in_place(path, &key).await?;
        }
        key
    } else {
        vault::unlock(dir, source).await?
    };
    let pool = match open_pool(path, create, &key).await {
        Ok(pool) => pool,
        Err(StoreError::Database(sqlx::Error::Database(db)))
            if db.code().as_deref() == Some("26") =>
        {
            // An encryption interrupted after its key was named: the file is still plain (no
            // connection has it open, it did not open).
            if exists && vault::is_plain_sqlite(path)? {
                encrypt_in_place(path, &key).await?;
                open_pool(path, create, &key).await?
            } else {
                return Err(StoreError::WrongKey(path.display().to_string()));
            }
        }
        Err(e) => return Err(e),
    };
    Ok((pool, key))
}

/// Encrypts a workspace from before encryption, in place: the database is exported into a
/// SQLCipher file under `key` (`sqlcipher_export`, which copies schema, rows, indexes,
/// triggers and the full-text tables), its attachment files and thumbnails are sealed, then
/// the encrypted file replaces the plain one by a rename. Interrupted at any point, the next
/// open starts again from the plain file (sealing a file twice is skipped).
async fn encrypt_in_place(path: &Path, key: &StoreKey) -> Result<()> {
    use sqlx::{ConnectOptions, Connection};
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let target = path.with_extension("db.encrypting");
    let io = |p: &Path, e: std::io::Error| StoreError::Io {
        path: p.display().to_string(),
        source: e,
    };
    for stale in [target.clone(), path.with_extension("db.encrypting-journal")] {
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| io(&stale, e))?;
        }
    }
    tracing::info!(db = %path.display(), "encrypting a workspace from before encryption");
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        // ATTACH makes the new file only on a connection allowed to create files.
        .create_if_missing(true)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    sqlx::query("ATTACH DATABASE ? AS encrypted KEY ?")
        .bind(target.display().to_string())
        .bind(key.raw_key().as_str())
        .execute(&mut conn)
        .await?;
    sqlx::query("SELECT sqlcipher_export('encrypted')")
        .fetch_all(&mut conn)
        .await?;
    sqlx::query("DETACH DATABASE encrypted")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let sealed = seal_files(dir, key)?;
    for side in ["db-wal", "db-shm"] {
        let p = path.with_extension(side);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| io(&p, e))?;
        }
    }
    std::fs::rename(&target, path).map_err(|e| io(path, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    tracing::info!(db = %path.display(), files = sealed, "workspace encrypted");
    Ok(())
}

/// Seals the attachment files and thumbnails of the data dir `dir`; downloads in progress
/// (plain, from before encryption) are dropped and fetched again.
pub(crate) fn seal_files(dir: &Path, key: &StoreKey) -> Result<usize> {
    let partial = dir.join("blobs").join("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| StoreError::Io {
            path: partial.display().to_string(),
            source: e,
        })?;
    }
    let blobs = vault::seal_tree(key, &dir.join("blobs"), &|name| {
        (name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())).then(|| name.to_string())
    })?;
    let thumbs = vault::seal_tree(key, &dir.join("thumbs"), &|name| {
        let sha = name.split('.').next()?;
        (sha.len() == 64 && !name.starts_with('.')).then(|| crate::thumbs::thumb_label(sha))
    })?;
    Ok(blobs + thumbs)
}

/// A pooled connection for a large write — a pulled page — whose commits leave the
/// write-ahead log's checkpoints to the store's checkpointer: SQLite otherwise copies the log
/// back into the database file inside the commit that takes it past 1,000 pages (every few
/// pages of a first sync) and syncs the file while the write waits. The connection keeps an
/// automatic checkpoint only at the writers' higher mark (helpdeck_sqlite's
/// `WRITER_AUTOCHECKPOINT`, the backstop that keeps the log from growing under writes that
/// never pause). [`BulkWrite::done`] gives it SQLite's usual mark back and wakes the
/// checkpointer, which copies the log on another connection while the next page is written.
pub(crate) struct BulkWrite<'a> {
    store: &'a crate::Store,
    conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    done: bool,
}

impl Drop for BulkWrite<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Left early (an error, a cancelled task): the connection is closed rather than
            // returned to the pool without its automatic checkpoint.
            self.conn.close_on_drop();
        }
    }
}

/// SQLite's default `wal_autocheckpoint` (pages), which the pool's connections keep.
const AUTOCHECKPOINT_PAGES: &str = "PRAGMA wal_autocheckpoint = 1000";

impl<'a> BulkWrite<'a> {
    pub(crate) async fn start(store: &'a crate::Store) -> Result<BulkWrite<'a>> {
        let mut conn = store.pool.acquire().await?;
        sqlx::query(helpdeck_sqlite::WRITER_AUTOCHECKPOINT)
            .execute(&mut *conn)
            .await?;
        Ok(BulkWrite {
            store,
            conn,
            done: false,
        })
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.conn
    }

    /// Ends the write (committed or not): the connection checkpoints as usual again, and the
    /// log written meanwhile is checkpointed off this path.
    pub(crate) async fn done(mut self) -> Result<()> {
        if sqlx::query(AUTOCHECKPOINT_PAGES)
            .execute(&mut *self.conn)
            .await
            .is_err()
        {
            // Never back in the pool without its automatic checkpoint.
            self.conn.close_on_drop();
        }
        self.done = true;
        let store = self.store;
        store
            .checkpoints
            .get_or_init(|| async { helpdeck_sqlite::Checkpointer::spawn(store.pool.clone()) })
            .await
            .wrote();
        Ok(())
    }
}

/// One connection of its own to the workspace database (a backup attaches its file to it).
pub(crate) async fn connect_one(path: &Path, key: &StoreKey) -> Result<sqlx::SqliteConnection> {
    use sqlx::ConnectOptions;
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .pragma("key", key.pragma_value().to_string())
        // ATTACH makes the backup file only on a connection allowed to create files.
        .create_if_missing(true)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?)
}

/// A connection's usual page cache (`PRAGMA cache_size`, KiB when negative): 8 MiB keeps the
/// desktop app's memory lower (after starting on 100k tickets it measured 539 MB with 32 MiB
/// on every connection, 462 MB with 8 MiB, the same day). Work that reads far more raises it:
/// reports and imports for their run, a search for good ([`SEARCH_PAGE_CACHE`]).
pub(crate) const PAGE_CACHE: &str = "-8000";

/// The page cache of a connection that has served a search. SQLCipher decrypts and
/// authenticates every page it takes from the OS (whose cache holds ciphertext): with 8 MiB,
/// searches at 1M tickets decrypted their pages again on every other run (2.3-5.9 s instead
/// of 0.16-0.23 s). Filled only as pages are read.
pub(crate) const SEARCH_PAGE_CACHE: &str = "-32000";

/// Sets this connection's page cache to `size` (`PRAGMA cache_size`: [`PAGE_CACHE`],
/// [`SEARCH_PAGE_CACHE`], or a larger figure for a report or an import while it runs).
pub(crate) async fn set_page_cache(conn: &mut sqlx::SqliteConnection, size: &str) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = {size}")))
        .execute(conn)
        .await?;
    Ok(())
}

/// Opens (creating if asked) the SQLCipher file with its key, WAL, `synchronous = NORMAL`,
/// foreign keys and a busy timeout on every pooled connection, then runs pending migrations.
async fn open_pool(path: &Path, create: bool, key: &StoreKey) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        // First, before anything reads a page (sqlx keeps `key` first among the pragmas).
        .pragma("key", key.pragma_value().to_string())
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("temp_store", "memory")
        .pragma("cache_size", PAGE_CACHE)
        // Read pages through a memory map instead of one read() per page: large scans (the
        // SLA report, exports) spent more time in the kernel than in SQLite.
        .pragma("mmap_size", "268435456");
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        // A pooled connection is a thread of this process over a local file: it cannot have
        // gone away, and sqlx's test of it (a round trip to that thread) on every acquire
        // only costs.
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    // A migration pass (a table check, a read and a checksum of every migration) only when
    // this build knows migrations the file lacks.
    if !schema_current(&pool).await {
        MIGRATOR.run(&pool).await?;
    }
    upgrade_outbox(&pool).await?;
    Ok(pool)
}

/// Has the database every migration of this build, each applied successfully, and no other?
/// (A file from a newer build, a failed migration or a missing table: no — the migrator
/// then runs and says what is wrong.)
async fn schema_current(pool: &SqlitePool) -> bool {
    let known: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    let Some(newest) = known.iter().max().copied() else {
        return true;
    };
    let row: std::result::Result<(i64, Option<i64>, i64), sqlx::Error> = sqlx::query_as(
        "SELECT count(*), max(version), coalesce(sum(success = 0), 0) FROM _sqlx_migrations",
    )
    .fetch_one(pool)
    .await;
    matches!(row, Ok((n, Some(max), 0)) if n == known.len() as i64 && max == newest)
}

/// Outbox ops of an older operation schema, oldest first. Asked on every open, so through
/// its index: a scan read every queued op (10 s for a 1M-ticket import's 3.9M ops).
const OLDER_OUTBOX_OPS: &str = "SELECT seq, op_id, entity_id, op FROM outbox \
     INDEXED BY outbox_schema_version WHERE schema_version < ? ORDER BY seq";

/// Rewrites changes still waiting in the outbox from an older operation schema to the
/// current one, so a replica upgraded with unsent work pushes it (typed) instead of losing
/// it. A change that cannot be read is moved to `sync_rejections` with the reason, where its
/// user sees it, never dropped silently.
async fn upgrade_outbox(pool: &SqlitePool) -> Result<()> {
    use helpdeck_core::op::{OP_SCHEMA_VERSION, parse_stored};
    let old: Vec<(i64, String, String, String)> = sqlx::query_as(OLDER_OUTBOX_OPS)
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

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    async fn autocheckpoint(conn: &mut sqlx::SqliteConnection) -> i64 {
        let (pages,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
            .fetch_one(conn)
            .await
            .unwrap();
        pages
    }

    /// A large write's connection checkpoints inside its commits only at the writers' mark,
    /// and goes back to the pool checkpointing as usual — or, left early, does not go back.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bulk_write_gives_its_connection_back_as_it_found_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::init_with_key(
            dir.path(),
            crate::InitOptions {
                name: "Test desk".into(),
                timezone: "Asia/Shanghai".into(),
                language: "en".into(),
                owner_name: "Wang Fang".into(),
                owner_email: "wang.fang@helpdeck.example".into(),
            },
            crate::StoreKey::random(),
        )
        .await
        .unwrap();
        // One connection at a time, so that each acquire below gets the same one.
        let pool = store.pool.clone();
        let mut others = Vec::new();
        while pool.num_idle() > 1 {
            others.push(pool.acquire().await.unwrap().detach());
        }

        let mut bulk = super::BulkWrite::start(&store).await.unwrap();
        assert_eq!(autocheckpoint(bulk.conn()).await, 10_000);
        bulk.done().await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        assert_eq!(autocheckpoint(&mut conn).await, 1000);
        drop(conn);

        // Left early: closed, not returned. The connection it used is marked with a table
        // of its own; none of the pool's idle connections may be that one, neither at once
        // nor once the pool has settled (a connection goes back to it from another task).
        let mut bulk = super::BulkWrite::start(&store).await.unwrap();
        sqlx::query("CREATE TEMP TABLE left_early (x)")
            .execute(bulk.conn())
            .await
            .unwrap();
        drop(bulk);
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        while std::time::Instant::now() < deadline {
            let mut idle = Vec::new();
            while let Some(conn) = pool.try_acquire() {
                idle.push(conn);
            }
            for conn in &mut idle {
                let (marked,): (i64,) = sqlx::query_as(
                    "SELECT count(*) FROM temp.sqlite_master WHERE name = 'left_early'",
                )
                .fetch_one(&mut **conn)
                .await
                .unwrap();
                assert_eq!(marked, 0, "a bulk write left early went back to the pool");
                assert_eq!(autocheckpoint(conn).await, 1000);
            }
            drop(idle);
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        for c in others {
            c.close().await.unwrap();
        }
    }

    /// Opening a workspace asks for older outbox ops through an index, never by reading
    /// every queued op.
    #[tokio::test]
    async fn older_outbox_ops_are_found_through_an_index() {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        super::MIGRATOR.run(&mut conn).await.unwrap();
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "EXPLAIN QUERY PLAN {}",
            super::OLDER_OUTBOX_OPS
        )))
        .bind(7)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let plan: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
        assert!(
            plan.iter()
                .any(|d| d.contains("USING INDEX outbox_schema_version")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|d| d.starts_with("SCAN outbox")),
            "{plan:?}"
        );
    }
}
