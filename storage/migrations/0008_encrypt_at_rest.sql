-- Every free-text and location field encrypted at rest, and the reporter's chat id too (a
-- keyed hash to find a chat's cases, the encrypted value to send to it). Place codes,
-- categories, kinds of person, dates and statuses stay in clear for digests and search.
-- The program moves existing values into these columns at start-up (it holds the key) and
-- empties the old ones.
ALTER TABLE cases ADD COLUMN description_enc BLOB;
ALTER TABLE cases ADD COLUMN person_name_enc BLOB;
ALTER TABLE cases ADD COLUMN place_detail_enc BLOB;
ALTER TABLE cases ADD COLUMN service_name_enc BLOB;
ALTER TABLE cases ADD COLUMN location_enc BLOB;
ALTER TABLE cases ADD COLUMN reporter_chat_hash TEXT;
ALTER TABLE cases ADD COLUMN reporter_chat_enc BLOB;
CREATE INDEX cases_by_reporter_hash ON cases (reporter_chat_hash, id);
ALTER TABLE case_events ADD COLUMN note_enc BLOB;
ALTER TABLE evidence ADD COLUMN file_name_enc BLOB;
ALTER TABLE evidence ADD COLUMN url_enc BLOB;
ALTER TABLE outbox ADD COLUMN payload_enc BLOB;
