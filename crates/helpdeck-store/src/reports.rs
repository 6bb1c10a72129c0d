//! Service reports from the local store (issue 16; formulas in `docs/metrics.md`): each
//! ticket's report facts (`core::report::ReportFacts`) are kept on its row by every write
//! path, and a dashboard is a handful of aggregate queries over the rows of its period —
//! created, resolved, targets due — never a replay of history and never tickets in memory
//! (only the durations a percentile needs, and 15-minute counts the time zone turns into days
//! and hours).

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

/// The definition of the facts a row holds (`r_version`). A change of definition ships a
/// migration that sets `r_version` to NULL: the next report computes every row again.
pub(crate) const FACTS_VERSION: i64 = 1;

/// Counts are kept per 15 minutes: every time zone's offset is a multiple of it.
const BUCKET_MS: i64 = 15 * 60 * 1000;

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

    /// Recomputes the report facts of tickets whose row has none (a workspace from before
    /// reports, or after a policy or calendar change), in chunks.
    pub(crate) async fn fill_report_facts(&self) -> Result<u64> {
        let mut done = 0u64;
        // The rows without facts, through their partial index, in `seq` order from where the
        // last chunk ended (normally none: one index probe).
        let mut after = i64::MIN;
        loop {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let rows: Vec<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.seq > ? AND t.r_version IS NULL \
                 ORDER BY t.seq LIMIT 500"
            )))
            .bind(after)
            .fetch_all(&mut *tx)
            .await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                tx.commit().await?;
                return Ok(done);
            };
            after = last;
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
            batch.execute(&mut tx).await?;
            tx.commit().await?;
            done += rows.len() as u64;
        }
    }

    /// Marks every ticket's report facts for recomputation (the SLA policy or calendar
    /// changed: due times and business time with them).
    pub(crate) async fn invalidate_report_facts(&self) -> Result<()> {
        sqlx::query("UPDATE tickets SET r_version = NULL")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Writes report facts onto their tickets' rows (in the caller's batch).
pub(crate) fn push_report_facts(batch: &mut Batch, rows: &[ReportFacts]) {
    for chunk in rows.chunks(150) {
        let mut args = Vec::with_capacity(chunk.len() * 13);
        for f in chunk {
            args.extend([
                Arg::text(f.ticket_id),
                Arg::opt_int(f.first_reply_at.map(ms)),
                Arg::opt_int(f.first_response_secs),
                Arg::opt_int(f.first_response_business_secs),
                Arg::opt_int(f.done_at.map(ms)),
                Arg::opt_int(f.resolution_secs),
                Arg::opt_int(f.resolution_business_secs),
                Arg::Int(i64::from(f.reopens)),
                Arg::Int(i64::from(f.public_replies)),
                Arg::opt_int(f.first_response_due.map(ms)),
                Arg::opt_int(f.first_response_done.map(ms)),
                Arg::opt_int(f.resolution_due.map(ms)),
                Arg::opt_int(f.resolution_done.map(ms)),
            ]);
        }
        batch.push(
            &format!(
                "UPDATE tickets SET r_version = {FACTS_VERSION}, r_first_reply_at = v.column2, \
                 r_frt_secs = v.column3, r_frt_bsecs = v.column4, r_done_at = v.column5, \
                 r_res_secs = v.column6, r_res_bsecs = v.column7, r_reopens = v.column8, \
                 r_public_replies = v.column9, r_frt_due = v.column10, r_frt_done = v.column11, \
                 r_res_due = v.column12, r_res_done = v.column13 \
                 FROM (VALUES {}) AS v WHERE tickets.id = v.column1",
                vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
            ),
            args,
        );
    }
}

/// A report's filter with names turned into the ids the rows hold (or, for a drill-down
/// inside a queue's query, looked up by name in SQL).
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
        let (team, agent, org) = if self.by_name {
            (
                " AND t.team_id = (SELECT id FROM teams WHERE name = ? COLLATE NOCASE)",
                " AND t.assignee_id = (SELECT id FROM users WHERE email = ? COLLATE NOCASE)",
                " AND t.organization_id = (SELECT id FROM organizations WHERE name = ? COLLATE NOCASE)",
            )
        } else {
            (
                " AND t.team_id = ?",
                " AND t.assignee_id = ?",
                " AND t.organization_id = ?",
            )
        };
        let bind = |q: &mut QueryBuilder<Sqlite>, sql: &str, v: &String| {
            let (head, tail) = sql.split_once('?').expect("one placeholder");
            q.push(head).push_bind(v.clone()).push(tail);
        };
        if let Some(v) = &self.team_id {
            bind(q, team, v);
        }
        if let Some(v) = &self.assignee_id {
            bind(q, agent, v);
        }
        if let Some(v) = &self.category {
            q.push(" AND t.category = ").push_bind(v.clone());
        }
        if let Some(v) = self.priority {
            q.push(" AND t.priority = ").push_bind(v.as_str());
        }
        if let Some(v) = &self.organization_id {
            bind(q, org, v);
        }
        if let Some(v) = &self.channel {
            q.push(" AND t.channel = ").push_bind(v.clone());
        }
    }
}

/// The column a breakdown groups by, and how its key and label read.
fn group_column(by: ReportGroup) -> &'static str {
    match by {
        ReportGroup::Team => "t.team_id",
        ReportGroup::Agent => "t.assignee_id",
        ReportGroup::Category => "t.category",
        ReportGroup::Priority => "t.priority",
        ReportGroup::Organization => "t.organization_id",
        ReportGroup::Channel => "t.channel",
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
                q.push(" t.created_at >= ").push_bind(s);
                q.push(" AND t.created_at < ").push_bind(u);
            }
            Cohort::Resolved => {
                q.push(" t.r_done_at >= ").push_bind(s);
                q.push(" AND t.r_done_at < ").push_bind(u);
            }
            Cohort::Backlog => {
                // Open now, or resolved after the end (`r_done_at` is NULL exactly while a
                // ticket is open): two index ranges instead of every ticket created before.
                q.push(" (t.is_open = 1 OR t.r_done_at >= ")
                    .push_bind(u)
                    .push(")");
                q.push(" AND t.created_at < ").push_bind(u);
            }
        }
        q.push(" AND t.merged_into IS NULL");
    }
}

impl Reports<'_> {
    /// Computes every ticket's report facts again (a benchmark of what an upgrade or an SLA
    /// policy change costs once).
    pub async fn recompute_all_facts(&self) -> Result<u64> {
        self.0.invalidate_report_facts().await?;
        self.0.fill_report_facts().await
    }

    /// The dashboard of `period` (compared with the period of the same length before it),
    /// narrowed by `filter`, with a breakdown `by` one dimension.
    pub async fn dashboard(
        &self,
        period: Period,
        filter: &ReportFilter,
        by: ReportGroup,
    ) -> Result<Dashboard> {
        let store = self.0;
        store.fill_report_facts().await?;
        let mut conn = store.pool.acquire().await?;
        // A report reads the same rows in several cohorts: while it runs, its connection keeps
        // up to 256 MiB of decrypted pages (SQLCipher decrypts each page it reads), and gives
        // them back after.
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut *conn)
            .await?;
        let out = self.dashboard_on(&mut conn, period, filter, by).await;
        sqlx::query("PRAGMA cache_size = -8000")
            .execute(&mut *conn)
            .await?;
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
        let (current, ages, by_priority) = figures(&mut *conn, &f, period, now).await?;
        let (previous, _, _) = figures(&mut *conn, &f, previous_period, now).await?;
        let daily = daily(&mut *conn, &f, period, &tz).await?;
        let backlog_ages = age_buckets(&ages);
        let compliance = by_priority
            .into_iter()
            .map(|((priority, target), o)| ComplianceRow {
                priority,
                target,
                outcomes: o,
                compliance: o.compliance(),
            })
            .collect();
        let heatmap = heatmap(&mut *conn, &f, period, now, &tz).await?;
        let [teams, agents, breakdown] = groups(&mut *conn, &f, period, now, by).await?;
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

/// The headline figures of one period, with what the charts reuse of them: the backlog's
/// ages (sorted) and the SLA outcomes per priority and target.
async fn figures(
    conn: &mut SqliteConnection,
    f: &Filter,
    p: Period,
    now: Timestamp,
) -> Result<(Figures, Vec<i64>, ByPriority)> {
    let mut out = Figures::default();
    // Created (and merged duplicates, apart), and those customers opened on the portal.
    let mut q = QueryBuilder::new(
        "SELECT count(*) FILTER (WHERE t.merged_into IS NULL), \
         count(*) FILTER (WHERE t.merged_into IS NOT NULL), \
         count(*) FILTER (WHERE t.merged_into IS NULL AND t.channel = 'portal') \
         FROM tickets t WHERE t.created_at >= ",
    );
    q.push_bind(ms(p.since))
        .push(" AND t.created_at < ")
        .push_bind(ms(p.until));
    f.push(&mut q);
    let (created, duplicates, portal): (i64, i64, i64) =
        q.build_query_as().fetch_one(&mut *conn).await?;
    out.created = created as u64;
    out.duplicates = duplicates as u64;

    // First response of those created.
    let mut q = QueryBuilder::new("SELECT t.r_frt_secs, t.r_frt_bsecs FROM tickets t WHERE");
    Cohort::Created.push(&mut q, p);
    q.push(" AND t.r_frt_secs IS NOT NULL");
    f.push(&mut q);
    let rows: Vec<(i64, Option<i64>)> = q.build_query_as().fetch_all(&mut *conn).await?;
    out.first_response = TimeStat::of(
        rows.iter().map(|r| r.0).collect(),
        rows.iter().filter_map(|r| r.1).collect(),
    );

    // Resolved: counts and shares.
    let mut q = QueryBuilder::new(
        "SELECT count(*), \
         count(*) FILTER (WHERE t.r_public_replies <= 1 AND t.r_reopens = 0), \
         count(*) FILTER (WHERE t.tier = 'L1'), \
         count(*) FILTER (WHERE t.r_reopens > 0), \
         count(t.csat_score), count(*) FILTER (WHERE t.csat_score >= 4), avg(t.csat_score) \
         FROM tickets t WHERE",
    );
    Cohort::Resolved.push(&mut q, p);
    f.push(&mut q);
    let (resolved, fcr, l1, reopened, rated, satisfied, csat_avg): (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        Option<f64>,
    ) = q.build_query_as().fetch_one(&mut *conn).await?;
    let resolved = resolved as u64;
    out.resolved = resolved;
    out.first_contact_resolution = rate(fcr as u64, resolved);
    out.l1_share = rate(l1 as u64, resolved);
    out.reopen_rate = rate(reopened as u64, resolved);
    out.csat_count = rated as u64;
    out.csat_satisfied = rate(satisfied as u64, rated as u64);
    out.csat_average = csat_avg;

    let mut q = QueryBuilder::new("SELECT t.r_res_secs, t.r_res_bsecs FROM tickets t WHERE");
    Cohort::Resolved.push(&mut q, p);
    q.push(" AND t.r_res_secs IS NOT NULL");
    f.push(&mut q);
    let rows: Vec<(i64, Option<i64>)> = q.build_query_as().fetch_all(&mut *conn).await?;
    out.resolution = TimeStat::of(
        rows.iter().map(|r| r.0).collect(),
        rows.iter().filter_map(|r| r.1).collect(),
    );

    // Follow-ups of the resolved that finished, and those that recovered the customer.
    let mut q = QueryBuilder::new("SELECT t.followup FROM tickets t WHERE");
    Cohort::Resolved.push(&mut q, p);
    q.push(" AND t.followup IS NOT NULL");
    f.push(&mut q);
    let rows: Vec<(String,)> = q.build_query_as().fetch_all(&mut *conn).await?;
    let (mut finished, mut recovered) = (0u64, 0u64);
    for (json,) in rows {
        if let Ok(fu) = serde_json::from_str::<helpdeck_core::followup::FollowUp>(&json)
            && fu.is_closed()
        {
            finished += 1;
            recovered += u64::from(fu.recovered());
        }
    }
    out.followups = finished;
    out.followup_recovery = rate(recovered, finished);

    // Backlog at the end.
    let mut ages = backlog_ages(conn, f, p).await?;
    ages.sort_unstable();
    out.backlog = ages.len() as u64;
    out.backlog_median_age_secs = percentile(&ages, 50);

    // SLA targets due in the period.
    let by_priority = outcomes(conn, f, p, now).await?;
    let mut all = Outcomes::default();
    let mut first = Outcomes::default();
    for ((_, target), o) in &by_priority {
        all.add(*o);
        if *target == TargetKind::FirstResponse {
            first.add(*o);
        }
    }
    out.sla = all;
    out.sla_compliance = all.compliance();
    out.response_delay_rate = rate(first.missed, first.met + first.missed);

    // Self-service: suggestions customers took instead of opening a request (this device).
    let (deflected,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM kb_deflections WHERE at >= ? AND at < ?")
            .bind(ms(p.since))
            .bind(ms(p.until))
            .fetch_one(&mut *conn)
            .await?;
    out.self_service_deflection = rate(deflected as u64, (deflected + portal) as u64);
    Ok((out, ages, by_priority))
}

/// The ages (seconds, at the period's end) of the tickets open then.
async fn backlog_ages(conn: &mut SqliteConnection, f: &Filter, p: Period) -> Result<Vec<i64>> {
    let mut q = QueryBuilder::new("SELECT t.created_at FROM tickets t WHERE");
    Cohort::Backlog.push(&mut q, p);
    f.push(&mut q);
    let rows: Vec<(i64,)> = q.build_query_as().fetch_all(&mut *conn).await?;
    let end = ms(p.until);
    Ok(rows.into_iter().map(|(c,)| (end - c) / 1000).collect())
}

/// Targets due in the period: met (completed by the due time), missed (completed after),
/// breached (not completed, due before the period's end or now, whichever is first).
const TARGET_COLUMNS: [(TargetKind, &str, &str); 2] = [
    (TargetKind::FirstResponse, "t.r_frt_due", "t.r_frt_done"),
    (TargetKind::Resolution, "t.r_res_due", "t.r_res_done"),
];

async fn outcomes(
    conn: &mut SqliteConnection,
    f: &Filter,
    p: Period,
    now: Timestamp,
) -> Result<ByPriority> {
    let bound = ms(p.until.min(now));
    let mut out = BTreeMap::new();
    for (kind, due, done) in TARGET_COLUMNS {
        let mut q = QueryBuilder::new(format!(
            "SELECT t.priority, count(*) FILTER (WHERE {done} <= {due}), \
             count(*) FILTER (WHERE {done} > {due}), \
             count(*) FILTER (WHERE {done} IS NULL AND {due} < "
        ));
        q.push_bind(bound);
        q.push(format!(") FROM tickets t WHERE {due} >= "));
        q.push_bind(ms(p.since));
        q.push(format!(" AND {due} < ")).push_bind(ms(p.until));
        q.push(" AND t.merged_into IS NULL");
        f.push(&mut q);
        q.push(" GROUP BY t.priority");
        let rows: Vec<(String, i64, i64, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (priority, met, missed, breached) in rows {
            let Ok(priority) = priority.parse::<Priority>() else {
                continue;
            };
            out.insert(
                (priority, kind),
                Outcomes {
                    met: met as u64,
                    missed: missed as u64,
                    breached: breached as u64,
                },
            );
        }
    }
    Ok(out)
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
    for (cohort, column) in [
        (Cohort::Created, "t.created_at"),
        (Cohort::Resolved, "t.r_done_at"),
    ] {
        let mut q = QueryBuilder::new(format!(
            "SELECT {column} / {BUCKET_MS}, count(*) FROM tickets t WHERE"
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
            "SELECT {due} / {BUCKET_MS}, count(*) FROM tickets t WHERE {due} >= "
        ));
        q.push_bind(ms(p.since));
        q.push(format!(" AND {due} < ")).push_bind(ms(p.until));
        q.push(format!(
            " AND ({done} > {due} OR ({done} IS NULL AND {due} < "
        ));
        q.push_bind(bound).push("))");
        q.push(" AND t.merged_into IS NULL");
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

/// The breakdowns of the period's figures by team, by agent and by `by`, from one query per
/// cohort grouped by the three columns at once (then summed up per dimension).
async fn groups(
    conn: &mut SqliteConnection,
    f: &Filter,
    p: Period,
    now: Timestamp,
    by: ReportGroup,
) -> Result<[Vec<GroupRow>; 3]> {
    let dims = [ReportGroup::Team, ReportGroup::Agent, by];
    let cols = format!(
        "{}, {}, {}",
        group_column(dims[0]),
        group_column(dims[1]),
        group_column(dims[2])
    );
    type Key = [String; 3];
    type G = Option<String>;
    /// Team, agent, group; resolution seconds; CSAT.
    type ResolvedRow = (G, G, G, Option<i64>, Option<i64>);
    /// Team, agent, group; met, missed, breached.
    type SlaRow = (G, G, G, i64, i64, i64);
    /// A group's resolution times, CSAT sum and ratings.
    type Samples = HashMap<String, (Vec<i64>, i64, i64)>;
    let key = |a: Option<String>, b: Option<String>, c: Option<String>| -> Key {
        [
            a.unwrap_or_default(),
            b.unwrap_or_default(),
            c.unwrap_or_default(),
        ]
    };
    let mut rows: [BTreeMap<String, GroupRow>; 3] = Default::default();
    fn add(
        rows: &mut [BTreeMap<String, GroupRow>; 3],
        k: &Key,
        mut apply: impl FnMut(&mut GroupRow),
    ) {
        for (i, map) in rows.iter_mut().enumerate() {
            apply(map.entry(k[i].clone()).or_default());
        }
    }
    // Created, backlog.
    for cohort in [Cohort::Created, Cohort::Backlog] {
        let mut q = QueryBuilder::new(format!("SELECT {cols}, count(*) FROM tickets t WHERE"));
        cohort.push(&mut q, p);
        f.push(&mut q);
        q.push(" GROUP BY 1, 2, 3");
        let counts: Vec<(G, G, G, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (a, b, c, n) in counts {
            add(&mut rows, &key(a, b, c), |r| match cohort {
                Cohort::Created => r.created += n as u64,
                _ => r.backlog += n as u64,
            });
        }
    }
    // Resolved: count, CSAT, and the resolution times for the medians.
    let mut q = QueryBuilder::new(format!(
        "SELECT {cols}, t.r_res_secs, t.csat_score FROM tickets t WHERE"
    ));
    Cohort::Resolved.push(&mut q, p);
    f.push(&mut q);
    let resolved: Vec<ResolvedRow> = q.build_query_as().fetch_all(&mut *conn).await?;
    let mut times: [Samples; 3] = Default::default();
    for (a, b, c, secs, csat) in resolved {
        let k = key(a, b, c);
        add(&mut rows, &k, |r| r.resolved += 1);
        for (i, map) in times.iter_mut().enumerate() {
            let e = map.entry(k[i].clone()).or_default();
            if let Some(s) = secs {
                e.0.push(s);
            }
            if let Some(c) = csat {
                e.1 += c;
                e.2 += 1;
            }
        }
    }
    for (i, map) in times.into_iter().enumerate() {
        for (k, (mut secs, sum, n)) in map {
            secs.sort_unstable();
            let r = rows[i].entry(k).or_default();
            r.resolution_median_secs = percentile(&secs, 50);
            r.csat_average = (n > 0).then(|| sum as f64 / n as f64);
        }
    }
    // SLA targets due in the period.
    let bound = ms(p.until.min(now));
    for (_, due, done) in TARGET_COLUMNS {
        let mut q = QueryBuilder::new(format!(
            "SELECT {cols}, count(*) FILTER (WHERE {done} <= {due}), \
             count(*) FILTER (WHERE {done} > {due}), \
             count(*) FILTER (WHERE {done} IS NULL AND {due} < "
        ));
        q.push_bind(bound);
        q.push(format!(") FROM tickets t WHERE {due} >= "));
        q.push_bind(ms(p.since));
        q.push(format!(" AND {due} < ")).push_bind(ms(p.until));
        q.push(" AND t.merged_into IS NULL");
        f.push(&mut q);
        q.push(" GROUP BY 1, 2, 3");
        let counts: Vec<SlaRow> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (a, b, c, met, missed, breached) in counts {
            let o = Outcomes {
                met: met as u64,
                missed: missed as u64,
                breached: breached as u64,
            };
            add(&mut rows, &key(a, b, c), |r| r.sla.add(o));
        }
    }
    let mut out: [Vec<GroupRow>; 3] = Default::default();
    for (i, map) in rows.into_iter().enumerate() {
        out[i] = named(conn, dims[i], map).await?;
    }
    Ok(out)
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
    q.push(" AND t.id IN (SELECT t.id FROM tickets t WHERE");
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
            q.push(" AND t.r_reopens > 0");
        }
        DrillCohort::Rated => {
            Cohort::Resolved.push(q, p);
            q.push(" AND t.csat_score IS NOT NULL");
        }
        DrillCohort::Late => {
            q.push(" (");
            late(q, "t.r_frt_due", "t.r_frt_done", true);
            q.push(" OR ");
            late(q, "t.r_res_due", "t.r_res_done", true);
            q.push(") AND t.merged_into IS NULL");
        }
        DrillCohort::LateFirstResponse => {
            q.push(" ");
            late(q, "t.r_frt_due", "t.r_frt_done", false);
            q.push(" AND t.merged_into IS NULL");
        }
    }
    Filter::names(&d.filter).push(q);
    if let Some(g) = &d.group {
        let col = group_column(g.by);
        if g.key.is_empty() {
            q.push(format!(" AND {col} IS NULL"));
        } else {
            let lookup = match g.by {
                ReportGroup::Team => "(SELECT id FROM teams WHERE name = ? COLLATE NOCASE)",
                ReportGroup::Agent => "(SELECT id FROM users WHERE email = ? COLLATE NOCASE)",
                ReportGroup::Organization => {
                    "(SELECT id FROM organizations WHERE name = ? COLLATE NOCASE)"
                }
                _ => "?",
            };
            let (head, tail) = lookup.split_once('?').expect("one placeholder");
            q.push(format!(" AND {col} = {head}"))
                .push_bind(g.key.clone())
                .push(tail);
        }
    }
    q.push(")");
}
