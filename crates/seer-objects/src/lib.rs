//! seer-objects: objects in images and videos, shared by the scene
//! understanding and driving capabilities (which may not depend on each
//! other).
//!
//! Modules:
//!
//! - [`centernet`]: the CenterNet (MobileNetV3) COCO detector
//!   ([`CenterNet`]), imported for the frame's aspect ratio and decoded in
//!   Rust (3×3 heatmap peaks, box edges at stride 4).
//! - [`nms`]: non-maximum suppression over detections.
//! - [`detection`]: [`Detection`] (box in pixels, score 0..1, class id) and
//!   the 80 COCO class names ([`COCO_CLASSES`], [`class_name`],
//!   [`class_id`]).
//! - [`kalman`]: a constant-velocity Kalman filter on a box
//!   (centre, aspect ratio, height and their velocities per frame), noise
//!   scaled by the box height, as in SORT/ByteTrack.
//! - [`assignment`]: the assignment problem (Hungarian method): a
//!   minimum-cost matching with forbidden pairs.
//! - [`track`]: a ByteTrack-style multi-object tracker ([`Tracker`]):
//!   high-score detections first, low-score ones to continue tracked
//!   objects, tentative tracks confirmed after a few hits, stable ids.
//! - [`metrics`]: CLEAR-MOT (MOTA, MOTP, id switches, fragmentations,
//!   mostly tracked/lost) and identity metrics (IDF1, IDP, IDR) of a
//!   sequence ([`evaluate`], [`MotMetrics`]).
//! - [`mot_format`]: MOTChallenge text files
//!   (`frame,id,x,y,w,h,score,-1,-1,-1`), written and read.
//! - [`synthetic`]: deterministic synthetic scenes (moving boxes that
//!   cross, an occluder) and a simulated detector, for tests and benches.
//! - [`temporal`]: detection scores re-scored along tracks (a weak
//!   detection on a confident track kept, an isolated one damped).
//! - [`video`]: objects through a video (sampled, tracked, re-scored;
//!   MOTChallenge file and annotated copy) or one image.
//! - [`annotate`]: boxes labelled with class and track id.
//! - [`error`]: the error types, each with its [`seer_core::ErrorKind`].

pub mod annotate;
pub mod assignment;
pub mod centernet;
pub mod detection;
pub mod error;
pub mod kalman;
pub mod metrics;
pub mod mot_format;
pub mod nms;
pub mod synthetic;
pub mod temporal;
pub mod track;
pub mod video;

pub use centernet::{CenterNet, CenterNetOptions, CENTERNET_MODEL_ID};
pub use detection::{class_id, class_name, Detection, COCO_CLASSES};
pub use error::{DetectError, MetricsError, MotFormatError, TrackerError};
pub use metrics::{evaluate, LabelledBox, MotMetrics};
pub use mot_format::{format_mot, parse_mot, read_mot, write_mot, MotRecord};
pub use temporal::{rescore, RescoreOptions, TrackedDetection};
pub use track::{TrackedObject, Tracker, TrackerOptions};
pub use video::{
    detect_image_objects, detect_video_objects, detect_video_objects_observed, FoundObject,
    FrameObjects, ImageObjects, ObjectOptions, ObjectOutputs, ObjectTrack, SeenFrame, VideoObjects,
};
