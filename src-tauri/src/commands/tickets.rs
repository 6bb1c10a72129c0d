//! Queue and ticket commands.

use helpdeck_app::{ApiResult, App, CreateTicketInput, QueueCounts, TicketPage, UpdateTicketInput};
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
) -> ApiResult<TicketDetail> {
    app.reply(reference, body).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_note(
    app: State<'_, App>,
    reference: String,
    body: String,
) -> ApiResult<TicketDetail> {
    app.note(reference, body).await
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

#[tauri::command]
#[instrument(skip_all)]
pub async fn agents(app: State<'_, App>) -> ApiResult<Vec<UserRef>> {
    app.agents().await
}
