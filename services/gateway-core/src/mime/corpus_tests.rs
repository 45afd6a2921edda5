//! Robustness tests: `analyze` never panics, every located section lies
//! inside the message, and every encoding parses with imap-codec's response
//! parser (the oracle of the issue); over arbitrary bytes (proptest) and
//! over the project corpus (`../shared/corpus/gen_mbox.py`, seed 20240601),
//! in LF and CRLF form, where each message/rfc822 part must be located.

use std::path::PathBuf;
use std::process::Command;

use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use proptest::prelude::*;

use super::conformance_tests::mbox_messages;
use super::*;
use crate::command::{Section, SectionText};

/// Checks a located range and returns it.
fn located(table: &PartTable, section: &Section, size: u64) -> Option<(u64, u64)> {
    let location = table.locate(section)?;
    let end = location
        .offset
        .checked_add(location.length)
        .expect("no overflow");
    assert!(end <= size, "{section:?} ends at {end}, beyond {size}");
    Some((location.offset, end))
}

/// Walks every part path (children until the first missing number) and
/// returns how many parts have a HEADER (message/rfc822 parts).
fn walk(table: &PartTable, raw: &[u8], path: Vec<u32>) -> usize {
    let size = raw.len() as u64;
    let mut messages = 0;
    for number in 1..=64 {
        let mut part = path.clone();
        part.push(number);
        let section = |text: Option<SectionText>| Section {
            part: part.clone(),
            text,
        };
        let Some(body) = located(table, &section(None), size) else {
            break;
        };
        let mime = located(table, &section(Some(SectionText::Mime)), size).expect("MIME of a part");
        assert!(
            mime.1 <= body.0,
            "MIME header {mime:?} overlaps body {body:?}"
        );
        if let Some(header) = located(table, &section(Some(SectionText::Header)), size) {
            let text = located(table, &section(Some(SectionText::Text)), size).expect("TEXT");
            // The encapsulated message is exactly this part's body.
            assert_eq!((header.0, text.1), body);
            assert_eq!(header.1, text.0);
            messages += 1;
        }
        // Part 1 of a non-multipart is the entity itself: do not recurse forever.
        if part.len() < 8 {
            messages += walk(table, raw, part);
        }
    }
    messages
}

/// Analyses `raw` and checks everything a client could ask for.
fn check_message(raw: &[u8]) -> usize {
    let analysis = analyze(raw);
    let table = PartTable::decode(&analysis.part_table).expect("own table decodes");
    let size = raw.len() as u64;
    assert_eq!(located(&table, &Section::default(), size), Some((0, size)));
    for text in [SectionText::Header, SectionText::Text] {
        located(
            &table,
            &Section {
                part: vec![],
                text: Some(text),
            },
            size,
        )
        .expect("root sections");
    }
    let mut response = b"* 1 FETCH (ENVELOPE ".to_vec();
    response.extend_from_slice(stored_imap(&analysis.envelope).expect("envelope version"));
    response.extend_from_slice(b" BODY ");
    response.extend_from_slice(stored_imap(&analysis.body).expect("body version"));
    response.extend_from_slice(b" BODYSTRUCTURE ");
    response.extend_from_slice(stored_imap(&analysis.bodystructure).expect("bs version"));
    response.extend_from_slice(b")\r\n");
    let parsed = ResponseCodec::default().decode(&response);
    assert!(
        matches!(parsed, Ok((rest, _)) if rest.is_empty()),
        "imap-codec rejects {:?}: {parsed:?}",
        String::from_utf8_lossy(&response)
    );
    walk(&table, raw, Vec::new())
}

#[test]
fn the_corpus_analyses_and_its_forwarded_messages_are_located() {
    let out = std::env::temp_dir().join(format!("mailkeep-corpus-{}.mbox", std::process::id()));
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/gen_mbox.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(&out)
        .args(["400", "20240601"])
        .status()
        .expect("python3 runs the corpus generator");
    assert!(status.success());
    let mbox = std::fs::read_to_string(&out).expect("corpus written");
    std::fs::remove_file(&out).expect("corpus removed");
    let messages = mbox_messages(&mbox);
    assert_eq!(messages.len(), 400);
    let mut forwarded = 0;
    for crlf in messages {
        let declared = String::from_utf8_lossy(&crlf)
            .to_ascii_lowercase()
            .matches("content-type: message/rfc822")
            .count();
        let lf: Vec<u8> = crlf.iter().copied().filter(|&b| b != b'\r').collect();
        assert_eq!(check_message(&crlf), declared);
        assert_eq!(check_message(&lf), declared);
        forwarded += declared;
    }
    assert!(forwarded >= 30, "the corpus forwards messages: {forwarded}");
}

#[test]
fn a_forwarded_message_has_a_nested_envelope_and_body() {
    let raw = b"From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\
        Content-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: message/rfc822\r\n\
        Content-Disposition: attachment; filename=\"f.eml\"\r\n\r\nSubject: inner\r\n\r\n\
        inner body\r\n--x--\r\n";
    let analysis = analyze(raw);
    assert_eq!(
        stored_imap(&analysis.bodystructure),
        Some(
            &b"((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 2 0 NIL NIL NIL NIL)\
            (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 28 \
            (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) \
            (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL NIL) 2 \
            NIL (\"attachment\" (\"filename\" \"f.eml\")) NIL NIL) \
            \"mixed\" (\"boundary\" \"x\") NIL NIL NIL)"[..]
        )
    );
    assert_eq!(check_message(raw), 1);
}

#[test]
fn a_nesting_that_trips_mail_parser_still_analyses() {
    // Found by proptest: trips a `debug_assert!` inside mail-parser.
    let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Type: message/rfc822\r\n=?utf-8?b?w6k=?=Content-Type: multipart/mixed; \
        boundary=b\r\n\r\nContent-Type: message/rfc822\r\n\r\n\r\n--b--\r\n";
    check_message(raw);
    assert!(stored_imap(&analyze(raw).bodystructure).is_some());
}

#[test]
fn deep_nesting_is_capped_not_a_stack_overflow() {
    let mut raw = b"Content-Type: message/rfc822\r\n\r\n".repeat(3000);
    raw.extend_from_slice(
        &b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n".repeat(3000),
    );
    raw.extend_from_slice(b"\r\ndeep\r\n");
    let analysis = analyze(&raw);
    let table = PartTable::decode(&analysis.part_table).expect("capped table decodes");
    let deep = Section {
        part: vec![1; 99],
        text: None,
    };
    assert!(table.locate(&deep).is_some());
    assert!(
        table
            .locate(&Section {
                part: vec![1; 500],
                text: None
            })
            .is_none()
    );
}

#[test]
fn unknown_versions_and_broken_tables_are_rejected() {
    assert_eq!(stored_imap(b""), None);
    assert_eq!(stored_imap(b"\x07(NIL)"), None);
    let table = analyze(b"Subject: x\r\n\r\nbody\r\n").part_table;
    assert!(PartTable::decode(&table).is_some());
    assert!(PartTable::decode(&table[..table.len() - 1]).is_none());
    let mut versioned = table.clone();
    versioned[0] = 9;
    assert!(PartTable::decode(&versioned).is_none());
    let mut trailing = table;
    trailing.push(0);
    assert!(PartTable::decode(&trailing).is_none());
}

fn mime_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"Content-Type: multipart/mixed; boundary=b\r\n"[..],
        b"Content-Type: message/rfc822\r\n",
        b"Content-Type: multipart/digest; boundary=d\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"From: \"x\" <a@b>, g: c@d;\r\n",
        b"\r\n",
        b"\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"--d\r\n",
        b"text line\r\n",
        b" folded\r\n",
        b"=?utf-8?b?w6k=?=",
        b"(",
        b"\"",
        b"<",
        b"\xff\x00",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn analyze_never_panics_on_arbitrary_bytes(raw in prop::collection::vec(any::<u8>(), 0..600)) {
        check_message(&raw);
    }

    #[test]
    fn analyze_never_panics_on_mime_shaped_bytes(raw in mime_like()) {
        check_message(&raw);
    }

    #[test]
    fn decode_never_panics(stored in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Some(table) = PartTable::decode(&stored) {
            table.locate(&Section { part: vec![1, 1], text: Some(SectionText::Text) });
        }
    }
}
