//! Privacy blur on real photos: after blurring, the detector no longer
//! finds the faces (pixelated ones no longer match the person's
//! descriptor), the faces' high-frequency energy drops by a large
//! factor (blur) or they hold only a few flat colours (pixelate), and every pixel outside the expanded boxes is unchanged.

mod common;

use common::*;
use image::RgbImage;
use seer_core::geometry::Rect;
use seer_face::blur::expanded;
use seer_face::{blur_faces, BlurOptions, BlurStyle, DetectOptions, SAME_PERSON_DISTANCE};

/// Sum of squared differences between horizontal and vertical neighbours
/// inside `r` (clipped to the image).
fn energy(image: &RgbImage, r: &Rect) -> f64 {
    let x0 = r.x.max(0.0) as u32;
    let y0 = r.y.max(0.0) as u32;
    let x1 = (r.right() as u32).min(image.width() - 1);
    let y1 = (r.bottom() as u32).min(image.height() - 1);
    let mut e = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = image.get_pixel(x, y).0;
            for q in [image.get_pixel(x + 1, y).0, image.get_pixel(x, y + 1).0] {
                e += (0..3)
                    .map(|c| (p[c] as f64 - q[c] as f64).powi(2))
                    .sum::<f64>();
            }
        }
    }
    e
}

/// Distinct colours inside `r`.
fn colours(image: &RgbImage, r: &Rect) -> usize {
    let mut set = std::collections::HashSet::new();
    for y in r.y.max(0.0) as u32..(r.bottom() as u32).min(image.height()) {
        for x in r.x.max(0.0) as u32..(r.right() as u32).min(image.width()) {
            set.insert(image.get_pixel(x, y).0);
        }
    }
    set.len()
}

#[test]
fn blurred_faces_are_no_longer_found_and_the_rest_is_untouched() {
    let mut detector = detector();
    let mut embedder = embedder();
    let options = DetectOptions {
        small_faces: true,
        ..Default::default()
    };
    for file in ["two_people.jpg", "obama_and_biden.jpg", "kit_with_rose.jpg"] {
        for style in [BlurStyle::Blur, BlurStyle::Pixelate] {
            let original = seer_imgproc::load_rgb(&faces_dir().join("probes").join(file)).unwrap();
            let faces = detector.detect(&original, &options).unwrap();
            assert!(faces.len() >= 2, "{file}: {} faces", faces.len());
            let boxes: Vec<Rect> = faces.iter().map(|f| f.bbox).collect();
            let blur = BlurOptions {
                style,
                ..Default::default()
            };
            let mut image = original.clone();
            blur_faces(&mut image, &boxes, &blur);

            let grown: Vec<Rect> = boxes.iter().map(|b| expanded(b, blur.expand)).collect();
            let mut changed_outside = 0;
            for (x, y, p) in image.enumerate_pixels() {
                let (cx, cy) = (x as f32 + 0.5, y as f32 + 0.5);
                let inside = grown.iter().any(|r| {
                    cx >= r.x.floor()
                        && cx < r.right().ceil()
                        && cy >= r.y.floor()
                        && cy < r.bottom().ceil()
                });
                if !inside && p != original.get_pixel(x, y) {
                    changed_outside += 1;
                }
            }
            assert_eq!(changed_outside, 0, "{file} {style:?}");

            for b in &boxes {
                match style {
                    BlurStyle::Blur => {
                        let (before, after) = (energy(&original, b), energy(&image, b));
                        eprintln!(
                            "{file}: energy {before:.3e} -> {after:.3e} ({:.0}x)",
                            before / after.max(1.0)
                        );
                        assert!(after * 20.0 < before, "{file}: {before} -> {after}");
                    }
                    BlurStyle::Pixelate => {
                        // Flat blocks: a handful of colours where there were thousands.
                        let (before, after) = (colours(&original, b), colours(&image, b));
                        eprintln!("{file}: {before} colours -> {after}");
                        assert!(before > 1000 && after <= 150, "{file}: {before} -> {after}");
                    }
                }
            }
            let again = detector.detect(&image, &options).unwrap();
            for (face, b) in faces.iter().zip(&boxes) {
                let refound: Vec<_> = again.iter().filter(|f| f.bbox.iou(b) > 0.3).collect();
                match style {
                    // Blurred faces are not faces any more.
                    BlurStyle::Blur => assert!(
                        refound.is_empty(),
                        "{file}: a blurred face at {b:?} is still found"
                    ),
                    // A coarse mosaic can still look like a face to the
                    // detector, but no longer like the person.
                    BlurStyle::Pixelate => {
                        let before = embedder.embed(&original, face).unwrap();
                        let after = embedder.embed(&image, face).unwrap();
                        let d = before.distance(&after);
                        eprintln!("{file}: pixelated face found again: {}, distance to the original {d:.3}", refound.len());
                        assert!(
                            d > SAME_PERSON_DISTANCE,
                            "{file}: pixelated face still matches ({d})"
                        );
                    }
                }
            }
        }
    }
}
