//! The pure scheduling core of the SLA monitor: which notifications are due, exactly once.
//!
//! The caller evaluates each ticket with [`evaluate`](super::evaluate) and hands the report to
//! [`Monitor::upsert`] whenever the ticket changes (locally or through sync) or its calendar
//! changes. The monitor keeps the next instant each running target needs attention in a
//! min-heap, so [`Monitor::next_wake`] says how long to sleep and [`Monitor::poll`] pops only
//! what is due: no periodic full scans. Nothing here reads a clock or does I/O; every
//! time-dependent call takes `now`.
//!
//! Each alert has an [`AlertKey`] (ticket, target, cycle, kind). A key fires at most once;
//! the set of fired keys can be persisted with [`Monitor::fired_keys`] and merged back with
//! [`Monitor::restore_fired`], so a restart, a sync or a second replica does not repeat it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{SlaReport, SlaState, TargetKind};
use crate::ticket::Priority;

/// One ticket as the monitor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoredTicket {
    pub id: Uuid,
    pub number: i64,
    pub priority: Priority,
    /// False once resolved or closed: nothing is scheduled.
    pub open: bool,
    /// The ticket's SLA report, from [`evaluate`](super::evaluate).
    pub report: SlaReport,
}

/// What an alert says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The target reached its warning threshold and is still running.
    AtRisk,
    /// The target is past due.
    Breached,
    /// A P1 ticket's next public update (every 30 minutes while open) is due.
    P1UpdateDue,
}

impl AlertKind {
    /// Display rank: breaches first, then P1 update reminders, then warnings.
    fn rank(self) -> u8 {
        match self {
            AlertKind::Breached => 0,
            AlertKind::P1UpdateDue => 1,
            AlertKind::AtRisk => 2,
        }
    }
}

/// The identity of an alert: it fires at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AlertKey {
    pub ticket_id: Uuid,
    pub target: TargetKind,
    pub cycle: u32,
    pub kind: AlertKind,
}

/// A notification-worthy SLA event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub ticket_id: Uuid,
    pub number: i64,
    pub target: TargetKind,
    pub kind: AlertKind,
    pub cycle: u32,
    /// When the target is due.
    pub due_at: Timestamp,
    /// The moment the alert became due (the at-risk instant or the due instant), even when
    /// it was polled later.
    pub fired_for: Timestamp,
}

impl Alert {
    /// The alert's once-only identity.
    pub fn key(&self) -> AlertKey {
        AlertKey {
            ticket_id: self.ticket_id,
            target: self.target,
            cycle: self.cycle,
            kind: self.kind,
        }
    }
}

/// What to show the user: single alerts, or one summary when many fire at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notification {
    Single(Alert),
    Summary {
        breached: usize,
        at_risk: usize,
        p1_updates: usize,
        /// Every alert of the summary, breaches first.
        alerts: Vec<Alert>,
    },
}

/// Groups the alerts of one poll: each alert on its own if there are at most `max_individual`,
/// else one summary with counts. Breaches come first, then P1 update reminders, then
/// warnings; ties by due moment and ticket number.
pub fn group(mut alerts: Vec<Alert>, max_individual: usize) -> Vec<Notification> {
    alerts.sort_by(|a, b| {
        (
            a.kind.rank(),
            a.fired_for,
            a.number,
            a.ticket_id,
            a.target,
            a.cycle,
        )
            .cmp(&(
                b.kind.rank(),
                b.fired_for,
                b.number,
                b.ticket_id,
                b.target,
                b.cycle,
            ))
    });
    if alerts.is_empty() {
        Vec::new()
    } else if alerts.len() <= max_individual {
        alerts.into_iter().map(Notification::Single).collect()
    } else {
        let count = |kind| alerts.iter().filter(|a| a.kind == kind).count();
        vec![Notification::Summary {
            breached: count(AlertKind::Breached),
            at_risk: count(AlertKind::AtRisk),
            p1_updates: count(AlertKind::P1UpdateDue),
            alerts,
        }]
    }
}

/// One scheduled alert. Field order is the heap order: by instant, then ticket number, ...
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Scheduled {
    at: Timestamp,
    number: i64,
    ticket_id: Uuid,
    target: TargetKind,
    kind: AlertKind,
    cycle: u32,
    due_at: Timestamp,
    generation: u64,
}

impl Scheduled {
    fn key(&self) -> AlertKey {
        AlertKey {
            ticket_id: self.ticket_id,
            target: self.target,
            cycle: self.cycle,
            kind: self.kind,
        }
    }

    fn alert(&self) -> Alert {
        Alert {
            ticket_id: self.ticket_id,
            number: self.number,
            target: self.target,
            kind: self.kind,
            cycle: self.cycle,
            due_at: self.due_at,
            fired_for: self.at,
        }
    }
}

/// The heap is compacted (stale entries dropped) once it holds this many more entries than
/// after the last compaction, and has at least doubled.
const COMPACT_SLACK: usize = 64;

/// Deterministic SLA alert scheduler. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Monitor {
    /// Min-heap of scheduled alerts. Entries of an older generation of their ticket are stale.
    queue: BinaryHeap<Reverse<Scheduled>>,
    /// The current schedule generation of each tracked ticket.
    generations: HashMap<Uuid, u64>,
    /// The last generation handed out (never reused, so a removed and re-added ticket does not
    /// revive its old entries).
    last_generation: u64,
    fired: HashSet<AlertKey>,
    /// Heap size after the last compaction.
    compacted_len: usize,
}

impl Monitor {
    pub fn new() -> Monitor {
        Monitor::default()
    }

    /// Replaces the schedule of one ticket. A closed or resolved ticket, and targets that are
    /// paused, met or missed, schedule nothing. Targets that are running or at risk schedule
    /// their at-risk and due alerts; a breached target (even one paused after breaching)
    /// schedules its due alert, which fires once if it has not fired yet. For P1 tickets the
    /// due alert of the next-update target is [`AlertKind::P1UpdateDue`].
    pub fn upsert(&mut self, ticket: &MonitoredTicket) {
        self.last_generation += 1;
        let generation = self.last_generation;
        self.generations.insert(ticket.id, generation);
        if ticket.open {
            for t in &ticket.report.targets {
                if !matches!(
                    t.state,
                    SlaState::Running | SlaState::AtRisk | SlaState::Breached
                ) {
                    continue;
                }
                let Some(due_at) = t.due_at else { continue };
                let due_kind =
                    if ticket.priority == Priority::P1 && t.target == TargetKind::NextUpdate {
                        AlertKind::P1UpdateDue
                    } else {
                        AlertKind::Breached
                    };
                let mut schedule = |kind, at| {
                    let item = Scheduled {
                        at,
                        number: ticket.number,
                        ticket_id: ticket.id,
                        target: t.target,
                        kind,
                        cycle: t.cycle,
                        due_at,
                        generation,
                    };
                    if !self.fired.contains(&item.key()) {
                        self.queue.push(Reverse(item));
                    }
                };
                // Past warnings are sorted out by `poll`, which knows `now`.
                if let Some(risk_at) = t.at_risk_at {
                    schedule(AlertKind::AtRisk, risk_at);
                }
                schedule(due_kind, due_at);
            }
        }
        self.maintain();
    }

    /// Stops tracking a ticket (its fired keys are kept).
    pub fn remove(&mut self, id: Uuid) {
        if self.generations.remove(&id).is_some() {
            self.maintain();
        }
    }

    /// The earliest instant at which [`Monitor::poll`] will return something, if any.
    pub fn next_wake(&self) -> Option<Timestamp> {
        // Invariant: every `&mut self` method leaves a live, unfired entry on top.
        self.queue.peek().map(|Reverse(s)| s.at)
    }

    /// Pops every alert due at or before `now`, in order of the moment it became due (ties by
    /// ticket number). Each key fires once. If a target's at-risk moment and due moment have
    /// both passed, only the due alert fires and the at-risk key is marked fired too.
    pub fn poll(&mut self, now: Timestamp) -> Vec<Alert> {
        let mut alerts = Vec::new();
        while self.queue.peek().is_some_and(|Reverse(s)| s.at <= now) {
            let Some(Reverse(item)) = self.queue.pop() else {
                break;
            };
            if !self.is_live(&item) {
                continue;
            }
            // A stale warning (the target is already due) is recorded but not shown.
            let stale = item.kind == AlertKind::AtRisk && item.due_at <= now;
            self.fired.insert(item.key());
            if !stale {
                alerts.push(item.alert());
            }
        }
        self.maintain();
        alerts
    }

    /// Every key that has fired, sorted (for persisting).
    pub fn fired_keys(&self) -> Vec<AlertKey> {
        let mut keys: Vec<AlertKey> = self.fired.iter().copied().collect();
        keys.sort_unstable();
        keys
    }

    /// Merges keys that fired elsewhere (a previous run, another replica): they will not fire
    /// here.
    pub fn restore_fired(&mut self, keys: impl IntoIterator<Item = AlertKey>) {
        self.fired.extend(keys);
        self.maintain();
    }

    /// True when `key` has fired (or was restored).
    pub fn has_fired(&self, key: &AlertKey) -> bool {
        self.fired.contains(key)
    }

    /// How many tickets are tracked.
    pub fn tracked(&self) -> usize {
        self.generations.len()
    }

    fn is_live(&self, item: &Scheduled) -> bool {
        self.generations.get(&item.ticket_id) == Some(&item.generation)
            && !self.fired.contains(&item.key())
    }

    /// Restores the heap invariants: drops dead entries from the top (so `next_wake` is exact)
    /// and, when the heap has grown well past its last compacted size, drops all dead entries.
    fn maintain(&mut self) {
        if self.queue.len() > self.compacted_len.saturating_mul(2).max(COMPACT_SLACK) {
            let generations = &self.generations;
            let fired = &self.fired;
            self.queue.retain(|Reverse(item)| {
                generations.get(&item.ticket_id) == Some(&item.generation)
                    && !fired.contains(&item.key())
            });
            self.compacted_len = self.queue.len();
        }
        while let Some(Reverse(top)) = self.queue.peek() {
            if self.is_live(top) {
                break;
            }
            self.queue.pop();
        }
        self.compacted_len = self.compacted_len.min(self.queue.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::{Calendar, SlaFacts, SlaPolicy, StatusChange, evaluate};
    use crate::status::Status;
    use crate::ticket::Kind;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A ticket's facts, built up as events happen.
    struct T {
        id: Uuid,
        number: i64,
        facts: SlaFacts,
        calendar: Calendar,
    }

    impl T {
        fn new(number: i64, priority: Priority, created: &str) -> T {
            T::with_calendar(number, priority, created, Calendar::always_open())
        }

        fn with_calendar(number: i64, priority: Priority, created: &str, cal: Calendar) -> T {
            T {
                id: Uuid::from_u128(0x1000 + number as u128),
                number,
                facts: SlaFacts {
                    created_at: ts(created),
                    priority,
                    kind: Kind::Incident,
                    status_changes: Vec::new(),
                    agent_public_replies: Vec::new(),
                },
                calendar: cal,
            }
        }

        fn status(&mut self, at: &str, to: Status) -> &mut T {
            self.facts
                .status_changes
                .push(StatusChange { at: ts(at), to });
            self
        }

        fn reply(&mut self, at: &str) -> &mut T {
            self.facts.agent_public_replies.push(ts(at));
            self
        }

        /// The ticket as the caller would hand it over after re-evaluating at `now`.
        fn at(&self, now: &str) -> MonitoredTicket {
            let open = self
                .facts
                .status_changes
                .iter()
                .max_by_key(|c| c.at)
                .is_none_or(|c| c.to.is_open());
            MonitoredTicket {
                id: self.id,
                number: self.number,
                priority: self.facts.priority,
                open,
                report: evaluate(
                    &self.facts,
                    &SlaPolicy::defaults(Uuid::nil()),
                    &self.calendar,
                    ts(now),
                ),
            }
        }
    }

    /// What a sleeping caller sees: wake at each `next_wake` up to `until`, poll.
    fn drive(m: &mut Monitor, until: &str) -> Vec<Alert> {
        let until = ts(until);
        let mut out = Vec::new();
        while let Some(w) = m.next_wake().filter(|w| *w <= until) {
            let got = m.poll(w);
            assert!(!got.is_empty(), "woke at {w} for nothing");
            out.extend(got);
        }
        out
    }

    fn brief(alerts: &[Alert]) -> Vec<(i64, TargetKind, AlertKind, u32, Timestamp)> {
        alerts
            .iter()
            .map(|a| (a.number, a.target, a.kind, a.cycle, a.fired_for))
            .collect()
    }

    use AlertKind::{AtRisk, Breached, P1UpdateDue};
    use TargetKind::{FirstResponse, NextUpdate, Resolution};

    #[test]
    fn alerts_of_several_tickets_come_in_time_order() {
        let a = T::new(1, Priority::P2, "2026-03-02T10:00:00Z");
        let b = T::new(2, Priority::P1, "2026-03-02T10:10:00Z");
        let c = T::new(3, Priority::P1, "2026-03-02T09:50:00Z");
        let mut m = Monitor::new();
        for t in [&a, &b, &c] {
            m.upsert(&t.at("2026-03-02T10:10:00Z"));
        }
        assert_eq!(m.tracked(), 3);
        let got = drive(&mut m, "2026-03-02T11:00:00Z");
        assert_eq!(
            brief(&got),
            [
                (3, FirstResponse, AtRisk, 0, ts("2026-03-02T10:05:00Z")),
                (3, FirstResponse, Breached, 0, ts("2026-03-02T10:20:00Z")),
                (2, FirstResponse, AtRisk, 0, ts("2026-03-02T10:25:00Z")),
                (2, FirstResponse, Breached, 0, ts("2026-03-02T10:40:00Z")),
                (1, FirstResponse, AtRisk, 0, ts("2026-03-02T10:45:00Z")),
                (1, FirstResponse, Breached, 0, ts("2026-03-02T11:00:00Z")),
            ]
        );
        // One poll covering several instants gives the same order.
        let mut m2 = Monitor::new();
        for t in [&c, &b, &a] {
            m2.upsert(&t.at("2026-03-02T10:10:00Z"));
        }
        let early = m2.poll(ts("2026-03-02T10:06:00Z"));
        let rest = m2.poll(ts("2026-03-02T10:30:00Z"));
        assert_eq!(brief(&early), brief(&got[..1]));
        assert_eq!(brief(&rest), brief(&got[1..3]));
        // Ties at one instant are ordered by ticket number.
        let x = T::new(7, Priority::P1, "2026-03-02T10:00:00Z");
        let y = T::new(5, Priority::P1, "2026-03-02T10:00:00Z");
        let mut m3 = Monitor::new();
        m3.upsert(&x.at("2026-03-02T10:00:00Z"));
        m3.upsert(&y.at("2026-03-02T10:00:00Z"));
        let tied = m3.poll(ts("2026-03-02T10:15:00Z"));
        assert_eq!(tied.iter().map(|a| a.number).collect::<Vec<_>>(), [5, 7]);
    }

    #[test]
    fn at_risk_then_breach_at_the_right_instants() {
        let t = T::new(1, Priority::P1, "2026-03-02T10:00:00Z");
        let mut m = Monitor::new();
        m.upsert(&t.at("2026-03-02T10:00:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:15:00Z")));
        assert!(m.poll(ts("2026-03-02T10:14:59Z")).is_empty());
        let risk = m.poll(ts("2026-03-02T10:15:00Z"));
        assert_eq!(
            brief(&risk),
            [(1, FirstResponse, AtRisk, 0, ts("2026-03-02T10:15:00Z"))]
        );
        assert_eq!(risk[0].due_at, ts("2026-03-02T10:30:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:30:00Z")));
        assert!(m.poll(ts("2026-03-02T10:29:59Z")).is_empty());
        let breach = m.poll(ts("2026-03-02T10:30:00Z"));
        assert_eq!(
            brief(&breach),
            [(1, FirstResponse, Breached, 0, ts("2026-03-02T10:30:00Z"))]
        );
        // Resolution (4 h): at risk after 3 h.
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T13:00:00Z")));
        // A P2's next-update target breaches as an ordinary breach.
        let mut p2 = T::new(2, Priority::P2, "2026-03-02T10:00:00Z");
        p2.reply("2026-03-02T10:05:00Z");
        let mut m2 = Monitor::new();
        m2.upsert(&p2.at("2026-03-02T10:05:00Z"));
        let got = m2.poll(ts("2026-03-02T12:05:00Z"));
        assert!(got.contains(&Alert {
            ticket_id: p2.id,
            number: 2,
            target: NextUpdate,
            kind: Breached,
            cycle: 0,
            due_at: ts("2026-03-02T12:05:00Z"),
            fired_for: ts("2026-03-02T12:05:00Z"),
        }));
    }

    #[test]
    fn replies_move_and_cancel_alerts() {
        let mut t = T::new(1, Priority::P1, "2026-03-02T10:00:00Z");
        let mut m = Monitor::new();
        m.upsert(&t.at("2026-03-02T10:00:00Z"));
        // The first reply meets first response: its alerts (10:15, 10:30) are cancelled and
        // the next update (30 min after the reply) is scheduled.
        t.reply("2026-03-02T10:10:00Z");
        m.upsert(&t.at("2026-03-02T10:10:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:25:00Z")));
        let got = m.poll(ts("2026-03-02T10:30:00Z"));
        assert_eq!(
            brief(&got),
            [(1, NextUpdate, AtRisk, 0, ts("2026-03-02T10:25:00Z"))]
        );
        // A second reply starts cycle 1: the 10:40 update reminder is cancelled.
        t.reply("2026-03-02T10:35:00Z");
        m.upsert(&t.at("2026-03-02T10:35:00Z"));
        assert!(m.poll(ts("2026-03-02T10:40:00Z")).is_empty());
        let got = drive(&mut m, "2026-03-02T11:05:00Z");
        assert_eq!(
            brief(&got),
            [
                (1, NextUpdate, AtRisk, 1, ts("2026-03-02T10:50:00Z")),
                (1, NextUpdate, P1UpdateDue, 1, ts("2026-03-02T11:05:00Z")),
            ]
        );
        assert_eq!(got[1].due_at, ts("2026-03-02T11:05:00Z"));
        // Resolving cancels everything.
        t.status("2026-03-02T11:10:00Z", Status::Resolved);
        m.upsert(&t.at("2026-03-02T11:10:00Z"));
        assert_eq!(m.next_wake(), None);
        assert!(m.poll(ts("2026-03-03T00:00:00Z")).is_empty());
    }

    #[test]
    fn pause_cancels_and_resume_reschedules() {
        let mut t = T::new(1, Priority::P2, "2026-03-02T10:00:00Z");
        let mut m = Monitor::new();
        m.upsert(&t.at("2026-03-02T10:00:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:45:00Z")));
        t.status("2026-03-02T10:20:00Z", Status::PendingCustomer);
        m.upsert(&t.at("2026-03-02T10:20:00Z"));
        assert_eq!(m.next_wake(), None);
        assert!(m.poll(ts("2026-03-02T12:00:00Z")).is_empty());
        // 20 of 60 minutes used: due 40 minutes after the resume, at risk 25 minutes after.
        t.status("2026-03-02T12:00:00Z", Status::Open);
        m.upsert(&t.at("2026-03-02T12:00:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T12:25:00Z")));
        let got = drive(&mut m, "2026-03-02T12:40:00Z");
        assert_eq!(
            brief(&got),
            [
                (1, FirstResponse, AtRisk, 0, ts("2026-03-02T12:25:00Z")),
                (1, FirstResponse, Breached, 0, ts("2026-03-02T12:40:00Z")),
            ]
        );
    }

    #[test]
    fn business_hours_target_across_berlin_spring_forward() {
        // Friday 27 March 2026 16:00 CET; clocks go forward on Sunday 29 March.
        // P3 first response, 4 business hours: 1 h on Friday, 3 h on Monday (CEST, UTC+2).
        let cal = Calendar::business_hours("Europe/Berlin").unwrap();
        let t = T::with_calendar(1, Priority::P3, "2026-03-27T16:00:00+01:00", cal);
        let mut m = Monitor::new();
        m.upsert(&t.at("2026-03-27T16:00:00+01:00"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-30T09:00:00Z")));
        assert!(m.poll(ts("2026-03-30T08:59:59Z")).is_empty());
        let got = drive(&mut m, "2026-03-30T10:00:00Z");
        assert_eq!(
            brief(&got),
            [
                // 11:00 and 12:00 Berlin summer time.
                (1, FirstResponse, AtRisk, 0, ts("2026-03-30T09:00:00Z")),
                (1, FirstResponse, Breached, 0, ts("2026-03-30T10:00:00Z")),
            ]
        );
        // Resolution, 16 business hours: Friday 1, Monday 8, Tuesday 7 → Tuesday 16:00 CEST.
        let got = drive(&mut m, "2026-03-31T23:00:00Z");
        assert_eq!(
            brief(&got),
            [
                (1, Resolution, AtRisk, 0, ts("2026-03-31T10:00:00Z")),
                (1, Resolution, Breached, 0, ts("2026-03-31T14:00:00Z")),
            ]
        );
    }

    #[test]
    fn wake_from_sleep_fires_breach_once_with_true_due_time() {
        let t = T::new(1, Priority::P1, "2026-03-02T10:00:00Z");
        let mut m = Monitor::new();
        m.upsert(&t.at("2026-03-02T10:00:00Z"));
        // The laptop sleeps until the evening.
        let got = m.poll(ts("2026-03-02T18:00:00Z"));
        assert_eq!(
            brief(&got),
            [
                (1, FirstResponse, Breached, 0, ts("2026-03-02T10:30:00Z")),
                (1, Resolution, Breached, 0, ts("2026-03-02T14:00:00Z")),
            ]
        );
        // The skipped warnings count as fired.
        let at_risk = AlertKey {
            ticket_id: t.id,
            target: FirstResponse,
            cycle: 0,
            kind: AtRisk,
        };
        assert!(m.has_fired(&at_risk));
        assert_eq!(m.fired_keys().len(), 4);
        // Re-evaluating after the wake (targets now breached) repeats nothing.
        m.upsert(&t.at("2026-03-02T18:00:00Z"));
        assert_eq!(m.next_wake(), None);
        assert!(m.poll(ts("2026-03-02T18:01:00Z")).is_empty());
    }

    #[test]
    fn never_repeats_across_polls_and_restarts() {
        let t = T::new(1, Priority::P1, "2026-03-02T10:00:00Z");
        let mut m = Monitor::new();
        m.upsert(&t.at("2026-03-02T10:00:00Z"));
        assert_eq!(m.poll(ts("2026-03-02T10:15:00Z")).len(), 1);
        assert!(m.poll(ts("2026-03-02T10:15:00Z")).is_empty());
        assert!(m.poll(ts("2026-03-02T10:20:00Z")).is_empty());
        // Re-upserting the same report does not re-arm a fired alert.
        m.upsert(&t.at("2026-03-02T10:20:00Z"));
        assert!(m.poll(ts("2026-03-02T10:20:00Z")).is_empty());

        // "Restart": persist the keys, build a fresh monitor.
        let saved = serde_json::to_string(&m.fired_keys()).unwrap();
        let mut restarted = Monitor::new();
        restarted.upsert(&t.at("2026-03-02T10:20:00Z"));
        restarted.restore_fired(serde_json::from_str::<Vec<AlertKey>>(&saved).unwrap());
        assert_eq!(restarted.next_wake(), Some(ts("2026-03-02T10:30:00Z")));
        assert!(restarted.poll(ts("2026-03-02T10:29:00Z")).is_empty());
        let got = restarted.poll(ts("2026-03-02T10:30:00Z"));
        assert_eq!(
            brief(&got),
            [(1, FirstResponse, Breached, 0, ts("2026-03-02T10:30:00Z"))]
        );

        // A replica that learns the keys before polling fires nothing already fired.
        let mut replica = Monitor::new();
        replica.restore_fired(restarted.fired_keys());
        replica.upsert(&t.at("2026-03-02T10:30:00Z"));
        assert!(replica.poll(ts("2026-03-02T10:31:00Z")).is_empty());
        assert_eq!(replica.next_wake(), Some(ts("2026-03-02T13:00:00Z")));

        // Keys are stable on the wire.
        let key = AlertKey {
            ticket_id: t.id,
            target: NextUpdate,
            cycle: 3,
            kind: P1UpdateDue,
        };
        let json = serde_json::to_string(&key).unwrap();
        assert!(json.contains("\"next_update\"") && json.contains("\"p1_update_due\""));
        assert_eq!(serde_json::from_str::<AlertKey>(&json).unwrap(), key);
    }

    #[test]
    fn reopen_starts_a_new_cycle_that_alerts_again() {
        let mut t = T::new(1, Priority::P1, "2026-03-02T10:00:00Z");
        t.reply("2026-03-02T10:05:00Z");
        let mut m = Monitor::new();
        m.upsert(&t.at("2026-03-02T10:05:00Z"));
        let before: Vec<_> = drive(&mut m, "2026-03-02T13:00:00Z")
            .into_iter()
            .filter(|a| a.target == Resolution)
            .collect();
        assert_eq!(
            brief(&before),
            [(1, Resolution, AtRisk, 0, ts("2026-03-02T13:00:00Z"))]
        );
        t.status("2026-03-02T13:30:00Z", Status::Resolved);
        m.upsert(&t.at("2026-03-02T13:30:00Z"));
        assert_eq!(m.next_wake(), None);
        // Reopened with 30 minutes of the 4 hours left; the old next-update alerts of cycle 0
        // already fired and are not repeated.
        t.status("2026-03-02T14:00:00Z", Status::Open);
        m.upsert(&t.at("2026-03-02T14:00:00Z"));
        let got = m.poll(ts("2026-03-02T14:00:00Z"));
        assert_eq!(
            brief(&got),
            [(1, Resolution, AtRisk, 1, ts("2026-03-02T13:00:00Z"))]
        );
        let got = drive(&mut m, "2026-03-02T14:30:00Z");
        assert_eq!(
            brief(&got),
            [(1, Resolution, Breached, 1, ts("2026-03-02T14:30:00Z"))]
        );
        assert_eq!(m.next_wake(), None);
    }

    #[test]
    fn next_wake_is_the_earliest_pending_instant() {
        let a = T::new(1, Priority::P2, "2026-03-02T10:00:00Z"); // at risk 10:45
        let b = T::new(2, Priority::P1, "2026-03-02T10:00:00Z"); // at risk 10:15
        let mut m = Monitor::new();
        assert_eq!(m.next_wake(), None);
        m.upsert(&a.at("2026-03-02T10:00:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:45:00Z")));
        m.upsert(&b.at("2026-03-02T10:00:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:15:00Z")));
        m.remove(b.id);
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:45:00Z")));
        // Re-added after removal: scheduled afresh.
        m.upsert(&b.at("2026-03-02T10:00:00Z"));
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:15:00Z")));
        // A closed ticket schedules nothing.
        let mut closed = b.at("2026-03-02T10:00:00Z");
        closed.open = false;
        m.upsert(&closed);
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:45:00Z")));
        m.remove(a.id);
        assert_eq!(m.next_wake(), None);

        // Many re-schedules leave stale entries behind; they are ignored and compacted.
        let mut m = Monitor::new();
        for i in 0..2_000 {
            let mut t = T::new(3, Priority::P1, "2026-03-02T10:00:00Z");
            for r in 0..(i % 5) {
                t.reply(&format!("2026-03-02T10:0{r}:00Z"));
            }
            m.upsert(&t.at("2026-03-02T10:05:00Z"));
        }
        assert!(m.queue.len() < 200, "heap not compacted: {}", m.queue.len());
        // The last version (4 replies, the last at 10:03): next update at risk at 10:18.
        assert_eq!(m.next_wake(), Some(ts("2026-03-02T10:18:00Z")));
        let got = m.poll(ts("2026-03-02T10:20:00Z"));
        assert_eq!(
            brief(&got),
            [(3, NextUpdate, AtRisk, 3, ts("2026-03-02T10:18:00Z"))]
        );
    }

    #[test]
    fn fifty_alerts_at_once_become_one_summary() {
        let mut m = Monitor::new();
        // 20 tickets breached first response at 09:30; 30 are at risk since 10:10.
        for n in 0..50 {
            let created = if n < 20 {
                "2026-03-02T09:00:00Z"
            } else {
                "2026-03-02T09:55:00Z"
            };
            m.upsert(&T::new(100 - n, Priority::P1, created).at("2026-03-02T09:55:00Z"));
        }
        let alerts = m.poll(ts("2026-03-02T10:15:00Z"));
        assert_eq!(alerts.len(), 50);
        let grouped = group(alerts.clone(), 5);
        assert_eq!(grouped.len(), 1);
        let Notification::Summary {
            breached,
            at_risk,
            p1_updates,
            alerts: inside,
        } = &grouped[0]
        else {
            panic!("expected a summary: {grouped:?}");
        };
        assert_eq!((*breached, *at_risk, *p1_updates), (20, 30, 0));
        assert_eq!(inside.len(), 50);
        assert!(inside[..20].iter().all(|a| a.kind == Breached));
        assert!(inside[20..].iter().all(|a| a.kind == AtRisk));

        // Few alerts stay individual, breaches first.
        let few = vec![alerts[49].clone(), alerts[0].clone()];
        let grouped = group(few, 5);
        let kinds: Vec<_> = grouped
            .iter()
            .map(|n| match n {
                Notification::Single(a) => a.kind,
                Notification::Summary { .. } => panic!("unexpected summary"),
            })
            .collect();
        assert_eq!(kinds, [Breached, AtRisk]);
        assert!(group(Vec::new(), 0).is_empty());
    }
}
