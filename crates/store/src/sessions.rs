//! Login sessions (SPEC §17): browser sessions and API bearer tokens share one table. The
//! secret handed to the client is 32 random bytes; the table keeps only its SHA-256.

use crate::{Result, Store, on_pool};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// A fresh random secret, URL-safe hex (64 characters).
pub fn new_secret() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Session {
    pub user_id: Option<i64>,
    pub kind: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The subordinate region an upper-level user looks into (drill-down, issue 14); checked
    /// against the region tree on every request.
    pub viewing_region: Option<String>,
}

/// Creates a session and returns its secret. `user_id` is `None` for the anonymous session that
/// carries the login form's CSRF token.
pub async fn create(
    store: &Store,
    user_id: Option<i64>,
    kind: &str,
    ip: &str,
    user_agent: &str,
) -> Result<(String, String)> {
    let secret = new_secret();
    let csrf = new_secret();
    let at = crate::now();
    let sql = "INSERT INTO sessions (id_hash, user_id, kind, csrf_token, created_at, last_seen_at, ip, user_agent) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(hash(&secret))
        .bind(user_id)
        .bind(kind)
        .bind(&csrf)
        .bind(at)
        .bind(at)
        .bind(ip)
        .bind(user_agent)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok((secret, csrf))
}

/// How long a session's last-seen time may lag: refreshing it on every request would cost a
/// synchronous write each time (issue 14), while the idle timeout counts in minutes.
const TOUCH_GRANULARITY_SECONDS: i64 = 60;

/// The live session of a secret: seen within `idle_minutes` and created within `max_hours`. Its
/// last-seen time is refreshed at most once a minute. An expired session is deleted and `None`
/// returned.
pub async fn touch(
    store: &Store,
    secret: &str,
    idle_minutes: i64,
    max_hours: i64,
) -> Result<Option<Session>> {
    let id = hash(secret);
    let sql = "SELECT user_id, kind, csrf_token, created_at, last_seen_at, viewing_region FROM sessions WHERE id_hash = $1";
    let found: Option<Session> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(&id)
        .fetch_optional(p)
        .await?);
    let Some(session) = found else {
        return Ok(None);
    };
    let now = crate::now();
    if now - session.last_seen_at > chrono::Duration::minutes(idle_minutes)
        || now - session.created_at > chrono::Duration::hours(max_hours)
    {
        delete(store, secret).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= chrono::Duration::seconds(TOUCH_GRANULARITY_SECONDS) {
        let sql = "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2";
        on_pool!(store, |p| sqlx::query(sql)
            .bind(now)
            .bind(&id)
            .execute(p)
            .await
            .map(|_| ())?);
    }
    Ok(Some(session))
}

/// Deletes the sessions that can no longer be used: idle longer than `idle_minutes`, older than
/// `max_hours`, and anonymous ones (the login form's) idle for more than an hour. Returns how
/// many went.
pub async fn purge(store: &Store, idle_minutes: i64, max_hours: i64) -> Result<u64> {
    let now = crate::now();
    let idle = now - chrono::Duration::minutes(idle_minutes);
    let old = now - chrono::Duration::hours(max_hours);
    let anonymous = now - chrono::Duration::hours(1);
    let sql = "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2 \
               OR (user_id IS NULL AND last_seen_at < $3)";
    Ok(on_pool!(store, |p| sqlx::query(sql)
        .bind(idle)
        .bind(old)
        .bind(anonymous)
        .execute(p)
        .await
        .map(|r| r.rows_affected())?))
}

/// Sets or clears the region a session looks into. The caller checks that the user may.
pub async fn set_viewing_region(store: &Store, secret: &str, region: Option<&str>) -> Result<()> {
    let sql = "UPDATE sessions SET viewing_region = $1 WHERE id_hash = $2";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(region)
        .bind(hash(secret))
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}

pub async fn delete(store: &Store, secret: &str) -> Result<()> {
    let sql = "DELETE FROM sessions WHERE id_hash = $1";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(hash(secret))
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Ends every session of a user (password change, lock, disable).
pub async fn delete_for_user(store: &Store, user_id: i64) -> Result<()> {
    let sql = "DELETE FROM sessions WHERE user_id = $1";
    on_pool!(store, |p| sqlx::query(sql)
        .bind(user_id)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}
