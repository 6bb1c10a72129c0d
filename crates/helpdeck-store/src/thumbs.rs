//! Thumbnails of image attachments: made on this device from its own copy of the file, the
//! first time one is asked for, and kept beside the blobs (`<data dir>/thumbs/ab/<sha>.jpg`
//! or `.png`). The timeline shows these instead of moving a 5 MB photo over IPC; the full
//! file opens on demand. The server never decodes an image.
//!
//! Decoding untrusted files is bounded: dimensions and memory are limited, and a file that
//! is not an image, or not a readable one, simply has no thumbnail.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use helpdeck_core::attachment::validate_sha256;
use image::{ImageFormat, ImageReader, Limits};
use serde::Serialize;

use crate::error::Result;
use crate::{Files, Store, vault};

/// Longest edge of a thumbnail, in pixels (sharp at 2× for a 240 px preview).
pub const THUMB_EDGE: u32 = 480;
/// Largest image decoded for a thumbnail.
const MAX_DIMENSION: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// A thumbnail: its bytes and what they are.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Thumbnail {
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Makes a thumbnail of `bytes` if they are a readable raster image (JPEG, PNG, GIF, WebP,
/// BMP): at most [`THUMB_EDGE`] on its longer side, JPEG unless it uses transparency.
pub fn make_thumbnail(bytes: &[u8]) -> Option<Thumbnail> {
    let format = image::guess_format(bytes).ok()?;
    if !matches!(
        format,
        ImageFormat::Jpeg
            | ImageFormat::Png
            | ImageFormat::Gif
            | ImageFormat::WebP
            | ImageFormat::Bmp
    ) {
        return None;
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let img = match reader.decode() {
        Ok(i) => i,
        Err(e) => {
            tracing::info!(error = %e, "no thumbnail: the image cannot be read");
            return None;
        }
    };
    let small = if img.width() > THUMB_EDGE || img.height() > THUMB_EDGE {
        img.thumbnail(THUMB_EDGE, THUMB_EDGE)
    } else {
        img
    };
    let mut out = Cursor::new(Vec::new());
    // PNG only where transparency is really used (clipboard screenshots are RGBA but opaque).
    let transparent = small.color().has_alpha() && small.to_rgba8().pixels().any(|p| p.0[3] < 255);
    let (media_type, written) = if transparent {
        ("image/png", small.write_to(&mut out, ImageFormat::Png))
    } else {
        let rgb = image::DynamicImage::ImageRgb8(small.to_rgb8());
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
        ("image/jpeg", enc.encode_image(&rgb))
    };
    written.ok()?;
    Some(Thumbnail {
        bytes: out.into_inner(),
        media_type,
        width: small.width(),
        height: small.height(),
    })
}

impl Store {
    pub(crate) fn thumb_path(&self, sha: &str, ext: &str) -> PathBuf {
        self.path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("thumbs")
            .join(&sha[..2])
            .join(format!("{sha}.{ext}"))
    }
}

impl Files<'_> {
    /// The thumbnail of a file on this device (made and kept the first time). `None`: the
    /// file is not an image this device can read. A file not here yet is an error that says
    /// it arrives with the next sync. Blocking (decodes and encodes): call it off the async
    /// executor.
    pub fn thumbnail(&self, sha256: &str) -> Result<Option<Thumbnail>> {
        let sha = validate_sha256(sha256)?;
        for (ext, media_type) in [("jpg", "image/jpeg"), ("png", "image/png")] {
            let p = self.0.thumb_path(&sha, ext);
            if p.is_file() {
                let bytes = vault::read_sealed(&self.0.key, &thumb_label(&sha), &p)?;
                let (width, height) = image::ImageReader::new(Cursor::new(&bytes))
                    .with_guessed_format()
                    .ok()
                    .and_then(|r| r.into_dimensions().ok())
                    .unwrap_or((0, 0));
                return Ok(Some(Thumbnail {
                    bytes,
                    media_type,
                    width,
                    height,
                }));
            }
        }
        let bytes = self.0.files().read_blob(&sha)?;
        let Some(thumb) = make_thumbnail(&bytes) else {
            return Ok(None);
        };
        let ext = if thumb.media_type == "image/png" {
            "png"
        } else {
            "jpg"
        };
        let dest = self.0.thumb_path(&sha, ext);
        // Sealed like the file it shows; written whole, then renamed.
        vault::write_sealed(&self.0.key, &thumb_label(&sha), &dest, &thumb.bytes)?;
        Ok(Some(thumb))
    }
}

/// What a thumbnail is sealed to (its file's address, marked as a thumbnail).
pub(crate) fn thumb_label(sha: &str) -> String {
    format!("thumb:{sha}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        if alpha {
            image::RgbaImage::from_fn(w, h, |x, y| {
                image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 128])
            })
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        } else {
            image::RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
            })
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_large_photo_becomes_a_small_jpeg_and_a_screenshot_with_alpha_stays_png() {
        let t = make_thumbnail(&png(2000, 1000, false)).unwrap();
        assert_eq!((t.width, t.height), (480, 240));
        assert_eq!(t.media_type, "image/jpeg");
        assert_eq!(image::guess_format(&t.bytes).unwrap(), ImageFormat::Jpeg);
        let t = make_thumbnail(&png(300, 900, true)).unwrap();
        assert_eq!((t.width, t.height), (160, 480));
        assert_eq!(t.media_type, "image/png");
        // Small images keep their size.
        let t = make_thumbnail(&png(100, 50, false)).unwrap();
        assert_eq!((t.width, t.height), (100, 50));
    }

    #[test]
    fn non_images_truncated_images_and_huge_dimensions_get_none() {
        assert!(make_thumbnail(b"%PDF-1.7 not an image").is_none());
        let mut cut = png(800, 800, false);
        cut.truncate(cut.len() / 3);
        assert!(make_thumbnail(&cut).is_none());
        // Dimensions past the limit are not decoded (a tiny file can claim a huge image).
        assert!(make_thumbnail(&png(MAX_DIMENSION + 1, 1, false)).is_none());
        assert!(make_thumbnail(&png(MAX_DIMENSION, 1, false)).is_some());
    }
}
