//! Attachments across real processes: files attached offline travel byte-identical to
//! another agent's replica; a customer receives the files of public replies on their own
//! tickets and nothing else; an upload cut off by killing the server resumes where the
//! server's committed count says and completes.

mod sync_harness;

use std::path::Path;

use rand::RngCore;
use serde_json::Value;
use sha2::Digest;
use sync_harness::*;

fn random_file(dir: &Path, name: &str, len: usize, head: &[u8]) -> (std::path::PathBuf, String) {
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    bytes[..head.len()].copy_from_slice(head);
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path, hex::encode(sha2::Sha256::digest(&bytes)))
}

fn attachments(r: &Replica, number: &str) -> Vec<Value> {
    r.json(&["ticket", "show", number])["attachments"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn files_travel_offline_to_agents_and_only_to_the_right_customer_on_sqlite() {
    files(Db::Sqlite);
}

#[test]
fn files_travel_offline_to_agents_and_only_to_the_right_customer_on_postgres() {
    if let Some(base) = pg_base() {
        files(Db::Postgres(fresh_pg_db(&base)));
    }
}

fn files(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    home.add_user("bob@helpdesk.example", "Bob", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    home.add_user("dave@globex.example", "Dave", "customer", Some("Globex"));
    let mut server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    let dave = Replica::login(&session, &server.url, "dave@globex.example");
    carol.ok(&["ticket", "create", "--title", "Printer on floor 3 jams"]);
    carol.sync();
    dave.ok(&["ticket", "create", "--title", "VPN drops"]);
    dave.sync();
    alice.sync();

    // Offline: a 5 MB photo and a PDF on a public reply, a log on an internal note, a file
    // on Dave's ticket.
    let tmp = tempfile::tempdir().unwrap();
    let (photo, photo_sha) = random_file(
        tmp.path(),
        "现场照片.jpg",
        5 * 1024 * 1024,
        &[0xFF, 0xD8, 0xFF],
    );
    let (pdf, pdf_sha) = random_file(tmp.path(), "report.pdf", 300 * 1024, b"%PDF-1.7\n");
    let (log, log_sha) = random_file(tmp.path(), "fuser.log", 40 * 1024, b"log:");
    let (other, other_sha) = random_file(tmp.path(), "vpn.txt", 1000, b"vpn");
    server.kill();
    let carols = alice.ticket_titled("Printer on floor 3 jams").unwrap()["number"]
        .as_i64()
        .map(|n| format!("HD-{n}"))
        .unwrap();
    let daves = alice.ticket_titled("VPN drops").unwrap()["number"]
        .as_i64()
        .map(|n| format!("HD-{n}"))
        .unwrap();
    alice.ok(&[
        "ticket",
        "reply",
        &carols,
        "--body",
        "Photo and report attached",
        "--attach",
        photo.to_str().unwrap(),
        "--attach",
        pdf.to_str().unwrap(),
    ]);
    alice.ok(&[
        "ticket",
        "note",
        &carols,
        "--body",
        "Fuser log",
        "--attach",
        log.to_str().unwrap(),
    ]);
    alice.ok(&[
        "ticket",
        "reply",
        &daves,
        "--body",
        "Config",
        "--attach",
        other.to_str().unwrap(),
    ]);
    assert!(
        alice.run(&["sync", "--once"]).status.code() != Some(0),
        "offline"
    );
    server.restart();
    let round = alice.sync();
    assert_eq!(round["round"]["files"]["uploaded"], 4, "{round}");
    assert_eq!(alice.pending(), 0);

    // Bob (another agent, a new replica) gets every file, byte-identical.
    let bob = Replica::login(&session, &server.url, "bob@helpdesk.example");
    let round = bob.sync();
    assert_eq!(round["round"]["files"]["downloaded"], 4, "{round}");
    for (sha, src) in [
        (&photo_sha, &photo),
        (&pdf_sha, &pdf),
        (&log_sha, &log),
        (&other_sha, &other),
    ] {
        let out = tmp.path().join(format!("bob-{sha}"));
        bob.ok(&["attachment", "get", sha, "--out", out.to_str().unwrap()]);
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(src).unwrap());
    }
    let on_carols = attachments(&bob, &carols);
    assert_eq!(on_carols.len(), 3);
    assert!(on_carols.iter().all(|a| a["available"] == true));

    // Carol: the public reply's two files, not the note's log; nothing of Dave's ticket.
    carol.sync();
    let hers = attachments(&carol, &carols);
    let shas: Vec<&str> = hers.iter().map(|a| a["sha256"].as_str().unwrap()).collect();
    assert_eq!(shas.len(), 2, "{hers:?}");
    assert!(shas.contains(&photo_sha.as_str()) && shas.contains(&pdf_sha.as_str()));
    let out = tmp.path().join("carol-photo");
    carol.ok(&[
        "attachment",
        "get",
        &photo_sha,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&photo).unwrap());
    let refused = carol.run(&[
        "attachment",
        "get",
        &log_sha,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        !carol
            .ok(&["export", "--format", "json"])
            .contains("fuser.log")
    );
    // …and asking the server directly answers like a file that does not exist.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = sign_in(&server.url, "carol@acme.example").await;
        for sha in [&log_sha, &other_sha] {
            let r = c.get(&format!("/blobs/{sha}")).send().await.unwrap();
            assert_eq!(r.status(), 404, "carol read {sha}");
        }
        let r = c.get(&format!("/blobs/{photo_sha}")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let d = sign_in(&server.url, "dave@globex.example").await;
        let r = d.get(&format!("/blobs/{photo_sha}")).send().await.unwrap();
        assert_eq!(r.status(), 404, "another organization's file");
        // Knowing a file's address is not having it: attaching it to his own ticket is refused.
        let daves_id = home.rows("SELECT id, doc FROM tickets")
            .into_iter()
            .find(|r| r[1].contains("VPN drops"))
            .unwrap()[0]
            .clone();
        let op = d.op(
            helpdeck_core::op::Entity::Attachment,
            uuid::Uuid::now_v7(),
            serde_json::json!({"action": "add_attachment", "ticket_id": daves_id,
                "sha256": log_sha, "name": "stolen.log", "media_type": "text/plain", "size": 40960}),
        );
        let acks = d.push(&[op]).await;
        assert_rejected(&acks[0], "has not been uploaded by you");
        let r = d.get(&format!("/blobs/{log_sha}")).send().await.unwrap();
        assert_eq!(r.status(), 404);
    });
}

#[test]
fn an_upload_cut_off_by_a_killed_server_resumes_and_completes() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let mut server = home.start();
    let alice = Replica::login(&session, &server.url, "alice@helpdesk.example");
    alice.ok(&["ticket", "create", "--title", "Scanner"]);
    let tmp = tempfile::tempdir().unwrap();
    let (scan, sha) = random_file(tmp.path(), "scan.pdf", 20 * 1024 * 1024, b"%PDF-1.7\n");
    alice.ok(&[
        "ticket",
        "reply",
        "HD-1",
        "--body",
        "Scan",
        "--attach",
        scan.to_str().unwrap(),
    ]);
    // Two chunks reach the server (sent as the replica's own client would), then it dies.
    let bytes = std::fs::read(&scan).unwrap();
    let chunk = helpdeck_core::attachment::CHUNK_BYTES as usize;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let a = sign_in(&server.url, "alice@helpdesk.example").await;
        for i in 0..2 {
            let r = a
                .http
                .put(format!(
                    "{}/blobs/{sha}?offset={}&size={}",
                    server.url,
                    i * chunk,
                    bytes.len()
                ))
                .header(
                    helpdeck_core::sync::PROTOCOL_HEADER,
                    helpdeck_core::sync::PROTOCOL_VERSION.to_string(),
                )
                .bearer_auth(&a.token)
                .body(bytes[i * chunk..(i + 1) * chunk].to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
    });
    server.kill();
    server.restart();
    let status: Value = rt.block_on(async {
        let a = sign_in(&server.url, "alice@helpdesk.example").await;
        a.get(&format!("/blobs/{sha}/status"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(
        status["received"],
        2 * chunk,
        "committed chunks survive the kill: {status}"
    );
    assert_eq!(status["complete"], false);
    let round = alice.sync();
    assert_eq!(round["round"]["files"]["uploaded"], 1, "{round}");
    assert_eq!(
        home.count(&format!(
            "SELECT complete FROM blobs WHERE sha256 = '{sha}'"
        )),
        1
    );
    let stored = home.dir.path().join("blobs").join(&sha[..2]).join(&sha);
    assert_eq!(
        std::fs::read(stored).unwrap(),
        bytes,
        "byte-identical on the server"
    );
}
