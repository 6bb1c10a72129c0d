//! Ticket commands: the pure rules of every ticket change.
//!
//! Each function takes the current state, the actor and "now", checks permissions and the
//! status machine, and returns the new state plus the field changes for the audit trail and
//! the outbox. The store persists the result in one transaction; it decides nothing itself.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::DomainError;
use crate::op::OpAction;
use crate::permission;
use crate::record::Visibility;
use crate::status::{Status, check_transition};
use crate::ticket::{
    Channel, Csat, Kind, Priority, Resolution, Ticket, Tier, validate_body, validate_category,
    validate_title,
};
use crate::user::{Role, User};

/// Workspace settings the rules depend on.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Configured categories.
    pub categories: Vec<String>,
    /// How long after closing a ticket may still be reopened (default 14 days).
    pub reopen_window: SignedDuration,
    /// True for a local workspace with no server (staff may record a rating for the requester).
    pub local_workspace: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            categories: crate::ticket::DEFAULT_CATEGORIES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            reopen_window: SignedDuration::from_hours(14 * 24),
            local_workspace: true,
        }
    }
}

/// One changed field, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The result of a command: the new state, what changed, and the sync operations.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketChange {
    pub ticket: Ticket,
    pub changes: Vec<FieldChange>,
    pub ops: Vec<OpAction>,
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
    pub organization_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub tier: Option<Tier>,
    pub tags: Vec<String>,
    pub site: Option<String>,
}

/// Validates a new ticket and builds its initial state.
pub fn create_ticket(
    actor: &User,
    input: NewTicket,
    id: Uuid,
    number: i64,
    rules: &Rules,
    now: Timestamp,
) -> Result<TicketChange, DomainError> {
    let title = validate_title(&input.title)?;
    let description = validate_body("body", &input.description, false)?;
    let category = validate_category(
        input.category.as_deref().unwrap_or("other"),
        &rules.categories,
    )?;
    if actor.role == Role::Customer {
        if input.assignee_id.is_some() || input.tier.is_some() || input.team_id.is_some() {
            return Err(DomainError::Forbidden(
                "customers cannot set assignee, team or tier".into(),
            ));
        }
        if input.requester_id.is_some_and(|r| r != actor.id) && !actor.org_admin {
            return Err(DomainError::Forbidden(
                "customers create tickets for themselves only".into(),
            ));
        }
    }
    let ticket = Ticket {
        id,
        number,
        title,
        description,
        kind: input.kind.unwrap_or(Kind::Incident),
        category,
        status: Status::New,
        priority: input.priority.unwrap_or(Priority::P3),
        channel: input.channel.unwrap_or(if actor.role == Role::Customer {
            Channel::Portal
        } else {
            Channel::Phone
        }),
        requester_id: input.requester_id.or(if actor.role == Role::Customer {
            Some(actor.id)
        } else {
            None
        }),
        organization_id: input.organization_id,
        assignee_id: input.assignee_id,
        team_id: input.team_id,
        tier: input.tier.unwrap_or(Tier::L1),
        tags: normalise_tags(input.tags),
        asset_id: None,
        site: input
            .site
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        created_at: now,
        updated_at: now,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        resolution: None,
        csat: None,
    };
    let state = serde_json::to_value(&ticket).expect("ticket serializes");
    Ok(TicketChange {
        ticket,
        changes: vec![FieldChange {
            field: "created",
            from: None,
            to: Some(Status::New.to_string()),
        }],
        ops: vec![OpAction::Create { state }],
    })
}

fn normalise_tags(tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = tags
        .into_iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
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
    }
}

/// Builder that records field changes and the matching `Set` op.
struct Recorder {
    changes: Vec<FieldChange>,
    fields: Map<String, Value>,
    ops: Vec<OpAction>,
}

impl Recorder {
    fn new() -> Self {
        Recorder {
            changes: Vec::new(),
            fields: Map::new(),
            ops: Vec::new(),
        }
    }

    fn set(&mut self, field: &'static str, from: Option<String>, to: Option<String>, value: Value) {
        if from != to {
            self.changes.push(FieldChange { field, from, to });
            self.fields.insert(field.to_string(), value);
        }
    }

    fn transition(&mut self, from: Status, to: Status, reason: Option<String>) {
        self.changes.push(FieldChange {
            field: "status",
            from: Some(from.to_string()),
            to: Some(to.to_string()),
        });
        self.ops.push(OpAction::Transition { from, to, reason });
    }

    fn finish(mut self, mut ticket: Ticket, now: Timestamp) -> Result<TicketChange, DomainError> {
        if self.changes.is_empty() {
            return Err(DomainError::invalid(
                "update",
                "nothing to change: every value is already set",
            ));
        }
        ticket.updated_at = now;
        if !self.fields.is_empty() {
            self.fields.insert("updated_at".into(), json!(now));
            self.ops.insert(
                0,
                OpAction::Set {
                    fields: self.fields,
                },
            );
        }
        Ok(TicketChange {
            ticket,
            changes: self.changes,
            ops: self.ops,
        })
    }
}

fn opt(v: Option<Uuid>) -> Option<String> {
    v.map(|u| u.to_string())
}

/// Applies a partial update. A move to `resolved` must go through [`resolve`].
pub fn update_ticket(
    current: &Ticket,
    actor: &User,
    patch: TicketPatch,
    rules: &Rules,
    now: Timestamp,
) -> Result<TicketChange, DomainError> {
    if patch.is_empty() {
        return Err(DomainError::invalid(
            "update",
            "nothing to change (give --status, --priority, --assignee, --tier or --title)",
        ));
    }
    let mut t = current.clone();
    let mut r = Recorder::new();
    let triage = patch.priority.is_some()
        || patch.assignee_id.is_some()
        || patch.team_id.is_some()
        || patch.tier.is_some();
    if triage {
        permission::check_triage(actor)?;
    }
    if (patch.title.is_some()
        || patch.description.is_some()
        || patch.kind.is_some()
        || patch.category.is_some())
        && !actor.is_staff()
    {
        return Err(DomainError::Forbidden(
            "customers cannot edit a ticket once submitted".into(),
        ));
    }
    if let Some(title) = patch.title {
        let title = validate_title(&title)?;
        r.set(
            "title",
            Some(t.title.clone()),
            Some(title.clone()),
            json!(title),
        );
        t.title = title;
    }
    if let Some(d) = patch.description {
        let d = validate_body("body", &d, false)?;
        r.set(
            "description",
            Some(t.description.clone()),
            Some(d.clone()),
            json!(d),
        );
        t.description = d;
    }
    if let Some(p) = patch.priority {
        r.set(
            "priority",
            Some(t.priority.to_string()),
            Some(p.to_string()),
            json!(p),
        );
        t.priority = p;
    }
    if let Some(k) = patch.kind {
        r.set(
            "kind",
            Some(t.kind.to_string()),
            Some(k.to_string()),
            json!(k),
        );
        t.kind = k;
    }
    if let Some(c) = patch.category {
        let c = validate_category(&c, &rules.categories)?;
        r.set(
            "category",
            Some(t.category.clone()),
            Some(c.clone()),
            json!(c),
        );
        t.category = c;
    }
    if let Some(a) = patch.assignee_id {
        r.set("assignee_id", opt(t.assignee_id), opt(a), json!(a));
        t.assignee_id = a;
    }
    if let Some(team) = patch.team_id {
        r.set("team_id", opt(t.team_id), opt(team), json!(team));
        t.team_id = team;
    }
    if let Some(tier) = patch.tier {
        r.set(
            "tier",
            Some(t.tier.to_string()),
            Some(tier.to_string()),
            json!(tier),
        );
        t.tier = tier;
    }
    if let Some(to) = patch.status {
        if to == Status::Resolved {
            return Err(DomainError::invalid(
                "status",
                "resolving needs a cause and a solution: use `ticket resolve REF --cause C --solution S`",
            ));
        }
        transition(&mut t, &mut r, actor, to, patch.reason, rules, now)?;
    }
    r.finish(t, now)
}

fn transition(
    t: &mut Ticket,
    r: &mut Recorder,
    actor: &User,
    to: Status,
    reason: Option<String>,
    rules: &Rules,
    now: Timestamp,
) -> Result<(), DomainError> {
    let from = t.status;
    check_transition(from, to, reason.as_deref())?;
    permission::check_status_change(actor, t, to)?;
    if from == Status::Closed
        && to == Status::Open
        && let Some(closed_at) = t.closed_at
        && now.duration_since(closed_at) > rules.reopen_window
    {
        let days = rules.reopen_window.as_hours() / 24;
        return Err(DomainError::invalid(
            "status",
            format!(
                "closed more than {days} days ago and can no longer be reopened; create a follow-up ticket"
            ),
        ));
    }
    transition_effects(t, from, to, now);
    r.transition(from, to, reason.map(|s| s.trim().to_string()));
    Ok(())
}

/// What a status change does besides the status: the one place every replica and the
/// server apply it.
pub fn transition_effects(t: &mut Ticket, from: Status, to: Status, at: Timestamp) {
    match to {
        Status::Open if matches!(from, Status::Resolved | Status::Closed) => {
            t.resolved_at = None;
            t.closed_at = None;
        }
        Status::Resolved => t.resolved_at = Some(at),
        Status::Closed => t.closed_at = Some(at),
        _ => {}
    }
    t.status = to;
    t.updated_at = t.updated_at.max(at);
}

/// Resolves a ticket with its service report (cause and solution required).
pub fn resolve(
    current: &Ticket,
    actor: &User,
    resolution: Resolution,
    rules: &Rules,
    now: Timestamp,
) -> Result<TicketChange, DomainError> {
    if !actor.is_staff() {
        return Err(DomainError::Forbidden("only agents resolve tickets".into()));
    }
    let resolution = resolution.validate()?;
    let mut t = current.clone();
    let mut r = Recorder::new();
    transition(&mut t, &mut r, actor, Status::Resolved, None, rules, now)?;
    t.resolved_at = Some(now);
    r.set(
        "resolution",
        None,
        Some(resolution.solution.clone()),
        serde_json::to_value(&resolution).expect("resolution serializes"),
    );
    r.fields.insert("resolved_at".into(), json!(now));
    t.resolution = Some(resolution);
    r.finish(t, now)
}

/// Reopens a resolved or closed ticket (a failed customer verification counts as a reopen).
pub fn reopen(
    current: &Ticket,
    actor: &User,
    rules: &Rules,
    now: Timestamp,
) -> Result<TicketChange, DomainError> {
    if !matches!(current.status, Status::Resolved | Status::Closed) {
        return Err(DomainError::invalid(
            "status",
            format!(
                "only resolved or closed tickets can be reopened (this one is {})",
                current.status
            ),
        ));
    }
    let mut t = current.clone();
    let mut r = Recorder::new();
    transition(&mut t, &mut r, actor, Status::Open, None, rules, now)?;
    r.finish(t, now)
}

/// Closes a ticket: confirms a resolved one, or closes new/open ones as spam or duplicate.
pub fn close(
    current: &Ticket,
    actor: &User,
    reason: Option<String>,
    rules: &Rules,
    now: Timestamp,
) -> Result<TicketChange, DomainError> {
    let mut t = current.clone();
    let mut r = Recorder::new();
    transition(&mut t, &mut r, actor, Status::Closed, reason, rules, now)?;
    r.finish(t, now)
}

/// Records the requester's satisfaction rating.
pub fn rate(
    current: &Ticket,
    actor: &User,
    csat: Csat,
    rules: &Rules,
    now: Timestamp,
) -> Result<TicketChange, DomainError> {
    let csat = Csat {
        score: csat.score,
        comment: csat
            .comment
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
    }
    .validate()?;
    permission::check_rate(actor, current, rules.local_workspace)?;
    let mut t = current.clone();
    let mut r = Recorder::new();
    r.set(
        "csat",
        t.csat.as_ref().map(|c| c.score.to_string()),
        Some(csat.score.to_string()),
        serde_json::to_value(&csat).expect("csat serializes"),
    );
    if r.changes.is_empty() {
        // Same score again: still record a changed comment.
        r.set(
            "csat",
            None,
            Some(csat.score.to_string()),
            serde_json::to_value(&csat).expect("csat serializes"),
        );
    }
    t.csat = Some(csat);
    r.finish(t, now)
}

/// A new comment and what it does to its ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentChange {
    /// The ticket after the comment (first response, automatic reopen from pending).
    pub ticket: Ticket,
    pub body: String,
    pub visibility: Visibility,
    /// Was the author staff (counts for SLA when public)?
    pub by_agent: bool,
    pub changes: Vec<FieldChange>,
    pub ops: Vec<OpAction>,
}

/// Adds a public reply or an internal note.
pub fn add_comment(
    current: &Ticket,
    actor: &User,
    visibility: Visibility,
    body: &str,
    now: Timestamp,
) -> Result<CommentChange, DomainError> {
    let body = validate_body("body", body, true)?;
    match visibility {
        Visibility::Public => permission::check_public_reply(actor, current)?,
        Visibility::Internal => permission::check_internal_note(actor)?,
    }
    let mut t = current.clone();
    let mut changes = Vec::new();
    let mut ops = Vec::new();
    let mut fields = Map::new();
    if visibility == Visibility::Public && actor.is_staff() && t.first_response_at.is_none() {
        t.first_response_at = Some(now);
        changes.push(FieldChange {
            field: "first_response_at",
            from: None,
            to: Some(now.to_string()),
        });
        fields.insert("first_response_at".into(), json!(now));
    }
    // A public reply by the requester while we wait for them hands the ticket back to us.
    if visibility == Visibility::Public && !actor.is_staff() && t.status == Status::PendingCustomer
    {
        changes.push(FieldChange {
            field: "status",
            from: Some(t.status.to_string()),
            to: Some(Status::Open.to_string()),
        });
        ops.push(OpAction::Transition {
            from: t.status,
            to: Status::Open,
            reason: None,
        });
        t.status = Status::Open;
    }
    t.updated_at = now;
    fields.insert("updated_at".into(), json!(now));
    ops.insert(0, OpAction::Set { fields });
    Ok(CommentChange {
        ticket: t,
        body,
        visibility,
        by_agent: actor.is_staff(),
        changes,
        ops,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn new_ticket(actor: &User) -> Ticket {
        let input = NewTicket {
            title: "Printer jams".into(),
            ..Default::default()
        };
        create_ticket(
            actor,
            input,
            Uuid::now_v7(),
            1,
            &Rules::default(),
            Timestamp::UNIX_EPOCH,
        )
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
        let err = create_ticket(
            &a,
            input,
            Uuid::now_v7(),
            1,
            &Rules::default(),
            Timestamp::UNIX_EPOCH,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "title: must not be empty");
    }

    #[test]
    fn resolve_reopen_cycle() {
        let a = user(Role::Agent);
        let t = new_ticket(&a);
        let rules = Rules::default();
        let now = Timestamp::from_second(3600).unwrap();
        let res = Resolution {
            cause: "toner".into(),
            solution: "replaced".into(),
            prevention: None,
        };
        let resolved = resolve(&t, &a, res, &rules, now).unwrap();
        assert_eq!(resolved.ticket.status, Status::Resolved);
        assert_eq!(resolved.ticket.resolved_at, Some(now));
        assert!(matches!(
            resolved.ops[1],
            OpAction::Transition {
                to: Status::Resolved,
                ..
            }
        ));
        let reopened = reopen(&resolved.ticket, &a, &rules, now).unwrap();
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
        let err = resolve(&t, &a, res, &Rules::default(), Timestamp::UNIX_EPOCH).unwrap_err();
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
        let err =
            update_ticket(&t, &a, patch, &Rules::default(), Timestamp::UNIX_EPOCH).unwrap_err();
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
        assert!(matches!(
            update_ticket(&t, &c, patch, &Rules::default(), Timestamp::UNIX_EPOCH),
            Err(DomainError::Forbidden(_))
        ));
        assert!(add_comment(&t, &c, Visibility::Internal, "x", Timestamp::UNIX_EPOCH).is_err());
        assert!(add_comment(&t, &c, Visibility::Public, "x", Timestamp::UNIX_EPOCH).is_ok());
    }

    #[test]
    fn first_public_agent_reply_sets_first_response_and_note_does_not() {
        let a = user(Role::Agent);
        let t = new_ticket(&a);
        let at = Timestamp::from_second(60).unwrap();
        let note = add_comment(&t, &a, Visibility::Internal, "checking", at).unwrap();
        assert_eq!(note.ticket.first_response_at, None);
        let reply = add_comment(&note.ticket, &a, Visibility::Public, "on it", at).unwrap();
        assert_eq!(reply.ticket.first_response_at, Some(at));
    }

    #[test]
    fn requester_reply_reopens_pending() {
        let a = user(Role::Agent);
        let c = user(Role::Customer);
        let mut t = new_ticket(&a);
        t.requester_id = Some(c.id);
        t.status = Status::PendingCustomer;
        let ch = add_comment(
            &t,
            &c,
            Visibility::Public,
            "here is the log",
            Timestamp::UNIX_EPOCH,
        )
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
        let err = reopen(&t, &a, &Rules::default(), later).unwrap_err();
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
        assert!(update_ticket(&t, &a, patch, &Rules::default(), Timestamp::UNIX_EPOCH).is_err());
    }
}
