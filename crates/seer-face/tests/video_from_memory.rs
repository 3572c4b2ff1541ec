//! A video that arrives as bytes (an upload) goes through the same face
//! scan as a file, via `seer_video::SpooledVideo`: the same frames, the
//! same tracks, and no file left afterwards.

#![cfg(feature = "video")]

mod common;

use common::*;
use seer_core::{CancelToken, NoProgress};
use seer_face::video::scan_video;
use seer_face::ScanOptions;
use seer_video::SpooledVideo;

#[test]
fn a_face_scan_of_video_bytes_equals_the_scan_of_the_file() {
    let clip = seer_testdata::hamilton_clip();
    let bytes = std::fs::read(&clip).unwrap();
    let mut detector = detector();
    let options = ScanOptions::default();
    let cancel = CancelToken::new();
    let from_file = scan_video(&clip, &mut detector, &options, &NoProgress, &cancel).unwrap();
    let spooled = SpooledVideo::from_bytes(&bytes).unwrap();
    let from_bytes = scan_video(
        spooled.path(),
        &mut detector,
        &options,
        &NoProgress,
        &cancel,
    )
    .unwrap();
    let spool_path = spooled.path().to_path_buf();
    drop(spooled);
    assert!(!spool_path.exists(), "the spooled copy was removed");

    assert_eq!(from_bytes.scan.frame_count, 275);
    assert_eq!(from_bytes.scan.frame_count, from_file.scan.frame_count);
    assert!(!from_file.scan.tracks.is_empty(), "the clip shows a face");
    let spans = |s: &seer_face::video::VideoScan| {
        s.scan
            .tracks
            .iter()
            .map(|t| (t.track, t.first_frame, t.last_frame, t.frames))
            .collect::<Vec<_>>()
    };
    assert_eq!(spans(&from_bytes), spans(&from_file));
    let boxes = |s: &seer_face::video::VideoScan| {
        s.scan
            .frames
            .iter()
            .flat_map(|f| f.faces.iter().map(|face| face.face.bbox))
            .collect::<Vec<_>>()
    };
    assert_eq!(boxes(&from_bytes), boxes(&from_file));
}
