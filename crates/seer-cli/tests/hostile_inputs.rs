//! Hostile inputs through the command line: every command that reads an
//! image refuses a header claiming 10 billion pixels, a truncated JPEG and
//! an animation with a clear error (exit code 1, not a crash), and writes
//! nothing; settings that cannot work are refused instead of replaced.

mod common;

use common::{seer, stderr, tree};
use seer_testdata::hostile;
use std::path::Path;

/// `args` with `FILE` replaced by `input` and `OUT` by `dir/out.png`.
fn command_line(dir: &Path, input: &Path, args: &[&str]) -> Vec<std::ffi::OsString> {
    args.iter()
        .map(|a| match *a {
            "FILE" => input.as_os_str().to_owned(),
            "OUT" => dir.join("out.png").into_os_string(),
            other => other.into(),
        })
        .collect()
}

/// Runs `args` (with `FILE` replaced by `input`, `OUT` by `dir/out.png`)
/// and checks: a clean failure (exit code 1), stderr holding every one of
/// `expected`, and no file added to `dir`.
fn refused(dir: &Path, input: &Path, args: &[&str], expected: &[&str]) {
    let before = tree(dir);
    let out = seer()
        .args(command_line(dir, input, args))
        .output()
        .unwrap();
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
    for e in expected {
        assert!(text.contains(e), "{args:?}: wanted '{e}' in: {text}");
    }
    assert!(!text.contains("panicked"), "{args:?}: {text}");
    assert_eq!(tree(dir), before, "{args:?} left files behind");
}

/// The commands that read one image, `FILE`.
const IMAGE_COMMANDS: [&[&str]; 5] = [
    &["face", "detect", "FILE"],
    &["face", "detect", "--small-faces", "FILE", "--draw", "OUT"],
    &["face", "verify", "FILE", "FILE"],
    &["face", "blur", "FILE", "OUT"],
    &["upscale", "--model", "fast", "FILE", "OUT"],
];

#[test]
fn a_header_claiming_ten_billion_pixels_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.png");
    std::fs::write(&huge, hostile::png_claiming(100_000, 100_000)).unwrap();
    for args in IMAGE_COMMANDS {
        refused(dir.path(), &huge, args, &["100000x100000", "memory budget"]);
    }
    // A budget beyond the machine is capped at the machine's memory.
    refused(
        dir.path(),
        &huge,
        &[
            "upscale",
            "--model",
            "fast",
            "--max-memory",
            "1024T",
            "FILE",
            "OUT",
        ],
        &["100000x100000", "memory budget"],
    );
}

#[test]
fn truncated_and_animated_images_are_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let photo = std::fs::read(seer_testdata::path("faces/probes/obama1.jpg")).unwrap();
    let half = dir.path().join("half.jpg");
    std::fs::write(&half, hostile::truncated(&photo, 50)).unwrap();
    let animated = dir.path().join("animated.webp");
    std::fs::write(&animated, hostile::animated_webp()).unwrap();
    for args in IMAGE_COMMANDS {
        refused(dir.path(), &half, args, &["half.jpg", "truncated"]);
        refused(dir.path(), &animated, args, &["animated"]);
    }
}

#[test]
fn settings_that_cannot_work_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("photo.jpg");
    std::fs::copy(seer_testdata::path("faces/probes/obama1.jpg"), &photo).unwrap();
    let upscale = |extra: &[&'static str]| {
        let mut args = vec!["upscale", "--model", "fast"];
        args.extend_from_slice(extra);
        args.extend(["FILE", "OUT"]);
        args
    };
    // clap reports its own usage errors with exit code 2.
    for (extra, expected) in [
        (&["--tile", "0"][..], "tile side"),
        (&["--threads", "0"][..], "thread count"),
        (
            &["--max-memory", "99999999999999999999G"][..],
            "at most 1024T",
        ),
        (&["--max-memory", "1M"][..], "at least 64M"),
    ] {
        let out = seer()
            .args(command_line(dir.path(), &photo, &upscale(extra)))
            .output()
            .unwrap();
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {text}");
        assert!(text.contains(expected), "{extra:?}: {text}");
    }
    assert!(!dir.path().join("out.png").exists());
}

#[test]
fn a_small_face_search_too_large_for_the_limit_names_a_face_size_that_fits() {
    let dir = tempfile::tempdir().unwrap();
    // 12000×9000 plain grey (a small file): 20-pixel faces need more
    // tiles than the limit, 80-pixel ones fit.
    let image = image::RgbImage::from_pixel(12_000, 9_000, image::Rgb([90, 90, 90]));
    let big = dir.path().join("big.png");
    image.save(&big).unwrap();
    refused(
        dir.path(),
        &big,
        &["face", "detect", "--small-faces", "FILE"],
        &["tile runs", "above the limit", "--min-face"],
    );
}
