//! Accounts: users, argon2id passwords, devices and bearer tokens (stored hashed, expiring,
//! revocable), and the login rate limit.

use std::net::IpAddr;
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use helpdeck_core::Timestamp;
use helpdeck_core::ticket::Tier;
use helpdeck_core::user::{Role, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use uuid::Uuid;

use crate::db::{Db, now_ms, parse_uuid};
use crate::error::{Result, ServerError};

/// How long a token lives.
pub const TOKEN_TTL: jiff::SignedDuration = jiff::SignedDuration::from_hours(90 * 24);

pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(ServerError::BadRequest(
            "password: must be at least 8 characters".into(),
        ));
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServerError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Internal(format!("password hashing failed: {e}")))
}

/// The hash an unknown email's password is checked against: every sign-in costs one argon2
/// verification whatever the email and the password (no early return for a short one), so
/// the time taken does not tell who has an account.
static UNKNOWN_ACCOUNT_PHC: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    hash_password(&hex::encode(secret)).expect("a 48-character password hashes")
});

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// SHA-256 of a bearer token: what the database keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("hdk_{}", hex::encode(bytes))
}

const USER_COLUMNS: &str =
    "id, email, name, role, organization_id, org_admin, team_id, tier, created_at, epoch";

/// A row of [`USER_COLUMNS`].
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    organization_id: Option<String>,
    org_admin: i64,
    team_id: Option<String>,
    tier: Option<String>,
    created_at: i64,
    epoch: i64,
}

/// A user with the epoch of what they may see.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub epoch: i64,
}

fn account(row: UserRow) -> Result<Account> {
    let UserRow {
        id,
        email,
        name,
        role,
        organization_id: org,
        org_admin,
        team_id: team,
        tier,
        created_at,
        epoch,
    } = row;
    let role: Role = role
        .parse()
        .map_err(|e| ServerError::Internal(format!("bad role in database: {e}")))?;
    Ok(Account {
        user: User {
            id: parse_uuid(&id)?,
            email,
            name,
            role,
            organization_id: org.as_deref().map(parse_uuid).transpose()?,
            org_admin: org_admin != 0,
            team_id: team.as_deref().map(parse_uuid).transpose()?,
            tier: tier.as_deref().and_then(|t| t.parse::<Tier>().ok()),
            field: false,
            created_at: Timestamp::from_millisecond(created_at).unwrap_or(Timestamp::UNIX_EPOCH),
        },
        epoch,
    })
}

pub async fn user_by_id(pool: &AnyPool, id: Uuid) -> Result<Option<Account>> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    row.map(account).transpose()
}

pub async fn users_by_ids(pool: &AnyPool, ids: &[Uuid]) -> Result<Vec<Account>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id IN ({marks})"
    )));
    for id in ids {
        q = q.bind(id.to_string());
    }
    q.fetch_all(pool).await?.into_iter().map(account).collect()
}

/// What `server user add` takes.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organization: Option<String>,
    pub org_admin: bool,
    pub team: Option<String>,
    pub password: String,
}

async fn org_id(db: &Db, name: &str, create: bool) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ServerError::BadRequest("org: must not be empty".into()));
    }
    if let Some((id,)) =
        sqlx::query_as::<_, (String,)>("SELECT id FROM organizations WHERE name = $1")
            .bind(name)
            .fetch_optional(&db.pool)
            .await?
    {
        return Ok(id);
    }
    if !create {
        return Err(ServerError::NotFound(format!("no organization '{name}'")));
    }
    let id = Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO organizations (id, name) VALUES ($1, $2)")
        .bind(&id)
        .bind(name)
        .execute(&db.pool)
        .await?;
    Ok(id)
}

pub async fn team_id(db: &Db, name: &str) -> Result<String> {
    let name = name.trim();
    if let Some((id,)) = sqlx::query_as::<_, (String,)>("SELECT id FROM teams WHERE name = $1")
        .bind(name)
        .fetch_optional(&db.pool)
        .await?
    {
        return Ok(id);
    }
    let id = Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
        .bind(&id)
        .bind(name)
        .execute(&db.pool)
        .await?;
    Ok(id)
}

/// Adds a user (creating the organization or team named if it does not exist yet).
pub async fn add_user(db: &Db, input: NewUser) -> Result<User> {
    // The checks of every way a person is added (core::people), as the server machine's
    // admin; the caller has checked who asks.
    let checked = helpdeck_core::people::check_new_person(
        &User::system(),
        &helpdeck_core::people::PersonDraft {
            email: input.email.clone(),
            name: input.name.clone(),
            role: Some(input.role),
            organization: input.organization.clone(),
            org_admin: input.org_admin,
            team: input.team.clone(),
            tier: None,
            password: Some(input.password.clone()),
        },
        true,
    )?;
    let email = checked.email;
    let name = checked.name;
    let input = NewUser {
        organization: checked.organization,
        team: checked.team,
        ..input
    };
    let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&db.pool)
        .await?;
    if exists.is_some() {
        return Err(ServerError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let hash = hash_password(&input.password)?;
    let org = match &input.organization {
        Some(o) => Some(org_id(db, o, true).await?),
        None => None,
    };
    let team = match &input.team {
        Some(t) => Some(team_id(db, t).await?),
        None => None,
    };
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, email, name, role, organization_id, org_admin, team_id, tier, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(&email)
    .bind(&name)
    .bind(input.role.as_str())
    .bind(org)
    .bind(i64::from(input.org_admin))
    .bind(team)
    .bind(if input.role == Role::Customer { None } else { Some("L1".to_string()) })
    .bind(hash)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(user_by_id(&db.pool, id).await?.expect("just inserted").user)
}

/// Changes what a user is (role, organization, org admin). Bumps their epoch: their devices
/// must resync, because what they may see changed.
pub async fn update_user(
    db: &Db,
    email: &str,
    role: Option<Role>,
    organization: Option<String>,
    org_admin: Option<bool>,
) -> Result<User> {
    let email = email.trim().to_lowercase();
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("no user with email {email}")))?;
    if let Some(r) = role {
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(r.as_str())
            .bind(&id)
            .execute(&db.pool)
            .await?;
    }
    if let Some(o) = organization {
        let org = org_id(db, &o, true).await?;
        sqlx::query("UPDATE users SET organization_id = $1 WHERE id = $2")
            .bind(org)
            .bind(&id)
            .execute(&db.pool)
            .await?;
    }
    if let Some(a) = org_admin {
        sqlx::query("UPDATE users SET org_admin = $1 WHERE id = $2")
            .bind(i64::from(a))
            .bind(&id)
            .execute(&db.pool)
            .await?;
    }
    sqlx::query("UPDATE users SET epoch = epoch + 1 WHERE id = $1")
        .bind(&id)
        .execute(&db.pool)
        .await?;
    Ok(user_by_id(&db.pool, parse_uuid(&id)?)
        .await?
        .expect("exists")
        .user)
}

/// A verified login: the token to hand out (once) and the account.
pub struct Session {
    pub token: String,
    pub expires_at: Timestamp,
    pub account: Account,
}

pub async fn login(
    db: &Db,
    addr: IpAddr,
    email: &str,
    password: &str,
    device_id: Uuid,
    device_name: &str,
) -> Result<Session> {
    let email = email.trim().to_lowercase();
    crate::throttle::check_failures(db, &email, addr).await?;
    if device_id == helpdeck_core::user::SYSTEM_USER_ID || device_id.is_nil() {
        return Err(ServerError::BadRequest(
            "device_id: this id is reserved; use a new random id for the device".into(),
        ));
    }
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&db.pool)
            .await?;
    let password = password.to_string();
    let (id, ok) = match row {
        Some((id, phc)) => {
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
                .await
                .map_err(|e| ServerError::Internal(e.to_string()))?;
            (Some(id), ok)
        }
        None => {
            // Same work for an unknown email, so timing does not reveal who has an account.
            let phc = UNKNOWN_ACCOUNT_PHC.clone();
            let _ = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await;
            (None, false)
        }
    };
    let (Some(id), true) = (id, ok) else {
        crate::throttle::failed(db, &email, addr).await?;
        return Err(ServerError::Unauthorized("wrong email or password".into()));
    };
    crate::throttle::succeeded(db, &email, addr).await?;
    let user_id = parse_uuid(&id)?;
    let now = Timestamp::now();
    let device_owner: Option<(String,)> =
        sqlx::query_as("SELECT user_id FROM devices WHERE id = $1")
            .bind(device_id.to_string())
            .fetch_optional(&db.pool)
            .await?;
    match device_owner {
        Some((owner,)) if owner != id => {
            return Err(ServerError::Forbidden(
                "this device is registered to another user; sign in from a new data directory"
                    .into(),
            ));
        }
        Some(_) => {}
        None => {
            sqlx::query(
                "INSERT INTO devices (id, user_id, name, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(device_id.to_string())
            .bind(&id)
            .bind(device_name.trim())
            .bind(now.as_millisecond())
            .execute(&db.pool)
            .await?;
        }
    }
    let token = new_token();
    let expires_at = now + TOKEN_TTL;
    sqlx::query(
        "INSERT INTO tokens (hash, user_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(&id)
    .bind(device_id.to_string())
    .bind(now.as_millisecond())
    .bind(expires_at.as_millisecond())
    .execute(&db.pool)
    .await?;
    let account = user_by_id(&db.pool, user_id).await?.expect("exists");
    Ok(Session {
        token,
        expires_at,
        account,
    })
}

/// Who a request acts for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub device_id: Uuid,
    pub token_hash: String,
}

pub async fn authenticate(db: &Db, token: &str) -> Result<Caller> {
    let hash = token_hash(token);
    // The token and its user in one statement: every request, long-polls woken by a push
    // included, starts here.
    #[derive(sqlx::FromRow)]
    struct TokenRow {
        device_id: String,
        expires_at: i64,
        revoked_at: Option<i64>,
        #[sqlx(flatten)]
        user: UserRow,
    }
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT t.device_id, t.expires_at, t.revoked_at, {} \
             FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let row: Option<TokenRow> = sqlx::query_as(sqlx::AssertSqlSafe(SQL.as_str()))
        .bind(&hash)
        .fetch_optional(&db.pool)
        .await?;
    let Some(TokenRow {
        device_id,
        expires_at,
        revoked_at,
        user,
    }) = row
    else {
        let known: Option<(String,)> = sqlx::query_as("SELECT user_id FROM tokens WHERE hash = $1")
            .bind(&hash)
            .fetch_optional(&db.pool)
            .await?;
        return Err(ServerError::Unauthorized(match known {
            Some(_) => "the user no longer exists".into(),
            None => "unknown token; sign in again".into(),
        }));
    };
    if revoked_at.is_some() {
        return Err(ServerError::Unauthorized(
            "this token was revoked; sign in again".into(),
        ));
    }
    if expires_at <= now_ms() {
        return Err(ServerError::Unauthorized(
            "this token expired; sign in again".into(),
        ));
    }
    let account = account(user)?;
    Ok(Caller {
        account,
        device_id: parse_uuid(&device_id)?,
        token_hash: hash,
    })
}

pub async fn revoke(db: &Db, token_hash: &str) -> Result<()> {
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE hash = $2")
        .bind(now_ms())
        .bind(token_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A device signed in as a user, for `server user devices`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceInfo {
    pub id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// Tokens of the device that still work (not expired, not revoked).
    pub active_tokens: i64,
}

async fn user_id_by_email(db: &Db, email: &str) -> Result<String> {
    let email = helpdeck_core::user::validate_email(email)
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|(id,)| id)
        .ok_or_else(|| ServerError::NotFound(format!("no user with email {email}")))
}

/// The devices a user has signed in from, most recently seen first.
pub async fn devices(db: &Db, email: &str) -> Result<Vec<DeviceInfo>> {
    let id = user_id_by_email(db, email).await?;
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT d.id, d.name, d.created_at, d.last_seen_at, \
         (SELECT count(*) FROM tokens t WHERE t.device_id = d.id AND t.revoked_at IS NULL \
          AND t.expires_at > $2) \
         FROM devices d WHERE d.user_id = $1 ORDER BY d.last_seen_at DESC",
    )
    .bind(&id)
    .bind(now_ms())
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|(id, name, created, seen, active)| {
            Ok(DeviceInfo {
                id: parse_uuid(&id)?,
                name,
                created_at: Timestamp::from_millisecond(created).unwrap_or(Timestamp::UNIX_EPOCH),
                last_seen_at: Timestamp::from_millisecond(seen).unwrap_or(Timestamp::UNIX_EPOCH),
                active_tokens: active,
            })
        })
        .collect()
}

/// Revokes a user's tokens — of one device, or of every device (a lost laptop, a person who
/// left): their next request answers 401 and the device must sign in again. Returns how
/// many tokens were revoked.
pub async fn revoke_devices(db: &Db, email: &str, device: Option<Uuid>) -> Result<u64> {
    let id = user_id_by_email(db, email).await?;
    if let Some(d) = device {
        let owned: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM devices WHERE id = $1 AND user_id = $2")
                .bind(d.to_string())
                .bind(&id)
                .fetch_optional(&db.pool)
                .await?;
        if owned.is_none() {
            return Err(ServerError::NotFound(format!(
                "{email} has no device {d} (see: helpdeck server user devices --email {email})"
            )));
        }
    }
    let done = sqlx::query(
        "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
         AND ($3 = '' OR device_id = $3)",
    )
    .bind(now_ms())
    .bind(&id)
    .bind(device.map(|d| d.to_string()).unwrap_or_default())
    .execute(&db.pool)
    .await?;
    tracing::info!(user = %id, device = ?device, revoked = done.rows_affected(), "tokens revoked");
    Ok(done.rows_affected())
}
