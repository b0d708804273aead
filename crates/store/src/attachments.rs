//! Uploaded files kept with their document (reports, evidence), in the database so that a backup
//! of the database is a backup of everything.

use crate::{Result, Store, Tx, now, on_pool, on_tx};

#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub owner_kind: &'a str,
    pub owner_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub body: &'a [u8],
    pub uploaded_by: Option<i64>,
}

pub async fn insert(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<i64> {
    use sha2::Digest;
    let sha = format!("{:x}", sha2::Sha256::digest(a.body));
    let sql = "INSERT INTO attachments (region_code, fiscal_year, owner_kind, owner_id, file_name, \
               content_type, size_bytes, sha256, body, uploaded_by, uploaded_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(a.region)
        .bind(a.fiscal_year)
        .bind(a.owner_kind)
        .bind(a.owner_id)
        .bind(a.file_name)
        .bind(a.content_type)
        .bind(a.body.len() as i64)
        .bind(&sha)
        .bind(a.body)
        .bind(a.uploaded_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub owner_kind: String,
    pub owner_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub body: Vec<u8>,
}

pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<Attachment>> {
    let sql = "SELECT id, owner_kind, owner_id, file_name, content_type, size_bytes, sha256, body \
               FROM attachments WHERE region_code = $1 AND id = $2";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// A file listed with its document (no body).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Listed {
    pub id: i64,
    pub owner_kind: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

/// The files of a document: owners whose kind starts with `kind_prefix` (e.g. `engagement_`
/// for an engagement's plan, draft and final report), oldest first.
pub async fn of_owner(store: &Store, kind_prefix: &str, owner_id: i64) -> Result<Vec<Listed>> {
    let sql = "SELECT id, owner_kind, file_name, size_bytes, uploaded_at FROM attachments \
               WHERE owner_id = $1 AND owner_kind LIKE $2 ORDER BY id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(owner_id)
        .bind(format!("{kind_prefix}%"))
        .fetch_all(p)
        .await?))
}
