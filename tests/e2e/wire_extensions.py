"""Issue 3, wire-level extensions over a real socket against `mailkeep dev`:
COMPRESS=DEFLATE (RFC 4978) with Python's zlib as the independent peer
(raw deflate both ways, a sync flush per command), then BINARY (RFC 3516)
and APPENDLIMIT (RFC 7889) through the compressed stream. Prints
"wire_extensions: ok" when every check passed.

Usage: wire_extensions.py HOST IMAP_PORT LOGIN PASSWORD APPENDLIMIT
"""

import re
import socket
import sys
import zlib


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


class Connection:
    """A line-oriented IMAP client that can switch to raw deflate."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=20)
        self.buffer = b""
        self.deflate = None
        self.inflate = None

    def send(self, data):
        if self.deflate is not None:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def fill(self):
        chunk = self.sock.recv(65536)
        expect(chunk, "server closed the connection")
        if self.inflate is not None:
            chunk = self.inflate.decompress(chunk)
        self.buffer += chunk

    def line(self):
        while b"\r\n" not in self.buffer:
            self.fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line + b"\r\n"

    def response(self):
        """One response line with its literals inlined."""
        out = self.line()
        while True:
            match = re.search(rb"~?\{(\d+)\}\r\n$", out)
            if not match:
                return out
            size = int(match.group(1))
            while len(self.buffer) < size:
                self.fill()
            out += self.buffer[:size]
            self.buffer = self.buffer[size:]
            out += self.line()

    def command(self, tag, text):
        """Sends `tag text` CRLF (text may hold literals); returns the
        untagged responses and the tagged one."""
        self.send(tag + b" " + text + b"\r\n")
        untagged = []
        while True:
            response = self.response()
            if response.startswith(tag + b" "):
                return untagged, response
            untagged.append(response)


def main():
    host, port, login, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    appendlimit = int(sys.argv[5])
    imap = Connection(host, port)
    expect(imap.line().startswith(b"* OK"), "no greeting")
    _, done = imap.command(b"a1", b"LOGIN " + login.encode() + b" " + password.encode())
    expect(done.startswith(b"a1 OK"), f"LOGIN: {done!r}")
    untagged, _ = imap.command(b"a2", b"CAPABILITY")
    capabilities = untagged[0].split()
    for wanted in [b"LITERAL+", b"BINARY", b"COMPRESS=DEFLATE"]:
        expect(wanted in capabilities, f"CAPABILITY lacks {wanted!r}: {untagged[0]!r}")
    # RFC 7888 section 5: never LITERAL+ and LITERAL- together.
    expect(b"LITERAL-" not in capabilities, f"LITERAL- beside LITERAL+: {untagged[0]!r}")
    limits = [item for item in capabilities if item.startswith(b"APPENDLIMIT=")]
    expect(limits == [b"APPENDLIMIT=%d" % appendlimit], f"APPENDLIMIT: {limits!r}")

    _, done = imap.command(b"c1", b"COMPRESS DEFLATE")
    expect(done.startswith(b"c1 OK"), f"COMPRESS: {done!r}")
    imap.deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    imap.inflate = zlib.decompressobj(-15)

    _, done = imap.command(b"c2", b"COMPRESS DEFLATE")
    # RFC 4978 section 3: BAD for "COMPRESS already active" (NO
    # [COMPRESSIONACTIVE] is for compression in another layer).
    expect(done.startswith(b"c2 BAD"), f"second COMPRESS: {done!r}")

    # APPEND binary content with a literal8; it comes back through BINARY.
    content = bytes(range(256)) * 40
    message = (b"Subject: binary\r\nContent-Type: application/octet-stream\r\n"
               b"Content-Transfer-Encoding: binary\r\n\r\n" + content)
    _, done = imap.command(b"c3", b"APPEND INBOX ~{%d+}\r\n" % len(message) + message)
    expect(done.startswith(b"c3 OK [APPENDUID"), f"APPEND literal8: {done!r}")
    _, done = imap.command(b"c4", b"SELECT INBOX")
    expect(done.startswith(b"c4 OK"), f"SELECT: {done!r}")
    untagged, done = imap.command(b"c5", b"UID FETCH * (BINARY.SIZE[1] BINARY.PEEK[1])")
    expect(done.startswith(b"c5 OK"), f"FETCH BINARY: {done!r}")
    fetched = b"".join(untagged)
    expect(b"BINARY.SIZE[1] %d " % len(content) in fetched, "wrong BINARY.SIZE")
    expect(b"BINARY[1] ~{%d}\r\n" % len(content) + content in fetched,
           "BINARY[1] is not the appended octets")
    untagged, _ = imap.command(b"c6", b"UID FETCH * BODY.PEEK[1]")
    expect(b"\0" not in b"".join(untagged), "BODY[1] carries NUL octets")

    untagged, done = imap.command(b"c7", b"STATUS INBOX (APPENDLIMIT)")
    expect(done.startswith(b"c7 OK") and b"(APPENDLIMIT %d)" % appendlimit in untagged[0],
           f"STATUS APPENDLIMIT: {untagged!r}")
    # RFC 7889 §3: a message over the limit is refused with [TOOBIG], its
    # bytes are read and dropped, and the connection goes on.
    imap.send(b"c7b APPEND INBOX {%d+}\r\n" % (appendlimit + 1) + b"x" * (appendlimit + 1)
              + b"\r\n")
    before, done = imap.command(b"c7c", b"NOOP")
    expect(any(line.startswith(b"c7b NO [TOOBIG]") for line in before)
           and done.startswith(b"c7c OK"), f"TOOBIG: {before!r} {done!r}")

    # A large response must arrive whole through the compressed stream.
    big = b"Subject: big\r\n\r\n" + b"0123456789abcdef\r\n" * 20000
    _, done = imap.command(b"c8", b"APPEND INBOX {%d+}\r\n" % len(big) + big)
    expect(done.startswith(b"c8 OK"), f"APPEND big: {done!r}")
    untagged, done = imap.command(b"c9", b"UID FETCH * BODY.PEEK[]")
    expect(done.startswith(b"c9 OK") and big in b"".join(untagged), "big FETCH")

    untagged, done = imap.command(b"c10", b"LOGOUT")
    expect(done.startswith(b"c10 OK") and untagged[0].startswith(b"* BYE"), "LOGOUT")
    print("wire_extensions: ok")


if __name__ == "__main__":
    main()
