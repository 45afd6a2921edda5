"""IMAP data helpers shared by both client runs (RFC 3501 §4, §9).

Owns: a parser of response data (atoms, numbers, quoted strings, literals,
parenthesised lists, NIL) into plain Python values (bytes, int, None, list);
the inverse renderer used by the self-tests; sequence-set compression; and
the modified UTF-7 mailbox-name codec of RFC 3501 §5.1.3.

Invariant: parse(render(v)) == v for every value built from bytes, int,
None and lists. Numbers are atoms made of digits only; a quoted string that
looks like a number stays bytes.
"""

import base64
import re

_ATOM_END = b' ()[]{"\r\n'
_SECTION_ATOM = re.compile(rb"(BODY|BINARY)(\.PEEK)?\[", re.IGNORECASE)


class ParseError(ValueError):
    pass


def parse(data, pos=0):
    """Parses the values in `data` from `pos` up to its end or an unmatched
    ')'; returns (values, next position)."""
    values = []
    while pos < len(data):
        byte = data[pos:pos + 1]
        if byte == b" ":
            pos += 1
        elif byte == b"(":
            inner, pos = parse(data, pos + 1)
            if data[pos:pos + 1] != b")":
                raise ParseError(f"unbalanced list at {pos}: {data[pos:pos + 40]!r}")
            values.append(inner)
            pos += 1
        elif byte == b")":
            return values, pos
        elif byte == b'"':
            value, pos = _quoted(data, pos + 1)
            values.append(value)
        elif byte == b"{":
            close = data.index(b"}", pos)
            length = int(data[pos + 1:close].rstrip(b"+"))
            start = close + 3
            if data[close + 1:start] != b"\r\n":
                raise ParseError(f"literal without CRLF at {pos}")
            values.append(data[start:start + length])
            pos = start + length
        else:
            value, pos = _atom(data, pos)
            values.append(value)
    return values, pos


def _quoted(data, pos):
    out = bytearray()
    while True:
        byte = data[pos:pos + 1]
        if not byte or byte in b"\r\n":
            raise ParseError("unterminated quoted string")
        if byte == b'"':
            return bytes(out), pos + 1
        if byte == b"\\":
            pos += 1
            byte = data[pos:pos + 1]
        out += byte
        pos += 1


def _atom(data, pos):
    start = pos
    section = _SECTION_ATOM.match(data, pos)
    if section:
        # BODY[HEADER.FIELDS (A B)]<0>: brackets may hold spaces and lists.
        pos = data.index(b"]", section.end()) + 1
    while pos < len(data) and data[pos:pos + 1] not in _ATOM_END:
        pos += 1
    if pos == start:
        raise ParseError(f"unexpected byte at {pos}: {data[pos:pos + 40]!r}")
    atom = data[start:pos]
    if atom == b"NIL":
        return None, pos
    if atom.isdigit():
        return int(atom), pos
    return atom, pos


def parse_all(data):
    values, pos = parse(data)
    if pos != len(data):
        raise ParseError(f"unmatched ')' at {pos}: {data[:80]!r}")
    return values


def render(value):
    """The IMAP text of `value`; strings are quoted unless they need a literal."""
    if value is None:
        return b"NIL"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, list):
        return b"(" + b" ".join(render(item) for item in value) + b")"
    if any(b > 0x7F or b in b"\r\n\0" for b in value):
        return b"{%d}\r\n" % len(value) + value
    return b'"' + value.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def sequence_set(numbers):
    """`[1, 2, 3, 7]` -> `"1:3,7"` (RFC 3501 §9 sequence-set)."""
    ordered = sorted(set(numbers))
    if not ordered:
        raise ValueError("empty sequence set")
    ranges = []
    first = last = ordered[0]
    for number in ordered[1:]:
        if number == last + 1:
            last = number
            continue
        ranges.append((first, last))
        first = last = number
    ranges.append((first, last))
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in ranges)


def mutf7_encode(name):
    """UTF-8 mailbox name -> modified UTF-7 (RFC 3501 §5.1.3)."""
    out, pending = [], []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def mutf7_decode(name):
    """Modified UTF-7 -> UTF-8; raises ValueError on malformed input."""
    out, pos = [], 0
    while pos < len(name):
        char = name[pos]
        if char != "&":
            out.append(char)
            pos += 1
            continue
        end = name.index("-", pos)
        chunk = name[pos + 1:end]
        if not chunk:
            out.append("&")
        else:
            padded = chunk.replace(",", "/") + "=" * (-len(chunk) % 4)
            out.append(base64.b64decode(padded, validate=True).decode("utf-16-be"))
        pos = end + 1
    return "".join(out)
