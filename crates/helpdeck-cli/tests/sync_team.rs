//! Team workflows across real processes (issue 13): a merge made on one agent's replica
//! converges on every replica, and the requester sees the merged conversation without the
//! internal notes.

mod sync_harness;

use serde_json::Value;
use sync_harness::*;

#[test]
fn a_merge_converges_everywhere_on_sqlite() {
    merge(Db::Sqlite);
}

#[test]
fn a_merge_converges_everywhere_on_postgres() {
    if let Some(base) = pg_base() {
        merge(Db::Postgres(fresh_pg_db(&base)));
    }
}

/// The conversation of a ticket as (author, body), oldest first.
fn conversation(r: &Replica, id: &str) -> Vec<(String, String)> {
    r.json(&["ticket", "show", id])["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["author"]["name"].as_str().unwrap_or_default().to_string(),
                c["body"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn merge(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("bob@helpdesk.example", "Bob", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let bob = Replica::login(&session, &server.url, "bob@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@acme.example");

    carol.ok(&[
        "ticket",
        "create",
        "--title",
        "VPN drops every hour",
        "--body",
        "Since Monday",
    ]);
    carol.ok(&[
        "ticket",
        "create",
        "--title",
        "VPN down again",
        "--body",
        "DUP-BODY-77 at home too",
    ]);
    carol.sync();
    alice.sync();
    let keep = alice.ticket_titled("VPN drops every hour").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dup = alice.ticket_titled("VPN down again").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    alice.ok(&[
        "ticket",
        "reply",
        &dup,
        "--body",
        "PUBLIC-DUP-REPLY: which VPN client?",
    ]);
    alice.ok(&[
        "ticket",
        "note",
        &dup,
        "--body",
        "SECRET-DUP-NOTE-9 ISP ticket 4411",
    ]);
    alice.sync();
    carol.sync();
    carol.ok(&["ticket", "reply", &dup, "--body", "FortiClient 7.2"]);
    carol.sync();
    bob.sync();

    // Alice merges (offline first: the two ops wait in her outbox, then go up together).
    alice.sync();
    let kept = alice.json(&["ticket", "merge", &dup, "--into", &keep]);
    assert_eq!(kept["comments"].as_array().unwrap().len(), 3, "{kept}");
    assert_eq!(alice.pending(), 2, "one op per ticket");
    alice.sync();
    assert_eq!(alice.pending(), 0);

    // Bob's replica converges to the same conversation and the closed duplicate.
    bob.sync();
    let expected = vec![
        (
            "Carol".to_string(),
            "**VPN down again** (HD-2)\n\nDUP-BODY-77 at home too".to_string(),
        ),
        (
            "Alice".to_string(),
            "PUBLIC-DUP-REPLY: which VPN client?".to_string(),
        ),
        ("Carol".to_string(), "FortiClient 7.2".to_string()),
    ];
    assert_eq!(conversation(&alice, &keep), expected);
    assert_eq!(conversation(&bob, &keep), expected);
    let bobs_dup = bob.json(&["ticket", "show", &dup]);
    assert_eq!(bobs_dup["status"], "closed");
    assert_eq!(bobs_dup["links"][0]["kind"], "duplicate_of");
    // Merging it again is refused with what happened.
    let again = bob.run(&["ticket", "merge", &dup, "--into", &keep]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("merged into HD-1 already"),
        "{again:?}"
    );

    // Carol sees the merged conversation, told where her duplicate went, and no note.
    carol.sync();
    assert_eq!(conversation(&carol, &keep), expected);
    let hers: Value = carol.json(&["ticket", "show", &dup]);
    assert_eq!(hers["status"], "closed");
    assert!(
        hers["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "merged_into" && e["to"] == "HD-1"),
        "{hers}"
    );
    assert!(
        carol.json(&["ticket", "show", &keep])["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "merged_from"),
    );
    assert_customer_store(&carol);
    assert!(
        sqlite_count(
            &carol.db_path(),
            "SELECT count(*) FROM comments WHERE body LIKE '%SECRET-DUP-NOTE%'"
        ) == 0
    );
}

#[test]
fn a_new_requester_gets_the_ticket_and_the_old_one_loses_it() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user(
        "carol@acme.example",
        "Carol Secretname",
        "customer",
        Some("Acme"),
    );
    home.add_user("dave@globex.example", "Dave", "customer", Some("Globex"));
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    let dave = Replica::login(&session, &server.url, "dave@globex.example");
    carol.ok(&[
        "ticket",
        "create",
        "--title",
        "Globex VPN account",
        "--body",
        "For Dave",
    ]);
    carol.sync();
    dave.sync();
    assert!(dave.ticket_titled("Globex VPN account").is_none());
    alice.sync();
    let id = alice.ticket_titled("Globex VPN account").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = alice.json(&[
        "ticket",
        "update",
        &id,
        "--requester",
        "dave@globex.example",
    ]);
    assert_eq!(t["organization"], "Globex", "the organization follows: {t}");
    alice.sync();
    carol.sync();
    dave.sync();
    assert!(
        carol.ticket_titled("Globex VPN account").is_none(),
        "Carol loses it"
    );
    let his = dave.json(&["ticket", "show", &id]);
    assert_eq!(his["requester"]["email"], "dave@globex.example");
    assert!(
        !his.to_string().contains("Secretname"),
        "who it was for before stays the agents' business: {his}"
    );
    assert_customer_store(&dave);
}

#[test]
fn shared_macros_reach_every_agent_and_personal_ones_stay_their_owners() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("bob@helpdesk.example", "Bob", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let bob = Replica::login(&session, &server.url, "bob@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    alice.ok(&[
        "macro",
        "add",
        "--name",
        "Reboot first",
        "--body",
        "Hi {requester.name}, please restart and tell us. MACRO-SHARED-1",
        "--set",
        "status=pending_customer",
    ]);
    alice.ok(&[
        "macro",
        "add",
        "--name",
        "Alice only",
        "--body",
        "MACRO-PERSONAL-2",
        "--personal",
    ]);
    alice.sync();
    carol.ok(&["ticket", "create", "--title", "Laptop slow"]);
    carol.sync();
    bob.sync();
    let names: Vec<String> = bob.json(&["macro", "list"])["macros"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["Reboot first"], "Bob has the shared macro only");
    let t = bob.ticket_titled("Laptop slow").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    bob.ok(&["ticket", "apply-macro", &t, "--macro", "reboot first"]);
    // Bob edits the shared macro; Alice's replica follows.
    bob.ok(&[
        "macro",
        "edit",
        "Reboot first",
        "--name",
        "Reboot first",
        "--body",
        "Restart, please.",
    ]);
    bob.sync();
    alice.sync();
    assert_eq!(
        alice.json(&["macro", "show", "Reboot first"])["body"],
        "Restart, please."
    );
    carol.sync();
    let hers = carol.json(&["ticket", "show", &t]);
    assert_eq!(hers["status"], "pending_customer");
    assert!(
        hers["comments"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("Hi Carol, please restart")
    );
    // A customer's device never holds a macro.
    assert_eq!(
        sqlite_count(&carol.db_path(), "SELECT count(*) FROM macros"),
        0
    );
    let refused = carol.run(&["macro", "add", "--name", "x", "--body", "y"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("only agents and admins write macros")
    );
}

#[test]
fn presence_is_shared_between_agents_and_never_with_customers() {
    let Some(_session) = Session::without_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("bob@helpdesk.example", "Bob", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let server = home.start();
    block_on(async {
        let alice = sign_in(&server.url, "alice@helpdesk.example").await;
        let bob = sign_in(&server.url, "bob@helpdesk.example").await;
        let carol = sign_in(&server.url, "carol@acme.example").await;
        let (ticket, create) = alice.new_ticket("Printer jams");
        alice.push(&[create]).await;
        let put = |d: &Device, body: serde_json::Value| {
            d.http
                .put(format!("{}/presence", d.url))
                .bearer_auth(&d.token)
                .json(&body)
                .send()
        };
        let list = |d: &Device| d.get("/presence").send();
        let r = put(
            &alice,
            serde_json::json!({"ticket_id": ticket, "state": "replying"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        let seen: Value = list(&bob).await.unwrap().json().await.unwrap();
        assert_eq!(seen[0]["name"], "Alice", "{seen}");
        assert_eq!(seen[0]["state"], "replying");
        assert_eq!(seen[0]["ticket_id"], ticket.to_string());
        let own: Value = list(&alice).await.unwrap().json().await.unwrap();
        assert_eq!(
            own,
            serde_json::json!([]),
            "one's own presence is not listed"
        );
        // Customers neither see nor say presence; a ticket the server lacks is refused.
        assert_eq!(list(&carol).await.unwrap().status(), 403);
        let r = put(
            &carol,
            serde_json::json!({"ticket_id": ticket, "state": "viewing"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 403);
        let r = put(
            &bob,
            serde_json::json!({"ticket_id": uuid::Uuid::now_v7(), "state": "viewing"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 404);
        // Alice leaves the ticket: gone at once.
        put(
            &alice,
            serde_json::json!({"ticket_id": null, "state": "viewing"}),
        )
        .await
        .unwrap();
        let seen: Value = list(&bob).await.unwrap().json().await.unwrap();
        assert_eq!(seen, serde_json::json!([]));
    });
}
