//! A compiled network and its runner: values numbered in step order, each
//! freed (its buffer returned to the pool) after its last reader.

use crate::blocked::Blocked;
use crate::cpu::Kernel;
use crate::graph::{self, Op, Program, Step};
use crate::planes::Planes;
use crate::pool::BufferPool;
use crate::{ops, parallel, shapes, squeeze, NativeError};
use seer_onnx::ModelProto;
use std::borrow::Cow;

/// A network the native engine can run.
#[derive(Debug)]
pub struct NativeNet {
    program: Program,
    /// How many steps read each value (plus one for the output).
    readers: Vec<usize>,
    threads: usize,
    /// The micro-kernels of the 3×3 convolutions, chosen at compile.
    kernel: Kernel,
    /// Activation buffers reused across layers and runs.
    pool: BufferPool,
}

impl NativeNet {
    /// Compiles `model` to run on `threads` threads with the best kernels
    /// of this CPU; the error names the node the engine cannot run and why.
    pub fn from_model(model: &ModelProto, threads: usize) -> Result<NativeNet, NativeError> {
        let kernel = Kernel::detect().ok_or(NativeError::Cpu {
            kernel: Kernel::Avx2.name(),
        })?;
        NativeNet::with_kernel(model, threads, kernel)
    }

    /// [`NativeNet::from_model`] with the kernels `kernel` (an error when
    /// this CPU lacks them): for comparing the kernel paths.
    pub fn with_kernel(
        model: &ModelProto,
        threads: usize,
        kernel: Kernel,
    ) -> Result<NativeNet, NativeError> {
        if !kernel.available() {
            return Err(NativeError::Cpu {
                kernel: kernel.name(),
            });
        }
        let program = graph::parse(model)?;
        Ok(NativeNet {
            readers: program.readers(),
            program,
            threads: threads.max(1),
            kernel,
            pool: BufferPool::new(),
        })
    }

    /// Compiles ONNX protobuf bytes (see [`NativeNet::from_model`]).
    pub fn from_bytes(bytes: &[u8], threads: usize) -> Result<NativeNet, NativeError> {
        let model = seer_onnx::decode(bytes).map_err(NativeError::Decode)?;
        NativeNet::from_model(&model, threads)
    }

    /// The kernels this network runs with.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Channels of the network input.
    pub fn input_channels(&self) -> usize {
        self.program.input_channels
    }

    /// Multiply-accumulates of one run on a `width`×`height` input (pixels),
    /// counted as for a direct convolution (Conv, ConvTranspose, Gemm), or
    /// the error [`NativeNet::run`] would give for that size.
    pub fn macs(&self, width: usize, height: usize) -> Result<u64, NativeError> {
        shapes::walk(&self.program, width, height).map(|(_, macs)| macs)
    }

    /// Runs the network on `input` (NCHW planes, batch 1; taken, not
    /// copied). An input that does not fit the network (channel count,
    /// a size too small for a layer or giving skip connections of
    /// different sizes) is an error before any layer runs.
    pub fn run(&self, input: Planes) -> Result<Planes, NativeError> {
        let (c, w, h) = (input.channels, input.width, input.height);
        if c != self.program.input_channels {
            return Err(NativeError::Input {
                detail: format!(
                    "{c} input channels; the network takes {}",
                    self.program.input_channels
                ),
            });
        }
        if w == 0 || h == 0 || input.data.len() != c * w * h {
            return Err(NativeError::Input {
                detail: format!(
                    "{} values for {c} planes of {w}x{h} pixels",
                    input.data.len()
                ),
            });
        }
        shapes::walk(&self.program, w, h)?;
        let mut values: Vec<Option<Value>> = vec![None; self.program.values];
        values[0] = Some(Value::Planes(input));
        let mut left = self.readers.clone();
        for step in &self.program.steps {
            let out = self.apply(step, &mut values, &left)?;
            for i in &step.inputs {
                left[*i] -= 1;
                if left[*i] == 0 {
                    if let Some(done) = values[*i].take() {
                        self.recycle(done);
                    }
                }
            }
            values[step.output] = Some(out);
        }
        match values.get_mut(self.program.output).and_then(Option::take) {
            Some(Value::Planes(p)) => Ok(p),
            Some(Value::Blocked(b)) => Ok(b.to_planes()),
            _ => Err(NativeError::internal("the network output is not an image")),
        }
    }

    /// Returns a finished value's buffer to the pool.
    fn recycle(&self, value: Value) {
        match value {
            Value::Blocked(b) => self.pool.give(b.data),
            Value::Planes(p) => self.pool.give(p.data),
            Value::Vector(_) => {}
        }
    }

    /// Runs one step.
    fn apply(
        &self,
        step: &Step,
        values: &mut [Option<Value>],
        left: &[usize],
    ) -> Result<Value, NativeError> {
        let threads = self.threads;
        let pool = &self.pool;
        let get = |i: usize| value(values, step, i);
        Ok(match &step.op {
            Op::Conv3x3(conv) => {
                Value::Blocked(conv.run_pooled(&*get(0)?.blocked()?, threads, pool, self.kernel))
            }
            Op::PatchConv(conv) => Value::Blocked(conv.run(&*get(0)?.blocked()?, threads, pool)),
            Op::PatchDeconv(deconv) => {
                Value::Blocked(deconv.run(&*get(0)?.blocked()?, threads, pool))
            }
            Op::PhaseDeconv(deconv) => {
                Value::Blocked(deconv.run(&*get(0)?.blocked()?, threads, pool))
            }
            Op::Deconv(deconv) => Value::Planes(match get(0)? {
                Value::Blocked(b) => deconv.run_blocked(b, threads),
                other => deconv.run(&*other.planes()?, threads),
            }),
            Op::DepthToSpace(block) => {
                Value::Planes(ops::depth_to_space(&*get(0)?.planes()?, *block))
            }
            Op::Upsample(scale) => {
                Value::Planes(ops::upsample_nearest(&*get(0)?.planes()?, *scale))
            }
            Op::ResizeCubic {
                factor_w,
                factor_h,
                a,
            } => {
                let current = get(0)?.planes()?;
                let (w, h) = ops::cubic_size(current.width, current.height, *factor_w, *factor_h);
                Value::Planes(ops::resize_cubic(&current, w, h, *a))
            }
            Op::GlobalAverage => Value::Vector(squeeze::global_average(&*get(0)?.blocked()?)),
            Op::Dense(dense) => Value::Vector(dense.run(get(0)?.vector()?)),
            Op::VectorRelu => Value::Vector(get(0)?.vector()?.iter().map(|v| v.max(0.0)).collect()),
            Op::VectorSigmoid => Value::Vector(
                get(0)?
                    .vector()?
                    .iter()
                    .map(|v| 1.0 / (1.0 + (-v).exp()))
                    .collect(),
            ),
            Op::Reshape => Value::Vector(get(0)?.vector()?.to_vec()),
            Op::ScaleChannels => {
                let scale = get(1)?.vector()?.to_vec();
                let mut image = take_blocked(values, step, 0, left)?;
                squeeze::scale_channels(&mut image, &scale, threads);
                Value::Blocked(image)
            }
            Op::Activation(activation) => {
                let mut image = take_blocked(values, step, 0, left)?;
                let stride = image.pixel_stride();
                parallel::for_each_part(&mut image.data, stride, threads, |_, part| {
                    for pixel in part.chunks_exact_mut(stride) {
                        for (c, v) in pixel.iter_mut().enumerate() {
                            *v = activation.apply(*v, c);
                        }
                    }
                });
                Value::Blocked(image)
            }
            Op::Crop([top, left_px, bottom, right]) => {
                let image = get(0)?.blocked()?;
                let w = image.width.saturating_sub(left_px.saturating_add(*right));
                let h = image.height.saturating_sub(top.saturating_add(*bottom));
                Value::Blocked(ops::crop(&image, *left_px, *top, w, h, pool)?)
            }
            Op::CropLike { top, left: left_px } => {
                let image = get(0)?.blocked()?;
                let (w, h) = get(1)?.size();
                Value::Blocked(ops::crop(&image, *left_px, *top, w, h, pool)?)
            }
            Op::Add => {
                let all_blocked = step
                    .inputs
                    .iter()
                    .all(|i| matches!(values.get(*i), Some(Some(Value::Blocked(_)))));
                let mut sum = if all_blocked {
                    Value::Blocked(take_blocked(values, step, 0, left)?)
                } else {
                    Value::Planes(value(values, step, 0)?.planes()?.into_owned())
                };
                for i in 1..step.inputs.len() {
                    let term = value(values, step, i)?;
                    let size = term.size();
                    let (data, sum_size) = match &mut sum {
                        Value::Blocked(b) => (&mut b.data, (b.width, b.height)),
                        Value::Planes(p) => (&mut p.data, (p.width, p.height)),
                        Value::Vector(_) => return Err(NativeError::internal("a sum of vectors")),
                    };
                    let term_data = match term {
                        Value::Blocked(b) if all_blocked => Cow::Borrowed(&b.data[..]),
                        other => Cow::Owned(other.planes()?.into_owned().data),
                    };
                    ops::add_into(data, &term_data, sum_size, size, threads)?;
                }
                sum
            }
        })
    }
}

/// Input `i` of `step`, which an earlier step has computed.
fn value<'a>(values: &'a [Option<Value>], step: &Step, i: usize) -> Result<&'a Value, NativeError> {
    step.inputs
        .get(i)
        .and_then(|id| values.get(*id))
        .and_then(Option::as_ref)
        .ok_or_else(|| NativeError::internal("a step reads a value not computed"))
}

/// Input `i` of `step` as blocked activations to modify: moved out when
/// this is its last reader, else copied.
fn take_blocked(
    values: &mut [Option<Value>],
    step: &Step,
    i: usize,
    left: &[usize],
) -> Result<Blocked, NativeError> {
    let id = step
        .inputs
        .get(i)
        .copied()
        .ok_or_else(|| NativeError::internal("a step lacks an input"))?;
    if left.get(id) == Some(&1) {
        match values.get_mut(id).and_then(Option::take) {
            Some(Value::Blocked(b)) => return Ok(b),
            Some(other) => return Ok(other.blocked()?.into_owned()),
            None => return Err(NativeError::internal("a step reads a value not computed")),
        }
    }
    Ok(value(values, step, i)?.blocked()?.into_owned())
}

/// A value between steps, in whichever layout its writer produced.
#[derive(Clone, Debug)]
enum Value {
    Planes(Planes),
    Blocked(Blocked),
    /// One value per channel.
    Vector(Vec<f32>),
}

impl Value {
    fn planes(&self) -> Result<Cow<'_, Planes>, NativeError> {
        match self {
            Value::Planes(p) => Ok(Cow::Borrowed(p)),
            Value::Blocked(b) => Ok(Cow::Owned(b.to_planes())),
            Value::Vector(_) => Err(NativeError::internal("an image was expected, not a vector")),
        }
    }

    fn blocked(&self) -> Result<Cow<'_, Blocked>, NativeError> {
        match self {
            Value::Planes(p) => Ok(Cow::Owned(Blocked::from_planes(p))),
            Value::Blocked(b) => Ok(Cow::Borrowed(b)),
            Value::Vector(_) => Err(NativeError::internal("an image was expected, not a vector")),
        }
    }

    fn vector(&self) -> Result<&[f32], NativeError> {
        match self {
            Value::Vector(v) => Ok(v),
            _ => Err(NativeError::internal("a vector was expected, not an image")),
        }
    }

    fn size(&self) -> (usize, usize) {
        match self {
            Value::Planes(p) => (p.width, p.height),
            Value::Blocked(b) => (b.width, b.height),
            Value::Vector(_) => (1, 1),
        }
    }
}
