//! The tokenizer of the library's text fields: Chinese is segmented into
//! words with jieba, Latin words are lowercased, punctuation and spaces
//! are dropped. The same tokenizer runs at index and query time.

use jieba_rs::Jieba;
use std::sync::OnceLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name the tokenizer is registered under in the index.
pub const TOKENIZER_NAME: &str = "seer_words";

/// The jieba segmenter with its built-in dictionary, loaded once.
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Words of `text`, lowercased, in order, with their byte offsets.
pub fn words(text: &str) -> Vec<(usize, usize, String)> {
    let base = text.as_ptr() as usize;
    jieba()
        .cut(text, true)
        .into_iter()
        .filter(|t| t.word.chars().any(char::is_alphanumeric))
        .map(|t| {
            let from = t.word.as_ptr() as usize - base;
            (from, from + t.word.len(), t.word.to_lowercase())
        })
        .collect()
}

/// Tantivy adapter over [`words`].
#[derive(Clone, Default)]
pub struct WordTokenizer;

/// The tokens of one text.
pub struct WordStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let tokens = words(text)
            .into_iter()
            .enumerate()
            .map(|(position, (offset_from, offset_to, text))| Token {
                offset_from,
                offset_to,
                position,
                text,
                position_length: 1,
            })
            .collect();
        WordStream { tokens, next: 0 }
    }
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let at = self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[at]
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn chinese_is_segmented_and_latin_lowercased() {
        let w: Vec<String> = words("Breaking News: 火车站到了")
            .into_iter()
            .map(|w| w.2)
            .collect();
        assert_eq!(w[..2], ["breaking", "news"]);
        assert!(w.iter().any(|x| x == "火车站"), "{w:?}");
        assert!(!w.iter().any(|x| x == ":" || x == " "), "{w:?}");
    }
}
