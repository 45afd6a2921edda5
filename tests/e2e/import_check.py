"""Helpers of the `mailkeep import` end-to-end test (import.rs).

Owns three commands, each printing JSON on stdout:
  fill HOST PORT LOGIN PASSWORD MBOX  appends the corpus over IMAP with a
      deterministic pattern of flags and folders (INBOX, Projects,
      Projects/Reports); prints the number appended.
  dump HOST PORT LOGIN PASSWORD       every folder's messages in UID order:
      {folder: [[sha256, size, sorted flags without \\Recent], ...]}.
  expect-mbox MBOX                    the same shape for an mbox imported
      into INBOX: Python's own mbox split, `>From ` unquoted the mboxrd way,
      CRLF line ends, no flags (the corpus has no Status headers).
Also the helpers import_jobs_check.py shares: crlf, corpus, connect and
run_command.
"""

import hashlib
import json
import mailbox
import re
import sys

from imapclient import IMAPClient

FOLDERS = ("Projects", "Projects/Reports")
QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def crlf(raw):
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def corpus(path):
    box = mailbox.mbox(path, create=False)
    try:
        return [box.get_bytes(key) for key in box.keys()]
    finally:
        box.close()


def entry(raw, flags):
    return [hashlib.sha256(raw).hexdigest(), len(raw), sorted(flags)]


def connect(host, port, login, password, keep_zones=False):
    client = IMAPClient(host, port=int(port), ssl=False)
    client.normalise_times = not keep_zones  # keep_zones: INTERNALDATE keeps its zone
    client.login(login, password)
    return client


def placement(index):
    """The folder and flags of corpus message `index` in the filled account."""
    folder = {3: "Projects/Reports", 7: "Projects"}.get(index % 10, "INBOX")
    flags = []
    for every, flag in ((2, "\\Seen"), (7, "\\Flagged"), (5, "\\Answered"),
                        (11, "$Forwarded"), (13, "\\Draft")):
        if index % every == 0:
            flags.append(flag)
    return folder, flags


def fill(host, port, login, password, path):
    client = connect(host, port, login, password)
    for folder in FOLDERS:
        client.create_folder(folder)
    messages = corpus(path)
    for index, raw in enumerate(messages):
        folder, flags = placement(index)
        client.append(folder, crlf(raw), flags=flags)
    client.logout()
    return len(messages)


def dump(host, port, login, password):
    client = connect(host, port, login, password)
    result = {}
    for _flags, _delimiter, name in client.list_folders():
        selected = client.select_folder(name, readonly=True)
        messages = []
        if selected[b"EXISTS"]:
            fetched = client.fetch("1:*", ["FLAGS", "BODY.PEEK[]"])
            for uid in sorted(fetched):
                item = fetched[uid]
                flags = [flag.decode() for flag in item[b"FLAGS"] if flag != b"\\Recent"]
                messages.append(entry(item[b"BODY[]"], flags))
        result[name] = messages
    client.logout()
    return result


def expect_mbox(path):
    return {"INBOX": [entry(QUOTED_FROM.sub(rb"\1", crlf(raw)), []) for raw in corpus(path)]}


def run_command(commands):
    """Runs the command named by argv[1] on the other arguments; prints its JSON."""
    command, args = sys.argv[1], sys.argv[2:]
    if command not in commands:
        sys.exit(f"unknown command {command}")
    print(json.dumps(commands[command](*args)))


if __name__ == "__main__":
    run_command({"fill": fill, "dump": dump, "expect-mbox": expect_mbox})
