//! The lane finder against the hand-labelled frames
//! (`tests/fixtures/lanes.csv`), hostile frames, a synthetic road and the
//! tracker. Set `SEER_LANES_OVERLAY=/some/dir` to write each labelled frame
//! with its detection (green, dashed lines blue, yellow lines orange) and
//! its labels (red crosses).

use image::{Rgb, RgbImage};
use seer_drive::{
    Camera, LaneFinder, LaneLine, LaneOptions, LaneTracker, LaneTrackerOptions, Lanes, LineColour,
    LineKind, Side,
};
use std::collections::HashMap;
use std::time::Instant;

struct Label {
    frame: String,
    left: (f64, f64),
    right: (f64, f64),
}

const NEAR: f64 = 530.0;
const FAR: f64 = 360.0;

fn labels() -> Vec<Label> {
    let text = include_str!("fixtures/lanes.csv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("frame,") && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |i: usize| f[i].trim().parse::<f64>().unwrap();
            Label {
                frame: f[0].to_string(),
                left: (n(1), n(2)),
                right: (n(3), n(4)),
            }
        })
        .collect()
}

/// Every labelled frame by name (the video decoded once).
fn frames() -> HashMap<String, RgbImage> {
    let mut out = HashMap::new();
    for entry in std::fs::read_dir(seer_testdata::path("drive/test_images")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        out.insert(name, image::open(&path).unwrap().to_rgb8());
    }
    let video = seer_testdata::path("drive/test_videos/solidWhiteRight.mp4");
    let mut reader = seer_video::VideoReader::open(&video).unwrap();
    let mut index = 0u64;
    while let Some(item) = reader.next_item().unwrap() {
        if let seer_video::Item::Frame(f) = item {
            if index.is_multiple_of(10) {
                out.insert(format!("solidWhiteRight.mp4#{index}"), f.image);
            }
            index += 1;
        }
    }
    out
}

fn draw_line(img: &mut RgbImage, line: &LaneLine) {
    let colour = match (line.colour, line.kind) {
        (LineColour::Yellow, _) => Rgb([255, 140, 0]),
        (_, LineKind::Dashed) => Rgb([0, 90, 255]),
        _ => Rgb([0, 255, 0]),
    };
    let (top, bottom) = (line.rows[0].max(0.0) as u32, line.rows[1] as u32);
    for y in top..=bottom.min(img.height() - 1) {
        let x = line.x_at_row(f64::from(y)).round();
        for dx in -1..=1 {
            let xx = x as i64 + dx;
            if xx >= 0 && (xx as u32) < img.width() {
                img.put_pixel(xx as u32, y, colour);
            }
        }
    }
}

fn cross(img: &mut RgbImage, x: f64, y: f64) {
    for d in -6i64..=6 {
        for (xx, yy) in [(x as i64 + d, y as i64), (x as i64, y as i64 + d)] {
            if xx >= 0 && yy >= 0 && (xx as u32) < img.width() && (yy as u32) < img.height() {
                img.put_pixel(xx as u32, yy as u32, Rgb([255, 0, 0]));
            }
        }
    }
}

#[test]
fn the_labelled_ego_lines_are_found_within_10_px_at_the_near_row() {
    let camera = Camera::shared_clip_preset();
    let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
    let frames = frames();
    let labels = labels();
    let overlay = std::env::var("SEER_LANES_OVERLAY").ok();
    let (mut near, mut far) = (Vec::new(), Vec::new());
    let mut missing = Vec::new();
    let mut wrong_kind = Vec::new();
    let mut neighbours = Vec::new();
    let mut elapsed = 0.0;
    for label in &labels {
        let frame = frames
            .get(&label.frame)
            .unwrap_or_else(|| panic!("{}", label.frame));
        let start = Instant::now();
        let lanes = finder.find(frame, &camera);
        elapsed += start.elapsed().as_secs_f64();
        for (side, line) in [
            ("left", &lanes.left_neighbour),
            ("right", &lanes.right_neighbour),
        ] {
            if line.is_some() {
                neighbours.push(format!("{} {side}", label.frame));
            }
        }
        for (side, line, (n, f)) in [
            ("left", &lanes.left, label.left),
            ("right", &lanes.right, label.right),
        ] {
            match line {
                Some(line) => {
                    let (en, ef) = (
                        (line.x_at_row(NEAR) - n).abs(),
                        (line.x_at_row(FAR) - f).abs(),
                    );
                    println!(
                        "{:28} {side:5} near {en:5.1} far {ef:5.1} px  conf {:.2} {:?} {:?}",
                        label.frame, line.confidence, line.kind, line.colour
                    );
                    // On the clip the left line is dashed, the right solid.
                    if label.frame.contains(".mp4") {
                        let want = if side == "left" {
                            LineKind::Dashed
                        } else {
                            LineKind::Solid
                        };
                        if line.kind != want {
                            wrong_kind.push(format!("{} {side}", label.frame));
                        }
                    }
                    near.push(en);
                    far.push(ef);
                }
                None => missing.push(format!("{} {side}", label.frame)),
            }
        }
        if let Some(dir) = &overlay {
            let mut img = frame.clone();
            for line in lanes.lines() {
                draw_line(&mut img, line);
            }
            for (x, y) in [
                (label.left.0, NEAR),
                (label.left.1, FAR),
                (label.right.0, NEAR),
                (label.right.1, FAR),
            ] {
                cross(&mut img, x, y);
            }
            let name = label.frame.replace(['#', '.'], "_");
            img.save(format!("{dir}/{name}.png")).unwrap();
        }
    }
    let stats = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        (mean, v.iter().copied().fold(0.0, f64::max))
    };
    let (nm, nx) = stats(&near);
    let (fm, fx) = stats(&far);
    println!(
        "{} frames, {} lines: near (y={NEAR}) mean {nm:.1} max {nx:.1} px; far (y={FAR}) mean {fm:.1} max {fx:.1} px; {:.2} ms/frame",
        labels.len(),
        near.len(),
        elapsed * 1000.0 / labels.len() as f64
    );
    println!("neighbouring lines: {neighbours:?}");
    // The steady per-frame time (the grid is built on the first frame of a
    // camera only).
    if let Some(frame) = frames.get("solidWhiteRight.mp4#100") {
        let start = Instant::now();
        for _ in 0..50 {
            std::hint::black_box(finder.find(frame, &camera));
        }
        println!(
            "960x540 steady: {:.2} ms/frame (one core)",
            start.elapsed().as_secs_f64() * 1000.0 / 50.0
        );
    }
    assert!(labels.len() >= 29, "{} labelled frames", labels.len());
    assert!(missing.is_empty(), "not found: {missing:?}");
    assert!(wrong_kind.is_empty(), "solid/dashed wrong: {wrong_kind:?}");
    assert!(nm <= 10.0, "near mean error {nm:.1} px");
}

#[test]
fn solid_dashed_and_colour_where_the_paint_is_clear() {
    let camera = Camera::shared_clip_preset();
    let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
    let open = |name: &str| {
        image::open(seer_testdata::path(&format!("drive/test_images/{name}")))
            .unwrap()
            .to_rgb8()
    };
    let lanes = finder.find(&open("solidWhiteRight.jpg"), &camera);
    let (l, r) = (lanes.left.unwrap(), lanes.right.unwrap());
    assert_eq!((l.kind, l.colour), (LineKind::Dashed, LineColour::White));
    assert_eq!((r.kind, r.colour), (LineKind::Solid, LineColour::White));
    let lanes = finder.find(&open("solidYellowLeft.jpg"), &camera);
    let (l, r) = (lanes.left.clone().unwrap(), lanes.right.clone().unwrap());
    assert_eq!((l.kind, l.colour), (LineKind::Solid, LineColour::Yellow));
    assert_eq!((r.kind, r.colour), (LineKind::Dashed, LineColour::White));
    let json = serde_json::to_string(&serde_json::json!({ "lanes": lanes })).unwrap();
    assert!(
        json.contains("\"kind\":\"solid\"") && json.contains("\"colour\":\"yellow\""),
        "{json}"
    );
}

#[test]
fn frames_without_a_road_give_no_lanes() {
    let camera = Camera::shared_clip_preset();
    let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
    for (w, h, v) in [
        (960, 540, 128u8),
        (960, 540, 0),
        (960, 540, 255),
        (1, 1, 9),
        (3, 700, 200),
        (2000, 4, 50),
    ] {
        let lanes = finder.find(&RgbImage::from_pixel(w, h, Rgb([v, v, v])), &camera);
        assert_eq!(lanes, Lanes::default(), "{w}x{h} of {v}");
    }
    let mut photos: Vec<_> = std::fs::read_dir(seer_testdata::path("sr/Set14"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    photos.sort();
    let mut found = 0;
    for path in &photos {
        let img = image::open(path).unwrap().to_rgb8();
        let lanes = finder.find(&img, &camera);
        for line in [&lanes.left, &lanes.right].into_iter().flatten() {
            println!(
                "{}: a line of confidence {:.2}",
                path.display(),
                line.confidence
            );
            found += 1;
        }
    }
    println!("{found} lines in {} non-road photos", photos.len());
    assert!(found <= 2, "{found} lines in photos without a road");
}

/// A dark grey road seen by `camera` with white lines 0.15 m wide at the
/// given lateral offsets (metres; the right one dashed: 3 m paint, 9 m gap).
fn synthetic_road(camera: &Camera, left_m: f64, right_m: f64) -> RgbImage {
    painted_road(camera, &[(left_m, false), (right_m, true)])
}

/// A dark grey road with white lines 0.15 m wide at the given lateral
/// offsets (metres), each solid or dashed (3 m paint, 9 m gap).
fn painted_road(camera: &Camera, lines: &[(f64, bool)]) -> RgbImage {
    let mut img = RgbImage::from_pixel(camera.width, camera.height, Rgb([120, 160, 210]));
    let horizon = camera.horizon_row();
    for v in 0..camera.height {
        for u in 0..camera.width {
            let Some(g) = camera.ground_point(f64::from(u) + 0.5, f64::from(v) + 0.5) else {
                continue;
            };
            if f64::from(v) <= horizon {
                continue;
            }
            let on = |x: f64| (g.lateral_m - x).abs() < 0.075;
            let dash = (g.forward_m % 12.0) < 3.0;
            let paint = lines.iter().any(|&(x, dashed)| on(x) && (!dashed || dash));
            let c = if paint { 230 } else { 70 };
            img.put_pixel(u, v, Rgb([c, c, c]));
        }
    }
    img
}

#[test]
fn neighbouring_lanes_are_found_one_lane_width_out_and_nothing_else() {
    let camera = Camera::shared_clip_preset();
    let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
    // Three lanes of 3.6 m, the camera in the middle one.
    let three = painted_road(
        &camera,
        &[(-5.4, false), (-1.8, true), (1.8, true), (5.4, false)],
    );
    let lanes = finder.find(&three, &camera);
    let at_10 = |l: &Option<LaneLine>| l.as_ref().map(|l| l.lateral_at(10.0));
    println!(
        "three lanes: left {:?} right {:?} left neighbour {:?} right neighbour {:?}",
        at_10(&lanes.left),
        at_10(&lanes.right),
        at_10(&lanes.left_neighbour),
        at_10(&lanes.right_neighbour)
    );
    for (line, want) in [
        (&lanes.left, -1.8),
        (&lanes.right, 1.8),
        (&lanes.left_neighbour, -5.4),
        (&lanes.right_neighbour, 5.4),
    ] {
        let got = at_10(line).unwrap_or(f64::NAN);
        assert!((got - want).abs() < 0.1, "{want}: {got}");
    }
    // One lane: no neighbours. A line 1.2 m beyond the right one (a curb,
    // a hard shoulder's edge) is no lane.
    let one = synthetic_road(&camera, -1.8, 1.8);
    let lanes = finder.find(&one, &camera);
    assert!(lanes.left_neighbour.is_none() && lanes.right_neighbour.is_none());
    let curb = painted_road(&camera, &[(-1.8, false), (1.8, true), (3.0, false)]);
    let lanes = finder.find(&curb, &camera);
    assert!(lanes.right.is_some());
    assert!(
        lanes.right_neighbour.is_none(),
        "{:?}",
        lanes.right_neighbour
    );
}

#[test]
fn a_synthetic_road_at_any_aspect_gives_its_lines_and_a_departure() {
    for camera in [
        Camera::shared_clip_preset(),
        Camera::from_toml_str(
            "width = 1242\nheight = 375\nfocal_px = 721.5\nmount_height_m = 1.65\npitch_deg = 1.0\n",
        )
        .unwrap(),
    ] {
        let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
        let mut tracker = LaneTracker::new(LaneTrackerOptions::default()).unwrap();
        let mut departed = None;
        // The camera drifts right from the lane centre over the right line's
        // inner edge, then back to the centre.
        let mut offsets: Vec<f64> = (0..=21).map(|i| 0.08 * i as f64).collect();
        offsets.extend((0..=10).rev().map(|i| 0.16 * i as f64));
        let mut last = None;
        for (step, &offset) in offsets.iter().enumerate() {
            let img = synthetic_road(&camera, -1.8 - offset, 1.8 - offset);
            let lanes = finder.find(&img, &camera);
            let (l, r) = (lanes.left.clone().unwrap(), lanes.right.clone().unwrap());
            assert!((l.lateral_at(10.0) - (-1.8 - offset)).abs() < 0.1, "{step}: {l:?}");
            assert!((r.lateral_at(10.0) - (1.8 - offset)).abs() < 0.1, "{step}: {r:?}");
            assert_eq!((l.kind, r.kind), (LineKind::Solid, LineKind::Dashed), "{step}");
            let tracked = tracker.update(&lanes);
            if step == 0 {
                assert_eq!(tracked.departing, None);
            }
            if tracked.departing.is_some() && departed.is_none() {
                departed = Some((step, tracked.departing, tracked.right_distance_m));
            }
            last = Some(tracked.departing);
        }
        assert_eq!(last, Some(None), "the departure ends back in the centre");
        let (step, side, distance) = departed.unwrap();
        println!("{}x{}: departing {side:?} at step {step}, {distance:?} m", camera.width, camera.height);
        assert_eq!(side, Some(Side::Right));
        assert!(distance.unwrap() < 0.3 + 1e-9);
    }
}

#[test]
fn the_tracker_bridges_a_five_frame_gap_and_resets_after_a_long_one() {
    let camera = Camera::shared_clip_preset();
    let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
    let mut tracker = LaneTracker::new(LaneTrackerOptions::default()).unwrap();
    let road = synthetic_road(&camera, -1.7, 1.9);
    let blank = Lanes::default();
    let seen = finder.find(&road, &camera);
    for _ in 0..3 {
        tracker.update(&seen);
    }
    let mut last = 1.0;
    for gap in 1..=5 {
        let t = tracker.update(&blank);
        let l = t.lanes.left.unwrap();
        assert_eq!(l.frames_since_seen, gap);
        assert!(l.confidence < last);
        last = l.confidence;
        assert!((l.lateral_at(10.0) + 1.7).abs() < 0.1);
    }
    let t = tracker.update(&seen);
    assert_eq!(t.lanes.left.unwrap().frames_since_seen, 0);
    for _ in 0..9 {
        tracker.update(&blank);
    }
    assert_eq!(tracker.update(&blank).lanes, Lanes::default());
    assert!(LaneTracker::new(LaneTrackerOptions {
        smoothing: 0.0,
        ..Default::default()
    })
    .is_err());
    assert!(LaneFinder::new(LaneOptions {
        cell_lateral_m: -1.0,
        ..Default::default()
    })
    .is_err());
    assert!(LaneFinder::new(LaneOptions {
        lane_min_m: 5.0,
        ..Default::default()
    })
    .is_err());
}

#[test]
fn noise_and_mismatched_sizes_do_not_panic() {
    let camera = Camera::shared_clip_preset();
    let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
    let mut seed = 12345u64;
    for (w, h) in [(960, 540), (1242, 375), (64, 48), (9, 9), (540, 960)] {
        let img = RgbImage::from_fn(w, h, |_, _| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = (seed >> 33) as u8;
            Rgb([b, b.wrapping_mul(3), b.wrapping_add(70)])
        });
        let lanes = finder.find(&img, &camera);
        for line in [&lanes.left, &lanes.right].into_iter().flatten() {
            assert!(line.confidence.is_finite() && (0.0..=1.0).contains(&line.confidence));
        }
    }
}

/// `frame` as at dusk: light falls off (gamma 1.8, a third of the light),
/// turns warmer (less blue) and the sensor's noise shows (±6 levels,
/// deterministic).
fn dusk(frame: &RgbImage) -> RgbImage {
    let mut out = frame.clone();
    let mut state = 0x2545_f491_u32;
    for p in out.pixels_mut() {
        for (c, gain) in p.0.iter_mut().zip([0.36, 0.33, 0.27]) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = f64::from(state % 13) - 6.0;
            let v = 255.0 * (f64::from(*c) / 255.0).powf(1.8) * gain + noise;
            *c = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[test]
fn at_dusk_the_labelled_ego_lines_are_still_found() {
    let camera = Camera::shared_clip_preset();
    let mut finder = LaneFinder::new(LaneOptions::default()).unwrap();
    let frames = frames();
    let labels = labels();
    let (mut near, mut missing) = (Vec::new(), 0usize);
    for label in &labels {
        let frame = dusk(&frames[&label.frame]);
        let lanes = finder.find(&frame, &camera);
        for (line, (n, _)) in [(&lanes.left, label.left), (&lanes.right, label.right)] {
            match line {
                Some(line) => near.push((line.x_at_row(NEAR) - n).abs()),
                None => missing += 1,
            }
        }
    }
    let mean = near.iter().sum::<f64>() / near.len().max(1) as f64;
    let worst = near.iter().copied().fold(0.0, f64::max);
    println!(
        "dusk: {} of {} lines found, near row mean {mean:.1} px, max {worst:.1} px",
        near.len(),
        near.len() + missing
    );
    assert!(
        missing * 10 <= near.len() + missing,
        "{missing} lines missed"
    );
    assert!(mean <= 10.0, "{mean}");
}
