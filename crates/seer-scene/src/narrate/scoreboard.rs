//! Score changes from the on-screen text read across a video: a
//! scoreboard's score ("2-1", "2 – 1", "1:0") read in successive frames,
//! a change told when a new score is read twice in a row and neither side
//! went down (a score read lower is a misread or another scoreboard, and
//! starts over without an event). Clocks ("02:31": two digits after the
//! colon) are not scores.

use serde::Serialize;

/// A change of the score on screen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreChange {
    /// When the new score was first read, seconds (to the reading
    /// interval).
    pub t_s: f64,
    /// The score before, e.g. "1-0".
    pub from: String,
    /// The score after, e.g. "2-0".
    pub to: String,
}

/// Whether `c` joins the two sides of a score.
fn is_separator(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | ':')
}

/// The score in `text`, if it holds exactly one: two numbers of at most
/// two digits joined by a dash (hyphen, en or em dash, spaces allowed) or
/// by a colon followed by a single digit, standing apart from other
/// digits and dashes ("ARS 2-1 CHE" holds 2-1; "2-1-0" and "02:31" hold
/// none).
pub fn score_of(text: &str) -> Option<(u32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = None;
    for (at, &sep) in chars.iter().enumerate() {
        if !is_separator(sep) {
            continue;
        }
        // Digits left of the separator (spaces between allowed).
        let mut end = at;
        while end > 0 && chars[end - 1] == ' ' {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && chars[start - 1].is_ascii_digit() {
            start -= 1;
        }
        let mut begin = at + 1;
        while begin < chars.len() && chars[begin] == ' ' {
            begin += 1;
        }
        let mut stop = begin;
        while stop < chars.len() && chars[stop].is_ascii_digit() {
            stop += 1;
        }
        let (left, right) = (end - start, stop - begin);
        let apart = |i: Option<&char>| i.is_none_or(|c| !c.is_ascii_digit() && !is_separator(*c));
        let isolated =
            apart(start.checked_sub(1).and_then(|i| chars.get(i))) && apart(chars.get(stop));
        let sized = (1..=2).contains(&left) && (1..=2).contains(&right);
        if !(isolated && sized) || (sep == ':' && right != 1) {
            continue;
        }
        let number = |from: usize, to: usize| {
            chars[from..to]
                .iter()
                .collect::<String>()
                .parse::<u32>()
                .ok()
        };
        let score = (number(start, end)?, number(begin, stop)?);
        if found.is_some() {
            return None;
        }
        found = Some(score);
    }
    found
}

/// The score changes in `reads` (time in seconds and the lines read then,
/// in time order). A read with no score, or with two different ones,
/// says nothing.
pub fn score_changes(reads: &[(f64, Vec<String>)]) -> Vec<ScoreChange> {
    let scores: Vec<(f64, (u32, u32))> = reads
        .iter()
        .filter_map(|(t, lines)| {
            let mut found: Vec<(u32, u32)> = lines.iter().filter_map(|l| score_of(l)).collect();
            found.dedup();
            match found.as_slice() {
                [one] => Some((*t, *one)),
                _ => None,
            }
        })
        .collect();
    let show = |(a, b): (u32, u32)| format!("{a}-{b}");
    let mut changes = Vec::new();
    let mut current: Option<(u32, u32)> = None;
    for (i, &(t, score)) in scores.iter().enumerate() {
        let Some(now) = current else {
            current = Some(score);
            continue;
        };
        if score == now {
            continue;
        }
        let confirmed = scores.get(i + 1).is_some_and(|next| next.1 == score);
        if !confirmed {
            continue;
        }
        if score.0 >= now.0 && score.1 >= now.1 {
            changes.push(ScoreChange {
                t_s: t,
                from: show(now),
                to: show(score),
            });
        }
        current = Some(score);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_told_from_clocks() {
        assert_eq!(score_of("2-1"), Some((2, 1)));
        assert_eq!(score_of(" 2 – 1 "), Some((2, 1)));
        assert_eq!(score_of("1:0"), Some((1, 0)));
        assert_eq!(score_of("02:31"), None);
        assert_eq!(score_of("2-1-0"), None);
        assert_eq!(score_of("ARS 2-1 CHE"), Some((2, 1)));
        assert_eq!(score_of("2-1 and 3-0"), None);
        assert_eq!(score_of("123-1"), None);
        assert_eq!(score_of("-"), None);
    }

    #[test]
    fn a_new_score_read_twice_is_a_change_and_misreads_are_not() {
        let read = |t: f64, lines: &[&str]| (t, lines.iter().map(|l| l.to_string()).collect());
        let reads = vec![
            read(0.0, &["0-0", "12:01"]),
            read(3.0, &["0-0", "12:04"]),
            // A misread for one frame only.
            read(6.0, &["8-0", "12:07"]),
            read(9.0, &["0-0", "12:10"]),
            read(12.0, &["1-0", "12:13"]),
            read(15.0, &["1-0"]),
            read(18.0, &["GOAL"]),
            read(21.0, &["1-1"]),
            read(24.0, &["1-1"]),
            // Lower: another scoreboard (a replay of another match).
            read(27.0, &["0-0"]),
            read(30.0, &["0-0"]),
        ];
        let changes = score_changes(&reads);
        let told: Vec<(f64, &str, &str)> = changes
            .iter()
            .map(|c| (c.t_s, c.from.as_str(), c.to.as_str()))
            .collect();
        assert_eq!(told, [(12.0, "0-0", "1-0"), (21.0, "1-0", "1-1")]);
    }
}
