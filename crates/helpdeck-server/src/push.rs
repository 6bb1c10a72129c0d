//! `POST /sync/push`: in one transaction, drop duplicates by op id, authorise and merge each
//! op, give every applied op the next `server_seq`, write the audit trail, and answer with
//! one ack per op. A rejected op is acknowledged with its error and recorded, so a replay
//! gets the same answer and the client's queue never stalls (spec §6.2).

use std::collections::HashMap;

use helpdeck_core::Timestamp;
use helpdeck_core::op::{Entity, OP_SCHEMA_VERSION, Op, OpAction};
use helpdeck_core::sync::{
    Ack, AckStatus, CommentState, EventState, TicketDoc, apply_comment_op, apply_ticket_op,
    check_entity, clamp_clock, event_id,
};
use jiff::SignedDuration;
use sqlx::{Any, Transaction};
use uuid::Uuid;

use crate::accounts::Caller;
use crate::db::{Db, now_ms};
use crate::error::{Result, ServerError};

/// How long after closing a customer may still reopen (the workspace rule).
const REOPEN_WINDOW: SignedDuration = SignedDuration::from_hours(14 * 24);

struct Counters {
    seq: i64,
    number: i64,
    /// Audit events of the push, written together before the commit.
    events: Vec<(EventState, i64)>,
    /// The push's tickets as this transaction sees them (loaded together up front, kept
    /// current as ops change them): one read per push instead of one per op.
    docs: HashMap<Uuid, Option<TicketDoc>>,
}

/// Rows per multi-row INSERT (far below both backends' bind-parameter limits).
const ROWS_PER_STATEMENT: usize = 100;

/// `($1, $2, …), (…)`: `n` rows of `width` placeholders.
fn rows(n: usize, width: usize) -> String {
    (0..n)
        .map(|r| {
            let marks = (1..=width)
                .map(|c| format!("${}", r * width + c))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({marks})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Records every newly seen op with its verdict (a replay gets the same answer, I3).
async fn record_applied(
    tx: &mut Transaction<'_, Any>,
    caller: &Caller,
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
    let device = caller.device_id.to_string();
    for chunk in new.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO applied_ops (op_id, status, server_seq, error, device_id, received_at) VALUES {}",
            rows(chunk.len(), 6)
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
    Ok(())
}

/// Applies a push; returns the acks and the last `server_seq` used (to wake pullers).
pub async fn push(db: &Db, caller: &Caller, ops: Vec<Op>) -> Result<(Vec<Ack>, Option<i64>)> {
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
    };
    let start_seq = seq;
    let seen = already_applied(&mut tx, &ops).await?;
    let now = Timestamp::now();
    let mut acks = Vec::with_capacity(ops.len());
    for mut op in ops {
        if let Some(ack) = seen.get(&op.op_id) {
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
            });
            continue;
        }
        if clamp_clock(&mut op, now) {
            tracing::warn!(op = %op.op_id, device = %op.device_id, "clamped a far-future clock");
        }
        let outcome = apply_one(&mut tx, caller, &op, &mut counters).await?;
        if !matches!(outcome, Ok(Some(_))) {
            // Refused or outdone by a newer write: the pusher's copy differs from ours, so
            // the ticket moves up the stream and its next pull brings our state back (I1).
            touch_ticket(&mut tx, &op, &mut counters).await?;
        }
        let ack = match outcome {
            Ok(server_seq) => Ack {
                op_id: op.op_id,
                status: AckStatus::Applied,
                server_seq,
                error: None,
            },
            Err(message) => {
                tracing::info!(op = %op.op_id, %message, "rejected op");
                Ack {
                    op_id: op.op_id,
                    status: AckStatus::Rejected,
                    server_seq: None,
                    error: Some(message),
                }
            }
        };
        acks.push(ack);
    }
    record_applied(&mut tx, caller, &acks, &seen).await?;
    for chunk in counters.events.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO events (id, ticket_id, server_seq, state) VALUES {}",
            rows(chunk.len(), 4)
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
    Ok((acks, (counters.seq > start_seq).then_some(counters.seq)))
}

fn status_str(s: AckStatus) -> &'static str {
    match s {
        AckStatus::Applied => "applied",
        AckStatus::Duplicate => "duplicate",
        AckStatus::Rejected => "rejected",
    }
}

async fn already_applied(tx: &mut Transaction<'_, Any>, ops: &[Op]) -> Result<HashMap<Uuid, Ack>> {
    let mut out = HashMap::new();
    for chunk in ops.chunks(500) {
        let marks = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query_as::<_, (String, String, Option<i64>, Option<String>)>(
            sqlx::AssertSqlSafe(format!(
                "SELECT op_id, status, server_seq, error FROM applied_ops WHERE op_id IN ({marks})"
            )),
        );
        for op in chunk {
            q = q.bind(op.op_id.to_string());
        }
        for (id, status, seq, error) in q.fetch_all(&mut **tx).await? {
            let op_id = crate::db::parse_uuid(&id)?;
            out.insert(
                op_id,
                Ack {
                    op_id,
                    status: if status == "rejected" {
                        AckStatus::Rejected
                    } else {
                        AckStatus::Duplicate
                    },
                    server_seq: seq,
                    error,
                },
            );
        }
    }
    Ok(out)
}

/// Applies one op. The outer `Result` is a database failure (the push fails and is retried);
/// the inner one is the op's verdict: its `server_seq` if it changed something, or the
/// reason it was rejected.
async fn apply_one(
    tx: &mut Transaction<'_, Any>,
    caller: &Caller,
    op: &Op,
    counters: &mut Counters,
) -> Result<Result<Option<i64>, String>> {
    let actor = &caller.account.user;
    if op.schema_version != OP_SCHEMA_VERSION {
        return Ok(Err(format!(
            "op schema version {} is not supported (this server speaks {OP_SCHEMA_VERSION})",
            op.schema_version
        )));
    }
    if let Err(e) = check_entity(op) {
        return Ok(Err(e.to_string()));
    }
    if op.actor_id != actor.id {
        return Ok(Err("forbidden: the op was made by another user".into()));
    }
    if op.device_id != caller.device_id {
        return Ok(Err("forbidden: the op comes from another device".into()));
    }
    match op.entity {
        Entity::Ticket => {
            let current = load_ticket(tx, op.entity_id, &mut counters.docs).await?;
            let mut number = counters.number;
            let verdict = apply_ticket_op(
                current.as_ref(),
                op,
                actor,
                &mut || {
                    number += 1;
                    number
                },
                REOPEN_WINDOW,
            );
            match verdict {
                Err(e) => Ok(Err(e.to_string())),
                Ok(None) => Ok(Ok(None)),
                Ok(Some((mut doc, applied))) => {
                    let names_people = match &op.action {
                        OpAction::Create { .. } => true,
                        OpAction::Set { fields } => {
                            fields.contains_key("assignee_id") || fields.contains_key("team_id")
                        }
                        _ => false,
                    };
                    if names_people
                        && let Err(message) = check_references(tx, &mut doc, &op.action).await?
                    {
                        return Ok(Err(message));
                    }
                    counters.number = number;
                    counters.seq += 1;
                    let seq = counters.seq;
                    save_ticket(tx, current.as_ref(), &doc, seq).await?;
                    counters.docs.insert(doc.ticket.id, Some(doc.clone()));
                    for a in applied {
                        let e = EventState {
                            id: event_id(op.op_id, &a.field),
                            op_id: op.op_id,
                            ticket_id: doc.ticket.id,
                            actor_id: Some(actor.id),
                            device_id: op.device_id,
                            field: a.field,
                            old_value: a.old_value,
                            new_value: a.new_value,
                            at: op.at,
                        };
                        counters.events.push((e, seq));
                    }
                    Ok(Ok(Some(seq)))
                }
            }
        }
        Entity::Comment => {
            let current = load_comment(tx, op.entity_id).await?;
            let ticket_id = match (&current, &op.action) {
                (Some(c), _) => Some(c.ticket_id),
                (None, OpAction::Create { state }) => state
                    .get("ticket_id")
                    .and_then(|v| v.as_str())
                    .and_then(|s| s.parse().ok()),
                _ => None,
            };
            let ticket = match ticket_id {
                Some(id) => load_ticket(tx, id, &mut counters.docs).await?,
                None => None,
            };
            match apply_comment_op(
                current.as_ref(),
                ticket.as_ref().map(|d| &d.ticket),
                op,
                actor,
            ) {
                Err(e) => Ok(Err(e.to_string())),
                Ok(None) => Ok(Ok(None)),
                Ok(Some(c)) => {
                    counters.seq += 1;
                    let seq = counters.seq;
                    save_comment(tx, current.is_some(), &c).await?;
                    // The ticket carries its comments in pulls: move it to this seq.
                    sqlx::query("UPDATE tickets SET server_seq = $1 WHERE id = $2")
                        .bind(seq)
                        .bind(c.ticket_id.to_string())
                        .execute(&mut **tx)
                        .await?;
                    Ok(Ok(Some(seq)))
                }
            }
        }
        _ => Ok(Err("unsupported entity".into())),
    }
}

/// The users, organization and team a ticket names must exist here; a customer's ticket
/// belongs to the requester's organization (the server decides, not the device).
async fn check_references(
    tx: &mut Transaction<'_, Any>,
    doc: &mut TicketDoc,
    action: &OpAction,
) -> Result<Result<(), String>> {
    let t = &mut doc.ticket;
    if let Some(r) = t.requester_id {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT role, organization_id FROM users WHERE id = $1")
                .bind(r.to_string())
                .fetch_optional(&mut **tx)
                .await?;
        let Some((role, org)) = row else {
            return Ok(Err(format!("requester {r} is not a user on the server")));
        };
        if matches!(action, OpAction::Create { .. }) {
            t.organization_id = if role == "customer" {
                org.as_deref().map(crate::db::parse_uuid).transpose()?
            } else {
                None
            };
        }
    }
    if let Some(a) = t.assignee_id {
        let row: Option<(String,)> = sqlx::query_as("SELECT role FROM users WHERE id = $1")
            .bind(a.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            None => return Ok(Err(format!("assignee {a} is not a user on the server"))),
            Some((role,)) if role == "customer" => {
                return Ok(Err("tickets are assigned to agents, not customers".into()));
            }
            Some(_) => {}
        }
    }
    if let Some(team) = t.team_id {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM teams WHERE id = $1")
            .bind(team.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        if row.is_none() {
            return Ok(Err(format!("team {team} does not exist on the server")));
        }
    }
    Ok(Ok(()))
}

async fn touch_ticket(
    tx: &mut Transaction<'_, Any>,
    op: &Op,
    counters: &mut Counters,
) -> Result<()> {
    let ticket_id = match op.entity {
        Entity::Ticket => Some(op.entity_id),
        Entity::Comment => match load_comment(tx, op.entity_id).await? {
            Some(c) => Some(c.ticket_id),
            None => match &op.action {
                OpAction::Create { state } => state
                    .get("ticket_id")
                    .and_then(|v| v.as_str())
                    .and_then(|s| s.parse().ok()),
                _ => None,
            },
        },
        _ => None,
    };
    let Some(id) = ticket_id else { return Ok(()) };
    let done = sqlx::query("UPDATE tickets SET server_seq = $1 WHERE id = $2")
        .bind(counters.seq + 1)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() > 0 {
        counters.seq += 1;
    }
    Ok(())
}

/// The ticket ids a push's ops touch (tickets, and the tickets of new comments).
fn ticket_ids(ops: &[Op]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ops
        .iter()
        .filter_map(|op| match (op.entity, &op.action) {
            (Entity::Ticket, _) => Some(op.entity_id),
            (Entity::Comment, OpAction::Create { state }) => state
                .get("ticket_id")
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse().ok()),
            _ => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

async fn preload_tickets(
    tx: &mut Transaction<'_, Any>,
    ops: &[Op],
) -> Result<HashMap<Uuid, Option<TicketDoc>>> {
    let ids = ticket_ids(ops);
    let mut docs: HashMap<Uuid, Option<TicketDoc>> = ids.iter().map(|id| (*id, None)).collect();
    for chunk in ids.chunks(ROWS_PER_STATEMENT * 5) {
        let marks = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(format!(
            "SELECT id, doc FROM tickets WHERE id IN ({marks})"
        )));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for (id, doc) in q.fetch_all(&mut **tx).await? {
            let doc: TicketDoc = serde_json::from_str(&doc)
                .map_err(|e| ServerError::Internal(format!("bad ticket doc: {e}")))?;
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

async fn save_ticket(
    tx: &mut Transaction<'_, Any>,
    before: Option<&TicketDoc>,
    doc: &TicketDoc,
    seq: i64,
) -> Result<()> {
    let t = &doc.ticket;
    let json = serde_json::to_string(doc).expect("doc serializes");
    match before {
        None => {
            sqlx::query(
                "INSERT INTO tickets (id, number, requester_id, organization_id, doc, server_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(t.id.to_string())
            .bind(t.number)
            .bind(t.requester_id.map(|u| u.to_string()))
            .bind(t.organization_id.map(|u| u.to_string()))
            .bind(json)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        }
        Some(old) => {
            sqlx::query(
                "UPDATE tickets SET requester_id = $1, organization_id = $2, doc = $3, server_seq = $4 \
                 WHERE id = $5",
            )
            .bind(t.requester_id.map(|u| u.to_string()))
            .bind(t.organization_id.map(|u| u.to_string()))
            .bind(json)
            .bind(seq)
            .bind(t.id.to_string())
            .execute(&mut **tx)
            .await?;
            let o = &old.ticket;
            if o.requester_id != t.requester_id || o.organization_id != t.organization_id {
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
        }
    }
    Ok(())
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
