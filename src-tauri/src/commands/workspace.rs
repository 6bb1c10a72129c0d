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
pub async fn settings_update(app: State<'_, App>, settings: Settings) -> ApiResult<Settings> {
    app.update_settings(settings).await
}
