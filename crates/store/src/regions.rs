//! Regions (财政区划) and their rule settings (SPEC §3).

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use jixiao_domain::settings::Settings;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

pub async fn insert(tx: &mut Tx, code: &str, name: &str, parent: Option<&str>) -> Result<()> {
    let sql = "INSERT INTO regions (code, name, parent_code) VALUES ($1, $2, $3)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(code)
        .bind(name)
        .bind(parent)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

pub async fn get(store: &Store, code: &str) -> Result<Option<Region>> {
    let sql = "SELECT code, name, parent_code FROM regions WHERE code = $1";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(code)
        .fetch_optional(p)
        .await?))
}

pub async fn list(store: &Store) -> Result<Vec<Region>> {
    let sql = "SELECT code, name, parent_code FROM regions ORDER BY code";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .fetch_all(p)
        .await?))
}

/// Stores the region's rule parameters.
pub async fn save_settings(tx: &mut Tx, region: &str, settings: &Settings) -> Result<()> {
    let body = serde_json::to_string(settings).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let sql = "INSERT INTO settings (region_code, body, updated_at) VALUES ($1, $2, $3) \
               ON CONFLICT (region_code) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(region)
        .bind(&body)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// The region's rule parameters; the SPEC defaults when none are stored.
pub async fn settings(store: &Store, region: &str) -> Result<Settings> {
    let sql = "SELECT body FROM settings WHERE region_code = $1";
    let body: Option<String> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_optional(p)
        .await?);
    match body {
        None => Ok(Settings::default()),
        Some(b) => serde_json::from_str(&b)
            .map_err(|e| StoreError::Invalid(format!("区划 {region} 的参数设置无法读取：{e}"))),
    }
}
