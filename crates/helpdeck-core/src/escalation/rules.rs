//! Escalation rules (spec §3.1, seed 002): what happens when a ticket's SLA target becomes
//! at risk or is breached — alert someone (the team lead), move the ticket up a tier, give it
//! to another team or agent. The server's jobs run them (a local workspace's app and CLI run
//! the same functions); each firing is keyed by the rule, the target, the event and the
//! target's due time, so it happens once — also with several server processes — and again
//! only for a new cycle (a new next-update due time, a reopened ticket's new resolution).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::op::{Change, TicketFields};
use crate::routing::{Assign, Condition, Facts};
use crate::sla::{SlaReport, SlaState, TargetKind};
use crate::ticket::{Ticket, Tier};

crate::ticket::vocabulary!(
    /// The SLA event a rule reacts to.
    SlaEvent, "sla event", {
        AtRisk => "at_risk", Breached => "breached",
    }
);

/// Most escalation rules a workspace keeps.
pub const MAX_RULES: usize = 100;

/// An escalation rule as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EscalationRule {
    pub id: Uuid,
    pub name: String,
    pub on: SlaEvent,
    /// One target only (none: any of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetKind>,
    /// All must hold (the same conditions as assignment rules).
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Who is alerted (the team lead), by email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<String>,
    /// Move the ticket up one tier (L1 → L2 → L3).
    #[serde(default)]
    pub tier_up: bool,
    /// Give the ticket to a team's queue or an agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassign: Option<Assign>,
}

/// The alert a firing records on the ticket's timeline (agents only), naming whom it alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SlaAlert {
    pub rule: String,
    pub event: SlaEvent,
    pub target: TargetKind,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub due_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Uuid>,
}

/// Checks a rule: a name, at least one action, a reassignment to a team or an agent.
pub fn check_rule(mut rule: EscalationRule) -> Result<EscalationRule, DomainError> {
    rule.name = rule.name.trim().to_string();
    if rule.name.is_empty() {
        return Err(DomainError::required("name", "give the rule a name"));
    }
    if rule.name.chars().count() > crate::routing::MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            "name",
            format!("longer than {} characters", crate::routing::MAX_NAME_CHARS),
        ));
    }
    rule.when = rule
        .when
        .into_iter()
        .map(|c| crate::routing::condition(c.field, c.any_of))
        .collect::<Result<_, _>>()?;
    rule.notify = rule
        .notify
        .map(|e| crate::user::validate_email(&e))
        .transpose()?;
    if let Some(a) = &rule.reassign {
        match a {
            Assign::Team { team } => crate::people::validate_name("team", team).map(|_| ())?,
            Assign::Agent { .. } => {}
            _ => {
                return Err(DomainError::invalid(
                    "reassign",
                    "an escalation hands the ticket to team:TEAM or agent:EMAIL",
                ));
            }
        }
    }
    if rule.notify.is_none() && !rule.tier_up && rule.reassign.is_none() {
        return Err(DomainError::required(
            "action",
            "say what the rule does: --notify EMAIL, --tier-up and/or --reassign team:T|agent:EMAIL",
        ));
    }
    Ok(rule)
}

/// Adds a rule (last), refusing a second of the same name.
pub fn add_rule(
    rules: &[EscalationRule],
    rule: EscalationRule,
) -> Result<Vec<EscalationRule>, DomainError> {
    let rule = check_rule(rule)?;
    if rules.len() >= MAX_RULES {
        return Err(DomainError::invalid(
            "rule",
            format!("the workspace has {MAX_RULES} escalation rules, the most it keeps"),
        ));
    }
    if rules
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(&rule.name))
    {
        return Err(DomainError::invalid(
            "name",
            format!("an escalation rule named {:?} exists", rule.name),
        ));
    }
    let mut next = rules.to_vec();
    next.push(rule);
    Ok(next)
}

/// Removes the rule named `name`.
pub fn remove_rule(
    rules: &[EscalationRule],
    name: &str,
) -> Result<Vec<EscalationRule>, DomainError> {
    crate::workspace::remove_named(rules, name, |r| &r.name, "name", "escalation rule")
}

/// One rule firing for one target of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing<'a> {
    pub rule: &'a EscalationRule,
    pub target: TargetKind,
    pub event: SlaEvent,
    pub due_at: Timestamp,
}

impl Firing<'_> {
    /// What makes this firing itself: the same key is the same firing (op ids derive from it).
    pub fn key(&self) -> String {
        format!(
            "escalation-rule/{}/{}/{}/{}",
            self.rule.id,
            self.target.as_str(),
            self.event.as_str(),
            self.due_at.as_millisecond()
        )
    }
}

/// The rules that fire for an open ticket with this SLA report: a target at risk (or already
/// breached) fires the at-risk rules, a breached one the breach rules.
pub fn firings<'a>(
    rules: &'a [EscalationRule],
    t: &Ticket,
    facts: &Facts<'_>,
    report: &SlaReport,
) -> Vec<Firing<'a>> {
    if !t.status.is_open() || t.merged_into.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for target in &report.targets {
        let Some(due_at) = target.due_at else {
            continue;
        };
        let events: &[SlaEvent] = match target.state {
            SlaState::AtRisk => &[SlaEvent::AtRisk],
            SlaState::Breached => &[SlaEvent::AtRisk, SlaEvent::Breached],
            _ => &[],
        };
        for rule in rules {
            if events.contains(&rule.on)
                && rule.target.is_none_or(|k| k == target.target)
                && rule.when.iter().all(|c| crate::routing::holds(c, facts))
            {
                out.push(Firing {
                    rule,
                    target: target.target,
                    event: rule.on,
                    due_at,
                });
            }
        }
    }
    out
}

/// The tier above `t` (none at L3).
pub fn tier_above(t: Tier) -> Option<Tier> {
    match t {
        Tier::L1 => Some(Tier::L2),
        Tier::L2 => Some(Tier::L3),
        Tier::L3 => None,
    }
}

/// The changes one firing makes, in order: the alert on the timeline, a tier up (unless at
/// L3 already), the reassignment. `notify` and `reassign` are the rule's email and team or
/// agent resolved to ids (`(team, agent)`), where the workspace has them.
pub fn changes(
    f: &Firing<'_>,
    t: &Ticket,
    notify: Option<Uuid>,
    reassign: Option<(Option<Uuid>, Option<Uuid>)>,
) -> Vec<Change> {
    let mut out = vec![Change::SlaAlert(SlaAlert {
        rule: f.rule.name.clone(),
        event: f.event,
        target: f.target,
        due_at: f.due_at,
        notify,
    })];
    if f.rule.tier_up
        && let Some(tier) = tier_above(t.tier)
    {
        out.push(Change::Escalate(crate::escalation::Escalation {
            tier,
            reason: f.rule.name.clone(),
            impact: format!(
                "SLA {} {} (due {})",
                f.target.as_str().replace('_', " "),
                f.event.as_str().replace('_', " "),
                f.due_at
            ),
        }));
    }
    if let Some((team, agent)) = reassign
        && (team.is_some() || agent.is_some())
    {
        out.push(Change::UpdateTicket(TicketFields {
            team_id: team.map(Some),
            assignee_id: Some(agent),
            ..Default::default()
        }));
    }
    out
}

/// Applies an alert: staff only, an open ticket; an agent-only line on the timeline whose
/// value is the alert as JSON (the UI words it; the alerted person's app notifies them).
pub(crate) fn alert(
    t: &Ticket,
    a: &SlaAlert,
    at: Timestamp,
    ctx: &crate::apply::Context<'_>,
) -> Result<crate::apply::Outcome, DomainError> {
    if !ctx.actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agents, admins and Helpdeck's jobs raise SLA alerts".into(),
        ));
    }
    check_short_name(&a.rule)?;
    Ok(crate::apply::Outcome::ticket(
        t.clone(),
        vec![crate::apply::FieldChange {
            field: "sla_alert",
            from: None,
            to: Some(serde_json::to_string(a).expect("alert serializes")),
        }],
        at,
    ))
}

fn check_short_name(name: &str) -> Result<(), DomainError> {
    if name.trim().is_empty() || name.chars().count() > crate::routing::MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            "rule",
            format!(
                "an alert names its rule (1 to {} characters)",
                crate::routing::MAX_NAME_CHARS
            ),
        ));
    }
    Ok(())
}

/// Refuses a rule naming a team or a person the workspace does not have (`teams`: names;
/// `staff`: emails of agents and admins).
pub fn check_references(
    rule: &EscalationRule,
    teams: &[String],
    staff: &[String],
) -> Result<(), DomainError> {
    if let Some(email) = &rule.notify
        && !staff.iter().any(|a| a.eq_ignore_ascii_case(email))
    {
        return Err(DomainError::invalid(
            "notify",
            format!("{email} is not an agent or admin of this workspace"),
        ));
    }
    match &rule.reassign {
        Some(Assign::Team { team }) if !teams.iter().any(|t| t.eq_ignore_ascii_case(team)) => {
            Err(DomainError::invalid(
                "reassign",
                format!("no team named {team:?} (teams: {})", teams.join(", ")),
            ))
        }
        Some(Assign::Agent { email }) if !staff.iter().any(|a| a.eq_ignore_ascii_case(email)) => {
            Err(DomainError::invalid(
                "reassign",
                format!("{email} is not an agent or admin of this workspace"),
            ))
        }
        _ => Ok(()),
    }
}
