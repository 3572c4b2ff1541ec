//! Narration: one or two plain sentences per shot, built from what was
//! measured in it (objects and their counts, tracks entering and leaving,
//! camera motion), as JSON or subtitles.

pub mod chinese;
pub mod describe;
pub mod motion;
pub mod scoreboard;
pub mod subtitles;
pub mod video;

pub use chinese::narrate_chinese;
pub use describe::{clock, narrate, Language, ShotEvent, ShotFacts, ShotNarration};
pub use motion::{motion_between, CameraMotion, MotionEstimator, MotionStep};
pub use scoreboard::{score_changes, score_of, ScoreChange};
pub use subtitles::{to_srt, to_vtt};
pub use video::{describe_video, DescribeOptions, DescribeOutputs, Narration};
