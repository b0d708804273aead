//! Public feedback on published projects (满意度调查, SPEC §12): ratings count at once, comments
//! show only after moderation; the aggregate is evidence for a unit's 服务对象满意度 indicator.

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use chrono::{DateTime, Utc};

/// A project the public may rate: its target is published.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PublicProject {
    pub id: i64,
    pub fiscal_year: i32,
    pub name: String,
    pub unit_name: String,
    pub overall_goal: String,
    pub total_fen: i64,
}

pub async fn public_project(store: &Store, region: &str, id: i64) -> Result<Option<PublicProject>> {
    let sql = "SELECT p.id, p.fiscal_year, p.name, u.name AS unit_name, t.overall_goal, t.total_fen \
               FROM disclosures d JOIN projects p ON d.object_kind = 'target' AND p.id = d.object_id \
               JOIN units u ON u.id = p.unit_id JOIN targets t ON t.project_id = p.id AND t.state = 'approved' \
               AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id AND n.state = 'approved') \
               WHERE d.region_code = $1 AND p.id = $2";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// How many entries an address made since a time (the rate limit).
pub async fn recent_from(store: &Store, ip_hash: &str, since: DateTime<Utc>) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM feedback WHERE ip_hash = $1 AND created_at > $2";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(ip_hash)
        .bind(since)
        .fetch_one(p)
        .await?))
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    region: &str,
    fiscal_year: i32,
    project_id: i64,
    rating: i32,
    comment: &str,
    state: &str,
    ip_hash: &str,
) -> Result<i64> {
    let sql = "INSERT INTO feedback (region_code, fiscal_year, project_id, rating, comment, state, ip_hash, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(project_id)
        .bind(rating)
        .bind(comment)
        .bind(state)
        .bind(ip_hash)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

/// A project's ratings: how many, and how many of 4 or 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow, serde::Serialize)]
pub struct Ratings {
    pub count: i64,
    pub good: i64,
}

pub async fn ratings(store: &Store, project_id: i64) -> Result<Ratings> {
    let sql = "SELECT COUNT(*) AS count, COALESCE(SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END), 0) AS good \
               FROM feedback WHERE project_id = $1";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(project_id)
        .fetch_one(p)
        .await?))
}

/// A comment with its project, for the public page and for moderation.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Comment {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub rating: i32,
    pub comment: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
}

const COMMENT_SELECT: &str = "SELECT f.id, f.project_id, p.name AS project_name, p.unit_id, u.name AS unit_name, \
     f.rating, f.comment, f.state, f.created_at FROM feedback f JOIN projects p ON p.id = f.project_id \
     JOIN units u ON u.id = p.unit_id";

/// The comments of a project in a state (`approved` for the public page), newest first.
pub async fn comments(
    store: &Store,
    project_id: i64,
    state: &str,
    limit: i64,
) -> Result<Vec<Comment>> {
    let sql = format!(
        "{COMMENT_SELECT} WHERE f.project_id = $1 AND f.state = $2 AND f.comment <> '' ORDER BY f.id DESC LIMIT $3"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(project_id)
        .bind(state)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// Comments waiting for moderation, for the units given (`None`: all), oldest first.
pub async fn pending(
    store: &Store,
    region: &str,
    units: Option<&[i64]>,
    limit: i64,
) -> Result<Vec<Comment>> {
    let cond = crate::self_evaluation::unit_list("p.unit_id", units);
    let sql = format!(
        "{COMMENT_SELECT} WHERE f.region_code = $1 AND f.state = 'pending' AND {cond} ORDER BY f.id LIMIT $2"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<Comment>> {
    let sql = format!("{COMMENT_SELECT} WHERE f.region_code = $1 AND f.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Moderates a pending comment (`approved` or `hidden`); whether it was pending.
pub async fn moderate(tx: &mut Tx, id: i64, state: &str) -> Result<bool> {
    let sql = "UPDATE feedback SET state = $1 WHERE id = $2 AND state = 'pending'";
    Ok(on_tx!(tx, |c| sqlx::query(sql)
        .bind(state)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?)
        > 0)
}
