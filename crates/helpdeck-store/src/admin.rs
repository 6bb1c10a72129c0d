//! The workspace rules an admin changes (SLA targets, business calendar, categories,
//! lifecycle windows): read them, change them on a local workspace, and keep the server's
//! on a replica. The decision is `helpdeck_core::workspace::change_rules`; this module only
//! persists its result.

use helpdeck_core::DomainError;
use helpdeck_core::sla::Calendar;
use helpdeck_core::sync::{SlaRules, WorkspaceRules};
use helpdeck_core::workspace::{RulesChange, change_rules};
use sqlx::SqliteConnection;

use crate::error::Result;
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
        let (categories, reopen_window_days, auto_close_days): (String, i64, i64) =
            sqlx::query_as("SELECT categories, reopen_window_days, auto_close_days FROM workspace")
                .fetch_one(&mut *conn)
                .await?;
        Ok(WorkspaceRules {
            categories: serde_json::from_str(&categories).unwrap_or_default(),
            reopen_window_days,
            auto_close_days,
            sla: Some(default_sla(&self.policies())),
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
            "UPDATE workspace SET categories = ?, reopen_window_days = ?, auto_close_days = ?",
        )
        .bind(serde_json::to_string(&rules.categories).expect("categories serialize"))
        .bind(rules.reopen_window_days)
        .bind(rules.auto_close_days)
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
