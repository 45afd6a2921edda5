//! Byte ranges of a message stored as a per-recipient prefix followed by a
//! shared blob (ARCHITECTURE.md §4). The message a client sees is
//! `prefix ++ blob`, so a range of it maps to a slice of the prefix (offsets
//! below the prefix length) and a range of the blob (offset minus the prefix
//! length). Messages without a prefix map to the blob unchanged.

use std::ops::Range;

/// Where the bytes `offset..offset + length` of a prefixed message live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SplitRange {
    /// The part inside the prefix (possibly empty).
    pub(super) prefix: Range<usize>,
    /// `(offset, length)` of the part inside the blob, if any.
    pub(super) blob: Option<(u64, u64)>,
}

/// Splits `offset..offset + length` of the message at the prefix boundary.
pub(super) fn split_range(prefix_len: usize, offset: u64, length: u64) -> SplitRange {
    let boundary = prefix_len as u64;
    let end = offset.saturating_add(length);
    let in_prefix = |at: u64| usize::try_from(at.min(boundary)).unwrap_or(prefix_len);
    let blob_start = offset.max(boundary);
    SplitRange {
        prefix: in_prefix(offset)..in_prefix(end),
        blob: (end > blob_start).then(|| (blob_start - boundary, end - blob_start)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::MailBackend;
    use crate::delivery::{Delivery, DeliveryBackend};
    use crate::session::tests::support::assert_responses;
    use crate::testing::{TEST_LOGIN, TestClient};

    const MULTIPART: &str = "Subject: parts\r\n\
        Content-Type: multipart/mixed; boundary=\"b\"\r\n\
        \r\n\
        --b\r\n\
        Content-Type: text/plain\r\n\
        \r\n\
        first part\r\n\
        --b\r\n\
        Content-Type: text/plain\r\n\
        \r\n\
        second part\r\n\
        --b--\r\n";

    #[tokio::test]
    async fn a_delivered_message_fetches_as_prefix_then_blob() {
        let mut client = TestClient::trusted();
        let backend = client.backend.clone();
        let bob = backend.add_account("bob@example.test", "pw");
        backend.create_mailbox(&bob, "Work", None).await.unwrap();
        let alice = backend.resolve_recipient(TEST_LOGIN).await.unwrap();
        let bob_work = backend
            .resolve_recipient("bob+work@example.test")
            .await
            .unwrap();
        let delivery = Delivery {
            raw: MULTIPART.as_bytes().to_vec(),
            return_path: "carol@example.org".to_owned(),
            received_at: 1_700_000_000,
        };
        let results =
            DeliveryBackend::deliver(backend.as_ref(), &delivery, &[alice, bob_work]).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        // One body for both recipients, each behind its own prefix.
        let mut metas = Vec::new();
        for (who, mailbox) in [(&client.principal, "INBOX"), (&bob, "Work")] {
            let id = backend
                .mailbox_status(who, mailbox)
                .await
                .unwrap()
                .mailbox
                .id;
            let uids = backend.uids(who, mailbox).unwrap();
            let mut stream = backend
                .fetch_meta(who, id, &uids, Default::default())
                .await
                .unwrap();
            metas.push(
                futures::StreamExt::next(&mut stream)
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        assert_eq!(metas[0].blob_id, metas[1].blob_id);
        assert_ne!(metas[0].prefix, metas[1].prefix);

        let whole = format!(
            "Return-Path: <carol@example.org>\r\nDelivered-To: {TEST_LOGIN}\r\n{MULTIPART}"
        );
        let size = whole.len();
        client.login().await;
        client.send("s SELECT INBOX\r\n").await;
        let cases = [
            (
                "RFC822.SIZE BODY.PEEK[]".to_owned(),
                format!("RFC822.SIZE {size} BODY[] {{{size}}}\r\n{whole})"),
            ),
            // A partial across the prefix boundary reads both pieces.
            (
                "BODY.PEEK[]<40.30>".to_owned(),
                format!("BODY[]<40> {{30}}\r\n{})", &whole[40..70]),
            ),
            (
                "BODY.PEEK[2]".to_owned(),
                "BODY[2] {11}\r\nsecond part)".to_owned(),
            ),
            (
                "BODY.PEEK[HEADER.FIELDS (DELIVERED-TO)]".to_owned(),
                format!("Delivered-To: {TEST_LOGIN}\r\n\r\n)"),
            ),
            (
                "BODY.PEEK[HEADER]<0.14>".to_owned(),
                "BODY[HEADER]<0> {14}\r\nReturn-Path: <)".to_owned(),
            ),
        ];
        for (items, expected) in cases {
            let answer = client.send(&format!("f FETCH 1 ({items})\r\n")).await;
            assert!(answer.contains(&expected), "{items}: {answer}");
            assert_responses(&answer);
        }
    }

    #[test]
    fn without_a_prefix_everything_is_blob() {
        assert_eq!(
            split_range(0, 5, 10),
            SplitRange {
                prefix: 0..0,
                blob: Some((5, 10))
            }
        );
        assert_eq!(split_range(0, 5, 0).blob, None);
    }

    #[test]
    fn a_range_inside_the_prefix_reads_no_blob() {
        assert_eq!(
            split_range(40, 3, 10),
            SplitRange {
                prefix: 3..13,
                blob: None
            }
        );
        assert_eq!(split_range(40, 0, 40).blob, None);
    }

    #[test]
    fn a_range_across_the_boundary_reads_both() {
        assert_eq!(
            split_range(40, 30, 25),
            SplitRange {
                prefix: 30..40,
                blob: Some((0, 15))
            }
        );
    }

    #[test]
    fn a_range_past_the_prefix_shifts_into_the_blob() {
        assert_eq!(
            split_range(40, 100, 7),
            SplitRange {
                prefix: 40..40,
                blob: Some((60, 7))
            }
        );
        // A read to the end of a huge message does not overflow.
        assert_eq!(
            split_range(40, 50, u64::MAX).blob,
            Some((10, u64::MAX - 50))
        );
    }

    #[test]
    fn the_pieces_reassemble_every_range() {
        let prefix = b"Delivered-To: a@b\r\n";
        let blob = b"Subject: x\r\n\r\nbody\r\n";
        let message: Vec<u8> = prefix.iter().chain(blob.iter()).copied().collect();
        let total = message.len() as u64;
        for offset in 0..=total {
            for length in 0..=(total - offset) {
                let split = split_range(prefix.len(), offset, length);
                let mut read = prefix[split.prefix].to_vec();
                if let Some((start, count)) = split.blob {
                    let (start, count) = (start as usize, count as usize);
                    read.extend_from_slice(&blob[start..start + count]);
                }
                let (offset, length) = (offset as usize, length as usize);
                assert_eq!(read, &message[offset..offset + length]);
            }
        }
    }
}
