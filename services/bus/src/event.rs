//! `ChangeEvent`, the hint published after a metadata commit, and its compact
//! binary form. Layout (version 1, 42 bytes, integers big-endian):
//! `version u8 | kind u8 | account_id u128 | mailbox_id u128 | modseq u64`.
//! Decoding refuses any other length or version, but not an unknown kind:
//! that decodes as [`ChangeKind::Unrecognized`] and still wakes the account's
//! sessions, so a pod of an older build keeps working while newer ones
//! publish kinds it does not know.

use mailkeep_common::{AccountId, MailboxId, ModSeq};

use crate::BusError;

/// The encoding version this build writes and reads.
pub const EVENT_FORMAT_VERSION: u8 = 1;
/// Length of one encoded event.
pub const ENCODED_EVENT_LEN: usize = 42;

/// What changed. Receivers treat every kind as "ask for changes since the
/// MODSEQ you last saw"; the kind only lets them skip work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Messages were appended (or copied/moved in).
    Appended,
    /// Flags of messages changed.
    FlagsChanged,
    /// Messages were expunged (or moved out).
    Expunged,
    /// The mailbox was created, renamed, deleted or (un)subscribed.
    MailboxChanged,
    /// METADATA entries of the mailbox, or of the server when the mailbox
    /// id is nil, were set or removed (RFC 5465 §5.6-5.7); the event's
    /// MODSEQ is the account's METADATA change counter.
    MetadataChanged,
    /// A kind of a newer build, kept as its byte; only decoding makes it.
    Unrecognized(u8),
}

impl ChangeKind {
    const fn to_byte(self) -> u8 {
        match self {
            ChangeKind::Appended => 1,
            ChangeKind::FlagsChanged => 2,
            ChangeKind::Expunged => 3,
            ChangeKind::MailboxChanged => 4,
            ChangeKind::MetadataChanged => 5,
            ChangeKind::Unrecognized(byte) => byte,
        }
    }

    const fn from_byte(byte: u8) -> Self {
        match byte {
            1 => ChangeKind::Appended,
            2 => ChangeKind::FlagsChanged,
            3 => ChangeKind::Expunged,
            4 => ChangeKind::MailboxChanged,
            5 => ChangeKind::MetadataChanged,
            other => ChangeKind::Unrecognized(other),
        }
    }
}

/// A committed change to one mailbox of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeEvent {
    pub account_id: AccountId,
    pub mailbox_id: MailboxId,
    /// The mailbox's highest MODSEQ after the change (for
    /// [`ChangeKind::MetadataChanged`], the account's METADATA counter).
    pub modseq: ModSeq,
    pub kind: ChangeKind,
}

impl ChangeEvent {
    /// The version-1 wire form.
    pub fn encode(&self) -> [u8; ENCODED_EVENT_LEN] {
        let mut out = [0u8; ENCODED_EVENT_LEN];
        out[0] = EVENT_FORMAT_VERSION;
        out[1] = self.kind.to_byte();
        out[2..18].copy_from_slice(&self.account_id.as_u128().to_be_bytes());
        out[18..34].copy_from_slice(&self.mailbox_id.as_u128().to_be_bytes());
        out[34..42].copy_from_slice(&self.modseq.get().to_be_bytes());
        out
    }

    /// Parses the wire form.
    pub fn decode(bytes: &[u8]) -> Result<Self, BusError> {
        let invalid = |reason: &str| BusError::Decode {
            reason: reason.to_owned(),
        };
        let bytes: &[u8; ENCODED_EVENT_LEN] = bytes
            .try_into()
            .map_err(|_| invalid("event has the wrong length"))?;
        if bytes[0] != EVENT_FORMAT_VERSION {
            return Err(invalid("unknown event format version"));
        }
        let kind = ChangeKind::from_byte(bytes[1]);
        Ok(Self {
            account_id: AccountId::from_u128(u128::from_be_bytes(field(bytes, 2))),
            mailbox_id: MailboxId::from_u128(u128::from_be_bytes(field(bytes, 18))),
            modseq: ModSeq::new(u64::from_be_bytes(field(bytes, 34))),
            kind,
        })
    }
}

/// The `N` bytes of `bytes` starting at `start` (all callers stay in bounds of
/// the fixed layout).
fn field<const N: usize>(bytes: &[u8; ENCODED_EVENT_LEN], start: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[start..start + N]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(kind: ChangeKind) -> ChangeEvent {
        ChangeEvent {
            account_id: AccountId::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10),
            mailbox_id: MailboxId::from_u128(u128::MAX - 7),
            modseq: ModSeq::new(0x1122_3344_5566_7788),
            kind,
        }
    }

    #[test]
    fn every_kind_round_trips() {
        for kind in [
            ChangeKind::Appended,
            ChangeKind::FlagsChanged,
            ChangeKind::Expunged,
            ChangeKind::MailboxChanged,
            ChangeKind::MetadataChanged,
        ] {
            let event = sample(kind);
            assert_eq!(ChangeEvent::decode(&event.encode()).unwrap(), event);
        }
    }

    #[test]
    fn the_layout_is_fixed() {
        let bytes = sample(ChangeKind::Expunged).encode();
        assert_eq!(bytes[0], EVENT_FORMAT_VERSION);
        assert_eq!(bytes[1], 3);
        assert_eq!(bytes[2..6], [0x01, 0x02, 0x03, 0x04]);
        assert_eq!(bytes[17], 0x10);
        assert_eq!(bytes[33], 0xff - 7);
        assert_eq!(
            bytes[34..42],
            [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]
        );
    }

    #[test]
    fn malformed_events_are_refused() {
        let good = sample(ChangeKind::Appended).encode();
        assert!(ChangeEvent::decode(&good[..41]).is_err());
        assert!(ChangeEvent::decode(&[good.as_slice(), &[0]].concat()).is_err());
        let mut future_version = good;
        future_version[0] = 2;
        assert!(ChangeEvent::decode(&future_version).is_err());
    }

    #[test]
    fn an_unknown_kind_still_decodes_as_a_hint() {
        for byte in [0, 6, u8::MAX] {
            let mut newer = sample(ChangeKind::Appended).encode();
            newer[1] = byte;
            let event = ChangeEvent::decode(&newer).unwrap();
            assert_eq!(event.kind, ChangeKind::Unrecognized(byte));
            assert_eq!(event.account_id, sample(ChangeKind::Appended).account_id);
            assert_eq!(event.encode(), newer);
        }
    }

    #[test]
    fn metadata_changes_are_kind_five() {
        assert_eq!(sample(ChangeKind::MetadataChanged).encode()[1], 5);
    }
}
