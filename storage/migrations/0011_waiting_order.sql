-- The console's "waiting longest" order (status_changed_at, then id): these indexes are read in
-- that order and the query stops at the page's last row, instead of sorting every case in a
-- national, provincial or regency scope (at a million cases a sort took over 100 ms).
-- SQLite appends the row id to every index, so the id tie-break is in the index too.
CREATE INDEX cases_by_waiting ON cases (status_changed_at);
CREATE INDEX cases_by_province_waiting ON cases (province_code, status_changed_at);
CREATE INDEX cases_by_regency_waiting ON cases (regency_code, status_changed_at);
