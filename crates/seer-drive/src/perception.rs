//! One frame at a time: road users detected and tracked, each with its
//! distance and lateral offset, the lead vehicle, its time-to-collision and
//! the forward-collision warning. The per-frame result is what the JSONL
//! log holds, one line per frame.

use crate::camera::Camera;
use crate::distance::{object_distance, stands_on_road, DistanceOptions, ObjectDistance};
use crate::horizon::HorizonEstimator;
use crate::lanes::{LaneFinder, LaneOptions, LaneTracker, Lanes};
use crate::range_filter::RangeFilter;
use crate::warning::{
    pick_lead, time_to_collision, CollisionWarning, LeadCandidate, WarningOptions,
};
use crate::DriveError;
use image::RgbImage;
use seer_objects::{class_name, CenterNet, CenterNetOptions, Detection, Tracker, TrackerOptions};
use serde::Serialize;
use std::collections::HashMap;

/// COCO ids of the road users seer reports: person, bicycle, car,
/// motorcycle, bus, truck.
pub const ROAD_USERS: [u32; 6] = [0, 1, 2, 3, 5, 7];
/// COCO ids of the vehicles that can be the lead: car, motorcycle, bus,
/// truck.
const VEHICLES: [u32; 4] = [2, 3, 5, 7];
/// Acceleration noise of the range filter, m/s².
const RANGE_ACCEL_SIGMA: f64 = 3.0;
/// Uncertainty of a new track's range rate, m/s.
const INITIAL_RATE_SIGMA: f64 = 15.0;
/// Detections down to this score reach the tracker (its second pass).
const TRACKED_SCORE: f32 = 0.2;
/// An untracked detection is reported from this score up (a single image
/// has no tracks).
const REPORTED_SCORE: f32 = 0.3;
/// Frames a lost track's range filter is kept.
const FILTER_KEEP_FRAMES: u64 = 30;

/// A vehicle that may be the lead: its track, where it is, its range
/// rate (m/s).
type Candidate = (u64, LeadCandidate, f64);

/// The road users of the last frame the detector ran on.
#[derive(Clone, Debug)]
struct MeasuredObjects {
    /// Its time, seconds.
    t: f64,
    /// Its road users.
    objects: Vec<DriveObject>,
    /// Its lead candidates.
    candidates: Vec<Candidate>,
}

/// Objects are detected this many times a second by default (every second
/// frame of 30 fps video); lanes, distances and warnings are updated on
/// every frame.
pub const DEFAULT_OBJECT_RATE_HZ: f64 = 15.0;

/// Everything the perception is tuned by.
#[derive(Clone, Debug)]
pub struct DriveOptions {
    /// The camera; `None`: the preset of the shared 960×540 clips, scaled
    /// to the frame.
    pub camera: Option<Camera>,
    /// The object detector.
    pub detector: CenterNetOptions,
    /// How often objects are detected, per second (`None`: on every
    /// frame). Frames between reuse the last boxes with predicted
    /// distances.
    pub object_rate_hz: Option<f64>,
    /// The tracker.
    pub tracker: TrackerOptions,
    /// Distance uncertainties.
    pub distance: DistanceOptions,
    /// Time-to-collision warning.
    pub warning: WarningOptions,
    /// The lane finder.
    pub lanes: LaneOptions,
    /// Lane smoothing and departure.
    pub lane_tracker: crate::lanes::TrackerOptions,
}

impl Default for DriveOptions {
    fn default() -> Self {
        DriveOptions {
            camera: None,
            detector: CenterNetOptions {
                score_threshold: TRACKED_SCORE,
                ..CenterNetOptions::default()
            },
            object_rate_hz: Some(DEFAULT_OBJECT_RATE_HZ),
            tracker: TrackerOptions::for_centernet(),
            distance: DistanceOptions::default(),
            warning: WarningOptions::default(),
            lanes: LaneOptions::default(),
            lane_tracker: crate::lanes::TrackerOptions::default(),
        }
    }
}

/// Where the camera model came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraSource {
    /// The caller's description (e.g. `camera.toml`), scaled to the frame.
    Given,
    /// The preset of the shared 960×540 clips, scaled to the frame: the
    /// distances assume that camera (a 62° field of view, 1.25 m high).
    Preset,
    /// The preset's focal length and height with the pitch measured from
    /// the lane lines' vanishing point over the first seconds (frames
    /// before that used the preset's pitch).
    PresetWithEstimatedPitch,
}

/// Seconds of video over which the horizon is estimated without a camera
/// description.
const HORIZON_SECONDS: f64 = 3.0;

/// One road user in one frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DriveObject {
    /// Class name (COCO), e.g. "car".
    pub class: String,
    /// Box corners x1, y1, x2, y2, pixels.
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    /// Detector confidence, 0..1.
    pub score: f32,
    /// Distance ahead along the road, metres (filtered along the track).
    pub distance_m: Option<f64>,
    /// Offset from the camera's axis, metres, right positive.
    pub lateral_m: Option<f64>,
    /// Rate of change of the distance, m/s (negative = closing).
    pub range_rate_mps: Option<f64>,
    /// Track id (stable through the video), once the track is confirmed.
    pub track: Option<u64>,
}

/// What one frame shows: the JSONL log line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DriveFrame {
    /// Frame number, from 0.
    pub frame: u64,
    /// Presentation time, seconds.
    pub t: f64,
    /// Road users, nearest first where the distance is known.
    pub objects: Vec<DriveObject>,
    /// The ego lane's lines, smoothed along the video (`null` where not
    /// found).
    pub lanes: Lanes,
    /// Track id of the lead vehicle in the ego lane.
    pub lead: Option<u64>,
    /// Time-to-collision with the lead, seconds, when it closes in.
    pub ttc_s: Option<f64>,
    /// Forward-collision warning.
    pub fcw: bool,
    /// Lane-departure warning: the camera within the departure distance
    /// of a line.
    pub ldw: bool,
}

/// The perception state carried from frame to frame.
pub struct DrivePerception {
    detector: CenterNet,
    tracker: Tracker,
    camera: Camera,
    camera_source: CameraSource,
    options: DriveOptions,
    ranges: HashMap<u64, (RangeFilter, f64, u64)>,
    warning: CollisionWarning,
    lane_finder: LaneFinder,
    lane_tracker: LaneTracker,
    horizon: Option<HorizonEstimator>,
    frames: u64,
    last_measured: Option<MeasuredObjects>,
    previous_t: Option<f64>,
}

impl DrivePerception {
    /// Loads the detector for frames of `frame_size` (width, height in
    /// pixels) and checks every option.
    pub fn new(
        store: &seer_models::Store,
        frame_size: (u32, u32),
        options: &DriveOptions,
    ) -> Result<DrivePerception, DriveError> {
        let (camera, camera_source) = match options.camera {
            Some(c) => (c.scaled_to(frame_size.0, frame_size.1), CameraSource::Given),
            None => (
                Camera::shared_clip_preset().scaled_to(frame_size.0, frame_size.1),
                CameraSource::Preset,
            ),
        };
        if let Some(rate) = options.object_rate_hz {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(DriveError::BadSetting {
                    setting: "object detection rate",
                    value: rate.to_string(),
                    expected: "use a positive number of times per second",
                });
            }
        }
        let warning = CollisionWarning::new(options.warning)?;
        let tracker = Tracker::new(options.tracker)?;
        let lane_finder = LaneFinder::new(options.lanes)?;
        let lane_tracker = LaneTracker::new(options.lane_tracker)?;
        let detector = CenterNet::open(store, frame_size, &options.detector)?;
        Ok(DrivePerception {
            detector,
            tracker,
            camera,
            camera_source,
            options: options.clone(),
            ranges: HashMap::new(),
            warning,
            lane_finder,
            lane_tracker,
            horizon: (camera_source == CameraSource::Preset).then(HorizonEstimator::new),
            frames: 0,
            last_measured: None,
            previous_t: None,
        })
    }

    /// The camera used (scaled to the frames).
    pub fn camera(&self) -> &Camera {
        &self.camera
    }

    /// Where the camera came from.
    pub fn camera_source(&self) -> CameraSource {
        self.camera_source
    }

    /// Without a camera description: collects vanishing rows over the first
    /// seconds, then sets the pitch from their median when it is plausible
    /// (within 15 % of the frame height of the preset's horizon).
    fn estimate_horizon(&mut self, lanes: &Lanes, t: f64, frame_height: u32) {
        let Some(estimator) = self.horizon.as_mut() else {
            return;
        };
        if t <= HORIZON_SECONDS {
            estimator.push(lanes);
            return;
        }
        if let Some(row) = estimator.horizon_row() {
            if (row - self.camera.horizon_row()).abs() < 0.15 * f64::from(frame_height) {
                let pitch = ((self.camera.cy - row) / self.camera.focal_y_px).atan();
                self.camera.pitch_deg = pitch.to_degrees();
                self.camera_source = CameraSource::PresetWithEstimatedPitch;
            }
        }
        self.horizon = None;
    }

    /// The horizon row in use, pixels of the camera's frame size.
    pub fn horizon_row(&self) -> f64 {
        self.camera.horizon_row()
    }

    /// Detects, tracks and measures the road users of `image`, shown at
    /// `t` seconds. Between the frames the detector runs on (see
    /// [`DriveOptions::object_rate_hz`]) the last measured objects are
    /// carried forward, their distances predicted by their range filters.
    pub fn process(&mut self, image: &RgbImage, t: f64) -> Result<DriveFrame, DriveError> {
        let frame = self.frames;
        self.frames += 1;
        let size = image.dimensions();
        let camera = if (self.camera.width, self.camera.height) == size {
            self.camera
        } else {
            self.camera.scaled_to(size.0, size.1)
        };
        let (mut objects, candidates) = if self.wants_detection(t) {
            let measured = self.measure_objects(image, &camera, t, frame)?;
            self.last_measured = Some(measured.clone());
            (measured.objects, measured.candidates)
        } else {
            self.predicted_objects(t)
        };
        self.previous_t = Some(t);
        let measured_lanes = self.lane_finder.find(image, &camera);
        self.estimate_horizon(&measured_lanes, t, size.1);
        let tracked_lanes = self.lane_tracker.update(&measured_lanes);
        let lanes = tracked_lanes.lanes;
        // In the ego lane: between its lines where both are known (offsets
        // relative to the lane centre), else within half a lane of the axis.
        let plain: Vec<LeadCandidate> = candidates
            .iter()
            .map(|c| LeadCandidate {
                range_m: c.1.range_m,
                lateral_m: lane_offset(&lanes, c.1.range_m, c.1.lateral_m),
            })
            .collect();
        let half_width = match (&lanes.left, &lanes.right) {
            (Some(_), Some(_)) => lanes
                .width_m()
                .map(|w| w / 2.0)
                .unwrap_or(self.options.warning.ego_half_width_m),
            _ => self.options.warning.ego_half_width_m,
        };
        let lead = pick_lead(&plain, half_width).map(|i| candidates[i]);
        let ttc_s = lead.and_then(|(_, c, rate)| {
            time_to_collision(c.range_m, rate, self.options.warning.min_closing_mps)
        });
        let fcw = self.warning.update(ttc_s);
        objects.sort_by(|a, b| {
            let key = |o: &DriveObject| o.distance_m.unwrap_or(f64::INFINITY);
            key(a).total_cmp(&key(b))
        });
        Ok(DriveFrame {
            frame,
            t,
            objects,
            lanes,
            lead: lead.map(|(id, _, _)| id),
            ttc_s,
            fcw,
            ldw: tracked_lanes.departing.is_some(),
        })
    }

    /// Whether the detector runs on the frame shown at `t`: always without
    /// a rate, else once the interval since the last detection is within
    /// half a frame of the rate's period.
    fn wants_detection(&self, t: f64) -> bool {
        let (Some(rate), Some(last)) = (self.options.object_rate_hz, &self.last_measured) else {
            return true;
        };
        let gap = self.previous_t.map(|p| (t - p).max(0.0)).unwrap_or(0.0);
        t - last.t + 0.5 * gap >= 1.0 / rate
    }

    /// The last measured objects carried to `t`: boxes as they were,
    /// distances moved on by their range rates.
    fn predicted_objects(&self, t: f64) -> (Vec<DriveObject>, Vec<Candidate>) {
        let Some(last) = &self.last_measured else {
            return (Vec::new(), Vec::new());
        };
        let dt = (t - last.t).max(0.0);
        let objects = last
            .objects
            .iter()
            .map(|o| DriveObject {
                distance_m: match (o.distance_m, o.range_rate_mps) {
                    (Some(d), Some(rate)) => Some(d + rate * dt),
                    (d, _) => d,
                },
                ..o.clone()
            })
            .collect();
        let candidates = last
            .candidates
            .iter()
            .map(|&(id, c, rate)| {
                (
                    id,
                    LeadCandidate {
                        range_m: c.range_m + rate * dt,
                        ..c
                    },
                    rate,
                )
            })
            .collect();
        (objects, candidates)
    }

    /// Detects, tracks and measures the road users of `image`.
    fn measure_objects(
        &mut self,
        image: &RgbImage,
        camera: &Camera,
        t: f64,
        frame: u64,
    ) -> Result<MeasuredObjects, DriveError> {
        // Road users whose size and position fit an object standing on
        // the road; the rest (markings, signs, pictures) never reach the
        // tracker.
        let (found, measured): (Vec<Detection>, Vec<Option<ObjectDistance>>) = self
            .detector
            .detect(image)?
            .into_iter()
            .filter(|d| ROAD_USERS.contains(&d.class))
            .map(|d| {
                let m = object_distance(camera, &d.bbox, d.class, &self.options.distance);
                (d, m)
            })
            .filter(|(d, m)| {
                let u = f64::from(d.bbox.x) + f64::from(d.bbox.width) / 2.0;
                let bottom = f64::from(d.bbox.bottom());
                m.as_ref()
                    .is_none_or(|m| stands_on_road(camera, u, bottom, m))
            })
            .unzip();
        let tracked = self.tracker.update(&found);
        let mut track_of = vec![None; found.len()];
        for t in &tracked {
            if let Some(slot) = track_of.get_mut(t.detection) {
                *slot = Some(t.track_id);
            }
        }
        let mut objects = Vec::with_capacity(found.len());
        let mut candidates = Vec::new();
        for ((d, track), measured) in found.iter().zip(track_of).zip(measured) {
            if track.is_none() && d.score < REPORTED_SCORE {
                continue;
            }
            // Objects that stand on the road are below the horizon.
            let (mut distance_m, mut lateral_m, mut rate) = (None, None, None);
            if let Some(m) = measured {
                distance_m = Some(m.distance_m);
                lateral_m = Some(m.lateral_m);
                if let Some(id) = track {
                    let entry = self.ranges.entry(id).or_insert_with(|| {
                        (
                            RangeFilter::new(
                                m.distance_m,
                                m.sigma_m,
                                RANGE_ACCEL_SIGMA,
                                INITIAL_RATE_SIGMA,
                            ),
                            t,
                            frame,
                        )
                    });
                    let (filter, last_t, last_frame) = entry;
                    if *last_frame != frame {
                        filter.predict(t - *last_t);
                        filter.update(m.distance_m, m.sigma_m);
                        *last_t = t;
                        *last_frame = frame;
                    }
                    distance_m = Some(filter.range_m());
                    rate = Some(filter.rate_mps());
                    if VEHICLES.contains(&d.class) {
                        candidates.push((
                            id,
                            LeadCandidate {
                                range_m: filter.range_m(),
                                lateral_m: m.lateral_m,
                            },
                            filter.rate_mps(),
                        ));
                    }
                }
            }
            let b = d.bbox;
            objects.push(DriveObject {
                class: class_name(d.class).unwrap_or("object").to_string(),
                bbox: [b.x, b.y, b.right(), b.bottom()],
                score: d.score,
                distance_m,
                lateral_m,
                range_rate_mps: rate,
                track,
            });
        }
        self.ranges
            .retain(|_, (_, _, last)| frame - *last <= FILTER_KEEP_FRAMES);
        Ok(MeasuredObjects {
            t,
            objects,
            candidates,
        })
    }
}

/// The offset of a point `lateral_m` right of the camera axis at
/// `range_m` ahead from the ego lane's centre, where both lines are known
/// (else from the axis).
fn lane_offset(lanes: &Lanes, range_m: f64, lateral_m: f64) -> f64 {
    match (&lanes.left, &lanes.right) {
        (Some(l), Some(r)) => {
            // Far beyond what the lines cover, their fit is extrapolated;
            // it stays the best estimate of the lane there.
            let centre = (l.lateral_at(range_m) + r.lateral_at(range_m)) / 2.0;
            if centre.is_finite() {
                lateral_m - centre
            } else {
                lateral_m
            }
        }
        _ => lateral_m,
    }
}
