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
