//! Sign-in throttling against real server processes (issue 14): failed sign-ins stop the
//! address that made them for that account, not the account's owner elsewhere; one address
//! trying many emails is slowed whatever the emails; on PostgreSQL every server process
//! counts the same failures; `/health` says nothing about the workspace.

mod sync_harness;

use std::net::{IpAddr, Ipv4Addr};

use serde_json::{Value, json};
use sync_harness::*;
use uuid::Uuid;

/// A client whose requests come from `addr` (a loopback address of its own).
fn from(addr: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::from(addr)))
        .build()
        .unwrap()
}

async fn sign_in_as(
    client: &reqwest::Client,
    url: &str,
    email: &str,
    password: &str,
) -> (u16, Value) {
    let resp = client
        .post(format!("{url}/auth/login"))
        .json(&json!({
            "email": email,
            "password": password,
            "device_id": Uuid::now_v7(),
            "device_name": "probe",
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_stop_the_guesser_not_the_owner() {
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let server = home.start();
    let url = &server.url;
    let guesser = from([127, 0, 0, 2]);
    for i in 0..5 {
        let (status, body) = sign_in_as(
            &guesser,
            url,
            "alice@helpdesk.example",
            &format!("wrong-{i}"),
        )
        .await;
        assert_eq!(status, 401, "{body}");
    }
    // The sixth try from that address is refused before any password check, even the right one.
    let (status, body) = sign_in_as(&guesser, url, "alice@helpdesk.example", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("from your address"),
        "{body}"
    );
    // Alice, from her own machine, is not locked out.
    let (status, body) = sign_in_as(
        &from([127, 0, 0, 3]),
        url,
        "alice@helpdesk.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // An unknown email answers exactly as a wrong password does, also for a 1-character one.
    let other = from([127, 0, 0, 4]);
    let (s1, unknown) = sign_in_as(&other, url, "nobody@helpdesk.example", "x").await;
    let (s2, wrong) = sign_in_as(&other, url, "alice@helpdesk.example", "x").await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(unknown, wrong);

    // One address trying many emails is stopped whatever the emails: after 20 failures its
    // attempts are refused without touching a password.
    let sprayer = from([127, 0, 0, 5]);
    let mut answers = Vec::new();
    for i in 0..40 {
        let (status, _) =
            sign_in_as(&sprayer, url, &format!("user{i}@helpdesk.example"), "guess").await;
        answers.push(status);
    }
    let tried = answers.iter().filter(|s| **s == 401).count();
    let refused = answers.iter().filter(|s| **s == 429).count();
    println!("40 emails from one address: {tried} checked, {refused} refused");
    assert_eq!((tried, refused), (20, 20), "{answers:?}");
    // Successful sign-ins are never counted: an office behind one address signs in at once.
    let office = from([127, 0, 0, 7]);
    for _ in 0..25 {
        let (status, body) = sign_in_as(&office, url, "alice@helpdesk.example", PASSWORD).await;
        assert_eq!(status, 200, "{body}");
    }

    // The health check says the server is alive, nothing about the workspace; every answer
    // carries the security headers.
    let resp = reqwest::get(format!("{url}/health")).await.unwrap();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(resp.headers()[name], value, "{name}");
    }
    assert!(
        resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let health: Value = resp.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert!(health.get("last_seq").is_none(), "{health}");
    assert!(health.get("db").is_none(), "{health}");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_process_counts_the_same_failures_on_postgres() {
    let Some(base) = pg_base() else {
        return;
    };
    let home = ServerHome::new(Db::Postgres(fresh_pg_db(&base)));
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let first = home.start();
    let second = home.start();
    let guesser = from([127, 0, 0, 6]);
    for (i, url) in [&first.url, &first.url, &first.url, &second.url, &second.url]
        .into_iter()
        .enumerate()
    {
        let (status, _) = sign_in_as(
            &guesser,
            url,
            "alice@helpdesk.example",
            &format!("wrong-{i}"),
        )
        .await;
        assert_eq!(status, 401);
    }
    let (status, body) = sign_in_as(&guesser, &first.url, "alice@helpdesk.example", PASSWORD).await;
    assert_eq!(status, 429, "{body}");
    let (status, _) = sign_in_as(&guesser, &second.url, "alice@helpdesk.example", PASSWORD).await;
    assert_eq!(status, 429);
    // The table keeps digests, never the email or the address.
    let rows = home.rows("SELECT key FROM login_failures");
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| !r[0].contains("alice") && !r[0].contains("127.0.0"))
    );
    drop(second);
    drop(first);
}

/// A lost laptop: the admin lists a person's devices and signs one out; its next sync is
/// refused while the person's other device keeps working, until every device is signed out.
#[test]
fn an_admin_signs_a_lost_device_out() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let server = home.start();
    let laptop = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let listed = home.admin_json(&["user", "devices", "--email", "alice@helpdesk.example"]);
    let lost = listed["devices"][0]["id"].as_str().unwrap().to_string();
    let desktop = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let listed = home.admin_json(&["user", "devices", "--email", "alice@helpdesk.example"]);
    assert_eq!(listed["devices"].as_array().unwrap().len(), 2, "{listed}");
    laptop.sync();
    desktop.sync();
    let revoked = home.admin_json(&[
        "user",
        "revoke",
        "--email",
        "alice@helpdesk.example",
        "--device",
        &lost,
    ]);
    assert_eq!(revoked["revoked_tokens"], 1);
    let refused = laptop.run(&["sync", "--once"]);
    assert!(!refused.status.success(), "{refused:?}");
    desktop.sync();
    home.admin_json(&["user", "revoke", "--email", "alice@helpdesk.example"]);
    assert!(!desktop.run(&["sync", "--once"]).status.success());
    let listed = home.admin_json(&["user", "devices", "--email", "alice@helpdesk.example"]);
    assert!(
        listed["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["active_tokens"] == 0),
        "{listed}"
    );
    drop(server);
}

/// A broken or hostile client pushing ops that are all refused: the server keeps the answers
/// of its newest 1,000 refusals only, and once it has had 1,000 within the hour its pushes
/// wait (429) — another device of the same person is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sending_refused_ops_is_bounded_and_slowed() {
    use helpdeck_core::op::Entity;
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let server = home.start();
    let noisy = sign_in(&server.url, "alice@helpdesk.example").await;
    // Changes of tickets that do not exist: every one is refused.
    let junk = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|_| {
                noisy.op(
                    Entity::Ticket,
                    Uuid::now_v7(),
                    json!({"action": "update_ticket", "priority": "P1"}),
                )
            })
            .collect()
    };
    for _ in 0..2 {
        let acks = noisy.push(&junk(600)).await;
        assert!(
            acks.iter().all(|a| a["status"] == "rejected"),
            "{:?}",
            &acks[..1]
        );
    }
    let kept = home.count(&format!(
        "SELECT count(*) FROM applied_ops WHERE device_id = '{}' AND status = 'rejected'",
        noisy.device_id
    ));
    assert_eq!(kept, 1000, "the newest 1,000 refusals are kept, no more");
    let resp = noisy
        .post("/sync/push")
        .json(&json!({ "ops": junk(1) }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("refused"),
        "{body}"
    );
    // The person's other device pushes as usual.
    let other = sign_in(&server.url, "alice@helpdesk.example").await;
    let (_, create) = other.new_ticket("Printer jams");
    assert_eq!(other.push(&[create]).await[0]["status"], "applied");
    drop(server);
}
