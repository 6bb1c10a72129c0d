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
    home.add_user("root@helpdesk.example", "Rosa", "admin", None);
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
    assert!(err.contains("only admins"), "{err}");

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

#[test]
fn an_admin_changes_the_rules_from_a_replica_on_sqlite() {
    admin_from_replica(Db::Sqlite);
}

#[test]
fn an_admin_changes_the_rules_from_a_replica_on_postgres() {
    if let Some(base) = pg_base() {
        admin_from_replica(Db::Postgres(fresh_pg_db(&base)));
    }
}

/// The app's Workspace screen and `helpdeck workspace set` send one change to the server,
/// which decides it by the same rule as a local workspace; every replica follows.
fn admin_from_replica(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("root@helpdesk.example", "Rosa", "admin", None);
    let server = home.start();
    let admin = Replica::login(&session, &server.url, "root@helpdesk.example");
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");

    // An agent is refused, and nothing changes.
    let out = alice.run(&["workspace", "set", "--categories", "printers"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only admins"));

    // Bad input is refused with what is allowed, and nothing is written.
    let out = admin.run(&["workspace", "set", "--hours", "mon-fri 17:00-09:00"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not after its start"), "{err}");
    let out = admin.run(&["workspace", "set", "--auto-close-days", "0"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("allowed: 1 to 90"));

    let rules = admin.json(&[
        "workspace",
        "set",
        "--categories",
        "hardware,printers,vpn,other",
        "--auto-close-days",
        "5",
        "--timezone",
        "Asia/Shanghai",
        "--hours",
        "mon-fri 09:00-18:00",
        "--holiday",
        "2026-10-01",
    ]);
    assert_eq!(rules["categories"][1], "printers");
    admin.ok(&[
        "sla",
        "policy",
        "set",
        "--priority",
        "P2",
        "--first-response",
        "45m",
    ]);

    // The agent's replica follows after a sync: new categories accepted, calendar and
    // policy in force.
    alice.sync();
    let seen = alice.json(&["workspace", "show"]);
    assert_eq!(seen["categories"], rules["categories"]);
    assert_eq!(seen["auto_close_days"], 5);
    let cal = &seen["sla"]["calendar"];
    assert_eq!(cal["timezone"], "Asia/Shanghai");
    assert_eq!(cal["windows"].as_array().unwrap().len(), 5);
    assert_eq!(cal["windows"][0]["end"], "18:00:00");
    assert_eq!(cal["holidays"][0], "2026-10-01");
    let p2 = alice.json(&["sla", "policy", "show"])["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["priority"] == "P2")
        .unwrap()["first_response"]["minutes"]
        .clone();
    assert_eq!(p2, 45);
    alice.ok(&[
        "ticket",
        "create",
        "--title",
        "Toner empty",
        "--category",
        "printers",
    ]);
    let out = alice.run(&["ticket", "create", "--title", "X", "--category", "plumbing"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("printers"));
}

#[test]
fn an_admin_adds_people_and_teams_from_a_replica_on_sqlite() {
    people_from_replica(Db::Sqlite);
}

#[test]
fn an_admin_adds_people_and_teams_from_a_replica_on_postgres() {
    if let Some(base) = pg_base() {
        people_from_replica(Db::Postgres(fresh_pg_db(&base)));
    }
}

/// The Workspace screen's People tab and `helpdeck people`: the server decides (admins only,
/// the last admin stays one), the new agent signs in with the first password, and every
/// replica can assign tickets to them after its next pull.
fn people_from_replica(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("root@helpdesk.example", "Rosa", "admin", None);
    let server = home.start();
    let admin = Replica::login(&session, &server.url, "root@helpdesk.example");
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    alice.ok(&[
        "ticket",
        "create",
        "--title",
        "Switch flapping",
        "--priority",
        "P2",
    ]);
    alice.sync();

    // An agent may not add people; nothing is added.
    let out = alice.run_with_password(&[
        "people",
        "add",
        "--email",
        "eve@helpdesk.example",
        "--name",
        "Eve",
        "--role",
        "admin",
        "--password-stdin",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only admins"));
    // Bad input names the field and what is allowed.
    let out = admin.run_with_password(&[
        "people",
        "add",
        "--email",
        "cust@client.example",
        "--name",
        "Cust",
        "--role",
        "customer",
        "--team",
        "Network",
        "--password-stdin",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("customers have no team"));

    admin.ok(&["people", "team-add", "Network"]);
    let out = admin.run_with_password(&[
        "--json",
        "people",
        "add",
        "--email",
        "dave@helpdesk.example",
        "--name",
        "Dave Wu",
        "--role",
        "agent",
        "--team",
        "Network",
        "--tier",
        "L2",
        "--password-stdin",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dave: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dave["team"], "Network");
    assert_eq!(dave["tier"], "L2");

    // Dave signs in with the first password.
    let dave_replica = Replica::login(&session, &server.url, "dave@helpdesk.example");
    assert_eq!(dave_replica.user["role"], "agent");

    // Alice's replica knows Dave after its next pull and can assign him.
    alice.sync();
    alice.ok(&[
        "ticket",
        "update",
        "HD-1",
        "--assignee",
        "dave@helpdesk.example",
    ]);
    alice.sync();
    let t = alice.json(&["ticket", "show", "HD-1"]);
    assert_eq!(t["assignee"]["email"], "dave@helpdesk.example", "{t}");
    let listed = admin.json(&["people", "list"]);
    assert!(
        listed["teams"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "Network")
    );

    // The last admin cannot stop being one; promoting Dave first makes it possible.
    let out = admin.run(&[
        "people",
        "update",
        "root@helpdesk.example",
        "--role",
        "agent",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("only admin"));
    admin.ok(&[
        "people",
        "update",
        "dave@helpdesk.example",
        "--role",
        "admin",
    ]);
    admin.ok(&[
        "people",
        "update",
        "root@helpdesk.example",
        "--role",
        "agent",
    ]);
}
