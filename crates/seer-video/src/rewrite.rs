//! Rewriting a video frame by frame: every picture passed through an edit,
//! the other streams (audio, subtitles) copied packet for packet, the
//! output written atomically.

use crate::{EncodeOptions, Item, VideoError, VideoReader, VideoWriter, WriteSummary};
use image::RgbImage;
use seer_core::{CancelToken, Cancelled, Progress};
use std::path::Path;

/// Decodes `input` and writes `output` with every frame passed through
/// `edit(frame number, picture)`, other streams copied. Nothing appears at
/// `output` unless all went well: an error, an edit's error or a cancel
/// (checked every frame) leaves no file. `progress` counts frames under
/// `label`. The caller checks that `output` is not `input`.
pub fn rewrite_video<E>(
    input: &Path,
    output: &Path,
    label: &str,
    progress: &dyn Progress,
    cancel: &CancelToken,
    mut edit: impl FnMut(u64, &mut RgbImage) -> Result<(), E>,
) -> Result<WriteSummary, E>
where
    E: From<VideoError> + From<Cancelled>,
{
    let mut reader = VideoReader::open(input)?;
    let size = reader.info().size;
    progress.start(label, reader.info().frames);
    // The writer streams into a hidden temporary file, deleted when it is
    // dropped unfinished (an error or a cancellation).
    let mut writer = VideoWriter::create(output, &reader, size, &EncodeOptions::default())?;
    let mut done = 0;
    while let Some(item) = reader.next_item()? {
        cancel.check()?;
        match item {
            Item::Frame(mut frame) => {
                edit(frame.index, &mut frame.image)?;
                writer.write_frame(&frame.image, frame.pts)?;
                done += 1;
                progress.set(done);
            }
            Item::Packet(packet) => writer.write_packet(packet)?,
        }
    }
    let summary = writer.finish()?;
    progress.finish();
    Ok(summary)
}
