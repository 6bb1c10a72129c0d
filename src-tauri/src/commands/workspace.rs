//! Workspace and settings commands.

use helpdeck_app::{ApiResult, App, AppInfo, Settings, WorkspaceInput};
use tauri::{Manager, State};
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
    // The SLA monitor waits for this (see main).
    app.state::<crate::FirstPaint>().0.notify_one();
    if std::env::var_os("HELPDECK_EXIT_AFTER_FIRST_PAINT").is_some() {
        println!("first_queue_paint_ms={}", elapsed.as_millis());
        app.exit(0);
    }
}

/// Opens a link from a ticket in the system browser (or mail app): http, https and mailto
/// only, so a comment cannot make the app start programs or open local files.
#[tauri::command]
#[instrument(skip_all)]
pub fn open_link(url: String) -> helpdeck_app::ApiResult<()> {
    let allowed = ["https://", "http://", "mailto:"];
    if !allowed
        .iter()
        .any(|p| url.to_ascii_lowercase().starts_with(p))
    {
        return Err(helpdeck_app::ApiError::new(
            helpdeck_app::ErrorCode::Validation,
            format!(
                "link: only web and mail links open (allowed: https://, http://, mailto:), not {url}"
            ),
        ));
    }
    tauri_plugin_opener::open_url(&url, None::<&str>).map_err(|e| {
        helpdeck_app::ApiError::new(
            helpdeck_app::ErrorCode::Internal,
            format!("cannot open the link: {e}"),
        )
    })
}

/// Is Helpdeck started at login?
#[tauri::command]
#[instrument(skip_all)]
pub fn autostart_get(app: tauri::AppHandle) -> bool {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().unwrap_or(false)
}

/// Starts Helpdeck at login (into the tray) or stops doing so; returns the new state.
#[tauri::command]
#[instrument(skip_all)]
pub fn autostart_set(app: tauri::AppHandle, enabled: bool) -> helpdeck_app::ApiResult<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let done = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| {
        helpdeck_app::ApiError::new(
            helpdeck_app::ErrorCode::Internal,
            format!("cannot change start at login: {e}"),
        )
    })?;
    Ok(launcher.is_enabled().unwrap_or(enabled))
}

/// The ticket a `helpdeck://` link opened the app on, once (the UI asks when it is ready).
#[tauri::command]
#[instrument(skip_all)]
pub fn launch_ticket(pending: State<'_, crate::tray::LaunchTicket>) -> Option<String> {
    pending.0.lock().expect("not poisoned").take()
}

/// Quits Helpdeck (Ctrl+Q / Cmd+Q in the window; "Quit" in the tray does the same).
#[tauri::command]
#[instrument(skip_all)]
pub fn app_quit(app: tauri::AppHandle) {
    crate::tray::quit(&app);
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn workspace_rules(
    app: State<'_, App>,
) -> ApiResult<helpdeck_core::sync::WorkspaceRules> {
    app.workspace_rules().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn workspace_rules_change(
    app: State<'_, App>,
    change: helpdeck_core::workspace::RulesChange,
) -> ApiResult<helpdeck_core::sync::WorkspaceRules> {
    app.change_workspace_rules(change).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn people(app: State<'_, App>) -> ApiResult<helpdeck_core::people::Directory> {
    app.people().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn person_add(
    app: State<'_, App>,
    draft: helpdeck_core::people::PersonDraft,
) -> ApiResult<helpdeck_core::people::PersonView> {
    app.add_person(draft).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn person_update(
    app: State<'_, App>,
    patch: helpdeck_core::people::PersonPatch,
) -> ApiResult<helpdeck_core::people::PersonView> {
    app.update_person(patch).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn team_add(app: State<'_, App>, name: String) -> ApiResult<Vec<String>> {
    app.add_team(name).await
}
