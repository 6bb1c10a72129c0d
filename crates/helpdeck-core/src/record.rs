//! Portable ticket records: the shape of `export`/`import` (JSON and CSV) and of demo data.
//!
//! People are referred to by email and organizations by name, so a record reads well and
//! moves between workspaces.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::status::Status;
use crate::ticket::{Channel, Csat, Kind, Priority, Resolution, Tier};
use crate::user::{CustomerTier, Role};

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
