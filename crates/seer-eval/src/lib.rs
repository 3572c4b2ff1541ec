//! seer-eval: evaluation, simulation and benchmark drivers. Not published:
//! the `seer bench …` commands and the tests use it; the library crates do
//! not ship it.
//!
//! * [`dataset`]: the faces data folder (`gallery/<subject>/*`,
//!   `probes/labels.csv`) every face evaluation reads; [`stats`]: ROC AUC
//!   and TAR at a FAR.
//! * [`faces`]: synthetic small-face scenes ([`faces::synthetic`]),
//!   simulated presentation attacks ([`faces::spoof_sim`]), liveness
//!   evaluation ([`faces::liveness`]), identification accuracy on a
//!   labelled folder ([`faces::gallery`]) and the driver of each `seer
//!   bench` face command (`faces::*_bench`, [`faces::throughput`]).
//! * [`EvalError`]: what the drivers return on failure; option errors name
//!   the options field, never a CLI flag.
//! * [`upscale`]: PSNR/SSIM of an upscaler on a dataset
//!   ([`upscale::quality`]), model speed against the MatMul peak
//!   ([`upscale::speed`]) and the pipeline's overhead around the model
//!   ([`upscale::overhead`]).

pub mod dataset;
pub mod error;
pub mod faces;
pub mod stats;
pub mod upscale;

pub use error::EvalError;
