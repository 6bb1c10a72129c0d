//! `helpdeck server privacy export|erase --email E` (PIPL): everything the server holds about
//! a person, and the erasure of a customer. What is erased and what is kept is
//! `helpdeck_core::privacy`; this module applies it to the server's tables.
//!
//! An erasure is one transaction: the customer's tickets, their comments on any ticket and
//! the audit entries of those texts are rewritten and move to new `server_seq`s; their files
//! are deleted; the account becomes anonymous and is signed out everywhere; and every user's
//! epoch moves, so every replica resyncs from the server's erased state (a replica keeps a
//! ticket's comments and history as they arrived, so only a resync replaces them).

use std::collections::BTreeSet;
use std::path::Path;

use helpdeck_core::Timestamp;
use helpdeck_core::attachment::AttachmentState;
use helpdeck_core::privacy::{
    self, Erasure, PersonRecord, PersonalComment, PersonalData, PersonalDevice, PersonalTicket,
};
use helpdeck_core::sync::{CommentState, EventState, TicketDoc};
use uuid::Uuid;

use crate::accounts::{Account, user_by_id};
use crate::db::{Backend, Db};
use crate::error::{Result, ServerError};

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| ServerError::Internal(format!("stored state: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("state serializes")
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

async fn person(db: &Db, email: &str) -> Result<Account> {
    let email = helpdeck_core::user::validate_email(email)
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&db.pool)
        .await?;
    let id = row
        .map(|(id,)| id)
        .ok_or_else(|| ServerError::NotFound(format!("no user with email {email}")))?;
    let id: Uuid = id
        .parse()
        .map_err(|_| ServerError::Internal("bad user id".into()))?;
    user_by_id(&db.pool, id)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("no user with email {email}")))
}

/// The comments `person` wrote: `(comment id, ticket id, state)`. The id is in the JSON, so
/// a text search narrows the rows before each is read.
async fn comments_by<'c, E>(conn: E, person: Uuid) -> Result<Vec<(String, CommentState)>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, state FROM comments WHERE state LIKE $1")
            .bind(format!("%{person}%"))
            .fetch_all(conn)
            .await?;
    let mut out = Vec::new();
    for (id, state) in rows {
        let c: CommentState = json(&state)?;
        if c.author_id == person {
            out.push((id, c));
        }
    }
    Ok(out)
}

/// Everything the server holds about the person with `email`.
pub async fn export(db: &Db, email: &str) -> Result<PersonalData> {
    let account = person(db, email).await?;
    let user = account.user;
    let organization: Option<String> = match user.organization_id {
        Some(org) => sqlx::query_as::<_, (String,)>("SELECT name FROM organizations WHERE id = $1")
            .bind(org.to_string())
            .fetch_optional(&db.pool)
            .await?
            .map(|(n,)| n),
        None => None,
    };
    let docs: Vec<(String,)> =
        sqlx::query_as("SELECT doc FROM tickets WHERE requester_id = $1 ORDER BY number")
            .bind(user.id.to_string())
            .fetch_all(&db.pool)
            .await?;
    let tickets = docs
        .iter()
        .map(|(d,)| json::<TicketDoc>(d).map(|doc| PersonalTicket::of(&doc.ticket)))
        .collect::<Result<Vec<_>>>()?;
    let mut comments = Vec::new();
    for (_, c) in comments_by(&db.pool, user.id).await? {
        if c.deleted {
            continue;
        }
        let (number,): (i64,) = sqlx::query_as("SELECT number FROM tickets WHERE id = $1")
            .bind(c.ticket_id.to_string())
            .fetch_one(&db.pool)
            .await?;
        comments.push(PersonalComment {
            ticket_number: number,
            created_at: c.created_at,
            body: c.body,
        });
    }
    comments.sort_by_key(|c| (c.ticket_number, c.created_at));
    let devices: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT name, created_at, last_seen_at FROM devices WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(user.id.to_string())
    .fetch_all(&db.pool)
    .await?;
    Ok(PersonalData {
        exported_at: Timestamp::now(),
        person: PersonRecord::of(&user, organization),
        tickets,
        comments,
        devices: devices
            .into_iter()
            .map(|(name, created, seen)| PersonalDevice {
                name,
                created_at: ts(created),
                last_seen_at: ts(seen),
            })
            .collect(),
    })
}

/// Erases the customer with `email` (see the module doc); `blobs` is the server's blob
/// directory, where the files they uploaded are deleted.
pub async fn erase(db: &Db, email: &str, blobs: &Path) -> Result<Erasure> {
    let account = person(db, email).await?;
    let user = account.user;
    privacy::check_erasable(&user).map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let id = user.id.to_string();
    let mut tx = db.pool.begin().await?;
    if db.backend == Backend::Sqlite {
        sqlx::query("UPDATE server_meta SET last_seq = last_seq WHERE singleton = 1")
            .execute(&mut *tx)
            .await?;
    }
    let (mut seq, _number): (i64, i64) = sqlx::query_as(db.lock_meta_sql())
        .fetch_one(&mut *tx)
        .await?;

    // Their tickets: the text goes, the facts stay.
    let docs: Vec<(String, String)> =
        sqlx::query_as("SELECT id, doc FROM tickets WHERE requester_id = $1")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for (ticket_id, doc) in &docs {
        let mut doc: TicketDoc = json(doc)?;
        privacy::erase_ticket(&mut doc.ticket);
        sqlx::query("UPDATE tickets SET doc = $1 WHERE id = $2")
            .bind(to_json(&doc))
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?;
        let events: Vec<(String, String)> =
            sqlx::query_as("SELECT id, state FROM events WHERE ticket_id = $1")
                .bind(ticket_id)
                .fetch_all(&mut *tx)
                .await?;
        for (event_id, state) in events {
            let mut e: EventState = json(&state)?;
            let before = e.clone();
            privacy::erase_event(&mut e);
            if e != before {
                sqlx::query("UPDATE events SET state = $1 WHERE id = $2")
                    .bind(to_json(&e))
                    .bind(&event_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        touched.insert(ticket_id.clone());
    }
    // Their comments, on any ticket.
    let comments = comments_by(&mut *tx, user.id).await?;
    for (comment_id, mut c) in comments.clone() {
        privacy::erase_comment(&mut c);
        sqlx::query("UPDATE comments SET state = $1 WHERE id = $2")
            .bind(to_json(&c))
            .bind(&comment_id)
            .execute(&mut *tx)
            .await?;
        touched.insert(c.ticket_id.to_string());
    }
    // Their files: the metadata, then each file no one else's attachment still names.
    let files: Vec<(String, String)> =
        sqlx::query_as("SELECT id, state FROM attachments WHERE state LIKE $1")
            .bind(format!("%{id}%"))
            .fetch_all(&mut *tx)
            .await?;
    let mut removed_files = Vec::new();
    let mut attachments = 0;
    for (attachment_id, state) in files {
        let a: AttachmentState = json(&state)?;
        if a.uploader_id != user.id {
            continue;
        }
        sqlx::query("DELETE FROM attachments WHERE id = $1")
            .bind(&attachment_id)
            .execute(&mut *tx)
            .await?;
        attachments += 1;
        touched.insert(a.ticket_id.to_string());
        let (others,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM attachments WHERE sha256 = $1")
                .bind(&a.sha256)
                .fetch_one(&mut *tx)
                .await?;
        if others == 0 {
            sqlx::query("DELETE FROM blobs WHERE sha256 = $1")
                .bind(&a.sha256)
                .execute(&mut *tx)
                .await?;
            removed_files.push(a.sha256);
        }
    }
    // Every ticket that changed moves to the end of the stream.
    for ticket_id in &touched {
        seq += 1;
        sqlx::query("UPDATE tickets SET server_seq = $1, public_seq = $1 WHERE id = $2")
            .bind(seq)
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?;
    }
    // The account: anonymous, no password, signed out everywhere.
    let (name, email_now) = privacy::anonymous(user.id);
    sqlx::query(
        "UPDATE users SET name = $1, email = $2, password_hash = '!erased', org_admin = 0 WHERE id = $3",
    )
    .bind(&name)
    .bind(&email_now)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE devices SET name = 'erased' WHERE user_id = $1")
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(Timestamp::now().as_millisecond())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    // Every replica resyncs: the history and comments it holds are replaced.
    sqlx::query("UPDATE users SET epoch = epoch + 1")
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE server_meta SET last_seq = $1 WHERE singleton = 1")
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    db.wrote();
    for sha in removed_files {
        if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            let _ = std::fs::remove_file(blobs.join(&sha[..2]).join(&sha));
        }
    }
    tracing::info!(person = %id, tickets = docs.len(), comments = comments.len(), attachments, "customer erased");
    Ok(Erasure {
        person_id: user.id,
        now_known_as: email_now,
        tickets: docs.len() as u64,
        comments: comments.len() as u64,
        attachments,
    })
}
