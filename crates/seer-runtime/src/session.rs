//! One loaded model and how to run it on float tensors.

use crate::{RuntimeError, Tensor};
use ort::session::builder::GraphOptimizationLevel;
use std::path::Path;

/// How much ONNX Runtime rewrites the graph before running it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Optimization {
    /// No rewriting.
    Disable,
    /// Constant folding, redundant-node removal, simple fusions.
    Basic,
    /// Basic plus complex fusions (Conv + activation, …).
    Extended,
    /// Extended plus layout rewrites (NCHWc convolutions on x86).
    Layout,
    /// Every optimisation ONNX Runtime has.
    All,
}

impl Optimization {
    fn level(self) -> GraphOptimizationLevel {
        match self {
            Optimization::Disable => GraphOptimizationLevel::Disable,
            Optimization::Basic => GraphOptimizationLevel::Level1,
            Optimization::Extended => GraphOptimizationLevel::Level2,
            Optimization::Layout => GraphOptimizationLevel::Level3,
            Optimization::All => GraphOptimizationLevel::All,
        }
    }
}

/// How a session runs.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Threads used inside one operator; default: physical cores.
    pub threads: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            threads: crate::physical_cores(),
        }
    }
}

/// ONNX Runtime settings beyond the thread count, for measuring their
/// effect; [`Session::from_bytes`] uses [`Tuning::default`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tuning {
    /// Graph optimisation level (default: layout).
    pub optimization: Optimization,
    /// Whether idle intra-op threads spin waiting for work (default: off,
    /// so other processes keep their CPU time).
    pub spinning: bool,
    /// Whether ONNX Runtime plans buffers once per input shape (default: on).
    pub memory_pattern: bool,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            optimization: Optimization::Layout,
            spinning: false,
            memory_pattern: true,
        }
    }
}

/// Name and shape of a model input or output (`None` = dynamic dimension).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ValueSpec {
    /// The value's name in the graph.
    pub name: String,
    /// Dimensions; `None` where the model leaves the size open.
    pub shape: Vec<Option<usize>>,
}

/// A model ready to run.
pub struct Session {
    name: String,
    inner: ort::session::Session,
}

impl Session {
    /// Loads an ONNX file.
    pub fn from_file(path: &Path, options: &SessionOptions) -> Result<Session, RuntimeError> {
        Self::from_file_tuned(path, options, Tuning::default())
    }

    /// [`Session::from_file`] with explicit ONNX Runtime settings.
    pub fn from_file_tuned(
        path: &Path,
        options: &SessionOptions,
        tuning: Tuning,
    ) -> Result<Session, RuntimeError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| RuntimeError::ModelFile {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes_tuned(&name, &bytes, options, tuning)
    }

    /// Loads an ONNX model from memory; `name` is used in error messages.
    pub fn from_bytes(
        name: &str,
        bytes: &[u8],
        options: &SessionOptions,
    ) -> Result<Session, RuntimeError> {
        Self::from_bytes_tuned(name, bytes, options, Tuning::default())
    }

    /// [`Session::from_bytes`] with explicit ONNX Runtime settings.
    pub fn from_bytes_tuned(
        name: &str,
        bytes: &[u8],
        options: &SessionOptions,
        tuning: Tuning,
    ) -> Result<Session, RuntimeError> {
        let environment = crate::library::environment().ok_or(RuntimeError::NotInitialised)?;
        let inner = ort::session::Session::builder(environment)
            .and_then(|b| Ok(b.with_optimization_level(tuning.optimization.level())?))
            .and_then(|b| Ok(b.with_intra_threads(options.threads.max(1))?))
            .and_then(|b| Ok(b.with_intra_op_spinning(tuning.spinning)?))
            .and_then(|b| Ok(b.with_inter_op_spinning(tuning.spinning)?))
            .and_then(|b| Ok(b.with_memory_pattern(tuning.memory_pattern)?))
            .and_then(|mut b| b.commit_from_memory(bytes))
            .map_err(|source| RuntimeError::ModelRejected {
                model: name.to_string(),
                source,
            })?;
        Ok(Session {
            name: name.to_string(),
            inner,
        })
    }

    /// The model's inputs.
    pub fn inputs(&self) -> Vec<ValueSpec> {
        self.inner.inputs().iter().map(spec).collect()
    }

    /// The model's outputs.
    pub fn outputs(&self) -> Vec<ValueSpec> {
        self.inner.outputs().iter().map(spec).collect()
    }

    /// Runs the model on float inputs given in the model's input order and
    /// returns every float output in the model's output order.
    pub fn run(&mut self, inputs: &[Tensor]) -> Result<Vec<Tensor>, RuntimeError> {
        let specs = self.inputs();
        if specs.len() != inputs.len() {
            return Err(RuntimeError::Input {
                model: self.name.clone(),
                detail: format!("model takes {} inputs, got {}", specs.len(), inputs.len()),
            });
        }
        let mut values: Vec<(String, ort::session::SessionInputValue)> = Vec::new();
        for (spec, tensor) in specs.iter().zip(inputs) {
            let value = ort::value::Tensor::from_array((tensor.shape.clone(), tensor.data.clone()))
                .map_err(|source| RuntimeError::InputRejected {
                    model: self.name.clone(),
                    input: spec.name.clone(),
                    source,
                })?;
            values.push((spec.name.clone(), value.into()));
        }
        let name = self.name.clone();
        let outputs = self
            .inner
            .run(values)
            .map_err(|source| RuntimeError::RunFailed {
                model: name.clone(),
                source,
            })?;
        let mut result = Vec::new();
        for (out_name, value) in outputs.iter() {
            let (shape, data) = value.try_extract_tensor::<f32>().map_err(|source| {
                RuntimeError::OutputNotFloat {
                    model: name.clone(),
                    output: out_name.to_string(),
                    source,
                }
            })?;
            result.push(Tensor {
                shape: shape.iter().map(|&d| d as usize).collect(),
                data: data.to_vec(),
            });
        }
        Ok(result)
    }
}

impl Session {
    /// Seconds ONNX Runtime alone spends running the model once on each
    /// input set of `runs` (given in the model's input order), `rounds`
    /// times over: the input values are built before the clock starts and
    /// outputs are dropped unread, so only `Session::run` is timed. Used to
    /// measure seer's own overhead around the model.
    pub fn time_bare_runs(
        &mut self,
        runs: &[Vec<Tensor>],
        rounds: usize,
    ) -> Result<f64, RuntimeError> {
        let specs = self.inputs();
        let mut prepared = Vec::new();
        for inputs in runs {
            let mut values = Vec::new();
            for (spec, tensor) in specs.iter().zip(inputs) {
                let value =
                    ort::value::Tensor::from_array((tensor.shape.clone(), tensor.data.clone()))
                        .map_err(|source| RuntimeError::InputRejected {
                            model: self.name.clone(),
                            input: spec.name.clone(),
                            source,
                        })?;
                values.push(value);
            }
            prepared.push(values);
        }
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            for values in &prepared {
                let inputs: Vec<(&str, ort::session::SessionInputValue)> = specs
                    .iter()
                    .zip(values)
                    .map(|(spec, v)| (spec.name.as_str(), v.view().into()))
                    .collect();
                let outputs = self
                    .inner
                    .run(inputs)
                    .map_err(|source| RuntimeError::RunFailed {
                        model: self.name.clone(),
                        source,
                    })?;
                drop(outputs);
            }
        }
        Ok(started.elapsed().as_secs_f64())
    }
}

fn spec(outlet: &ort::value::Outlet) -> ValueSpec {
    let shape = outlet
        .dtype()
        .tensor_shape()
        .map(|s| {
            s.iter()
                .map(|&d| if d < 0 { None } else { Some(d as usize) })
                .collect()
        })
        .unwrap_or_default();
    ValueSpec {
        name: outlet.name().to_string(),
        shape,
    }
}
