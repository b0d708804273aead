//! Ex-ante assessments (SPEC §5) with their per-dimension scores.

use crate::{Result, Tx, now, on_tx};
use jixiao_domain::Fen;

#[derive(Debug, Clone)]
pub struct ScoreRow {
    pub dimension: String,
    pub sub_item: String,
    pub weight_x100: i64,
    pub score_x100: i64,
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
    pub total_x100: i64,
    pub conclusion: &'a str,
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
    let sql = "INSERT INTO ex_ante_scores (assessment_id, seq, dimension, sub_item, weight_x100, \
               score_x100, opinion) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (seq, s) in a.scores.iter().enumerate() {
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
    Ok(id)
}
