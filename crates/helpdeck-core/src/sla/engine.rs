//! Evaluation of a ticket's SLA targets.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Calendar, SlaPolicy};
use crate::status::Status;
use crate::ticket::{Kind, Priority};

/// One status change of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub at: Timestamp,
    pub to: Status,
}

/// Everything the engine needs to know about one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaFacts {
    pub created_at: Timestamp,
    pub priority: Priority,
    pub kind: Kind,
    /// Status changes (any order; ties are ordered canonically by the engine).
    pub status_changes: Vec<StatusChange>,
    /// Times of public replies written by agents (internal notes do not count).
    pub agent_public_replies: Vec<Timestamp>,
}

crate::ticket::vocabulary!(
    /// Which target.
    TargetKind, "sla target", {
        FirstResponse => "first_response", NextUpdate => "next_update", Resolution => "resolution",
    }
);

crate::ticket::vocabulary!(
    /// The state of one target.
    SlaState, "sla state", {
        Running => "running", AtRisk => "at_risk", Breached => "breached",
        Paused => "paused", Met => "met", Missed => "missed",
    }
);

/// The evaluation of one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetReport {
    pub target: TargetKind,
    pub state: SlaState,
    /// When the target is (or was) due; `None` while paused.
    pub due_at: Option<Timestamp>,
    /// When it becomes (or became) at risk; `None` while paused.
    pub at_risk_at: Option<Timestamp>,
    /// When it was met or missed (the reply or the resolve).
    pub completed_at: Option<Timestamp>,
    /// Time left in seconds (negative once breached), counted as the target counts.
    pub remaining_secs: i64,
    /// 0 for the first cycle; increases with each reopen (resolution) or public update (next update).
    pub cycle: u32,
}

/// The evaluation of all of a ticket's targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaReport {
    pub targets: Vec<TargetReport>,
}

impl SlaReport {
    /// The earliest due time among targets that are still running, at risk or breached.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.targets
            .iter()
            .filter(|t| matches!(t.state, SlaState::Running | SlaState::AtRisk | SlaState::Breached))
            .filter_map(|t| t.due_at)
            .min()
    }
}

/// Evaluates a ticket's targets at `now`.
pub fn evaluate(facts: &SlaFacts, policy: &SlaPolicy, calendar: &Calendar, now: Timestamp) -> SlaReport {
    let _ = (facts, policy, calendar, now);
    todo!("sla helper")
}
