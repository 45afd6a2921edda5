//! FETCH protocol tests over `testing::MemoryBackend`, against a message
//! whose bytes are known. Every response is checked with imap-codec's
//! parser as an oracle.

use super::FetchPlan;
use crate::backend::{Flags, MailBackend, MessageAnalysis, NewMessage, SystemFlags};
use crate::command::{FetchArgs, FetchAttribute, Section, SeqBound, SequenceSet};
use crate::mime;
use crate::session::tests::support::{
    DELIVERED_AT, NESTED, assert_responses, flag_elsewhere, inbox_id, inbox_with, message,
    selected_client,
};

fn stored(bytes: &[u8]) -> String {
    String::from_utf8(mime::stored_imap(bytes).unwrap().to_vec()).unwrap()
}

#[tokio::test]
async fn fetches_every_non_body_item() {
    let mut client = selected_client(&[NESTED]).await;
    let output = client
        .send("f1 FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY UID MODSEQ)\r\n")
        .await;
    let analysis = mime::analyze(NESTED.as_bytes());
    let expected = format!(
        // FETCH MODSEQ is CONDSTORE-enabling (RFC 7162 §3.1).
        "* OK [HIGHESTMODSEQ 2] CONDSTORE enabled\r\n\
         * 1 FETCH (FLAGS (\\Recent) INTERNALDATE \" 1-Jun-2024 10:00:00 +0000\" RFC822.SIZE {} \
         ENVELOPE {} BODYSTRUCTURE {} BODY {} UID 1 MODSEQ (",
        NESTED.len(),
        stored(&analysis.envelope),
        stored(&analysis.bodystructure),
        stored(&analysis.body),
    );
    assert!(output.starts_with(&expected), "{output}");
    assert!(
        output.ends_with("))\r\nf1 OK FETCH completed\r\n"),
        "{output}"
    );
    assert!(
        output.contains("ENVELOPE (\"Sat, 01 Jun 2024 10:00:00 +0000\" \"parts\""),
        "{output}"
    );
    assert_responses(&output);

    // The macros expand, and UID FETCH always answers UID first.
    let output = client.send("f2 UID FETCH 1 FAST\r\n").await;
    let fast = format!(
        "* 1 FETCH (UID 1 FLAGS (\\Recent) INTERNALDATE \" 1-Jun-2024 10:00:00 +0000\" RFC822.SIZE {} \
         MODSEQ (2))\r\n",
        NESTED.len()
    );
    assert_eq!(output, format!("{fast}f2 OK FETCH completed\r\n"));
}

#[tokio::test]
async fn fetches_sections_partials_and_header_fields_without_setting_seen() {
    let mut client = selected_client(&[NESTED]).await;
    let cases = [
        (
            "BODY.PEEK[1.2]<0.100>",
            "BODY[1.2]<0> {16}\r\n<p>html text</p>",
        ),
        ("BODY.PEEK[1.2]<3.4>", "BODY[1.2]<3> {4}\r\nhtml"),
        ("BODY.PEEK[1.2]<99.4>", "BODY[1.2]<99> {0}\r\n"),
        ("BODY.PEEK[1.1]", "BODY[1.1] {10}\r\nplain text"),
        ("BODY.PEEK[2]", "BODY[2] {10}\r\nattachment"),
        ("BODY.PEEK[3]", "BODY[3] NIL"),
        ("BODY.PEEK[2.1]", "BODY[2.1] NIL"),
        (
            "BODY.PEEK[1.MIME]",
            "BODY[1.MIME] {57}\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n",
        ),
        (
            "BODY.PEEK[HEADER.FIELDS (Subject FROM)]",
            "BODY[HEADER.FIELDS (Subject FROM)] {48}\r\nFrom: Bob <bob@example.test>\r\nSubject: parts\r\n\r\n",
        ),
        (
            "BODY.PEEK[HEADER.FIELDS (Subject)]<2.5>",
            "BODY[HEADER.FIELDS (Subject)]<2> {5}\r\nbject",
        ),
        (
            "BODY.PEEK[HEADER.FIELDS (X-None)]",
            "BODY[HEADER.FIELDS (X-None)] {2}\r\n\r\n",
        ),
        ("BODY.PEEK[]<0.4>", "BODY[]<0> {4}\r\nFrom"),
        ("BODY.PEEK[TEXT]<2.5>", "BODY[TEXT]<2> {5}\r\nouter"),
    ];
    for (index, (item, answer)) in cases.iter().enumerate() {
        let output = client.send(&format!("p{index} FETCH 1 {item}\r\n")).await;
        assert_eq!(
            output,
            format!("* 1 FETCH ({answer})\r\np{index} OK FETCH completed\r\n"),
            "{item}"
        );
        assert_responses(&output);
    }

    let output = client
        .send("n1 FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (Subject Date To MIME-Version)])\r\n")
        .await;
    let kept =
        "From: Bob <bob@example.test>\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n";
    assert_eq!(
        output,
        format!(
            "* 1 FETCH (BODY[HEADER.FIELDS.NOT (Subject Date To MIME-Version)] {{{}}}\r\n{kept})\r\n\
             n1 OK FETCH completed\r\n",
            kept.len()
        )
    );

    let header_end = NESTED.find("\r\n\r\n").unwrap() + 4;
    let output = client
        .send("h1 FETCH 1 (RFC822.HEADER BODY.PEEK[])\r\n")
        .await;
    let expected = format!(
        "* 1 FETCH (RFC822.HEADER {{{header_end}}}\r\n{} BODY[] {{{}}}\r\n{NESTED})\r\nh1 OK FETCH completed\r\n",
        &NESTED[..header_end],
        NESTED.len()
    );
    assert_eq!(output, expected);
    assert_eq!(
        client.send("h2 FETCH 1 FLAGS\r\n").await,
        "* 1 FETCH (FLAGS (\\Recent))\r\nh2 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn body_fetch_sets_seen_once_and_reports_it_in_the_same_line() {
    let mut client = selected_client(&[NESTED, &message("two")]).await;
    let output = client.send("s1 FETCH 2 BODY[TEXT]\r\n").await;
    assert_eq!(
        output,
        "* 2 FETCH (BODY[TEXT] {12}\r\nHello two.\r\n FLAGS (\\Seen \\Recent))\r\ns1 OK FETCH completed\r\n"
    );
    assert_responses(&output);
    // The \Seen change was reported; the sync does not repeat it.
    assert_eq!(client.send("s2 NOOP\r\n").await, "s2 OK NOOP completed\r\n");

    let output = client.send("s3 FETCH 1 RFC822.TEXT\r\n").await;
    assert!(
        output.ends_with(" FLAGS (\\Seen \\Recent))\r\ns3 OK FETCH completed\r\n"),
        "{output}"
    );

    // EXAMINE is read-only: no \Seen, no FLAGS.
    let mut client = selected_client(&[NESTED]).await;
    client.send("e0 EXAMINE INBOX\r\n").await;
    let output = client.send("e1 FETCH 1 BODY[1.1]\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (BODY[1.1] {10}\r\nplain text)\r\ne1 OK FETCH completed\r\n"
    );
    let output = client.send("e2 FETCH 1 FLAGS\r\n").await;
    assert_eq!(output, "* 1 FETCH (FLAGS ())\r\ne2 OK FETCH completed\r\n");
}

#[tokio::test]
async fn sequence_numbers_beyond_exists_are_bad_and_missing_uids_empty() {
    let mut client = inbox_with(&["one", "two"]).await;
    let output = client.send("b1 FETCH 3 FLAGS\r\n").await;
    assert!(
        output.starts_with("b1 BAD invalid message sequence number 3"),
        "{output}"
    );
    let output = client.send("b2 UID FETCH 7:9 FLAGS\r\n").await;
    assert_eq!(output, "b2 OK FETCH completed\r\n");
    // `n:*` with n above every UID still names the highest (RFC 3501 §6.4.8).
    let output = client.send("b3 UID FETCH 9:* UID\r\n").await;
    assert_eq!(output, "* 2 FETCH (UID 2)\r\nb3 OK FETCH completed\r\n");
    let output = client.send("b4 FETCH 2:1 (UID)\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\nb4 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn fetch_split_anywhere_gives_the_same_answer() {
    let mut client = selected_client(&[NESTED]).await;
    let command = b"x1 FETCH 1 (UID BODY.PEEK[1.2]<0.100>)\r\n";
    let whole = client.send(std::str::from_utf8(command).unwrap()).await;
    for split in 1..command.len() {
        let (head, tail) = command.split_at(split);
        let output = client.send_fragments(&[head, tail]).await;
        assert_eq!(output, whole, "split at {split}");
    }
    assert_eq!(
        whole,
        "* 1 FETCH (UID 1 BODY[1.2]<0> {16}\r\n<p>html text</p>)\r\nx1 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn a_concurrent_change_is_still_reported_after_a_seen_fetch() {
    let mut client = inbox_with(&["one", "two"]).await;
    flag_elsewhere(&client, &[(2, 2)], SystemFlags::FLAGGED).await;
    let output = client.send("c1 FETCH 1 BODY[TEXT]\r\n").await;
    assert!(output.contains(" FLAGS (\\Seen \\Recent))\r\n"), "{output}");
    assert!(
        output.contains("* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\n"),
        "{output}"
    );
    assert!(output.ends_with("c1 OK FETCH completed\r\n"), "{output}");
}

#[tokio::test]
async fn an_unknown_stored_format_is_rebuilt_from_the_message() {
    let mut client = selected_client(&[]).await;
    let inbox = inbox_id(&client).await;
    let message = NewMessage {
        raw: NESTED.as_bytes().to_vec(),
        internal_date: DELIVERED_AT,
        internal_date_offset: -420,
        flags: Flags::default(),
        analysis: MessageAnalysis {
            envelope: vec![0xff],
            part_table: vec![0xff],
            ..MessageAnalysis::default()
        },
    };
    client
        .backend
        .append(&client.principal, inbox, vec![message])
        .await
        .unwrap();
    assert_eq!(
        client.send("u0 NOOP\r\n").await,
        "* 1 EXISTS\r\n* 1 RECENT\r\nu0 OK NOOP completed\r\n"
    );
    let output = client
        .send("u1 FETCH 1 (INTERNALDATE ENVELOPE BODY.PEEK[1.2])\r\n")
        .await;
    let analysis = mime::analyze(NESTED.as_bytes());
    assert_eq!(
        output,
        format!(
            "* 1 FETCH (INTERNALDATE \" 1-Jun-2024 03:00:00 -0700\" ENVELOPE {} \
             BODY[1.2] {{16}}\r\n<p>html text</p>)\r\nu1 OK FETCH completed\r\n",
            stored(&analysis.envelope)
        )
    );
}

#[test]
fn the_plan_asks_only_for_the_columns_its_items_need() {
    let args = |attributes: Vec<FetchAttribute>| FetchArgs {
        sequence: SequenceSet::Ranges(vec![(SeqBound::Value(1), SeqBound::Largest)]),
        attributes,
        changed_since: None,
        vanished: false,
    };
    let plan = FetchPlan::new(
        &args(vec![FetchAttribute::Flags, FetchAttribute::Envelope]),
        true,
        false,
    );
    assert_eq!(
        plan.items,
        [
            FetchAttribute::Uid,
            FetchAttribute::Flags,
            FetchAttribute::Envelope
        ]
    );
    assert!(
        plan.query.with_envelope && !plan.query.with_bodystructure && !plan.query.with_part_table
    );
    assert!(!plan.sets_seen && !plan.needs_whole);

    let whole = FetchAttribute::BodySection {
        section: Section::default(),
        partial: None,
        peek: false,
    };
    let plan = FetchPlan::new(
        &args(vec![whole.clone(), FetchAttribute::Body]),
        false,
        false,
    );
    assert_eq!(
        plan.items,
        [whole.clone(), FetchAttribute::Body, FetchAttribute::Flags]
    );
    assert!(plan.sets_seen && plan.needs_whole && plan.query.with_bodystructure);
    assert!(!plan.query.with_part_table);

    // Read-only: nothing sets \Seen, so FLAGS is not added.
    let plan = FetchPlan::new(&args(vec![FetchAttribute::Rfc822Text]), false, true);
    assert_eq!(plan.items, [FetchAttribute::Rfc822Text]);
    assert!(!plan.sets_seen && plan.query.with_part_table);
}
