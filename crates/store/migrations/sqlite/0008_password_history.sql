-- Issue 13: passwords may not repeat the last five (their Argon2id hashes are kept, never the
-- passwords), and usernames are unique ignoring case (JXG beside jxg was accepted). The
-- expression index also serves the case-insensitive lookup at login.
CREATE TABLE password_history (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    set_at        TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, set_at);
CREATE UNIQUE INDEX users_username_ci ON users (lower(username));
