"""The corpus as the scenario expects the server to hold it.

Owns: loading the mbox (Python's `mailbox.mbox`, which keeps `>From `
quoting as written) into CRLF messages; per message the expected ENVELOPE,
BODYSTRUCTURE, size, internal date and flags; the SEARCH evaluation of
RFC 3501 §6.4.4 on that model; and the structural comparison that names
the first differing path.

Invariant: `Message.flags` always mirrors what the server should hold,
without \\Recent (which the scenario never compares).
"""

import datetime
import mailbox

import mime_expect


class Message:
    def __init__(self, index, raw):
        self.index = index
        self.raw = raw
        self.part = mime_expect.parse_message(raw)
        self.envelope = mime_expect.envelope(self.part.message)
        self.bodystructure = mime_expect.normalize_bodystructure(
            mime_expect.bodystructure(self.part))
        self.sent = mime_expect.sent_date(self.part.message)
        # APPEND gives the Date header's instant as the internal date, in UTC
        # so that date-only SEARCH keys have one reading (RFC 3501 §6.4.4).
        self.internal = self.sent.astimezone(datetime.timezone.utc)
        self.flags = set()
        self.uid = None

    def header(self, name):
        return mime_expect.decoded(self.part.message, name).casefold()


def load(path):
    """The corpus messages, in mbox order, with CRLF line endings."""
    box = mailbox.mbox(path, create=False)
    try:
        messages = []
        for index, key in enumerate(box.iterkeys()):
            raw = box.get_bytes(key).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            messages.append(Message(index, raw))
        return messages
    finally:
        box.close()


def first_difference(expected, actual, path="$"):
    """None when equal, else the path of the first difference with the
    innermost lists that hold it."""
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                if not isinstance(left, list) or not isinstance(right, list):
                    found += f" in {expected!r:.300} vs {actual!r:.300}"
                return found
        if len(expected) != len(actual):
            return f"{path}: expected {expected!r:.300}, got {actual!r:.300}"
        return None
    if expected != actual:
        return f"{path}: expected {expected!r:.200}, got {actual!r:.200}"
    return None


# ------------------------------------------------------------------- SEARCH

def _day(moment):
    return moment.date()


def evaluate(message, criteria):
    """RFC 3501 §6.4.4 over the model; `criteria` is a list of tokens as the
    scenario sends them (atoms as str, clients.Str, datetime.date, int)."""
    result, rest = _key(message, list(criteria))
    while rest:
        more, rest = _key(message, rest)
        result = result and more
    return result


def uid_numbers(sequence_set):
    """The UIDs of a sequence set without `*` (RFC 3501 §9)."""
    out = set()
    for item in sequence_set.split(","):
        first, _, last = item.partition(":")
        out.update(range(int(first), int(last or first) + 1))
    return out


def _text(item):
    return getattr(item, "text", item)


def _key(message, tokens):
    key = str(tokens.pop(0)).upper()
    if key == "NOT":
        value, tokens = _key(message, tokens)
        return not value, tokens
    if key == "OR":
        left, tokens = _key(message, tokens)
        right, tokens = _key(message, tokens)
        return left or right, tokens
    flags = {"FLAGGED": "\\Flagged", "SEEN": "\\Seen", "ANSWERED": "\\Answered",
             "DELETED": "\\Deleted", "DRAFT": "\\Draft"}
    if key in flags:
        return flags[key] in message.flags, tokens
    if key.startswith("UN") and key[2:] in flags:
        return flags[key[2:]] not in message.flags, tokens
    if key == "ALL":
        return True, tokens
    if key == "UID":
        return message.uid in uid_numbers(str(tokens.pop(0))), tokens
    if key == "KEYWORD":
        return str(tokens.pop(0)) in message.flags, tokens
    if key in ("FROM", "TO", "CC", "SUBJECT"):
        needle = _text(tokens.pop(0)).casefold()
        return needle in message.header(key), tokens
    if key == "HEADER":
        name, needle = _text(tokens.pop(0)), _text(tokens.pop(0)).casefold()
        return needle in message.header(name), tokens
    if key in ("LARGER", "SMALLER"):
        size = int(tokens.pop(0))
        return (len(message.raw) > size) if key == "LARGER" else (len(message.raw) < size), tokens
    dates = {"SINCE": ("internal", ">="), "BEFORE": ("internal", "<"), "ON": ("internal", "=="),
             "SENTSINCE": ("sent", ">="), "SENTBEFORE": ("sent", "<"), "SENTON": ("sent", "==")}
    if key in dates:
        which, operator = dates[key]
        # "disregarding time and timezone": the date as the value states it.
        day, wanted = _day(getattr(message, which)), tokens.pop(0)
        return {">=": day >= wanted, "<": day < wanted, "==": day == wanted}[operator], tokens
    raise ValueError(f"the model has no search key {key}")
