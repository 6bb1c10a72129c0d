//! Sync benchmarks against a real server (spec §8): initial sync of a fresh client, push
//! throughput, propagation A → server → B, and all of it again with 500 idle long-polling
//! clients connected. The server runs as a child process of this binary (`serve` mode), so
//! its memory is its own; clients use the helpdeck-sync crate over real HTTP on loopback.
//!
//! ```text
//! helpdeck-sync-bench --db sqlite   --tickets 100000 --dir DIR
//! helpdeck-sync-bench --db postgres --tickets 100000 --dir DIR   (needs HELPDECK_TEST_PG)
//! ```
//!
//! Prints one `key: value` line per measurement, for docs/benchmarks.md.

#[path = "../bench_key.rs"]
mod bench_key;
use bench_key::bench_key;
#[path = "../s8.rs"]
mod s8;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use helpdeck_core::apply::{Context as RuleContext, TrustingDirectory};
use helpdeck_core::command::{NewTicket, Rules, create_ticket};
use helpdeck_core::op::{Change, CommentDraft, OP_SCHEMA_VERSION, Op, TicketFields};
use helpdeck_core::record::Visibility;
use helpdeck_core::sync::{AckStatus, LoginRequest, LoginResponse, hlc_at};
use helpdeck_core::ticket::{Priority, Tier};
use helpdeck_core::user::{Role, User};
use helpdeck_core::{Timestamp, Uuid};
use helpdeck_server::{Db, NewUser};
use helpdeck_store::{InitOptions, ReplicaInit, Store, UpdateInput};
use helpdeck_sync::Client;
use sqlx::Connection;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// Server database backend.
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Backend,
    /// PostgreSQL server to create the benchmark database in (a fresh database per run).
    #[arg(long, env = "HELPDECK_TEST_PG")]
    pg_url: Option<String>,
    /// Tickets seeded on the server (with the demo generator's comments).
    #[arg(long, default_value_t = 100_000)]
    tickets: usize,
    /// Changes timed for propagation.
    #[arg(long, default_value_t = 200)]
    changes: usize,
    /// Idle long-polling clients for the "without degradation" runs.
    #[arg(long, default_value_t = 500)]
    idle: usize,
    /// Set ops pushed for the push-throughput measurement (in batches of 500).
    #[arg(long, default_value_t = 20_000)]
    push_ops: usize,
    /// Changes timed for propagation while the idle clients are connected (every change
    /// wakes all of them).
    #[arg(long, default_value_t = 50)]
    idle_changes: usize,
    /// Set ops pushed while the idle clients are connected.
    #[arg(long, default_value_t = 10_000)]
    idle_push_ops: usize,
    /// Scratch directory (replicas and the SQLite server database; emptied first).
    #[arg(long, default_value = "bench-data")]
    dir: PathBuf,
}

#[derive(Subcommand)]
enum Mode {
    /// Internal: run a server until stdin closes; prints `listening ADDR`.
    Serve {
        #[arg(long)]
        db: String,
    },
    /// Work orders (issue 15): a technician's laptop with N tickets and N work orders made
    /// offline — the cost of making one, the Today view, the push of all of it, and an office
    /// replica's first pull — against a server process on loopback (SQLite).
    WorkOrders {
        /// Work orders (each on a ticket of its own).
        #[arg(long, default_value_t = 10_000)]
        orders: usize,
        /// Timed runs of the Today view.
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Attachments only: upload and download throughput and the cost of resuming an
    /// interrupted upload, against a server process on loopback (SQLite).
    Files {
        /// Size of the test file, MiB (at most 25).
        #[arg(long, default_value_t = 20)]
        mib: u64,
        /// Files timed each way.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

const PASSWORD: &str = "bench-password-123";
const PUSH_BATCH: usize = 500;

fn main() -> Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match &args.mode {
        Some(Mode::Serve { db }) => rt.block_on(serve(db.clone())),
        Some(Mode::Files { mib, runs }) => rt.block_on(files_bench(&args.dir, *mib, *runs)),
        Some(Mode::WorkOrders { orders, runs }) => {
            rt.block_on(workorder_bench(&args.dir, *orders, *runs))
        }
        None => rt.block_on(run(args)),
    }
}

/// Server mode: stops when the parent closes our stdin.
async fn serve(db: String) -> Result<()> {
    let config = helpdeck_server::Config {
        listen: "127.0.0.1:0".parse()?,
        db,
        name: Some("Sync bench".into()),
        timezone: Some("Asia/Shanghai".into()),
        jobs_interval: Duration::from_secs(60),
        blobs_dir: std::env::temp_dir()
            .join(format!("helpdeck-bench-blobs-{}", std::process::id())),
        tls: None,
    };
    let shutdown = async {
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin()
                .read_line(&mut sink)
                .map(|n| n > 0)
                .unwrap_or(false)
            {}
        })
        .await;
    };
    helpdeck_server::serve(config, shutdown, |addr| {
        println!("listening {addr}");
    })
    .await?;
    Ok(())
}

/// A server child process.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(db: &str) -> Result<Server> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["serve", "--db", db])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the server process")?;
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .ok_or_else(|| anyhow!("server did not start: {line:?}"))?;
        Ok(Server {
            url: format!("http://{addr}"),
            child,
        })
    }

    /// Resident memory of the server process, MiB.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    fn stop(mut self) {
        drop(self.child.stdin.take()); // EOF: graceful shutdown
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Strictly increasing HLC values for ops made by the benchmark itself.
struct Clock {
    device: Uuid,
    last: i128,
}

impl Clock {
    fn tick(&mut self) -> (String, Timestamp) {
        let now = Timestamp::now().as_nanosecond().max(self.last + 1);
        self.last = now;
        let at = Timestamp::from_nanosecond(now).expect("in range");
        (hlc_at(at, self.device), at)
    }
}

struct Session {
    client: Client,
    login: LoginResponse,
    device: Uuid,
}

async fn login(url: &str, email: &str) -> Result<Session> {
    let device = Uuid::now_v7();
    let resp = Client::new(url, None)?
        .login(&LoginRequest {
            email: email.into(),
            password: PASSWORD.into(),
            device_id: device,
            device_name: format!("bench {email}"),
        })
        .await?;
    Ok(Session {
        client: Client::new(url, Some(resp.token.clone()))?,
        login: resp,
        device,
    })
}

async fn replica(dir: &Path, url: &str, s: &Session) -> Result<Store> {
    let _ = std::fs::remove_dir_all(dir);
    let r = &s.login;
    Ok(Store::init_replica_with_key(
        dir,
        InitOptions {
            name: r.workspace_name.clone(),
            timezone: r.timezone.clone(),
            language: "en".into(),
            owner_name: r.user.name.clone(),
            owner_email: r.user.email.clone(),
        },
        ReplicaInit {
            server_url: url.to_string(),
            workspace_id: r.workspace_id,
            device_id: s.device,
            user: r.user.clone(),
        },
        bench_key(dir)?,
    )
    .await?)
}

fn op(clock: &mut Clock, actor: Uuid, id: Uuid, change: Change) -> Op {
    let (hlc, at) = clock.tick();
    Op {
        op_id: Uuid::now_v7(),
        entity: change.entity(),
        entity_id: id,
        change,
        hlc,
        at,
        device_id: clock.device,
        actor_id: actor,
        schema_version: OP_SCHEMA_VERSION,
    }
}

/// Pushes `ops` in batches; returns the wall time and the per-batch latencies.
async fn push_all(client: &Client, ops: &[Op], batch: usize) -> Result<(Duration, Vec<Duration>)> {
    let start = Instant::now();
    let mut lat = Vec::new();
    for chunk in ops.chunks(batch) {
        let t = Instant::now();
        let resp = client.push(chunk).await?;
        lat.push(t.elapsed());
        if let Some(a) = resp.acks.iter().find(|a| a.status == AckStatus::Rejected) {
            bail!("op rejected: {:?}", a.error);
        }
    }
    Ok((start.elapsed(), lat))
}

struct Seeded {
    tickets: Vec<Uuid>,
    /// Creates and comments pushed per second while seeding.
    ops_per_s: f64,
}

/// Seeds the server with `n` demo tickets and their comments, as an agent's creates.
async fn seed(s: &Session, customers: &[User], n: usize) -> Result<Seeded> {
    let data = helpdeck_demo::generate(n, 7, Timestamp::now());
    let rules = Rules {
        local_workspace: false,
        ..Rules::default()
    };
    let actor = s.login.user.clone();
    let mut clock = Clock {
        device: s.device,
        last: 0,
    };
    let mut tickets = Vec::with_capacity(n);
    let mut ops = Vec::with_capacity(1000);
    let mut total_ops = 0usize;
    let mut comments = 0usize;
    let start = Instant::now();
    let mut push_time = Duration::ZERO;
    for (i, r) in data.tickets.iter().enumerate() {
        let requester = &customers[i % customers.len()];
        let id = Uuid::now_v7();
        let decided = create_ticket(
            NewTicket {
                title: r.title.clone(),
                description: r.description.clone(),
                priority: Some(r.priority),
                kind: Some(r.kind),
                category: Some(r.category.clone()),
                channel: Some(r.channel),
                requester_id: Some(requester.id),
                ..NewTicket::default()
            },
            id,
            0,
            &RuleContext {
                actor: &actor,
                rules: &rules,
                now: Timestamp::now(),
                directory: &TrustingDirectory,
            },
        )?;
        for step in decided.steps {
            ops.push(op(&mut clock, actor.id, id, step.change));
        }
        tickets.push(id);
        for c in &r.comments {
            ops.push(op(
                &mut clock,
                actor.id,
                Uuid::now_v7(),
                Change::AddComment(CommentDraft {
                    ticket_id: id,
                    visibility: c.visibility,
                    body: c.body.clone(),
                }),
            ));
            comments += 1;
        }
        if ops.len() >= 1000 - 16 || i + 1 == data.tickets.len() {
            total_ops += ops.len();
            let (t, _) = push_all(&s.client, &ops, 1000).await?;
            push_time += t;
            ops.clear();
        }
    }
    println!(
        "seed: {n} tickets + {comments} comments = {total_ops} create ops pushed in batches of ≤1000 in {:.1} s (push time {:.1} s): {:.0} ops/s",
        start.elapsed().as_secs_f64(),
        push_time.as_secs_f64(),
        total_ops as f64 / push_time.as_secs_f64()
    );
    Ok(Seeded {
        tickets,
        ops_per_s: total_ops as f64 / push_time.as_secs_f64(),
    })
}

/// Pushes `n` Set ops (priority or tier of random tickets) in batches of 500.
async fn push_sets(s: &Session, tickets: &[Uuid], n: usize, label: &str) -> Result<f64> {
    let mut clock = Clock {
        device: s.device,
        last: 0,
    };
    let actor = s.login.user.id;
    let priorities = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];
    let tiers = [Tier::L1, Tier::L2, Tier::L3];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let ops: Vec<Op> = (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = tickets[(x % tickets.len() as u64) as usize];
            let mut fields = TicketFields::default();
            if i % 2 == 0 {
                fields.priority = Some(priorities[i % 4]);
            } else {
                fields.tier = Some(tiers[i % 3]);
            }
            op(&mut clock, actor, t, Change::UpdateTicket(fields))
        })
        .collect();
    let (wall, mut lat) = push_all(&s.client, &ops, PUSH_BATCH).await?;
    lat.sort();
    println!(
        "push {label}: {n} Set ops in batches of {PUSH_BATCH}: {:.0} ops/s ({:.2} s; batch p50 {:.0} ms, p95 {:.0} ms)",
        n as f64 / wall.as_secs_f64(),
        wall.as_secs_f64(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.95))
    );
    Ok(n as f64 / wall.as_secs_f64())
}

/// The limit of Set pushes on a SQLite server: the rows a batch of 500 Set ops reads and
/// writes, done bare by SQLite on a copy of the server's database (same tables, indexes and
/// pragmas; one transaction a batch): the batch's ticket documents read in one statement,
/// each ticket's row written once (a hundred a statement), an event and an applied op per op
/// (rows the size of the server's own), the sequence bumped. No HTTP, no JSON, no rule, no
/// clock: what SQLite alone takes for what a Set push must write.
async fn push_limit(server_db: &Path, dir: &Path, tickets: &[Uuid], n: usize) -> Result<f64> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let copy = dir.join("push-limit.db");
    let _ = std::fs::remove_file(&copy);
    let source = SqliteConnectOptions::new().filename(server_db);
    let mut c = sqlx::SqliteConnection::connect_with(&source).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(copy.display().to_string())
        .execute(&mut c)
        .await?;
    c.close().await?;
    let options = SqliteConnectOptions::new()
        .filename(&copy)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("mmap_size", "1073741824");
    let mut c = sqlx::SqliteConnection::connect_with(&options).await?;
    let (event,): (String,) =
        sqlx::query_as("SELECT state FROM events ORDER BY server_seq DESC LIMIT 1")
            .fetch_one(&mut c)
            .await?;
    let (device,): (String,) = sqlx::query_as("SELECT device_id FROM applied_ops LIMIT 1")
        .fetch_one(&mut c)
        .await?;
    let (mut seq,): (i64,) = sqlx::query_as("SELECT last_seq FROM server_meta")
        .fetch_one(&mut c)
        .await?;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let start = Instant::now();
    for _ in 0..n / PUSH_BATCH {
        let ids: Vec<String> = (0..PUSH_BATCH)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                tickets[(x % tickets.len() as u64) as usize].to_string()
            })
            .collect();
        let mut tx = c.begin_with("BEGIN IMMEDIATE").await?;
        let list = vec!["?"; ids.len()].join(", ");
        let mut read = sqlx::query_as::<_, (String, Option<String>, Option<String>, String)>(
            sqlx::AssertSqlSafe(format!(
                "SELECT id, requester_id, organization_id, doc FROM tickets WHERE id IN ({list})"
            )),
        );
        for id in &ids {
            read = read.bind(id);
        }
        let docs = read.fetch_all(&mut *tx).await?;
        for chunk in docs.chunks(100) {
            let values = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE tickets SET requester_id = v.column2, organization_id = v.column3, \
                 doc = v.column4, server_seq = v.column5 FROM (VALUES {values}) AS v \
                 WHERE tickets.id = v.column1"
            )));
            for (id, requester, org, doc) in chunk {
                seq += 1;
                q = q.bind(id).bind(requester).bind(org).bind(doc).bind(seq);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in ids.chunks(100) {
            let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO events (id, ticket_id, server_seq, state) VALUES {values}"
            )));
            for id in chunk {
                seq += 1;
                q = q
                    .bind(Uuid::now_v7().to_string())
                    .bind(id)
                    .bind(seq)
                    .bind(&event);
            }
            q.execute(&mut *tx).await?;
            let values = vec!["(?, 'applied', ?, NULL, ?, ?)"; chunk.len()].join(", ");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO applied_ops (op_id, status, server_seq, error, device_id, received_at) \
                 VALUES {values}"
            )));
            for _ in chunk {
                q = q
                    .bind(Uuid::now_v7().to_string())
                    .bind(seq)
                    .bind(&device)
                    .bind(Timestamp::now().as_millisecond());
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE server_meta SET last_seq = ? WHERE singleton = 1")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    c.close().await?;
    let _ = std::fs::remove_file(&copy);
    println!("limit: SQLite doing the reads and row writes of {n} Set ops bare: {rate:.0} ops/s");
    Ok(rate)
}

/// Mixed batches of 500: 100 new tickets, 200 comments on them, 200 Set ops.
async fn push_mixed(s: &Session, tickets: &[Uuid], batches: usize, label: &str) -> Result<f64> {
    let mut clock = Clock {
        device: s.device,
        last: 0,
    };
    let actor = s.login.user.clone();
    let rules = Rules {
        local_workspace: false,
        ..Rules::default()
    };
    let mut ops = Vec::new();
    for b in 0..batches {
        let mut new_ids = Vec::new();
        for k in 0..100 {
            let id = Uuid::now_v7();
            let decided = create_ticket(
                NewTicket {
                    title: format!("Mixed batch {b} ticket {k}: VPN 连接断开"),
                    description: "The VPN drops every few minutes. 每隔几分钟断一次。".into(),
                    ..NewTicket::default()
                },
                id,
                0,
                &RuleContext {
                    actor: &actor,
                    rules: &rules,
                    now: Timestamp::now(),
                    directory: &TrustingDirectory,
                },
            )?;
            for step in decided.steps {
                ops.push(op(&mut clock, actor.id, id, step.change));
            }
            new_ids.push(id);
        }
        for k in 0..200 {
            ops.push(op(
                &mut clock,
                actor.id,
                Uuid::now_v7(),
                Change::AddComment(CommentDraft {
                    ticket_id: new_ids[k % 100],
                    visibility: Visibility::Public,
                    body: "Restarted the client; please try again. 请重试。".into(),
                }),
            ));
        }
        for k in 0..200 {
            let fields = TicketFields {
                priority: Some(Priority::P2),
                ..TicketFields::default()
            };
            let t = tickets[(b * 997 + k * 131) % tickets.len()];
            ops.push(op(&mut clock, actor.id, t, Change::UpdateTicket(fields)));
        }
    }
    let (wall, mut lat) = push_all(&s.client, &ops, PUSH_BATCH).await?;
    lat.sort();
    println!(
        "push {label}: {} mixed ops (per 500: 100 creates, 200 comments, 200 sets): {:.0} ops/s ({:.2} s; batch p50 {:.0} ms, p95 {:.0} ms)",
        ops.len(),
        ops.len() as f64 / wall.as_secs_f64(),
        wall.as_secs_f64(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.95))
    );
    Ok(ops.len() as f64 / wall.as_secs_f64())
}

/// A → server → B: A changes a ticket in its replica and syncs; B runs the background loop.
async fn propagation(
    a: &Store,
    client_a: &Client,
    b: &Arc<Store>,
    client_b: Client,
    tickets: &[Uuid],
    n: usize,
    label: &str,
) -> Result<f64> {
    let handle = helpdeck_sync::spawn(b.clone(), client_b);
    let mut changes = handle.subscribe_changes();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Vec<Uuid>, Instant)>();
    let stamper = tokio::spawn(async move {
        while let Ok(ids) = changes.recv().await {
            if tx.send((ids, Instant::now())).is_err() {
                break;
            }
        }
    });
    // Let B finish its first round and sit in its long-poll.
    let mut status = handle.watch_status();
    let _ = tokio::time::timeout(
        Duration::from_secs(60),
        status.wait_for(|s| s.phase == helpdeck_sync::SyncPhase::Synced),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while rx.try_recv().is_ok() {}

    let mut lat = Vec::with_capacity(n);
    let mut push_lat = Vec::with_capacity(n);
    let mut missed = 0;
    for i in 0..n {
        let id = if i % 2 == 0 {
            let t = a
                .tickets()
                .create_ticket(helpdeck_store::CreateInput {
                    title: format!("Propagation {label} {i}: 打印机无法连接"),
                    body: "Printer on floor 3 is offline.".into(),
                    ..Default::default()
                })
                .await?;
            t.id
        } else {
            let id = tickets[(i * 7919) % tickets.len()];
            let current = a.tickets().ticket(&id.to_string()).await?.ticket.priority;
            let priority = [Priority::P1, Priority::P2, Priority::P3, Priority::P4]
                .into_iter()
                .find(|p| *p != current)
                .expect("another priority");
            a.tickets()
                .update_ticket(
                    &id.to_string(),
                    UpdateInput {
                        priority: Some(priority),
                        ..Default::default()
                    },
                )
                .await?;
            id
        };
        let t0 = Instant::now();
        helpdeck_sync::sync_once(a, client_a).await?;
        push_lat.push(t0.elapsed());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((ids, at))) if ids.contains(&id) => {
                    lat.push(at.duration_since(t0));
                    break;
                }
                Ok(Some(_)) => continue,
                _ => {
                    missed += 1;
                    break;
                }
            }
        }
        // Changes arrive one at a time, 10–60 ms apart.
        tokio::time::sleep(Duration::from_millis(10 + (i as u64 * 37) % 50)).await;
    }
    handle.stop();
    stamper.abort();
    lat.sort();
    push_lat.sort();
    println!(
        "propagation {label}: {} changes (half creates, half priority changes): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; A's sync round (push + pull own change) p50 {:.1} ms; not seen within 10 s: {missed}",
        lat.len(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.95)),
        ms(*lat.last().unwrap_or(&Duration::ZERO)),
        ms(percentile(&push_lat, 0.5)),
    );
    // A change never seen counts as the 10 s it was waited for (a lower bound).
    Ok(if missed > 0 {
        10_000.0
    } else {
        ms(percentile(&lat, 0.95))
    })
}

/// CPU time of the server process and of this one (pusher, replicas, idle clients) from a
/// moment on.
struct Cpu {
    at: Instant,
    server: f64,
    bench: f64,
}

/// Cores each process kept busy over a measured stretch.
#[derive(Clone, Copy)]
struct CpuUse {
    server_cores: f64,
    bench_cores: f64,
    cores: usize,
}

impl Cpu {
    fn now(server: &Server) -> Cpu {
        Cpu {
            at: Instant::now(),
            server: cpu_secs(server.child.id()),
            bench: cpu_secs(std::process::id()),
        }
    }

    fn since(&self, server: &Server, label: &str) -> CpuUse {
        let wall = self.at.elapsed().as_secs_f64().max(1e-9);
        let u = CpuUse {
            server_cores: (cpu_secs(server.child.id()) - self.server) / wall,
            bench_cores: (cpu_secs(std::process::id()) - self.bench) / wall,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        println!(
            "cpu {label}: server {:.2} cores, bench process {:.2} cores (of {})",
            u.server_cores, u.bench_cores, u.cores
        );
        u
    }
}

/// CPU seconds process `pid` has used, every thread, ended ones included: utime and stime of
/// /proc/PID/stat, in USER_HZ ticks (100 a second: Linux's ABI fixes it).
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The name (field 2) may hold spaces; fields after it start at 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<f64>().ok());
    (field(14).unwrap_or(0.0) + field(15).unwrap_or(0.0)) / 100.0
}

/// Idle clients: each its own device, connection and long-poll loop at the head. After its
/// first pull (the app's client) an idle client long-polls with plain HTTP: it reads every
/// answer whole but decodes only where the answer leaves it (`next_cursor`), not the page.
/// The bench's clients share the server's two cores; what a real replica then does with a
/// page costs its own machine, not the server (the bench's CPU figures show what they took).
struct Idle {
    stop: Arc<AtomicBool>,
    pulls: Arc<AtomicU64>,
    errors: Arc<AtomicU64>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

async fn start_idle(url: &str, emails: &[String], n: usize) -> Result<Idle> {
    let start = Instant::now();
    let mut sessions = Vec::with_capacity(n);
    for i in 0..n {
        sessions.push(login(url, &emails[i % emails.len()]).await?);
    }
    // The newest change: what a first pull page says it goes up to.
    let head = sessions[0].client.pull(0, 0).await?.upper_bound;
    let stop = Arc::new(AtomicBool::new(false));
    let pulls = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let ready = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for s in sessions {
        // The first pull of a device starts at 0 (it records the device's view); then the
        // client stands at the head, as a caught-up replica does.
        let (stop, pulls, errors) = (stop.clone(), pulls.clone(), errors.clone());
        let ready = ready.clone();
        let http = reqwest::Client::new();
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            if s.client.pull(0, 0).await.is_err() {
                errors.fetch_add(1, Ordering::Relaxed);
            }
            ready.fetch_add(1, Ordering::Relaxed);
            let mut cursor = head;
            while !stop.load(Ordering::Relaxed) {
                match long_poll(&http, &url, &s.login.token, cursor).await {
                    Ok(next) => {
                        pulls.fetch_add(1, Ordering::Relaxed);
                        cursor = next;
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        }));
    }
    while ready.load(Ordering::Relaxed) < n as u64 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "idle: {n} clients signed in and long-polling after {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(Idle {
        stop,
        pulls,
        errors,
        tasks,
    })
}

/// What a first page (500 tickets with their comments) weighs on the wire, as JSON and as
/// the zstd the app's client asks for, and how long the client takes to read each.
async fn page_bytes(url: &str, token: &str) -> Result<()> {
    // Without reqwest's own decoding: the bytes as they travel.
    let raw = reqwest::Client::builder().no_zstd().build()?;
    let mut sizes = Vec::new();
    for encoding in ["identity", "zstd"] {
        let get = || async {
            let started = Instant::now();
            let body = pull_request(&raw, url, token, "cursor=0")
                .header(reqwest::header::ACCEPT_ENCODING, encoding)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            // What the app's client does with it: decode (zstd) and parse the page.
            let json = if encoding == "zstd" {
                zstd::decode_all(&body[..])?
            } else {
                body.to_vec()
            };
            let page: helpdeck_core::sync::PullResponse = serde_json::from_slice(&json)?;
            anyhow::Ok((body.len(), page.tickets.len(), started.elapsed()))
        };
        get().await?; // the server's cache holds the page (and its compression) after this
        let (bytes, tickets, took) = get().await?;
        println!(
            "a first page of {tickets} tickets as {encoding}: {bytes} bytes, fetched, decoded and parsed in {:.1} ms",
            took.as_secs_f64() * 1000.0
        );
        sizes.push(bytes);
    }
    println!(
        "the page as zstd: {:.1} % of its JSON",
        sizes[1] as f64 * 100.0 / sizes[0] as f64
    );
    Ok(())
}

/// `GET /sync/pull?QUERY` at this op schema, signed in with `token`, made by hand.
fn pull_request(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
) -> reqwest::RequestBuilder {
    http.get(format!(
        "{}/sync/pull?{query}&schema={OP_SCHEMA_VERSION}",
        url.trim_end_matches('/')
    ))
    .header(
        helpdeck_core::sync::PROTOCOL_HEADER,
        helpdeck_core::sync::PROTOCOL_VERSION.to_string(),
    )
    .bearer_auth(token)
}

/// One long-poll of an idle client: the answer read whole, its `next_cursor` decoded.
async fn long_poll(http: &reqwest::Client, url: &str, token: &str, cursor: i64) -> Result<i64> {
    #[derive(serde::Deserialize)]
    struct Head {
        next_cursor: i64,
    }
    let body = pull_request(http, url, token, &format!("cursor={cursor}&wait=25000"))
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    Ok(serde_json::from_slice::<Head>(&body)?.next_cursor)
}

async fn create_database(admin_url: &str) -> Result<String> {
    let name = format!(
        "helpdeck_bench_{}_{}",
        std::process::id(),
        Timestamp::now().as_second()
    );
    let mut conn = sqlx::postgres::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .ok_or_else(|| anyhow!("HELPDECK_TEST_PG must end in /DBNAME"))?;
    Ok(format!("{base}/{name}"))
}

async fn run(args: Args) -> Result<()> {
    let backend = match args.db {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = args.dir.join(format!("sync-{backend}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db_url = match args.db {
        Backend::Sqlite => dir.join("server.db").display().to_string(),
        Backend::Postgres => {
            let admin = args.pg_url.as_deref().ok_or_else(|| {
                anyhow!("--db postgres needs HELPDECK_TEST_PG (source scripts/pg-cluster)")
            })?;
            create_database(admin).await?
        }
    };
    println!("backend: {backend}; tickets: {}", args.tickets);

    // Accounts, written straight into the server database before the server starts.
    let db = Db::connect(&db_url).await?;
    let user = |email: &str, role: Role, org: Option<String>| NewUser {
        email: email.into(),
        name: email.split('@').next().unwrap_or(email).into(),
        role,
        organization: org,
        org_admin: false,
        team: None,
        password: PASSWORD.into(),
    };
    for email in ["seed@bench.example", "a@bench.example", "b@bench.example"] {
        helpdeck_server::add_user(&db, user(email, Role::Agent, None)).await?;
    }
    let mut customers = Vec::new();
    for i in 0..20 {
        customers.push(
            helpdeck_server::add_user(
                &db,
                user(
                    &format!("customer{i}@org{}.example", i % 5),
                    Role::Customer,
                    Some(format!("Org {}", i % 5)),
                ),
            )
            .await?,
        );
    }
    let idle_emails: Vec<String> = (0..10).map(|i| format!("idle{i}@bench.example")).collect();
    for e in &idle_emails {
        helpdeck_server::add_user(&db, user(e, Role::Agent, None)).await?;
    }
    db.pool.close().await;

    let server = Server::start(&db_url)?;
    let url = server.url.clone();
    println!("server rss after start: {:.0} MiB", server.rss_mib());

    // 1. Seed through the push endpoint (also the create-throughput number).
    let seeder = login(&url, "seed@bench.example").await?;
    let seeded = seed(&seeder, &customers, args.tickets).await?;
    println!("server rss after seeding: {:.0} MiB", server.rss_mib());

    // 2. Initial sync of a fresh client, the real client path (`sync_once`).
    let sa = login(&url, "a@bench.example").await?;
    let store_a = replica(&dir.join("replica-a"), &url, &sa).await?;
    let start = Instant::now();
    let summary = helpdeck_sync::sync_once(&store_a, &sa.client).await?;
    let took = start.elapsed();
    // The whole round ends searchable (the page loop below times when it is usable).
    s8::record(
        "initial_sync_searchable_s",
        &format!("{} tickets, server on {backend}, sync_once", summary.pulled),
        took.as_secs_f64(),
    );
    println!(
        "initial sync (sync_once, fresh replica): {} tickets in {:.2} s = {:.0} tickets/s",
        summary.pulled,
        took.as_secs_f64(),
        summary.pulled as f64 / took.as_secs_f64()
    );

    // The same again, the pages alone (the round's own page loop: each page fetched while
    // the one before it is applied), to see when the replica is usable and when searchable.
    // One change first, so that no page of this sync is one the server still holds from
    // replica a's (its page cache is keyed by cursor and upper bound): a first sync finds
    // none cached.
    store_a
        .tickets()
        .create_ticket(helpdeck_store::CreateInput {
            title: "Between the two first syncs".into(),
            body: "Moves the server's upper bound.".into(),
            ..Default::default()
        })
        .await?;
    helpdeck_sync::sync_once(&store_a, &sa.client).await?;
    let sb = login(&url, "b@bench.example").await?;
    let store_b = Arc::new(replica(&dir.join("replica-b"), &url, &sb).await?);
    let mut round = helpdeck_sync::RoundSummary::default();
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let start = Instant::now();
    helpdeck_sync::pull_pages(&store_b, &sb.client, 0, &mut round, &|_, _| {
        pages.fetch_add(1, Ordering::Relaxed);
    })
    .await?;
    let usable = start.elapsed();
    let pulled = round.pulled;
    let t = Instant::now();
    let indexed = store_b.tickets().build_search_backlog().await?;
    let search_build = t.elapsed();
    let took = start.elapsed();
    s8::record(
        "initial_sync_usable_s",
        &format!("{pulled} tickets, server on {backend}: every page applied"),
        usable.as_secs_f64(),
    );
    s8::record(
        "initial_sync_searchable_s",
        &format!("{pulled} tickets, server on {backend}: and their search documents"),
        took.as_secs_f64(),
    );
    println!(
        "initial sync (page loop): usable (every page applied) after {:.2} s; search documents of {indexed} tickets written in {:.2} s after",
        usable.as_secs_f64(),
        search_build.as_secs_f64()
    );
    println!(
        "initial sync (page loop, second fresh replica): {pulled} tickets, {} pages in {:.2} s = {:.0} tickets/s",
        pages.load(Ordering::Relaxed),
        took.as_secs_f64(),
        pulled as f64 / took.as_secs_f64(),
    );
    let comments: (i64,) = sqlx::query_as("SELECT count(*) FROM comments")
        .fetch_one(store_b.pool())
        .await?;
    println!("replica b holds {} comments", comments.0);
    page_bytes(&url, &sb.login.token).await?;

    // 3. Push throughput (the §8 bar is for a server on SQLite).
    let cpu = Cpu::now(&server);
    let sets = push_sets(&seeder, &seeded.tickets, args.push_ops, "(no idle clients)").await?;
    let sets_cpu = cpu.since(&server, "Set ops, no idle clients");
    let cpu = Cpu::now(&server);
    let mixed = push_mixed(&seeder, &seeded.tickets, 20, "(no idle clients)").await?;
    let mixed_cpu = cpu.since(&server, "mixed, no idle clients");
    if args.db == Backend::Sqlite {
        for (what, rate) in [
            ("creates and comments (seeding)", seeded.ops_per_s),
            ("Set ops", sets),
            ("mixed creates, comments and sets", mixed),
        ] {
            s8::record("push_ops_s", what, rate);
        }
        let limit = push_limit(Path::new(&db_url), &dir, &seeded.tickets, args.push_ops).await?;
        s8::record(
            "push_raw_ops_s",
            "SQLite doing the reads and row writes of the Set batches bare, on a copy of the server's database",
            limit,
        );
    }

    // 4. Propagation A → server → B.
    let p95 = propagation(
        &store_a,
        &sa.client,
        &store_b,
        sb.client.clone(),
        &seeded.tickets,
        args.changes,
        "(one server, no idle clients)",
    )
    .await?;
    s8::record(
        "propagation_p95_ms",
        &format!("one server on {backend}"),
        p95,
    );

    // 4b. PostgreSQL: A on server 1, B on server 2 (LISTEN/NOTIFY between the processes).
    let second = if args.db == Backend::Postgres {
        let s2 = Server::start(&db_url)?;
        let client_b2 = Client::new(&s2.url, Some(sb.login.token.clone()))?;
        let p95 = propagation(
            &store_a,
            &sa.client,
            &store_b,
            client_b2,
            &seeded.tickets,
            args.changes,
            "(A on server 1, B on server 2)",
        )
        .await?;
        s8::record(
            "propagation_p95_ms",
            "A and B on two servers sharing PostgreSQL",
            p95,
        );
        Some(s2)
    } else {
        None
    };

    // 5. The same with idle clients connected.
    let rss_before = server.rss_mib();
    let idle = start_idle(&url, &idle_emails, args.idle).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "server rss: {rss_before:.0} MiB before the idle clients, {:.0} MiB with {} connected",
        server.rss_mib(),
        args.idle
    );
    let pulls_before = idle.pulls.load(Ordering::Relaxed);
    let p95 = propagation(
        &store_a,
        &sa.client,
        &store_b,
        sb.client.clone(),
        &seeded.tickets,
        args.idle_changes,
        &format!("(one server, {} idle clients)", args.idle),
    )
    .await?;
    s8::record(
        "propagation_idle_p95_ms",
        &format!("one server on {backend}, {} idle clients", args.idle),
        p95,
    );
    let cpu = Cpu::now(&server);
    let idle_sets = push_sets(
        &seeder,
        &seeded.tickets,
        args.idle_push_ops,
        &format!("({} idle clients)", args.idle),
    )
    .await?;
    let idle_sets_cpu = cpu.since(&server, "Set ops, idle clients");
    let cpu = Cpu::now(&server);
    let idle_mixed = push_mixed(
        &seeder,
        &seeded.tickets,
        20,
        &format!("({} idle clients)", args.idle),
    )
    .await?;
    let idle_mixed_cpu = cpu.since(&server, "mixed, idle clients");
    if args.db == Backend::Sqlite {
        for (what, alone, idle, before, during) in [
            ("Set ops", sets, idle_sets, sets_cpu, idle_sets_cpu),
            ("mixed", mixed, idle_mixed, mixed_cpu, idle_mixed_cpu),
        ] {
            s8::record(
                "idle_cost_pct",
                &format!(
                    "{what}: {alone:.0} ops/s alone, {idle:.0} with {} idle clients",
                    args.idle
                ),
                100.0 * (1.0 - idle / alone).max(0.0),
            );
            // The limit: in this bench the idle clients run on the server's machine. The
            // share of its cores they took (this process's CPU beyond what the same pushes
            // cost it alone) is throughput the server could not have had.
            let clients = (during.bench_cores - before.bench_cores).max(0.0);
            s8::record(
                "idle_cost_floor_pct",
                &format!(
                    "{what}: the {} idle clients in the bench process took {clients:.2} of the {} cores",
                    args.idle, during.cores
                ),
                100.0 * clients / during.cores as f64,
            );
        }
    }
    println!(
        "idle clients: {} pulls answered during the runs, {} errors; server rss {:.0} MiB",
        idle.pulls.load(Ordering::Relaxed) - pulls_before,
        idle.errors.load(Ordering::Relaxed),
        server.rss_mib()
    );
    idle.stop.store(true, Ordering::Relaxed);
    for t in idle.tasks {
        t.abort();
    }

    store_a.shutdown().await;
    if let Some(s2) = second {
        s2.stop();
    }
    server.stop();
    Ok(())
}

/// Upload and download throughput of attachment files through the sync engine's transfer
/// step (chunked, checked, resumable), and what resuming an interrupted upload costs.
async fn files_bench(dir: &Path, mib: u64, runs: usize) -> Result<()> {
    use helpdeck_core::attachment::CHUNK_BYTES;
    use rand::RngCore;
    let dir = dir.join("files");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db_url = dir.join("server.db").display().to_string();
    let db = Db::connect(&db_url).await?;
    for email in ["up@bench.example", "down@bench.example"] {
        helpdeck_server::add_user(
            &db,
            NewUser {
                email: email.into(),
                name: email.into(),
                role: Role::Agent,
                organization: None,
                org_admin: false,
                team: None,
                password: PASSWORD.into(),
            },
        )
        .await?;
    }
    db.pool.close().await;
    let server = Server::start(&db_url)?;
    let url = server.url.clone();
    let up = login(&url, "up@bench.example").await?;
    let down = login(&url, "down@bench.example").await?;
    let uploader = replica(&dir.join("up"), &url, &up).await?;
    let size = mib * 1024 * 1024;
    println!(
        "attachments: {runs} files of {mib} MiB each way, chunks of {} MiB, loopback, server on SQLite",
        CHUNK_BYTES / 1_048_576
    );

    // Upload: each file a reply's attachment, pushed then transferred by the engine.
    uploader
        .tickets()
        .create_ticket(helpdeck_store::CreateInput {
            title: "Files".into(),
            ..Default::default()
        })
        .await?;
    helpdeck_sync::sync_once(&uploader, &up.client).await?;
    let mut up_times = Vec::new();
    for _ in 0..runs {
        let mut bytes = vec![0u8; size as usize];
        rand::rng().fill_bytes(&mut bytes);
        let file = uploader.files().import_bytes("scan.pdf", &bytes)?;
        uploader
            .tickets()
            .comment(
                "HD-1",
                "scan",
                helpdeck_core::record::Visibility::Public,
                &[file],
            )
            .await?;
        let t = Instant::now();
        let round = helpdeck_sync::sync_once(&uploader, &up.client).await?;
        up_times.push(t.elapsed());
        if round.files.uploaded != 1 {
            bail!("expected one upload, got {:?}", round.files);
        }
    }
    let up_mbps: Vec<f64> = up_times
        .iter()
        .map(|d| size as f64 / 1e6 / d.as_secs_f64())
        .collect();

    // Download: a fresh replica pulls the metadata, then fetches every file.
    let downloader = replica(&dir.join("down"), &url, &down).await?;
    let t = Instant::now();
    let round = helpdeck_sync::sync_once(&downloader, &down.client).await?;
    let down_time = t.elapsed();
    if round.files.downloaded != runs {
        bail!("expected {runs} downloads, got {:?}", round.files);
    }
    let down_mbps = (size * runs as u64) as f64 / 1e6 / down_time.as_secs_f64();

    // Resume: an upload stopped after two chunks, resumed by the engine. The resumed round
    // sends only what the server has not committed.
    let mut bytes = vec![0u8; size as usize];
    rand::rng().fill_bytes(&mut bytes);
    let file = uploader.files().import_bytes("big.pdf", &bytes)?;
    let sha = file.sha256.clone();
    uploader
        .tickets()
        .comment(
            "HD-1",
            "big",
            helpdeck_core::record::Visibility::Public,
            &[file],
        )
        .await?;
    let chunk = CHUNK_BYTES as usize;
    for i in 0..2 {
        up.client
            .put_chunk(
                &sha,
                (i * chunk) as u64,
                size,
                bytes[i * chunk..(i + 1) * chunk].to_vec(),
            )
            .await?;
    }
    let before = up.client.blob_status(&sha).await?;
    let sent_before = up.client.chunk_bytes_sent();
    let t = Instant::now();
    helpdeck_sync::sync_once(&uploader, &up.client).await?;
    let resume_time = t.elapsed();
    let after = up.client.blob_status(&sha).await?;
    // What the resumed round put on the wire beyond what the server still lacked.
    let resent =
        (up.client.chunk_bytes_sent() - sent_before).saturating_sub(size - before.received);
    s8::record(
        "upload_mb_s",
        &format!("{mib} MiB files, median of {runs}"),
        median(&up_mbps),
    );
    s8::record(
        "download_mb_s",
        &format!("{runs} files of {mib} MiB"),
        down_mbps,
    );
    s8::record(
        "resume_resent_chunks",
        &format!("{resent} bytes re-sent after an interruption"),
        resent as f64 / CHUNK_BYTES as f64,
    );
    println!(
        "upload: {:.0} MB/s median ({:.0}–{:.0}) per {mib} MiB file, whole round (push, chunks, SHA-256 check)",
        median(&up_mbps),
        up_mbps.iter().cloned().fold(f64::MAX, f64::min),
        up_mbps.iter().cloned().fold(0.0, f64::max)
    );
    println!(
        "download: {down_mbps:.0} MB/s over {runs} files ({:.2} s, pull and SHA-256 check included)",
        down_time.as_secs_f64()
    );
    println!(
        "resume: {} of {} MiB on the server at the interruption; the resumed round sent the remaining {} MiB in {:.0} ms (committed bytes re-sent: {resent}; complete: {})",
        before.received / 1_048_576,
        mib,
        (size - before.received) / 1_048_576,
        ms(resume_time),
        after.complete
    );
    server.stop();
    Ok(())
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    s[s.len() / 2]
}

/// The technician's laptop with `n` work orders: made offline through the store (as the app
/// and the CLI make them), the Today view, the push, and an office replica's first pull.
async fn workorder_bench(dir: &Path, n: usize, runs: usize) -> Result<()> {
    use helpdeck_core::workorder::{Evidence, TemplateItem, WorkOrderFields, WorkOrderStatus};
    use helpdeck_store::{CreateInput, WorkOrderInput};
    let dir = dir.join("sync-workorders");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db_url = dir.join("server.db").display().to_string();
    let db = Db::connect(&db_url).await?;
    for email in ["tech@bench.example", "office@bench.example"] {
        helpdeck_server::add_user(
            &db,
            NewUser {
                email: email.into(),
                name: email.split('@').next().unwrap_or(email).into(),
                role: Role::Agent,
                organization: None,
                org_admin: false,
                team: None,
                password: PASSWORD.into(),
            },
        )
        .await?;
    }
    db.pool.close().await;
    let server = Server::start(&db_url)?;
    let url = server.url.clone();
    println!("work orders: {n} (each on its own ticket), server on SQLite");

    let st = login(&url, "tech@bench.example").await?;
    let tech = replica(&dir.join("tech"), &url, &st).await?;
    let now = Timestamp::now();
    let checklist = vec![
        TemplateItem {
            text: "检查 UPS 面板 / UPS front panel".into(),
            evidence: Evidence::Photo,
        },
        TemplateItem {
            text: "电池电压 / battery voltage".into(),
            evidence: Evidence::Reading { unit: "V".into() },
        },
        TemplateItem {
            text: "切换测试 / transfer test".into(),
            evidence: Evidence::None,
        },
    ];
    let (mut creates, mut closes) = (Vec::with_capacity(n), 0usize);
    let seeding = Instant::now();
    for i in 0..n {
        let t = tech
            .tickets()
            .create_ticket(CreateInput {
                title: format!("UPS 巡检 #{i} — preventive visit"),
                body: "季度巡检 / quarterly inspection".into(),
                ..Default::default()
            })
            .await?;
        // From 90 days ago to 30 days ahead, 09:00–17:00.
        let day = (i % 120) as i64 - 90;
        let starts_at = now
            .checked_add(jiff::SignedDuration::from_hours(day * 24 + (i % 8) as i64))
            .expect("in range");
        let start = Instant::now();
        let w = tech
            .work_orders()
            .create(WorkOrderInput {
                ticket: t.id.to_string(),
                technician: Some("me".into()),
                starts_at,
                ends_at: starts_at
                    .checked_add(jiff::SignedDuration::from_hours(2))
                    .expect("in range"),
                site: format!("上海市浦东新区世纪大道 {} 号", 1 + i % 300),
                contact: Some("李伟 138 0000 0000".into()),
                checklist: checklist.clone(),
            })
            .await?;
        creates.push(start.elapsed());
        // Past visits are over (closed through the same write path), but for the last
        // two days' (left open, on today's list).
        if day < -2 {
            tech.work_orders()
                .update(
                    &w.id.to_string(),
                    WorkOrderFields {
                        status: Some(WorkOrderStatus::Cancelled),
                        ..Default::default()
                    },
                )
                .await?;
            closes += 1;
        }
    }
    creates.sort();
    println!(
        "seeded offline: {n} tickets + {n} work orders (+{closes} closed) in {:.1} s; create a work order p50 {:.2} ms, p95 {:.2} ms",
        seeding.elapsed().as_secs_f64(),
        ms(percentile(&creates, 0.5)),
        ms(percentile(&creates, 0.95))
    );

    let tonight = now
        .checked_add(jiff::SignedDuration::from_hours(24))
        .expect("in range");
    let mut today = Vec::with_capacity(runs);
    let mut listed = 0;
    for _ in 0..runs {
        let start = Instant::now();
        listed = tech
            .work_orders()
            .today(st.login.user.id, tonight)
            .await?
            .len();
        today.push(start.elapsed());
    }
    today.sort();
    println!(
        "Today view ({listed} visits listed of {n}): p50 {:.2} ms, p95 {:.2} ms",
        ms(percentile(&today, 0.5)),
        ms(percentile(&today, 0.95))
    );

    // The round's push, timed alone (the app's own push loop: outbox read, push, acks
    // recorded); its pull — the technician's first, every ticket back from cursor 0 — after.
    let mut pushed = helpdeck_sync::RoundSummary::default();
    let start = Instant::now();
    helpdeck_sync::push_pending(&tech, &st.client, &mut pushed).await?;
    let took = start.elapsed();
    s8::record(
        "push_ops_s",
        "work orders, visits and closes (a technician's whole push)",
        pushed.pushed as f64 / took.as_secs_f64(),
    );
    println!(
        "push (the app's push loop): {} ops in {:.2} s = {:.0} ops/s ({} refused)",
        pushed.pushed,
        took.as_secs_f64(),
        pushed.pushed as f64 / took.as_secs_f64(),
        pushed.rejected
    );
    let start = Instant::now();
    let rest = helpdeck_sync::sync_once(&tech, &st.client).await?;
    println!(
        "the round's pull after it (the technician's first): {} tickets in {:.2} s ({} ops left to push)",
        rest.pulled,
        start.elapsed().as_secs_f64(),
        rest.pushed
    );

    let so = login(&url, "office@bench.example").await?;
    let office = replica(&dir.join("office"), &url, &so).await?;
    let start = Instant::now();
    let pulled = helpdeck_sync::sync_once(&office, &so.client).await?;
    let took = start.elapsed();
    let held = office.work_orders().list(None).await?.len();
    println!(
        "office first pull (sync_once): {} tickets with {held} work orders in {:.2} s",
        pulled.pulled,
        took.as_secs_f64()
    );
    println!("server rss: {:.0} MiB", server.rss_mib());
    server.stop();
    Ok(())
}
