//! Sort and thread keys taken from the stored header text: a field's first
//! value, the first address of an address field (RFC 5256 §3 FROM/TO/CC,
//! RFC 5957 §3 display names) and the base subject (RFC 5256 §2.1). The
//! header text already holds RFC 2047-decoded values and address fields as
//! `name <local@domain>` entries (groups as `name: ...;`), so nothing here
//! decodes.

/// The value of the first `name:` line of `header_text` (`name` lower-case).
pub fn header_value<'a>(header_text: &'a str, name: &str) -> Option<&'a str> {
    header_text.lines().find_map(|line| {
        let (field, value) = line.split_once(':')?;
        (field == name).then(|| value.trim())
    })
}

/// The first address of an address field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAddress {
    /// The display name, or a group's name.
    pub name: Option<String>,
    /// The local part (RFC 3501 `addr-mailbox`); a group's name for a group.
    pub mailbox: String,
    pub host: String,
}

impl FirstAddress {
    /// RFC 5957 §3: the display name when there is one, else the addr-spec.
    pub fn display_name(self) -> String {
        match self.name {
            Some(name) if !name.is_empty() => name,
            _ if self.host.is_empty() => self.mailbox,
            _ => format!("{}@{}", self.mailbox, self.host),
        }
    }
}

/// The first address of a stored address field value; a group counts as an
/// address named by the group (as its ENVELOPE group marker does). A value
/// without any address is taken whole as the mailbox.
pub fn first_address(value: &str) -> Option<FirstAddress> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let angle = value.find('<');
    let colon = value.find(':');
    if let Some(colon) = colon.filter(|colon| angle.is_none_or(|angle| *colon < angle)) {
        let group = value[..colon].trim().to_owned();
        return Some(FirstAddress {
            name: Some(group.clone()),
            mailbox: group,
            host: String::new(),
        });
    }
    let Some(angle) = angle else {
        return Some(FirstAddress {
            name: None,
            mailbox: value.to_owned(),
            host: String::new(),
        });
    };
    let name = value[..angle].trim();
    let rest = &value[angle + 1..];
    let spec = rest.find('>').map_or(rest, |end| &rest[..end]);
    let (mailbox, host) = spec.rsplit_once('@').unwrap_or((spec, ""));
    Some(FirstAddress {
        name: (!name.is_empty()).then(|| name.to_owned()),
        mailbox: mailbox.to_owned(),
        host: host.to_owned(),
    })
}

/// A base subject and whether extracting it removed a reply or forward
/// marker (RFC 5256 §2.1, used by THREAD's subject grouping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseSubject {
    pub text: String,
    pub is_reply_or_forward: bool,
}

/// RFC 5256 §2.1 on an already decoded subject.
pub fn base_subject(subject: &str) -> BaseSubject {
    // Step 1: tabs and runs of white space become one space; the leading
    // and trailing white space this drops would go in steps 2 and 3 anyway.
    let mut text = subject
        .split([' ', '\t'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut marked = false;
    loop {
        // Step 2: trailers.
        loop {
            if let Some(stripped) = text.strip_suffix(' ') {
                text.truncate(stripped.len());
            } else if ends_with_ignore_case(&text, "(fwd)") {
                text.truncate(text.len() - "(fwd)".len());
                marked = true;
            } else {
                break;
            }
        }
        // Steps 3 to 5: leaders and blobs, until neither matches.
        loop {
            if let Some(rest) = text.strip_prefix(' ') {
                text = rest.to_owned();
            } else if let Some(after) = leader_end(&text) {
                text.drain(..after);
                marked = true;
            } else if let Some(after) =
                blob_end(&text).filter(|&after| !text[after..].trim().is_empty())
            {
                text.drain(..after);
            } else {
                break;
            }
        }
        // Step 6: a `[fwd: ...]` wrapper.
        if starts_with_ignore_case(&text, "[fwd:") && text.ends_with(']') {
            text = text["[fwd:".len()..text.len() - 1].to_owned();
            marked = true;
            continue;
        }
        return BaseSubject {
            text,
            is_reply_or_forward: marked,
        };
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.is_char_boundary(text.len() - suffix.len())
        && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// `subj-blob = "[" *BLOBCHAR "]" *WSP`: the byte offset after it.
fn blob_end(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('[')?;
    let close = rest.find(['[', ']'])?;
    if !rest[close..].starts_with(']') {
        return None;
    }
    let after = 1 + close + 1;
    Some(after + text[after..].len() - text[after..].trim_start_matches([' ', '\t']).len())
}

/// `subj-leader = *subj-blob subj-refwd` with `subj-refwd = ("re" / ("fw"
/// ["d"])) *WSP [subj-blob] ":"`: the byte offset after it.
fn leader_end(text: &str) -> Option<usize> {
    let mut at = 0;
    while let Some(after) = blob_end(&text[at..]) {
        at += after;
    }
    ["re", "fwd", "fw"].into_iter().find_map(|word| {
        if !starts_with_ignore_case(&text[at..], word) {
            return None;
        }
        let mut end = at + word.len();
        end += text[end..].len() - text[end..].trim_start_matches([' ', '\t']).len();
        if let Some(after) = blob_end(&text[end..]) {
            end += after;
        }
        text[end..].starts_with(':').then_some(end + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_subject_strips_leaders_trailers_and_fwd_wrappers() {
        let cases = [
            ("[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)", "b", true),
            ("re: [fwd: [fwd: re: [fwd: babylon]]]", "babylon", true),
            ("Re: [FWD: c]", "c", true),
            ("[xyz]", "[xyz]", false),
            ("[xyz] hello", "hello", false),
            ("Ad: Re: Ad: x", "Ad: Re: Ad: x", false),
            ("  a \t  b  ", "a b", false),
            (" ", "", false),
            ("Re[2]: Re : lunch", "lunch", true),
            ("foo", "foo", false),
        ];
        for (subject, base, marked) in cases {
            let extracted = base_subject(subject);
            assert_eq!(extracted.text, base, "{subject:?}");
            assert_eq!(extracted.is_reply_or_forward, marked, "{subject:?}");
        }
    }

    #[test]
    fn first_addresses_of_mailboxes_groups_and_bare_text() {
        let named = first_address("foo bar <a@b.c>, <x@y.z>").unwrap();
        assert_eq!(named.mailbox, "a");
        assert_eq!(named.clone().display_name(), "foo bar");
        let bare = first_address("<b@c.d>").unwrap();
        assert_eq!((bare.mailbox.as_str(), bare.host.as_str()), ("b", "c.d"));
        assert_eq!(bare.display_name(), "b@c.d");
        let group = first_address("user2: <blah@domain1.org>;").unwrap();
        assert_eq!(group.mailbox, "user2");
        assert_eq!(group.display_name(), "user2");
        assert_eq!(first_address("empty:;").unwrap().display_name(), "empty");
        assert_eq!(first_address("<d>").unwrap().display_name(), "d");
        assert_eq!(first_address("  "), None);
    }

    #[test]
    fn header_values_come_from_the_first_matching_line() {
        let text = "from: <a@b>\nsubject: one: two\nsubject: three\nx-from: no\n";
        assert_eq!(header_value(text, "subject"), Some("one: two"));
        assert_eq!(header_value(text, "from"), Some("<a@b>"));
        assert_eq!(header_value(text, "cc"), None);
    }
}
