//! Ex-ante assessments (SPEC §5) with their per-dimension scores.

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use jixiao_domain::Fen;

#[derive(Debug, Clone)]
pub struct ScoreRow {
    pub dimension: String,
    pub sub_item: String,
    pub weight_x100: i64,
    /// None: not scored yet (a draft saved part-filled).
    pub score_x100: Option<i64>,
    pub opinion: String,
}

#[derive(Debug, Clone)]
pub struct NewExAnte<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub object_kind: &'a str,
    pub project_id: Option<i64>,
    pub object_name: &'a str,
    pub amount: Fen,
    pub assessor_kind: &'a str,
    pub engagement_id: Option<i64>,
    pub state: &'a str,
    /// None on a draft not yet scored.
    pub total_x100: Option<i64>,
    pub conclusion: Option<&'a str>,
    pub suggestions: &'a str,
    pub scores: Vec<ScoreRow>,
}

pub async fn insert(tx: &mut Tx, a: &NewExAnte<'_>) -> Result<i64> {
    let sql = "INSERT INTO ex_ante_assessments (region_code, fiscal_year, object_kind, project_id, \
               object_name, amount_fen, assessor_kind, engagement_id, state, total_x100, conclusion, \
               suggestions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
               RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(a.region)
        .bind(a.fiscal_year)
        .bind(a.object_kind)
        .bind(a.project_id)
        .bind(a.object_name)
        .bind(a.amount.0)
        .bind(a.assessor_kind)
        .bind(a.engagement_id)
        .bind(a.state)
        .bind(a.total_x100)
        .bind(a.conclusion)
        .bind(a.suggestions)
        .bind(now())
        .fetch_one(&mut *c)
        .await?);
    insert_scores(tx, id, &a.scores).await?;
    Ok(id)
}

/// One assessment with what its page and the library gate need.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct ExAnteRecord {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub object_kind: String,
    pub project_id: Option<i64>,
    pub object_name: String,
    pub amount_fen: i64,
    pub assessor_kind: String,
    pub engagement_id: Option<i64>,
    /// The agency of the engagement, for a third-party assessment.
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    pub state: String,
    pub total_x100: Option<i64>,
    pub conclusion: Option<String>,
    pub suggestions: String,
    pub report_attachment_id: Option<i64>,
    pub row_version: i32,
}

const RECORD_SQL: &str = "SELECT x.id, x.region_code, x.fiscal_year, x.object_kind, x.project_id, \
    x.object_name, x.amount_fen, x.assessor_kind, x.engagement_id, g.agency_id, a.name AS agency_name, \
    x.state, x.total_x100, x.conclusion, x.suggestions, x.report_attachment_id, x.row_version \
    FROM ex_ante_assessments x LEFT JOIN agency_engagements g ON g.id = x.engagement_id \
    LEFT JOIN agencies a ON a.id = g.agency_id";

pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<ExAnteRecord>> {
    let sql = format!("{RECORD_SQL} WHERE x.region_code = $1 AND x.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The assessments of a project, newest first.
pub async fn for_project(store: &Store, project_id: i64) -> Result<Vec<ExAnteRecord>> {
    let sql = format!("{RECORD_SQL} WHERE x.project_id = $1 ORDER BY x.id DESC");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(project_id)
        .fetch_all(p)
        .await?))
}

/// The conclusion of the latest approved assessment of a project (the library gate, SPEC §5).
pub async fn approved_conclusion(store: &Store, project_id: i64) -> Result<Option<String>> {
    let sql = "SELECT conclusion FROM ex_ante_assessments WHERE project_id = $1 AND state = 'approved' \
               AND conclusion IS NOT NULL ORDER BY id DESC LIMIT 1";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(project_id)
        .fetch_optional(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct ScoreRecord {
    pub seq: i32,
    pub dimension: String,
    pub sub_item: String,
    pub weight_x100: i64,
    pub score_x100: Option<i64>,
    pub opinion: String,
}

pub async fn scores(store: &Store, id: i64) -> Result<Vec<ScoreRecord>> {
    let sql = "SELECT seq, dimension, sub_item, weight_x100, score_x100, opinion FROM ex_ante_scores \
               WHERE assessment_id = $1 ORDER BY seq";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

/// A scored sheet to save on a draft or returned assessment.
#[derive(Debug, Clone)]
pub struct SheetEdit<'a> {
    /// None while some sub-item is not scored.
    pub total_x100: Option<i64>,
    pub conclusion: Option<&'a str>,
    pub suggestions: &'a str,
    pub scores: &'a [ScoreRow],
}

/// Replaces the score sheet, total, conclusion and suggestions, if nobody saved in between.
pub async fn save_sheet(tx: &mut Tx, id: i64, row_version: i32, e: &SheetEdit<'_>) -> Result<()> {
    let sql = "UPDATE ex_ante_assessments SET total_x100 = $1, conclusion = $2, suggestions = $3, \
               row_version = row_version + 1 WHERE id = $4 AND row_version = $5";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(e.total_x100)
        .bind(e.conclusion)
        .bind(e.suggestions)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM ex_ante_scores WHERE assessment_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    insert_scores(tx, id, e.scores).await
}

async fn insert_scores(tx: &mut Tx, id: i64, scores: &[ScoreRow]) -> Result<()> {
    let sql = "INSERT INTO ex_ante_scores (assessment_id, seq, dimension, sub_item, weight_x100, \
               score_x100, opinion) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (seq, s) in scores.iter().enumerate() {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id)
            .bind(seq as i32 + 1)
            .bind(&s.dimension)
            .bind(&s.sub_item)
            .bind(s.weight_x100)
            .bind(s.score_x100)
            .bind(&s.opinion)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

/// Moves an assessment to `state` (the caller asked the domain first), if nobody changed it in
/// between.
pub async fn set_state(tx: &mut Tx, id: i64, row_version: i32, state: &str) -> Result<()> {
    let sql = "UPDATE ex_ante_assessments SET state = $1, row_version = row_version + 1 \
               WHERE id = $2 AND row_version = $3";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(state)
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

/// Links an uploaded report (an `attachments` row) to the assessment.
pub async fn set_report(tx: &mut Tx, id: i64, attachment_id: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE ex_ante_assessments SET report_attachment_id = $1, row_version = row_version + 1 WHERE id = $2"
    )
    .bind(attachment_id)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}
