//! The replica side of sync (spec §6): the outbox queue, acknowledgements, and applying a
//! pulled page — directory, tickets rebased under still-pending ops, comments, history,
//! revocations and the cursor — in one transaction, so a crash leaves either the whole page
//! or none of it (I3: applying a page twice equals once).

use std::collections::{HashMap, HashSet};

use helpdeck_core::Timestamp;
use helpdeck_core::apply::TrustingDirectory;
use helpdeck_core::op::{Entity, Op, parse_stored};
use helpdeck_core::record::Visibility;
use helpdeck_core::sync::{Ack, AckStatus, PullResponse, TicketBundle, rebase};
use serde::Serialize;
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::error::Result;
use crate::rows::{ms, opt_ts};
use crate::search::{COMMENT_BITS, COMMENT_DOC_BASE, COMMENT_DOC_OF_ID, COMMENT_MASK};
use crate::sla::{evaluate_ticket, load_facts, sla_columns};
use crate::write::{Arg, Batch, TICKET_FIELDS, push_update_ticket, ticket_values};
use crate::{Replica, Store};
use helpdeck_core::search_text::{index_text, ticket_document};

/// Where a replica stands with its server.
#[derive(Debug, Clone, Serialize)]
pub struct SyncState {
    pub server_url: String,
    pub user_id: Uuid,
    pub email: String,
    pub cursor: i64,
    pub last_sync_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Local changes not yet acknowledged by the server.
    pub pending: i64,
    /// Changes the server refused for good.
    pub rejected: i64,
    pub signed_out: bool,
}

/// What applying a page did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PullApplied {
    pub tickets: usize,
    pub revoked: usize,
    pub cursor: i64,
    pub resync: bool,
    /// The server's SLA policy or calendar changed (open tickets were re-timed here; an SLA
    /// monitor with its own handle on the workspace should reload).
    pub policy_changed: bool,
}

/// A refused change, for the user to see.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    pub op_id: Uuid,
    pub entity_id: Uuid,
    pub error: String,
    pub rejected_at: Timestamp,
}

/// server_url, user_id, email, cursor, last_sync_at, last_error, signed_out.
type SyncStateRow = (
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    i64,
);

/// Rows per multi-row statement when applying a page (well under SQLite's variable limit).
/// Ticket rows per INSERT (about 28 values each, far below SQLite's limit of bound values).
const TICKETS_PER_STATEMENT: usize = 50;
const ROWS_PER_STATEMENT: usize = 100;

/// Most op bytes in one push (the server accepts 8 MiB bodies).
const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;

impl Store {
    async fn apply_tickets(
        &self,
        conn: &mut SqliteConnection,
        bundles: &[TicketBundle],
    ) -> Result<()> {
        let ids: Vec<Uuid> = bundles.iter().map(|b| b.ticket.id).collect();
        // What is here already: ticket text (for the search index) and comment ids.
        let mut existing: HashMap<String, (String, String)> = HashMap::new();
        let mut known_comments: HashSet<String> = HashSet::new();
        let mut pending: HashMap<Uuid, Vec<Op>> = HashMap::new();
        for chunk in ids.chunks(400) {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT id, title, description FROM tickets WHERE id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id.to_string());
            }
            q.push(")");
            for (id, title, description) in q
                .build_query_as::<(String, String, String)>()
                .fetch_all(&mut *conn)
                .await?
            {
                existing.insert(id, (title, description));
            }
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT id FROM comments WHERE ticket_id IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id.to_string());
            }
            q.push(")");
            for (id,) in q
                .build_query_as::<(String,)>()
                .fetch_all(&mut *conn)
                .await?
            {
                known_comments.insert(id);
            }
            // Still-pending changes of these tickets: their own ops and their new comments.
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "SELECT op FROM outbox WHERE (entity = 'ticket' AND entity_id IN (",
            );
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id.to_string());
            }
            q.push(")) OR (entity = 'comment' AND json_extract(op, '$.change.ticket_id') IN (");
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(id.to_string());
            }
            q.push(")) ORDER BY seq");
            for (op,) in q
                .build_query_as::<(String,)>()
                .fetch_all(&mut *conn)
                .await?
            {
                if let Ok(op) = parse_stored(&op)
                    && let Some(ticket) = op.ticket_id()
                {
                    pending.entry(ticket).or_default().push(op);
                }
            }
        }

        let mut batch = Batch::one_off();
        let seq_of = "(SELECT seq FROM tickets WHERE id = ?)";
        // A ticket numbered here (created offline, not yet pulled back) may hold a number the
        // server gave another ticket. Only then does the page take the slow path that moves
        // such tickets aside one by one; otherwise new tickets go in as multi-row inserts.
        let mut provisional = false;
        for chunk in bundles.chunks(400) {
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT id, number FROM tickets WHERE number IN (");
            let mut sep = q.separated(", ");
            for b in chunk {
                sep.push_bind(b.ticket.number);
            }
            q.push(")");
            let taken: HashMap<i64, String> = q
                .build_query_as::<(String, i64)>()
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id, n)| (n, id))
                .collect();
            if chunk.iter().any(|b| {
                taken
                    .get(&b.ticket.number)
                    .is_some_and(|id| *id != b.ticket.id.to_string())
            }) {
                provisional = true;
                break;
            }
        }
        let rules = self.current_rules(&mut *conn).await?;
        let mut new_tickets: Vec<(String, Vec<Arg>)> = Vec::new();
        // Tickets new here whose search documents wait for the backlog (with their comments').
        let mut deferred: HashSet<String> = HashSet::new();
        let mut applied = Vec::with_capacity(bundles.len());
        let mut new_comments = Vec::new();
        let mut new_events: Vec<Vec<Arg>> = Vec::new();
        for b in bundles {
            let t = match pending.get(&b.ticket.id) {
                Some(ops) => rebase(
                    b.ticket.clone(),
                    ops,
                    &self.context(&rules, &TrustingDirectory, self.now()),
                ),
                None => b.ticket.clone(),
            };
            let id = t.id.to_string();
            if provisional {
                // A ticket numbered here while offline may hold the server's number: move it
                // on, keeping the number it showed as its alias.
                batch.push(
                    "INSERT OR IGNORE INTO number_aliases (number, ticket_id) \
                     SELECT number, id FROM tickets WHERE number = ? AND id != ?",
                    vec![Arg::Int(t.number), Arg::text(&id)],
                );
                batch.push(
                    "UPDATE tickets SET number = (SELECT max(number) + 1 FROM tickets) \
                     WHERE number = ? AND id != ?",
                    vec![Arg::Int(t.number), Arg::text(&id)],
                );
            }
            let old = existing.get(&id);
            match old {
                None if !provisional => {
                    let mut args = vec![Arg::text(&id), Arg::Int(t.number)];
                    args.extend(ticket_values(&t, None, None));
                    deferred.insert(id.clone());
                    new_tickets.push((id.clone(), args));
                }
                None => {
                    let mut args = vec![Arg::text(&id), Arg::Int(t.number)];
                    args.extend(ticket_values(&t, None, None));
                    let marks = vec!["?"; args.len()].join(", ");
                    batch.push(
                        &format!(
                            "INSERT INTO tickets (id, number, {TICKET_FIELDS}) VALUES ({marks})"
                        ),
                        args,
                    );
                }
                Some(_) => {
                    // The server's number replaces a provisional one: the old one stays an
                    // alias.
                    batch.push(
                        "INSERT OR IGNORE INTO number_aliases (number, ticket_id) \
                         SELECT number, id FROM tickets WHERE id = ? AND number != ?",
                        vec![Arg::text(&id), Arg::Int(t.number)],
                    );
                    batch.push(
                        "UPDATE tickets SET number = ? WHERE id = ?",
                        vec![Arg::Int(t.number), Arg::text(&id)],
                    );
                    push_update_ticket(&mut batch, &t, None, None);
                }
            }
            let text_changed = match old {
                None => provisional, // else indexed with the multi-row insert below
                Some((title, desc)) => *title != t.title || *desc != t.description,
            };
            if text_changed {
                if old.is_some() {
                    batch.push(
                        &format!("DELETE FROM search_index WHERE rowid = {seq_of}"),
                        vec![Arg::text(&id)],
                    );
                }
                batch.push(
                    &format!(
                        "INSERT INTO search_index (rowid, title, body, ticket_seq) VALUES ({seq_of}, ?, ?, {seq_of})"
                    ),
                    {
                        let (title, body) = ticket_document(&t);
                        vec![
                            Arg::text(&id),
                            Arg::Text(title),
                            Arg::Text(body),
                            Arg::text(&id),
                        ]
                    },
                );
            }
            for c in &b.comments {
                let cid = c.id.to_string();
                let here = known_comments.contains(&cid);
                if c.deleted {
                    if here {
                        push_delete_comment(&mut batch, &cid);
                    }
                    continue;
                }
                if here {
                    continue; // insert-only: the body never changes
                }
                new_comments.push((cid, id.clone(), c));
            }
            for l in &b.links {
                crate::links::push_link(&mut batch, l);
            }
            for a in &b.attachments {
                // The device names files by their address: never trust one that is not.
                if helpdeck_core::attachment::validate_sha256(&a.sha256).as_deref()
                    != Ok(a.sha256.as_str())
                {
                    tracing::warn!(attachment = %a.id, "ignored an attachment with a malformed address");
                    continue;
                }
                crate::blobs::push_attachment(&mut batch, a);
                if !self.files().has_blob(&a.sha256) {
                    batch.push(
                        "INSERT OR IGNORE INTO blob_transfers (sha256, direction, size) VALUES (?, 'down', ?)",
                        vec![Arg::text(&a.sha256), Arg::Int(a.size as i64)],
                    );
                }
            }
            applied.push(t);
            for e in &b.events {
                new_events.push(vec![
                    Arg::text(e.id),
                    Arg::text(&id),
                    Arg::opt(e.actor_id),
                    Arg::text(e.device_id),
                    Arg::text(&e.field),
                    Arg::opt(e.old_value.as_deref()),
                    Arg::opt(e.new_value.as_deref()),
                    Arg::Int(ms(e.at)),
                ]);
            }
        }
        // New tickets and their search documents, many rows per statement.
        let mut tickets_left = new_tickets.into_iter().peekable();
        while tickets_left.peek().is_some() {
            let chunk: Vec<_> = tickets_left.by_ref().take(TICKETS_PER_STATEMENT).collect();
            let width = chunk[0].1.len();
            let row = format!("({})", vec!["?"; width].join(", "));
            let rows = chunk.len();
            let mut ids = Vec::with_capacity(rows);
            let mut row_args = Vec::with_capacity(rows * width);
            for (id, args) in chunk {
                ids.push(Arg::Text(id));
                row_args.extend(args);
            }
            let full = rows == TICKETS_PER_STATEMENT;
            batch.push_chunk(
                full,
                &format!(
                    "INSERT INTO tickets (id, number, {TICKET_FIELDS}) VALUES {}",
                    vec![row.as_str(); rows].join(", ")
                ),
                row_args,
            );
            // Their search documents are written after the page (a first sync applies
            // hundreds of pages; Tickets::build_search_backlog writes them at the end).
            batch.push_chunk(
                full,
                &format!(
                    "INSERT OR IGNORE INTO search_backlog (ticket_seq) \
                     SELECT seq FROM tickets WHERE id IN ({})",
                    vec!["?"; rows].join(", ")
                ),
                ids,
            );
        }
        // New comments, their search documents and the history go in as multi-row
        // statements after the tickets (one statement per row cost a round trip each).
        for chunk in new_comments.chunks(ROWS_PER_STATEMENT) {
            let mut args = Vec::with_capacity(chunk.len() * 7);
            for (cid, id, c) in chunk {
                args.extend([
                    Arg::text(cid),
                    Arg::text(id),
                    Arg::text(c.author_id),
                    Arg::text(match c.visibility {
                        Visibility::Public => "public",
                        Visibility::Internal => "internal",
                    }),
                    Arg::Int(i64::from(c.by_agent)),
                    Arg::text(&c.body),
                    Arg::Int(ms(c.created_at)),
                ]);
            }
            batch.push_chunk(
                chunk.len() == ROWS_PER_STATEMENT,
                &format!(
                    "INSERT INTO comments (id, ticket_id, author_id, visibility, by_agent, body, created_at) \
                     VALUES {}",
                    vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
                ),
                args,
            );
            let indexed: Vec<_> = chunk
                .iter()
                .filter(|(_, id, _)| !deferred.contains(id))
                .collect();
            if indexed.is_empty() {
                continue;
            }
            let mut args = Vec::with_capacity(indexed.len() * 3);
            for (cid, id, c) in &indexed {
                args.extend([
                    Arg::text(cid),
                    Arg::Text(index_text(&c.body)),
                    Arg::text(id),
                ]);
            }
            let row = format!("({COMMENT_DOC_OF_ID}, '', ?, {seq_of})");
            batch.push(
                &format!(
                    "INSERT INTO search_index (rowid, title, body, ticket_seq) VALUES {}",
                    vec![row.as_str(); indexed.len()].join(", ")
                ),
                args,
            );
        }
        let mut events = new_events.into_iter().peekable();
        while events.peek().is_some() {
            let rows: Vec<Vec<Arg>> = events.by_ref().take(ROWS_PER_STATEMENT).collect();
            batch.push_chunk(
                rows.len() == ROWS_PER_STATEMENT,
                &format!(
                    "INSERT OR IGNORE INTO events (id, ticket_id, actor_id, device_id, field, old_value, new_value, at) \
                     VALUES {}",
                    vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; rows.len()].join(", ")
                ),
                rows.into_iter().flatten().collect(),
            );
        }
        batch.push(
            "UPDATE workspace SET next_number = max(next_number, (SELECT coalesce(max(number), 0) + 1 FROM tickets))",
            vec![],
        );
        batch.execute(&mut *conn).await?;

        // SLA columns from the history now stored (the same pure engine as every replica).
        let now = self.now();
        let mut update = Batch::one_off();
        let mut report_rows = Vec::new();
        for chunk in applied.chunks(400) {
            let chunk_ids: Vec<Uuid> = chunk.iter().map(|t| t.id).collect();
            let facts = load_facts(conn, &chunk_ids).await?;
            for rows in chunk.chunks(ROWS_PER_STATEMENT) {
                let mut args = Vec::with_capacity(rows.len() * 4);
                for t in rows {
                    let sla_facts = facts.facts(t);
                    let report =
                        evaluate_ticket(&self.policies(), &sla_facts, t.organization_id, now);
                    let (due, risk) = sla_columns(&report);
                    args.extend([
                        Arg::text(t.id),
                        Arg::opt_int(due),
                        Arg::opt_int(risk),
                        Arg::Text(crate::sla::history_json(&sla_facts)),
                    ]);
                    report_rows.push(self.report_facts_of(t, &sla_facts, &report));
                }
                update.push_chunk(
                    rows.len() == ROWS_PER_STATEMENT,
                    &format!(
                        "UPDATE tickets SET sla_due_at = v.column2, sla_at_risk_at = v.column3, \
                         sla_history = v.column4 FROM (VALUES {}) AS v WHERE tickets.id = v.column1",
                        vec!["(?, ?, ?, ?)"; rows.len()].join(", ")
                    ),
                    args,
                );
            }
        }
        crate::reports::push_report_facts(&mut update, &report_rows);
        update.execute(&mut *conn).await?;
        for (t, b) in applied.iter().zip(bundles) {
            // A ticket new to this replica has no work orders or time entries here to keep
            // or remove: only the pulled ones need writing (a first sync skips two queries
            // per ticket).
            let new_here = !existing.contains_key(&t.id.to_string());
            if new_here && b.work_orders.is_empty() && b.time_entries.is_empty() {
                continue;
            }
            crate::workorders::apply_bundle(self, conn, t, &b.work_orders).await?;
            crate::timelog::apply_bundle(self, conn, t, &b.time_entries).await?;
        }
        Ok(())
    }
}

fn push_delete_comment(batch: &mut Batch, cid: &str) {
    batch.push(
        &format!("DELETE FROM search_index WHERE rowid = {COMMENT_DOC_OF_ID}"),
        vec![Arg::text(cid)],
    );
    batch.push("DELETE FROM comments WHERE id = ?", vec![Arg::text(cid)]);
    // A deleted reply takes its files with it (they stop showing; the server stops serving).
    batch.push(
        "DELETE FROM attachments WHERE comment_id = ?",
        vec![Arg::text(cid)],
    );
}

/// `pulled` (an article's or a macro's server copy) with this device's still-pending ops on
/// it applied on top, oldest first (they reach the server with the next push); an op its
/// rule no longer takes is skipped here (the server will answer it).
/// The ids of `table`'s rows on `ticket` that a pulled bundle does not list and no pending op
/// of `entity` explains (their create was refused): the caller drops them.
pub(crate) async fn unlisted(
    conn: &mut SqliteConnection,
    table: &'static str,
    entity: &str,
    ticket: Uuid,
    listed: &[Uuid],
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT id FROM {table} WHERE ticket_id = ? \
         AND id NOT IN (SELECT entity_id FROM outbox WHERE entity = ?)"
    );
    let local: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ticket.to_string())
        .bind(entity)
        .fetch_all(&mut *conn)
        .await?;
    Ok(local
        .into_iter()
        .map(|(id,)| id)
        .filter(|id| !listed.iter().any(|l| l.to_string() == *id))
        .collect())
}

pub(crate) async fn with_pending<T>(
    store: &Store,
    conn: &mut SqliteConnection,
    entity: &str,
    id: Uuid,
    pulled: T,
    apply: impl Fn(&T, &Op, &helpdeck_core::apply::Context<'_>) -> Option<T>,
) -> Result<T> {
    let pending: Vec<(String,)> =
        sqlx::query_as("SELECT op FROM outbox WHERE entity = ? AND entity_id = ? ORDER BY seq")
            .bind(entity)
            .bind(id.to_string())
            .fetch_all(&mut *conn)
            .await?;
    let mut next = pulled;
    if pending.is_empty() {
        return Ok(next);
    }
    let rules = store.current_rules(conn).await?;
    let ctx = store.context(&rules, &TrustingDirectory, store.now());
    for (op,) in pending {
        let op = parse_stored(&op)?;
        if let Some(n) = apply(&next, &op, &ctx) {
            next = n;
        }
    }
    Ok(next)
}

async fn purge_comment(conn: &mut SqliteConnection, id: Uuid) -> Result<()> {
    let mut b = Batch::default();
    push_delete_comment(&mut b, &id.to_string());
    b.execute(conn).await
}

/// Removes a ticket and everything of it from this replica (revoked, refused, or resync).
async fn purge_ticket(conn: &mut SqliteConnection, id: Uuid) -> Result<()> {
    let id = id.to_string();
    let mut b = Batch::default();
    b.push("UPDATE sync_control SET purging = 1", vec![]);
    b.push(
        "DELETE FROM number_aliases WHERE ticket_id = ?",
        vec![Arg::text(&id)],
    );
    b.push(
        &format!(
            "DELETE FROM search_index WHERE rowid IN (SELECT {COMMENT_DOC_BASE} + (t.seq << {COMMENT_BITS}) + (c.seq & {COMMENT_MASK}) \
             FROM comments c JOIN tickets t ON t.id = c.ticket_id WHERE c.ticket_id = ?)"
        ),
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM search_index WHERE rowid = (SELECT seq FROM tickets WHERE id = ?)",
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM outbox WHERE entity_id = ? OR entity_id IN (SELECT id FROM comments WHERE ticket_id = ?) \
         OR entity_id IN (SELECT id FROM work_orders WHERE ticket_id = ?) \
         OR entity_id IN (SELECT id FROM time_entries WHERE ticket_id = ?)",
        vec![Arg::text(&id), Arg::text(&id), Arg::text(&id), Arg::text(&id)],
    );
    b.push(
        "DELETE FROM time_entries WHERE ticket_id = ?",
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM ticket_timers WHERE ticket_id = ?",
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM work_timers WHERE work_order_id IN (SELECT id FROM work_orders WHERE ticket_id = ?)",
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM work_orders WHERE ticket_id = ?",
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM comments WHERE ticket_id = ?",
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM events WHERE ticket_id = ?",
        vec![Arg::text(&id)],
    );
    b.push(
        "DELETE FROM ticket_links WHERE from_id = ? OR to_id = ?",
        vec![Arg::text(&id), Arg::text(&id)],
    );
    b.push(
        "DELETE FROM attachments WHERE ticket_id = ?",
        vec![Arg::text(&id)],
    );
    b.push("DELETE FROM tickets WHERE id = ?", vec![Arg::text(&id)]);
    b.push("UPDATE sync_control SET purging = 0", vec![]);
    b.execute(conn).await
}

async fn upsert_directory(conn: &mut SqliteConnection, page: &PullResponse) -> Result<()> {
    let mut b = Batch::default();
    for o in &page.organizations {
        b.push(
            "INSERT INTO organizations (id, name, customer_tier) VALUES (?, ?, 'standard') \
             ON CONFLICT(id) DO UPDATE SET name = excluded.name",
            vec![Arg::text(o.id), Arg::text(&o.name)],
        );
    }
    for t in &page.teams {
        b.push(
            "INSERT INTO teams (id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name",
            vec![Arg::text(t.id), Arg::text(&t.name)],
        );
    }
    for u in &page.users {
        // Customers do not learn other people's emails; the column needs a unique value.
        let email = u
            .email
            .clone()
            .unwrap_or_else(|| format!("{}@hidden.invalid", u.id));
        b.push(
            "INSERT INTO users (id, email, name, role, organization_id, org_admin, team_id, tier, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role, \
             organization_id = excluded.organization_id, org_admin = excluded.org_admin, \
             team_id = excluded.team_id, tier = excluded.tier",
            vec![
                Arg::text(u.id),
                Arg::Text(email),
                Arg::text(&u.name),
                Arg::text(u.role.as_str()),
                Arg::opt(u.organization_id),
                Arg::Int(i64::from(u.org_admin)),
                Arg::opt(u.team_id),
                Arg::opt(u.tier.map(|t| t.as_str())),
                Arg::Int(0),
            ],
        );
    }
    b.execute(conn).await
}

impl Replica<'_> {
    /// The sync state, or `None` for a local workspace.
    pub async fn sync_state(&self) -> Result<Option<SyncState>> {
        let row: Option<SyncStateRow> = sqlx::query_as(
            "SELECT server_url, user_id, email, cursor, last_sync_at, last_error, signed_out \
                 FROM sync_state",
        )
        .fetch_optional(&self.0.pool)
        .await?;
        let Some((server_url, user_id, email, cursor, last_sync_at, last_error, signed_out)) = row
        else {
            return Ok(None);
        };
        let (pending,): (i64,) = sqlx::query_as("SELECT count(*) FROM outbox")
            .fetch_one(&self.0.pool)
            .await?;
        let (rejected,): (i64,) = sqlx::query_as("SELECT count(*) FROM sync_rejections")
            .fetch_one(&self.0.pool)
            .await?;
        Ok(Some(SyncState {
            server_url,
            user_id: crate::rows::uuid(&user_id)?,
            email,
            cursor,
            last_sync_at: opt_ts(last_sync_at),
            last_error,
            pending,
            rejected,
            signed_out: signed_out != 0,
        }))
    }

    /// The oldest `limit` ops waiting to be pushed, in the order they were made.
    pub async fn pending_ops(&self, limit: usize) -> Result<Vec<Op>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT op FROM outbox ORDER BY seq LIMIT ?")
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&self.0.pool)
            .await?;
        // A push stays well under the server's body limit: imported tickets carry their
        // comments, so a few hundred of them can be megabytes. At least one op always goes.
        let mut bytes = 0;
        let rows: Vec<(String,)> = rows
            .into_iter()
            .enumerate()
            .take_while(|(i, (op,))| {
                bytes += op.len();
                *i == 0 || bytes <= MAX_PUSH_BYTES
            })
            .map(|(_, r)| r)
            .collect();
        rows.into_iter()
            .map(|(op,)| {
                parse_stored(&op)
                    .map_err(|e| crate::StoreError::Conflict(format!("unreadable outbox op: {e}")))
            })
            .collect()
    }

    /// Takes acknowledged ops out of the outbox. A rejected op moves to `sync_rejections`;
    /// a rejected new ticket or comment is removed here too (the server never had it).
    pub async fn record_acks(&self, ops: &[Op], acks: &[Ack]) -> Result<()> {
        let by_id: HashMap<Uuid, &Op> = ops.iter().map(|o| (o.op_id, o)).collect();
        let now = self.0.now();
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut purge = Vec::new();
        for ack in acks {
            if ack.status == AckStatus::Rejected {
                let Some(op) = by_id.get(&ack.op_id) else {
                    continue;
                };
                sqlx::query(
                    "INSERT OR IGNORE INTO sync_rejections (op_id, entity_id, op, error, rejected_at) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(op.op_id.to_string())
                .bind(op.entity_id.to_string())
                .bind(serde_json::to_string(op).expect("op serializes"))
                .bind(ack.error.clone().unwrap_or_default())
                .bind(ms(now))
                .execute(&mut *tx)
                .await?;
                if op.change.is_create() {
                    purge.push((op.entity, op.entity_id));
                }
            }
            sqlx::query("DELETE FROM outbox WHERE op_id = ?")
                .bind(ack.op_id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for (entity, id) in purge {
            match entity {
                Entity::Ticket => purge_ticket(&mut tx, id).await?,
                Entity::Comment => purge_comment(&mut tx, id).await?,
                Entity::Link => {
                    sqlx::query("DELETE FROM ticket_links WHERE id = ?")
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await?;
                }
                Entity::Attachment => {
                    // The server refused the file: it stops showing, and its upload stops
                    // (unless another attachment here still uses the same content).
                    sqlx::query(
                        "DELETE FROM blob_transfers WHERE direction = 'up' AND sha256 = \
                         (SELECT sha256 FROM attachments WHERE id = ?) AND \
                         (SELECT count(*) FROM attachments WHERE sha256 = \
                          (SELECT sha256 FROM attachments WHERE id = ?)) = 1",
                    )
                    .bind(id.to_string())
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM attachments WHERE id = ?")
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await?;
                }
                _ => {}
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records the outcome of a sync round.
    pub async fn record_sync_result(&self, error: Option<&str>) -> Result<()> {
        match error {
            None => {
                sqlx::query("UPDATE sync_state SET last_sync_at = ?, last_error = NULL")
                    .bind(ms(self.0.now()))
                    .execute(&self.0.pool)
                    .await?
            }
            Some(e) => {
                sqlx::query("UPDATE sync_state SET last_error = ?")
                    .bind(e)
                    .execute(&self.0.pool)
                    .await?
            }
        };
        Ok(())
    }

    /// Marks the replica signed out (or in again).
    pub async fn set_signed_out(&self, signed_out: bool) -> Result<()> {
        sqlx::query("UPDATE sync_state SET signed_out = ?")
            .bind(i64::from(signed_out))
            .execute(&self.0.pool)
            .await?;
        Ok(())
    }

    /// Changes the refused by the server, newest first.
    pub async fn rejections(&self) -> Result<Vec<Rejection>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT op_id, entity_id, error, rejected_at FROM sync_rejections ORDER BY rejected_at DESC",
        )
        .fetch_all(&self.0.pool)
        .await?;
        rows.into_iter()
            .map(|(op, entity, error, at)| {
                Ok(Rejection {
                    op_id: crate::rows::uuid(&op)?,
                    entity_id: crate::rows::uuid(&entity)?,
                    error,
                    rejected_at: crate::rows::ts(at),
                })
            })
            .collect()
    }

    /// Applies one pulled page and its cursor in one transaction.
    pub async fn apply_pull(&self, page: &PullResponse) -> Result<PullApplied> {
        // A first sync is hundreds of pages: their commits leave the log's checkpoints to
        // the store's checkpointer (db::BulkWrite).
        let mut bulk = crate::db::BulkWrite::start(self.0).await?;
        let applied = self.apply_pull_on(bulk.conn(), page).await;
        bulk.done().await?;
        let applied = applied?;
        if applied.policy_changed {
            // Every open ticket is timed by the server's new targets from now on.
            self.0.recompute_sla_columns().await?;
        }
        Ok(applied)
    }

    async fn apply_pull_on(
        &self,
        conn: &mut SqliteConnection,
        page: &PullResponse,
    ) -> Result<PullApplied> {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        if page.must_resync {
            // Keep only what is still on its way to the server; pull everything again.
            let keep: Vec<(String,)> = sqlx::query_as(
                "SELECT id FROM tickets WHERE id IN (SELECT entity_id FROM outbox) \
                 OR id IN (SELECT json_extract(op, '$.change.ticket_id') FROM outbox WHERE entity = 'comment')",
            )
            .fetch_all(&mut *tx)
            .await?;
            let keep: HashSet<String> = keep.into_iter().map(|(id,)| id).collect();
            let all: Vec<(String,)> = sqlx::query_as("SELECT id FROM tickets")
                .fetch_all(&mut *tx)
                .await?;
            for (id,) in all {
                if !keep.contains(&id) {
                    purge_ticket(&mut tx, crate::rows::uuid(&id)?).await?;
                }
            }
            let articles: Vec<(String,)> = sqlx::query_as(
                "SELECT id FROM articles WHERE id NOT IN (SELECT entity_id FROM outbox WHERE entity = 'article')",
            )
            .fetch_all(&mut *tx)
            .await?;
            for (id,) in articles {
                crate::kb::delete_article(&mut tx, crate::rows::uuid(&id)?).await?;
            }
            sqlx::query(
                "DELETE FROM macros WHERE id NOT IN (SELECT entity_id FROM outbox WHERE entity = 'macro')",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE sync_state SET cursor = 0")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(PullApplied {
                resync: true,
                ..Default::default()
            });
        }
        upsert_directory(&mut tx, page).await?;
        let mut new_policy = None;
        if let Some(rules) = &page.rules {
            new_policy = self.0.write_rules(&mut tx, rules).await?;
        }
        for id in &page.revoked {
            purge_ticket(&mut tx, *id).await?;
        }
        if !page.tickets.is_empty() {
            self.0.apply_tickets(&mut tx, &page.tickets).await?;
        }
        for id in &page.revoked_articles {
            crate::kb::delete_article(&mut tx, *id).await?;
        }
        for a in &page.articles {
            crate::kb::apply_pulled_article(self.0, &mut tx, a).await?;
        }
        for m in &page.macros {
            crate::macros::apply_pulled_macro(self.0, &mut tx, m).await?;
        }
        sqlx::query("UPDATE sync_state SET cursor = ?")
            .bind(page.next_cursor)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        for b in &page.tickets {
            if let Some(h) = &b.hlc {
                self.0.clock.observe(h);
            }
        }
        if let Some(rules) = &page.rules {
            self.0.remember_rules(rules);
        }
        let policy_changed = new_policy.is_some();
        if let Some(policies) = new_policy {
            self.0.set_policies(policies);
        }
        Ok(PullApplied {
            policy_changed,
            tickets: page.tickets.len(),
            revoked: page.revoked.len(),
            cursor: page.next_cursor,
            resync: false,
        })
    }

    /// Applies the server's state of macros where it refused or outdid a pushed change.
    pub async fn apply_macro_corrections(
        &self,
        corrections: &[helpdeck_core::sync::MacroCorrection],
    ) -> Result<()> {
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        for c in corrections {
            match &c.macro_ {
                Some(m) => crate::macros::apply_pulled_macro(self.0, &mut tx, m).await?,
                None => crate::macros::delete_macro(&mut tx, c.id).await?,
            }
        }
        tx.commit().await.map_err(Into::into)
    }

    /// Applies the server's state of tickets where it refused or outdid a pushed change
    /// (the corrections of a push answer), under whatever is still pending; the cursor stays.
    pub async fn apply_article_corrections(
        &self,
        corrections: &[helpdeck_core::sync::ArticleCorrection],
    ) -> Result<()> {
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        for c in corrections {
            match &c.article {
                Some(a) => crate::kb::apply_pulled_article(self.0, &mut tx, a).await?,
                None => crate::kb::delete_article(&mut tx, c.id).await?,
            }
        }
        tx.commit().await.map_err(Into::into)
    }

    /// Applies the server's state of tickets where it refused or outdid a pushed change
    /// (the corrections of a push answer), under whatever is still pending; the cursor stays.
    pub async fn apply_corrections(&self, bundles: &[TicketBundle]) -> Result<()> {
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        self.0.apply_tickets(&mut tx, bundles).await?;
        tx.commit().await?;
        for b in bundles {
            if let Some(h) = &b.hlc {
                self.0.clock.observe(h);
            }
        }
        Ok(())
    }
}
