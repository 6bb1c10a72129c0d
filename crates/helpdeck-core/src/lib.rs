//! Helpdeck domain core: the rules every replica computes the same way.
//!
//! Pure: no I/O, no clocks read implicitly (every function that needs "now" takes it),
//! no database and no HTTP. The store, the server and the desktop shell build on it.

pub mod apply;
pub mod attachment;
pub mod command;
pub mod customer;
pub mod error;
pub mod escalation;
pub mod followup;
pub mod import;
pub mod jobs;
pub mod kb;
pub mod macros;
pub mod merge;
pub mod notify;
pub mod op;
pub mod people;
pub mod permission;
pub mod privacy;
pub mod record;
pub mod report;
pub mod routing;
pub mod search_text;
pub mod sla;
pub mod status;
pub mod sync;
pub mod ticket;
pub mod timelog;
pub mod user;
pub mod views;
pub mod workorder;
pub mod workspace;

#[cfg(test)]
pub(crate) mod testing;

pub use error::DomainError;
pub use jiff::Timestamp;
pub use uuid::Uuid;

/// A new time-ordered id (UUIDv7) for any entity or operation.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
