//! Video upscaling end to end on a real clip with audio: frame count,
//! timing, audio copied bit for bit, exact ×2 size, per-frame PSNR against
//! the image upscaler, resuming an interrupted run, and clean failures on
//! broken input or a work folder of another job.

mod common;

use seer_core::progress::{NoProgress, Progress};
use seer_core::CancelToken;
use seer_upscale::{upscale_video, UpscaleError, VideoUpscaleOptions, VideoWorkFolder};
use seer_video::{Chroma, EncodeOptions, Item, VideoReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

const MODEL: &str = "upscale.waifu2x-upconv7-photo.x2";
/// Frames of the test clip (about one second).
const FRAMES: u64 = 24;
/// Width of the test clip in pixels (height keeps the aspect ratio).
const WIDTH: u32 = 160;
/// Frames per segment in the tests (the clip makes three).
const SEGMENT: u64 = 8;

fn source_clip() -> PathBuf {
    seer_testdata::hamilton_clip()
}

/// Everything decoded from a video: RGB frames with timestamps (seconds)
/// and the copied packets' bytes per input stream, in file order.
struct Decoded {
    frames: Vec<(image::RgbImage, f64)>,
    packets: Vec<(usize, Vec<u8>)>,
    duration_s: Option<f64>,
    frame_rate: f64,
}

fn decode_all(path: &Path) -> Decoded {
    let mut reader = VideoReader::open(path).unwrap_or_else(|e| panic!("{e}"));
    let info = reader.info().clone();
    let mut decoded = Decoded {
        frames: Vec::new(),
        packets: Vec::new(),
        duration_s: info.duration_s,
        frame_rate: f64::from(info.frame_rate.0) / f64::from(info.frame_rate.1.max(1)),
    };
    while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
        match item {
            Item::Frame(frame) => {
                let t = reader.seconds(frame.pts.unwrap_or(0));
                decoded.frames.push((frame.image, t));
            }
            Item::Packet(packet) => decoded
                .packets
                .push((packet.stream(), packet.data().to_vec())),
        }
    }
    decoded
}

/// Writes the first `FRAMES` frames of the source clip shrunk to `WIDTH`
/// pixels wide, with the audio packets of the same time span copied.
fn make_small_clip(path: &Path) {
    seer_testdata::clip::small_clip(
        path,
        &seer_testdata::clip::ClipSpec {
            frames: FRAMES,
            width: WIDTH,
            crf: Some(12),
        },
    );
}

/// PSNR in dB over all RGB samples (peak 255).
fn psnr_rgb(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    let mse = sum / a.as_raw().len() as f64;
    if mse == 0.0 {
        return f64::INFINITY;
    }
    10.0 * (255.0 * 255.0 / mse).log10()
}

/// Files in `dir` other than `keep`.
fn other_files(dir: &Path, keep: &[&Path]) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !keep.contains(&p.as_path()))
        .collect()
}

/// Lossless 4:4:4 encoding in segments of `SEGMENT` frames.
fn lossless_options() -> VideoUpscaleOptions {
    VideoUpscaleOptions {
        encode: EncodeOptions {
            crf: Some(0),
            preset: Some("ultrafast".into()),
            chroma: Chroma::Yuv444,
            ..Default::default()
        },
        segment_frames: SEGMENT,
        ..Default::default()
    }
}

/// Checks that `output` holds every frame of `input` upscaled ×2 (PSNR
/// against `upscaler` on each input frame), with the same timestamps,
/// duration (±1 frame) and identical copied packets.
fn check_upscaled(input: &Decoded, output: &Path, upscaler: &mut seer_upscale::Upscaler) {
    let result = decode_all(output);
    assert_eq!(result.frames.len(), input.frames.len(), "frame count");
    let frame_s = 1.0 / input.frame_rate;
    for ((_, t_in), (_, t_out)) in input.frames.iter().zip(&result.frames) {
        assert!(
            (t_in - t_out).abs() < 1e-6,
            "timestamp {t_in} became {t_out}"
        );
    }
    let (d_in, d_out) = (input.duration_s.unwrap(), result.duration_s.unwrap());
    eprintln!("duration: input {d_in:.4} s, output {d_out:.4} s, one frame {frame_s:.4} s");
    assert!(
        (d_in - d_out).abs() <= frame_s + 1e-6,
        "duration {d_in} became {d_out}"
    );
    let audio_identical = input.packets == result.packets;
    eprintln!(
        "audio packets: {} input, {} output, identical: {audio_identical}",
        input.packets.len(),
        result.packets.len()
    );
    assert!(audio_identical, "copied packets differ");

    let mut psnrs = Vec::new();
    for ((small_frame, _), (big_frame, _)) in input.frames.iter().zip(&result.frames) {
        let (w, h) = small_frame.dimensions();
        assert_eq!(big_frame.dimensions(), (2 * w, 2 * h));
        let reference = upscaler
            .upscale_rgb(small_frame, &NoProgress)
            .unwrap()
            .image;
        psnrs.push(psnr_rgb(&reference, big_frame));
    }
    let min = psnrs.iter().cloned().fold(f64::INFINITY, f64::min);
    let mean = psnrs.iter().sum::<f64>() / psnrs.len() as f64;
    eprintln!("PSNR vs direct upscale: min {min:.2} dB, mean {mean:.2} dB");
    assert!(min >= 45.0, "PSNR {min:.2} dB below 45 dB");
}

#[test]
fn upscaled_video_keeps_frames_timing_and_audio() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.mp4");
    make_small_clip(&small);
    let input = decode_all(&small);
    assert_eq!(input.frames.len() as u64, FRAMES);
    assert!(
        !input.packets.is_empty(),
        "the test clip has no audio packets"
    );

    let mut upscaler = common::upscaler(MODEL, 2, 256);
    let output = dir.path().join("big.mp4");
    let report = upscale_video(
        &small,
        &output,
        &mut upscaler,
        &lossless_options(),
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("report: {report:?}");
    assert_eq!(report.frames, FRAMES);
    assert_eq!(report.upscaled_frames, FRAMES);
    assert_eq!(report.segments as u64, FRAMES.div_ceil(SEGMENT));
    assert_eq!(report.resumed_segments, 0);
    assert_eq!(report.chain, vec![MODEL.to_string()]);
    // No temporary file and no work folder is left.
    assert_eq!(
        other_files(dir.path(), &[&small, &output]),
        Vec::<PathBuf>::new()
    );
    check_upscaled(&input, &output, &mut upscaler);
}

/// Cancels the token once `after` frames are upscaled (what the CLI's
/// Ctrl-C handler does).
struct CancelAfter {
    after: u64,
    token: CancelToken,
    frames: std::sync::atomic::AtomicU64,
}

impl Progress for CancelAfter {
    fn start(&self, _label: &str, _total: Option<u64>) {}
    fn set(&self, done: u64) {
        self.frames.fetch_max(done, Ordering::SeqCst);
        if done >= self.after {
            self.token.cancel();
        }
    }
    fn finish(&self) {}
}

/// Runs an upscale of `input` to `output` that is cancelled after
/// `after` frames; returns the error.
fn interrupted_run(
    input: &Path,
    output: &Path,
    upscaler: &mut seer_upscale::Upscaler,
    after: u64,
) -> UpscaleError {
    let token = CancelToken::new();
    let progress = CancelAfter {
        after,
        token: token.clone(),
        frames: Default::default(),
    };
    let options = VideoUpscaleOptions {
        cancel: token,
        ..lossless_options()
    };
    upscale_video(input, output, upscaler, &options, &progress)
        .expect_err("a cancelled upscale must fail")
}

#[test]
fn interrupted_upscale_resumes_without_redoing_finished_segments() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.mp4");
    make_small_clip(&small);
    let input = decode_all(&small);
    let mut upscaler = common::upscaler(MODEL, 2, 256);
    let output = dir.path().join("big.mp4");

    // Stopped in the middle of the second segment: the first is kept.
    let error = interrupted_run(&small, &output, &mut upscaler, SEGMENT + SEGMENT / 2);
    eprintln!("interrupted: {error}");
    assert!(
        matches!(error, UpscaleError::Paused { segments: 1, frames, .. } if frames == SEGMENT),
        "{error}"
    );
    assert!(error.to_string().contains("resume the same job"), "{error}");
    assert_eq!(
        seer_core::HasErrorKind::kind(&error),
        seer_core::ErrorKind::Cancelled
    );
    assert!(!output.exists());
    let work = VideoWorkFolder::for_output(&output);
    let mut kept: Vec<String> = std::fs::read_dir(&work.path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept, vec!["journal.json", "segment-000000.pkts"]);
    // A segment half-written when the power went: not in the journal.
    std::fs::write(work.file("segment-000001.pkts"), b"SEERSEG1 half written").unwrap();

    // Without --resume the folder is an error and stays as it is.
    let error = upscale_video(
        &small,
        &output,
        &mut upscaler,
        &lossless_options(),
        &NoProgress,
    )
    .expect_err("an existing work folder needs --resume");
    eprintln!("without resume: {error}");
    assert!(
        matches!(error, UpscaleError::WorkFolderExists { .. })
            && error.to_string().contains("resume the job"),
        "{error}"
    );
    assert!(work.file("segment-000000.pkts").exists() && !output.exists());

    let options = VideoUpscaleOptions {
        resume: true,
        ..lossless_options()
    };
    let report = upscale_video(&small, &output, &mut upscaler, &options, &NoProgress)
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("resumed: {report:?}");
    assert_eq!(report.resumed_segments, 1);
    assert_eq!(report.segments as u64, FRAMES.div_ceil(SEGMENT));
    assert_eq!(report.frames, FRAMES);
    assert_eq!(
        report.upscaled_frames,
        FRAMES - SEGMENT,
        "frames upscaled again"
    );
    assert_eq!(
        other_files(dir.path(), &[&small, &output]),
        Vec::<PathBuf>::new(),
        "work folder or temporary file left"
    );
    check_upscaled(&input, &output, &mut upscaler);
    assert!(!report.already_complete);

    // Resuming the finished job again redoes nothing and keeps the output.
    let before = std::fs::read(&output).unwrap();
    let again = upscale_video(&small, &output, &mut upscaler, &options, &NoProgress)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.already_complete, "{again:?}");
    assert_eq!((again.upscaled_frames, again.frames), (0, FRAMES));
    assert_eq!(std::fs::read(&output).unwrap(), before);
    // An output of another size is not this job's: it is made again.
    let other = dir.path().join("other.mp4");
    std::fs::copy(&small, &other).unwrap();
    let redone = upscale_video(&small, &other, &mut upscaler, &options, &NoProgress)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!redone.already_complete);
    assert_eq!(redone.upscaled_frames, FRAMES);
}

#[test]
fn resume_refuses_the_work_of_another_job() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.mp4");
    make_small_clip(&small);
    let mut upscaler = common::upscaler(MODEL, 2, 256);
    let output = dir.path().join("big.mp4");
    let error = interrupted_run(&small, &output, &mut upscaler, SEGMENT);
    assert!(matches!(error, UpscaleError::Paused { .. }), "{error}");
    let work = VideoWorkFolder::for_output(&output);
    let journal = std::fs::read(work.file("journal.json")).unwrap();

    let resume = |upscaler: &mut seer_upscale::Upscaler, crf: u32| {
        let mut options = VideoUpscaleOptions {
            resume: true,
            ..lossless_options()
        };
        options.encode.crf = Some(crf);
        upscale_video(&small, &output, upscaler, &options, &NoProgress)
            .expect_err("a resume of another job must fail")
            .to_string()
    };
    let mut other_model = common::upscaler("upscale.srmdnf.x2", 2, 256);
    let cases = [
        ("model", resume(&mut other_model, 0)),
        ("crf was 0, now 30", resume(&mut upscaler, 30)),
    ];
    for (expected, message) in cases {
        eprintln!("mismatch: {message}");
        assert!(
            message.contains("cannot resume") && message.contains(expected),
            "{message}"
        );
    }
    // Another input under the same name (a shorter clip).
    let bytes = std::fs::read(&small).unwrap();
    std::fs::write(&small, &bytes[..bytes.len() - 1]).unwrap();
    let message = resume(&mut upscaler, 0);
    eprintln!("mismatch: {message}");
    assert!(message.contains("input size"), "{message}");
    // Refused resumes change nothing.
    assert_eq!(std::fs::read(work.file("journal.json")).unwrap(), journal);
    assert!(!output.exists());
}

/// Upscales the first `percent` % of `source`'s bytes; it must fail, name
/// the file and the problem, and leave nothing behind (no output, no
/// temporary file, no work folder: a broken input is not resumable).
fn assert_truncated_fails(source: &Path, percent: usize, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(source).unwrap();
    let truncated = dir.path().join("truncated.mp4");
    std::fs::write(&truncated, &bytes[..bytes.len() * percent / 100]).unwrap();
    let output = dir.path().join("out.mp4");
    let mut upscaler = common::upscaler(MODEL, 2, 256);
    let options = VideoUpscaleOptions {
        segment_frames: 4,
        ..Default::default()
    };
    let error = upscale_video(&truncated, &output, &mut upscaler, &options, &NoProgress)
        .expect_err("a truncated video must fail");
    let message = error.to_string();
    eprintln!("truncated: {message}");
    assert!(
        message.contains("truncated.mp4") && message.contains(expected),
        "{message}"
    );
    assert!(!output.exists());
    assert_eq!(
        other_files(dir.path(), &[&truncated]),
        Vec::<PathBuf>::new()
    );
}

#[test]
fn truncated_video_fails_without_output() {
    // The source clip has its index (moov) at the end: opening fails.
    assert_truncated_fails(&source_clip(), 50, "cannot open");
    // seer writes the index first (faststart): decoding fails part-way,
    // after the pipeline has finished segments (4 frames each).
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.mp4");
    make_small_clip(&small);
    assert_truncated_fails(&small, 50, "truncated or corrupt");
    assert_truncated_fails(&small, 30, "truncated or corrupt");
}

#[test]
fn non_video_file_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "this is not a video\n".repeat(100)).unwrap();
    let output = dir.path().join("out.mp4");
    let mut upscaler = common::upscaler(MODEL, 2, 256);
    let error = upscale_video(
        &text,
        &output,
        &mut upscaler,
        &Default::default(),
        &NoProgress,
    )
    .expect_err("a text file must fail");
    let message = error.to_string();
    eprintln!("non-video: {message}");
    assert!(
        message.contains("cannot open") && message.contains("notes.mp4"),
        "{message}"
    );
    assert!(!output.exists());
    assert_eq!(other_files(dir.path(), &[&text]), Vec::<PathBuf>::new());
}

#[test]
fn cancelled_upscale_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.mp4");
    let mut upscaler = common::upscaler(MODEL, 2, 256);
    let options = VideoUpscaleOptions {
        cancel: {
            let token = CancelToken::new();
            token.cancel();
            token
        },
        ..Default::default()
    };
    let error = upscale_video(
        &source_clip(),
        &output,
        &mut upscaler,
        &options,
        &NoProgress,
    )
    .expect_err("a cancelled upscale must fail");
    assert!(
        matches!(error, seer_upscale::UpscaleError::Cancelled),
        "{error}"
    );
    assert!(!output.exists());
    assert_eq!(other_files(dir.path(), &[]), Vec::<PathBuf>::new());
}
