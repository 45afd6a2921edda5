//! Mailbox conversions: `Mailbox`, the STATUS and SELECT answers, and the
//! changes after a MODSEQ (RFC 7162 §3.2.5). A missing `mailbox` in an answer
//! is an error; an absent UID set is empty.

use mailkeep_common::mail::{Changes, MailboxInfo, MailboxStatus, SelectedMailbox};
use mailkeep_common::{ModSeq, Uid};

use super::{ConvertError, parse_id, required, uid_set};
use crate::metadata::v1 as pb;
use crate::uid_set_to_proto;

impl From<MailboxInfo> for pb::Mailbox {
    fn from(mailbox: MailboxInfo) -> Self {
        Self {
            id: mailbox.id.to_string(),
            name: mailbox.name,
            uidvalidity: mailbox.uidvalidity,
            uid_next: mailbox.uid_next,
            highest_modseq: mailbox.highest_modseq.get(),
            special_use: mailbox.special_use.unwrap_or_default(),
        }
    }
}

impl TryFrom<pb::Mailbox> for MailboxInfo {
    type Error = ConvertError;

    fn try_from(mailbox: pb::Mailbox) -> Result<Self, ConvertError> {
        Ok(Self {
            id: parse_id(&mailbox.id, "mailbox id")?,
            name: mailbox.name,
            uidvalidity: mailbox.uidvalidity,
            uid_next: mailbox.uid_next,
            highest_modseq: ModSeq::new(mailbox.highest_modseq),
            special_use: Some(mailbox.special_use).filter(|value| !value.is_empty()),
        })
    }
}

fn required_mailbox(mailbox: Option<pb::Mailbox>) -> Result<MailboxInfo, ConvertError> {
    required(mailbox, "mailbox")?.try_into()
}

impl From<MailboxStatus> for pb::MailboxStatusResponse {
    fn from(status: MailboxStatus) -> Self {
        Self {
            mailbox: Some(status.mailbox.into()),
            messages: status.messages,
            recent: status.recent,
            unseen: status.unseen,
            size: status.size,
            deleted: status.deleted,
            deleted_size: status.deleted_size,
        }
    }
}

impl TryFrom<pb::MailboxStatusResponse> for MailboxStatus {
    type Error = ConvertError;

    fn try_from(status: pb::MailboxStatusResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            mailbox: required_mailbox(status.mailbox)?,
            messages: status.messages,
            recent: status.recent,
            unseen: status.unseen,
            size: status.size,
            deleted: status.deleted,
            deleted_size: status.deleted_size,
        })
    }
}

impl From<SelectedMailbox> for pb::SelectMailboxResponse {
    fn from(selected: SelectedMailbox) -> Self {
        Self {
            mailbox: Some(selected.mailbox.into()),
            uids: Some(uid_set_to_proto(&selected.uids)),
            recent: Some(uid_set_to_proto(&selected.recent)),
            first_unseen_uid: selected.first_unseen.map_or(0, Uid::get),
            keywords: selected.keywords,
        }
    }
}

impl TryFrom<pb::SelectMailboxResponse> for SelectedMailbox {
    type Error = ConvertError;

    fn try_from(selected: pb::SelectMailboxResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            mailbox: required_mailbox(selected.mailbox)?,
            uids: uid_set(selected.uids.as_ref()),
            recent: uid_set(selected.recent.as_ref()),
            first_unseen: Uid::new(selected.first_unseen_uid),
            keywords: selected.keywords,
        })
    }
}

impl From<Changes> for pb::ChangesResponse {
    fn from(changes: Changes) -> Self {
        Self {
            highest_modseq: changes.highest_modseq.get(),
            uid_next: changes.uid_next,
            changed: changes.changed.into_iter().map(Into::into).collect(),
            expunged: Some(uid_set_to_proto(&changes.expunged)),
        }
    }
}

impl TryFrom<pb::ChangesResponse> for Changes {
    type Error = ConvertError;

    fn try_from(changes: pb::ChangesResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            highest_modseq: ModSeq::new(changes.highest_modseq),
            uid_next: changes.uid_next,
            changed: changes
                .changed
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
            expunged: uid_set(changes.expunged.as_ref()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::mail::{FlagUpdate, Flags, SystemFlags};
    use mailkeep_common::{MailboxId, UidSet};

    fn info() -> MailboxInfo {
        MailboxInfo {
            id: MailboxId::from_u128(7),
            name: "Work/2024".to_owned(),
            uidvalidity: 3,
            uid_next: 10,
            highest_modseq: ModSeq::new(42),
            special_use: None,
        }
    }

    #[test]
    fn a_mailbox_without_special_use_maps_to_none() {
        let wire = pb::Mailbox::from(info());
        assert_eq!(wire.id, format!("{:032x}", 7));
        assert_eq!(wire.special_use, "");
        let back = MailboxInfo::try_from(wire).unwrap();
        assert_eq!(back.id, MailboxId::from_u128(7));
        assert_eq!(back.special_use, None);
        assert_eq!(back.highest_modseq, ModSeq::new(42));
    }

    #[test]
    fn malformed_ids_and_missing_mailboxes_are_refused() {
        let wire = pb::Mailbox {
            id: "not-an-id".to_owned(),
            ..Default::default()
        };
        assert_eq!(
            MailboxInfo::try_from(wire),
            Err(ConvertError::InvalidId {
                field: "mailbox id"
            })
        );
        assert_eq!(
            MailboxStatus::try_from(pb::MailboxStatusResponse::default()),
            Err(ConvertError::Missing { field: "mailbox" })
        );
    }

    #[test]
    fn select_answers_round_trip() {
        let selected = SelectedMailbox {
            mailbox: info(),
            uids: UidSet::from_ranges([(1, 4), (9, 9)]),
            recent: UidSet::from_ranges([(9, 9)]),
            first_unseen: Uid::new(2),
            keywords: vec!["$Work".to_owned()],
        };
        let wire = pb::SelectMailboxResponse::from(selected.clone());
        assert_eq!(wire.first_unseen_uid, 2);
        assert_eq!(SelectedMailbox::try_from(wire).unwrap(), selected);
        let none = pb::SelectMailboxResponse {
            first_unseen_uid: 0,
            ..pb::SelectMailboxResponse::from(selected)
        };
        assert_eq!(SelectedMailbox::try_from(none).unwrap().first_unseen, None);
    }

    #[test]
    fn changes_round_trip_and_zero_uids_are_refused() {
        let changes = Changes {
            highest_modseq: ModSeq::new(9),
            uid_next: 12,
            changed: vec![FlagUpdate {
                uid: Uid::new(4).unwrap(),
                modseq: ModSeq::new(9),
                flags: Flags {
                    system: SystemFlags(SystemFlags::FLAGGED),
                    keywords: vec![],
                },
            }],
            expunged: UidSet::from_ranges([(2, 3)]),
        };
        let mut wire = pb::ChangesResponse::from(changes.clone());
        assert_eq!(Changes::try_from(wire.clone()).unwrap(), changes);
        wire.changed[0].uid = 0;
        assert_eq!(
            Changes::try_from(wire),
            Err(ConvertError::ZeroUid { field: "uid" })
        );
    }
}
