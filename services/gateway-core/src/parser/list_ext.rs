//! LIST in its extended form (RFC 5258 §3, §6): selection options before
//! the reference, one pattern or a parenthesised list of them, and RETURN
//! options, with SPECIAL-USE (RFC 6154 §3) and LIST-STATUS (RFC 5819 §2).
//! A LIST without any of these parses to the basic `CommandBody::List`, so
//! RFC 3501 behaviour is untouched. Unknown options are a syntax error
//! (`BAD`, RFC 5258 §3), as is RECURSIVEMATCH without a base option.

use super::ParseErrorKind;
use super::commands::{mailbox_argument, status_items};
use super::cursor::{Cursor, syntax};
use crate::command::{CommandBody, ListArgs, ListReturn, ListSelection};

/// `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`.
pub(super) fn list(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let mut extended = false;
    let mut selection = ListSelection::default();
    if cursor.eat_prefix(" (") {
        extended = true;
        selection = selection_options(cursor)?;
    }
    let reference = mailbox_argument(cursor)?;
    cursor.sp()?;
    let patterns = if cursor.eat(b'(') {
        extended = true;
        pattern_list(cursor)?
    } else {
        vec![cursor.list_pattern()?]
    };
    let mut returns = ListReturn::default();
    if cursor.eat(b' ') {
        if !cursor.eat_keyword("RETURN") {
            return Err(syntax("expected RETURN"));
        }
        extended = true;
        returns = return_options(cursor)?;
    }
    if !extended {
        let pattern = patterns.into_iter().next().unwrap_or_default();
        return Ok(CommandBody::List { reference, pattern });
    }
    Ok(CommandBody::ListExtended(ListArgs {
        selection,
        reference,
        patterns,
        returns,
    }))
}

/// The options after `(` up to `)`, checked as RFC 5258 §3 requires.
fn selection_options(cursor: &mut Cursor<'_>) -> Result<ListSelection, ParseErrorKind> {
    let mut selection = ListSelection::default();
    if !cursor.eat(b')') {
        loop {
            match cursor.atom()?.to_ascii_uppercase().as_str() {
                "SUBSCRIBED" => selection.subscribed = true,
                "REMOTE" => selection.remote = true,
                "RECURSIVEMATCH" => selection.recursive_match = true,
                "SPECIAL-USE" => selection.special_use = true,
                other => return Err(unknown_option("selection", other)),
            }
            if cursor.eat(b')') {
                break;
            }
            cursor
                .sp()
                .map_err(|_| syntax("expected ')' closing the selection options"))?;
        }
    }
    // RFC 5258 §3: RECURSIVEMATCH only modifies another selection option.
    if selection.recursive_match && !(selection.subscribed || selection.special_use) {
        return Err(syntax("RECURSIVEMATCH needs another selection option"));
    }
    Ok(selection)
}

/// `patterns = "(" list-mailbox *(SP list-mailbox) ")"`, after the `(`.
fn pattern_list(cursor: &mut Cursor<'_>) -> Result<Vec<String>, ParseErrorKind> {
    let mut patterns = Vec::new();
    loop {
        patterns.push(cursor.list_pattern()?);
        if cursor.eat(b')') {
            return Ok(patterns);
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the patterns"))?;
    }
}

/// `"RETURN" SP "(" [return-option *(SP return-option)] ")"`, after RETURN.
fn return_options(cursor: &mut Cursor<'_>) -> Result<ListReturn, ParseErrorKind> {
    cursor.sp()?;
    cursor.expect(b'(', "'(' opening the return options")?;
    let mut returns = ListReturn::default();
    if cursor.eat(b')') {
        return Ok(returns);
    }
    loop {
        match cursor.atom()?.to_ascii_uppercase().as_str() {
            "SUBSCRIBED" => returns.subscribed = true,
            "CHILDREN" => returns.children = true,
            "SPECIAL-USE" => returns.special_use = true,
            "STATUS" => {
                cursor.sp()?;
                returns.status = Some(status_items(cursor)?);
            }
            other => return Err(unknown_option("return", other)),
        }
        if cursor.eat(b')') {
            return Ok(returns);
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the return options"))?;
    }
}

fn unknown_option(kind: &str, name: &str) -> ParseErrorKind {
    let shown: String = name.chars().take(32).collect();
    ParseErrorKind::Syntax(format!("unknown {kind} option {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::StatusItem;
    use crate::parser::test_support::{body, kind, name};

    fn extended(input: &str) -> ListArgs {
        match body(input) {
            CommandBody::ListExtended(args) => args,
            other => panic!("{input}: {other:?}"),
        }
    }

    #[test]
    fn basic_list_stays_basic() {
        assert_eq!(
            body("a LIST \"\" %\r\n"),
            CommandBody::List {
                reference: name(""),
                pattern: "%".into()
            }
        );
    }

    /// RFC 5258 §5 examples (commands only).
    #[test]
    fn rfc5258_examples_parse() {
        let args = extended("A01 LIST \"\" (\"\" \"%\") RETURN ()\r\n");
        assert_eq!(args.patterns, vec!["".to_owned(), "%".to_owned()]);
        assert_eq!(args.returns, ListReturn::default());
        let args = extended("A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n");
        assert!(args.selection.subscribed);
        let args = extended("A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n");
        assert_eq!(args.selection, ListSelection::default());
        assert!(args.returns.children);
        let args = extended("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n");
        assert!(args.selection.remote);
        let args =
            extended("A05 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n");
        assert!(args.selection.subscribed && args.selection.recursive_match);
        let args = extended("A06 LIST \"\" (\"foo\" \"foo/*\")\r\n");
        assert_eq!(args.patterns, vec!["foo".to_owned(), "foo/*".to_owned()]);
        let args = extended("A07 list (subscribed remote) \"\" * return (subscribed children)\r\n");
        assert!(args.selection.subscribed && args.selection.remote);
        assert!(args.returns.subscribed && args.returns.children);
    }

    #[test]
    fn special_use_and_status_options() {
        // RFC 6154 §5.2 and RFC 5819 §2.
        let args = extended("t1 LIST (SPECIAL-USE) \"\" \"*\"\r\n");
        assert!(args.selection.special_use);
        let args = extended("t2 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n");
        assert!(args.returns.special_use);
        let args = extended("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n");
        assert_eq!(
            args.returns.status,
            Some(vec![StatusItem::Messages, StatusItem::Unseen])
        );
    }

    #[test]
    fn bad_options_are_syntax_errors() {
        for input in [
            "a LIST (imaptest) \"\" \"\"\r\n",
            "a LIST (recursivematch) \"\" \"\"\r\n",
            "a LIST (recursivematch remote) \"\" \"\"\r\n",
            "a LIST \"\" \"\" return (imaptest)\r\n",
            "a LIST \"\" \"\" return\r\n",
            "a LIST \"\" () \r\n",
            "a LIST \"\" (a b\r\n",
            "a LIST \"\" a RETURN (STATUS (FOO))\r\n",
            "a LIST \"\" a FOO ()\r\n",
        ] {
            assert!(
                matches!(kind(input.as_bytes()), ParseErrorKind::Syntax(_)),
                "{input}"
            );
        }
    }
}
