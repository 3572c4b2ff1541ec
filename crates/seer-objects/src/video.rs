//! Objects through a video: CenterNet on frames sampled at a chosen rate,
//! optionally tracked (ByteTrack ids) and re-scored along the tracks,
//! with the MOTChallenge file and the annotated copy written on request.
//! The same for one image.

use crate::annotate::draw_objects;
use crate::temporal::{rescore, RescoreOptions, TrackedDetection};
use crate::{
    class_name, CenterNet, CenterNetOptions, DetectError, Detection, MotRecord, Tracker,
    TrackerOptions,
};
use seer_core::atomic::OutputProblem;
use seer_core::geometry::Rect;
use seer_core::{CancelToken, Progress};
use seer_models::Store;
use seer_video::{Item, VideoInfo, VideoReader};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How objects are found in a video.
#[derive(Clone, Debug)]
pub struct ObjectOptions {
    /// The detector (its score threshold is lowered to the tracker's low
    /// score when tracking).
    pub detector: CenterNetOptions,
    /// Follow objects from frame to frame (track ids, re-scoring).
    pub track: bool,
    /// The tracker.
    pub tracker: TrackerOptions,
    /// Re-scoring along tracks (`None`: scores as detected).
    pub rescore: Option<RescoreOptions>,
    /// Frames analysed per second of video (`None`: every frame).
    pub sample_fps: Option<f64>,
    /// Lowest reported score, 0..1 (default 0.3).
    pub min_score: f32,
}

impl Default for ObjectOptions {
    fn default() -> Self {
        ObjectOptions {
            detector: CenterNetOptions::default(),
            track: true,
            tracker: TrackerOptions::for_centernet(),
            rescore: Some(RescoreOptions::default()),
            sample_fps: None,
            min_score: 0.3,
        }
    }
}

impl ObjectOptions {
    /// Refuses settings that cannot work.
    pub fn validate(&self) -> Result<(), DetectError> {
        self.detector.validate()?;
        self.tracker.validate()?;
        if let Some(fps) = self.sample_fps {
            if !(fps.is_finite() && fps > 0.0) {
                return Err(DetectError::BadSetting {
                    setting: "sampling rate",
                    value: fps.to_string(),
                    expected: "use a number of frames per second above 0",
                });
            }
        }
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(DetectError::BadSetting {
                setting: "lowest reported score",
                value: self.min_score.to_string(),
                expected: "use a value from 0 to 1",
            });
        }
        Ok(())
    }
}

/// One object in one frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoundObject {
    /// COCO class name, e.g. "person".
    pub class: String,
    /// Box corners x1, y1, x2, y2, pixels.
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    /// Confidence 0..1 (re-scored along the track when asked).
    pub score: f32,
    /// Track id, stable through the video (`None` untracked).
    pub track: Option<u64>,
}

impl FoundObject {
    /// The box as a rectangle, pixels.
    pub fn rect(&self) -> Rect {
        let [x1, y1, x2, y2] = self.bbox;
        Rect::new(x1, y1, x2 - x1, y2 - y1)
    }
}

/// The objects of one analysed frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrameObjects {
    /// Frame number in the video, from 0.
    pub frame: u64,
    /// Presentation time, seconds.
    pub t: f64,
    /// The objects, best score first.
    pub objects: Vec<FoundObject>,
}

/// One track through the video.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectTrack {
    /// Track id.
    pub track: u64,
    /// COCO class name.
    pub class: String,
    /// First and last analysed frame it was seen in.
    pub first_frame: u64,
    /// Last analysed frame it was seen in.
    pub last_frame: u64,
    /// Time of the first sighting, seconds.
    pub start_s: f64,
    /// Time of the last sighting, seconds.
    pub end_s: f64,
    /// Analysed frames it was reported in.
    pub frames: u64,
    /// Its best score.
    pub best_score: f32,
}

/// Objects of a whole video.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VideoObjects {
    /// The input.
    pub input: String,
    /// Frame size, pixels.
    pub size: (u32, u32),
    /// Frames per second of the video.
    pub fps: f64,
    /// Frames in the video.
    pub frames_total: u64,
    /// The analysed frames with their objects.
    pub frames: Vec<FrameObjects>,
    /// The tracks (empty without tracking).
    pub tracks: Vec<ObjectTrack>,
    /// Objects reported per class over all analysed frames.
    pub counts: BTreeMap<String, u64>,
    /// Wall-clock seconds, outputs included.
    pub seconds: f64,
    /// Analysed frames per second of wall-clock time, outputs included.
    pub analysed_fps: f64,
}

impl VideoObjects {
    /// The records of a MOTChallenge file: tracked objects only, frames
    /// numbered from 1.
    pub fn mot_records(&self) -> Vec<MotRecord> {
        let mut out = Vec::new();
        for f in &self.frames {
            for o in &f.objects {
                if let Some(id) = o.track {
                    out.push(MotRecord {
                        frame: f.frame as u32 + 1,
                        id,
                        bbox: o.rect(),
                        score: o.score,
                    });
                }
            }
        }
        out
    }
}

/// Where results of [`detect_video_objects`] are written (each optional).
#[derive(Clone, Debug, Default)]
pub struct ObjectOutputs {
    /// MOTChallenge text file of the tracked objects.
    pub mot: Option<PathBuf>,
    /// Annotated copy of the video (audio copied).
    pub draw: Option<PathBuf>,
}

fn check_output(input: &Path, output: &Path) -> Result<(), DetectError> {
    seer_core::atomic::check_output(input, output).map_err(|problem| match problem {
        OutputProblem::IsInput => DetectError::OutputIsInput {
            path: output.to_path_buf(),
        },
        OutputProblem::NoFolder(folder) => DetectError::NoOutputFolder { folder },
    })
}

/// A decoded frame shown to the observer of
/// [`detect_video_objects_observed`].
pub struct SeenFrame<'a> {
    /// Facts of the video.
    pub info: &'a VideoInfo,
    /// Frame number, from 0.
    pub index: u64,
    /// Presentation time, seconds.
    pub t: f64,
    /// The picture.
    pub image: &'a image::RgbImage,
}

/// Finds (and tracks) the objects of the video `input`. `progress` counts
/// decoded frames; `cancel` is checked every frame. Outputs are written
/// only when all went well.
pub fn detect_video_objects(
    store: &Store,
    input: &Path,
    options: &ObjectOptions,
    outputs: &ObjectOutputs,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<VideoObjects, DetectError> {
    detect_video_objects_observed(
        store,
        input,
        options,
        outputs,
        &mut |_| {},
        progress,
        cancel,
    )
}

/// [`detect_video_objects`] that also shows every decoded frame (with the
/// video's facts, its number, time and picture) to `observe`, so a caller that
/// needs other facts of the same frames (shots, camera motion) decodes the
/// video once.
pub fn detect_video_objects_observed(
    store: &Store,
    input: &Path,
    options: &ObjectOptions,
    outputs: &ObjectOutputs,
    observe: &mut dyn FnMut(&SeenFrame),
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<VideoObjects, DetectError> {
    let started = Instant::now();
    options.validate()?;
    for out in outputs.mot.iter().chain(outputs.draw.iter()) {
        check_output(input, out)?;
    }
    let mut reader = VideoReader::open(input)?;
    reader.set_copy_streams(false);
    let info = reader.info().clone();
    let fps = info.fps();
    let mut detector_options = options.detector.clone();
    if options.track {
        detector_options.score_threshold = detector_options
            .score_threshold
            .min(options.tracker.low_score);
    }
    let mut detector = CenterNet::open(store, info.size, &detector_options)?;
    let mut tracker = Tracker::new(options.tracker)?;
    progress.start("finding objects (frames)", info.frames);
    // Frame number and time, and the detections, of each analysed frame.
    let mut analysed: Vec<(u64, f64)> = Vec::new();
    let mut detections: Vec<Vec<TrackedDetection>> = Vec::new();
    let mut decoded = 0u64;
    let mut next_due = 0.0f64;
    while let Some(item) = reader.next_item()? {
        cancel.check()?;
        let Item::Frame(frame) = item else { continue };
        decoded += 1;
        progress.set(decoded);
        let t = reader.frame_time(&frame);
        observe(&SeenFrame {
            info: &info,
            index: frame.index,
            t,
            image: &frame.image,
        });
        if let Some(rate) = options.sample_fps {
            // Half a frame of slack so 5 fps of 25 fps video is every 5th.
            if t + 0.5 / fps < next_due {
                continue;
            }
            next_due += 1.0 / rate;
            if next_due < t {
                next_due = t + 1.0 / rate;
            }
        }
        let found = detector.detect(&frame.image)?;
        let mut track_of = vec![None; found.len()];
        if options.track {
            for t in tracker.update(&found) {
                if let Some(slot) = track_of.get_mut(t.detection) {
                    *slot = Some(t.track_id);
                }
            }
        }
        detections.push(
            found
                .into_iter()
                .zip(track_of)
                .map(|(detection, track)| TrackedDetection { detection, track })
                .collect(),
        );
        analysed.push((frame.index, t));
    }
    progress.finish();
    if decoded == 0 {
        return Err(DetectError::NoFrames {
            path: input.to_path_buf(),
        });
    }
    let scores: Vec<Vec<f32>> = match (&options.rescore, options.track) {
        (Some(r), true) => rescore(&detections, r),
        _ => detections
            .iter()
            .map(|f| f.iter().map(|d| d.detection.score).collect())
            .collect(),
    };
    let frames: Vec<FrameObjects> = analysed
        .iter()
        .zip(&detections)
        .zip(&scores)
        .map(|(((index, t), dets), s)| FrameObjects {
            frame: *index,
            t: *t,
            objects: report(dets, s, options.min_score),
        })
        .collect();
    let mut result = summarise(input, info.size, fps, decoded, frames);
    if let Some(path) = &outputs.mot {
        let text = crate::format_mot(&result.mot_records())?;
        seer_core::atomic::write_atomic(path, text.as_bytes()).map_err(|source| {
            DetectError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }
    if let Some(path) = &outputs.draw {
        draw_video(input, path, &result, progress, cancel)?;
    }
    result.seconds = started.elapsed().as_secs_f64();
    result.analysed_fps = result.frames.len() as f64 / result.seconds.max(1e-9);
    Ok(result)
}

/// The reported objects of one frame: scores ≥ `min_score`, best first.
fn report(detections: &[TrackedDetection], scores: &[f32], min_score: f32) -> Vec<FoundObject> {
    let mut out: Vec<FoundObject> = detections
        .iter()
        .zip(scores)
        .filter(|(_, &s)| s >= min_score)
        .map(|(d, &s)| object(&d.detection, s, d.track))
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

fn object(d: &Detection, score: f32, track: Option<u64>) -> FoundObject {
    let b = d.bbox;
    FoundObject {
        class: class_name(d.class).unwrap_or("object").to_string(),
        bbox: [b.x, b.y, b.right(), b.bottom()],
        score,
        track,
    }
}

/// Tracks and counts of the analysed frames (timing left at 0 for the
/// caller).
fn summarise(
    input: &Path,
    size: (u32, u32),
    fps: f64,
    frames_total: u64,
    frames: Vec<FrameObjects>,
) -> VideoObjects {
    let mut tracks: BTreeMap<u64, ObjectTrack> = BTreeMap::new();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for f in &frames {
        for o in &f.objects {
            *counts.entry(o.class.clone()).or_default() += 1;
            let Some(id) = o.track else { continue };
            let t = tracks.entry(id).or_insert_with(|| ObjectTrack {
                track: id,
                class: o.class.clone(),
                first_frame: f.frame,
                last_frame: f.frame,
                start_s: f.t,
                end_s: f.t,
                frames: 0,
                best_score: o.score,
            });
            t.last_frame = f.frame;
            t.end_s = f.t;
            t.frames += 1;
            t.best_score = t.best_score.max(o.score);
        }
    }
    VideoObjects {
        input: input.display().to_string(),
        size,
        fps,
        frames_total,
        frames,
        tracks: tracks.into_values().collect(),
        counts,
        seconds: 0.0,
        analysed_fps: 0.0,
    }
}

/// Writes the annotated copy: each frame shows the objects of the latest
/// analysed frame at or before it.
fn draw_video(
    input: &Path,
    output: &Path,
    result: &VideoObjects,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<(), DetectError> {
    let mut at = 0usize;
    seer_video::rewrite_video(
        input,
        output,
        "drawing objects (frames)",
        progress,
        cancel,
        |index, image| {
            while at + 1 < result.frames.len() && result.frames[at + 1].frame <= index {
                at += 1;
            }
            if let Some(f) = result.frames.get(at).filter(|f| f.frame <= index) {
                draw_objects(image, &f.objects);
            }
            Ok::<(), DetectError>(())
        },
    )?;
    Ok(())
}

/// The objects of one image.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageObjects {
    /// The input.
    pub input: String,
    /// Image size, pixels.
    pub size: (u32, u32),
    /// The objects, best first.
    pub objects: Vec<FoundObject>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Finds the objects of the image file `input`; draws them into `draw`
/// when given (written atomically).
pub fn detect_image_objects(
    store: &Store,
    input: &Path,
    options: &ObjectOptions,
    draw: Option<&Path>,
) -> Result<ImageObjects, DetectError> {
    let started = Instant::now();
    options.validate()?;
    if let Some(out) = draw {
        check_output(input, out)?;
    }
    let decoded = seer_imgproc::read_image(input, None)?;
    let mut image = decoded.image.to_rgb8();
    let mut detector = CenterNet::open(store, image.dimensions(), &options.detector)?;
    let found = detector.detect(&image)?;
    let objects: Vec<FoundObject> = found
        .iter()
        .filter(|d| d.score >= options.min_score)
        .map(|d| object(d, d.score, None))
        .collect();
    if let Some(out) = draw {
        draw_objects(&mut image, &objects);
        let format = seer_imgproc::output_format(out)?;
        seer_imgproc::write_image(
            &image::DynamicImage::ImageRgb8(image.clone()),
            out,
            format,
            &decoded.metadata,
        )?;
    }
    Ok(ImageObjects {
        input: input.display().to_string(),
        size: image.dimensions(),
        objects,
        seconds: started.elapsed().as_secs_f64(),
    })
}
