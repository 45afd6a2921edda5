//! IMAP URLs (RFC 5092) naming a message or a part of one, as CATENATE
//! uses them (RFC 4469 §4, §5): `/mailbox[;UIDVALIDITY=n]/;UID=n
//! [/;SECTION=s][/;PARTIAL=o[.l]]`, optionally behind `imap://[user@]host`.
//! URLAUTH parameters (RFC 4467) are not served and make the URL bad.
//!
//! Invariant: a parsed URL's mailbox and section are percent-decoded UTF-8,
//! and its UID is non-zero.

/// A parsed IMAP URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapUrl {
    /// The `user` of an absolute URL's authority, if any.
    pub user: Option<String>,
    /// The mailbox name, UTF-8, `INBOX` normalised.
    pub mailbox: String,
    pub uidvalidity: Option<u32>,
    pub uid: u32,
    /// The section spec as in FETCH BODY[...], without brackets.
    pub section: Option<String>,
    /// `;PARTIAL=offset[.length]`.
    pub partial: Option<(u32, Option<u32>)>,
}

/// A URL this server cannot resolve (answered `NO [BADURL ...]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid IMAP URL")]
pub struct BadUrl;

/// Parses `url` (RFC 5092 `imapurl` or the absolute-path form).
pub fn parse(url: &str) -> Result<ImapUrl, BadUrl> {
    let (user, path) = split_authority(url)?;
    let path = path.strip_prefix('/').ok_or(BadUrl)?;
    let message_start = path.find("/;").ok_or(BadUrl)?;
    let (mailbox_part, parameters) = (&path[..message_start], &path[message_start + 1..]);
    let (mailbox, uidvalidity) = match find_ignore_case(mailbox_part, ";UIDVALIDITY=") {
        Some(at) => {
            let value = &mailbox_part[at + ";UIDVALIDITY=".len()..];
            (&mailbox_part[..at], Some(nz_number(value)?))
        }
        None => (mailbox_part, None),
    };
    let mailbox = percent_decode(mailbox)?;
    if mailbox.is_empty() {
        return Err(BadUrl);
    }
    let mut url = ImapUrl {
        user,
        mailbox: normalize_inbox(mailbox),
        uidvalidity,
        uid: 0,
        section: None,
        partial: None,
    };
    for (index, parameter) in parameters.split('/').enumerate() {
        let parameter = parameter.strip_prefix(';').ok_or(BadUrl)?;
        let (key, value) = parameter.split_once('=').ok_or(BadUrl)?;
        match (index, key.to_ascii_uppercase().as_str()) {
            (0, "UID") => url.uid = nz_number(value)?,
            (1, "SECTION") if url.partial.is_none() => {
                url.section = Some(percent_decode(value)?);
            }
            (1 | 2, "PARTIAL") if url.partial.is_none() => url.partial = Some(partial(value)?),
            _ => return Err(BadUrl),
        }
    }
    if url.uid == 0 {
        return Err(BadUrl);
    }
    Ok(url)
}

/// The optional `imap://[user[;AUTH=x]@]host[:port]` prefix and the path.
fn split_authority(url: &str) -> Result<(Option<String>, &str), BadUrl> {
    let scheme = "imap://";
    if !url
        .get(..scheme.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme))
    {
        return Ok((None, url));
    }
    let rest = &url[scheme.len()..];
    let path_start = rest.find('/').ok_or(BadUrl)?;
    let authority = &rest[..path_start];
    let user = match authority.rsplit_once('@') {
        Some((userinfo, _host)) => {
            let user = userinfo.split(';').next().unwrap_or_default();
            Some(percent_decode(user)?)
        }
        None => None,
    };
    Ok((user, &rest[path_start..]))
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn nz_number(value: &str) -> Result<u32, BadUrl> {
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(BadUrl);
    }
    value
        .parse()
        .ok()
        .filter(|&number| number > 0)
        .ok_or(BadUrl)
}

/// `offset ["." length]`, the length non-zero.
fn partial(value: &str) -> Result<(u32, Option<u32>), BadUrl> {
    let (offset, length) = match value.split_once('.') {
        Some((offset, length)) => (offset, Some(nz_number(length)?)),
        None => (value, None),
    };
    if offset.is_empty() || !offset.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(BadUrl);
    }
    Ok((offset.parse().map_err(|_| BadUrl)?, length))
}

/// `%XX` escapes decoded; the result must be UTF-8 (RFC 5092 §3.3).
fn percent_decode(value: &str) -> Result<String, BadUrl> {
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes.get(index + 1..index + 3).ok_or(BadUrl)?;
            let hex = std::str::from_utf8(hex).map_err(|_| BadUrl)?;
            decoded.push(u8::from_str_radix(hex, 16).map_err(|_| BadUrl)?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).map_err(|_| BadUrl)
}

/// `INBOX` in any case, alone or as the first level, is `INBOX`.
fn normalize_inbox(mailbox: String) -> String {
    let first = mailbox.split('/').next().unwrap_or_default();
    if first.eq_ignore_ascii_case("INBOX") && first != "INBOX" {
        return format!("INBOX{}", &mailbox[first.len()..]);
    }
    mailbox
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4469_example_urls() {
        let url = parse("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER").unwrap();
        assert_eq!(
            url,
            ImapUrl {
                user: None,
                mailbox: "Drafts".into(),
                uidvalidity: Some(385_759_045),
                uid: 20,
                section: Some("HEADER".into()),
                partial: None,
            }
        );
        let url = parse("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME").unwrap();
        assert_eq!(url.section.as_deref(), Some("1.MIME"));
        // RFC 4469 §5 second example: a URL naming a whole message.
        let url = parse("/Drafts;UIDVALIDITY=385759045/;UID=30").unwrap();
        assert_eq!((url.uid, url.section), (30, None));
    }

    #[test]
    fn rfc5092_forms() {
        let url = parse(
            "imap://minbari.example.org/gray-council;UIDVALIDITY=385759045/;UID=20/;PARTIAL=0.1024",
        )
        .unwrap();
        assert_eq!(url.mailbox, "gray-council");
        assert_eq!(url.partial, Some((0, Some(1024))));
        let url =
            parse("imap://michael@example.org:143/INBOX/;uid=7/;section=1.2/;partial=5").unwrap();
        assert_eq!(url.user.as_deref(), Some("michael"));
        assert_eq!((url.uid, url.partial), (7, Some((5, None))));
        let url = parse("/inbox/Sub%20Folder/%E5%8F%B0%E5%8C%97/;UID=3").unwrap();
        assert_eq!(url.mailbox, "INBOX/Sub Folder/台北");
        let url = parse("/box/;uid=1/;section=HEADER.FIELDS%20(From%20To)").unwrap();
        assert_eq!(url.section.as_deref(), Some("HEADER.FIELDS (From To)"));
    }

    #[test]
    fn bad_urls() {
        for bad in [
            "",
            "Drafts/;UID=1",
            "/Drafts",
            "/Drafts/;UID=0",
            "/Drafts/;UID=x",
            "/;UID=1",
            "/Drafts;UIDVALIDITY=0/;UID=1",
            "/Drafts/;UID=1/;EXPIRE=2030-01-01T00:00:00Z",
            "/Drafts/;UID=1/;URLAUTH=anonymous:internal:abc",
            "/Drafts/;UID=1/;PARTIAL=1.0",
            "/Drafts/;SECTION=1/;UID=1",
            "/Dr%ZZafts/;UID=1",
            "/%FF/;UID=1",
            "imap://host",
        ] {
            assert_eq!(parse(bad), Err(BadUrl), "{bad}");
        }
    }
}
