//! Time on tickets (issue 15) and the reports dashboard (issue 16): thin wrappers over
//! `helpdeck_app::App`.

use helpdeck_app::{ApiResult, App};
use helpdeck_core::timelog::{TimeGroup, TimeTotal};
use helpdeck_store::TimeSheet;
use tauri::State;
use tracing::instrument;

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn time_sheet(app: State<'_, App>, reference: String) -> ApiResult<TimeSheet> {
    app.time_sheet(reference).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn time_log(
    app: State<'_, App>,
    reference: String,
    minutes: u32,
    note: Option<String>,
) -> ApiResult<TimeSheet> {
    app.time_log(reference, minutes, note).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn time_delete(app: State<'_, App>, entry: String) -> ApiResult<TimeSheet> {
    app.time_delete(entry).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn time_timer_start(app: State<'_, App>, reference: String) -> ApiResult<TimeSheet> {
    app.time_timer_start(reference).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn time_timer_stop(
    app: State<'_, App>,
    reference: String,
    note: Option<String>,
) -> ApiResult<TimeSheet> {
    app.time_timer_stop(reference, note).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn time_report(
    app: State<'_, App>,
    since: Option<String>,
    until: Option<String>,
    by: TimeGroup,
) -> ApiResult<Vec<TimeTotal>> {
    app.time_report(since, until, by).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn report_dashboard(
    app: State<'_, App>,
    since: String,
    until: String,
    filter: helpdeck_core::report::ReportFilter,
    by: helpdeck_core::report::ReportGroup,
) -> ApiResult<helpdeck_core::report::Dashboard> {
    app.report_dashboard(since, until, filter, by).await
}
