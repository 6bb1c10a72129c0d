//! `helpdeck time log|show|delete|start|stop|report` (issue 15): time spent on tickets
//! (`ticket reply|note --minutes N` logs it with the comment) and the billing totals per
//! ticket, agent or organization, with the travel and work time of the tickets' visits.

use anyhow::Result;
use clap::Subcommand;
use helpdeck_core::Timestamp;
use helpdeck_core::timelog::{TimeGroup, TimeTotal, hours_minutes};
use helpdeck_store::{Store, TimeSheet};

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum TimeCommand {
    /// Log minutes spent on a ticket (agents and admins).
    Log {
        /// The ticket (HD-12, 12 or the id).
        reference: String,
        #[arg(long)]
        minutes: u32,
        /// What the time was spent on.
        #[arg(long)]
        note: Option<String>,
    },
    /// A ticket's time: its entries, and the totals with its visits' travel and work.
    Show { reference: String },
    /// Delete an entry you logged (admins: anyone's): T-1a2b3c4d or its id.
    Delete { entry: String },
    /// Start this computer's timer on a ticket (it survives restarts and sleep).
    Start { reference: String },
    /// Stop the ticket's timer and log its minutes (rounded up).
    Stop {
        reference: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Billing totals: minutes per ticket, agent or organization over a period (the tickets'
    /// own time and their visits' travel and work), most first.
    Report {
        /// First day (YYYY-MM-DD, workspace time zone; default: everything).
        #[arg(long)]
        since: Option<String>,
        /// Last day, included (YYYY-MM-DD).
        #[arg(long)]
        until: Option<String>,
        /// ticket, agent or organization.
        #[arg(long, default_value = "ticket")]
        by: String,
        /// text or csv.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

pub async fn run(store: &Store, cmd: TimeCommand, out: &Printer) -> Result<()> {
    let t = store.time_entries();
    match cmd {
        TimeCommand::Log {
            reference,
            minutes,
            note,
        } => sheet(out, &t.log(&reference, minutes, note).await?),
        TimeCommand::Show { reference } => sheet(out, &t.sheet(&reference).await?),
        TimeCommand::Delete { entry } => sheet(out, &t.delete(&entry).await?),
        TimeCommand::Start { reference } => sheet(out, &t.timer_start(&reference).await?),
        TimeCommand::Stop { reference, note } => sheet(out, &t.timer_stop(&reference, note).await?),
        TimeCommand::Report {
            since,
            until,
            by,
            format,
        } => {
            let by: TimeGroup = by.parse()?;
            if format != "text" && format != "csv" {
                anyhow::bail!("--format {format}: allowed: text, csv");
            }
            let since = since.map(|d| out.day_start("--since", &d, 0)).transpose()?;
            let until = until.map(|d| out.day_start("--until", &d, 1)).transpose()?;
            if let (Some(s), Some(u)) = (since, until)
                && u <= s
            {
                anyhow::bail!("--until is before --since: give a last day on or after the first");
            }
            let rows = t.totals(since, until, by).await?;
            if format == "csv" && !out.is_json() {
                print!("{}", csv(&rows, by)?);
                return Ok(());
            }
            out.emit(&rows, || report_text(&rows, by, since, until, out))
        }
    }
}

fn sheet(out: &Printer, s: &TimeSheet) -> Result<()> {
    out.emit(s, || {
        let mut text = format!(
            "{}: {} in all — {} on the ticket, {} travel, {} work on visits\n",
            s.ticket,
            hours_minutes(s.total_minutes),
            hours_minutes(s.ticket_minutes),
            hours_minutes(s.travel_minutes),
            hours_minutes(s.work_minutes),
        );
        for e in &s.entries {
            text.push_str(&format!(
                "  {}  {}  {:>10}  {}{}{}\n",
                e.key,
                out.time(e.at),
                hours_minutes(u64::from(e.minutes)),
                e.agent_name,
                if e.comment_id.is_some() {
                    " (with a comment)"
                } else {
                    ""
                },
                e.note
                    .as_deref()
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default(),
            ));
        }
        if let Some(at) = s.timer_started_at {
            text.push_str(&format!("  timer running since {}\n", out.time(at)));
        }
        text
    })
}

fn report_text(
    rows: &[TimeTotal],
    by: TimeGroup,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
    out: &Printer,
) -> String {
    let period = match (since, until) {
        (None, None) => "all time".to_string(),
        (s, u) => format!(
            "{} – {}",
            s.map(|s| out.time(s)).unwrap_or_else(|| "…".into()),
            u.map(|u| out.time(u)).unwrap_or_else(|| "…".into())
        ),
    };
    if rows.is_empty() {
        return format!("No time logged ({period}).\n");
    }
    let mut text = format!("Time by {by} ({period}):\n");
    for r in rows {
        let name = match (r.key.as_str(), by) {
            ("", _) => "(no organization)".to_string(),
            (k, TimeGroup::Organization) => k.to_string(),
            (k, _) => format!("{k}  {}", r.label),
        };
        text.push_str(&format!(
            "  {:>12}  {name}  (tickets {}, travel {}, work {}; {} ticket(s))\n",
            hours_minutes(r.total_minutes),
            hours_minutes(r.ticket_minutes),
            hours_minutes(r.travel_minutes),
            hours_minutes(r.work_minutes),
            r.tickets
        ));
    }
    let total: u64 = rows.iter().map(|r| r.total_minutes).sum();
    text.push_str(&format!("  {:>12}  in all\n", hours_minutes(total)));
    text
}

/// The totals as CSV (minutes, for a spreadsheet).
fn csv(rows: &[TimeTotal], by: TimeGroup) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        by.as_str(),
        "name",
        "ticket_minutes",
        "travel_minutes",
        "work_minutes",
        "total_minutes",
        "tickets",
    ])?;
    for r in rows {
        w.write_record([
            r.key.clone(),
            r.label.clone(),
            r.ticket_minutes.to_string(),
            r.travel_minutes.to_string(),
            r.work_minutes.to_string(),
            r.total_minutes.to_string(),
            r.tickets.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
