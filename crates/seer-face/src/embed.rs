//! Face descriptors (face-api ResNet-34, 128-d) and 1:1 verification.
//!
//! The network input is the square around the detector box, its side
//! [`CROP_SCALE`] × the box's longer side, same centre, black outside the
//! image, resized to 150×150, RGB 0..255 NHWC. The output is the raw
//! (not normalised) 128-d descriptor; face-api's convention is that two
//! descriptors of the same person are closer than 0.6 (Euclidean).

use crate::face::Face;
use crate::FaceError;
use image::RgbImage;
use seer_core::geometry::Rect;
use seer_core::progress::Progress;
use seer_models::Store;
use seer_runtime::{Session, SessionOptions, Tensor};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Catalogue id of the embedding model.
pub const EMBEDDER_MODEL_ID: &str = "face.embed.resnet34";

/// Side of the network input, in pixels.
pub const INPUT_SIZE: u32 = 150;

/// Length of a descriptor.
pub const EMBEDDING_SIZE: usize = 128;

/// The crop's side relative to the detector box's longer side.
pub const CROP_SCALE: f32 = 1.2;

/// Euclidean distance under which two descriptors are the same person.
pub const SAME_PERSON_DISTANCE: f32 = 0.6;

/// A face descriptor (unitless, not normalised).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Embedding {
    /// The [`EMBEDDING_SIZE`] values.
    pub values: Vec<f32>,
}

impl Embedding {
    /// Euclidean distance to `other` (same person below [`SAME_PERSON_DISTANCE`]).
    pub fn distance(&self, other: &Embedding) -> f32 {
        self.values
            .iter()
            .zip(&other.values)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    }

    /// Cosine similarity with `other`, −1..1 (0 if either is all zeros).
    pub fn cosine_similarity(&self, other: &Embedding) -> f32 {
        let dot: f32 = self
            .values
            .iter()
            .zip(&other.values)
            .map(|(a, b)| a * b)
            .sum();
        let na: f32 = self.values.iter().map(|a| a * a).sum::<f32>().sqrt();
        let nb: f32 = other.values.iter().map(|b| b * b).sum::<f32>().sqrt();
        if na > 0.0 && nb > 0.0 {
            dot / (na * nb)
        } else {
            0.0
        }
    }
}

/// The outcome of comparing two faces.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// Cosine similarity of the raw descriptors, −1..1.
    pub cosine_similarity: f32,
    /// Euclidean distance of the raw descriptors.
    pub distance: f32,
    /// The distance threshold used ([`SAME_PERSON_DISTANCE`]).
    pub threshold: f32,
    /// True when `distance < threshold`.
    pub same_person: bool,
}

/// Compares two descriptors.
pub fn verify(a: &Embedding, b: &Embedding) -> Verification {
    let distance = a.distance(b);
    Verification {
        cosine_similarity: a.cosine_similarity(b),
        distance,
        threshold: SAME_PERSON_DISTANCE,
        same_person: distance < SAME_PERSON_DISTANCE,
    }
}

/// The 150×150 network input for the face in `bbox` (image pixels).
pub fn face_crop(image: &RgbImage, bbox: &Rect) -> RgbImage {
    let centre = bbox.center();
    // A box from a model is never much larger than the image; the cap only
    // guards the allocation against a nonsensical box.
    let cap = 3.0 * image.width().max(image.height()).max(1) as f32;
    let side = (bbox.width.max(bbox.height) * CROP_SCALE)
        .round()
        .clamp(1.0, cap);
    let x = (centre.x - side / 2.0).round() as i64;
    let y = (centre.y - side / 2.0).round() as i64;
    let crop = seer_imgproc::crop_padded(image, x, y, side as u32, side as u32);
    seer_imgproc::resize_to(&crop, INPUT_SIZE, INPUT_SIZE)
}

/// A loaded embedding network.
pub struct Embedder {
    session: Session,
    name: String,
}

impl Embedder {
    /// Loads the network from an imported ONNX file.
    pub fn from_file(path: &Path, options: &SessionOptions) -> Result<Embedder, FaceError> {
        Ok(Embedder {
            session: Session::from_file(path, options)?,
            name: path.display().to_string(),
        })
    }

    /// Fetches (first use) and loads the catalogued network from `store`.
    /// ONNX Runtime must already be initialised.
    pub fn from_store(store: &Store, progress: &dyn Progress) -> Result<Embedder, FaceError> {
        let path = store.ensure(EMBEDDER_MODEL_ID, progress)?;
        Embedder::from_file(&path, &SessionOptions::default())
    }

    /// The descriptor of `face`, detected in `image`.
    pub fn embed(&mut self, image: &RgbImage, face: &Face) -> Result<Embedding, FaceError> {
        self.embed_crop(&face_crop(image, &face.bbox))
    }

    /// The descriptors of `faces`, all detected in `image`, in batched runs
    /// (about a third faster per face than one at a time).
    pub fn embed_all(
        &mut self,
        image: &RgbImage,
        faces: &[Face],
    ) -> Result<Vec<Embedding>, FaceError> {
        let crops: Vec<RgbImage> = faces.iter().map(|f| face_crop(image, &f.bbox)).collect();
        self.embed_crops(&crops)
    }

    /// The descriptor of a prepared 150×150 crop (see [`face_crop`]).
    pub fn embed_crop(&mut self, crop: &RgbImage) -> Result<Embedding, FaceError> {
        let mut one = self.embed_crops(std::slice::from_ref(crop))?;
        one.pop().ok_or_else(|| FaceError::ModelOutput {
            model: self.name.clone(),
            detail: "no descriptor for the crop".into(),
        })
    }

    /// The descriptors of prepared crops, in order, run [`MAX_BATCH`] at a time.
    pub fn embed_crops(&mut self, crops: &[RgbImage]) -> Result<Vec<Embedding>, FaceError> {
        let side = INPUT_SIZE as usize;
        let mut embeddings = Vec::with_capacity(crops.len());
        for batch in crops.chunks(MAX_BATCH) {
            let mut data = Vec::with_capacity(batch.len() * side * side * 3);
            for crop in batch {
                // Crops from `face_crop` already have the input size.
                let resized;
                let crop = if crop.dimensions() == (INPUT_SIZE, INPUT_SIZE) {
                    crop
                } else {
                    resized = seer_imgproc::resize_to(crop, INPUT_SIZE, INPUT_SIZE);
                    &resized
                };
                data.extend(crop.as_raw().iter().map(|&v| v as f32));
            }
            let input = Tensor {
                shape: vec![batch.len(), side, side, 3],
                data,
            };
            let output = self.session.run(&[input])?.into_iter().next();
            match output {
                Some(t) if t.data.len() == batch.len() * EMBEDDING_SIZE => embeddings.extend(
                    t.data
                        .chunks_exact(EMBEDDING_SIZE)
                        .map(|v| Embedding { values: v.to_vec() }),
                ),
                other => {
                    return Err(FaceError::ModelOutput {
                        model: self.name.clone(),
                        detail: format!(
                            "expected {} values, got shape {:?}",
                            batch.len() * EMBEDDING_SIZE,
                            other.map(|t| t.shape)
                        ),
                    })
                }
            }
        }
        Ok(embeddings)
    }
}

/// Crops the embedder runs together at most (bounds its memory).
pub const MAX_BATCH: usize = 8;

/// The face with the largest box area, if any.
pub fn largest(faces: &[Face]) -> Option<&Face> {
    faces
        .iter()
        .max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_reports_distance_cosine_and_decision() {
        let a = Embedding {
            values: vec![0.3, 0.4],
        };
        let b = Embedding {
            values: vec![0.0, 0.0],
        };
        let v = verify(&a, &b);
        assert!((v.distance - 0.5).abs() < 1e-6);
        assert!(v.same_person);
        assert_eq!(v.cosine_similarity, 0.0);
        let c = Embedding {
            values: vec![-0.3, -0.4],
        };
        let v = verify(&a, &c);
        assert!((v.cosine_similarity + 1.0).abs() < 1e-6);
        assert!(!v.same_person);
    }

    #[test]
    fn crop_is_150_square_and_black_outside_the_image() {
        let image = RgbImage::from_pixel(100, 100, image::Rgb([200, 200, 200]));
        let crop = face_crop(&image, &Rect::new(-50.0, 0.0, 100.0, 100.0));
        assert_eq!(crop.dimensions(), (150, 150));
        assert_eq!(crop.get_pixel(5, 75).0, [0, 0, 0]);
        assert_eq!(crop.get_pixel(140, 75).0, [200, 200, 200]);
    }
}
