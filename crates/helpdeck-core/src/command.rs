//! Ticket commands: what a user means, turned into typed changes.
//!
//! Each function takes the current state and a [`Context`] (actor, rules, "now", directory),
//! builds the [`Change`]s of the intent and applies them one by one with
//! [`crate::apply::apply`] — the same function the server applies them with. The store
//! persists the steps in one transaction; it decides nothing itself.

use jiff::Timestamp;
use uuid::Uuid;

use crate::apply::{self, Context, Outcome, Target};
pub use crate::apply::{FieldChange, Rules};
use crate::error::DomainError;
use crate::op::{Change, CommentDraft, LinkDraft, LinkKind, TicketDraft, TicketFields};
use crate::record::Visibility;
use crate::status::Status;
use crate::sync::LinkState;
use crate::ticket::{Channel, Csat, Kind, Priority, Resolution, Ticket, Tier};

/// One applied change: what goes to the outbox, and what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub entity_id: Uuid,
    pub change: Change,
    pub outcome: Outcome,
}

/// The result of a command: the ticket after it and the steps that got it there.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub ticket: Ticket,
    pub steps: Vec<Step>,
}

impl Decided {
    /// Every audit entry of every step.
    pub fn changes(&self) -> impl Iterator<Item = &FieldChange> {
        self.steps.iter().flat_map(|s| s.outcome.audit.iter())
    }
}

/// Applies `changes` in order on top of `ticket`, with the one rule engine.
fn run(
    ticket: Option<&Ticket>,
    changes: Vec<(Uuid, Change)>,
    now: Timestamp,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let mut current = ticket.cloned();
    let mut steps: Vec<Step> = Vec::new();
    for (entity_id, change) in changes {
        // A file on a reply made in the same command refers to that reply.
        let comment = match &change {
            Change::AddAttachment(a) => steps
                .iter()
                .filter_map(|s| s.outcome.comment.as_ref())
                .find(|c| Some(c.id) == a.comment_id),
            _ => None,
        };
        let target = Target {
            ticket: current.as_ref(),
            comment,
            ..Target::default()
        };
        if let Some(outcome) = apply::apply(target, entity_id, &change, now, ctx)? {
            current = Some(outcome.ticket.clone());
            steps.push(Step {
                entity_id,
                change,
                outcome,
            });
        }
    }
    let ticket = current.ok_or_else(|| DomainError::NotFound("no ticket".into()))?;
    if steps.is_empty() {
        return Err(DomainError::invalid(
            "update",
            "nothing to change: every value is already set",
        ));
    }
    Ok(Decided { ticket, steps })
}

/// Applies a change made by a job (the system actor of the context) to `current`.
pub fn apply_job(
    current: &Ticket,
    change: Change,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    run(Some(current), vec![(current.id, change)], ctx.now, ctx)
}

/// Applies any one change on the local path (what the store does with a change it made or
/// was asked to make): the rule engine at the context's "now".
pub fn apply_change(
    current: Option<&Ticket>,
    entity_id: Uuid,
    change: Change,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    run(current, vec![(entity_id, change)], ctx.now, ctx)
}

/// Links `from` to `to` (`link_id` is the new link's id).
pub fn link(
    from: &Ticket,
    to: &Ticket,
    kind: LinkKind,
    link_id: Uuid,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let change = Change::LinkTickets(LinkDraft {
        from: from.id,
        to: to.id,
        kind,
    });
    let target = Target {
        ticket: Some(from),
        other: Some(to),
        ..Target::default()
    };
    one_step(target, link_id, change, ctx)
}

/// Removes a link of `from` (to `to`).
pub fn unlink(
    from: &Ticket,
    to: &Ticket,
    link: &LinkState,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let target = Target {
        ticket: Some(from),
        link: Some(link),
        other: Some(to),
        ..Target::default()
    };
    one_step(target, link.id, Change::UnlinkTickets, ctx)
}

fn one_step(
    target: Target<'_>,
    entity_id: Uuid,
    change: Change,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let outcome = apply::apply(target, entity_id, &change, ctx.now, ctx)?
        .ok_or_else(|| DomainError::invalid("link", "nothing to change: that is already so"))?;
    Ok(Decided {
        ticket: outcome.ticket.clone(),
        steps: vec![Step {
            entity_id,
            change,
            outcome,
        }],
    })
}

/// What a new ticket needs. Optional fields take the defaults of a phone-in incident.
#[derive(Debug, Clone, Default)]
pub struct NewTicket {
    pub title: String,
    pub description: String,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub channel: Option<Channel>,
    pub requester_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub tier: Option<Tier>,
    pub tags: Vec<String>,
    pub site: Option<String>,
}

/// A file to attach: its content address and what the user called it (the id is the new
/// attachment's).
#[derive(Debug, Clone)]
pub struct NewFile {
    pub id: Uuid,
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
}

fn attach(ticket_id: Uuid, comment_id: Option<Uuid>, files: &[NewFile]) -> Vec<(Uuid, Change)> {
    files
        .iter()
        .map(|f| {
            (
                f.id,
                Change::AddAttachment(crate::attachment::AttachmentDraft {
                    ticket_id,
                    comment_id,
                    sha256: f.sha256.clone(),
                    name: f.name.clone(),
                    media_type: f.media_type.clone(),
                    size: f.size,
                }),
            )
        })
        .collect()
}

/// Validates a new ticket and builds its initial state (`number` is provisional).
pub fn create_ticket(
    input: NewTicket,
    id: Uuid,
    number: i64,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    create_ticket_with(input, id, number, &[], ctx)
}

/// [`create_ticket`] with files on the new ticket.
pub fn create_ticket_with(
    input: NewTicket,
    id: Uuid,
    number: i64,
    files: &[NewFile],
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let draft = TicketDraft {
        title: input.title,
        description: input.description,
        kind: input.kind,
        category: input.category,
        priority: input.priority,
        channel: input.channel,
        requester_id: input.requester_id,
        assignee_id: input.assignee_id,
        team_id: input.team_id,
        tier: input.tier,
        tags: input.tags,
        asset_id: None,
        site: input.site,
        number,
    };
    let mut changes = vec![(id, Change::CreateTicket(draft))];
    changes.extend(attach(id, None, files));
    run(None, changes, ctx.now, ctx)
}

/// A partial update (`ticket update`). `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<Uuid>>,
    pub team_id: Option<Option<Uuid>>,
    pub tier: Option<Tier>,
    pub status: Option<Status>,
    /// Reason for closing from new/open (spam, duplicate).
    pub reason: Option<String>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
    /// `Some(None)` clears the site.
    pub site: Option<Option<String>>,
    /// `Some(None)`: no requester.
    pub requester_id: Option<Option<Uuid>>,
}

impl TicketPatch {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.kind.is_none()
            && self.category.is_none()
            && self.assignee_id.is_none()
            && self.team_id.is_none()
            && self.tier.is_none()
            && self.status.is_none()
            && self.tags.is_none()
            && self.site.is_none()
            && self.requester_id.is_none()
    }
}

/// Applies a partial update: field changes first, then the status. A move to `resolved`
/// must go through [`resolve`].
pub fn update_ticket(
    current: &Ticket,
    patch: TicketPatch,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    if patch.is_empty() {
        return Err(DomainError::invalid(
            "update",
            "nothing to change (give --status, --priority, --assignee, --title, --body, --tag, --site or --requester)",
        ));
    }
    let fields = TicketFields {
        title: patch.title,
        description: patch.description,
        kind: patch.kind,
        category: patch.category,
        priority: patch.priority,
        assignee_id: patch.assignee_id,
        team_id: patch.team_id,
        tier: patch.tier,
        tags: patch.tags,
        site: patch.site,
        requester_id: patch.requester_id,
        ..Default::default()
    };
    let mut changes = Vec::new();
    if !fields.is_empty() {
        changes.push((current.id, Change::UpdateTicket(fields)));
    }
    if let Some(to) = patch.status {
        changes.push((
            current.id,
            Change::Transition {
                from: current.status,
                to,
                reason: patch.reason.map(|r| r.trim().to_string()),
            },
        ));
    }
    run(Some(current), changes, ctx.now, ctx)
}

/// Resolves a ticket with its service report (cause and solution required).
pub fn resolve(
    current: &Ticket,
    resolution: Resolution,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    run(
        Some(current),
        vec![(current.id, Change::Resolve(resolution))],
        ctx.now,
        ctx,
    )
}

/// Reopens a resolved or closed ticket (a failed customer verification counts as a reopen).
pub fn reopen(current: &Ticket, ctx: &Context<'_>) -> Result<Decided, DomainError> {
    if !matches!(current.status, Status::Resolved | Status::Closed) {
        return Err(DomainError::invalid(
            "status",
            format!(
                "only resolved or closed tickets can be reopened (this one is {})",
                current.status
            ),
        ));
    }
    transition_to(current, Status::Open, None, ctx)
}

/// Closes a ticket: confirms a resolved one, or closes new/open ones as spam or duplicate.
pub fn close(
    current: &Ticket,
    reason: Option<String>,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    transition_to(current, Status::Closed, reason, ctx)
}

fn transition_to(
    current: &Ticket,
    to: Status,
    reason: Option<String>,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    if current.status == to {
        return Err(DomainError::invalid(
            "status",
            format!("the ticket is already {to}"),
        ));
    }
    let change = Change::Transition {
        from: current.status,
        to,
        reason: reason.map(|r| r.trim().to_string()),
    };
    run(Some(current), vec![(current.id, change)], ctx.now, ctx)
}

/// Records the requester's satisfaction rating.
pub fn rate(current: &Ticket, csat: Csat, ctx: &Context<'_>) -> Result<Decided, DomainError> {
    run(
        Some(current),
        vec![(current.id, Change::Rate(csat))],
        ctx.now,
        ctx,
    )
}

/// Records one step of a diagnosis script run on the ticket.
pub fn diagnose(
    current: &Ticket,
    step: crate::kb::DiagnosisStep,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    run(
        Some(current),
        vec![(current.id, Change::RecordDiagnosis(step))],
        ctx.now,
        ctx,
    )
}

/// Copies the duplicate's request and public conversation into `keep` (see
/// [`crate::merge`]).
pub fn merge_from(
    keep: &Ticket,
    duplicate: &Ticket,
    duplicate_comments: &[crate::sync::CommentState],
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let target = Target {
        ticket: Some(keep),
        other: Some(duplicate),
        other_comments: duplicate_comments,
        ..Target::default()
    };
    let change = Change::MergeFrom {
        duplicate: duplicate.id,
    };
    one_step(target, keep.id, change, ctx)
}

/// Closes `duplicate` as a duplicate of `keep`, linked to it (see [`crate::merge`]).
pub fn merge_into(
    duplicate: &Ticket,
    keep: &Ticket,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let target = Target {
        ticket: Some(duplicate),
        other: Some(keep),
        ..Target::default()
    };
    one_step(
        target,
        duplicate.id,
        Change::MergeInto { into: keep.id },
        ctx,
    )
}

/// Applies a macro to the ticket: its reply (placeholders filled in) and its field changes,
/// decided as one command (see [`crate::macros::plan`]).
pub fn apply_macro(
    current: &Ticket,
    m: &crate::macros::Macro,
    placeholders: &crate::macros::Placeholders,
    comment_id: Uuid,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    if m.deleted || !crate::macros::macro_visible(ctx.actor, m) {
        return Err(DomainError::NotFound(format!("no macro {}", m.name)));
    }
    let changes: Vec<(Uuid, Change)> = crate::macros::plan(m, current, ctx.actor, placeholders)
        .into_iter()
        .map(|c| match c {
            Change::AddComment(_) => (comment_id, c),
            other => (current.id, other),
        })
        .collect();
    if changes.is_empty() {
        return Err(DomainError::invalid(
            "macro",
            format!(
                "“{}” changes nothing on {}: every value it sets is already so",
                m.name,
                crate::ticket::ticket_key(current.number)
            ),
        ));
    }
    run(Some(current), changes, ctx.now, ctx)
}

/// Moves the ticket to another tier with the reason and business impact.
pub fn escalate(
    current: &Ticket,
    e: crate::escalation::Escalation,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    run(
        Some(current),
        vec![(current.id, Change::Escalate(e))],
        ctx.now,
        ctx,
    )
}

/// Records the outcome of the open follow-up callback (see [`crate::followup`]).
pub fn follow_up(
    current: &Ticket,
    done: crate::followup::FollowUpDone,
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    run(
        Some(current),
        vec![(current.id, Change::FollowUp(done))],
        ctx.now,
        ctx,
    )
}

/// Adds a public reply or an internal note (`comment_id` is the new comment's id), with
/// files on it.
pub fn add_comment(
    current: &Ticket,
    comment_id: Uuid,
    visibility: Visibility,
    body: &str,
    files: &[NewFile],
    ctx: &Context<'_>,
) -> Result<Decided, DomainError> {
    let draft = CommentDraft {
        ticket_id: current.id,
        visibility,
        body: body.to_string(),
    };
    let mut changes = vec![(comment_id, Change::AddComment(draft))];
    changes.extend(attach(current.id, Some(comment_id), files));
    run(Some(current), changes, ctx.now, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::TrustingDirectory;
    use crate::user::{Role, User};

    fn user(role: Role) -> User {
        User {
            id: Uuid::now_v7(),
            email: "a@b.cn".into(),
            name: "A".into(),
            role,
            organization_id: None,
            org_admin: false,
            team_id: None,
            tier: None,
            field: false,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    const RULES: fn() -> Rules = Rules::default;

    fn at(
        actor: &User,
        rules: &Rules,
        now: Timestamp,
        f: impl FnOnce(&Context<'_>) -> Result<Decided, DomainError>,
    ) -> Result<Decided, DomainError> {
        let ctx = Context {
            actor,
            rules,
            now,
            directory: &TrustingDirectory,
        };
        f(&ctx)
    }

    fn new_ticket(actor: &User) -> Ticket {
        let input = NewTicket {
            title: "Printer jams".into(),
            ..Default::default()
        };
        at(actor, &RULES(), Timestamp::UNIX_EPOCH, |c| {
            create_ticket(input, Uuid::now_v7(), 1, c)
        })
        .unwrap()
        .ticket
    }

    #[test]
    fn empty_title_is_refused() {
        let a = user(Role::Agent);
        let input = NewTicket {
            title: "  ".into(),
            ..Default::default()
        };
        let err = at(&a, &RULES(), Timestamp::UNIX_EPOCH, |c| {
            create_ticket(input, Uuid::now_v7(), 1, c)
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "title: must not be empty");
        assert_eq!(err.code(), "invalid");
    }

    #[test]
    fn resolve_reopen_cycle() {
        let a = user(Role::Agent);
        let t = new_ticket(&a);
        let rules = RULES();
        let now = Timestamp::from_second(3600).unwrap();
        let res = Resolution {
            cause: "toner".into(),
            solution: "replaced".into(),
            prevention: None,
        };
        let resolved = at(&a, &rules, now, |c| resolve(&t, res, c)).unwrap();
        assert_eq!(resolved.ticket.status, Status::Resolved);
        assert_eq!(resolved.ticket.resolved_at, Some(now));
        assert!(matches!(resolved.steps[0].change, Change::Resolve(_)));
        let reopened = at(&a, &rules, now, |c| reopen(&resolved.ticket, c)).unwrap();
        assert_eq!(reopened.ticket.status, Status::Open);
        assert_eq!(reopened.ticket.resolved_at, None);
    }

    #[test]
    fn resolve_needs_cause() {
        let a = user(Role::Agent);
        let t = new_ticket(&a);
        let res = Resolution {
            cause: "".into(),
            solution: "x".into(),
            prevention: None,
        };
        let err = at(&a, &RULES(), Timestamp::UNIX_EPOCH, |c| resolve(&t, res, c)).unwrap_err();
        assert!(err.to_string().contains("cause"), "{err}");
    }

    #[test]
    fn status_update_to_resolved_points_to_resolve() {
        let a = user(Role::Agent);
        let t = new_ticket(&a);
        let patch = TicketPatch {
            status: Some(Status::Resolved),
            ..Default::default()
        };
        let err = at(&a, &RULES(), Timestamp::UNIX_EPOCH, |c| {
            update_ticket(&t, patch, c)
        })
        .unwrap_err();
        assert!(err.to_string().contains("ticket resolve"), "{err}");
    }

    #[test]
    fn customer_cannot_triage_or_note() {
        let c = user(Role::Customer);
        let mut t = new_ticket(&user(Role::Agent));
        t.requester_id = Some(c.id);
        let patch = TicketPatch {
            priority: Some(Priority::P1),
            ..Default::default()
        };
        let now = Timestamp::UNIX_EPOCH;
        assert!(matches!(
            at(&c, &RULES(), now, |x| update_ticket(&t, patch, x)),
            Err(DomainError::Forbidden(_))
        ));
        let id = Uuid::now_v7();
        assert!(
            at(&c, &RULES(), now, |x| add_comment(
                &t,
                id,
                Visibility::Internal,
                "x",
                &[],
                x
            ))
            .is_err()
        );
        assert!(
            at(&c, &RULES(), now, |x| add_comment(
                &t,
                id,
                Visibility::Public,
                "x",
                &[],
                x
            ))
            .is_ok()
        );
    }

    #[test]
    fn first_public_agent_reply_sets_first_response_and_note_does_not() {
        let a = user(Role::Agent);
        let t = new_ticket(&a);
        let now = Timestamp::from_second(60).unwrap();
        let note = at(&a, &RULES(), now, |c| {
            add_comment(&t, Uuid::now_v7(), Visibility::Internal, "checking", &[], c)
        })
        .unwrap();
        assert_eq!(note.ticket.first_response_at, None);
        let reply = at(&a, &RULES(), now, |c| {
            add_comment(
                &note.ticket,
                Uuid::now_v7(),
                Visibility::Public,
                "on it",
                &[],
                c,
            )
        })
        .unwrap();
        assert_eq!(reply.ticket.first_response_at, Some(now));
        assert!(reply.changes().any(|c| c.field == "first_response_at"));
    }

    #[test]
    fn requester_reply_reopens_pending() {
        let a = user(Role::Agent);
        let c = user(Role::Customer);
        let mut t = new_ticket(&a);
        t.requester_id = Some(c.id);
        t.status = Status::PendingCustomer;
        let ch = at(&c, &RULES(), Timestamp::UNIX_EPOCH, |x| {
            add_comment(
                &t,
                Uuid::now_v7(),
                Visibility::Public,
                "here is the log",
                &[],
                x,
            )
        })
        .unwrap();
        assert_eq!(ch.ticket.status, Status::Open);
    }

    #[test]
    fn closed_long_ago_cannot_reopen() {
        let a = user(Role::Agent);
        let mut t = new_ticket(&a);
        t.status = Status::Closed;
        t.closed_at = Some(Timestamp::UNIX_EPOCH);
        let later = Timestamp::from_second(15 * 86400).unwrap();
        let err = at(&a, &RULES(), later, |c| reopen(&t, c)).unwrap_err();
        assert!(err.to_string().contains("14 days"), "{err}");
    }

    #[test]
    fn no_op_update_is_refused() {
        let a = user(Role::Agent);
        let t = new_ticket(&a);
        let patch = TicketPatch {
            priority: Some(t.priority),
            ..Default::default()
        };
        assert!(
            at(&a, &RULES(), Timestamp::UNIX_EPOCH, |c| update_ticket(
                &t, patch, c
            ))
            .is_err()
        );
    }
}
