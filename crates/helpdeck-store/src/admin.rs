//! The workspace rules an admin changes (SLA targets, business calendar, categories,
//! lifecycle windows): read them, change them on a local workspace, and keep the server's
//! on a replica. The decision is `helpdeck_core::workspace::change_rules`; this module only
//! persists its result.

use helpdeck_core::DomainError;
use helpdeck_core::sla::Calendar;
use helpdeck_core::sync::{SlaRules, WorkspaceRules};
use helpdeck_core::workspace::{RulesChange, change_rules};
use sqlx::SqliteConnection;

use helpdeck_core::people::{
    Directory, PersonDraft, PersonPatch, PersonView, check_admin, check_new_person,
    check_person_patch, validate_name,
};
use helpdeck_core::user::Role;

use crate::error::{Result, StoreError};
use crate::{Admin, Policies, Store};

impl Admin<'_> {
    /// The rules in force here: a local workspace's own, or the server's on a replica.
    pub async fn rules(&self) -> Result<WorkspaceRules> {
        let mut conn = self.0.pool.acquire().await?;
        self.0.rules_in(&mut conn).await
    }

    /// Changes the rules of a local workspace (an admin only) and re-times its open tickets.
    /// A replica's rules are the server's: its admin sends the same change there.
    #[tracing::instrument(skip_all, err)]
    pub async fn change(&self, change: &RulesChange) -> Result<WorkspaceRules> {
        if !self.0.rules.local_workspace {
            return Err(DomainError::Forbidden(
                "this workspace's rules are the server's: an admin changes them on the server (in the app while signed in, or helpdeck server sla set), and this replica receives them with its next sync".into(),
            )
            .into());
        }
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let current = self.0.rules_in(&mut tx).await?;
        let policies = self.0.policies();
        let next = change_rules(self.0.actor(), &current, || default_sla(&policies), change)?;
        // A rule naming a team or a person the workspace lacks is refused now, not at use.
        if change.names_people() {
            let teams: Vec<String> = sqlx::query_scalar("SELECT name FROM teams ORDER BY name")
                .fetch_all(&mut *tx)
                .await?;
            let staff: Vec<String> =
                sqlx::query_scalar("SELECT email FROM users WHERE role IN ('agent', 'admin')")
                    .fetch_all(&mut *tx)
                    .await?;
            helpdeck_core::workspace::check_references(change, &teams, &staff)?;
        }
        let new_policies = self.0.write_rules(&mut tx, &next).await?;
        tx.commit().await?;
        self.0.remember_rules(&next);
        if let Some(p) = new_policies {
            self.0.set_policies(p);
            self.0.recompute_sla_columns().await?;
        }
        Ok(next)
    }
}

impl Admin<'_> {
    /// Keeps the rules a server answered an admin's change with (a replica; the next pull
    /// brings the same), so this device times tickets by them at once.
    pub async fn adopt(&self, rules: &WorkspaceRules) -> Result<()> {
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let new_policies = self.0.write_rules(&mut tx, rules).await?;
        tx.commit().await?;
        self.0.remember_rules(rules);
        if let Some(p) = new_policies {
            self.0.set_policies(p);
            self.0.recompute_sla_columns().await?;
        }
        Ok(())
    }

    /// Decides `change` against the rules held here without keeping it (a replica checks an
    /// admin's change before sending it to the server, which decides it again).
    pub async fn check(&self, change: &RulesChange) -> Result<WorkspaceRules> {
        let current = self.rules().await?;
        let policies = self.0.policies();
        Ok(change_rules(
            self.0.actor(),
            &current,
            || default_sla(&policies),
            change,
        )?)
    }

    /// Is this a local workspace (whose rules are changed here) rather than a replica?
    pub fn is_local(&self) -> bool {
        self.0.rules.local_workspace
    }
}

/// The SLA rules of the default policy as loaded.
fn default_sla(policies: &Policies) -> SlaRules {
    let (policy, calendar) = policies.for_org(None);
    SlaRules {
        policy: policy.clone(),
        calendar: calendar.spec().clone(),
    }
}

impl Store {
    /// The rules as stored, inside a transaction (always with the SLA rules).
    pub(crate) async fn rules_in(&self, conn: &mut SqliteConnection) -> Result<WorkspaceRules> {
        type Row = (
            String,
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
        );
        let (categories, reopen_window_days, auto_close_days, assignment, escalation, views, plans, checklists, parts): Row =
            sqlx::query_as(
                "SELECT categories, reopen_window_days, auto_close_days, assignment_rules, \
                 escalation_rules, shared_views, maintenance_plans, checklist_templates, parts_catalogue \
                 FROM workspace",
            )
            .fetch_one(&mut *conn)
            .await?;
        Ok(WorkspaceRules {
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            reopen_window_days,
            auto_close_days,
            sla: Some(default_sla(&self.policies())),
            assignment: serde_json::from_str(&assignment).unwrap_or_default(),
            escalation: serde_json::from_str(&escalation).unwrap_or_default(),
            views: serde_json::from_str(&views).unwrap_or_default(),
            plans: serde_json::from_str(&plans).unwrap_or_default(),
            checklists: serde_json::from_str(&checklists).unwrap_or_default(),
            parts: serde_json::from_str(&parts).unwrap_or_default(),
        })
    }

    /// Stores `rules` (a local change, or the server's from a pull): the workspace row, and
    /// the default policy and calendar under this device's own policy id. The calendar's
    /// time zone is the workspace's. Returns the policies to use once committed, if the SLA
    /// rules changed.
    pub(crate) async fn write_rules(
        &self,
        tx: &mut SqliteConnection,
        rules: &WorkspaceRules,
    ) -> Result<Option<Policies>> {
        sqlx::query(
            "UPDATE workspace SET categories = ?, reopen_window_days = ?, auto_close_days = ?, \
             assignment_rules = ?, escalation_rules = ?, shared_views = ?, maintenance_plans = ?, \
             checklist_templates = ?, parts_catalogue = ?",
        )
        .bind(serde_json::to_string(&rules.categories).expect("categories serialize"))
        .bind(rules.reopen_window_days)
        .bind(rules.auto_close_days)
        .bind(serde_json::to_string(&rules.assignment).expect("rules serialize"))
        .bind(serde_json::to_string(&rules.escalation).expect("rules serialize"))
        .bind(serde_json::to_string(&rules.views).expect("views serialize"))
        .bind(serde_json::to_string(&rules.plans).expect("plans serialize"))
        .bind(serde_json::to_string(&rules.checklists).expect("templates serialize"))
        .bind(serde_json::to_string(&rules.parts).expect("parts serialize"))
        .execute(&mut *tx)
        .await?;
        let Some(sla) = &rules.sla else {
            return Ok(None);
        };
        sqlx::query("UPDATE workspace SET timezone = ?")
            .bind(&sla.calendar.timezone)
            .execute(&mut *tx)
            .await?;
        let policies = self.policies();
        let id = policies.default_id;
        let mut policy = sla.policy.clone();
        policy.id = id;
        let same = policies
            .by_id
            .get(&id)
            .is_some_and(|(p, c)| *p == policy && *c.spec() == sla.calendar);
        if same {
            return Ok(None);
        }
        policy.validate()?;
        let calendar = Calendar::new(sla.calendar.clone())?;
        sqlx::query("UPDATE sla_policies SET spec = ? WHERE id = ?")
            .bind(serde_json::to_string(&policy).expect("policy serializes"))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE calendars SET spec = ? WHERE id = (SELECT calendar_id FROM sla_policies WHERE id = ?)",
        )
        .bind(serde_json::to_string(calendar.spec()).expect("calendar serializes"))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        let mut next = (*policies).clone();
        next.by_id.insert(id, (policy, calendar));
        Ok(Some(next))
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
    bool,
    String,
    i64,
    Option<i64>,
);

fn person(row: PersonRow) -> Result<PersonView> {
    let (id, email, name, role, team, tier, organization, org_admin, skills, away, until) = row;
    Ok(PersonView {
        id: crate::rows::uuid(&id)?,
        email,
        name,
        role: role.parse()?,
        team,
        tier: tier.map(|t| t.parse()).transpose()?,
        organization,
        org_admin,
        skills: serde_json::from_str(&skills).unwrap_or_default(),
        availability: helpdeck_core::routing::Availability::stored(away, until),
    })
}

const PERSON_SELECT: &str = "SELECT u.id, u.email, u.name, u.role, t.name, u.tier, o.name, u.org_admin, \
     u.skills, u.away, u.away_until \
     FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN organizations o ON o.id = u.organization_id";

impl Admin<'_> {
    /// Everyone this device knows (staff first, then by name) and the teams. On a replica
    /// that is the server's directory as pulled.
    pub async fn directory(&self) -> Result<Directory> {
        let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{PERSON_SELECT} WHERE u.id != ? ORDER BY u.role = 'customer', u.name COLLATE NOCASE"
        )))
        .bind(helpdeck_core::user::SYSTEM_USER_ID.to_string())
        .fetch_all(&self.0.pool)
        .await?;
        let teams: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM teams ORDER BY name COLLATE NOCASE")
                .fetch_all(&self.0.pool)
                .await?;
        Ok(Directory {
            people: rows.into_iter().map(person).collect::<Result<_>>()?,
            teams: teams.into_iter().map(|(n,)| n).collect(),
        })
    }

    fn local_only(&self) -> Result<()> {
        if self.is_local() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "people of a server workspace are the server's: an admin adds them while signed in (the app's Workspace screen) or on the server (helpdeck server user add)".into(),
            )
            .into())
        }
    }

    /// Adds a person to a local workspace (an admin only).
    #[tracing::instrument(skip_all, err)]
    pub async fn add_person(&self, draft: &PersonDraft) -> Result<PersonView> {
        self.local_only()?;
        let d = check_new_person(self.0.actor(), draft, false)?;
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = ?")
            .bind(&d.email)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "{} is already in this workspace",
                d.email
            )));
        }
        let team = match &d.team {
            Some(t) => Some(named_id(&mut tx, "teams", t).await?),
            None => None,
        };
        let org = match &d.organization {
            Some(o) => Some(named_id(&mut tx, "organizations", o).await?),
            None => None,
        };
        let id = helpdeck_core::new_id();
        sqlx::query(
            "INSERT INTO users (id, email, name, role, organization_id, org_admin, team_id, tier, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(&d.email)
        .bind(&d.name)
        .bind(d.role.expect("checked").as_str())
        .bind(org)
        .bind(d.org_admin)
        .bind(team)
        .bind(d.tier.map(|t| t.as_str()))
        .bind(self.0.now().as_millisecond())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.person_by_email(&d.email).await
    }

    /// Changes a person's role, team, tier or organization in a local workspace.
    #[tracing::instrument(skip_all, err)]
    pub async fn update_person(&self, patch: &PersonPatch) -> Result<PersonView> {
        self.local_only()?;
        let email = helpdeck_core::user::validate_email(&patch.email)?;
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let target = crate::workspace::user_by_email(&mut tx, &email)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no one with email {email} here")))?;
        let (admins,): (i64,) = sqlx::query_as("SELECT count(*) FROM users WHERE role = 'admin'")
            .fetch_one(&mut *tx)
            .await?;
        check_person_patch(self.0.actor(), &target, patch, admins as usize)?;
        let role = patch.role.unwrap_or(target.role);
        sqlx::query("UPDATE users SET role = ? WHERE id = ?")
            .bind(role.as_str())
            .bind(target.id.to_string())
            .execute(&mut *tx)
            .await?;
        if role == Role::Customer {
            sqlx::query("UPDATE users SET team_id = NULL, tier = NULL WHERE id = ?")
                .bind(target.id.to_string())
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "UPDATE users SET organization_id = NULL, org_admin = 0, tier = coalesce(?, tier, 'L1') WHERE id = ?",
            )
            .bind(patch.tier.map(|t| t.as_str()))
            .bind(target.id.to_string())
            .execute(&mut *tx)
            .await?;
            if let Some(team) = patch.team.as_deref().map(str::trim) {
                let id = if team.is_empty() {
                    None
                } else {
                    Some(named_id(&mut tx, "teams", team).await?)
                };
                sqlx::query("UPDATE users SET team_id = ? WHERE id = ?")
                    .bind(id)
                    .bind(target.id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if let Some(skills) = &patch.skills {
            sqlx::query("UPDATE users SET skills = ? WHERE id = ?")
                .bind(
                    serde_json::to_string(&helpdeck_core::routing::normalise_skills(skills)?)
                        .expect("skills serialize"),
                )
                .bind(target.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        if let Some(a) = patch.availability {
            sqlx::query("UPDATE users SET away = ?, away_until = ? WHERE id = ?")
                .bind(a.away)
                .bind(a.until.map(|u| u.as_millisecond()))
                .bind(target.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        if role == Role::Customer {
            if let Some(o) = patch.organization.as_deref().map(str::trim) {
                let id = if o.is_empty() {
                    None
                } else {
                    Some(named_id(&mut tx, "organizations", o).await?)
                };
                sqlx::query("UPDATE users SET organization_id = ? WHERE id = ?")
                    .bind(id)
                    .bind(target.id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(a) = patch.org_admin {
                sqlx::query("UPDATE users SET org_admin = ? WHERE id = ?")
                    .bind(a)
                    .bind(target.id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        self.person_by_email(&email).await
    }

    /// Adds a team to a local workspace (an admin only); returns the teams.
    pub async fn add_team(&self, name: &str) -> Result<Vec<String>> {
        self.local_only()?;
        check_admin(self.0.actor())?;
        let name = validate_name("team", name)?;
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        named_id(&mut tx, "teams", &name).await?;
        tx.commit().await?;
        Ok(self.directory().await?.teams)
    }

    async fn person_by_email(&self, email: &str) -> Result<PersonView> {
        let row: PersonRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{PERSON_SELECT} WHERE u.email = ?"
        )))
        .bind(email)
        .fetch_one(&self.0.pool)
        .await?;
        person(row)
    }
}

/// The id of the team or organization called `name`, made when new (names ignore case).
async fn named_id(conn: &mut SqliteConnection, table: &str, name: &str) -> Result<String> {
    let found: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE name = ? COLLATE NOCASE"
    )))
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((id,)) = found {
        return Ok(id);
    }
    let id = helpdeck_core::new_id().to_string();
    let sql = if table == "organizations" {
        "INSERT INTO organizations (id, name, customer_tier) VALUES (?, ?, 'standard')"
    } else {
        "INSERT INTO teams (id, name) VALUES (?, ?)"
    };
    sqlx::query(sql)
        .bind(&id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}
