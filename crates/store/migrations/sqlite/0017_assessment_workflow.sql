-- The annual assessment of units (issue 12 item 1, SPEC §11).
--
-- Finance opens a year's round with its rubric (a copy of the region's rule parameters, editable
-- while the round is open). The automatic items are computed from the records each time the
-- round is read; what people enter is kept in `assessment_marks`: the score of a manual item, or
-- an adjustment of any item with its reason. Finalising writes the result into `assessments`
-- (one row per level-1 unit, with its rank, list and the counts it was scored on) and
-- `assessment_items`, and opens an interview rectification notice for every unit on the list.
CREATE TABLE assessment_rounds (
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

CREATE TABLE assessment_marks (
    id          INTEGER PRIMARY KEY,
    round_id    BIGINT NOT NULL REFERENCES assessment_rounds(id),
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    item_key    TEXT NOT NULL,
    manual_x100 BIGINT,
    adjust_x100 BIGINT,
    reason      TEXT NOT NULL DEFAULT '',
    updated_by  BIGINT REFERENCES users(id),
    updated_at  TEXT NOT NULL,
    UNIQUE (round_id, unit_id, item_key)
);

ALTER TABLE assessments ADD COLUMN listed TEXT NOT NULL DEFAULT '';
ALTER TABLE assessments ADD COLUMN records TEXT NOT NULL DEFAULT '{}';
ALTER TABLE assessments ADD COLUMN rectification_id BIGINT REFERENCES rectifications(id);
ALTER TABLE assessment_items ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_items ADD COLUMN automatic BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE assessment_items ADD COLUMN adjust_x100 BIGINT NOT NULL DEFAULT 0;
CREATE INDEX assessment_items_assessment ON assessment_items(assessment_id);

-- The counts read the year's records by unit; these keep them set-based.
CREATE INDEX rectifications_year ON rectifications(region_code, fiscal_year, unit_id);
CREATE INDEX workflow_history_kind_action ON workflow_history(doc_kind, action);
