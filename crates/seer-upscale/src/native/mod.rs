//! seer's own inference engine for plain convolutional super-resolution
//! networks (waifu2x upconv, SRMD, Real-ESRGAN compact): chains of 3×3
//! convolutions with fused activations, transposed convolution,
//! depth-to-space, an input residual and a final bicubic resize.
//!
//! Its 3×3 convolutions use the Winograd F(4×4, 3×3) algorithm
//! ([`winograd`]), a quarter of the multiplications of the direct method
//! ONNX Runtime's CPU kernels use; that is why it exists. Networks with any
//! other operator are refused by [`graph::parse`] and run in ONNX Runtime.

pub mod activation;
pub mod blocked;
pub mod graph;
pub mod ops;
pub mod planes;
pub mod pool;
#[cfg(test)]
mod reference;
pub mod winograd;

pub use blocked::Blocked;
pub use graph::{Layer, Unsupported};
pub use planes::Planes;

use seer_models::onnx::ModelProto;

/// A network the native engine can run.
#[derive(Debug)]
pub struct NativeNet {
    input_channels: usize,
    layers: Vec<Layer>,
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
        let chain = graph::parse(model)?;
        Ok(NativeNet {
            input_channels: chain.input_channels,
            layers: chain.layers,
            threads: threads.max(1),
            pool: pool::BufferPool::new(),
        })
    }

    /// Parses ONNX protobuf bytes (see [`NativeNet::from_model`]).
    pub fn from_bytes(bytes: &[u8], threads: usize) -> Result<NativeNet, Unsupported> {
        let model = seer_models::onnx::decode(bytes)
            .map_err(|e| Unsupported(format!("not a readable ONNX model: {e}")))?;
        Self::from_model(&model, threads)
    }

    /// Channels the network expects.
    pub fn input_channels(&self) -> usize {
        self.input_channels
    }

    /// The layers in order.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Runs the network on `input` (NCHW planes, batch 1).
    pub fn run(&self, input: &Planes) -> Planes {
        assert_eq!(input.channels, self.input_channels, "input channel count");
        let mut x = Activations::Borrowed(input);
        for layer in &self.layers {
            x = match layer {
                Layer::Conv(conv) => {
                    let out = conv.run_pooled(&x.blocked(), self.threads, &self.pool);
                    if let Activations::Blocked(done) = x {
                        self.pool.give(done.data);
                    }
                    Activations::Blocked(out)
                }
                Layer::Deconv(deconv) => Activations::Planes(match &x {
                    Activations::Blocked(b) => deconv.run_blocked(b, self.threads),
                    _ => deconv.run(&x.planes(), self.threads),
                }),
                Layer::DepthToSpace(block) => {
                    Activations::Planes(ops::depth_to_space(&x.planes(), *block))
                }
                Layer::AddNearestInput(scale) => {
                    let mut out = x.into_planes();
                    ops::add_nearest_input(&mut out, input, *scale);
                    Activations::Planes(out)
                }
                Layer::ResizeCubic {
                    factor_w,
                    factor_h,
                    a,
                } => {
                    let current = x.planes();
                    let w = (current.width as f32 * factor_w).floor() as usize;
                    let h = (current.height as f32 * factor_h).floor() as usize;
                    Activations::Planes(ops::resize_cubic(&current, w, h, *a))
                }
            };
        }
        x.into_planes()
    }
}

/// Activations between layers, in whichever layout the last layer wrote.
enum Activations<'a> {
    /// The network input, not yet copied.
    Borrowed(&'a Planes),
    Planes(Planes),
    Blocked(Blocked),
}

impl Activations<'_> {
    fn planes(&self) -> std::borrow::Cow<'_, Planes> {
        use std::borrow::Cow;
        match self {
            Activations::Borrowed(p) => Cow::Borrowed(*p),
            Activations::Planes(p) => Cow::Borrowed(p),
            Activations::Blocked(b) => Cow::Owned(b.to_planes()),
        }
    }

    fn blocked(&self) -> std::borrow::Cow<'_, Blocked> {
        use std::borrow::Cow;
        match self {
            Activations::Borrowed(p) => Cow::Owned(Blocked::from_planes(p)),
            Activations::Planes(p) => Cow::Owned(Blocked::from_planes(p)),
            Activations::Blocked(b) => Cow::Borrowed(b),
        }
    }

    fn into_planes(self) -> Planes {
        match self {
            Activations::Borrowed(p) => p.clone(),
            Activations::Planes(p) => p,
            Activations::Blocked(b) => b.to_planes(),
        }
    }
}
