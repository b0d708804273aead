-- Verification of self-evaluations (真实性核查, issue 11 item 5, SPEC §8.6).
--
-- Finance draws the year's sample once, from a seed it records (the same seed over the same
-- approved self-evaluations gives the same draw; `jixiao_domain::verification::draw`), and may
-- add chosen ones (`chosen`). Each sampled self-evaluation is then re-scored with evidence by a
-- person (`verified_by`, `verified_at`); until then `verified_x100` is NULL.
CREATE TABLE verification_draws (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    fiscal_year  INTEGER NOT NULL,
    seed         BIGINT NOT NULL,
    population   INTEGER NOT NULL,
    sample_size  INTEGER NOT NULL,
    drawn_by     BIGINT REFERENCES users(id),
    drawn_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX verification_draws_year ON verification_draws(region_code, fiscal_year);

ALTER TABLE verifications ADD COLUMN added_by BIGINT REFERENCES users(id);
ALTER TABLE verifications ADD COLUMN added_at TEXT;
ALTER TABLE verifications ADD COLUMN verified_by BIGINT REFERENCES users(id);
ALTER TABLE verifications ADD COLUMN verified_at TEXT;
ALTER TABLE verifications ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX verifications_evaluation ON verifications(evaluation_id);
CREATE INDEX verifications_year ON verifications(region_code, fiscal_year);
