//! Properties over arbitrary input: the session never panics and answers
//! only well-formed reply lines, and dot-stuffing round-trips whatever the
//! message and however the client splits it.

use proptest::prelude::*;

use super::*;

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// RFC 5321 §4.2: `ddd SP text` or `ddd - text`, CRLF-terminated.
fn well_formed(answer: &str) -> bool {
    answer.split_inclusive("\r\n").all(|line| {
        let bytes = line.as_bytes();
        line.ends_with("\r\n")
            && bytes.len() >= 6
            && bytes[..3].iter().all(u8::is_ascii_digit)
            && (bytes[3] == b' ' || bytes[3] == b'-')
            && !line[..line.len() - 2].contains(['\r', '\n'])
    })
}

proptest! {
    #[test]
    fn any_input_gets_well_formed_replies(
        input in proptest::collection::vec(any::<u8>(), 0..600),
        split in 1usize..50,
    ) {
        let answer = run(async {
            let mut harness = Harness::new();
            let mut with_lines = b"LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\n".to_vec();
            with_lines.extend(&input);
            let fragments: Vec<&[u8]> = with_lines.chunks(split).collect();
            harness.feed(&fragments).await.0
        });
        prop_assert!(well_formed(&answer), "{answer:?}");
    }

    #[test]
    fn dot_stuffing_round_trips(
        lines in proptest::collection::vec("[.a-z\\r]{0,12}", 0..12),
        split in 1usize..40,
    ) {
        let message: String = lines.iter().map(|line| format!("{line}\r\n")).collect();
        let stuffed: String = lines
            .iter()
            .map(|line| if line.starts_with('.') { format!(".{line}\r\n") } else { format!("{line}\r\n") })
            .collect();
        let session = format!(
            "LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n{stuffed}.\r\n"
        );
        let delivered = run(async {
            let mut harness = Harness::new();
            let fragments: Vec<&[u8]> = session.as_bytes().chunks(split).collect();
            let (answer, _) = harness.feed(&fragments).await;
            assert!(answer.ends_with("250 2.0.0 <alice@example.test> delivered\r\n"), "{answer}");
            harness.backend.delivered()
        });
        prop_assert_eq!(delivered.len(), 1);
        prop_assert_eq!(&delivered[0].1.raw, &message.into_bytes());
    }
}
