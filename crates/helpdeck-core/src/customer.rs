//! What a customer sees of their request, in plain words (spec §1, seed 002: "diagnosing /
//! resolving / done, ETA, current handler"): the stage of a ticket and when the next step
//! is expected. One rule for the app's customer view and anything else that tells a
//! requester where their request stands.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::sla::{SlaReport, SlaState, TargetKind};
use crate::status::Status;

/// Where a request stands, as its requester reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Received; nobody has looked at it yet (已提交).
    Submitted,
    /// Someone is finding out what is wrong (诊断中).
    Diagnosing,
    /// The fix is under way, or waits on a part or a vendor (解决中).
    Resolving,
    /// The desk asked the requester something (等待您回复).
    WaitingForYou,
    /// Fixed — awaiting the requester's confirmation while resolved — or closed (已完成).
    Done,
}

impl Stage {
    /// The stage of a ticket in `status`; `answered`: the desk has replied publicly (a new
    /// ticket someone has answered is being diagnosed, not merely submitted).
    pub fn of(status: Status, answered: bool) -> Stage {
        match status {
            Status::New if answered => Stage::Diagnosing,
            Status::New => Stage::Submitted,
            Status::Open => Stage::Diagnosing,
            Status::InProgress | Status::OnHold => Stage::Resolving,
            Status::PendingCustomer => Stage::WaitingForYou,
            Status::Resolved | Status::Closed => Stage::Done,
        }
    }

    /// The stage's name as the requester reads it (the app's words are its i18n files; the
    /// tray and notifications, made in the core, use these).
    pub fn name(self, lang: crate::notify::Lang) -> &'static str {
        use crate::notify::Lang::{En, Zh};
        match (self, lang) {
            (Stage::Submitted, En) => "submitted",
            (Stage::Submitted, Zh) => "已提交",
            (Stage::Diagnosing, En) => "diagnosing",
            (Stage::Diagnosing, Zh) => "诊断中",
            (Stage::Resolving, En) => "resolving",
            (Stage::Resolving, Zh) => "解决中",
            (Stage::WaitingForYou, En) => "waiting for you",
            (Stage::WaitingForYou, Zh) => "等待您回复",
            (Stage::Done, En) => "done",
            (Stage::Done, Zh) => "已完成",
        }
    }

    /// The stages in the order a request goes through them (the app's progress line).
    pub const ALL: [Stage; 5] = [
        Stage::Submitted,
        Stage::Diagnosing,
        Stage::Resolving,
        Stage::WaitingForYou,
        Stage::Done,
    ];
}

/// When the requester can expect the next step: a first answer while none has come (its
/// SLA due time), else the fix (the resolution due time). `None` once done or while the
/// clocks wait on the requester.
pub fn expected_at(status: Status, report: &SlaReport) -> Option<Timestamp> {
    if matches!(Stage::of(status, false), Stage::Done | Stage::WaitingForYou) {
        return None;
    }
    let running = |kind: TargetKind| {
        report.targets.iter().find(|t| {
            t.target == kind
                && matches!(
                    t.state,
                    SlaState::Running | SlaState::AtRisk | SlaState::Breached
                )
        })
    };
    running(TargetKind::FirstResponse)
        .or_else(|| running(TargetKind::Resolution))
        .and_then(|t| t.due_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::TargetReport;

    fn target(kind: TargetKind, state: SlaState, due: i64) -> TargetReport {
        TargetReport {
            target: kind,
            state,
            due_at: Some(Timestamp::from_second(due).unwrap()),
            at_risk_at: None,
            completed_at: None,
            remaining_secs: 0,
            cycle: 0,
        }
    }

    #[test]
    fn every_status_has_a_plain_stage() {
        assert_eq!(Stage::of(Status::New, false), Stage::Submitted);
        assert_eq!(Stage::of(Status::New, true), Stage::Diagnosing);
        assert_eq!(Stage::of(Status::Open, false), Stage::Diagnosing);
        assert_eq!(Stage::of(Status::OnHold, true), Stage::Resolving);
        assert_eq!(
            Stage::of(Status::PendingCustomer, true),
            Stage::WaitingForYou
        );
        assert_eq!(Stage::of(Status::Resolved, true), Stage::Done);
    }

    #[test]
    fn the_next_step_is_the_first_answer_then_the_fix() {
        let waiting_for_answer = SlaReport {
            targets: vec![
                target(TargetKind::FirstResponse, SlaState::Running, 100),
                target(TargetKind::Resolution, SlaState::Running, 900),
            ],
        };
        let due = |r: &SlaReport, s| expected_at(s, r).map(|t| t.as_second());
        assert_eq!(due(&waiting_for_answer, Status::New), Some(100));
        let answered = SlaReport {
            targets: vec![
                target(TargetKind::FirstResponse, SlaState::Met, 100),
                target(TargetKind::Resolution, SlaState::AtRisk, 900),
            ],
        };
        assert_eq!(due(&answered, Status::InProgress), Some(900));
        assert_eq!(due(&answered, Status::PendingCustomer), None);
        assert_eq!(due(&answered, Status::Resolved), None);
    }
}
