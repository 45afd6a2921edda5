//! The independent response oracle of issue 2's acceptance: every byte
//! the server sent in a transcript must decode, in order, as one greeting
//! (RFC 3501 §7.1 `greeting`) followed by responses (`response`, and
//! `continue-req`), with imap-codec's decoders. A failure names the
//! connection, the byte offset and the offending bytes.

use imap_codec::decode::{Decoder, GreetingDecodeError, ResponseDecodeError};
use imap_codec::{GreetingCodec, ResponseCodec};
use mailkeep_tests::proxy::Transcript;

/// How many bytes of an undecodable response a failure quotes.
const QUOTE: usize = 400;

/// Decodes the server side of every transcript; returns how many responses
/// decoded, or a description of the first one that did not.
pub fn check_transcripts(transcripts: &[Transcript]) -> Result<usize, String> {
    if transcripts.is_empty() {
        return Err("no connection was recorded".to_owned());
    }
    let mut total = 0;
    for (index, transcript) in transcripts.iter().enumerate() {
        total += check_server_bytes(&transcript.from_server)
            .map_err(|error| format!("connection {index}: {error}"))?;
    }
    Ok(total)
}

/// Decodes one connection's server-to-client bytes.
pub fn check_server_bytes(bytes: &[u8]) -> Result<usize, String> {
    let (mut rest, _greeting) = GreetingCodec::default().decode(bytes).map_err(|error| {
        let why = match error {
            GreetingDecodeError::Incomplete => "incomplete",
            GreetingDecodeError::Failed => "invalid",
        };
        format!("{why} greeting: {}", quote(bytes))
    })?;
    let codec = ResponseCodec::default();
    let mut count = 1;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        match codec.decode(rest) {
            Ok((remaining, _response)) => {
                rest = remaining;
                count += 1;
            }
            Err(error) => {
                let why = match error {
                    ResponseDecodeError::Incomplete => "truncated response".to_owned(),
                    ResponseDecodeError::LiteralFound { length } => {
                        format!("response cut inside a {length}-byte literal")
                    }
                    ResponseDecodeError::Failed => "response imap-codec rejects".to_owned(),
                };
                return Err(format!("{why} at byte {offset}: {}", quote(rest)));
            }
        }
    }
    Ok(count)
}

fn quote(bytes: &[u8]) -> String {
    let end = bytes.len().min(QUOTE);
    format!(
        "\"{}\"{}",
        bytes[..end].escape_ascii(),
        if end < bytes.len() { "..." } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_exchange_decodes_and_garbage_is_quoted() {
        let good = b"* OK [CAPABILITY IMAP4rev1] ready\r\n* 1 FETCH (UID 7 BODY[] {2}\r\nhi)\r\n+ go\r\na1 OK done\r\n";
        assert_eq!(check_server_bytes(good), Ok(4));
        let bad = b"* OK ready\r\na1 WHAT\r\n";
        let error = check_server_bytes(bad).unwrap_err();
        assert!(
            error.contains("at byte 12") && error.contains("a1 WHAT"),
            "{error}"
        );
        let cut = b"* OK ready\r\n* 1 FETCH (BODY[] {10}\r\nabc";
        assert!(
            check_server_bytes(cut).unwrap_err().contains("literal")
                || check_server_bytes(cut).unwrap_err().contains("truncated")
        );
    }
}
