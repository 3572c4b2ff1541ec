//! seer's own inference engine for convolutional super-resolution
//! networks: plain chains (waifu2x upconv, SRMD, Real-ESRGAN compact) and
//! the U-Nets of Real-CUGAN and waifu2x CUNet (down- and up-sampling
//! layers, squeeze-and-excitation, crops and skip additions).
//!
//! Its 3×3 convolutions use the Winograd F(6×6, 3×3) algorithm
//! ([`winograd`]), about a fifth of the multiplications of the direct
//! method ONNX Runtime's CPU kernels use; that is why it exists. Networks
//! with any other operator are refused by [`graph::parse`] and run in ONNX
//! Runtime.

pub mod activation;
pub mod blocked;
pub mod graph;
pub mod ops;
pub mod parallel;
pub mod patch;
pub mod planes;
pub mod pool;
#[cfg(test)]
mod reference;
pub mod squeeze;
pub mod winograd;

pub use blocked::Blocked;
pub use graph::{Op, Program, Step, Unsupported};
pub use planes::Planes;

use seer_onnx::ModelProto;
use std::borrow::Cow;

/// A network the native engine can run.
#[derive(Debug)]
pub struct NativeNet {
    program: Program,
    /// How many steps read each value (plus one for the output).
    readers: Vec<usize>,
    threads: usize,
    /// Activation buffers reused across layers and runs.
    pool: pool::BufferPool,
}

impl NativeNet {
    /// Parses `model`; [`Unsupported`] says which node the engine lacks.
    pub fn from_model(model: &ModelProto, threads: usize) -> Result<NativeNet, Unsupported> {
        if !winograd::supported() {
            return Err(Unsupported("this CPU lacks AVX2/FMA".into()));
        }
        let program = graph::parse(model)?;
        Ok(NativeNet {
            readers: program.readers(),
            program,
            threads: threads.max(1),
            pool: pool::BufferPool::new(),
        })
    }

    /// Parses ONNX protobuf bytes (see [`NativeNet::from_model`]).
    pub fn from_bytes(bytes: &[u8], threads: usize) -> Result<NativeNet, Unsupported> {
        let model = seer_onnx::decode(bytes)
            .map_err(|e| Unsupported(format!("not a readable ONNX model: {e}")))?;
        Self::from_model(&model, threads)
    }

    /// Runs the network on `input` (NCHW planes, batch 1; taken, not
    /// copied). Panics if the input does not fit the network (wrong channel
    /// count, or sizes that make a skip connection's crop or sum mismatch).
    pub fn run(&self, input: Planes) -> Planes {
        assert_eq!(
            input.channels, self.program.input_channels,
            "input channel count"
        );
        let mut values: Vec<Option<Value>> = vec![None; self.program.values];
        values[0] = Some(Value::Planes(input));
        let mut left = self.readers.clone();
        for step in &self.program.steps {
            let out = self.apply(step, &mut values, &left);
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
        match values[self.program.output].take() {
            Some(Value::Planes(p)) => p,
            Some(Value::Blocked(b)) => b.to_planes(),
            _ => panic!("the network output is not an image"),
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
    fn apply(&self, step: &Step, values: &mut [Option<Value>], left: &[usize]) -> Value {
        let get = |i: usize| values[step.inputs[i]].as_ref().expect("value computed");
        let threads = self.threads;
        match &step.op {
            Op::Conv3x3(conv) => {
                Value::Blocked(conv.run_pooled(&get(0).blocked(), threads, &self.pool))
            }
            Op::PatchConv(conv) => Value::Blocked(conv.run(&get(0).blocked(), threads, &self.pool)),
            Op::PatchDeconv(deconv) => {
                Value::Blocked(deconv.run(&get(0).blocked(), threads, &self.pool))
            }
            Op::PhaseDeconv(deconv) => {
                Value::Blocked(deconv.run(&get(0).blocked(), threads, &self.pool))
            }
            Op::Deconv(deconv) => Value::Planes(match get(0) {
                Value::Blocked(b) => deconv.run_blocked(b, threads),
                other => deconv.run(&other.planes(), threads),
            }),
            Op::DepthToSpace(block) => Value::Planes(ops::depth_to_space(&get(0).planes(), *block)),
            Op::Upsample(scale) => Value::Planes(ops::upsample_nearest(&get(0).planes(), *scale)),
            Op::ResizeCubic {
                factor_w,
                factor_h,
                a,
            } => {
                let current = get(0).planes();
                let w = (current.width as f32 * factor_w).floor() as usize;
                let h = (current.height as f32 * factor_h).floor() as usize;
                Value::Planes(ops::resize_cubic(&current, w, h, *a))
            }
            Op::GlobalAverage => Value::Vector(squeeze::global_average(&get(0).blocked())),
            Op::Dense(dense) => Value::Vector(dense.run(get(0).vector())),
            Op::VectorRelu => Value::Vector(get(0).vector().iter().map(|v| v.max(0.0)).collect()),
            Op::VectorSigmoid => Value::Vector(
                get(0)
                    .vector()
                    .iter()
                    .map(|v| 1.0 / (1.0 + (-v).exp()))
                    .collect(),
            ),
            Op::Reshape => Value::Vector(get(0).vector().to_vec()),
            Op::ScaleChannels => {
                let scale = get(1).vector().to_vec();
                let mut image = take_blocked(values, step.inputs[0], left);
                squeeze::scale_channels(&mut image, &scale, threads);
                Value::Blocked(image)
            }
            Op::Activation(activation) => {
                let mut image = take_blocked(values, step.inputs[0], left);
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
                let image = get(0).blocked();
                let w = image.width.saturating_sub(left_px + right);
                let h = image.height.saturating_sub(top + bottom);
                Value::Blocked(ops::crop(&image, *left_px, *top, w, h, &self.pool))
            }
            Op::CropLike { top, left: left_px } => {
                let image = get(0).blocked();
                let reference = get(1);
                let (w, h) = reference.size();
                assert_eq!(image.channels, reference.channels(), "crop channel count");
                Value::Blocked(ops::crop(&image, *left_px, *top, w, h, &self.pool))
            }
            Op::Add => {
                let all_blocked = step
                    .inputs
                    .iter()
                    .all(|i| matches!(values[*i], Some(Value::Blocked(_))));
                let mut sum = if all_blocked {
                    Value::Blocked(take_blocked(values, step.inputs[0], left))
                } else {
                    let first = values[step.inputs[0]].as_ref().expect("value computed");
                    Value::Planes(first.planes().into_owned())
                };
                for i in &step.inputs[1..] {
                    let term = values[*i].as_ref().expect("value computed");
                    let size = term.size();
                    let (data, sum_size) = match &mut sum {
                        Value::Blocked(b) => (&mut b.data, (b.width, b.height)),
                        Value::Planes(p) => (&mut p.data, (p.width, p.height)),
                        Value::Vector(_) => unreachable!("sums are images"),
                    };
                    let term_data = match term {
                        Value::Blocked(b) if all_blocked => Cow::Borrowed(&b.data[..]),
                        other => Cow::Owned(other.planes().into_owned().data),
                    };
                    ops::add_into(data, &term_data, sum_size, size, threads);
                }
                sum
            }
        }
    }
}

/// Value `id` as blocked activations to modify: moved out when this is its
/// last reader, else copied.
fn take_blocked(values: &mut [Option<Value>], id: usize, left: &[usize]) -> Blocked {
    if left[id] == 1 {
        match values[id].take() {
            Some(Value::Blocked(b)) => return b,
            Some(other) => return other.blocked().into_owned(),
            None => panic!("value computed"),
        }
    }
    values[id]
        .as_ref()
        .expect("value computed")
        .blocked()
        .into_owned()
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
    fn planes(&self) -> Cow<'_, Planes> {
        match self {
            Value::Planes(p) => Cow::Borrowed(p),
            Value::Blocked(b) => Cow::Owned(b.to_planes()),
            Value::Vector(_) => panic!("an image was expected, not a vector"),
        }
    }

    fn blocked(&self) -> Cow<'_, Blocked> {
        match self {
            Value::Planes(p) => Cow::Owned(Blocked::from_planes(p)),
            Value::Blocked(b) => Cow::Borrowed(b),
            Value::Vector(_) => panic!("an image was expected, not a vector"),
        }
    }

    fn vector(&self) -> &[f32] {
        match self {
            Value::Vector(v) => v,
            _ => panic!("a vector was expected, not an image"),
        }
    }

    fn size(&self) -> (usize, usize) {
        match self {
            Value::Planes(p) => (p.width, p.height),
            Value::Blocked(b) => (b.width, b.height),
            Value::Vector(_) => (1, 1),
        }
    }

    fn channels(&self) -> usize {
        match self {
            Value::Planes(p) => p.channels,
            Value::Blocked(b) => b.channels,
            Value::Vector(v) => v.len(),
        }
    }
}
