//! `seer upscale IN.mp4 OUT.mp4` end to end: JSON summary, output frames,
//! and a failure that leaves no output.

use seer_video::{EncodeOptions, Item, VideoReader, VideoWriter};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Frames of the test clip.
const FRAMES: u64 = 8;

fn seer() -> Command {
    Command::new(env!("CARGO_BIN_EXE_seer"))
}

fn source_clip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/faces/short_hamilton_clip.mp4")
}

/// The first `FRAMES` frames of the source clip at 96x54 pixels, with the
/// audio of the same span copied.
fn small_clip(path: &Path) {
    let mut reader = VideoReader::open(&source_clip()).unwrap_or_else(|e| panic!("{e}"));
    let options = EncodeOptions {
        preset: Some("ultrafast".into()),
        ..Default::default()
    };
    let mut writer =
        VideoWriter::create(path, &reader, (96, 54), &options).unwrap_or_else(|e| panic!("{e}"));
    let mut audio = Vec::new();
    let mut end_s = 0.0;
    while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
        match item {
            Item::Frame(frame) if frame.index < FRAMES => {
                let small = image::imageops::resize(
                    &frame.image,
                    96,
                    54,
                    image::imageops::FilterType::Triangle,
                );
                writer
                    .write_frame(&small, frame.pts)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            Item::Frame(frame) => {
                end_s = reader.seconds(frame.pts.unwrap_or(0));
                break;
            }
            Item::Packet(packet) => audio.push(packet),
        }
    }
    for packet in audio {
        if packet.pts_seconds().unwrap_or(0.0) < end_s {
            writer
                .write_packet(packet)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    writer.finish().unwrap_or_else(|e| panic!("{e}"));
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
