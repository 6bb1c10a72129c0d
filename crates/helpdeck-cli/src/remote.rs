//! `helpdeck server …`, `login`, `logout` and `sync`: the commands that talk to (or are) a
//! Helpdeck server.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use helpdeck_core::user::Role;
use helpdeck_store::Store;
use serde_json::json;

use crate::output::Printer;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
    #[command(flatten)]
    pub run: ServerRun,
}

#[derive(Args, Debug)]
pub struct ServerRun {
    /// Address to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, env = "HELPDECK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A SQLite file path (default: server.db in the data dir) or postgres://USER@HOST/DB.
    #[arg(long, env = "HELPDECK_DB")]
    pub db: Option<String>,
    /// Workspace name shown to users.
    #[arg(long, env = "HELPDECK_WORKSPACE_NAME")]
    pub name: Option<String>,
    /// IANA time zone of the business calendar, e.g. Asia/Shanghai.
    #[arg(long, env = "HELPDECK_TIMEZONE")]
    pub timezone: Option<String>,
    /// Where attachment files are kept (default: blobs/ in the data dir). Server processes
    /// that share a PostgreSQL database must share this directory too.
    #[arg(long, env = "HELPDECK_BLOBS")]
    pub blobs: Option<PathBuf>,
    /// Serve HTTPS with this certificate (PEM, the chain) — with --tls-key. Without them the
    /// server speaks plain HTTP for a reverse proxy that terminates TLS (docs/admin.md).
    #[arg(long, env = "HELPDECK_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "HELPDECK_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// How often the server runs its due jobs (auto-close, …), in seconds.
    #[arg(long, env = "HELPDECK_JOBS_INTERVAL", default_value_t = 60.0)]
    pub jobs_interval: f64,
}

#[derive(Subcommand, Debug)]
pub enum ServerCommand {
    /// Back up a server on SQLite (online) with its attachment files to one
    /// passphrase-encrypted FILE. PostgreSQL: pg_dump (docs/admin.md).
    Backup {
        #[command(flatten)]
        files: ServerFiles,
        #[command(flatten)]
        args: crate::backup::BackupArgs,
    },
    /// Personal data (PIPL) on the server: export a person's, or erase a customer (every
    /// replica resyncs and holds the erased state).
    Privacy {
        #[command(flatten)]
        files: ServerFiles,
        #[command(subcommand)]
        command: crate::privacy::PrivacyCommand,
    },
    /// Restore a server backup into a new SQLite file and blob directory.
    Restore {
        #[command(flatten)]
        files: ServerFiles,
        #[command(flatten)]
        args: crate::backup::RestoreArgs,
    },
    /// Manage accounts (run on the server machine, against its database).
    #[command(subcommand)]
    User(UserCommand),
    /// The workspace's SLA policy, which every replica times tickets by (replicas receive a
    /// change with their next sync).
    Sla {
        #[arg(long, env = "HELPDECK_DB", global = true)]
        db: Option<String>,
        #[command(subcommand)]
        command: crate::watch::PolicyCommand,
    },
}

/// Where a server's SQLite database and attachment files are (backup, restore).
#[derive(Args, Debug)]
pub struct ServerFiles {
    /// The server's SQLite file (default: server.db in the data dir).
    #[arg(long, env = "HELPDECK_DB")]
    pub db: Option<String>,
    /// The server's attachment files (default: blobs/ in the data dir).
    #[arg(long, env = "HELPDECK_BLOBS")]
    pub blobs: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user; the password is read from stdin (--password-stdin) or HELPDECK_PASSWORD.
    Add {
        #[arg(long, env = "HELPDECK_DB")]
        db: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, agent or customer.
        #[arg(long)]
        role: String,
        /// The customer's organization (created if new).
        #[arg(long)]
        org: Option<String>,
        /// The customer sees all of the organization's tickets.
        #[arg(long)]
        org_admin: bool,
        /// The agent's team (created if new).
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// The devices a user signed in from (last seen first), with their working tokens.
    Devices {
        #[arg(long, env = "HELPDECK_DB")]
        db: Option<String>,
        #[arg(long)]
        email: String,
    },
    /// Sign a user out of one device (--device ID) or of every device: a lost laptop, a
    /// person who left. Their next request is refused; they sign in again.
    Revoke {
        #[arg(long, env = "HELPDECK_DB")]
        db: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        device: Option<uuid::Uuid>,
    },
    /// Change a user's role or organization; their devices resync what they may see.
    Update {
        #[arg(long, env = "HELPDECK_DB")]
        db: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        org_admin: Option<bool>,
    },
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// Server URL, e.g. https://helpdeck.example.com or http://127.0.0.1:8080.
    #[arg(long)]
    pub server: String,
    #[arg(long)]
    pub email: String,
    /// Read the password from the first line of stdin (otherwise it is asked for at a
    /// terminal, or taken from HELPDECK_PASSWORD).
    #[arg(long)]
    pub password_stdin: bool,
    /// Name of this device as the server lists it (default: the host name).
    #[arg(long)]
    pub device_name: Option<String>,
}

pub fn read_password(from_stdin: bool) -> Result<String> {
    let pw = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else if let Ok(p) = std::env::var("HELPDECK_PASSWORD") {
        p
    } else if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        // Typed, not echoed.
        rpassword::prompt_password("Password: ")?
    } else {
        bail!(
            "no password: type it at a terminal, pass --password-stdin and write it to stdin, or set HELPDECK_PASSWORD"
        );
    };
    if pw.is_empty() {
        bail!("the password is empty");
    }
    Ok(pw)
}

fn server_db(data_dir: &Path, db: Option<String>) -> Result<String> {
    Ok(match db {
        Some(d) => d,
        None => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create {}", data_dir.display()))?;
            data_dir.join("server.db").display().to_string()
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

pub async fn server(data_dir: &Path, args: ServerArgs, out: &Printer) -> Result<()> {
    match args.command {
        None => {
            let config = helpdeck_server::Config {
                listen: args.run.listen,
                db: server_db(data_dir, args.run.db)?,
                name: args.run.name,
                timezone: args.run.timezone,
                jobs_interval: jobs_interval(args.run.jobs_interval)?,
                blobs_dir: args.run.blobs.unwrap_or_else(|| data_dir.join("blobs")),
                tls: match (args.run.tls_cert, args.run.tls_key) {
                    (Some(cert), Some(key)) => Some(helpdeck_server::tls::TlsFiles { cert, key }),
                    _ => None,
                },
            };
            let scheme = if config.tls.is_some() {
                "https"
            } else {
                "http"
            };
            let json = out.is_json();
            helpdeck_server::serve(config, shutdown_signal(), move |addr| {
                if json {
                    println!("{}", json!({"listening": format!("{scheme}://{addr}")}));
                } else {
                    println!("helpdeck server listening on {scheme}://{addr}");
                }
            })
            .await?;
        }
        Some(ServerCommand::Backup { files, args }) => {
            let db = server_db(data_dir, files.db)?;
            let blobs = files.blobs.unwrap_or_else(|| data_dir.join("blobs"));
            crate::backup::server_backup(&db, &blobs, args, out).await?;
        }
        Some(ServerCommand::Restore { files, args }) => {
            let db = server_db(data_dir, files.db)?;
            let blobs = files.blobs.unwrap_or_else(|| data_dir.join("blobs"));
            crate::backup::server_restore(&db, &blobs, args, out).await?;
        }
        Some(ServerCommand::Privacy { files, command }) => {
            let db = helpdeck_server::Db::connect(&server_db(data_dir, files.db)?).await?;
            let blobs = files.blobs.unwrap_or_else(|| data_dir.join("blobs"));
            let result = crate::privacy::server(&db, &blobs, command, out).await;
            db.pool.close().await;
            result?;
        }
        Some(ServerCommand::Sla { db, command }) => {
            let db = helpdeck_server::Db::connect(&server_db(data_dir, db)?).await?;
            let current = db
                .rules()
                .await?
                .sla
                .map(|s| s.policy)
                .context("the server has no SLA policy")?;
            let policy = match command {
                crate::watch::PolicyCommand::Show => current,
                crate::watch::PolicyCommand::Set(a) => {
                    let change = crate::watch::policy_change(a, &current)?;
                    db.change_sla_policy(&change).await?
                }
            };
            crate::watch::print_policy(&policy, out.is_json())?;
        }
        Some(ServerCommand::User(UserCommand::Add {
            db,
            email,
            name,
            role,
            org,
            org_admin,
            team,
            password_stdin,
        })) => {
            let role: Role = role.parse()?;
            let password = read_password(password_stdin)?;
            let db = helpdeck_server::Db::connect(&server_db(data_dir, db)?).await?;
            let user = helpdeck_server::add_user(
                &db,
                helpdeck_server::NewUser {
                    email,
                    name,
                    role,
                    organization: org,
                    org_admin,
                    team,
                    password,
                },
            )
            .await?;
            db.pool.close().await;
            out.emit(&user, || {
                format!("added {} <{}> as {}\n", user.name, user.email, user.role)
            })?;
        }
        Some(ServerCommand::User(UserCommand::Devices { db, email })) => {
            let db = helpdeck_server::Db::connect(&server_db(data_dir, db)?).await?;
            let devices = helpdeck_server::devices(&db, &email).await;
            db.pool.close().await;
            let devices = devices?;
            out.emit(&serde_json::json!({ "devices": devices }), || {
                if devices.is_empty() {
                    return format!("{email} has not signed in from any device\n");
                }
                let mut s = String::new();
                for d in &devices {
                    s.push_str(&format!(
                        "{}  {:<24} last seen {}  {}\n",
                        d.id,
                        d.name,
                        out.time(d.last_seen_at),
                        if d.active_tokens > 0 {
                            "signed in"
                        } else {
                            "signed out"
                        }
                    ));
                }
                s
            })?;
        }
        Some(ServerCommand::User(UserCommand::Revoke { db, email, device })) => {
            let db = helpdeck_server::Db::connect(&server_db(data_dir, db)?).await?;
            let revoked = helpdeck_server::revoke_devices(&db, &email, device).await;
            db.pool.close().await;
            let revoked = revoked?;
            out.emit(&serde_json::json!({ "revoked_tokens": revoked }), || {
                format!(
                    "signed {email} out of {} ({revoked} token(s) revoked)\n",
                    device
                        .map(|d| format!("device {d}"))
                        .unwrap_or_else(|| "every device".into())
                )
            })?;
        }
        Some(ServerCommand::User(UserCommand::Update {
            db,
            email,
            role,
            org,
            org_admin,
        })) => {
            let role = role.map(|r| r.parse::<Role>()).transpose()?;
            let db = helpdeck_server::Db::connect(&server_db(data_dir, db)?).await?;
            let user = helpdeck_server::update_user(&db, &email, role, org, org_admin).await?;
            db.pool.close().await;
            out.emit(&user, || {
                format!("updated {} <{}>: {}\n", user.name, user.email, user.role)
            })?;
        }
    }
    Ok(())
}

pub async fn login(data_dir: &Path, args: LoginArgs, out: &Printer) -> Result<()> {
    if let Some(w) = helpdeck_sync::client::plain_http_warning(&args.server) {
        eprintln!("warning: {w}");
    }
    let password = read_password(args.password_stdin)?;
    let device = device_name(args.device_name);
    let store = helpdeck_sync::login(
        data_dir,
        &args.server,
        &args.email,
        &password,
        &device,
        helpdeck_notify::os_lang().code(),
    )
    .await?;
    let me = store.actor().clone();
    let ws = store.workspace().clone();
    store.shutdown().await;
    out.emit(
        &json!({"user": me, "workspace_id": ws.id, "workspace": ws.name, "device_id": ws.device_id}),
        || format!("signed in to {} as {} ({}); run `helpdeck sync` to fetch tickets\n", args.server, me.email, me.role),
    )
}

#[derive(Args, Debug)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub login: LoginArgs,
    /// Upload without asking (needed when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

fn device_name(given: Option<String>) -> String {
    given.unwrap_or_else(|| {
        std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "helpdeck-cli".into())
    })
}

/// `helpdeck connect`: uploads a local workspace to a server, after a confirmation, and
/// makes the data dir a replica of it.
pub async fn connect(data_dir: &Path, args: ConnectArgs, out: &Printer) -> Result<()> {
    use std::io::IsTerminal;
    let plan = helpdeck_sync::connect::plan(data_dir).await?;
    if !args.yes {
        if args.login.password_stdin || !std::io::stdin().is_terminal() {
            bail!(
                "connecting uploads {} tickets, {} comments, {} files, {} links, {} articles and {} macros to {}; confirm with --yes",
                plan.tickets,
                plan.comments,
                plan.attachments,
                plan.links,
                plan.articles,
                plan.macros,
                args.login.server
            );
        }
        eprint!(
            "Upload {} tickets, {} comments, {} files ({} bytes), {} links, {} articles and {} macros to {} as {}?\n\
             The server gives the tickets new numbers; the old ones stay findable (search, ticket show).\n\
             This data dir then becomes a replica of the server; the local workspace is kept beside it.\n\
             Type yes to continue: ",
            plan.tickets,
            plan.comments,
            plan.attachments,
            plan.attachment_bytes,
            plan.links,
            plan.articles,
            plan.macros,
            args.login.server,
            args.login.email
        );
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            bail!("not connected: nothing was uploaded");
        }
    }
    let password = read_password(args.login.password_stdin)?;
    let device = device_name(args.login.device_name);
    let busy = out.busy("uploading the workspace…");
    let done = helpdeck_sync::connect::connect(
        data_dir,
        &args.login.server,
        &args.login.email,
        &password,
        &device,
    )
    .await;
    drop(busy);
    let done = done?;
    let every = helpdeck_store::TicketFilter {
        all_statuses: true,
        ..Default::default()
    };
    let count = done.store.tickets().count_tickets(&every).await?;
    let backup = done.backup.display().to_string();
    done.store.shutdown().await;
    out.emit(
        &json!({"uploaded": done.uploaded, "tickets_here": count, "local_backup": backup}),
        || {
            format!(
                "connected to {}: uploaded {} tickets, {} comments, {} files, {} links; this data dir is now a replica ({} tickets); the local workspace is kept at {}\n",
                args.login.server,
                done.uploaded.tickets,
                done.uploaded.comments,
                done.uploaded.attachments,
                done.uploaded.links,
                count,
                backup
            )
        },
    )
}

pub async fn logout(store: &Store, out: &Printer) -> Result<()> {
    helpdeck_sync::logout(store).await?;
    out.emit(&json!({"signed_out": true}), || {
        "signed out; local data and pending changes are kept\n".into()
    })
}

pub async fn sync(store: Store, once: bool, out: &Printer) -> Result<()> {
    let client = helpdeck_sync::client_for(&store).await?;
    if once {
        let bar = out.progress("syncing", "changes");
        let summary = helpdeck_sync::sync_once_reporting(&store, &client, &|done, total| {
            bar.set(done, total)
        })
        .await;
        drop(bar);
        let state = store.replica().sync_state().await?;
        let summary = match summary {
            Ok(s) => s,
            Err(e) => {
                let _ = store
                    .replica()
                    .record_sync_result(Some(&e.to_string()))
                    .await;
                store.shutdown().await;
                return Err(e.into());
            }
        };
        store.shutdown().await;
        return out.emit(&json!({"round": summary, "state": state}), || {
            format!(
                "pushed {} ({} refused), pulled {} tickets, revoked {}; {} pending, cursor {}\n",
                summary.pushed,
                summary.rejected,
                summary.pulled,
                summary.revoked,
                state.as_ref().map_or(0, |s| s.pending),
                summary.cursor
            )
        });
    }
    // Foreground loop: print every status change until Ctrl-C.
    let store = Arc::new(store);
    let handle = helpdeck_sync::spawn(store.clone(), client);
    let mut status = handle.watch_status();
    let json = out.is_json();
    loop {
        tokio::select! {
            _ = shutdown_signal() => break,
            r = status.changed() => {
                if r.is_err() { break; }
                let s = status.borrow_and_update().clone();
                if json {
                    println!("{}", serde_json::to_string(&s)?);
                } else {
                    println!("{:?}: {} pending{}", s.phase, s.pending,
                        s.last_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default());
                }
            }
        }
    }
    handle.stop();
    Ok(())
}

/// `--jobs-interval` as a duration: 0.05 s to one day.
fn jobs_interval(secs: f64) -> anyhow::Result<std::time::Duration> {
    if !(0.05..=86_400.0).contains(&secs) {
        anyhow::bail!("--jobs-interval: {secs} is out of range (allowed: 0.05 to 86400 seconds)");
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}
