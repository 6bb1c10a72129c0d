//! Time spent on tickets (spec §3.1, §6.4; issue 15): agents log minutes with a reply or an
//! internal note, by a timer, or on their own. Entries are insert-only; a wrong one is deleted
//! (a tombstone that wins) and logged again. They are staff-only — a customer never sees a
//! time entry — and they add up per ticket, agent and organization for billing, together with
//! the travel and work time of the ticket's visits (`crate::workorder`).
//!
//! Decided here for every side: the store for a device's own writes and the replay of its
//! pending ops, the server for every push.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::apply::{Context, bounded_at, check_short};
use crate::error::DomainError;
use crate::op::Change;
use crate::ticket::Ticket;
use crate::workorder::{MAX_TEXT_CHARS, validate_minutes};

#[cfg(test)]
mod tests;

/// Minutes logged on a ticket by an agent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTime {
    pub id: Uuid,
    pub ticket_id: Uuid,
    /// Who spent the time (the op's author: nobody logs time for someone else).
    pub agent_id: Uuid,
    pub minutes: u32,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: Timestamp,
    /// The reply or note the time was spent on, if it came with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Deleted: a tombstone, kept so that a late copy of the entry never brings it back.
    #[serde(default)]
    pub deleted: bool,
}

/// A new time entry (entity: time_entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketTimeDraft {
    pub ticket_id: Uuid,
    pub minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the deciding side knows of the comment an entry names: the ticket it is on (`None`:
/// no such comment), or `Trusted` when a device replays its own pending changes.
#[derive(Debug, Clone, Copy)]
pub enum CommentOf {
    Known(Option<Uuid>),
    Trusted,
}

/// Is `change` one a time entry takes?
pub fn is_time_change(change: &Change) -> bool {
    matches!(change, Change::LogTicketTime(_) | Change::DeleteTimeEntry)
}

/// The ticket a time-entry change is about: the draft's, or the entry's.
pub fn ticket_of(current: Option<&TicketTime>, change: &Change) -> Option<Uuid> {
    match (current, change) {
        (Some(t), _) => Some(t.ticket_id),
        (None, Change::LogTicketTime(d)) => Some(d.ticket_id),
        _ => None,
    }
}

/// Applies one time-entry change to `current` (none before it is logged) on `ticket`.
/// `Ok(None)`: nothing to do (a repeated log, a delete of a deleted entry).
pub fn apply_time_entry(
    current: Option<&TicketTime>,
    ticket: Option<&Ticket>,
    comment: CommentOf,
    id: Uuid,
    change: &Change,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<TicketTime>, DomainError> {
    let actor = ctx.actor;
    let ticket = match (ticket, ticket_of(current, change)) {
        (Some(t), Some(tid)) if t.id == tid && crate::permission::can_see(actor, t) => t,
        (_, Some(tid)) => return Err(DomainError::NotFound(format!("no ticket {tid}"))),
        (_, None) => return Err(DomainError::NotFound(format!("no time entry {id}"))),
    };
    if !actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agents and admins log time on tickets".into(),
        ));
    }
    match change {
        Change::LogTicketTime(d) => {
            if current.is_some() {
                return Ok(None);
            }
            validate_minutes(d.minutes)?;
            let note = match d.note.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => {
                    if n.chars().count() > MAX_TEXT_CHARS {
                        return Err(DomainError::invalid(
                            "note",
                            format!("a time entry's note is at most {MAX_TEXT_CHARS} characters"),
                        ));
                    }
                    check_short("note", n)?;
                    Some(n.to_string())
                }
                _ => None,
            };
            if let Some(c) = d.comment_id {
                match comment {
                    CommentOf::Trusted => {}
                    CommentOf::Known(Some(t)) if t == ticket.id => {}
                    CommentOf::Known(_) => {
                        return Err(DomainError::invalid(
                            "comment",
                            format!(
                                "comment {c} is not on ticket HD-{}; time goes with a reply or note of its own ticket",
                                ticket.number
                            ),
                        ));
                    }
                }
            }
            Ok(Some(TicketTime {
                id,
                ticket_id: ticket.id,
                agent_id: actor.id,
                minutes: d.minutes,
                at: bounded_at(at, ctx.now, None),
                comment_id: d.comment_id,
                note,
                deleted: false,
            }))
        }
        Change::DeleteTimeEntry => {
            let Some(t) = current else {
                return Err(DomainError::NotFound(format!("no time entry {id}")));
            };
            if t.deleted {
                return Ok(None);
            }
            if t.agent_id != actor.id && actor.role != crate::user::Role::Admin {
                return Err(DomainError::Forbidden(
                    "a time entry is deleted by the agent who logged it or by an admin".into(),
                ));
            }
            Ok(Some(TicketTime {
                deleted: true,
                ..t.clone()
            }))
        }
        _ => Err(DomainError::invalid(
            "entity",
            "not a time-entry change (allowed: log_ticket_time, delete_time_entry)",
        )),
    }
}

crate::ticket::vocabulary!(
    /// How billing totals are grouped.
    TimeGroup, "time group", {
        Ticket => "ticket",
        Agent => "agent",
        Organization => "organization",
    }
);

/// One row of the billing totals: the time of a ticket, an agent or an organization over a
/// period, the tickets' own entries and their visits' travel and work apart.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeTotal {
    /// What the row is about: a ticket's number (`HD-12`), an agent's email, an
    /// organization's name; empty for time with no organization.
    pub key: String,
    /// A ticket's title, an agent's or an organization's name.
    pub label: String,
    /// Minutes logged on the tickets themselves (with replies, notes, timers).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub ticket_minutes: u64,
    /// Travel and work minutes of their visits.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub travel_minutes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub work_minutes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_minutes: u64,
    /// How many tickets the time was spent on.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tickets: u64,
}

/// Minutes as hours and minutes for people ("2 h 05 min", "45 min").
pub fn hours_minutes(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}
