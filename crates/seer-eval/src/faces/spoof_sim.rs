//! Simulated presentation attacks, to evaluate anti-spoofing models
//! without a spoof data set.
//!
//! Each attack turns a face image (a "canvas", see
//! [`crate::faces::liveness`]) into what a camera would see if the same face
//! were presented as a printed photo, on a screen, or as a flat cut-out
//! mask. All randomness comes from a seed, so a seed always gives the same
//! image. These are a weak proxy for real attacks: they model a few known
//! cues (contrast loss, halftone, moiré, glare, flat shading) and nothing
//! else.

use image::codecs::jpeg::JpegEncoder;
use image::RgbImage;
use serde::{Deserialize, Serialize};

/// A kind of presentation attack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attack {
    /// A printed photo re-captured: lower contrast and saturation, paper
    /// colour and ink limits, halftone dots, defocus, strong JPEG.
    Print,
    /// A screen replay: the image shown through an RGB-stripe pixel grid at
    /// a small angle (moiré), screen gamma and white point, glare.
    Screen,
    /// A cut-out or mask: shading flattened, skin texture smoothed, matte.
    Mask,
}

impl Attack {
    /// All attacks, in a fixed order.
    pub const ALL: [Attack; 3] = [Attack::Print, Attack::Screen, Attack::Mask];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Attack::Print => "print",
            Attack::Screen => "screen",
            Attack::Mask => "mask",
        }
    }
}

/// JPEG quality of the final "camera" encoding applied to real and
/// simulated images alike, so compression alone tells nothing apart.
pub const CAPTURE_JPEG_QUALITY: u8 = 90;

use seer_core::random::SeededRng;

/// An RGB image with float channels, 0..1, interleaved.
#[derive(Clone, Debug)]
struct Planes {
    width: usize,
    height: usize,
    data: Vec<f32>,
}

impl Planes {
    fn from_rgb(image: &RgbImage) -> Planes {
        Planes {
            width: image.width() as usize,
            height: image.height() as usize,
            data: image.as_raw().iter().map(|&v| v as f32 / 255.0).collect(),
        }
    }

    fn to_rgb(&self) -> RgbImage {
        let raw = self
            .data
            .iter()
            .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        RgbImage::from_raw(self.width as u32, self.height as u32, raw)
            .unwrap_or_else(|| RgbImage::new(self.width as u32, self.height as u32))
    }

    fn map(&mut self, f: impl Fn(usize, usize, [f32; 3]) -> [f32; 3]) {
        for y in 0..self.height {
            for x in 0..self.width {
                let i = (y * self.width + x) * 3;
                let out = f(x, y, [self.data[i], self.data[i + 1], self.data[i + 2]]);
                self.data[i..i + 3].copy_from_slice(&out);
            }
        }
    }

    /// Bilinear sample at (x, y) in pixel coordinates (pixel centres at
    /// integer + 0.5), edges repeated.
    fn sample(&self, x: f32, y: f32) -> [f32; 3] {
        let fx = (x - 0.5).clamp(0.0, (self.width - 1) as f32);
        let fy = (y - 0.5).clamp(0.0, (self.height - 1) as f32);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
        let px = |x: usize, y: usize, c: usize| self.data[(y * self.width + x) * 3 + c];
        let mut out = [0.0; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let top = px(x0, y0, c) * (1.0 - ax) + px(x1, y0, c) * ax;
            let bottom = px(x0, y1, c) * (1.0 - ax) + px(x1, y1, c) * ax;
            *o = top * (1.0 - ay) + bottom * ay;
        }
        out
    }
}

fn luma(p: [f32; 3]) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

/// One-dimensional Gaussian kernel of standard deviation `sigma` pixels.
fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let radius = (3.0 * sigma).ceil().max(1.0) as i64;
    let mut k: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= sum);
    k
}

/// Separable Gaussian blur of `channels`-interleaved data, edges repeated.
fn blur(data: &[f32], width: usize, height: usize, channels: usize, sigma: f32) -> Vec<f32> {
    if sigma <= 0.0 {
        return data.to_vec();
    }
    let k = gaussian_kernel(sigma);
    let r = (k.len() / 2) as i64;
    let mut tmp = vec![0.0; data.len()];
    for y in 0..height {
        for x in 0..width {
            for c in 0..channels {
                let mut acc = 0.0;
                for (j, w) in k.iter().enumerate() {
                    let sx = (x as i64 + j as i64 - r).clamp(0, width as i64 - 1) as usize;
                    acc += w * data[(y * width + sx) * channels + c];
                }
                tmp[(y * width + x) * channels + c] = acc;
            }
        }
    }
    let mut out = vec![0.0; data.len()];
    for y in 0..height {
        for x in 0..width {
            for c in 0..channels {
                let mut acc = 0.0;
                for (j, w) in k.iter().enumerate() {
                    let sy = (y as i64 + j as i64 - r).clamp(0, height as i64 - 1) as usize;
                    acc += w * tmp[(sy * width + x) * channels + c];
                }
                out[(y * width + x) * channels + c] = acc;
            }
        }
    }
    out
}

fn blur_planes(p: &mut Planes, sigma: f32) {
    p.data = blur(&p.data, p.width, p.height, 3, sigma);
}

fn add_noise(p: &mut Planes, rng: &mut SeededRng, sigma: f32) {
    for v in p.data.iter_mut() {
        *v += sigma * rng.normal();
    }
}

/// Encodes as JPEG at `quality` (1..100) and decodes again.
pub fn jpeg_roundtrip(image: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    let encoded =
        JpegEncoder::new_with_quality(&mut bytes, quality.clamp(1, 100)).encode_image(image);
    if encoded.is_err() {
        return image.clone();
    }
    match image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg) {
        Ok(decoded) => decoded.to_rgb8(),
        Err(_) => image.clone(),
    }
}

/// What a camera records of `image` presented by `attack`, with the
/// attack's parameters drawn from `seed`. The result has the same size
/// and the face stays where it was. It is not yet passed through
/// [`capture`].
pub fn simulate(image: &RgbImage, attack: Attack, seed: u64) -> RgbImage {
    let mut rng = SeededRng::new(seed ^ (attack as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
    match attack {
        Attack::Print => print(image, &mut rng),
        Attack::Screen => screen(image, &mut rng),
        Attack::Mask => mask(image, &mut rng),
    }
}

/// The camera's last step, applied to real and simulated images alike:
/// JPEG at [`CAPTURE_JPEG_QUALITY`].
pub fn capture(image: &RgbImage) -> RgbImage {
    jpeg_roundtrip(image, CAPTURE_JPEG_QUALITY)
}

fn print(image: &RgbImage, rng: &mut SeededRng) -> RgbImage {
    let mut p = Planes::from_rgb(image);
    let contrast = rng.range(0.6, 0.8);
    let saturation = rng.range(0.55, 0.75);
    let ink_black = rng.range(0.08, 0.15);
    let paper_white = rng.range(0.85, 0.93);
    let paper = [1.0, rng.range(0.95, 0.99), rng.range(0.84, 0.92)];
    let angle = rng.range(15.0, 45.0).to_radians();
    let period = rng.range(3.0, 5.0);
    let dots = rng.range(0.06, 0.12);
    let (sin, cos) = angle.sin_cos();
    p.map(|x, y, v| {
        let l = luma(v);
        let u = (x as f32 * cos + y as f32 * sin) * std::f32::consts::TAU / period;
        let w = (-(x as f32) * sin + y as f32 * cos) * std::f32::consts::TAU / period;
        let screen = 1.0 + dots * u.cos() * w.cos();
        let mut out = [0.0; 3];
        for c in 0..3 {
            let s = l + (v[c] - l) * saturation;
            let s = 0.5 + (s - 0.5) * contrast;
            let s = ink_black + s.clamp(0.0, 1.0) * (paper_white - ink_black);
            out[c] = s * paper[c] * screen;
        }
        out
    });
    blur_planes(&mut p, rng.range(0.8, 1.4));
    add_noise(&mut p, rng, 1.5 / 255.0);
    let quality = rng.range(20.0, 40.0).round() as u8;
    jpeg_roundtrip(&p.to_rgb(), quality)
}

fn screen(image: &RgbImage, rng: &mut SeededRng) -> RgbImage {
    let src = Planes::from_rgb(image);
    let (w, h) = (src.width, src.height);
    // Screen pixels per canvas pixel, and the screen's tilt to the camera.
    let pitch = rng.range(2.5, 4.0);
    let angle = rng.range(2.0, 10.0).to_radians();
    let (sin, cos) = angle.sin_cos();
    let gap = rng.range(0.1, 0.2);
    let gamma = if rng.range(0.0, 1.0) < 0.5 {
        rng.range(0.75, 0.9)
    } else {
        rng.range(1.1, 1.25)
    };
    let white = [rng.range(0.92, 0.97), 1.0, rng.range(1.04, 1.1)];
    let glare_x = rng.range(0.0, 1.0) * w as f32;
    let glare_y = rng.range(0.0, 0.6) * h as f32;
    let glare_radius = rng.range(0.3, 0.6) * w.max(h) as f32;
    let glare = rng.range(0.15, 0.35);
    let ramp = rng.range(0.0, 0.1);
    // Render at 3× and average 3×3 blocks: the camera integrates the
    // stripes, and the mismatch of the two grids gives moiré.
    const SS: usize = 3;
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let gain = 3.0 / (1.0 - gap);
    let mut p = Planes {
        width: w,
        height: h,
        data: vec![0.0; w * h * 3],
    };
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0.0f32; 3];
            for sy in 0..SS {
                for sx in 0..SS {
                    let px = x as f32 + (sx as f32 + 0.5) / SS as f32 - cx;
                    let py = y as f32 + (sy as f32 + 0.5) / SS as f32 - cy;
                    // Screen coordinates, in screen pixels.
                    let u = (px * cos + py * sin) / pitch * 3.0 + 1000.0;
                    let v = (-px * sin + py * cos) / pitch * 3.0 + 1000.0;
                    let (i, j) = (u.floor(), v.floor());
                    if v - j > 1.0 - gap {
                        continue;
                    }
                    let lit = (((u - i) * 3.0).floor() as usize).min(2);
                    // The screen pixel shows the source at its centre.
                    let (ui, vj) = (
                        (i + 0.5 - 1000.0) / 3.0 * pitch,
                        (j + 0.5 - 1000.0) / 3.0 * pitch,
                    );
                    let sxp = ui * cos - vj * sin + cx;
                    let syp = ui * sin + vj * cos + cy;
                    let colour = src.sample(sxp, syp);
                    acc[lit] += colour[lit] * gain;
                }
            }
            let i = (y * w + x) * 3;
            for (out, a) in p.data[i..i + 3].iter_mut().zip(acc) {
                *out = a / (SS * SS) as f32;
            }
        }
    }
    blur_planes(&mut p, rng.range(0.5, 0.9));
    p.map(|x, y, v| {
        let dx = x as f32 - glare_x;
        let dy = y as f32 - glare_y;
        let spot = glare * (-(dx * dx + dy * dy) / (2.0 * glare_radius * glare_radius)).exp();
        let lift = spot + ramp * (1.0 - y as f32 / h as f32);
        let mut out = [0.0; 3];
        for c in 0..3 {
            let s = v[c].clamp(0.0, 1.0).powf(gamma) * white[c];
            out[c] = s + lift * (1.0 - s);
        }
        out
    });
    add_noise(&mut p, rng, 2.0 / 255.0);
    p.to_rgb()
}

fn mask(image: &RgbImage, rng: &mut SeededRng) -> RgbImage {
    let mut p = Planes::from_rgb(image);
    let (w, h) = (p.width, p.height);
    let lum: Vec<f32> = p.data.chunks(3).map(|c| luma([c[0], c[1], c[2]])).collect();
    let low = blur(&lum, w, h, 1, w.max(h) as f32 / 12.0);
    let mean = low.iter().sum::<f32>() / low.len().max(1) as f32;
    let flatten = rng.range(0.7, 0.9);
    let smoothed = blur(&p.data, w, h, 3, rng.range(1.0, 1.8));
    let smooth_mix = rng.range(0.5, 0.7);
    let saturation = rng.range(0.75, 0.9);
    for (i, px) in p.data.chunks_mut(3).enumerate() {
        let gain = (mean / low[i].max(0.02)).powf(flatten).min(4.0);
        let mut v = [0.0; 3];
        for c in 0..3 {
            let s = px[c] * (1.0 - smooth_mix) + smoothed[i * 3 + c] * smooth_mix;
            v[c] = s * gain;
        }
        let l = luma(v);
        for c in 0..3 {
            px[c] = 0.05 + 0.9 * (l + (v[c] - l) * saturation);
        }
    }
    add_noise(&mut p, rng, 1.5 / 255.0);
    p.to_rgb()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient() -> RgbImage {
        RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 128])
        })
    }

    #[test]
    fn attacks_are_deterministic_and_change_the_image() {
        let image = gradient();
        for attack in Attack::ALL {
            let a = simulate(&image, attack, 7);
            let b = simulate(&image, attack, 7);
            let c = simulate(&image, attack, 8);
            assert_eq!(a.dimensions(), image.dimensions());
            assert_eq!(a, b, "{attack:?} not deterministic");
            assert_ne!(a, c, "{attack:?} ignores the seed");
            let psnr = seer_imgproc::psnr_y(&image, &a, 0).unwrap();
            assert!(
                psnr < 35.0,
                "{attack:?} barely changes the image: {psnr:.1} dB"
            );
        }
    }

    #[test]
    fn print_lowers_contrast() {
        let image = gradient();
        let spread = |im: &RgbImage| {
            let l: Vec<f32> = im.pixels().map(|p| p.0[0] as f32).collect();
            let m = l.iter().sum::<f32>() / l.len() as f32;
            (l.iter().map(|v| (v - m) * (v - m)).sum::<f32>() / l.len() as f32).sqrt()
        };
        let printed = simulate(&image, Attack::Print, 1);
        assert!(spread(&printed) < 0.85 * spread(&image));
    }

    #[test]
    fn blur_keeps_a_constant_image() {
        let data = vec![0.5; 10 * 8 * 3];
        let out = blur(&data, 10, 8, 3, 2.0);
        assert!(out.iter().all(|v| (v - 0.5).abs() < 1e-5));
    }
}
