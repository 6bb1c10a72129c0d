//! The server as the packages run it: the systemd unit's own command line and environment
//! (read from `packaging/helpdeck-server.service`, with an admin's `/etc/default` file) start a
//! server that a CLI replica signs in to and syncs with; SIGTERM stops it cleanly within the
//! unit's stop timeout. (No systemd runs on the test machine: the unit is executed as systemd
//! would, `${STATE_DIRECTORY}` and the environment included; `systemd-analyze verify` checks
//! its syntax where that tool exists.)

mod sync_harness;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sync_harness::*;

fn unit() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packaging/helpdeck-server.service"
    ))
    .unwrap()
}

/// `KEY=value` lines of `Environment=` and of an environment file, in order.
fn environment(unit: &str, env_file: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in unit.lines().chain(env_file.lines()) {
        let kv = line.strip_prefix("Environment=").unwrap_or(line);
        if line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        if let Some((k, v)) = kv.split_once('=')
            && k.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            && !k.is_empty()
        {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

#[test]
fn the_systemd_unit_starts_a_server_a_replica_syncs_with() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let unit = unit();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart");
    assert!(unit.contains("EnvironmentFile=-/etc/default/helpdeck-server"));
    assert!(unit.contains("KillSignal=SIGTERM"));
    let state = tempfile::tempdir().unwrap();
    // What an admin writes to /etc/default/helpdeck-server (a free port for the test).
    let env_file = "HELPDECK_LISTEN=127.0.0.1:0\nHELPDECK_WORKSPACE_NAME=Acme IT\nHELPDECK_TIMEZONE=Asia/Shanghai\n";
    let args: Vec<String> = exec
        .split_whitespace()
        .skip(1)
        .map(|a| a.replace("${STATE_DIRECTORY}", state.path().to_str().unwrap()))
        .collect();
    assert_eq!(exec.split_whitespace().next(), Some("/usr/bin/helpdeck"));

    // An account, made as docs/admin.md says, on the service's data dir.
    let add = Command::new(bin())
        .args([
            "--data-dir",
            state.path().to_str().unwrap(),
            "server",
            "user",
            "add",
        ])
        .args([
            "--email",
            "alice@acme.example",
            "--name",
            "Alice",
            "--role",
            "agent",
        ])
        .env("HELPDECK_PASSWORD", PASSWORD)
        .env_remove("HELPDECK_DB")
        .status()
        .unwrap();
    assert!(add.success());

    let mut server = Command::new(bin())
        .args(&args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STATE_DIRECTORY", state.path())
        .envs(environment(&unit, env_file))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("helpdeck server listening on ")
        .unwrap_or_else(|| panic!("the unit's command did not start a server: {line}"))
        .to_string();

    let alice = Replica::login(&session, &url, "alice@acme.example");
    assert_eq!(alice.user["name"], "Alice");
    alice.ok(&["ticket", "create", "--title", "Printer offline"]);
    alice.sync();
    assert_eq!(alice.pending(), 0);
    let other = Replica::login(&session, &url, "alice@acme.example");
    other.sync();
    assert_eq!(other.exported_tickets().len(), 1);
    // The environment reached the server: the workspace has the admin's name.
    let again: serde_json::Value =
        serde_json::from_slice(&other.login_output(&url).stdout).unwrap();
    assert_eq!(again["workspace"], "Acme IT");
    assert!(
        state.path().join("server.db").is_file(),
        "data in the state directory"
    );

    // systemctl stop: SIGTERM, then the unit's TimeoutStopSec (30 s) before a kill.
    let pid = server.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a graceful stop exits 0: {status:?}");

    // Where systemd's own checker exists, the unit passes it.
    if let Ok(out) = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../packaging/helpdeck-server.service"
        ))
        .bounded_output()
    {
        let err = String::from_utf8_lossy(&out.stderr);
        // The binary path does not exist on a build machine; anything else is a unit error.
        let real: Vec<&str> = err
            .lines()
            .filter(|l| !l.contains("/usr/bin/helpdeck") && !l.trim().is_empty())
            .collect();
        assert!(real.is_empty(), "systemd-analyze verify: {err}");
    }
}
