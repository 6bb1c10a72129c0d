//! Bad input against a real `helpdeck server` process: every malformed, oversized, badly
//! versioned, unauthenticated or forbidden request gets a clear 4xx (or, for a refused op
//! in a good push, a `rejected` ack with a clear error) and changes nothing — the server's
//! tickets, comments, history and users are compared before and after each request.

mod sync_harness;

use helpdeck_core::Timestamp;
use helpdeck_core::op::{Entity, OP_SCHEMA_VERSION};
use helpdeck_core::sync::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sync_harness::*;
use uuid::Uuid;

/// What the server holds, without the bookkeeping that a refused op may move
/// (`server_seq`, the applied-ops log): tickets with their per-field clocks, comments,
/// history, users, devices' owners and the ticket counter.
fn server_state(home: &ServerHome) -> Vec<Vec<Vec<String>>> {
    [
        "SELECT id, number, requester_id, organization_id, doc FROM tickets ORDER BY id",
        "SELECT id, ticket_id, state FROM comments ORDER BY id",
        "SELECT id, ticket_id, state FROM events ORDER BY id",
        "SELECT id, email, role, organization_id, epoch FROM users ORDER BY id",
        "SELECT last_number FROM server_meta",
    ]
    .iter()
    .map(|q| home.rows(q))
    .collect()
}

/// Asserts a 4xx answer with the protocol header and a `{code, message}` body whose
/// message contains `needle`; returns the message.
async fn refused(resp: reqwest::Response, status: StatusCode, needle: &str) -> String {
    assert_eq!(resp.status(), status);
    assert_eq!(
        resp.headers()
            .get(PROTOCOL_HEADER)
            .and_then(|v| v.to_str().ok()),
        Some(PROTOCOL_VERSION.to_string().as_str())
    );
    let body: Value = resp.json().await.unwrap();
    let message = body["message"].as_str().unwrap().to_string();
    assert!(body["code"].is_string(), "{body}");
    assert!(
        message.to_lowercase().contains(&needle.to_lowercase()),
        "message {message:?} should mention {needle:?}"
    );
    message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_changes_nothing_on_sqlite() {
    bad_input(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_changes_nothing_on_postgres() {
    if let Some(base) = pg_base() {
        bad_input(Db::Postgres(fresh_pg_db(&base))).await;
    }
}

async fn bad_input(backend: Db) {
    let home = ServerHome::new(backend);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    home.add_user("dave@globex.example", "Dave", "customer", Some("Globex"));
    let server = home.start();
    let url = server.url.clone();
    let alice = sign_in(&url, "alice@helpdesk.example").await;
    let carol = sign_in(&url, "carol@acme.example").await;
    let dave = sign_in(&url, "dave@globex.example").await;

    // Some real state: a ticket of each customer, an internal note and a reply by Alice.
    let (carols, create_c) = carol.new_ticket("Printer jams");
    let (daves, create_d) = dave.new_ticket("VPN drops");
    for (who, op) in [(&carol, create_c), (&dave, create_d)] {
        let acks = who.push(&[op]).await;
        assert_eq!(acks[0]["status"], "applied", "{acks:?}");
    }
    let acks = alice
        .push(&[
            alice.comment(carols, "internal", "Internal: check the fuser"),
            alice.comment(carols, "public", "On my way"),
        ])
        .await;
    assert!(acks.iter().all(|a| a["status"] == "applied"), "{acks:?}");
    let state = server_state(&home);
    assert_eq!(state[0].len(), 2);
    assert_eq!(state[1].len(), 2);

    // Malformed JSON, a wrong shape, an unknown entity kind.
    let r = alice
        .post("/sync/push")
        .header("content-type", "application/json")
        .body("{\"ops\": [")
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::BAD_REQUEST, "malformed").await;
    let r = alice
        .post("/sync/push")
        .json(&json!({"ops": [{"op_id": "not-a-uuid"}]}))
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::BAD_REQUEST, "malformed").await;
    let mut widget = alice.set(carols, json!({"priority": "P1"}));
    widget["entity"] = json!("widget");
    let r = alice
        .post("/sync/push")
        .json(&json!({ "ops": [widget] }))
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::BAD_REQUEST, "malformed").await;
    assert_eq!(server_state(&home), state);

    // Oversized body: one byte over the 8 MiB limit. (Exactly one: the server reads the
    // whole body to find it too large, so it closes no connection with unread bytes, which
    // could reset the connection before the client reads the answer.)
    let limit = 8 * 1024 * 1024;
    let mut big = String::from("{\"ops\": [], \"pad\": \"");
    big.push_str(&"x".repeat(limit + 1 - big.len() - 2));
    big.push_str("\"}");
    assert_eq!(big.len(), limit + 1);
    let r = alice
        .post("/sync/push")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::BAD_REQUEST, "too large").await;
    assert_eq!(server_state(&home), state);

    // Protocol header: another version, or none on a sync route.
    let op = alice.set(carols, json!({"priority": "P1"}));
    let r = alice
        .http
        .post(format!("{url}/sync/push"))
        .header(PROTOCOL_HEADER, "99")
        .bearer_auth(&alice.token)
        .json(&json!({ "ops": [op.clone()] }))
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::BAD_REQUEST, "unsupported protocol version").await;
    let r = alice
        .http
        .post(format!("{url}/sync/push"))
        .bearer_auth(&alice.token)
        .json(&json!({ "ops": [op.clone()] }))
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::BAD_REQUEST, "missing helpdeck-protocol").await;
    assert_eq!(server_state(&home), state);

    // Tokens: missing, malformed header, unknown, revoked.
    let push = |token: Option<&str>| {
        let mut r = alice
            .http
            .post(format!("{url}/sync/push"))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(&json!({ "ops": [op.clone()] }));
        if let Some(t) = token {
            r = r.header("authorization", t);
        }
        r.send()
    };
    refused(
        push(None).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "missing bearer token",
    )
    .await;
    refused(
        push(Some("Basic abc")).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "Bearer",
    )
    .await;
    refused(
        push(Some("Bearer hdk_0000")).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unknown token",
    )
    .await;
    let second = sign_in(&url, "alice@helpdesk.example").await;
    let r = second.post("/auth/logout").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let stale = format!("Bearer {}", second.token);
    refused(
        push(Some(&stale)).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "revoked",
    )
    .await;
    let r = second.get("/sync/pull?cursor=0").send().await.unwrap();
    refused(r, StatusCode::UNAUTHORIZED, "revoked").await;
    assert_eq!(server_state(&home), state);

    // Forbidden ops: each acknowledged as rejected with its reason; nothing applied.
    let acks = carol
        .push(&[
            carol.set(carols, json!({"priority": "P1"})),
            carol.comment(carols, "internal", "customer's secret note"),
            carol.comment(daves, "public", "hello from another org"),
            carol.set(daves, json!({"title": "taken over"})),
            carol.transition(daves, "new", "closed", Some("spam")),
        ])
        .await;
    assert_rejected(&acks[0], "customers cannot change priority");
    assert_rejected(&acks[1], "customers cannot write internal notes");
    // Another organization's ticket answers exactly like a missing one.
    assert_rejected(&acks[2], &format!("no ticket {daves}"));
    assert_rejected(&acks[3], &format!("no ticket {daves}"));
    assert_rejected(&acks[4], &format!("no ticket {daves}"));
    // An op signed as someone else, or from another device.
    let mut forged = carol.set(carols, json!({"title": "forged"}));
    forged["actor_id"] = json!(alice.user_id);
    let mut other_device = carol.set(carols, json!({"title": "other device"}));
    other_device["device_id"] = json!(dave.device_id);
    let acks = carol.push(&[forged, other_device]).await;
    assert_rejected(&acks[0], "another user");
    assert_rejected(&acks[1], "another device");
    assert_eq!(server_state(&home), state);

    // Unknown entities: a kind clients do not sync, a ticket that does not exist, and an op
    // schema from the future.
    let mut future_schema = alice.set(carols, json!({"priority": "P2"}));
    future_schema["schema_version"] = json!(OP_SCHEMA_VERSION + 1);
    let acks = alice
        .push(&[
            alice.op(
                Entity::User,
                alice.user_id,
                json!({"action": "update_ticket", "priority": "P1"}),
            ),
            alice.set(Uuid::now_v7(), json!({"priority": "P1"})),
            alice.comment(Uuid::now_v7(), "public", "to nowhere"),
            future_schema,
        ])
        .await;
    assert_rejected(&acks[0], "not synced by clients");
    assert_rejected(&acks[1], "no ticket");
    assert_rejected(&acks[2], "no ticket");
    assert_rejected(&acks[3], "schema version");
    assert_eq!(server_state(&home), state);
    // Typed ops: a field that does not exist, a field only the server sets, an action that
    // does not exist — the push is malformed and nothing of it is applied.
    for change in [
        json!({"action": "update_ticket", "owner": "me"}),
        json!({"action": "update_ticket", "updated_at": "9999-01-01T00:00:00Z"}),
        json!({"action": "update_ticket", "number": 1}),
        json!({"action": "promote_user", "role": "admin"}),
    ] {
        let r = alice
            .post("/sync/push")
            .json(&json!({ "ops": [alice.op(Entity::Ticket, carols, change)] }))
            .send()
            .await
            .unwrap();
        refused(r, StatusCode::BAD_REQUEST, "malformed").await;
    }
    assert_eq!(server_state(&home), state);

    // Too many ops in one push.
    let many: Vec<Value> = (0..1001)
        .map(|_| alice.set(carols, json!({"priority": "P2"})))
        .collect();
    let r = alice
        .post("/sync/push")
        .json(&json!({ "ops": many }))
        .send()
        .await
        .unwrap();
    refused(r, StatusCode::BAD_REQUEST, "at most 1000").await;
    assert_eq!(server_state(&home), state);

    // Pull: negative cursor, bad query values.
    for (query, needle) in [
        ("cursor=-1", "negative"),
        ("cursor=abc", "bad query"),
        ("cursor=0&wait=-5", "bad query"),
        ("cursor=0&limit=lots", "bad query"),
    ] {
        let r = carol
            .get(&format!("/sync/pull?{query}"))
            .send()
            .await
            .unwrap();
        refused(r, StatusCode::BAD_REQUEST, needle).await;
    }
    assert_eq!(server_state(&home), state);

    // A replayed push: the same op ids answer `duplicate` and apply nothing again, also
    // when one push carries an op twice.
    let first = alice.set(carols, json!({"priority": "P2"}));
    let note = alice.comment(daves, "internal", "Internal: once only");
    let acks = alice.push(&[first.clone(), note.clone()]).await;
    assert!(acks.iter().all(|a| a["status"] == "applied"), "{acks:?}");
    let state = server_state(&home);
    let acks = alice
        .push(&[first.clone(), note.clone(), note.clone()])
        .await;
    assert!(acks.iter().all(|a| a["status"] == "duplicate"), "{acks:?}");
    assert_eq!(server_state(&home), state);
    let notes = home.count("SELECT count(*) FROM comments WHERE state LIKE '%once only%'");
    assert_eq!(notes, 1);

    // A far-future clock is clamped (I7): it cannot win later writes.
    let year = Timestamp::now() + jiff::SignedDuration::from_hours(24 * 365);
    let future = alice.op_at(
        Entity::Ticket,
        carols,
        json!({"action": "update_ticket", "priority": "P4"}),
        year,
    );
    let acks = alice.push(&[future]).await;
    assert_eq!(acks[0]["status"], "applied", "{acks:?}");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let acks = alice
        .push(&[alice.set(carols, json!({"priority": "P1"}))])
        .await;
    assert_eq!(acks[0]["status"], "applied", "{acks:?}");
    let doc: Value = serde_json::from_str(
        &home.rows(&format!("SELECT doc FROM tickets WHERE id = '{carols}'"))[0][0],
    )
    .unwrap();
    assert_eq!(
        doc["ticket"]["priority"], "P1",
        "the later write wins: {doc}"
    );
    let bound = Timestamp::now() + jiff::SignedDuration::from_secs(120);
    for row in home.rows("SELECT state FROM events") {
        let e: Value = serde_json::from_str(&row[0]).unwrap();
        let at: Timestamp = e["at"].as_str().unwrap().parse().unwrap();
        assert!(at < bound, "an event from the future: {e}");
    }

    // The customer's pull after all this: their ticket, no internal note, nothing of Dave.
    let page: Value = carol
        .get("/sync/pull?cursor=0")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tickets = page["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["ticket"]["id"], carols.to_string());
    let comments: Vec<&Value> = tickets[0]["comments"].as_array().unwrap().iter().collect();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["visibility"], "public");
    assert!(!page.to_string().contains("VPN drops"));
    assert!(!page.to_string().contains("Internal:"));
    let file = server.sqlite_path();
    drop(server);
    if let Some(db) = file {
        assert_integrity(&db);
    }
}
