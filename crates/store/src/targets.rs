//! Performance targets (SPEC §6) with their indicators and, for units, their main tasks.

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use chrono::{DateTime, Utc};
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
    /// 指标值设定依据.
    pub basis: String,
    /// The indicator library entry it was picked from.
    pub library_id: Option<i64>,
    /// 核心指标 (★).
    pub is_core: bool,
    pub explanation: String,
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
    insert_indicators(tx, id, &t.indicators).await?;
    insert_tasks(tx, id, &t.tasks).await?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct TargetIndicator {
    pub seq: i32,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    pub weight_x100: Option<i64>,
    pub basis: String,
    pub library_id: Option<i64>,
    pub is_core: bool,
    pub explanation: String,
}

pub async fn indicators(store: &Store, target_id: i64) -> Result<Vec<TargetIndicator>> {
    let sql = "SELECT seq, level1, level2, name, sign, target_value, unit_of_measure, weight_x100, \
               basis, library_id, is_core, explanation FROM target_indicators WHERE target_id = $1 ORDER BY seq";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(target_id)
        .fetch_all(p)
        .await?))
}

async fn insert_indicators(tx: &mut Tx, id: i64, rows: &[IndicatorRow]) -> Result<()> {
    let sql = "INSERT INTO target_indicators (target_id, seq, level1, level2, name, sign, target_value, \
               unit_of_measure, weight_x100, basis, library_id, is_core, explanation) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
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
            .bind(&i.basis)
            .bind(i.library_id)
            .bind(i.is_core)
            .bind(&i.explanation)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

async fn insert_tasks(tx: &mut Tx, id: i64, tasks: &[NewTask]) -> Result<()> {
    let sql = "INSERT INTO target_tasks (target_id, seq, task, content, total_fen, fiscal_fen, other_fen) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (seq, k) in tasks.iter().enumerate() {
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
    Ok(())
}

/// One version of a target document (SPEC §4, §6.3).
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct TargetRecord {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub object_kind: String,
    pub project_id: Option<i64>,
    pub unit_id: i64,
    pub version_no: i32,
    pub supersedes_id: Option<i64>,
    pub is_current: bool,
    pub state: String,
    pub term: String,
    pub total_fen: i64,
    pub fiscal_fen: i64,
    pub other_fen: i64,
    pub overall_goal: String,
    pub medium_goal: String,
    pub review_rating: Option<String>,
    pub review_opinion: String,
    pub adjustment_reason: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub row_version: i32,
}

const RECORD_COLUMNS: &str = "id, region_code, fiscal_year, object_kind, project_id, unit_id, \
    version_no, supersedes_id, is_current, state, term, total_fen, fiscal_fen, other_fen, overall_goal, \
    medium_goal, review_rating, review_opinion, adjustment_reason, submitted_at, approved_at, row_version";

pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<TargetRecord>> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM targets WHERE region_code = $1 AND id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Every version of the target chain `id` belongs to (same object: project, or unit and year),
/// oldest first.
pub async fn versions(store: &Store, t: &TargetRecord) -> Result<Vec<TargetRecord>> {
    let sql = match t.project_id {
        Some(_) => format!(
            "SELECT {RECORD_COLUMNS} FROM targets WHERE region_code = $1 AND project_id = $2 \
             AND fiscal_year = $3 AND object_kind = $4 ORDER BY version_no, id"
        ),
        None => format!(
            "SELECT {RECORD_COLUMNS} FROM targets WHERE region_code = $1 AND project_id IS NULL \
             AND unit_id = $2 AND fiscal_year = $3 AND object_kind = $4 ORDER BY version_no, id"
        ),
    };
    let key = t.project_id.unwrap_or(t.unit_id);
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(&t.region_code)
        .bind(key)
        .bind(t.fiscal_year)
        .bind(&t.object_kind)
        .fetch_all(p)
        .await?))
}

/// The current version of a project's target, if any.
pub async fn current_for_project(store: &Store, project_id: i64) -> Result<Option<TargetRecord>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM targets WHERE project_id = $1 AND is_current = TRUE \
         ORDER BY version_no DESC, id DESC LIMIT 1"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(project_id)
        .fetch_optional(p)
        .await?))
}

/// The current version of a unit's overall target for a year, if any.
pub async fn current_for_unit(
    store: &Store,
    region: &str,
    unit_id: i64,
    year: i32,
) -> Result<Option<TargetRecord>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM targets WHERE region_code = $1 AND unit_id = $2 \
         AND fiscal_year = $3 AND object_kind = 'unit' AND is_current = TRUE \
         ORDER BY version_no DESC, id DESC LIMIT 1"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(unit_id)
        .bind(year)
        .fetch_optional(p)
        .await?))
}

/// Whether any version of a project's target is approved (the budget gate, SPEC §5).
pub async fn any_approved(store: &Store, project_id: i64) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM targets WHERE project_id = $1 AND state = 'approved'";
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(project_id)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct TaskRecord {
    pub seq: i32,
    pub task: String,
    pub content: String,
    pub total_fen: i64,
    pub fiscal_fen: i64,
    pub other_fen: i64,
}

pub async fn tasks(store: &Store, target_id: i64) -> Result<Vec<TaskRecord>> {
    let sql = "SELECT seq, task, content, total_fen, fiscal_fen, other_fen FROM target_tasks \
               WHERE target_id = $1 ORDER BY seq";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(target_id)
        .fetch_all(p)
        .await?))
}

/// The content of a draft or returned target.
#[derive(Debug, Clone)]
pub struct TargetEdit<'a> {
    pub term: &'a str,
    pub total: Fen,
    pub fiscal: Fen,
    pub other: Fen,
    pub overall_goal: &'a str,
    pub medium_goal: &'a str,
    pub indicators: &'a [IndicatorRow],
    pub tasks: &'a [NewTask],
}

/// Replaces the content of a target if nobody saved in between (SPEC §4).
pub async fn update(tx: &mut Tx, id: i64, row_version: i32, e: &TargetEdit<'_>) -> Result<()> {
    let sql = "UPDATE targets SET term = $1, total_fen = $2, fiscal_fen = $3, other_fen = $4, \
               overall_goal = $5, medium_goal = $6, row_version = row_version + 1 \
               WHERE id = $7 AND row_version = $8";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(e.term)
        .bind(e.total.0)
        .bind(e.fiscal.0)
        .bind(e.other.0)
        .bind(e.overall_goal)
        .bind(e.medium_goal)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    for table in ["target_indicators", "target_tasks"] {
        let sql = format!("DELETE FROM {table} WHERE target_id = $1");
        on_tx!(tx, |c| sqlx::query(&sql)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    insert_indicators(tx, id, e.indicators).await?;
    insert_tasks(tx, id, e.tasks).await
}

/// A state change of a target with what the step sets (SPEC §4, §6.3).
#[derive(Debug, Clone, Default)]
pub struct StateChange<'a> {
    pub state: &'a str,
    pub submitted: bool,
    pub approved: bool,
    /// A review: rating code and opinion.
    pub review: Option<(&'a str, &'a str)>,
}

/// Moves a target to a new state. A submission (`submitted`) is refused with
/// [`StoreError::Refused`] while the stored indicators break the 分值 rule of SPEC §6.3
/// ([`jixiao_domain::target::check_weights`], the self-evaluation's rule under the region's
/// settings): the last gate every submission passes, whoever calls it.
pub async fn set_state(tx: &mut Tx, id: i64, row_version: i32, ch: &StateChange<'_>) -> Result<()> {
    if ch.submitted {
        let findings = weight_findings_tx(tx, id).await?;
        if !findings.is_empty() {
            return Err(StoreError::Refused(format!(
                "绩效目标未通过质量检查，不能提交：{}",
                jixiao_domain::target::errors_text(&findings)
            )));
        }
    }
    let at = now();
    let sql = "UPDATE targets SET state = $1, \
               submitted_at = CASE WHEN $2 THEN $3 ELSE submitted_at END, \
               approved_at = CASE WHEN $4 THEN $3 ELSE approved_at END, \
               review_rating = CASE WHEN $5 THEN $6 ELSE review_rating END, \
               review_opinion = CASE WHEN $5 THEN $7 ELSE review_opinion END, \
               row_version = row_version + 1 WHERE id = $8 AND row_version = $9";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(ch.state)
        .bind(ch.submitted)
        .bind(at)
        .bind(ch.approved)
        .bind(ch.review.is_some())
        .bind(ch.review.map(|r| r.0))
        .bind(ch.review.map(|r| r.1).unwrap_or_default())
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

/// The 分值 findings (SPEC §6.3) of a stored target, read in the transaction.
async fn weight_findings_tx(tx: &mut Tx, id: i64) -> Result<Vec<jixiao_domain::scoring::Finding>> {
    let rows_sql = "SELECT name, weight_x100, parent_seq FROM target_indicators WHERE target_id = $1 \
                    ORDER BY seq";
    let rows: Vec<(String, Option<i64>, Option<i32>)> = on_tx!(tx, |c| sqlx::query_as(rows_sql)
        .bind(id)
        .fetch_all(&mut *c)
        .await?);
    let settings_sql = "SELECT s.body FROM settings s JOIN targets t ON t.region_code = s.region_code \
                        WHERE t.id = $1";
    let body: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(settings_sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    let settings = match body {
        None => jixiao_domain::settings::Settings::default(),
        Some(b) => serde_json::from_str(&b)
            .map_err(|e| StoreError::Invalid(format!("参数设置无法读取：{e}")))?,
    };
    Ok(jixiao_domain::target::check_weights(
        &settings.scoring,
        // A `其中` row (by its name, as the form marks it, or its parent) carries no 分值.
        rows.iter().map(|(name, w, parent)| {
            (
                parent.is_some() || name.trim().starts_with("其中"),
                w.map(jixiao_domain::decimal::from_hundredths),
            )
        }),
    ))
}

/// Starts an adjustment of an approved target (SPEC §4): a new draft version copying the content,
/// with the reason; the approved version stays readable (and stays the one in force until the new
/// one is approved) but is no longer current. Returns the new version's id.
pub async fn new_version(tx: &mut Tx, old: &TargetRecord, reason: &str) -> Result<i64> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE targets SET is_current = FALSE, row_version = row_version + 1 \
         WHERE id = $1 AND row_version = $2 AND is_current = TRUE"
    )
    .bind(old.id)
    .bind(old.row_version)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    let sql = "INSERT INTO targets (region_code, fiscal_year, object_kind, project_id, unit_id, \
               version_no, supersedes_id, is_current, state, term, total_fen, fiscal_fen, other_fen, \
               overall_goal, medium_goal, adjustment_reason, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, 'draft', $8, $9, $10, $11, $12, $13, $14, $15) \
               RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(&old.region_code)
        .bind(old.fiscal_year)
        .bind(&old.object_kind)
        .bind(old.project_id)
        .bind(old.unit_id)
        .bind(old.version_no + 1)
        .bind(old.id)
        .bind(&old.term)
        .bind(old.total_fen)
        .bind(old.fiscal_fen)
        .bind(old.other_fen)
        .bind(&old.overall_goal)
        .bind(&old.medium_goal)
        .bind(reason)
        .bind(now())
        .fetch_one(&mut *c)
        .await?);
    for (table, cols) in [
        (
            "target_indicators",
            "seq, level1, level2, name, sign, target_value, unit_of_measure, weight_x100, basis, \
             library_id, is_core, parent_seq, explanation",
        ),
        (
            "target_tasks",
            "seq, task, content, total_fen, fiscal_fen, other_fen",
        ),
    ] {
        let sql = format!(
            "INSERT INTO {table} (target_id, {cols}) SELECT $1, {cols} FROM {table} WHERE target_id = $2"
        );
        on_tx!(tx, |c| sqlx::query(&sql)
            .bind(id)
            .bind(old.id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(id)
}

/// Sets when a target was submitted and approved, for history loaded from elsewhere (the demo,
/// a migration from another system) whose dates are not the time of loading.
pub async fn set_times(
    tx: &mut Tx,
    id: i64,
    submitted_at: Option<DateTime<Utc>>,
    approved_at: Option<DateTime<Utc>>,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE targets SET submitted_at = $1, approved_at = $2 WHERE id = $3"
    )
    .bind(submitted_at)
    .bind(approved_at)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}
