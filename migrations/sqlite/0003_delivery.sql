-- LMTP delivery (issue 7): the per-recipient header prefix (Return-Path,
-- Delivered-To) of a delivered message. The message a client sees is this
-- prefix followed by the shared, content-addressed blob; `size` counts both.
-- Empty for APPENDed messages. SQLite twin of migrations/postgres.

ALTER TABLE messages ADD COLUMN prefix BLOB NOT NULL DEFAULT x'';
