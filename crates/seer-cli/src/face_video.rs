//! Faces in videos on the command line: `seer face detect VIDEO`
//! (per-frame detections with track ids, a per-track summary, `--draw
//! OUT.mp4`) and `seer face identify --gallery G VIDEO` (one decision per
//! track, as a timeline). The work is `seer_face::video`'s; this module
//! builds its options and prints.

use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use seer_face::video::{detect_video, identify_video, VideoDetectOptions};
use seer_face::workflow::IdentifyOptions;
use seer_face::{DetectOptions, Gallery};
use std::path::{Path, PathBuf};

/// `seer face detect VIDEO`: JSON lines (one per detected frame, then the
/// summary) with `--json`, else a table of tracks.
pub(crate) fn detect(
    video: PathBuf,
    detect: DetectOptions,
    every: u64,
    full_search_every: u64,
    draw: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<()> {
    let options = VideoDetectOptions {
        detect,
        every,
        full_search_every,
        draw,
    };
    let progress = TerminalProgress::new();
    let cancel = crate::progress::cancel_on_ctrl_c();
    let (_, mut detector) = crate::face::detector(&progress)?;
    let result = detect_video(&mut detector, &video, &options, &progress, &cancel)?;
    if json {
        for line in result.frame_lines() {
            out_line(&serde_json::to_string(&line)?);
        }
        out_line(&serde_json::to_string(&result.summary)?);
        return Ok(());
    }
    let summary = &result.summary;
    let rows: Vec<Vec<String>> = summary
        .tracks
        .iter()
        .map(|t| {
            vec![
                t.track.to_string(),
                format!("{:.2}", t.start_s),
                format!("{:.2}", t.end_s),
                t.frames.to_string(),
                format!("{:.0}", t.mean_size_px),
                format!("{:.3}", t.best_score),
            ]
        })
        .collect();
    print_table(
        &[
            "track",
            "first s",
            "last s",
            "frames",
            "size px",
            "best score",
        ],
        &rows,
    );
    out_line(&format!(
        "{} frames ({} scanned), {} tracks, {} untracked detections, {:.1} frames/s",
        summary.frames,
        summary.detected_frames,
        summary.tracks.len(),
        result.untracked(),
        summary.fps
    ));
    Ok(())
}

/// `seer face identify --gallery G VIDEO`: a timeline of tracks and who
/// they are.
pub(crate) fn identify(
    mut gallery: Gallery,
    video: &Path,
    options: &IdentifyOptions,
    json: bool,
) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let cancel = crate::progress::cancel_on_ctrl_c();
    let (mut detector, mut embedder) = crate::face::detector_and_embedder(&progress)?;
    let result = identify_video(
        &mut detector,
        &mut embedder,
        &mut gallery,
        video,
        options,
        &crate::face::caller(),
        &progress,
        &cancel,
    )?;
    if json {
        return print_json(&result);
    }
    let rows: Vec<Vec<String>> = result
        .timeline
        .iter()
        .map(|e| {
            vec![
                format!("{:.2}", e.start_s),
                format!("{:.2}", e.end_s),
                e.track.to_string(),
                e.subject.clone(),
                e.distance.map_or("-".to_string(), |d| format!("{d:.3}")),
                e.frames.to_string(),
            ]
        })
        .collect();
    print_table(
        &["start s", "end s", "track", "subject", "distance", "frames"],
        &rows,
    );
    if result.timeline.is_empty() {
        eprintln!("no face tracks found in {}", result.video);
    }
    Ok(())
}
