-- Mailkeep metadata schema (ARCHITECTURE.md §3). Every table except tenants and
-- accounts leads with account_id so the schema can be distributed by account.
-- Ids are 32 lower-case hex digits; UIDs, MODSEQs, sizes and dates are BIGINT.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    domain      TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL DEFAULT 'active',
    created_at  BIGINT NOT NULL
);

CREATE TABLE accounts (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    local_part        TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'active',
    quota_bytes       BIGINT NOT NULL DEFAULT 0,
    quota_messages    BIGINT NOT NULL DEFAULT 0,
    -- The highest UIDVALIDITY handed out in this account; new ones exceed it.
    last_uidvalidity  BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    UNIQUE (tenant_id, local_part)
);

CREATE TABLE usage (
    account_id  TEXT PRIMARY KEY REFERENCES accounts (id),
    bytes       BIGINT NOT NULL DEFAULT 0,
    messages    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE mailboxes (
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    uidvalidity     BIGINT NOT NULL,
    uid_next        BIGINT NOT NULL DEFAULT 1,
    highest_modseq  BIGINT NOT NULL DEFAULT 1,
    -- UIDs at or above this are \Recent until a read-write SELECT claims them.
    recent_uid      BIGINT NOT NULL DEFAULT 1,
    special_use     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, name)
);

CREATE TABLE subscriptions (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE keywords (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    id          BIGINT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, name)
);

CREATE TABLE messages (
    account_id            TEXT NOT NULL,
    mailbox_id            TEXT NOT NULL,
    uid                   BIGINT NOT NULL,
    modseq                BIGINT NOT NULL,
    email_id              TEXT NOT NULL,
    thread_id             TEXT NOT NULL DEFAULT '',
    blob_id               TEXT NOT NULL,
    size                  BIGINT NOT NULL,
    internal_date         BIGINT NOT NULL,
    internal_date_offset  BIGINT NOT NULL,
    system_flags          BIGINT NOT NULL,
    -- Ascending keyword ids joined by ',' (empty when none).
    keyword_ids           TEXT NOT NULL DEFAULT '',
    envelope              BYTEA NOT NULL,
    bodystructure         BYTEA NOT NULL,
    body                  BYTEA NOT NULL,
    part_table            BYTEA NOT NULL,
    header_text           TEXT NOT NULL,
    body_text             TEXT NOT NULL,
    sent_date             BIGINT,
    subject               TEXT NOT NULL,
    from_text             TEXT NOT NULL,
    to_text               TEXT NOT NULL,
    cc_text               TEXT NOT NULL,
    bcc_text              TEXT NOT NULL,
    message_id            TEXT NOT NULL,
    PRIMARY KEY (account_id, mailbox_id, uid),
    FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id)
);

CREATE INDEX messages_by_modseq ON messages (account_id, mailbox_id, modseq);

CREATE TABLE expunged (
    account_id  TEXT NOT NULL,
    mailbox_id  TEXT NOT NULL,
    uid         BIGINT NOT NULL,
    modseq      BIGINT NOT NULL,
    PRIMARY KEY (account_id, mailbox_id, uid),
    FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id)
);

CREATE INDEX expunged_by_modseq ON expunged (account_id, mailbox_id, modseq);
