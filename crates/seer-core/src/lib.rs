//! seer-core: types shared by every seer crate.

pub mod cpu_time;
pub mod geometry;
pub mod progress;
pub mod random;
