//! The audit log (SPEC §17, issue 13): append-only, hash-chained, signed and sealed.
//!
//! - Each row's `hash` is SHA-256 over the previous row's hash and the row's own fields, so
//!   editing or deleting a row breaks the chain from that row on.
//! - Database triggers (migration 0009) refuse UPDATE and DELETE on `audit_log`; only someone
//!   who can drop the trigger (the database owner) can tamper at all.
//! - Such a person could still rewrite rows and recompute the plain chain, so each row also
//!   carries `mac` = HMAC-SHA256(key, hash) under a [`Key`] kept in a file outside the database.
//! - Cutting rows off the end leaves a valid chain, so the one-row `audit_head` table records the
//!   entry count, the last id and hash and a MAC over them, rewritten in the same transaction as
//!   every append; [`verify`] compares the chain's end with it.
//!
//! The key is process-wide: [`install_key`] puts it in a `OnceLock` once at start-up (the
//! `jixiao` binary does so from its key file), and [`append`] and [`verify`] use it. Every write
//! in the application appends an entry through one of ~100 call sites in the app, web, import
//! and demo layers; threading a key parameter through all of them (and through `Actor` and the
//! web state) would touch each for no gain, since one process serves one database with one key.
//! [`append_with`] and [`verify_with`] take the key explicitly, for tests and tools. Rows written
//! with no key installed (tests; databases from before signing) carry an empty `mac`: `verify`
//! with a key counts them as older than signing as long as they precede every signed row.
//!
//! What it cannot notice: someone holding both the database and the key, or someone who saved an
//! earlier `audit_head` row and the rows up to it and puts both back (a rollback).

use crate::{Result, Store, Tx, now, on_pool, on_tx};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

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
    /// HMAC-SHA256(key, hash) in hex; empty when written without a key.
    pub mac: String,
}

/// The secret the audit entries are signed with: 32 random bytes from a file outside the
/// database. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; Key::LEN]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    pub const LEN: usize = 32;

    pub fn from_bytes(bytes: [u8; Key::LEN]) -> Key {
        Key(bytes)
    }

    /// A new key from the operating system's random source.
    pub fn generate() -> Key {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut bytes = [0u8; Key::LEN];
        OsRng.fill_bytes(&mut bytes);
        Key(bytes)
    }

    /// A key file's contents: 64 hexadecimal digits (as [`Key::to_file`] writes, surrounding
    /// whitespace ignored) or the 32 raw bytes. `None` for anything else.
    pub fn parse(contents: &[u8]) -> Option<Key> {
        if let Ok(text) = std::str::from_utf8(contents)
            && let Ok(bytes) = hex::decode(text.trim())
            && let Ok(bytes) = <[u8; Key::LEN]>::try_from(bytes.as_slice())
        {
            return Some(Key(bytes));
        }
        <[u8; Key::LEN]>::try_from(contents).ok().map(Key)
    }

    /// What a key file holds: the key in hexadecimal and a newline.
    pub fn to_file(&self) -> String {
        format!("{}\n", hex::encode(self.0))
    }

    fn hmac(&self, message: &[u8]) -> Hmac<Sha256> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC accepts a key of any length");
        m.update(message);
        m
    }

    fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.hmac(message).finalize().into_bytes())
    }

    /// Whether `mac` (hex) signs `message`, compared in constant time.
    fn signs(&self, message: &[u8], mac: &str) -> bool {
        hex::decode(mac).is_ok_and(|m| self.hmac(message).verify_slice(&m).is_ok())
    }
}

static KEY: OnceLock<Key> = OnceLock::new();

/// Installs the process's audit key; later appends are signed and [`verify`] checks signatures.
/// Returns false (and keeps the first) when a key was already installed.
pub fn install_key(key: Key) -> bool {
    KEY.set(key).is_ok()
}

/// The key installed with [`install_key`], if any.
pub fn installed_key() -> Option<&'static Key> {
    KEY.get()
}

/// What the head's MAC covers: the entry count, the last id and the last hash.
fn head_message(entries: i64, last_id: i64, last_hash: &str) -> Vec<u8> {
    format!("audit_head\n{entries}\n{last_id}\n{last_hash}").into_bytes()
}

/// A row's chain hash: SHA-256 over the previous hash and the fields, each length-prefixed. Public
/// because the algorithm is no secret (the MAC under the key is what a forger lacks).
pub fn digest(prev: &str, at: &DateTime<Utc>, e: &Entry<'_>) -> String {
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

/// Appends an entry in the caller's transaction, so the record commits with the change; signed
/// with the [installed key](install_key), if any.
pub async fn append(tx: &mut Tx, e: &Entry<'_>) -> Result<i64> {
    append_with(tx, e, installed_key()).await
}

/// [`append`] signing with `key` (unsigned with `None`), whatever key is installed.
pub async fn append_with(tx: &mut Tx, e: &Entry<'_>, key: Option<&Key>) -> Result<i64> {
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
    let mac = key.map(|k| k.sign(hash.as_bytes())).unwrap_or_default();
    let sql = "INSERT INTO audit_log (at, user_id, username, role, ip, action, object_kind, object_id, \
               before_json, after_json, prev_hash, hash, mac) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
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
        .bind(&mac)
        .fetch_one(&mut *c)
        .await?);
    // The head moves with the log, in the same transaction.
    let entries: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT entries FROM audit_head WHERE id = 1"
    )
    .fetch_optional(&mut *c)
    .await?);
    let entries = match entries {
        Some(n) => n + 1,
        None => on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_log"
        )
        .fetch_one(&mut *c)
        .await?),
    };
    let head_mac = key
        .map(|k| k.sign(&head_message(entries, id, &hash)))
        .unwrap_or_default();
    let sql = "INSERT INTO audit_head (id, entries, last_id, last_hash, mac) VALUES (1, $1, $2, $3, $4) \
               ON CONFLICT (id) DO UPDATE SET entries = excluded.entries, last_id = excluded.last_id, \
               last_hash = excluded.last_hash, mac = excluded.mac";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(entries)
        .bind(id)
        .bind(&hash)
        .bind(&head_mac)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(id)
}

/// Whether signatures were checked when the log verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signatures {
    /// No key: the chain and the head were checked, the signatures were not.
    NotChecked,
    /// Every signed row and the head checked; `unsigned` rows predate signing.
    Checked { unsigned: i64 },
}

/// The outcome of checking the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        rows: i64,
        signatures: Signatures,
    },
    /// The first row whose hash, link or signature does not match.
    Broken {
        id: i64,
        reason: String,
    },
    /// The head records more entries than the log holds: rows were cut off the end.
    /// `last_id` is the last row still there (0 when none is).
    Truncated {
        last_id: i64,
        rows: i64,
        expected: i64,
    },
    /// The head itself is missing, unsigned, wrongly signed or out of step with the log.
    HeadInvalid {
        reason: String,
    },
}

impl Verdict {
    /// The problem in one Chinese sentence; `None` when the log is intact.
    pub fn problem(&self) -> Option<String> {
        match self {
            Verdict::Intact { .. } => None,
            Verdict::Broken { id, reason } => {
                Some(format!("操作日志校验失败：第 {id} 条记录{reason}"))
            }
            Verdict::Truncated {
                last_id,
                rows,
                expected,
            } => Some(if *last_id == 0 {
                format!("操作日志末尾被删除：应有 {expected} 条记录，现已全部不在")
            } else {
                format!(
                    "操作日志末尾被删除：应有 {expected} 条记录，现有 {rows} 条，最后一条完整记录为第 {last_id} 条"
                )
            }),
            Verdict::HeadInvalid { reason } => Some(format!("操作日志校验失败：{reason}")),
        }
    }
}

/// Recomputes the whole chain and compares its end with the head, checking signatures with the
/// [installed key](install_key) if there is one.
pub async fn verify(store: &Store) -> Result<Verdict> {
    verify_with(store, installed_key()).await
}

/// Whether migration 0009 (`mac`, `audit_head`) has run: `verify` also reads older databases.
async fn sealed(store: &Store) -> Result<bool> {
    let n: i64 =
        match store {
            Store::Sqlite(p) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_head'",
            )
            .fetch_one(p)
            .await?,
            Store::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = 'audit_head'",
                )
                .fetch_one(p)
                .await?
            }
        };
    Ok(n > 0)
}

/// Whether the head is signed, i.e. entries have been written with a key: a process without the
/// key should then not append unsigned ones.
pub async fn head_signed(store: &Store) -> Result<bool> {
    if !sealed(store).await? {
        return Ok(false);
    }
    let mac: Option<String> = on_pool!(store, |p| sqlx::query_scalar(
        "SELECT mac FROM audit_head WHERE id = 1"
    )
    .fetch_optional(p)
    .await?);
    Ok(mac.is_some_and(|m| !m.is_empty()))
}

/// [`verify`] with `key` (signatures not checked with `None`), whatever key is installed.
pub async fn verify_with(store: &Store, key: Option<&Key>) -> Result<Verdict> {
    let sealed = sealed(store).await?;
    let sql = if sealed {
        "SELECT id, at, user_id, username, role, ip, action, object_kind, object_id, before_json, \
         after_json, prev_hash, hash, mac FROM audit_log ORDER BY id"
    } else {
        "SELECT id, at, user_id, username, role, ip, action, object_kind, object_id, before_json, \
         after_json, prev_hash, hash, '' AS mac FROM audit_log ORDER BY id"
    };
    let rows: Vec<Row> = on_pool!(store, |p| sqlx::query_as(sql).fetch_all(p).await?);
    let mut prev = GENESIS.to_string();
    let (mut signed, mut unsigned) = (0i64, 0i64);
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
        if r.mac.is_empty() {
            if key.is_some() && signed > 0 {
                return Ok(Verdict::Broken {
                    id: r.id,
                    reason: "没有签名，而此前的记录已签名（记录被改写或插入）".into(),
                });
            }
            unsigned += 1;
        } else {
            signed += 1;
            if let Some(k) = key
                && !k.signs(r.hash.as_bytes(), &r.mac)
            {
                return Ok(Verdict::Broken {
                    id: r.id,
                    reason: "签名不符（记录被改写并重算了哈希链，或密钥不对）".into(),
                });
            }
        }
        prev = r.hash.clone();
    }
    let count = rows.len() as i64;
    let signatures = match key {
        Some(_) => Signatures::Checked { unsigned },
        None => Signatures::NotChecked,
    };
    if !sealed {
        return Ok(Verdict::Intact {
            rows: count,
            signatures,
        });
    }
    let head: Option<(i64, i64, String, String)> = on_pool!(store, |p| sqlx::query_as(
        "SELECT entries, last_id, last_hash, mac FROM audit_head WHERE id = 1"
    )
    .fetch_optional(p)
    .await?);
    let Some((entries, head_id, head_hash, head_mac)) = head else {
        return Ok(Verdict::HeadInvalid {
            reason: "末尾记录（audit_head）缺失".into(),
        });
    };
    if let Some(k) = key {
        if head_mac.is_empty() {
            if signed > 0 {
                return Ok(Verdict::HeadInvalid {
                    reason: "末尾记录没有签名，而日志中已有签名记录（末尾记录被改写）".into(),
                });
            }
        } else if !k.signs(&head_message(entries, head_id, &head_hash), &head_mac) {
            return Ok(Verdict::HeadInvalid {
                reason: "末尾记录的签名不符（末尾记录被改写，或密钥不对）".into(),
            });
        }
    }
    let (last_id, last_hash) = rows
        .last()
        .map(|r| (r.id, r.hash.as_str()))
        .unwrap_or((0, GENESIS));
    if entries == count && head_id == last_id && head_hash == last_hash {
        Ok(Verdict::Intact {
            rows: count,
            signatures,
        })
    } else if entries > count || head_id > last_id {
        Ok(Verdict::Truncated {
            last_id,
            rows: count,
            expected: entries,
        })
    } else {
        Ok(Verdict::HeadInvalid {
            reason: format!(
                "末尾记录与日志不符：末尾记录为 {entries} 条、最后第 {head_id} 条，日志实有 {count} 条、最后第 {last_id} 条"
            ),
        })
    }
}

/// The id of the latest entry (0 for an empty log). Every change is written in one transaction
/// with its entry, so this number moves whenever the data may have changed: caches of computed
/// figures use it as the database's version (issue 14).
pub async fn version(store: &Store) -> Result<i64> {
    let sql = "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM audit_log";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await?))
}

/// The most recent entries, newest first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<Row>> {
    let sql = "SELECT id, at, user_id, username, role, ip, action, object_kind, object_id, before_json, \
               after_json, prev_hash, hash, mac FROM audit_log ORDER BY id DESC LIMIT $1";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// Entries whose user, action or object contains `q` (all when empty), newest first.
pub async fn search(store: &Store, q: &str, limit: i64) -> Result<Vec<Row>> {
    let sql = "SELECT id, at, user_id, username, role, ip, action, object_kind, object_id, before_json, \
               after_json, prev_hash, hash, mac FROM audit_log \
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
