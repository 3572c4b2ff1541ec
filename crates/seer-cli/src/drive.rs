//! `seer drive`: camera-only driving perception on a dashcam video or
//! image (the work is `seer_drive::drive_video` / `drive_image`).

use crate::output::{out_line, print_json, print_table};
use crate::progress::{cancel_on_ctrl_c, TerminalProgress};
use clap::Args;
use seer_drive::{
    drive_image, drive_video, Camera, CameraSource, DriveOptions, DriveOutputs, DriveReport,
};
use std::path::PathBuf;

/// Arguments of `seer drive`.
#[derive(Args)]
pub struct DriveArgs {
    /// Dashcam video (MP4, MKV, MOV, WebM) or image.
    input: PathBuf,
    /// Camera description (camera.toml: width, height, focal_px or
    /// hfov_deg, cx, cy, mount_height_m, pitch_deg); default: the preset of
    /// the shared 960×540 clips, scaled to the frame.
    #[arg(long)]
    camera: Option<PathBuf>,
    /// Write the per-frame log here, one JSON object per line.
    #[arg(long, value_name = "OUT.jsonl")]
    json: Option<PathBuf>,
    /// Write the annotated video or image here.
    #[arg(long, value_name = "OUT")]
    draw: Option<PathBuf>,
    /// Longer side of the detector's input in pixels, a multiple of 32
    /// (512: fast, 800: default, 960: far range).
    #[arg(long, default_value_t = 800)]
    input_size: u32,
    /// Detect objects this many times a second (0: on every frame); frames
    /// between carry the last boxes with predicted distances.
    #[arg(long, default_value_t = seer_drive::DEFAULT_OBJECT_RATE_HZ)]
    object_rate: f64,
    /// Warn below this time-to-collision, seconds.
    #[arg(long, default_value_t = 2.5)]
    ttc: f64,
    /// Inference threads (default: physical cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the summary as JSON.
    #[arg(long)]
    summary_json: bool,
}

/// Runs `seer drive`.
pub fn run(args: DriveArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let mut options = DriveOptions::default();
    if let Some(path) = &args.camera {
        options.camera = Some(Camera::from_file(path).map_err(with_hint)?);
    }
    options.detector.input_long_side = args.input_size;
    options.warning.ttc_threshold_s = args.ttc;
    options.object_rate_hz = (args.object_rate != 0.0).then_some(args.object_rate);
    if let Some(t) = args.threads {
        options.detector.threads = t;
    }
    let outputs = DriveOutputs {
        log: args.json.clone(),
        draw: args.draw.clone(),
    };
    let report = if seer_video::is_video_path(&args.input) {
        drive_video(
            &store,
            &args.input,
            &options,
            &outputs,
            &progress,
            &cancel_on_ctrl_c(),
        )
    } else {
        drive_image(&store, &args.input, &options, &outputs)
    }
    .map_err(with_hint)?;
    if args.summary_json {
        return print_json(&report);
    }
    print_summary(&report);
    Ok(())
}

/// The library error with the flag that sets what it is about.
fn with_hint(error: seer_drive::DriveError) -> anyhow::Error {
    use seer_drive::DriveError;
    let hint = match &error {
        DriveError::CameraValue { .. } | DriveError::CameraSyntax { .. } => {
            Some("check the --camera file")
        }
        DriveError::BadSetting { setting, .. } if setting.contains("time-to-collision") => {
            Some("change --ttc")
        }
        DriveError::BadSetting { setting, .. } if setting.contains("detection rate") => {
            Some("change --object-rate")
        }
        DriveError::Detect(seer_objects::DetectError::BadSetting { setting, .. }) => match *setting
        {
            "network input side" => Some("change --input-size"),
            "thread count" => Some("change --threads"),
            _ => None,
        },
        _ => None,
    };
    crate::output::hinted(error, hint)
}

fn print_summary(report: &DriveReport) {
    let camera = match report.camera {
        CameraSource::Given => "the given camera file",
        CameraSource::Preset => "the preset of the shared 960x540 clips (no --camera given)",
        CameraSource::PresetWithEstimatedPitch => {
            "the preset of the shared 960x540 clips with the pitch estimated from the lanes' vanishing point (no --camera given)"
        }
    };
    out_line(&format!(
        "{}: {} frames of {}x{} in {:.1} s ({:.1} frames/s); camera: {camera}, horizon at row {:.0}",
        report.input, report.frames, report.size.0, report.size.1, report.seconds, report.fps, report.horizon_row
    ));
    if report.frames_with_lanes == 0 {
        out_line("lanes: not found (objects and distances are still reported)");
    } else {
        out_line(&format!(
            "lanes: both ego lane lines in {} of {} frames",
            report.frames_with_lanes, report.frames
        ));
    }
    if let Some(frame) = &report.frame {
        let rows: Vec<Vec<String>> = frame
            .objects
            .iter()
            .map(|o| {
                vec![
                    o.class.clone(),
                    format!(
                        "{:.0},{:.0},{:.0},{:.0}",
                        o.bbox[0], o.bbox[1], o.bbox[2], o.bbox[3]
                    ),
                    format!("{:.2}", o.score),
                    o.distance_m.map(|d| format!("{d:.1}")).unwrap_or_default(),
                    o.lateral_m.map(|d| format!("{d:+.1}")).unwrap_or_default(),
                ]
            })
            .collect();
        print_table(
            &["class", "box (px)", "score", "distance m", "lateral m"],
            &rows,
        );
    } else {
        out_line(&format!("tracks: {}", report.tracks));
        if report.warnings.is_empty() {
            out_line("forward-collision warnings: none");
        }
        for d in &report.lane_departures {
            out_line(&format!("lane departure {:.2}-{:.2} s", d.start_s, d.end_s));
        }
        for w in &report.warnings {
            out_line(&format!(
                "forward-collision warning {:.2}-{:.2} s, lead track {}, lowest TTC {}",
                w.start_s,
                w.end_s,
                w.lead.map(|l| l.to_string()).unwrap_or_else(|| "-".into()),
                w.min_ttc_s
                    .map(|t| format!("{t:.2} s"))
                    .unwrap_or_else(|| "-".into()),
            ));
        }
    }
    for (what, path) in [("log", &report.log), ("drawn", &report.draw)] {
        if let Some(p) = path {
            out_line(&format!("{what}: {p}"));
        }
    }
}
