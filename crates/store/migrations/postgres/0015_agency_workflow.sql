-- Third-party agencies and finance key evaluations through them (issue 11 item 4, SPEC §9).
--
-- An engagement records who created it and when, the conflict-of-interest warning computed when
-- it was made (the same agency on the same unit's objects in the same year), the declaration as
-- the agency's evaluator made it (who, when, the statement), and the finance office's quality
-- rating: the item scores (JSON, in the order of `jixiao_domain::agency::quality_items`), who
-- rated and when. The existing quality_x100 / quality_grade / quality_findings hold the result.
ALTER TABLE agency_engagements ADD COLUMN created_by BIGINT REFERENCES users(id);
ALTER TABLE agency_engagements ADD COLUMN created_at TIMESTAMPTZ;
ALTER TABLE agency_engagements ADD COLUMN conflict_warning TEXT NOT NULL DEFAULT '';
ALTER TABLE agency_engagements ADD COLUMN coi_declared_by BIGINT REFERENCES users(id);
ALTER TABLE agency_engagements ADD COLUMN coi_declared_at TIMESTAMPTZ;
ALTER TABLE agency_engagements ADD COLUMN coi_statement TEXT NOT NULL DEFAULT '';
ALTER TABLE agency_engagements ADD COLUMN quality_items TEXT NOT NULL DEFAULT '';
ALTER TABLE agency_engagements ADD COLUMN quality_rated_by BIGINT REFERENCES users(id);
ALTER TABLE agency_engagements ADD COLUMN quality_rated_at TIMESTAMPTZ;
CREATE INDEX agency_engagements_agency_year ON agency_engagements(agency_id, fiscal_year);
