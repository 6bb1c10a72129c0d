//! Creating and opening a workspace; people and policies.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use helpdeck_core::command::Rules;
use helpdeck_core::sla::{Calendar, CalendarSpec, SlaPolicy};
use helpdeck_core::user::{Role, User, validate_email};
use helpdeck_core::{DomainError, Timestamp, new_id};
use jiff::SignedDuration;
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::rows::{USER_COLUMNS, UserRow, ms, ts, uuid};
use crate::vault::{KeySource, StoreKey};
use crate::{DB_FILE, Policies, Store, db, hlc};

/// A workspace's settings.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkspaceInfo {
    pub id: Uuid,
    pub name: String,
    pub timezone: String,
    pub language: String,
    pub device_id: Uuid,
    pub owner_id: Uuid,
    pub default_policy_id: Uuid,
    pub categories: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub reopen_window_days: i64,
    /// Resolved tickets close by themselves after this many days.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub auto_close_days: i64,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct WorkspaceRow {
    id: String,
    name: String,
    timezone: String,
    language: String,
    device_id: String,
    owner_id: String,
    default_policy_id: String,
    categories: String,
    reopen_window_days: i64,
    auto_close_days: i64,
    hlc_last: Option<String>,
    created_at: i64,
}

/// What a replica of a server workspace starts from (the sign-in's answer).
#[derive(Debug, Clone)]
pub struct ReplicaInit {
    pub server_url: String,
    pub workspace_id: Uuid,
    pub device_id: Uuid,
    /// The signed-in user, as the server knows them.
    pub user: User,
}

/// Options for a new workspace.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub name: String,
    /// IANA time zone of the business calendar.
    pub timezone: String,
    /// `en` or `zh`.
    pub language: String,
    /// The local user's name and email.
    pub owner_name: String,
    pub owner_email: String,
}

impl Store {
    /// Creates a new workspace in `data_dir`; refuses if one exists.
    /// Its key is new and kept in the OS keyring.
    pub async fn init(data_dir: &Path, opts: InitOptions) -> Result<Store> {
        Store::init_with(data_dir, opts, None, &KeySource::OsKeyring).await
    }

    /// Creates a new workspace encrypted with a key the caller holds (not kept in the
    /// keyring): benchmarks and the store's own tests.
    pub async fn init_with_key(data_dir: &Path, opts: InitOptions, key: StoreKey) -> Result<Store> {
        Store::init_with(data_dir, opts, None, &KeySource::Given(key)).await
    }

    /// Creates a new workspace whose key is kept where `source` says.
    pub async fn init_from(
        data_dir: &Path,
        opts: InitOptions,
        source: &KeySource,
    ) -> Result<Store> {
        Store::init_with(data_dir, opts, None, source).await
    }

    /// Creates a replica of a server workspace in `data_dir` (after a sign-in): the owner is
    /// the signed-in user, with the role the server gave them.
    pub async fn init_replica(
        data_dir: &Path,
        opts: InitOptions,
        replica: ReplicaInit,
    ) -> Result<Store> {
        Store::init_with(data_dir, opts, Some(replica), &KeySource::OsKeyring).await
    }

    /// A replica encrypted with a key the caller holds (benchmarks, the sync model tests).
    pub async fn init_replica_with_key(
        data_dir: &Path,
        opts: InitOptions,
        replica: ReplicaInit,
        key: StoreKey,
    ) -> Result<Store> {
        Store::init_with(data_dir, opts, Some(replica), &KeySource::Given(key)).await
    }

    async fn init_with(
        data_dir: &Path,
        opts: InitOptions,
        replica: Option<ReplicaInit>,
        source: &KeySource,
    ) -> Result<Store> {
        let name = opts.name.trim().to_string();
        if name.is_empty() {
            return Err(DomainError::required("name", "must not be empty").into());
        }
        if !matches!(opts.language.as_str(), "en" | "zh") {
            return Err(DomainError::UnknownValue {
                what: "language",
                value: opts.language.clone(),
                allowed: "en, zh".into(),
            }
            .into());
        }
        // Validate everything before touching the disk.
        let calendar = Calendar::business_hours(&opts.timezone)?;
        let owner_email = validate_email(&opts.owner_email)?;
        let path = data_dir.join(DB_FILE);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            let (pool, _) = db::open_store(&path, false, source).await?;
            let has: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM workspace")
                .fetch_optional(&pool)
                .await?;
            pool.close().await;
            if has.is_some() {
                return Err(StoreError::WorkspaceExists(data_dir.display().to_string()));
            }
        }
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            path: data_dir.display().to_string(),
            source,
        })?;
        let (pool, key) = db::open_store(&path, true, source).await?;
        let now = Timestamp::now();
        let calendar_id = new_id();
        let policy = SlaPolicy::defaults(new_id());
        let owner_id = new_id();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO calendars (id, spec) VALUES (?, ?)")
            .bind(calendar_id.to_string())
            .bind(serde_json::to_string(calendar.spec()).expect("spec serializes"))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sla_policies (id, name, calendar_id, spec) VALUES (?, ?, ?, ?)")
            .bind(policy.id.to_string())
            .bind(&policy.name)
            .bind(calendar_id.to_string())
            .bind(serde_json::to_string(&policy).expect("policy serializes"))
            .execute(&mut *tx)
            .await?;
        let owner_id = match &replica {
            None => {
                sqlx::query(
                    "INSERT INTO users (id, email, name, role, tier, created_at) VALUES (?, ?, ?, 'admin', 'L3', ?)",
                )
                .bind(owner_id.to_string())
                .bind(&owner_email)
                .bind(opts.owner_name.trim())
                .bind(ms(now))
                .execute(&mut *tx)
                .await?;
                owner_id
            }
            Some(r) => {
                if let Some(org) = r.user.organization_id {
                    // Named for real by the first pull's directory.
                    sqlx::query(
                        "INSERT INTO organizations (id, name, customer_tier) VALUES (?, ?, 'standard')",
                    )
                    .bind(org.to_string())
                    .bind(org.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                let mut me = r.user.clone();
                me.team_id = None; // teams arrive with the directory
                insert_user(&mut tx, &me).await?;
                me.id
            }
        };
        let (workspace_id, device_id) = match &replica {
            None => (new_id(), new_id()),
            Some(r) => (r.workspace_id, r.device_id),
        };
        let categories: Vec<String> = helpdeck_core::ticket::DEFAULT_CATEGORIES
            .iter()
            .map(|c| c.to_string())
            .collect();
        sqlx::query(
            "INSERT INTO workspace (singleton, id, name, timezone, language, device_id, owner_id, \
             default_policy_id, categories, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(workspace_id.to_string())
        .bind(&name)
        .bind(&opts.timezone)
        .bind(&opts.language)
        .bind(device_id.to_string())
        .bind(owner_id.to_string())
        .bind(policy.id.to_string())
        .bind(serde_json::to_string(&categories).expect("categories serialize"))
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        if let Some(r) = &replica {
            sqlx::query("INSERT INTO sync_state (singleton, server_url, user_id, email) VALUES (1, ?, ?, ?)")
                .bind(&r.server_url)
                .bind(r.user.id.to_string())
                .bind(&r.user.email)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Store::from_pool(pool, path, key).await
    }

    /// Opens the workspace in `data_dir`, its key from the OS keyring.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        Store::open_from(data_dir, &KeySource::OsKeyring).await
    }

    /// Opens the workspace in `data_dir` with a key the caller holds.
    pub async fn open_with_key(data_dir: &Path, key: StoreKey) -> Result<Store> {
        Store::open_from(data_dir, &KeySource::Given(key)).await
    }

    /// Opens the workspace in `data_dir` with its key from `source`.
    pub async fn open_from(data_dir: &Path, source: &KeySource) -> Result<Store> {
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            return Err(StoreError::NoWorkspace(data_dir.display().to_string()));
        }
        let (pool, key) = db::open_store(&path, false, source).await?;
        Store::from_pool(pool, path, key).await
    }

    async fn from_pool(
        pool: sqlx::SqlitePool,
        path: std::path::PathBuf,
        key: StoreKey,
    ) -> Result<Store> {
        let row: Option<WorkspaceRow> = sqlx::query_as(
            "SELECT id, name, timezone, language, device_id, owner_id, default_policy_id, categories, \
             reopen_window_days, auto_close_days, hlc_last, created_at FROM workspace",
        )
        .fetch_optional(&pool)
        .await?;
        let Some(row) = row else {
            let dir = path.parent().unwrap_or(&path).display().to_string();
            return Err(StoreError::NoWorkspace(dir));
        };
        let ws = WorkspaceInfo {
            id: uuid(&row.id)?,
            name: row.name,
            timezone: row.timezone,
            language: row.language,
            device_id: uuid(&row.device_id)?,
            owner_id: uuid(&row.owner_id)?,
            default_policy_id: uuid(&row.default_policy_id)?,
            categories: serde_json::from_str(&row.categories).unwrap_or_default(),
            reopen_window_days: row.reopen_window_days,
            auto_close_days: row.auto_close_days,
            created_at: ts(row.created_at),
        };
        let actor = fetch_user_by_id(&pool, ws.owner_id).await?;
        let policies = load_policies(&pool, ws.default_policy_id).await?;
        let replica: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM sync_state")
            .fetch_optional(&pool)
            .await?;
        let rules = Rules {
            categories: ws.categories.clone(),
            reopen_window: SignedDuration::from_hours(24 * ws.reopen_window_days),
            auto_close_after: SignedDuration::from_hours(24 * ws.auto_close_days),
            max_attachment_bytes: helpdeck_core::attachment::DEFAULT_MAX_BYTES,
            local_workspace: replica.is_none(),
        };
        let clock = hlc::Clock::new(ws.device_id, row.hlc_last.as_deref());
        Ok(Store {
            pool,
            path,
            ws: std::sync::RwLock::new(Arc::new(ws)),
            actor,
            rules,
            policies: std::sync::RwLock::new(Arc::new(policies)),
            clock,
            now: Arc::new(Timestamp::now),
            key,
            checkpoints: tokio::sync::OnceCell::new(),
        })
    }

    /// All users, agents first.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY role != 'admin', role != 'agent', name"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(UserRow::into_user).collect()
    }
}

async fn fetch_user_by_id(pool: &sqlx::SqlitePool, id: Uuid) -> Result<User> {
    let row: UserRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = ?"
    )))
    .bind(id.to_string())
    .fetch_one(pool)
    .await?;
    row.into_user()
}

/// Finds a user by email inside a transaction.
pub(crate) async fn user_by_email(
    conn: &mut SqliteConnection,
    email: &str,
) -> Result<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = ?"
    )))
    .bind(email)
    .fetch_optional(conn)
    .await?;
    row.map(UserRow::into_user).transpose()
}

/// Resolves an assignee email to an agent or admin.
pub(crate) async fn agent_by_email(conn: &mut SqliteConnection, email: &str) -> Result<User> {
    let email = validate_email(email)?;
    match user_by_email(conn, &email).await? {
        Some(u) if u.is_staff() => Ok(u),
        Some(u) => Err(DomainError::invalid(
            "assignee",
            format!(
                "{} is a {}; only agents and admins can be assigned",
                u.email, u.role
            ),
        )
        .into()),
        None => Err(StoreError::NotFound(format!(
            "no agent with email {email} in this workspace"
        ))),
    }
}

/// Finds a requester by email, creating a customer for an unknown address.
pub(crate) async fn ensure_requester(
    conn: &mut SqliteConnection,
    email: &str,
    now: Timestamp,
) -> Result<(User, bool)> {
    let email = validate_email(email)?;
    if let Some(u) = user_by_email(conn, &email).await? {
        return Ok((u, false));
    }
    let name = email.split('@').next().unwrap_or(&email).to_string();
    let user = User {
        id: new_id(),
        email,
        name,
        role: Role::Customer,
        organization_id: None,
        org_admin: false,
        team_id: None,
        tier: None,
        field: false,
        created_at: now,
    };
    insert_user(conn, &user).await?;
    Ok((user, true))
}

/// Inserts a user row.
pub(crate) async fn insert_user(conn: &mut SqliteConnection, u: &User) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, name, role, organization_id, org_admin, team_id, tier, field, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(u.id.to_string())
    .bind(&u.email)
    .bind(&u.name)
    .bind(u.role.as_str())
    .bind(u.organization_id.map(|o| o.to_string()))
    .bind(u.org_admin)
    .bind(u.team_id.map(|t| t.to_string()))
    .bind(u.tier.map(|t| t.as_str()))
    .bind(u.field)
    .bind(ms(u.created_at))
    .execute(conn)
    .await?;
    Ok(())
}

async fn load_policies(pool: &sqlx::SqlitePool, default_id: Uuid) -> Result<Policies> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.spec, c.spec FROM sla_policies p JOIN calendars c ON c.id = p.calendar_id",
    )
    .fetch_all(pool)
    .await?;
    let mut by_id = HashMap::new();
    for (id, policy, calendar) in rows {
        let policy: SlaPolicy = serde_json::from_str(&policy)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
        let spec: CalendarSpec = serde_json::from_str(&calendar)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
        by_id.insert(uuid(&id)?, (policy, Calendar::new(spec)?));
    }
    let orgs: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, sla_policy_id FROM organizations WHERE sla_policy_id IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    let mut by_org = HashMap::new();
    for (org, policy) in orgs {
        by_org.insert(uuid(&org)?, uuid(&policy)?);
    }
    Ok(Policies {
        default_id,
        by_id,
        by_org,
    })
}
