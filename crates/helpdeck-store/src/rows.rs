//! Row types as SQLite returns them, and their conversion to domain types.

use helpdeck_core::Timestamp;
use helpdeck_core::ticket::{Csat, Ticket};
use helpdeck_core::user::User;
use uuid::Uuid;

use crate::error::{Result, StoreError};

/// Milliseconds since the epoch, as stored.
pub fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// A stored millisecond value back to an instant.
pub fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub fn opt_ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(ts)
}

pub fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| corrupt("id", s, e))
}

pub fn opt_uuid(s: Option<&str>) -> Result<Option<Uuid>> {
    s.map(uuid).transpose()
}

fn corrupt(what: &str, value: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("stored {what} '{value}' is invalid: {e}").into(),
    ))
}

fn parse<T: std::str::FromStr>(what: &str, s: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| corrupt(what, s, e))
}

/// The `tickets` columns that make up a [`Ticket`].
pub const TICKET_COLUMNS: &str = "t.id, t.number, t.title, t.description, t.kind, t.category, t.status, \
    t.priority, t.channel, t.requester_id, t.organization_id, t.assignee_id, t.team_id, t.tier, t.tags, \
    t.asset_id, t.site, t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, \
    t.resolution, t.csat_score, t.csat_comment, t.seq, t.former_number, t.followup, t.merged_into";

#[derive(sqlx::FromRow)]
pub struct TicketRow {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub category: String,
    pub status: String,
    pub priority: String,
    pub channel: String,
    pub requester_id: Option<String>,
    pub organization_id: Option<String>,
    pub assignee_id: Option<String>,
    pub team_id: Option<String>,
    pub tier: String,
    pub tags: String,
    pub asset_id: Option<String>,
    pub site: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub resolution: Option<String>,
    pub csat_score: Option<i64>,
    pub csat_comment: Option<String>,
    pub seq: i64,
    pub former_number: Option<i64>,
    pub followup: Option<String>,
    pub merged_into: Option<String>,
}

impl TicketRow {
    pub fn into_ticket(self) -> Result<Ticket> {
        Ok(Ticket {
            id: uuid(&self.id)?,
            number: self.number,
            former_number: self.former_number,
            title: self.title,
            description: self.description,
            kind: parse("kind", &self.kind)?,
            category: self.category,
            status: parse("status", &self.status)?,
            priority: parse("priority", &self.priority)?,
            channel: parse("channel", &self.channel)?,
            requester_id: opt_uuid(self.requester_id.as_deref())?,
            organization_id: opt_uuid(self.organization_id.as_deref())?,
            assignee_id: opt_uuid(self.assignee_id.as_deref())?,
            team_id: opt_uuid(self.team_id.as_deref())?,
            tier: parse("tier", &self.tier)?,
            tags: serde_json::from_str(&self.tags).map_err(|e| corrupt("tags", &self.tags, e))?,
            asset_id: opt_uuid(self.asset_id.as_deref())?,
            site: self.site,
            created_at: ts(self.created_at),
            updated_at: ts(self.updated_at),
            first_response_at: opt_ts(self.first_response_at),
            resolved_at: opt_ts(self.resolved_at),
            closed_at: opt_ts(self.closed_at),
            resolution: self
                .resolution
                .as_deref()
                .map(|r| serde_json::from_str(r).map_err(|e| corrupt("resolution", r, e)))
                .transpose()?,
            csat: self.csat_score.map(|s| Csat {
                score: s as u8,
                comment: self.csat_comment,
            }),
            followup: self
                .followup
                .as_deref()
                .map(|f| serde_json::from_str(f).map_err(|e| corrupt("followup", f, e)))
                .transpose()?,
            merged_into: opt_uuid(self.merged_into.as_deref())?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organization_id: Option<String>,
    pub org_admin: bool,
    pub team_id: Option<String>,
    pub tier: Option<String>,
    pub field: bool,
    pub created_at: i64,
}

impl UserRow {
    pub fn into_user(self) -> Result<User> {
        Ok(User {
            id: uuid(&self.id)?,
            email: self.email,
            name: self.name,
            role: parse("role", &self.role)?,
            organization_id: opt_uuid(self.organization_id.as_deref())?,
            org_admin: self.org_admin,
            team_id: opt_uuid(self.team_id.as_deref())?,
            tier: self.tier.as_deref().map(|t| parse("tier", t)).transpose()?,
            field: self.field,
            created_at: ts(self.created_at),
        })
    }
}

pub const USER_COLUMNS: &str =
    "id, email, name, role, organization_id, org_admin, team_id, tier, field, created_at";

/// The hex digits a person named an entity by: its key (`WO-1a2b3c4d`, any case), its id, or
/// the start of it (6+ hex digits); refused on `field` with the form allowed (`noun`, e.g.
/// "work-order", and an `example` key).
pub fn short_ref(
    reference: &str,
    prefix: &str,
    field: &'static str,
    noun: &str,
    example: &str,
) -> Result<String> {
    let r = reference.trim().to_ascii_lowercase();
    let r = r.strip_prefix(prefix).unwrap_or(&r).replace('-', "");
    if r.len() < 6 || !r.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(helpdeck_core::DomainError::invalid(
            field,
            format!(
                "'{reference}' is not a {noun} reference (expected {} and at least 6 hex digits, e.g. {example})",
                prefix.to_ascii_uppercase()
            ),
        )
        .into());
    }
    Ok(r)
}

/// A [`short_ref`] that is a whole id (32 hex digits): that id as the tables keep it, for a
/// lookup by primary key instead of a scan of every row's id.
pub fn whole_id(short: &str) -> Option<String> {
    (short.len() == 32)
        .then(|| Uuid::parse_str(short).ok())
        .flatten()
        .map(|id| id.to_string())
}
