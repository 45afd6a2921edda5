//! The extensions a session has switched on, and how they get switched on:
//! ENABLE (RFC 5161) for CONDSTORE, QRESYNC, IMAP4rev2 and UTF8=ACCEPT
//! (RFC 6855), plus the
//! "CONDSTORE-enabling commands" of RFC 7162 §3.1 (SELECT/EXAMINE with
//! CONDSTORE, FETCH MODSEQ or CHANGEDSINCE, SEARCH MODSEQ, STORE
//! UNCHANGEDSINCE, STATUS HIGHESTMODSEQ).
//!
//! Invariants: an extension is enabled only if the server advertises it
//! (ENABLE ignores anything else, RFC 5161 §3.1); QRESYNC implies CONDSTORE
//! (RFC 7162 §3.2.3); nothing is ever disabled for the connection's life.

use std::io;

use super::auth::is_advertised;
use super::{CommandContext, Completion, Selected};
use crate::command::{CommandBody, FetchAttribute, SearchKey, StatusItem};
use crate::response::{Line, Status, condition};

/// Extensions enabled for this connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enabled {
    /// RFC 7162 §3.1: MODSEQ in every untagged FETCH of flags.
    pub condstore: bool,
    /// RFC 7162 §3.2: VANISHED instead of EXPUNGE, UID in untagged FETCH.
    pub qresync: bool,
    /// RFC 9051: no `\Recent`, ESEARCH answers to SEARCH.
    pub imap4rev2: bool,
    /// RFC 6855 §3: UTF-8 mailbox names, no SEARCH CHARSET.
    pub utf8_accept: bool,
    /// Not an ENABLE item: NOTIFY watches the selected mailbox's
    /// FlagChange, so untagged FETCH of flags carries UID (RFC 5465 §5.1).
    pub notify_flag_uids: bool,
}

impl Enabled {
    /// Whether mailbox names travel as UTF-8 instead of modified UTF-7:
    /// after ENABLE UTF8=ACCEPT (RFC 6855 §3) or IMAP4rev2 (RFC 9051 §5.1).
    pub fn utf8_names(&self) -> bool {
        self.utf8_accept || self.imap4rev2
    }

    /// Switches `name` (upper-case) on; true when it was not on before.
    fn enable(&mut self, name: &str) -> bool {
        let before = *self;
        match name {
            "CONDSTORE" => self.condstore = true,
            "QRESYNC" => {
                self.qresync = true;
                self.condstore = true;
            }
            "IMAP4REV2" => self.imap4rev2 = true,
            "UTF8=ACCEPT" => self.utf8_accept = true,
            _ => {}
        }
        // QRESYNC counts as new even when CONDSTORE was already on.
        match name {
            "QRESYNC" => !before.qresync,
            _ => *self != before,
        }
    }
}

/// ENABLE (RFC 5161 §3.1): `* ENABLED` lists what this command switched
/// on, in the client's spelling order; unknown or unadvertised names are
/// ignored, as the RFC asks.
pub(crate) async fn enable(
    ctx: &mut CommandContext<'_>,
    names: &[String],
) -> io::Result<Completion> {
    let mut line = Line::untagged();
    line.atom("ENABLED");
    for name in names {
        let upper = name.to_ascii_uppercase();
        if is_advertised(&upper) && ctx.enabled.enable(&upper) {
            line.atom(if upper == "IMAP4REV2" {
                "IMAP4rev2"
            } else {
                &upper
            });
        }
    }
    ctx.out.send(&line.finish()).await?;
    Ok(Completion::ok("ENABLE completed"))
}

/// RFC 6855 §3 with erratum 4029: once UTF8=ACCEPT is on, a SEARCH naming
/// a CHARSET, or a SORT or THREAD naming one other than UTF-8, conflicts
/// with the UTF-8 the client promised, and gets `BAD`.
pub(crate) fn utf8_conflict(enabled: &Enabled, body: &CommandBody) -> Option<&'static str> {
    if !enabled.utf8_accept {
        return None;
    }
    match body {
        CommandBody::Search { args, .. } if args.charset.is_some() => {
            Some("SEARCH CHARSET is not allowed after ENABLE UTF8=ACCEPT")
        }
        CommandBody::Sort { args, .. } if args.charset != "UTF-8" => {
            Some("SORT takes only UTF-8 after ENABLE UTF8=ACCEPT")
        }
        CommandBody::Thread { args, .. } if args.charset != "UTF-8" => {
            Some("THREAD takes only UTF-8 after ENABLE UTF8=ACCEPT")
        }
        _ => None,
    }
}

/// Whether `body` is a CONDSTORE-enabling command (RFC 7162 §3.1).
pub(crate) fn enables_condstore(body: &CommandBody) -> bool {
    match body {
        CommandBody::Select(_, parameters) | CommandBody::Examine(_, parameters) => {
            parameters.condstore || parameters.qresync.is_some()
        }
        CommandBody::Fetch { args, .. } => {
            args.changed_since.is_some() || args.attributes.contains(&FetchAttribute::ModSeq)
        }
        CommandBody::Store { args, .. } => args.unchanged_since.is_some(),
        CommandBody::Search { args, .. } => uses_modseq(&args.criteria),
        CommandBody::Status { items, .. } => items.contains(&StatusItem::HighestModSeq),
        _ => false,
    }
}

/// Whether a search program tests MODSEQ anywhere (RFC 7162 §3.1.5).
pub(crate) fn uses_modseq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq(_) => true,
        SearchKey::Not(inner) => uses_modseq(inner),
        SearchKey::Or(left, right) => uses_modseq(left) || uses_modseq(right),
        SearchKey::And(keys) => keys.iter().any(uses_modseq),
        _ => false,
    }
}

/// Switches CONDSTORE on for a CONDSTORE-enabling command. With a mailbox
/// selected the client learns its HIGHESTMODSEQ now (RFC 7162 §3.1), as
/// SELECT would have told a client that had enabled it from the start.
pub(crate) async fn note_condstore_use(
    ctx: &mut CommandContext<'_>,
    selected: Option<&Selected>,
    body: &CommandBody,
) -> io::Result<()> {
    if ctx.enabled.condstore || !is_advertised("CONDSTORE") || !enables_condstore(body) {
        return Ok(());
    }
    ctx.enabled.condstore = true;
    // SELECT reports the new mailbox's HIGHESTMODSEQ itself.
    let reselecting = matches!(body, CommandBody::Select(..) | CommandBody::Examine(..));
    let Some(selected) = selected.filter(|_| !reselecting) else {
        return Ok(());
    };
    let code = format!("HIGHESTMODSEQ {}", selected.reported_modseq);
    ctx.out
        .send(&condition(
            None,
            Status::Ok,
            Some(&code),
            "CONDSTORE enabled",
        ))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qresync_implies_condstore_and_nothing_is_enabled_twice() {
        let mut enabled = Enabled::default();
        assert!(enabled.enable("CONDSTORE"));
        assert!(!enabled.enable("CONDSTORE"));
        assert!(enabled.enable("QRESYNC"));
        assert!(enabled.condstore && enabled.qresync);
        assert!(!enabled.enable("QRESYNC"));
        assert!(!enabled.enable("X-UNKNOWN"));
        assert!(enabled.enable("IMAP4REV2"));
        assert!(enabled.utf8_names() && !enabled.utf8_accept);
        assert!(enabled.enable("UTF8=ACCEPT"));
        assert!(!enabled.enable("UTF8=ACCEPT"));
        let mut fresh = Enabled::default();
        assert!(fresh.enable("QRESYNC"));
        assert!(fresh.condstore);
    }

    #[test]
    fn modseq_is_detected_anywhere_in_the_tree() {
        let nested = SearchKey::Or(
            Box::new(SearchKey::All),
            Box::new(SearchKey::And(vec![SearchKey::ModSeq(7)])),
        );
        assert!(uses_modseq(&nested));
        assert!(!uses_modseq(&SearchKey::Seen));
    }
}
