//! seer-core: types shared by every seer crate.

pub mod atomic;
pub mod cancel;
pub mod cpu_time;
pub mod error;
pub mod geometry;
pub mod memory;
pub mod progress;
pub mod random;

pub use cancel::{CancelToken, Cancelled};
pub use error::{ErrorKind, HasErrorKind};
pub use progress::{NoProgress, Progress};
