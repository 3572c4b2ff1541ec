//! The detector on frames made in code (no video): each transition kind,
//! flashes, and the shot list's JSON shape.

use image::{Rgb, RgbImage};
use seer_scene::{ShotDetector, ShotList, ShotOptions, Transition};

const W: u32 = 160;
const H: u32 = 90;
const FPS: f64 = 25.0;

/// A moving textured picture: stripes and blobs of `palette` shifted by
/// `t` pixels per frame.
fn scene(palette: [[f32; 3]; 2], freq: f32, t: usize) -> RgbImage {
    RgbImage::from_fn(W, H, |x, y| {
        let u = (x as f32 + t as f32 * 1.5) * freq;
        let v = y as f32 * freq * 0.7;
        let w = 0.5 + 0.25 * u.sin() + 0.25 * (v + 0.3 * u).cos();
        Rgb(std::array::from_fn(|c| {
            (255.0 * (w * palette[0][c] + (1.0 - w) * palette[1][c])).clamp(0.0, 255.0) as u8
        }))
    })
}

fn a(t: usize) -> RgbImage {
    scene([[0.9, 0.5, 0.2], [0.2, 0.1, 0.05]], 0.15, t)
}

fn b(t: usize) -> RgbImage {
    scene([[0.2, 0.6, 0.9], [0.05, 0.2, 0.1]], 0.07, t)
}

fn c(t: usize) -> RgbImage {
    scene([[0.8, 0.8, 0.7], [0.4, 0.1, 0.4]], 0.11, t)
}

fn mix(p: &RgbImage, q: &RgbImage, alpha: f32) -> RgbImage {
    RgbImage::from_fn(W, H, |x, y| {
        let (u, v) = (p.get_pixel(x, y).0, q.get_pixel(x, y).0);
        Rgb(std::array::from_fn(|i| {
            (alpha * f32::from(u[i]) + (1.0 - alpha) * f32::from(v[i])).round() as u8
        }))
    })
}

fn run(frames: &[RgbImage]) -> ShotList {
    let mut detector = ShotDetector::new(&ShotOptions::default(), FPS).expect("detector");
    for frame in frames {
        detector.push(frame).expect("frame");
    }
    detector.finish()
}

fn boundaries(list: &ShotList) -> Vec<(u64, Transition)> {
    list.boundaries()
        .iter()
        .map(|b| (b.frame, b.transition))
        .collect()
}

/// 40 frames of A, a cut to 40 of B, a 20-frame dissolve to C, 30 of C,
/// a fade through black (10 out, 2 black, 10 in) back to A.
fn edit() -> (Vec<RgbImage>, Vec<(u64, Transition)>) {
    let mut frames: Vec<RgbImage> = (0..40).map(a).collect();
    frames.extend((0..40).map(b));
    for k in 0..20 {
        let alpha = 1.0 - (k + 1) as f32 / 21.0;
        frames.push(mix(&b(40 + k), &c(k), alpha));
    }
    frames.extend((20..50).map(c));
    let black = RgbImage::new(W, H);
    for k in 0..10 {
        frames.push(mix(&c(50 + k), &black, 1.0 - (k + 1) as f32 / 10.0));
    }
    frames.push(black.clone());
    frames.push(black.clone());
    let fade_in = frames.len() as u64;
    for k in 0..40 {
        let alpha = ((k + 1) as f32 / 10.0).min(1.0);
        frames.push(mix(&a(100 + k), &black, alpha));
    }
    let truth = vec![
        (40, Transition::Cut),
        (90, Transition::Dissolve),
        (fade_in, Transition::Fade),
    ];
    (frames, truth)
}

#[test]
fn each_kind_is_found_where_it_is() {
    let (frames, truth) = edit();
    let list = run(&frames);
    print!("{}", list.to_table());
    let found = boundaries(&list);
    assert_eq!(found.len(), truth.len(), "{found:?}");
    for ((frame, kind), (want_frame, want_kind)) in found.iter().zip(&truth) {
        assert_eq!(kind, want_kind, "{found:?}");
        assert!(frame.abs_diff(*want_frame) <= 2, "{found:?} vs {truth:?}");
    }
}

#[test]
fn a_still_moving_shot_has_no_boundary() {
    let frames: Vec<RgbImage> = (0..120).map(a).collect();
    assert!(boundaries(&run(&frames)).is_empty());
}

#[test]
fn flashes_are_not_cuts() {
    // Two white frames, then three brightened frames, inside one shot.
    let mut frames: Vec<RgbImage> = (0..100).map(a).collect();
    for frame in &mut frames[30..32] {
        *frame = RgbImage::from_pixel(W, H, Rgb([255, 255, 255]));
    }
    for frame in &mut frames[60..63] {
        for p in frame.pixels_mut() {
            p.0 = p.0.map(|v| v.saturating_add(110));
        }
    }
    let found = boundaries(&run(&frames));
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn json_has_exactly_the_documented_shape() {
    let (frames, _) = edit();
    let list = run(&frames);
    let json = serde_json::to_value(&list).expect("serialise");
    let top: Vec<&str> = json
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(top, ["fps", "frames", "shots"]);
    assert_eq!(json["fps"], 25.0);
    assert_eq!(json["frames"], frames.len() as u64);
    let shots = json["shots"].as_array().cloned().unwrap_or_default();
    assert_eq!(shots.len(), 4);
    let mut next = 0;
    for (i, shot) in shots.iter().enumerate() {
        // serde_json's map lists keys sorted.
        let keys: Vec<&str> = shot
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "end_frame",
                "end_s",
                "start_frame",
                "start_s",
                "transition_in"
            ]
        );
        assert_eq!(shot["start_frame"], next);
        let end = shot["end_frame"].as_u64().unwrap_or(0);
        next = end + 1;
        let start_s = shot["start_s"].as_f64().unwrap_or(-1.0);
        assert!((start_s - shot["start_frame"].as_f64().unwrap_or(0.0) / 25.0).abs() < 1e-9);
        let label = shot["transition_in"].as_str().unwrap_or("");
        if i == 0 {
            assert_eq!(label, "start");
        } else {
            assert!(["cut", "fade", "dissolve"].contains(&label), "{label}");
        }
    }
    assert_eq!(next, frames.len() as u64, "the shots cover every frame");
    let text = serde_json::to_string(&list).expect("serialise");
    // The written order is the documented one.
    assert!(
        text.starts_with(r#"{"fps":25.0,"frames":"#)
            && text.contains(r#""shots":[{"start_frame":0,"end_frame":39,"start_s":0.0,"end_s":1.6,"transition_in":"start"},{"start_frame":40,"#),
        "{text}"
    );
    let back: ShotList = serde_json::from_str(&text).expect("deserialise");
    assert_eq!(back, list);
    let labels: Vec<&str> = shots
        .iter()
        .filter_map(|s| s["transition_in"].as_str())
        .collect();
    assert_eq!(labels, ["start", "cut", "dissolve", "fade"]);
}
