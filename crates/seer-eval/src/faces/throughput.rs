//! `seer bench faces-throughput`: how fast faces are found and described.
//!
//! 1. Photos: the six face-api demo photos (`demo/sample1.jpg` …
//!    `sample6.jpg`, assets of `face.embed.resnet34`) are read into memory
//!    once; each round decodes every JPEG, detects the faces and computes
//!    one descriptor per face. Result: faces per second (decode, detection
//!    and embedding all counted) and where the time went, two ways:
//!    - one image at a time, the models using `--threads` threads, with a
//!      decode thread running ahead of them (`--sequential` turns that
//!      off): the latency of one photo;
//!    - `--workers` workers ([`seer_face::batch::BatchDescriber`]), each
//!      decoding, detecting and embedding its own photos single-threaded:
//!      the throughput of a stream of photos.
//! 2. Video: the first `--frames` frames of a video are decoded and resized
//!    to 1280×720, then the detector runs on each: whole image, small faces
//!    with the full search on every frame, and small faces with the full
//!    search every [`seer_face::DEFAULT_FULL_SEARCH_INTERVAL`] frames and
//!    faces followed in between. Result: frames per second of detection
//!    alone, and faces per frame.

use crate::error::{io, EvalError};
use image::RgbImage;
use seer_core::progress::Progress;
use seer_core::CancelToken;
use seer_face::batch::{BatchDescriber, StageSeconds};
use seer_face::{DetectOptions, Detector, Embedder, DETECTOR_MODEL_ID, EMBEDDER_MODEL_ID};
use seer_models::Store;
use seer_runtime::SessionOptions;
use seer_video::{Item, VideoReader};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// What to measure.
#[derive(Clone, Debug)]
pub struct ThroughputOptions {
    /// Rounds over the six photos (after one untimed warm-up round), ≥ 1.
    pub rounds: usize,
    /// Decode the JPEGs on the model thread instead of a decode thread.
    pub sequential: bool,
    /// The video for the 720p detection test (`None`: skipped).
    pub video: Option<PathBuf>,
    /// Video frames to decode, resize to 1280×720 and detect on.
    pub frames: usize,
    /// ONNX Runtime threads per model, one image at a time (`None`:
    /// physical cores).
    pub threads: Option<usize>,
    /// Parallel workers for the stream test (`None`: physical cores).
    pub workers: Option<usize>,
}

/// One image at a time through the models.
#[derive(Clone, Debug, Serialize)]
pub struct PhotoResult {
    /// Timed rounds over the photos.
    pub rounds: usize,
    /// Whether decoding ran on the model thread.
    pub sequential: bool,
    /// Decode seconds overlap the models unless sequential.
    #[serde(flatten)]
    pub rates: Rates,
}

/// A stream of photos through parallel workers.
#[derive(Clone, Debug, Serialize)]
pub struct StreamResult {
    /// Parallel workers.
    pub workers: usize,
    /// Stage seconds are summed over the workers (CPU-bound, so about
    /// `workers` × the wall time).
    #[serde(flatten)]
    pub rates: Rates,
}

/// Counts, rates and stage seconds of photos run through the models.
#[derive(Clone, Debug, Serialize)]
pub struct Rates {
    /// Photos processed.
    pub photos: usize,
    /// Faces found and described.
    pub faces: usize,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Faces per second of wall time.
    pub faces_per_s: f64,
    /// Photos per second of wall time.
    pub photos_per_s: f64,
    /// Seconds spent decoding.
    pub decode_s: f64,
    /// Seconds spent detecting.
    pub detect_s: f64,
    /// Seconds spent embedding.
    pub embed_s: f64,
}

impl Rates {
    fn new(photos: usize, faces: usize, seconds: f64, stages: &StageSeconds) -> Rates {
        Rates {
            photos,
            faces,
            seconds,
            faces_per_s: faces as f64 / seconds.max(1e-9),
            photos_per_s: photos as f64 / seconds.max(1e-9),
            decode_s: stages.load,
            detect_s: stages.detect,
            embed_s: stages.embed,
        }
    }
}

/// Detection speed on video frames at 1280×720.
#[derive(Clone, Debug, Serialize)]
pub struct VideoResult {
    /// The video file.
    pub video: String,
    /// Frames measured.
    pub frames: usize,
    /// Frame width, pixels.
    pub width: u32,
    /// Frame height, pixels.
    pub height: u32,
    /// Faces per frame, whole-image detection.
    pub faces_per_frame: f64,
    /// Frames per second, whole-image detection.
    pub fps_whole_image: f64,
    /// The full small-faces search on every frame.
    pub fps_small_faces: f64,
    /// The full search every `full_search_every` frames, faces followed
    /// in between ([`seer_face::FrameSearch`]).
    pub fps_small_faces_followed: f64,
    /// Frames between full searches in the followed run.
    pub full_search_every: u64,
    /// Faces per frame found by the full small-faces search.
    pub small_faces_per_frame: f64,
    /// Faces per frame found with faces followed between searches.
    pub small_faces_per_frame_followed: f64,
}

/// The whole measurement.
#[derive(Clone, Debug, Serialize)]
pub struct ThroughputReport {
    /// ONNX Runtime threads per model (one image at a time).
    pub threads: usize,
    /// One image at a time.
    pub photos: PhotoResult,
    /// Parallel workers.
    pub stream: StreamResult,
    /// The 720p video test, when a video was given.
    pub video: Option<VideoResult>,
}

/// Runs the benchmark with the models of `store` (ONNX Runtime loaded);
/// `cancel` is checked per round and per video frame.
pub fn bench_throughput(
    store: &Store,
    options: &ThroughputOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<ThroughputReport, EvalError> {
    if options.rounds == 0 {
        return Err(EvalError::InvalidOption {
            option: "rounds",
            why: "must be at least 1".into(),
        });
    }
    let session = SessionOptions {
        threads: options
            .threads
            .unwrap_or_else(seer_runtime::physical_cores)
            .max(1),
    };
    let detector_path = store.ensure(DETECTOR_MODEL_ID, progress)?;
    let embedder_path = store.ensure(EMBEDDER_MODEL_ID, progress)?;
    let mut detector = Detector::from_file(&detector_path, &session)?;
    let mut embedder = Embedder::from_file(&embedder_path, &session)?;
    let model = store.model(EMBEDDER_MODEL_ID)?;
    let mut jpegs = Vec::new();
    for n in 1..=6 {
        let path = store.file_path(model, &format!("demo/sample{n}.jpg"));
        jpegs.push(std::fs::read(&path).map_err(io(&path))?);
    }
    photo_round(&jpegs, &mut detector, &mut embedder, true)?;
    let mut total = Timings::default();
    for _ in 0..options.rounds {
        cancel.check()?;
        let t = photo_round(&jpegs, &mut detector, &mut embedder, options.sequential)?;
        total.add(&t);
    }
    let photos = PhotoResult {
        rounds: options.rounds,
        sequential: options.sequential,
        rates: Rates::new(
            jpegs.len() * options.rounds,
            total.faces,
            total.wall,
            &total.stages,
        ),
    };
    let stream = stream_bench(
        &jpegs,
        options.rounds,
        &detector_path,
        &embedder_path,
        options
            .workers
            .unwrap_or_else(seer_runtime::physical_cores)
            .max(1),
        progress,
    )?;
    let video = match &options.video {
        Some(path) => Some(video_bench(path, options.frames, &mut detector, cancel)?),
        None => None,
    };
    Ok(ThroughputReport {
        threads: session.threads,
        photos,
        stream,
        video,
    })
}
/// Seconds and counts of photo rounds.
#[derive(Default)]
struct Timings {
    faces: usize,
    wall: f64,
    stages: StageSeconds,
}

impl Timings {
    fn add(&mut self, other: &Timings) {
        self.faces += other.faces;
        self.wall += other.wall;
        self.stages.add(&other.stages);
    }
}

fn decode_jpeg(bytes: &[u8]) -> Result<(RgbImage, f64), EvalError> {
    let started = Instant::now();
    let image = seer_imgproc::decode_rgb(bytes)?;
    Ok((image, started.elapsed().as_secs_f64()))
}

/// Decodes, detects and embeds every photo once.
fn photo_round(
    jpegs: &[Vec<u8>],
    detector: &mut Detector,
    embedder: &mut Embedder,
    sequential: bool,
) -> Result<Timings, EvalError> {
    let started = Instant::now();
    let mut t = Timings::default();
    let mut process = |image: RgbImage, t: &mut Timings| -> Result<(), EvalError> {
        let d = Instant::now();
        let faces = detector.detect(&image, &DetectOptions::default())?;
        t.stages.detect += d.elapsed().as_secs_f64();
        let e = Instant::now();
        embedder.embed_all(&image, &faces)?;
        t.stages.embed += e.elapsed().as_secs_f64();
        t.faces += faces.len();
        Ok(())
    };
    if sequential {
        for bytes in jpegs {
            let (image, seconds) = decode_jpeg(bytes)?;
            t.stages.load += seconds;
            process(image, &mut t)?;
        }
    } else {
        let (to_models, from_decoder) = std::sync::mpsc::sync_channel(2);
        std::thread::scope(|scope| -> Result<(), EvalError> {
            scope.spawn(move || {
                for bytes in jpegs {
                    let decoded = decode_jpeg(bytes);
                    let failed = decoded.is_err();
                    if to_models.send(decoded).is_err() || failed {
                        return;
                    }
                }
            });
            for decoded in from_decoder {
                let (image, seconds) = decoded?;
                t.stages.load += seconds;
                process(image, &mut t)?;
            }
            Ok(())
        })?;
    }
    t.wall = started.elapsed().as_secs_f64();
    Ok(t)
}

/// Decodes, detects and embeds the photos `rounds` times over as one
/// stream through `workers` parallel workers (after one untimed round).
fn stream_bench(
    jpegs: &[Vec<u8>],
    rounds: usize,
    detector: &std::path::Path,
    embedder: &std::path::Path,
    workers: usize,
    progress: &dyn Progress,
) -> Result<StreamResult, EvalError> {
    let mut batch = BatchDescriber::from_files(detector, embedder, workers)?;
    let load = |bytes: &&Vec<u8>| Ok(seer_imgproc::decode_rgb(bytes)?);
    let warm_up: Vec<&Vec<u8>> = jpegs.iter().collect();
    for result in batch.describe(&warm_up, load, &DetectOptions::default(), progress) {
        result?;
    }
    let stream: Vec<&Vec<u8>> = (0..rounds).flat_map(|_| jpegs.iter()).collect();
    let started = Instant::now();
    let results = batch.describe(&stream, load, &DetectOptions::default(), progress);
    let seconds = started.elapsed().as_secs_f64();
    let mut stages = StageSeconds::default();
    let mut faces = 0;
    for result in results {
        let described = result?;
        stages.add(&described.seconds);
        faces += described.faces.len();
    }
    Ok(StreamResult {
        workers: batch.workers(),
        rates: Rates::new(stream.len(), faces, seconds, &stages),
    })
}

/// Detection frames/s on the first `frames` frames of `path` at 1280×720.
fn video_bench(
    path: &std::path::Path,
    frames: usize,
    detector: &mut Detector,
    cancel: &CancelToken,
) -> Result<VideoResult, EvalError> {
    let (width, height) = (1280, 720);
    let mut reader = VideoReader::open(path)?;
    let mut images = Vec::new();
    while images.len() < frames.max(1) {
        cancel.check()?;
        match reader.next_item()? {
            Some(Item::Frame(frame)) => images.push(image::imageops::resize(
                &frame.image,
                width,
                height,
                image::imageops::FilterType::Triangle,
            )),
            Some(Item::Packet(_)) => {}
            None => break,
        }
    }
    if images.is_empty() {
        return Err(EvalError::MissingData {
            what: format!("{} holds no video frames", path.display()),
        });
    }
    let mut fps = [0.0; 3];
    let mut faces = [0; 3];
    let interval = seer_face::DEFAULT_FULL_SEARCH_INTERVAL;
    for (slot, (small_faces, every)) in [(false, 1), (true, 1), (true, interval)]
        .into_iter()
        .enumerate()
    {
        let options = DetectOptions {
            small_faces,
            ..Default::default()
        };
        detector.detect(&images[0], &options)?;
        let mut search = seer_face::FrameSearch::new(every);
        let started = Instant::now();
        for image in &images {
            cancel.check()?;
            faces[slot] += search.detect(detector, image, &options)?.len();
        }
        fps[slot] = images.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    }
    let per_frame = |n: usize| n as f64 / images.len() as f64;
    Ok(VideoResult {
        video: path.display().to_string(),
        frames: images.len(),
        width,
        height,
        faces_per_frame: per_frame(faces[0]),
        fps_whole_image: fps[0],
        fps_small_faces: fps[1],
        fps_small_faces_followed: fps[2],
        full_search_every: interval,
        small_faces_per_frame: per_frame(faces[1]),
        small_faces_per_frame_followed: per_frame(faces[2]),
    })
}
