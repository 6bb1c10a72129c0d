//! SLA policies: targets per priority, the business calendar, pause statuses, warning threshold.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::status::Status;
use crate::ticket::Priority;

/// One target: a duration, counted in business time (the policy's calendar) or around the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// Length of the target in minutes.
    pub minutes: i64,
    /// Counted in the policy's business calendar (true) or 24×7 (false).
    pub business_hours: bool,
}

impl TargetSpec {
    /// The target length as a duration.
    pub fn duration(self) -> SignedDuration {
        SignedDuration::from_mins(self.minutes)
    }
}

/// Targets for one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTargets {
    pub priority: Priority,
    pub first_response: TargetSpec,
    /// At most this long between public agent updates while open; `None` = no such target.
    pub next_update: Option<TargetSpec>,
    pub resolution: TargetSpec,
}

/// An SLA policy (spec §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub id: Uuid,
    pub name: String,
    /// One entry per priority P1–P4.
    pub targets: Vec<PriorityTargets>,
    /// First-response target for complaints of any priority (spec: 1 business day).
    pub complaint_first_response: Option<TargetSpec>,
    /// Statuses during which every clock pauses.
    pub pause_statuses: Vec<Status>,
    /// At-risk once this share of the target has elapsed (percent, default 75).
    pub warning_threshold_pct: u8,
    /// At-risk also once less than this much of the target is left (default 15 minutes).
    pub warning_min_left_minutes: i64,
}
