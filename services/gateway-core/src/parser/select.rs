//! SELECT and EXAMINE arguments: the mailbox plus the optional parameter
//! list of RFC 4466 §2.1, of which Mailkeep knows `CONDSTORE` (RFC 7162
//! §3.1.8) and `QRESYNC (uidvalidity modseq [known-uids [seq-match-data]])`
//! (RFC 7162 §3.2.5). Each parameter may appear once; anything else is a
//! syntax error, so a client never believes an unknown one was honoured.

use super::ParseErrorKind;
use super::commands::mailbox_argument;
use super::cursor::{Cursor, syntax};
use crate::command::{MailboxName, QresyncParameters, SelectParameters};

/// `SP mailbox [SP "(" select-param *(SP select-param) ")"]`.
pub(super) fn select_arguments(
    cursor: &mut Cursor<'_>,
) -> Result<(MailboxName, SelectParameters), ParseErrorKind> {
    let mailbox = mailbox_argument(cursor)?;
    let mut parameters = SelectParameters::default();
    if !cursor.eat(b' ') {
        return Ok((mailbox, parameters));
    }
    cursor.expect(b'(', "'(' opening the select parameters")?;
    loop {
        if cursor.eat_keyword("CONDSTORE") && !parameters.condstore {
            parameters.condstore = true;
        } else if parameters.qresync.is_none() && cursor.eat_keyword("QRESYNC") {
            cursor.sp()?;
            parameters.qresync = Some(qresync(cursor)?);
        } else {
            return Err(syntax("unsupported or repeated select parameter"));
        }
        if cursor.eat(b')') {
            return Ok((mailbox, parameters));
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the select parameters"))?;
    }
}

/// `"(" uidvalidity SP mod-sequence-value [SP known-uids]
/// [SP seq-match-data] ")"`; `seq-match-data` is `"(" sequence-set SP
/// sequence-set ")"`.
fn qresync(cursor: &mut Cursor<'_>) -> Result<QresyncParameters, ParseErrorKind> {
    cursor.expect(b'(', "'(' opening the QRESYNC parameters")?;
    let uidvalidity = cursor.nz_number()?;
    cursor.sp()?;
    let modseq = match cursor.number64()? {
        0 => return Err(syntax("the QRESYNC mod-sequence must be positive")),
        value => value,
    };
    let mut parameters = QresyncParameters {
        uidvalidity,
        modseq,
        known_uids: None,
        sequence_match: None,
    };
    if cursor.eat(b' ') {
        if cursor.peek() != Some(b'(') {
            parameters.known_uids = Some(cursor.sequence_set()?);
            if cursor.eat(b' ') {
                parameters.sequence_match = Some(sequence_match(cursor)?);
            }
        } else {
            parameters.sequence_match = Some(sequence_match(cursor)?);
        }
    }
    cursor.expect(b')', "')' closing the QRESYNC parameters")?;
    Ok(parameters)
}

fn sequence_match(
    cursor: &mut Cursor<'_>,
) -> Result<(crate::command::SequenceSet, crate::command::SequenceSet), ParseErrorKind> {
    cursor.expect(b'(', "'(' opening the sequence match data")?;
    let sequences = cursor.sequence_set()?;
    cursor.sp()?;
    let uids = cursor.sequence_set()?;
    cursor.expect(b')', "')' closing the sequence match data")?;
    Ok((sequences, uids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{CommandBody, SeqBound, SequenceSet};
    use crate::parser::test_support::{body, kind, name};

    fn set(pairs: &[(u32, u32)]) -> SequenceSet {
        SequenceSet::Ranges(
            pairs
                .iter()
                .map(|&(a, b)| (SeqBound::Value(a), SeqBound::Value(b)))
                .collect(),
        )
    }

    #[test]
    fn plain_and_condstore_selects() {
        assert_eq!(
            body("a SELECT INBOX\r\n"),
            CommandBody::Select(name("INBOX"), SelectParameters::default())
        );
        assert_eq!(
            body("a examine Sent (condstore)\r\n"),
            CommandBody::Examine(
                name("Sent"),
                SelectParameters {
                    condstore: true,
                    qresync: None
                }
            )
        );
    }

    #[test]
    fn rfc7162_qresync_examples() {
        // RFC 7162 §3.2.5.2, the first and the seq-match-data example.
        let CommandBody::Select(_, parameters) =
            body("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n")
        else {
            panic!("not a select");
        };
        assert_eq!(
            parameters.qresync,
            Some(QresyncParameters {
                uidvalidity: 67890007,
                modseq: 20050715194045000,
                known_uids: Some(set(&[(41, 41), (43, 211), (214, 541)])),
                sequence_match: None,
            })
        );
        let CommandBody::Select(_, parameters) = body(
            "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
        ) else {
            panic!("not a select");
        };
        let qresync = parameters.qresync.unwrap();
        assert_eq!(qresync.known_uids, Some(set(&[(1, 29997)])));
        let (sequences, uids) = qresync.sequence_match.unwrap();
        assert_eq!(
            sequences,
            set(&[(5000, 5000), (7500, 7500), (9000, 9000), (9990, 9999)])
        );
        assert!(matches!(uids, SequenceSet::Ranges(ranges) if ranges.len() == 13));
        let CommandBody::Examine(_, parameters) = body("a EXAMINE x (QRESYNC (1 2) CONDSTORE)\r\n")
        else {
            panic!("not an examine");
        };
        assert!(parameters.condstore);
        assert_eq!(parameters.qresync.unwrap().known_uids, None);
    }

    #[test]
    fn malformed_parameters_are_syntax_errors() {
        for input in [
            "a SELECT INBOX ()\r\n",
            "a SELECT INBOX (FOO)\r\n",
            "a SELECT INBOX (CONDSTORE CONDSTORE)\r\n",
            "a SELECT INBOX (QRESYNC (0 5))\r\n",
            "a SELECT INBOX (QRESYNC (1 0))\r\n",
            "a SELECT INBOX (QRESYNC (1))\r\n",
            "a SELECT INBOX (QRESYNC (1 2 1:5 (1:2)))\r\n",
            "a SELECT INBOX (CONDSTORE\r\n",
        ] {
            assert!(
                matches!(kind(input.as_bytes()), ParseErrorKind::Syntax(_)),
                "{input}"
            );
        }
    }
}
