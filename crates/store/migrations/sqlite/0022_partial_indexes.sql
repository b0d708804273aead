-- Indexes on columns that are mostly NULL (the version a target supersedes; the engagement of a
-- third-party evaluation or ex-ante assessment) hold only the rows that have a value (issue 14).
-- Measured on the generated province: after `ANALYZE`, SQLite's statistics for the full index of
-- targets.supersedes_id said one value matched all 100,058 rows (the NULLs), so the planner chose
-- to scan `targets` once per row of a list instead of probing the index: a county's target list
-- ran for minutes. Without NULL entries the statistics are true and the index is used. Every
-- query compares these columns with `=`, which implies IS NOT NULL, so both databases may use
-- the partial index.
DROP INDEX targets_supersedes;
CREATE INDEX targets_supersedes ON targets(supersedes_id) WHERE supersedes_id IS NOT NULL;
DROP INDEX evaluations_engagement;
CREATE INDEX evaluations_engagement ON evaluations(engagement_id) WHERE engagement_id IS NOT NULL;
DROP INDEX ex_ante_assessments_engagement;
CREATE INDEX ex_ante_assessments_engagement ON ex_ante_assessments(engagement_id)
    WHERE engagement_id IS NOT NULL;
