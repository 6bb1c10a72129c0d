//! Connecting a local workspace to a server: what the local workspace uploads, the checks
//! before anything is sent, and the queue of creates on the new replica.
//!
//! The upload travels as ordinary ops through the replica's outbox, so it is resumable and
//! idempotent like every other push: each ticket is one `ImportTicket` (its comments and
//! history inside), then its files (`AddAttachment`, the bytes moved by the sync engine),
//! then its links. The server numbers the tickets; the old numbers stay as aliases.

use std::collections::{BTreeSet, HashMap};

use helpdeck_core::attachment::{AttachmentDraft, AttachmentState};
use helpdeck_core::new_id;
use helpdeck_core::op::{Change, LinkDraft, OP_SCHEMA_VERSION, Op};
use helpdeck_core::record::TicketRecord;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::rows::{ts, uuid};
use crate::write::{Arg, Batch, push_op};
use crate::{Connect, Store};

/// Everything a local workspace uploads when it connects.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub tickets: Vec<TicketRecord>,
    pub links: Vec<LinkDraft>,
    pub attachments: Vec<AttachmentState>,
    /// Knowledge articles (every status; written again on the server by the connecting
    /// account, with their status).
    pub articles: Vec<helpdeck_core::kb::Article>,
    /// Macros (created again on the server by the connecting account; one that assigns to
    /// the workspace's owner assigns to "me", one naming another local agent to nobody).
    pub macros: Vec<helpdeck_core::macros::MacroDraft>,
}

/// What an upload holds, for the confirmation and the report.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct UploadSummary {
    pub tickets: usize,
    pub comments: usize,
    pub attachments: usize,
    pub attachment_bytes: u64,
    pub links: usize,
    #[serde(default)]
    pub articles: usize,
    #[serde(default)]
    pub macros: usize,
}

impl Upload {
    /// Names `to` wherever the records name `from` (the local workspace's owner becomes
    /// the account that connects it: `me@helpdeck.local` is nobody on a server).
    pub fn rename_person(&mut self, from: &str, to: &str) {
        let swap = |e: &mut String| {
            if e.eq_ignore_ascii_case(from) {
                *e = to.to_string();
            }
        };
        for t in &mut self.tickets {
            t.requester.iter_mut().for_each(swap);
            t.assignee.iter_mut().for_each(swap);
            t.comments.iter_mut().for_each(|c| swap(&mut c.author));
            t.history
                .iter_mut()
                .filter_map(|h| h.actor.as_mut())
                .for_each(swap);
        }
    }

    pub fn summary(&self) -> UploadSummary {
        UploadSummary {
            tickets: self.tickets.len(),
            comments: self.tickets.iter().map(|t| t.comments.len()).sum(),
            attachments: self.attachments.len(),
            attachment_bytes: self.attachments.iter().map(|a| a.size).sum(),
            links: self.links.len(),
            articles: self.articles.len(),
            macros: self.macros.len(),
        }
    }
}

/// Rows per outbox batch.
const BATCH: usize = 400;

impl Connect<'_> {
    /// The upload of this local workspace: every ticket with its comments and history (in
    /// number order, so an empty server keeps the numbers), every file and every link.
    pub async fn upload_plan(&self) -> Result<Upload> {
        if !self.0.rules.local_workspace {
            return Err(StoreError::Conflict(
                "this workspace is already connected to a server".into(),
            ));
        }
        let data = self.0.transfer().export_dataset().await?;
        let mut conn = self.0.pool.acquire().await?;
        let links: Vec<(String, String, String)> =
            sqlx::query_as("SELECT from_id, to_id, kind FROM ticket_links ORDER BY created_at, id")
                .fetch_all(&mut *conn)
                .await?;
        let links = links
            .into_iter()
            .map(|(from, to, kind)| {
                Ok(LinkDraft {
                    from: uuid(&from)?,
                    to: uuid(&to)?,
                    kind: kind.parse()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        type Row = (
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            i64,
            String,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, ticket_id, comment_id, sha256, name, media_type, size, uploader_id, created_at \
             FROM attachments ORDER BY created_at, id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let attachments = rows
            .into_iter()
            .map(
                |(id, ticket, comment, sha, name, media_type, size, uploader, at)| {
                    Ok(AttachmentState {
                        id: uuid(&id)?,
                        ticket_id: uuid(&ticket)?,
                        comment_id: comment.as_deref().map(uuid).transpose()?,
                        sha256: sha,
                        name,
                        media_type,
                        size: size as u64,
                        uploader_id: uuid(&uploader)?,
                        created_at: ts(at),
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        let docs: Vec<(String,)> = sqlx::query_as("SELECT doc FROM articles ORDER BY seq")
            .fetch_all(&mut *conn)
            .await?;
        let articles = docs
            .into_iter()
            .map(|(doc,)| {
                serde_json::from_str(&doc).map_err(|e| {
                    StoreError::Database(sqlx::Error::Decode(
                        format!("stored article is invalid: {e}").into(),
                    ))
                })
            })
            .collect::<Result<Vec<helpdeck_core::kb::Article>>>()?;
        let owner = self.0.actor.id;
        let macros = self
            .0
            .macros()
            .list()
            .await?
            .into_iter()
            .map(|m| {
                let mut actions = m.actions.clone();
                actions.assignee = match actions.assignee {
                    Some(helpdeck_core::macros::MacroAssignee::Agent(id)) if id == owner => {
                        Some(helpdeck_core::macros::MacroAssignee::Me)
                    }
                    Some(helpdeck_core::macros::MacroAssignee::Agent(_)) => None,
                    other => other,
                };
                helpdeck_core::macros::MacroDraft {
                    name: m.name,
                    body: m.body,
                    actions,
                    personal: m.owner_id.is_some(),
                }
            })
            .collect();
        Ok(Upload {
            tickets: data.tickets,
            links,
            attachments,
            articles,
            macros,
        })
    }

    /// Checks an upload against this replica's copy of the server (its categories and
    /// staff), before anything is sent: what the server would refuse is named here, with
    /// what to do about it. Requesters and comment authors unknown to the server become
    /// customers there; staff are never created that way.
    pub async fn check_upload(&self, upload: &Upload, local_staff: &[String]) -> Result<()> {
        let rules = {
            let mut conn = self.0.pool.acquire().await?;
            self.0.current_rules(&mut conn).await?
        };
        let users = self.0.users().await?;
        let known: HashMap<String, bool> = users
            .iter()
            .map(|u| (u.email.to_lowercase(), u.is_staff()))
            .collect();
        let mut categories = BTreeSet::new();
        let mut staff_missing = BTreeSet::new();
        let staff: BTreeSet<String> = local_staff.iter().map(|e| e.to_lowercase()).collect();
        for t in &upload.tickets {
            if !rules
                .categories
                .iter()
                .any(|c| c.eq_ignore_ascii_case(t.category.trim()))
            {
                categories.insert(t.category.clone());
            }
            let named = t
                .assignee
                .iter()
                .chain(t.comments.iter().map(|c| &c.author))
                .map(|e| e.to_lowercase());
            for e in named {
                let is_staff_here = known.get(&e).copied();
                let needs_staff = staff.contains(&e)
                    || t.assignee
                        .as_ref()
                        .is_some_and(|a| a.eq_ignore_ascii_case(&e));
                if needs_staff && is_staff_here != Some(true) {
                    staff_missing.insert(e);
                }
            }
        }
        for a in &upload.articles {
            if let Some(c) = &a.category
                && !rules.categories.iter().any(|r| r.eq_ignore_ascii_case(c))
            {
                categories.insert(c.clone());
            }
        }
        let mut problems = Vec::new();
        if !categories.is_empty() {
            problems.push(format!(
                "the server has no categor{} {} (it has: {}); ask its admin to add {}, or change those tickets' category here",
                if categories.len() == 1 { "y" } else { "ies" },
                categories.iter().cloned().collect::<Vec<_>>().join(", "),
                rules.categories.join(", "),
                if categories.len() == 1 { "it" } else { "them" },
            ));
        }
        if !staff_missing.is_empty() {
            problems.push(format!(
                "{} {} an agent here but not an agent or admin on the server; ask its admin to add {} (helpdeck server user add --role agent)",
                staff_missing.iter().cloned().collect::<Vec<_>>().join(", "),
                if staff_missing.len() == 1 { "is" } else { "are" },
                if staff_missing.len() == 1 { "them" } else { "each" },
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "nothing was uploaded: {}",
                problems.join("; ")
            )))
        }
    }

    /// Queues `upload` on this (new) replica: the files are copied from `from`'s blob
    /// directory and wait for the sync engine; the ops wait in the outbox. One transaction.
    pub async fn queue_upload(&self, upload: &Upload, from: &Store) -> Result<()> {
        let now = self.0.now();
        for a in &upload.attachments {
            if self.0.files().has_blob(&a.sha256) {
                continue;
            }
            // Each workspace seals its files with its own key: opened, then sealed again.
            let bytes = from.files().read_blob(&a.sha256)?;
            self.0.files().import_bytes(&a.name, &bytes)?;
        }
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let hlc = self.0.clock.tick();
        let op = |entity_id: Uuid, change: Change| Op {
            op_id: new_id(),
            entity: change.entity(),
            entity_id,
            change,
            hlc: hlc.clone(),
            at: now,
            device_id: self.0.workspace().device_id,
            actor_id: self.0.actor.id,
            schema_version: OP_SCHEMA_VERSION,
        };
        let mut ops = Vec::new();
        for t in &upload.tickets {
            let id = t
                .id
                .ok_or_else(|| StoreError::Conflict(format!("ticket '{}' has no id", t.title)))?;
            ops.push(op(id, Change::ImportTicket(Box::new(t.clone()))));
        }
        for a in &upload.attachments {
            ops.push(op(
                a.id,
                Change::AddAttachment(AttachmentDraft {
                    ticket_id: a.ticket_id,
                    comment_id: a.comment_id,
                    sha256: a.sha256.clone(),
                    name: a.name.clone(),
                    media_type: a.media_type.clone(),
                    size: a.size,
                }),
            ));
        }
        for l in &upload.links {
            ops.push(op(new_id(), Change::LinkTickets(l.clone())));
        }
        for m in &upload.macros {
            ops.push(op(new_id(), Change::CreateMacro(m.clone())));
        }
        for a in &upload.articles {
            ops.push(op(
                a.id,
                Change::CreateArticle(helpdeck_core::kb::ArticleDraft {
                    title: a.title.clone(),
                    body: a.body.clone(),
                    category: a.category.clone(),
                    tags: a.tags.clone(),
                    audience: a.audience,
                    lang: a.lang,
                    translation_of: a.translation_of,
                    steps: a.steps.clone(),
                    files: a.files.clone(),
                    from_ticket: a.tickets.first().copied(),
                    publish: a.status == helpdeck_core::kb::ArticleStatus::Published,
                }),
            ));
            if a.status == helpdeck_core::kb::ArticleStatus::Archived {
                ops.push(op(
                    a.id,
                    Change::SetArticleStatus {
                        to: helpdeck_core::kb::ArticleStatus::Archived,
                    },
                ));
            }
        }
        let mut shas = BTreeSet::new();
        for chunk in ops.chunks(BATCH) {
            let mut batch = Batch::default();
            for o in chunk {
                push_op(&mut batch, o, now);
            }
            batch.execute(&mut tx).await?;
        }
        let mut batch = Batch::default();
        for a in &upload.attachments {
            if shas.insert(a.sha256.clone()) {
                batch.push(
                    "INSERT OR IGNORE INTO blob_transfers (sha256, direction, size) VALUES (?, 'up', ?)",
                    vec![Arg::text(&a.sha256), Arg::Int(a.size as i64)],
                );
            }
        }
        for f in upload.articles.iter().flat_map(|a| &a.files) {
            if shas.insert(f.sha256.clone()) {
                batch.push(
                    "INSERT OR IGNORE INTO blob_transfers (sha256, direction, size) VALUES (?, 'up', ?)",
                    vec![Arg::text(&f.sha256), Arg::Int(f.size as i64)],
                );
            }
        }
        batch.execute(&mut tx).await?;
        sqlx::query("UPDATE workspace SET hlc_last = ?")
            .bind(&hlc)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
