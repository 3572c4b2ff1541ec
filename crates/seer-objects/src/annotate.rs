//! Drawing found objects onto a picture: a box per object in a colour of
//! its class, labelled with the class and the track id.

use crate::video::FoundObject;
use image::{Rgb, RgbImage};
use seer_imgproc::{draw_rect, draw_text, text_size};

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
    let scale = (image.height() / 270).max(1);
    for o in objects {
        let c = colour(&o.class);
        let [x1, y1, x2, y2] = o.bbox;
        draw_rect(
            image,
            x1 as i64,
            y1 as i64,
            (x2 - x1).max(1.0) as u32,
            (y2 - y1).max(1.0) as u32,
            scale,
            c,
        );
        let label = match o.track {
            Some(id) => format!("{} {id}", o.class),
            None => o.class.clone(),
        };
        let (_, h) = text_size(&label, scale);
        draw_text(image, x1 as i64, y1 as i64 - i64::from(h), &label, scale, c);
    }
}
