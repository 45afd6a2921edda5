"""Issue 7 item 1, protocol half: Postfix-compatible LMTP answers as
Python's smtplib.LMTP sees them, against a running `mailkeep dev`.

Checks: the LHLO extensions; one reply per accepted recipient after DATA
(smtplib's data() reads the first, getreply() the rest); an unknown
recipient (550 5.1.1); an over-quota recipient (452 4.2.2, at RCPT or after
DATA); a message over SIZE, declared (552 at MAIL) and undeclared (552 per
recipient after DATA); a bad command mid-session, then a delivery that
works; and over IMAP, that the messages arrived with Return-Path and
Delivered-To. Prints "lmtp_protocol: ok" when every check passed.

Usage: lmtp_protocol.py HOST LMTP_PORT IMAP_PORT DOMAIN MAX_SIZE
       ALICE_PASSWORD BOB_PASSWORD
"""

import imaplib
import smtplib
import sys


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_reply(reply, code, enhanced, what):
    got_code, text = reply
    text = text.decode("utf-8", "replace")
    expect(got_code == code and text.startswith(enhanced),
           f"{what}: expected {code} {enhanced}, got {got_code} {text}")


def message(subject, filler=""):
    return (f"From: sender@example.org\r\nTo: team\r\nSubject: {subject}\r\n"
            f"\r\nHello.\r\n.leading dot survives\r\n{filler}").encode()


def main():
    host, lmtp_port, imap_port, domain, max_size, alice_pw, bob_pw = sys.argv[1:8]
    lmtp_port, imap_port, max_size = int(lmtp_port), int(imap_port), int(max_size)
    alice, bob = f"alice@{domain}", f"bob@{domain}"
    tiny, nobody = f"tiny@{domain}", f"nobody@{domain}"
    sender = "sender@example.org"

    lmtp = smtplib.LMTP(host, lmtp_port)
    code, _ = lmtp.ehlo("mta.example.org")  # smtplib.LMTP sends LHLO
    expect(code == 250, f"LHLO answered {code}")
    for extension in ["pipelining", "enhancedstatuscodes", "8bitmime", "smtputf8",
                      "chunking", "binarymime", "size", "starttls"]:
        expect(lmtp.has_extn(extension), f"LHLO lacks {extension}")
    expect(int(lmtp.esmtp_features["size"]) == max_size, "SIZE is not the configured maximum")

    # Per-recipient replies, an unknown and an over-quota recipient.
    expect_reply(lmtp.mail(sender), 250, "2.1.0", "MAIL")
    expect_reply(lmtp.rcpt(alice), 250, "2.1.5", "RCPT alice")
    expect_reply(lmtp.rcpt(nobody), 550, "5.1.1", "RCPT unknown")
    tiny_at_rcpt = lmtp.rcpt(tiny)
    expect(tiny_at_rcpt[0] in (250, 452), f"RCPT tiny answered {tiny_at_rcpt}")
    if tiny_at_rcpt[0] == 452:
        expect_reply(tiny_at_rcpt, 452, "4.2.2", "RCPT over quota")
    expect_reply(lmtp.rcpt(bob), 250, "2.1.5", "RCPT bob")
    first = lmtp.data(message("per-recipient"))
    expect_reply(first, 250, "2.0.0", "DATA reply for alice")
    if tiny_at_rcpt[0] == 250:
        expect_reply(lmtp.getreply(), 452, "4.2.2", "DATA reply for tiny")
    expect_reply(lmtp.getreply(), 250, "2.0.0", "DATA reply for bob")

    # A message over SIZE: declared at MAIL, then undeclared in DATA.
    expect_reply(lmtp.mail(sender, [f"SIZE={max_size + 1}"]), 552, "5.3.4", "MAIL SIZE")
    expect_reply(lmtp.mail(sender, ["BODY=8BITMIME"]), 250, "2.1.0", "MAIL after SIZE")
    expect_reply(lmtp.rcpt(alice), 250, "2.1.5", "RCPT alice (big)")
    expect_reply(lmtp.rcpt(bob), 250, "2.1.5", "RCPT bob (big)")
    big = message("too big", ("x" * 998 + "\r\n") * (max_size // 1000 + 1))
    expect_reply(lmtp.data(big), 552, "5.3.4", "DATA over SIZE, alice")
    expect_reply(lmtp.getreply(), 552, "5.3.4", "DATA over SIZE, bob")

    # A bad command mid-session, then a delivery that works.
    expect_reply(lmtp.docmd("FROBNICATE"), 500, "5.5.1", "unknown command")
    expect_reply(lmtp.docmd("MAIL", "FROM:<broken"), 501, "5.5.4", "broken MAIL")
    expect_reply(lmtp.noop(), 250, "2.0.0", "NOOP after errors")
    refused = lmtp.sendmail("<>", [alice], message("after the bad command"))
    expect(refused == {}, f"delivery after errors refused {refused}")
    # smtplib.sendmail leaves the other recipients' replies unread: it
    # had only one, so the session is in step.
    expect_reply(lmtp.noop(), 250, "2.0.0", "NOOP at the end")
    lmtp.quit()

    # Over IMAP: what arrived, with the delivery headers.
    for login, password, subjects in [
        (alice, alice_pw, ["per-recipient", "after the bad command"]),
        (bob, bob_pw, ["per-recipient"]),
    ]:
        imap = imaplib.IMAP4(host, imap_port)
        imap.login(login, password)
        imap.select("INBOX")
        status, data = imap.fetch(
            "1:*", "(BODY.PEEK[HEADER.FIELDS (RETURN-PATH DELIVERED-TO SUBJECT)] BODY.PEEK[TEXT])")
        expect(status == "OK", f"FETCH for {login}: {status}")
        parts = [item for item in data if isinstance(item, tuple)]
        headers = [part[1].decode() for part in parts[0::2]]
        texts = [part[1] for part in parts[1::2]]
        expect(len(headers) == len(subjects), f"{login} holds {len(headers)} messages: {headers}")
        for header, text, subject in zip(headers, texts, subjects):
            expect(f"Subject: {subject}" in header, f"{login}: {header!r}")
            expect(f"Delivered-To: {login}" in header, f"{login} lacks Delivered-To: {header!r}")
            expected_path = "<>" if subject == "after the bad command" else f"<{sender}>"
            expect(f"Return-Path: {expected_path}" in header,
                   f"{login} lacks Return-Path {expected_path}: {header!r}")
            expect(b"\r\n.leading dot survives\r\n" in text, f"{login}: dot lost: {text!r}")
        imap.logout()
    print("lmtp_protocol: ok")


if __name__ == "__main__":
    main()
