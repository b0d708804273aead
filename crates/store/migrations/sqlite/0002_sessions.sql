-- Login sessions (SPEC §17). The cookie or bearer token holds a random secret; only its SHA-256
-- is stored, so a copy of the database cannot be used to take over a session.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT REFERENCES users(id),
    kind         TEXT NOT NULL DEFAULT 'browser',
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
