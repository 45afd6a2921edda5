//! SORT and THREAD arguments (RFC 5256 §5, RFC 5957 §4, RFC 5267 §3.2):
//! `[RETURN (...)] (sort-criteria) charset search-keys` and
//! `algorithm charset search-keys`. The charset is mandatory and, as for
//! SEARCH, only US-ASCII and UTF-8 are accepted. RETURN takes the ESEARCH
//! options except SAVE, which SORT does not offer.

use super::ParseErrorKind;
use super::cursor::{Cursor, syntax};
use super::search::{charset_name, return_options, search_criteria};
use crate::backend::{SortCriterion, SortKey, ThreadAlgorithm};
use crate::command::{SearchReturn, SortArgs, ThreadArgs};

/// More criteria than this are a syntax error (there are nine keys).
const MAX_SORT_CRITERIA: usize = 32;

/// `SP [RETURN SP (options) SP] (criteria) SP charset SP search-keys`.
pub(super) fn sort_arguments(cursor: &mut Cursor<'_>) -> Result<SortArgs, ParseErrorKind> {
    cursor.sp()?;
    let result = if cursor.eat_keyword("RETURN") {
        cursor.sp()?;
        let options = return_options(cursor)?;
        if options.contains(&SearchReturn::Save) {
            return Err(syntax("SAVE is not offered for SORT"));
        }
        cursor.sp()?;
        Some(options)
    } else {
        None
    };
    let criteria = sort_criteria(cursor)?;
    cursor.sp()?;
    let charset = charset_name(cursor)?;
    cursor.sp()?;
    Ok(SortArgs {
        result,
        criteria,
        charset,
        search: search_criteria(cursor)?,
    })
}

/// `"(" sort-criterion *(SP sort-criterion) ")"`, each `["REVERSE" SP] key`.
fn sort_criteria(cursor: &mut Cursor<'_>) -> Result<Vec<SortCriterion>, ParseErrorKind> {
    cursor.expect(b'(', "( before the sort criteria")?;
    let mut criteria = Vec::new();
    loop {
        let reverse = cursor.eat_keyword("REVERSE");
        if reverse {
            cursor.sp()?;
        }
        criteria.push(SortCriterion {
            key: sort_key(cursor)?,
            reverse,
        });
        if criteria.len() > MAX_SORT_CRITERIA {
            return Err(syntax("too many sort criteria"));
        }
        if cursor.eat(b')') {
            return Ok(criteria);
        }
        cursor.sp()?;
    }
}

fn sort_key(cursor: &mut Cursor<'_>) -> Result<SortKey, ParseErrorKind> {
    [
        ("ARRIVAL", SortKey::Arrival),
        ("CC", SortKey::Cc),
        ("DATE", SortKey::Date),
        ("FROM", SortKey::From),
        ("SIZE", SortKey::Size),
        ("SUBJECT", SortKey::Subject),
        ("TO", SortKey::To),
        ("DISPLAYFROM", SortKey::DisplayFrom),
        ("DISPLAYTO", SortKey::DisplayTo),
    ]
    .into_iter()
    .find(|(name, _)| cursor.eat_keyword(name))
    .map(|(_, key)| key)
    .ok_or_else(|| syntax("unknown sort key"))
}

/// `SP algorithm SP charset SP search-keys`.
pub(super) fn thread_arguments(cursor: &mut Cursor<'_>) -> Result<ThreadArgs, ParseErrorKind> {
    cursor.sp()?;
    let algorithm = if cursor.eat_keyword("ORDEREDSUBJECT") {
        ThreadAlgorithm::OrderedSubject
    } else if cursor.eat_keyword("REFERENCES") {
        ThreadAlgorithm::References
    } else {
        return Err(syntax("unknown thread algorithm"));
    };
    cursor.sp()?;
    let charset = charset_name(cursor)?;
    cursor.sp()?;
    Ok(ThreadArgs {
        algorithm,
        charset,
        search: search_criteria(cursor)?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{body, kind};
    use crate::command::{CommandBody, PartialRange, SearchKey, SeqBound, SequenceSet};

    use super::*;

    fn criterion(key: SortKey, reverse: bool) -> SortCriterion {
        SortCriterion { key, reverse }
    }

    /// RFC 5256 §4 examples.
    #[test]
    fn rfc5256_sort_and_thread_examples_parse() {
        assert_eq!(
            body("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n"),
            CommandBody::Sort {
                uid: false,
                args: SortArgs {
                    result: None,
                    criteria: vec![criterion(SortKey::Subject, false)],
                    charset: "UTF-8",
                    search: SearchKey::Since(chrono::NaiveDate::from_ymd_opt(1994, 2, 1).unwrap()),
                },
            }
        );
        let CommandBody::Sort { uid: true, args } =
            body("A284 UID SORT (REVERSE DATE displayFrom) US-ASCII ALL seen\r\n")
        else {
            panic!("not a UID SORT");
        };
        assert_eq!(
            args.criteria,
            [
                criterion(SortKey::Date, true),
                criterion(SortKey::DisplayFrom, false)
            ]
        );
        assert_eq!(
            args.search,
            SearchKey::And(vec![SearchKey::All, SearchKey::Seen])
        );
        assert_eq!(
            body("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n"),
            CommandBody::Thread {
                uid: false,
                args: ThreadArgs {
                    algorithm: ThreadAlgorithm::OrderedSubject,
                    charset: "UTF-8",
                    search: SearchKey::Since(chrono::NaiveDate::from_ymd_opt(2000, 3, 5).unwrap()),
                },
            }
        );
        let CommandBody::Thread { uid: true, args } =
            body("A284 UID THREAD REFERENCES US-ASCII 1:5\r\n")
        else {
            panic!("not a UID THREAD");
        };
        assert_eq!(args.algorithm, ThreadAlgorithm::References);
        assert_eq!(
            args.search,
            SearchKey::Sequence(SequenceSet::Ranges(vec![(
                SeqBound::Value(1),
                SeqBound::Value(5)
            )]))
        );
    }

    /// RFC 5267 §3.2 and §4.4 (ESORT, PARTIAL).
    #[test]
    fn return_options_and_partial_ranges() {
        let CommandBody::Sort { args, .. } =
            body("E1 SORT RETURN (MIN COUNT PARTIAL 4:2) (ARRIVAL) us-ascii all\r\n")
        else {
            panic!("not a SORT");
        };
        assert_eq!(
            args.result,
            Some(vec![
                SearchReturn::Min,
                SearchReturn::Count,
                SearchReturn::Partial(PartialRange {
                    first: 2,
                    last: 4,
                    from_end: false
                })
            ])
        );
        for bad in [
            "E2 SORT RETURN (PARTIAL 1) (ARRIVAL) US-ASCII ALL\r\n",
            "E3 SORT RETURN (PARTIAL 1:*) (ARRIVAL) US-ASCII ALL\r\n",
            "E4 SORT RETURN (SAVE) (ARRIVAL) US-ASCII ALL\r\n",
            "E5 SORT () US-ASCII ALL\r\n",
            "E6 SORT (RANDOM) US-ASCII ALL\r\n",
            "E7 THREAD JWZ US-ASCII ALL\r\n",
            "E8 SORT (ARRIVAL) US-ASCII\r\n",
        ] {
            assert!(
                matches!(kind(bad.as_bytes()), ParseErrorKind::Syntax(_)),
                "{bad}"
            );
        }
        assert_eq!(
            kind(b"E9 SORT (ARRIVAL) KOI8-R ALL\r\n"),
            ParseErrorKind::BadCharset
        );
        assert_eq!(
            kind(b"E10 THREAD REFERENCES ISO-8859-1 ALL\r\n"),
            ParseErrorKind::BadCharset
        );
    }
}
