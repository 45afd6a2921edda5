-- Search that scales (issue 3): an FTS5 index with the trigram tokenizer
-- (case-insensitive, matches any substring of 3+ characters) over the
-- decoded text columns of `messages`, kept in sync by triggers. It is an
-- external-content index keyed by the messages rowid: the store never runs
-- VACUUM, which could renumber those rowids (after one, run
-- `INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')`).
-- SQLite twin of migrations/postgres/0005_fts.sql.

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    header_text,
    body_text,
    content = 'messages',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);

INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, header_text, body_text)
    VALUES (new.rowid, new.header_text, new.body_text);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, header_text, body_text)
    VALUES ('delete', old.rowid, old.header_text, old.body_text);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF header_text, body_text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, header_text, body_text)
    VALUES ('delete', old.rowid, old.header_text, old.body_text);
    INSERT INTO messages_fts (rowid, header_text, body_text)
    VALUES (new.rowid, new.header_text, new.body_text);
END;
