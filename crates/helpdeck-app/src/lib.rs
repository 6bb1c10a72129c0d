//! The desktop app's service layer. Each method is what one Tauri command does; the shell
//! only forwards. Keeping it free of Tauri makes it testable headless and keeps the
//! generated TypeScript bindings in one place.

mod error;
mod monitor;
mod settings;
mod sync;

use helpdeck_core::sync::WorkspaceRules;
use helpdeck_core::workspace::RulesChange;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use helpdeck_core::kb::{ArticleFields, ArticleStatus};
use helpdeck_core::record::Visibility;
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Csat, Kind, Priority, Resolution, Tier};
use helpdeck_store::{
    ArticleHit, ArticleInput, ArticleView, AssigneeFilter, AssigneeInput, CreateInput,
    FollowUpInput, FollowUpScope, FollowUpTask, InitOptions, KbGap, SearchPage, SlaBucket, Store,
    TicketDetail, TicketFilter, TicketView, TimeSheet, UpdateInput, UpkeepItem, UserRef,
    WorkOrderView, WorkspaceInfo,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use tracing::instrument;
use ts_rs::TS;

pub use error::{ApiError, ErrorCode};
pub use monitor::MonitorCounts;
pub use settings::{LanguageChoice, Settings, ThemeChoice, TimeZoneChoice};
pub use sync::{
    AppEvent, ConnectPreview, ConnectResult, PresenceView, SignInInput, SyncPhaseView, SyncView,
};

/// Result of every command.
pub type ApiResult<T> = Result<T, ApiError>;

/// What the UI needs to start.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    /// `None` until the first-run form created one.
    pub workspace: Option<WorkspaceInfo>,
    pub me: Option<UserRef>,
    /// The signed-in user's role (`admin`, `agent` or `customer`).
    pub role: Option<String>,
    /// A customer who sees all of the organization's tickets (the customers' app offers
    /// "My organization").
    pub org_admin: bool,
    pub settings: Settings,
    /// The language to show: the settings' choice, else the workspace's, else the OS
    /// locale's (`en` or `zh`).
    pub language: String,
    /// Sync with a server; `None` for a local workspace.
    pub sync: Option<SyncView>,
    /// Agents and admins: away or available for assignment rules (as set from this device
    /// on a replica).
    pub availability: Option<helpdeck_core::routing::Availability>,
    /// The workspace in the data dir cannot be opened here (its key is not in this
    /// computer's keyring, no keyring is running, or the file is not this workspace's): why,
    /// and how to get it back. The app shows this instead of the first-run form.
    pub locked: Option<String>,
}

/// The first-run form.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct WorkspaceInput {
    pub name: String,
    pub timezone: String,
    /// `en` or `zh`.
    pub language: String,
    pub owner_name: String,
    pub owner_email: String,
    /// Load this many demo tickets (none when null).
    pub demo_tickets: Option<u32>,
}

/// Ticket counts of the sidebar views.
#[derive(Debug, Clone, Copy, Default, Serialize, TS)]
pub struct QueueCounts {
    #[ts(type = "number")]
    pub mine: i64,
    #[ts(type = "number")]
    pub unassigned: i64,
    /// Open tickets without an accountable owner (no agent, no team queue): a problem.
    #[ts(type = "number")]
    pub unowned: i64,
    /// At risk or breached (the CLI's `--breaching`; the tray's total).
    #[ts(type = "number")]
    pub breaching: i64,
    /// Past a due time now.
    #[ts(type = "number")]
    pub breached: i64,
    /// At risk, not breached yet.
    #[ts(type = "number")]
    pub at_risk: i64,
    #[ts(type = "number")]
    pub pending_customer: i64,
    #[ts(type = "number")]
    pub all_open: i64,
    #[ts(type = "number")]
    pub resolved: i64,
    /// Open complaints (spec: they go to the supervisor's queue).
    #[ts(type = "number")]
    pub complaints: i64,
    /// Follow-up calls waiting for me or for anyone (staff; 0 for customers).
    #[ts(type = "number")]
    pub followups: i64,
    /// Published knowledge articles.
    #[ts(type = "number")]
    pub kb_published: i64,
    /// My open visits up to tonight (the Today view; staff).
    #[ts(type = "number")]
    pub today: i64,
}

/// One page of a queue and the queue's size.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TicketPage {
    #[ts(type = "number")]
    pub total: i64,
    pub tickets: Vec<TicketView>,
}

/// A file put into the workspace's blob store, ready to go on a reply or a note.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AttachmentUpload {
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    #[ts(type = "number")]
    pub size: u64,
}

/// The new-visit form.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct WorkOrderCreate {
    /// The ticket: HD-12 or its id.
    pub ticket: String,
    /// An agent's email, or `me`.
    pub technician: Option<String>,
    #[ts(type = "string")]
    pub starts_at: helpdeck_core::Timestamp,
    #[ts(type = "string")]
    pub ends_at: helpdeck_core::Timestamp,
    pub site: String,
    pub contact: Option<String>,
    /// Checklist items as typed: `Text`, `Text [photo]`, `Text [reading:V]`.
    pub items: Vec<String>,
}

/// A file imported with `attachment_import`, as the store attaches it (still there?).
fn new_file(
    s: &Store,
    f: AttachmentUpload,
) -> Result<helpdeck_core::command::NewFile, helpdeck_store::StoreError> {
    if !s.files().has_blob(&f.sha256) {
        return Err(helpdeck_core::DomainError::invalid(
            "attach",
            format!(
                "{} is not in this workspace any more; attach it again",
                f.name
            ),
        )
        .into());
    }
    Ok(helpdeck_core::command::NewFile {
        id: helpdeck_core::new_id(),
        sha256: f.sha256,
        name: f.name,
        media_type: f.media_type,
        size: f.size,
    })
}

/// The create-ticket form.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct CreateTicketInput {
    pub title: String,
    pub body: String,
    pub priority: Option<Priority>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    /// Requester email.
    pub requester: Option<String>,
    /// Agent email, `me` or `none`.
    pub assignee: Option<String>,
    pub tier: Option<Tier>,
}

/// A partial ticket update from the ticket view.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct UpdateTicketInput {
    pub status: Option<Status>,
    /// Reason when closing a new or open ticket.
    pub reason: Option<String>,
    pub priority: Option<Priority>,
    /// Agent email, `me` or `none`.
    pub assignee: Option<String>,
    pub tier: Option<Tier>,
    pub title: Option<String>,
    pub category: Option<String>,
    pub kind: Option<Kind>,
    /// The description (Markdown).
    pub description: Option<String>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
    /// Where the work is; "" clears it.
    pub site: Option<String>,
    /// The requester's email; "" for none.
    pub requester: Option<String>,
}

fn assignee(s: Option<&str>) -> Option<AssigneeInput> {
    s.map(|v| v.parse::<AssigneeInput>().unwrap_or(AssigneeInput::Nobody))
}

/// The app: a data dir, its workspace (once created), settings and the SLA monitor.
pub struct App {
    data_dir: PathBuf,
    store: RwLock<Option<Arc<Store>>>,
    settings: RwLock<Settings>,
    sync: sync::SyncSlot,
    /// Shared with the sync loop's forwarder, which tells the monitor about pulled changes.
    monitor: Arc<monitor::MonitorSlot>,
    /// Why the workspace could not be unlocked, if so (see [`AppInfo::locked`]).
    locked: Option<String>,
    /// Where the workspace's key is kept: the OS keyring (tests give one).
    keys: helpdeck_store::KeySource,
}

impl App {
    /// Opens the data dir; a missing workspace is fine (first run), and so is one that
    /// cannot be unlocked here (the app says why and how to recover).
    pub async fn open(data_dir: &Path) -> ApiResult<App> {
        App::open_from(data_dir, helpdeck_store::KeySource::OsKeyring).await
    }

    /// Before the process exits: closes the workspace's connections, waiting (at most 5 s)
    /// for a query under way to finish. SQLCipher frees its state as the process exits, and a
    /// connection still working on its own thread then crashed the app on its way out (the
    /// start-up benchmark quit right after its first paint while the SLA monitor read 100k
    /// open tickets; a user can quit at such a moment too). `helpdeck_sqlite`'s exit handler
    /// is the backstop for connections closed any other way.
    pub async fn close_for_exit(&self) {
        let store = self.store.read().await.clone();
        if let Some(store) = store
            && tokio::time::timeout(std::time::Duration::from_secs(5), store.pool().close())
                .await
                .is_err()
        {
            tracing::warn!("the workspace's connections did not close within 5 s of quitting");
        }
    }

    /// [`App::open`] with the workspace key from `keys`.
    pub async fn open_from(data_dir: &Path, keys: helpdeck_store::KeySource) -> ApiResult<App> {
        use helpdeck_store::StoreError;
        let mut locked = None;
        let store = match Store::open_from(data_dir, &keys).await {
            Ok(s) => Some(s),
            Err(StoreError::NoWorkspace(_)) => None,
            Err(
                e @ (StoreError::KeyMissing(_) | StoreError::WrongKey(_) | StoreError::Keyring(_)),
            ) => {
                tracing::error!(error = %e, "the workspace cannot be unlocked");
                locked = Some(e.to_string());
                None
            }
            Err(e) => return Err(e.into()),
        };
        let app = App {
            data_dir: data_dir.to_path_buf(),
            store: RwLock::new(store.map(Arc::new)),
            settings: RwLock::new(Settings::load(data_dir)),
            sync: sync::SyncSlot::default(),
            monitor: Arc::default(),
            locked,
            keys,
        };
        app.start_sync().await;
        Ok(app)
    }

    /// Where the workspace lives.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    async fn with_store<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: AsyncFnOnce(&Store) -> Result<T, helpdeck_store::StoreError>,
    {
        let guard = self.store.read().await;
        let store = guard.as_ref().ok_or_else(|| {
            ApiError::new(ErrorCode::NoWorkspace, "no workspace yet: create one first")
        })?;
        Ok(f(store).await?)
    }

    /// The open workspace (for work done outside its lock, such as file I/O).
    async fn store(&self) -> ApiResult<Arc<Store>> {
        self.store.read().await.clone().ok_or_else(|| {
            ApiError::new(ErrorCode::NoWorkspace, "no workspace yet: create one first")
        })
    }

    /// [`App::with_store`] for a change: on success the sync loop is woken to push it.
    async fn with_store_write<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: AsyncFnOnce(&Store) -> Result<T, helpdeck_store::StoreError>,
    {
        let out = self.with_store(f).await;
        if out.is_ok() {
            self.wake_sync();
        }
        out
    }

    /// The language of the UI, the tray and notifications (see [`monitor::lang`]).
    pub async fn ui_lang(&self) -> helpdeck_core::notify::Lang {
        let workspace = self
            .store
            .read()
            .await
            .as_ref()
            .map(|s| s.workspace().language.clone());
        monitor::lang(self.settings.read().await.language, workspace.as_deref())
    }

    /// Version, workspace, current user and settings.
    #[instrument(skip_all, err)]
    pub async fn info(&self) -> ApiResult<AppInfo> {
        let guard = self.store.read().await;
        let org_admin = guard.as_ref().is_some_and(|s| s.actor().org_admin);
        let availability = match guard.as_ref() {
            Some(s) if s.actor().is_staff() => {
                Some(s.admin().my_availability().await.map_err(ApiError::from)?)
            }
            _ => None,
        };
        let workspace_missing = guard.is_none();
        let (workspace, me, role) = match guard.as_ref() {
            Some(s) => {
                let a = s.actor();
                (
                    Some((*s.workspace()).clone()),
                    Some(UserRef {
                        id: a.id,
                        email: a.email.clone(),
                        name: a.name.clone(),
                    }),
                    Some(a.role.to_string()),
                )
            }
            None => (None, None, None),
        };
        drop(guard);
        let language = self.ui_lang().await.code().to_string();
        Ok(AppInfo {
            language,
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.data_dir.display().to_string(),
            workspace,
            me,
            role,
            org_admin,
            settings: self.settings.read().await.clone(),
            sync: self.sync_status().await,
            availability,
            locked: if workspace_missing {
                self.locked.clone()
            } else {
                None
            },
        })
    }

    /// The signed-in agent sets their own availability (away, optionally until a time, or
    /// available): assignment rules pass over an away agent. Decided where the people live.
    #[instrument(skip_all, err)]
    pub async fn set_my_availability(
        &self,
        availability: helpdeck_core::routing::Availability,
    ) -> ApiResult<helpdeck_core::routing::Availability> {
        let store = self.store().await?;
        let patch = helpdeck_core::people::PersonPatch {
            email: store.actor().email.clone(),
            availability: Some(availability),
            ..Default::default()
        };
        let view = helpdeck_sync::rules::update_person(&store, &patch)
            .await
            .map_err(sync::rules_error)?;
        if !store.admin().is_local() {
            store
                .admin()
                .keep_my_availability(view.availability)
                .await
                .map_err(ApiError::from)?;
        }
        Ok(view.availability)
    }

    /// First run: creates the local workspace, optionally with demo data.
    #[instrument(skip_all, err)]
    pub async fn create_workspace(&self, input: WorkspaceInput) -> ApiResult<AppInfo> {
        {
            let mut guard = self.store.write().await;
            if guard.is_some() {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "a workspace already exists",
                ));
            }
            let store = Store::init_from(
                &self.data_dir,
                InitOptions {
                    name: input.name,
                    timezone: input.timezone,
                    language: input.language.clone(),
                    owner_name: input.owner_name,
                    owner_email: input.owner_email,
                },
                &self.keys,
            )
            .await?;
            if let Some(n) = input.demo_tickets.filter(|n| *n > 0) {
                store.transfer().demo(n as usize, 42).await?;
            }
            *guard = Some(Arc::new(store));
        }
        // The UI follows the workspace's language (the settings' default) from here on.
        if let Some(m) = self.monitor.handle() {
            m.set_lang(self.ui_lang().await);
        }
        self.start_configured_monitor().await?;
        self.info().await
    }

    /// Has the user been told that closing the window keeps the app running?
    pub async fn close_notice_seen(&self) -> bool {
        self.settings.read().await.close_notice_seen
    }

    /// Remembers that the user has been told.
    pub async fn set_close_notice_seen(&self) {
        let mut s = self.settings.read().await.clone();
        s.close_notice_seen = true;
        if let Err(e) = self.update_settings(s).await {
            tracing::warn!(error = %e.message, "could not remember the close notice");
        }
    }

    /// Saves settings.
    #[instrument(skip_all, err)]
    pub async fn update_settings(&self, settings: Settings) -> ApiResult<Settings> {
        settings.save(&self.data_dir).map_err(|e| {
            tracing::error!(error = %e, "cannot save settings");
            ApiError::new(ErrorCode::Internal, "cannot save settings")
        })?;
        *self.settings.write().await = settings.clone();
        if let Some(m) = self.monitor.handle() {
            m.set_lang(self.ui_lang().await);
        }
        Ok(settings)
    }

    /// Sizes of the sidebar views.
    #[instrument(skip_all, err)]
    pub async fn queue_counts(&self) -> ApiResult<QueueCounts> {
        let tonight = self.tonight().await;
        self.with_store(async |s| {
            let count = |f: TicketFilter| async move { s.tickets().count_tickets(&f).await };
            Ok(QueueCounts {
                mine: count(TicketFilter {
                    assignee: AssigneeFilter::Me,
                    ..TicketFilter::default()
                })
                .await?,
                unassigned: count(TicketFilter {
                    assignee: AssigneeFilter::Nobody,
                    ..TicketFilter::default()
                })
                .await?,
                unowned: count(TicketFilter {
                    assignee: AssigneeFilter::Unowned,
                    ..TicketFilter::default()
                })
                .await?,
                breaching: count(TicketFilter {
                    breaching: true,
                    ..TicketFilter::default()
                })
                .await?,
                breached: count(TicketFilter {
                    sla_bucket: Some(SlaBucket::Breached),
                    ..TicketFilter::default()
                })
                .await?,
                at_risk: count(TicketFilter {
                    sla_bucket: Some(SlaBucket::AtRisk),
                    ..TicketFilter::default()
                })
                .await?,
                pending_customer: count(TicketFilter {
                    statuses: vec![Status::PendingCustomer],
                    ..TicketFilter::default()
                })
                .await?,
                all_open: count(TicketFilter::default()).await?,
                resolved: count(TicketFilter {
                    statuses: vec![Status::Resolved, Status::Closed],
                    ..TicketFilter::default()
                })
                .await?,
                complaints: count(TicketFilter {
                    kind: Some(helpdeck_core::ticket::Kind::Complaint),
                    ..TicketFilter::default()
                })
                .await?,
                followups: if s.actor().is_staff() {
                    s.followups().list(FollowUpScope::Mine).await?.len() as i64
                } else {
                    0
                },
                kb_published: s.kb().count(ArticleStatus::Published).await?,
                today: if s.actor().is_staff() {
                    s.work_orders().today_count(s.actor().id, tonight).await?
                } else {
                    0
                },
            })
        })
        .await
    }

    /// A page of a queue.
    #[instrument(skip_all, err)]
    pub async fn tickets(&self, filter: TicketFilter) -> ApiResult<TicketPage> {
        self.with_store(async |s| {
            Ok(TicketPage {
                total: s.tickets().count_tickets(&filter).await?,
                tickets: s.tickets().list_tickets(&filter).await?,
            })
        })
        .await
    }

    /// One ticket in full.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn ticket(&self, reference: String) -> ApiResult<TicketDetail> {
        self.with_store(async |s| s.tickets().ticket(&reference).await)
            .await
    }

    /// Creates a ticket.
    #[instrument(skip_all, err)]
    pub async fn create_ticket(&self, input: CreateTicketInput) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s
                .tickets()
                .create_ticket(CreateInput {
                    title: input.title,
                    body: input.body,
                    priority: input.priority,
                    kind: input.kind,
                    category: input.category.filter(|c| !c.is_empty()),
                    channel: None,
                    requester: input.requester.filter(|r| !r.trim().is_empty()),
                    assignee: assignee(input.assignee.as_deref()),
                    tier: input.tier,
                    tags: Vec::new(),
                    site: None,
                    attachments: Vec::new(),
                })
                .await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Changes fields or status.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn update_ticket(
        &self,
        reference: String,
        input: UpdateTicketInput,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s
                .tickets()
                .update_ticket(
                    &reference,
                    UpdateInput {
                        tags: input.tags,
                        site: input.site,
                        requester: input.requester,
                        title: input.title,
                        body: input.description,
                        priority: input.priority,
                        kind: input.kind,
                        category: input.category,
                        assignee: assignee(input.assignee.as_deref()),
                        tier: input.tier,
                        status: input.status,
                        reason: input.reason,
                    },
                )
                .await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Public reply.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn reply(&self, reference: String, body: String) -> ApiResult<TicketDetail> {
        self.comment(reference, body, Visibility::Public, Vec::new(), None)
            .await
    }

    /// Internal note.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn note(&self, reference: String, body: String) -> ApiResult<TicketDetail> {
        self.comment(reference, body, Visibility::Internal, Vec::new(), None)
            .await
    }

    /// A reply or note with files already imported ([`App::import_attachment`]), and the
    /// minutes spent on it (agents; logged in the same transaction).
    #[instrument(skip_all, fields(ticket = %reference, files = files.len()), err)]
    pub async fn comment(
        &self,
        reference: String,
        body: String,
        visibility: Visibility,
        files: Vec<AttachmentUpload>,
        minutes: Option<u32>,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let new = files
                .into_iter()
                .map(|f| new_file(s, f))
                .collect::<Result<Vec<_>, _>>()?;
            let t = match minutes {
                Some(m) => {
                    s.time_entries()
                        .comment(&reference, &body, visibility, &new, m)
                        .await?
                }
                None => {
                    s.tickets()
                        .comment(&reference, &body, visibility, &new)
                        .await?
                }
            };
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Puts a file (picked, dropped or pasted) into the workspace's blob store.
    #[instrument(skip_all, fields(bytes = bytes.len()), err)]
    pub async fn import_attachment(
        &self,
        name: String,
        bytes: Vec<u8>,
    ) -> ApiResult<AttachmentUpload> {
        let limit = helpdeck_core::attachment::DEFAULT_MAX_BYTES;
        if bytes.len() as u64 > limit {
            return Err(helpdeck_core::DomainError::invalid(
                "attach",
                format!(
                    "{name} is {:.1} MiB (at most {} MiB per file)",
                    bytes.len() as f64 / 1_048_576.0,
                    limit / 1_048_576
                ),
            )
            .into());
        }
        if bytes.is_empty() {
            return Err(
                helpdeck_core::DomainError::invalid("attach", format!("{name} is empty")).into(),
            );
        }
        let store = self.store().await?;
        let name = if name.trim().is_empty() {
            "file".to_string()
        } else {
            name
        };
        let f = tokio::task::spawn_blocking(move || store.files().import_bytes(&name, &bytes))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
        Ok(AttachmentUpload {
            sha256: f.sha256,
            name: f.name,
            media_type: f.media_type,
            size: f.size,
        })
    }

    /// The bytes of a file on this device (for previews).
    #[instrument(skip_all, err)]
    pub async fn attachment_bytes(&self, sha256: String) -> ApiResult<Vec<u8>> {
        let store = self.store().await?;
        let sha = helpdeck_core::attachment::validate_sha256(&sha256)?;
        let bytes = tokio::task::spawn_blocking(move || store.files().read_blob(&sha))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
        Ok(bytes)
    }

    /// The thumbnail of an image on this device (made the first time, then kept); an empty
    /// answer means the file is not an image with a thumbnail (show its name instead).
    pub async fn attachment_thumbnail(&self, sha256: String) -> ApiResult<Vec<u8>> {
        let store = self.store().await?;
        let thumb = tokio::task::spawn_blocking(move || store.files().thumbnail(&sha256))
            .await
            .map_err(|e| {
                ApiError::new(ErrorCode::Internal, format!("thumbnail task failed: {e}"))
            })??;
        Ok(thumb.map(|t| t.bytes).unwrap_or_default())
    }

    /// Resolve with the service report.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn resolve(
        &self,
        reference: String,
        resolution: Resolution,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.tickets().resolve(&reference, resolution).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Reopen.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn reopen(&self, reference: String) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.tickets().reopen(&reference).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Link this ticket to another (`kind`: related, duplicate_of, parent_of).
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn link(
        &self,
        reference: String,
        to: String,
        kind: String,
    ) -> ApiResult<TicketDetail> {
        let kind: helpdeck_core::op::LinkKind = kind.parse()?;
        self.with_store_write(async |s| {
            let t = s.links().link(&reference, &to, kind).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Remove the link between this ticket and another.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn unlink(&self, reference: String, to: String) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.links().unlink(&reference, &to).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Close (a reason from new/open).
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn close(
        &self,
        reference: String,
        reason: Option<String>,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.tickets().close(&reference, reason).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Record a rating.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn rate(&self, reference: String, csat: Csat) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.tickets().rate(&reference, csat).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Tickets that may be duplicates of this one (same requester, last 7 days, similar title).
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn ticket_duplicates(&self, reference: String) -> ApiResult<Vec<TicketView>> {
        self.with_store(async |s| s.tickets().duplicate_candidates(&reference).await)
            .await
    }

    /// Merge this ticket into `into` (it closes as a duplicate); returns the ticket kept.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn ticket_merge(&self, reference: String, into: String) -> ApiResult<TicketDetail> {
        let (dup, kept) = self
            .with_store_write(async |s| {
                let dup = s.links().merge(&reference, &into).await?;
                Ok((dup.id, s.tickets().ticket(&into).await?))
            })
            .await?;
        self.monitor.changed(dup);
        self.monitor.changed(kept.ticket.id);
        Ok(kept)
    }

    /// One change to many tickets (the queue's bulk actions).
    #[instrument(skip_all, fields(tickets = numbers.len()), err)]
    pub async fn tickets_bulk_update(
        &self,
        numbers: Vec<String>,
        change: helpdeck_store::BulkChange,
    ) -> ApiResult<helpdeck_store::BulkOutcome> {
        let out = self
            .with_store_write(async |s| s.tickets().bulk_update(&numbers, change).await)
            .await?;
        self.monitor.resync();
        Ok(out)
    }

    /// Puts back what a bulk change changed.
    #[instrument(skip_all, fields(tickets = previous.len()), err)]
    pub async fn tickets_bulk_undo(
        &self,
        previous: Vec<helpdeck_store::BulkPrevious>,
    ) -> ApiResult<helpdeck_store::BulkOutcome> {
        let out = self
            .with_store_write(async |s| s.tickets().bulk_undo(&previous).await)
            .await?;
        self.monitor.resync();
        Ok(out)
    }

    /// Saved views (personal, then shared) with their counts now, for the sidebar.
    #[instrument(skip_all, err)]
    pub async fn views_list(&self) -> ApiResult<Vec<helpdeck_store::ViewEntry>> {
        self.with_store(async |s| s.saved_views().list().await)
            .await
    }

    /// Saves the queue on screen as a view: this device's own, or shared (admins; with one
    /// team or everyone) through the workspace rules.
    #[instrument(skip_all, err)]
    pub async fn view_save(
        &self,
        name: String,
        filter: helpdeck_store::TicketFilter,
        shared: bool,
        team: Option<String>,
    ) -> ApiResult<Vec<helpdeck_store::ViewEntry>> {
        let view = helpdeck_core::views::SavedView {
            id: uuid::Uuid::now_v7(),
            name,
            team: team.filter(|t| !t.trim().is_empty()),
            filter: helpdeck_store::view_filter(&filter),
        };
        if shared || view.team.is_some() {
            self.change_workspace_rules(RulesChange::SaveView { view })
                .await?;
        } else {
            self.with_store_write(async |s| s.saved_views().save_personal(view).await)
                .await?;
        }
        self.views_list().await
    }

    /// Deletes a view (this device's; a shared one: admins).
    #[instrument(skip_all, err)]
    pub async fn view_delete(&self, name: String) -> ApiResult<Vec<helpdeck_store::ViewEntry>> {
        let mine = self
            .with_store_write(async |s| s.saved_views().delete_personal(&name).await)
            .await?;
        if !mine {
            self.change_workspace_rules(RulesChange::DeleteView { name })
                .await?;
        }
        self.views_list().await
    }

    /// The macros this user may apply, by name.
    #[instrument(skip_all, err)]
    pub async fn macro_list(&self) -> ApiResult<Vec<helpdeck_core::macros::Macro>> {
        self.with_store(async |s| s.macros().list().await).await
    }

    /// A new macro (shared unless personal).
    #[instrument(skip_all, err)]
    pub async fn macro_add(
        &self,
        input: helpdeck_store::MacroInput,
    ) -> ApiResult<helpdeck_core::macros::Macro> {
        self.with_store_write(async |s| s.macros().add(input).await)
            .await
    }

    /// Deletes a macro.
    #[instrument(skip_all, err)]
    pub async fn macro_delete(&self, id: String) -> ApiResult<()> {
        self.with_store_write(async |s| s.macros().delete(&id).await)
            .await
    }

    /// Applies a macro to the ticket: its reply and field changes, at once.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn ticket_apply_macro(
        &self,
        reference: String,
        id: String,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.macros().apply(&reference, &id).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// The end of today where the user reads times (the workspace's zone, or this
    /// computer's for a technician who chose it).
    async fn tonight(&self) -> helpdeck_core::Timestamp {
        let device = self.settings.read().await.time_zone == TimeZoneChoice::Device;
        let workspace = self
            .with_store(async |s| Ok(s.workspace().timezone.clone()))
            .await
            .ok();
        let tz = match (device, workspace) {
            (false, Some(name)) => {
                jiff::tz::TimeZone::get(&name).unwrap_or(jiff::tz::TimeZone::UTC)
            }
            _ => jiff::tz::TimeZone::system(),
        };
        helpdeck_core::workorder::tonight(helpdeck_core::Timestamp::now(), &tz)
    }

    /// My visits up to tonight, earliest first, with what each still misses.
    #[instrument(skip_all, err)]
    pub async fn workorder_today(&self) -> ApiResult<Vec<WorkOrderView>> {
        let tonight = self.tonight().await;
        self.with_store(async |s| s.work_orders().today(s.actor().id, tonight).await)
            .await
    }

    /// A ticket's work orders.
    #[instrument(skip_all, err)]
    pub async fn workorder_list(&self, ticket: String) -> ApiResult<Vec<WorkOrderView>> {
        self.with_store(async |s| s.work_orders().list(Some(&ticket)).await)
            .await
    }

    /// One work order.
    #[instrument(skip_all, err)]
    pub async fn workorder_get(&self, reference: String) -> ApiResult<WorkOrderView> {
        self.with_store(async |s| s.work_orders().view(&reference).await)
            .await
    }

    /// A new visit on a ticket.
    #[instrument(skip_all, err)]
    pub async fn workorder_create(&self, input: WorkOrderCreate) -> ApiResult<WorkOrderView> {
        let checklist = input
            .items
            .iter()
            .filter(|i| !i.trim().is_empty())
            .map(|i| helpdeck_core::workorder::TemplateItem::parse(i))
            .collect::<Result<Vec<_>, _>>()?;
        self.with_store_write(async |s| {
            let w = s
                .work_orders()
                .create(helpdeck_store::WorkOrderInput {
                    ticket: input.ticket,
                    technician: input.technician,
                    starts_at: input.starts_at,
                    ends_at: input.ends_at,
                    site: input.site,
                    contact: input.contact,
                    checklist,
                })
                .await?;
            s.work_orders().view(&w.id.to_string()).await
        })
        .await
    }

    /// Ticks or unticks checklist item `item` (1-based), with its reading.
    #[instrument(skip_all, err)]
    pub async fn workorder_check(
        &self,
        reference: String,
        item: usize,
        done: bool,
        reading: Option<String>,
    ) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| {
            s.work_orders()
                .check(&reference, item, done, reading)
                .await?;
            s.work_orders().view(&reference).await
        })
        .await
    }

    /// A photo for a checklist item (imported first with `attachment_import`).
    #[instrument(skip_all, err)]
    pub async fn workorder_photo(
        &self,
        reference: String,
        item: usize,
        file: AttachmentUpload,
        public: bool,
    ) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| {
            let f = new_file(s, file)?;
            let orders = s.work_orders();
            orders.photo(&reference, item, f, public).await?;
            orders.view(&reference).await
        })
        .await
    }

    /// A part used.
    #[instrument(skip_all, err)]
    pub async fn workorder_part(
        &self,
        reference: String,
        part: helpdeck_core::workorder::Part,
        quantity: u32,
    ) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| {
            s.work_orders()
                .use_part(&reference, &part, quantity)
                .await?;
            s.work_orders().view(&reference).await
        })
        .await
    }

    /// The reports dashboard of `[since, until)` (ISO times, the UI's whole days) beside the
    /// previous period, narrowed by `filter`, with a breakdown `by` one dimension.
    #[instrument(skip_all, err)]
    pub async fn report_dashboard(
        &self,
        since: String,
        until: String,
        filter: helpdeck_core::report::ReportFilter,
        by: helpdeck_core::report::ReportGroup,
    ) -> ApiResult<helpdeck_core::report::Dashboard> {
        let period = report_period(&since, &until)?;
        self.with_store(async |s| s.reports().dashboard(period, &filter, by).await)
            .await
    }

    /// The dashboard as a file in the export folder ([`export_dir`]): one table behind its
    /// charts as CSV (`table`: one of `helpdeck_report::dashboard::TABLES`), or with no table
    /// the printable service report as one HTML page in `lang` (`zh` or `en`). The same
    /// files as `helpdeck report --format csv|html`.
    #[instrument(skip_all, err)]
    pub async fn report_export(
        &self,
        since: String,
        until: String,
        filter: helpdeck_core::report::ReportFilter,
        by: helpdeck_core::report::ReportGroup,
        table: Option<String>,
        lang: String,
    ) -> ApiResult<ReportFile> {
        use helpdeck_report::dashboard;
        let period = report_period(&since, &until)?;
        if let Some(t) = &table
            && !dashboard::TABLES.contains(&t.as_str())
        {
            return Err(helpdeck_core::DomainError::invalid(
                "table",
                format!("no table '{t}' (allowed: {})", dashboard::TABLES.join(", ")),
            )
            .into());
        }
        let (d, workspace, tz) = self
            .with_store(async |s| {
                let d = s.reports().dashboard(period, &filter, by).await?;
                Ok((
                    d,
                    s.workspace().name.clone(),
                    s.workspace().timezone.clone(),
                ))
            })
            .await?;
        let tz = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
        let day = |t: helpdeck_core::Timestamp| tz.to_datetime(t).date().to_string();
        let last = |t: helpdeck_core::Timestamp| day(t - jiff::SignedDuration::from_millis(1));
        let (first, end) = (day(d.period.since), last(d.period.until));
        let (name, body) = match &table {
            Some(t) => (
                format!("helpdeck-report-{t}-{first}_{end}.csv"),
                dashboard::csv(&d, t)
                    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
            ),
            None => (
                format!("helpdeck-report-{first}_{end}.html"),
                dashboard::html(
                    &d,
                    lang.starts_with("zh"),
                    &workspace,
                    (&first, &end),
                    (
                        &day(d.previous_period.since),
                        &last(d.previous_period.until),
                    ),
                    &dashboard::local_time(&tz, helpdeck_core::Timestamp::now()),
                ),
            ),
        };
        let path = write_export(&export_dir(), &name, body.as_bytes()).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!(
                    "the report could not be saved in {}: {e}",
                    export_dir().display()
                ),
            )
        })?;
        Ok(ReportFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(name),
            path: path.display().to_string(),
        })
    }

    /// Checklist lines as typed (`Battery voltage [reading:V]`, `Rack [photo]`) as template
    /// items: the core's one parse, for the templates and plans forms.
    pub fn template_items(
        &self,
        lines: Vec<String>,
    ) -> ApiResult<Vec<helpdeck_core::workorder::TemplateItem>> {
        Ok(lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .map(helpdeck_core::workorder::TemplateItem::parse)
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// A ticket's time: its entries, and the totals with its visits' travel and work.
    #[instrument(skip_all, err)]
    pub async fn time_sheet(&self, reference: String) -> ApiResult<TimeSheet> {
        self.with_store(async |s| s.time_entries().sheet(&reference).await)
            .await
    }

    /// Logs minutes on a ticket.
    #[instrument(skip_all, err)]
    pub async fn time_log(
        &self,
        reference: String,
        minutes: u32,
        note: Option<String>,
    ) -> ApiResult<TimeSheet> {
        self.with_store_write(async |s| s.time_entries().log(&reference, minutes, note).await)
            .await
    }

    /// Deletes a time entry (its author, or an admin).
    #[instrument(skip_all, err)]
    pub async fn time_delete(&self, entry: String) -> ApiResult<TimeSheet> {
        self.with_store_write(async |s| s.time_entries().delete(&entry).await)
            .await
    }

    /// Starts this device's timer on a ticket.
    #[instrument(skip_all, err)]
    pub async fn time_timer_start(&self, reference: String) -> ApiResult<TimeSheet> {
        self.with_store_write(async |s| s.time_entries().timer_start(&reference).await)
            .await
    }

    /// Stops the ticket's timer and logs its minutes.
    #[instrument(skip_all, err)]
    pub async fn time_timer_stop(
        &self,
        reference: String,
        note: Option<String>,
    ) -> ApiResult<TimeSheet> {
        self.with_store_write(async |s| s.time_entries().timer_stop(&reference, note).await)
            .await
    }

    /// Billing totals over a period (ISO times; none: all) by ticket, agent or organization.
    #[instrument(skip_all, err)]
    pub async fn time_report(
        &self,
        since: Option<String>,
        until: Option<String>,
        by: helpdeck_core::timelog::TimeGroup,
    ) -> ApiResult<Vec<helpdeck_core::timelog::TimeTotal>> {
        let parse = |what: &str, v: Option<String>| {
            v.map(|t| {
                t.parse::<helpdeck_core::Timestamp>().map_err(|_| {
                    helpdeck_core::DomainError::invalid(
                        "period",
                        format!(
                            "{what}: '{t}' is not a time (RFC 3339, e.g. 2026-12-01T00:00:00+08:00)"
                        ),
                    )
                })
            })
            .transpose()
        };
        let since = parse("since", since)?;
        let until = parse("until", until)?;
        self.with_store(async |s| s.time_entries().totals(since, until, by).await)
            .await
    }

    /// Minutes of travel or work.
    #[instrument(skip_all, err)]
    pub async fn workorder_time(
        &self,
        reference: String,
        kind: helpdeck_core::workorder::TimeKind,
        minutes: u32,
    ) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| {
            s.work_orders().log_time(&reference, kind, minutes).await?;
            s.work_orders().view(&reference).await
        })
        .await
    }

    /// Starts this device's timer on a visit (it survives restarts and sleep).
    #[instrument(skip_all, err)]
    pub async fn workorder_timer_start(
        &self,
        reference: String,
        kind: helpdeck_core::workorder::TimeKind,
    ) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| s.work_orders().timer_start(&reference, kind).await)
            .await
    }

    /// Stops the timer and logs its minutes.
    #[instrument(skip_all, err)]
    pub async fn workorder_timer_stop(&self, reference: String) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| s.work_orders().timer_stop(&reference).await)
            .await
    }

    /// The customer's sign-off with the signature drawn in the app (imported first).
    #[instrument(skip_all, err)]
    pub async fn workorder_sign(
        &self,
        reference: String,
        signer: String,
        signature: AttachmentUpload,
    ) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| {
            let f = new_file(s, signature)?;
            s.work_orders().sign(&reference, &signer, f).await?;
            s.work_orders().view(&reference).await
        })
        .await
    }

    /// The visit's service report as a PDF in the ticket's language, attached to the ticket on
    /// a reply the customer sees.
    #[instrument(skip_all, err)]
    pub async fn workorder_report(&self, reference: String) -> ApiResult<WorkOrderView> {
        self.with_store_write(async |s| {
            let report = helpdeck_report::attach_service_report(s, &reference, None).await?;
            Ok(report.view)
        })
        .await
    }

    /// Move the ticket to another tier with the reason and business impact.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn escalate(
        &self,
        reference: String,
        escalation: helpdeck_core::escalation::Escalation,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.tickets().escalate(&reference, escalation).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Knowledge articles, newest change first (archived ones only when asked for).
    #[instrument(skip_all, err)]
    pub async fn kb_list(&self, status: Option<ArticleStatus>) -> ApiResult<Vec<ArticleView>> {
        self.with_store(async |s| s.kb().list(status).await).await
    }

    /// One article (by id or its first characters), counted as a view.
    #[instrument(skip_all, err)]
    pub async fn kb_show(&self, id: String) -> ApiResult<ArticleView> {
        self.with_store_write(async |s| s.kb().view_article(&id).await)
            .await
    }

    /// Write a new article (agents).
    #[instrument(skip_all, err)]
    pub async fn kb_add(&self, input: ArticleInput) -> ApiResult<ArticleView> {
        self.with_store_write(async |s| s.kb().add(input).await)
            .await
    }

    /// Edit an article's fields (agents).
    #[instrument(skip_all, err)]
    pub async fn kb_edit(&self, id: String, fields: ArticleFields) -> ApiResult<ArticleView> {
        self.with_store_write(async |s| s.kb().edit(&id, fields).await)
            .await
    }

    /// Publish, archive or return an article to draft (agents).
    #[instrument(skip_all, err)]
    pub async fn kb_set_status(&self, id: String, status: ArticleStatus) -> ApiResult<ArticleView> {
        self.with_store_write(async |s| s.kb().set_status(&id, status).await)
            .await
    }

    /// Did an article help?
    #[instrument(skip_all, err)]
    pub async fn kb_vote(&self, id: String, helpful: bool) -> ApiResult<ArticleView> {
        self.with_store_write(async |s| s.kb().vote(&id, helpful).await)
            .await
    }

    /// Search articles.
    #[instrument(skip_all, err)]
    pub async fn kb_search(&self, query: String, limit: u32) -> ApiResult<Vec<ArticleHit>> {
        self.with_store(async |s| s.kb().search(&query, limit).await)
            .await
    }

    /// Published articles matching a text being written.
    #[instrument(skip_all, err)]
    pub async fn kb_suggest(&self, text: String, limit: u32) -> ApiResult<Vec<ArticleHit>> {
        self.with_store(async |s| s.kb().suggest(&text, limit).await)
            .await
    }

    /// A draft article from a resolved ticket (agents).
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn kb_from_ticket(&self, reference: String) -> ApiResult<ArticleView> {
        self.with_store_write(async |s| s.kb().from_ticket(&reference).await)
            .await
    }

    /// A suggested article answered the customer: nothing is submitted, the deflection counts.
    #[instrument(skip_all, err)]
    pub async fn kb_deflect(&self, id: String) -> ApiResult<()> {
        self.with_store_write(async |s| s.kb().record_deflection(&id).await)
            .await
    }

    /// Published articles that need a look (unhelpful, or older than `months`).
    #[instrument(skip_all, err)]
    pub async fn kb_upkeep(&self, months: u32) -> ApiResult<Vec<UpkeepItem>> {
        self.with_store(async |s| s.kb().upkeep(months).await).await
    }

    /// Frequent problems without an article.
    #[instrument(skip_all, err)]
    pub async fn kb_gaps(&self, days: u32, min_tickets: i64) -> ApiResult<Vec<KbGap>> {
        self.with_store(async |s| s.kb().gaps(days, min_tickets).await)
            .await
    }

    /// Record one step of a diagnosis script run on the ticket.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn ticket_diagnose(
        &self,
        reference: String,
        step: helpdeck_core::kb::DiagnosisStep,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let t = s.tickets().diagnose(&reference, step).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// The open follow-up calls: mine and unowned ones, or everyone's (staff only).
    #[instrument(skip_all, err)]
    pub async fn followups(&self, all: bool) -> ApiResult<Vec<FollowUpTask>> {
        let scope = if all {
            FollowUpScope::All
        } else {
            FollowUpScope::Mine
        };
        self.with_store(async |s| s.followups().list(scope).await)
            .await
    }

    /// Record the outcome of a ticket's open follow-up call.
    #[instrument(skip_all, fields(ticket = %reference), err)]
    pub async fn followup_done(
        &self,
        reference: String,
        outcome: helpdeck_core::followup::Outcome,
        note: String,
        next_owner: Option<String>,
    ) -> ApiResult<TicketDetail> {
        self.with_store_write(async |s| {
            let input = FollowUpInput {
                outcome,
                note,
                next_owner,
            };
            let t = s.followups().record(&reference, input).await?;
            s.tickets().ticket(&t.id.to_string()).await
        })
        .await
        .inspect(|d| self.monitor.changed(d.ticket.id))
    }

    /// Full-text search.
    #[instrument(skip_all, err)]
    pub async fn search(&self, query: String, limit: u32, offset: u32) -> ApiResult<SearchPage> {
        self.with_store(async |s| s.tickets().search(&query, limit, offset).await)
            .await
    }

    /// Customers whose name or email contains `query` (at most 12), for the requester
    /// field's suggestions.
    #[instrument(skip_all, err)]
    pub async fn requesters(&self, query: String) -> ApiResult<Vec<UserRef>> {
        let q = query.trim().to_lowercase();
        self.with_store(async |s| {
            Ok(s.users()
                .await?
                .into_iter()
                .filter(|u| u.role == helpdeck_core::user::Role::Customer)
                .filter(|u| {
                    q.is_empty()
                        || u.email.to_lowercase().contains(&q)
                        || u.name.to_lowercase().contains(&q)
                })
                .take(12)
                .map(user_ref)
                .collect())
        })
        .await
    }

    /// Agents and admins, for assignee pickers.
    #[instrument(skip_all, err)]
    pub async fn agents(&self) -> ApiResult<Vec<UserRef>> {
        self.with_store(async |s| {
            Ok(s.users()
                .await?
                .into_iter()
                .filter(|u| u.is_staff())
                .map(user_ref)
                .collect())
        })
        .await
    }
}

impl App {
    /// The workspace rules (SLA targets, calendar, categories, lifecycle) for the Workspace
    /// screen: a local workspace's own, or the server's on a replica.
    #[instrument(skip_all, err)]
    pub async fn workspace_rules(&self) -> ApiResult<WorkspaceRules> {
        self.with_store(async |s| s.admin().rules().await).await
    }

    /// An admin's change of the workspace rules: kept here on a local workspace, decided by
    /// the server on a replica (the same rule either way). The monitor re-times open
    /// tickets by the new rules.
    #[instrument(skip_all, err)]
    pub async fn change_workspace_rules(&self, change: RulesChange) -> ApiResult<WorkspaceRules> {
        let store = self.store().await?;
        let rules = helpdeck_sync::rules::change_rules(&store, &change)
            .await
            .map_err(sync::rules_error)?;
        if let Some(m) = self.monitor() {
            m.reload();
        }
        Ok(rules)
    }
}

impl App {
    /// Everyone and the teams, for the Workspace screen's People tab.
    #[instrument(skip_all, err)]
    pub async fn people(&self) -> ApiResult<helpdeck_core::people::Directory> {
        let store = self.store().await?;
        helpdeck_sync::rules::directory(&store)
            .await
            .map_err(sync::rules_error)
    }

    /// An admin adds a person (on a server, with a first password).
    #[instrument(skip_all, err)]
    pub async fn add_person(
        &self,
        draft: helpdeck_core::people::PersonDraft,
    ) -> ApiResult<helpdeck_core::people::PersonView> {
        let store = self.store().await?;
        let out = helpdeck_sync::rules::add_person(&store, &draft)
            .await
            .map_err(sync::rules_error)?;
        self.wake_sync();
        Ok(out)
    }

    /// An admin changes a person's role, team, tier or organization.
    #[instrument(skip_all, err)]
    pub async fn update_person(
        &self,
        patch: helpdeck_core::people::PersonPatch,
    ) -> ApiResult<helpdeck_core::people::PersonView> {
        let store = self.store().await?;
        let out = helpdeck_sync::rules::update_person(&store, &patch)
            .await
            .map_err(sync::rules_error)?;
        self.wake_sync();
        Ok(out)
    }

    /// An admin adds a team; returns every team.
    #[instrument(skip_all, err)]
    pub async fn add_team(&self, name: String) -> ApiResult<Vec<String>> {
        let store = self.store().await?;
        helpdeck_sync::rules::add_team(&store, &name)
            .await
            .map_err(sync::rules_error)
    }
}

/// A person as pickers show them.
fn user_ref(u: helpdeck_core::user::User) -> UserRef {
    UserRef {
        id: u.id,
        email: u.email,
        name: u.name,
    }
}

/// A report saved as a file (the Reports view's CSV tables and printable report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReportFile {
    /// Where it was saved.
    pub path: String,
    /// Its file name.
    pub name: String,
}

/// A report's period from the UI's ISO times.
fn report_period(since: &str, until: &str) -> ApiResult<helpdeck_core::report::Period> {
    let parse = |what: &str, t: &str| {
        t.parse::<helpdeck_core::Timestamp>().map_err(|_| {
            helpdeck_core::DomainError::invalid(
                "period",
                format!("{what}: '{t}' is not a time (RFC 3339, e.g. 2026-12-01T00:00:00+08:00)"),
            )
        })
    };
    Ok(helpdeck_core::report::Period::new(
        parse("since", since)?,
        parse("until", until)?,
    )?)
}

/// Where the app saves what a user exports: `HELPDECK_EXPORT_DIR`, else the user's downloads
/// folder, else `~/Downloads`.
pub fn export_dir() -> std::path::PathBuf {
    std::env::var_os("HELPDECK_EXPORT_DIR")
        .map(std::path::PathBuf::from)
        .or_else(dirs::download_dir)
        .or_else(|| dirs::home_dir().map(|h| h.join("Downloads")))
        .unwrap_or_else(std::env::temp_dir)
}

/// Writes `bytes` as `name` in `dir` (made if missing) without replacing a file already
/// there: a second export of the same report is `name (2)`, and so on.
fn write_export(
    dir: &std::path::Path,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..1000 {
        let file = if n == 1 {
            name.to_string()
        } else {
            format!("{stem} ({n}).{ext}")
        };
        let path = dir.join(file);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                std::io::Write::write_all(&mut f, bytes)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many files of the same name"))
}
