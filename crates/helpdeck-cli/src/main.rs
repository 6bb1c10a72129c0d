//! `helpdeck`: the command-line interface of spec §7. Thin: parse, call the store, print.

mod backup;
mod kb;
mod macros;
mod output;
mod plan;
mod privacy;
mod remote;
mod report;
mod routing;
mod rules;
mod timelog;
mod views;
mod watch;
mod workorder;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use helpdeck_core::record::Visibility;
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Csat, Kind, Priority, Resolution, Tier};
use helpdeck_store::{
    AssigneeInput, CreateInput, ExportFormat, ImportOptions, InitOptions, Store, TicketFilter,
    UpdateInput,
};

/// Helpdeck: an offline-first help desk. Works on a local workspace; syncs with a server later.
#[derive(Parser, Debug)]
#[command(name = "helpdeck", version, about)]
struct Cli {
    /// Workspace directory (default: the OS data dir).
    #[arg(long, global = true, env = "HELPDECK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// Show times in this IANA time zone (default: the workspace's business time zone).
    /// JSON output is always UTC (RFC 3339).
    #[arg(long = "tz", global = true, env = "HELPDECK_TZ", value_name = "ZONE")]
    time_zone: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a local workspace (refuses to overwrite one).
    Init {
        #[arg(long, default_value = "Helpdeck")]
        name: String,
        /// IANA time zone of business hours, e.g. Asia/Shanghai.
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// UI language: en or zh.
        #[arg(long, default_value = "en")]
        language: String,
        /// Your email (the workspace's admin).
        #[arg(long, default_value = "me@helpdeck.local")]
        email: String,
        /// Your name.
        #[arg(long, default_value = "Me")]
        user_name: String,
    },
    /// Add realistic sample tickets in Chinese and English (deterministic for a seed).
    Demo {
        #[arg(long)]
        tickets: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Work with tickets.
    #[command(subcommand)]
    Ticket(TicketCommand),
    /// Workspace rules (admins): categories, reopen and auto-close windows, business
    /// calendar (time zone, working hours, holidays). On a replica the server decides.
    #[command(subcommand)]
    Workspace(rules::WorkspaceCommand),
    /// People and teams (admins): list, add, change role, team or tier. On a replica the
    /// server decides; a person added there signs in with the first password given.
    #[command(subcommand)]
    People(rules::PeopleCommand),
    /// The knowledge base: articles (internal or public, draft → published → archived),
    /// search, suggestions, drafts from resolved tickets.
    #[command(subcommand)]
    Kb(kb::KbCommand),
    /// Satisfaction follow-ups: the callbacks a rating of 1–2 opens (handler, then
    /// supervisor, then expert, one business day each).
    #[command(subcommand)]
    Followup(FollowupCommand),
    /// Macros: canned replies with placeholders plus field changes, shared or personal.
    #[command(subcommand)]
    Macro(macros::MacroCommand),
    /// Work orders: field visits on tickets (schedule, checklist, photos, parts, time,
    /// the customer's sign-off), offline like everything else.
    #[command(subcommand)]
    Workorder(workorder::WorkOrderCommand),
    /// Preventive maintenance plans: a site or an asset visited every N days, weeks or
    /// months (the server's jobs make the visits ahead of time).
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Service figures of a period beside the previous period's (volume, backlog, first
    /// response and resolution times, SLA compliance, FCR, L1 share, reopens, CSAT …), from
    /// this workspace, offline too; `--json` for the whole dashboard, `--format csv` for a table.
    Report(report::ReportArgs),
    /// Time on tickets: log minutes, run a timer, and the billing totals per ticket, agent
    /// or organization (with the visits' travel and work). Never shown to customers.
    #[command(subcommand)]
    Time(timelog::TimeCommand),
    /// Assignment rules: who owns a new ticket (first match wins), and why.
    #[command(subcommand)]
    Rule(routing::RuleCommand),
    /// Saved views: named queue filters with live counts (yours, or shared by an admin).
    #[command(subcommand)]
    View(views::ViewCommand),
    /// Full-text search, Chinese and English (`print*` for a prefix).
    /// Words (all must match), `a OR b`, "a phrase", -word, word*, and filters status:
    /// priority: assignee: requester: org: tag: kind: category: created:>2026-01-01.
    Search {
        #[arg(allow_hyphen_values = true)]
        query: String,
        /// Hits per page (1 to 200).
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Skip this many hits (the next page: offset + limit).
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// SLA state of open tickets, most urgent first; `sla policy` shows or sets targets.
    #[command(args_conflicts_with_subcommands = true)]
    Sla {
        #[command(subcommand)]
        policy: Option<SlaCommand>,
        /// Only tickets at risk.
        #[arg(long)]
        at_risk: bool,
        /// Only breached tickets.
        #[arg(long)]
        breached: bool,
    },
    /// Run the SLA monitor headless: desktop notifications when targets come due, one line
    /// per delivered notification (with due_at and delivered_at).
    Watch(watch::WatchArgs),
    /// Notification preferences: kinds on/off, quiet hours, do not disturb, whose tickets.
    #[command(subcommand)]
    Notify(watch::NotifyCommand),
    /// Import tickets from a .json (dataset or ticket array) or .csv file; all or nothing.
    Import { file: PathBuf },
    /// Export every ticket to stdout.
    Export {
        #[arg(long, default_value = "json")]
        format: String,
    },
    /// Run a Helpdeck server (SQLite file by default, or PostgreSQL), or manage its users.
    Server(remote::ServerArgs),
    /// Attachment files: copy one out of the workspace by its SHA-256.
    #[command(subcommand)]
    Attachment(AttachmentCommand),
    /// Run the due jobs of a local workspace once (escalation rules, auto-close of resolved
    /// tickets); the app and `watch` run them every minute, a server runs them for replicas.
    Jobs,
    /// Shell completions: `helpdeck completions bash > /etc/bash_completion.d/helpdeck`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff): `helpdeck manpage > helpdeck.1; man ./helpdeck.1`.
    Manpage,
    /// Write a backup of the workspace (every ticket and attachment) to FILE, encrypted
    /// with a passphrase; online: the app and sync may keep running.
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty data dir (a lost or broken laptop, a lost key); it
    /// gets a new key in this computer's keyring.
    Restore(backup::RestoreArgs),
    /// Check the workspace file: SQLite's integrity and foreign keys, and every ticket and
    /// comment with its change (exit status 1 when something is wrong).
    Check,
    /// Personal data (PIPL): export everything about a person, or erase a customer (a local
    /// workspace; on a server: `helpdeck server privacy`).
    #[command(subcommand)]
    Privacy(privacy::PrivacyCommand),
    /// Sign in to a server: an empty data dir becomes a replica of its workspace.
    Login(remote::LoginArgs),
    /// Connect this local workspace to a server: after a confirmation its tickets, comments,
    /// files, links and history are uploaded (the server renumbers them; the old numbers
    /// stay findable) and the data dir becomes a replica.
    Connect(remote::ConnectArgs),
    /// Sign out: revoke the token and remove it from the OS keyring (local data stays).
    Logout,
    /// Sync with the server: one round with --once, else keep syncing until Ctrl-C.
    Sync {
        #[arg(long)]
        once: bool,
        /// Print the sync state (pending changes, last sync, last error) and exit.
        #[arg(long)]
        status: bool,
    },
}

#[derive(Subcommand, Debug)]
enum FollowupCommand {
    /// Open callbacks, the soonest due first: mine and unowned ones (the default, --mine),
    /// or everyone's (--all).
    List {
        #[arg(long, conflicts_with = "mine")]
        all: bool,
        #[arg(long)]
        mine: bool,
    },
    /// Record the outcome of a ticket's open callback.
    Done {
        /// The ticket (HD-12, 12 or the id).
        reference: String,
        /// recovered, or not_recovered (opens the next level: supervisor, then expert).
        #[arg(long)]
        outcome: String,
        /// What was said and agreed with the customer.
        #[arg(long)]
        note: String,
        /// Who calls at the next level (an agent's or admin's email; default: anyone there).
        #[arg(long)]
        next: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum SlaCommand {
    /// The default SLA policy's targets.
    #[command(subcommand)]
    Policy(watch::PolicyCommand),
}

#[derive(Subcommand, Debug)]
enum TicketCommand {
    /// Open a new ticket.
    Create(CreateArgs),
    /// A queue: open tickets by SLA due time unless filtered.
    List(ListArgs),
    /// Everything about one ticket (REF = HD-12, 12 or the id).
    Show { reference: String },
    /// Change status, priority, assignee, tier or title.
    Update(UpdateArgs),
    /// Public reply (the requester sees it).
    Reply {
        reference: String,
        #[arg(long)]
        body: String,
        /// Attach a file (repeatable; at most 25 MiB each).
        #[arg(long = "attach", value_name = "FILE")]
        attach: Vec<PathBuf>,
        /// Minutes spent on it, logged with it (agents; never shown to the customer).
        #[arg(long)]
        minutes: Option<u32>,
    },
    /// Internal note (never shown to customers).
    Note {
        reference: String,
        #[arg(long)]
        body: String,
        /// Attach a file (repeatable; at most 25 MiB each).
        #[arg(long = "attach", value_name = "FILE")]
        attach: Vec<PathBuf>,
        /// Minutes spent on it, logged with it (agents; never shown to the customer).
        #[arg(long)]
        minutes: Option<u32>,
    },
    /// Resolve with the service report.
    Resolve {
        reference: String,
        #[arg(long)]
        cause: String,
        #[arg(long)]
        solution: String,
        #[arg(long)]
        prevention: Option<String>,
    },
    /// Reopen a resolved or closed ticket.
    Reopen { reference: String },
    /// Close (confirm a resolved ticket; spam/duplicate needs --reason).
    Close {
        reference: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record one step of a knowledge article's diagnosis script run on the ticket (on its
    /// timeline, agents only).
    Diagnose {
        reference: String,
        /// The article (its id or first 6+ characters).
        #[arg(long)]
        article: String,
        /// The step number (1-based).
        #[arg(long)]
        step: u16,
        /// The system showed what the step expects.
        #[arg(
            long,
            conflicts_with = "not_as_expected",
            required_unless_present = "not_as_expected"
        )]
        as_expected: bool,
        #[arg(long)]
        not_as_expected: bool,
        /// What the customer saw.
        #[arg(long)]
        note: Option<String>,
    },
    /// Move the ticket to another tier (L1, L2, L3; up or back down) with the reason and,
    /// going up, the business impact.
    Escalate {
        reference: String,
        #[arg(long)]
        tier: String,
        #[arg(long)]
        reason: String,
        /// What the problem costs the customer's business (required going up).
        #[arg(long, default_value = "")]
        impact: String,
    },
    /// Record the requester's satisfaction (1–5).
    Rate {
        reference: String,
        #[arg(long)]
        score: u8,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Link two tickets; shown on both.
    Link {
        reference: String,
        /// The other ticket.
        #[arg(long)]
        to: String,
        /// related, duplicate_of or parent_of (from REF's side).
        #[arg(long, default_value = "related")]
        kind: String,
    },
    /// One change to many tickets at once (one of --assignee, --status, --priority, --tier,
    /// --tag, --macro); a ticket it does not fit is named and left as it was.
    Bulk {
        /// Tickets, e.g. HD-1 HD-2 (or a file of them with @FILE, one per line).
        #[arg(required = true)]
        references: Vec<String>,
        /// Agent email, `me` or `none`.
        #[arg(long)]
        assignee: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        priority: Option<String>,
        #[arg(long)]
        tier: Option<String>,
        /// A tag to add (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// A macro (name or id) applied to each.
        #[arg(long = "macro")]
        macro_name: Option<String>,
    },
    /// Apply a macro: its reply (placeholders filled in) and its field changes, at once.
    ApplyMacro {
        reference: String,
        /// The macro's name (or id).
        #[arg(long = "macro")]
        name: String,
    },
    /// Merge a duplicate into another ticket: that one takes its request and public
    /// conversation; the duplicate is closed, linked duplicate_of it.
    Merge {
        reference: String,
        /// The ticket to keep.
        #[arg(long)]
        into: String,
    },
    /// Remove the link between two tickets.
    Unlink {
        reference: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
enum AttachmentCommand {
    /// Write the file with this SHA-256 (see `ticket show`) to FILE.
    Get {
        sha256: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Write the image's thumbnail (at most 480 px, JPEG or PNG) instead of the file.
        #[arg(long)]
        thumbnail: bool,
    },
}

#[derive(Args, Debug)]
struct CreateArgs {
    #[arg(long)]
    title: String,
    #[arg(long, default_value = "")]
    body: String,
    #[arg(long, help = format!("One of {}", Priority::allowed()))]
    priority: Option<String>,
    #[arg(long, help = format!("One of {}", helpdeck_core::ticket::Kind::allowed()))]
    kind: Option<String>,
    /// One of the workspace's categories (by default hardware, software, network, account_access, other).
    #[arg(long)]
    category: Option<String>,
    /// Requester's email (a new customer is created for an unknown address).
    #[arg(long)]
    requester: Option<String>,
    /// Agent email, `me` or `none`.
    #[arg(long)]
    assignee: Option<String>,
    #[arg(long, help = format!("One of {}", helpdeck_core::ticket::Tier::allowed()))]
    tier: Option<String>,
    /// Attach a file (repeatable; at most 25 MiB each).
    #[arg(long = "attach", value_name = "FILE")]
    attach: Vec<PathBuf>,
}

#[derive(Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    filter: views::FilterArgs,
    /// Start from a saved view (the other filters narrow it).
    #[arg(long)]
    view: Option<String>,
    /// Tickets per page (1 to 10,000).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Skip this many tickets (the next page: offset + limit).
    #[arg(long, default_value_t = 0)]
    offset: u32,
}

#[derive(Args, Debug)]
struct UpdateArgs {
    reference: String,
    #[arg(long, help = format!("One of {}", Status::allowed()))]
    status: Option<String>,
    /// Reason, when closing a new or open ticket (spam, duplicate).
    #[arg(long)]
    reason: Option<String>,
    #[arg(long, help = format!("One of {}", Priority::allowed()))]
    priority: Option<String>,
    /// Agent email, `me` or `none`.
    #[arg(long)]
    assignee: Option<String>,
    #[arg(long, help = format!("One of {}", helpdeck_core::ticket::Tier::allowed()))]
    tier: Option<String>,
    #[arg(long)]
    title: Option<String>,
    /// One of the workspace's categories (by default hardware, software, network, account_access, other).
    #[arg(long)]
    category: Option<String>,
    #[arg(long, help = format!("One of {}", helpdeck_core::ticket::Kind::allowed()))]
    kind: Option<String>,
    /// The description (Markdown).
    #[arg(long)]
    body: Option<String>,
    /// Replaces the tags (repeatable; `--tag ""` clears them).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Where the work is (an address or room); "" clears it.
    #[arg(long)]
    site: Option<String>,
    /// The requester's email; "" for none.
    #[arg(long)]
    requester: Option<String>,
}

fn parse_opt<T: std::str::FromStr>(v: Option<&str>) -> Result<Option<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    Ok(v.map(str::parse::<T>).transpose()?)
}

fn data_dir(cli: &Cli) -> Result<PathBuf> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    helpdeck_store::default_data_dir().context("cannot find the OS data directory; pass --data-dir")
}

fn main() -> ExitCode {
    // Before any database is opened (SQLCipher's crypto; see vault::init_crypto).
    helpdeck_store::vault::init_crypto();
    let cli = Cli::parse();
    let long_running = matches!(cli.command, Command::Server(ref s) if s.command.is_none())
        || matches!(
            cli.command,
            Command::Sync {
                once: false,
                status: false
            }
        );
    // Errors reach the user as one line on stderr; a server logs its requests.
    let default_log = if long_running { "info" } else { "off" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HELPDECK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_log)),
        )
        .with_writer(std::io::stderr)
        .init();
    // Multi-threaded even for a short command (one worker): a workspace dropped on an error
    // path closes its database before the process exits (helpdeck_store's `Drop for Store`).
    let runtime = if long_running {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // A keyring call that timed out may still hold a blocking thread: do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if closed_pipe(&e) => {
            // `helpdeck ticket list | head`: the reader has what it wanted; not an error.
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line: the outermost message and its causes.
            let msg = e
                .chain()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Did the output go to a pipe whose reader has gone?
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            clap_complete::generate(*shell, &mut cmd, "helpdeck", &mut out);
            return Ok(());
        }
        Command::Manpage => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            return Ok(());
        }
        _ => {}
    }
    let dir = data_dir(&cli)?;
    let json = cli.json;
    let mut out = output::Printer::new(json);
    if let Some(tz) = &cli.time_zone {
        out.set_time_zone(tz)?;
    }
    match cli.command {
        Command::Init {
            name,
            timezone,
            language,
            email,
            user_name,
        } => {
            let store = Store::init(
                &dir,
                InitOptions {
                    name,
                    timezone,
                    language,
                    owner_name: user_name,
                    owner_email: email,
                },
            )
            .await?;
            out.workspace(&store.workspace(), store.path())?;
            store.shutdown().await;
        }
        Command::Server(args) => remote::server(&dir, args, &out).await?,
        Command::Login(args) => remote::login(&dir, args, &out).await?,
        Command::Backup(args) => backup::backup(&dir, args, &out).await?,
        Command::Restore(args) => backup::restore(&dir, args, &out).await?,
        Command::Connect(args) => remote::connect(&dir, args, &out).await?,
        Command::Sync { once, status } => {
            let store = Store::open(&dir).await?;
            if status {
                let state = store.replica().sync_state().await?;
                let rejections = store.replica().rejections().await?;
                store.shutdown().await;
                out.emit(
                    &serde_json::json!({"state": state, "rejections": rejections}),
                    || match &state {
                        None => "local workspace (not connected to a server)\n".into(),
                        Some(s) => format!(
                            "{} as {}: {} pending, {} refused, last sync {}{}\n",
                            s.server_url,
                            s.email,
                            s.pending,
                            s.rejected,
                            s.last_sync_at.map_or("never".into(), |t| t.to_string()),
                            s.last_error
                                .as_deref()
                                .map(|e| format!(", last error: {e}"))
                                .unwrap_or_default()
                        ),
                    },
                )?;
            } else {
                remote::sync(store, once, &out).await?;
            }
        }
        Command::Watch(args) => watch::watch(Store::open(&dir).await?, args, json).await?,
        Command::Sla {
            policy: Some(SlaCommand::Policy(cmd)),
            ..
        } => watch::policy(Store::open(&dir).await?, cmd, json).await?,
        Command::Notify(cmd) => watch::notify(Store::open(&dir).await?, cmd, json).await?,
        Command::Workspace(cmd) => {
            let store = Store::open(&dir).await?;
            let result = rules::run(&store, cmd, json).await;
            store.shutdown().await;
            result?;
        }
        Command::People(cmd) => {
            let store = Store::open(&dir).await?;
            let result = rules::people(&store, cmd, json).await;
            store.shutdown().await;
            result?;
        }
        command => {
            let store = Store::open(&dir).await?;
            if cli.time_zone.is_none() {
                // Times read as the desk works: in the workspace's business time zone.
                let _ = out.set_time_zone(&store.workspace().timezone);
            }
            let result = on_workspace(&store, command, &out).await;
            store.shutdown().await;
            result?;
        }
    }
    Ok(())
}

/// Every command but `init` works on an open workspace.
async fn on_workspace(store: &Store, command: Command, out: &output::Printer) -> Result<()> {
    match command {
        Command::Init { .. }
        | Command::Completions { .. }
        | Command::Manpage
        | Command::Server(_)
        | Command::Login(_)
        | Command::Connect(_)
        | Command::Backup(_)
        | Command::Restore(_)
        | Command::Sync { .. } => {
            unreachable!("handled before a workspace is opened")
        }
        Command::Logout => remote::logout(store, out).await?,
        Command::Demo { .. } | Command::Import { .. }
            if store.replica().sync_state().await?.is_some() =>
        {
            bail!(
                "demo and import work on local workspaces; this one is a replica of a server (create tickets with `ticket create`, or import into a local workspace)"
            );
        }
        Command::Demo { tickets, seed } => {
            let bar = out.progress(&format!("making {tickets} sample tickets"), "rows");
            let summary = store
                .transfer()
                .demo_reporting(tickets, seed, &|done, total| bar.set(done, total))
                .await?;
            drop(bar);
            out.import(&summary)?
        }
        Command::Ticket(cmd) => ticket(store, cmd, out).await?,
        Command::Privacy(cmd) => privacy::run(store, cmd, out).await?,
        Command::Check => {
            let report = store.check().await?;
            out.emit(&report, || {
                format!(
                    "integrity: {}\nforeign key violations: {}\ntickets: {}, comments: {}, changes waiting: {}\nchanges without their row: {}\nrows without their change: {}\nSLA histories unlike their events and comments: {}\nqueue totals unlike their tickets: {}\nat-risk counts unlike their tickets: {}\n",
                    report.integrity.join("; "),
                    report.foreign_key_violations,
                    report.tickets,
                    report.comments,
                    report.pending_changes,
                    report.orphan_changes,
                    report.rows_without_change,
                    report.stale_sla_histories,
                    report.stale_queue_counts,
                    report.stale_risk_counts
                )
            })?;
            if !report.ok() {
                bail!(
                    "the workspace file has problems (see above); restore a backup (`helpdeck restore`) or, for a replica, sign in again into a new data dir"
                );
            }
        }
        Command::Kb(cmd) => kb::run(store, cmd, out).await?,
        Command::Macro(cmd) => macros::run(store, cmd, out).await?,
        Command::Workorder(cmd) => workorder::run(store, cmd, out).await?,
        Command::Plan(cmd) => plan::run(store, cmd, out).await?,
        Command::Time(cmd) => timelog::run(store, cmd, out).await?,
        Command::Report(a) => report::run(store, a, out).await?,
        Command::Rule(cmd) => routing::run(store, cmd, out).await?,
        Command::View(cmd) => views::run(store, cmd, out).await?,
        Command::Followup(FollowupCommand::List { all, .. }) => {
            let scope = if all {
                helpdeck_store::FollowUpScope::All
            } else {
                helpdeck_store::FollowUpScope::Mine
            };
            out.followups(&store.followups().list(scope).await?)?
        }
        Command::Followup(FollowupCommand::Done {
            reference,
            outcome,
            note,
            next,
        }) => {
            let input = helpdeck_store::FollowUpInput {
                outcome: outcome.replace('-', "_").parse()?,
                note,
                next_owner: next,
            };
            show(
                store,
                out,
                store.followups().record(&reference, input).await?,
            )
            .await?
        }
        Command::Search {
            query,
            limit,
            offset,
        } => out.search(
            &store.tickets().search(&query, limit, offset).await?,
            offset,
        )?,
        Command::Watch(_) | Command::Notify(_) | Command::Workspace(_) | Command::People(_) => {
            unreachable!("handled by run")
        }
        Command::Attachment(AttachmentCommand::Get {
            sha256,
            out: file,
            thumbnail: true,
        }) => {
            let Some(thumb) = store.files().thumbnail(&sha256)? else {
                bail!("{sha256} is not an image this device can read, so it has no thumbnail");
            };
            std::fs::write(&file, &thumb.bytes)
                .with_context(|| format!("cannot write {}", file.display()))?;
            out.emit(
                &serde_json::json!({ "sha256": sha256, "out": file, "thumbnail": thumb }),
                || {
                    format!(
                        "wrote a {}×{} thumbnail ({}) to {}\n",
                        thumb.width,
                        thumb.height,
                        thumb.media_type,
                        file.display()
                    )
                },
            )?;
        }
        Command::Attachment(AttachmentCommand::Get {
            sha256, out: file, ..
        }) => {
            let bytes = store.files().export_blob(&sha256, &file)?;
            out.emit(
                &serde_json::json!({ "sha256": sha256, "out": file, "bytes": bytes }),
                || format!("wrote {bytes} bytes to {}\n", file.display()),
            )?;
        }
        Command::Jobs => {
            if store.replica().sync_state().await?.is_some() {
                bail!("this workspace is a replica: its server runs the jobs");
            }
            let changed = store.jobs().run_jobs().await?;
            out.emit(&serde_json::json!({ "changed": changed }), || {
                format!(
                    "{} ticket(s) changed (auto-closed, or escalated by a rule)\n",
                    changed.len()
                )
            })?;
        }
        Command::Sla {
            at_risk, breached, ..
        } => out.sla(&store.sla().sla_report(at_risk, breached).await?)?,
        Command::Import { file } => {
            let busy = out.busy(&format!("reading {}…", file.display()));
            let data = helpdeck_store::read_import_file(&file)?;
            drop(busy);
            let bar = out.progress(&format!("importing {} tickets", data.tickets.len()), "rows");
            let summary = store
                .transfer()
                .import_reporting(&data, ImportOptions { outbox: true }, &|done, total| {
                    bar.set(done, total)
                })
                .await?;
            drop(bar);
            out.import(&summary)?;
        }
        Command::Export { format } => {
            let format: ExportFormat = format.parse()?;
            let mut buf = Vec::new();
            store.transfer().export(format, &mut buf).await?;
            std::io::stdout().lock().write_all(&buf)?;
        }
    }
    Ok(())
}

/// Prints a ticket as it is after a change.
async fn show(
    store: &Store,
    out: &output::Printer,
    t: helpdeck_core::ticket::Ticket,
) -> Result<()> {
    out.detail(&store.tickets().ticket(&t.id.to_string()).await?)
}

/// Copies `--attach` files into the workspace's blob store (refusing a bad one before any
/// change is made).
fn import_files(store: &Store, paths: &[PathBuf]) -> Result<Vec<helpdeck_core::command::NewFile>> {
    paths
        .iter()
        .map(|p| Ok(store.files().import_file(p)?))
        .collect()
}

/// A reply or note with `--attach` files.
async fn comment(
    store: &Store,
    out: &output::Printer,
    reference: &str,
    body: &str,
    visibility: Visibility,
    attach: &[PathBuf],
    minutes: Option<u32>,
) -> Result<()> {
    let files = import_files(store, attach)?;
    let ticket = match minutes {
        Some(m) => {
            store
                .time_entries()
                .comment(reference, body, visibility, &files, m)
                .await?
        }
        None => {
            store
                .tickets()
                .comment(reference, body, visibility, &files)
                .await?
        }
    };
    show(store, out, ticket).await
}

async fn ticket(store: &Store, cmd: TicketCommand, out: &output::Printer) -> Result<()> {
    match cmd {
        TicketCommand::Create(a) => {
            let input = CreateInput {
                title: a.title,
                body: a.body,
                priority: parse_opt::<Priority>(a.priority.as_deref())?,
                kind: parse_opt::<Kind>(a.kind.as_deref())?,
                category: a.category,
                channel: None,
                requester: a.requester,
                assignee: a
                    .assignee
                    .as_deref()
                    .map(|s| s.parse::<AssigneeInput>())
                    .transpose()?,
                tier: parse_opt::<Tier>(a.tier.as_deref())?,
                tags: Vec::new(),
                site: None,
                attachments: import_files(store, &a.attach)?,
            };
            show(store, out, store.tickets().create_ticket(input).await?).await?;
        }
        TicketCommand::List(a) => {
            let base = match &a.view {
                Some(name) => {
                    helpdeck_store::ticket_filter(&store.saved_views().find(name).await?.filter)
                }
                None => TicketFilter::default(),
            };
            let mut filter = a.filter.apply(base)?;
            filter.limit = a.limit;
            filter.offset = a.offset;
            if !(1..=helpdeck_store::MAX_PAGE).contains(&a.limit) {
                bail!(
                    "limit: {} is out of range (allowed: 1 to {})",
                    a.limit,
                    helpdeck_store::MAX_PAGE
                );
            }
            let tickets = store.tickets().list_tickets(&filter).await?;
            let total = store.tickets().count_tickets(&filter).await?;
            out.list(&tickets, total, a.offset)?;
        }
        TicketCommand::Show { reference } => {
            out.detail(&store.tickets().ticket(&reference).await?)?
        }
        TicketCommand::Update(a) => {
            let tags = (!a.tags.is_empty()).then(|| {
                a.tags
                    .iter()
                    .filter(|t| !t.trim().is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
            });
            let input = UpdateInput {
                tags,
                site: a.site,
                requester: a.requester,
                title: a.title,
                body: a.body,
                priority: parse_opt::<Priority>(a.priority.as_deref())?,
                kind: parse_opt::<Kind>(a.kind.as_deref())?,
                category: a.category,
                assignee: a
                    .assignee
                    .as_deref()
                    .map(|s| s.parse::<AssigneeInput>())
                    .transpose()?,
                tier: parse_opt::<Tier>(a.tier.as_deref())?,
                status: parse_opt::<Status>(a.status.as_deref())?,
                reason: a.reason,
            };
            show(
                store,
                out,
                store.tickets().update_ticket(&a.reference, input).await?,
            )
            .await?;
        }
        TicketCommand::Reply {
            reference,
            body,
            attach,
            minutes,
        } => {
            comment(
                store,
                out,
                &reference,
                &body,
                Visibility::Public,
                &attach,
                minutes,
            )
            .await?
        }
        TicketCommand::Note {
            reference,
            body,
            attach,
            minutes,
        } => {
            comment(
                store,
                out,
                &reference,
                &body,
                Visibility::Internal,
                &attach,
                minutes,
            )
            .await?
        }
        TicketCommand::Resolve {
            reference,
            cause,
            solution,
            prevention,
        } => {
            let r = Resolution {
                cause,
                solution,
                prevention,
            };
            show(store, out, store.tickets().resolve(&reference, r).await?).await?;
        }
        TicketCommand::Reopen { reference } => {
            show(store, out, store.tickets().reopen(&reference).await?).await?
        }
        TicketCommand::Close { reference, reason } => {
            show(store, out, store.tickets().close(&reference, reason).await?).await?
        }
        TicketCommand::Escalate {
            reference,
            tier,
            reason,
            impact,
        } => {
            let e = helpdeck_core::escalation::Escalation {
                tier: tier.parse()?,
                reason,
                impact,
            };
            show(store, out, store.tickets().escalate(&reference, e).await?).await?
        }
        TicketCommand::Diagnose {
            reference,
            article,
            step,
            as_expected,
            note,
            ..
        } => {
            let a = store.kb().show(&article).await?;
            let Some(s) = a.steps.get(usize::from(step).wrapping_sub(1)) else {
                bail!(
                    "step {step}: the article “{}” has {} diagnosis step(s)",
                    a.title,
                    a.steps.len()
                );
            };
            let done = helpdeck_core::kb::DiagnosisStep {
                article_id: a.id,
                step,
                total: a.steps.len() as u16,
                instruction: s.instruction.clone(),
                as_expected,
                note,
            };
            show(
                store,
                out,
                store.tickets().diagnose(&reference, done).await?,
            )
            .await?
        }
        TicketCommand::Rate {
            reference,
            score,
            comment,
        } => {
            show(
                store,
                out,
                store
                    .tickets()
                    .rate(&reference, Csat { score, comment })
                    .await?,
            )
            .await?
        }
        TicketCommand::Link {
            reference,
            to,
            kind,
        } => {
            let kind: helpdeck_core::op::LinkKind = kind.parse()?;
            show(store, out, store.links().link(&reference, &to, kind).await?).await?
        }
        TicketCommand::Bulk {
            references,
            assignee,
            status,
            priority,
            tier,
            tags,
            macro_name,
        } => {
            let mut refs = Vec::new();
            for r in references {
                match r.strip_prefix('@') {
                    Some(file) => refs.extend(
                        std::fs::read_to_string(file)
                            .with_context(|| format!("cannot read {file}"))?
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(String::from),
                    ),
                    None => refs.push(r),
                }
            }
            let change = helpdeck_store::BulkChange {
                assignee,
                status: parse_opt::<Status>(status.as_deref())?,
                priority: parse_opt::<Priority>(priority.as_deref())?,
                tier: parse_opt::<Tier>(tier.as_deref())?,
                add_tags: tags,
                macro_: macro_name,
            };
            let done = store.tickets().bulk_update(&refs, change).await?;
            out.emit(&done, || {
                let mut s = format!("Changed {} ticket(s).\n", done.changed.len());
                for r in &done.refused {
                    s.push_str(&format!("  {} left as it was: {}\n", r.number, r.reason));
                }
                s
            })?;
        }
        TicketCommand::ApplyMacro { reference, name } => {
            show(store, out, store.macros().apply(&reference, &name).await?).await?
        }
        TicketCommand::Merge { reference, into } => {
            store.links().merge(&reference, &into).await?;
            out.detail(&store.tickets().ticket(&into).await?)?
        }
        TicketCommand::Unlink { reference, to } => {
            show(store, out, store.links().unlink(&reference, &to).await?).await?
        }
    }
    Ok(())
}
