//! Service reports from the local store (issue 16; formulas in `docs/metrics.md`): each
//! ticket's report facts (`core::report::ReportFacts`) are kept in a narrow row of
//! `report_rows` by every write path, and a dashboard is one aggregate query per cohort of
//! its period — created, resolved, open at the end, targets due — over covering indexes:
//! never a replay of history, never a ticket page, never tickets in memory (only the
//! durations a percentile needs, and 15-minute counts the time zone turns into days and
//! hours).

use std::collections::{BTreeMap, HashMap};

use helpdeck_core::report::{
    ComplianceRow, Dashboard, DayCount, DrillCohort, Figures, GroupRow, HeatCell, Outcomes, Period,
    ReportDrill, ReportFacts, ReportFilter, ReportGroup, TARGETS, TimeStat, age_buckets,
    percentile, rate, report_facts,
};
use helpdeck_core::sla::{SlaFacts, SlaReport, TargetKind};
use helpdeck_core::ticket::{Priority, Ticket};
use helpdeck_core::{DomainError, Timestamp};
use jiff::tz::TimeZone;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::rows::{TICKET_COLUMNS, TicketRow, ms, ts};
use crate::sla::{evaluate_ticket, load_facts};
use crate::write::{Arg, Batch};
use crate::{Reports, Store};

/// Counts are kept per 15 minutes: every time zone's offset is a multiple of it.
const BUCKET_MS: i64 = 15 * 60 * 1000;

/// What a report groups and filters by, each coded in `report_keys` by its kind.
const TEAM: i64 = 1;
const AGENT: i64 = 2;
const CATEGORY: i64 = 3;
const PRIORITY: i64 = 4;
const ORGANIZATION: i64 = 5;
const CHANNEL: i64 = 6;

/// The values of a ticket's report row that are coded, by kind.
fn dims(f: &ReportFacts) -> [(i64, Option<String>); 6] {
    [
        (TEAM, f.team_id.map(|v| v.to_string())),
        (AGENT, f.assignee_id.map(|v| v.to_string())),
        (CATEGORY, Some(f.category.clone())),
        (PRIORITY, Some(f.priority.as_str().to_string())),
        (ORGANIZATION, f.organization_id.map(|v| v.to_string())),
        (CHANNEL, Some(f.channel.as_str().to_string())),
    ]
}

impl Store {
    /// Service reports and the dashboard.
    pub fn reports(&self) -> Reports<'_> {
        Reports(self)
    }

    /// A ticket's report facts from its SLA facts and report (the evaluation its SLA
    /// columns come from).
    pub(crate) fn report_facts_of(
        &self,
        t: &Ticket,
        facts: &SlaFacts,
        report: &SlaReport,
    ) -> ReportFacts {
        let policies = self.policies();
        let (policy, calendar) = policies.for_org(t.organization_id);
        report_facts(t, facts, report, policy, calendar)
    }

    /// Computes the report rows again from where `report_state` says (after the migration
    /// that made them, or a policy or calendar change; normally nothing: every write path
    /// keeps its tickets' rows), in chunks in `seq` order.
    async fn fill_report_facts(&self, conn: &mut SqliteConnection) -> Result<u64> {
        use sqlx::Connection;
        let mut done = 0u64;
        loop {
            let (complete,): (i64,) =
                sqlx::query_as("SELECT complete FROM report_state WHERE id = 1")
                    .fetch_one(&mut *conn)
                    .await?;
            if complete != 0 {
                return Ok(done);
            }
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            let (complete, cursor): (i64, Option<i64>) =
                sqlx::query_as("SELECT complete, cursor FROM report_state WHERE id = 1")
                    .fetch_one(&mut *tx)
                    .await?;
            if complete != 0 {
                tx.commit().await?;
                return Ok(done);
            }
            let rows: Vec<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.seq > ? ORDER BY t.seq LIMIT 500"
            )))
            .bind(cursor.unwrap_or(i64::MIN))
            .fetch_all(&mut *tx)
            .await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                sqlx::query("UPDATE report_state SET complete = 1, cursor = NULL WHERE id = 1")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(done);
            };
            let tickets = rows
                .into_iter()
                .map(TicketRow::into_ticket)
                .collect::<Result<Vec<_>>>()?;
            let ids: Vec<_> = tickets.iter().map(|t| t.id).collect();
            let facts = load_facts(&mut tx, &ids).await?;
            let now = self.now();
            let rows: Vec<ReportFacts> = tickets
                .iter()
                .map(|t| {
                    let f = facts.facts(t);
                    let report = evaluate_ticket(&self.policies(), &f, t.organization_id, now);
                    self.report_facts_of(t, &f, &report)
                })
                .collect();
            let mut batch = Batch::default();
            push_report_facts(&mut batch, &rows);
            batch.push(
                "UPDATE report_state SET cursor = ? WHERE id = 1",
                vec![Arg::Int(last)],
            );
            batch.execute(&mut tx).await?;
            tx.commit().await?;
            done += rows.len() as u64;
        }
    }

    /// Marks every ticket's report row for recomputation (the SLA policy or calendar
    /// changed: due times and business time with them).
    pub(crate) async fn invalidate_report_facts(&self) -> Result<()> {
        sqlx::query("UPDATE report_state SET complete = 0, cursor = NULL WHERE id = 1")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// The columns of `report_rows` after `seq`, in the order [`push_report_facts`] binds them.
const ROW_COLUMNS: [&str; 22] = [
    "created", "done", "dup", "team", "agent", "category", "priority", "org", "channel", "l1",
    "csat", "followup", "frt", "frt_b", "res", "res_b", "reopens", "replies", "frt_due",
    "frt_done", "res_due", "res_done",
];

/// Report rows in one statement.
const REPORT_ROWS_PER_STATEMENT: usize = 120;

/// Writes tickets' report rows (in the caller's batch, after their tickets' rows), with the
/// codes of the values they group by.
pub(crate) fn push_report_facts(batch: &mut Batch, rows: &[ReportFacts]) {
    for chunk in rows.chunks(REPORT_ROWS_PER_STATEMENT) {
        let coded: Vec<_> = chunk.iter().map(dims).collect();
        let keys: std::collections::BTreeSet<(i64, &String)> = coded
            .iter()
            .flat_map(|d| d.iter().filter_map(|(k, v)| Some((*k, v.as_ref()?))))
            .collect();
        if !keys.is_empty() {
            let mut args = Vec::with_capacity(keys.len() * 2);
            for (k, v) in &keys {
                args.extend([Arg::Int(*k), Arg::Text((*v).clone())]);
            }
            batch.push(
                &format!(
                    "INSERT OR IGNORE INTO report_keys (kind, value) VALUES {}",
                    vec!["(?, ?)"; keys.len()].join(", ")
                ),
                args,
            );
        }
        let mut args = Vec::with_capacity(chunk.len() * 23);
        for (f, d) in chunk.iter().zip(coded) {
            let [team, agent, category, priority, org, channel] = d.map(|(_, v)| v);
            args.extend([
                Arg::text(f.ticket_id),
                Arg::Int(ms(f.created_at)),
                Arg::opt_int(f.durations.done_at.map(ms)),
                Arg::Int(i64::from(f.duplicate)),
                Arg::opt(team),
                Arg::opt(agent),
                Arg::opt(category),
                Arg::opt(priority),
                Arg::opt(org),
                Arg::opt(channel),
                Arg::Int(i64::from(f.l1)),
                Arg::opt_int(f.csat.map(i64::from)),
                Arg::opt_int(f.followup_recovered.map(i64::from)),
                Arg::opt_int(f.durations.first_response_secs),
                Arg::opt_int(f.durations.first_response_business_secs),
                Arg::opt_int(f.durations.resolution_secs),
                Arg::opt_int(f.durations.resolution_business_secs),
                Arg::Int(i64::from(f.durations.reopens)),
                Arg::Int(i64::from(f.public_replies)),
                Arg::opt_int(f.first_response_due.map(ms)),
                Arg::opt_int(f.first_response_done.map(ms)),
                Arg::opt_int(f.resolution_due.map(ms)),
                Arg::opt_int(f.resolution_done.map(ms)),
            ]);
        }
        // Columns 2.. of the VALUES are the row's, in ROW_COLUMNS order; the coded ones
        // (team … channel, columns 5–10) are looked up.
        let values: Vec<String> = (2..=23)
            .map(|c| match c {
                5..=10 => format!(
                    "(SELECT id FROM report_keys WHERE kind = {} AND value = v.column{c})",
                    c - 4
                ),
                _ => format!("v.column{c}"),
            })
            .collect();
        batch.push_chunk(
            chunk.len() == REPORT_ROWS_PER_STATEMENT,
            &format!(
                "INSERT INTO report_rows (seq, {cols}) SELECT t.seq, {values} \
                 FROM (VALUES {rows}) AS v JOIN tickets t ON t.id = v.column1 WHERE true \
                 ON CONFLICT (seq) DO UPDATE SET {set}",
                cols = ROW_COLUMNS.join(", "),
                values = values.join(", "),
                rows = vec![format!("({})", vec!["?"; 23].join(", ")); chunk.len()].join(", "),
                set = ROW_COLUMNS
                    .iter()
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            args,
        );
    }
}

/// A report's filter: the values a report names, matched against the rows' codes in SQL
/// (ids, or for a drill-down inside a queue's query, the names a dashboard just showed).
#[derive(Debug, Default)]
struct Filter {
    by_name: bool,
    team_id: Option<String>,
    assignee_id: Option<String>,
    category: Option<String>,
    priority: Option<Priority>,
    organization_id: Option<String>,
    channel: Option<String>,
}

/// `= (code of the value)`: the value bound, or looked up by name first.
fn push_code(q: &mut QueryBuilder<Sqlite>, kind: i64, by_name: bool, v: &str) {
    let lookup = match (by_name, kind) {
        (true, TEAM) => "(SELECT id FROM teams WHERE name = ? COLLATE NOCASE)",
        (true, AGENT) => "(SELECT id FROM users WHERE email = ? COLLATE NOCASE)",
        (true, ORGANIZATION) => "(SELECT id FROM organizations WHERE name = ? COLLATE NOCASE)",
        _ => "?",
    };
    let (head, tail) = lookup.split_once('?').expect("one placeholder");
    q.push(format!(
        " = (SELECT id FROM report_keys WHERE kind = {kind} AND value = {head}"
    ))
    .push_bind(v.to_string())
    .push(format!("{tail})"));
}

impl Filter {
    /// The filter as a report names it, matched by name in SQL (a drill-down: the names come
    /// from a dashboard just shown).
    fn names(f: &ReportFilter) -> Filter {
        Filter {
            by_name: true,
            team_id: f.team.clone(),
            assignee_id: f.agent.clone(),
            category: f.category.clone(),
            priority: f.priority,
            organization_id: f.organization.clone(),
            channel: f.channel.map(|c| c.as_str().to_string()),
        }
    }

    /// ` AND …` for each filter.
    fn push(&self, q: &mut QueryBuilder<Sqlite>) {
        let each = [
            (TEAM, "r.team", self.team_id.clone()),
            (AGENT, "r.agent", self.assignee_id.clone()),
            (CATEGORY, "r.category", self.category.clone()),
            (
                PRIORITY,
                "r.priority",
                self.priority.map(|p| p.as_str().to_string()),
            ),
            (ORGANIZATION, "r.org", self.organization_id.clone()),
            (CHANNEL, "r.channel", self.channel.clone()),
        ];
        for (kind, col, v) in each {
            if let Some(v) = v {
                q.push(format!(" AND {col}"));
                push_code(q, kind, self.by_name, &v);
            }
        }
    }
}

/// The column a breakdown groups by, and the kind of its codes.
fn group_column(by: ReportGroup) -> (&'static str, i64) {
    match by {
        ReportGroup::Team => ("r.team", TEAM),
        ReportGroup::Agent => ("r.agent", AGENT),
        ReportGroup::Category => ("r.category", CATEGORY),
        ReportGroup::Priority => ("r.priority", PRIORITY),
        ReportGroup::Organization => ("r.org", ORGANIZATION),
        ReportGroup::Channel => ("r.channel", CHANNEL),
    }
}

/// One cohort of a period: created in it, resolved in it, open at its end.
#[derive(Clone, Copy)]
enum Cohort {
    Created,
    Resolved,
    Backlog,
}

impl Cohort {
    fn push(self, q: &mut QueryBuilder<Sqlite>, p: Period) {
        let (s, u) = (ms(p.since), ms(p.until));
        match self {
            Cohort::Created => {
                q.push(" r.created >= ").push_bind(s);
                q.push(" AND r.created < ").push_bind(u);
            }
            Cohort::Resolved => {
                q.push(" r.done >= ").push_bind(s);
                q.push(" AND r.done < ").push_bind(u);
            }
            Cohort::Backlog => {
                // Open now, or resolved after the end (`done` is NULL exactly while a ticket
                // is open).
                q.push(" (r.done IS NULL OR r.done >= ")
                    .push_bind(u)
                    .push(")");
                q.push(" AND r.created < ").push_bind(u);
            }
        }
        q.push(" AND r.dup = 0");
    }
}

/// A report's connection keeps up to 256 MiB of pages while it runs (a report reads its
/// cohorts' index pages, and writing report rows touches several indexes; SQLCipher decrypts
/// each page it reads) — `true` — and gives them back after (`false`), whatever happened.
async fn report_cache(conn: &mut SqliteConnection, large: bool) -> Result<()> {
    let size = if large {
        "-262144"
    } else {
        crate::db::PAGE_CACHE
    };
    crate::db::set_page_cache(conn, size).await
}

impl Reports<'_> {
    /// Computes every ticket's report facts again (a benchmark of what an upgrade or an SLA
    /// policy change costs once).
    pub async fn recompute_all_facts(&self) -> Result<u64> {
        self.0.invalidate_report_facts().await?;
        let mut conn = self.0.pool.acquire().await?;
        report_cache(&mut conn, true).await?;
        let out = self.0.fill_report_facts(&mut conn).await;
        report_cache(&mut conn, false).await?;
        out
    }

    /// The dashboard of `period` (compared with the period of the same length before it),
    /// narrowed by `filter`, with a breakdown `by` one dimension.
    pub async fn dashboard(
        &self,
        period: Period,
        filter: &ReportFilter,
        by: ReportGroup,
    ) -> Result<Dashboard> {
        let mut conn = self.0.pool.acquire().await?;
        report_cache(&mut conn, true).await?;
        let out = match self.0.fill_report_facts(&mut conn).await {
            Ok(_) => self.dashboard_on(&mut conn, period, filter, by).await,
            Err(e) => Err(e),
        };
        report_cache(&mut conn, false).await?;
        out
    }

    async fn dashboard_on(
        &self,
        conn: &mut SqliteConnection,
        period: Period,
        filter: &ReportFilter,
        by: ReportGroup,
    ) -> Result<Dashboard> {
        let store = self.0;
        let f = resolve(&mut *conn, filter).await?;
        let tz_name = store.workspace().timezone.clone();
        let tz = TimeZone::get(&tz_name).unwrap_or(TimeZone::UTC);
        let now = store.now();
        let previous_period = period.previous();
        let codes: HashMap<i64, String> = sqlx::query_as("SELECT id, value FROM report_keys")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
        let dims = [ReportGroup::Team, ReportGroup::Agent, by];
        let mut scan = Scan::new(Some(dims));
        scan.run(&mut *conn, &f, period, now, &codes).await?;
        let mut before = Scan::new(None);
        before
            .run(&mut *conn, &f, previous_period, now, &codes)
            .await?;
        let current = scan
            .total
            .figures(deflections(&mut *conn, period).await?, period.until);
        let previous = before.total.figures(
            deflections(&mut *conn, previous_period).await?,
            previous_period.until,
        );
        let backlog_ages = age_buckets(&scan.total.ages(period.until));
        let compliance = scan
            .total
            .sla
            .iter()
            .map(|(&(priority, target), &o)| ComplianceRow {
                priority,
                target,
                outcomes: o,
                compliance: o.compliance(),
            })
            .collect();
        let daily = daily(&mut *conn, &f, period, &tz).await?;
        let heatmap = heatmap(&mut *conn, &f, period, now, &tz).await?;
        let mut groups: [Vec<GroupRow>; 3] = Default::default();
        for (i, map) in std::mem::take(&mut scan.groups).into_iter().enumerate() {
            let rows = map
                .into_iter()
                .map(|(k, t)| {
                    (
                        k.and_then(|k| codes.get(&k).cloned()).unwrap_or_default(),
                        t.group_row(),
                    )
                })
                .fold(
                    BTreeMap::new(),
                    |mut m: BTreeMap<String, GroupRow>, (k, r)| {
                        m.insert(k, r);
                        m
                    },
                );
            groups[i] = named(&mut *conn, dims[i], rows).await?;
        }
        let [teams, agents, breakdown] = groups;
        Ok(Dashboard {
            period,
            previous_period,
            filter: filter.clone(),
            time_zone: tz_name,
            current,
            previous,
            daily,
            backlog_ages,
            compliance,
            heatmap,
            teams,
            agents,
            by,
            breakdown,
            targets: TARGETS,
        })
    }
}

/// Names to ids; a name nobody has is refused with the names there are.
async fn resolve(conn: &mut SqliteConnection, f: &ReportFilter) -> Result<Filter> {
    async fn id_of(
        conn: &mut SqliteConnection,
        what: &'static str,
        table: &str,
        column: &str,
        name: &str,
    ) -> Result<String> {
        let row: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE {column} = ? COLLATE NOCASE"
        )))
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id,)) = row {
            return Ok(id);
        }
        let names: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {column} FROM {table} ORDER BY {column} LIMIT 20"
        )))
        .fetch_all(&mut *conn)
        .await?;
        let names: Vec<String> = names.into_iter().map(|(n,)| n).collect();
        Err(DomainError::invalid(
            what,
            format!(
                "no {what} '{name}' (allowed: {})",
                if names.is_empty() {
                    "none yet".to_string()
                } else {
                    names.join(", ")
                }
            ),
        )
        .into())
    }
    let mut out = Filter {
        category: f.category.clone(),
        priority: f.priority,
        channel: f.channel.map(|c| c.as_str().to_string()),
        ..Default::default()
    };
    if let Some(t) = &f.team {
        out.team_id = Some(id_of(conn, "team", "teams", "name", t).await?);
    }
    if let Some(a) = &f.agent {
        out.assignee_id = Some(id_of(conn, "agent", "users", "email", a).await?);
    }
    if let Some(o) = &f.organization {
        out.organization_id = Some(id_of(conn, "organization", "organizations", "name", o).await?);
    }
    Ok(out)
}

/// SLA outcomes per priority and target.
type ByPriority = BTreeMap<(Priority, TargetKind), Outcomes>;

/// Targets due in the period: met (completed by the due time), missed (completed after),
/// breached (not completed, due before the period's end or now, whichever is first).
const TARGET_COLUMNS: [(TargetKind, &str, &str); 2] = [
    (TargetKind::FirstResponse, "r.frt_due", "r.frt_done"),
    (TargetKind::Resolution, "r.res_due", "r.res_done"),
];

/// What a period's cohorts say of a group of tickets (or all of them).
#[derive(Debug, Default)]
struct Tally {
    created: u64,
    duplicates: u64,
    portal: u64,
    /// First response and resolution, calendar and business seconds.
    frt: Vec<i64>,
    frt_b: Vec<i64>,
    resolved: u64,
    fcr: u64,
    l1: u64,
    reopened: u64,
    rated: u64,
    satisfied: u64,
    csat_sum: f64,
    followups: u64,
    recovered: u64,
    res: Vec<i64>,
    res_b: Vec<i64>,
    /// When each ticket open at the period's end was created (ms; the whole's only), and how
    /// many there are.
    backlog: Vec<i64>,
    open: u64,
    sla: ByPriority,
}

impl Tally {
    /// The headline figures (the deflections are counted apart: they are not tickets).
    fn figures(&mut self, deflected: u64, end: Timestamp) -> Figures {
        let sla: Outcomes = self.sla.values().sum();
        let first: Outcomes = self
            .sla
            .iter()
            .filter(|((_, t), _)| *t == TargetKind::FirstResponse)
            .map(|(_, o)| o)
            .sum();
        Figures {
            created: self.created,
            resolved: self.resolved,
            duplicates: self.duplicates,
            backlog: self.open,
            backlog_median_age_secs: percentile(&self.ages(end), 50),
            first_response: TimeStat::of(
                std::mem::take(&mut self.frt),
                std::mem::take(&mut self.frt_b),
            ),
            resolution: TimeStat::of(
                std::mem::take(&mut self.res),
                std::mem::take(&mut self.res_b),
            ),
            sla,
            sla_compliance: sla.compliance(),
            response_delay_rate: rate(first.missed, first.met + first.missed),
            first_contact_resolution: rate(self.fcr, self.resolved),
            l1_share: rate(self.l1, self.resolved),
            reopen_rate: rate(self.reopened, self.resolved),
            csat_count: self.rated,
            csat_satisfied: rate(self.satisfied, self.rated),
            csat_average: (self.rated > 0).then(|| self.csat_sum / self.rated as f64),
            followups: self.followups,
            followup_recovery: rate(self.recovered, self.followups),
            self_service_deflection: rate(deflected, deflected + self.portal),
        }
    }

    /// The ages (seconds at `end`) of the tickets open then, youngest first.
    fn ages(&self, end: Timestamp) -> Vec<i64> {
        let end = ms(end);
        let mut ages: Vec<i64> = self.backlog.iter().map(|c| (end - c) / 1000).collect();
        ages.sort_unstable();
        ages
    }

    /// A breakdown's row (its key and label are named later).
    fn group_row(mut self) -> GroupRow {
        self.res.sort_unstable();
        let sla: Outcomes = self.sla.values().sum();
        GroupRow {
            created: self.created,
            resolved: self.resolved,
            backlog: self.open,
            resolution_median_secs: percentile(&self.res, 50),
            sla,
            sla_compliance: sla.compliance(),
            csat_average: (self.rated > 0).then(|| self.csat_sum / self.rated as f64),
            ..GroupRow::default()
        }
    }
}

/// A group's key in a breakdown: the code of its team, agent or value (`None`: none set).
type GroupKey = [Option<i64>; 3];

/// One period's cohorts read once each — created, resolved, open at the end, targets due —
/// by aggregate queries grouped by team, agent and a chosen breakdown (or not grouped), into
/// the whole's tally and each group's. Durations and backlog creation times come back as
/// one JSON array per group (the percentiles need the values, not the tickets).
struct Scan {
    dims: Option<[ReportGroup; 3]>,
    total: Tally,
    groups: [HashMap<Option<i64>, Tally>; 3],
}

fn json_values(s: &str) -> Vec<i64> {
    serde_json::from_str(s).unwrap_or_default()
}

impl Scan {
    fn new(dims: Option<[ReportGroup; 3]>) -> Scan {
        Scan {
            dims,
            total: Tally::default(),
            groups: Default::default(),
        }
    }

    /// Applies `f` to the whole's tally and to each group's the row belongs to.
    fn add(&mut self, key: GroupKey, mut f: impl FnMut(&mut Tally)) {
        f(&mut self.total);
        if self.dims.is_some() {
            for (i, map) in self.groups.iter_mut().enumerate() {
                f(map.entry(key[i]).or_default());
            }
        }
    }

    /// The `SELECT` head of a grouped query: the three group columns (or NULLs), as `g1`–`g3`.
    fn head(&self, q: &mut QueryBuilder<Sqlite>) {
        let cols = match self.dims {
            Some(d) => d.map(|g| group_column(g).0),
            None => ["NULL"; 3],
        };
        q.push(format!(
            "{} AS g1, {} AS g2, {} AS g3",
            cols[0], cols[1], cols[2]
        ));
    }

    async fn run(
        &mut self,
        conn: &mut SqliteConnection,
        f: &Filter,
        p: Period,
        now: Timestamp,
        codes: &HashMap<i64, String>,
    ) -> Result<()> {
        type K = Option<i64>;
        // Created (and merged duplicates, apart), those customers opened on the portal, and
        // the first responses of those created.
        let mut q = QueryBuilder::new("SELECT ");
        self.head(&mut q);
        q.push(
            ", count(*) FILTER (WHERE r.dup = 0), count(*) FILTER (WHERE r.dup = 1), \
             count(*) FILTER (WHERE r.dup = 0 AND r.channel = \
             (SELECT id FROM report_keys WHERE kind = 6 AND value = 'portal')), \
             json_group_array(r.frt) FILTER (WHERE r.dup = 0 AND r.frt IS NOT NULL), \
             json_group_array(r.frt_b) FILTER (WHERE r.dup = 0 AND r.frt IS NOT NULL \
             AND r.frt_b IS NOT NULL) \
             FROM report_rows r WHERE r.created >= ",
        );
        q.push_bind(ms(p.since))
            .push(" AND r.created < ")
            .push_bind(ms(p.until));
        f.push(&mut q);
        q.push(" GROUP BY 1, 2, 3");
        type CreatedRow = (K, K, K, i64, i64, i64, String, String);
        let rows: Vec<CreatedRow> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (a, b, c, created, dups, portal, frt, frt_b) in rows {
            self.add([a, b, c], |t| {
                t.created += created as u64;
                t.duplicates += dups as u64;
                t.portal += portal as u64;
            });
            self.total.frt.extend(json_values(&frt));
            self.total.frt_b.extend(json_values(&frt_b));
        }

        // Resolved: counts, shares, satisfaction, finished follow-ups, resolution times.
        let mut q = QueryBuilder::new("SELECT ");
        self.head(&mut q);
        q.push(
            ", count(*) AS resolved, \
             count(*) FILTER (WHERE r.replies <= 1 AND r.reopens = 0) AS fcr, \
             count(*) FILTER (WHERE r.l1 = 1) AS l1, \
             count(*) FILTER (WHERE r.reopens > 0) AS reopened, \
             count(r.csat) AS rated, count(*) FILTER (WHERE r.csat >= 4) AS satisfied, \
             total(r.csat) AS csat_sum, \
             count(r.followup) AS followups, count(*) FILTER (WHERE r.followup = 1) AS recovered, \
             json_group_array(r.res) FILTER (WHERE r.res IS NOT NULL) AS res, \
             json_group_array(r.res_b) FILTER (WHERE r.res IS NOT NULL AND r.res_b IS NOT NULL) \
             AS res_b FROM report_rows r WHERE",
        );
        Cohort::Resolved.push(&mut q, p);
        f.push(&mut q);
        q.push(" GROUP BY 1, 2, 3");
        /// A group of the resolved: counts, CSAT sum, resolution times (JSON arrays).
        #[derive(sqlx::FromRow)]
        struct ResolvedRow {
            g1: K,
            g2: K,
            g3: K,
            resolved: i64,
            fcr: i64,
            l1: i64,
            reopened: i64,
            rated: i64,
            satisfied: i64,
            csat_sum: f64,
            followups: i64,
            recovered: i64,
            res: String,
            res_b: String,
        }
        let rows: Vec<ResolvedRow> = q.build_query_as().fetch_all(&mut *conn).await?;
        for r in rows {
            let (res, res_b) = (json_values(&r.res), json_values(&r.res_b));
            self.add([r.g1, r.g2, r.g3], |t| {
                t.resolved += r.resolved as u64;
                t.fcr += r.fcr as u64;
                t.l1 += r.l1 as u64;
                t.reopened += r.reopened as u64;
                t.rated += r.rated as u64;
                t.satisfied += r.satisfied as u64;
                t.csat_sum += r.csat_sum;
                t.followups += r.followups as u64;
                t.recovered += r.recovered as u64;
                t.res.extend_from_slice(&res);
                t.res_b.extend_from_slice(&res_b);
            });
        }

        // Open at the end: open now (through the open tickets' own index), or resolved after.
        let end = ms(p.until);
        let mut q = QueryBuilder::new("SELECT g1, g2, g3, json_group_array(created) FROM (");
        for (i, part) in [" r.done IS NULL", " r.done >= "].into_iter().enumerate() {
            if i > 0 {
                q.push(" UNION ALL ");
            }
            q.push("SELECT r.created AS created, ");
            self.head(&mut q);
            q.push(" FROM report_rows r WHERE");
            q.push(part);
            if i > 0 {
                q.push_bind(end);
            }
            q.push(" AND r.dup = 0 AND r.created < ").push_bind(end);
            f.push(&mut q);
        }
        q.push(") GROUP BY 1, 2, 3");
        let rows: Vec<(K, K, K, String)> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (a, b, c, created) in rows {
            let created = json_values(&created);
            self.add([a, b, c], |t| t.open += created.len() as u64);
            self.total.backlog.extend(created);
        }

        // SLA targets due in the period, per priority.
        let bound = ms(p.until.min(now));
        for (kind, due, done) in TARGET_COLUMNS {
            let mut q = QueryBuilder::new("SELECT ");
            self.head(&mut q);
            q.push(format!(
                ", r.priority, count(*) FILTER (WHERE {done} <= {due}), \
                 count(*) FILTER (WHERE {done} > {due}), \
                 count(*) FILTER (WHERE {done} IS NULL AND {due} < "
            ));
            q.push_bind(bound);
            q.push(format!(") FROM report_rows r WHERE {due} >= "));
            q.push_bind(ms(p.since));
            q.push(format!(" AND {due} < ")).push_bind(ms(p.until));
            q.push(" AND r.dup = 0");
            f.push(&mut q);
            q.push(" GROUP BY 1, 2, 3, 4");
            type SlaRow = (K, K, K, K, i64, i64, i64);
            let rows: Vec<SlaRow> = q.build_query_as().fetch_all(&mut *conn).await?;
            for (a, b, c, priority, met, missed, breached) in rows {
                let Some(priority) = priority
                    .and_then(|p| codes.get(&p))
                    .and_then(|p| p.parse::<Priority>().ok())
                else {
                    continue;
                };
                let o = Outcomes {
                    met: met as u64,
                    missed: missed as u64,
                    breached: breached as u64,
                };
                self.add([a, b, c], |t| {
                    t.sla.entry((priority, kind)).or_default().add(o)
                });
            }
        }
        Ok(())
    }
}

/// Self-service: suggestions customers took instead of opening a request (this device).
async fn deflections(conn: &mut SqliteConnection, p: Period) -> Result<u64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM kb_deflections WHERE at >= ? AND at < ?")
            .bind(ms(p.since))
            .bind(ms(p.until))
            .fetch_one(&mut *conn)
            .await?;
    Ok(n as u64)
}

/// Created and resolved per day of the period, in the time zone.
async fn daily(
    conn: &mut SqliteConnection,
    f: &Filter,
    p: Period,
    tz: &TimeZone,
) -> Result<Vec<DayCount>> {
    let mut days: BTreeMap<jiff::civil::Date, (u64, u64)> = BTreeMap::new();
    // Every day of the period, even a quiet one.
    let mut d = tz.to_datetime(p.since).date();
    let last = tz
        .to_datetime(p.until - jiff::SignedDuration::from_millis(1))
        .date();
    loop {
        days.insert(d, (0, 0));
        if d >= last || days.len() >= 3_700 {
            break;
        }
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    for (cohort, column) in [(Cohort::Created, "r.created"), (Cohort::Resolved, "r.done")] {
        let mut q = QueryBuilder::new(format!(
            "SELECT {column} / {BUCKET_MS}, count(*) FROM report_rows r WHERE"
        ));
        cohort.push(&mut q, p);
        f.push(&mut q);
        q.push(" GROUP BY 1");
        let rows: Vec<(i64, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (bucket, n) in rows {
            let day = tz.to_datetime(ts(bucket * BUCKET_MS)).date();
            let e = days.entry(day).or_default();
            match cohort {
                Cohort::Created => e.0 += n as u64,
                _ => e.1 += n as u64,
            }
        }
    }
    Ok(days
        .into_iter()
        .map(|(day, (created, resolved))| DayCount {
            day: day.to_string(),
            created,
            resolved,
        })
        .collect())
}

/// Late targets by weekday and hour.
async fn heatmap(
    conn: &mut SqliteConnection,
    f: &Filter,
    p: Period,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Vec<HeatCell>> {
    let bound = ms(p.until.min(now));
    let mut cells: HashMap<(u8, u8), u64> = HashMap::new();
    for (_, due, done) in TARGET_COLUMNS {
        let mut q = QueryBuilder::new(format!(
            "SELECT {due} / {BUCKET_MS}, count(*) FROM report_rows r WHERE {due} >= "
        ));
        q.push_bind(ms(p.since));
        q.push(format!(" AND {due} < ")).push_bind(ms(p.until));
        q.push(format!(
            " AND ({done} > {due} OR ({done} IS NULL AND {due} < "
        ));
        q.push_bind(bound).push("))");
        q.push(" AND r.dup = 0");
        f.push(&mut q);
        q.push(" GROUP BY 1");
        let rows: Vec<(i64, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (bucket, n) in rows {
            let local = tz.to_datetime(ts(bucket * BUCKET_MS));
            let key = (
                local.weekday().to_monday_one_offset() as u8,
                local.hour() as u8,
            );
            *cells.entry(key).or_default() += n as u64;
        }
    }
    let mut heatmap: Vec<HeatCell> = cells
        .into_iter()
        .map(|((weekday, hour), late)| HeatCell {
            weekday,
            hour,
            late,
        })
        .collect();
    heatmap.sort_by_key(|c| (c.weekday, c.hour));
    Ok(heatmap)
}

/// A breakdown's rows with the keys and labels people read (names for ids), most tickets first.
async fn named(
    conn: &mut SqliteConnection,
    by: ReportGroup,
    rows: BTreeMap<String, GroupRow>,
) -> Result<Vec<GroupRow>> {
    let names: HashMap<String, (String, String)> = match by {
        ReportGroup::Team => sqlx::query_as::<_, (String, String)>("SELECT id, name FROM teams")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id, name)| (id, (name.clone(), name)))
            .collect(),
        ReportGroup::Agent => {
            sqlx::query_as::<_, (String, String, String)>("SELECT id, email, name FROM users")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id, email, name)| (id, (email, name)))
                .collect()
        }
        ReportGroup::Organization => {
            sqlx::query_as::<_, (String, String)>("SELECT id, name FROM organizations")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id, name)| (id, (name.clone(), name)))
                .collect()
        }
        _ => HashMap::new(),
    };
    let mut out: Vec<GroupRow> = rows
        .into_iter()
        .map(|(k, mut r)| {
            let (key, label) = names.get(&k).cloned().unwrap_or((k.clone(), k));
            r.key = key;
            r.label = label;
            r.sla_compliance = r.sla.compliance();
            r
        })
        .collect();
    out.sort_by(|a, b| {
        (b.created + b.resolved + b.backlog)
            .cmp(&(a.created + a.resolved + a.backlog))
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(out)
}

/// ` AND t.id IN (…)`: the tickets behind one figure of a report — the same cohorts and
/// filters the figures count (a dashboard's drill-down, applied by a queue's query).
pub(crate) fn push_drill(q: &mut QueryBuilder<Sqlite>, d: &ReportDrill, now: Timestamp) {
    let p = d.period;
    q.push(" AND t.seq IN (SELECT r.seq FROM report_rows r WHERE");
    let late = |q: &mut QueryBuilder<Sqlite>, due: &str, done: &str, or_breached: bool| {
        q.push(format!("({due} >= "))
            .push_bind(ms(p.since))
            .push(format!(" AND {due} < "))
            .push_bind(ms(p.until))
            .push(format!(" AND ({done} > {due}"));
        if or_breached {
            q.push(format!(" OR ({done} IS NULL AND {due} < "))
                .push_bind(ms(p.until.min(now)))
                .push(")");
        }
        q.push("))");
    };
    match d.cohort {
        DrillCohort::Created => Cohort::Created.push(q, p),
        DrillCohort::Resolved => Cohort::Resolved.push(q, p),
        DrillCohort::Backlog => Cohort::Backlog.push(q, p),
        DrillCohort::Reopened => {
            Cohort::Resolved.push(q, p);
            q.push(" AND r.reopens > 0");
        }
        DrillCohort::Rated => {
            Cohort::Resolved.push(q, p);
            q.push(" AND r.csat IS NOT NULL");
        }
        DrillCohort::Late => {
            q.push(" (");
            late(q, "r.frt_due", "r.frt_done", true);
            q.push(" OR ");
            late(q, "r.res_due", "r.res_done", true);
            q.push(") AND r.dup = 0");
        }
        DrillCohort::LateFirstResponse => {
            q.push(" ");
            late(q, "r.frt_due", "r.frt_done", false);
            q.push(" AND r.dup = 0");
        }
    }
    Filter::names(&d.filter).push(q);
    if let Some(g) = &d.group {
        let (col, kind) = group_column(g.by);
        if g.key.is_empty() {
            q.push(format!(" AND {col} IS NULL"));
        } else {
            q.push(format!(" AND {col}"));
            push_code(q, kind, true, &g.key);
        }
    }
    q.push(")");
}
