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

#[tauri::command]
#[instrument(skip_all)]
#[allow(clippy::too_many_arguments)]
pub async fn report_export(
    app: State<'_, App>,
    since: String,
    until: String,
    filter: helpdeck_core::report::ReportFilter,
    by: helpdeck_core::report::ReportGroup,
    table: Option<String>,
    lang: String,
) -> ApiResult<helpdeck_app::ReportFile> {
    app.report_export(since, until, filter, by, table, lang)
        .await
}

/// Opens a report the app saved (in the export folder, named `helpdeck-report-…`) with the
/// system's program for it: a browser prints the HTML report, a spreadsheet opens a CSV.
#[tauri::command]
#[instrument(skip_all)]
pub fn report_open(path: String) -> ApiResult<()> {
    let p = std::path::Path::new(&path);
    let ours = p.parent() == Some(helpdeck_app::export_dir().as_path())
        && p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("helpdeck-report-"));
    if !ours {
        return Err(helpdeck_app::ApiError::new(
            helpdeck_app::ErrorCode::Validation,
            format!("only a report saved by the app opens here, not {path}"),
        ));
    }
    tauri_plugin_opener::open_path(p, None::<&str>).map_err(|e| {
        helpdeck_app::ApiError::new(
            helpdeck_app::ErrorCode::Internal,
            format!("cannot open {path}: {e}"),
        )
    })
}
