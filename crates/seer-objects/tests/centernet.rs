//! CenterNet on real frames: hand-labelled cars on the shared dashcam
//! frames (960×540) found with the right class and a tight box, the people
//! of a photo found as persons, and no person invented on empty roads.
//! Boxes were checked by eye on the frames with the detections drawn.

use seer_core::geometry::Rect;
use seer_objects::{CenterNet, CenterNetOptions, Detection};

/// COCO class ids used here.
const PERSON: u32 = 0;
const CAR: u32 = 2;

fn frame(name: &str) -> image::RgbImage {
    seer_imgproc::load_rgb(&seer_testdata::path(&format!(
        "drive/test_images/{name}.jpg"
    )))
    .unwrap()
}

fn detector(size: (u32, u32)) -> CenterNet {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    CenterNet::open(&store, size, &CenterNetOptions::default()).unwrap()
}

/// The best IoU of `truth` with a detection of `class`.
fn best_iou(found: &[Detection], truth: Rect, class: u32) -> f32 {
    found
        .iter()
        .filter(|d| d.class == class)
        .map(|d| d.bbox.iou(&truth))
        .fold(0.0, f32::max)
}

/// x1, y1, x2, y2 in pixels.
fn corners(x1: f32, y1: f32, x2: f32, y2: f32) -> Rect {
    Rect::new(x1, y1, x2 - x1, y2 - y1)
}

#[test]
fn hand_labelled_cars_are_found_with_tight_boxes() {
    let mut net = detector((960, 540));
    assert_eq!(net.input_size(), (800, 448));
    // Labelled by eye on the frames (the nearest, unoccluded cars).
    let labelled = [
        ("solidWhiteRight", corners(0.0, 293.0, 90.0, 362.0)),
        ("solidWhiteCurve", corners(103.0, 300.0, 186.0, 350.0)),
        ("solidWhiteCurve", corners(188.0, 303.0, 277.0, 350.0)),
        ("solidYellowCurve", corners(834.0, 292.0, 927.0, 349.0)),
        ("solidYellowLeft", corners(838.0, 296.0, 897.0, 327.0)),
    ];
    for (name, truth) in labelled {
        let found = net.detect(&frame(name)).unwrap();
        let iou = best_iou(&found, truth, CAR);
        println!("{name}: car {truth:?} best IoU {iou:.3}");
        assert!(
            iou >= 0.7,
            "{name}: car {truth:?} best IoU {iou:.3} in {found:?}"
        );
    }
}

#[test]
fn the_dashcam_frames_show_cars_and_no_people() {
    let mut net = detector((960, 540));
    let mut cars = 0;
    for name in [
        "solidWhiteRight",
        "solidWhiteCurve",
        "solidYellowCurve",
        "solidYellowCurve2",
        "solidYellowLeft",
        "whiteCarLaneSwitch",
    ] {
        let found = net.detect(&frame(name)).unwrap();
        assert!(
            found.iter().all(|d| d.class != PERSON),
            "{name}: a person on an empty highway: {found:?}"
        );
        for d in &found {
            assert!(d.bbox.x >= 0.0 && d.bbox.y >= 0.0);
            assert!(d.bbox.right() <= 960.0 && d.bbox.bottom() <= 540.0);
            assert!((0.3..=1.0).contains(&d.score));
        }
        cars += found.iter().filter(|d| d.class == CAR).count();
    }
    // 30 cars counted by eye over the six frames at this threshold.
    println!("cars over six frames: {cars}");
    assert!((24..=34).contains(&cars), "{cars} cars");
}

#[test]
fn the_four_people_of_a_photo_are_persons() {
    let image =
        seer_imgproc::load_rgb(&seer_testdata::faces().join("probes/obama_and_biden.jpg")).unwrap();
    let mut net = detector(image.dimensions());
    let found = net.detect(&image).unwrap();
    let people: Vec<&Detection> = found.iter().filter(|d| d.class == PERSON).collect();
    println!("{:?} people: {people:?}", image.dimensions());
    // Two men who fill the photo, a girl in front and a woman cut by the
    // right edge (checked by eye on the drawn boxes).
    assert_eq!(people.len(), 4, "{found:?}");
    // The men: two large person boxes, side by side.
    let area = (image.width() * image.height()) as f32;
    let large: Vec<&&Detection> = people
        .iter()
        .filter(|p| p.bbox.area() > area * 0.2)
        .collect();
    assert_eq!(large.len(), 2, "{people:?}");
    assert!(large[0].bbox.iou(&large[1].bbox) < 0.5, "{large:?}");
    let mut lefts: Vec<f32> = large.iter().map(|p| p.bbox.x).collect();
    lefts.sort_by(f32::total_cmp);
    assert!(lefts[0] < 400.0 && lefts[1] > 800.0, "{large:?}");
}

#[test]
fn a_frame_of_another_size_is_fitted_not_refused() {
    let mut net = detector((960, 540));
    let small = image::imageops::resize(
        &frame("solidWhiteCurve"),
        480,
        270,
        image::imageops::FilterType::Triangle,
    );
    let found = net.detect(&small).unwrap();
    // The big car of the full frame, at half scale.
    let iou = best_iou(&found, corners(94.0, 151.5, 138.5, 175.0), CAR);
    assert!(
        iou >= 0.6,
        "half-size frame: best IoU {iou:.3} in {found:?}"
    );
    let empty = image::RgbImage::new(0, 0);
    assert!(net.detect(&empty).is_err());
}
