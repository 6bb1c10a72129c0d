//! Assignment on the server (spec §3.1): what [`helpdeck_core::routing::Router`] needs to
//! decide — teams, agents with their skills, availability and load, whose turn each
//! round-robin rule is at — read inside the transaction that routes, and the turns kept
//! again afterwards. The push routes the tickets it brings (`push::route_created`);
//! `POST /routing/test` explains a decision without taking a turn.

use std::collections::BTreeMap;

use helpdeck_core::Timestamp;
use helpdeck_core::routing::{Agent, Availability, counts_as_load};
use helpdeck_core::status::Status;
use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::user::CustomerTier;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::db::parse_uuid;
use crate::error::{Result, ServerError};

/// Teams, agents (with loads) and turns, as the router takes them.
pub(crate) struct Inputs {
    pub teams: Vec<(Uuid, String)>,
    pub agents: Vec<Agent>,
    pub turns: BTreeMap<Uuid, String>,
    pub pause: Vec<Status>,
}

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
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, email, name, team_id, skills, away, away_until FROM users \
         WHERE role IN ('agent', 'admin')",
    )
    .fetch_all(&mut *conn)
    .await?;
    // Loads only where a rule looks at them: the open tickets whose SLA runs, of the agents
    // of least-loaded or capped teams (the assignee/status index).
    let needing = helpdeck_core::routing::teams_needing_load(&rules.assignment);
    let counted: Vec<&String> = teams
        .iter()
        .filter(|(_, name)| needing.iter().any(|t| t.eq_ignore_ascii_case(name)))
        .map(|(id, _)| id)
        .collect();
    let counted_agents: Vec<&str> = rows
        .iter()
        .filter(|r| r.3.as_ref().is_some_and(|t| counted.contains(&t)))
        .map(|r| r.0.as_str())
        .collect();
    let mut loads: BTreeMap<String, i64> = BTreeMap::new();
    if !counted_agents.is_empty() {
        let loading: Vec<String> = Status::ALL
            .iter()
            .filter(|s| counts_as_load(**s, &pause))
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let marks = (1..=counted_agents.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(format!(
            "SELECT assignee_id, count(*) FROM tickets WHERE assignee_id IN ({marks}) \
             AND status IN ({}) GROUP BY assignee_id",
            loading.join(", ")
        )));
        for a in &counted_agents {
            q = q.bind(a.to_string());
        }
        loads.extend(q.fetch_all(&mut *conn).await?);
    }
    let teams = teams
        .into_iter()
        .map(|(id, name)| Ok((parse_uuid(&id)?, name)))
        .collect::<Result<Vec<_>>>()?;
    let mut agents = Vec::with_capacity(rows.len());
    for (id, email, name, team, skills, away, until) in rows {
        agents.push(Agent {
            load: loads.get(&id).copied().unwrap_or(0) as u32,
            id: parse_uuid(&id)?,
            email,
            name,
            team_id: team.as_deref().map(parse_uuid).transpose()?,
            skills: serde_json::from_str(&skills)
                .map_err(|e| ServerError::Internal(format!("bad skills: {e}")))?,
            availability: availability(away, until),
        });
    }
    let turns: Vec<(String, String)> =
        sqlx::query_as("SELECT rule_id, last_email FROM routing_turns")
            .fetch_all(&mut *conn)
            .await?;
    let turns = turns
        .into_iter()
        .map(|(id, email)| Ok((parse_uuid(&id)?, email)))
        .collect::<Result<_>>()?;
    Ok(Inputs {
        teams,
        agents,
        turns,
        pause,
    })
}

/// An availability as stored (`away` 0/1, `away_until` ms).
pub(crate) fn availability(away: i64, until: Option<i64>) -> Availability {
    Availability {
        away: away != 0,
        until: until.and_then(|ms| Timestamp::from_millisecond(ms).ok()),
    }
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
