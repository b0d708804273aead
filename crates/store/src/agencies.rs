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

/// An agency with what its page shows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AgencyRecord {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub agency_type: String,
    pub qualifications: String,
    pub staff_count: i32,
    pub contact: String,
    pub status: String,
    pub status_date: Option<NaiveDate>,
    pub status_reason: String,
}

pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<AgencyRecord>> {
    let sql = "SELECT id, name, credit_code, agency_type, qualifications, staff_count, contact, status, \
               status_date, status_reason FROM agencies WHERE region_code = $1 AND id = $2";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Whether the region already has an agency with this credit code.
pub async fn credit_code_taken(store: &Store, region: &str, code: &str) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM agencies WHERE region_code = $1 AND credit_code = $2";
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(code)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}

/// Sets an agency's status with its date and reason.
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: &str,
    date: NaiveDate,
    reason: &str,
) -> Result<()> {
    let sql = "UPDATE agencies SET status = $1, status_date = $2, status_reason = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(status)
        .bind(date)
        .bind(reason)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// An engagement with its agency, as its page shows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct EngagementRecord {
    pub id: i64,
    pub fiscal_year: i32,
    pub agency_id: i64,
    pub agency_name: String,
    pub agency_status: String,
    pub kind: String,
    pub title: String,
    pub procurement_method: String,
    pub contract_no: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub fee_fen: i64,
    pub team: String,
    pub conflict_warning: String,
    pub coi_declared: bool,
    pub coi_declared_at: Option<chrono::DateTime<chrono::Utc>>,
    pub coi_declared_by_name: Option<String>,
    pub coi_statement: String,
    pub plan_date: Option<NaiveDate>,
    pub draft_report_date: Option<NaiveDate>,
    pub final_report_date: Option<NaiveDate>,
    pub quality_x100: Option<i64>,
    pub quality_grade: Option<String>,
    pub quality_findings: String,
    pub quality_items: String,
    pub quality_rated_at: Option<chrono::DateTime<chrono::Utc>>,
}

const ENGAGEMENT_SELECT: &str = "SELECT g.id, g.fiscal_year, g.agency_id, a.name AS agency_name, a.status AS agency_status, \
     g.kind, g.title, g.procurement_method, g.contract_no, g.start_date, g.end_date, g.fee_fen, g.team, \
     g.conflict_warning, g.coi_declared, g.coi_declared_at, u.display_name AS coi_declared_by_name, g.coi_statement, \
     g.plan_date, g.draft_report_date, g.final_report_date, g.quality_x100, g.quality_grade, g.quality_findings, g.quality_items, g.quality_rated_at \
     FROM agency_engagements g JOIN agencies a ON a.id = g.agency_id LEFT JOIN users u ON u.id = g.coi_declared_by";

pub async fn engagement(store: &Store, region: &str, id: i64) -> Result<Option<EngagementRecord>> {
    let sql = format!("{ENGAGEMENT_SELECT} WHERE g.region_code = $1 AND g.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// An agency's engagements, newest first (its history on its page).
pub async fn engagements_of(
    store: &Store,
    region: &str,
    agency_id: i64,
) -> Result<Vec<EngagementRecord>> {
    let sql = format!(
        "{ENGAGEMENT_SELECT} WHERE g.region_code = $1 AND g.agency_id = $2 ORDER BY g.fiscal_year DESC, g.id DESC LIMIT 500"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(agency_id)
        .fetch_all(p)
        .await?))
}

/// The agency's other engagements of the year that touch one of the units given (through their
/// evaluations or ex-ante assessments): the 回避 warning of a new engagement (SPEC §9).
pub async fn same_unit_engagements(
    store: &Store,
    region: &str,
    agency_id: i64,
    fiscal_year: i32,
    unit_ids: &[i64],
) -> Result<Vec<String>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let units = unit_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT g.title FROM agency_engagements g WHERE g.region_code = $1 AND g.agency_id = $2 \
         AND g.fiscal_year = $3 AND (EXISTS (SELECT 1 FROM evaluations e WHERE e.engagement_id = g.id \
         AND e.unit_id IN ({units})) OR EXISTS (SELECT 1 FROM ex_ante_assessments x JOIN projects p ON p.id = x.project_id \
         WHERE x.engagement_id = g.id AND p.unit_id IN ({units}))) ORDER BY g.id"
    );
    Ok(on_pool!(store, |p| sqlx::query_scalar(&sql)
        .bind(region)
        .bind(agency_id)
        .bind(fiscal_year)
        .fetch_all(p)
        .await?))
}

/// Records the creator and the warning of a new engagement.
pub async fn set_created(tx: &mut Tx, id: i64, by: Option<i64>, warning: &str) -> Result<()> {
    let sql = "UPDATE agency_engagements SET created_by = $1, created_at = $2, conflict_warning = $3, \
               final_report_date = NULL WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(by)
        .bind(crate::now())
        .bind(warning)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// The declaration as the agency's evaluator made it.
pub async fn record_declaration(tx: &mut Tx, id: i64, by: i64, statement: &str) -> Result<()> {
    let sql = "UPDATE agency_engagements SET coi_declared = TRUE, coi_declared_by = $1, coi_declared_at = $2, \
               coi_statement = $3 WHERE id = $4";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(by)
        .bind(crate::now())
        .bind(statement)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// The finance office's quality rating: item scores (JSON), total, grade, findings.
pub async fn record_rating(
    tx: &mut Tx,
    id: i64,
    items_json: &str,
    total_x100: i64,
    grade: &str,
    findings: &str,
    by: Option<i64>,
) -> Result<()> {
    let sql = "UPDATE agency_engagements SET quality_items = $1, quality_x100 = $2, quality_grade = $3, \
               quality_findings = $4, quality_rated_by = $5, quality_rated_at = $6 WHERE id = $7";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(items_json)
        .bind(total_x100)
        .bind(grade)
        .bind(findings)
        .bind(by)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// The evaluations of an engagement: (id, title, unit, state, total).
pub async fn engagement_evaluations(
    store: &Store,
    id: i64,
) -> Result<Vec<(i64, String, String, String, Option<i64>)>> {
    let sql = "SELECT e.id, e.title, u.name, e.state, e.total_x100 FROM evaluations e JOIN units u ON u.id = e.unit_id \
               WHERE e.engagement_id = $1 ORDER BY e.id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

/// Records the day a deliverable (`plan`, `draft`, `final`) was handed in.
pub async fn set_deliverable_date(tx: &mut Tx, id: i64, which: &str, day: NaiveDate) -> Result<()> {
    let column = match which {
        "plan" => "plan_date",
        "draft" => "draft_report_date",
        _ => "final_report_date",
    };
    let sql = format!("UPDATE agency_engagements SET {column} = $1 WHERE id = $2");
    on_tx!(tx, |c| sqlx::query(&sql)
        .bind(day)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}
