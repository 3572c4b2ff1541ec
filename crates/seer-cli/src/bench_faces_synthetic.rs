//! `seer bench faces-synthetic`: recall and false positives of the face
//! detector on synthetic scenes with small faces, normal and darkened
//! (`seer_eval::faces::detection_bench`).

use crate::bench::with_flag;
use crate::output::{print_json, print_table};
use crate::progress::TerminalProgress;
use clap::Args;
use seer_eval::faces::detection_bench::{bench_detection, DetectionBenchOptions};
use seer_face::DetectOptions;
use std::path::PathBuf;

/// Arguments of `seer bench faces-synthetic`.
#[derive(Args)]
pub struct BenchFacesSyntheticArgs {
    /// The test data folder (holding faces/gallery, drive/test_images, sr/Set14).
    #[arg(long, default_value = "testdata")]
    data: PathBuf,
    /// Scenes per face width.
    #[arg(long, default_value_t = 50)]
    scenes: usize,
    /// Faces pasted per scene.
    #[arg(long, default_value_t = 4)]
    faces_per_scene: usize,
    /// Face widths in pixels, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "16,24,32,48,64")]
    widths: Vec<u32>,
    /// Seed of the scene generator. Scene s of width w is drawn from
    /// seed ^ (w << 32) ^ s, so seeds closer than the scene count share
    /// most scenes (1 and 2 do); 1 and 4096 share none.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Detector modes, comma-separated (default: all): whole, whole+exp,
    /// tiles2x2, tiles2x2+exp, adaptive, adaptive+exp, adaptive-recheck+exp
    /// (the last is what `seer face detect --small-faces` uses).
    #[arg(long, value_delimiter = ',')]
    modes: Vec<String>,
    /// Smallest face width the adaptive modes look for, in pixels (sets the
    /// first pyramid level's tile size).
    #[arg(long, default_value_t = DetectOptions::default().min_face_px)]
    min_face_px: f32,
    /// Minimum score of unconfirmed tile detections in normally exposed
    /// scenes, 0..1 (default: the detector's, 0.6).
    #[arg(long)]
    tile_score: Option<f32>,
    /// Write every scene (normal and dark) with true boxes as PNGs here.
    #[arg(long, value_name = "DIR")]
    save_scenes: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `seer bench faces-synthetic`.
pub fn run(args: BenchFacesSyntheticArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let options = DetectionBenchOptions {
        data: args.data,
        scenes: args.scenes,
        faces_per_scene: args.faces_per_scene,
        widths: args.widths,
        seed: args.seed,
        modes: args.modes,
        min_face_px: args.min_face_px,
        tile_score: args.tile_score,
        save_scenes: args.save_scenes,
    };
    let output = bench_detection(
        &store,
        &options,
        &progress,
        &crate::progress::cancel_on_ctrl_c(),
    )
    .map_err(with_flag)?;
    if args.json {
        return print_json(&output);
    }
    let table: Vec<Vec<String>> = output
        .rows
        .iter()
        .map(|r| {
            vec![
                r.mode.clone(),
                r.face_width_px.to_string(),
                r.light.to_string(),
                format!("{}/{}", r.found, r.faces),
                format!("{:.1}", 100.0 * r.recall),
                format!("{:.2}", r.false_positives_per_image),
                format!("{:.0}", r.ms_per_image),
            ]
        })
        .collect();
    print_table(
        &[
            "mode", "face px", "light", "found", "recall %", "FP/image", "ms/image",
        ],
        &table,
    );
    Ok(())
}
