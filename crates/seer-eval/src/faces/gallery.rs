//! Identification accuracy on a labelled folder (`seer bench faces` and the
//! gallery test share this code).
//!
//! The folder holds `gallery/<subject>/*` (enrolment photos, one face
//! each) and `probes/*` with `probes/labels.csv`: columns `file`,
//! `subjects_left_to_right` (enrolled people in the photo, `;`-separated,
//! ordered by face centre x) and `min_other_faces` (the least number of
//! other, not enrolled, faces visible).
//!
//! Per probe, every detected face is identified. For each labelled subject:
//! a *rank-1 hit* when some face's nearest subject is them (no threshold);
//! *identified* when some face is accepted as them; else a *miss*. A *false
//! accept* is each face accepted as a subject beyond the number of times
//! that subject is labelled in the photo (so any enrolled subject reported
//! for an unlabelled face counts). The order check compares the accepted
//! enrolled subjects, left to right, with the label.

use crate::dataset::{gallery_photos, read_labels, DatasetError, ProbeLabel};
use seer_core::progress::Progress;
use seer_core::{ErrorKind, HasErrorKind};
use seer_face::{
    best_subject, enrolment_embedding, DetectOptions, Detector, Embedder, Face, FaceError,
    FacePolicy, Gallery, GalleryError, Match,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// The data folder could not be read.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A photo could not be read, detected or described.
    #[error("{path}")]
    Face {
        /// The photo.
        path: PathBuf,
        /// The error.
        #[source]
        source: Box<FaceError>,
    },
    /// The gallery refused an enrolment.
    #[error(transparent)]
    Gallery(#[from] GalleryError),
}

impl HasErrorKind for EvaluateError {
    fn kind(&self) -> ErrorKind {
        match self {
            EvaluateError::Dataset(e) => e.kind(),
            EvaluateError::Face { source, .. } => source.kind(),
            EvaluateError::Gallery(e) => e.kind(),
        }
    }
}

/// One detected face of a probe and what the gallery said.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeFace {
    /// Box centre x, pixels.
    pub centre_x: f32,
    /// Face size (longer box side), pixels.
    pub size_px: f32,
    /// The accepted subject, or `None` ("unknown").
    pub identified: Option<String>,
    /// The nearest subject (even if not accepted).
    pub nearest: Option<String>,
    /// Distance to the nearest subject.
    pub distance: Option<f32>,
}

/// The outcome for one probe photo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeOutcome {
    /// The photo's file name.
    pub file: String,
    /// The labelled enrolled subjects, left to right.
    pub labelled: Vec<String>,
    /// Every detected face, left to right.
    pub faces: Vec<ProbeFace>,
    /// Labelled subjects that some face's nearest subject is.
    pub rank1_hits: usize,
    /// Labelled subjects accepted for some face.
    pub identified: usize,
    /// Labelled subjects no face was accepted as.
    pub missed: Vec<String>,
    /// Subjects accepted more often than labelled (one entry per extra face).
    pub false_accepts: Vec<String>,
    /// Whether the accepted enrolled subjects, left to right, equal the label.
    pub order_ok: bool,
    /// Faces detected beyond the labelled subjects.
    pub other_faces: usize,
    /// The label's least number of other faces.
    pub min_other_faces: usize,
}

/// Totals over all probes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationTotals {
    /// Labelled enrolled faces over all probes.
    pub labelled: usize,
    /// Rank-1 hits (nearest subject right, no threshold).
    pub rank1_hits: usize,
    /// `rank1_hits / labelled`, 0..1.
    pub rank1_accuracy: f32,
    /// Labelled faces accepted as the right subject.
    pub identified: usize,
    /// Labelled faces not accepted as their subject.
    pub misses: usize,
    /// Faces accepted as a subject not labelled for them.
    pub false_accepts: usize,
    /// Probes whose left-to-right order is wrong.
    pub order_errors: usize,
    /// Detected faces in all probes.
    pub faces: usize,
}

/// A whole evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Subjects enrolled.
    pub subjects: usize,
    /// Enrolment photos used.
    pub enrolment_photos: usize,
    /// The acceptance distance used.
    pub threshold: f32,
    /// Per probe, in label order.
    pub probes: Vec<ProbeOutcome>,
    /// Totals.
    pub totals: EvaluationTotals,
}

/// Enrols every photo of `gallery_dir` (see [`gallery_photos`]), one
/// transaction per subject. Returns the number of photos enrolled.
pub fn enrol_folder(
    gallery: &mut Gallery,
    detector: &mut Detector,
    embedder: &mut Embedder,
    gallery_dir: &Path,
    progress: &dyn Progress,
) -> Result<usize, EvaluateError> {
    let photos = gallery_photos(gallery_dir)?;
    progress.start("enrolling", Some(photos.len() as u64));
    let mut by_subject: Vec<(String, Vec<seer_face::Embedding>)> = Vec::new();
    for (i, (subject, path)) in photos.iter().enumerate() {
        let face_error = |source| EvaluateError::Face {
            path: path.clone(),
            source: Box::new(source),
        };
        let image = seer_imgproc::load_rgb(path).map_err(|e| face_error(e.into()))?;
        let (_, e) = enrolment_embedding(detector, embedder, &image, path, FacePolicy::ExactlyOne)
            .map_err(face_error)?;
        match by_subject.last_mut() {
            Some((s, list)) if s == subject => list.push(e),
            _ => by_subject.push((subject.clone(), vec![e])),
        }
        progress.set(i as u64 + 1);
    }
    progress.finish();
    for (subject, embeddings) in &by_subject {
        gallery.enroll(subject, embeddings, "bench")?;
    }
    Ok(photos.len())
}

/// Scores one probe from its faces and each face's candidates (from
/// [`Gallery::identify`], nearest first).
pub fn score_probe(label: &ProbeLabel, faces: &[(Face, Vec<Match>)]) -> ProbeOutcome {
    let mut faces: Vec<ProbeFace> = faces
        .iter()
        .map(|(face, matches)| ProbeFace {
            centre_x: face.bbox.center().x,
            size_px: face.quality.size_px,
            identified: best_subject(matches).map(str::to_string),
            nearest: matches.first().map(|m| m.subject.clone()),
            distance: matches.first().map(|m| m.distance),
        })
        .collect();
    faces.sort_by(|a, b| a.centre_x.total_cmp(&b.centre_x));
    let count = |list: &[String], s: &str| list.iter().filter(|x| *x == s).count();
    let accepted: Vec<String> = faces.iter().filter_map(|f| f.identified.clone()).collect();
    let nearest: Vec<String> = faces.iter().filter_map(|f| f.nearest.clone()).collect();
    let mut rank1_hits = 0;
    let mut identified = 0;
    let mut missed = Vec::new();
    let mut distinct: Vec<&String> = label.subjects.iter().collect();
    distinct.sort();
    distinct.dedup();
    for s in distinct {
        let wanted = count(&label.subjects, s);
        rank1_hits += wanted.min(count(&nearest, s));
        let got = wanted.min(count(&accepted, s));
        identified += got;
        missed.extend(std::iter::repeat_n(s.clone(), wanted - got));
    }
    let mut false_accepts = Vec::new();
    let mut seen: Vec<&String> = accepted.iter().collect();
    seen.sort();
    seen.dedup();
    for s in seen {
        let extra = count(&accepted, s).saturating_sub(count(&label.subjects, s));
        false_accepts.extend(std::iter::repeat_n(s.clone(), extra));
    }
    let order: Vec<&String> = accepted
        .iter()
        .filter(|s| label.subjects.contains(s))
        .collect();
    let order_ok = order == label.subjects.iter().collect::<Vec<_>>();
    ProbeOutcome {
        file: label.file.clone(),
        labelled: label.subjects.clone(),
        other_faces: faces.len().saturating_sub(label.subjects.len()),
        faces,
        rank1_hits,
        identified,
        missed,
        false_accepts,
        order_ok,
        min_other_faces: label.min_other_faces,
    }
}

/// Totals of `probes`.
pub fn totals(probes: &[ProbeOutcome]) -> EvaluationTotals {
    let labelled: usize = probes.iter().map(|p| p.labelled.len()).sum();
    let rank1_hits: usize = probes.iter().map(|p| p.rank1_hits).sum();
    EvaluationTotals {
        labelled,
        rank1_hits,
        rank1_accuracy: if labelled == 0 {
            0.0
        } else {
            rank1_hits as f32 / labelled as f32
        },
        identified: probes.iter().map(|p| p.identified).sum(),
        misses: probes.iter().map(|p| p.missed.len()).sum(),
        false_accepts: probes.iter().map(|p| p.false_accepts.len()).sum(),
        order_errors: probes.iter().filter(|p| !p.order_ok).count(),
        faces: probes.iter().map(|p| p.faces.len()).sum(),
    }
}

/// Enrols `data/gallery` into `gallery` (which should be empty) and
/// identifies every face of every probe listed in `data/probes/labels.csv`.
pub fn evaluate_folder(
    gallery: &mut Gallery,
    detector: &mut Detector,
    embedder: &mut Embedder,
    data: &Path,
    options: &DetectOptions,
    progress: &dyn Progress,
) -> Result<Evaluation, EvaluateError> {
    let enrolment_photos =
        enrol_folder(gallery, detector, embedder, &data.join("gallery"), progress)?;
    let probes_dir = data.join("probes");
    let labels = read_labels(&probes_dir.join("labels.csv"))?;
    progress.start("identifying", Some(labels.len() as u64));
    let mut probes = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let path = probes_dir.join(&label.file);
        let face_error = |source| EvaluateError::Face {
            path: path.clone(),
            source: Box::new(source),
        };
        let image = seer_imgproc::load_rgb(&path).map_err(|e| face_error(e.into()))?;
        let faces = detector.detect(&image, options).map_err(face_error)?;
        let mut described = Vec::new();
        for face in faces {
            let e = embedder.embed(&image, &face).map_err(face_error)?;
            let matches = gallery.identify(&e, 3);
            described.push((face, matches));
        }
        probes.push(score_probe(label, &described));
        progress.set(i as u64 + 1);
    }
    progress.finish();
    Ok(Evaluation {
        subjects: gallery.subjects().len(),
        enrolment_photos,
        threshold: gallery.threshold(),
        totals: totals(&probes),
        probes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use seer_core::geometry::{Point, Rect};

    fn face(x: f32) -> Face {
        Face {
            bbox: Rect {
                x: x - 10.0,
                y: 0.0,
                width: 20.0,
                height: 20.0,
            },
            keypoints: [Point { x, y: 10.0 }; 6],
            score: 0.9,
            quality: Default::default(),
        }
    }

    fn m(subject: &str, distance: f32) -> Vec<Match> {
        vec![Match {
            subject: subject.to_string(),
            distance,
            similarity: 0.0,
            accepted: distance < 0.6,
        }]
    }

    #[test]
    fn probes_are_scored_against_their_labels() {
        let label = ProbeLabel {
            file: "p.jpg".into(),
            subjects: vec!["biden".into(), "obama".into()],
            min_other_faces: 1,
        };
        // Left to right: biden, an unlabelled face taken for obama, obama
        // rejected (nearest obama at 0.65).
        let faces = vec![
            (face(300.0), m("obama", 0.65)),
            (face(10.0), m("biden", 0.3)),
            (face(150.0), m("obama", 0.5)),
        ];
        let o = score_probe(&label, &faces);
        assert_eq!(o.rank1_hits, 2);
        assert_eq!(o.identified, 2);
        assert!(o.missed.is_empty());
        assert!(o.false_accepts.is_empty());
        assert!(o.order_ok);
        assert_eq!(o.other_faces, 1);

        let faces = vec![
            (face(10.0), m("obama", 0.3)),
            (face(150.0), m("obama", 0.4)),
        ];
        let o = score_probe(&label, &faces);
        assert_eq!(o.identified, 1);
        assert_eq!(o.missed, vec!["biden".to_string()]);
        assert_eq!(o.false_accepts, vec!["obama".to_string()]);
        assert!(!o.order_ok);
        let t = totals(&[o]);
        assert_eq!((t.labelled, t.misses, t.false_accepts), (2, 1, 1));
        assert_eq!(t.rank1_accuracy, 0.5);
    }
}
