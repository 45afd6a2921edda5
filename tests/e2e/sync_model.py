"""Both sides of a mail sync, reduced to comparable snapshots.

A snapshot is `{folder: {message_id: frozenset(flags)}}`. The server side is
read over IMAP with `imaplib` (FLAGS and the Message-ID header, never the
whole body); the local side is a Maildir tree whose file names carry the
flags after `:2,` (Maildir's info field). Folder names use the server's `/`
delimiter on both sides, so two snapshots compare with `==`.
"""

import email.utils
import imaplib
import os
import re
import time

MAILDIR_FLAGS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}
_LIST_LINE = re.compile(rb'\((?P<attrs>[^)]*)\) (?:"(?P<delim>[^"]*)"|NIL) (?P<name>.+)$')
_FETCH_LINE = re.compile(rb"FLAGS \((?P<flags>[^)]*)\)")

_counter = 0


def message(subject, body="Hello from the sync test.\r\n"):
    """A small RFC 5322 message with a unique Message-ID, and that ID."""
    global _counter
    _counter += 1
    message_id = f"<sync-{os.getpid()}-{time.time_ns()}-{_counter}@mailkeep.test>"
    raw = (
        f"From: Sync Test <sync@mailkeep.test>\r\nTo: user@mailkeep.test\r\n"
        f"Subject: {subject}\r\nDate: {email.utils.formatdate()}\r\n"
        f"Message-ID: {message_id}\r\n\r\n{body}"
    ).encode()
    return raw, message_id


def connect(host, port, login, password):
    client = imaplib.IMAP4(host, int(port))
    client.login(login, password)
    return client


def check(result):
    status, data = result
    if status != "OK":
        raise AssertionError(f"IMAP command failed: {status} {data!r}")
    return data


def _unquote(name):
    name = name.strip()
    if name.startswith(b'"') and name.endswith(b'"'):
        name = name[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
    return name.decode()


def server_folders(client):
    """Selectable folder names."""
    names = []
    for line in check(client.list()):
        match = _LIST_LINE.match(line)
        if match is None:
            raise AssertionError(f"unparsable LIST line {line!r}")
        if b"\\noselect" not in match["attrs"].lower():
            names.append(_unquote(match["name"]))
    return names


def message_ids(header_block):
    match = re.search(rb"(?im)^message-id:\s*(<[^>]+>)", header_block)
    if match is None:
        raise AssertionError(f"message without Message-ID: {header_block!r}")
    return match[1].decode()


def server_snapshot(client):
    snapshot = {}
    for folder in server_folders(client):
        check(client.select(f'"{folder}"', readonly=True))
        folder_messages = {}
        data = check(client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"))
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = _FETCH_LINE.search(item[0])
            if flags is None:
                raise AssertionError(f"FETCH without FLAGS: {item[0]!r}")
            names = frozenset(f.decode() for f in flags["flags"].split()) - {"\\Recent"}
            folder_messages[message_ids(item[1])] = names
        snapshot[folder] = folder_messages
        client.close()
    return snapshot


def append(client, folder, raw, flags=""):
    check(client.append(f'"{folder}"', f"({flags})" if flags else None, None, raw))


def uid_of(client, folder, message_id):
    check(client.select(f'"{folder}"'))
    data = check(client.uid("SEARCH", None, "HEADER", "Message-ID", message_id))
    uids = data[0].split()
    if len(uids) != 1:
        raise AssertionError(f"{message_id} is {len(uids)} times in {folder}")
    return uids[0].decode()


def store(client, folder, message_id, flags):
    uid = uid_of(client, folder, message_id)
    check(client.uid("STORE", uid, "+FLAGS", f"({flags})"))
    client.close()


def expunge(client, folder, message_id):
    uid = uid_of(client, folder, message_id)
    check(client.uid("STORE", uid, "+FLAGS", "(\\Deleted)"))
    check(client.expunge())
    client.close()


def maildir_flags(file_name):
    _, _, info = file_name.partition(":2,")
    return frozenset(MAILDIR_FLAGS[letter] for letter in info if letter in MAILDIR_FLAGS)


def maildir_files(folder_dir):
    """`(path, file name)` of every message of one Maildir folder."""
    for sub in ("cur", "new"):
        directory = os.path.join(folder_dir, sub)
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            yield os.path.join(directory, name), name


def maildir_snapshot(folders):
    """`folders` maps a server folder name to its Maildir directory."""
    snapshot = {}
    for folder, directory in folders.items():
        entries = {}
        for path, name in maildir_files(directory):
            with open(path, "rb") as handle:
                header = handle.read().split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
            entries[message_ids(header)] = maildir_flags(name)
        snapshot[folder] = entries
    return snapshot


def find_local(folder_dir, message_id):
    for path, name in maildir_files(folder_dir):
        with open(path, "rb") as handle:
            if message_id.encode() in handle.read():
                return path, name
    raise AssertionError(f"{message_id} is not in {folder_dir}")


def set_local_flag(folder_dir, message_id, letter):
    """Adds a Maildir flag letter, moving the file to cur/ as a client would."""
    path, name = find_local(folder_dir, message_id)
    base, _, info = name.partition(":2,")
    letters = "".join(sorted(set(info) | {letter}))
    os.rename(path, os.path.join(folder_dir, "cur", f"{base}:2,{letters}"))


def write_local(folder_dir, raw):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(folder_dir, sub), exist_ok=True)
    name = f"{time.time_ns()}.{os.getpid()}.mailkeep-test"
    with open(os.path.join(folder_dir, "new", name), "wb") as handle:
        handle.write(raw)


def expect_equal(local, server, context):
    if local != server:
        raise AssertionError(f"{context}: the two sides differ\nlocal:  {local}\nserver: {server}")
