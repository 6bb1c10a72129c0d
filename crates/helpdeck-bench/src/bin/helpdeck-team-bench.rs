//! Team-workflow benchmark (issue 13, docs/benchmarks.md): a bulk change of 1,000 tickets
//! (priority, then assignee, then a macro with a reply) and its undo, each one transaction
//! through the store as the app calls it, on a workspace of N imported demo tickets. Prints
//! Markdown rows.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Parser;
use helpdeck_core::ticket::Priority;
use helpdeck_store::{BulkChange, ImportOptions, InitOptions, MacroInput, Store};

#[derive(Parser)]
struct Args {
    /// Tickets in the workspace.
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Tickets changed at once.
    #[arg(long, default_value_t = 1000)]
    bulk: usize,
    /// Timed repetitions of each change.
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Where the workspace is kept (reused between runs).
    #[arg(long, default_value = "bench-data")]
    dir: PathBuf,
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

/// The `kind`th change of the run, alternating values between repetitions `i`.
fn change(kind: usize, i: usize) -> BulkChange {
    match kind {
        0 => BulkChange {
            priority: Some(if i.is_multiple_of(2) {
                Priority::P2
            } else {
                Priority::P3
            }),
            ..Default::default()
        },
        1 => BulkChange {
            assignee: Some(if i.is_multiple_of(2) { "me" } else { "none" }.into()),
            ..Default::default()
        },
        _ => BulkChange {
            macro_: Some("bench reply".into()),
            ..Default::default()
        },
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.tickets;
    let dir = args.dir.join(format!("team-{n}"));
    let fresh = !dir.join(helpdeck_store::DB_FILE).exists();
    if fresh {
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::init(
            &dir,
            InitOptions {
                name: format!("team {n}"),
                timezone: "Asia/Shanghai".into(),
                language: "zh".into(),
                owner_name: "Bench".into(),
                owner_email: "bench@helpdeck.example".into(),
            },
        )
        .await?;
        let data = helpdeck_demo::generate(n, 7, jiff::Timestamp::now());
        store
            .transfer()
            .import(&data, ImportOptions { outbox: true })
            .await?;
    }
    let store = Store::open(&dir).await?;
    if store.macros().find("bench reply").await.is_err() {
        store
            .macros()
            .add(MacroInput {
                name: "bench reply".into(),
                body: "{requester.name}，您好：{ticket.number} 已收到，预计 {sla.resolution_due} 前解决。".into(),
                add_tags: vec!["bench".into()],
                ..Default::default()
            })
            .await?;
    }
    // The newest open tickets (as a queue shows them).
    let page = store
        .tickets()
        .list_tickets(&helpdeck_store::TicketFilter {
            limit: args.bulk as u32,
            ..Default::default()
        })
        .await?;
    let refs: Vec<String> = page.iter().map(|t| t.number.clone()).collect();
    println!("| change | tickets | p50 ms | max ms | per ticket |");
    println!("|---|---|---|---|---|");
    let names = ["priority", "assignee", "macro (reply + tag)"];
    for (kind, name) in names.into_iter().enumerate() {
        let mut runs = Vec::new();
        let mut undos = Vec::new();
        for i in 0..args.reps {
            let start = Instant::now();
            let out = store.tickets().bulk_update(&refs, change(kind, i)).await?;
            runs.push(start.elapsed());
            let start = Instant::now();
            store.tickets().bulk_undo(&out.undo).await?;
            undos.push(start.elapsed());
        }
        for (label, mut v) in [(name.to_string(), runs), (format!("undo {name}"), undos)] {
            v.sort();
            let p50 = v[v.len() / 2];
            println!(
                "| {label} | {} | {} | {} | {:.2} ms |",
                refs.len(),
                ms(p50),
                ms(*v.last().unwrap()),
                p50.as_secs_f64() * 1000.0 / refs.len() as f64
            );
        }
    }
    Ok(())
}
