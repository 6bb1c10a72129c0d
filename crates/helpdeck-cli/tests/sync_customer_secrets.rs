//! A customer's replica never holds what is not theirs (spec §5, issue 11): after real
//! syncs with a real server, the bytes of the customer's whole data dir (database, WAL,
//! shared memory, blob store) are searched for every secret written during the test — an
//! internal note and the file on it, another organization's ticket, its requester's name
//! and email, the other organization's name, an agent's email and the agent's team, a
//! follow-up call's note, an internal knowledge article and a draft one. A
//! positive control (the customer's own request and the public reply) shows the search
//! can find what is there.

mod sync_harness;

use std::path::Path;

use sync_harness::*;

#[test]
fn a_customers_files_hold_no_secret_on_sqlite() {
    secrets(Db::Sqlite);
}

#[test]
fn a_customers_files_hold_no_secret_on_postgres() {
    if let Some(base) = pg_base() {
        secrets(Db::Postgres(fresh_pg_db(&base)));
    }
}

/// Every file under `dir`, as bytes.
fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p.display().to_string(), bytes));
        }
    }
}

/// What a customer's data dir holds, readable: every row of every table of the (encrypted)
/// database, every attachment file opened with the workspace's key, and the other files as
/// they are.
fn readable(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let db = dir.join(helpdeck_store::DB_FILE);
    let mut out = Vec::new();
    let tables = sqlite_rows(
        &db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_index_%' \
         AND name NOT LIKE '_sqlx%' AND name NOT LIKE 'sqlite_%'",
    );
    for t in tables {
        let rows = sqlite_rows(&db, &format!("SELECT * FROM \"{}\"", t[0]));
        let text = rows
            .iter()
            .map(|r| r.join("\t"))
            .collect::<Vec<_>>()
            .join("\n");
        out.push((format!("table {}", t[0]), text.into_bytes()));
    }
    let key = workspace_key(dir);
    block_on(async {
        let store = helpdeck_store::Store::open_with_key(dir, key)
            .await
            .unwrap();
        let shas = sqlite_rows(&db, "SELECT DISTINCT sha256 FROM attachments");
        for sha in shas {
            if store.files().has_blob(&sha[0]) {
                out.push((
                    format!("file {}", sha[0]),
                    store.files().read_blob(&sha[0]).unwrap(),
                ));
            }
        }
        store.shutdown().await;
    });
    let mut raw = Vec::new();
    files(dir, &mut raw);
    for (path, bytes) in raw {
        if !path.contains("/blobs/") && !path.contains("/thumbs/") && !path.contains("helpdeck.db")
        {
            out.push((path, bytes));
        }
    }
    out
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w == n)
}

fn secrets(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice.secret@helpdesk.example", "Alice", "agent", None);
    home.add_user("root@helpdesk.example", "Rosa", "admin", None);
    home.add_user(
        "carol@client.example",
        "Carol",
        "customer",
        Some("Client Ltd"),
    );
    home.add_user(
        "erin.hidden@globex.example",
        "Erin Hiddenname",
        "customer",
        Some("Globex Secretorg"),
    );
    let server = home.start();
    let admin = Replica::login(&session, &server.url, "root@helpdesk.example");
    admin.ok(&[
        "people",
        "update",
        "alice.secret@helpdesk.example",
        "--team",
        "Team Zx Secret",
    ]);
    let alice = Replica::login(&session, &server.url, "alice.secret@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@client.example");
    let erin = Replica::login(&session, &server.url, "erin.hidden@globex.example");

    carol.ok(&[
        "ticket",
        "create",
        "--title",
        "Carol own printer request",
        "--body",
        "Tray 2",
    ]);
    erin.ok(&[
        "ticket",
        "create",
        "--title",
        "Globex payroll server down",
        "--body",
        "GLOBEX-BODY-31",
    ]);
    carol.sync();
    erin.sync();
    alice.sync();
    let note_file = alice.dir.path().join("fuser-notes.txt");
    std::fs::write(&note_file, "SECRET-FILE-BYTES-5521 fuser serial").unwrap();
    let carols = alice
        .ticket_titled("Carol own printer request")
        .expect("the agent sees Carol's request");
    let carols = carols["id"].as_str().unwrap().to_string();
    alice.ok(&["ticket", "reply", &carols, "--body", "PUBLIC-REPLY-OK-88"]);
    alice.ok(&[
        "ticket",
        "note",
        &carols,
        "--body",
        "SECRET-NOTE-7Q1 warranty expired",
        "--attach",
        note_file.to_str().unwrap(),
    ]);
    alice.ok(&[
        "ticket",
        "update",
        &carols,
        "--assignee",
        "me",
        "--tier",
        "L3",
    ]);
    alice.sync();
    // More than one pull, with changes in between.
    carol.sync();
    alice.ok(&[
        "ticket",
        "note",
        &carols,
        "--body",
        "SECRET-NOTE-2 second thoughts",
    ]);
    alice.sync();
    carol.sync();

    // Resolved; Carol confirms and rates 2: the follow-up opens on the server, Alice calls
    // first, does not recover her and names Rosa for the supervisor's call. Carol learns a
    // call is coming, never what was said.
    alice.ok(&[
        "ticket",
        "resolve",
        &carols,
        "--cause",
        "Worn roller",
        "--solution",
        "New roller",
    ]);
    alice.sync();
    carol.sync();
    carol.ok(&["ticket", "close", &carols]);
    carol.ok(&[
        "ticket",
        "rate",
        &carols,
        "--score",
        "2",
        "--comment",
        "Slow",
    ]);
    carol.sync();
    alice.sync();
    let tasks = alice.json(&["followup", "list"]);
    let task = &tasks["followups"][0];
    assert_eq!(task["ticket_id"], carols.as_str(), "{tasks}");
    assert_eq!(task["callback"]["level"], "handler");
    assert_eq!(task["callback"]["owner"]["name"], "Alice");
    alice.ok(&[
        "followup",
        "done",
        &carols,
        "--outcome",
        "not_recovered",
        "--note",
        "SECRET-CALLBACK-NOTE-9 offered credit",
        "--next",
        "root@helpdesk.example",
    ]);
    alice.sync();
    admin.sync();
    let rosa = admin.json(&["followup", "list"]);
    assert_eq!(
        rosa["followups"][0]["callback"]["level"], "supervisor",
        "{rosa}"
    );
    assert_eq!(rosa["followups"][0]["callback"]["owner"]["name"], "Rosa");
    carol.sync();
    let f = &carol.json(&["ticket", "show", &carols])["followup"];
    assert_eq!(f["open"], true, "{f}");
    let steps = f["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["level"], "supervisor");
    assert!(
        steps
            .iter()
            .all(|s| s["owner"].is_null() && s["note"].is_null() && s["outcome"].is_null())
    );
    // A customer has no task list.
    assert!(!carol.run(&["followup", "list"]).status.success());

    // The knowledge base: Rosa writes an internal article, a public draft, a public
    // published one (the control) and one she publishes, then archives after Carol got it.
    let kb_id = |v: &serde_json::Value| v["id"].as_str().unwrap().to_string();
    admin.ok(&[
        "kb",
        "add",
        "--title",
        "Fuser reset (internal)",
        "--body",
        "SECRET-KB-INTERNAL-41 service menu code",
        "--audience",
        "internal",
        "--publish",
    ]);
    admin.ok(&[
        "kb",
        "add",
        "--title",
        "Toner guide draft",
        "--body",
        "SECRET-KB-DRAFT-42",
        "--audience",
        "public",
    ]);
    admin.ok(&[
        "kb",
        "add",
        "--title",
        "Clearing a paper jam",
        "--body",
        "PUBLIC-KB-OK-43 open the rear cover",
        "--audience",
        "public",
        "--publish",
    ]);
    let retired = kb_id(&admin.json(&[
        "kb",
        "add",
        "--title",
        "Old VPN client",
        "--body",
        "RETIRED-KB-44",
        "--audience",
        "public",
        "--publish",
    ]));
    admin.sync();
    carol.sync();
    let mine = carol.json(&["kb", "list"]);
    assert_eq!(mine["articles"].as_array().unwrap().len(), 2, "{mine}");
    admin.ok(&["kb", "archive", &retired]);
    admin.sync();
    carol.sync();
    let mine = carol.json(&["kb", "list"]);
    let titles: Vec<&str> = mine["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec!["Clearing a paper jam"],
        "an archived article leaves the customer"
    );
    assert_eq!(
        carol.json(&["kb", "search", "RETIRED"])["hits"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let hits = carol.json(&["kb", "search", "PUBLIC-KB-OK-43"]);
    assert_eq!(hits["hits"].as_array().unwrap().len(), 1, "{hits}");
    // A customer reads but never writes.
    assert!(
        !carol
            .run(&["kb", "add", "--title", "x", "--body", "y"])
            .status
            .success()
    );
    alice.sync();
    assert_eq!(
        alice.json(&["kb", "list"])["articles"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "staff see drafts and internal ones"
    );

    // On disk nothing is readable (encrypted at rest) …
    let mut raw = Vec::new();
    files(carol.dir.path(), &mut raw);
    for (path, bytes) in &raw {
        assert!(
            !holds(bytes, "Carol own printer request"),
            "readable on disk: {path}"
        );
    }
    // … and what her store holds, read with its key, is only what she may see.
    let all = readable(carol.dir.path());
    assert!(!all.is_empty());
    let anywhere = |s: &str| {
        all.iter()
            .filter(|(_, b)| holds(b, s))
            .map(|(p, _)| p.clone())
            .collect::<Vec<_>>()
    };
    // The search finds what is there.
    for present in [
        "Carol own printer request",
        "PUBLIC-REPLY-OK-88",
        "PUBLIC-KB-OK-43",
    ] {
        assert!(
            !anywhere(present).is_empty(),
            "the control '{present}' is in Carol's files"
        );
    }
    for secret in [
        "SECRET-NOTE-7Q1",
        "SECRET-NOTE-2",
        "SECRET-CALLBACK-NOTE-9",
        "SECRET-KB-INTERNAL-41",
        "SECRET-KB-DRAFT-42",
        "SECRET-FILE-BYTES-5521",
        "fuser-notes.txt",
        "Globex payroll server down",
        "GLOBEX-BODY-31",
        "Erin Hiddenname",
        "erin.hidden@globex.example",
        "Globex Secretorg",
        "alice.secret@helpdesk.example",
        "root@helpdesk.example",
        "Team Zx Secret",
    ] {
        let found = anywhere(secret);
        assert!(found.is_empty(), "Carol's files hold '{secret}': {found:?}");
    }
    // She does see who handles her request (by name).
    let t = carol.json(&["ticket", "show", &carols]);
    assert_eq!(t["assignee"]["name"], "Alice");
    assert_eq!(t["stage"], "done");
}
