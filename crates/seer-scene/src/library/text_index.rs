//! The library's tantivy index over the shots' text: narration,
//! on-screen text, object labels and face names (words segmented by
//! [`super::tokenizer`]), with the video id, shot position and start
//! time for filters. Its commit payload is the SQLite generation it
//! matches.

use super::store::StoredShot;
use super::tokenizer::{WordTokenizer, TOKENIZER_NAME};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::{Index, TantivyDocument, Term};

/// Highest count indexed per label for count filters.
pub const MAX_COUNT_TERM: u64 = 50;

/// The fields of the index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Library id of the video (indexed for deletes and filters).
    pub video: Field,
    /// Position of the shot in its video.
    pub shot: Field,
    /// Start of the shot in seconds.
    pub start_s: Field,
    /// The narration.
    pub narration: Field,
    /// On-screen text.
    pub screen: Field,
    /// Object class names.
    pub labels: Field,
    /// Names of people (empty for now).
    pub faces: Field,
    /// Exact label keys: `car` and `car#1` … `car#n` for a shot with n cars.
    pub label_key: Field,
}

impl Fields {
    /// The text fields searched by words, with their weights.
    pub fn searched(&self) -> [(Field, f32); 4] {
        [
            (self.narration, 1.0),
            (self.screen, 1.5),
            (self.labels, 1.5),
            (self.faces, 1.5),
        ]
    }
}

/// The schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        video: builder.add_u64_field("video", INDEXED | FAST),
        shot: builder.add_u64_field("shot", FAST),
        start_s: builder.add_f64_field("start_s", INDEXED | FAST),
        narration: builder.add_text_field("narration", words.clone()),
        screen: builder.add_text_field("screen", words.clone()),
        labels: builder.add_text_field("labels", words.clone()),
        faces: builder.add_text_field("faces", words),
        label_key: builder.add_text_field("label_key", STRING),
    };
    (builder.build(), fields)
}

/// Registers the word tokenizer on `index`.
pub fn register(index: &Index) {
    index.tokenizers().register(TOKENIZER_NAME, WordTokenizer);
}

/// The fields of an opened index, found by name.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        video: f("video")?,
        shot: f("shot")?,
        start_s: f("start_s")?,
        narration: f("narration")?,
        screen: f("screen")?,
        labels: f("labels")?,
        faces: f("faces")?,
        label_key: f("label_key")?,
    })
}

/// The key term of `label` seen at least `count` times (0: at all).
pub fn label_term(fields: &Fields, label: &str, count: u64) -> Term {
    let key = if count == 0 {
        label.to_lowercase()
    } else {
        format!("{}#{count}", label.to_lowercase())
    };
    Term::from_field_text(fields.label_key, &key)
}

/// The term selecting every shot of video `id`.
pub fn video_term(fields: &Fields, id: u64) -> Term {
    Term::from_field_u64(fields.video, id)
}

/// The index document of shot `shot` of video `video`.
pub fn document(fields: &Fields, video: u64, shot: &StoredShot) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.video, video);
    doc.add_u64(fields.shot, shot.index);
    doc.add_f64(fields.start_s, shot.start_s);
    doc.add_text(fields.narration, &shot.narration);
    doc.add_text(fields.screen, &shot.screen_text);
    doc.add_text(fields.faces, &shot.faces);
    for (class, &count) in &shot.counts {
        doc.add_text(fields.labels, class);
        let key = class.to_lowercase();
        doc.add_text(fields.label_key, &key);
        for n in 1..=count.min(MAX_COUNT_TERM) {
            doc.add_text(fields.label_key, format!("{key}#{n}"));
        }
    }
    doc
}
