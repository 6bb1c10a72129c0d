//! The checkpointer copies the write-ahead log into the database file after a write says so,
//! on its own connection, while the writer's connection never checkpoints.

use std::path::Path;
use std::time::{Duration, Instant};

use helpdeck_sqlite::{Checkpointer, WRITER_AUTOCHECKPOINT};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions};

/// A pool whose connections checkpoint inside a commit only past the writers' mark.
async fn open(path: &Path) -> sqlx::SqlitePool {
    helpdeck_sqlite::init();
    SqlitePoolOptions::new()
        .max_connections(2)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::raw_sql(WRITER_AUTOCHECKPOINT).execute(conn).await?;
                Ok(())
            })
        })
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal),
        )
        .await
        .expect("open")
}

/// Writes 4,000 rows of 1 KiB in one transaction: more log than SQLite's usual automatic
/// checkpoint lets grow (1,000 pages of 4 KiB), less than the writers' mark.
async fn write_a_lot(conn: &mut SqliteConnection) {
    let mut tx = conn.begin().await.expect("begin");
    for _ in 0..4_000 {
        sqlx::query("INSERT INTO t (body) VALUES (randomblob(1024))")
            .execute(&mut *tx)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_says_so_is_checkpointed_off_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let pool = open(&path).await;
    let mut writer = pool.acquire().await.unwrap();
    let (pages,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
        .fetch_one(&mut *writer)
        .await
        .unwrap();
    assert_eq!(pages, 10_000, "{WRITER_AUTOCHECKPOINT}");
    sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
        .execute(&mut *writer)
        .await
        .unwrap();
    let checkpoints = Checkpointer::spawn(pool.clone());

    // Without a word from the writer, the rows stay in the log: nothing checkpoints them.
    write_a_lot(&mut writer).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        size(&path) < 1 << 20,
        "the database file took the log without a checkpoint: {} bytes",
        size(&path)
    );
    assert!(size(&path.with_extension("sqlite-wal")) > 4 << 20);

    // Told, the checkpointer copies them into the database file.
    checkpoints.wrote();
    let deadline = Instant::now() + Duration::from_secs(30);
    while size(&path) < 4 << 20 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        size(&path) >= 4 << 20,
        "the checkpointer did not copy the log: the database file has {} bytes",
        size(&path)
    );
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM t")
        .fetch_one(&mut *writer)
        .await
        .unwrap();
    assert_eq!(n, 4_000);
    drop(writer);
    drop(checkpoints);
    pool.close().await;
}
