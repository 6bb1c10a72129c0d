//! Merging a duplicate into another ticket (spec §3.1): the duplicate's request and public
//! conversation are copied into the ticket it merges into — kept attributed and dated — and
//! the duplicate is closed as a duplicate, linked to it, its requester told where it went.
//! Two changes, one per ticket, both decided here for every side: `MergeFrom` on the ticket
//! kept, `MergeInto` on the duplicate. Each is idempotent (ids derive from the two tickets),
//! so two agents merging the same pair offline converge.

use uuid::Uuid;

use crate::Timestamp;
use crate::apply::{Context, FieldChange, Outcome, transition_effects};
use crate::error::DomainError;
use crate::import::Imported;
use crate::op::LinkKind;
use crate::status::Status;
use crate::sync::{CommentState, LinkState};
use crate::ticket::{Ticket, ticket_key};
use crate::user::User;

/// The id of the copy of `original` (a comment, or the duplicate's own request) in `into`.
pub fn copy_id(into: Uuid, original: Uuid) -> Uuid {
    Uuid::new_v5(&into, original.as_bytes())
}

/// The id of the `duplicate_of` link a merge makes.
pub fn link_id(duplicate: Uuid, into: Uuid) -> Uuid {
    Uuid::new_v5(&duplicate, into.as_bytes())
}

fn check(actor: &User, dup: &Ticket, into: &Ticket) -> Result<(), DomainError> {
    if !actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agents and admins merge tickets".into(),
        ));
    }
    if dup.id == into.id {
        return Err(DomainError::invalid(
            "into",
            "a ticket cannot be merged into itself",
        ));
    }
    if let Some(other) = dup.merged_into.filter(|o| *o != into.id) {
        return Err(DomainError::invalid(
            "into",
            format!(
                "{} was merged into another ticket already ({other})",
                ticket_key(dup.number)
            ),
        ));
    }
    if into.merged_into.is_some() {
        return Err(DomainError::invalid(
            "into",
            format!(
                "{} was itself merged into another ticket: merge into that one",
                ticket_key(into.number)
            ),
        ));
    }
    if into.status == Status::Closed {
        return Err(DomainError::invalid(
            "into",
            format!(
                "{} is closed: reopen it, or merge it into {} instead",
                ticket_key(into.number),
                ticket_key(dup.number)
            ),
        ));
    }
    Ok(())
}

/// The ticket kept takes copies of the duplicate's request (as its requester's message) and
/// of its public, undeleted replies; internal notes stay on the duplicate.
pub(crate) fn merge_from(
    t: &Ticket,
    dup: &Ticket,
    dup_comments: &[CommentState],
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<Outcome>, DomainError> {
    check(ctx.actor, dup, t)?;
    if dup.merged_into == Some(t.id) {
        return Ok(None); // merged already (by this or another replica)
    }
    let mut comments = Vec::new();
    if let Some(requester) = dup.requester_id {
        let mut body = format!("**{}** ({})", dup.title, ticket_key(dup.number));
        if !dup.description.trim().is_empty() {
            body.push_str("\n\n");
            body.push_str(dup.description.trim_end());
        }
        comments.push(CommentState {
            id: copy_id(t.id, dup.id),
            ticket_id: t.id,
            author_id: requester,
            visibility: crate::record::Visibility::Public,
            by_agent: false,
            body,
            created_at: dup.created_at,
            deleted: false,
        });
    }
    for c in dup_comments.iter().filter(|c| {
        c.ticket_id == dup.id && !c.deleted && c.visibility == crate::record::Visibility::Public
    }) {
        comments.push(CommentState {
            id: copy_id(t.id, c.id),
            ticket_id: t.id,
            ..c.clone()
        });
    }
    let mut next = t.clone();
    next.updated_at = next.updated_at.max(at);
    Ok(Some(Outcome {
        imported: Some(Box::new(Imported {
            comments,
            history: Vec::new(),
        })),
        ..Outcome::ticket(
            next,
            vec![FieldChange {
                field: "merged_from",
                from: None,
                to: Some(ticket_key(dup.number)),
            }],
            at,
        )
    }))
}

/// The duplicate is closed (from whatever status it was in), linked `duplicate_of` the
/// ticket kept, and says where it went (its requester sees the line).
pub(crate) fn merge_into(
    dup: &Ticket,
    into: &Ticket,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<Outcome>, DomainError> {
    check(ctx.actor, dup, into)?;
    if dup.merged_into == Some(into.id) {
        return Ok(None);
    }
    let mut next = dup.clone();
    next.merged_into = Some(into.id);
    let mut audit = Vec::new();
    if dup.status != Status::Closed {
        transition_effects(&mut next, dup.status, Status::Closed, at);
        audit.push(FieldChange {
            field: "status",
            from: Some(dup.status.to_string()),
            to: Some(Status::Closed.to_string()),
        });
        audit.push(FieldChange {
            field: "close_reason",
            from: None,
            to: Some("duplicate".into()),
        });
    }
    next.updated_at = next.updated_at.max(at);
    audit.push(FieldChange {
        field: "merged_into",
        from: None,
        to: Some(ticket_key(into.number)),
    });
    audit.push(FieldChange {
        field: "link",
        from: None,
        to: Some(format!(
            "{} {}",
            LinkKind::DuplicateOf,
            ticket_key(into.number)
        )),
    });
    Ok(Some(Outcome {
        link: Some(LinkState {
            id: link_id(dup.id, into.id),
            from_ticket: dup.id,
            to_ticket: into.id,
            kind: LinkKind::DuplicateOf,
            created_by: ctx.actor.id,
            created_at: at,
            deleted: false,
        }),
        ..Outcome::ticket(next, audit, at)
    }))
}

#[cfg(test)]
mod tests;
