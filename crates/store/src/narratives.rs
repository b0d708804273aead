//! Editable narrative paragraphs of the annual report (SPEC §13), per region and year.

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use std::collections::BTreeMap;

pub async fn set(tx: &mut Tx, region: &str, year: i32, key: &str, body: &str) -> Result<()> {
    let sql = "INSERT INTO narratives (region_code, fiscal_year, key, body, updated_at) \
               VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (region_code, fiscal_year, key) \
               DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(region)
        .bind(year)
        .bind(key)
        .bind(body)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

pub async fn for_year(store: &Store, region: &str, year: i32) -> Result<BTreeMap<String, String>> {
    let sql = "SELECT key, body FROM narratives WHERE region_code = $1 AND fiscal_year = $2";
    let rows: Vec<(String, String)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    Ok(rows.into_iter().collect())
}

/// Removes a stored paragraph: the report falls back to its default wording.
pub async fn remove(tx: &mut Tx, region: &str, year: i32, key: &str) -> Result<()> {
    let sql = "DELETE FROM narratives WHERE region_code = $1 AND fiscal_year = $2 AND key = $3";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(region)
        .bind(year)
        .bind(key)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}
