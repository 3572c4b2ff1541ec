//! Segment files: the compressed packets of consecutive frames from one
//! encoder (so the segment starts with a keyframe and references nothing
//! before it), in a small container of seer's own that keeps every
//! timestamp exactly.
//!
//! Layout (little-endian): the magic `SEERSEG1`, then per packet `pts`
//! (i64, `i64::MIN` = none), `dts` (i64, same), `duration` (i64), `key`
//! (u8), `size` (u32) and `size` bytes of data.

use super::journal::{hex, sha256_hex, SegmentRecord, WorkFolder};
use crate::UpscaleError;
use seer_video::EncodedPacket;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write};

const MAGIC: &[u8; 8] = b"SEERSEG1";
const NONE: i64 = i64::MIN;

/// A segment file being written.
pub struct SegmentFile {
    file: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    record: SegmentRecord,
}

impl SegmentFile {
    /// Creates (or truncates) the file of segment `index`, whose first
    /// frame is `first_frame` shown at `first_pts`.
    pub fn create(
        work: &WorkFolder,
        index: u64,
        first_frame: u64,
        first_pts: Option<i64>,
    ) -> Result<SegmentFile, UpscaleError> {
        let name = WorkFolder::segment_name(index);
        let file = File::create(work.file(&name)).map_err(|e| work.error(e))?;
        let mut segment = SegmentFile {
            file: BufWriter::new(file),
            hasher: Sha256::new(),
            bytes: 0,
            record: SegmentRecord {
                index,
                first_frame,
                frames: 0,
                first_pts,
                last_pts: first_pts,
                file: name,
                bytes: 0,
                sha256: String::new(),
            },
        };
        segment.put(work, MAGIC)?;
        Ok(segment)
    }

    fn put(&mut self, work: &WorkFolder, bytes: &[u8]) -> Result<(), UpscaleError> {
        self.file.write_all(bytes).map_err(|e| work.error(e))?;
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Counts one more frame, shown at `pts`.
    pub fn add_frame(&mut self, pts: Option<i64>) {
        self.record.frames += 1;
        self.record.last_pts = pts;
    }

    /// Appends packets.
    pub fn write(
        &mut self,
        work: &WorkFolder,
        packets: &[EncodedPacket],
    ) -> Result<(), UpscaleError> {
        for packet in packets {
            let size = u32::try_from(packet.data.len())
                .map_err(|_| work.error("a compressed frame exceeds 4 GiB"))?;
            let mut head = Vec::with_capacity(29);
            head.extend_from_slice(&packet.pts.unwrap_or(NONE).to_le_bytes());
            head.extend_from_slice(&packet.dts.unwrap_or(NONE).to_le_bytes());
            head.extend_from_slice(&packet.duration.to_le_bytes());
            head.push(u8::from(packet.key));
            head.extend_from_slice(&size.to_le_bytes());
            self.put(work, &head)?;
            self.put(work, &packet.data)?;
        }
        Ok(())
    }

    /// Flushes and fsyncs the file; returns its journal record.
    pub fn finish(self, work: &WorkFolder) -> Result<SegmentRecord, UpscaleError> {
        let file = self
            .file
            .into_inner()
            .map_err(|e| work.error(e.into_error()))?;
        file.sync_all().map_err(|e| work.error(e))?;
        let mut record = self.record;
        record.bytes = self.bytes;
        record.sha256 = hex(&self.hasher.finalize());
        Ok(record)
    }
}

/// Reads segment `record` back, checking its size and checksum.
pub fn read_segment(
    work: &WorkFolder,
    record: &SegmentRecord,
) -> Result<Vec<EncodedPacket>, UpscaleError> {
    let bytes = std::fs::read(work.file(&record.file)).map_err(|e| work.error(e))?;
    let damaged = |what: &str| {
        work.error(format!(
            "segment file {} is damaged ({what}); run again with --resume to make it again",
            record.file
        ))
    };
    if bytes.len() as u64 != record.bytes || sha256_hex(&bytes) != record.sha256 {
        return Err(damaged("size or checksum differs from the journal"));
    }
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| damaged("no SEERSEG1 header"))?;
    let mut packets = Vec::new();
    let mut at = 0usize;
    let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
        let slice = rest.get(*at..*at + n)?;
        *at += n;
        Some(slice)
    };
    let int = |b: &[u8]| i64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    while at < rest.len() {
        let head = take(&mut at, 29).ok_or_else(|| damaged("cut short"))?;
        let (pts, dts, duration) = (int(&head[0..8]), int(&head[8..16]), int(&head[16..24]));
        let key = head[24] != 0;
        let size = u32::from_le_bytes(head[25..29].try_into().unwrap_or([0; 4])) as usize;
        let data = take(&mut at, size).ok_or_else(|| damaged("cut short"))?;
        packets.push(EncodedPacket {
            pts: (pts != NONE).then_some(pts),
            dts: (dts != NONE).then_some(dts),
            duration,
            key,
            data: data.to_vec(),
        });
    }
    Ok(packets)
}
