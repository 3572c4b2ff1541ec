//! `seer bench faces-throughput`: how fast faces are found and described
//! (`seer_eval::faces::throughput`).

use crate::bench::with_flag;
use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use clap::Args;
use seer_eval::faces::throughput::{bench_throughput, ThroughputOptions};
use std::path::PathBuf;

/// Arguments of `seer bench faces-throughput`.
#[derive(Args)]
pub struct FacesThroughputArgs {
    /// Rounds over the six photos (after one untimed warm-up round).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Decode the JPEGs on the model thread instead of a decode thread.
    #[arg(long)]
    sequential: bool,
    /// The video for the 720p detection test (default: the test clip in
    /// testdata/faces when present; skipped otherwise).
    #[arg(long)]
    video: Option<PathBuf>,
    /// Video frames to decode, resize to 1280×720 and detect on.
    #[arg(long, default_value_t = 48)]
    frames: usize,
    /// ONNX Runtime threads per model, one image at a time (default:
    /// physical cores).
    #[arg(long, value_parser = crate::upscale::parse_threads)]
    threads: Option<usize>,
    /// Parallel workers for the stream test (default: physical cores).
    #[arg(long)]
    workers: Option<usize>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// The test clip used when no `--video` is given.
const DEFAULT_VIDEO: &str = "testdata/faces/short_hamilton_clip.mp4";

/// Runs `seer bench faces-throughput`.
pub fn run(args: FacesThroughputArgs) -> anyhow::Result<()> {
    let video = args.video.clone().or_else(|| {
        let p = PathBuf::from(DEFAULT_VIDEO);
        p.exists().then_some(p)
    });
    if video.is_none() {
        eprintln!("no video given (--video) and no {DEFAULT_VIDEO}; skipping the 720p test");
    }
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let options = ThroughputOptions {
        rounds: args.rounds,
        sequential: args.sequential,
        video,
        frames: args.frames,
        threads: args.threads,
        workers: args.workers,
    };
    let report = bench_throughput(
        &store,
        &options,
        &progress,
        &crate::progress::cancel_on_ctrl_c(),
    )
    .map_err(with_flag)?;
    if args.json {
        return print_json(&report);
    }
    let p = &report.photos.rates;
    let rounds = report.photos.rounds;
    let mut rows = vec![vec![
        format!("photos ×{rounds} (decode+detect+embed)"),
        format!("{:.1} faces/s", p.faces_per_s),
        format!(
            "{} faces in {:.2} s; decode {:.2} s, detect {:.2} s, embed {:.2} s",
            p.faces, p.seconds, p.decode_s, p.detect_s, p.embed_s
        ),
    ]];
    let st = &report.stream.rates;
    rows.push(vec![
        format!("photos ×{rounds}, {} workers", report.stream.workers),
        format!("{:.1} faces/s", st.faces_per_s),
        format!(
            "{} faces in {:.2} s; summed over workers: decode {:.2} s, detect {:.2} s, embed {:.2} s",
            st.faces, st.seconds, st.decode_s, st.detect_s, st.embed_s
        ),
    ]);
    if let Some(v) = &report.video {
        rows.push(vec![
            format!("video {}×{} detect", v.width, v.height),
            format!("{:.1} frames/s", v.fps_whole_image),
            format!("{} frames, {:.2} faces/frame", v.frames, v.faces_per_frame),
        ]);
        rows.push(vec![
            format!(
                "video {}×{} detect --small-faces --full-search-every 1",
                v.width, v.height
            ),
            format!("{:.1} frames/s", v.fps_small_faces),
            format!("{:.2} faces/frame", v.small_faces_per_frame),
        ]);
        rows.push(vec![
            format!(
                "video {}×{} detect --small-faces --full-search-every {}",
                v.width, v.height, v.full_search_every
            ),
            format!("{:.1} frames/s", v.fps_small_faces_followed),
            format!("{:.2} faces/frame", v.small_faces_per_frame_followed),
        ]);
    }
    print_table(&["test", "throughput", "details"], &rows);
    out_line(&format!(
        "ONNX Runtime threads per model: {}",
        report.threads
    ));
    Ok(())
}
