//! Sync operations: what every local change appends to the outbox (spec §6.1).
//!
//! This is the one wire type for changes, shared by the store (outbox), the sync client
//! and the server.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Version of the operation schema; a server answers `must_resync` to one it does not know.
pub const OP_SCHEMA_VERSION: u32 = 1;

/// The entity an operation changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Ticket,
    Comment,
    User,
    Organization,
    Team,
}

impl Entity {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Ticket => "ticket",
            Entity::Comment => "comment",
            Entity::User => "user",
            Entity::Organization => "organization",
            Entity::Team => "team",
        }
    }
}

/// What the operation does to the entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OpAction {
    /// Insert a whole entity (its full state as JSON).
    Create { state: serde_json::Value },
    /// Last-writer-wins scalar field assignments.
    Set {
        fields: serde_json::Map<String, serde_json::Value>,
    },
    /// A status transition, validated again by the server.
    Transition {
        from: crate::status::Status,
        to: crate::status::Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Deletes the entity (comments): a tombstone that wins over every other write (I6).
    Delete,
}

/// One change, as kept in the outbox and pushed to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// UUIDv7; the server drops duplicates by it.
    pub op_id: Uuid,
    pub entity: Entity,
    pub entity_id: Uuid,
    #[serde(flatten)]
    pub action: OpAction,
    /// Hybrid logical clock timestamp of the change (`uhlc` text form).
    pub hlc: String,
    /// Wall-clock time of the change on the device: the time the audit trail and the SLA
    /// engine use on every replica (clamped by the server, I7).
    pub at: jiff::Timestamp,
    /// Device that made the change.
    pub device_id: Uuid,
    /// Actor (user id) on whose behalf the change was made.
    pub actor_id: Uuid,
    pub schema_version: u32,
}
