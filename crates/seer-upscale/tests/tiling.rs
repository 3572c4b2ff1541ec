//! Seamless tiling (tiled output equals untiled output) and alignment of
//! every ladder model's output with its input.

mod common;

use common::{crop, set5, upscaler};
use seer_core::progress::NoProgress;
use seer_imgproc::imresize_bicubic_rgb8;

/// Every ladder model that may tile (plus two small UpscalerJS models), with
/// the LR crop size and the tile size used for it (Real-ESRGAN x4plus is
/// slow and needs 32 context pixels: a tiny crop and tiles of 80 with cores
/// of 16).
const LADDER: [(&str, u32, (u32, u32), u32); 10] = [
    ("fast", 2, (100, 80), 32),
    ("photo", 2, (100, 80), 32),
    ("photo", 3, (100, 80), 32),
    ("photo", 4, (100, 80), 32),
    ("perceptual", 4, (40, 32), 80),
    ("anime", 2, (100, 80), 32),
    ("anime", 3, (100, 80), 32),
    ("anime", 4, (100, 80), 32),
    ("esrgan-slim", 2, (100, 80), 32),
    ("esrgan-medium", 2, (100, 80), 40),
];

fn max_abs_diff(a: &image::RgbImage, b: &image::RgbImage) -> u8 {
    assert_eq!(a.dimensions(), b.dimensions());
    a.as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

#[test]
fn tiled_output_equals_untiled_output() {
    let source = set5("baby.png");
    for (tier, scale, (w, h), tile) in LADDER {
        let lr = crop(&source, 200, 180, w, h);
        let whole = upscaler(tier, scale, 100_000)
            .upscale_rgb(&lr, &NoProgress)
            .unwrap()
            .image;
        let mut tiled_upscaler = upscaler(tier, scale, tile);
        let seer_upscale::Upscaled {
            image: tiled,
            report,
        } = tiled_upscaler.upscale_rgb(&lr, &NoProgress).unwrap();
        let diff = max_abs_diff(&whole, &tiled);
        println!(
            "{tier} x{scale} ({}): {w}x{h} in {} tiles of {tile}, max |tiled - untiled| = {diff}/255, {:.2} s",
            report.chain[0], report.tiles, report.seconds
        );
        assert!(report.tiles > 1);
        assert_eq!(whole.dimensions(), (w * scale, h * scale));
        assert!(diff <= 2, "{tier} x{scale}: {diff}/255");
    }
}

/// PSNR-Y (dB) of `sr` against `hr` shifted by (dx, dy) output pixels,
/// over the interior.
fn shifted_psnr(sr: &image::RgbImage, hr: &image::RgbImage, dx: i32, dy: i32, border: u32) -> f64 {
    let (w, h) = sr.dimensions();
    let inner = (w - 2 * border, h - 2 * border);
    let a = crop(sr, border, border, inner.0, inner.1);
    let b = crop(
        hr,
        (border as i32 + dx) as u32,
        (border as i32 + dy) as u32,
        inner.0,
        inner.1,
    );
    seer_imgproc::psnr_y(&a, &b, 0).unwrap()
}

#[test]
fn outputs_are_aligned_with_their_inputs() {
    let source = set5("butterfly.png");
    let models = [
        ("fast", 2),
        ("photo", 2),
        ("photo", 3),
        ("photo", 4),
        ("perceptual", 4),
        ("anime", 2),
        ("anime", 3),
        ("anime", 4),
        ("upscale.waifu2x-cunet.x2", 2),
        ("anime-quality", 2),
        ("anime-quality", 3),
        ("anime-quality", 4),
        ("esrgan-slim", 2),
        ("esrgan-slim", 4),
        ("esrgan-medium", 2),
    ];
    for (model, scale) in models {
        let side = 24 * scale;
        let hr = crop(&source, 64, 64, side, side);
        let lr = imresize_bicubic_rgb8(&hr, 24, 24);
        let sr = upscaler(model, scale, 256)
            .upscale_rgb(&lr, &NoProgress)
            .unwrap()
            .image;
        let border = 2 * scale;
        let centre = shifted_psnr(&sr, &hr, 0, 0, border);
        let mut best_shift = (0, 0, centre);
        for dy in -1..=1 {
            for dx in -1..=1 {
                let p = shifted_psnr(&sr, &hr, dx, dy, border);
                if p > best_shift.2 {
                    best_shift = (dx, dy, p);
                }
            }
        }
        println!("{model} x{scale}: PSNR-Y aligned {centre:.2} dB, best shift {best_shift:?}");
        assert_eq!(
            (best_shift.0, best_shift.1),
            (0, 0),
            "{model} x{scale} is misaligned"
        );
    }
}

#[test]
fn untileable_model_refuses_images_over_the_budget() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let options = seer_upscale::UpscaleOptions {
        scale: Some(2),
        max_pixels: 1000,
        ..Default::default()
    };
    let mut up = seer_upscale::Upscaler::new(&store, "upscale.waifu2x-cunet.x2", &options).unwrap();
    let err = up
        .upscale_rgb(&image::RgbImage::new(40, 30), &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("1200") && err.contains("1000") && err.contains("tiles"),
        "{err}"
    );
    // Within the budget it runs whole, in one tile.
    let small = up
        .upscale_rgb(&image::RgbImage::new(30, 30), &NoProgress)
        .unwrap();
    assert_eq!(small.image.dimensions(), (60, 60));
    assert_eq!(small.report.tiles, 1);
}
