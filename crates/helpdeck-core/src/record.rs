//! Portable ticket records: the shape of `export`/`import` (JSON and CSV) and of demo data.
//!
//! People are referred to by email and organizations by name, so a record reads well and
//! moves between workspaces.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::sla::StatusChange;
use crate::status::Status;
use crate::ticket::{Channel, Csat, Kind, Priority, Resolution, Tier};
use crate::ticket::{validate_body, validate_category, validate_title};
use crate::user::{CustomerTier, Role, validate_email};

crate::ticket::vocabulary!(
    /// Who may read a comment.
    Visibility, "visibility", {
        /// A public reply: the requester sees it.
        Public => "public",
        /// An internal note: never shown to customers.
        Internal => "internal",
    }
);

/// One ticket with its comments and status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRecord {
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Human number; kept on import when free, assigned when absent.
    #[serde(default)]
    pub number: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub kind: Kind,
    pub category: String,
    pub status: Status,
    pub priority: Priority,
    pub channel: Channel,
    /// Requester's email.
    #[serde(default)]
    pub requester: Option<String>,
    /// Organization name.
    #[serde(default)]
    pub organization: Option<String>,
    /// Assignee's email (an agent or admin).
    #[serde(default)]
    pub assignee: Option<String>,
    /// Team name.
    #[serde(default)]
    pub team: Option<String>,
    pub tier: Tier,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub site: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub first_response_at: Option<Timestamp>,
    #[serde(default)]
    pub resolved_at: Option<Timestamp>,
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
    #[serde(default)]
    pub resolution: Option<Resolution>,
    #[serde(default)]
    pub csat: Option<Csat>,
    #[serde(default)]
    pub comments: Vec<CommentRecord>,
    /// Status changes in time order (the audit trail the SLA engine reads).
    #[serde(default)]
    pub history: Vec<StatusChangeRecord>,
}

impl TicketRecord {
    /// Checks a history path: starts at `new`, allowed moves, ends at `status`, in time order.
    fn validate_history(&self) -> Result<(), String> {
        let r = self;
        if r.history.is_empty() {
            return Ok(());
        }
        let mut at = Status::New;
        let mut last = r.created_at;
        for (i, h) in r.history.iter().enumerate() {
            if h.from != at {
                return Err(format!(
                    "history[{i}]: starts from {} but the ticket was {at}",
                    h.from
                ));
            }
            if !h.from.allowed_next().contains(&h.to) {
                return Err(format!(
                    "history[{i}]: cannot change status from {} to {} (allowed: {})",
                    h.from,
                    h.to,
                    h.from
                        .allowed_next()
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if h.at < last {
                return Err(format!(
                    "history[{i}]: {} is earlier than the change before it",
                    h.at
                ));
            }
            last = h.at;
            at = h.to;
        }
        if at != r.status {
            return Err(format!("history ends at {at} but status is {}", r.status));
        }
        Ok(())
    }

    /// Checks a record before it is written anywhere (import, connect): every field, every
    /// comment, the history path. Errors name the field.
    pub fn validate(&self, categories: &[String]) -> Result<(), String> {
        let r = self;
        validate_title(&r.title).map_err(|e| e.to_string())?;
        validate_body("description", &r.description, false).map_err(|e| e.to_string())?;
        validate_category(&r.category, categories).map_err(|e| e.to_string())?;
        for (what, email) in [("requester", &r.requester), ("assignee", &r.assignee)] {
            if let Some(e) = email {
                validate_email(e).map_err(|err| format!("{what}: {err}"))?;
            }
        }
        if r.updated_at < r.created_at {
            return Err("updated_at is earlier than created_at".into());
        }
        if let Some(c) = &r.csat {
            c.clone().validate().map_err(|e| e.to_string())?;
        }
        if r.status == Status::Resolved && r.resolution.is_none() {
            return Err("a resolved ticket needs a resolution (cause and solution)".into());
        }
        for (i, c) in r.comments.iter().enumerate() {
            validate_body("body", &c.body, true).map_err(|e| format!("comments[{i}]: {e}"))?;
            validate_email(&c.author).map_err(|e| format!("comments[{i}]: author: {e}"))?;
        }
        r.validate_history()
    }

    /// The history the SLA engine and audit trail see; a record with a status but no history
    /// (e.g. a CSV row) gets one jump from `new` at its resolve/close/update time.
    pub fn effective_history(&self) -> Vec<StatusChangeRecord> {
        let r = self;
        if !r.history.is_empty() || r.status == Status::New {
            return r.history.clone();
        }
        let at = match r.status {
            Status::Resolved => r.resolved_at,
            Status::Closed => r.closed_at,
            _ => None,
        }
        .unwrap_or(r.updated_at);
        vec![StatusChangeRecord {
            at,
            from: Status::New,
            to: r.status,
            actor: None,
        }]
    }

    /// The status changes the SLA engine reads.
    pub fn status_changes(&self) -> Vec<StatusChange> {
        self.effective_history()
            .into_iter()
            .map(|h| StatusChange { at: h.at, to: h.to })
            .collect()
    }
}

/// A public reply or internal note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentRecord {
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Author's email.
    pub author: String,
    pub visibility: Visibility,
    pub body: String,
    pub created_at: Timestamp,
}

/// One status change in a ticket's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChangeRecord {
    pub at: Timestamp,
    pub from: Status,
    pub to: Status,
    /// Actor's email.
    #[serde(default)]
    pub actor: Option<String>,
}

/// A user to create before tickets refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub org_admin: bool,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub field: bool,
}

/// An organization to create before users refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationRecord {
    pub name: String,
    pub customer_tier: CustomerTier,
}

/// A whole dataset: what `demo` generates and `export --format json` writes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Dataset {
    #[serde(default)]
    pub organizations: Vec<OrganizationRecord>,
    #[serde(default)]
    pub teams: Vec<String>,
    #[serde(default)]
    pub users: Vec<UserRecord>,
    pub tickets: Vec<TicketRecord>,
}
