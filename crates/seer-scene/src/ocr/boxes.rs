//! From the detector's probability map to text boxes: threshold,
//! 8-connected regions, the minimum-area rectangle of each with the mean
//! probability inside it as score, grown ("unclipped")
//! back to the full text and mapped to image pixels.

use super::detect::ProbabilityMap;
use super::quad::{min_area_rect, MinRect, Quad};

/// Regions whose box is thinner than this (map pixels) are noise.
const MIN_SIDE: f32 = 3.0;
/// Boxes thinner than this after growing (map pixels) are dropped.
const MIN_GROWN_SIDE: f32 = 5.0;

/// A text box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextBox {
    /// The box as found, possibly turned, oriented for reading (pixels).
    pub quad: Quad,
    /// Left edge of its bounds in pixels (within the image, as the
    /// other three).
    pub x1: f32,
    /// Top edge in pixels.
    pub y1: f32,
    /// Right edge in pixels.
    pub x2: f32,
    /// Bottom edge in pixels.
    pub y2: f32,
    /// Mean text probability inside the region's box, 0..1.
    pub score: f32,
}

/// How regions become boxes.
#[derive(Clone, Copy, Debug)]
pub struct BoxRules {
    /// Map pixels above this probability are text.
    pub pixel_threshold: f32,
    /// Boxes with a lower mean probability are dropped.
    pub box_threshold: f32,
    /// Growth distance = area · ratio / perimeter.
    pub unclip_ratio: f32,
}

/// The text boxes of `map`, in the pixels of an image of `image_size`
/// (width, height) that was resized to the map's size.
pub fn text_boxes(map: &ProbabilityMap, rules: &BoxRules, image_size: (u32, u32)) -> Vec<TextBox> {
    let sx = image_size.0 as f32 / map.width as f32;
    let sy = image_size.1 as f32 / map.height as f32;
    let (iw, ih) = (image_size.0 as f32, image_size.1 as f32);
    regions(map, rules.pixel_threshold)
        .into_iter()
        .filter_map(|r| {
            let rect = min_area_rect(&r.points)?;
            let (w, h) = (rect.extent, rect.cross_extent);
            if rect.short_side() < MIN_SIDE {
                return None;
            }
            let score = mean_inside(map, &r, &rect);
            if score < rules.box_threshold {
                return None;
            }
            let d = w * h * rules.unclip_ratio / (2.0 * (w + h));
            if rect.short_side() + 2.0 * d < MIN_GROWN_SIDE {
                return None;
            }
            let quad = rect.to_quad(d).scaled(sx, sy);
            let [x1, y1, x2, y2] = quad.bounds();
            let (x1, x2) = (x1.clamp(0.0, iw), x2.clamp(0.0, iw));
            let (y1, y2) = (y1.clamp(0.0, ih), y2.clamp(0.0, ih));
            (x2 > x1 && y2 > y1).then_some(TextBox {
                quad,
                x1,
                y1,
                x2,
                y2,
                score,
            })
        })
        .collect()
}

/// One connected region: its bounds (inclusive map pixel indices) and
/// the first and last pixel of each of its row runs (enough for the
/// convex hull).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Region {
    x1: usize,
    y1: usize,
    x2: usize,
    y2: usize,
    points: Vec<[i32; 2]>,
}

/// The 8-connected regions of pixels above `threshold`, in scan order.
fn regions(map: &ProbabilityMap, threshold: f32) -> Vec<Region> {
    let (w, h) = (map.width, map.height);
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut found = Vec::new();
    for start in 0..w * h {
        if seen[start] || map.data[start] <= threshold {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut r = Region {
            x1: start % w,
            y1: start / w,
            x2: start % w,
            y2: start / w,
            points: Vec::new(),
        };
        while let Some(at) = stack.pop() {
            let (x, y) = (at % w, at / w);
            let left_end = x == 0 || map.data[at - 1] <= threshold;
            let right_end = x + 1 == w || map.data[at + 1] <= threshold;
            if left_end || right_end {
                r.points.push([x as i32, y as i32]);
            }
            r.x1 = r.x1.min(x);
            r.x2 = r.x2.max(x);
            r.y1 = r.y1.min(y);
            r.y2 = r.y2.max(y);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let next = ny * w + nx;
                    if !seen[next] && map.data[next] > threshold {
                        seen[next] = true;
                        stack.push(next);
                    }
                }
            }
        }
        found.push(r);
    }
    found
}

/// Mean probability over the map pixels of the region's bounds that lie
/// in its minimum-area rectangle (for an upright rectangle: all of them).
fn mean_inside(map: &ProbabilityMap, r: &Region, rect: &MinRect) -> f32 {
    let [u0, u1] = rect.axis;
    let (half_u, half_v) = (0.5 * rect.extent + 0.5, 0.5 * rect.cross_extent + 0.5);
    let (mut sum, mut count) = (0.0f64, 0usize);
    for y in r.y1..=r.y2 {
        for x in r.x1..=r.x2 {
            let (dx, dy) = (x as f32 - rect.centre[0], y as f32 - rect.centre[1]);
            let (pu, pv) = (dx * u0 + dy * u1, -dx * u1 + dy * u0);
            if pu.abs() <= half_u && pv.abs() <= half_v {
                sum += f64::from(map.at(x, y));
                count += 1;
            }
        }
    }
    if count == 0 {
        return 0.0;
    }
    (sum / count as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_with(
        width: usize,
        height: usize,
        rects: &[(usize, usize, usize, usize)],
    ) -> ProbabilityMap {
        let mut data = vec![0.0; width * height];
        for &(x1, y1, x2, y2) in rects {
            for y in y1..=y2 {
                for x in x1..=x2 {
                    data[y * width + x] = 0.9;
                }
            }
        }
        ProbabilityMap {
            width,
            height,
            data,
        }
    }

    const RULES: BoxRules = BoxRules {
        pixel_threshold: 0.3,
        box_threshold: 0.5,
        unclip_ratio: 1.6,
    };

    #[test]
    fn one_region_is_grown_and_scaled_to_the_image() {
        let map = map_with(64, 32, &[(10, 10, 50, 18)]);
        let boxes = text_boxes(&map, &RULES, (128, 64));
        assert_eq!(boxes.len(), 1);
        let b = boxes[0];
        // 40 x 8 region: d = 320 * 1.6 / 96 = 5.33 map pixels.
        let d = 40.0 * 8.0 * 1.6 / 96.0;
        assert!((b.x1 - (10.0 - d) * 2.0).abs() < 1e-3, "{b:?}");
        assert!((b.y2 - (18.0 + d) * 2.0).abs() < 1e-3, "{b:?}");
        assert!((b.score - 0.9).abs() < 1e-5);
    }

    #[test]
    fn separate_regions_specks_and_empty_maps() {
        let map = map_with(64, 32, &[(2, 2, 20, 8), (30, 20, 60, 28), (40, 2, 41, 3)]);
        assert_eq!(
            text_boxes(&map, &RULES, (64, 32)).len(),
            2,
            "the speck is dropped"
        );
        let empty = map_with(64, 32, &[]);
        assert!(text_boxes(&empty, &RULES, (64, 32)).is_empty());
    }

    #[test]
    fn diagonal_neighbours_join_one_region() {
        let map = map_with(16, 16, &[(1, 1, 4, 4), (5, 5, 8, 8)]);
        assert_eq!(regions(&map, 0.3).len(), 1);
    }
}
