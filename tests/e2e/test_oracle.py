"""Unit tests of the scenario's oracle (imap_data, mime_expect, corpus_model):
known answers from RFC 3501's examples and hand-built messages, and
whole-corpus invariants. The corpus path comes from MAILKEEP_E2E_CORPUS
(the Rust test sets it); without it the corpus tests fail, never skip."""

import datetime
import email
import os
import unittest

import corpus_model
import imap_data
import mime_expect
from clients import Str

NESTED = (
    b"From: \"Joe Q. Public\" <john.q.public@example.com>\r\n"
    b"To: Undisclosed: ;, Friends: mary@x.test, <@route.test:jdoe@one.test>;\r\n"
    b"Cc: pete(his comment)@silly.test (Pete)\r\n"
    b"Subject: =?utf-8?q?caf=C3=A9?=\r\n  folded\r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0100\r\n"
    b"Message-ID: <1@x.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    b"\r\n"
    b"preamble\r\n"
    b"--outer\r\n"
    b"\r\n"
    b"implicit text\r\n"
    b"--outer\r\n"
    b"Content-Type: multipart/alternative; boundary=inner\r\n"
    b"\r\n"
    b"--inner\r\n"
    b"Content-Type: text/plain; charset=\"us-ascii\"; format=flowed\r\n"
    b"\r\n"
    b"plain\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html\r\n"
    b"Content-Transfer-Encoding: QUOTED-PRINTABLE\r\n"
    b"\r\n"
    b"<p>html</p>\r\nline two\r\n"
    b"--inner--\r\n"
    b"--outer\r\n"
    b"Content-Type: message/rfc822\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''sch%C3%A9ma.eml\r\n"
    b"\r\n"
    b"Subject: inner\r\n"
    b"From: a@b.test\r\n"
    b"\r\n"
    b"inner body\r\n"
    b"--outer--\r\n"
    b"epilogue\r\n"
)


class ImapDataTests(unittest.TestCase):
    def test_parse_handles_literals_nil_numbers_and_sections(self):
        data = b'1 (UID 7 BODY[HEADER.FIELDS (A B)]<0> {3}\r\nx\r\n FLAGS (\\Seen) X "1\\"2" NIL)'
        self.assertEqual(imap_data.parse_all(data),
                         [1, [b"UID", 7, b"BODY[HEADER.FIELDS (A B)]<0>", b"x\r\n",
                              b"FLAGS", [b"\\Seen"], b"X", b'1"2', None]])

    def test_render_and_parse_round_trip(self):
        value = [b"a b", None, 42, [b"\\", b"caf\xc3\xa9", []], b""]
        self.assertEqual(imap_data.parse_all(imap_data.render(value)), [value])

    def test_sequence_sets_and_modified_utf7(self):
        self.assertEqual(imap_data.sequence_set([5, 1, 2, 3, 9, 10]), "1:3,5,9:10")
        # RFC 3501 §5.1.3's example.
        self.assertEqual(imap_data.mutf7_encode("~peter/mail/台北/日本語"),
                         "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
        for name in ("Café ☕", "a&b", "Entwürfe", "📬"):
            self.assertEqual(imap_data.mutf7_decode(imap_data.mutf7_encode(name)), name)


class MimeExpectTests(unittest.TestCase):
    def setUp(self):
        self.part = mime_expect.parse_message(NESTED)

    def test_envelope_keeps_raw_values_and_parses_groups_routes_comments(self):
        envelope = mime_expect.envelope(self.part.message)
        self.assertEqual(envelope[0], b"Mon, 1 Jan 2024 10:00:00 +0100")
        self.assertEqual(envelope[1], b"=?utf-8?q?caf=C3=A9?=  folded")
        public = [[b"Joe Q. Public", None, b"john.q.public", b"example.com"]]
        self.assertEqual(envelope[2:5], [public, public, public])
        self.assertEqual(envelope[5], [
            [None, None, b"Undisclosed", None], [None, None, None, None],
            [None, None, b"Friends", None], [None, None, b"mary", b"x.test"],
            [None, b"@route.test", b"jdoe", b"one.test"], [None, None, None, None]])
        self.assertEqual(envelope[6], [[None, None, b"pete", b"silly.test"]])
        self.assertEqual(envelope[7:], [None, None, b"<1@x.test>"])

    def test_bodystructure_of_nested_parts(self):
        structure = mime_expect.bodystructure(self.part)
        implicit, alternative, forwarded = structure[:3]
        self.assertEqual(implicit, [b"text", b"plain", [b"charset", b"us-ascii"], None, None,
                                    b"7bit", 13, 0, None, None, None, None])
        self.assertEqual(alternative[0][2], [b"charset", b"us-ascii", b"format", b"flowed"])
        self.assertEqual(alternative[1][5:8], [b"QUOTED-PRINTABLE", 21, 1])
        self.assertEqual(alternative[2:4], [b"alternative", [b"boundary", b"inner"]])
        self.assertEqual(forwarded[:2], [b"message", b"rfc822"])
        self.assertEqual(forwarded[6], len(b"Subject: inner\r\nFrom: a@b.test\r\n\r\ninner body"))
        self.assertEqual(forwarded[7][1], b"inner")
        self.assertEqual(forwarded[8][:2], [b"text", b"plain"])
        self.assertEqual(forwarded[9], 3)
        self.assertEqual(forwarded[11], [b"attachment", [b"filename*", b"utf-8''sch%C3%A9ma.eml"]])
        self.assertEqual(structure[3:5], [b"mixed", [b"boundary", b"outer"]])
        normalized = mime_expect.normalize_bodystructure(mime_expect.bodystructure(self.part))
        self.assertEqual(normalized[1][1][5], b"quoted-printable")
        # RFC 2231 values compare decoded, so RFC 9051's decoded form passes too.
        self.assertEqual(normalized[2][11], [b"attachment", [b"filename*", "schéma.eml".encode()]])
        decoded_by_server = [b"ATTACHMENT", [b"FILENAME*", "schéma.eml".encode()]]
        forwarded_copy = list(forwarded)
        forwarded_copy[11] = decoded_by_server
        self.assertEqual(mime_expect.normalize_bodystructure(forwarded_copy)[11], normalized[2][11])

    def test_sections_follow_rfc3501_numbering(self):
        body = lambda path: mime_expect.section(self.part, path).body  # noqa: E731
        self.assertEqual(body([1]), b"implicit text")
        self.assertEqual(body([2, 2]), b"<p>html</p>\r\nline two")
        self.assertEqual(body([3, 1]), b"inner body")
        self.assertTrue(body([3]).startswith(b"Subject: inner"))
        self.assertIsNone(mime_expect.section(self.part, [4]))
        plain = mime_expect.parse_message(b"Subject: x\r\n\r\nhello\r\n")
        self.assertEqual(mime_expect.section(plain, [1]).body, b"hello\r\n")

    def test_search_model(self):
        message = corpus_model.Message(0, NESTED)
        message.uid, message.flags = 5, {"\\Seen"}
        self.assertTrue(corpus_model.evaluate(message, ["SUBJECT", Str("CAFÉ")]))
        self.assertTrue(corpus_model.evaluate(message, ["OR", "FLAGGED", "SEEN", "UID", "1:5"]))
        self.assertTrue(corpus_model.evaluate(message, ["NOT", "SMALLER", 10]))
        self.assertTrue(corpus_model.evaluate(message, ["SENTON", datetime.date(2024, 1, 1)]))


class CorpusTests(unittest.TestCase):
    def test_every_corpus_message_has_a_consistent_model(self):
        path = os.environ.get("MAILKEEP_E2E_CORPUS")
        self.assertTrue(path, "MAILKEEP_E2E_CORPUS is not set: run these through cargo test")
        messages = corpus_model.load(path)
        self.assertEqual(len(messages), 400)
        kinds = set()
        for message in messages:
            self.assertNotIn(b"\r", message.raw.replace(b"\r\n", b""))
            self.assertTrue(message.raw.endswith(b"\r\n"))
            structure = mime_expect.bodystructure(message.part)
            self.assertEqual(imap_data.parse_all(imap_data.render(structure)), [structure])
            decoded = email.message_from_bytes(message.raw)
            for leaf in decoded.walk():
                if not leaf.is_multipart() and leaf.get_content_maintype() == "text":
                    kinds.add(leaf.get_content_type())
            self.assertIsNotNone(message.envelope[9])
        self.assertTrue({"text/plain", "text/html"} <= kinds)
        forwarded = [m for m in messages if m.part.children
                     and any(c.inner is not None for c in m.part.children)]
        self.assertTrue(forwarded, "the corpus should hold message/rfc822 parts")
        quoted = [m for m in messages if b"\r\n>From " in m.raw]
        self.assertTrue(quoted, "mbox >From quoting should reach the messages as written")


if __name__ == "__main__":
    unittest.main()
