//! `detect_shots` on real files: a continuous shot with camera motion,
//! flashes in real footage, broken inputs, progress and cancellation.

use seer_core::{CancelToken, ErrorKind, HasErrorKind, NoProgress, Progress};
use seer_scene::{detect_shots, SceneError, ShotDetector, ShotOptions};
use seer_video::{Item, VideoReader};
use std::path::Path;
use std::sync::Mutex;

fn drive_clip() -> std::path::PathBuf {
    seer_testdata::path("drive/test_videos/solidWhiteRight.mp4")
}

fn shots(path: &Path) -> Result<seer_scene::ShotList, SceneError> {
    detect_shots(
        path,
        &ShotOptions::default(),
        &NoProgress,
        &CancelToken::new(),
    )
}

#[test]
fn a_continuous_dashcam_shot_has_no_boundary() {
    let started = std::time::Instant::now();
    let list = shots(&drive_clip()).expect("shots of the driving clip");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "solidWhiteRight.mp4 (960x540): {} frames in {seconds:.2} s ({:.0} frames/s, decode included)",
        list.frames,
        list.frames as f64 / seconds
    );
    assert_eq!(list.frames, 221);
    assert_eq!(list.fps, 25.0);
    assert_eq!(list.shots.len(), 1, "{}", list.to_table());
}

#[test]
fn flashes_in_real_footage_are_not_cuts() {
    let mut reader = VideoReader::open(&drive_clip()).expect("driving clip");
    reader.set_copy_streams(false);
    let mut detector = ShotDetector::new(&ShotOptions::default(), 25.0).expect("detector");
    while let Some(item) = reader.next_item().expect("decode") {
        let Item::Frame(frame) = item else { continue };
        if frame.index >= 150 {
            break;
        }
        let mut image = frame.image;
        match frame.index {
            // A camera flash: three near-white frames.
            40..=42 => image
                .pixels_mut()
                .for_each(|p| p.0 = p.0.map(|v| v.saturating_add(200))),
            // Lightning: two much brighter frames.
            100..=101 => image
                .pixels_mut()
                .for_each(|p| p.0 = p.0.map(|v| v.saturating_add(90))),
            _ => {}
        }
        detector.push(&image).expect("frame");
    }
    let list = detector.finish();
    assert_eq!(list.frames, 150);
    assert_eq!(list.shots.len(), 1, "{}", list.to_table());
}

fn assert_invalid(result: Result<seer_scene::ShotList, SceneError>, what: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{what}: {e}");
            assert!(!e.to_string().contains("--"), "{e}");
            let cause = std::error::Error::source(&e).map(|c| c.to_string());
            assert!(
                cause.is_some() || what.contains("width"),
                "{what}: no cause"
            );
            println!("{what}: {e}: {}", cause.unwrap_or_default());
        }
        Ok(list) => panic!("{what} gave shots: {list:?}"),
    }
}

#[test]
fn broken_inputs_are_invalid_input_errors() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "this is not a video\n".repeat(50)).expect("write");
    assert_invalid(shots(&text), "a text file named .mp4");

    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").expect("write");
    assert_invalid(shots(&empty), "an empty file");

    let clip = dir.path().join("clip.mp4");
    seer_testdata::clip::small_clip(
        &clip,
        &seer_testdata::clip::ClipSpec {
            frames: 40,
            width: 160,
            crf: Some(23),
        },
    );
    let bytes = std::fs::read(&clip).expect("read");
    let truncated = dir.path().join("truncated.mp4");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    assert_invalid(shots(&truncated), "a truncated video");

    let missing = shots(&dir.path().join("missing.mp4"));
    assert_eq!(missing.err().map(|e| e.kind()), Some(ErrorKind::NotFound));

    let bad_options = ShotOptions {
        analysis_width: 0,
        ..Default::default()
    };
    let refused = detect_shots(&clip, &bad_options, &NoProgress, &CancelToken::new());
    assert_invalid(refused, "an analysis width of 0");
}

/// Records progress and cancels the token once `cancel_at` frames are done.
struct Recorder {
    calls: Mutex<Vec<String>>,
    cancel: CancelToken,
    cancel_at: u64,
}

impl Progress for Recorder {
    fn start(&self, label: &str, total: Option<u64>) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("start {label} {total:?}"));
        }
    }
    fn set(&self, done: u64) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("set {done}"));
        }
        if done >= self.cancel_at {
            self.cancel.cancel();
        }
    }
    fn finish(&self) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push("finish".into());
        }
    }
}

#[test]
fn progress_counts_frames_and_cancel_stops_early() {
    let cancel = CancelToken::new();
    let recorder = Recorder {
        calls: Mutex::new(Vec::new()),
        cancel: cancel.clone(),
        cancel_at: 10,
    };
    let result = detect_shots(&drive_clip(), &ShotOptions::default(), &recorder, &cancel);
    let error = result.err();
    assert_eq!(error.as_ref().map(|e| e.kind()), Some(ErrorKind::Cancelled));
    assert!(
        matches!(error, Some(SceneError::Cancelled { frames: 10, .. })),
        "{error:?}"
    );
    let calls = recorder.calls.lock().map(|c| c.clone()).unwrap_or_default();
    assert_eq!(
        calls.first().map(String::as_str),
        Some("start finding shots (frames) Some(221)")
    );
    assert_eq!(calls.last().map(String::as_str), Some("set 10"));
    assert_eq!(calls.len(), 11);

    let all = Recorder {
        calls: Mutex::new(Vec::new()),
        cancel: CancelToken::new(),
        cancel_at: u64::MAX,
    };
    let list =
        detect_shots(&drive_clip(), &ShotOptions::default(), &all, &all.cancel).expect("shots");
    let calls = all.calls.lock().map(|c| c.clone()).unwrap_or_default();
    assert_eq!(calls.len(), 1 + list.frames as usize + 1);
    assert_eq!(calls.last().map(String::as_str), Some("finish"));
}
