//! Modified UTF-7 (RFC 3501 §5.1.3), strict in both directions: mailbox names
//! are UTF-8 inside Mailkeep and modified UTF-7 on the wire. Decoding rejects
//! every spelling that is not the unique canonical one (printable ASCII inside
//! a shift, empty or unterminated shifts, bad base64, non-zero padding bits,
//! unpaired surrogates), so two wire names never map to one mailbox.

use base64::Engine;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Why a wire name is not valid modified UTF-7.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mutf7Error {
    #[error("byte outside printable US-ASCII")]
    NonAscii,
    #[error("unterminated '&' shift")]
    Unterminated,
    #[error("invalid base64 in shift")]
    InvalidBase64,
    #[error("shift encodes printable ASCII or nothing")]
    NotCanonical,
    #[error("shift does not decode to valid UTF-16")]
    InvalidUtf16,
}

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &IMAP_MUTF7,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

fn is_printable(c: char) -> bool {
    ('\u{20}'..='\u{7e}').contains(&c)
}

/// Encodes a UTF-8 name for the wire.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if is_printable(c) {
            flush_shift(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush_shift(&mut out, &mut pending);
    out
}

fn flush_shift(out: &mut String, pending: &mut Vec<u16>) {
    if pending.is_empty() {
        return;
    }
    let bytes: Vec<u8> = pending.iter().flat_map(|unit| unit.to_be_bytes()).collect();
    out.push('&');
    out.push_str(&ENGINE.encode(bytes));
    out.push('-');
    pending.clear();
}

/// Decodes a wire name to UTF-8, rejecting non-canonical spellings.
pub fn decode(wire: &str) -> Result<String, Mutf7Error> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(position) = rest.find('&') {
        push_plain(&mut out, &rest[..position])?;
        let shifted = &rest[position + 1..];
        let end = shifted.find('-').ok_or(Mutf7Error::Unterminated)?;
        let encoded = &shifted[..end];
        if encoded.is_empty() {
            out.push('&');
        } else {
            decode_shift(&mut out, encoded)?;
            // Two adjacent shifts would have been written as one.
            if shifted[end + 1..].starts_with('&') && !shifted[end + 1..].starts_with("&-") {
                return Err(Mutf7Error::NotCanonical);
            }
        }
        rest = &shifted[end + 1..];
    }
    push_plain(&mut out, rest)?;
    Ok(out)
}

fn push_plain(out: &mut String, plain: &str) -> Result<(), Mutf7Error> {
    if !plain.chars().all(is_printable) {
        return Err(Mutf7Error::NonAscii);
    }
    out.push_str(plain);
    Ok(())
}

fn decode_shift(out: &mut String, encoded: &str) -> Result<(), Mutf7Error> {
    let bytes = ENGINE
        .decode(encoded)
        .map_err(|_| Mutf7Error::InvalidBase64)?;
    if bytes.len() % 2 != 0 {
        return Err(Mutf7Error::InvalidBase64);
    }
    let units = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    for decoded in char::decode_utf16(units) {
        let c = decoded.map_err(|_| Mutf7Error::InvalidUtf16)?;
        if is_printable(c) {
            return Err(Mutf7Error::NotCanonical);
        }
        out.push(c);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rfc_3501_examples() {
        // RFC 3501 §5.1.3.
        assert_eq!(
            decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(decode("Tom &- Jerry").unwrap(), "Tom & Jerry");
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
    }

    #[test]
    fn rejects_non_canonical_and_broken_spellings() {
        assert_eq!(decode("&Jjo!"), Err(Mutf7Error::Unterminated));
        assert_eq!(decode("&AGE-"), Err(Mutf7Error::NotCanonical)); // "a" shifted
        assert_eq!(decode("&U,BTFw-&ZeVnLIqe-"), Err(Mutf7Error::NotCanonical));
        assert_eq!(decode("&2D0-"), Err(Mutf7Error::InvalidUtf16)); // a lone high surrogate
        assert_eq!(decode("&U,BTF-"), Err(Mutf7Error::InvalidBase64));
        assert_eq!(decode("caf\u{e9}"), Err(Mutf7Error::NonAscii));
        assert_eq!(decode("a\tb"), Err(Mutf7Error::NonAscii));
    }

    #[test]
    fn astral_characters_use_surrogate_pairs() {
        let name = "mail/\u{1F600}";
        let wire = encode(name);
        assert!(wire.is_ascii());
        assert_eq!(decode(&wire).unwrap(), name);
    }

    proptest! {
        #[test]
        fn every_utf8_name_round_trips(name in "\\PC{0,24}") {
            let wire = encode(&name);
            prop_assert!(wire.bytes().all(|b| (0x20..0x7f).contains(&b)));
            prop_assert_eq!(decode(&wire).unwrap(), name);
        }

        #[test]
        fn decode_never_panics(wire in "[ -~]{0,40}") {
            if let Ok(name) = decode(&wire) {
                prop_assert_eq!(encode(&name), wire);
            }
        }
    }
}
