//! Drawing found objects onto a picture: a box per object in a colour of
//! its class, labelled with the class and the track id.

use crate::video::FoundObject;
use image::{Rgb, RgbImage};
use seer_imgproc::{draw_labelled_box, label_scale};

/// A distinct colour per class name (stable from run to run).
fn colour(class: &str) -> Rgb<u8> {
    const PALETTE: [[u8; 3]; 8] = [
        [40, 220, 60],
        [255, 160, 0],
        [60, 160, 255],
        [240, 60, 200],
        [255, 240, 40],
        [40, 230, 230],
        [255, 90, 60],
        [170, 120, 255],
    ];
    let hash = class
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    Rgb(PALETTE[hash as usize % PALETTE.len()])
}

/// Draws every object of `objects` onto `image`.
pub fn draw_objects(image: &mut RgbImage, objects: &[FoundObject]) {
    let scale = label_scale(image);
    for o in objects {
        let label = match o.track {
            Some(id) => format!("{} {id}", o.class),
            None => o.class.clone(),
        };
        draw_labelled_box(image, o.bbox, &label, scale, scale, colour(&o.class));
    }
}
