//! `seer scene describe`: a video decoded once into its shots, objects,
//! tracks and camera motion, and a narration per shot, with subtitles
//! written on request.

use super::describe::{Language, ShotEvent, ShotFacts, ShotNarration};
use super::motion::{motion_between, MotionEstimator};
use super::subtitles::{to_srt, to_vtt};
use crate::shots::{Shot, ShotDetector, ShotOptions};
use crate::SceneError;
use seer_core::atomic::OutputProblem;
use seer_core::{CancelToken, Progress};
use seer_models::Store;
use seer_objects::{
    detect_video_objects_observed, ObjectOptions, ObjectOutputs, SeenFrame, VideoObjects,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How a video is described.
#[derive(Clone, Debug)]
pub struct DescribeOptions {
    /// Shot detection.
    pub shots: ShotOptions,
    /// Objects: sampled at 5 frames per second and tracked by default.
    pub objects: ObjectOptions,
    /// A track must be reported in this many analysed frames to enter or
    /// leave in the narration (default 3).
    pub min_track_frames: u64,
    /// Read on-screen text every this many seconds (`None`: no text;
    /// default every 3 s).
    pub text_every_s: Option<f64>,
    /// Text reading.
    pub ocr: crate::OcrOptions,
    /// The language of the narration.
    pub language: Language,
}

impl Default for DescribeOptions {
    fn default() -> Self {
        DescribeOptions {
            shots: ShotOptions::default(),
            objects: ObjectOptions {
                sample_fps: Some(5.0),
                track: true,
                ..ObjectOptions::default()
            },
            min_track_frames: 3,
            text_every_s: Some(3.0),
            ocr: crate::OcrOptions::default(),
            language: Language::English,
        }
    }
}

/// Subtitle files to write (each optional, written atomically).
#[derive(Clone, Debug, Default)]
pub struct DescribeOutputs {
    /// SubRip subtitles.
    pub srt: Option<PathBuf>,
    /// WebVTT subtitles.
    pub vtt: Option<PathBuf>,
}

/// A described video.
#[derive(Clone, Debug, Serialize)]
pub struct Narration {
    /// The input.
    pub input: String,
    /// Frames per second of the video.
    pub fps: f64,
    /// Frames in the video.
    pub frames: u64,
    /// One narration per shot, in order.
    pub shots: Vec<ShotNarration>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Seconds of video per second of analysis.
    pub speed_x_real_time: f64,
}

/// Lowest recogniser score of on-screen text told in the narration.
const MIN_TEXT_SCORE: f32 = 0.8;

/// Adds `line` to a shot's texts unless it is already there or part of a
/// longer one; a longer one replaces the parts it contains. Spaces do not
/// count when comparing (the recogniser reads "ARS 0-0" and "ARS0-0").
fn add_text(texts: &mut Vec<String>, line: &str) {
    let bare = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let new = bare(line);
    if texts.iter().any(|t| bare(t).contains(&new)) {
        return;
    }
    texts.retain(|t| !new.contains(&bare(t)));
    texts.push(line.to_string());
}

/// Facts of `shot` from the objects and tracks of the whole video.
fn shot_facts(shot: &Shot, objects: &VideoObjects, options: &DescribeOptions) -> ShotFacts {
    let inside = |t: f64| t >= shot.start_s && t < shot.end_s;
    // Per class the counts of every analysed frame; the second highest is
    // kept so one frame's false alarm does not set the count.
    let mut per_class: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for f in objects.frames.iter().filter(|f| inside(f.t)) {
        let mut here: BTreeMap<&str, u64> = BTreeMap::new();
        for o in &f.objects {
            *here.entry(o.class.as_str()).or_default() += 1;
        }
        for (class, n) in here {
            per_class.entry(class.to_string()).or_default().push(n);
        }
    }
    let counts = per_class
        .into_iter()
        .filter_map(|(class, mut n)| {
            n.sort_unstable_by(|a, b| b.cmp(a));
            let kept = if n.len() >= 2 { n[1] } else { 0 };
            (kept > 0).then_some((class, kept))
        })
        .collect();
    let margin = 0.5;
    let mut events = Vec::new();
    for t in objects
        .tracks
        .iter()
        .filter(|t| t.frames >= options.min_track_frames)
    {
        if inside(t.start_s) && t.start_s > shot.start_s + margin {
            events.push(ShotEvent {
                t: t.start_s,
                what: "enters",
                class: t.class.clone(),
                track: t.track,
            });
        }
        if inside(t.end_s) && t.end_s < shot.end_s - margin {
            events.push(ShotEvent {
                t: t.end_s,
                what: "leaves",
                class: t.class.clone(),
                track: t.track,
            });
        }
    }
    events.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.track.cmp(&b.track)));
    ShotFacts {
        shot: shot.clone(),
        objects: counts,
        events,
        camera: super::motion::CameraMotion::Static,
        text: Vec::new(),
        score_changes: Vec::new(),
    }
}

/// What the narration needs from every decoded frame besides its
/// objects: the shot detector (made on the first frame, from the video's
/// frame rate), the camera motion every 0.2 s, text every few seconds.
struct FrameFacts<'a> {
    options: &'a DescribeOptions,
    shots: Option<ShotDetector>,
    motion: MotionEstimator,
    next_motion: f64,
    reader: Option<&'a mut crate::TextReader>,
    /// Time and lines of each frame read for text.
    texts: Vec<(f64, Vec<String>)>,
    next_text: f64,
}

impl FrameFacts<'_> {
    fn see(&mut self, frame: &SeenFrame) -> Result<(), SceneError> {
        let shots = match self.shots.as_mut() {
            Some(shots) => shots,
            None => self
                .shots
                .insert(ShotDetector::new(&self.options.shots, frame.info.fps())?),
        };
        shots.push(frame.image)?;
        if frame.t >= self.next_motion {
            self.motion.push(frame.image, frame.t);
            self.next_motion = frame.t + 0.2;
        }
        if let (Some(reader), Some(every)) = (self.reader.as_mut(), self.options.text_every_s) {
            if frame.t >= self.next_text {
                // Single characters and unsure reads are mostly fragments
                // of logos or texture.
                let lines = reader
                    .read(frame.image)?
                    .into_iter()
                    .filter(|l| l.score >= MIN_TEXT_SCORE && l.text.chars().count() >= 2)
                    .map(|l| l.text)
                    .collect();
                self.texts.push((frame.t, lines));
                self.next_text = frame.t + every;
            }
        }
        Ok(())
    }
}

/// Describes the video `input` shot by shot (see the module
/// documentation); writes the subtitles asked for only when all went well.
pub fn describe_video(
    store: &Store,
    input: &Path,
    options: &DescribeOptions,
    outputs: &DescribeOutputs,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Narration, SceneError> {
    let started = Instant::now();
    options.shots.validate()?;
    for out in outputs.srt.iter().chain(outputs.vtt.iter()) {
        match seer_core::atomic::check_output(input, out) {
            Ok(()) => {}
            Err(OutputProblem::IsInput) => {
                return Err(SceneError::OutputIsInput { path: out.clone() })
            }
            Err(OutputProblem::NoFolder(folder)) => {
                return Err(SceneError::NoOutputFolder { folder })
            }
        }
    }
    let mut reader = match options.text_every_s {
        Some(every) if every.is_finite() && every > 0.0 => {
            Some(crate::TextReader::open(store, &options.ocr)?)
        }
        Some(every) => {
            return Err(SceneError::InvalidOption {
                name: "text_every_s",
                reason: format!("{every} is not a number of seconds above 0"),
            })
        }
        None => None,
    };
    let mut seen = FrameFacts {
        options,
        shots: None,
        motion: MotionEstimator::new(),
        next_motion: 0.0,
        reader: reader.as_mut(),
        texts: Vec::new(),
        next_text: 0.0,
    };
    let mut frame_error = None;
    let objects = detect_video_objects_observed(
        store,
        input,
        &options.objects,
        &ObjectOutputs::default(),
        &mut |frame| {
            if frame_error.is_none() {
                frame_error = seen.see(frame).err();
            }
        },
        progress,
        cancel,
    )?;
    if let Some(e) = frame_error {
        return Err(e);
    }
    let FrameFacts {
        shots,
        motion,
        texts,
        ..
    } = seen;
    let shots = shots.ok_or_else(|| SceneError::NoFrames {
        path: input.to_path_buf(),
    })?;
    let changes = super::scoreboard::score_changes(&texts);
    let list = shots.finish();
    let fps = list.fps;
    let narrated: Vec<ShotNarration> = list
        .shots
        .iter()
        .map(|shot| {
            let mut facts = shot_facts(shot, &objects, options);
            facts.camera = motion_between(motion.steps(), shot.start_s, shot.end_s);
            facts.score_changes = changes
                .iter()
                .filter(|c| c.t_s >= shot.start_s && c.t_s < shot.end_s)
                .cloned()
                .collect();
            for (t, lines) in &texts {
                if *t >= shot.start_s && *t < shot.end_s {
                    for line in lines {
                        add_text(&mut facts.text, line);
                    }
                }
            }
            ShotNarration {
                text: options.language.narrate(&facts),
                facts,
            }
        })
        .collect();
    let write = |path: &Path, text: String| {
        seer_core::atomic::write_atomic(path, text.as_bytes()).map_err(|source| SceneError::Write {
            path: path.to_path_buf(),
            source,
        })
    };
    if let Some(path) = &outputs.srt {
        write(path, to_srt(&narrated))?;
    }
    if let Some(path) = &outputs.vtt {
        write(path, to_vtt(&narrated))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let duration = list.frames as f64 / fps;
    Ok(Narration {
        input: input.display().to_string(),
        fps,
        frames: list.frames,
        shots: narrated,
        seconds,
        speed_x_real_time: duration / seconds.max(1e-9),
    })
}

#[cfg(test)]
mod tests {
    use super::add_text;

    #[test]
    fn texts_are_kept_once_and_the_longer_read_wins() {
        let mut texts = Vec::new();
        for line in ["GOV", "WH", ".GOV", "GOV", "SCORE 2-1"] {
            add_text(&mut texts, line);
        }
        assert_eq!(texts, ["WH", ".GOV", "SCORE 2-1"]);
    }
}
