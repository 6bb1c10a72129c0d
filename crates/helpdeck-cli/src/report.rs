//! `helpdeck report` (issue 16; spec §7; formulas in docs/metrics.md): the service figures
//! of a period beside the previous period's, from the local store (offline too): text, the
//! whole dashboard as `--json`, or any table behind the charts as `--format csv --table T`.

use anyhow::{Result, bail};
use clap::Args;
use helpdeck_core::report::{Dashboard, Figures, GroupRow, Period, ReportFilter, ReportGroup};
use helpdeck_core::ticket::{Channel, Priority};
use helpdeck_store::Store;

use crate::output::Printer;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, workspace time zone; default: 30 days before --until).
    #[arg(long)]
    since: Option<String>,
    /// Last day, included (YYYY-MM-DD; default: today).
    #[arg(long)]
    until: Option<String>,
    /// The breakdown: team, agent, category, priority, organization or channel.
    #[arg(long, default_value = "team")]
    by: String,
    /// Only this team's tickets (its name).
    #[arg(long)]
    team: Option<String>,
    /// Only this agent's tickets (the assignee's email).
    #[arg(long)]
    agent: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// P1, P2, P3 or P4.
    #[arg(long)]
    priority: Option<String>,
    /// Only this organization's tickets (its name).
    #[arg(long = "org")]
    organization: Option<String>,
    /// portal, phone, email, chat, walk_in, field or monitoring.
    #[arg(long)]
    channel: Option<String>,
    /// text, csv, or html (a printable report in the workspace's language).
    #[arg(long, default_value = "text")]
    format: String,
    /// With --format html: zh or en (default: the workspace's language).
    #[arg(long)]
    lang: Option<String>,
    /// With --format csv, the table: figures, daily, backlog, compliance, heatmap, teams,
    /// agents or breakdown.
    #[arg(long, default_value = "figures")]
    table: String,
}

pub async fn run(store: &Store, a: ReportArgs, out: &Printer) -> Result<()> {
    let by: ReportGroup = a.by.parse()?;
    if !matches!(a.format.as_str(), "text" | "csv" | "html") {
        bail!("--format {}: allowed: text, csv, html", a.format);
    }
    let zh = match a.lang.as_deref() {
        None => store.workspace().language.starts_with("zh"),
        Some("zh") => true,
        Some("en") => false,
        Some(other) => bail!("--lang {other}: allowed: zh, en"),
    };
    if !helpdeck_report::dashboard::TABLES.contains(&a.table.as_str()) {
        bail!(
            "--table {}: allowed: {}",
            a.table,
            helpdeck_report::dashboard::TABLES.join(", ")
        );
    }
    let until = match &a.until {
        Some(d) => out.day_start("--until", d, 1)?,
        None => out.day_start("--until", &out.today(), 1)?,
    };
    let since = match &a.since {
        Some(d) => out.day_start("--since", d, 0)?,
        None => until - jiff::SignedDuration::from_hours(30 * 24),
    };
    if until <= since {
        bail!("--until is before --since: give a last day on or after the first");
    }
    let filter = ReportFilter {
        team: a.team,
        agent: a.agent,
        category: a.category,
        priority: a.priority.map(|p| p.parse::<Priority>()).transpose()?,
        organization: a.organization,
        channel: a.channel.map(|c| c.parse::<Channel>()).transpose()?,
    };
    let d = store
        .reports()
        .dashboard(Period::new(since, until)?, &filter, by)
        .await?;
    if a.format == "csv" && !out.is_json() {
        print!("{}", helpdeck_report::dashboard::csv(&d, &a.table)?);
        return Ok(());
    }
    if a.format == "html" && !out.is_json() {
        let last = |t: jiff::Timestamp| out.date(t - jiff::SignedDuration::from_millis(1));
        print!(
            "{}",
            helpdeck_report::dashboard::html(
                &d,
                zh,
                &store.workspace().name,
                (&out.date(d.period.since), &last(d.period.until)),
                (
                    &out.date(d.previous_period.since),
                    &last(d.previous_period.until)
                ),
                &out.time(jiff::Timestamp::now()),
            )
        );
        return Ok(());
    }
    out.emit(&d, || text(&d, out))
}

/// A share as people read it (`63.6%`, — for none).
pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn dur(v: Option<i64>) -> String {
    let Some(s) = v else { return "—".into() };
    let m = s / 60;
    match (m / (24 * 60), (m / 60) % 24, m % 60) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m:02}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
}

/// Every headline figure as (name, current, previous) — the figures table, text and csv.
fn figure_rows(c: &Figures, p: &Figures) -> Vec<(&'static str, String, String)> {
    let both = |f: &dyn Fn(&Figures) -> String| (f(c), f(p));
    let rows: Vec<(&'static str, (String, String))> = vec![
        ("created", both(&|f| f.created.to_string())),
        ("resolved", both(&|f| f.resolved.to_string())),
        ("merged_duplicates", both(&|f| f.duplicates.to_string())),
        ("backlog", both(&|f| f.backlog.to_string())),
        (
            "backlog_median_age",
            both(&|f| dur(f.backlog_median_age_secs)),
        ),
        (
            "first_response_median",
            both(&|f| dur(f.first_response.median_secs)),
        ),
        (
            "first_response_p90",
            both(&|f| dur(f.first_response.p90_secs)),
        ),
        (
            "first_response_business_median",
            both(&|f| dur(f.first_response.business_median_secs)),
        ),
        (
            "first_response_business_p90",
            both(&|f| dur(f.first_response.business_p90_secs)),
        ),
        (
            "resolution_median",
            both(&|f| dur(f.resolution.median_secs)),
        ),
        ("resolution_p90", both(&|f| dur(f.resolution.p90_secs))),
        (
            "resolution_business_median",
            both(&|f| dur(f.resolution.business_median_secs)),
        ),
        (
            "resolution_business_p90",
            both(&|f| dur(f.resolution.business_p90_secs)),
        ),
        ("sla_compliance", both(&|f| pct(f.sla_compliance))),
        ("response_delay_rate", both(&|f| pct(f.response_delay_rate))),
        (
            "first_contact_resolution",
            both(&|f| pct(f.first_contact_resolution)),
        ),
        ("l1_share", both(&|f| pct(f.l1_share))),
        ("reopen_rate", both(&|f| pct(f.reopen_rate))),
        ("csat_ratings", both(&|f| f.csat_count.to_string())),
        ("csat_satisfied", both(&|f| pct(f.csat_satisfied))),
        ("csat_average", both(&|f| num(f.csat_average))),
        ("followups_finished", both(&|f| f.followups.to_string())),
        ("followup_recovery", both(&|f| pct(f.followup_recovery))),
        (
            "self_service_deflection",
            both(&|f| pct(f.self_service_deflection)),
        ),
    ];
    rows.into_iter().map(|(n, (c, p))| (n, c, p)).collect()
}

fn text(d: &Dashboard, out: &Printer) -> String {
    let mut s = format!(
        "Service report {} – {} ({}), compared with {} – {}\n\n",
        out.time(d.period.since),
        out.time(d.period.until),
        d.time_zone,
        out.time(d.previous_period.since),
        out.time(d.previous_period.until),
    );
    s.push_str(&format!(
        "  {:<32} {:>12} {:>12}\n",
        "", "this period", "previous"
    ));
    for (name, c, p) in figure_rows(&d.current, &d.previous) {
        s.push_str(&format!("  {name:<32} {c:>12} {p:>12}\n"));
    }
    s.push_str(&format!(
        "\nTargets: first response {}, FCR {}, satisfied {}, response delay < {}, L1 {}, self-service {}\n",
        dur(Some(d.targets.first_response_secs)),
        pct(Some(d.targets.first_contact_resolution)),
        pct(Some(d.targets.csat_satisfied)),
        pct(Some(d.targets.response_delay_rate)),
        pct(Some(d.targets.l1_share)),
        pct(Some(d.targets.self_service_deflection)),
    ));
    if !d.breakdown.is_empty() {
        s.push_str(&format!(
            "\nBy {}:\n  {:<28} {:>8} {:>8} {:>8} {:>12} {:>8} {:>6}\n",
            d.by, "", "created", "resolved", "backlog", "resolution", "SLA", "CSAT"
        ));
        for g in &d.breakdown {
            s.push_str(&format!(
                "  {:<28} {:>8} {:>8} {:>8} {:>12} {:>8} {:>6}\n",
                group_name(g),
                g.created,
                g.resolved,
                g.backlog,
                dur(g.resolution_median_secs),
                pct(g.sla_compliance),
                num(g.csat_average)
            ));
        }
    }
    s
}

fn group_name(g: &GroupRow) -> String {
    match (g.key.as_str(), g.label.as_str()) {
        ("", _) => "(none)".into(),
        (k, l) if k == l => k.to_string(),
        (_, l) => l.to_string(),
    }
}
