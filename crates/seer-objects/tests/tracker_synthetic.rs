//! The tracker on synthetic sequences: crossings, a 10-frame occlusion,
//! low-score detections, false positives, broken detections.
//!
//! Floors. The tracker reports a box only where a detection matched, so a
//! missed detection is a miss: with the simulator's 10 % miss rate MOTA
//! and recall cannot exceed about 0.90, and each new track costs
//! `min_hits − 1` = 2 frames before it is reported (8 sprites × 2 = 16 of
//! ~1550 boxes, 1 %). Measured on the default sequence (seed 7, 8
//! sprites, detector seed 11): MOTA 0.85, IDF1 0.92, 0 id switches; the
//! floors below leave about 0.02 for harmless changes (0.83, 0.88) and
//! fail on a tracker that drops low-score detections (MOTA ≈ 0.70) or
//! swaps ids.

use seer_objects::metrics::{evaluate, LabelledBox, MotMetrics};
use seer_objects::mot_format::{format_mot, parse_mot, MotRecord};
use seer_objects::synthetic::{
    generate_scene, simulate_detections, DetectionFrame, DetectorSim, Scene, SceneOptions,
};
use seer_objects::{Detection, TrackedObject, Tracker, TrackerOptions};
use std::collections::{BTreeMap, BTreeSet};

fn track(frames: &[DetectionFrame], options: TrackerOptions) -> Vec<Vec<TrackedObject>> {
    let mut tracker = Tracker::new(options).unwrap();
    frames
        .iter()
        .map(|f| tracker.update(&f.detections))
        .collect()
}

fn hypotheses(outputs: &[Vec<TrackedObject>]) -> Vec<LabelledBox> {
    let mut out = Vec::new();
    for (f, objects) in outputs.iter().enumerate() {
        for o in objects {
            out.push((f as u32 + 1, o.track_id, o.bbox));
        }
    }
    out
}

fn score(scene: &Scene, outputs: &[Vec<TrackedObject>]) -> MotMetrics {
    evaluate(&scene.ground_truth(), &hypotheses(outputs)).unwrap()
}

fn report(label: &str, m: &MotMetrics) {
    println!(
        "{label}: MOTA {:.4} IDF1 {:.4} IDsw {} MOTP {:.4} | FP {} FN {} frag {} \
         recall {:.4} MT {}/{} ML {}",
        m.mota,
        m.idf1,
        m.id_switches,
        m.motp,
        m.false_positives,
        m.misses,
        m.fragmentations,
        m.recall,
        m.mostly_tracked,
        m.gt_trajectories,
        m.mostly_lost
    );
}

/// Per sprite id, frame → track id, from the detections' true sources.
fn ids_by_sprite(
    frames: &[DetectionFrame],
    outputs: &[Vec<TrackedObject>],
) -> BTreeMap<u64, BTreeMap<usize, u64>> {
    let mut ids: BTreeMap<u64, BTreeMap<usize, u64>> = BTreeMap::new();
    for (f, objects) in outputs.iter().enumerate() {
        for o in objects {
            if let Some(sprite) = frames[f].sources[o.detection] {
                ids.entry(sprite).or_default().insert(f, o.track_id);
            }
        }
    }
    ids
}

#[test]
fn the_default_sequence_meets_the_floors() {
    let options = SceneOptions::default();
    let scene = generate_scene(&options);
    let sim = DetectorSim::default();
    let frames = simulate_detections(&scene, &sim);
    let m = score(&scene, &track(&frames, TrackerOptions::default()));
    println!("scene {options:?}\ndetector {sim:?}");
    report("default sequence", &m);
    assert!(m.mota >= 0.83, "MOTA {}", m.mota);
    assert!(m.idf1 >= 0.88, "IDF1 {}", m.idf1);
    assert!(m.id_switches <= 1, "id switches {}", m.id_switches);
    assert!(m.motp >= 0.8, "MOTP {}", m.motp);
    assert_eq!(m.mostly_lost, 0);
}

#[test]
fn crowded_sequences_over_several_seeds_meet_the_floors() {
    // 16 sprites, seeds 1–5: measured MOTA 0.851–0.867, IDF1 0.920–0.929,
    // at most 1 switch per sequence.
    let mut switches = 0;
    for seed in 1..=5u64 {
        let scene = generate_scene(&SceneOptions {
            seed,
            sprites: 16,
            ..SceneOptions::default()
        });
        let sim = DetectorSim {
            seed: seed + 100,
            ..DetectorSim::default()
        };
        let frames = simulate_detections(&scene, &sim);
        let m = score(&scene, &track(&frames, TrackerOptions::default()));
        report(
            &format!(
                "16 sprites, scene seed {seed}, detector seed {}",
                seed + 100
            ),
            &m,
        );
        assert!(m.mota >= 0.82, "seed {seed}: MOTA {}", m.mota);
        assert!(m.idf1 >= 0.86, "seed {seed}: IDF1 {}", m.idf1);
        assert!(
            m.id_switches <= 2,
            "seed {seed}: {} switches",
            m.id_switches
        );
        switches += m.id_switches;
    }
    assert!(switches <= 3, "{switches} switches over 5 sequences");
}

#[test]
fn ids_hold_through_the_crossing_and_the_ten_frame_occlusion() {
    let scene = generate_scene(&SceneOptions::default());
    let frames = simulate_detections(&scene, &DetectorSim::default());
    let outputs = track(&frames, TrackerOptions::default());
    let ids = ids_by_sprite(&frames, &outputs);
    let occluder = scene.options.occluder();
    assert_eq!((occluder.from_frame, occluder.frames), (60, 10));
    for sprite in 1..=4u64 {
        let seen = &ids[&sprite];
        let distinct: BTreeSet<u64> = seen.values().copied().collect();
        println!(
            "sprite {sprite}: track ids {distinct:?} over {} frames",
            seen.len()
        );
        assert_eq!(distinct.len(), 1, "sprite {sprite} had ids {distinct:?}");
    }
    // Sprites 3 and 4 are hidden in frames 60..70 and keep their id.
    for sprite in [3u64, 4] {
        let seen = &ids[&sprite];
        let before = seen.range(..60).next_back().map(|(_, id)| *id);
        let after = seen.range(70..).next().map(|(_, id)| *id);
        assert!(seen.range(60..70).next().is_none());
        println!("sprite {sprite}: id {before:?} before the occlusion, {after:?} after");
        assert!(before.is_some());
        assert_eq!(before, after, "sprite {sprite}");
    }
    // Sprites 1 and 2 really crossed (their boxes overlapped) with two ids.
    assert_ne!(ids[&1].values().next(), ids[&2].values().next());
}

#[test]
fn the_second_pass_recovers_low_score_detections() {
    let scene = generate_scene(&SceneOptions::default());
    let frames = simulate_detections(&scene, &DetectorSim::default());
    let with = track(&frames, TrackerOptions::default());
    let without = track(
        &frames,
        TrackerOptions {
            low_score: 0.5, // = high_score: no second pass
            ..TrackerOptions::default()
        },
    );
    let (m_with, m_without) = (score(&scene, &with), score(&scene, &without));
    report("with the second pass", &m_with);
    report("without the second pass", &m_without);
    // 20 % of the true detections score 0.15..0.45: recall drops by about
    // that much without the second pass (measured 0.852 vs 0.701).
    assert!(m_with.recall >= m_without.recall + 0.1);
    assert!(m_with.mota >= m_without.mota + 0.1);
    let low_true = with
        .iter()
        .enumerate()
        .flat_map(|(f, objects)| objects.iter().map(move |o| (f, o)))
        .filter(|(f, o)| o.score < 0.5 && frames[*f].sources[o.detection].is_some())
        .count();
    println!("low-score true detections reported: {low_true}");
    assert!(low_true > 200, "{low_true}");
    assert!(without.iter().flatten().all(|o| o.score >= 0.5));
}

#[test]
fn broken_detections_are_skipped_without_changing_anything_else() {
    let scene = generate_scene(&SceneOptions::default());
    let frames = simulate_detections(&scene, &DetectorSim::default());
    let clean = track(&frames, TrackerOptions::default());
    let broken_boxes = [
        Detection::new(
            seer_core::geometry::Rect::new(f32::NAN, 1.0, 10.0, 10.0),
            0.9,
            0,
        ),
        Detection::new(
            seer_core::geometry::Rect::new(1.0, 1.0, 10.0, 10.0),
            f32::NAN,
            0,
        ),
        Detection::new(
            seer_core::geometry::Rect::new(1.0, 1.0, f32::INFINITY, 10.0),
            0.9,
            2,
        ),
        Detection::new(seer_core::geometry::Rect::new(1.0, 1.0, 0.0, 10.0), 0.9, 0),
        Detection::new(seer_core::geometry::Rect::new(1.0, 1.0, 10.0, -5.0), 0.9, 0),
        Detection::new(
            seer_core::geometry::Rect::new(3e30, 1.0, 10.0, 10.0),
            0.9,
            0,
        ),
    ];
    let mut tracker = Tracker::new(TrackerOptions::default()).unwrap();
    for (f, frame) in frames.iter().enumerate() {
        // Broken detections first, so every index shifts.
        let mut input: Vec<Detection> = broken_boxes.to_vec();
        input.extend_from_slice(&frame.detections);
        let out = tracker.update(&input);
        let strip = |o: &TrackedObject| (o.track_id, o.bbox, o.score, o.class);
        let got: Vec<_> = out.iter().map(strip).collect();
        let want: Vec<_> = clean[f].iter().map(strip).collect();
        assert_eq!(got, want, "frame {f}");
        for (o, c) in out.iter().zip(&clean[f]) {
            assert_eq!(o.detection, c.detection + broken_boxes.len());
        }
    }
    // A frame of nothing but broken detections, and empty frames.
    assert!(tracker.update(&broken_boxes).is_empty());
    assert!(tracker.update(&[]).is_empty());
}

#[test]
fn the_tracker_is_deterministic_and_its_output_survives_a_mot_file() {
    let scene = generate_scene(&SceneOptions::default());
    let frames = simulate_detections(&scene, &DetectorSim::default());
    let a = track(&frames, TrackerOptions::default());
    let b = track(&frames, TrackerOptions::default());
    assert_eq!(a, b);
    let records: Vec<MotRecord> = a
        .iter()
        .enumerate()
        .flat_map(|(f, objects)| {
            objects.iter().map(move |o| MotRecord {
                frame: f as u32 + 1,
                id: o.track_id,
                bbox: o.bbox,
                score: o.score,
            })
        })
        .collect();
    let text = format_mot(&records).unwrap();
    let read: Vec<LabelledBox> = parse_mot(&text)
        .unwrap()
        .iter()
        .map(|r| (r.frame, r.id, r.bbox))
        .collect();
    let direct = score(&scene, &a);
    assert_eq!(evaluate(&scene.ground_truth(), &read).unwrap(), direct);
    // Ids are handed out 1, 2, 3, … without gaps.
    let ids: BTreeSet<u64> = records.iter().map(|r| r.id).collect();
    assert_eq!(ids, (1..=ids.len() as u64).collect());
}
