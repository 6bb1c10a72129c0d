//! The one rule engine against real `helpdeck server` processes: what probing the server as
//! a customer, an org admin and an agent found it let through is refused — each with a
//! check that nothing changed — and server jobs (auto-close) run exactly once, also with
//! two server processes on one PostgreSQL.

mod sync_harness;

use helpdeck_core::Timestamp;
use helpdeck_core::op::Entity;
use jiff::SignedDuration;
use serde_json::{Value, json};
use sync_harness::*;
use uuid::Uuid;

fn doc(home: &ServerHome, id: Uuid) -> Value {
    let rows = home.rows(&format!("SELECT doc FROM tickets WHERE id = '{id}'"));
    serde_json::from_str(&rows[0][0]).unwrap()
}

fn tickets_state(home: &ServerHome) -> Vec<Vec<String>> {
    home.rows("SELECT id, number, requester_id, organization_id, doc, server_seq, public_seq FROM tickets ORDER BY id")
}

async fn pull(d: &Device, cursor: i64) -> Value {
    d.get(&format!("/sync/pull?cursor={cursor}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probed_holes_are_refused_on_sqlite() {
    probed_holes(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probed_holes_are_refused_on_postgres() {
    if let Some(base) = pg_base() {
        probed_holes(Db::Postgres(fresh_pg_db(&base))).await;
    }
}

async fn probed_holes(backend: Db) {
    let home = ServerHome::new(backend);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    home.add_user("olga@acme.example", "Olga", "customer", Some("Acme"));
    home.add_user("dave@globex.example", "Dave", "customer", Some("Globex"));
    let olga_id = home.rows("SELECT id FROM users WHERE email = 'olga@acme.example'")[0][0].clone();
    let dave_id =
        home.rows("SELECT id FROM users WHERE email = 'dave@globex.example'")[0][0].clone();
    // Olga is her organization's admin.
    assert!(home.admin(&[
        "user",
        "update",
        "--email",
        "olga@acme.example",
        "--org-admin",
        "true"
    ]));
    let server = home.start();
    let url = server.url.clone();
    let alice = sign_in(&url, "alice@helpdesk.example").await;
    let carol = sign_in(&url, "carol@acme.example").await;
    let olga = sign_in(&url, "olga@acme.example").await;

    // An org admin files for someone of another organization: refused.
    let (_, op) = olga.new_ticket_with(json!({"title": "For Dave", "requester_id": dave_id}));
    let before = tickets_state(&home);
    assert_rejected(&olga.push(&[op]).await[0], "organization");
    assert_eq!(tickets_state(&home), before);
    // … for someone of hers: filed in her organization.
    let (ours, op) =
        olga.new_ticket_with(json!({"title": "For a colleague", "requester_id": olga_id}));
    assert_eq!(olga.push(&[op]).await[0]["status"], "applied");
    let acme = home.rows("SELECT id FROM organizations WHERE name = 'Acme'")[0][0].clone();
    assert_eq!(doc(&home, ours)["ticket"]["organization_id"], json!(acme));

    // A customer's create keeps nothing agent-only, no markup category, no 1 MiB site or
    // 5,000 tags.
    let before = tickets_state(&home);
    for (draft, needle) in [
        (json!({"title": "t", "tier": "L3"}), "tier"),
        (json!({"title": "t", "asset_id": Uuid::now_v7()}), "asset"),
        (
            json!({"title": "t", "category": "<b>vip</b>"}),
            "unknown category",
        ),
        (json!({"title": "t", "site": "x".repeat(1 << 20)}), "site"),
        (
            json!({"title": "t", "tags": (0..5000).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
            "tags",
        ),
    ] {
        let (_, op) = carol.new_ticket_with(draft);
        assert_rejected(&carol.push(&[op]).await[0], needle);
    }
    // Agents: a description over 256 KiB, a category outside the list, resolving bare.
    let (_, op) =
        alice.new_ticket_with(json!({"title": "t", "description": "x".repeat(256 * 1024 + 1)}));
    assert_rejected(&alice.push(&[op]).await[0], "bytes long");
    let (_, op) = alice.new_ticket_with(json!({"title": "t", "category": "printers"}));
    assert_rejected(&alice.push(&[op]).await[0], "unknown category");
    assert_eq!(tickets_state(&home), before);

    // A ticket created "in 2001" is not: its creation is bounded by the server's clock.
    let (old, op) = carol.new_ticket("Backdated");
    let mut op = op;
    op["at"] = json!("2001-01-01T00:00:00Z");
    assert_eq!(carol.push(&[op]).await[0]["status"], "applied");
    let created: Timestamp = doc(&home, old)["ticket"]["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        created > Timestamp::now() - SignedDuration::from_hours(31 * 24),
        "{created}"
    );

    // Alice resolves it without a resolution: refused; with one: done.
    let before = tickets_state(&home);
    let acks = alice
        .push(&[alice.transition(old, "new", "resolved", None)])
        .await;
    assert_rejected(&acks[0], "cause and a solution");
    // updated_at is the server's: an op that sets it does not even parse.
    let r = alice
        .post("/sync/push")
        .json(&json!({"ops": [alice.set(old, json!({"updated_at": "9999-01-01T00:00:00Z"}))]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(tickets_state(&home), before);
    let resolve = alice.op(
        Entity::Ticket,
        old,
        json!({"action": "resolve", "cause": "Worn roller", "solution": "Replaced it"}),
    );
    assert_eq!(alice.push(&[resolve]).await[0]["status"], "applied");

    // CSAT: only the requester, 1..5, a short comment, once.
    let rate = |d: &Device, score: i64, comment: &str| {
        d.op(
            Entity::Ticket,
            old,
            json!({"action": "rate", "score": score, "comment": comment}),
        )
    };
    let before = tickets_state(&home);
    let acks = alice.push(&[rate(&alice, 5, "great")]).await;
    assert_rejected(&acks[0], "only the requester");
    let acks = olga.push(&[rate(&olga, 5, "great")]).await;
    assert_rejected(&acks[0], "only the requester");
    let acks = carol
        .push(&[
            rate(&carol, 0, "meh"),
            rate(&carol, 3, &"x".repeat(100 * 1024)),
        ])
        .await;
    assert_rejected(&acks[0], "out of range");
    assert_rejected(&acks[1], "characters long");
    assert_eq!(tickets_state(&home), before);
    assert_eq!(
        carol.push(&[rate(&carol, 4, "quick")]).await[0]["status"],
        "applied"
    );
    let before = tickets_state(&home);
    assert_rejected(
        &carol.push(&[rate(&carol, 1, "again")]).await[0],
        "already been rated",
    );
    assert_eq!(tickets_state(&home), before);

    // A customer cannot reopen a ticket closed as spam (never resolved), and cannot reopen
    // past the window by backdating `at`: windows are measured by the server's clock.
    let (spam, op) = carol.new_ticket("Spam?");
    assert_eq!(carol.push(&[op]).await[0]["status"], "applied");
    let close = alice.transition(spam, "new", "closed", Some("spam"));
    assert_eq!(alice.push(&[close]).await[0]["status"], "applied");
    let before = tickets_state(&home);
    assert_rejected(
        &carol
            .push(&[carol.transition(spam, "closed", "open", None)])
            .await[0],
        "cannot be reopened by its requester",
    );
    assert_eq!(tickets_state(&home), before);

    // A refused op moves nothing in anyone's stream, and the pusher gets the server's state
    // back as a correction; another organization's ticket answers like a missing one.
    let seq_before = home.rows("SELECT last_seq FROM server_meta")[0][0].clone();
    let resp: Value = carol
        .post("/sync/push")
        .json(&json!({"ops": [carol.set(old, json!({"priority": "P1"}))]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resp["acks"][0]["status"], "rejected");
    assert_eq!(resp["acks"][0]["code"], "forbidden");
    assert_eq!(resp["corrections"][0]["ticket"]["id"], json!(old));
    assert_eq!(
        home.rows("SELECT last_seq FROM server_meta")[0][0],
        seq_before
    );
    let dave = sign_in(&url, "dave@globex.example").await;
    let hidden = dave.push(&[dave.set(old, json!({"title": "x"}))]).await;
    let missing_id = Uuid::now_v7();
    let missing = dave
        .push(&[dave.set(missing_id, json!({"title": "x"}))])
        .await;
    assert_eq!(hidden[0]["code"], missing[0]["code"]);
    assert_eq!(
        hidden[0]["error"]
            .as_str()
            .unwrap()
            .replace(&old.to_string(), "ID"),
        missing[0]["error"]
            .as_str()
            .unwrap()
            .replace(&missing_id.to_string(), "ID"),
    );

    // An internal note does not re-send the ticket to its customer.
    let cursor = pull(&carol, 0).await["next_cursor"].as_i64().unwrap();
    let acks = alice
        .push(&[alice.comment(old, "internal", "Internal: check the fuser")])
        .await;
    assert_eq!(acks[0]["status"], "applied");
    let page = pull(&carol, cursor).await;
    assert!(page["tickets"].as_array().unwrap().is_empty(), "{page}");
    let acks = alice
        .push(&[alice.comment(old, "public", "All done")])
        .await;
    assert_eq!(acks[0]["status"], "applied");
    let page = pull(&carol, cursor).await;
    assert_eq!(page["tickets"].as_array().unwrap().len(), 1, "{page}");
    assert!(!page.to_string().contains("Internal:"));

    // Op ids are a device's own: the same id from another device is a conflict, and does
    // not block that device's op.
    let mine = carol.set(ours, json!({"title": "mine"}));
    let mut theirs = olga.set(ours, json!({"title": "Printer on floor 2"}));
    theirs["op_id"] = mine["op_id"].clone();
    let acks = carol.push(&[mine]).await;
    assert_eq!(acks[0]["status"], "rejected"); // customers do not edit titles
    let acks = olga.push(&[theirs]).await;
    assert_eq!(acks[0]["code"], "conflict", "{acks:?}");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_close_runs_once_on_sqlite() {
    auto_close(Db::Sqlite, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_close_runs_exactly_once_with_two_servers_on_postgres() {
    if let Some(base) = pg_base() {
        auto_close(Db::Postgres(fresh_pg_db(&base)), true).await;
    }
}

/// Tickets filed five days ago and resolved four days ago (offline work: the op times are in
/// the past, within the bound) close by themselves; with two server processes each is
/// closed once, by "Helpdeck".
async fn auto_close(backend: Db, two_servers: bool) {
    let home = ServerHome::new(backend);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let first = home.start();
    let second = two_servers.then(|| home.start());
    let alice = sign_in(&first.url, "alice@helpdesk.example").await;
    let carol = sign_in(&first.url, "carol@acme.example").await;
    let four_days_ago = Timestamp::now() - SignedDuration::from_hours(4 * 24);
    let mut ids = Vec::new();
    let mut ops = Vec::new();
    for i in 0..20 {
        let (id, mut create) = carol.new_ticket(&format!("Printer {i}"));
        create["at"] = json!(four_days_ago - SignedDuration::from_hours(24));
        assert_eq!(carol.push(&[create]).await[0]["status"], "applied");
        ids.push(id);
        ops.push(alice.op_at(
            Entity::Ticket,
            id,
            json!({"action": "resolve", "cause": "Paper", "solution": "Cleared it"}),
            four_days_ago + SignedDuration::from_secs(i),
        ));
    }
    // One stays fresh: resolved now, it must stay resolved.
    let (fresh, create) = carol.new_ticket("Fresh");
    assert_eq!(carol.push(&[create]).await[0]["status"], "applied");
    ops.push(alice.op(
        Entity::Ticket,
        fresh,
        json!({"action": "resolve", "cause": "Paper", "solution": "Cleared it"}),
    ));
    let acks = alice.push(&ops).await;
    assert!(acks.iter().all(|a| a["status"] == "applied"), "{acks:?}");
    wait_for(std::time::Duration::from_secs(30), "auto-close", || {
        let open = ids
            .iter()
            .filter(|id| doc(&home, **id)["ticket"]["status"] != "closed")
            .count();
        (open == 0).then_some(())
    });
    // Let both processes run a few more rounds: nothing happens twice.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let system = helpdeck_core::user::SYSTEM_USER_ID.to_string();
    for id in &ids {
        let closes: Vec<Value> = home
            .rows(&format!(
                "SELECT state FROM events WHERE ticket_id = '{id}'"
            ))
            .into_iter()
            .map(|r| serde_json::from_str::<Value>(&r[0]).unwrap())
            .filter(|e| e["field"] == "status" && e["new_value"] == "closed")
            .collect();
        assert_eq!(closes.len(), 1, "ticket {id} closed {} times", closes.len());
        assert_eq!(closes[0]["actor_id"], json!(system));
    }
    assert_eq!(doc(&home, fresh)["ticket"]["status"], "resolved");
    // The requester's replica learns it like any change, credited to Helpdeck.
    let page = pull(&carol, 0).await;
    let names: Vec<&str> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["name"].as_str())
        .collect();
    assert!(names.contains(&"Helpdeck"), "{names:?}");
    drop(second);
    drop(first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escalation_rule_fires_once_on_sqlite() {
    escalation_rule(Db::Sqlite, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escalation_rule_fires_exactly_once_with_two_servers_on_postgres() {
    if let Some(base) = pg_base() {
        escalation_rule(Db::Postgres(fresh_pg_db(&base)), true).await;
    }
}

/// Events of a ticket on the server with `field`, as JSON.
fn events_of(home: &ServerHome, id: Uuid, field: &str) -> Vec<Value> {
    home.rows(&format!(
        "SELECT state FROM events WHERE ticket_id = '{id}'"
    ))
    .into_iter()
    .map(|r| serde_json::from_str::<Value>(&r[0]).unwrap())
    .filter(|e| e["field"] == field)
    .collect()
}

/// Tickets filed three days ago that nobody answered have breached their SLA: the rule
/// alerts the lead, moves them up to L2 and hands them to the "Tier 2" team — once each,
/// by "Helpdeck", also with two server processes running the jobs. A fresh ticket is left
/// alone, and customers never see the alert.
async fn escalation_rule(backend: Db, two_servers: bool) {
    let home = ServerHome::new(backend);
    home.add_user("lead@helpdesk.example", "Lead", "admin", None);
    home.add_user("tina@helpdesk.example", "Tina", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let first = home.start();
    let second = two_servers.then(|| home.start());
    let lead = sign_in(&first.url, "lead@helpdesk.example").await;
    let carol = sign_in(&first.url, "carol@acme.example").await;
    let r = lead
        .patch("/admin/people")
        .json(&json!({"email": "tina@helpdesk.example", "team": "Tier 2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rule = |name: &str, reassign: Value| {
        json!({"kind": "add_escalation_rule", "rule": {
            "id": Uuid::now_v7(), "name": name, "on": "breached", "target": "first_response",
            "when": [], "notify": "lead@helpdesk.example", "tier_up": true, "reassign": reassign,
        }})
    };
    // A rule naming a team the workspace lacks is refused, saying which teams there are.
    let r = lead
        .post("/admin/rules")
        .json(&rule("Bad", json!({"kind": "team", "team": "Tier 9"})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("teams: Tier 2"));
    let r = lead
        .post("/admin/rules")
        .json(&rule(
            "Unanswered to tier 2",
            json!({"kind": "team", "team": "Tier 2"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let three_days_ago = Timestamp::now() - SignedDuration::from_hours(3 * 24);
    let mut ids = Vec::new();
    for i in 0..10 {
        let (id, mut create) = carol.new_ticket(&format!("Scanner {i}"));
        create["at"] = json!(three_days_ago);
        assert_eq!(carol.push(&[create]).await[0]["status"], "applied");
        ids.push(id);
    }
    let (fresh, create) = carol.new_ticket("Fresh");
    assert_eq!(carol.push(&[create]).await[0]["status"], "applied");
    wait_for(std::time::Duration::from_secs(30), "escalation", || {
        let waiting = ids
            .iter()
            .filter(|id| doc(&home, **id)["ticket"]["tier"] != "L2")
            .count();
        (waiting == 0).then_some(())
    });
    // Let both processes run more rounds: nothing happens twice.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let system = helpdeck_core::user::SYSTEM_USER_ID.to_string();
    let lead_id =
        home.rows("SELECT id FROM users WHERE email = 'lead@helpdesk.example'")[0][0].clone();
    let team_id = home.rows("SELECT id FROM teams WHERE name = 'Tier 2'")[0][0].clone();
    for id in &ids {
        let alerts = events_of(&home, *id, "sla_alert");
        assert_eq!(
            alerts.len(),
            1,
            "ticket {id} alerted {} times",
            alerts.len()
        );
        assert_eq!(alerts[0]["actor_id"], json!(system));
        let alert: Value = serde_json::from_str(alerts[0]["new_value"].as_str().unwrap()).unwrap();
        assert_eq!(alert["notify"], json!(lead_id));
        assert_eq!(alert["event"], "breached");
        assert_eq!(alert["target"], "first_response");
        assert_eq!(events_of(&home, *id, "escalation").len(), 1);
        assert_eq!(doc(&home, *id)["ticket"]["team_id"], json!(team_id));
    }
    assert_eq!(doc(&home, fresh)["ticket"]["tier"], "L1");
    assert!(events_of(&home, fresh, "sla_alert").is_empty());
    // The requester learns of neither the alert nor the rules.
    let page = pull(&carol, 0).await;
    let text = page.to_string();
    assert!(!text.contains("sla_alert"), "{text}");
    assert!(!text.contains("Unanswered to tier 2"), "{text}");
    assert!(!text.contains("\"escalation\""), "{text}");
    drop(second);
    drop(first);
}
