//! Backup and restore (issue 14) with real processes: a workspace backed up while in use and
//! restored on "another computer" (another keyring) after the first one's key is gone; a
//! server on SQLite backed up while it serves, restored into a new file, and served again.

mod sync_harness;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use sync_harness::*;

const PASSPHRASE: &str = "staple-battery-horse-7";

fn helpdeck(session: &Session, dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("HELPDECK_DATA_DIR")
        .env_remove("HELPDECK_DB")
        .env("HELPDECK_BACKUP_PASSPHRASE", PASSPHRASE)
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .bounded_output()
        .unwrap()
}

fn ok(session: &Session, dir: &Path, args: &[&str]) -> String {
    let out = helpdeck(session, dir, args);
    assert!(
        out.status.success(),
        "helpdeck {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(session: &Session, dir: &Path, args: &[&str]) -> String {
    let out = helpdeck(session, dir, args);
    assert!(!out.status.success(), "helpdeck {args:?} should fail");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn a_workspace_restored_on_a_new_laptop_after_its_key_is_gone() {
    let (Some(laptop), Some(new_laptop)) = (Session::with_keyring(), Session::with_keyring())
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    ok(
        &laptop,
        &ws,
        &["init", "--name", "Field kit", "--timezone", "Asia/Shanghai"],
    );
    ok(&laptop, &ws, &["demo", "--tickets", "300", "--seed", "5"]);
    let photo = dir.path().join("meter.txt");
    std::fs::write(&photo, "meter reading 48213 at the Pudong site").unwrap();
    ok(
        &laptop,
        &ws,
        &[
            "ticket",
            "create",
            "--title",
            "Meter replaced",
            "--attach",
            photo.to_str().unwrap(),
        ],
    );
    let file = dir.path().join("field-kit.hdbackup");
    let made: Value = serde_json::from_str(&ok(
        &laptop,
        &ws,
        &["--json", "backup", file.to_str().unwrap()],
    ))
    .unwrap();
    assert_eq!(made["tickets"], 301);
    assert_eq!(made["files"], 1);
    let before = ok(&laptop, &ws, &["export", "--format", "json"]);
    // Never overwrites; a short passphrase is refused.
    let e = fails(&laptop, &ws, &["backup", file.to_str().unwrap()]);
    assert!(e.contains("never overwrites"), "{e}");

    // The laptop is gone: its keyring with it. The data dir copied to the new laptop does
    // not open; the backup restores there with its passphrase.
    let copied = dir.path().join("copied");
    assert!(
        Command::new("cp")
            .args(["-a"])
            .arg(&ws)
            .arg(&copied)
            .status()
            .unwrap()
            .success()
    );
    let e = fails(&new_laptop, &copied, &["ticket", "list"]);
    assert!(e.contains("key is not in this computer's keyring"), "{e}");
    let restored_dir = dir.path().join("restored");
    let wrong = Command::new(bin())
        .arg("--data-dir")
        .arg(&restored_dir)
        .args(["restore", file.to_str().unwrap()])
        .env("HELPDECK_BACKUP_PASSPHRASE", "not-the-passphrase")
        .envs(new_laptop.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .bounded_output()
        .unwrap();
    assert!(!wrong.status.success());
    let e = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("does not open with this passphrase"), "{e}");
    assert!(!restored_dir.join("helpdeck.db").exists());

    let restored: Value = serde_json::from_str(&ok(
        &new_laptop,
        &restored_dir,
        &["--json", "restore", file.to_str().unwrap()],
    ))
    .unwrap();
    assert_eq!(restored["tickets"], 301);
    assert_eq!(
        ok(&new_laptop, &restored_dir, &["export", "--format", "json"]),
        before,
        "every ticket, comment and event came back"
    );
    let t: Value = serde_json::from_str(&ok(
        &new_laptop,
        &restored_dir,
        &["--json", "ticket", "show", "HD-301"],
    ))
    .unwrap();
    let sha = t["attachments"][0]["sha256"].as_str().unwrap().to_string();
    let out = dir.path().join("meter-back.txt");
    ok(
        &new_laptop,
        &restored_dir,
        &["attachment", "get", &sha, "--out", out.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "meter reading 48213 at the Pudong site"
    );
    // Restoring over a workspace is refused.
    let e = fails(
        &new_laptop,
        &restored_dir,
        &["restore", file.to_str().unwrap()],
    );
    assert!(e.contains("already holds a workspace"), "{e}");
    assert_integrity(&restored_dir.join("helpdeck.db"));
}

#[test]
fn a_server_on_sqlite_is_backed_up_while_serving_and_serves_again_from_the_restore() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let note = home.dir.path().join("..").join("invoice.txt");
    std::fs::write(&note, "invoice 2026-118 for the Minhang office").unwrap();
    for i in 0..20 {
        alice.ok(&["ticket", "create", "--title", &format!("Server ticket {i}")]);
    }
    alice.ok(&[
        "ticket",
        "create",
        "--title",
        "With a file",
        "--attach",
        note.to_str().unwrap(),
    ]);
    alice.sync();
    alice.sync();
    assert_eq!(alice.pending(), 0);
    let tickets = home.count("SELECT count(*) FROM tickets");
    assert_eq!(tickets, 21);

    // Online: the server keeps running while the backup is taken.
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("server.hdbackup");
    let made: Value = serde_json::from_str(&ok(
        &session,
        home.dir.path(),
        &["--json", "server", "backup", file.to_str().unwrap()],
    ))
    .unwrap();
    assert_eq!(made["tickets"], 21);
    assert_eq!(made["files"], 1);
    let bytes = std::fs::read(&file).unwrap();
    assert!(!bytes.windows(13).any(|w| w == b"Server ticket"));
    // A workspace restore refuses a server backup, and the other way round.
    let e = fails(
        &session,
        &scratch.path().join("ws"),
        &["restore", file.to_str().unwrap()],
    );
    assert!(e.contains("helpdeck server restore"), "{e}");
    // PostgreSQL servers use pg_dump.
    let e = fails(
        &session,
        home.dir.path(),
        &["server", "backup", "--db", "postgres://h/db", "x.hdbackup"],
    );
    assert!(e.contains("pg_dump"), "{e}");

    // Restored into a new home and served from there: the replica's tickets are all there.
    let new_home = ServerHome::new(Db::Sqlite);
    let restored: Value = serde_json::from_str(&ok(
        &session,
        new_home.dir.path(),
        &["--json", "server", "restore", file.to_str().unwrap()],
    ))
    .unwrap();
    assert_eq!(restored["tickets"], 21);
    assert_eq!(new_home.count("SELECT count(*) FROM tickets"), 21);
    assert_integrity(&new_home.dir.path().join("server.db"));
    drop(server);
    let again = new_home.start();
    let bob = Replica::login(&session, &again.url, "alice@helpdesk.example");
    bob.sync();
    assert_eq!(bob.exported_tickets().len(), 21);
    let number = format!(
        "HD-{}",
        bob.ticket_titled("With a file").unwrap()["number"]
            .as_i64()
            .unwrap()
    );
    let t: Value = bob.json(&["ticket", "show", &number]);
    let sha = t["attachments"][0]["sha256"].as_str().unwrap().to_string();
    bob.sync();
    let out = scratch.path().join("invoice-back.txt");
    bob.ok(&["attachment", "get", &sha, "--out", out.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        "invoice 2026-118 for the Minhang office"
    );
}
