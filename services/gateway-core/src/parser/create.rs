//! CREATE with parameters (RFC 4466 §2.2): only `USE (attributes)` of
//! CREATE-SPECIAL-USE (RFC 6154 §3, §6) is known; any other parameter is a
//! syntax error. Attributes are returned as written (`\Sent`); which ones
//! are accepted is the session's decision (`NO [USEATTR]`).

use super::ParseErrorKind;
use super::commands::mailbox_argument;
use super::cursor::{Cursor, syntax};
use crate::command::CommandBody;

/// `CREATE SP mailbox [SP "(" create-param *(SP create-param) ")"]`.
pub(super) fn create(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let name = mailbox_argument(cursor)?;
    if !cursor.eat(b' ') {
        return Ok(CommandBody::Create(name));
    }
    cursor.expect(b'(', "'(' opening the create parameters")?;
    let mut uses = Vec::new();
    loop {
        if !cursor.eat_keyword("USE") {
            return Err(syntax("unknown create parameter"));
        }
        cursor.sp()?;
        uses.extend(use_attributes(cursor)?);
        if cursor.eat(b')') {
            return Ok(CommandBody::CreateSpecialUse { name, uses });
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the create parameters"))?;
    }
}

/// `"(" [use-attr *(SP use-attr)] ")"`, each `use-attr` a `\` and an atom.
fn use_attributes(cursor: &mut Cursor<'_>) -> Result<Vec<String>, ParseErrorKind> {
    cursor.expect(b'(', "'(' opening the use attributes")?;
    let mut attributes = Vec::new();
    if cursor.eat(b')') {
        return Ok(attributes);
    }
    loop {
        cursor.expect(b'\\', "'\\' starting a use attribute")?;
        attributes.push(format!("\\{}", cursor.atom()?));
        if cursor.eat(b')') {
            return Ok(attributes);
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the use attributes"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::test_support::{body, kind, name};

    /// RFC 6154 §5.2 and §5.3 examples.
    #[test]
    fn create_with_use() {
        assert_eq!(
            body("t1 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n"),
            CommandBody::CreateSpecialUse {
                name: name("MySpecial"),
                uses: vec!["\\Drafts".into(), "\\Sent".into()]
            }
        );
        assert_eq!(
            body("t1 CREATE Foo (USE (\\Junk))\r\n"),
            CommandBody::CreateSpecialUse {
                name: name("Foo"),
                uses: vec!["\\Junk".into()]
            }
        );
        assert_eq!(
            body("t1 CREATE Foo (use ())\r\n"),
            CommandBody::CreateSpecialUse {
                name: name("Foo"),
                uses: vec![]
            }
        );
        assert_eq!(body("t1 CREATE Foo\r\n"), CommandBody::Create(name("Foo")));
    }

    #[test]
    fn malformed_parameters_are_syntax_errors() {
        for input in [
            "a CREATE Foo ()\r\n",
            "a CREATE Foo (USE)\r\n",
            "a CREATE Foo (USE (Sent))\r\n",
            "a CREATE Foo (COLOR (red))\r\n",
            "a CREATE Foo (USE (\\Sent)\r\n",
        ] {
            assert!(
                matches!(kind(input.as_bytes()), ParseErrorKind::Syntax(_)),
                "{input}"
            );
        }
    }
}
