//! `helpdeck-devserver`: the desktop app's commands over HTTP for the UI's browser dev mode
//! (`npm run dev` in ui/ proxies `/invoke/*` here). Each route is one call into
//! `helpdeck_app::App`, exactly what the Tauri shell's command does — the browser works on
//! a real workspace with the real rules, never on a mock. Development only: it listens on
//! loopback and has no authentication; it is not part of the desktop app.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use clap::Parser;
use helpdeck_app::{ApiError, App, ErrorCode};
use helpdeck_core::record::Visibility;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// The workspace to work on (a scratch one by default, never your real data).
    #[arg(long, env = "HELPDECK_DATA_DIR", default_value = "dev-workspace")]
    data_dir: PathBuf,
    /// Loopback address the UI's dev server proxies to.
    #[arg(long, default_value = "127.0.0.1:1421")]
    listen: SocketAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HELPDECK_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    if !args.listen.ip().is_loopback() {
        anyhow::bail!("--listen must be a loopback address (the dev server has no authentication)");
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let app = Arc::new(
        App::open(&args.data_dir)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?,
    );
    let router = Router::new()
        .route("/invoke/{cmd}", post(invoke))
        .layer(DefaultBodyLimit::max(32 * 1024 * 1024))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!(
        "helpdeck dev server on http://{} (workspace {})",
        listener.local_addr()?,
        args.data_dir.display()
    );
    axum::serve(listener, router).await?;
    Ok(())
}

async fn invoke(
    State(app): State<Arc<App>>,
    Path(cmd): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Files travel raw, as over Tauri's IPC.
    if cmd == "attachment_import" {
        let name = headers
            .get("x-file-name")
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        return answer(app.import_attachment(name, body.to_vec()).await);
    }
    let args: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return failure(bad(format!("arguments are not JSON: {e}"))),
        }
    };
    if cmd == "attachment_bytes" || cmd == "attachment_thumbnail" {
        let bytes = match arg::<String>(&args, "sha256") {
            Ok(sha) if cmd == "attachment_bytes" => app.attachment_bytes(sha).await,
            Ok(sha) => app.attachment_thumbnail(sha).await,
            Err(e) => Err(e),
        };
        return match bytes {
            Ok(b) => ([(header::CONTENT_TYPE, "application/octet-stream")], b).into_response(),
            Err(e) => failure(e),
        };
    }
    match dispatch(&app, &cmd, &args).await {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err(e) => failure(e),
    }
}

/// One command: the same call into `App` as the Tauri command of that name.
async fn dispatch(app: &App, cmd: &str, a: &Value) -> Result<Value, ApiError> {
    match cmd {
        "app_info" => out(app.info().await),
        "workspace_create" => out(app.create_workspace(arg(a, "input")?).await),
        "settings_update" => out(app.update_settings(arg(a, "settings")?).await),
        "ui_ready" | "tray_status" => Ok(Value::Null),
        "queue_counts" => out(app.queue_counts().await),
        "tickets_list" => out(app.tickets(arg(a, "filter")?).await),
        "ticket_get" => out(app.ticket(arg(a, "reference")?).await),
        "ticket_create" => out(app.create_ticket(arg(a, "input")?).await),
        "ticket_update" => out(app
            .update_ticket(arg(a, "reference")?, arg(a, "input")?)
            .await),
        "ticket_reply" | "ticket_note" => {
            let visibility = if cmd == "ticket_note" {
                Visibility::Internal
            } else {
                Visibility::Public
            };
            let files: Option<Vec<helpdeck_app::AttachmentUpload>> = arg(a, "files")?;
            out(app
                .comment(
                    arg(a, "reference")?,
                    arg(a, "body")?,
                    visibility,
                    files.unwrap_or_default(),
                    arg(a, "minutes")?,
                )
                .await)
        }
        "ticket_resolve" => out(app
            .resolve(arg(a, "reference")?, arg(a, "resolution")?)
            .await),
        "ticket_reopen" => out(app.reopen(arg(a, "reference")?).await),
        "ticket_close" => out(app.close(arg(a, "reference")?, arg(a, "reason")?).await),
        "ticket_rate" => out(app.rate(arg(a, "reference")?, arg(a, "csat")?).await),
        "macro_list" => out(app.macro_list().await),
        "views_list" => out(app.views_list().await),
        "my_availability_set" => out(app.set_my_availability(arg(a, "availability")?).await),
        "view_save" => out(app
            .view_save(
                arg(a, "name")?,
                arg(a, "filter")?,
                arg(a, "shared")?,
                arg(a, "team")?,
            )
            .await),
        "view_delete" => out(app.view_delete(arg(a, "name")?).await),
        "presence_set" => out(app
            .presence_set(arg(a, "number")?, arg(a, "replying")?)
            .await),
        "presence_list" => out(app.presence_list().await),
        "tickets_bulk_update" => out(app
            .tickets_bulk_update(arg(a, "numbers")?, arg(a, "change")?)
            .await),
        "tickets_bulk_undo" => out(app.tickets_bulk_undo(arg(a, "previous")?).await),
        "report_dashboard" => out(app
            .report_dashboard(
                arg(a, "since")?,
                arg(a, "until")?,
                arg(a, "filter")?,
                arg(a, "by")?,
            )
            .await),
        "report_export" => out(app
            .report_export(
                arg(a, "since")?,
                arg(a, "until")?,
                arg(a, "filter")?,
                arg(a, "by")?,
                arg(a, "table")?,
                arg(a, "lang")?,
            )
            .await),
        "template_items" => out(app.template_items(arg(a, "lines")?)),
        "time_sheet" => out(app.time_sheet(arg(a, "reference")?).await),
        "time_log" => out(app
            .time_log(arg(a, "reference")?, arg(a, "minutes")?, arg(a, "note")?)
            .await),
        "time_delete" => out(app.time_delete(arg(a, "entry")?).await),
        "time_timer_start" => out(app.time_timer_start(arg(a, "reference")?).await),
        "time_timer_stop" => out(app
            .time_timer_stop(arg(a, "reference")?, arg(a, "note")?)
            .await),
        "time_report" => out(app
            .time_report(arg(a, "since")?, arg(a, "until")?, arg(a, "by")?)
            .await),
        "workorder_today" => out(app.workorder_today().await),
        "workorder_list" => out(app.workorder_list(arg(a, "ticket")?).await),
        "workorder_get" => out(app.workorder_get(arg(a, "reference")?).await),
        "workorder_create" => out(app.workorder_create(arg(a, "input")?).await),
        "workorder_check" => out(app
            .workorder_check(
                arg(a, "reference")?,
                arg(a, "item")?,
                arg(a, "done")?,
                arg(a, "reading")?,
            )
            .await),
        "workorder_photo" => out(app
            .workorder_photo(
                arg(a, "reference")?,
                arg(a, "item")?,
                arg(a, "file")?,
                arg(a, "public")?,
            )
            .await),
        "workorder_part" => out(app
            .workorder_part(arg(a, "reference")?, arg(a, "part")?, arg(a, "quantity")?)
            .await),
        "workorder_time" => out(app
            .workorder_time(arg(a, "reference")?, arg(a, "kind")?, arg(a, "minutes")?)
            .await),
        "workorder_timer_start" => out(app
            .workorder_timer_start(arg(a, "reference")?, arg(a, "kind")?)
            .await),
        "workorder_report" => out(app.workorder_report(arg(a, "reference")?).await),
        "workorder_timer_stop" => out(app.workorder_timer_stop(arg(a, "reference")?).await),
        "workorder_sign" => out(app
            .workorder_sign(
                arg(a, "reference")?,
                arg(a, "signer")?,
                arg(a, "signature")?,
            )
            .await),
        "macro_add" => out(app.macro_add(arg(a, "input")?).await),
        "macro_delete" => out(app.macro_delete(arg(a, "id")?).await),
        "ticket_apply_macro" => out(app
            .ticket_apply_macro(arg(a, "reference")?, arg(a, "id")?)
            .await),
        "ticket_duplicates" => out(app.ticket_duplicates(arg(a, "reference")?).await),
        "ticket_merge" => out(app
            .ticket_merge(arg(a, "reference")?, arg(a, "into")?)
            .await),
        "ticket_escalate" => out(app
            .escalate(arg(a, "reference")?, arg(a, "escalation")?)
            .await),
        "kb_list" => out(app.kb_list(arg(a, "status")?).await),
        "kb_show" => out(app.kb_show(arg(a, "id")?).await),
        "kb_add" => out(app.kb_add(arg(a, "input")?).await),
        "kb_edit" => out(app.kb_edit(arg(a, "id")?, arg(a, "fields")?).await),
        "kb_set_status" => out(app.kb_set_status(arg(a, "id")?, arg(a, "status")?).await),
        "kb_vote" => out(app.kb_vote(arg(a, "id")?, arg(a, "helpful")?).await),
        "kb_search" => out(app.kb_search(arg(a, "query")?, arg(a, "limit")?).await),
        "kb_suggest" => out(app.kb_suggest(arg(a, "text")?, arg(a, "limit")?).await),
        "kb_from_ticket" => out(app.kb_from_ticket(arg(a, "reference")?).await),
        "kb_deflect" => out(app.kb_deflect(arg(a, "id")?).await),
        "ticket_diagnose" => out(app
            .ticket_diagnose(arg(a, "reference")?, arg(a, "step")?)
            .await),
        "kb_upkeep" => out(app.kb_upkeep(arg(a, "months")?).await),
        "kb_gaps" => out(app.kb_gaps(arg(a, "days")?, arg(a, "minTickets")?).await),
        "followup_list" => out(app.followups(arg(a, "all")?).await),
        "followup_done" => out(app
            .followup_done(
                arg(a, "reference")?,
                arg(a, "outcome")?,
                arg(a, "note")?,
                arg(a, "nextOwner")?,
            )
            .await),
        "ticket_link" => out(app
            .link(arg(a, "reference")?, arg(a, "to")?, arg(a, "kind")?)
            .await),
        "ticket_unlink" => out(app.unlink(arg(a, "reference")?, arg(a, "to")?).await),
        "agents" => out(app.agents().await),
        "workspace_rules" => out(app.workspace_rules().await),
        "workspace_rules_change" => out(app.change_workspace_rules(arg(a, "change")?).await),
        "people" => out(app.people().await),
        "person_add" => out(app.add_person(arg(a, "draft")?).await),
        "person_update" => out(app.update_person(arg(a, "patch")?).await),
        "team_add" => out(app.add_team(arg(a, "name")?).await),
        "requesters" => out(app.requesters(arg(a, "query")?).await),
        "search" => {
            let limit: Option<u32> = arg(a, "limit")?;
            let offset: Option<u32> = arg(a, "offset")?;
            out(app
                .search(arg(a, "query")?, limit.unwrap_or(20), offset.unwrap_or(0))
                .await)
        }
        "sync_status" => out(Ok(app.sync_status().await)),
        "sync_sign_in" => out(app.sign_in(arg(a, "input")?).await),
        "server_url_insecure" => out(Ok::<_, helpdeck_app::ApiError>(
            app.server_url_insecure(&arg::<String>(a, "url")?),
        )),
        "sync_connect_preview" => out(app.connect_preview().await),
        "sync_connect" => out(app.connect_workspace(arg(a, "input")?).await),
        "sync_sign_out" => out(app.sign_out().await),
        "sync_now" => {
            app.sync_now();
            Ok(Value::Null)
        }
        "monitor_counts" => out(app.monitor_counts().await),
        "notification_prefs" => out(app.notification_prefs().await),
        "notification_prefs_update" => out(app.set_notification_prefs(arg(a, "prefs")?).await),
        other => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("unknown command '{other}'"),
        )),
    }
}

fn arg<T: DeserializeOwned>(a: &Value, name: &str) -> Result<T, ApiError> {
    serde_json::from_value(a.get(name).cloned().unwrap_or(Value::Null))
        .map_err(|e| bad(format!("{name}: {e}")))
}

fn out<T: serde::Serialize>(r: Result<T, ApiError>) -> Result<Value, ApiError> {
    r.map(|v| serde_json::to_value(v).expect("answers serialize"))
}

fn bad(message: String) -> ApiError {
    ApiError::new(ErrorCode::Validation, message)
}

fn answer<T: serde::Serialize>(r: Result<T, ApiError>) -> Response {
    match out(r) {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err(e) => failure(e),
    }
}

fn failure(e: ApiError) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(e)).into_response()
}
