//! Declaration deadlines (申报期限) per region, fiscal year and kind, and where each unit stands
//! against the target declaration deadline (绩效目标申报, SPEC §6; timeliness counts in §11).
//!
//! Dates are calendar days in the county's time (China Standard Time, UTC+8): a target submitted
//! at 07:00 Beijing time the morning after the deadline day is late, although UTC still says the
//! deadline day. [`local_date`] makes that conversion in one place.

use crate::browse::Scope;
use crate::todos::unit_condition;
use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use jixiao_domain::deadline::{self, DeadlineKind, Timeliness};
use jixiao_domain::workflow::Date;

/// A deadline as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    pub set_by: Option<i64>,
    /// The display name of the user who set it, when known.
    pub set_by_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DeadlineRow {
    id: i64,
    region_code: String,
    fiscal_year: i32,
    kind: String,
    due_on: NaiveDate,
    set_by: Option<i64>,
    set_by_name: Option<String>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<DeadlineRow> for Deadline {
    type Error = StoreError;

    fn try_from(r: DeadlineRow) -> Result<Deadline> {
        let kind = DeadlineKind::parse(&r.kind)
            .ok_or_else(|| StoreError::Invalid(format!("未知的期限类型“{}”", r.kind)))?;
        Ok(Deadline {
            id: r.id,
            region_code: r.region_code,
            fiscal_year: r.fiscal_year,
            kind,
            due_on: r.due_on,
            set_by: r.set_by,
            set_by_name: r.set_by_name,
            updated_at: r.updated_at,
        })
    }
}

const SELECT: &str = "SELECT d.id, d.region_code, d.fiscal_year, d.kind, d.due_on, d.set_by, \
                      u.display_name AS set_by_name, d.updated_at \
                      FROM deadlines d LEFT JOIN users u ON u.id = d.set_by";

/// The county's time zone (UTC+8).
fn county_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// The calendar day in the county at instant `at`.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&county_offset()).date_naive()
}

/// The instant the county's `day` ends (its next midnight), in UTC: a submission before it is on
/// time for a deadline on `day`.
pub fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day);
    next.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(county_offset()).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

/// Today in the county.
pub fn today() -> NaiveDate {
    local_date(Utc::now())
}

/// A chrono date as the domain's [`Date`].
pub fn domain_date(d: NaiveDate) -> Date {
    Date::new(d.year(), d.month(), d.day()).expect("a chrono date is a valid Gregorian date")
}

/// Sets (inserts or replaces) the `kind` deadline of `year`, returning the date it replaced.
pub async fn set(
    tx: &mut Tx,
    region: &str,
    year: i32,
    kind: DeadlineKind,
    due_on: NaiveDate,
    user_id: Option<i64>,
) -> Result<Option<NaiveDate>> {
    let sql =
        "SELECT due_on FROM deadlines WHERE region_code = $1 AND fiscal_year = $2 AND kind = $3";
    let before: Option<NaiveDate> = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .bind(kind.code())
        .fetch_optional(&mut *c)
        .await?);
    let sql = "INSERT INTO deadlines (region_code, fiscal_year, kind, due_on, set_by, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (region_code, fiscal_year, kind) \
               DO UPDATE SET due_on = excluded.due_on, set_by = excluded.set_by, \
               updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(region)
        .bind(year)
        .bind(kind.code())
        .bind(due_on)
        .bind(user_id)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(before)
}

/// The deadlines of `year`, in the order of [`DeadlineKind::ALL`].
pub async fn list(store: &Store, region: &str, year: i32) -> Result<Vec<Deadline>> {
    let sql = format!("{SELECT} WHERE d.region_code = $1 AND d.fiscal_year = $2");
    let rows: Vec<DeadlineRow> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let mut out = rows
        .into_iter()
        .map(Deadline::try_from)
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|d| d.kind);
    Ok(out)
}

pub async fn get(
    store: &Store,
    region: &str,
    year: i32,
    kind: DeadlineKind,
) -> Result<Option<Deadline>> {
    let sql = format!("{SELECT} WHERE d.region_code = $1 AND d.fiscal_year = $2 AND d.kind = $3");
    let row: Option<DeadlineRow> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .bind(kind.code())
        .fetch_optional(p)
        .await?);
    row.map(Deadline::try_from).transpose()
}

/// The years that have projects or deadlines, latest first.
pub async fn years(store: &Store, region: &str) -> Result<Vec<i32>> {
    let sql = "SELECT fiscal_year FROM projects WHERE region_code = $1 \
               UNION SELECT fiscal_year FROM deadlines WHERE region_code = $1 \
               ORDER BY fiscal_year DESC";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// The year units are declaring for: the latest fiscal year with projects.
pub async fn current_year(store: &Store, region: &str) -> Result<Option<i32>> {
    let sql = "SELECT MAX(fiscal_year) FROM projects WHERE region_code = $1";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_one(p)
        .await?))
}

/// A project that needs a target this year, and where its declaration stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDeclaration {
    pub project_id: i64,
    pub project_name: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// Whether a target has been submitted (or approved).
    pub submitted: bool,
    /// The county day it was submitted; `None` for an approved target without a submission time
    /// (imported or entered after approval), which counts as on time: nothing shows it late.
    pub submitted_on: Option<NaiveDate>,
    /// Against the target declaration deadline; `None` when no deadline is set.
    pub timeliness: Option<Timeliness>,
}

#[derive(sqlx::FromRow)]
struct DeclarationRow {
    project_id: i64,
    project_name: String,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    target_state: Option<String>,
    submitted_at: Option<DateTime<Utc>>,
}

/// Library states of a project that still needs its target: in reserve or in the library, not yet
/// budgeted (SPEC §5: a project without an approved target cannot be budgeted).
const NEEDS_TARGET: &str = "('reserve', 'in_library')";

/// Every project of `year` in `scope` that needs a target, with its declaration against the
/// target declaration deadline of the year as of `today`, ordered by unit and project code.
pub async fn project_declarations(
    store: &Store,
    region: &str,
    year: i32,
    scope: &Scope,
    today: NaiveDate,
) -> Result<Vec<ProjectDeclaration>> {
    let deadline = get(store, region, year, DeadlineKind::TargetDeclaration).await?;
    let due_soon_days = crate::regions::settings(store, region)
        .await?
        .deadlines
        .due_soon_days;
    // A draft is not a declaration; a current target in any other state has been handed in.
    let sql = format!(
        "SELECT p.id AS project_id, p.name AS project_name, u.id AS unit_id, u.code AS unit_code, \
         u.name AS unit_name, t.state AS target_state, t.submitted_at \
         FROM projects p JOIN units u ON u.id = p.unit_id \
         LEFT JOIN targets t ON t.project_id = p.id AND t.object_kind = 'project' \
         AND t.is_current = TRUE AND t.state <> 'draft' \
         WHERE p.region_code = $1 AND p.fiscal_year = $2 AND p.library_status IN {NEEDS_TARGET} \
         AND {} ORDER BY u.code, p.code, t.id",
        unit_condition(scope, "p.unit_id")
    );
    let rows: Vec<DeclarationRow> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let mut out: Vec<ProjectDeclaration> = Vec::new();
    for r in rows {
        let submitted = r.submitted_at.is_some() || r.target_state.as_deref() == Some("approved");
        let submitted_on = r.submitted_at.map(local_date);
        // Should a project have two current targets, the earliest submission counts.
        if let Some(last) = out.last_mut()
            && last.project_id == r.project_id
        {
            if submitted && (!last.submitted || submitted_on < last.submitted_on) {
                // `None < Some(_)`: an unknown day (approved without times) wins, as on time.
                last.submitted = true;
                last.submitted_on = submitted_on;
            }
            continue;
        }
        out.push(ProjectDeclaration {
            project_id: r.project_id,
            project_name: r.project_name,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            submitted,
            submitted_on: submitted.then_some(submitted_on).flatten(),
            timeliness: None,
        });
    }
    if let Some(d) = deadline {
        for p in &mut out {
            // Submitted with no known day (an approved target without times): on time.
            let day = match (p.submitted, p.submitted_on) {
                (true, Some(day)) => Some(domain_date(day)),
                (true, None) => Some(domain_date(d.due_on)),
                (false, _) => None,
            };
            p.timeliness = Some(deadline::timeliness(
                domain_date(d.due_on),
                day,
                domain_date(today),
                due_soon_days,
            ));
        }
    }
    Ok(out)
}

/// One unit's target declarations of a year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitDeclaration {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// Projects in reserve or in the library, which need a target.
    pub projects: i64,
    /// Of these, with a target submitted (or approved).
    pub submitted: i64,
    /// Submitted after the deadline day.
    pub late: i64,
    /// Not submitted, deadline passed.
    pub overdue_missing: i64,
    /// Not submitted, deadline within the due-soon window.
    pub due_soon: i64,
}

impl UnitDeclaration {
    /// Not submitted yet (overdue or not).
    pub fn missing(&self) -> i64 {
        self.projects - self.submitted
    }
}

/// Per unit (by unit code), the target declarations of `year` as of `today`; units without a
/// project needing a target are left out.
pub async fn declaration_status(
    store: &Store,
    region: &str,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<UnitDeclaration>> {
    let rows = project_declarations(store, region, year, &Scope::Region, today).await?;
    let mut out: Vec<UnitDeclaration> = Vec::new();
    for p in rows {
        if out.last().is_none_or(|u| u.unit_id != p.unit_id) {
            out.push(UnitDeclaration {
                unit_id: p.unit_id,
                unit_code: p.unit_code.clone(),
                unit_name: p.unit_name.clone(),
                ..UnitDeclaration::default()
            });
        }
        let Some(u) = out.last_mut() else { continue };
        u.projects += 1;
        u.submitted += i64::from(p.submitted);
        match p.timeliness {
            Some(Timeliness::Late) => u.late += 1,
            Some(Timeliness::Overdue) => u.overdue_missing += 1,
            Some(Timeliness::DueSoon) => u.due_soon += 1,
            _ => {}
        }
    }
    Ok(out)
}
