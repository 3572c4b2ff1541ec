//! The last step of a video upscale: the finished segments' packets and
//! the input's copied streams (audio, subtitles), interleaved by time,
//! into the output through the writer's hidden temporary file.

use super::journal::{sha256_hex, Journal, WorkFolder};
use super::segment::SegmentReader;
use crate::UpscaleError;
use seer_core::progress::Progress;
use seer_video::{CopiedPacket, EncodeOptions, VideoReader, VideoWriter, WriteSummary};
use std::path::Path;

/// Writes `output` from the segments of `journal` and the copied streams
/// of `input`. Nothing is left at `output` on error.
pub fn mux(
    input: &Path,
    output: &Path,
    work: &WorkFolder,
    journal: &Journal,
    encode: &EncodeOptions,
    progress: &dyn Progress,
) -> Result<WriteSummary, UpscaleError> {
    let mut reader = VideoReader::open(input)?;
    let mut writer = VideoWriter::create(output, &reader, journal.key.output_size, encode)?;
    let headers = sha256_hex(writer.extradata());
    if journal.headers_sha256.as_deref() != Some(headers.as_str()) {
        return Err(work.mismatch(
            "the video encoder now writes other codec headers than it did for the segments (was the FFmpeg library or --codec changed?)",
        ));
    }
    let (num, den) = reader.info().time_base;
    let tick_s = f64::from(num) / f64::from(den.max(1));
    let mut copied = reader.next_copied_packet()?;
    progress.start("joining segments", Some(journal.segments.len() as u64));
    for (done, record) in journal.segments.iter().enumerate() {
        let mut packets = SegmentReader::open(work, record)?;
        while let Some(packet) = packets.next_packet()? {
            let t = packet.dts.or(packet.pts).unwrap_or(0) as f64 * tick_s;
            while let Some(audio) = copied.take() {
                if time_of(&audio) > t {
                    copied = Some(audio);
                    break;
                }
                writer.write_packet(audio)?;
                copied = reader.next_copied_packet()?;
            }
            writer.write_encoded(&packet)?;
        }
        progress.set(done as u64 + 1);
    }
    while let Some(audio) = copied {
        writer.write_packet(audio)?;
        copied = reader.next_copied_packet()?;
    }
    let summary = writer.finish()?;
    progress.finish();
    Ok(summary)
}

fn time_of(packet: &CopiedPacket) -> f64 {
    packet.dts_seconds().unwrap_or(f64::NEG_INFINITY)
}
