//! Narration of a real clip: one cue per shot, built only from what was
//! detected (no class named that the facts do not hold), written as
//! SubRip and WebVTT.

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
