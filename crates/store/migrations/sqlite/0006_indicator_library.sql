-- Indicator library proposals and review (SPEC §3 "Indicator library"): a unit user proposes a
-- level-3 entry (status 'proposed'), finance approves ('approved') or rejects ('rejected') it
-- with an opinion. Built-in and approved entries keep these columns empty.
-- Timestamps stay nullable: SQLite cannot add a NOT NULL column without a constant default.
ALTER TABLE indicator_library ADD COLUMN proposed_by BIGINT REFERENCES users(id);
ALTER TABLE indicator_library ADD COLUMN proposal_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE indicator_library ADD COLUMN reviewed_by BIGINT REFERENCES users(id);
ALTER TABLE indicator_library ADD COLUMN review_opinion TEXT NOT NULL DEFAULT '';
ALTER TABLE indicator_library ADD COLUMN created_at TEXT;
ALTER TABLE indicator_library ADD COLUMN reviewed_at TEXT;
CREATE INDEX indicator_library_status ON indicator_library(region_code, status);
