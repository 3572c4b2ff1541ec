//! Set5 quality of the ladder models against the published-style floors
//! (LR made with MATLAB-style bicubic, PSNR on BT.601 luma, border = scale).

use seer_core::progress::NoProgress;
use seer_eval::upscale::quality::score_image;
use seer_upscale::{UpscaleOptions, Upscaler};

fn set5() -> Vec<(String, image::RgbImage)> {
    let dir = seer_testdata::set5();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("Set5 at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, image::open(p).unwrap().to_rgb8())
        })
        .collect()
}

fn mean_psnr(model: &str, scale: u32) -> f64 {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let options = UpscaleOptions {
        scale: Some(scale),
        ..Default::default()
    };
    let mut upscaler = Upscaler::new(&store, model, &options).unwrap();
    let images = set5();
    let mut sum = 0.0;
    for (name, hr) in &images {
        let s = score_image(&mut upscaler, name, hr, &NoProgress).unwrap();
        println!(
            "{model} x{scale} {name}: {:.3} dB (bicubic {:.3}), SSIM {:.4} (bicubic {:.4}), {:.2} s",
            s.psnr, s.bicubic_psnr, s.ssim, s.bicubic_ssim, s.seconds
        );
        sum += s.psnr;
    }
    let mean = sum / images.len() as f64;
    println!("{model} x{scale}: mean PSNR-Y {mean:.3} dB");
    mean
}

#[test]
fn photo_tier_meets_set5_floors() {
    for (scale, floor) in [(2, 37.5), (3, 33.8), (4, 31.7)] {
        let psnr = mean_psnr("photo", scale);
        assert!(psnr >= floor, "photo x{scale}: {psnr:.3} dB < {floor}");
    }
}

#[test]
fn fast_tier_meets_set5_floor() {
    let psnr = mean_psnr("fast", 2);
    assert!(psnr >= 37.1, "fast x2: {psnr:.3} dB < 37.1");
}
