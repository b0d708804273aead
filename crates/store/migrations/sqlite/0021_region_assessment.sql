-- Issue 14: an upper level (州/市 or 省) assesses the performance-management work of the regions
-- directly below it, with the machinery of the unit assessment (SPEC §11): a yearly round with
-- its rubric (a copy of the assessor's rule parameters), the assessor's marks (manual scores and
-- adjustments with reasons), and the finalised result with rank and lists. A subject's automatic
-- items are counted over every unit of its subtree.
CREATE TABLE region_assessment_rounds (
    id                 INTEGER PRIMARY KEY,
    region_code        TEXT NOT NULL REFERENCES regions(code),
    fiscal_year        INTEGER NOT NULL,
    rubric             TEXT NOT NULL,
    state              TEXT NOT NULL DEFAULT 'open',
    interview_deadline TEXT,
    opened_by          BIGINT REFERENCES users(id),
    finalized_by       BIGINT REFERENCES users(id),
    finalized_at       TEXT,
    row_version        INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    UNIQUE (region_code, fiscal_year)
);

CREATE TABLE region_assessment_marks (
    id           INTEGER PRIMARY KEY,
    round_id     BIGINT NOT NULL REFERENCES region_assessment_rounds(id),
    subject_code TEXT NOT NULL REFERENCES regions(code),
    item_key     TEXT NOT NULL,
    manual_x100  BIGINT,
    adjust_x100  BIGINT,
    reason       TEXT NOT NULL DEFAULT '',
    updated_by   BIGINT REFERENCES users(id),
    updated_at   TEXT NOT NULL,
    UNIQUE (round_id, subject_code, item_key)
);

-- One row per assessed region of a finalised round; `records` is the JSON of the counts it was
-- scored on and `items` the JSON of its item scores, both as they were at finalising.
CREATE TABLE region_assessments (
    id           INTEGER PRIMARY KEY,
    round_id     BIGINT NOT NULL REFERENCES region_assessment_rounds(id),
    subject_code TEXT NOT NULL REFERENCES regions(code),
    total_x100   BIGINT NOT NULL,
    rank         INTEGER NOT NULL,
    listed       TEXT NOT NULL DEFAULT '',
    records      TEXT NOT NULL,
    items        TEXT NOT NULL,
    UNIQUE (round_id, subject_code)
);
CREATE INDEX region_assessments_subject ON region_assessments (subject_code);
