//! One recipient's copy of an LMTP delivery (RFC 2033): the header lines the
//! delivery adds in front of the shared body, `Return-Path` (RFC 5321 §4.4)
//! and `Delivered-To`, and the MIME analysis of the message that recipient
//! will see. The body itself is stored once per delivery (ARCHITECTURE.md
//! §4); the prefix lives in the metadata row, so sizes and part offsets of
//! the analysis count it.
//!
//! Invariant: a prefix is always whole CRLF-terminated header lines without
//! any control character inside a value, whatever the envelope addresses
//! hold, so it can never end the header block or inject a field.

use crate::backend::MessageAnalysis;
use crate::delivery::{Delivery, Recipient};
use crate::mime;

/// What a recipient's row stores beside the shared blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientCopy {
    /// Header lines placed before the blob.
    pub prefix: Vec<u8>,
    /// Bytes of the message the recipient sees: prefix plus body.
    pub size: u64,
    /// Analysis of prefix plus body.
    pub analysis: MessageAnalysis,
}

impl RecipientCopy {
    /// Prefixes `delivery` for `recipient` and analyses the result.
    pub fn new(delivery: &Delivery, recipient: &Recipient) -> Self {
        let prefix = delivery_prefix(&delivery.return_path, &recipient.address);
        let mut message = Vec::with_capacity(prefix.len() + delivery.raw.len());
        message.extend_from_slice(&prefix);
        message.extend_from_slice(&delivery.raw);
        Self {
            size: message.len() as u64,
            analysis: mime::analyze(&message),
            prefix,
        }
    }
}

/// `Return-Path: <reverse-path>` and `Delivered-To: recipient`, CRLF each.
pub fn delivery_prefix(return_path: &str, recipient: &str) -> Vec<u8> {
    format!(
        "Return-Path: <{}>\r\nDelivered-To: {}\r\n",
        header_safe(return_path),
        header_safe(recipient)
    )
    .into_bytes()
}

/// `value` without control characters (CR and LF included) or angle
/// brackets, which would end or break the header line they are put in.
fn header_safe(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() && *c != '<' && *c != '>')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Section, SectionText};
    use crate::mime::PartTable;
    use mailkeep_common::{AccountId, TenantId};

    fn recipient(address: &str) -> Recipient {
        Recipient {
            address: address.to_owned(),
            account_id: AccountId::from_u128(1),
            tenant_id: TenantId::from_u128(2),
            detail: None,
        }
    }

    #[test]
    fn the_prefix_names_sender_and_recipient() {
        assert_eq!(
            delivery_prefix("bob@example.org", "alice+lists@example.test"),
            b"Return-Path: <bob@example.org>\r\nDelivered-To: alice+lists@example.test\r\n"
        );
        // RFC 5321 §4.5.5: the null reverse-path is `<>`.
        assert_eq!(
            delivery_prefix("", "alice@example.test"),
            b"Return-Path: <>\r\nDelivered-To: alice@example.test\r\n"
        );
    }

    #[test]
    fn envelope_addresses_cannot_inject_header_lines() {
        let prefix = delivery_prefix("a@b>\r\nX-Evil: 1", "c@d\r\n\r\nbody");
        assert_eq!(
            prefix,
            b"Return-Path: <a@bX-Evil: 1>\r\nDelivered-To: c@dbody\r\n"
        );
        assert_eq!(prefix.windows(2).filter(|w| w == b"\r\n").count(), 2);
    }

    #[test]
    fn the_copy_counts_the_prefix_in_size_and_offsets() {
        let delivery = Delivery {
            raw: b"Subject: hi\r\n\r\nhello\r\n".to_vec(),
            return_path: "bob@example.org".to_owned(),
            received_at: 1_700_000_000,
        };
        let copy = RecipientCopy::new(&delivery, &recipient("alice@example.test"));
        let prefix_len = copy.prefix.len() as u64;
        assert_eq!(copy.size, prefix_len + delivery.raw.len() as u64);
        assert!(
            copy.analysis
                .header_text
                .contains("delivered-to: alice@example.test")
        );
        assert_eq!(copy.analysis.subject, "hi");
        let table = PartTable::decode(&copy.analysis.part_table).expect("known format");
        let text = Section {
            part: Vec::new(),
            text: Some(SectionText::Text),
        };
        let location = table.locate(&text).expect("the text exists");
        // The body starts after the prefix and the original header block.
        assert_eq!(location.offset, prefix_len + 15);
        assert_eq!(location.length, 7);
    }
}
