//! One source of the UI language: a workspace made in Chinese (by the CLI or the first-run
//! form) opens in Chinese; a user's own choice wins; "the workspace's" follows it again.

use helpdeck_app::{App, LanguageChoice, Settings, WorkspaceInput};
use helpdeck_store::{InitOptions, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chinese_workspace_opens_in_chinese_unless_the_user_chose_otherwise() {
    // `helpdeck init --language zh`, then the app on that folder with no settings file.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init_with_key(
        dir.path(),
        InitOptions {
            name: "上海办公室".into(),
            timezone: "Asia/Shanghai".into(),
            language: "zh".into(),
            owner_name: "王芳".into(),
            owner_email: "wang.fang@acme.cn".into(),
        },
        helpdeck_store::StoreKey::random(),
    )
    .await
    .unwrap();
    store.shutdown().await;
    let app = App::open(dir.path()).await.unwrap();
    let info = app.info().await.unwrap();
    assert_eq!(info.settings.language, LanguageChoice::Workspace);
    assert_eq!(info.language, "zh");

    let mut s: Settings = info.settings.clone();
    s.language = LanguageChoice::En;
    app.update_settings(s.clone()).await.unwrap();
    assert_eq!(app.info().await.unwrap().language, "en");
    s.language = LanguageChoice::Workspace;
    app.update_settings(s).await.unwrap();
    assert_eq!(app.info().await.unwrap().language, "zh");

    // The first-run form in Chinese: the new workspace and the UI are Chinese. (The app
    // keeps its key in the OS keyring; this test gives it one.)
    let dir = tempfile::tempdir().unwrap();
    let app = App::open_from(
        dir.path(),
        helpdeck_store::KeySource::Given(helpdeck_store::StoreKey::random()),
    )
    .await
    .unwrap();
    let info = app
        .create_workspace(WorkspaceInput {
            name: "Desk".into(),
            timezone: "Asia/Shanghai".into(),
            language: "zh".into(),
            owner_name: "王芳".into(),
            owner_email: "wang.fang@acme.cn".into(),
            demo_tickets: None,
        })
        .await
        .unwrap();
    assert_eq!(info.language, "zh");
    assert_eq!(info.workspace.unwrap().language, "zh");
}
