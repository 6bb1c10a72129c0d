//! Preventive maintenance (spec §3.1, seed 004's inspection routes): a plan visits a site or
//! an asset every N days, weeks or months; the server's jobs create each visit's ticket and
//! work order ahead of time. The ids of a visit's ticket, work order and ops derive from the
//! plan and the visit's number, so two server processes that find the same visit due make the
//! same ops, and the second is a duplicate: exactly one visit per period.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{TemplateItem, WorkOrderDraft};
use crate::Timestamp;
use crate::error::DomainError;
use crate::op::{Change, TicketDraft};

crate::ticket::vocabulary!(
    /// The unit of a plan's period.
    PeriodUnit, "period unit", {
        Day => "day",
        Week => "week",
        Month => "month",
    }
);

/// A maintenance plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MaintenancePlan {
    pub id: Uuid,
    /// Unique in the workspace (ignoring case).
    pub name: String,
    /// The title of each visit's ticket.
    pub title: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The asset visited (its name or serial); its tickets are its service history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// The technician's email (an agent or admin of the workspace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technician: Option<String>,
    /// Every `every` `unit`s.
    pub every: u32,
    pub unit: PeriodUnit,
    /// The first visit's day, and the time of day every visit starts (workspace time zone).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub first: Date,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: Time,
    /// How long a visit is scheduled for.
    pub hours: u32,
    /// How many days ahead a visit is created.
    pub lead_days: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<TemplateItem>,
}

/// The most visits one plan makes in one round (a plan whose first day is long past starts
/// with the recent ones, never with a flood).
const MAX_PER_ROUND: usize = 12;

impl MaintenancePlan {
    /// Checks a plan: names and texts, a period of 1–365 units, 1–24 hours, 0–60 lead days.
    pub fn validate(&self) -> Result<(), DomainError> {
        for (field, text) in [
            ("name", &self.name),
            ("title", &self.title),
            ("site", &self.site),
        ] {
            if text.trim().is_empty() || text.chars().count() > 200 {
                return Err(DomainError::invalid(
                    field,
                    format!("a plan's {field} is 1 to 200 characters"),
                ));
            }
        }
        if !(1..=365).contains(&self.every) {
            return Err(DomainError::invalid(
                "every",
                format!(
                    "a plan repeats every 1 to 365 {}s (got {})",
                    self.unit, self.every
                ),
            ));
        }
        if !(1..=24).contains(&self.hours) {
            return Err(DomainError::invalid(
                "hours",
                format!("a visit is 1 to 24 hours (got {})", self.hours),
            ));
        }
        if self.lead_days > 60 {
            return Err(DomainError::invalid(
                "lead days",
                format!(
                    "visits are made at most 60 days ahead (got {})",
                    self.lead_days
                ),
            ));
        }
        if !self.checklist.is_empty() {
            super::ChecklistTemplate {
                name: self.name.clone(),
                category: String::new(),
                items: self.checklist.clone(),
            }
            .validate()?;
        }
        Ok(())
    }

    /// The day of visit `k` (0 = the first).
    pub fn day(&self, k: u32) -> Option<Date> {
        let n = i64::from(self.every) * i64::from(k);
        let span = match self.unit {
            PeriodUnit::Day => jiff::Span::new().try_days(n).ok()?,
            PeriodUnit::Week => jiff::Span::new().try_weeks(n).ok()?,
            PeriodUnit::Month => jiff::Span::new().try_months(n).ok()?,
        };
        self.first.checked_add(span).ok()
    }

    /// When visit `k` starts, in the workspace's zone `tz`.
    pub fn start(&self, k: u32, tz: &jiff::tz::TimeZone) -> Option<Timestamp> {
        let dt = self.day(k)?.to_datetime(self.at);
        tz.to_ambiguous_timestamp(dt).compatible().ok()
    }

    /// The visits to make now: those starting from a day ago up to `lead_days` ahead
    /// (at most [`MAX_PER_ROUND`]). Making one that exists is a no-op.
    pub fn due(&self, now: Timestamp, tz: &jiff::tz::TimeZone) -> Vec<u32> {
        let from = now - jiff::SignedDuration::from_hours(24);
        let to = now + jiff::SignedDuration::from_hours(24 * i64::from(self.lead_days));
        let mut out = Vec::new();
        for k in 0..10_000u32 {
            let Some(start) = self.start(k, tz) else {
                break;
            };
            if start > to {
                break;
            }
            if start >= from {
                out.push(k);
                if out.len() == MAX_PER_ROUND {
                    break;
                }
            }
        }
        out
    }

    /// Visit `k`'s ticket, work order and their ops' ids.
    pub fn visit_ids(&self, k: u32) -> VisitIds {
        let id = |what: &str| Uuid::new_v5(&self.id, format!("visit/{k}/{what}").as_bytes());
        VisitIds {
            ticket: id("ticket"),
            work_order: id("work-order"),
            ticket_op: id("ticket-op"),
            work_order_op: id("work-order-op"),
        }
    }

    /// Visit `k` as the two changes that make it: its ticket, then its work order
    /// (`technician`: the plan's technician as the workspace knows them now).
    pub fn visit(
        &self,
        k: u32,
        tz: &jiff::tz::TimeZone,
        technician: Option<Uuid>,
    ) -> Option<(Change, Change)> {
        let starts_at = self.start(k, tz)?;
        let ids = self.visit_ids(k);
        let title = match &self.asset {
            Some(a) => format!("{} — {a}", self.title),
            None => self.title.clone(),
        };
        let ticket = Change::CreateTicket(TicketDraft {
            title,
            description: format!(
                "{} ({})",
                self.name,
                self.day(k).map(|d| d.to_string()).unwrap_or_default()
            ),
            kind: Some(crate::ticket::Kind::Request),
            assignee_id: technician,
            site: Some(self.site.clone()),
            ..TicketDraft::default()
        });
        let work_order = Change::CreateWorkOrder(WorkOrderDraft {
            ticket_id: ids.ticket,
            technician_id: technician,
            starts_at,
            ends_at: starts_at + jiff::SignedDuration::from_hours(i64::from(self.hours)),
            site: self.site.clone(),
            contact: self.contact.clone(),
            checklist: self.checklist.clone(),
        });
        Some((ticket, work_order))
    }
}

/// The ids of one visit of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitIds {
    pub ticket: Uuid,
    pub work_order: Uuid,
    pub ticket_op: Uuid,
    pub work_order_op: Uuid,
}

/// `plans` with `plan` added (its name unused, ignoring case).
pub fn add_plan(
    plans: &[MaintenancePlan],
    plan: MaintenancePlan,
) -> Result<Vec<MaintenancePlan>, DomainError> {
    plan.validate()?;
    if plans
        .iter()
        .any(|p| p.name.trim().eq_ignore_ascii_case(plan.name.trim()))
    {
        return Err(DomainError::invalid(
            "name",
            format!("a plan named {:?} exists already", plan.name.trim()),
        ));
    }
    let mut out = plans.to_vec();
    out.push(plan);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> MaintenancePlan {
        MaintenancePlan {
            id: Uuid::now_v7(),
            name: "UPS quarterly".into(),
            title: "UPS inspection".into(),
            site: "Server room".into(),
            contact: None,
            asset: Some("UPS-3F".into()),
            technician: None,
            every: 3,
            unit: PeriodUnit::Month,
            first: "2026-01-31".parse().unwrap(),
            at: "09:00".parse().unwrap(),
            hours: 2,
            lead_days: 14,
            checklist: Vec::new(),
        }
    }

    #[test]
    fn months_clamp_to_the_end_of_a_shorter_month_and_visits_are_due_ahead() {
        let p = plan();
        assert_eq!(p.day(1).unwrap().to_string(), "2026-04-30");
        assert_eq!(p.day(4).unwrap().to_string(), "2027-01-31");
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let now: Timestamp = "2026-04-20T00:00:00Z".parse().unwrap();
        assert_eq!(p.due(now, &tz), vec![1], "14 days ahead");
        let later: Timestamp = "2026-05-10T00:00:00Z".parse().unwrap();
        assert!(
            p.due(later, &tz).is_empty(),
            "a past visit is not made again later"
        );
        // The same ids for the same visit, on every server.
        assert_eq!(p.visit_ids(1), p.visit_ids(1));
        assert_ne!(p.visit_ids(1).ticket, p.visit_ids(2).ticket);
    }

    #[test]
    fn a_plan_is_checked_and_names_are_unique() {
        let mut p = plan();
        p.every = 0;
        assert!(p.validate().unwrap_err().to_string().contains("1 to 365"));
        let plans = add_plan(&[], plan()).unwrap();
        let err = add_plan(&plans, plan()).unwrap_err().to_string();
        assert!(err.contains("exists already"), "{err}");
    }
}
