//! `helpdeck watch`, `helpdeck sla policy ...` and `helpdeck notify ...`: the SLA monitor
//! headless, policy targets, notification preferences.

use std::io::Write;
use std::sync::Arc;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use helpdeck_core::notify::{EventKind, Lang, NotificationPrefs, QuietHours, Scope, Urgency};
use helpdeck_core::sla::{SlaPolicy, TargetSpec};
use helpdeck_core::ticket::{Priority, ticket_key};
use helpdeck_notify::{Delivered, DesktopSink, MonitorOptions, SystemClock};
use helpdeck_store::{PolicyTargetsInput, Store};
use serde_json::json;

/// `helpdeck watch` options.
#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Deliver what is due now, then exit.
    #[arg(long)]
    once: bool,
    /// Notification language: en or zh (default: the workspace's).
    #[arg(long)]
    lang: Option<String>,
}

/// `helpdeck sla policy ...`.
#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Show the default policy's targets.
    Show,
    /// Change one priority's targets and/or the warning thresholds of the default policy.
    /// Durations are whole minutes: 30m, 4h, 2d (24 h) or a plain number of minutes.
    Set(PolicySetArgs),
}

#[derive(Args, Debug)]
pub struct PolicySetArgs {
    /// P1, P2, P3 or P4 (needed when changing targets).
    #[arg(long)]
    priority: Option<String>,
    #[arg(long)]
    first_response: Option<String>,
    /// A duration, or `none` to remove the target.
    #[arg(long)]
    next_update: Option<String>,
    #[arg(long)]
    resolution: Option<String>,
    /// Count the given targets in `business` hours or around the clock (`24x7`); default:
    /// as the target counted before.
    #[arg(long)]
    calendar: Option<String>,
    /// At risk once this share of a target has elapsed (1–100).
    #[arg(long)]
    warning_pct: Option<u8>,
    /// At risk also once less than this many minutes are left (0 switches it off).
    #[arg(long)]
    warning_min_left: Option<i64>,
}

/// `helpdeck notify ...`.
#[derive(Subcommand, Debug)]
pub enum NotifyCommand {
    /// Show the notification preferences.
    Show,
    /// Change them.
    Set(NotifySetArgs),
}

#[derive(Args, Debug)]
pub struct NotifySetArgs {
    /// Switch a kind on (repeatable): at_risk, breached, p1_update_due, assigned_to_me,
    /// followup_assigned, sla_escalation, public_reply, status_changed,
    /// resolved_awaiting_confirmation, followup_scheduled.
    #[arg(long = "on")]
    on: Vec<String>,
    /// Switch a kind off (repeatable).
    #[arg(long = "off")]
    off: Vec<String>,
    /// HH:MM-HH:MM in the workspace time zone, or `none`.
    #[arg(long)]
    quiet_hours: Option<String>,
    /// Do not disturb: on or off.
    #[arg(long)]
    dnd: Option<String>,
    /// mine (assigned to me, my team's unassigned) or all.
    #[arg(long)]
    scope: Option<String>,
}

fn line(d: &Delivered, json_out: bool) -> String {
    let delay_ms = d.delivered_at.as_millisecond() - d.due_at.as_millisecond();
    let urgency = match d.message.urgency {
        Urgency::Critical => "critical",
        Urgency::Normal => "normal",
    };
    let ticket = d.message.ticket_number.map(ticket_key);
    if json_out {
        json!({
            "title": d.message.title,
            "body": d.message.body,
            "kind": d.message.kind,
            "urgency": urgency,
            "ticket": ticket,
            "alerts": d.message.alerts.len(),
            "due_at": d.due_at,
            "delivered_at": d.delivered_at,
            "delay_ms": delay_ms,
            "error": d.error,
        })
        .to_string()
    } else {
        let status = match &d.error {
            None => "delivered".to_string(),
            Some(e) => format!("NOT delivered ({e})"),
        };
        format!(
            "{} {status} {urgency} due_at={} delay_ms={delay_ms} | {} | {}",
            d.delivered_at, d.due_at, d.message.title, d.message.body
        )
    }
}

/// Runs the monitor with desktop notifications until killed (or once).
pub async fn watch(store: Store, args: WatchArgs, json_out: bool) -> Result<()> {
    let lang = match args.lang.as_deref() {
        None => Lang::from_code(&store.workspace().language),
        Some(l @ ("en" | "zh")) => Lang::from_code(l),
        Some(other) => bail!("unknown language '{other}' (allowed: en, zh)"),
    };
    let options = MonitorOptions {
        lang,
        on_delivered: Some(Arc::new(move |d: &Delivered| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", line(d, json_out));
            let _ = out.flush();
        })),
        ..MonitorOptions::default()
    };
    if !json_out {
        eprintln!(
            "watching {} (Ctrl-C to stop)",
            store.path().parent().unwrap_or(store.path()).display()
        );
    }
    // A local workspace's due jobs (auto-close) run beside the monitor, every minute.
    let jobs = Store::open(store.path().parent().unwrap_or(store.path())).await?;
    let handle = helpdeck_notify::spawn(
        store,
        Arc::new(DesktopSink::new("Helpdeck")),
        Arc::new(SystemClock),
        options,
    );
    let jobs_handle = handle.clone();
    tokio::spawn(async move {
        loop {
            match jobs.jobs().run_jobs().await {
                Ok(ids) if !ids.is_empty() => jobs_handle.tickets_changed(ids),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "jobs failed; retrying next round"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
    let mut counts = handle.watch_counts();
    // The monitor's task drops its end of the channel only when it stops on an error.
    let stopped =
        || anyhow::anyhow!("the SLA monitor stopped (HELPDECK_LOG=error shows the cause)");
    counts.wait_for(|c| c.ready).await.map_err(|_| stopped())?;
    if args.once {
        return Ok(());
    }
    // The monitor runs until the process is stopped; keep its handle alive.
    loop {
        counts.changed().await.map_err(|_| stopped())?;
    }
}

/// Parses `30m`, `4h`, `2d` or a number of minutes.
fn minutes(what: &str, s: &str) -> Result<i64> {
    let t = s.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t, "m"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| anyhow::anyhow!("{what}: '{s}' is not a duration (e.g. 1m, 30m, 4h, 2d)"))?;
    Ok(match unit {
        "m" | "min" => n,
        "h" => n * 60,
        "d" => n * 24 * 60,
        "s" => bail!("{what}: '{s}': targets are whole minutes (the shortest is 1m)"),
        _ => bail!("{what}: '{s}' has an unknown unit (use m, h or d: 1m, 30m, 4h, 2d)"),
    })
}

/// The change `sla policy set` (or `server sla set`) asks for, against the current policy.
pub fn policy_change(a: PolicySetArgs, current: &SlaPolicy) -> Result<PolicyTargetsInput> {
    let priority = a
        .priority
        .as_deref()
        .map(str::parse::<Priority>)
        .transpose()?;
    let business = match a.calendar.as_deref() {
        None => None,
        Some("business") => Some(true),
        Some("24x7") => Some(false),
        Some(other) => bail!("calendar: unknown '{other}' (allowed: business, 24x7)"),
    };
    let before = priority.map(|p| *current.targets_for(p));
    let spec = |what: &str, v: &str, prior: Option<TargetSpec>| -> Result<TargetSpec> {
        Ok(TargetSpec {
            minutes: minutes(what, v)?,
            business_hours: business
                .or(prior.map(|b| b.business_hours))
                .unwrap_or(false),
        })
    };
    Ok(PolicyTargetsInput {
        priority,
        first_response: a
            .first_response
            .as_deref()
            .map(|v| spec("first-response", v, before.map(|c| c.first_response)))
            .transpose()?,
        next_update: match a.next_update.as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(v) => Some(Some(spec(
                "next-update",
                v,
                before.and_then(|c| c.next_update),
            )?)),
        },
        resolution: a
            .resolution
            .as_deref()
            .map(|v| spec("resolution", v, before.map(|c| c.resolution)))
            .transpose()?,
        warning_threshold_pct: a.warning_pct,
        warning_min_left_minutes: a.warning_min_left,
    })
}

pub async fn policy(store: Store, cmd: PolicyCommand, json_out: bool) -> Result<()> {
    let policy = match cmd {
        PolicyCommand::Show => store.sla().default_policy(),
        PolicyCommand::Set(a) => {
            let input = policy_change(a, &store.sla().default_policy())?;
            let change = helpdeck_core::workspace::RulesChange::Policy(input);
            let rules = helpdeck_sync::rules::change_rules(&store, &change).await?;
            rules
                .sla
                .expect("changed rules carry the SLA policy")
                .policy
        }
    };
    print_policy(&policy, json_out)
}

/// Prints a policy's targets (or its JSON).
pub fn print_policy(policy: &SlaPolicy, json_out: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json_out {
        writeln!(out, "{}", serde_json::to_string_pretty(policy)?)?;
    } else {
        let fmt = |t: TargetSpec| {
            let cal = if t.business_hours { "business" } else { "24x7" };
            format!("{}m ({cal})", t.minutes)
        };
        writeln!(
            out,
            "{}: at risk at {}% used or < {} min left",
            policy.name, policy.warning_threshold_pct, policy.warning_min_left_minutes
        )?;
        for t in &policy.targets {
            writeln!(
                out,
                "{}  first response {}  next update {}  resolution {}",
                t.priority,
                fmt(t.first_response),
                t.next_update.map(fmt).unwrap_or_else(|| "—".into()),
                fmt(t.resolution)
            )?;
        }
    }
    Ok(())
}

pub async fn notify(store: Store, cmd: NotifyCommand, json_out: bool) -> Result<()> {
    let mut prefs = store.sla().notification_prefs().await?;
    if let NotifyCommand::Set(a) = cmd {
        for k in &a.on {
            let k: EventKind = k.parse()?;
            prefs.disabled.retain(|d| *d != k);
        }
        for k in &a.off {
            let k: EventKind = k.parse()?;
            if !prefs.disabled.contains(&k) {
                prefs.disabled.push(k);
            }
        }
        if let Some(q) = a.quiet_hours.as_deref() {
            prefs.quiet_hours = match q {
                "none" => None,
                q => Some(QuietHours::parse(q)?),
            };
        }
        if let Some(d) = a.dnd.as_deref() {
            prefs.do_not_disturb = match d {
                "on" => true,
                "off" => false,
                other => bail!("dnd: unknown '{other}' (allowed: on, off)"),
            };
        }
        if let Some(s) = a.scope.as_deref() {
            prefs.scope = match s {
                "mine" => Scope::Mine,
                "all" => Scope::All,
                other => bail!("scope: unknown '{other}' (allowed: mine, all)"),
            };
        }
        store.sla().set_notification_prefs(&prefs).await?;
    }
    print_prefs(&prefs, json_out)
}

fn print_prefs(p: &NotificationPrefs, json_out: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json_out {
        writeln!(out, "{}", serde_json::to_string_pretty(p)?)?;
        return Ok(());
    }
    for k in EventKind::ALL {
        let on = if p.disabled.contains(k) { "off" } else { "on" };
        writeln!(out, "{:<32}{on}", k.as_str())?;
    }
    let quiet = p
        .quiet_hours
        .map(|q| format!("{}-{}", q.start.strftime("%H:%M"), q.end.strftime("%H:%M")))
        .unwrap_or_else(|| "none".into());
    writeln!(out, "{:<32}{quiet}", "quiet hours")?;
    writeln!(
        out,
        "{:<32}{}",
        "do not disturb",
        if p.do_not_disturb { "on" } else { "off" }
    )?;
    let scope = match p.scope {
        Scope::Mine => "mine",
        Scope::All => "all",
    };
    writeln!(out, "{:<32}{scope}", "scope")?;
    Ok(())
}
