//! The admin API an admin's app (or CLI replica) uses: the workspace rules and the people
//! and teams of the workspace. Every change is decided by the core's rule — the same
//! function a local workspace runs — then stored with the accounts' queries.

use helpdeck_core::DomainError;
use helpdeck_core::people::{
    Directory, PersonDraft, PersonPatch, PersonView, check_admin, check_new_person,
    check_person_patch, validate_name,
};
use helpdeck_core::user::{Role, SYSTEM_USER_ID, User};

use crate::accounts::{self, NewUser};
use crate::db::Db;
use crate::error::{Result, ServerError};

impl From<DomainError> for ServerError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Forbidden(m) => ServerError::Forbidden(m),
            DomainError::NotFound(m) => ServerError::NotFound(m),
            other => ServerError::BadRequest(other.to_string()),
        }
    }
}

/// (id, email, name, role, team, tier, organization, org_admin, skills, away, away_until).
type PersonRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    Option<i64>,
);

const PERSON_SELECT: &str = "SELECT u.id, u.email, u.name, u.role, t.name, u.tier, o.name, u.org_admin, \
     u.skills, u.away, u.away_until \
     FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN organizations o ON o.id = u.organization_id";

fn person(row: PersonRow) -> Result<PersonView> {
    let (id, email, name, role, team, tier, organization, org_admin, skills, away, until) = row;
    let bad = |e: DomainError| ServerError::Internal(format!("bad value in database: {e}"));
    Ok(PersonView {
        id: crate::db::parse_uuid(&id)?,
        email,
        name,
        role: role.parse().map_err(bad)?,
        team,
        tier: tier.map(|t| t.parse()).transpose().map_err(bad)?,
        organization,
        org_admin: org_admin != 0,
        skills: serde_json::from_str(&skills).unwrap_or_default(),
        availability: helpdeck_core::routing::Availability::stored(away, until),
    })
}

/// Everyone (but the system actor) and every team; admins only.
pub async fn directory(db: &Db, actor: &User) -> Result<Directory> {
    check_admin(actor)?;
    let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PERSON_SELECT} WHERE u.id != $1 ORDER BY u.role = 'customer', u.name"
    )))
    .bind(SYSTEM_USER_ID.to_string())
    .fetch_all(&db.pool)
    .await?;
    let teams: Vec<(String,)> = sqlx::query_as("SELECT name FROM teams ORDER BY name")
        .fetch_all(&db.pool)
        .await?;
    Ok(Directory {
        people: rows.into_iter().map(person).collect::<Result<_>>()?,
        teams: teams.into_iter().map(|(n,)| n).collect(),
    })
}

async fn person_by_email(db: &Db, email: &str) -> Result<PersonView> {
    let row: PersonRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PERSON_SELECT} WHERE u.email = $1"
    )))
    .bind(email)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| ServerError::NotFound(format!("no user with email {email}")))?;
    person(row)
}

/// Adds a person with a first password (the checks of a local workspace, plus the password).
pub async fn add_person(db: &Db, actor: &User, draft: &PersonDraft) -> Result<PersonView> {
    let d = check_new_person(actor, draft, true)?;
    // (`add_user` checks the person again, as every path that adds one does.)
    let user = accounts::add_user(
        db,
        NewUser {
            email: d.email.clone(),
            name: d.name.clone(),
            role: d.role.expect("checked"),
            organization: d.organization.clone(),
            org_admin: d.org_admin,
            team: d.team.clone(),
            password: d.password.clone().expect("checked"),
        },
    )
    .await?;
    if let Some(tier) = d.tier {
        sqlx::query("UPDATE users SET tier = $1 WHERE id = $2")
            .bind(tier.as_str())
            .bind(user.id.to_string())
            .execute(&db.pool)
            .await?;
    }
    tracing::info!(actor = %actor.id, user = %user.id, "person added");
    person_by_email(db, &user.email).await
}

/// Changes a person's role, team, tier or organization. What they may see may change, so
/// their devices resync (`update_user` bumps their epoch).
pub async fn update_person(db: &Db, actor: &User, patch: &PersonPatch) -> Result<PersonView> {
    let email = helpdeck_core::user::validate_email(&patch.email)?;
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("no user with email {email}")))?;
    let target = accounts::user_by_id(&db.pool, crate::db::parse_uuid(&id)?)
        .await?
        .expect("exists")
        .user;
    let (admins,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM users WHERE role = 'admin' AND id != $1")
            .bind(SYSTEM_USER_ID.to_string())
            .fetch_one(&db.pool)
            .await?;
    check_person_patch(actor, &target, patch, admins as usize)?;
    let role = patch.role.unwrap_or(target.role);
    let customer = role == Role::Customer;
    if customer {
        sqlx::query("UPDATE users SET team_id = NULL, tier = NULL WHERE id = $1")
            .bind(&id)
            .execute(&db.pool)
            .await?;
    } else {
        sqlx::query("UPDATE users SET organization_id = NULL, org_admin = 0 WHERE id = $1")
            .bind(&id)
            .execute(&db.pool)
            .await?;
        let tier = patch
            .tier
            .or(target.tier)
            .unwrap_or(helpdeck_core::ticket::Tier::L1);
        sqlx::query("UPDATE users SET tier = $1 WHERE id = $2")
            .bind(tier.as_str())
            .bind(&id)
            .execute(&db.pool)
            .await?;
        if let Some(team) = patch.team.as_deref().map(str::trim) {
            let team_id = if team.is_empty() {
                None
            } else {
                Some(accounts::team_id(db, team).await?)
            };
            sqlx::query("UPDATE users SET team_id = $1 WHERE id = $2")
                .bind(team_id)
                .bind(&id)
                .execute(&db.pool)
                .await?;
        }
    }
    if let Some(skills) = &patch.skills {
        sqlx::query("UPDATE users SET skills = $1 WHERE id = $2")
            .bind(
                serde_json::to_string(&helpdeck_core::routing::normalise_skills(skills)?)
                    .expect("skills serialize"),
            )
            .bind(&id)
            .execute(&db.pool)
            .await?;
    }
    if let Some(a) = patch.availability {
        sqlx::query("UPDATE users SET away = $1, away_until = $2 WHERE id = $3")
            .bind(i64::from(a.away))
            .bind(a.until.map(|u| u.as_millisecond()))
            .bind(&id)
            .execute(&db.pool)
            .await?;
    }
    accounts::update_user(
        db,
        &email,
        Some(role),
        patch
            .organization
            .clone()
            .filter(|o| customer && !o.trim().is_empty()),
        patch.org_admin.filter(|_| customer),
    )
    .await?;
    tracing::info!(actor = %actor.id, user = %target.id, "person changed");
    person_by_email(db, &email).await
}

/// Adds a team; returns every team.
pub async fn add_team(db: &Db, actor: &User, name: &str) -> Result<Vec<String>> {
    check_admin(actor)?;
    let name = validate_name("team", name)?;
    accounts::team_id(db, &name).await?;
    Ok(directory(db, actor).await?.teams)
}
