//! `seer face blur IN OUT`: hide every face of an image or a video.
//!
//! Detection runs in small-faces mode (2×2 tiles too) unless
//! `--no-small-faces`. Boxes are grown by `--expand` and blurred or
//! pixelated; in videos boxes are interpolated along tracks and held a few
//! frames (`--hold`) so a missed detection never shows a face, and audio
//! is copied unchanged. With `--except-gallery G` the faces identified as
//! an enrolled subject (per track in videos) stay as they are. Outputs are
//! written to a temporary file and renamed when complete. The work is
//! `seer_face::video::blur_file`'s; this module builds its options and
//! prints.

use crate::output::{out_line, print_json};
use crate::progress::TerminalProgress;
use clap::{Args, ValueEnum};
use seer_face::workflow::{BlurRequest, ExceptGallery};
use seer_face::{
    BlurOptions, BlurStyle, DetectOptions, Embedder, Gallery, GalleryKey, GalleryLocation,
};
use std::path::PathBuf;

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

/// Runs `seer face blur`.
pub fn run(args: BlurArgs) -> anyhow::Result<()> {
    let request = BlurRequest {
        blur: BlurOptions {
            style: match args.style {
                StyleArg::Blur => BlurStyle::Blur,
                StyleArg::Pixelate => BlurStyle::Pixelate,
            },
            expand: args.expand,
            hold_frames: args.hold,
        },
        detect: DetectOptions {
            small_faces: !args.no_small_faces,
            score_threshold: args.min_score,
            ..Default::default()
        },
        full_search_every: args.full_search_every,
    };
    let gallery = match &args.except_gallery {
        Some(path) => {
            let key = GalleryKey::load(args.key_file.as_deref())?;
            Some(Gallery::open_existing(&GalleryLocation::file(path), key)?)
        }
        None => None,
    };
    let progress = TerminalProgress::new();
    let cancel = crate::progress::cancel_on_ctrl_c();
    let (store, mut detector) = crate::face::detector(&progress)?;
    let mut embedder = match gallery {
        Some(_) => Some(Embedder::from_store(&store, &progress)?),
        None => None,
    };
    let caller = crate::face::caller();
    let except = match (gallery.as_ref(), embedder.as_mut()) {
        (Some(gallery), Some(embedder)) => Some(ExceptGallery {
            gallery,
            embedder,
            caller: &caller,
        }),
        _ => None,
    };
    let report = seer_face::video::blur_file(
        &mut detector,
        &args.input,
        &args.output,
        &request,
        except,
        &progress,
        &cancel,
    )?;
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
