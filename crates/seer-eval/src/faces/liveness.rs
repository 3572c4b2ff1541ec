//! Measuring anti-spoofing models on real faces and simulated attacks.
//!
//! Every detected face becomes a *canvas*: the square [`CANVAS_SCALE`] × the
//! box's longer side about its centre, resized to [`CANVAS_SIZE`] pixels, so
//! the face box is the centred square of side `CANVAS_SIZE / CANVAS_SCALE`.
//! The real sample is the canvas; the attacks of [`crate::faces::spoof_sim`] are
//! made from it; all samples then pass the same camera JPEG
//! ([`spoof_sim::capture`]). A convention's crop is cut from the canvas
//! centre, so real and attack samples are cropped identically.
//!
//! Faces are split into two halves by source photo (alternate photos in
//! sorted order), so no photo has samples in both. Per model and
//! convention: AUC (real vs attack, higher score = real), AUC per attack,
//! and the threshold that minimises (APCER + BPCER)/2 on one half, with the
//! error rates it gives on the other. The best convention is also chosen
//! on one half and its AUC read on the other ("held-out AUC"), so trying
//! many conventions does not flatter the result.

use crate::faces::spoof_sim::{self, Attack};
use crate::stats::auc;
use image::RgbImage;
use seer_core::geometry::Rect;
use seer_core::progress::Progress;
use seer_face::liveness::{Convention, LivenessModel, LivenessScorer};
use seer_face::FaceError;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Side of a face canvas, in pixels.
pub const CANVAS_SIZE: u32 = 320;

/// Canvas side relative to the face box's longer side.
pub const CANVAS_SCALE: f32 = 2.0;

/// Faces whose box's longer side is smaller than this (pixels) are skipped:
/// enlarged to a canvas they would be mostly blur.
pub const MIN_FACE_PX: f32 = 40.0;

/// Simulated attacks made of each face per attack kind (different seeds).
pub const SEEDS_PER_ATTACK: u64 = 2;

/// Real face or attack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleKind {
    /// The face as photographed.
    Real,
    /// A simulated presentation attack.
    Attack(Attack),
}

/// One image to score.
pub struct Sample {
    /// Which photo and face it comes from, e.g. `gallery/obama/1.jpg#0`.
    pub source: String,
    /// 0 or 1: the half of the split it belongs to.
    pub half: usize,
    /// Real or which attack.
    pub kind: SampleKind,
    /// The captured canvas, [`CANVAS_SIZE`] pixels square.
    pub canvas: RgbImage,
}

/// The canvas of the face in `bbox` (see the module docs).
pub fn face_canvas(image: &RgbImage, bbox: &Rect) -> RgbImage {
    let crop = seer_face::liveness::liveness_crop(image, bbox, CANVAS_SCALE);
    seer_imgproc::resize_to(&crop, CANVAS_SIZE, CANVAS_SIZE)
}

/// The centred square of a canvas that `crop_scale` selects (relative to the
/// face box, at most [`CANVAS_SCALE`]).
pub fn canvas_crop(canvas: &RgbImage, crop_scale: f32) -> RgbImage {
    let box_side = canvas.width() as f32 / CANVAS_SCALE;
    let side = (box_side * crop_scale.min(CANVAS_SCALE)).round() as u32;
    let offset = (canvas.width() as i64 - side as i64) / 2;
    seer_imgproc::crop_padded(canvas, offset, offset, side, side)
}

/// The real sample and every simulated attack of one face canvas, each
/// passed through the camera JPEG.
pub fn samples_of(source: &str, half: usize, canvas: &RgbImage, seed: u64) -> Vec<Sample> {
    let mut out = vec![Sample {
        source: source.to_string(),
        half,
        kind: SampleKind::Real,
        canvas: spoof_sim::capture(canvas),
    }];
    for attack in Attack::ALL {
        for k in 0..SEEDS_PER_ATTACK {
            let attacked = spoof_sim::simulate(canvas, attack, seed.wrapping_mul(31) + k);
            out.push(Sample {
                source: source.to_string(),
                half,
                kind: SampleKind::Attack(attack),
                canvas: spoof_sim::capture(&attacked),
            });
        }
    }
    out
}

/// Error rates at one threshold (a sample is accepted as live when its
/// score ≥ threshold).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ErrorRates {
    /// The threshold on the "real" score.
    pub threshold: f32,
    /// Attack presentation classification error rate: attacks accepted, 0..1.
    pub apcer: f64,
    /// Bona fide presentation classification error rate: real faces
    /// rejected, 0..1.
    pub bpcer: f64,
}

/// The error rates at `threshold`.
pub fn rates_at(real: &[f32], attack: &[f32], threshold: f32) -> ErrorRates {
    let frac = |n: usize, d: usize| {
        if d == 0 {
            f64::NAN
        } else {
            n as f64 / d as f64
        }
    };
    ErrorRates {
        threshold,
        apcer: frac(
            attack.iter().filter(|&&s| s >= threshold).count(),
            attack.len(),
        ),
        bpcer: frac(real.iter().filter(|&&s| s < threshold).count(), real.len()),
    }
}

/// The threshold (one of the scores, or above all) that minimises
/// (APCER + BPCER) / 2; the lowest such threshold on ties.
pub fn best_threshold(real: &[f32], attack: &[f32]) -> f32 {
    let mut candidates: Vec<f32> = real.iter().chain(attack).copied().collect();
    let top = candidates.iter().copied().fold(f32::MIN, f32::max);
    candidates.push(if top.is_finite() { top + 1e-6 } else { 1.0 });
    candidates.sort_by(f32::total_cmp);
    let mut best = (f64::INFINITY, candidates[0]);
    for t in candidates {
        let r = rates_at(real, attack, t);
        let hter = (r.apcer + r.bpcer) / 2.0;
        if hter < best.0 {
            best = (hter, t);
        }
    }
    best.1
}

/// Minimum, quartiles and maximum of a set of scores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// Smallest score.
    pub min: f32,
    /// First quartile.
    pub q1: f32,
    /// Median.
    pub median: f32,
    /// Third quartile.
    pub q3: f32,
    /// Largest score.
    pub max: f32,
}

/// The spread of `scores` (NaN everywhere when empty).
pub fn spread(scores: &[f32]) -> Spread {
    let mut s = scores.to_vec();
    s.sort_by(f32::total_cmp);
    let at = |q: f32| {
        if s.is_empty() {
            f32::NAN
        } else {
            s[((s.len() - 1) as f32 * q).round() as usize]
        }
    };
    Spread {
        min: at(0.0),
        q1: at(0.25),
        median: at(0.5),
        q3: at(0.75),
        max: at(1.0),
    }
}

/// Scores of one model with one convention on every sample.
#[derive(Clone, Debug, Serialize)]
pub struct VariantResult {
    /// The model.
    pub model: LivenessModel,
    /// How it was fed.
    pub convention: Convention,
    /// AUC on all samples.
    pub auc: f64,
    /// AUC of real vs each attack kind alone, in [`Attack::ALL`] order.
    pub auc_by_attack: Vec<(Attack, f64)>,
    /// AUC on each half.
    pub auc_by_half: [f64; 2],
    /// Spread of the real samples' scores.
    pub real: Spread,
    /// Spread of the attack samples' scores.
    pub attack: Spread,
    /// Threshold chosen on half 0, rates on half 1.
    pub threshold_0_tested_on_1: ErrorRates,
    /// Threshold chosen on half 1, rates on half 0.
    pub threshold_1_tested_on_0: ErrorRates,
}

/// For one model: the convention chosen on one half, judged on the other.
#[derive(Clone, Debug, Serialize)]
pub struct HeldOut {
    /// The model.
    pub model: LivenessModel,
    /// Convention with the best AUC on half 0, and its AUC on half 1.
    pub chosen_on_0: (Convention, f64),
    /// Convention with the best AUC on half 1, and its AUC on half 0.
    pub chosen_on_1: (Convention, f64),
    /// Mean of the two held-out AUCs.
    pub auc: f64,
}

/// The whole evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    /// Real face samples.
    pub real_samples: usize,
    /// Attack samples.
    pub attack_samples: usize,
    /// Real samples in each half.
    pub real_by_half: [usize; 2],
    /// Every model × convention.
    pub variants: Vec<VariantResult>,
    /// Per model, the held-out AUC of the best convention.
    pub held_out: Vec<HeldOut>,
}

/// One score of one sample: (half, kind, score).
type Scored = (usize, SampleKind, f32);

fn select(scores: &[Scored], half: Option<usize>, kind: Option<SampleKind>) -> Vec<f32> {
    scores
        .iter()
        .filter(|(h, _, _)| half.is_none_or(|x| x == *h))
        .filter(|(_, k, _)| match kind {
            Some(SampleKind::Attack(a)) => *k == SampleKind::Attack(a),
            Some(SampleKind::Real) => *k == SampleKind::Real,
            None => *k != SampleKind::Real,
        })
        .map(|(_, _, s)| *s)
        .collect()
}

/// The measures of one model × convention from its scores.
pub fn summarise(model: LivenessModel, convention: Convention, scores: &[Scored]) -> VariantResult {
    let real = |h| select(scores, h, Some(SampleKind::Real));
    let attack = |h| select(scores, h, None);
    let fold = |train: usize, test: usize| {
        let t = best_threshold(&real(Some(train)), &attack(Some(train)));
        rates_at(&real(Some(test)), &attack(Some(test)), t)
    };
    VariantResult {
        model,
        convention,
        auc: auc(&real(None), &attack(None)),
        auc_by_attack: Attack::ALL
            .iter()
            .map(|&a| {
                (
                    a,
                    auc(
                        &real(None),
                        &select(scores, None, Some(SampleKind::Attack(a))),
                    ),
                )
            })
            .collect(),
        auc_by_half: [
            auc(&real(Some(0)), &attack(Some(0))),
            auc(&real(Some(1)), &attack(Some(1))),
        ],
        real: spread(&real(None)),
        attack: spread(&attack(None)),
        threshold_0_tested_on_1: fold(0, 1),
        threshold_1_tested_on_0: fold(1, 0),
    }
}

fn held_out(model: LivenessModel, variants: &[VariantResult]) -> Option<HeldOut> {
    let mine: Vec<&VariantResult> = variants.iter().filter(|v| v.model == model).collect();
    let best_on = |h: usize| {
        mine.iter()
            .max_by(|a, b| a.auc_by_half[h].total_cmp(&b.auc_by_half[h]))
            .map(|v| (v.convention, v.auc_by_half[1 - h]))
    };
    let (c0, c1) = (best_on(0)?, best_on(1)?);
    Some(HeldOut {
        model,
        chosen_on_0: c0,
        chosen_on_1: c1,
        auc: (c0.1 + c1.1) / 2.0,
    })
}

/// The samples of a folder of photos: every face of at least
/// [`MIN_FACE_PX`] as a real sample with its simulated attacks, each
/// named after its file relative to `root` and face number; photos
/// alternate between the two halves.
pub struct DatasetSamples {
    /// Real faces and simulated attacks.
    pub samples: Vec<Sample>,
    /// Faces under [`MIN_FACE_PX`], skipped.
    pub skipped_small: usize,
}

/// Detects the faces of `files` (photos below `root`) and makes the
/// samples of each (seeded by photo and face number, so repeatable).
pub fn dataset_samples(
    detector: &mut seer_face::Detector,
    root: &Path,
    files: &[PathBuf],
    progress: &dyn Progress,
) -> Result<DatasetSamples, FaceError> {
    let mut samples = Vec::new();
    let mut skipped_small = 0;
    progress.start(
        "detecting faces, simulating attacks",
        Some(files.len() as u64),
    );
    for (i, path) in files.iter().enumerate() {
        let (image, faces) = seer_face::workflow::image::detect_decoded(
            detector,
            &seer_face::ImageInput::Path(path),
            &seer_face::DetectOptions::default(),
        )?;
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        for (k, face) in faces.iter().enumerate() {
            if face.bbox.width.max(face.bbox.height) < MIN_FACE_PX {
                skipped_small += 1;
                continue;
            }
            let canvas = face_canvas(&image, &face.bbox);
            let seed = (i * 100 + k) as u64;
            samples.extend(samples_of(&format!("{name}#{k}"), i % 2, &canvas, seed));
        }
        progress.set(i as u64 + 1);
    }
    progress.finish();
    Ok(DatasetSamples {
        samples,
        skipped_small,
    })
}

/// Writes each sample into `dir` as `NNNN-KIND.png` (KIND: real, print,
/// screen, mask), to see what the simulations look like.
pub fn dump_samples(dir: &Path, samples: &[Sample]) -> Result<(), FaceError> {
    std::fs::create_dir_all(dir).map_err(|source| FaceError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (i, s) in samples.iter().enumerate() {
        let kind = match s.kind {
            SampleKind::Real => "real",
            SampleKind::Attack(a) => a.name(),
        };
        seer_imgproc::save_rgb(&s.canvas, &dir.join(format!("{i:04}-{kind}.png")))?;
    }
    Ok(())
}

/// Scores every sample with every scorer under each of its candidate
/// conventions ([`Convention::candidates`]) and summarises.
pub fn evaluate(
    samples: &[Sample],
    scorers: &mut [LivenessScorer],
    progress: &dyn Progress,
) -> Result<Evaluation, FaceError> {
    let mut variants = Vec::new();
    let jobs: usize = scorers
        .iter()
        .map(|s| Convention::candidates(s.model()).len())
        .sum();
    progress.start("scoring faces", Some((jobs * samples.len()) as u64));
    let mut done = 0u64;
    for scorer in scorers.iter_mut() {
        let model = scorer.model();
        for convention in Convention::candidates(model) {
            let mut scores = Vec::with_capacity(samples.len());
            for sample in samples {
                let crop = canvas_crop(&sample.canvas, convention.crop_scale);
                let score = scorer.score_crop(&crop, &convention)?;
                scores.push((sample.half, sample.kind, score));
                done += 1;
                progress.set(done);
            }
            variants.push(summarise(model, convention, &scores));
        }
    }
    progress.finish();
    let held_out = scorers
        .iter()
        .filter_map(|s| held_out(s.model(), &variants))
        .collect();
    let real_in = |h: usize| {
        samples
            .iter()
            .filter(|s| s.kind == SampleKind::Real && s.half == h)
            .count()
    };
    Ok(Evaluation {
        real_samples: real_in(0) + real_in(1),
        attack_samples: samples
            .iter()
            .filter(|s| s.kind != SampleKind::Real)
            .count(),
        real_by_half: [real_in(0), real_in(1)],
        variants,
        held_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_separated_inverted_and_tied_scores() {
        assert_eq!(auc(&[0.9, 0.8], &[0.1, 0.2]), 1.0);
        assert_eq!(auc(&[0.1, 0.2], &[0.9, 0.8]), 0.0);
        assert_eq!(auc(&[0.5, 0.5], &[0.5]), 0.5);
        assert!((auc(&[0.3, 0.7], &[0.5]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn best_threshold_separates_when_possible() {
        let real = [0.7, 0.8, 0.9];
        let attack = [0.1, 0.2, 0.6];
        let t = best_threshold(&real, &attack);
        let r = rates_at(&real, &attack, t);
        assert_eq!((r.apcer, r.bpcer), (0.0, 0.0));
        assert!(t > 0.6 && t <= 0.7);
    }

    #[test]
    fn rates_count_accepted_attacks_and_rejected_reals() {
        let r = rates_at(&[0.2, 0.9], &[0.5, 0.95, 0.1, 0.3], 0.5);
        assert_eq!(r.apcer, 0.5);
        assert_eq!(r.bpcer, 0.5);
    }

    #[test]
    fn canvas_crop_takes_the_centre() {
        let canvas = RgbImage::from_fn(CANVAS_SIZE, CANVAS_SIZE, |x, y| {
            image::Rgb([(x / 2) as u8, (y / 2) as u8, 0])
        });
        let crop = canvas_crop(&canvas, 1.0);
        assert_eq!(crop.width(), CANVAS_SIZE / 2);
        assert_eq!(crop.get_pixel(0, 0).0, [40, 40, 0]);
    }
}
