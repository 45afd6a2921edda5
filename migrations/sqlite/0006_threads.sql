-- OBJECTID THREADID (RFC 8474): an appended message looks up the thread of
-- the messages it replies to by their Message-ID, within its account.
CREATE INDEX messages_by_message_id ON messages (account_id, message_id);
