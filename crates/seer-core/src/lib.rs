//! seer-core: types shared by every seer crate.

pub mod progress;
