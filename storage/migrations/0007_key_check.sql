-- A value encrypted with the data key when the database is first opened, so that a start with
-- a different DATA_KEY is refused at once instead of locking reporters out of their chats.
CREATE TABLE key_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    check_enc   BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    rotated_at  TEXT
);
