//! The knowledge base on a real SQLite file: writes decided by the core rule, search recall
//! in Chinese and English, suggestions, deflections, drafts from tickets.

use helpdeck_core::kb::{ArticleLang, ArticleStatus, Audience, ScriptStep};
use helpdeck_core::ticket::Resolution;
use helpdeck_store::{ArticleInput, CreateInput, InitOptions, Store};

async fn new_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "KB desk".into(),
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

fn input(title: &str, body: &str, lang: ArticleLang) -> ArticleInput {
    ArticleInput {
        title: title.into(),
        body: body.into(),
        category: None,
        tags: Vec::new(),
        audience: Audience::Public,
        lang,
        translation_of: None,
        steps: Vec::new(),
        files: Vec::new(),
        publish: true,
    }
}

/// A fixed article set and, for each query, the articles it must find.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_every_expected_article_in_chinese_and_english() {
    let (_dir, store) = new_store().await;
    let kb = store.kb();
    let mut ids = std::collections::HashMap::new();
    for (key, title, body, lang) in [
        (
            "vpn_zh",
            "VPN 连接频繁断开",
            "检查网络设置，重新安装 VPN 配置文件。",
            ArticleLang::Zh,
        ),
        (
            "printer_zh",
            "打印机卡纸处理",
            "打开后盖，取出卡住的纸张，再关闭。",
            ArticleLang::Zh,
        ),
        (
            "mail_zh",
            "邮箱无法收信",
            "邮箱空间已满时请归档旧邮件。",
            ArticleLang::Zh,
        ),
        (
            "wifi_zh",
            "无线网络无法连接",
            "忘记网络后重新连接，并检查密码。",
            ArticleLang::Zh,
        ),
        (
            "vpn_en",
            "VPN keeps disconnecting",
            "Reinstall the VPN profile and check the network settings.",
            ArticleLang::En,
        ),
        (
            "printer_en",
            "Printer paper jam",
            "Open the rear cover and remove the jammed paper.",
            ArticleLang::En,
        ),
        (
            "password_en",
            "Resetting your password",
            "Use the self-service portal to reset a forgotten password.",
            ArticleLang::En,
        ),
    ] {
        ids.insert(key, kb.add(input(title, body, lang)).await.unwrap().id);
    }
    let cases: &[(&str, &[&str])] = &[
        // One Chinese character: a prefix of every bigram it starts.
        ("纸", &["printer_zh"]),
        ("网", &["vpn_zh", "wifi_zh"]),
        ("邮", &["mail_zh"]),
        // Two characters: a bigram phrase.
        ("网络", &["vpn_zh", "wifi_zh"]),
        ("卡纸", &["printer_zh"]),
        ("密码", &["wifi_zh"]),
        // English words and prefixes.
        ("printer", &["printer_en"]),
        ("pass*", &["password_en"]),
        ("disconn*", &["vpn_en"]),
        ("network", &["vpn_en"]),
        ("VPN", &["vpn_zh", "vpn_en"]),
    ];
    for (query, expected) in cases {
        let hits = kb.search(query, 20).await.unwrap();
        let found: Vec<_> = hits.iter().map(|h| h.id).collect();
        for key in *expected {
            assert!(found.contains(&ids[key]), "'{query}' finds {key}: {hits:?}");
        }
        assert_eq!(
            found.len(),
            expected.len(),
            "'{query}' finds only {expected:?}"
        );
        assert!(
            hits.iter()
                .all(|h| h.title_html.contains("<mark>") || h.snippet_html.contains("<mark>"))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_come_from_published_articles_and_deflections_are_counted() {
    let (_dir, store) = new_store().await;
    let kb = store.kb();
    let printer = kb
        .add(ArticleInput {
            steps: vec![ScriptStep {
                instruction: "关闭打印机电源".into(),
                expected: "指示灯熄灭".into(),
            }],
            ..input(
                "打印机卡纸处理",
                "打开后盖，取出卡住的纸张。",
                ArticleLang::Zh,
            )
        })
        .await
        .unwrap();
    let draft = kb
        .add(ArticleInput {
            publish: false,
            ..input("打印机驱动安装（草稿）", "尚未完成。", ArticleLang::Zh)
        })
        .await
        .unwrap();
    let hits = kb
        .suggest("三楼的打印机又卡纸了，怎么办？", 5)
        .await
        .unwrap();
    assert_eq!(hits.first().map(|h| h.id), Some(printer.id), "{hits:?}");
    assert!(hits[0].has_script);
    assert!(
        hits.iter().all(|h| h.id != draft.id),
        "drafts are never suggested"
    );
    assert!(kb.suggest("  ", 5).await.unwrap().is_empty());
    assert_eq!(kb.deflections().await.unwrap(), 0);
    kb.record_deflection(&printer.id.to_string()).await.unwrap();
    assert_eq!(kb.deflections().await.unwrap(), 1);
    // Archived articles leave search and suggestions.
    kb.set_status(&printer.id.to_string(), ArticleStatus::Archived)
        .await
        .unwrap();
    assert!(kb.suggest("打印机卡纸", 5).await.unwrap().is_empty());
    assert!(kb.search("卡纸", 5).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_votes_and_a_draft_from_a_resolved_ticket() {
    let (_dir, store) = new_store().await;
    let kb = store.kb();
    let a = kb
        .add(input("邮箱无法收信", "归档旧邮件。", ArticleLang::Zh))
        .await
        .unwrap();
    let short = &a.id.to_string()[..8];
    let e = kb
        .edit(
            short,
            helpdeck_core::kb::ArticleFields {
                body: Some("邮箱空间已满：归档旧邮件。".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(e.body.starts_with("邮箱空间已满"));
    assert_eq!(e.history.last().unwrap().what, "edited body");
    assert!(
        kb.search("空间", 5)
            .await
            .unwrap()
            .iter()
            .any(|h| h.id == a.id),
        "the index follows edits"
    );
    let v = kb.vote(short, true).await.unwrap();
    assert_eq!(v.helpful, 1);
    // Opening it in the app counts a view (an op like any change); `show` only reads.
    kb.view_article(short).await.unwrap();
    assert_eq!(kb.view_article(short).await.unwrap().views, 2);
    assert_eq!(kb.show(short).await.unwrap().views, 2);
    // Bad input names what is wrong; nothing is written.
    let err = kb
        .add(ArticleInput {
            category: Some("plumbing".into()),
            ..input("x", "y", ArticleLang::En)
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("hardware"), "{err}");
    assert_eq!(kb.list(None).await.unwrap().len(), 1);
    assert!(kb.show("zzzzzz").await.is_err());

    store
        .tickets()
        .create_ticket(CreateInput {
            title: "VPN 断线".into(),
            ..CreateInput::default()
        })
        .await
        .unwrap();
    let err = kb.from_ticket("HD-1").await.unwrap_err();
    assert!(err.to_string().contains("service report"), "{err}");
    store
        .tickets()
        .resolve(
            "HD-1",
            Resolution {
                cause: "配置文件过期".into(),
                solution: "重新安装配置文件".into(),
                prevention: None,
            },
        )
        .await
        .unwrap();
    let d = kb.from_ticket("HD-1").await.unwrap();
    assert_eq!(d.status, ArticleStatus::Draft);
    assert_eq!(d.audience, Audience::Internal);
    assert_eq!(d.tickets, vec!["HD-1"]);
    assert!(
        d.body.contains("## 解决方法\n\n重新安装配置文件"),
        "{}",
        d.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upkeep_lists_unhelpful_articles_and_gaps_list_problems_without_one() {
    let (_dir, store) = new_store().await;
    let kb = store.kb();
    let a = kb
        .add(input("邮箱无法收信", "归档旧邮件。", ArticleLang::Zh))
        .await
        .unwrap();
    let id = a.id.to_string();
    assert!(kb.upkeep(12).await.unwrap().is_empty());
    for _ in 0..3 {
        kb.vote(&id, false).await.unwrap();
    }
    let items = kb.upkeep(12).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].reason, "unhelpful");
    // Nothing is stale within a month of writing; everything is "older than 0 months".
    kb.vote(&id, true).await.unwrap();
    kb.vote(&id, true).await.unwrap();
    kb.vote(&id, true).await.unwrap();
    assert!(
        kb.upkeep(12).await.unwrap().is_empty(),
        "more helpful than not"
    );

    // Five VPN tickets and three printer ones; an article answers printers only.
    for i in 0..5 {
        store
            .tickets()
            .create_ticket(CreateInput {
                title: format!("VPN 连接断开 {i}"),
                category: Some("network".into()),
                ..CreateInput::default()
            })
            .await
            .unwrap();
    }
    for i in 0..3 {
        store
            .tickets()
            .create_ticket(CreateInput {
                title: format!("打印机卡纸 {i}"),
                category: Some("hardware".into()),
                ..CreateInput::default()
            })
            .await
            .unwrap();
    }
    kb.add(ArticleInput {
        category: Some("hardware".into()),
        ..input("打印机卡纸处理", "取出卡纸。", ArticleLang::Zh)
    })
    .await
    .unwrap();
    let gaps = kb.gaps(30, 3).await.unwrap();
    let values: Vec<(&str, &str, i64)> = gaps
        .iter()
        .map(|g| (g.kind.as_str(), g.value.as_str(), g.tickets))
        .collect();
    assert!(values.contains(&("category", "network", 5)), "{values:?}");
    assert!(values.contains(&("keyword", "vpn", 5)), "{values:?}");
    assert!(values.contains(&("keyword", "连接", 5)), "{values:?}");
    assert!(
        !values
            .iter()
            .any(|(_, v, _)| *v == "hardware" || *v == "卡纸"),
        "answered: {values:?}"
    );
    let vpn = gaps.iter().find(|g| g.value == "vpn").unwrap();
    assert_eq!(vpn.examples.len(), 3);
}

/// An article shows images that are files in the workspace, by content address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_shows_images_that_are_in_the_workspace() {
    let (_dir, store) = new_store().await;
    let kb = store.kb();
    let shot = store
        .files()
        .import_bytes("路由器背面.png", b"\x89PNG not really an image")
        .unwrap();
    let file = helpdeck_core::attachment::FileRef {
        sha256: shot.sha256.clone(),
        name: shot.name.clone(),
        media_type: shot.media_type.clone(),
        size: shot.size,
    };
    let mut a = input(
        "重启路由器",
        &format!(
            "按住背面的按钮：\n\n![路由器背面](attachment:{})",
            shot.sha256
        ),
        ArticleLang::Zh,
    );
    a.files = vec![file.clone()];
    let v = kb.add(a.clone()).await.unwrap();
    assert_eq!(v.files, vec![file.clone()]);
    assert_eq!(kb.show(&v.id.to_string()).await.unwrap().files, vec![file]);

    // A file this workspace does not have is refused, and nothing is written.
    let before = kb.list(None).await.unwrap().len();
    a.files[0].sha256 = "0".repeat(64);
    let err = kb.add(a).await.unwrap_err().to_string();
    assert!(err.contains("not in this workspace"), "{err}");
    assert_eq!(kb.list(None).await.unwrap().len(), before);

    // Taking the image out again is an edit of the files, in the history.
    let edited = kb
        .edit(
            &v.id.to_string(),
            helpdeck_core::kb::ArticleFields {
                body: Some("按住背面的按钮十秒。".into()),
                files: Some(Vec::new()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(edited.files.is_empty());
    assert_eq!(edited.history.last().unwrap().what, "edited body, files");
}
