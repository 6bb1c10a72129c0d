//! Search command.

use helpdeck_app::{ApiResult, App};
use helpdeck_store::SearchPage;
use tauri::State;
use tracing::instrument;

#[tauri::command]
#[instrument(skip_all)]
pub async fn search(
    app: State<'_, App>,
    query: String,
    limit: Option<u32>,
    offset: Option<u32>,
) -> ApiResult<SearchPage> {
    app.search(query, limit.unwrap_or(20), offset.unwrap_or(0))
        .await
}
