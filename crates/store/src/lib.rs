//! Storage for Jixiao: one set of repository functions over two backends, SQLite (the default,
//! embedded) and PostgreSQL (production).
//!
//! Both backends run the same SQL text wherever the dialects agree (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`); the [`on_pool!`] and [`on_tx!`] macros expand a body once per
//! backend, so each is type-checked against its own driver and no `Any` driver is involved.
//! Schema differences live only in the two migration folders, which keep identical version
//! lists (a test checks). Errors of this layer are [`StoreError`]; callers never see sqlx types.

pub mod agencies;
pub mod assessment;
pub mod attachments;
pub mod audit;
pub mod browse;
pub mod dashboard;
pub mod deadlines;
pub mod disclosure;
pub mod evaluations;
pub mod ex_ante;
pub mod feedback;
pub mod framework_evaluation;
pub mod history;
pub mod idempotency;
pub mod imports;
pub mod indicator_library;
pub mod monitoring;
pub mod narratives;
pub mod ops;
pub mod pinyin_key;
pub mod projects;
pub mod rectifications;
pub mod region_assessment;
pub mod regions;
pub mod report;
pub mod self_evaluation;
pub mod sessions;
pub mod targets;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod todos;
pub mod units;
pub mod users;
pub mod verification;
pub mod years;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Errors of the storage layer, with messages a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库地址“{0}”无效：应以 sqlite:// 或 postgres:// 开头")]
    BadUrl(String),
    #[error("无法连接数据库 {url}：{reason}")]
    Connect { url: String, reason: String },
    #[error("数据库迁移失败：{0}")]
    Migrate(String),
    #[error("记录不存在：{0}")]
    NotFound(String),
    #[error("记录已被他人修改，请刷新后重试")]
    Conflict,
    #[error("数据不合法：{0}")]
    Invalid(String),
    /// A unique key is taken (e.g. a project code within its region and year); the text names
    /// the key.
    #[error("已存在：{0}")]
    Duplicate(String),
    /// A rule of the domain refuses the change; the message says why, for the user.
    #[error("{0}")]
    Refused(String),
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// A unique-key violation as [`StoreError::Duplicate`] naming `what`; any other error as is.
    pub fn duplicate_as(e: sqlx::Error, what: &str) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Duplicate(what.to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }
}

/// How a server's connection pool is sized (`jixiao serve --db-pool-size`, issue 14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections held at most. On SQLite they share one writer; on PostgreSQL each is a
    /// server process, so the sum over all servers must stay below `max_connections`.
    pub max_connections: u32,
    /// PostgreSQL only: the longest a statement may run before the server cancels it.
    pub statement_timeout: Option<Duration>,
    /// SQLite only: how much of the database file each connection reads through memory-mapped
    /// I/O (`PRAGMA mmap_size`), in MiB; 0 reads through SQLite's page cache alone. Measured on
    /// the generated province (issue 14): a county's lists at 64 clients went from about 700 to
    /// 1,000 requests/s, because a page no longer is copied into every connection's cache.
    pub sqlite_mmap_mib: u32,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: 8,
            statement_timeout: None,
            sqlite_mmap_mib: 1024,
        }
    }
}

/// A connection pool on one of the two backends.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on one of the two backends; everything written through it commits or
/// rolls back together (SPEC §17 "all or nothing").
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$p` bound to the backend's pool (`&SqlitePool` or `&PgPool`).
#[macro_export]
macro_rules! on_pool {
    ($store:expr, |$p:ident| $body:expr) => {
        match $store {
            $crate::Store::Sqlite($p) => $body,
            $crate::Store::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

pub(crate) static SQLITE_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens a database by URL. SQLite files are created when missing, in WAL mode with
    /// `synchronous=FULL` and foreign keys on (SPEC §17).
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_with(url, PoolSettings::default()).await
    }

    /// [`Store::connect`] with the pool's size and, on PostgreSQL, a statement timeout (issue 14:
    /// a province's server is tuned to its database, not to the demo county's).
    pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<Store> {
        let connect_err = |e: sqlx::Error| StoreError::Connect {
            url: redact(url),
            reason: connect_reason(&e),
        };
        match Backend::of_url(url)? {
            Backend::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl(url.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let opts = opts.pragma(
                    "mmap_size",
                    (u64::from(pool.sqlite_mmap_mib) << 20).to_string(),
                );
                let pool = SqlitePoolOptions::new()
                    .max_connections(pool.max_connections)
                    .connect_with(opts)
                    .await
                    .map_err(connect_err)?;
                Ok(Store::Sqlite(pool))
            }
            Backend::Postgres => {
                let mut opts = PgConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl(url.to_string()))?;
                if let Some(timeout) = pool.statement_timeout {
                    // Set per connection at login; PostgreSQL cancels a longer statement with
                    // "canceling statement due to statement timeout" (an error, not a hang).
                    opts =
                        opts.options([("statement_timeout", format!("{}ms", timeout.as_millis()))]);
                }
                Self::connect_postgres_with(opts, pool)
                    .await
                    .map_err(connect_err)
            }
        }
    }

    /// Opens PostgreSQL with explicit options (tests use this to pin a search_path per test).
    pub async fn connect_postgres(
        opts: PgConnectOptions,
    ) -> std::result::Result<Store, sqlx::Error> {
        Self::connect_postgres_with(opts, PoolSettings::default()).await
    }

    async fn connect_postgres_with(
        opts: PgConnectOptions,
        settings: PoolSettings,
    ) -> std::result::Result<Store, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Store::Postgres(pool))
    }

    /// An in-memory SQLite database (one connection, so all queries see the same data).
    pub async fn memory() -> Result<Store> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|_| StoreError::BadUrl("sqlite::memory:".into()))?
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        Ok(Store::Sqlite(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        let r = match self {
            Store::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Store::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        };
        r.map_err(|e| StoreError::Migrate(e.to_string()))
    }

    /// A write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at the
    /// start, where the busy timeout applies, instead of at the first write, where SQLite
    /// refuses a deferred transaction's lock upgrade at once with "database is locked" whenever
    /// another writer is active (issue 13: concurrent logins and exports answered 500).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        on_pool!(self, |p| p.close().await)
    }

    /// A key of the `meta` table (e.g. `demo` marks a demo database).
    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        let sql = "SELECT value FROM meta WHERE key = $1";
        Ok(on_pool!(self, |p| sqlx::query_scalar(sql)
            .bind(key)
            .fetch_optional(p)
            .await?))
    }

    /// Whether the schema exists (migrations have run at least once).
    pub async fn is_initialised(&self) -> Result<bool> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'regions'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = 'regions'"
            }
        };
        let n: i64 = on_pool!(self, |p| sqlx::query_scalar(sql).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// Whether any region exists: an initialised database holding data.
    pub async fn has_data(&self) -> Result<bool> {
        if !self.is_initialised().await? {
            return Ok(false);
        }
        let n: i64 = on_pool!(self, |p| sqlx::query_scalar("SELECT COUNT(*) FROM regions")
            .fetch_one(p)
            .await?);
        Ok(n > 0)
    }

    /// Drops every table (used by `demo --reset`).
    pub async fn reset(&self) -> Result<()> {
        match self {
            Store::Sqlite(p) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(p)
                .await?;
                let mut c = p.acquire().await?;
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *c)
                    .await
                    .map(|_| ())?;
                for t in tables {
                    sqlx::query(&format!("DROP TABLE IF EXISTS \"{t}\""))
                        .execute(&mut *c)
                        .await
                        .map(|_| ())?;
                }
                sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *c)
                    .await
                    .map(|_| ())?;
            }
            Store::Postgres(p) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .fetch_all(p)
                .await?;
                for t in tables {
                    sqlx::query(&format!("DROP TABLE IF EXISTS \"{t}\" CASCADE"))
                        .execute(p)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        let sql = "INSERT INTO meta (key, value) VALUES ($1, $2) \
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(key)
            .bind(value)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        Ok(())
    }
}

/// Why a connection failed, in words a user can act on; the driver's text follows in brackets.
fn connect_reason(e: &sqlx::Error) -> String {
    let detail = e.to_string();
    let why = match e {
        sqlx::Error::Io(_) => "网络不通或数据库服务未启动",
        sqlx::Error::PoolTimedOut => "连接超时：数据库服务未启动或地址、端口有误",
        sqlx::Error::Tls(_) => "TLS 加密连接失败",
        sqlx::Error::Database(db) if db.code().as_deref() == Some("14") => {
            "无法打开数据库文件：目录不存在或没有写权限"
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("28P01") => "用户名或密码错误",
        sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => "数据库不存在",
        _ => "数据库拒绝了连接",
    };
    format!("{why}（{detail}）")
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The current time, truncated to microseconds so that both backends store it identically.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn backend_of_url() {
        assert_eq!(Backend::of_url("sqlite://a.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgresql://h/db").unwrap(),
            Backend::Postgres
        );
        assert!(matches!(
            Backend::of_url("mysql://h"),
            Err(StoreError::BadUrl(_))
        ));
    }
}
