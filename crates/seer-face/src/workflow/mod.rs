//! One function per face task, for every front end (the CLI, a server):
//! each takes typed options and inputs ([`crate::ImageInput`],
//! [`crate::GalleryLocation`]) and returns a serde result type that is
//! exactly what the CLI prints with `--json`. Faces in videos are in
//! [`crate::video`] (feature `video`).
//!
//! * [`image`]: detect, verify and identify in one photo.
//! * [`enrol`]: enrol a subject from photos (and videos).
//! * [`manage`]: forget, export and import gallery subjects.
//! * [`blur`]: hide every face of a photo, sparing enrolled subjects.
//! * [`liveness`]: why no live/spoof verdict is given.

pub mod blur;
pub mod enrol;
pub mod image;
pub mod liveness;
pub mod manage;

pub use self::blur::{blur_image, blur_image_file, BlurReport, BlurRequest, ExceptGallery, Kept};
pub use self::enrol::{enrol, enrol_into, EnrolOptions, EnrolResult, EnrolSource};
pub use self::image::{
    detect_image, identify_image, verify_images, DetectResult, IdentifiedFace, IdentifyOptions,
    IdentifyResult, VerifyResult,
};
pub use self::liveness::liveness;
pub use self::manage::{
    export_gallery, forget_subject, import_gallery, ExportResult, ForgetResult, ImportResult,
};
