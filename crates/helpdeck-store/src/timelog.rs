//! Time on tickets on this device (issue 15): agents log minutes with a reply or a note, by
//! a timer, or on their own — decided by `helpdeck_core::timelog::apply_time_entry`, sent as
//! ops, never shown to customers — and the billing totals per ticket, agent and organization
//! (the tickets' own entries and their visits' travel and work time), summed in SQL.

use helpdeck_core::command::{self, NewFile};
use helpdeck_core::op::Change;
use helpdeck_core::record::Visibility;
use helpdeck_core::ticket::{Ticket, ticket_key};
use helpdeck_core::timelog::{
    CommentOf, TicketTime, TicketTimeDraft, TimeGroup, TimeTotal, apply_time_entry,
};
use helpdeck_core::{Timestamp, Uuid, new_id};
use serde::Serialize;
use sqlx::SqliteConnection;
use tracing::instrument;

use crate::error::{Result, StoreError};
use crate::rows::{ms, ts as from_ms};
use crate::write::{Batch, LocalDirectory, find_ticket, push_op};
use crate::{Store, TimeEntries};

impl Store {
    /// Time logged on tickets, and the billing totals.
    pub fn time_entries(&self) -> TimeEntries<'_> {
        TimeEntries(self)
    }
}

/// How a time entry is named to people: `T-` and the last 8 hex digits of its id.
pub fn time_entry_key(id: Uuid) -> String {
    format!("T-{}", &id.simple().to_string()[24..])
}

/// One entry as a ticket's time sheet lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimeEntryView {
    /// `T-1a2b3c4d`.
    pub key: String,
    pub id: Uuid,
    pub minutes: u32,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: Timestamp,
    pub agent_email: String,
    pub agent_name: String,
    /// The reply or note it came with.
    pub comment_id: Option<Uuid>,
    pub note: Option<String>,
}

/// A ticket's time: its entries, and the totals with its visits' travel and work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimeSheet {
    /// `HD-12`.
    pub ticket: String,
    pub entries: Vec<TimeEntryView>,
    /// Minutes of the entries above.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub ticket_minutes: u64,
    /// Travel and work minutes of the ticket's visits.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub travel_minutes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub work_minutes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_minutes: u64,
    /// This device's timer on the ticket, if one runs: since when.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub timer_started_at: Option<Timestamp>,
}

/// A stored entry's row.
#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    ticket_id: String,
    agent_id: String,
    minutes: i64,
    at: i64,
    comment_id: Option<String>,
    note: Option<String>,
    deleted: bool,
}

async fn load(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<TicketTime>> {
    let row: Option<EntryRow> = sqlx::query_as(
        "SELECT id, ticket_id, agent_id, minutes, at, comment_id, note, deleted \
         FROM time_entries WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(TicketTime {
            id: parse(&r.id)?,
            ticket_id: parse(&r.ticket_id)?,
            agent_id: parse(&r.agent_id)?,
            minutes: u32::try_from(r.minutes).map_err(corrupt)?,
            at: from_ms(r.at),
            comment_id: r.comment_id.as_deref().map(parse).transpose()?,
            note: r.note,
            deleted: r.deleted,
        })
    })
    .transpose()
}

/// An entry's row as a sheet lists it, with its agent.
#[derive(sqlx::FromRow)]
struct SheetRow {
    id: String,
    minutes: i64,
    at: i64,
    comment_id: Option<String>,
    note: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

fn parse(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(corrupt)
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("stored time entry is invalid: {e}").into(),
    ))
}

async fn save(conn: &mut SqliteConnection, t: &TicketTime) -> Result<()> {
    sqlx::query(
        "INSERT INTO time_entries (id, ticket_id, agent_id, minutes, at, comment_id, note, deleted) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET \
         minutes = excluded.minutes, at = excluded.at, note = excluded.note, deleted = excluded.deleted",
    )
    .bind(t.id.to_string())
    .bind(t.ticket_id.to_string())
    .bind(t.agent_id.to_string())
    .bind(i64::from(t.minutes))
    .bind(ms(t.at))
    .bind(t.comment_id.map(|c| c.to_string()))
    .bind(t.note.clone())
    .bind(t.deleted)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn comment_ticket(conn: &mut SqliteConnection, comment: Option<Uuid>) -> Result<CommentOf> {
    let Some(c) = comment else {
        return Ok(CommentOf::Known(None));
    };
    let row: Option<(String,)> = sqlx::query_as("SELECT ticket_id FROM comments WHERE id = ?")
        .bind(c.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(CommentOf::Known(
        row.and_then(|(t,)| Uuid::parse_str(&t).ok()),
    ))
}

/// Decides one time-entry change (with `dry_run`, only decides) on the caller's transaction.
async fn write_in(
    store: &Store,
    tx: &mut SqliteConnection,
    ticket: &Ticket,
    id: Uuid,
    change: Change,
    now: Timestamp,
    dry_run: bool,
) -> Result<Option<TicketTime>> {
    let current = load(&mut *tx, id).await?;
    let comment = match &change {
        Change::LogTicketTime(d) => comment_ticket(&mut *tx, d.comment_id).await?,
        _ => CommentOf::Known(None),
    };
    let rules = store.current_rules(&mut *tx).await?;
    let directory = LocalDirectory::default();
    let ctx = store.context(&rules, &directory, now);
    let Some(next) = apply_time_entry(
        current.as_ref(),
        Some(ticket),
        comment,
        id,
        &change,
        now,
        &ctx,
    )?
    else {
        return Ok(current);
    };
    if dry_run {
        return Ok(Some(next));
    }
    save(&mut *tx, &next).await?;
    let op = store.new_op(id, change, store.actor.id, now);
    let mut batch = Batch::default();
    push_op(&mut batch, &op, now);
    batch.execute(&mut *tx).await?;
    Ok(Some(next))
}

/// The time entries of a pulled ticket (or a correction's): the server's, with this device's
/// pending changes on top; an entry the server does not have and no pending op explains (its
/// log was refused) goes.
pub(crate) async fn apply_bundle(
    store: &Store,
    conn: &mut SqliteConnection,
    ticket: &Ticket,
    entries: &[TicketTime],
) -> Result<()> {
    let listed: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
    for id in crate::sync::unlisted(conn, "time_entries", "time_entry", ticket.id, &listed).await? {
        sqlx::query("DELETE FROM time_entries WHERE id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    for e in entries.iter().filter(|e| e.ticket_id == ticket.id) {
        let next = crate::sync::with_pending(
            store,
            conn,
            "time_entry",
            e.id,
            e.clone(),
            |cur, op, ctx| {
                apply_time_entry(
                    Some(cur),
                    Some(ticket),
                    CommentOf::Trusted,
                    e.id,
                    &op.change,
                    op.at,
                    ctx,
                )
                .ok()
                .flatten()
            },
        )
        .await?;
        save(conn, &next).await?;
    }
    Ok(())
}

/// Minutes as a whole number of minutes, rounded up (a timer's run).
fn minutes_since(started_ms: i64, now: Timestamp) -> u64 {
    let elapsed = (ms(now) - started_ms).max(0);
    (((elapsed + 59_999) / 60_000).max(1)) as u64
}

impl TimeEntries<'_> {
    /// Logs `minutes` on a ticket (HD-12 or its id), with an optional note.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn log(
        &self,
        reference: &str,
        minutes: u32,
        note: Option<String>,
    ) -> Result<TimeSheet> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (ticket, _) = find_ticket(&mut tx, reference).await?;
        let change = Change::LogTicketTime(TicketTimeDraft {
            ticket_id: ticket.id,
            minutes,
            comment_id: None,
            note,
        });
        write_in(store, &mut tx, &ticket, new_id(), change, now, false).await?;
        tx.commit().await?;
        self.sheet(&ticket.id.to_string()).await
    }

    /// A public reply or internal note with the minutes spent on it, in one transaction: a
    /// refused entry writes no comment either.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn comment(
        &self,
        reference: &str,
        body: &str,
        visibility: Visibility,
        files: &[NewFile],
        minutes: u32,
    ) -> Result<Ticket> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (ticket, seq) = find_ticket(&mut tx, reference).await?;
        let rules = store.current_rules(&mut tx).await?;
        let directory = LocalDirectory::default();
        let ctx = store.context(&rules, &directory, now);
        let decided = command::add_comment(&ticket, new_id(), visibility, body, files, &ctx)?;
        let comment_id = decided
            .steps
            .iter()
            .find_map(|s| s.outcome.comment.as_ref().map(|c| c.id));
        store.persist(&mut tx, &decided, Some(seq), now).await?;
        let change = Change::LogTicketTime(TicketTimeDraft {
            ticket_id: ticket.id,
            minutes,
            comment_id,
            note: None,
        });
        write_in(
            store,
            &mut tx,
            &decided.ticket,
            new_id(),
            change,
            now,
            false,
        )
        .await?;
        tx.commit().await?;
        Ok(decided.ticket)
    }

    /// Deletes an entry by its key (`T-1a2b3c4d`) or id: its author or an admin.
    pub async fn delete(&self, reference: &str) -> Result<TimeSheet> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id = find(&mut tx, reference).await?;
        let entry = load(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no time entry {reference}")))?;
        let (ticket, _) = find_ticket(&mut tx, &entry.ticket_id.to_string()).await?;
        write_in(
            store,
            &mut tx,
            &ticket,
            id,
            Change::DeleteTimeEntry,
            now,
            false,
        )
        .await?;
        tx.commit().await?;
        self.sheet(&ticket.id.to_string()).await
    }

    /// A ticket's time sheet.
    pub async fn sheet(&self, reference: &str) -> Result<TimeSheet> {
        let mut conn = self.0.pool.acquire().await?;
        let (ticket, _) = find_ticket(&mut conn, reference).await?;
        let rows: Vec<SheetRow> = sqlx::query_as(
            "SELECT e.id, e.minutes, e.at, e.comment_id, e.note, u.email, u.name \
             FROM time_entries e LEFT JOIN users u ON u.id = e.agent_id \
             WHERE e.ticket_id = ? AND e.deleted = 0 ORDER BY e.at, e.id",
        )
        .bind(ticket.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let entries = rows
            .into_iter()
            .map(|r| {
                let id = parse(&r.id)?;
                Ok(TimeEntryView {
                    key: time_entry_key(id),
                    id,
                    minutes: u32::try_from(r.minutes).map_err(corrupt)?,
                    at: from_ms(r.at),
                    agent_email: r.email.clone().unwrap_or_default(),
                    agent_name: r.name.or(r.email).unwrap_or_default(),
                    comment_id: r.comment_id.as_deref().map(parse).transpose()?,
                    note: r.note,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (travel, work): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN json_extract(t.value, '$.kind') = 'travel' \
                 THEN json_extract(t.value, '$.minutes') END), 0), \
             COALESCE(SUM(CASE WHEN json_extract(t.value, '$.kind') = 'work' \
                 THEN json_extract(t.value, '$.minutes') END), 0) \
             FROM work_orders w, json_each(w.doc, '$.time') t WHERE w.ticket_id = ?",
        )
        .bind(ticket.id.to_string())
        .fetch_one(&mut *conn)
        .await?;
        let timer: Option<(i64,)> =
            sqlx::query_as("SELECT started_at FROM ticket_timers WHERE ticket_id = ?")
                .bind(ticket.id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        let ticket_minutes: u64 = entries.iter().map(|e| u64::from(e.minutes)).sum();
        let (travel, work) = (travel.max(0) as u64, work.max(0) as u64);
        Ok(TimeSheet {
            ticket: ticket_key(ticket.number),
            entries,
            ticket_minutes,
            travel_minutes: travel,
            work_minutes: work,
            total_minutes: ticket_minutes + travel + work,
            timer_started_at: timer.map(|(t,)| from_ms(t)),
        })
    }

    /// Starts this device's timer on a ticket (one per ticket).
    pub async fn timer_start(&self, reference: &str) -> Result<TimeSheet> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (ticket, _) = find_ticket(&mut tx, reference).await?;
        // Whoever may not log time starts no timer: the same rule, decided without writing.
        let probe = Change::LogTicketTime(TicketTimeDraft {
            ticket_id: ticket.id,
            minutes: 1,
            comment_id: None,
            note: None,
        });
        write_in(store, &mut tx, &ticket, new_id(), probe, now, true).await?;
        let running: Option<(i64,)> =
            sqlx::query_as("SELECT started_at FROM ticket_timers WHERE ticket_id = ?")
                .bind(ticket.id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if running.is_some() {
            return Err(helpdeck_core::DomainError::invalid(
                "timer",
                format!(
                    "a timer already runs on {}; stop it first",
                    ticket_key(ticket.number)
                ),
            )
            .into());
        }
        sqlx::query("INSERT INTO ticket_timers (ticket_id, started_at) VALUES (?, ?)")
            .bind(ticket.id.to_string())
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.sheet(&ticket.id.to_string()).await
    }

    /// Stops the ticket's timer and logs its minutes (rounded up; a run longer than a day as
    /// several entries of at most a day), with an optional note, in one transaction.
    pub async fn timer_stop(&self, reference: &str, note: Option<String>) -> Result<TimeSheet> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (ticket, _) = find_ticket(&mut tx, reference).await?;
        let running: Option<(i64,)> =
            sqlx::query_as("SELECT started_at FROM ticket_timers WHERE ticket_id = ?")
                .bind(ticket.id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some((started,)) = running else {
            return Err(helpdeck_core::DomainError::invalid(
                "timer",
                format!("no timer runs on {}", ticket_key(ticket.number)),
            )
            .into());
        };
        let mut minutes = minutes_since(started, now);
        while minutes > 0 {
            let chunk = minutes.min(u64::from(helpdeck_core::workorder::MAX_ENTRY_MINUTES));
            let change = Change::LogTicketTime(TicketTimeDraft {
                ticket_id: ticket.id,
                minutes: chunk as u32,
                comment_id: None,
                note: note.clone(),
            });
            write_in(store, &mut tx, &ticket, new_id(), change, now, false).await?;
            minutes -= chunk;
        }
        sqlx::query("DELETE FROM ticket_timers WHERE ticket_id = ?")
            .bind(ticket.id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.sheet(&ticket.id.to_string()).await
    }

    /// Billing totals over `[since, until)` grouped `by` ticket, agent or organization, most
    /// time first: the tickets' entries and their visits' travel and work time, by when each
    /// was logged. One aggregate query; no ticket is loaded.
    pub async fn totals(
        &self,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
        by: TimeGroup,
    ) -> Result<Vec<TimeTotal>> {
        let (key, label, join) = match by {
            TimeGroup::Ticket => (
                "'HD-' || t.number",
                "t.title",
                "JOIN tickets t ON t.id = x.ticket_id",
            ),
            TimeGroup::Agent => (
                "COALESCE(u.email, x.agent_id)",
                "COALESCE(u.name, u.email, x.agent_id)",
                "LEFT JOIN users u ON u.id = x.agent_id",
            ),
            TimeGroup::Organization => (
                "COALESCE(o.name, '')",
                "COALESCE(o.name, '')",
                "JOIN tickets t ON t.id = x.ticket_id \
                 LEFT JOIN organizations o ON o.id = t.organization_id",
            ),
        };
        // A visit's entry keeps its time as text; in ms like the ticket entries'.
        let sql = format!(
            "WITH x AS ( \
               SELECT ticket_id, agent_id, minutes AS own, 0 AS travel, 0 AS work, at \
                 FROM time_entries WHERE deleted = 0 AND at >= ?1 AND at < ?2 \
               UNION ALL \
               SELECT w.ticket_id, json_extract(e.value, '$.by'), 0, \
                 CASE WHEN json_extract(e.value, '$.kind') = 'travel' THEN json_extract(e.value, '$.minutes') ELSE 0 END, \
                 CASE WHEN json_extract(e.value, '$.kind') = 'work' THEN json_extract(e.value, '$.minutes') ELSE 0 END, \
                 CAST(ROUND((julianday(json_extract(e.value, '$.at')) - 2440587.5) * 86400000.0) AS INTEGER) AS at \
                 FROM work_orders w, json_each(w.doc, '$.time') e \
                 WHERE CAST(ROUND((julianday(json_extract(e.value, '$.at')) - 2440587.5) * 86400000.0) AS INTEGER) >= ?1 \
                   AND CAST(ROUND((julianday(json_extract(e.value, '$.at')) - 2440587.5) * 86400000.0) AS INTEGER) < ?2 \
             ) \
             SELECT {key} AS k, {label} AS l, SUM(x.own), SUM(x.travel), SUM(x.work), \
                    COUNT(DISTINCT x.ticket_id) \
             FROM x {join} GROUP BY k ORDER BY SUM(x.own + x.travel + x.work) DESC, k"
        );
        let rows: Vec<(String, Option<String>, i64, i64, i64, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(since.map(ms).unwrap_or(i64::MIN))
                .bind(until.map(ms).unwrap_or(i64::MAX))
                .fetch_all(&self.0.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(key, label, own, travel, work, tickets)| {
                let (own, travel, work) =
                    (own.max(0) as u64, travel.max(0) as u64, work.max(0) as u64);
                TimeTotal {
                    key,
                    label: label.unwrap_or_default(),
                    ticket_minutes: own,
                    travel_minutes: travel,
                    work_minutes: work,
                    total_minutes: own + travel + work,
                    tickets: tickets.max(0) as u64,
                }
            })
            .collect())
    }
}

/// The id of the entry a person named: its key (`T-1a2b3c4d`), its id or the start of it.
async fn find(conn: &mut SqliteConnection, reference: &str) -> Result<Uuid> {
    let r = crate::rows::short_ref(reference, "t-", "time entry", "time-entry", "T-1a2b3c4d")?;
    let rows: Vec<(String,)> = match crate::rows::whole_id(&r) {
        Some(id) => {
            sqlx::query_as("SELECT id FROM time_entries WHERE deleted = 0 AND id = ?")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            sqlx::query_as(
                "SELECT id FROM time_entries WHERE deleted = 0 AND (replace(id, '-', '') LIKE '%' || ?1 \
                 OR replace(id, '-', '') LIKE ?1 || '%') LIMIT 2",
            )
            .bind(&r)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    match rows.as_slice() {
        [(id,)] => parse(id),
        [] => Err(StoreError::NotFound(format!(
            "no time entry {reference} (`helpdeck ticket time REF` lists them)"
        ))),
        _ => Err(helpdeck_core::DomainError::invalid(
            "time entry",
            format!("'{reference}' names more than one time entry; give its full id"),
        )
        .into()),
    }
}
