//! Grey, RGBA and 16-bit images through the upscaler: alpha never goes
//! through the network, opaque alpha stays exactly opaque, 16-bit input
//! gives 16-bit output.

mod common;

use common::{crop, set5, upscaler};
use image::{DynamicImage, GrayImage, ImageBuffer, Rgba, RgbaImage};
use seer_core::progress::NoProgress;

fn lr() -> image::RgbImage {
    crop(&set5("bird.png"), 100, 100, 48, 40)
}

#[test]
fn opaque_alpha_stays_255_and_colour_matches_rgb() {
    let rgb = lr();
    let mut up = upscaler("fast", 2, 256);
    let plain = up.upscale_rgb(&rgb, &NoProgress).unwrap().image;
    let rgba = DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(rgb).to_rgba8());
    let out = up.upscale_image(&rgba, &NoProgress).unwrap().image;
    let DynamicImage::ImageRgba8(out) = out else {
        panic!("RGBA in, RGBA8 out expected");
    };
    assert_eq!(out.dimensions(), (96, 80));
    assert!(out.pixels().all(|p| p.0[3] == 255));
    let worst = out
        .pixels()
        .zip(plain.pixels())
        .map(|(a, b)| (0..3).map(|c| a.0[c].abs_diff(b.0[c])).max().unwrap_or(0))
        .max()
        .unwrap_or(0);
    println!("RGBA colour vs RGB path: max diff {worst}");
    assert_eq!(worst, 0);
}

#[test]
fn gradient_alpha_is_resized_smoothly_and_not_by_the_network() {
    let rgb = lr();
    let (w, h) = rgb.dimensions();
    // Half-transparent horizontal gradient: alpha 64..191 across the image.
    let rgba: RgbaImage = ImageBuffer::from_fn(w, h, |x, y| {
        let p = rgb.get_pixel(x, y).0;
        Rgba([p[0], p[1], p[2], (64 + x * 127 / (w - 1)) as u8])
    });
    let mut up = upscaler("photo", 2, 256);
    let out = up
        .upscale_image(&DynamicImage::ImageRgba8(rgba.clone()), &NoProgress)
        .unwrap()
        .image;
    let out = out.to_rgba8();
    // Colour is the RGB result whatever the alpha (alpha is not an input).
    let plain = up.upscale_rgb(&rgb, &NoProgress).unwrap().image;
    assert!(out
        .pixels()
        .zip(plain.pixels())
        .all(|(a, b)| a.0[..3] == b.0[..3]));
    // Alpha: rows identical, monotonic across, steps of at most 2, range kept.
    let row: Vec<u8> = (0..out.width()).map(|x| out.get_pixel(x, 0).0[3]).collect();
    for y in 0..out.height() {
        for x in 0..out.width() {
            assert_eq!(out.get_pixel(x, y).0[3], row[x as usize]);
        }
    }
    let max_step = row
        .windows(2)
        .map(|p| i16::from(p[1]) - i16::from(p[0]))
        .max()
        .unwrap();
    let min_step = row
        .windows(2)
        .map(|p| i16::from(p[1]) - i16::from(p[0]))
        .min()
        .unwrap();
    println!(
        "alpha row: first {} last {} steps {min_step}..{max_step}",
        row[0],
        row[row.len() - 1]
    );
    assert!(min_step >= 0 && max_step <= 2, "{row:?}");
    assert!(
        row[0] >= 62 && row[0] <= 66 && row[row.len() - 1] >= 189,
        "{row:?}"
    );
}

#[test]
fn grey_stays_grey_and_16_bit_stays_16_bit() {
    let rgb = lr();
    let mut up = upscaler("fast", 2, 256);
    let grey: GrayImage = DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
    let out = up
        .upscale_image(&DynamicImage::ImageLuma8(grey), &NoProgress)
        .unwrap()
        .image;
    assert!(matches!(out, DynamicImage::ImageLuma8(_)));
    assert_eq!((out.width(), out.height()), (96, 80));

    // 16-bit: the low byte matters; the output keeps 16-bit precision.
    let wide = DynamicImage::ImageRgb8(rgb.clone()).to_rgb16();
    let out16 = up
        .upscale_image(&DynamicImage::ImageRgb16(wide), &NoProgress)
        .unwrap()
        .image;
    let DynamicImage::ImageRgb16(out16) = out16 else {
        panic!("16-bit in, 16-bit out expected");
    };
    let not_multiple_of_257 = out16.as_raw().iter().filter(|v| *v % 257 != 0).count();
    assert!(not_multiple_of_257 > out16.as_raw().len() / 2);
    // Same picture as the 8-bit path within rounding.
    let out8 = up.upscale_rgb(&rgb, &NoProgress).unwrap().image;
    let worst = out16
        .as_raw()
        .iter()
        .zip(out8.as_raw())
        .map(|(a, b)| (f64::from(*a) / 257.0 - f64::from(*b)).abs())
        .fold(0.0, f64::max);
    assert!(worst <= 1.0, "{worst}");
}

#[test]
fn empty_image_is_an_error() {
    let mut up = upscaler("fast", 2, 256);
    let err = up
        .upscale_image(
            &DynamicImage::ImageRgb8(image::RgbImage::new(0, 5)),
            &NoProgress,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
}
