//! Department evaluations (部门评价, SPEC §8.1, §8.4): the projects a department may choose, the
//! coverage of its choice, the drafts it creates on the framework template, the framework as
//! filled, and the report's text. The rules are `jixiao_domain::framework`'s and `coverage`'s.

use crate::evaluations::EvaluationIndicator;
use crate::{Result, Store, Tx, now, on_pool, on_tx};

/// A project a department may evaluate, with its funds and its department evaluation, if any.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Candidate {
    pub project_id: i64,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// 当年财政拨款 + 上年结转 + 其他资金.
    pub funds_fen: i64,
    pub evaluation_id: Option<i64>,
    pub evaluation_state: Option<String>,
}

/// Projects that spent money in the year: in the library and past it, not reserve or terminated.
const SPENDING: &str =
    "p.library_status IN ('in_library', 'budgeted', 'executing', 'completed', 'evaluated')";

/// The year's spending projects of the units given (`None`: all), paged, with their department
/// evaluation.
pub async fn candidates(
    store: &Store,
    region: &str,
    fiscal_year: i32,
    units: Option<&[i64]>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Candidate>> {
    let cond = crate::self_evaluation::unit_list("p.unit_id", units);
    let sql = format!(
        "SELECT p.id AS project_id, p.code, p.name, p.unit_id, u.name AS unit_name, \
         p.current_fen + p.carryover_fen + p.other_fen AS funds_fen, e.id AS evaluation_id, e.state AS evaluation_state \
         FROM projects p JOIN units u ON u.id = p.unit_id \
         LEFT JOIN evaluations e ON e.project_id = p.id AND e.kind = 'department' \
         WHERE p.region_code = $1 AND p.fiscal_year = $2 AND {SPENDING} AND {cond} \
         ORDER BY u.code, p.code, p.id LIMIT $3 OFFSET $4"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?))
}

/// A unit's coverage figures: its spending projects' funds, those chosen for a department
/// evaluation (any state) and those approved.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct UnitFunds {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub funds_fen: i64,
    pub chosen_fen: i64,
    pub approved_fen: i64,
}

/// Per unit with spending projects in the year (for the units given), set-based.
pub async fn unit_funds(
    store: &Store,
    region: &str,
    fiscal_year: i32,
    units: Option<&[i64]>,
) -> Result<Vec<UnitFunds>> {
    let cond = crate::self_evaluation::unit_list("p.unit_id", units);
    let sql = format!(
        "SELECT u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, \
         CAST(SUM(p.current_fen + p.carryover_fen + p.other_fen) AS BIGINT) AS funds_fen, \
         CAST(COALESCE(SUM(CASE WHEN e.id IS NOT NULL THEN e.amount_fen END), 0) AS BIGINT) AS chosen_fen, \
         CAST(COALESCE(SUM(CASE WHEN e.state = 'approved' THEN e.amount_fen END), 0) AS BIGINT) AS approved_fen \
         FROM projects p JOIN units u ON u.id = p.unit_id \
         LEFT JOIN evaluations e ON e.project_id = p.id AND e.kind = 'department' \
         WHERE p.region_code = $1 AND p.fiscal_year = $2 AND {SPENDING} AND {cond} \
         GROUP BY u.id, u.code, u.name ORDER BY u.code"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}

/// Creates one finance (key) evaluation draft per project given, in the engagement, each with
/// the framework rows; returns the new ids. A project may have one finance evaluation a year.
pub async fn create_finance(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    engagement_id: i64,
    project_ids: &[i64],
    framework: &[EvaluationIndicator],
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    let sql = "INSERT INTO evaluations (region_code, fiscal_year, conducted_year, kind, object_kind, project_id, unit_id, \
         engagement_id, title, state, initial_budget_fen, budget_fen, executed_fen, amount_fen, created_at) \
         SELECT p.region_code, p.fiscal_year, p.fiscal_year + 1, 'finance', 'project', p.id, p.unit_id, $4, \
         p.name, 'draft', p.current_fen + p.carryover_fen + p.other_fen, p.current_fen + p.carryover_fen + p.other_fen, \
         0, p.current_fen + p.carryover_fen + p.other_fen, $5 \
         FROM projects p WHERE p.region_code = $1 AND p.fiscal_year = $2 AND p.id = $3 \
         AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.project_id = p.id AND e.kind = 'finance') \
         RETURNING id";
    let at = now();
    for project in project_ids {
        let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(sql)
            .bind(region)
            .bind(fiscal_year)
            .bind(project)
            .bind(engagement_id)
            .bind(at)
            .fetch_optional(&mut *c)
            .await?);
        if let Some(id) = id {
            crate::evaluations::insert_indicators(tx, id, framework).await?;
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Creates one department-evaluation draft per project given (of the year, spending, without
/// one), each with the framework rows; returns the new ids.
pub async fn create(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    project_ids: &[i64],
    framework: &[EvaluationIndicator],
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    let sql = format!(
        "INSERT INTO evaluations (region_code, fiscal_year, conducted_year, kind, object_kind, project_id, unit_id, \
         title, state, initial_budget_fen, budget_fen, executed_fen, amount_fen, created_at) \
         SELECT p.region_code, p.fiscal_year, p.fiscal_year + 1, 'department', 'project', p.id, p.unit_id, \
         p.name, 'draft', p.current_fen + p.carryover_fen + p.other_fen, p.current_fen + p.carryover_fen + p.other_fen, \
         0, p.current_fen + p.carryover_fen + p.other_fen, $4 \
         FROM projects p WHERE p.region_code = $1 AND p.fiscal_year = $2 AND p.id = $3 AND {SPENDING} \
         AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.project_id = p.id AND e.kind = 'department') \
         RETURNING id"
    );
    let at = now();
    for project in project_ids {
        let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(&sql)
            .bind(region)
            .bind(fiscal_year)
            .bind(project)
            .bind(at)
            .fetch_optional(&mut *c)
            .await?);
        if let Some(id) = id {
            crate::evaluations::insert_indicators(tx, id, framework).await?;
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The report's own text.
#[derive(Debug, Clone, PartialEq, Default, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Sections {
    pub report_basics: String,
    pub report_process: String,
    pub report_analysis: String,
    pub report_problems: String,
    pub report_suggestions: String,
}

pub async fn sections(store: &Store, id: i64) -> Result<Sections> {
    let sql = "SELECT report_basics, report_process, report_analysis, report_problems, report_suggestions \
               FROM evaluations WHERE id = $1";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(p)
        .await?)
    .unwrap_or_default())
}

/// What a save writes: the framework as filled, the computed figures and the report's text.
pub struct Save<'a> {
    pub rows: &'a [EvaluationIndicator],
    pub executed_fen: i64,
    pub total_x100: Option<i64>,
    pub grade: Option<&'a str>,
    pub sections: &'a Sections,
}

/// Saves the filled framework (rows replaced) with optimistic locking; marks it filled.
pub async fn save(tx: &mut Tx, id: i64, row_version: i32, s: &Save<'_>) -> Result<()> {
    let sql = "UPDATE evaluations SET executed_fen = $1, total_x100 = $2, grade = $3, report_basics = $4, \
               report_process = $5, report_analysis = $6, report_problems = $7, report_suggestions = $8, \
               filled_at = $9, row_version = row_version + 1 WHERE id = $10 AND row_version = $11";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(s.executed_fen)
        .bind(s.total_x100)
        .bind(s.grade)
        .bind(&s.sections.report_basics)
        .bind(&s.sections.report_process)
        .bind(&s.sections.report_analysis)
        .bind(&s.sections.report_problems)
        .bind(&s.sections.report_suggestions)
        .bind(now())
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM evaluation_indicators WHERE evaluation_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    crate::evaluations::insert_indicators(tx, id, s.rows).await
}

/// Gives the approved department or finance evaluations of a year recorded after the fact (the
/// demo county's 2022 ones) when they were submitted and approved, and their workflow steps.
pub async fn record_history(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    kind: &str,
    submitted_at: chrono::DateTime<chrono::Utc>,
    approved_at: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    let sql = "UPDATE evaluations SET filled_at = $4, submitted_at = $4, reviewed_at = $5, approved_at = $5 \
               WHERE region_code = $1 AND fiscal_year = $2 AND kind = $3 AND state = 'approved' \
               AND submitted_at IS NULL";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(kind)
        .bind(submitted_at)
        .bind(approved_at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    for (from, to, action, at) in [
        ("draft", "submitted", "submit", submitted_at),
        ("submitted", "under_review", "start_review", approved_at),
        ("under_review", "approved", "approve", approved_at),
    ] {
        let sql = "INSERT INTO workflow_history (region_code, fiscal_year, doc_kind, doc_id, from_state, \
                   to_state, action, actor_id, opinion, at) \
                   SELECT $1, $2, 'evaluation', e.id, $3, $4, $5, NULL, '', $6 FROM evaluations e \
                   WHERE e.region_code = $1 AND e.fiscal_year = $2 AND e.kind = $7 AND e.state = 'approved' \
                   AND e.submitted_at = $8";
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(region)
            .bind(fiscal_year)
            .bind(from)
            .bind(to)
            .bind(action)
            .bind(at)
            .bind(kind)
            .bind(submitted_at)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(n as i64)
}

/// The funds of ticked projects (of the year, spending, without a department evaluation), per
/// unit: the part a choice would add to the coverage.
pub async fn ticked_funds(
    store: &Store,
    region: &str,
    fiscal_year: i32,
    project_ids: &[i64],
) -> Result<Vec<(i64, i64)>> {
    if project_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = project_ids
        .iter()
        .take(2000)
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT p.unit_id, CAST(SUM(p.current_fen + p.carryover_fen + p.other_fen) AS BIGINT) FROM projects p \
         WHERE p.region_code = $1 AND p.fiscal_year = $2 AND p.id IN ({ids}) AND {SPENDING} \
         AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.project_id = p.id AND e.kind = 'department') \
         GROUP BY p.unit_id"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}
