//! Workspace rules are the server's: an admin changes the SLA policy on the server and every
//! replica times its tickets by it after its next sync; a replica cannot change it locally.

mod sync_harness;

use serde_json::Value;
use sync_harness::*;

fn p1_first_response(policy: &Value) -> i64 {
    policy["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["priority"] == "P1")
        .unwrap()["first_response"]["minutes"]
        .as_i64()
        .unwrap()
}

#[test]
fn the_servers_sla_policy_reaches_every_replica_on_sqlite() {
    sla_policy(Db::Sqlite);
}

#[test]
fn the_servers_sla_policy_reaches_every_replica_on_postgres() {
    if let Some(base) = pg_base() {
        sla_policy(Db::Postgres(fresh_pg_db(&base)));
    }
}

fn sla_policy(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    alice.ok(&[
        "ticket",
        "create",
        "--title",
        "Core switch down",
        "--priority",
        "P1",
    ]);
    alice.sync();
    assert_eq!(
        p1_first_response(&alice.json(&["sla", "policy", "show"])),
        30
    );

    // The replica cannot set it: the message says where it is set.
    let out = alice.run(&[
        "sla",
        "policy",
        "set",
        "--priority",
        "P1",
        "--first-response",
        "15m",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("helpdeck server sla set"), "{err}");

    // A bad change on the server is refused with what is allowed; a good one is kept.
    assert!(!home.admin(&["sla", "set", "--priority", "P1", "--first-response", "0m"]));
    assert!(home.admin(&["sla", "set", "--priority", "P1", "--first-response", "15m"]));

    alice.sync();
    assert_eq!(
        p1_first_response(&alice.json(&["sla", "policy", "show"])),
        15
    );
    // The open ticket is timed by the new target: due 15 minutes after it was created.
    let t = alice.json(&["ticket", "show", "HD-1"]);
    let created: jiff::Timestamp = t["created_at"].as_str().unwrap().parse().unwrap();
    let due: jiff::Timestamp = t["sla"]["first_response"]["due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        due.duration_since(created).as_secs(),
        15 * 60,
        "{}",
        t["sla"]
    );
    // And so is a replica that signs in afterwards (a staff page cached before the change
    // is not served with the old rules).
    let bob_home = Replica::login(&session, &server.url, "alice@helpdesk.example");
    bob_home.sync();
    assert_eq!(
        p1_first_response(&bob_home.json(&["sla", "policy", "show"])),
        15
    );
}
