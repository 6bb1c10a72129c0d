//! Pull pages travel compressed: the app's client asks for zstd, the server answers a page
//! with it when asked (and only then), and the page decodes to the JSON a client that does
//! not ask gets. A field laptop's first sync over a phone link reads a tenth of the bytes.
//! Real server in-process (real HTTP, SQLite).

use helpdeck_core::op::OP_SCHEMA_VERSION;
use helpdeck_core::sync::{LoginRequest, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse};
use helpdeck_store::CreateInput;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_comes_as_zstd_when_asked_and_as_json_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let (served, (ann, ann_client), (bo, bo_client)) = common::agents_on_sqlite(
        tmp.path(),
        &[("ann@example.com", "Ann"), ("bo@example.com", "Bo")],
        "Compressed",
    )
    .await;
    for i in 0..20 {
        ann.tickets()
            .create_ticket(CreateInput {
                title: format!("Printer {i} on the third floor jams on every second page"),
                body: "The tray clicks, the paper folds, the queue stops.".into(),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    helpdeck_sync::sync_once(&ann, &ann_client).await.unwrap();

    // Bo's own token, for requests made by hand.
    let token = helpdeck_sync::Client::new(&served.url, None)
        .unwrap()
        .login(&LoginRequest {
            email: "bo@example.com".into(),
            password: common::PASSWORD.into(),
            device_id: uuid::Uuid::now_v7(),
            device_name: "raw client".into(),
        })
        .await
        .unwrap()
        .token;
    // reqwest without its own decoding: the bytes as they travel.
    let raw = reqwest::Client::builder().no_zstd().build().unwrap();
    let get = |encoding: &'static str| {
        raw.get(format!(
            "{}/sync/pull?cursor=0&schema={OP_SCHEMA_VERSION}",
            served.url
        ))
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .header(reqwest::header::ACCEPT_ENCODING, encoding)
        .bearer_auth(&token)
        .send()
    };
    let header = |r: &reqwest::Response, name: reqwest::header::HeaderName| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };

    let plain = get("identity").await.unwrap();
    assert!(plain.status().is_success());
    assert_eq!(header(&plain, reqwest::header::CONTENT_ENCODING), None);
    assert_eq!(
        header(&plain, reqwest::header::VARY).as_deref(),
        Some("accept-encoding")
    );
    let json = plain.bytes().await.unwrap();
    let page: PullResponse = serde_json::from_slice(&json).unwrap();
    assert_eq!(page.tickets.len(), 20);

    let packed = get("gzip, zstd").await.unwrap();
    assert!(packed.status().is_success());
    assert_eq!(
        header(&packed, reqwest::header::CONTENT_ENCODING).as_deref(),
        Some("zstd")
    );
    let packed = packed.bytes().await.unwrap();
    assert!(
        packed.len() * 3 < json.len(),
        "{} bytes compressed, {} as JSON",
        packed.len(),
        json.len()
    );
    assert_eq!(zstd::decode_all(&packed[..]).unwrap(), json.to_vec());

    // Refused by weight: as it is.
    let refused = get("zstd;q=0, gzip").await.unwrap();
    assert_eq!(header(&refused, reqwest::header::CONTENT_ENCODING), None);
    assert_eq!(refused.bytes().await.unwrap(), json);

    // The app's client: asks for zstd and reads the page it gets.
    let page = bo_client.pull(0, 0).await.unwrap();
    assert_eq!(page.tickets.len(), 20);

    ann.shutdown().await;
    bo.shutdown().await;
    served.stop().await;
}

/// What the app's client sends: a listener that reads one request and answers `{}`.
#[tokio::test]
async fn the_apps_client_asks_for_zstd() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = sock.read(&mut buf).await.unwrap();
            assert!(n > 0, "the request ended before its headers did");
            request.extend_from_slice(&buf[..n]);
        }
        sock.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
        )
        .await
        .unwrap();
        String::from_utf8(request).unwrap().to_ascii_lowercase()
    });
    helpdeck_sync::Client::new(&url, None)
        .unwrap()
        .health()
        .await
        .unwrap();
    let request = server.await.unwrap();
    let accept = request
        .lines()
        .find_map(|l| l.strip_prefix("accept-encoding:"))
        .unwrap_or_else(|| panic!("no Accept-Encoding in:\n{request}"));
    assert!(accept.contains("zstd"), "Accept-Encoding:{accept}");
}
