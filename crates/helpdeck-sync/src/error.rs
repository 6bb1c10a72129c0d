//! Sync failures, sorted by what the loop does about them.

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server cannot be reached (or is failing): retry with backoff.
    #[error("offline: {0}")]
    Offline(String),
    /// The token is missing, expired or revoked: the user must sign in again.
    #[error("signed out: {0}")]
    Unauthorized(String),
    /// The server refused the request itself (4xx): a bug or a version mismatch.
    #[error("server refused the request: {0}")]
    Refused(String),
    /// No OS keyring to keep the token in.
    #[error("{0}")]
    Keyring(String),
    /// This data dir is not a replica (or is one already).
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Store(#[from] helpdeck_store::StoreError),
}

impl SyncError {
    /// Worth retrying later without the user doing anything?
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Offline(_))
    }
}
