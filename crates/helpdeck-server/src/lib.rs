//! Helpdeck server: accounts, authorisation and the sync protocol of spec §5–§6, over HTTP
//! (axum), on an embedded SQLite file or on PostgreSQL shared by several processes.
//!
//! Endpoints (every answer carries the `helpdeck-protocol` header; errors are
//! `{code, message}`):
//! - `GET  /health`
//! - `POST /auth/login`, `POST /auth/logout`, `GET /auth/me`
//! - `POST /sync/push`, `GET /sync/pull?cursor=N&wait=MS&schema=V`

pub mod accounts;
pub mod admin;
pub mod blobs;
pub mod db;
pub mod error;
mod escalations;
pub mod jobs;
mod presence;
pub mod privacy;
mod pull;
mod push;
pub(crate) mod routing;
#[cfg(test)]
mod testing;
pub mod throttle;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use helpdeck_core::sync::{
    LoginRequest, LoginResponse, MAX_PULL_PAGE, MAX_PUSH_OPS, PROTOCOL_HEADER, PROTOCOL_VERSION,
    PushRequest, PushResponse,
};
use serde::Deserialize;
use tokio::sync::watch;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

pub use accounts::{DeviceInfo, NewUser, add_user, devices, revoke_devices, update_user};
pub use db::{Backend, Db};
pub use error::{Result, ServerError};

/// Largest request body accepted (a full push of big ops fits well below it).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Longest long-poll a pull may ask for.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// Server settings (flags and environment, see the CLI).
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub db: String,
    /// Workspace name and calendar time zone, set when given.
    pub name: Option<String>,
    pub timezone: Option<String>,
    /// How often due jobs run (auto-close, …).
    pub jobs_interval: Duration,
    /// Where attachment files are kept (server processes sharing a database share it).
    pub blobs_dir: std::path::PathBuf,
    /// Serve HTTPS with this certificate and key (else plain HTTP, for a reverse proxy).
    pub tls: Option<tls::TlsFiles>,
}

struct Inner {
    db: Db,
    blobs: blobs::BlobDir,
    /// The last committed `server_seq` this process knows of; long-polls wait on it.
    changes: watch::Sender<i64>,
    /// Shared staff pull pages (see `pull::PageCache`).
    pages: pull::PageCache,
    /// One push at a time per process (SQLite has one writer anyway; PostgreSQL pushes are
    /// serialised by the counter row lock across processes).
    push_lock: tokio::sync::Mutex<()>,
    /// Who is viewing or replying to which ticket (memory only).
    presence: presence::Presence,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub async fn new(db: Db, blobs_dir: std::path::PathBuf) -> Result<AppState> {
        let last = db.last_seq().await?;
        let (changes, _) = watch::channel(last);
        let state = AppState(Arc::new(Inner {
            db,
            blobs: blobs::BlobDir(blobs_dir),
            changes,
            pages: pull::PageCache::default(),
            push_lock: tokio::sync::Mutex::new(()),
            presence: presence::Presence::default(),
        }));
        if state.0.db.backend == Backend::Postgres {
            state.listen_postgres().await?;
        }
        Ok(state)
    }

    /// Wakes this process's long-polls waiting for changes up to `seq`.
    fn wake(&self, seq: i64) {
        self.0.changes.send_if_modified(|v| {
            let newer = seq > *v;
            if newer {
                *v = seq;
            }
            newer
        });
    }

    /// PostgreSQL: wake this process's long-polls when another process commits a push.
    async fn listen_postgres(&self) -> Result<()> {
        let mut listener = sqlx::postgres::PgListener::connect(&self.0.db.url).await?;
        listener.listen("helpdeck_changes").await?;
        let inner = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        let Some(inner) = inner.upgrade() else { break };
                        if let Ok(seq) = n.payload().parse::<i64>() {
                            inner.changes.send_if_modified(|v| {
                                let newer = seq > *v;
                                if newer {
                                    *v = seq;
                                }
                                newer
                            });
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(())
    }
}

/// The HTTP application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/admin/rules", get(rules_get).post(rules_change))
        .route(
            "/admin/people",
            get(people_get).post(people_add).patch(people_update),
        )
        .route("/admin/teams", post(teams_add))
        .route("/routing/test", post(routing_test))
        .route("/sync/push", post(push_handler))
        .route("/sync/pull", get(pull_handler))
        .route("/presence", get(presence_get).put(presence_put))
        .route("/blobs/{sha}/status", get(blob_status))
        .route("/blobs/{sha}", axum::routing::put(blob_put).get(blob_get))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(protocol_header))
        .layer(middleware::from_fn(security_headers))
        // A request that takes longer than this (a stuck client, a slow-drip body) is cut
        // with 408; long-polls wait at most MAX_WAIT, far below it.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Requests beyond this many at once wait their turn instead of exhausting the
        // database pool and memory (long-polling devices count: keep it above them).
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            MAX_CONCURRENT_REQUESTS,
        ))
        .layer(
            // One span per request (method, path, status, latency) at the default log level.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}

/// Runs until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    // A bad certificate is said before anything else starts.
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let db = Db::connect(&config.db).await?;
    db.configure(config.name.as_deref(), config.timezone.as_deref())
        .await?;
    let state = AppState::new(db.clone(), config.blobs_dir.clone()).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServerError::Internal(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    tracing::info!(%addr, db = db.backend.as_str(), "helpdeck server listening");
    let jobs = tokio::spawn(jobs::run_forever(state.clone(), config.jobs_interval));
    ready(addr);
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = match tls {
        Some(acceptor) => {
            use axum::serve::ListenerExt;
            // `tap_io` lends the listener axum's connect-info for its address type.
            let listener = tls::TlsListener::new(listener, acceptor)
                .map_err(|e| ServerError::Internal(e.to_string()))?
                .tap_io(|_| {});
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
    };
    served.map_err(|e| ServerError::Internal(e.to_string()))?;
    jobs.abort();
    db.pool.close().await;
    tracing::info!("helpdeck server stopped");
    Ok(())
}

/// Rejects a request speaking another protocol version; stamps every answer with ours.
/// The longest a request may take (uploads of a 25 MiB file included).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);
/// Requests served at once; more wait.
pub const MAX_CONCURRENT_REQUESTS: usize = 2048;

/// Headers on every answer: nothing is sniffed, framed, cached, referred, or run as a page
/// (an attachment opened in a browser stays inert).
async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    use axum::http::header;
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; sandbox"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    resp
}

async fn protocol_header(req: Request<axum::body::Body>, next: Next) -> Response {
    use axum::response::IntoResponse;
    if let Some(v) = req.headers().get(PROTOCOL_HEADER) {
        let ours = PROTOCOL_VERSION.to_string();
        if v.to_str().ok() != Some(ours.as_str()) {
            let mut resp = ServerError::BadRequest(format!(
                "unsupported protocol version {:?} (this server speaks {PROTOCOL_VERSION}); update Helpdeck",
                v.to_str().unwrap_or("?")
            ))
            .into_response();
            resp.headers_mut()
                .insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL_VERSION));
            return resp;
        }
    } else if req.uri().path().starts_with("/sync/") {
        let mut resp = ServerError::BadRequest(format!(
            "missing {PROTOCOL_HEADER} header (this server speaks {PROTOCOL_VERSION})"
        ))
        .into_response();
        resp.headers_mut()
            .insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL_VERSION));
        return resp;
    }
    let mut resp = next.run(req).await;
    resp.headers_mut()
        .insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL_VERSION));
    resp
}

async fn health(State(s): State<AppState>) -> Result<Json<serde_json::Value>> {
    // Alive and reachable: nothing about the workspace (not even how much it changes).
    s.0.db.last_seq().await?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "protocol": PROTOCOL_VERSION,
    })))
}

/// JSON body extractor whose rejection is our `{code, message}` 400.
struct Body<T>(T);

impl<S, T> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ServerError;

    async fn from_request(req: Request<axum::body::Body>, state: &S) -> Result<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(match e.status() {
                axum::http::StatusCode::PAYLOAD_TOO_LARGE => ServerError::BadRequest(format!(
                    "request body too large (limit {} MiB)",
                    MAX_BODY_BYTES / 1024 / 1024
                )),
                _ => ServerError::BadRequest(format!("malformed request: {}", e.body_text())),
            }),
        }
    }
}

/// The authenticated caller (bearer token).
struct Auth(accounts::Caller);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ServerError::Unauthorized("missing bearer token; sign in first".into())
            })?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| {
            ServerError::Unauthorized("authorization must be 'Bearer TOKEN'".into())
        })?;
        Ok(Auth(
            accounts::authenticate(&state.0.db, token.trim()).await?,
        ))
    }
}

async fn login(
    State(s): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>,
    Body(req): Body<LoginRequest>,
) -> Result<Json<LoginResponse>> {
    if req.device_name.trim().is_empty() || req.device_name.len() > 200 {
        return Err(ServerError::BadRequest(
            "device_name: 1 to 200 characters".into(),
        ));
    }
    let session = accounts::login(
        &s.0.db,
        peer.ip(),
        &req.email,
        &req.password,
        req.device_id,
        &req.device_name,
    )
    .await?;
    let (workspace_id, workspace_name, timezone) = s.0.db.workspace().await?;
    tracing::info!(user = %session.account.user.id, device = %req.device_id, "signed in");
    Ok(Json(LoginResponse {
        token: session.token,
        expires_at: session.expires_at,
        user: session.account.user,
        workspace_id,
        workspace_name,
        timezone,
    }))
}

async fn logout(State(s): State<AppState>, Auth(caller): Auth) -> Result<Json<serde_json::Value>> {
    accounts::revoke(&s.0.db, &caller.token_hash).await?;
    Ok(Json(serde_json::json!({"signed_out": true})))
}

/// Everyone else's presence on tickets right now (staff).
async fn presence_get(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Vec<helpdeck_core::sync::PresenceEntry>>> {
    Ok(Json(s.0.presence.list(&caller)?))
}

/// What this device's user is doing now (staff).
async fn presence_put(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Json(u): Json<helpdeck_core::sync::PresenceUpdate>,
) -> Result<Json<serde_json::Value>> {
    s.0.presence.update(&s.0.db, &caller, u).await?;
    Ok(Json(serde_json::json!({})))
}

async fn me(Auth(caller): Auth) -> Json<helpdeck_core::user::User> {
    Json(caller.account.user)
}

/// The workspace rules (any signed-in user; replicas also get them with every pull).
async fn rules_get(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<helpdeck_core::sync::WorkspaceRules>> {
    Ok(Json(s.0.db.rules().await?.for_viewer(&caller.account.user)))
}

/// Which assignment rule a ticket would match and why, as the server would decide now
/// (staff; `rule test`): nothing is assigned and no turn is taken.
async fn routing_test(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Body(probe): Body<helpdeck_core::routing::Probe>,
) -> Result<Json<helpdeck_core::routing::Decision>> {
    if !caller.account.user.is_staff() {
        return Err(error::ServerError::Forbidden(
            "only agents and admins look at assignment rules".into(),
        ));
    }
    Ok(Json(routing::explain(&s.0.db, &probe).await?))
}

/// An admin changes the workspace rules from the app: decided by the same rule as on a
/// local workspace; every replica receives the result with its next pull.
async fn rules_change(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Body(change): Body<helpdeck_core::workspace::RulesChange>,
) -> Result<Json<helpdeck_core::sync::WorkspaceRules>> {
    Ok(Json(
        s.0.db.change_rules(&caller.account.user, &change).await?,
    ))
}

/// Everyone in the workspace and its teams (admins).
async fn people_get(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<helpdeck_core::people::Directory>> {
    Ok(Json(admin::directory(&s.0.db, &caller.account.user).await?))
}

/// An admin adds a person with a first password.
async fn people_add(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Body(draft): Body<helpdeck_core::people::PersonDraft>,
) -> Result<Json<helpdeck_core::people::PersonView>> {
    Ok(Json(
        admin::add_person(&s.0.db, &caller.account.user, &draft).await?,
    ))
}

/// An admin changes a person's role, team, tier or organization.
async fn people_update(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Body(patch): Body<helpdeck_core::people::PersonPatch>,
) -> Result<Json<helpdeck_core::people::PersonView>> {
    Ok(Json(
        admin::update_person(&s.0.db, &caller.account.user, &patch).await?,
    ))
}

#[derive(serde::Deserialize)]
struct TeamInput {
    name: String,
}

/// An admin adds a team; the answer is every team.
async fn teams_add(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Body(input): Body<TeamInput>,
) -> Result<Json<Vec<String>>> {
    Ok(Json(
        admin::add_team(&s.0.db, &caller.account.user, &input.name).await?,
    ))
}

async fn push_handler(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Body(req): Body<PushRequest>,
) -> Result<Json<PushResponse>> {
    if req.ops.len() > MAX_PUSH_OPS {
        return Err(ServerError::BadRequest(format!(
            "a push carries at most {MAX_PUSH_OPS} ops (got {}); split it",
            req.ops.len()
        )));
    }
    let span = tracing::info_span!("push", user = %caller.account.user.id, ops = req.ops.len());
    let _enter = span.enter();
    drop(_enter);
    push::check_refusals(&s.0.db, caller.device_id).await?;
    let pushed = {
        let _guard = s.0.push_lock.lock().await;
        push::push(&s.0.db, &caller, req.ops).await?
    };
    if let Some(seq) = pushed.last_seq {
        s.wake(seq);
    }
    let corrections = pull::bundles(&s.0.db, &caller.account.user, &pushed.corrections).await?;
    let article_corrections =
        pull::article_corrections(&s.0.db, &caller.account.user, &pushed.article_corrections)
            .await?;
    let macro_corrections =
        pull::macro_corrections(&s.0.db, &caller.account.user, &pushed.macro_corrections).await?;
    Ok(Json(PushResponse {
        acks: pushed.acks,
        corrections,
        article_corrections,
        macro_corrections,
    }))
}

async fn blob_status(
    State(s): State<AppState>,
    Auth(_caller): Auth,
    axum::extract::Path(sha): axum::extract::Path<String>,
) -> Result<Json<blobs::BlobStatus>> {
    Ok(Json(blobs::status(&s.0.db, &sha).await?))
}

#[derive(Deserialize)]
struct BlobPutQuery {
    offset: u64,
    size: u64,
}

async fn blob_put(
    State(s): State<AppState>,
    Auth(caller): Auth,
    axum::extract::Path(sha): axum::extract::Path<String>,
    q: std::result::Result<Query<BlobPutQuery>, axum::extract::rejection::QueryRejection>,
    body: axum::body::Bytes,
) -> Result<Json<blobs::BlobStatus>> {
    let Query(q) = q.map_err(|e| {
        ServerError::BadRequest(format!(
            "bad query: {} (allowed: offset=N&size=TOTAL)",
            e.body_text()
        ))
    })?;
    Ok(Json(
        blobs::put_chunk(&s.0.db, &s.0.blobs, &caller, &sha, q.offset, q.size, &body).await?,
    ))
}

#[derive(Deserialize)]
struct BlobGetQuery {
    offset: Option<u64>,
}

async fn blob_get(
    State(s): State<AppState>,
    Auth(caller): Auth,
    axum::extract::Path(sha): axum::extract::Path<String>,
    q: std::result::Result<Query<BlobGetQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let Query(q) = q.map_err(|e| {
        ServerError::BadRequest(format!("bad query: {} (allowed: offset=N)", e.body_text()))
    })?;
    let (bytes, size) =
        blobs::read_chunk(&s.0.db, &s.0.blobs, &caller, &sha, q.offset.unwrap_or(0)).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (
                axum::http::HeaderName::from_static("helpdeck-blob-size"),
                HeaderValue::from(size),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct PullQuery {
    cursor: Option<i64>,
    /// Long-poll: wait up to this many milliseconds for a change when there is none.
    wait: Option<u64>,
    schema: Option<u32>,
    limit: Option<usize>,
}

/// A pull's answer: its page as zstd when the client takes it and the page is long enough,
/// else its JSON as it is (either way built and compressed once, see [`pull::Cached`]).
async fn pull_answer(c: Arc<pull::Cached>, zstd: bool) -> Response {
    use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE, VARY};
    let json = HeaderValue::from_static("application/json");
    let vary = HeaderValue::from_static("accept-encoding");
    if zstd && let Some(z) = c.zstd_body().await {
        let encoding = HeaderValue::from_static("zstd");
        return (
            [
                (CONTENT_TYPE, json),
                (CONTENT_ENCODING, encoding),
                (VARY, vary),
            ],
            z,
        )
            .into_response();
    }
    ([(CONTENT_TYPE, json), (VARY, vary)], c.body.clone()).into_response()
}

async fn pull_handler(
    State(s): State<AppState>,
    Auth(caller): Auth,
    headers: axum::http::HeaderMap,
    q: std::result::Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let Query(q) = q.map_err(|e| {
        ServerError::BadRequest(format!(
            "bad query: {} (allowed: cursor=N, wait=MS, schema=V, limit=N)",
            e.body_text()
        ))
    })?;
    let cursor = q.cursor.unwrap_or(0);
    let schema = q.schema.unwrap_or(helpdeck_core::op::OP_SCHEMA_VERSION);
    let limit = q.limit.unwrap_or(MAX_PULL_PAGE);
    let wait = Duration::from_millis(q.wait.unwrap_or(0)).min(MAX_WAIT);
    let deadline = tokio::time::Instant::now() + wait;
    let mut rx = s.0.changes.subscribe();
    let zstd = pull::accepts_zstd(&headers);
    let checked = match pull::check(&s.0.db, &caller, cursor, schema, limit).await? {
        Ok(checked) => checked,
        Err(resync) => return Ok(pull_answer(resync, zstd).await),
    };
    // The caller, its device and the rules are checked once a request; a push that wakes
    // the long-poll says how far its page now goes.
    let (mut hi, mut woken) = (checked.last_seq, false);
    loop {
        let cached = pull::page(&s.0.db, &caller, &checked, hi, woken, &s.0.pages).await?;
        let page = &cached.page;
        let empty = page.tickets.is_empty() && page.revoked.is_empty() && !page.must_resync;
        // Not empty, out of time, or changes this caller may not see moved its cursor on.
        if !empty || tokio::time::Instant::now() >= deadline || page.next_cursor > cursor {
            return Ok(pull_answer(cached, zstd).await);
        }
        loop {
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {
                    let seq = *rx.borrow_and_update();
                    // A change the page already had (it was committed before the check).
                    if seq > cursor {
                        (hi, woken) = (seq, true);
                        break;
                    }
                }
                _ => return Ok(pull_answer(cached, zstd).await),
            }
        }
    }
}
