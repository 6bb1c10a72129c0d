//! `POST /sync/push`: in one transaction, drop duplicates by op id, authorise and merge each
//! op, give every applied op the next `server_seq`, write the audit trail, and answer with
//! one ack per op. A rejected op is acknowledged with its error and recorded, so a replay
//! gets the same answer and the client's queue never stalls (spec §6.2).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use helpdeck_core::Timestamp;
use helpdeck_core::apply::{Context, Directory, Person, Target};
use helpdeck_core::op::{Change, OP_SCHEMA_VERSION, Op};
use helpdeck_core::record::TicketRecord;
use helpdeck_core::sync::{
    Ack, AckStatus, CommentState, EventState, LinkState, TicketDoc, check_entity, clamp_clock,
    event_id, merge_with,
};
use helpdeck_core::user::User;
use sqlx::{Any, Transaction};
use uuid::Uuid;

use crate::accounts::Caller;
use crate::db::{Backend, Db, marks, now_ms, rows};
use crate::error::{Result, ServerError};

/// The users and teams the ops of a push name, read in the push's transaction: the
/// directory the rule engine checks references against on the server.
#[derive(Default)]
struct ServerDirectory {
    people: HashMap<Uuid, Person>,
    teams: HashSet<Uuid>,
    /// People named by email (imports), lower-case.
    emails: HashMap<String, (Uuid, Person)>,
    /// Teams named by name (imports), lower-case.
    team_names: HashMap<String, Uuid>,
}

impl Directory for ServerDirectory {
    fn person(&self, id: Uuid) -> Option<Person> {
        self.people.get(&id).copied()
    }
    fn team_exists(&self, id: Uuid) -> bool {
        self.teams.contains(&id)
    }
    fn by_email(&self, email: &str) -> Option<(Uuid, Person)> {
        self.emails.get(&email.trim().to_lowercase()).copied()
    }
    fn team_named(&self, name: &str) -> Option<Uuid> {
        self.team_names.get(&name.trim().to_lowercase()).copied()
    }
}

/// Who an imported record names: its requester and comment authors (who may be created as
/// customers), and everyone else it names by email.
fn imported_people(r: &TicketRecord) -> (Vec<String>, Vec<String>) {
    let customers = r
        .requester
        .iter()
        .chain(r.comments.iter().map(|c| &c.author))
        .map(|e| e.trim().to_lowercase())
        .collect();
    let others = r
        .assignee
        .iter()
        .chain(r.history.iter().filter_map(|h| h.actor.as_ref()))
        .map(|e| e.trim().to_lowercase())
        .collect();
    (customers, others)
}

/// Resolves the emails and team names that imports in `ops` name. For a staff pusher, a
/// requester or comment author the server does not know yet becomes a customer account
/// without a password (as an agent would file a phone caller's first ticket); staff are
/// never created this way. Records that fail validation create no one.
async fn load_import_directory(
    tx: &mut Transaction<'_, Any>,
    actor: &User,
    rules: &helpdeck_core::apply::Rules,
    ops: &[Op],
    dir: &mut ServerDirectory,
) -> Result<()> {
    let records: Vec<&TicketRecord> = ops
        .iter()
        .filter_map(|o| match &o.change {
            Change::ImportTicket(r) => Some(&**r),
            _ => None,
        })
        .collect();
    if records.is_empty() {
        return Ok(());
    }
    let mut create: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for r in &records {
        let (customers, others) = imported_people(r);
        if actor.is_staff() && r.validate(&rules.categories).is_ok() {
            for e in &customers {
                create.insert((e.clone(), r.organization.clone()));
            }
        }
        wanted.extend(customers);
        wanted.extend(others);
    }
    let wanted: Vec<String> = wanted.into_iter().collect();
    for chunk in wanted.chunks(ROWS_PER_STATEMENT * 5) {
        let marks = marks(Backend::of(tx), chunk.len());
        let mut q = sqlx::query_as::<_, (String, String, String, Option<String>)>(
            sqlx::AssertSqlSafe(format!(
                "SELECT id, email, role, organization_id FROM users WHERE email IN ({marks})"
            )),
        );
        for e in chunk {
            q = q.bind(e.clone());
        }
        for (id, email, role, org) in q.fetch_all(&mut **tx).await? {
            let person = Person {
                role: role
                    .parse()
                    .map_err(|e| ServerError::Internal(format!("bad role: {e}")))?,
                organization_id: org.as_deref().map(crate::db::parse_uuid).transpose()?,
            };
            let id = crate::db::parse_uuid(&id)?;
            dir.people.insert(id, person);
            dir.emails.insert(email, (id, person));
        }
    }
    for (email, org_name) in create {
        if dir.emails.contains_key(&email) || helpdeck_core::user::validate_email(&email).is_err() {
            continue;
        }
        let org: Option<(String,)> = match &org_name {
            Some(name) => {
                sqlx::query_as("SELECT id FROM organizations WHERE name = $1")
                    .bind(name.trim())
                    .fetch_optional(&mut **tx)
                    .await?
            }
            None => None,
        };
        let id = helpdeck_core::new_id();
        let name = email.split('@').next().unwrap_or(&email).to_string();
        // "!" is no PHC string: the account cannot sign in until an admin sets a password.
        sqlx::query(
            "INSERT INTO users (id, email, name, role, organization_id, org_admin, password_hash, created_at) \
             VALUES ($1, $2, $3, 'customer', $4, 0, '!', $5)",
        )
        .bind(id.to_string())
        .bind(&email)
        .bind(&name)
        .bind(org.as_ref().map(|(o,)| o.clone()))
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
        let person = Person {
            role: helpdeck_core::user::Role::Customer,
            organization_id: org.map(|(o,)| crate::db::parse_uuid(&o)).transpose()?,
        };
        dir.people.insert(id, person);
        dir.emails.insert(email, (id, person));
    }
    let teams: BTreeSet<String> = records
        .iter()
        .filter_map(|r| r.team.as_ref())
        .map(|t| t.trim().to_string())
        .collect();
    for name in teams {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM teams WHERE name = $1")
            .bind(&name)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some((id,)) = row {
            let id = crate::db::parse_uuid(&id)?;
            dir.teams.insert(id);
            dir.team_names.insert(name.to_lowercase(), id);
        }
    }
    Ok(())
}

async fn load_directory(tx: &mut Transaction<'_, Any>, ops: &[Op]) -> Result<ServerDirectory> {
    let ids: BTreeSet<String> = ops
        .iter()
        .flat_map(|op| op.change.named_ids())
        .map(|u| u.to_string())
        .collect();
    let mut dir = ServerDirectory::default();
    let ids: Vec<String> = ids.into_iter().collect();
    for chunk in ids.chunks(ROWS_PER_STATEMENT * 5) {
        let marks = marks(Backend::of(tx), chunk.len());
        let mut q = sqlx::query_as::<_, (String, String, Option<String>)>(sqlx::AssertSqlSafe(
            format!("SELECT id, role, organization_id FROM users WHERE id IN ({marks})"),
        ));
        for id in chunk {
            q = q.bind(id.clone());
        }
        for (id, role, org) in q.fetch_all(&mut **tx).await? {
            let role = role
                .parse()
                .map_err(|e| ServerError::Internal(format!("bad role: {e}")))?;
            dir.people.insert(
                crate::db::parse_uuid(&id)?,
                Person {
                    role,
                    organization_id: org.as_deref().map(crate::db::parse_uuid).transpose()?,
                },
            );
        }
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM teams WHERE id IN ({marks})"
        )));
        for id in chunk {
            q = q.bind(id.clone());
        }
        for (id,) in q.fetch_all(&mut **tx).await? {
            dir.teams.insert(crate::db::parse_uuid(&id)?);
        }
    }
    Ok(dir)
}

struct Counters {
    seq: i64,
    number: i64,
    /// Audit events of the push, written together before the commit.
    events: Vec<(EventState, i64)>,
    /// The push's tickets as this transaction sees them (loaded together up front, kept
    /// current as ops change them): one read per push instead of one per op.
    docs: HashMap<Uuid, Option<TicketDoc>>,
    /// The tickets the push changed that the table held before it, written together
    /// ([`flush_tickets`]): one row write per ticket and push, a hundred rows a statement,
    /// instead of a statement per op (a new ticket's row is inserted at once).
    staged: std::collections::BTreeMap<Uuid, Staged>,
    /// The push's work orders and time entries, read together up front and written together
    /// at its end ([`ChildDocs`]).
    work_orders: ChildDocs<helpdeck_core::workorder::WorkOrderDoc>,
    time_entries: ChildDocs<helpdeck_core::timelog::TicketTime>,
}

/// A ticket's row as the push leaves it.
struct Staged {
    doc: TicketDoc,
    seq: i64,
    /// The seq of the push's last change its customers see (none: the row keeps its own).
    public_seq: Option<i64>,
    /// The row's columns as the table holds them before this push's [`flush_tickets`]: the
    /// columns that did not change are left out of its `SET`, so their indexes are not
    /// rewritten.
    table: RowColumns,
}

/// The columns of a ticket's row kept beside its document for the queries that filter by
/// them (pulls by requester and organization, auto-close, routing's open counts).
#[derive(Clone, PartialEq, Eq)]
struct RowColumns {
    requester_id: Option<String>,
    organization_id: Option<String>,
    resolved_at: Option<i64>,
    assignee_id: Option<String>,
    status: &'static str,
}

impl RowColumns {
    fn of(doc: &TicketDoc) -> RowColumns {
        let t = &doc.ticket;
        RowColumns {
            requester_id: t.requester_id.map(|u| u.to_string()),
            organization_id: t.organization_id.map(|u| u.to_string()),
            resolved_at: match (t.status, t.resolved_at) {
                (helpdeck_core::status::Status::Resolved, Some(at)) => Some(at.as_millisecond()),
                _ => None,
            },
            assignee_id: t.assignee_id.map(|u| u.to_string()),
            status: t.status.as_str(),
        }
    }
}

/// Rows per multi-row INSERT (far below both backends' bind-parameter limits).
const ROWS_PER_STATEMENT: usize = 100;

/// Records every newly seen op with its verdict (a replay gets the same answer, I3).
async fn record_applied(
    tx: &mut Transaction<'_, Any>,
    device_id: Uuid,
    acks: &[Ack],
    seen: &HashMap<Uuid, Ack>,
) -> Result<()> {
    // Acks of ops seen before (earlier pushes or earlier in this one) are not new.
    let mut first = std::collections::HashSet::new();
    let new: Vec<&Ack> = acks
        .iter()
        .filter(|a| !seen.contains_key(&a.op_id) && first.insert(a.op_id))
        .collect();
    let now = now_ms();
    let device = device_id.to_string();
    for chunk in new.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO applied_ops (op_id, status, server_seq, error, device_id, received_at) VALUES {}",
            rows(Backend::of(tx), chunk.len(), 6)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ack in chunk {
            q = q
                .bind(ack.op_id.to_string())
                .bind(status_str(ack.status))
                .bind(ack.server_seq)
                .bind(ack.error.clone())
                .bind(device.clone())
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    if new.iter().any(|a| a.status == AckStatus::Rejected) {
        // A device keeps its newest refusals only: a retry of an older one is decided again.
        sqlx::query(
            "DELETE FROM applied_ops WHERE device_id = $1 AND status = 'rejected' AND op_id NOT IN \
             (SELECT op_id FROM applied_ops WHERE device_id = $1 AND status = 'rejected' \
              ORDER BY received_at DESC, op_id DESC LIMIT $2)",
        )
        .bind(&device)
        .bind(MAX_REFUSED_KEPT)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Refused ops a device's answers are kept for; as many refusals within
/// [`REFUSAL_WINDOW_MS`] make its pushes wait.
pub const MAX_REFUSED_KEPT: i64 = 1000;
/// One hour.
pub const REFUSAL_WINDOW_MS: i64 = 3_600_000;

/// Refuses a push from a device whose ops were refused too often lately (a broken or hostile
/// client), before any work; it may push again once the window moves on.
pub async fn check_refusals(db: &Db, device_id: Uuid) -> Result<()> {
    let since = now_ms() - REFUSAL_WINDOW_MS;
    let (n, first): (i64, Option<i64>) = sqlx::query_as(
        "SELECT count(*), min(received_at) FROM applied_ops \
         WHERE device_id = $1 AND status = 'rejected' AND received_at > $2",
    )
    .bind(device_id.to_string())
    .bind(since)
    .fetch_one(&db.pool)
    .await?;
    if n >= MAX_REFUSED_KEPT {
        let retry = ((first.unwrap_or(since) - since) / 1000).max(1) as u64;
        return Err(ServerError::TooManyRequests {
            message: format!(
                "this device's changes were refused {n} times in the last hour; fix what it sends, then try again in {retry} s"
            ),
            retry_after_s: retry,
        });
    }
    Ok(())
}

/// What a push did.
pub struct Pushed {
    pub acks: Vec<Ack>,
    /// Tickets where an op of this push was refused or lost to a newer write: the pusher
    /// gets their current state back (see [`helpdeck_core::sync::PushResponse`]).
    pub corrections: Vec<Uuid>,
    /// Articles where an op of this push was refused or lost to a newer write.
    pub article_corrections: Vec<Uuid>,
    pub macro_corrections: Vec<Uuid>,
    /// The last `server_seq` used, if anything changed (to wake pullers).
    pub last_seq: Option<i64>,
}

/// Applies a push from a signed-in device.
pub async fn push(db: &Db, caller: &Caller, ops: Vec<Op>) -> Result<Pushed> {
    push_as(db, &caller.account.user, caller.device_id, ops).await
}

/// Applies ops made by `actor` on `device` (a device's push, or a server job as the system
/// actor): the same merge, the same audit trail.
pub async fn push_as(db: &Db, actor: &User, device_id: Uuid, ops: Vec<Op>) -> Result<Pushed> {
    let workspace = db.rules().await?;
    let rules = workspace.to_rules();
    let mut tx = db.pool.begin().await?;
    // SQLite: take the write lock now, not on the first write (no upgrade deadlocks).
    if db.backend == crate::db::Backend::Sqlite {
        sqlx::query("UPDATE server_meta SET last_seq = last_seq WHERE singleton = 1")
            .execute(&mut *tx)
            .await?;
    }
    let (seq, number): (i64, i64) = sqlx::query_as(db.lock_meta_sql())
        .fetch_one(&mut *tx)
        .await?;
    let mut counters = Counters {
        seq,
        number,
        events: Vec::new(),
        docs: preload_tickets(&mut tx, &ops).await?,
        staged: Default::default(),
        work_orders: ChildDocs::preload(
            &mut tx,
            "work_orders",
            &ops,
            helpdeck_core::op::Entity::WorkOrder,
        )
        .await?,
        time_entries: ChildDocs::preload(
            &mut tx,
            "time_entries",
            &ops,
            helpdeck_core::op::Entity::TimeEntry,
        )
        .await?,
    };
    let start_seq = seq;
    let seen = already_applied(&mut tx, &ops).await?;
    let mut directory = load_directory(&mut tx, &ops).await?;
    load_import_directory(&mut tx, actor, &rules, &ops, &mut directory).await?;
    let now = Timestamp::now();
    let ctx = Context {
        actor,
        rules: &rules,
        now,
        directory: &directory,
    };
    let mut acks = Vec::with_capacity(ops.len());
    let mut corrections = BTreeSet::new();
    let mut article_corrections = BTreeSet::new();
    let mut macro_corrections = BTreeSet::new();
    let mut created = Vec::new();
    for mut op in ops {
        if let Some((ack, device)) = seen.get(&op.op_id) {
            if *device != device_id {
                // Op ids are the device's: another device's id is a conflict, never a repeat.
                acks.push(refused(
                    op.op_id,
                    "conflict",
                    "this op id was already used by another device; make a new op",
                ));
                continue;
            }
            acks.push(Ack {
                status: if ack.status == AckStatus::Rejected {
                    AckStatus::Rejected
                } else {
                    AckStatus::Duplicate
                },
                ..ack.clone()
            });
            continue;
        }
        if acks.iter().any(|a: &Ack| a.op_id == op.op_id) {
            acks.push(Ack {
                op_id: op.op_id,
                status: AckStatus::Duplicate,
                server_seq: None,
                error: None,
                code: None,
            });
            continue;
        }
        if clamp_clock(&mut op, now) {
            tracing::warn!(op = %op.op_id, device = %op.device_id, "clamped a far-future clock");
        }
        let outcome = apply_one(&mut tx, device_id, &op, &ctx, &mut counters).await?;
        if matches!(outcome, Ok(Some(_))) && matches!(op.change, Change::CreateTicket(_)) {
            created.push(op.entity_id);
        }
        if !matches!(outcome, Ok(Some(_))) && op.entity == helpdeck_core::op::Entity::Article {
            article_corrections.insert(op.entity_id);
        }
        if !matches!(outcome, Ok(Some(_))) && op.entity == helpdeck_core::op::Entity::Macro {
            macro_corrections.insert(op.entity_id);
        }
        if !matches!(outcome, Ok(Some(_)))
            && let Some(id) = ticket_of(&mut tx, &op, &mut counters).await?
            && counters
                .docs
                .get(&id)
                .and_then(Option::as_ref)
                .is_some_and(|d| helpdeck_core::permission::can_see(actor, &d.ticket))
        {
            // Refused, or outdone by a newer write: the pusher's copy differs from ours.
            corrections.insert(id);
        }
        let ack = match outcome {
            Ok(server_seq) => Ack {
                op_id: op.op_id,
                status: AckStatus::Applied,
                server_seq,
                error: None,
                code: None,
            },
            Err((code, message)) => {
                tracing::info!(op = %op.op_id, %code, %message, "rejected op");
                refused(op.op_id, code, &message)
            }
        };
        acks.push(ack);
    }
    if !workspace.assignment.is_empty() {
        // Routing counts each agent's open tickets in the table: this push's first.
        flush_tickets(&mut tx, &mut counters).await?;
        route_created(&mut tx, &workspace, &rules, &created, &mut counters, now).await?;
    }
    flush_tickets(&mut tx, &mut counters).await?;
    counters.work_orders.flush(&mut tx).await?;
    counters.time_entries.flush(&mut tx).await?;
    let fresh: HashMap<Uuid, Ack> = seen.into_iter().map(|(k, (a, _))| (k, a)).collect();
    record_applied(&mut tx, device_id, &acks, &fresh).await?;
    for chunk in counters.events.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO events (id, ticket_id, server_seq, state) VALUES {}",
            rows(db.backend, chunk.len(), 4)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (e, seq) in chunk {
            q = q
                .bind(e.id.to_string())
                .bind(e.ticket_id.to_string())
                .bind(*seq)
                .bind(serde_json::to_string(e).expect("event serializes"));
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE server_meta SET last_seq = $1, last_number = $2 WHERE singleton = 1")
        .bind(counters.seq)
        .bind(counters.number)
        .execute(&mut *tx)
        .await?;
    if db.backend == crate::db::Backend::Postgres && counters.seq > start_seq {
        // Wakes the long-polls of every server process sharing this database, on commit.
        sqlx::query("SELECT pg_notify('helpdeck_changes', $1)")
            .bind(counters.seq.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    db.wrote();
    Ok(Pushed {
        acks,
        corrections: corrections.into_iter().collect(),
        article_corrections: article_corrections.into_iter().collect(),
        macro_corrections: macro_corrections.into_iter().collect(),
        last_seq: (counters.seq > start_seq).then_some(counters.seq),
    })
}

fn refused(op_id: Uuid, code: &str, message: &str) -> Ack {
    Ack {
        op_id,
        status: AckStatus::Rejected,
        server_seq: None,
        error: Some(message.to_string()),
        code: Some(code.to_string()),
    }
}

fn status_str(s: AckStatus) -> &'static str {
    match s {
        AckStatus::Applied => "applied",
        AckStatus::Duplicate => "duplicate",
        AckStatus::Rejected => "rejected",
    }
}

/// Ops seen before: their first verdict and the device that sent them.
async fn already_applied(
    tx: &mut Transaction<'_, Any>,
    ops: &[Op],
) -> Result<HashMap<Uuid, (Ack, Uuid)>> {
    let mut out = HashMap::new();
    for chunk in ops.chunks(500) {
        let marks = marks(Backend::of(tx), chunk.len());
        let mut q = sqlx::query_as::<_, (String, String, Option<i64>, Option<String>, String)>(
            sqlx::AssertSqlSafe(format!(
                "SELECT op_id, status, server_seq, error, device_id FROM applied_ops WHERE op_id IN ({marks})"
            )),
        );
        for op in chunk {
            q = q.bind(op.op_id.to_string());
        }
        for (id, status, seq, error, device) in q.fetch_all(&mut **tx).await? {
            let op_id = crate::db::parse_uuid(&id)?;
            let rejected = status == "rejected";
            let ack = Ack {
                op_id,
                status: if status == "rejected" {
                    AckStatus::Rejected
                } else {
                    AckStatus::Duplicate
                },
                server_seq: seq,
                code: rejected.then(|| "rejected".to_string()),
                error,
            };
            out.insert(op_id, (ack, crate::db::parse_uuid(&device)?));
        }
    }
    Ok(out)
}

/// Applies one op. The outer `Result` is a database failure (the push fails and is retried);
/// the inner one is the op's verdict: its `server_seq` if it changed something, or the
/// reason (code and message) it was refused.
/// Gives the tickets this push created an owner by the assignment rules, as the system
/// actor: one op each (its id derived from the ticket, so never twice), applied in this
/// transaction. Under the counter lock, so tickets two laptops made offline take turns in
/// the order their pushes arrive, never the same turn.
async fn route_created(
    tx: &mut Transaction<'_, Any>,
    workspace: &helpdeck_core::sync::WorkspaceRules,
    rules: &helpdeck_core::apply::Rules,
    created: &[Uuid],
    counters: &mut Counters,
    now: Timestamp,
) -> Result<()> {
    use helpdeck_core::routing::{Facts, Router, wants_routing};
    let wanting: Vec<_> = created
        .iter()
        .filter_map(|id| counters.docs.get(id).and_then(Option::as_ref))
        .filter(|d| wants_routing(&d.ticket))
        .map(|d| d.ticket.clone())
        .collect();
    if wanting.is_empty() {
        return Ok(());
    }
    let inputs = crate::routing::inputs(tx, workspace).await?;
    let mut router = Router::new(
        &workspace.assignment,
        inputs.teams,
        inputs.agents,
        inputs.turns,
        &inputs.pause,
        now,
    );
    let mut ops = Vec::new();
    for t in &wanting {
        let tier = crate::routing::org_tier(tx, t.organization_id).await?;
        let d = router.route(&Facts::of(t, tier), t.status);
        if !d.owned() {
            continue;
        }
        tracing::info!(ticket = t.number, rule = ?d.rule, "routed a new ticket");
        let change = Change::UpdateTicket(helpdeck_core::op::TicketFields {
            team_id: d.team_id.map(Some),
            assignee_id: d.assignee_id.map(Some),
            ..Default::default()
        });
        ops.push(crate::jobs::system_op(
            Uuid::new_v5(&t.id, b"route"),
            t.id,
            change,
            now,
        ));
    }
    crate::routing::save_turns(tx, router.turns()).await?;
    let system = User::system();
    let directory = load_directory(tx, &ops).await?;
    let ctx = Context {
        actor: &system,
        rules,
        now,
        directory: &directory,
    };
    for op in &ops {
        if let Err((code, message)) =
            apply_one(tx, crate::jobs::SYSTEM_DEVICE_ID, op, &ctx, counters).await?
        {
            tracing::warn!(%code, %message, ticket = %op.entity_id, "a routing decision was refused");
        }
    }
    Ok(())
}

async fn apply_one(
    tx: &mut Transaction<'_, Any>,
    device_id: Uuid,
    op: &Op,
    ctx: &Context<'_>,
    counters: &mut Counters,
) -> Result<Result<Option<i64>, (&'static str, String)>> {
    let actor: &User = ctx.actor;
    if op.schema_version != OP_SCHEMA_VERSION {
        return Ok(Err((
            "unsupported_version",
            format!(
                "op schema version {} is not supported (this server speaks {OP_SCHEMA_VERSION}); update Helpdeck",
                op.schema_version
            ),
        )));
    }
    if let Err(e) = check_entity(op) {
        return Ok(Err((e.code(), e.to_string())));
    }
    if op.actor_id != actor.id {
        return Ok(Err((
            "forbidden",
            "forbidden: the op was made by another user".into(),
        )));
    }
    if op.device_id != device_id {
        return Ok(Err((
            "forbidden",
            "forbidden: the op comes from another device".into(),
        )));
    }
    if op.entity == helpdeck_core::op::Entity::Article {
        return apply_article(tx, op, ctx, counters).await;
    }
    if op.entity == helpdeck_core::op::Entity::Macro {
        return apply_macro(tx, op, ctx, counters).await;
    }
    if op.entity == helpdeck_core::op::Entity::WorkOrder {
        return apply_work_order(tx, op, ctx, counters).await;
    }
    if op.entity == helpdeck_core::op::Entity::TimeEntry {
        return apply_time_entry(tx, op, ctx, counters).await;
    }
    let comment = match &op.change {
        Change::AddComment(_) | Change::DeleteComment => load_comment(tx, op.entity_id).await?,
        Change::AddAttachment(a) => match a.comment_id {
            Some(c) => load_comment(tx, c).await?,
            None => None,
        },
        _ => None,
    };
    let attachment = match op.change {
        Change::AddAttachment(_) => load_attachment(tx, op.entity_id).await?,
        _ => None,
    };
    let link = match op.change {
        Change::LinkTickets(_) | Change::UnlinkTickets => load_link(tx, op.entity_id).await?,
        _ => None,
    };
    let ticket_id = match (&comment, &link, op.ticket_id()) {
        (Some(_), _, Some(id)) if matches!(op.change, Change::AddAttachment(_)) => Some(id),
        (Some(c), _, _) => Some(c.ticket_id),
        (None, Some(l), _) => Some(l.from_ticket),
        (None, None, id) => id,
    };
    let doc = match ticket_id {
        Some(id) => load_ticket(tx, id, &mut counters.docs).await?,
        None => None,
    };
    let other = match (&op.change, &link) {
        (Change::LinkTickets(d), _) => load_ticket(tx, d.to, &mut counters.docs).await?,
        (Change::MergeFrom { duplicate }, _) => {
            load_ticket(tx, *duplicate, &mut counters.docs).await?
        }
        (Change::MergeInto { into }, _) => load_ticket(tx, *into, &mut counters.docs).await?,
        (Change::UnlinkTickets, Some(l)) => {
            load_ticket(tx, l.to_ticket, &mut counters.docs).await?
        }
        _ => None,
    };
    // A merge copies the duplicate's conversation as the server holds it, never as a client
    // says it is.
    let other_comments = match &op.change {
        Change::MergeFrom { duplicate } => load_comments_of(tx, *duplicate).await?,
        _ => Vec::new(),
    };
    let target = Target {
        ticket: doc.as_ref().map(|d| &d.ticket),
        comment: comment.as_ref(),
        link: link.as_ref(),
        other: other.as_ref().map(|d| &d.ticket),
        attachment: attachment.as_ref(),
        other_comments: &other_comments,
    };
    // A customer attaches only a file they uploaded themselves (or may read already):
    // knowing a file's SHA-256 must not be a way to read it.
    if let Change::AddAttachment(a) = &op.change
        && !actor.is_staff()
    {
        let owned: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM blobs WHERE sha256 = $1 AND complete = 1 AND uploader_id = $2",
        )
        .bind(a.sha256.to_ascii_lowercase())
        .bind(actor.id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
        if owned.is_none() {
            return Ok(Err((
                "invalid",
                format!(
                    "attach: {} has not been uploaded by you; upload the file, then attach it",
                    a.name
                ),
            )));
        }
    }
    let merged = match merge_with(target, doc.as_ref(), op, ctx) {
        Err(e) => return Ok(Err((e.code(), e.to_string()))),
        Ok(None) => return Ok(Ok(None)),
        Ok(Some(m)) => m,
    };
    let is_new = doc.is_none();
    let mut next = merged.doc.clone();
    if is_new {
        counters.number += 1;
        next.ticket.number = counters.number;
    }
    counters.seq += 1;
    let seq = counters.seq;
    save_ticket(
        tx,
        counters,
        doc.as_ref(),
        &next,
        seq,
        is_new || merged.visible_to_customers(),
    )
    .await?;
    if let Some(c) = &merged.comment {
        save_comment(tx, comment.is_some(), c).await?;
    }
    if let Some(imported) = &merged.imported {
        for c in &imported.comments {
            // A merge's copies have ids derived from the two tickets: once is enough.
            if matches!(op.change, Change::MergeFrom { .. })
                && load_comment(tx, c.id).await?.is_some()
            {
                continue;
            }
            save_comment(tx, false, c).await?;
        }
        for (i, h) in imported.history.iter().enumerate() {
            let e = EventState {
                id: event_id(op.op_id, &format!("{}#{i}", h.change.field)),
                op_id: op.op_id,
                ticket_id: next.ticket.id,
                actor_id: h.actor_id,
                device_id: op.device_id,
                field: h.change.field.to_string(),
                old_value: h.change.from.clone(),
                new_value: h.change.to.clone(),
                at: h.at,
            };
            counters.events.push((e, seq));
        }
    }
    if let Some(a) = &merged.attachment {
        sqlx::query(
            "INSERT INTO attachments (id, ticket_id, comment_id, sha256, state) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(a.id.to_string())
        .bind(a.ticket_id.to_string())
        .bind(a.comment_id.map(|c| c.to_string()))
        .bind(a.sha256.clone())
        .bind(serde_json::to_string(a).expect("attachment serializes"))
        .execute(&mut **tx)
        .await?;
    }
    if let Some(l) = &merged.link {
        save_link(tx, link.is_some(), l).await?;
        // The other ticket carries the link in pulls too: move it up the stream (staff only).
        counters.seq += 1;
        if let Some(staged) = counters.staged.get_mut(&l.to_ticket) {
            staged.seq = counters.seq;
        } else {
            sqlx::query("UPDATE tickets SET server_seq = $1 WHERE id = $2")
                .bind(counters.seq)
                .bind(l.to_ticket.to_string())
                .execute(&mut **tx)
                .await?;
        }
    }
    counters.docs.insert(next.ticket.id, Some(next.clone()));
    for a in merged.audit {
        let e = EventState {
            id: event_id(op.op_id, a.field),
            op_id: op.op_id,
            ticket_id: next.ticket.id,
            actor_id: Some(actor.id),
            device_id: op.device_id,
            field: a.field.to_string(),
            old_value: a.from,
            new_value: a.to,
            at: merged.at,
        };
        counters.events.push((e, seq));
    }
    Ok(Ok(Some(seq)))
}

/// Public and published: what customers may read (a change that makes an article so, or
/// stops it being so, moves it in the customers' stream).
fn public(a: &helpdeck_core::kb::Article) -> bool {
    a.audience == helpdeck_core::kb::Audience::Public
        && a.status == helpdeck_core::kb::ArticleStatus::Published
}

pub(crate) async fn load_article(
    tx: &mut Transaction<'_, Any>,
    id: Uuid,
) -> Result<Option<helpdeck_core::kb::ArticleDoc>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT doc FROM articles WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(doc,)| {
        serde_json::from_str(&doc)
            .map_err(|e| crate::error::ServerError::Internal(format!("bad article doc: {e}")))
    })
    .transpose()
}

/// An article op: decided by `kb::merge_article` against the server's document.
async fn apply_article(
    tx: &mut Transaction<'_, Any>,
    op: &Op,
    ctx: &Context<'_>,
    counters: &mut Counters,
) -> Result<Result<Option<i64>, (&'static str, String)>> {
    let before = load_article(tx, op.entity_id).await?;
    let doc = match helpdeck_core::kb::merge_article(before.as_ref(), op, ctx) {
        Err(e) => return Ok(Err((e.code(), e.to_string()))),
        Ok(None) => return Ok(Ok(None)),
        Ok(Some(d)) => d,
    };
    // A file an article shows is one the server has, whole, of the size the article says:
    // the writer's device uploads it before the op (the sizes are the server's, not the
    // client's word).
    let known: Vec<&str> = before
        .iter()
        .flat_map(|b| &b.article.files)
        .map(|f| f.sha256.as_str())
        .collect();
    for f in doc
        .article
        .files
        .iter()
        .filter(|f| !known.contains(&f.sha256.as_str()))
    {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT size, complete FROM blobs WHERE sha256 = $1")
                .bind(&f.sha256)
                .fetch_optional(&mut **tx)
                .await?;
        match row {
            Some((size, 1)) if size as u64 == f.size => {}
            Some((size, 1)) => {
                return Ok(Err((
                    "invalid",
                    format!(
                        "files: {} is {size} bytes on the server, not {}",
                        f.name, f.size
                    ),
                )));
            }
            _ => {
                return Ok(Err((
                    "invalid",
                    format!(
                        "files: {} has not been uploaded; upload the file, then save the article",
                        f.name
                    ),
                )));
            }
        }
    }
    if before.as_ref().map(|b| &b.article.files) != Some(&doc.article.files) {
        sqlx::query("DELETE FROM article_files WHERE article_id = $1")
            .bind(op.entity_id.to_string())
            .execute(&mut **tx)
            .await?;
        for f in &doc.article.files {
            sqlx::query("INSERT INTO article_files (sha256, article_id) VALUES ($1, $2)")
                .bind(&f.sha256)
                .bind(op.entity_id.to_string())
                .execute(&mut **tx)
                .await?;
        }
    }
    counters.seq += 1;
    let seq = counters.seq;
    let customers = public(&doc.article) || before.as_ref().is_some_and(|b| public(&b.article));
    let json = serde_json::to_string(&doc).expect("article serializes");
    if before.is_none() {
        sqlx::query(
            "INSERT INTO articles (id, doc, server_seq, public_seq) VALUES ($1, $2, $3, $4)",
        )
        .bind(op.entity_id.to_string())
        .bind(json)
        .bind(seq)
        .bind(if customers { seq } else { 0 })
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query(
            "UPDATE articles SET doc = $1, server_seq = $2, \
             public_seq = CASE WHEN $3 = 1 THEN $2 ELSE public_seq END WHERE id = $4",
        )
        .bind(json)
        .bind(seq)
        .bind(i64::from(customers))
        .bind(op.entity_id.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(Ok(Some(seq)))
}

pub(crate) async fn load_macro(
    tx: &mut Transaction<'_, Any>,
    id: Uuid,
) -> Result<Option<helpdeck_core::macros::MacroDoc>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT doc FROM macros WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(doc,)| {
        serde_json::from_str(&doc)
            .map_err(|e| crate::error::ServerError::Internal(format!("bad macro doc: {e}")))
    })
    .transpose()
}

/// A macro op: decided by `macros::merge_macro` against the server's document.
async fn apply_macro(
    tx: &mut Transaction<'_, Any>,
    op: &Op,
    ctx: &Context<'_>,
    counters: &mut Counters,
) -> Result<Result<Option<i64>, (&'static str, String)>> {
    let before = load_macro(tx, op.entity_id).await?;
    let doc = match helpdeck_core::macros::merge_macro(before.as_ref(), op, ctx) {
        Err(e) => return Ok(Err((e.code(), e.to_string()))),
        Ok(None) => return Ok(Ok(None)),
        Ok(Some(d)) => d,
    };
    counters.seq += 1;
    let seq = counters.seq;
    let json = serde_json::to_string(&doc).expect("macro serializes");
    let sql = if before.is_none() {
        "INSERT INTO macros (id, doc, server_seq) VALUES ($1, $2, $3)"
    } else {
        "UPDATE macros SET doc = $2, server_seq = $3 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(op.entity_id.to_string())
        .bind(json)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    Ok(Ok(Some(seq)))
}

/// A ticket's child kept as one JSON document (`work_orders`, `time_entries`), by id.
async fn load_doc<T: serde::de::DeserializeOwned>(
    tx: &mut Transaction<'_, Any>,
    table: &'static str,
    id: Uuid,
) -> Result<Option<T>> {
    let sql = format!("SELECT doc FROM {table} WHERE id = $1");
    let row: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(doc,)| {
        serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad document in {table}: {e}")))
    })
    .transpose()
}

/// A ticket's child documents of one table (`work_orders`, `time_entries`) as a push sees
/// them: the ones its ops name read in one statement up front, kept current as ops change
/// them, and written at the push's end, a hundred rows a statement (a technician's sync
/// round of 10,000 work orders and their visits read and wrote a row per op: two statements
/// an op).
struct ChildDocs<T> {
    table: &'static str,
    /// Every document read or written so far (`None`: the table does not have it).
    known: HashMap<Uuid, Option<T>>,
    /// The documents to write: (new row?, its ticket, the document).
    staged: std::collections::BTreeMap<Uuid, (bool, Uuid, T)>,
}

impl<T: serde::de::DeserializeOwned + serde::Serialize + Clone> ChildDocs<T> {
    async fn preload(
        tx: &mut Transaction<'_, Any>,
        table: &'static str,
        ops: &[Op],
        entity: helpdeck_core::op::Entity,
    ) -> Result<Self> {
        let mut ids: Vec<Uuid> = ops
            .iter()
            .filter(|op| op.entity == entity)
            .map(|op| op.entity_id)
            .collect();
        ids.sort();
        ids.dedup();
        let known = read_docs(tx, table, &ids).await?;
        Ok(ChildDocs {
            table,
            known,
            staged: Default::default(),
        })
    }

    /// The document `id` as this push sees it.
    async fn get(&mut self, tx: &mut Transaction<'_, Any>, id: Uuid) -> Result<Option<T>> {
        if let Some(known) = self.known.get(&id) {
            return Ok(known.clone());
        }
        let doc: Option<T> = load_doc(tx, self.table, id).await?;
        self.known.insert(id, doc.clone());
        Ok(doc)
    }

    /// `doc` is now document `id` (of `ticket_id`), written at the push's end.
    fn stage(&mut self, id: Uuid, ticket_id: Uuid, doc: T) {
        let is_new = match self.staged.get(&id) {
            Some((is_new, _, _)) => *is_new,
            None => !matches!(self.known.get(&id), Some(Some(_))),
        };
        self.known.insert(id, Some(doc.clone()));
        self.staged.insert(id, (is_new, ticket_id, doc));
    }

    /// Writes the staged documents: new rows inserted, the others' documents replaced.
    async fn flush(&mut self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        let table = self.table;
        let staged = std::mem::take(&mut self.staged);
        let (new, old): (Vec<_>, Vec<_>) = staged.into_iter().partition(|(_, (n, _, _))| *n);
        for (inserts, docs) in [(true, new), (false, old)] {
            for chunk in docs.chunks(ROWS_PER_STATEMENT) {
                let values = rows(Backend::of(tx), chunk.len(), 3);
                let sql = if inserts {
                    format!("INSERT INTO {table} (id, ticket_id, doc) VALUES {values}")
                } else {
                    format!(
                        "UPDATE {table} SET doc = v.column3 FROM (VALUES {values}) AS v \
                         WHERE {table}.id = v.column1 AND {table}.ticket_id = v.column2"
                    )
                };
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, (_, ticket_id, doc)) in chunk {
                    q = q
                        .bind(id.to_string())
                        .bind(ticket_id.to_string())
                        .bind(serde_json::to_string(doc).expect("documents serialize"));
                }
                q.execute(&mut **tx).await?;
            }
        }
        Ok(())
    }
}

/// A work-order op: decided by `workorder::merge_work_order` against the server's document
/// and ticket; the ticket moves up the stream with it (for customers too, unless only staff
/// see the change), so every replica that holds the ticket gets the work order.
async fn apply_work_order(
    tx: &mut Transaction<'_, Any>,
    op: &Op,
    ctx: &Context<'_>,
    counters: &mut Counters,
) -> Result<Result<Option<i64>, (&'static str, String)>> {
    use helpdeck_core::workorder;
    let before = counters.work_orders.get(tx, op.entity_id).await?;
    let ticket_id = workorder::ticket_of(before.as_ref().map(|d| &d.work_order), &op.change);
    let ticket = match ticket_id {
        Some(id) => load_ticket(tx, id, &mut counters.docs).await?,
        None => None,
    };
    // A photo or signature must be a file of the ticket, as this server holds it (no other
    // change looks at the files).
    let files: Vec<(Uuid, String)> = match ticket_id {
        Some(id) if workorder::needs_files(&op.change) => sqlx::query_as::<_, (String, String)>(
            "SELECT id, sha256 FROM attachments WHERE ticket_id = $1",
        )
        .bind(id.to_string())
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .filter_map(|(a, sha)| Uuid::parse_str(&a).ok().map(|a| (a, sha)))
        .collect(),
        _ => Vec::new(),
    };
    let doc = match workorder::merge_work_order(
        before.as_ref(),
        ticket.as_ref().map(|t| &t.ticket),
        workorder::TicketFiles::Known(&files),
        op,
        ctx,
    ) {
        Err(e) => return Ok(Err((e.code(), e.to_string()))),
        Ok(None) => return Ok(Ok(None)),
        Ok(Some(d)) => d,
    };
    let ticket = ticket.expect("a decided work order has its ticket");
    counters.seq += 1;
    let seq = counters.seq;
    counters
        .work_orders
        .stage(op.entity_id, ticket.ticket.id, doc);
    save_ticket(
        tx,
        counters,
        Some(&ticket),
        &ticket,
        seq,
        workorder::visible_to_customers(&op.change),
    )
    .await?;
    Ok(Ok(Some(seq)))
}

/// A time-entry op: decided by `timelog::apply_time_entry` against the server's entry, ticket
/// and the comment it names; the ticket moves up the staff stream only (customers never see
/// time), so every agent's replica that holds the ticket gets the entry.
async fn apply_time_entry(
    tx: &mut Transaction<'_, Any>,
    op: &Op,
    ctx: &Context<'_>,
    counters: &mut Counters,
) -> Result<Result<Option<i64>, (&'static str, String)>> {
    use helpdeck_core::timelog;
    let before = counters.time_entries.get(tx, op.entity_id).await?;
    let ticket = match timelog::ticket_of(before.as_ref(), &op.change) {
        Some(id) => load_ticket(tx, id, &mut counters.docs).await?,
        None => None,
    };
    let comment = match &op.change {
        Change::LogTicketTime(d) => match d.comment_id {
            Some(c) => timelog::CommentOf::Known(load_comment(tx, c).await?.map(|c| c.ticket_id)),
            None => timelog::CommentOf::Known(None),
        },
        _ => timelog::CommentOf::Known(None),
    };
    let next = match timelog::apply_time_entry(
        before.as_ref(),
        ticket.as_ref().map(|t| &t.ticket),
        comment,
        op.entity_id,
        &op.change,
        op.at,
        ctx,
    ) {
        Err(e) => return Ok(Err((e.code(), e.to_string()))),
        Ok(None) => return Ok(Ok(None)),
        Ok(Some(t)) => t,
    };
    let ticket = ticket.expect("a decided time entry has its ticket");
    counters.seq += 1;
    let seq = counters.seq;
    counters
        .time_entries
        .stage(op.entity_id, ticket.ticket.id, next);
    save_ticket(tx, counters, Some(&ticket), &ticket, seq, false).await?;
    Ok(Ok(Some(seq)))
}

/// The ticket an op is about, if the server has it (a comment delete: its comment's ticket;
/// an unlink: its link's first ticket).
async fn ticket_of(
    tx: &mut Transaction<'_, Any>,
    op: &Op,
    counters: &mut Counters,
) -> Result<Option<Uuid>> {
    if op.entity == helpdeck_core::op::Entity::TimeEntry {
        let before = counters.time_entries.get(tx, op.entity_id).await?;
        return Ok(helpdeck_core::timelog::ticket_of(
            before.as_ref(),
            &op.change,
        ));
    }
    if op.entity == helpdeck_core::op::Entity::WorkOrder {
        let before = counters.work_orders.get(tx, op.entity_id).await?;
        return Ok(helpdeck_core::workorder::ticket_of(
            before.as_ref().map(|d| &d.work_order),
            &op.change,
        ));
    }
    Ok(match (op.ticket_id(), &op.change) {
        (Some(id), _) => Some(id),
        (None, Change::UnlinkTickets) => load_link(tx, op.entity_id).await?.map(|l| l.from_ticket),
        (None, _) => load_comment(tx, op.entity_id).await?.map(|c| c.ticket_id),
    })
}

async fn load_attachment(
    tx: &mut Transaction<'_, Any>,
    id: Uuid,
) -> Result<Option<helpdeck_core::attachment::AttachmentState>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT state FROM attachments WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(s,)| {
        serde_json::from_str(&s).map_err(|e| ServerError::Internal(format!("bad attachment: {e}")))
    })
    .transpose()
}

async fn load_link(tx: &mut Transaction<'_, Any>, id: Uuid) -> Result<Option<LinkState>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT state FROM ticket_links WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(s,)| {
        serde_json::from_str(&s).map_err(|e| ServerError::Internal(format!("bad link: {e}")))
    })
    .transpose()
}

async fn save_link(tx: &mut Transaction<'_, Any>, exists: bool, l: &LinkState) -> Result<()> {
    let json = serde_json::to_string(l).expect("link serializes");
    if exists {
        sqlx::query("UPDATE ticket_links SET state = $2 WHERE id = $1")
            .bind(l.id.to_string())
            .bind(json)
            .execute(&mut **tx)
            .await?;
    } else {
        sqlx::query("INSERT INTO ticket_links (id, from_id, to_id, state) VALUES ($1, $2, $3, $4)")
            .bind(l.id.to_string())
            .bind(l.from_ticket.to_string())
            .bind(l.to_ticket.to_string())
            .bind(json)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The ticket ids a push's ops touch (tickets, and the tickets of new comments).
fn ticket_ids(ops: &[Op]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ops.iter().filter_map(Op::ticket_id).collect();
    ids.extend(ops.iter().filter_map(|op| match &op.change {
        Change::LinkTickets(d) => Some(d.to),
        _ => None,
    }));
    ids.sort();
    ids.dedup();
    ids
}

async fn preload_tickets(
    tx: &mut Transaction<'_, Any>,
    ops: &[Op],
) -> Result<HashMap<Uuid, Option<TicketDoc>>> {
    read_docs(tx, "tickets", &ticket_ids(ops)).await
}

/// The documents `ids` of `table` (`id`, `doc` columns) in one statement per 500, each id
/// present: `None` when the table does not have it.
async fn read_docs<T: serde::de::DeserializeOwned>(
    tx: &mut Transaction<'_, Any>,
    table: &'static str,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Option<T>>> {
    let mut docs: HashMap<Uuid, Option<T>> = ids.iter().map(|id| (*id, None)).collect();
    for chunk in ids.chunks(ROWS_PER_STATEMENT * 5) {
        let marks = marks(Backend::of(tx), chunk.len());
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(format!(
            "SELECT id, doc FROM {table} WHERE id IN ({marks})"
        )));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for (id, doc) in q.fetch_all(&mut **tx).await? {
            let doc: T = serde_json::from_str(&doc)
                .map_err(|e| ServerError::Internal(format!("bad document in {table}: {e}")))?;
            docs.insert(crate::db::parse_uuid(&id)?, Some(doc));
        }
    }
    Ok(docs)
}

async fn load_ticket(
    tx: &mut Transaction<'_, Any>,
    id: Uuid,
    docs: &mut HashMap<Uuid, Option<TicketDoc>>,
) -> Result<Option<TicketDoc>> {
    if let Some(known) = docs.get(&id) {
        return Ok(known.clone());
    }
    let row: Option<(String,)> = sqlx::query_as("SELECT doc FROM tickets WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let doc = row
        .map(|(doc,)| {
            serde_json::from_str::<TicketDoc>(&doc)
                .map_err(|e| ServerError::Internal(format!("bad ticket doc: {e}")))
        })
        .transpose()?;
    docs.insert(id, doc.clone());
    Ok(doc)
}

/// A ticket changed by an op: a new one inserted, a change staged for [`flush_tickets`]; a
/// change of its requester or organization is recorded as a revocation now.
async fn save_ticket(
    tx: &mut Transaction<'_, Any>,
    counters: &mut Counters,
    before: Option<&TicketDoc>,
    doc: &TicketDoc,
    seq: i64,
    public: bool,
) -> Result<()> {
    let t = &doc.ticket;
    if let Some(o) = before.map(|b| &b.ticket)
        && (o.requester_id != t.requester_id || o.organization_id != t.organization_id)
    {
        // Whoever saw it through the old requester or organization loses it.
        sqlx::query(
            "INSERT INTO revocations (server_seq, ticket_id, requester_id, organization_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(seq)
        .bind(t.id.to_string())
        .bind(o.requester_id.map(|u| u.to_string()))
        .bind(o.organization_id.map(|u| u.to_string()))
        .execute(&mut **tx)
        .await?;
    }
    if before.is_none() {
        // A new ticket's row now: its comments, files and work orders refer to it.
        let sql = format!(
            "INSERT INTO tickets ({TICKET_COLUMNS}) VALUES {}",
            rows(Backend::of(tx), 1, 10)
        );
        let row = Staged {
            doc: doc.clone(),
            seq,
            public_seq: Some(seq),
            table: RowColumns::of(doc),
        };
        bind_rows(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            std::slice::from_ref(&row),
        )
        .execute(&mut **tx)
        .await?;
        return Ok(());
    }
    // A change moves the ticket in the customers' stream only if they see it.
    let (kept, table) = match (counters.staged.remove(&t.id), before) {
        (Some(s), _) => (s.public_seq, s.table),
        (None, Some(b)) => (None, RowColumns::of(b)),
        (None, None) => unreachable!("a new ticket was inserted above"),
    };
    counters.staged.insert(
        t.id,
        Staged {
            doc: doc.clone(),
            seq,
            public_seq: if public { Some(seq) } else { kept },
            table,
        },
    );
    Ok(())
}

/// The columns [`bind_rows`] binds, in its order.
const TICKET_COLUMNS: &str = "id, number, requester_id, organization_id, doc, server_seq, \
     public_seq, resolved_at, assignee_id, status";

/// Writes the changes of tickets the table held before the push, a hundred a statement.
/// Each statement sets only the columns its rows change (the document and `server_seq`
/// always): an indexed column in a `SET` has its index entry rewritten even when its value
/// stays, and a priority or tier change touches none of the others.
async fn flush_tickets(tx: &mut Transaction<'_, Any>, counters: &mut Counters) -> Result<()> {
    let staged = std::mem::take(&mut counters.staged);
    let mut shapes: BTreeMap<SetShape, Vec<Staged>> = BTreeMap::new();
    for s in staged.into_values() {
        shapes.entry(SetShape::of(&s)).or_default().push(s);
    }
    for (shape, rows_of_shape) in shapes {
        for chunk in rows_of_shape.chunks(ROWS_PER_STATEMENT) {
            // VALUES' columns are column1… on both backends, in bind_rows' order.
            let sql = format!(
                "UPDATE tickets SET {} FROM (VALUES {}) AS v WHERE tickets.id = v.column1",
                shape.set_list(),
                rows(Backend::of(tx), chunk.len(), 10)
            );
            bind_rows(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Which of a staged row's optional columns its `UPDATE` sets.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SetShape {
    people: bool,
    public: bool,
    resolved: bool,
    assignment: bool,
}

impl SetShape {
    fn of(s: &Staged) -> SetShape {
        let now = RowColumns::of(&s.doc);
        SetShape {
            people: now.requester_id != s.table.requester_id
                || now.organization_id != s.table.organization_id,
            public: s.public_seq.is_some(),
            resolved: now.resolved_at != s.table.resolved_at,
            assignment: now.assignee_id != s.table.assignee_id || now.status != s.table.status,
        }
    }

    /// The `SET` list over [`bind_rows`]' VALUES columns.
    fn set_list(self) -> String {
        let mut set = vec!["doc = v.column5", "server_seq = v.column6"];
        if self.people {
            set.extend(["requester_id = v.column3", "organization_id = v.column4"]);
        }
        if self.public {
            set.push("public_seq = v.column7");
        }
        if self.resolved {
            set.push("resolved_at = v.column8");
        }
        if self.assignment {
            set.extend(["assignee_id = v.column9", "status = v.column10"]);
        }
        set.join(", ")
    }
}

/// The ten columns of each staged ticket's row, in [`flush_tickets`]' order.
fn bind_rows<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    rows: &[Staged],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    for s in rows {
        let t = &s.doc.ticket;
        let c = RowColumns::of(&s.doc);
        q = q
            .bind(t.id.to_string())
            .bind(t.number)
            .bind(c.requester_id)
            .bind(c.organization_id)
            .bind(serde_json::to_string(&s.doc).expect("doc serializes"))
            .bind(s.seq)
            .bind(s.public_seq.unwrap_or(-1))
            .bind(c.resolved_at)
            .bind(c.assignee_id)
            .bind(c.status);
    }
    q
}

async fn load_comment(tx: &mut Transaction<'_, Any>, id: Uuid) -> Result<Option<CommentState>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT state FROM comments WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|(s,)| {
        serde_json::from_str(&s).map_err(|e| ServerError::Internal(format!("bad comment: {e}")))
    })
    .transpose()
}

async fn load_comments_of(
    tx: &mut Transaction<'_, Any>,
    ticket: Uuid,
) -> Result<Vec<CommentState>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT state FROM comments WHERE ticket_id = $1")
        .bind(ticket.to_string())
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter()
        .map(|(s,)| {
            serde_json::from_str(&s)
                .map_err(|e| crate::error::ServerError::Internal(format!("bad comment: {e}")))
        })
        .collect()
}

async fn save_comment(tx: &mut Transaction<'_, Any>, exists: bool, c: &CommentState) -> Result<()> {
    let json = serde_json::to_string(c).expect("comment serializes");
    let sql = if exists {
        "UPDATE comments SET state = $3 WHERE id = $1 AND ticket_id = $2"
    } else {
        "INSERT INTO comments (id, ticket_id, state) VALUES ($1, $2, $3)"
    };
    sqlx::query(sql)
        .bind(c.id.to_string())
        .bind(c.ticket_id.to_string())
        .bind(json)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{server_with_agents, signed_in};
    use helpdeck_core::op::{TicketDraft, TicketFields};
    use helpdeck_core::sync::hlc_at;
    use helpdeck_core::ticket::{Priority, Resolution, Tier};
    use helpdeck_core::user::Role;

    /// requester_id, organization_id, resolved_at, assignee_id, status, server_seq,
    /// public_seq, doc.
    type TicketRow = (
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        String,
        i64,
        i64,
        String,
    );

    /// Ops of one device, each a nanosecond after the one before.
    struct Device<'a> {
        caller: &'a Caller,
        at: i128,
    }

    impl Device<'_> {
        fn op(&mut self, entity_id: Uuid, change: Change) -> Op {
            self.at += 1;
            let at = Timestamp::from_nanosecond(self.at).unwrap();
            Op {
                op_id: Uuid::now_v7(),
                entity: change.entity(),
                entity_id,
                change,
                hlc: hlc_at(at, self.caller.device_id),
                at,
                device_id: self.caller.device_id,
                actor_id: self.caller.account.user.id,
                schema_version: OP_SCHEMA_VERSION,
            }
        }

        async fn push(&self, db: &Db, ops: Vec<Op>) -> Pushed {
            let pushed = push_as(db, &self.caller.account.user, self.caller.device_id, ops)
                .await
                .unwrap();
            for a in &pushed.acks {
                assert_eq!(a.status, AckStatus::Applied, "{:?}", a.error);
            }
            pushed
        }
    }

    /// A push writes each changed ticket's row once, setting only the columns that moved; every
    /// column of every row still says what its document says afterwards.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pushed_change_leaves_every_row_column_as_its_document_says() {
        let (_dir, db, agents) = server_with_agents(2).await;
        let customer = signed_in(&db, "ann@org.example", Role::Customer, Some("Org")).await;
        let mut me = Device {
            caller: &agents[0],
            at: Timestamp::now().as_nanosecond(),
        };
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let creates = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                me.op(
                    *id,
                    Change::CreateTicket(TicketDraft {
                        title: format!("Printer {i} jams"),
                        description: "Paper jam in tray 2".into(),
                        ..TicketDraft::default()
                    }),
                )
            })
            .collect();
        me.push(&db, creates).await;
        let seq_of = async |id: Uuid| -> i64 {
            sqlx::query_scalar("SELECT server_seq FROM tickets WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&db.pool)
                .await
                .unwrap()
        };
        let mut before = Vec::new();
        for id in &ids {
            before.push(seq_of(*id).await);
        }

        let [a, b, c, d] = [ids[0], ids[1], ids[2], ids[3]];
        let changes = vec![
            me.op(
                a,
                Change::UpdateTicket(TicketFields {
                    priority: Some(Priority::P1),
                    ..TicketFields::default()
                }),
            ),
            me.op(
                b,
                Change::UpdateTicket(TicketFields {
                    assignee_id: Some(Some(agents[1].account.user.id)),
                    ..TicketFields::default()
                }),
            ),
            me.op(
                c,
                Change::Resolve(Resolution {
                    cause: "Worn roller".into(),
                    solution: "Roller replaced".into(),
                    prevention: None,
                }),
            ),
            me.op(
                d,
                Change::UpdateTicket(TicketFields {
                    requester_id: Some(Some(customer.account.user.id)),
                    ..TicketFields::default()
                }),
            ),
            // A second change of the same ticket in the same push.
            me.op(
                a,
                Change::UpdateTicket(TicketFields {
                    tier: Some(Tier::L3),
                    ..TicketFields::default()
                }),
            ),
        ];
        me.push(&db, changes).await;

        for (id, seq_before) in ids.iter().zip(before) {
            let (requester, org, resolved_at, assignee, status, seq, public, doc): TicketRow =
                sqlx::query_as(
                    "SELECT requester_id, organization_id, resolved_at, assignee_id, status, \
                 server_seq, public_seq, doc FROM tickets WHERE id = $1",
                )
                .bind(id.to_string())
                .fetch_one(&db.pool)
                .await
                .unwrap();
            let doc: TicketDoc = serde_json::from_str(&doc).unwrap();
            let row = RowColumns {
                requester_id: requester,
                organization_id: org,
                resolved_at,
                assignee_id: assignee,
                status: doc.ticket.status.as_str(),
            };
            assert!(row == RowColumns::of(&doc), "ticket {id}'s columns");
            assert_eq!(status, doc.ticket.status.as_str());
            assert!(seq > seq_before, "ticket {id} moved in the change stream");
            assert!(public <= seq);
        }
        let doc_of = async |id: Uuid| -> TicketDoc {
            let doc: String = sqlx::query_scalar("SELECT doc FROM tickets WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&db.pool)
                .await
                .unwrap();
            serde_json::from_str(&doc).unwrap()
        };
        let a = doc_of(a).await.ticket;
        assert_eq!((a.priority, a.tier), (Priority::P1, Tier::L3));
        assert_eq!(
            doc_of(b).await.ticket.assignee_id,
            Some(agents[1].account.user.id)
        );
        assert!(doc_of(c).await.ticket.resolved_at.is_some());
        let d = doc_of(d).await.ticket;
        assert_eq!(d.requester_id, Some(customer.account.user.id));
        assert!(d.organization_id.is_some(), "the customer's organization");
    }
}
