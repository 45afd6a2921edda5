//! STORE and SEARCH protocol tests over `testing::MemoryBackend`,
//! including which flag changes the sync after a STORE or FETCH reports.

use crate::backend::SystemFlags;
use crate::session::tests::support::{
    assert_responses, fetch_modseq, flag_elsewhere, inbox_with, modseq_in, select_inbox,
};

#[tokio::test]
async fn store_answers_flags_unless_silent() {
    let mut client = inbox_with(&["one", "two", "three"]).await;
    let output = client
        .send("t1 STORE 1:2 +FLAGS (\\Flagged $Work)\r\n")
        .await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Flagged $Work \\Recent))\r\n\
         * 2 FETCH (FLAGS (\\Flagged $Work \\Recent))\r\nt1 OK STORE completed\r\n"
    );
    assert_responses(&output);
    // Our own change was reported: the sync does not repeat it.
    assert_eq!(client.send("t2 NOOP\r\n").await, "t2 OK NOOP completed\r\n");

    let output = client.send("t3 UID STORE 2 -FLAGS ($work)\r\n").await;
    assert_eq!(
        output,
        "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\nt3 OK STORE completed\r\n"
    );
    // RFC 3501 §6.4.6: .SILENT sends no FETCH, not even from the sync.
    let output = client
        .send("t4 STORE 3 FLAGS.SILENT (\\Seen \\Draft)\r\n")
        .await;
    assert_eq!(output, "t4 OK STORE completed\r\n");
    assert_eq!(client.send("t6 NOOP\r\n").await, "t6 OK NOOP completed\r\n");
    let output = client.send("t5 FETCH 1:3 FLAGS\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Flagged $Work \\Recent))\r\n\
         * 2 FETCH (FLAGS (\\Flagged \\Recent))\r\n\
         * 3 FETCH (FLAGS (\\Seen \\Draft \\Recent))\r\nt5 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn a_silenced_change_is_not_echoed_but_a_concurrent_one_is_reported_once() {
    let mut client = inbox_with(&["one", "two"]).await;
    let mut other = client.another_connection();
    assert!(other.login().await.starts_with("L0 OK "));
    select_inbox(&mut other).await;

    let output = client.send("a1 STORE 1 +FLAGS.SILENT (\\Seen)\r\n").await;
    assert_eq!(output, "a1 OK STORE completed\r\n");
    // The second session changes both messages between a1 and a2; its own
    // sync reports a1's change to it, once.
    let output = other.send("b1 STORE 1:2 +FLAGS (\\Flagged)\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Flagged \\Seen))\r\n* 2 FETCH (FLAGS (\\Flagged))\r\n\
         b1 OK STORE completed\r\n"
    );
    assert_eq!(other.send("b2 NOOP\r\n").await, "b2 OK NOOP completed\r\n");

    let output = client.send("a2 NOOP\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\n\
         * 2 FETCH (FLAGS (\\Flagged \\Recent))\r\na2 OK NOOP completed\r\n"
    );
    assert_responses(&output);
    assert_eq!(client.send("a3 NOOP\r\n").await, "a3 OK NOOP completed\r\n");

    // A silenced change after the concurrent one is not echoed either.
    let output = client
        .send("a4 STORE 1:2 -FLAGS.SILENT (\\Flagged)\r\na5 NOOP\r\n")
        .await;
    assert_eq!(output, "a4 OK STORE completed\r\na5 OK NOOP completed\r\n");
    let output = other.send("b3 NOOP\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS ())\r\nb3 OK NOOP completed\r\n"
    );
}

#[tokio::test]
async fn silencing_never_hides_an_unreported_change_to_the_same_message() {
    let mut client = inbox_with(&["one", "two"]).await;
    // Another session flags message 1; this one has not been told yet, so
    // the flags it assumes after its own +FLAGS.SILENT lack \Flagged.
    flag_elsewhere(&client, &[(1, 1)], SystemFlags::FLAGGED).await;
    let output = client.send("c1 STORE 1:2 +FLAGS.SILENT (\\Seen)\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\nc1 OK STORE completed\r\n"
    );
    assert_responses(&output);
    assert_eq!(client.send("c2 NOOP\r\n").await, "c2 OK NOOP completed\r\n");
    let output = client.send("c3 FETCH 1:2 FLAGS\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\n\
         * 2 FETCH (FLAGS (\\Seen \\Recent))\r\nc3 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn a_silent_conditional_store_keeps_the_clients_condition() {
    let mut client = inbox_with(&["one", "two"]).await;
    let before = fetch_modseq(&mut client, 2).await;
    flag_elsewhere(&client, &[(1, 1)], SystemFlags::FLAGGED).await;
    // The client's condition holds for message 2 only.
    let output = client
        .send(&format!(
            "m2 STORE 1:2 (UNCHANGEDSINCE {before}) +FLAGS.SILENT (\\Seen)\r\n"
        ))
        .await;
    // FETCH MODSEQ enabled CONDSTORE: the silenced store still answers
    // MODSEQ (RFC 7162 §3.1.3), and flag reports carry it.
    let stored = modseq_in(&output);
    let flagged = fetch_modseq(&mut client, 1).await;
    assert_eq!(
        output,
        format!(
            "* 2 FETCH (MODSEQ ({stored}))\r\n\
             * 1 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ ({flagged}))\r\n\
             m2 OK [MODIFIED 1] conditional STORE failed for some messages\r\n"
        )
    );
    // A condition the concurrent change meets: both are stored, and only
    // the message someone else changed is reported.
    flag_elsewhere(&client, &[(2, 2)], SystemFlags::ANSWERED).await;
    let output = client
        .send("m3 STORE 1:2 (UNCHANGEDSINCE 1000) +FLAGS.SILENT (\\Draft)\r\n")
        .await;
    let (first, second) = (
        fetch_modseq(&mut client, 1).await,
        fetch_modseq(&mut client, 2).await,
    );
    assert_eq!(
        output,
        format!(
            "* 1 FETCH (MODSEQ ({first}))\r\n* 2 FETCH (MODSEQ ({second}))\r\n\
             * 2 FETCH (FLAGS (\\Answered \\Seen \\Draft \\Recent) MODSEQ ({second}))\r\n\
             m3 OK STORE completed\r\n"
        )
    );
    assert_responses(&output);
    assert_eq!(client.send("m4 NOOP\r\n").await, "m4 OK NOOP completed\r\n");
}

#[tokio::test]
async fn store_refuses_unstorable_flags_bad_numbers_and_read_only() {
    let mut client = inbox_with(&["one"]).await;
    let output = client.send("r1 STORE 1 +FLAGS (\\Recent)\r\n").await;
    assert_eq!(output, "r1 BAD flag \\Recent cannot be stored\r\n");
    let output = client.send("r2 STORE 1 +FLAGS (\\Bogus)\r\n").await;
    assert!(output.starts_with("r2 BAD "), "{output}");
    let output = client.send("r3 STORE 2 +FLAGS (\\Seen)\r\n").await;
    assert!(
        output.starts_with("r3 BAD invalid message sequence number 2"),
        "{output}"
    );
    client.send("r4 EXAMINE INBOX\r\n").await;
    let output = client.send("r5 STORE 1 +FLAGS (\\Seen)\r\n").await;
    assert_eq!(output, "r5 NO [READ-ONLY] mailbox is read-only\r\n");
}

#[tokio::test]
async fn unchangedsince_reports_modified_messages() {
    let mut client = inbox_with(&["one", "two"]).await;
    let modseq = fetch_modseq(&mut client, 1).await;
    client
        .send("m2 STORE 2 +FLAGS.SILENT (\\Answered)\r\n")
        .await;
    let output = client
        .send(&format!(
            "m3 STORE 1:2 (UNCHANGEDSINCE {modseq}) +FLAGS (\\Seen)\r\n"
        ))
        .await;
    assert!(
        output.starts_with("* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ ("),
        "{output}"
    );
    assert!(
        !output.contains("* 2 FETCH (FLAGS (\\Answered \\Seen"),
        "{output}"
    );
    assert!(
        output.ends_with("m3 OK [MODIFIED 2] conditional STORE failed for some messages\r\n"),
        "{output}"
    );
    assert_responses(&output);
}

#[tokio::test]
async fn search_translates_keys_and_answers_sequence_numbers_or_uids() {
    let mut client = inbox_with(&["alpha", "beta", "alpha beta"]).await;
    client.send("x0 STORE 2 +FLAGS.SILENT (\\Seen)\r\n").await;
    let cases = [
        ("SEARCH SUBJECT alpha", "* SEARCH 1 3"),
        ("SEARCH OR SEEN SUBJECT \"alpha beta\"", "* SEARCH 2 3"),
        ("SEARCH NOT 1:2", "* SEARCH 3"),
        ("SEARCH UNSEEN FROM bob", "* SEARCH 1 3"),
        ("SEARCH NEW", "* SEARCH 1 3"),
        ("SEARCH OLD", "* SEARCH"),
        (
            "SEARCH ON 1-Jun-2024 SENTSINCE 1-Jun-2024",
            "* SEARCH 1 2 3",
        ),
        ("SEARCH BEFORE 1-Jun-2024", "* SEARCH"),
        ("SEARCH CHARSET UTF-8 BODY \"hello beta\"", "* SEARCH 2"),
        ("SEARCH HEADER Subject beta LARGER 10", "* SEARCH 2 3"),
        ("UID SEARCH UID 2:* SUBJECT alpha", "* SEARCH 3"),
    ];
    for (index, (command, answer)) in cases.iter().enumerate() {
        let output = client.send(&format!("q{index} {command}\r\n")).await;
        assert_eq!(
            output,
            format!("{answer}\r\nq{index} OK SEARCH completed\r\n"),
            "{command}"
        );
        assert_responses(&output);
    }
}

#[tokio::test]
async fn search_refuses_bad_charsets_and_finds_nothing_beyond_exists() {
    let mut client = inbox_with(&["one"]).await;
    let output = client.send("c1 SEARCH CHARSET ISO-8859-1 ALL\r\n").await;
    assert_eq!(
        output,
        "c1 NO [BADCHARSET (US-ASCII UTF-8)] unsupported charset\r\n"
    );
    assert_responses(&output);
    // A search only filters: a number beyond EXISTS names nothing.
    let output = client.send("c2 SEARCH 2\r\n").await;
    assert_eq!(output, "* SEARCH\r\nc2 OK SEARCH completed\r\n");
    assert_eq!(
        client.send("c3 SEARCH ALL\r\n").await,
        "* SEARCH 1\r\nc3 OK SEARCH completed\r\n"
    );
}
