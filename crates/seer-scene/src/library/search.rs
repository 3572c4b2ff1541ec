//! Search requests and results, and the tantivy query built from a
//! request: BM25 over the text fields, quoted phrases, one typo allowed
//! in words of five letters or more, and filters on video, label, start
//! time and label count.

use super::text_index::{label_term, video_term, Fields, MAX_COUNT_TERM};
use super::tokenizer::words;
use super::LibraryError;
use serde::Serialize;
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

/// Shortest word (in characters) matched with one typo.
pub const FUZZY_MIN_CHARS: usize = 5;

/// Most hits a search returns.
pub const MAX_LIMIT: usize = 1000;

/// What to search for.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    /// Words and "quoted phrases"; empty: every shot that passes the
    /// filters.
    pub text: String,
    /// Only this video (its path as indexed, or its file name).
    pub video: Option<String>,
    /// Only shots where this object class was seen (e.g. `person`).
    pub label: Option<String>,
    /// Only shots starting at or after this many seconds.
    pub after_s: Option<f64>,
    /// Only shots where the label was seen at least this many times at
    /// once (needs `label`).
    pub min_count: Option<u64>,
    /// Most hits returned (1 to 1000).
    pub limit: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            video: None,
            label: None,
            after_s: None,
            min_count: None,
            limit: 10,
        }
    }
}

impl SearchQuery {
    /// A query for `text` with no filters and the default limit.
    pub fn new(text: &str) -> SearchQuery {
        SearchQuery {
            text: text.to_string(),
            ..SearchQuery::default()
        }
    }

    /// Checks the ranges of the options.
    pub fn validate(&self) -> Result<(), LibraryError> {
        let invalid = |reason: String| Err(LibraryError::InvalidQuery { reason });
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return invalid(format!(
                "the number of hits {} is not 1 to {MAX_LIMIT}",
                self.limit
            ));
        }
        if let Some(after) = self.after_s {
            if !after.is_finite() || after < 0.0 {
                return invalid(format!(
                    "the start time {after} is not seconds of 0 or more"
                ));
            }
        }
        if self.min_count.is_some() && self.label.is_none() {
            return invalid("a minimum count needs a label to count".into());
        }
        if self.min_count == Some(0) {
            return invalid("a minimum count must be 1 or more".into());
        }
        Ok(())
    }
}

/// One shot found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    /// Path of the video as indexed.
    pub video: String,
    /// Start of the shot in seconds.
    pub start_s: f64,
    /// End of the shot in seconds.
    pub end_s: f64,
    /// BM25 relevance (higher is better; 0 when only filters were given).
    pub score: f32,
    /// The narration, then any on-screen text.
    pub text: String,
    /// Path of the shot's thumbnail JPEG, if one was made.
    pub thumbnail: Option<String>,
}

/// Hits of a search, best first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResults {
    /// The hits.
    pub hits: Vec<SearchHit>,
}

/// `m:ss` (or `h:mm:ss`) of `seconds`.
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).floor() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

impl SearchResults {
    /// A plain-text table: one row per hit with times as m:ss.
    pub fn to_table(&self) -> String {
        let mut out = String::from("score  start  end    video  text\n");
        for h in &self.hits {
            let name = std::path::Path::new(&h.video)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| h.video.clone());
            out.push_str(&format!(
                "{:<6.2} {:<6} {:<6} {}  {}\n",
                h.score,
                clock(h.start_s),
                clock(h.end_s),
                name,
                h.text.replace('\n', " / ")
            ));
        }
        if self.hits.is_empty() {
            out.push_str("(no hits)\n");
        }
        out
    }
}

/// Words and phrases of the query text: quoted parts are phrases.
fn parts(text: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    for (i, piece) in text.split('"').enumerate() {
        if i % 2 == 1 {
            out.push((true, piece.to_string()));
        } else {
            out.extend(piece.split_whitespace().map(|w| (false, w.to_string())));
        }
    }
    out
}

/// The query matching `tokens` (one word or a phrase) in any text field.
fn in_any_field(fields: &Fields, tokens: &[String], fuzzy: bool) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (field, weight) in fields.searched() {
        if let [token] = tokens {
            let term = Term::from_field_text(field, token);
            let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(exact), weight)),
            ));
            if fuzzy && token.chars().count() >= FUZZY_MIN_CHARS {
                // A typo scores below the exact word.
                let near = FuzzyTermQuery::new(term, 1, true);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(near), weight * 0.5)),
                ));
            }
        } else {
            let terms = tokens
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            let phrase = PhraseQuery::new(terms);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(phrase), weight)),
            ));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// A clause that must match but adds nothing to the score.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// The tantivy query of `query` with the video filter resolved to the
/// ids `videos` (`None`: all videos).
pub fn build(
    fields: &Fields,
    query: &SearchQuery,
    videos: Option<&[u64]>,
) -> Result<Box<dyn Query>, LibraryError> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (phrase, part) in parts(&query.text) {
        let tokens: Vec<String> = words(&part).into_iter().map(|w| w.2).collect();
        if tokens.is_empty() {
            continue;
        }
        // A quoted phrase must match as written; a word (or a Chinese
        // word segmented into several) may have one typo.
        clauses.push((Occur::Must, in_any_field(fields, &tokens, !phrase)));
    }
    let scored = !clauses.is_empty();
    if let Some(ids) = videos {
        let any: Vec<(Occur, Box<dyn Query>)> = ids
            .iter()
            .map(|&id| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    video_term(fields, id),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        clauses.push(filter(Box::new(BooleanQuery::new(any))));
    }
    if let Some(label) = &query.label {
        let count = query.min_count.unwrap_or(0).min(MAX_COUNT_TERM);
        clauses.push(filter(Box::new(TermQuery::new(
            label_term(fields, label.trim(), count),
            IndexRecordOption::Basic,
        ))));
    }
    if let Some(after) = query.after_s {
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_f64(fields.start_s, after)),
            Bound::Unbounded,
        ))));
    }
    if !scored {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_make_phrases_and_the_rest_words() {
        assert_eq!(
            parts(r#"red "two cars enter" 火车站"#),
            [
                (false, "red".to_string()),
                (true, "two cars enter".to_string()),
                (false, "火车站".to_string())
            ]
        );
    }

    #[test]
    fn clock_is_minutes_and_seconds() {
        assert_eq!(clock(65.4), "1:05");
        assert_eq!(clock(3725.0), "1:02:05");
    }

    #[test]
    fn bad_options_are_refused() {
        let mut q = SearchQuery::new("car");
        q.min_count = Some(2);
        assert!(q.validate().is_err());
        q.label = Some("car".into());
        assert!(q.validate().is_ok());
        q.limit = 0;
        assert!(q.validate().is_err());
    }
}
