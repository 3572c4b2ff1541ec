//! Per-frame features on the shrunk analysis picture: a colour histogram,
//! the mean luminance, a tiny RGB thumbnail (for the linear-mix test of
//! dissolves and the flash test) and a luma gradient map (for the change
//! of edges between consecutive frames).

use image::RgbImage;

/// Bins of hue, saturation and value in the HSV histogram.
pub(crate) const HUE_BINS: usize = 16;
/// Bins of saturation.
pub(crate) const SAT_BINS: usize = 8;
/// Bins of value.
pub(crate) const VAL_BINS: usize = 8;
/// Width of the stored thumbnail in pixels.
pub(crate) const THUMB_WIDTH: u32 = 32;

/// What is kept of one frame for the whole analysis (about 1.8 KB).
#[derive(Clone, Debug)]
pub(crate) struct FrameFeatures {
    /// HSV histogram: hue, saturation and value bins one after the other,
    /// each part summing to 1.
    pub hist: Vec<f32>,
    /// Mean luminance (BT.601 luma), 0 (black) to 1 (white).
    pub luma: f32,
    /// RGB thumbnail, [`THUMB_WIDTH`] pixels wide, values 0–1, row-major.
    pub thumb: Vec<f32>,
}

/// What is used only to compare a frame with the next one.
#[derive(Clone, Debug)]
pub(crate) struct FramePlanes {
    /// Luma of the analysis picture, 0–1, row-major.
    pub luma: Vec<f32>,
    /// Gradient magnitude of the analysis luma (|dx| + |dy| of central
    /// differences, 0 on the border), row-major.
    pub edges: Vec<f32>,
    /// Width of the analysis picture in pixels.
    pub width: usize,
    /// Height of the analysis picture in pixels.
    pub height: usize,
}

/// Shrinks `image` to `width` pixels wide (height keeping the aspect, at
/// least 1) by averaging the source pixels that fall into each target
/// pixel: fast and alias-free for large reductions.
pub(crate) fn shrink(image: &RgbImage, width: u32) -> RgbImage {
    let (sw, sh) = image.dimensions();
    let tw = width.clamp(1, sw.max(1));
    let th = ((u64::from(sh) * u64::from(tw) / u64::from(sw.max(1))) as u32).max(1);
    let mut sums = vec![[0u32; 4]; (tw * th) as usize];
    for y in 0..sh {
        let ty = (u64::from(y) * u64::from(th) / u64::from(sh)) as usize;
        let row = ty * tw as usize;
        for x in 0..sw {
            let tx = (u64::from(x) * u64::from(tw) / u64::from(sw)) as usize;
            let p = image.get_pixel(x, y).0;
            let cell = &mut sums[row + tx];
            cell[0] += u32::from(p[0]);
            cell[1] += u32::from(p[1]);
            cell[2] += u32::from(p[2]);
            cell[3] += 1;
        }
    }
    let mut out = RgbImage::new(tw, th);
    for (pixel, cell) in out.pixels_mut().zip(&sums) {
        let n = cell[3].max(1);
        pixel.0 = [
            ((cell[0] + n / 2) / n) as u8,
            ((cell[1] + n / 2) / n) as u8,
            ((cell[2] + n / 2) / n) as u8,
        ];
    }
    out
}

/// BT.601 luma of an RGB pixel, 0–1.
fn luma_of(p: [u8; 3]) -> f32 {
    (0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])) / 255.0
}

/// Hue (0–1), saturation (0–1) and value (0–1) of an RGB pixel.
fn hsv_of(p: [u8; 3]) -> (f32, f32, f32) {
    let [r, g, b] = p.map(|c| f32::from(c) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    let hue = if delta <= f32::EPSILON {
        0.0
    } else if max == r {
        ((g - b) / delta).rem_euclid(6.0) / 6.0
    } else if max == g {
        ((b - r) / delta + 2.0) / 6.0
    } else {
        ((r - g) / delta + 4.0) / 6.0
    };
    let sat = if max <= f32::EPSILON {
        0.0
    } else {
        delta / max
    };
    (hue, sat, max)
}

fn bin(value: f32, bins: usize) -> usize {
    ((value * bins as f32) as usize).min(bins - 1)
}

/// The HSV histogram of `image` (see [`FrameFeatures::hist`]). Hue counts
/// only pixels with some colour (saturation and value above 0.1), weighted
/// so that grey pictures do not all fall into the red bin.
fn histogram(image: &RgbImage) -> Vec<f32> {
    let mut hist = vec![0f32; HUE_BINS + SAT_BINS + VAL_BINS];
    let mut hue_total = 0f32;
    for p in image.pixels() {
        let (h, s, v) = hsv_of(p.0);
        if s > 0.1 && v > 0.1 {
            hist[bin(h, HUE_BINS)] += 1.0;
            hue_total += 1.0;
        }
        hist[HUE_BINS + bin(s, SAT_BINS)] += 1.0;
        hist[HUE_BINS + SAT_BINS + bin(v, VAL_BINS)] += 1.0;
    }
    let n = image.pixels().len().max(1) as f32;
    for h in &mut hist[..HUE_BINS] {
        *h /= hue_total.max(1.0);
    }
    for h in &mut hist[HUE_BINS..] {
        *h /= n;
    }
    hist
}

/// Features and planes of one analysis picture.
pub(crate) fn analyse(small: &RgbImage) -> (FrameFeatures, FramePlanes) {
    let (w, h) = (small.width() as usize, small.height() as usize);
    let luma: Vec<f32> = small.pixels().map(|p| luma_of(p.0)).collect();
    let mean = luma.iter().sum::<f32>() / luma.len().max(1) as f32;
    let thumb_image = shrink(small, THUMB_WIDTH);
    let thumb = thumb_image
        .pixels()
        .flat_map(|p| p.0.map(|c| f32::from(c) / 255.0))
        .collect();
    let edges = edge_map(&luma, w, h);
    (
        FrameFeatures {
            hist: histogram(small),
            luma: mean,
            thumb,
        },
        FramePlanes {
            luma,
            edges,
            width: w,
            height: h,
        },
    )
}

fn edge_map(luma: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut edges = vec![0f32; w * h];
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let i = y * w + x;
            let dx = luma[i + 1] - luma[i - 1];
            let dy = luma[i + w] - luma[i - w];
            edges[i] = dx.abs() + dy.abs();
        }
    }
    edges
}

/// Half the L1 distance between two histograms, averaged over the hue,
/// saturation and value parts: 0 (same) to 1 (disjoint).
pub(crate) fn hist_distance(a: &[f32], b: &[f32]) -> f32 {
    let part = |range: std::ops::Range<usize>| -> f32 {
        range.map(|i| (a[i] - b[i]).abs()).sum::<f32>() / 2.0
    };
    (part(0..HUE_BINS)
        + part(HUE_BINS..HUE_BINS + SAT_BINS)
        + part(HUE_BINS + SAT_BINS..HUE_BINS + SAT_BINS + VAL_BINS))
        / 3.0
}

/// Mean absolute difference of two thumbnails (0–1).
pub(crate) fn thumb_distance(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()).max(1) as f32;
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / n
}

/// The change between two consecutive frames.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Change {
    /// [`hist_distance`] of the two frames, 0–1.
    pub hist: f32,
    /// Mean absolute luma difference of the analysis pictures, 0–1.
    pub pixels: f32,
    /// Edge change: the summed absolute difference of the two gradient
    /// maps over their summed magnitudes, 0 (same edges) to 1 (disjoint).
    /// Soft, so that a dissolve changes it gradually.
    pub edges: f32,
}

impl Change {
    /// The single content-change score the cut detector uses, 0–1.
    pub fn score(&self) -> f32 {
        (self.hist + 2.0 * self.pixels + self.edges) / 3.0
    }
}

/// The change from `prev` to `next` (same analysis size; otherwise the
/// pictures count as entirely different).
pub(crate) fn change(
    prev: (&FrameFeatures, &FramePlanes),
    next: (&FrameFeatures, &FramePlanes),
) -> Change {
    let hist = hist_distance(&prev.0.hist, &next.0.hist);
    let (a, b) = (prev.1, next.1);
    if (a.width, a.height) != (b.width, b.height) {
        return Change {
            hist,
            pixels: 1.0,
            edges: 1.0,
        };
    }
    let n = a.luma.len().max(1) as f32;
    let pixels = a
        .luma
        .iter()
        .zip(&b.luma)
        .map(|(x, y)| (x - y).abs())
        .sum::<f32>()
        / n;
    let edges = edge_change(a, b);
    Change {
        hist,
        pixels,
        edges,
    }
}

/// See [`Change::edges`].
fn edge_change(a: &FramePlanes, b: &FramePlanes) -> f32 {
    let mut diff = 0f32;
    let mut total = 0f32;
    for (x, y) in a.edges.iter().zip(&b.edges) {
        diff += (x - y).abs();
        total += x + y;
    }
    if total <= f32::EPSILON {
        0.0
    } else {
        diff / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrink_averages_blocks_and_keeps_the_aspect() {
        let image = RgbImage::from_fn(640, 360, |x, _| {
            if x % 2 == 0 {
                image::Rgb([0, 0, 0])
            } else {
                image::Rgb([200, 100, 50])
            }
        });
        let small = shrink(&image, 64);
        assert_eq!(small.dimensions(), (64, 36));
        assert_eq!(small.get_pixel(10, 10).0, [100, 50, 25]);
    }

    #[test]
    fn histogram_parts_sum_to_one_and_distance_is_bounded() {
        let red = RgbImage::from_pixel(8, 8, image::Rgb([220, 10, 10]));
        let blue = RgbImage::from_pixel(8, 8, image::Rgb([10, 10, 220]));
        let (a, _) = analyse(&red);
        let (b, _) = analyse(&blue);
        let hue: f32 = a.hist[..HUE_BINS].iter().sum();
        assert!((hue - 1.0).abs() < 1e-5, "{hue}");
        assert_eq!(hist_distance(&a.hist, &a.hist), 0.0);
        let d = hist_distance(&a.hist, &b.hist);
        assert!(d > 0.3 && d <= 1.0, "{d}");
    }
}
