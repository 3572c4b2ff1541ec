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

use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::Context;
use clap::Args;
use image::RgbImage;
use seer_face::batch::{BatchDescriber, StageSeconds};
use seer_face::{DetectOptions, Detector, Embedder, DETECTOR_MODEL_ID, EMBEDDER_MODEL_ID};
use seer_runtime::SessionOptions;
use seer_video::{Item, VideoReader};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `seer bench faces-throughput`.
#[derive(Args)]
pub struct FacesThroughputArgs {
    /// Rounds over the six photos (after one untimed warm-up round).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Decode the JPEGs on the model thread instead of a decode thread.
    #[arg(long)]
    sequential: bool,
    /// The video for the 720p detection test (default: the test clip in
    /// testdata/faces when present; skipped otherwise).
    #[arg(long)]
    video: Option<PathBuf>,
    /// Video frames to decode, resize to 1280×720 and detect on.
    #[arg(long, default_value_t = 48)]
    frames: usize,
    /// ONNX Runtime threads per model, one image at a time (default:
    /// physical cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Parallel workers for the stream test (default: physical cores).
    #[arg(long)]
    workers: Option<usize>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct PhotoResult {
    rounds: usize,
    sequential: bool,
    /// Decode seconds overlap the models unless sequential.
    #[serde(flatten)]
    rates: Rates,
}

#[derive(Serialize)]
struct StreamResult {
    workers: usize,
    /// Stage seconds are summed over the workers (CPU-bound, so about
    /// `workers` × the wall time).
    #[serde(flatten)]
    rates: Rates,
}

/// Counts, rates and stage seconds of photos run through the models.
#[derive(Serialize)]
struct Rates {
    photos: usize,
    faces: usize,
    seconds: f64,
    faces_per_s: f64,
    photos_per_s: f64,
    decode_s: f64,
    detect_s: f64,
    embed_s: f64,
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

#[derive(Serialize)]
struct VideoResult {
    video: String,
    frames: usize,
    width: u32,
    height: u32,
    faces_per_frame: f64,
    fps_whole_image: f64,
    /// The full small-faces search on every frame.
    fps_small_faces: f64,
    /// The full search every `full_search_every` frames, faces followed
    /// in between ([`seer_face::FrameSearch`]).
    fps_small_faces_followed: f64,
    full_search_every: u64,
    /// Faces per frame found by the two small-faces ways.
    small_faces_per_frame: f64,
    small_faces_per_frame_followed: f64,
}

#[derive(Serialize)]
struct Report {
    threads: usize,
    photos: PhotoResult,
    stream: StreamResult,
    video: Option<VideoResult>,
}

/// Runs `seer bench faces-throughput`.
pub fn run(args: FacesThroughputArgs) -> anyhow::Result<()> {
    if args.rounds == 0 {
        anyhow::bail!("--rounds must be at least 1");
    }
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let session = SessionOptions {
        threads: args
            .threads
            .unwrap_or_else(seer_runtime::physical_cores)
            .max(1),
    };
    let detector_path = store.ensure(DETECTOR_MODEL_ID, &progress)?;
    let embedder_path = store.ensure(EMBEDDER_MODEL_ID, &progress)?;
    let mut detector = Detector::from_file(&detector_path, &session)?;
    let mut embedder = Embedder::from_file(&embedder_path, &session)?;
    let model = store.model(EMBEDDER_MODEL_ID)?;
    let mut jpegs = Vec::new();
    for n in 1..=6 {
        let path = store.file_path(model, &format!("demo/sample{n}.jpg"));
        jpegs
            .push(std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?);
    }
    photo_round(&jpegs, &mut detector, &mut embedder, true)?;
    let mut total = Timings::default();
    for _ in 0..args.rounds {
        let t = photo_round(&jpegs, &mut detector, &mut embedder, args.sequential)?;
        total.add(&t);
    }
    let photos = PhotoResult {
        rounds: args.rounds,
        sequential: args.sequential,
        rates: Rates::new(
            jpegs.len() * args.rounds,
            total.faces,
            total.wall,
            &total.stages,
        ),
    };
    let stream = stream_bench(
        &jpegs,
        args.rounds,
        &detector_path,
        &embedder_path,
        args.workers
            .unwrap_or_else(seer_runtime::physical_cores)
            .max(1),
        &progress,
    )?;
    let video_path = args.video.clone().or_else(|| {
        let p = PathBuf::from("testdata/faces/short_hamilton_clip.mp4");
        p.exists().then_some(p)
    });
    let video = match video_path {
        Some(path) => Some(video_bench(&path, args.frames, &mut detector)?),
        None => {
            eprintln!("no video given (--video) and no testdata/faces/short_hamilton_clip.mp4; skipping the 720p test");
            None
        }
    };
    let report = Report {
        threads: session.threads,
        photos,
        stream,
        video,
    };
    if args.json {
        return print_json(&report);
    }
    let p = &report.photos.rates;
    let rounds = report.photos.rounds;
    let mut rows = vec![vec![
        format!("photos ×{rounds} (decode+detect+embed)"),
        format!("{:.1} faces/s", p.faces_per_s),
        format!(
            "{} faces in {:.2} s; decode {:.2} s, detect {:.2} s, embed {:.2} s",
            p.faces, p.seconds, p.decode_s, p.detect_s, p.embed_s
        ),
    ]];
    let st = &report.stream.rates;
    rows.push(vec![
        format!("photos ×{rounds}, {} workers", report.stream.workers),
        format!("{:.1} faces/s", st.faces_per_s),
        format!(
            "{} faces in {:.2} s; summed over workers: decode {:.2} s, detect {:.2} s, embed {:.2} s",
            st.faces, st.seconds, st.decode_s, st.detect_s, st.embed_s
        ),
    ]);
    if let Some(v) = &report.video {
        rows.push(vec![
            format!("video {}×{} detect", v.width, v.height),
            format!("{:.1} frames/s", v.fps_whole_image),
            format!("{} frames, {:.2} faces/frame", v.frames, v.faces_per_frame),
        ]);
        rows.push(vec![
            format!(
                "video {}×{} detect --small-faces --full-search-every 1",
                v.width, v.height
            ),
            format!("{:.1} frames/s", v.fps_small_faces),
            format!("{:.2} faces/frame", v.small_faces_per_frame),
        ]);
        rows.push(vec![
            format!(
                "video {}×{} detect --small-faces --full-search-every {}",
                v.width, v.height, v.full_search_every
            ),
            format!("{:.1} frames/s", v.fps_small_faces_followed),
            format!("{:.2} faces/frame", v.small_faces_per_frame_followed),
        ]);
    }
    print_table(&["test", "throughput", "details"], &rows);
    out_line(&format!(
        "ONNX Runtime threads per model: {}",
        report.threads
    ));
    Ok(())
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

fn decode_jpeg(bytes: &[u8]) -> anyhow::Result<(RgbImage, f64)> {
    let started = Instant::now();
    let image = seer_imgproc::decode_rgb(bytes).context("cannot decode a demo photo")?;
    Ok((image, started.elapsed().as_secs_f64()))
}

/// Decodes, detects and embeds every photo once.
fn photo_round(
    jpegs: &[Vec<u8>],
    detector: &mut Detector,
    embedder: &mut Embedder,
    sequential: bool,
) -> anyhow::Result<Timings> {
    let started = Instant::now();
    let mut t = Timings::default();
    let mut process = |image: RgbImage, t: &mut Timings| -> anyhow::Result<()> {
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
        std::thread::scope(|scope| -> anyhow::Result<()> {
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
    progress: &TerminalProgress,
) -> anyhow::Result<StreamResult> {
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
) -> anyhow::Result<VideoResult> {
    let (width, height) = (1280, 720);
    let mut reader = VideoReader::open(path)?;
    let mut images = Vec::new();
    while images.len() < frames.max(1) {
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
        anyhow::bail!("{} holds no video frames", path.display());
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
