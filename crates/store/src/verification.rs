//! Verification of self-evaluations (真实性核查, SPEC §8.6): the year's draw, the sampled
//! self-evaluations and their verified scores. The rules (sample size, the draw, the verdict) are
//! `jixiao_domain::verification`'s; this module only stores and reads.

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use chrono::{DateTime, Utc};

/// The year's draw: its seed, how many approved project self-evaluations there were and how
/// many were drawn.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Draw {
    pub id: i64,
    pub fiscal_year: i32,
    pub seed: i64,
    pub population: i32,
    pub sample_size: i32,
    pub drawn_at: DateTime<Utc>,
    pub drawn_by_name: Option<String>,
}

pub async fn draw_of(store: &Store, region: &str, fiscal_year: i32) -> Result<Option<Draw>> {
    let sql = "SELECT d.id, d.fiscal_year, d.seed, d.population, d.sample_size, d.drawn_at, \
               u.display_name AS drawn_by_name FROM verification_draws d LEFT JOIN users u ON u.id = d.drawn_by \
               WHERE d.region_code = $1 AND d.fiscal_year = $2";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_optional(p)
        .await?))
}

/// What may be drawn: the year's approved project self-evaluations, by id.
pub async fn population(store: &Store, region: &str, fiscal_year: i32) -> Result<Vec<i64>> {
    let sql = "SELECT id FROM evaluations WHERE region_code = $1 AND fiscal_year = $2 AND kind = 'self' \
               AND object_kind = 'project' AND state = 'approved' ORDER BY id";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}

pub struct NewDraw<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub seed: i64,
    pub population: i32,
    pub drawn_by: Option<i64>,
}

/// Records the draw and puts the drawn self-evaluations in the sample (set-based, in chunks),
/// each with its own score at the time of the draw.
pub async fn insert_draw(tx: &mut Tx, d: &NewDraw<'_>, drawn: &[i64]) -> Result<i64> {
    let at = now();
    let id = insert_draw_record(tx, d, drawn.len() as i32).await?;
    for chunk in drawn.chunks(1000) {
        let ids = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "INSERT INTO verifications (region_code, fiscal_year, evaluation_id, sample_seed, chosen, self_x100, \
             added_by, added_at) SELECT region_code, fiscal_year, id, $2, FALSE, COALESCE(total_x100, 0), $3, $4 \
             FROM evaluations WHERE region_code = $1 AND id IN ({ids})"
        );
        on_tx!(tx, |c| sqlx::query(&sql)
            .bind(d.region)
            .bind(d.seed)
            .bind(d.drawn_by)
            .bind(at)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(id)
}

/// Records a draw alone (the demo writes its sample's rows with their recorded verdicts).
pub async fn insert_draw_record(tx: &mut Tx, d: &NewDraw<'_>, sample_size: i32) -> Result<i64> {
    let sql = "INSERT INTO verification_draws (region_code, fiscal_year, seed, population, sample_size, \
               drawn_by, drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(d.region)
        .bind(d.fiscal_year)
        .bind(d.seed)
        .bind(d.population)
        .bind(sample_size)
        .bind(d.drawn_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

/// Adds a self-evaluation chosen by hand to the sample.
pub async fn insert_chosen(
    tx: &mut Tx,
    region: &str,
    evaluation_id: i64,
    added_by: Option<i64>,
) -> Result<i64> {
    let sql = "INSERT INTO verifications (region_code, fiscal_year, evaluation_id, chosen, self_x100, added_by, added_at) \
               SELECT region_code, fiscal_year, id, TRUE, COALESCE(total_x100, 0), $3, $4 FROM evaluations \
               WHERE region_code = $1 AND id = $2 RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(evaluation_id)
        .bind(added_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

/// A sampled self-evaluation with what its row shows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Row {
    pub id: i64,
    pub fiscal_year: i32,
    pub evaluation_id: i64,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub project_code: Option<String>,
    pub chosen: bool,
    pub sample_seed: Option<i64>,
    pub self_x100: i64,
    pub verified_x100: Option<i64>,
    pub inaccurate: bool,
    pub evidence: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by_name: Option<String>,
    pub row_version: i32,
}

const ROW_SELECT: &str = "SELECT v.id, v.fiscal_year, v.evaluation_id, e.title, e.unit_id, un.name AS unit_name, \
     p.code AS project_code, v.chosen, v.sample_seed, v.self_x100, v.verified_x100, v.inaccurate, v.evidence, \
     v.verified_at, us.display_name AS verified_by_name, v.row_version \
     FROM verifications v JOIN evaluations e ON e.id = v.evaluation_id JOIN units un ON un.id = e.unit_id \
     LEFT JOIN projects p ON p.id = e.project_id LEFT JOIN users us ON us.id = v.verified_by";

/// The year's sample, for the units given (`None`: all), paged.
pub async fn rows(
    store: &Store,
    region: &str,
    fiscal_year: i32,
    units: Option<&[i64]>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Row>> {
    let cond = crate::self_evaluation::unit_list("e.unit_id", units);
    let sql = format!(
        "{ROW_SELECT} WHERE v.region_code = $1 AND v.fiscal_year = $2 AND {cond} \
         ORDER BY un.code, p.code, v.id LIMIT $3 OFFSET $4"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?))
}

pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<Row>> {
    let sql = format!("{ROW_SELECT} WHERE v.region_code = $1 AND v.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub async fn of_evaluation(store: &Store, region: &str, evaluation_id: i64) -> Result<Option<Row>> {
    let sql = format!("{ROW_SELECT} WHERE v.region_code = $1 AND v.evaluation_id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(evaluation_id)
        .fetch_optional(p)
        .await?))
}

/// The year's figures: sampled, verified, inaccurate (for the units given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow, serde::Serialize)]
pub struct Summary {
    pub sampled: i64,
    pub verified: i64,
    pub inaccurate: i64,
}

pub async fn summary(
    store: &Store,
    region: &str,
    fiscal_year: i32,
    units: Option<&[i64]>,
) -> Result<Summary> {
    let cond = crate::self_evaluation::unit_list("e.unit_id", units);
    let sql = format!(
        "SELECT COUNT(*) AS sampled, COUNT(v.verified_x100) AS verified, \
         COALESCE(SUM(CASE WHEN v.inaccurate THEN 1 ELSE 0 END), 0) AS inaccurate \
         FROM verifications v JOIN evaluations e ON e.id = v.evaluation_id \
         WHERE v.region_code = $1 AND v.fiscal_year = $2 AND {cond}"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(fiscal_year)
        .fetch_one(p)
        .await?))
}

/// Records the verified score (a person's, with evidence) and the verdict computed from it.
pub async fn record(
    tx: &mut Tx,
    id: i64,
    row_version: i32,
    verified_x100: i64,
    inaccurate: bool,
    evidence: &str,
    by: Option<i64>,
) -> Result<()> {
    let sql = "UPDATE verifications SET verified_x100 = $1, inaccurate = $2, evidence = $3, verified_by = $4, \
               verified_at = $5, row_version = row_version + 1 WHERE id = $6 AND row_version = $7";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(verified_x100)
        .bind(inaccurate)
        .bind(evidence)
        .bind(by)
        .bind(now())
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    Ok(())
}

/// A fresh seed from the operating system's random source, small enough to be read out and
/// typed again (1 – 999,999,999).
pub fn fresh_seed() -> i64 {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    1 + (OsRng.next_u64() % 999_999_999) as i64
}
