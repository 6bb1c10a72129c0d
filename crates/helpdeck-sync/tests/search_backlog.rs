//! A first sync applies its pages without writing search documents for the tickets it brings
//! (the replica is usable sooner) and writes them after the last page: once a sync round is
//! over, every pulled ticket and comment is found, exactly once, including a ticket that
//! changed here — a new reply with its own document — before its documents were written.
//! Real server in-process (real HTTP, SQLite file), two agents' replicas.

use helpdeck_core::record::Visibility;
use helpdeck_store::CreateInput;

mod common;

/// More than one pull page (500 tickets each).
const TICKETS: usize = 700;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_is_searchable_when_its_round_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let (served, (ann, ann_client), (bo, bo_client)) = common::agents_on_sqlite(
        tmp.path(),
        &[("ann@example.com", "Ann"), ("bo@example.com", "Bo")],
        "Backlog",
    )
    .await;
    for i in 0..TICKETS {
        let t = ann
            .tickets()
            .create_ticket(CreateInput {
                title: format!("Printer {i} jams"),
                body: if i % 2 == 0 {
                    "打印机卡纸".into()
                } else {
                    "Paper jam".into()
                },
                ..Default::default()
            })
            .await
            .unwrap();
        if i % 7 == 0 {
            ann.tickets()
                .comment(
                    &t.id.to_string(),
                    "Replaced the toner cartridge",
                    Visibility::Public,
                    &[],
                )
                .await
                .unwrap();
        }
    }
    helpdeck_sync::sync_once(&ann, &ann_client).await.unwrap();

    // Bo's first sync, page by page as the engine applies them: usable, not yet searchable.
    let mut cursor = 0;
    loop {
        let page = bo_client.pull(cursor, 0).await.unwrap();
        let applied = bo.replica().apply_pull(&page).await.unwrap();
        cursor = applied.cursor;
        if !page.has_more {
            break;
        }
    }
    let listed = bo
        .tickets()
        .count_tickets(&helpdeck_store::TicketFilter::default())
        .await
        .unwrap();
    assert_eq!(
        listed, TICKETS as i64,
        "every ticket is in the queue at once"
    );
    assert_eq!(bo.tickets().search_backlog().await.unwrap(), TICKETS as i64);
    let early = bo.tickets().search("toner", 20, 0).await.unwrap();
    assert_eq!(early.total, 0);
    assert_eq!(
        early.indexing, TICKETS as i64,
        "the answer says why it may miss"
    );

    // A change made here before the documents are written: a reply with its own document.
    let first = bo.tickets().search_backlog().await.unwrap();
    assert!(first > 0);
    bo.tickets()
        .comment(
            "HD-1",
            "The fuser unit was replaced too",
            Visibility::Internal,
            &[],
        )
        .await
        .unwrap();

    // The round's end writes them (what sync_once does after its last page).
    helpdeck_sync::sync_once(&bo, &bo_client).await.unwrap();
    assert_eq!(bo.tickets().search_backlog().await.unwrap(), 0);
    let toner = bo.tickets().search("toner", 200, 0).await.unwrap();
    assert_eq!(toner.indexing, 0);
    assert_eq!(
        toner.total,
        TICKETS.div_ceil(7) as i64,
        "every reply is found once"
    );
    assert_eq!(
        bo.tickets().search("打印机", 20, 0).await.unwrap().total,
        TICKETS.div_ceil(2) as i64
    );
    assert_eq!(
        bo.tickets().search("printer", 20, 0).await.unwrap().total,
        TICKETS as i64
    );
    let fuser = bo.tickets().search("fuser", 20, 0).await.unwrap();
    assert_eq!(
        fuser.total, 1,
        "the reply made before the documents is found once"
    );
    assert_eq!(fuser.hits[0].number, "HD-1");

    // Building again finds nothing to do and changes nothing.
    assert_eq!(bo.tickets().build_search_backlog().await.unwrap(), 0);
    assert_eq!(
        bo.tickets().search("toner", 20, 0).await.unwrap().total,
        toner.total
    );

    ann.shutdown().await;
    bo.shutdown().await;
    served.stop().await;
}
