//! Operating the database (issue 13, SPEC §16): a consistent online copy of a SQLite database,
//! the integrity check, and the migration state, for `jixiao backup`, `restore` and `check`.
//! PostgreSQL copies are made by its own `pg_dump`, which the command runs.

use crate::{Result, Store, StoreError, on_pool};
use std::path::Path;

/// Copies a live SQLite database to `dest` with `VACUUM INTO`: one consistent snapshot taken
/// inside a read transaction, so writers go on meanwhile and the copy holds only committed
/// data. `dest` must not exist.
pub async fn backup_sqlite(store: &Store, dest: &Path) -> Result<()> {
    let Store::Sqlite(pool) = store else {
        return Err(StoreError::Invalid(
            "VACUUM INTO 只适用于 SQLite 数据库".into(),
        ));
    };
    if dest.exists() {
        return Err(StoreError::Invalid(format!(
            "备份文件 {} 已存在：请换一个文件名或先删除它",
            dest.display()
        )));
    }
    let path = dest.to_string_lossy().replace('\'', "''");
    sqlx::query(&format!("VACUUM INTO '{path}'"))
        .execute(pool)
        .await?;
    Ok(())
}

/// Problems the database's own consistency checks report (none when healthy): SQLite's
/// `integrity_check` and `foreign_key_check`; on PostgreSQL, that every table answers.
pub async fn integrity_problems(store: &Store) -> Result<Vec<String>> {
    match store {
        Store::Sqlite(pool) => {
            let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(pool)
                .await?;
            let mut out: Vec<String> = rows.into_iter().filter(|r| r != "ok").collect();
            let broken: Vec<(String, i64, String)> =
                sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                    .fetch_all(pool)
                    .await?;
            out.extend(broken.into_iter().map(|(table, row, parent)| {
                format!("表 {table} 第 {row} 行引用的 {parent} 记录不存在")
            }));
            Ok(out)
        }
        Store::Postgres(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::TEXT FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(pool)
            .await?;
            let mut out = Vec::new();
            for t in tables {
                let q = format!("SELECT COUNT(*) FROM \"{}\"", t.replace('"', "\"\""));
                if let Err(e) = sqlx::query_scalar::<_, i64>(&q).fetch_one(pool).await {
                    out.push(format!("表 {t} 无法读取：{e}"));
                }
            }
            Ok(out)
        }
    }
}

/// Which migrations this program knows and which the database has applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub known: Vec<i64>,
    pub applied: Vec<i64>,
}

impl MigrationState {
    /// Known to the program, not yet applied.
    pub fn pending(&self) -> Vec<i64> {
        self.known
            .iter()
            .filter(|v| !self.applied.contains(v))
            .copied()
            .collect()
    }

    /// Applied by a newer program than this one.
    pub fn unknown(&self) -> Vec<i64> {
        self.applied
            .iter()
            .filter(|v| !self.known.contains(v))
            .copied()
            .collect()
    }
}

pub async fn migration_state(store: &Store) -> Result<MigrationState> {
    let known = match store {
        Store::Sqlite(_) => crate::SQLITE_MIGRATIONS.iter(),
        Store::Postgres(_) => crate::POSTGRES_MIGRATIONS.iter(),
    }
    .map(|m| m.version)
    .collect();
    let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
    let applied: Vec<i64> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .fetch_all(p)
        .await
        .unwrap_or_default());
    Ok(MigrationState { known, applied })
}

/// Counts a person checking a copy wants to see: regions, projects, audit rows.
pub async fn summary(store: &Store) -> Result<(i64, i64, i64)> {
    let count = async |sql: &str| -> Result<i64> {
        Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await?))
    };
    Ok((
        count("SELECT COUNT(*) FROM regions").await?,
        count("SELECT COUNT(*) FROM projects").await?,
        count("SELECT COUNT(*) FROM audit_log").await?,
    ))
}
