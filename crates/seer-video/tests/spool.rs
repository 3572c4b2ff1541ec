//! Videos given in memory or from a reader: spooled into a private
//! temporary file that reads exactly like the original, refused clearly
//! when too large, empty or not a video, and never left behind.

use seer_core::{ErrorKind, HasErrorKind};
use seer_video::{Item, SpooledVideo, VideoError, VideoReader};
use std::path::Path;

/// Frames of `path` and the packets of its other streams.
fn count_items(path: &Path) -> (u64, u64) {
    let mut reader = VideoReader::open(path).unwrap();
    let (mut frames, mut packets) = (0, 0);
    while let Some(item) = reader.next_item().unwrap() {
        match item {
            Item::Frame(_) => frames += 1,
            Item::Packet(_) => packets += 1,
        }
    }
    (frames, packets)
}

/// Entries of `dir`, hidden ones included.
fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn a_video_in_memory_reads_like_its_file_and_is_removed_on_drop() {
    let clip = seer_testdata::hamilton_clip();
    let bytes = std::fs::read(&clip).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spooled = SpooledVideo::from_reader_in(dir.path(), bytes.as_slice(), 1 << 30).unwrap();
    assert_eq!(spooled.len(), bytes.len() as u64);
    assert_eq!(std::fs::read(spooled.path()).unwrap(), bytes);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(spooled.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "spooled video readable by others: {mode:o}"
        );
    }
    let original = VideoReader::open(&clip).unwrap().info().clone();
    let copy = VideoReader::open(spooled.path()).unwrap().info().clone();
    assert_eq!(copy.size, original.size);
    assert_eq!(copy.frame_rate, original.frame_rate);
    assert_eq!(copy.frames, original.frames);
    assert_eq!(copy.copied_streams, original.copied_streams);
    let items = count_items(spooled.path());
    assert_eq!(items, count_items(&clip));
    assert_eq!(items.0, 275, "frames of the Hamilton clip");
    assert!(items.1 > 0, "the audio packets are there");
    let path = spooled.path().to_path_buf();
    drop(spooled);
    assert!(!path.exists());
    assert_eq!(entries(dir.path()), 0);
}

#[test]
fn an_endless_reader_stops_at_the_limit_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let error = SpooledVideo::from_reader_in(dir.path(), std::io::repeat(7), 1 << 20).unwrap_err();
    assert!(
        matches!(error, VideoError::SpoolTooLarge { max_bytes } if max_bytes == 1 << 20),
        "{error}"
    );
    assert_eq!(error.kind(), ErrorKind::ResourceLimit);
    assert_eq!(entries(dir.path()), 0);
}

#[test]
fn empty_or_non_video_bytes_are_refused_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let error = SpooledVideo::from_reader_in(dir.path(), &b""[..], 1 << 20).unwrap_err();
    assert!(matches!(error, VideoError::EmptyInput), "{error}");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    let text = b"this is a text file, not a video\n".repeat(100);
    let error = SpooledVideo::from_reader_in(dir.path(), text.as_slice(), 1 << 20).unwrap_err();
    assert!(
        matches!(error, VideoError::NotAVideo { bytes: 3300, .. }),
        "{error}"
    );
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(std::error::Error::source(&error).is_some());
    // Half a video is no video either: its index is cut off.
    let clip = std::fs::read(seer_testdata::hamilton_clip()).unwrap();
    let head = &clip[..clip.len() / 2];
    let half = SpooledVideo::from_reader_in(dir.path(), head, 1 << 30);
    if let Ok(spooled) = &half {
        // A container whose index comes first opens; its frames then stop
        // early, which the workflows report as truncation.
        let mut reader = VideoReader::open(spooled.path()).unwrap();
        let mut outcome = Ok(());
        while let Some(item) = reader.next_item().transpose() {
            if let Err(e) = item {
                outcome = Err(e);
                break;
            }
        }
        assert!(
            outcome.is_err(),
            "half a clip read to its end without an error"
        );
    }
    drop(half);
    assert_eq!(entries(dir.path()), 0);
}
