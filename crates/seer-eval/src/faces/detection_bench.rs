//! `seer bench faces-synthetic`: recall and false positives of the face
//! detector on synthetic scenes with small faces, normal and darkened.
//!
//! Faces are the detector's boxes on the one-person gallery photos
//! (`DATA/faces/gallery/*/*`); backgrounds are the dashcam frames
//! (`DATA/drive/test_images`) and the Set14 images without faces
//! (`DATA/sr/Set14`). Each scene is 640×480 with several faces of one
//! width; the dark copy of a scene is the same scene through
//! [`crate::faces::synthetic::darken`]. A true face counts as found when a
//! detection overlaps it by IoU ≥ 0.4; every other detection is a false
//! positive.

use crate::error::{io, EvalError};
use crate::faces::synthetic::{self, FaceSource, SceneSpec};
use image::RgbImage;
use seer_core::progress::Progress;
use seer_core::random::SeededRng;
use seer_core::CancelToken;
use seer_face::{largest, DetectOptions, Detector, ExposureMode, Tiling};
use seer_models::Store;
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
pub const MATCH_IOU: f32 = 0.4;

/// What to measure.
#[derive(Clone, Debug)]
pub struct DetectionBenchOptions {
    /// The test data folder (holding faces/gallery, drive/test_images, sr/Set14).
    pub data: PathBuf,
    /// Scenes per face width.
    pub scenes: usize,
    /// Faces pasted per scene.
    pub faces_per_scene: usize,
    /// Face widths in pixels, each 8..=200.
    pub widths: Vec<u32>,
    /// Seed of the scene generator. Scene s of width w is drawn from
    /// seed ^ (w << 32) ^ s.
    pub seed: u64,
    /// Detector modes by name ([`mode_names`]); empty: all.
    pub modes: Vec<String>,
    /// Smallest face width the adaptive modes look for, in pixels.
    pub min_face_px: f32,
    /// Minimum score of unconfirmed tile detections in normally exposed
    /// scenes, 0..1 (`None`: the detector's).
    pub tile_score: Option<f32>,
    /// Write every scene (normal and dark) with true boxes as PNGs here.
    pub save_scenes: Option<PathBuf>,
}

/// A named detector configuration.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    /// The name used in options and reports.
    pub name: &'static str,
    /// How the detector runs.
    pub options: DetectOptions,
}

/// The names of every detector mode, in report order.
pub fn mode_names() -> Vec<&'static str> {
    modes().iter().map(|m| m.name).collect()
}

/// Every detector mode, in report order.
pub fn modes() -> Vec<Mode> {
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
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The detector mode.
    pub mode: String,
    /// Width of the pasted faces, pixels.
    pub face_width_px: u32,
    /// `normal` or `dark`.
    pub light: &'static str,
    /// True faces pasted.
    pub faces: usize,
    /// True faces matched by a detection.
    pub found: usize,
    /// `found / faces`, 0..1.
    pub recall: f32,
    /// Unmatched detections per scene.
    pub false_positives_per_image: f32,
    /// Detection time per scene, milliseconds.
    pub ms_per_image: f32,
}

/// The whole measurement.
#[derive(Clone, Debug, Serialize)]
pub struct DetectionBench {
    /// Scenes per face width.
    pub scenes_per_width: usize,
    /// Faces pasted per scene.
    pub faces_per_scene: usize,
    /// Seed of the scene generator.
    pub seed: u64,
    /// IoU at which a detection matches a true face.
    pub match_iou: f32,
    /// Gallery faces used as paste sources.
    pub face_sources: usize,
    /// Background images.
    pub backgrounds: usize,
    /// Per mode, width and light.
    pub rows: Vec<Row>,
}

/// Every gallery photo's largest detected face, as paste sources.
pub fn face_sources(detector: &mut Detector, gallery: &Path) -> Result<Vec<FaceSource>, EvalError> {
    let mut out = Vec::new();
    for (_, path) in crate::dataset::gallery_photos(gallery)? {
        let image = seer_imgproc::load_rgb(&path)?;
        let faces = detector.detect(&image, &DetectOptions::default())?;
        let face = largest(&faces).ok_or_else(|| EvalError::NoFace { path: path.clone() })?;
        out.push(FaceSource {
            bbox: face.bbox,
            image,
        });
    }
    if out.is_empty() {
        return Err(EvalError::MissingData {
            what: format!("no photos under {}", gallery.display()),
        });
    }
    Ok(out)
}

/// Dashcam frames and face-free Set14 images under `data`.
pub fn backgrounds(data: &Path) -> Result<Vec<RgbImage>, EvalError> {
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
    if paths.is_empty() {
        return Err(EvalError::MissingData {
            what: format!(
                "no background images in {}/drive/test_images or {}/sr/Set14",
                data.display(),
                data.display()
            ),
        });
    }
    paths
        .iter()
        .map(|p| Ok(seer_imgproc::load_rgb(p)?))
        .collect()
}

/// Runs the benchmark with the detector of `store` (ONNX Runtime loaded);
/// `cancel` is checked per scene.
pub fn bench_detection(
    store: &Store,
    options: &DetectionBenchOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<DetectionBench, EvalError> {
    let all: Vec<Mode> = modes()
        .into_iter()
        .map(|mut m| {
            m.options.min_face_px = options.min_face_px;
            if let Some(t) = options.tile_score {
                m.options.tile_score_threshold = t;
            }
            m
        })
        .collect();
    let chosen: Vec<Mode> = if options.modes.is_empty() {
        all.clone()
    } else {
        options
            .modes
            .iter()
            .map(|name| {
                all.iter().find(|m| m.name == name).copied().ok_or_else(|| {
                    EvalError::InvalidOption {
                        option: "modes",
                        why: format!(
                            "has an unknown mode '{name}'; use one of {}",
                            mode_names().join(", ")
                        ),
                    }
                })
            })
            .collect::<Result<_, _>>()?
    };
    if !options.widths.iter().all(|&w| (8..=200).contains(&w)) {
        return Err(EvalError::InvalidOption {
            option: "widths",
            why: "must be between 8 and 200 pixels".into(),
        });
    }
    let mut detector = Detector::from_store(store, progress)?;
    let sources = face_sources(&mut detector, &options.data.join("faces/gallery"))?;
    let backgrounds = backgrounds(&options.data)?;
    if let Some(dir) = &options.save_scenes {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    // Per (mode, width, light): faces, found, false positives, seconds.
    let lights = ["normal", "dark"];
    let mut totals = vec![[0f64; 4]; chosen.len() * options.widths.len() * 2];
    let total_steps = (options.widths.len() * options.scenes) as u64;
    progress.start("synthetic scenes", Some(total_steps));
    let mut step = 0;
    for (wi, &width) in options.widths.iter().enumerate() {
        for s in 0..options.scenes {
            cancel.check()?;
            let mut rng = SeededRng::new(options.seed ^ ((width as u64) << 32) ^ s as u64);
            let spec = SceneSpec {
                width: 640,
                height: 480,
                face_width: width,
                faces: options.faces_per_scene,
                dark: false,
            };
            let scene = synthetic::make_scene(&backgrounds, &sources, &spec, &mut rng);
            let dark = synthetic::darken(&scene.image, &mut rng);
            for (li, image) in [&scene.image, &dark].into_iter().enumerate() {
                if let Some(dir) = &options.save_scenes {
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
                    let t = &mut totals[(mi * options.widths.len() + wi) * 2 + li];
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
        for (wi, &width) in options.widths.iter().enumerate() {
            for (li, light) in lights.iter().enumerate() {
                let t = totals[(mi * options.widths.len() + wi) * 2 + li];
                let images = options.scenes.max(1) as f64;
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
    Ok(DetectionBench {
        scenes_per_width: options.scenes,
        faces_per_scene: options.faces_per_scene,
        seed: options.seed,
        match_iou: MATCH_IOU,
        face_sources: sources.len(),
        backgrounds: backgrounds.len(),
        rows,
    })
}

/// `image` with the true boxes drawn in green.
pub fn draw_truth(image: &RgbImage, faces: &[seer_core::geometry::Rect]) -> RgbImage {
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
