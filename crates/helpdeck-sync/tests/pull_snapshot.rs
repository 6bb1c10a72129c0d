//! A first sync while others keep working: every ticket that existed before the sync began
//! arrives in it, even when a push moves it up the change stream while a page is being built
//! (the server reads the page's upper bound and its rows in one snapshot). Real server
//! in-process (real HTTP, SQLite file), one agent editing continuously, another device pulling
//! from cursor 0 again and again.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use helpdeck_core::user::Role;
use helpdeck_server::Db;
use helpdeck_store::{CreateInput, UpdateInput};
use uuid::Uuid;

mod common;

/// More than two pull pages (500 each), so the last page covers a wide range of seqs.
const TICKETS: usize = 1200;
/// First syncs each reader makes, and how many read at once.
const FIRST_SYNCS: usize = 15;
const READERS: usize = 4;
/// Tickets the writer keeps changing.
const HOT: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_gets_every_ticket_while_pushes_move_them_on_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("server.db").display().to_string();
    first_syncs_while_pushes_move_tickets(tmp, db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_gets_every_ticket_while_pushes_move_them_on_postgres() {
    let Some(db) = fresh_pg_db().await else {
        return;
    };
    first_syncs_while_pushes_move_tickets(tempfile::tempdir().unwrap(), db).await;
}

/// A new database on the test cluster (`source scripts/pg-cluster`), or `None` off CI when
/// there is none.
async fn fresh_pg_db() -> Option<String> {
    use sqlx::Connection;
    let Some(base) = std::env::var("HELPDECK_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            "HELPDECK_TEST_PG is not set: CI runs this on PostgreSQL too (scripts/task test)"
        );
        eprintln!("NOT TESTED on PostgreSQL: HELPDECK_TEST_PG is not set");
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("helpdeck_snap_{}", Uuid::now_v7().simple());
    let mut conn = sqlx::AnyConnection::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let (prefix, _) = base.rsplit_once('/').expect("a postgres URL ends in /DB");
    Some(format!("{prefix}/{name}"))
}

async fn first_syncs_while_pushes_move_tickets(tmp: tempfile::TempDir, db_path: String) {
    let db = Db::connect(&db_path).await.unwrap();
    for (email, name) in [
        ("writer@example.com", "Writer"),
        ("reader@example.com", "Reader"),
    ] {
        common::add_user(&db, email, name, Role::Agent, None).await;
    }
    drop(db);
    let served = common::serve(tmp.path(), db_path, "Snapshot").await;
    let url = served.url.clone();

    // The writer's replica creates the tickets and pushes them.
    let (writer, writer_client) = common::replica(
        &url,
        "writer@example.com",
        "writer's laptop",
        &tmp.path().join("writer"),
    )
    .await;
    let mut ids = Vec::with_capacity(TICKETS);
    for i in 0..TICKETS {
        let t = writer
            .tickets()
            .create_ticket(CreateInput {
                title: format!("Printer {i} jams"),
                body: "Paper jam".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        ids.push(t.id);
    }
    helpdeck_sync::sync_once(&writer, &writer_client)
        .await
        .unwrap();
    let all: BTreeSet<Uuid> = ids.iter().copied().collect();

    // From now on the writer keeps changing the same few tickets, pushing after each round:
    // each change moves a ticket to the stream's end, so these are always on a first sync's
    // last page, and a push lands while that page is built.
    let running = Arc::new(AtomicBool::new(true));
    let editing = {
        let running = running.clone();
        tokio::spawn(async move {
            let mut round = 0usize;
            while running.load(Ordering::Relaxed) {
                round += 1;
                for id in &ids[..HOT] {
                    writer
                        .tickets()
                        .update_ticket(
                            &id.to_string(),
                            UpdateInput {
                                title: Some(format!("Printer jams (edit {round})")),
                                ..Default::default()
                            },
                        )
                        .await
                        .unwrap();
                }
                let ops = writer.replica().pending_ops(500).await.unwrap();
                let resp = writer_client.push(&ops).await.unwrap();
                writer
                    .replica()
                    .record_acks(&ops, &resp.acks)
                    .await
                    .unwrap();
            }
            writer.shutdown().await;
            round
        })
    };

    // Another device's first sync, again and again: page after page until the server says
    // there is no more. Every ticket made before it began must be in it.
    let (_reader_store, reader) = common::replica(
        &url,
        "reader@example.com",
        "reader's laptop",
        &tmp.path().join("reader"),
    )
    .await;
    let all = Arc::new(all);
    let mut readers = Vec::new();
    for _ in 0..READERS {
        let (reader, all) = (reader.clone(), all.clone());
        readers.push(tokio::spawn(async move {
            let mut missed = Vec::new();
            for attempt in 0..FIRST_SYNCS {
                let mut cursor = 0;
                let mut seen = BTreeSet::new();
                loop {
                    let page = reader.pull(cursor, 0).await.unwrap();
                    assert!(!page.must_resync);
                    seen.extend(page.tickets.iter().map(|b| b.ticket.id));
                    cursor = page.next_cursor;
                    if !page.has_more {
                        break;
                    }
                }
                let absent = all.difference(&seen).count();
                if absent > 0 {
                    missed.push((attempt, absent));
                }
            }
            missed
        }));
    }
    let mut missed = Vec::new();
    for r in readers {
        missed.extend(r.await.unwrap());
    }
    running.store(false, Ordering::Relaxed);
    let rounds = editing.await.unwrap();
    served.stop().await;
    assert!(rounds > 1, "the writer made {rounds} rounds of changes");
    assert!(
        missed.is_empty(),
        "first syncs that ended without tickets that existed before they began \
         (attempt, how many): {missed:?}"
    );
}
