-- Search that scales (issue 3): trigram GIN indexes over the decoded text
-- columns, so TEXT/BODY/HEADER substring searches (IMAP semantics:
-- case-insensitive substrings) find their candidate rows with
-- `ILIKE '%needle%'` instead of reading every row's text. The metadata
-- matcher still decides every candidate. pg_trgm ships with PostgreSQL
-- (contrib); the migrating role needs the right to create it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX messages_body_text_trgm ON messages USING gin (body_text gin_trgm_ops);
CREATE INDEX messages_header_text_trgm ON messages USING gin (header_text gin_trgm_ops);
