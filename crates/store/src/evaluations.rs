//! Evaluations (SPEC §8): self, department and finance, with their indicator rows, and the
//! result applications derived from them (SPEC §10).

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use jixiao_domain::Fen;

#[derive(Debug, Clone, Default)]
pub struct EvaluationIndicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub actual_value: String,
    pub unit_of_measure: String,
    pub weight_x100: Option<i64>,
    pub score_x100: Option<i64>,
    pub tier: Option<i32>,
    pub deviation_reason: String,
    /// The score the form printed, when it was imported and differed from ours (SPEC §8.3).
    pub stated_score_x100: Option<i64>,
    /// 1-based seq of the row a `其中` sub-item belongs to.
    pub parent_seq: Option<i32>,
    /// A qualitative row's score chosen inside its tier's band.
    pub chosen_x100: Option<i64>,
    /// A framework item's 评分标准 (SPEC §8.4).
    pub standard: String,
}

#[derive(Debug, Clone)]
pub struct NewEvaluation<'a> {
    pub region: &'a str,
    /// The year evaluated.
    pub fiscal_year: i32,
    pub conducted_year: i32,
    /// `self`, `department` or `finance`.
    pub kind: &'a str,
    pub object_kind: &'a str,
    pub project_id: Option<i64>,
    pub unit_id: i64,
    pub engagement_id: Option<i64>,
    pub title: &'a str,
    pub state: &'a str,
    pub initial_budget: Fen,
    pub budget: Fen,
    pub executed: Fen,
    /// 涉及金额: the funds the evaluation covers.
    pub amount: Fen,
    pub execution_rate_x100: Option<i64>,
    pub execution_score_x100: Option<i64>,
    pub total_x100: Option<i64>,
    pub grade: Option<&'a str>,
    pub overall_goal: String,
    pub overall_actual: String,
    pub indicators: Vec<EvaluationIndicator>,
}

pub async fn insert(tx: &mut Tx, e: &NewEvaluation<'_>) -> Result<i64> {
    let at = now();
    let approved = (e.state == "approved").then_some(at);
    let sql = "INSERT INTO evaluations (region_code, fiscal_year, conducted_year, kind, object_kind, \
               project_id, unit_id, engagement_id, title, state, initial_budget_fen, budget_fen, \
               executed_fen, amount_fen, execution_rate_x100, execution_score_x100, total_x100, grade, \
               overall_goal, overall_actual, submitted_at, approved_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
               $19, $20, $21, $22, $23) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(e.region)
        .bind(e.fiscal_year)
        .bind(e.conducted_year)
        .bind(e.kind)
        .bind(e.object_kind)
        .bind(e.project_id)
        .bind(e.unit_id)
        .bind(e.engagement_id)
        .bind(e.title)
        .bind(e.state)
        .bind(e.initial_budget.0)
        .bind(e.budget.0)
        .bind(e.executed.0)
        .bind(e.amount.0)
        .bind(e.execution_rate_x100)
        .bind(e.execution_score_x100)
        .bind(e.total_x100)
        .bind(e.grade)
        .bind(&e.overall_goal)
        .bind(&e.overall_actual)
        .bind(approved)
        .bind(approved)
        .bind(at)
        .fetch_one(&mut *c)
        .await?);
    insert_indicators(tx, id, &e.indicators).await?;
    Ok(id)
}

/// Writes the indicator rows of an evaluation: the one writer of `evaluation_indicators`, used
/// by [`insert`] and by imports (issue 9), so no column is forgotten by one of them.
pub async fn insert_indicators(
    tx: &mut Tx,
    evaluation_id: i64,
    rows: &[EvaluationIndicator],
) -> Result<()> {
    let sql = "INSERT INTO evaluation_indicators (evaluation_id, seq, level1, level2, name, sign, \
               target_value, actual_value, unit_of_measure, weight_x100, score_x100, \
               stated_score_x100, tier, parent_seq, deviation_reason, chosen_x100, standard) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
    for (seq, i) in rows.iter().enumerate() {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(evaluation_id)
            .bind(seq as i32 + 1)
            .bind(&i.level1)
            .bind(&i.level2)
            .bind(&i.name)
            .bind(&i.sign)
            .bind(&i.target_value)
            .bind(&i.actual_value)
            .bind(&i.unit_of_measure)
            .bind(i.weight_x100)
            .bind(i.score_x100)
            .bind(i.stated_score_x100)
            .bind(i.tier)
            .bind(i.parent_seq)
            .bind(&i.deviation_reason)
            .bind(i.chosen_x100)
            .bind(&i.standard)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredIndicator {
    pub seq: i32,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub actual_value: String,
    pub unit_of_measure: String,
    pub weight_x100: Option<i64>,
    pub score_x100: Option<i64>,
    pub tier: Option<i32>,
    pub deviation_reason: String,
}

pub async fn indicators(store: &Store, evaluation_id: i64) -> Result<Vec<StoredIndicator>> {
    let sql = "SELECT seq, level1, level2, name, sign, target_value, actual_value, unit_of_measure, \
               weight_x100, score_x100, tier, deviation_reason FROM evaluation_indicators \
               WHERE evaluation_id = $1 ORDER BY seq";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(evaluation_id)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvaluationSummary {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub budget_fen: i64,
    pub executed_fen: i64,
    pub execution_score_x100: Option<i64>,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
}

/// Evaluations conducted in `conducted_year` of one kind.
pub async fn list(
    store: &Store,
    region: &str,
    conducted_year: i32,
    kind: &str,
) -> Result<Vec<EvaluationSummary>> {
    let sql = "SELECT id, kind, title, budget_fen, executed_fen, execution_score_x100, total_x100, grade \
               FROM evaluations WHERE region_code = $1 AND conducted_year = $2 AND kind = $3 ORDER BY id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(conducted_year)
        .bind(kind)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone)]
pub struct NewResultApplication<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub evaluation_id: i64,
    pub project_id: Option<i64>,
    pub next_year: i32,
    pub recommendation: &'a str,
}

pub async fn insert_result_application(tx: &mut Tx, r: &NewResultApplication<'_>) -> Result<i64> {
    let sql = "INSERT INTO result_applications (region_code, fiscal_year, evaluation_id, project_id, \
               next_year, recommendation) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(r.region)
        .bind(r.fiscal_year)
        .bind(r.evaluation_id)
        .bind(r.project_id)
        .bind(r.next_year)
        .bind(r.recommendation)
        .fetch_one(&mut *c)
        .await?))
}

/// Records a verification of a self-evaluation (SPEC §8.6).
#[expect(clippy::too_many_arguments, reason = "one row, spelled out")]
pub async fn insert_verification(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    evaluation_id: i64,
    sample_seed: i64,
    self_x100: i64,
    verified_x100: i64,
    inaccurate: bool,
    verified_at: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    let sql = "INSERT INTO verifications (region_code, fiscal_year, evaluation_id, sample_seed, self_x100, \
               verified_x100, inaccurate, added_at, verified_at, evidence) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, '抽查佐证材料（演示数据）') RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(evaluation_id)
        .bind(sample_seed)
        .bind(self_x100)
        .bind(verified_x100)
        .bind(inaccurate)
        .bind(verified_at)
        .fetch_one(&mut *c)
        .await?))
}

/// Publishes a target or evaluation (SPEC §12).
pub async fn insert_disclosure(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    object_kind: &str,
    object_id: i64,
) -> Result<i64> {
    let sql = "INSERT INTO disclosures (region_code, fiscal_year, object_kind, object_id, published_at) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(object_kind)
        .bind(object_id)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}
