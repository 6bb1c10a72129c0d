//! Server jobs: what is due runs as the system actor ("Helpdeck"), through the same merge
//! and audit trail as any pushed change (`push::push_as`).
//!
//! Exactly once, also with several server processes on one PostgreSQL: a job's op id is
//! derived from what it acts on (auto-close: the ticket and the moment it was resolved; an
//! escalation rule: the rule, the SLA target, the event and its due time — `escalations`), and
//! pushes are serialised by the counter row lock and idempotent by op id. Two processes that
//! find the same ticket due make the same op; the second is a duplicate and changes nothing.

use std::time::Duration;

use helpdeck_core::Timestamp;
use helpdeck_core::op::{OP_SCHEMA_VERSION, Op};
use helpdeck_core::sync::{TicketDoc, hlc_at};
use helpdeck_core::user::{SYSTEM_USER_ID, User};
use uuid::Uuid;

use crate::AppState;
use crate::error::{Result, ServerError};

/// The device the system actor's changes are recorded from.
pub const SYSTEM_DEVICE_ID: Uuid = SYSTEM_USER_ID;

/// Most tickets one run closes (the next run takes the rest).
const BATCH: i64 = 500;

/// A change the system actor makes on ticket `ticket` (a job, a routing decision), with an
/// op id derived from what it acts on.
pub(crate) fn system_op(
    op_id: Uuid,
    ticket: Uuid,
    change: helpdeck_core::op::Change,
    now: Timestamp,
) -> Op {
    Op {
        op_id,
        entity: change.entity(),
        entity_id: ticket,
        change,
        hlc: hlc_at(now, SYSTEM_DEVICE_ID),
        at: now,
        device_id: SYSTEM_DEVICE_ID,
        actor_id: SYSTEM_USER_ID,
        schema_version: OP_SCHEMA_VERSION,
    }
}

/// Runs due jobs every `interval` until the task is aborted.
pub async fn run_forever(state: AppState, interval: Duration) {
    loop {
        match run_due(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(changes = n, "server jobs made changes"),
            Err(e) => tracing::warn!(error = %e, "server jobs failed; retrying next round"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Runs every due job once; returns how many changes were made.
pub async fn run_due(state: &AppState) -> Result<usize> {
    let db = &state.0.db;
    let workspace = db.rules().await?;
    let rules = workspace.to_rules();
    let now = Timestamp::now();
    let cutoff = (now - rules.auto_close_after).as_millisecond();
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT doc FROM tickets WHERE resolved_at IS NOT NULL AND resolved_at <= $1 \
         ORDER BY resolved_at LIMIT $2",
    )
    .bind(cutoff)
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    let mut ops = Vec::new();
    for (doc,) in rows {
        let doc: TicketDoc = serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad ticket doc: {e}")))?;
        let t = &doc.ticket;
        let Some(change) = helpdeck_core::jobs::auto_close(t, &rules, now) else {
            continue;
        };
        let resolved = t.resolved_at.map(|r| r.as_millisecond()).unwrap_or(0);
        ops.push(system_op(
            Uuid::new_v5(&t.id, format!("auto_close/{resolved}").as_bytes()),
            t.id,
            change,
            now,
        ));
    }
    ops.extend(crate::escalations::due_ops(db, &workspace, now).await?);
    ops.extend(plan_ops(db, &workspace, now).await?);
    if ops.is_empty() {
        return Ok(0);
    }
    let pushed = {
        let _guard = state.0.push_lock.lock().await;
        crate::push::push_as(db, &User::system(), SYSTEM_DEVICE_ID, ops).await?
    };
    if let Some(seq) = pushed.last_seq {
        state.wake(seq);
    }
    Ok(pushed
        .acks
        .iter()
        .filter(|a| a.server_seq.is_some())
        .count())
}

/// The visits of maintenance plans that are due and not made yet: each a ticket and its work
/// order, with ids derived from the plan and the visit's number (`MaintenancePlan::visit_ids`),
/// so a second server process makes the same ops and they are duplicates.
async fn plan_ops(
    db: &crate::db::Db,
    workspace: &helpdeck_core::sync::WorkspaceRules,
    now: Timestamp,
) -> Result<Vec<Op>> {
    let mut ops = Vec::new();
    if workspace.plans.is_empty() {
        return Ok(ops);
    }
    let tz = workspace
        .sla
        .as_ref()
        .and_then(|s| jiff::tz::TimeZone::get(&s.calendar.timezone).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    for plan in &workspace.plans {
        let technician = match &plan.technician {
            Some(email) => sqlx::query_scalar::<_, String>(
                "SELECT id FROM users WHERE lower(email) = lower($1) AND role IN ('agent', 'admin')",
            )
            .bind(email.trim())
            .fetch_optional(&db.pool)
            .await?
            .and_then(|id| Uuid::parse_str(&id).ok()),
            None => None,
        };
        for k in plan.due(now, &tz) {
            let ids = plan.visit_ids(k);
            let made: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM work_orders WHERE id = $1")
                .bind(ids.work_order.to_string())
                .fetch_optional(&db.pool)
                .await?;
            if made.is_some() {
                continue;
            }
            let Some((ticket, work_order)) = plan.visit(k, &tz, technician) else {
                continue;
            };
            ops.push(system_op(ids.ticket_op, ids.ticket, ticket, now));
            ops.push(system_op(
                ids.work_order_op,
                ids.work_order,
                work_order,
                now,
            ));
        }
    }
    Ok(ops)
}
