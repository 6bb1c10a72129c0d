//! Attachments on this device: the `attachments` table's writes (shared by the interactive
//! path and pull), the files, content-addressed under `<data dir>/blobs/ab/abcdef…`, and the
//! queue of files still to move to or from the server (`blob_transfers`). The sync engine
//! moves them beside the operation queue (helpdeck-sync), in resumable chunks.

use std::path::{Path, PathBuf};

use helpdeck_core::attachment::{media_type_of, validate_sha256};
use helpdeck_core::command::NewFile;
use helpdeck_core::new_id;
use sha2::{Digest, Sha256};
use tracing::instrument;

use crate::error::{Result, StoreError};
use crate::rows::ms;
use crate::write::{Arg, Batch};
use crate::{Files, Store, vault};

/// A file still to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobTransfer {
    pub sha256: String,
    /// `up` (to the server) or `down` (from it).
    pub direction: String,
    pub size: u64,
    pub attempts: i64,
}

pub(crate) fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

impl Store {
    fn blob_root(&self) -> PathBuf {
        self.path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("blobs")
    }
}

/// Writes an attachment's metadata (insert-only).
pub(crate) fn push_attachment(batch: &mut Batch, a: &helpdeck_core::attachment::AttachmentState) {
    batch.push(
        "INSERT OR IGNORE INTO attachments (id, ticket_id, comment_id, sha256, name, media_type, size, uploader_id, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            Arg::text(a.id),
            Arg::text(a.ticket_id),
            Arg::opt(a.comment_id),
            Arg::text(&a.sha256),
            Arg::text(&a.name),
            Arg::text(&a.media_type),
            Arg::Int(a.size as i64),
            Arg::text(a.uploader_id),
            Arg::Int(ms(a.created_at)),
        ],
    );
}

impl Files<'_> {
    /// Where the file with this content address is (or will be) kept.
    /// Anything but 64 lower-case hex digits maps to a name that cannot exist, so no path
    /// escapes the blob directory.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        match validate_sha256(sha256) {
            Ok(sha) if sha == sha256 => self.0.blob_root().join(&sha[..2]).join(&sha),
            _ => self.0.blob_root().join("invalid"),
        }
    }

    /// Where a download in progress is kept (it resumes from its length).
    pub fn blob_partial_path(&self, sha256: &str) -> PathBuf {
        match validate_sha256(sha256) {
            Ok(sha) if sha == sha256 => self.0.blob_root().join("partial").join(sha),
            _ => self.0.blob_root().join("partial").join("invalid"),
        }
    }

    /// Is the file here?
    pub fn has_blob(&self, sha256: &str) -> bool {
        self.0.files().blob_path(sha256).is_file()
    }

    /// Copies a file into the blob store (hashing it on the way) and describes it for
    /// attaching: name, media type, size, content address. Refuses a file over the limit
    /// before copying anything.
    #[instrument(skip_all, err)]
    pub fn import_file(&self, path: &Path) -> Result<NewFile> {
        let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
        if !meta.is_file() {
            return Err(helpdeck_core::DomainError::invalid(
                "attach",
                format!("{} is not a file", path.display()),
            )
            .into());
        }
        let max = self.0.rules.max_attachment_bytes;
        if meta.len() > max {
            return Err(helpdeck_core::DomainError::invalid(
                "attach",
                format!(
                    "{} is {:.1} MiB (at most {:.0} MiB per file)",
                    path.display(),
                    meta.len() as f64 / 1_048_576.0,
                    max as f64 / 1_048_576.0
                ),
            )
            .into());
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "file".into());
        let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
        self.0.files().import_bytes(&name, &bytes)
    }

    /// Puts bytes (a pasted screenshot, a dropped file) into the blob store.
    pub fn import_bytes(&self, name: &str, bytes: &[u8]) -> Result<NewFile> {
        let sha = hex::encode(Sha256::digest(bytes));
        let dest = self.0.files().blob_path(&sha);
        if !dest.is_file() {
            vault::write_sealed(&self.0.key, &sha, &dest, bytes)?;
        }
        Ok(NewFile {
            id: new_id(),
            sha256: sha,
            name: name.to_string(),
            media_type: media_type_of(name).to_string(),
            size: bytes.len() as u64,
        })
    }

    /// Files waiting to go up or come down, uploads first.
    pub async fn blob_transfers(&self) -> Result<Vec<BlobTransfer>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT sha256, direction, size, attempts FROM blob_transfers \
             ORDER BY direction DESC, attempts, sha256",
        )
        .fetch_all(&self.0.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(sha256, direction, size, attempts)| BlobTransfer {
                sha256,
                direction,
                size: size as u64,
                attempts,
            })
            .collect())
    }

    /// The bytes of the file `sha256` on this device (opened with the workspace's key).
    pub fn read_blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let sha = validate_sha256(sha256)?;
        let path = self.0.files().blob_path(&sha);
        if !path.is_file() {
            return Err(StoreError::NotFound(format!(
                "file {sha} is not on this device yet; it arrives with the next sync"
            )));
        }
        vault::read_sealed(&self.0.key, &sha, &path)
    }

    /// How much of a download in progress is here (a frame cut by a crash is dropped).
    pub fn partial_len(&self, sha256: &str) -> Result<u64> {
        let path = self.0.files().blob_partial_path(sha256);
        Ok(vault::partial_frames(&self.0.key, sha256, &path)?.len() as u64)
    }

    /// Adds a received chunk to a download in progress (sealed, like every file here).
    pub fn append_partial(&self, sha256: &str, chunk: &[u8]) -> Result<()> {
        let path = self.0.files().blob_partial_path(sha256);
        vault::append_frame(&self.0.key, sha256, &path, chunk)
    }

    /// Drops a download in progress (it starts again).
    pub fn discard_partial(&self, sha256: &str) -> Result<()> {
        let path = self.0.files().blob_partial_path(sha256);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path, e)),
            _ => Ok(()),
        }
    }

    /// A transfer finished: a download is checked against its address and moved in place.
    pub async fn blob_transfer_done(&self, sha256: &str, direction: &str) -> Result<()> {
        if direction == "down" {
            let partial = self.0.files().blob_partial_path(sha256);
            let bytes = vault::partial_frames(&self.0.key, sha256, &partial)?;
            if hex::encode(Sha256::digest(&bytes)) != sha256 {
                let _ = std::fs::remove_file(&partial);
                return Err(StoreError::Conflict(format!(
                    "the downloaded file does not match its SHA-256 {sha256}; it will be fetched again"
                )));
            }
            let dest = self.0.files().blob_path(sha256);
            vault::write_sealed(&self.0.key, sha256, &dest, &bytes)?;
            let _ = std::fs::remove_file(&partial);
        }
        sqlx::query("DELETE FROM blob_transfers WHERE sha256 = ? AND direction = ?")
            .bind(sha256)
            .bind(direction)
            .execute(&self.0.pool)
            .await?;
        Ok(())
    }

    /// A transfer failed this round; it is retried next round.
    pub async fn blob_transfer_failed(
        &self,
        sha256: &str,
        direction: &str,
        error: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE blob_transfers SET attempts = attempts + 1, last_error = ? WHERE sha256 = ? AND direction = ?",
        )
        .bind(error)
        .bind(sha256)
        .bind(direction)
        .execute(&self.0.pool)
        .await?;
        Ok(())
    }

    /// Copies the file `sha256` out to `out` (`attachment get`).
    pub fn export_blob(&self, sha256: &str, out: &Path) -> Result<u64> {
        let sha = validate_sha256(sha256)?;
        if !self.0.files().has_blob(&sha) {
            return Err(StoreError::NotFound(format!(
                "file {sha} is not on this device (yet): run `helpdeck sync --once` to fetch it"
            )));
        }
        let bytes = self.0.files().read_blob(&sha)?;
        std::fs::write(out, &bytes).map_err(|e| io(out, e))?;
        Ok(bytes.len() as u64)
    }
}
