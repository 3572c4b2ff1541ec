//! Thumbnails: one small JPEG per shot, of the frame nearest the middle
//! of the shot, written into a folder the caller later moves into the
//! library.

use super::LibraryError;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use seer_core::CancelToken;
use seer_video::{Item, VideoReader};
use std::path::Path;

/// Width of a thumbnail in pixels (height keeps the aspect ratio).
pub const THUMB_WIDTH: u32 = 320;

/// JPEG quality of thumbnails (1 to 100).
const QUALITY: u8 = 80;

/// File name of the thumbnail of shot `index`.
pub fn file_name(index: u64) -> String {
    format!("{index}.jpg")
}

/// Decodes `video` once and writes into `folder` a thumbnail for each
/// time in `times_s` (seconds, ascending) named by [`file_name`] of its
/// position; a time past the last frame takes the last frame.
pub fn write_thumbnails(
    video: &Path,
    times_s: &[f64],
    folder: &Path,
    cancel: &CancelToken,
) -> Result<(), LibraryError> {
    let failed = |source| LibraryError::Thumbnail {
        path: video.to_path_buf(),
        source,
    };
    let mut reader = VideoReader::open(video).map_err(failed)?;
    let mut next = 0usize;
    let mut last = None;
    while next < times_s.len() {
        cancel.check().map_err(LibraryError::Cancelled)?;
        let frame = match reader.next_item().map_err(failed)? {
            Some(Item::Frame(frame)) => frame,
            Some(Item::Packet(_)) => continue,
            None => break,
        };
        let t = reader.frame_time(&frame);
        while next < times_s.len() && t >= times_s[next] {
            save(&frame.image, &folder.join(file_name(next as u64)))?;
            next += 1;
        }
        last = Some(frame.image);
    }
    if let Some(image) = last {
        for i in next..times_s.len() {
            save(&image, &folder.join(file_name(i as u64)))?;
        }
    }
    Ok(())
}

fn save(image: &image::RgbImage, path: &Path) -> Result<(), LibraryError> {
    let width = THUMB_WIDTH.min(image.width()).max(1);
    let height = ((u64::from(image.height()) * u64::from(width) / u64::from(image.width().max(1)))
        as u32)
        .max(1);
    let small = image::imageops::resize(image, width, height, FilterType::Triangle);
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, QUALITY)
        .encode_image(&small)
        .map_err(LibraryError::ThumbnailEncode)?;
    std::fs::write(path, bytes).map_err(|source| LibraryError::Io {
        path: path.to_path_buf(),
        source,
    })
}
