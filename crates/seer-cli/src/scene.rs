//! `seer scene …`: scene understanding of videos and images.

use crate::output::{out_line, print_json, print_table};
use crate::progress::{cancel_on_ctrl_c, TerminalProgress};
use clap::{Args, Subcommand};
use seer_objects::{
    detect_image_objects, detect_video_objects, DetectError, ObjectOptions, ObjectOutputs,
};
use std::path::PathBuf;

/// The `scene` subcommands.
#[derive(Subcommand)]
pub enum SceneCommand {
    /// Text lines in an image (Chinese and English): text, box, score.
    Ocr(OcrArgs),
    /// Shot boundaries of a video: hard cuts, fades and dissolves, each shot with its frames and times.
    Shots(ShotsArgs),
    /// A timed narration per shot (objects, tracks entering and leaving, camera motion), as text, JSON or subtitles.
    Describe(DescribeArgs),
    /// Objects (80 COCO classes) per frame of a video, or in an image; with --track, followed with stable ids.
    Detect(DetectArgs),
    /// Analyse videos (shots, objects, on-screen text, narration) and store them in a library folder for search.
    Index(crate::scene_library::IndexArgs),
    /// Shots of a library matching words, "phrases" (English or Chinese), labels and times, best first.
    Search(crate::scene_library::SearchArgs),
    /// The videos of a library.
    Videos(crate::scene_library::VideosArgs),
    /// Delete a video from a library (text, index and thumbnails).
    Remove(crate::scene_library::RemoveArgs),
}

/// Arguments of `seer scene ocr`.
#[derive(Args)]
pub struct OcrArgs {
    /// Image (PNG, JPEG, WebP, TIFF, BMP).
    input: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer scene shots`.
#[derive(Args)]
pub struct ShotsArgs {
    /// Video (MP4, MKV, MOV, WebM).
    input: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Shot detector: learned (TransNetV2), classical, or auto (learned
    /// when its model is fetched).
    #[arg(long, value_enum, default_value = "auto")]
    detector: DetectorArg,
}

/// Values of `--detector`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DetectorArg {
    /// TransNetV2.
    Learned,
    /// Content, fade and dissolve models.
    Classical,
    /// Learned when fetched, classical otherwise.
    Auto,
}

/// Arguments of `seer scene describe`.
#[derive(Args)]
pub struct DescribeArgs {
    /// Video (MP4, MKV, MOV, WebM).
    input: PathBuf,
    /// Write SubRip subtitles here.
    #[arg(long, value_name = "OUT.srt")]
    srt: Option<PathBuf>,
    /// Write WebVTT subtitles here.
    #[arg(long, value_name = "OUT.vtt")]
    vtt: Option<PathBuf>,
    /// Frames analysed for objects per second of video.
    #[arg(long, default_value_t = 5.0)]
    fps: f64,
    /// Language of the narration: en (English) or zh (Simplified Chinese).
    #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
    lang: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer scene detect`.
#[derive(Args)]
pub struct DetectArgs {
    /// Video (MP4, MKV, MOV, WebM) or image.
    input: PathBuf,
    /// Frames analysed per second of video (default: every frame).
    #[arg(long)]
    fps: Option<f64>,
    /// Follow objects through the video (track ids; scores re-scored along tracks).
    #[arg(long)]
    track: bool,
    /// Write an annotated copy (video: audio kept; image: the format follows the extension).
    #[arg(long, value_name = "OUT")]
    draw: Option<PathBuf>,
    /// Write the tracked objects as MOTChallenge text (needs --track).
    #[arg(long, value_name = "OUT.txt")]
    mot: Option<PathBuf>,
    /// Lowest reported score, 0..1.
    #[arg(long, default_value_t = 0.3)]
    min_score: f32,
    /// Longer side of the detector's input in pixels, a multiple of 32.
    #[arg(long, default_value_t = 800)]
    input_size: u32,
    /// Inference threads (default: physical cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// Runs a `seer scene` command.
pub fn run(command: SceneCommand) -> anyhow::Result<()> {
    match command {
        SceneCommand::Detect(args) => detect(args),
        SceneCommand::Shots(args) => shots(args),
        SceneCommand::Ocr(args) => ocr(args),
        SceneCommand::Describe(args) => describe(args),
        SceneCommand::Index(args) => crate::scene_library::index(args),
        SceneCommand::Search(args) => crate::scene_library::search(args),
        SceneCommand::Videos(args) => crate::scene_library::videos(args),
        SceneCommand::Remove(args) => crate::scene_library::remove(args),
    }
}

fn ocr(args: OcrArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let image = seer_imgproc::read_image(&args.input, None)?.image.to_rgb8();
    let mut reader = seer_scene::TextReader::open(&store, &seer_scene::OcrOptions::default())?;
    let result = reader.read_result(&image)?;
    if args.json {
        return print_json(&result);
    }
    let rows: Vec<Vec<String>> = result
        .lines
        .iter()
        .map(|l| {
            vec![
                l.text.clone(),
                format!(
                    "{:.0},{:.0},{:.0},{:.0}",
                    l.bbox[0], l.bbox[1], l.bbox[2], l.bbox[3]
                ),
                format!("{:.2}", l.score),
            ]
        })
        .collect();
    print_table(&["text", "box (px)", "score"], &rows);
    Ok(())
}

fn shots(args: ShotsArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let kind = match args.detector {
        DetectorArg::Learned => seer_scene::ShotDetectorKind::Learned,
        DetectorArg::Classical => seer_scene::ShotDetectorKind::Classical,
        DetectorArg::Auto => seer_scene::ShotDetectorKind::Auto,
    };
    let report = seer_scene::find_shots(
        &args.input,
        &store,
        kind,
        &seer_scene::ShotOptions::default(),
        &progress,
        &cancel_on_ctrl_c(),
    )?;
    if args.json {
        return print_json(&report);
    }
    print!("{}", report.list.to_table());
    Ok(())
}

fn describe(args: DescribeArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let mut options = seer_scene::DescribeOptions::default();
    options.objects.sample_fps = Some(args.fps);
    if args.lang == "zh" {
        options.language = seer_scene::Language::Chinese;
    }
    let outputs = seer_scene::DescribeOutputs {
        srt: args.srt.clone(),
        vtt: args.vtt.clone(),
    };
    let narration = seer_scene::describe_video(
        &store,
        &args.input,
        &options,
        &outputs,
        &progress,
        &cancel_on_ctrl_c(),
    )
    .map_err(|e| {
        let fps = matches!(
            &e,
            seer_scene::SceneError::Objects(DetectError::BadSetting {
                setting: "sampling rate",
                ..
            })
        );
        crate::output::hinted(e, fps.then_some("change --fps"))
    })?;
    if args.json {
        return print_json(&narration);
    }
    for s in &narration.shots {
        out_line(&format!(
            "{:>7.1}s {:>7.1}s  {}",
            s.facts.shot.start_s, s.facts.shot.end_s, s.text
        ));
    }
    out_line(&format!(
        "{} shots in {:.1} s ({:.1}x real time)",
        narration.shots.len(),
        narration.seconds,
        narration.speed_x_real_time
    ));
    for (what, path) in [("srt", &args.srt), ("vtt", &args.vtt)] {
        if let Some(p) = path {
            out_line(&format!("{what}: {}", p.display()));
        }
    }
    Ok(())
}

fn detect(args: DetectArgs) -> anyhow::Result<()> {
    if args.mot.is_some() && !args.track {
        anyhow::bail!("--mot writes tracks; add --track");
    }
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let mut options = ObjectOptions {
        track: args.track,
        sample_fps: args.fps,
        min_score: args.min_score,
        ..ObjectOptions::default()
    };
    options.detector.input_long_side = args.input_size;
    if let Some(t) = args.threads {
        options.detector.threads = t;
    }
    if !seer_video::is_video_path(&args.input) {
        let result = detect_image_objects(&store, &args.input, &options, args.draw.as_deref())
            .map_err(with_hint)?;
        if args.json {
            return print_json(&result);
        }
        let rows: Vec<Vec<String>> = result
            .objects
            .iter()
            .map(|o| {
                vec![
                    o.class.clone(),
                    format!("{:.2}", o.score),
                    format!(
                        "{:.0},{:.0},{:.0},{:.0}",
                        o.bbox[0], o.bbox[1], o.bbox[2], o.bbox[3]
                    ),
                ]
            })
            .collect();
        print_table(&["class", "score", "box (px)"], &rows);
        return Ok(());
    }
    let outputs = ObjectOutputs {
        mot: args.mot.clone(),
        draw: args.draw.clone(),
    };
    let result = detect_video_objects(
        &store,
        &args.input,
        &options,
        &outputs,
        &progress,
        &cancel_on_ctrl_c(),
    )
    .map_err(with_hint)?;
    if args.json {
        return print_json(&result);
    }
    out_line(&format!(
        "{}: {} of {} frames analysed in {:.1} s ({:.1} frames/s)",
        result.input,
        result.frames.len(),
        result.frames_total,
        result.seconds,
        result.analysed_fps
    ));
    let counts: Vec<Vec<String>> = result
        .counts
        .iter()
        .map(|(class, n)| vec![class.clone(), n.to_string()])
        .collect();
    print_table(&["class", "detections"], &counts);
    if args.track {
        let rows: Vec<Vec<String>> = result
            .tracks
            .iter()
            .map(|t| {
                vec![
                    t.track.to_string(),
                    t.class.clone(),
                    format!("{:.2}-{:.2}", t.start_s, t.end_s),
                    t.frames.to_string(),
                    format!("{:.2}", t.best_score),
                ]
            })
            .collect();
        print_table(
            &["track", "class", "seconds", "frames", "best score"],
            &rows,
        );
    }
    for (what, path) in [("mot", &args.mot), ("drawn", &args.draw)] {
        if let Some(p) = path {
            out_line(&format!("{what}: {}", p.display()));
        }
    }
    Ok(())
}

/// The library error with the flag that sets what it is about.
fn with_hint(error: DetectError) -> anyhow::Error {
    let hint = match &error {
        DetectError::BadSetting { setting, .. } => match *setting {
            "network input side" => Some("change --input-size"),
            "thread count" => Some("change --threads"),
            "sampling rate" => Some("change --fps"),
            "lowest reported score" => Some("change --min-score"),
            _ => None,
        },
        _ => None,
    };
    crate::output::hinted(error, hint)
}
