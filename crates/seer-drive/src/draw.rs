//! Drawing a frame's perception onto it: every road user's box with its
//! distance, the lead vehicle highlighted with its time-to-collision, the
//! ego lane's lines, a red banner while the forward-collision warning is
//! on and an orange one while the lane-departure warning is.

use crate::perception::DriveFrame;
use image::{Rgb, RgbImage};
use seer_imgproc::{draw_rect, draw_text};

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

/// Draws `frame` onto `image` (the picture it was computed from).
pub fn draw_frame(image: &mut RgbImage, frame: &DriveFrame) {
    let scale = (image.height() / 270).max(1);
    for line in frame.lanes.left.iter().chain(frame.lanes.right.iter()) {
        let colour = match line.colour {
            crate::lanes::LineColour::Yellow => Rgb([255, 220, 0]),
            crate::lanes::LineColour::White => Rgb([0, 200, 255]),
        };
        draw_lane(image, line, colour, scale as f32 * 1.5);
    }
    for o in &frame.objects {
        let lead = o.track.is_some() && o.track == frame.lead;
        let colour = if lead && frame.fcw {
            RED
        } else if lead {
            ORANGE
        } else {
            GREEN
        };
        let [x1, y1, x2, y2] = o.bbox;
        draw_rect(
            image,
            x1 as i64,
            y1 as i64,
            (x2 - x1).max(1.0) as u32,
            (y2 - y1).max(1.0) as u32,
            scale + u32::from(lead),
            colour,
        );
        let mut label = match o.distance_m {
            Some(d) => format!("{d:.0}M"),
            None => String::new(),
        };
        if lead {
            if let Some(ttc) = frame.ttc_s {
                label.push_str(&format!(" {ttc:.1}S"));
            }
        }
        if !label.is_empty() {
            let (_, h) = seer_imgproc::text_size(&label, scale);
            draw_text(
                image,
                x1 as i64,
                y1 as i64 - i64::from(h),
                &label,
                scale,
                colour,
            );
        }
    }
    if frame.ldw && !frame.fcw {
        let banner = "LANE DEPARTURE";
        let big = scale * 2;
        let (w, _) = seer_imgproc::text_size(banner, big);
        let x = (i64::from(image.width()) - i64::from(w)) / 2;
        draw_text(image, x, i64::from(big), banner, big, ORANGE);
    }
    if frame.fcw {
        let banner = "COLLISION WARNING";
        let big = scale * 2;
        let (w, _) = seer_imgproc::text_size(banner, big);
        let x = (i64::from(image.width()) - i64::from(w)) / 2;
        seer_imgproc::text::fill(
            image,
            0,
            0,
            i64::from(image.width()),
            i64::from(9 * big),
            RED,
        );
        draw_text(image, x, i64::from(big), banner, big, WHITE);
    }
}
