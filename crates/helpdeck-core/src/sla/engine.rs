//! Evaluation of a ticket's SLA targets.

use std::borrow::Cow;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::calendar::{MAX_NS, ns_to_ts, ts_to_ns};
use super::{Calendar, SlaPolicy, TargetSpec};
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TargetReport {
    pub target: TargetKind,
    pub state: SlaState,
    /// When the target is (or was) due; `None` while paused.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub due_at: Option<Timestamp>,
    /// When it becomes (or became) at risk; `None` while paused.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub at_risk_at: Option<Timestamp>,
    /// When it was met or missed (the reply or the resolve).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub completed_at: Option<Timestamp>,
    /// Time left in seconds (negative once breached), counted as the target counts.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
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
            .filter(|t| {
                matches!(
                    t.state,
                    SlaState::Running | SlaState::AtRisk | SlaState::Breached
                )
            })
            .filter_map(|t| t.due_at)
            .min()
    }
}

/// Evaluates a ticket's targets at `now`.
///
/// Pure: the result depends only on the facts, the policy, the calendar and `now`.
///
/// - Status changes are put in canonical order: by time, simultaneous changes by status order
///   (`new` < `open` < … < `closed`), so the input order of tied events does not matter.
///   Changes and replies dated before `created_at` count as happening at `created_at`.
/// - If `now` is earlier than the ticket's latest fact (clock skew), the ticket is evaluated as
///   of that latest fact.
/// - Clocks run while the status is open and not one of the policy's pause statuses.
///   Business-hours targets count business time in `calendar`; the others count wall time.
/// - A target completed at or before its due instant is met, after it missed.
pub fn evaluate(
    facts: &SlaFacts,
    policy: &SlaPolicy,
    calendar: &Calendar,
    now: Timestamp,
) -> SlaReport {
    let timeline = Timeline::new(facts, policy);
    let now = ts_to_ns(now).max(timeline.last_fact);
    let eval = Evaluation {
        timeline: &timeline,
        calendar,
        now,
        threshold_pct: i64::from(policy.warning_threshold_pct.min(100)),
        min_left: policy.warning_min_left_minutes.saturating_mul(NS_PER_MIN),
    };
    let targets = policy.targets_for(facts.priority);
    let mut reports = Vec::with_capacity(3);

    let first_response_done = match (timeline.first_reply, timeline.first_done) {
        (Some(r), Some(d)) => Some(r.min(d)),
        (r, d) => r.or(d),
    };
    reports.push(eval.report(
        TargetKind::FirstResponse,
        policy.first_response_for(facts.priority, facts.kind),
        timeline.created,
        first_response_done,
        0,
    ));

    let done_at = if timeline.current.is_open() {
        None
    } else {
        timeline.last_done
    };
    if let (Some(spec), Some(last_reply)) = (targets.next_update, timeline.last_reply) {
        let cycle = u32::try_from(facts.agent_public_replies.len() - 1).unwrap_or(u32::MAX);
        reports.push(eval.report(TargetKind::NextUpdate, spec, last_reply, done_at, cycle));
    }

    reports.push(eval.report(
        TargetKind::Resolution,
        targets.resolution,
        timeline.created,
        done_at,
        timeline.reopens,
    ));
    SlaReport { targets: reports }
}

/// How long a ticket took, as reports count it (issue 16; `docs/metrics.md`): wall-clock
/// time from creation, and business time — the calendar's working time while the clock runs
/// (open and not in one of the policy's pause statuses), as business-hours targets count it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Durations {
    /// The first public agent reply after creation.
    pub first_reply_at: Option<Timestamp>,
    pub first_response_secs: Option<i64>,
    pub first_response_business_secs: Option<i64>,
    /// The last move into resolved or closed, when the ticket is not open now.
    pub done_at: Option<Timestamp>,
    pub resolution_secs: Option<i64>,
    pub resolution_business_secs: Option<i64>,
    /// Moves from resolved or closed back to an open status.
    pub reopens: u32,
}

/// A ticket's [`Durations`] from the same timeline the targets are evaluated on.
pub fn durations(facts: &SlaFacts, policy: &SlaPolicy, calendar: &Calendar) -> Durations {
    let timeline = Timeline::new(facts, policy);
    let counter = if calendar.is_always_open() {
        Counter::Wall
    } else {
        Counter::Business(calendar)
    };
    let business = |until: i64| -> i64 {
        timeline
            .active_segments()
            .take_while(|(start, _)| *start < until)
            .map(|(start, end)| counter.between(start, end.min(until)))
            .sum::<i64>()
            / NS_PER_SEC
    };
    let secs = |until: i64| (until - timeline.created).max(0) / NS_PER_SEC;
    let done = if timeline.current.is_open() {
        None
    } else {
        timeline.last_done
    };
    Durations {
        first_reply_at: timeline.first_reply.map(ns_to_ts),
        first_response_secs: timeline.first_reply.map(secs),
        first_response_business_secs: timeline.first_reply.map(business),
        done_at: done.map(ns_to_ts),
        resolution_secs: done.map(secs),
        resolution_business_secs: done.map(business),
        reopens: timeline.reopens,
    }
}

const NS_PER_SEC: i64 = 1_000_000_000;
const NS_PER_MIN: i64 = 60 * NS_PER_SEC;

/// A ticket's history in canonical order, with the facts every target needs.
struct Timeline<'a> {
    created: i64,
    changes: Cow<'a, [StatusChange]>,
    pause: &'a [Status],
    /// The status after the last change.
    current: Status,
    /// First and last move from an open status into resolved or closed.
    first_done: Option<i64>,
    last_done: Option<i64>,
    /// Moves from resolved or closed back to an open status.
    reopens: u32,
    first_reply: Option<i64>,
    last_reply: Option<i64>,
    /// The latest instant of any fact (creation, change, reply).
    last_fact: i64,
}

impl<'a> Timeline<'a> {
    fn new(facts: &'a SlaFacts, policy: &'a SlaPolicy) -> Timeline<'a> {
        let created = ts_to_ns(facts.created_at);
        let key = |c: &StatusChange| (ts_to_ns(c.at).max(created), c.to);
        let changes: Cow<'a, [StatusChange]> = if facts.status_changes.is_sorted_by_key(key) {
            Cow::Borrowed(&facts.status_changes)
        } else {
            let mut sorted = facts.status_changes.clone();
            sorted.sort_unstable_by_key(key);
            Cow::Owned(sorted)
        };
        let mut current = Status::New;
        let (mut first_done, mut last_done, mut reopens) = (None, None, 0u32);
        let mut last_fact = created;
        for c in changes.iter() {
            let at = ts_to_ns(c.at).max(created);
            last_fact = last_fact.max(at);
            if current.is_open() && !c.to.is_open() {
                first_done = first_done.or(Some(at));
                last_done = Some(at);
            } else if !current.is_open() && c.to.is_open() {
                reopens = reopens.saturating_add(1);
            }
            current = c.to;
        }
        let (mut first_reply, mut last_reply) = (None::<i64>, None::<i64>);
        for r in &facts.agent_public_replies {
            // A reply from before the ticket existed (a merged duplicate's conversation,
            // copied in) answers another ticket, not this one.
            let at = ts_to_ns(*r);
            if at < created {
                continue;
            }
            first_reply = Some(first_reply.map_or(at, |f| f.min(at)));
            last_reply = Some(last_reply.map_or(at, |l| l.max(at)));
            last_fact = last_fact.max(at);
        }
        Timeline {
            created,
            changes,
            pause: &policy.pause_statuses,
            current,
            first_done,
            last_done,
            reopens,
            first_reply,
            last_reply,
            last_fact,
        }
    }

    /// The maximal intervals during which clocks run, in order; the last one may be open-ended
    /// (`i64::MAX`).
    fn active_segments(&self) -> ActiveSegments<'_> {
        ActiveSegments {
            changes: self.changes.iter(),
            created: self.created,
            pause: self.pause,
            status: Status::New,
            since: self.created,
            finished: false,
        }
    }

    fn clock_runs_now(&self) -> bool {
        runs(self.current, self.pause)
    }
}

fn runs(status: Status, pause: &[Status]) -> bool {
    status.is_open() && !pause.contains(&status)
}

struct ActiveSegments<'t> {
    changes: std::slice::Iter<'t, StatusChange>,
    created: i64,
    pause: &'t [Status],
    status: Status,
    since: i64,
    finished: bool,
}

impl Iterator for ActiveSegments<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        if self.finished {
            return None;
        }
        for c in self.changes.by_ref() {
            let at = ts_to_ns(c.at).max(self.created);
            let was = runs(self.status, self.pause);
            let will = runs(c.to, self.pause);
            self.status = c.to;
            if was && !will {
                if at > self.since {
                    return Some((self.since, at));
                }
            } else if !was && will {
                self.since = at;
            }
        }
        self.finished = true;
        runs(self.status, self.pause).then_some((self.since, i64::MAX))
    }
}

/// How a target counts time.
#[derive(Clone, Copy)]
enum Counter<'a> {
    Wall,
    Business(&'a Calendar),
}

impl Counter<'_> {
    fn between(self, a: i64, b: i64) -> i64 {
        match self {
            Counter::Wall => b.saturating_sub(a).max(0),
            Counter::Business(cal) => cal.between_ns(a, b),
        }
    }

    fn advance(self, a: i64, amount: i64) -> i64 {
        match self {
            Counter::Wall if amount <= 0 => a,
            Counter::Wall => a.saturating_add(amount).min(MAX_NS),
            Counter::Business(cal) => cal.advance_ns(a, amount),
        }
    }
}

/// Counted time and the instants at which the at-risk and due amounts were reached.
struct Progress {
    consumed: i64,
    risk_at: Option<i64>,
    due_at: Option<i64>,
}

struct Evaluation<'a> {
    timeline: &'a Timeline<'a>,
    calendar: &'a Calendar,
    now: i64,
    threshold_pct: i64,
    min_left: i64,
}

impl Evaluation<'_> {
    /// One forward walk over the running intervals inside `[from, limit)`.
    fn walk(
        &self,
        counter: Counter<'_>,
        from: i64,
        limit: i64,
        risk: i64,
        target: i64,
    ) -> Progress {
        let mut p = Progress {
            consumed: 0,
            risk_at: None,
            due_at: None,
        };
        for (start, end) in self.timeline.active_segments() {
            if start >= limit {
                break;
            }
            let (x, y) = (start.max(from), end.min(limit));
            if y <= x {
                continue;
            }
            let available = counter.between(x, y);
            let reached = p.consumed.saturating_add(available);
            if p.risk_at.is_none() && reached >= risk {
                p.risk_at = Some(counter.advance(x, risk - p.consumed));
            }
            if p.due_at.is_none() && reached >= target {
                p.due_at = Some(counter.advance(x, target - p.consumed));
            }
            p.consumed = reached;
        }
        p
    }

    /// The report of one target whose clock starts at `from` and which completed at `done`
    /// (if it did).
    fn report(
        &self,
        kind: TargetKind,
        spec: TargetSpec,
        from: i64,
        done: Option<i64>,
        cycle: u32,
    ) -> TargetReport {
        let counter = if spec.business_hours && !self.calendar.is_always_open() {
            Counter::Business(self.calendar)
        } else {
            Counter::Wall
        };
        let target = spec.minutes.saturating_mul(NS_PER_MIN).max(0);
        // At risk at the earlier of `pct`% consumed and `min_left` before the end.
        let by_share = i64::try_from(i128::from(target) * i128::from(self.threshold_pct) / 100)
            .unwrap_or(target);
        let risk = by_share.min(target.saturating_sub(self.min_left)).max(0);

        let (state, due_at, at_risk_at, completed_at, consumed) = match done {
            Some(done) => {
                let limit = done.max(from);
                let p = self.walk(counter, from, limit, risk, target);
                let due = p
                    .due_at
                    .unwrap_or_else(|| counter.advance(limit, target - p.consumed));
                let risk_at = p
                    .risk_at
                    .unwrap_or_else(|| counter.advance(limit, risk - p.consumed));
                let state = if due < done {
                    SlaState::Missed
                } else {
                    SlaState::Met
                };
                (state, Some(due), Some(risk_at), Some(done), p.consumed)
            }
            None => {
                let now = self.now;
                let p = self.walk(counter, from, now, risk, target);
                if self.timeline.clock_runs_now() {
                    let due = p
                        .due_at
                        .unwrap_or_else(|| counter.advance(now, target - p.consumed));
                    let risk_at = p
                        .risk_at
                        .unwrap_or_else(|| counter.advance(now, risk - p.consumed));
                    let state = if now >= due {
                        SlaState::Breached
                    } else if now >= risk_at {
                        SlaState::AtRisk
                    } else {
                        SlaState::Running
                    };
                    (state, Some(due), Some(risk_at), None, p.consumed)
                } else if let Some(due) = p.due_at {
                    (SlaState::Breached, Some(due), p.risk_at, None, p.consumed)
                } else {
                    (SlaState::Paused, None, None, None, p.consumed)
                }
            }
        };
        TargetReport {
            target: kind,
            state,
            due_at: due_at.map(ns_to_ts),
            at_risk_at: at_risk_at.map(ns_to_ts),
            completed_at: completed_at.map(ns_to_ts),
            remaining_secs: target.saturating_sub(consumed).div_euclid(NS_PER_SEC),
            cycle,
        }
    }
}
