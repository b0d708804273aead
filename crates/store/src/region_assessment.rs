//! An upper level's annual assessment of the regions directly below it (issue 14; the §11
//! machinery with regions in place of units): the round and its rubric, the assessor's marks,
//! the finalised results, and each subject region's counts — the sum of the counts of every
//! level-1 unit in its subtree ([`crate::assessment::records`], region by region, so the counting
//! rules are the unit assessment's own).

use crate::assessment::Round;
use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use chrono::NaiveDate;
use jixiao_domain::assessment::Records;

const ROUND: &str = "SELECT id, region_code, fiscal_year, rubric, state, interview_deadline, opened_by, \
                     finalized_by, finalized_at, row_version, created_at FROM region_assessment_rounds";

/// The round of `region` (the assessor) for `year`.
pub async fn round(store: &Store, region: &str, year: i32) -> Result<Option<Round>> {
    let sql = format!("{ROUND} WHERE region_code = $1 AND fiscal_year = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .fetch_optional(p)
        .await?))
}

/// The assessor's rounds, latest year first.
pub async fn rounds(store: &Store, region: &str) -> Result<Vec<Round>> {
    let sql = format!("{ROUND} WHERE region_code = $1 ORDER BY fiscal_year DESC");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

pub async fn open_round(
    tx: &mut Tx,
    region: &str,
    year: i32,
    rubric: &str,
    by: i64,
) -> Result<i64> {
    let sql = "INSERT INTO region_assessment_rounds (region_code, fiscal_year, rubric, state, opened_by, created_at) \
               VALUES ($1, $2, $3, 'open', $4, $5) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .bind(rubric)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *c)
        .await
        .map_err(|e| StoreError::duplicate_as(
            e,
            "region assessment round"
        ))?))
}

pub async fn finalize_round(
    tx: &mut Tx,
    id: i64,
    row_version: i32,
    by: i64,
    interview_deadline: NaiveDate,
) -> Result<()> {
    let sql = "UPDATE region_assessment_rounds SET state = 'finalized', finalized_by = $1, finalized_at = $2, \
               interview_deadline = $3, row_version = row_version + 1 \
               WHERE id = $4 AND row_version = $5 AND state = 'open'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(by)
        .bind(now())
        .bind(interview_deadline)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Replaces the rubric of an open round, at `row_version`.
pub async fn set_rubric(tx: &mut Tx, id: i64, row_version: i32, rubric: &str) -> Result<()> {
    let sql = "UPDATE region_assessment_rounds SET rubric = $1, row_version = row_version + 1 \
               WHERE id = $2 AND row_version = $3 AND state = 'open'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(rubric)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Marks the round changed (its row version moves), so that a stale form is refused.
pub async fn touch_round(tx: &mut Tx, id: i64, row_version: i32) -> Result<()> {
    let sql = "UPDATE region_assessment_rounds SET row_version = row_version + 1 \
               WHERE id = $1 AND row_version = $2 AND state = 'open'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// What the assessor entered for one region's item.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Mark {
    pub subject_code: String,
    pub item_key: String,
    pub manual_x100: Option<i64>,
    pub adjust_x100: Option<i64>,
    pub reason: String,
}

pub async fn marks(store: &Store, round_id: i64) -> Result<Vec<Mark>> {
    let sql = "SELECT subject_code, item_key, manual_x100, adjust_x100, reason \
               FROM region_assessment_marks WHERE round_id = $1 ORDER BY subject_code, item_key";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(round_id)
        .fetch_all(p)
        .await?))
}

/// Replaces one region's item mark: its manual score and its adjustment with the reason (`None`
/// clears either). A mark with nothing in it is removed.
pub async fn set_mark(
    tx: &mut Tx,
    round_id: i64,
    subject: &str,
    key: &str,
    manual_x100: Option<i64>,
    adjustment: Option<(i64, &str)>,
    by: i64,
) -> Result<()> {
    if manual_x100.is_none() && adjustment.is_none() {
        let sql = "DELETE FROM region_assessment_marks WHERE round_id = $1 AND subject_code = $2 AND item_key = $3";
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(round_id)
            .bind(subject)
            .bind(key)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        return Ok(());
    }
    let sql = "INSERT INTO region_assessment_marks (round_id, subject_code, item_key, manual_x100, adjust_x100, \
               reason, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
               ON CONFLICT (round_id, subject_code, item_key) DO UPDATE SET manual_x100 = excluded.manual_x100, \
               adjust_x100 = excluded.adjust_x100, reason = excluded.reason, \
               updated_by = excluded.updated_by, updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(round_id)
        .bind(subject)
        .bind(key)
        .bind(manual_x100)
        .bind(adjustment.map(|a| a.0))
        .bind(adjustment.map(|a| a.1).unwrap_or_default())
        .bind(by)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// A finalised region result.
#[derive(Debug, Clone)]
pub struct NewResult<'a> {
    pub round_id: i64,
    pub subject: &'a str,
    pub total_x100: i64,
    pub rank: i32,
    /// `commended`, `interviewed` or empty.
    pub listed: &'a str,
    /// JSON `Records`.
    pub records: &'a str,
    /// JSON of the item scores.
    pub items: &'a str,
}

pub async fn insert_result(tx: &mut Tx, r: &NewResult<'_>) -> Result<i64> {
    let sql = "INSERT INTO region_assessments (round_id, subject_code, total_x100, rank, listed, records, items) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(r.round_id)
        .bind(r.subject)
        .bind(r.total_x100)
        .bind(r.rank)
        .bind(r.listed)
        .bind(r.records)
        .bind(r.items)
        .fetch_one(&mut *c)
        .await?))
}

/// A finalised result with its region's name.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ResultRow {
    pub round_id: i64,
    pub subject_code: String,
    pub subject_name: String,
    pub total_x100: i64,
    pub rank: i32,
    pub listed: String,
    pub records: String,
    pub items: String,
}

const RESULT: &str = "SELECT a.round_id, a.subject_code, g.name AS subject_name, a.total_x100, \
                      CAST(a.rank AS INTEGER) AS rank, a.listed, a.records, a.items \
                      FROM region_assessments a JOIN regions g ON g.code = a.subject_code";

/// The results of a finalised round, by rank (and region code within a rank).
pub async fn results(store: &Store, round_id: i64) -> Result<Vec<ResultRow>> {
    let sql = format!("{RESULT} WHERE a.round_id = $1 ORDER BY a.rank, a.subject_code");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(round_id)
        .fetch_all(p)
        .await?))
}

/// What the level above said of `subject` in `year`: its finalised result, if any.
pub async fn result_of(store: &Store, subject: &str, year: i32) -> Result<Option<ResultRow>> {
    let sql = format!(
        "{RESULT} JOIN region_assessment_rounds r ON r.id = a.round_id \
         WHERE a.subject_code = $1 AND r.fiscal_year = $2 AND r.state = 'finalized'"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(subject)
        .bind(year)
        .fetch_optional(p)
        .await?))
}

/// The years in which the level above finalised an assessment of `subject`, latest first.
pub async fn years_of(store: &Store, subject: &str) -> Result<Vec<i32>> {
    let sql = "SELECT r.fiscal_year FROM region_assessments a JOIN region_assessment_rounds r ON r.id = a.round_id \
               WHERE a.subject_code = $1 AND r.state = 'finalized' ORDER BY r.fiscal_year DESC";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(subject)
        .fetch_all(p)
        .await?))
}

/// The counts of `subject`'s year as of `today`: the counts of every level-1 unit of every
/// region in its subtree, summed. Each region is counted with its own deadlines.
pub async fn records(store: &Store, subject: &str, year: i32, today: NaiveDate) -> Result<Records> {
    let mut out = Records::default();
    for region in crate::regions::subtree(store, subject).await? {
        for r in crate::assessment::records(store, &region.code, year, today)
            .await?
            .values()
        {
            out.merge(r);
        }
    }
    Ok(out)
}
