//! The app's side of sync: signing in to a server (a fresh data dir becomes a replica),
//! running the background loop, and telling the UI about sync status and tickets changed by
//! other people (events the shell forwards as Tauri events).

use std::sync::{Arc, Mutex};

use helpdeck_store::Store;
use helpdeck_sync::{SyncHandle, SyncPhase, SyncStatus};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tracing::instrument;
use ts_rs::TS;
use uuid::Uuid;

use crate::{ApiError, ApiResult, App, AppInfo, ErrorCode};

/// What the sync indicator shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhaseView {
    Synced,
    Syncing,
    Offline,
    Error,
    SignedOut,
}

/// Sync status for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncView {
    pub phase: SyncPhaseView,
    pub server_url: String,
    pub email: String,
    /// Local changes not yet on the server.
    #[ts(type = "number")]
    pub pending: i64,
    /// Changes the server refused.
    #[ts(type = "number")]
    pub rejected: i64,
    #[ts(type = "string | null")]
    pub last_sync_at: Option<jiff::Timestamp>,
    pub last_error: Option<String>,
}

/// The sign-in form.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct SignInInput {
    pub server_url: String,
    pub email: String,
    pub password: String,
    /// The language the sign-in screen was shown in (`en` or `zh`): a new replica's
    /// workspace language, which the UI then follows.
    #[serde(default)]
    #[ts(optional)]
    pub language: Option<String>,
}

/// What connecting this local workspace uploads (the confirmation shows it).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectPreview {
    pub tickets: u32,
    pub comments: u32,
    pub attachments: u32,
    #[ts(type = "number")]
    pub attachment_bytes: u64,
    pub links: u32,
    pub articles: u32,
}

/// What connecting did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectResult {
    pub uploaded: ConnectPreview,
    /// Where the local workspace was kept.
    pub local_backup: String,
    pub info: AppInfo,
}

fn preview(s: &helpdeck_store::UploadSummary) -> ConnectPreview {
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    ConnectPreview {
        tickets: n(s.tickets),
        comments: n(s.comments),
        attachments: n(s.attachments),
        attachment_bytes: s.attachment_bytes,
        links: n(s.links),
        articles: n(s.articles),
    }
}

/// How the server lists this device.
fn device_name() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "Helpdeck desktop".into())
}

fn check_credentials(input: &SignInInput) -> ApiResult<()> {
    if input.email.trim().is_empty() {
        let mut e = ApiError::new(ErrorCode::Validation, "email: must not be empty");
        e.field = Some("email".into());
        return Err(e);
    }
    if input.password.is_empty() {
        let mut e = ApiError::new(ErrorCode::Validation, "password: must not be empty");
        e.field = Some("password".into());
        return Err(e);
    }
    Ok(())
}

/// A refused sign-in as the form shows it: a wrong password next to the password field.
fn sign_in_error(e: helpdeck_sync::SyncError) -> ApiError {
    if let helpdeck_sync::SyncError::Refused(m) = &e
        && m.contains("wrong email or password")
    {
        let mut err = ApiError::new(ErrorCode::Validation, m.clone());
        err.field = Some("password".into());
        return err;
    }
    sync_error(e)
}

/// What the shell forwards to the UI.
#[derive(Debug, Clone)]
pub enum AppEvent {
    Sync(SyncView),
    /// Tickets changed by a pull (someone else's change): refresh what shows them.
    TicketsChanged(Vec<Uuid>),
}

/// The running loop and the event channel.
pub(crate) struct SyncSlot {
    handle: Mutex<Option<SyncHandle>>,
    events: broadcast::Sender<AppEvent>,
    /// The signed-in client, for presence (a replica only).
    presence: Mutex<Option<helpdeck_sync::Client>>,
}

impl Default for SyncSlot {
    fn default() -> Self {
        SyncSlot {
            handle: Mutex::new(None),
            events: broadcast::channel(64).0,
            presence: Mutex::new(None),
        }
    }
}

/// Someone else on a ticket right now (presence).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PresenceView {
    /// The ticket, e.g. `HD-12`.
    pub number: String,
    pub name: String,
    /// `viewing` or `replying`.
    pub state: String,
}

fn phase(p: &SyncPhase) -> SyncPhaseView {
    match p {
        SyncPhase::Synced => SyncPhaseView::Synced,
        SyncPhase::Syncing => SyncPhaseView::Syncing,
        SyncPhase::Offline => SyncPhaseView::Offline,
        SyncPhase::Error => SyncPhaseView::Error,
        SyncPhase::SignedOut => SyncPhaseView::SignedOut,
    }
}

fn view(s: &SyncStatus, email: &str) -> SyncView {
    SyncView {
        phase: phase(&s.phase),
        server_url: s.server_url.clone(),
        email: email.to_string(),
        pending: s.pending,
        rejected: s.rejected,
        last_sync_at: s.last_sync_at,
        last_error: s.last_error.clone(),
    }
}

/// A refused change of the workspace rules: the rule's own refusal (checked here first) keeps
/// its field; the server's refusal is shown as a validation message.
pub(crate) fn rules_error(e: helpdeck_sync::SyncError) -> ApiError {
    match e {
        helpdeck_sync::SyncError::Store(s) => s.into(),
        helpdeck_sync::SyncError::Refused(m) => ApiError::new(ErrorCode::Validation, m),
        other => sync_error(other),
    }
}

fn sync_error(e: helpdeck_sync::SyncError) -> ApiError {
    use helpdeck_sync::SyncError as E;
    let code = match &e {
        E::Offline(_) | E::Keyring(_) => ErrorCode::Internal,
        E::Unauthorized(_) | E::Refused(_) => ErrorCode::Forbidden,
        E::Setup(_) => ErrorCode::Validation,
        E::Store(_) => ErrorCode::Internal,
    };
    let mut err = ApiError::new(code, e.to_string());
    if let E::Setup(_) = e {
        err.field = Some("server_url".into());
    }
    err
}

impl App {
    /// Says what this user is doing now: viewing or replying to a ticket, or nothing. Best
    /// effort: a local workspace, a customer or no connection say nothing.
    pub async fn presence_set(&self, number: Option<String>, replying: bool) -> ApiResult<()> {
        let client = self.sync.presence.lock().expect("presence lock").clone();
        let Some(client) = client else { return Ok(()) };
        let ticket_id = match number {
            Some(n) => Some(self.store().await?.tickets().id_of(&n).await?),
            None => None,
        };
        let u = helpdeck_core::sync::PresenceUpdate {
            ticket_id,
            state: if replying {
                helpdeck_core::sync::PresenceState::Replying
            } else {
                helpdeck_core::sync::PresenceState::Viewing
            },
        };
        if let Err(e) = client.put_presence(&u).await {
            tracing::debug!(error = %e, "presence not sent");
        }
        Ok(())
    }

    /// Everyone else on tickets right now (empty offline or on a local workspace).
    pub async fn presence_list(&self) -> ApiResult<Vec<PresenceView>> {
        let client = self.sync.presence.lock().expect("presence lock").clone();
        let Some(client) = client else {
            return Ok(Vec::new());
        };
        let entries = match client.presence().await {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(error = %e, "presence not read");
                return Ok(Vec::new());
            }
        };
        let ids: Vec<Uuid> = entries.iter().map(|e| e.ticket_id).collect();
        let keys = self.store().await?.tickets().keys_of(&ids).await?;
        // A ticket this replica does not have (yet) is nobody's business here.
        Ok(entries
            .into_iter()
            .filter_map(|e| {
                Some(PresenceView {
                    number: keys.get(&e.ticket_id)?.clone(),
                    name: e.name,
                    state: e.state.to_string(),
                })
            })
            .collect())
    }

    /// Events for the UI (sync status, tickets changed by others).
    pub fn subscribe(&self) -> broadcast::Receiver<AppEvent> {
        self.sync.events.subscribe()
    }

    pub(crate) fn wake_sync(&self) {
        if let Some(h) = self.sync.handle.lock().expect("sync lock").as_ref() {
            h.wake();
        }
    }

    /// Starts the background loop of a replica (no-op for a local workspace).
    pub(crate) async fn start_sync(&self) {
        let Some(store) = self.store.read().await.clone() else {
            return;
        };
        let Ok(Some(state)) = store.replica().sync_state().await else {
            return;
        };
        if let Some(old) = self.sync.handle.lock().expect("sync lock").take() {
            old.stop();
        }
        let client = match helpdeck_sync::client_for(&store).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "sync not started");
                let _ = store
                    .replica()
                    .record_sync_result(Some(&e.to_string()))
                    .await;
                return;
            }
        };
        *self.sync.presence.lock().expect("presence lock") = Some(client.clone());
        let handle = helpdeck_sync::spawn(store.clone(), client);
        forward(
            &handle,
            &self.sync.events,
            self.monitor.clone(),
            state.email,
        );
        *self.sync.handle.lock().expect("sync lock") = Some(handle);
    }

    /// The sync status, or `None` for a local workspace.
    pub async fn sync_status(&self) -> Option<SyncView> {
        let store = self.store.read().await.clone()?;
        let state = store.replica().sync_state().await.ok()??;
        if let Some(h) = self.sync.handle.lock().expect("sync lock").as_ref() {
            return Some(view(&h.status(), &state.email));
        }
        Some(SyncView {
            phase: SyncPhaseView::SignedOut,
            server_url: state.server_url,
            email: state.email,
            pending: state.pending,
            rejected: state.rejected,
            last_sync_at: state.last_sync_at,
            last_error: state.last_error,
        })
    }

    /// Sync now (the indicator's "retry").
    pub fn sync_now(&self) {
        self.wake_sync();
    }

    /// Would signing in to `url` send the password unencrypted over the network (plain http
    /// to another machine)? The sign-in form warns.
    pub fn server_url_insecure(&self, url: &str) -> bool {
        helpdeck_sync::client::plain_http_warning(url).is_some()
    }

    /// Signs in to a server. With no workspace yet, the data dir becomes a replica of the
    /// server's workspace; a signed-out replica of the same server signs in again.
    #[instrument(skip_all, fields(server = %input.server_url), err)]
    pub async fn sign_in(&self, input: SignInInput) -> ApiResult<AppInfo> {
        check_credentials(&input)?;
        {
            let mut guard = self.store.write().await;
            if let Some(existing) = guard.as_ref()
                && existing.replica().sync_state().await?.is_none()
            {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "this data folder holds a local workspace: connect it to the server from Settings (its tickets are uploaded), or start Helpdeck with another data folder (--data-dir)",
                ));
            }
            // Re-signing in opens the store itself: release ours first.
            if let Some(old) = guard.take() {
                if let Some(h) = self.sync.handle.lock().expect("sync lock").take() {
                    h.stop();
                }
                if let Ok(store) = Arc::try_unwrap(old) {
                    store.shutdown().await;
                }
            }
            let device = device_name();
            let language = match &input.language {
                Some(l) => l.clone(),
                None => helpdeck_notify::os_lang().code().to_string(),
            };
            let result = helpdeck_sync::login(
                &self.data_dir,
                &input.server_url,
                &input.email,
                &input.password,
                &device,
                &language,
            )
            .await;
            match result {
                Ok(store) => *guard = Some(Arc::new(store)),
                Err(e) => {
                    // Put back what was there (a signed-out replica stays usable offline).
                    if let Ok(s) = Store::open(&self.data_dir).await {
                        *guard = Some(Arc::new(s));
                    }
                    return Err(sign_in_error(e));
                }
            }
        }
        self.start_sync().await;
        if let Err(e) = self.start_configured_monitor().await {
            tracing::warn!(error = %e.message, "SLA monitor not started");
        }
        self.info().await
    }

    /// What connecting this local workspace to a server would upload.
    pub async fn connect_preview(&self) -> ApiResult<ConnectPreview> {
        let store = self.store().await?;
        if store.replica().sync_state().await?.is_some() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this workspace is already connected to a server",
            ));
        }
        Ok(preview(&store.connect().upload_plan().await?.summary()))
    }

    /// Connects this local workspace to a server, after the user confirmed the preview:
    /// its tickets, comments, files, links and history are uploaded, the data folder
    /// becomes a replica, and the local workspace is kept beside it
    /// (`helpdeck_sync::connect`). On any refusal nothing changes here.
    #[instrument(skip_all, fields(server = %input.server_url), err)]
    pub async fn connect_workspace(&self, input: SignInInput) -> ApiResult<ConnectResult> {
        check_credentials(&input)?;
        let (uploaded, backup) = {
            let mut guard = self.store.write().await;
            let Some(current) = guard.as_ref() else {
                return Err(ApiError::new(
                    ErrorCode::NoWorkspace,
                    "no workspace yet: create one first",
                ));
            };
            if current.replica().sync_state().await?.is_some() {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "this workspace is already connected to a server",
                ));
            }
            // Connecting moves the data folder: close our handle on it first.
            if let Some(old) = guard.take()
                && let Ok(store) = Arc::try_unwrap(old)
            {
                store.shutdown().await;
            }
            let device = device_name();
            let result = helpdeck_sync::connect::connect(
                &self.data_dir,
                &input.server_url,
                &input.email,
                &input.password,
                &device,
            )
            .await;
            match result {
                Ok(done) => {
                    *guard = Some(Arc::new(done.store));
                    (done.uploaded, done.backup)
                }
                Err(e) => {
                    if let Ok(s) = Store::open(&self.data_dir).await {
                        *guard = Some(Arc::new(s));
                    }
                    return Err(sign_in_error(e));
                }
            }
        };
        self.start_sync().await;
        // The SLA monitor has its own handle: it reopens the data folder (now the replica).
        if let Some(m) = self.monitor.handle() {
            m.reload();
        }
        Ok(ConnectResult {
            uploaded: preview(&uploaded),
            local_backup: backup.display().to_string(),
            info: self.info().await?,
        })
    }

    /// Signs out: the token is revoked and removed from the keyring; data stays.
    #[instrument(skip_all, err)]
    pub async fn sign_out(&self) -> ApiResult<AppInfo> {
        let store = self.store.read().await.clone().ok_or_else(|| {
            ApiError::new(ErrorCode::NoWorkspace, "no workspace yet: create one first")
        })?;
        self.sync.presence.lock().expect("presence lock").take();
        if let Some(h) = self.sync.handle.lock().expect("sync lock").take() {
            h.stop();
        }
        helpdeck_sync::logout(&store).await.map_err(sync_error)?;
        if let Some(v) = self.sync_status().await {
            let _ = self.sync.events.send(AppEvent::Sync(v));
        }
        self.info().await
    }
}

/// Forwards a loop's status changes and pulled tickets to the app's event channel, and
/// pulled tickets to the SLA monitor (other people's changes recompute their targets).
fn forward(
    handle: &SyncHandle,
    events: &broadcast::Sender<AppEvent>,
    monitor: Arc<crate::monitor::MonitorSlot>,
    email: String,
) {
    let mut status = handle.watch_status();
    let mut changes = handle.subscribe_changes();
    let mut policy = handle.watch_policy();
    let events = events.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                r = policy.changed() => {
                    if r.is_err() { break; }
                    // The server's SLA policy changed: the monitor reopens the workspace
                    // and times every open ticket by the new targets.
                    if let Some(m) = monitor.handle() {
                        m.reload();
                    }
                }
                r = status.changed() => {
                    if r.is_err() { break; }
                    let v = view(&status.borrow_and_update(), &email);
                    let _ = events.send(AppEvent::Sync(v));
                }
                r = changes.recv() => match r {
                    Ok(ids) => {
                        if let Some(m) = monitor.handle() {
                            m.tickets_changed(ids.iter().copied());
                        }
                        let _ = events.send(AppEvent::TicketsChanged(ids));
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let _ = events.send(AppEvent::TicketsChanged(Vec::new()));
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
        }
    });
}
