//! Assignment rules (spec §3.1, seed 004: one accountable owner per ticket). An admin keeps
//! an ordered list; the first rule whose conditions all hold decides the new ticket's owner:
//! a team queue, an agent, the next agent of a team in turn (round-robin), or the agent of a
//! team with the fewest open tickets whose SLA runs (least-loaded) — among available agents
//! with the rule's skill, under its capacity cap.
//!
//! One function decides: [`Router::route`]. The server runs it when it first sees a ticket
//! (inside the push that brings it, so two laptops that created tickets offline never take
//! the same turn); a local workspace runs it when a ticket is made; `rule test` runs it
//! without taking a turn, to explain which rule matches and why.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::status::Status;
use crate::ticket::{Channel, Kind, Priority, Ticket};
use crate::user::CustomerTier;

#[cfg(test)]
mod tests;

/// Most rules a workspace keeps.
pub const MAX_RULES: usize = 200;
/// Longest rule name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Most conditions one rule has.
pub const MAX_CONDITIONS: usize = 20;
/// Allowed capacity caps (open tickets per agent).
pub const CAPACITY: std::ops::RangeInclusive<u32> = 1..=1000;
/// Longest skill name, in characters.
pub const MAX_SKILL_CHARS: usize = 40;
/// Most skills one agent has.
pub const MAX_SKILLS: usize = 30;

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Kind,
    Category,
    Priority,
    /// The requester's organization tier (strategic | standard).
    OrgTier,
    Channel,
    /// A word in the title or the description.
    Keyword,
}

impl Field {
    /// Every field, in the order `--when` documents them.
    pub const ALL: &'static [Field] = &[
        Field::Kind,
        Field::Category,
        Field::Priority,
        Field::OrgTier,
        Field::Channel,
        Field::Keyword,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Kind => "kind",
            Field::Category => "category",
            Field::Priority => "priority",
            Field::OrgTier => "org_tier",
            Field::Channel => "channel",
            Field::Keyword => "keyword",
        }
    }
}

/// `FIELD=VALUE`, where VALUE may list alternatives: `priority=P1|P2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Condition {
    pub field: Field,
    /// Any one of these (normalised: vocabulary spelling, or trimmed text).
    pub any_of: Vec<String>,
}

/// Who gets the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Assign {
    /// The team's queue (no agent yet).
    Team { team: String },
    /// One agent, by email.
    Agent { email: String },
    /// The team's available agents in turn.
    RoundRobin { team: String },
    /// The team's available agent with the fewest open tickets whose SLA runs.
    LeastLoaded { team: String },
}

impl Assign {
    /// The team the action names, if any.
    pub fn team(&self) -> Option<&str> {
        match self {
            Assign::Team { team } | Assign::RoundRobin { team } | Assign::LeastLoaded { team } => {
                Some(team)
            }
            Assign::Agent { .. } => None,
        }
    }
}

impl std::fmt::Display for Assign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Assign::Team { team } => write!(f, "team:{team}"),
            Assign::Agent { email } => write!(f, "agent:{email}"),
            Assign::RoundRobin { team } => write!(f, "round-robin:{team}"),
            Assign::LeastLoaded { team } => write!(f, "least-loaded:{team}"),
        }
    }
}

impl std::str::FromStr for Assign {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                "assign",
                format!(
                    "{s:?} (allowed: team:TEAM, agent:EMAIL, round-robin:TEAM, least-loaded:TEAM)"
                ),
            )
        };
        let (kind, who) = s.split_once(':').ok_or_else(bad)?;
        let who = who.trim();
        if who.is_empty() {
            return Err(bad());
        }
        let team = who.to_string();
        Ok(match kind.trim().to_ascii_lowercase().as_str() {
            "team" => Assign::Team { team },
            "agent" => Assign::Agent {
                email: crate::user::validate_email(who)?,
            },
            "round-robin" | "round_robin" => Assign::RoundRobin { team },
            "least-loaded" | "least_loaded" => Assign::LeastLoaded { team },
            _ => return Err(bad()),
        })
    }
}

/// An assignment rule as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssignmentRule {
    pub id: Uuid,
    pub name: String,
    /// All must hold (none: every ticket).
    pub when: Vec<Condition>,
    pub assign: Assign,
    /// Round-robin and least-loaded: only agents with this skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill: Option<String>,
    /// Round-robin and least-loaded: an agent with this many open tickets whose SLA runs
    /// gets no more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
}

/// Parses `FIELD=VALUE` (VALUE may be `a|b`), checking the values a field allows.
pub fn parse_condition(text: &str) -> Result<Condition, DomainError> {
    let allowed = Field::ALL
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let Some((field, value)) = text.split_once('=') else {
        return Err(DomainError::invalid(
            "when",
            format!("{text:?} is not FIELD=VALUE (fields: {allowed})"),
        ));
    };
    let field = Field::ALL
        .iter()
        .copied()
        .find(|f| f.as_str().eq_ignore_ascii_case(field.trim()))
        .ok_or_else(|| {
            DomainError::invalid(
                "when",
                format!("unknown field {:?} (fields: {allowed})", field.trim()),
            )
        })?;
    condition(field, value.split('|').map(str::to_string).collect())
}

/// A condition with its values checked and normalised.
pub fn condition(field: Field, values: Vec<String>) -> Result<Condition, DomainError> {
    let mut any_of = Vec::new();
    for v in values {
        let v = v.trim();
        if v.is_empty() {
            return Err(DomainError::invalid(
                "when",
                format!("{}= needs a value", field.as_str()),
            ));
        }
        let norm = match field {
            Field::Kind => v.parse::<Kind>()?.as_str().to_string(),
            Field::Priority => v.parse::<Priority>()?.as_str().to_string(),
            Field::Channel => v.parse::<Channel>()?.as_str().to_string(),
            Field::OrgTier => v.parse::<CustomerTier>()?.as_str().to_string(),
            Field::Category | Field::Keyword => {
                if v.chars().count() > MAX_NAME_CHARS {
                    return Err(DomainError::invalid(
                        "when",
                        format!(
                            "{} value is longer than {MAX_NAME_CHARS} characters",
                            field.as_str()
                        ),
                    ));
                }
                if field == Field::Keyword {
                    v.to_lowercase()
                } else {
                    v.to_string()
                }
            }
        };
        if !any_of.contains(&norm) {
            any_of.push(norm);
        }
    }
    Ok(Condition { field, any_of })
}

/// Checks a rule as a whole (the name, the conditions, skill and capacity only where they
/// mean something) and normalises it.
pub fn check_rule(mut rule: AssignmentRule) -> Result<AssignmentRule, DomainError> {
    rule.name = rule.name.trim().to_string();
    if rule.name.is_empty() {
        return Err(DomainError::required("name", "give the rule a name"));
    }
    if rule.name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            "name",
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if rule.when.len() > MAX_CONDITIONS {
        return Err(DomainError::invalid(
            "when",
            format!("{} conditions (at most {MAX_CONDITIONS})", rule.when.len()),
        ));
    }
    rule.when = rule
        .when
        .into_iter()
        .map(|c| condition(c.field, c.any_of))
        .collect::<Result<_, _>>()?;
    let pool = matches!(
        rule.assign,
        Assign::RoundRobin { .. } | Assign::LeastLoaded { .. }
    );
    if !pool && (rule.skill.is_some() || rule.capacity.is_some()) {
        return Err(DomainError::invalid(
            "assign",
            "a skill or a capacity applies to round-robin and least-loaded only",
        ));
    }
    if let Some(team) = rule.assign.team() {
        crate::people::validate_name("team", team)?;
    }
    rule.skill = rule.skill.map(|s| normalise_skill(&s)).transpose()?;
    if let Some(c) = rule.capacity
        && !CAPACITY.contains(&c)
    {
        return Err(DomainError::invalid(
            "capacity",
            format!("{c} (allowed: {} to {})", CAPACITY.start(), CAPACITY.end()),
        ));
    }
    Ok(rule)
}

/// A skill as stored: trimmed, lower-case, short.
pub fn normalise_skill(s: &str) -> Result<String, DomainError> {
    let s = s.trim().to_lowercase();
    if s.is_empty() || s.chars().count() > MAX_SKILL_CHARS || s.contains(',') {
        return Err(DomainError::invalid(
            "skill",
            format!("{s:?} (a word or two, 1 to {MAX_SKILL_CHARS} characters, no commas)"),
        ));
    }
    Ok(s)
}

/// An agent's skills as stored: normalised, deduplicated, at most [`MAX_SKILLS`].
pub fn normalise_skills(skills: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for s in skills {
        let s = normalise_skill(s)?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.len() > MAX_SKILLS {
        return Err(DomainError::invalid(
            "skills",
            format!("{} skills (at most {MAX_SKILLS})", out.len()),
        ));
    }
    Ok(out)
}

/// Whether an agent takes new tickets: away (optionally until a time: out of office).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Availability {
    pub away: bool,
    /// Out of office until then (away only).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub until: Option<Timestamp>,
}

impl Availability {
    /// Takes new tickets at `now`.
    pub fn available_at(&self, now: Timestamp) -> bool {
        !self.away || self.until.is_some_and(|u| u <= now)
    }
}

/// Does an open ticket in `status` count towards its assignee's load (its SLA runs)?
pub fn counts_as_load(status: Status, pause: &[Status]) -> bool {
    status.is_open() && !pause.contains(&status)
}

/// What rules look at in a ticket.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub kind: Kind,
    pub category: &'a str,
    pub priority: Priority,
    pub org_tier: Option<CustomerTier>,
    pub channel: Channel,
    pub title: &'a str,
    pub description: &'a str,
}

impl<'a> Facts<'a> {
    pub fn of(t: &'a Ticket, org_tier: Option<CustomerTier>) -> Facts<'a> {
        Facts {
            kind: t.kind,
            category: &t.category,
            priority: t.priority,
            org_tier,
            channel: t.channel,
            title: &t.title,
            description: &t.description,
        }
    }
}

/// Should rules decide this ticket's owner? Only a new ticket nobody gave an owner (an
/// agent who picks a team or an assignee when creating has decided).
pub fn wants_routing(t: &Ticket) -> bool {
    t.assignee_id.is_none() && t.team_id.is_none() && t.merged_into.is_none()
}

/// An agent as routing sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub skills: Vec<String>,
    pub availability: Availability,
    /// Open tickets whose SLA runs, assigned to them.
    pub load: u32,
}

/// The decision for one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Decision {
    /// The rule that matched (none: the ticket stays unowned).
    pub rule: Option<String>,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    /// One line per rule looked at, in order, saying why it did or did not decide.
    pub explanation: Vec<String>,
}

impl Decision {
    /// Has the ticket an accountable owner (an agent or a team queue)?
    pub fn owned(&self) -> bool {
        self.team_id.is_some() || self.assignee_id.is_some()
    }
}

/// Routes tickets one after another, keeping loads and turns as it assigns (a push of 50
/// new tickets routes the 50th knowing the 49 before it).
#[derive(Debug, Clone)]
pub struct Router<'a> {
    rules: &'a [AssignmentRule],
    teams: BTreeMap<String, Uuid>,
    agents: Vec<Agent>,
    pause: &'a [Status],
    /// The last agent (email) each round-robin rule gave a ticket to.
    turns: BTreeMap<Uuid, String>,
    now: Timestamp,
}

impl<'a> Router<'a> {
    /// `teams`: (id, name); `agents`: every agent and admin with their load; `turns`: where
    /// each round-robin rule stands; `pause`: the SLA policy's pause statuses.
    pub fn new(
        rules: &'a [AssignmentRule],
        teams: impl IntoIterator<Item = (Uuid, String)>,
        mut agents: Vec<Agent>,
        turns: BTreeMap<Uuid, String>,
        pause: &'a [Status],
        now: Timestamp,
    ) -> Router<'a> {
        agents.sort_by(|a, b| a.email.cmp(&b.email));
        Router {
            rules,
            teams: teams
                .into_iter()
                .map(|(id, name)| (name.to_lowercase(), id))
                .collect(),
            agents,
            pause,
            turns,
            now,
        }
    }

    /// Where each round-robin rule stands now (to keep for the next tickets).
    pub fn turns(&self) -> &BTreeMap<Uuid, String> {
        &self.turns
    }

    /// Decides the owner of a new ticket and counts it in (its agent's load, the rule's turn).
    pub fn route(&mut self, facts: &Facts<'_>, status: Status) -> Decision {
        let d = self.explain(facts);
        if let (Some(rule), Some(agent)) = (
            d.rule
                .as_ref()
                .and_then(|n| self.rules.iter().find(|r| &r.name == n)),
            d.assignee_id,
        ) && let Some(a) = self.agents.iter_mut().find(|a| a.id == agent)
        {
            if counts_as_load(status, self.pause) {
                a.load += 1;
            }
            if matches!(rule.assign, Assign::RoundRobin { .. }) {
                self.turns.insert(rule.id, a.email.clone());
            }
        }
        d
    }

    /// Decides without counting the ticket in (`rule test`).
    pub fn explain(&self, facts: &Facts<'_>) -> Decision {
        let text = searchable(facts);
        let mut explanation = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let n = i + 1;
            if let Some(miss) = rule.when.iter().find(|c| !holds_in(c, facts, &text)) {
                explanation.push(format!(
                    "{n}. {}: no — {} is not {}",
                    rule.name,
                    miss.field.as_str(),
                    miss.any_of.join(" or ")
                ));
                continue;
            }
            let why = if rule.when.is_empty() {
                "no conditions".to_string()
            } else {
                rule.when
                    .iter()
                    .map(|c| format!("{}={}", c.field.as_str(), c.any_of.join("|")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match self.act(rule) {
                Ok((team_id, assignee_id, how)) => {
                    explanation.push(format!("{n}. {}: matches ({why}) — {how}", rule.name));
                    return Decision {
                        rule: Some(rule.name.clone()),
                        team_id,
                        assignee_id,
                        explanation,
                    };
                }
                Err(skip) => {
                    explanation.push(format!(
                        "{n}. {}: matches ({why}) but {skip}; next rule",
                        rule.name
                    ));
                }
            }
        }
        explanation.push(if self.rules.is_empty() {
            "no assignment rules: the ticket stays unowned until someone takes it".into()
        } else {
            "no rule decided: the ticket stays unowned until someone takes it".into()
        });
        Decision {
            rule: None,
            team_id: None,
            assignee_id: None,
            explanation,
        }
    }

    /// The owner `rule` gives, or why it cannot act.
    fn act(&self, rule: &AssignmentRule) -> Result<(Option<Uuid>, Option<Uuid>, String), String> {
        let team = |name: &str| {
            self.teams
                .get(&name.to_lowercase())
                .copied()
                .ok_or_else(|| format!("team {name:?} does not exist"))
        };
        match &rule.assign {
            Assign::Team { team: name } => {
                Ok((Some(team(name)?), None, format!("team queue {name}")))
            }
            Assign::Agent { email } => {
                let a = self
                    .agents
                    .iter()
                    .find(|a| a.email.eq_ignore_ascii_case(email))
                    .ok_or_else(|| format!("{email} is not an agent here"))?;
                if !a.availability.available_at(self.now) {
                    return Err(format!("{} is away", a.name));
                }
                Ok((a.team_id, Some(a.id), format!("agent {}", a.name)))
            }
            Assign::RoundRobin { team: name } | Assign::LeastLoaded { team: name } => {
                let team_id = team(name)?;
                let pool = self.pool(rule, team_id);
                if pool.is_empty() {
                    // Nobody can take it now: the team's queue owns it.
                    return Ok((
                        Some(team_id),
                        None,
                        format!(
                            "no agent of {name} is available{}{}: team queue {name}",
                            rule.skill
                                .as_ref()
                                .map(|s| format!(" with skill {s}"))
                                .unwrap_or_default(),
                            rule.capacity
                                .map(|c| format!(" under {c} open tickets"))
                                .unwrap_or_default(),
                        ),
                    ));
                }
                let pick = if matches!(rule.assign, Assign::RoundRobin { .. }) {
                    let last = self.turns.get(&rule.id);
                    pool.iter()
                        .find(|a| last.is_some_and(|l| a.email.as_str() > l.as_str()))
                        .unwrap_or(&pool[0])
                } else {
                    pool.iter()
                        .min_by(|a, b| a.load.cmp(&b.load).then(a.email.cmp(&b.email)))
                        .expect("pool is not empty")
                };
                let how = if matches!(rule.assign, Assign::RoundRobin { .. }) {
                    format!("{name} in turn: {}", pick.name)
                } else {
                    format!("least loaded of {name}: {} ({} open)", pick.name, pick.load)
                };
                Ok((Some(team_id), Some(pick.id), how))
            }
        }
    }

    /// The team's agents who may take a ticket by `rule` now, in email order.
    fn pool(&self, rule: &AssignmentRule, team_id: Uuid) -> Vec<&Agent> {
        self.agents
            .iter()
            .filter(|a| a.team_id == Some(team_id))
            .filter(|a| a.availability.available_at(self.now))
            .filter(|a| rule.skill.as_ref().is_none_or(|s| a.skills.contains(s)))
            .filter(|a| rule.capacity.is_none_or(|c| a.load < c))
            .collect()
    }
}

/// Does the condition hold for a ticket with these facts? (Escalation rules ask it too.)
pub fn holds(c: &Condition, f: &Facts<'_>) -> bool {
    holds_in(c, f, &searchable(f))
}

/// The title and description as keywords are looked for in (lower-case, once per ticket).
fn searchable(f: &Facts<'_>) -> String {
    format!("{}\n{}", f.title, f.description).to_lowercase()
}

fn holds_in(c: &Condition, f: &Facts<'_>, text: &str) -> bool {
    let eq = |v: &str| c.any_of.iter().any(|x| x.eq_ignore_ascii_case(v));
    match c.field {
        Field::Kind => eq(f.kind.as_str()),
        Field::Category => eq(f.category.trim()),
        Field::Priority => eq(f.priority.as_str()),
        Field::OrgTier => f.org_tier.is_some_and(|t| eq(t.as_str())),
        Field::Channel => eq(f.channel.as_str()),
        Field::Keyword => c.any_of.iter().any(|k| text.contains(k.as_str())),
    }
}

/// The teams whose agents' loads a decision may need (least-loaded rules, and caps);
/// empty when no rule looks at loads, so nobody's tickets need counting.
pub fn teams_needing_load(rules: &[AssignmentRule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rules {
        let counts = matches!(r.assign, Assign::LeastLoaded { .. }) || r.capacity.is_some();
        if let (true, Some(team)) = (counts, r.assign.team())
            && !out.iter().any(|t| t.eq_ignore_ascii_case(team))
        {
            out.push(team.to_string());
        }
    }
    out
}

/// Adds `rule` at `position` (1-based; none: last), refusing a second rule of the same name.
pub fn add_rule(
    rules: &[AssignmentRule],
    rule: AssignmentRule,
    position: Option<usize>,
) -> Result<Vec<AssignmentRule>, DomainError> {
    let rule = check_rule(rule)?;
    if rules.len() >= MAX_RULES {
        return Err(DomainError::invalid(
            "rule",
            format!("the workspace has {MAX_RULES} rules, the most it keeps; remove one first"),
        ));
    }
    if rules
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(&rule.name))
    {
        return Err(DomainError::invalid(
            "name",
            format!("a rule named {:?} exists; choose another name", rule.name),
        ));
    }
    let mut next = rules.to_vec();
    let at = match position {
        None => next.len(),
        Some(p) if (1..=next.len() + 1).contains(&p) => p - 1,
        Some(p) => {
            return Err(DomainError::invalid(
                "position",
                format!("{p} (allowed: 1 to {})", next.len() + 1),
            ));
        }
    };
    next.insert(at, rule);
    Ok(next)
}

/// Removes the rule named `name`.
pub fn remove_rule(
    rules: &[AssignmentRule],
    name: &str,
) -> Result<Vec<AssignmentRule>, DomainError> {
    crate::workspace::remove_named(rules, name, |r| &r.name, "name", "rule")
}

/// Refuses a rule naming a team or an agent the workspace does not have (`teams`: team
/// names; `agents`: emails of agents and admins).
pub fn check_references(
    rule: &AssignmentRule,
    teams: &[String],
    agents: &[String],
) -> Result<(), DomainError> {
    if let Some(team) = rule.assign.team()
        && !teams.iter().any(|t| t.eq_ignore_ascii_case(team))
    {
        return Err(DomainError::invalid(
            "assign",
            format!("no team named {team:?} (teams: {})", teams.join(", ")),
        ));
    }
    if let Assign::Agent { email } = &rule.assign
        && !agents.iter().any(|a| a.eq_ignore_ascii_case(email))
    {
        return Err(DomainError::invalid(
            "assign",
            format!("{email} is not an agent or admin of this workspace"),
        ));
    }
    Ok(())
}

/// A ticket as `rule test` sends it to the server (it may exist only on this laptop yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub kind: Kind,
    pub category: String,
    pub priority: Priority,
    pub channel: Channel,
    pub title: String,
    pub description: String,
    pub organization_id: Option<Uuid>,
}

impl Probe {
    pub fn of(t: &Ticket) -> Probe {
        Probe {
            kind: t.kind,
            category: t.category.clone(),
            priority: t.priority,
            channel: t.channel,
            title: t.title.clone(),
            description: t.description.clone(),
            organization_id: t.organization_id,
        }
    }

    pub fn facts(&self, org_tier: Option<CustomerTier>) -> Facts<'_> {
        Facts {
            kind: self.kind,
            category: &self.category,
            priority: self.priority,
            org_tier,
            channel: self.channel,
            title: &self.title,
            description: &self.description,
        }
    }
}

/// An agent as both databases keep them (ids and skills as text), read for routing.
#[derive(Debug, Clone)]
pub struct StoredAgent {
    pub id: String,
    pub email: String,
    pub name: String,
    pub team_id: Option<String>,
    /// JSON list.
    pub skills: String,
    pub away: i64,
    /// Milliseconds.
    pub away_until: Option<i64>,
}

/// The row both databases answer `SELECT id, email, name, team_id, skills, away, away_until`
/// with.
pub type StoredAgentRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
);

impl From<StoredAgentRow> for StoredAgent {
    fn from((id, email, name, team_id, skills, away, away_until): StoredAgentRow) -> Self {
        StoredAgent {
            id,
            email,
            name,
            team_id,
            skills,
            away,
            away_until,
        }
    }
}

/// What a router starts from, as read from a database: teams `(id, name)`, agents, their
/// loads by id, and turns `(rule id, last email)`.
pub struct StoredInputs {
    pub teams: Vec<(String, String)>,
    pub agents: Vec<StoredAgent>,
    pub loads: BTreeMap<String, i64>,
    pub turns: Vec<(String, String)>,
}

/// The agents whose loads a decision may need (members of the teams
/// [`teams_needing_load`] names): only their open tickets are counted.
pub fn agents_to_count<'a>(
    rules: &[AssignmentRule],
    teams: &[(String, String)],
    agents: &'a [StoredAgent],
) -> Vec<&'a str> {
    let needing = teams_needing_load(rules);
    let counted: Vec<&str> = teams
        .iter()
        .filter(|(_, name)| needing.iter().any(|t| t.eq_ignore_ascii_case(name)))
        .map(|(id, _)| id.as_str())
        .collect();
    agents
        .iter()
        .filter(|a| a.team_id.as_deref().is_some_and(|t| counted.contains(&t)))
        .map(|a| a.id.as_str())
        .collect()
}

impl Availability {
    /// An availability as stored (`away` 0/1, `until` in milliseconds).
    pub fn stored(away: i64, until_ms: Option<i64>) -> Availability {
        Availability {
            away: away != 0,
            until: until_ms.and_then(|ms| Timestamp::from_millisecond(ms).ok()),
        }
    }
}

/// What a [`Router`] takes besides the rules: teams, agents with their loads, turns, and the
/// SLA policy's pause statuses.
pub struct Inputs {
    pub teams: Vec<(Uuid, String)>,
    pub agents: Vec<Agent>,
    pub turns: BTreeMap<Uuid, String>,
    pub pause: Vec<Status>,
}

/// The router's inputs from what was read.
pub fn from_stored(s: StoredInputs, pause: Vec<Status>) -> Result<Inputs, DomainError> {
    let id = |text: &str| {
        Uuid::parse_str(text)
            .map_err(|_| DomainError::invalid("id", format!("{text:?} is not an id")))
    };
    let teams = s
        .teams
        .into_iter()
        .map(|(i, name)| Ok((id(&i)?, name)))
        .collect::<Result<_, DomainError>>()?;
    let agents = s
        .agents
        .into_iter()
        .map(|a| {
            Ok(Agent {
                load: s.loads.get(&a.id).copied().unwrap_or(0).max(0) as u32,
                id: id(&a.id)?,
                team_id: a.team_id.as_deref().map(id).transpose()?,
                skills: serde_json::from_str(&a.skills).unwrap_or_default(),
                availability: Availability::stored(a.away, a.away_until),
                email: a.email,
                name: a.name,
            })
        })
        .collect::<Result<_, DomainError>>()?;
    let turns = s
        .turns
        .into_iter()
        .map(|(rule, email)| Ok((id(&rule)?, email)))
        .collect::<Result<_, DomainError>>()?;
    Ok(Inputs {
        teams,
        agents,
        turns,
        pause,
    })
}
