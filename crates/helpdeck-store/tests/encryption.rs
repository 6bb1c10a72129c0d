//! Encryption at rest (issue 14), on real files: a workspace's data dir holds no readable
//! ticket text — database, write-ahead log, attachment files, thumbnails; it opens only
//! with its key; a workspace from before encryption is encrypted in place, whole.
//! (The key in the OS keyring is tested with the CLI on a real Secret Service.)

use std::io::Cursor;
use std::path::Path;

use helpdeck_store::{CreateInput, InitOptions, Store, StoreError, StoreKey, TicketFilter};

const SECRET: &str = "Zhangjiang-lab-7 printer jams";
const SECRET_ZH: &str = "张江七号实验室打印机卡纸";

fn options() -> InitOptions {
    InitOptions {
        name: "Encrypted desk".into(),
        timezone: "Asia/Shanghai".into(),
        language: "zh".into(),
        owner_name: "Wang Fang".into(),
        owner_email: "wang.fang@helpdeck.example".into(),
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        if bytes.windows(needle.len()).any(|w| w == needle) {
            hits.push(entry.display().to_string());
        }
    }
    hits
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn photo() -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
    })
    .write_to(&mut out, image::ImageFormat::Png)
    .unwrap();
    out.into_inner()
}

/// A ticket whose title, body and attachment carry the secret words (an attachment and a
/// thumbnail on disk), in a store that is still open (its WAL holds recent pages).
async fn fill(store: &Store) {
    let note = store
        .files()
        .import_bytes("notes.txt", format!("{SECRET} / {SECRET_ZH}").as_bytes())
        .unwrap();
    let picture = store.files().import_bytes("jam.png", &photo()).unwrap();
    store
        .tickets()
        .create_ticket(CreateInput {
            title: SECRET.into(),
            body: SECRET_ZH.into(),
            attachments: vec![note, picture.clone()],
            ..CreateInput::default()
        })
        .await
        .unwrap();
    assert!(store.files().thumbnail(&picture.sha256).unwrap().is_some());
}

async fn titles(store: &Store) -> Vec<String> {
    store
        .tickets()
        .list_tickets(&TicketFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect()
}

fn needles() -> [&'static [u8]; 3] {
    [SECRET.as_bytes(), SECRET_ZH.as_bytes(), b"Wang Fang"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_file_of_a_workspace_holds_readable_text_and_it_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let store = Store::init_with_key(dir.path(), options(), key.clone())
        .await
        .unwrap();
    fill(&store).await;
    // While open (pages in the WAL) and after closing.
    for needle in needles() {
        assert_eq!(files_containing(dir.path(), needle), Vec::<String>::new());
    }
    store.shutdown().await;
    for needle in needles() {
        assert_eq!(files_containing(dir.path(), needle), Vec::<String>::new());
    }
    // The data dir names the key; it does not hold it.
    let id = std::fs::read_to_string(dir.path().join(helpdeck_store::vault::KEY_ID_FILE)).unwrap();
    assert_eq!(id.trim().len(), 36);
    assert!(files_containing(dir.path(), key.to_hex().as_bytes()).is_empty());

    // Copied elsewhere (another process: no key in memory), with the wrong key: refused
    // with a clear error, nothing changed.
    let copy = tempfile::tempdir().unwrap();
    for f in walk(dir.path()) {
        let to = copy.path().join(f.strip_prefix(dir.path()).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
    }
    let before: Vec<Vec<u8>> = walk(copy.path())
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    std::fs::write(
        copy.path().join(helpdeck_store::vault::KEY_ID_FILE),
        format!("{}\n", uuid::Uuid::now_v7()),
    )
    .unwrap();
    let err = Store::open_with_key(copy.path(), StoreKey::random())
        .await
        .err()
        .expect("a wrong key is refused");
    assert!(matches!(err, StoreError::WrongKey(_)), "{err}");
    assert!(
        err.to_string()
            .contains("does not open with the workspace's key")
    );
    let after: Vec<Vec<u8>> = walk(copy.path())
        .iter()
        .filter(|p| !p.ends_with(helpdeck_store::vault::KEY_ID_FILE))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(
        before.len(),
        after.len() + 1,
        "no file was added by the refused open"
    );

    // With its key: everything reads back, the attachment's bytes included.
    let store = Store::open_with_key(dir.path(), key).await.unwrap();
    assert_eq!(titles(&store).await, vec![SECRET.to_string()]);
    let t = &store
        .tickets()
        .list_tickets(&TicketFilter::default())
        .await
        .unwrap()[0];
    let detail = store.tickets().ticket(&t.id.to_string()).await.unwrap();
    let note = detail
        .attachments
        .iter()
        .find(|a| a.name == "notes.txt")
        .unwrap();
    let out = dir.path().join("..").join(format!("{}.out", note.sha256));
    store.files().export_blob(&note.sha256, &out).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{SECRET} / {SECRET_ZH}")
    );
    std::fs::remove_file(out).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_from_before_encryption_is_encrypted_in_place_on_first_open() {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let store = Store::init_with_key(dir.path(), options(), key.clone())
        .await
        .unwrap();
    fill(&store).await;
    let sha: Vec<String> = store
        .tickets()
        .ticket(&titles_id(&store).await)
        .await
        .unwrap()
        .attachments
        .iter()
        .map(|a| a.sha256.clone())
        .collect();
    store.shutdown().await;
    // Turn it into what an older Helpdeck left: a plain SQLite file, plain files beside it.
    make_plain(dir.path(), &key, &sha).await;
    assert!(!files_containing(dir.path(), SECRET.as_bytes()).is_empty());
    std::fs::remove_file(dir.path().join(helpdeck_store::vault::KEY_ID_FILE)).unwrap();

    let new_key = StoreKey::random();
    let store = Store::open_with_key(dir.path(), new_key.clone())
        .await
        .unwrap();
    assert_eq!(titles(&store).await, vec![SECRET.to_string()]);
    let hits = store.tickets().search("打印机", 10, 0).await.unwrap();
    assert_eq!(hits.total, 1, "the full-text index came along");
    for s in &sha {
        assert!(store.files().read_blob(s).is_ok());
    }
    store.shutdown().await;
    for needle in needles() {
        assert_eq!(files_containing(dir.path(), needle), Vec::<String>::new());
    }
    // The old key does not open it; the new one does.
    assert!(dir.path().join(helpdeck_store::vault::KEY_ID_FILE).exists());
    let integrity: String = {
        let store = Store::open_with_key(dir.path(), new_key).await.unwrap();
        let r = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await
            .unwrap();
        store.shutdown().await;
        r
    };
    assert_eq!(integrity, "ok");
}

async fn titles_id(store: &Store) -> String {
    store
        .tickets()
        .list_tickets(&TicketFilter::default())
        .await
        .unwrap()[0]
        .id
        .to_string()
}

/// Decrypts the workspace in `dir` into a plain SQLite file and plain files (what a
/// Helpdeck from before encryption wrote).
async fn make_plain(dir: &Path, key: &StoreKey, shas: &[String]) {
    use sqlx::{ConnectOptions, Connection};
    let db = dir.join(helpdeck_store::DB_FILE);
    let plain = dir.join("plain.db");
    let mut c = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        // ATTACH makes a new file only on a connection allowed to create.
        .create_if_missing(true)
        .pragma("key", format!("\"x'{}'\"", key.to_hex().as_str()))
        .connect()
        .await
        .unwrap();
    sqlx::query("ATTACH DATABASE ? AS plain KEY ''")
        .bind(plain.display().to_string())
        .execute(&mut c)
        .await
        .unwrap();
    sqlx::query("SELECT sqlcipher_export('plain')")
        .fetch_all(&mut c)
        .await
        .unwrap();
    sqlx::query("DETACH DATABASE plain")
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    let store = Store::open_with_key(dir, key.clone()).await.unwrap();
    let bytes: Vec<(String, Vec<u8>)> = shas
        .iter()
        .map(|s| (s.clone(), store.files().read_blob(s).unwrap()))
        .collect();
    for (s, b) in &bytes {
        std::fs::write(store.files().blob_path(s), b).unwrap();
    }
    store.shutdown().await;
    for side in ["helpdeck.db-wal", "helpdeck.db-shm"] {
        let _ = std::fs::remove_file(dir.join(side));
    }
    std::fs::remove_dir_all(dir.join("thumbs")).unwrap();
    std::fs::rename(&plain, &db).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_restores_whole_under_a_new_key_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        Store::init_with_key(dir.path(), options(), StoreKey::random())
            .await
            .unwrap(),
    );
    fill(&store).await;
    for i in 0..50 {
        store
            .tickets()
            .create_ticket(CreateInput {
                title: format!("before {i}"),
                body: "written before the backup".into(),
                ..CreateInput::default()
            })
            .await
            .unwrap();
    }
    // A writer goes on during the backup: each ticket and its reply are one transaction
    // each; the backup sees one moment.
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                let t = store
                    .tickets()
                    .create_ticket(CreateInput {
                        title: format!("during {i}"),
                        ..CreateInput::default()
                    })
                    .await
                    .unwrap();
                store
                    .tickets()
                    .reply(&t.id.to_string(), "on it")
                    .await
                    .unwrap();
            }
        })
    };
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("desk.hdbackup");
    let made = store.backup(&file, "correct horse battery").await.unwrap();
    writer.await.unwrap();
    assert_eq!(made.files, 2);
    assert!(made.tickets >= 51, "{made:?}");
    // The backup file is encrypted too.
    for needle in needles() {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
    // Refused, with nothing written: a short passphrase, an existing file.
    let err = store
        .backup(&scratch.path().join("b2"), "short")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least 8 characters"), "{err}");
    assert!(!scratch.path().join("b2").exists());
    let err = store
        .backup(&file, "correct horse battery")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("never overwrites"), "{err}");

    // Restore elsewhere: a wrong passphrase and an occupied data dir are refused.
    let target = tempfile::tempdir().unwrap();
    let into = target.path().join("restored");
    let new_key = StoreKey::random();
    let source = helpdeck_store::KeySource::Given(new_key.clone());
    let err = Store::restore(&file, "wrong horse battery", &into, &source)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("does not open with this passphrase"),
        "{err}"
    );
    assert!(!into.join(helpdeck_store::DB_FILE).exists());
    let err = Store::restore(&file, "correct horse battery", dir.path(), &source)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("already holds a workspace"),
        "{err}"
    );

    let restored = Store::restore(&file, "correct horse battery", &into, &source)
        .await
        .unwrap();
    assert_eq!((restored.tickets, restored.files), (made.tickets, 2));
    let back = Store::open_with_key(&into, new_key).await.unwrap();
    let all = back
        .tickets()
        .list_tickets(&TicketFilter {
            limit: 10_000,
            ..TicketFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len() as i64, made.tickets);
    // One moment: rows and the outbox changes written with them in one transaction agree
    // (a ticket or a reply is in the backup with its change to sync, or neither is).
    let (tickets, created, replies, replied): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM tickets WHERE title LIKE 'during %'), \
                (SELECT count(*) FROM outbox WHERE op LIKE '%\"during %'), \
                (SELECT count(*) FROM comments WHERE body = 'on it'), \
                (SELECT count(*) FROM outbox WHERE op LIKE '%\"on it\"%')",
    )
    .fetch_one(back.pool())
    .await
    .unwrap();
    assert_eq!(tickets, created);
    assert_eq!(replies, replied);
    assert!(replies <= tickets);
    let detail = back
        .tickets()
        .ticket(
            &all.iter()
                .find(|t| t.title == SECRET)
                .unwrap()
                .id
                .to_string(),
        )
        .await
        .unwrap();
    for a in &detail.attachments {
        assert_eq!(
            back.files().read_blob(&a.sha256).unwrap().len() as u64,
            a.size
        );
    }
    assert_eq!(
        back.tickets().search("打印机", 10, 0).await.unwrap().total,
        1
    );
    back.shutdown().await;
    for needle in needles() {
        assert_eq!(files_containing(&into, needle), Vec::<String>::new());
    }
}
