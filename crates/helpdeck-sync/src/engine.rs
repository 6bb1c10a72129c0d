//! The sync loop: push then pull, woken by local changes and by the server's long-poll, with
//! exponential backoff and jitter while offline. Its status (synced / syncing / offline with
//! N pending / error) is published for the UI and `helpdeck sync`.

use std::sync::Arc;
use std::time::Duration;

use helpdeck_core::Timestamp;
use helpdeck_store::Store;
use rand::Rng;
use serde::Serialize;
use tokio::sync::{Notify, broadcast, watch};
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Result, SyncError};

/// Ops per push.
pub const PUSH_BATCH: usize = 500;
/// How long one long-poll waits for a change.
pub const LONG_POLL_MS: u64 = 25_000;

/// What one sync round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundSummary {
    pub pushed: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub revoked: usize,
    pub cursor: i64,
    pub resynced: bool,
    /// Attachment files moved this round.
    pub files: crate::files::FilesMoved,
    /// Tickets that changed here because of the pull.
    #[serde(skip)]
    pub changed: Vec<Uuid>,
    /// The server's SLA policy changed (an SLA monitor reloads).
    #[serde(skip)]
    pub policy_changed: bool,
}

/// Pushes every pending op, then pulls until caught up (one round).
pub async fn sync_once(store: &Store, client: &Client) -> Result<RoundSummary> {
    sync_once_reporting(store, client, &|_, _| {}).await
}

/// [`sync_once`], telling `progress` (cursor, the server's newest change) after each pulled
/// page: a first sync of a big workspace shows how far it is.
pub async fn sync_once_reporting(
    store: &Store,
    client: &Client,
    progress: helpdeck_store::Progress<'_>,
) -> Result<RoundSummary> {
    let mut summary = RoundSummary::default();
    let uploaded = push_pending(store, client, &mut summary).await?;
    pull_all(store, client, 0, &mut summary, progress).await?;
    let downloaded = crate::files::transfer(store, client, crate::files::Direction::Down).await?;
    summary.files = crate::files::FilesMoved {
        uploaded: uploaded.uploaded,
        downloaded: downloaded.downloaded,
        waiting: uploaded.waiting + downloaded.waiting,
    };
    store.replica().record_sync_result(None).await?;
    Ok(summary)
}

/// A round's first half: every pending op pushed, `PUSH_BATCH` at a time (their files
/// first), each batch's acks recorded and the server's corrections applied before the next.
/// Counts what it pushed and what was refused in `summary`; returns the files it uploaded.
pub async fn push_pending(
    store: &Store,
    client: &Client,
    summary: &mut RoundSummary,
) -> Result<crate::files::FilesMoved> {
    // Files first: an attachment op finds its file on the server when it arrives.
    let mut uploaded = crate::files::transfer(store, client, crate::files::Direction::Up).await?;
    loop {
        let ops = store.replica().pending_ops(PUSH_BATCH).await?;
        if ops.is_empty() {
            break;
        }
        // A file attached while this round ran (a reply written during the upload above)
        // goes up before the op that names it: the server takes an attachment or an
        // article's image only once its file is there.
        if ops.iter().any(|o| o.change.carries_files()) {
            let more = crate::files::transfer(store, client, crate::files::Direction::Up).await?;
            uploaded.uploaded += more.uploaded;
            uploaded.waiting = more.waiting;
        }
        let resp = client.push(&ops).await?;
        if resp.acks.len() != ops.len() {
            return Err(SyncError::Refused(format!(
                "the server acknowledged {} of {} ops",
                resp.acks.len(),
                ops.len()
            )));
        }
        summary.pushed += ops.len();
        summary.rejected += resp
            .acks
            .iter()
            .filter(|a| a.status == helpdeck_core::sync::AckStatus::Rejected)
            .count();
        store.replica().record_acks(&ops, &resp.acks).await?;
        if !resp.macro_corrections.is_empty() {
            store
                .replica()
                .apply_macro_corrections(&resp.macro_corrections)
                .await?;
        }
        if !resp.article_corrections.is_empty() {
            store
                .replica()
                .apply_article_corrections(&resp.article_corrections)
                .await?;
        }
        if !resp.corrections.is_empty() {
            // The server's state of tickets where it refused or outdid our change.
            store.replica().apply_corrections(&resp.corrections).await?;
            summary
                .changed
                .extend(resp.corrections.iter().map(|b| b.ticket.id));
        }
    }
    Ok(uploaded)
}

/// Pulls pages until `has_more` is false (the first may long-poll for `wait_ms`), then writes
/// the search documents of the tickets new here.
async fn pull_all(
    store: &Store,
    client: &Client,
    wait_ms: u64,
    summary: &mut RoundSummary,
    progress: helpdeck_store::Progress<'_>,
) -> Result<()> {
    pull_pages(store, client, wait_ms, summary, progress).await?;
    // Tickets new here came without search documents (a first sync is usable sooner); the
    // round ends once they are searchable (also those of a round interrupted before).
    let indexed = store.tickets().build_search_backlog().await?;
    if indexed > 0 {
        tracing::info!(tickets = indexed, "search documents written");
    }
    Ok(())
}

/// Pulls and applies pages until `has_more` is false; the first may long-poll for
/// `wait_ms`. Each page is fetched while the one before it is applied: a first sync is
/// hundreds of pages, and the server's work, the transfer and the decoding overlap the
/// replica's writes instead of adding to them. When it returns, every page is applied (queues,
/// SLA and ticket views are complete); tickets new here may still wait for their search
/// documents (`Tickets::build_search_backlog`, which [`sync_once`] runs next).
pub async fn pull_pages(
    store: &Store,
    client: &Client,
    wait_ms: u64,
    summary: &mut RoundSummary,
    progress: helpdeck_store::Progress<'_>,
) -> Result<()> {
    let mut resyncs = 0;
    let replica = store.replica();
    let mut page = client.pull(cursor(store).await?, wait_ms).await?;
    loop {
        let (applied, next) = if page.has_more && !page.must_resync {
            let (applied, next) =
                tokio::join!(replica.apply_pull(&page), client.pull(page.next_cursor, 0));
            (applied?, Some(next))
        } else {
            (replica.apply_pull(&page).await?, None)
        };
        if applied.resync {
            resyncs += 1;
            summary.resynced = true;
            if resyncs > 2 {
                return Err(SyncError::Refused(
                    "the server keeps asking for a resync".into(),
                ));
            }
            page = client.pull(cursor(store).await?, 0).await?;
            continue;
        }
        summary.pulled += applied.tickets;
        summary.policy_changed |= applied.policy_changed;
        summary.revoked += applied.revoked;
        summary.cursor = applied.cursor;
        summary
            .changed
            .extend(page.tickets.iter().map(|b| b.ticket.id));
        summary.changed.extend(page.revoked.iter().copied());
        progress(
            u64::try_from(applied.cursor).unwrap_or(0),
            u64::try_from(page.upper_bound.max(applied.cursor)).unwrap_or(0),
        );
        match next {
            Some(next) => page = next?,
            None => return Ok(()),
        }
    }
}

/// Where this replica's pulls start.
async fn cursor(store: &Store) -> Result<i64> {
    Ok(store
        .replica()
        .sync_state()
        .await?
        .ok_or_else(|| SyncError::Setup("this workspace is not connected to a server".into()))?
        .cursor)
}

/// The state the UI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Synced,
    Syncing,
    Offline,
    Error,
    SignedOut,
}

/// Published after every change of phase or round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub phase: SyncPhase,
    pub server_url: String,
    pub pending: i64,
    pub rejected: i64,
    pub last_sync_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// When the next attempt is due while offline.
    pub retry_at: Option<Timestamp>,
}

/// Controls a running sync loop.
#[derive(Clone)]
pub struct SyncHandle {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    status: watch::Receiver<SyncStatus>,
    changed: broadcast::Sender<Vec<Uuid>>,
    /// Bumped when a pull brought a new SLA policy.
    policy: watch::Receiver<u64>,
}

impl std::fmt::Debug for SyncHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHandle").finish_non_exhaustive()
    }
}

impl SyncHandle {
    /// A local change is waiting: push it now (cancels a long-poll or a backoff sleep).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    pub fn watch_status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Ticket ids changed by pulls (the queue refreshes, the SLA monitor recomputes).
    pub fn subscribe_changes(&self) -> broadcast::Receiver<Vec<Uuid>> {
        self.changed.subscribe()
    }

    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Changes when a pull brought a new SLA policy from the server.
    pub fn watch_policy(&self) -> watch::Receiver<u64> {
        self.policy.clone()
    }
}

/// Backoff before retry `attempt` (0-based): 0.5 s doubling to 60 s, with jitter in
/// [d/2, d] so a crowd of laptops coming back online does not arrive in step.
pub fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1u32 << attempt.min(7));
    let d = base.min(Duration::from_secs(60));
    let ms = u64::try_from(d.as_millis()).unwrap_or(60_000);
    Duration::from_millis(rand::rng().random_range(ms / 2..=ms))
}

async fn status_of(
    store: &Store,
    phase: SyncPhase,
    error: Option<String>,
    retry_at: Option<Timestamp>,
) -> SyncStatus {
    let st = store.replica().sync_state().await.ok().flatten();
    SyncStatus {
        phase,
        server_url: st
            .as_ref()
            .map(|s| s.server_url.clone())
            .unwrap_or_default(),
        pending: st.as_ref().map_or(0, |s| s.pending),
        rejected: st.as_ref().map_or(0, |s| s.rejected),
        last_sync_at: st.as_ref().and_then(|s| s.last_sync_at),
        last_error: error.or_else(|| st.and_then(|s| s.last_error)),
        retry_at,
    }
}

/// Starts the background loop on the current tokio runtime.
pub fn spawn(store: Arc<Store>, client: Client) -> SyncHandle {
    let wake = Arc::new(Notify::new());
    let (stop, mut stop_rx) = watch::channel(false);
    let (status_tx, status) = watch::channel(SyncStatus {
        phase: SyncPhase::Syncing,
        server_url: client.base().to_string(),
        pending: 0,
        rejected: 0,
        last_sync_at: None,
        last_error: None,
        retry_at: None,
    });
    let (changed, _) = broadcast::channel(64);
    let (policy_tx, policy) = watch::channel(0u64);
    let handle = SyncHandle {
        wake: wake.clone(),
        stop,
        status,
        changed: changed.clone(),
        policy,
    };
    let policy_changed = move |yes: bool| {
        if yes {
            policy_tx.send_modify(|v| *v += 1);
        }
    };
    tokio::spawn(async move {
        let mut attempt = 0u32;
        loop {
            if *stop_rx.borrow() {
                break;
            }
            status_tx.send_replace(status_of(&store, SyncPhase::Syncing, None, None).await);
            let round = sync_once(&store, &client).await;
            let sleep = match round {
                Ok(summary) => {
                    attempt = 0;
                    policy_changed(summary.policy_changed);
                    if !summary.changed.is_empty() {
                        let _ = changed.send(summary.changed);
                    }
                    status_tx.send_replace(status_of(&store, SyncPhase::Synced, None, None).await);
                    None
                }
                Err(e) => {
                    let message = e.to_string();
                    let _ = store.replica().record_sync_result(Some(&message)).await;
                    tracing::warn!(error = %message, attempt, "sync failed");
                    match e {
                        SyncError::Unauthorized(_) => {
                            let _ = store.replica().set_signed_out(true).await;
                            status_tx.send_replace(
                                status_of(&store, SyncPhase::SignedOut, Some(message), None).await,
                            );
                            Some(None) // wait for a wake (sign-in)
                        }
                        e if e.is_transient() => {
                            let d = backoff(attempt);
                            attempt = attempt.saturating_add(1);
                            let retry = Timestamp::now()
                                + jiff::SignedDuration::try_from(d).unwrap_or_default();
                            status_tx.send_replace(
                                status_of(&store, SyncPhase::Offline, Some(message), Some(retry))
                                    .await,
                            );
                            Some(Some(d))
                        }
                        _ => {
                            let d = backoff(attempt.max(4));
                            attempt = attempt.saturating_add(1);
                            status_tx.send_replace(
                                status_of(&store, SyncPhase::Error, Some(message), None).await,
                            );
                            Some(Some(d))
                        }
                    }
                }
            };
            match sleep {
                Some(Some(d)) => {
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = wake.notified() => {}
                        _ = stop_rx.changed() => {}
                    }
                }
                Some(None) => {
                    tokio::select! {
                        _ = wake.notified() => {}
                        _ = stop_rx.changed() => {}
                    }
                }
                None => {
                    // Caught up: long-poll for the server's changes, or wake for ours.
                    let mut summary = RoundSummary::default();
                    tokio::select! {
                        r = pull_all(&store, &client, LONG_POLL_MS, &mut summary, &|_, _| {}) => {
                            if let Err(e) = r {
                                tracing::debug!(error = %e, "long-poll ended");
                            } else {
                                policy_changed(summary.policy_changed);
                                if !summary.changed.is_empty() {
                                    let _ = changed.send(summary.changed);
                                }
                            }
                        }
                        _ = wake.notified() => {}
                        _ = stop_rx.changed() => {}
                    }
                }
            }
        }
    });
    handle
}
