-- The monitoring and rectification workflows (issue 10, SPEC §7 and §10).
--
-- Monitoring tasks record who issued them and which objects they cover (every object in force,
-- or a chosen set); the drafts a task creates are the reports themselves.
ALTER TABLE monitoring_tasks ADD COLUMN issued_by BIGINT REFERENCES users(id);
ALTER TABLE monitoring_tasks ADD COLUMN scope_text TEXT NOT NULL DEFAULT '';

-- A report as the unit fills it. `filled_at` is NULL until a person (web, API or an uploaded
-- form) has entered its figures: a draft created by a task holds the budget (a computation) but
-- no 执行数, and the 0 stored in executed_fen/expected_fen then means "not entered", never "spent
-- nothing". The target it was pre-filled from, the goal progress, the finance review (the rubric
-- items as JSON, the opinion, when) complete it.
ALTER TABLE monitoring_reports ADD COLUMN filled_at TEXT;
ALTER TABLE monitoring_reports ADD COLUMN target_id BIGINT REFERENCES targets(id);
ALTER TABLE monitoring_reports ADD COLUMN goal TEXT NOT NULL DEFAULT '';
ALTER TABLE monitoring_reports ADD COLUMN goal_forecast TEXT NOT NULL DEFAULT '';
ALTER TABLE monitoring_reports ADD COLUMN review_items TEXT NOT NULL DEFAULT '';
ALTER TABLE monitoring_reports ADD COLUMN review_opinion TEXT NOT NULL DEFAULT '';
ALTER TABLE monitoring_reports ADD COLUMN reviewed_at TEXT;
CREATE UNIQUE INDEX monitoring_reports_object ON monitoring_reports(task_id, unit_id, COALESCE(project_id, 0));

-- 拟采取的措施 per indicator (the central form has one column for cause and measures; the web form
-- asks for both).
ALTER TABLE monitoring_indicators ADD COLUMN measures TEXT NOT NULL DEFAULT '';

-- A notice knows which warning kind raised it, and when it was issued and answered.
ALTER TABLE rectifications ADD COLUMN warning_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE rectifications ADD COLUMN issued_at TEXT;
ALTER TABLE rectifications ADD COLUMN responded_at TEXT;
ALTER TABLE rectifications ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX rectifications_source ON rectifications(source_kind, source_id);
CREATE INDEX rectifications_state ON rectifications(region_code, state, deadline);
CREATE INDEX monitoring_tasks_year ON monitoring_tasks(region_code, fiscal_year);
ALTER TABLE monitoring_indicators ADD COLUMN parent_seq INTEGER;
