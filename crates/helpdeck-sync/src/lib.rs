//! Helpdeck sync client (spec §6): signs in, keeps the token in the OS keyring, and runs
//! the push/pull loop of a replica against a Helpdeck server.

pub mod client;
pub mod connect;
pub mod credentials;
pub mod engine;
pub mod error;
pub mod files;
pub mod rules;
pub mod session;

pub use client::Client;
pub use engine::{
    RoundSummary, SyncHandle, SyncPhase, SyncStatus, pull_pages, push_pending, spawn, sync_once,
    sync_once_reporting,
};
pub use error::{Result, SyncError};
pub use session::{client_for, login, logout};
