//! Flag mapping from the source formats to IMAP flags: the Maildir `:2,`
//! info letters (D draft, F flagged, P passed = `$Forwarded`, R replied,
//! S seen, T trashed = `\Deleted`; `a`-`z` index Dovecot's
//! `dovecot-keywords` file), and the mbox `Status` (R read = `\Seen`; O old
//! has no IMAP flag) and `X-Status` (A answered, F flagged, T draft, D
//! deleted) headers.

use mailkeep_gateway_core::backend::{Flags, SystemFlags};

/// The IMAP keyword of the Maildir `P` (passed) flag.
pub const FORWARDED: &str = "$Forwarded";
/// Dovecot names at most 26 keywords per folder (`a`..`z`).
const MAX_KEYWORDS: usize = 26;

/// Dovecot's per-folder keyword table: `dovecot-keywords` lines `N name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeywordTable(Vec<Option<String>>);

impl KeywordTable {
    /// Parses the file's text; malformed lines and indexes beyond `z` are ignored.
    pub fn parse(text: &str) -> Self {
        let mut names = vec![None; MAX_KEYWORDS];
        for line in text.lines() {
            let Some((index, name)) = line.trim().split_once(' ') else {
                continue;
            };
            let (Ok(index), name) = (index.parse::<usize>(), name.trim()) else {
                continue;
            };
            if index < MAX_KEYWORDS && is_atom(name) {
                names[index] = Some(name.to_owned());
            }
        }
        Self(names)
    }

    fn name(&self, letter: u8) -> Option<&str> {
        let index = usize::from(letter.checked_sub(b'a')?);
        self.0.get(index)?.as_deref()
    }
}

/// A keyword must be an IMAP atom without `\` (RFC 3501 §9 `flag-keyword`).
fn is_atom(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && !b"(){%*\"\\]".contains(&byte))
}

/// The flags of a Maildir file name (`unique:2,FLAGS`); no info means none.
pub fn from_maildir_name(file_name: &str, keywords: &KeywordTable) -> Flags {
    let mut flags = Flags::default();
    let Some((_, info)) = file_name.rsplit_once(":2,") else {
        return flags;
    };
    for letter in info.bytes() {
        match letter {
            b'D' => flags.system.0 |= SystemFlags::DRAFT,
            b'F' => flags.system.0 |= SystemFlags::FLAGGED,
            b'P' => add_keyword(&mut flags, FORWARDED),
            b'R' => flags.system.0 |= SystemFlags::ANSWERED,
            b'S' => flags.system.0 |= SystemFlags::SEEN,
            b'T' => flags.system.0 |= SystemFlags::DELETED,
            _ => {
                if let Some(name) = keywords.name(letter) {
                    add_keyword(&mut flags, name);
                }
            }
        }
    }
    flags
}

fn add_keyword(flags: &mut Flags, name: &str) {
    if !flags
        .keywords
        .iter()
        .any(|kept| kept.eq_ignore_ascii_case(name))
    {
        flags.keywords.push(name.to_owned());
    }
}

/// The flags of mbox `Status` and `X-Status` header values.
pub fn from_mbox_status(status: &str, x_status: &str) -> Flags {
    let mut flags = Flags::default();
    if status.contains('R') {
        flags.system.0 |= SystemFlags::SEEN;
    }
    for letter in x_status.bytes() {
        match letter {
            b'A' => flags.system.0 |= SystemFlags::ANSWERED,
            b'F' => flags.system.0 |= SystemFlags::FLAGGED,
            b'T' => flags.system.0 |= SystemFlags::DRAFT,
            b'D' => flags.system.0 |= SystemFlags::DELETED,
            _ => {}
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(flags: &Flags) -> u32 {
        flags.system.0
    }

    #[test]
    fn maildir_info_letters_map_to_imap_flags() {
        let none = KeywordTable::default();
        let flags = from_maildir_name("1700000000.M1P2.host,U=7:2,DFPRST", &none);
        assert_eq!(system(&flags), SystemFlags::ALL);
        assert_eq!(flags.keywords, vec![FORWARDED.to_owned()]);
        assert_eq!(
            from_maildir_name("1700000000.M1P2.host", &none),
            Flags::default()
        );
        assert_eq!(
            system(&from_maildir_name("x:2,S", &none)),
            SystemFlags::SEEN
        );
        assert_eq!(from_maildir_name("x:2,", &none), Flags::default());
    }

    #[test]
    fn lowercase_letters_name_dovecot_keywords() {
        let table = KeywordTable::parse("0 $Important\n1 Work\nbroken\n30 TooFar\n2 bad\\name\n");
        let flags = from_maildir_name("x:2,Sab", &table);
        assert_eq!(system(&flags), SystemFlags::SEEN);
        assert_eq!(
            flags.keywords,
            vec!["$Important".to_owned(), "Work".to_owned()]
        );
        // Unknown letters (no table entry) are ignored.
        assert!(from_maildir_name("x:2,cz", &table).keywords.is_empty());
    }

    #[test]
    fn mbox_status_headers_map_to_imap_flags() {
        assert_eq!(system(&from_mbox_status("RO", "")), SystemFlags::SEEN);
        assert_eq!(system(&from_mbox_status("O", "")), 0);
        assert_eq!(
            system(&from_mbox_status("", "AFTD")),
            SystemFlags::ANSWERED
                | SystemFlags::FLAGGED
                | SystemFlags::DRAFT
                | SystemFlags::DELETED
        );
        assert!(from_mbox_status("R", "A").keywords.is_empty());
    }
}
