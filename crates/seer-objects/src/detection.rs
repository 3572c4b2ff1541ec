//! What an object detector reports for one frame: [`Detection`] (a box in
//! pixels, a score, a class id), and the 80 COCO class names that class
//! ids refer to.

use seer_core::geometry::Rect;
use serde::{Deserialize, Serialize};

/// One detected object in one frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// The object's box, in image pixels.
    pub bbox: Rect,
    /// Detector confidence, 0..1.
    pub score: f32,
    /// Class id: an index into [`COCO_CLASSES`] for COCO detectors.
    pub class: u32,
}

impl Detection {
    /// A detection of class `class` with box `bbox` (pixels) and `score`
    /// (0..1).
    pub fn new(bbox: Rect, score: f32, class: u32) -> Detection {
        Detection { bbox, score, class }
    }

    /// True when the box and score are finite numbers, the box has a
    /// positive width and height and lies within ±1e6 pixels: the
    /// detections the tracker uses (others are skipped).
    pub fn is_usable(&self) -> bool {
        let b = &self.bbox;
        let finite = [b.x, b.y, b.width, b.height, self.score]
            .iter()
            .all(|v| v.is_finite() && v.abs() <= 1e6);
        finite && b.width > 0.0 && b.height > 0.0
    }
}

/// The 80 COCO object classes in the standard order of detectors trained
/// on COCO (class id = index).
pub const COCO_CLASSES: [&str; 80] = [
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
];

/// COCO class id of a person.
pub const PERSON: u32 = 0;
/// COCO class id of a bicycle.
pub const BICYCLE: u32 = 1;
/// COCO class id of a car.
pub const CAR: u32 = 2;

/// The COCO name of class `id`; `None` past the 80 classes.
pub fn class_name(id: u32) -> Option<&'static str> {
    COCO_CLASSES.get(id as usize).copied()
}

/// The COCO class id named `name` (exact, lower-case as in
/// [`COCO_CLASSES`]); `None` for an unknown name.
pub fn class_id(name: &str) -> Option<u32> {
    COCO_CLASSES
        .iter()
        .position(|&n| n == name)
        .map(|i| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip_in_the_standard_order() {
        assert_eq!(class_name(0), Some("person"));
        assert_eq!(class_name(CAR), Some("car"));
        assert_eq!(class_name(7), Some("truck"));
        assert_eq!(class_name(8), Some("boat"));
        assert_eq!(class_name(79), Some("toothbrush"));
        assert_eq!(class_name(80), None);
        assert_eq!(class_id("traffic light"), Some(9));
        assert_eq!(class_id("tv"), Some(62));
        assert_eq!(class_id("unicorn"), None);
        for id in 0..80 {
            assert_eq!(class_name(id).and_then(class_id), Some(id));
        }
    }

    #[test]
    fn unusable_detections_are_recognised() {
        let good = Detection::new(Rect::new(1.0, 2.0, 3.0, 4.0), 0.9, 0);
        assert!(good.is_usable());
        for bad in [
            Detection::new(Rect::new(f32::NAN, 2.0, 3.0, 4.0), 0.9, 0),
            Detection::new(Rect::new(1.0, 2.0, 0.0, 4.0), 0.9, 0),
            Detection::new(Rect::new(1.0, 2.0, 3.0, -4.0), 0.9, 0),
            Detection::new(Rect::new(1.0, 2.0, 3.0, 4.0), f32::NAN, 0),
            Detection::new(Rect::new(1.0, 2.0, f32::INFINITY, 4.0), 0.9, 0),
            Detection::new(Rect::new(1e9, 2.0, 3.0, 4.0), 0.9, 0),
        ] {
            assert!(!bad.is_usable(), "{bad:?}");
        }
    }
}
