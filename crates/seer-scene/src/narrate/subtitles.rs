//! Timed narration as subtitles: SubRip (`.srt`) and WebVTT (`.vtt`).

use super::describe::ShotNarration;

/// `HH:MM:SS` plus milliseconds after `separator`.
fn timestamp(t: f64, separator: char) -> String {
    let ms = (t.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}{separator}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// The narration as SubRip text: one numbered cue per shot.
pub fn to_srt(shots: &[ShotNarration]) -> String {
    let mut out = String::new();
    for (i, s) in shots.iter().enumerate() {
        out.push_str(&format!(
            "{}\n{} --> {}\n{}\n\n",
            i + 1,
            timestamp(s.facts.shot.start_s, ','),
            timestamp(s.facts.shot.end_s, ','),
            s.text
        ));
    }
    out
}

/// The narration as WebVTT text: one cue per shot.
pub fn to_vtt(shots: &[ShotNarration]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for s in shots {
        out.push_str(&format!(
            "{} --> {}\n{}\n\n",
            timestamp(s.facts.shot.start_s, '.'),
            timestamp(s.facts.shot.end_s, '.'),
            s.text
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_carry_hours_minutes_seconds_and_milliseconds() {
        assert_eq!(timestamp(3725.0456, ','), "01:02:05,046");
        assert_eq!(timestamp(0.5, '.'), "00:00:00.500");
    }
}
