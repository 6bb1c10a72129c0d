//! Field work orders (issue 15): thin wrappers over `helpdeck_app::App`.

use helpdeck_app::{ApiResult, App, AttachmentUpload, WorkOrderCreate};
use helpdeck_core::workorder::{Part, TimeKind};
use helpdeck_store::WorkOrderView;
use tauri::State;
use tracing::instrument;

#[tauri::command]
#[instrument(skip_all)]
pub async fn workorder_today(app: State<'_, App>) -> ApiResult<Vec<WorkOrderView>> {
    app.workorder_today().await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %ticket))]
pub async fn workorder_list(app: State<'_, App>, ticket: String) -> ApiResult<Vec<WorkOrderView>> {
    app.workorder_list(ticket).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_get(app: State<'_, App>, reference: String) -> ApiResult<WorkOrderView> {
    app.workorder_get(reference).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn workorder_create(
    app: State<'_, App>,
    input: WorkOrderCreate,
) -> ApiResult<WorkOrderView> {
    app.workorder_create(input).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_check(
    app: State<'_, App>,
    reference: String,
    item: usize,
    done: bool,
    reading: Option<String>,
) -> ApiResult<WorkOrderView> {
    app.workorder_check(reference, item, done, reading).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_photo(
    app: State<'_, App>,
    reference: String,
    item: usize,
    file: AttachmentUpload,
    public: bool,
) -> ApiResult<WorkOrderView> {
    app.workorder_photo(reference, item, file, public).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_part(
    app: State<'_, App>,
    reference: String,
    part: Part,
    quantity: u32,
) -> ApiResult<WorkOrderView> {
    app.workorder_part(reference, part, quantity).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_time(
    app: State<'_, App>,
    reference: String,
    kind: TimeKind,
    minutes: u32,
) -> ApiResult<WorkOrderView> {
    app.workorder_time(reference, kind, minutes).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_timer_start(
    app: State<'_, App>,
    reference: String,
    kind: TimeKind,
) -> ApiResult<WorkOrderView> {
    app.workorder_timer_start(reference, kind).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_timer_stop(
    app: State<'_, App>,
    reference: String,
) -> ApiResult<WorkOrderView> {
    app.workorder_timer_stop(reference).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_sign(
    app: State<'_, App>,
    reference: String,
    signer: String,
    signature: AttachmentUpload,
) -> ApiResult<WorkOrderView> {
    app.workorder_sign(reference, signer, signature).await
}

#[tauri::command]
#[instrument(skip_all, fields(work_order = %reference))]
pub async fn workorder_report(app: State<'_, App>, reference: String) -> ApiResult<WorkOrderView> {
    app.workorder_report(reference).await
}

#[tauri::command]
#[instrument(skip_all)]
pub fn template_items(
    app: State<'_, App>,
    lines: Vec<String>,
) -> ApiResult<Vec<helpdeck_core::workorder::TemplateItem>> {
    app.template_items(lines)
}
