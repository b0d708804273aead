-- Issue 13: the audit log becomes tamper-evident beyond its plain hash chain.
-- 1. Triggers refuse UPDATE and DELETE (DROP TABLE, as `Store::reset` does, drops them first).
-- 2. Each entry carries `mac` = HMAC-SHA256(key, hash) under a key kept outside the database;
--    entries written before this change (or without a key) have ''.
-- 3. `audit_head`, one row, records the entry count, the last id and hash and a MAC over them,
--    updated in the same transaction as each append, so cutting the tail of the log is noticed.
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '操作日志只能追加，不能修改或删除');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '操作日志只能追加，不能修改或删除');
END;

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    entries   BIGINT NOT NULL,
    last_id   BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    mac       TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_head (id, entries, last_id, last_hash, mac)
SELECT 1,
       (SELECT COUNT(*) FROM audit_log),
       COALESCE((SELECT MAX(id) FROM audit_log), 0),
       COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000'),
       '';
