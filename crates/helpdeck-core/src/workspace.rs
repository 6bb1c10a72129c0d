//! Workspace rules an admin changes: the SLA targets, the business calendar (time zone,
//! working hours, holidays), the ticket categories and the lifecycle windows.
//!
//! One function decides every such change — [`change_rules`] — whether it is made in the
//! app or the CLI on a local workspace, or sent by an admin's app to a server (which then
//! hands the new rules to every replica with its next pull).

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::sla::{Calendar, CalendarSpec, PolicyChange, PriorityTargets, SlaPolicy};
use crate::sync::{SlaRules, WorkspaceRules};
use crate::user::{Role, User};

/// Longest category name, in characters.
pub const MAX_CATEGORY_CHARS: usize = 40;
/// Most categories a workspace may have.
pub const MAX_CATEGORIES: usize = 50;
/// Allowed reopen windows, in days (0 = a closed ticket cannot be reopened).
pub const REOPEN_WINDOW_DAYS: std::ops::RangeInclusive<i64> = 0..=365;
/// Allowed auto-close delays, in days.
pub const AUTO_CLOSE_DAYS: std::ops::RangeInclusive<i64> = 1..=90;
/// Most holidays a calendar may list.
pub const MAX_HOLIDAYS: usize = 400;

/// One change of the workspace rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RulesChange {
    /// One priority's targets and/or the warning thresholds (`sla policy set`).
    Policy(PolicyChange),
    /// The whole target table and the warning thresholds at once (the app's SLA form).
    Targets {
        targets: Vec<PriorityTargets>,
        warning_threshold_pct: u8,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        warning_min_left_minutes: i64,
    },
    /// The business calendar: its time zone (also the workspace's), working windows and
    /// holidays.
    Calendar { calendar: CalendarSpec },
    /// The categories offered for new tickets (tickets keep a category that is removed).
    Categories { categories: Vec<String> },
    /// How long a closed ticket can be reopened and when resolved tickets close by themselves.
    Lifecycle {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        reopen_window_days: i64,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        auto_close_days: i64,
    },
    /// Adds an assignment rule at a 1-based position (none: last).
    AddAssignmentRule {
        rule: crate::routing::AssignmentRule,
        #[serde(default)]
        position: Option<usize>,
    },
    /// Removes the assignment rule of that name.
    RemoveAssignmentRule { name: String },
    /// Adds an escalation rule.
    AddEscalationRule {
        rule: crate::escalation::rules::EscalationRule,
    },
    /// Removes the escalation rule of that name.
    RemoveEscalationRule { name: String },
    /// Shares a view (replacing a shared view of the same name).
    SaveView { view: crate::views::SavedView },
    /// Stops sharing the view of that name.
    DeleteView { name: String },
    /// Adds a maintenance plan (the server's jobs make its visits ahead of time).
    AddPlan {
        plan: crate::workorder::MaintenancePlan,
    },
    /// Removes the maintenance plan of that name (visits already made stay).
    RemovePlan { name: String },
    /// Adds a checklist template, or replaces the one of the same name.
    SaveChecklist {
        template: crate::workorder::ChecklistTemplate,
    },
    /// Removes the checklist template of that name (work orders keep their checklists).
    RemoveChecklist { name: String },
    /// Adds a part to the catalogue, or renames the one with the same code.
    SavePart { part: crate::workorder::Part },
    /// Removes the part with that code from the catalogue (uses already made stay).
    RemovePart { code: String },
}

/// `items` without the one named `name` (any case), or an error naming the ones there are —
/// for every named list the rules keep (assignment and escalation rules, shared views).
pub(crate) fn remove_named<T: Clone>(
    items: &[T],
    name: &str,
    name_of: impl Fn(&T) -> &str,
    field: &'static str,
    what: &str,
) -> Result<Vec<T>, DomainError> {
    let next: Vec<T> = items
        .iter()
        .filter(|i| !name_of(i).eq_ignore_ascii_case(name.trim()))
        .cloned()
        .collect();
    if next.len() == items.len() {
        return Err(not_named(field, what, name, items.iter().map(name_of)));
    }
    Ok(next)
}

/// "No {what} named …", listing the names there are.
pub(crate) fn not_named<'a>(
    field: &'static str,
    what: &str,
    name: &str,
    names: impl Iterator<Item = &'a str>,
) -> DomainError {
    let names: Vec<&str> = names.collect();
    DomainError::invalid(
        field,
        if names.is_empty() {
            format!("no {what} named {name:?} (there are none yet)")
        } else {
            format!("no {what} named {name:?} ({what}s: {})", names.join(", "))
        },
    )
}

impl RulesChange {
    /// Does the change name teams or people (a rule), to be checked against the directory?
    pub fn names_people(&self) -> bool {
        matches!(
            self,
            RulesChange::AddAssignmentRule { .. }
                | RulesChange::AddEscalationRule { .. }
                | RulesChange::SaveView { .. }
                | RulesChange::AddPlan { .. }
        )
    }
}

/// Refuses a rule naming a team or a person the workspace lacks (`teams`: names; `staff`:
/// emails of agents and admins) — asked by the server and by a local workspace alike.
pub fn check_references(
    change: &RulesChange,
    teams: &[String],
    staff: &[String],
) -> Result<(), DomainError> {
    match change {
        RulesChange::AddAssignmentRule { rule, .. } => {
            crate::routing::check_references(rule, teams, staff)
        }
        RulesChange::AddEscalationRule { rule } => {
            crate::escalation::rules::check_references(rule, teams, staff)
        }
        RulesChange::AddPlan { plan } => match &plan.technician {
            Some(email) if !staff.iter().any(|s| s.eq_ignore_ascii_case(email.trim())) => {
                Err(DomainError::invalid(
                    "technician",
                    format!("no agent or admin {email} in this workspace"),
                ))
            }
            _ => Ok(()),
        },
        RulesChange::SaveView { view } => match &view.team {
            Some(team) if !teams.iter().any(|t| t.eq_ignore_ascii_case(team)) => {
                Err(DomainError::invalid(
                    "team",
                    format!("no team named {team:?} (teams: {})", teams.join(", ")),
                ))
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Decides `change` by `actor` against the current `rules`: admins only, every value
/// checked, the result complete (a policy and a calendar are always present).
pub fn change_rules(
    actor: &User,
    rules: &WorkspaceRules,
    default_sla: impl FnOnce() -> SlaRules,
    change: &RulesChange,
) -> Result<WorkspaceRules, DomainError> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only admins change the workspace rules (SLA, calendar, categories, assignment and escalation rules, shared views)"
                .into(),
        ));
    }
    let mut next = rules.clone();
    let sla = next.sla.get_or_insert_with(default_sla);
    match change {
        RulesChange::Policy(c) => sla.policy = c.apply_to(&sla.policy)?,
        RulesChange::Targets {
            targets,
            warning_threshold_pct,
            warning_min_left_minutes,
        } => {
            let policy = SlaPolicy {
                targets: targets.clone(),
                warning_threshold_pct: *warning_threshold_pct,
                warning_min_left_minutes: *warning_min_left_minutes,
                ..sla.policy.clone()
            };
            policy.validate()?;
            sla.policy = policy;
        }
        RulesChange::Calendar { calendar } => sla.calendar = validate_calendar(calendar)?,
        RulesChange::Categories { categories } => {
            next.categories = validate_categories(categories)?;
        }
        RulesChange::Lifecycle {
            reopen_window_days,
            auto_close_days,
        } => {
            if !REOPEN_WINDOW_DAYS.contains(reopen_window_days) {
                return Err(DomainError::invalid(
                    "reopen_window_days",
                    format!(
                        "{reopen_window_days} days (allowed: {} to {})",
                        REOPEN_WINDOW_DAYS.start(),
                        REOPEN_WINDOW_DAYS.end()
                    ),
                ));
            }
            if !AUTO_CLOSE_DAYS.contains(auto_close_days) {
                return Err(DomainError::invalid(
                    "auto_close_days",
                    format!(
                        "{auto_close_days} days (allowed: {} to {})",
                        AUTO_CLOSE_DAYS.start(),
                        AUTO_CLOSE_DAYS.end()
                    ),
                ));
            }
            next.reopen_window_days = *reopen_window_days;
            next.auto_close_days = *auto_close_days;
        }
        RulesChange::AddAssignmentRule { rule, position } => {
            next.assignment = crate::routing::add_rule(&next.assignment, rule.clone(), *position)?;
        }
        RulesChange::RemoveAssignmentRule { name } => {
            next.assignment = crate::routing::remove_rule(&next.assignment, name)?;
        }
        RulesChange::AddEscalationRule { rule } => {
            next.escalation = crate::escalation::rules::add_rule(&next.escalation, rule.clone())?;
        }
        RulesChange::RemoveEscalationRule { name } => {
            next.escalation = crate::escalation::rules::remove_rule(&next.escalation, name)?;
        }
        RulesChange::SaveView { view } => {
            next.views = crate::views::save_shared(&next.views, view.clone())?;
        }
        RulesChange::DeleteView { name } => {
            next.views = crate::views::delete_shared(&next.views, name)?;
        }
        RulesChange::AddPlan { plan } => {
            next.plans = crate::workorder::add_plan(&next.plans, plan.clone())?;
        }
        RulesChange::RemovePlan { name } => {
            next.plans = remove_named(&next.plans, name, |p| p.name.as_str(), "plan", "plan")?;
        }
        RulesChange::SaveChecklist { template } => {
            next.checklists = crate::workorder::save_template(&next.checklists, template.clone())?;
        }
        RulesChange::RemoveChecklist { name } => {
            next.checklists = remove_named(
                &next.checklists,
                name,
                |t| t.name.as_str(),
                "checklist",
                "checklist template",
            )?;
        }
        RulesChange::SavePart { part } => {
            next.parts = crate::workorder::save_part(&next.parts, part.clone())?;
        }
        RulesChange::RemovePart { code } => {
            next.parts = remove_named(&next.parts, code, |p| p.code.as_str(), "part", "part")?;
        }
    }
    Ok(next)
}

/// A calendar as stored: valid ([`Calendar::new`]), a name, at most one window list per
/// weekday sorted, holidays sorted without repeats.
pub fn validate_calendar(spec: &CalendarSpec) -> Result<CalendarSpec, DomainError> {
    let mut spec = spec.clone();
    spec.name = spec.name.trim().to_string();
    if spec.name.is_empty() {
        spec.name = if spec.always_open {
            "24×7".into()
        } else {
            "Business hours".into()
        };
    }
    spec.timezone = spec.timezone.trim().to_string();
    spec.windows.sort_by_key(|w| (w.weekday, w.start));
    for pair in spec.windows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let a_end = if a.end == jiff::civil::Time::midnight() {
            jiff::civil::Time::MAX
        } else {
            a.end
        };
        if a.weekday == b.weekday && b.start < a_end {
            return Err(DomainError::invalid(
                "windows",
                format!(
                    "two windows overlap on weekday {} ({}–{} and {}–{}); windows of one day must not overlap",
                    a.weekday, a.start, a.end, b.start, b.end
                ),
            ));
        }
    }
    spec.holidays.sort();
    spec.holidays.dedup();
    if spec.holidays.len() > MAX_HOLIDAYS {
        return Err(DomainError::invalid(
            "holidays",
            format!(
                "{} holidays (allowed: at most {MAX_HOLIDAYS})",
                spec.holidays.len()
            ),
        ));
    }
    Calendar::new(spec.clone())?;
    Ok(spec)
}

/// Categories as stored: trimmed, 1–40 characters, no commas, no repeats (ignoring case),
/// 1–50 of them, in the order given.
pub fn validate_categories(categories: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::with_capacity(categories.len());
    for c in categories {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        if c.chars().count() > MAX_CATEGORY_CHARS || c.contains(',') {
            return Err(DomainError::invalid(
                "categories",
                format!(
                    "'{c}' is not a category name (allowed: 1 to {MAX_CATEGORY_CHARS} characters, no commas)"
                ),
            ));
        }
        if out.iter().any(|o| o.to_lowercase() == c.to_lowercase()) {
            return Err(DomainError::invalid(
                "categories",
                format!("'{c}' is listed twice (each category once)"),
            ));
        }
        out.push(c.to_string());
    }
    if out.is_empty() || out.len() > MAX_CATEGORIES {
        return Err(DomainError::invalid(
            "categories",
            format!("{} categories (allowed: 1 to {MAX_CATEGORIES})", out.len()),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::WorkingWindow;
    use crate::ticket::Priority;
    use jiff::civil::{Time, date};
    use uuid::Uuid;

    fn admin(role: Role) -> User {
        User {
            role,
            ..User::system()
        }
    }

    fn rules() -> WorkspaceRules {
        WorkspaceRules {
            categories: vec!["hardware".into(), "other".into()],
            reopen_window_days: 14,
            auto_close_days: 3,
            sla: None,
            assignment: vec![],
            escalation: vec![],
            views: vec![],
            plans: vec![],
            checklists: vec![],
            parts: vec![],
        }
    }

    fn default_sla() -> SlaRules {
        SlaRules {
            policy: SlaPolicy::defaults(Uuid::from_u128(2)),
            calendar: CalendarSpec::business_hours("Asia/Shanghai"),
        }
    }

    #[test]
    fn only_admins_change_rules() {
        let change = RulesChange::Categories {
            categories: vec!["printers".into()],
        };
        for role in [Role::Agent, Role::Customer] {
            let err = change_rules(&admin(role), &rules(), default_sla, &change).unwrap_err();
            assert_eq!(err.code(), "forbidden");
        }
        let next = change_rules(&admin(Role::Admin), &rules(), default_sla, &change).unwrap();
        assert_eq!(next.categories, vec!["printers"]);
        assert!(
            next.sla.is_some(),
            "the result always carries the SLA rules"
        );
    }

    #[test]
    fn categories_are_trimmed_unique_and_bounded() {
        let ok = validate_categories(&[" Printers ".into(), "".into(), "VPN".into()]).unwrap();
        assert_eq!(ok, vec!["Printers", "VPN"]);
        let twice = validate_categories(&["VPN".into(), "vpn".into()]).unwrap_err();
        assert!(twice.to_string().contains("listed twice"), "{twice}");
        assert!(validate_categories(&[]).is_err());
        assert!(validate_categories(&["a,b".into()]).is_err());
        assert!(validate_categories(&["x".repeat(41)]).is_err());
    }

    #[test]
    fn targets_replace_the_table_and_are_validated() {
        let mut targets = SlaPolicy::defaults(Uuid::nil()).targets;
        targets[0].first_response.minutes = 15;
        let change = RulesChange::Targets {
            targets: targets.clone(),
            warning_threshold_pct: 80,
            warning_min_left_minutes: 10,
        };
        let next = change_rules(&admin(Role::Admin), &rules(), default_sla, &change).unwrap();
        let policy = next.sla.unwrap().policy;
        assert_eq!(policy.targets_for(Priority::P1).first_response.minutes, 15);
        assert_eq!(policy.warning_threshold_pct, 80);
        targets.pop();
        let missing = RulesChange::Targets {
            targets,
            warning_threshold_pct: 80,
            warning_min_left_minutes: 10,
        };
        let err = change_rules(&admin(Role::Admin), &rules(), default_sla, &missing).unwrap_err();
        assert!(err.to_string().contains("P4"), "{err}");
    }

    #[test]
    fn calendars_are_checked_and_normalised() {
        let mut cal = CalendarSpec::business_hours("Europe/Berlin");
        cal.holidays = vec![date(2026, 12, 25), date(2026, 12, 24), date(2026, 12, 25)];
        let out = validate_calendar(&cal).unwrap();
        assert_eq!(out.holidays, vec![date(2026, 12, 24), date(2026, 12, 25)]);
        let mut overlap = cal.clone();
        overlap.windows.push(WorkingWindow::new(
            1,
            Time::constant(12, 0, 0, 0),
            Time::constant(18, 0, 0, 0),
        ));
        let err = validate_calendar(&overlap).unwrap_err();
        assert!(err.to_string().contains("overlap"), "{err}");
        let mut zone = cal.clone();
        zone.timezone = "Mars/Base".into();
        assert_eq!(
            validate_calendar(&zone).unwrap_err().field(),
            Some("timezone")
        );
    }

    #[test]
    fn lifecycle_windows_have_ranges() {
        let change = |reopen, close| RulesChange::Lifecycle {
            reopen_window_days: reopen,
            auto_close_days: close,
        };
        let a = admin(Role::Admin);
        assert!(change_rules(&a, &rules(), default_sla, &change(30, 5)).is_ok());
        let err = change_rules(&a, &rules(), default_sla, &change(30, 0)).unwrap_err();
        assert_eq!(err.field(), Some("auto_close_days"));
        let err = change_rules(&a, &rules(), default_sla, &change(400, 3)).unwrap_err();
        assert_eq!(err.field(), Some("reopen_window_days"));
    }
}
