//! Satisfaction follow-ups (spec §3.1, issue 11): the callbacks a rating of 1–2 opens, as
//! the agents' task list, on the ticket, and the outcome an agent records. The rule is
//! core's (`helpdeck_core::followup`, decided by `apply`); this module reads the tickets'
//! `followup` column and times each callback with the ticket's business calendar.

use std::collections::HashMap;

use helpdeck_core::command;
use helpdeck_core::followup::{FollowUp, FollowUpDone, Level, Outcome};
use helpdeck_core::permission;
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Ticket, ticket_key};
use helpdeck_core::{Timestamp, Uuid};
use serde::Serialize;
use sqlx::SqliteConnection;
use tracing::instrument;

use crate::error::{Result, StoreError};
use crate::read::user_refs;
use crate::rows::{TICKET_COLUMNS, TicketRow};
use crate::views::UserRef;
use crate::workspace::agent_by_email;
use crate::write::{LocalDirectory, local_directory};
use crate::{FollowUps, Store};

/// One level's callback as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CallbackView {
    pub level: Level,
    /// Who calls (none: any supervisor / expert; always none for customers).
    pub owner: Option<UserRef>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub opened_at: Timestamp,
    /// One business day after it opened, by the ticket's calendar.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub due_at: Timestamp,
    /// Open and past its due time.
    pub overdue: bool,
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub done_at: Option<Timestamp>,
}

/// A ticket's follow-up as shown on it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpView {
    /// The rating that opened it.
    pub score: u8,
    /// A callback is waiting for its outcome.
    pub open: bool,
    pub recovered: bool,
    pub steps: Vec<CallbackView>,
}

/// An open callback in the agents' task list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpTask {
    pub ticket_id: Uuid,
    /// e.g. `HD-42`.
    pub number: String,
    pub title: String,
    pub status: Status,
    pub requester: Option<UserRef>,
    pub score: u8,
    pub callback: CallbackView,
}

/// Which open callbacks to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FollowUpScope {
    /// Mine, and those nobody owns yet.
    #[default]
    Mine,
    /// Everyone's.
    All,
}

/// An outcome to record, as a person enters it.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    pub outcome: Outcome,
    pub note: String,
    /// The next level's caller by email (when not recovered; none: any supervisor/expert).
    pub next_owner: Option<String>,
}

impl Store {
    /// Satisfaction follow-ups: the task list and recording a callback's outcome.
    pub fn followups(&self) -> FollowUps<'_> {
        FollowUps(self)
    }

    /// The follow-up of `t` as this user may see it, timed by the ticket's calendar.
    pub(crate) async fn followup_view(
        &self,
        conn: &mut SqliteConnection,
        t: &Ticket,
    ) -> Result<Option<FollowUpView>> {
        let Some(f) = &t.followup else {
            return Ok(None);
        };
        let names = user_refs(
            conn,
            &f.steps.iter().filter_map(|s| s.owner).collect::<Vec<_>>(),
        )
        .await?;
        Ok(Some(self.shape(t, f, &names)))
    }

    fn shape(&self, t: &Ticket, f: &FollowUp, names: &HashMap<Uuid, UserRef>) -> FollowUpView {
        let staff = permission::can_see_internal(&self.actor);
        let f = if staff { f.clone() } else { f.for_customer() };
        let policies = self.policies();
        let calendar = &policies.for_org(t.organization_id).1;
        let now = self.now();
        FollowUpView {
            score: f.score,
            open: f.open_step().is_some(),
            recovered: f.recovered(),
            steps: f
                .steps
                .iter()
                .map(|s| {
                    let due_at = s.due_at(calendar);
                    CallbackView {
                        level: s.level,
                        owner: s.owner.and_then(|o| names.get(&o).cloned()),
                        opened_at: s.opened_at,
                        due_at,
                        overdue: s.outcome.is_none() && s.done_at.is_none() && due_at <= now,
                        outcome: s.outcome,
                        note: s.note.clone(),
                        done_at: s.done_at,
                    }
                })
                .collect(),
        }
    }
}

impl FollowUps<'_> {
    /// The open callbacks (staff only), the most overdue first.
    #[instrument(skip_all, err)]
    pub async fn list(&self, scope: FollowUpScope) -> Result<Vec<FollowUpTask>> {
        let store = self.0;
        if !permission::can_see_internal(&store.actor) {
            return Err(StoreError::Domain(helpdeck_core::DomainError::Forbidden(
                "follow-up calls are the agents' tasks".into(),
            )));
        }
        let mut conn = store.pool.acquire().await?;
        let rows: Vec<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.followup IS NOT NULL"
        )))
        .fetch_all(&mut *conn)
        .await?;
        let me = store.actor.id;
        let mut tasks = Vec::new();
        for row in rows {
            let t = row.into_ticket()?;
            let Some(f) = &t.followup else { continue };
            let Some(open) = f.open_step() else { continue };
            if scope == FollowUpScope::Mine && open.owner.is_some_and(|o| o != me) {
                continue;
            }
            let mut ids: Vec<Uuid> = f.steps.iter().filter_map(|s| s.owner).collect();
            ids.extend(t.requester_id);
            let names = user_refs(&mut conn, &ids).await?;
            let view = store.shape(&t, f, &names);
            let callback = view.steps.last().cloned().expect("an open step");
            tasks.push(FollowUpTask {
                ticket_id: t.id,
                number: ticket_key(t.number),
                title: t.title.clone(),
                status: t.status,
                requester: t.requester_id.and_then(|r| names.get(&r).cloned()),
                score: f.score,
                callback,
            });
        }
        tasks.sort_by_key(|t| (t.callback.due_at, t.number.len(), t.number.clone()));
        Ok(tasks)
    }

    /// Records the outcome of the open callback on ticket `reference`.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn record(&self, reference: &str, input: FollowUpInput) -> Result<Ticket> {
        self.0
            .mutate(reference, move |store, conn, t, rules, now| {
                Box::pin(async move {
                    let next_owner = match input.next_owner.as_deref().map(str::trim) {
                        Some(e) if !e.is_empty() => Some(agent_by_email(conn, e).await?.id),
                        _ => None,
                    };
                    let directory = match next_owner {
                        Some(id) => local_directory(conn, &[id]).await?,
                        None => LocalDirectory::default(),
                    };
                    let level = t
                        .followup
                        .as_ref()
                        .and_then(|f| f.open_step())
                        .map_or(Level::Handler, |s| s.level);
                    let done = FollowUpDone {
                        level,
                        outcome: input.outcome,
                        note: input.note,
                        next_owner,
                    };
                    Ok(command::follow_up(
                        &t,
                        done,
                        &store.context(rules, &directory, now),
                    )?)
                })
            })
            .await
    }
}
