//! `seer upscale IN.mp4 OUT.mp4` end to end: JSON summary, output frames,
//! `--codec`/`--crf`, `--resume` after a killed and an interrupted run,
//! and a failure that leaves no output.

mod common;

use common::seer;
use seer_video::{Item, VideoReader};
use std::path::Path;
use std::process::Command;

/// Frames of the test clip.
const FRAMES: u64 = 8;

/// The first `FRAMES` frames of the source clip at 96x54 pixels, with the
/// audio of the same span copied.
fn small_clip(path: &Path) {
    clip(path, FRAMES)
}

/// The first `frames` frames of the source clip at 96x54 pixels, with the
/// audio of the same span copied.
fn clip(path: &Path, frames: u64) {
    let spec = seer_testdata::clip::ClipSpec {
        frames,
        width: 96,
        crf: None,
    };
    seer_testdata::clip::small_clip(path, &spec);
}

#[test]
fn upscale_video_writes_the_video_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("small.mp4");
    small_clip(&input);
    let output = dir.path().join("big.mkv");
    let out = seer()
        .args([
            "upscale", "--model", "fast", "--scale", "2", "--crf", "20", "--json",
        ])
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "seer failed: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["frames"], FRAMES);
    assert_eq!(json["output_size"], serde_json::json!([192, 108]));
    assert_eq!(json["chain"][0], "upscale.waifu2x-upconv7-photo.x2");
    assert_eq!(json["copied_streams"], 1);
    assert!(json["fps"].as_f64().unwrap() > 0.0);
    let mut reader = VideoReader::open(&output).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reader.info().size, (192, 108));
    let mut frames = 0;
    while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
        if let Item::Frame(_) = item {
            frames += 1;
        }
    }
    assert_eq!(frames, FRAMES);
}

#[test]
fn upscale_video_fails_on_a_broken_video_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("broken.mp4");
    std::fs::write(&input, b"not a video at all").unwrap();
    let output = dir.path().join("big.mp4");
    let out = seer()
        .args(["upscale", "--model", "fast"])
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("cannot open") && stderr.contains("broken.mp4"),
        "{stderr}"
    );
    assert!(!output.exists());
}

/// Runs `seer upscale --model fast --scale 2 --json ARGS… IN OUT`; returns
/// success, the JSON (if any) and stderr.
fn upscale(input: &Path, output: &Path, args: &[&str]) -> (bool, serde_json::Value, String) {
    let out = seer()
        .args(["upscale", "--model", "fast", "--scale", "2", "--json"])
        .args(args)
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.success(), json, stderr)
}

/// Name of the codec of the first video stream of `path`.
fn codec_of(path: &Path) -> String {
    VideoReader::open(path)
        .unwrap_or_else(|e| panic!("{e}"))
        .info()
        .codec
        .clone()
}

#[test]
fn upscale_video_honours_codec_and_crf() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("small.mp4");
    small_clip(&input);
    let mut sizes = Vec::new();
    for crf in ["10", "40"] {
        let output = dir.path().join(format!("crf{crf}.mp4"));
        let (ok, json, stderr) = upscale(&input, &output, &["--crf", crf]);
        assert!(ok, "seer failed: {stderr}");
        assert_eq!(json["codec"], "libx264");
        assert_eq!(codec_of(&output), "h264");
        sizes.push(std::fs::metadata(&output).unwrap().len());
    }
    eprintln!("bytes at crf 10 and 40: {sizes:?}");
    // The files also hold the container and the copied audio.
    assert!(
        sizes[1] * 4 < sizes[0] * 3,
        "crf 40 is not a quarter smaller than crf 10: {sizes:?}"
    );
    // Other encoders, each in three segments joined into one stream.
    for (codec, name) in [("libx265", "hevc"), ("libvpx-vp9", "vp9")] {
        let output = dir.path().join(format!("{name}.mkv"));
        let args = ["--codec", codec, "--crf", "28", "--segment-frames", "3"];
        let (ok, json, stderr) = upscale(&input, &output, &args);
        assert!(ok, "seer failed: {stderr}");
        assert_eq!(json["codec"], codec);
        assert_eq!(json["segments"], 3);
        assert_eq!(codec_of(&output), name);
        let mut reader = VideoReader::open(&output).unwrap_or_else(|e| panic!("{e}"));
        let mut frames = 0;
        while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
            frames += u64::from(matches!(item, Item::Frame(_)));
        }
        assert_eq!(frames, FRAMES, "{codec}");
    }
}

#[test]
fn upscale_video_needs_resume_for_an_existing_work_folder() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("small.mp4");
    small_clip(&input);
    let output = dir.path().join("big.mp4");
    // What a run killed before its first segment leaves.
    let work = dir.path().join(".big.mp4.seer-parts");
    std::fs::create_dir(&work).unwrap();
    let (ok, _, stderr) = upscale(&input, &output, &["--segment-frames", "3"]);
    assert!(!ok);
    assert!(
        stderr.contains("--resume") && stderr.contains(".big.mp4.seer-parts"),
        "{stderr}"
    );
    assert!(work.is_dir() && !output.exists());
    let (ok, json, stderr) = upscale(&input, &output, &["--segment-frames", "3", "--resume"]);
    assert!(ok, "seer failed: {stderr}");
    assert_eq!(json["frames"], FRAMES);
    assert_eq!(json["segments"], 3);
    assert_eq!(json["resumed_segments"], 0);
    assert!(!work.exists() && output.is_file());
    // Resuming the finished job does nothing and leaves the output as it is.
    let before = std::fs::read(&output).unwrap();
    let (ok, json, stderr) = upscale(&input, &output, &["--segment-frames", "3", "--resume"]);
    assert!(ok, "seer failed: {stderr}");
    assert_eq!(json["already_complete"], true);
    assert_eq!(json["upscaled_frames"], 0);
    assert_eq!(std::fs::read(&output).unwrap(), before);
}

/// Segments the journal in `work` lists (0 without a journal).
fn journal_segments(work: &Path) -> usize {
    std::fs::read(work.join("journal.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|j| j["segments"].as_array().map(|s| s.len()))
        .unwrap_or(0)
}

/// Starts `seer upscale` and stops it once the journal lists `segments`
/// segments: with SIGKILL (like a power loss) or SIGINT (Ctrl-C). Returns
/// the exit status's success and stderr.
fn stop_after(
    input: &Path,
    output: &Path,
    work: &Path,
    segments: usize,
    signal: &str,
) -> (bool, String) {
    let mut child = seer()
        .args([
            "upscale",
            "--model",
            "fast",
            "--scale",
            "2",
            "--segment-frames",
            "2",
            "--resume",
        ])
        .arg(input)
        .arg(output)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("seer ended ({status}) before it could be stopped");
        }
        if journal_segments(work) >= segments {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn upscale_video_resumes_after_kill_and_ctrl_c() {
    const LONG: u64 = 60;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("long.mp4");
    clip(&input, LONG);
    let output = dir.path().join("big.mp4");
    let work = dir.path().join(".big.mp4.seer-parts");

    let (ok, _) = stop_after(&input, &output, &work, 1, "-KILL");
    assert!(!ok && !output.exists());
    let after_kill = journal_segments(&work);
    let (ok, stderr) = stop_after(&input, &output, &work, after_kill + 1, "-INT");
    eprintln!("after Ctrl-C: {stderr}");
    assert!(!ok && !output.exists());
    assert!(
        stderr.contains("stopped on request") && stderr.contains("--resume"),
        "{stderr}"
    );
    let kept = journal_segments(&work);
    assert!(kept > after_kill, "{kept} segments after the second run");
    // Only the hidden work folder is left besides the input.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let (ok, json, stderr) = upscale(&input, &output, &["--segment-frames", "2", "--resume"]);
    assert!(ok, "seer failed: {stderr}");
    eprintln!("resumed: {json}");
    assert_eq!(json["frames"], LONG);
    assert_eq!(json["segments"], LONG / 2);
    assert_eq!(json["resumed_segments"], kept);
    assert_eq!(json["upscaled_frames"], LONG - 2 * kept as u64);
    assert!(!work.exists());
    let mut reader = VideoReader::open(&output).unwrap_or_else(|e| panic!("{e}"));
    let mut frames = 0;
    while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
        if let Item::Frame(frame) = item {
            assert_eq!(frame.image.dimensions(), (192, 108));
            frames += 1;
        }
    }
    assert_eq!(frames, LONG);
}
