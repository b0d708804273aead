-- Issue 14: the indexes the record lists, the dashboard and the region roll-up need, found by
-- the query-plan test (crates/store/tests/query_plans.rs): without them each list read its
-- whole table, every region's rows, for one region's page.
CREATE INDEX monitoring_reports_year ON monitoring_reports (region_code, fiscal_year);
CREATE INDEX result_applications_year ON result_applications (region_code, fiscal_year);
CREATE INDEX ex_ante_assessments_year ON ex_ante_assessments (region_code, fiscal_year);
CREATE INDEX warnings_year ON warnings (region_code, fiscal_year, level);
CREATE INDEX regions_parent ON regions (parent_code);
