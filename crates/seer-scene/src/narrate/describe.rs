//! Plain sentences per shot from the facts measured in it: the objects
//! seen (the most seen at once per class), tracks that enter or leave
//! during the shot, and the camera motion. Deterministic, and built only
//! from detections: a class that was not detected is never named.

use super::motion::CameraMotion;
use crate::shots::{Shot, Transition};
use serde::Serialize;
use std::collections::BTreeMap;

/// Something that happened during a shot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShotEvent {
    /// Time, seconds.
    pub t: f64,
    /// `"enters"` or `"leaves"`.
    pub what: &'static str,
    /// COCO class name.
    pub class: String,
    /// Track id.
    pub track: u64,
}

/// What one shot shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShotFacts {
    /// The shot.
    #[serde(flatten)]
    pub shot: Shot,
    /// Per class, the most objects seen at once in an analysed frame.
    pub objects: BTreeMap<String, u64>,
    /// Tracks entering or leaving during the shot, in time order.
    pub events: Vec<ShotEvent>,
    /// How the camera moved.
    pub camera: CameraMotion,
    /// Text read on screen during the shot, first seen first.
    pub text: Vec<String>,
    /// Changes of a scoreboard's score during the shot.
    pub score_changes: Vec<super::scoreboard::ScoreChange>,
}

/// A shot with its narration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShotNarration {
    /// The facts it is built from.
    #[serde(flatten)]
    pub facts: ShotFacts,
    /// One or two plain sentences.
    pub text: String,
}

/// The language narrations are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English (the default).
    #[default]
    English,
    /// Simplified Chinese.
    Chinese,
}

impl Language {
    /// The narration of one shot in this language.
    pub fn narrate(self, facts: &ShotFacts) -> String {
        match self {
            Language::English => narrate(facts),
            Language::Chinese => super::chinese::narrate_chinese(facts),
        }
    }
}

/// English words for small counts.
fn count_words(n: u64) -> String {
    const WORDS: [&str; 13] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n as usize)
        .map(|w| w.to_string())
        .unwrap_or_else(|| n.to_string())
}

/// The plural of a COCO class name.
fn plural(class: &str) -> String {
    match class {
        "person" => "people".into(),
        "bus" => "buses".into(),
        "knife" => "knives".into(),
        "mouse" => "mice".into(),
        "sheep" => "sheep".into(),
        "skis" | "scissors" => class.into(),
        c if c.ends_with('s') || c.ends_with("sh") || c.ends_with("ch") => format!("{c}es"),
        c => format!("{c}s"),
    }
}

/// "a car", "two people".
fn counted(n: u64, class: &str) -> String {
    if n == 1 {
        let article = if class.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {class}")
    } else {
        format!("{} {}", count_words(n), plural(class))
    }
}

/// "a, b and c".
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `m:ss` of a time in seconds.
pub fn clock(t: f64) -> String {
    let whole = t.max(0.0).floor() as u64;
    format!("{}:{:02}", whole / 60, whole % 60)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The narration of one shot.
pub fn narrate(facts: &ShotFacts) -> String {
    // Most numerous first, then by name: the same facts give the same text.
    let mut classes: Vec<(&String, &u64)> = facts.objects.iter().filter(|(_, n)| **n > 0).collect();
    classes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let seen: Vec<String> = classes
        .iter()
        .take(4)
        .map(|(c, n)| counted(**n, c))
        .collect();
    let opening = match facts.shot.transition_in {
        Transition::Start => "",
        Transition::Cut => "After a cut, ",
        Transition::Fade => "After a fade, ",
        Transition::Dissolve => "After a dissolve, ",
    };
    let mut first = if seen.is_empty() {
        format!("{opening}no objects are detected")
    } else {
        format!("{opening}{} in view", listed(&seen))
    };
    let motion = facts.camera.phrase();
    if !motion.is_empty() {
        first.push_str(&format!(" as {motion}"));
    }
    let mut text = capitalised(&first) + ".";
    // Events of one class, kind and second are told together.
    let mut grouped: Vec<(String, &str, String, u64)> = Vec::new();
    for e in &facts.events {
        let at = clock(e.t);
        match grouped
            .iter_mut()
            .find(|(c, w, t, _)| *c == e.class && *w == e.what && *t == at)
        {
            Some(g) => g.3 += 1,
            None => grouped.push((e.class.clone(), e.what, at, 1)),
        }
    }
    let events: Vec<String> = grouped
        .iter()
        .take(3)
        .map(|(class, what, at, n)| {
            let verb = if *n == 1 {
                what.to_string()
            } else {
                what.trim_end_matches('s').to_string()
            };
            format!("{} {verb} at {at}", counted(*n, class))
        })
        .collect();
    if !events.is_empty() {
        text.push(' ');
        text.push_str(&capitalised(&listed(&events)));
        text.push('.');
    }
    let shown: Vec<String> = facts
        .text
        .iter()
        .filter(|t| !t.trim().is_empty())
        .take(3)
        .map(|t| format!("\u{201c}{t}\u{201d}"))
        .collect();
    if !shown.is_empty() {
        text.push_str(&format!(" On screen: {}.", listed(&shown)));
    }
    for change in &facts.score_changes {
        text.push_str(&format!(
            " At {} the score changes from {} to {}.",
            clock(change.t_s),
            change.from,
            change.to
        ));
    }
    text
}

/// A shot after a cut at 0–4 s with the given facts (tests of both
/// languages).
#[cfg(test)]
pub(crate) fn facts(
    objects: &[(&str, u64)],
    camera: CameraMotion,
    events: Vec<ShotEvent>,
) -> ShotFacts {
    ShotFacts {
        shot: Shot {
            start_frame: 0,
            end_frame: 99,
            start_s: 0.0,
            end_s: 4.0,
            transition_in: Transition::Cut,
        },
        objects: objects.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
        events,
        camera,
        text: Vec::new(),
        score_changes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_count_what_was_seen_and_nothing_else() {
        let f = facts(
            &[("person", 2), ("car", 1), ("sports ball", 1)],
            CameraMotion::PanLeft,
            vec![ShotEvent {
                t: 62.4,
                what: "enters",
                class: "person".into(),
                track: 3,
            }],
        );
        assert_eq!(
            narrate(&f),
            "After a cut, two people, a car and a sports ball in view as the camera pans left. A person enters at 1:02."
        );
        let car = |t| ShotEvent {
            t,
            what: "enters",
            class: "car".into(),
            track: 1,
        };
        let three = facts(
            &[("car", 3)],
            CameraMotion::Static,
            vec![car(1.2), car(1.5), car(1.9), car(4.0)],
        );
        assert_eq!(
            narrate(&three),
            "After a cut, three cars in view. Three cars enter at 0:01 and a car enters at 0:04."
        );
        let mut scoreboard = facts(&[("person", 2)], CameraMotion::Static, vec![]);
        scoreboard.text = vec!["2-1".into(), "02:31".into()];
        assert_eq!(
            narrate(&scoreboard),
            "After a cut, two people in view. On screen: \u{201c}2-1\u{201d} and \u{201c}02:31\u{201d}."
        );
        scoreboard.score_changes = vec![super::super::scoreboard::ScoreChange {
            t_s: 151.0,
            from: "1-0".into(),
            to: "2-0".into(),
        }];
        assert!(narrate(&scoreboard).ends_with(" At 2:31 the score changes from 1-0 to 2-0."));
        let empty = facts(&[], CameraMotion::Static, vec![]);
        assert_eq!(narrate(&empty), "After a cut, no objects are detected.");
        assert_eq!(counted(3, "bus"), "three buses");
        assert_eq!(counted(1, "umbrella"), "an umbrella");
    }
}
