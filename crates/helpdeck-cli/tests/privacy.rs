//! Personal data (issue 14, PIPL): `server privacy export` gives a customer's data;
//! `server privacy erase` anonymises them on the server and, by sync, on an agent's replica
//! — their texts are nowhere in its database — while ticket statistics stay; a local
//! workspace erases the same way; staff and replicas are refused with a clear error.

mod sync_harness;

use std::process::Command;

use serde_json::Value;
use sync_harness::*;

const SECRET_TITLE: &str = "Lin Mei laptop fan noise at home 13812345678";
const SECRET_REPLY: &str = "I live at 88 Wulumuqi Rd, call 13912345678";
const RATING_NOTE: &str = "Took Lin Mei three days";

/// No table of a replica's (encrypted) database holds any of `needles`.
fn assert_nowhere(db: &std::path::Path, needles: &[&str]) {
    for table in [
        "tickets",
        "comments",
        "events",
        "users",
        "outbox",
        "search_index",
    ] {
        let rows = sqlite_rows(db, &format!("SELECT * FROM {table}"));
        for row in rows {
            for cell in row {
                for n in needles {
                    assert!(!cell.contains(n), "{n:?} is still in {table}: {cell}");
                }
            }
        }
    }
}

#[test]
fn an_erased_customer_is_anonymous_on_the_server_and_every_replica_with_statistics_kept() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("lin.mei@acme.example", "Lin Mei", "customer", Some("Acme"));
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let lin = Replica::login(&session, &server.url, "lin.mei@acme.example");

    let t: Value = lin.json(&[
        "ticket",
        "create",
        "--title",
        SECRET_TITLE,
        "--body",
        "It is loud",
    ]);
    let number = t["number"].as_str().unwrap().to_string();
    lin.ok(&["ticket", "reply", &number, "--body", SECRET_REPLY]);
    lin.sync();
    alice.sync();
    let number = format!(
        "HD-{}",
        alice.ticket_titled(SECRET_TITLE).unwrap()["number"]
            .as_i64()
            .unwrap()
    );
    alice.ok(&[
        "ticket",
        "reply",
        &number,
        "--body",
        "We will replace the fan",
    ]);
    alice.ok(&[
        "ticket",
        "resolve",
        &number,
        "--cause",
        "Dusty fan",
        "--solution",
        "New fan",
    ]);
    alice.sync();
    lin.sync();
    lin.ok(&["ticket", "close", &number]);
    lin.ok(&[
        "ticket",
        "rate",
        &number,
        "--score",
        "2",
        "--comment",
        RATING_NOTE,
    ]);
    lin.sync();
    alice.sync();
    let before: Value = alice.json(&["ticket", "show", &number]);
    assert_eq!(before["title"], SECRET_TITLE);

    // Export: everything about her, from the server.
    let export = home.admin_json(&["privacy", "export", "--email", "lin.mei@acme.example"]);
    assert_eq!(export["person"]["name"], "Lin Mei");
    assert_eq!(export["person"]["organization"], "Acme");
    assert_eq!(export["tickets"][0]["title"], SECRET_TITLE);
    assert_eq!(export["tickets"][0]["satisfaction"]["score"], 2);
    let bodies: Vec<&str> = export["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, vec![SECRET_REPLY]);
    assert_eq!(export["devices"].as_array().unwrap().len(), 1);

    // Staff are not erased; without --yes nothing happens.
    let out = Command::new(bin())
        .arg("--data-dir")
        .arg(home.dir.path())
        .args([
            "server",
            "privacy",
            "erase",
            "--email",
            "alice@helpdesk.example",
            "--yes",
        ])
        .env_remove("HELPDECK_DB")
        .bounded_output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only customers are erased"));
    assert!(!home.admin(&["privacy", "erase", "--email", "lin.mei@acme.example"]));

    let erased = home.admin_json(&[
        "privacy",
        "erase",
        "--email",
        "lin.mei@acme.example",
        "--yes",
    ]);
    assert_eq!(erased["tickets"], 1);
    assert_eq!(erased["comments"], 1);
    let now_known_as = erased["now_known_as"].as_str().unwrap().to_string();

    // The server: her texts are gone, the facts stay.
    let doc = home.rows("SELECT doc FROM tickets")[0][0].clone();
    assert!(
        !doc.contains("Lin Mei") && !doc.contains("13812345678"),
        "{doc}"
    );
    for table in ["comments", "events", "users"] {
        for row in home.rows(&format!("SELECT * FROM {table}")) {
            for cell in row {
                for n in ["Lin Mei", "13812345678", "Wulumuqi", "lin.mei@"] {
                    assert!(!cell.contains(n), "{n} in the server's {table}: {cell}");
                }
            }
        }
    }
    // Her device is signed out.
    let refused = lin.run(&["sync", "--once"]);
    assert!(!refused.status.success());

    // Alice's replica resyncs and holds the erased state only.
    alice.sync();
    alice.sync();
    let after: Value = alice.json(&["ticket", "show", &number]);
    assert_eq!(after["title"], "[erased]");
    assert_eq!(after["status"], before["status"]);
    assert_eq!(after["priority"], before["priority"]);
    assert_eq!(after["created_at"], before["created_at"]);
    assert_eq!(
        after["csat"]["score"], 2,
        "the satisfaction score stays: {after}"
    );
    assert_eq!(after["csat"]["comment"], "[erased]");
    assert!(
        after["requester"].to_string().contains("Erased customer"),
        "{}",
        after["requester"]
    );
    let comments: Vec<String> = after["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap().to_string())
        .collect();
    assert!(comments.contains(&"[erased]".to_string()), "{comments:?}");
    assert!(
        comments.contains(&"We will replace the fan".to_string()),
        "{comments:?}"
    );
    assert_nowhere(
        &alice.db_path(),
        &[
            "Lin Mei",
            "13812345678",
            "Wulumuqi",
            "lin.mei@acme",
            RATING_NOTE,
        ],
    );
    let hits: Value = alice.json(&["search", "Wulumuqi"]);
    assert_eq!(hits["total"], 0, "{hits}");
    // The export now shows the anonymous person only.
    let again = home.admin_json(&["privacy", "export", "--email", &now_known_as]);
    assert_eq!(again["tickets"][0]["title"], "[erased]");
}

#[test]
fn a_local_workspace_erases_a_customer_and_a_replica_refuses_to() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let run = |args: &[&str]| {
        let out = Command::new(bin())
            .arg("--data-dir")
            .arg(&ws)
            .args(args)
            .env_remove("HELPDECK_DATA_DIR")
            .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .bounded_output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    assert!(run(&["init", "--name", "Shop desk"]).0);
    let (ok, _, e) = run(&[
        "ticket",
        "create",
        "--title",
        SECRET_TITLE,
        "--body",
        "身份证 11010519491231002X",
        "--requester",
        "lin.mei@acme.example",
    ]);
    assert!(ok, "{e}");
    assert!(run(&["ticket", "note", "HD-1", "--body", "VIP, handle with care"]).0);
    let (ok, text, _) = run(&["privacy", "export", "--email", "lin.mei@acme.example"]);
    assert!(ok);
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["tickets"][0]["title"], SECRET_TITLE);

    let (ok, _, e) = run(&["privacy", "erase", "--email", "me@helpdeck.local", "--yes"]);
    assert!(!ok && e.contains("only customers are erased"), "{e}");
    let (ok, _, e) = run(&["privacy", "erase", "--email", "lin.mei@acme.example"]);
    assert!(!ok && e.contains("--yes"), "{e}");
    let (ok, _, e) = run(&[
        "privacy",
        "erase",
        "--email",
        "lin.mei@acme.example",
        "--yes",
    ]);
    assert!(ok, "{e}");
    let (_, show, _) = run(&["--json", "ticket", "show", "HD-1"]);
    let t: Value = serde_json::from_str(&show).unwrap();
    assert_eq!(t["title"], "[erased]");
    assert_eq!(t["description"], "[erased]");
    // The agent's own note stays (it is the desk's, not hers).
    assert!(show.contains("VIP, handle with care"));
    assert_nowhere(
        &ws.join("helpdeck.db"),
        &[
            "Lin Mei",
            "13812345678",
            "11010519491231002X",
            "lin.mei@acme",
        ],
    );

    // A replica does not erase by itself.
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let out = alice.run(&["privacy", "erase", "--email", "x@acme.example", "--yes"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("server privacy erase"));
}
