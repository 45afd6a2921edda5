//! The pipelining examples of RFC 5182 (SEARCHRES) replayed against a
//! session: `$` used by commands sent before the saving SEARCH has been
//! answered (§2.2 A300/A301), the SEARCH-COPY-STORE pipeline the
//! extension exists for (§1), and `$` saved by UID SEARCH used by a
//! sequence-number FETCH (§2.1: `$` holds messages, not numbers).

use super::support::{assert_responses, inbox_with, message, message_count, selected_client};

// RFC 5182 §2.2 example: `A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT
// FROM "Smith"` and `A301 UID SEARCH UID $ SMALLER 4096` sent together:
// A300 is answered first, then A301 searches within the saved result.
#[tokio::test]
async fn rfc5182_pipelined_search_within_the_saved_result() {
    let large = format!("{}{}\r\n", message("large"), "x".repeat(5000));
    let smith = message("smith").replace("Bob <bob@", "Smith <smith@");
    let small = message("small");
    let mut client = selected_client(&[&small, &large, &smith, &small]).await;
    let output = client
        .send(
            "A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\"\r\n\
             A301 UID SEARCH UID $ SMALLER 4096\r\n",
        )
        .await;
    assert_eq!(
        output,
        "A300 OK SEARCH completed\r\n* SEARCH 1 4\r\nA301 OK SEARCH completed\r\n"
    );
    assert_responses(&output);
}

// RFC 5182 §1: SEARCH RETURN (SAVE), COPY $ and STORE $ pipelined in one
// round trip; the copy and the flags reach exactly the saved messages.
#[tokio::test]
async fn rfc5182_pipelined_copy_and_store_of_the_saved_result() {
    let mut client = inbox_with(&["one", "two", "three"]).await;
    client.send("A0 CREATE \"Other Messages\"\r\n").await;
    let output = client
        .send(
            "A282 SEARCH RETURN (SAVE) OR SUBJECT one SUBJECT three\r\n\
             A283 COPY $ \"Other Messages\"\r\n\
             A284 STORE $ +FLAGS.SILENT (\\Deleted)\r\n",
        )
        .await;
    assert!(output.starts_with("A282 OK SEARCH completed\r\nA283 OK [COPYUID "));
    assert!(output.ends_with("A284 OK STORE completed\r\n"), "{output}");
    assert_responses(&output);
    assert_eq!(message_count(&client, "Other Messages"), 2);
    assert_eq!(
        client.send("A285 SEARCH DELETED\r\n").await,
        "* SEARCH 1 3\r\nA285 OK SEARCH completed\r\n"
    );
}

// RFC 5182 §2.1: a result saved by UID SEARCH names messages, so a
// sequence-number FETCH $ answers their sequence numbers.
#[tokio::test]
async fn rfc5182_uid_saved_result_used_by_fetch() {
    let mut client = inbox_with(&["one", "two", "three"]).await;
    client
        .send("A1 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    client.send("A2 EXPUNGE\r\n").await;
    assert_eq!(
        client
            .send("A3 UID SEARCH RETURN (SAVE) SUBJECT three\r\n")
            .await,
        "A3 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client.send("A4 FETCH $ (UID)\r\n").await,
        "* 2 FETCH (UID 3)\r\nA4 OK FETCH completed\r\n"
    );
}
