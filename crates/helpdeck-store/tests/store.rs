//! Store tests on real SQLite files in temp dirs.

use helpdeck_core::record::{Dataset, TicketRecord};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Csat, Priority, Resolution};
use helpdeck_store::{
    AssigneeInput, CreateInput, ExportFormat, ImportOptions, InitOptions, SEARCH_WINDOW, Store,
    StoreError, TicketFilter, UpdateInput,
};
use sqlx::Row;

async fn new_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "Test desk".into(),
            timezone: "Asia/Shanghai".into(),
            language: "zh".into(),
            owner_name: "Wang Fang".into(),
            owner_email: "wang.fang@helpdeck.example".into(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .unwrap();
    (dir, store)
}

fn create(title: &str) -> CreateInput {
    CreateInput {
        title: title.into(),
        ..CreateInput::default()
    }
}

/// Rows per table, to prove that a refused change wrote nothing.
async fn counts(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "tickets",
        "comments",
        "events",
        "outbox",
        "users",
        "search_index",
    ] {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(store.pool())
            .await
            .unwrap();
        out.push(row.get::<i64, _>(0));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_is_opened_with_wal_and_foreign_keys() {
    let (_dir, store) = new_store().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_writes_row_event_outbox_and_index_together() {
    let (_dir, store) = new_store().await;
    let before = counts(&store).await;
    let t = store
        .tickets()
        .create_ticket(create("Printer on floor 3 jams"))
        .await
        .unwrap();
    let t = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert_eq!(t.ticket.number, "HD-1");
    assert_eq!(t.ticket.status, Status::New);
    let after = counts(&store).await;
    // tickets +1, comments 0, events +1, outbox +1, users 0, search docs +1
    let delta: Vec<i64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(delta, vec![1, 0, 1, 1, 0, 1]);
    let t2 = store
        .tickets()
        .create_ticket(create("Second"))
        .await
        .unwrap();
    let t2 = store.tickets().ticket(&t2.id.to_string()).await.unwrap();
    assert_eq!(t2.ticket.number, "HD-2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_ops_have_v7_ids_increasing_hlc_and_schema_version() {
    let (_dir, store) = new_store().await;
    store.tickets().create_ticket(create("One")).await.unwrap();
    store.tickets().reply("HD-1", "on our way").await.unwrap();
    store
        .tickets()
        .update_ticket(
            "HD-1",
            UpdateInput {
                priority: Some(Priority::P1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rows: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT op_id, hlc, schema_version, op FROM outbox ORDER BY seq")
            .fetch_all(store.pool())
            .await
            .unwrap();
    // create, the reply (whose first-response effect the server derives from it), the update
    assert_eq!(rows.len(), 3, "create, comment, update");
    let mut last_hlc: Option<uhlc_order::Key> = None;
    for (op_id, hlc, version, op) in &rows {
        let id = uuid::Uuid::parse_str(op_id).unwrap();
        assert_eq!(id.get_version_num(), 7);
        assert_eq!(*version, i64::from(helpdeck_core::op::OP_SCHEMA_VERSION));
        let op: helpdeck_core::op::Op = serde_json::from_str(op).unwrap();
        assert_eq!(op.op_id, id);
        let key = uhlc_order::key(hlc);
        if let Some(prev) = last_hlc {
            assert!(key >= prev, "hlc went backwards: {hlc}");
        }
        last_hlc = Some(key);
    }
}

/// HLC text is `<ntp64 time>/<id>`; order by the time part.
mod uhlc_order {
    pub type Key = u64;
    pub fn key(s: &str) -> Key {
        s.split('/').next().unwrap().parse().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_changes_write_nothing() {
    let (_dir, store) = new_store().await;
    store.tickets().create_ticket(create("One")).await.unwrap();
    let before = counts(&store).await;
    let err = store
        .tickets()
        .update_ticket(
            "HD-1",
            UpdateInput {
                status: Some(Status::OnHold),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot change status from new to on_hold (allowed from new: open, in_progress, pending_customer, resolved, closed)"
    );
    assert!(store.tickets().create_ticket(create("")).await.is_err());
    assert!(matches!(
        store.tickets().reply("HD-99", "x").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.tickets().reply("HD-1", "   ").await.is_err());
    let err = store
        .tickets()
        .update_ticket(
            "HD-1",
            UpdateInput {
                assignee: Some(AssigneeInput::Email("nobody@x.cn".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no agent with email nobody@x.cn"),
        "{err}"
    );
    let err = store
        .tickets()
        .resolve(
            "HD-1",
            Resolution {
                cause: "x".into(),
                solution: " ".into(),
                prevention: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("solution"), "{err}");
    assert!(
        store
            .tickets()
            .rate(
                "HD-1",
                Csat {
                    score: 5,
                    comment: None
                }
            )
            .await
            .is_err()
    );
    assert_eq!(counts(&store).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_reopen_close_and_rate() {
    let (_dir, store) = new_store().await;
    store
        .tickets()
        .create_ticket(create("Mail bounces"))
        .await
        .unwrap();
    store
        .tickets()
        .reply("HD-1", "Looking into it")
        .await
        .unwrap();
    let r = Resolution {
        cause: "Full mailbox".into(),
        solution: "Archived old mail".into(),
        prevention: None,
    };
    let t = store.tickets().resolve("HD-1", r.clone()).await.unwrap();
    let t = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert_eq!(t.ticket.status, Status::Resolved);
    assert_eq!(t.allowed_transitions, vec![Status::Closed, Status::Open]);
    let t = store.tickets().reopen("HD-1").await.unwrap();
    let t = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert_eq!(t.ticket.status, Status::Open);
    assert!(
        t.ticket.sla.resolution.as_ref().unwrap().cycle >= 1,
        "reopen starts a new resolution cycle"
    );
    store.tickets().resolve("HD-1", r).await.unwrap();
    let t = store.tickets().close("HD-1", None).await.unwrap();
    let t = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert_eq!(t.ticket.status, Status::Closed);
    let t = store
        .tickets()
        .rate(
            "HD-1",
            Csat {
                score: 5,
                comment: Some("快".into()),
            },
        )
        .await
        .unwrap();
    let t = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert_eq!(t.csat.unwrap().score, 5);
    let status_events: Vec<_> = t.events.iter().filter(|e| e.field == "status").collect();
    assert_eq!(status_events.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_response_counts_public_replies_not_notes() {
    let (_dir, store) = new_store().await;
    store
        .tickets()
        .create_ticket(create("Laptop will not boot"))
        .await
        .unwrap();
    let t = store.tickets().note("HD-1", "checked BIOS").await.unwrap();
    let t = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert!(t.ticket.first_response_at.is_none());
    assert_eq!(
        t.ticket.sla.first_response.as_ref().unwrap().state,
        helpdeck_core::sla::SlaState::Running
    );
    let t = store.tickets().reply("HD-1", "We are on it").await.unwrap();
    let t = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert!(t.ticket.first_response_at.is_some());
    assert_eq!(
        t.ticket.sla.first_response.as_ref().unwrap().state,
        helpdeck_core::sla::SlaState::Met
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_chinese_and_english_with_snippets() {
    let (_dir, store) = new_store().await;
    store
        .tickets()
        .create_ticket(CreateInput {
            title: "三楼网络打印机无法打印".into(),
            body: "财务部的打印机显示脱机".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .tickets()
        .create_ticket(CreateInput {
            title: "VPN drops every ten minutes".into(),
            body: "Remote staff lose the network connection".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .tickets()
        .create_ticket(create("Outlook 无法同步邮件"))
        .await
        .unwrap();
    store
        .tickets()
        .note("HD-3", "邮箱配额已满, printer unrelated")
        .await
        .unwrap();

    let numbers = |hits: Vec<helpdeck_store::SearchHit>| {
        hits.into_iter().map(|h| h.number).collect::<Vec<_>>()
    };
    assert_eq!(
        numbers(store.tickets().search("网络", 10, 0).await.unwrap().hits),
        vec!["HD-1"]
    );
    assert_eq!(
        numbers(store.tickets().search("打印", 10, 0).await.unwrap().hits),
        vec!["HD-1"]
    );
    assert_eq!(
        numbers(store.tickets().search("网", 10, 0).await.unwrap().hits),
        vec!["HD-1"]
    );
    assert_eq!(
        numbers(store.tickets().search("邮件", 10, 0).await.unwrap().hits),
        vec!["HD-3"]
    );
    assert_eq!(
        numbers(store.tickets().search("配额", 10, 0).await.unwrap().hits),
        vec!["HD-3"],
        "comments are searched"
    );
    // A comment on an older ticket, written after a newer ticket's: found on its own ticket.
    store
        .tickets()
        .note("HD-1", "toner cartridge empty")
        .await
        .unwrap();
    assert_eq!(
        numbers(store.tickets().search("toner", 10, 0).await.unwrap().hits),
        vec!["HD-1"]
    );
    assert_eq!(
        numbers(store.tickets().search("vpn", 10, 0).await.unwrap().hits),
        vec!["HD-2"]
    );
    assert_eq!(
        numbers(store.tickets().search("netw*", 10, 0).await.unwrap().hits),
        vec!["HD-2"]
    );
    assert_eq!(
        numbers(
            store
                .tickets()
                .search("network vpn", 10, 0)
                .await
                .unwrap()
                .hits
        ),
        vec!["HD-2"]
    );
    assert!(
        store
            .tickets()
            .search("打字机", 10, 0)
            .await
            .unwrap()
            .hits
            .is_empty()
    );
    let hit = &store.tickets().search("打印机", 10, 0).await.unwrap().hits[0];
    assert_eq!(hit.title_html, "三楼网络<mark>打印机</mark>无法打印");
    assert!(
        hit.snippet_html.contains("<mark>打印机</mark>"),
        "{}",
        hit.snippet_html
    );
    // Title edits are re-indexed.
    store
        .tickets()
        .update_ticket(
            "HD-2",
            UpdateInput {
                title: Some("Wi-Fi drops".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .tickets()
            .search("vpn", 10, 0)
            .await
            .unwrap()
            .hits
            .is_empty()
    );
    assert!(store.tickets().search("\"", 10, 0).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_filters_and_sorts() {
    let (_dir, store) = new_store().await;
    store
        .tickets()
        .create_ticket(CreateInput {
            title: "low".into(),
            priority: Some(Priority::P4),
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .tickets()
        .create_ticket(CreateInput {
            title: "outage".into(),
            priority: Some(Priority::P1),
            assignee: Some(AssigneeInput::Me),
            ..Default::default()
        })
        .await
        .unwrap();
    let all = store
        .tickets()
        .list_tickets(&TicketFilter::default())
        .await
        .unwrap();
    assert_eq!(all[0].number, "HD-2", "P1 is due first");
    let mine = store
        .tickets()
        .list_tickets(&TicketFilter {
            assignee: helpdeck_store::AssigneeFilter::Me,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    let unassigned = store
        .tickets()
        .list_tickets(&TicketFilter {
            assignee: helpdeck_store::AssigneeFilter::Nobody,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(unassigned[0].number, "HD-1");
    let p4 = store
        .tickets()
        .list_tickets(&TicketFilter {
            priority: Some(Priority::P4),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(p4.len(), 1);
    // Counts agree with the lists they size.
    for filter in [
        TicketFilter::default(),
        TicketFilter {
            assignee: helpdeck_store::AssigneeFilter::Me,
            ..Default::default()
        },
        TicketFilter {
            assignee: helpdeck_store::AssigneeFilter::Nobody,
            ..Default::default()
        },
        TicketFilter {
            assignee: helpdeck_store::AssigneeFilter::Email("wang.fang@helpdeck.example".into()),
            ..Default::default()
        },
        TicketFilter {
            priority: Some(Priority::P4),
            ..Default::default()
        },
        TicketFilter {
            breaching: true,
            ..Default::default()
        },
        TicketFilter {
            all_statuses: true,
            ..Default::default()
        },
    ] {
        let listed = store.tickets().list_tickets(&filter).await.unwrap().len() as i64;
        assert_eq!(
            store.tickets().count_tickets(&filter).await.unwrap(),
            listed,
            "{filter:?}"
        );
    }
    store
        .tickets()
        .resolve(
            "HD-2",
            Resolution {
                cause: "c".into(),
                solution: "s".into(),
                prevention: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .tickets()
            .list_tickets(&TicketFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    let resolved = store
        .tickets()
        .list_tickets(&TicketFilter {
            statuses: vec![Status::Resolved],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(resolved[0].number, "HD-2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_get_distinct_numbers() {
    let (dir, store) = new_store().await;
    let other = Store::open(dir.path()).await.unwrap();
    let a = async {
        for i in 0..20 {
            store
                .tickets()
                .create_ticket(create(&format!("a{i}")))
                .await
                .unwrap();
        }
    };
    let b = async {
        for i in 0..20 {
            other
                .tickets()
                .create_ticket(create(&format!("b{i}")))
                .await
                .unwrap();
        }
    };
    tokio::join!(a, b);
    let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM tickets ORDER BY number")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
}

fn sample_record(title: &str) -> TicketRecord {
    serde_json::from_value(serde_json::json!({
        "title": title,
        "description": "imported",
        "kind": "incident",
        "category": "network",
        "status": "in_progress",
        "priority": "P2",
        "channel": "email",
        "tier": "L1",
        "requester": "zhao.lei@client.cn",
        "created_at": "2026-11-20T01:00:00Z",
        "updated_at": "2026-11-20T02:00:00Z",
        "history": [{"at": "2026-11-20T02:00:00Z", "from": "new", "to": "in_progress"}],
        "comments": [{"author": "zhao.lei@client.cn", "visibility": "public", "body": "still down",
                      "created_at": "2026-11-20T01:30:00Z"}]
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_with_a_bad_row_imports_nothing_and_names_it() {
    let (_dir, store) = new_store().await;
    let before = counts(&store).await;
    let mut bad = sample_record("second");
    bad.category = "plumbing".into();
    let data = Dataset {
        tickets: vec![sample_record("first"), bad],
        ..Default::default()
    };
    let err = store
        .transfer()
        .import(&data, ImportOptions { outbox: true })
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "import: ticket 2: unknown category 'plumbing' (allowed: hardware, software, network, account_access, other); nothing was imported"
    );
    let err = helpdeck_store::parse_json(r#"[{"title": "x", "priority": "P9"}]"#).unwrap_err();
    assert!(err.to_string().starts_with("import: ticket 1: "), "{err}");
    let csv = "title,kind,category,status,priority,channel,tier,created_at,updated_at\n\
               ok,incident,network,new,P3,phone,L1,2026-11-20T01:00:00Z,2026-11-20T01:00:00Z\n\
               bad,incident,network,new,P9,phone,L1,2026-11-20T01:00:00Z,2026-11-20T01:00:00Z\n";
    let err = helpdeck_store::parse_csv(csv).unwrap_err();
    assert_eq!(
        err.to_string(),
        "import: line 3: priority: unknown priority 'P9' (allowed: P1, P2, P3, P4); nothing was imported"
    );
    assert_eq!(counts(&store).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_round_trips_json_and_csv() {
    let (_dir, a) = new_store().await;
    a.transfer()
        .import(
            &Dataset {
                tickets: vec![sample_record("路由器重启后网络中断")],
                ..Default::default()
            },
            ImportOptions { outbox: true },
        )
        .await
        .unwrap();
    a.tickets()
        .create_ticket(CreateInput {
            title: "Printer toner".into(),
            requester: Some("amy@client.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    a.tickets().reply("HD-2", "Toner ordered").await.unwrap();
    a.tickets()
        .resolve(
            "HD-2",
            Resolution {
                cause: "Empty".into(),
                solution: "Replaced".into(),
                prevention: Some("Stock".into()),
            },
        )
        .await
        .unwrap();
    let original = a.transfer().export_dataset().await.unwrap();
    assert_eq!(original.tickets.len(), 2);

    for format in [ExportFormat::Json, ExportFormat::Csv] {
        let mut buf = Vec::new();
        a.transfer().export(format, &mut buf).await.unwrap();
        let text = String::from_utf8(buf).unwrap();
        let parsed = match format {
            ExportFormat::Json => helpdeck_store::parse_json(&text).unwrap(),
            ExportFormat::Csv => helpdeck_store::parse_csv(&text).unwrap(),
        };
        let (_dir_b, b) = new_store().await;
        b.transfer()
            .import(&parsed, ImportOptions { outbox: true })
            .await
            .unwrap();
        let copy = b.transfer().export_dataset().await.unwrap();
        for (x, y) in original.tickets.iter().zip(&copy.tickets) {
            assert_eq!(x.id, y.id);
            assert_eq!(x.number, y.number);
            assert_eq!(x.title, y.title);
            assert_eq!(x.status, y.status);
            assert_eq!(x.priority, y.priority);
            assert_eq!(x.requester, y.requester);
            assert_eq!(x.resolution, y.resolution);
            assert_eq!(x.created_at, y.created_at);
            if format == ExportFormat::Json {
                assert_eq!(x.comments, y.comments);
                assert_eq!(
                    x.history.iter().map(|h| (h.from, h.to)).collect::<Vec<_>>(),
                    y.history.iter().map(|h| (h.from, h.to)).collect::<Vec<_>>()
                );
            }
        }
        // A second import of the same file collides and imports nothing.
        let err = b
            .transfer()
            .import(&parsed, ImportOptions { outbox: true })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        // New tickets continue after the imported numbers.
        let next = b
            .tickets()
            .create_ticket(create("after import"))
            .await
            .unwrap();
        let next = b.tickets().ticket(&next.id.to_string()).await.unwrap();
        assert_eq!(next.ticket.number, "HD-3");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_refuses_to_overwrite_and_open_needs_a_workspace() {
    let (dir, store) = new_store().await;
    store
        .tickets()
        .create_ticket(create("keep me"))
        .await
        .unwrap();
    let err = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "x".into(),
            timezone: "UTC".into(),
            language: "en".into(),
            owner_name: "x".into(),
            owner_email: "x@y.cn".into(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .err()
    .unwrap();
    assert!(matches!(err, StoreError::WorkspaceExists(_)));
    assert_eq!(
        store
            .tickets()
            .list_tickets(&TicketFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Store::open(empty.path()).await,
        Err(StoreError::NoWorkspace(_))
    ));
    let err = Store::init_with_key(
        empty.path(),
        InitOptions {
            name: "x".into(),
            timezone: "Mars/Olympus".into(),
            language: "en".into(),
            owner_name: "x".into(),
            owner_email: "x@y.cn".into(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains("Mars/Olympus"), "{err}");
    assert!(
        !empty.path().join(helpdeck_store::DB_FILE).exists(),
        "nothing written on bad input"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_jobs_auto_close_resolved_tickets_once_as_helpdeck() {
    let (dir, mut store) = new_store().await;
    let start = helpdeck_core::Timestamp::now();
    let at = std::sync::Arc::new(std::sync::Mutex::new(start));
    let clock = at.clone();
    store.set_now(std::sync::Arc::new(move || *clock.lock().unwrap()));
    for title in ["Old fix", "Fresh fix"] {
        store.tickets().create_ticket(create(title)).await.unwrap();
    }
    let r = Resolution {
        cause: "Toner".into(),
        solution: "Replaced".into(),
        prevention: None,
    };
    store.tickets().resolve("HD-1", r.clone()).await.unwrap();
    // Three days and a minute later the second is resolved; the first is due, it is not.
    *at.lock().unwrap() = start + jiff::SignedDuration::from_secs(3 * 86_400 + 60);
    store.tickets().resolve("HD-2", r).await.unwrap();
    let closed = store.jobs().run_jobs().await.unwrap();
    assert_eq!(closed.len(), 1);
    assert!(store.jobs().run_jobs().await.unwrap().is_empty(), "once");
    let t = store.tickets().ticket("HD-1").await.unwrap();
    assert_eq!(t.ticket.status, Status::Closed);
    let close = t
        .events
        .iter()
        .find(|e| e.field == "status" && e.to.as_deref() == Some("closed"))
        .unwrap();
    assert_eq!(
        close.actor.as_ref().map(|a| a.name.as_str()),
        Some("Helpdeck")
    );
    assert_eq!(
        store.tickets().ticket("HD-2").await.unwrap().ticket.status,
        Status::Resolved
    );
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_rating_opens_the_follow_up_and_each_level_records_its_outcome() {
    use helpdeck_core::followup::{Level, Outcome};
    use helpdeck_store::{FollowUpInput, FollowUpScope};
    let (_dir, store) = new_store().await;
    let owner = "wang.fang@helpdeck.example";
    store
        .tickets()
        .create_ticket(CreateInput {
            assignee: Some(AssigneeInput::Me),
            ..create("Printer jams")
        })
        .await
        .unwrap();
    let r = Resolution {
        cause: "Worn roller".into(),
        solution: "Replaced the roller".into(),
        prevention: None,
    };
    store.tickets().resolve("HD-1", r).await.unwrap();
    let input = |outcome, note: &str, next: Option<&str>| FollowUpInput {
        outcome,
        note: note.into(),
        next_owner: next.map(str::to_string),
    };
    // No follow-up before a low rating: a clear refusal, nothing written.
    let before = counts(&store).await;
    let err = store
        .followups()
        .record("HD-1", input(Outcome::Recovered, "called", None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("rating of 1 or 2"), "{err}");
    assert_eq!(counts(&store).await, before);

    store
        .tickets()
        .rate(
            "HD-1",
            Csat {
                score: 2,
                comment: Some("Took three days".into()),
            },
        )
        .await
        .unwrap();
    let d = store.tickets().ticket("HD-1").await.unwrap();
    let f = d.followup.expect("a rating of 2 opens the follow-up");
    assert!(f.open && !f.recovered);
    assert_eq!(f.steps.len(), 1);
    assert_eq!(f.steps[0].level, Level::Handler);
    assert_eq!(
        f.steps[0].owner.as_ref().unwrap().email,
        owner,
        "the handler calls first"
    );
    assert!(f.steps[0].due_at > f.steps[0].opened_at);
    assert!(d.events.iter().any(|e| e.field == "callback"));
    let tasks = store.followups().list(FollowUpScope::Mine).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].number, "HD-1");
    assert_eq!(tasks[0].score, 2);

    // A note is required; an unknown next caller is refused by name.
    let err = store
        .followups()
        .record("HD-1", input(Outcome::NotRecovered, "  ", None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("note"), "{err}");
    let err = store
        .followups()
        .record(
            "HD-1",
            input(Outcome::NotRecovered, "Apologised", Some("nobody@x.cn")),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nobody@x.cn"), "{err}");
    assert_eq!(
        store
            .tickets()
            .ticket("HD-1")
            .await
            .unwrap()
            .followup
            .unwrap()
            .steps
            .len(),
        1
    );

    store
        .followups()
        .record(
            "HD-1",
            input(
                Outcome::NotRecovered,
                "Apologised; still unhappy",
                Some(owner),
            ),
        )
        .await
        .unwrap();
    let f = store
        .tickets()
        .ticket("HD-1")
        .await
        .unwrap()
        .followup
        .unwrap();
    assert_eq!(f.steps.len(), 2);
    assert_eq!(f.steps[0].outcome, Some(Outcome::NotRecovered));
    assert_eq!(f.steps[1].level, Level::Supervisor);
    store
        .followups()
        .record(
            "HD-1",
            input(Outcome::Recovered, "Offered a loan printer", None),
        )
        .await
        .unwrap();
    let f = store
        .tickets()
        .ticket("HD-1")
        .await
        .unwrap()
        .followup
        .unwrap();
    assert!(
        !f.open && f.recovered && f.steps.len() == 2,
        "no expert once recovered"
    );
    assert!(
        store
            .followups()
            .list(FollowUpScope::All)
            .await
            .unwrap()
            .is_empty()
    );
    let err = store
        .followups()
        .record("HD-1", input(Outcome::Recovered, "again", None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("finished"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_rating_opens_no_follow_up() {
    let (_dir, store) = new_store().await;
    store.tickets().create_ticket(create("VPN")).await.unwrap();
    let r = Resolution {
        cause: "Expired cert".into(),
        solution: "Renewed".into(),
        prevention: None,
    };
    store.tickets().resolve("HD-1", r).await.unwrap();
    store
        .tickets()
        .rate(
            "HD-1",
            Csat {
                score: 4,
                comment: None,
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .tickets()
            .ticket("HD-1")
            .await
            .unwrap()
            .followup
            .is_none()
    );
    assert!(
        store
            .followups()
            .list(helpdeck_store::FollowUpScope::All)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn comment_documents_written_before_their_rowids_carried_the_ticket_are_moved() {
    let dir = tempfile::tempdir().unwrap();
    let key = helpdeck_store::StoreKey::random();
    let options = || InitOptions {
        name: "Test desk".into(),
        timezone: "Asia/Shanghai".into(),
        language: "en".into(),
        owner_name: "Wang Fang".into(),
        owner_email: "wang.fang@helpdeck.example".into(),
    };
    let store = Store::init_with_key(dir.path(), options(), key.clone())
        .await
        .unwrap();
    for title in ["Printer jams", "VPN drops", "Outlook asks for the password"] {
        store.tickets().create_ticket(create(title)).await.unwrap();
    }
    store
        .tickets()
        .note("HD-2", "certificate expired")
        .await
        .unwrap();
    store
        .tickets()
        .note("HD-1", "toner cartridge empty")
        .await
        .unwrap();
    store
        .tickets()
        .note("HD-3", "mailbox quota full")
        .await
        .unwrap();
    // The comment documents as the previous release wrote them (rowid 2^40 + comment seq),
    // and the migration not applied yet.
    {
        let mut conn = store.pool().acquire().await.unwrap();
        for sql in [
            "CREATE TEMP TABLE old_docs AS SELECT 1099511627776 + c.seq AS doc, d.body AS body, \
             d.ticket_seq AS ticket_seq FROM search_index d JOIN comments c \
             ON d.rowid = 4611686018427387904 + ((SELECT seq FROM tickets WHERE id = c.ticket_id) << 30) + (c.seq & 1073741823)",
            "DELETE FROM search_index WHERE rowid >= 1099511627776",
            "INSERT INTO search_index (rowid, title, body, ticket_seq) SELECT doc, '', body, ticket_seq FROM old_docs",
            "DROP TABLE old_docs",
            "DROP INDEX tickets_seq_open",
            "DELETE FROM _sqlx_migrations WHERE version = 20261206000004",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        let old: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM search_index WHERE rowid BETWEEN 1099511627776 AND 4611686018427387903",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(old, 3, "three comment documents in the old form");
    }
    store.shutdown().await;

    let store = Store::open_with_key(dir.path(), key).await.unwrap();
    let numbers = |hits: Vec<helpdeck_store::SearchHit>| {
        hits.into_iter().map(|h| h.number).collect::<Vec<_>>()
    };
    for (query, ticket) in [
        ("toner", "HD-1"),
        ("certificate", "HD-2"),
        ("quota", "HD-3"),
    ] {
        assert_eq!(
            numbers(store.tickets().search(query, 10, 0).await.unwrap().hits),
            vec![ticket],
            "{query}"
        );
    }
    let moved: i64 =
        sqlx::query_scalar("SELECT count(*) FROM search_index WHERE rowid >= 4611686018427387904")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(moved, 3);
    store.shutdown().await;
}

/// A common word at scale: a search walks the newest matches and stops past
/// `SEARCH_WINDOW` tickets; the total then says "more than", the page shows the newest open
/// tickets first, and a filter that leaves fewer matches counts them exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_matching_more_than_it_counts_says_so_and_shows_the_newest() {
    let (_dir, store) = new_store().await;
    let n = SEARCH_WINDOW as usize + 5;
    let tickets = (1..=n)
        .map(|i| {
            let mut r = sample_record(&format!("printer jam on floor {i}"));
            if i % 5 == 0 {
                r.status = Status::Resolved;
                r.resolution = Some(Resolution {
                    cause: "paper".into(),
                    solution: "cleared".into(),
                    prevention: None,
                });
                r.history.push(
                    serde_json::from_value(serde_json::json!(
                        {"at": "2026-11-20T03:00:00Z", "from": "in_progress", "to": "resolved"}
                    ))
                    .unwrap(),
                );
            }
            r
        })
        .collect();
    store
        .transfer()
        .import(
            &Dataset {
                tickets,
                ..Default::default()
            },
            ImportOptions { outbox: false },
        )
        .await
        .unwrap();

    let page = store.tickets().search("printer", 20, 0).await.unwrap();
    assert!(!page.total_exact, "{} tickets match", n);
    assert_eq!(page.total, SEARCH_WINDOW);
    // Open tickets first, the newest of them first (equal text ranks).
    let numbers: Vec<String> = page.hits.iter().map(|h| h.number.clone()).collect();
    let newest_open: Vec<String> = (1..=n)
        .rev()
        .filter(|i| i % 5 != 0)
        .take(20)
        .map(|i| format!("HD-{i}"))
        .collect();
    assert_eq!(numbers, newest_open);
    assert!(page.hits.iter().all(|h| h.status != Status::Resolved));

    // A filter that leaves fewer matches than the window: counted exactly.
    let resolved = store
        .tickets()
        .search("printer status:resolved", 20, 0)
        .await
        .unwrap();
    assert!(resolved.total_exact);
    assert_eq!(resolved.total, (n / 5) as i64);
    assert_eq!(resolved.hits[0].number, format!("HD-{}", n / 5 * 5));

    // A word only a few tickets have: exact as before.
    let few = store.tickets().search("floor 2005", 20, 0).await.unwrap();
    assert!(few.total_exact);
    assert_eq!(few.total, 1);

    // Paging past the window walks further: the last page ends with the oldest resolved
    // tickets (open-first order over every match), and the total is exact again.
    let last = store
        .tickets()
        .search("printer", 5, (n - 5) as u32)
        .await
        .unwrap();
    assert!(last.total_exact);
    assert_eq!(last.total, n as i64);
    let numbers: Vec<&str> = last.hits.iter().map(|h| h.number.as_str()).collect();
    assert_eq!(numbers, ["HD-25", "HD-20", "HD-15", "HD-10", "HD-5"]);
}

/// A ticket that matches in its own title or description ranks before one that matches only
/// in a comment, even when the comment's ticket is newer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_text_matches_rank_before_comment_only_matches() {
    let (_dir, store) = new_store().await;
    let own = store
        .tickets()
        .create_ticket(create("Toner low on the third floor"))
        .await
        .unwrap();
    let other = store
        .tickets()
        .create_ticket(create("Printer makes a noise"))
        .await
        .unwrap();
    store
        .tickets()
        .reply(
            &format!("HD-{}", other.number),
            "Replaced the toner as well",
        )
        .await
        .unwrap();
    let page = store.tickets().search("toner", 20, 0).await.unwrap();
    assert!(page.total_exact);
    assert_eq!(page.total, 2);
    let numbers: Vec<&str> = page.hits.iter().map(|h| h.number.as_str()).collect();
    let (own, other) = (format!("HD-{}", own.number), format!("HD-{}", other.number));
    assert_eq!(numbers, vec![own.as_str(), other.as_str()]);
}

/// The queue totals the database keeps (`ticket_counts`) stay what counting the tickets says
/// through every kind of write, and `count_tickets` answers from them what a count answers.
#[tokio::test]
async fn queue_totals_kept_by_the_database_follow_every_write() {
    let (_dir, mut store) = new_store().await;
    let clock = std::sync::Arc::new(std::sync::Mutex::new(jiff::Timestamp::now()));
    let pinned = clock.clone();
    store.set_now(std::sync::Arc::new(move || *pinned.lock().unwrap()));
    store.transfer().demo(300, 11).await.unwrap();
    let t = store.tickets();
    let a = t.create_ticket(create("打印机卡纸")).await.unwrap();
    let b = t.create_ticket(create("VPN drops")).await.unwrap();
    let c = t.create_ticket(create("VPN drops again")).await.unwrap();
    let key = |n: i64| format!("HD-{n}");
    t.update_ticket(
        &key(a.number),
        UpdateInput {
            priority: Some(Priority::P1),
            assignee: Some(AssigneeInput::Me),
            ..UpdateInput::default()
        },
    )
    .await
    .unwrap();
    t.update_ticket(
        &key(a.number),
        UpdateInput {
            assignee: Some(AssigneeInput::Nobody),
            status: Some(Status::PendingCustomer),
            ..UpdateInput::default()
        },
    )
    .await
    .unwrap();
    t.resolve(
        &key(b.number),
        Resolution {
            cause: "c".into(),
            solution: "s".into(),
            prevention: None,
        },
    )
    .await
    .unwrap();
    t.reopen(&key(b.number)).await.unwrap();
    t.close(&key(b.number), Some("done".into())).await.unwrap();
    store
        .links()
        .merge(&key(c.number), &key(a.number))
        .await
        .unwrap();

    let report = store.check().await.unwrap();
    assert_eq!(report.stale_queue_counts, 0, "{report:?}");
    assert_eq!(report.stale_risk_counts, 0, "{report:?}");
    let counted = |condition: String| {
        let pool = store.pool().clone();
        async move {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT count(*) FROM tickets WHERE {condition}"
            )))
            .fetch_one(&pool)
            .await
            .unwrap();
            n
        }
    };
    let cases = [
        (TicketFilter::default(), "is_open = 1"),
        (
            TicketFilter {
                priority: Some(Priority::P2),
                ..Default::default()
            },
            "is_open = 1 AND priority = 'P2'",
        ),
        (
            TicketFilter {
                assignee: helpdeck_store::AssigneeFilter::Nobody,
                ..Default::default()
            },
            "is_open = 1 AND assignee_id IS NULL",
        ),
        (
            TicketFilter {
                statuses: vec![Status::PendingCustomer],
                ..Default::default()
            },
            "status = 'pending_customer'",
        ),
        (
            TicketFilter {
                statuses: vec![Status::Resolved, Status::Closed],
                priority: Some(Priority::P3),
                ..Default::default()
            },
            "status IN ('resolved', 'closed') AND priority = 'P3'",
        ),
        (
            TicketFilter {
                all_statuses: true,
                ..Default::default()
            },
            "1 = 1",
        ),
    ];
    let now_ms = |clock: &std::sync::Mutex<jiff::Timestamp>| clock.lock().unwrap().as_millisecond();
    let breaching = TicketFilter {
        breaching: true,
        ..Default::default()
    };
    for (filter, condition) in cases {
        let expected = counted(condition.to_string()).await;
        assert!(expected > 0, "{condition}: the demo has such tickets");
        assert_eq!(
            t.count_tickets(&filter).await.unwrap(),
            expected,
            "{condition}"
        );
    }
    // Breaching soon: the clock moves on (within today, then days later) and the total with it.
    for hours in [0, 3, 50, 24 * 9] {
        let at = *clock.lock().unwrap() + jiff::SignedDuration::from_hours(hours);
        *clock.lock().unwrap() = at;
        let expected = counted(format!(
            "is_open = 1 AND sla_at_risk_at <= {}",
            now_ms(&clock)
        ))
        .await;
        assert!(expected > 0, "the demo has tickets at risk");
        assert_eq!(
            t.count_tickets(&breaching).await.unwrap(),
            expected,
            "{hours} h on"
        );
    }
    assert_eq!(store.check().await.unwrap().stale_risk_counts, 0);

    // The check sees a kept total that is off.
    sqlx::query(
        "UPDATE ticket_counts SET n = n + 1 WHERE (status, is_open, priority, assigned) = \
         (SELECT status, is_open, priority, assigned FROM ticket_counts ORDER BY n DESC LIMIT 1)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let report = store.check().await.unwrap();
    assert_eq!(report.stale_queue_counts, 1);
    assert!(!report.ok());
    sqlx::query("UPDATE risk_counts SET n = n - 1 WHERE day = (SELECT max(day) FROM risk_counts)")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.check().await.unwrap().stale_risk_counts, 1);
}
