//! Which inference engine runs an upscaling model: seer's native engine
//! ([`crate::native`], Winograd convolutions) for the plain convolutional
//! networks it can run exactly, ONNX Runtime for every other model.

use crate::native::{NativeNet, Planes};
use crate::UpscaleError;
use seer_runtime::{Session, SessionOptions, Tensor, Tuning};
use std::path::Path;

/// The engine a caller asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// Native when the model and CPU allow it, else ONNX Runtime (default).
    #[default]
    Auto,
    /// Always ONNX Runtime.
    Ort,
    /// The native engine; an error for models it cannot run.
    Native,
}

/// A loaded model in one engine.
pub enum Engine {
    /// ONNX Runtime.
    Ort(Session),
    /// seer's native engine.
    Native(NativeNet),
}

impl Engine {
    /// Loads the ONNX file `path` with `threads` threads in the engine
    /// `choice` selects; `tuning` applies to ONNX Runtime.
    pub fn open(
        path: &Path,
        model: &str,
        threads: usize,
        choice: EngineChoice,
        tuning: Tuning,
    ) -> Result<Engine, UpscaleError> {
        if choice != EngineChoice::Ort {
            let bytes = std::fs::read(path).map_err(|e| UpscaleError::Output {
                model: model.to_string(),
                detail: format!("cannot read {}: {e}", path.display()),
            })?;
            match NativeNet::from_bytes(&bytes, threads) {
                Ok(net) => return Ok(Engine::Native(net)),
                Err(why) if choice == EngineChoice::Native => {
                    return Err(UpscaleError::Engine {
                        model: model.to_string(),
                        detail: why.to_string(),
                    })
                }
                Err(why) => tracing::debug!(model, %why, "running in ONNX Runtime"),
            }
        }
        let options = SessionOptions { threads };
        Ok(Engine::Ort(Session::from_file_tuned(
            path, &options, tuning,
        )?))
    }

    /// The engine's name as reports print it.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Ort(_) => "onnxruntime",
            Engine::Native(_) => "native",
        }
    }

    /// Runs the model on one NCHW or NHWC input tensor and returns its
    /// first output.
    pub fn run(&mut self, input: Tensor) -> Result<Tensor, UpscaleError> {
        match self {
            Engine::Ort(session) => {
                Ok(session
                    .run(&[input])?
                    .into_iter()
                    .next()
                    .ok_or(UpscaleError::Output {
                        model: "?".into(),
                        detail: "no output tensor".into(),
                    })?)
            }
            Engine::Native(net) => {
                let [1, c, h, w] = input.shape[..] else {
                    return Err(UpscaleError::Output {
                        model: "?".into(),
                        detail: format!("native input shape {:?} is not NCHW", input.shape),
                    });
                };
                let out = net.run(&Planes::new(c, w, h, input.data));
                Ok(Tensor {
                    shape: vec![1, out.channels, out.height, out.width],
                    data: out.data,
                })
            }
        }
    }

    /// Seconds per round of running every input of `runs` once, after the
    /// inputs are prepared (the bare model loop of the overhead benchmark).
    pub fn time_bare_runs(&mut self, runs: &[Tensor], rounds: usize) -> Result<f64, UpscaleError> {
        match self {
            Engine::Ort(session) => {
                let runs: Vec<Vec<Tensor>> = runs.iter().map(|t| vec![t.clone()]).collect();
                Ok(session.time_bare_runs(&runs, rounds)?)
            }
            Engine::Native(net) => {
                let mut planes = Vec::new();
                for t in runs {
                    let [1, c, h, w] = t.shape[..] else {
                        return Err(UpscaleError::Output {
                            model: "?".into(),
                            detail: format!("native input shape {:?} is not NCHW", t.shape),
                        });
                    };
                    planes.push(Planes::new(c, w, h, t.data.clone()));
                }
                let started = std::time::Instant::now();
                for _ in 0..rounds {
                    for p in &planes {
                        net.run(p);
                    }
                }
                Ok(started.elapsed().as_secs_f64())
            }
        }
    }
}
