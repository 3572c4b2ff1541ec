//! MOTChallenge text files: one box per line,
//! `frame,id,x,y,w,h,score,-1,-1,-1` with 1-based frames and boxes in
//! pixels (top-left corner and size).
//!
//! The reader also takes the 6- to 9-column variants of ground-truth files
//! (`frame,id,x,y,w,h[,score[,class[,visibility]]]`); a missing score
//! reads as 1. Blank lines are skipped.

use crate::error::MotFormatError;
use seer_core::geometry::Rect;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

/// One line of a MOTChallenge file.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MotRecord {
    /// Frame number, 1-based.
    pub frame: u32,
    /// Track (or ground-truth object) id.
    pub id: u64,
    /// The box, in pixels.
    pub bbox: Rect,
    /// Confidence (1 for ground truth).
    pub score: f32,
}

/// The records as MOTChallenge text, one line each, in the given order.
/// Fails on a frame 0 or a non-finite number.
pub fn format_mot(records: &[MotRecord]) -> Result<String, MotFormatError> {
    let mut text = String::new();
    for (index, r) in records.iter().enumerate() {
        check_record(index, r)?;
        let b = &r.bbox;
        text.push_str(&format!(
            "{},{},{},{},{},{},{},-1,-1,-1\n",
            r.frame, r.id, b.x, b.y, b.width, b.height, r.score
        ));
    }
    Ok(text)
}

/// Writes the records as MOTChallenge text to `out` (see [`format_mot`]).
pub fn write_mot<W: Write>(records: &[MotRecord], mut out: W) -> Result<(), MotFormatError> {
    out.write_all(format_mot(records)?.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn check_record(index: usize, r: &MotRecord) -> Result<(), MotFormatError> {
    if r.frame == 0 {
        return Err(MotFormatError::Unwritable {
            index,
            reason: "frame 0 (MOT frames are 1-based)".to_string(),
        });
    }
    let b = &r.bbox;
    if ![b.x, b.y, b.width, b.height, r.score]
        .iter()
        .all(|v| v.is_finite())
    {
        return Err(MotFormatError::Unwritable {
            index,
            reason: "a non-finite box or score".to_string(),
        });
    }
    Ok(())
}

/// Parses MOTChallenge text; a malformed line is an error naming its
/// (1-based) line number.
pub fn parse_mot(text: &str) -> Result<Vec<MotRecord>, MotFormatError> {
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(r) = parse_line(i + 1, line)? {
            records.push(r);
        }
    }
    Ok(records)
}

/// Reads MOTChallenge text from `input` (see [`parse_mot`]).
pub fn read_mot<R: BufRead>(input: R) -> Result<Vec<MotRecord>, MotFormatError> {
    let mut records = Vec::new();
    for (i, line) in input.lines().enumerate() {
        if let Some(r) = parse_line(i + 1, &line?)? {
            records.push(r);
        }
    }
    Ok(records)
}

fn parse_line(line: usize, text: &str) -> Result<Option<MotRecord>, MotFormatError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = |reason: String| MotFormatError::Malformed { line, reason };
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    if fields.len() < 6 || fields.len() > 10 {
        return Err(bad(format!(
            "{} comma-separated fields; expected 6 to 10 (frame,id,x,y,w,h,score,…)",
            fields.len()
        )));
    }
    let frame: u32 = fields[0]
        .parse()
        .map_err(|_| bad(format!("frame {:?} is not a whole number", fields[0])))?;
    if frame == 0 {
        return Err(bad("frame 0; MOT frames are 1-based".to_string()));
    }
    // Ids are whole numbers; some tools write them as "3.0".
    let id = parse_id(fields[1])
        .ok_or_else(|| bad(format!("id {:?} is not a whole number", fields[1])))?;
    let mut numbers = [0.0f32; 5];
    let names = ["x", "y", "width", "height", "score"];
    for (k, value) in numbers.iter_mut().enumerate() {
        let Some(field) = fields.get(k + 2) else {
            *value = 1.0; // no score column: ground truth
            continue;
        };
        *value = field
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(format!("{} {:?} is not a finite number", names[k], field)))?;
    }
    let [x, y, width, height, score] = numbers;
    if width < 0.0 || height < 0.0 {
        return Err(bad(format!("negative box size {width}×{height}")));
    }
    Ok(Some(MotRecord {
        frame,
        id,
        bbox: Rect::new(x, y, width, height),
        score,
    }))
}

fn parse_id(field: &str) -> Option<u64> {
    if let Ok(id) = field.parse::<u64>() {
        return Some(id);
    }
    let value: f64 = field.parse().ok()?;
    (value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < 1e15)
        .then_some(value as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_exactly() {
        let records = vec![
            MotRecord {
                frame: 1,
                id: 1,
                bbox: Rect::new(10.5, 20.25, 30.0, 60.125),
                score: 0.9,
            },
            MotRecord {
                frame: 2,
                id: 17,
                bbox: Rect::new(-3.3, 0.1, 1e-3, 123456.7),
                score: 0.123_456_79,
            },
        ];
        let text = format_mot(&records).unwrap();
        assert_eq!(
            text.lines().next(),
            Some("1,1,10.5,20.25,30,60.125,0.9,-1,-1,-1")
        );
        assert_eq!(parse_mot(&text).unwrap(), records);
        let mut bytes = Vec::new();
        write_mot(&records, &mut bytes).unwrap();
        assert_eq!(read_mot(bytes.as_slice()).unwrap(), records);
    }

    #[test]
    fn ground_truth_variants_and_blank_lines_are_read() {
        let records = parse_mot("1,3,1,2,3,4\n\n2,3.0,1,2,3,4,0.5,1,0.8\n").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].score, 1.0);
        assert_eq!((records[1].id, records[1].score), (3, 0.5));
    }

    #[test]
    fn malformed_lines_are_errors_naming_the_line() {
        for (text, line) in [
            ("1,1,0,0,1,1,1\n1,1,0,0\n", 2),
            ("x,1,0,0,1,1,1\n", 1),
            ("1,1,0,0,1,1,1\n\n0,1,0,0,1,1,1\n", 3),
            ("1,1,0,nan,1,1,1\n", 1),
            ("1,-2,0,0,1,1,1\n", 1),
            ("1,1,0,0,-1,1,1\n", 1),
            ("1,1,0,0,1,1,1,1,1,1,1\n", 1),
        ] {
            match parse_mot(text) {
                Err(MotFormatError::Malformed { line: l, reason }) => {
                    assert_eq!(l, line, "{text:?}: {reason}");
                    let message = MotFormatError::Malformed { line: l, reason }.to_string();
                    assert!(message.contains(&format!("line {line}")));
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let zero = MotRecord {
            frame: 0,
            id: 1,
            bbox: Rect::new(0.0, 0.0, 1.0, 1.0),
            score: 1.0,
        };
        assert!(matches!(
            format_mot(&[zero]),
            Err(MotFormatError::Unwritable { index: 0, .. })
        ));
    }
}
