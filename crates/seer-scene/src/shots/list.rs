//! The shot list as users get it (JSON) and as a table.

use serde::{Deserialize, Serialize};

/// How a shot begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The first shot of the video.
    Start,
    /// A hard cut: the previous frame belongs to the previous shot.
    Cut,
    /// A fade through black (or white): the shot starts at the first frame
    /// after the darkest (brightest) span, where the picture comes back.
    Fade,
    /// A cross-fade: the shot starts at the middle of the mixed span.
    Dissolve,
}

impl Transition {
    /// The name used in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            Transition::Start => "start",
            Transition::Cut => "cut",
            Transition::Fade => "fade",
            Transition::Dissolve => "dissolve",
        }
    }
}

/// A boundary found by the detector: the first frame of a new shot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boundary {
    /// Index of the first frame of the new shot, from 0.
    pub frame: u64,
    /// How the new shot begins (never [`Transition::Start`]).
    pub transition: Transition,
}

/// One shot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shot {
    /// Index of the shot's first frame, from 0.
    pub start_frame: u64,
    /// Index of the shot's last frame (inclusive).
    pub end_frame: u64,
    /// Start time in seconds (`start_frame / fps`).
    pub start_s: f64,
    /// End time in seconds: the end of the last frame (`(end_frame + 1) / fps`).
    pub end_s: f64,
    /// How the shot begins.
    pub transition_in: Transition,
}

/// The shots of a video, covering every frame once, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShotList {
    /// Frames per second used for the times.
    pub fps: f64,
    /// Frames in the video.
    pub frames: u64,
    /// The shots, contiguous from frame 0 to `frames - 1`.
    pub shots: Vec<Shot>,
}

impl ShotList {
    /// The list of `frames` frames cut at `boundaries` (sorted, each inside
    /// 1..frames; others are ignored). Empty when `frames` is 0.
    pub fn from_boundaries(frames: u64, fps: f64, boundaries: &[Boundary]) -> ShotList {
        let seconds = |frame: u64| if fps > 0.0 { frame as f64 / fps } else { 0.0 };
        let mut shots = Vec::new();
        if frames > 0 {
            let mut start = 0;
            let mut transition = Transition::Start;
            for b in boundaries {
                if b.frame <= start || b.frame >= frames {
                    continue;
                }
                shots.push(Shot {
                    start_frame: start,
                    end_frame: b.frame - 1,
                    start_s: seconds(start),
                    end_s: seconds(b.frame),
                    transition_in: transition,
                });
                start = b.frame;
                transition = b.transition;
            }
            shots.push(Shot {
                start_frame: start,
                end_frame: frames - 1,
                start_s: seconds(start),
                end_s: seconds(frames),
                transition_in: transition,
            });
        }
        ShotList { fps, frames, shots }
    }

    /// The boundaries between the shots (every shot's start but the first).
    pub fn boundaries(&self) -> Vec<Boundary> {
        self.shots
            .iter()
            .skip(1)
            .map(|s| Boundary {
                frame: s.start_frame,
                transition: s.transition_in,
            })
            .collect()
    }

    /// A human-readable table: one line per shot with its frames, times
    /// (seconds) and transition.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{:>4}  {:>8}  {:>8}  {:>9}  {:>9}  {}\n",
            "shot", "start", "end", "start_s", "end_s", "transition"
        );
        for (i, s) in self.shots.iter().enumerate() {
            out.push_str(&format!(
                "{:>4}  {:>8}  {:>8}  {:>9.3}  {:>9.3}  {}\n",
                i + 1,
                s.start_frame,
                s.end_frame,
                s.start_s,
                s.end_s,
                s.transition_in.name()
            ));
        }
        out
    }
}

impl std::fmt::Display for ShotList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_table())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shots_are_contiguous_and_skip_bad_boundaries() {
        let b = |frame, transition| Boundary { frame, transition };
        let list = ShotList::from_boundaries(
            100,
            25.0,
            &[
                b(0, Transition::Cut),
                b(30, Transition::Cut),
                b(30, Transition::Fade),
                b(60, Transition::Dissolve),
                b(100, Transition::Cut),
            ],
        );
        assert_eq!(list.shots.len(), 3);
        assert_eq!(list.shots[0].transition_in, Transition::Start);
        assert_eq!(list.shots[1].start_frame, 30);
        assert_eq!(list.shots[2].transition_in, Transition::Dissolve);
        assert_eq!(list.shots[2].end_frame, 99);
        assert!((list.shots[2].end_s - 4.0).abs() < 1e-9);
        assert_eq!(list.boundaries().len(), 2);
        assert!(list.to_table().contains("dissolve"));
        assert!(ShotList::from_boundaries(0, 25.0, &[]).shots.is_empty());
    }
}
