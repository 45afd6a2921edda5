//! The memory backend's data and the operations that change it. Each
//! mailbox keeps `uid_next` and `highest_modseq` counters: a message always
//! gets `uid_next` (then incremented) and every change takes a new MODSEQ,
//! so UIDs never repeat and `changes(since)` sees every change.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use mailkeep_common::{AccountId, BlobId, ErrorCode, MailboxId, ModSeq, TenantId, Uid, UidSet};
use sha2::{Digest, Sha256};

use crate::backend::{
    AppendOutcome, BackendError, BackendResult, CopyOutcome, FlagUpdate, Flags, MailboxInfo,
    MessageAnalysis, MessageMeta, MetaQuery, NewMessage, Principal, StoreOperation, StoreOutcome,
};

const SPECIAL_USE: [(&str, &str); 5] = [
    ("Drafts", "\\Drafts"),
    ("Sent", "\\Sent"),
    ("Trash", "\\Trash"),
    ("Junk", "\\Junk"),
    ("Archive", "\\Archive"),
];

pub(super) fn not_found(what: &str) -> BackendError {
    BackendError::new(ErrorCode::NotFound, format!("{what} not found"))
}

#[derive(Debug, Clone)]
pub(super) struct Message {
    pub uid: Uid,
    pub modseq: ModSeq,
    pub flags: Flags,
    pub blob_id: BlobId,
    pub size: u64,
    /// Delivery header lines before the blob (empty for APPEND).
    pub prefix: Vec<u8>,
    pub internal_date: i64,
    pub internal_date_offset: i32,
    pub analysis: MessageAnalysis,
    pub recent: bool,
    pub email_id: String,
}

impl Message {
    pub(super) fn meta(&self, query: MetaQuery) -> MessageMeta {
        let pick = |wanted: bool, value: &Vec<u8>| if wanted { value.clone() } else { Vec::new() };
        MessageMeta {
            uid: self.uid,
            modseq: self.modseq,
            flags: self.flags.clone(),
            blob_id: self.blob_id,
            size: self.size,
            prefix: self.prefix.clone(),
            internal_date: self.internal_date,
            internal_date_offset: self.internal_date_offset,
            envelope: pick(query.with_envelope, &self.analysis.envelope),
            bodystructure: pick(query.with_bodystructure, &self.analysis.bodystructure),
            body: pick(query.with_bodystructure, &self.analysis.body),
            part_table: pick(query.with_part_table, &self.analysis.part_table),
            email_id: self.email_id.clone(),
            // A thread per message, its id apart from the EMAILID (RFC 8474 §5.2).
            thread_id: self.email_id.replacen('M', "T", 1),
        }
    }

    pub(super) fn flag_update(&self) -> FlagUpdate {
        FlagUpdate {
            uid: self.uid,
            modseq: self.modseq,
            flags: self.flags.clone(),
        }
    }
}

#[derive(Debug)]
pub(super) struct Mailbox {
    pub info: MailboxInfo,
    pub messages: BTreeMap<u32, Message>,
    pub expunged: Vec<(Uid, ModSeq)>,
}

impl Mailbox {
    fn next_modseq(&mut self) -> ModSeq {
        self.info.highest_modseq = ModSeq::new(self.info.highest_modseq.get() + 1);
        self.info.highest_modseq
    }

    /// Adds a message under the next UID with a new MODSEQ.
    pub(super) fn add(&mut self, mut message: Message) -> Uid {
        let uid = Uid::new(self.info.uid_next).unwrap_or(Uid::MAX);
        self.info.uid_next = self.info.uid_next.saturating_add(1);
        message.uid = uid;
        message.modseq = self.next_modseq();
        message.recent = true;
        self.messages.insert(uid.get(), message);
        uid
    }

    /// Expunges `uids` under one new MODSEQ; returns the highest MODSEQ.
    pub(super) fn remove(&mut self, uids: &UidSet) -> ModSeq {
        if uids.is_empty() {
            return self.info.highest_modseq;
        }
        let modseq = self.next_modseq();
        for uid in uids.iter() {
            if self.messages.remove(&uid.get()).is_some() {
                self.expunged.push((uid, modseq));
            }
        }
        modseq
    }

    pub(super) fn store(
        &mut self,
        uids: &UidSet,
        operation: StoreOperation,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> BackendResult<StoreOutcome> {
        let mut updated = Vec::new();
        let mut modified = UidSet::new();
        let targets: Vec<u32> = uids
            .iter()
            .map(Uid::get)
            .filter(|u| self.messages.contains_key(u))
            .collect();
        for uid in targets {
            let Some(current) = self.messages.get(&uid) else {
                continue;
            };
            if unchanged_since.is_some_and(|limit| current.modseq > limit) {
                modified.insert(current.uid);
                continue;
            }
            let next = apply(&current.flags, operation, flags);
            let changed = next != current.flags;
            let modseq = if changed {
                Some(self.next_modseq())
            } else {
                None
            };
            if let Some(message) = self.messages.get_mut(&uid) {
                message.flags = next;
                if let Some(modseq) = modseq {
                    message.modseq = modseq;
                }
                updated.push(message.flag_update());
            }
        }
        Ok(StoreOutcome {
            updated,
            modified,
            highest_modseq: self.info.highest_modseq,
        })
    }
}

fn has_keyword(keywords: &[String], keyword: &str) -> bool {
    keywords.iter().any(|k| k.eq_ignore_ascii_case(keyword))
}

fn apply(current: &Flags, operation: StoreOperation, change: &Flags) -> Flags {
    match operation {
        StoreOperation::Replace => change.clone(),
        StoreOperation::Add => {
            let mut next = current.clone();
            next.system.0 |= change.system.0;
            for keyword in &change.keywords {
                if !has_keyword(&next.keywords, keyword) {
                    next.keywords.push(keyword.clone());
                }
            }
            next
        }
        StoreOperation::Remove => Flags {
            system: crate::backend::SystemFlags(current.system.0 & !change.system.0),
            keywords: current
                .keywords
                .iter()
                .filter(|k| !has_keyword(&change.keywords, k))
                .cloned()
                .collect(),
        },
    }
}

#[derive(Debug)]
pub(super) struct Account {
    pub principal: Principal,
    pub password: String,
    pub mailboxes: Vec<Mailbox>,
    pub subscriptions: BTreeSet<String>,
    pub quota_bytes: Option<u64>,
    /// METADATA entries by (mailbox id, `""` for the server; entry name).
    pub metadata: BTreeMap<(String, String), Vec<u8>>,
    /// The METADATA change counter, and when each entry (removed ones
    /// too) last changed, by the same key.
    pub metadata_modseq: u64,
    pub metadata_changed: BTreeMap<(String, String), u64>,
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    pub accounts: Vec<Account>,
    pub blobs: HashMap<(TenantId, BlobId), Vec<u8>>,
    pub unavailable: bool,
    next_id: u128,
}

impl Inner {
    pub(super) fn next_id(&mut self) -> u128 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn add_account(&mut self, login: &str, password: &str) -> Principal {
        let principal = Principal {
            account_id: AccountId::from_u128(self.next_id()),
            tenant_id: TenantId::from_u128(1),
            login: login.to_owned(),
        };
        self.accounts.push(Account {
            principal: principal.clone(),
            password: password.to_owned(),
            mailboxes: Vec::new(),
            subscriptions: BTreeSet::new(),
            quota_bytes: None,
            metadata: BTreeMap::new(),
            metadata_modseq: 0,
            metadata_changed: BTreeMap::new(),
        });
        let specials = [("INBOX", None)]
            .into_iter()
            .chain(SPECIAL_USE.map(|(name, attribute)| (name, Some(attribute))));
        for (name, special_use) in specials {
            // A fresh account holds none of these names yet.
            if self.create_mailbox(&principal, name, special_use).is_ok()
                && let Ok(account) = self.account(&principal)
            {
                account.subscriptions.insert(name.to_owned());
            }
        }
        principal
    }

    pub(super) fn set_quota(&mut self, who: &Principal, bytes: Option<u64>) {
        if let Ok(account) = self.account(who) {
            account.quota_bytes = bytes;
        }
    }

    pub(super) fn authenticate(&self, login: &str, password: &str) -> BackendResult<Principal> {
        self.accounts
            .iter()
            .find(|a| a.principal.login.eq_ignore_ascii_case(login) && a.password == password)
            .map(|a| a.principal.clone())
            .ok_or_else(|| {
                BackendError::new(ErrorCode::AuthenticationFailed, "invalid credentials")
            })
    }

    pub(super) fn account(&mut self, who: &Principal) -> BackendResult<&mut Account> {
        self.accounts
            .iter_mut()
            .find(|a| a.principal.account_id == who.account_id)
            .ok_or_else(|| BackendError::new(ErrorCode::PermissionDenied, "unknown account"))
    }

    pub(super) fn mailbox_by_name(
        &mut self,
        who: &Principal,
        name: &str,
    ) -> BackendResult<&mut Mailbox> {
        self.account(who)?
            .mailboxes
            .iter_mut()
            .find(|m| m.info.name == name)
            .ok_or_else(|| not_found("mailbox"))
    }

    pub(super) fn mailbox_by_id(
        &mut self,
        who: &Principal,
        id: MailboxId,
    ) -> BackendResult<&mut Mailbox> {
        self.account(who)?
            .mailboxes
            .iter_mut()
            .find(|m| m.info.id == id)
            .ok_or_else(|| not_found("mailbox"))
    }

    pub(super) fn create_mailbox(
        &mut self,
        who: &Principal,
        name: &str,
        special_use: Option<&str>,
    ) -> BackendResult<MailboxInfo> {
        if self.mailbox_by_name(who, name).is_ok() {
            return Err(BackendError::new(
                ErrorCode::AlreadyExists,
                "mailbox exists",
            ));
        }
        for (index, _) in name.match_indices('/') {
            if self.mailbox_by_name(who, &name[..index]).is_err() {
                self.create_mailbox(who, &name[..index], None)?;
            }
        }
        let id = self.next_id();
        let info = MailboxInfo {
            id: MailboxId::from_u128(id),
            name: name.to_owned(),
            uidvalidity: u32::try_from(1000 + id).unwrap_or(u32::MAX),
            uid_next: 1,
            highest_modseq: ModSeq::new(1),
            special_use: special_use.map(str::to_owned),
        };
        self.account(who)?.mailboxes.push(Mailbox {
            info: info.clone(),
            messages: BTreeMap::new(),
            expunged: Vec::new(),
        });
        Ok(info)
    }

    pub(super) fn delete_mailbox(&mut self, who: &Principal, name: &str) -> BackendResult<()> {
        if name == "INBOX" {
            return Err(BackendError::new(
                ErrorCode::InvalidArgument,
                "INBOX cannot be deleted",
            ));
        }
        let id = self.mailbox_by_name(who, name)?.info.id.to_string();
        let account = self.account(who)?;
        let prefix = format!("{name}/");
        if account
            .mailboxes
            .iter()
            .any(|m| m.info.name.starts_with(&prefix))
        {
            return Err(BackendError::new(
                ErrorCode::Conflict,
                "mailbox has children",
            ));
        }
        account.mailboxes.retain(|m| m.info.name != name);
        account.metadata.retain(|(mailbox, _), _| *mailbox != id);
        account
            .metadata_changed
            .retain(|(mailbox, _), _| *mailbox != id);
        Ok(())
    }

    pub(super) fn rename_mailbox(
        &mut self,
        who: &Principal,
        from: &str,
        to: &str,
    ) -> BackendResult<()> {
        self.mailbox_by_name(who, from)?;
        if self.mailbox_by_name(who, to).is_ok() {
            return Err(BackendError::new(ErrorCode::AlreadyExists, "target exists"));
        }
        if from == "INBOX" {
            // RFC 3501 §6.3.5: INBOX's messages move; INBOX stays, empty.
            let target = self.create_mailbox(who, to, None)?.id;
            let inbox = self.mailbox_by_name(who, "INBOX")?;
            let moved: Vec<Message> = inbox.messages.values().cloned().collect();
            let all: UidSet = moved.iter().map(|m| m.uid).collect();
            inbox.remove(&all);
            let destination = self.mailbox_by_id(who, target)?;
            for message in moved {
                destination.add(message);
            }
            return Ok(());
        }
        let prefix = format!("{from}/");
        let parent = to.rsplit_once('/').map(|(parent, _)| parent.to_owned());
        for mailbox in &mut self.account(who)?.mailboxes {
            if mailbox.info.name == from {
                mailbox.info.name = to.to_owned();
            } else if let Some(rest) = mailbox.info.name.strip_prefix(&prefix) {
                mailbox.info.name = format!("{to}/{rest}");
            }
        }
        if let Some(parent) = parent.filter(|p| self.mailbox_by_name(who, p).is_err()) {
            self.create_mailbox(who, &parent, None)?;
        }
        Ok(())
    }

    fn usage(&mut self, who: &Principal) -> BackendResult<(u64, Option<u64>)> {
        let account = self.account(who)?;
        let used = account
            .mailboxes
            .iter()
            .flat_map(|m| m.messages.values())
            .map(|m| m.size)
            .sum();
        Ok((used, account.quota_bytes))
    }

    pub(super) fn check_quota(&mut self, who: &Principal, adding: u64) -> BackendResult<()> {
        let (used, quota) = self.usage(who)?;
        if quota.is_some_and(|quota| used + adding > quota) {
            return Err(BackendError::new(ErrorCode::OverQuota, "quota exceeded"));
        }
        Ok(())
    }

    pub(super) fn append(
        &mut self,
        who: &Principal,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> BackendResult<AppendOutcome> {
        self.mailbox_by_id(who, mailbox)?;
        self.check_quota(who, messages.iter().map(|m| m.raw.len() as u64).sum())?;
        let mut prepared = Vec::with_capacity(messages.len());
        for message in messages {
            let blob_id = BlobId::from_digest(Sha256::digest(&message.raw).into());
            let size = message.raw.len() as u64;
            self.blobs.insert((who.tenant_id, blob_id), message.raw);
            prepared.push(Message {
                uid: Uid::MIN,
                modseq: ModSeq::default(),
                flags: message.flags,
                blob_id,
                size,
                prefix: Vec::new(),
                internal_date: message.internal_date,
                internal_date_offset: message.internal_date_offset,
                analysis: message.analysis,
                recent: true,
                email_id: format!("M{:x}", self.next_id()),
            });
        }
        let target = self.mailbox_by_id(who, mailbox)?;
        let uids = prepared.into_iter().map(|m| target.add(m)).collect();
        Ok(AppendOutcome {
            uidvalidity: target.info.uidvalidity,
            uids,
            modseq: target.info.highest_modseq,
        })
    }

    /// COPY, or MOVE when `remove_source` (RFC 6851: one expunge in the source).
    pub(super) fn copy(
        &mut self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
        remove_source: bool,
    ) -> BackendResult<CopyOutcome> {
        self.mailbox_by_id(who, to)?;
        let source = self.mailbox_by_id(who, from)?;
        let copies: Vec<Message> = source
            .messages
            .values()
            .filter(|m| uids.contains(m.uid))
            .cloned()
            .collect();
        if !remove_source {
            self.check_quota(who, copies.iter().map(|m| m.size).sum())?;
        }
        let source_uids: Vec<Uid> = copies.iter().map(|m| m.uid).collect();
        let destination = self.mailbox_by_id(who, to)?;
        let uidvalidity = destination.info.uidvalidity;
        let destination_uids = copies.into_iter().map(|m| destination.add(m)).collect();
        let source = self.mailbox_by_id(who, from)?;
        let source_modseq = if remove_source {
            source.remove(&source_uids.iter().copied().collect())
        } else {
            source.info.highest_modseq
        };
        Ok(CopyOutcome {
            uidvalidity,
            source_uids,
            destination_uids,
            source_modseq,
        })
    }
}
