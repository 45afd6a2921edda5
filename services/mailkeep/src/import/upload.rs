//! The target side: the account (resolved by address with `GetAccount`),
//! its folders (created when missing; common client names of the special
//! folders map to the account's `\Sent`, `\Drafts`, ... folder), the
//! content hashes already in a folder (one `FetchMessages` stream per
//! folder), and batched appends through the gateway's `GrpcBackend`, which
//! stores every body before the one `AppendMessages` call (invariant 3).
//! Shared by `mailkeep import` and the IMAP migration workers.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use futures::TryStreamExt;
use mailkeep_common::{AccountId, BlobId, ErrorCode, MailboxId, TenantId, UidSet};
use mailkeep_gateway::GrpcBackend;
use mailkeep_gateway_core::backend::{
    BackendError, MailBackend, MailboxInfo, MetaQuery, NewMessage, Principal,
};
use mailkeep_proto::InternalAuth;
use mailkeep_proto::metadata::v1::GetAccountRequest;
use mailkeep_proto::metadata::v1::metadata_client::MetadataClient;
use sha2::{Digest, Sha256};
use tonic::transport::Endpoint;

use super::source::SourceMessage;

/// Client folder names that mean a special-use folder (RFC 6154).
const SPECIAL_ALIASES: [(&str, &str); 12] = [
    ("Sent", "\\Sent"),
    ("Sent Items", "\\Sent"),
    ("Sent Messages", "\\Sent"),
    ("Sent Mail", "\\Sent"),
    ("Drafts", "\\Drafts"),
    ("Trash", "\\Trash"),
    ("Deleted Items", "\\Trash"),
    ("Deleted Messages", "\\Trash"),
    ("Junk", "\\Junk"),
    ("Spam", "\\Junk"),
    ("Archive", "\\Archive"),
    ("Archives", "\\Archive"),
];

/// The account being imported into.
pub struct Target {
    backend: Arc<GrpcBackend>,
    who: Principal,
    mailboxes: Vec<MailboxInfo>,
}

/// Where one folder's messages go, and the bodies it already holds.
pub struct FolderTarget {
    pub name: String,
    id: MailboxId,
    /// Content hash -> copies present and not yet matched by a source message.
    existing: HashMap<BlobId, usize>,
}

impl Target {
    /// Resolves `local_part@domain` and lists its folders.
    pub async fn connect(
        metadata_url: &str,
        blob_url: &str,
        internal_token: &str,
        local_part: &str,
        domain: &str,
    ) -> anyhow::Result<Self> {
        let backend = mailkeep_gateway::connect_backend(metadata_url, blob_url, internal_token)
            .await
            .context("cannot set up the backend clients")?;
        let auth = InternalAuth::new(internal_token).context("invalid internal token")?;
        let channel = Endpoint::from_shared(metadata_url.to_owned())
            .with_context(|| format!("invalid metadata url {metadata_url}"))?
            .connect_lazy();
        let mut metadata =
            MetadataClient::with_interceptor(channel, move |request| auth.attach(request));
        let account = metadata
            .get_account(GetAccountRequest {
                domain: domain.to_owned(),
                local_part: local_part.to_owned(),
            })
            .await
            .map_err(|status| anyhow::anyhow!("{}", status.message()))
            .with_context(|| format!("cannot find the account {local_part}@{domain}"))?
            .into_inner();
        let who = Principal {
            account_id: account
                .id
                .parse::<AccountId>()
                .context("malformed account id")?,
            tenant_id: account
                .tenant_id
                .parse::<TenantId>()
                .context("malformed tenant id")?,
            login: format!("{local_part}@{domain}"),
        };
        let mailboxes = backend.list_mailboxes(&who).await?;
        Ok(Self {
            backend,
            who,
            mailboxes,
        })
    }

    /// The folder `name` (created when missing), with its content hashes.
    pub async fn open_folder(&mut self, name: &str) -> anyhow::Result<FolderTarget> {
        let mailbox = match self.find(name) {
            Some(found) => found.clone(),
            None => {
                let special_use = special_use_of(name);
                let created = self
                    .backend
                    .create_mailbox(&self.who, name, special_use)
                    .await
                    .with_context(|| format!("cannot create the folder {name}"))?;
                self.mailboxes.push(created.clone());
                created
            }
        };
        let mut existing = HashMap::new();
        if mailbox.uid_next > 1 {
            let uids = UidSet::from_ranges([(1, mailbox.uid_next - 1)]);
            let mut stream = self
                .backend
                .fetch_meta(&self.who, mailbox.id, &uids, MetaQuery::default())
                .await?;
            while let Some(meta) = stream.try_next().await? {
                *existing.entry(meta.blob_id).or_insert(0) += 1;
            }
        }
        Ok(FolderTarget {
            name: mailbox.name,
            id: mailbox.id,
            existing,
        })
    }

    /// An exact name, else the folder with the special use the name means.
    fn find(&self, name: &str) -> Option<&MailboxInfo> {
        let exact = self.mailboxes.iter().find(|mailbox| {
            mailbox.name == name || (name.eq_ignore_ascii_case("INBOX") && mailbox.name == "INBOX")
        });
        exact.or_else(|| {
            let wanted = special_use_of(name)?;
            self.mailboxes
                .iter()
                .find(|mailbox| mailbox.special_use.as_deref() == Some(wanted))
        })
    }

    /// Appends `messages` to `folder`: in one call, and when that call is
    /// refused, one by one, so only the messages at fault fail. The answer
    /// has one entry per message, in order: `Err` with the reason for a
    /// message not stored. An unreachable backend fails the whole call
    /// instead (stored messages are found again by [`FolderTarget::take_existing`]
    /// when the caller retries).
    pub async fn append_isolating(
        &self,
        folder: &FolderTarget,
        messages: Vec<SourceMessage>,
    ) -> anyhow::Result<Vec<Result<(), String>>> {
        let count = messages.len();
        if count > 1 {
            match self.append(folder, messages.clone()).await {
                Ok(()) => return Ok(vec![Ok(()); count]),
                Err(error) if error.code == ErrorCode::Unavailable => return Err(error.into()),
                Err(_) => {}
            }
        }
        let mut outcomes = Vec::with_capacity(count);
        for message in messages {
            match self.append(folder, vec![message]).await {
                Ok(()) => outcomes.push(Ok(())),
                Err(error) if error.code == ErrorCode::Unavailable => return Err(error.into()),
                Err(error) => outcomes.push(Err(format!("{error} (folder {})", folder.name))),
            }
        }
        Ok(outcomes)
    }

    /// Appends `messages` to `folder` in one call.
    async fn append(
        &self,
        folder: &FolderTarget,
        messages: Vec<SourceMessage>,
    ) -> Result<(), BackendError> {
        let now = chrono::Utc::now().timestamp();
        let new_messages = messages
            .into_iter()
            .map(|message| {
                let analysis = mailkeep_gateway_core::mime::analyze(&message.raw);
                let internal_date = message.internal_date.or(analysis.sent_date).unwrap_or(now);
                NewMessage {
                    raw: message.raw,
                    internal_date,
                    internal_date_offset: message.internal_date_offset,
                    flags: message.flags,
                    analysis,
                }
            })
            .collect();
        self.backend
            .append(&self.who, folder.id, new_messages)
            .await?;
        Ok(())
    }
}

impl FolderTarget {
    /// True when the folder already holds an unmatched copy of `raw` (that
    /// copy is then matched, so two source copies need two stored ones).
    pub fn take_existing(&mut self, raw: &[u8]) -> bool {
        let id = BlobId::from_digest(Sha256::digest(raw).into());
        match self.existing.get_mut(&id) {
            Some(count) if *count > 0 => {
                *count -= 1;
                true
            }
            _ => false,
        }
    }
}

/// At most this many messages per `AppendMessages` call.
const BATCH_MESSAGES: usize = 50;
/// A batch is sent once its messages reach this many bytes.
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// Messages waiting for one `AppendMessages` call: at most
/// [`BATCH_MESSAGES`] messages, or [`BATCH_BYTES`] bytes past which it is
/// full.
#[derive(Default)]
pub struct Batch {
    messages: Vec<SourceMessage>,
    bytes: usize,
}

impl Batch {
    pub fn push(&mut self, message: SourceMessage) {
        self.bytes += message.raw.len();
        self.messages.push(message);
    }

    pub fn is_full(&self) -> bool {
        self.messages.len() >= BATCH_MESSAGES || self.bytes >= BATCH_BYTES
    }

    pub fn take(&mut self) -> Vec<SourceMessage> {
        self.bytes = 0;
        std::mem::take(&mut self.messages)
    }
}

/// The special use a client folder name stands for.
fn special_use_of(name: &str) -> Option<&'static str> {
    SPECIAL_ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        .map(|(_, special_use)| *special_use)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_of_special_folders_map_to_special_uses() {
        assert_eq!(special_use_of("Sent Items"), Some("\\Sent"));
        assert_eq!(special_use_of("spam"), Some("\\Junk"));
        assert_eq!(special_use_of("Deleted Messages"), Some("\\Trash"));
        assert_eq!(special_use_of("Work"), None);
    }

    #[test]
    fn a_batch_is_full_at_its_message_or_byte_bound() {
        let message = |size: usize| SourceMessage {
            origin: "test".to_owned(),
            raw: vec![b'x'; size],
            internal_date: None,
            internal_date_offset: 0,
            flags: mailkeep_gateway_core::backend::Flags::default(),
        };
        let mut batch = Batch::default();
        for _ in 0..BATCH_MESSAGES - 1 {
            batch.push(message(10));
        }
        assert!(!batch.is_full());
        batch.push(message(10));
        assert!(batch.is_full());
        assert_eq!(batch.take().len(), BATCH_MESSAGES);
        assert!(!batch.is_full());
        batch.push(message(BATCH_BYTES));
        assert!(batch.is_full());
    }

    #[test]
    fn existing_copies_are_matched_one_source_copy_each() {
        let id = BlobId::from_digest(Sha256::digest(b"body").into());
        let mut folder = FolderTarget {
            name: "INBOX".to_owned(),
            id: MailboxId::from_u128(1),
            existing: HashMap::from([(id, 1)]),
        };
        assert!(folder.take_existing(b"body"));
        assert!(!folder.take_existing(b"body"));
        assert!(!folder.take_existing(b"other"));
    }
}
