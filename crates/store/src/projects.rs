//! Projects and the project library (SPEC §3, §5).

use crate::{Result, Store, Tx, now, on_pool, on_tx};
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
        .await?))
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
