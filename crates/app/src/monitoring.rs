//! 绩效运行监控 ("double monitoring", SPEC §7): the finance performance office issues a task, which
//! creates one report draft per object in force; the unit fills the report (pre-filled from the
//! target in force and the budget) and its approver submits it; finance scores it with the
//! review rubric and approves or returns it. The domain computes every figure and warning
//! ([`jixiao_domain::monitoring::analyse`]); an approved report's red warnings draft rectification
//! notices ([`crate::rectification`]).

use crate::input::{json, text_or_number};
use crate::review::review_path;
use crate::{Actor, AppError, FieldProblem, hidden};
use chrono::{Datelike, NaiveDate};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{from_hundredths, parse_loose, round2, to_hundredths, trim};
use jixiao_domain::indicator::{Sign, parse_written_value};
use jixiao_domain::monitoring::{
    self, Analysis, DeviationCause, Likelihood, MonitoredIndicator, MonitoringReport, Warning,
};
use jixiao_domain::scoring::Severity;
use jixiao_domain::settings::MonitoringSettings;
use jixiao_domain::types::{MonitoringKind, Role};
use jixiao_domain::workflow::{self, DocAction, DocState};
use jixiao_store::browse::Scope;
use jixiao_store::monitoring::{
    self as store, IndicatorFill, IndicatorRecord, ReportFill, ReportRecord, Task, TaskScope,
};
use jixiao_store::{Tx, regions};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The object kind of a monitoring report in history and audit entries.
pub const KIND: &str = "monitoring_report";

// ---------------------------------------------------------------------------------------------
// Tasks

/// A task as the finance office issues it (web form, API, CLI).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TaskInput {
    /// `project` or `unit` (项目 / 部门整体).
    pub kind: String,
    /// Optional; a name is made from the year, the period and the kind when empty.
    pub name: String,
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
    /// The data are as of the end of this month (1–12): "1–N月".
    #[serde(deserialize_with = "text_or_number")]
    pub period_end_month: String,
    /// YYYY-MM-DD.
    pub deadline: String,
    /// Chosen units (empty with no projects: every object in force).
    pub units: Vec<i64>,
    /// Chosen projects (project tasks).
    pub projects: Vec<i64>,
}

/// What issuing a task did.
#[derive(Debug, Clone, Serialize)]
pub struct TaskIssued {
    pub id: i64,
    pub drafts: i64,
}

/// The task as parsed: every field checked.
struct ParsedTask {
    kind: MonitoringKind,
    name: String,
    year: i32,
    period_end: NaiveDate,
    deadline: NaiveDate,
}

fn parse_task(input: &TaskInput) -> Result<ParsedTask, AppError> {
    let mut errors = Vec::new();
    let kind = MonitoringKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldProblem::new(
            "监控类型",
            "请选择监控类型：项目或部门整体",
        ));
    }
    let year = input.fiscal_year.trim().parse::<i32>().ok();
    if !year.is_some_and(|y| (2000..=2100).contains(&y)) {
        errors.push(FieldProblem::new(
            "年度",
            format!("“{}”不是有效的年度", input.fiscal_year),
        ));
    }
    let month = input.period_end_month.trim().parse::<u32>().ok();
    if !month.is_some_and(|m| (1..=12).contains(&m)) {
        errors.push(FieldProblem::new(
            "监控期间",
            "请选择数据截至的月份（1 至 12 月）",
        ));
    }
    let deadline = NaiveDate::parse_from_str(input.deadline.trim(), "%Y-%m-%d").ok();
    if deadline.is_none() {
        errors.push(FieldProblem::new(
            "报送截止日期",
            format!("“{}”不是有效的日期（格式：2023-08-20）", input.deadline),
        ));
    }
    let name = input.name.trim();
    if name.chars().count() > 100 {
        errors.push(FieldProblem::new("任务名称", "不能超过 100 个字"));
    }
    let (Some(kind), Some(year), Some(month), Some(deadline)) = (kind, year, month, deadline)
    else {
        return Err(AppError::Invalid(errors));
    };
    let period_end = NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or_default();
    if deadline < period_end {
        errors.push(FieldProblem::new(
            "报送截止日期",
            format!("截止日期 {deadline} 早于监控期末 {period_end}，数据尚未形成"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let name = if name.is_empty() {
        let period = if month == 1 {
            "1月".to_string()
        } else {
            format!("1-{month}月")
        };
        let what = match kind {
            MonitoringKind::Project => "项目",
            MonitoringKind::Unit => "部门整体",
        };
        format!("{year}年{period}{what}绩效运行监控")
    } else {
        name.to_string()
    };
    Ok(ParsedTask {
        kind,
        name,
        year,
        period_end,
        deadline,
    })
}

/// Issues a monitoring task (finance performance office): the task and one report draft per
/// object in scope, in one transaction, audited.
pub async fn issue_task(actor: &Actor<'_>, input: &TaskInput) -> Result<TaskIssued, AppError> {
    if !actor.user.has(Role::FinanceAdmin) {
        return Err(AppError::Denied(
            "只有财政绩效管理员可以下达监控任务".into(),
        ));
    }
    let t = parse_task(input)?;
    let region = &actor.user.region;
    // Chosen units and projects must be the region's.
    let (units, projects) = (dedup(&input.units), dedup(&input.projects));
    if t.kind == MonitoringKind::Unit && !projects.is_empty() {
        return Err(AppError::invalid(
            "监控范围",
            "部门整体监控按单位选择范围，不能选择项目",
        ));
    }
    let unknown_units = jixiao_store::units::not_in_region(actor.store, region, &units).await?;
    let unknown_projects =
        jixiao_store::projects::not_in_region(actor.store, region, &projects).await?;
    if !unknown_units.is_empty() || !unknown_projects.is_empty() {
        let mut problems = Vec::new();
        if !unknown_units.is_empty() {
            problems.push(FieldProblem::new(
                "监控范围",
                format!("单位编号 {} 不存在", join_ids(&unknown_units)),
            ));
        }
        if !unknown_projects.is_empty() {
            problems.push(FieldProblem::new(
                "监控范围",
                format!("项目编号 {} 不存在", join_ids(&unknown_projects)),
            ));
        }
        return Err(AppError::Invalid(problems));
    }
    let scope = TaskScope {
        units: units.clone(),
        projects: projects.clone(),
    };
    let scope_text = if units.is_empty() && projects.is_empty() {
        String::new()
    } else {
        format!("选定单位 {} 个、项目 {} 个", units.len(), projects.len())
    };
    let mut tx = actor.store.begin().await?;
    let id = store::insert_task(
        &mut tx,
        &store::NewTask {
            region,
            fiscal_year: t.year,
            kind: t.kind.code(),
            name: &t.name,
            period_end: t.period_end,
            deadline: t.deadline,
            state: "issued",
            scope: if scope_text.is_empty() {
                "all"
            } else {
                "chosen"
            },
            scope_text: &scope_text,
            issued_by: Some(actor.user.id),
        },
    )
    .await?;
    let drafts = store::create_drafts(&mut tx, region, t.year, id, t.kind.code(), &scope).await?;
    if drafts == 0 {
        return Err(AppError::Refused(match t.kind {
            MonitoringKind::Project => format!(
                "{} 年度在所选范围内没有绩效目标已批复（生效）的项目，无法下达项目监控任务",
                t.year
            ),
            MonitoringKind::Unit => "所选范围内没有一级预算单位，无法下达部门整体监控任务".into(),
        }));
    }
    actor
        .audit(
            &mut tx,
            "monitoring.issue_task",
            "monitoring_task",
            id,
            "",
            &serde_json::json!({"name": t.name, "kind": t.kind.code(), "fiscal_year": t.year,
                "period_end": t.period_end, "deadline": t.deadline, "units": units,
                "projects": projects, "drafts": drafts})
            .to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(TaskIssued { id, drafts })
}

fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut v: Vec<i64> = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join("、")
}

/// A task of the user's region. Every logged-in user of the region may read a task (its name,
/// period and deadline are the region's notice to all units); what it holds is scoped.
pub async fn task(actor: &Actor<'_>, id: i64) -> Result<Task, AppError> {
    let scope = actor.scope().await?;
    // An agency's people and users without a unit have no part in monitoring.
    if matches!(scope, Scope::Agency(_) | Scope::Nothing) {
        return Err(AppError::Forbidden);
    }
    store::task(actor.store, &actor.user.region, id)
        .await?
        .ok_or_else(|| hidden(&scope, "监控任务"))
}

/// The units whose reports the user may see in a task's tables: `None` for the whole region.
pub async fn progress_units(actor: &Actor<'_>) -> Result<Option<Vec<i64>>, AppError> {
    Ok(match actor.scope().await? {
        Scope::Region | Scope::Published => None,
        Scope::Units(ids) => Some(ids),
        _ => Some(vec![]),
    })
}

// ---------------------------------------------------------------------------------------------
// Reports

/// A report the user may read (SPEC §1: a unit's own, an evaluator's engagements, the region for
/// finance; leaders only approved ones).
pub async fn visible(actor: &Actor<'_>, id: i64) -> Result<ReportRecord, AppError> {
    let scope = actor.scope().await?;
    let region = &actor.user.region;
    if jixiao_store::browse::monitoring_report(actor.store, region, &scope, id)
        .await?
        .is_none()
    {
        return Err(hidden(&scope, "监控报告"));
    }
    store::report(actor.store, region, id)
        .await?
        .ok_or_else(|| hidden(&scope, "监控报告"))
}

/// Whether the user may fill in this report: a unit user of its unit, while it is a draft or
/// returned.
pub async fn may_edit(actor: &Actor<'_>, r: &ReportRecord) -> Result<bool, AppError> {
    Ok(DocState::parse(&r.state).is_some_and(DocState::is_editable)
        && actor.is_unit_user()
        && actor.may_write_for_unit(r.unit_id).await?)
}

/// One indicator row as the unit types it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IndicatorInput {
    /// The row's number in the report (1, 2, …).
    pub seq: i32,
    /// 1–N月完成值.
    #[serde(deserialize_with = "text_or_number")]
    pub to_date: String,
    /// 全年预计完成值.
    #[serde(deserialize_with = "text_or_number")]
    pub expected: String,
    /// `certain` / `possible` / `impossible` or 确定能 / 有可能 / 完全不可能.
    pub likelihood: String,
    /// 偏差原因 categories: `funding`, `institutional`, `staffing`, `facilities`, `other` or their
    /// Chinese labels.
    pub causes: Vec<String>,
    /// 偏差原因分析 (text).
    pub cause_text: String,
    /// 拟采取的措施.
    pub measures: String,
}

/// A report as the unit fills it (web form, API, uploaded workbook).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportInput {
    /// 1–N月执行数, 万元.
    #[serde(deserialize_with = "text_or_number")]
    pub executed_wan: String,
    /// 全年预计执行数, 万元.
    #[serde(deserialize_with = "text_or_number")]
    pub expected_wan: String,
    /// 总体目标 1–N月执行情况.
    pub progress_text: String,
    /// 总体目标全年预计完成情况.
    pub goal_forecast: String,
    /// 总体完成率 (percent).
    #[serde(deserialize_with = "text_or_number")]
    pub reported_completion: String,
    pub indicators: Vec<IndicatorInput>,
}

/// The input checked and computed: what is stored and the domain's analysis.
pub struct Checked {
    pub fill: ReportFill,
    pub analysis: Analysis,
}

const MAX_TEXT: usize = 2000;

fn text(field: &str, value: &str, errors: &mut Vec<FieldProblem>) -> String {
    let v = value.trim();
    if v.chars().count() > MAX_TEXT {
        errors.push(FieldProblem::new(
            field,
            format!("不能超过 {MAX_TEXT} 个字"),
        ));
    }
    v.to_string()
}

fn rate_of(x100: Option<i64>) -> Option<Decimal> {
    x100.map(from_hundredths)
}

/// The domain's view of a stored indicator row with the values entered.
fn monitored(row: &IndicatorRecord, fill: Option<&IndicatorFill>) -> MonitoredIndicator {
    let (to_date, likelihood, causes, cause_text, measures) = match fill {
        Some(f) => (
            f.to_date_value.as_str(),
            f.likelihood.as_str(),
            f.deviation_causes.as_str(),
            f.deviation_text.as_str(),
            f.measures.as_str(),
        ),
        None => (
            row.to_date_value.as_str(),
            row.likelihood.as_str(),
            row.deviation_causes.as_str(),
            row.deviation_text.as_str(),
            row.measures.as_str(),
        ),
    };
    let sign = Sign::parse(&row.sign);
    MonitoredIndicator {
        name: row.name.clone(),
        sign,
        target: parse_written_value(&row.target_value).number,
        to_date: parse_written_value(to_date).number,
        weight: row.weight_x100.map(from_hundredths),
        likelihood: Likelihood::parse_written(likelihood),
        sub_item: row.parent_seq.is_some(),
        has_cause: !causes.trim().is_empty() || !cause_text.trim().is_empty(),
        // A filled form written outside Jixiao has one column for the cause and the measures.
        has_measures: !measures.trim().is_empty() || !cause_text.trim().is_empty(),
    }
}

/// The period end month of a report's task.
fn month_of(r: &ReportRecord) -> u32 {
    r.period_end.month()
}

/// Checks the unit's input against the stored rows and computes every figure (SPEC §7). Field
/// problems (not a number, unknown likelihood, too long) are errors; the rules' findings
/// (missing likelihood, missing cause …) come back in the analysis and block submission only.
pub fn check_input(
    settings: &MonitoringSettings,
    r: &ReportRecord,
    rows: &[IndicatorRecord],
    input: &ReportInput,
) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let executed = crate::input::wan("1-N月执行数", &input.executed_wan, &mut errors);
    let expected = crate::input::wan("全年预计执行数", &input.expected_wan, &mut errors);
    let progress_text = text("总体目标执行情况", &input.progress_text, &mut errors);
    let goal_forecast = text("全年预计完成情况", &input.goal_forecast, &mut errors);
    let reported = match input
        .reported_completion
        .trim()
        .trim_end_matches(['%', '％'])
    {
        "" => None,
        t => match parse_loose(t) {
            Some(v) if v >= Decimal::ZERO && v <= Decimal::ONE_HUNDRED => Some(round2(v)),
            _ => {
                errors.push(FieldProblem::new(
                    "总体完成率",
                    format!("“{}”应为 0 至 100 之间的百分数", input.reported_completion),
                ));
                None
            }
        },
    };
    let mut fills = Vec::with_capacity(rows.len());
    for row in rows {
        let given = input.indicators.iter().find(|i| i.seq == row.seq);
        let place = format!("第 {} 行指标“{}”", row.seq, row.name);
        let Some(i) = given else {
            fills.push(IndicatorFill {
                seq: row.seq,
                ..Default::default()
            });
            continue;
        };
        let likelihood = match i.likelihood.trim() {
            "" => String::new(),
            t => match Likelihood::parse_written(t) {
                Some(l) => l.code().to_string(),
                None => {
                    errors.push(FieldProblem::new(
                        &place,
                        format!("完成目标可能性“{t}”无效，应为确定能、有可能或完全不可能"),
                    ));
                    String::new()
                }
            },
        };
        let mut causes = Vec::new();
        for c in &i.causes {
            let c = c.trim();
            if c.is_empty() {
                continue;
            }
            match DeviationCause::parse(c) {
                Some(c) if !causes.contains(&c.label()) => causes.push(c.label()),
                Some(_) => {}
                None => errors.push(FieldProblem::new(
                    &place,
                    format!(
                        "偏差原因“{c}”无效，应为经费保障、制度保障、人员保障、硬件条件保障或其他"
                    ),
                )),
            }
        }
        let to_date = text(&place, &i.to_date, &mut errors);
        let expected_value = text(&place, &i.expected, &mut errors);
        if row.sign != "定性"
            && !to_date.is_empty()
            && parse_written_value(&to_date).number.is_none()
        {
            errors.push(FieldProblem::new(
                &place,
                format!("完成值“{to_date}”不是数值（定量指标应填写数值）"),
            ));
        }
        fills.push(IndicatorFill {
            seq: row.seq,
            to_date_value: to_date,
            expected_value,
            likelihood,
            deviation_causes: causes.join("、"),
            deviation_text: text(&place, &i.cause_text, &mut errors),
            measures: text(&place, &i.measures, &mut errors),
            completion_x100: None,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let indicators: Vec<MonitoredIndicator> = rows
        .iter()
        .zip(&fills)
        .map(|(row, f)| monitored(row, Some(f)))
        .collect();
    let analysis = monitoring::analyse(
        settings,
        &MonitoringReport {
            period_end_month: month_of(r),
            budget: Fen(r.budget_fen),
            executed,
            reported_completion: reported,
            indicators,
            review_score: rate_of(r.review_score_x100),
        },
    );
    for (f, c) in fills.iter_mut().zip(&analysis.indicator_completions) {
        f.completion_x100 = c.map(|c| to_hundredths(c * Decimal::ONE_HUNDRED));
    }
    let fill = ReportFill {
        executed,
        expected,
        progress_text,
        goal_forecast,
        reported_completion_x100: reported.map(to_hundredths),
        execution_rate_x100: Some(to_hundredths(analysis.execution_rate)),
        completion_estimate_x100: analysis.completion_estimate.map(to_hundredths),
        deviation_x100: analysis.deviation.map(to_hundredths),
        indicators: fills,
    };
    Ok(Checked { fill, analysis })
}

/// The analysis of a stored report as it stands (nothing entered yet: `None`).
pub fn stored_analysis(
    settings: &MonitoringSettings,
    r: &ReportRecord,
    rows: &[IndicatorRecord],
) -> Option<Analysis> {
    r.filled_at?;
    Some(monitoring::analyse(
        settings,
        &MonitoringReport {
            period_end_month: month_of(r),
            budget: Fen(r.budget_fen),
            executed: Fen(r.executed_fen),
            reported_completion: rate_of(r.reported_completion_x100),
            indicators: rows.iter().map(|row| monitored(row, None)).collect(),
            review_score: rate_of(r.review_score_x100),
        },
    ))
}

/// The live check of the form as typed: the figures and the findings (web: shown while the
/// user types; API: `POST …/check`).
pub async fn check(
    actor: &Actor<'_>,
    id: i64,
    input: &ReportInput,
) -> Result<Result<Analysis, Vec<FieldProblem>>, AppError> {
    let r = visible(actor, id).await?;
    let rows = store::indicators(actor.store, id).await?;
    let settings = regions::settings(actor.store, &r.region_code).await?;
    Ok(match check_input(&settings.monitoring, &r, &rows, input) {
        Ok(c) => Ok(c.analysis),
        Err(AppError::Invalid(p)) => Err(p),
        Err(e) => return Err(e),
    })
}

/// Saves the unit's entries (draft or returned), with the figures and the warnings they raise.
pub async fn save(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &ReportInput,
) -> Result<Analysis, AppError> {
    let r = visible(actor, id).await?;
    if !may_edit(actor, &r).await? {
        return Err(edit_refusal(actor, &r).await?);
    }
    let rows = store::indicators(actor.store, id).await?;
    let settings = regions::settings(actor.store, &r.region_code).await?;
    let checked = check_input(&settings.monitoring, &r, &rows, input)?;
    let mut tx = actor.store.begin().await?;
    store::fill(&mut tx, id, row_version, &checked.fill).await?;
    store_warnings(&mut tx, &r, &checked.analysis.warnings).await?;
    actor
        .audit(
            &mut tx,
            "monitoring.save",
            KIND,
            id,
            &json(&serde_json::json!({"executed_fen": r.executed_fen,
                "reported_completion_x100": r.reported_completion_x100, "filled": r.filled_at.is_some()})),
            &json(&serde_json::json!({"executed_fen": checked.fill.executed.0,
                "expected_fen": checked.fill.expected.0,
                "reported_completion_x100": checked.fill.reported_completion_x100,
                "deviation_x100": checked.fill.deviation_x100,
                "warnings": checked.analysis.warnings.iter().map(|w| w.kind.code()).collect::<Vec<_>>()})),
        )
        .await?;
    tx.commit().await?;
    Ok(checked.analysis)
}

async fn edit_refusal(actor: &Actor<'_>, r: &ReportRecord) -> Result<AppError, AppError> {
    let state = DocState::parse(&r.state);
    Ok(if !state.is_some_and(DocState::is_editable) {
        AppError::Refused(format!(
            "监控报告{}，不能修改",
            state.map_or("已锁定".to_string(), |s| format!(
                "已是“{}”状态",
                s.label()
            ))
        ))
    } else if !actor.is_unit_user() || !actor.may_write_for_unit(r.unit_id).await? {
        AppError::Denied("监控报告由被监控单位填报，只有本单位的填报员或审核员可以修改".into())
    } else {
        AppError::Forbidden
    })
}

/// Stores the warnings of a report (kind, level, message), keeping those that already drafted a
/// notice.
async fn store_warnings(
    tx: &mut Tx,
    r: &ReportRecord,
    warnings: &[Warning],
) -> Result<Vec<store::StoredWarning>, AppError> {
    let new: Vec<(String, String, String)> = warnings
        .iter()
        .map(|w| {
            (
                w.kind.code().to_string(),
                w.level.code().to_string(),
                w.message.clone(),
            )
        })
        .collect();
    Ok(store::replace_warnings(tx, &r.region_code, r.fiscal_year, r.id, &new).await?)
}

/// A move of a report: submit / resubmit (the unit approver), approve or return (finance, with
/// the review rubric's item scores for an approval), start_review.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportAction {
    pub action: String,
    pub row_version: i32,
    /// 审核意见 / 退回原因.
    pub text: String,
    /// The review rubric's item scores, in the order of the region's rubric.
    pub scores: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportOutcome {
    pub state: String,
    pub review_score: Option<String>,
    /// Rectification notices drafted by this approval.
    pub notices_drafted: Vec<i64>,
}

/// Parses the rubric scores and computes the review score (SPEC §7).
pub fn review_score_of(
    settings: &MonitoringSettings,
    scores: &[String],
) -> Result<(Vec<Decimal>, Decimal), AppError> {
    let mut values = Vec::with_capacity(scores.len());
    let mut problems = Vec::new();
    for (n, s) in scores.iter().enumerate() {
        let item = settings
            .review_rubric
            .get(n)
            .map_or(format!("第 {} 项", n + 1), |(name, _)| name.clone());
        match parse_loose(s) {
            Some(v) => values.push(v),
            None => problems.push(FieldProblem::new(
                &item,
                if s.trim().is_empty() {
                    "请填写得分".to_string()
                } else {
                    format!("“{s}”不是有效的分数")
                },
            )),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    monitoring::review_score(settings, &values)
        .map(|total| (values, total))
        .map_err(|errors| {
            AppError::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldProblem::new("审核评分", e.to_string()))
                    .collect(),
            )
        })
}

pub async fn act(
    actor: &Actor<'_>,
    id: i64,
    input: &ReportAction,
) -> Result<ReportOutcome, AppError> {
    let r = visible(actor, id).await?;
    let from = DocState::parse(&r.state).unwrap_or(DocState::Draft);
    let Some(action) = DocAction::parse(input.action.trim()) else {
        return Err(AppError::invalid(
            "操作",
            format!("未知的操作“{}”", input.action),
        ));
    };
    let text = Some(input.text.trim()).filter(|s| !s.is_empty());
    let roles = &actor.user.roles;
    let own = actor.submitted(KIND, id).await?;
    let settings = regions::settings(actor.store, &r.region_code).await?;
    let rows = store::indicators(actor.store, id).await?;
    match action {
        DocAction::Submit | DocAction::Resubmit => {
            if !actor.is_unit_user() || !actor.may_write_for_unit(r.unit_id).await? {
                return Err(AppError::Denied("监控报告由被监控单位的审核员提交".into()));
            }
            workflow::transition(from, action, roles, own, text)?;
            let Some(analysis) = stored_analysis(&settings.monitoring, &r, &rows) else {
                return Err(AppError::Refused(
                    "监控报告尚未填写执行数和指标完成情况，请先填写并保存".into(),
                ));
            };
            let errors: Vec<String> = analysis
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.message.clone())
                .collect();
            if !errors.is_empty() {
                return Err(AppError::Refused(format!(
                    "监控报告不完整，不能提交：{}",
                    errors.join("；")
                )));
            }
            let s = workflow::transition(from, action, roles, own, text)?;
            let mut tx = actor.store.begin().await?;
            store::set_state(
                &mut tx,
                id,
                input.row_version,
                &store::ReportState {
                    state: s.to.code(),
                    submitted: true,
                    review: None,
                },
            )
            .await?;
            actor
                .history(
                    &mut tx,
                    r.fiscal_year,
                    KIND,
                    id,
                    from.code(),
                    s.to.code(),
                    action.code(),
                    input.text.trim(),
                )
                .await?;
            audit_move(actor, &mut tx, &r, action, s.to, input, None).await?;
            tx.commit().await?;
            Ok(ReportOutcome {
                state: s.to.code().into(),
                review_score: None,
                notices_drafted: vec![],
            })
        }
        DocAction::StartReview => {
            let s = workflow::transition(from, action, roles, own, None)?;
            let mut tx = actor.store.begin().await?;
            store::set_state(
                &mut tx,
                id,
                input.row_version,
                &store::ReportState {
                    state: s.to.code(),
                    ..Default::default()
                },
            )
            .await?;
            actor
                .history(
                    &mut tx,
                    r.fiscal_year,
                    KIND,
                    id,
                    from.code(),
                    s.to.code(),
                    action.code(),
                    "",
                )
                .await?;
            audit_move(actor, &mut tx, &r, action, s.to, input, None).await?;
            tx.commit().await?;
            Ok(ReportOutcome {
                state: s.to.code().into(),
                review_score: None,
                notices_drafted: vec![],
            })
        }
        DocAction::Approve | DocAction::Return => {
            let steps = review_path(from, action, roles, own, text)?;
            // An approval is scored with the rubric; a return may carry scores too.
            let scored = if action == DocAction::Approve || !input.scores.is_empty() {
                Some(review_score_of(&settings.monitoring, &input.scores)?)
            } else {
                None
            };
            let items_json = scored
                .as_ref()
                .map(|(items, _)| {
                    json(
                        &settings
                            .monitoring
                            .review_rubric
                            .iter()
                            .zip(items)
                            .map(|((name, max), v)| {
                                serde_json::json!({"item": name, "max": trim(*max), "score": trim(*v)})
                            })
                            .collect::<Vec<_>>(),
                    )
                })
                .unwrap_or_default();
            let score = scored.as_ref().map(|(_, t)| *t);
            let mut tx = actor.store.begin().await?;
            for (version, (a, act, b)) in (input.row_version..).zip(steps.iter()) {
                let review = (*act != DocAction::StartReview).then_some((
                    items_json.as_str(),
                    input.text.trim(),
                    score.map(to_hundredths),
                ));
                store::set_state(
                    &mut tx,
                    id,
                    version,
                    &store::ReportState {
                        state: b.code(),
                        submitted: false,
                        review: review.filter(|_| score.is_some() || *act == DocAction::Return),
                    },
                )
                .await?;
                let opinion = match (act, score) {
                    (DocAction::StartReview, _) => String::new(),
                    (_, Some(s)) => format!("审核得分 {} 分。{}", trim(s), input.text.trim()),
                    (_, None) => input.text.trim().to_string(),
                };
                actor
                    .history(
                        &mut tx,
                        r.fiscal_year,
                        KIND,
                        id,
                        a.code(),
                        b.code(),
                        act.code(),
                        &opinion,
                    )
                    .await?;
            }
            let to = steps.last().map(|s| s.2).unwrap_or(from);
            let mut drafted = Vec::new();
            if to == DocState::Approved {
                // The review score joins the analysis: its warning, and the notices of every red
                // warning not yet drafted.
                let mut scored_record = r.clone();
                scored_record.review_score_x100 = score.map(to_hundredths);
                if let Some(analysis) = stored_analysis(&settings.monitoring, &scored_record, &rows)
                {
                    let stored = store_warnings(&mut tx, &r, &analysis.warnings).await?;
                    drafted = crate::rectification::draft_for_warnings(actor, &mut tx, &r, &stored)
                        .await?;
                }
            }
            audit_move(actor, &mut tx, &r, action, to, input, score).await?;
            tx.commit().await?;
            Ok(ReportOutcome {
                state: to.code().into(),
                review_score: score.map(trim),
                notices_drafted: drafted,
            })
        }
        DocAction::Adjust => Err(AppError::Refused(
            "监控报告审核通过后不能调整；如数据有误，请在下一轮监控中更正".into(),
        )),
    }
}

async fn audit_move(
    actor: &Actor<'_>,
    tx: &mut Tx,
    r: &ReportRecord,
    action: DocAction,
    to: DocState,
    input: &ReportAction,
    score: Option<Decimal>,
) -> Result<(), AppError> {
    actor
        .audit(
            tx,
            &format!("monitoring.{}", action.code()),
            KIND,
            r.id,
            &json(&serde_json::json!({"state": r.state})),
            &json(
                &serde_json::json!({"state": to.code(), "opinion": input.text.trim(),
                "review_score": score.map(trim), "scores": input.scores}),
            ),
        )
        .await
}

/// Re-analyses every filled report of a task with the region's current settings (an explicit,
/// audited action, SPEC §7): figures and warnings are recomputed; an approved report's new red
/// warnings draft notices. Returns (reports analysed, notices drafted).
pub async fn reanalyse(actor: &Actor<'_>, task_id: i64) -> Result<(i64, i64), AppError> {
    if !actor.user.has(Role::FinanceAdmin) {
        return Err(AppError::Denied(
            "只有财政绩效管理员可以重新分析监控预警".into(),
        ));
    }
    let t = task(actor, task_id).await?;
    let settings = regions::settings(actor.store, &actor.user.region).await?;
    let reports = store::task_reports(actor.store, &actor.user.region, t.id, None).await?;
    let mut tx = actor.store.begin().await?;
    let (mut analysed, mut drafted) = (0i64, 0i64);
    for r in &reports {
        let rows = store::indicators_tx(&mut tx, r.id).await?;
        let Some(a) = stored_analysis(&settings.monitoring, r, &rows) else {
            continue;
        };
        store::set_figures(
            &mut tx,
            r.id,
            Some(to_hundredths(a.execution_rate)),
            a.completion_estimate.map(to_hundredths),
            a.deviation.map(to_hundredths),
        )
        .await?;
        let stored = store_warnings(&mut tx, r, &a.warnings).await?;
        if r.state == DocState::Approved.code() {
            drafted += crate::rectification::draft_for_warnings(actor, &mut tx, r, &stored)
                .await?
                .len() as i64;
        }
        analysed += 1;
    }
    actor
        .audit(
            &mut tx,
            "monitoring.reanalyse",
            "monitoring_task",
            t.id,
            "",
            &json(
                &serde_json::json!({"analysed": analysed, "notices_drafted": drafted,
                "settings": {"deviation_red": trim(settings.monitoring.deviation_red),
                "review_red": trim(settings.monitoring.review_red)}}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok((analysed, drafted))
}
