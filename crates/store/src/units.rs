//! Budget units (预算单位, SPEC §3): a tree within a region.

use crate::{Result, Store, Tx, on_pool, on_tx};
use jixiao_domain::types::UnitKind;

#[derive(Debug, Clone)]
pub struct NewUnit<'a> {
    pub region: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub parent_id: Option<i64>,
    pub level: i32,
    pub kind: UnitKind,
    pub finance_desk: &'a str,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub region_code: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub level: i32,
    pub kind: String,
    pub finance_desk: String,
}

pub async fn insert(tx: &mut Tx, u: &NewUnit<'_>) -> Result<i64> {
    let sql = "INSERT INTO units (region_code, code, name, parent_id, level, kind, finance_desk, pinyin) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(u.region)
        .bind(u.code)
        .bind(u.name)
        .bind(u.parent_id)
        .bind(u.level)
        .bind(u.kind.code())
        .bind(u.finance_desk)
        .bind(crate::pinyin_key::key(u.name))
        .fetch_one(&mut *c)
        .await?))
}

/// Inserts many units exactly as [`insert`] would one by one (the same columns and pinyin key,
/// ids in the order given), in multi-row statements. Every parent must be stored already.
/// Returns each unit's code with its new id.
pub async fn insert_many(tx: &mut Tx, units: &[NewUnit<'_>]) -> Result<Vec<(String, i64)>> {
    const COLUMNS: usize = 8;
    let mut ids = Vec::with_capacity(units.len());
    for chunk in units.chunks(crate::projects::MAX_BINDS / COLUMNS) {
        let sql = format!(
            "INSERT INTO units (region_code, code, name, parent_id, level, kind, finance_desk, pinyin) \
             VALUES {} RETURNING code, id",
            crate::projects::values_placeholders(tx, COLUMNS, chunk.len())
        );
        let rows: Vec<(String, i64)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(&sql);
            for u in chunk {
                q = q
                    .bind(u.region)
                    .bind(u.code)
                    .bind(u.name)
                    .bind(u.parent_id)
                    .bind(u.level)
                    .bind(u.kind.code())
                    .bind(u.finance_desk)
                    .bind(crate::pinyin_key::key(u.name));
            }
            q.fetch_all(&mut *c).await?
        });
        ids.extend(rows);
    }
    Ok(ids)
}

const COLUMNS: &str = "id, region_code, code, name, parent_id, level, kind, finance_desk";

pub async fn list(store: &Store, region: &str) -> Result<Vec<Unit>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE region_code = $1 ORDER BY code");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

pub async fn by_code(store: &Store, region: &str, code: &str) -> Result<Option<Unit>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE region_code = $1 AND code = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(code)
        .fetch_optional(p)
        .await?))
}

pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<Unit>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE region_code = $1 AND id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Those of `ids` that are not units of the region.
pub async fn not_in_region(
    store: &crate::Store,
    region: &str,
    ids: &[i64],
) -> crate::Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT id FROM units WHERE region_code = $1 AND id IN ({list})");
    let found: Vec<i64> = crate::on_pool!(store, |p| sqlx::query_scalar(&sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok(ids.iter().copied().filter(|i| !found.contains(i)).collect())
}

/// The region's active level-1 units: (id, code, name), in code order.
pub async fn level_one(
    store: &crate::Store,
    region: &str,
) -> crate::Result<Vec<(i64, String, String)>> {
    let sql = "SELECT id, code, name FROM units WHERE region_code = $1 AND level = 1 AND active = TRUE ORDER BY code";
    Ok(crate::on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}
