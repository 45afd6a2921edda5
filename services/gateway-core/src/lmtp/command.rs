//! The LMTP command parser (RFC 2033 §4, RFC 5321 §4.1): one command line,
//! CRLF already removed, into a [`Command`]. Verbs are case-insensitive;
//! `MAIL FROM` takes SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8
//! (RFC 6531) and AUTH (RFC 4954 §5) parameters; anything else is refused
//! with the reply the RFCs name, so a parse failure is always a [`Reply`].
//!
//! Invariant: a parsed path is at most [`MAX_PATH_BYTES`] long, holds no
//! control character or unquoted space, and is non-ASCII only when the
//! command line said SMTPUTF8 (checked by the session for RCPT).

use super::reply::Reply;

/// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, brackets included.
pub const MAX_PATH_BYTES: usize = 256;

/// The message body type of `MAIL FROM ... BODY=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BodyType {
    #[default]
    SevenBit,
    EightBitMime,
    /// RFC 3030 §3: the message must arrive by BDAT.
    BinaryMime,
}

/// The parameters of `MAIL FROM`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailParameters {
    /// The size the client announced (RFC 1870 §3).
    pub size: Option<u64>,
    pub body: BodyType,
    pub smtputf8: bool,
}

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Lhlo,
    /// HELO or EHLO, which an LMTP server must refuse (RFC 2033 §4.1).
    SmtpGreeting,
    Mail {
        /// Without angle brackets; empty for the null sender.
        reverse_path: String,
        parameters: MailParameters,
    },
    Rcpt {
        forward_path: String,
    },
    Data,
    Bdat {
        size: u64,
        last: bool,
    },
    Rset,
    Noop,
    Quit,
    Vrfy,
    Help,
    StartTls,
    Auth {
        mechanism: String,
        initial_response: Option<String>,
    },
}

/// Parses one command line (without its CRLF).
pub fn parse_command(line: &[u8]) -> Result<Command, Reply> {
    let line = std::str::from_utf8(line).map_err(|_| syntax("command is not valid UTF-8"))?;
    let (verb, arguments) = match line.split_once(' ') {
        Some((verb, arguments)) => (verb, arguments),
        None => (line, ""),
    };
    let verb = verb.to_ascii_uppercase();
    let no_arguments = |command: Command| {
        if arguments.trim().is_empty() {
            Ok(command)
        } else {
            Err(Reply::syntax_error("this command takes no arguments"))
        }
    };
    match verb.as_str() {
        "LHLO" if arguments.trim().is_empty() => Err(Reply::syntax_error("LHLO needs a hostname")),
        "LHLO" => Ok(Command::Lhlo),
        "HELO" | "EHLO" => Ok(Command::SmtpGreeting),
        "MAIL" => parse_mail(arguments),
        "RCPT" => parse_rcpt(arguments),
        "DATA" => no_arguments(Command::Data),
        "BDAT" => parse_bdat(arguments),
        "RSET" => no_arguments(Command::Rset),
        // RFC 5321 §4.1.1.9: NOOP may carry a string, which is ignored.
        "NOOP" => Ok(Command::Noop),
        "QUIT" => no_arguments(Command::Quit),
        "VRFY" if arguments.trim().is_empty() => Err(Reply::syntax_error("VRFY needs a name")),
        "VRFY" => Ok(Command::Vrfy),
        "HELP" => Ok(Command::Help),
        "STARTTLS" => no_arguments(Command::StartTls),
        "AUTH" => parse_auth(arguments),
        _ => Err(Reply::new(500, "5.5.1", "command unrecognized")),
    }
}

fn syntax(text: &str) -> Reply {
    Reply::new(500, "5.5.2", text)
}

/// `FROM:<reverse-path> [parameters]` (RFC 5321 §4.1.1.2).
fn parse_mail(arguments: &str) -> Result<Command, Reply> {
    let (path, parameters) = split_path(arguments, "FROM:")?;
    let mut parsed = MailParameters::default();
    for parameter in parameters {
        let (keyword, value) = match parameter.split_once('=') {
            Some((keyword, value)) => (keyword, Some(value)),
            None => (parameter, None),
        };
        match (keyword.to_ascii_uppercase().as_str(), value) {
            ("SIZE", Some(value)) => parsed.size = Some(parse_number(value)?),
            ("BODY", Some(value)) => {
                parsed.body = match value.to_ascii_uppercase().as_str() {
                    "7BIT" => BodyType::SevenBit,
                    "8BITMIME" => BodyType::EightBitMime,
                    "BINARYMIME" => BodyType::BinaryMime,
                    _ => {
                        return Err(Reply::syntax_error(
                            "BODY must be 7BIT, 8BITMIME or BINARYMIME",
                        ));
                    }
                }
            }
            ("SMTPUTF8", None) => parsed.smtputf8 = true,
            // RFC 4954 §5: accepted and ignored, the sender is trusted as is.
            ("AUTH", Some(_)) => {}
            _ => return Err(unsupported_parameter()),
        }
    }
    if !path.is_ascii() && !parsed.smtputf8 {
        return Err(non_ascii_without_smtputf8());
    }
    Ok(Command::Mail {
        reverse_path: path,
        parameters: parsed,
    })
}

/// `TO:<forward-path>` (RFC 5321 §4.1.1.3); no RCPT parameter is supported.
fn parse_rcpt(arguments: &str) -> Result<Command, Reply> {
    let (path, mut parameters) = split_path(arguments, "TO:")?;
    if parameters.next().is_some() {
        return Err(unsupported_parameter());
    }
    if path.is_empty() {
        return Err(Reply::syntax_error("a recipient address is required"));
    }
    Ok(Command::Rcpt { forward_path: path })
}

/// `BDAT <size> [LAST]` (RFC 3030 §2).
fn parse_bdat(arguments: &str) -> Result<Command, Reply> {
    let mut words = arguments.split_ascii_whitespace();
    let size = parse_number(words.next().unwrap_or_default())?;
    let last = match words.next() {
        None => false,
        Some(word) if word.eq_ignore_ascii_case("LAST") => true,
        Some(_) => return Err(Reply::syntax_error("BDAT takes a size and LAST")),
    };
    if words.next().is_some() {
        return Err(Reply::syntax_error("BDAT takes a size and LAST"));
    }
    Ok(Command::Bdat { size, last })
}

/// `AUTH mechanism [initial-response]` (RFC 4954 §4).
fn parse_auth(arguments: &str) -> Result<Command, Reply> {
    let mut words = arguments.split_ascii_whitespace();
    let Some(mechanism) = words.next() else {
        return Err(Reply::syntax_error("AUTH needs a mechanism"));
    };
    let initial_response = words.next().map(str::to_owned);
    if words.next().is_some() {
        return Err(Reply::syntax_error(
            "AUTH takes a mechanism and one response",
        ));
    }
    Ok(Command::Auth {
        mechanism: mechanism.to_ascii_uppercase(),
        initial_response,
    })
}

fn parse_number(value: &str) -> Result<u64, Reply> {
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(Reply::syntax_error("a number is expected"));
    }
    value
        .parse()
        .map_err(|_| Reply::syntax_error("number out of range"))
}

fn unsupported_parameter() -> Reply {
    Reply::new(555, "5.5.4", "unsupported parameter")
}

/// RFC 6531 §3.4: a non-ASCII address needs SMTPUTF8.
pub fn non_ascii_without_smtputf8() -> Reply {
    Reply::new(553, "5.6.7", "non-ASCII address requires SMTPUTF8")
}

/// Splits `FROM:<path> params` after checking the keyword; returns the
/// address (no brackets, no source route) and the parameter words.
fn split_path<'a>(
    arguments: &'a str,
    keyword: &str,
) -> Result<(String, std::str::SplitAsciiWhitespace<'a>), Reply> {
    let prefix = arguments.get(..keyword.len()).unwrap_or_default();
    if !prefix.eq_ignore_ascii_case(keyword) {
        return Err(Reply::syntax_error(&format!("expected {keyword}<address>")));
    }
    // Many clients write `MAIL FROM: <a@b>`; RFC 5321 does not, Postfix accepts it.
    let rest = arguments[keyword.len()..].trim_start();
    let Some(rest) = rest.strip_prefix('<') else {
        return Err(Reply::syntax_error("the address must be in angle brackets"));
    };
    let end = closing_bracket(rest).ok_or_else(|| Reply::syntax_error("unclosed angle bracket"))?;
    let (path, after) = (&rest[..end], &rest[end + 1..]);
    if path.len() + 2 > MAX_PATH_BYTES {
        return Err(Reply::new(501, "5.1.3", "address too long"));
    }
    if !after.is_empty() && !after.starts_with(' ') {
        return Err(Reply::syntax_error("a space must follow the address"));
    }
    let address = strip_source_route(path);
    validate_address(address)?;
    Ok((address.to_owned(), after.split_ascii_whitespace()))
}

/// The position of the `>` that closes the path, skipping quoted parts.
fn closing_bracket(path: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (index, character) in path.char_indices() {
        match character {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(index),
            _ => {}
        }
    }
    None
}

/// RFC 5321 §4.1.2: `@one,@two:user@domain` is delivered as `user@domain`.
fn strip_source_route(path: &str) -> &str {
    match path.strip_prefix('@') {
        Some(_) => path.split_once(':').map_or(path, |(_, mailbox)| mailbox),
        None => path,
    }
}

/// No control characters, and spaces only inside a quoted local part.
fn validate_address(address: &str) -> Result<(), Reply> {
    let mut quoted = false;
    for character in address.chars() {
        match character {
            '"' => quoted = !quoted,
            ' ' if quoted => {}
            _ if character.is_control() || character == ' ' => {
                return Err(Reply::new(501, "5.1.3", "invalid address"));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Command, Reply> {
        parse_command(line.as_bytes())
    }

    fn code(line: &str) -> u16 {
        parse(line).unwrap_err().code()
    }

    #[test]
    fn verbs_are_case_insensitive() {
        assert_eq!(parse("lhlo mx.test"), Ok(Command::Lhlo));
        assert_eq!(parse("QuIt"), Ok(Command::Quit));
        assert_eq!(parse("noop anything"), Ok(Command::Noop));
        assert_eq!(parse("EHLO mx.test"), Ok(Command::SmtpGreeting));
        assert_eq!(parse("starttls"), Ok(Command::StartTls));
    }

    #[test]
    fn mail_from_takes_its_parameters() {
        let parsed = parse("MAIL FROM:<a@b.test> SIZE=1000 BODY=8BITMIME SMTPUTF8 AUTH=<>");
        assert_eq!(
            parsed,
            Ok(Command::Mail {
                reverse_path: "a@b.test".into(),
                parameters: MailParameters {
                    size: Some(1000),
                    body: BodyType::EightBitMime,
                    smtputf8: true,
                },
            })
        );
        let null_sender = parse("mail from: <>").unwrap();
        assert!(
            matches!(null_sender, Command::Mail { reverse_path, .. } if reverse_path.is_empty())
        );
        let binary = parse("MAIL FROM:<a@b> body=binarymime").unwrap();
        assert!(
            matches!(binary, Command::Mail { parameters, .. } if parameters.body == BodyType::BinaryMime)
        );
    }

    #[test]
    fn bad_mail_parameters_get_their_rfc_codes() {
        assert_eq!(code("MAIL FROM:<a@b> RET=FULL"), 555);
        assert_eq!(code("MAIL FROM:<a@b> SIZE=big"), 501);
        assert_eq!(code("MAIL FROM:<a@b> BODY=9BIT"), 501);
        assert_eq!(code("MAIL TO:<a@b>"), 501);
        assert_eq!(code("MAIL FROM:a@b"), 501);
        assert_eq!(code("MAIL FROM:<a@b"), 501);
        assert_eq!(code("MAIL FROM:<a b@c>"), 501);
        assert_eq!(code("MAIL FROM:<jöe@b.test>"), 553);
    }

    #[test]
    fn non_ascii_senders_need_smtputf8() {
        let parsed = parse("MAIL FROM:<jöe@b.test> SMTPUTF8").unwrap();
        assert!(
            matches!(parsed, Command::Mail { reverse_path, .. } if reverse_path == "jöe@b.test")
        );
    }

    #[test]
    fn rcpt_to_strips_source_routes_and_keeps_quotes() {
        assert_eq!(
            parse("RCPT TO:<@relay.test,@other.test:pat@foo.edu>"),
            Ok(Command::Rcpt {
                forward_path: "pat@foo.edu".into()
            })
        );
        assert_eq!(
            parse("RCPT TO:<\"pat >x\"@foo.edu>"),
            Ok(Command::Rcpt {
                forward_path: "\"pat >x\"@foo.edu".into()
            })
        );
        assert_eq!(code("RCPT TO:<>"), 501);
        assert_eq!(code("RCPT TO:<a@b> NOTIFY=NEVER"), 555);
        let long = format!("RCPT TO:<{}@b.test>", "x".repeat(MAX_PATH_BYTES));
        assert_eq!(code(&long), 501);
    }

    #[test]
    fn bdat_takes_a_size_and_last() {
        assert_eq!(
            parse("BDAT 86 LAST"),
            Ok(Command::Bdat {
                size: 86,
                last: true
            })
        );
        assert_eq!(
            parse("bdat 0"),
            Ok(Command::Bdat {
                size: 0,
                last: false
            })
        );
        assert_eq!(code("BDAT"), 501);
        assert_eq!(code("BDAT -1"), 501);
        assert_eq!(code("BDAT 5 FIRST"), 501);
        assert_eq!(code("BDAT 99999999999999999999999 LAST"), 501);
    }

    #[test]
    fn auth_keeps_the_initial_response() {
        assert_eq!(
            parse("AUTH plain AGEAYg=="),
            Ok(Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some("AGEAYg==".into())
            })
        );
        assert_eq!(code("AUTH"), 501);
    }

    #[test]
    fn unknown_and_malformed_commands_are_refused() {
        assert_eq!(code("FROB"), 500);
        assert_eq!(code(""), 500);
        assert_eq!(code("LHLO"), 501);
        assert_eq!(code("DATA now"), 501);
        assert_eq!(code("VRFY"), 501);
        assert_eq!(parse_command(b"NOOP \xff").unwrap_err().code(), 500);
    }
}
