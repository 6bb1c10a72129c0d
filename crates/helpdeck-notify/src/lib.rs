//! The SLA monitor at run time, shared by the desktop app and `helpdeck watch`.
//!
//! [`spawn`] starts one tokio task that owns a [`Monitor`] (the pure scheduler of
//! `helpdeck-core`) and its own [`Store`] handle on the workspace. It sleeps until the
//! earliest of: the next scheduled alert, the next moment a ticket enters "at risk" or
//! "breached" (for the tray counts), a short external-change check, or a message on its
//! channel. No periodic full scans: a ticket is re-evaluated only when it changed.
//!
//! - Local changes: the app calls [`MonitorHandle::tickets_changed`] after each write; the sync
//!   engine calls the same hook after applying remote operations.
//! - Changes by another process (the CLI, a sync running elsewhere) are found by reading the
//!   audit trail and comments past a cursor (two index range reads, every
//!   [`MonitorOptions::external_check`]). The same read yields the activity alerts.
//! - Every alert is claimed in the store (`INSERT OR IGNORE`) before it is shown, so a
//!   restart, a second process or a replica that learned the key never repeats it.
//! - The sleep is capped by the external check, so after a suspend (the monotonic clock stops)
//!   missed alerts fire within seconds of wake, once, with their true due time.

mod clock;
mod sink;

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;
use std::time::Duration;

use helpdeck_core::Timestamp;
use helpdeck_core::notify::{
    Fired, Lang, Message, NotificationPrefs, Ownership, Recipient, activity_alert, compose,
};
use helpdeck_core::sla::SlaState;
use helpdeck_core::sla::monitor::{Monitor, MonitoredTicket};
use helpdeck_store::{ActivityCursor, Store, WatchedTicket};
use jiff::tz::TimeZone;
use serde::Serialize;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

pub use clock::{Clock, ManualClock, SystemClock};

/// The language of the user's OS locale (`sys-locale`: the locale environment on Linux,
/// the user's preferred language on macOS and Windows): Chinese for `zh*`, else English.
/// The one place the app and the CLI read it.
pub fn os_lang() -> helpdeck_core::notify::Lang {
    helpdeck_core::notify::Lang::from_code(&sys_locale::get_locale().unwrap_or_default())
}
pub use sink::{DesktopSink, OpenTicket, RecordingSink, Sink};

/// Called after each delivery.
pub type OnDelivered = Arc<dyn Fn(&Delivered) + Send + Sync>;

/// Options of a monitor.
#[derive(Clone)]
pub struct MonitorOptions {
    /// Language of the notification text.
    pub lang: Lang,
    /// More alerts than this at one wake become one summary.
    pub max_individual: usize,
    /// How often to look for changes made by other processes (and after a suspend).
    pub external_check: Duration,
    /// Called after each delivery (the CLI prints a line).
    pub on_delivered: Option<OnDelivered>,
}

impl Default for MonitorOptions {
    fn default() -> MonitorOptions {
        MonitorOptions {
            lang: Lang::En,
            max_individual: 5,
            external_check: Duration::from_secs(2),
            on_delivered: None,
        }
    }
}

/// One notification handed to the sink.
#[derive(Debug, Clone, Serialize)]
pub struct Delivered {
    pub message: Message,
    /// The earliest moment one of its alerts became due.
    pub due_at: Timestamp,
    /// When the sink returned.
    pub delivered_at: Timestamp,
    /// The sink's error, if it failed (the alert stays claimed: it is not retried).
    pub error: Option<String>,
}

/// What the tray and the window badge show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SlaCounts {
    /// Open tickets past a due time.
    pub breached: u32,
    /// Open tickets at risk but not yet breached.
    pub at_risk: u32,
    /// Notifications paused from the tray.
    pub paused: bool,
    /// False until the monitor has loaded the workspace.
    pub ready: bool,
}

enum Command {
    Changed(Vec<Uuid>),
    Reload,
    Pause(bool),
    Lang(Lang),
    Prefs(NotificationPrefs),
}

/// A running monitor. Cheap to clone; the task stops when every handle is dropped.
#[derive(Clone)]
pub struct MonitorHandle {
    tx: mpsc::UnboundedSender<Command>,
    counts: watch::Receiver<SlaCounts>,
}

impl MonitorHandle {
    /// Tickets changed (a local write, or operations applied by the sync engine): they are
    /// re-evaluated and rescheduled now.
    pub fn tickets_changed(&self, ids: impl IntoIterator<Item = Uuid>) {
        let _ = self.tx.send(Command::Changed(ids.into_iter().collect()));
    }

    /// Policies or calendars changed: reopen the workspace and reschedule everything.
    pub fn reload(&self) {
        let _ = self.tx.send(Command::Reload);
    }

    /// Pauses (or resumes) delivery; alerts that fall due while paused are dropped, once.
    pub fn set_paused(&self, paused: bool) {
        let _ = self.tx.send(Command::Pause(paused));
    }

    /// Changes the language of later notifications.
    pub fn set_lang(&self, lang: Lang) {
        let _ = self.tx.send(Command::Lang(lang));
    }

    /// Applies new preferences (already saved by the caller).
    pub fn set_prefs(&self, prefs: NotificationPrefs) {
        let _ = self.tx.send(Command::Prefs(prefs));
    }

    /// The current counts.
    pub fn counts(&self) -> SlaCounts {
        *self.counts.borrow()
    }

    /// Follows the counts (tray, badge).
    pub fn watch_counts(&self) -> watch::Receiver<SlaCounts> {
        self.counts.clone()
    }
}

/// Starts the monitor on `store` (its own handle on the workspace). Must be called inside a
/// tokio runtime. The store's "now" is taken from `clock`.
pub fn spawn(
    mut store: Store,
    sink: Arc<dyn Sink>,
    clock: Arc<dyn Clock>,
    options: MonitorOptions,
) -> MonitorHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let (counts_tx, counts) = watch::channel(SlaCounts::default());
    let now_clock = clock.clone();
    store.set_now(Arc::new(move || now_clock.now()));
    tokio::spawn(async move {
        if let Err(e) = run(store, sink, clock, options, rx, counts_tx).await {
            tracing::error!(error = %e, "SLA monitor stopped");
        }
    });
    MonitorHandle { tx, counts }
}

/// A refresh of at least this many tickets (a sync that applied many pages) gives the
/// memory its read freed back to the system afterwards.
const LARGE_REFRESH: usize = 1000;

/// Monitor state beside the pure scheduler: whose each ticket is, and the at-risk / due
/// instants of open tickets for the counts.
struct State {
    store: Store,
    monitor: Monitor,
    owners: HashMap<Uuid, Ownership>,
    times: HashMap<Uuid, (Option<Timestamp>, Option<Timestamp>)>,
    risk: BTreeSet<(Timestamp, Uuid)>,
    due: BTreeSet<(Timestamp, Uuid)>,
    cursor: ActivityCursor,
    recipient: Recipient,
    tz: TimeZone,
    prefs: NotificationPrefs,
    paused: bool,
}

impl State {
    async fn load(store: Store) -> helpdeck_store::Result<State> {
        let started = std::time::Instant::now();
        // Four reads on their own connections at once: the alerts already fired (a join of
        // every fired alert with its ticket) are read while the open tickets are evaluated.
        let sla = store.sla();
        let (prefs, cursor, fired, open) = tokio::try_join!(
            sla.notification_prefs(),
            sla.activity_cursor(),
            sla.fired_sla_keys(),
            sla.watched_open_tickets(),
        )?;
        let mut state = State {
            recipient: sla.recipient(),
            tz: sla.time_zone(),
            prefs,
            cursor,
            store,
            monitor: Monitor::new(),
            owners: HashMap::new(),
            times: HashMap::new(),
            risk: BTreeSet::new(),
            due: BTreeSet::new(),
            paused: false,
        };
        state.monitor.restore_fired(fired);
        let count = open.len();
        for w in open {
            state.upsert(w);
        }
        tracing::info!(
            tickets = count,
            ms = started.elapsed().as_millis() as u64,
            "SLA monitor started"
        );
        // What the first round read (every open ticket) is freed: given back, not kept (on
        // a thread of its own, off the way to the first counts).
        tokio::task::spawn_blocking(helpdeck_sqlite::release_free_memory);
        Ok(state)
    }

    fn upsert(&mut self, w: WatchedTicket) {
        let id = w.ticket.id;
        self.forget_times(id);
        if w.ticket.open {
            let (risk, due) = instants(&w.ticket);
            if let Some(r) = risk {
                self.risk.insert((r, id));
            }
            if let Some(d) = due {
                self.due.insert((d, id));
            }
            self.times.insert(id, (risk, due));
            self.owners.insert(id, w.ownership);
            self.monitor.upsert(&w.ticket);
        } else {
            self.owners.remove(&id);
            self.monitor.remove(id);
        }
    }

    fn forget_times(&mut self, id: Uuid) {
        if let Some((r, d)) = self.times.remove(&id) {
            if let Some(r) = r {
                self.risk.remove(&(r, id));
            }
            if let Some(d) = d {
                self.due.remove(&(d, id));
            }
        }
    }

    async fn refresh(&mut self, ids: &[Uuid]) -> helpdeck_store::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for w in self.store.sla().watched_tickets(ids).await? {
            self.upsert(w);
        }
        if ids.len() >= LARGE_REFRESH {
            tokio::task::spawn_blocking(helpdeck_sqlite::release_free_memory);
        }
        Ok(())
    }

    /// Reads what other processes (or a sync) wrote; returns the activity alerts for me.
    async fn read_activity(&mut self) -> helpdeck_store::Result<Vec<Fired>> {
        let since = self.store.sla().activity_since(self.cursor).await?;
        if since.cursor == self.cursor {
            return Ok(Vec::new());
        }
        self.refresh(&since.changed).await?;
        self.cursor = since.cursor;
        self.store.sla().save_activity_cursor(self.cursor).await?;
        Ok(since
            .activity
            .iter()
            .filter_map(|a| activity_alert(a, &self.recipient))
            .map(Fired::Activity)
            .collect())
    }

    fn counts(&self, now: Timestamp) -> SlaCounts {
        let upto = (Bound::Unbounded, Bound::Included((now, Uuid::max())));
        let breaching = self.risk.range(upto).count();
        let breached = self.due.range(upto).count();
        SlaCounts {
            breached: breached as u32,
            at_risk: breaching.saturating_sub(breached) as u32,
            paused: self.paused,
            ready: true,
        }
    }

    /// The next instant at which a count changes.
    fn next_count_change(&self, now: Timestamp) -> Option<Timestamp> {
        let after = (Bound::Excluded((now, Uuid::max())), Bound::Unbounded);
        let r = self.risk.range(after).next().map(|(t, _)| *t);
        let d = self.due.range(after).next().map(|(t, _)| *t);
        match (r, d) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Which alerts are shown: those the preferences and the pause switch let through and
    /// that this process claims first (once across processes). Dropped ones are claimed too,
    /// marked not shown, so they are dropped once rather than postponed.
    async fn select(
        &mut self,
        fired: Vec<Fired>,
        now: Timestamp,
    ) -> helpdeck_store::Result<Vec<Fired>> {
        if fired.is_empty() {
            return Ok(fired);
        }
        let decided: Vec<(Fired, bool)> = fired
            .into_iter()
            .map(|f| {
                let responsible = match &f {
                    Fired::Sla(a) => self
                        .owners
                        .get(&a.ticket_id)
                        .is_some_and(|o| self.recipient.responsible_for(o)),
                    Fired::Activity(_) => true,
                };
                let shown = !self.paused && self.prefs.allows(f.kind(), responsible, now, &self.tz);
                (f, shown)
            })
            .collect();
        let claimed = self.store.sla().claim_alerts(&decided, now).await?;
        Ok(decided
            .into_iter()
            .zip(claimed)
            .filter(|((_, shown), claimed)| *shown && *claimed)
            .map(|((f, _), _)| f)
            .collect())
    }
}

/// The at-risk and due instants of a ticket's running targets, as the "Breaching soon" view
/// counts them (the same rule as the store's SLA columns).
fn instants(t: &MonitoredTicket) -> (Option<Timestamp>, Option<Timestamp>) {
    let running = t.report.targets.iter().filter(|t| {
        matches!(
            t.state,
            SlaState::Running | SlaState::AtRisk | SlaState::Breached
        )
    });
    let due = running.clone().filter_map(|t| t.due_at).min();
    let risk = running.filter_map(|t| t.at_risk_at).min();
    (risk, due)
}

async fn run(
    store: Store,
    sink: Arc<dyn Sink>,
    clock: Arc<dyn Clock>,
    mut options: MonitorOptions,
    mut rx: mpsc::UnboundedReceiver<Command>,
    counts: watch::Sender<SlaCounts>,
) -> helpdeck_store::Result<()> {
    let mut state = State::load(store).await?;
    let check_every = jiff::SignedDuration::try_from(options.external_check)
        .unwrap_or(jiff::SignedDuration::from_secs(2));
    let mut next_check = clock.now();
    let mut pending: Vec<Command> = Vec::new();
    loop {
        // Commands first (a pause or a change sent before the clock moved applies to this wake).
        while let Ok(more) = rx.try_recv() {
            pending.push(more);
        }
        for cmd in pending.drain(..) {
            match cmd {
                Command::Changed(ids) => {
                    state.refresh(&ids).await?;
                    // The writes also show up in the audit trail: read it now.
                    next_check = clock.now();
                }
                Command::Reload => {
                    if let Some(dir) = state.store.path().parent().map(|p| p.to_path_buf()) {
                        let mut store = Store::open(&dir).await?;
                        let c = clock.clone();
                        store.set_now(Arc::new(move || c.now()));
                        let paused = state.paused;
                        state = State::load(store).await?;
                        state.paused = paused;
                    }
                }
                Command::Pause(p) => state.paused = p,
                Command::Lang(l) => options.lang = l,
                Command::Prefs(p) => state.prefs = p,
            }
        }
        let now = clock.now();
        let mut fired = Vec::new();
        if now >= next_check {
            fired.extend(state.read_activity().await?);
            next_check = now.checked_add(check_every).unwrap_or(now);
        }
        fired.extend(state.monitor.poll(now).into_iter().map(Fired::Sla));
        let shown = state.select(fired, now).await?;
        for message in compose(shown, options.max_individual, options.lang, &state.tz) {
            deliver(&sink, &clock, &options, message).await;
        }
        counts.send_if_modified(|c| {
            let new = state.counts(now);
            let changed = *c != new;
            *c = new;
            changed
        });

        let wake = [
            state.monitor.next_wake(),
            state.next_count_change(now),
            Some(next_check),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(next_check);
        tokio::select! {
            () = clock.sleep_until(wake) => {}
            cmd = rx.recv() => match cmd {
                Some(cmd) => pending.push(cmd),
                None => break,
            },
        }
    }
    Ok(())
}

async fn deliver(
    sink: &Arc<dyn Sink>,
    clock: &Arc<dyn Clock>,
    options: &MonitorOptions,
    message: Message,
) {
    let due_at = message
        .alerts
        .iter()
        .map(Fired::due_moment)
        .min()
        .unwrap_or_else(|| clock.now());
    let s = sink.clone();
    let m = message.clone();
    let result = tokio::task::spawn_blocking(move || s.deliver(&m))
        .await
        .unwrap_or_else(|e| Err(format!("delivery task failed: {e}")));
    let delivered = Delivered {
        message,
        due_at,
        delivered_at: clock.now(),
        error: result.err(),
    };
    match &delivered.error {
        None => tracing::info!(
            title = %delivered.message.title,
            due_at = %delivered.due_at,
            "notification delivered"
        ),
        Some(e) => tracing::warn!(error = %e, "notification not delivered"),
    }
    if let Some(f) = &options.on_delivered {
        f(&delivered);
    }
}
