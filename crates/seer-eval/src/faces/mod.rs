//! Face evaluation: synthetic scenes, simulated attacks, liveness and
//! identification measurements.

pub mod gallery;
pub mod liveness;
pub mod spoof_sim;
pub mod synthetic;
