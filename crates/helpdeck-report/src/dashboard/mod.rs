//! A dashboard as files (issue 16): each table behind its charts as CSV, and the printable
//! service report as one HTML page — the same for `helpdeck report` and the app's Reports
//! view.

mod html;

use helpdeck_core::report::{Dashboard, Figures};

pub use html::page as html;

/// The tables behind a dashboard's charts, as `--table` and the app name them.
pub const TABLES: [&str; 8] = [
    "figures",
    "daily",
    "backlog",
    "compliance",
    "heatmap",
    "teams",
    "agents",
    "breakdown",
];

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "no table '{0}' (allowed: figures, daily, backlog, compliance, heatmap, teams, agents, breakdown)"
    )]
    NoTable(String),
    #[error("the CSV could not be written: {0}")]
    Csv(String),
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Csv(e.to_string())
    }
}

/// A time as people read it (a report's "made at", the CLI's times): `2026-12-06 18:00
/// +08:00` in `tz` (the offset says which zone).
pub fn local_time(tz: &jiff::tz::TimeZone, at: helpdeck_core::Timestamp) -> String {
    let local = tz.to_datetime(at).strftime("%Y-%m-%d %H:%M");
    let secs = tz.to_offset(at).seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("{local} {sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// One table behind the charts as CSV (numbers as numbers: seconds, ratios 0–1).
pub fn csv(d: &Dashboard, table: &str) -> Result<String, ExportError> {
    if !TABLES.contains(&table) {
        return Err(ExportError::NoTable(table.to_string()));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    match table {
        "figures" => {
            w.write_record(["figure", "current", "previous"])?;
            let (c, p) = (&d.current, &d.previous);
            let raw = |f: &Figures| -> Vec<(&'static str, String)> {
                vec![
                    ("created", f.created.to_string()),
                    ("resolved", f.resolved.to_string()),
                    ("merged_duplicates", f.duplicates.to_string()),
                    ("backlog", f.backlog.to_string()),
                    ("backlog_median_age_secs", opt(f.backlog_median_age_secs)),
                    (
                        "first_response_median_secs",
                        opt(f.first_response.median_secs),
                    ),
                    ("first_response_p90_secs", opt(f.first_response.p90_secs)),
                    (
                        "first_response_business_median_secs",
                        opt(f.first_response.business_median_secs),
                    ),
                    (
                        "first_response_business_p90_secs",
                        opt(f.first_response.business_p90_secs),
                    ),
                    ("resolution_median_secs", opt(f.resolution.median_secs)),
                    ("resolution_p90_secs", opt(f.resolution.p90_secs)),
                    (
                        "resolution_business_median_secs",
                        opt(f.resolution.business_median_secs),
                    ),
                    (
                        "resolution_business_p90_secs",
                        opt(f.resolution.business_p90_secs),
                    ),
                    ("sla_met", f.sla.met.to_string()),
                    ("sla_missed", f.sla.missed.to_string()),
                    ("sla_breached", f.sla.breached.to_string()),
                    ("sla_compliance", opt(f.sla_compliance)),
                    ("response_delay_rate", opt(f.response_delay_rate)),
                    ("first_contact_resolution", opt(f.first_contact_resolution)),
                    ("l1_share", opt(f.l1_share)),
                    ("reopen_rate", opt(f.reopen_rate)),
                    ("csat_ratings", f.csat_count.to_string()),
                    ("csat_satisfied", opt(f.csat_satisfied)),
                    ("csat_average", opt(f.csat_average)),
                    ("followups_finished", f.followups.to_string()),
                    ("followup_recovery", opt(f.followup_recovery)),
                    ("self_service_deflection", opt(f.self_service_deflection)),
                ]
            };
            for ((name, cur), (_, prev)) in raw(c).into_iter().zip(raw(p)) {
                w.write_record([name.to_string(), cur, prev])?;
            }
        }
        "daily" => {
            w.write_record(["day", "created", "resolved"])?;
            for r in &d.daily {
                w.write_record([r.day.clone(), r.created.to_string(), r.resolved.to_string()])?;
            }
        }
        "backlog" => {
            w.write_record(["age", "tickets"])?;
            for r in &d.backlog_ages {
                w.write_record([r.age.clone(), r.tickets.to_string()])?;
            }
        }
        "compliance" => {
            w.write_record([
                "priority",
                "target",
                "met",
                "missed",
                "breached",
                "compliance",
            ])?;
            for r in &d.compliance {
                w.write_record([
                    r.priority.to_string(),
                    r.target.to_string(),
                    r.outcomes.met.to_string(),
                    r.outcomes.missed.to_string(),
                    r.outcomes.breached.to_string(),
                    opt(r.compliance),
                ])?;
            }
        }
        "heatmap" => {
            w.write_record(["weekday", "hour", "late"])?;
            for c in &d.heatmap {
                w.write_record([
                    c.weekday.to_string(),
                    c.hour.to_string(),
                    c.late.to_string(),
                ])?;
            }
        }
        _ => {
            let (rows, name) = match table {
                "teams" => (&d.teams, "team".to_string()),
                "agents" => (&d.agents, "agent".to_string()),
                _ => (&d.breakdown, d.by.to_string()),
            };
            w.write_record([
                name.as_str(),
                "name",
                "created",
                "resolved",
                "backlog",
                "resolution_median_secs",
                "sla_met",
                "sla_missed",
                "sla_breached",
                "sla_compliance",
                "csat_average",
            ])?;
            for g in rows {
                w.write_record([
                    g.key.clone(),
                    g.label.clone(),
                    g.created.to_string(),
                    g.resolved.to_string(),
                    g.backlog.to_string(),
                    opt(g.resolution_median_secs),
                    g.sla.met.to_string(),
                    g.sla.missed.to_string(),
                    g.sla.breached.to_string(),
                    opt(g.sla_compliance),
                    opt(g.csat_average),
                ])?;
            }
        }
    }
    String::from_utf8(
        w.into_inner()
            .map_err(|e| ExportError::Csv(e.to_string()))?,
    )
    .map_err(|e| ExportError::Csv(e.to_string()))
}
