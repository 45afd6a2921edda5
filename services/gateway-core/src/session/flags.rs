//! Flags between the wire and the backend: command flags (`\Seen`,
//! keywords) to storable [`Flags`], and [`Flags`] to a response flag list
//! (RFC 3501 §2.3.2, §7.2.6). `\Recent` and unknown `\X` flags are never
//! storable (RFC 3501 §2.3.2: `\Recent` is set by the server only).

use crate::backend::{Flags, SystemFlags};
use crate::command::Flag;
use crate::response::Line;

/// The system flags in the order responses list them.
const SYSTEM_FLAGS: [(u32, &str); 5] = [
    (SystemFlags::ANSWERED, "\\Answered"),
    (SystemFlags::FLAGGED, "\\Flagged"),
    (SystemFlags::DELETED, "\\Deleted"),
    (SystemFlags::SEEN, "\\Seen"),
    (SystemFlags::DRAFT, "\\Draft"),
];

/// A flag a client may not store; the command gets `BAD` with this text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("flag {0} cannot be stored")]
pub(crate) struct UnstorableFlag(pub String);

/// Converts the flags of STORE or APPEND into backend flags (keywords
/// deduplicated case-insensitively, first spelling kept).
pub(crate) fn storable_flags(flags: &[Flag]) -> Result<Flags, UnstorableFlag> {
    let mut result = Flags::default();
    for flag in flags {
        let bit = match flag {
            Flag::Seen => SystemFlags::SEEN,
            Flag::Answered => SystemFlags::ANSWERED,
            Flag::Flagged => SystemFlags::FLAGGED,
            Flag::Deleted => SystemFlags::DELETED,
            Flag::Draft => SystemFlags::DRAFT,
            Flag::Recent => return Err(UnstorableFlag("\\Recent".to_owned())),
            Flag::Extension(name) => return Err(UnstorableFlag(format!("\\{name}"))),
            Flag::Keyword(keyword) => {
                if !result
                    .keywords
                    .iter()
                    .any(|known| known.eq_ignore_ascii_case(keyword))
                {
                    result.keywords.push(keyword.clone());
                }
                continue;
            }
        };
        result.system.0 |= bit;
    }
    Ok(result)
}

/// The names of `flags`: system flags first, then keywords.
pub(crate) fn flag_names(flags: &Flags) -> impl Iterator<Item = &str> {
    SYSTEM_FLAGS
        .iter()
        .filter(|(bit, _)| flags.system.contains(*bit))
        .map(|(_, name)| *name)
        .chain(flags.keywords.iter().map(String::as_str))
}

/// Writes `(\Answered ... keyword ...)`, with `\Recent` when `recent`.
pub(crate) fn write_flag_list(line: &mut Line, flags: &Flags, recent: bool) {
    line.open();
    let recent = recent.then_some("\\Recent");
    for name in flag_names(flags).chain(recent) {
        line.atom(name);
    }
    line.close();
}

/// Every system flag set, for SELECT's FLAGS and PERMANENTFLAGS responses.
pub(crate) fn all_system_flags() -> SystemFlags {
    SystemFlags(SYSTEM_FLAGS.iter().fold(0, |bits, (bit, _)| bits | bit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_command_flags_and_rejects_unstorable_ones() {
        let flags = storable_flags(&[
            Flag::Seen,
            Flag::Keyword("$Junk".into()),
            Flag::Deleted,
            Flag::Keyword("$junk".into()),
        ])
        .unwrap();
        assert_eq!(
            flags.system,
            SystemFlags(SystemFlags::SEEN | SystemFlags::DELETED)
        );
        assert_eq!(flags.keywords, vec!["$Junk".to_owned()]);
        assert_eq!(
            storable_flags(&[Flag::Recent]).unwrap_err().to_string(),
            "flag \\Recent cannot be stored"
        );
        assert!(storable_flags(&[Flag::Extension("Foo".into())]).is_err());
    }

    #[test]
    fn writes_flag_lists_in_a_stable_order() {
        let flags = Flags {
            system: all_system_flags(),
            keywords: vec!["$Forwarded".into()],
        };
        let mut line = Line::untagged();
        line.atom("FLAGS");
        write_flag_list(&mut line, &flags, true);
        assert_eq!(
            line.finish(),
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\Recent)\r\n"
        );
        let mut empty = Line::untagged();
        write_flag_list(&mut empty, &Flags::default(), false);
        assert_eq!(empty.finish(), b"* ()\r\n");
    }
}
