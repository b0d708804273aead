-- The self-evaluation workflow (issue 11, SPEC §8.1–§8.3 and the result application of §10).
--
-- A self-evaluation round (自评任务) is opened by the finance performance office for one evaluated
-- year with a deadline; opening it creates one draft per project with a target in force (and,
-- when chosen, the projects funded only by carried-over money) and one per level-1 unit.
CREATE TABLE evaluation_rounds (
    id                   INTEGER PRIMARY KEY,
    region_code          TEXT NOT NULL REFERENCES regions(code),
    fiscal_year          INTEGER NOT NULL,
    name                 TEXT NOT NULL,
    deadline             TEXT NOT NULL,
    include_carried_over BOOLEAN NOT NULL DEFAULT FALSE,
    issued_by            BIGINT REFERENCES users(id),
    created_at           TEXT NOT NULL
);
CREATE INDEX evaluation_rounds_year ON evaluation_rounds(region_code, fiscal_year);

-- A self-evaluation knows its round and the target it was pre-filled from. `filled_at` is NULL
-- until a person (web, API or an uploaded form) has entered the actuals: the 0 in executed_fen
-- of a fresh draft means "not entered". The finance review keeps its opinion and time.
ALTER TABLE evaluations ADD COLUMN round_id BIGINT REFERENCES evaluation_rounds(id);
ALTER TABLE evaluations ADD COLUMN target_id BIGINT REFERENCES targets(id);
ALTER TABLE evaluations ADD COLUMN filled_at TEXT;
ALTER TABLE evaluations ADD COLUMN review_opinion TEXT NOT NULL DEFAULT '';
ALTER TABLE evaluations ADD COLUMN reviewed_at TEXT;
CREATE UNIQUE INDEX evaluations_round_object ON evaluations(round_id, unit_id, COALESCE(project_id, 0));
CREATE INDEX evaluations_state ON evaluations(region_code, fiscal_year, kind, state);

-- A qualitative indicator's score chosen by the unit inside its tier's band, and the reviewer's
-- reduction of an over-achieved indicator (SPEC §8.3) with its reason. `score_x100` stays the
-- engine's score; the total uses the reduced one where there is one.
ALTER TABLE evaluation_indicators ADD COLUMN chosen_x100 BIGINT;
ALTER TABLE evaluation_indicators ADD COLUMN reduced_x100 BIGINT;
ALTER TABLE evaluation_indicators ADD COLUMN reduction_reason TEXT NOT NULL DEFAULT '';

CREATE INDEX result_applications_project ON result_applications(project_id);
