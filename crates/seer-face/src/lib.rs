//! seer-face: finding faces in images and comparing two faces.
//!
//! * [`Detector`] runs BlazeFace ("back" model, `face.detect.short`, 256×256
//!   input) on a letterboxed image, decodes its 896 anchors, keeps scores
//!   above a threshold and merges overlapping detections by weighted
//!   non-maximum suppression. Results are [`Face`]s in image pixels with six
//!   keypoints and simple quality measures. An optional small-faces mode also
//!   runs on a pyramid of overlapping tiles sized from the smallest wanted
//!   face; dark or bright images are CLAHE-normalised first
//!   ([`exposure`]).
//! * [`Embedder`] turns a detected face into a 128-d descriptor with the
//!   face-api ResNet-34 network (`face.embed.resnet34`); [`verify`] compares
//!   two descriptors (Euclidean distance < 0.6 means the same person).
//! * [`Gallery`] keeps the descriptors of enrolled subjects, encrypted, in
//!   one SQLite file, and identifies faces against them (1:N); see
//!   [`gallery`].
//! * [`liveness`] feeds Human's two anti-spoofing models; neither gives a
//!   verdict unless it measured usable ([`liveness::LIVENESS_VERDICT`]).
//!
//! Evaluation (synthetic scenes, simulated attacks, identification and
//! liveness measurements) lives in the unpublished `seer-eval` crate.
//!
//! * [`Tracker`] follows faces through a video ([`track`]); [`timeline`]
//!   identifies each track once from its best faces; [`blur`] hides faces
//!   in images and video frames.
//!
//! * [`workflow`] holds one function per face task (detect, verify,
//!   identify, enrol, gallery management, blur, liveness) taking typed
//!   options and returning serde result types, for the CLI and a server
//!   alike; [`video`] (cargo feature `video`) does the same for videos.
//!   [`annotate`] draws faces and track ids onto images.
//!
//! No demographic or emotion outputs exist here by design.

pub mod anchors;
pub mod annotate;
pub mod batch;
pub mod blur;
pub mod decode;
pub mod detect;
pub mod embed;
pub mod error;
pub mod exposure;
pub mod face;
pub mod follow;
pub mod gallery;
pub mod input;
pub mod liveness;
pub mod nms;
pub mod quality;
pub mod scan;
pub mod tiles;
pub mod timeline;
pub mod track;
#[cfg(feature = "video")]
pub mod video;
pub mod workflow;

pub use blur::{blur_faces, video_blur_boxes, BlurOptions, BlurStyle};
pub use detect::{DetectOptions, Detector, Tiling, DETECTOR_MODEL_ID};
pub use embed::{
    largest, verify, Embedder, Embedding, Verification, EMBEDDER_MODEL_ID, SAME_PERSON_DISTANCE,
};
pub use error::FaceError;
pub use exposure::ExposureMode;
pub use face::{Face, Quality, KEYPOINT_NAMES};
pub use follow::{FrameSearch, DEFAULT_FULL_SEARCH_INTERVAL};
pub use gallery::{
    best_subject, enrolment_embedding, AuditEntry, FacePolicy, Gallery, GalleryError, GalleryKey,
    GalleryLocation, Match, SubjectInfo,
};
pub use input::ImageInput;
pub use scan::{FaceScan, FaceScanner, ScanOptions};
pub use timeline::{
    mean_embedding, timeline, BestFaces, TimelineEntry, TrackIdentity, BEST_FACES_PER_TRACK,
    MIN_IDENTIFY_FACE_PX,
};
pub use track::{finish_tracks, FrameFaces, TrackSummary, TrackedFace, Tracker, TrackerOptions};

/// Images smaller than this on either side (pixels) are rejected: no face
/// can be found in them.
pub const MIN_IMAGE_SIDE: u32 = 16;
