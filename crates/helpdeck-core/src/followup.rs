//! Satisfaction follow-up (spec §3.1, seed 002): a rating of 1–2 opens a three-level
//! callback — the L1 handler (apology and explanation), then a supervisor, then an expert —
//! each with an owner, a due time (one business day by default) and an outcome; the next
//! level opens only when the previous one did not recover the customer.
//!
//! The follow-up is part of its ticket (`Ticket::followup`, one per rating, as the rating is
//! one per ticket): a low `rate` opens it and `Change::FollowUp` records a level's outcome,
//! both decided by [`crate::apply`]. A step keeps when it opened; its due time is computed
//! from the workspace's business calendar wherever it is shown ([`Step::due_at`]), as SLA
//! due times are, so a changed calendar re-times open callbacks on every replica.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::error::DomainError;
use crate::sla::Calendar;

/// The highest score that opens a follow-up.
pub const LOW_RATING_MAX: u8 = 2;
/// Each level's default time, in business time (one business day of 8 hours).
pub const DEFAULT_LEVEL_TIME: SignedDuration = SignedDuration::from_hours(8);
/// Longest outcome note.
pub const MAX_NOTE_CHARS: usize = 2000;

crate::ticket::vocabulary!(
    /// Who calls the customer back, in order.
    Level, "follow-up level", {
        /// The L1 handler: apology and explanation.
        Handler => "handler",
        /// A supervisor.
        Supervisor => "supervisor",
        /// An expert.
        Expert => "expert",
    }
);

impl Level {
    /// The level after this one, if any.
    pub fn next(self) -> Option<Level> {
        match self {
            Level::Handler => Some(Level::Supervisor),
            Level::Supervisor => Some(Level::Expert),
            Level::Expert => None,
        }
    }
}

crate::ticket::vocabulary!(
    /// How a callback ended.
    Outcome, "follow-up outcome", {
        Recovered => "recovered",
        NotRecovered => "not_recovered",
    }
);

/// One level's callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    pub level: Level,
    /// Who calls (none: the level's pool — any supervisor, any expert).
    pub owner: Option<Uuid>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub opened_at: Timestamp,
    pub outcome: Option<Outcome>,
    /// What was said and agreed (staff only).
    pub note: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub done_at: Option<Timestamp>,
}

impl Step {
    /// When this callback is due: one business day after it opened, by `calendar`.
    pub fn due_at(&self, calendar: &Calendar) -> Timestamp {
        calendar.add_business_time(self.opened_at, DEFAULT_LEVEL_TIME)
    }
}

/// The follow-up of one low rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUp {
    pub score: u8,
    pub steps: Vec<Step>,
}

impl FollowUp {
    /// The step waiting for its outcome, if any.
    pub fn open_step(&self) -> Option<&Step> {
        self.steps.last().filter(|s| s.outcome.is_none())
    }

    /// Finished: recovered at some level, or not recovered by the expert.
    pub fn is_closed(&self) -> bool {
        self.open_step().is_none()
    }

    /// Recovered at some level.
    pub fn recovered(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.outcome == Some(Outcome::Recovered))
    }

    /// What a customer may know: which levels called or will call, and when — no owner,
    /// note or judgement.
    pub fn for_customer(&self) -> FollowUp {
        FollowUp {
            score: self.score,
            steps: self
                .steps
                .iter()
                .map(|s| Step {
                    level: s.level,
                    owner: None,
                    opened_at: s.opened_at,
                    outcome: None,
                    note: None,
                    done_at: s.done_at,
                })
                .collect(),
        }
    }
}

/// The outcome of one callback, as an op carries it (`Change::FollowUp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpDone {
    /// The level called (must be the open one).
    pub level: Level,
    pub outcome: Outcome,
    pub note: String,
    /// Who calls at the next level when not recovered (none: the level's pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_owner: Option<Uuid>,
}

/// Does a rating open a follow-up?
pub fn opens(score: u8) -> bool {
    (1..=LOW_RATING_MAX).contains(&score)
}

fn step(level: Level, owner: Option<Uuid>, at: Timestamp) -> Step {
    Step {
        level,
        owner,
        opened_at: at,
        outcome: None,
        note: None,
        done_at: None,
    }
}

/// The follow-up a rating of `score` at `at` opens (none for 3–5): the handler's callback.
pub fn open(score: u8, handler: Option<Uuid>, at: Timestamp) -> Option<FollowUp> {
    opens(score).then(|| FollowUp {
        score,
        steps: vec![step(Level::Handler, handler, at)],
    })
}

/// Records the outcome of the open step, which must be at `level` (two people recording the
/// same callback: the second is refused, never applied to the next level). A note is
/// required: what was said and agreed. When the customer was not recovered, the next level
/// opens with `next_owner`; after the expert the follow-up ends either way.
pub fn record(
    f: &FollowUp,
    level: Level,
    outcome: Outcome,
    note: &str,
    at: Timestamp,
    next_owner: Option<Uuid>,
) -> Result<FollowUp, DomainError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(DomainError::required(
            "note",
            "say what was discussed and agreed with the customer",
        ));
    }
    let n = note.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(DomainError::invalid(
            "note",
            format!("is {n} characters long (at most {MAX_NOTE_CHARS} allowed)"),
        ));
    }
    let Some(open) = f.open_step() else {
        return Err(DomainError::invalid(
            "outcome",
            "this follow-up is finished (recovered, or not recovered by the expert)",
        ));
    };
    if open.level != level {
        return Err(DomainError::invalid(
            "level",
            format!(
                "the {level} callback already has its outcome; the open one is the {}'s",
                open.level
            ),
        ));
    }
    if outcome == Outcome::Recovered && next_owner.is_some() {
        return Err(DomainError::invalid(
            "next_owner",
            "a recovered customer needs no next level",
        ));
    }
    if level == Level::Expert && next_owner.is_some() {
        return Err(DomainError::invalid(
            "next_owner",
            "the expert is the last level",
        ));
    }
    let mut next = f.clone();
    let last = next.steps.last_mut().expect("an open step");
    last.outcome = Some(outcome);
    last.note = Some(note.to_string());
    last.done_at = Some(at.max(last.opened_at));
    if outcome == Outcome::NotRecovered
        && let Some(up) = level.next()
    {
        next.steps.push(step(up, next_owner, at));
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::business_hours("Asia/Shanghai").unwrap()
    }

    /// Friday 2026-11-27 16:00 in Shanghai.
    fn friday_4pm() -> Timestamp {
        "2026-11-27T08:00:00Z".parse().unwrap()
    }

    #[test]
    fn only_ratings_of_one_or_two_open_a_follow_up() {
        assert!(opens(1) && opens(2));
        assert!(!opens(3) && !opens(5) && !opens(0));
        assert!(open(4, None, friday_4pm()).is_none());
    }

    #[test]
    fn the_handler_calls_first_within_one_business_day() {
        let handler = Uuid::from_u128(1);
        let f = open(1, Some(handler), friday_4pm()).unwrap();
        let s = f.open_step().unwrap();
        assert_eq!(s.level, Level::Handler);
        assert_eq!(s.owner, Some(handler));
        // Friday 16:00 + 8 business hours = Monday 16:00 in Shanghai (1 h Friday, 7 h Monday).
        assert_eq!(
            s.due_at(&cal()),
            "2026-11-30T08:00:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn levels_escalate_until_recovered_or_after_the_expert() {
        let at = friday_4pm();
        let f = open(2, None, at).unwrap();
        let h = Level::Handler;
        assert_eq!(
            record(&f, h, Outcome::Recovered, "  ", at, None)
                .unwrap_err()
                .field(),
            Some("note")
        );
        let boss = Uuid::from_u128(2);
        let f = record(
            &f,
            h,
            Outcome::NotRecovered,
            "Apologised; still unhappy",
            at,
            Some(boss),
        )
        .unwrap();
        assert_eq!(f.open_step().unwrap().level, Level::Supervisor);
        assert_eq!(f.open_step().unwrap().owner, Some(boss));
        // A second record of the handler's call is refused, not applied to the supervisor's.
        let err = record(&f, h, Outcome::Recovered, "me too", at, None).unwrap_err();
        assert_eq!(err.field(), Some("level"));
        let s = Level::Supervisor;
        let recovered =
            record(&f, s, Outcome::Recovered, "Offered a loan laptop", at, None).unwrap();
        assert!(recovered.is_closed() && recovered.recovered());
        assert_eq!(recovered.steps.len(), 2, "no expert once recovered");

        let f = record(&f, s, Outcome::NotRecovered, "Escalating", at, None).unwrap();
        assert_eq!(f.open_step().unwrap().level, Level::Expert);
        let err = record(
            &f,
            Level::Expert,
            Outcome::NotRecovered,
            "x",
            at,
            Some(boss),
        );
        assert_eq!(err.unwrap_err().field(), Some("next_owner"));
        let f = record(
            &f,
            Level::Expert,
            Outcome::NotRecovered,
            "Could not agree",
            at,
            None,
        )
        .unwrap();
        assert!(
            f.is_closed() && !f.recovered(),
            "the expert is the last level"
        );
        let err = record(&f, Level::Expert, Outcome::Recovered, "late", at, None).unwrap_err();
        assert_eq!(err.field(), Some("outcome"));
    }

    #[test]
    fn a_customer_sees_levels_and_times_only() {
        let at = friday_4pm();
        let f = open(1, Some(Uuid::from_u128(7)), at).unwrap();
        let f = record(
            &f,
            Level::Handler,
            Outcome::NotRecovered,
            "secret words",
            at,
            None,
        )
        .unwrap();
        let c = f.for_customer();
        assert_eq!(c.steps.len(), 2);
        assert!(
            c.steps
                .iter()
                .all(|s| s.owner.is_none() && s.note.is_none() && s.outcome.is_none())
        );
        assert_eq!(c.steps[0].done_at, Some(at));
    }
}
