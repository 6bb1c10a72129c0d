//! Tokens in the OS keyring (spec §6.6), on a real Secret Service (gnome-keyring on a
//! private D-Bus session): login stores the token there and nowhere in the data dir, sync
//! uses it, logout removes it (and revokes it on the server), and without a Secret Service
//! login fails with a clear error and writes nothing.

mod sync_harness;

use std::path::Path;

use sync_harness::*;

/// Helper process: prints the token the keyring holds for an account. Run by
/// `keyring_token()` in a child with the test session's D-Bus environment (the `keyring`
/// crate reads it from the process environment).
#[test]
#[ignore = "helper process of the keyring tests, run by them with their own D-Bus session"]
fn keyring_probe() {
    let account = std::env::var("HELPDECK_KEYRING_PROBE").expect("HELPDECK_KEYRING_PROBE");
    let token = block_on(helpdeck_sync::credentials::load_token(&account)).unwrap();
    println!("PROBE_TOKEN=[{}]", token.unwrap_or_default());
}

/// The token the session's keyring holds for a replica ("" when none).
fn keyring_token(session: &Session, login: &serde_json::Value) -> String {
    let account = helpdeck_sync::credentials::account(
        login["workspace_id"].as_str().unwrap().parse().unwrap(),
        login["device_id"].as_str().unwrap().parse().unwrap(),
    );
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "keyring_probe", "--ignored", "--nocapture"])
        .args(["--test-threads", "1"])
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("HELPDECK_KEYRING_PROBE", account)
        .bounded_output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "probe failed: {stdout}");
    // libtest prints the line after its own "test keyring_probe ... ".
    let (_, rest) = stdout
        .split_once("PROBE_TOKEN=")
        .unwrap_or_else(|| panic!("probe printed no token: {stdout}"));
    rest.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(t, _)| t.to_string())
        .unwrap_or_else(|| panic!("bad probe output: {stdout}"))
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

fn files_under(dir: &Path) -> Vec<String> {
    if !dir.exists() {
        return Vec::new();
    }
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            all.push(p.display().to_string());
        }
    }
    all
}

#[test]
fn token_lives_in_the_keyring_and_logout_removes_it() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("alice@helpdesk.example", "Alice", "agent", None);
    let server = home.start();
    let alice = Replica::new(&session, "alice@helpdesk.example");
    let out = alice.login_output(&server.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let login: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let token = keyring_token(&session, &login);
    assert!(token.starts_with("hdk_"), "the keyring holds the token");
    // Not in any file of the data dir (database, WAL, anything), nor in the keyring's own
    // files in clear (gnome-keyring encrypts them), nor printed by login.
    let dir = alice.dir.path();
    assert!(!files_under(dir).is_empty());
    assert_eq!(files_containing(dir, &token), Vec::<String>::new());
    assert_eq!(
        files_containing(session.root(), &token),
        Vec::<String>::new()
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));

    // Sync works with it.
    alice.ok(&["ticket", "create", "--title", "Keyboard missing keys"]);
    alice.sync();
    assert_eq!(alice.pending(), 0);
    assert_eq!(files_containing(dir, &token), Vec::<String>::new());

    // Logout: gone from the keyring, revoked on the server, sync refuses clearly.
    alice.ok(&["logout"]);
    assert_eq!(
        keyring_token(&session, &login),
        "",
        "logout empties the keyring"
    );
    let status = block_on(async {
        reqwest::Client::new()
            .get(format!("{}/auth/me", server.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 401, "the old token is revoked on the server");
    alice.ok(&["ticket", "create", "--title", "Made while signed out"]);
    let out = alice.run(&["sync", "--once"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: signed out"), "{err}");
    assert!(err.contains("helpdeck login"), "says how to sign in: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        alice.pending() > 0,
        "local changes are kept while signed out"
    );

    // Signing in again (same data dir) brings a new token; the kept change syncs.
    let out = alice.login_output(&server.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = keyring_token(&session, &login);
    assert!(again.starts_with("hdk_") && again != token);
    alice.sync();
    assert_eq!(alice.pending(), 0);
    assert_eq!(files_containing(dir, &again), Vec::<String>::new());
    assert_integrity(&alice.db_path());
}

#[test]
fn login_without_a_secret_service_fails_and_writes_nothing() {
    let Some(no_keyring) = Session::without_keyring() else {
        return;
    };
    let home = ServerHome::new(Db::Sqlite);
    home.add_user("carol@acme.example", "Carol", "customer", Some("Acme"));
    let server = home.start();

    // A session bus without the Secret Service, then no session bus at all.
    let nowhere = vec![(
        "DBUS_SESSION_BUS_ADDRESS".to_string(),
        "unix:path=/nonexistent/helpdeck-test-bus".to_string(),
    )];
    for env in [no_keyring.env.clone(), nowhere] {
        let scratch = tempfile::tempdir().unwrap();
        let data = scratch.path().join("replica");
        let out = std::process::Command::new(bin())
            .arg("--data-dir")
            .arg(&data)
            .env_remove("HELPDECK_DATA_DIR")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .args([
                "login",
                "--server",
                &server.url,
                "--email",
                "carol@acme.example",
            ])
            .env("HELPDECK_PASSWORD", PASSWORD)
            .bounded_output()
            .unwrap();
        assert!(!out.status.success(), "login without a keyring ({env:?})");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("no OS keyring is available") && err.contains("Secret Service"),
            "clear keyring error: {err}"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(
            files_under(&data),
            Vec::<String>::new(),
            "a failed login writes nothing"
        );
    }
}
