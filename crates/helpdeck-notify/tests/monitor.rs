//! The monitor loop with a controllable clock and a recording sink, on a real SQLite
//! workspace: order, recompute on change, pause/resume, sleep/wake, no repeats after a
//! restart, grouping, preferences, "assigned to me".

use std::sync::Arc;
use std::time::Duration;

use helpdeck_core::Timestamp;
use helpdeck_core::notify::{EventKind, Lang, Message, NotificationPrefs, Scope, Urgency};
use helpdeck_core::ticket::Priority;
use helpdeck_notify::{ManualClock, MonitorHandle, MonitorOptions, RecordingSink, spawn};
use helpdeck_store::{AssigneeInput, CreateInput, InitOptions, Store, UpdateInput};
use jiff::SignedDuration;
use uuid::Uuid;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

struct Desk {
    dir: tempfile::TempDir,
    writer: Store,
    clock: Arc<ManualClock>,
}

async fn desk(start: &str, timezone: &str) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "Desk".into(),
            timezone: timezone.into(),
            language: "en".into(),
            owner_name: "Me".into(),
            owner_email: "me@helpdeck.example".into(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .unwrap();
    let clock = Arc::new(ManualClock::new(ts(start)));
    let c = clock.clone();
    writer.set_now(Arc::new(move || helpdeck_notify::Clock::now(&*c)));
    Desk { dir, writer, clock }
}

impl Desk {
    async fn ticket(&self, priority: Priority) -> Uuid {
        self.writer
            .tickets()
            .create_ticket(CreateInput {
                title: "Core switch down".into(),
                priority: Some(priority),
                assignee: Some(AssigneeInput::Me),
                ..CreateInput::default()
            })
            .await
            .unwrap()
            .id
    }

    async fn monitor(&self, sink: &RecordingSink, lang: Lang) -> MonitorHandle {
        let store = Store::open(self.dir.path()).await.unwrap();
        let h = spawn(
            store,
            Arc::new(sink.clone()),
            self.clock.clone(),
            MonitorOptions {
                lang,
                ..MonitorOptions::default()
            },
        );
        let mut counts = h.watch_counts();
        tokio::time::timeout(Duration::from_secs(10), counts.wait_for(|c| c.ready))
            .await
            .expect("monitor starts")
            .unwrap();
        h
    }

    fn at(&self, s: &str) {
        self.clock.set(ts(s));
    }
}

/// Waits (real time) until the sink holds `n` messages, then a little longer to catch extras.
async fn expect(sink: &RecordingSink, n: usize) -> Vec<Message> {
    for _ in 0..200 {
        if sink.messages().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    let got = sink.messages();
    assert_eq!(
        got.len(),
        n,
        "{:#?}",
        got.iter().map(|m| &m.title).collect::<Vec<_>>()
    );
    got
}

fn titles(ms: &[Message]) -> Vec<String> {
    ms.iter().map(|m| m.title.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_risk_then_breach_in_order_and_never_again_after_restart() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    d.ticket(Priority::P1).await;
    d.ticket(Priority::P2).await; // business hours: first response 10:00 + 1 h
    let sink = RecordingSink::new();
    let h = d.monitor(&sink, Lang::En).await;
    assert_eq!((h.counts().at_risk, h.counts().breached), (0, 0));
    d.at("2026-03-02T10:14:59Z");
    expect(&sink, 0).await;
    d.at("2026-03-02T10:15:00Z");
    let got = expect(&sink, 1).await;
    assert_eq!(got[0].title, "HD-1 at risk: first response");
    assert_eq!(got[0].urgency, Urgency::Normal);
    assert_eq!(h.counts().at_risk, 1);
    d.at("2026-03-02T10:30:00Z");
    let got = expect(&sink, 2).await;
    assert_eq!(got[1].title, "HD-1 breached: first response");
    assert_eq!(got[1].body, "The first response was due at 10:30:00.");
    assert_eq!(got[1].urgency, Urgency::Critical);
    assert_eq!((h.counts().at_risk, h.counts().breached), (0, 1));
    d.at("2026-03-02T10:45:00Z");
    let got = expect(&sink, 3).await;
    assert_eq!(got[2].title, "HD-2 at risk: first response");
    assert_eq!((h.counts().at_risk, h.counts().breached), (1, 1));
    drop(h);

    // Restart: nothing repeats; the next alert still comes.
    let sink2 = RecordingSink::new();
    let _h2 = d.monitor(&sink2, Lang::En).await;
    expect(&sink2, 0).await;
    d.at("2026-03-02T11:00:00Z");
    let got = expect(&sink2, 1).await;
    assert_eq!(got[0].title, "HD-2 breached: first response");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_recomputes_the_ticket() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    let id = d.ticket(Priority::P1).await;
    let sink = RecordingSink::new();
    let h = d.monitor(&sink, Lang::En).await;
    d.at("2026-03-02T10:10:00Z");
    d.writer
        .tickets()
        .reply(&id.to_string(), "On our way")
        .await
        .unwrap();
    h.tickets_changed([id]);
    // First response met: its 10:15 warning and 10:30 breach are gone; the P1 update
    // reminder (30 minutes after the reply) is due at 10:40, at risk from 10:25.
    d.at("2026-03-02T10:20:00Z");
    expect(&sink, 0).await;
    d.at("2026-03-02T10:25:00Z");
    let got = expect(&sink, 1).await;
    assert_eq!(got[0].title, "HD-1 at risk: next update");
    d.at("2026-03-02T10:40:00Z");
    let got = expect(&sink, 2).await;
    assert_eq!(got[1].title, "HD-1: P1 update due");
    assert_eq!(got[1].urgency, Urgency::Critical);
    // Resolving cancels the rest.
    d.writer
        .tickets()
        .resolve(
            &id.to_string(),
            helpdeck_core::ticket::Resolution {
                cause: "PSU".into(),
                solution: "Replaced".into(),
                prevention: None,
            },
        )
        .await
        .unwrap();
    h.tickets_changed([id]);
    d.at("2026-03-02T20:00:00Z");
    expect(&sink, 2).await;
    assert_eq!((h.counts().at_risk, h.counts().breached), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_by_another_process_are_found_without_the_hook() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    let sink = RecordingSink::new();
    let _h = d.monitor(&sink, Lang::En).await;
    // The CLI (another process) creates a ticket; nobody calls tickets_changed.
    d.ticket(Priority::P1).await;
    d.at("2026-03-02T10:00:05Z"); // the external check runs every 2 s
    d.at("2026-03-02T10:15:00Z");
    let got = expect(&sink, 1).await;
    assert_eq!(got[0].title, "HD-1 at risk: first response");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_drops_alerts_once_and_resume_delivers_later_ones() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    d.ticket(Priority::P1).await;
    let sink = RecordingSink::new();
    let h = d.monitor(&sink, Lang::En).await;
    h.set_paused(true);
    d.at("2026-03-02T10:15:00Z");
    expect(&sink, 0).await;
    assert!(h.counts().paused);
    assert_eq!(h.counts().at_risk, 1, "counts keep running while paused");
    h.set_paused(false);
    d.at("2026-03-02T10:16:00Z");
    expect(&sink, 0).await; // the dropped warning does not come back
    d.at("2026-03-02T10:30:00Z");
    let got = expect(&sink, 1).await;
    assert_eq!(got[0].title, "HD-1 breached: first response");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wake_from_sleep_fires_each_missed_breach_once_with_its_true_time() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    d.ticket(Priority::P1).await;
    let sink = RecordingSink::new();
    let _h = d.monitor(&sink, Lang::Zh).await;
    // The laptop sleeps from 10:01 to 18:00.
    d.at("2026-03-02T18:00:00Z");
    let got = expect(&sink, 2).await;
    assert_eq!(titles(&got), ["HD-1 已违约：首次响应", "HD-1 已违约：解决"]);
    assert_eq!(got[0].body, "首次响应已于 10:30:00 到期。");
    assert_eq!(got[1].body, "解决已于 14:00:00 到期。");
    d.at("2026-03-02T18:30:00Z");
    expect(&sink, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_hours_follow_dst() {
    // Friday 27 March 2026 16:00 in Berlin (CET); clocks go forward on Sunday.
    let d = desk("2026-03-27T15:00:00Z", "Europe/Berlin").await;
    d.ticket(Priority::P3).await; // 4 business hours: 1 on Friday, 3 on Monday
    let sink = RecordingSink::new();
    let _h = d.monitor(&sink, Lang::En).await;
    d.at("2026-03-30T08:59:59Z");
    expect(&sink, 0).await;
    d.at("2026-03-30T09:00:00Z"); // 11:00 CEST
    let got = expect(&sink, 1).await;
    assert_eq!(got[0].title, "HD-1 at risk: first response");
    assert_eq!(
        got[0].body,
        "The first response is due at 12:00:00 (60 min left)."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_at_once_become_one_summary() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    for _ in 0..12 {
        d.ticket(Priority::P1).await;
    }
    let sink = RecordingSink::new();
    let _h = d.monitor(&sink, Lang::En).await;
    d.at("2026-03-02T10:15:00Z");
    let got = expect(&sink, 1).await;
    assert_eq!(got[0].title, "12 Helpdeck alerts");
    assert!(
        got[0].body.starts_with("12 at risk: HD-1, HD-2"),
        "{}",
        got[0].body
    );
    assert_eq!(got[0].ticket_number, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_and_scope_decide_what_is_shown() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    d.ticket(Priority::P1).await; // mine
    d.writer
        .tickets()
        .create_ticket(CreateInput {
            title: "Someone else's".into(),
            priority: Some(Priority::P1),
            ..CreateInput::default()
        })
        .await
        .unwrap(); // unassigned, no team: not mine
    d.writer
        .sla()
        .set_notification_prefs(&NotificationPrefs {
            disabled: vec![EventKind::AtRisk],
            ..NotificationPrefs::default()
        })
        .await
        .unwrap();
    let sink = RecordingSink::new();
    let h = d.monitor(&sink, Lang::En).await;
    d.at("2026-03-02T10:15:00Z");
    expect(&sink, 0).await;
    // Everyone's tickets from now on.
    h.set_prefs(NotificationPrefs {
        scope: Scope::All,
        ..NotificationPrefs::default()
    });
    d.at("2026-03-02T10:30:00Z");
    let got = expect(&sink, 2).await;
    assert_eq!(
        titles(&got),
        [
            "HD-1 breached: first response",
            "HD-2 breached: first response"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assigned_to_me_by_someone_else() {
    let d = desk("2026-03-02T10:00:00Z", "UTC").await;
    let id = d.ticket(Priority::P4).await;
    let sink = RecordingSink::new();
    let h = d.monitor(&sink, Lang::En).await;
    // Another agent (here: a second store acting as the same owner cannot be "someone
    // else"), so write the assignment as a sync would: an event by another actor.
    let other = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, email, name, role, tier, created_at) VALUES (?, 'lead@helpdeck.example', 'Lead', 'agent', 'L2', 0)",
    )
    .bind(other.to_string())
    .execute(d.writer.pool())
    .await
    .unwrap();
    let me = d.writer.actor().id;
    sqlx::query(
        "INSERT INTO events (id, ticket_id, actor_id, device_id, field, old_value, new_value, at) \
         VALUES (?, ?, ?, ?, 'assignee_id', NULL, ?, ?)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(id.to_string())
    .bind(other.to_string())
    .bind(Uuid::now_v7().to_string())
    .bind(me.to_string())
    .bind(ts("2026-03-02T10:00:01Z").as_millisecond())
    .execute(d.writer.pool())
    .await
    .unwrap();
    h.tickets_changed([id]);
    let got = expect(&sink, 1).await;
    assert_eq!(got[0].title, "HD-1 assigned to you");
    // My own changes are not news.
    d.writer
        .tickets()
        .update_ticket(
            &id.to_string(),
            UpdateInput {
                assignee: Some(AssigneeInput::Nobody),
                ..UpdateInput::default()
            },
        )
        .await
        .unwrap();
    h.tickets_changed([id]);
    d.clock.advance(SignedDuration::from_secs(3));
    expect(&sink, 1).await;
}
