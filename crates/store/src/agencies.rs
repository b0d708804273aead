//! Third-party agencies and their engagements (SPEC §9).

use crate::{Result, Store, Tx, on_pool, on_tx};
use chrono::NaiveDate;
use jixiao_domain::Fen;

#[derive(Debug, Clone)]
pub struct NewAgency<'a> {
    pub region: &'a str,
    pub name: &'a str,
    pub credit_code: &'a str,
    pub agency_type: &'a str,
    pub qualifications: &'a str,
    pub staff_count: i32,
    pub contact: &'a str,
}

pub async fn insert(tx: &mut Tx, a: &NewAgency<'_>) -> Result<i64> {
    let sql = "INSERT INTO agencies (region_code, name, credit_code, agency_type, qualifications, \
               staff_count, contact) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(a.region)
        .bind(a.name)
        .bind(a.credit_code)
        .bind(a.agency_type)
        .bind(a.qualifications)
        .bind(a.staff_count)
        .bind(a.contact)
        .fetch_one(&mut *c)
        .await?))
}

#[derive(Debug, Clone)]
pub struct NewEngagement<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub agency_id: i64,
    pub principal_unit_id: Option<i64>,
    /// `ex_ante` or `evaluation`.
    pub kind: &'a str,
    pub title: &'a str,
    pub procurement_method: &'a str,
    pub contract_no: &'a str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub fee: Fen,
    pub team: &'a str,
    pub quality_x100: Option<i64>,
    pub quality_grade: Option<&'a str>,
}

/// Records an engagement. It holds no conflict-of-interest declaration (`coi_declared` stays
/// FALSE) until a person makes one: see [`declare_conflict_of_interest`].
pub async fn insert_engagement(tx: &mut Tx, e: &NewEngagement<'_>) -> Result<i64> {
    let sql = "INSERT INTO agency_engagements (region_code, fiscal_year, agency_id, principal_unit_id, \
               kind, title, procurement_method, contract_no, start_date, end_date, fee_fen, team, \
               coi_declared, final_report_date, quality_x100, quality_grade) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(e.region)
        .bind(e.fiscal_year)
        .bind(e.agency_id)
        .bind(e.principal_unit_id)
        .bind(e.kind)
        .bind(e.title)
        .bind(e.procurement_method)
        .bind(e.contract_no)
        .bind(e.start_date)
        .bind(e.end_date)
        .bind(e.fee.0)
        .bind(e.team)
        .bind(false)
        .bind(e.end_date)
        .bind(e.quality_x100)
        .bind(e.quality_grade)
        .fetch_one(&mut *c)
        .await?))
}

/// The id of the region's agency with exactly this name (e.g. to link an evaluator account).
pub async fn id_by_name(store: &Store, region: &str, name: &str) -> Result<Option<i64>> {
    let sql = "SELECT id FROM agencies WHERE region_code = $1 AND name = $2";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(name.trim())
        .fetch_optional(p)
        .await?))
}

/// Records that the agency's team declared it has no conflict of interest with the engagement
/// (SPEC §9): called only when a person made the declaration.
pub async fn declare_conflict_of_interest(tx: &mut Tx, engagement_id: i64) -> Result<()> {
    let sql = "UPDATE agency_engagements SET coi_declared = TRUE WHERE id = $1";
    let done = on_tx!(tx, |c| sqlx::query(sql)
        .bind(engagement_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if done == 1 {
        Ok(())
    } else {
        Err(crate::StoreError::NotFound(format!(
            "委托业务 {engagement_id}"
        )))
    }
}

/// Whether the engagement holds a conflict-of-interest declaration.
pub async fn coi_declared(store: &crate::Store, engagement_id: i64) -> Result<Option<bool>> {
    let sql = "SELECT coi_declared FROM agency_engagements WHERE id = $1";
    Ok(crate::on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(engagement_id)
        .fetch_optional(p)
        .await?))
}
