//! Enrolling a subject from photos (and, with the `video` feature, videos
//! of one person): every input is described first, and nothing is written
//! unless all of them are usable.

use crate::error::check_output_folder;
use crate::{
    enrolment_embedding, Detector, Embedder, Embedding, FaceError, FacePolicy, Gallery, GalleryKey,
    GalleryLocation, ImageInput,
};
use seer_core::{CancelToken, Progress};
use serde::{Deserialize, Serialize};

/// One input of an enrolment.
#[derive(Clone, Copy, Debug)]
pub enum EnrolSource<'a> {
    /// A photo showing only the subject (or, with `largest`, mostly them).
    Image(ImageInput<'a>),
    /// A video showing one person: up to
    /// [`crate::BEST_FACES_PER_TRACK`] of its best face crops are enrolled.
    #[cfg(feature = "video")]
    Video(&'a std::path::Path),
}

impl EnrolSource<'_> {
    /// How messages name the input.
    pub fn label(&self) -> String {
        match self {
            EnrolSource::Image(input) => input.label(),
            #[cfg(feature = "video")]
            EnrolSource::Video(path) => path.display().to_string(),
        }
    }
}

/// What to enrol, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolOptions {
    /// The subject's name (added to when already enrolled).
    pub subject: String,
    /// Take the largest face of a photo with several (of a video: the most
    /// prominent face track) instead of refusing it.
    pub largest: bool,
    /// Also keep the photos (of a video: its best face crops, as PNG) in
    /// the gallery, encrypted; by default only descriptors are stored.
    pub keep_images: bool,
}

/// What an enrolment did (`seer face enroll`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrolResult {
    /// The subject.
    pub subject: String,
    /// Descriptors added by this enrolment.
    pub added: usize,
    /// Inputs (photos and videos) used.
    pub files: usize,
    /// Descriptors the subject has now.
    pub descriptors: usize,
    /// The gallery, as it names itself (a URL without its password).
    pub gallery: String,
}

/// The descriptors (and kept photos) of an enrolment, before writing.
#[derive(Clone, Debug, Default)]
pub struct Enrolment {
    /// One descriptor per photo, up to 5 per video.
    pub embeddings: Vec<Embedding>,
    /// Encoded photos to keep (empty unless `keep_images`).
    pub photos: Vec<Vec<u8>>,
}

/// Describes every source; the first unusable one is an error naming it.
pub fn describe_enrolment(
    detector: &mut Detector,
    embedder: &mut Embedder,
    sources: &[EnrolSource],
    options: &EnrolOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Enrolment, FaceError> {
    let policy = if options.largest {
        FacePolicy::Largest
    } else {
        FacePolicy::ExactlyOne
    };
    let mut out = Enrolment::default();
    for source in sources {
        cancel.check()?;
        let unusable = |e: FaceError| {
            e.on(format!(
                "nothing was enrolled: {} is not usable",
                source.label()
            ))
        };
        match source {
            EnrolSource::Image(input) => {
                let image = input.decode().map_err(|e| {
                    e.on(format!(
                        "nothing was enrolled: cannot read {}",
                        input.label()
                    ))
                })?;
                let label = std::path::PathBuf::from(input.label());
                let (_, embedding) =
                    enrolment_embedding(detector, embedder, &image, &label, policy)
                        .map_err(unusable)?;
                out.embeddings.push(embedding);
                if options.keep_images {
                    out.photos.push(input.encoded().map_err(|e| {
                        e.on(format!(
                            "nothing was enrolled: cannot read {}",
                            input.label()
                        ))
                    })?);
                }
            }
            #[cfg(feature = "video")]
            EnrolSource::Video(path) => {
                let (embeddings, crops) = crate::video::enrolment_from_video(
                    path,
                    detector,
                    embedder,
                    options.largest,
                    options.keep_images,
                    progress,
                    cancel,
                )
                .map_err(unusable)?;
                out.embeddings.extend(embeddings);
                out.photos.extend(crops);
            }
        }
    }
    // Only video sources report progress (the scan).
    let _ = progress;
    Ok(out)
}

/// Enrols `options.subject` from `sources` into the gallery at `location`
/// (created when absent) as `caller`. An existing gallery's key is checked
/// before the slow part; nothing is written unless every source is usable.
#[allow(clippy::too_many_arguments)]
pub fn enrol(
    detector: &mut Detector,
    embedder: &mut Embedder,
    location: &GalleryLocation,
    key: GalleryKey,
    sources: &[EnrolSource],
    options: &EnrolOptions,
    caller: &str,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<EnrolResult, FaceError> {
    let existing = if location.exists() {
        Some(Gallery::open(location, key.clone())?)
    } else {
        if let Some(path) = location.as_file() {
            check_output_folder(path)?;
        }
        None
    };
    let enrolment = describe_enrolment(detector, embedder, sources, options, progress, cancel)?;
    let mut gallery = match existing {
        Some(g) => g,
        None => Gallery::open(location, key)?,
    };
    write_enrolment(&mut gallery, &enrolment, sources.len(), options, caller)
}

/// Enrols `options.subject` from `sources` into the open `gallery` (an
/// in-memory one, a server's) as `caller`; nothing is written unless
/// every source is usable.
#[allow(clippy::too_many_arguments)]
pub fn enrol_into(
    detector: &mut Detector,
    embedder: &mut Embedder,
    gallery: &mut Gallery,
    sources: &[EnrolSource],
    options: &EnrolOptions,
    caller: &str,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<EnrolResult, FaceError> {
    let enrolment = describe_enrolment(detector, embedder, sources, options, progress, cancel)?;
    write_enrolment(gallery, &enrolment, sources.len(), options, caller)
}

/// Writes a described enrolment in one transaction.
fn write_enrolment(
    gallery: &mut Gallery,
    enrolment: &Enrolment,
    files: usize,
    options: &EnrolOptions,
    caller: &str,
) -> Result<EnrolResult, FaceError> {
    let descriptors = gallery.enroll_with_photos(
        &options.subject,
        &enrolment.embeddings,
        &enrolment.photos,
        caller,
    )?;
    Ok(EnrolResult {
        subject: options.subject.clone(),
        added: enrolment.embeddings.len(),
        files,
        descriptors,
        gallery: gallery.path().display().to_string(),
    })
}
