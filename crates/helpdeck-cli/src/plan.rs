//! `helpdeck plan add|list|remove` (issue 15): preventive maintenance plans — a site or an
//! asset visited every N days, weeks or months. They are workspace rules (admins); the
//! server's jobs make each visit's ticket and work order ahead of time, exactly once.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::workorder::{MaintenancePlan, PeriodUnit, TemplateItem};
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::Store;
use uuid::Uuid;

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// Add a maintenance plan (admins).
    Add(Box<PlanArgs>),
    /// The maintenance plans.
    List,
    /// Remove a plan (visits already made stay).
    Remove { name: String },
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[arg(long)]
    name: String,
    /// Each visit's ticket title.
    #[arg(long)]
    title: String,
    #[arg(long)]
    site: String,
    #[arg(long)]
    contact: Option<String>,
    /// The asset visited (name or serial).
    #[arg(long)]
    asset: Option<String>,
    /// The technician's email.
    #[arg(long)]
    technician: Option<String>,
    /// How often: 10d, 2w or 3m (days, weeks, months).
    #[arg(long)]
    every: String,
    /// The first visit's day (YYYY-MM-DD).
    #[arg(long)]
    first: String,
    /// When visits start (HH:MM, workspace time zone).
    #[arg(long, default_value = "09:00")]
    at: String,
    /// How long a visit is scheduled for, in hours.
    #[arg(long, default_value_t = 2)]
    hours: u32,
    /// How many days ahead a visit is made.
    #[arg(long, default_value_t = 7)]
    lead_days: u32,
    /// A checklist item (repeatable; end with [photo] or [reading:UNIT]).
    #[arg(long = "item", value_name = "TEXT")]
    items: Vec<String>,
}

/// `3m` → (3, month).
fn period(text: &str) -> Result<(u32, PeriodUnit)> {
    let t = text.trim();
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let unit = match unit.trim() {
        "d" | "day" | "days" => PeriodUnit::Day,
        "w" | "week" | "weeks" => PeriodUnit::Week,
        "m" | "month" | "months" => PeriodUnit::Month,
        _ => bail!("--every {text}: write a number and d, w or m (e.g. 10d, 2w, 3m)"),
    };
    let n: u32 = n.parse().map_err(|_| {
        anyhow::anyhow!("--every {text}: write a number and d, w or m (e.g. 10d, 2w, 3m)")
    })?;
    Ok((n, unit))
}

pub async fn run(store: &Store, cmd: PlanCommand, out: &Printer) -> Result<()> {
    use helpdeck_sync::rules as r;
    match cmd {
        PlanCommand::Add(a) => {
            let (every, unit) = period(&a.every)?;
            let plan = MaintenancePlan {
                id: Uuid::now_v7(),
                name: a.name,
                title: a.title,
                site: a.site,
                contact: a.contact,
                asset: a.asset,
                technician: a.technician,
                every,
                unit,
                first: a
                    .first
                    .trim()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("--first {}: a day is YYYY-MM-DD", a.first))?,
                at: jiff::civil::Time::strptime("%H:%M", a.at.trim())
                    .map_err(|_| anyhow::anyhow!("--at {}: a time is HH:MM", a.at))?,
                hours: a.hours,
                lead_days: a.lead_days,
                checklist: a
                    .items
                    .iter()
                    .map(|i| TemplateItem::parse(i))
                    .collect::<Result<_, _>>()?,
            };
            let rules = r::change_rules(store, &RulesChange::AddPlan { plan }).await?;
            list(out, &rules)
        }
        PlanCommand::Remove { name } => {
            let rules = r::change_rules(store, &RulesChange::RemovePlan { name }).await?;
            list(out, &rules)
        }
        PlanCommand::List => list(out, &store.admin().rules().await?),
    }
}

fn list(out: &Printer, rules: &WorkspaceRules) -> Result<()> {
    out.emit(&serde_json::json!({ "plans": rules.plans }), || {
        if rules.plans.is_empty() {
            return "No maintenance plans. Add one: helpdeck plan add --name \"UPS quarterly\" --title \"UPS inspection\" --site \"Server room\" --every 3m --first 2027-01-05\n".into();
        }
        rules
            .plans
            .iter()
            .map(|p| {
                format!(
                    "{}: {} @ {} every {} {}(s) from {} at {}, {} h, made {} days ahead{}\n",
                    p.name,
                    p.title,
                    p.site,
                    p.every,
                    p.unit,
                    p.first,
                    p.at.strftime("%H:%M"),
                    p.hours,
                    p.lead_days,
                    p.technician
                        .as_deref()
                        .map(|t| format!(", technician {t}"))
                        .unwrap_or_default()
                )
            })
            .collect()
    })
}
