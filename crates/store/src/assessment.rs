//! The annual assessment of units (部门预算绩效管理工作考核, SPEC §11): the counts of the automatic
//! items read from the year's records, the round with its rubric, the assessor's marks, and the
//! finalised result.
//!
//! Each count ([`Measure`]) is one query yielding one row per record counted, with the level-1
//! unit it rolls up to. The score sheet's figures fold those rows per unit as they stream
//! ([`records`]: memory per unit, not per record); the drill-down behind a figure lists the same
//! rows for one unit ([`counted`]). One definition serves both, so a figure and its records
//! cannot disagree. Whether a record counts as done is the domain's rule
//! ([`jixiao_domain::assessment::judge`]), given its times as county days, the same on both
//! backends.

use crate::deadlines::{domain_date, local_date};
use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use jixiao_domain::assessment::{Fact, Judged, Measure, Records, judge};
use std::collections::BTreeMap;

/// Maps every unit of the region to the level-1 unit it rolls up to (`tree.top`).
const TREE: &str = "WITH RECURSIVE tree(id, top) AS (\
     SELECT id, id FROM units WHERE region_code = $1 AND level = 1 \
     UNION ALL SELECT u.id, t.top FROM units u JOIN tree t ON u.parent_id = t.id) ";

/// One record behind a count.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Counted {
    /// The level-1 unit it counts for.
    pub unit_id: i64,
    /// `project`, `target`, `monitoring_report`, `warning`, `evaluation`, `verification`,
    /// `rectification`, `ex_ante`.
    pub doc_kind: String,
    pub doc_id: i64,
    /// The record's page (`/projects/1`, `/targets/2` …).
    pub href: String,
    pub title: String,
    pub done: bool,
    /// Why it counts as it does, in words.
    pub note: String,
}

/// The uniform row every measure's query yields.
#[derive(sqlx::FromRow)]
struct Raw {
    unit_id: i64,
    doc_kind: String,
    doc_id: i64,
    href_id: i64,
    title: String,
    a: bool,
    t1: Option<DateTime<Utc>>,
    t2: Option<DateTime<Utc>>,
    day: Option<NaiveDate>,
}

fn sql_of(m: Measure) -> String {
    let select = |rest: &str| format!("{TREE}SELECT t.top AS unit_id, {rest}");
    match m {
        // New major projects and new policies that left the reserve: an approved ex-ante
        // assessment, approved before the project entered the library.
        Measure::ExAnte => select(
            "'project' AS doc_kind, p.id AS doc_id, p.id AS href_id, p.name AS title, \
             EXISTS (SELECT 1 FROM ex_ante_assessments x WHERE x.project_id = p.id AND x.state = 'approved') AS a, \
             (SELECT MIN(h.at) FROM workflow_history h JOIN ex_ante_assessments x ON x.id = h.doc_id \
              WHERE h.doc_kind = 'ex_ante' AND h.to_state = 'approved' AND x.project_id = p.id) AS t1, \
             (SELECT MIN(h.at) FROM workflow_history h WHERE h.doc_kind = 'project' AND h.doc_id = p.id \
              AND h.action = 'enter_library') AS t2, CAST(NULL AS DATE) AS day \
             FROM projects p JOIN tree t ON t.id = p.unit_id \
             WHERE p.region_code = $1 AND p.fiscal_year = $2 AND p.continuity = 'new' \
             AND (p.is_major = TRUE OR p.is_policy = TRUE) AND p.library_status NOT IN ('reserve', 'terminated') \
             AND ($3 = 0 OR t.top = $3) ORDER BY p.code, p.id",
        ),
        // Projects that left the reserve needed a target: declared (first submission) by the
        // declaration deadline.
        Measure::TargetsOnTime => select(
            "'project' AS doc_kind, p.id AS doc_id, p.id AS href_id, p.name AS title, \
             EXISTS (SELECT 1 FROM targets g WHERE g.project_id = p.id AND g.object_kind = 'project' \
                     AND g.state <> 'draft') AS a, \
             (SELECT MIN(g.submitted_at) FROM targets g WHERE g.project_id = p.id AND g.object_kind = 'project') AS t1, \
             CAST(NULL AS TIMESTAMPTZ) AS t2, CAST(NULL AS DATE) AS day \
             FROM projects p JOIN tree t ON t.id = p.unit_id \
             WHERE p.region_code = $1 AND p.fiscal_year = $2 AND p.library_status NOT IN ('reserve', 'terminated') \
             AND ($3 = 0 OR t.top = $3) ORDER BY p.code, p.id",
        ),
        // First versions of the year's targets that finance decided on: returned at least once?
        Measure::TargetsFirstTime => select(
            "'target' AS doc_kind, g.id AS doc_id, g.id AS href_id, \
             COALESCE(p.name, u.name || '（部门整体）') AS title, \
             EXISTS (SELECT 1 FROM workflow_history h WHERE h.doc_kind = 'target' AND h.doc_id = g.id \
                     AND h.action = 'return') AS a, \
             CAST(NULL AS TIMESTAMPTZ) AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, CAST(NULL AS DATE) AS day \
             FROM targets g JOIN tree t ON t.id = g.unit_id JOIN units u ON u.id = g.unit_id \
             LEFT JOIN projects p ON p.id = g.project_id \
             WHERE g.region_code = $1 AND g.fiscal_year = $2 AND g.version_no = 1 \
             AND (g.state = 'approved' OR EXISTS (SELECT 1 FROM workflow_history h WHERE h.doc_kind = 'target' \
                  AND h.doc_id = g.id AND h.action IN ('approve', 'return'))) \
             AND ($3 = 0 OR t.top = $3) ORDER BY g.id",
        ),
        // Every report of the year's tasks: submitted by its task's deadline.
        Measure::MonitoringReports => select(
            "'monitoring_report' AS doc_kind, r.id AS doc_id, r.id AS href_id, \
             k.name || '：' || COALESCE(p.name, u.name) AS title, \
             (r.state <> 'draft') AS a, r.submitted_at AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, k.deadline AS day \
             FROM monitoring_reports r JOIN monitoring_tasks k ON k.id = r.task_id \
             JOIN tree t ON t.id = r.unit_id JOIN units u ON u.id = r.unit_id \
             LEFT JOIN projects p ON p.id = r.project_id \
             WHERE r.region_code = $1 AND k.fiscal_year = $2 AND ($3 = 0 OR t.top = $3) ORDER BY k.id, r.id",
        ),
        // Red warnings of the year: their rectification closed.
        Measure::RedWarnings => select(
            "'warning' AS doc_kind, w.id AS doc_id, w.report_id AS href_id, w.message AS title, \
             EXISTS (SELECT 1 FROM rectifications c WHERE c.id = w.rectification_id AND c.state = 'closed') AS a, \
             CAST(NULL AS TIMESTAMPTZ) AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, CAST(NULL AS DATE) AS day \
             FROM warnings w JOIN monitoring_reports r ON r.id = w.report_id JOIN tree t ON t.id = r.unit_id \
             WHERE w.region_code = $1 AND w.fiscal_year = $2 AND w.level = 'red' \
             AND ($3 = 0 OR t.top = $3) ORDER BY w.id",
        ),
        // Self-evaluations carried out in the year: submitted by their round's deadline.
        Measure::SelfEvaluations => select(
            "'evaluation' AS doc_kind, e.id AS doc_id, e.id AS href_id, e.title, \
             (e.submitted_at IS NOT NULL OR e.state IN ('submitted', 'under_review', 'approved')) AS a, \
             e.submitted_at AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, d.deadline AS day \
             FROM evaluations e JOIN tree t ON t.id = e.unit_id \
             LEFT JOIN evaluation_rounds d ON d.id = e.round_id \
             WHERE e.region_code = $1 AND e.conducted_year = $2 AND e.kind = 'self' \
             AND ($3 = 0 OR t.top = $3) ORDER BY e.id",
        ),
        // Verified self-evaluations carried out in the year: found inaccurate?
        Measure::Accuracy => select(
            "'evaluation' AS doc_kind, v.id AS doc_id, e.id AS href_id, e.title, v.inaccurate AS a, \
             CAST(NULL AS TIMESTAMPTZ) AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, CAST(NULL AS DATE) AS day \
             FROM verifications v JOIN evaluations e ON e.id = v.evaluation_id JOIN tree t ON t.id = e.unit_id \
             WHERE e.region_code = $1 AND e.conducted_year = $2 AND v.verified_x100 IS NOT NULL \
             AND ($3 = 0 OR t.top = $3) ORDER BY v.id",
        ),
        // Issued notices with a deadline in the year: closed by it.
        Measure::Rectifications => select(
            "'rectification' AS doc_kind, c.id AS doc_id, c.id AS href_id, c.problem AS title, \
             (c.state = 'closed') AS a, c.closed_at AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, \
             c.deadline AS day \
             FROM rectifications c JOIN tree t ON t.id = c.unit_id \
             WHERE c.region_code = $1 AND c.state <> 'draft' AND c.deadline >= $4 AND c.deadline <= $5 \
             AND ($3 = 0 OR t.top = $3) ORDER BY c.id",
        ),
        // Documents that need a file: approved ex-ante assessments of the year's projects (the
        // report), approved department and key evaluations carried out in the year (the signed
        // report), answered notices with a deadline in the year (the evidence).
        Measure::Attachments => format!(
            "{TREE}SELECT t.top AS unit_id, 'ex_ante' AS doc_kind, x.id AS doc_id, x.id AS href_id, \
             x.object_name AS title, \
             (x.report_attachment_id IS NOT NULL OR EXISTS (SELECT 1 FROM attachments f \
              WHERE f.owner_kind = 'ex_ante' AND f.owner_id = x.id)) AS a, \
             CAST(NULL AS TIMESTAMPTZ) AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, CAST(NULL AS DATE) AS day \
             FROM ex_ante_assessments x JOIN projects p ON p.id = x.project_id JOIN tree t ON t.id = p.unit_id \
             WHERE x.region_code = $1 AND x.fiscal_year = $2 AND x.state = 'approved' AND ($3 = 0 OR t.top = $3) \
             UNION ALL \
             SELECT t.top, 'evaluation', e.id, e.id, e.title, \
             EXISTS (SELECT 1 FROM attachments f WHERE f.owner_kind = 'evaluation_report' AND f.owner_id = e.id), \
             CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS DATE) \
             FROM evaluations e JOIN tree t ON t.id = e.unit_id \
             WHERE e.region_code = $1 AND e.conducted_year = $2 AND e.kind IN ('department', 'finance') \
             AND e.state = 'approved' AND ($3 = 0 OR t.top = $3) \
             UNION ALL \
             SELECT t.top, 'rectification', c.id, c.id, c.problem, \
             EXISTS (SELECT 1 FROM attachments f WHERE f.owner_kind = 'rectification' AND f.owner_id = c.id), \
             CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS DATE) \
             FROM rectifications c JOIN tree t ON t.id = c.unit_id \
             WHERE c.region_code = $1 AND c.state IN ('responded', 'closed') AND c.deadline >= $4 \
             AND c.deadline <= $5 AND ($3 = 0 OR t.top = $3) \
             ORDER BY 2, 3"
        ),
        // Approved targets in force of the year's projects and evaluations approved in the
        // year: published?
        Measure::Disclosures => format!(
            "{TREE}SELECT t.top AS unit_id, 'target' AS doc_kind, p.id AS doc_id, p.id AS href_id, \
             p.name AS title, \
             EXISTS (SELECT 1 FROM disclosures d WHERE d.object_kind = 'target' AND d.object_id = p.id) AS a, \
             CAST(NULL AS TIMESTAMPTZ) AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2, CAST(NULL AS DATE) AS day \
             FROM projects p JOIN tree t ON t.id = p.unit_id \
             WHERE p.region_code = $1 AND p.fiscal_year = $2 AND ($3 = 0 OR t.top = $3) \
             AND EXISTS (SELECT 1 FROM targets g WHERE g.project_id = p.id AND g.state = 'approved' \
                 AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = g.id AND n.state = 'approved')) \
             UNION ALL \
             SELECT t.top, 'evaluation', e.id, e.id, e.title, \
             EXISTS (SELECT 1 FROM disclosures d WHERE d.object_kind = 'evaluation' AND d.object_id = e.id), \
             CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS DATE) \
             FROM evaluations e JOIN tree t ON t.id = e.unit_id \
             WHERE e.region_code = $1 AND e.conducted_year = $2 AND e.state = 'approved' AND ($3 = 0 OR t.top = $3) \
             ORDER BY 2, 3"
        ),
    }
}

fn href(kind: &str, id: i64) -> String {
    match kind {
        "project" => format!("/projects/{id}"),
        "target" => format!("/targets/{id}"),
        "monitoring_report" | "warning" => format!("/monitoring/reports/{id}"),
        "evaluation" => format!("/evaluations/{id}"),
        "rectification" => format!("/rectifications/{id}"),
        "ex_ante" => format!("/ex-ante/{id}"),
        _ => String::new(),
    }
}

/// What the rule needs of a row: its flag and days in the county's calendar.
fn fact_of(r: &Raw) -> Fact {
    let day = |at: DateTime<Utc>| domain_date(local_date(at));
    Fact {
        flag: r.a,
        done_on: r.t1.map(day),
        after_entry: matches!((r.t1, r.t2), (Some(a), Some(e)) if a > e),
        due: r.day.map(domain_date),
    }
}

/// The year being counted: its region, the day counted to, and its 申报期限 of targets.
struct Year<'a> {
    store: &'a Store,
    region: &'a str,
    year: i32,
    today: NaiveDate,
    target_deadline: Option<NaiveDate>,
}

/// Streams one measure's rows of the year (for one level-1 unit, or all when `unit` is 0) into
/// `f`.
async fn each(
    y: &Year<'_>,
    unit: i64,
    m: Measure,
    f: &mut (dyn FnMut(Counted) + Send),
) -> Result<()> {
    let Year {
        store,
        region,
        year,
        today,
        target_deadline,
    } = *y;
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let sql = sql_of(m);
    let target_deadline = target_deadline.map(domain_date);
    let today = domain_date(today);
    let mut take = |r: Raw| {
        if let Some(Judged { done, note }) = judge(m, &fact_of(&r), target_deadline, today) {
            f(Counted {
                unit_id: r.unit_id,
                href: href(&r.doc_kind, r.href_id),
                doc_kind: r.doc_kind,
                doc_id: r.doc_id,
                title: r.title,
                done,
                note,
            });
        }
    };
    on_pool!(store, |p| {
        let mut rows = sqlx::query_as::<_, Raw>(&sql)
            .bind(region)
            .bind(year)
            .bind(unit)
            .bind(first)
            .bind(last)
            .fetch(p);
        while let Some(r) = rows.try_next().await? {
            take(r);
        }
    });
    Ok(())
}

/// The year's 申报期限 of targets, against which declarations count as on time.
async fn target_deadline(store: &Store, region: &str, year: i32) -> Result<Option<NaiveDate>> {
    Ok(crate::deadlines::get(
        store,
        region,
        year,
        jixiao_domain::deadline::DeadlineKind::TargetDeclaration,
    )
    .await?
    .map(|d| d.due_on))
}

/// Every level-1 unit's counts of `year` as of `today`, by unit id. Units with nothing counted
/// are absent (all their counts are 0 of 0).
pub async fn records(
    store: &Store,
    region: &str,
    year: i32,
    today: NaiveDate,
) -> Result<BTreeMap<i64, Records>> {
    let mut out: BTreeMap<i64, Records> = BTreeMap::new();
    let y = Year {
        store,
        region,
        year,
        today,
        target_deadline: target_deadline(store, region, year).await?,
    };
    for m in Measure::ALL {
        each(&y, 0, m, &mut |c: Counted| {
            m.add(out.entry(c.unit_id).or_default(), c.done);
        })
        .await?;
    }
    Ok(out)
}

/// The records behind one count of one level-1 unit.
pub async fn counted(
    store: &Store,
    region: &str,
    year: i32,
    today: NaiveDate,
    unit_id: i64,
    m: Measure,
) -> Result<Vec<Counted>> {
    let mut out = Vec::new();
    if unit_id <= 0 {
        return Ok(out);
    }
    let y = Year {
        store,
        region,
        year,
        today,
        target_deadline: target_deadline(store, region, year).await?,
    };
    each(&y, unit_id, m, &mut |c| out.push(c)).await?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The round, the marks and the result.

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Round {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    /// The year's rubric: a JSON `AssessmentSettings`.
    pub rubric: String,
    /// `open` or `finalized`.
    pub state: String,
    pub interview_deadline: Option<NaiveDate>,
    pub opened_by: Option<i64>,
    pub finalized_by: Option<i64>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub row_version: i32,
    pub created_at: DateTime<Utc>,
}

const ROUND: &str = "SELECT id, region_code, fiscal_year, rubric, state, interview_deadline, opened_by, \
                     finalized_by, finalized_at, row_version, created_at FROM assessment_rounds";

pub async fn round(store: &Store, region: &str, year: i32) -> Result<Option<Round>> {
    let sql = format!("{ROUND} WHERE region_code = $1 AND fiscal_year = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .fetch_optional(p)
        .await?))
}

/// The region's rounds, latest year first.
pub async fn rounds(store: &Store, region: &str) -> Result<Vec<Round>> {
    let sql = format!("{ROUND} WHERE region_code = $1 ORDER BY fiscal_year DESC");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

pub async fn open_round(
    tx: &mut Tx,
    region: &str,
    year: i32,
    rubric: &str,
    by: i64,
) -> Result<i64> {
    let sql = "INSERT INTO assessment_rounds (region_code, fiscal_year, rubric, state, opened_by, created_at) \
               VALUES ($1, $2, $3, 'open', $4, $5) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .bind(rubric)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *c)
        .await
        .map_err(|e| StoreError::duplicate_as(
            e,
            "assessment round"
        ))?))
}

/// Replaces the rubric of an open round, at `row_version`.
pub async fn set_rubric(tx: &mut Tx, id: i64, row_version: i32, rubric: &str) -> Result<()> {
    let sql = "UPDATE assessment_rounds SET rubric = $1, row_version = row_version + 1 \
               WHERE id = $2 AND row_version = $3 AND state = 'open'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(rubric)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    Ok(())
}

pub async fn finalize_round(
    tx: &mut Tx,
    id: i64,
    row_version: i32,
    by: i64,
    interview_deadline: NaiveDate,
) -> Result<()> {
    let sql = "UPDATE assessment_rounds SET state = 'finalized', finalized_by = $1, finalized_at = $2, \
               interview_deadline = $3, row_version = row_version + 1 \
               WHERE id = $4 AND row_version = $5 AND state = 'open'";
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(by)
        .bind(now())
        .bind(interview_deadline)
        .bind(id)
        .bind(row_version)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(crate::StoreError::Conflict);
    }
    Ok(())
}

/// What the assessor entered for one unit's item.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Mark {
    pub unit_id: i64,
    pub item_key: String,
    pub manual_x100: Option<i64>,
    pub adjust_x100: Option<i64>,
    pub reason: String,
    pub updated_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

pub async fn marks(store: &Store, round_id: i64) -> Result<Vec<Mark>> {
    let sql = "SELECT unit_id, item_key, manual_x100, adjust_x100, reason, updated_by, updated_at \
               FROM assessment_marks WHERE round_id = $1 ORDER BY unit_id, item_key";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(round_id)
        .fetch_all(p)
        .await?))
}

/// Sets the score of a manual item (`None` clears it).
pub async fn set_manual(
    tx: &mut Tx,
    round_id: i64,
    unit_id: i64,
    key: &str,
    score_x100: Option<i64>,
    by: i64,
) -> Result<()> {
    let sql = "INSERT INTO assessment_marks (round_id, unit_id, item_key, manual_x100, updated_by, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (round_id, unit_id, item_key) \
               DO UPDATE SET manual_x100 = excluded.manual_x100, updated_by = excluded.updated_by, \
               updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(round_id)
        .bind(unit_id)
        .bind(key)
        .bind(score_x100)
        .bind(by)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Sets (or with `None` removes) the adjustment of an item, with its reason.
pub async fn set_adjustment(
    tx: &mut Tx,
    round_id: i64,
    unit_id: i64,
    key: &str,
    adjustment: Option<(i64, &str)>,
    by: i64,
) -> Result<()> {
    let sql = "INSERT INTO assessment_marks (round_id, unit_id, item_key, adjust_x100, reason, updated_by, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (round_id, unit_id, item_key) \
               DO UPDATE SET adjust_x100 = excluded.adjust_x100, reason = excluded.reason, \
               updated_by = excluded.updated_by, updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(round_id)
        .bind(unit_id)
        .bind(key)
        .bind(adjustment.map(|a| a.0))
        .bind(adjustment.map(|a| a.1).unwrap_or_default())
        .bind(by)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// A finalised unit result.
#[derive(Debug, Clone)]
pub struct NewResult<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub unit_id: i64,
    pub total_x100: i64,
    pub rank: i32,
    /// `commended`, `interviewed` or empty.
    pub listed: &'a str,
    /// The counts it was scored on (JSON `Records`).
    pub records: &'a str,
}

pub async fn insert_result(tx: &mut Tx, r: &NewResult<'_>) -> Result<i64> {
    let sql = "INSERT INTO assessments (region_code, fiscal_year, unit_id, total_x100, rank, listed, records) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(r.region)
        .bind(r.fiscal_year)
        .bind(r.unit_id)
        .bind(r.total_x100)
        .bind(r.rank)
        .bind(r.listed)
        .bind(r.records)
        .fetch_one(&mut *c)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ResultItem {
    pub item_key: String,
    pub name: String,
    pub automatic: bool,
    pub max_x100: i64,
    /// Computed from the records, or entered for a manual item.
    pub auto_x100: Option<i64>,
    pub adjust_x100: i64,
    pub final_x100: i64,
    /// The adjustment's reason.
    pub reason: String,
}

pub async fn insert_item(tx: &mut Tx, assessment_id: i64, i: &ResultItem) -> Result<()> {
    let sql = "INSERT INTO assessment_items (assessment_id, item_key, name, automatic, max_x100, auto_x100, \
               adjust_x100, final_x100, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(assessment_id)
        .bind(&i.item_key)
        .bind(&i.name)
        .bind(i.automatic)
        .bind(i.max_x100)
        .bind(i.auto_x100)
        .bind(i.adjust_x100)
        .bind(i.final_x100)
        .bind(&i.reason)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

pub async fn set_result_rectification(tx: &mut Tx, assessment_id: i64, rect: i64) -> Result<()> {
    let sql = "UPDATE assessments SET rectification_id = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(rect)
        .bind(assessment_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// A finalised unit result with its unit.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ResultRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub total_x100: i64,
    pub rank: i32,
    pub listed: String,
    pub records: String,
    pub rectification_id: Option<i64>,
}

/// The finalised results of a year, by rank (and unit code within a rank); `unit` narrows to one.
pub async fn results(
    store: &Store,
    region: &str,
    year: i32,
    unit: Option<i64>,
) -> Result<Vec<ResultRow>> {
    let sql = "SELECT a.id, a.unit_id, u.code AS unit_code, u.name AS unit_name, a.total_x100, \
               CAST(a.rank AS INTEGER) AS rank, a.listed, a.records, a.rectification_id \
               FROM assessments a JOIN units u ON u.id = a.unit_id \
               WHERE a.region_code = $1 AND a.fiscal_year = $2 AND ($3 = 0 OR a.unit_id = $3) \
               ORDER BY a.rank, u.code";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .bind(unit.unwrap_or(0))
        .fetch_all(p)
        .await?))
}

/// The items of finalised results, by result id, in rubric order.
pub async fn result_items(
    store: &Store,
    region: &str,
    year: i32,
    unit: Option<i64>,
) -> Result<BTreeMap<i64, Vec<ResultItem>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        assessment_id: i64,
        #[sqlx(flatten)]
        item: ResultItem,
    }
    let sql = "SELECT i.assessment_id, i.item_key, i.name, i.automatic, i.max_x100, i.auto_x100, \
               i.adjust_x100, i.final_x100, i.reason \
               FROM assessment_items i JOIN assessments a ON a.id = i.assessment_id \
               WHERE a.region_code = $1 AND a.fiscal_year = $2 AND ($3 = 0 OR a.unit_id = $3) ORDER BY i.id";
    let rows: Vec<Row> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .bind(unit.unwrap_or(0))
        .fetch_all(p)
        .await?);
    let mut out: BTreeMap<i64, Vec<ResultItem>> = BTreeMap::new();
    for r in rows {
        out.entry(r.assessment_id).or_default().push(r.item);
    }
    Ok(out)
}
