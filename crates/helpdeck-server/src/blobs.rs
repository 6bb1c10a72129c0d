//! Attachment bytes, out of band (spec §6.6): content-addressed files in the blob directory
//! beside the database, uploaded in chunks that resume where they stopped and downloaded in
//! chunks a customer may fetch only for files they may see.
//!
//! - `GET /blobs/{sha}/status` → `{size, received, complete}` (where to resume);
//! - `PUT /blobs/{sha}?offset=N&size=TOTAL` with one chunk (≤ 4 MiB) as the body; the last
//!   chunk completes the file after its SHA-256 is checked;
//! - `GET /blobs/{sha}?offset=N` → up to one chunk of a complete file.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use helpdeck_core::attachment::{AttachmentState, CHUNK_BYTES, DEFAULT_MAX_BYTES, validate_sha256};
use helpdeck_core::kb::{ArticleDoc, article_visible};
use helpdeck_core::sync::{CommentState, TicketDoc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::accounts::Caller;
use crate::db::{Backend, Db, now_ms};
use crate::error::{Result, ServerError};

/// Where an upload stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlobStatus {
    pub size: Option<u64>,
    pub received: u64,
    pub complete: bool,
}

/// The blob directory: complete files under `ab/abcdef…`, uploads in progress under `partial/`.
#[derive(Debug, Clone)]
pub struct BlobDir(pub PathBuf);

impl BlobDir {
    fn file(&self, sha: &str) -> PathBuf {
        self.0.join(&sha[..2]).join(sha)
    }
    fn partial(&self, sha: &str) -> PathBuf {
        self.0.join("partial").join(sha)
    }
}

fn io(what: &str, p: &Path, e: std::io::Error) -> ServerError {
    ServerError::Internal(format!("{what} {}: {e}", p.display()))
}

pub async fn status(db: &Db, sha: &str) -> Result<BlobStatus> {
    let sha = checked(sha)?;
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT size, received, complete FROM blobs WHERE sha256 = $1")
            .bind(&sha)
            .fetch_optional(&db.pool)
            .await?;
    Ok(match row {
        None => BlobStatus {
            size: None,
            received: 0,
            complete: false,
        },
        Some((size, received, complete)) => BlobStatus {
            size: Some(size as u64),
            received: received as u64,
            complete: complete != 0,
        },
    })
}

fn checked(sha: &str) -> Result<String> {
    validate_sha256(sha).map_err(|e| ServerError::BadRequest(e.to_string()))
}

/// Stores one chunk at `offset` of the `size`-byte file `sha`.
pub async fn put_chunk(
    db: &Db,
    dir: &BlobDir,
    caller: &Caller,
    sha: &str,
    offset: u64,
    size: u64,
    chunk: &[u8],
) -> Result<BlobStatus> {
    let sha = checked(sha)?;
    if size == 0 || size > DEFAULT_MAX_BYTES {
        return Err(ServerError::BadRequest(format!(
            "size: {size} bytes is not allowed (1 byte to {} MiB per file)",
            DEFAULT_MAX_BYTES / 1_048_576
        )));
    }
    if chunk.is_empty() || chunk.len() as u64 > CHUNK_BYTES {
        return Err(ServerError::BadRequest(format!(
            "a chunk is 1 byte to {} MiB (got {} bytes)",
            CHUNK_BYTES / 1_048_576,
            chunk.len()
        )));
    }
    if offset + chunk.len() as u64 > size {
        return Err(ServerError::BadRequest(format!(
            "the chunk at {offset} ends past the file's {size} bytes"
        )));
    }
    let mut tx = db.pool.begin().await?;
    let lock = match db.backend {
        // One writer on SQLite; on PostgreSQL the row lock serialises chunks of one file.
        Backend::Sqlite => "SELECT size, received, complete FROM blobs WHERE sha256 = $1",
        Backend::Postgres => {
            "SELECT size, received, complete FROM blobs WHERE sha256 = $1 FOR UPDATE"
        }
    };
    if db.backend == Backend::Sqlite {
        sqlx::query("UPDATE blobs SET received = received WHERE sha256 = $1")
            .bind(&sha)
            .execute(&mut *tx)
            .await?;
    }
    let row: Option<(i64, i64, i64)> = sqlx::query_as(lock)
        .bind(&sha)
        .fetch_optional(&mut *tx)
        .await?;
    let (known_size, received, complete) = match row {
        Some((s, r, c)) => (s as u64, r as u64, c != 0),
        None => {
            let sql = match db.backend {
                Backend::Sqlite => {
                    "INSERT OR IGNORE INTO blobs (sha256, size, received, complete, uploader_id, created_at) \
                     VALUES ($1, $2, 0, 0, $3, $4)"
                }
                Backend::Postgres => {
                    "INSERT INTO blobs (sha256, size, received, complete, uploader_id, created_at) \
                     VALUES ($1, $2, 0, 0, $3, $4) ON CONFLICT DO NOTHING"
                }
            };
            sqlx::query(sql)
                .bind(&sha)
                .bind(size as i64)
                .bind(caller.account.user.id.to_string())
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            // Another upload of the same file may have inserted it first: read it under
            // the lock, as it really is.
            let (s, r, c): (i64, i64, i64) =
                sqlx::query_as(lock).bind(&sha).fetch_one(&mut *tx).await?;
            (s as u64, r as u64, c != 0)
        }
    };
    if complete {
        tx.commit().await?;
        return Ok(BlobStatus {
            size: Some(known_size),
            received: known_size,
            complete: true,
        });
    }
    if known_size != size {
        return Err(ServerError::Conflict(format!(
            "this file is being uploaded with {known_size} bytes, not {size}"
        )));
    }
    if offset != received {
        return Err(ServerError::Conflict(format!(
            "expected the chunk at offset {received} (resume from there)"
        )));
    }
    let partial = dir.partial(&sha);
    let done = offset + chunk.len() as u64 == size;
    let final_path = dir.file(&sha);
    let data = chunk.to_vec();
    let sha_c = sha.clone();
    let ok = tokio::task::spawn_blocking(move || -> Result<bool> {
        std::fs::create_dir_all(partial.parent().expect("has a parent"))
            .map_err(|e| io("create", &partial, e))?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .read(true)
            .open(&partial)
            .map_err(|e| io("open", &partial, e))?;
        // Bytes past the recorded offset are from a chunk whose commit was lost: drop them.
        f.set_len(offset).map_err(|e| io("truncate", &partial, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| io("seek", &partial, e))?;
        f.write_all(&data).map_err(|e| io("write", &partial, e))?;
        f.sync_data().map_err(|e| io("sync", &partial, e))?;
        if !done {
            return Ok(true);
        }
        f.seek(SeekFrom::Start(0))
            .map_err(|e| io("seek", &partial, e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf).map_err(|e| io("read", &partial, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        if hex::encode(hasher.finalize()) != sha_c {
            let _ = std::fs::remove_file(&partial);
            return Ok(false);
        }
        std::fs::create_dir_all(final_path.parent().expect("has a parent"))
            .map_err(|e| io("create", &final_path, e))?;
        std::fs::rename(&partial, &final_path).map_err(|e| io("rename", &final_path, e))?;
        Ok(true)
    })
    .await
    .map_err(|e| ServerError::Internal(e.to_string()))??;
    if !ok {
        sqlx::query("DELETE FROM blobs WHERE sha256 = $1 AND complete = 0")
            .bind(&sha)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(ServerError::BadRequest(format!(
            "the uploaded content does not match its SHA-256 {sha}; upload it again"
        )));
    }
    let received = offset + chunk.len() as u64;
    sqlx::query("UPDATE blobs SET received = $1, complete = $2 WHERE sha256 = $3")
        .bind(received as i64)
        .bind(i64::from(done))
        .bind(&sha)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(BlobStatus {
        size: Some(size),
        received,
        complete: done,
    })
}

/// May `caller` read the file `sha`? Staff: any file attached somewhere or shown by an
/// article. Customers: a file attached to a ticket they see, on the ticket itself or on a
/// public reply, or shown by an article they may read (public and published).
async fn may_read(db: &Db, caller: &Caller, sha: &str) -> Result<bool> {
    Ok(may_read_attachment(db, caller, sha).await?
        || may_read_article_file(db, caller, sha).await?)
}

async fn may_read_article_file(db: &Db, caller: &Caller, sha: &str) -> Result<bool> {
    let docs: Vec<(String,)> = sqlx::query_as(
        "SELECT a.doc FROM article_files f JOIN articles a ON a.id = f.article_id WHERE f.sha256 = $1",
    )
    .bind(sha)
    .fetch_all(&db.pool)
    .await?;
    for (doc,) in docs {
        let doc: ArticleDoc = serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad article doc: {e}")))?;
        if article_visible(&caller.account.user, &doc.article) {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn may_read_attachment(db: &Db, caller: &Caller, sha: &str) -> Result<bool> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT state FROM attachments WHERE sha256 = $1")
        .bind(sha)
        .fetch_all(&db.pool)
        .await?;
    let viewer = &caller.account.user;
    for (state,) in rows {
        let a: AttachmentState = serde_json::from_str(&state)
            .map_err(|e| ServerError::Internal(format!("bad attachment: {e}")))?;
        if helpdeck_core::permission::can_see_internal(viewer) {
            return Ok(true);
        }
        let doc: Option<(String,)> = sqlx::query_as("SELECT doc FROM tickets WHERE id = $1")
            .bind(a.ticket_id.to_string())
            .fetch_optional(&db.pool)
            .await?;
        let Some((doc,)) = doc else { continue };
        let doc: TicketDoc = serde_json::from_str(&doc)
            .map_err(|e| ServerError::Internal(format!("bad ticket doc: {e}")))?;
        if !helpdeck_core::permission::can_see(viewer, &doc.ticket) {
            continue;
        }
        let comment = match a.comment_id {
            None => None,
            Some(c) => {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT state FROM comments WHERE id = $1")
                        .bind(c.to_string())
                        .fetch_optional(&db.pool)
                        .await?;
                row.map(|(s,)| serde_json::from_str::<CommentState>(&s))
                    .transpose()
                    .map_err(|e| ServerError::Internal(format!("bad comment: {e}")))?
            }
        };
        if helpdeck_core::sync::attachment_visible(viewer, &a, comment.as_ref()) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Up to one chunk of the complete file `sha` from `offset`.
pub async fn read_chunk(
    db: &Db,
    dir: &BlobDir,
    caller: &Caller,
    sha: &str,
    offset: u64,
) -> Result<(Vec<u8>, u64)> {
    let sha = checked(sha)?;
    // A file the caller may not see answers exactly like one that does not exist.
    let missing = || ServerError::NotFound(format!("no file {sha}"));
    if !may_read(db, caller, &sha).await? {
        return Err(missing());
    }
    let st = status(db, &sha).await?;
    if !st.complete {
        return Err(ServerError::Conflict(format!(
            "file {sha} is not uploaded yet ({} of {} bytes); try again later",
            st.received,
            st.size.unwrap_or(0)
        )));
    }
    let size = st.size.unwrap_or(0);
    if offset > size {
        return Err(ServerError::BadRequest(format!(
            "offset {offset} is past the end of the file ({size} bytes)"
        )));
    }
    let path = dir.file(&sha);
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
        let mut f = std::fs::File::open(&path).map_err(|e| io("open", &path, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| io("seek", &path, e))?;
        let mut buf = Vec::with_capacity(CHUNK_BYTES.min(size - offset) as usize);
        f.take(CHUNK_BYTES)
            .read_to_end(&mut buf)
            .map_err(|e| io("read", &path, e))?;
        Ok(buf)
    })
    .await
    .map_err(|e| ServerError::Internal(e.to_string()))??;
    Ok((bytes, size))
}
