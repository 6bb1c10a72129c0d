//! Thumbnail cost: how long a device takes to make the timeline thumbnail of a phone photo
//! (a 12-megapixel 4000×3000 JPEG) and of a screenshot (2560×1440 PNG), and how big the result is.
//! Prints a Markdown table for docs/benchmarks.md.

use std::io::Cursor;
use std::time::{Duration, Instant};

use helpdeck_store::make_thumbnail;
use image::{ImageFormat, RgbImage, RgbaImage};

fn photo() -> Vec<u8> {
    // Noisy gradients compress like a real photo (a flat image would be unrealistically small).
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let img = RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed & 0x0f) as u8;
        image::Rgb([
            ((x / 16) as u8).wrapping_add(n),
            ((y / 12) as u8).wrapping_add(n / 2),
            ((x + y) / 28) as u8,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

fn screenshot() -> Vec<u8> {
    let img = RgbaImage::from_fn(2560, 1440, |x, y| {
        let band = (y / 24) % 2 == 0;
        let text = (x / 7 + y / 3) % 11 == 0;
        if text {
            image::Rgba([30, 30, 30, 255])
        } else if band {
            image::Rgba([250, 250, 252, 255])
        } else {
            image::Rgba([236, 239, 244, 255])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

fn main() {
    let reps = 10;
    println!("| input | size | thumbnail | median | p95 (of {reps}) |");
    println!("|---|---|---|---|---|");
    for (name, bytes) in [
        ("photo 4000×3000 JPEG", photo()),
        ("screenshot 2560×1440 PNG", screenshot()),
    ] {
        let mut times: Vec<Duration> = Vec::with_capacity(reps);
        let mut last = None;
        for _ in 0..reps {
            let t = Instant::now();
            last = make_thumbnail(&bytes);
            times.push(t.elapsed());
        }
        times.sort();
        let thumb = last.expect("a thumbnail");
        println!(
            "| {name} | {:.1} MB | {}×{} {} , {:.0} KB | {:.0} ms | {:.0} ms |",
            bytes.len() as f64 / 1e6,
            thumb.width,
            thumb.height,
            thumb.media_type,
            thumb.bytes.len() as f64 / 1024.0,
            times[reps / 2].as_secs_f64() * 1000.0,
            times[(reps * 95 / 100).min(reps - 1)].as_secs_f64() * 1000.0,
        );
    }
}
