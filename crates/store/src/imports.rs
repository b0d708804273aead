//! Imports of .xlsx files (SPEC §14, issue 4 part 4): the writing half.
//!
//! The caller (the CLI, later the web upload) reads the file with `jixiao-forms`, matches units
//! and projects, validates, and hands over plain, already-checked rows. [`write`] stores them
//! all in one [`Tx`] together with the `imports` record and its audit entry, and commits only at
//! the end: an import commits whole or leaves no trace (SPEC §17). A file already imported for
//! the same region, year and kind (same SHA-256) is not written again ([`Outcome::AlreadyImported`]).

use crate::{Result, Store, StoreError, Tx, audit, now, on_pool, on_tx};
use chrono::{DateTime, Utc};
use jixiao_domain::Fen;
use jixiao_domain::types::{
    BudgetTiming, BudgetType, Continuity, ObjectKind, ProjectCategory, UnitKind,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// What a file is imported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Targets,
    SelfEvaluations,
    Units,
    Projects,
    Monitoring,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Targets,
        ImportKind::Monitoring,
        ImportKind::SelfEvaluations,
        ImportKind::Units,
        ImportKind::Projects,
    ];

    /// Parses a stored code (`targets`, `self_evaluations`, `units`, `projects`).
    pub fn parse(code: &str) -> Option<ImportKind> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Targets => "targets",
            ImportKind::SelfEvaluations => "self_evaluations",
            ImportKind::Units => "units",
            ImportKind::Projects => "projects",
            ImportKind::Monitoring => "monitoring",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Targets => "绩效目标",
            ImportKind::SelfEvaluations => "单位自评",
            ImportKind::Units => "单位清单",
            ImportKind::Projects => "项目清单",
            ImportKind::Monitoring => "监控报告",
        }
    }
}

/// SHA-256 of a file's bytes, lowercase hex: the identity of an import.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Who imports (recorded on the import and in the audit log).
#[derive(Debug, Clone, Default)]
pub struct Who<'a> {
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub role: &'a str,
    pub ip: &'a str,
}

/// An indicator row of a target or an evaluation, as validated by the caller.
#[derive(Debug, Clone, Default)]
pub struct IndicatorIn {
    pub level1: String,
    pub level2: String,
    pub name: String,
    /// `≥ ≤ = > <` or `定性`.
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    pub weight_x100: Option<i64>,
    pub is_core: bool,
    /// 1-based seq of the row a `其中` sub-item belongs to.
    pub parent_seq: Option<i32>,
    /// Evaluations only.
    pub actual_value: String,
    pub score_x100: Option<i64>,
    pub stated_score_x100: Option<i64>,
    pub tier: Option<i32>,
    pub deviation_reason: String,
}

/// A target (SPEC §6.3) of a project or of a unit as a whole.
#[derive(Debug, Clone)]
pub struct TargetIn {
    pub object_kind: ObjectKind,
    pub project_id: Option<i64>,
    pub unit_id: i64,
    pub total: Fen,
    pub fiscal: Fen,
    pub other: Fen,
    pub overall_goal: String,
    pub indicators: Vec<IndicatorIn>,
}

/// A self-evaluation (SPEC §8.2) with the scores computed by the domain engine.
#[derive(Debug, Clone)]
pub struct EvaluationIn {
    pub object_kind: ObjectKind,
    pub project_id: Option<i64>,
    pub unit_id: i64,
    pub title: String,
    pub initial_budget: Fen,
    pub budget: Fen,
    pub executed: Fen,
    pub execution_rate_x100: Option<i64>,
    pub execution_score_x100: Option<i64>,
    pub total_x100: Option<i64>,
    /// A `Grade` code.
    pub grade: Option<String>,
    pub overall_goal: String,
    pub overall_actual: String,
    pub indicators: Vec<IndicatorIn>,
}

/// A unit of the unit list; `parent_code` names a unit already stored or earlier in the list.
#[derive(Debug, Clone)]
pub struct UnitIn {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub kind: UnitKind,
    pub finance_desk: String,
}

#[derive(Debug, Clone)]
pub struct ProjectIn {
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub budget_type: BudgetType,
    pub category: ProjectCategory,
    pub continuity: Continuity,
    pub timing: BudgetTiming,
    pub current: Fen,
    pub carryover: Fen,
    pub other: Fen,
    pub is_major: bool,
}

/// A warning of a monitoring report (SPEC §7), computed by the domain rules.
#[derive(Debug, Clone)]
pub struct WarningIn {
    /// A `WarningKind` code.
    pub kind: String,
    /// A `WarningLevel` code.
    pub level: String,
    pub message: String,
    /// Red warnings: a rectification notice is drafted for the reviewer to confirm (SPEC §7).
    pub rectification: bool,
}

/// A project monitoring report (SPEC §7) for an existing monitoring task, with the rates computed
/// by the domain rules.
#[derive(Debug, Clone)]
pub struct MonitoringIn {
    pub task_id: i64,
    pub project_id: i64,
    /// The project name, for the message when the task already has its report.
    pub project_name: String,
    pub unit_id: i64,
    pub budget: Fen,
    pub executed: Fen,
    pub expected: Fen,
    pub progress_text: String,
    pub reported_completion_x100: Option<i64>,
    pub execution_rate_x100: Option<i64>,
    pub completion_estimate_x100: Option<i64>,
    pub deviation_x100: Option<i64>,
    pub indicators: Vec<crate::monitoring::MonitoringIndicator>,
    pub warnings: Vec<WarningIn>,
    /// Deadline of the drafted rectification notices.
    pub rectification_deadline: chrono::NaiveDate,
}

#[derive(Debug, Clone)]
pub enum Payload {
    Targets(Vec<TargetIn>),
    SelfEvaluations(Vec<EvaluationIn>),
    Units(Vec<UnitIn>),
    Projects(Vec<ProjectIn>),
    Monitoring(Vec<MonitoringIn>),
}

impl Payload {
    pub fn kind(&self) -> ImportKind {
        match self {
            Payload::Targets(_) => ImportKind::Targets,
            Payload::SelfEvaluations(_) => ImportKind::SelfEvaluations,
            Payload::Units(_) => ImportKind::Units,
            Payload::Projects(_) => ImportKind::Projects,
            Payload::Monitoring(_) => ImportKind::Monitoring,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewImport<'a> {
    pub region: &'a str,
    pub fiscal_year: i32,
    pub file_name: &'a str,
    /// [`sha256_hex`] of the file.
    pub sha256: &'a str,
    pub who: Who<'a>,
    pub payload: Payload,
}

/// A committed import.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: i64,
    pub region_code: String,
    pub fiscal_year: i32,
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub user_id: Option<i64>,
    pub username: String,
    /// Rows created: targets, evaluations, units or projects.
    pub documents: i64,
    /// Indicator rows created (targets and evaluations).
    pub indicators: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Imported(ImportRecord),
    /// The same file was imported before for this region, year and kind: nothing was written.
    AlreadyImported(ImportRecord),
}

const COLUMNS: &str = "id, region_code, fiscal_year, kind, file_name, sha256, user_id, username, \
                       documents, indicators, created_at";

/// The earlier import of the same file, if any.
pub async fn find(
    store: &Store,
    region: &str,
    fiscal_year: i32,
    kind: ImportKind,
    sha256: &str,
) -> Result<Option<ImportRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM imports WHERE region_code = $1 AND fiscal_year = $2 AND kind = $3 \
         AND sha256 = $4"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(fiscal_year)
        .bind(kind.code())
        .bind(sha256)
        .fetch_optional(p)
        .await?))
}

/// The imports of a region, newest first.
pub async fn list(store: &Store, region: &str) -> Result<Vec<ImportRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM imports WHERE region_code = $1 ORDER BY id DESC");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// Writes an import in one transaction (see the module comment).
pub async fn write(store: &Store, imp: &NewImport<'_>) -> Result<Outcome> {
    let kind = imp.payload.kind();
    let mut tx = store.begin().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM imports WHERE region_code = $1 AND fiscal_year = $2 AND kind = $3 \
         AND sha256 = $4"
    );
    let earlier: Option<ImportRecord> = on_tx!(&mut tx, |c| sqlx::query_as(&sql)
        .bind(imp.region)
        .bind(imp.fiscal_year)
        .bind(kind.code())
        .bind(imp.sha256)
        .fetch_optional(&mut *c)
        .await?);
    if let Some(earlier) = earlier {
        return Ok(Outcome::AlreadyImported(earlier));
    }
    let (documents, indicators) = match &imp.payload {
        Payload::Targets(ts) => {
            let mut n = 0;
            for t in ts {
                n += insert_target(&mut tx, imp.region, imp.fiscal_year, t).await?;
            }
            (ts.len() as i64, n)
        }
        Payload::SelfEvaluations(es) => {
            let mut n = 0;
            for e in es {
                n += insert_evaluation(&mut tx, imp.region, imp.fiscal_year, e).await?;
            }
            (es.len() as i64, n)
        }
        Payload::Units(us) => (insert_units(&mut tx, imp.region, us).await?, 0),
        Payload::Monitoring(ms) => {
            let mut n = 0;
            for m in ms {
                n += insert_monitoring(&mut tx, imp.region, imp.fiscal_year, m).await?;
            }
            (ms.len() as i64, n)
        }
        Payload::Projects(ps) => {
            let rows: Vec<crate::projects::NewProject> = ps
                .iter()
                .map(|p| crate::projects::NewProject {
                    region: imp.region,
                    fiscal_year: imp.fiscal_year,
                    code: &p.code,
                    name: &p.name,
                    unit_id: p.unit_id,
                    is_policy: false,
                    budget_type: p.budget_type,
                    category: p.category,
                    continuity: p.continuity,
                    timing: p.timing,
                    start_year: imp.fiscal_year,
                    end_year: imp.fiscal_year,
                    current: p.current,
                    carryover: p.carryover,
                    other: p.other,
                    is_major: p.is_major,
                    library_status: "reserve",
                    previous_project_id: None,
                })
                .collect();
            crate::projects::insert_many(&mut tx, &rows).await?;
            (ps.len() as i64, 0)
        }
    };
    let at = now();
    let sql = "INSERT INTO imports (region_code, fiscal_year, kind, file_name, sha256, user_id, \
               username, documents, indicators, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let id: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(sql)
        .bind(imp.region)
        .bind(imp.fiscal_year)
        .bind(kind.code())
        .bind(imp.file_name)
        .bind(imp.sha256)
        .bind(imp.who.user_id)
        .bind(imp.who.username)
        .bind(documents)
        .bind(indicators)
        .bind(at)
        .fetch_one(&mut *c)
        .await?);
    let after = serde_json::json!({
        "region": imp.region,
        "fiscal_year": imp.fiscal_year,
        "kind": kind.code(),
        "file": imp.file_name,
        "sha256": imp.sha256,
        "documents": documents,
        "indicators": indicators,
    })
    .to_string();
    let id_text = id.to_string();
    audit::append(
        &mut tx,
        &audit::Entry {
            user_id: imp.who.user_id,
            username: imp.who.username,
            role: imp.who.role,
            ip: imp.who.ip,
            action: "import.create",
            object_kind: "import",
            object_id: &id_text,
            before_json: "",
            after_json: &after,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Imported(ImportRecord {
        id,
        region_code: imp.region.to_string(),
        fiscal_year: imp.fiscal_year,
        kind: kind.code().to_string(),
        file_name: imp.file_name.to_string(),
        sha256: imp.sha256.to_string(),
        user_id: imp.who.user_id,
        username: imp.who.username.to_string(),
        documents,
        indicators,
        created_at: at,
    }))
}

async fn insert_target(tx: &mut Tx, region: &str, year: i32, t: &TargetIn) -> Result<i64> {
    // Imported targets are drafts: the unit still submits them and finance reviews (SPEC §4).
    let id = crate::targets::insert(
        tx,
        &crate::targets::NewTarget {
            region,
            fiscal_year: year,
            object_kind: t.object_kind,
            project_id: t.project_id,
            unit_id: t.unit_id,
            state: "draft",
            total: t.total,
            fiscal: t.fiscal,
            other: t.other,
            overall_goal: t.overall_goal.clone(),
            review_rating: None,
            review_opinion: "",
            indicators: Vec::new(),
            tasks: Vec::new(),
        },
    )
    .await?;
    // The indicator rows in multi-row statements (a form has a few dozen at most).
    const COLUMNS: usize = 11;
    let rows: Vec<(usize, &IndicatorIn)> = t.indicators.iter().enumerate().collect();
    for chunk in rows.chunks(crate::projects::MAX_BINDS / COLUMNS) {
        let sql = format!(
            "INSERT INTO target_indicators (target_id, seq, level1, level2, name, sign, \
             target_value, unit_of_measure, weight_x100, is_core, parent_seq) VALUES {}",
            crate::projects::values_placeholders(tx, COLUMNS, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for &(seq, i) in chunk {
                q = q
                    .bind(id)
                    .bind(seq as i32 + 1)
                    .bind(&i.level1)
                    .bind(&i.level2)
                    .bind(&i.name)
                    .bind(&i.sign)
                    .bind(&i.target_value)
                    .bind(&i.unit_of_measure)
                    .bind(i.weight_x100)
                    .bind(i.is_core)
                    .bind(i.parent_seq);
            }
            q.execute(&mut *c).await.map(|_| ())?
        });
    }
    Ok(t.indicators.len() as i64)
}

/// A self-evaluation filled outside Jixiao or in a downloaded form enters the workflow (issue
/// 11): it lands in the draft of the year's round for its object (replacing the draft's figures
/// and indicator rows), or, without one, becomes a new draft in the round (or outside any round
/// when none was opened yet; opening one adopts it). It is filled (`filled_at`), so its unit
/// submits it like one typed on the web. A self-evaluation already submitted is an error: no
/// silent overwrite.
async fn insert_evaluation(tx: &mut Tx, region: &str, year: i32, e: &EvaluationIn) -> Result<i64> {
    let round: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT id FROM evaluation_rounds WHERE region_code = $1 AND fiscal_year = $2 ORDER BY id LIMIT 1"
    )
    .bind(region)
    .bind(year)
    .fetch_optional(&mut *c)
    .await?
    });
    let sql = "SELECT id, state FROM evaluations WHERE region_code = $1 AND fiscal_year = $2 \
               AND kind = 'self' AND unit_id = $3 AND COALESCE(project_id, 0) = $4 AND object_kind = $5 \
               ORDER BY id DESC LIMIT 1";
    let existing: Option<(i64, String)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .bind(e.unit_id)
        .bind(e.project_id.unwrap_or(0))
        .bind(e.object_kind.code())
        .fetch_optional(&mut *c)
        .await?);
    let id = match existing {
        Some((id, state)) if state == "draft" || state == "returned" => {
            let sql = "UPDATE evaluations SET initial_budget_fen = $1, budget_fen = $2, executed_fen = $3, \
                       amount_fen = $2, execution_rate_x100 = $4, execution_score_x100 = $5, total_x100 = $6, \
                       grade = $7, filled_at = $8, row_version = row_version + 1 WHERE id = $9";
            on_tx!(tx, |c| sqlx::query(sql)
                .bind(e.initial_budget.0)
                .bind(e.budget.0)
                .bind(e.executed.0)
                .bind(e.execution_rate_x100)
                .bind(e.execution_score_x100)
                .bind(e.total_x100)
                .bind(e.grade.as_deref())
                .bind(crate::now())
                .bind(id)
                .execute(&mut *c)
                .await
                .map(|_| ())?);
            on_tx!(tx, |c| sqlx::query(
                "DELETE FROM evaluation_indicators WHERE evaluation_id = $1"
            )
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
            id
        }
        Some(_) => {
            return Err(StoreError::Invalid(format!(
                "“{}”的 {year} 年度绩效自评已提交，不能再导入覆盖",
                e.title
            )));
        }
        None => {
            let id = crate::evaluations::insert(
                tx,
                &crate::evaluations::NewEvaluation {
                    region,
                    fiscal_year: year,
                    conducted_year: year + 1,
                    kind: "self",
                    object_kind: e.object_kind.code(),
                    project_id: e.project_id,
                    unit_id: e.unit_id,
                    engagement_id: None,
                    title: &e.title,
                    state: "draft",
                    initial_budget: e.initial_budget,
                    budget: e.budget,
                    executed: e.executed,
                    amount: e.budget,
                    execution_rate_x100: e.execution_rate_x100,
                    execution_score_x100: e.execution_score_x100,
                    total_x100: e.total_x100,
                    grade: e.grade.as_deref(),
                    overall_goal: e.overall_goal.clone(),
                    overall_actual: e.overall_actual.clone(),
                    indicators: Vec::new(),
                },
            )
            .await?;
            on_tx!(tx, |c| sqlx::query(
                "UPDATE evaluations SET round_id = $1, filled_at = $2 WHERE id = $3"
            )
            .bind(round)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
            id
        }
    };
    let rows: Vec<crate::evaluations::EvaluationIndicator> = e
        .indicators
        .iter()
        .map(|i| crate::evaluations::EvaluationIndicator {
            level1: i.level1.clone(),
            level2: i.level2.clone(),
            name: i.name.clone(),
            sign: i.sign.clone(),
            target_value: i.target_value.clone(),
            actual_value: i.actual_value.clone(),
            unit_of_measure: i.unit_of_measure.clone(),
            weight_x100: i.weight_x100,
            score_x100: i.score_x100,
            tier: i.tier,
            deviation_reason: i.deviation_reason.clone(),
            stated_score_x100: i.stated_score_x100,
            parent_seq: i.parent_seq,
            ..Default::default()
        })
        .collect();
    crate::evaluations::insert_indicators(tx, id, &rows).await?;
    Ok(e.indicators.len() as i64)
}

/// A monitoring report filled outside Jixiao or in a downloaded workbook: it lands in the task's
/// draft for the project (created when the task was issued), replacing the draft's figures and
/// indicator rows, with its warnings. Without a draft (the project's target came into force after
/// the task was issued) a new draft is created. A report already submitted is an error (no silent
/// overwrite). Notices are drafted only when finance approves the report (SPEC §7).
async fn insert_monitoring(tx: &mut Tx, region: &str, year: i32, m: &MonitoringIn) -> Result<i64> {
    let sql = "SELECT id, state FROM monitoring_reports WHERE task_id = $1 AND project_id = $2";
    let existing: Option<(i64, String)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(m.task_id)
        .bind(m.project_id)
        .fetch_optional(&mut *c)
        .await?);
    let report = crate::monitoring::NewReport {
        region,
        fiscal_year: year,
        task_id: m.task_id,
        unit_id: m.unit_id,
        project_id: Some(m.project_id),
        state: "draft",
        budget: m.budget,
        executed: m.executed,
        expected: m.expected,
        progress_text: m.progress_text.clone(),
        reported_completion_x100: m.reported_completion_x100,
        execution_rate_x100: m.execution_rate_x100,
        completion_estimate_x100: m.completion_estimate_x100,
        deviation_x100: m.deviation_x100,
        review_score_x100: None,
        indicators: m.indicators.clone(),
    };
    let report_id = match existing {
        Some((id, state)) if state == "draft" || state == "returned" => {
            crate::monitoring::refill(tx, id, &report).await?;
            id
        }
        Some(_) => {
            return Err(StoreError::Invalid(format!(
                "项目“{}”在该监控任务中的监控报告已提交，不能再导入覆盖",
                m.project_name
            )));
        }
        // Imported reports are drafts: the unit still submits them (SPEC §4).
        None => crate::monitoring::insert_report(tx, &report).await?,
    };
    let warnings: Vec<(String, String, String)> = m
        .warnings
        .iter()
        .map(|w| (w.kind.clone(), w.level.clone(), w.message.clone()))
        .collect();
    crate::monitoring::replace_warnings(tx, region, year, report_id, &warnings).await?;
    Ok(m.indicators.len() as i64)
}

/// Inserts units whose parents are stored or come earlier in dependency order (a parent later in
/// the list is waited for); a parent that never appears is an error and nothing commits.
///
/// The order is decided first, as one pass after another over the units still waiting; the
/// units are then written in that order in multi-row statements, a statement ending before a
/// unit whose parent it holds (the parent's id is needed). The ids are those of inserting one
/// by one.
async fn insert_units(tx: &mut Tx, region: &str, units: &[UnitIn]) -> Result<i64> {
    let sql = "SELECT code, id, level FROM units WHERE region_code = $1";
    let rows: Vec<(String, i64, i32)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(region)
        .fetch_all(&mut *c)
        .await?);
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len() + units.len());
    let mut levels: HashMap<&str, i32> = HashMap::with_capacity(rows.len() + units.len());
    for (code, id, level) in &rows {
        ids.insert(code.clone(), *id);
        levels.insert(code.as_str(), *level);
    }
    // 1. The order and levels, as inserting one by one in passes would give them.
    let mut order: Vec<(&UnitIn, i32)> = Vec::with_capacity(units.len());
    let mut pending: Vec<&UnitIn> = units.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for u in pending {
            let level = match u.parent_code.as_deref() {
                None => Some(1),
                Some(p) => levels.get(p).map(|l| l + 1),
            };
            match level {
                Some(level) => {
                    levels.insert(u.code.as_str(), level);
                    order.push((u, level));
                }
                None => rest.push(u),
            }
        }
        if rest.len() == before {
            let codes: Vec<String> = rest
                .iter()
                .map(|u| {
                    format!(
                        "{}（上级 {}）",
                        u.code,
                        u.parent_code.as_deref().unwrap_or("")
                    )
                })
                .collect();
            return Err(StoreError::Invalid(format!(
                "上级单位不存在或循环引用：{}",
                codes.join("、")
            )));
        }
        pending = rest;
    }
    // 2. Written in that order, a statement at a time.
    let mut batch: Vec<(&UnitIn, i32)> = Vec::new();
    let mut in_batch: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (u, level) in order {
        if u.parent_code
            .as_deref()
            .is_some_and(|p| in_batch.contains(p))
        {
            flush_units(tx, region, &batch, &mut ids).await?;
            batch.clear();
            in_batch.clear();
        }
        in_batch.insert(u.code.as_str());
        batch.push((u, level));
    }
    flush_units(tx, region, &batch, &mut ids).await?;
    Ok(units.len() as i64)
}

async fn flush_units(
    tx: &mut Tx,
    region: &str,
    batch: &[(&UnitIn, i32)],
    ids: &mut HashMap<String, i64>,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows: Vec<crate::units::NewUnit> = batch
        .iter()
        .map(|(u, level)| crate::units::NewUnit {
            region,
            code: &u.code,
            name: &u.name,
            parent_id: u.parent_code.as_deref().and_then(|p| ids.get(p).copied()),
            level: *level,
            kind: u.kind,
            finance_desk: &u.finance_desk,
        })
        .collect();
    let created = crate::units::insert_many(tx, &rows).await?;
    ids.extend(created);
    Ok(())
}
