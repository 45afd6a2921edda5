//! Variables of one test (FORMAT.md §6): `$name`, `${name}`, `$$`, `$N`
//! relative sequence numbers, the contextual `$tag`, and the anonymous
//! `$`. Owns [`Scope`] (all bindings of a test, shared by its connections)
//! and the textual substitution of commands and `!output`. Invariant: a
//! binding, once made, never changes for the rest of the test.

use std::collections::HashMap;

/// One piece of a pattern or command text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Lit(Vec<u8>),
    Var(String),
    /// `$N`: the N-th entry (1-based) of the group's relative sequence map.
    Seq(usize),
    /// A lone `$`: captures without binding.
    Anon,
    /// `$!word`: removed from commands.
    Bang,
}

/// Splits text into literal bytes and variable references.
pub fn segments(text: &[u8]) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::new();
    let mut lit = Vec::new();
    let mut pos = 0;
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while pos < text.len() {
        if text[pos] != b'$' {
            lit.push(text[pos]);
            pos += 1;
            continue;
        }
        let next = text.get(pos + 1).copied();
        let (seg, used) = match next {
            Some(b'$') => {
                lit.push(b'$');
                pos += 2;
                continue;
            }
            Some(b'{') => match text[pos + 2..].iter().position(|b| *b == b'}') {
                Some(len) => (name_seg(&text[pos + 2..pos + 2 + len]), len + 3),
                None => (Seg::Anon, 1),
            },
            Some(b'!') => {
                let len = text[pos + 2..].iter().take_while(|b| is_name(**b)).count();
                (Seg::Bang, len + 2)
            }
            Some(b) if is_name(b) => {
                let len = text[pos + 1..].iter().take_while(|b| is_name(**b)).count();
                (name_seg(&text[pos + 1..pos + 1 + len]), len + 1)
            }
            _ => (Seg::Anon, 1),
        };
        if !lit.is_empty() {
            out.push(Seg::Lit(std::mem::take(&mut lit)));
        }
        out.push(seg);
        pos += used;
    }
    if !lit.is_empty() {
        out.push(Seg::Lit(lit));
    }
    out
}

fn name_seg(name: &[u8]) -> Seg {
    let name = String::from_utf8_lossy(name).into_owned();
    match name.parse::<usize>() {
        Ok(n) if name.bytes().all(|b| b.is_ascii_digit()) => Seg::Seq(n),
        _ => Seg::Var(name),
    }
}

/// The bindings of one test plus the per-group context.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub vars: HashMap<String, Vec<u8>>,
    /// Relative sequence map of the current group: index N-1 holds `$N`.
    pub seq: Vec<Option<u32>>,
    /// The real tag `$tag` stands for right now.
    pub tag: Option<String>,
}

impl Scope {
    /// The value of a named variable, `$tag` included.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        if name == "tag" {
            return self.tag.as_ref().map(|t| t.as_bytes().to_vec());
        }
        self.vars.get(name).cloned()
    }

    /// `$N`, or `None` for `$0`, out-of-range and expunged entries.
    pub fn seq_value(&self, n: usize) -> Option<Vec<u8>> {
        let entry = self.seq.get(n.checked_sub(1)?)?;
        entry.map(|v| v.to_string().into_bytes())
    }

    /// Substitutes a command or `!output` line; an unset variable (or a
    /// lone `$` not ending the line) is an error naming it.
    pub fn expand(&self, text: &[u8]) -> Result<Vec<u8>, String> {
        let segs = segments(text);
        let mut out = Vec::new();
        for (i, seg) in segs.iter().enumerate() {
            match seg {
                Seg::Lit(bytes) => out.extend_from_slice(bytes),
                Seg::Bang => {}
                Seg::Var(name) => match self.get(name) {
                    Some(value) => out.extend_from_slice(&value),
                    None => return Err(format!("unset variable ${name}")),
                },
                Seg::Seq(n) => match self.seq_value(*n) {
                    Some(value) => out.extend_from_slice(&value),
                    None => return Err(format!("${n} names no current message")),
                },
                Seg::Anon if i + 1 == segs.len() => out.push(b'$'),
                Seg::Anon => return Err("lone $ in a command".to_owned()),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_every_form() {
        assert_eq!(
            segments(b"a$x${y}z$$ $3 $!w $"),
            vec![
                Seg::Lit(b"a".to_vec()),
                Seg::Var("x".into()),
                Seg::Var("y".into()),
                Seg::Lit(b"z$ ".to_vec()),
                Seg::Seq(3),
                Seg::Lit(b" ".to_vec()),
                Seg::Bang,
                Seg::Lit(b" ".to_vec()),
                Seg::Anon,
            ]
        );
    }

    #[test]
    fn expand_substitutes_and_rejects_unset() {
        let mut scope = Scope {
            seq: vec![Some(1), None, Some(2)],
            ..Scope::default()
        };
        scope.vars.insert("mailbox".into(), b"imaptest".to_vec());
        assert_eq!(
            scope.expand(b"select ${mailbox}2 $3 $!unordered$").unwrap(),
            b"select imaptest2 2 $".to_vec()
        );
        assert!(scope.expand(b"fetch $2 uid").is_err());
        assert!(scope.expand(b"fetch $nope uid").is_err());
    }
}
