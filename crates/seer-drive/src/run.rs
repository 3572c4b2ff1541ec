//! `seer drive`: a dashcam video or image through the perception, with the
//! JSONL log (one line per frame) and the annotated output written
//! atomically, the warnings collected into a summary.

use crate::draw::draw_frame;
use crate::perception::{CameraSource, DriveFrame, DriveOptions, DrivePerception};
use crate::DriveError;
use seer_core::atomic::{AtomicFile, OutputProblem};
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

/// A span of frames with a warning on, seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TimeSpan {
    /// Time the warning came on.
    pub start_s: f64,
    /// Time of the last frame it was on.
    pub end_s: f64,
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
    pub lane_departures: Vec<TimeSpan>,
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

/// Collects the summary from the frames as they come.
#[derive(Default)]
struct Summary {
    frames: u64,
    warnings: Vec<WarningSpan>,
    /// Whether the previous frame had the collision warning on.
    warning_open: bool,
    departures: Vec<TimeSpan>,
    /// Whether the previous frame had the departure warning on.
    departure_open: bool,
    tracks: std::collections::BTreeSet<u64>,
    frames_with_lanes: u64,
}

impl Summary {
    fn add(&mut self, f: &DriveFrame) {
        self.frames += 1;
        self.tracks.extend(f.objects.iter().filter_map(|o| o.track));
        if f.lanes.left.is_some() && f.lanes.right.is_some() {
            self.frames_with_lanes += 1;
        }
        if f.fcw {
            match self.warnings.last_mut() {
                Some(w) if self.warning_open => {
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
        self.warning_open = f.fcw;
        if f.ldw {
            match self.departures.last_mut() {
                Some(d) if self.departure_open => d.end_s = f.t,
                _ => self.departures.push(TimeSpan {
                    start_s: f.t,
                    end_s: f.t,
                }),
            }
        }
        self.departure_open = f.ldw;
    }

    /// The report of a run that took `started` until now.
    fn report(
        self,
        input: &Path,
        size: (u32, u32),
        perception: &DrivePerception,
        outputs: &DriveOutputs,
        started: Instant,
        frame: Option<DriveFrame>,
    ) -> DriveReport {
        let seconds = started.elapsed().as_secs_f64();
        DriveReport {
            input: input.display().to_string(),
            frames: self.frames,
            size,
            camera: perception.camera_source(),
            horizon_row: perception.horizon_row(),
            warnings: self.warnings,
            tracks: self.tracks.len() as u64,
            frames_with_lanes: self.frames_with_lanes,
            lane_departures: self.departures,
            seconds,
            fps: self.frames as f64 / seconds.max(1e-9),
            log: outputs.log.as_ref().map(|p| p.display().to_string()),
            draw: outputs.draw.as_ref().map(|p| p.display().to_string()),
            frame,
        }
    }
}

fn check_outputs(input: &Path, outputs: &DriveOutputs) -> Result<(), DriveError> {
    for path in outputs.log.iter().chain(outputs.draw.iter()) {
        match seer_core::atomic::check_output(input, path) {
            Ok(()) => {}
            Err(OutputProblem::IsInput) => {
                return Err(DriveError::OutputIsInput { path: path.clone() })
            }
            Err(OutputProblem::NoFolder(folder)) => {
                return Err(DriveError::NoOutputFolder { folder })
            }
        }
    }
    if let (Some(a), Some(b)) = (&outputs.log, &outputs.draw) {
        if a == b || seer_core::atomic::same_file(a, b) {
            return Err(DriveError::OutputIsInput { path: b.clone() });
        }
    }
    Ok(())
}

/// The JSONL log being written: a hidden temporary file beside `path`,
/// put in place by [`Log::commit`] (dropped unfinished, it is deleted).
struct Log {
    file: AtomicFile,
    path: PathBuf,
}

impl Log {
    fn create(path: &Path) -> Result<Log, DriveError> {
        let file = AtomicFile::create(path).map_err(|source| DriveError::Log {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Log {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Appends one frame as a JSON line.
    fn write(&mut self, frame: &DriveFrame) -> Result<(), DriveError> {
        let written = serde_json::to_vec(frame)
            .map_err(std::io::Error::from)
            .and_then(|line| {
                let w = self.file.writer()?;
                w.write_all(&line)?;
                w.write_all(b"\n")
            });
        written.map_err(|source| DriveError::Log {
            path: self.path.clone(),
            source,
        })
    }

    fn commit(self) -> Result<(), DriveError> {
        let path = self.path;
        self.file
            .commit()
            .map_err(|source| DriveError::Log { path, source })
    }
}

/// Runs the perception over every frame of the video `input`; streams the
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
    let mut log = outputs.log.as_deref().map(Log::create).transpose()?;
    progress.start("driving perception (frames)", reader.info().frames);
    let mut summary = Summary::default();
    while let Some(item) = reader.next_item()? {
        cancel.check()?;
        match item {
            Item::Frame(mut frame) => {
                let result = perception.process(&frame.image, reader.frame_time(&frame))?;
                summary.add(&result);
                if let Some(log) = log.as_mut() {
                    log.write(&result)?;
                }
                if let Some(w) = writer.as_mut() {
                    draw_frame(&mut frame.image, &result);
                    w.write_frame(&frame.image, frame.pts)?;
                }
                progress.set(summary.frames);
            }
            Item::Packet(packet) => {
                if let Some(w) = writer.as_mut() {
                    w.write_packet(packet)?;
                }
            }
        }
    }
    progress.finish();
    if summary.frames == 0 {
        return Err(DriveError::NoFrames {
            path: input.to_path_buf(),
        });
    }
    // The video first: a failed finish leaves neither output.
    if let Some(w) = writer {
        w.finish()?;
    }
    if let Some(log) = log {
        if let Err(e) = log.commit() {
            if let Some(video) = &outputs.draw {
                let _ = std::fs::remove_file(video);
            }
            return Err(e);
        }
    }
    Ok(summary.report(input, size, &perception, outputs, started, None))
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
    let mut summary = Summary::default();
    summary.add(&frame);
    let mut log = outputs.log.as_deref().map(Log::create).transpose()?;
    if let Some(log) = log.as_mut() {
        log.write(&frame)?;
    }
    if let Some(path) = &outputs.draw {
        draw_frame(&mut image, &frame);
        let format = seer_imgproc::output_format(path)?;
        let written = image::DynamicImage::ImageRgb8(image);
        seer_imgproc::write_image(&written, path, format, &decoded.metadata)?;
    }
    if let Some(log) = log {
        if let Err(e) = log.commit() {
            if let Some(drawn) = &outputs.draw {
                let _ = std::fs::remove_file(drawn);
            }
            return Err(e);
        }
    }
    Ok(summary.report(input, size, &perception, outputs, started, Some(frame)))
}
