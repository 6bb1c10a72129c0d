//! Who works in the workspace: an admin adds people (agents, admins, customers) and teams,
//! and changes a person's role, team and tier. One set of checks for a local workspace (the
//! store), a server's admin API and `helpdeck server user add|update`.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ticket::Tier;
use crate::user::{Role, User, validate_email};

/// Longest person or team name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Shortest password a server accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A new person, as the admin's form or the CLI gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PersonDraft {
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    /// Customers: their organization's name (created when new).
    pub organization: Option<String>,
    /// Customers: sees all of the organization's tickets.
    pub org_admin: bool,
    /// Agents and admins: their team's name (created when new).
    pub team: Option<String>,
    /// Agents and admins: L1 (default), L2 or L3.
    pub tier: Option<Tier>,
    /// On a server, the first password (the person changes it later); a local workspace has
    /// no sign-in and takes none.
    pub password: Option<String>,
}

/// A change of an existing person (fields left out stay as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PersonPatch {
    pub email: String,
    pub role: Option<Role>,
    /// `""` removes the team.
    pub team: Option<String>,
    pub tier: Option<Tier>,
    pub organization: Option<String>,
    pub org_admin: Option<bool>,
    /// Agents and admins: their skills (replaces the list; assignment rules may require one).
    pub skills: Option<Vec<String>>,
    /// Agents and admins: away (optionally until a time) or available. A person may change
    /// their own; an admin anyone's.
    pub availability: Option<crate::routing::Availability>,
}

/// A person as the People screen lists them (names of team and organization resolved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonView {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub tier: Option<Tier>,
    pub organization: Option<String>,
    pub org_admin: bool,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub availability: crate::routing::Availability,
}

/// The People screen: everyone, and the teams.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Directory {
    pub people: Vec<PersonView>,
    pub teams: Vec<String>,
}

/// Only admins manage people and teams (spec §5: users, policies, calendars, macros).
pub fn check_admin(actor: &User) -> Result<(), DomainError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only admins add people and teams or change their role, team and tier".into(),
        ))
    }
}

/// A person or team name: trimmed, 1–100 characters.
pub fn validate_name(field: &'static str, name: &str) -> Result<String, DomainError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(DomainError::required(field, "give a name"));
    }
    if n.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(n.to_string())
}

/// Checks a new person by `actor`: admins only; a valid email and name; a role; customers
/// without team or tier, staff without organization; a password of 8+ characters where one
/// is needed (`needs_password`: a server) and none where it is not.
pub fn check_new_person(
    actor: &User,
    draft: &PersonDraft,
    needs_password: bool,
) -> Result<PersonDraft, DomainError> {
    check_admin(actor)?;
    let mut d = draft.clone();
    d.email = validate_email(&d.email)?;
    d.name = validate_name("name", &d.name)?;
    let role = d
        .role
        .ok_or_else(|| DomainError::required("role", "choose admin, agent or customer"))?;
    d.organization = d
        .organization
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty());
    d.team = d
        .team
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if let Some(t) = &d.team {
        validate_name("team", t)?;
    }
    if let Some(o) = &d.organization {
        validate_name("organization", o)?;
    }
    if role == Role::Customer {
        if d.team.is_some() || d.tier.is_some() {
            return Err(DomainError::invalid(
                "team",
                "customers have no team or tier (those are for agents and admins)",
            ));
        }
    } else {
        if d.organization.is_some() || d.org_admin {
            return Err(DomainError::invalid(
                "organization",
                "agents and admins belong to no customer organization (they see every one)",
            ));
        }
        d.tier.get_or_insert(Tier::L1);
    }
    match (&d.password, needs_password) {
        (Some(p), true) if p.chars().count() >= MIN_PASSWORD_CHARS => {}
        (_, true) => {
            return Err(DomainError::invalid(
                "password",
                format!(
                    "give a first password of at least {MIN_PASSWORD_CHARS} characters (they sign in with it)"
                ),
            ));
        }
        (Some(_), false) => {
            return Err(DomainError::invalid(
                "password",
                "a local workspace has no sign-in: leave the password out",
            ));
        }
        (None, false) => {}
    }
    Ok(d)
}

/// Checks a change of `target` by `actor`. `admins` is how many admins the workspace has:
/// the last one cannot stop being an admin, so the workspace is never left without one.
pub fn check_person_patch(
    actor: &User,
    target: &User,
    patch: &PersonPatch,
    admins: usize,
) -> Result<(), DomainError> {
    let own_availability = actor.id == target.id
        && patch.role.is_none()
        && patch.team.is_none()
        && patch.tier.is_none()
        && patch.organization.is_none()
        && patch.org_admin.is_none()
        && patch.skills.is_none();
    if !own_availability {
        check_admin(actor)?;
    }
    let role = patch.role.unwrap_or(target.role);
    if role == Role::Customer && (patch.skills.is_some() || patch.availability.is_some()) {
        return Err(DomainError::invalid(
            "skills",
            "customers have no skills or availability (those are for agents and admins)",
        ));
    }
    if let Some(skills) = &patch.skills {
        crate::routing::normalise_skills(skills)?;
    }
    if let Some(a) = patch.availability
        && !a.away
        && a.until.is_some()
    {
        return Err(DomainError::invalid(
            "availability",
            "an end time (out of office until) goes with away only",
        ));
    }
    if target.role == Role::Admin && role != Role::Admin && admins <= 1 {
        return Err(DomainError::invalid(
            "role",
            format!(
                "{} is the only admin; make someone else an admin first",
                target.email
            ),
        ));
    }
    let team = patch.team.as_deref().map(str::trim).unwrap_or("");
    if role == Role::Customer && (!team.is_empty() || patch.tier.is_some()) {
        return Err(DomainError::invalid(
            "team",
            "customers have no team or tier (those are for agents and admins)",
        ));
    }
    if !team.is_empty() {
        validate_name("team", team)?;
    }
    if role != Role::Customer
        && (patch
            .organization
            .as_deref()
            .is_some_and(|o| !o.trim().is_empty())
            || patch.org_admin == Some(true))
    {
        return Err(DomainError::invalid(
            "organization",
            "agents and admins belong to no customer organization (they see every one)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> User {
        User {
            role,
            ..User::system()
        }
    }

    fn draft(role: Role) -> PersonDraft {
        PersonDraft {
            email: " Li.Lei@Acme.cn ".into(),
            name: " 李雷 ".into(),
            role: Some(role),
            ..Default::default()
        }
    }

    #[test]
    fn only_admins_add_people() {
        let err = check_new_person(&user(Role::Agent), &draft(Role::Agent), false).unwrap_err();
        assert_eq!(err.code(), "forbidden");
        let ok = check_new_person(&user(Role::Admin), &draft(Role::Agent), false).unwrap();
        assert_eq!(ok.email, "li.lei@acme.cn");
        assert_eq!(ok.name, "李雷");
        assert_eq!(ok.tier, Some(Tier::L1));
    }

    #[test]
    fn roles_keep_their_own_fields() {
        let admin = user(Role::Admin);
        let mut c = draft(Role::Customer);
        c.team = Some("Network".into());
        assert_eq!(
            check_new_person(&admin, &c, false).unwrap_err().field(),
            Some("team")
        );
        let mut a = draft(Role::Agent);
        a.organization = Some("Client Ltd".into());
        assert_eq!(
            check_new_person(&admin, &a, false).unwrap_err().field(),
            Some("organization")
        );
        let mut none = draft(Role::Agent);
        none.role = None;
        assert_eq!(
            check_new_person(&admin, &none, false).unwrap_err().reason(),
            "required"
        );
    }

    #[test]
    fn a_server_needs_a_first_password_and_a_local_workspace_takes_none() {
        let admin = user(Role::Admin);
        let mut d = draft(Role::Agent);
        assert_eq!(
            check_new_person(&admin, &d, true).unwrap_err().field(),
            Some("password")
        );
        d.password = Some("short".into());
        assert!(check_new_person(&admin, &d, true).is_err());
        d.password = Some("long enough".into());
        assert!(check_new_person(&admin, &d, true).is_ok());
        assert!(check_new_person(&admin, &d, false).is_err());
    }

    #[test]
    fn the_last_admin_stays_an_admin() {
        let admin = user(Role::Admin);
        let demote = PersonPatch {
            email: admin.email.clone(),
            role: Some(Role::Agent),
            ..Default::default()
        };
        let err = check_person_patch(&admin, &admin, &demote, 1).unwrap_err();
        assert!(err.to_string().contains("only admin"), "{err}");
        assert!(check_person_patch(&admin, &admin, &demote, 2).is_ok());
    }
}
