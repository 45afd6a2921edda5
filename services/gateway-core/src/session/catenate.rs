//! CATENATE (RFC 4469 §5): an APPENDed message built from literal text and
//! IMAP URLs naming messages or parts already in the account. Each URL is
//! one metadata call and one ranged blob read.
//!
//! Invariants: URLs reach only the session's own account (an absolute URL
//! naming another user is `[BADURL]`); a URL that names nothing fails the
//! whole APPEND with `NO [BADURL url]` (RFC 4469 §6), so nothing is
//! appended; the assembled message never exceeds APPENDLIMIT (`[TOOBIG]`).

use super::fetch::read_url_part;
use super::{CommandContext, Completion};
use crate::command::CatenatePart;
use crate::imap_url;

/// The message the parts make, or the refusal that ends the APPEND.
pub(crate) async fn assemble(
    ctx: &CommandContext<'_>,
    parts: Vec<CatenatePart>,
) -> Result<Vec<u8>, Completion> {
    let mut message = Vec::new();
    for part in parts {
        let bytes = match part {
            CatenatePart::Text(text) => text,
            CatenatePart::Url(url) => resolve(ctx, &url).await?,
        };
        let total = message.len().saturating_add(bytes.len());
        if u64::try_from(total).unwrap_or(u64::MAX) > ctx.config.max_literal_bytes {
            return Err(Completion::no(
                Some("TOOBIG"),
                "catenated message exceeds APPENDLIMIT",
            ));
        }
        message.extend_from_slice(&bytes);
    }
    Ok(message)
}

async fn resolve(ctx: &CommandContext<'_>, url: &str) -> Result<Vec<u8>, Completion> {
    let Ok(parsed) = imap_url::parse(url) else {
        return Err(bad_url(url));
    };
    if parsed
        .user
        .as_deref()
        .is_some_and(|user| !names_principal(ctx, user))
    {
        return Err(bad_url(url));
    }
    match read_url_part(ctx, &parsed).await {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(bad_url(url)),
        Err(error) => {
            tracing::warn!(code = %error.code, "reading a CATENATE url failed");
            Err(Completion::from_backend(&error))
        }
    }
}

/// Whether an URL's user is the session's own login (`local@domain`) or
/// its local part.
fn names_principal(ctx: &CommandContext<'_>, user: &str) -> bool {
    let login = ctx.principal.login.as_str();
    user.eq_ignore_ascii_case(login)
        || login
            .split_once('@')
            .is_some_and(|(local, _)| user.eq_ignore_ascii_case(local))
}

/// `NO [BADURL url]`: the URL echoed with the bytes `url-resp-text` cannot
/// hold removed (RFC 4469 §6).
fn bad_url(url: &str) -> Completion {
    let shown: String = url
        .chars()
        .filter(|&c| c.is_ascii() && !c.is_ascii_control() && c != ']')
        .take(512)
        .collect();
    Completion::no(
        Some(&format!("BADURL {shown}")),
        "CATENATE url names no message or part",
    )
}
