//! Field work orders (spec §3.1 "Work order", issue 15) — the model and its rules, decided
//! here for every side: a visit on a ticket with a scheduled window, a site and its contact, a
//! checklist from the category's template (items may need a photo or a reading), parts used
//! from the catalogue, travel and work time, and the customer's sign-off.
//!
//! This module holds the state and the pure rules (validation, what is still missing before
//! sign-off, time totals); `decide` holds the typed changes and how every side decides them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::error::DomainError;

mod decide;
mod plan;
pub use decide::*;
pub use plan::*;

/// The longest a scheduled visit may be.
pub const MAX_WINDOW_HOURS: i64 = 24 * 14;
/// The most minutes one time entry may hold (a day).
pub const MAX_ENTRY_MINUTES: u32 = 24 * 60;
/// The most items a checklist may have.
pub const MAX_CHECKLIST_ITEMS: usize = 100;

crate::ticket::vocabulary!(
    /// Where a visit is.
    WorkOrderStatus, "work order status", {
        Scheduled => "scheduled",
        InProgress => "in_progress",
        Done => "done",
        Cancelled => "cancelled",
    }
);

crate::ticket::vocabulary!(
    /// What kind of time an entry is.
    TimeKind, "time kind", {
        Travel => "travel",
        Work => "work",
    }
);

/// What a checklist item needs besides a tick.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    None,
    /// At least one photo.
    Photo,
    /// A reading, in this unit (e.g. "V", "kPa").
    Reading {
        unit: String,
    },
}

/// One item of a checklist as done on site.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub id: Uuid,
    pub text: String,
    pub evidence: Evidence,
    pub done: bool,
    pub reading: Option<String>,
    /// Attachment ids of its photos.
    pub photos: Vec<Uuid>,
}

/// A part used, from the catalogue (code, name and unit copied when used).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartUse {
    /// This use (two devices adding the same part add two uses).
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub quantity: u32,
}

/// Time spent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub id: Uuid,
    pub kind: TimeKind,
    pub minutes: u32,
    pub by: Uuid,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: Timestamp,
}

/// The customer's sign-off: who signed, their drawn signature (an attachment), when.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub signer: String,
    pub signature_sha256: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: Timestamp,
}

/// A visit on a ticket.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrder {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub technician_id: Option<Uuid>,
    pub status: WorkOrderStatus,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub ends_at: Timestamp,
    pub site: String,
    pub contact: Option<String>,
    pub checklist: Vec<ChecklistItem>,
    pub parts: Vec<PartUse>,
    pub time: Vec<TimeEntry>,
    pub signoff: Option<SignOff>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: Timestamp,
}

/// What still stands between a visit and its sign-off (the Today view shows these).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missing {
    /// An item not ticked.
    Item { id: Uuid, text: String },
    /// An item that needs a photo and has none.
    Photo { id: Uuid, text: String },
    /// An item that needs a reading and has none.
    Reading {
        id: Uuid,
        text: String,
        unit: String,
    },
    /// No work time logged.
    WorkTime,
    /// Not signed off yet.
    SignOff,
}

/// A part in the workspace's catalogue (what a part used is chosen from).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub code: String,
    pub name: String,
    pub unit: String,
}

impl Part {
    /// A use of this part, its code, name and unit copied (a later catalogue change does not
    /// rewrite past visits).
    pub fn used(&self, id: Uuid, quantity: u32) -> Result<PartUse, DomainError> {
        let used = PartUse {
            id,
            code: self.code.clone(),
            name: self.name.clone(),
            unit: self.unit.clone(),
            quantity,
        };
        validate_part(&used)?;
        Ok(used)
    }
}

/// One item of a checklist template.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateItem {
    pub text: String,
    pub evidence: Evidence,
}

impl TemplateItem {
    /// An item as a person types it: `Text [photo]` (needs a photo), `Text [reading:V]`
    /// (needs a reading in volts) or plain text.
    pub fn parse(text: &str) -> Result<TemplateItem, DomainError> {
        let t = text.trim();
        if let Some(rest) = t.strip_suffix(']')
            && let Some((body, tag)) = rest.rsplit_once('[')
        {
            let evidence = match tag.trim() {
                "photo" => Evidence::Photo,
                r if r.starts_with("reading:") => Evidence::Reading {
                    unit: r["reading:".len()..].trim().to_string(),
                },
                other => {
                    return Err(DomainError::invalid(
                        "item",
                        format!(
                            "{t}: [{other}] is not an item kind (allowed: [photo], [reading:UNIT])"
                        ),
                    ));
                }
            };
            return Ok(TemplateItem {
                text: body.trim().to_string(),
                evidence,
            });
        }
        Ok(TemplateItem {
            text: t.to_string(),
            evidence: Evidence::None,
        })
    }
}

/// The checklist an admin defines for a ticket category.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistTemplate {
    pub name: String,
    pub category: String,
    pub items: Vec<TemplateItem>,
}

impl ChecklistTemplate {
    /// Checks the template: a name, 1 to [`MAX_CHECKLIST_ITEMS`] items with text, units for
    /// readings.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::required("name", "a template needs a name"));
        }
        if self.items.is_empty() || self.items.len() > MAX_CHECKLIST_ITEMS {
            return Err(DomainError::invalid(
                "items",
                format!(
                    "a checklist has 1 to {MAX_CHECKLIST_ITEMS} items (got {})",
                    self.items.len()
                ),
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            if item.text.trim().is_empty() || item.text.chars().count() > 200 {
                return Err(DomainError::invalid(
                    "items",
                    format!("item {} must be 1 to 200 characters", i + 1),
                ));
            }
            if let Evidence::Reading { unit } = &item.evidence
                && (unit.trim().is_empty() || unit.chars().count() > 12)
            {
                return Err(DomainError::invalid(
                    "items",
                    format!(
                        "item {}: a reading needs a unit of 1 to 12 characters",
                        i + 1
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A fresh checklist from the template (ids from `new_id`, so a replay gives the same).
    pub fn checklist(&self, mut new_id: impl FnMut() -> Uuid) -> Vec<ChecklistItem> {
        self.items
            .iter()
            .map(|t| ChecklistItem {
                id: new_id(),
                text: t.text.clone(),
                evidence: t.evidence.clone(),
                done: false,
                reading: None,
                photos: Vec::new(),
            })
            .collect()
    }
}

/// `templates` with `template` saved: checked, replacing the one of the same name (any
/// case); one template per category.
pub fn save_template(
    templates: &[ChecklistTemplate],
    template: ChecklistTemplate,
) -> Result<Vec<ChecklistTemplate>, DomainError> {
    template.validate()?;
    let same = |t: &ChecklistTemplate| t.name.trim().eq_ignore_ascii_case(template.name.trim());
    if !template.category.trim().is_empty()
        && let Some(other) = templates.iter().find(|t| {
            !same(t)
                && t.category
                    .trim()
                    .eq_ignore_ascii_case(template.category.trim())
        })
    {
        return Err(DomainError::invalid(
            "category",
            format!(
                "the category {:?} has the template {:?} already (one per category)",
                template.category.trim(),
                other.name
            ),
        ));
    }
    let mut out: Vec<ChecklistTemplate> = templates.iter().filter(|t| !same(t)).cloned().collect();
    out.push(template);
    Ok(out)
}

/// The template for tickets of `category`, if the workspace has one.
pub fn template_for<'a>(
    templates: &'a [ChecklistTemplate],
    category: &str,
) -> Option<&'a ChecklistTemplate> {
    templates
        .iter()
        .find(|t| t.category.trim().eq_ignore_ascii_case(category.trim()))
}

/// `parts` with `part` saved (checked; replacing the one with the same code, any case).
pub fn save_part(parts: &[Part], part: Part) -> Result<Vec<Part>, DomainError> {
    part.used(Uuid::nil(), 1)?;
    for (field, text) in [("name", &part.name), ("unit", &part.unit)] {
        if text.trim().is_empty() || text.chars().count() > 80 {
            return Err(DomainError::invalid(
                field,
                format!("a part's {field} is 1 to 80 characters"),
            ));
        }
    }
    let mut out: Vec<Part> = parts
        .iter()
        .filter(|p| !p.code.trim().eq_ignore_ascii_case(part.code.trim()))
        .cloned()
        .collect();
    out.push(part);
    Ok(out)
}

/// The end of the day `now` falls on in `tz` (the next midnight): where the technician's day
/// ends, for the app and the CLI alike.
pub fn tonight(now: Timestamp, tz: &jiff::tz::TimeZone) -> Timestamp {
    tz.to_datetime(now)
        .date()
        .tomorrow()
        .ok()
        .and_then(|d| {
            tz.to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .compatible()
                .ok()
        })
        .unwrap_or(now)
}

/// A technician's day: their visits that start before `to` (the end of today) and are not
/// done or cancelled — today's, and any left open from earlier days — earliest first, each
/// with what is still missing. The store's `today` query is this rule in SQL.
pub fn today<'a>(
    orders: impl IntoIterator<Item = &'a WorkOrder>,
    technician: Uuid,
    to: Timestamp,
) -> Vec<(&'a WorkOrder, Vec<Missing>)> {
    let mut day: Vec<&WorkOrder> = orders
        .into_iter()
        .filter(|w| w.technician_id == Some(technician))
        .filter(|w| {
            matches!(
                w.status,
                WorkOrderStatus::Scheduled | WorkOrderStatus::InProgress
            )
        })
        .filter(|w| w.starts_at < to)
        .collect();
    day.sort_by_key(|w| (w.starts_at, w.id));
    day.into_iter().map(|w| (w, w.missing())).collect()
}

/// Checks a scheduled window: it ends after it starts, within [`MAX_WINDOW_HOURS`].
pub fn validate_window(starts_at: Timestamp, ends_at: Timestamp) -> Result<(), DomainError> {
    if ends_at <= starts_at {
        return Err(DomainError::invalid(
            "window",
            format!("the visit must end after it starts ({starts_at} → {ends_at})"),
        ));
    }
    let hours = (ends_at.as_second() - starts_at.as_second()) / 3600;
    if hours > MAX_WINDOW_HOURS {
        return Err(DomainError::invalid(
            "window",
            format!("a visit lasts at most {MAX_WINDOW_HOURS} hours (this one {hours})"),
        ));
    }
    Ok(())
}

/// Checks a time entry's length.
pub fn validate_minutes(minutes: u32) -> Result<(), DomainError> {
    if minutes == 0 || minutes > MAX_ENTRY_MINUTES {
        return Err(DomainError::invalid(
            "minutes",
            format!("a time entry is 1 to {MAX_ENTRY_MINUTES} minutes (got {minutes})"),
        ));
    }
    Ok(())
}

/// Checks a part's quantity and its catalogue code.
pub fn validate_part(p: &PartUse) -> Result<(), DomainError> {
    if p.code.trim().is_empty() || p.code.chars().count() > 40 {
        return Err(DomainError::invalid(
            "part",
            "a part code is 1 to 40 characters".to_string(),
        ));
    }
    if p.quantity == 0 || p.quantity > 10_000 {
        return Err(DomainError::invalid(
            "quantity",
            format!("a quantity is 1 to 10,000 (got {})", p.quantity),
        ));
    }
    Ok(())
}

impl WorkOrder {
    /// Everything still missing before the customer signs off, in checklist order.
    pub fn missing(&self) -> Vec<Missing> {
        let mut out = Vec::new();
        for item in &self.checklist {
            match &item.evidence {
                Evidence::Photo if item.photos.is_empty() => out.push(Missing::Photo {
                    id: item.id,
                    text: item.text.clone(),
                }),
                Evidence::Reading { unit }
                    if item.reading.as_deref().is_none_or(|r| r.trim().is_empty()) =>
                {
                    out.push(Missing::Reading {
                        id: item.id,
                        text: item.text.clone(),
                        unit: unit.clone(),
                    })
                }
                _ if !item.done => out.push(Missing::Item {
                    id: item.id,
                    text: item.text.clone(),
                }),
                _ => {}
            }
        }
        if self.minutes(TimeKind::Work) == 0 {
            out.push(Missing::WorkTime);
        }
        if self.signoff.is_none() {
            out.push(Missing::SignOff);
        }
        out
    }

    /// Minutes logged of one kind.
    pub fn minutes(&self, kind: TimeKind) -> u32 {
        self.time
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.minutes)
            .sum()
    }

    /// May the customer sign off now? Only when nothing but the sign-off is missing.
    pub fn check_signoff(&self) -> Result<(), DomainError> {
        let missing: Vec<Missing> = self
            .missing()
            .into_iter()
            .filter(|m| *m != Missing::SignOff)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(DomainError::invalid(
            "sign-off",
            format!(
                "{} thing(s) are still missing: {}",
                missing.len(),
                missing
                    .iter()
                    .map(|m| match m {
                        Missing::Item { text, .. } => format!("tick \"{text}\""),
                        Missing::Photo { text, .. } => format!("a photo for \"{text}\""),
                        Missing::Reading { text, unit, .. } =>
                            format!("a reading ({unit}) for \"{text}\""),
                        Missing::WorkTime => "work time".to_string(),
                        Missing::SignOff => unreachable!("filtered out"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests;
