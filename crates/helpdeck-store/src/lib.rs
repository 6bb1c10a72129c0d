//! Helpdeck local store: one SQLite file per workspace (sqlx).
//!
//! The store hands out one handle per domain (`store.tickets()`, `.links()`, `.files()`,
//! `.replica()`, `.connect()`, `.sla()`, `.transfer()`, `.jobs()`, `.admin()`); each domain's module owns
//! its tables' writes, which the interactive path, pull and import share.
//!
//! Every change goes through one write path ([`Store::apply`] in `write.rs`): in a single
//! `BEGIN IMMEDIATE` transaction it updates the rows, appends the audit events, appends the
//! sync operation to the outbox and refreshes the full-text index and the denormalised SLA
//! columns. The rules themselves live in `helpdeck-core`; this crate only persists them.

mod admin;
mod alerts;
pub mod backup;
mod blobs;
mod bulk;
mod check;
mod connect;
mod db;
mod error;
mod followups;
mod hlc;
mod jobs;
mod kb;
mod links;
mod macros;
mod privacy;
mod read;
mod reports;
mod routing;
mod rows;
mod saved_views;
mod search;
mod sla;
mod sync;
mod thumbs;
mod timelog;
mod transfer;
pub mod vault;
mod views;
mod workorders;
mod workspace;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use helpdeck_core::Timestamp;
use helpdeck_core::command::Rules;
use helpdeck_core::sla::{Calendar, SlaPolicy};
use helpdeck_core::user::User;
use sqlx::SqlitePool;
use uuid::Uuid;

pub use alerts::{ActivityCursor, ActivitySince, PolicyTargetsInput, WatchedTicket};
pub use backup::{BackupKind, BackupSummary};
pub use blobs::BlobTransfer;
pub use bulk::{BulkChange, BulkOutcome, BulkPrevious, BulkRefusal, MAX_BULK};
pub use check::CheckReport;
pub use connect::{Upload, UploadSummary};
pub use error::{Result, StoreError};
pub use followups::{CallbackView, FollowUpInput, FollowUpScope, FollowUpTask, FollowUpView};
pub use kb::{ArticleHit, ArticleInput, ArticleView, KbGap, UpkeepItem};
pub use macros::MacroInput;
pub use read::{AssigneeFilter, MAX_PAGE, SlaBucket, SortOrder, TicketFilter};
pub use saved_views::{ViewEntry, ticket_filter, view_filter};
pub use search::{DOC_TICKET_SEQ, SEARCH_WINDOW, SearchHit, SearchPage};
pub use sla::SlaRow;
pub use sync::{PullApplied, Rejection, SyncState};
pub use thumbs::{THUMB_EDGE, Thumbnail, make_thumbnail};
pub use timelog::{TimeEntryView, TimeSheet, time_entry_key};
pub use transfer::{
    ExportFormat, ImportOptions, ImportSummary, Progress, parse_csv, parse_json, read_import_file,
};
pub use vault::{KeySource, StoreKey};
pub use views::{CommentView, EventView, LinkView, SlaView, TicketDetail, TicketView, UserRef};
pub use workorders::{WorkOrderInput, WorkOrderView, work_order_key};
pub use workspace::{InitOptions, ReplicaInit, WorkspaceInfo};
pub use write::{AssigneeInput, CreateInput, UpdateInput};

/// The desktop app's identifier: its data folder's name in the OS data directory.
pub const APP_ID: &str = "dev.helpdeck.desktop";

/// Where the app and the CLI keep the workspace unless told otherwise (`--data-dir`,
/// `HELPDECK_DATA_DIR`): the app's folder in the OS data directory
/// (`~/.local/share/dev.helpdeck.desktop` on Linux), so both open the same workspace.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.data_dir().join(APP_ID))
}

/// File name of the database inside a data dir.
pub const DB_FILE: &str = "helpdeck.db";

/// Where "now" comes from (tests and benchmarks pin it).
pub type NowFn = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// SLA policies with their calendars, loaded once per open.
#[derive(Clone)]
pub(crate) struct Policies {
    pub default_id: Uuid,
    pub by_id: HashMap<Uuid, (SlaPolicy, Calendar)>,
    pub by_org: HashMap<Uuid, Uuid>,
}

impl Policies {
    pub fn for_org(&self, org: Option<Uuid>) -> &(SlaPolicy, Calendar) {
        let id = org
            .and_then(|o| self.by_org.get(&o))
            .unwrap_or(&self.default_id);
        self.by_id
            .get(id)
            .or_else(|| self.by_id.get(&self.default_id))
            .expect("default policy is loaded")
    }
}

/// The workspace rules an admin changes: SLA targets, calendar, categories (`admin.rs`).
pub struct Admin<'a>(&'a Store);
/// Tickets and their conversation: create, change, reply, note, resolve, read, list,
/// search (`write.rs`, `read.rs`, `search.rs`).
pub struct Tickets<'a>(&'a Store);
/// Links between tickets (`links.rs`).
pub struct Links<'a>(&'a Store);
/// Attachment files on this device: the blob store, transfers, thumbnails (`blobs.rs`,
/// `thumbs.rs`).
pub struct Files<'a>(&'a Store);
/// This device as a replica of a server: sync state, the outbox, pulled pages (`sync.rs`).
pub struct Replica<'a>(&'a Store);
/// Uploading a local workspace to a server (`connect.rs`).
pub struct Connect<'a>(&'a Store);
/// SLA policy, reports, the monitor's reads and notification preferences (`alerts.rs`,
/// `sla.rs`).
pub struct Sla<'a>(&'a Store);
/// Bulk import, export and demo data (`transfer.rs`).
pub struct Transfer<'a>(&'a Store);
/// Due jobs of a local workspace (`jobs.rs`).
pub struct Jobs<'a>(&'a Store);
/// The knowledge base: articles, their search and suggestions (`kb.rs`).
pub struct Kb<'a>(&'a Store);
/// Satisfaction follow-ups: the agents' callbacks (`followups.rs`).
pub struct FollowUps<'a>(&'a Store);
/// Macros: canned replies with field changes (`macros.rs`).
pub struct Macros<'a>(&'a Store);

/// Work orders on this device: `store.work_orders()`.
pub struct WorkOrders<'a>(&'a Store);
/// Service reports and the dashboard: `store.reports()` (`reports.rs`).
pub struct Reports<'a>(&'a Store);
/// Time logged on tickets and the billing totals: `store.time_entries()` (`timelog.rs`).
pub struct TimeEntries<'a>(&'a Store);
/// Saved views: personal ones here, shared ones from the workspace rules (`saved_views.rs`).
pub struct SavedViews<'a>(&'a Store);

/// An open workspace.
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    /// Swapped whole when the workspace rules change (time zone, categories, windows).
    ws: std::sync::RwLock<Arc<WorkspaceInfo>>,
    actor: User,
    rules: Rules,
    /// Swapped whole when a pull brings the server's new policy.
    policies: std::sync::RwLock<Arc<Policies>>,
    clock: hlc::Clock,
    now: NowFn,
    /// The workspace's key: the database is opened with it, files beside it are sealed.
    key: vault::StoreKey,
    /// Checkpoints the write-ahead log after large writes, off their path; started by the
    /// first of them ([`db::BulkWrite`]).
    checkpoints: tokio::sync::OnceCell<helpdeck_sqlite::Checkpointer>,
}

impl Store {
    /// The workspace rules an admin changes.
    pub fn admin(&self) -> Admin<'_> {
        Admin(self)
    }

    /// Tickets and their conversation.
    pub fn tickets(&self) -> Tickets<'_> {
        Tickets(self)
    }
    /// Links between tickets.
    pub fn links(&self) -> Links<'_> {
        Links(self)
    }
    /// Attachment files on this device.
    pub fn files(&self) -> Files<'_> {
        Files(self)
    }
    /// This device as a replica of a server.
    pub fn replica(&self) -> Replica<'_> {
        Replica(self)
    }
    /// Uploading this local workspace to a server.
    pub fn connect(&self) -> Connect<'_> {
        Connect(self)
    }
    /// SLA policy, reports and notification preferences.
    pub fn sla(&self) -> Sla<'_> {
        Sla(self)
    }
    /// Bulk import, export and demo data.
    pub fn transfer(&self) -> Transfer<'_> {
        Transfer(self)
    }
    /// Due jobs of a local workspace.
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs(self)
    }

    pub fn saved_views(&self) -> SavedViews<'_> {
        SavedViews(self)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The workspace's settings.
    pub fn workspace(&self) -> Arc<WorkspaceInfo> {
        self.ws.read().expect("workspace lock").clone()
    }

    /// Keeps the in-memory workspace settings in step with rules just stored.
    pub(crate) fn remember_rules(&self, rules: &helpdeck_core::sync::WorkspaceRules) {
        let mut ws = (*self.workspace()).clone();
        ws.categories = rules.categories.clone();
        ws.reopen_window_days = rules.reopen_window_days;
        ws.auto_close_days = rules.auto_close_days;
        if let Some(sla) = &rules.sla {
            ws.timezone = sla.calendar.timezone.clone();
        }
        *self.ws.write().expect("workspace lock") = Arc::new(ws);
    }

    /// The user on whose behalf this store acts.
    pub fn actor(&self) -> &User {
        &self.actor
    }

    /// The pool, for benchmarks and tests that measure raw SQLite beside the store.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Pins "now" (tests, benchmarks, deterministic demo data).
    pub fn set_now(&mut self, now: NowFn) {
        self.now = now;
    }

    pub(crate) fn policies(&self) -> Arc<Policies> {
        self.policies.read().expect("policies lock").clone()
    }

    pub(crate) fn set_policies(&self, p: Policies) {
        *self.policies.write().expect("policies lock") = Arc::new(p);
    }

    pub(crate) fn now(&self) -> Timestamp {
        (self.now)()
    }

    /// Closes the pool cleanly (checkpoints the WAL).
    pub async fn shutdown(self) {
        self.pool.close().await;
    }
}

impl Drop for Store {
    /// A store dropped without [`Store::shutdown`] closes its connections before its owner
    /// goes on: SQLCipher frees its shared state when the process exits, and a connection
    /// still closing on its own thread at that moment crashed the process on its way out.
    ///
    /// The close runs on a thread of its own with a runtime of its own, bounded by 10 s: a
    /// store is also dropped while its runtime shuts down (a task cancelled at exit), when that
    /// runtime's timers and tasks no longer run — awaiting the close there hung `helpdeck
    /// watch --once` once in a few hundred runs. On a multi-threaded runtime the worker's other
    /// tasks move to another thread meanwhile (`block_in_place`); on a current-thread runtime
    /// the close is only started, and the owner should call [`Store::shutdown`] (or leave it
    /// to the exit handler of `helpdeck_sqlite`, which waits for closes still under way).
    fn drop(&mut self) {
        if self.pool.is_closed() {
            return;
        }
        let pool = self.pool.clone();
        let close = move || {
            let closer = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(async {
                        let _ =
                            tokio::time::timeout(std::time::Duration::from_secs(10), pool.close())
                                .await;
                    });
                }
            });
            let _ = closer.join();
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(close);
            }
            Ok(h) => {
                let pool = self.pool.clone();
                h.spawn(async move { pool.close().await });
            }
            Err(_) => close(),
        }
    }
}
