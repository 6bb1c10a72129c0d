//! Saved views (spec §3.1): a named filter and sort over the queue. A personal view lives on
//! the agent's device; a shared view is part of the workspace rules (an admin shares it with
//! everyone or with one team), so it reaches every agent's replica with the next pull and
//! works offline like every queue.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::status::Status;
use crate::ticket::{Kind, Priority, Tier};

/// Longest view name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// Most shared views a workspace keeps.
pub const MAX_SHARED: usize = 100;
/// Longest search text a view keeps.
pub const MAX_QUERY_CHARS: usize = 500;

crate::ticket::vocabulary!(
    /// A view's order.
    ViewSort, "sort", {
        Due => "due", Priority => "priority", Updated => "updated", Created => "created",
    }
);

crate::ticket::vocabulary!(
    /// Where tickets stand against their SLA now.
    SlaBucketName, "SLA bucket", {
        Breached => "breached", AtRisk => "at_risk",
    }
);

/// What a view shows: the queue's filters (every field optional: none narrows nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ViewFilter {
    /// Only these statuses (none: every open one, or every one with `all_statuses`).
    pub statuses: Vec<Status>,
    pub all_statuses: bool,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub tier: Option<Tier>,
    /// `me`, `none` (no agent), `unowned` (no agent, no team) or an agent's email.
    pub assignee: Option<String>,
    /// At risk or breached now.
    pub breaching: bool,
    pub sla_bucket: Option<SlaBucketName>,
    /// Search text (spec §7 syntax: words, "phrases", status: tag: org: ...).
    pub query: Option<String>,
    pub sort: Option<ViewSort>,
}

/// A saved view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedView {
    pub id: Uuid,
    pub name: String,
    /// Shared views: only this team's agents see it (none: every agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub filter: ViewFilter,
}

/// Checks a view: a short name, a filter whose texts are short and trimmed.
pub fn check_view(mut v: SavedView) -> Result<SavedView, DomainError> {
    v.name = v.name.trim().to_string();
    if v.name.is_empty() {
        return Err(DomainError::required("name", "give the view a name"));
    }
    if v.name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            "name",
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if let Some(team) = &v.team {
        v.team = Some(crate::people::validate_name("team", team)?);
    }
    let f = &mut v.filter;
    f.category = f
        .category
        .take()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    f.query = f
        .query
        .take()
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty());
    if f.query
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(DomainError::invalid(
            "query",
            format!("longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    f.assignee = match f.assignee.take().map(|a| a.trim().to_lowercase()) {
        None => None,
        Some(a) if a.is_empty() => None,
        Some(a) if ["me", "none", "unowned"].contains(&a.as_str()) => Some(a),
        Some(a) => Some(crate::user::validate_email(&a).map_err(|_| {
            DomainError::invalid(
                "assignee",
                format!("{a:?} (allowed: me, none, unowned or an agent's email)"),
            )
        })?),
    };
    Ok(v)
}

/// Adds or replaces (same name) a shared view.
pub fn save_shared(views: &[SavedView], view: SavedView) -> Result<Vec<SavedView>, DomainError> {
    let view = check_view(view)?;
    let mut next: Vec<SavedView> = views
        .iter()
        .filter(|v| !v.name.eq_ignore_ascii_case(&view.name))
        .cloned()
        .collect();
    if next.len() >= MAX_SHARED {
        return Err(DomainError::invalid(
            "view",
            format!("the workspace shares {MAX_SHARED} views, the most it keeps; delete one first"),
        ));
    }
    next.push(view);
    Ok(next)
}

/// Removes the shared view named `name`.
pub fn delete_shared(views: &[SavedView], name: &str) -> Result<Vec<SavedView>, DomainError> {
    crate::workspace::remove_named(views, name, |v| &v.name, "view", "view")
}

/// "No view named …", listing the ones there are.
pub fn not_found<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> DomainError {
    crate::workspace::not_named("view", "view", name, names)
}

/// Does `viewer` (with the name of their team) see this shared view?
pub fn shared_with(v: &SavedView, viewer: &crate::user::User, team: Option<&str>) -> bool {
    viewer.is_staff()
        && (viewer.role == crate::user::Role::Admin
            || v.team
                .as_deref()
                .is_none_or(|t| team.is_some_and(|m| m.eq_ignore_ascii_case(t))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str) -> SavedView {
        SavedView {
            id: Uuid::now_v7(),
            name: name.into(),
            team: None,
            filter: ViewFilter::default(),
        }
    }

    #[test]
    fn views_are_checked_and_replaced_by_name() {
        let mut v = view("  P1 网络  ");
        v.filter.assignee = Some(" ME ".into());
        v.filter.query = Some("  ".into());
        let v = check_view(v).unwrap();
        assert_eq!(v.name, "P1 网络");
        assert_eq!(v.filter.assignee.as_deref(), Some("me"));
        assert_eq!(v.filter.query, None);
        let mut bad = view("x");
        bad.filter.assignee = Some("somebody".into());
        assert!(check_view(bad).unwrap_err().to_string().contains("unowned"));
        assert!(check_view(view(" ")).is_err());
        let one = save_shared(&[], view("Mine")).unwrap();
        let again = save_shared(&one, view("mine")).unwrap();
        assert_eq!(again.len(), 1);
        assert!(
            delete_shared(&again, "other")
                .unwrap_err()
                .to_string()
                .contains("views: mine")
        );
        assert!(delete_shared(&again, "MINE").unwrap().is_empty());
    }

    #[test]
    fn a_team_view_is_its_teams_and_the_admins() {
        let mut v = view("Network P1");
        v.team = Some("Network".into());
        let agent = crate::user::User {
            role: crate::user::Role::Agent,
            ..crate::user::User::system()
        };
        assert!(shared_with(&v, &agent, Some("network")));
        assert!(!shared_with(&v, &agent, Some("Desk")));
        assert!(!shared_with(&v, &agent, None));
        let admin = crate::user::User::system();
        assert!(shared_with(&v, &admin, None));
        let customer = crate::user::User {
            role: crate::user::Role::Customer,
            ..crate::user::User::system()
        };
        assert!(!shared_with(&view("All"), &customer, None));
    }
}
