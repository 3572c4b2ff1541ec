//! `seer face`: detect faces in an image, verify that two photos show the
//! same person, and manage an encrypted gallery of enrolled subjects
//! (enroll, identify, subjects, forget, audit).

use crate::output::{print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::Context;
use clap::{Args, Subcommand};
use image::{Rgb, RgbImage};
use seer_face::{largest, verify, DetectOptions, Detector, Embedder, Face, FaceError};
use seer_models::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Subcommands of `seer face`.
#[derive(Subcommand)]
pub enum FaceCommand {
    /// Find the faces in an image (table of boxes, or JSON).
    Detect(DetectArgs),
    /// Say whether two photos show the same person (largest face of each).
    Verify(VerifyArgs),
    /// Enrol a subject in a gallery from photos showing only them.
    Enroll(crate::gallery::EnrollArgs),
    /// Identify every face in a photo against a gallery.
    Identify(crate::gallery::IdentifyArgs),
    /// List the subjects of a gallery.
    Subjects(crate::gallery::ListArgs),
    /// Delete a subject and all their data from a gallery.
    Forget(crate::gallery::ForgetArgs),
    /// Show a gallery's audit trail (create, enroll, import, export, forget).
    Audit(crate::gallery::ListArgs),
    /// Write a gallery's subjects and descriptors to one encrypted archive.
    Export(crate::gallery::ExportArgs),
    /// Add the subjects of an encrypted archive to a gallery.
    Import(crate::gallery::ImportArgs),
    /// Blur or pixelate every face of an image or a video.
    Blur(crate::face_blur::BlurArgs),
    /// Live person or presentation attack? Refuses while no model measured usable.
    Liveness(crate::face_liveness::LivenessArgs),
}

/// Arguments of `seer face detect`.
#[derive(Args)]
pub struct DetectArgs {
    /// The image (PNG, JPEG, …) or video (.mp4, .mkv, .mov, .webm).
    image: PathBuf,
    /// Also search a tile pyramid for small faces (about 55 more model
    /// runs on a 720p frame, more levels at 4K; measured 18× slower on a
    /// 4K photo). On video, see --full-search-every.
    #[arg(long)]
    small_faces: bool,
    /// Minimum face score, 0..1.
    #[arg(long, default_value_t = 0.5)]
    min_score: f32,
    /// Write a copy of the image with the boxes and keypoints drawn (for a
    /// video: a video with boxes and track ids, audio kept).
    #[arg(long, value_name = "OUT.png")]
    draw: Option<PathBuf>,
    /// Video: run the detector on every N-th frame only.
    #[arg(long, default_value_t = 1, value_name = "N")]
    every: u64,
    /// Video with --small-faces: run the full tile search on every N-th
    /// detected frame and, in between, search the whole frame plus a crop
    /// around each face seen lately (1 = full search on every frame).
    #[arg(long, default_value_t = seer_face::DEFAULT_FULL_SEARCH_INTERVAL, value_name = "N")]
    full_search_every: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer face verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// First photo.
    a: PathBuf,
    /// Second photo.
    b: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct DetectOutput {
    image: String,
    width: u32,
    height: u32,
    faces: Vec<Face>,
}

#[derive(Serialize)]
struct VerifyOutput {
    a: String,
    b: String,
    face_a: Face,
    face_b: Face,
    #[serde(flatten)]
    verification: seer_face::Verification,
}

/// Runs a `seer face` subcommand.
pub fn run(command: FaceCommand) -> anyhow::Result<()> {
    match command {
        FaceCommand::Detect(args) => detect(args),
        FaceCommand::Verify(args) => verify_cmd(args),
        FaceCommand::Enroll(args) => crate::gallery::enroll(args),
        FaceCommand::Identify(args) => crate::gallery::identify(args),
        FaceCommand::Subjects(args) => crate::gallery::subjects(args),
        FaceCommand::Forget(args) => crate::gallery::forget(args),
        FaceCommand::Audit(args) => crate::gallery::audit(args),
        FaceCommand::Export(args) => crate::gallery::export(args),
        FaceCommand::Import(args) => crate::gallery::import(args),
        FaceCommand::Blur(args) => crate::face_blur::run(args),
        FaceCommand::Liveness(args) => crate::face_liveness::liveness(args),
    }
}

/// Opens the cache and loads ONNX Runtime (fetching on first use).
pub(crate) fn runtime(progress: &TerminalProgress) -> anyhow::Result<Store> {
    let store = Store::open_default()?;
    let library = store.runtime_library(true, progress)?;
    seer_runtime::init(&library)?;
    Ok(store)
}

pub(crate) fn load(path: &Path) -> anyhow::Result<RgbImage> {
    Ok(seer_imgproc::load_rgb(path)?)
}

/// Detects with a clear message naming the file on failure.
pub(crate) fn detect_in(
    detector: &mut Detector,
    path: &Path,
    options: &DetectOptions,
) -> anyhow::Result<(RgbImage, Vec<Face>)> {
    let image = load(path)?;
    let faces = detector
        .detect(&image, options)
        .with_context(|| format!("face detection failed on {}", path.display()))?;
    Ok((image, faces))
}

fn detect(args: DetectArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.min_score) {
        anyhow::bail!(
            "--min-score must be between 0 and 1, got {}",
            args.min_score
        );
    }
    let options = DetectOptions {
        small_faces: args.small_faces,
        score_threshold: args.min_score,
        ..Default::default()
    };
    if seer_video::is_video_path(&args.image) {
        return crate::face_video::detect(
            &args.image,
            options,
            args.every,
            args.full_search_every,
            args.draw.as_deref(),
            args.json,
        );
    }
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let (image, faces) = detect_in(&mut detector, &args.image, &options)?;
    if let Some(out) = &args.draw {
        let drawn = draw_faces(&image, &faces);
        seer_imgproc::save_rgb(&drawn, out)?;
    }
    let result = DetectOutput {
        image: args.image.display().to_string(),
        width: image.width(),
        height: image.height(),
        faces,
    };
    if args.json {
        return print_json(&result);
    }
    let rows: Vec<Vec<String>> = result
        .faces
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                i.to_string(),
                format!(
                    "{:.0},{:.0} {:.0}x{:.0}",
                    f.bbox.x, f.bbox.y, f.bbox.width, f.bbox.height
                ),
                format!("{:.3}", f.score),
                format!("{:.0}", f.quality.size_px),
            ]
        })
        .collect();
    print_table(&["face", "box (x,y wxh px)", "score", "size px"], &rows);
    if result.faces.is_empty() {
        eprintln!("no faces found in {}", result.image);
    }
    Ok(())
}

/// A copy of `image` with each face's box (green) and keypoints (red eyes,
/// yellow nose and mouth, blue ears).
pub(crate) fn draw_faces(image: &RgbImage, faces: &[Face]) -> RgbImage {
    let mut out = image.clone();
    let thickness = (image.width().max(image.height()) / 400).max(2);
    for face in faces {
        let b = face.bbox;
        seer_imgproc::draw_rect(
            &mut out,
            b.x.round() as i64,
            b.y.round() as i64,
            b.width.round().max(1.0) as u32,
            b.height.round().max(1.0) as u32,
            thickness,
            Rgb([0, 255, 0]),
        );
        let colours = [
            Rgb([255, 0, 0]),
            Rgb([255, 0, 0]),
            Rgb([255, 255, 0]),
            Rgb([255, 255, 0]),
            Rgb([0, 128, 255]),
            Rgb([0, 128, 255]),
        ];
        let radius = (b.width / 40.0).max(thickness as f32);
        for (p, colour) in face.keypoints.iter().zip(colours) {
            seer_imgproc::draw_dot(&mut out, p.x, p.y, radius, colour);
        }
    }
    out
}

fn verify_cmd(args: VerifyArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let mut embedder = Embedder::from_store(&store, &progress)?;
    let options = DetectOptions::default();
    let mut embed_one = |path: &Path| -> anyhow::Result<(Face, seer_face::Embedding)> {
        let (image, faces) = detect_in(&mut detector, path, &options)?;
        let face = largest(&faces).cloned().ok_or_else(|| FaceError::NoFace {
            path: path.to_path_buf(),
        })?;
        let embedding = embedder
            .embed(&image, &face)
            .with_context(|| format!("cannot describe the face in {}", path.display()))?;
        Ok((face, embedding))
    };
    let (face_a, ea) = embed_one(&args.a)?;
    let (face_b, eb) = embed_one(&args.b)?;
    let result = VerifyOutput {
        a: args.a.display().to_string(),
        b: args.b.display().to_string(),
        face_a,
        face_b,
        verification: verify(&ea, &eb),
    };
    if args.json {
        return print_json(&result);
    }
    let v = &result.verification;
    crate::output::out_line(&format!(
        "{}: distance {:.3} (same person below {:.2}), cosine similarity {:.3}",
        if v.same_person {
            "same person"
        } else {
            "different people"
        },
        v.distance,
        v.threshold,
        v.cosine_similarity
    ));
    Ok(())
}
