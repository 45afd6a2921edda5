"""Real mail clients against `mailkeep dev` (issue 3, item 5).

    real_clients.py SCENARIO HOST PORT LOGIN PASSWORD WORKDIR

SCENARIO is `mbsync` or `offlineimap` (a two-way Maildir sync with flags,
deletions and new folders made on both sides), `curl` (LIST, EXAMINE,
SEARCH, FETCH by UID and section, APPEND over imap:// URLs) or `fetchmail`
(a fetch that keeps the mail, then a re-fetch of only the new mail). Each
checks the result on both sides and exits non-zero with the reason when a
check fails. The clients come from Debian (isync, fetchmail, curl) and pip
(offlineimap), installed by scripts/test.
"""

import os
import subprocess
import sys

import sync_model as model

CLIENT_LIMIT = 120


def run(argv, env=None, ok_codes=(0,)):
    result = subprocess.run(
        argv, capture_output=True, timeout=CLIENT_LIMIT, env={**os.environ, **(env or {})}
    )
    if result.returncode not in ok_codes:
        raise AssertionError(
            f"{argv[0]} exited {result.returncode}\n--- stdout ---\n"
            f"{result.stdout.decode(errors='replace')}\n--- stderr ---\n"
            f"{result.stderr.decode(errors='replace')}"
        )
    return result


class Mbsync:
    """isync's `mbsync` on a Maildir++ tree (INBOX at the root, `.Sub` folders)."""

    def __init__(self, server, work):
        self.root = os.path.join(work, "mail")
        os.makedirs(self.root, exist_ok=True)
        host, port, login, password = server
        self.config = os.path.join(work, "mbsyncrc")
        with open(self.config, "w") as handle:
            handle.write(
                f"IMAPAccount mk\nHost {host}\nPort {port}\nUser {login}\nPass \"{password}\"\n"
                f"SSLType None\nAuthMechs LOGIN\n\nIMAPStore remote\nAccount mk\n\n"
                f"MaildirStore local\nInbox {self.root}/\nSubFolders Maildir++\n\n"
                f"Channel sync\nFar :remote:\nNear :local:\nPatterns *\nCreate Both\n"
                f"Remove Both\nExpunge Both\nSync All\nSyncState *\n"
            )

    def sync(self):
        run(["mbsync", "-c", self.config, "-a"])

    def folder_dir(self, folder):
        return self.root if folder == "INBOX" else os.path.join(self.root, "." + folder.replace("/", "."))

    def folders(self):
        names = ["INBOX"]
        names += [
            entry[1:].replace(".", "/")
            for entry in os.listdir(self.root)
            if entry.startswith(".") and os.path.isdir(os.path.join(self.root, entry, "cur"))
        ]
        return {name: self.folder_dir(name) for name in names}


class OfflineImap:
    """offlineimap on a Maildir tree with one directory per folder."""

    def __init__(self, server, work):
        self.root = os.path.join(work, "mail")
        os.makedirs(self.root, exist_ok=True)
        host, port, login, password = server
        self.config = os.path.join(work, "offlineimaprc")
        with open(self.config, "w") as handle:
            handle.write(
                f"[general]\naccounts = mk\nmetadata = {work}/offlineimap-state\n\n"
                f"[Account mk]\nlocalrepository = local\nremoterepository = remote\n\n"
                f"[Repository local]\ntype = Maildir\nlocalfolders = {self.root}\nsep = /\n\n"
                f"[Repository remote]\ntype = IMAP\nremotehost = {host}\nremoteport = {port}\n"
                f"remoteuser = {login}\nremotepass = {password}\nssl = no\nstarttls = no\n"
            )
        self.program = os.path.join(os.path.dirname(sys.executable), "offlineimap")

    def sync(self):
        run([self.program, "-c", self.config, "-o", "-1", "-u", "basic"])

    def folder_dir(self, folder):
        return os.path.join(self.root, folder)

    def folders(self):
        names = []
        for directory, subdirs, _ in os.walk(self.root):
            if "cur" in subdirs:
                names.append(os.path.relpath(directory, self.root))
        return {name: self.folder_dir(name) for name in names}


def two_way(tool, server):
    client = model.connect(*server)
    keep, flagged, doomed_remote, doomed_local = (
        model.message(subject) for subject in ("keep", "flagged", "doomed-remote", "doomed-local")
    )
    model.append(client, "INBOX", keep[0])
    model.append(client, "INBOX", flagged[0], "\\Flagged")
    model.append(client, "INBOX", doomed_remote[0])
    model.check(client.create('"Work"'))
    model.append(client, "Work", doomed_local[0], "\\Seen")

    tool.sync()
    server_view = model.server_snapshot(client)
    model.expect_equal(model.maildir_snapshot(tool.folders()), server_view, "after the first sync")
    if server_view["INBOX"].get(flagged[1]) != frozenset({"\\Flagged"}):
        raise AssertionError(f"the server lost \\Flagged: {server_view['INBOX']}")

    # Local side: a flag, a deletion, a new message and a new folder.
    model.set_local_flag(tool.folder_dir("INBOX"), keep[1], "S")
    os.remove(model.find_local(tool.folder_dir("Work"), doomed_local[1])[0])
    local_new, local_folder_message = model.message("local-new"), model.message("local-folder")
    model.write_local(tool.folder_dir("INBOX"), local_new[0])
    model.write_local(tool.folder_dir("Local"), local_folder_message[0])
    # Server side: the same kinds of change.
    remote_new, remote_folder_message = model.message("remote-new"), model.message("remote-folder")
    model.store(client, "INBOX", flagged[1], "\\Answered")
    model.expunge(client, "INBOX", doomed_remote[1])
    model.append(client, "Work", remote_new[0])
    model.check(client.create('"Remote"'))
    model.append(client, "Remote", remote_folder_message[0])

    tool.sync()
    server_view = model.server_snapshot(client)
    local_view = model.maildir_snapshot(tool.folders())
    model.expect_equal(local_view, server_view, "after the second sync")
    expected = {
        "INBOX": {
            keep[1]: frozenset({"\\Seen"}),
            flagged[1]: frozenset({"\\Flagged", "\\Answered"}),
            local_new[1]: frozenset(),
        },
        "Work": {remote_new[1]: frozenset()},
        "Local": {local_folder_message[1]: frozenset()},
        "Remote": {remote_folder_message[1]: frozenset()},
    }
    for folder, messages in expected.items():
        if server_view.get(folder) != messages:
            raise AssertionError(f"{folder} is {server_view.get(folder)}, want {messages}")
    client.logout()


def curl(server, work):
    host, port, login, password = server
    client = model.connect(*server)
    plain, _ = model.message("curl plain")
    multipart_id = "<curl-multipart@mailkeep.test>"
    multipart = (
        "From: a@mailkeep.test\r\nSubject: curl-target\r\nMessage-ID: " + multipart_id + "\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
        "--b1\r\nContent-Type: text/plain\r\n\r\nsecond part\r\n--b1--\r\n"
    ).encode()
    model.append(client, "INBOX", plain)
    model.append(client, "INBOX", multipart)
    base = f"imap://{host}:{port}"
    user = ["--user", f"{login}:{password}"]

    def get(url, *extra):
        return run(["curl", "--silent", "--show-error", *user, *extra, url]).stdout

    listing = get(f"{base}/")
    if b"INBOX" not in listing or b"Sent" not in listing:
        raise AssertionError(f"LIST lacks INBOX or Sent: {listing!r}")
    examine = get(f"{base}/", "--request", "EXAMINE INBOX")
    if b"* 2 EXISTS" not in examine:
        raise AssertionError(f"EXAMINE did not report 2 messages: {examine!r}")
    search = get(f"{base}/INBOX?SUBJECT%20curl-target")
    if search.strip() != b"* SEARCH 2":
        raise AssertionError(f"SEARCH answered {search!r}")
    whole = get(f"{base}/INBOX/;UID=2")
    if whole != multipart:
        raise AssertionError(f"FETCH by UID returned {whole!r}")
    second = get(f"{base}/INBOX/;UID=2/;SECTION=2")
    if second != b"second part":
        raise AssertionError(f"FETCH of section 2 returned {second!r}")

    upload, upload_id = model.message("curl upload")
    path = os.path.join(work, "upload.eml")
    with open(path, "wb") as handle:
        handle.write(upload)
    run(["curl", "--silent", "--show-error", *user, "--upload-file", path, f"{base}/INBOX"])
    uid = model.uid_of(client, "INBOX", upload_id)
    body = model.check(client.uid("FETCH", uid, "(BODY.PEEK[])"))[0][1]
    if body != upload:
        raise AssertionError(f"APPENDed bytes differ: {body!r}")
    client.logout()


def fetchmail(server, work):
    host, port, login, password = server
    client = model.connect(*server)
    first = [model.message(f"fetch {n}") for n in range(3)]
    for raw, _ in first:
        model.append(client, "INBOX", raw)
    out = os.path.join(work, "delivered")
    os.makedirs(out)
    rc = os.path.join(work, "fetchmailrc")
    with open(rc, "w") as handle:
        handle.write(
            f'set no syslog\npoll {host} service {port} protocol IMAP auth password\n'
            f'  user "{login}" there with password "{password}" is root here\n'
            f"  keep sslproto '' mda \"/bin/sh -c 'cat > {out}/$$'\"\n"
        )
    os.chmod(rc, 0o600)
    command = ["fetchmail", "--fetchmailrc", rc, "--idfile", os.path.join(work, "ids"), "--nosyslog"]

    def delivered():
        found = set()
        for name in os.listdir(out):
            with open(os.path.join(out, name), "rb") as handle:
                found.add(model.message_ids(handle.read().split(b"\n\n", 1)[0]))
        return found

    run(command)
    if delivered() != {message_id for _, message_id in first}:
        raise AssertionError(f"first fetch delivered {delivered()}")
    second = [model.message(f"fetch new {n}") for n in range(2)]
    for raw, _ in second:
        model.append(client, "INBOX", raw)
    run(command)
    if delivered() != {message_id for _, message_id in first + second}:
        raise AssertionError(f"the re-fetch delivered {delivered()}")
    # Exit code 1 is fetchmail's "no new mail".
    run(command, ok_codes=(1,))
    inbox = model.server_snapshot(client)["INBOX"]
    if set(inbox) != {message_id for _, message_id in first + second}:
        raise AssertionError(f"keep did not keep the mail on the server: {inbox}")
    if any("\\Seen" not in flags for flags in inbox.values()):
        raise AssertionError(f"fetched mail is not \\Seen on the server: {inbox}")
    client.logout()


def main():
    scenario, host, port, login, password, work = sys.argv[1:7]
    server = (host, port, login, password)
    if scenario == "mbsync":
        two_way(Mbsync(server, work), server)
    elif scenario == "offlineimap":
        two_way(OfflineImap(server, work), server)
    elif scenario == "curl":
        curl(server, work)
    elif scenario == "fetchmail":
        fetchmail(server, work)
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    print(f"{scenario}: ok")


if __name__ == "__main__":
    main()
