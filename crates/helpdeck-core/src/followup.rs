//! Satisfaction follow-up (spec §3.1, seed 002): a rating of 1–2 opens a three-level
//! callback — the L1 handler (apology and explanation), then a supervisor, then an expert —
//! each with an owner, a due time (one business day by default) and an outcome; the next
//! level opens only when the previous one did not recover the customer.
//!
//! Pure: the rule that the store, the server's jobs and the app will share. (Issue 11: the
//! entity, its sync, the CLI `followup list|done` and the agents' tasks are built on it.)

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

/// Who calls the customer back, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The L1 handler: apology and explanation.
    Handler,
    /// The supervisor.
    Supervisor,
    /// An expert.
    Expert,
}

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

/// How a callback ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Recovered,
    NotRecovered,
}

/// One level's callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub level: Level,
    /// Who calls (none: the level's queue, e.g. no supervisor named yet).
    pub owner: Option<Uuid>,
    pub opened_at: Timestamp,
    pub due_at: Timestamp,
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    pub done_at: Option<Timestamp>,
}

/// A follow-up of one low rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub ticket_id: Uuid,
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
}

/// Does a rating open a follow-up?
pub fn opens(score: u8) -> bool {
    (1..=LOW_RATING_MAX).contains(&score)
}

fn step(level: Level, owner: Option<Uuid>, at: Timestamp, calendar: &Calendar) -> Step {
    Step {
        level,
        owner,
        opened_at: at,
        due_at: calendar.add_business_time(at, DEFAULT_LEVEL_TIME),
        outcome: None,
        note: None,
        done_at: None,
    }
}

/// The follow-up a rating of `score` at `at` opens (none for 3–5): the handler's callback,
/// due one business day later by `calendar`.
pub fn open(
    ticket_id: Uuid,
    score: u8,
    handler: Option<Uuid>,
    at: Timestamp,
    calendar: &Calendar,
) -> Option<FollowUp> {
    opens(score).then(|| FollowUp {
        ticket_id,
        score,
        steps: vec![step(Level::Handler, handler, at, calendar)],
    })
}

/// Records the open step's outcome (a note is required: what was said and agreed). When
/// the customer was not recovered, the next level opens with `next_owner`, due one business
/// day later; after the expert the follow-up ends either way.
pub fn record(
    f: &FollowUp,
    outcome: Outcome,
    note: &str,
    at: Timestamp,
    next_owner: Option<Uuid>,
    calendar: &Calendar,
) -> Result<FollowUp, DomainError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(DomainError::required(
            "note",
            "say what was discussed and agreed with the customer",
        ));
    }
    let Some(open) = f.open_step() else {
        return Err(DomainError::invalid(
            "outcome",
            "this follow-up is finished (recovered, or not recovered by the expert)",
        ));
    };
    let level = open.level;
    let mut next = f.clone();
    let last = next.steps.last_mut().expect("an open step");
    last.outcome = Some(outcome);
    last.note = Some(note.to_string());
    last.done_at = Some(at);
    if outcome == Outcome::NotRecovered
        && let Some(up) = level.next()
    {
        next.steps.push(step(up, next_owner, at, calendar));
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
        assert!(open(Uuid::nil(), 4, None, friday_4pm(), &cal()).is_none());
    }

    #[test]
    fn the_handler_calls_first_within_one_business_day() {
        let handler = Uuid::from_u128(1);
        let f = open(Uuid::nil(), 1, Some(handler), friday_4pm(), &cal()).unwrap();
        let s = f.open_step().unwrap();
        assert_eq!(s.level, Level::Handler);
        assert_eq!(s.owner, Some(handler));
        // Friday 16:00 + 8 business hours = Monday 16:00 in Shanghai (1 h Friday, 7 h Monday).
        assert_eq!(
            s.due_at,
            "2026-11-30T08:00:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn levels_escalate_until_recovered_or_after_the_expert() {
        let c = cal();
        let at = friday_4pm();
        let f = open(Uuid::nil(), 2, None, at, &c).unwrap();
        assert!(record(&f, Outcome::Recovered, "  ", at, None, &c).is_err());
        let boss = Uuid::from_u128(2);
        let f = record(
            &f,
            Outcome::NotRecovered,
            "Apologised; still unhappy",
            at,
            Some(boss),
            &c,
        )
        .unwrap();
        assert_eq!(f.open_step().unwrap().level, Level::Supervisor);
        assert_eq!(f.open_step().unwrap().owner, Some(boss));
        let recovered = record(
            &f,
            Outcome::Recovered,
            "Offered a loan laptop",
            at,
            None,
            &c,
        )
        .unwrap();
        assert!(recovered.is_closed());
        assert_eq!(recovered.steps.len(), 2, "no expert once recovered");

        let f = record(&f, Outcome::NotRecovered, "Escalating", at, None, &c).unwrap();
        assert_eq!(f.open_step().unwrap().level, Level::Expert);
        let f = record(&f, Outcome::NotRecovered, "Could not agree", at, None, &c).unwrap();
        assert!(f.is_closed(), "the expert is the last level");
        let err = record(&f, Outcome::Recovered, "late", at, None, &c).unwrap_err();
        assert_eq!(err.field(), Some("outcome"));
    }
}
