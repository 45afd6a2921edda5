//! Command dispatch and the arguments of every command that is not FETCH,
//! STORE or SEARCH: ID (RFC 2971), ENABLE (RFC 5161), LOGIN and
//! AUTHENTICATE with SASL-IR (RFC 3501 §6.2, RFC 4959), the mailbox
//! commands of RFC 3501 §6.3 (APPEND aside, in `append`), COPY, MOVE
//! (RFC 6851) and UID EXPUNGE (RFC 4315).

use super::ParseErrorKind;
use super::cursor::{Cursor, syntax, utf8};
use super::{append, create, fetch, list_ext, metadata, notify, quota, search, select, sort};
use crate::command::{AuthMechanism, CommandBody, MailboxName, StatusItem};

/// The command `name` (as written) after `tag SP`, up to the line end.
pub(super) fn command(cursor: &mut Cursor<'_>, name: &str) -> Result<CommandBody, ParseErrorKind> {
    Ok(match name.to_ascii_uppercase().as_str() {
        "CAPABILITY" => CommandBody::Capability,
        "NOOP" => CommandBody::Noop,
        "LOGOUT" => CommandBody::Logout,
        "STARTTLS" => CommandBody::StartTls,
        "NAMESPACE" => CommandBody::Namespace,
        "IDLE" => CommandBody::Idle,
        "COMPRESS" => {
            cursor.sp()?;
            CommandBody::Compress(cursor.atom()?.to_owned())
        }
        "CHECK" => CommandBody::Check,
        "CLOSE" => CommandBody::Close,
        "UNSELECT" => CommandBody::Unselect,
        "EXPUNGE" => CommandBody::Expunge,
        "CANCELUPDATE" => CommandBody::CancelUpdate(search::cancel_update_arguments(cursor)?),
        "ID" => CommandBody::Id(id_parameters(cursor)?),
        "ENABLE" => CommandBody::Enable(capabilities(cursor)?),
        "LOGIN" => login(cursor)?,
        "AUTHENTICATE" => authenticate(cursor)?,
        "SELECT" => {
            let (mailbox, parameters) = select::select_arguments(cursor)?;
            CommandBody::Select(mailbox, parameters)
        }
        "EXAMINE" => {
            let (mailbox, parameters) = select::select_arguments(cursor)?;
            CommandBody::Examine(mailbox, parameters)
        }
        "CREATE" => create::create(cursor)?,
        "DELETE" => CommandBody::Delete(mailbox_argument(cursor)?),
        "SUBSCRIBE" => CommandBody::Subscribe(mailbox_argument(cursor)?),
        "UNSUBSCRIBE" => CommandBody::Unsubscribe(mailbox_argument(cursor)?),
        "RENAME" => CommandBody::Rename {
            from: mailbox_argument(cursor)?,
            to: mailbox_argument(cursor)?,
        },
        "LIST" => list_ext::list(cursor)?,
        "LSUB" => {
            let (reference, pattern) = list_arguments(cursor)?;
            CommandBody::Lsub { reference, pattern }
        }
        "STATUS" => status(cursor)?,
        "GETQUOTA" => quota::get_quota(cursor)?,
        "GETQUOTAROOT" => quota::get_quota_root(cursor)?,
        "SETQUOTA" => quota::set_quota(cursor)?,
        "GETMETADATA" => metadata::get_metadata(cursor)?,
        "SETMETADATA" => metadata::set_metadata(cursor)?,
        "APPEND" => append::append(cursor)?,
        "NOTIFY" => notify::notify(cursor)?,
        _ => return selected_command(cursor, name, false),
    })
}

/// The command `name` after `UID SP` (RFC 3501 §6.4.8, RFC 4315 §2.1).
pub(super) fn uid_command(
    cursor: &mut Cursor<'_>,
    name: &str,
) -> Result<CommandBody, ParseErrorKind> {
    if name.eq_ignore_ascii_case("EXPUNGE") {
        cursor.sp()?;
        return Ok(CommandBody::UidExpunge(cursor.sequence_set()?));
    }
    selected_command(cursor, name, true)
}

/// The commands that exist with and without the UID prefix.
fn selected_command(
    cursor: &mut Cursor<'_>,
    name: &str,
    uid: bool,
) -> Result<CommandBody, ParseErrorKind> {
    Ok(match name.to_ascii_uppercase().as_str() {
        "FETCH" => CommandBody::Fetch {
            uid,
            args: fetch::fetch_arguments(cursor)?,
        },
        "STORE" => CommandBody::Store {
            uid,
            args: fetch::store_arguments(cursor)?,
        },
        "SEARCH" => CommandBody::Search {
            uid,
            args: search::search_arguments(cursor)?,
        },
        "SORT" => CommandBody::Sort {
            uid,
            args: sort::sort_arguments(cursor)?,
        },
        "THREAD" => CommandBody::Thread {
            uid,
            args: sort::thread_arguments(cursor)?,
        },
        "COPY" => {
            let (sequence, mailbox) = copy_arguments(cursor)?;
            CommandBody::Copy {
                uid,
                sequence,
                mailbox,
            }
        }
        "MOVE" => {
            let (sequence, mailbox) = copy_arguments(cursor)?;
            CommandBody::Move {
                uid,
                sequence,
                mailbox,
            }
        }
        _ => return Err(ParseErrorKind::UnknownCommand(name.to_owned())),
    })
}

/// `SP mailbox`.
pub(super) fn mailbox_argument(cursor: &mut Cursor<'_>) -> Result<MailboxName, ParseErrorKind> {
    cursor.sp()?;
    cursor.mailbox()
}

/// RFC 2971: `SP ("(" [string SP nstring *(SP string SP nstring)] ")" / NIL)`.
type IdParameters = Option<Vec<(String, Option<String>)>>;

fn id_parameters(cursor: &mut Cursor<'_>) -> Result<IdParameters, ParseErrorKind> {
    cursor.sp()?;
    if cursor.eat_keyword("NIL") {
        return Ok(None);
    }
    cursor.expect(b'(', "'(' or NIL")?;
    let mut parameters = Vec::new();
    if cursor.eat(b')') {
        return Ok(Some(parameters));
    }
    loop {
        let field = utf8(cursor.string()?, "an id field")?;
        cursor.sp()?;
        let value = match cursor.nstring()? {
            Some(value) => Some(utf8(value, "an id value")?),
            None => None,
        };
        parameters.push((field, value));
        if cursor.eat(b')') {
            return Ok(Some(parameters));
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the id parameters"))?;
    }
}

/// RFC 5161: `1*(SP capability)`, upper-cased (capability names are
/// case-insensitive).
fn capabilities(cursor: &mut Cursor<'_>) -> Result<Vec<String>, ParseErrorKind> {
    let mut names = Vec::new();
    loop {
        cursor.sp()?;
        names.push(cursor.atom()?.to_ascii_uppercase());
        if cursor.at_line_end() {
            return Ok(names);
        }
    }
}

/// `LOGIN SP userid SP password` (both astrings, UTF-8).
fn login(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    cursor.sp()?;
    let username = cursor.astring_utf8("the user name")?;
    cursor.sp()?;
    let password = cursor.astring_utf8("the password")?;
    Ok(CommandBody::Login { username, password })
}

/// `AUTHENTICATE SP auth-type [SP (base64 / "=")]` (RFC 4959 §3).
fn authenticate(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    cursor.sp()?;
    let name = cursor.atom()?.to_ascii_uppercase();
    let mechanism = if name == "PLAIN" {
        AuthMechanism::Plain
    } else {
        AuthMechanism::Other(name)
    };
    let initial_response = if cursor.eat(b' ') {
        Some(initial_response(cursor)?)
    } else {
        None
    };
    Ok(CommandBody::Authenticate {
        mechanism,
        initial_response,
    })
}

/// RFC 9051 §9 `base64`, or `=` for an empty initial response.
fn initial_response(cursor: &mut Cursor<'_>) -> Result<String, ParseErrorKind> {
    if cursor.eat(b'=') {
        return Ok("=".to_owned());
    }
    let body =
        cursor.take_while(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/'));
    let padding = cursor.take_while(|byte| byte == b'=');
    let length = body.len() + padding.len();
    if body.is_empty() || padding.len() > 2 || !length.is_multiple_of(4) {
        return Err(syntax("invalid base64 initial response"));
    }
    let mut encoded = String::from_utf8_lossy(body).into_owned();
    encoded.push_str(&"=".repeat(padding.len()));
    Ok(encoded)
}

/// `SP mailbox SP list-mailbox` (RFC 3501 §6.3.8, §6.3.9).
fn list_arguments(cursor: &mut Cursor<'_>) -> Result<(MailboxName, String), ParseErrorKind> {
    let reference = mailbox_argument(cursor)?;
    cursor.sp()?;
    Ok((reference, cursor.list_pattern()?))
}

/// `STATUS SP mailbox SP "(" status-att *(SP status-att) ")"`, with
/// HIGHESTMODSEQ (RFC 7162 §3.1.6) and SIZE (RFC 8438).
fn status(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let mailbox = mailbox_argument(cursor)?;
    cursor.sp()?;
    let items = status_items(cursor)?;
    Ok(CommandBody::Status { mailbox, items })
}

/// `"(" status-att *(SP status-att) ")"`, also in LIST-STATUS (RFC 5819 §2).
pub(super) fn status_items(cursor: &mut Cursor<'_>) -> Result<Vec<StatusItem>, ParseErrorKind> {
    cursor.expect(b'(', "'(' opening the status items")?;
    let mut items = Vec::new();
    loop {
        let item = match cursor.atom()?.to_ascii_uppercase().as_str() {
            "MESSAGES" => StatusItem::Messages,
            "RECENT" => StatusItem::Recent,
            "UIDNEXT" => StatusItem::UidNext,
            "UIDVALIDITY" => StatusItem::UidValidity,
            "UNSEEN" => StatusItem::Unseen,
            "HIGHESTMODSEQ" => StatusItem::HighestModSeq,
            "SIZE" => StatusItem::Size,
            "DELETED" => StatusItem::Deleted,
            "DELETED-STORAGE" => StatusItem::DeletedStorage,
            "MAILBOXID" => StatusItem::MailboxId,
            "APPENDLIMIT" => StatusItem::AppendLimit,
            other => {
                return Err(ParseErrorKind::Syntax(format!(
                    "unknown status item {other}"
                )));
            }
        };
        items.push(item);
        if cursor.eat(b')') {
            return Ok(items);
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the status items"))?;
    }
}

/// `SP sequence-set SP mailbox`.
fn copy_arguments(
    cursor: &mut Cursor<'_>,
) -> Result<(crate::command::SequenceSet, MailboxName), ParseErrorKind> {
    cursor.sp()?;
    let sequence = cursor.sequence_set()?;
    Ok((sequence, mailbox_argument(cursor)?))
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, CommandBody, SeqBound, SequenceSet, Tag};
    use crate::parser::{ParseErrorKind, parse_command};

    use super::*;
    use crate::parser::test_support::{body, kind, name};

    #[test]
    fn authentication_commands() {
        let login = CommandBody::Login {
            username: "alice@example.test".into(),
            password: "p \"w\"".into(),
        };
        assert_eq!(
            body("a LOGIN alice@example.test \"p \\\"w\\\"\"\r\n"),
            login
        );
        assert_eq!(
            body("a login {18+}\r\nalice@example.test {5}\r\np \"w\"\r\n"),
            login
        );
        assert_eq!(
            body("a AUTHENTICATE plain AGFsaWNlAHB3\r\n"),
            CommandBody::Authenticate {
                mechanism: AuthMechanism::Plain,
                initial_response: Some("AGFsaWNlAHB3".into())
            }
        );
        assert_eq!(
            body("a AUTHENTICATE PLAIN =\r\n"),
            CommandBody::Authenticate {
                mechanism: AuthMechanism::Plain,
                initial_response: Some("=".into())
            }
        );
        assert_eq!(
            body("a authenticate xoauth2\r\n"),
            CommandBody::Authenticate {
                mechanism: AuthMechanism::Other("XOAUTH2".into()),
                initial_response: None
            }
        );
        assert!(matches!(
            kind(b"a AUTHENTICATE PLAIN abc\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        assert!(matches!(
            kind(b"a LOGIN alice\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        assert!(matches!(
            kind(b"a LOGIN \"\xff\" x\r\n"),
            ParseErrorKind::Syntax(_)
        ));
    }

    #[test]
    fn id_and_enable() {
        assert_eq!(body("a ID NIL\r\n"), CommandBody::Id(None));
        assert_eq!(body("a ID ()\r\n"), CommandBody::Id(Some(vec![])));
        assert_eq!(
            body("a ID (\"name\" \"iPhone Mail\" \"version\" NIL)\r\n"),
            CommandBody::Id(Some(vec![
                ("name".into(), Some("iPhone Mail".into())),
                ("version".into(), None)
            ]))
        );
        assert_eq!(
            body("a enable condstore UTF8=ACCEPT\r\n"),
            CommandBody::Enable(vec!["CONDSTORE".into(), "UTF8=ACCEPT".into()])
        );
        assert!(matches!(kind(b"a ENABLE\r\n"), ParseErrorKind::Syntax(_)));
        assert!(matches!(
            kind(b"a ID (\"name\")\r\n"),
            ParseErrorKind::Syntax(_)
        ));
    }

    #[test]
    fn mailbox_commands() {
        assert_eq!(
            body("a select inbox\r\n"),
            CommandBody::Select(name("INBOX"), Default::default())
        );
        assert_eq!(
            body("a EXAMINE \"Sent\"\r\n"),
            CommandBody::Examine(name("Sent"), Default::default())
        );
        assert_eq!(
            body("a CREATE &ZeVnLIqe-/x\r\n"),
            CommandBody::Create(name("日本語/x"))
        );
        assert_eq!(
            body("a delete {4}\r\nA&-B\r\n"),
            CommandBody::Delete(name("A&B"))
        );
        assert_eq!(
            body("a RENAME a \"b c\"\r\n"),
            CommandBody::Rename {
                from: name("a"),
                to: name("b c")
            }
        );
        assert_eq!(body("a SUBSCRIBE x\r\n"), CommandBody::Subscribe(name("x")));
        assert_eq!(
            body("a UNSUBSCRIBE x\r\n"),
            CommandBody::Unsubscribe(name("x"))
        );
        assert_eq!(
            body("a LIST \"\" *\r\n"),
            CommandBody::List {
                reference: name(""),
                pattern: "*".into()
            }
        );
        assert_eq!(
            body("a lsub \"\" \"INBOX/%\"\r\n"),
            CommandBody::Lsub {
                reference: name(""),
                pattern: "INBOX/%".into()
            }
        );
        assert_eq!(
            body(
                "a STATUS INBOX (MESSAGES UIDNEXT uidvalidity UNSEEN RECENT HIGHESTMODSEQ SIZE)\r\n"
            ),
            CommandBody::Status {
                mailbox: name("INBOX"),
                items: vec![
                    StatusItem::Messages,
                    StatusItem::UidNext,
                    StatusItem::UidValidity,
                    StatusItem::Unseen,
                    StatusItem::Recent,
                    StatusItem::HighestModSeq,
                    StatusItem::Size
                ]
            }
        );
        assert!(matches!(
            kind(b"a STATUS x (FOO)\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        assert!(matches!(
            kind(b"a STATUS x (MESSAGES\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        assert!(matches!(
            kind(b"a LIST &U,B \"\"\r\n"),
            ParseErrorKind::InvalidMailboxName(_)
        ));
        assert!(matches!(
            kind(b"a RENAME &Jjo! x\r\n"),
            ParseErrorKind::InvalidMailboxName(_)
        ));
    }

    #[test]
    fn copy_move_and_uid_expunge() {
        let set = SequenceSet::Ranges(vec![(SeqBound::Value(2), SeqBound::Value(4))]);
        assert_eq!(
            body("a UID copy 2:4 Trash\r\n"),
            CommandBody::Copy {
                uid: true,
                sequence: set.clone(),
                mailbox: name("Trash")
            }
        );
        assert_eq!(
            body("a MOVE 2:4 \"Trash\"\r\n"),
            CommandBody::Move {
                uid: false,
                sequence: set.clone(),
                mailbox: name("Trash")
            }
        );
        assert_eq!(body("a uid expunge 2:4\r\n"), CommandBody::UidExpunge(set));
        assert_eq!(
            parse_command(b"x7 NOOP\r\n").unwrap(),
            Command {
                tag: Tag("x7".into()),
                body: CommandBody::Noop
            }
        );
    }
}
