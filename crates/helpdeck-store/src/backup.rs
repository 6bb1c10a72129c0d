//! Backups: one file, encrypted with a passphrase, that holds a whole workspace (or a whole
//! server on SQLite) — every table and every attachment file.
//!
//! The file is itself a SQLCipher database keyed by the passphrase (SQLCipher's PBKDF2-
//! HMAC-SHA512, 256,000 rounds): the source's tables exported in one read transaction
//! (`sqlcipher_export`, online — writers go on, the backup sees one moment), plus
//! `backup_meta` (format, kind, time) and `backup_files` (each attachment's bytes). It is
//! written beside its final name and renamed when complete, so a backup that exists is whole.
//!
//! A restore makes a new database from it (under a new workspace key, or plain for a
//! server) and writes the files back; it refuses a target that already holds data.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use crate::error::{Result, StoreError};
use crate::vault::{self, KeySource};
use crate::{DB_FILE, Store, db};

/// The version of the backup layout this build writes and reads.
pub const BACKUP_FORMAT: i64 = 1;

/// The shortest passphrase accepted: it is all that protects a backup.
pub const MIN_PASSPHRASE: usize = 8;

/// What a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// A workspace on a device (local or a replica).
    Workspace,
    /// A Helpdeck server's SQLite database and blob directory.
    Server,
}

impl BackupKind {
    fn as_str(self) -> &'static str {
        match self {
            BackupKind::Workspace => "workspace",
            BackupKind::Server => "server",
        }
    }
}

/// What a backup or a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub kind: BackupKind,
    pub file: String,
    pub tickets: i64,
    pub files: u64,
    /// Size of the backup file.
    pub bytes: u64,
    /// Attachments the source listed but did not have (a replica that has not downloaded
    /// them yet): not in the backup.
    pub missing_files: u64,
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

fn invalid(field: &'static str, message: String) -> StoreError {
    helpdeck_core::DomainError::invalid(field, message).into()
}

/// Refuses a passphrase too short to protect anything.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(invalid(
            "passphrase",
            format!(
                "must be at least {MIN_PASSPHRASE} characters: it is all that protects the backup"
            ),
        ));
    }
    Ok(())
}

/// `passphrase` as a SQL string literal (for `PRAGMA key`).
fn quoted(passphrase: &str) -> String {
    format!("'{}'", passphrase.replace('\'', "''"))
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Writes the backup of the database open on `conn` to `out`. `files` lists the content
/// addresses to include (read inside the same transaction) and `read` fetches one
/// (`None`: not on this machine).
pub async fn write_backup(
    conn: &mut SqliteConnection,
    kind: BackupKind,
    out: &Path,
    passphrase: &str,
    files_sql: &str,
    read: &(dyn Fn(&str) -> Result<Option<Vec<u8>>> + Sync),
) -> Result<BackupSummary> {
    check_passphrase(passphrase)?;
    if out.exists() {
        return Err(invalid(
            "backup file",
            format!(
                "{} exists; choose a new file name (a backup never overwrites a file)",
                out.display()
            ),
        ));
    }
    let partial = partial_path(out);
    if partial.exists() {
        std::fs::remove_file(&partial).map_err(|e| io(&partial, e))?;
    }
    let result = export(conn, kind, &partial, passphrase, files_sql, read).await;
    let _ = sqlx::query("DETACH DATABASE backup")
        .execute(&mut *conn)
        .await;
    let (tickets, files, missing) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(&partial, e))?;
    std::fs::rename(&partial, out).map_err(|e| io(out, e))?;
    let bytes = std::fs::metadata(out).map_err(|e| io(out, e))?.len();
    Ok(BackupSummary {
        kind,
        file: out.display().to_string(),
        tickets,
        files,
        bytes,
        missing_files: missing,
    })
}

async fn export(
    conn: &mut SqliteConnection,
    kind: BackupKind,
    partial: &Path,
    passphrase: &str,
    files_sql: &str,
    read: &(dyn Fn(&str) -> Result<Option<Vec<u8>>> + Sync),
) -> Result<(i64, u64, u64)> {
    sqlx::query("ATTACH DATABASE ? AS backup KEY ?")
        .bind(partial.display().to_string())
        .bind(passphrase)
        .execute(&mut *conn)
        .await?;
    // One read transaction: the tables and the list of files are one moment of the source.
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT sqlcipher_export('backup')")
        .fetch_all(&mut *tx)
        .await?;
    sqlx::query("CREATE TABLE backup.backup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    for (k, v) in [
        ("format", BACKUP_FORMAT.to_string()),
        ("kind", kind.as_str().to_string()),
        ("created_at", jiff::Timestamp::now().to_string()),
        ("helpdeck", env!("CARGO_PKG_VERSION").to_string()),
    ] {
        sqlx::query("INSERT INTO backup.backup_meta (key, value) VALUES (?, ?)")
            .bind(k)
            .bind(v)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("CREATE TABLE backup.backup_files (sha256 TEXT PRIMARY KEY, bytes BLOB NOT NULL)")
        .execute(&mut *tx)
        .await?;
    let shas: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(files_sql.to_string()))
        .fetch_all(&mut *tx)
        .await?;
    let (mut files, mut missing) = (0u64, 0u64);
    for sha in shas {
        match read(&sha)? {
            Some(bytes) => {
                sqlx::query(
                    "INSERT OR IGNORE INTO backup.backup_files (sha256, bytes) VALUES (?, ?)",
                )
                .bind(&sha)
                .bind(bytes)
                .execute(&mut *tx)
                .await?;
                files += 1;
            }
            None => missing += 1,
        }
    }
    let tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM main.tickets")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((tickets, files, missing))
}

/// Opens a backup file with its passphrase and checks what it holds.
async fn open_backup(file: &Path, passphrase: &str, want: BackupKind) -> Result<SqliteConnection> {
    if !file.is_file() {
        return Err(StoreError::NotFound(format!(
            "no backup file at {}",
            file.display()
        )));
    }
    vault::quiet_sqlcipher().await;
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .pragma("key", quoted(passphrase))
        // ATTACH makes the restored file only on a connection allowed to create files.
        .create_if_missing(true)
        .connect()
        .await?;
    let meta: std::result::Result<Vec<(String, String)>, sqlx::Error> =
        sqlx::query_as("SELECT key, value FROM backup_meta")
            .fetch_all(&mut conn)
            .await;
    let meta = meta.map_err(|_| {
        invalid(
            "backup file",
            format!(
                "{} does not open with this passphrase (a wrong passphrase, or not a Helpdeck backup); nothing was restored",
                file.display()
            ),
        )
    })?;
    let get = |k: &str| {
        meta.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let format: i64 = get("format").and_then(|f| f.parse().ok()).unwrap_or(0);
    if format > BACKUP_FORMAT || format < 1 {
        return Err(invalid(
            "backup file",
            format!(
                "{} is in backup format {format}; this Helpdeck reads format {BACKUP_FORMAT}: restore it with a newer Helpdeck",
                file.display()
            ),
        ));
    }
    if get("kind") != Some(want.as_str()) {
        let hint = match want {
            BackupKind::Workspace => "a server backup: restore it with `helpdeck server restore`",
            BackupKind::Server => "a workspace backup: restore it with `helpdeck restore`",
        };
        return Err(invalid(
            "backup file",
            format!("{} is {hint}", file.display()),
        ));
    }
    Ok(conn)
}

/// Copies the backup's tables into a new database at `target` (keyed by `raw_key`, or
/// plain when `None`), then hands each file to `write`. The new database is built under a
/// temporary name and renamed in place last.
async fn restore_into(
    mut conn: SqliteConnection,
    target: &Path,
    raw_key: Option<&str>,
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
) -> Result<(i64, u64)> {
    let building = partial_path(target);
    for stale in [
        building.clone(),
        PathBuf::from(format!("{}-journal", building.display())),
    ] {
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| io(&stale, e))?;
        }
    }
    sqlx::query("ATTACH DATABASE ? AS restored KEY ?")
        .bind(building.display().to_string())
        .bind(raw_key.unwrap_or(""))
        .execute(&mut conn)
        .await?;
    let copied: Result<(i64, u64)> = async {
        sqlx::query("SELECT sqlcipher_export('restored')")
            .fetch_all(&mut conn)
            .await?;
        sqlx::query("DROP TABLE restored.backup_meta")
            .execute(&mut conn)
            .await?;
        sqlx::query("DROP TABLE restored.backup_files")
            .execute(&mut conn)
            .await?;
        let tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM restored.tickets")
            .fetch_one(&mut conn)
            .await?;
        let mut files = 0u64;
        let mut rows =
            sqlx::query_as::<_, (String, Vec<u8>)>("SELECT sha256, bytes FROM main.backup_files")
                .fetch_all(&mut conn)
                .await?;
        for (sha, bytes) in rows.drain(..) {
            write(&sha, &bytes)?;
            files += 1;
        }
        Ok((tickets, files))
    }
    .await;
    let _ = sqlx::query("DETACH DATABASE restored")
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    let copied = match copied {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&building);
            return Err(e);
        }
    };
    std::fs::File::open(&building)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(&building, e))?;
    std::fs::rename(&building, target).map_err(|e| io(target, e))?;
    Ok(copied)
}

impl Store {
    /// Writes an online, consistent backup of this workspace (every table and every
    /// attachment file on this device) to `out`, encrypted with `passphrase`.
    pub async fn backup(&self, out: &Path, passphrase: &str) -> Result<BackupSummary> {
        let mut conn = db::connect_one(&self.path, &self.key).await?;
        let files = self.files();
        let read = |sha: &str| -> Result<Option<Vec<u8>>> {
            if files.has_blob(sha) {
                files.read_blob(sha).map(Some)
            } else {
                Ok(None)
            }
        };
        let summary = write_backup(
            &mut conn,
            BackupKind::Workspace,
            out,
            passphrase,
            "SELECT DISTINCT sha256 FROM main.attachments ORDER BY sha256",
            &read,
        )
        .await;
        let _ = conn.close().await;
        summary
    }

    /// Restores a workspace backup into `data_dir`, which must hold no workspace: a new key
    /// (kept where `source` says) encrypts the restored database and files.
    pub async fn restore(
        file: &Path,
        passphrase: &str,
        data_dir: &Path,
        source: &KeySource,
    ) -> Result<BackupSummary> {
        let target = data_dir.join(DB_FILE);
        if std::fs::metadata(&target).is_ok_and(|m| m.len() > 0) {
            return Err(invalid(
                "data dir",
                format!(
                    "{} already holds a workspace; restore into a new data dir (--data-dir NEW) or move it away first",
                    data_dir.display()
                ),
            ));
        }
        let conn = open_backup(file, passphrase, BackupKind::Workspace).await?;
        std::fs::create_dir_all(data_dir).map_err(|e| io(data_dir, e))?;
        let key = vault::new_key(data_dir, source).await?;
        let blobs = data_dir.join("blobs");
        let write = |sha: &str, bytes: &[u8]| -> Result<()> {
            let sha = helpdeck_core::attachment::validate_sha256(sha)?;
            let path = blobs.join(&sha[..2]).join(&sha);
            vault::write_sealed(&key, &sha, &path, bytes)
        };
        let (tickets, files) =
            restore_into(conn, &target, Some(key.raw_key().as_str()), &write).await?;
        // Opens as the app will: migrations of a newer build run, the key is checked.
        let store = Store::open_from(data_dir, source).await?;
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&store.pool)
            .await?;
        store.shutdown().await;
        if ok != "ok" {
            return Err(StoreError::Conflict(format!(
                "the restored workspace fails its integrity check: {ok}"
            )));
        }
        Ok(BackupSummary {
            kind: BackupKind::Workspace,
            file: file.display().to_string(),
            tickets,
            files,
            bytes: std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
            missing_files: 0,
        })
    }
}

/// Backs up a server's SQLite database (online) and its blob directory.
pub async fn backup_server(
    db_file: &Path,
    blobs: &Path,
    out: &Path,
    passphrase: &str,
) -> Result<BackupSummary> {
    if !db_file.is_file() {
        return Err(StoreError::NotFound(format!(
            "no server database at {}",
            db_file.display()
        )));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(db_file)
        // ATTACH makes the backup file only on a connection allowed to create files.
        .create_if_missing(true)
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await?;
    let read = |sha: &str| -> Result<Option<Vec<u8>>> {
        let sha = helpdeck_core::attachment::validate_sha256(sha)?;
        match std::fs::read(blobs.join(&sha[..2]).join(&sha)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(blobs, e)),
        }
    };
    let summary = write_backup(
        &mut conn,
        BackupKind::Server,
        out,
        passphrase,
        "SELECT sha256 FROM main.blobs WHERE complete = 1 ORDER BY sha256",
        &read,
    )
    .await;
    let _ = conn.close().await;
    summary
}

/// Restores a server backup into a new SQLite file `db_file` and the blob directory
/// `blobs` (both must not hold data yet).
pub async fn restore_server(
    file: &Path,
    passphrase: &str,
    db_file: &Path,
    blobs: &Path,
) -> Result<BackupSummary> {
    if std::fs::metadata(db_file).is_ok_and(|m| m.len() > 0) {
        return Err(invalid(
            "database",
            format!(
                "{} exists; restore into a new file (--db NEW) or move it away first",
                db_file.display()
            ),
        ));
    }
    let conn = open_backup(file, passphrase, BackupKind::Server).await?;
    if let Some(dir) = db_file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let write = |sha: &str, bytes: &[u8]| -> Result<()> {
        let sha = helpdeck_core::attachment::validate_sha256(sha)?;
        let dir = blobs.join(&sha[..2]);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let path = dir.join(&sha);
        let tmp = dir.join(format!(".{sha}.restoring"));
        std::fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))
    };
    let (tickets, files) = restore_into(conn, db_file, None, &write).await?;
    Ok(BackupSummary {
        kind: BackupKind::Server,
        file: file.display().to_string(),
        tickets,
        files,
        bytes: std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
        missing_files: 0,
    })
}
