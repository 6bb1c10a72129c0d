//! Printing results: a JSON document with `--json`, readable text otherwise.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets::UTF8_BORDERS_ONLY};
use helpdeck_core::Timestamp;
use helpdeck_core::record::Visibility;
use helpdeck_core::sla::{SlaState, TargetReport};
use helpdeck_store::{
    ImportSummary, SearchPage, SlaRow, SlaView, TicketDetail, TicketView, WorkspaceInfo,
};
use serde::Serialize;

/// A running spinner; cleared when dropped.
pub struct Busy(Option<indicatif::ProgressBar>);

impl Busy {
    /// Moves a bar to `done` of `total`.
    pub fn set(&self, done: u64, total: u64) {
        if let Some(pb) = &self.0 {
            pb.set_length(total);
            pb.set_position(done);
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(pb) = self.0.take() {
            pb.finish_and_clear();
        }
    }
}

/// Prints in the chosen format.
pub struct Printer {
    json: bool,
    /// Text output shows times here (JSON stays UTC).
    tz: jiff::tz::TimeZone,
}

fn relative(at: Timestamp) -> String {
    let secs = at.as_second() - Timestamp::now().as_second();
    let abs = secs.unsigned_abs();
    let (d, h, m) = (abs / 86_400, (abs % 86_400) / 3600, (abs % 3600) / 60);
    let span = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    };
    if secs >= 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

fn sla_cell(sla: &SlaView) -> String {
    match (sla.state, sla.next_due_at) {
        (Some(state), Some(due)) => format!("{state} · due {}", relative(due)),
        (Some(state), None) => state.to_string(),
        (None, _) => "-".into(),
    }
}

fn target_line(p: &Printer, name: &str, t: &TargetReport) -> String {
    let due = t
        .due_at
        .map(|d| format!(" due {} ({})", p.time(d), relative(d)));
    let done = t.completed_at.map(|d| format!(" at {}", p.time(d)));
    let mark = match t.state {
        SlaState::Breached | SlaState::Missed => "✗",
        SlaState::AtRisk => "!",
        SlaState::Met => "✓",
        _ => "·",
    };
    format!(
        "  {mark} {name:<15} {}{}{}",
        t.state,
        if matches!(t.state, SlaState::Met | SlaState::Missed) {
            String::new()
        } else {
            due.unwrap_or_default()
        },
        done.unwrap_or_default()
    )
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

impl Printer {
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// A bar with counts on stderr (`{msg} [####    ] 4,000/10,000 rows 3s`) for work whose
    /// size is known — an import, demo data, a first sync — only at a terminal and never
    /// with `--json`. Feed it with [`Busy::set`].
    pub fn progress(&self, message: &str, unit: &str) -> Busy {
        use std::io::IsTerminal;
        if self.json || !std::io::stderr().is_terminal() {
            return Busy(None);
        }
        let pb = indicatif::ProgressBar::new(0);
        pb.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{msg}} [{{bar:32}}] {{human_pos}}/{{human_len}} {unit} {{elapsed}}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("#>-"),
        );
        pb.set_message(message.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(200));
        Busy(Some(pb))
    }

    /// A spinner with the elapsed time on stderr while something long runs (a big import,
    /// demo data, a first sync, a connect) — only at a terminal and never with `--json`.
    pub fn busy(&self, message: &str) -> Busy {
        use std::io::IsTerminal;
        if self.json || !std::io::stderr().is_terminal() {
            return Busy(None);
        }
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb.set_message(message.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        Busy(Some(pb))
    }

    pub fn new(json: bool) -> Printer {
        Printer {
            json,
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// Shows text times in this IANA zone.
    pub fn set_time_zone(&mut self, name: &str) -> Result<()> {
        self.tz = jiff::tz::TimeZone::get(name).map_err(|_| {
            anyhow::anyhow!(
                "time zone: unknown '{name}' (allowed: IANA names such as Asia/Shanghai, Europe/Berlin, UTC)"
            )
        })?;
        Ok(())
    }

    /// A time as people read it here: `2026-11-28 18:00 +08:00` (the offset says which zone).
    pub fn time(&self, at: Timestamp) -> String {
        helpdeck_report::dashboard::local_time(&self.tz, at)
    }

    /// A time as a person types it, in this zone: `2026-12-06 09:00` (or with `T`), an RFC
    /// 3339 time with its offset, or `09:00` (today).
    pub fn parse_time(&self, what: &str, text: &str) -> Result<Timestamp> {
        let t = text.trim();
        if let Ok(ts) = t.parse::<Timestamp>() {
            return Ok(ts);
        }
        let civil = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", t)
            .or_else(|_| jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", t))
            .or_else(|_| {
                jiff::civil::Time::strptime("%H:%M", t).map(|time| {
                    self.tz
                        .to_datetime(Timestamp::now())
                        .date()
                        .to_datetime(time)
                })
            })
            .map_err(|_| {
                anyhow::anyhow!(
                    "{what}: '{text}' is not a time (allowed: 2026-12-06 09:00, 09:00 for today, or RFC 3339 such as 2026-12-06T09:00:00+08:00)"
                )
            })?;
        Ok(self.tz.to_ambiguous_timestamp(civil).compatible()?)
    }

    /// The start of a day (`YYYY-MM-DD`) in this zone, `plus_days` later (1: the day's end).
    pub fn day_start(&self, what: &str, text: &str, plus_days: i64) -> Result<Timestamp> {
        let day = jiff::civil::Date::strptime("%Y-%m-%d", text.trim()).map_err(|_| {
            anyhow::anyhow!("{what}: '{text}' is not a day (allowed: YYYY-MM-DD, e.g. 2026-12-01)")
        })?;
        let day = day.checked_add(jiff::Span::new().days(plus_days))?;
        Ok(self
            .tz
            .to_ambiguous_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
            .compatible()?)
    }

    /// An instant's date in this zone (`YYYY-MM-DD`).
    pub fn date(&self, at: Timestamp) -> String {
        self.tz.to_datetime(at).date().to_string()
    }

    /// Today's date in this zone (`YYYY-MM-DD`).
    pub fn today(&self) -> String {
        self.tz.to_datetime(Timestamp::now()).date().to_string()
    }

    /// The end of today in this zone.
    pub fn tonight(&self) -> Timestamp {
        helpdeck_core::workorder::tonight(Timestamp::now(), &self.tz)
    }

    /// A time of day here: `09:00`.
    pub fn clock(&self, at: Timestamp) -> String {
        self.tz.to_datetime(at).strftime("%H:%M").to_string()
    }

    pub fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) -> Result<()> {
        // Buffered: a large --json document would otherwise be written line by line.
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        if self.json {
            serde_json::to_writer_pretty(&mut stdout, value)?;
            writeln!(stdout)?;
        } else {
            write!(stdout, "{}", text())?;
        }
        stdout.flush()?;
        Ok(())
    }

    pub fn workspace(&self, ws: &WorkspaceInfo, path: &Path) -> Result<()> {
        #[derive(Serialize)]
        struct Out<'a> {
            workspace: &'a WorkspaceInfo,
            path: String,
        }
        self.emit(
            &Out {
                workspace: ws,
                path: path.display().to_string(),
            },
            || {
                format!(
                    "Created workspace \"{}\" ({}, business hours in {}) at {}\n",
                    ws.name,
                    ws.language,
                    ws.timezone,
                    path.display()
                )
            },
        )
    }

    pub fn import(&self, s: &ImportSummary) -> Result<()> {
        self.emit(s, || {
            let range = match (s.first_number, s.last_number) {
                (Some(a), Some(b)) => format!(" (HD-{a} … HD-{b})"),
                _ => String::new(),
            };
            format!(
                "Imported {} tickets{range} with {} comments; {} users and {} organizations created\n",
                s.tickets, s.comments, s.users_created, s.organizations_created
            )
        })
    }

    /// A page of a list: `{"total": N, "tickets": [...]}` in JSON (spec §7).
    pub fn list(&self, tickets: &[TicketView], total: i64, offset: u32) -> Result<()> {
        let doc = serde_json::json!({ "total": total, "offset": offset, "tickets": tickets });
        self.emit(&doc, || {
            if tickets.is_empty() {
                return if total > 0 {
                    format!("No tickets on this page ({total} in all; offset {offset}).\n")
                } else {
                    "No tickets match.\n".into()
                };
            }
            let mut table = Table::new();
            table
                .load_preset(UTF8_BORDERS_ONLY)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(["Ticket", "Pri", "Status", "Title", "Assignee", "SLA"]);
            for t in tickets {
                table.add_row([
                    t.number.clone(),
                    t.priority.to_string(),
                    t.status.to_string(),
                    truncate(&t.title, 48),
                    t.assignee
                        .as_ref()
                        .map(|a| a.name.clone())
                        .unwrap_or_else(|| "—".into()),
                    sla_cell(&t.sla),
                ]);
            }
            let first = u64::from(offset) + 1;
            let last = u64::from(offset) + tickets.len() as u64;
            if first == 1 && last as i64 == total {
                format!("{table}\n{total} tickets\n")
            } else {
                format!("{table}\n{first}–{last} of {total} tickets (next page: --offset {last})\n")
            }
        })
    }

    pub fn detail(&self, d: &TicketDetail) -> Result<()> {
        self.emit(d, || {
            let t = &d.ticket;
            let mut s = String::new();
            s.push_str(&format!("{}  {}\n", t.number, t.title));
            if let Some(old) = &d.former_number {
                s.push_str(&format!(
                    "(formerly {old}, before its workspace was connected)\n"
                ));
            }
            s.push_str(&format!(
                "{} · {} · {} · {} · {} · {}\n",
                t.status, t.priority, t.kind, t.category, t.tier, t.channel
            ));
            let who = |u: &Option<helpdeck_store::UserRef>| {
                u.as_ref()
                    .map(|u| format!("{} <{}>", u.name, u.email))
                    .unwrap_or_else(|| "—".into())
            };
            s.push_str(&format!("Requester: {}", who(&t.requester)));
            if let Some(o) = &t.organization {
                s.push_str(&format!(" ({o})"));
            }
            s.push_str(&format!("\nAssignee:  {}\n", who(&t.assignee)));
            s.push_str(&format!("Created:   {}\n", self.time(t.created_at)));
            s.push_str("SLA:\n");
            for (name, target) in [
                ("first response", &t.sla.first_response),
                ("next update", &t.sla.next_update),
                ("resolution", &t.sla.resolution),
            ] {
                if let Some(target) = target {
                    s.push_str(&target_line(self, name, target));
                    s.push('\n');
                }
            }
            if !d.description.is_empty() {
                s.push_str(&format!("\n{}\n", d.description.trim_end()));
            }
            if let Some(r) = &d.resolution {
                s.push_str(&format!(
                    "\nResolution\n  Cause:    {}\n  Solution: {}\n",
                    r.cause, r.solution
                ));
                if let Some(p) = &r.prevention {
                    s.push_str(&format!("  Prevention: {p}\n"));
                }
            }
            if let Some(c) = &d.csat {
                s.push_str(&format!(
                    "\nRating: {}/5 {}\n",
                    c.score,
                    c.comment.clone().unwrap_or_default()
                ));
            }
            if let Some(f) = &d.followup {
                s.push_str(&format!(
                    "\nFollow-up (rating {}/5){}\n",
                    f.score,
                    if f.recovered {
                        " — recovered"
                    } else if f.open {
                        ""
                    } else {
                        " — ended, not recovered"
                    }
                ));
                for c in &f.steps {
                    s.push_str(&self.callback_line(c));
                }
            }
            let escalations: Vec<serde_json::Value> = d
                .events
                .iter()
                .filter(|e| e.field == "escalation")
                .filter_map(|e| {
                    let mut v: serde_json::Value = serde_json::from_str(e.to.as_deref()?).ok()?;
                    v["by"] = e.actor.as_ref().map(|a| a.name.clone()).into();
                    v["at"] = self.time(e.at).into();
                    Some(v)
                })
                .collect();
            if !escalations.is_empty() {
                s.push_str("\nEscalations\n");
                for v in &escalations {
                    let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                    s.push_str(&format!(
                        "  {} → {} by {}, {}: {}\n",
                        text("from"),
                        text("to"),
                        text("by"),
                        text("at"),
                        text("reason")
                    ));
                    if !text("impact").is_empty() {
                        s.push_str(&format!("    business impact: {}\n", text("impact")));
                    }
                }
            }
            if !d.attachments.is_empty() {
                s.push_str("\nFiles\n");
                for a in &d.attachments {
                    s.push_str(&format!(
                        "  {} ({:.1} KiB, {}) {}{}\n",
                        a.name,
                        a.size as f64 / 1024.0,
                        a.media_type,
                        a.sha256,
                        if a.available {
                            ""
                        } else {
                            " — not downloaded yet"
                        }
                    ));
                }
            }
            if !d.links.is_empty() {
                s.push_str("\nLinked\n");
                for l in &d.links {
                    s.push_str(&format!(
                        "  {} {} {} ({})\n",
                        l.kind.replace('_', " "),
                        l.number,
                        l.title,
                        l.status
                    ));
                }
            }
            if !d.comments.is_empty() {
                s.push_str("\nConversation\n");
                for c in &d.comments {
                    let tag = match c.visibility {
                        Visibility::Public => "reply",
                        Visibility::Internal => "INTERNAL NOTE",
                    };
                    s.push_str(&format!(
                        "  [{}] {} — {}\n",
                        tag,
                        c.author.name,
                        self.time(c.created_at)
                    ));
                    for line in c.body.lines() {
                        s.push_str(&format!("    {line}\n"));
                    }
                }
            }
            if !d.allowed_transitions.is_empty() {
                let next: Vec<&str> = d.allowed_transitions.iter().map(|s| s.as_str()).collect();
                s.push_str(&format!("\nNext statuses: {}\n", next.join(", ")));
            }
            s
        })
    }

    /// One callback: level, owner, due or outcome.
    fn callback_line(&self, c: &helpdeck_store::CallbackView) -> String {
        let owner = c
            .owner
            .as_ref()
            .map(|o| format!("{} <{}>", o.name, o.email))
            .unwrap_or_else(|| "anyone at this level".into());
        match (c.outcome, c.done_at) {
            (Some(o), Some(at)) => format!(
                "  {:<10} {} — {} at {}: {}\n",
                c.level,
                owner,
                o.as_str().replace('_', " "),
                self.time(at),
                c.note.as_deref().unwrap_or("")
            ),
            _ => format!(
                "  {:<10} {} — due {}{}\n",
                c.level,
                owner,
                self.time(c.due_at),
                if c.overdue { " (OVERDUE)" } else { "" }
            ),
        }
    }

    /// The open follow-up callbacks (`followup list`).
    pub fn followups(&self, tasks: &[helpdeck_store::FollowUpTask]) -> Result<()> {
        self.emit(&serde_json::json!({ "followups": tasks }), || {
            if tasks.is_empty() {
                return "No follow-up calls are waiting.\n".into();
            }
            let mut table = Table::new();
            table
                .load_preset(UTF8_BORDERS_ONLY)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header([
                    "Ticket", "Rating", "Level", "Caller", "Customer", "Due", "Title",
                ]);
            for t in tasks {
                let c = &t.callback;
                table.add_row([
                    t.number.clone(),
                    format!("{}/5", t.score),
                    c.level.to_string(),
                    c.owner
                        .as_ref()
                        .map(|o| o.name.clone())
                        .unwrap_or_else(|| "—".into()),
                    t.requester
                        .as_ref()
                        .map(|r| r.name.clone())
                        .unwrap_or_else(|| "—".into()),
                    format!(
                        "{}{}",
                        self.time(c.due_at),
                        if c.overdue { " OVERDUE" } else { "" }
                    ),
                    truncate(&t.title, 40),
                ]);
            }
            format!("{table}\n{} follow-up call(s) waiting\n", tasks.len())
        })
    }

    /// A page of search hits: `{"total": N, "hits": [...]}` in JSON (spec §7).
    pub fn search(&self, page: &SearchPage, offset: u32) -> Result<()> {
        let hits = &page.hits;
        let total = page.total;
        // A text query that matches more tickets than a search counts says "at least".
        let shown = if page.total_exact {
            total.to_string()
        } else {
            format!("{total}+")
        };
        if page.indexing > 0 {
            eprintln!(
                "note: the search documents of {} tickets are still being written (after a first sync); they may be missing from these results",
                page.indexing
            );
        }
        self.emit(page, || {
            if hits.is_empty() {
                return if total > 0 {
                    format!("No hits on this page ({shown} in all; offset {offset}).\n")
                } else {
                    "No matches.\n".into()
                };
            }
            let mut s = String::new();
            for h in hits {
                s.push_str(&format!(
                    "{:<9} {:<16} {}\n",
                    h.number,
                    h.status.as_str(),
                    h.title
                ));
                if !h.snippet.is_empty() {
                    let mut line = String::new();
                    let mut at = 0;
                    for &(a, b) in &h.highlights {
                        line.push_str(&h.snippet[at..a]);
                        line.push('«');
                        line.push_str(&h.snippet[a..b]);
                        line.push('»');
                        at = b;
                    }
                    line.push_str(&h.snippet[at..]);
                    s.push_str(&format!("          {line}\n"));
                }
            }
            let first = u64::from(offset) + 1;
            let last = u64::from(offset) + hits.len() as u64;
            if first == 1 && last as i64 == total && page.total_exact {
                s.push_str(&format!("{total} matches\n"));
            } else {
                s.push_str(&format!(
                    "{first}–{last} of {shown} matches (next page: --offset {last})\n"
                ));
            }
            s
        })
    }

    pub fn sla(&self, rows: &[SlaRow]) -> Result<()> {
        self.emit(&rows, || {
            if rows.is_empty() {
                return "No open tickets in that state.\n".into();
            }
            let mut table = Table::new();
            table
                .load_preset(UTF8_BORDERS_ONLY)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(["Ticket", "Pri", "Status", "SLA", "Title"]);
            for r in rows {
                table.add_row([
                    r.number.clone(),
                    r.priority.to_string(),
                    r.status.to_string(),
                    sla_cell(&r.sla),
                    truncate(&r.title, 44),
                ]);
            }
            format!("{table}\n{} tickets\n", rows.len())
        })
    }
}
