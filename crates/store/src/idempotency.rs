//! Idempotency keys of API writes (issue 13): the first request with a key reserves it, runs,
//! and keeps its answer; a retry with the same key and the same request gets that answer again
//! instead of doing the work twice.

use crate::{Result, Store, on_pool};
use chrono::{DateTime, Utc};

/// How long a key holds.
pub const LIFETIME_HOURS: i64 = 24;

/// How long a reservation without an answer blocks its key.
pub const ABANDONED_MINUTES: i64 = 10;

/// What a key says about a request that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or its earlier use expired): the request may run.
    Reserved,
    /// The same key is being used by a request still running.
    InFlight,
    /// The key was used for a different request (another method, path or body).
    Mismatch,
    /// The request already ran: its answer.
    Done {
        status: u16,
        content_type: String,
        body: Vec<u8>,
    },
}

#[derive(sqlx::FromRow)]
struct Row {
    fingerprint: String,
    status: Option<i32>,
    content_type: String,
    body: Option<Vec<u8>>,
    created_at: DateTime<Utc>,
}

/// Reserves `key` of `user_id` for a request with `fingerprint`, or says why it cannot run.
pub async fn claim(store: &Store, user_id: i64, key: &str, fingerprint: &str) -> Result<Claim> {
    let now = crate::now();
    let insert = "INSERT INTO idempotency_keys (user_id, idem_key, fingerprint, created_at) \
                  VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, idem_key) DO NOTHING";
    let inserted = on_pool!(store, |p| sqlx::query(insert)
        .bind(user_id)
        .bind(key)
        .bind(fingerprint)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected())?);
    if inserted == 1 {
        return Ok(Claim::Reserved);
    }
    let select = "SELECT fingerprint, status, content_type, body, created_at \
                  FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2";
    let row: Option<Row> = on_pool!(store, |p| sqlx::query_as(select)
        .bind(user_id)
        .bind(key)
        .fetch_optional(p)
        .await?);
    let Some(row) = row else {
        // Released between the two statements: try once more.
        return Box::pin(claim(store, user_id, key, fingerprint)).await;
    };
    let age = now - row.created_at;
    // A request that never finished (the server stopped under it) frees its key after a while.
    let abandoned = row.status.is_none() && age > chrono::Duration::minutes(ABANDONED_MINUTES);
    if age > chrono::Duration::hours(LIFETIME_HOURS) || abandoned {
        // Take the expired key over, unless another request did so first.
        let renew = "UPDATE idempotency_keys SET fingerprint = $1, status = NULL, content_type = '', \
                     body = NULL, created_at = $2 \
                     WHERE user_id = $3 AND idem_key = $4 AND created_at = $5";
        let renewed = on_pool!(store, |p| sqlx::query(renew)
            .bind(fingerprint)
            .bind(now)
            .bind(user_id)
            .bind(key)
            .bind(row.created_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected())?);
        return Ok(if renewed == 1 {
            Claim::Reserved
        } else {
            Claim::InFlight
        });
    }
    Ok(if row.fingerprint != fingerprint {
        Claim::Mismatch
    } else {
        match row.status {
            None => Claim::InFlight,
            Some(status) => Claim::Done {
                status: u16::try_from(status).unwrap_or(200),
                content_type: row.content_type,
                body: row.body.unwrap_or_default(),
            },
        }
    })
}

/// Keeps the answer of the request that reserved the key.
pub async fn complete(
    store: &Store,
    user_id: i64,
    key: &str,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Result<()> {
    let sql = "UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 \
               WHERE user_id = $4 AND idem_key = $5";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(i32::from(status))
        .bind(content_type)
        .bind(body)
        .bind(user_id)
        .bind(key)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Frees a reserved key whose request did not succeed, so that the client may retry with it.
pub async fn release(store: &Store, user_id: i64, key: &str) -> Result<()> {
    let sql =
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2 AND status IS NULL";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(user_id)
        .bind(key)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Deletes keys older than their lifetime; returns how many went.
pub async fn purge(store: &Store) -> Result<u64> {
    let cutoff = crate::now() - chrono::Duration::hours(LIFETIME_HOURS);
    let sql = "DELETE FROM idempotency_keys WHERE created_at < $1";
    Ok(on_pool!(store, |p| sqlx::query(sql)
        .bind(cutoff)
        .execute(p)
        .await
        .map(|r| r.rows_affected())?))
}
