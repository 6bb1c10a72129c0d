//! Queue and ticket commands.

use helpdeck_app::{
    ApiError, ApiResult, App, AttachmentUpload, CreateTicketInput, ErrorCode, QueueCounts,
    TicketPage, UpdateTicketInput,
};
use helpdeck_core::record::Visibility;
use helpdeck_core::ticket::{Csat, Resolution};
use helpdeck_store::{TicketDetail, TicketFilter, UserRef};
use tauri::State;
use tracing::instrument;

#[tauri::command]
#[instrument(skip_all)]
pub async fn queue_counts(app: State<'_, App>) -> ApiResult<QueueCounts> {
    app.queue_counts().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn tickets_list(app: State<'_, App>, filter: TicketFilter) -> ApiResult<TicketPage> {
    app.tickets(filter).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_get(app: State<'_, App>, reference: String) -> ApiResult<TicketDetail> {
    app.ticket(reference).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn ticket_create(
    app: State<'_, App>,
    input: CreateTicketInput,
) -> ApiResult<TicketDetail> {
    app.create_ticket(input).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_update(
    app: State<'_, App>,
    reference: String,
    input: UpdateTicketInput,
) -> ApiResult<TicketDetail> {
    app.update_ticket(reference, input).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_reply(
    app: State<'_, App>,
    reference: String,
    body: String,
    files: Option<Vec<AttachmentUpload>>,
    minutes: Option<u32>,
) -> ApiResult<TicketDetail> {
    app.comment(
        reference,
        body,
        Visibility::Public,
        files.unwrap_or_default(),
        minutes,
    )
    .await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_note(
    app: State<'_, App>,
    reference: String,
    body: String,
    files: Option<Vec<AttachmentUpload>>,
    minutes: Option<u32>,
) -> ApiResult<TicketDetail> {
    app.comment(
        reference,
        body,
        Visibility::Internal,
        files.unwrap_or_default(),
        minutes,
    )
    .await
}

/// A file picked, dropped or pasted: the raw bytes are the request body (no JSON), its name
/// the percent-encoded `x-file-name` header.
#[tauri::command]
#[instrument(skip_all)]
pub async fn attachment_import(
    app: State<'_, App>,
    request: tauri::ipc::Request<'_>,
) -> ApiResult<AttachmentUpload> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ApiError::new(
            ErrorCode::Validation,
            "attachment_import takes the file's bytes as the request body",
        ));
    };
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    app.import_attachment(name, bytes.clone()).await
}

/// The bytes of a file on this device, raw (for an image preview).
#[tauri::command]
#[instrument(skip_all)]
pub async fn attachment_bytes(
    app: State<'_, App>,
    sha256: String,
) -> ApiResult<tauri::ipc::Response> {
    Ok(tauri::ipc::Response::new(
        app.attachment_bytes(sha256).await?,
    ))
}

/// An image's thumbnail, raw (empty: no thumbnail for this file).
#[tauri::command]
#[instrument(skip_all)]
pub async fn attachment_thumbnail(
    app: State<'_, App>,
    sha256: String,
) -> ApiResult<tauri::ipc::Response> {
    Ok(tauri::ipc::Response::new(
        app.attachment_thumbnail(sha256).await?,
    ))
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_resolve(
    app: State<'_, App>,
    reference: String,
    resolution: Resolution,
) -> ApiResult<TicketDetail> {
    app.resolve(reference, resolution).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_reopen(app: State<'_, App>, reference: String) -> ApiResult<TicketDetail> {
    app.reopen(reference).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_close(
    app: State<'_, App>,
    reference: String,
    reason: Option<String>,
) -> ApiResult<TicketDetail> {
    app.close(reference, reason).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_rate(
    app: State<'_, App>,
    reference: String,
    csat: Csat,
) -> ApiResult<TicketDetail> {
    app.rate(reference, csat).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn tickets_bulk_update(
    app: State<'_, App>,
    numbers: Vec<String>,
    change: helpdeck_store::BulkChange,
) -> ApiResult<helpdeck_store::BulkOutcome> {
    app.tickets_bulk_update(numbers, change).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn tickets_bulk_undo(
    app: State<'_, App>,
    previous: Vec<helpdeck_store::BulkPrevious>,
) -> ApiResult<helpdeck_store::BulkOutcome> {
    app.tickets_bulk_undo(previous).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn my_availability_set(
    app: State<'_, App>,
    availability: helpdeck_core::routing::Availability,
) -> ApiResult<helpdeck_core::routing::Availability> {
    app.set_my_availability(availability).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn views_list(app: State<'_, App>) -> ApiResult<Vec<helpdeck_store::ViewEntry>> {
    app.views_list().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn view_save(
    app: State<'_, App>,
    name: String,
    filter: helpdeck_store::TicketFilter,
    shared: bool,
    team: Option<String>,
) -> ApiResult<Vec<helpdeck_store::ViewEntry>> {
    app.view_save(name, filter, shared, team).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn view_delete(
    app: State<'_, App>,
    name: String,
) -> ApiResult<Vec<helpdeck_store::ViewEntry>> {
    app.view_delete(name).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn macro_list(app: State<'_, App>) -> ApiResult<Vec<helpdeck_core::macros::Macro>> {
    app.macro_list().await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn macro_add(
    app: State<'_, App>,
    input: helpdeck_store::MacroInput,
) -> ApiResult<helpdeck_core::macros::Macro> {
    app.macro_add(input).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn macro_delete(app: State<'_, App>, id: String) -> ApiResult<()> {
    app.macro_delete(id).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_apply_macro(
    app: State<'_, App>,
    reference: String,
    id: String,
) -> ApiResult<TicketDetail> {
    app.ticket_apply_macro(reference, id).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_duplicates(
    app: State<'_, App>,
    reference: String,
) -> ApiResult<Vec<helpdeck_store::TicketView>> {
    app.ticket_duplicates(reference).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_merge(
    app: State<'_, App>,
    reference: String,
    into: String,
) -> ApiResult<TicketDetail> {
    app.ticket_merge(reference, into).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_escalate(
    app: State<'_, App>,
    reference: String,
    escalation: helpdeck_core::escalation::Escalation,
) -> ApiResult<TicketDetail> {
    app.escalate(reference, escalation).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn followup_list(
    app: State<'_, App>,
    all: bool,
) -> ApiResult<Vec<helpdeck_store::FollowUpTask>> {
    app.followups(all).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn followup_done(
    app: State<'_, App>,
    reference: String,
    outcome: helpdeck_core::followup::Outcome,
    note: String,
    next_owner: Option<String>,
) -> ApiResult<TicketDetail> {
    app.followup_done(reference, outcome, note, next_owner)
        .await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_link(
    app: State<'_, App>,
    reference: String,
    to: String,
    kind: String,
) -> ApiResult<TicketDetail> {
    app.link(reference, to, kind).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_unlink(
    app: State<'_, App>,
    reference: String,
    to: String,
) -> ApiResult<TicketDetail> {
    app.unlink(reference, to).await
}

/// Customers matching a name or email fragment (requester suggestions).
#[tauri::command]
#[instrument(skip_all)]
pub async fn requesters(app: State<'_, App>, query: String) -> ApiResult<Vec<UserRef>> {
    app.requesters(query).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn agents(app: State<'_, App>) -> ApiResult<Vec<UserRef>> {
    app.agents().await
}
