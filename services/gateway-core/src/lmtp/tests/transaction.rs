//! Whole transactions: per-recipient replies, the RFC 2033 example,
//! pipelining, DATA transparency, BDAT chunks and backend failures.

use mailkeep_common::ErrorCode;

use super::*;
use crate::lmtp::OverQuotaReply;

/// RFC 2033 §4.2, with our enhanced codes: one reply per accepted
/// recipient after the message, the over-quota one temporary.
#[tokio::test]
async fn the_rfc_2033_example_session() {
    let mut harness = Harness::new();
    harness.backend.add_account("pat@foo.edu");
    harness.backend.add_account("green@foo.edu");
    harness
        .backend
        .fail_delivery("green@foo.edu", ErrorCode::OverQuota);
    assert!(harness.greet().await.starts_with("220 "));
    let answer = harness
        .send(
            "LHLO foo.edu\r\nMAIL FROM:<chris@bar.com>\r\nRCPT TO:<pat@foo.edu>\r\n\
             RCPT TO:<jones@foo.edu>\r\nRCPT TO:<green@foo.edu>\r\nDATA\r\n",
        )
        .await;
    assert_eq!(codes(&answer), vec![250, 250, 250, 550, 250, 354]);
    assert!(
        answer.contains("550 5.1.1 <jones@foo.edu> no such user here\r\n"),
        "{answer}"
    );
    let answer = harness
        .send("Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\n")
        .await;
    assert_eq!(
        answer,
        "250 2.0.0 <pat@foo.edu> delivered\r\n452 4.2.2 <green@foo.edu> mailbox is over quota\r\n"
    );
    let (answer, flow) = harness.feed(&[b"QUIT\r\n"]).await;
    assert!(answer.starts_with("221 2.0.0 "), "{answer}");
    assert_eq!(flow, Flow::Close);

    let delivered = harness.backend.delivered();
    assert_eq!(delivered.len(), 1);
    let (recipient, delivery) = &delivered[0];
    assert_eq!(recipient.address, "pat@foo.edu");
    assert_eq!(delivery.return_path, "chris@bar.com");
    assert_eq!(delivery.raw, b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
    assert_eq!(delivery.received_at, arrival().timestamp());
    assert_eq!(
        harness.session.take_tally(),
        crate::lmtp::DeliveryTally {
            delivered: 1,
            deferred: 1,
            rejected: 0
        }
    );
}

const PIPELINED: &str = "LHLO c.test\r\nMAIL FROM:<> BODY=8BITMIME\r\nRCPT TO:<alice@example.test>\r\n\
    RCPT TO:<Bob+Lists@example.test>\r\nDATA\r\nSubject: hi\r\n\r\n.hidden dot\r\n.\r\nQUIT\r\n";

#[tokio::test]
async fn pipelined_commands_are_answered_in_order_whatever_the_split() {
    let expected_codes = vec![250, 250, 250, 250, 354, 250, 250, 221];
    for split in [1, 2, 7, 64, PIPELINED.len()] {
        let mut harness = Harness::new();
        let fragments: Vec<&[u8]> = PIPELINED.as_bytes().chunks(split).collect();
        let (answer, flow) = harness.feed(&fragments).await;
        assert_eq!(codes(&answer), expected_codes, "split {split}: {answer}");
        assert_eq!(flow, Flow::Close);
        let delivered = harness.backend.delivered();
        assert_eq!(delivered.len(), 2);
        assert_eq!(delivered[0].1.raw, b"Subject: hi\r\n\r\nhidden dot\r\n");
        assert_eq!(delivered[0].1.return_path, "");
        assert_eq!(delivered[1].0.address, "Bob+Lists@example.test");
        assert_eq!(delivered[1].0.detail.as_deref(), Some("lists"));
    }
}

#[tokio::test]
async fn recipient_failures_map_to_the_configured_replies() {
    let mut harness = Harness::new();
    harness.backend.add_account("suspended@example.test");
    harness.backend.add_account("full@example.test");
    harness.backend.add_account("down@example.test");
    harness
        .backend
        .refuse_recipient("suspended@example.test", ErrorCode::PermissionDenied);
    harness
        .backend
        .refuse_recipient("full@example.test", ErrorCode::OverQuota);
    harness
        .backend
        .refuse_recipient("down@example.test", ErrorCode::Unavailable);
    harness.ready().await;
    let answer = harness
        .send(
            "MAIL FROM:<s@x.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<suspended@example.test>\r\n\
             RCPT TO:<full@example.test>\r\nRCPT TO:<down@example.test>\r\n",
        )
        .await;
    assert_eq!(codes(&answer), vec![250, 550, 450, 452, 451]);
    assert!(answer.contains("450 4.2.1 "), "{answer}");
    assert!(answer.contains("452 4.2.2 "), "{answer}");
    assert!(answer.contains("451 4.3.0 "), "{answer}");

    let mut permanent = Harness::with(
        LmtpConfig {
            over_quota: OverQuotaReply::Permanent,
            ..LmtpConfig::default()
        },
        loopback(),
    );
    permanent
        .backend
        .refuse_recipient(ALICE, ErrorCode::OverQuota);
    permanent.ready().await;
    let answer = permanent
        .send("MAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\n")
        .await;
    assert!(
        answer.ends_with("552 5.2.2 <alice@example.test> mailbox is over quota\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_failed_delivery_is_answered_for_its_recipient_only() {
    let mut harness = Harness::new();
    harness.backend.fail_delivery(BOB, ErrorCode::Unavailable);
    harness.ready().await;
    let answer = harness
        .send(
            "MAIL FROM:<s@x.test>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<alice@example.test>\r\n\
             DATA\r\nbody\r\n.\r\n",
        )
        .await;
    assert_eq!(codes(&answer), vec![250, 250, 250, 354, 451, 250]);
    assert_eq!(harness.backend.delivered().len(), 1);
    assert_eq!(harness.session.take_tally().deferred, 1);
}

#[tokio::test]
async fn bdat_chunks_make_one_message() {
    let mut harness = Harness::new();
    harness.ready().await;
    let answer = harness
        .send("MAIL FROM:<s@x.test> BODY=BINARYMIME\r\nRCPT TO:<alice@example.test>\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 250]);
    let (answer, _) = harness
        .feed(&[
            b"BDAT 6\r\nab",
            b"\r\n.\r",
            b"BDAT 3 LAST\r\n\x00\xff\n",
            b"NOOP\r\n",
        ])
        .await;
    assert_eq!(
        answer,
        "250 2.0.0 6 octets received\r\n250 2.0.0 <alice@example.test> delivered\r\n250 2.0.0 OK\r\n"
    );
    let delivered = harness.backend.delivered();
    assert_eq!(delivered[0].1.raw, b"ab\r\n.\r\x00\xff\n");
}

#[tokio::test]
async fn an_empty_last_chunk_ends_the_message() {
    let mut harness = Harness::new();
    harness.ready().await;
    let answer = harness
        .send(
            "MAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nBDAT 4\r\nabcdBDAT 0 LAST\r\n",
        )
        .await;
    assert_eq!(codes(&answer), vec![250, 250, 250, 250]);
    assert_eq!(harness.backend.delivered()[0].1.raw, b"abcd");
}

#[tokio::test]
async fn binarymime_needs_bdat_and_data_and_bdat_do_not_mix() {
    let mut harness = Harness::new();
    harness.ready().await;
    let answer = harness
        .send("MAIL FROM:<s@x.test> BODY=BINARYMIME\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
        .await;
    assert!(
        answer.ends_with("503 5.5.1 BODY=BINARYMIME needs BDAT\r\n"),
        "{answer}"
    );
    let answer = harness
        .send("RSET\r\nMAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nBDAT 1\r\nxDATA\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 250, 250, 250, 503]);
}

#[tokio::test]
async fn non_ascii_recipients_need_smtputf8() {
    let mut harness = Harness::new();
    harness.backend.add_account("jöran@example.test");
    harness.ready().await;
    let answer = harness
        .send("MAIL FROM:<s@x.test>\r\nRCPT TO:<jöran@example.test>\r\nRSET\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 553, 250]);
    let answer = harness
        .send("MAIL FROM:<s@x.test> SMTPUTF8\r\nRCPT TO:<jöran@example.test>\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 250]);
}
