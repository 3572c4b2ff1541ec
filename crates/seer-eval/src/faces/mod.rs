//! Face evaluation: the measuring code ([`synthetic`] scenes,
//! [`spoof_sim`] attacks, [`liveness`] and [`gallery`] evaluations) and
//! one driver per `seer bench` face command, each taking typed options and
//! returning a serde report: [`identify_bench`] (`bench faces`),
//! [`search_bench`] (`bench gallery-search`), [`liveness_bench`]
//! (`bench liveness`), [`detection_bench`] (`bench faces-synthetic`),
//! [`verify_bench`] (`bench faces-verify`) and [`throughput`]
//! (`bench faces-throughput`).

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
