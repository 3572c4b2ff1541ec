//! The labelling aid behind `tests/fixtures/lanes.csv`: from hand seeds
//! (the x of each ego line at rows 530 and 360, read off gridded frames by
//! eye), it snaps each label onto the painted line by a least-squares
//! straight line through the centres of the paint runs near the seed in
//! the rows around the label row; where no paint is near (a gap between
//! dashes) the seed stays. `cargo run --release -p seer-drive --example
//! lane_label > crates/seer-drive/tests/fixtures/lanes.csv`

use image::RgbImage;
use seer_drive::lanes::Poly2;

const NEAR: u32 = 530;
const FAR: u32 = 360;

fn is_paint(p: [u8; 3], road: f64) -> bool {
    let max = p.iter().copied().max().unwrap_or(0) as f64;
    let min = p.iter().copied().min().unwrap_or(0) as f64;
    let light = (max + min) / 2.0;
    let yellow = p[0] as f64 > 140.0 && p[2] as f64 + 50.0 < p[0] as f64;
    light > road + 45.0 || yellow
}

/// The paint centres in rows 345..=539 within `half(y)` of `at(y)`:
/// (row, x).
fn paint_points(
    img: &RgbImage,
    at: impl Fn(f64) -> f64,
    half: impl Fn(f64) -> f64,
) -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    for y in 345..img.height().min(540) {
        let mut row_px: Vec<f64> = (0..img.width())
            .map(|x| {
                let p = img.get_pixel(x, y).0;
                (p[0] as f64 + p[1] as f64 + p[2] as f64) / 3.0
            })
            .collect();
        row_px.sort_by(f64::total_cmp);
        let road = row_px[row_px.len() / 2];
        let c = at(y as f64);
        let half = half(y as f64);
        let lo = (c - half).max(0.0) as u32;
        let hi = ((c + half) as u32).min(img.width() - 1);
        let xs: Vec<f64> = (lo..=hi)
            .filter(|&x| is_paint(img.get_pixel(x, y).0, road))
            .map(f64::from)
            .collect();
        if xs.len() >= 2 && xs.len() < 40 {
            pts.push((y as f64, xs.iter().sum::<f64>() / xs.len() as f64));
        }
    }
    pts
}

/// The quadratic through `pts` as a function of the row, if they are
/// enough and span enough rows.
fn curve(pts: &[(f64, f64)]) -> Option<impl Fn(f64) -> f64> {
    let span = pts.last().map_or(0.0, |l| l.0) - pts.first().map_or(0.0, |f| f.0);
    if pts.len() < 10 || span < 60.0 {
        return None;
    }
    let weighted: Vec<_> = pts.iter().map(|&(y, x)| (y, x, 1.0)).collect();
    let fit = Poly2::fit(&weighted, 445.0, 0.0)?;
    Some(move |y: f64| fit.eval(y))
}

/// The snapped (near, far) x, or the seed and `false`: a first fit through
/// the paint near the seed line (a wide window), then two refits through
/// the paint near the previous fit (a narrow window).
fn snap(img: &RgbImage, seed: (f64, f64)) -> ((f64, f64), bool) {
    let (near, far) = seed;
    let line = move |y: f64| far + (near - far) * (y - FAR as f64) / (NEAR - FAR) as f64;
    let wide = |y: f64| 12.0 + 28.0 * (y - FAR as f64) / (NEAR - FAR) as f64;
    let narrow = |y: f64| 6.0 + 10.0 * (y - FAR as f64) / (NEAR - FAR) as f64;
    let Some(first) = curve(&paint_points(img, line, wide)) else {
        return (seed, false);
    };
    let mut fit: Box<dyn Fn(f64) -> f64> = Box::new(first);
    for _ in 0..2 {
        match curve(&paint_points(img, &fit, narrow)) {
            Some(next) => fit = Box::new(next),
            None => break,
        }
    }
    ((fit(NEAR as f64), fit(FAR as f64)), true)
}

fn label(name: &str, img: &RgbImage, left: (f64, f64), right: (f64, f64)) {
    let mut cells = vec![name.to_string()];
    let mut notes = Vec::new();
    for (side, seed) in [("L", left), ("R", right)] {
        let ((n, f), snapped) = snap(img, seed);
        cells.push(format!("{n:.0}"));
        cells.push(format!("{f:.0}"));
        if !snapped {
            notes.push(format!("{side} is the seed"));
        }
    }
    println!("{}", cells.join(","));
    if !notes.is_empty() {
        eprintln!("{name}: {}", notes.join(", "));
    }
}

fn main() {
    println!("# Ego lane lines, hand-labelled: x (pixels) of the left and right line");
    println!("# centres at rows 530 (near) and 360 (far) of each 960x540 frame.");
    println!("frame,left_near,left_far,right_near,right_far");
    let seeds = [
        ("solidWhiteRight", (170.0, 403.0), (835.0, 572.0)),
        ("solidWhiteCurve", (193.0, 415.0), (878.0, 567.0)),
        ("solidYellowCurve", (165.0, 405.0), (844.0, 558.0)),
        ("solidYellowCurve2", (168.0, 410.0), (855.0, 568.0)),
        ("solidYellowLeft", (150.0, 405.0), (851.0, 560.0)),
        ("whiteCarLaneSwitch", (183.0, 412.0), (870.0, 572.0)),
    ];
    for (name, l, r) in seeds {
        let path = seer_testdata::path(&format!("drive/test_images/{name}.jpg"));
        let img = image::open(path).expect("decode").to_rgb8();
        label(&format!("{name}.jpg"), &img, l, r);
    }
    let video = seer_testdata::path("drive/test_videos/solidWhiteRight.mp4");
    let mut reader = seer_video::VideoReader::open(&video).expect("open video");
    let mut index = 0u64;
    while let Some(item) = reader.next_item().expect("decode") {
        if let seer_video::Item::Frame(frame) = item {
            if index.is_multiple_of(10) {
                let name = format!("solidWhiteRight.mp4#{index}");
                label(&name, &frame.image, (178.0, 402.0), (848.0, 572.0));
            }
            index += 1;
        }
    }
}
