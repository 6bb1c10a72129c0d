//! Many long-polls woken by one push all get their answer. Each pull reads its page in a
//! snapshot that holds one of the server's pooled connections (8 on SQLite); a pull that then
//! waited for a second connection while holding the first stalled the server once as many
//! pulls as connections woke together — every answer then failed after the pool's timeout
//! (500 idle clients in `helpdeck-sync-bench`). Real server in-process (real HTTP, SQLite).

use helpdeck_store::CreateInput;

mod common;

/// Far more long-polls than the server has pooled connections.
const POLLS: usize = 48;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_long_poll_woken_by_a_push_is_answered() {
    let tmp = tempfile::tempdir().unwrap();
    let (served, (ann, ann_client), (bo, bo_client)) = common::agents_on_sqlite(
        tmp.path(),
        &[("ann@example.com", "Ann"), ("bo@example.com", "Bo")],
        "Polls",
    )
    .await;
    // Bo is caught up: his long-polls wait at the head of the stream.
    let head = bo_client.pull(0, 0).await.unwrap().next_cursor;

    let polls: Vec<_> = (0..POLLS)
        .map(|_| {
            let client = bo_client.clone();
            tokio::spawn(async move { client.pull(head, 20_000).await })
        })
        .collect();
    // Let every poll reach the server and wait there.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    ann.tickets()
        .create_ticket(CreateInput {
            title: "Printer jams on the third floor".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    helpdeck_sync::sync_once(&ann, &ann_client).await.unwrap();

    for poll in polls {
        let page = poll.await.unwrap().expect("a woken long-poll is answered");
        assert_eq!(
            page.tickets.len(),
            1,
            "every poll gets the new ticket (it waited at the head)"
        );
        assert_eq!(
            page.tickets[0].ticket.title,
            "Printer jams on the third floor"
        );
    }
    ann.shutdown().await;
    bo.shutdown().await;
    served.stop().await;
}
