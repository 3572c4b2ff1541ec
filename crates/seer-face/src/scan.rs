//! Scanning a sequence of frames for faces: detect (with following between
//! full searches, [`FrameSearch`]), join detections into tracks
//! ([`Tracker`]), keep each track's best crops ([`BestFaces`]), and, at the
//! end, drop short tracks and renumber the rest ([`finish_tracks`]).
//!
//! [`FaceScanner`] is the loop body, fed one frame at a time; the video
//! scan (`video::scan_video`, feature `video`) feeds it decoded frames, a
//! test or a camera stream can feed it any pictures.

use crate::{
    finish_tracks, BestFaces, DetectOptions, Detector, Face, FaceError, FrameFaces, FrameSearch,
    TrackSummary, TrackedFace, Tracker, TrackerOptions, BEST_FACES_PER_TRACK,
};
use image::RgbImage;
use std::time::Instant;

/// How a sequence of frames is scanned for faces.
#[derive(Clone, Copy, Debug)]
pub struct ScanOptions {
    /// Detector settings.
    pub detect: DetectOptions,
    /// Run the detector on every N-th frame (1 = all; 0 counts as 1).
    pub every: u64,
    /// With small faces on: run the full tile search on every N-th
    /// detected frame and follow faces between ([`FrameSearch`]).
    pub full_search_every: u64,
    /// Tracker settings.
    pub tracker: TrackerOptions,
    /// Keep each track's best face crops (for identification).
    pub keep_best_faces: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            detect: DetectOptions::default(),
            every: 1,
            full_search_every: 1,
            tracker: TrackerOptions::default(),
            keep_best_faces: false,
        }
    }
}

/// The result of a scan.
#[derive(Debug)]
pub struct FaceScan {
    /// Frames seen (detected or not).
    pub frame_count: u64,
    /// Frames the detector ran on, with their faces (track ids final:
    /// `None` for detections of dropped short tracks).
    pub frames: Vec<FrameFaces>,
    /// Kept tracks, numbered 1, 2, … by first appearance.
    pub tracks: Vec<TrackSummary>,
    /// Best crops per (final) track id, when asked for.
    pub best: BestFaces,
    /// Seconds spent in the detector.
    pub detect_seconds: f64,
}

/// The scan loop, one frame at a time (see the module documentation).
pub struct FaceScanner {
    options: ScanOptions,
    tracker: Tracker,
    search: FrameSearch,
    best: BestFaces,
    frames: Vec<FrameFaces>,
    frame_count: u64,
    detect_seconds: f64,
}

impl FaceScanner {
    /// A scanner that has seen no frame.
    pub fn new(options: ScanOptions) -> FaceScanner {
        FaceScanner {
            options,
            tracker: Tracker::new(options.tracker),
            search: FrameSearch::new(options.full_search_every),
            best: BestFaces::new(BEST_FACES_PER_TRACK),
            frames: Vec::new(),
            frame_count: 0,
            detect_seconds: 0.0,
        }
    }

    /// True when frame number `index` is one the detector runs on
    /// (every [`ScanOptions::every`]-th).
    pub fn wants(&self, index: u64) -> bool {
        index.is_multiple_of(self.options.every.max(1))
    }

    /// Frames seen so far.
    pub fn frame_count(&self) -> u64 {
        self.frame_count
    }

    /// Counts frame `index` as seen without detecting in it.
    pub fn skip_frame(&mut self, index: u64) {
        self.frame_count = self.frame_count.max(index + 1);
    }

    /// Detects the faces of frame `index` (at `time_s` seconds) and tracks them.
    pub fn detect_frame(
        &mut self,
        detector: &mut Detector,
        index: u64,
        time_s: f64,
        image: &RgbImage,
    ) -> Result<(), FaceError> {
        let started = Instant::now();
        let faces = self.search.detect(detector, image, &self.options.detect)?;
        self.detect_seconds += started.elapsed().as_secs_f64();
        self.track_frame(index, time_s, image, faces);
        Ok(())
    }

    /// Tracks `faces`, found by the caller in frame `index` (`image`, at
    /// `time_s` seconds).
    pub fn track_frame(&mut self, index: u64, time_s: f64, image: &RgbImage, faces: Vec<Face>) {
        self.skip_frame(index);
        let boxes: Vec<_> = faces.iter().map(|f| f.bbox).collect();
        let ids = self.tracker.update(&boxes);
        if self.options.keep_best_faces {
            for (face, &id) in faces.iter().zip(&ids) {
                self.best.offer(id, image, face);
            }
        }
        self.frames.push(FrameFaces {
            frame: index,
            time_s,
            faces: faces
                .into_iter()
                .zip(ids)
                .map(|(face, id)| TrackedFace {
                    track: Some(id),
                    face,
                })
                .collect(),
        });
    }

    /// Drops tracks with too few detections, renumbers the others and
    /// summarises them.
    pub fn finish(mut self) -> FaceScan {
        let (tracks, renumber) = finish_tracks(&mut self.frames, self.options.tracker.min_hits);
        self.best.renumber(&renumber);
        FaceScan {
            frame_count: self.frame_count,
            frames: self.frames,
            tracks,
            best: self.best,
            detect_seconds: self.detect_seconds,
        }
    }
}
