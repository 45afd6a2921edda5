-- METADATA (RFC 5464, issue 3), SQLite twin: server and mailbox annotations.
-- mailbox_id is '' for the server entries (GETMETADATA ""); entries of a
-- mailbox follow its id, so RENAME keeps them, and DELETE removes them in
-- its transaction. Names are lower-cased `/private/...` or `/shared/...`.

CREATE TABLE mailbox_metadata (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    mailbox_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    value       BLOB NOT NULL,
    PRIMARY KEY (account_id, mailbox_id, name)
);
