//! Search program conversions (RFC 3501 §6.4.4, RFC 7162 §3.1.5). Incoming
//! programs are validated: every key is set, a flag is one system bit or one
//! keyword, header field names are lower-cased, and nesting is bounded by
//! [`MAX_SEARCH_DEPTH`] (deeper programs only come from hostile input).

use mailkeep_common::ModSeq;
use mailkeep_common::mail::{SearchFlag, SearchOutcome, SearchQuery};

use super::{ConvertError, uids, uids_to_proto};
use crate::metadata::v1 as pb;
use crate::metadata::v1::search_key::Key;
use crate::{uid_set_from_proto, uid_set_to_proto};

/// Deeper search programs are refused.
pub const MAX_SEARCH_DEPTH: usize = 64;

impl From<&SearchFlag> for pb::SearchFlag {
    fn from(flag: &SearchFlag) -> Self {
        match flag {
            SearchFlag::System(bit) => Self {
                system: *bit,
                keyword: String::new(),
            },
            SearchFlag::Keyword(keyword) => Self {
                system: 0,
                keyword: keyword.clone(),
            },
        }
    }
}

impl TryFrom<pb::SearchFlag> for SearchFlag {
    type Error = ConvertError;

    fn try_from(flag: pb::SearchFlag) -> Result<Self, ConvertError> {
        match (flag.system, flag.keyword.is_empty()) {
            (0, false) => Ok(Self::Keyword(flag.keyword)),
            (bits, true) if bits.count_ones() == 1 => Ok(Self::System(bits)),
            _ => Err(ConvertError::InvalidSearchFlag),
        }
    }
}

fn keys_to_proto(queries: &[SearchQuery]) -> pb::SearchKeys {
    pb::SearchKeys {
        keys: queries.iter().map(Into::into).collect(),
    }
}

impl From<&SearchQuery> for pb::SearchKey {
    fn from(query: &SearchQuery) -> Self {
        let key = match query {
            SearchQuery::All => Key::All(true),
            SearchQuery::And(queries) => Key::And(keys_to_proto(queries)),
            SearchQuery::Or(queries) => Key::Or(keys_to_proto(queries)),
            SearchQuery::Not(query) => Key::Not(Box::new(query.as_ref().into())),
            SearchQuery::Uid(set) => Key::Uid(uid_set_to_proto(set)),
            SearchQuery::FlagSet(flag) => Key::FlagSet(flag.into()),
            SearchQuery::FlagUnset(flag) => Key::FlagUnset(flag.into()),
            SearchQuery::InternalBefore(day) => Key::InternalBefore(*day),
            SearchQuery::InternalOn(day) => Key::InternalOn(*day),
            SearchQuery::InternalSince(day) => Key::InternalSince(*day),
            SearchQuery::SentBefore(day) => Key::SentBefore(*day),
            SearchQuery::SentOn(day) => Key::SentOn(*day),
            SearchQuery::SentSince(day) => Key::SentSince(*day),
            SearchQuery::Larger(size) => Key::Larger(*size),
            SearchQuery::Smaller(size) => Key::Smaller(*size),
            SearchQuery::Header { field, value } => Key::Header(pb::HeaderMatch {
                field: field.clone(),
                value: value.clone(),
            }),
            SearchQuery::Body(text) => Key::Body(text.clone()),
            SearchQuery::Text(text) => Key::Text(text.clone()),
            SearchQuery::ModSeqAtLeast(modseq) => Key::ModseqAtLeast(modseq.get()),
            SearchQuery::InternalBeforeInstant(at) => Key::InternalBeforeInstant(*at),
            SearchQuery::InternalSinceInstant(at) => Key::InternalSinceInstant(*at),
        };
        Self { key: Some(key) }
    }
}

/// The program of a `SearchRequest.key` field; absent is an error.
pub fn search_query(key: Option<pb::SearchKey>) -> Result<SearchQuery, ConvertError> {
    search_key(key, 0)
}

impl TryFrom<pb::SearchKey> for SearchQuery {
    type Error = ConvertError;

    fn try_from(key: pb::SearchKey) -> Result<Self, ConvertError> {
        search_key(Some(key), 0)
    }
}

fn search_keys(keys: pb::SearchKeys, depth: usize) -> Result<Vec<SearchQuery>, ConvertError> {
    keys.keys
        .into_iter()
        .map(|key| search_key(Some(key), depth + 1))
        .collect()
}

fn search_key(key: Option<pb::SearchKey>, depth: usize) -> Result<SearchQuery, ConvertError> {
    if depth > MAX_SEARCH_DEPTH {
        return Err(ConvertError::SearchTooDeep);
    }
    let key = key
        .and_then(|key| key.key)
        .ok_or(ConvertError::EmptySearchKey)?;
    Ok(match key {
        Key::And(keys) => SearchQuery::And(search_keys(keys, depth)?),
        Key::Or(keys) => SearchQuery::Or(search_keys(keys, depth)?),
        Key::Not(inner) => SearchQuery::Not(Box::new(search_key(Some(*inner), depth + 1)?)),
        Key::Uid(set) => SearchQuery::Uid(uid_set_from_proto(&set)),
        Key::FlagSet(flag) => SearchQuery::FlagSet(flag.try_into()?),
        Key::FlagUnset(flag) => SearchQuery::FlagUnset(flag.try_into()?),
        Key::InternalBefore(day) => SearchQuery::InternalBefore(day),
        Key::InternalOn(day) => SearchQuery::InternalOn(day),
        Key::InternalSince(day) => SearchQuery::InternalSince(day),
        Key::SentBefore(day) => SearchQuery::SentBefore(day),
        Key::SentOn(day) => SearchQuery::SentOn(day),
        Key::SentSince(day) => SearchQuery::SentSince(day),
        Key::Larger(size) => SearchQuery::Larger(size),
        Key::Smaller(size) => SearchQuery::Smaller(size),
        Key::Header(header) => SearchQuery::Header {
            field: header.field.to_lowercase(),
            value: header.value,
        },
        Key::Body(text) => SearchQuery::Body(text),
        Key::Text(text) => SearchQuery::Text(text),
        Key::ModseqAtLeast(modseq) => SearchQuery::ModSeqAtLeast(ModSeq::new(modseq)),
        Key::InternalBeforeInstant(at) => SearchQuery::InternalBeforeInstant(at),
        Key::InternalSinceInstant(at) => SearchQuery::InternalSinceInstant(at),
        Key::All(_) => SearchQuery::All,
    })
}

impl From<SearchOutcome> for pb::SearchResponse {
    fn from(outcome: SearchOutcome) -> Self {
        Self {
            uids: uids_to_proto(&outcome.uids),
            highest_modseq: outcome.highest_modseq.get(),
        }
    }
}

impl TryFrom<pb::SearchResponse> for SearchOutcome {
    type Error = ConvertError;

    fn try_from(response: pb::SearchResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            uids: uids(response.uids, "uids")?,
            highest_modseq: ModSeq::new(response.highest_modseq),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::mail::SystemFlags;
    use mailkeep_common::{Uid, UidSet};

    fn key(key: Key) -> pb::SearchKey {
        pb::SearchKey { key: Some(key) }
    }

    #[test]
    fn search_programs_keep_their_shape() {
        let query = SearchQuery::And(vec![
            SearchQuery::Not(Box::new(SearchQuery::FlagSet(SearchFlag::System(
                SystemFlags::SEEN,
            )))),
            SearchQuery::Uid(UidSet::from_ranges([(1, 5)])),
            SearchQuery::Header {
                field: "subject".to_owned(),
                value: "hello".to_owned(),
            },
        ]);
        let wire = pb::SearchKey::from(&query);
        let Some(Key::And(keys)) = &wire.key else {
            panic!("expected an AND key");
        };
        assert_eq!(keys.keys.len(), 3);
        let Some(Key::Not(inner)) = &keys.keys[0].key else {
            panic!("expected a NOT key");
        };
        assert_eq!(
            inner.key,
            Some(Key::FlagSet(pb::SearchFlag {
                system: SystemFlags::SEEN,
                keyword: String::new(),
            }))
        );
        assert_eq!(
            keys.keys[1].key,
            Some(Key::Uid(pb::UidSet {
                ranges: vec![pb::UidRange { first: 1, last: 5 }],
            }))
        );
        assert_eq!(SearchQuery::try_from(wire).unwrap(), query);
    }

    #[test]
    fn within_instants_round_trip() {
        let query = SearchQuery::Or(vec![
            SearchQuery::InternalBeforeInstant(1_700_000_001),
            SearchQuery::InternalSinceInstant(-5),
        ]);
        let wire = pb::SearchKey::from(&query);
        let Some(Key::Or(keys)) = &wire.key else {
            panic!("expected an OR key");
        };
        assert_eq!(
            keys.keys[0].key,
            Some(Key::InternalBeforeInstant(1_700_000_001))
        );
        assert_eq!(keys.keys[1].key, Some(Key::InternalSinceInstant(-5)));
        assert_eq!(SearchQuery::try_from(wire).unwrap(), query);
    }

    #[test]
    fn search_keys_convert_and_bad_ones_are_refused() {
        let program = key(Key::And(pb::SearchKeys {
            keys: vec![
                key(Key::Larger(10)),
                key(Key::Not(Box::new(key(Key::FlagSet(pb::SearchFlag {
                    system: 8,
                    keyword: String::new(),
                }))))),
                key(Key::Header(pb::HeaderMatch {
                    field: "Subject".into(),
                    value: "hi".into(),
                })),
            ],
        }));
        assert_eq!(
            search_query(Some(program)).unwrap(),
            SearchQuery::And(vec![
                SearchQuery::Larger(10),
                SearchQuery::Not(Box::new(SearchQuery::FlagSet(SearchFlag::System(8)))),
                SearchQuery::Header {
                    field: "subject".into(),
                    value: "hi".into()
                },
            ])
        );
        let error = search_query(None).unwrap_err();
        assert_eq!(error, ConvertError::EmptySearchKey);
        assert_eq!(error.code(), mailkeep_common::ErrorCode::InvalidArgument);
        let both = key(Key::FlagSet(pb::SearchFlag {
            system: 1,
            keyword: "x".into(),
        }));
        assert_eq!(
            search_query(Some(both)),
            Err(ConvertError::InvalidSearchFlag)
        );
        let mut deep = key(Key::All(true));
        for _ in 0..100 {
            deep = key(Key::Not(Box::new(deep)));
        }
        let error = search_query(Some(deep)).unwrap_err();
        assert_eq!(error.code(), mailkeep_common::ErrorCode::Limit);
    }

    #[test]
    fn search_outcomes_round_trip() {
        let outcome = SearchOutcome {
            uids: vec![Uid::new(2).unwrap(), Uid::new(9).unwrap()],
            highest_modseq: ModSeq::new(11),
        };
        let wire = pb::SearchResponse::from(outcome.clone());
        assert_eq!(wire.uids, vec![2, 9]);
        assert_eq!(SearchOutcome::try_from(wire).unwrap(), outcome);
    }
}
