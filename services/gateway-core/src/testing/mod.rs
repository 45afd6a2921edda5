//! Test support, compiled for tests and the `testing` feature only:
//! [`MemoryBackend`], an in-memory [`MailBackend`] that keeps the metadata
//! invariants of ARCHITECTURE.md §3 (UIDs strictly rising and never reused,
//! a new MODSEQ for every change, expunges remembered for `changes`), and
//! [`TestClient`], which drives a `Session` over it with byte fragments.
//! Every call can be made to fail with `Unavailable` to test outages.

mod client;
mod data;
mod delivery;
mod metadata;
mod search;
mod sort;
mod status;
#[cfg(test)]
mod tests;

use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use mailkeep_common::mail::{MetadataChange, MetadataChanges, MetadataEntry};
use mailkeep_common::{BlobId, ErrorCode, MailboxId, ModSeq, Uid, UidSet};

pub use client::{TEST_LOGIN, TEST_PASSWORD, TestClient};
use data::{Inner, not_found};
use mailkeep_common::mail::{
    SortCriterion, SortOutcome, ThreadAlgorithm, ThreadOutcome, sort_uids, thread_messages,
};

use crate::backend::{
    AppendOutcome, BackendError, BackendResult, Changes, CopyOutcome, ExpungeOutcome, Flags,
    MailBackend, MailboxInfo, MailboxStatus, MessageMeta, MetaQuery, NewMessage, Principal,
    QuotaUsage, SearchOutcome, SearchQuery, SelectedMailbox, StoreOperation, StoreOutcome,
    SystemFlags,
};

/// An in-memory mail store for any number of accounts.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    inner: Mutex<Inner>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an account with INBOX and the special-use mailboxes (Drafts,
    /// Sent, Trash, Junk, Archive), all subscribed.
    pub fn add_account(&self, login: &str, password: &str) -> Principal {
        self.lock().add_account(login, password)
    }

    /// While set, every call fails with `Unavailable`.
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().unavailable = unavailable;
    }

    /// Limits the total message bytes of `who` (None: unlimited).
    pub fn set_quota(&self, who: &Principal, bytes: Option<u64>) {
        self.lock().set_quota(who, bytes);
    }

    /// Appends one message as a delivery would (analysed with
    /// `mime::analyze`, dated `internal_date` UTC), bypassing any session.
    pub fn deliver(
        &self,
        who: &Principal,
        mailbox: &str,
        raw: &[u8],
        flags: Flags,
        internal_date: i64,
    ) -> BackendResult<Uid> {
        let message = NewMessage {
            raw: raw.to_vec(),
            internal_date,
            internal_date_offset: 0,
            flags,
            analysis: crate::mime::analyze(raw),
        };
        let mut inner = self.checked()?;
        let id = inner.mailbox_by_name(who, mailbox)?.info.id;
        let outcome = inner.append(who, id, vec![message])?;
        outcome
            .uids
            .first()
            .copied()
            .ok_or_else(|| BackendError::new(ErrorCode::Internal, "nothing appended"))
    }

    /// Gives `mailbox` the UIDVALIDITY `uidvalidity` and raises its next UID
    /// to `uid_next` (never lowers it), as a mailbox with a history would
    /// have them: lets tests reproduce the UIDs of RFC examples.
    pub fn renumber(
        &self,
        who: &Principal,
        mailbox: &str,
        uidvalidity: u32,
        uid_next: u32,
    ) -> BackendResult<()> {
        let mut inner = self.checked()?;
        let info = &mut inner.mailbox_by_name(who, mailbox)?.info;
        info.uidvalidity = uidvalidity;
        info.uid_next = info.uid_next.max(uid_next);
        Ok(())
    }

    /// The UIDs currently in `mailbox`.
    pub fn uids(&self, who: &Principal, mailbox: &str) -> BackendResult<UidSet> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_name(who, mailbox)?;
        Ok(mailbox
            .messages
            .keys()
            .filter_map(|&uid| Uid::new(uid))
            .collect())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn checked(&self) -> BackendResult<std::sync::MutexGuard<'_, Inner>> {
        let inner = self.lock();
        if inner.unavailable {
            return Err(BackendError::new(
                ErrorCode::Unavailable,
                "backend unavailable",
            ));
        }
        Ok(inner)
    }
}

#[async_trait]
impl MailBackend for MemoryBackend {
    async fn authenticate(&self, login: &str, password: &str) -> BackendResult<Principal> {
        self.checked()?.authenticate(login, password)
    }

    async fn list_mailboxes(&self, who: &Principal) -> BackendResult<Vec<MailboxInfo>> {
        let mut inner = self.checked()?;
        let account = inner.account(who)?;
        Ok(account.mailboxes.iter().map(|m| m.info.clone()).collect())
    }

    async fn create_mailbox(
        &self,
        who: &Principal,
        name: &str,
        special_use: Option<&str>,
    ) -> BackendResult<MailboxInfo> {
        self.checked()?.create_mailbox(who, name, special_use)
    }

    async fn delete_mailbox(&self, who: &Principal, name: &str) -> BackendResult<()> {
        self.checked()?.delete_mailbox(who, name)
    }

    async fn rename_mailbox(&self, who: &Principal, from: &str, to: &str) -> BackendResult<()> {
        self.checked()?.rename_mailbox(who, from, to)
    }

    async fn set_subscription(
        &self,
        who: &Principal,
        name: &str,
        subscribed: bool,
    ) -> BackendResult<()> {
        let mut inner = self.checked()?;
        if subscribed {
            inner.mailbox_by_name(who, name)?;
        }
        let account = inner.account(who)?;
        if subscribed {
            account.subscriptions.insert(name.to_owned());
        } else {
            account.subscriptions.remove(name);
        }
        Ok(())
    }

    async fn list_subscriptions(&self, who: &Principal) -> BackendResult<Vec<String>> {
        let mut inner = self.checked()?;
        Ok(inner.account(who)?.subscriptions.iter().cloned().collect())
    }

    async fn mailbox_status(&self, who: &Principal, name: &str) -> BackendResult<MailboxStatus> {
        let mut inner = self.checked()?;
        Ok(status::mailbox_status(inner.mailbox_by_name(who, name)?))
    }

    async fn mailbox_statuses(
        &self,
        who: &Principal,
        names: &[String],
    ) -> BackendResult<Vec<MailboxStatus>> {
        let mut inner = self.checked()?;
        let account = inner.account(who)?;
        Ok(names
            .iter()
            .filter_map(|name| account.mailboxes.iter().find(|m| &m.info.name == name))
            .map(status::mailbox_status)
            .collect())
    }

    async fn quota(&self, who: &Principal) -> BackendResult<QuotaUsage> {
        let mut inner = self.checked()?;
        Ok(status::quota_usage(inner.account(who)?))
    }

    async fn metadata(&self, who: &Principal, mailbox: &str) -> BackendResult<Vec<MetadataEntry>> {
        metadata::entries(&mut *self.checked()?, who, mailbox)
    }

    async fn set_metadata(
        &self,
        who: &Principal,
        mailbox: &str,
        changes: &[MetadataChange],
    ) -> BackendResult<u64> {
        metadata::set(&mut *self.checked()?, who, mailbox, changes)
    }

    async fn metadata_changes(
        &self,
        who: &Principal,
        since: Option<u64>,
    ) -> BackendResult<MetadataChanges> {
        metadata::changes(&mut *self.checked()?, who, since)
    }

    async fn select_mailbox(
        &self,
        who: &Principal,
        name: &str,
        read_only: bool,
    ) -> BackendResult<SelectedMailbox> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_name(who, name)?;
        let uids: UidSet = mailbox
            .messages
            .keys()
            .filter_map(|&u| Uid::new(u))
            .collect();
        let mut recent = UidSet::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut first_unseen = None;
        for message in mailbox.messages.values_mut() {
            if message.recent {
                recent.insert(message.uid);
                // RFC 3501 §2.3.2: \Recent belongs to the first session.
                message.recent = read_only;
            }
            if first_unseen.is_none() && !message.flags.system.contains(SystemFlags::SEEN) {
                first_unseen = Some(message.uid);
            }
            for keyword in &message.flags.keywords {
                if !keywords.contains(keyword) {
                    keywords.push(keyword.clone());
                }
            }
        }
        Ok(SelectedMailbox {
            mailbox: mailbox.info.clone(),
            uids,
            recent,
            first_unseen,
            keywords,
        })
    }

    async fn claim_recent(&self, who: &Principal, mailbox: MailboxId) -> BackendResult<UidSet> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_id(who, mailbox)?;
        let mut claimed = UidSet::new();
        for message in mailbox.messages.values_mut().filter(|m| m.recent) {
            message.recent = false;
            claimed.insert(message.uid);
        }
        Ok(claimed)
    }

    async fn append(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> BackendResult<AppendOutcome> {
        self.checked()?.append(who, mailbox, messages)
    }

    async fn fetch_meta(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        query: MetaQuery,
    ) -> BackendResult<BoxStream<'static, BackendResult<MessageMeta>>> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_id(who, mailbox)?;
        let metas: Vec<BackendResult<MessageMeta>> = mailbox
            .messages
            .values()
            .filter(|m| uids.contains(m.uid))
            .filter(|m| query.changed_since.is_none_or(|since| m.modseq > since))
            .map(|m| Ok(m.meta(query)))
            .collect();
        Ok(stream::iter(metas).boxed())
    }

    async fn read_blob(
        &self,
        who: &Principal,
        blob: BlobId,
        offset: u64,
        length: Option<u64>,
    ) -> BackendResult<Vec<u8>> {
        let inner = self.checked()?;
        let bytes = inner
            .blobs
            .get(&(who.tenant_id, blob))
            .ok_or_else(|| not_found("blob"))?;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let end = match length {
            Some(length) => start.saturating_add(usize::try_from(length).unwrap_or(usize::MAX)),
            None => bytes.len(),
        }
        .min(bytes.len());
        Ok(bytes[start..end].to_vec())
    }

    async fn store_flags(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        operation: StoreOperation,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> BackendResult<StoreOutcome> {
        let mut inner = self.checked()?;
        inner
            .mailbox_by_id(who, mailbox)?
            .store(uids, operation, flags, unchanged_since)
    }

    async fn copy_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome> {
        self.checked()?.copy(who, from, uids, to, false)
    }

    async fn move_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome> {
        self.checked()?.copy(who, from, uids, to, true)
    }

    async fn expunge(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
    ) -> BackendResult<ExpungeOutcome> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_id(who, mailbox)?;
        let doomed: UidSet = mailbox
            .messages
            .values()
            .filter(|m| m.flags.system.contains(SystemFlags::DELETED))
            .filter(|m| uids.is_none_or(|set| set.contains(m.uid)))
            .map(|m| m.uid)
            .collect();
        Ok(ExpungeOutcome {
            highest_modseq: mailbox.remove(&doomed),
            expunged: doomed,
        })
    }

    async fn changes(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> BackendResult<Changes> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_id(who, mailbox)?;
        Ok(Changes {
            highest_modseq: mailbox.info.highest_modseq,
            uid_next: mailbox.info.uid_next,
            changed: mailbox
                .messages
                .values()
                .filter(|m| m.modseq > since)
                .map(|m| m.flag_update())
                .collect(),
            expunged: mailbox
                .expunged
                .iter()
                .filter(|(_, modseq)| *modseq > since)
                .map(|(uid, _)| *uid)
                .collect(),
        })
    }

    async fn search(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
    ) -> BackendResult<SearchOutcome> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_id(who, mailbox)?;
        Ok(SearchOutcome {
            uids: mailbox
                .messages
                .values()
                .filter(|m| search::matches(query, m))
                .map(|m| m.uid)
                .collect(),
            highest_modseq: mailbox.info.highest_modseq,
        })
    }

    async fn sort(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        criteria: &[SortCriterion],
    ) -> BackendResult<SortOutcome> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_id(who, mailbox)?;
        Ok(SortOutcome {
            uids: sort_uids(&sort::inputs(mailbox, query), criteria),
            highest_modseq: mailbox.info.highest_modseq,
        })
    }

    async fn thread(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        algorithm: ThreadAlgorithm,
    ) -> BackendResult<ThreadOutcome> {
        let mut inner = self.checked()?;
        let mailbox = inner.mailbox_by_id(who, mailbox)?;
        Ok(ThreadOutcome {
            threads: thread_messages(&sort::inputs(mailbox, query), algorithm),
            highest_modseq: mailbox.info.highest_modseq,
        })
    }
}
