-- Imports of .xlsx files (SPEC §14, issue 4 part 4). One row per committed import; a file is
-- imported once per kind, year and region (same SHA-256 → nothing is written again).
-- documents: rows created (targets, evaluations, units or projects); indicators: indicator rows.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    fiscal_year INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    user_id     BIGINT REFERENCES users(id),
    username    TEXT NOT NULL DEFAULT '',
    documents   BIGINT NOT NULL DEFAULT 0,
    indicators  BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    UNIQUE (region_code, fiscal_year, kind, sha256)
);
