//! seer-native: seer's own inference engine for convolutional
//! super-resolution networks: plain chains (waifu2x upconv, SRMD,
//! Real-ESRGAN compact) and the U-Nets of Real-CUGAN and waifu2x CUNet
//! (down- and up-sampling layers, squeeze-and-excitation, crops and skip
//! additions).
//!
//! Its 3×3 convolutions use the Winograd F(6×6, 3×3) algorithm, about a
//! fifth of the multiplications of the direct method ONNX Runtime's CPU
//! kernels use; that is why it exists. A network with any other operator
//! is refused by [`NativeNet::from_model`] with an error naming the node,
//! and the caller runs it in ONNX Runtime.
//!
//! ```no_run
//! # fn main() -> Result<(), seer_native::NativeError> {
//! let bytes = std::fs::read("model.onnx").expect("model file");
//! let net = seer_native::NativeNet::from_bytes(&bytes, 4)?;
//! let input = seer_native::Planes::new(3, 64, 64, vec![0.5; 3 * 64 * 64])?;
//! let output = net.run(input)?;
//! println!("{}x{} pixels, {} channels", output.width, output.height, output.channels);
//! # Ok(()) }
//! ```

mod activation;
mod blocked;
mod cpu;
mod error;
mod graph;
mod net;
mod ops;
mod parallel;
mod patch;
mod planes;
mod pool;
#[cfg(test)]
mod reference;
mod shapes;
mod squeeze;
mod winograd;

pub use cpu::Kernel;
pub use error::NativeError;
pub use net::NativeNet;
pub use planes::Planes;
