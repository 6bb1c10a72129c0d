//! Service reports (issue 16; spec §4, §7 `report`; every formula in `docs/metrics.md`): the
//! figures supervisors steer by — volume, backlog, first response and resolution times
//! (calendar and business time), SLA compliance, response delay, first-contact resolution,
//! L1 share, reopens, satisfaction and its follow-up recovery — over a period, filtered, and
//! beside the previous period.
//!
//! What a report reads of each ticket is its [`ReportFacts`]: decided here from the ticket,
//! its SLA facts and the SLA engine's report, and stored by the store beside the ticket when
//! it is written, so a report aggregates rows and never replays history. The aggregation is
//! SQL in the store; the pure parts (percentiles, rates, periods, targets) are here.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::error::DomainError;
use crate::sla::{
    Calendar, Durations, SlaFacts, SlaPolicy, SlaReport, TargetKind, durations as sla_durations,
};
use crate::ticket::{Channel, Priority, Ticket, Tier};

#[cfg(test)]
mod tests;

/// What a report needs of one ticket (a row beside the ticket; times in ms in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    pub ticket_id: Uuid,
    /// What a report groups and filters by, and counts (the ticket's values when written).
    pub created_at: Timestamp,
    /// Merged into another ticket: counted as a duplicate, not as a ticket of its own.
    pub duplicate: bool,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub category: String,
    pub priority: Priority,
    pub organization_id: Option<Uuid>,
    pub channel: Channel,
    /// Handled at tier L1 (the share resolved at L1).
    pub l1: bool,
    pub csat: Option<u8>,
    /// A finished follow-up of a low rating: whether it recovered the customer.
    pub followup_recovered: Option<bool>,
    /// First response and resolution in calendar and business time, reopens: the SLA
    /// engine's own (`sla::durations`).
    pub durations: Durations,
    /// Public agent replies (first-contact resolution allows one).
    pub public_replies: u32,
    /// The first-response and resolution targets: when due, when completed (met when
    /// completed at or before due; breached when due passed with nothing completed).
    pub first_response_due: Option<Timestamp>,
    pub first_response_done: Option<Timestamp>,
    pub resolution_due: Option<Timestamp>,
    pub resolution_done: Option<Timestamp>,
}

/// A ticket's report facts, from the same facts and engine as its SLA.
pub fn report_facts(
    ticket: &Ticket,
    facts: &SlaFacts,
    report: &SlaReport,
    policy: &SlaPolicy,
    calendar: &Calendar,
) -> ReportFacts {
    let d = sla_durations(facts, policy, calendar);
    let target = |kind: TargetKind| report.targets.iter().find(|t| t.target == kind);
    let first = target(TargetKind::FirstResponse);
    let resolution = target(TargetKind::Resolution);
    ReportFacts {
        ticket_id: ticket.id,
        created_at: ticket.created_at,
        duplicate: ticket.merged_into.is_some(),
        team_id: ticket.team_id,
        assignee_id: ticket.assignee_id,
        category: ticket.category.clone(),
        priority: ticket.priority,
        organization_id: ticket.organization_id,
        channel: ticket.channel,
        l1: ticket.tier == Tier::L1,
        csat: ticket.csat.as_ref().map(|c| c.score),
        followup_recovered: ticket
            .followup
            .as_ref()
            .filter(|f| f.is_closed())
            .map(|f| f.recovered()),
        durations: d,
        public_replies: u32::try_from(
            facts
                .agent_public_replies
                .iter()
                .filter(|r| **r >= facts.created_at)
                .count(),
        )
        .unwrap_or(u32::MAX),
        first_response_due: first.and_then(|t| t.due_at),
        first_response_done: first.and_then(|t| t.completed_at),
        resolution_due: resolution.and_then(|t| t.due_at),
        resolution_done: resolution.and_then(|t| t.completed_at),
    }
}

/// The nearest-rank percentile (`pct` of 100) of sorted values: the smallest value with at
/// least `pct`% of the values at or below it. `None` for no values.
pub fn percentile(sorted: &[i64], pct: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(pct.min(100)) * n).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// `part / whole`, or `None` when there is nothing to divide.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A report's period: `[since, until)`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub since: Timestamp,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub until: Timestamp,
}

impl Period {
    /// A period, refused when it ends before it starts.
    pub fn new(since: Timestamp, until: Timestamp) -> Result<Period, DomainError> {
        if until <= since {
            return Err(DomainError::invalid(
                "period",
                "the period ends before it starts: give an end after the start",
            ));
        }
        Ok(Period { since, until })
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        let len = self.until.duration_since(self.since);
        Period {
            since: self.since - len,
            until: self.since,
        }
    }
}

crate::ticket::vocabulary!(
    /// What a report's table breaks figures down by.
    ReportGroup, "report group", {
        Team => "team",
        Agent => "agent",
        Category => "category",
        Priority => "priority",
        Organization => "organization",
        Channel => "channel",
    }
);

/// Which tickets a report counts (each filter narrows; none: all).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportFilter {
    /// A team's name.
    pub team: Option<String>,
    /// An agent's email (the assignee).
    pub agent: Option<String>,
    pub category: Option<String>,
    pub priority: Option<Priority>,
    /// An organization's name.
    pub organization: Option<String>,
    pub channel: Option<Channel>,
}

/// Median and 90th percentile of a time, in calendar and in business seconds.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeStat {
    /// How many tickets the figures are over.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub median_secs: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub p90_secs: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub business_median_secs: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub business_p90_secs: Option<i64>,
}

impl TimeStat {
    /// The figures of `calendar` and `business` seconds (any order).
    pub fn of(mut calendar: Vec<i64>, mut business: Vec<i64>) -> TimeStat {
        calendar.sort_unstable();
        business.sort_unstable();
        TimeStat {
            count: calendar.len() as u64,
            median_secs: percentile(&calendar, 50),
            p90_secs: percentile(&calendar, 90),
            business_median_secs: percentile(&business, 50),
            business_p90_secs: percentile(&business, 90),
        }
    }
}

/// SLA outcomes of one target (or all): met, missed (completed late), breached (due passed,
/// not completed by the period's end).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub met: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub missed: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub breached: u64,
}

impl<'a> std::iter::Sum<&'a Outcomes> for Outcomes {
    fn sum<I: Iterator<Item = &'a Outcomes>>(iter: I) -> Outcomes {
        iter.fold(Outcomes::default(), |mut a, o| {
            a.add(*o);
            a
        })
    }
}

impl Outcomes {
    /// Met over all decided (met, missed, breached).
    pub fn compliance(&self) -> Option<f64> {
        rate(self.met, self.met + self.missed + self.breached)
    }
    pub fn add(&mut self, o: Outcomes) {
        self.met += o.met;
        self.missed += o.missed;
        self.breached += o.breached;
    }
}

/// The headline figures of one period.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Tickets created in the period (merged duplicates apart).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created: u64,
    /// Tickets whose last resolve fell in the period and that are resolved or closed now.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub resolved: u64,
    /// Duplicates merged into another ticket (counted nowhere else).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duplicates: u64,
    /// Open at the period's end, and the median age of those.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub backlog: u64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub backlog_median_age_secs: Option<i64>,
    /// First response time of the tickets created in the period that got one.
    pub first_response: TimeStat,
    /// Resolution time of the tickets resolved in the period.
    pub resolution: TimeStat,
    /// First-response and resolution targets due in the period.
    pub sla: Outcomes,
    pub sla_compliance: Option<f64>,
    /// First responses (due in the period) that came after their due time, of all first
    /// responses due in the period that came.
    pub response_delay_rate: Option<f64>,
    /// Of the resolved: with at most one public agent reply and never reopened.
    pub first_contact_resolution: Option<f64>,
    /// Of the resolved: at tier L1.
    pub l1_share: Option<f64>,
    /// Of the resolved: reopened at least once.
    pub reopen_rate: Option<f64>,
    /// Ratings of the tickets resolved in the period: how many, share of 4–5, average.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub csat_count: u64,
    pub csat_satisfied: Option<f64>,
    pub csat_average: Option<f64>,
    /// Satisfaction follow-ups of those tickets that finished, and the share that recovered
    /// the customer.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub followups: u64,
    pub followup_recovery: Option<f64>,
    /// Customers' "this helped" votes on articles, of those votes plus the tickets customers
    /// opened (the knowledge base counts votes, not when they were cast: all time).
    pub self_service_deflection: Option<f64>,
}

/// Targets from the seeds, drawn as lines on the charts (`docs/metrics.md` names each source).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// First response: 4 minutes (seed 004's 2026 target; 12 → 8 → 4).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub first_response_secs: i64,
    /// First-contact resolution ≥ 85% (seed 004).
    pub first_contact_resolution: f64,
    /// Satisfied (4–5) ≥ 85% (seed 004; seed 002: ≥ 90%).
    pub csat_satisfied: f64,
    /// Response-delay rate < 0.5% (seed 004).
    pub response_delay_rate: f64,
    /// L1 solves 60–70% (seed 002): the lower bound.
    pub l1_share: f64,
    /// Self-service > 60% (seed 003).
    pub self_service_deflection: f64,
}

/// The seeds' targets.
pub const TARGETS: Targets = Targets {
    first_response_secs: 4 * 60,
    first_contact_resolution: 0.85,
    csat_satisfied: 0.85,
    response_delay_rate: 0.005,
    l1_share: 0.60,
    self_service_deflection: 0.60,
};

/// Tickets created and resolved on one day (the workspace's time zone).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub resolved: u64,
}

/// The backlog at the period's end by age.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBucket {
    /// `<1d`, `1-3d`, `3-7d`, `7-30d`, `>30d`.
    pub age: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tickets: u64,
}

/// The backlog's age buckets: upper bounds in days (the last is open-ended).
pub const AGE_BUCKETS: [(&str, i64); 5] = [
    ("<1d", 1),
    ("1-3d", 3),
    ("3-7d", 7),
    ("7-30d", 30),
    (">30d", i64::MAX),
];

/// Counts ages (seconds) into [`AGE_BUCKETS`].
pub fn age_buckets(ages_secs: &[i64]) -> Vec<AgeBucket> {
    let mut counts = [0u64; AGE_BUCKETS.len()];
    for a in ages_secs {
        let days = a.div_euclid(86_400);
        let i = AGE_BUCKETS
            .iter()
            .position(|(_, max)| days < *max)
            .unwrap_or(AGE_BUCKETS.len() - 1);
        counts[i] += 1;
    }
    AGE_BUCKETS
        .iter()
        .zip(counts)
        .map(|((age, _), tickets)| AgeBucket {
            age: (*age).to_string(),
            tickets,
        })
        .collect()
}

/// SLA outcomes of one priority's target.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceRow {
    pub priority: Priority,
    pub target: TargetKind,
    pub outcomes: Outcomes,
    pub compliance: Option<f64>,
}

/// Late targets (missed, or breached) by the weekday (1 = Monday) and hour of their due time.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatCell {
    pub weekday: u8,
    pub hour: u8,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub late: u64,
}

/// One row of a breakdown (a team, an agent, a category …).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// What the row filters by (a team's or organization's name, an agent's email, a
    /// category, priority or channel); empty for tickets without one.
    pub key: String,
    /// How people read it (an agent's name).
    pub label: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub resolved: u64,
    /// Open at the period's end.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub backlog: u64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub resolution_median_secs: Option<i64>,
    pub sla: Outcomes,
    pub sla_compliance: Option<f64>,
    pub csat_average: Option<f64>,
}

/// The whole dashboard: a period's figures beside the previous period's, and what the charts
/// draw.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub period: Period,
    pub previous_period: Period,
    pub filter: ReportFilter,
    /// The time zone days and hours are counted in.
    pub time_zone: String,
    pub current: Figures,
    pub previous: Figures,
    pub daily: Vec<DayCount>,
    pub backlog_ages: Vec<AgeBucket>,
    pub compliance: Vec<ComplianceRow>,
    pub heatmap: Vec<HeatCell>,
    pub teams: Vec<GroupRow>,
    pub agents: Vec<GroupRow>,
    /// The breakdown asked for (`--by`).
    pub by: ReportGroup,
    pub breakdown: Vec<GroupRow>,
    pub targets: Targets,
}

crate::ticket::vocabulary!(
    /// The tickets behind a figure (a dashboard's drill-down opens the queue filtered to them).
    DrillCohort, "report cohort", {
        /// Created in the period.
        Created => "created",
        /// Resolved in the period.
        Resolved => "resolved",
        /// Open at the period's end.
        Backlog => "backlog",
        /// With a first-response or resolution target due in the period and late (missed,
        /// or breached).
        Late => "late",
        /// With a first response due in the period that came late.
        LateFirstResponse => "late_first_response",
        /// Resolved in the period after a reopen.
        Reopened => "reopened",
        /// Resolved in the period and rated.
        Rated => "rated",
    }
);

/// The tickets behind one figure of a report: its cohort, period and filter, and a group of
/// a breakdown (`by` = `key`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDrill {
    pub cohort: DrillCohort,
    pub period: Period,
    #[serde(default)]
    pub filter: ReportFilter,
    #[serde(default)]
    pub group: Option<DrillGroup>,
}

/// One group of a breakdown: its dimension and key (as the breakdown row says it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillGroup {
    pub by: ReportGroup,
    pub key: String,
}
