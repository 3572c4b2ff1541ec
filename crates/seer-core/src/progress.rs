//! Progress reporting for long work, independent of how it is shown
//! (a terminal bar in the CLI, a job record in the server).

/// Receives progress of one long task. Units are whatever `total` counts
/// (bytes for downloads, tiles or frames for image work).
pub trait Progress: Send + Sync {
    /// A new phase starts; `total` is the amount of work if known.
    fn start(&self, label: &str, total: Option<u64>);
    /// `done` units of the current phase are complete.
    fn set(&self, done: u64);
    /// The current phase is finished.
    fn finish(&self);
}

/// Progress sink that ignores everything (libraries and tests).
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _label: &str, _total: Option<u64>) {}
    fn set(&self, _done: u64) {}
    fn finish(&self) {}
}
