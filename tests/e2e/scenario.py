#!/usr/bin/env python3
"""The end-to-end IMAP scenario of issue 2's acceptance, run once per client.

    scenario.py --host H --port P --user U --password W --corpus MBOX
                --client imaplib|imapclient

The account must exist and be empty (the Rust test provisions it over
REST). Steps: LOGIN, CREATE nested and non-ASCII folders, APPEND the
corpus, SELECT, FETCH ENVELOPE/BODYSTRUCTURE/BODY[]/BODY[1.2]<0.100>,
STORE, SEARCH by header/flag/date/size, COPY, EXPUNGE, RENAME, LOGOUT.
Every answer is compared with what corpus_model derives from the same
bytes. A failed check is recorded and the run goes on, so one run reports
every difference; the exit status is 1 when any check failed, 2 when the
scenario could not continue. Progress goes to stdout, failures to stderr.
"""

import argparse
import datetime
import sys
import time

import clients
import corpus_model
import imap_data
from clients import Str

INBOX = "INBOX"
NESTED = "Projects/2024/Q1"
RENAMED_FROM, RENAMED_TO = "Projects/2024", "Projects/2025"
UNICODE_FOLDER = "Projects/Café ☕"
CHUNK = 50
MAX_REPORTED = 5


class Checks:
    def __init__(self):
        self.failures = {}

    def expect(self, condition, step, detail):
        if not condition:
            self.failures.setdefault(step, []).append(detail)
        return condition

    def report(self):
        for step, details in self.failures.items():
            print(f"FAILED {step}: {len(details)} difference(s)", file=sys.stderr)
            for detail in details[:MAX_REPORTED]:
                print(f"  {detail}", file=sys.stderr)
        return 1 if self.failures else 0


def step(name):
    print(f"[{time.strftime('%H:%M:%S')}] {name}", flush=True)


def chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def visible(flags):
    return {flag for flag in flags if flag != "\\Recent"}


def run(client, args, checks):
    messages = corpus_model.load(args.corpus)
    step(f"{client.name}: login as {args.user}, {len(messages)} corpus messages")
    capabilities = client.login(args.user, args.password)
    checks.expect("IMAP4REV1" in {c.upper() for c in capabilities}, "LOGIN",
                  f"capabilities lack IMAP4rev1: {capabilities}")

    step("create folders")
    client.create(NESTED)
    client.create(UNICODE_FOLDER)
    names = client.list_names("*")
    for name in ("INBOX", "Projects", "Projects/2024", NESTED, UNICODE_FOLDER):
        checks.expect(name in names, "CREATE/LIST", f"{name!r} missing from LIST: {names}")

    append_all(client, messages, checks)
    by_uid = {message.uid: message for message in messages}
    uids = sorted(by_uid)
    status = client.select(INBOX)
    checks.expect(status["EXISTS"] == len(messages), "SELECT", f"status {status}")
    checks.expect(status["UIDNEXT"] > uids[-1], "SELECT", f"UIDNEXT {status} after {uids[-1]}")

    fetch_metadata(client, by_uid, checks)
    fetch_bodies(client, by_uid, checks)
    fetch_partial(client, messages, checks)
    store_flags(client, messages, checks)
    search(client, messages, checks)
    copied = copy_flagged(client, messages, checks)
    expunge(client, messages, checks)
    rename(client, copied, checks)

    step("logout")
    typ, data = client.logout()
    checks.expect(typ == "BYE", "LOGOUT", f"{typ} {data}")


def append_all(client, messages, checks):
    step("append")
    validities, last = set(), 0
    for message in messages:
        flags = []
        if message.index % 9 == 0:
            flags.append("\\Flagged")
        if message.index % 13 == 0:
            flags.append("$Important")
        validity, uid = client.append(INBOX, message.raw, flags, message.internal)
        validities.add(validity)
        checks.expect(uid > last, "APPEND", f"APPENDUID {uid} after {last}")
        last = message.uid = uid
        message.flags = set(flags)
    checks.expect(len(validities) == 1, "APPEND", f"UIDVALIDITY changed: {validities}")


def fetch_metadata(client, by_uid, checks):
    step("fetch ENVELOPE BODYSTRUCTURE FLAGS INTERNALDATE RFC822.SIZE")
    items = ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE"]
    for batch in chunks(sorted(by_uid)):
        fetched = client.fetch(batch, items)
        checks.expect(sorted(fetched) == batch, "FETCH", f"asked {batch}, got {sorted(fetched)}")
        for uid, got in fetched.items():
            message = by_uid[uid]
            where = f"uid {uid} (corpus #{message.index})"
            checks.expect(visible(got["FLAGS"]) == message.flags, "FETCH FLAGS",
                          f"{where}: {got['FLAGS']} != {message.flags}")
            checks.expect(got["INTERNALDATE"] == message.internal, "FETCH INTERNALDATE",
                          f"{where}: {got['INTERNALDATE']} != {message.internal}")
            checks.expect(got["RFC822.SIZE"] == len(message.raw), "FETCH RFC822.SIZE",
                          f"{where}: {got['RFC822.SIZE']} != {len(message.raw)}")
            expected = list(message.envelope)
            expected[0] = client.envelope_date(expected[0])
            difference = corpus_model.first_difference(expected, got["ENVELOPE"])
            checks.expect(difference is None, "FETCH ENVELOPE", f"{where}: {difference}")
            structure = corpus_model.mime_expect.normalize_bodystructure(got["BODYSTRUCTURE"])
            difference = corpus_model.first_difference(message.bodystructure, structure)
            checks.expect(difference is None, "FETCH BODYSTRUCTURE", f"{where}: {difference}")


def fetch_bodies(client, by_uid, checks):
    step("fetch BODY[] (sets \\Seen)")
    for batch in chunks(sorted(by_uid)):
        for uid, got in client.fetch(batch, ["BODY[]"]).items():
            body, raw = got.get("BODY[]"), by_uid[uid].raw
            if body != raw:
                offset = next((i for i, (a, b) in enumerate(zip(body or b"", raw)) if a != b),
                              min(len(body or b""), len(raw)))
                checks.expect(False, "FETCH BODY[]",
                              f"uid {uid}: {len(body or b'')} bytes, expected {len(raw)}; "
                              f"first difference at {offset}: {raw[offset:offset + 40]!r} "
                              f"vs {(body or b'')[offset:offset + 40]!r}")
            by_uid[uid].flags.add("\\Seen")
    for batch in chunks(sorted(by_uid), 200):
        for uid, got in client.fetch(batch, ["FLAGS"]).items():
            checks.expect(visible(got["FLAGS"]) == by_uid[uid].flags, "BODY[] sets \\Seen",
                          f"uid {uid}: {got['FLAGS']} != {by_uid[uid].flags}")


def fetch_partial(client, messages, checks):
    step("fetch BODY[1.2]<0.100>")
    wanted = {m.uid: corpus_model.mime_expect.section(m.part, [1, 2]) for m in messages}
    wanted = {uid: part.body[:100] for uid, part in wanted.items() if part is not None}
    checks.expect(len(wanted) > 10, "corpus", f"only {len(wanted)} messages have a part 1.2")
    fetched = client.fetch(sorted(wanted), ["BODY.PEEK[1.2]<0.100>"])
    for uid, expected in wanted.items():
        got = fetched.get(uid, {}).get("BODY[1.2]<0>")
        checks.expect(got == expected, "FETCH BODY[1.2]<0.100>",
                      f"uid {uid}: {got!r:.120} != {expected!r:.120}")


def store_flags(client, messages, checks):
    step("store flags")
    for operation, flag, selected in (
            ("-FLAGS", "\\Seen", [m for m in messages if m.index % 3 == 0]),
            ("+FLAGS", "\\Flagged", [m for m in messages if m.index % 5 == 0]),
            ("+FLAGS", "\\Answered", [m for m in messages if m.index % 7 == 0])):
        for message in selected:
            (message.flags.add if operation == "+FLAGS" else message.flags.discard)(flag)
        answered = client.store([m.uid for m in selected], operation, [flag])
        for message in selected:
            got = answered.get(message.uid)
            checks.expect(got is not None and visible(got) == message.flags,
                          f"STORE {operation} {flag}",
                          f"uid {message.uid}: {got} != {message.flags}")


def search_cases(messages):
    first, last = messages[0].internal.date(), messages[-1].internal.date()
    middle = first + (last - first) / 2
    late = first + (last - first) * 3 / 4
    sent_day = stable_sent_day(messages, first + (last - first) / 3)
    return [
        (["FLAGGED"], None), (["UNSEEN"], None), (["ANSWERED", "NOT", "FLAGGED"], None),
        (["KEYWORD", "$Important"], None), (["SEEN", "UNFLAGGED"], None),
        (["FROM", Str("alice@example.org")], None), (["TO", Str("carol@example.net")], None),
        (["HEADER", "Subject", Str("invoice")], None), (["SUBJECT", Str("LUNCH")], None),
        (["HEADER", "List-Id", Str("dev-list")], None),
        (["SUBJECT", Str("Übersicht")], "UTF-8"),
        (["SINCE", middle, "BEFORE", late], None), (["ON", messages[100].internal.date()], None),
        (["SENTSINCE", sent_day], None), (["SENTBEFORE", sent_day], None),
        (["SENTON", sent_day], None),
        (["LARGER", 50000], None), (["SMALLER", 2000], None),
        (["OR", "FLAGGED", "LARGER", 100000], None), (["NOT", "SEEN", "SMALLER", 5000], None),
        (["UID", imap_data.sequence_set(m.uid for m in messages[20:60]), "FLAGGED"], None),
    ]


def stable_sent_day(messages, start):
    """A day for which reading the Date header in its own zone or in UTC
    selects the same messages, so that SENT* keys have one right answer."""
    day, last = start, messages[-1].internal.date()
    while day <= last:
        local = {m.uid for m in messages if m.sent.date() >= day}
        utc = {m.uid for m in messages if m.internal.date() >= day}
        on_local = {m.uid for m in messages if m.sent.date() == day}
        on_utc = {m.uid for m in messages if m.internal.date() == day}
        if local == utc and on_local == on_utc and on_local:
            return day
        day += datetime.timedelta(days=1)
    raise AssertionError("no day reads the same in local time and UTC")


def search(client, messages, checks):
    step("search")
    for criteria, charset in search_cases(messages):
        expected = {m.uid for m in messages if corpus_model.evaluate(m, criteria)}
        got = client.search(criteria, charset)
        label = " ".join(getattr(item, "text", str(item)) for item in criteria)
        checks.expect(got == expected, f"SEARCH {label}",
                      f"missing {sorted(expected - got)[:10]}, unexpected "
                      f"{sorted(got - expected)[:10]} ({len(got)} vs {len(expected)})")
        checks.expect(bool(expected) and len(expected) < len(messages), "search cases",
                      f"{label} selects {len(expected)} messages: not a useful case")


def copy_flagged(client, messages, checks):
    step(f"copy flagged messages to {NESTED}")
    selected = [m for m in messages if "\\Flagged" in m.flags]
    copyuid = client.copy([m.uid for m in selected], NESTED)
    if copyuid is not None:  # RFC 4315 §3: COPYUID source and target sets
        source, target = copyuid
        checks.expect(corpus_model.uid_numbers(source) == {m.uid for m in selected}, "COPYUID",
                      f"source set {source}")
        checks.expect(len(corpus_model.uid_numbers(target)) == len(selected), "COPYUID",
                      f"target set {target!r} for {len(selected)} messages")
    status = client.status(NESTED, ["MESSAGES"])
    checks.expect(status.get("MESSAGES") == len(selected), "COPY",
                  f"{NESTED} holds {status}, expected {len(selected)}")
    return [(m, set(m.flags)) for m in selected]


def expunge(client, messages, checks):
    step("store \\Deleted and expunge")
    doomed = [m for m in messages if m.index % 10 == 4]
    answered = client.store([m.uid for m in doomed], "+FLAGS.SILENT", ["\\Deleted"])
    checks.expect(not answered, "STORE +FLAGS.SILENT", f"silent store answered {answered}")
    order = [m.uid for m in messages]
    removed = []
    for seq in client.expunge():
        checks.expect(1 <= seq <= len(order), "EXPUNGE", f"sequence number {seq} out of range")
        if 1 <= seq <= len(order):
            removed.append(order.pop(seq - 1))
    checks.expect(sorted(removed) == sorted(m.uid for m in doomed), "EXPUNGE",
                  f"removed {sorted(removed)[:10]}, expected {[m.uid for m in doomed][:10]}")
    gone = {m.uid for m in doomed}
    messages[:] = [m for m in messages if m.uid not in gone]
    status = client.select(INBOX)
    checks.expect(status["EXISTS"] == len(messages), "EXPUNGE",
                  f"{status['EXISTS']} messages left, expected {len(messages)}")
    checks.expect(client.search(["ALL"]) == {m.uid for m in messages}, "EXPUNGE",
                  "SEARCH ALL does not list exactly the remaining UIDs")
    checks.expect(client.search(["DELETED"]) == set(), "EXPUNGE", "\\Deleted messages remain")


def rename(client, copied, checks):
    step(f"rename {RENAMED_FROM} to {RENAMED_TO}")
    client.rename(RENAMED_FROM, RENAMED_TO)
    names = client.list_names("Projects/*")
    expected = sorted([RENAMED_TO, RENAMED_TO + "/Q1", UNICODE_FOLDER])
    checks.expect(names == expected, "RENAME", f"LIST Projects/* = {names}, expected {expected}")
    target = RENAMED_TO + "/Q1"
    status = client.select(target)
    checks.expect(status["EXISTS"] == len(copied), "RENAME",
                  f"{target} holds {status['EXISTS']}, expected {len(copied)}")
    if not status["EXISTS"]:
        return
    fetched = client.fetch(sorted(client.search(["ALL"])), ["ENVELOPE", "FLAGS", "BODY.PEEK[]"])
    got = [fetched[uid] for uid in sorted(fetched)]
    checks.expect(len(got) == len(copied), "COPY", f"{len(got)} copies fetched")
    for (message, flags), answer in zip(copied, got):
        checks.expect(answer.get("BODY[]") == message.raw, "COPY",
                      f"copy of uid {message.uid}: body differs")
        expected = list(message.envelope)
        expected[0] = client.envelope_date(expected[0])
        difference = corpus_model.first_difference(expected, answer["ENVELOPE"])
        checks.expect(difference is None, "COPY", f"copy of uid {message.uid}: {difference}")
        checks.expect(visible(answer["FLAGS"]) == flags, "COPY",
                      f"copy of uid {message.uid}: flags {answer['FLAGS']} != {flags}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--client", choices=["imaplib", "imapclient"], required=True)
    args = parser.parse_args()
    kind = clients.ImaplibClient if args.client == "imaplib" else clients.ImapClientClient
    checks = Checks()
    try:
        run(kind(args.host, args.port), args, checks)
    except Exception as error:  # the run cannot go on; report what it found so far
        checks.report()
        print(f"ABORTED: {type(error).__name__}: {error}", file=sys.stderr)
        raise SystemExit(2) from error
    status = checks.report()
    print("scenario passed" if status == 0 else "scenario failed", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
