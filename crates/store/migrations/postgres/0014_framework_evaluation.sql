-- Department evaluations on the §8.4 framework (issue 11 item 3).
--
-- A framework item is an evaluation_indicators row: a rate item has the sign '≥', the target
-- '100' and the unit '%', its rate in actual_value; a judged item has the sign '定性', its tier
-- and chosen score. `standard` is the item's 评分标准 as the evaluator reads it.
ALTER TABLE evaluation_indicators ADD COLUMN standard TEXT NOT NULL DEFAULT '';

-- The evaluation report's own text (10号 annex outline): 基本情况, 绩效评价工作开展情况,
-- 绩效分析, 存在问题及原因, 有关建议. The conclusion is computed (score and grade).
ALTER TABLE evaluations ADD COLUMN report_basics TEXT NOT NULL DEFAULT '';
ALTER TABLE evaluations ADD COLUMN report_process TEXT NOT NULL DEFAULT '';
ALTER TABLE evaluations ADD COLUMN report_analysis TEXT NOT NULL DEFAULT '';
ALTER TABLE evaluations ADD COLUMN report_problems TEXT NOT NULL DEFAULT '';
ALTER TABLE evaluations ADD COLUMN report_suggestions TEXT NOT NULL DEFAULT '';
CREATE INDEX evaluations_kind_project ON evaluations(project_id, kind);
