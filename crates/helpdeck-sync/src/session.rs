//! Signing a data dir in and out of a server.

use std::path::Path;

use helpdeck_core::sync::LoginRequest;
use helpdeck_store::{InitOptions, ReplicaInit, Store, StoreError};
use uuid::Uuid;

use crate::client::{Client, normalise_server_url};
use crate::credentials::{account, delete_token, load_token, save_token};
use crate::error::{Result, SyncError};

/// Signs in. A data dir without a workspace becomes a replica of the server's workspace
/// (shown in `language`, `en` or `zh`); a replica of the same server and user signs in again
/// (after a sign-out or an expired token). The token goes to the OS keyring.
pub async fn login(
    data_dir: &Path,
    server_url: &str,
    email: &str,
    password: &str,
    device_name: &str,
    language: &str,
) -> Result<Store> {
    let server_url = normalise_server_url(server_url)?;
    let existing = match Store::open(data_dir).await {
        Ok(s) => Some(s),
        Err(StoreError::NoWorkspace(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let client = Client::new(&server_url, None)?;
    if let Some(store) = existing {
        let Some(state) = store.replica().sync_state().await? else {
            return Err(SyncError::Setup(format!(
                "{} holds a local workspace; to bring its tickets to the server run `helpdeck connect --server URL --email E`, or sign in with a new data dir (--data-dir DIR)",
                data_dir.display()
            )));
        };
        if state.server_url != server_url || !state.email.eq_ignore_ascii_case(email.trim()) {
            return Err(SyncError::Setup(format!(
                "{} is connected to {} as {}; use another data dir for {} on {}",
                data_dir.display(),
                state.server_url,
                state.email,
                email.trim(),
                server_url
            )));
        }
        let ws = store.workspace();
        let resp = client
            .login(&LoginRequest {
                email: email.to_string(),
                password: password.to_string(),
                device_id: ws.device_id,
                device_name: device_name.to_string(),
            })
            .await?;
        if let Err(e) = save_token(&account(ws.id, ws.device_id), &resp.token).await {
            if let Ok(c) = Client::new(&server_url, Some(resp.token.clone())) {
                let _ = c.logout().await;
            }
            return Err(e);
        }
        store.replica().set_signed_out(false).await?;
        return Ok(store);
    }
    let device_id = Uuid::now_v7();
    let resp = client
        .login(&LoginRequest {
            email: email.to_string(),
            password: password.to_string(),
            device_id,
            device_name: device_name.to_string(),
        })
        .await?;
    let key = account(resp.workspace_id, device_id);
    if let Err(e) = save_token(&key, &resp.token).await {
        // No keyring: do not leave a live token behind on the server.
        if let Ok(c) = Client::new(&server_url, Some(resp.token.clone())) {
            let _ = c.logout().await;
        }
        return Err(e);
    }
    let opts = InitOptions {
        name: resp.workspace_name.clone(),
        timezone: resp.timezone.clone(),
        language: if language == "zh" { "zh" } else { "en" }.into(),
        owner_name: resp.user.name.clone(),
        owner_email: resp.user.email.clone(),
    };
    let replica = ReplicaInit {
        server_url,
        workspace_id: resp.workspace_id,
        device_id,
        user: resp.user,
    };
    match Store::init_replica(data_dir, opts, replica).await {
        Ok(store) => Ok(store),
        Err(e) => {
            let _ = delete_token(&key).await;
            Err(e.into())
        }
    }
}

/// The client of a replica, with its token from the keyring.
pub async fn client_for(store: &Store) -> Result<Client> {
    let state = store.replica().sync_state().await?.ok_or_else(|| {
        SyncError::Setup(
            "this workspace is local: sign in to a server first (helpdeck login)".into(),
        )
    })?;
    let ws = store.workspace();
    let token = load_token(&account(ws.id, ws.device_id)).await?;
    if token.is_none() || state.signed_out {
        return Err(SyncError::Unauthorized(format!(
            "signed out of {}; run `helpdeck login --server {} --email {}`",
            state.server_url, state.server_url, state.email
        )));
    }
    Client::new(&state.server_url, token)
}

/// Signs out: revokes the token on the server (when reachable) and deletes it from the
/// keyring. Local data and pending changes stay; they sync after the next sign-in.
pub async fn logout(store: &Store) -> Result<()> {
    let ws = store.workspace();
    let key = account(ws.id, ws.device_id);
    if let Ok(client) = client_for(store).await
        && let Err(e) = client.logout().await
    {
        tracing::warn!(error = %e, "could not revoke the token on the server");
    }
    delete_token(&key).await?;
    store.replica().set_signed_out(true).await?;
    Ok(())
}
