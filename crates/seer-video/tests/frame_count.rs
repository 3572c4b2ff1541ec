//! The frame count an MP4 index declares equals the frames the reader
//! decodes on real clips (the upscaler treats fewer as a truncated file),
//! and skipping frames yields the same timestamps as decoding them.

use seer_video::{Item, VideoReader};
use std::path::PathBuf;

fn data(path: &str) -> PathBuf {
    seer_testdata::path(path)
}

/// Timestamps of every decoded frame.
fn decoded_pts(reader: &mut VideoReader) -> Vec<Option<i64>> {
    let mut pts = Vec::new();
    while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
        if let Item::Frame(frame) = item {
            pts.push(frame.pts);
        }
    }
    pts
}

#[test]
fn declared_frames_match_decoded_frames() {
    for clip in [
        "faces/short_hamilton_clip.mp4",
        "drive/test_videos/solidWhiteRight.mp4",
    ] {
        let path = data(clip);
        let mut reader = VideoReader::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let declared = reader.info().declared_frames;
        let all = decoded_pts(&mut reader);
        eprintln!("{clip}: declared {declared:?}, decoded {}", all.len());
        assert_eq!(declared, Some(all.len() as u64), "{clip}");

        let mut skipper = VideoReader::open(&path).unwrap_or_else(|e| panic!("{e}"));
        skipper.set_copy_streams(false);
        let skipped = skipper.skip_frames(10).unwrap_or_else(|e| panic!("{e}"));
        let rest = decoded_pts(&mut skipper);
        assert_eq!(skipped, all[..10].to_vec(), "{clip}: skipped timestamps");
        assert_eq!(rest, all[10..].to_vec(), "{clip}: frames after skipping");
    }
}

/// Frames of the clip cut in the test below.
const CUT_FRAMES: u64 = 12;

/// The first `CUT_FRAMES` frames of a real clip at 96x54 pixels with its
/// audio, written by seer (MP4 with the index first).
fn small_faststart_clip(path: &std::path::Path) {
    let spec = seer_testdata::clip::ClipSpec {
        frames: CUT_FRAMES,
        width: 96,
        crf: None,
    };
    seer_testdata::clip::small_clip(path, &spec);
}

#[test]
fn a_cut_video_never_ends_quietly_with_fewer_frames() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    small_faststart_clip(&clip);
    let bytes = std::fs::read(&clip).unwrap();
    let cut = dir.path().join("cut.mp4");
    let (mut open_errors, mut decode_errors, mut complete) = (0, 0, 0);
    // Every 7th length from the end of the first tenth to one byte short.
    for length in (bytes.len() / 10..bytes.len()).step_by(7) {
        std::fs::write(&cut, &bytes[..length]).unwrap();
        let Ok(mut reader) = VideoReader::open(&cut) else {
            open_errors += 1;
            continue;
        };
        let mut frames = 0;
        let result = loop {
            match reader.next_item() {
                Ok(Some(Item::Frame(_))) => frames += 1,
                Ok(Some(Item::Packet(_))) => {}
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        match result {
            Err(e) => {
                assert!(e.to_string().contains("truncated or corrupt"), "{e}");
                decode_errors += 1;
            }
            Ok(()) => {
                assert_eq!(
                    frames,
                    CUT_FRAMES,
                    "cut at {length} of {} bytes",
                    bytes.len()
                );
                complete += 1;
            }
        }
    }
    eprintln!(
        "{} bytes: {open_errors} cuts fail to open, {decode_errors} fail to decode, {complete} keep every frame (only trailing audio lost)",
        bytes.len()
    );
    assert!(decode_errors > 0);
}
