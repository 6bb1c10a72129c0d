//! The monitor's persistence: watched tickets, once-only claims across processes, activity
//! since a cursor, notification preferences, and editing policy targets.

use helpdeck_core::notify::{EventKind, Fired, NotificationPrefs, QuietHours, Scope};
use helpdeck_core::sla::TargetSpec;
use helpdeck_core::sla::monitor::Monitor;
use helpdeck_core::ticket::Priority;
use helpdeck_store::{
    AssigneeInput, CreateInput, InitOptions, PolicyTargetsInput, Store, UpdateInput,
};

async fn new_store() -> (tempfile::TempDir, Store) {
    new_store_with(helpdeck_store::StoreKey::random()).await
}

async fn new_store_with(key: helpdeck_store::StoreKey) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "Test desk".into(),
            timezone: "UTC".into(),
            language: "en".into(),
            owner_name: "Wang Fang".into(),
            owner_email: "wang.fang@helpdeck.example".into(),
        },
        key,
    )
    .await
    .unwrap();
    (dir, store)
}

fn p1(title: &str) -> CreateInput {
    CreateInput {
        title: title.into(),
        priority: Some(Priority::P1),
        ..CreateInput::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_are_claimed_once_across_processes_and_restarts() {
    let (dir, store) = new_store().await;
    let t = store
        .tickets()
        .create_ticket(p1("Server down"))
        .await
        .unwrap();
    let watched = store.sla().watched_open_tickets().await.unwrap();
    assert_eq!(watched.len(), 1);
    assert_eq!(watched[0].ticket.number, t.number);
    let mut m = Monitor::new();
    m.upsert(&watched[0].ticket);
    let wake = m
        .next_wake()
        .expect("a P1 schedules its first response warning");
    let alerts = m.poll(wake);
    assert_eq!(alerts.len(), 1);
    let fired: Vec<(Fired, bool)> = alerts.into_iter().map(|a| (Fired::Sla(a), true)).collect();
    assert_eq!(
        store.sla().claim_alerts(&fired, wake).await.unwrap(),
        [true]
    );
    // A second process on the same workspace loses the race.
    let other = Store::open(dir.path()).await.unwrap();
    assert_eq!(
        other.sla().claim_alerts(&fired, wake).await.unwrap(),
        [false]
    );
    // A restarted monitor learns the key and does not fire it again.
    let mut restarted = Monitor::new();
    restarted.restore_fired(other.sla().fired_sla_keys().await.unwrap());
    restarted.upsert(&other.sla().watched_tickets(&[t.id]).await.unwrap()[0].ticket);
    assert!(restarted.poll(wake).is_empty());
    assert!(restarted.next_wake().unwrap() > wake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_since_the_cursor_names_changed_tickets() {
    let (_dir, store) = new_store().await;
    store.tickets().create_ticket(p1("Old")).await.unwrap();
    // First run: history is not news.
    let start = store.sla().activity_cursor().await.unwrap();
    assert!(
        store
            .sla()
            .activity_since(start)
            .await
            .unwrap()
            .changed
            .is_empty()
    );
    let t = store.tickets().create_ticket(p1("New")).await.unwrap();
    store
        .tickets()
        .update_ticket(
            &t.id.to_string(),
            UpdateInput {
                assignee: Some(AssigneeInput::Me),
                ..UpdateInput::default()
            },
        )
        .await
        .unwrap();
    store
        .tickets()
        .reply(&t.id.to_string(), "On it")
        .await
        .unwrap();
    let since = store.sla().activity_since(start).await.unwrap();
    assert_eq!(since.changed, [t.id]);
    assert!(since.cursor.events_seq > start.events_seq);
    assert!(since.cursor.comments_seq > start.comments_seq);
    assert!(since.activity.len() >= 2, "{:?}", since.activity);
    store
        .sla()
        .save_activity_cursor(since.cursor)
        .await
        .unwrap();
    assert_eq!(store.sla().activity_cursor().await.unwrap(), since.cursor);
    // Our own assignment is not an alert for us.
    let me = store.sla().recipient();
    assert!(
        since
            .activity
            .iter()
            .all(|a| helpdeck_core::notify::activity_alert(a, &me).is_none())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_round_trip() {
    let (_dir, store) = new_store().await;
    assert_eq!(
        store.sla().notification_prefs().await.unwrap(),
        NotificationPrefs::default()
    );
    let prefs = NotificationPrefs {
        disabled: vec![EventKind::AtRisk],
        quiet_hours: Some(QuietHours::parse("22:00-07:00").unwrap()),
        do_not_disturb: true,
        scope: Scope::All,
    };
    store.sla().set_notification_prefs(&prefs).await.unwrap();
    assert_eq!(store.sla().notification_prefs().await.unwrap(), prefs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_targets_are_validated_stored_and_applied() {
    let (dir, store) = new_store().await;
    let t = store.tickets().create_ticket(p1("Slow")).await.unwrap();
    let err = store
        .sla()
        .set_policy_targets(PolicyTargetsInput {
            first_response: Some(TargetSpec::wall(1)),
            ..PolicyTargetsInput::default()
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("which priority"), "{err}");
    let err = store
        .sla()
        .set_policy_targets(PolicyTargetsInput {
            priority: Some(Priority::P1),
            resolution: Some(TargetSpec::wall(0)),
            ..PolicyTargetsInput::default()
        })
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("P1 resolution is 0 minutes"),
        "{err}"
    );
    let policy = store
        .sla()
        .set_policy_targets(PolicyTargetsInput {
            priority: Some(Priority::P1),
            first_response: Some(TargetSpec::wall(1)),
            warning_threshold_pct: Some(50),
            warning_min_left_minutes: Some(0),
            ..PolicyTargetsInput::default()
        })
        .await
        .unwrap();
    assert_eq!(policy.warning_threshold_pct, 50);
    // Stored: a fresh open sees it, and the open ticket's due time moved.
    let reopened = Store::open(dir.path()).await.unwrap();
    assert_eq!(
        reopened
            .sla()
            .default_policy()
            .targets_for(Priority::P1)
            .first_response,
        TargetSpec::wall(1)
    );
    let detail = reopened.tickets().ticket(&t.id.to_string()).await.unwrap();
    let due = detail.ticket.sla.next_due_at.unwrap();
    let expected = t
        .created_at
        .checked_add(jiff::SignedDuration::from_mins(1))
        .unwrap();
    assert_eq!(due.as_millisecond(), expected.as_millisecond());
}

/// Opens the workspace file itself (what a damaged or older file would hold).
async fn raw(dir: &std::path::Path, key: &helpdeck_store::StoreKey) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join(helpdeck_store::DB_FILE))
        .pragma("key", format!("\"x'{}'\"", key.to_hex().as_str()))
        .connect()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_tickets_are_watched_from_the_history_kept_on_their_rows() {
    let key = helpdeck_store::StoreKey::random();
    let (dir, store) = new_store_with(key.clone()).await;
    let replied = store.tickets().create_ticket(p1("VPN down")).await.unwrap();
    store
        .tickets()
        .reply(&replied.number.to_string(), "Looking at it")
        .await
        .unwrap();
    let waiting = store.tickets().create_ticket(p1("Printer")).await.unwrap();
    store
        .tickets()
        .update_ticket(
            &waiting.number.to_string(),
            UpdateInput {
                status: Some(helpdeck_core::status::Status::PendingCustomer),
                ..UpdateInput::default()
            },
        )
        .await
        .unwrap();
    // What the monitor reads from the rows is what it read from events and comments.
    let kept = store.sla().watched_open_tickets().await.unwrap();
    let replayed = store
        .sla()
        .watched_tickets(&[replied.id, waiting.id])
        .await
        .unwrap();
    let key_of = |w: &helpdeck_store::WatchedTicket| (w.ticket.number, w.ticket.report.clone());
    let mut a: Vec<_> = kept.iter().map(key_of).collect();
    let mut b: Vec<_> = replayed.iter().map(key_of).collect();
    a.sort_by_key(|x| x.0);
    b.sort_by_key(|x| x.0);
    assert_eq!(a, b);
    assert_eq!(store.check().await.unwrap().stale_sla_histories, 0);

    // A kept history that disagrees with the events is found by `check`.
    let mut c = raw(dir.path(), &key).await;
    sqlx::query("UPDATE tickets SET sla_history = '{\"s\":[],\"r\":[]}' WHERE number = ?")
        .bind(replied.number)
        .execute(&mut c)
        .await
        .unwrap();
    let report = store.check().await.unwrap();
    assert_eq!(report.stale_sla_histories, 1);
    assert!(!report.ok());

    // A row from before the column (none kept) is read from its events and comments.
    sqlx::query("UPDATE tickets SET sla_history = NULL")
        .execute(&mut c)
        .await
        .unwrap();
    let older = store.sla().watched_open_tickets().await.unwrap();
    let mut o: Vec<_> = older.iter().map(key_of).collect();
    o.sort_by_key(|x| x.0);
    assert_eq!(o, b);
    assert!(store.check().await.unwrap().ok());
}
