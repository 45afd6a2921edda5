//! Framing tests: split fragments, every literal form, every bound, and
//! proptests that any split of a stream gives the same events.

use proptest::prelude::*;

use super::*;

const LIMITS: FramingLimits = FramingLimits {
    max_line_bytes: 64,
    max_literal_bytes: 100,
    literal_extension: LiteralExtension::Plus,
};

fn command(text: &str) -> FrameEvent {
    FrameEvent::Command(text.as_bytes().to_vec())
}

fn too_big(tag: Option<&str>, limit: Limit) -> FrameEvent {
    FrameEvent::TooBig {
        tag: tag.map(str::to_owned),
        limit,
    }
}

/// Pushes each fragment and collects every event it releases.
fn events(framer: &mut Framer, fragments: &[&[u8]]) -> Vec<FrameEvent> {
    let mut events = Vec::new();
    for fragment in fragments {
        framer.push(fragment);
        while let Some(event) = framer.next_command() {
            events.push(event);
        }
    }
    events
}

fn frame(fragments: &[&[u8]]) -> Vec<FrameEvent> {
    events(&mut Framer::new(LIMITS), fragments)
}

#[test]
fn split_lines_join() {
    assert_eq!(
        frame(&[b"A023 LO", b"GOUT\r\n"]),
        vec![command("A023 LOGOUT\r\n")]
    );
    assert_eq!(
        frame(&[b"a NOOP\r\nb NOOP\nc NO", b"OP\r", b"\n"]),
        vec![
            command("a NOOP\r\n"),
            command("b NOOP\n"),
            command("c NOOP\r\n")
        ]
    );
    assert_eq!(frame(&[b"a NOOP"]), vec![]);
}

#[test]
fn literals_of_every_form() {
    let stream: &[u8] = b"a LOGIN {5}\r\nalice {6+}\r\nsecret\r\nb APPEND x ~{3}\r\n\0\r\n\r\n";
    let expected = vec![
        FrameEvent::ContinuationNeeded,
        command("a LOGIN {5}\r\nalice {6+}\r\nsecret\r\n"),
        FrameEvent::ContinuationNeeded,
        FrameEvent::Command(b"b APPEND x ~{3}\r\n\0\r\n\r\n".to_vec()),
    ];
    assert_eq!(frame(&[stream]), expected);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(frame(&bytes), expected);
    // A literal that looks like a command, split across pushes.
    assert_eq!(
        frame(&[b"a X {12+}\r\nb NOOP", b"\r\n", b"c}\r\n", b"\r\n"]),
        vec![command("a X {12+}\r\nb NOOP\r\nc}\r\n\r\n")]
    );
    assert_eq!(
        frame(&[b"a X {0}\r\n\r\n"]),
        vec![FrameEvent::ContinuationNeeded, command("a X {0}\r\n\r\n")]
    );
}

#[test]
fn long_line_is_reported_once_and_skipped() {
    let long = format!("t1 NOOP {}\r\nt2 NOOP\r\n", "x".repeat(200));
    let expected = vec![too_big(Some("t1"), Limit::Line), command("t2 NOOP\r\n")];
    assert_eq!(frame(&[long.as_bytes()]), expected);
    let pieces: Vec<&[u8]> = long.as_bytes().chunks(7).collect();
    assert_eq!(frame(&pieces), expected);
    let untagged = format!("{}\r\nt3 NOOP\r\n", "(".repeat(100));
    assert_eq!(
        frame(&[untagged.as_bytes()]),
        vec![too_big(None, Limit::Line), command("t3 NOOP\r\n")]
    );
    // The limit counts the whole command's text, CRLF included.
    let exact = format!("t4 {}\r\n", "x".repeat(59));
    assert_eq!(frame(&[exact.as_bytes()]), vec![command(&exact)]);
    let over = format!("t5 {}\r\n", "x".repeat(60));
    assert_eq!(
        frame(&[over.as_bytes()]),
        vec![too_big(Some("t5"), Limit::Line)]
    );
}

#[test]
fn long_line_announcing_a_literal_drops_it() {
    let long = format!(
        "t1 APPEND x {} {{5+}}\r\nt9 X\r\nt2 NOOP\r\n",
        "y".repeat(100)
    );
    let pieces: Vec<&[u8]> = long.as_bytes().chunks(5).collect();
    assert_eq!(
        frame(&pieces),
        vec![too_big(Some("t1"), Limit::Line), command("t2 NOOP\r\n")]
    );
}

#[test]
fn synchronising_literal_over_the_limit_is_refused_at_once() {
    assert_eq!(
        frame(&[b"t1 APPEND INBOX {101}\r\nt2 NOOP\r\n"]),
        vec![
            too_big(Some("t1"), Limit::Literal { announced: 101 }),
            command("t2 NOOP\r\n")
        ]
    );
    assert_eq!(
        frame(&[b"t1 X {99999999999999999999999}\r\n"]),
        vec![too_big(
            Some("t1"),
            Limit::Literal {
                announced: u64::MAX
            }
        )]
    );
}

#[test]
fn non_synchronising_literal_over_the_limit_is_drained() {
    let mut framer = Framer::new(LIMITS);
    let mut stream = b"t1 APPEND INBOX {1000+}\r\n".to_vec();
    stream.extend(std::iter::repeat_n(b'z', 1000));
    stream.extend_from_slice(b" {3+}\r\nabc\r\nt2 NOOP\r\n");
    let mut seen = Vec::new();
    for chunk in stream.chunks(10) {
        seen.extend(events(&mut framer, &[chunk]));
        assert!(framer.command.len() <= 64 + 100);
        assert!(framer.input.is_empty() || framer.input.len() <= 10);
    }
    assert_eq!(
        seen,
        vec![
            too_big(Some("t1"), Limit::Literal { announced: 1000 }),
            command("t2 NOOP\r\n")
        ]
    );
}

/// RFC 7888 §5 and §6: under LITERAL- a non-synchronising literal or
/// literal8 over 4096 bytes is refused and drained; a synchronising one is not.
#[test]
fn literal_minus_refuses_large_non_synchronising_literals() {
    let limits = FramingLimits {
        max_line_bytes: 64,
        max_literal_bytes: 10_000,
        literal_extension: LiteralExtension::Minus,
    };
    let stream = |announcement: &str, length: usize| {
        format!(
            "t1 APPEND INBOX {announcement}\r\n{}\r\nt2 NOOP\r\n",
            "m".repeat(length)
        )
    };
    let accepted = stream("{4096+}", 4096);
    let mut framer = Framer::new(limits);
    assert_eq!(
        events(&mut framer, &[accepted.as_bytes()]),
        vec![
            command(&accepted[..accepted.len() - 9]),
            command("t2 NOOP\r\n")
        ]
    );
    for announcement in ["{4097+}", "~{4097+}"] {
        let refused = stream(announcement, 4097);
        let mut framer = Framer::new(limits);
        let refusal = Limit::NonSynchronisingLiteral { announced: 4097 };
        assert_eq!(
            events(&mut framer, &[refused.as_bytes()]),
            vec![too_big(Some("t1"), refusal), command("t2 NOOP\r\n")]
        );
    }
    let mut framer = Framer::new(limits);
    assert_eq!(
        events(&mut framer, &[b"t1 APPEND INBOX {4097}\r\n"]),
        vec![FrameEvent::ContinuationNeeded]
    );
    assert_eq!(LiteralExtension::Minus.capability(), "LITERAL-");
    assert_eq!(LiteralExtension::default().capability(), "LITERAL+");
}

#[test]
fn literal_bound_counts_every_literal_of_a_command() {
    let stream = format!(
        "t1 APPEND a {{60+}}\r\n{} {{41+}}\r\n{}\r\nt2 NOOP\r\n",
        "m".repeat(60),
        "n".repeat(41)
    );
    assert_eq!(
        frame(&[stream.as_bytes()]),
        vec![
            too_big(Some("t1"), Limit::Literal { announced: 41 }),
            command("t2 NOOP\r\n")
        ]
    );
}

#[test]
fn raw_lines() {
    let mut framer = Framer::new(LIMITS);
    framer.push(b"AGFsaWNlAHB3\r\nDO");
    assert_eq!(framer.next_line(), Some(Ok(b"AGFsaWNlAHB3".to_vec())));
    assert_eq!(framer.next_line(), None);
    framer.push(b"NE\n");
    assert_eq!(framer.next_line(), Some(Ok(b"DONE".to_vec())));
    framer.push(&[b'q'; 70]);
    assert_eq!(framer.next_line(), Some(Err(LineTooLong)));
    framer.push(&[b'q'; 70]);
    assert_eq!(framer.next_line(), None);
    framer.push(b"q\r\n*\r\na NOOP\r\n");
    assert_eq!(framer.next_line(), Some(Ok(b"*".to_vec())));
    assert_eq!(framer.next_command(), Some(command("a NOOP\r\n")));
    framer.push(format!("{}\r\n", "w".repeat(63)).as_bytes());
    assert_eq!(framer.next_line(), Some(Err(LineTooLong)));
    assert_eq!(LineTooLong.code(), ErrorCode::Limit);
}

#[test]
fn clear_drops_everything_buffered() {
    let mut framer = Framer::new(LIMITS);
    assert_eq!(
        events(&mut framer, &[b"a STARTTLS\r\nb LOGIN x {3}\r\n"]).len(),
        2
    );
    framer.clear();
    framer.push(b"c NOOP\r\n");
    assert_eq!(framer.next_command(), Some(command("c NOOP\r\n")));
}

#[test]
fn announcements() {
    let parse = |line: &[u8]| literal_announcement(line).map(|a| (a.length, a.synchronising));
    assert_eq!(parse(b"a {12}\r\n"), Some((12, true)));
    assert_eq!(parse(b"a ~{7+}\n"), Some((7, false)));
    assert_eq!(parse(b"a {}\r\n"), None);
    assert_eq!(parse(b"a {1x}\r\n"), None);
    assert_eq!(parse(b"a 12}\r\n"), None);
    assert_eq!(parse(b"a {12}"), None);
}

proptest! {
    #[test]
    fn any_split_gives_the_same_events(cuts in proptest::collection::vec(0usize..200, 0..12)) {
        let stream: &[u8] = b"a1 LOGIN {5}\r\nalice {3+}\r\npw!\r\na2 SELECT INBOX\nx3 APPEND a {10+}\r\n0123456789 ~{2}\r\n\0\0\r\n\
            a4 FETCH 1 BODY[]\r\na5 X {500+}\r\n";
        let whole = frame(&[stream]);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(stream.len())).collect();
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([stream.len()]) {
            pieces.push(&stream[start..cut]);
            start = cut;
        }
        prop_assert_eq!(frame(&pieces), whole.clone());
        prop_assert_eq!(whole.len(), 7);
    }

    #[test]
    fn arbitrary_bytes_stay_bounded(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..40)) {
        let mut framer = Framer::new(LIMITS);
        for chunk in chunks {
            framer.push(&chunk);
            while let Some(event) = framer.next_command() {
                if let FrameEvent::Command(raw) = event {
                    prop_assert!(raw.len() <= 64 + 100);
                }
            }
            prop_assert!(framer.command.len() <= 64 + 100);
            prop_assert!(framer.input.len() <= 40);
        }
    }
}
