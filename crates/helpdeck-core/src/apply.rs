//! The one rule engine: a typed [`Change`] applied to an entity's current state by an actor
//! under the workspace's [`Rules`] returns the new state and its audit entries, or a refusal
//! with a stable reason code ([`DomainError::code`]).
//!
//! The local write path (the store, after `command` turned an intent into changes) and the
//! server (`helpdeck-server`, through [`crate::sync::merge`]) call this same function, so a
//! change is decided once. What differs between the two sides is only the context: whose
//! clock is "now" and which directory of people answers reference checks.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attachment::{AttachmentDraft, AttachmentState};
use crate::error::DomainError;
use crate::op::LinkDraft;
use crate::op::{Change, CommentDraft, TicketDraft, TicketFields};
use crate::permission;
use crate::record::Visibility;
use crate::status::{Status, check_transition};
use crate::sync::{CommentState, LinkState};
use crate::ticket::{
    Csat, Kind, Priority, Resolution, Ticket, Tier, validate_body, validate_category,
    validate_title,
};
use crate::user::{Role, User};

/// How far ahead of the deciding clock an op's time may be before it is pulled back.
pub const MAX_CLOCK_AHEAD: SignedDuration = SignedDuration::from_secs(60);
/// How far behind the deciding clock an op's time may be: a technician may work offline
/// for weeks, but not backdate a ticket to 2001.
pub const MAX_CLOCK_BEHIND: SignedDuration = SignedDuration::from_hours(30 * 24);
/// Most tags on a ticket, and the longest tag.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;
/// Longest site text.
pub const MAX_SITE_CHARS: usize = 200;
/// Longest rating comment, close reason and resolution part.
pub const MAX_SHORT_TEXT_CHARS: usize = 2000;

/// Workspace rules the engine depends on: server state on a replica (synced down), local
/// settings in a local workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// Configured categories.
    pub categories: Vec<String>,
    /// How long after closing a ticket may still be reopened (default 14 days).
    pub reopen_window: SignedDuration,
    /// A resolved ticket nobody answers closes after this long (default 3 days).
    pub auto_close_after: SignedDuration,
    /// True for a local workspace with no server (staff may record a rating for the requester).
    pub local_workspace: bool,
    /// Largest attachment accepted, in bytes (default 25 MiB).
    pub max_attachment_bytes: u64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            categories: crate::ticket::DEFAULT_CATEGORIES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            reopen_window: SignedDuration::from_hours(14 * 24),
            auto_close_after: SignedDuration::from_hours(3 * 24),
            local_workspace: true,
            max_attachment_bytes: crate::attachment::DEFAULT_MAX_BYTES,
        }
    }
}

/// What the engine needs to know of a person a change names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub role: Role,
    pub organization_id: Option<Uuid>,
}

/// Answers reference checks: the server's users and teams, or a replica's copy of them.
pub trait Directory: Sync {
    /// The person with this id, if known.
    fn person(&self, id: Uuid) -> Option<Person>;
    /// Does this team exist?
    fn team_exists(&self, id: Uuid) -> bool;
    /// The user with this email (imports name people by email).
    fn by_email(&self, _email: &str) -> Option<(Uuid, Person)> {
        None
    }
    /// The team with this name.
    fn team_named(&self, _name: &str) -> Option<Uuid> {
        None
    }
}

/// A directory that knows everyone: for re-applying one's own pending changes on top of
/// pulled state (the server checks the references when they arrive).
#[derive(Debug, Clone, Copy, Default)]
pub struct TrustingDirectory;

impl Directory for TrustingDirectory {
    fn person(&self, _: Uuid) -> Option<Person> {
        Some(Person {
            role: Role::Agent,
            organization_id: None,
        })
    }
    fn team_exists(&self, _: Uuid) -> bool {
        true
    }
}

/// Who decides, under which rules, by which clock.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub actor: &'a User,
    pub rules: &'a Rules,
    /// The deciding clock: the device's on the local path, the server's on the server.
    /// Windows (reopen, auto-close) are measured against it, never against the op's time.
    pub now: Timestamp,
    pub directory: &'a dyn Directory,
}

/// What the change acts on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target<'a> {
    /// The ticket (for a comment: its ticket).
    pub ticket: Option<&'a Ticket>,
    /// The comment, for comment changes.
    pub comment: Option<&'a CommentState>,
    /// The link, for link changes.
    pub link: Option<&'a LinkState>,
    /// A link's other ticket (`to`), for a new link.
    pub other: Option<&'a Ticket>,
    /// The attachment, if it exists already (attachments are insert-only).
    pub attachment: Option<&'a AttachmentState>,
    /// The other ticket's comments, for a merge (`MergeFrom`: the duplicate's).
    pub other_comments: &'a [CommentState],
}

/// One changed field, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The result of applying one change.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The ticket after the change.
    pub ticket: Ticket,
    /// The comment created or deleted, for comment changes.
    pub comment: Option<CommentState>,
    /// The link created or removed, for link changes.
    pub link: Option<LinkState>,
    /// The attachment added, for attachment changes.
    pub attachment: Option<AttachmentState>,
    /// An imported ticket's comments and past audit trail.
    pub imported: Option<Box<crate::import::Imported>>,
    /// Audit entries, in order.
    pub audit: Vec<FieldChange>,
    /// The op's time after bounding: what the audit trail and the SLA engine record.
    pub at: Timestamp,
}

impl Outcome {
    /// A change of the ticket alone (no comment, link or attachment).
    pub(crate) fn ticket(ticket: Ticket, audit: Vec<FieldChange>, at: Timestamp) -> Outcome {
        Outcome {
            imported: None,
            ticket,
            comment: None,
            link: None,
            attachment: None,
            audit,
            at,
        }
    }
}

/// Bounds an op's time against the deciding clock and the ticket's creation: never in the
/// future, at most [`MAX_CLOCK_BEHIND`] in the past, never before the ticket began.
pub fn bounded_at(at: Timestamp, now: Timestamp, created: Option<Timestamp>) -> Timestamp {
    let mut at = at;
    if at > now + MAX_CLOCK_AHEAD {
        at = now;
    }
    at = at.min(now).max(now - MAX_CLOCK_BEHIND);
    match created {
        Some(c) if at < c => c,
        _ => at,
    }
}

/// Applies one change. `Ok(None)`: nothing to do (a repeated create, a status already
/// reached, an update that changes nothing). Errors are refusals and change nothing.
pub fn apply(
    target: Target<'_>,
    entity_id: Uuid,
    change: &Change,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<Outcome>, DomainError> {
    match change {
        Change::ImportTicket(record) => {
            if target.ticket.is_some() {
                return Ok(None); // a repeat: the ticket is here already
            }
            crate::import::import_ticket(entity_id, record, ctx).map(Some)
        }
        Change::CreateTicket(draft) => {
            if target.ticket.is_some() {
                return Ok(None);
            }
            let at = bounded_at(at, ctx.now, None);
            create_ticket(entity_id, draft, at, ctx).map(Some)
        }
        Change::UpdateTicket(fields) => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            update_ticket(t, fields, bounded(at, t, ctx), ctx)
        }
        Change::Transition { from, to, reason } => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            // A job decided on the status it saw; if someone moved the ticket since (a
            // customer reopened it), the job has nothing to do.
            if ctx.actor.id == crate::user::SYSTEM_USER_ID && t.status != *from {
                return Ok(None);
            }
            transition(t, *to, reason.as_deref(), bounded(at, t, ctx), ctx)
        }
        Change::Resolve(resolution) => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            resolve(t, resolution, bounded(at, t, ctx), ctx).map(Some)
        }
        Change::Rate(csat) => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            rate(t, csat, bounded(at, t, ctx), ctx).map(Some)
        }
        Change::CreateArticle(_)
        | Change::UpdateArticle(_)
        | Change::SetArticleStatus { .. }
        | Change::VoteArticle { .. }
        | Change::CountArticleViews { .. } => Err(DomainError::invalid(
            "entity",
            "an article change is decided by kb::apply_article, not on a ticket",
        )),
        Change::CreateMacro(_) | Change::UpdateMacro(_) | Change::DeleteMacro => {
            Err(DomainError::invalid(
                "entity",
                "a macro change is decided by macros::apply_macro, not on a ticket",
            ))
        }
        Change::CreateWorkOrder(_)
        | Change::UpdateWorkOrder(_)
        | Change::CheckItem(_)
        | Change::AddItemPhoto(_)
        | Change::UsePart(_)
        | Change::LogTime(_)
        | Change::SignOff(_) => Err(DomainError::invalid(
            "entity",
            "a work-order change is decided by workorder::apply_work_order, not on a ticket",
        )),
        Change::LogTicketTime(_) | Change::DeleteTimeEntry => Err(DomainError::invalid(
            "entity",
            "a time entry is decided by timelog::apply_time_entry, not on a ticket",
        )),
        Change::RecordDiagnosis(step) => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            if !ctx.actor.is_staff() {
                return Err(forbid("only agents run diagnosis scripts"));
            }
            let value = step.checked()?;
            let at = bounded(at, t, ctx);
            let mut next = t.clone();
            next.updated_at = next.updated_at.max(at);
            Ok(Some(Outcome::ticket(
                next,
                vec![FieldChange {
                    field: "diagnosis",
                    from: None,
                    to: Some(value),
                }],
                at,
            )))
        }
        Change::Escalate(e) => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            crate::escalation::escalate(t, e, bounded(at, t, ctx), ctx).map(Some)
        }
        Change::MergeFrom { duplicate } => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            let dup = visible_ticket(target.other, *duplicate, ctx.actor)?;
            crate::merge::merge_from(t, dup, target.other_comments, bounded(at, t, ctx), ctx)
        }
        Change::SlaAlert(a) => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            crate::escalation::rules::alert(t, a, bounded(at, t, ctx), ctx).map(Some)
        }
        Change::MergeInto { into } => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            let into = visible_ticket(target.other, *into, ctx.actor)?;
            crate::merge::merge_into(t, into, bounded(at, t, ctx), ctx)
        }
        Change::FollowUp(done) => {
            let t = visible_ticket(target.ticket, entity_id, ctx.actor)?;
            follow_up(t, done, bounded(at, t, ctx), ctx).map(Some)
        }
        Change::AddComment(draft) => {
            let t = visible_ticket(target.ticket, draft.ticket_id, ctx.actor)?;
            if target.comment.is_some() {
                return Ok(None); // insert-only: a repeat, or a create after the delete
            }
            add_comment(t, entity_id, draft, bounded(at, t, ctx), ctx).map(Some)
        }
        Change::LinkTickets(draft) => {
            if target.link.is_some() {
                return Ok(None); // insert-only
            }
            let from = visible_ticket(target.ticket, draft.from, ctx.actor)?;
            let to = visible_ticket(target.other, draft.to, ctx.actor)?;
            link_tickets(from, to, entity_id, draft, bounded(at, from, ctx), ctx).map(Some)
        }
        Change::UnlinkTickets => {
            let missing = || DomainError::NotFound(format!("no link {entity_id}"));
            let l = target.link.ok_or_else(missing)?;
            let t =
                visible_ticket(target.ticket, l.from_ticket, ctx.actor).map_err(|_| missing())?;
            if !ctx.actor.is_staff() {
                return Err(forbid("only agents link and unlink tickets"));
            }
            if l.deleted {
                return Ok(None);
            }
            Ok(Some(Outcome {
                imported: None,
                ticket: t.clone(),
                comment: None,
                link: Some(LinkState {
                    deleted: true,
                    ..l.clone()
                }),
                attachment: None,
                audit: vec![FieldChange {
                    field: "unlink",
                    from: Some(format!(
                        "{} {}",
                        l.kind,
                        target.other.filter(|o| o.id == l.to_ticket).map_or_else(
                            || l.to_ticket.to_string(),
                            |o| crate::ticket::ticket_key(o.number)
                        )
                    )),
                    to: None,
                }],
                at: bounded(at, t, ctx),
            }))
        }
        Change::AddAttachment(draft) => {
            if target.attachment.is_some() {
                return Ok(None); // insert-only
            }
            let t = visible_ticket(target.ticket, draft.ticket_id, ctx.actor)?;
            add_attachment(
                t,
                target.comment,
                entity_id,
                draft,
                bounded(at, t, ctx),
                ctx,
            )
            .map(Some)
        }
        Change::DeleteComment => {
            let missing = || DomainError::NotFound(format!("no comment {entity_id}"));
            let c = target.comment.ok_or_else(missing)?;
            let t = visible_ticket(target.ticket, c.ticket_id, ctx.actor).map_err(|_| missing())?;
            if !crate::sync::comment_visible(ctx.actor, c) {
                return Err(missing());
            }
            if c.deleted {
                return Ok(None);
            }
            if c.author_id != ctx.actor.id && !ctx.actor.is_staff() {
                return Err(DomainError::Forbidden(
                    "only the author or staff delete a comment".into(),
                ));
            }
            Ok(Some(Outcome {
                imported: None,
                ticket: t.clone(),
                comment: Some(CommentState {
                    deleted: true,
                    body: String::new(),
                    ..c.clone()
                }),
                link: None,
                attachment: None,
                audit: Vec::new(),
                at: bounded(at, t, ctx),
            }))
        }
    }
}

fn bounded(at: Timestamp, t: &Ticket, ctx: &Context<'_>) -> Timestamp {
    bounded_at(at, ctx.now, Some(t.created_at))
}

/// The ticket if the actor may see it; an unknown and an invisible ticket answer the same.
fn visible_ticket<'t>(
    t: Option<&'t Ticket>,
    id: Uuid,
    actor: &User,
) -> Result<&'t Ticket, DomainError> {
    match t {
        Some(t) if t.id == id && permission::can_see(actor, t) => Ok(t),
        _ => Err(DomainError::NotFound(format!("no ticket {id}"))),
    }
}

fn forbid(what: impl Into<String>) -> DomainError {
    DomainError::Forbidden(what.into())
}

pub(crate) fn check_short(field: &'static str, text: &str) -> Result<(), DomainError> {
    let n = text.chars().count();
    if n > MAX_SHORT_TEXT_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("is {n} characters long (at most {MAX_SHORT_TEXT_CHARS} allowed)"),
        ));
    }
    Ok(())
}

/// Trims, lower-cases, sorts and de-duplicates tags; refuses too many or too long ones.
pub fn normalise_tags(tags: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    out.sort();
    out.dedup();
    if out.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "tags",
            format!("{} tags given (at most {MAX_TAGS} allowed)", out.len()),
        ));
    }
    if let Some(long) = out.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
        return Err(DomainError::invalid(
            "tags",
            format!("'{long}' is longer than {MAX_TAG_CHARS} characters"),
        ));
    }
    Ok(out)
}

/// `current` tags with `added` ones (a macro's, a bulk change's), or none when the ticket has
/// them all already. Tags too many or too long come back as given: the update refuses them.
pub fn tags_added(current: &[String], added: &[String]) -> Option<Vec<String>> {
    let add = normalise_tags(added).unwrap_or_else(|_| added.to_vec());
    if add.iter().all(|t| current.contains(t)) {
        return None;
    }
    let mut all = current.to_vec();
    all.extend(add);
    Some(all)
}

/// Trims a site; refuses one longer than [`MAX_SITE_CHARS`].
pub fn normalise_site(site: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(s) = site.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let n = s.chars().count();
    if n > MAX_SITE_CHARS {
        return Err(DomainError::invalid(
            "site",
            format!("is {n} characters long (at most {MAX_SITE_CHARS} allowed)"),
        ));
    }
    Ok(Some(s.to_string()))
}

fn check_assignee(id: Uuid, ctx: &Context<'_>) -> Result<(), DomainError> {
    match ctx.directory.person(id) {
        None => Err(DomainError::invalid(
            "assignee",
            format!("{id} is not a user of this workspace"),
        )),
        Some(p) if p.role == Role::Customer => Err(DomainError::invalid(
            "assignee",
            "tickets are assigned to agents, not customers",
        )),
        Some(_) => Ok(()),
    }
}

fn check_team(id: Uuid, ctx: &Context<'_>) -> Result<(), DomainError> {
    if ctx.directory.team_exists(id) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "team",
            format!("{id} is not a team of this workspace"),
        ))
    }
}

fn create_ticket(
    id: Uuid,
    d: &TicketDraft,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    let actor = ctx.actor;
    let title = validate_title(&d.title)?;
    let description = validate_body("body", &d.description, false)?;
    let category = validate_category(
        d.category.as_deref().unwrap_or("other"),
        &ctx.rules.categories,
    )?;
    let tags = normalise_tags(&d.tags)?;
    let site = normalise_site(d.site.as_deref())?;
    let customer = actor.role == Role::Customer;
    if customer {
        let mut agent_only = Vec::new();
        if d.assignee_id.is_some() {
            agent_only.push("assignee");
        }
        if d.team_id.is_some() {
            agent_only.push("team");
        }
        if d.tier.is_some() {
            agent_only.push("tier");
        }
        if d.asset_id.is_some() {
            agent_only.push("asset");
        }
        if !tags.is_empty() {
            agent_only.push("tags");
        }
        if !agent_only.is_empty() {
            return Err(forbid(format!(
                "customers cannot set {} on a request (agents do)",
                agent_only.join(", ")
            )));
        }
    }
    // The requester, and with it the organization: decided here, never taken from the device.
    let requester_id = match d.requester_id {
        None if customer => Some(actor.id),
        None => None,
        Some(r) if customer && r == actor.id => Some(r),
        Some(r) => {
            let person = ctx.directory.person(r).ok_or_else(|| {
                DomainError::invalid("requester", format!("{r} is not a user of this workspace"))
            })?;
            if customer {
                let same_org = actor.org_admin
                    && actor.organization_id.is_some()
                    && person.organization_id == actor.organization_id;
                if !same_org {
                    return Err(forbid(
                        "customers create tickets for themselves (an organization admin for people of their organization) only",
                    ));
                }
            }
            Some(r)
        }
    };
    let organization_id = match requester_id {
        Some(r) if r == actor.id && customer => actor.organization_id,
        Some(r) => ctx
            .directory
            .person(r)
            .filter(|p| p.role == Role::Customer)
            .and_then(|p| p.organization_id),
        None => None,
    };
    if let Some(a) = d.assignee_id {
        check_assignee(a, ctx)?;
    }
    if let Some(team) = d.team_id {
        check_team(team, ctx)?;
    }
    let ticket = Ticket {
        id,
        number: d.number,
        former_number: None,
        title,
        description,
        kind: d.kind.unwrap_or(Kind::Incident),
        category,
        status: Status::New,
        priority: d.priority.unwrap_or(Priority::P3),
        channel: d.channel.unwrap_or(if customer {
            crate::ticket::Channel::Portal
        } else {
            crate::ticket::Channel::Phone
        }),
        requester_id,
        organization_id,
        assignee_id: d.assignee_id,
        team_id: d.team_id,
        tier: d.tier.unwrap_or(Tier::L1),
        tags,
        asset_id: d.asset_id,
        site,
        created_at: at,
        updated_at: at,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        resolution: None,
        csat: None,
        followup: None,
        merged_into: None,
    };
    let created = FieldChange {
        field: "created",
        from: None,
        to: Some(Status::New.to_string()),
    };
    Ok(Outcome::ticket(ticket, vec![created], at))
}

fn opt_text(v: Option<impl ToString>) -> Option<String> {
    v.map(|v| v.to_string())
}

fn update_ticket(
    current: &Ticket,
    f: &TicketFields,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<Outcome>, DomainError> {
    let actor = ctx.actor;
    if !actor.is_staff() && !f.is_empty() {
        let triage = f.priority.is_some()
            || f.assignee_id.is_some()
            || f.team_id.is_some()
            || f.tier.is_some();
        return Err(forbid(if triage {
            "customers cannot change priority, assignee, tier or team"
        } else {
            "customers cannot edit a ticket once submitted"
        }));
    }
    let mut t = current.clone();
    let mut audit = Vec::new();
    let mut record = |field: &'static str, from: Option<String>, to: Option<String>| {
        if from != to {
            audit.push(FieldChange { field, from, to });
        }
    };
    if let Some(title) = &f.title {
        let title = validate_title(title)?;
        record("title", Some(t.title.clone()), Some(title.clone()));
        t.title = title;
    }
    if let Some(d) = &f.description {
        let d = validate_body("body", d, false)?;
        record("description", Some(t.description.clone()), Some(d.clone()));
        t.description = d;
    }
    if let Some(k) = f.kind {
        record("kind", opt_text(Some(t.kind)), opt_text(Some(k)));
        t.kind = k;
    }
    if let Some(c) = &f.category {
        let c = validate_category(c, &ctx.rules.categories)?;
        record("category", Some(t.category.clone()), Some(c.clone()));
        t.category = c;
    }
    if let Some(p) = f.priority {
        record("priority", opt_text(Some(t.priority)), opt_text(Some(p)));
        t.priority = p;
    }
    if let Some(a) = f.assignee_id {
        if let Some(a) = a {
            check_assignee(a, ctx)?;
        }
        record("assignee_id", opt_text(t.assignee_id), opt_text(a));
        t.assignee_id = a;
    }
    if let Some(team) = f.team_id {
        if let Some(team) = team {
            check_team(team, ctx)?;
        }
        record("team_id", opt_text(t.team_id), opt_text(team));
        t.team_id = team;
    }
    if let Some(tier) = f.tier {
        record("tier", opt_text(Some(t.tier)), opt_text(Some(tier)));
        t.tier = tier;
    }
    if let Some(tags) = &f.tags {
        let tags = normalise_tags(tags)?;
        record(
            "tags",
            Some(t.tags.join(", ")).filter(|s| !s.is_empty()),
            Some(tags.join(", ")).filter(|s| !s.is_empty()),
        );
        t.tags = tags;
    }
    if let Some(asset) = f.asset_id {
        record("asset_id", opt_text(t.asset_id), opt_text(asset));
        t.asset_id = asset;
    }
    if let Some(site) = &f.site {
        let site = normalise_site(site.as_deref())?;
        record("site", t.site.clone(), site.clone());
        t.site = site;
    }
    if let Some(requester) = f.requester_id {
        // The organization follows from the person, as when the ticket was created.
        let organization = match requester {
            Some(r) => {
                let person = ctx.directory.person(r).ok_or_else(|| {
                    DomainError::invalid(
                        "requester",
                        format!("{r} is not a user of this workspace"),
                    )
                })?;
                (person.role == Role::Customer)
                    .then_some(person.organization_id)
                    .flatten()
            }
            None => None,
        };
        record(
            "requester_id",
            opt_text(t.requester_id),
            opt_text(requester),
        );
        record(
            "organization_id",
            opt_text(t.organization_id),
            opt_text(organization),
        );
        t.requester_id = requester;
        t.organization_id = organization;
    }
    if audit.is_empty() {
        return Ok(None);
    }
    t.updated_at = t.updated_at.max(at);
    Ok(Some(Outcome::ticket(t, audit, at)))
}

/// What a status change does besides the status: the one place it is decided.
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

/// Checks a status change of `t` to `to` by the context's actor, without applying it.
pub fn check_status_change(
    t: &Ticket,
    to: Status,
    reason: Option<&str>,
    ctx: &Context<'_>,
) -> Result<(), DomainError> {
    let from = t.status;
    check_transition(from, to, reason)?;
    if let Some(r) = reason {
        check_short("reason", r)?;
    }
    permission::check_status_change(ctx.actor, t, to)?;
    if from == Status::Closed && to == Status::Open {
        if !ctx.actor.is_staff() && t.resolved_at.is_none() {
            return Err(forbid(
                "this request was closed without being resolved (spam or duplicate) and cannot be reopened by its requester",
            ));
        }
        if let Some(closed_at) = t.closed_at
            && ctx.now.duration_since(closed_at) > ctx.rules.reopen_window
        {
            let days = ctx.rules.reopen_window.as_hours() / 24;
            return Err(DomainError::invalid(
                "status",
                format!(
                    "closed more than {days} days ago and can no longer be reopened; create a follow-up ticket"
                ),
            ));
        }
    }
    Ok(())
}

fn transition(
    current: &Ticket,
    to: Status,
    reason: Option<&str>,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<Outcome>, DomainError> {
    let from = current.status;
    if from == to {
        return Ok(None); // already there (a concurrent identical change)
    }
    if to == Status::Resolved {
        return Err(DomainError::invalid(
            "status",
            "resolving needs a cause and a solution: use `ticket resolve REF --cause C --solution S`",
        ));
    }
    check_status_change(current, to, reason, ctx)?;
    let mut t = current.clone();
    transition_effects(&mut t, from, to, at);
    let mut audit = vec![FieldChange {
        field: "status",
        from: Some(from.to_string()),
        to: Some(to.to_string()),
    }];
    if let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        audit.push(FieldChange {
            field: "close_reason",
            from: None,
            to: Some(r.to_string()),
        });
    }
    Ok(Some(Outcome::ticket(t, audit, at)))
}

fn resolve(
    current: &Ticket,
    resolution: &Resolution,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    if !ctx.actor.is_staff() {
        return Err(forbid("only agents resolve tickets"));
    }
    let resolution = resolution.clone().validate()?;
    check_short("cause", &resolution.cause)?;
    check_short("solution", &resolution.solution)?;
    if let Some(p) = &resolution.prevention {
        check_short("prevention", p)?;
    }
    check_status_change(current, Status::Resolved, None, ctx)?;
    let mut t = current.clone();
    let from = t.status;
    transition_effects(&mut t, from, Status::Resolved, at);
    let audit = vec![
        FieldChange {
            field: "status",
            from: Some(from.to_string()),
            to: Some(Status::Resolved.to_string()),
        },
        FieldChange {
            field: "resolution",
            from: None,
            to: Some(resolution.solution.clone()),
        },
    ];
    t.resolution = Some(resolution);
    Ok(Outcome::ticket(t, audit, at))
}

fn rate(
    current: &Ticket,
    csat: &Csat,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    let csat = Csat {
        score: csat.score,
        comment: csat
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    }
    .validate()?;
    if let Some(c) = &csat.comment {
        check_short("comment", c)?;
    }
    permission::check_rate(ctx.actor, current, ctx.rules.local_workspace)?;
    if ctx.actor.role == Role::Customer && current.requester_id != Some(ctx.actor.id) {
        return Err(forbid("only the requester rates a ticket"));
    }
    if current.csat.is_some() {
        return Err(DomainError::invalid(
            "score",
            "this ticket has already been rated (a rating is given once)",
        ));
    }
    let mut t = current.clone();
    t.updated_at = t.updated_at.max(at);
    let audit = vec![FieldChange {
        field: "csat",
        from: None,
        to: Some(csat.score.to_string()),
    }];
    let mut audit = audit;
    // A low rating opens the follow-up: the handler (the assignee) calls first.
    if let Some(f) = crate::followup::open(csat.score, t.assignee_id, at) {
        audit.extend(callback_audit(None, &f));
        t.followup = Some(f);
    }
    t.csat = Some(csat);
    Ok(Outcome::ticket(t, audit, at))
}

/// The audit lines of a callback opening: `callback` (the level; customers see it, so the
/// requester hears a call is scheduled) and `callback_owner` (staff only).
fn callback_audit(
    from: Option<crate::followup::Level>,
    f: &crate::followup::FollowUp,
) -> Vec<FieldChange> {
    let Some(open) = f.open_step() else {
        return Vec::new();
    };
    vec![
        FieldChange {
            field: "callback",
            from: from.map(|l| l.to_string()),
            to: Some(open.level.to_string()),
        },
        FieldChange {
            field: "callback_owner",
            from: None,
            to: open.owner.map(|o| o.to_string()),
        },
    ]
}

fn follow_up(
    current: &Ticket,
    done: &crate::followup::FollowUpDone,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    if !ctx.actor.is_staff() {
        return Err(forbid("only agents record a follow-up call"));
    }
    let Some(f) = &current.followup else {
        return Err(DomainError::invalid(
            "followup",
            format!(
                "{} has no follow-up (a rating of 1 or 2 opens one)",
                crate::ticket::ticket_key(current.number)
            ),
        ));
    };
    if let Some(owner) = done.next_owner {
        match ctx.directory.person(owner) {
            Some(p) if p.role != Role::Customer => {}
            _ => {
                return Err(DomainError::invalid(
                    "next_owner",
                    format!("{owner} is not an agent or admin of this workspace"),
                ));
            }
        }
    }
    let next =
        crate::followup::record(f, done.level, done.outcome, &done.note, at, done.next_owner)?;
    let mut t = current.clone();
    t.updated_at = t.updated_at.max(at);
    let mut audit = vec![FieldChange {
        field: "callback_outcome",
        from: Some(done.level.to_string()),
        to: Some(done.outcome.to_string()),
    }];
    if next.steps.len() > f.steps.len() {
        audit.extend(callback_audit(Some(done.level), &next));
    }
    t.followup = Some(next);
    Ok(Outcome::ticket(t, audit, at))
}

fn add_comment(
    current: &Ticket,
    id: Uuid,
    d: &CommentDraft,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    let actor = ctx.actor;
    let body = validate_body("body", &d.body, true)?;
    match d.visibility {
        Visibility::Public => permission::check_public_reply(actor, current)?,
        Visibility::Internal => permission::check_internal_note(actor)?,
    }
    let mut t = current.clone();
    let mut audit = Vec::new();
    if d.visibility == Visibility::Public && actor.is_staff() && t.first_response_at.is_none() {
        t.first_response_at = Some(at);
        audit.push(FieldChange {
            field: "first_response_at",
            from: None,
            to: Some(at.to_string()),
        });
    }
    // A public reply by the requester while we wait for them hands the ticket back to us.
    if d.visibility == Visibility::Public
        && !actor.is_staff()
        && t.status == Status::PendingCustomer
    {
        audit.push(FieldChange {
            field: "status",
            from: Some(t.status.to_string()),
            to: Some(Status::Open.to_string()),
        });
        t.status = Status::Open;
    }
    // Internal activity does not move the ticket's "updated" time, which customers see.
    if d.visibility == Visibility::Public {
        t.updated_at = t.updated_at.max(at);
    }
    Ok(Outcome {
        imported: None,
        ticket: t,
        comment: Some(CommentState {
            id,
            ticket_id: current.id,
            author_id: actor.id,
            visibility: d.visibility,
            by_agent: actor.is_staff(),
            body,
            created_at: at,
            deleted: false,
        }),
        link: None,
        attachment: None,
        audit,
        at,
    })
}

fn link_tickets(
    from: &Ticket,
    to: &Ticket,
    id: Uuid,
    d: &LinkDraft,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    if !ctx.actor.is_staff() {
        return Err(forbid("only agents link and unlink tickets"));
    }
    if from.id == to.id {
        return Err(DomainError::invalid(
            "to",
            "a ticket cannot be linked to itself",
        ));
    }
    Ok(Outcome {
        imported: None,
        ticket: from.clone(),
        comment: None,
        link: Some(LinkState {
            id,
            from_ticket: from.id,
            to_ticket: to.id,
            kind: d.kind,
            created_by: ctx.actor.id,
            created_at: at,
            deleted: false,
        }),
        attachment: None,
        audit: vec![FieldChange {
            field: "link",
            from: None,
            to: Some(format!(
                "{} {}",
                d.kind,
                crate::ticket::ticket_key(to.number)
            )),
        }],
        at,
    })
}

fn add_attachment(
    t: &Ticket,
    comment: Option<&CommentState>,
    id: Uuid,
    d: &AttachmentDraft,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Outcome, DomainError> {
    let d = crate::attachment::validate(d, ctx.rules.max_attachment_bytes)?;
    let mut internal = false;
    match (d.comment_id, comment) {
        (None, _) => {}
        (Some(cid), Some(c)) if c.id == cid && c.ticket_id == t.id && !c.deleted => {
            internal = c.visibility == Visibility::Internal;
            // Customers add files to their own public replies only.
            let theirs = c.author_id == ctx.actor.id && c.visibility == Visibility::Public;
            if !ctx.actor.is_staff() && !theirs {
                return Err(DomainError::NotFound(format!("no comment {cid}")));
            }
        }
        (Some(cid), _) => return Err(DomainError::NotFound(format!("no comment {cid}"))),
    }
    let mut ticket = t.clone();
    if !internal {
        ticket.updated_at = ticket.updated_at.max(at);
    }
    Ok(Outcome {
        imported: None,
        ticket,
        comment: None,
        link: None,
        attachment: Some(AttachmentState {
            id,
            ticket_id: t.id,
            comment_id: d.comment_id,
            sha256: d.sha256.clone(),
            name: d.name.clone(),
            media_type: d.media_type.clone(),
            size: d.size,
            uploader_id: ctx.actor.id,
            created_at: at,
        }),
        audit: vec![FieldChange {
            // A file on an internal note is agent-only, and so is its audit line.
            field: if internal {
                "note_attachment"
            } else {
                "attachment"
            },
            from: None,
            to: Some(d.name),
        }],
        at,
    })
}
