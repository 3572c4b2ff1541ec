//! The recogniser's character set and greedy CTC decoding of its
//! per-step class probabilities.

/// Metadata key of the PaddleOCR recogniser's dictionary.
pub const DICTIONARY_KEY: &str = "character";

/// The recogniser's classes: 0 is the CTC blank, then the dictionary's
/// characters in order, then a space.
#[derive(Clone, Debug, PartialEq)]
pub struct Alphabet {
    classes: Vec<String>,
}

impl Alphabet {
    /// The alphabet of a dictionary with one character (or short string)
    /// per line; empty lines are skipped. `None` when it has no entries.
    pub fn from_dictionary(text: &str) -> Option<Alphabet> {
        let mut classes = vec![String::new()];
        classes.extend(
            text.lines()
                .map(|line| line.trim_end_matches('\r'))
                .filter(|line| !line.is_empty())
                .map(str::to_string),
        );
        if classes.len() == 1 {
            return None;
        }
        classes.push(" ".to_string());
        Some(Alphabet { classes })
    }

    /// Number of classes, blank and space included.
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    /// Always false: an alphabet holds at least the blank.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// Greedy CTC decoding of `steps` rows of `self.len()` probabilities:
    /// the best class per step, repeats merged, blanks dropped. Returns
    /// the text and the mean probability of its characters (0 when none).
    pub fn decode(&self, probabilities: &[f32]) -> (String, f32) {
        let classes = self.classes.len();
        let mut text = String::new();
        let (mut sum, mut kept) = (0.0f32, 0usize);
        let mut previous = 0usize;
        for step in probabilities.chunks_exact(classes) {
            let (best, p) = step
                .iter()
                .copied()
                .enumerate()
                .fold((0, f32::MIN), |a, b| if b.1 > a.1 { b } else { a });
            if best != 0 && best != previous {
                text.push_str(&self.classes[best]);
                sum += p;
                kept += 1;
            }
            previous = best;
        }
        let score = if kept == 0 { 0.0 } else { sum / kept as f32 };
        (text, score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(classes: usize, best: usize, p: f32) -> Vec<f32> {
        let mut row = vec![(1.0 - p) / (classes - 1) as f32; classes];
        row[best] = p;
        row
    }

    #[test]
    fn dictionary_gets_blank_first_and_space_last() {
        let a = Alphabet::from_dictionary("a\nb\r\n\n中\n").unwrap();
        assert_eq!(a.len(), 5);
        assert_eq!(a.classes[0], "");
        assert_eq!(a.classes[3], "中");
        assert_eq!(a.classes[4], " ");
        assert!(Alphabet::from_dictionary("\n\n").is_none());
    }

    #[test]
    fn repeats_merge_and_blanks_separate() {
        let a = Alphabet::from_dictionary("a\nb").unwrap();
        // a a _ a b b _ space -> "aab "
        let steps: Vec<f32> = [
            (1, 0.9),
            (1, 0.8),
            (0, 0.9),
            (1, 0.7),
            (2, 0.6),
            (2, 0.9),
            (0, 0.9),
            (3, 0.8),
        ]
        .iter()
        .flat_map(|&(c, p)| step(4, c, p))
        .collect();
        let (text, score) = a.decode(&steps);
        assert_eq!(text, "aab ");
        assert!((score - (0.9 + 0.7 + 0.6 + 0.8) / 4.0).abs() < 1e-5);
        assert_eq!(a.decode(&step(4, 0, 0.9)), (String::new(), 0.0));
        assert_eq!(a.decode(&[]), (String::new(), 0.0));
    }
}
