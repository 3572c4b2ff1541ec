//! Narration of a real clip: one cue per shot, built only from what was
//! detected (no class named that the facts do not hold), written as
//! SubRip and WebVTT.

mod common;

use seer_core::{CancelToken, NoProgress};
use seer_scene::{describe_video, DescribeOptions, DescribeOutputs};

#[test]
fn the_hamilton_clip_is_narrated_shot_by_shot_from_its_facts() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let dir = tempfile::tempdir().unwrap();
    let outputs = DescribeOutputs {
        srt: Some(dir.path().join("clip.srt")),
        vtt: Some(dir.path().join("clip.vtt")),
    };
    let mut options = DescribeOptions::default();
    options.objects.sample_fps = Some(3.0);
    let narration = describe_video(
        &store,
        &seer_testdata::hamilton_clip(),
        &options,
        &outputs,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap();
    for s in &narration.shots {
        println!(
            "{:.2}-{:.2}: {}",
            s.facts.shot.start_s, s.facts.shot.end_s, s.text
        );
    }
    println!("{:.2}x real time", narration.speed_x_real_time);
    assert_eq!(narration.frames, 275);
    assert_eq!(narration.shots.len(), 4);
    // The performer is on stage in the three long shots.
    for s in &narration.shots[1..] {
        assert!(s.facts.objects.contains_key("person"), "{:?}", s.facts);
        assert!(
            s.text.contains("person") || s.text.contains("people"),
            "{}",
            s.text
        );
    }
    // No class is named that was not detected in the shot.
    for s in &narration.shots {
        for class in seer_objects::COCO_CLASSES {
            let named =
                s.text.contains(&format!(" {class} ")) || s.text.contains(&format!(" {class}."));
            let known = s.facts.objects.contains_key(class)
                || s.facts.events.iter().any(|e| e.class == class);
            assert!(
                !named || known,
                "{class} named in {:?} without being detected",
                s.text
            );
        }
    }
    // The broadcaster's "WH.GOV" logo is on screen during the performance.
    assert!(
        narration
            .shots
            .iter()
            .any(|s| s.facts.text.iter().any(|t| t.contains("GOV"))),
        "{:?}",
        narration
            .shots
            .iter()
            .map(|s| &s.facts.text)
            .collect::<Vec<_>>()
    );
    let srt = std::fs::read_to_string(outputs.srt.as_ref().unwrap()).unwrap();
    assert_eq!(srt.matches(" --> ").count(), 4);
    assert!(
        srt.starts_with("1\n00:00:00,000 --> 00:00:00,667\n"),
        "{srt}"
    );
    let vtt = std::fs::read_to_string(outputs.vtt.as_ref().unwrap()).unwrap();
    assert!(vtt.starts_with("WEBVTT\n\n00:00:00.000 --> "), "{vtt}");
    assert!(vtt.contains(&narration.shots[2].text));
}

/// A 14 s clip of a photo with a scoreboard in its corner: "ARS 0-0"
/// until 7 s, then "ARS 1-0".
fn scoreboard_clip(path: &std::path::Path) {
    let font_bytes = std::fs::read(seer_testdata::path("fonts/DejaVuSans-subset.ttf")).unwrap();
    let font = ab_glyph::FontRef::try_from_slice(&font_bytes).unwrap();
    let photo = seer_imgproc::load_rgb(&seer_testdata::path("sr/Set14/lenna.png")).unwrap();
    let base = seer_imgproc::resize_to(
        &photo,
        seer_testdata::shots::WIDTH,
        seer_testdata::shots::HEIGHT,
    );
    let board = |text: &str| {
        let mut frame = base.clone();
        let ink = common::rasterise(&font, text, 22.0);
        seer_imgproc::text::fill(
            &mut frame,
            2,
            2,
            i64::from(ink.width) + 12,
            i64::from(ink.height) + 12,
            image::Rgb([10, 20, 60]),
        );
        common::stamp(&mut frame, &ink, 8, 8, [255, 255, 255], [10, 20, 60], 0);
        frame
    };
    let (before, after) = (board("ARS 0-0"), board("ARS 1-0"));
    let frames: Vec<image::RgbImage> = (0..350)
        .map(|i| {
            if i < 175 {
                before.clone()
            } else {
                after.clone()
            }
        })
        .collect();
    seer_testdata::shots::write_frames(path, &frames);
}

#[test]
fn a_scoreboard_change_is_told_when_and_what_it_was() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("match.mp4");
    scoreboard_clip(&clip);
    let mut options = DescribeOptions::default();
    options.objects.sample_fps = Some(1.0);
    let narration = describe_video(
        &store,
        &clip,
        &options,
        &DescribeOutputs::default(),
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap();
    let changes: Vec<_> = narration
        .shots
        .iter()
        .flat_map(|s| s.facts.score_changes.iter())
        .collect();
    for s in &narration.shots {
        println!(
            "{:.1}-{:.1}: {}",
            s.facts.shot.start_s, s.facts.shot.end_s, s.text
        );
    }
    // Text is read every 3 s: the new score is first read at 9 s.
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].from.as_str(), changes[0].to.as_str()),
        ("0-0", "1-0")
    );
    assert!((7.0..=10.0).contains(&changes[0].t_s), "{}", changes[0].t_s);
    assert!(narration.shots.iter().any(|s| s
        .text
        .contains("At 0:09 the score changes from 0-0 to 1-0.")));
}
