//! Who may do what (spec §5). The server enforces it for every op; the local store checks it
//! too, so a customer's app refuses what the server would refuse.

use crate::error::DomainError;
use crate::status::Status;
use crate::ticket::Ticket;
use crate::user::{Role, User};

/// May `actor` see `ticket`?
pub fn can_see(actor: &User, ticket: &Ticket) -> bool {
    match actor.role {
        Role::Admin | Role::Agent => true,
        Role::Customer => {
            ticket.requester_id == Some(actor.id)
                || (actor.org_admin
                    && actor.organization_id.is_some()
                    && ticket.organization_id == actor.organization_id)
        }
    }
}

/// May `actor` see internal notes and agent-only fields?
pub fn can_see_internal(actor: &User) -> bool {
    actor.is_staff()
}

fn forbid(what: &str) -> DomainError {
    DomainError::Forbidden(what.to_string())
}

/// Checks a customer's right to act on a ticket at all.
fn require_visible(actor: &User, ticket: &Ticket) -> Result<(), DomainError> {
    if can_see(actor, ticket) {
        Ok(())
    } else {
        Err(forbid("this ticket belongs to another requester"))
    }
}

/// Public reply: staff on any ticket, customers on tickets they can see.
pub fn check_public_reply(actor: &User, ticket: &Ticket) -> Result<(), DomainError> {
    require_visible(actor, ticket)
}

/// Internal note: staff only.
pub fn check_internal_note(actor: &User) -> Result<(), DomainError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(forbid("customers cannot write internal notes"))
    }
}

/// Status change: staff any valid transition; customers only confirm (close), or reopen, their
/// own resolved tickets (and reopen closed ones within the window, checked by the caller).
pub fn check_status_change(actor: &User, ticket: &Ticket, to: Status) -> Result<(), DomainError> {
    if actor.is_staff() {
        return Ok(());
    }
    require_visible(actor, ticket)?;
    match (ticket.status, to) {
        (Status::Resolved, Status::Closed | Status::Open) | (Status::Closed, Status::Open) => {
            Ok(())
        }
        _ => Err(forbid(
            "customers may only confirm (close) or reopen their own resolved tickets",
        )),
    }
}

/// Priority, assignee, tier, team: staff only.
pub fn check_triage(actor: &User) -> Result<(), DomainError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(forbid(
            "customers cannot change priority, assignee, tier or team",
        ))
    }
}

/// CSAT: the requester (a customer) on their own resolved or closed ticket. In a local
/// workspace (no server) staff record the requester's rating on their behalf, as a field
/// technician does at sign-off; `local_workspace` says which case applies.
pub fn check_rate(actor: &User, ticket: &Ticket, local_workspace: bool) -> Result<(), DomainError> {
    match actor.role {
        Role::Customer => require_visible(actor, ticket)?,
        Role::Admin | Role::Agent if local_workspace => {}
        Role::Admin | Role::Agent => return Err(forbid("only the requester rates a ticket")),
    }
    if !matches!(ticket.status, Status::Resolved | Status::Closed) {
        return Err(DomainError::invalid(
            "status",
            format!(
                "only resolved or closed tickets can be rated (this one is {})",
                ticket.status
            ),
        ));
    }
    Ok(())
}

/// What a customer is shown instead of the name of a customer of another organization.
pub const HIDDEN_NAME: &str = "—";

/// May `viewer` know `person`'s name? Staff: everyone's. Customers: their own, staff's and
/// their organization's people's — never another organization's customers (a ticket that
/// changed requester, or a merged conversation, must not tell them who).
pub fn may_know_name(viewer: &User, person: &User) -> bool {
    viewer.is_staff()
        || person.is_staff()
        || viewer.id == person.id
        || (viewer.organization_id.is_some() && viewer.organization_id == person.organization_id)
}
