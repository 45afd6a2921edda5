"""What a correct server answers for one message, derived independently of
the server with Python's `email` package (policy compat32).

Owns: the MIME tree of a raw message with the byte range of every part
(RFC 2046 §5.1.1 boundaries; the CRLF before a delimiter belongs to the
delimiter), RFC 3501 §7.4.2 ENVELOPE and BODYSTRUCTURE as nested values
(bytes, int, None, lists; see imap_data), section lookup for BODY[1.2]
(RFC 3501 §6.4.5), and the decoded fields SEARCH matches against.

Conventions, all from the RFCs: header values are raw and unfolded (RFC
5322 §2.2.3: CRLF before whitespace removed, whitespace kept), surrounding
whitespace trimmed, RFC 2047 words left encoded; parameters are raw
attribute/value pairs with quotes removed (RFC 2231 `name*` kept as written,
and compared in its decoded form so RFC 9051's decoding also passes);
a text part without parameters gets charset us-ascii (RFC 2046 §4.1.2);
no Content-Transfer-Encoding means 7bit (RFC 2045 §6.1); sizes are body
octets and line counts are LF counts of the body. Invariant checked on
construction: the byte splitter finds the same parts as the email package,
and every leaf's bytes equal the email package's undecoded payload.
"""

import codecs
import email
import email.errors
import email.header
import email.utils
import re
import urllib.parse
from email.policy import compat32

_FOLD = re.compile(r"\r?\n(?=[ \t])")


class Part:
    """One MIME entity: its header block (blank line included), its body
    bytes, and its children (multipart) or encapsulated message."""

    def __init__(self, raw, message):
        self.message = message
        split = _header_end(raw)
        self.header = raw[:split]
        self.body = raw[split:]
        self.children = None
        self.inner = None
        if message.is_multipart() and message.get_content_maintype() == "multipart":
            payload = message.get_payload()
            pieces = split_multipart(self.body, message.get_boundary())
            if len(pieces) != len(payload):
                raise AssertionError(
                    f"splitter found {len(pieces)} parts, email found {len(payload)}")
            self.children = [Part(piece, sub) for piece, sub in zip(pieces, payload)]
        elif message.get_content_type() in ("message/rfc822", "message/global") \
                and message.is_multipart():
            self.inner = Part(self.body, message.get_payload(0))
        else:
            # get_payload() re-decodes 8-bit text by charset; the stored
            # payload is the undecoded body (bytes as surrogate escapes).
            expected = message._payload.encode("ascii", "surrogateescape")
            if expected != self.body:
                raise AssertionError("leaf bytes differ from the email package's payload")


def _header_end(raw):
    if raw.startswith(b"\r\n"):
        return 2
    end = raw.find(b"\r\n\r\n")
    return len(raw) if end < 0 else end + 4


def split_multipart(body, boundary):
    """The parts of a multipart body, each without the CRLF that precedes the
    next delimiter line (RFC 2046 §5.1.1)."""
    delimiter = re.compile(
        rb"(?:^|\r\n)--" + re.escape(boundary.encode("ascii", "surrogateescape"))
        + rb"(--)?[ \t]*(?:\r\n|$)", re.MULTILINE)
    parts, start = [], None
    for match in delimiter.finditer(body):
        if start is not None:
            parts.append(body[start:match.start()])
        if match.group(1):
            return parts
        start = match.end()
    if start is not None:
        parts.append(body[start:])
    return parts


def parse_message(raw):
    """The Part tree of a whole message (CRLF line endings)."""
    return Part(raw, email.message_from_bytes(raw, policy=compat32))


def raw_value(message, name):
    """The first field `name`: raw, unfolded and trimmed, as bytes; None when absent."""
    for field, value in message.raw_items():
        if field.lower() == name.lower():
            return _FOLD.sub("", value).strip(" \t\r\n").encode("ascii", "surrogateescape")
    return None


# ---------------------------------------------------------------- ENVELOPE

def envelope(message):
    """RFC 3501 §7.4.2 ENVELOPE: date, subject, from, sender, reply-to, to,
    cc, bcc, in-reply-to, message-id; sender and reply-to default to from."""
    lists = {name: addresses(raw_value(message, name))
             for name in ("from", "sender", "reply-to", "to", "cc", "bcc")}
    return [
        raw_value(message, "date"),
        raw_value(message, "subject"),
        lists["from"],
        lists["sender"] or lists["from"],
        lists["reply-to"] or lists["from"],
        lists["to"], lists["cc"], lists["bcc"],
        raw_value(message, "in-reply-to"),
        raw_value(message, "message-id"),
    ]


_ADDRESS_TOKEN = re.compile(
    rb'\s*(?:(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<special>[<>,:;@])|(?P<atom>[^\s"<>,:;@()]+))')


def _tokens(value):
    """RFC 5322 §3.2 tokens: quoted strings, specials and atoms; comments dropped."""
    text = _strip_comments(value)
    tokens, pos = [], 0
    while pos < len(text):
        match = _ADDRESS_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip():
                raise ValueError(f"cannot tokenize address {value!r}")
            break
        pos = match.end()
        if match.group("quoted"):
            inner = match.group("quoted")[1:-1]
            tokens.append(("word", re.sub(rb"\\(.)", rb"\1", inner)))
        elif match.group("special"):
            tokens.append(("special", match.group("special")))
        else:
            tokens.append(("word", match.group("atom")))
    return tokens


def _strip_comments(value):
    out, depth, quoted, pos = bytearray(), 0, False, 0
    while pos < len(value):
        byte = value[pos:pos + 1]
        if byte == b"\\" and (quoted or depth):
            if not depth:
                out += value[pos:pos + 2]
            pos += 2
            continue
        if byte == b'"' and not depth:
            quoted = not quoted
        elif byte == b"(" and not quoted:
            depth += 1
            byte = b""
        elif byte == b")" and depth:
            depth -= 1
            byte = b" " if not depth else b""
        if not depth:
            out += byte
        pos += 1
    return bytes(out)


def addresses(value):
    """An address list as ENVELOPE address structures (name, adl, mailbox,
    host); a group becomes (NIL NIL name NIL) ... (NIL NIL NIL NIL)."""
    if value is None:
        return None
    tokens = _tokens(value)
    out, pos = [], 0
    while pos < len(tokens):
        if tokens[pos] == ("special", b","):
            pos += 1
            continue
        phrase = []
        while pos < len(tokens) and tokens[pos][0] == "word":
            phrase.append(tokens[pos][1])
            pos += 1
        marker = tokens[pos][1] if pos < len(tokens) else None
        if marker == b":":
            out.append([None, None, b" ".join(phrase), None])
            pos += 1
            while pos < len(tokens) and tokens[pos] != ("special", b";"):
                member, pos = _mailbox(tokens, pos)
                if member:
                    out.append(member)
            out.append([None, None, None, None])
            pos += 1
        elif marker == b"<":
            close = tokens.index(("special", b">"), pos)
            out.append(_angle(phrase, tokens[pos + 1:close]))
            pos = close + 1
        else:
            address, pos = _addr_spec(phrase, tokens, pos)
            out.append(address)
    return out or None


def _mailbox(tokens, pos):
    if tokens[pos] == ("special", b","):
        return None, pos + 1
    phrase = []
    while pos < len(tokens) and tokens[pos][0] == "word":
        phrase.append(tokens[pos][1])
        pos += 1
    if pos < len(tokens) and tokens[pos] == ("special", b"<"):
        close = tokens.index(("special", b">"), pos)
        return _angle(phrase, tokens[pos + 1:close]), close + 1
    return _addr_spec(phrase, tokens, pos)


def _angle(phrase, inside):
    route = None
    colon = [i for i, token in enumerate(inside) if token == ("special", b":")]
    if colon:
        route = b"".join(value for _, value in inside[:colon[0]])
        inside = inside[colon[0] + 1:]
    mailbox, host = _split_at(b"".join(value for _, value in inside))
    return [b" ".join(phrase) if phrase else None, route, mailbox, host]


def _addr_spec(local_words, tokens, pos):
    local = b"".join(local_words)
    host = None
    if pos < len(tokens) and tokens[pos] == ("special", b"@"):
        pos += 1
        if pos < len(tokens) and tokens[pos][0] == "word":
            host = tokens[pos][1]
            pos += 1
    return [None, None, local, host], pos


def _split_at(spec):
    local, at, host = spec.rpartition(b"@")
    return (local, host) if at else (spec, None)


# ----------------------------------------------------------- BODYSTRUCTURE

def _params(header_value):
    """Raw parameters of a Content-Type or Content-Disposition value."""
    if header_value is None:
        return None, []
    pieces = re.findall(rb'(?:[^;"]|"(?:[^"\\]|\\.)*")+', header_value)
    head = pieces[0].strip() if pieces else b""
    params = []
    for piece in pieces[1:]:
        name, equals, value = piece.partition(b"=")
        if not equals:
            continue
        value = value.strip()
        if value.startswith(b'"') and value.endswith(b'"') and len(value) >= 2:
            value = re.sub(rb"\\(.)", rb"\1", value[1:-1])
        params.append([name.strip(), value])
    return head, params


def _flat_params(params):
    return [item for pair in params for item in pair] or None


def bodystructure(part, extended=True):
    """RFC 3501 §7.4.2 BODYSTRUCTURE (or BODY when not `extended`)."""
    message = part.message
    _, params = _params(raw_value(message, "content-type"))
    if part.children is not None:
        out = [bodystructure(child, extended) for child in part.children]
        out.append(message.get_content_subtype().encode())
        if extended:
            out.append(_flat_params(params))
            out.extend(_extension(message))
        return out
    main, sub = message.get_content_maintype(), message.get_content_subtype()
    if main == "text" and not params:
        params = [[b"charset", b"us-ascii"]]
    out = [main.encode(), sub.encode(), _flat_params(params),
           raw_value(message, "content-id"), raw_value(message, "content-description"),
           raw_value(message, "content-transfer-encoding") or b"7bit", len(part.body)]
    lines = part.body.count(b"\n")
    if part.inner is not None:
        out += [envelope(part.inner.message), bodystructure(part.inner, extended), lines]
    elif main == "text":
        out.append(lines)
    if extended:
        out.append(raw_value(message, "content-md5"))
        out.extend(_extension(message))
    return out


def _extension(message):
    """Disposition, language and location (RFC 3501 §9 body-ext-*)."""
    kind, params = _params(raw_value(message, "content-disposition"))
    disposition = [kind, _flat_params(params)] if kind else None
    language = raw_value(message, "content-language")
    if language is not None:
        tags = [tag.strip() for tag in language.split(b",") if tag.strip()]
        language = tags[0] if len(tags) == 1 else tags
    return [disposition, language, raw_value(message, "content-location")]


def normalize_bodystructure(value):
    """Lower-cases what RFC 3501 compares case-insensitively (types,
    subtypes, encodings, parameter and disposition names), in place."""
    if not isinstance(value, list) or not value:
        return value
    if isinstance(value[0], list):
        parts = 0
        while parts < len(value) and isinstance(value[parts], list):
            normalize_bodystructure(value[parts])
            parts += 1
        rest = value[parts:]
        _lower(rest, 0)
        if len(rest) > 1:
            _lower_names(rest[1])
        if len(rest) > 2:
            _disposition(rest[2])
        return value
    _lower(value, 0)
    _lower(value, 1)
    _lower_names(value[2])
    _lower(value, 5)
    if value[0] == b"message" and value[1] in (b"rfc822", b"global") and len(value) > 8:
        normalize_bodystructure(value[8])
        extension_at = 10
    else:
        extension_at = 8 if value[0] == b"text" else 7
    if len(value) > extension_at + 1:
        _disposition(value[extension_at + 1])
    return value


def _lower(values, index):
    if len(values) > index and isinstance(values[index], bytes):
        values[index] = values[index].lower()


def _lower_names(params):
    """Lower-cases parameter names, and reads an RFC 2231 extended value
    (`name*` = charset'language'%XX) as UTF-8, so that the raw form (RFC
    3501) and the decoded form RFC 9051 §7.5.2 recommends compare equal."""
    if isinstance(params, list):
        for index in range(0, len(params) - 1, 2):
            _lower(params, index)
            if isinstance(params[index], bytes) and params[index].endswith(b"*"):
                params[index + 1] = _rfc2231_value(params[index + 1])


_EXTENDED_VALUE = re.compile(rb"^([A-Za-z0-9._-]+)'[A-Za-z0-9-]*'(.*)$", re.DOTALL)


def _rfc2231_value(value):
    match = _EXTENDED_VALUE.match(value) if isinstance(value, bytes) else None
    if not match:
        return value
    try:
        codecs.lookup(match.group(1).decode("ascii"))
        text = urllib.parse.unquote_to_bytes(match.group(2)).decode(match.group(1).decode())
    except (LookupError, UnicodeDecodeError):
        return value
    return text.encode("utf-8")


def _disposition(value):
    if isinstance(value, list):
        _lower(value, 0)
        if len(value) > 1:
            _lower_names(value[1])


# ----------------------------------------------------------------- SECTIONS

def section(part, path):
    """The entity named by section numbers `path` (RFC 3501 §6.4.5): part n
    of a multipart is its nth child; of a message/rfc822 part, part n of the
    encapsulated message; of any other entity, part 1 is the entity itself."""
    for number in path:
        if part.inner is not None:
            part = part.inner
        if part.children is not None:
            if not 1 <= number <= len(part.children):
                return None
            part = part.children[number - 1]
        elif number != 1:
            return None
    return part


def decoded(message, name):
    """The field's text with RFC 2047 words decoded, for SEARCH; '' when absent."""
    value = raw_value(message, name)
    if value is None:
        return ""
    text = value.decode("utf-8", "replace")
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (UnicodeDecodeError, LookupError, email.errors.HeaderParseError):
        return text


def sent_date(message):
    """The Date header as an aware datetime."""
    return email.utils.parsedate_to_datetime(raw_value(message, "date").decode("ascii"))
