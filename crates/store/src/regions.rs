//! Regions (财政区划) and their rule settings (SPEC §3).

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use jixiao_domain::settings::Settings;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

/// Adds a region under `parent` (or a root), with its rows in the tree's closure
/// (`region_paths`): itself at depth 0 and every ancestor of the parent one level further.
pub async fn insert(tx: &mut Tx, code: &str, name: &str, parent: Option<&str>) -> Result<()> {
    let sql = "INSERT INTO regions (code, name, parent_code) VALUES ($1, $2, $3)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(code)
        .bind(name)
        .bind(parent)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    let paths = "INSERT INTO region_paths (ancestor, descendant, depth) \
                 SELECT ancestor, $1, depth + 1 FROM region_paths WHERE descendant = $2 \
                 UNION ALL SELECT $1, $1, 0";
    on_tx!(tx, |c| sqlx::query(paths)
        .bind(code)
        .bind(parent.unwrap_or(""))
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// A region of a subtree with its depth below the subtree's root (0 for the root).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Node {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub depth: i64,
}

/// `region` and every region below it, in tree order (each region before its children, the
/// children by code).
pub async fn subtree(store: &Store, region: &str) -> Result<Vec<Node>> {
    let sql = "SELECT r.code, r.name, r.parent_code, CAST(rp.depth AS BIGINT) AS depth \
               FROM region_paths rp JOIN regions r ON r.code = rp.descendant \
               WHERE rp.ancestor = $1 ORDER BY rp.depth, r.code";
    let rows: Vec<Node> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok(tree_order(rows))
}

/// Orders a subtree given by depth so that each region is followed by its own children.
fn tree_order(rows: Vec<Node>) -> Vec<Node> {
    fn walk(code: &str, rows: &[Node], out: &mut Vec<Node>) {
        for child in rows
            .iter()
            .filter(|n| n.parent_code.as_deref() == Some(code))
        {
            out.push(child.clone());
            walk(&child.code, rows, out);
        }
    }
    let Some(root) = rows.first().cloned() else {
        return rows;
    };
    let mut out = vec![root.clone()];
    walk(&root.code, &rows, &mut out);
    out
}

/// The regions directly below `region`, by code.
pub async fn children(store: &Store, region: &str) -> Result<Vec<Region>> {
    let sql = "SELECT code, name, parent_code FROM regions WHERE parent_code = $1 ORDER BY code";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// Whether `region` lies strictly below `ancestor` in the tree.
pub async fn is_below(store: &Store, ancestor: &str, region: &str) -> Result<bool> {
    let sql =
        "SELECT COUNT(*) FROM region_paths WHERE ancestor = $1 AND descendant = $2 AND depth > 0";
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(ancestor)
        .bind(region)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}

/// Whether any region lies below `region`.
pub async fn has_subordinates(store: &Store, region: &str) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM (SELECT 1 FROM region_paths WHERE ancestor = $1 AND depth > 0 LIMIT 1) x";
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
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
