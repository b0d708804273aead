//! Rectification notices (整改, SPEC §10).

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
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
    /// The warning kind that raised it (`deviation`, `review_score` …), empty otherwise.
    pub warning_kind: &'a str,
}

pub async fn insert(tx: &mut Tx, r: &NewRectification<'_>) -> Result<i64> {
    let at = now();
    let sql = "INSERT INTO rectifications (region_code, fiscal_year, unit_id, project_id, source_kind, \
               source_id, problem, requirement, deadline, state, response, closed_at, created_at, warning_kind, issued_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
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
        .bind(r.warning_kind)
        .bind((r.state != "draft").then_some(at))
        .fetch_one(&mut *c)
        .await?))
}

/// A notice with what its page needs.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Record {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub unit_id: i64,
    pub project_id: Option<i64>,
    pub source_kind: String,
    pub source_id: Option<i64>,
    pub warning_kind: String,
    pub problem: String,
    pub requirement: String,
    pub deadline: NaiveDate,
    pub state: String,
    pub response: String,
    pub disposal: String,
    pub issued_at: Option<chrono::DateTime<chrono::Utc>>,
    pub responded_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reopen_count: i32,
    pub row_version: i32,
    pub object_name: String,
    pub unit_name: String,
    pub project_code: Option<String>,
}

const SELECT: &str = "SELECT k.id, k.region_code, k.fiscal_year, k.unit_id, k.project_id, k.source_kind, \
     k.source_id, k.warning_kind, k.problem, k.requirement, k.deadline, k.state, k.response, k.disposal, \
     k.issued_at, k.responded_at, k.closed_at, k.reopen_count, k.row_version, \
     COALESCE(p.name, u.name) AS object_name, u.name AS unit_name, p.code AS project_code \
     FROM rectifications k JOIN units u ON u.id = k.unit_id LEFT JOIN projects p ON p.id = k.project_id";

/// One notice of a region (the caller checks the scope).
pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<Record>> {
    let sql = format!("{SELECT} WHERE k.region_code = $1 AND k.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The notices raised from one source (a monitoring report, an evaluation …).
pub async fn of_source(store: &Store, source_kind: &str, source_id: i64) -> Result<Vec<Record>> {
    let sql = format!("{SELECT} WHERE k.source_kind = $1 AND k.source_id = $2 ORDER BY k.id");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(source_kind)
        .bind(source_id)
        .fetch_all(p)
        .await?))
}

/// Finance edits a draft notice before issuing it.
#[derive(Debug, Clone, Default)]
pub struct DraftEdit<'a> {
    pub problem: &'a str,
    pub requirement: &'a str,
    pub deadline: NaiveDate,
    pub disposal: &'a str,
}

pub async fn edit_draft(tx: &mut Tx, id: i64, row_version: i32, e: &DraftEdit<'_>) -> Result<()> {
    let sql = "UPDATE rectifications SET problem = $1, requirement = $2, deadline = $3, disposal = $4, \
               row_version = row_version + 1 WHERE id = $5 AND row_version = $6 AND state = 'draft'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(e.problem)
        .bind(e.requirement)
        .bind(e.deadline)
        .bind(e.disposal)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// A move of a notice (SPEC §10): the new state, and the response text when the unit answers.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    row_version: i32,
    state: &str,
    response: Option<&str>,
) -> Result<()> {
    let sql = "UPDATE rectifications SET state = $1, \
               response = CASE WHEN $2 THEN $3 ELSE response END, \
               issued_at = CASE WHEN $1 = 'issued' AND issued_at IS NULL THEN $4 ELSE issued_at END, \
               responded_at = CASE WHEN $1 = 'responded' THEN $4 ELSE responded_at END, \
               closed_at = CASE WHEN $1 = 'closed' THEN $4 ELSE closed_at END, \
               reopen_count = CASE WHEN $1 = 'reopened' THEN reopen_count + 1 ELSE reopen_count END, \
               row_version = row_version + 1 WHERE id = $5 AND row_version = $6";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(state)
        .bind(response.is_some())
        .bind(response.unwrap_or_default())
        .bind(now())
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// The evidence files attached to a notice's responses.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Evidence {
    pub id: i64,
    pub file_name: String,
    pub size_bytes: i64,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

pub async fn evidence(store: &Store, id: i64) -> Result<Vec<Evidence>> {
    let sql = "SELECT id, file_name, size_bytes, uploaded_at FROM attachments \
               WHERE owner_kind = 'rectification' AND owner_id = $1 ORDER BY id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

/// Sets when a notice was issued, answered and closed, for notices recorded after the fact (the
/// demo county's 2023 notices).
pub async fn set_times(
    tx: &mut Tx,
    id: i64,
    issued_at: Option<chrono::DateTime<chrono::Utc>>,
    responded_at: Option<chrono::DateTime<chrono::Utc>>,
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<()> {
    let sql =
        "UPDATE rectifications SET issued_at = $1, responded_at = $2, closed_at = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(issued_at)
        .bind(responded_at)
        .bind(closed_at)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}
