//! Expected responses and how they are judged (FORMAT.md §6-§7): an
//! expectation line compiles once into [`Pat`]s (with the list directives
//! `$!unordered[=N]`, `$!ordered`, `$!noextra`, `$!extra`, `$!ignore=X`,
//! `$!ban=X`, and the per-response defaults for LIST, STATUS and FETCH),
//! then [`match_line`] walks it against a tokenized server line.
//! Invariant: bindings are committed to the [`Scope`] only when the whole
//! line matched.

use std::collections::HashMap;

use super::token::Token;
use super::vars::{Scope, Seg, segments};

/// One expected element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pat {
    Nil,
    /// A token that is exactly `$`: matches any value, lists included.
    Any,
    Text(Vec<Seg>),
    List(ListPat),
}

/// An expected list and how its elements are matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPat {
    pub items: Vec<Pat>,
    /// `None`: ordered; `Some(n)`: unordered in chains of n.
    pub chain: Option<usize>,
    pub noextra: bool,
    pub ignore: Vec<Vec<u8>>,
    pub ban: Vec<Vec<u8>>,
}

const FLAG_IGNORES: [&[u8]; 3] = [b"\\Recent", b"$HasAttachment", b"$HasNoAttachment"];

/// Compiles a tokenized expectation line, applying the default directives.
pub fn compile_line(tokens: &[Token]) -> Result<Vec<Pat>, String> {
    let name_at = match tokens.first().and_then(Token::text) {
        Some(first)
            if first
                .first()
                .is_some_and(|b| b.is_ascii_digit() || *b == b'$') =>
        {
            1
        }
        _ => 0,
    };
    let name = tokens
        .get(name_at)
        .and_then(Token::text)
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        let default = match (name.as_slice(), i) {
            (b"list" | b"lsub", 1) => Default::Unordered,
            (b"status", 2) => Default::Pairs,
            (b"fetch", 2) if name_at == 1 => Default::FetchData,
            _ => Default::None,
        };
        out.push(compile(token, default)?);
    }
    Ok(out)
}

#[derive(Clone, Copy)]
enum Default {
    None,
    Unordered,
    Pairs,
    FetchData,
    Flags,
}

fn compile(token: &Token, default: Default) -> Result<Pat, String> {
    let items = match token {
        Token::Nil => return Ok(Pat::Nil),
        Token::Str(text) if text == b"$" => return Ok(Pat::Any),
        Token::Str(text) => return Ok(Pat::Text(segments(text))),
        Token::List(items) => items,
    };
    let mut list = ListPat {
        items: Vec::new(),
        chain: None,
        noextra: false,
        ignore: Vec::new(),
        ban: Vec::new(),
    };
    let mut extra_explicit = false;
    let mut directives = 0;
    for item in items {
        let Some(word) = item.text().and_then(|t| t.strip_prefix(b"$!")) else {
            break;
        };
        directives += 1;
        let word = String::from_utf8_lossy(word).to_ascii_lowercase();
        match word.split_once('=') {
            None if word == "unordered" => list.chain = Some(1),
            None if word == "ordered" => list.chain = None,
            None if word == "noextra" => list.noextra = true,
            None if word == "extra" => extra_explicit = true,
            Some(("unordered", n)) => {
                let n: usize = n.parse().map_err(|_| format!("bad directive $!{word}"))?;
                list.chain = Some(n.max(1));
            }
            Some(("ignore", x)) => list.ignore.push(x.as_bytes().to_vec()),
            Some(("ban", x)) => list.ban.push(x.as_bytes().to_vec()),
            _ => return Err(format!("unknown list directive $!{word}")),
        }
    }
    if extra_explicit {
        list.noextra = false;
    }
    let default = if directives == 0 {
        default
    } else {
        Default::None
    };
    match default {
        Default::Unordered => list.chain = Some(1),
        Default::Pairs | Default::FetchData => list.chain = Some(2),
        Default::Flags => {
            list.chain = Some(1);
            list.noextra = true;
            list.ignore = FLAG_IGNORES.iter().map(|f| f.to_vec()).collect();
        }
        Default::None => {}
    }
    let mut after_flags = false;
    for item in &items[directives..] {
        let child = match default {
            Default::FetchData if after_flags => Default::Flags,
            _ => Default::None,
        };
        after_flags = item
            .text()
            .is_some_and(|t| t.eq_ignore_ascii_case(b"FLAGS"));
        list.items.push(compile(item, child)?);
    }
    if let Some(n) = list.chain
        && !list.items.len().is_multiple_of(n)
    {
        return Err(format!(
            "list of {} items is not in chains of {n}",
            list.items.len()
        ));
    }
    Ok(Pat::List(list))
}

/// Matches `expected` against `actual`; on success the bindings made are
/// added to `scope`. Prefix mode: surplus actual elements are ignored and
/// a last expected string need only be a prefix.
pub fn match_line(expected: &[Pat], actual: &[Token], prefix: bool, scope: &mut Scope) -> bool {
    let mut new = HashMap::new();
    let ok = Walker {
        scope,
        new: &mut new,
    }
    .seq(expected, actual, prefix);
    if ok {
        scope.vars.extend(new);
    }
    ok
}

struct Walker<'a> {
    scope: &'a Scope,
    new: &'a mut HashMap<String, Vec<u8>>,
}

impl Walker<'_> {
    fn seq(&mut self, expected: &[Pat], actual: &[Token], prefix: bool) -> bool {
        let count_ok = if prefix {
            actual.len() >= expected.len()
        } else {
            actual.len() == expected.len()
        };
        count_ok
            && expected
                .iter()
                .zip(actual)
                .enumerate()
                .all(|(i, (e, a))| self.elem(e, a, prefix && i + 1 == expected.len()))
    }

    fn elem(&mut self, expected: &Pat, actual: &Token, prefix: bool) -> bool {
        match (expected, actual) {
            (Pat::Nil, actual) => *actual == Token::Nil,
            (Pat::Any, _) => true,
            (Pat::Text(_), Token::List(_)) => false,
            (Pat::Text(segs), actual) => {
                let text = actual.text().unwrap_or_default();
                self.text(segs, text, prefix)
            }
            (Pat::List(list), Token::List(items)) => self.list(list, items),
            (Pat::List(_), _) => false,
        }
    }

    fn lookup(&self, name: &str) -> Option<Vec<u8>> {
        self.new.get(name).cloned().or_else(|| self.scope.get(name))
    }

    fn text(&mut self, segs: &[Seg], value: &[u8], prefix: bool) -> bool {
        let mut pos = 0;
        for (i, seg) in segs.iter().enumerate() {
            let rest = &value[pos..];
            let bound = match seg {
                Seg::Lit(bytes) => {
                    if rest.len() < bytes.len() || !rest[..bytes.len()].eq_ignore_ascii_case(bytes)
                    {
                        return false;
                    }
                    pos += bytes.len();
                    continue;
                }
                Seg::Seq(n) => match self.scope.seq_value(*n) {
                    Some(v) => Some(v),
                    None => return false,
                },
                Seg::Var(name) => self.lookup(name),
                _ => None,
            };
            match bound {
                Some(v) => {
                    if !rest.starts_with(&v) {
                        return false;
                    }
                    pos += v.len();
                }
                None => {
                    let len = match segs.get(i + 1) {
                        Some(Seg::Lit(next)) => rest
                            .iter()
                            .position(|b| b.eq_ignore_ascii_case(&next[0]))
                            .unwrap_or(rest.len()),
                        _ => rest.len(),
                    };
                    if let Seg::Var(name) = seg {
                        self.new.insert(name.clone(), rest[..len].to_vec());
                    }
                    pos += len;
                }
            }
        }
        prefix || pos == value.len()
    }

    fn list(&mut self, list: &ListPat, actual: &[Token]) -> bool {
        let Some(n) = list.chain else {
            return self.seq(&list.items, actual, false);
        };
        if !actual.len().is_multiple_of(n) {
            return false;
        }
        let mut used = vec![false; actual.len() / n];
        for want in list.items.chunks(n) {
            let mut found = false;
            for (k, have) in actual.chunks(n).enumerate() {
                let mut trial = self.new.clone();
                let ok = Walker {
                    scope: self.scope,
                    new: &mut trial,
                }
                .seq(want, have, false);
                if ok {
                    *self.new = trial;
                    used[k] = true;
                    found = true;
                    break;
                }
            }
            if !found {
                return false;
            }
        }
        let listed =
            |names: &[Vec<u8>], first: &[u8]| names.iter().any(|x| x.eq_ignore_ascii_case(first));
        actual
            .chunks(n)
            .zip(&used)
            .filter(|(_, used)| !**used)
            .all(|(chain, _)| {
                let Some(first) = chain[0].text() else {
                    return true;
                };
                if list.noextra {
                    listed(&list.ignore, first)
                } else {
                    !listed(&list.ban, first)
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn check(expected: &str, actual: &str, prefix: bool, scope: &mut Scope) -> bool {
        let pats = compile_line(&tokenize(expected.as_bytes())).unwrap();
        let actual = tokenize(actual.as_bytes());
        match_line(&pats, &actual, prefix, scope)
    }

    #[test]
    fn captures_bind_and_then_compare_exactly() {
        let mut scope = Scope::default();
        assert!(check(
            "ok [uidvalidity $uv]",
            "OK [UIDVALIDITY 1795789599] done",
            true,
            &mut scope
        ));
        assert_eq!(scope.vars["uv"], b"1795789599".to_vec());
        assert!(check(
            "1 fetch (uid $uv)",
            "1 FETCH (UID 1795789599)",
            false,
            &mut scope
        ));
        assert!(!check(
            "1 fetch (uid $uv)",
            "1 FETCH (UID 17)",
            false,
            &mut scope
        ));
        assert!(check(
            "list () $sep $root",
            "LIST (\\Noselect) \"/\" \"\"",
            false,
            &mut scope
        ));
        assert_eq!(scope.vars["sep"], b"/".to_vec());
        assert_eq!(scope.vars["root"], b"".to_vec());
    }

    #[test]
    fn failed_match_discards_bindings() {
        let mut scope = Scope::default();
        assert!(!check(
            "1 fetch (uid $u flags (\\seen))",
            "1 FETCH (UID 4 FLAGS ())",
            false,
            &mut scope
        ));
        assert!(!scope.vars.contains_key("u"));
    }

    #[test]
    fn fetch_defaults_are_unordered_with_strict_flags() {
        let mut scope = Scope::default();
        let act = "2 FETCH (UID 9 FLAGS (\\Recent \\Seen) MODSEQ (3))";
        assert!(check("2 fetch (flags (\\seen))", act, false, &mut scope));
        assert!(!check("2 fetch (flags ())", act, false, &mut scope));
        assert!(!check(
            "2 fetch (flags (\\seen \\deleted))",
            act,
            false,
            &mut scope
        ));
    }

    #[test]
    fn explicit_directives_and_ordering() {
        let mut scope = Scope::default();
        assert!(check("x ($!unordered a b)", "X (b c a)", false, &mut scope));
        assert!(!check(
            "x ($!unordered $!noextra a b)",
            "X (b c a)",
            false,
            &mut scope
        ));
        assert!(check(
            "x ($!unordered $!noextra $!ignore=c a b)",
            "X (b c a)",
            false,
            &mut scope
        ));
        assert!(!check(
            "x ($!unordered $!ban=c a b)",
            "X (b c a)",
            false,
            &mut scope
        ));
        assert!(!check("x (a b)", "X (b a)", false, &mut scope));
        assert!(check(
            "thread ($ (3 4))",
            "THREAD ((1 2) (3 4))",
            false,
            &mut scope
        ));
    }

    #[test]
    fn nil_and_relative_sequences() {
        let mut scope = Scope {
            seq: vec![Some(1), None, Some(2)],
            ..Scope::default()
        };
        assert!(check("x \"nil\"", "X NIL", false, &mut scope));
        assert!(!check("x nil", "X \"NIL\"", false, &mut scope));
        assert!(check("$3 expunge", "2 EXPUNGE", false, &mut scope));
        assert!(!check("$2 expunge", "2 EXPUNGE", false, &mut scope));
    }
}
