//! Writes the lane test frames as PNG with a pixel grid, for labelling and
//! for looking at detections: `cargo run --release -p seer-drive --example
//! lane_frames -- OUT_DIR`.
//!
//! Each frame is written twice: `NAME.png` (the frame with a grid line
//! every 50 px, the rows 360 and 530 marked) and `NAME_rows.png` (the
//! bands around rows 530 and 360, magnified 2×, with ticks every 10 px).

use image::{Rgb, RgbImage};
use std::path::{Path, PathBuf};

fn grid(frame: &RgbImage) -> RgbImage {
    let mut out = frame.clone();
    let (w, h) = out.dimensions();
    for y in 0..h {
        for x in 0..w {
            let mark = if y == 360 || y == 530 {
                Some(Rgb([255, 0, 0]))
            } else if x % 100 == 0 {
                Some(Rgb([0, 255, 255]))
            } else if x % 50 == 0 || y % 50 == 0 {
                Some(Rgb([0, 160, 0]))
            } else {
                None
            };
            if let Some(c) = mark {
                out.put_pixel(x, y, c);
            }
        }
    }
    out
}

fn bands(frame: &RgbImage) -> RgbImage {
    let (w, h) = frame.dimensions();
    let rows = [530u32, 360];
    let half = 12u32;
    let scale = 2u32;
    let band_h = (2 * half + 1) * scale + 16;
    let mut out = RgbImage::new(w * scale, band_h * rows.len() as u32);
    for (b, &row) in rows.iter().enumerate() {
        let top = b as u32 * band_h;
        for dy in 0..(2 * half + 1) {
            let sy = (row + dy).saturating_sub(half).min(h - 1);
            for x in 0..w {
                let mut p = *frame.get_pixel(x, sy);
                if sy == row && x % 2 == 0 {
                    p = Rgb([255, 0, 0]);
                }
                for oy in 0..scale {
                    for ox in 0..scale {
                        out.put_pixel(x * scale + ox, top + dy * scale + oy, p);
                    }
                }
            }
        }
        let tick_top = top + (2 * half + 1) * scale;
        for x in 0..w {
            let len = if x % 100 == 0 {
                16
            } else if x % 50 == 0 {
                11
            } else if x % 10 == 0 {
                5
            } else {
                0
            };
            let c = if x % 100 == 0 {
                Rgb([0, 255, 255])
            } else {
                Rgb([255, 255, 0])
            };
            for t in 0..len {
                out.put_pixel(x * scale, tick_top + t, c);
            }
        }
    }
    out
}

/// Four gridded frames in a 2×2 sheet, named after the last one's index.
fn mosaic(out: &Path, last: u64, frames: &[RgbImage]) {
    let (w, h) = frames[0].dimensions();
    let mut sheet = RgbImage::new(2 * w, 2 * h);
    for (i, f) in frames.iter().enumerate() {
        let (ox, oy) = ((i as u32 % 2) * w, (i as u32 / 2) * h);
        for (x, y, p) in f.enumerate_pixels() {
            sheet.put_pixel(ox + x, oy + y, *p);
        }
    }
    sheet
        .save(out.join(format!("sheet_{last:03}.png")))
        .expect("write png");
}

fn save(out: &Path, name: &str, frame: &RgbImage) {
    grid(frame)
        .save(out.join(format!("{name}.png")))
        .expect("write png");
    bands(frame)
        .save(out.join(format!("{name}_rows.png")))
        .expect("write png");
    frame
        .save(out.join(format!("{name}_raw.png")))
        .expect("write png");
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or("/tmp/lanes".into()));
    std::fs::create_dir_all(&out).expect("create output folder");
    let images = seer_testdata::path("drive/test_images");
    let mut names: Vec<_> = std::fs::read_dir(&images)
        .expect("test images")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for path in names {
        let frame = image::open(&path).expect("decode").to_rgb8();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
        save(&out, stem, &frame);
    }
    let video = seer_testdata::path("drive/test_videos/solidWhiteRight.mp4");
    let mut reader = seer_video::VideoReader::open(&video).expect("open video");
    let mut index = 0u64;
    let mut sheet: Vec<RgbImage> = Vec::new();
    while let Some(item) = reader.next_item().expect("decode video") {
        if let seer_video::Item::Frame(frame) = item {
            if index.is_multiple_of(10) {
                save(&out, &format!("video_{index:03}"), &frame.image);
                sheet.push(grid(&frame.image));
                if sheet.len() == 4 {
                    mosaic(&out, index, &sheet);
                    sheet.clear();
                }
            }
            index += 1;
        }
    }
    if !sheet.is_empty() {
        mosaic(&out, index, &sheet);
    }
    println!("{index} video frames");
}
