//! Checkpoints of the write-ahead log, off the path of the writes.
//!
//! SQLite copies the write-ahead log back into the database file (a checkpoint) on the
//! connection whose commit leaves the log at `wal_autocheckpoint` pages or more, inside that
//! commit, and syncs the file while the writer waits. On the server under pushes this was
//! 16 % of the writing thread's time (`perf`, 2026-12-07: `sqlite3WalDefaultHook` →
//! `walCheckpoint`, most of it `fsync`). A process that writes a lot raises that threshold
//! on its writing connections ([`WRITER_AUTOCHECKPOINT`]) and starts a [`Checkpointer`] on
//! its pool: after a write it is woken, and checkpoints `PASSIVE` — as much of the log as no
//! reader still needs, without waiting for readers or blocking writers — on another thread,
//! while the next write goes on.
//!
//! The writers keep an automatic checkpoint, at a higher mark, as a backstop: SQLite starts
//! the log again from its beginning only when a write begins with every frame copied, and
//! under writes that never pause the checkpointer is always a commit behind — with the
//! automatic checkpoint off, the server's log grew to 1.3 GB while 100k tickets were pushed
//! (8 MB before). At the mark the writer's own checkpoint copies what is left (little: the
//! checkpointer took the rest) and the next write starts the log again.

use std::time::Duration;

use tokio::sync::mpsc;

/// The automatic checkpoint of a writing connection whose writes wake a [`Checkpointer`]:
/// 10,000 pages (40 MB of log with 4 KiB pages) instead of SQLite's 1,000, so the writer
/// checkpoints a tenth as often, and only what the checkpointer has not copied yet.
pub const WRITER_AUTOCHECKPOINT: &str = "PRAGMA wal_autocheckpoint = 10000";

/// How long the checkpointer waits for a write before checkpointing anyway: writes that
/// did not say so (an account, a setting) reach the database file within this long.
pub const IDLE_CHECKPOINT: Duration = Duration::from_secs(30);

/// Wakes the task that checkpoints one database. Clones share the task; it stops when the
/// last clone is dropped or its pool is closed.
#[derive(Clone, Debug)]
pub struct Checkpointer {
    wake: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts the checkpoints of the database `pool` is open on (in WAL mode), on the
    /// current tokio runtime. Each checkpoint takes a connection of the pool for its length,
    /// so closing the pool waits for a checkpoint under way and then stops the task.
    pub fn spawn<DB>(pool: sqlx::Pool<DB>) -> Checkpointer
    where
        DB: sqlx::Database,
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    {
        // One wake-up waiting is enough: writes during a checkpoint are covered by the next.
        let (wake, rx) = mpsc::channel(1);
        tokio::spawn(run(pool, rx));
        Checkpointer { wake }
    }

    /// Says that a write committed: a checkpoint follows soon, on the checkpointer's thread.
    /// Never waits.
    pub fn wrote(&self) {
        let _ = self.wake.try_send(());
    }
}

async fn run<DB>(pool: sqlx::Pool<DB>, mut rx: mpsc::Receiver<()>)
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    loop {
        // A wake-up, or a quiet while: checkpoint. Every sender gone: stop.
        if let Ok(None) = tokio::time::timeout(IDLE_CHECKPOINT, rx.recv()).await {
            return;
        }
        let Ok(mut conn) = pool.acquire().await else {
            return; // the pool is closed (its last close checkpointed the rest)
        };
        // PASSIVE never waits: a checkpoint another connection is running, or a reader on
        // an old snapshot, leaves the rest for the next wake-up.
        if let Err(e) = sqlx::raw_sql("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut *conn)
            .await
        {
            tracing::warn!(error = %e, "write-ahead log checkpoint failed");
        }
    }
}
