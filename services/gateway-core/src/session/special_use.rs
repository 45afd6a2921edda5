//! CREATE-SPECIAL-USE (RFC 6154 §3): `CREATE name (USE (\Sent))`. A mailbox
//! holds at most one special use, and only the uses of real mailboxes are
//! accepted (`\All` and `\Flagged` would be virtual mailboxes Mailkeep does
//! not maintain); anything else, or a use another mailbox already has, is
//! `NO [USEATTR]` and nothing is created (RFC 6154 §3).

use super::mailboxes::create_with_use;
use super::{CommandContext, Completion};
use crate::command::MailboxName;

/// The special uses a created mailbox may take, canonical spelling.
const CREATABLE_USES: [&str; 5] = ["\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash"];

fn use_refused(text: impl Into<String>) -> Completion {
    Completion::no(Some("USEATTR"), text)
}

/// CREATE with a USE list.
pub(crate) async fn create_special_use(
    ctx: &mut CommandContext<'_>,
    name: &MailboxName,
    uses: &[String],
) -> Completion {
    let special_use = match uses {
        [] => None,
        [single] => {
            let Some(known) = CREATABLE_USES
                .into_iter()
                .find(|known| known.eq_ignore_ascii_case(single))
            else {
                return use_refused(format!("unsupported special use {single}"));
            };
            Some(known)
        }
        _ => return use_refused("a mailbox takes one special use"),
    };
    if let Some(wanted) = special_use {
        let mailboxes = match ctx.backend.list_mailboxes(ctx.principal).await {
            Ok(mailboxes) => mailboxes,
            Err(error) => return Completion::from_backend(&error),
        };
        if mailboxes
            .iter()
            .any(|mailbox| mailbox.special_use.as_deref() == Some(wanted))
        {
            return use_refused(format!("another mailbox already has {wanted}"));
        }
    }
    create_with_use(ctx, name, special_use).await
}
