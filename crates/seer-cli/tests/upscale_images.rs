//! `seer upscale` on images end to end: folders (mirrored, skipped, bad
//! files reported), EXIF orientation, ICC profiles, fractional scales and
//! widths, the memory budget, a full disk and a killed run.

mod common;

use common::{json, seer, tree};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn set5() -> PathBuf {
    seer_testdata::set5()
}

/// A `w`×`h` crop of a Set5 image.
fn crop(name: &str, w: u32, h: u32) -> image::RgbImage {
    let rgb = image::open(set5().join(name)).unwrap().to_rgb8();
    image::imageops::crop_imm(&rgb, 60, 60, w, h).to_image()
}

fn run(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = seer();
    cmd.arg("upscale").args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.output().unwrap()
}

fn ok(out: &Output) {
    common::ok(out);
}

fn dims(path: &Path) -> (u32, u32) {
    let i = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (i.width(), i.height())
}

#[test]
fn a_folder_is_mirrored_existing_outputs_skipped_and_bad_files_reported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let output = dir.path().join("out");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::create_dir_all(&output).unwrap();
    crop("bird.png", 40, 30).save(input.join("a.png")).unwrap();
    crop("woman.png", 24, 32)
        .save(input.join("sub/b.jpg"))
        .unwrap();
    std::fs::write(input.join("bad.png"), b"this is text, not a PNG").unwrap();
    std::fs::write(input.join("notes.txt"), b"ignored").unwrap();
    crop("bird.png", 8, 8)
        .save(input.join(".hidden.png"))
        .unwrap();
    // Left by a killed earlier run (its process id cannot exist).
    std::fs::write(output.join(".a.png.partial-4194399-0"), b"half").unwrap();

    let first = run(
        &["--model", "fast", "--scale", "2", "--json"],
        &[&input, &output],
    );
    assert!(!first.status.success(), "a bad file must fail the run");
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains("1 of 3 images failed"), "{stderr}");
    let summary = json(&first);
    assert_eq!(
        (&summary["done"], &summary["skipped"], &summary["failed"]),
        (&Value::from(2), &Value::from(0), &Value::from(1))
    );
    assert_eq!(summary["stale_partials_removed"], 1);
    let bad = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "failed")
        .unwrap();
    assert!(bad["input"].as_str().unwrap().ends_with("bad.png"));
    assert!(
        bad["reason"]
            .as_str()
            .unwrap()
            .contains("not a supported image"),
        "{bad}"
    );
    assert_eq!(tree(&output), ["a.png", "sub/b.jpg"]);
    assert_eq!(dims(&output.join("a.png")), (80, 60));
    assert_eq!(dims(&output.join("sub/b.jpg")), (48, 64));

    // A second run skips what exists and still reports the bad file.
    let second = run(&["--model", "fast", "--json"], &[&input, &output]);
    let summary = json(&second);
    assert_eq!(
        (&summary["done"], &summary["skipped"], &summary["failed"]),
        (&Value::from(0), &Value::from(2), &Value::from(1))
    );
    // Without the bad file the run succeeds.
    std::fs::remove_file(input.join("bad.png")).unwrap();
    ok(&run(&["--model", "fast"], &[&input, &output]));
}

/// A minimal EXIF block: big-endian TIFF header, one entry Orientation = `value`.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut e = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    e.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    e.extend_from_slice(&value.to_be_bytes());
    e.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    e
}

#[test]
fn exif_orientation_is_applied_and_the_icc_profile_kept() {
    let dir = tempfile::tempdir().unwrap();
    // 64×32 stored: left half dark, right half bright; orientation 6 says
    // "rotate 90° clockwise to display", so upright it is 32×64, dark on top.
    let stored = image::RgbImage::from_fn(64, 32, |x, _| {
        image::Rgb(if x < 32 {
            [10, 10, 10]
        } else {
            [245, 245, 245]
        })
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&stored)
        .unwrap();
    let app1 = exif_orientation(6);
    let mut file = jpeg[..2].to_vec();
    file.extend_from_slice(&[0xFF, 0xE1]);
    file.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    file.extend_from_slice(&app1);
    file.extend_from_slice(&jpeg[2..]);
    let rotated = dir.path().join("rotated.jpg");
    std::fs::write(&rotated, file).unwrap();
    let out = dir.path().join("rotated-x2.png");
    let result = run(&["--model", "fast", "--json"], &[&rotated, &out]);
    ok(&result);
    assert_eq!(json(&result)["orientation_applied"], "rotate 90 clockwise");
    let big = image::open(&out).unwrap().to_rgb8();
    assert_eq!(big.dimensions(), (64, 128));
    assert!(big.get_pixel(32, 20).0[0] < 60, "top should be dark");
    assert!(big.get_pixel(32, 108).0[0] > 200, "bottom should be bright");

    // An ICC profile (any bytes: it is carried, not interpreted) survives.
    let icc: Vec<u8> = (0..700u32).map(|i| (i * 13 % 251) as u8).collect();
    let with_icc = dir.path().join("icc.png");
    let meta = seer_imgproc::ImageMetadata {
        icc_profile: Some(icc.clone()),
        ..Default::default()
    };
    let image = image::DynamicImage::ImageRgb8(crop("baby.png", 30, 20));
    seer_imgproc::write_image(&image, &with_icc, image::ImageFormat::Png, &meta).unwrap();
    for name in ["icc-x2.png", "icc-x2.jpg"] {
        let out = dir.path().join(name);
        let result = run(&["--model", "fast", "--json"], &[&with_icc, &out]);
        ok(&result);
        assert_eq!(json(&result)["icc_profile_kept"], true, "{name}");
        let back = seer_imgproc::read_image(&out, None).unwrap();
        assert_eq!(
            back.metadata.icc_profile.as_deref(),
            Some(&icc[..]),
            "{name}"
        );
        assert_eq!(back.image.width(), 60, "{name}");
    }
}

#[test]
fn fractional_scales_and_widths_report_how_they_were_reached() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    crop("butterfly.png", 40, 30).save(&input).unwrap();
    let out = dir.path().join("x1.5.png");
    let r = run(
        &["--model", "fast", "--scale", "1.5", "--json"],
        &[&input, &out],
    );
    ok(&r);
    let j = json(&r);
    assert_eq!(j["output_size"], serde_json::json!([60, 45]));
    assert_eq!(j["how"], "x2 then Lanczos to x1.5");
    assert_eq!(j["factor"], 1.5);
    assert_eq!(dims(&out), (60, 45));
    for key in ["chain", "tiles", "seconds", "lr_kpx_per_s", "memory"] {
        assert!(!j[key].is_null(), "{key} missing: {j}");
    }
    // --width 160 from 40: ×4 with the ×2-only fast tier is x2 then x2.
    let out = dir.path().join("w160.png");
    let r = run(
        &["--model", "fast", "--width", "160", "--json"],
        &[&input, &out],
    );
    ok(&r);
    let j = json(&r);
    assert_eq!(j["how"], "x2 then x2");
    assert_eq!(dims(&out), (160, 120));
    // --width 100 (×2.5): the next native chain (×4), then Lanczos.
    let out = dir.path().join("w100.png");
    let r = run(
        &["--model", "fast", "--width", "100", "--json"],
        &[&input, &out],
    );
    ok(&r);
    assert_eq!(json(&r)["how"], "x2 then x2 then Lanczos to x2.5");
    assert_eq!(dims(&out), (100, 75));
}

#[test]
fn the_memory_budget_shrinks_tiles_and_refuses_what_cannot_fit() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    crop("head.png", 40, 30).save(&input).unwrap();
    let side = |budget: &str| {
        let out = dir.path().join(format!("out-{budget}.png"));
        let r = run(
            &[
                "--model",
                "fast",
                "--tile",
                "4096",
                "--max-memory",
                budget,
                "--json",
            ],
            &[&input, &out],
        );
        ok(&r);
        json(&r)["memory"]["tile_sides"][0].as_u64().unwrap()
    };
    let (large, small) = (side("4G"), side("300M"));
    assert!(small < large && small >= 22, "{small} vs {large}");

    // waifu2x CUNet cannot tile: a 300×300 image does not fit 256 MiB.
    let big = dir.path().join("big.png");
    image::imageops::resize(
        &crop("head.png", 100, 100),
        300,
        300,
        image::imageops::FilterType::Triangle,
    )
    .save(&big)
    .unwrap();
    let out = dir.path().join("refused.png");
    let r = run(
        &[
            "--model",
            "upscale.waifu2x-cunet.x2",
            "--max-memory",
            "256M",
        ],
        &[&big, &out],
    );
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("300x300") && err.contains("0.25 GiB") && err.contains("cannot split"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_full_disk_leaves_no_output_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    crop("baby.png", 120, 100).save(&input).unwrap();
    let outdir = dir.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let output = outdir.join("big.png");
    // Files may grow to 8 KiB only (the output needs far more); the signal
    // is ignored so the write fails with EFBIG like a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 8; exec '{}' upscale --model fast '{}' '{}'",
        env!("CARGO_BIN_EXE_seer"),
        input.display(),
        output.display()
    );
    let r = Command::new("bash").arg("-c").arg(script).output().unwrap();
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("big.png") && err.contains("nothing was written"),
        "{err}"
    );
    assert!(tree(&outdir).is_empty(), "{:?}", tree(&outdir));
}

#[test]
fn a_killed_folder_run_leaves_only_complete_outputs_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let output = dir.path().join("out");
    std::fs::create_dir_all(&input).unwrap();
    for (i, name) in [
        "baby.png",
        "bird.png",
        "butterfly.png",
        "head.png",
        "woman.png",
    ]
    .iter()
    .enumerate()
    {
        crop(name, 96, 80)
            .save(input.join(format!("{i}.png")))
            .unwrap();
    }
    let mut child = seer()
        .args(["upscale", "--model", "fast"])
        .arg(&input)
        .arg(&output)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the first image is written (or after 60 s).
    for _ in 0..600 {
        if output.join("0.png").exists() || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    // Whatever has a real name is complete; anything else is hidden.
    for name in tree(&output) {
        if name.starts_with('.') {
            assert!(name.contains(".partial-"), "{name}");
        } else {
            assert_eq!(dims(&output.join(&name)), (192, 160), "{name}");
        }
    }
    let r = run(&["--model", "fast", "--json"], &[&input, &output]);
    ok(&r);
    let j = json(&r);
    assert_eq!(
        j["done"].as_u64().unwrap() + j["skipped"].as_u64().unwrap(),
        5
    );
    assert_eq!(tree(&output), ["0.png", "1.png", "2.png", "3.png", "4.png"]);
}
