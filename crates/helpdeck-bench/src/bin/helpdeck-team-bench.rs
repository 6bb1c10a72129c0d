//! Team-workflow benchmark (issue 13, docs/benchmarks.md): a bulk change of 1,000 tickets
//! (priority, then assignee, then a macro with a reply) and its undo, each one transaction
//! through the store as the app calls it, on a workspace of N imported demo tickets; then
//! the cost of assignment rules per created ticket with 100 rules (the router alone, and a
//! ticket made through the store with and without rules). Prints Markdown rows.

#[path = "../bench_key.rs"]
mod bench_key;
use bench_key::bench_key;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Parser;
use helpdeck_core::routing::{Assign, AssignmentRule, parse_condition};
use helpdeck_core::ticket::Priority;
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::{BulkChange, CreateInput, ImportOptions, InitOptions, MacroInput, Store};

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
    /// Only the assignment-rule measurements.
    #[arg(long)]
    routing_only: bool,
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
        let store = Store::init_with_key(
            &dir,
            InitOptions {
                name: format!("team {n}"),
                timezone: "Asia/Shanghai".into(),
                language: "zh".into(),
                owner_name: "Bench".into(),
                owner_email: "bench@helpdeck.example".into(),
            },
            bench_key(&dir)?,
        )
        .await?;
        let data = helpdeck_demo::generate(n, 7, jiff::Timestamp::now());
        store
            .transfer()
            .import(&data, ImportOptions { outbox: true })
            .await?;
    }
    let store = Store::open_with_key(&dir, bench_key(&dir)?).await?;
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
    if args.routing_only {
        return routing(&store, args.reps).await;
    }
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
    routing(&store, args.reps).await?;
    Ok(())
}

/// 100 rules, the first 99 of which look at keywords that never occur (each checks the
/// title and description), the last a least-loaded pick with a capacity.
fn hundred_rules(team: &str) -> Vec<AssignmentRule> {
    let mut rules: Vec<AssignmentRule> = (0..99)
        .map(|i| AssignmentRule {
            id: uuid::Uuid::now_v7(),
            name: format!("rule {i}"),
            when: vec![
                parse_condition("priority=P1|P2|P3|P4").unwrap(),
                parse_condition(&format!("keyword=never-{i}|nie-{i}")).unwrap(),
            ],
            assign: Assign::RoundRobin { team: team.into() },
            skill: None,
            capacity: None,
        })
        .collect();
    rules.push(AssignmentRule {
        id: uuid::Uuid::now_v7(),
        name: "last".into(),
        when: vec![],
        assign: Assign::LeastLoaded { team: team.into() },
        skill: None,
        capacity: Some(1000),
    });
    rules
}

async fn routing(store: &Store, reps: usize) -> Result<()> {
    use helpdeck_core::routing::{Agent, Availability, Facts, Router};
    let team = helpdeck_demo::TEAMS[0];
    let rules = hundred_rules(team);
    // The router alone: 100 rules, 12 agents, 10,000 tickets.
    let team_id = uuid::Uuid::now_v7();
    let agents: Vec<Agent> = (0..12)
        .map(|i| Agent {
            id: uuid::Uuid::now_v7(),
            email: format!("agent{i}@bench.example"),
            name: format!("Agent {i}"),
            team_id: Some(team_id),
            skills: vec![],
            availability: Availability::default(),
            load: i * 3,
        })
        .collect();
    let pause = [helpdeck_core::status::Status::PendingCustomer];
    let mut router = Router::new(
        &rules,
        [(team_id, team.to_string())],
        agents,
        Default::default(),
        &pause,
        jiff::Timestamp::now(),
    );
    let title = "打印机卡纸，三楼财务室 — printer jams on the 3rd floor".to_string();
    let description = "每次打印第二页都会卡纸，已经重启过。It jams on every second page.".repeat(4);
    let n = 10_000;
    let start = Instant::now();
    let mut owned = 0;
    for _ in 0..n {
        let facts = Facts {
            kind: helpdeck_core::ticket::Kind::Incident,
            category: "hardware",
            priority: Priority::P3,
            org_tier: None,
            channel: helpdeck_core::ticket::Channel::Portal,
            title: &title,
            description: &description,
        };
        owned += usize::from(
            router
                .route(&facts, helpdeck_core::status::Status::New)
                .assignee_id
                .is_some(),
        );
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    assert_eq!(owned, n, "the last rule assigns every ticket");
    println!();
    println!("| assignment rules, 100 rules (99 miss, the last picks) | per created ticket |");
    println!("|---|---|");
    println!("| router alone (12 agents, {n} tickets) | {per:.1} µs |");
    // Through the store: the ticket, its row, FTS and outbox, then the routing (loads read
    // from the tickets table, the turn kept, the assignment as a second change).
    let create = |label: &'static str| async move {
        let mut v = Vec::new();
        for i in 0..reps * 40 {
            let start = Instant::now();
            store
                .tickets()
                .create_ticket(CreateInput {
                    title: format!("routing bench {label} {i}"),
                    body: "打印机卡纸".into(),
                    ..Default::default()
                })
                .await?;
            v.push(start.elapsed());
        }
        v.sort();
        anyhow::Ok(v[v.len() / 2])
    };
    let without = create("without").await?;
    for r in &rules {
        store
            .admin()
            .change(&RulesChange::AddAssignmentRule {
                rule: r.clone(),
                position: None,
            })
            .await?;
    }
    let with = create("with").await?;
    // The same, the last rule taking turns instead (no loads to count).
    let last = rules.last().expect("100 rules").clone();
    store
        .admin()
        .change(&RulesChange::RemoveAssignmentRule {
            name: last.name.clone(),
        })
        .await?;
    store
        .admin()
        .change(&RulesChange::AddAssignmentRule {
            rule: AssignmentRule {
                assign: Assign::RoundRobin { team: team.into() },
                capacity: None,
                ..last
            },
            position: None,
        })
        .await?;
    let turns = create("turns").await?;
    for r in &rules {
        store
            .admin()
            .change(&RulesChange::RemoveAssignmentRule {
                name: r.name.clone(),
            })
            .await?;
    }
    println!(
        "| create ticket through the store, no rules (p50) | {:.2} ms |",
        without.as_secs_f64() * 1000.0
    );
    println!(
        "| create ticket through the store, 100 rules, the last least-loaded with a cap (p50) | {:.2} ms |",
        with.as_secs_f64() * 1000.0
    );
    println!(
        "| create ticket through the store, 100 rules, the last round-robin (p50) | {:.2} ms |",
        turns.as_secs_f64() * 1000.0
    );
    Ok(())
}
