//! STORE and SEARCH protocol tests over `testing::MemoryBackend`.

use crate::session::fetch::tests::{assert_responses, selected_client, simple};

#[tokio::test]
async fn store_answers_flags_unless_silent() {
    let mut client = selected_client(&[&simple("one"), &simple("two"), &simple("three")]).await;
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
    // .SILENT writes nothing itself; the sync that ends the command still
    // reports the change, since it cannot tell it from a concurrent one.
    let output = client
        .send("t4 STORE 3 FLAGS.SILENT (\\Seen \\Draft)\r\n")
        .await;
    assert_eq!(
        output,
        "* 3 FETCH (FLAGS (\\Seen \\Draft \\Recent))\r\nt4 OK STORE completed\r\n"
    );
    let output = client.send("t5 FETCH 1:3 FLAGS\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS (\\Flagged $Work \\Recent))\r\n\
         * 2 FETCH (FLAGS (\\Flagged \\Recent))\r\n\
         * 3 FETCH (FLAGS (\\Seen \\Draft \\Recent))\r\nt5 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn store_refuses_unstorable_flags_bad_numbers_and_read_only() {
    let mut client = selected_client(&[&simple("one")]).await;
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
    let mut client = selected_client(&[&simple("one"), &simple("two")]).await;
    let output = client.send("m1 FETCH 1 MODSEQ\r\n").await;
    let modseq: u64 = output
        .split("MODSEQ (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap()
        .parse()
        .unwrap();
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
    let mut client =
        selected_client(&[&simple("alpha"), &simple("beta"), &simple("alpha beta")]).await;
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
async fn search_refuses_bad_charsets_and_numbers_beyond_exists() {
    let mut client = selected_client(&[&simple("one")]).await;
    let output = client.send("c1 SEARCH CHARSET ISO-8859-1 ALL\r\n").await;
    assert_eq!(
        output,
        "c1 NO [BADCHARSET (US-ASCII UTF-8)] unsupported charset\r\n"
    );
    assert_responses(&output);
    let output = client.send("c2 SEARCH 2\r\n").await;
    assert!(
        output.starts_with("c2 BAD invalid message sequence number 2"),
        "{output}"
    );
    // The connection keeps serving.
    assert_eq!(
        client.send("c3 SEARCH ALL\r\n").await,
        "* SEARCH 1\r\nc3 OK SEARCH completed\r\n"
    );
}
