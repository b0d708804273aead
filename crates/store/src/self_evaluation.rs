//! Self-evaluation rounds and the self-evaluation workflow (SPEC §8.1–§8.3, issue 11): a round
//! opened for an evaluated year creates the drafts set-based; the unit fills a draft; the review
//! records the opinion and any reductions; the figures are the domain's.

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use jixiao_domain::Fen;

/// A round of self-evaluations (自评任务) of one evaluated year.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Round {
    pub id: i64,
    pub fiscal_year: i32,
    pub name: String,
    pub deadline: NaiveDate,
    pub include_carried_over: bool,
    pub created_at: DateTime<Utc>,
    /// Self-evaluations in the round.
    pub evaluations: i64,
    pub submitted: i64,
    pub approved: i64,
}

const ROUND_SELECT: &str = "SELECT r.id, r.fiscal_year, r.name, r.deadline, r.include_carried_over, r.created_at, \
     (SELECT COUNT(*) FROM evaluations e WHERE e.round_id = r.id) AS evaluations, \
     (SELECT COUNT(*) FROM evaluations e WHERE e.round_id = r.id AND e.submitted_at IS NOT NULL) AS submitted, \
     (SELECT COUNT(*) FROM evaluations e WHERE e.round_id = r.id AND e.state = 'approved') AS approved \
     FROM evaluation_rounds r";

pub async fn round(store: &Store, region: &str, id: i64) -> Result<Option<Round>> {
    let sql = format!("{ROUND_SELECT} WHERE r.region_code = $1 AND r.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The rounds of a region, newest year first (a handful per year).
pub async fn rounds(store: &Store, region: &str) -> Result<Vec<Round>> {
    let sql =
        format!("{ROUND_SELECT} WHERE r.region_code = $1 ORDER BY r.fiscal_year DESC, r.id DESC");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// The round of an evaluated year, if one was opened.
pub async fn round_of_year(store: &Store, region: &str, year: i32) -> Result<Option<i64>> {
    let sql = "SELECT id FROM evaluation_rounds WHERE region_code = $1 AND fiscal_year = $2 ORDER BY id LIMIT 1";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .fetch_optional(p)
        .await?))
}

/// The (unit, project or 0) objects whose self-evaluation of the year is submitted or further
/// on: an import may fill a draft, never overwrite these.
pub async fn submitted_objects(
    store: &Store,
    region: &str,
    fiscal_year: i32,
) -> Result<Vec<(i64, i64)>> {
    let sql = "SELECT unit_id, COALESCE(project_id, 0) FROM evaluations WHERE region_code = $1 \
               AND fiscal_year = $2 AND kind = 'self' AND state NOT IN ('draft', 'returned')";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}

pub struct NewRound<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub name: &'a str,
    pub deadline: NaiveDate,
    pub include_carried_over: bool,
    pub issued_by: Option<i64>,
}

pub async fn insert_round(tx: &mut Tx, r: &NewRound<'_>) -> Result<i64> {
    let sql = "INSERT INTO evaluation_rounds (region_code, fiscal_year, name, deadline, include_carried_over, \
               issued_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(r.region)
        .bind(r.fiscal_year)
        .bind(r.name)
        .bind(r.deadline)
        .bind(r.include_carried_over)
        .bind(r.issued_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

/// A target in force: approved and not replaced by an approved adjustment (SPEC §4).
const IN_FORCE: &str = "t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n \
     WHERE n.supersedes_id = t.id AND n.state = 'approved')";

/// What opening a round created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Drafts {
    pub projects: i64,
    pub units: i64,
    /// Self-evaluations of the year recorded before the round (imports), now in it.
    pub adopted: i64,
    /// Active level-1 units without a unit-overall target in force: no form can be pre-filled
    /// for them, so none is created (the round page says so).
    pub units_without_target: i64,
}

/// Creates the round's drafts set-based, each pre-filled from its target in force (goal,
/// indicators with 年度指标值 and 分值) and the budget (a computation):
/// - one per project of the year with a project target in force, not terminated; a project
///   funded only by carried-over money (上年结转, no current or other funds) only when
///   `include_carried_over`;
/// - one per active level-1 unit (部门整体) with a unit-overall target in force, its budget the
///   target's amount; units without one are counted, not given an empty form.
///
/// An object that already has a self-evaluation of the year (an import) gets no second one: that
/// evaluation joins the round instead. Nothing the unit must state is filled (`filled_at` NULL).
pub async fn create_drafts(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    round_id: i64,
    include_carried_over: bool,
) -> Result<Drafts> {
    let at = now();
    let adopt = "UPDATE evaluations SET round_id = $3 WHERE region_code = $1 AND fiscal_year = $2 \
                 AND kind = 'self' AND round_id IS NULL";
    let adopted = on_tx!(tx, |c| sqlx::query(adopt)
        .bind(region)
        .bind(fiscal_year)
        .bind(round_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?) as i64;
    let carried = if include_carried_over {
        "1 = 1"
    } else {
        "(p.current_fen + p.other_fen > 0 OR p.carryover_fen = 0)"
    };
    let sql = format!(
        "INSERT INTO evaluations (region_code, fiscal_year, conducted_year, kind, object_kind, project_id, \
         unit_id, title, state, initial_budget_fen, budget_fen, executed_fen, amount_fen, overall_goal, \
         round_id, target_id, created_at) \
         SELECT $1, $2, $2 + 1, 'self', 'project', p.id, p.unit_id, p.name, 'draft', \
         CAST(p.current_fen + p.carryover_fen + p.other_fen AS BIGINT), \
         CAST(p.current_fen + p.carryover_fen + p.other_fen AS BIGINT), 0, \
         CAST(p.current_fen + p.carryover_fen + p.other_fen AS BIGINT), t.overall_goal, $3, t.id, $4 \
         FROM targets t JOIN projects p ON p.id = t.project_id \
         WHERE t.region_code = $1 AND t.fiscal_year = $2 AND t.object_kind = 'project' AND {IN_FORCE} \
         AND p.library_status <> 'terminated' AND {carried} \
         AND NOT EXISTS (SELECT 1 FROM evaluations x WHERE x.round_id = $3 AND x.project_id = p.id)"
    );
    let projects = on_tx!(tx, |c| sqlx::query(&sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(round_id)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?) as i64;
    let sql = format!(
        "INSERT INTO evaluations (region_code, fiscal_year, conducted_year, kind, object_kind, project_id, \
         unit_id, title, state, initial_budget_fen, budget_fen, executed_fen, amount_fen, overall_goal, \
         round_id, target_id, created_at) \
         SELECT $1, $2, $2 + 1, 'self', 'unit', NULL, u.id, u.name, 'draft', \
         t.total_fen, t.total_fen, 0, t.total_fen, t.overall_goal, $3, t.id, $4 \
         FROM units u \
         JOIN targets t ON t.unit_id = u.id AND t.object_kind = 'unit' AND t.fiscal_year = $2 AND {IN_FORCE} \
         WHERE u.region_code = $1 AND u.level = 1 AND u.active = TRUE \
         AND NOT EXISTS (SELECT 1 FROM evaluations x WHERE x.round_id = $3 AND x.project_id IS NULL \
           AND x.unit_id = u.id)"
    );
    let units = on_tx!(tx, |c| sqlx::query(&sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(round_id)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?) as i64;
    let sql = format!(
        "SELECT COUNT(*) FROM units u WHERE u.region_code = $1 AND u.level = 1 AND u.active = TRUE \
         AND NOT EXISTS (SELECT 1 FROM targets t WHERE t.unit_id = u.id AND t.object_kind = 'unit' \
         AND t.fiscal_year = $2 AND {IN_FORCE})"
    );
    let units_without_target: i64 = on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_one(&mut *c)
        .await?);
    let sql = "INSERT INTO evaluation_indicators (evaluation_id, seq, level1, level2, name, sign, target_value, \
               unit_of_measure, weight_x100, parent_seq) \
               SELECT e.id, ti.seq, ti.level1, ti.level2, ti.name, ti.sign, ti.target_value, \
               ti.unit_of_measure, ti.weight_x100, ti.parent_seq \
               FROM evaluations e JOIN target_indicators ti ON ti.target_id = e.target_id \
               WHERE e.round_id = $1 AND e.filled_at IS NULL \
               AND NOT EXISTS (SELECT 1 FROM evaluation_indicators x WHERE x.evaluation_id = e.id)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(round_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(Drafts {
        projects,
        units,
        adopted,
        units_without_target,
    })
}

/// A self-evaluation with what its page and rules need.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Record {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub kind: String,
    pub object_kind: String,
    pub project_id: Option<i64>,
    pub unit_id: i64,
    pub target_id: Option<i64>,
    pub round_id: Option<i64>,
    /// A finance (key) evaluation's engagement of a third-party agency.
    pub engagement_id: Option<i64>,
    pub title: String,
    pub state: String,
    pub initial_budget_fen: i64,
    pub budget_fen: i64,
    pub executed_fen: i64,
    pub execution_rate_x100: Option<i64>,
    pub execution_score_x100: Option<i64>,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
    pub overall_goal: String,
    pub overall_actual: String,
    pub review_opinion: String,
    pub filled_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub row_version: i32,
    pub unit_name: String,
    pub project_code: Option<String>,
    pub current_fen: Option<i64>,
    pub carryover_fen: Option<i64>,
    pub other_fen: Option<i64>,
    pub round_name: Option<String>,
    pub deadline: Option<NaiveDate>,
}

const RECORD_SELECT: &str = "SELECT e.id, e.region_code, e.fiscal_year, e.kind, e.object_kind, e.project_id, \
     e.unit_id, e.target_id, e.round_id, e.engagement_id, e.title, e.state, e.initial_budget_fen, e.budget_fen, e.executed_fen, \
     e.execution_rate_x100, e.execution_score_x100, e.total_x100, e.grade, e.overall_goal, e.overall_actual, \
     e.review_opinion, e.filled_at, e.submitted_at, e.reviewed_at, e.approved_at, e.row_version, \
     u.name AS unit_name, p.code AS project_code, p.current_fen, p.carryover_fen, p.other_fen, \
     r.name AS round_name, r.deadline \
     FROM evaluations e JOIN units u ON u.id = e.unit_id LEFT JOIN projects p ON p.id = e.project_id \
     LEFT JOIN evaluation_rounds r ON r.id = e.round_id";

/// One evaluation of a region, whoever may read it (the caller checks the scope).
pub async fn record(store: &Store, region: &str, id: i64) -> Result<Option<Record>> {
    let sql = format!("{RECORD_SELECT} WHERE e.region_code = $1 AND e.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// An indicator row of a self-evaluation.
#[derive(Debug, Clone, PartialEq, Default, sqlx::FromRow, serde::Serialize)]
pub struct Row {
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
    pub chosen_x100: Option<i64>,
    pub deviation_reason: String,
    pub parent_seq: Option<i32>,
    pub reduced_x100: Option<i64>,
    pub reduction_reason: String,
    /// The score an imported form printed (a qualitative row's chosen score, SPEC §8.3).
    pub stated_score_x100: Option<i64>,
    /// A framework item's 评分标准 (department and finance evaluations, SPEC §8.4).
    pub standard: String,
}

const ROW_SELECT: &str = "SELECT seq, level1, level2, name, sign, target_value, actual_value, unit_of_measure, \
     weight_x100, score_x100, tier, chosen_x100, deviation_reason, parent_seq, reduced_x100, reduction_reason, \
     stated_score_x100, standard FROM evaluation_indicators";

pub async fn rows(store: &Store, evaluation_id: i64) -> Result<Vec<Row>> {
    let sql = format!("{ROW_SELECT} WHERE evaluation_id = $1 ORDER BY seq");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(evaluation_id)
        .fetch_all(p)
        .await?))
}

/// What the unit enters, with the figures the domain computed from it.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    pub budget: Fen,
    pub executed: Fen,
    pub overall_actual: String,
    pub execution_rate_x100: Option<i64>,
    pub execution_score_x100: Option<i64>,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
    pub rows: Vec<RowFill>,
}

#[derive(Debug, Clone, Default)]
pub struct RowFill {
    pub seq: i32,
    pub actual_value: String,
    pub tier: Option<i32>,
    pub chosen_x100: Option<i64>,
    pub deviation_reason: String,
    pub score_x100: Option<i64>,
}

/// Saves what the unit entered (optimistic lock on `row_version`); reductions of an earlier
/// review are cleared, since the figures they judged have changed.
pub async fn fill(tx: &mut Tx, id: i64, row_version: i32, f: &Fill) -> Result<()> {
    let sql = "UPDATE evaluations SET budget_fen = $1, executed_fen = $2, amount_fen = $1, overall_actual = $3, \
               execution_rate_x100 = $4, execution_score_x100 = $5, total_x100 = $6, grade = $7, filled_at = $8, \
               row_version = row_version + 1 WHERE id = $9 AND row_version = $10";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(f.budget.0)
        .bind(f.executed.0)
        .bind(&f.overall_actual)
        .bind(f.execution_rate_x100)
        .bind(f.execution_score_x100)
        .bind(f.total_x100)
        .bind(f.grade.as_deref())
        .bind(now())
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    let sql = "UPDATE evaluation_indicators SET actual_value = $1, tier = $2, chosen_x100 = $3, \
               deviation_reason = $4, score_x100 = $5, reduced_x100 = NULL, reduction_reason = '' \
               WHERE evaluation_id = $6 AND seq = $7";
    for r in &f.rows {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(&r.actual_value)
            .bind(r.tier)
            .bind(r.chosen_x100)
            .bind(&r.deviation_reason)
            .bind(r.score_x100)
            .bind(id)
            .bind(r.seq)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

/// A move through the workflow. `review`: the opinion, and for an approval the final total and
/// grade (after reductions).
#[derive(Debug, Clone, Default)]
pub struct Move<'a> {
    pub state: &'a str,
    pub submitted: bool,
    pub review: Option<&'a str>,
    pub approved: Option<(Option<i64>, Option<&'a str>)>,
}

pub async fn set_state(tx: &mut Tx, id: i64, row_version: i32, m: &Move<'_>) -> Result<()> {
    let sql = "UPDATE evaluations SET state = $1, \
               submitted_at = CASE WHEN $2 THEN $3 ELSE submitted_at END, \
               reviewed_at = CASE WHEN $4 THEN $3 ELSE reviewed_at END, \
               review_opinion = CASE WHEN $4 THEN $5 ELSE review_opinion END, \
               approved_at = CASE WHEN $6 THEN $3 ELSE approved_at END, \
               total_x100 = CASE WHEN $6 THEN $7 ELSE total_x100 END, \
               grade = CASE WHEN $6 THEN $8 ELSE grade END, \
               row_version = row_version + 1 WHERE id = $9 AND row_version = $10";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(m.state)
        .bind(m.submitted)
        .bind(now())
        .bind(m.review.is_some())
        .bind(m.review.unwrap_or_default())
        .bind(m.approved.is_some())
        .bind(m.approved.and_then(|a| a.0))
        .bind(m.approved.and_then(|a| a.1))
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

/// Records the reviewer's reductions: (seq, reduced score, reason).
pub async fn set_reductions(tx: &mut Tx, id: i64, reductions: &[(i32, i64, String)]) -> Result<()> {
    let sql = "UPDATE evaluation_indicators SET reduced_x100 = $1, reduction_reason = $2 \
               WHERE evaluation_id = $3 AND seq = $4";
    for (seq, score, reason) in reductions {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(score)
            .bind(reason)
            .bind(id)
            .bind(seq)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

/// Per unit of a round: self-evaluations, submitted on time, late, approved. One grouped query.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct UnitProgress {
    pub unit_id: i64,
    pub unit_name: String,
    pub evaluations: i64,
    pub submitted: i64,
    pub on_time: i64,
    pub late: i64,
    pub approved: i64,
}

pub async fn progress(
    store: &Store,
    round: &Round,
    units: Option<&[i64]>,
) -> Result<Vec<UnitProgress>> {
    let cond = unit_list("e.unit_id", units);
    let cutoff = crate::deadlines::end_of_day(round.deadline);
    let sql = format!(
        "SELECT e.unit_id, u.name AS unit_name, COUNT(*) AS evaluations, \
         CAST(SUM(CASE WHEN e.submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS submitted, \
         CAST(SUM(CASE WHEN e.submitted_at IS NOT NULL AND e.submitted_at < $2 THEN 1 ELSE 0 END) AS BIGINT) AS on_time, \
         CAST(SUM(CASE WHEN e.submitted_at IS NOT NULL AND e.submitted_at >= $2 THEN 1 ELSE 0 END) AS BIGINT) AS late, \
         CAST(SUM(CASE WHEN e.state = 'approved' THEN 1 ELSE 0 END) AS BIGINT) AS approved \
         FROM evaluations e JOIN units u ON u.id = e.unit_id \
         WHERE e.round_id = $1 AND {cond} GROUP BY e.unit_id, u.name, u.code ORDER BY u.code"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(round.id)
        .bind(cutoff)
        .fetch_all(p)
        .await?))
}

/// The evaluations of a round for some units, in unit and project code order (the round page).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct RoundRow {
    pub id: i64,
    pub object_kind: String,
    pub title: String,
    pub unit_name: String,
    pub project_code: Option<String>,
    pub state: String,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}

pub async fn round_rows(
    store: &Store,
    round_id: i64,
    units: Option<&[i64]>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RoundRow>> {
    let cond = unit_list("e.unit_id", units);
    let sql = format!(
        "SELECT e.id, e.object_kind, e.title, u.name AS unit_name, p.code AS project_code, e.state, \
         e.total_x100, e.grade, e.submitted_at FROM evaluations e JOIN units u ON u.id = e.unit_id \
         LEFT JOIN projects p ON p.id = e.project_id WHERE e.round_id = $1 AND {cond} \
         ORDER BY u.code, e.object_kind DESC, p.code, e.id LIMIT $2 OFFSET $3"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(round_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?))
}

/// A next-year budget recommendation (SPEC §10) with the evaluation behind it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Recommendation {
    pub id: i64,
    pub fiscal_year: i32,
    pub next_year: i32,
    pub evaluation_id: i64,
    pub project_id: Option<i64>,
    pub recommendation: String,
    pub override_reason: String,
    pub grade: Option<String>,
    pub total_x100: Option<i64>,
}

const RECOMMENDATION_SELECT: &str = "SELECT a.id, a.fiscal_year, a.next_year, a.evaluation_id, a.project_id, \
     a.recommendation, a.override_reason, e.grade, e.total_x100 \
     FROM result_applications a JOIN evaluations e ON e.id = a.evaluation_id";

/// The recommendation an evaluation gave.
pub async fn recommendation_of(
    store: &Store,
    evaluation_id: i64,
) -> Result<Option<Recommendation>> {
    let sql =
        format!("{RECOMMENDATION_SELECT} WHERE a.evaluation_id = $1 ORDER BY a.id DESC LIMIT 1");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(evaluation_id)
        .fetch_optional(p)
        .await?))
}

/// The recommendation that reaches a project of `year`: the one given for `year` to a
/// predecessor (the project it continues and that one's predecessor, or an earlier project with
/// the same code). The latest evaluation wins.
pub async fn recommendation_into(
    store: &Store,
    region: &str,
    year: i32,
    code: &str,
    previous_project_id: Option<i64>,
) -> Result<Option<Recommendation>> {
    let sql = format!(
        "{RECOMMENDATION_SELECT} WHERE a.region_code = $1 AND a.next_year = $2 AND (a.project_id = $3 \
         OR a.project_id = (SELECT q.previous_project_id FROM projects q WHERE q.id = $3) \
         OR a.project_id IN (SELECT p.id FROM projects p WHERE p.region_code = $1 AND p.fiscal_year < $2 \
         AND p.code = $4)) ORDER BY e.approved_at DESC, a.id DESC LIMIT 1"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .bind(previous_project_id.unwrap_or(0))
        .bind(code)
        .fetch_optional(p)
        .await?))
}

/// Records the reason a project was budgeted against its recommendation.
pub async fn set_override(tx: &mut Tx, id: i64, reason: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE result_applications SET override_reason = $1 WHERE id = $2"
    )
    .bind(reason)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Removes an evaluation's recommendation (a new approval replaces it).
pub async fn delete_recommendations(tx: &mut Tx, evaluation_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM result_applications WHERE evaluation_id = $1"
    )
    .bind(evaluation_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// `column IN (…)` for a unit list; `None` is every unit, an empty list none.
pub(crate) fn unit_list(column: &str, units: Option<&[i64]>) -> String {
    match units {
        None => "1 = 1".to_string(),
        Some([]) => "1 = 0".to_string(),
        Some(ids) => format!(
            "{column} IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    }
}

/// Puts the self-evaluations of a year recorded after the fact (the demo county's 2022 round)
/// into a round, with when they were submitted and approved, and their two workflow steps.
pub async fn adopt_recorded(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    round_id: i64,
    submitted_at: DateTime<Utc>,
    approved_at: DateTime<Utc>,
) -> Result<i64> {
    let sql = "UPDATE evaluations SET round_id = $3, filled_at = $4, submitted_at = $4, reviewed_at = $5, \
               approved_at = $5 WHERE region_code = $1 AND fiscal_year = $2 AND kind = 'self' \
               AND round_id IS NULL AND state = 'approved'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(round_id)
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
                   WHERE e.round_id = $7";
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(region)
            .bind(fiscal_year)
            .bind(from)
            .bind(to)
            .bind(action)
            .bind(at)
            .bind(round_id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(n as i64)
}
