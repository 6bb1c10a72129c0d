//! Power cuts (issue 14): the CLI killed with SIGKILL 100 times while it writes, at random
//! moments of its run (opening the encrypted store, inside the write transaction, at the
//! commit, after it). After every kill the workspace opens, `PRAGMA integrity_check` passes,
//! every change a process reported as done is there, and every change is whole: its rows and
//! its outbox operation both, or neither. (The server's kills are in `sync_faults.rs`.)

mod sync_harness;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use sync_harness::*;

const KILLS: usize = 100;

fn helpdeck(session: &Session, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("HELPDECK_DATA_DIR")
        .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

/// One write, named by a marker found in its rows and in its outbox operation.
fn write_args(k: usize, committed: &[String]) -> (Vec<String>, String) {
    let marker = format!("power-cut-{k}-marker");
    let args = match (k % 3, committed.last()) {
        (1, Some(number)) => vec![
            "ticket".into(),
            "reply".into(),
            number.clone(),
            "--body".into(),
            marker.clone(),
        ],
        (2, Some(number)) => vec![
            "ticket".into(),
            "note".into(),
            number.clone(),
            "--body".into(),
            marker.clone(),
        ],
        _ => vec![
            "--json".into(),
            "ticket".into(),
            "create".into(),
            "--title".into(),
            marker.clone(),
            "--body".into(),
            "written while the power fails".into(),
        ],
    };
    (args, marker)
}

#[test]
fn the_cli_killed_100_times_while_writing_keeps_every_committed_change_whole() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let init = helpdeck(&session, &ws, &["init", "--name", "Power cuts"])
        .bounded_output()
        .unwrap();
    assert!(init.status.success());
    let db = ws.join("helpdeck.db");

    // How long one write takes here, so the kills spread over a whole run.
    let mut committed_numbers: Vec<String> = Vec::new();
    let started = Instant::now();
    for k in 0..3 {
        let (args, _) = write_args(1000 + k, &committed_numbers);
        let out = helpdeck(
            &session,
            &ws,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .bounded_output()
        .unwrap();
        assert!(out.status.success());
        if k == 0 {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            committed_numbers.push(v["number"].as_str().unwrap().to_string());
        }
    }
    let run_ms = (started.elapsed().as_millis() as u64 / 3).max(20);

    let mut rng = rand::rng();
    let (mut done, mut cut) = (Vec::new(), Vec::new());
    for k in 0..KILLS {
        let (args, marker) = write_args(k, &committed_numbers);
        let mut child = helpdeck(
            &session,
            &ws,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .spawn()
        .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(0..run_ms * 5 / 4)));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        let finished = out.status.success();
        if finished {
            if args[1] == "ticket" && args[2] == "create" {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                committed_numbers.push(v["number"].as_str().unwrap().to_string());
            }
            done.push(marker.clone());
        } else {
            cut.push(marker.clone());
        }
        // The next program to open it: whole, and each change all or nothing.
        assert_integrity(&db);
        let rows = sqlite_count(
            &db,
            &format!(
                "SELECT (SELECT count(*) FROM tickets WHERE title = '{marker}') + \
                        (SELECT count(*) FROM comments WHERE body = '{marker}')"
            ),
        );
        let ops = sqlite_count(
            &db,
            &format!("SELECT count(*) FROM outbox WHERE instr(op, '{marker}') > 0"),
        );
        assert_eq!(
            rows, ops,
            "kill {k}: {marker} has {rows} rows and {ops} outbox operations"
        );
        assert!(rows <= 1);
        if finished {
            assert_eq!(
                rows, 1,
                "kill {k}: {marker} was reported done but is not there"
            );
        }
    }
    eprintln!(
        "{KILLS} SIGKILLs of the CLI while writing (one write ≈ {run_ms} ms): {} had finished, {} were cut",
        done.len(),
        cut.len()
    );
    assert!(
        cut.len() >= KILLS / 4,
        "too few kills landed during a write to test anything"
    );
    // After all of it, the CLI works on: every finished write is listed, no ticket twice.
    let export: serde_json::Value = serde_json::from_slice(
        &helpdeck(&session, &ws, &["export", "--format", "json"])
            .bounded_output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let text = export.to_string();
    for m in &done {
        assert!(text.contains(m.as_str()), "{m} is missing from the export");
    }
    assert_eq!(
        sqlite_count(&db, "SELECT count(DISTINCT number) FROM tickets"),
        sqlite_count(&db, "SELECT count(*) FROM tickets")
    );
}
