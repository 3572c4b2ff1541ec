//! Many images through detection and description in parallel.
//!
//! A [`BatchDescriber`] holds one detector and one embedder per worker
//! thread, each running ONNX Runtime on a single thread. Workers take the
//! next input as soon as they finish one, and each loads (decodes),
//! detects and embeds its image alone, so the cores never wait on each
//! other. For a stream of photos this beats one image at a time with
//! multi-threaded operators: on the face-api demo photos (2 cores) the
//! models' own threading sped the embedder up 1.6× for 2 threads, while
//! two independent workers come close to 2× on every stage, decoding
//! included (`seer bench faces-throughput` measures both).

use crate::detect::{DetectOptions, Detector};
use crate::embed::{Embedder, Embedding};
use crate::face::Face;
use crate::FaceError;
use image::RgbImage;
use seer_core::progress::Progress;
use seer_runtime::SessionOptions;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// The faces of one image, each with its descriptor.
#[derive(Clone, Debug)]
pub struct DescribedImage {
    /// The faces found, strongest first (image pixels).
    pub faces: Vec<Face>,
    /// `embeddings[i]` describes `faces[i]`.
    pub embeddings: Vec<Embedding>,
    /// Where this image's time went.
    pub seconds: StageSeconds,
}

/// Time spent on one image per stage, in seconds of wall time on its
/// worker.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageSeconds {
    /// Loading (reading and decoding) the image.
    pub load: f64,
    /// Face detection.
    pub detect: f64,
    /// Cropping and embedding every face.
    pub embed: f64,
}

impl StageSeconds {
    /// Adds `other` stage by stage.
    pub fn add(&mut self, other: &StageSeconds) {
        self.load += other.load;
        self.detect += other.detect;
        self.embed += other.embed;
    }
}

/// The models of one worker.
struct Worker {
    detector: Detector,
    embedder: Embedder,
}

/// Detects and describes the faces of many images on several threads.
pub struct BatchDescriber {
    workers: Vec<Worker>,
}

impl BatchDescriber {
    /// `workers` workers (at least 1), each with its own single-threaded
    /// sessions of the detector and embedder model files.
    pub fn from_files(
        detector: &Path,
        embedder: &Path,
        workers: usize,
    ) -> Result<BatchDescriber, FaceError> {
        let single = SessionOptions { threads: 1 };
        let workers = (0..workers.max(1))
            .map(|_| {
                Ok(Worker {
                    detector: Detector::from_file(detector, &single)?,
                    embedder: Embedder::from_file(embedder, &single)?,
                })
            })
            .collect::<Result<Vec<_>, FaceError>>()?;
        Ok(BatchDescriber { workers })
    }

    /// How many workers run at once.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Loads every input with `load`, detects its faces with `options` and
    /// describes each face. Results come back in input order; one input's
    /// error does not stop the others. `progress` counts finished images.
    pub fn describe<T: Sync>(
        &mut self,
        inputs: &[T],
        load: impl Fn(&T) -> Result<RgbImage, FaceError> + Sync,
        options: &DetectOptions,
        progress: &dyn Progress,
    ) -> Vec<Result<DescribedImage, FaceError>> {
        progress.start("detecting and describing faces", Some(inputs.len() as u64));
        let next = AtomicUsize::new(0);
        let (send, receive) = mpsc::channel();
        let mut results: Vec<Option<Result<DescribedImage, FaceError>>> =
            (0..inputs.len()).map(|_| None).collect();
        std::thread::scope(|scope| {
            for worker in &mut self.workers {
                let (send, next, load) = (send.clone(), &next, &load);
                scope.spawn(move || loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(index) else {
                        return;
                    };
                    let result = worker.describe_one(|| load(input), options);
                    if send.send((index, result)).is_err() {
                        return;
                    }
                });
            }
            drop(send);
            for (done, (index, result)) in receive.into_iter().enumerate() {
                results[index] = Some(result);
                progress.set(done as u64 + 1);
            }
        });
        progress.finish();
        results
            .into_iter()
            .map(|r| r.expect("every input index is taken by exactly one worker"))
            .collect()
    }
}

impl Worker {
    fn describe_one(
        &mut self,
        load: impl FnOnce() -> Result<RgbImage, FaceError>,
        options: &DetectOptions,
    ) -> Result<DescribedImage, FaceError> {
        let started = Instant::now();
        let image = load()?;
        let loaded = Instant::now();
        let faces = self.detector.detect(&image, options)?;
        let detected = Instant::now();
        let embeddings = self.embedder.embed_all(&image, &faces)?;
        let seconds = StageSeconds {
            load: (loaded - started).as_secs_f64(),
            detect: (detected - loaded).as_secs_f64(),
            embed: detected.elapsed().as_secs_f64(),
        };
        Ok(DescribedImage {
            faces,
            embeddings,
            seconds,
        })
    }
}
