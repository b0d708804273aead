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
}

pub async fn insert_task(tx: &mut Tx, t: &NewTask<'_>) -> Result<i64> {
    let sql = "INSERT INTO monitoring_tasks (region_code, fiscal_year, kind, name, period_end, deadline, \
               state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(t.region)
        .bind(t.fiscal_year)
        .bind(t.kind)
        .bind(t.name)
        .bind(t.period_end)
        .bind(t.deadline)
        .bind(t.state)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

/// A stored monitoring task.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub period_end: NaiveDate,
    pub deadline: NaiveDate,
    pub state: String,
}

/// The monitoring tasks of a region and year, in order of period end.
pub async fn tasks(store: &Store, region: &str, fiscal_year: i32) -> Result<Vec<Task>> {
    let sql = "SELECT id, kind, name, period_end, deadline, state FROM monitoring_tasks \
               WHERE region_code = $1 AND fiscal_year = $2 ORDER BY period_end, id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}

/// (task, project) of every project report of a region and year.
pub async fn project_reports(
    store: &Store,
    region: &str,
    fiscal_year: i32,
) -> Result<Vec<(i64, i64)>> {
    let sql = "SELECT task_id, project_id FROM monitoring_reports WHERE region_code = $1 \
               AND fiscal_year = $2 AND project_id IS NOT NULL";
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

pub async fn insert_report(tx: &mut Tx, r: &NewReport<'_>) -> Result<i64> {
    let at = now();
    let sql = "INSERT INTO monitoring_reports (region_code, fiscal_year, task_id, unit_id, project_id, \
               state, budget_fen, executed_fen, expected_fen, progress_text, reported_completion_x100, \
               execution_rate_x100, completion_estimate_x100, deviation_x100, review_score_x100, \
               submitted_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id";
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
    let sql = "INSERT INTO monitoring_indicators (report_id, seq, level1, level2, name, sign, target_value, \
               unit_of_measure, weight_x100, to_date_value, expected_value, likelihood, deviation_causes, \
               deviation_text, completion_x100) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
    for (seq, i) in r.indicators.iter().enumerate() {
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
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(id)
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
