//! The upscale speed drivers measure what the upscaler really runs.

use seer_core::CancelToken;
use seer_eval::upscale::cost::PlanCost;
use seer_eval::upscale::overhead::measure_overhead;
use seer_eval::upscale::speed::{upscale_speed, SpeedEngine, SpeedOptions};
use seer_eval::EvalError;
use seer_runtime::Tuning;
use seer_upscale::{EngineChoice, UpscaleOptions, Upscaler};

const UPCONV7: &str = "upscale.waifu2x-upconv7-photo.x2";

/// Multiply-accumulates per input pixel of waifu2x upconv7 counted by hand
/// from its layers: six 3×3 convolutions 3→16→32→64→128→128→256 and a 4×4
/// stride-2 transposed convolution 256→3 (16 taps per input pixel for its
/// 4 outputs, each output pixel taking 4 of them). Border shrinkage of the
/// unpadded convolutions makes the real count of a tile a little lower.
fn upconv7_macs_per_pixel() -> f64 {
    let convs = [
        (3, 16),
        (16, 32),
        (32, 64),
        (64, 128),
        (128, 128),
        (128, 256),
    ];
    let conv: f64 = convs.iter().map(|&(i, o)| 9.0 * f64::from(i * o)).sum();
    conv + 16.0 * 256.0 * 3.0
}

#[test]
fn operation_counts_match_the_layers_of_upconv7() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let options = SpeedOptions {
        models: vec![UPCONV7.into()],
        tile: 128,
        threads: 1,
        rounds: 1,
        count_only: true,
        engines: vec![SpeedEngine::Ort],
        tuning: Tuning::default(),
    };
    let result = upscale_speed(&store, &options, &CancelToken::new()).unwrap();
    assert!(result.models.is_empty(), "count_only times nothing");
    let [count] = result.counts.as_slice() else {
        panic!("one count expected: {:?}", result.counts);
    };
    let by_hand = 2.0 * upconv7_macs_per_pixel() / 1e6;
    // 128² input: the 7-pixel shrinkage per side leaves (114/128)² ≈ 0.79
    // of the pixels for the last layers; the count lies between.
    assert!(
        count.mflop_per_lr_px < by_hand && count.mflop_per_lr_px > 0.7 * by_hand,
        "{} MFLOP per pixel counted, {by_hand:.3} by hand",
        count.mflop_per_lr_px
    );
    assert!(result.matmul.gflop_per_s > 0.5, "{:?}", result.matmul);

    let zero_tile = SpeedOptions { tile: 0, ..options };
    let err = upscale_speed(&store, &zero_tile, &CancelToken::new()).unwrap_err();
    assert!(
        matches!(err, EvalError::InvalidOption { option: "tile", .. }),
        "{err}"
    );
}

#[test]
fn the_overhead_bare_loop_runs_the_upscalers_own_tiles() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let image = image::open(seer_testdata::set5().join("baby.png"))
        .unwrap()
        .to_rgb8();
    let image = image::imageops::crop_imm(&image, 0, 0, 150, 100).to_image();
    let options = UpscaleOptions {
        scale: Some(2),
        tile: 64,
        threads: 1,
        engine: EngineChoice::Ort,
        ..UpscaleOptions::default()
    };
    let report = measure_overhead(&store, "fast", &options, Tuning::default(), &image, 1).unwrap();
    // upconv7 keeps a 7-pixel context per side: 64-pixel tiles hold
    // 50-pixel cores, so 150×100 needs a 3×2 grid.
    assert_eq!(report.tiles, 6, "{report:?}");
    assert_eq!(report.image_size, (150, 100));
    let mut upscaler = Upscaler::new(&store, "fast", &options).unwrap();
    let macs = PlanCost::new(&store, upscaler.plan())
        .unwrap()
        .image_macs(150, 100, 64)
        .unwrap();
    assert!((report.gmac_per_image - macs as f64 / 1e9).abs() < 1e-9);
    // Six 64² tiles cost more than the bare image (context is recomputed).
    let bare = 150.0 * 100.0 * upconv7_macs_per_pixel() / 1e9;
    assert!(
        report.gmac_per_image > bare,
        "{} vs {bare}",
        report.gmac_per_image
    );
    assert!(report.pipeline_seconds > 0.0 && report.bare_seconds > 0.0);
    let upscaled = upscaler
        .upscale_rgb(&image, &seer_core::NoProgress)
        .unwrap();
    assert_eq!(upscaled.image.dimensions(), (300, 200));

    // ×4 with the fast tier is a chain of two ×2 runs: refused.
    let x4 = UpscaleOptions {
        scale: Some(4),
        ..options
    };
    let err = measure_overhead(&store, "fast", &x4, Tuning::default(), &image, 1).unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::InvalidOption {
                option: "scale",
                ..
            }
        ),
        "{err}"
    );
}
