//! Connecting a local workspace to a server (`helpdeck connect`).
//!
//! The local data dir is never changed in place. A new replica is made beside it
//! (`<dir>.connecting`), checked against the server's categories and staff, loaded with
//! the upload as ordinary queued ops, and synced until the queue is empty. Only then does
//! it take the data dir's place; the local workspace is kept beside it as
//! `<dir>.local-<time>`. An interrupted connect resumes from the queue on the next run;
//! a refused upload leaves the local workspace as it was and says what to fix.

use std::path::{Path, PathBuf};

use helpdeck_store::{Store, StoreError, Upload, UploadSummary};

use crate::error::{Result, SyncError};
use crate::session::{client_for, login, logout};

/// Marks a staging replica whose upload is queued (a rerun resumes instead of re-queuing).
const QUEUED_MARK: &str = "connect-queued";

/// What connecting did.
pub struct Connected {
    /// The data dir, now a replica of the server.
    pub store: Store,
    pub uploaded: UploadSummary,
    /// Where the local workspace was moved (kept, untouched).
    pub backup: PathBuf,
}

/// The staging replica beside `data_dir`.
pub fn staging_dir(data_dir: &Path) -> PathBuf {
    let mut name = data_dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "helpdeck".into());
    name.push(".connecting");
    data_dir.with_file_name(name)
}

/// What connecting `data_dir` would upload (for the confirmation).
pub async fn plan(data_dir: &Path) -> Result<UploadSummary> {
    let local = Store::open(data_dir).await?;
    let plan = local_upload(&local).await;
    local.shutdown().await;
    Ok(plan?.0.summary())
}

async fn local_upload(local: &Store) -> Result<(Upload, Vec<String>)> {
    if let Some(state) = local.replica().sync_state().await? {
        return Err(SyncError::Setup(format!(
            "{} is already connected to {} as {}",
            local.path().display(),
            state.server_url,
            state.email
        )));
    }
    let upload = local.connect().upload_plan().await?;
    let staff = local
        .users()
        .await?
        .into_iter()
        .filter(|u| u.is_staff())
        .map(|u| u.email)
        .collect();
    Ok((upload, staff))
}

/// Connects the local workspace in `data_dir` to a server as `email`.
pub async fn connect(
    data_dir: &Path,
    server_url: &str,
    email: &str,
    password: &str,
    device_name: &str,
) -> Result<Connected> {
    let local = Store::open(data_dir).await?;
    let (upload, local_staff) = match local_upload(&local).await {
        Ok(u) => u,
        Err(e) => {
            local.shutdown().await;
            return Err(e);
        }
    };
    let owner = local.actor().email.clone();
    let language = local.workspace().language.clone();
    let staging = staging_dir(data_dir);
    let queued = staging.join(QUEUED_MARK).exists();
    if staging.exists() && !queued {
        // A connect that stopped before queuing anything: start it again.
        discard(&staging).await;
    }
    let store = match login(
        &staging,
        server_url,
        email,
        password,
        device_name,
        &language,
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            local.shutdown().await;
            return Err(e);
        }
    };
    // The local owner is whoever connects: their replies and assignments become this
    // account's.
    let mut upload = upload;
    upload.rename_person(&owner, &store.actor().email);
    let local_staff: Vec<String> = local_staff
        .into_iter()
        .map(|e| {
            if e.eq_ignore_ascii_case(&owner) {
                store.actor().email.clone()
            } else {
                e
            }
        })
        .collect();
    let result = upload_into(&store, &local, &upload, &local_staff, queued, &staging).await;
    local.shutdown().await;
    store.shutdown().await;
    if let Err(e) = result {
        if !staging.join(QUEUED_MARK).exists() || matches!(e, SyncError::Refused(_)) {
            // Nothing queued, or the server refused part of it: nothing to resume.
            discard(&staging).await;
        }
        return Err(e);
    }
    let stamp = helpdeck_core::Timestamp::now()
        .strftime("%Y%m%d-%H%M%S")
        .to_string();
    let mut backup_name = data_dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "helpdeck".into());
    backup_name.push(format!(".local-{stamp}"));
    let backup = data_dir.with_file_name(backup_name);
    std::fs::rename(data_dir, &backup).map_err(|e| io(data_dir, e))?;
    if let Err(e) = std::fs::rename(&staging, data_dir) {
        // Put the local workspace back where it was.
        let _ = std::fs::rename(&backup, data_dir);
        return Err(io(&staging, e));
    }
    let _ = std::fs::remove_file(data_dir.join(QUEUED_MARK));
    let store = Store::open(data_dir).await?;
    Ok(Connected {
        store,
        uploaded: upload.summary(),
        backup,
    })
}

async fn upload_into(
    store: &Store,
    local: &Store,
    upload: &Upload,
    local_staff: &[String],
    queued: bool,
    staging: &Path,
) -> Result<()> {
    let client = client_for(store).await?;
    if !queued {
        // The server's categories and people first, to check the upload against.
        crate::engine::sync_once(store, &client).await?;
        store.connect().check_upload(upload, local_staff).await?;
        store.connect().queue_upload(upload, local).await?;
        std::fs::write(staging.join(QUEUED_MARK), b"").map_err(|e| io(staging, e))?;
    }
    // Each round pushes the whole queue; files that failed are retried next round.
    for _ in 0..MAX_ROUNDS {
        crate::engine::sync_once(store, &client).await?;
        let state = store
            .replica()
            .sync_state()
            .await?
            .ok_or_else(|| SyncError::Setup("the new replica lost its server".into()))?;
        let files_waiting = store
            .files()
            .blob_transfers()
            .await?
            .iter()
            .any(|t| t.direction == "up");
        if state.rejected > 0 {
            let refused = store.replica().rejections().await?;
            let first: Vec<String> = refused.iter().take(5).map(|r| r.error.clone()).collect();
            return Err(SyncError::Refused(format!(
                "the server refused {} of the uploaded changes ({}{}); the local workspace is unchanged — fix it and run connect again",
                refused.len(),
                first.join("; "),
                if refused.len() > first.len() {
                    "; …"
                } else {
                    ""
                }
            )));
        }
        if state.pending == 0 && !files_waiting {
            return Ok(());
        }
    }
    Err(SyncError::Offline(
        "some files could not be uploaded yet; run connect again to resume".into(),
    ))
}

/// Sync rounds a connect tries before it stops (a rerun resumes).
const MAX_ROUNDS: usize = 5;

/// Removes a staging replica (signing its device out first).
async fn discard(staging: &Path) {
    if let Ok(s) = Store::open(staging).await {
        if let Err(e) = logout(&s).await {
            tracing::warn!(error = %e, "could not sign the unfinished connection out");
        }
        s.shutdown().await;
    }
    if let Err(e) = helpdeck_store::vault::forget_key(staging).await {
        tracing::warn!(error = %e, "could not remove the unfinished connection's key from the keyring");
    }
    if let Err(e) = std::fs::remove_dir_all(staging) {
        tracing::warn!(error = %e, dir = %staging.display(), "could not remove the unfinished connection");
    }
}

fn io(path: &Path, e: std::io::Error) -> SyncError {
    SyncError::Store(StoreError::Io {
        path: path.display().to_string(),
        source: e,
    })
}
