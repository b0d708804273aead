//! Projects and the project library (SPEC §3, §5).

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory};

#[derive(Debug, Clone)]
pub struct NewProject<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub code: &'a str,
    pub name: &'a str,
    pub unit_id: i64,
    pub is_policy: bool,
    pub budget_type: BudgetType,
    pub category: ProjectCategory,
    pub continuity: Continuity,
    pub timing: BudgetTiming,
    pub start_year: i32,
    pub end_year: i32,
    pub current: Fen,
    pub carryover: Fen,
    pub other: Fen,
    pub is_major: bool,
    /// A code of `jixiao_domain::workflow` library states (`reserve`, `in_library`, …).
    pub library_status: &'a str,
    pub previous_project_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Project {
    pub id: i64,
    pub fiscal_year: i32,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub budget_type: String,
    pub category: String,
    pub continuity: String,
    pub timing: String,
    pub current_fen: i64,
    pub carryover_fen: i64,
    pub other_fen: i64,
    pub is_major: bool,
    pub library_status: String,
}

impl Project {
    pub fn total(&self) -> Fen {
        Fen(self.current_fen + self.carryover_fen + self.other_fen)
    }
}

/// Inserts a project; a code already used in its region and year is [`StoreError::Duplicate`].
pub async fn insert(tx: &mut Tx, p: &NewProject<'_>) -> Result<i64> {
    let sql = "INSERT INTO projects (region_code, fiscal_year, code, name, unit_id, is_policy, \
               budget_type, category, continuity, timing, start_year, end_year, current_fen, \
               carryover_fen, other_fen, is_major, library_status, previous_project_id, created_at, pinyin) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
               RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(p.region)
        .bind(p.fiscal_year)
        .bind(p.code)
        .bind(p.name)
        .bind(p.unit_id)
        .bind(p.is_policy)
        .bind(p.budget_type.code())
        .bind(p.category.code())
        .bind(p.continuity.code())
        .bind(p.timing.code())
        .bind(p.start_year)
        .bind(p.end_year)
        .bind(p.current.0)
        .bind(p.carryover.0)
        .bind(p.other.0)
        .bind(p.is_major)
        .bind(p.library_status)
        .bind(p.previous_project_id)
        .bind(now())
        .bind(crate::pinyin_key::key(p.name))
        .fetch_one(&mut *c)
        .await
        .map_err(|e| StoreError::duplicate_as(
            e,
            &format!("{} 年项目编码 {}", p.fiscal_year, p.code)
        ))?))
}

/// Bind parameters of one multi-row statement at most: under SQLite's 32,766 and PostgreSQL's
/// 65,535.
pub(crate) const MAX_BINDS: usize = 30_000;

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `columns` values; on SQLite `(?, ?, ?), …`:
/// SQLite looks a named parameter up by a scan of the statement's names, once per value bound,
/// which makes a statement of thousands of `$n` quadratic; anonymous ones are bound by position.
pub(crate) fn values_placeholders(tx: &Tx, columns: usize, rows: usize) -> String {
    let sqlite = matches!(tx, Tx::Sqlite(_));
    let mut sql = String::with_capacity(rows * columns * 7);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            if sqlite {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&(r * columns + c + 1).to_string());
            }
        }
        sql.push(')');
    }
    sql
}

/// Inserts many projects exactly as [`insert`] would one by one (the same columns, the pinyin
/// key, ids in the order given), in multi-row statements of at most [`MAX_BINDS`] values.
/// A code already used is [`StoreError::Duplicate`], naming the codes of the statement that
/// failed. Returns the number inserted.
pub async fn insert_many(tx: &mut Tx, projects: &[NewProject<'_>]) -> Result<u64> {
    const COLUMNS: usize = 20;
    let mut done = 0;
    for chunk in projects.chunks(MAX_BINDS / COLUMNS) {
        let sql = format!(
            "INSERT INTO projects (region_code, fiscal_year, code, name, unit_id, is_policy, \
             budget_type, category, continuity, timing, start_year, end_year, current_fen, \
             carryover_fen, other_fen, is_major, library_status, previous_project_id, created_at, pinyin) \
             VALUES {}",
            values_placeholders(tx, COLUMNS, chunk.len())
        );
        let (first, last) = (chunk[0].code, chunk[chunk.len() - 1].code);
        let what = if first == last {
            format!("{} 年项目编码 {first}", chunk[0].fiscal_year)
        } else {
            format!(
                "{} 年项目编码（{first} 至 {last} 之中）",
                chunk[0].fiscal_year
            )
        };
        done += on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q
                    .bind(p.region)
                    .bind(p.fiscal_year)
                    .bind(p.code)
                    .bind(p.name)
                    .bind(p.unit_id)
                    .bind(p.is_policy)
                    .bind(p.budget_type.code())
                    .bind(p.category.code())
                    .bind(p.continuity.code())
                    .bind(p.timing.code())
                    .bind(p.start_year)
                    .bind(p.end_year)
                    .bind(p.current.0)
                    .bind(p.carryover.0)
                    .bind(p.other.0)
                    .bind(p.is_major)
                    .bind(p.library_status)
                    .bind(p.previous_project_id)
                    .bind(now())
                    .bind(crate::pinyin_key::key(p.name));
            }
            q.execute(&mut *c)
                .await
                .map_err(|e| StoreError::duplicate_as(e, &what))?
                .rows_affected()
        });
    }
    Ok(done)
}

pub async fn list(store: &Store, region: &str, year: i32) -> Result<Vec<Project>> {
    let sql = "SELECT id, fiscal_year, code, name, unit_id, budget_type, category, continuity, \
               timing, current_fen, carryover_fen, other_fen, is_major, library_status \
               FROM projects WHERE region_code = $1 AND fiscal_year = $2 ORDER BY code";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?))
}

/// Everything about one project, for its page, its edit form and the library gates.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct ProjectRecord {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub is_policy: bool,
    pub budget_type: String,
    pub category: String,
    pub continuity: String,
    pub timing: String,
    pub start_year: i32,
    pub end_year: i32,
    pub current_fen: i64,
    pub carryover_fen: i64,
    pub other_fen: i64,
    pub is_major: bool,
    pub library_status: String,
    pub previous_project_id: Option<i64>,
    pub row_version: i32,
}

impl ProjectRecord {
    pub fn total(&self) -> Fen {
        Fen(self.current_fen + self.carryover_fen + self.other_fen)
    }
}

const RECORD_COLUMNS: &str = "id, region_code, fiscal_year, code, name, unit_id, is_policy, \
    budget_type, category, continuity, timing, start_year, end_year, current_fen, carryover_fen, \
    other_fen, is_major, library_status, previous_project_id, row_version";

/// One project of a region.
pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<ProjectRecord>> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM projects WHERE region_code = $1 AND id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Whether a project code is taken in a region and year.
pub async fn code_taken(store: &Store, region: &str, year: i32, code: &str) -> Result<bool> {
    let sql =
        "SELECT COUNT(*) FROM projects WHERE region_code = $1 AND fiscal_year = $2 AND code = $3";
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .bind(code)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}

/// The next free code of a unit's projects in a year, `{unit code}-{year}-{nnn}`, read inside the
/// transaction that inserts the project: on SQLite the write lock
/// is already held (`BEGIN IMMEDIATE`), so concurrent proposals cannot pick the same code; on
/// PostgreSQL the unique key still refuses a collision and the caller takes the next one.
pub async fn next_code_in(tx: &mut Tx, region: &str, year: i32, unit_code: &str) -> Result<String> {
    let prefix = format!("{unit_code}-{year}-");
    let sql =
        "SELECT code FROM projects WHERE region_code = $1 AND fiscal_year = $2 AND code LIKE $3";
    let codes: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .bind(format!("{prefix}%"))
        .fetch_all(&mut *c)
        .await?);
    Ok(after_highest(&prefix, &codes))
}

fn after_highest(prefix: &str, codes: &[String]) -> String {
    let max = codes
        .iter()
        .filter_map(|c| c.strip_prefix(prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{:03}", max + 1)
}

/// The editable fields of a project (SPEC §3).
#[derive(Debug, Clone)]
pub struct ProjectEdit<'a> {
    pub name: &'a str,
    pub is_policy: bool,
    pub budget_type: BudgetType,
    pub category: ProjectCategory,
    pub continuity: Continuity,
    pub timing: BudgetTiming,
    pub start_year: i32,
    pub end_year: i32,
    pub current: Fen,
    pub carryover: Fen,
    pub other: Fen,
    pub is_major: bool,
    pub previous_project_id: Option<i64>,
}

/// Saves an edit if nobody saved in between (`row_version`, SPEC §4): otherwise
/// [`crate::StoreError::Conflict`] and nothing is written.
pub async fn update(tx: &mut Tx, id: i64, row_version: i32, e: &ProjectEdit<'_>) -> Result<()> {
    let sql = "UPDATE projects SET name = $1, is_policy = $2, budget_type = $3, category = $4, \
               continuity = $5, timing = $6, start_year = $7, end_year = $8, current_fen = $9, \
               carryover_fen = $10, other_fen = $11, is_major = $12, previous_project_id = $13, \
               pinyin = $14, row_version = row_version + 1 WHERE id = $15 AND row_version = $16";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(e.name)
        .bind(e.is_policy)
        .bind(e.budget_type.code())
        .bind(e.category.code())
        .bind(e.continuity.code())
        .bind(e.timing.code())
        .bind(e.start_year)
        .bind(e.end_year)
        .bind(e.current.0)
        .bind(e.carryover.0)
        .bind(e.other.0)
        .bind(e.is_major)
        .bind(e.previous_project_id)
        .bind(crate::pinyin_key::key(e.name))
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    Ok(())
}

/// Moves a project through the library (the caller asked the domain first), if nobody changed
/// it in between.
pub async fn set_status(tx: &mut Tx, id: i64, row_version: i32, status: &str) -> Result<()> {
    let sql = "UPDATE projects SET library_status = $1, row_version = row_version + 1 \
               WHERE id = $2 AND row_version = $3";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(status)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    Ok(())
}

/// The fiscal years that have projects, newest first.
pub async fn years(store: &Store, region: &str) -> Result<Vec<i32>> {
    let sql = "SELECT DISTINCT fiscal_year FROM projects WHERE region_code = $1 ORDER BY fiscal_year DESC";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// Those of `ids` that are not projects of the region.
pub async fn not_in_region(
    store: &crate::Store,
    region: &str,
    ids: &[i64],
) -> crate::Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT id FROM projects WHERE region_code = $1 AND id IN ({list})");
    let found: Vec<i64> = crate::on_pool!(store, |p| sqlx::query_scalar(&sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok(ids.iter().copied().filter(|i| !found.contains(i)).collect())
}

/// The ids of the region's projects of `year` with these codes, and the codes not found.
pub async fn ids_by_code(
    store: &crate::Store,
    region: &str,
    year: i32,
    codes: &[String],
) -> crate::Result<(Vec<i64>, Vec<String>)> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    let sql = "SELECT id FROM projects WHERE region_code = $1 AND fiscal_year = $2 AND code = $3";
    for code in codes.iter().take(2000) {
        let id: Option<i64> = crate::on_pool!(store, |p| sqlx::query_scalar(sql)
            .bind(region)
            .bind(year)
            .bind(code)
            .fetch_optional(p)
            .await?);
        match id {
            Some(id) => ids.push(id),
            None => unknown.push(code.clone()),
        }
    }
    Ok((ids, unknown))
}
