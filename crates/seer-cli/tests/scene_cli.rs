//! `seer scene detect` on an image and a video: persons found with their
//! boxes in JSON, tracks with ids and a MOTChallenge file; --mot without
//! --track refused.

mod common;

use common::*;

#[test]
fn a_photo_gives_its_people_as_json() {
    let photo = seer_testdata::faces().join("probes/obama_and_biden.jpg");
    let result = run_json(seer().args(["scene", "detect", "--json"]).arg(&photo));
    let objects = result["objects"].as_array().unwrap();
    let people = objects.iter().filter(|o| o["class"] == "person").count();
    assert_eq!(people, 4, "{objects:?}");
    assert_eq!(result["size"], serde_json::json!([2000, 1428]));
}

#[test]
fn a_clip_gives_person_tracks_and_a_mot_file() {
    let dir = tempfile::tempdir().unwrap();
    let mot = dir.path().join("tracks.txt");
    let result = run_json(
        seer()
            .args([
                "scene", "detect", "--fps", "5", "--track", "--json", "--mot",
            ])
            .arg(&mot)
            .arg(seer_testdata::hamilton_clip()),
    );
    assert_eq!(result["frames_total"], 275);
    let tracks = result["tracks"].as_array().unwrap();
    assert!(
        tracks
            .iter()
            .any(|t| t["class"] == "person" && t["frames"].as_u64().unwrap() >= 20),
        "{tracks:?}"
    );
    let text = std::fs::read_to_string(&mot).unwrap();
    assert!(text.lines().count() >= 20);
    assert!(text.lines().all(|l| l.split(',').count() == 10), "{text}");
    let out = seer()
        .args(["scene", "detect", "--mot"])
        .arg(dir.path().join("x.txt"))
        .arg(seer_testdata::hamilton_clip())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--track"), "{}", stderr(&out));
}

#[test]
fn the_hamilton_clip_has_four_shots_in_json() {
    let list = run_json(
        seer()
            .args(["scene", "shots", "--json"])
            .arg(seer_testdata::hamilton_clip()),
    );
    assert_eq!(list["frames"], 275);
    let shots = list["shots"].as_array().unwrap();
    let starts: Vec<u64> = shots
        .iter()
        .map(|s| s["start_frame"].as_u64().unwrap())
        .collect();
    // Its own cuts, checked on a contact sheet of every frame.
    assert_eq!(starts, [0, 20, 82, 211]);
    assert_eq!(shots[0]["transition_in"], "start");
    assert!(shots[1..].iter().all(|s| s["transition_in"] == "cut"));
    assert_eq!(shots[3]["end_frame"], 274);
}

#[test]
fn describe_writes_one_webvtt_cue_per_shot_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let vtt = dir.path().join("clip.vtt");
    let narration = run_json(
        seer()
            .args([
                "scene", "describe", "--fps", "2", "--lang", "zh", "--json", "--vtt",
            ])
            .arg(&vtt)
            .arg(seer_testdata::hamilton_clip()),
    );
    let shots = narration["shots"].as_array().unwrap();
    assert_eq!(shots.len(), 4);
    assert!(shots
        .iter()
        .all(|s| !s["text"].as_str().unwrap().is_empty()));
    let text = std::fs::read_to_string(&vtt).unwrap();
    assert!(text.starts_with("WEBVTT"));
    assert_eq!(text.matches(" --> ").count(), 4);
    // The clip shows one or two people in every shot after the first.
    assert_eq!(text.matches("画面中有").count(), 3, "{text}");
    assert!(text.contains("个人"), "{text}");
}

#[test]
fn ocr_reads_a_book_cover_as_json() {
    let result = run_json(
        seer()
            .args(["scene", "ocr", "--json"])
            .arg(seer_testdata::path("sr/Set14/ppt3.png")),
    );
    let texts: Vec<&str> = result["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    for word in ["PowerPoint", "Everything", "2002"] {
        assert!(texts.contains(&word), "{word} not in {texts:?}");
    }
    let first = &result["lines"][0];
    assert_eq!(first["box"].as_array().unwrap().len(), 4);
}
