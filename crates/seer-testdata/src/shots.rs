//! An edited clip with known shot boundaries, built in code from the real
//! clips and stills of `testdata/`: hard cuts, one dissolve and one fade
//! through black. The segments move (the clips play, the stills pan and
//! zoom) so no shot is a frozen picture.

use image::{imageops, RgbImage};
use seer_video::{EncodeOptions, Item, VideoReader, VideoWriter};
use std::path::{Path, PathBuf};

/// Width of the edited clip in pixels.
pub const WIDTH: u32 = 256;
/// Height of the edited clip in pixels.
pub const HEIGHT: u32 = 144;
/// Frames of the dissolve (1 s at 25 fps).
pub const DISSOLVE_FRAMES: usize = 25;
/// Frames of the fade to black.
pub const FADE_OUT_FRAMES: usize = 12;
/// Fully black frames between the fade-out and the fade-in.
pub const BLACK_FRAMES: usize = 2;
/// Frames of the fade from black.
pub const FADE_IN_FRAMES: usize = 12;

/// How a true boundary was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrueKind {
    /// A hard cut (one frame old shot, the next new).
    Cut,
    /// Fade to black and back; the boundary is the first frame of the fade-in.
    Fade,
    /// A cross-fade; the boundary is the middle of the mixed span
    /// (span start + frames / 2).
    Dissolve,
}

impl TrueKind {
    /// The transition name seer-scene uses.
    pub fn name(self) -> &'static str {
        match self {
            TrueKind::Cut => "cut",
            TrueKind::Fade => "fade",
            TrueKind::Dissolve => "dissolve",
        }
    }
}

/// A boundary of the edited clip: the first frame of a new shot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrueBoundary {
    /// Index of the new shot's first frame, from 0.
    pub frame: u64,
    /// How it was made.
    pub kind: TrueKind,
}

/// Where a segment's pictures come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Frames `from..to` of a video (0-based, end exclusive).
    Clip { path: PathBuf, from: u64, to: u64 },
    /// A still image shown for `frames` frames with a slow pan and zoom.
    Still { path: PathBuf, frames: usize },
}

/// How a segment joins the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// A hard cut.
    Cut,
    /// A cross-fade over [`DISSOLVE_FRAMES`] (the segments overlap).
    Dissolve,
    /// Fade-out to black, black frames, fade-in ([`FADE_OUT_FRAMES`],
    /// [`BLACK_FRAMES`], [`FADE_IN_FRAMES`]).
    FadeThroughBlack,
}

/// One segment of the edit.
#[derive(Clone, Debug)]
pub struct Segment {
    /// The pictures.
    pub source: Source,
    /// How it joins the previous segment (ignored for the first).
    pub join: Join,
}

/// Frames of the Hamilton clip where it cuts itself (the first frame of
/// each new shot), found by decoding it and looking at every frame: a
/// wide stage shot, a close-up from frame 20, the singer from frame 82,
/// the audience from frame 211.
pub const HAMILTON_CUTS: [u64; 3] = [20, 82, 211];

/// The Hamilton clip's own cuts inside `source`, as frames of the edit
/// when the source's first frame lands at `offset`.
fn own_cuts(source: &Source, offset: u64) -> Vec<TrueBoundary> {
    match source {
        Source::Clip { path, from, to } if path == &crate::hamilton_clip() => HAMILTON_CUTS
            .iter()
            .filter(|&&c| c > *from && c < *to)
            .map(|&c| TrueBoundary {
                frame: offset + c - from,
                kind: TrueKind::Cut,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The edit [`edited_clip`] writes.
pub fn edit() -> Vec<Segment> {
    let hamilton = crate::hamilton_clip();
    let drive = crate::path("drive/test_videos/solidWhiteRight.mp4");
    let still = |name: &str, frames| Source::Still {
        path: crate::path(&format!("sr/Set14/{name}")),
        frames,
    };
    let clip = |path: &PathBuf, from, to| Source::Clip {
        path: path.clone(),
        from,
        to,
    };
    vec![
        Segment {
            source: clip(&hamilton, 0, 120),
            join: Join::Cut,
        },
        Segment {
            source: still("baboon.png", 40),
            join: Join::Cut,
        },
        Segment {
            source: clip(&drive, 0, 70),
            join: Join::Cut,
        },
        Segment {
            source: still("monarch.png", 70),
            join: Join::Dissolve,
        },
        Segment {
            source: clip(&drive, 120, 180),
            join: Join::FadeThroughBlack,
        },
        Segment {
            source: still("lenna.png", 40),
            join: Join::Cut,
        },
        Segment {
            source: clip(&hamilton, 120, 275),
            join: Join::Cut,
        },
    ]
}

/// Resizes to the clip's size, cropping the centre to 16:9 first.
fn fit(image: &RgbImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let (cw, ch) = if w * HEIGHT > h * WIDTH {
        (h * WIDTH / HEIGHT, h)
    } else {
        (w, w * HEIGHT / WIDTH)
    };
    let crop = imageops::crop_imm(image, (w - cw) / 2, (h - ch) / 2, cw, ch).to_image();
    imageops::resize(&crop, WIDTH, HEIGHT, imageops::FilterType::Triangle)
}

/// Frames `from..to` of the video at `path`, fitted.
fn clip_frames(path: &Path, from: u64, to: u64) -> Vec<RgbImage> {
    let mut reader = VideoReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader.set_copy_streams(false);
    let mut frames = Vec::new();
    while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
        if let Item::Frame(frame) = item {
            if frame.index >= to {
                break;
            }
            if frame.index >= from {
                frames.push(fit(&frame.image));
            }
        }
    }
    assert_eq!(frames.len() as u64, to - from, "{}", path.display());
    frames
}

/// A still panned left to right while zooming in from 80 % to 65 % of its
/// width, fitted, for `count` frames.
fn still_frames(path: &Path, count: usize) -> Vec<RgbImage> {
    let image = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    let (w, h) = image.dimensions();
    (0..count)
        .map(|i| {
            let t = i as f32 / count.max(1) as f32;
            let cw = ((0.8 - 0.15 * t) * w as f32) as u32;
            let ch = (cw * HEIGHT / WIDTH).min(h);
            let x = ((w - cw) as f32 * (0.1 + 0.8 * t)) as u32;
            let y = (h - ch) / 2;
            let crop = imageops::crop_imm(&image, x, y, cw, ch).to_image();
            imageops::resize(&crop, WIDTH, HEIGHT, imageops::FilterType::Triangle)
        })
        .collect()
}

fn frames_of(source: &Source) -> Vec<RgbImage> {
    match source {
        Source::Clip { path, from, to } => clip_frames(path, *from, *to),
        Source::Still { path, frames } => still_frames(path, *frames),
    }
}

/// `alpha·a + (1 − alpha)·b`, per channel.
fn mix(a: &RgbImage, b: &RgbImage, alpha: f32) -> RgbImage {
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
        image::Rgb(std::array::from_fn(|c| {
            (alpha * f32::from(p[c]) + (1.0 - alpha) * f32::from(q[c])).round() as u8
        }))
    })
}

/// The frames of `segments` joined as they say, with the true boundaries.
pub fn compose(segments: &[Segment]) -> (Vec<RgbImage>, Vec<TrueBoundary>) {
    let black = RgbImage::new(WIDTH, HEIGHT);
    let mut out: Vec<RgbImage> = Vec::new();
    let mut truth = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let mut frames = frames_of(&segment.source);
        if i > 0 {
            let start = out.len();
            match segment.join {
                Join::Cut => truth.push(TrueBoundary {
                    frame: start as u64,
                    kind: TrueKind::Cut,
                }),
                Join::Dissolve => {
                    let n = DISSOLVE_FRAMES;
                    assert!(out.len() >= n && frames.len() >= n, "segments too short");
                    let span = out.len() - n;
                    for k in 0..n {
                        let alpha = 1.0 - (k + 1) as f32 / (n + 1) as f32;
                        out[span + k] = mix(&out[span + k], &frames[k], alpha);
                    }
                    frames.drain(..n);
                    truth.push(TrueBoundary {
                        frame: (span + n / 2) as u64,
                        kind: TrueKind::Dissolve,
                    });
                }
                Join::FadeThroughBlack => {
                    let n = FADE_OUT_FRAMES;
                    let span = out.len() - n;
                    for k in 0..n {
                        let alpha = 1.0 - (k + 1) as f32 / n as f32;
                        out[span + k] = mix(&out[span + k], &black, alpha);
                    }
                    out.extend((0..BLACK_FRAMES).map(|_| black.clone()));
                    for (k, frame) in frames.iter_mut().take(FADE_IN_FRAMES).enumerate() {
                        let alpha = (k + 1) as f32 / FADE_IN_FRAMES as f32;
                        *frame = mix(frame, &black, alpha);
                    }
                    truth.push(TrueBoundary {
                        frame: out.len() as u64,
                        kind: TrueKind::Fade,
                    });
                }
            }
        }
        // Where the source's first frame landed: here, or for a dissolve
        // the overlap earlier (mixed into the previous segment's tail).
        let offset = out.len() as u64;
        let overlap = match segment.join {
            Join::Dissolve if i > 0 => DISSOLVE_FRAMES as u64,
            _ => 0,
        };
        truth.extend(own_cuts(&segment.source, offset.saturating_sub(overlap)));
        out.extend(frames);
    }
    truth.sort_by_key(|b| b.frame);
    (out, truth)
}

/// Encodes `frames` to `path` (H.264, ultrafast, crf 18) with the frame
/// rate and time base of the driving clip (25 fps).
pub fn write_frames(path: &Path, frames: &[RgbImage]) {
    let template = crate::path("drive/test_videos/solidWhiteRight.mp4");
    let reader = VideoReader::open(&template).unwrap_or_else(|e| panic!("{e}"));
    let options = EncodeOptions {
        preset: Some("ultrafast".into()),
        crf: Some(18),
        ..Default::default()
    };
    let mut writer = VideoWriter::create(path, &reader, (WIDTH, HEIGHT), &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for frame in frames {
        writer
            .write_frame(frame, None)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    writer.finish().unwrap_or_else(|e| panic!("{e}"));
}

/// Writes the edited clip of [`edit`] to `path` and its true boundaries to
/// `path` with `.boundaries.csv` appended (`frame,kind` lines); returns
/// the boundaries. Panics on any failure (tests only).
pub fn edited_clip(path: &Path) -> Vec<TrueBoundary> {
    let (frames, truth) = compose(&edit());
    write_frames(path, &frames);
    let mut csv = String::from("frame,kind\n");
    for b in &truth {
        csv.push_str(&format!("{},{}\n", b.frame, b.kind.name()));
    }
    let mut csv_path = path.as_os_str().to_owned();
    csv_path.push(".boundaries.csv");
    std::fs::write(&csv_path, csv).unwrap_or_else(|e| panic!("{e}"));
    truth
}
