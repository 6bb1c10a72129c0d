//! Escalation (spec §3.1, seed 002): moving a ticket up a tier (L1 → L2 → L3) — or back down —
//! with the reason and, going up, the business impact, on the timeline for agents. Decided
//! here for every side (the store for a device's own change, the server for every push).

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::apply::{Context, FieldChange, Outcome, check_short};
use crate::error::DomainError;
use crate::status::Status;
use crate::ticket::{Ticket, Tier};

/// An escalation (or de-escalation) as an agent records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The tier it moves to.
    pub tier: Tier,
    /// Why (required).
    pub reason: String,
    /// What the problem costs the customer's business (required going up).
    #[serde(default)]
    pub impact: String,
}

/// Is moving from `from` to `to` going up?
pub fn is_up(from: Tier, to: Tier) -> bool {
    rank(to) > rank(from)
}

fn rank(t: Tier) -> u8 {
    match t {
        Tier::L1 => 1,
        Tier::L2 => 2,
        Tier::L3 => 3,
    }
}

/// Applies an escalation to `t` (staff only; an open ticket; another tier; a reason; an
/// impact when going up). The audit: the tier change and an `escalation` line (agent-only)
/// whose value is JSON `{from, to, reason, impact}` (the UI words it per language).
pub(crate) fn escalate(
    t: &Ticket,
    e: &Escalation,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    if !ctx.actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agents and admins escalate tickets".into(),
        ));
    }
    if matches!(t.status, Status::Resolved | Status::Closed) {
        return Err(DomainError::invalid(
            "tier",
            format!(
                "{} is {}; reopen it before escalating",
                crate::ticket::ticket_key(t.number),
                t.status
            ),
        ));
    }
    if e.tier == t.tier {
        return Err(DomainError::invalid(
            "tier",
            format!(
                "{} is already at {} (choose another tier: L1, L2 or L3)",
                crate::ticket::ticket_key(t.number),
                t.tier
            ),
        ));
    }
    let reason = e.reason.trim();
    if reason.is_empty() {
        return Err(DomainError::required(
            "reason",
            "say why the ticket changes tier",
        ));
    }
    check_short("reason", reason)?;
    let impact = e.impact.trim();
    let up = is_up(t.tier, e.tier);
    if up && impact.is_empty() {
        return Err(DomainError::required(
            "impact",
            "say what the problem costs the customer's business (users affected, work stopped, deadlines)",
        ));
    }
    check_short("impact", impact)?;
    let mut next = t.clone();
    next.tier = e.tier;
    next.updated_at = next.updated_at.max(at);
    let value = serde_json::json!({
        "from": t.tier,
        "to": e.tier,
        "reason": reason,
        "impact": (!impact.is_empty()).then_some(impact),
    })
    .to_string();
    Ok(Outcome::ticket(
        next,
        vec![
            FieldChange {
                field: "tier",
                from: Some(t.tier.to_string()),
                to: Some(e.tier.to_string()),
            },
            FieldChange {
                field: "escalation",
                from: None,
                to: Some(value),
            },
        ],
        at,
    ))
}

pub mod rules;

#[cfg(test)]
mod tests;
