-- Jixiao schema, SQLite flavour. The PostgreSQL flavour (../postgres) has the same tables,
-- columns and version numbers; only types differ. Conventions (ARCHITECTURE.md):
--   * money is an exact integer number of 分 (columns ending in _fen);
--   * scores and rates are integer hundredths (columns ending in _x100: 96.50 → 9650);
--   * indicator values that people write (266, 95.5, 达到预期) are kept as text;
--   * every business table carries region_code and fiscal_year;
--   * documents under review carry state and row_version (optimistic concurrency, SPEC §4).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES regions(code)
);

-- Rule parameters per region (SPEC: thresholds configurable), a JSON document of domain Settings.
CREATE TABLE settings (
    region_code TEXT PRIMARY KEY REFERENCES regions(code),
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Master data: units span years, so they are keyed by region only.
CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    region_code   TEXT NOT NULL REFERENCES regions(code),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    parent_id     BIGINT REFERENCES units(id),
    level         INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    finance_desk  TEXT NOT NULL DEFAULT '',
    pinyin        TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (region_code, code)
);

CREATE TABLE agencies (
    id             INTEGER PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    name           TEXT NOT NULL,
    credit_code    TEXT NOT NULL,
    agency_type    TEXT NOT NULL,
    qualifications TEXT NOT NULL DEFAULT '',
    staff_count    INTEGER NOT NULL DEFAULT 0,
    contact        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'active',
    status_date    TEXT,
    status_reason  TEXT NOT NULL DEFAULT '',
    UNIQUE (region_code, credit_code)
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    region_code          TEXT NOT NULL REFERENCES regions(code),
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    unit_id              BIGINT REFERENCES units(id),
    agency_id            BIGINT REFERENCES agencies(id),
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    password_changed_at  TEXT NOT NULL,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Indicator library (SPEC §3, §6.1): level 3 entries under the level 1/2 dictionary.
CREATE TABLE indicator_library (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL REFERENCES regions(code),
    level1           TEXT NOT NULL,
    level2           TEXT NOT NULL,
    name             TEXT NOT NULL,
    definition       TEXT NOT NULL DEFAULT '',
    unit_of_measure  TEXT NOT NULL DEFAULT '',
    sign             TEXT NOT NULL,
    scoring_rule     TEXT NOT NULL DEFAULT '',
    basis            TEXT NOT NULL DEFAULT '',
    industry         TEXT NOT NULL DEFAULT '',
    pinyin_initials  TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'approved',
    proposed_by_unit BIGINT REFERENCES units(id),
    UNIQUE (region_code, level1, level2, name)
);

CREATE TABLE projects (
    id                  INTEGER PRIMARY KEY,
    region_code         TEXT NOT NULL REFERENCES regions(code),
    fiscal_year         INTEGER NOT NULL,
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    unit_id             BIGINT NOT NULL REFERENCES units(id),
    is_policy           BOOLEAN NOT NULL DEFAULT FALSE,
    budget_type         TEXT NOT NULL,
    category            TEXT NOT NULL,
    continuity          TEXT NOT NULL,
    timing              TEXT NOT NULL,
    start_year          INTEGER NOT NULL,
    end_year            INTEGER NOT NULL,
    current_fen         BIGINT NOT NULL DEFAULT 0,
    carryover_fen       BIGINT NOT NULL DEFAULT 0,
    other_fen           BIGINT NOT NULL DEFAULT 0,
    is_major            BOOLEAN NOT NULL DEFAULT FALSE,
    library_status      TEXT NOT NULL DEFAULT 'reserve',
    previous_project_id BIGINT REFERENCES projects(id),
    pinyin              TEXT NOT NULL DEFAULT '',
    row_version         INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    UNIQUE (region_code, fiscal_year, code)
);
CREATE INDEX projects_unit ON projects(unit_id);

CREATE TABLE agency_engagements (
    id                 INTEGER PRIMARY KEY,
    region_code        TEXT NOT NULL REFERENCES regions(code),
    fiscal_year        INTEGER NOT NULL,
    agency_id          BIGINT NOT NULL REFERENCES agencies(id),
    principal_unit_id  BIGINT REFERENCES units(id),
    kind               TEXT NOT NULL,
    title              TEXT NOT NULL,
    procurement_method TEXT NOT NULL DEFAULT '',
    contract_no        TEXT NOT NULL DEFAULT '',
    start_date         TEXT,
    end_date           TEXT,
    fee_fen            BIGINT NOT NULL DEFAULT 0,
    team               TEXT NOT NULL DEFAULT '',
    coi_declared       BOOLEAN NOT NULL DEFAULT FALSE,
    plan_date          TEXT,
    draft_report_date  TEXT,
    final_report_date  TEXT,
    quality_x100       BIGINT,
    quality_grade      TEXT,
    quality_findings   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    fiscal_year  INTEGER NOT NULL,
    owner_kind   TEXT NOT NULL,
    owner_id     BIGINT NOT NULL,
    indicator_id BIGINT,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    body         BLOB NOT NULL,
    uploaded_by  BIGINT REFERENCES users(id),
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_kind, owner_id);

-- Ex-ante assessments (SPEC §5).
CREATE TABLE ex_ante_assessments (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL REFERENCES regions(code),
    fiscal_year      INTEGER NOT NULL,
    object_kind      TEXT NOT NULL,
    project_id       BIGINT REFERENCES projects(id),
    object_name      TEXT NOT NULL,
    amount_fen       BIGINT NOT NULL,
    assessor_kind    TEXT NOT NULL,
    engagement_id    BIGINT REFERENCES agency_engagements(id),
    state            TEXT NOT NULL DEFAULT 'draft',
    total_x100       BIGINT,
    conclusion       TEXT,
    suggestions      TEXT NOT NULL DEFAULT '',
    report_attachment_id BIGINT REFERENCES attachments(id),
    row_version      INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL
);

CREATE TABLE ex_ante_scores (
    id            INTEGER PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES ex_ante_assessments(id),
    seq           INTEGER NOT NULL,
    dimension     TEXT NOT NULL,
    sub_item      TEXT NOT NULL,
    weight_x100   BIGINT NOT NULL,
    score_x100    BIGINT NOT NULL,
    opinion       TEXT NOT NULL DEFAULT ''
);

-- Performance targets (SPEC §6): of a project, a policy or a unit as a whole; versioned.
CREATE TABLE targets (
    id               INTEGER PRIMARY KEY,
    region_code      TEXT NOT NULL REFERENCES regions(code),
    fiscal_year      INTEGER NOT NULL,
    object_kind      TEXT NOT NULL,
    project_id       BIGINT REFERENCES projects(id),
    unit_id          BIGINT NOT NULL REFERENCES units(id),
    version_no       INTEGER NOT NULL DEFAULT 1,
    supersedes_id    BIGINT REFERENCES targets(id),
    is_current       BOOLEAN NOT NULL DEFAULT TRUE,
    state            TEXT NOT NULL DEFAULT 'draft',
    term             TEXT NOT NULL DEFAULT 'annual',
    total_fen        BIGINT NOT NULL,
    fiscal_fen       BIGINT NOT NULL,
    other_fen        BIGINT NOT NULL,
    overall_goal     TEXT NOT NULL DEFAULT '',
    medium_goal      TEXT NOT NULL DEFAULT '',
    review_rating    TEXT,
    review_opinion   TEXT NOT NULL DEFAULT '',
    adjustment_reason TEXT NOT NULL DEFAULT '',
    submitted_at     TEXT,
    approved_at      TEXT,
    row_version      INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL
);
CREATE INDEX targets_year ON targets(region_code, fiscal_year, object_kind);

-- 年度主要任务 of a unit-overall target.
CREATE TABLE target_tasks (
    id         INTEGER PRIMARY KEY,
    target_id  BIGINT NOT NULL REFERENCES targets(id),
    seq        INTEGER NOT NULL,
    task       TEXT NOT NULL,
    content    TEXT NOT NULL DEFAULT '',
    total_fen  BIGINT NOT NULL DEFAULT 0,
    fiscal_fen BIGINT NOT NULL DEFAULT 0,
    other_fen  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE target_indicators (
    id              INTEGER PRIMARY KEY,
    target_id       BIGINT NOT NULL REFERENCES targets(id),
    seq             INTEGER NOT NULL,
    level1          TEXT NOT NULL,
    level2          TEXT NOT NULL,
    name            TEXT NOT NULL,
    sign            TEXT NOT NULL,
    target_value    TEXT NOT NULL,
    unit_of_measure TEXT NOT NULL DEFAULT '',
    weight_x100     BIGINT,
    basis           TEXT NOT NULL DEFAULT '',
    library_id      BIGINT REFERENCES indicator_library(id),
    is_core         BOOLEAN NOT NULL DEFAULT FALSE,
    parent_seq      INTEGER,
    explanation     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX target_indicators_target ON target_indicators(target_id);

-- Monitoring (SPEC §7).
CREATE TABLE monitoring_tasks (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    fiscal_year INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    period_end  TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    scope       TEXT NOT NULL DEFAULT 'all',
    state       TEXT NOT NULL DEFAULT 'issued',
    created_at  TEXT NOT NULL
);

CREATE TABLE monitoring_reports (
    id                    INTEGER PRIMARY KEY,
    region_code           TEXT NOT NULL REFERENCES regions(code),
    fiscal_year           INTEGER NOT NULL,
    task_id               BIGINT NOT NULL REFERENCES monitoring_tasks(id),
    unit_id               BIGINT NOT NULL REFERENCES units(id),
    project_id            BIGINT REFERENCES projects(id),
    state                 TEXT NOT NULL DEFAULT 'draft',
    budget_fen            BIGINT NOT NULL,
    executed_fen          BIGINT NOT NULL,
    expected_fen          BIGINT NOT NULL,
    progress_text         TEXT NOT NULL DEFAULT '',
    reported_completion_x100 BIGINT,
    execution_rate_x100   BIGINT,
    completion_estimate_x100 BIGINT,
    deviation_x100        BIGINT,
    review_score_x100     BIGINT,
    submitted_at          TEXT,
    row_version           INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL
);
CREATE INDEX monitoring_reports_task ON monitoring_reports(task_id);

CREATE TABLE monitoring_indicators (
    id                INTEGER PRIMARY KEY,
    report_id         BIGINT NOT NULL REFERENCES monitoring_reports(id),
    seq               INTEGER NOT NULL,
    level1            TEXT NOT NULL,
    level2            TEXT NOT NULL,
    name              TEXT NOT NULL,
    sign              TEXT NOT NULL,
    target_value      TEXT NOT NULL,
    unit_of_measure   TEXT NOT NULL DEFAULT '',
    weight_x100       BIGINT,
    to_date_value     TEXT NOT NULL DEFAULT '',
    expected_value    TEXT NOT NULL DEFAULT '',
    likelihood        TEXT NOT NULL DEFAULT 'certain',
    deviation_causes  TEXT NOT NULL DEFAULT '',
    deviation_text    TEXT NOT NULL DEFAULT '',
    completion_x100   BIGINT
);
CREATE INDEX monitoring_indicators_report ON monitoring_indicators(report_id);

CREATE TABLE warnings (
    id                INTEGER PRIMARY KEY,
    region_code       TEXT NOT NULL REFERENCES regions(code),
    fiscal_year       INTEGER NOT NULL,
    report_id         BIGINT NOT NULL REFERENCES monitoring_reports(id),
    kind              TEXT NOT NULL,
    level             TEXT NOT NULL,
    message           TEXT NOT NULL,
    rectification_id  BIGINT
);

-- Evaluations (SPEC §8): fiscal_year is the year evaluated, conducted_year the year of the work.
CREATE TABLE evaluations (
    id                   INTEGER PRIMARY KEY,
    region_code          TEXT NOT NULL REFERENCES regions(code),
    fiscal_year          INTEGER NOT NULL,
    conducted_year       INTEGER NOT NULL,
    kind                 TEXT NOT NULL,
    object_kind          TEXT NOT NULL,
    project_id           BIGINT REFERENCES projects(id),
    unit_id              BIGINT NOT NULL REFERENCES units(id),
    engagement_id        BIGINT REFERENCES agency_engagements(id),
    title                TEXT NOT NULL,
    state                TEXT NOT NULL DEFAULT 'draft',
    initial_budget_fen   BIGINT NOT NULL DEFAULT 0,
    budget_fen           BIGINT NOT NULL DEFAULT 0,
    executed_fen         BIGINT NOT NULL DEFAULT 0,
    amount_fen           BIGINT NOT NULL DEFAULT 0,
    execution_rate_x100  BIGINT,
    execution_score_x100 BIGINT,
    total_x100           BIGINT,
    grade                TEXT,
    overall_goal         TEXT NOT NULL DEFAULT '',
    overall_actual       TEXT NOT NULL DEFAULT '',
    submitted_at         TEXT,
    approved_at          TEXT,
    row_version          INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL
);
CREATE INDEX evaluations_year ON evaluations(region_code, conducted_year, kind);

CREATE TABLE evaluation_indicators (
    id               INTEGER PRIMARY KEY,
    evaluation_id    BIGINT NOT NULL REFERENCES evaluations(id),
    seq              INTEGER NOT NULL,
    level1           TEXT NOT NULL,
    level2           TEXT NOT NULL,
    name             TEXT NOT NULL,
    sign             TEXT NOT NULL,
    target_value     TEXT NOT NULL,
    actual_value     TEXT NOT NULL DEFAULT '',
    unit_of_measure  TEXT NOT NULL DEFAULT '',
    weight_x100      BIGINT,
    score_x100       BIGINT,
    stated_score_x100 BIGINT,
    tier             INTEGER,
    parent_seq       INTEGER,
    deviation_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evaluation_indicators_eval ON evaluation_indicators(evaluation_id);

-- Verification of self-evaluations (SPEC §8.6).
CREATE TABLE verifications (
    id             INTEGER PRIMARY KEY,
    region_code    TEXT NOT NULL REFERENCES regions(code),
    fiscal_year    INTEGER NOT NULL,
    evaluation_id  BIGINT NOT NULL REFERENCES evaluations(id),
    sample_seed    BIGINT,
    chosen         BOOLEAN NOT NULL DEFAULT FALSE,
    self_x100      BIGINT NOT NULL,
    verified_x100  BIGINT,
    inaccurate     BOOLEAN NOT NULL DEFAULT FALSE,
    evidence       TEXT NOT NULL DEFAULT ''
);

-- Rectification notices (SPEC §10).
CREATE TABLE rectifications (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    fiscal_year  INTEGER NOT NULL,
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    project_id   BIGINT REFERENCES projects(id),
    source_kind  TEXT NOT NULL,
    source_id    BIGINT,
    problem      TEXT NOT NULL,
    requirement  TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'issued',
    response     TEXT NOT NULL DEFAULT '',
    disposal     TEXT NOT NULL DEFAULT '',
    closed_at    TEXT,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL
);

-- Result application (SPEC §10): fiscal_year is the evaluated year, next_year the budget year.
CREATE TABLE result_applications (
    id              INTEGER PRIMARY KEY,
    region_code     TEXT NOT NULL REFERENCES regions(code),
    fiscal_year     INTEGER NOT NULL,
    evaluation_id   BIGINT NOT NULL REFERENCES evaluations(id),
    project_id      BIGINT REFERENCES projects(id),
    next_year       INTEGER NOT NULL,
    recommendation  TEXT NOT NULL,
    override_reason TEXT NOT NULL DEFAULT ''
);

-- Annual assessment of units (SPEC §11).
CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    fiscal_year INTEGER NOT NULL,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    total_x100  BIGINT NOT NULL,
    rank        INTEGER NOT NULL,
    UNIQUE (region_code, fiscal_year, unit_id)
);

CREATE TABLE assessment_items (
    id            INTEGER PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments(id),
    item_key      TEXT NOT NULL,
    max_x100      BIGINT NOT NULL,
    auto_x100     BIGINT,
    final_x100    BIGINT NOT NULL,
    reason        TEXT NOT NULL DEFAULT ''
);

-- Disclosure and public feedback (SPEC §12).
CREATE TABLE disclosures (
    id           INTEGER PRIMARY KEY,
    region_code  TEXT NOT NULL REFERENCES regions(code),
    fiscal_year  INTEGER NOT NULL,
    object_kind  TEXT NOT NULL,
    object_id    BIGINT NOT NULL,
    published_at TEXT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    UNIQUE (object_kind, object_id)
);

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    fiscal_year INTEGER NOT NULL,
    project_id  BIGINT NOT NULL REFERENCES projects(id),
    rating      INTEGER NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'pending',
    ip_hash     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Every transition of a reviewed document (SPEC §4), shown on its timeline.
CREATE TABLE workflow_history (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    fiscal_year INTEGER NOT NULL,
    doc_kind    TEXT NOT NULL,
    doc_id      BIGINT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    action      TEXT NOT NULL,
    actor_id    BIGINT REFERENCES users(id),
    opinion     TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX workflow_history_doc ON workflow_history(doc_kind, doc_id);

-- Editable narrative paragraphs of the annual report (SPEC §13), per region and year.
CREATE TABLE narratives (
    region_code TEXT NOT NULL REFERENCES regions(code),
    fiscal_year INTEGER NOT NULL,
    key         TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (region_code, fiscal_year, key)
);

-- Append-only, hash-chained audit log (SPEC §17). hash = SHA-256(prev_hash || canonical row).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     BIGINT,
    username    TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    before_json TEXT NOT NULL DEFAULT '',
    after_json  TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
