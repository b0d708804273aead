//! Performance targets (SPEC §6) with their indicators and, for units, their main tasks.

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use jixiao_domain::Fen;
use jixiao_domain::types::ObjectKind;

/// An indicator row as written on a target, an evaluation or a monitoring report.
#[derive(Debug, Clone, Default)]
pub struct IndicatorRow {
    pub level1: String,
    pub level2: String,
    pub name: String,
    /// `≥ ≤ = > <` or `定性`.
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    /// 分值 in hundredths.
    pub weight_x100: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub task: String,
    pub content: String,
    pub total: Fen,
    pub fiscal: Fen,
    pub other: Fen,
}

#[derive(Debug, Clone)]
pub struct NewTarget<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub object_kind: ObjectKind,
    pub project_id: Option<i64>,
    pub unit_id: i64,
    pub state: &'a str,
    pub total: Fen,
    pub fiscal: Fen,
    pub other: Fen,
    pub overall_goal: String,
    pub review_rating: Option<&'a str>,
    pub review_opinion: &'a str,
    pub indicators: Vec<IndicatorRow>,
    pub tasks: Vec<NewTask>,
}

pub async fn insert(tx: &mut Tx, t: &NewTarget<'_>) -> Result<i64> {
    let at = now();
    let approved = (t.state == "approved").then_some(at);
    let sql = "INSERT INTO targets (region_code, fiscal_year, object_kind, project_id, unit_id, state, \
               total_fen, fiscal_fen, other_fen, overall_goal, review_rating, review_opinion, \
               submitted_at, approved_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(t.region)
        .bind(t.fiscal_year)
        .bind(t.object_kind.code())
        .bind(t.project_id)
        .bind(t.unit_id)
        .bind(t.state)
        .bind(t.total.0)
        .bind(t.fiscal.0)
        .bind(t.other.0)
        .bind(&t.overall_goal)
        .bind(t.review_rating)
        .bind(t.review_opinion)
        .bind(approved)
        .bind(approved)
        .bind(at)
        .fetch_one(&mut *c)
        .await?);
    let sql = "INSERT INTO target_indicators (target_id, seq, level1, level2, name, sign, target_value, \
               unit_of_measure, weight_x100) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    for (seq, i) in t.indicators.iter().enumerate() {
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
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    let sql = "INSERT INTO target_tasks (target_id, seq, task, content, total_fen, fiscal_fen, other_fen) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (seq, k) in t.tasks.iter().enumerate() {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id)
            .bind(seq as i32 + 1)
            .bind(&k.task)
            .bind(&k.content)
            .bind(k.total.0)
            .bind(k.fiscal.0)
            .bind(k.other.0)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TargetIndicator {
    pub seq: i32,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    pub weight_x100: Option<i64>,
}

pub async fn indicators(store: &Store, target_id: i64) -> Result<Vec<TargetIndicator>> {
    let sql = "SELECT seq, level1, level2, name, sign, target_value, unit_of_measure, weight_x100 \
               FROM target_indicators WHERE target_id = $1 ORDER BY seq";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(target_id)
        .fetch_all(p)
        .await?))
}
