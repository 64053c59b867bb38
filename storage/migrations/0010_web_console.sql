-- The web console's logins. Only SHA-256 hashes of the secrets are stored: a copy of the
-- database does not let anyone in.
CREATE TABLE web_login_links (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE TABLE web_sessions (
    session_hash  TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL,
    csrf_token    TEXT NOT NULL,
    language      TEXT NOT NULL DEFAULT 'id',
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
