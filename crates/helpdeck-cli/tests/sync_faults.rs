//! Faults (spec §6, I2 and I3): the server SIGKILLed in the middle of pushes, 50 times, and
//! restarted on the same port and database; clients SIGKILLed in the middle of an import
//! and of a sync round. Afterwards no acknowledged op is lost (checked against the server
//! database right after each kill), nothing is applied twice (exact ticket, comment and
//! applied-op counts; unique numbers), the replicas converge, and every SQLite file passes
//! `PRAGMA integrity_check`.

mod sync_harness;

use std::collections::HashSet;
use std::process::Stdio;
use std::time::Duration;

use rand::Rng;
use serde_json::{Value, json};
use sync_harness::*;

#[test]
fn server_killed_mid_push_50_times_on_sqlite() {
    server_killed_mid_push(Db::Sqlite);
}

#[test]
fn server_killed_mid_push_50_times_on_postgres() {
    if let Some(base) = pg_base() {
        server_killed_mid_push(Db::Postgres(fresh_pg_db(&base)));
    }
}

/// An import file of `n` new tickets titled "`prefix` N", each with one public comment.
fn dataset(dir: &std::path::Path, prefix: &str, n: usize, author: &str) -> std::path::PathBuf {
    let now = jiff::Timestamp::now();
    let tickets: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "title": format!("{prefix} {i}"), "description": "bulk", "kind": "incident",
                "category": "other", "status": "new", "priority": "P3", "channel": "phone",
                "tier": "L1", "created_at": now, "updated_at": now,
                "comments": [{"author": author, "visibility": "public",
                              "body": format!("first reply to {prefix} {i}"), "created_at": now}],
            })
        })
        .collect();
    let path = dir.join(format!("{}.json", prefix.replace(' ', "-")));
    std::fs::write(
        &path,
        serde_json::to_vec(
            &json!({"organizations": [], "teams": [], "users": [], "tickets": tickets}),
        )
        .unwrap(),
    )
    .unwrap();
    path
}

fn outbox(r: &Replica) -> HashSet<String> {
    sqlite_rows(&r.db_path(), "SELECT op_id FROM outbox")
        .into_iter()
        .map(|row| row[0].clone())
        .collect()
}

/// Syncs until nothing is pending (each round must succeed).
fn drain(r: &Replica) {
    for _ in 0..20 {
        r.sync();
        if r.pending() == 0 {
            return;
        }
    }
    panic!("{} still has {} pending ops", r.email, r.pending());
}

fn import(r: &Replica, file: &std::path::Path) {
    r.ok(&["import", file.to_str().unwrap()]);
}

fn server_killed_mid_push(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("bob@helpdesk.example", "Bob", "agent", None);
    let mut server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let bob = Replica::login(&session, &server.url, "bob@helpdesk.example");
    let files = tempfile::tempdir().unwrap();

    // Plenty to push: 1500 tickets with a comment each (6 pushes of 500 ops, about half a
    // second each in a debug build), and 100 more arriving every round, so that kills land
    // before, between and after the acknowledgements of pushes.
    import(
        &alice,
        &dataset(files.path(), "bulk", 1500, "alice@helpdesk.example"),
    );
    let mut tickets = 1500;
    let mut rng = rand::rng();
    let mut interrupted = 0;
    let mut acked_total = 0;
    for round in 0..50 {
        import(
            &alice,
            &dataset(
                files.path(),
                &format!("round {round}"),
                100,
                "alice@helpdesk.example",
            ),
        );
        tickets += 100;
        let before = outbox(&alice);
        let mut client = alice
            .command(&["sync", "--once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(0..1500)));
        server.kill();
        let status = client.wait().unwrap();
        if !status.success() {
            interrupted += 1;
        }
        // I2: every op that left the outbox was acknowledged, so the server has it —
        // checked before anything is pushed again.
        let acked: HashSet<String> = before.difference(&outbox(&alice)).cloned().collect();
        acked_total += acked.len();
        let on_server: HashSet<String> = home
            .rows("SELECT op_id FROM applied_ops")
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        let lost: Vec<&String> = acked.difference(&on_server).collect();
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged ops missing on the server: {lost:?}"
        );
        if let Some(p) = server.sqlite_path() {
            assert_integrity(&p);
        }
        assert_integrity(&alice.db_path());
        server.restart();
    }
    eprintln!(
        "50 server kills: {interrupted} interrupted a sync round; {acked_total} ops acknowledged before a kill"
    );
    assert!(
        interrupted > 0,
        "no kill landed during a sync round; the test tested nothing"
    );

    drain(&alice);
    bob.sync();
    let status = alice.json(&["sync", "--status"]);
    assert_eq!(status["rejections"], json!([]), "nothing was refused");

    // Nothing lost, nothing doubled: exact counts on the server...
    let ops = 2 * tickets;
    assert_eq!(home.count("SELECT count(*) FROM tickets"), tickets as i64);
    assert_eq!(
        home.count("SELECT count(DISTINCT number) FROM tickets"),
        tickets as i64
    );
    assert_eq!(home.count("SELECT count(*) FROM comments"), tickets as i64);
    assert_eq!(home.count("SELECT count(*) FROM applied_ops"), ops as i64);
    assert_eq!(
        home.count("SELECT count(DISTINCT op_id) FROM applied_ops WHERE status = 'applied'"),
        ops as i64
    );
    // ...and on a replica that pulled everything: the same tickets as the pusher's.
    let b = bob.exported_tickets();
    assert_eq!(b.len(), tickets);
    let titles: HashSet<&str> = b.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), tickets, "each ticket once");
    assert!(
        b.iter()
            .all(|t| t["comments"].as_array().unwrap().len() == 1)
    );
    assert_eq!(alice.exported_tickets(), b, "replicas converge");
    assert_integrity(&alice.db_path());
    assert_integrity(&bob.db_path());
    server.kill();
    if let Some(p) = server.sqlite_path() {
        assert_integrity(&p);
    }
}

#[test]
fn client_killed_mid_import_and_mid_sync() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("bob@helpdesk.example", "Bob", "agent", None);
    let mut server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let files = tempfile::tempdir().unwrap();
    let mut rng = rand::rng();

    // SIGKILL an import at random moments: all of it or none of it, outbox included.
    let mut tickets = 0i64;
    let mut cut = 0;
    for k in 0..8 {
        let prefix = format!("kill {k}");
        let file = dataset(files.path(), &prefix, 400, "alice@helpdesk.example");
        let mut child = alice
            .command(&["import", file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(0..600)));
        let _ = child.kill();
        if !child.wait().unwrap().success() {
            cut += 1;
        }
        assert_integrity(&alice.db_path());
        let db = alice.db_path();
        let n = sqlite_count(
            &db,
            &format!("SELECT count(*) FROM tickets WHERE title LIKE '{prefix} %'"),
        );
        assert!(
            n == 0 || n == 400,
            "a killed import left {n} of 400 tickets"
        );
        let queued = sqlite_count(
            &db,
            &format!(
                "SELECT count(*) FROM outbox WHERE entity_id IN \
                 (SELECT id FROM tickets WHERE title LIKE '{prefix} %' \
                  UNION SELECT id FROM comments WHERE body LIKE 'first reply to {prefix} %')"
            ),
        );
        assert_eq!(
            queued,
            2 * n,
            "each imported ticket and comment is queued once"
        );
        tickets += n;
    }
    eprintln!("8 imports killed at random: {cut} cut short");
    alice.ok(&["ticket", "create", "--title", "Replied to while syncing"]);
    tickets += 1;
    let replied = alice.ticket_titled("Replied to while syncing").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..5 {
        alice.ok(&["ticket", "reply", &replied, "--body", &format!("reply {i}")]);
    }

    // SIGKILL sync rounds at random moments.
    let mut cut = 0;
    for _ in 0..10 {
        let mut child = alice
            .command(&["sync", "--once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(0..1500)));
        let _ = child.kill();
        if !child.wait().unwrap().success() {
            cut += 1;
        }
        assert_integrity(&alice.db_path());
    }
    eprintln!("10 sync rounds killed at random: {cut} cut short");

    drain(&alice);
    let bob = Replica::login(&session, &server.url, "bob@helpdesk.example");
    bob.sync();
    assert_eq!(home.count("SELECT count(*) FROM tickets"), tickets);
    assert_eq!(
        home.count("SELECT count(DISTINCT number) FROM tickets"),
        tickets
    );
    assert_eq!(
        home.count("SELECT count(*) FROM applied_ops WHERE status != 'applied'"),
        0
    );
    let b = bob.exported_tickets();
    assert_eq!(b.len() as i64, tickets);
    let r = b
        .iter()
        .find(|t| t["title"] == "Replied to while syncing")
        .unwrap();
    let bodies: Vec<&str> = r["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["reply 0", "reply 1", "reply 2", "reply 3", "reply 4"]
    );
    assert_eq!(alice.exported_tickets(), b, "replicas converge");
    let numbers = sqlite_count(
        &alice.db_path(),
        "SELECT count(DISTINCT number) FROM tickets",
    );
    assert_eq!(numbers, tickets);
    assert_integrity(&bob.db_path());
    server.kill();
    assert_integrity(&server.sqlite_path().unwrap());
}
