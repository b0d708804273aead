-- Indexes on the foreign keys the hot read paths join or probe (issue 14): the NOT EXISTS on
-- targets.supersedes_id (report, dashboard headline, lists), the per-project joins on
-- targets.project_id (declarations, to-dos), evaluations per unit (dashboard coverage) and per
-- project, warnings per monitoring report (counted per list row), ex-ante assessments per
-- project (to-dos, library gate), engagements per agency (agency scope), rectifications and
-- monitoring reports per unit, result applications per evaluation.
CREATE INDEX targets_supersedes ON targets(supersedes_id);
CREATE INDEX targets_project ON targets(project_id);
CREATE INDEX targets_unit ON targets(unit_id);
CREATE INDEX evaluations_unit ON evaluations(unit_id);
CREATE INDEX evaluations_project ON evaluations(project_id);
CREATE INDEX evaluations_engagement ON evaluations(engagement_id);
CREATE INDEX warnings_report ON warnings(report_id);
CREATE INDEX ex_ante_assessments_project ON ex_ante_assessments(project_id);
CREATE INDEX ex_ante_assessments_engagement ON ex_ante_assessments(engagement_id);
CREATE INDEX agency_engagements_agency ON agency_engagements(agency_id);
CREATE INDEX monitoring_reports_unit ON monitoring_reports(unit_id);
CREATE INDEX monitoring_reports_project ON monitoring_reports(project_id);
CREATE INDEX rectifications_unit ON rectifications(unit_id);
CREATE INDEX result_applications_evaluation ON result_applications(evaluation_id);
