//! Bearer tokens live in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) — never in a plain file.

use uuid::Uuid;

use crate::error::{Result, SyncError};

/// Keyring service name of every Helpdeck token.
pub const KEYRING_SERVICE: &str = "dev.helpdeck.desktop";

/// The keyring account of a replica: its workspace and device.
pub fn account(workspace_id: Uuid, device_id: Uuid) -> String {
    format!("sync:{workspace_id}:{device_id}")
}

fn keyring_error(e: keyring::Error) -> SyncError {
    match e {
        keyring::Error::NoDefaultStore
        | keyring::Error::PlatformFailure(_)
        | keyring::Error::NoStorageAccess(_) => SyncError::Keyring(format!(
            "no OS keyring is available ({e}); on Linux run a Secret Service such as gnome-keyring or KeePassXC and unlock it"
        )),
        other => SyncError::Keyring(format!("keyring error: {other}")),
    }
}

/// Saves the token of `account`.
pub async fn save_token(account: &str, token: &str) -> Result<()> {
    let (account, token) = (account.to_string(), token.to_string());
    tokio::task::spawn_blocking(move || {
        keyring::Entry::new(KEYRING_SERVICE, &account)
            .and_then(|e| e.set_password(&token))
            .map_err(keyring_error)
    })
    .await
    .map_err(|e| SyncError::Keyring(e.to_string()))?
}

/// Reads the token of `account`; `Ok(None)` when there is none (signed out).
pub async fn load_token(account: &str) -> Result<Option<String>> {
    let account = account.to_string();
    tokio::task::spawn_blocking(move || {
        match keyring::Entry::new(KEYRING_SERVICE, &account).and_then(|e| e.get_password()) {
            Ok(t) => Ok(Some(t)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    })
    .await
    .map_err(|e| SyncError::Keyring(e.to_string()))?
}

/// Deletes the token of `account` (sign-out). Deleting a missing token is fine.
pub async fn delete_token(account: &str) -> Result<()> {
    let account = account.to_string();
    tokio::task::spawn_blocking(move || {
        match keyring::Entry::new(KEYRING_SERVICE, &account).and_then(|e| e.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    })
    .await
    .map_err(|e| SyncError::Keyring(e.to_string()))?
}
