//! What the reader returns: text lines with their boxes, in reading order.

use serde::Serialize;

/// One line of text found in an image.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextLine {
    /// The text read, without leading or trailing spaces.
    pub text: String,
    /// Where it is: x1, y1, x2, y2 in image pixels (left, top, right,
    /// bottom edges).
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    /// The recogniser's mean character probability, 0..1.
    pub score: f32,
}

impl TextLine {
    /// Height of the box in pixels.
    pub fn height(&self) -> f32 {
        self.bbox[3] - self.bbox[1]
    }
}

/// The text of one image, serialised as `{"lines": [{"text", "box",
/// "score"}]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OcrResult {
    /// The lines top to bottom, then left to right.
    pub lines: Vec<TextLine>,
}

/// Puts lines in reading order: top to bottom; lines whose tops are
/// within half the lower line's height of a row's first line form a row,
/// read left to right.
pub fn reading_order(mut lines: Vec<TextLine>) -> Vec<TextLine> {
    lines.sort_by(|a, b| a.bbox[1].total_cmp(&b.bbox[1]));
    let mut ordered = Vec::with_capacity(lines.len());
    let mut row: Vec<TextLine> = Vec::new();
    for line in lines {
        let joins = row.first().is_some_and(|first| {
            line.bbox[1] - first.bbox[1] < 0.5 * first.height().min(line.height())
        });
        if !joins {
            flush(&mut row, &mut ordered);
        }
        row.push(line);
    }
    flush(&mut row, &mut ordered);
    ordered
}

fn flush(row: &mut Vec<TextLine>, ordered: &mut Vec<TextLine>) {
    row.sort_by(|a, b| a.bbox[0].total_cmp(&b.bbox[0]));
    ordered.append(row);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, x: f32, y: f32) -> TextLine {
        TextLine {
            text: text.into(),
            bbox: [x, y, x + 50.0, y + 20.0],
            score: 0.9,
        }
    }

    #[test]
    fn rows_read_top_to_bottom_then_left_to_right() {
        let lines = vec![
            line("d", 0.0, 60.0),
            line("b", 100.0, 3.0),
            line("a", 0.0, 5.0),
            line("c", 50.0, 30.0),
        ];
        let texts: Vec<String> = reading_order(lines).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["a", "b", "c", "d"]);
    }

    #[test]
    fn serialises_with_a_box_field() {
        let result = OcrResult {
            lines: vec![TextLine {
                text: "02:31".into(),
                bbox: [1.0, 2.0, 3.0, 4.0],
                score: 0.5,
            }],
        };
        let json = serde_json::to_string(&result).unwrap();
        assert_eq!(
            json,
            r#"{"lines":[{"text":"02:31","box":[1.0,2.0,3.0,4.0],"score":0.5}]}"#
        );
    }
}
