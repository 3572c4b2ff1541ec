//! `seer upscale` and `seer bench upscale` end to end: real files, JSON
//! results, and bad input that must fail cleanly without leaving an output.

mod common;

use common::seer;
use std::path::{Path, PathBuf};

fn set5() -> PathBuf {
    seer_testdata::set5()
}

/// A small RGBA PNG (a crop of a Set5 image with a gradient alpha).
fn small_rgba(dir: &Path) -> PathBuf {
    let rgb = image::open(set5().join("bird.png")).unwrap().to_rgb8();
    let crop = image::imageops::crop_imm(&rgb, 100, 100, 40, 30).to_image();
    let rgba = image::RgbaImage::from_fn(40, 30, |x, y| {
        let p = crop.get_pixel(x, y).0;
        image::Rgba([p[0], p[1], p[2], (x * 6) as u8])
    });
    let path = dir.join("small.png");
    rgba.save(&path).unwrap();
    path
}

#[test]
fn upscale_writes_the_image_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_rgba(dir.path());
    let output = dir.path().join("big.png");
    let out = seer()
        .args([
            "upscale", "--model", "fast", "--scale", "2", "--tile", "32", "--json",
        ])
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["chain"][0], "upscale.waifu2x-upconv7-photo.x2");
    // The fast model is a plain convolution chain: the native engine runs it.
    assert_eq!(report["engines"][0], "native");
    assert_eq!(report["output_size"], serde_json::json!([80, 60]));
    assert!(report["tiles"].as_u64().unwrap() > 1);
    let big = image::open(&output).unwrap();
    assert_eq!((big.width(), big.height()), (80, 60));
    assert!(big.color().has_alpha());
    // Only the output is left in the folder (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn engines_give_the_same_image_and_native_refuses_what_it_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_rgba(dir.path());
    let mut images = Vec::new();
    for engine in ["native", "ort"] {
        let output = dir.path().join(format!("{engine}.png"));
        let out = seer()
            .args([
                "upscale", "--model", "photo", "--scale", "2", "--engine", engine,
            ])
            .arg(&input)
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        images.push(image::open(&output).unwrap().to_rgba8());
    }
    let worst = images[0]
        .as_raw()
        .iter()
        .zip(images[1].as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(worst <= 1, "native and ONNX Runtime differ by {worst}/255");

    // Real-ESRGAN x4plus has dense blocks (Concat): native is refused by name.
    let output = dir.path().join("x4plus.png");
    let out = seer()
        .args(["upscale", "--model", "perceptual", "--engine", "native"])
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot run in the native engine") && stderr.contains("Concat"),
        "{stderr}"
    );
    assert!(!output.exists());
}

/// Runs `seer upscale IN OUT` expecting failure; returns stderr.
fn fails(input: &Path, output: &Path) -> String {
    let out = seer()
        .args(["upscale", "--model", "fast"])
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!output.exists(), "{} must not exist", output.display());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_inputs_fail_cleanly_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.png");

    let empty = dir.path().join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    let err = fails(&empty, &out);
    assert!(err.contains("empty (0 bytes)"), "{err}");

    let text = dir.path().join("notes.png");
    std::fs::write(&text, b"this is not an image at all").unwrap();
    let err = fails(&text, &out);
    assert!(err.contains("not a supported image"), "{err}");

    let truncated = dir.path().join("cut.png");
    let bytes = std::fs::read(set5().join("bird.png")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let err = fails(&truncated, &out);
    assert!(err.contains("cannot decode"), "{err}");

    let input = small_rgba(dir.path());
    let missing = dir.path().join("no-such-folder").join("out.png");
    let err = fails(&input, &missing);
    assert!(err.contains("does not exist"), "{err}");

    let err = fails(&input, &dir.path().join("out.xyz"));
    assert!(err.contains("output format"), "{err}");
}

#[test]
fn bench_reports_set5_psnr_above_bicubic() {
    let out = seer()
        .args([
            "bench",
            "upscale",
            "--scale",
            "2",
            "--model",
            "fast",
            "--json",
            "--dataset",
        ])
        .arg(set5())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let psnr = result["mean"]["psnr"].as_f64().unwrap();
    let bicubic = result["mean"]["bicubic_psnr"].as_f64().unwrap();
    let ssim = result["mean"]["ssim"].as_f64().unwrap();
    println!("bench fast x2 Set5: PSNR-Y {psnr:.3} dB (bicubic {bicubic:.3}), SSIM {ssim:.4}");
    assert_eq!(result["images"].as_array().unwrap().len(), 5);
    assert!(psnr >= 37.1, "{psnr}");
    // Plain bicubic x2 on Set5 is 33.66 dB in the literature (MATLAB).
    assert!((bicubic - 33.66).abs() < 0.1, "{bicubic}");
    assert!(ssim > 0.95, "{ssim}");
}
