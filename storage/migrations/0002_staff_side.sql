-- Staff side: delivery bookkeeping, staff interaction state, reporters adding to a filed case.

-- How often a row was sent again because the process died after Telegram accepted it.
ALTER TABLE outbox ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
-- A digest part carries the case id its staff cursor moves to once it is delivered.
ALTER TABLE outbox ADD COLUMN cursor_user_id INTEGER;
ALTER TABLE outbox ADD COLUMN cursor_case_id INTEGER;
CREATE INDEX outbox_by_chat ON outbox (chat_id, kind, status);

-- Set when Telegram says the staff member blocked the bot (403); shown to admins.
ALTER TABLE staff ADD COLUMN blocked_at TEXT;

-- The last day a staff member's daily summary was queued (one per day).
ALTER TABLE digest_cursors ADD COLUMN daily_sent_on TEXT;

-- What a staff member is in the middle of (e.g. typing the note of a status change).
CREATE TABLE staff_sessions (
    user_id     INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    value       TEXT,
    created_at  TEXT NOT NULL
);

-- A reporter who pressed "Tambah informasi" on a filed case.
CREATE TABLE reporter_sessions (
    chat_id     INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);

CREATE INDEX case_events_public ON case_events (case_id, public);
CREATE INDEX cases_by_regency_created ON cases (regency_code, created_at);
