//! Ticket links: the `ticket_links` table's writes (shared by the interactive path and pull)
//! and the link/unlink commands. The rules are core's (`apply`, `command::link`).

use helpdeck_core::command;
use helpdeck_core::new_id;
use helpdeck_core::op::LinkKind;
use helpdeck_core::ticket::Ticket;

use crate::Links;
use crate::error::{Result, StoreError};
use crate::rows::ms;
use crate::write::{Arg, Batch, LocalDirectory, find_ticket};

/// Writes a link (or removes an unlinked one).
pub(crate) fn push_link(batch: &mut Batch, l: &helpdeck_core::sync::LinkState) {
    if l.deleted {
        batch.push(
            "DELETE FROM ticket_links WHERE id = ?",
            vec![Arg::text(l.id)],
        );
    } else {
        batch.push(
            "INSERT OR IGNORE INTO ticket_links (id, from_id, to_id, kind, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                Arg::text(l.id),
                Arg::text(l.from_ticket),
                Arg::text(l.to_ticket),
                Arg::text(l.kind.as_str()),
                Arg::text(l.created_by),
                Arg::Int(ms(l.created_at)),
            ],
        );
    }
}

impl Links<'_> {
    /// Merges ticket `reference` into `into` (spec §3.1): `into` takes copies of its request
    /// and public conversation; it is closed as a duplicate, linked to `into`. One
    /// transaction, two ops (one per ticket).
    pub async fn merge(&self, reference: &str, into: &str) -> Result<Ticket> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (dup, dup_seq) = find_ticket(&mut tx, reference).await?;
        let (keep, keep_seq) = find_ticket(&mut tx, into).await?;
        if dup.merged_into == Some(keep.id) {
            return Err(StoreError::Conflict(format!(
                "{} is merged into {} already",
                helpdeck_core::ticket::ticket_key(dup.number),
                helpdeck_core::ticket::ticket_key(keep.number)
            )));
        }
        let rows: Vec<(String, String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT id, author_id, visibility, by_agent, body, created_at FROM comments              WHERE ticket_id = ? ORDER BY created_at, seq",
        )
        .bind(dup.id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let mut comments = Vec::with_capacity(rows.len());
        for (id, author, visibility, by_agent, body, at) in rows {
            comments.push(helpdeck_core::sync::CommentState {
                id: crate::rows::uuid(&id)?,
                ticket_id: dup.id,
                author_id: crate::rows::uuid(&author)?,
                visibility: visibility.parse()?,
                by_agent: by_agent != 0,
                body,
                created_at: crate::rows::ts(at),
                deleted: false,
            });
        }
        let rules = store.current_rules(&mut tx).await?;
        let directory = LocalDirectory::default();
        let ctx = store.context(&rules, &directory, now);
        let from = command::merge_from(&keep, &dup, &comments, &ctx)?;
        let closed = command::merge_into(&dup, &keep, &ctx)?;
        store.persist(&mut tx, &from, Some(keep_seq), now).await?;
        store.persist(&mut tx, &closed, Some(dup_seq), now).await?;
        tx.commit().await?;
        Ok(closed.ticket)
    }

    /// Links ticket `reference` to `to` (related, duplicate_of, parent_of).
    pub async fn link(&self, reference: &str, to: &str, kind: LinkKind) -> Result<Ticket> {
        let to = to.to_string();
        self.0
            .mutate(reference, move |store, conn, t, rules, now| {
                Box::pin(async move {
                    let (other, _) = find_ticket(conn, &to).await?;
                    let directory = LocalDirectory::default();
                    Ok(command::link(
                        &t,
                        &other,
                        kind,
                        new_id(),
                        &store.context(rules, &directory, now),
                    )?)
                })
            })
            .await
    }

    /// Removes the link between two tickets (whichever way it points).
    pub async fn unlink(&self, reference: &str, to: &str) -> Result<Ticket> {
        let to = to.to_string();
        self.0
            .mutate(reference, move |store, conn, t, rules, now| {
                Box::pin(async move {
                    let (other, _) = find_ticket(conn, &to).await?;
                    let row: Option<(String, String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, from_id, to_id, kind, created_by, created_at FROM ticket_links \
                     WHERE (from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?) LIMIT 1",
                )
                .bind(t.id.to_string())
                .bind(other.id.to_string())
                .bind(other.id.to_string())
                .bind(t.id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
                    let (id, from, to_id, kind, by, at) = row.ok_or_else(|| {
                        StoreError::NotFound(format!(
                            "{} and {} are not linked",
                            helpdeck_core::ticket::ticket_key(t.number),
                            helpdeck_core::ticket::ticket_key(other.number)
                        ))
                    })?;
                    let link = helpdeck_core::sync::LinkState {
                        id: crate::rows::uuid(&id)?,
                        from_ticket: crate::rows::uuid(&from)?,
                        to_ticket: crate::rows::uuid(&to_id)?,
                        kind: kind.parse()?,
                        created_by: crate::rows::uuid(&by)?,
                        created_at: crate::rows::ts(at),
                        deleted: false,
                    };
                    // The link belongs to its first ticket: decide on that one.
                    let (from_ticket, to_ticket) = if link.from_ticket == t.id {
                        (t, other)
                    } else {
                        (other, t)
                    };
                    let directory = LocalDirectory::default();
                    Ok(command::unlink(
                        &from_ticket,
                        &to_ticket,
                        &link,
                        &store.context(rules, &directory, now),
                    )?)
                })
            })
            .await
    }
}
