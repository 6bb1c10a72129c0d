//! `helpdeck rule add|list|remove|test` (spec §7): the assignment rules an admin keeps, in
//! order (the first that matches a new ticket decides its owner). On a replica the server
//! keeps them and routes; `rule test` asks it, so the answer uses everyone's availability
//! and load.

use anyhow::Result;
use clap::{Args, Subcommand};
use helpdeck_core::routing::{Assign, AssignmentRule, parse_condition};
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::Store;
use uuid::Uuid;

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum RuleCommand {
    /// Add an assignment rule (admins), last unless --position.
    Add(RuleArgs),
    /// The assignment rules, in the order they are tried.
    List,
    /// Remove an assignment rule (admins).
    Remove { name: String },
    /// Which rule a ticket would match and why (nothing is assigned).
    Test { reference: String },
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    #[arg(long)]
    name: String,
    /// A condition (all must hold): kind=, category=, priority=, org_tier=, channel=,
    /// keyword= (title or description); alternatives with |, e.g. priority=P1|P2.
    #[arg(long = "when", value_name = "FIELD=VALUE")]
    when: Vec<String>,
    /// team:TEAM, agent:EMAIL, round-robin:TEAM or least-loaded:TEAM.
    #[arg(long)]
    assign: String,
    /// Round-robin and least-loaded: only agents with this skill.
    #[arg(long)]
    skill: Option<String>,
    /// Round-robin and least-loaded: an agent with this many open tickets gets no more.
    #[arg(long)]
    capacity: Option<u32>,
    /// Where in the order (1 = tried first); last by default.
    #[arg(long)]
    position: Option<usize>,
}

pub async fn run(store: &Store, cmd: RuleCommand, out: &Printer) -> Result<()> {
    use helpdeck_sync::rules as r;
    match cmd {
        RuleCommand::Add(a) => {
            let rule = AssignmentRule {
                id: Uuid::now_v7(),
                name: a.name,
                when: a
                    .when
                    .iter()
                    .map(|w| parse_condition(w))
                    .collect::<Result<_, _>>()?,
                assign: a.assign.parse::<Assign>()?,
                skill: a.skill,
                capacity: a.capacity,
            };
            let rules = r::change_rules(
                store,
                &RulesChange::AddAssignmentRule {
                    rule,
                    position: a.position,
                },
            )
            .await?;
            list(out, &rules.assignment)
        }
        RuleCommand::Remove { name } => {
            let rules = r::change_rules(store, &RulesChange::RemoveAssignmentRule { name }).await?;
            list(out, &rules.assignment)
        }
        RuleCommand::List => {
            let rules = if store.admin().is_local() {
                store.admin().rules().await?
            } else {
                // The server's current list (this replica's copy may be a pull behind).
                match helpdeck_sync::session::client_for(store).await {
                    Ok(c) => c.rules().await?,
                    Err(_) => store.admin().rules().await?,
                }
            };
            list(out, &rules.assignment)
        }
        RuleCommand::Test { reference } => {
            let d = r::routing_test(store, &reference).await?;
            out.emit(&d, || {
                let mut s = String::new();
                for line in &d.explanation {
                    s.push_str(line);
                    s.push('\n');
                }
                s
            })
        }
    }
}

fn list(out: &Printer, rules: &[AssignmentRule]) -> Result<()> {
    out.emit(&serde_json::json!({ "rules": rules }), || {
        if rules.is_empty() {
            return "No assignment rules: new tickets stay unowned until someone takes them.\n\
                    Add one: helpdeck rule add --name N [--when priority=P1] --assign round-robin:TEAM\n"
                .into();
        }
        let mut s = String::new();
        for (i, r) in rules.iter().enumerate() {
            let when = if r.when.is_empty() {
                "every ticket".to_string()
            } else {
                r.when
                    .iter()
                    .map(|c| format!("{}={}", c.field.as_str(), c.any_of.join("|")))
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            let extra = [
                r.skill.as_ref().map(|k| format!("skill {k}")),
                r.capacity.map(|c| format!("at most {c} open each")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            s.push_str(&format!(
                "{}. {}: {} → {}{}\n",
                i + 1,
                r.name,
                when,
                r.assign,
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(" ({extra})")
                }
            ));
        }
        s
    })
}
