//! Monitoring tasks, reports, their indicators and warnings (SPEC §7).

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use chrono::NaiveDate;
use jixiao_domain::Fen;

#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    /// `project` or `unit` (jixiao_domain::types::MonitoringKind).
    pub kind: &'a str,
    pub name: &'a str,
    pub period_end: NaiveDate,
    pub deadline: NaiveDate,
    pub state: &'a str,
    /// `all` or `chosen`.
    pub scope: &'a str,
    /// The chosen units and projects as the task page names them (empty for `all`).
    pub scope_text: &'a str,
    pub issued_by: Option<i64>,
}

pub async fn insert_task(tx: &mut Tx, t: &NewTask<'_>) -> Result<i64> {
    let sql = "INSERT INTO monitoring_tasks (region_code, fiscal_year, kind, name, period_end, deadline, \
               state, scope, scope_text, issued_by, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(t.region)
        .bind(t.fiscal_year)
        .bind(t.kind)
        .bind(t.name)
        .bind(t.period_end)
        .bind(t.deadline)
        .bind(t.state)
        .bind(t.scope)
        .bind(t.scope_text)
        .bind(t.issued_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

/// A stored monitoring task.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Task {
    pub id: i64,
    pub fiscal_year: i32,
    pub kind: String,
    pub name: String,
    pub period_end: NaiveDate,
    pub deadline: NaiveDate,
    pub state: String,
    pub scope: String,
    pub scope_text: String,
}

const TASK_COLUMNS: &str =
    "id, fiscal_year, kind, name, period_end, deadline, state, scope, scope_text";

/// One task of a region.
pub async fn task(store: &Store, region: &str, id: i64) -> Result<Option<Task>> {
    let sql =
        format!("SELECT {TASK_COLUMNS} FROM monitoring_tasks WHERE region_code = $1 AND id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The monitoring tasks of a region and year, in order of period end.
pub async fn tasks(store: &Store, region: &str, fiscal_year: i32) -> Result<Vec<Task>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM monitoring_tasks \
         WHERE region_code = $1 AND fiscal_year = $2 ORDER BY period_end, id"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}

/// (task, project) of every project report of a region and year that its unit can no longer
/// change (submitted, under review or approved): an upload for one of these is refused, while a
/// draft or returned report takes the upload.
pub async fn project_reports(
    store: &Store,
    region: &str,
    fiscal_year: i32,
) -> Result<Vec<(i64, i64)>> {
    let sql = "SELECT task_id, project_id FROM monitoring_reports WHERE region_code = $1 \
               AND fiscal_year = $2 AND project_id IS NOT NULL AND state NOT IN ('draft', 'returned')";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, Default)]
pub struct MonitoringIndicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    pub weight_x100: Option<i64>,
    pub to_date_value: String,
    pub expected_value: String,
    /// A code of `jixiao_domain::monitoring::Likelihood`.
    pub likelihood: String,
    pub deviation_causes: String,
    pub deviation_text: String,
    /// 拟采取的措施.
    pub measures: String,
    pub completion_x100: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub task_id: i64,
    pub unit_id: i64,
    pub project_id: Option<i64>,
    pub state: &'a str,
    pub budget: Fen,
    pub executed: Fen,
    pub expected: Fen,
    pub progress_text: String,
    pub reported_completion_x100: Option<i64>,
    pub execution_rate_x100: Option<i64>,
    pub completion_estimate_x100: Option<i64>,
    pub deviation_x100: Option<i64>,
    pub review_score_x100: Option<i64>,
    pub indicators: Vec<MonitoringIndicator>,
}

/// Inserts a report whose figures were entered (an import, the demo): `filled_at` is set.
pub async fn insert_report(tx: &mut Tx, r: &NewReport<'_>) -> Result<i64> {
    let at = now();
    let sql = "INSERT INTO monitoring_reports (region_code, fiscal_year, task_id, unit_id, project_id, \
               state, budget_fen, executed_fen, expected_fen, progress_text, reported_completion_x100, \
               execution_rate_x100, completion_estimate_x100, deviation_x100, review_score_x100, \
               submitted_at, created_at, filled_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(r.region)
        .bind(r.fiscal_year)
        .bind(r.task_id)
        .bind(r.unit_id)
        .bind(r.project_id)
        .bind(r.state)
        .bind(r.budget.0)
        .bind(r.executed.0)
        .bind(r.expected.0)
        .bind(&r.progress_text)
        .bind(r.reported_completion_x100)
        .bind(r.execution_rate_x100)
        .bind(r.completion_estimate_x100)
        .bind(r.deviation_x100)
        .bind(r.review_score_x100)
        .bind((r.state != "draft").then_some(at))
        .bind(at)
        .fetch_one(&mut *c)
        .await?);
    insert_indicators(tx, id, &r.indicators).await?;
    Ok(id)
}

/// Replaces a draft's figures and indicator rows by those of an uploaded form (the unit's
/// entries): the rows are the form's, `filled_at` is set. Only a draft or returned report.
pub async fn refill(tx: &mut Tx, id: i64, r: &NewReport<'_>) -> Result<()> {
    let sql = "UPDATE monitoring_reports SET executed_fen = $1, expected_fen = $2, progress_text = $3, \
               reported_completion_x100 = $4, execution_rate_x100 = $5, completion_estimate_x100 = $6, \
               deviation_x100 = $7, filled_at = $8, row_version = row_version + 1 \
               WHERE id = $9 AND state IN ('draft', 'returned')";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(r.executed.0)
        .bind(r.expected.0)
        .bind(&r.progress_text)
        .bind(r.reported_completion_x100)
        .bind(r.execution_rate_x100)
        .bind(r.completion_estimate_x100)
        .bind(r.deviation_x100)
        .bind(now())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM monitoring_indicators WHERE report_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    insert_indicators(tx, id, &r.indicators).await
}

async fn insert_indicators(tx: &mut Tx, id: i64, rows: &[MonitoringIndicator]) -> Result<()> {
    let sql = "INSERT INTO monitoring_indicators (report_id, seq, level1, level2, name, sign, target_value, \
               unit_of_measure, weight_x100, to_date_value, expected_value, likelihood, deviation_causes, \
               deviation_text, completion_x100, measures) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
    for (seq, i) in rows.iter().enumerate() {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id)
            .bind(seq as i32 + 1)
            .bind(&i.level1)
            .bind(&i.level2)
            .bind(&i.name)
            .bind(&i.sign)
            .bind(&i.target_value)
            .bind(&i.unit_of_measure)
            .bind(i.weight_x100)
            .bind(&i.to_date_value)
            .bind(&i.expected_value)
            .bind(&i.likelihood)
            .bind(&i.deviation_causes)
            .bind(&i.deviation_text)
            .bind(i.completion_x100)
            .bind(&i.measures)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewWarning<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub report_id: i64,
    pub kind: &'a str,
    pub level: &'a str,
    pub message: &'a str,
    pub rectification_id: Option<i64>,
}

pub async fn insert_warning(tx: &mut Tx, w: &NewWarning<'_>) -> Result<i64> {
    let sql = "INSERT INTO warnings (region_code, fiscal_year, report_id, kind, level, message, \
               rectification_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(w.region)
        .bind(w.fiscal_year)
        .bind(w.report_id)
        .bind(w.kind)
        .bind(w.level)
        .bind(w.message)
        .bind(w.rectification_id)
        .fetch_one(&mut *c)
        .await?))
}

/// Which objects a task covers: everything in force, or the chosen units (with their sub-units'
/// projects for a project task) and projects.
#[derive(Debug, Clone, Default)]
pub struct TaskScope {
    pub units: Vec<i64>,
    pub projects: Vec<i64>,
}

impl TaskScope {
    fn is_all(&self) -> bool {
        self.units.is_empty() && self.projects.is_empty()
    }

    /// A project task's condition on `p`: a chosen unit brings its direct sub-units' projects.
    fn project_condition(&self) -> String {
        if self.is_all() {
            return "1 = 1".into();
        }
        let list = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let mut parts = Vec::new();
        if !self.units.is_empty() {
            let units = list(&self.units);
            parts.push(format!(
                "p.unit_id IN (SELECT su.id FROM units su WHERE su.id IN ({units}) OR su.parent_id IN ({units}))"
            ));
        }
        if !self.projects.is_empty() {
            parts.push(format!("p.id IN ({})", list(&self.projects)));
        }
        format!("({})", parts.join(" OR "))
    }

    /// A unit task's condition on its units.
    fn unit_condition(&self, unit_column: &str) -> String {
        if self.units.is_empty() {
            return "1 = 1".into();
        }
        let list: Vec<String> = self.units.iter().map(i64::to_string).collect();
        format!("{unit_column} IN ({})", list.join(","))
    }
}

/// A target in force: approved and not replaced by an approved adjustment (SPEC §4).
const IN_FORCE: &str = "t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n \
     WHERE n.supersedes_id = t.id AND n.state = 'approved')";

/// Creates the task's report drafts in two set-based statements, one per object in scope, each
/// pre-filled from its target in force (the goal, the indicators with their 年度指标值) and from
/// the budget (a computation, SPEC §7): a project task covers every project of the year with a
/// project target in force, not terminated; a unit task every level-1 unit, with its unit-overall
/// target when one is in force (its amount is the budget) and otherwise the sum of its and its
/// direct sub-units' projects of the year. No 执行数 is entered (`filled_at` stays NULL). Returns
/// the number of drafts.
pub async fn create_drafts(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    task_id: i64,
    kind: &str,
    scope: &TaskScope,
) -> Result<i64> {
    let at = now();
    let sql = if kind == "unit" {
        format!(
            "INSERT INTO monitoring_reports (region_code, fiscal_year, task_id, unit_id, project_id, state, \
             budget_fen, executed_fen, expected_fen, target_id, goal, created_at) \
             SELECT $1, $2, $3, u.id, NULL, 'draft', \
             COALESCE(t.total_fen, (SELECT CAST(COALESCE(SUM(p.current_fen + p.carryover_fen + p.other_fen), 0) AS BIGINT) \
               FROM projects p JOIN units pu ON pu.id = p.unit_id WHERE p.fiscal_year = $2 \
               AND p.library_status <> 'terminated' AND (pu.id = u.id OR pu.parent_id = u.id))), \
             0, 0, t.id, COALESCE(t.overall_goal, ''), $4 \
             FROM units u LEFT JOIN targets t ON t.unit_id = u.id AND t.object_kind = 'unit' \
             AND t.fiscal_year = $2 AND {IN_FORCE} \
             WHERE u.region_code = $1 AND u.level = 1 AND u.active = TRUE AND {}",
            scope.unit_condition("u.id")
        )
    } else {
        format!(
            "INSERT INTO monitoring_reports (region_code, fiscal_year, task_id, unit_id, project_id, state, \
             budget_fen, executed_fen, expected_fen, target_id, goal, created_at) \
             SELECT $1, $2, $3, p.unit_id, p.id, 'draft', \
             CAST(p.current_fen + p.carryover_fen + p.other_fen AS BIGINT), 0, 0, t.id, t.overall_goal, $4 \
             FROM targets t JOIN projects p ON p.id = t.project_id \
             WHERE t.region_code = $1 AND t.fiscal_year = $2 AND t.object_kind = 'project' AND {IN_FORCE} \
             AND p.library_status <> 'terminated' AND {}",
            scope.project_condition()
        )
    };
    let n = on_tx!(tx, |c| sqlx::query(&sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(task_id)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    let sql = "INSERT INTO monitoring_indicators (report_id, seq, level1, level2, name, sign, target_value, \
               unit_of_measure, weight_x100, likelihood, parent_seq) \
               SELECT r.id, ti.seq, ti.level1, ti.level2, ti.name, ti.sign, ti.target_value, \
               ti.unit_of_measure, ti.weight_x100, '', ti.parent_seq \
               FROM monitoring_reports r JOIN target_indicators ti ON ti.target_id = r.target_id \
               WHERE r.task_id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(task_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(n as i64)
}

/// A monitoring report with what its pages and rules need.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub task_id: i64,
    pub unit_id: i64,
    pub project_id: Option<i64>,
    pub target_id: Option<i64>,
    pub state: String,
    pub budget_fen: i64,
    pub executed_fen: i64,
    pub expected_fen: i64,
    pub progress_text: String,
    pub goal: String,
    pub goal_forecast: String,
    pub reported_completion_x100: Option<i64>,
    pub execution_rate_x100: Option<i64>,
    pub completion_estimate_x100: Option<i64>,
    pub deviation_x100: Option<i64>,
    pub review_score_x100: Option<i64>,
    pub review_items: String,
    pub review_opinion: String,
    pub filled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub row_version: i32,
    pub task_name: String,
    pub task_kind: String,
    pub period_end: NaiveDate,
    pub deadline: NaiveDate,
    pub object_name: String,
    pub unit_name: String,
    pub project_code: Option<String>,
    pub current_fen: Option<i64>,
    pub carryover_fen: Option<i64>,
    pub other_fen: Option<i64>,
}

const REPORT_SELECT: &str = "SELECT r.id, r.region_code, r.fiscal_year, r.task_id, r.unit_id, r.project_id, \
     r.target_id, r.state, r.budget_fen, r.executed_fen, r.expected_fen, r.progress_text, r.goal, \
     r.goal_forecast, r.reported_completion_x100, r.execution_rate_x100, r.completion_estimate_x100, \
     r.deviation_x100, r.review_score_x100, r.review_items, r.review_opinion, r.filled_at, r.submitted_at, \
     r.reviewed_at, r.row_version, t.name AS task_name, t.kind AS task_kind, t.period_end, t.deadline, \
     COALESCE(p.name, u.name) AS object_name, u.name AS unit_name, p.code AS project_code, \
     p.current_fen, p.carryover_fen, p.other_fen \
     FROM monitoring_reports r JOIN monitoring_tasks t ON t.id = r.task_id JOIN units u ON u.id = r.unit_id \
     LEFT JOIN projects p ON p.id = r.project_id";

/// One report of a region, whoever may read it (the caller checks the scope).
pub async fn report(store: &Store, region: &str, id: i64) -> Result<Option<ReportRecord>> {
    let sql = format!("{REPORT_SELECT} WHERE r.region_code = $1 AND r.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The reports of a task for some units (a unit's workbook), in project code order.
pub async fn task_reports(
    store: &Store,
    region: &str,
    task_id: i64,
    units: Option<&[i64]>,
) -> Result<Vec<ReportRecord>> {
    let cond = match units {
        None => "1 = 1".to_string(),
        Some([]) => "1 = 0".to_string(),
        Some(ids) => format!(
            "r.unit_id IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let sql = format!(
        "{REPORT_SELECT} WHERE r.region_code = $1 AND r.task_id = $2 AND {cond} \
         ORDER BY u.code, p.code, r.id"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(task_id)
        .fetch_all(p)
        .await?))
}

/// An indicator row of a stored report.
#[derive(Debug, Clone, PartialEq, Default, sqlx::FromRow, serde::Serialize)]
pub struct IndicatorRecord {
    pub seq: i32,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    pub weight_x100: Option<i64>,
    pub to_date_value: String,
    pub expected_value: String,
    pub likelihood: String,
    pub deviation_causes: String,
    pub deviation_text: String,
    pub measures: String,
    pub completion_x100: Option<i64>,
    pub parent_seq: Option<i32>,
}

const INDICATOR_SELECT: &str = "SELECT seq, level1, level2, name, sign, target_value, unit_of_measure, \
     weight_x100, to_date_value, expected_value, likelihood, deviation_causes, deviation_text, measures, \
     completion_x100, parent_seq FROM monitoring_indicators";

pub async fn indicators(store: &Store, report_id: i64) -> Result<Vec<IndicatorRecord>> {
    let sql = format!("{INDICATOR_SELECT} WHERE report_id = $1 ORDER BY seq");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(report_id)
        .fetch_all(p)
        .await?))
}

pub async fn indicators_tx(tx: &mut Tx, report_id: i64) -> Result<Vec<IndicatorRecord>> {
    let sql = format!("{INDICATOR_SELECT} WHERE report_id = $1 ORDER BY seq");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(report_id)
        .fetch_all(&mut *c)
        .await?))
}

/// What the unit enters, with the figures computed from it.
#[derive(Debug, Clone, Default)]
pub struct ReportFill {
    pub executed: Fen,
    pub expected: Fen,
    pub progress_text: String,
    pub goal_forecast: String,
    pub reported_completion_x100: Option<i64>,
    pub execution_rate_x100: Option<i64>,
    pub completion_estimate_x100: Option<i64>,
    pub deviation_x100: Option<i64>,
    /// Per indicator, by `seq`: (to date, expected, likelihood, causes, text, measures,
    /// completion).
    pub indicators: Vec<IndicatorFill>,
}

#[derive(Debug, Clone, Default)]
pub struct IndicatorFill {
    pub seq: i32,
    pub to_date_value: String,
    pub expected_value: String,
    pub likelihood: String,
    pub deviation_causes: String,
    pub deviation_text: String,
    pub measures: String,
    pub completion_x100: Option<i64>,
}

/// Saves what the unit entered (optimistic lock on `row_version`).
pub async fn fill(tx: &mut Tx, id: i64, row_version: i32, f: &ReportFill) -> Result<()> {
    let sql = "UPDATE monitoring_reports SET executed_fen = $1, expected_fen = $2, progress_text = $3, \
               goal_forecast = $4, reported_completion_x100 = $5, execution_rate_x100 = $6, \
               completion_estimate_x100 = $7, deviation_x100 = $8, filled_at = $9, \
               row_version = row_version + 1 WHERE id = $10 AND row_version = $11";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(f.executed.0)
        .bind(f.expected.0)
        .bind(&f.progress_text)
        .bind(&f.goal_forecast)
        .bind(f.reported_completion_x100)
        .bind(f.execution_rate_x100)
        .bind(f.completion_estimate_x100)
        .bind(f.deviation_x100)
        .bind(now())
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    let sql = "UPDATE monitoring_indicators SET to_date_value = $1, expected_value = $2, likelihood = $3, \
               deviation_causes = $4, deviation_text = $5, measures = $6, completion_x100 = $7 \
               WHERE report_id = $8 AND seq = $9";
    for i in &f.indicators {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(&i.to_date_value)
            .bind(&i.expected_value)
            .bind(&i.likelihood)
            .bind(&i.deviation_causes)
            .bind(&i.deviation_text)
            .bind(&i.measures)
            .bind(i.completion_x100)
            .bind(id)
            .bind(i.seq)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

/// A move of a report through its workflow; `review` sets the finance review (rubric items as
/// JSON, opinion, score).
#[derive(Debug, Clone, Default)]
pub struct ReportState<'a> {
    pub state: &'a str,
    pub submitted: bool,
    pub review: Option<(&'a str, &'a str, Option<i64>)>,
}

pub async fn set_state(tx: &mut Tx, id: i64, row_version: i32, s: &ReportState<'_>) -> Result<()> {
    let sql = "UPDATE monitoring_reports SET state = $1, \
               submitted_at = CASE WHEN $2 THEN $3 ELSE submitted_at END, \
               reviewed_at = CASE WHEN $4 THEN $3 ELSE reviewed_at END, \
               review_items = CASE WHEN $4 THEN $5 ELSE review_items END, \
               review_opinion = CASE WHEN $4 THEN $6 ELSE review_opinion END, \
               review_score_x100 = CASE WHEN $4 THEN $7 ELSE review_score_x100 END, \
               row_version = row_version + 1 WHERE id = $8 AND row_version = $9";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(s.state)
        .bind(s.submitted)
        .bind(now())
        .bind(s.review.is_some())
        .bind(s.review.map(|r| r.0).unwrap_or_default())
        .bind(s.review.map(|r| r.1).unwrap_or_default())
        .bind(s.review.and_then(|r| r.2))
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    Ok(())
}

/// Stores figures recomputed by a re-analysis (no row_version bump: nobody edited the report).
pub async fn set_figures(
    tx: &mut Tx,
    id: i64,
    execution_rate_x100: Option<i64>,
    completion_estimate_x100: Option<i64>,
    deviation_x100: Option<i64>,
) -> Result<()> {
    let sql = "UPDATE monitoring_reports SET execution_rate_x100 = $1, completion_estimate_x100 = $2, \
               deviation_x100 = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(execution_rate_x100)
        .bind(completion_estimate_x100)
        .bind(deviation_x100)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// A stored warning.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct StoredWarning {
    pub id: i64,
    pub kind: String,
    pub level: String,
    pub message: String,
    pub rectification_id: Option<i64>,
}

pub async fn warnings_tx(tx: &mut Tx, report_id: i64) -> Result<Vec<StoredWarning>> {
    let sql = "SELECT id, kind, level, message, rectification_id FROM warnings WHERE report_id = $1 ORDER BY id";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(report_id)
        .fetch_all(&mut *c)
        .await?))
}

/// Replaces a report's warnings by `new` (kind, level, message): a warning of a kind that stays
/// keeps its row and its notice (its message updated); one that no longer holds is removed unless
/// a notice was already drafted from it; new kinds are added. Returns the warnings now stored.
pub async fn replace_warnings(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    report_id: i64,
    new: &[(String, String, String)],
) -> Result<Vec<StoredWarning>> {
    let old = warnings_tx(tx, report_id).await?;
    for w in &old {
        match new.iter().find(|(k, _, _)| *k == w.kind) {
            Some((_, level, message)) => {
                let sql = "UPDATE warnings SET level = $1, message = $2 WHERE id = $3";
                on_tx!(tx, |c| sqlx::query(sql)
                    .bind(level)
                    .bind(message)
                    .bind(w.id)
                    .execute(&mut *c)
                    .await
                    .map(|_| ())?);
            }
            None if w.rectification_id.is_none() => {
                on_tx!(tx, |c| sqlx::query("DELETE FROM warnings WHERE id = $1")
                    .bind(w.id)
                    .execute(&mut *c)
                    .await
                    .map(|_| ())?);
            }
            None => {}
        }
    }
    for (kind, level, message) in new {
        if !old.iter().any(|w| &w.kind == kind) {
            insert_warning(
                tx,
                &NewWarning {
                    region,
                    fiscal_year,
                    report_id,
                    kind,
                    level,
                    message,
                    rectification_id: None,
                },
            )
            .await?;
        }
    }
    warnings_tx(tx, report_id).await
}

pub async fn link_rectification(tx: &mut Tx, warning_id: i64, rectification_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE warnings SET rectification_id = $1 WHERE id = $2"
    )
    .bind(rectification_id)
    .bind(warning_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Per unit of a task: reports, submitted on time, submitted late, missing past the deadline,
/// and the red and yellow warnings. One grouped query.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct UnitProgress {
    pub unit_id: i64,
    pub unit_name: String,
    pub reports: i64,
    pub submitted: i64,
    pub on_time: i64,
    pub late: i64,
    pub approved: i64,
    pub red: i64,
    pub yellow: i64,
}

pub async fn progress(
    store: &Store,
    task: &Task,
    units: Option<&[i64]>,
) -> Result<Vec<UnitProgress>> {
    let cond = match units {
        None => "1 = 1".to_string(),
        Some([]) => "1 = 0".to_string(),
        Some(ids) => format!(
            "r.unit_id IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    // On time: submitted before the county's midnight ending the deadline day (SPEC §16).
    let cutoff = crate::deadlines::end_of_day(task.deadline);
    let sql = format!(
        "SELECT r.unit_id, u.name AS unit_name, COUNT(*) AS reports, \
         CAST(SUM(CASE WHEN r.submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS submitted, \
         CAST(SUM(CASE WHEN r.submitted_at IS NOT NULL AND r.submitted_at < $2 THEN 1 ELSE 0 END) AS BIGINT) AS on_time, \
         CAST(SUM(CASE WHEN r.submitted_at IS NOT NULL AND r.submitted_at >= $2 THEN 1 ELSE 0 END) AS BIGINT) AS late, \
         CAST(SUM(CASE WHEN r.state = 'approved' THEN 1 ELSE 0 END) AS BIGINT) AS approved, \
         CAST(COALESCE(SUM(w.red), 0) AS BIGINT) AS red, CAST(COALESCE(SUM(w.yellow), 0) AS BIGINT) AS yellow \
         FROM monitoring_reports r JOIN units u ON u.id = r.unit_id \
         LEFT JOIN (SELECT report_id, SUM(CASE WHEN level = 'red' THEN 1 ELSE 0 END) AS red, \
           SUM(CASE WHEN level = 'yellow' THEN 1 ELSE 0 END) AS yellow FROM warnings GROUP BY report_id) w \
           ON w.report_id = r.id \
         WHERE r.task_id = $1 AND {cond} GROUP BY r.unit_id, u.name, u.code ORDER BY u.code"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(task.id)
        .bind(cutoff)
        .fetch_all(p)
        .await?))
}

/// Sets when a report was submitted and reviewed and the review it got, for reports recorded
/// after the fact (the demo county's 2023 rounds).
pub async fn set_review_record(
    tx: &mut Tx,
    id: i64,
    submitted_at: chrono::DateTime<chrono::Utc>,
    reviewed_at: chrono::DateTime<chrono::Utc>,
    review_items: &str,
    review_opinion: &str,
) -> Result<()> {
    let sql = "UPDATE monitoring_reports SET submitted_at = $1, reviewed_at = $2, filled_at = $1, \
               review_items = $3, review_opinion = $4 WHERE id = $5";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(submitted_at)
        .bind(reviewed_at)
        .bind(review_items)
        .bind(review_opinion)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}
