//! The app's monitor: started with the workspace, told about every write, and its counts
//! agree with the "Breaching soon" view.

use std::sync::Arc;
use std::time::Duration;

use helpdeck_app::{App, WorkspaceInput};
use helpdeck_core::ticket::Resolution;
use helpdeck_notify::{MonitorOptions, RecordingSink, SystemClock};
use helpdeck_store::TicketFilter;

async fn counts_settle(app: &App) -> helpdeck_app::MonitorCounts {
    for _ in 0..500 {
        let c = app.monitor_counts().await.unwrap();
        if c.running {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("monitor did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_counts_agree_with_the_breaching_view_and_follow_writes() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_from(
        dir.path(),
        helpdeck_store::KeySource::Given(helpdeck_store::StoreKey::random()),
    )
    .await
    .unwrap();
    let sink = RecordingSink::new();
    // No external polling: what changes the counts below is the write hook.
    app.start_monitor(
        Arc::new(sink.clone()),
        Arc::new(SystemClock),
        MonitorOptions {
            external_check: Duration::from_secs(3600),
            ..MonitorOptions::default()
        },
    )
    .await
    .unwrap();
    assert!(
        !app.monitor_counts().await.unwrap().running,
        "no workspace yet"
    );
    app.create_workspace(WorkspaceInput {
        name: "Desk".into(),
        timezone: "UTC".into(),
        language: "en".into(),
        owner_name: "Me".into(),
        owner_email: "me@helpdeck.example".into(),
        demo_tickets: Some(300),
    })
    .await
    .unwrap();
    let c = counts_settle(&app).await;
    let q = app.queue_counts().await.unwrap();
    let view = q.breaching;
    assert!(view > 0, "demo data has tickets breaching");
    assert_eq!(i64::from(c.breached + c.at_risk), view);
    // The "Breached" and "At risk" views split it as the monitor does.
    assert_eq!(q.breached, i64::from(c.breached));
    assert_eq!(q.at_risk, i64::from(c.at_risk));
    for (bucket, n) in [
        (helpdeck_store::SlaBucket::Breached, q.breached),
        (helpdeck_store::SlaBucket::AtRisk, q.at_risk),
    ] {
        let page = app
            .tickets(TicketFilter {
                sla_bucket: Some(bucket),
                limit: 1000,
                ..TicketFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, n);
        assert_eq!(page.tickets.len() as i64, n);
        for t in &page.tickets {
            let want = match bucket {
                helpdeck_store::SlaBucket::Breached => helpdeck_core::sla::SlaState::Breached,
                helpdeck_store::SlaBucket::AtRisk => helpdeck_core::sla::SlaState::AtRisk,
            };
            assert_eq!(
                t.sla.state,
                Some(want),
                "{} in the {bucket:?} view",
                t.number
            );
        }
    }

    // Resolve one breaching ticket through the app: the count drops at once.
    let page = app
        .tickets(TicketFilter {
            breaching: true,
            limit: 1,
            ..TicketFilter::default()
        })
        .await
        .unwrap();
    let first = &page.tickets[0];
    app.resolve(
        first.number.clone(),
        Resolution {
            cause: "Cable".into(),
            solution: "Replaced".into(),
            prevention: None,
        },
    )
    .await
    .unwrap();
    let mut after = app.monitor_counts().await.unwrap();
    for _ in 0..200 {
        if after.breached + after.at_risk < c.breached + c.at_risk {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        after = app.monitor_counts().await.unwrap();
    }
    assert_eq!(after.breached + after.at_risk, c.breached + c.at_risk - 1);
    assert_eq!(
        i64::from(after.breached + after.at_risk),
        app.queue_counts().await.unwrap().breaching
    );

    app.set_notifications_paused(true);
    for _ in 0..200 {
        if app.monitor_counts().await.unwrap().paused {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(app.monitor_counts().await.unwrap().paused);
}
