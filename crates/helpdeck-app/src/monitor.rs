//! The app's SLA monitor: started once a workspace exists, told about every local write,
//! and asked for the counts the tray, the badge and the UI show.

use std::sync::{Arc, Mutex};

use helpdeck_core::notify::{Lang, NotificationPrefs};
use helpdeck_notify::{Clock, MonitorHandle, MonitorOptions, Sink, SystemClock};
use helpdeck_store::Store;
use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;
use uuid::Uuid;

use crate::{ApiError, ApiResult, App, ErrorCode, LanguageChoice};

/// How often a local workspace runs its due jobs (auto-close of resolved tickets).
const JOBS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// What the tray and the window badge show, straight from the running monitor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct MonitorCounts {
    /// Open tickets past a due time.
    pub breached: u32,
    /// Open tickets at risk, not yet breached.
    pub at_risk: u32,
    /// Notifications paused from the tray.
    pub paused: bool,
    /// False until the monitor has loaded the workspace (or when there is none yet).
    pub running: bool,
}

struct Setup {
    sink: Arc<dyn Sink>,
    clock: Arc<dyn Clock>,
    options: MonitorOptions,
}

/// The monitor handle, once started, and how to start it (kept for a workspace created later).
#[derive(Default)]
pub(crate) struct MonitorSlot {
    handle: Mutex<Option<MonitorHandle>>,
    setup: Mutex<Option<Setup>>,
}

impl MonitorSlot {
    pub fn handle(&self) -> Option<MonitorHandle> {
        self.handle.lock().expect("not poisoned").clone()
    }

    /// A local write changed this ticket.
    pub fn changed(&self, id: Uuid) {
        if let Some(h) = self.handle() {
            h.tickets_changed([id]);
        }
    }

    /// A local write changed many tickets (a bulk change): the monitor reads them all again.
    pub fn resync(&self) {
        if let Some(h) = self.handle() {
            h.reload();
        }
    }
}

use helpdeck_notify::os_lang;

/// The language the UI, the tray and notifications use: the user's choice, else the
/// workspace's, else (no workspace yet) the OS locale's. The one place it is decided.
pub(crate) fn lang(choice: LanguageChoice, workspace: Option<&str>) -> Lang {
    match choice {
        LanguageChoice::En => Lang::En,
        LanguageChoice::Zh => Lang::Zh,
        LanguageChoice::System => os_lang(),
        LanguageChoice::Workspace => workspace.map(Lang::from_code).unwrap_or_else(os_lang),
    }
}

impl App {
    /// Starts the SLA monitor with this sink (the desktop's notify-rust sink; tests record).
    /// Without a workspace yet, it starts when the first-run form creates one. Must be called
    /// inside a tokio runtime.
    #[instrument(skip_all, err)]
    pub async fn start_monitor(
        &self,
        sink: Arc<dyn Sink>,
        clock: Arc<dyn Clock>,
        mut options: MonitorOptions,
    ) -> ApiResult<()> {
        options.lang = self.ui_lang().await;
        *self.monitor.setup.lock().expect("not poisoned") = Some(Setup {
            sink,
            clock,
            options,
        });
        self.start_configured_monitor().await
    }

    /// Same, with the system clock.
    pub async fn start_monitor_with(&self, sink: Arc<dyn Sink>) -> ApiResult<()> {
        self.start_monitor(sink, Arc::new(SystemClock), MonitorOptions::default())
            .await
    }

    pub(crate) async fn start_configured_monitor(&self) -> ApiResult<()> {
        if self.monitor.handle().is_some() || self.store.read().await.is_none() {
            return Ok(());
        }
        let Some((sink, clock, options)) = self
            .monitor
            .setup
            .lock()
            .expect("not poisoned")
            .as_ref()
            .map(|s| (s.sink.clone(), s.clock.clone(), s.options.clone()))
        else {
            return Ok(());
        };
        // The monitor has its own handle on the workspace (its own pool; WAL allows it).
        let store = Store::open(&self.data_dir).await?;
        let handle = helpdeck_notify::spawn(store, sink, clock, options);
        *self.monitor.handle.lock().expect("not poisoned") = Some(handle);
        // A local workspace runs its due jobs (auto-close) here, as a server would. The
        // workspace is opened each round: after a connect the folder is a replica (whose
        // server runs the jobs) and the old files are the kept local copy, never touched.
        let dir = self.data_dir.clone();
        let slot = Arc::downgrade(&self.monitor);
        tokio::spawn(async move {
            loop {
                // First after a minute: opening the app stays as fast as it was.
                tokio::time::sleep(JOBS_INTERVAL).await;
                if slot.strong_count() == 0 {
                    break;
                }
                let jobs = match Store::open(&dir).await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "jobs: cannot open the workspace");
                        continue;
                    }
                };
                let ran = jobs.jobs().run_jobs().await;
                jobs.shutdown().await;
                match ran {
                    Ok(ids) if !ids.is_empty() => {
                        tracing::info!(changed = ids.len(), "local jobs changed tickets");
                        if let Some(m) = slot.upgrade().and_then(|s| s.handle()) {
                            m.tickets_changed(ids);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "jobs failed; retrying next round"),
                }
            }
        });
        Ok(())
    }

    /// The running monitor, for the shell (tray, badge) and the sync engine's
    /// `tickets_changed` hook.
    pub fn monitor(&self) -> Option<MonitorHandle> {
        self.monitor.handle()
    }

    /// Breached and at-risk counts as the monitor sees them.
    #[instrument(skip_all, err)]
    pub async fn monitor_counts(&self) -> ApiResult<MonitorCounts> {
        Ok(match self.monitor.handle() {
            Some(h) => {
                let c = h.counts();
                MonitorCounts {
                    breached: c.breached,
                    at_risk: c.at_risk,
                    paused: c.paused,
                    running: c.ready,
                }
            }
            None => MonitorCounts::default(),
        })
    }

    /// Pauses or resumes notifications (the tray's switch).
    pub fn set_notifications_paused(&self, paused: bool) {
        if let Some(h) = self.monitor.handle() {
            h.set_paused(paused);
        }
    }

    /// The notification preferences.
    #[instrument(skip_all, err)]
    pub async fn notification_prefs(&self) -> ApiResult<NotificationPrefs> {
        self.with_store(async |s| s.sla().notification_prefs().await)
            .await
    }

    /// Saves the notification preferences; the monitor applies them at once.
    #[instrument(skip_all, err)]
    pub async fn set_notification_prefs(
        &self,
        prefs: NotificationPrefs,
    ) -> ApiResult<NotificationPrefs> {
        if let Some(q) = prefs.quiet_hours
            && q.start == q.end
        {
            return Err(ApiError::new(
                ErrorCode::Validation,
                "quiet hours must start and end at different times",
            ));
        }
        self.with_store(async |s| s.sla().set_notification_prefs(&prefs).await)
            .await?;
        if let Some(h) = self.monitor.handle() {
            h.set_prefs(prefs.clone());
        }
        Ok(prefs)
    }
}
