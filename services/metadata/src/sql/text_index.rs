//! The text index prefilter of SEARCH (issue 3): a substring key of the
//! query's top-level conjunction (BODY, TEXT or HEADER, at least
//! [`MIN_INDEXED_CHARS`] characters) narrows the rows in SQL through the
//! database's text index: PostgreSQL `ILIKE` over pg_trgm GIN indexes,
//! SQLite an FTS5 trigram table (migrations `0005_fts.sql`). Shorter keys,
//! and keys under OR or NOT, fall back to the scan.
//!
//! Invariant: the index only lets through rows that contain the needle as
//! a case-insensitive substring, a superset of what the matcher accepts
//! (which lower-cases the same way), so the matcher still decides.

use crate::search::Matcher;

/// A trigram index cannot answer a needle shorter than three characters.
pub const MIN_INDEXED_CHARS: usize = 3;

/// How a database finds rows by substring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextIndex {
    /// `column ILIKE '%needle%'` answered by GIN `gin_trgm_ops` indexes.
    TrigramIlike,
    /// `messages_fts MATCH 'column : "needle"'` on an FTS5 trigram table.
    Fts5Trigram,
}

/// Which text column a needle must occur in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextColumn {
    Header,
    Body,
    /// TEXT: the header or the body.
    Either,
}

/// The needle the index filters on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedNeedle {
    pub column: TextColumn,
    /// Lower-cased, as the matcher holds it.
    pub needle: String,
}

impl IndexedNeedle {
    /// The longest indexable needle among the top-level conjuncts: every
    /// match must contain it, and the longest is usually the rarest.
    pub fn of(matcher: &Matcher) -> Option<IndexedNeedle> {
        let mut best: Option<IndexedNeedle> = None;
        collect(matcher, &mut best);
        best
    }

    /// The bound parameter for `index`'s query.
    pub fn pattern(&self, index: TextIndex) -> String {
        match index {
            TextIndex::TrigramIlike => {
                let mut pattern = String::from("%");
                for character in self.needle.chars() {
                    if matches!(character, '\\' | '%' | '_') {
                        pattern.push('\\');
                    }
                    pattern.push(character);
                }
                pattern.push('%');
                pattern
            }
            TextIndex::Fts5Trigram => {
                let phrase = format!("\"{}\"", self.needle.replace('"', "\"\""));
                match self.column {
                    TextColumn::Header => format!("header_text : {phrase}"),
                    TextColumn::Body => format!("body_text : {phrase}"),
                    TextColumn::Either => phrase,
                }
            }
        }
    }
}

fn collect(matcher: &Matcher, best: &mut Option<IndexedNeedle>) {
    let (column, needle) = match matcher {
        Matcher::And(all) => {
            all.iter().for_each(|inner| collect(inner, best));
            return;
        }
        Matcher::Header { needle, .. } => (TextColumn::Header, needle),
        Matcher::Body(needle) => (TextColumn::Body, needle),
        Matcher::Text(needle) => (TextColumn::Either, needle),
        _ => return,
    };
    let length = needle.chars().count();
    let longer = best
        .as_ref()
        .is_none_or(|current| length > current.needle.chars().count());
    if length >= MIN_INDEXED_CHARS && longer {
        *best = Some(IndexedNeedle {
            column,
            needle: needle.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use mailkeep_common::mail::SearchQuery;

    use super::*;

    fn needle(query: SearchQuery) -> Option<IndexedNeedle> {
        IndexedNeedle::of(&Matcher::compile(&query, &HashMap::new()))
    }

    #[test]
    fn the_longest_top_level_needle_of_three_or_more_characters_is_indexed() {
        let query = SearchQuery::And(vec![
            SearchQuery::Body("Köln".into()),
            SearchQuery::Text("ab".into()),
            SearchQuery::Header {
                field: "subject".into(),
                value: "Grüße".into(),
            },
            SearchQuery::Or(vec![SearchQuery::Text("much longer needle".into())]),
        ]);
        assert_eq!(
            needle(query),
            Some(IndexedNeedle {
                column: TextColumn::Header,
                needle: "grüße".into(),
            })
        );
        assert_eq!(needle(SearchQuery::Text("ab".into())), None);
        assert_eq!(
            needle(SearchQuery::Not(Box::new(SearchQuery::Body("abc".into())))),
            None
        );
    }

    #[test]
    fn patterns_escape_like_wildcards_and_fts_quotes() {
        let needle = |column, text: &str| IndexedNeedle {
            column,
            needle: text.into(),
        };
        assert_eq!(
            needle(TextColumn::Body, "50%_a\\b").pattern(TextIndex::TrigramIlike),
            "%50\\%\\_a\\\\b%"
        );
        assert_eq!(
            needle(TextColumn::Body, "say \"hi\"").pattern(TextIndex::Fts5Trigram),
            "body_text : \"say \"\"hi\"\"\""
        );
        assert_eq!(
            needle(TextColumn::Either, "abc").pattern(TextIndex::Fts5Trigram),
            "\"abc\""
        );
    }
}
