"""Helpers of the IMAP migration job end-to-end test (import_jobs.rs).

Owns three commands, each printing JSON on stdout:
  fill HOST PORT LOGIN PASSWORD MBOX COUNT  shapes a fresh Mailkeep account
      as a source: renames Sent to "Gesendet" (it keeps \\Sent: the job must
      map it by its special use), creates a plain "Sent Items" (mapped by
      its well-known name) and a nested "Projects/2026", then appends the
      first COUNT corpus messages plus one message over 1 MiB, each with a
      distinct internal date in one of several zones and a pattern of
      system flags and keywords; prints the number appended.
  add HOST PORT LOGIN PASSWORD N  appends N new messages to INBOX.
  dump HOST PORT LOGIN PASSWORD  every folder's messages:
      {folder: [[sha256, size, sorted flags without \\Recent,
      INTERNALDATE with its zone], ...]} sorted, so equal dumps mean the
      same multiset of messages per folder.
"""

import base64
import datetime
import hashlib
import sys

from import_check import connect, corpus, crlf, run_command

FOLDERS = ("INBOX", "Gesendet", "Sent Items", "Projects/2026")
ZONES = (0, 120, -300, 330)
BASE = datetime.datetime(2021, 3, 1, 8, 0, 0)
FLAG_PATTERN = ((2, b"\\Seen"), (3, b"\\Answered"), (5, b"\\Flagged"),
                (7, b"$Forwarded"), (11, b"project-x"), (13, b"\\Draft"))


def internal_date(index):
    zone = datetime.timezone(datetime.timedelta(minutes=ZONES[index % len(ZONES)]))
    return (BASE + datetime.timedelta(hours=7 * index, seconds=index)).replace(tzinfo=zone)


def flags_of(index):
    return [flag for every, flag in FLAG_PATTERN if index % every == 0]


def large_message():
    payload = base64.encodebytes(bytes(range(256)) * 4800)  # ~1.6 MiB encoded
    return crlf(b"From: big@example.org\nTo: alice@example.org\n"
                b"Subject: a large attachment\nMIME-Version: 1.0\n"
                b"Content-Type: application/octet-stream\n"
                b"Content-Transfer-Encoding: base64\n\n" + payload)


def check(answer):
    typ, data = answer
    if typ != "OK":
        sys.exit(f"command failed: {typ} {data}")


def fill(host, port, login, password, path, count):
    client = connect(host, port, login, password, keep_zones=True)
    check(client._imap._simple_command("RENAME", "Sent", "Gesendet"))
    client.create_folder("Sent Items")
    client.create_folder("Projects/2026")
    messages = corpus(path)[:int(count)]
    messages.append(large_message())
    for index, raw in enumerate(messages):
        folder = FOLDERS[index % len(FOLDERS)]
        client.append(folder, crlf(raw), flags=flags_of(index), msg_time=internal_date(index))
    client.logout()
    return len(messages)


def add(host, port, login, password, count):
    client = connect(host, port, login, password, keep_zones=True)
    for index in range(int(count)):
        raw = (f"From: late@example.org\r\nSubject: added after the first job {index}\r\n"
               f"Message-ID: <late-{index}@example.org>\r\n\r\nnew mail {index}\r\n").encode()
        client.append("INBOX", raw, flags=[b"$Forwarded"], msg_time=internal_date(1000 + index))
    client.logout()
    return int(count)


def dump(host, port, login, password):
    client = connect(host, port, login, password, keep_zones=True)
    result = {}
    for _flags, _delimiter, name in client.list_folders():
        selected = client.select_folder(name, readonly=True)
        messages = []
        if selected[b"EXISTS"]:
            fetched = client.fetch("1:*", ["FLAGS", "INTERNALDATE", "BODY.PEEK[]"])
            for item in fetched.values():
                raw = item[b"BODY[]"]
                flags = sorted(flag.decode() for flag in item[b"FLAGS"] if flag != b"\\Recent")
                messages.append([hashlib.sha256(raw).hexdigest(), len(raw), flags,
                                 item[b"INTERNALDATE"].isoformat()])
        result[name] = sorted(messages)
    client.logout()
    return result


if __name__ == "__main__":
    run_command({"fill": fill, "add": add, "dump": dump})
