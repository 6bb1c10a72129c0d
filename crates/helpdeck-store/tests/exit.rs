//! A process leaves cleanly while its database connections are still closing (SQLCipher frees
//! its state at exit; see `helpdeck_sqlite`). The test runs itself as a child process that
//! writes to an encrypted database and drops its pool right before it exits.

use std::process::Command;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

const CHILD: &str = "HELPDECK_EXIT_TEST_DIR";
const NAME: &str = "a_process_exits_cleanly_while_its_connections_close";
/// Without the exit handler, about one run of the child in four crashed (SIGSEGV in
/// sqlite3FreeCodecArg or sqlcipher_extra_shutdown): 40 runs all passing by chance is about 1 in 100,000.
const RUNS: usize = 40;

#[test]
fn a_process_exits_cleanly_while_its_connections_close() {
    if let Ok(dir) = std::env::var(CHILD) {
        child(&dir);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for run in 1..=RUNS {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(&exe)
            .args(["--exact", NAME, "--test-threads=1", "--quiet"])
            .env(CHILD, dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "run {run} of the child ended with {}:\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "the child ran its test: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Opens 16 connections to an encrypted database (a raw key: no key derivation), writes a
/// little through them, drops them without closing them and returns: the test binary exits
/// while their threads close them (each frees its cipher state; the last one checkpoints the
/// log, which is not checkpointed before).
fn child(dir: &str) {
    // What every Helpdeck binary does first.
    helpdeck_store::vault::init_crypto();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let options = SqliteConnectOptions::new()
            .filename(std::path::Path::new(dir).join("exit.db"))
            .create_if_missing(true)
            .pragma("key", format!("\"x'{}'\"", "ab".repeat(32)))
            .pragma("wal_autocheckpoint", "0")
            .journal_mode(SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .min_connections(16)
            .max_connections(16)
            .connect_with(options)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO notes (body) SELECT printf('%0300d', i) FROM n",
        )
        .execute(&pool)
        .await
        .unwrap();
        let mut held = Vec::new();
        for _ in 0..16 {
            let mut conn = pool.acquire().await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(n, 2_000);
            held.push(conn);
        }
        drop(held);
        drop(pool);
    });
    drop(rt);
}
