//! The bytes an IMAP URL names (RFC 5092, for CATENATE, RFC 4469 §4): the
//! message, one of its sections, or a partial range of either, read like
//! FETCH BODY.PEEK[section]<partial> (one metadata call, one ranged blob
//! read), always within the session's own account.
//!
//! Invariant: a URL that names nothing (no such mailbox, a UIDVALIDITY
//! that no longer holds, no such message or part) gives None, never an
//! error: the caller answers `[BADURL]`.

use futures::StreamExt;
use mailkeep_common::{ErrorCode, UidSet};

use super::section::MessageSource;
use crate::backend::{BackendResult, MetaQuery};
use crate::command::Partial;
use crate::imap_url::ImapUrl;
use crate::parser::parse_section;
use crate::session::CommandContext;

/// The bytes `url` names, or None when it names nothing.
pub(crate) async fn read_url_part(
    ctx: &CommandContext<'_>,
    url: &ImapUrl,
) -> BackendResult<Option<Vec<u8>>> {
    let section = match &url.section {
        Some(spec) => match parse_section(spec) {
            Some(section) => section,
            None => return Ok(None),
        },
        None => Default::default(),
    };
    let status = match ctx
        .backend
        .mailbox_status(ctx.principal, &url.mailbox)
        .await
    {
        Ok(status) => status,
        Err(error) if error.code == ErrorCode::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    if url
        .uidvalidity
        .is_some_and(|uidvalidity| uidvalidity != status.mailbox.uidvalidity)
    {
        return Ok(None);
    }
    let uids = UidSet::from_ranges([(url.uid, url.uid)]);
    let query = MetaQuery {
        with_part_table: true,
        ..MetaQuery::default()
    };
    let mut stream = ctx
        .backend
        .fetch_meta(ctx.principal, status.mailbox.id, &uids, query)
        .await?;
    let Some(meta) = stream.next().await.transpose()? else {
        return Ok(None);
    };
    let partial = url.partial.map(|(offset, length)| Partial {
        offset,
        length: length.unwrap_or(u32::MAX),
    });
    MessageSource::new(ctx.backend, ctx.principal, &meta)
        .section(&section, partial)
        .await
}
