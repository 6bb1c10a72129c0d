//! SLA monitor and notification commands.

use helpdeck_app::{ApiResult, App, MonitorCounts};
use helpdeck_core::notify::NotificationPrefs;
use tauri::State;
use tracing::instrument;

/// Breached / at-risk counts of the running monitor (what the tray and badge show).
#[tauri::command]
#[instrument(skip_all)]
pub async fn monitor_counts(app: State<'_, App>) -> ApiResult<MonitorCounts> {
    app.monitor_counts().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn notification_prefs(app: State<'_, App>) -> ApiResult<NotificationPrefs> {
    app.notification_prefs().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn notification_prefs_update(
    app: State<'_, App>,
    prefs: NotificationPrefs,
) -> ApiResult<NotificationPrefs> {
    app.set_notification_prefs(prefs).await
}

/// What the tray and the badge were last set to (read back by the end-to-end test).
#[tauri::command]
#[instrument(skip_all)]
pub fn tray_status(shown: State<'_, crate::tray::TrayShown>) -> crate::tray::TrayStatus {
    shown.0.lock().expect("not poisoned").clone()
}
