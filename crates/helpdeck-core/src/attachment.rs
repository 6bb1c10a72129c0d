//! Attachments (spec §3.1, §6.6): files on a ticket or a comment, addressed by the SHA-256 of
//! their content. The metadata travels as ops and is decided by the rule engine like any
//! change; the bytes travel out of band (`/blobs`), chunked and resumable.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::error::DomainError;

/// Largest file accepted by default (spec §3.1: 25 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// Size of one upload or download chunk.
pub const CHUNK_BYTES: u64 = 4 * 1024 * 1024;
/// Longest file name kept.
pub const MAX_NAME_CHARS: usize = 255;

/// A file as its uploader attaches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentDraft {
    pub ticket_id: Uuid,
    /// The reply or note it belongs to; none for a file on the ticket itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<Uuid>,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
}

/// An attachment as every replica and the server hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachmentState {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub comment_id: Option<Uuid>,
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    pub uploader_id: Uuid,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: Timestamp,
}

/// Checks a content address: 64 lower-case hex digits.
pub fn validate_sha256(sha: &str) -> Result<String, DomainError> {
    let s = sha.trim().to_ascii_lowercase();
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s)
    } else {
        Err(DomainError::invalid(
            "sha256",
            format!("'{sha}' is not a SHA-256 (expected 64 hex digits)"),
        ))
    }
}

/// A file by its content address, as a knowledge article carries it (an image shown in its
/// body as `![name](attachment:SHA256)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
}

/// Checks a file: address, a plain file name (no directories), a media type, the size limit.
pub fn validate_file(f: &FileRef, max_bytes: u64) -> Result<FileRef, DomainError> {
    let sha256 = validate_sha256(&f.sha256)?;
    let name = f
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if name.is_empty() || name == "." || name == ".." {
        return Err(DomainError::invalid("name", "a file needs a name"));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters without control characters"),
        ));
    }
    let media_type = f.media_type.trim().to_ascii_lowercase();
    let shaped = media_type.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && media_type.len() <= 100
            && media_type
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"/.+-_".contains(&c))
    });
    if !shaped {
        return Err(DomainError::invalid(
            "media_type",
            format!("'{}' is not a media type (such as image/png)", f.media_type),
        ));
    }
    if f.size == 0 {
        return Err(DomainError::invalid("size", "the file is empty"));
    }
    if f.size > max_bytes {
        return Err(DomainError::invalid(
            "size",
            format!(
                "{} is {:.1} MiB (at most {:.0} MiB per file)",
                name,
                f.size as f64 / 1_048_576.0,
                max_bytes as f64 / 1_048_576.0
            ),
        ));
    }
    Ok(FileRef {
        sha256,
        name,
        media_type,
        size: f.size,
    })
}

/// Checks a draft (see [`validate_file`]).
pub fn validate(d: &AttachmentDraft, max_bytes: u64) -> Result<AttachmentDraft, DomainError> {
    let f = validate_file(
        &FileRef {
            sha256: d.sha256.clone(),
            name: d.name.clone(),
            media_type: d.media_type.clone(),
            size: d.size,
        },
        max_bytes,
    )?;
    Ok(AttachmentDraft {
        sha256: f.sha256,
        name: f.name,
        media_type: f.media_type,
        ..d.clone()
    })
}

/// The media type of a file name (by extension; `application/octet-stream` when unknown).
pub fn media_type_of(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, size: u64) -> AttachmentDraft {
        AttachmentDraft {
            ticket_id: Uuid::nil(),
            comment_id: None,
            sha256: "A".repeat(64),
            name: name.into(),
            media_type: "Image/PNG".into(),
            size,
        }
    }

    #[test]
    fn drafts_are_normalised_and_bounded() {
        let d = validate(&draft("C:\\Users\\li\\屏幕截图.png", 10), DEFAULT_MAX_BYTES).unwrap();
        assert_eq!(d.name, "屏幕截图.png");
        assert_eq!(d.sha256, "a".repeat(64));
        assert_eq!(d.media_type, "image/png");
        let e = validate(&draft("big.mp4", DEFAULT_MAX_BYTES + 1), DEFAULT_MAX_BYTES).unwrap_err();
        assert!(e.to_string().contains("at most 25 MiB"), "{e}");
        assert!(validate(&draft("../", 1), DEFAULT_MAX_BYTES).is_err());
        assert!(validate(&draft("empty.txt", 0), DEFAULT_MAX_BYTES).is_err());
        let mut bad = draft("a.png", 1);
        bad.sha256 = "xyz".into();
        assert!(validate(&bad, DEFAULT_MAX_BYTES).is_err());
    }
}
