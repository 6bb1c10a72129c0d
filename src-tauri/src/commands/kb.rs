//! The knowledge base (issue 12): thin wrappers over `helpdeck_app::App`.

use helpdeck_app::{ApiResult, App};
use helpdeck_core::kb::{ArticleFields, ArticleStatus, DiagnosisStep};
use helpdeck_store::{ArticleHit, ArticleInput, ArticleView, KbGap, TicketDetail, UpkeepItem};
use tauri::State;
use tracing::instrument;

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_list(
    app: State<'_, App>,
    status: Option<ArticleStatus>,
) -> ApiResult<Vec<ArticleView>> {
    app.kb_list(status).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_show(app: State<'_, App>, id: String) -> ApiResult<ArticleView> {
    app.kb_show(id).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_add(app: State<'_, App>, input: ArticleInput) -> ApiResult<ArticleView> {
    app.kb_add(input).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_edit(
    app: State<'_, App>,
    id: String,
    fields: ArticleFields,
) -> ApiResult<ArticleView> {
    app.kb_edit(id, fields).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_set_status(
    app: State<'_, App>,
    id: String,
    status: ArticleStatus,
) -> ApiResult<ArticleView> {
    app.kb_set_status(id, status).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_vote(app: State<'_, App>, id: String, helpful: bool) -> ApiResult<ArticleView> {
    app.kb_vote(id, helpful).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_search(
    app: State<'_, App>,
    query: String,
    limit: u32,
) -> ApiResult<Vec<ArticleHit>> {
    app.kb_search(query, limit).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_suggest(
    app: State<'_, App>,
    text: String,
    limit: u32,
) -> ApiResult<Vec<ArticleHit>> {
    app.kb_suggest(text, limit).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn kb_from_ticket(app: State<'_, App>, reference: String) -> ApiResult<ArticleView> {
    app.kb_from_ticket(reference).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_deflect(app: State<'_, App>, id: String) -> ApiResult<()> {
    app.kb_deflect(id).await
}

#[tauri::command]
#[instrument(skip_all, fields(ticket = %reference))]
pub async fn ticket_diagnose(
    app: State<'_, App>,
    reference: String,
    step: DiagnosisStep,
) -> ApiResult<TicketDetail> {
    app.ticket_diagnose(reference, step).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_upkeep(app: State<'_, App>, months: u32) -> ApiResult<Vec<UpkeepItem>> {
    app.kb_upkeep(months).await
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn kb_gaps(app: State<'_, App>, days: u32, min_tickets: i64) -> ApiResult<Vec<KbGap>> {
    app.kb_gaps(days, min_tickets).await
}
