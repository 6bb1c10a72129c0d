//! The escalation-rule job (spec §3.1): for each open ticket, the SLA as every replica
//! computes it (`helpdeck_core::sla::evaluate`, from the ticket's status history and public
//! agent replies), the rules that fire (`helpdeck_core::escalation::rules::firings`) and
//! the changes they make, as ops of the system actor. Op ids derive from the firing (rule,
//! target, event, due time), so a firing happens once however many server processes find
//! it; ids already applied are left out before pushing.

use std::collections::{BTreeMap, HashMap, HashSet};

use helpdeck_core::Timestamp;
use helpdeck_core::escalation::rules::{changes, firings};
use helpdeck_core::op::Op;
use helpdeck_core::record::Visibility;
use helpdeck_core::routing::{Assign, Facts};
use helpdeck_core::sla::{Calendar, SlaFacts, StatusChange, evaluate};
use helpdeck_core::sync::{CommentState, EventState, TicketDoc, WorkspaceRules};
use uuid::Uuid;

use crate::db::{Backend, Db, marks, parse_uuid};
use crate::error::{Result, ServerError};
use crate::jobs::system_op;

/// Open tickets looked at per statement.
const CHUNK: usize = 200;

/// The ops the escalation rules call for now (none without rules).
pub(crate) async fn due_ops(db: &Db, rules: &WorkspaceRules, now: Timestamp) -> Result<Vec<Op>> {
    if rules.escalation.is_empty() {
        return Ok(Vec::new());
    }
    let Some(sla) = &rules.sla else {
        return Ok(Vec::new());
    };
    let calendar = Calendar::new(sla.calendar.clone())
        .map_err(|e| ServerError::Internal(format!("bad SLA calendar: {e}")))?;
    let bad = |e: serde_json::Error| ServerError::Internal(format!("bad stored state: {e}"));
    let mut conn = db.pool.acquire().await?;
    // Whom rules name: people by email, teams by name.
    let people: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, email, team_id FROM users WHERE role IN ('agent', 'admin')")
            .fetch_all(&mut *conn)
            .await?;
    let people: HashMap<String, (Uuid, Option<Uuid>)> = people
        .into_iter()
        .map(|(id, email, team)| {
            Ok((
                email.to_lowercase(),
                (
                    parse_uuid(&id)?,
                    team.as_deref().map(parse_uuid).transpose()?,
                ),
            ))
        })
        .collect::<Result<_>>()?;
    let teams: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM teams")
        .fetch_all(&mut *conn)
        .await?;
    let teams: HashMap<String, Uuid> = teams
        .into_iter()
        .map(|(id, name)| Ok((name.to_lowercase(), parse_uuid(&id)?)))
        .collect::<Result<_>>()?;
    let docs: Vec<(String,)> = sqlx::query_as(
        "SELECT doc FROM tickets WHERE status IS NOT NULL AND status NOT IN ('resolved', 'closed')",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut ops = Vec::new();
    for chunk in docs.chunks(CHUNK) {
        let tickets: Vec<TicketDoc> = chunk
            .iter()
            .map(|(d,)| serde_json::from_str(d).map_err(bad))
            .collect::<Result<_>>()?;
        let marks = marks(Backend::of(&conn), tickets.len());
        let mut statuses: BTreeMap<Uuid, Vec<StatusChange>> = BTreeMap::new();
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(format!(
            "SELECT state FROM events WHERE ticket_id IN ({marks})"
        )));
        for d in &tickets {
            q = q.bind(d.ticket.id.to_string());
        }
        for (state,) in q.fetch_all(&mut *conn).await? {
            let e: EventState = serde_json::from_str(&state).map_err(bad)?;
            if e.field == "status"
                && let Some(Ok(to)) = e.new_value.as_deref().map(str::parse)
            {
                statuses
                    .entry(e.ticket_id)
                    .or_default()
                    .push(StatusChange { at: e.at, to });
            }
        }
        let mut replies: BTreeMap<Uuid, Vec<Timestamp>> = BTreeMap::new();
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(format!(
            "SELECT state FROM comments WHERE ticket_id IN ({marks})"
        )));
        for d in &tickets {
            q = q.bind(d.ticket.id.to_string());
        }
        for (state,) in q.fetch_all(&mut *conn).await? {
            let c: CommentState = serde_json::from_str(&state).map_err(bad)?;
            if c.by_agent && c.visibility == Visibility::Public && !c.deleted {
                replies.entry(c.ticket_id).or_default().push(c.created_at);
            }
        }
        for d in &tickets {
            let t = &d.ticket;
            let facts = SlaFacts {
                created_at: t.created_at,
                priority: t.priority,
                kind: t.kind,
                status_changes: statuses.remove(&t.id).unwrap_or_default(),
                agent_public_replies: replies.remove(&t.id).unwrap_or_default(),
            };
            let report = evaluate(&facts, &sla.policy, &calendar, now);
            let tier = crate::routing::org_tier(&mut conn, t.organization_id).await?;
            for f in firings(&rules.escalation, t, &Facts::of(t, tier), &report) {
                let notify = f
                    .rule
                    .notify
                    .as_ref()
                    .and_then(|e| people.get(&e.to_lowercase()))
                    .map(|(id, _)| *id);
                let reassign = match &f.rule.reassign {
                    Some(Assign::Team { team }) => {
                        teams.get(&team.to_lowercase()).map(|id| (Some(*id), None))
                    }
                    Some(Assign::Agent { email }) => people
                        .get(&email.to_lowercase())
                        .map(|(id, team)| (*team, Some(*id))),
                    _ => None,
                };
                let key = f.key();
                for (i, change) in changes(&f, t, notify, reassign).into_iter().enumerate() {
                    let op_id = Uuid::new_v5(&t.id, format!("{key}/{i}").as_bytes());
                    ops.push(system_op(op_id, t.id, change, now));
                }
            }
        }
    }
    // Firings applied already (by this process or another) are not sent again.
    let mut done = HashSet::new();
    for chunk in ops.chunks(CHUNK) {
        let marks = marks(Backend::of(&conn), chunk.len());
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(format!(
            "SELECT op_id FROM applied_ops WHERE op_id IN ({marks})"
        )));
        for op in chunk {
            q = q.bind(op.op_id.to_string());
        }
        for (id,) in q.fetch_all(&mut *conn).await? {
            done.insert(id);
        }
    }
    ops.retain(|op| !done.contains(&op.op_id.to_string()));
    Ok(ops)
}
