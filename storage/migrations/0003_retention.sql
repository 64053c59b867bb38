-- Data lifecycle: when a closed case had its reporter identity and evidence files removed.
ALTER TABLE cases ADD COLUMN anonymised_at TEXT;
CREATE INDEX cases_closed_by_age ON cases (status, status_changed_at) WHERE anonymised_at IS NULL;
