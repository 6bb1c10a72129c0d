//! Bulk changes from the queue (issue 13): one change (assignee, status, priority, tier,
//! tags added, or a macro) to many tickets in one transaction, each decided by the core like
//! any change — a ticket the change does not fit is named with the reason and left as it was
//! — and the previous values kept, so one undo puts every changed ticket back.

use helpdeck_core::command::{self, TicketPatch};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Priority, Tier, ticket_key};
use helpdeck_core::{DomainError, Uuid};
use serde::{Deserialize, Serialize};
use tracing::instrument;

use crate::Tickets;
use crate::error::{Result, StoreError};
use crate::write::{AssigneeInput, find_ticket, local_directory};

/// Most tickets one bulk change takes.
pub const MAX_BULK: usize = 10_000;

/// One change for many tickets (exactly one of the fields).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct BulkChange {
    /// An agent's email, `me` or `none`.
    pub assignee: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub tier: Option<Tier>,
    /// Tags added (each ticket keeps its others).
    pub add_tags: Vec<String>,
    /// A macro (its name or id), applied to each ticket.
    #[serde(rename = "macro")]
    pub macro_: Option<String>,
}

/// A ticket a bulk change was not made to, and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkRefusal {
    pub number: String,
    pub reason: String,
}

/// What a changed ticket was before (for the undo).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkPrevious {
    pub number: String,
    pub status: Status,
    pub priority: Priority,
    pub tier: Tier,
    /// The assignee's email, or none.
    pub assignee: Option<String>,
    pub tags: Vec<String>,
}

/// What a bulk change did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkOutcome {
    /// The tickets changed, e.g. `HD-12`.
    pub changed: Vec<String>,
    pub refused: Vec<BulkRefusal>,
    /// Give this back to `bulk_undo` to put the changed tickets back.
    pub undo: Vec<BulkPrevious>,
}

impl Tickets<'_> {
    /// Makes one change to many tickets, in one transaction.
    #[instrument(skip_all, fields(tickets = references.len()), err)]
    pub async fn bulk_update(
        &self,
        references: &[String],
        change: BulkChange,
    ) -> Result<BulkOutcome> {
        let given = [
            change.assignee.is_some(),
            change.status.is_some(),
            change.priority.is_some(),
            change.tier.is_some(),
            !change.add_tags.is_empty(),
            change.macro_.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if given != 1 {
            return Err(DomainError::invalid(
                "change",
                "give exactly one change: assignee, status, priority, tier, tags or a macro",
            )
            .into());
        }
        if references.is_empty() || references.len() > MAX_BULK {
            return Err(DomainError::invalid(
                "tickets",
                format!(
                    "{} tickets given (1 to {MAX_BULK} at once)",
                    references.len()
                ),
            )
            .into());
        }
        let store = self.0;
        let macro_ = match &change.macro_ {
            Some(m) => Some(store.macros().find(m).await?),
            None => None,
        };
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rules = store.current_rules(&mut tx).await?;
        let assignee = match change.assignee.as_deref() {
            Some(a) => Some(
                store
                    .resolve_assignee(&mut tx, &a.parse::<AssigneeInput>().expect("infallible"))
                    .await?,
            ),
            None => None,
        };
        let mut named: Vec<Uuid> = assignee.flatten().into_iter().collect();
        if let Some(m) = &macro_ {
            match m.actions.assignee {
                Some(helpdeck_core::macros::MacroAssignee::Agent(id)) => named.push(id),
                Some(helpdeck_core::macros::MacroAssignee::Me) => named.push(store.actor.id),
                _ => {}
            }
        }
        let directory = local_directory(&mut tx, &named).await?;
        let mut out = BulkOutcome {
            changed: Vec::new(),
            refused: Vec::new(),
            undo: Vec::new(),
        };
        for reference in references {
            let (t, seq) = match find_ticket(&mut tx, reference).await {
                Ok(found) => found,
                Err(StoreError::NotFound(m)) => {
                    out.refused.push(BulkRefusal {
                        number: reference.clone(),
                        reason: m,
                    });
                    continue;
                }
                Err(e) => return Err(e),
            };
            let ctx = store.context(&rules, &directory, now);
            let decided = match &macro_ {
                Some(m) => {
                    let p = crate::macros::placeholders(store, &mut tx, &t, now).await?;
                    command::apply_macro(&t, m, &p, helpdeck_core::new_id(), &ctx)
                }
                None => {
                    let patch = TicketPatch {
                        assignee_id: assignee.filter(|a| *a != t.assignee_id),
                        status: change.status.filter(|s| *s != t.status),
                        priority: change.priority.filter(|p| *p != t.priority),
                        tier: change.tier.filter(|x| *x != t.tier),
                        tags: helpdeck_core::apply::tags_added(&t.tags, &change.add_tags),
                        ..Default::default()
                    };
                    if patch.is_empty() {
                        // Already so: nothing to change, nothing to undo.
                        continue;
                    }
                    command::update_ticket(&t, patch, &ctx)
                }
            };
            match decided {
                Ok(d) => {
                    let assignee_email = match t.assignee_id {
                        Some(id) => crate::read::user_refs(&mut tx, &[id])
                            .await?
                            .remove(&id)
                            .map(|u| u.email),
                        None => None,
                    };
                    store.persist(&mut tx, &d, Some(seq), now).await?;
                    out.changed.push(ticket_key(t.number));
                    out.undo.push(BulkPrevious {
                        number: ticket_key(t.number),
                        status: t.status,
                        priority: t.priority,
                        tier: t.tier,
                        assignee: assignee_email,
                        tags: t.tags.clone(),
                    });
                }
                Err(e) => out.refused.push(BulkRefusal {
                    number: ticket_key(t.number),
                    reason: e.to_string(),
                }),
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Puts back what a bulk change changed (status, priority, tier, assignee, tags), in one
    /// transaction; a ticket that cannot go back (a status the machine does not allow from
    /// where it is now) is named with the reason.
    #[instrument(skip_all, fields(tickets = previous.len()), err)]
    pub async fn bulk_undo(&self, previous: &[BulkPrevious]) -> Result<BulkOutcome> {
        let store = self.0;
        let now = store.now();
        let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rules = store.current_rules(&mut tx).await?;
        let mut out = BulkOutcome {
            changed: Vec::new(),
            refused: Vec::new(),
            undo: Vec::new(),
        };
        for p in previous {
            let (t, seq) = find_ticket(&mut tx, &p.number).await?;
            let assignee = match &p.assignee {
                Some(email) => Some(crate::workspace::agent_by_email(&mut tx, email).await?.id),
                None => None,
            };
            let named: Vec<Uuid> = assignee.into_iter().collect();
            let directory = local_directory(&mut tx, &named).await?;
            let patch = TicketPatch {
                assignee_id: Some(assignee).filter(|a| *a != t.assignee_id),
                status: Some(p.status).filter(|s| *s != t.status),
                priority: Some(p.priority).filter(|x| *x != t.priority),
                tier: Some(p.tier).filter(|x| *x != t.tier),
                tags: Some(p.tags.clone()).filter(|x| *x != t.tags),
                ..Default::default()
            };
            if patch.is_empty() {
                continue;
            }
            match command::update_ticket(&t, patch, &store.context(&rules, &directory, now)) {
                Ok(d) => {
                    store.persist(&mut tx, &d, Some(seq), now).await?;
                    out.changed.push(p.number.clone());
                }
                Err(e) => out.refused.push(BulkRefusal {
                    number: p.number.clone(),
                    reason: e.to_string(),
                }),
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}
