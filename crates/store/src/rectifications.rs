//! Rectification notices (整改, SPEC §10).

use crate::{Result, Tx, now, on_tx};
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct NewRectification<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub unit_id: i64,
    pub project_id: Option<i64>,
    /// `monitoring`, `evaluation`, `verification` or `review`.
    pub source_kind: &'a str,
    pub source_id: Option<i64>,
    pub problem: &'a str,
    pub requirement: &'a str,
    pub deadline: NaiveDate,
    pub state: &'a str,
    pub response: &'a str,
}

pub async fn insert(tx: &mut Tx, r: &NewRectification<'_>) -> Result<i64> {
    let at = now();
    let sql = "INSERT INTO rectifications (region_code, fiscal_year, unit_id, project_id, source_kind, \
               source_id, problem, requirement, deadline, state, response, closed_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(r.region)
        .bind(r.fiscal_year)
        .bind(r.unit_id)
        .bind(r.project_id)
        .bind(r.source_kind)
        .bind(r.source_id)
        .bind(r.problem)
        .bind(r.requirement)
        .bind(r.deadline)
        .bind(r.state)
        .bind(r.response)
        .bind((r.state == "closed").then_some(at))
        .bind(at)
        .fetch_one(&mut *c)
        .await?))
}
