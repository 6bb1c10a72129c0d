//! Attachment files beside the operation queue: after the ops of a round are pushed and
//! pulled, files still to upload go up and files pulled by reference come down, each in
//! chunks that resume where the last attempt stopped (an upload asks the server how much it
//! has; a download appends to its partial file). A file that fails waits for the next round;
//! it never holds up an op.

use helpdeck_core::attachment::CHUNK_BYTES;
use helpdeck_store::{BlobTransfer, Store};

use crate::client::Client;
use crate::error::{Result, SyncError};

/// What moved this round.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct FilesMoved {
    pub uploaded: usize,
    pub downloaded: usize,
    /// Still waiting (failed this round, or not uploaded by their owner yet).
    pub waiting: usize,
}

/// Which way files move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// Moves every waiting file of one direction once. Only a lost session is an error of the
/// round.
pub async fn transfer(store: &Store, client: &Client, direction: Direction) -> Result<FilesMoved> {
    let mut moved = FilesMoved::default();
    let wanted = match direction {
        Direction::Up => "up",
        Direction::Down => "down",
    };
    for t in store
        .files()
        .blob_transfers()
        .await?
        .into_iter()
        .filter(|t| t.direction == wanted)
    {
        let result = if t.direction == "up" {
            upload(store, client, &t).await
        } else {
            download(store, client, &t).await
        };
        match result {
            Ok(()) => {
                store
                    .files()
                    .blob_transfer_done(&t.sha256, &t.direction)
                    .await?;
                if t.direction == "up" {
                    moved.uploaded += 1;
                } else {
                    moved.downloaded += 1;
                }
            }
            Err(SyncError::Unauthorized(m)) => return Err(SyncError::Unauthorized(m)),
            Err(e) => {
                tracing::info!(sha = %t.sha256, direction = %t.direction, error = %e, "file transfer waits");
                store
                    .files()
                    .blob_transfer_failed(&t.sha256, &t.direction, &e.to_string())
                    .await?;
                moved.waiting += 1;
                if matches!(e, SyncError::Offline(_)) {
                    // The server is gone for now: the rest waits too.
                    break;
                }
            }
        }
    }
    Ok(moved)
}

async fn upload(store: &Store, client: &Client, t: &BlobTransfer) -> Result<()> {
    let status = client.blob_status(&t.sha256).await?;
    if status.complete {
        return Ok(());
    }
    let bytes = store.files().read_blob(&t.sha256)?;
    if bytes.len() as u64 != t.size {
        return Err(SyncError::Setup(format!(
            "attachment file {} is {} bytes here, not {}",
            t.sha256,
            bytes.len(),
            t.size
        )));
    }
    let mut offset = status.received;
    // Every chunk once, plus a few answers that say where to resume: never a loop.
    let mut budget = t.size / CHUNK_BYTES + 4;
    while offset < t.size {
        if budget == 0 {
            return Err(SyncError::Refused(format!(
                "the upload of {} makes no progress; it is retried next round",
                t.sha256
            )));
        }
        budget -= 1;
        let len = CHUNK_BYTES.min(t.size - offset) as usize;
        let chunk = bytes[offset as usize..offset as usize + len].to_vec();
        match client.put_chunk(&t.sha256, offset, t.size, chunk).await {
            Ok(st) if st.complete => return Ok(()),
            Ok(st) => offset = st.received,
            Err(SyncError::Refused(m)) if m.contains("resume from there") => {
                // Another attempt (or device) got further: continue from the server's count.
                let st = client.blob_status(&t.sha256).await?;
                if st.complete {
                    return Ok(());
                }
                offset = st.received;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn download(store: &Store, client: &Client, t: &BlobTransfer) -> Result<()> {
    if store.files().has_blob(&t.sha256) {
        return Ok(());
    }
    // Received chunks are kept sealed, like every file of the workspace.
    let files = store.files();
    let mut offset = files.partial_len(&t.sha256)?;
    if offset > t.size {
        files.discard_partial(&t.sha256)?;
        offset = 0;
    }
    while offset < t.size {
        let (bytes, size) = client.get_chunk(&t.sha256, offset).await?;
        if bytes.is_empty() || size != t.size {
            return Err(SyncError::Refused(format!(
                "the server's file {} is {size} bytes, not {}",
                t.sha256, t.size
            )));
        }
        files.append_partial(&t.sha256, &bytes)?;
        offset += bytes.len() as u64;
    }
    Ok(())
}
