//! Which inference engine runs a model: seer's native engine
//! ([`seer_native`], Winograd convolutions) for the plain convolutional
//! networks it can run exactly, ONNX Runtime for every other model. Any
//! capability opens its models through [`Engine::open`].

use crate::{RuntimeError, Session, SessionOptions, Tensor, Tuning};
use seer_native::{NativeNet, Planes};
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
pub struct Engine {
    /// The model id, for error messages.
    model: String,
    backend: Backend,
}

enum Backend {
    Ort(Session),
    Native(NativeNet),
}

impl Engine {
    /// Loads the ONNX file `path` (model `model`) with `threads` threads in
    /// the engine `choice` selects; `tuning` applies to ONNX Runtime. With
    /// [`EngineChoice::Native`], a model the native engine cannot run is
    /// [`RuntimeError::NativeUnsupported`], naming the node and why.
    pub fn open(
        path: &Path,
        model: &str,
        threads: usize,
        choice: EngineChoice,
        tuning: Tuning,
    ) -> Result<Engine, RuntimeError> {
        let engine = |backend| Engine {
            model: model.to_string(),
            backend,
        };
        // Read once: the native compiler and ONNX Runtime share the bytes.
        let bytes = std::fs::read(path).map_err(|source| RuntimeError::ModelFile {
            path: path.to_path_buf(),
            source,
        })?;
        if choice != EngineChoice::Ort {
            match NativeNet::from_bytes(&bytes, threads) {
                Ok(net) => return Ok(engine(Backend::Native(net))),
                Err(source) if choice == EngineChoice::Native => {
                    return Err(RuntimeError::NativeUnsupported {
                        model: model.to_string(),
                        source,
                    })
                }
                Err(why) => tracing::debug!(model, %why, "running in ONNX Runtime"),
            }
        }
        let options = SessionOptions { threads };
        let name = path.display().to_string();
        let session = Session::from_bytes_tuned(&name, &bytes, &options, tuning)?;
        Ok(engine(Backend::Ort(session)))
    }

    /// The engine's name as reports print it.
    pub fn name(&self) -> &'static str {
        match self.backend {
            Backend::Ort(_) => "onnxruntime",
            Backend::Native(_) => "native",
        }
    }

    /// Runs the model on one NCHW or NHWC input tensor and returns its
    /// first output.
    pub fn run(&mut self, input: Tensor) -> Result<Tensor, RuntimeError> {
        let Engine { model, backend } = self;
        match backend {
            Backend::Ort(session) => {
                session
                    .run(&[input])?
                    .into_iter()
                    .next()
                    .ok_or_else(|| RuntimeError::Run {
                        model: model.clone(),
                        detail: "no output tensor".into(),
                    })
            }
            Backend::Native(net) => {
                let out = net
                    .run(planes(model, input)?)
                    .map_err(|source| native_error(model, source))?;
                Ok(Tensor {
                    shape: vec![1, out.channels, out.height, out.width],
                    data: out.data,
                })
            }
        }
    }

    /// Seconds for `rounds` rounds of running every input of `runs` once,
    /// after the inputs are prepared (the bare model loop of the benchmarks).
    pub fn time_bare_runs(&mut self, runs: &[Tensor], rounds: usize) -> Result<f64, RuntimeError> {
        let Engine { model, backend } = self;
        match backend {
            Backend::Ort(session) => {
                let runs: Vec<Vec<Tensor>> = runs.iter().map(|t| vec![t.clone()]).collect();
                session.time_bare_runs(&runs, rounds)
            }
            Backend::Native(net) => {
                let inputs = runs
                    .iter()
                    .map(|t| planes(model, t.clone()))
                    .collect::<Result<Vec<_>, _>>()?;
                // Each run takes its input: copies for every round are
                // made before the clock starts, as ONNX Runtime's inputs are.
                let rounds: Vec<Vec<Planes>> = (0..rounds).map(|_| inputs.clone()).collect();
                let started = std::time::Instant::now();
                for round in rounds {
                    for p in round {
                        net.run(p).map_err(|source| native_error(model, source))?;
                    }
                }
                Ok(started.elapsed().as_secs_f64())
            }
        }
    }
}

/// A native engine failure while running `model`.
fn native_error(model: &str, source: seer_native::NativeError) -> RuntimeError {
    RuntimeError::Native {
        model: model.to_string(),
        source,
    }
}

/// `t` as native-engine planes (NCHW, batch 1), without copying its data.
fn planes(model: &str, t: Tensor) -> Result<Planes, RuntimeError> {
    let [1, c, h, w] = t.shape[..] else {
        return Err(RuntimeError::Input {
            model: model.to_string(),
            detail: format!("native input shape {:?} is not NCHW with batch 1", t.shape),
        });
    };
    Planes::new(c, w, h, t.data).map_err(|source| native_error(model, source))
}
