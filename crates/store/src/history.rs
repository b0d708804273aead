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
    /// The actor's display name (none for steps recorded without a user, as in imported history).
    pub actor_name: Option<String>,
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
    let sql = "SELECT h.from_state, h.to_state, h.action, h.actor_id, u.display_name AS actor_name, \
               h.opinion, h.at FROM workflow_history h LEFT JOIN users u ON u.id = h.actor_id \
               WHERE h.doc_kind = $1 AND h.doc_id = $2 ORDER BY h.at, h.id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(doc_kind)
        .bind(doc_id)
        .fetch_all(p)
        .await?))
}

/// Who last performed one of `actions` on a document (the submitter, for the rule that nobody
/// reviews their own submission, SPEC §4).
pub async fn last_actor(
    store: &Store,
    doc_kind: &str,
    doc_id: i64,
    actions: &[&str],
) -> Result<Option<i64>> {
    let list = actions
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT actor_id FROM workflow_history WHERE doc_kind = $1 AND doc_id = $2 \
         AND action IN ({list}) ORDER BY at DESC, id DESC LIMIT 1"
    );
    let found: Option<Option<i64>> = on_pool!(store, |p| sqlx::query_scalar(&sql)
        .bind(doc_kind)
        .bind(doc_id)
        .fetch_optional(p)
        .await?);
    Ok(found.flatten())
}
