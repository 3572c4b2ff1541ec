//! Video upscaling: a pipeline of three threads (decode → upscale →
//! encode) joined by bounded channels, so inference overlaps with reading
//! and writing, and resumable: the upscaled video is encoded in segments
//! of [`VideoUpscaleOptions::segment_frames`] frames, each by a fresh
//! encoder (so it starts with a keyframe and stands alone), written to a
//! work folder `.NAME.seer-parts/` beside the output and listed in a
//! journal once fsynced. When every frame is done, the segments' packets
//! and the input's audio and subtitle packets (copied byte for byte) are
//! muxed into the output through a hidden temporary file, and the work
//! folder is deleted. A run with [`VideoUpscaleOptions::resume`] reuses
//! the finished segments of an interrupted run of the same job: their
//! frames are decoded (to find the place) but not upscaled again.

mod job;
mod journal;
mod mux;
mod segment;

use crate::{UpscaleError, Upscaler};
use image::RgbImage;
use journal::{fingerprint, sha256_hex, JobKey, Journal, SegmentRecord, WorkFolder};
use seer_core::progress::{NoProgress, Progress};
use seer_core::CancelToken;
use seer_video::{Chroma, EncodeOptions, FrameEncoder, VideoFrame, VideoReader};
use segment::SegmentFile;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Instant;

pub use job::{upscale_video_file, VideoJob, VideoResult};
pub use journal::WorkFolder as VideoWorkFolder;

/// How to upscale a video.
#[derive(Clone, Debug)]
pub struct VideoUpscaleOptions {
    /// How to encode the upscaled video.
    pub encode: EncodeOptions,
    /// Frames each channel between threads holds (default 4).
    pub queue: usize,
    /// Once cancelled (e.g. by a Ctrl-C handler) the pipeline stops
    /// before the next frame or tile. Finished segments stay in the work
    /// folder for a later `resume` ([`UpscaleError::Paused`]); with none
    /// finished nothing is left ([`UpscaleError::Cancelled`]). The default
    /// token is never cancelled.
    pub cancel: CancelToken,
    /// Continue from the finished segments in the work folder of an
    /// earlier, interrupted run of the same job. Without it an existing
    /// work folder is an error ([`UpscaleError::WorkFolderExists`]).
    pub resume: bool,
    /// Frames per segment (default 120: about 5 s at 24 fps); the most
    /// work an interruption loses.
    pub segment_frames: u64,
}

impl Default for VideoUpscaleOptions {
    fn default() -> Self {
        VideoUpscaleOptions {
            encode: EncodeOptions::default(),
            queue: 4,
            cancel: CancelToken::new(),
            resume: false,
            segment_frames: 120,
        }
    }
}

/// What a video upscale did (serialised in `--json` output).
#[derive(Clone, Debug, serde::Serialize)]
pub struct VideoUpscaleReport {
    /// Model ids applied to every frame, in order.
    pub chain: Vec<String>,
    /// Output pixels per input pixel.
    pub scale: u32,
    /// Input frame width and height in pixels.
    pub input_size: (u32, u32),
    /// Output frame width and height in pixels.
    pub output_size: (u32, u32),
    /// Video frames in the output.
    pub frames: u64,
    /// Frames upscaled by this run (fewer than `frames` when resumed).
    pub upscaled_frames: u64,
    /// Segments the video was encoded in.
    pub segments: usize,
    /// Segments reused from an interrupted run.
    pub resumed_segments: usize,
    /// Input duration in seconds, when the container states it.
    pub duration_s: Option<f64>,
    /// Wall-clock seconds of this run.
    pub seconds: f64,
    /// Frames upscaled per second by this run.
    pub fps: f64,
    /// Seconds the upscaling thread spent in the models (the rest of
    /// `seconds` it waited for frames or for the encoder).
    pub upscale_seconds: f64,
    /// Video encoder used.
    pub codec: String,
    /// Streams copied from the input (audio, subtitles).
    pub copied_streams: usize,
    /// Packets copied from those streams.
    pub copied_packets: u64,
    /// True when a resume found the output already finished (no work
    /// folder left, the output of the expected size and frame count) and
    /// did nothing.
    pub already_complete: bool,
}

/// The report of a finished `output` of this job, if `output` is one: a
/// video of `output_size` pixels with as many frames as the input and as
/// many copied streams, written after the input was last changed.
fn finished_output(
    input: &Path,
    output: &Path,
    upscaler: &Upscaler,
    info: &seer_video::VideoInfo,
    output_size: (u32, u32),
) -> Option<VideoUpscaleReport> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(output)? < modified(input)? {
        return None;
    }
    let done = VideoReader::open(output).ok()?.info().clone();
    let frames = info.frames?;
    if done.size != output_size
        || done.frames != Some(frames)
        || done.copied_streams.len() != info.copied_streams.len()
    {
        return None;
    }
    Some(VideoUpscaleReport {
        chain: upscaler.plan().chain.clone(),
        scale: upscaler.scale(),
        input_size: info.size,
        output_size,
        frames,
        upscaled_frames: 0,
        segments: 0,
        resumed_segments: 0,
        duration_s: info.duration_s,
        seconds: 0.0,
        fps: 0.0,
        upscale_seconds: 0.0,
        codec: done.codec,
        copied_streams: done.copied_streams.len(),
        copied_packets: 0,
        already_complete: true,
    })
}

/// Work for the encoder thread.
enum Work {
    /// An upscaled frame, its timestamp and index in the input.
    Frame(RgbImage, Option<i64>, u64),
    /// Every frame has been sent.
    End,
}

/// Why the pipeline stopped early.
enum Stop {
    /// The input could not be decoded (nothing to resume).
    Input(UpscaleError),
    /// Anything else (the model, the encoder, the work folder, a cancel).
    Failed(UpscaleError),
    /// The encoder thread hung up (its own error explains why).
    EncoderGone,
}

/// Decode thread: skips the frames of finished segments (checking their
/// timestamps against the journal), then sends every other frame; sends
/// the error and ends on failure.
fn decode_loop(
    mut reader: VideoReader,
    finished: Vec<SegmentRecord>,
    work: WorkFolder,
    to_upscaler: SyncSender<Result<VideoFrame, Stop>>,
) {
    reader.set_copy_streams(false);
    if let Err(stop) = skip_finished(&mut reader, &finished, &work) {
        let _ = to_upscaler.send(Err(stop));
        return;
    }
    loop {
        let message = match reader.next_item() {
            Ok(Some(seer_video::Item::Frame(frame))) => Ok(frame),
            Ok(Some(seer_video::Item::Packet(_))) => continue,
            Ok(None) => return,
            Err(e) => Err(Stop::Input(e.into())),
        };
        let failed = message.is_err();
        if to_upscaler.send(message).is_err() || failed {
            return;
        }
    }
}

/// Decodes the frames of the finished segments without converting them
/// and checks each segment's first and last timestamp.
fn skip_finished(
    reader: &mut VideoReader,
    finished: &[SegmentRecord],
    work: &WorkFolder,
) -> Result<(), Stop> {
    let count: u64 = finished.iter().map(|s| s.frames).sum();
    if count == 0 {
        return Ok(());
    }
    let pts = reader
        .skip_frames(count)
        .map_err(|e| Stop::Input(e.into()))?;
    if (pts.len() as u64) < count {
        return Err(Stop::Failed(work.mismatch(format!(
            "the input now has {} frames, fewer than the {count} already upscaled",
            pts.len()
        ))));
    }
    for record in finished {
        let first = pts.get(record.first_frame as usize).copied().flatten();
        let last_index = (record.first_frame + record.frames).saturating_sub(1);
        let last = pts.get(last_index as usize).copied().flatten();
        if first != record.first_pts || last != record.last_pts {
            return Err(Stop::Failed(work.mismatch(format!(
                "frame timestamps of segment {} differ from the journal; the input changed",
                record.index
            ))));
        }
    }
    Ok(())
}

/// Counters of the upscaling loop.
struct Upscaled {
    frames: u64,
    busy_seconds: f64,
}

/// Upscaling (calling) thread: upscales frames and hands them on.
fn upscale_loop(
    upscaler: &mut Upscaler,
    from_decoder: Receiver<Result<VideoFrame, Stop>>,
    to_encoder: SyncSender<Work>,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Upscaled, Stop> {
    let mut done = Upscaled {
        frames: 0,
        busy_seconds: 0.0,
    };
    for message in from_decoder {
        if cancel.is_cancelled() {
            return Err(Stop::Failed(UpscaleError::Cancelled));
        }
        let frame = message?;
        let started = Instant::now();
        let big = upscaler
            .upscale_rgb(&frame.image, &NoProgress)
            .map_err(Stop::Failed)?
            .image;
        done.busy_seconds += started.elapsed().as_secs_f64();
        done.frames += 1;
        progress.set(done.frames);
        if to_encoder
            .send(Work::Frame(big, frame.pts, frame.index))
            .is_err()
        {
            return Err(Stop::EncoderGone);
        }
    }
    if to_encoder.send(Work::End).is_err() {
        return Err(Stop::EncoderGone);
    }
    Ok(done)
}

/// Encoder thread state: the segment being written and the journal.
struct SegmentEncoder {
    work: WorkFolder,
    journal: Journal,
    /// The input, opened only for the facts the encoder copies.
    facts: VideoReader,
    encode: EncodeOptions,
    current: Option<(FrameEncoder, SegmentFile)>,
    codec: Option<String>,
}

impl SegmentEncoder {
    fn add(&mut self, image: &RgbImage, pts: Option<i64>, index: u64) -> Result<(), UpscaleError> {
        let per = self.journal.key.segment_frames;
        if self.current.is_none() {
            let segment = index / per;
            if segment != self.journal.segments.len() as u64 || index != segment * per {
                return Err(self.work.error(format!(
                    "frame {index} does not start the next segment ({})",
                    self.journal.segments.len()
                )));
            }
            let encoder = FrameEncoder::open(
                &self.facts,
                self.journal.key.output_size,
                &self.encode,
                true,
            )?;
            self.codec = Some(encoder.codec_name().to_string());
            let file = SegmentFile::create(&self.work, segment, index, pts)?;
            self.current = Some((encoder, file));
        }
        let Some((encoder, file)) = self.current.as_mut() else {
            return Err(self.work.error("no open segment"));
        };
        let packets = encoder.encode(image, pts)?;
        file.add_frame(pts);
        file.write(&self.work, &packets)?;
        if (index + 1).is_multiple_of(per) {
            self.close()?;
        }
        Ok(())
    }

    /// Finishes the open segment (if any): flush, fsync, journal.
    fn close(&mut self) -> Result<(), UpscaleError> {
        let Some((mut encoder, mut file)) = self.current.take() else {
            return Ok(());
        };
        let packets = encoder.finish()?;
        file.write(&self.work, &packets)?;
        let headers = sha256_hex(encoder.extradata());
        match &self.journal.headers_sha256 {
            None => self.journal.headers_sha256 = Some(headers),
            Some(h) if *h == headers => {}
            Some(_) => {
                return Err(self.work.mismatch(
                    "the video encoder wrote other codec headers than for the earlier segments",
                ))
            }
        }
        let record = file.finish(&self.work)?;
        self.work.sync().map_err(|e| self.work.io_error(e))?;
        self.journal.segments.push(record);
        self.work.save(&self.journal)
    }

    /// Deletes the file of an unfinished segment.
    fn abandon(&mut self) {
        if let Some((_, file)) = self.current.take() {
            drop(file);
            let name = WorkFolder::segment_name(self.journal.segments.len() as u64);
            let _ = std::fs::remove_file(self.work.file(&name));
        }
    }
}

/// Encoder thread: writes segments until `End`; then marks the journal
/// complete and hands it back. Without `End` (a cancel or an error
/// upstream) the unfinished segment is deleted.
fn encode_loop(
    mut segments: SegmentEncoder,
    from_upscaler: Receiver<Work>,
) -> Result<(Journal, Option<String>), UpscaleError> {
    let result = (|| {
        for work in &from_upscaler {
            match work {
                Work::Frame(image, pts, index) => segments.add(&image, pts, index)?,
                Work::End => {
                    segments.close()?;
                    segments.journal.complete = true;
                    segments.work.save(&segments.journal)?;
                }
            }
        }
        Ok(())
    })();
    segments.abandon();
    result.map(|()| (segments.journal, segments.codec))
}

/// What must match for a resume.
fn job_key(
    input: &Path,
    upscaler: &Upscaler,
    options: &VideoUpscaleOptions,
    output_size: (u32, u32),
) -> Result<JobKey, UpscaleError> {
    let (input_bytes, input_sha256) =
        fingerprint(input).map_err(|source| seer_video::VideoError::Io {
            path: input.to_path_buf(),
            source,
        })?;
    let encode = &options.encode;
    Ok(JobKey {
        input_bytes,
        input_sha256,
        chain: upscaler.plan().chain.clone(),
        scale: upscaler.scale(),
        output_size,
        codec: encode.codec.clone().unwrap_or_else(|| "auto".into()),
        crf: encode.crf.unwrap_or(18),
        preset: encode.preset.clone().unwrap_or_else(|| "default".into()),
        chroma: match encode.chroma {
            Chroma::Yuv420 => "420".into(),
            Chroma::Yuv444 => "444".into(),
        },
        segment_frames: options.segment_frames.max(1),
    })
}

/// The journal to continue: a new one in a new work folder, or (with
/// `resume`) the intact part of the existing one when it is for `key`.
fn prepare(work: &WorkFolder, key: JobKey, resume: bool) -> Result<Journal, UpscaleError> {
    if !work.exists() {
        work.create()?;
        let journal = Journal::new(key);
        work.save(&journal)?;
        return Ok(journal);
    }
    if !resume {
        return Err(UpscaleError::WorkFolderExists {
            folder: work.path.display().to_string(),
        });
    }
    let mut journal = match work.load()? {
        Some(journal) => journal,
        // Interrupted before the first save: nothing to keep.
        None => Journal::new(key.clone()),
    };
    let differences = journal.key.differences(&key);
    if !differences.is_empty() {
        return Err(work.mismatch(format!(
            "it was made for another job ({})",
            differences.join("; ")
        )));
    }
    let dropped = work.keep_intact(&mut journal)?;
    if dropped > 0 {
        tracing::warn!(dropped, "damaged segments will be upscaled again");
    }
    tracing::info!(
        segments = journal.segments.len(),
        frames = journal.frames(),
        "resuming"
    );
    Ok(journal)
}

/// After a failed run: the error to return, and the work folder removed
/// unless it holds finished segments worth resuming.
fn failed(work: &WorkFolder, stop: Stop, stage_error: Option<UpscaleError>) -> UpscaleError {
    let kept = work
        .load()
        .ok()
        .flatten()
        .map(|j| (j.segments.len(), j.frames()))
        .unwrap_or((0, 0));
    let (error, resumable) = match stop {
        Stop::Input(e) => (e, false),
        Stop::Failed(e) => (e, true),
        Stop::EncoderGone => (
            stage_error.unwrap_or(UpscaleError::Pipeline { stage: "encode" }),
            true,
        ),
    };
    let mismatch = matches!(error, UpscaleError::ResumeMismatch { .. });
    if mismatch {
        return error;
    }
    if !resumable || kept.0 == 0 {
        if let Err(e) = work.remove() {
            tracing::warn!("{e}");
        }
        return error;
    }
    match error {
        UpscaleError::Cancelled => UpscaleError::Paused {
            segments: kept.0,
            frames: kept.1,
            folder: work.path.display().to_string(),
        },
        other => {
            tracing::warn!(folder = %work.path.display(), segments = kept.0, "finished segments kept for --resume");
            other
        }
    }
}

/// Upscales every frame of the video `input` with `upscaler` and writes
/// `output` (container from its extension) with the upscaled frames
/// encoded per `options` and the other streams copied. `progress` counts
/// the frames this run upscales. On any error no file is left at
/// `output`; finished segments stay in the work folder (see
/// [`VideoUpscaleOptions::resume`]) unless the input itself is broken.
pub fn upscale_video(
    input: &Path,
    output: &Path,
    upscaler: &mut Upscaler,
    options: &VideoUpscaleOptions,
    progress: &dyn Progress,
) -> Result<VideoUpscaleReport, UpscaleError> {
    if seer_core::atomic::same_file(input, output) {
        return Err(UpscaleError::SameFile {
            path: output.display().to_string(),
        });
    }
    let started = Instant::now();
    upscaler.set_cancel(options.cancel.clone());
    let reader = VideoReader::open(input)?;
    let info = reader.info().clone();
    let scale = upscaler.scale();
    let output_size = (info.size.0 * scale, info.size.1 * scale);
    // Encoder settings are checked before any work folder is made.
    drop(FrameEncoder::open(
        &reader,
        output_size,
        &options.encode,
        true,
    )?);
    let work = WorkFolder::for_output(output);
    if options.resume && !work.exists() && output.exists() {
        // Resuming a job that finished: nothing is redone.
        if let Some(report) = finished_output(input, output, upscaler, &info, output_size) {
            tracing::info!(output = %output.display(), "already complete; nothing to resume");
            return Ok(report);
        }
    }
    let key = job_key(input, upscaler, options, output_size)?;
    let journal = prepare(&work, key, options.resume)?;
    let resumed_segments = journal.segments.len();
    let resumed_frames = journal.frames();

    let (journal, upscaled, codec) = if journal.complete {
        let upscaled = Upscaled {
            frames: 0,
            busy_seconds: 0.0,
        };
        (journal, upscaled, None)
    } else {
        let segments = SegmentEncoder {
            work: work.clone(),
            facts: VideoReader::open(input)?,
            journal,
            encode: options.encode.clone(),
            current: None,
            codec: None,
        };
        let finished = segments.journal.segments.clone();
        let queue = options.queue.max(1);
        let (to_upscaler, from_decoder) = sync_channel(queue);
        let (to_encoder, from_upscaler) = sync_channel(queue);
        let remaining = info.frames.map(|n| n.saturating_sub(resumed_frames));
        progress.start("upscaling video (frames)", remaining);
        let decode_work = work.clone();
        let (upscaled, encoded) = std::thread::scope(|scope| {
            let decoder =
                scope.spawn(move || decode_loop(reader, finished, decode_work, to_upscaler));
            let encoder = scope.spawn(move || encode_loop(segments, from_upscaler));
            let upscaled = upscale_loop(
                upscaler,
                from_decoder,
                to_encoder,
                progress,
                &options.cancel,
            );
            let decoded = decoder.join();
            let encoded = encoder.join();
            match (decoded, encoded) {
                (Ok(()), Ok(encoded)) => Ok((upscaled, encoded)),
                (Err(_), _) => Err(UpscaleError::Pipeline { stage: "decode" }),
                (_, Err(_)) => Err(UpscaleError::Pipeline { stage: "encode" }),
            }
        })?;
        progress.finish();
        match (upscaled, encoded) {
            (Ok(upscaled), Ok((journal, codec))) => (journal, upscaled, codec),
            (Err(stop), Ok(_)) => return Err(failed(&work, stop, None)),
            (Err(stop), Err(e)) => return Err(failed(&work, stop, Some(e))),
            (Ok(_), Err(e)) => return Err(failed(&work, Stop::Failed(e), None)),
        }
    };
    if journal.frames() == 0 {
        let _ = work.remove();
        return Err(seer_video::VideoError::NoFrames {
            path: input.to_path_buf(),
        }
        .into());
    }
    let summary = mux::mux(input, output, &work, &journal, &options.encode, progress)
        .map_err(|e| failed(&work, Stop::Failed(e), None))?;
    if let Err(e) = work.remove() {
        tracing::warn!("the output is complete but {e}");
    }
    let seconds = started.elapsed().as_secs_f64();
    let report = VideoUpscaleReport {
        chain: upscaler.plan().chain.clone(),
        scale,
        input_size: info.size,
        output_size,
        frames: journal.frames(),
        upscaled_frames: upscaled.frames,
        segments: journal.segments.len(),
        resumed_segments,
        duration_s: info.duration_s,
        seconds,
        fps: upscaled.frames as f64 / seconds.max(1e-9),
        upscale_seconds: upscaled.busy_seconds,
        codec: codec.unwrap_or(summary.codec),
        copied_streams: summary.copied_streams,
        copied_packets: summary.copied_packets,
        already_complete: false,
    };
    tracing::info!(?report, "upscaled video");
    Ok(report)
}
