//! Assignment rules across real processes (issue 13): two agents create 50 tickets each
//! while offline; when they sync, the server gives every one an owner by round-robin in the
//! order the pushes arrive — fair and the same on every run — and least-loaded then fills
//! the available agents up to the capacity cap, passing over an away agent, and leaves the
//! rest in the team's queue.

mod sync_harness;

use std::collections::BTreeMap;

use serde_json::Value;
use sync_harness::*;

#[test]
fn rules_share_offline_tickets_fairly_on_sqlite() {
    routing(Db::Sqlite);
}

#[test]
fn rules_share_offline_tickets_fairly_on_postgres() {
    if let Some(base) = pg_base() {
        routing(Db::Postgres(fresh_pg_db(&base)));
    }
}

const NET: [&str; 3] = [
    "net1@helpdesk.example",
    "net2@helpdesk.example",
    "net3@helpdesk.example",
];

/// Every ticket (number → assignee email or "", team name or "") as `who` holds them.
fn owners(r: &Replica) -> BTreeMap<i64, (String, String)> {
    let list = r.json(&["ticket", "list", "--limit", "1000"]);
    list["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["number"]
                    .as_str()
                    .and_then(|n| n.strip_prefix("HD-"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| -(t["id"].as_str().unwrap().len() as i64) - rand_key(t)),
                (
                    t["assignee"]["email"].as_str().unwrap_or("").to_string(),
                    t["team"].as_str().unwrap_or("").to_string(),
                ),
            )
        })
        .collect()
}

/// Tickets not numbered by the server yet get a distinct negative key.
fn rand_key(t: &Value) -> i64 {
    t["id"]
        .as_str()
        .unwrap()
        .bytes()
        .fold(0i64, |h, b| h.wrapping_mul(31).wrapping_add(b as i64))
        .abs()
}

fn tally(owners: &BTreeMap<i64, (String, String)>) -> BTreeMap<String, usize> {
    let mut t = BTreeMap::new();
    for (a, _) in owners.values() {
        *t.entry(a.clone()).or_insert(0) += 1;
    }
    t
}

fn routing(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("lead@helpdesk.example", "Lead", "admin", None);
    home.add_user("ann@helpdesk.example", "Ann", "agent", None);
    home.add_user("ben@helpdesk.example", "Ben", "agent", None);
    for (i, email) in NET.iter().enumerate() {
        home.add_user(email, &format!("Net {}", i + 1), "agent", None);
    }
    let server = home.start();
    let lead = Replica::login(&session, &server.url, "lead@helpdesk.example");
    for email in NET {
        lead.ok(&["people", "update", email, "--team", "Network"]);
    }
    // A rule naming a team that does not exist is refused, saying which teams there are.
    let bad = lead.run(&[
        "rule",
        "add",
        "--name",
        "x",
        "--assign",
        "round-robin:Netwrok",
    ]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("teams: Network"),
        "{bad:?}"
    );
    lead.ok(&[
        "rule",
        "add",
        "--name",
        "VPN to network",
        "--when",
        "keyword=vpn",
        "--assign",
        "round-robin:Network",
    ]);
    let listed = lead.ok(&["rule", "list"]);
    assert!(
        listed.contains("1. VPN to network: keyword=vpn → round-robin:Network"),
        "{listed}"
    );

    // Ann and Ben sign in, then work offline: 50 tickets each, nobody assigned.
    let ann = Replica::login(&session, &server.url, "ann@helpdesk.example");
    let ben = Replica::login(&session, &server.url, "ben@helpdesk.example");
    for i in 0..50 {
        ann.ok(&[
            "ticket",
            "create",
            "--title",
            &format!("VPN drops at site A{i}"),
        ]);
        ben.ok(&[
            "ticket",
            "create",
            "--title",
            &format!("VPN slow at site B{i}"),
        ]);
    }
    ben.ok(&["ticket", "create", "--title", "Printer jams"]);
    let offline = owners(&ann);
    assert_eq!(offline.len(), 50);
    assert!(offline.values().all(|(a, t)| a.is_empty() && t.is_empty()));
    ann.sync();
    ben.sync();
    ann.sync();

    // Round-robin in the order the server saw them: Ann's 50, then Ben's, turn by turn.
    let got = owners(&ann);
    assert_eq!(got.len(), 101);
    let mut vpn = got.clone();
    let printer = vpn.remove(&101).unwrap();
    for (n, (assignee, team)) in &vpn {
        assert_eq!(assignee, NET[((n - 1) % 3) as usize], "HD-{n}");
        assert_eq!(team, "Network", "HD-{n}");
    }
    let fair = tally(&vpn);
    println!("round-robin of 100 offline tickets: {fair:?}");
    assert_eq!(fair.values().copied().collect::<Vec<_>>(), vec![34, 33, 33]);
    // No rule matches the printer: it stays unowned, and `rule test` says why.
    assert_eq!(printer, (String::new(), String::new()));
    let why = ben.ok(&["rule", "test", "HD-101"]);
    assert!(why.contains("keyword is not vpn"), "{why}");
    assert!(why.contains("unowned"), "{why}");
    // Every replica has the same owners, and the history says who decided.
    ben.sync();
    assert_eq!(owners(&ben), got);
    let one = ann.json(&["ticket", "show", "HD-7"]);
    assert!(
        one["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| { e["field"] == "assignee_id" && e["actor"]["name"] == "Helpdeck" }),
        "{}",
        one["events"]
    );

    // Least-loaded with a cap of 40: net3 is away, so net1 and net2 fill up to 40 each;
    // what is left waits in the Network queue.
    lead.ok(&["rule", "remove", "VPN to network"]);
    lead.ok(&[
        "rule",
        "add",
        "--name",
        "VPN least loaded",
        "--when",
        "keyword=vpn",
        "--assign",
        "least-loaded:Network",
        "--capacity",
        "40",
    ]);
    // Availability is the agent's own to set.
    let net3 = Replica::login(&session, &server.url, NET[2]);
    net3.ok(&["people", "update", NET[2], "--away"]);
    let forbidden = net3.run(&["people", "update", NET[1], "--away"]);
    assert!(!forbidden.status.success(), "{forbidden:?}");
    for i in 0..20 {
        ann.ok(&["ticket", "create", "--title", &format!("VPN again C{i}")]);
    }
    let why = ann.ok(&["rule", "test", "HD-5"]);
    assert!(why.contains("least loaded of Network"), "{why}");
    ann.sync();
    let after = owners(&ann);
    let t = tally(&after);
    println!("after least-loaded of 20 more (cap 40, net3 away): {t:?}");
    assert_eq!(t[NET[0]], 40);
    assert_eq!(t[NET[1]], 40);
    assert_eq!(t[NET[2]], 33, "an away agent gets nothing new");
    let queued: Vec<_> = after
        .iter()
        .filter(|(n, (a, team))| **n > 101 && a.is_empty() && team == "Network")
        .collect();
    assert_eq!(queued.len(), 7, "{after:?}");
    let why = ann.ok(&["rule", "test", "HD-121"]);
    assert!(
        why.contains("no agent of Network is available under 40 open tickets"),
        "{why}"
    );

    // Agents' replicas hold the rules; customers never receive them (they name agents and
    // how work is shared out).
    let rules: Value = ann.json(&["workspace", "show"]);
    assert!(rules.to_string().contains("VPN least loaded"), "{rules}");
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    carol.sync();
    let theirs: Value = carol.json(&["workspace", "show"]);
    assert!(!theirs.to_string().contains("VPN"), "{theirs}");
}

/// An admin shares a view with one team: its agents' replicas list it with its count after a
/// sync (offline too), another agent's do not, and a customer never receives it.
#[test]
fn a_shared_view_reaches_its_team() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("lead@helpdesk.example", "Lead", "admin", None);
    home.add_user("net1@helpdesk.example", "Net 1", "agent", None);
    home.add_user("ann@helpdesk.example", "Ann", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let server = home.start();
    let lead = Replica::login(&session, &server.url, "lead@helpdesk.example");
    lead.ok(&[
        "people",
        "update",
        "net1@helpdesk.example",
        "--team",
        "Network",
    ]);
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    for (title, priority) in [("VPN down", "P1"), ("VPN slow", "P3"), ("WiFi down", "P1")] {
        carol.ok(&["ticket", "create", "--title", title, "--priority", priority]);
    }
    carol.sync();
    // An agent cannot share; an admin can, with a team that exists.
    let ann = Replica::login(&session, &server.url, "ann@helpdesk.example");
    let refused = ann.run(&["view", "save", "All P1", "--priority", "P1", "--shared"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only admins"));
    let bad = lead.run(&["view", "save", "x", "--team", "Netwrok"]);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("teams: Network"),
        "{bad:?}"
    );
    lead.ok(&[
        "view",
        "save",
        "Network P1",
        "--priority",
        "P1",
        "--team",
        "Network",
    ]);
    let net1 = Replica::login(&session, &server.url, "net1@helpdesk.example");
    net1.sync();
    let views = net1.json(&["view", "list"]);
    assert_eq!(views["views"][0]["name"], "Network P1", "{views}");
    assert_eq!(views["views"][0]["count"], 2);
    assert_eq!(views["views"][0]["shared"], true);
    assert_eq!(
        net1.json(&["ticket", "list", "--view", "network p1"])["total"],
        2
    );
    ann.sync();
    assert!(
        ann.json(&["view", "list"])["views"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    carol.sync();
    assert!(
        !carol
            .ok(&["--json", "workspace", "show"])
            .contains("Network P1")
    );
    // The admin stops sharing it: gone from the team's list with the next sync.
    lead.ok(&["view", "delete", "Network P1"]);
    net1.sync();
    assert!(
        net1.json(&["view", "list"])["views"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
