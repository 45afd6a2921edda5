//! Known-answer tests against Dovecot's imaptest scripts in
//! `../shared/conformance/imaptest` (FORMAT.md there describes them): the
//! fixture messages are analysed and our ENVELOPE, BODY and BODY[section]
//! bytes compared with what the scripts expect. Comparisons are ASCII
//! case-insensitive, as imaptest's are.

use std::path::PathBuf;

use super::*;
use crate::command::{Section, SectionText};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/imaptest")
}

fn read(name: &str) -> String {
    let path = fixture_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Splits an mbox into messages with CRLF line ends (FORMAT.md §9).
pub(super) fn mbox_messages(mbox: &str) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = Vec::new();
    for line in mbox.lines() {
        if line.starts_with("From ") {
            messages.push(Vec::new());
            continue;
        }
        if let Some(current) = messages.last_mut() {
            current.extend_from_slice(line.as_bytes());
            current.extend_from_slice(b"\r\n");
        }
    }
    messages
}

fn fixture(script: &str) -> Vec<Vec<u8>> {
    mbox_messages(&read(&format!("{script}.mbox")))
}

/// `* n FETCH (<ITEM> <data>)` lines: (n, data) with the data's outer
/// FETCH parenthesis removed.
fn expected_items(script: &str, item: &str) -> Vec<(usize, String)> {
    let prefix = format!("FETCH ({item} ");
    read(script)
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("* ")?;
            let (number, rest) = rest.split_once(' ')?;
            let data = rest.strip_prefix(&prefix)?.strip_suffix(')')?;
            Some((number.parse().ok()?, data.to_string()))
        })
        .collect()
}

fn imap(stored: &[u8]) -> String {
    String::from_utf8_lossy(stored_imap(stored).expect("known version")).into_owned()
}

#[test]
fn envelopes_match_fetch_envelope() {
    let messages = fixture("fetch-envelope");
    let expected = expected_items("fetch-envelope", "ENVELOPE");
    assert_eq!(expected.len(), 6);
    for (number, envelope) in expected {
        let analysis = analyze(&messages[number - 1]);
        let ours = imap(&analysis.envelope);
        assert!(
            ours.eq_ignore_ascii_case(&envelope),
            "message {number}:\n{ours}\n{envelope}"
        );
    }
}

#[test]
fn body_matches_fetch_bodystructure() {
    let messages = fixture("fetch-bodystructure");
    let expected = expected_items("fetch-bodystructure", "BODY");
    assert_eq!(expected.len(), 1);
    let analysis = analyze(&messages[0]);
    let ours = imap(&analysis.body);
    assert!(
        ours.eq_ignore_ascii_case(&expected[0].1),
        "{ours}\n{}",
        expected[0].1
    );
    assert_eq!(
        imap(&analysis.bodystructure),
        "((\"text\" \"x-myown\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 7 1 NIL NIL NIL NIL) \
         \"mixed\" (\"boundary\" \"foo bar\") NIL NIL NIL)"
    );
}

/// Parses the section text of `BODY[...]` as the scripts spell it.
fn parse_section(spec: &str) -> Section {
    let (path, fields) = match spec.split_once(" (") {
        Some((path, fields)) => (
            path,
            fields
                .trim_end_matches(')')
                .split(' ')
                .map(String::from)
                .collect(),
        ),
        None => (spec, Vec::new()),
    };
    let mut section = Section::default();
    let mut words = path.split('.').filter(|w| !w.is_empty()).peekable();
    while let Some(number) = words.peek().and_then(|w| w.parse().ok()) {
        section.part.push(number);
        words.next();
    }
    let rest: Vec<String> = words.map(|w| w.to_ascii_uppercase()).collect();
    section.text = match rest.join(".").as_str() {
        "" => None,
        "HEADER" => Some(SectionText::Header),
        "TEXT" => Some(SectionText::Text),
        "MIME" => Some(SectionText::Mime),
        "HEADER.FIELDS" => Some(SectionText::HeaderFields(fields)),
        "HEADER.FIELDS.NOT" => Some(SectionText::HeaderFieldsNot(fields)),
        other => panic!("unknown section text {other}"),
    };
    section
}

/// One `BODY[section]<partial>` expectation of a script.
struct SectionCase {
    message: usize,
    section: String,
    partial: Option<(usize, usize)>,
    expected: Vec<u8>,
}

/// Reads `ok fetch N (body.peek[S]<o.l>)` commands followed by a `* N fetch`
/// line whose data is a `{{{` / `~{{{` block or a quoted string.
fn section_cases(script: &str) -> Vec<SectionCase> {
    let text = read(script);
    // Not `lines()`: a CR before LF is literal data in `~{{{` blocks.
    let lines: Vec<&str> = text.split('\n').collect();
    let mut cases = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(command) = line.strip_prefix("ok fetch ") else {
            continue;
        };
        let Some((number, rest)) = command.split_once(' ') else {
            continue;
        };
        let Some(start) = rest.find("body.peek[") else {
            continue;
        };
        let rest = &rest[start + "body.peek[".len()..];
        let Some(close) = rest.find(']') else {
            continue;
        };
        let section = rest[..close].to_string();
        let partial = rest[close + 1..].strip_prefix('<').and_then(|p| {
            let (offset, length) = p.trim_end_matches([')', '>']).split_once('.')?;
            Some((offset.parse().ok()?, length.parse().ok()?))
        });
        let Some(response) = lines.get(index + 1).filter(|l| l.starts_with("* ")) else {
            continue;
        };
        let expected = if response.ends_with("~{{{") || response.ends_with("{{{") {
            let joiner: &[u8] = if response.ends_with("~{{{") {
                b"\n"
            } else {
                b"\r\n"
            };
            let block: Vec<&str> = lines[index + 2..]
                .iter()
                .take_while(|l| !l.starts_with("}}}"))
                .copied()
                .collect();
            block
                .iter()
                .map(|l| l.as_bytes().to_vec())
                .collect::<Vec<_>>()
                .join(joiner)
        } else if let Some(quoted) = response
            .strip_suffix("\")")
            .and_then(|r| r.rsplit_once(" \""))
        {
            quoted.1.as_bytes().to_vec()
        } else {
            continue;
        };
        cases.push(SectionCase {
            message: number.parse().expect("message number"),
            section,
            partial,
            expected,
        });
    }
    cases
}

fn check_sections(script: &str, minimum_cases: usize) {
    let messages = fixture(script);
    let cases = section_cases(script);
    assert!(
        cases.len() >= minimum_cases,
        "{script}: only {} cases",
        cases.len()
    );
    for case in cases {
        let raw = &messages[case.message - 1];
        let analysis = analyze(raw);
        let table = PartTable::decode(&analysis.part_table).expect("valid table");
        let location = table
            .locate(&parse_section(&case.section))
            .unwrap_or_else(|| panic!("{script}: [{}] not found", case.section));
        let start = usize::try_from(location.offset).expect("offset");
        let bytes = &raw[start..start + usize::try_from(location.length).expect("length")];
        let mut content = match &location.filter {
            Some(filter) => filter_header(bytes, filter),
            None => bytes.to_vec(),
        };
        if let Some((offset, length)) = case.partial {
            content = content.iter().skip(offset).take(length).copied().collect();
        }
        assert!(
            content.eq_ignore_ascii_case(&case.expected),
            "{script} message {} [{}]:\n{:?}\n{:?}",
            case.message,
            case.section,
            String::from_utf8_lossy(&content),
            String::from_utf8_lossy(&case.expected)
        );
    }
}

#[test]
fn sections_match_fetch_body() {
    check_sections("fetch-body", 10);
}

#[test]
fn sections_match_fetch_body_mime() {
    check_sections("fetch-body-mime", 14);
}

#[test]
fn sections_match_fetch_body_message_rfc822() {
    check_sections("fetch-body-message-rfc822", 8);
}

#[test]
fn sections_match_fetch_body_message_rfc822_mime() {
    check_sections("fetch-body-message-rfc822-mime", 13);
}

#[test]
fn sections_match_fetch_body_message_rfc822_x2() {
    check_sections("fetch-body-message-rfc822-x2", 9);
}

#[test]
fn header_fields_not_drops_the_named_fields() {
    let raw = &fixture("fetch-body")[0];
    let table = PartTable::decode(&analyze(raw).part_table).expect("valid table");
    let location = table
        .locate(&parse_section("header.fields.not (date date)"))
        .expect("header");
    let start = usize::try_from(location.offset).expect("offset");
    let header = &raw[start..start + usize::try_from(location.length).expect("length")];
    let filter = location.filter.expect("a filter");
    assert_eq!(
        filter_header(header, &filter),
        b"From: User1 <user1@domain.org>\r\nSubject: s1\r\n\r\n"
    );
}

#[test]
fn nil_fixture_keeps_a_nil_looking_subject_a_string() {
    let raw = &fixture("nil")[0];
    let analysis = analyze(raw);
    assert_eq!(
        imap(&analysis.envelope),
        "(\"Sat, 24 Mar 2007 23:00:00 +0200\" \"NiL\" NIL NIL NIL NIL NIL NIL NIL NIL)"
    );
    assert_eq!(analysis.subject, "NiL");
    assert_eq!(analysis.body_text.trim_end(), "nil");
}
