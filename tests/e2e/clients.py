"""Two IMAP clients behind one UID-based interface, so the scenario runs the
same steps with each.

`ImaplibClient` drives Python's `imaplib` with sequence-number commands
(FETCH, STORE, COPY, SEARCH) and maps UIDs to sequence numbers itself, so
the non-UID forms of RFC 3501 §6.4 are exercised; its responses are parsed
by imap_data. `ImapClientClient` drives the `imapclient` package, which
uses the UID forms (RFC 3501 §6.4.8) and parses responses itself.

Values returned by `fetch`: FLAGS as a frozenset of str, INTERNALDATE as an
aware datetime, RFC822.SIZE as int, BODY[...] as bytes, BODYSTRUCTURE as
nested lists (imap_data values), ENVELOPE as a ten-element list whose date
is whatever `envelope_date` makes of a raw Date value.
"""

import datetime
import imaplib
import re

import imap_data

_INTERNALDATE = "%d-%b-%Y %H:%M:%S %z"


class Str:
    """A string argument of a SEARCH criterion (quoted or sent as a literal)."""

    def __init__(self, text):
        self.text = text


class ServerError(AssertionError):
    pass


def _flags(values):
    return frozenset(f.decode() if isinstance(f, bytes) else f for f in values)


def _code_numbers(text, code):
    match = re.search(rb"\[" + code + rb" ([^\]]*)\]", text, re.IGNORECASE)
    if not match:
        raise ServerError(f"no [{code.decode()}] in {text!r}")
    return match.group(1).split()


class ImaplibClient:
    name = "imaplib"

    def __init__(self, host, port):
        self.imap = imaplib.IMAP4(host, port)
        self.uids = []  # uids[seq - 1] is the UID of message `seq`

    def _ok(self, result, what):
        typ, data = result
        if typ != "OK":
            raise ServerError(f"{what}: {typ} {data!r}")
        return data

    @staticmethod
    def _mailbox(name):
        return '"' + imap_data.mutf7_encode(name).replace("\\", "\\\\").replace('"', '\\"') + '"'

    def login(self, user, password):
        self._ok(self.imap.login(user, password), "LOGIN")
        return set(self.imap.capabilities)

    def create(self, name):
        self._ok(self.imap.create(self._mailbox(name)), "CREATE")

    def list_names(self, pattern):
        names = []
        for line in self._ok(self.imap.list('""', self._mailbox(pattern)), "LIST"):
            if line is None:
                continue
            _flags_list, _delimiter, name = imap_data.parse_all(line)
            names.append(imap_data.mutf7_decode(name.decode("ascii")))
        return sorted(names)

    def append(self, folder, raw, flags, when):
        data = self._ok(self.imap.append(self._mailbox(folder), "(" + " ".join(flags) + ")",
                                         imaplib.Time2Internaldate(when), raw), "APPEND")
        validity, uid = _code_numbers(data[-1], b"APPENDUID")
        return int(validity), int(uid)

    def select(self, folder, readonly=False):
        data = self._ok(self.imap.select(self._mailbox(folder), readonly), "SELECT")
        status = {
            "EXISTS": int(data[0]),
            "UIDVALIDITY": int(self.imap.response("UIDVALIDITY")[1][0]),
            "UIDNEXT": int(self.imap.response("UIDNEXT")[1][0]),
        }
        self.uids = []
        if status["EXISTS"]:
            fetched = self._fetch_seqs("1:*", ["UID"])
            self.uids = [fetched[seq]["UID"] for seq in sorted(fetched)]
        return status

    def _seqs(self, uids):
        index = {uid: seq for seq, uid in enumerate(self.uids, start=1)}
        return imap_data.sequence_set(index[uid] for uid in uids)

    def _fetch_seqs(self, seqset, items):
        data = self._ok(self.imap.fetch(seqset, "(" + " ".join(items) + ")"), "FETCH")
        return self._parse_fetch(data)

    @staticmethod
    def _parse_fetch(data):
        merged, raw = {}, b""
        for element in data:
            if element is None:
                continue
            if isinstance(element, tuple):
                raw += element[0] + b"\r\n" + element[1]
                continue
            raw += element
            seq, items = imap_data.parse_all(raw)
            raw = b""
            attributes = merged.setdefault(seq, {})
            for name, value in zip(items[::2], items[1::2]):
                attributes[name.decode().upper()] = value
        return {seq: _convert(attributes) for seq, attributes in merged.items()}

    def fetch(self, uids, items):
        fetched = self._fetch_seqs(self._seqs(uids), ["UID"] + items)
        return {attributes["UID"]: attributes for attributes in fetched.values()}

    def store(self, uids, operation, flags):
        data = self._ok(self.imap.store(self._seqs(uids), operation,
                                        "(" + " ".join(flags) + ")"), "STORE")
        return {self.uids[seq - 1]: attributes["FLAGS"]
                for seq, attributes in self._parse_fetch(data).items() if "FLAGS" in attributes}

    def search(self, criteria, charset=None):
        words, literal = [], None
        for item in criteria:
            if isinstance(item, Str):
                if item.text.isascii():
                    words.append('"' + item.text.replace("\\", "\\\\").replace('"', '\\"') + '"')
                else:
                    literal = item.text.encode("utf-8")  # imaplib sends it last, as {n}
            elif isinstance(item, datetime.date):
                words.append(f"{item.day}-{item.strftime('%b')}-{item.year}")
            else:
                words.append(str(item))
        self.imap.literal = literal
        data = self._ok(self.imap.search(charset, *words), "SEARCH")
        return {self.uids[int(seq) - 1] for seq in b" ".join(data).split()}

    def copy(self, uids, folder):
        data = self._ok(self.imap.copy(self._seqs(uids), self._mailbox(folder)), "COPY")
        _validity, source, target = _code_numbers(data[-1], b"COPYUID")
        return source.decode(), target.decode()

    def expunge(self):
        data = self._ok(self.imap.expunge(), "EXPUNGE")
        expunged = [int(seq) for seq in data if seq is not None]
        for seq in expunged:
            del self.uids[seq - 1]
        return expunged

    def rename(self, old, new):
        self._ok(self.imap.rename(self._mailbox(old), self._mailbox(new)), "RENAME")

    def status(self, folder, items):
        data = self._ok(self.imap.status(self._mailbox(folder), "(" + " ".join(items) + ")"),
                        "STATUS")
        _name, values = imap_data.parse_all(data[0])
        return {name.decode().upper(): value for name, value in zip(values[::2], values[1::2])}

    def logout(self):
        typ, data = self.imap.logout()
        return typ, data

    @staticmethod
    def envelope_date(raw):
        return raw


def _convert(attributes):
    out = {}
    for name, value in attributes.items():
        if name == "FLAGS":
            value = _flags(value)
        elif name == "INTERNALDATE":
            value = datetime.datetime.strptime(value.decode(), _INTERNALDATE)
        out[name] = value
    return out


class ImapClientClient:
    name = "imapclient"

    def __init__(self, host, port):
        import imapclient  # only this client needs the package
        from imapclient.datetime_util import parse_to_datetime
        self._parse_date = parse_to_datetime
        self.imap = imapclient.IMAPClient(host, port=port, ssl=False, use_uid=True, timeout=120)
        self.imap.normalise_times = False  # keep INTERNALDATE and Date zones

    def login(self, user, password):
        self.imap.login(user, password)
        return {c.decode() for c in self.imap.capabilities()}

    def create(self, name):
        self.imap.create_folder(name)

    def list_names(self, pattern):
        return sorted(name for _flags_list, _delimiter, name in self.imap.list_folders("", pattern))

    def append(self, folder, raw, flags, when):
        text = self.imap.append(folder, raw, flags=flags, msg_time=when)
        validity, uid = _code_numbers(text, b"APPENDUID")
        return int(validity), int(uid)

    def select(self, folder, readonly=False):
        info = self.imap.select_folder(folder, readonly=readonly)
        return {name: info[name.encode()] for name in ("EXISTS", "UIDVALIDITY", "UIDNEXT")}

    def fetch(self, uids, items):
        out = {}
        for uid, attributes in self.imap.fetch(sorted(uids), items).items():
            converted = {}
            for name, value in attributes.items():
                name = name.decode().upper()
                if name == "FLAGS":
                    value = _flags(value)
                elif name == "ENVELOPE":
                    value = _envelope_list(value)
                elif name in ("BODYSTRUCTURE", "BODY"):
                    value = _plain(value)
                converted[name] = value
            out[uid] = converted
        return out

    def store(self, uids, operation, flags):
        if operation.startswith("+"):
            answer = self.imap.add_flags(sorted(uids), flags, silent=operation.endswith(".SILENT"))
        else:
            answer = self.imap.remove_flags(sorted(uids), flags,
                                            silent=operation.endswith(".SILENT"))
        return {uid: _flags(values) for uid, values in (answer or {}).items()}

    def search(self, criteria, charset=None):
        converted = [item.text if isinstance(item, Str) else item for item in criteria]
        return set(self.imap.search(converted, charset=charset))

    def copy(self, uids, folder):
        """None: imapclient drops the tagged answer and its COPYUID code."""
        self.imap.copy(sorted(uids), folder)

    def expunge(self):
        _text, responses = self.imap.expunge()
        return [number for number, kind in responses if kind == b"EXPUNGE"]

    def rename(self, old, new):
        self.imap.rename_folder(old, new)

    def status(self, folder, items):
        return {name.decode().upper(): value
                for name, value in self.imap.folder_status(folder, items).items()}

    def logout(self):
        return "BYE", [self.imap.logout()]

    def envelope_date(self, raw):
        return None if raw is None else self._parse_date(raw, normalise=False)


def _plain(value):
    """imapclient's BODYSTRUCTURE (tuples, parts grouped in a list) as the
    plain nested lists of the wire form."""
    if isinstance(value, (tuple, list)):
        items = list(value)
        if items and isinstance(items[0], list):
            items = items[0] + items[1:]
        return [_plain(item) for item in items]
    return value


def _envelope_list(envelope):
    def addresses(values):
        if values is None:
            return None
        return [[a.name, a.route, a.mailbox, a.host] for a in values]

    return [envelope.date, envelope.subject,
            addresses(envelope.from_), addresses(envelope.sender), addresses(envelope.reply_to),
            addresses(envelope.to), addresses(envelope.cc), addresses(envelope.bcc),
            envelope.in_reply_to, envelope.message_id]
