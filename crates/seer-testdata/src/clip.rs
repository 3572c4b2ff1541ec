//! The one clip builder of the tests: the first frames of the Hamilton clip,
//! shrunk, with the audio of the same time span copied.

use seer_video::{EncodeOptions, Item, VideoReader, VideoWriter};
use std::path::Path;

/// What [`small_clip`] should write.
#[derive(Clone, Debug)]
pub struct ClipSpec {
    /// Frames to keep from the start of the source.
    pub frames: u64,
    /// Width in pixels; the height keeps the source's aspect ratio (even).
    pub width: u32,
    /// x264 constant rate factor (`None`: the encoder's default).
    pub crf: Option<u32>,
}

/// Writes the first `spec.frames` frames of `testdata/faces/short_hamilton_clip.mp4`
/// (640×360, 275 frames, with audio) to `path` at `spec.width` pixels wide,
/// copying the audio packets that start before the last kept frame ends.
/// Returns the clip's size in pixels. Panics on any failure (tests only).
pub fn small_clip(path: &Path, spec: &ClipSpec) -> (u32, u32) {
    let mut reader =
        VideoReader::open(&crate::hamilton_clip()).unwrap_or_else(|e| panic!("source clip: {e}"));
    let (w, h) = reader.info().size;
    let height = (spec.width * h / w) & !1;
    let options = EncodeOptions {
        crf: spec.crf,
        preset: Some("ultrafast".into()),
        ..Default::default()
    };
    let mut writer = VideoWriter::create(path, &reader, (spec.width, height), &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Audio is held back until the end of the span is known (the decoder
    // returns the first frame past the span only after reading some packets
    // beyond it).
    let mut audio = Vec::new();
    let mut end_s = None;
    while let Some(item) = reader.next_item().unwrap_or_else(|e| panic!("{e}")) {
        match item {
            Item::Frame(frame) if frame.index < spec.frames => {
                let small = image::imageops::resize(
                    &frame.image,
                    spec.width,
                    height,
                    image::imageops::FilterType::Triangle,
                );
                writer
                    .write_frame(&small, frame.pts)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            Item::Frame(frame) => {
                end_s = Some(reader.seconds(frame.pts.unwrap_or(0)));
                break;
            }
            Item::Packet(packet) => audio.push(packet),
        }
    }
    let end_s =
        end_s.unwrap_or_else(|| panic!("the source clip has at most {} frames", spec.frames));
    for packet in audio {
        if packet.pts_seconds().unwrap_or(0.0) < end_s {
            writer
                .write_packet(packet)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    writer.finish().unwrap_or_else(|e| panic!("{e}"));
    (spec.width, height)
}
