//! `helpdeck workspace show|set`: the workspace rules an admin changes — categories, the
//! reopen and auto-close windows, the business calendar (time zone, working hours,
//! holidays). On a replica the change goes to the server (admins only) and every replica
//! gets it with its next sync; on a local workspace it is kept here.

use std::io::Write;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use helpdeck_core::sla::{CalendarSpec, WorkingWindow};
use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::Store;
use jiff::civil::{Date, Time};

#[derive(Subcommand, Debug)]
pub enum WorkspaceCommand {
    /// Show the workspace rules: categories, lifecycle windows, SLA calendar.
    Show,
    /// Change them (admins; on a replica the server decides and every replica follows).
    Set(WorkspaceSetArgs),
}

#[derive(Args, Debug)]
pub struct WorkspaceSetArgs {
    /// The categories offered for new tickets, comma separated (replaces the list; tickets
    /// keep a category that is removed).
    #[arg(long, value_delimiter = ',')]
    categories: Option<Vec<String>>,
    /// Days a closed ticket can still be reopened (0–365).
    #[arg(long)]
    reopen_days: Option<i64>,
    /// Days after which a resolved ticket closes by itself (1–90).
    #[arg(long)]
    auto_close_days: Option<i64>,
    /// IANA time zone of the business calendar (and the workspace), e.g. Asia/Shanghai.
    #[arg(long)]
    timezone: Option<String>,
    /// Working hours, replacing the current ones: `mon-fri 09:00-17:00`, `sat 10:00-14:00`
    /// (repeat for several). Days: mon tue wed thu fri sat sun, or a range.
    #[arg(long = "hours")]
    hours: Vec<String>,
    /// Count business time around the clock (24×7) instead of working hours.
    #[arg(long, conflicts_with = "hours")]
    always_open: bool,
    /// A holiday (YYYY-MM-DD); repeat for several. Added to the current list.
    #[arg(long = "holiday")]
    holidays: Vec<Date>,
    /// Remove these holidays (YYYY-MM-DD).
    #[arg(long = "remove-holiday")]
    remove_holidays: Vec<Date>,
}

/// `helpdeck people ...`: who works in the workspace (admins change it).
#[derive(Subcommand, Debug)]
pub enum PeopleCommand {
    /// Everyone (agents and admins first) and the teams.
    List,
    /// Add a person. On a replica the server adds them (a first password is read from
    /// stdin or asked for); on a local workspace there is no sign-in and no password.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, agent or customer.
        #[arg(long, value_parser = ["admin", "agent", "customer"])]
        role: String,
        /// Agents and admins: their team (made when new).
        #[arg(long)]
        team: Option<String>,
        /// Agents and admins: L1, L2 or L3 (default L1).
        #[arg(long, value_parser = ["L1", "L2", "L3"])]
        tier: Option<String>,
        /// Customers: their organization (made when new).
        #[arg(long)]
        org: Option<String>,
        /// Read the first password from stdin (replicas).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a person's role, team, tier or skills (admins), or availability (admins, or
    /// a person their own).
    Update {
        email: String,
        #[arg(long, value_parser = ["admin", "agent", "customer"])]
        role: Option<String>,
        /// A team name, or "" for none.
        #[arg(long)]
        team: Option<String>,
        #[arg(long, value_parser = ["L1", "L2", "L3"])]
        tier: Option<String>,
        /// Their skills, comma separated (replaces the list; "" for none).
        #[arg(long)]
        skills: Option<String>,
        /// Away: takes no new tickets from assignment rules.
        #[arg(long, conflicts_with = "available")]
        away: bool,
        /// With --away: out of office until then (RFC 3339, e.g. 2026-12-08T09:00:00+08:00).
        #[arg(long, requires = "away")]
        until: Option<jiff::Timestamp>,
        /// Available again.
        #[arg(long)]
        available: bool,
    },
    /// Add a team.
    TeamAdd { name: String },
}

pub async fn people(store: &Store, cmd: PeopleCommand, json_out: bool) -> Result<()> {
    use helpdeck_core::people::{PersonDraft, PersonPatch};
    use helpdeck_sync::rules as r;
    let mut out = std::io::stdout().lock();
    match cmd {
        PeopleCommand::List => {
            let dir = r::directory(store).await?;
            if json_out {
                writeln!(out, "{}", serde_json::to_string_pretty(&dir)?)?;
            } else {
                writeln!(out, "teams: {}", dir.teams.join(", "))?;
                for p in dir.people {
                    let extra = match p.role {
                        helpdeck_core::user::Role::Customer => p.organization.unwrap_or_default(),
                        _ => format!(
                            "{} {}{}{}",
                            p.team.unwrap_or_else(|| "-".into()),
                            p.tier.map(|t| t.to_string()).unwrap_or_default(),
                            if p.skills.is_empty() {
                                String::new()
                            } else {
                                format!(" skills: {}", p.skills.join(", "))
                            },
                            match (p.availability.away, p.availability.until) {
                                (false, _) => String::new(),
                                (true, None) => " (away)".into(),
                                (true, Some(u)) => format!(" (away until {u})"),
                            }
                        ),
                    };
                    writeln!(out, "{:<9} {:<28} {}  {}", p.role, p.email, p.name, extra)?;
                }
            }
        }
        PeopleCommand::Add {
            email,
            name,
            role,
            team,
            tier,
            org,
            password_stdin,
        } => {
            let password = if store.admin().is_local() {
                None
            } else {
                Some(crate::remote::read_password(password_stdin)?)
            };
            let p = r::add_person(
                store,
                &PersonDraft {
                    email,
                    name,
                    role: Some(role.parse()?),
                    organization: org,
                    org_admin: false,
                    team,
                    tier: tier.map(|t| t.parse()).transpose()?,
                    password,
                },
            )
            .await?;
            writeln!(out, "{}", serde_json::to_string_pretty(&p)?)?;
        }
        PeopleCommand::Update {
            email,
            role,
            team,
            tier,
            skills,
            away,
            until,
            available,
        } => {
            let skills = skills.map(|s| {
                s.split(',')
                    .map(|k| k.trim().to_string())
                    .filter(|k| !k.is_empty())
                    .collect()
            });
            let availability =
                (away || available).then_some(helpdeck_core::routing::Availability { away, until });
            let p = r::update_person(
                store,
                &PersonPatch {
                    email,
                    role: role.map(|x| x.parse()).transpose()?,
                    team,
                    tier: tier.map(|t| t.parse()).transpose()?,
                    organization: None,
                    org_admin: None,
                    skills,
                    availability,
                },
            )
            .await?;
            writeln!(out, "{}", serde_json::to_string_pretty(&p)?)?;
        }
        PeopleCommand::TeamAdd { name } => {
            let teams = r::add_team(store, &name).await?;
            writeln!(out, "{}", serde_json::to_string_pretty(&teams)?)?;
        }
    }
    Ok(())
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn weekday(s: &str) -> Result<u8> {
    let s = s.trim().to_lowercase();
    DAYS.iter()
        .position(|d| s.starts_with(d))
        .map(|i| i as u8 + 1)
        .ok_or_else(|| {
            anyhow::anyhow!("hours: unknown day '{s}' (allowed: mon tue wed thu fri sat sun)")
        })
}

/// `mon-fri 09:00-17:00` → one window per day.
fn parse_hours(spec: &str) -> Result<Vec<WorkingWindow>> {
    let bad = || {
        anyhow::anyhow!(
            "hours: '{spec}' is not 'DAYS HH:MM-HH:MM' (e.g. 'mon-fri 09:00-17:00', 'sat 10:00-14:00')"
        )
    };
    let (days, times) = spec.trim().split_once(' ').ok_or_else(bad)?;
    let (from, to) = match days.split_once('-') {
        Some((a, b)) => (weekday(a)?, weekday(b)?),
        None => (weekday(days)?, weekday(days)?),
    };
    if to < from {
        bail!("hours: '{days}' runs backwards (write mon-fri, not fri-mon)");
    }
    let (start, end) = times.trim().split_once('-').ok_or_else(bad)?;
    let time = |t: &str| -> Result<Time> {
        Time::strptime("%H:%M", t.trim()).map_err(|_| {
            anyhow::anyhow!(
                "hours: '{t}' is not a time (HH:MM, 24-hour; 00:00 as an end is midnight)"
            )
        })
    };
    let (start, end) = (time(start)?, time(end)?);
    Ok((from..=to)
        .map(|d| WorkingWindow::new(d, start, end))
        .collect())
}

/// The changes the flags ask for, in order, against the current rules.
pub fn changes(a: WorkspaceSetArgs, current: &WorkspaceRules) -> Result<Vec<RulesChange>> {
    let mut out = Vec::new();
    if let Some(categories) = a.categories {
        out.push(RulesChange::Categories { categories });
    }
    if a.reopen_days.is_some() || a.auto_close_days.is_some() {
        out.push(RulesChange::Lifecycle {
            reopen_window_days: a.reopen_days.unwrap_or(current.reopen_window_days),
            auto_close_days: a.auto_close_days.unwrap_or(current.auto_close_days),
        });
    }
    let calendar_touched = a.timezone.is_some()
        || !a.hours.is_empty()
        || a.always_open
        || !a.holidays.is_empty()
        || !a.remove_holidays.is_empty();
    if calendar_touched {
        let mut cal: CalendarSpec = current
            .sla
            .as_ref()
            .map(|s| s.calendar.clone())
            .unwrap_or_else(|| CalendarSpec::business_hours("UTC"));
        if let Some(tz) = a.timezone {
            cal.timezone = tz;
        }
        if a.always_open {
            cal.always_open = true;
            cal.name = "24×7".into();
        } else if !a.hours.is_empty() {
            cal.always_open = false;
            cal.windows = a
                .hours
                .iter()
                .map(|h| parse_hours(h))
                .collect::<Result<Vec<_>>>()?
                .concat();
            cal.name = "Business hours".into();
        }
        cal.holidays.extend(a.holidays);
        cal.holidays.retain(|d| !a.remove_holidays.contains(d));
        out.push(RulesChange::Calendar { calendar: cal });
    }
    if out.is_empty() {
        bail!(
            "nothing to change: give --categories, --reopen-days, --auto-close-days, --timezone, --hours, --always-open, --holiday or --remove-holiday"
        );
    }
    Ok(out)
}

pub async fn run(store: &Store, cmd: WorkspaceCommand, json_out: bool) -> Result<()> {
    let rules = match cmd {
        WorkspaceCommand::Show => store.admin().rules().await?,
        WorkspaceCommand::Set(a) => {
            let current = store.admin().rules().await?;
            let mut rules = current.clone();
            for change in changes(a, &current)? {
                rules = helpdeck_sync::rules::change_rules(store, &change).await?;
            }
            rules
        }
    };
    print(&rules, json_out)
}

fn print(rules: &WorkspaceRules, json_out: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json_out {
        writeln!(out, "{}", serde_json::to_string_pretty(rules)?)?;
        return Ok(());
    }
    writeln!(out, "categories: {}", rules.categories.join(", "))?;
    writeln!(
        out,
        "reopen window: {} days; auto-close after {} days",
        rules.reopen_window_days, rules.auto_close_days
    )?;
    if let Some(sla) = &rules.sla {
        let c = &sla.calendar;
        writeln!(out, "calendar: {} ({})", c.name, c.timezone)?;
        if c.always_open {
            writeln!(out, "  around the clock (24×7)")?;
        } else {
            for w in &c.windows {
                writeln!(
                    out,
                    "  {} {}–{}",
                    DAYS[usize::from(w.weekday - 1)],
                    w.start.strftime("%H:%M"),
                    w.end.strftime("%H:%M")
                )?;
            }
        }
        if !c.holidays.is_empty() {
            let days: Vec<String> = c.holidays.iter().map(|d| d.to_string()).collect();
            writeln!(out, "  holidays: {}", days.join(", "))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_expand_day_ranges() {
        let w = parse_hours("mon-fri 09:00-17:30").unwrap();
        assert_eq!(w.len(), 5);
        assert_eq!(w[4].weekday, 5);
        assert_eq!(w[0].end, Time::constant(17, 30, 0, 0));
        assert_eq!(parse_hours("sat 10:00-14:00").unwrap()[0].weekday, 6);
        assert!(parse_hours("fri-mon 09:00-17:00").is_err());
        assert!(parse_hours("someday 09:00-17:00").is_err());
        assert!(parse_hours("mon 9-5").is_err());
    }
}
