-- First schema: chats, drafts, cases with their handling bodies, evidence, case events,
-- staff, the delivery outbox and digest cursors (design §2-§4).

CREATE TABLE chats (
    chat_id     INTEGER PRIMARY KEY,
    language    TEXT NOT NULL CHECK (language IN ('id', 'en')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The in-progress report of a chat, saved after every step (JSON of the pure core's draft).
CREATE TABLE drafts (
    chat_id     INTEGER PRIMARY KEY,
    draft_id    TEXT NOT NULL UNIQUE,
    step        TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    reminded_at TEXT
);
CREATE INDEX drafts_by_age ON drafts (updated_at);

CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY,
    ticket              TEXT NOT NULL UNIQUE,
    draft_id            TEXT NOT NULL UNIQUE,  -- filing is idempotent per draft
    reporter_chat_id    INTEGER NOT NULL,
    language            TEXT NOT NULL,
    category            TEXT NOT NULL,
    description         TEXT NOT NULL,
    person_kind         TEXT NOT NULL,
    person_name         TEXT,
    person_position     TEXT,
    person_agency       TEXT,
    province_code       TEXT NOT NULL,
    regency_code        TEXT,
    place_detail        TEXT,
    latitude            REAL,
    longitude           REAL,
    event_date          TEXT NOT NULL,
    learned_date        TEXT,
    public_service      TEXT NOT NULL,
    service_name        TEXT,
    complained          TEXT,
    identity_mode       TEXT NOT NULL CHECK (identity_mode IN ('anonymous', 'confidential', 'open')),
    reporter_name_enc   BLOB,
    reporter_phone_enc  BLOB,
    decision            TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'diterima',
    status_changed_at   TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX cases_by_reporter ON cases (reporter_chat_id, id);
CREATE INDEX cases_by_province ON cases (province_code, id);
CREATE INDEX cases_by_regency ON cases (regency_code, id);
CREATE INDEX cases_by_status ON cases (status, status_changed_at);
CREATE INDEX cases_by_created ON cases (created_at);

-- Which bodies handle a case, and through which office.
CREATE TABLE case_bodies (
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    agency    TEXT NOT NULL CHECK (agency IN ('ombudsman', 'bawaslu', 'inspektorat')),
    office    TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (case_id, agency)
) WITHOUT ROWID;
CREATE INDEX case_bodies_by_agency ON case_bodies (agency, case_id);

-- Evidence belongs to a draft until the report is filed, then to its case.
CREATE TABLE evidence (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER REFERENCES cases (id) ON DELETE CASCADE,
    draft_id         TEXT,
    chat_id          INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'document', 'voice', 'audio', 'link')),
    telegram_file_id TEXT,
    file_unique_id   TEXT,
    file_name        TEXT,
    mime_type        TEXT,
    size_bytes       INTEGER,
    sha256_received  TEXT,
    sha256_stored    TEXT,
    stored_path      TEXT,
    url              TEXT,
    metadata_removed INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    UNIQUE (draft_id, file_unique_id)
);
CREATE INDEX evidence_by_case ON evidence (case_id);
CREATE INDEX evidence_by_draft ON evidence (draft_id);

-- Everything that happens to a case: filing, status changes, notes, forwarding, additions.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('reporter', 'staff', 'system')),
    actor_id    INTEGER,
    action      TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    note        TEXT,
    public      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

CREATE TABLE staff (
    user_id     INTEGER PRIMARY KEY,
    agency      TEXT NOT NULL CHECK (agency IN ('ombudsman', 'bawaslu', 'inspektorat')),
    scope_code  TEXT NOT NULL DEFAULT '',  -- '' national, '36' province, '36.73' regency
    language    TEXT NOT NULL DEFAULT 'id',
    added_by    INTEGER,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Messages to deliver outside the current conversation; written in the same transaction
-- as the change that caused them, then delivered by a job.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- The newest case each staff member has been sent in a delivered digest.
CREATE TABLE digest_cursors (
    user_id       INTEGER PRIMARY KEY,
    last_case_id  INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
);

-- Per-chat counters for rate limits (status lookups, new reports).
CREATE TABLE rate_events (
    chat_id  INTEGER NOT NULL,
    action   TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX rate_events_by_chat ON rate_events (chat_id, action, at);
