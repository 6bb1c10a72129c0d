//! Workspace and settings commands.

use helpdeck_app::{ApiResult, App, AppInfo, Settings, WorkspaceInput};
use tauri::State;
use tracing::instrument;

#[tauri::command]
#[instrument(skip_all)]
pub async fn app_info(app: State<'_, App>) -> ApiResult<AppInfo> {
    app.info().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn workspace_create(app: State<'_, App>, input: WorkspaceInput) -> ApiResult<AppInfo> {
    app.create_workspace(input).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn settings_update(
    handle: tauri::AppHandle,
    app: State<'_, App>,
    settings: Settings,
) -> ApiResult<Settings> {
    let saved = app.update_settings(settings).await?;
    // The tray speaks the new language at once.
    crate::tray::refresh(&handle).await;
    Ok(saved)
}

/// The UI painted its first queue page. Logs the cold-start time; with
/// `HELPDECK_EXIT_AFTER_FIRST_PAINT=1` (the start-up benchmark) prints it and exits.
#[tauri::command]
#[instrument(skip_all)]
pub fn ui_ready(app: tauri::AppHandle) {
    let elapsed = crate::STARTED
        .get()
        .map(|s| s.elapsed())
        .unwrap_or_default();
    tracing::info!(ms = elapsed.as_millis() as u64, "first queue paint");
    if std::env::var_os("HELPDECK_EXIT_AFTER_FIRST_PAINT").is_some() {
        println!("first_queue_paint_ms={}", elapsed.as_millis());
        app.exit(0);
    }
}
