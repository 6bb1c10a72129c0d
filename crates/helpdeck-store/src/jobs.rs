//! Jobs of a local workspace: the same due jobs the server runs for a synced workspace
//! (`helpdeck_core::jobs`), applied here as the system actor through the one rule engine and
//! the one write path. A replica runs none: its server does, and the result arrives by sync.

use helpdeck_core::apply::TrustingDirectory;
use helpdeck_core::command;
use helpdeck_core::user::User;
use tracing::instrument;
use uuid::Uuid;

use crate::Jobs;
use crate::error::Result;
use crate::rows::ms;
use crate::write::find_ticket;

/// Most tickets one run closes (the next run takes the rest).
const BATCH: i64 = 500;

impl Jobs<'_> {
    /// Runs every due job once (the escalation rules, auto-close of resolved tickets);
    /// returns the tickets changed.
    #[instrument(skip_all, err)]
    pub async fn run_jobs(&self) -> Result<Vec<Uuid>> {
        if !self.0.rules.local_workspace {
            return Ok(Vec::new());
        }
        let now = self.0.now();
        let system = User::system();
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rules = self.0.current_rules(&mut tx).await?;
        let cutoff = ms(now - rules.auto_close_after);
        let due: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM tickets WHERE status = 'resolved' AND resolved_at <= ? ORDER BY resolved_at LIMIT ?",
        )
        .bind(cutoff)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let mut changed = self.run_escalation_rules(&mut tx, now).await?;
        changed.extend(self.run_plans(&mut tx, now).await?);
        if due.is_empty() {
            tx.commit().await?;
            return Ok(changed);
        }
        ensure_system_user(&mut tx).await?;
        let ctx = helpdeck_core::apply::Context {
            actor: &system,
            rules: &rules,
            now,
            directory: &TrustingDirectory,
        };
        for (id,) in due {
            let (ticket, seq) = find_ticket(&mut tx, &id).await?;
            let Some(change) = helpdeck_core::jobs::auto_close(&ticket, &rules, now) else {
                continue;
            };
            let decided = command::apply_job(&ticket, change, &ctx)?;
            self.0
                .persist_as(&mut tx, &decided, Some(seq), now, system.id)
                .await?;
            changed.push(ticket.id);
        }
        tx.commit().await?;
        Ok(changed)
    }
}

impl Jobs<'_> {
    /// Maintenance plans (`helpdeck_core::workorder::MaintenancePlan`): each due visit not
    /// made yet becomes its ticket and work order, as the system actor, with the ids the
    /// server would give them. Returns the tickets made.
    async fn run_plans(
        &self,
        tx: &mut sqlx::SqliteConnection,
        now: helpdeck_core::Timestamp,
    ) -> Result<Vec<Uuid>> {
        let workspace = self.0.rules_in(tx).await?;
        if workspace.plans.is_empty() {
            return Ok(Vec::new());
        }
        ensure_system_user(tx).await?;
        let system = User::system();
        let rules = self.0.current_rules(tx).await?;
        let tz = jiff::tz::TimeZone::get(&self.0.workspace().timezone)
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let mut made = Vec::new();
        for plan in &workspace.plans {
            let technician = match &plan.technician {
                Some(email) => crate::workspace::agent_by_email(tx, email)
                    .await
                    .ok()
                    .map(|u| u.id),
                None => None,
            };
            for k in plan.due(now, &tz) {
                let ids = plan.visit_ids(k);
                let exists: Option<(i64,)> =
                    sqlx::query_as("SELECT 1 FROM work_orders WHERE id = ?")
                        .bind(ids.work_order.to_string())
                        .fetch_optional(&mut *tx)
                        .await?;
                if exists.is_some() {
                    continue;
                }
                let Some((ticket, work_order)) = plan.visit(k, &tz, technician) else {
                    continue;
                };
                let has_ticket: Option<(i64,)> =
                    sqlx::query_as("SELECT 1 FROM tickets WHERE id = ?")
                        .bind(ids.ticket.to_string())
                        .fetch_optional(&mut *tx)
                        .await?;
                if has_ticket.is_none() {
                    let ctx = helpdeck_core::apply::Context {
                        actor: &system,
                        rules: &rules,
                        now,
                        directory: &TrustingDirectory,
                    };
                    let decided = command::apply_change(None, ids.ticket, ticket, &ctx)?;
                    self.0
                        .persist_as(tx, &decided, None, now, system.id)
                        .await?;
                }
                crate::workorders::write_in(self.0, tx, ids.work_order, work_order, &system, now)
                    .await?;
                made.push(ids.ticket);
            }
        }
        Ok(made)
    }

    /// The escalation rules (`helpdeck_core::escalation::rules`): for each open ticket at
    /// risk or breached now, the rules that fire, each firing once (kept in
    /// `escalations_fired`), applied as the system actor. Returns the tickets changed.
    async fn run_escalation_rules(
        &self,
        tx: &mut sqlx::SqliteConnection,
        now: helpdeck_core::Timestamp,
    ) -> Result<Vec<Uuid>> {
        use helpdeck_core::escalation::rules::{changes, firings};
        use helpdeck_core::routing::{Assign, Facts};
        let workspace = self.0.rules_in(tx).await?;
        if workspace.escalation.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM tickets WHERE is_open = 1 AND sla_at_risk_at <= ? ORDER BY sla_at_risk_at LIMIT ?",
        )
        .bind(ms(now))
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let uuids: Vec<Uuid> = ids
            .iter()
            .map(|(id,)| crate::rows::uuid(id))
            .collect::<Result<_>>()?;
        let facts = crate::sla::load_facts(tx, &uuids).await?;
        let policies = self.0.policies();
        let rules = self.0.current_rules(tx).await?;
        let system = User::system();
        let mut changed = Vec::new();
        for id in &uuids {
            let (ticket, _) = find_ticket(tx, &id.to_string()).await?;
            let report = crate::sla::evaluate_ticket(
                &policies,
                &facts.facts(&ticket),
                ticket.organization_id,
                now,
            );
            let tier = self.0.org_tier(tx, ticket.organization_id).await?;
            for f in firings(
                &workspace.escalation,
                &ticket,
                &Facts::of(&ticket, tier),
                &report,
            ) {
                let key = f.key();
                let fresh =
                    sqlx::query("INSERT OR IGNORE INTO escalations_fired (key, at) VALUES (?, ?)")
                        .bind(&key)
                        .bind(ms(now))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                if fresh == 0 {
                    continue;
                }
                let notify = match &f.rule.notify {
                    Some(e) => staff_by_email(tx, e).await?.map(|(id, _)| id),
                    None => None,
                };
                let reassign = match &f.rule.reassign {
                    Some(Assign::Agent { email }) => staff_by_email(tx, email)
                        .await?
                        .map(|(id, team)| (team, Some(id))),
                    Some(Assign::Team { team }) => {
                        let id: Option<String> = sqlx::query_scalar(
                            "SELECT id FROM teams WHERE name = ? COLLATE NOCASE",
                        )
                        .bind(team)
                        .fetch_optional(&mut *tx)
                        .await?;
                        id.map(|i| crate::rows::uuid(&i))
                            .transpose()?
                            .map(|t| (Some(t), None))
                    }
                    _ => None,
                };
                ensure_system_user(tx).await?;
                let ctx = helpdeck_core::apply::Context {
                    actor: &system,
                    rules: &rules,
                    now,
                    directory: &TrustingDirectory,
                };
                for change in changes(&f, &ticket, notify, reassign) {
                    let (current, seq) = find_ticket(tx, &id.to_string()).await?;
                    let decided = command::apply_job(&current, change, &ctx)?;
                    self.0
                        .persist_as(tx, &decided, Some(seq), now, system.id)
                        .await?;
                }
                changed.push(*id);
            }
        }
        Ok(changed)
    }
}

/// A person's id and team, by email.
async fn staff_by_email(
    conn: &mut sqlx::SqliteConnection,
    email: &str,
) -> Result<Option<(Uuid, Option<Uuid>)>> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id, team_id FROM users WHERE email = ? COLLATE NOCASE")
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|(id, team)| {
        Ok((
            crate::rows::uuid(&id)?,
            crate::rows::opt_uuid(team.as_deref())?,
        ))
    })
    .transpose()
}

/// The system actor is a user of the workspace, so the history names it.
pub(crate) async fn ensure_system_user(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    let system = User::system();
    sqlx::query(
        "INSERT OR IGNORE INTO users (id, email, name, role, created_at) VALUES (?, ?, ?, 'admin', 0)",
    )
    .bind(system.id.to_string())
    .bind(&system.email)
    .bind(&system.name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
