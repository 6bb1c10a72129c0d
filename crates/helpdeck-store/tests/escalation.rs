//! Escalation rules on a local workspace: its jobs run them like a server's (as Helpdeck),
//! each firing once, and the alerted lead's notifier hears of it.

use std::sync::{Arc, Mutex};

use helpdeck_core::Timestamp;
use helpdeck_core::escalation::rules::{EscalationRule, SlaEvent};
use helpdeck_core::notify::{ActivityChange, EventKind, Recipient, activity_alert};
use helpdeck_core::people::PersonDraft;
use helpdeck_core::routing::Assign;
use helpdeck_core::sla::TargetKind;
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::{CreateInput, InitOptions, Store};
use jiff::SignedDuration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breach_escalates_once_and_alerts_the_lead() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "Escalation desk".into(),
            timezone: "Asia/Shanghai".into(),
            language: "zh".into(),
            owner_name: "Wang Fang".into(),
            owner_email: "wang.fang@helpdeck.example".into(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .unwrap();
    let start: Timestamp = "2026-12-07T02:00:00Z".parse().unwrap(); // Monday 10:00 in Shanghai
    let at = Arc::new(Mutex::new(start));
    let clock = at.clone();
    store.set_now(Arc::new(move || *clock.lock().unwrap()));
    store.admin().add_team("Tier 2").await.unwrap();
    let lead = store
        .admin()
        .add_person(&PersonDraft {
            email: "li.lei@helpdeck.example".into(),
            name: "李雷".into(),
            role: Some(helpdeck_core::user::Role::Agent),
            team: Some("Tier 2".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let rule = |name: &str, team: &str| EscalationRule {
        id: uuid::Uuid::now_v7(),
        name: name.into(),
        on: SlaEvent::Breached,
        target: Some(TargetKind::FirstResponse),
        when: vec![],
        notify: Some("li.lei@helpdeck.example".into()),
        tier_up: true,
        reassign: Some(Assign::Team { team: team.into() }),
    };
    let err = store
        .admin()
        .change(&RulesChange::AddEscalationRule {
            rule: rule("Bad", "Tier 9"),
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("teams: Tier 2"), "{err}");
    store
        .admin()
        .change(&RulesChange::AddEscalationRule {
            rule: rule("Unanswered", "Tier 2"),
        })
        .await
        .unwrap();
    let cursor = store.sla().activity_cursor().await.unwrap();
    let t = store
        .tickets()
        .create_ticket(CreateInput {
            title: "扫描仪无法连接".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        store.jobs().run_jobs().await.unwrap().is_empty(),
        "not due yet"
    );
    // Two business days later nobody has answered: the first response is breached.
    *at.lock().unwrap() = start + SignedDuration::from_hours(48);
    assert_eq!(store.jobs().run_jobs().await.unwrap(), vec![t.id]);
    assert!(store.jobs().run_jobs().await.unwrap().is_empty(), "once");
    let d = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    assert_eq!(d.ticket.tier, helpdeck_core::ticket::Tier::L2);
    assert_eq!(d.ticket.team.as_deref(), Some("Tier 2"));
    let alerts: Vec<_> = d.events.iter().filter(|e| e.field == "sla_alert").collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].actor.as_ref().unwrap().name, "Helpdeck");
    // The lead's notifier turns the alert into a notification for them alone.
    let since = store.sla().activity_since(cursor).await.unwrap();
    let alert = since
        .activity
        .iter()
        .find(|a| matches!(a.change, ActivityChange::SlaAlert { .. }))
        .expect("the alert is activity");
    let lead_me = Recipient {
        user_id: lead.id,
        team_id: None,
        is_customer: false,
    };
    assert_eq!(
        activity_alert(alert, &lead_me).map(|a| a.kind),
        Some(EventKind::SlaEscalation)
    );
    let other = Recipient {
        user_id: uuid::Uuid::now_v7(),
        ..lead_me
    };
    assert_eq!(activity_alert(alert, &other), None);
}
