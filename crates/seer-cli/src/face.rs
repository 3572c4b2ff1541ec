//! `seer face`: detect faces in an image or a video, verify that two
//! photos show the same person, and manage an encrypted gallery of
//! enrolled subjects (enroll, identify, subjects, forget, audit, export,
//! import), blur faces, liveness. The workflows live in
//! `seer_face::workflow` and `seer_face::video`; this module parses
//! arguments, calls them and prints.

use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use clap::{Args, Subcommand};
use seer_face::workflow::{detect_image, verify_images, DetectResult};
use seer_face::{DetectOptions, Detector, Embedder, FaceError, GalleryError, ImageInput};
use seer_models::Store;
use std::path::PathBuf;

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
    /// With --small-faces: the smallest face width searched for, in pixels
    /// (larger is faster on very large images).
    #[arg(long, default_value_t = 20.0, value_parser = parse_min_face)]
    min_face: f32,
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

/// Runs a `seer face` subcommand; library errors get the CLI's hints.
pub fn run(command: FaceCommand) -> anyhow::Result<()> {
    let result = match command {
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
    };
    result.map_err(with_hint)
}

/// Opens the cache and loads ONNX Runtime (fetching on first use).
pub(crate) fn runtime(progress: &TerminalProgress) -> anyhow::Result<Store> {
    let store = Store::open_default()?;
    let library = store.runtime_library(true, progress)?;
    seer_runtime::init(&library)?;
    Ok(store)
}

/// The model cache (with ONNX Runtime loaded) and the face detector.
pub(crate) fn detector(progress: &TerminalProgress) -> anyhow::Result<(Store, Detector)> {
    let store = runtime(progress)?;
    let detector = Detector::from_store(&store, progress)?;
    Ok((store, detector))
}

/// The face detector and embedder.
pub(crate) fn detector_and_embedder(
    progress: &TerminalProgress,
) -> anyhow::Result<(Detector, Embedder)> {
    let (store, detector) = detector(progress)?;
    let embedder = Embedder::from_store(&store, progress)?;
    Ok((detector, embedder))
}

/// Who is asking, for the audit trail.
pub(crate) fn caller() -> String {
    let user = std::env::var("USER").unwrap_or_default();
    let user: String = user.chars().filter(|c| !c.is_control()).take(80).collect();
    if user.trim().is_empty() {
        "cli".to_string()
    } else {
        format!("cli:{}", user.trim())
    }
}

/// The command-line spelling of an option field (`top_k` → `--top-k`).
fn flag(option: &str) -> String {
    format!("--{}", option.replace('_', "-"))
}

/// What to tell a CLI user beyond a library error's own message: the flag
/// or command that helps, appended to the message as it stands.
fn hint(err: &FaceError) -> Option<String> {
    let text = match err.root() {
        FaceError::SeveralFaces { .. } => " (--largest)".to_string(),
        FaceError::SeveralTracks { .. } => {
            " (or use --largest to take the most prominent face)".to_string()
        }
        FaceError::NotAVideoOutput { .. } => " (--draw)".to_string(),
        FaceError::TooManyTiles { fitting_px, .. } => format!(" (--min-face {fitting_px})"),
        FaceError::NoUsableLiveness { .. } => {
            " Measured with: seer bench liveness --data DIR".to_string()
        }
        FaceError::Gallery(GalleryError::MissingKey) => " (--key-file)".to_string(),
        FaceError::Gallery(GalleryError::NoGallery { location }) => {
            format!(" (seer face enroll --gallery {location} --subject NAME IMG…)")
        }
        FaceError::Gallery(GalleryError::NoSuchSubject { .. }) => {
            "; `seer face subjects` lists them".to_string()
        }
        _ => return None,
    };
    Some(text)
}

/// A library error with flag names and hints for the command line.
fn with_hint(err: anyhow::Error) -> anyhow::Error {
    let face = match err.downcast::<FaceError>() {
        Ok(face) => face,
        Err(err) => match err.downcast::<GalleryError>() {
            Ok(gallery) => FaceError::Gallery(gallery),
            Err(err) => return err,
        },
    };
    if let FaceError::InvalidOption { option, why } = &face {
        return anyhow::anyhow!("{} {why}", flag(option));
    }
    match hint(&face) {
        Some(hint) => anyhow::anyhow!("{:#}{hint}", anyhow::Error::new(face)),
        None => anyhow::Error::new(face),
    }
}

/// Parses `--min-face`: a width in pixels from 4 to 100000.
fn parse_min_face(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(px) if (4.0..=100_000.0).contains(&px) => Ok(px),
        _ => Err(format!(
            "'{text}' is not a face width; use 4 to 100000 pixels"
        )),
    }
}

fn detect(args: DetectArgs) -> anyhow::Result<()> {
    let options = DetectOptions {
        small_faces: args.small_faces,
        min_face_px: args.min_face,
        score_threshold: args.min_score,
        ..Default::default()
    };
    if seer_video::is_video_path(&args.image) {
        return crate::face_video::detect(
            args.image,
            options,
            args.every,
            args.full_search_every,
            args.draw,
            args.json,
        );
    }
    let progress = TerminalProgress::new();
    let (_, mut detector) = detector(&progress)?;
    let input = ImageInput::Path(&args.image);
    let result = detect_image(&mut detector, &input, &options, args.draw.as_deref())?;
    if args.json {
        return print_json(&result);
    }
    print_faces(&result);
    Ok(())
}

fn print_faces(result: &DetectResult) {
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
}

fn verify_cmd(args: VerifyArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let (mut detector, mut embedder) = detector_and_embedder(&progress)?;
    let result = verify_images(
        &mut detector,
        &mut embedder,
        &ImageInput::Path(&args.a),
        &ImageInput::Path(&args.b),
    )?;
    if args.json {
        return print_json(&result);
    }
    let v = &result.verification;
    out_line(&format!(
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
