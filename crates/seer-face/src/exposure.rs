//! Exposure normalisation: CLAHE (contrast-limited adaptive histogram
//! equalisation) on luminance, applied when an image is under- or
//! over-exposed.
//!
//! Luma is BT.601 (0..255). The image is split into a grid of tiles; each
//! tile's luma histogram is clipped at `clip_limit` × the mean bin count
//! (the excess is spread over all bins) and turned into a mapping by its
//! cumulative sum; every pixel's new luma is the bilinear blend of the
//! mappings of the four nearest tile centres. Colour is kept by scaling R,
//! G and B by the pixel's luma gain (capped at [`MAX_GAIN`]).

use image::RgbImage;
use serde::{Deserialize, Serialize};

/// When to normalise exposure before detection or embedding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExposureMode {
    /// Never.
    #[default]
    Off,
    /// Only when [`is_badly_exposed`] says the image is too dark or bright.
    Auto,
    /// Always.
    Always,
}

/// Mean luma (0..1) under which an image counts as under-exposed.
pub const DARK_MEAN_LUMA: f32 = 0.25;

/// Mean luma (0..1) over which an image counts as over-exposed.
pub const BRIGHT_MEAN_LUMA: f32 = 0.80;

/// Largest factor by which a pixel's R, G and B are multiplied.
pub const MAX_GAIN: f32 = 8.0;

/// CLAHE settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClaheOptions {
    /// Tiles across the longer side of the image (the shorter side gets
    /// proportionally fewer, at least 1).
    pub tiles: u32,
    /// Histogram bins are clipped at this multiple of the mean bin count
    /// (1 = no equalisation, larger = stronger). Default 2.5.
    pub clip_limit: f32,
}

impl Default for ClaheOptions {
    fn default() -> Self {
        ClaheOptions {
            tiles: 8,
            clip_limit: 2.5,
        }
    }
}

/// `v` (non-negative) rounded to the nearest integer and saturated to
/// 0..255; `+ 0.5` and truncation avoid a call to `roundf` per pixel on
/// baseline x86-64, where it was a third of CLAHE's time.
fn to_u8(v: f32) -> u8 {
    (v + 0.5).clamp(0.0, 255.0) as u8
}

/// BT.601 luma of an RGB pixel, 0..255.
fn luma(p: [u8; 3]) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// Mean luma of `image`, 0 (black) .. 1 (white); 0 for an empty image.
pub fn mean_luma(image: &RgbImage) -> f32 {
    let n = image.width() as f64 * image.height() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let sum: f64 = image.pixels().map(|p| luma(p.0) as f64).sum();
    (sum / n / 255.0) as f32
}

/// True when the mean luma is under [`DARK_MEAN_LUMA`] or over
/// [`BRIGHT_MEAN_LUMA`].
pub fn is_badly_exposed(image: &RgbImage) -> bool {
    let m = mean_luma(image);
    !(DARK_MEAN_LUMA..=BRIGHT_MEAN_LUMA).contains(&m)
}

/// `image` normalised as `mode` says: a CLAHE copy when it applies, `None`
/// when the image should be used as it is.
pub fn normalise(image: &RgbImage, mode: ExposureMode) -> Option<RgbImage> {
    match mode {
        ExposureMode::Off => None,
        ExposureMode::Auto if !is_badly_exposed(image) => None,
        _ => Some(clahe(image, &ClaheOptions::default())),
    }
}

/// CLAHE on the luma of `image`; colour follows by the luma gain.
pub fn clahe(image: &RgbImage, options: &ClaheOptions) -> RgbImage {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 {
        return image.clone();
    }
    let lum: Vec<f32> = image.pixels().map(|p| luma(p.0)).collect();
    let quantised: Vec<u8> = lum.iter().map(|&v| to_u8(v)).collect();
    let equalised = clahe_plane(&quantised, w as usize, h as usize, options);
    let mut out = image.clone();
    for (i, p) in out.pixels_mut().enumerate() {
        let gain = ((equalised[i] as f32 + 0.5) / (lum[i] + 0.5)).min(MAX_GAIN);
        for c in p.0.iter_mut() {
            *c = to_u8(*c as f32 * gain);
        }
    }
    out
}

/// CLAHE of a `w`×`h` 8-bit plane (row-major).
pub fn clahe_plane(plane: &[u8], w: usize, h: usize, options: &ClaheOptions) -> Vec<u8> {
    if w == 0 || h == 0 || plane.len() < w * h {
        return plane.to_vec();
    }
    let longer = w.max(h) as f32;
    let per_side = |len: usize| {
        ((options.tiles.max(1) as f32 * len as f32 / longer).round() as usize).clamp(1, len)
    };
    let (gx, gy) = (per_side(w), per_side(h));
    // Tile t on an axis of length `len` with `g` tiles covers
    // [t·len/g, (t+1)·len/g).
    let bounds = |t: usize, g: usize, len: usize| (t * len / g, (t + 1) * len / g);
    let mut maps = vec![[0u8; 256]; gx * gy];
    for ty in 0..gy {
        let (y0, y1) = bounds(ty, gy, h);
        for tx in 0..gx {
            let (x0, x1) = bounds(tx, gx, w);
            let mut hist = [0u32; 256];
            for y in y0..y1 {
                for &v in &plane[y * w + x0..y * w + x1] {
                    hist[v as usize] += 1;
                }
            }
            let count = ((y1 - y0) * (x1 - x0)) as u32;
            maps[ty * gx + tx] = tile_mapping(&hist, count, options.clip_limit);
        }
    }
    // Tile centres in pixel coordinates.
    let centre = |t: usize, g: usize, len: usize| {
        let (a, b) = bounds(t, g, len);
        (a + b) as f32 / 2.0
    };
    let cx: Vec<f32> = (0..gx).map(|t| centre(t, gx, w)).collect();
    let cy: Vec<f32> = (0..gy).map(|t| centre(t, gy, h)).collect();
    // For a coordinate: the two neighbouring tile indices and the weight of
    // the second.
    let neighbours = |p: f32, centres: &[f32]| -> (usize, usize, f32) {
        let last = centres.len() - 1;
        if p <= centres[0] {
            return (0, 0, 0.0);
        }
        if p >= centres[last] {
            return (last, last, 0.0);
        }
        let i = centres
            .iter()
            .rposition(|&c| c <= p)
            .unwrap_or(0)
            .min(last - 1);
        let t = (p - centres[i]) / (centres[i + 1] - centres[i]);
        (i, i + 1, t)
    };
    let xs: Vec<(usize, usize, f32)> = (0..w).map(|x| neighbours(x as f32 + 0.5, &cx)).collect();
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        let (y0, y1, ty) = neighbours(y as f32 + 0.5, &cy);
        for x in 0..w {
            let (x0, x1, tx) = xs[x];
            let v = plane[y * w + x] as usize;
            let m = |gx_i: usize, gy_i: usize| maps[gy_i * gx + gx_i][v] as f32;
            let top = m(x0, y0) * (1.0 - tx) + m(x1, y0) * tx;
            let bottom = m(x0, y1) * (1.0 - tx) + m(x1, y1) * tx;
            out[y * w + x] = to_u8(top * (1.0 - ty) + bottom * ty);
        }
    }
    out
}

/// The clipped-histogram equalisation mapping of one tile of `count` pixels.
fn tile_mapping(hist: &[u32; 256], count: u32, clip_limit: f32) -> [u8; 256] {
    let mut map = [0u8; 256];
    if count == 0 {
        for (v, m) in map.iter_mut().enumerate() {
            *m = v as u8;
        }
        return map;
    }
    let limit = (clip_limit.max(1.0) * count as f32 / 256.0).max(1.0);
    let mut clipped = [0f32; 256];
    let mut excess = 0.0f32;
    for (c, &n) in clipped.iter_mut().zip(hist) {
        let n = n as f32;
        *c = n.min(limit);
        excess += n - *c;
    }
    let share = excess / 256.0;
    let mut cdf = 0.0f32;
    for (m, c) in map.iter_mut().zip(clipped) {
        cdf += c + share;
        *m = (cdf * 255.0 / count as f32).round().clamp(0.0, 255.0) as u8;
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn std_dev(plane: &[u8]) -> f32 {
        let n = plane.len() as f32;
        let mean = plane.iter().map(|&v| v as f32).sum::<f32>() / n;
        (plane
            .iter()
            .map(|&v| (v as f32 - mean).powi(2))
            .sum::<f32>()
            / n)
            .sqrt()
    }

    #[test]
    fn a_uniform_image_stays_uniform() {
        let image = RgbImage::from_pixel(97, 61, Rgb([40, 40, 40]));
        let out = clahe(&image, &ClaheOptions::default());
        let first = *out.get_pixel(0, 0);
        assert!(out.pixels().all(|p| *p == first), "not uniform");
    }

    #[test]
    fn a_dark_low_contrast_texture_gains_contrast_and_brightness() {
        // Luma 10..30 in stripes 16 px wide: a dim, flat image (measured:
        // standard deviation 7.0 → 12.3).
        let image = RgbImage::from_fn(200, 100, |x, y| {
            let v = 20.0 + 10.0 * ((x + y / 3) as f32 * std::f32::consts::PI / 8.0).sin();
            let v = v.round() as u8;
            Rgb([v, v, v])
        });
        let before: Vec<u8> = image.pixels().map(|p| p.0[0]).collect();
        let out = clahe(&image, &ClaheOptions::default());
        let after: Vec<u8> = out.pixels().map(|p| p.0[0]).collect();
        assert!(
            std_dev(&after) > 1.5 * std_dev(&before),
            "{} vs {}",
            std_dev(&after),
            std_dev(&before)
        );
        assert!(mean_luma(&out) > 1.5 * mean_luma(&image));
    }

    #[test]
    fn one_tile_equalisation_keeps_the_order_of_values() {
        let plane: Vec<u8> = (0..64 * 64).map(|i| ((i * 37) % 50) as u8).collect();
        let options = ClaheOptions {
            tiles: 1,
            clip_limit: 2.5,
        };
        let out = clahe_plane(&plane, 64, 64, &options);
        for i in 0..plane.len() {
            for j in 0..50 {
                if plane[i] < plane[j] {
                    assert!(out[i] <= out[j]);
                }
            }
        }
        assert!(out.iter().max() > plane.iter().max());
    }

    #[test]
    fn colour_follows_the_luma_gain() {
        let image = RgbImage::from_fn(64, 64, |x, y| Rgb([(x / 2) as u8, (y / 4) as u8, 5]));
        let out = clahe(&image, &ClaheOptions::default());
        let p = out.get_pixel(60, 8).0;
        // Red stays the strongest channel.
        assert!(p[0] > p[1] && p[0] > p[2], "{p:?}");
    }

    #[test]
    fn only_badly_exposed_images_are_normalised_in_auto_mode() {
        let dark = RgbImage::from_pixel(32, 32, Rgb([20, 20, 20]));
        let mid = RgbImage::from_pixel(32, 32, Rgb([128, 128, 128]));
        let bright = RgbImage::from_pixel(32, 32, Rgb([240, 240, 240]));
        assert!(normalise(&dark, ExposureMode::Auto).is_some());
        assert!(normalise(&bright, ExposureMode::Auto).is_some());
        assert!(normalise(&mid, ExposureMode::Auto).is_none());
        assert!(normalise(&mid, ExposureMode::Always).is_some());
        assert!(normalise(&dark, ExposureMode::Off).is_none());
    }
}
