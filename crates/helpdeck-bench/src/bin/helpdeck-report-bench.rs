//! Reports benchmark (issue 16, spec §8 "reports dashboard at 1M tickets < 1 s for the whole
//! dashboard"; docs/benchmarks.md): the whole dashboard — both periods' figures, the daily
//! trend, backlog ages, SLA table and heatmap, teams, agents and a breakdown — as the app asks
//! for it, on a workspace of N imported demo tickets (all in the last 90 days, or with
//! `--years` of closed history before them), for the last 7, 30 and 90 days and for one
//! team; and the one-time cost of computing every ticket's report row again (a workspace from
//! before reports, or after an SLA policy change). Prints Markdown rows.

#[path = "../bench_key.rs"]
mod bench_key;
use bench_key::bench_key;
#[path = "../s8.rs"]
mod s8;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Parser;
use helpdeck_core::report::{Period, ReportFilter, ReportGroup};
use helpdeck_store::{ImportOptions, InitOptions, Store};

#[derive(Parser)]
struct Args {
    /// Tickets in the workspace.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: usize,
    /// Timed repetitions of each dashboard.
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Years of history: the last 90 days as the demo makes them, every older ticket closed
    /// and spread over the years before (a desk that has worked for years). 0: every ticket
    /// in the last 90 days, as the demo workspace (a worst case: 52% of them open).
    #[arg(long, default_value_t = 0)]
    years: u32,
    /// Skip recomputing every ticket's report row (minutes at 1M).
    #[arg(long)]
    no_recompute: bool,
    /// Where the workspace is kept (reused between runs).
    #[arg(long, default_value = "bench-data")]
    dir: PathBuf,
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.tickets;
    let dir = match args.years {
        0 => args.dir.join(format!("report-{n}")),
        y => args.dir.join(format!("report-{n}-{y}y")),
    };
    let fresh = !dir.join(helpdeck_store::DB_FILE).exists();
    if fresh {
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::init_with_key(
            &dir,
            InitOptions {
                name: format!("report {n}"),
                timezone: "Asia/Shanghai".into(),
                language: "zh".into(),
                owner_name: "Bench".into(),
                owner_email: "bench@helpdeck.example".into(),
            },
            bench_key(&dir)?,
        )
        .await?;
        let start = Instant::now();
        let data = match args.years {
            0 => helpdeck_demo::generate(n, 7, jiff::Timestamp::now()),
            y => helpdeck_demo::generate_history(n, 7, jiff::Timestamp::now(), y),
        };
        store
            .transfer()
            .import(&data, ImportOptions { outbox: false })
            .await?;
        eprintln!(
            "imported {n} demo tickets in {:.0} s",
            start.elapsed().as_secs_f64()
        );
    }
    let store = Store::open_with_key(&dir, bench_key(&dir)?).await?;
    let now = jiff::Timestamp::now();
    let day = jiff::SignedDuration::from_hours(24);
    println!(
        "| {n} tickets{} | p50 ms | max ms | bar |",
        match args.years {
            0 => " (all in the last 90 days)".to_string(),
            y => format!(" ({y} years of history)"),
        }
    );
    println!("|---|---|---|---|");
    // Every ticket's facts computed again (what an upgrade or a policy change costs once).
    if !args.no_recompute {
        let start = Instant::now();
        let rows = store.reports().recompute_all_facts().await?;
        println!(
            "| every ticket's report row computed again ({rows} rows: an upgrade, an SLA policy change) | {} | | (once) |",
            ms(start.elapsed())
        );
    }
    let start = Instant::now();
    let period = Period::new(now - day * 30, now)?;
    let d = store
        .reports()
        .dashboard(period, &ReportFilter::default(), ReportGroup::Category)
        .await?;
    println!(
        "| the first 30-day dashboard after opening the workspace (no page read yet{}) | {} | | < 1 s |",
        if args.no_recompute {
            ""
        } else {
            "; after the rows were computed"
        },
        ms(start.elapsed())
    );
    eprintln!(
        "30 days: created {}, resolved {}, backlog {}",
        d.current.created, d.current.resolved, d.current.backlog
    );
    for days in [7, 30, 90] {
        let period = Period::new(now - day * days, now)?;
        let mut runs = Vec::new();
        for _ in 0..args.reps {
            let start = Instant::now();
            let d = store
                .reports()
                .dashboard(period, &ReportFilter::default(), ReportGroup::Category)
                .await?;
            runs.push(start.elapsed());
            std::hint::black_box(d);
        }
        runs.sort();
        // The bar is for a desk with history; every ticket in 90 days is a stress case.
        if args.years > 0 {
            s8::record(
                &format!("reports_ms@{n}"),
                &format!("last {days} days, {} years of history, p50", args.years),
                runs[runs.len() / 2].as_secs_f64() * 1000.0,
            );
        }
        println!(
            "| whole dashboard, last {days} days (+ the {days} before) | {} | {} | < 1 s |",
            ms(runs[runs.len() / 2]),
            ms(*runs.last().unwrap())
        );
    }
    // One filter (a team's dashboard) for the last 30 days.
    let team = store
        .reports()
        .dashboard(
            Period::new(now - day * 30, now)?,
            &ReportFilter::default(),
            ReportGroup::Team,
        )
        .await?
        .teams
        .first()
        .map(|t| t.key.clone());
    if let Some(team) = team.filter(|t| !t.is_empty()) {
        let filter = ReportFilter {
            team: Some(team.clone()),
            ..Default::default()
        };
        let mut runs = Vec::new();
        for _ in 0..args.reps {
            let start = Instant::now();
            std::hint::black_box(
                store
                    .reports()
                    .dashboard(
                        Period::new(now - day * 30, now)?,
                        &filter,
                        ReportGroup::Agent,
                    )
                    .await?,
            );
            runs.push(start.elapsed());
        }
        runs.sort();
        println!(
            "| one team's dashboard ({team}), last 30 days | {} | {} | < 1 s |",
            ms(runs[runs.len() / 2]),
            ms(*runs.last().unwrap())
        );
    }
    store.shutdown().await;
    Ok(())
}
