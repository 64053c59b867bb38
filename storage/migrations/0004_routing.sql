-- Every report reaches someone who can act: handling bodies are data (BKN, inspectorates and
-- referral-only bodies join Bawaslu and Ombudsman), each body of a case is either reached
-- through this bot or not, and a case no body receives here is filed as 'dirujuk'.

-- Agencies are checked against the rules file by the program, not by a fixed list here.
CREATE TABLE case_bodies_new (
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    agency    TEXT NOT NULL,
    office    TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    -- 1: staff of this agency covered the place when the case was filed (it reached them here);
    -- 0: the reporter was told to file with the body directly.
    reached   INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (case_id, agency)
) WITHOUT ROWID;
INSERT INTO case_bodies_new (case_id, agency, office, added_at, reached)
    SELECT case_id, agency, office, added_at, 1 FROM case_bodies;
DROP TABLE case_bodies;
ALTER TABLE case_bodies_new RENAME TO case_bodies;
CREATE INDEX case_bodies_by_agency ON case_bodies (agency, case_id);

CREATE TABLE staff_new (
    user_id     INTEGER PRIMARY KEY,
    agency      TEXT NOT NULL,
    scope_code  TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT 'id',
    added_by    INTEGER,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    blocked_at  TEXT
);
INSERT INTO staff_new (user_id, agency, scope_code, language, added_by, created_at, updated_at,
                       blocked_at)
    SELECT user_id, agency, scope_code, language, added_by, created_at, updated_at, blocked_at
    FROM staff;
DROP TABLE staff;
ALTER TABLE staff_new RENAME TO staff;
CREATE INDEX staff_by_agency ON staff (agency, scope_code);
