//! The whole drive pipeline on the shared dashcam clip and frames: cars
//! found with plausible distances, no collision warning on a normal
//! highway drive, the JSONL log one line per frame, the annotated video
//! complete; bad inputs refused with nothing written.

use seer_core::{CancelToken, ErrorKind, HasErrorKind, NoProgress};
use seer_drive::{drive_image, drive_video, DriveError, DriveOptions, DriveOutputs};

fn store() -> seer_models::Store {
    seer_models::testing::init_runtime();
    seer_models::testing::store()
}

#[test]
fn the_highway_clip_gives_cars_with_distances_and_no_warning() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    let outputs = DriveOutputs {
        log: Some(dir.path().join("drive.jsonl")),
        draw: Some(dir.path().join("drive.mp4")),
    };
    let clip = seer_testdata::path("drive/test_videos/solidWhiteRight.mp4");
    let report = drive_video(
        &store,
        &clip,
        &DriveOptions::default(),
        &outputs,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap();
    println!(
        "{} frames, {} tracks, {:.1} fps (with drawing and encoding), warnings {:?}",
        report.frames, report.tracks, report.fps, report.warnings
    );
    assert_eq!(report.frames, 221);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(report.tracks >= 3, "{}", report.tracks);
    // The car keeps its lane on this clip; both lines are painted all along.
    assert!(
        report.frames_with_lanes >= 210,
        "{}",
        report.frames_with_lanes
    );
    assert!(
        report.lane_departures.is_empty(),
        "{:?}",
        report.lane_departures
    );
    let log = std::fs::read_to_string(outputs.log.as_ref().unwrap()).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 221);
    let mut distances = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["frame"], i as u64);
        assert_eq!(line["fcw"], false);
        assert_eq!(line["ldw"], false);
        for key in ["t", "objects", "lanes", "lead", "ttc_s", "ldw"] {
            assert!(line.get(key).is_some(), "frame {i} has no {key}");
        }
        for o in line["objects"].as_array().unwrap() {
            if o["class"] == "car" {
                if let Some(d) = o["distance_m"].as_f64() {
                    distances.push(d);
                }
            }
        }
    }
    // Cars ahead on a highway: from a few metres to well beyond 50 m.
    distances.sort_by(f64::total_cmp);
    let median = distances[distances.len() / 2];
    println!("{} car distances, median {median:.1} m", distances.len());
    assert!(distances.len() > 300, "{}", distances.len());
    assert!((10.0..120.0).contains(&median), "{median}");
    let video = seer_video::VideoReader::open(outputs.draw.as_ref().unwrap()).unwrap();
    assert_eq!(video.info().size, (960, 540));
}

#[test]
fn one_frame_gives_one_log_line_and_a_drawn_image() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    let outputs = DriveOutputs {
        log: Some(dir.path().join("frame.jsonl")),
        draw: Some(dir.path().join("frame.png")),
    };
    let image = seer_testdata::path("drive/test_images/solidWhiteCurve.jpg");
    let report = drive_image(&store, &image, &DriveOptions::default(), &outputs).unwrap();
    let frame = report.frame.unwrap();
    let cars: Vec<_> = frame.objects.iter().filter(|o| o.class == "car").collect();
    assert!(cars.len() >= 6, "{cars:?}");
    assert!(frame.lanes.left.is_some() && frame.lanes.right.is_some());
    // The two nearest cars in the left lanes: nearer than 30 m, to the left.
    let near = &cars[0];
    let d = near.distance_m.unwrap();
    assert!((8.0..30.0).contains(&d), "{near:?}");
    assert!(near.lateral_m.unwrap() < -2.0, "{near:?}");
    let log = std::fs::read_to_string(outputs.log.as_ref().unwrap()).unwrap();
    assert_eq!(log.lines().count(), 1);
    let drawn = seer_imgproc::load_rgb(outputs.draw.as_ref().unwrap()).unwrap();
    assert_eq!(drawn.dimensions(), (960, 540));
}

#[test]
fn bad_inputs_are_refused_and_nothing_is_written() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "not a video").unwrap();
    let outputs = DriveOutputs {
        log: Some(dir.path().join("out.jsonl")),
        draw: Some(dir.path().join("out.mp4")),
    };
    let error = drive_video(
        &store,
        &text,
        &DriveOptions::default(),
        &outputs,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    let clip = seer_testdata::path("drive/test_videos/solidWhiteRight.mp4");
    let cancel = CancelToken::new();
    cancel.cancel();
    let error = drive_video(
        &store,
        &clip,
        &DriveOptions::default(),
        &outputs,
        &NoProgress,
        &cancel,
    )
    .unwrap_err();
    assert!(matches!(error, DriveError::Cancelled(_)), "{error}");
    let same = DriveOutputs {
        log: Some(clip.clone()),
        draw: None,
    };
    let error = drive_video(
        &store,
        &clip,
        &DriveOptions::default(),
        &same,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(matches!(error, DriveError::OutputIsInput { .. }), "{error}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("notes.mp4")]);
}

#[test]
fn a_picture_without_lanes_still_gives_its_road_users_and_says_so() {
    let store = store();
    let photo = seer_testdata::faces().join("probes/obama_and_biden.jpg");
    let report = drive_image(
        &store,
        &photo,
        &DriveOptions::default(),
        &DriveOutputs::default(),
    )
    .unwrap();
    assert_eq!(report.frames_with_lanes, 0);
    let frame = report.frame.unwrap();
    assert!(frame.lanes.left.is_none() && frame.lanes.right.is_none());
    let people = frame.objects.iter().filter(|o| o.class == "person").count();
    assert!(people >= 2, "{:?}", frame.objects);
}
