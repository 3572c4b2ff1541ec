//! `seer drive`: a dashcam video or image through the perception, with the
//! JSONL log (one line per frame) and the annotated output written
//! atomically, the warnings collected into a summary.

use crate::draw::draw_frame;
use crate::perception::{CameraSource, DriveFrame, DriveOptions, DrivePerception};
use crate::DriveError;
use seer_core::atomic::{write_atomic_with, Access};
use seer_core::{CancelToken, Progress};
use seer_models::Store;
use seer_video::{EncodeOptions, Item, VideoReader, VideoWriter};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where the results go (each optional; nothing is written otherwise).
#[derive(Clone, Debug, Default)]
pub struct DriveOutputs {
    /// The JSONL log: one [`DriveFrame`] per line.
    pub log: Option<PathBuf>,
    /// The annotated image or video (boxes with distance, the lead, the
    /// warning banner; a video keeps its audio).
    pub draw: Option<PathBuf>,
}

/// A span of frames with the forward-collision warning on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WarningSpan {
    /// Time the warning came on, seconds.
    pub start_s: f64,
    /// Time of the last frame it was on, seconds.
    pub end_s: f64,
    /// The lead's track id when it came on.
    pub lead: Option<u64>,
    /// The smallest time-to-collision during the span, seconds.
    pub min_ttc_s: Option<f64>,
}

/// What a drive run did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DriveReport {
    /// The input.
    pub input: String,
    /// Frames analysed.
    pub frames: u64,
    /// Frame size, pixels.
    pub size: (u32, u32),
    /// Where the camera model came from.
    pub camera: CameraSource,
    /// The horizon row used at the end, pixels.
    pub horizon_row: f64,
    /// Forward-collision warnings, in time order.
    pub warnings: Vec<WarningSpan>,
    /// Distinct confirmed tracks seen.
    pub tracks: u64,
    /// Frames in which both ego lane lines were found.
    pub frames_with_lanes: u64,
    /// Lane-departure warnings, in time order.
    pub lane_departures: Vec<WarningSpan>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Frames per second of the whole run (decode, detection, output).
    pub fps: f64,
    /// The JSONL log written, if any.
    pub log: Option<String>,
    /// The annotated output written, if any.
    pub draw: Option<String>,
    /// For an image: its one frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<DriveFrame>,
}

/// Collects warning spans and track ids from the frames.
#[derive(Default)]
struct Summary {
    warnings: Vec<WarningSpan>,
    tracks: std::collections::BTreeSet<u64>,
    /// Whether the previous frame warned.
    open: bool,
    departures: Vec<WarningSpan>,
    departing: bool,
    frames_with_lanes: u64,
}

impl Summary {
    fn add(&mut self, f: &DriveFrame) {
        self.tracks.extend(f.objects.iter().filter_map(|o| o.track));
        if f.fcw {
            match self.warnings.last_mut() {
                Some(w) if self.open => {
                    w.end_s = f.t;
                    w.min_ttc_s = match (w.min_ttc_s, f.ttc_s) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                _ => self.warnings.push(WarningSpan {
                    start_s: f.t,
                    end_s: f.t,
                    lead: f.lead,
                    min_ttc_s: f.ttc_s,
                }),
            }
        }
        self.open = f.fcw;
        if f.lanes.left.is_some() && f.lanes.right.is_some() {
            self.frames_with_lanes += 1;
        }
        if f.ldw {
            match self.departures.last_mut() {
                Some(d) if self.departing => d.end_s = f.t,
                _ => self.departures.push(WarningSpan {
                    start_s: f.t,
                    end_s: f.t,
                    lead: None,
                    min_ttc_s: None,
                }),
            }
        }
        self.departing = f.ldw;
    }
}

fn check_outputs(input: &Path, outputs: &DriveOutputs) -> Result<(), DriveError> {
    for path in outputs.log.iter().chain(outputs.draw.iter()) {
        if seer_core::atomic::same_file(input, path) {
            return Err(DriveError::OutputIsInput { path: path.clone() });
        }
        if let Some(folder) = seer_core::atomic::missing_output_folder(path) {
            return Err(DriveError::NoOutputFolder { folder });
        }
    }
    if let (Some(a), Some(b)) = (&outputs.log, &outputs.draw) {
        if seer_core::atomic::same_file(a, b) || a == b {
            return Err(DriveError::OutputIsInput { path: b.clone() });
        }
    }
    Ok(())
}

/// Writes `frames` as JSON lines to `path`, atomically.
fn write_log(path: &Path, frames: &[DriveFrame]) -> Result<(), DriveError> {
    write_atomic_with(path, Access::Shared, |w| -> std::io::Result<()> {
        for f in frames {
            serde_json::to_writer(&mut *w, f)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
    .map_err(|source| DriveError::Log {
        path: path.to_path_buf(),
        source,
    })
}

/// Runs the perception over every frame of the video `input`; writes the
/// log and the annotated video when asked (atomically: a failed or
/// cancelled run leaves neither). `progress` counts frames; `cancel` is
/// checked every frame.
pub fn drive_video(
    store: &Store,
    input: &Path,
    options: &DriveOptions,
    outputs: &DriveOutputs,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<DriveReport, DriveError> {
    let started = Instant::now();
    check_outputs(input, outputs)?;
    let mut reader = VideoReader::open(input)?;
    let size = reader.info().size;
    let mut perception = DrivePerception::new(store, size, options)?;
    reader.set_copy_streams(outputs.draw.is_some());
    let mut writer = match &outputs.draw {
        Some(path) => Some(VideoWriter::create(
            path,
            &reader,
            size,
            &EncodeOptions::default(),
        )?),
        None => None,
    };
    progress.start("driving perception (frames)", reader.info().frames);
    let (num, den) = reader.info().frame_rate;
    let fps = if num > 0 && den > 0 {
        f64::from(num) / f64::from(den)
    } else {
        30.0
    };
    let mut frames = Vec::new();
    let mut summary = Summary::default();
    while let Some(item) = reader.next_item()? {
        cancel.check()?;
        match item {
            Item::Frame(mut frame) => {
                let t = match frame.pts {
                    Some(p) => reader.seconds(p),
                    None => frames.len() as f64 / fps,
                };
                let result = perception.process(&frame.image, t)?;
                summary.add(&result);
                if let Some(w) = writer.as_mut() {
                    draw_frame(&mut frame.image, &result);
                    w.write_frame(&frame.image, frame.pts)?;
                }
                frames.push(result);
                progress.set(frames.len() as u64);
            }
            Item::Packet(packet) => {
                if let Some(w) = writer.as_mut() {
                    w.write_packet(packet)?;
                }
            }
        }
    }
    progress.finish();
    if frames.is_empty() {
        return Err(DriveError::NoFrames {
            path: input.to_path_buf(),
        });
    }
    if let Some(path) = &outputs.log {
        write_log(path, &frames)?;
    }
    if let Some(w) = writer {
        if let Err(e) = w.finish() {
            if let Some(log) = &outputs.log {
                let _ = std::fs::remove_file(log);
            }
            return Err(e.into());
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(DriveReport {
        input: input.display().to_string(),
        frames: frames.len() as u64,
        size,
        camera: perception.camera_source(),
        horizon_row: perception.horizon_row(),
        warnings: summary.warnings,
        tracks: summary.tracks.len() as u64,
        frames_with_lanes: summary.frames_with_lanes,
        lane_departures: summary.departures,
        seconds,
        fps: frames.len() as f64 / seconds.max(1e-9),
        log: outputs.log.as_ref().map(|p| p.display().to_string()),
        draw: outputs.draw.as_ref().map(|p| p.display().to_string()),
        frame: None,
    })
}

/// Runs the perception on one image file (a single frame: distances, no
/// tracks, no closing speed); writes the one-line log and the annotated
/// image when asked.
pub fn drive_image(
    store: &Store,
    input: &Path,
    options: &DriveOptions,
    outputs: &DriveOutputs,
) -> Result<DriveReport, DriveError> {
    let started = Instant::now();
    check_outputs(input, outputs)?;
    let decoded = seer_imgproc::read_image(input, None)?;
    let mut image = decoded.image.to_rgb8();
    let size = image.dimensions();
    let mut perception = DrivePerception::new(store, size, options)?;
    let frame = perception.process(&image, 0.0)?;
    if let Some(path) = &outputs.log {
        write_log(path, std::slice::from_ref(&frame))?;
    }
    if let Some(path) = &outputs.draw {
        draw_frame(&mut image, &frame);
        let format = seer_imgproc::output_format(path)?;
        let written = image::DynamicImage::ImageRgb8(image);
        if let Err(e) = seer_imgproc::write_image(&written, path, format, &decoded.metadata) {
            if let Some(log) = &outputs.log {
                let _ = std::fs::remove_file(log);
            }
            return Err(e.into());
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(DriveReport {
        input: input.display().to_string(),
        frames: 1,
        size,
        camera: perception.camera_source(),
        horizon_row: perception.horizon_row(),
        warnings: Vec::new(),
        tracks: 0,
        frames_with_lanes: u64::from(frame.lanes.left.is_some() && frame.lanes.right.is_some()),
        lane_departures: Vec::new(),
        seconds,
        fps: 1.0 / seconds.max(1e-9),
        log: outputs.log.as_ref().map(|p| p.display().to_string()),
        draw: outputs.draw.as_ref().map(|p| p.display().to_string()),
        frame: Some(frame),
    })
}
