//! `helpdeck privacy export|erase --email E` on a local workspace (PIPL). What is erased and
//! what is kept is `helpdeck_core::privacy`, the same functions the server uses; this
//! module applies them to the local tables in one transaction — the tickets the customer
//! requested, the comments they wrote, the audit entries of those texts, the search index,
//! the changes waiting in the outbox, their files (and the sealed files on disk), and their
//! person record. A replica does not erase by itself: the server does, and every replica
//! resyncs.

use std::collections::HashSet;

use helpdeck_core::Timestamp;
use helpdeck_core::privacy::{
    self, ERASED, Erasure, PersonRecord, PersonalComment, PersonalData, PersonalTicket,
};
use helpdeck_core::ticket::Ticket;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::rows::{TICKET_COLUMNS, TicketRow, ts};
use crate::search::COMMENT_DOC_OF_ID;
use crate::workspace::user_by_email;

/// An audit entry as stored: id, ticket, actor, device, field, old and new value, time.
type EventRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
);

impl Store {
    async fn person(&self, email: &str) -> Result<helpdeck_core::user::User> {
        let email = helpdeck_core::user::validate_email(email)?;
        let mut conn = self.pool.acquire().await?;
        user_by_email(&mut conn, &email).await?.ok_or_else(|| {
            StoreError::NotFound(format!("no one with email {email} in this workspace"))
        })
    }

    async fn tickets_of(&self, person: uuid::Uuid) -> Result<Vec<Ticket>> {
        let rows: Vec<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.requester_id = ? ORDER BY t.number"
        )))
        .bind(person.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TicketRow::into_ticket).collect()
    }

    /// Everything this workspace holds about the person with `email`.
    pub async fn privacy_export(&self, email: &str) -> Result<PersonalData> {
        let user = self.person(email).await?;
        let organization: Option<(String,)> = match user.organization_id {
            Some(o) => {
                sqlx::query_as("SELECT name FROM organizations WHERE id = ?")
                    .bind(o.to_string())
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => None,
        };
        let tickets = self
            .tickets_of(user.id)
            .await?
            .iter()
            .map(PersonalTicket::of)
            .collect();
        let comments: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT t.number, c.created_at, c.body FROM comments c JOIN tickets t ON t.id = c.ticket_id \
             WHERE c.author_id = ? ORDER BY t.number, c.created_at",
        )
        .bind(user.id.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(PersonalData {
            exported_at: Timestamp::now(),
            person: PersonRecord::of(&user, organization.map(|(n,)| n)),
            tickets,
            comments: comments
                .into_iter()
                .map(|(number, at, body)| PersonalComment {
                    ticket_number: number,
                    created_at: ts(at),
                    body,
                })
                .collect(),
            devices: Vec::new(),
        })
    }

    /// Erases the customer with `email` from this local workspace (see the module doc).
    /// Refused on a replica: there the server erases, and every replica follows.
    pub async fn privacy_erase(&self, email: &str) -> Result<Erasure> {
        let replica: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM sync_state")
            .fetch_optional(&self.pool)
            .await?;
        if replica.is_some() {
            return Err(helpdeck_core::DomainError::invalid(
                "privacy erase",
                "this workspace is a replica of a server: the server erases a person (`helpdeck server privacy erase --email E` on the server machine), then every replica resyncs".to_string(),
            )
            .into());
        }
        let user = self.person(email).await?;
        privacy::check_erasable(&user)?;
        let id = user.id.to_string();
        let tickets = self.tickets_of(user.id).await?;
        // The exact texts that go: wherever a copy of one sits (an outbox change), it goes too.
        let mut gone: HashSet<String> = HashSet::new();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for t in &tickets {
            let mut erased = t.clone();
            privacy::erase_ticket(&mut erased);
            for (before, after) in [
                (Some(&t.title), Some(&erased.title)),
                (Some(&t.description), Some(&erased.description)),
                (t.site.as_ref(), erased.site.as_ref()),
            ] {
                if let (Some(b), Some(_)) = (before, after)
                    && !b.is_empty()
                {
                    gone.insert(b.clone());
                }
            }
            if let Some(r) = &t.resolution {
                gone.extend([r.cause.clone(), r.solution.clone()]);
                gone.extend(r.prevention.clone());
            }
            if let Some(c) = t.csat.as_ref().and_then(|c| c.comment.clone()) {
                gone.insert(c);
            }
            sqlx::query(
                "UPDATE tickets SET title = ?, description = ?, site = ?, resolution = ?, csat_comment = ? WHERE id = ?",
            )
            .bind(&erased.title)
            .bind(&erased.description)
            .bind(&erased.site)
            .bind(
                erased
                    .resolution
                    .as_ref()
                    .map(|r| serde_json::to_string(r).expect("resolution serializes")),
            )
            .bind(erased.csat.as_ref().and_then(|c| c.comment.clone()))
            .bind(t.id.to_string())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM search_index WHERE rowid = (SELECT seq FROM tickets WHERE id = ?)",
            )
            .bind(t.id.to_string())
            .execute(&mut *tx)
            .await?;
            // The audit trail is append-only; the erasure replaces the entries that recorded
            // the texts (the same switch a resync uses to purge).
            sqlx::query("UPDATE sync_control SET purging = 1 WHERE singleton = 1")
                .execute(&mut *tx)
                .await?;
            let fields = privacy::TEXT_FIELDS
                .iter()
                .map(|f| format!("'{f}'"))
                .collect::<Vec<_>>()
                .join(", ");
            let events: Vec<EventRow> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT id, ticket_id, actor_id, device_id, field, old_value, new_value, at FROM events \
                     WHERE ticket_id = ? AND field IN ({fields})"
                )))
                .bind(t.id.to_string())
                .fetch_all(&mut *tx)
                .await?;
            for (eid, ticket_id, actor, device, field, old, new, at) in events {
                gone.extend(
                    old.iter()
                        .chain(new.iter())
                        .filter(|v| v.len() > 3)
                        .cloned(),
                );
                sqlx::query("DELETE FROM events WHERE id = ?")
                    .bind(&eid)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO events (id, ticket_id, actor_id, device_id, field, old_value, new_value, at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&eid)
                .bind(&ticket_id)
                .bind(&actor)
                .bind(&device)
                .bind(&field)
                .bind(old.map(|_| ERASED))
                .bind(new.map(|_| ERASED))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE sync_control SET purging = 0 WHERE singleton = 1")
                .execute(&mut *tx)
                .await?;
        }
        // Their comments, on any ticket.
        let comments: Vec<(String, String)> =
            sqlx::query_as("SELECT id, body FROM comments WHERE author_id = ?")
                .bind(&id)
                .fetch_all(&mut *tx)
                .await?;
        for (cid, body) in &comments {
            gone.insert(body.clone());
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM search_index WHERE rowid = {COMMENT_DOC_OF_ID}"
            )))
            .bind(cid)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE comments SET body = ? WHERE id = ?")
                .bind(ERASED)
                .bind(cid)
                .execute(&mut *tx)
                .await?;
        }
        // Their files.
        let files: Vec<(String, String)> =
            sqlx::query_as("SELECT id, sha256 FROM attachments WHERE uploader_id = ?")
                .bind(&id)
                .fetch_all(&mut *tx)
                .await?;
        let mut unreferenced = Vec::new();
        for (aid, sha) in &files {
            sqlx::query("DELETE FROM attachments WHERE id = ?")
                .bind(aid)
                .execute(&mut *tx)
                .await?;
            let (others,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM attachments WHERE sha256 = ?")
                    .bind(sha)
                    .fetch_one(&mut *tx)
                    .await?;
            if others == 0 {
                sqlx::query("DELETE FROM blob_transfers WHERE sha256 = ?")
                    .bind(sha)
                    .execute(&mut *tx)
                    .await?;
                unreferenced.push(sha.clone());
            }
        }
        // Copies of the texts in changes not yet sent (a local workspace keeps them for a
        // later connection to a server).
        let ops: Vec<(i64, String)> = sqlx::query_as("SELECT seq, op FROM outbox")
            .fetch_all(&mut *tx)
            .await?;
        for (seq, op) in ops {
            if !gone.iter().any(|g| op.contains(&escape_json(g))) && !op.contains(&id) {
                continue;
            }
            let mut value: serde_json::Value = serde_json::from_str(&op).map_err(|e| {
                StoreError::Conflict(format!("an outbox change is unreadable: {e}"))
            })?;
            scrub(&mut value, &gone);
            sqlx::query("UPDATE outbox SET op = ? WHERE seq = ?")
                .bind(serde_json::to_string(&value).expect("json serializes"))
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        // The person.
        let (name, email_now) = privacy::anonymous(user.id);
        sqlx::query("UPDATE users SET name = ?, email = ? WHERE id = ?")
            .bind(&name)
            .bind(&email_now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        for sha in unreferenced {
            let path = self.files().blob_path(&sha);
            let _ = std::fs::remove_file(&path);
            // The thumbnails go too.
            for ext in ["jpg", "png"] {
                let _ = std::fs::remove_file(self.thumb_path(&sha, ext));
            }
        }
        Ok(Erasure {
            person_id: user.id,
            now_known_as: email_now,
            tickets: tickets.len() as u64,
            comments: comments.len() as u64,
            attachments: files.len() as u64,
        })
    }
}

/// `text` as it appears inside a JSON string.
fn escape_json(text: &str) -> String {
    let quoted = serde_json::to_string(text).expect("a string serializes");
    quoted[1..quoted.len() - 1].to_string()
}

/// Replaces every string of `value` that is one of `gone` with [`ERASED`].
fn scrub(value: &mut serde_json::Value, gone: &HashSet<String>) {
    match value {
        serde_json::Value::String(s) if gone.contains(s.as_str()) => *s = ERASED.to_string(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, gone)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub(v, gone)),
        _ => {}
    }
}
