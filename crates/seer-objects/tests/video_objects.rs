//! Objects through real videos: the highway clip's cars tracked with
//! stable ids, sampled at 5 frames per second, written as MOTChallenge
//! text and drawn into a copy; bad input refused with nothing written.

use seer_core::{CancelToken, ErrorKind, HasErrorKind, NoProgress};
use seer_objects::{detect_video_objects, read_mot, DetectError, ObjectOptions, ObjectOutputs};

fn store() -> seer_models::Store {
    seer_models::testing::init_runtime();
    seer_models::testing::store()
}

#[test]
fn the_highway_clip_at_5_fps_gives_tracked_cars_a_mot_file_and_a_drawn_copy() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    let outputs = ObjectOutputs {
        mot: Some(dir.path().join("clip.txt")),
        draw: Some(dir.path().join("clip.mp4")),
    };
    let clip = seer_testdata::path("drive/test_videos/solidWhiteRight.mp4");
    let options = ObjectOptions {
        sample_fps: Some(5.0),
        ..ObjectOptions::default()
    };
    let result = detect_video_objects(
        &store,
        &clip,
        &options,
        &outputs,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap();
    println!(
        "{} of {} frames analysed at {:.1} fps video; {} tracks; counts {:?}; {:.1} analysed frames/s",
        result.frames.len(),
        result.frames_total,
        result.fps,
        result.tracks.len(),
        result.counts,
        result.analysed_fps
    );
    assert_eq!(result.frames_total, 221);
    // 221 frames at 25 fps = 8.84 s; 5 per second.
    let expected = (result.frames_total as f64 / result.fps * 5.0).ceil() as usize;
    assert!(
        result.frames.len().abs_diff(expected) <= 1,
        "{} vs {expected}",
        result.frames.len()
    );
    assert!(
        result.counts.get("car").copied().unwrap_or(0) > 100,
        "{:?}",
        result.counts
    );
    assert!(!result.counts.contains_key("person"), "{:?}", result.counts);
    let cars: Vec<_> = result.tracks.iter().filter(|t| t.class == "car").collect();
    assert!(cars.len() >= 3, "{cars:?}");
    // At least one car is followed for most of the clip under one id.
    let longest = cars.iter().map(|t| t.end_s - t.start_s).fold(0.0, f64::max);
    assert!(longest > 5.0, "{cars:?}");
    let mot = read_mot(std::io::BufReader::new(
        std::fs::File::open(outputs.mot.as_ref().unwrap()).unwrap(),
    ))
    .unwrap();
    assert_eq!(mot.len(), result.mot_records().len());
    assert!(mot.iter().all(|r| r.frame >= 1));
    let drawn = seer_video::VideoReader::open(outputs.draw.as_ref().unwrap()).unwrap();
    assert_eq!(drawn.info().size, result.size);
}

#[test]
fn bad_video_input_is_refused_and_nothing_is_written() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let outputs = ObjectOutputs {
        mot: Some(dir.path().join("out.txt")),
        draw: Some(dir.path().join("out.mp4")),
    };
    let error = detect_video_objects(
        &store,
        &empty,
        &ObjectOptions::default(),
        &outputs,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    let bad = ObjectOptions {
        sample_fps: Some(0.0),
        ..ObjectOptions::default()
    };
    let clip = seer_testdata::path("drive/test_videos/solidWhiteRight.mp4");
    let error = detect_video_objects(
        &store,
        &clip,
        &bad,
        &outputs,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(matches!(error, DetectError::BadSetting { .. }), "{error}");
    let cancel = CancelToken::new();
    cancel.cancel();
    let error = detect_video_objects(
        &store,
        &clip,
        &ObjectOptions::default(),
        &outputs,
        &NoProgress,
        &cancel,
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}
