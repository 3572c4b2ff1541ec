//! Segment files: the compressed packets of consecutive frames from one
//! encoder (so the segment starts with a keyframe and references nothing
//! before it), in a small container of seer's own that keeps every
//! timestamp exactly.
//!
//! Layout (little-endian): the magic `SEERSEG1`, then per packet `pts`
//! (i64, `i64::MIN` = none), `dts` (i64, same), `duration` (i64), `key`
//! (u8), `size` (u32) and `size` bytes of data.

use super::journal::{hex, SegmentRecord, WorkFolder};
use crate::UpscaleError;
use seer_video::EncodedPacket;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};

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
        let file = File::create(work.file(&name)).map_err(|e| work.io_error(e))?;
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
        self.file.write_all(bytes).map_err(|e| work.io_error(e))?;
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
            .map_err(|e| work.io_error(e.into_error()))?;
        file.sync_all().map_err(|e| work.io_error(e))?;
        let mut record = self.record;
        record.bytes = self.bytes;
        record.sha256 = hex(&self.hasher.finalize());
        Ok(record)
    }
}

/// A segment file read back packet by packet (one packet in memory at a
/// time); its size and checksum are checked when the last packet has
/// been read.
pub struct SegmentReader<'a> {
    work: &'a WorkFolder,
    record: &'a SegmentRecord,
    file: BufReader<File>,
    hasher: Sha256,
    bytes: u64,
}

impl<'a> SegmentReader<'a> {
    /// Opens the file of `record` and checks its header.
    pub fn open(
        work: &'a WorkFolder,
        record: &'a SegmentRecord,
    ) -> Result<SegmentReader<'a>, UpscaleError> {
        let file = File::open(work.file(&record.file)).map_err(|e| work.io_error(e))?;
        let mut reader = SegmentReader {
            work,
            record,
            file: BufReader::new(file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        let mut magic = [0u8; 8];
        if !reader.fill(&mut magic)? || &magic != MAGIC {
            return Err(reader.damaged("no SEERSEG1 header"));
        }
        Ok(reader)
    }

    fn damaged(&self, what: &str) -> UpscaleError {
        self.work.error(format!(
            "segment file {} is damaged ({what}); run again with --resume to make it again",
            self.record.file
        ))
    }

    /// Fills `buffer`; false at a clean end of file before its first byte.
    fn fill(&mut self, buffer: &mut [u8]) -> Result<bool, UpscaleError> {
        let mut read = 0;
        while read < buffer.len() {
            match self.file.read(&mut buffer[read..]) {
                Ok(0) if read == 0 => return Ok(false),
                Ok(0) => return Err(self.damaged("cut short")),
                Ok(n) => read += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.work.io_error(e)),
            }
        }
        self.hasher.update(&*buffer);
        self.bytes += buffer.len() as u64;
        Ok(true)
    }

    /// The next packet; `None` after the last, once the file's size and
    /// checksum matched the journal.
    pub fn next_packet(&mut self) -> Result<Option<EncodedPacket>, UpscaleError> {
        let mut head = [0u8; 29];
        if !self.fill(&mut head)? {
            let sha256 = hex(&std::mem::take(&mut self.hasher).finalize());
            if self.bytes != self.record.bytes || sha256 != self.record.sha256 {
                return Err(self.damaged("size or checksum differs from the journal"));
            }
            return Ok(None);
        }
        let int = |b: &[u8]| i64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        let (pts, dts, duration) = (int(&head[0..8]), int(&head[8..16]), int(&head[16..24]));
        let size = u32::from_le_bytes(head[25..29].try_into().unwrap_or([0; 4])) as u64;
        if self.bytes + size > self.record.bytes {
            return Err(self.damaged("a packet runs past the recorded size"));
        }
        let mut data = vec![0u8; size as usize];
        if size > 0 && !self.fill(&mut data)? {
            return Err(self.damaged("cut short"));
        }
        Ok(Some(EncodedPacket {
            pts: (pts != NONE).then_some(pts),
            dts: (dts != NONE).then_some(dts),
            duration,
            key: head[24] != 0,
            data,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packets() -> Vec<EncodedPacket> {
        vec![
            EncodedPacket {
                pts: Some(1001),
                dts: Some(-2002),
                duration: 1001,
                key: true,
                data: vec![0, 0, 0, 1, 0x65, 7, 8, 9],
            },
            EncodedPacket {
                pts: None,
                dts: None,
                duration: 0,
                key: false,
                data: Vec::new(),
            },
        ]
    }

    fn read_all(
        work: &WorkFolder,
        record: &SegmentRecord,
    ) -> Result<Vec<EncodedPacket>, UpscaleError> {
        let mut reader = SegmentReader::open(work, record)?;
        let mut all = Vec::new();
        while let Some(p) = reader.next_packet()? {
            all.push(p);
        }
        Ok(all)
    }

    #[test]
    fn segments_round_trip_and_damage_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let work = WorkFolder {
            path: dir.path().to_path_buf(),
        };
        let mut file = SegmentFile::create(&work, 3, 360, Some(1001)).unwrap();
        file.add_frame(Some(1001));
        file.write(&work, &packets()).unwrap();
        let record = file.finish(&work).unwrap();
        assert_eq!(record.file, "segment-000003.pkts");
        assert_eq!((record.first_frame, record.frames), (360, 1));
        assert_eq!(read_all(&work, &record).unwrap(), packets());

        let path = work.file(&record.file);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[40] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let error = read_all(&work, &record).unwrap_err().to_string();
        assert!(
            error.contains("checksum") && error.contains("segment-000003"),
            "{error}"
        );
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let error = read_all(&work, &record).unwrap_err().to_string();
        assert!(error.contains("damaged"), "{error}");
    }
}
