//! Assignment on the server (spec §3.1): what [`helpdeck_core::routing::Router`] needs to
//! decide — teams, agents with their skills, availability and load, whose turn each
//! round-robin rule is at — read inside the transaction that routes, and the turns kept
//! again afterwards. The push routes the tickets it brings (`push::route_created`);
//! `POST /routing/test` explains a decision without taking a turn.

use std::collections::BTreeMap;

use helpdeck_core::Timestamp;
use helpdeck_core::routing::{
    Inputs, StoredAgent, StoredAgentRow, StoredInputs, agents_to_count, counts_as_load, from_stored,
};
use helpdeck_core::status::Status;
use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::user::CustomerTier;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::error::{Result, ServerError};

/// Reads what routing needs on `conn` (inside the routing transaction).
pub(crate) async fn inputs(conn: &mut AnyConnection, rules: &WorkspaceRules) -> Result<Inputs> {
    let pause = rules
        .sla
        .as_ref()
        .map(|s| s.policy.pause_statuses.clone())
        .unwrap_or_default();
    let teams: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM teams")
        .fetch_all(&mut *conn)
        .await?;
    let rows: Vec<StoredAgentRow> = sqlx::query_as(
        "SELECT id, email, name, team_id, skills, away, away_until FROM users \
         WHERE role IN ('agent', 'admin')",
    )
    .fetch_all(&mut *conn)
    .await?;
    let agents: Vec<StoredAgent> = rows.into_iter().map(StoredAgent::from).collect();
    // Loads only where a rule looks at them: the open tickets whose SLA runs, of the agents
    // of least-loaded or capped teams (the assignee/status index).
    let counted = agents_to_count(&rules.assignment, &teams, &agents);
    let mut loads = BTreeMap::new();
    if !counted.is_empty() {
        let loading: Vec<String> = Status::ALL
            .iter()
            .filter(|s| counts_as_load(**s, &pause))
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let marks = crate::db::marks(crate::db::Backend::of(conn), counted.len());
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT assignee_id, count(*) FROM tickets WHERE assignee_id IN ({marks}) \
             AND status IN ({}) GROUP BY assignee_id",
            loading.join(", ")
        )));
        for a in &counted {
            q = q.bind(a.to_string());
        }
        loads.extend(q.fetch_all(&mut *conn).await?);
    }
    let turns: Vec<(String, String)> =
        sqlx::query_as("SELECT rule_id, last_email FROM routing_turns")
            .fetch_all(&mut *conn)
            .await?;
    from_stored(
        StoredInputs {
            teams,
            agents,
            loads,
            turns,
        },
        pause,
    )
    .map_err(|e| ServerError::Internal(format!("bad routing data: {e}")))
}

/// The customer tier of an organization (none: no organization).
pub(crate) async fn org_tier(
    conn: &mut AnyConnection,
    org: Option<Uuid>,
) -> Result<Option<CustomerTier>> {
    let Some(org) = org else { return Ok(None) };
    let tier: Option<String> =
        sqlx::query_scalar("SELECT customer_tier FROM organizations WHERE id = $1")
            .bind(org.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(tier.and_then(|t| t.parse().ok()))
}

/// Keeps whose turn each round-robin rule is at.
pub(crate) async fn save_turns(
    conn: &mut AnyConnection,
    turns: &BTreeMap<Uuid, String>,
) -> Result<()> {
    for (rule, email) in turns {
        sqlx::query(
            "INSERT INTO routing_turns (rule_id, last_email) VALUES ($1, $2) \
             ON CONFLICT (rule_id) DO UPDATE SET last_email = excluded.last_email",
        )
        .bind(rule.to_string())
        .bind(email)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The decision for `probe` as things stand (`POST /routing/test`).
pub(crate) async fn explain(
    db: &crate::db::Db,
    probe: &helpdeck_core::routing::Probe,
) -> Result<helpdeck_core::routing::Decision> {
    let rules = db.rules().await?;
    let mut conn = db.pool.acquire().await?;
    let inputs = inputs(&mut conn, &rules).await?;
    let tier = org_tier(&mut conn, probe.organization_id).await?;
    let router = helpdeck_core::routing::Router::new(
        &rules.assignment,
        inputs.teams,
        inputs.agents,
        inputs.turns,
        &inputs.pause,
        Timestamp::now(),
    );
    Ok(router.explain(&probe.facts(tier)))
}
