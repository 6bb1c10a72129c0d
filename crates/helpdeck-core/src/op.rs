//! Sync operations: what every local change appends to the outbox (spec §6.1).
//!
//! This is the one wire type for changes, shared by the store (outbox), the sync client and
//! the server. Each [`Change`] is typed: the server parses exactly what a client meant, and
//! [`crate::apply::apply`] decides it the same way on both sides.

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::record::Visibility;
use crate::status::Status;
use crate::ticket::{Channel, Csat, Kind, Priority, Resolution, Tier};

/// Version of the operation schema. Version 1 carried untyped JSON (`create` with a state,
/// `set` with a field map); version 2 carries typed changes. A server refuses versions it
/// does not speak; a replica upgrades its own version-1 outbox on open ([`upgrade_v1`]).
pub const OP_SCHEMA_VERSION: u32 = 2;

/// The entity an operation changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Ticket,
    Comment,
    User,
    Organization,
    Team,
    /// A link between two tickets.
    Link,
    /// A file on a ticket or a comment.
    Attachment,
    /// A knowledge article.
    Article,
    /// A macro (a canned reply with field changes).
    Macro,
    /// A field visit on a ticket.
    WorkOrder,
    /// Time an agent spent on a ticket.
    TimeEntry,
}

impl Entity {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Ticket => "ticket",
            Entity::Comment => "comment",
            Entity::User => "user",
            Entity::Organization => "organization",
            Entity::Team => "team",
            Entity::Link => "link",
            Entity::Attachment => "attachment",
            Entity::Article => "article",
            Entity::Macro => "macro",
            Entity::WorkOrder => "work_order",
            Entity::TimeEntry => "time_entry",
        }
    }
}

/// A new ticket as its author filed it. The server decides the rest (number, organization,
/// times, status); see [`crate::apply`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketDraft {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The number the device showed (provisional until the server assigns one).
    #[serde(default)]
    pub number: i64,
}

impl TicketDraft {
    /// The draft that re-creates `t` elsewhere (what the device knows of it).
    pub fn of(t: &crate::ticket::Ticket) -> TicketDraft {
        TicketDraft {
            title: t.title.clone(),
            description: t.description.clone(),
            kind: Some(t.kind),
            category: Some(t.category.clone()),
            priority: Some(t.priority),
            channel: Some(t.channel),
            requester_id: t.requester_id,
            assignee_id: t.assignee_id,
            team_id: t.team_id,
            tier: Some(t.tier),
            tags: t.tags.clone(),
            asset_id: t.asset_id,
            site: t.site.clone(),
            number: t.number,
        }
    }
}

/// Field assignments of one update; absent fields are left alone. `Some(None)` clears an
/// optional field. Last writer wins per field (spec §6.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub assignee_id: Option<Option<Uuid>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub team_id: Option<Option<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub asset_id: Option<Option<Uuid>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub site: Option<Option<String>>,
    /// Who the ticket is for (staff only); its organization follows from the person.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub requester_id: Option<Option<Uuid>>,
}

/// Every field name a [`TicketFields`] can carry, in order.
pub const TICKET_FIELD_NAMES: &[&str] = &[
    "title",
    "description",
    "kind",
    "category",
    "priority",
    "assignee_id",
    "team_id",
    "tier",
    "tags",
    "asset_id",
    "site",
    "requester_id",
];

impl TicketFields {
    /// The names of the fields present.
    pub fn names(&self) -> Vec<&'static str> {
        let present = [
            self.title.is_some(),
            self.description.is_some(),
            self.kind.is_some(),
            self.category.is_some(),
            self.priority.is_some(),
            self.assignee_id.is_some(),
            self.team_id.is_some(),
            self.tier.is_some(),
            self.tags.is_some(),
            self.asset_id.is_some(),
            self.site.is_some(),
            self.requester_id.is_some(),
        ];
        TICKET_FIELD_NAMES
            .iter()
            .zip(present)
            .filter_map(|(n, p)| p.then_some(*n))
            .collect()
    }

    /// True when no field is present.
    pub fn is_empty(&self) -> bool {
        self.names().is_empty()
    }

    /// Keeps only the fields `keep` says yes to (the server drops fields a newer write won).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        macro_rules! drop_unless {
            ($($f:ident),*) => { $( if !keep(stringify!($f)) { self.$f = None; } )* };
        }
        drop_unless!(
            title,
            description,
            kind,
            category,
            priority,
            assignee_id,
            team_id,
            tier,
            tags,
            asset_id,
            site,
            requester_id
        );
    }
}

/// A public reply or internal note on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentDraft {
    pub ticket_id: Uuid,
    pub visibility: Visibility,
    pub body: String,
}

crate::ticket::vocabulary!(
    /// How two tickets are linked (from the first ticket's side).
    LinkKind, "link kind", {
        Related => "related",
        DuplicateOf => "duplicate_of",
        ParentOf => "parent_of",
    }
);

/// A new link from one ticket to another (entity: link; its id is the link's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkDraft {
    pub from: Uuid,
    pub to: Uuid,
    pub kind: LinkKind,
}

/// What an operation does: one typed change of one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    /// A new ticket (entity: ticket).
    CreateTicket(TicketDraft),
    /// A ticket brought over from another workspace with its comments and history (entity:
    /// ticket; staff only; see [`crate::import`]).
    ImportTicket(Box<crate::record::TicketRecord>),
    /// Last-writer-wins field assignments (entity: ticket).
    UpdateTicket(TicketFields),
    /// A status change other than resolving, validated against the current status.
    Transition {
        from: Status,
        to: Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Resolves with the service report (entity: ticket).
    Resolve(Resolution),
    /// The requester's satisfaction rating (entity: ticket).
    Rate(Csat),
    /// A public reply or internal note (entity: comment).
    AddComment(CommentDraft),
    /// Deletes a comment: a tombstone that wins over every other write (I6).
    DeleteComment,
    /// Links two tickets (entity: link; insert-only).
    LinkTickets(LinkDraft),
    /// Removes a link: a tombstone, as for comments.
    UnlinkTickets,
    /// Attaches a file (its metadata; the bytes travel out of band). Entity: attachment.
    AddAttachment(crate::attachment::AttachmentDraft),
    /// Records the outcome of a satisfaction follow-up's callback (entity: ticket; staff).
    FollowUp(crate::followup::FollowUpDone),
    /// A new knowledge article (entity: article; staff).
    CreateArticle(crate::kb::ArticleDraft),
    /// Last-writer-wins edits of an article's fields (entity: article; staff).
    UpdateArticle(crate::kb::ArticleFields),
    /// Publishes, archives or returns an article to draft (entity: article; staff).
    SetArticleStatus { to: crate::kb::ArticleStatus },
    /// A reader's vote: did it help? (entity: article; anyone who may read it).
    VoteArticle { helpful: bool },
    /// Views of an article, counted by a reader's device (entity: article).
    CountArticleViews { views: u32 },
    /// A diagnosis script's step run on a ticket (entity: ticket; staff).
    RecordDiagnosis(crate::kb::DiagnosisStep),
    /// A new macro (entity: macro; staff).
    CreateMacro(crate::macros::MacroDraft),
    /// Edits a macro's name, reply or actions (entity: macro; last writer wins per field).
    UpdateMacro(crate::macros::MacroFields),
    /// Deletes a macro: a tombstone that wins over every edit.
    DeleteMacro,
    /// Moves a ticket to another tier with the reason and business impact (entity: ticket;
    /// staff).
    Escalate(crate::escalation::Escalation),
    /// Copies a duplicate's request and public conversation into this ticket (entity: the
    /// ticket merged into; staff). Sent with `MergeInto` on the duplicate.
    MergeFrom { duplicate: Uuid },
    /// Closes this ticket as a duplicate of `into`, linked to it (entity: the duplicate;
    /// staff).
    MergeInto { into: Uuid },
    /// An escalation rule's alert on an SLA event, naming whom it alerts (entity: ticket;
    /// staff — Helpdeck's jobs).
    SlaAlert(crate::escalation::rules::SlaAlert),
    /// A new work order on a ticket (entity: work_order; staff).
    CreateWorkOrder(crate::workorder::WorkOrderDraft),
    /// Reschedules, reassigns or moves a work order (last writer wins per field; staff).
    UpdateWorkOrder(crate::workorder::WorkOrderFields),
    /// Ticks or unticks a checklist item, with its reading (last writer wins per item).
    CheckItem(crate::workorder::ItemCheck),
    /// A photo on a checklist item (an attachment of the ticket).
    AddItemPhoto(crate::workorder::ItemPhoto),
    /// A part used on the visit.
    UsePart(crate::workorder::PartUse),
    /// Travel or work time (staff only: never shown to customers).
    LogTime(crate::workorder::TimeLog),
    /// The customer's sign-off; the work order is done.
    SignOff(crate::workorder::SignOffDraft),
    /// Minutes an agent spent on a ticket (entity: time_entry; staff only, never shown to
    /// customers; insert-only).
    LogTicketTime(crate::timelog::TicketTimeDraft),
    /// Deletes a time entry: a tombstone that wins (its author or an admin).
    DeleteTimeEntry,
}

impl Change {
    /// The entity kind this change applies to.
    pub fn entity(&self) -> Entity {
        match self {
            Change::AddComment(_) | Change::DeleteComment => Entity::Comment,
            Change::LinkTickets(_) | Change::UnlinkTickets => Entity::Link,
            Change::AddAttachment(_) => Entity::Attachment,
            Change::CreateArticle(_)
            | Change::UpdateArticle(_)
            | Change::SetArticleStatus { .. }
            | Change::VoteArticle { .. }
            | Change::CountArticleViews { .. } => Entity::Article,
            Change::CreateMacro(_) | Change::UpdateMacro(_) | Change::DeleteMacro => Entity::Macro,
            c if crate::workorder::is_work_order_change(c) => Entity::WorkOrder,
            c if crate::timelog::is_time_change(c) => Entity::TimeEntry,
            _ => Entity::Ticket,
        }
    }

    /// Does this change name files whose bytes must reach the server before it does (an
    /// attachment, an article's images)?
    pub fn carries_files(&self) -> bool {
        match self {
            Change::AddAttachment(_) => true,
            Change::CreateArticle(d) => !d.files.is_empty(),
            Change::UpdateArticle(f) => f.files.as_ref().is_some_and(|f| !f.is_empty()),
            _ => false,
        }
    }

    /// The people and teams this change names (the directory a decider loads to check them).
    pub fn named_ids(&self) -> Vec<Uuid> {
        match self {
            Change::CreateTicket(d) => [d.requester_id, d.assignee_id, d.team_id]
                .into_iter()
                .flatten()
                .collect(),
            Change::UpdateTicket(f) => [
                f.assignee_id.flatten(),
                f.team_id.flatten(),
                f.requester_id.flatten(),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Change::FollowUp(d) => d.next_owner.into_iter().collect(),
            Change::CreateWorkOrder(d) => d.technician_id.into_iter().collect(),
            Change::UpdateWorkOrder(f) => f.technician_id.flatten().into_iter().collect(),
            Change::ImportTicket(_)
            | Change::Transition { .. }
            | Change::Resolve(_)
            | Change::Rate(_)
            | Change::AddComment(_)
            | Change::DeleteComment
            | Change::LinkTickets(_)
            | Change::UnlinkTickets
            | Change::AddAttachment(_)
            | Change::CreateArticle(_)
            | Change::UpdateArticle(_)
            | Change::SetArticleStatus { .. }
            | Change::VoteArticle { .. }
            | Change::CountArticleViews { .. }
            | Change::RecordDiagnosis(_)
            | Change::Escalate(_)
            | Change::MergeFrom { .. }
            | Change::MergeInto { .. }
            | Change::SlaAlert(_)
            | Change::CreateMacro(_)
            | Change::UpdateMacro(_)
            | Change::DeleteMacro
            | Change::CheckItem(_)
            | Change::AddItemPhoto(_)
            | Change::UsePart(_)
            | Change::LogTime(_)
            | Change::SignOff(_)
            | Change::LogTicketTime(_)
            | Change::DeleteTimeEntry => Vec::new(),
        }
    }

    /// True for a change that creates its entity.
    pub fn is_create(&self) -> bool {
        matches!(
            self,
            Change::CreateTicket(_)
                | Change::ImportTicket(_)
                | Change::AddComment(_)
                | Change::LinkTickets(_)
                | Change::AddAttachment(_)
                | Change::CreateArticle(_)
                | Change::CreateWorkOrder(_)
                | Change::LogTicketTime(_)
        )
    }
}

/// One change, as kept in the outbox and pushed to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// UUIDv7; the server drops duplicates by it.
    pub op_id: Uuid,
    pub entity: Entity,
    pub entity_id: Uuid,
    /// The typed change (`{"action": "...", ...}`); unknown fields are refused.
    pub change: Change,
    /// Hybrid logical clock timestamp of the change (`uhlc` text form).
    pub hlc: String,
    /// Wall-clock time of the change on the device: the time the audit trail and the SLA
    /// engine use on every replica (bounded by the server against its own clock).
    pub at: jiff::Timestamp,
    /// Device that made the change.
    pub device_id: Uuid,
    /// Actor (user id) on whose behalf the change was made.
    pub actor_id: Uuid,
    pub schema_version: u32,
}

impl Op {
    /// The ticket this op is about (the ticket itself, or a new comment's ticket).
    pub fn ticket_id(&self) -> Option<Uuid> {
        match &self.change {
            Change::AddComment(c) => Some(c.ticket_id),
            Change::LinkTickets(l) => Some(l.from),
            Change::AddAttachment(a) => Some(a.ticket_id),
            Change::DeleteComment | Change::UnlinkTickets => None,
            Change::CreateWorkOrder(d) => Some(d.ticket_id),
            c if crate::workorder::is_work_order_change(c) => None,
            Change::LogTicketTime(d) => Some(d.ticket_id),
            Change::DeleteTimeEntry => None,
            _ => Some(self.entity_id),
        }
    }
}

/// Reads an outbox op of either schema version (version 1 is upgraded).
pub fn parse_stored(text: &str) -> Result<Op, DomainError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| DomainError::invalid("op", format!("not JSON: {e}")))?;
    let version = value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if version == 1 {
        return upgrade_v1(value);
    }
    serde_json::from_value(value).map_err(|e| DomainError::invalid("op", e.to_string()))
}

/// Converts a version-1 op (untyped `create`/`set`/`transition`/`delete`) to version 2, so a
/// replica upgraded with changes still in its outbox pushes them instead of losing them.
pub fn upgrade_v1(mut v: serde_json::Value) -> Result<Op, DomainError> {
    let bad = |m: &str| DomainError::invalid("op", format!("version-1 op: {m}"));
    let obj = v.as_object_mut().ok_or_else(|| bad("not an object"))?;
    let action = obj
        .remove("action")
        .and_then(|a| a.as_str().map(str::to_string))
        .ok_or_else(|| bad("no action"))?;
    let entity = obj
        .get("entity")
        .and_then(|e| e.as_str())
        .unwrap_or("")
        .to_string();
    let change = match (entity.as_str(), action.as_str()) {
        ("ticket", "create") => {
            let state = obj.remove("state").ok_or_else(|| bad("no state"))?;
            Change::CreateTicket(
                serde_json::from_value(keep(state, TICKET_DRAFT_FIELDS))
                    .map_err(|e| bad(&e.to_string()))?,
            )
        }
        ("ticket", "set") => {
            let mut fields = obj.remove("fields").ok_or_else(|| bad("no fields"))?;
            let f = fields.as_object_mut().ok_or_else(|| bad("fields"))?;
            // Version 1 also carried bookkeeping the server now derives itself.
            let resolution = f.remove("resolution");
            let csat = f.remove("csat");
            for derived in [
                "updated_at",
                "resolved_at",
                "first_response_at",
                "closed_at",
            ] {
                f.remove(derived);
            }
            match (resolution, csat) {
                (Some(r), _) if !r.is_null() => {
                    Change::Resolve(serde_json::from_value(r).map_err(|e| bad(&e.to_string()))?)
                }
                (_, Some(c)) if !c.is_null() => {
                    Change::Rate(serde_json::from_value(c).map_err(|e| bad(&e.to_string()))?)
                }
                _ => Change::UpdateTicket(
                    serde_json::from_value(fields).map_err(|e| bad(&e.to_string()))?,
                ),
            }
        }
        ("ticket", "transition") => {
            let from = serde_json::from_value(obj.remove("from").unwrap_or_default())
                .map_err(|e| bad(&e.to_string()))?;
            let to = serde_json::from_value(obj.remove("to").unwrap_or_default())
                .map_err(|e| bad(&e.to_string()))?;
            let reason = obj
                .remove("reason")
                .and_then(|r| r.as_str().map(str::to_string));
            Change::Transition { from, to, reason }
        }
        ("comment", "create") => {
            let state = obj.remove("state").ok_or_else(|| bad("no state"))?;
            Change::AddComment(
                serde_json::from_value(keep(state, &["ticket_id", "visibility", "body"]))
                    .map_err(|e| bad(&e.to_string()))?,
            )
        }
        ("comment", "delete") => Change::DeleteComment,
        (e, a) => return Err(bad(&format!("unknown {a} of {e}"))),
    };
    let field = |obj: &mut serde_json::Map<String, serde_json::Value>, k: &str| {
        obj.remove(k).ok_or_else(|| bad(&format!("no {k}")))
    };
    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, DomainError> {
        serde_json::from_value(v)
            .map_err(|e| DomainError::invalid("op", format!("version-1 op: {e}")))
    }
    Ok(Op {
        op_id: parse(field(obj, "op_id")?)?,
        entity: change.entity(),
        entity_id: parse(field(obj, "entity_id")?)?,
        change,
        hlc: parse(field(obj, "hlc")?)?,
        at: parse(field(obj, "at")?)?,
        device_id: parse(field(obj, "device_id")?)?,
        actor_id: parse(field(obj, "actor_id")?)?,
        schema_version: OP_SCHEMA_VERSION,
    })
}

const TICKET_DRAFT_FIELDS: &[&str] = &[
    "title",
    "description",
    "kind",
    "category",
    "priority",
    "channel",
    "requester_id",
    "assignee_id",
    "team_id",
    "tier",
    "tags",
    "asset_id",
    "site",
    "number",
];

/// The object `v` with only the `names` keys (a version-1 state carried whole tickets).
fn keep(mut v: serde_json::Value, names: &[&str]) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        o.retain(|k, _| names.contains(&k.as_str()));
    }
    v
}

/// `Option<Option<T>>` from JSON: absent → `None`, `null` → `Some(None)`.
pub(crate) fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_distinguish_absent_from_cleared() {
        let f: TicketFields = serde_json::from_str(r#"{"assignee_id": null}"#).unwrap();
        assert_eq!(f.assignee_id, Some(None));
        assert_eq!(f.names(), vec!["assignee_id"]);
        let f: TicketFields = serde_json::from_str("{}").unwrap();
        assert!(f.is_empty());
        let back = serde_json::to_string(&TicketFields {
            assignee_id: Some(None),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(back, r#"{"assignee_id":null}"#);
    }

    #[test]
    fn unknown_fields_values_and_actions_are_refused() {
        let op = |change: &str| {
            format!(
                r#"{{"op_id":"0190a1b2-0000-7000-8000-000000000001","entity":"ticket",
                "entity_id":"0190a1b2-0000-7000-8000-000000000002","change":{change},
                "hlc":"1","at":"2026-01-01T00:00:00Z",
                "device_id":"0190a1b2-0000-7000-8000-000000000003",
                "actor_id":"0190a1b2-0000-7000-8000-000000000004","schema_version":2}}"#
            )
        };
        assert!(parse_stored(&op(r#"{"action":"update_ticket","priority":"P1"}"#)).is_ok());
        assert!(parse_stored(&op(r#"{"action":"update_ticket","priority":"P9"}"#)).is_err());
        assert!(
            parse_stored(&op(
                r#"{"action":"update_ticket","updated_at":"2099-01-01T00:00:00Z"}"#
            ))
            .is_err()
        );
        assert!(parse_stored(&op(r#"{"action":"update_ticket","number":7}"#)).is_err());
        assert!(parse_stored(&op(r#"{"action":"promote_user","role":"admin"}"#)).is_err());
    }

    #[test]
    fn version_1_ops_upgrade() {
        let v1 = r#"{"op_id":"0190a1b2-0000-7000-8000-000000000001","entity":"ticket",
            "entity_id":"0190a1b2-0000-7000-8000-000000000002","action":"set",
            "fields":{"priority":"P1","updated_at":"2026-01-01T00:00:00Z"},"hlc":"1",
            "at":"2026-01-01T00:00:00Z","device_id":"0190a1b2-0000-7000-8000-000000000003",
            "actor_id":"0190a1b2-0000-7000-8000-000000000004","schema_version":1}"#;
        let op = parse_stored(v1).unwrap();
        assert_eq!(op.schema_version, OP_SCHEMA_VERSION);
        assert_eq!(
            op.change,
            Change::UpdateTicket(TicketFields {
                priority: Some(Priority::P1),
                ..Default::default()
            })
        );
        let v1_comment = r#"{"op_id":"0190a1b2-0000-7000-8000-000000000005","entity":"comment",
            "entity_id":"0190a1b2-0000-7000-8000-000000000006","action":"create",
            "state":{"id":"0190a1b2-0000-7000-8000-000000000006",
            "ticket_id":"0190a1b2-0000-7000-8000-000000000002","author_id":"0190a1b2-0000-7000-8000-000000000004",
            "visibility":"internal","body":"checked","created_at":"2026-01-01T00:00:00Z"},"hlc":"1",
            "at":"2026-01-01T00:00:00Z","device_id":"0190a1b2-0000-7000-8000-000000000003",
            "actor_id":"0190a1b2-0000-7000-8000-000000000004","schema_version":1}"#;
        let op = parse_stored(v1_comment).unwrap();
        assert!(matches!(op.change, Change::AddComment(ref c) if c.body == "checked"));
    }
}
