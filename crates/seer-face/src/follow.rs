//! Small faces through a video without a full tile search on every frame.
//!
//! The small-faces search ([`crate::detect::Tiling::Pyramid`]) runs the
//! model on dozens of tiles per frame (about 55 on a 1280×720 frame, twice
//! that when it is dark). Faces move little from one frame to the next, so
//! [`FrameSearch`] runs that full search only on every `interval`-th
//! frame; on the frames between it runs the model on the whole frame and
//! on one crop around each face of the previous frame
//! ([`Detector::detect_near`]). A face that appears between two full
//! searches is found by the whole-frame run when it is large enough, and
//! by the next full search otherwise, at most `interval − 1` frames late.

use crate::detect::{DetectOptions, Detector, Tiling};
use crate::face::Face;
use crate::FaceError;
use image::RgbImage;
use seer_core::geometry::Rect;

/// Default frames from one full small-faces search to the next.
pub const DEFAULT_FULL_SEARCH_INTERVAL: u64 = 10;

/// Frames a face may go unseen and still be searched for: a small face in
/// a dark frame is missed now and then, and would otherwise be lost until
/// the next full search.
pub const FOLLOW_MISSED_FRAMES: u32 = 5;

/// A face being followed: where it was last seen and how many frames ago.
#[derive(Clone, Copy, Debug)]
struct Followed {
    bbox: Rect,
    missed: u32,
}

/// Detection state through the frames of one video.
#[derive(Clone, Debug)]
pub struct FrameSearch {
    interval: u64,
    /// Frames since the last full search (`None` before the first).
    since_full: Option<u64>,
    /// Faces seen within the last [`FOLLOW_MISSED_FRAMES`] frames.
    followed: Vec<Followed>,
}

impl FrameSearch {
    /// A search that runs the full small-faces search every `interval`
    /// frames (1 or 0: on every frame).
    pub fn new(interval: u64) -> FrameSearch {
        FrameSearch {
            interval: interval.max(1),
            since_full: None,
            followed: Vec::new(),
        }
    }

    /// The faces of the next frame, `image`. Without small-faces tiling in
    /// `options` this is plain [`Detector::detect`] on every frame.
    pub fn detect(
        &mut self,
        detector: &mut Detector,
        image: &RgbImage,
        options: &DetectOptions,
    ) -> Result<Vec<Face>, FaceError> {
        if options.effective_tiling() == Tiling::None {
            return detector.detect(image, options);
        }
        let full = self.since_full.is_none_or(|n| n + 1 >= self.interval);
        let faces = if full {
            detector.detect(image, options)?
        } else {
            let regions: Vec<Rect> = self.followed.iter().map(|f| f.bbox).collect();
            detector.detect_near(image, &regions, options)?
        };
        self.since_full = if full {
            Some(0)
        } else {
            self.since_full.map(|n| n + 1)
        };
        self.remember(&faces);
        Ok(faces)
    }

    /// Updates the followed faces with this frame's: a followed face that
    /// a found face overlaps takes its box, the others count one more
    /// missed frame (and are dropped after [`FOLLOW_MISSED_FRAMES`]), and
    /// found faces overlapping none are followed from now on.
    fn remember(&mut self, faces: &[Face]) {
        let mut taken = vec![false; faces.len()];
        for followed in &mut self.followed {
            let best = faces
                .iter()
                .enumerate()
                .filter(|(i, f)| !taken[*i] && f.bbox.iou(&followed.bbox) > 0.1)
                .max_by(|a, b| {
                    a.1.bbox
                        .iou(&followed.bbox)
                        .total_cmp(&b.1.bbox.iou(&followed.bbox))
                });
            match best {
                Some((i, face)) => {
                    taken[i] = true;
                    *followed = Followed {
                        bbox: face.bbox,
                        missed: 0,
                    };
                }
                None => followed.missed += 1,
            }
        }
        self.followed.retain(|f| f.missed <= FOLLOW_MISSED_FRAMES);
        for (face, taken) in faces.iter().zip(taken) {
            if !taken {
                self.followed.push(Followed {
                    bbox: face.bbox,
                    missed: 0,
                });
            }
        }
    }
}
