-- PostgreSQL's version of migration 0013 (the same steps, its own types).
-- No reporter's chat id in clear at rest (design §7): every table that finds a chat keys it by
-- a keyed hash of its channel-qualified address ("telegram:123"), and keeps the address only
-- sealed, where a message must be sent. Hashing needs the data key, so the program moves the
-- rows of the renamed legacy_* tables at start-up (storage/chatkeys.py) and drops them.
DROP INDEX drafts_by_age;
ALTER TABLE chats RENAME TO legacy_chats;
ALTER TABLE drafts RENAME TO legacy_drafts;
ALTER TABLE reporter_sessions RENAME TO legacy_reporter_sessions;
ALTER TABLE packet_sessions RENAME TO legacy_packet_sessions;
-- (PostgreSQL keeps a renamed table's key indexes under their old names)
ALTER INDEX chats_pkey RENAME TO legacy_chats_pkey;
ALTER INDEX drafts_pkey RENAME TO legacy_drafts_pkey;
ALTER INDEX drafts_draft_id_key RENAME TO legacy_drafts_draft_id_key;
ALTER INDEX reporter_sessions_pkey RENAME TO legacy_reporter_sessions_pkey;
ALTER INDEX packet_sessions_pkey RENAME TO legacy_packet_sessions_pkey;

-- Any chat's language (reporters and staff alike): the sealed address lets rotate-key re-hash it.
CREATE TABLE chats (
    chat_hash   TEXT PRIMARY KEY,
    chat_enc    BYTEA NOT NULL,
    language    TEXT NOT NULL CHECK (language IN ('id', 'en')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The sealed address is kept for the reminder of an untouched draft.
CREATE TABLE drafts (
    chat_hash   TEXT PRIMARY KEY,
    chat_enc    BYTEA NOT NULL,
    draft_id    TEXT NOT NULL UNIQUE,
    step        TEXT NOT NULL,
    state       BYTEA NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    reminded_at TEXT
);
CREATE INDEX drafts_by_age ON drafts (updated_at);

CREATE TABLE reporter_sessions (
    chat_hash   TEXT PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);

CREATE TABLE packet_sessions (
    chat_hash   TEXT PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    state_enc   BYTEA NOT NULL,
    created_at  TEXT NOT NULL
);

-- Rate counters are short-lived: they start again empty.
DROP TABLE rate_events;
CREATE TABLE rate_events (
    chat_hash TEXT NOT NULL,
    action    TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX rate_events_by_chat ON rate_events (chat_hash, action, at);

-- Evidence belongs to a draft or a case; it needs no chat at all.
ALTER TABLE evidence DROP COLUMN chat_id;

-- The outbox: a hash to find a chat's pending messages, the sealed address to send; both (and
-- the payload) emptied once a message is delivered, so a delivered row names no chat. The ids
-- of undelivered rows wait in legacy_outbox until the program has sealed them.
DROP INDEX outbox_by_chat;
CREATE TABLE legacy_outbox AS SELECT id, chat_id FROM outbox WHERE status != 'sent';
ALTER TABLE outbox DROP COLUMN chat_id;
ALTER TABLE outbox ADD COLUMN chat_hash TEXT;
ALTER TABLE outbox ADD COLUMN chat_enc BYTEA;
UPDATE outbox SET payload = '', payload_enc = NULL WHERE status = 'sent';
CREATE INDEX outbox_by_chat ON outbox (chat_hash, kind, status);

-- The workers' inbox: chat_key becomes the chat's hash; the sealed address beside the body
-- answers an update set aside after repeated failures even when its body cannot be opened.
-- An update that fails again and again is set aside (failed_at, last_error: the exception's
-- type, never its text) so the chat's later updates go on.
ALTER TABLE updates ADD COLUMN failed_at TEXT;
ALTER TABLE updates ADD COLUMN last_error TEXT;
ALTER TABLE updates ADD COLUMN chat_enc BYTEA;

-- The key bookkeeping of a rotation that loses nothing (storage/keys.py): the fingerprints of
-- every key values may be sealed under, and one row while legacy_* rows wait to be moved.
ALTER TABLE key_check ADD COLUMN key_ids TEXT;
CREATE TABLE chat_hash_upgrade (id INTEGER PRIMARY KEY CHECK (id = 1));
INSERT INTO chat_hash_upgrade (id) VALUES (1);
