//! The knowledge base across real processes (issue 12): an article written on one agent's
//! replica reaches another's; a diagnosis script run there is on the ticket's timeline on
//! the first agent's replica, and never on the customer's.

mod sync_harness;

use sync_harness::*;

#[test]
fn a_diagnosis_run_on_one_replica_is_on_the_ticket_on_another() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("li@helpdesk.example", "Li", "agent", None);
    home.add_user("wang@helpdesk.example", "Wang", "agent", None);
    home.add_user(
        "carol@client.example",
        "Carol",
        "customer",
        Some("Client Ltd"),
    );
    let server = home.start();
    let li = Replica::login(&session, &server.url, "li@helpdesk.example");
    let wang = Replica::login(&session, &server.url, "wang@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@client.example");

    let article = li.json(&[
        "kb",
        "add",
        "--title",
        "打印机卡纸处理",
        "--body",
        "打开后盖，取出卡纸。",
        "--audience",
        "public",
        "--step",
        "关闭打印机电源 => 指示灯熄灭",
        "--step",
        "打开后盖取出卡纸 => 纸路畅通",
        "--publish",
    ]);
    let id = article["id"].as_str().unwrap().to_string();
    li.sync();
    carol.sync();
    carol.ok(&[
        "ticket",
        "create",
        "--title",
        "三楼打印机卡纸",
        "--body",
        "每次打印都卡",
    ]);
    carol.sync();
    wang.sync();
    // Wang's replica has the article, suggests it for the ticket and runs its script.
    let hits = wang.json(&["kb", "suggest", "--text", "三楼打印机卡纸"]);
    assert_eq!(hits["hits"][0]["id"], id.as_str(), "{hits}");
    assert_eq!(hits["hits"][0]["has_script"], true);
    let ticket = wang
        .ticket_titled("三楼打印机卡纸")
        .expect("the customer's ticket");
    let t = ticket["id"].as_str().unwrap().to_string();
    wang.ok(&[
        "ticket",
        "diagnose",
        &t,
        "--article",
        &id[..8],
        "--step",
        "1",
        "--as-expected",
    ]);
    wang.ok(&[
        "ticket",
        "diagnose",
        &t,
        "--article",
        &id,
        "--step",
        "2",
        "--not-as-expected",
        "--note",
        "纸卡在定影器里",
    ]);
    let bad = wang.run(&[
        "ticket",
        "diagnose",
        &t,
        "--article",
        &id,
        "--step",
        "3",
        "--as-expected",
    ]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("2 diagnosis step"),
        "{bad:?}"
    );
    wang.sync();
    li.sync();
    let shown = li.json(&["ticket", "show", &t]);
    let steps: Vec<serde_json::Value> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "diagnosis")
        .map(|e| serde_json::from_str(e["to"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(steps.len(), 2, "{shown}");
    assert_eq!(steps[0]["instruction"], "关闭打印机电源");
    assert_eq!(steps[0]["as_expected"], true);
    assert_eq!(steps[1]["step"], 2);
    assert_eq!(steps[1]["note"], "纸卡在定影器里");
    assert_eq!(steps[1]["article_id"], id.as_str());
    // The customer reads the public article but never the diagnosis on her ticket.
    carol.sync();
    let hers = carol.json(&["ticket", "show", &t]);
    assert!(
        hers["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["field"] != "diagnosis"),
        "{hers}"
    );
    assert_eq!(
        carol.json(&["kb", "search", "卡纸"])["hits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        !carol
            .run(&[
                "ticket",
                "diagnose",
                &t,
                "--article",
                &id,
                "--step",
                "1",
                "--as-expected"
            ])
            .status
            .success()
    );
}

#[test]
fn an_articles_images_reach_exactly_its_readers_on_sqlite() {
    images(Db::Sqlite);
}

#[test]
fn an_articles_images_reach_exactly_its_readers_on_postgres() {
    if let Some(base) = pg_base() {
        images(Db::Postgres(fresh_pg_db(&base)));
    }
}

/// A file of `len` bytes starting with `head`; its path and SHA-256.
fn file_with(dir: &std::path::Path, name: &str, head: &[u8], len: usize) -> (String, String) {
    use sha2::Digest;
    let mut bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    bytes[..head.len()].copy_from_slice(head);
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (
        path.display().to_string(),
        hex::encode(sha2::Sha256::digest(&bytes)),
    )
}

fn holds_anywhere(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            found.extend(holds_anywhere(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            found.push(p.display().to_string());
        }
    }
    found
}

fn images(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("li@helpdesk.example", "Li", "agent", None);
    home.add_user("wang@helpdesk.example", "Wang", "agent", None);
    home.add_user(
        "carol@client.example",
        "Carol",
        "customer",
        Some("Client Ltd"),
    );
    let server = home.start();
    let li = Replica::login(&session, &server.url, "li@helpdesk.example");
    let tmp = tempfile::tempdir().unwrap();
    let (router, router_sha) = file_with(tmp.path(), "路由器背面.png", b"\x89PNG router", 300_000);
    let secret_mark = b"SECRET-DOOR-CODE-4711";
    let (door, door_sha) = file_with(tmp.path(), "door.png", secret_mark, 2_000);

    // Li writes a public article and an internal one, each with an image (offline first).
    let public = li.json(&[
        "kb",
        "add",
        "--title",
        "重启路由器",
        "--body",
        "按住背面的复位键十秒：",
        "--audience",
        "public",
        "--publish",
        "--image",
        &router,
    ]);
    assert_eq!(
        public["files"][0]["sha256"],
        router_sha.as_str(),
        "{public}"
    );
    assert!(
        public["body"]
            .as_str()
            .unwrap()
            .ends_with(&format!("![路由器背面.png](attachment:{router_sha})")),
        "{public}"
    );
    li.ok(&[
        "kb",
        "add",
        "--title",
        "机房门禁",
        "--body",
        "门禁码见图。",
        "--audience",
        "internal",
        "--publish",
        "--image",
        &door,
    ]);
    let round = li.sync();
    assert_eq!(round["round"]["files"]["uploaded"], 2, "{round}");
    assert_eq!(li.pending(), 0, "both articles were taken: {round}");

    // Another agent gets both images, byte-identical.
    let wang = Replica::login(&session, &server.url, "wang@helpdesk.example");
    let round = wang.sync();
    assert_eq!(round["round"]["files"]["downloaded"], 2, "{round}");
    let out = tmp.path().join("wang-router.png");
    wang.ok(&[
        "attachment",
        "get",
        &router_sha,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&router).unwrap()
    );

    // The customer gets the public article's image and never the internal one's.
    let carol = Replica::login(&session, &server.url, "carol@client.example");
    let round = carol.sync();
    assert_eq!(round["round"]["files"]["downloaded"], 1, "{round}");
    let out = tmp.path().join("carol-router.png");
    carol.ok(&[
        "attachment",
        "get",
        &router_sha,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&router).unwrap()
    );
    let data_dir = carol.db_path().parent().unwrap().to_path_buf();
    assert_eq!(
        holds_anywhere(&data_dir, secret_mark),
        Vec::<String>::new(),
        "the internal image is nowhere in the customer's data"
    );
    block_on(async {
        let carol = sign_in(&server.url, "carol@client.example").await;
        let get = |sha: &str| carol.get(&format!("/blobs/{sha}?offset=0")).send();
        assert_eq!(get(&router_sha).await.unwrap().status(), 200);
        assert_eq!(
            get(&door_sha).await.unwrap().status(),
            404,
            "an internal article's file answers as if it did not exist"
        );

        // The server keeps its own word on files: one never uploaded, or of another size, is
        // refused with what is wrong.
        let li = sign_in(&server.url, "li@helpdesk.example").await;
        let draft = |sha: &str, size: u64| {
            serde_json::json!({
                "action": "create_article",
                "title": "伪造的图片",
                "body": "…",
                "audience": "public",
                "lang": "zh",
                "files": [{"sha256": sha, "name": "x.png", "media_type": "image/png", "size": size}],
                "publish": true,
            })
        };
        let acks = li
            .push(&[
                li.op(
                    helpdeck_core::op::Entity::Article,
                    uuid::Uuid::now_v7(),
                    draft(&"ab".repeat(32), 10),
                ),
                li.op(
                    helpdeck_core::op::Entity::Article,
                    uuid::Uuid::now_v7(),
                    draft(&router_sha, 10),
                ),
            ])
            .await;
        assert_rejected(&acks[0], "has not been uploaded");
        assert_rejected(&acks[1], "300000 bytes on the server, not 10");
    });

    // Archived, the public article's image is no longer the customer's to fetch.
    li.ok(&["kb", "archive", public["id"].as_str().unwrap()]);
    li.sync();
    carol.sync();
    block_on(async {
        let carol = sign_in(&server.url, "carol@client.example").await;
        let resp = carol
            .get(&format!("/blobs/{router_sha}?offset=0"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404);
    });
}
