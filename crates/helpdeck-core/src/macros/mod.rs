//! Macros (spec §3.1): a canned reply with placeholders plus field changes, applied to a
//! ticket as one action. A macro is a synced entity of its own (entity: macro): staff write
//! them, shared with everyone or personal. Decided here for every side — the store for a
//! device's own writes, the server for every push — and expanded here when applied.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::apply::{Context, bounded_at, normalise_tags};
use crate::error::DomainError;
use crate::op::{Change, Op, TicketFields};
use crate::status::Status;
use crate::sync::Stamp;
use crate::ticket::{Priority, Ticket, Tier, validate_body};
use crate::user::User;

/// Longest macro name, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// The placeholders a macro's reply may use, each with what it becomes.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("requester.name", "the requester's name"),
    ("ticket.number", "the ticket's number, e.g. HD-12"),
    ("ticket.title", "the ticket's title"),
    ("agent.name", "the name of the agent applying the macro"),
    (
        "sla.resolution_due",
        "when the resolution is due (the workspace's time zone)",
    ),
    ("workspace.name", "the workspace's name"),
];

/// Who a macro assigns the ticket to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum MacroAssignee {
    /// Whoever applies it.
    Me,
    /// Nobody (back to the queue).
    Nobody,
    /// This agent.
    Agent(Uuid),
}

/// What a macro changes besides replying.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, deny_unknown_fields)]
pub struct MacroActions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<MacroAssignee>,
    /// Tags added (the ticket keeps its others).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
}

impl MacroActions {
    pub fn is_empty(&self) -> bool {
        *self == MacroActions::default()
    }
}

/// A macro's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Macro {
    pub id: Uuid,
    pub name: String,
    /// The reply (Markdown with `{placeholders}`); empty: field changes only.
    pub body: String,
    pub actions: MacroActions,
    /// Personal: only its owner's; none: shared with every agent.
    pub owner_id: Option<Uuid>,
    pub created_by: Uuid,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub updated_at: Timestamp,
    /// A deleted macro stays a tombstone (a delete wins over every edit).
    #[serde(default)]
    pub deleted: bool,
}

/// A new macro (entity: macro; its id is the macro's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MacroDraft {
    pub name: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub actions: MacroActions,
    /// Only mine (otherwise shared).
    #[serde(default)]
    pub personal: bool,
}

/// An edit: the name, the reply and the actions, each replaced when given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MacroFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<MacroActions>,
}

/// A macro's server document: its state and the clock of each field's last write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MacroDoc {
    #[serde(rename = "macro")]
    pub macro_: Macro,
    pub clocks: BTreeMap<String, Stamp>,
}

/// May `viewer` use this macro? Staff: shared ones and their own personal ones.
pub fn macro_visible(viewer: &User, m: &Macro) -> bool {
    viewer.is_staff() && (m.owner_id.is_none() || m.owner_id == Some(viewer.id))
}

fn check_name(name: &str) -> Result<String, DomainError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(DomainError::required("name", "a macro needs a name"));
    }
    if n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters on one line"),
        ));
    }
    Ok(n.to_string())
}

/// Checks a reply template: Markdown whose `{placeholders}` are all known ones.
pub fn check_body(body: &str) -> Result<String, DomainError> {
    let body = validate_body("body", body, false)?;
    for name in placeholders_in(&body) {
        if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
            let known: Vec<String> = PLACEHOLDERS
                .iter()
                .map(|(p, _)| format!("{{{p}}}"))
                .collect();
            return Err(DomainError::invalid(
                "body",
                format!(
                    "{{{name}}} is not a placeholder (allowed: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(body)
}

fn check_actions(a: &MacroActions) -> Result<MacroActions, DomainError> {
    if let Some(s) = a.status
        && matches!(s, Status::Resolved | Status::Closed | Status::New)
    {
        return Err(DomainError::invalid(
            "status",
            format!(
                "a macro does not set {s} (resolving needs a service report, closing a reason); allowed: open, in_progress, pending_customer, on_hold"
            ),
        ));
    }
    Ok(MacroActions {
        add_tags: normalise_tags(&a.add_tags)?,
        ..a.clone()
    })
}

/// `{name}` placeholders in a text (`{{` is not one).
fn placeholders_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) if !after[..j].contains(['{', '\n']) && !after[..j].trim().is_empty() => {
                out.push(after[..j].trim().to_string());
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

fn forbid(what: &str) -> DomainError {
    DomainError::Forbidden(what.into())
}

/// Applies one macro change to `current` (none: it does not exist here). `Ok(None)`: nothing
/// to do (a repeated create or delete, an edit that changes nothing).
pub fn apply_macro(
    current: Option<&Macro>,
    id: Uuid,
    change: &Change,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<Macro>, DomainError> {
    let actor = ctx.actor;
    if !actor.is_staff() {
        return Err(forbid("only agents and admins write macros"));
    }
    let missing = || DomainError::NotFound(format!("no macro {id}"));
    // Someone else's personal macro is as if it did not exist.
    let mine = |m: &Macro| macro_visible(actor, m) && !m.deleted;
    match change {
        Change::CreateMacro(d) => {
            if current.is_some() {
                return Ok(None);
            }
            let at = bounded_at(at, ctx.now, None);
            Ok(Some(Macro {
                id,
                name: check_name(&d.name)?,
                body: check_body(&d.body)?,
                actions: check_actions(&d.actions)?,
                owner_id: d.personal.then_some(actor.id),
                created_by: actor.id,
                created_at: at,
                updated_at: at,
                deleted: false,
            }))
        }
        Change::UpdateMacro(f) => {
            let m = current.filter(|m| mine(m)).ok_or_else(missing)?;
            let mut next = m.clone();
            if let Some(n) = &f.name {
                next.name = check_name(n)?;
            }
            if let Some(b) = &f.body {
                next.body = check_body(b)?;
            }
            if let Some(a) = &f.actions {
                next.actions = check_actions(a)?;
            }
            if next == *m {
                return Ok(None);
            }
            next.updated_at = next
                .updated_at
                .max(bounded_at(at, ctx.now, Some(m.created_at)));
            Ok(Some(next))
        }
        Change::DeleteMacro => {
            let m = current
                .filter(|m| macro_visible(actor, m))
                .ok_or_else(missing)?;
            if m.deleted {
                return Ok(None);
            }
            Ok(Some(Macro {
                deleted: true,
                updated_at: m
                    .updated_at
                    .max(bounded_at(at, ctx.now, Some(m.created_at))),
                ..m.clone()
            }))
        }
        other => Err(DomainError::invalid(
            "entity",
            format!(
                "a {} change does not apply to a macro",
                other.entity().as_str()
            ),
        )),
    }
}

/// Merges one pushed macro op into the server's document: the rule above, plus
/// last-writer-wins by (HLC, device) per edited field; a delete wins over every edit.
pub fn merge_macro(
    doc: Option<&MacroDoc>,
    op: &Op,
    ctx: &Context<'_>,
) -> Result<Option<MacroDoc>, DomainError> {
    let stamp = Stamp {
        hlc: op.hlc.clone(),
        device_id: op.device_id,
    };
    let current = doc.map(|d| &d.macro_);
    let change = match &op.change {
        Change::UpdateMacro(f) => {
            let clocks = doc.map(|d| &d.clocks);
            let won = |name: &str| clocks.and_then(|c| c.get(name)).is_none_or(|c| *c < stamp);
            let kept = MacroFields {
                name: f.name.clone().filter(|_| won("name")),
                body: f.body.clone().filter(|_| won("body")),
                actions: f.actions.clone().filter(|_| won("actions")),
            };
            // Checked whole first: a refusal refuses the op even if a field lost.
            apply_macro(current, op.entity_id, &op.change, op.at, ctx)?;
            if kept == MacroFields::default() {
                return Ok(None);
            }
            Change::UpdateMacro(kept)
        }
        other => other.clone(),
    };
    let Some(next) = apply_macro(current, op.entity_id, &change, op.at, ctx)? else {
        return Ok(None);
    };
    let mut clocks = doc.map(|d| d.clocks.clone()).unwrap_or_default();
    if let Change::UpdateMacro(f) = &change {
        for (name, set) in [
            ("name", f.name.is_some()),
            ("body", f.body.is_some()),
            ("actions", f.actions.is_some()),
        ] {
            if set {
                clocks.insert(name.into(), stamp.clone());
            }
        }
    }
    Ok(Some(MacroDoc {
        macro_: next,
        clocks,
    }))
}

/// What the placeholders of a reply become on one ticket.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    pub requester_name: String,
    pub ticket_number: String,
    pub ticket_title: String,
    pub agent_name: String,
    pub sla_resolution_due: String,
    pub workspace_name: String,
}

/// The reply of `body` for one ticket (every placeholder replaced; an unknown one is kept as
/// written — templates are checked when saved).
pub fn expand(body: &str, p: &Placeholders) -> String {
    let mut out = body.to_string();
    for (name, value) in [
        ("requester.name", &p.requester_name),
        ("ticket.number", &p.ticket_number),
        ("ticket.title", &p.ticket_title),
        ("agent.name", &p.agent_name),
        ("sla.resolution_due", &p.sla_resolution_due),
        ("workspace.name", &p.workspace_name),
    ] {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The changes applying `m` to `t` makes, in order: the reply (if any), the field changes,
/// the status. Each is then decided by `apply` like any change.
pub fn plan(m: &Macro, t: &Ticket, actor: &User, p: &Placeholders) -> Vec<Change> {
    let mut changes = Vec::new();
    let reply = expand(&m.body, p);
    if !reply.trim().is_empty() {
        changes.push(Change::AddComment(crate::op::CommentDraft {
            ticket_id: t.id,
            visibility: crate::record::Visibility::Public,
            body: reply,
        }));
    }
    let a = &m.actions;
    let fields = TicketFields {
        priority: a.priority.filter(|p| *p != t.priority),
        tier: a.tier.filter(|x| *x != t.tier),
        assignee_id: a
            .assignee
            .map(|who| match who {
                MacroAssignee::Me => Some(actor.id),
                MacroAssignee::Nobody => None,
                MacroAssignee::Agent(id) => Some(id),
            })
            .filter(|who| *who != t.assignee_id),
        tags: crate::apply::tags_added(&t.tags, &a.add_tags),
        ..Default::default()
    };
    if !fields.is_empty() {
        changes.push(Change::UpdateTicket(fields));
    }
    if let Some(to) = a.status.filter(|s| *s != t.status) {
        changes.push(Change::Transition {
            from: t.status,
            to,
            reason: None,
        });
    }
    changes
}

#[cfg(test)]
mod tests;
