//! The server database: embedded SQLite (one file, one process) or PostgreSQL (several
//! processes). One set of queries serves both through sqlx's `Any` driver; the few places
//! the dialects differ are named here.

use std::str::FromStr;

use helpdeck_core::DomainError;
use helpdeck_core::sla::{CalendarSpec, PolicyChange, SlaPolicy};
use helpdeck_core::sync::{SlaRules, WorkspaceRules};
use helpdeck_core::user::User;
use helpdeck_core::workspace::{RulesChange, change_rules};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use uuid::Uuid;

use crate::error::{Result, ServerError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("../../migrations/server-sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("../../migrations/server-postgres");

/// Which database engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The engine behind a connection (or a transaction, through `&mut **tx`).
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// `n` placeholders for a statement whose every parameter is bound in order, `, `-separated
/// (an `IN (…)` list): `$1, $2, …` on PostgreSQL, a bare `?` each on SQLite.
///
/// SQLite keeps numbered parameters' names in a list it searches from the start each time one
/// is asked for, and sqlx asks every parameter's name when it binds: a statement of 1,000
/// `$N` took a million steps to bind (6 % of the server's CPU in a push of Set ops, 100-row
/// statements of 10 columns). Anonymous `?` have no name to look up.
pub(crate) fn marks(backend: Backend, n: usize) -> String {
    marks_from(backend, 1, n)
}

/// `(…), (…)`: `n` rows of `width` placeholders, numbered across the rows on PostgreSQL
/// (see [`marks`]).
pub(crate) fn rows(backend: Backend, n: usize, width: usize) -> String {
    (0..n)
        .map(|r| format!("({})", marks_from(backend, r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn marks_from(backend: Backend, first: usize, n: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; n].join(", "),
        Backend::Postgres => (first..first + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The workspace rules' columns of `server_meta`, in the order [`rules_from`] reads them.
const RULES_COLUMNS: &str = "categories, reopen_window_days, auto_close_days, sla_policy, \
     sla_calendar, timezone, assignment_rules, escalation_rules, shared_views, \
     maintenance_plans, checklist_templates, parts_catalogue";

/// The workspace rules from the first [`RULES_COLUMNS`] of a row.
fn rules_from(row: &sqlx::any::AnyRow) -> Result<WorkspaceRules> {
    use sqlx::Row;
    let text = |i: usize| -> Result<String> { Ok(row.try_get::<String, _>(i)?) };
    let bad = |what: &str, e: serde_json::Error| ServerError::Internal(format!("bad {what}: {e}"));
    let tz = text(5)?;
    let policy = match row.try_get::<Option<String>, _>(3)? {
        Some(p) => serde_json::from_str(&p).map_err(|e| bad("SLA policy", e))?,
        None => SlaPolicy::defaults(SERVER_POLICY_ID),
    };
    let calendar = match row.try_get::<Option<String>, _>(4)? {
        Some(c) => serde_json::from_str(&c).map_err(|e| bad("SLA calendar", e))?,
        None => CalendarSpec::business_hours(&tz),
    };
    Ok(WorkspaceRules {
        categories: serde_json::from_str(&text(0)?).map_err(|e| bad("categories", e))?,
        reopen_window_days: row.try_get(1)?,
        auto_close_days: row.try_get(2)?,
        sla: Some(SlaRules { policy, calendar }),
        assignment: serde_json::from_str(&text(6)?).map_err(|e| bad("assignment rules", e))?,
        escalation: serde_json::from_str(&text(7)?).map_err(|e| bad("escalation rules", e))?,
        views: serde_json::from_str(&text(8)?).map_err(|e| bad("shared views", e))?,
        plans: serde_json::from_str(&text(9)?).map_err(|e| bad("maintenance plans", e))?,
        checklists: serde_json::from_str(&text(10)?).map_err(|e| bad("checklist templates", e))?,
        parts: serde_json::from_str(&text(11)?).map_err(|e| bad("parts catalogue", e))?,
    })
}

/// What a pull reads before its page ([`Db::pull_state`]).
pub struct PullState {
    pub rules: WorkspaceRules,
    pub last_seq: i64,
    /// The caller's device: its epoch and when it was last seen (none: unknown device).
    pub device: Option<(i64, i64)>,
    /// Changes whenever a person or team is added or a person changed (a change bumps
    /// their epoch): a cached staff page, which carries the staff directory, is then rebuilt.
    pub directory_stamp: (i64, i64, i64),
}

/// A connected, migrated server database.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    pub url: String,
    /// SQLite: checkpoints the write-ahead log on a task of its own, woken by [`Db::wrote`]
    /// (the pool's connections checkpoint inside a commit only past the writers' mark).
    checkpoints: Option<helpdeck_sqlite::Checkpointer>,
}

/// Turns `--db` into a URL: `postgres://…` and `sqlite:…` pass through, anything else is a
/// path to a SQLite file.
pub fn normalise_url(db: &str) -> Result<(String, Backend)> {
    let db = db.trim();
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok((db.to_string(), Backend::Postgres));
    }
    if db.starts_with("sqlite:") {
        // A new file is created, as for a plain path (sqlx opens read-write only by default).
        let url = if db.contains("mode=") {
            db.to_string()
        } else if db.contains('?') {
            format!("{db}&mode=rwc")
        } else {
            format!("{db}?mode=rwc")
        };
        return Ok((url, Backend::Sqlite));
    }
    if db.contains("://") {
        return Err(ServerError::BadRequest(format!(
            "unsupported database URL '{db}' (allowed: a SQLite file path, sqlite://PATH, postgres://USER@HOST/DB)"
        )));
    }
    if db.is_empty() {
        return Err(ServerError::BadRequest("--db must not be empty".into()));
    }
    Ok((format!("sqlite://{db}?mode=rwc"), Backend::Sqlite))
}

impl Db {
    /// Connects and runs the migrations of the backend.
    pub async fn connect(db: &str) -> Result<Db> {
        // SQLite here is SQLCipher, on OpenSSL: set up before the first connection, with
        // connections let finish closing at exit (see helpdeck_sqlite).
        helpdeck_sqlite::init();
        install_default_drivers();
        let (url, backend) = normalise_url(db)?;
        let max = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            // A pooled SQLite connection is a thread of this process over a file: it cannot
            // have gone away, and asking it (a round trip to that thread) on every acquire
            // only costs. A PostgreSQL one can (a restarted server): tested as sqlx does.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // The file is mapped; pages of the write-ahead log are not, and a
                        // push's dirty pages spill into the log past the cache: 64 MiB a
                        // connection at most (docs/benchmarks.md, "a 64 MiB page cache").
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                             PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536;",
                        )
                        .await?;
                        conn.execute(helpdeck_sqlite::WRITER_AUTOCHECKPOINT).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| ServerError::Internal(format!("cannot open database {url}: {e}")))?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await,
        }
        .map_err(|e| ServerError::Internal(format!("database migration failed: {e}")))?;
        let checkpoints = match backend {
            Backend::Sqlite => Some(helpdeck_sqlite::Checkpointer::spawn(pool.clone())),
            Backend::Postgres => None,
        };
        let db = Db {
            pool,
            backend,
            url,
            checkpoints,
        };
        db.ensure_meta().await?;
        Ok(db)
    }

    /// Says that a transaction of this process committed writes: on SQLite the log is
    /// checkpointed soon after, off the writer's path (helpdeck_sqlite::Checkpointer).
    pub fn wrote(&self) {
        if let Some(c) = &self.checkpoints {
            c.wrote();
        }
    }

    async fn ensure_meta(&self) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "INSERT OR IGNORE INTO server_meta (singleton, workspace_id, name, last_seq, last_number) \
                 VALUES (1, $1, 'Helpdeck', 0, 0)"
            }
            Backend::Postgres => {
                "INSERT INTO server_meta (singleton, workspace_id, name, last_seq, last_number) \
                 VALUES (1, $1, 'Helpdeck', 0, 0) ON CONFLICT (singleton) DO NOTHING"
            }
        };
        sqlx::query(sql)
            .bind(Uuid::now_v7().to_string())
            .execute(&self.pool)
            .await?;
        // The system actor of server jobs: a user row so that the audit trail names it, with
        // a password hash no password matches (nobody signs in as it).
        let system = helpdeck_core::user::User::system();
        let sql = match self.backend {
            Backend::Sqlite => {
                "INSERT OR IGNORE INTO users (id, email, name, role, password_hash, created_at) \
                 VALUES ($1, $2, $3, 'admin', '!', 0)"
            }
            Backend::Postgres => {
                "INSERT INTO users (id, email, name, role, password_hash, created_at) \
                 VALUES ($1, $2, $3, 'admin', '!', 0) ON CONFLICT DO NOTHING"
            }
        };
        sqlx::query(sql)
            .bind(system.id.to_string())
            .bind(system.email)
            .bind(system.name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The statement that reads the sequence counters and, on PostgreSQL, locks them until
    /// the transaction ends: pushes are serialised, so a later `server_seq` never commits
    /// before an earlier one and a reader never sees a gap (SQLite serialises writers itself).
    pub fn lock_meta_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "SELECT last_seq, last_number FROM server_meta WHERE singleton = 1",
            Backend::Postgres => {
                "SELECT last_seq, last_number FROM server_meta WHERE singleton = 1 FOR UPDATE"
            }
        }
    }

    /// A read-only transaction whose reads all see one state of the database: PostgreSQL's
    /// REPEATABLE READ; on SQLite (WAL) every read transaction is one snapshot already.
    pub async fn read_snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// The highest committed `server_seq`.
    pub async fn last_seq(&self) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as("SELECT last_seq FROM server_meta WHERE singleton = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(seq)
    }

    /// Workspace id, name and time zone.
    pub async fn workspace(&self) -> Result<(Uuid, String, String)> {
        let (id, name, tz): (String, String, String) = sqlx::query_as(
            "SELECT workspace_id, name, timezone FROM server_meta WHERE singleton = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((parse_uuid(&id)?, name, tz))
    }

    /// The workspace rules every replica applies (server state, synced down).
    pub async fn rules(&self) -> Result<helpdeck_core::sync::WorkspaceRules> {
        let mut conn = self.pool.acquire().await?;
        Self::rules_in(&mut conn).await
    }

    /// [`Db::rules`] on a connection (inside a transaction that changes them).
    async fn rules_in(
        conn: &mut sqlx::AnyConnection,
    ) -> Result<helpdeck_core::sync::WorkspaceRules> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RULES_COLUMNS} FROM server_meta WHERE singleton = 1"
        )))
        .fetch_one(&mut *conn)
        .await?;
        rules_from(&row)
    }

    /// What every pull needs to know before its page, in one statement (a woken long-poll
    /// reads it; hundreds are woken at once): the caller's device (epoch, last seen), the
    /// workspace rules, the directory stamp (a count of people and teams and the sum of
    /// people's epochs: any change of either moves it) and the newest committed `server_seq`.
    pub async fn pull_state(&self, device_id: Uuid) -> Result<PullState> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT {RULES_COLUMNS}, last_seq, \
                 (SELECT epoch FROM devices WHERE id = $1), \
                 (SELECT last_seen_at FROM devices WHERE id = $1), \
                 (SELECT count(*) FROM users), \
                 (SELECT CAST(coalesce(sum(epoch), 0) AS BIGINT) FROM users), \
                 (SELECT count(*) FROM teams) \
                 FROM server_meta WHERE singleton = 1"
            )
        });
        let row = sqlx::query(sqlx::AssertSqlSafe(SQL.as_str()))
            .bind(device_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        use sqlx::Row;
        // The columns after the rules'.
        let n = RULES_COLUMNS.split(',').count();
        let device_epoch: Option<i64> = row.try_get(n + 1)?;
        let device_seen: Option<i64> = row.try_get(n + 2)?;
        Ok(PullState {
            rules: rules_from(&row)?,
            last_seq: row.try_get(n)?,
            device: device_epoch.zip(device_seen),
            directory_stamp: (
                row.try_get(n + 3)?,
                row.try_get(n + 4)?,
                row.try_get(n + 5)?,
            ),
        })
    }

    /// Changes the workspace rules as `actor` (an admin signed in from the app, or the
    /// server machine's `helpdeck server sla set`): the same decision as a local workspace's
    /// (`helpdeck_core::workspace::change_rules`). Replicas receive the result with their
    /// next pull; the calendar's time zone becomes the workspace's.
    pub async fn change_rules(&self, actor: &User, change: &RulesChange) -> Result<WorkspaceRules> {
        // Read, decide and write in one transaction that holds the workspace row (PostgreSQL
        // locks it; SQLite has one writer), so two admins' changes never lose one another.
        let mut tx = self.pool.begin().await?;
        sqlx::query(self.lock_meta_sql()).execute(&mut *tx).await?;
        let current = Self::rules_in(&mut tx).await?;
        let (tz,): (String,) =
            sqlx::query_as("SELECT timezone FROM server_meta WHERE singleton = 1")
                .fetch_one(&mut *tx)
                .await?;
        let teams: Vec<String> = sqlx::query_scalar("SELECT name FROM teams ORDER BY name")
            .fetch_all(&mut *tx)
            .await?;
        let agents: Vec<String> =
            sqlx::query_scalar("SELECT email FROM users WHERE role IN ('agent', 'admin')")
                .fetch_all(&mut *tx)
                .await?;
        let next = change_rules(
            actor,
            &current,
            || SlaRules {
                policy: SlaPolicy::defaults(SERVER_POLICY_ID),
                calendar: CalendarSpec::business_hours(&tz),
            },
            change,
        )
        .and_then(|next| {
            helpdeck_core::workspace::check_references(change, &teams, &agents)?;
            Ok(next)
        })
        .map_err(|e| match e {
            DomainError::Forbidden(m) => ServerError::Forbidden(m),
            other => ServerError::BadRequest(other.to_string()),
        })?;
        let sla = next
            .sla
            .as_ref()
            .expect("changed rules carry the SLA rules");
        sqlx::query(
            "UPDATE server_meta SET categories = $1, reopen_window_days = $2, auto_close_days = $3, \
             sla_policy = $4, sla_calendar = $5, timezone = $6, assignment_rules = $7, \
             escalation_rules = $8, shared_views = $9, maintenance_plans = $10, \
             checklist_templates = $11, parts_catalogue = $12 WHERE singleton = 1",
        )
        .bind(serde_json::to_string(&next.categories).expect("categories serialize"))
        .bind(next.reopen_window_days)
        .bind(next.auto_close_days)
        .bind(serde_json::to_string(&sla.policy).expect("policy serializes"))
        .bind(serde_json::to_string(&sla.calendar).expect("calendar serializes"))
        .bind(&sla.calendar.timezone)
        .bind(serde_json::to_string(&next.assignment).expect("rules serialize"))
        .bind(serde_json::to_string(&next.escalation).expect("rules serialize"))
        .bind(serde_json::to_string(&next.views).expect("views serialize"))
        .bind(serde_json::to_string(&next.plans).expect("plans serialize"))
        .bind(serde_json::to_string(&next.checklists).expect("templates serialize"))
        .bind(serde_json::to_string(&next.parts).expect("parts serialize"))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(actor = %actor.id, change = ?std::mem::discriminant(change), "workspace rules changed");
        Ok(next)
    }

    /// Changes the SLA policy on the server machine (`helpdeck server sla set`).
    pub async fn change_sla_policy(&self, change: &PolicyChange) -> Result<SlaPolicy> {
        let rules = self
            .change_rules(&User::system(), &RulesChange::Policy(change.clone()))
            .await?;
        Ok(rules.sla.expect("changed rules carry the SLA rules").policy)
    }

    /// Sets the workspace name and time zone (server flags).
    pub async fn configure(&self, name: Option<&str>, timezone: Option<&str>) -> Result<()> {
        if let Some(tz) = timezone {
            jiff::tz::TimeZone::get(tz).map_err(|_| {
                ServerError::BadRequest(format!(
                    "unknown time zone '{tz}' (allowed: IANA names such as Europe/Berlin, Asia/Shanghai, UTC)"
                ))
            })?;
            sqlx::query("UPDATE server_meta SET timezone = $1 WHERE singleton = 1")
                .bind(tz)
                .execute(&self.pool)
                .await?;
        }
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            sqlx::query("UPDATE server_meta SET name = $1 WHERE singleton = 1")
                .bind(n)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

/// The id of the server's one SLA policy (replicas keep their own id for their copy).
const SERVER_POLICY_ID: Uuid = Uuid::from_u128(0x5_1a);

pub fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::from_str(s).map_err(|e| ServerError::Internal(format!("bad id '{s}' in database: {e}")))
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_on_postgres_and_bare_on_sqlite() {
        assert_eq!(marks(Backend::Postgres, 3), "$1, $2, $3");
        assert_eq!(marks(Backend::Sqlite, 3), "?, ?, ?");
        assert_eq!(rows(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(rows(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(rows(Backend::Sqlite, 0, 2), "");
    }
}
