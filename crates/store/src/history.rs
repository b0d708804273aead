//! Workflow history (SPEC §4): every transition of a reviewed document, for its timeline.

use crate::{Result, Store, Tx, on_pool, on_tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct NewTransition<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub doc_kind: &'a str,
    pub doc_id: i64,
    pub from_state: &'a str,
    pub to_state: &'a str,
    pub action: &'a str,
    pub actor_id: Option<i64>,
    pub opinion: &'a str,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Transition {
    pub from_state: String,
    pub to_state: String,
    pub action: String,
    pub actor_id: Option<i64>,
    pub opinion: String,
    pub at: DateTime<Utc>,
}

pub async fn record(tx: &mut Tx, t: &NewTransition<'_>) -> Result<()> {
    let sql = "INSERT INTO workflow_history (region_code, fiscal_year, doc_kind, doc_id, from_state, \
               to_state, action, actor_id, opinion, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(t.region)
        .bind(t.fiscal_year)
        .bind(t.doc_kind)
        .bind(t.doc_id)
        .bind(t.from_state)
        .bind(t.to_state)
        .bind(t.action)
        .bind(t.actor_id)
        .bind(t.opinion)
        .bind(t.at)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

pub async fn timeline(store: &Store, doc_kind: &str, doc_id: i64) -> Result<Vec<Transition>> {
    let sql = "SELECT from_state, to_state, action, actor_id, opinion, at FROM workflow_history \
               WHERE doc_kind = $1 AND doc_id = $2 ORDER BY at, id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(doc_kind)
        .bind(doc_id)
        .fetch_all(p)
        .await?))
}
