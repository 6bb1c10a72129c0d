//! Server connection commands: sign in / out, status, sync now.

use helpdeck_app::{ApiResult, App, AppInfo, ConnectPreview, ConnectResult, SignInInput, SyncView};
use tauri::State;
use tracing::instrument;

#[tauri::command]
#[instrument(skip_all)]
pub async fn sync_status(app: State<'_, App>) -> ApiResult<Option<SyncView>> {
    Ok(app.sync_status().await)
}

/// What this user is doing now (viewing or replying to a ticket, or nothing).
#[tauri::command]
#[instrument(skip_all)]
pub async fn presence_set(
    app: State<'_, App>,
    number: Option<String>,
    replying: bool,
) -> ApiResult<()> {
    app.presence_set(number, replying).await
}

/// Everyone else on tickets right now.
#[tauri::command]
#[instrument(skip_all)]
pub async fn presence_list(app: State<'_, App>) -> ApiResult<Vec<helpdeck_app::PresenceView>> {
    app.presence_list().await
}

/// Would signing in to `url` send the password unencrypted over the network?
#[tauri::command]
pub fn server_url_insecure(app: State<'_, App>, url: String) -> bool {
    app.server_url_insecure(&url)
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn sync_sign_in(app: State<'_, App>, input: SignInInput) -> ApiResult<AppInfo> {
    app.sign_in(input).await
}

/// What connecting this local workspace would upload (for the confirmation).
#[tauri::command]
#[instrument(skip_all)]
pub async fn sync_connect_preview(app: State<'_, App>) -> ApiResult<ConnectPreview> {
    app.connect_preview().await
}

/// Connects this local workspace to a server (after the confirmation).
#[tauri::command]
#[instrument(skip_all)]
pub async fn sync_connect(app: State<'_, App>, input: SignInInput) -> ApiResult<ConnectResult> {
    app.connect_workspace(input).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn sync_sign_out(app: State<'_, App>) -> ApiResult<AppInfo> {
    app.sign_out().await
}

#[tauri::command]
#[instrument(skip_all)]
pub fn sync_now(app: State<'_, App>) {
    app.sync_now();
}

/// Forwards the app's events to the web view: `sync-status` (a `SyncView`) and
/// `tickets-changed` (ticket ids changed by someone else, pulled from the server).
pub fn forward_events(handle: &tauri::AppHandle) {
    use tauri::{Emitter, Manager};
    let mut rx = handle.state::<App>().subscribe();
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(helpdeck_app::AppEvent::Sync(v)) => {
                    let _ = handle.emit("sync-status", v);
                }
                Ok(helpdeck_app::AppEvent::TicketsChanged(ids)) => {
                    let _ = handle.emit("tickets-changed", ids);
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let _ = handle.emit("tickets-changed", Vec::<String>::new());
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}
