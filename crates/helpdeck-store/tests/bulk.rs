//! Bulk changes on a real SQLite file: one change to many tickets, and one undo.

use helpdeck_core::ticket::Priority;
use helpdeck_store::{BulkChange, CreateInput, InitOptions, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_change_is_undone_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "Bulk desk".into(),
            timezone: "Asia/Shanghai".into(),
            language: "zh".into(),
            owner_name: "Wang Fang".into(),
            owner_email: "wang.fang@helpdeck.example".into(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .unwrap();
    let mut refs = Vec::new();
    for i in 0..30usize {
        let t = store
            .tickets()
            .create_ticket(CreateInput {
                title: format!("打印机 {i}"),
                priority: Some(if i.is_multiple_of(2) {
                    Priority::P3
                } else {
                    Priority::P4
                }),
                tags: vec!["printer".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        refs.push(format!("HD-{}", t.number));
    }
    let done = store
        .tickets()
        .bulk_update(
            &refs,
            BulkChange {
                priority: Some(Priority::P1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(done.changed.len(), 30);
    let tagged = store
        .tickets()
        .bulk_update(
            &refs[..10],
            BulkChange {
                add_tags: vec!["Floor-3".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(tagged.changed.len(), 10);
    let t = store.tickets().ticket("HD-1").await.unwrap();
    assert_eq!(t.ticket.tags, vec!["floor-3", "printer"]);

    let undone = store.tickets().bulk_undo(&done.undo).await.unwrap();
    assert_eq!(undone.changed.len(), 30);
    for (i, r) in refs.iter().enumerate() {
        let t = store.tickets().ticket(r).await.unwrap();
        let want = if i.is_multiple_of(2) {
            Priority::P3
        } else {
            Priority::P4
        };
        assert_eq!(t.ticket.priority, want, "{r} is back");
    }
    store.tickets().bulk_undo(&tagged.undo).await.unwrap();
    assert_eq!(
        store.tickets().ticket("HD-1").await.unwrap().ticket.tags,
        vec!["printer"]
    );
}
