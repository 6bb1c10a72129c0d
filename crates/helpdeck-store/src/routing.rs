//! Assignment on a local workspace: the same [`Router`] the server runs when it first sees a
//! ticket, run here when a ticket is made (in its transaction, as the system actor, so the
//! history says "Helpdeck" assigned it). A replica routes nothing: its server does, and the
//! owner arrives by sync. `rule test` asks the same router without taking a turn.

use std::collections::BTreeMap;

use helpdeck_core::Timestamp;
use helpdeck_core::apply::TrustingDirectory;
use helpdeck_core::command;
use helpdeck_core::op::{Change, TicketFields};
use helpdeck_core::routing::{
    Decision, Facts, Inputs, Router, StoredAgent, StoredAgentRow, StoredInputs, agents_to_count,
    from_stored,
};
use helpdeck_core::ticket::Ticket;
use helpdeck_core::user::{CustomerTier, User};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::Admin;
use crate::error::{Result, StoreError};
use crate::write::find_ticket;

impl crate::Store {
    /// What the router reads, on `conn` (the creating transaction).
    async fn routing_inputs(
        &self,
        conn: &mut SqliteConnection,
        rules: &[helpdeck_core::routing::AssignmentRule],
    ) -> Result<Inputs> {
        let pause = self.policies().for_org(None).0.pause_statuses.clone();
        let teams: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM teams")
            .fetch_all(&mut *conn)
            .await?;
        let rows: Vec<StoredAgentRow> = sqlx::query_as(
            "SELECT id, email, name, team_id, skills, away, away_until FROM users \
             WHERE role IN ('agent', 'admin') AND id != ?",
        )
        .bind(helpdeck_core::user::SYSTEM_USER_ID.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let agents: Vec<StoredAgent> = rows.into_iter().map(StoredAgent::from).collect();
        // Loads only where a rule looks at them: the open tickets (SLA running) of the agents
        // of least-loaded or capped teams, read by the covering assignee/status index.
        let counted = agents_to_count(rules, &teams, &agents);
        let mut loads = BTreeMap::new();
        if !counted.is_empty() {
            let mut q: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(
                "SELECT assignee_id, count(*) FROM tickets INDEXED BY tickets_assignee_status \
                 WHERE is_open = 1 AND assignee_id IN (",
            );
            let mut sep = q.separated(", ");
            for a in &counted {
                sep.push_bind(a.to_string());
            }
            q.push(")");
            if !pause.is_empty() {
                q.push(" AND status NOT IN (");
                let mut sep = q.separated(", ");
                for p in &pause {
                    sep.push_bind(p.as_str());
                }
                q.push(")");
            }
            q.push(" GROUP BY assignee_id");
            let counts: Vec<(String, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
            loads.extend(counts);
        }
        let turns: Vec<(String, String)> =
            sqlx::query_as("SELECT rule_id, last_email FROM routing_turns")
                .fetch_all(&mut *conn)
                .await?;
        Ok(from_stored(
            StoredInputs {
                teams,
                agents,
                loads,
                turns,
            },
            pause,
        )?)
    }

    /// The customer tier of an organization (none: no organization).
    pub(crate) async fn org_tier(
        &self,
        conn: &mut SqliteConnection,
        org: Option<Uuid>,
    ) -> Result<Option<CustomerTier>> {
        let Some(org) = org else { return Ok(None) };
        let tier: Option<String> =
            sqlx::query_scalar("SELECT customer_tier FROM organizations WHERE id = ?")
                .bind(org.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        Ok(tier.and_then(|t| t.parse().ok()))
    }

    /// Routes the ticket `t` just made (a local workspace with assignment rules, a ticket
    /// nobody gave an owner); returns it as it is afterwards.
    pub(crate) async fn route_new(
        &self,
        tx: &mut SqliteConnection,
        t: Ticket,
        now: Timestamp,
    ) -> Result<Ticket> {
        if !self.rules.local_workspace || !helpdeck_core::routing::wants_routing(&t) {
            return Ok(t);
        }
        let rules = self.rules_in(tx).await?;
        if rules.assignment.is_empty() {
            return Ok(t);
        }
        let inputs = self.routing_inputs(tx, &rules.assignment).await?;
        let tier = self.org_tier(tx, t.organization_id).await?;
        let mut router = Router::new(
            &rules.assignment,
            inputs.teams,
            inputs.agents,
            inputs.turns,
            &inputs.pause,
            now,
        );
        let d = router.route(&Facts::of(&t, tier), t.status);
        if !d.owned() {
            return Ok(t);
        }
        for (rule, email) in router.turns() {
            sqlx::query(
                "INSERT INTO routing_turns (rule_id, last_email) VALUES (?, ?) \
                 ON CONFLICT (rule_id) DO UPDATE SET last_email = excluded.last_email",
            )
            .bind(rule.to_string())
            .bind(email)
            .execute(&mut *tx)
            .await?;
        }
        crate::jobs::ensure_system_user(tx).await?;
        let system = User::system();
        let engine_rules = self.current_rules(tx).await?;
        let ctx = helpdeck_core::apply::Context {
            actor: &system,
            rules: &engine_rules,
            now,
            directory: &TrustingDirectory,
        };
        let (ticket, seq) = find_ticket(tx, &t.id.to_string()).await?;
        let change = Change::UpdateTicket(TicketFields {
            team_id: d.team_id.map(Some),
            assignee_id: d.assignee_id.map(Some),
            ..Default::default()
        });
        let decided = command::apply_job(&ticket, change, &ctx)?;
        self.persist_as(tx, &decided, Some(seq), now, system.id)
            .await?;
        Ok(decided.ticket)
    }
}

impl Admin<'_> {
    /// Which assignment rule a ticket would match, and why (`rule test REF`), on a local
    /// workspace: the router as it stands now, without taking a turn.
    pub async fn explain_routing(&self, reference: &str) -> Result<Decision> {
        if !self.0.actor().is_staff() {
            return Err(StoreError::Domain(
                helpdeck_core::error::DomainError::Forbidden(
                    "only agents and admins look at assignment rules".into(),
                ),
            ));
        }
        let mut conn = self.0.pool.acquire().await?;
        let (t, _) = find_ticket(&mut conn, reference).await?;
        let rules = self.0.rules_in(&mut conn).await?;
        let inputs = self.0.routing_inputs(&mut conn, &rules.assignment).await?;
        let tier = self.0.org_tier(&mut conn, t.organization_id).await?;
        let router = Router::new(
            &rules.assignment,
            inputs.teams,
            inputs.agents,
            inputs.turns,
            &inputs.pause,
            self.0.now(),
        );
        Ok(router.explain(&Facts::of(&t, tier)))
    }
}

impl Admin<'_> {
    /// What `rule test` sends the server for a ticket held here (it may not be there yet).
    pub async fn routing_probe(&self, reference: &str) -> Result<helpdeck_core::routing::Probe> {
        let mut conn = self.0.pool.acquire().await?;
        let (t, _) = find_ticket(&mut conn, reference).await?;
        Ok(helpdeck_core::routing::Probe::of(&t))
    }
}

impl Admin<'_> {
    /// This user's availability as this device knows it (a local workspace: the one there
    /// is; a replica: what was last set from here).
    pub async fn my_availability(&self) -> Result<helpdeck_core::routing::Availability> {
        let row: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT away, away_until FROM users WHERE id = ?")
                .bind(self.0.actor().id.to_string())
                .fetch_optional(&self.0.pool)
                .await?;
        Ok(row
            .map(|(away, until)| helpdeck_core::routing::Availability::stored(away, until))
            .unwrap_or_default())
    }

    /// Keeps the availability the server took for this user (a replica), so the app shows it.
    pub async fn keep_my_availability(
        &self,
        a: helpdeck_core::routing::Availability,
    ) -> Result<()> {
        sqlx::query("UPDATE users SET away = ?, away_until = ? WHERE id = ?")
            .bind(a.away)
            .bind(a.until.map(|u| u.as_millisecond()))
            .bind(self.0.actor().id.to_string())
            .execute(&self.0.pool)
            .await?;
        Ok(())
    }
}
