-- The inbox of webhook workers on PostgreSQL (SQLite runs one process and leaves it empty):
-- the ingress commits each update here before it answers Telegram; workers claim them, each
-- chat's strictly in update order and one at a time, and mark one done in the transaction that
-- holds the update's own changes. The update is stored encrypted (it holds what people typed).
CREATE TABLE updates (
    update_id     BIGINT PRIMARY KEY,
    chat_key      TEXT NOT NULL,
    body_enc      TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    claimed_by    TEXT,
    claimed_until TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    done_at       TEXT
);
CREATE INDEX updates_open ON updates (chat_key, update_id) WHERE done_at IS NULL;
CREATE INDEX updates_done ON updates (done_at) WHERE done_at IS NOT NULL;
