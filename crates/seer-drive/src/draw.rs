//! Drawing a frame's perception onto it: every road user's box with its
//! distance, the lead vehicle highlighted with its time-to-collision, the
//! ego lane's lines, a red banner while the forward-collision warning is
//! on and an orange one while the lane-departure warning is.

use crate::perception::DriveFrame;
use image::{Rgb, RgbImage};
use seer_imgproc::{draw_labelled_box, draw_text, label_scale};

const GREEN: Rgb<u8> = Rgb([40, 220, 60]);
const ORANGE: Rgb<u8> = Rgb([255, 160, 0]);
const RED: Rgb<u8> = Rgb([230, 20, 20]);
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);

/// Draws a lane line as dots along its image polynomial over the rows it
/// covers.
fn draw_lane(image: &mut RgbImage, line: &crate::lanes::LaneLine, colour: Rgb<u8>, radius: f32) {
    let [top, bottom] = line.rows;
    if !(top.is_finite() && bottom.is_finite()) {
        return;
    }
    let mut y = top.max(0.0);
    while y <= bottom.min(f64::from(image.height())) {
        let x = line.x_at_row(y);
        if x.is_finite() {
            seer_imgproc::draw_dot(image, x as f32, y as f32, radius, colour);
        }
        y += 3.0;
    }
}

/// Draws `text` centred at the top of the frame, twice the label size,
/// on a full-width bar of `bar` when given.
fn banner(image: &mut RgbImage, text: &str, scale: u32, colour: Rgb<u8>, bar: Option<Rgb<u8>>) {
    let big = scale * 2;
    if let Some(bar) = bar {
        let width = i64::from(image.width());
        seer_imgproc::text::fill(image, 0, 0, width, i64::from(9 * big), bar);
    }
    let (w, _) = seer_imgproc::text_size(text, big);
    let x = (i64::from(image.width()) - i64::from(w)) / 2;
    draw_text(image, x, i64::from(big), text, big, colour);
}

/// Draws `frame` onto `image` (the picture it was computed from).
pub fn draw_frame(image: &mut RgbImage, frame: &DriveFrame) {
    let scale = label_scale(image);
    for line in frame.lanes.lines() {
        let colour = match line.colour {
            crate::lanes::LineColour::Yellow => Rgb([255, 220, 0]),
            crate::lanes::LineColour::White => Rgb([0, 200, 255]),
        };
        draw_lane(image, line, colour, scale as f32 * 1.5);
    }
    for o in &frame.objects {
        let lead = o.track.is_some() && o.track == frame.lead;
        let colour = match (lead, frame.fcw) {
            (true, true) => RED,
            (true, false) => ORANGE,
            _ => GREEN,
        };
        let mut label = o.distance_m.map(|d| format!("{d:.0}M")).unwrap_or_default();
        if let (true, Some(ttc)) = (lead, frame.ttc_s) {
            label.push_str(&format!(" {ttc:.1}S"));
        }
        draw_labelled_box(
            image,
            o.bbox,
            &label,
            scale + u32::from(lead),
            scale,
            colour,
        );
    }
    if frame.fcw {
        banner(image, "COLLISION WARNING", scale, WHITE, Some(RED));
    } else if frame.ldw {
        banner(image, "LANE DEPARTURE", scale, ORANGE, None);
    }
}
