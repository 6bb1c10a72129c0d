//! `helpdeck rule add|escalate|list|remove|test` (spec §7): the assignment rules an admin
//! keeps, in order (the first that matches a new ticket decides its owner), and the
//! escalation rules that act on SLA events. On a replica the server keeps them, routes and
//! runs the escalations; `rule test` asks it, so the answer uses everyone's availability
//! and load.

use anyhow::Result;
use clap::{Args, Subcommand};
use helpdeck_core::escalation::rules::EscalationRule;
use helpdeck_core::routing::{Assign, AssignmentRule, parse_condition};
use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::Store;
use uuid::Uuid;

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum RuleCommand {
    /// Add an assignment rule (admins), last unless --position.
    Add(RuleArgs),
    /// Add an escalation rule (admins): what happens when an SLA target is at risk or
    /// breached — alert the team lead, move up a tier, hand to a team or an agent.
    Escalate(EscalateArgs),
    /// The assignment rules, in the order they are tried, and the escalation rules.
    List,
    /// Remove an assignment or escalation rule (admins).
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

#[derive(Args, Debug)]
pub struct EscalateArgs {
    #[arg(long)]
    name: String,
    /// The SLA event: at_risk or breached.
    #[arg(long)]
    on: String,
    /// Only this target: first_response, next_update or resolution (default: any).
    #[arg(long)]
    target: Option<String>,
    /// A condition (all must hold), as for assignment rules: priority=P1|P2, kind=, ...
    #[arg(long = "when", value_name = "FIELD=VALUE")]
    when: Vec<String>,
    /// Alert this person (the team lead): on the ticket's timeline and as a notification.
    #[arg(long)]
    notify: Option<String>,
    /// Move the ticket up one tier (L1 → L2 → L3).
    #[arg(long)]
    tier_up: bool,
    /// Hand the ticket to team:TEAM or agent:EMAIL.
    #[arg(long)]
    reassign: Option<String>,
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
            list(out, &rules)
        }
        RuleCommand::Escalate(a) => {
            let rule = EscalationRule {
                id: Uuid::now_v7(),
                name: a.name,
                on: a.on.parse()?,
                target: a.target.as_deref().map(str::parse).transpose()?,
                when: a
                    .when
                    .iter()
                    .map(|w| parse_condition(w))
                    .collect::<Result<_, _>>()?,
                notify: a.notify,
                tier_up: a.tier_up,
                reassign: a.reassign.as_deref().map(str::parse).transpose()?,
            };
            let rules = r::change_rules(store, &RulesChange::AddEscalationRule { rule }).await?;
            list(out, &rules)
        }
        RuleCommand::Remove { name } => {
            let current = store.admin().rules().await?;
            let change = if current
                .escalation
                .iter()
                .any(|r| r.name.eq_ignore_ascii_case(name.trim()))
            {
                RulesChange::RemoveEscalationRule { name }
            } else {
                RulesChange::RemoveAssignmentRule { name }
            };
            let rules = r::change_rules(store, &change).await?;
            list(out, &rules)
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
            list(out, &rules)
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

fn conditions(when: &[helpdeck_core::routing::Condition]) -> String {
    if when.is_empty() {
        return "every ticket".to_string();
    }
    when.iter()
        .map(|c| format!("{}={}", c.field.as_str(), c.any_of.join("|")))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn list(out: &Printer, all: &WorkspaceRules) -> Result<()> {
    let rules = &all.assignment;
    let json = serde_json::json!({ "rules": rules, "escalation_rules": all.escalation });
    out.emit(&json, || {
        let mut s = String::new();
        if rules.is_empty() {
            s.push_str(
                "No assignment rules: new tickets stay unowned until someone takes them.\n\
                 Add one: helpdeck rule add --name N [--when priority=P1] --assign round-robin:TEAM\n",
            );
        }
        for (i, r) in rules.iter().enumerate() {
            let when = conditions(&r.when);
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
        if !all.escalation.is_empty() {
            s.push_str("Escalation rules:\n");
        }
        for r in &all.escalation {
            let actions = [
                r.notify.as_ref().map(|n| format!("alert {n}")),
                r.tier_up.then(|| "tier up".to_string()),
                r.reassign.as_ref().map(|a| format!("hand to {a}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            s.push_str(&format!(
                "- {}: {} {} of {} → {}\n",
                r.name,
                r.target.map(|t| t.as_str()).unwrap_or("any target"),
                r.on.as_str().replace('_', " "),
                conditions(&r.when),
                actions
            ));
        }
        s
    })
}
