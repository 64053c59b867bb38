-- Messages a webhook channel delivered that were handled (WhatsApp message ids): Meta delivers a
-- message again when our answer to its call was lost, and it must not be handled twice. Kept a
-- day (the housekeeping round forgets older ones).
CREATE TABLE seen_messages (
    message_key TEXT PRIMARY KEY,
    handled_at  TEXT NOT NULL
);
CREATE INDEX seen_messages_by_time ON seen_messages (handled_at);
