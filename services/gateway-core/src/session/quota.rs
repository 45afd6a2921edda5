//! QUOTA (RFC 9208) over the account's own limits: one quota root, `""`,
//! covering every mailbox, with the resources STORAGE (in units of 1024
//! octets, usage rounded up) and MESSAGE. A resource without a limit is not
//! listed, and an account with no limit at all has no quota root. Limits
//! come from the admin API, so SETQUOTA is `NO [NOPERM]`.

use std::io;

use super::{CommandContext, Completion};
use crate::backend::QuotaUsage;
use crate::command::MailboxName;
use crate::response::Line;

/// The one quota root of an account.
const ROOT: &str = "";

/// `* QUOTA "" (STORAGE used limit MESSAGE used limit)`, or `None` when no
/// resource is limited.
fn quota_line(usage: &QuotaUsage) -> Option<Vec<u8>> {
    if usage.bytes_limit.is_none() && usage.messages_limit.is_none() {
        return None;
    }
    let mut line = Line::untagged();
    line.atom("QUOTA").string(ROOT.as_bytes()).open();
    if let Some(limit) = usage.bytes_limit {
        line.atom("STORAGE")
            .number(usage.bytes_used.div_ceil(1024))
            .number(limit / 1024);
    }
    if let Some(limit) = usage.messages_limit {
        line.atom("MESSAGE")
            .number(usage.messages_used)
            .number(limit);
    }
    line.close();
    Some(line.finish())
}

async fn usage(ctx: &mut CommandContext<'_>) -> Result<QuotaUsage, Completion> {
    ctx.backend
        .quota(ctx.principal)
        .await
        .map_err(|error| Completion::from_backend(&error))
}

/// GETQUOTA (RFC 9208 §4.1.1).
pub(crate) async fn get_quota(ctx: &mut CommandContext<'_>, root: &str) -> io::Result<Completion> {
    let usage = match usage(ctx).await {
        Ok(usage) => usage,
        Err(completion) => return Ok(completion),
    };
    match quota_line(&usage).filter(|_| root == ROOT) {
        Some(line) => {
            ctx.out.send(&line).await?;
            Ok(Completion::ok("GETQUOTA completed"))
        }
        None => Ok(Completion::no(Some("NONEXISTENT"), "no such quota root")),
    }
}

/// GETQUOTAROOT (RFC 9208 §4.1.2): "the mailbox name parameter doesn't
/// have to reference an existing mailbox", so a name that does not exist
/// yet gets the root it would fall under; with only the personal namespace
/// that is the account's one root for every name.
pub(crate) async fn get_quota_root(
    ctx: &mut CommandContext<'_>,
    mailbox: &MailboxName,
) -> io::Result<Completion> {
    let usage = match usage(ctx).await {
        Ok(usage) => usage,
        Err(completion) => return Ok(completion),
    };
    let quota = quota_line(&usage);
    let mut line = Line::untagged();
    line.atom("QUOTAROOT")
        .mailbox(&mailbox.0, ctx.enabled.utf8_names());
    if quota.is_some() {
        line.string(ROOT.as_bytes());
    }
    let mut response = line.finish();
    response.extend(quota.unwrap_or_default());
    ctx.out.send(&response).await?;
    Ok(Completion::ok("GETQUOTAROOT completed"))
}

/// SETQUOTA (RFC 9208 §4.1.3, only with QUOTASET, which we do not
/// advertise): limits are the operator's, not the user's.
pub(crate) fn set_quota() -> Completion {
    Completion::no(Some("NOPERM"), "quotas are set by the administrator")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_is_in_kibibytes_and_unlimited_resources_are_left_out() {
        let usage = QuotaUsage {
            bytes_used: 1025,
            bytes_limit: Some(512 * 1024),
            messages_used: 3,
            messages_limit: None,
        };
        assert_eq!(
            quota_line(&usage).unwrap(),
            b"* QUOTA \"\" (STORAGE 2 512)\r\n"
        );
        let usage = QuotaUsage {
            messages_limit: Some(100),
            ..usage
        };
        assert_eq!(
            quota_line(&usage).unwrap(),
            b"* QUOTA \"\" (STORAGE 2 512 MESSAGE 3 100)\r\n"
        );
        assert_eq!(quota_line(&QuotaUsage::default()), None);
    }
}
