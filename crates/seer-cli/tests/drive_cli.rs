//! `seer drive` on a dashcam frame: the summary JSON holds the cars with
//! distances; a broken camera file is refused naming its key and the flag.

mod common;

use common::*;

#[test]
fn a_dashcam_frame_gives_cars_with_distances() {
    let frame = seer_testdata::path("drive/test_images/solidYellowLeft.jpg");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("frame.jsonl");
    let report = run_json(
        seer()
            .arg("drive")
            .arg(&frame)
            .arg("--json")
            .arg(&log)
            .arg("--summary-json"),
    );
    assert_eq!(report["frames"], 1);
    assert_eq!(report["camera"], "preset");
    let objects = report["frame"]["objects"].as_array().unwrap();
    let cars: Vec<_> = objects.iter().filter(|o| o["class"] == "car").collect();
    assert!(cars.len() >= 5, "{objects:?}");
    for car in &cars {
        let d = car["distance_m"].as_f64().unwrap();
        assert!((3.0..250.0).contains(&d), "{car}");
        assert_eq!(car["box"].as_array().unwrap().len(), 4);
    }
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&log).unwrap().trim()).unwrap();
    assert_eq!(line["objects"], report["frame"]["objects"]);
}

#[test]
fn a_camera_file_with_a_bad_value_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let camera = dir.path().join("camera.toml");
    std::fs::write(
        &camera,
        "width = 960\nheight = 540\nfocal_px = 1000.0\nmount_height_m = -1.3\n",
    )
    .unwrap();
    let out = seer()
        .arg("drive")
        .arg(seer_testdata::path("drive/test_images/solidYellowLeft.jpg"))
        .arg("--camera")
        .arg(&camera)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("mount_height_m") && err.contains("--camera"),
        "{err}"
    );
    std::fs::write(
        &camera,
        "width = 960\nheight = 540\nfocal_px = 1000.0\nmount_height_m = 1.3\nyaw = 2\n",
    )
    .unwrap();
    let out = seer()
        .arg("drive")
        .arg(seer_testdata::path("drive/test_images/solidYellowLeft.jpg"))
        .arg("--camera")
        .arg(&camera)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("yaw"), "{}", stderr(&out));
}
