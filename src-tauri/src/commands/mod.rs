//! Tauri commands, grouped by area. Each is a signature, an `#[instrument]` and one call
//! into `helpdeck-app`; errors reach the UI as `{ code, message, field? }`.

pub mod kb;
pub mod notifications;
pub mod search;
pub mod sync;
pub mod tickets;
pub mod timelog;
pub mod workorders;
pub mod workspace;
