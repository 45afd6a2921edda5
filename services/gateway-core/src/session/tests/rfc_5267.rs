//! RFC 5267 (ESORT, CONTEXT=SEARCH, CONTEXT=SORT) examples not already in
//! `search_context.rs` and `sort/tests.rs`: a SORT asking for UPDATE,
//! which this server answers and declines with NOUPDATE (§4.3.1), next to
//! a live SEARCH context on the same criteria; and the PARTIAL example of
//! §4.4 over UID SEARCH UNDELETED. The imap-codec oracle parses neither
//! these ESEARCH lines nor NOUPDATE, so it is not applied here.

use super::support::inbox_with;

// RFC 5267 §4.3.1 example: `B01 UID SEARCH RETURN (UPDATE) KEYWORD $Junk`
// keeps a context, `B02 UID SORT RETURN (UPDATE COUNT) ... KEYWORD $Junk`
// is answered but not kept: `B02 OK [NOUPDATE "B02"]`. The RFC's B02
// omits the sort criteria; `(DATE)` is added here.
#[tokio::test]
async fn rfc5267_sort_update_is_answered_with_noupdate() {
    let mut client = inbox_with(&["1", "2", "3"]).await;
    client.send("A1 STORE 1,3 +FLAGS.SILENT ($Junk)\r\n").await;
    assert_eq!(
        client
            .send("B01 UID SEARCH RETURN (UPDATE) KEYWORD $Junk\r\n")
            .await,
        "* ESEARCH (TAG \"B01\") UID\r\nB01 OK SEARCH completed\r\n"
    );
    let output = client
        .send("B02 UID SORT RETURN (UPDATE COUNT) (DATE) UTF-8 KEYWORD $Junk\r\n")
        .await;
    assert_eq!(
        output,
        "* ESEARCH (TAG \"B02\") UID COUNT 2\r\nB02 OK [NOUPDATE \"B02\"] SORT completed\r\n"
    );
    // Only the SEARCH context reports the change; B02 was declined.
    let output = client.send("A2 STORE 2 +FLAGS.SILENT ($Junk)\r\n").await;
    assert!(
        output.contains("* ESEARCH (TAG \"B01\") UID ADDTO "),
        "{output}"
    );
    assert!(!output.contains("B02"), "{output}");
    assert!(
        client
            .send("B03 CANCELUPDATE \"B02\"\r\n")
            .await
            .starts_with("B03 BAD ")
    );
}

// RFC 5267 §4.4 example: `E01 UID SEARCH RETURN (PARTIAL 1:500)
// UNDELETED` answers `* ESEARCH (TAG "E01") UID PARTIAL (1:500 ...)`, the
// first 500 matches; here the first two of four undeleted messages.
#[tokio::test]
async fn rfc5267_partial_of_undeleted() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
    client
        .send("A1 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let output = client
        .send("E01 UID SEARCH RETURN (PARTIAL 1:2) UNDELETED\r\n")
        .await;
    assert_eq!(
        output,
        "* ESEARCH (TAG \"E01\") UID PARTIAL (1:2 1,3)\r\nE01 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send("E02 UID SEARCH RETURN (PARTIAL 3:500) UNDELETED\r\n")
            .await,
        "* ESEARCH (TAG \"E02\") UID PARTIAL (3:500 4:5)\r\nE02 OK SEARCH completed\r\n"
    );
}
