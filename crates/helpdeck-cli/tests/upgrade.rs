//! Upgrades lose nothing: a local workspace, a replica with pending changes and a server
//! database made by the release before the one-rule-engine change (op schema 1, protocol 1;
//! fixtures and the script that made them in `tests/fixtures/release-0.1-2db9f6d/`) open with
//! this build and keep every ticket, comment, event and pending change — the replica pushes
//! its schema-1 changes after upgrading.

mod sync_harness;

use std::path::{Path, PathBuf};

use serde_json::Value;
use sync_harness::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/release-0.1-2db9f6d")
        .join(name)
}

fn json_file(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn copy_into(name: &str, dir: &Path, as_name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let to = dir.join(as_name);
    std::fs::copy(fixture(name), &to).unwrap();
    to
}

fn cli(session: &Session, dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(bin())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("HELPDECK_DATA_DIR")
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .bounded_output()
        .unwrap();
    assert!(
        out.status.success(),
        "helpdeck {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_local_workspace_of_the_previous_release_keeps_everything() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_into("local.db", dir.path(), "helpdeck.db");
    assert!(is_plain_sqlite(&dir.path().join("helpdeck.db")));
    let now: Value =
        serde_json::from_str(&cli(&session, dir.path(), &["export", "--format", "json"])).unwrap();
    assert_eq!(
        now,
        json_file("local-export.json"),
        "every ticket, comment and status change"
    );
    let t: Value = serde_json::from_str(&cli(
        &session,
        dir.path(),
        &["--json", "ticket", "show", "HD-1"],
    ))
    .unwrap();
    assert_eq!(t["comments"].as_array().unwrap().len(), 2);
    assert_eq!(t["csat"]["score"], 5);
    assert!(t["events"].as_array().unwrap().len() >= 5, "{t}");
    // It works on as before: a change, a search in Chinese.
    cli(&session, dir.path(), &["ticket", "reopen", "HD-1"]);
    let hits: Value =
        serde_json::from_str(&cli(&session, dir.path(), &["--json", "search", "打印"])).unwrap();
    assert!(hits.to_string().contains("HD-1"), "{hits}");
    assert_integrity(&dir.path().join("helpdeck.db"));
    // Encrypted in place on first open (issue 14): no plain SQLite file is left.
    assert!(!is_plain_sqlite(&dir.path().join("helpdeck.db")));
    assert!(!dir.path().join("helpdeck.db.encrypting").exists());
}

fn is_plain_sqlite(db: &Path) -> bool {
    std::fs::read(db).unwrap().starts_with(b"SQLite format 3\0")
}

#[test]
fn a_replica_with_pending_changes_and_its_server_upgrade_and_sync() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    copy_into("server.db", home.dir.path(), "server.db");
    let server = home.start();
    assert_eq!(
        home.count("SELECT count(*) FROM tickets"),
        1,
        "the server's ticket"
    );

    let alice = Replica::new(&session, "alice@helpdesk.example");
    let db = copy_into("replica.db", alice.dir.path(), "helpdeck.db");
    let before: Value = json_file("replica-status.json");
    assert_eq!(before["state"]["pending"], 7);
    // The server moved to a new address (the fixture's port is gone).
    sqlite_exec(
        &db,
        &format!("UPDATE sync_state SET server_url = '{}'", server.url),
    );
    // Open with this build: encrypted in place, the schema-1 outbox upgraded in place,
    // nothing dropped.
    assert!(is_plain_sqlite(&db));
    let status: Value = alice.json(&["sync", "--status"]);
    assert!(!is_plain_sqlite(&db));
    assert_eq!(status["state"]["pending"], 7, "{status}");
    assert_eq!(status["state"]["rejected"], 0, "{status}");
    let export: Value = serde_json::from_str(&alice.ok(&["export", "--format", "json"])).unwrap();
    assert_eq!(
        export,
        json_file("replica-export.json"),
        "the replica's data as it was"
    );

    // The token of the old session is gone with its keyring: sign in again on this replica.
    let out = alice.login_output(&server.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    alice.sync();
    let status: Value = alice.json(&["sync", "--status"]);
    assert_eq!(status["state"]["pending"], 0, "{status}");
    assert_eq!(
        status["state"]["rejected"], 0,
        "every old change was accepted: {status}"
    );

    // The server has the offline work: the new ticket, both replies, the note, the update.
    assert_eq!(home.count("SELECT count(*) FROM tickets"), 2);
    let titles = home.rows("SELECT doc FROM tickets").concat().join(" ");
    assert!(titles.contains("离线创建：会议室投影仪不亮"), "{titles}");
    assert!(titles.contains("\"status\":\"in_progress\""), "{titles}");
    let bodies = home.rows("SELECT state FROM comments").concat().join(" ");
    for body in ["On my way", "Checked the fuser offline", "已到现场"] {
        assert!(bodies.contains(body), "{body} missing: {bodies}");
    }

    // The customer sees both of her requests with the public replies, not the note.
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    carol.sync();
    let mine = carol.exported_tickets();
    assert_eq!(mine.len(), 2);
    let text = serde_json::to_string(&mine).unwrap();
    assert!(text.contains("已到现场") && text.contains("On my way"));
    assert!(
        !text.contains("Checked the fuser"),
        "an internal note reached the customer"
    );
    drop(server);
    assert_integrity(&home.dir.path().join("server.db"));
    assert_integrity(&db);
}
