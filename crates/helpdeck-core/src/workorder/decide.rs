//! Work-order changes (entity: `work_order`), decided here for every side: the store for a
//! device's own writes and the replay of its pending ops, the server for every push.
//!
//! A work order lives on a ticket and is carried with it (a pull page's ticket bundle holds
//! its work orders, as it holds its comments), so who may see one is who may see its ticket.
//! Writes are staff-only. The scheduled window, site, contact, technician and status are
//! last-writer-wins per field; each checklist item is last-writer-wins on its own (a tick on
//! the technician's laptop and the office's rescheduling never undo each other); photos,
//! parts and time entries are sets keyed by id, so offline additions on two devices add up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    ChecklistItem, SignOff, TemplateItem, TimeEntry, TimeKind, WorkOrder, WorkOrderStatus,
    validate_minutes, validate_part, validate_window,
};
use crate::Timestamp;
use crate::apply::{Context, bounded_at, check_short};
use crate::error::DomainError;
use crate::op::{Change, Op};
use crate::sync::Stamp;
use crate::ticket::Ticket;
use crate::user::{Role, User};

/// Longest site address, contact, signer name or reading, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// A new work order on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderDraft {
    pub ticket_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technician_id: Option<Uuid>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The checklist, copied from a template when the work order was made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<TemplateItem>,
}

/// Edits of a work order's own fields (each last-writer-wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkOrderFields {
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::op::double_option"
    )]
    pub technician_id: Option<Option<Uuid>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::op::double_option"
    )]
    pub contact: Option<Option<String>>,
    /// `in_progress` (the technician started), `scheduled` again, or `cancelled`; `done`
    /// comes only with the sign-off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkOrderStatus>,
}

/// A checklist item ticked (or unticked), with its reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemCheck {
    pub item_id: Uuid,
    pub done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// A photo (an attachment of the ticket) added to a checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPhoto {
    pub item_id: Uuid,
    pub attachment_id: Uuid,
}

/// Time logged on a work order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLog {
    pub id: Uuid,
    pub kind: TimeKind,
    pub minutes: u32,
}

/// The customer's sign-off as the technician took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOffDraft {
    pub signer: String,
    /// The drawn signature: an image attached to the ticket.
    pub signature_sha256: String,
}

/// A work order with the write clocks of its last-writer-wins parts (the server's copy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrderDoc {
    pub work_order: WorkOrder,
    #[serde(default)]
    pub clocks: BTreeMap<String, Stamp>,
}

/// The id of a template's `index`-th item on work order `wo` (the same on every device).
pub fn item_id(wo: Uuid, index: usize) -> Uuid {
    Uuid::new_v5(&wo, format!("checklist-item-{index}").as_bytes())
}

/// Is `change` one a work order takes?
pub fn is_work_order_change(change: &Change) -> bool {
    matches!(
        change,
        Change::CreateWorkOrder(_)
            | Change::UpdateWorkOrder(_)
            | Change::CheckItem(_)
            | Change::AddItemPhoto(_)
            | Change::UsePart(_)
            | Change::LogTime(_)
            | Change::SignOff(_)
    )
}

/// Does this change alter what a customer sees of the work order (time entries are staff
/// only)?
pub fn visible_to_customers(change: &Change) -> bool {
    !matches!(change, Change::LogTime(_))
}

/// The ticket a work-order change is about: the draft's, or the work order's.
pub fn ticket_of(current: Option<&WorkOrder>, change: &Change) -> Option<Uuid> {
    match (current, change) {
        (Some(w), _) => Some(w.ticket_id),
        (None, Change::CreateWorkOrder(d)) => Some(d.ticket_id),
        _ => None,
    }
}

fn check_text(field: &'static str, text: &str, required: bool) -> Result<(), DomainError> {
    if required && text.trim().is_empty() {
        return Err(DomainError::required(field, format!("{field} is required")));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("{field} is at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    check_short(field, text)
}

fn check_technician(id: Option<Uuid>, ctx: &Context<'_>) -> Result<(), DomainError> {
    let Some(id) = id else { return Ok(()) };
    match ctx.directory.person(id) {
        Some(u) if u.role != Role::Customer => Ok(()),
        Some(_) => Err(DomainError::invalid(
            "technician",
            "a work order's technician is an agent or an admin, not a customer",
        )),
        None => Err(DomainError::NotFound(format!("no person {id}"))),
    }
}

/// The files a ticket has (attachment id, SHA-256), for the checks that a photo or a
/// signature is one of them. `Trusted` replays a device's own pending changes.
#[derive(Debug, Clone, Copy)]
pub enum TicketFiles<'a> {
    Known(&'a [(Uuid, String)]),
    Trusted,
}

/// Does deciding `change` look at the ticket's files (a photo of a checklist item, a
/// signature)? Any other change is decided the same with no file known.
pub fn needs_files(change: &Change) -> bool {
    matches!(change, Change::AddItemPhoto(_) | Change::SignOff(_))
}

impl TicketFiles<'_> {
    fn has_id(&self, id: Uuid) -> bool {
        match self {
            TicketFiles::Known(f) => f.iter().any(|(a, _)| *a == id),
            TicketFiles::Trusted => true,
        }
    }
    fn has_sha(&self, sha: &str) -> bool {
        match self {
            TicketFiles::Known(f) => f.iter().any(|(_, s)| s == sha),
            TicketFiles::Trusted => true,
        }
    }
}

/// Applies one work-order change to `current` (none before it is created) on `ticket`, whose
/// files are `files`. `Ok(None)`: nothing to do (a repeated create, a photo already there,
/// nothing changed).
pub fn apply_work_order(
    current: Option<&WorkOrder>,
    ticket: Option<&Ticket>,
    files: TicketFiles<'_>,
    id: Uuid,
    change: &Change,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<WorkOrder>, DomainError> {
    let actor: &User = ctx.actor;
    let ticket = match (ticket, ticket_of(current, change)) {
        (Some(t), Some(tid)) if t.id == tid && crate::permission::can_see(actor, t) => t,
        (_, Some(tid)) => return Err(DomainError::NotFound(format!("no ticket {tid}"))),
        (_, None) => return Err(DomainError::NotFound(format!("no work order {id}"))),
    };
    if !actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agents and admins change work orders".into(),
        ));
    }
    let at = bounded_at(at, ctx.now, None);
    if let Change::CreateWorkOrder(d) = change {
        if current.is_some() {
            return Ok(None);
        }
        validate_window(d.starts_at, d.ends_at)?;
        check_text("site", &d.site, true)?;
        if let Some(c) = &d.contact {
            check_text("contact", c, false)?;
        }
        check_technician(d.technician_id, ctx)?;
        let template = super::ChecklistTemplate {
            name: "checklist".into(),
            category: ticket.category.clone(),
            items: d.checklist.clone(),
        };
        if !d.checklist.is_empty() {
            template.validate()?;
        }
        let mut index = 0;
        let checklist = template.checklist(|| {
            index += 1;
            item_id(id, index - 1)
        });
        return Ok(Some(WorkOrder {
            id,
            ticket_id: ticket.id,
            technician_id: d.technician_id,
            status: WorkOrderStatus::Scheduled,
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            site: d.site.trim().to_string(),
            contact: d.contact.as_deref().map(str::trim).map(String::from),
            checklist,
            parts: Vec::new(),
            time: Vec::new(),
            signoff: None,
            created_at: at,
        }));
    }
    let Some(w) = current else {
        return Err(DomainError::NotFound(format!("no work order {id}")));
    };
    let closed = matches!(w.status, WorkOrderStatus::Done | WorkOrderStatus::Cancelled);
    let mut next = w.clone();
    match change {
        Change::UpdateWorkOrder(f) => {
            if closed && f.status.is_none() {
                return Err(DomainError::invalid(
                    "work order",
                    format!("the work order is {}; it no longer changes", w.status),
                ));
            }
            if let Some(t) = f.technician_id {
                check_technician(t, ctx)?;
                next.technician_id = t;
            }
            if let Some(s) = f.starts_at {
                next.starts_at = s;
            }
            if let Some(e) = f.ends_at {
                next.ends_at = e;
            }
            validate_window(next.starts_at, next.ends_at)?;
            if let Some(s) = &f.site {
                check_text("site", s, true)?;
                next.site = s.trim().to_string();
            }
            if let Some(c) = &f.contact {
                if let Some(c) = c {
                    check_text("contact", c, false)?;
                }
                next.contact = c.as_deref().map(str::trim).map(String::from);
            }
            if let Some(s) = f.status {
                if s == WorkOrderStatus::Done {
                    return Err(DomainError::invalid(
                        "status",
                        "a work order is done when the customer signs off",
                    ));
                }
                if w.status == WorkOrderStatus::Done && s != WorkOrderStatus::Done {
                    return Err(DomainError::invalid(
                        "status",
                        "a signed-off work order stays done",
                    ));
                }
                next.status = s;
            }
        }
        Change::CheckItem(c) => {
            refuse_if_closed(w)?;
            let item = item_mut(&mut next, c.item_id)?;
            if let Some(r) = &c.reading {
                check_text("reading", r, false)?;
            }
            item.done = c.done;
            item.reading = c
                .reading
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(String::from);
            started(&mut next);
        }
        Change::AddItemPhoto(p) => {
            refuse_if_closed(w)?;
            if !files.has_id(p.attachment_id) {
                return Err(DomainError::NotFound(format!(
                    "no file {} on this ticket; attach the photo to the ticket first",
                    p.attachment_id
                )));
            }
            let item = item_mut(&mut next, p.item_id)?;
            if item.photos.contains(&p.attachment_id) {
                return Ok(None);
            }
            item.photos.push(p.attachment_id);
            started(&mut next);
        }
        Change::UsePart(p) => {
            refuse_if_closed(w)?;
            validate_part(p)?;
            check_text("part", &p.name, true)?;
            check_text("unit", &p.unit, true)?;
            if next.parts.iter().any(|x| x.id == p.id) {
                return Ok(None);
            }
            next.parts.push(p.clone());
            started(&mut next);
        }
        Change::LogTime(t) => {
            if w.status == WorkOrderStatus::Cancelled {
                return Err(DomainError::invalid(
                    "work order",
                    "the work order is cancelled; log no time on it",
                ));
            }
            validate_minutes(t.minutes)?;
            if next.time.iter().any(|x| x.id == t.id) {
                return Ok(None);
            }
            next.time.push(TimeEntry {
                id: t.id,
                kind: t.kind,
                minutes: t.minutes,
                by: actor.id,
                at,
            });
        }
        Change::SignOff(s) => {
            if w.signoff.is_some() {
                return Err(DomainError::invalid(
                    "sign-off",
                    "the customer has signed this work order off already",
                ));
            }
            refuse_if_closed(w)?;
            check_text("signer", &s.signer, true)?;
            let sha = s.signature_sha256.to_ascii_lowercase();
            if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(DomainError::invalid(
                    "signature",
                    "the signature is an attached image, named by its SHA-256 (64 hex digits)",
                ));
            }
            if !files.has_sha(&sha) {
                return Err(DomainError::NotFound(
                    "the signature is not a file of this ticket; attach the image to the ticket first"
                        .into(),
                ));
            }
            w.check_signoff()?;
            next.signoff = Some(SignOff {
                signer: s.signer.trim().to_string(),
                signature_sha256: sha,
                at,
            });
            next.status = WorkOrderStatus::Done;
        }
        _ => {
            return Err(DomainError::invalid("entity", "not a work-order change"));
        }
    }
    Ok((next != *w).then_some(next))
}

fn refuse_if_closed(w: &WorkOrder) -> Result<(), DomainError> {
    if matches!(w.status, WorkOrderStatus::Done | WorkOrderStatus::Cancelled) {
        return Err(DomainError::invalid(
            "work order",
            format!("the work order is {}; it no longer changes", w.status),
        ));
    }
    Ok(())
}

/// The first thing done on site moves a scheduled visit to in progress.
fn started(w: &mut WorkOrder) {
    if w.status == WorkOrderStatus::Scheduled {
        w.status = WorkOrderStatus::InProgress;
    }
}

fn item_mut(w: &mut WorkOrder, item: Uuid) -> Result<&mut ChecklistItem, DomainError> {
    w.checklist
        .iter_mut()
        .find(|i| i.id == item)
        .ok_or_else(|| {
            DomainError::NotFound(format!("no checklist item {item} on this work order"))
        })
}

/// The server's decision on a pushed op: [`apply_work_order`] against its copy, with
/// last-writer-wins per field and per checklist item by the op's clock.
pub fn merge_work_order(
    doc: Option<&WorkOrderDoc>,
    ticket: Option<&Ticket>,
    files: TicketFiles<'_>,
    op: &Op,
    ctx: &Context<'_>,
) -> Result<Option<WorkOrderDoc>, DomainError> {
    let stamp = Stamp {
        hlc: op.hlc.clone(),
        device_id: op.device_id,
    };
    let current = doc.map(|d| &d.work_order);
    let clocks = doc.map(|d| d.clocks.clone()).unwrap_or_default();
    let won = |name: &str| clocks.get(name).is_none_or(|c| *c < stamp);
    // Checked whole first: a refusal refuses the op even where a part of it lost.
    let Some(_) = apply_work_order(current, ticket, files, op.entity_id, &op.change, op.at, ctx)?
    else {
        return Ok(None);
    };
    let (change, written): (Change, Vec<String>) = match &op.change {
        Change::UpdateWorkOrder(f) => {
            let kept = WorkOrderFields {
                technician_id: f.technician_id.filter(|_| won("technician")),
                starts_at: f.starts_at.filter(|_| won("starts_at")),
                ends_at: f.ends_at.filter(|_| won("ends_at")),
                site: f.site.clone().filter(|_| won("site")),
                contact: f.contact.clone().filter(|_| won("contact")),
                status: f.status.filter(|_| won("status")),
            };
            if kept == WorkOrderFields::default() {
                return Ok(None);
            }
            let names = [
                ("technician", kept.technician_id.is_some()),
                ("starts_at", kept.starts_at.is_some()),
                ("ends_at", kept.ends_at.is_some()),
                ("site", kept.site.is_some()),
                ("contact", kept.contact.is_some()),
                ("status", kept.status.is_some()),
            ]
            .into_iter()
            .filter(|(_, set)| *set)
            .map(|(n, _)| n.to_string())
            .collect();
            (Change::UpdateWorkOrder(kept), names)
        }
        Change::CheckItem(c) => {
            let name = format!("item:{}", c.item_id);
            if !won(&name) {
                return Ok(None);
            }
            (op.change.clone(), vec![name])
        }
        other => (other.clone(), Vec::new()),
    };
    let Some(next) = apply_work_order(current, ticket, files, op.entity_id, &change, op.at, ctx)?
    else {
        return Ok(None);
    };
    let mut clocks = clocks;
    for name in written {
        clocks.insert(name, stamp.clone());
    }
    Ok(Some(WorkOrderDoc {
        work_order: next,
        clocks,
    }))
}

/// A work order as `viewer` may see it: customers never see time entries nor the ids of
/// checklist photos (the photos they may see reach them with the ticket's public comments).
pub fn redact_work_order(viewer: &User, w: &WorkOrder) -> WorkOrder {
    if crate::permission::can_see_internal(viewer) {
        return w.clone();
    }
    let mut out = w.clone();
    out.time.clear();
    for item in &mut out.checklist {
        item.photos.clear();
    }
    out
}
