//! Video upscaling: a pipeline of three threads (decode → upscale →
//! encode) joined by bounded channels, so inference overlaps with reading
//! and writing. Audio and subtitle streams are copied packet for packet.

use crate::{UpscaleError, Upscaler};
use image::RgbImage;
use seer_core::progress::{NoProgress, Progress};
use seer_video::{CopiedPacket, EncodeOptions, Item, VideoError, VideoReader, VideoWriter};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::Instant;

/// How to upscale a video.
#[derive(Clone, Debug)]
pub struct VideoUpscaleOptions {
    /// How to encode the upscaled video.
    pub encode: EncodeOptions,
    /// Frames (or packets) each channel between threads holds (default 4).
    pub queue: usize,
    /// When set to true (e.g. by a Ctrl-C handler) the pipeline stops
    /// before the next frame with [`UpscaleError::Cancelled`], leaving no output.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for VideoUpscaleOptions {
    fn default() -> Self {
        VideoUpscaleOptions {
            encode: EncodeOptions::default(),
            queue: 4,
            cancel: None,
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
    /// Video frames upscaled and encoded.
    pub frames: u64,
    /// Input duration in seconds, when the container states it.
    pub duration_s: Option<f64>,
    /// Wall-clock seconds of the whole pipeline.
    pub seconds: f64,
    /// Pipeline throughput in frames per second.
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
}

/// Work for the encoder thread.
enum Work {
    Frame(RgbImage, Option<i64>),
    Packet(CopiedPacket),
}

/// Why the upscaling loop stopped early.
enum Stop {
    /// Decoding or upscaling failed.
    Failed(UpscaleError),
    /// The encoder thread hung up (its own error explains why).
    EncoderGone,
}

/// Decode thread: sends every frame and copied packet, then ends; sends
/// the error and ends on failure.
fn decode_loop(mut reader: VideoReader, to_upscaler: SyncSender<Result<Item, VideoError>>) {
    loop {
        let next = reader.next_item();
        let stop = !matches!(next, Ok(Some(_)));
        let message = match next {
            Ok(Some(item)) => Ok(item),
            Ok(None) => return,
            Err(e) => Err(e),
        };
        if to_upscaler.send(message).is_err() || stop {
            return;
        }
    }
}

/// Encode thread: writes everything it receives; hands the writer back
/// (unfinished) when the channel closes.
fn encode_loop(
    mut writer: VideoWriter,
    from_upscaler: Receiver<Work>,
) -> Result<VideoWriter, VideoError> {
    for work in from_upscaler {
        match work {
            Work::Frame(image, pts) => writer.write_frame(&image, pts)?,
            Work::Packet(packet) => writer.write_packet(packet)?,
        }
    }
    Ok(writer)
}

/// Counters of the upscaling loop.
struct Upscaled {
    frames: u64,
    busy_seconds: f64,
}

/// Upscaling (calling) thread: upscales frames, passes packets through.
fn upscale_loop(
    upscaler: &mut Upscaler,
    from_decoder: Receiver<Result<Item, VideoError>>,
    to_encoder: SyncSender<Work>,
    progress: &dyn Progress,
    cancel: Option<&AtomicBool>,
) -> Result<Upscaled, Stop> {
    let mut done = Upscaled {
        frames: 0,
        busy_seconds: 0.0,
    };
    for message in from_decoder {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Stop::Failed(UpscaleError::Cancelled));
        }
        let work = match message {
            Ok(Item::Frame(frame)) => {
                let started = Instant::now();
                let big = upscaler
                    .upscale_rgb(&frame.image, &NoProgress)
                    .map_err(Stop::Failed)?;
                done.busy_seconds += started.elapsed().as_secs_f64();
                done.frames += 1;
                progress.set(done.frames);
                Work::Frame(big, frame.pts)
            }
            Ok(Item::Packet(packet)) => Work::Packet(packet),
            Err(e) => return Err(Stop::Failed(e.into())),
        };
        if to_encoder.send(work).is_err() {
            return Err(Stop::EncoderGone);
        }
    }
    Ok(done)
}

/// True when both paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Upscales every frame of the video `input` with `upscaler` and writes
/// `output` (container from its extension) with the upscaled frames
/// encoded per `options` and the other streams copied. `progress` counts
/// frames. On any error no file is left at `output`.
pub fn upscale_video(
    input: &Path,
    output: &Path,
    upscaler: &mut Upscaler,
    options: &VideoUpscaleOptions,
    progress: &dyn Progress,
) -> Result<VideoUpscaleReport, UpscaleError> {
    if same_file(input, output) {
        return Err(UpscaleError::SameFile {
            path: output.display().to_string(),
        });
    }
    let started = Instant::now();
    let reader = VideoReader::open(input)?;
    let info = reader.info().clone();
    let scale = upscaler.scale();
    let output_size = (info.size.0 * scale, info.size.1 * scale);
    let writer = VideoWriter::create(output, &reader, output_size, &options.encode)?;
    let queue = options.queue.max(1);
    let (to_upscaler, from_decoder) = sync_channel(queue);
    let (to_encoder, from_upscaler) = sync_channel(queue);
    progress.start("upscaling video (frames)", info.frames);
    let (upscaled, encoded) = std::thread::scope(|scope| {
        let decoder = scope.spawn(move || decode_loop(reader, to_upscaler));
        let encoder = scope.spawn(move || encode_loop(writer, from_upscaler));
        let upscaled = upscale_loop(
            upscaler,
            from_decoder,
            to_encoder,
            progress,
            options.cancel.as_deref(),
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
    let (upscaled, writer) = match (upscaled, encoded) {
        (Ok(upscaled), Ok(writer)) => (upscaled, writer),
        (Err(Stop::Failed(e)), _) => return Err(e),
        (_, Err(e)) => return Err(e.into()),
        (Err(Stop::EncoderGone), Ok(_)) => return Err(UpscaleError::Pipeline { stage: "encode" }),
    };
    if upscaled.frames == 0 {
        return Err(VideoError::Decode {
            path: input.to_path_buf(),
            frames: 0,
            detail: "the video stream holds no decodable frames".into(),
        }
        .into());
    }
    let summary = writer.finish()?;
    let seconds = started.elapsed().as_secs_f64();
    let report = VideoUpscaleReport {
        chain: upscaler.plan().chain.clone(),
        scale,
        input_size: info.size,
        output_size,
        frames: summary.frames,
        duration_s: info.duration_s,
        seconds,
        fps: summary.frames as f64 / seconds.max(1e-9),
        upscale_seconds: upscaled.busy_seconds,
        codec: summary.codec,
        copied_streams: summary.copied_streams,
        copied_packets: summary.copied_packets,
    };
    tracing::info!(?report, "upscaled video");
    Ok(report)
}
