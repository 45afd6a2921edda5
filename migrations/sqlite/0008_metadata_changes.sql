-- METADATA change tracking (RFC 5465 §5.6-5.7), SQLite twin of
-- migrations/postgres: with NOTIFY, sessions tell their client which server
-- and mailbox entries changed, on any pod, so the changes live here.
-- accounts.metadata_modseq counts the account's SETMETADATA calls: each one
-- bumps it once in its write transaction (writers are serialised, so counter
-- values commit in order) and stamps every entry it sets with the new value.
-- A removed entry leaves a metadata_removals row at that value instead;
-- setting it again deletes the row. Sessions poll at least every
-- poll_interval (30 s by default), so each SETMETADATA prunes its mailbox's
-- (or the server's) removals older than one hour: ample for any live session.
-- Rows of a deleted mailbox go with it; account deletion and tenant purge
-- delete the account's rows. Entries written before this migration carry
-- modseq 0 and are never reported as changed.

ALTER TABLE accounts ADD COLUMN metadata_modseq BIGINT NOT NULL DEFAULT 0;

ALTER TABLE mailbox_metadata ADD COLUMN modseq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX mailbox_metadata_by_modseq ON mailbox_metadata (account_id, modseq);

-- removed_at: unix seconds.
CREATE TABLE metadata_removals (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    mailbox_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    modseq      BIGINT NOT NULL,
    removed_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, mailbox_id, name)
);
CREATE INDEX metadata_removals_by_modseq ON metadata_removals (account_id, modseq);
