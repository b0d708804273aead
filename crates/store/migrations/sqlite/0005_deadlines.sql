-- Declaration deadlines (申报期限): the day by which units hand in each kind of document of a
-- fiscal year, set by the finance bureau; timeliness counts in the annual assessment (SPEC §11).
-- kind: target_declaration, ex_ante, monitoring or self_evaluation (domain::deadline::DeadlineKind).
CREATE TABLE deadlines (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    fiscal_year INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    set_by      BIGINT REFERENCES users(id),
    updated_at  TEXT NOT NULL,
    UNIQUE (region_code, fiscal_year, kind)
);
