//! Cancelling video work through the library API: a blur cancelled while
//! it writes frames stops with `Cancelled` and leaves no output file (not
//! even a hidden temporary one); a cancelled scan stops early.

#![cfg(feature = "video")]

mod common;

use common::*;
use seer_core::{CancelToken, ErrorKind, HasErrorKind, Progress};
use seer_face::video::{blur_video, scan_video};
use seer_face::workflow::BlurRequest;
use seer_face::{BlurOptions, BlurStyle, DetectOptions, FaceError, ScanOptions};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Cancels `token` once the phase whose label starts with `phase` reaches
/// `at` units, and remembers the last unit reported.
struct CancelAt {
    token: CancelToken,
    phase: &'static str,
    at: u64,
    current: Mutex<String>,
    last: AtomicU64,
}

impl Progress for CancelAt {
    fn start(&self, label: &str, _total: Option<u64>) {
        *self.current.lock().unwrap() = label.to_string();
    }
    fn set(&self, done: u64) {
        self.last.store(done, Ordering::SeqCst);
        if self.current.lock().unwrap().starts_with(self.phase) && done >= self.at {
            self.token.cancel();
        }
    }
    fn finish(&self) {}
}

fn cancel_at(phase: &'static str, at: u64) -> CancelAt {
    CancelAt {
        token: CancelToken::new(),
        phase,
        at,
        current: Mutex::new(String::new()),
        last: AtomicU64::new(0),
    }
}

#[test]
fn a_cancelled_blur_leaves_no_output_file() {
    let mut detector = detector();
    let clip = seer_testdata::hamilton_clip();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("blurred.mp4");
    let request = BlurRequest {
        blur: BlurOptions {
            style: BlurStyle::Blur,
            expand: 0.25,
            hold_frames: 5,
        },
        detect: DetectOptions::default(),
        full_search_every: 1,
    };
    let progress = cancel_at("blurring", 10);
    let err = blur_video(
        &mut detector,
        &clip,
        &out,
        &request,
        None,
        &progress,
        &progress.token,
    )
    .unwrap_err();
    assert!(matches!(err, FaceError::Cancelled(_)), "{err}");
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    // Stopped right after the frame that cancelled it.
    assert_eq!(progress.last.load(Ordering::SeqCst), 10);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn a_cancelled_scan_stops_at_the_frame_it_was_cancelled_on() {
    let mut detector = detector();
    let progress = cancel_at("detecting", 20);
    let err = scan_video(
        &seer_testdata::hamilton_clip(),
        &mut detector,
        &ScanOptions::default(),
        &progress,
        &progress.token,
    )
    .unwrap_err();
    assert!(matches!(err, FaceError::Cancelled(_)), "{err}");
    assert_eq!(progress.last.load(Ordering::SeqCst), 20);
}
