//! `seer face blur IN OUT`: hide every face of an image or a video.
//!
//! Detection runs in small-faces mode (2×2 tiles too) unless
//! `--no-small-faces`. Boxes are grown by `--expand` and blurred or
//! pixelated; in videos boxes are interpolated along tracks and held a few
//! frames (`--hold`) so a missed detection never shows a face, and audio
//! is copied unchanged. With `--except-gallery G` the faces identified as
//! an enrolled subject (per track in videos) stay as they are. Outputs are
//! written to a temporary file and renamed when complete.

use crate::face::runtime;
use crate::face_video::{identify_tracks, rewrite, scan, ScanOptions};
use crate::output::{out_line, print_json};
use crate::progress::TerminalProgress;
use anyhow::Context;
use clap::{Args, ValueEnum};
use seer_core::geometry::Rect;
use seer_face::timeline::{decide_face, DecisionRule};
use seer_face::{
    blur_faces, video_blur_boxes, BlurOptions, BlurStyle, DetectOptions, Detector, Embedder,
    Gallery, GalleryKey, TrackerOptions,
};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How faces are hidden (`--style`).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StyleArg {
    /// Strong blur.
    Blur,
    /// Large flat blocks.
    Pixelate,
}

/// Arguments of `seer face blur`.
#[derive(Args)]
pub struct BlurArgs {
    /// Input image (PNG, JPEG, …) or video (.mp4, .mkv, .mov, .webm).
    input: PathBuf,
    /// Output file, same kind as the input (written only when complete).
    output: PathBuf,
    /// Blur or pixelate.
    #[arg(long, value_enum, default_value = "blur")]
    style: StyleArg,
    /// Grow each face box by this fraction of its size before hiding it.
    #[arg(long, default_value_t = 0.25)]
    expand: f32,
    /// Video: frames a box is held before a face's first and after its
    /// last detection.
    #[arg(long, default_value_t = 5)]
    hold: u64,
    /// Minimum face score, 0..1.
    #[arg(long, default_value_t = 0.5)]
    min_score: f32,
    /// Search the whole image only (faster, misses small faces).
    #[arg(long)]
    no_small_faces: bool,
    /// Video: run the full small-faces search on every N-th frame and
    /// follow the faces found in between (about N/4 times faster). The
    /// default, 1, searches every frame fully, so that a small face is
    /// hidden from the first frame it appears in.
    #[arg(long, default_value_t = 1, value_name = "N")]
    full_search_every: u64,
    /// Leave the faces of subjects enrolled in this gallery unblurred.
    #[arg(long, value_name = "FILE")]
    except_gallery: Option<PathBuf>,
    /// A file holding the gallery's 64-hex-character key (else SEER_GALLERY_KEY).
    #[arg(long, value_name = "FILE", requires = "except_gallery")]
    key_file: Option<PathBuf>,
    /// Print JSON instead of a summary line.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct BlurReport {
    input: String,
    output: String,
    /// Frames written (1 for an image).
    frames: u64,
    /// Faces detected (all scanned frames).
    faces_detected: usize,
    /// Face boxes hidden over all frames (with interpolated and held boxes).
    boxes_blurred: usize,
    /// Face tracks (videos) or faces (images) left unblurred as enrolled subjects.
    kept: Vec<Kept>,
    /// Audio/subtitle packets copied (videos).
    copied_packets: u64,
    seconds: f64,
}

#[derive(Serialize)]
struct Kept {
    /// Track id (videos) or face index (images).
    id: u64,
    subject: String,
    distance: f32,
}

/// Runs `seer face blur`.
pub fn run(args: BlurArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.min_score) {
        anyhow::bail!(
            "--min-score must be between 0 and 1, got {}",
            args.min_score
        );
    }
    if !(args.expand.is_finite() && (0.0..=2.0).contains(&args.expand)) {
        anyhow::bail!("--expand must be between 0 and 2, got {}", args.expand);
    }
    let input_is_video = seer_video::is_video_path(&args.input);
    if input_is_video != seer_video::is_video_path(&args.output) {
        anyhow::bail!(
            "input {} and output {} must both be videos or both be images",
            args.input.display(),
            args.output.display()
        );
    }
    crate::output::require_output_folder(&args.output)?;
    let gallery = match &args.except_gallery {
        Some(path) => Some(open_gallery(path, args.key_file.as_deref())?),
        None => None,
    };
    let options = BlurOptions {
        style: match args.style {
            StyleArg::Blur => BlurStyle::Blur,
            StyleArg::Pixelate => BlurStyle::Pixelate,
        },
        expand: args.expand,
        hold_frames: args.hold,
    };
    let detect = DetectOptions {
        small_faces: !args.no_small_faces,
        score_threshold: args.min_score,
        ..Default::default()
    };
    let report = if input_is_video {
        blur_video(&args, gallery.as_ref(), &detect, &options)?
    } else {
        blur_image(&args, gallery.as_ref(), &detect, &options)?
    };
    if args.json {
        return print_json(&report);
    }
    let kept: Vec<String> = report
        .kept
        .iter()
        .map(|k| format!("{} ({})", k.subject, k.id))
        .collect();
    out_line(&format!(
        "{}: {} face boxes hidden over {} frame(s){}; wrote {}",
        report.input,
        report.boxes_blurred,
        report.frames,
        if kept.is_empty() {
            String::new()
        } else {
            format!("; left unblurred: {}", kept.join(", "))
        },
        report.output
    ));
    Ok(())
}

fn open_gallery(path: &Path, key_file: Option<&Path>) -> anyhow::Result<Gallery> {
    let key = GalleryKey::load(key_file)?;
    if !path.exists() {
        anyhow::bail!(
            "no gallery at {}; enrol subjects first (seer face enroll --gallery {} --subject NAME IMG…)",
            path.display(),
            path.display()
        );
    }
    Ok(Gallery::open_or_create(path, key)?)
}

fn blur_image(
    args: &BlurArgs,
    gallery: Option<&Gallery>,
    detect: &DetectOptions,
    options: &BlurOptions,
) -> anyhow::Result<BlurReport> {
    let started = std::time::Instant::now();
    let format = seer_imgproc::output_format(&args.output)?;
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let (mut image, faces) = crate::face::detect_in(&mut detector, &args.input, detect)?;
    let mut kept = Vec::new();
    let mut boxes: Vec<Rect> = Vec::new();
    let mut embedder = match gallery {
        Some(_) => Some(Embedder::from_store(&store, &progress)?),
        None => None,
    };
    for (i, face) in faces.iter().enumerate() {
        if let (Some(gallery), Some(embedder)) = (gallery, embedder.as_mut()) {
            let candidates = gallery.identify(&embedder.embed(&image, face)?, 2);
            if let Some(subject) = decide_face(
                face.score,
                face.quality.size_px,
                &candidates,
                &DecisionRule::unblur(),
            ) {
                kept.push(Kept {
                    id: i as u64,
                    subject: subject.to_string(),
                    distance: candidates[0].distance,
                });
                continue;
            }
        }
        boxes.push(face.bbox);
    }
    if let Some(gallery) = gallery {
        let named: Vec<&str> = kept.iter().map(|k| k.subject.as_str()).collect();
        gallery.record_identification(&named, &crate::gallery::caller())?;
    }
    blur_faces(&mut image, &boxes, options);
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, format)
        .with_context(|| format!("cannot encode {}", args.output.display()))?;
    seer_models::files::write_atomic(&args.output, bytes.get_ref())
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    Ok(BlurReport {
        input: args.input.display().to_string(),
        output: args.output.display().to_string(),
        frames: 1,
        faces_detected: faces.len(),
        boxes_blurred: boxes.len(),
        kept,
        copied_packets: 0,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn blur_video(
    args: &BlurArgs,
    gallery: Option<&Gallery>,
    detect: &DetectOptions,
    options: &BlurOptions,
) -> anyhow::Result<BlurReport> {
    let started = std::time::Instant::now();
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let scan_options = ScanOptions {
        detect: *detect,
        every: 1,
        full_search_every: args.full_search_every,
        tracker: TrackerOptions::default(),
        keep_best_faces: gallery.is_some(),
    };
    let scanned = scan(&args.input, &mut detector, &scan_options, &progress)?;
    let mut kept = Vec::new();
    if let Some(gallery) = gallery {
        let mut embedder = Embedder::from_store(&store, &progress)?;
        for (identity, _) in
            identify_tracks(&scanned, &mut embedder, gallery, 1, &DecisionRule::unblur())?
        {
            if let (Some(distance), true) = (
                identity.distance,
                identity.subject != seer_face::gallery::UNKNOWN,
            ) {
                kept.push(Kept {
                    id: identity.track,
                    subject: identity.subject,
                    distance,
                });
            }
        }
    }
    if let Some(gallery) = gallery {
        let named: Vec<&str> = kept.iter().map(|k| k.subject.as_str()).collect();
        gallery.record_identification(&named, &crate::gallery::caller())?;
    }
    let kept_ids: HashSet<u64> = kept.iter().map(|k| k.id).collect();
    let boxes = video_blur_boxes(
        &scanned.frames,
        scanned.frame_count,
        options.hold_frames,
        |track| kept_ids.contains(&track),
    );
    let summary = rewrite(
        &args.input,
        &args.output,
        "blurring faces (frames)",
        &progress,
        |index, image| {
            if let Some(list) = boxes.get(index as usize) {
                blur_faces(image, list, options);
            }
        },
    )?;
    Ok(BlurReport {
        input: args.input.display().to_string(),
        output: args.output.display().to_string(),
        frames: summary.frames,
        faces_detected: scanned.frames.iter().map(|f| f.faces.len()).sum(),
        boxes_blurred: boxes.iter().map(Vec::len).sum(),
        kept,
        copied_packets: summary.copied_packets,
        seconds: started.elapsed().as_secs_f64(),
    })
}
