//! `seer bench faces-synthetic`: recall and false positives of the face
//! detector on synthetic scenes with small faces, normal and darkened.
//!
//! Faces are the detector's boxes on the one-person gallery photos
//! (`DATA/faces/gallery/*/*`); backgrounds are the dashcam frames
//! (`DATA/drive/test_images`) and the Set14 images without faces
//! (`DATA/sr/Set14`). Each scene is 640×480 with several faces of one
//! width; the dark copy of a scene is the same scene through
//! `seer_eval::faces::synthetic::darken`. A true face counts as found when a
//! detection overlaps it by IoU ≥ 0.4; every other detection is a false
//! positive.

use crate::output::{print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::Context;
use clap::Args;
use image::RgbImage;
use seer_core::progress::Progress;
use seer_core::random::SeededRng;
use seer_eval::faces::synthetic::{self, FaceSource, SceneSpec};
use seer_face::{largest, DetectOptions, Detector, ExposureMode, Tiling};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Set14 images that show no face (the others would count real faces as
/// false positives).
pub const FACELESS_SET14: [&str; 8] = [
    "baboon.png",
    "bridge.png",
    "coastguard.png",
    "flowers.png",
    "monarch.png",
    "pepper.png",
    "ppt3.png",
    "zebra.png",
];

/// IoU at which a detection matches a true face.
const MATCH_IOU: f32 = 0.4;

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

/// A named detector configuration.
#[derive(Clone, Copy)]
struct Mode {
    name: &'static str,
    options: DetectOptions,
}

fn modes() -> Vec<Mode> {
    let with = |tiling, exposure, recheck| DetectOptions {
        tiling,
        exposure,
        recheck,
        ..Default::default()
    };
    use ExposureMode::{Auto, Off};
    vec![
        Mode {
            name: "whole",
            options: with(Tiling::None, Off, false),
        },
        Mode {
            name: "whole+exp",
            options: with(Tiling::None, Auto, false),
        },
        Mode {
            name: "tiles2x2",
            options: with(Tiling::Grid2x2, Off, false),
        },
        Mode {
            name: "tiles2x2+exp",
            options: with(Tiling::Grid2x2, Auto, false),
        },
        Mode {
            name: "adaptive",
            options: with(Tiling::Pyramid, Off, false),
        },
        Mode {
            name: "adaptive+exp",
            options: with(Tiling::Pyramid, Auto, false),
        },
        Mode {
            name: "adaptive-recheck+exp",
            options: with(Tiling::Pyramid, Auto, true),
        },
    ]
}

/// One row of the result: a mode on faces of one width in one light.
#[derive(Serialize)]
struct Row {
    mode: String,
    face_width_px: u32,
    light: &'static str,
    faces: usize,
    found: usize,
    recall: f32,
    false_positives_per_image: f32,
    ms_per_image: f32,
}

#[derive(Serialize)]
struct Output {
    scenes_per_width: usize,
    faces_per_scene: usize,
    seed: u64,
    match_iou: f32,
    face_sources: usize,
    backgrounds: usize,
    rows: Vec<Row>,
}

/// Every gallery photo's largest detected face, as paste sources.
pub fn face_sources(detector: &mut Detector, gallery: &Path) -> anyhow::Result<Vec<FaceSource>> {
    let mut out = Vec::new();
    for (_, path) in seer_eval::dataset::gallery_photos(gallery)? {
        let image = seer_imgproc::load_rgb(&path)?;
        let faces = detector.detect(&image, &DetectOptions::default())?;
        let face = largest(&faces)
            .with_context(|| format!("no face found in gallery photo {}", path.display()))?;
        out.push(FaceSource {
            bbox: face.bbox,
            image,
        });
    }
    anyhow::ensure!(!out.is_empty(), "no photos under {}", gallery.display());
    Ok(out)
}

/// Dashcam frames and face-free Set14 images under `data`.
pub fn backgrounds(data: &Path) -> anyhow::Result<Vec<RgbImage>> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let drive = data.join("drive/test_images");
    if let Ok(entries) = std::fs::read_dir(&drive) {
        let mut v: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| seer_imgproc::is_image_path(p))
            .collect();
        v.sort();
        paths.extend(v);
    }
    for name in FACELESS_SET14 {
        let p = data.join("sr/Set14").join(name);
        if p.exists() {
            paths.push(p);
        }
    }
    anyhow::ensure!(
        !paths.is_empty(),
        "no background images in {}/drive/test_images or {}/sr/Set14",
        data.display(),
        data.display()
    );
    paths
        .iter()
        .map(|p| Ok(seer_imgproc::load_rgb(p)?))
        .collect()
}

/// Runs `seer bench faces-synthetic`.
pub fn run(args: BenchFacesSyntheticArgs) -> anyhow::Result<()> {
    let all: Vec<Mode> = modes()
        .into_iter()
        .map(|mut m| {
            m.options.min_face_px = args.min_face_px;
            if let Some(t) = args.tile_score {
                m.options.tile_score_threshold = t;
            }
            m
        })
        .collect();
    let chosen: Vec<Mode> = if args.modes.is_empty() {
        all.clone()
    } else {
        args.modes
            .iter()
            .map(|name| {
                all.iter()
                    .find(|m| m.name == name)
                    .copied()
                    .with_context(|| {
                        let names: Vec<&str> = all.iter().map(|m| m.name).collect();
                        format!("unknown mode '{name}'; use one of {}", names.join(", "))
                    })
            })
            .collect::<anyhow::Result<_>>()?
    };
    anyhow::ensure!(
        args.widths.iter().all(|&w| (8..=200).contains(&w)),
        "--widths must be between 8 and 200 pixels"
    );
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let sources = face_sources(&mut detector, &args.data.join("faces/gallery"))?;
    let backgrounds = backgrounds(&args.data)?;
    if let Some(dir) = &args.save_scenes {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Per (mode, width, light): faces, found, false positives, seconds.
    let lights = ["normal", "dark"];
    let mut totals = vec![[0f64; 4]; chosen.len() * args.widths.len() * 2];
    let total_steps = (args.widths.len() * args.scenes) as u64;
    progress.start("synthetic scenes", Some(total_steps));
    let mut step = 0;
    for (wi, &width) in args.widths.iter().enumerate() {
        for s in 0..args.scenes {
            let mut rng = SeededRng::new(args.seed ^ ((width as u64) << 32) ^ s as u64);
            let spec = SceneSpec {
                width: 640,
                height: 480,
                face_width: width,
                faces: args.faces_per_scene,
                dark: false,
            };
            let scene = synthetic::make_scene(&backgrounds, &sources, &spec, &mut rng);
            let dark = synthetic::darken(&scene.image, &mut rng);
            for (li, image) in [&scene.image, &dark].into_iter().enumerate() {
                if let Some(dir) = &args.save_scenes {
                    let drawn = draw_truth(image, &scene.faces);
                    let name = format!("w{width}-{:03}-{}.png", s, lights[li]);
                    seer_imgproc::save_rgb(&drawn, &dir.join(name))?;
                }
                for (mi, mode) in chosen.iter().enumerate() {
                    let started = Instant::now();
                    let faces = detector.detect(image, &mode.options)?;
                    let seconds = started.elapsed().as_secs_f64();
                    let boxes: Vec<_> = faces.iter().map(|f| f.bbox).collect();
                    let (found, fp) = synthetic::match_boxes(&scene.faces, &boxes, MATCH_IOU);
                    let t = &mut totals[(mi * args.widths.len() + wi) * 2 + li];
                    t[0] += scene.faces.len() as f64;
                    t[1] += found as f64;
                    t[2] += fp as f64;
                    t[3] += seconds;
                }
            }
            step += 1;
            progress.set(step);
        }
    }
    progress.finish();
    let mut rows = Vec::new();
    for (mi, mode) in chosen.iter().enumerate() {
        for (wi, &width) in args.widths.iter().enumerate() {
            for (li, light) in lights.iter().enumerate() {
                let t = totals[(mi * args.widths.len() + wi) * 2 + li];
                let images = args.scenes.max(1) as f64;
                rows.push(Row {
                    mode: mode.name.to_string(),
                    face_width_px: width,
                    light,
                    faces: t[0] as usize,
                    found: t[1] as usize,
                    recall: if t[0] > 0.0 {
                        (t[1] / t[0]) as f32
                    } else {
                        0.0
                    },
                    false_positives_per_image: (t[2] / images) as f32,
                    ms_per_image: (1000.0 * t[3] / images) as f32,
                });
            }
        }
    }
    let output = Output {
        scenes_per_width: args.scenes,
        faces_per_scene: args.faces_per_scene,
        seed: args.seed,
        match_iou: MATCH_IOU,
        face_sources: sources.len(),
        backgrounds: backgrounds.len(),
        rows,
    };
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

/// `image` with the true boxes drawn in green.
fn draw_truth(image: &RgbImage, faces: &[seer_core::geometry::Rect]) -> RgbImage {
    let mut out = image.clone();
    for b in faces {
        seer_imgproc::draw_rect(
            &mut out,
            b.x.round() as i64 - 2,
            b.y.round() as i64 - 2,
            b.width.round() as u32 + 4,
            b.height.round() as u32 + 4,
            1,
            image::Rgb([0, 255, 0]),
        );
    }
    out
}
