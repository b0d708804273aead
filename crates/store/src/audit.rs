//! The audit log (SPEC §17): append-only and hash-chained. Each row's hash is SHA-256 over the
//! previous row's hash and the row's own fields, so editing or deleting any row breaks the chain
//! from that row on; [`verify`] names the first broken row.

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub role: &'a str,
    pub ip: &'a str,
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: &'a str,
    pub before_json: &'a str,
    pub after_json: &'a str,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub ip: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub before_json: String,
    pub after_json: String,
    pub prev_hash: String,
    pub hash: String,
}

fn digest(prev: &str, at: &DateTime<Utc>, e: &Entry<'_>) -> String {
    let mut h = Sha256::new();
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let user = e.user_id.map(|u| u.to_string()).unwrap_or_default();
    for field in [
        prev,
        &at,
        &user,
        e.username,
        e.role,
        e.ip,
        e.action,
        e.object_kind,
        e.object_id,
        e.before_json,
        e.after_json,
    ] {
        // Length-prefixed so that moving text between fields changes the hash.
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry in the caller's transaction, so the record commits with the change.
pub async fn append(tx: &mut Tx, e: &Entry<'_>) -> Result<i64> {
    if let Tx::Postgres(t) = tx {
        // Serialise appenders so two transactions cannot chain onto the same row.
        sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
            .execute(&mut **t)
            .await?;
    }
    let last = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1";
    let prev: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(last)
        .fetch_optional(&mut *c)
        .await?);
    let prev = prev.unwrap_or_else(|| GENESIS.to_string());
    let at = now();
    let hash = digest(&prev, &at, e);
    let sql = "INSERT INTO audit_log (at, user_id, username, role, ip, action, object_kind, object_id, \
               before_json, after_json, prev_hash, hash) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(at)
        .bind(e.user_id)
        .bind(e.username)
        .bind(e.role)
        .bind(e.ip)
        .bind(e.action)
        .bind(e.object_kind)
        .bind(e.object_id)
        .bind(e.before_json)
        .bind(e.after_json)
        .bind(&prev)
        .bind(&hash)
        .fetch_one(&mut *c)
        .await?))
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        rows: i64,
    },
    /// The first row whose hash or link does not match.
    Broken {
        id: i64,
        reason: String,
    },
}

/// Recomputes the whole chain.
pub async fn verify(store: &Store) -> Result<Verdict> {
    let sql = "SELECT id, at, user_id, username, role, ip, action, object_kind, object_id, before_json, \
               after_json, prev_hash, hash FROM audit_log ORDER BY id";
    let rows: Vec<Row> = on_pool!(store, |p| sqlx::query_as(sql).fetch_all(p).await?);
    let mut prev = GENESIS.to_string();
    for r in &rows {
        if r.prev_hash != prev {
            return Ok(Verdict::Broken {
                id: r.id,
                reason: "与上一条记录的链接不一致（记录被删除或插入）".into(),
            });
        }
        let e = Entry {
            user_id: r.user_id,
            username: &r.username,
            role: &r.role,
            ip: &r.ip,
            action: &r.action,
            object_kind: &r.object_kind,
            object_id: &r.object_id,
            before_json: &r.before_json,
            after_json: &r.after_json,
        };
        if digest(&prev, &r.at, &e) != r.hash {
            return Ok(Verdict::Broken {
                id: r.id,
                reason: "内容与哈希不符（记录被修改）".into(),
            });
        }
        prev = r.hash.clone();
    }
    Ok(Verdict::Intact {
        rows: rows.len() as i64,
    })
}

/// The most recent entries, newest first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<Row>> {
    let sql = "SELECT id, at, user_id, username, role, ip, action, object_kind, object_id, before_json, \
               after_json, prev_hash, hash FROM audit_log ORDER BY id DESC LIMIT $1";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// Entries whose user, action or object contains `q` (all when empty), newest first.
pub async fn search(store: &Store, q: &str, limit: i64) -> Result<Vec<Row>> {
    let sql = "SELECT id, at, user_id, username, role, ip, action, object_kind, object_id, before_json, \
               after_json, prev_hash, hash FROM audit_log \
               WHERE $1 = '' OR username LIKE $2 OR action LIKE $2 OR object_id LIKE $2 \
               ORDER BY id DESC LIMIT $3";
    let like = format!("%{q}%");
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(q)
        .bind(&like)
        .bind(limit)
        .fetch_all(p)
        .await?))
}
