//! SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO) in backend terms: the
//! criteria a client asked for, the columns a message contributes
//! ([`SortInput`]), and [`sort_uids`], the one ordering every backend uses.
//! Keys are read from the stored searchable header text, never from a body,
//! and compared with `i;ascii-casemap` (ASCII letters upper-cased, then
//! octets). Messages equal under every criterion keep mailbox order
//! (ascending UID), whatever REVERSE says (RFC 5256 §3).

mod date;
mod keys;

use std::cmp::Ordering;

use crate::{ModSeq, Uid};

use date::parse_rfc5322_date;
use keys::first_address;
pub(super) use keys::{BaseSubject, base_subject, header_value};

/// One SORT key (RFC 5256 §3, RFC 5957 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

impl SortKey {
    /// Whether the key is read from the header text (ARRIVAL and SIZE are
    /// columns of their own).
    pub fn reads_header(self) -> bool {
        !matches!(self, SortKey::Arrival | SortKey::Size)
    }
}

/// A key with its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortCriterion {
    pub key: SortKey,
    pub reverse: bool,
}

/// What SORT and THREAD read of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortInput {
    pub uid: Uid,
    pub size: u64,
    /// INTERNALDATE, unix seconds.
    pub internal_date: i64,
    /// The stored searchable header text: `lower-case-name: value` lines,
    /// RFC 2047-decoded, address fields as `name <local@domain>`. May be
    /// empty when no criterion reads it.
    pub header_text: String,
}

impl SortInput {
    /// The sent date in UTC (RFC 5256 §2.2): the Date header, else the
    /// INTERNALDATE.
    pub fn sent_date(&self) -> i64 {
        header_value(&self.header_text, "date")
            .and_then(parse_rfc5322_date)
            .unwrap_or(self.internal_date)
    }
}

/// The answer to a SORT: UIDs in sort order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortOutcome {
    pub uids: Vec<Uid>,
    pub highest_modseq: ModSeq,
}

/// One message's value for one key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum KeyValue {
    Number(i64),
    Text(Vec<u8>),
}

/// `i;ascii-casemap` (RFC 4790 §9.2): ASCII letters upper-cased.
fn casemap(text: &str) -> Vec<u8> {
    text.bytes().map(|byte| byte.to_ascii_uppercase()).collect()
}

fn key_value(input: &SortInput, key: SortKey) -> KeyValue {
    let address = |field: &str, display: bool| {
        let first = header_value(&input.header_text, field).and_then(first_address);
        let text = match first {
            Some(address) if display => address.display_name(),
            Some(address) => address.mailbox,
            None => String::new(),
        };
        KeyValue::Text(casemap(&text))
    };
    match key {
        SortKey::Arrival => KeyValue::Number(input.internal_date),
        SortKey::Date => KeyValue::Number(input.sent_date()),
        SortKey::Size => KeyValue::Number(i64::try_from(input.size).unwrap_or(i64::MAX)),
        SortKey::Subject => {
            let subject = header_value(&input.header_text, "subject").unwrap_or_default();
            KeyValue::Text(casemap(&base_subject(subject).text))
        }
        SortKey::From => address("from", false),
        SortKey::To => address("to", false),
        SortKey::Cc => address("cc", false),
        SortKey::DisplayFrom => address("from", true),
        SortKey::DisplayTo => address("to", true),
    }
}

/// The UIDs of `inputs` in the order `criteria` ask for; ties keep
/// ascending UID order.
pub fn sort_uids(inputs: &[SortInput], criteria: &[SortCriterion]) -> Vec<Uid> {
    let mut keyed: Vec<(Vec<KeyValue>, Uid)> = inputs
        .iter()
        .map(|input| {
            let values = criteria
                .iter()
                .map(|criterion| key_value(input, criterion.key))
                .collect();
            (values, input.uid)
        })
        .collect();
    keyed.sort_by(|(left, left_uid), (right, right_uid)| {
        criteria
            .iter()
            .zip(left.iter().zip(right))
            .map(|(criterion, (left, right))| {
                let order = left.cmp(right);
                if criterion.reverse {
                    order.reverse()
                } else {
                    order
                }
            })
            .find(|order| *order != Ordering::Equal)
            .unwrap_or_else(|| left_uid.cmp(right_uid))
    });
    keyed.into_iter().map(|(_, uid)| uid).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The subjects of imaptest's `sort-subject` and `thread-orderedsubject`
    /// fixtures, in UID order (RFC 5256 §2.1 base subjects).
    pub(crate) const IMAPTEST_SUBJECTS: [&str; 15] = [
        "a",
        "C",
        "b",
        "_",
        "[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)",
        "b (a)",
        "Re: [FWD: c]",
        "[xyz]",
        "",
        " ",
        "Re: b",
        "RE: C",
        "Re: c",
        "Ad: Re: Ad: Re: Ad: x",
        "re: [fwd: [fwd: re: [fwd: babylon]]]",
    ];

    fn input(uid: u32, size: u64, internal_date: i64, header_text: &str) -> SortInput {
        SortInput {
            uid: Uid::new(uid).unwrap(),
            size,
            internal_date,
            header_text: header_text.into(),
        }
    }

    fn order(inputs: &[SortInput], criteria: &[(SortKey, bool)]) -> Vec<u32> {
        let criteria: Vec<SortCriterion> = criteria
            .iter()
            .map(|&(key, reverse)| SortCriterion { key, reverse })
            .collect();
        sort_uids(inputs, &criteria)
            .into_iter()
            .map(Uid::get)
            .collect()
    }

    #[test]
    fn ties_keep_mailbox_order_even_when_reversed() {
        let inputs = [
            input(1, 10, 100, ""),
            input(2, 30, 300, ""),
            input(3, 20, 200, ""),
            input(4, 10, 300, ""),
        ];
        assert_eq!(order(&inputs, &[(SortKey::Arrival, false)]), [1, 3, 2, 4]);
        assert_eq!(order(&inputs, &[(SortKey::Arrival, true)]), [2, 4, 3, 1]);
        assert_eq!(
            order(&inputs, &[(SortKey::Size, false), (SortKey::Arrival, true)]),
            [4, 1, 3, 2]
        );
    }

    #[test]
    fn dates_compare_in_utc_and_fall_back_to_internal_date() {
        let inputs = [
            input(1, 0, 0, "date: Fri, 22 Feb 2008 00:00:00 +0200\n"),
            input(2, 0, 0, "date: Fri, 22 Feb 2008 02:00:00 +0200\n"),
            // 2008-02-21 23:30:23 UTC, no Date header.
            input(3, 0, 1_203_636_623, "subject: foo\n"),
            input(4, 0, 0, "date: Thu, 21 Feb 2008 17:00:00 -0500\n"),
        ];
        assert_eq!(order(&inputs, &[(SortKey::Date, false)]), [1, 4, 3, 2]);
    }

    #[test]
    fn addresses_sort_by_mailbox_and_display_name() {
        let inputs = [
            input(1, 0, 0, "from: foo bar <a@b.c>\nto: <user2@domain2.org>\n"),
            input(2, 0, 0, "from: <b@c.d>\nto: user2: <blah@domain1.org>;\n"),
            input(3, 0, 0, "from: <d>\nto: <user1@domain1.org>\n"),
            input(4, 0, 0, "from: foo aar <e@f.g>\n"),
        ];
        assert_eq!(order(&inputs, &[(SortKey::From, false)]), [1, 2, 3, 4]);
        assert_eq!(
            order(&inputs, &[(SortKey::DisplayFrom, false)]),
            [2, 3, 4, 1]
        );
        assert_eq!(order(&inputs, &[(SortKey::To, false)]), [4, 3, 1, 2]);
        assert_eq!(order(&inputs, &[(SortKey::Cc, true)]), [1, 2, 3, 4]);
    }

    /// RFC 5256 §2.1 via the imaptest `sort-subject` fixture.
    #[test]
    fn subjects_sort_by_base_subject() {
        let subjects = IMAPTEST_SUBJECTS;
        let inputs: Vec<SortInput> = subjects
            .iter()
            .zip(1..)
            .map(|(subject, uid)| input(uid, 0, 0, &format!("subject: {subject}\n")))
            .collect();
        assert_eq!(
            order(&inputs, &[(SortKey::Subject, false)]),
            [9, 10, 1, 14, 3, 5, 11, 6, 15, 2, 7, 12, 13, 8, 4]
        );
        assert_eq!(
            order(&inputs, &[(SortKey::Subject, true)]),
            [4, 8, 2, 7, 12, 13, 15, 6, 3, 5, 11, 14, 1, 9, 10]
        );
    }
}
