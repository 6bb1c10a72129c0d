//! Loading the SLA facts of tickets and evaluating them with the core engine.

use std::collections::HashMap;

use helpdeck_core::Timestamp;
use helpdeck_core::sla::{SlaFacts, SlaReport, SlaState, StatusChange, evaluate};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Kind, Priority, Ticket};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::error::Result;
use crate::rows::{ms, ts, uuid};
use crate::views::SlaView;
use crate::{Policies, Sla};

/// One open ticket's SLA, as `helpdeck sla` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct SlaRow {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub priority: Priority,
    pub status: Status,
    pub assignee: Option<String>,
    pub sla: SlaView,
}

/// Status changes and public agent replies of some tickets, keyed by ticket id.
#[derive(Default)]
pub(crate) struct FactRows {
    pub changes: HashMap<String, Vec<StatusChange>>,
    pub replies: HashMap<String, Vec<Timestamp>>,
}

impl FactRows {
    pub fn facts(&self, t: &Ticket) -> SlaFacts {
        let key = t.id.to_string();
        SlaFacts {
            created_at: t.created_at,
            priority: t.priority,
            kind: t.kind,
            status_changes: self.changes.get(&key).cloned().unwrap_or_default(),
            agent_public_replies: self.replies.get(&key).cloned().unwrap_or_default(),
        }
    }

    pub(crate) fn push_change(&mut self, id: String, to: &str, at: i64) {
        if let Ok(to) = to.parse::<Status>() {
            self.changes
                .entry(id)
                .or_default()
                .push(StatusChange { at: ts(at), to });
        }
    }
}

/// A ticket's SLA history as its row keeps it (`tickets.sla_history`): status changes
/// (ms, status) and public agent reply times (ms).
#[derive(Serialize, Deserialize)]
struct StoredHistory {
    s: Vec<(i64, String)>,
    r: Vec<i64>,
}

/// The history of `facts` as its ticket's row keeps it (written with the SLA columns).
pub(crate) fn history_json(facts: &SlaFacts) -> String {
    serde_json::to_string(&StoredHistory {
        s: facts
            .status_changes
            .iter()
            .map(|c| (ms(c.at), c.to.as_str().to_string()))
            .collect(),
        r: facts.agent_public_replies.iter().map(|t| ms(*t)).collect(),
    })
    .expect("a history serializes")
}

/// A ticket's SLA history parsed from its row: its status changes and public agent reply
/// times.
pub(crate) type KeptHistory = (Vec<StatusChange>, Vec<Timestamp>);

/// The history a row keeps (`tickets.sla_history`), parsed; none when the row keeps none (a
/// row from before the column) or it does not parse. A change to a status this build does
/// not know is left out.
pub(crate) fn kept_history(json: Option<&str>) -> Option<KeptHistory> {
    let h = serde_json::from_str::<StoredHistory>(json?).ok()?;
    let changes =
        h.s.into_iter()
            .filter_map(|(at, to)| {
                Some(StatusChange {
                    at: ts(at),
                    to: to.parse().ok()?,
                })
            })
            .collect();
    Some((changes, h.r.into_iter().map(ts).collect()))
}

impl FactRows {
    /// Adds a ticket's kept history; false when there is none to read (a row from before
    /// the column).
    pub(crate) fn push_history(&mut self, id: &str, json: Option<&str>) -> bool {
        let Some((changes, replies)) = kept_history(json) else {
            return false;
        };
        if !changes.is_empty() {
            self.changes
                .entry(id.to_string())
                .or_default()
                .extend(changes);
        }
        if !replies.is_empty() {
            self.replies.insert(id.to_string(), replies);
        }
        true
    }

    fn merge(&mut self, other: FactRows) {
        self.changes.extend(other.changes);
        self.replies.extend(other.replies);
    }
}

/// Every open ticket's row, in id order (ids are time-ordered: the rows' own order in the
/// file). Left to itself SQLite walked an index in priority and due order and read the 100k
/// open rows all over the file: 0.75-2.95 s instead of 0.19 s (once the queue indexes ended
/// with the ticket number).
pub(crate) const OPEN_TICKETS: &str =
    "FROM tickets t INDEXED BY tickets_open_ids WHERE t.is_open = 1";

/// The facts' histories of every open ticket, from their rows (`sla_history`), and from their
/// events and comments for a row written before the column.
pub(crate) async fn open_facts(conn: &mut SqliteConnection) -> Result<FactRows> {
    let rows: Vec<(String, Option<String>)> =
        json_rows(conn, "t.id, t.sla_history", OPEN_TICKETS).await?;
    facts_of(conn, rows).await
}

/// Many rows as one JSON array of arrays that SQLite builds (`SELECT columns rest`, each row
/// a `json_array` of `columns`): one row through the driver instead of one per row —
/// the driver hands rows over from its thread one at a time, which cost more than reading
/// them (100k open tickets).
pub(crate) async fn json_rows<T: serde::de::DeserializeOwned>(
    conn: &mut SqliteConnection,
    columns: &str,
    rest: &str,
) -> Result<Vec<T>> {
    let (json,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT json_group_array(json_array({columns})) {rest}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    serde_json::from_str(&json).map_err(|e| {
        crate::StoreError::Database(sqlx::Error::Decode(format!("rows as JSON: {e}").into()))
    })
}

/// The facts' histories of tickets from what their rows keep (`(id, sla_history)`), and from
/// their events and comments for rows that keep none.
pub(crate) async fn facts_of(
    conn: &mut SqliteConnection,
    rows: Vec<(String, Option<String>)>,
) -> Result<FactRows> {
    let mut out = FactRows::default();
    let mut older = Vec::new();
    for (id, json) in rows {
        if !out.push_history(&id, json.as_deref()) {
            older.push(uuid(&id)?);
        }
    }
    out.merge(replayed_facts(conn, &older).await?);
    Ok(out)
}

/// The facts' histories of tickets whose rows keep none, from their events and comments.
pub(crate) async fn replayed_facts(conn: &mut SqliteConnection, ids: &[Uuid]) -> Result<FactRows> {
    let mut out = FactRows::default();
    for chunk in ids.chunks(500) {
        let facts = load_facts(conn, chunk).await?;
        out.merge(facts);
    }
    Ok(out)
}

/// Tickets whose kept SLA history is not what their events and comments say (for
/// `helpdeck check`; a row from before the column has none and is not counted).
pub(crate) async fn stale_histories(conn: &mut SqliteConnection) -> Result<i64> {
    let mut stale = 0;
    let mut after = i64::MIN;
    loop {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT seq, id, sla_history FROM tickets WHERE seq > ? AND sla_history IS NOT NULL \
             ORDER BY seq LIMIT 500",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            return Ok(stale);
        };
        after = last;
        let ids = rows
            .iter()
            .map(|r| uuid(&r.1))
            .collect::<Result<Vec<_>>>()?;
        let replayed = load_facts(conn, &ids).await?;
        for (_, id, json) in rows {
            let mut kept = FactRows::default();
            kept.push_history(&id, Some(&json));
            let sorted = |f: &FactRows| {
                let mut c: Vec<(i64, String)> = f
                    .changes
                    .get(&id)
                    .map(|v| v.iter().map(|c| (ms(c.at), c.to.to_string())).collect())
                    .unwrap_or_default();
                c.sort();
                let mut r: Vec<i64> = f
                    .replies
                    .get(&id)
                    .map(|v| v.iter().map(|t| ms(*t)).collect())
                    .unwrap_or_default();
                r.sort();
                (c, r)
            };
            if sorted(&kept) != sorted(&replayed) {
                stale += 1;
            }
        }
    }
}

/// Loads the facts for the given ticket ids (a page or a single ticket).
pub(crate) async fn load_facts(conn: &mut SqliteConnection, ids: &[Uuid]) -> Result<FactRows> {
    let mut out = FactRows::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT ticket_id, new_value, at FROM events WHERE field = 'status' AND ticket_id IN (",
    );
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(id.to_string());
    }
    q.push(")");
    let rows: Vec<(String, Option<String>, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
    for (id, to, at) in rows {
        out.push_change(id, to.as_deref().unwrap_or(""), at);
    }
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT ticket_id, created_at FROM comments WHERE by_agent = 1 AND visibility = 'public' AND ticket_id IN (",
    );
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(id.to_string());
    }
    q.push(")");
    let rows: Vec<(String, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
    for (id, at) in rows {
        out.replies.entry(id).or_default().push(ts(at));
    }
    Ok(out)
}

/// Evaluates one ticket.
pub(crate) fn evaluate_ticket(
    policies: &Policies,
    facts: &SlaFacts,
    org: Option<Uuid>,
    now: Timestamp,
) -> SlaReport {
    let (policy, calendar) = policies.for_org(org);
    evaluate(facts, policy, calendar, now)
}

/// The denormalised columns: earliest due and at-risk moments of running targets.
pub(crate) fn sla_columns(report: &SlaReport) -> (Option<i64>, Option<i64>) {
    let running = report.targets.iter().filter(|t| {
        matches!(
            t.state,
            SlaState::Running | SlaState::AtRisk | SlaState::Breached
        )
    });
    let due = running.clone().filter_map(|t| t.due_at).min().map(ms);
    let risk = running.filter_map(|t| t.at_risk_at).min().map(ms);
    (due, risk)
}

#[derive(sqlx::FromRow)]
struct OpenTicket {
    id: String,
    number: i64,
    title: String,
    priority: String,
    status: String,
    kind: String,
    organization_id: Option<String>,
    created_at: i64,
    assignee: Option<String>,
}

impl Sla<'_> {
    /// SLA state of every open ticket at "now", most urgent first.
    /// `at_risk`/`breached` keep only tickets in that state (both: either).
    #[tracing::instrument(skip_all, err)]
    pub async fn sla_report(&self, at_risk: bool, breached: bool) -> Result<Vec<SlaRow>> {
        let now = self.0.now();
        let mut conn = self.0.pool.acquire().await?;
        let tickets: Vec<OpenTicket> = sqlx::query_as(
            "SELECT t.id, t.number, t.title, t.priority, t.status, t.kind, t.organization_id, t.created_at, \
             u.email AS assignee FROM tickets t INDEXED BY tickets_open_ids \
             LEFT JOIN users u ON u.id = t.assignee_id WHERE t.is_open = 1",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut facts = open_facts(&mut conn).await?;
        let mut out = Vec::with_capacity(tickets.len());
        for t in tickets {
            let (Ok(priority), Ok(status), Ok(kind)) = (
                t.priority.parse::<Priority>(),
                t.status.parse::<Status>(),
                t.kind.parse::<Kind>(),
            ) else {
                continue;
            };
            let sla_facts = SlaFacts {
                created_at: ts(t.created_at),
                priority,
                kind,
                status_changes: facts.changes.remove(&t.id).unwrap_or_default(),
                agent_public_replies: facts.replies.remove(&t.id).unwrap_or_default(),
            };
            let org = t.organization_id.as_deref().map(uuid).transpose()?;
            let report = evaluate_ticket(&self.0.policies(), &sla_facts, org, now);
            let view = SlaView::from_report(&report);
            let keep = match (at_risk, breached) {
                (false, false) => true,
                (true, false) => view.state == Some(SlaState::AtRisk),
                (false, true) => view.state == Some(SlaState::Breached),
                (true, true) => matches!(view.state, Some(SlaState::AtRisk | SlaState::Breached)),
            };
            if keep {
                out.push(SlaRow {
                    id: uuid(&t.id)?,
                    number: helpdeck_core::ticket::ticket_key(t.number),
                    title: t.title,
                    priority,
                    status,
                    assignee: t.assignee,
                    sla: view,
                });
            }
        }
        out.sort_by_key(|r| (r.sla.next_due_at.is_none(), r.sla.next_due_at, r.priority));
        Ok(out)
    }
}
