//! The upscale jobs of the library API: an image upscaled from encoded
//! bytes to encoded bytes with no file on disk, and cancellation of single
//! images and folders leaving no partial output.

mod common;

use image::{DynamicImage, ImageFormat};
use seer_core::progress::{NoProgress, Progress};
use seer_core::{CancelToken, ErrorKind, HasErrorKind};
use seer_eval::upscale::quality::{crop_to_multiple, make_lr};
use seer_upscale::{upscale_bytes, upscale_file, upscale_folder, ImageJob, Target, UpscaleError};
use std::path::Path;

fn fast_x2() -> ImageJob {
    ImageJob {
        model: "fast".into(),
        target: Some(Target::Scale(2.0)),
        ..Default::default()
    }
}

fn png(image: image::RgbImage) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(image);
    seer_imgproc::encode_image(&image, ImageFormat::Png, &Default::default())
        .unwrap()
        .0
}

#[test]
fn png_bytes_upscale_to_png_bytes_above_the_fast_floor() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let mut names: Vec<_> = std::fs::read_dir(common::set5_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut sum = 0.0;
    for path in &names {
        // Everything after this read happens in memory.
        let hr = seer_imgproc::decode_rgb(&std::fs::read(path).unwrap()).unwrap();
        let hr = crop_to_multiple(&hr, 2);
        let lr = png(make_lr(&hr, 2));
        let out = upscale_bytes(
            &store,
            &lr,
            ImageFormat::Png,
            &fast_x2(),
            &NoProgress,
            &CancelToken::new(),
        )
        .unwrap();
        assert_eq!(out.format, ImageFormat::Png);
        assert_eq!(image::guess_format(&out.bytes).unwrap(), ImageFormat::Png);
        let sr = seer_imgproc::decode_rgb(&out.bytes).unwrap();
        assert_eq!(sr.dimensions(), hr.dimensions());
        assert_eq!(out.image.report.output_size, hr.dimensions());
        assert_eq!(out.image.report.how, "x2");
        let psnr = seer_imgproc::psnr_y(&sr, &hr, 2).unwrap();
        println!("fast x2 from bytes {}: {psnr:.3} dB", path.display());
        sum += psnr;
    }
    let mean = sum / names.len() as f64;
    println!("fast x2 from bytes: mean PSNR-Y {mean:.3} dB");
    assert!(mean >= 37.1, "fast x2 from bytes: {mean:.3} dB < 37.1");
}

#[test]
fn corrupt_bytes_are_a_client_error() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let mut bytes = png(common::crop(&common::set5("bird.png"), 0, 0, 40, 30));
    bytes.truncate(bytes.len() / 2);
    let error = upscale_bytes(
        &store,
        &bytes,
        ImageFormat::Png,
        &fast_x2(),
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert!(error.to_string().contains("cannot decode"), "{error}");
}

#[test]
fn an_image_whose_upscale_cannot_fit_is_refused_from_its_header() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    // 20000 x 20000 decodes to 1.2 GB (within 4 GiB), but ×2 needs far
    // more. The file holds no pixel data, so a decode would fail as
    // corrupt: the memory refusal proves the header decided, before any
    // pixel (or its float copy) was allocated.
    let bytes = seer_testdata::hostile::png_claiming(20_000, 20_000);
    let job = ImageJob {
        max_memory: 4 << 30,
        ..fast_x2()
    };
    let error = upscale_bytes(
        &store,
        &bytes,
        ImageFormat::Png,
        &job,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            UpscaleError::OverBudget {
                output: (40_000, 40_000),
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.kind(), ErrorKind::ResourceLimit);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("huge.png");
    let output = dir.path().join("out.png");
    std::fs::write(&input, &bytes).unwrap();
    let error = upscale_file(
        &store,
        &input,
        &output,
        &job,
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(matches!(error, UpscaleError::OverBudget { .. }), "{error}");
    assert!(!output.exists());
}

/// Cancels its token when the first tile of a phase is done.
struct CancelOnFirstTile(CancelToken);

impl Progress for CancelOnFirstTile {
    fn start(&self, _label: &str, _total: Option<u64>) {}
    fn set(&self, done: u64) {
        if done >= 1 {
            self.0.cancel();
        }
    }
    fn finish(&self) {}
}

/// Every entry of `dir`, hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    all
}

#[test]
fn a_cancel_between_tiles_stops_the_image_and_leaves_no_file() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    common::crop(&common::set5("baby.png"), 0, 0, 200, 160)
        .save(&input)
        .unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let job = ImageJob {
        tile: 64,
        ..fast_x2()
    };
    let token = CancelToken::new();
    let error = upscale_file(
        &store,
        &input,
        &out_dir.join("big.png"),
        &job,
        &CancelOnFirstTile(token.clone()),
        &token,
    )
    .unwrap_err();
    assert!(matches!(error, UpscaleError::Cancelled), "{error}");
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert_eq!(entries(&out_dir), Vec::<String>::new());
}

#[test]
fn a_cancelled_folder_run_stops_before_writing() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for name in ["a.png", "b.png"] {
        common::crop(&common::set5("bird.png"), 0, 0, 40, 30)
            .save(input.join(name))
            .unwrap();
    }
    let output = dir.path().join("out");
    let token = CancelToken::new();
    token.cancel();
    let error =
        upscale_folder(&store, &input, &output, &fast_x2(), &NoProgress, &token).unwrap_err();
    assert!(matches!(error, UpscaleError::Cancelled), "{error}");
    assert_eq!(entries(&output), Vec::<String>::new());
    // The same job without a cancel does both images.
    let summary = upscale_folder(
        &store,
        &input,
        &output,
        &fast_x2(),
        &NoProgress,
        &CancelToken::new(),
    )
    .unwrap();
    assert_eq!((summary.done, summary.skipped, summary.failed), (2, 0, 0));
    assert_eq!(entries(&output), ["a.png", "b.png"]);
}
