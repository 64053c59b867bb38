-- Filing packets: what the reporter added for the official forms (witnesses, the remedy asked),
-- kept with the case so that the reporter and staff get the same packet again; and the
-- questions a reporter is in the middle of answering.

ALTER TABLE cases ADD COLUMN packet_answers_enc BLOB;

CREATE TABLE packet_sessions (
    chat_id     INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    state_enc   BLOB NOT NULL,  -- the pure core's PacketSession as encrypted JSON
    created_at  TEXT NOT NULL
);
