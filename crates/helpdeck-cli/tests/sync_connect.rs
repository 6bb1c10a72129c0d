//! Connecting a local workspace to a server, across real processes: a technician's local
//! workspace with 1,000+ tickets (comments, history, a file, a link) joins a server that
//! already has tickets; another agent then sees every one of them, renumbered, with the old
//! numbers still found by `ticket show` and search; the customer sees their own. What the
//! server would refuse is named before anything is sent, and a customer cannot import.

mod sync_harness;

use std::process::Output;

use serde_json::{Value, json};
use sync_harness::*;

const IMPORTED: usize = 1000;

fn connect(r: &Replica, url: &str, yes: bool) -> Output {
    let mut args = vec![
        "--json",
        "connect",
        "--server",
        url,
        "--email",
        &r.email,
        "--password-stdin",
    ];
    if yes {
        args.push("--yes");
    }
    r.run_with_password(&args)
}

/// A dataset of `n` tickets numbered from 5001 (as a workspace that imported them from an
/// older system would have them): requesters known and unknown to the server, replies by
/// the owner, resolved ones with their history.
fn dataset(n: usize) -> Value {
    let tickets: Vec<Value> = (0..n)
        .map(|i| {
            let requester = if i % 10 == 0 {
                "carol@acme.example".to_string()
            } else {
                format!("caller{}@example.org", i % 40)
            };
            let resolved = i % 3 == 0;
            let category = ["hardware", "network", "software"][i % 3];
            let mut t = json!({
                "number": 5001 + i,
                "title": format!("Field ticket {i}: printer {} offline", i % 17),
                "description": format!("Reported on site visit {i}."),
                "kind": "incident",
                "category": category,
                "status": if resolved { "resolved" } else { "open" },
                "priority": "P3",
                "channel": "phone",
                "tier": "L1",
                "requester": requester,
                "created_at": "2026-09-01T08:00:00Z",
                "updated_at": "2026-09-03T10:00:00Z",
                "comments": [
                    {"author": "me@helpdeck.local", "visibility": "public",
                     "body": format!("On my way, ticket {i}."), "created_at": "2026-09-01T09:00:00Z"},
                    {"author": "me@helpdeck.local", "visibility": "internal",
                     "body": format!("Internal: spare part {i} taken from the van."), "created_at": "2026-09-01T09:30:00Z"}
                ],
            });
            if resolved {
                t["resolved_at"] = json!("2026-09-03T10:00:00Z");
                t["resolution"] = json!({"cause": "worn roller", "solution": "replaced the roller"});
                t["history"] = json!([
                    {"at": "2026-09-01T09:00:00Z", "from": "new", "to": "open", "actor": "me@helpdeck.local"},
                    {"at": "2026-09-03T10:00:00Z", "from": "open", "to": "resolved", "actor": "me@helpdeck.local"}
                ]);
            } else {
                t["history"] = json!([
                    {"at": "2026-09-01T09:00:00Z", "from": "new", "to": "open", "actor": "me@helpdeck.local"}
                ]);
            }
            t
        })
        .collect();
    json!({"tickets": tickets})
}

#[test]
fn a_local_workspace_joins_a_sqlite_server_and_everyone_sees_its_tickets() {
    joins(Db::Sqlite);
}

#[test]
fn a_local_workspace_joins_a_postgres_server_and_everyone_sees_its_tickets() {
    if let Some(base) = pg_base() {
        joins(Db::Postgres(fresh_pg_db(&base)));
    }
}

fn joins(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("bob@helpdesk.example", "Bob", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let server = home.start();
    let bob = Replica::login(&session, &server.url, "bob@helpdesk.example");
    bob.ok(&["ticket", "create", "--title", "Already on the server"]);
    bob.sync();

    // Alice worked alone for weeks: a local workspace (default owner email).
    let local = Replica::new(&session, "alice@helpdesk.example");
    local.ok(&["init", "--name", "Alice's van"]);
    local.ok(&[
        "ticket",
        "create",
        "--title",
        "Projector flickers in room 2",
        "--requester",
        "carol@acme.example",
    ]);
    local.ok(&[
        "ticket",
        "create",
        "--title",
        "Second projector, same model",
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let photo = tmp.path().join("flicker.png");
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&photo, &bytes).unwrap();
    local.ok(&[
        "ticket",
        "reply",
        "HD-1",
        "--body",
        "Here is what I saw",
        "--attach",
        photo.to_str().unwrap(),
    ]);
    local.ok(&["ticket", "note", "HD-1", "--body", "Lamp hours at 4,900"]);
    local.ok(&[
        "ticket", "link", "HD-2", "--to", "HD-1", "--kind", "related",
    ]);
    // Knowledge she wrote on the road: one published with a script, one draft, one archived.
    local.ok(&[
        "kb",
        "add",
        "--title",
        "Projector flicker: lamp hours",
        "--body",
        "Check the lamp hours.",
        "--audience",
        "public",
        "--lang",
        "en",
        "--step",
        "Open the menu => lamp hours shown",
        "--publish",
    ]);
    local.ok(&[
        "kb",
        "add",
        "--title",
        "Draft about HDMI",
        "--body",
        "Cables.",
        "--lang",
        "en",
    ]);
    let retired = local.json(&[
        "kb",
        "add",
        "--title",
        "Old projector model",
        "--body",
        "Gone.",
        "--lang",
        "en",
        "--publish",
    ]);
    local.ok(&["kb", "archive", retired["id"].as_str().unwrap()]);
    // A shared macro that assigns to its maker, and a personal one.
    local.ok(&[
        "macro",
        "add",
        "--name",
        "Lamp hours",
        "--body",
        "Hi {requester.name}, check the lamp hours.",
        "--set",
        "assignee=me",
        "--set",
        "status=pending_customer",
    ]);
    local.ok(&[
        "macro",
        "add",
        "--name",
        "My notes",
        "--body",
        "Personal reply",
        "--personal",
    ]);
    let file = tmp.path().join("older.json");
    std::fs::write(&file, dataset(IMPORTED).to_string()).unwrap();
    local.ok(&["import", file.to_str().unwrap()]);
    let total = IMPORTED + 2;

    // Without --yes (password on stdin) nothing happens, and it says why.
    let out = connect(&local, &server.url, false);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("uploads {total} tickets")) && err.contains("--yes"),
        "{err}"
    );
    assert_eq!(home.count("SELECT count(*) FROM tickets"), 1);

    let out = connect(&local, &server.url, true);
    assert!(
        out.status.success(),
        "connect: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_tail()
    );
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done["uploaded"]["tickets"], total);
    assert_eq!(done["uploaded"]["attachments"], 1);
    assert_eq!(done["uploaded"]["links"], 1);
    assert_eq!(done["uploaded"]["articles"], 3);
    assert_eq!(done["tickets_here"], total + 1, "{done}");
    assert_eq!(
        home.count("SELECT count(*) FROM tickets"),
        (total + 1) as i64
    );

    // The data dir is now a replica with nothing pending; the local workspace is kept.
    assert_eq!(local.pending(), 0);
    let backup = std::path::PathBuf::from(done["local_backup"].as_str().unwrap());
    assert_eq!(
        sqlite_count(&backup.join("helpdeck.db"), "SELECT count(*) FROM tickets"),
        total as i64
    );

    // Bob sees every ticket: renumbered after his own, with the old numbers as aliases.
    bob.sync();
    let all = bob.exported_tickets();
    assert_eq!(all.len(), total + 1);
    let titles: std::collections::HashSet<String> = all
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    for i in 0..IMPORTED {
        assert!(titles.contains(&format!("Field ticket {i}: printer {} offline", i % 17)));
    }
    let old = bob.json(&["ticket", "show", "HD-5001"]);
    assert_eq!(old["title"], "Field ticket 0: printer 0 offline");
    assert_eq!(old["former_number"], "HD-5001");
    assert_ne!(old["number"], "HD-5001");
    // Resolved in September: the server's auto-close job has closed it since.
    assert_eq!(old["status"], "closed");
    assert_eq!(old["requester"]["email"], "carol@acme.example");
    assert_eq!(old["organization"], "Acme");
    let comments = old["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    // The local owner's replies are Alice's now.
    assert!(
        comments
            .iter()
            .all(|c| c["author"]["email"] == "alice@helpdesk.example"),
        "{comments:?}"
    );
    let statuses: Vec<&str> = old["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "status")
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(statuses[..2], ["open", "resolved"], "{}", old["events"]);
    let hits = bob.json(&["search", "HD-5001"]);
    assert!(
        hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["title"] == "Field ticket 0: printer 0 offline"),
        "{hits}"
    );

    // Her articles are the workspace's now, with their status and script.
    let kb = bob.json(&["kb", "list"]);
    let listed: Vec<(&str, &str)> = kb["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["title"].as_str().unwrap(), a["status"].as_str().unwrap()))
        .collect();
    assert!(
        listed.contains(&("Projector flicker: lamp hours", "published")),
        "{kb}"
    );
    assert!(listed.contains(&("Draft about HDMI", "draft")), "{kb}");
    // Her shared macro is everyone's now (still assigning to whoever applies it); her
    // personal one stays hers.
    let macros = bob.json(&["macro", "list"]);
    assert_eq!(macros["macros"].as_array().unwrap().len(), 1, "{macros}");
    assert_eq!(macros["macros"][0]["name"], "Lamp hours");
    assert_eq!(macros["macros"][0]["actions"]["assignee"]["to"], "me");
    assert_eq!(
        listed.len(),
        2,
        "archived ones are listed with --status archived: {kb}"
    );
    let archived = bob.json(&["kb", "list", "--status", "archived"]);
    assert_eq!(archived["articles"][0]["title"], "Old projector model");
    let hits = bob.json(&["kb", "search", "lamp"]);
    assert_eq!(hits["hits"][0]["has_script"], true, "{hits}");

    // The interactive tickets kept their reply, note, file and link.
    let projector = bob.ticket_titled("Projector flickers in room 2").unwrap();
    let key = format!("HD-{}", projector["number"]);
    let shown = bob.json(&["ticket", "show", &key]);
    assert_eq!(shown["comments"].as_array().unwrap().len(), 2);
    assert_eq!(shown["links"].as_array().unwrap().len(), 1);
    let sha = shown["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let got = tmp.path().join("got.png");
    bob.ok(&["attachment", "get", &sha, "--out", got.to_str().unwrap()]);
    assert_eq!(std::fs::read(&got).unwrap(), bytes);

    // Carol sees her tickets (every tenth imported one and the projector), no notes.
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    carol.sync();
    let hers = carol.exported_tickets();
    assert_eq!(hers.len(), IMPORTED / 10 + 1);
    assert!(
        hers.iter()
            .flat_map(|t| t["comments"].as_array().unwrap())
            .all(|c| c["visibility"] == "public")
    );
    assert_customer_store(&carol);

    // Connecting twice is refused clearly.
    let out = connect(&local, &server.url, true);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already connected"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn what_the_server_would_refuse_is_named_before_anything_is_sent() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let server = home.start();

    // A category the server does not have, and a second agent it does not know.
    let local = Replica::new(&session, "alice@helpdesk.example");
    local.ok(&["init", "--email", "alice@helpdesk.example"]);
    // (categories are a workspace rule; no command edits them yet)
    sqlite_exec(
        &local.db_path(),
        r#"UPDATE workspace SET categories = '["hardware","printers"]'"#,
    );
    local.ok(&[
        "ticket",
        "create",
        "--title",
        "Jam",
        "--category",
        "printers",
    ]);
    let out = connect(&local, &server.url, true);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing was uploaded") && err.contains("printers"),
        "{err}"
    );
    assert_eq!(home.count("SELECT count(*) FROM tickets"), 0);
    // Still a local workspace, tickets intact, no half-made replica beside it.
    assert!(local.json(&["sync", "--status"])["state"].is_null());
    assert_eq!(local.exported_tickets().len(), 1);
    assert!(!staging_of(&local).exists());

    // A customer cannot bring tickets in: the server refuses every import.
    let mine = Replica::new(&session, "carol@acme.example");
    mine.ok(&["init", "--email", "carol@acme.example"]);
    mine.ok(&["ticket", "create", "--title", "My own list"]);
    let out = connect(&mine, &server.url, true);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refused") && err.contains("only agents and admins"),
        "{err}"
    );
    assert_eq!(home.count("SELECT count(*) FROM tickets"), 0);
    assert_eq!(mine.exported_tickets().len(), 1);
    assert!(!staging_of(&mine).exists());
}

fn staging_of(r: &Replica) -> std::path::PathBuf {
    let d = r.dir.path();
    d.with_file_name(format!(
        "{}.connecting",
        d.file_name().unwrap().to_string_lossy()
    ))
}
