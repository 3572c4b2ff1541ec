//! seer-drive: camera-only driving perception. From one camera's frames:
//! the distance to road users (ground plane fused with size priors), the
//! lead vehicle, time-to-collision, a forward-collision warning, the ego
//! lane's lines and a lane-departure signal.
//!
//! - [`camera`]: the pinhole camera over a flat road (`camera.toml`).
//! - [`distance`]: distance and lateral offset of one box, from the ground
//!   plane and from class size priors, fused by their uncertainty.
//! - [`range_filter`]: range and range rate of a track (Kalman), each
//!   measurement weighted by its own uncertainty.
//! - [`warning`]: the lead vehicle, time-to-collision and the
//!   forward-collision warning with hysteresis.
//! - [`perception`]: one frame at a time: CenterNet road users, tracks,
//!   filtered distances, the lead, TTC and the warning ([`DriveFrame`],
//!   one JSONL line).
//! - [`run`]: a video or an image through the perception, the log and the
//!   annotated output written atomically ([`drive_video`], [`drive_image`]).
//! - [`draw`]: boxes with distances, the lead and the warning banner.
//! - [`lanes`]: the ego lane's lines from colour and ridge masks in a
//!   bird's-eye view of the road, solid or dashed, white or yellow, and a
//!   tracker with the lane-departure signal.
//! - [`horizon`]: the horizon from the lane lines' vanishing point, for
//!   frames without a camera description.
//! - `error`: [`DriveError`], with an error kind for servers.

pub mod camera;
pub mod distance;
pub mod draw;
pub mod error;
pub mod horizon;
pub mod lanes;
pub mod perception;
pub mod range_filter;
pub mod run;
pub mod warning;

pub use camera::{Camera, GroundPoint};
pub use distance::{
    object_distance, size_prior, stands_on_road, DistanceOptions, ObjectDistance, SizePrior,
};
pub use error::DriveError;
pub use lanes::{
    LaneFinder, LaneLine, LaneOptions, LaneTracker, Lanes, LineColour, LineKind, Side,
    TrackedLanes, TrackerOptions as LaneTrackerOptions,
};
pub use perception::{
    CameraSource, DriveFrame, DriveObject, DriveOptions, DrivePerception, DEFAULT_OBJECT_RATE_HZ,
    ROAD_USERS,
};
pub use range_filter::RangeFilter;
pub use run::{drive_image, drive_video, DriveOutputs, DriveReport, TimeSpan, WarningSpan};
pub use warning::{pick_lead, time_to_collision, CollisionWarning, LeadCandidate, WarningOptions};
