//! SLA policies: targets per priority, the business calendar, pause statuses, warning threshold.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::status::Status;
use crate::ticket::{Kind, Priority};

/// Minutes in one business day of the default calendar (09:00–17:00).
pub const BUSINESS_DAY_MINUTES: i64 = 8 * 60;
/// Default warning threshold: at risk once 75% of a target has elapsed.
pub const DEFAULT_WARNING_THRESHOLD_PCT: u8 = 75;
/// Default warning margin: at risk once less than 15 minutes are left.
pub const DEFAULT_WARNING_MIN_LEFT_MINUTES: i64 = 15;
/// The longest target a policy may set: ten years.
pub const MAX_TARGET_MINUTES: i64 = 10 * 366 * 24 * 60;

/// One target: a duration, counted in business time (the policy's calendar) or around the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TargetSpec {
    /// Length of the target in minutes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub minutes: i64,
    /// Counted in the policy's business calendar (true) or 24×7 (false).
    pub business_hours: bool,
}

impl TargetSpec {
    /// A target counted around the clock (24×7).
    pub const fn wall(minutes: i64) -> TargetSpec {
        TargetSpec {
            minutes,
            business_hours: false,
        }
    }

    /// A target counted in the policy's business calendar.
    pub const fn business(minutes: i64) -> TargetSpec {
        TargetSpec {
            minutes,
            business_hours: true,
        }
    }

    /// The target length as a duration.
    pub fn duration(self) -> SignedDuration {
        SignedDuration::from_mins(self.minutes)
    }
}

/// A change of a policy's targets for one priority and/or its warning thresholds: what
/// `sla policy set` asks for, applied the same way on a local workspace and on a server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicyChange {
    pub priority: Option<Priority>,
    pub first_response: Option<TargetSpec>,
    /// `Some(None)` removes the next-update target.
    pub next_update: Option<Option<TargetSpec>>,
    pub resolution: Option<TargetSpec>,
    pub warning_threshold_pct: Option<u8>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub warning_min_left_minutes: Option<i64>,
}

impl PolicyChange {
    /// The policy after the change, validated.
    pub fn apply_to(&self, policy: &SlaPolicy) -> Result<SlaPolicy, DomainError> {
        let mut policy = policy.clone();
        let touches_targets = self.first_response.is_some()
            || self.next_update.is_some()
            || self.resolution.is_some();
        if touches_targets {
            let priority = self.priority.ok_or_else(|| {
                DomainError::invalid("priority", "say which priority's targets to change (P1–P4)")
            })?;
            let t = policy
                .targets
                .iter_mut()
                .find(|t| t.priority == priority)
                .ok_or_else(|| DomainError::NotFound(format!("no {priority} targets")))?;
            if let Some(v) = self.first_response {
                t.first_response = v;
            }
            if let Some(v) = self.next_update {
                t.next_update = v;
            }
            if let Some(v) = self.resolution {
                t.resolution = v;
            }
        }
        if let Some(v) = self.warning_threshold_pct {
            policy.warning_threshold_pct = v;
        }
        if let Some(v) = self.warning_min_left_minutes {
            policy.warning_min_left_minutes = v;
        }
        policy.validate()?;
        Ok(policy)
    }
}

/// Targets for one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PriorityTargets {
    pub priority: Priority,
    pub first_response: TargetSpec,
    /// At most this long between public agent updates while open; `None` = no such target.
    pub next_update: Option<TargetSpec>,
    pub resolution: TargetSpec,
}

/// The default targets of spec §4, one entry per priority in order P1–P4.
pub const DEFAULT_TARGETS: [PriorityTargets; 4] = [
    PriorityTargets {
        priority: Priority::P1,
        first_response: TargetSpec::wall(30),
        next_update: Some(TargetSpec::wall(30)),
        resolution: TargetSpec::wall(4 * 60),
    },
    PriorityTargets {
        priority: Priority::P2,
        first_response: TargetSpec::business(60),
        next_update: Some(TargetSpec::business(2 * 60)),
        resolution: TargetSpec::business(BUSINESS_DAY_MINUTES),
    },
    PriorityTargets {
        priority: Priority::P3,
        first_response: TargetSpec::business(4 * 60),
        next_update: None,
        resolution: TargetSpec::business(2 * BUSINESS_DAY_MINUTES),
    },
    PriorityTargets {
        priority: Priority::P4,
        first_response: TargetSpec::business(BUSINESS_DAY_MINUTES),
        next_update: None,
        resolution: TargetSpec::business(5 * BUSINESS_DAY_MINUTES),
    },
];

/// The default first-response target of complaints (1 business day).
pub const DEFAULT_COMPLAINT_FIRST_RESPONSE: TargetSpec = TargetSpec::business(BUSINESS_DAY_MINUTES);

/// An SLA policy (spec §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub warning_min_left_minutes: i64,
}

impl SlaPolicy {
    /// The default policy of spec §4: P1 24×7, P2–P4 and complaints in business hours; clocks
    /// pause in `pending_customer` only (`on_hold` pauses only where a policy says so).
    pub fn defaults(id: Uuid) -> SlaPolicy {
        SlaPolicy {
            id,
            name: "Default".to_string(),
            targets: DEFAULT_TARGETS.to_vec(),
            complaint_first_response: Some(DEFAULT_COMPLAINT_FIRST_RESPONSE),
            pause_statuses: vec![Status::PendingCustomer],
            warning_threshold_pct: DEFAULT_WARNING_THRESHOLD_PCT,
            warning_min_left_minutes: DEFAULT_WARNING_MIN_LEFT_MINUTES,
        }
    }

    /// The targets of `priority`. A policy that lacks the priority (which [`SlaPolicy::validate`]
    /// refuses) falls back to the defaults of spec §4.
    pub fn targets_for(&self, priority: Priority) -> &PriorityTargets {
        self.targets
            .iter()
            .find(|t| t.priority == priority)
            .unwrap_or_else(|| default_targets(priority))
    }

    /// The first-response target of a ticket: the complaint target for complaints (if the
    /// policy sets one), else the priority's.
    pub fn first_response_for(&self, priority: Priority, kind: Kind) -> TargetSpec {
        match (kind, self.complaint_first_response) {
            (Kind::Complaint, Some(target)) => target,
            _ => self.targets_for(priority).first_response,
        }
    }

    /// True when clocks stop in `status` (a pause status; resolved and closed stop them anyway).
    pub fn pauses(&self, status: Status) -> bool {
        self.pause_statuses.contains(&status)
    }

    /// Checks the policy: a name, exactly one target set per priority, target lengths of
    /// 1 minute to 10 years, pause statuses that are open statuses, a threshold of 1–100%.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid("name", "an SLA policy needs a name"));
        }
        for priority in Priority::ALL {
            let count = self
                .targets
                .iter()
                .filter(|t| t.priority == *priority)
                .count();
            if count != 1 {
                return Err(DomainError::invalid(
                    "targets",
                    format!(
                        "{priority} has {count} target sets (each of P1, P2, P3, P4 needs exactly one)"
                    ),
                ));
            }
        }
        let check = |what: String, t: TargetSpec| {
            if (1..=MAX_TARGET_MINUTES).contains(&t.minutes) {
                Ok(())
            } else {
                Err(DomainError::invalid(
                    "targets",
                    format!(
                        "{what} is {} minutes (allowed: 1 to {MAX_TARGET_MINUTES} minutes)",
                        t.minutes
                    ),
                ))
            }
        };
        for t in &self.targets {
            check(format!("{} first response", t.priority), t.first_response)?;
            if let Some(next) = t.next_update {
                check(format!("{} next update", t.priority), next)?;
            }
            check(format!("{} resolution", t.priority), t.resolution)?;
        }
        if let Some(t) = self.complaint_first_response {
            check("complaint first response".to_string(), t)?;
        }
        if let Some(s) = self.pause_statuses.iter().find(|s| !s.is_open()) {
            return Err(DomainError::invalid(
                "pause_statuses",
                format!(
                    "{s} cannot be a pause status (clocks already stop there; allowed: new, open, \
                     in_progress, pending_customer, on_hold)"
                ),
            ));
        }
        if !(1..=100).contains(&self.warning_threshold_pct) {
            return Err(DomainError::invalid(
                "warning_threshold_pct",
                format!(
                    "{}% is out of range (allowed: 1 to 100)",
                    self.warning_threshold_pct
                ),
            ));
        }
        if !(0..=MAX_TARGET_MINUTES).contains(&self.warning_min_left_minutes) {
            return Err(DomainError::invalid(
                "warning_min_left_minutes",
                format!(
                    "{} minutes is out of range (allowed: 0 to {MAX_TARGET_MINUTES})",
                    self.warning_min_left_minutes
                ),
            ));
        }
        Ok(())
    }
}

fn default_targets(priority: Priority) -> &'static PriorityTargets {
    match priority {
        Priority::P1 => &DEFAULT_TARGETS[0],
        Priority::P2 => &DEFAULT_TARGETS[1],
        Priority::P3 => &DEFAULT_TARGETS[2],
        Priority::P4 => &DEFAULT_TARGETS[3],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_spec_table() {
        let p = SlaPolicy::defaults(Uuid::nil());
        p.validate().unwrap();
        let p1 = p.targets_for(Priority::P1);
        assert_eq!(p1.first_response, TargetSpec::wall(30));
        assert_eq!(p1.next_update, Some(TargetSpec::wall(30)));
        assert_eq!(p1.resolution.duration(), SignedDuration::from_hours(4));
        let p2 = p.targets_for(Priority::P2);
        assert_eq!(
            (p2.first_response, p2.next_update, p2.resolution),
            (
                TargetSpec::business(60),
                Some(TargetSpec::business(120)),
                TargetSpec::business(480)
            )
        );
        let p3 = p.targets_for(Priority::P3);
        assert_eq!(
            (p3.first_response, p3.next_update, p3.resolution),
            (TargetSpec::business(240), None, TargetSpec::business(960))
        );
        let p4 = p.targets_for(Priority::P4);
        assert_eq!(
            (p4.first_response, p4.next_update, p4.resolution),
            (TargetSpec::business(480), None, TargetSpec::business(2400))
        );
        assert_eq!(
            p.first_response_for(Priority::P1, Kind::Complaint),
            TargetSpec::business(480)
        );
        assert_eq!(
            p.first_response_for(Priority::P1, Kind::Incident),
            TargetSpec::wall(30)
        );
        assert!(p.pauses(Status::PendingCustomer));
        assert!(!p.pauses(Status::OnHold));
        assert_eq!(
            (p.warning_threshold_pct, p.warning_min_left_minutes),
            (75, 15)
        );
    }

    #[test]
    fn validate_names_what_is_allowed() {
        let mut p = SlaPolicy::defaults(Uuid::nil());
        p.targets.pop();
        let msg = p.validate().unwrap_err().to_string();
        assert!(msg.contains("P4 has 0 target sets"), "{msg}");
        // The missing priority falls back to the defaults.
        assert_eq!(p.targets_for(Priority::P4), &DEFAULT_TARGETS[3]);

        let mut p = SlaPolicy::defaults(Uuid::nil());
        p.targets[2].resolution.minutes = 0;
        let msg = p.validate().unwrap_err().to_string();
        assert!(
            msg.contains("P3 resolution is 0 minutes (allowed: 1 to"),
            "{msg}"
        );

        let mut p = SlaPolicy::defaults(Uuid::nil());
        p.pause_statuses.push(Status::Resolved);
        let msg = p.validate().unwrap_err().to_string();
        assert!(msg.contains("resolved cannot be a pause status"), "{msg}");

        let mut p = SlaPolicy::defaults(Uuid::nil());
        p.warning_threshold_pct = 0;
        let msg = p.validate().unwrap_err().to_string();
        assert!(msg.contains("allowed: 1 to 100"), "{msg}");

        let mut p = SlaPolicy::defaults(Uuid::nil());
        p.name = " ".into();
        assert!(p.validate().is_err());
    }

    #[test]
    fn policy_round_trips_through_json() {
        let p = SlaPolicy::defaults(Uuid::nil());
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"pending_customer\""), "{json}");
        assert_eq!(serde_json::from_str::<SlaPolicy>(&json).unwrap(), p);
    }
}
