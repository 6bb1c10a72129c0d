//! Field work orders across real processes (issue 15): a technician's replica, offline,
//! creates a work order, runs its checklist with two photos (one for the customer, one
//! internal), logs travel and work time, adds parts and takes the signature, while an office
//! replica edits the same ticket; on reconnect everything converges, the photos arrive
//! byte-identical, and the customer gets the sign-off and the public photo — never the
//! internal photo nor the time. The server decides every change again: a customer cannot
//! write a work order, and a photo must be a file of the ticket.

mod sync_harness;

use std::path::Path;

use rand::RngCore;
use serde_json::Value;
use sha2::Digest;
use sync_harness::*;

fn file(dir: &Path, name: &str, head: &[u8]) -> (std::path::PathBuf, String) {
    let mut bytes = vec![0u8; 200 * 1024];
    rand::rng().fill_bytes(&mut bytes);
    bytes[..head.len()].copy_from_slice(head);
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path, hex::encode(sha2::Sha256::digest(&bytes)))
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];

fn orders(r: &Replica) -> Vec<Value> {
    r.json(&["workorder", "list"])["work_orders"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_visit_done_offline_converges_with_the_office_and_the_customer_sees_its_share_on_sqlite() {
    visit(Db::Sqlite);
}

#[test]
fn a_visit_done_offline_converges_with_the_office_and_the_customer_sees_its_share_on_postgres() {
    if let Some(base) = pg_base() {
        visit(Db::Postgres(fresh_pg_db(&base)));
    }
}

fn visit(db: Db) {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(db);
    home.add_user("tom@helpdesk.example", "Tom", "agent", None);
    home.add_user("olivia@helpdesk.example", "Olivia", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let mut server = home.start();
    let tom = Replica::login(&session, &server.url, "tom@helpdesk.example");
    let olivia = Replica::login(&session, &server.url, "olivia@helpdesk.example");
    let carol = Replica::login(&session, &server.url, "carol@acme.example");
    carol.ok(&[
        "ticket",
        "create",
        "--title",
        "UPS in the server room beeps",
    ]);
    carol.sync();
    tom.sync();
    olivia.sync();
    let number = tom.ticket_titled("UPS in the server room beeps").unwrap()["number"]
        .as_i64()
        .map(|n| format!("HD-{n}"))
        .unwrap();

    // Offline: the technician's whole visit; the office edits the same ticket meanwhile.
    server.kill();
    let tmp = tempfile::tempdir().unwrap();
    let (public_photo, public_sha) = file(tmp.path(), "ups-front.jpg", JPEG);
    let (internal_photo, internal_sha) = file(tmp.path(), "wiring.jpg", JPEG);
    let (signature, signature_sha) = file(tmp.path(), "signature.png", PNG);
    let created = tom.json(&[
        "workorder",
        "create",
        &number,
        "--start",
        "2026-12-07 09:00",
        "--end",
        "2026-12-07 11:00",
        "--site",
        "上海市浦东新区世纪大道 88 号 3 楼机房",
        "--contact",
        "Carol 138 0000 0000",
        "--item",
        "Inspect the UPS front panel [photo]",
        "--item",
        "Battery voltage [reading:V]",
        "--item",
        "Check the wiring [photo]",
        "--item",
        "Transfer test",
    ]);
    let key = created["key"].as_str().unwrap().to_string();
    assert_eq!(created["status"], "scheduled");
    assert_eq!(created["missing"].as_array().unwrap().len(), 6, "{created}");
    tom.ok(&[
        "workorder",
        "check",
        &key,
        "1",
        "--photo",
        public_photo.to_str().unwrap(),
        "--public",
    ]);
    tom.ok(&["workorder", "check", &key, "2", "--reading", "13.4"]);
    tom.ok(&[
        "workorder",
        "check",
        &key,
        "3",
        "--photo",
        internal_photo.to_str().unwrap(),
    ]);
    tom.ok(&["workorder", "check", &key, "4"]);
    tom.ok(&[
        "workorder",
        "time",
        &key,
        "--kind",
        "travel",
        "--minutes",
        "35",
    ]);
    tom.ok(&[
        "workorder",
        "time",
        &key,
        "--kind",
        "work",
        "--minutes",
        "50",
    ]);
    tom.ok(&[
        "workorder",
        "part",
        &key,
        "--part",
        "BAT-12",
        "--qty",
        "4",
        "--name",
        "Battery 12 V 9 Ah",
    ]);
    let signed = tom.json(&[
        "workorder",
        "sign",
        &key,
        "--name",
        "Carol",
        "--signature",
        signature.to_str().unwrap(),
    ]);
    assert_eq!(signed["status"], "done", "{signed}");
    let report = tmp.path().join("report.pdf");
    tom.ok(&[
        "workorder",
        "report",
        &key,
        "--out",
        report.to_str().unwrap(),
    ]);
    let report_sha = hex::encode(sha2::Sha256::digest(std::fs::read(&report).unwrap()));
    olivia.ok(&["ticket", "update", &number, "--priority", "P2"]);
    olivia.ok(&[
        "ticket",
        "reply",
        &number,
        "--body",
        "Tom is on his way with replacement batteries.",
        "--minutes",
        "5",
    ]);
    // Time on the ticket itself, on both sides: with a note, and on its own.
    tom.ok(&[
        "ticket",
        "note",
        &number,
        "--body",
        "Replaced 4 batteries; the old ones go back to the vendor.",
        "--minutes",
        "20",
    ]);
    tom.ok(&[
        "time",
        "log",
        &number,
        "--minutes",
        "15",
        "--note",
        "the service report",
    ]);

    // Back online: both push, both pull, and both hold the same.
    server.restart();
    olivia.sync();
    let round = tom.sync();
    assert_eq!(round["round"]["rejected"], 0, "{round}");
    olivia.sync();
    assert_eq!(tom.pending(), 0);
    assert_eq!(olivia.pending(), 0);
    let (at_tom, at_office) = (orders(&tom), orders(&olivia));
    assert_eq!(at_tom, at_office, "the two replicas disagree");
    let w = &at_office[0];
    assert_eq!(w["status"], "done");
    assert_eq!(w["signoff"]["signer"], "Carol");
    assert_eq!(w["signoff"]["signature_sha256"], signature_sha.as_str());
    assert_eq!(w["checklist"][1]["reading"], "13.4");
    assert_eq!(w["time"].as_array().unwrap().len(), 2);
    assert_eq!(w["parts"][0]["quantity"], 4);
    assert_eq!(w["missing"].as_array().unwrap().len(), 0, "{w}");
    for r in [&tom, &olivia] {
        let t = r.json(&["ticket", "show", &number]);
        assert_eq!(
            t["priority"], "P2",
            "the office's edit reached every replica"
        );
    }
    // The time sheets agree: both agents' entries, and the visit's travel and work.
    let sheet = |r: &Replica| r.json(&["time", "show", &number]);
    let office_sheet = sheet(&olivia);
    assert_eq!(sheet(&tom), office_sheet);
    assert_eq!(office_sheet["entries"].as_array().unwrap().len(), 3);
    assert_eq!(
        (
            office_sheet["ticket_minutes"].clone(),
            office_sheet["travel_minutes"].clone(),
            office_sheet["work_minutes"].clone(),
            office_sheet["total_minutes"].clone()
        ),
        (40.into(), 35.into(), 50.into(), 125.into())
    );
    let agents = olivia.json(&["time", "report", "--by", "agent"]);
    let tom_total = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == "tom@helpdesk.example")
        .unwrap();
    assert_eq!(tom_total["total_minutes"], 120, "{agents}");
    // A wrong entry deleted on one laptop is gone on the other.
    let report_entry = office_sheet["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["note"] == "the service report")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let err = olivia.run(&["time", "delete", &report_entry]);
    assert!(
        String::from_utf8_lossy(&err.stderr).contains("the agent who logged it"),
        "only its author deletes an entry"
    );
    tom.ok(&["time", "delete", &report_entry]);
    tom.sync();
    olivia.sync();
    assert_eq!(sheet(&olivia)["ticket_minutes"], 25);
    assert_eq!(sheet(&tom), sheet(&olivia));
    for (sha, src) in [
        (&public_sha, &public_photo),
        (&internal_sha, &internal_photo),
        (&signature_sha, &signature),
    ] {
        let out = tmp.path().join(format!("office-{sha}"));
        olivia.ok(&["attachment", "get", sha, "--out", out.to_str().unwrap()]);
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(src).unwrap());
    }

    // The customer: the sign-off, the public photo and the signature; never the internal
    // photo, the time entries or the photo ids behind the checklist.
    carol.sync();
    let hers = orders(&carol);
    assert_eq!(hers.len(), 1);
    assert_eq!(hers[0]["signoff"]["signer"], "Carol");
    assert_eq!(hers[0]["time"].as_array().unwrap().len(), 0, "{}", hers[0]);
    assert!(
        hers[0]["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["photos"].as_array().unwrap().is_empty())
    );
    let files: Vec<String> = carol.json(&["ticket", "show", &number])["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sha256"].as_str().unwrap().to_string())
        .collect();
    assert!(
        files.contains(&public_sha)
            && files.contains(&signature_sha)
            && files.contains(&report_sha),
        "{files:?}"
    );
    assert!(
        !files.contains(&internal_sha),
        "the internal photo reached the customer"
    );
    // No time reaches the customer, and she logs none.
    assert_eq!(
        carol.json(&["time", "show", &number])["entries"],
        serde_json::json!([])
    );
    let refused = carol.run(&["time", "log", &number, "--minutes", "5"]);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("only agents and admins log time"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let out = tmp.path().join("carol-report.pdf");
    carol.ok(&[
        "attachment",
        "get",
        &report_sha,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&report).unwrap()
    );
    let out = tmp.path().join("carol-photo");
    carol.ok(&[
        "attachment",
        "get",
        &public_sha,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&public_photo).unwrap()
    );

    // The server decides again: a customer writes no work order, and a photo must be a file
    // of the ticket.
    let id: uuid::Uuid = w["id"].as_str().unwrap().parse().unwrap();
    let item: uuid::Uuid = w["checklist"][0]["id"].as_str().unwrap().parse().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = sign_in(&server.url, "carol@acme.example").await;
        let op = c.op(
            helpdeck_core::op::Entity::WorkOrder,
            id,
            serde_json::json!({"action": "log_time", "id": uuid::Uuid::now_v7(), "kind": "work", "minutes": 600}),
        );
        assert_rejected(&c.push(&[op]).await[0], "only agents and admins");
        let ticket_id = tom.ticket_titled("UPS in the server room beeps").unwrap()["id"].clone();
        let log = |comment: Option<uuid::Uuid>| {
            serde_json::json!({"action": "log_ticket_time", "ticket_id": ticket_id,
                "minutes": 30, "comment_id": comment})
        };
        let op = c.op(
            helpdeck_core::op::Entity::TimeEntry,
            uuid::Uuid::now_v7(),
            log(None),
        );
        assert_rejected(&c.push(&[op]).await[0], "only agents and admins log time");
        let t = sign_in(&server.url, "tom@helpdesk.example").await;
        let op = t.op(
            helpdeck_core::op::Entity::TimeEntry,
            uuid::Uuid::now_v7(),
            log(Some(uuid::Uuid::now_v7())),
        );
        assert_rejected(&t.push(&[op]).await[0], "time goes with a reply or note of its own ticket");
        let t = sign_in(&server.url, "tom@helpdesk.example").await;
        let fresh = uuid::Uuid::now_v7();
        let ticket_id = tom.ticket_titled("UPS in the server room beeps").unwrap()["id"].clone();
        let create = t.op(
            helpdeck_core::op::Entity::WorkOrder,
            fresh,
            serde_json::json!({"action": "create_work_order", "ticket_id": ticket_id,
                "starts_at": "2026-12-08T01:00:00Z", "ends_at": "2026-12-08T02:00:00Z",
                "site": "Floor 3", "checklist": [{"text": "Look", "evidence": {"kind": "photo"}}]}),
        );
        let photo = t.op(
            helpdeck_core::op::Entity::WorkOrder,
            fresh,
            serde_json::json!({"action": "add_item_photo",
                "item_id": helpdeck_core::workorder::item_id(fresh, 0),
                "attachment_id": uuid::Uuid::now_v7()}),
        );
        let acks = t.push(&[create, photo]).await;
        assert_eq!(acks[0]["status"], "applied", "{}", acks[0]);
        assert_rejected(&acks[1], "attach the photo to the ticket first");
        let done = t.op(
            helpdeck_core::op::Entity::WorkOrder,
            id,
            serde_json::json!({"action": "check_item", "item_id": item, "done": false}),
        );
        assert_rejected(&t.push(&[done]).await[0], "no longer changes");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maintenance_plan_makes_each_visit_once_with_two_servers_on_postgres() {
    let Some(base) = pg_base() else {
        return;
    };
    plan_visits(Db::Postgres(fresh_pg_db(&base))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maintenance_plan_makes_each_visit_once_on_sqlite() {
    plan_visits(Db::Sqlite).await;
}

/// A weekly plan made 15 days ahead: today's visit and the next two, each a ticket with its
/// work order assigned to the technician — once, whichever server process finds them due,
/// however often the jobs run. Customers never see the plan.
async fn plan_visits(db: Db) {
    let two_servers = matches!(db, Db::Postgres(_));
    let home = ServerHome::new(db);
    home.add_user("lead@helpdesk.example", "Lead", "admin", None);
    home.add_user("tom@helpdesk.example", "Tom", "agent", None);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let first = home.start();
    let second = two_servers.then(|| home.start());
    let lead = sign_in(&first.url, "lead@helpdesk.example").await;
    // Days are the workspace's (its time zone comes with the rules of a pull).
    let page: Value = lead
        .get("/sync/pull?cursor=0")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let zone = page["rules"]["sla"]["calendar"]["timezone"]
        .as_str()
        .unwrap();
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let today = tz.to_datetime(jiff::Timestamp::now()).date();
    let plan = |name: &str, technician: &str| {
        serde_json::json!({"kind": "add_plan", "plan": {
            "id": uuid::Uuid::now_v7(), "name": name, "title": "UPS 巡检",
            "site": "3 楼机房", "asset": "UPS-3F", "technician": technician,
            "every": 1, "unit": "week", "first": today.to_string(), "at": "00:01",
            "hours": 1, "lead_days": 15,
            "checklist": [{"text": "电池电压", "evidence": {"kind": "reading", "unit": "V"}}],
        }})
    };
    // A technician who is not staff here is refused, naming who is missing.
    let r = lead
        .post("/admin/rules")
        .json(&plan("Weekly UPS", "nobody@helpdesk.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("no agent or admin nobody@helpdesk.example")
    );
    let r = lead
        .post("/admin/rules")
        .json(&plan("Weekly UPS", "tom@helpdesk.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let count = |sql: &str| home.rows(sql)[0][0].parse::<i64>().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count("SELECT count(*) FROM work_orders") != 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "three visits: {} made; server log: {}",
            count("SELECT count(*) FROM work_orders"),
            first.log_tail()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // More rounds on both processes: nothing is made twice.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(count("SELECT count(*) FROM work_orders"), 3);
    assert_eq!(count("SELECT count(*) FROM tickets"), 3);
    let tom_id =
        home.rows("SELECT id FROM users WHERE email = 'tom@helpdesk.example'")[0][0].clone();
    let mut starts: Vec<String> = Vec::new();
    for row in home.rows("SELECT doc FROM work_orders") {
        let d: Value = serde_json::from_str(&row[0]).unwrap();
        assert_eq!(d["work_order"]["technician_id"], serde_json::json!(tom_id));
        assert_eq!(d["work_order"]["checklist"][0]["text"], "电池电压");
        starts.push(d["work_order"]["starts_at"].as_str().unwrap().to_string());
    }
    starts.sort();
    starts.dedup();
    assert_eq!(starts.len(), 3, "one visit per week: {starts:?}");
    for row in home.rows("SELECT doc FROM tickets") {
        let d: Value = serde_json::from_str(&row[0]).unwrap();
        assert_eq!(d["ticket"]["title"], "UPS 巡检 — UPS-3F");
        assert_eq!(d["ticket"]["assignee_id"], serde_json::json!(tom_id));
    }
    // The customer's rules carry no plan.
    let carol = sign_in(&first.url, "carol@acme.example").await;
    let page = carol
        .get("/sync/pull?cursor=0")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Weekly UPS"), "{page}");
    drop(second);
    drop(first);
}
