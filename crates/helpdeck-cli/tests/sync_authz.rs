//! Every endpoint × every role against a real server process (issue 14): what an anonymous
//! caller, a customer, an agent and an admin get from each route. The table is printed and
//! compared with the one below, so a route that starts answering someone it should not fails
//! here by name.

mod sync_harness;

use reqwest::Method;
use serde_json::{Value, json};
use sync_harness::*;
use uuid::Uuid;

const ROLES: [&str; 4] = ["anonymous", "customer", "agent", "admin"];

/// (method, path, body, expected status for anonymous, customer, agent, admin).
fn table(sha: &str, probe: &Value) -> Vec<(Method, String, Option<Value>, [u16; 4])> {
    let rules_change =
        json!({"kind": "categories", "categories": ["hardware", "network", "other"]});
    let person = |email: &str| json!({"email": email, "name": "New Person", "role": "agent", "password": "a-long-password"});
    vec![
        (Method::GET, "/health".into(), None, [200, 200, 200, 200]),
        (Method::GET, "/auth/me".into(), None, [401, 200, 200, 200]),
        (
            Method::GET,
            "/admin/rules".into(),
            None,
            [401, 200, 200, 200],
        ),
        (
            Method::POST,
            "/admin/rules".into(),
            Some(rules_change),
            [401, 403, 403, 200],
        ),
        (
            Method::GET,
            "/admin/people".into(),
            None,
            [401, 403, 403, 200],
        ),
        (
            Method::POST,
            "/admin/people".into(),
            Some(person(&format!(
                "p{}@helpdesk.example",
                Uuid::now_v7().simple()
            ))),
            [401, 403, 403, 200],
        ),
        (
            Method::PATCH,
            "/admin/people".into(),
            Some(json!({"email": "agent@helpdesk.example", "tier": "L2"})),
            [401, 403, 403, 200],
        ),
        (
            Method::POST,
            "/admin/teams".into(),
            Some(json!({"name": "Network"})),
            [401, 403, 403, 200],
        ),
        (
            Method::POST,
            "/routing/test".into(),
            Some(probe.clone()),
            [401, 403, 200, 200],
        ),
        (
            Method::POST,
            "/sync/push".into(),
            Some(json!({"ops": []})),
            [401, 200, 200, 200],
        ),
        (
            Method::GET,
            "/sync/pull?cursor=0".into(),
            None,
            [401, 200, 200, 200],
        ),
        (Method::GET, "/presence".into(), None, [401, 403, 200, 200]),
        (
            Method::GET,
            format!("/blobs/{sha}/status"),
            None,
            [401, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/blobs/{sha}"),
            None,
            [401, 404, 404, 404],
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_it_should() {
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    home.add_user("agent@helpdesk.example", "Agent", "agent", None);
    home.add_user("admin@helpdesk.example", "Admin", "admin", None);
    let server = home.start();
    let url = &server.url;
    let customer = sign_in(url, "carol@acme.example").await;
    let agent = sign_in(url, "agent@helpdesk.example").await;
    let admin = sign_in(url, "admin@helpdesk.example").await;
    let http = reqwest::Client::new();
    let sha = "a".repeat(64);
    let probe = json!({
        "kind": "incident", "category": "other", "priority": "P3", "channel": "portal",
        "title": "VPN down", "description": "", "organization_id": null,
    });
    let mut seen = Vec::new();
    let mut wrong = Vec::new();
    for (method, path, body, expected) in table(&sha, &probe) {
        let mut got = [0u16; 4];
        for (i, who) in [None, Some(&customer), Some(&agent), Some(&admin)]
            .into_iter()
            .enumerate()
        {
            let mut req = http.request(method.clone(), format!("{url}{path}")).header(
                helpdeck_core::sync::PROTOCOL_HEADER,
                helpdeck_core::sync::PROTOCOL_VERSION.to_string(),
            );
            if let Some(d) = who {
                req = req.bearer_auth(&d.token);
            }
            if let Some(b) = &body {
                req = req.json(b);
            }
            got[i] = req.send().await.unwrap().status().as_u16();
        }
        seen.push(format!("{method:<6} {path:<40} {got:?}"));
        if got != expected {
            wrong.push(format!(
                "{method} {path}: expected {expected:?} for {ROLES:?}, got {got:?}"
            ));
        }
    }
    println!("{:<47} {ROLES:?}\n{}", "route", seen.join("\n"));
    println!("{} routes × {} roles checked", seen.len(), ROLES.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A forged or expired token is anonymous.
    let forged = http
        .get(format!("{url}/auth/me"))
        .bearer_auth(format!("hdk_{}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    // Signing out ends that token only: the next request with it is anonymous.
    let out = http
        .post(format!("{url}/auth/logout"))
        .bearer_auth(&agent.token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16() / 100, 2);
    for (token, status) in [(&agent.token, 401), (&admin.token, 200)] {
        let me = http
            .get(format!("{url}/auth/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), status);
    }
    drop(server);
}
