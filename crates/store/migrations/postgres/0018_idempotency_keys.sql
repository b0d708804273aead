-- Issue 13: an API client may send `Idempotency-Key` with a POST, PUT, PATCH or DELETE, so that
-- a retry after a lost answer does not do the work twice. The key is the client's, per user; the
-- fingerprint is a SHA-256 of the method, path and body, so the same key cannot be reused for a
-- different request. A row without a status is a request still running; a finished one keeps
-- the answer (successful answers only) and is replayed for 24 hours, then purged.
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users(id),
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT NOT NULL DEFAULT '',
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
