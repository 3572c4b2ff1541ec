//! Face evaluation: synthetic scenes, simulated attacks, liveness and
//! identification measurements.

pub mod detection_bench;
pub mod gallery;
pub mod identify_bench;
pub mod liveness;
pub mod liveness_bench;
pub mod search_bench;
pub mod spoof_sim;
pub mod synthetic;
pub mod throughput;
pub mod verify_bench;
