//! Bearer tokens live in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) — never in a plain file.

use helpdeck_store::vault;
use uuid::Uuid;

use crate::error::{Result, SyncError};

/// Keyring service name of every Helpdeck secret.
pub use helpdeck_store::vault::KEYRING_SERVICE;

/// The keyring account of a replica: its workspace and device.
pub fn account(workspace_id: Uuid, device_id: Uuid) -> String {
    format!("sync:{workspace_id}:{device_id}")
}

fn keyring_error(e: helpdeck_store::StoreError) -> SyncError {
    SyncError::Keyring(e.to_string())
}

/// Saves the token of `account`.
pub async fn save_token(account: &str, token: &str) -> Result<()> {
    vault::secret_set(account, token)
        .await
        .map_err(keyring_error)
}

/// Reads the token of `account`; `Ok(None)` when there is none (signed out).
pub async fn load_token(account: &str) -> Result<Option<String>> {
    vault::secret_get(account).await.map_err(keyring_error)
}

/// Deletes the token of `account` (sign-out). Deleting a missing token is fine.
pub async fn delete_token(account: &str) -> Result<()> {
    vault::secret_delete(account).await.map_err(keyring_error)
}
