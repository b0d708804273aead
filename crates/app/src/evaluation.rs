//! 绩效评价 (SPEC §8, issue 11), first the self-evaluation (单位自评): the finance performance
//! office opens a round for an evaluated year, which creates one draft per project with a target
//! in force and per level-1 unit; the unit fills the form (pre-filled from the target in force
//! and the budget) and sees the score build as it types; its approver submits; finance reviews,
//! may reduce an over-achieved indicator's score with a reason, and approves or returns it. The
//! domain scores every figure ([`jixiao_domain::scoring`]). An approved project evaluation gives
//! the project its next-year recommendation (SPEC §10), and a grade that calls for it drafts a
//! rectification notice.

use crate::input::{json, text_or_number};
use crate::review::review_path;
use crate::{Actor, AppError, FieldProblem, hidden};
use chrono::NaiveDate;
use jixiao_domain::Fen;
use jixiao_domain::decimal::{from_hundredths, parse_loose, round2, to_hundredths, trim};
use jixiao_domain::indicator::{Level1, Sign, parse_written_value};
use jixiao_domain::result_application;
use jixiao_domain::scoring::{
    self, Funds, IndicatorInput, Reduction, SelfEvaluationScore, Severity,
};
use jixiao_domain::settings::Settings;
use jixiao_domain::types::Role;
use jixiao_domain::workflow::{self, DocAction, DocState, RectificationState};
use jixiao_store::browse::Scope;
use jixiao_store::self_evaluation::{self as store, Fill, Record, Round, Row, RowFill};
use jixiao_store::{Tx, regions};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The object kind of an evaluation in history and audit entries.
pub const KIND: &str = "evaluation";

// ---------------------------------------------------------------------------------------------
// Rounds

/// A self-evaluation round as the finance office opens it (web form, API).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RoundInput {
    /// The evaluated year (the seed's 2023 round evaluated 2022).
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
    /// YYYY-MM-DD.
    pub deadline: String,
    /// Optional; "2022年度绩效自评" when empty.
    pub name: String,
    /// Include projects funded only by carried-over money (结转项目).
    pub include_carried_over: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundOpened {
    pub id: i64,
    pub drafts: store::Drafts,
}

/// Opens a round (finance performance office): the round and its drafts in one transaction,
/// audited. One round per evaluated year.
pub async fn open_round(actor: &Actor<'_>, input: &RoundInput) -> Result<RoundOpened, AppError> {
    if !actor.user.has(Role::FinanceAdmin) {
        return Err(AppError::Denied(
            "只有财政绩效管理员可以部署绩效自评".into(),
        ));
    }
    let mut errors = Vec::new();
    let year = input.fiscal_year.trim().parse::<i32>().ok();
    if !year.is_some_and(|y| (2000..=2100).contains(&y)) {
        errors.push(FieldProblem::new(
            "评价年度",
            format!("“{}”不是有效的年度", input.fiscal_year),
        ));
    }
    let deadline = NaiveDate::parse_from_str(input.deadline.trim(), "%Y-%m-%d").ok();
    if deadline.is_none() {
        errors.push(FieldProblem::new(
            "报送截止日期",
            format!("“{}”不是有效的日期（格式：2023-04-30）", input.deadline),
        ));
    }
    let name = input.name.trim();
    if name.chars().count() > 100 {
        errors.push(FieldProblem::new("任务名称", "不能超过 100 个字"));
    }
    let (Some(year), Some(deadline)) = (year, deadline) else {
        return Err(AppError::Invalid(errors));
    };
    if deadline <= NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(deadline) {
        errors.push(FieldProblem::new(
            "报送截止日期",
            format!("自评在年度结束后开展，截止日期应晚于 {year}-12-31"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let region = &actor.user.region;
    if store::round_of_year(actor.store, region, year)
        .await?
        .is_some()
    {
        return Err(AppError::Refused(format!(
            "{year} 年度的绩效自评已经部署，不能重复部署"
        )));
    }
    let name = if name.is_empty() {
        format!("{year}年度绩效自评")
    } else {
        name.to_string()
    };
    let mut tx = actor.store.begin().await?;
    let id = store::insert_round(
        &mut tx,
        &store::NewRound {
            region,
            fiscal_year: year,
            name: &name,
            deadline,
            include_carried_over: input.include_carried_over,
            issued_by: Some(actor.user.id),
        },
    )
    .await?;
    let drafts =
        store::create_drafts(&mut tx, region, year, id, input.include_carried_over).await?;
    if drafts.projects + drafts.units + drafts.adopted == 0 {
        return Err(AppError::Refused(format!(
            "{year} 年度没有绩效目标已批复（生效）的项目或部门整体，无法部署自评"
        )));
    }
    actor
        .audit(
            &mut tx,
            "evaluation.open_round",
            "evaluation_round",
            id,
            "",
            &json(
                &serde_json::json!({"name": name, "fiscal_year": year, "deadline": deadline,
                "include_carried_over": input.include_carried_over, "drafts": drafts}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(RoundOpened { id, drafts })
}

/// A round of the user's region (its name and deadline are the region's notice to all units).
pub async fn round(actor: &Actor<'_>, id: i64) -> Result<Round, AppError> {
    let scope = actor.scope().await?;
    if matches!(scope, Scope::Agency(_) | Scope::Nothing) {
        return Err(AppError::Forbidden);
    }
    store::round(actor.store, &actor.user.region, id)
        .await?
        .ok_or_else(|| hidden(&scope, "自评任务"))
}

/// The units whose evaluations the user may see in a round's tables: `None` for the region.
pub async fn progress_units(actor: &Actor<'_>) -> Result<Option<Vec<i64>>, AppError> {
    Ok(match actor.scope().await? {
        Scope::Region => None,
        Scope::Units(ids) => Some(ids),
        _ => Some(vec![]),
    })
}

/// The units whose forms the user downloads as a round's workbook: `None` for finance (the
/// whole round), a unit user's own units; anyone else may not (leaders read, they do not fill).
pub async fn workbook_units(actor: &Actor<'_>) -> Result<Option<Vec<i64>>, AppError> {
    if actor.is_finance() {
        Ok(None)
    } else if actor.is_unit_user() {
        progress_units(actor).await
    } else {
        Err(AppError::Forbidden)
    }
}

// ---------------------------------------------------------------------------------------------
// The self-evaluation form

/// An evaluation the user may read (the rule of the evaluation list: a unit's own, an agency's
/// engagements, the region for finance, published ones for leaders).
pub async fn visible(actor: &Actor<'_>, id: i64) -> Result<Record, AppError> {
    let scope = actor.scope().await?;
    let region = &actor.user.region;
    if jixiao_store::browse::evaluation(actor.store, region, &scope, id)
        .await?
        .is_none()
    {
        return Err(hidden(&scope, "评价"));
    }
    store::record(actor.store, region, id)
        .await?
        .ok_or_else(|| hidden(&scope, "评价"))
}

/// Whether the user may fill in this self-evaluation: a unit user of its unit, while it is a
/// draft or returned.
pub async fn may_edit(actor: &Actor<'_>, r: &Record) -> Result<bool, AppError> {
    if !DocState::parse(&r.state).is_some_and(DocState::is_editable) {
        return Ok(false);
    }
    match r.kind.as_str() {
        "self" | "department" => {
            Ok(actor.is_unit_user() && actor.may_write_for_unit(r.unit_id).await?)
        }
        "finance" => is_engaged_evaluator(actor, r).await,
        _ => Ok(false),
    }
}

/// Whether the user is an evaluator of the agency engaged for this finance evaluation, and its
/// conflict-of-interest declaration is made (SPEC §9).
pub async fn is_engaged_evaluator(actor: &Actor<'_>, r: &Record) -> Result<bool, AppError> {
    let Some(engagement) = r.engagement_id else {
        return Ok(false);
    };
    if !actor.user.has(Role::Evaluator) {
        return Ok(false);
    }
    Ok(
        jixiao_store::agencies::engagement(actor.store, &actor.user.region, engagement)
            .await?
            .is_some_and(|g| Some(g.agency_id) == actor.user.agency_id && g.coi_declared),
    )
}

/// One indicator row as the unit types it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RowInput {
    /// The row's number (1, 2, …).
    pub seq: i32,
    /// 实际完成值 (a number for quantitative indicators; the achievement in words otherwise).
    #[serde(deserialize_with = "text_or_number")]
    pub actual: String,
    /// Qualitative: the tier, by its index (0 = 达成) or its label.
    #[serde(deserialize_with = "text_or_number")]
    pub tier: String,
    /// Qualitative: the score chosen inside the tier's band (optional).
    #[serde(deserialize_with = "text_or_number")]
    pub chosen: String,
    /// 偏差原因分析及改进措施.
    pub reason: String,
}

/// A self-evaluation as the unit fills it (web form, API, uploaded workbook).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FormInput {
    /// 全年预算数 (调整后), 万元; empty keeps the pre-filled budget.
    #[serde(deserialize_with = "text_or_number")]
    pub budget_wan: String,
    /// 全年执行数, 万元.
    #[serde(deserialize_with = "text_or_number")]
    pub executed_wan: String,
    /// 年度总体目标实际完成情况.
    pub overall_actual: String,
    pub indicators: Vec<RowInput>,
}

/// The input checked and scored: what is stored and the domain's score.
pub struct Checked {
    pub fill: Fill,
    pub score: SelfEvaluationScore,
    /// Per row, how its points came about.
    pub explanations: Vec<String>,
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

/// The scoring engine's view of a stored row with the values entered.
fn scoring_input(row: &Row, fill: Option<&RowFill>) -> IndicatorInput {
    let sign = Sign::parse(&row.sign);
    let (actual, tier, chosen, reason) = match fill {
        Some(f) => (
            f.actual_value.as_str(),
            f.tier,
            f.chosen_x100,
            f.deviation_reason.as_str(),
        ),
        None => (
            row.actual_value.as_str(),
            row.tier,
            row.chosen_x100.or(if sign == Some(Sign::Qualitative) {
                row.stated_score_x100
            } else {
                None
            }),
            row.deviation_reason.as_str(),
        ),
    };
    let qualitative = sign == Some(Sign::Qualitative);
    IndicatorInput {
        level1: Level1::classify(&row.level1, &row.level2),
        sign,
        target: (!qualitative)
            .then(|| parse_written_value(&row.target_value).number)
            .flatten(),
        actual: (!qualitative)
            .then(|| parse_written_value(actual).number)
            .flatten(),
        weight: row.weight_x100.map(from_hundredths),
        tier: tier.and_then(|t| usize::try_from(t).ok()),
        chosen: chosen.map(from_hundredths),
        band: None,
        sub_item: row.parent_seq.is_some(),
        has_explanation: !reason.trim().is_empty(),
    }
}

/// Scores a form and explains each row's points.
fn score(
    settings: &Settings,
    funds: Funds,
    inputs: &[IndicatorInput],
) -> (SelfEvaluationScore, Vec<String>) {
    let scored = scoring::score_self_evaluation(settings, Some(funds), inputs);
    let explanations = inputs
        .iter()
        .zip(&scored.indicators)
        .map(|(i, s)| scoring::explain_indicator(&settings.scoring, i, s))
        .collect();
    (scored, explanations)
}

fn tier_of(settings: &Settings, t: &str) -> Option<Option<i32>> {
    let t = t.trim();
    if t.is_empty() {
        return Some(None);
    }
    let tiers = &settings.scoring.qualitative_tiers;
    if let Ok(n) = t.parse::<usize>() {
        return (n < tiers.len()).then_some(Some(n as i32));
    }
    tiers
        .iter()
        .position(|b| b.label == t || b.label.starts_with(t))
        .map(|n| Some(n as i32))
}

/// Checks the unit's input against the stored rows and scores it (SPEC §8.2, §8.3). Field
/// problems (not a number, unknown tier, too long) are errors; the rules' findings (weights,
/// missing 偏差原因 …) come back in the score and block submission only.
pub fn check_input(
    settings: &Settings,
    r: &Record,
    rows: &[Row],
    input: &FormInput,
) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let budget = if input.budget_wan.trim().is_empty() {
        Fen(r.budget_fen)
    } else {
        crate::input::wan("全年预算数", &input.budget_wan, &mut errors)
    };
    let executed = crate::input::wan("全年执行数", &input.executed_wan, &mut errors);
    let overall_actual = text("实际完成情况", &input.overall_actual, &mut errors);
    let mut fills = Vec::with_capacity(rows.len());
    for row in rows {
        let place = format!("第 {} 行指标“{}”", row.seq, row.name);
        let Some(i) = input.indicators.iter().find(|i| i.seq == row.seq) else {
            fills.push(RowFill {
                seq: row.seq,
                ..Default::default()
            });
            continue;
        };
        let actual = text(&place, &i.actual, &mut errors);
        let qualitative = row.sign == Sign::Qualitative.symbol();
        if !qualitative && !actual.is_empty() && parse_written_value(&actual).number.is_none() {
            errors.push(FieldProblem::new(
                &place,
                format!("实际完成值“{actual}”不是数值（定量指标应填写数值）"),
            ));
        }
        let tier = match tier_of(settings, &i.tier) {
            Some(t) => t,
            None => {
                errors.push(FieldProblem::new(
                    &place,
                    format!("完成档次“{}”无效", i.tier.trim()),
                ));
                None
            }
        };
        let chosen = match i.chosen.trim() {
            "" => None,
            t => match parse_loose(t) {
                Some(v) if v >= Decimal::ZERO => Some(to_hundredths(round2(v))),
                _ => {
                    errors.push(FieldProblem::new(
                        &place,
                        format!("得分“{t}”不是有效的分数"),
                    ));
                    None
                }
            },
        };
        fills.push(RowFill {
            seq: row.seq,
            actual_value: actual,
            tier: if qualitative { tier } else { None },
            chosen_x100: if qualitative { chosen } else { None },
            deviation_reason: text(&place, &i.reason, &mut errors),
            score_x100: None,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let inputs: Vec<IndicatorInput> = rows
        .iter()
        .zip(&fills)
        .map(|(row, f)| scoring_input(row, Some(f)))
        .collect();
    let (scored, explanations) = score(settings, Funds { budget, executed }, &inputs);
    for (f, s) in fills.iter_mut().zip(&scored.indicators) {
        f.score_x100 = s.score.map(to_hundredths);
    }
    let exec = scored.execution.as_ref();
    let fill = Fill {
        budget,
        executed,
        overall_actual,
        execution_rate_x100: exec.and_then(|e| e.rate).map(to_hundredths),
        execution_score_x100: exec.map(|e| to_hundredths(e.score)),
        total_x100: scored.total.map(to_hundredths),
        grade: scored.grade.map(|g| g.code().to_string()),
        rows: fills,
    };
    Ok(Checked {
        fill,
        score: scored,
        explanations,
    })
}

/// The score of a stored self-evaluation as it stands (nothing entered yet: `None`): the
/// engine's rows, and the total and grade after the reviewer's reductions, if any (the rows keep
/// their computed scores; the reductions show beside them).
pub fn stored_score(
    settings: &Settings,
    r: &Record,
    rows: &[Row],
) -> Option<(SelfEvaluationScore, Vec<String>)> {
    r.filled_at?;
    let inputs: Vec<IndicatorInput> = rows.iter().map(|row| scoring_input(row, None)).collect();
    let (mut scored, explanations) = score(
        settings,
        Funds {
            budget: Fen(r.budget_fen),
            executed: Fen(r.executed_fen),
        },
        &inputs,
    );
    let reductions: Vec<Reduction> = rows
        .iter()
        .enumerate()
        .filter_map(|(n, row)| {
            row.reduced_x100.map(|x| Reduction {
                indicator: n,
                score: from_hundredths(x),
                reason: row.reduction_reason.clone(),
            })
        })
        .collect();
    if !reductions.is_empty()
        && let Ok((total, grade)) = scoring::reduce(settings, &scored, &reductions)
    {
        scored.total = Some(total);
        scored.grade = Some(grade);
    }
    // An approved self-evaluation keeps the total and grade it was approved with, even after the
    // grade scheme changes (issue 11 item 7).
    if r.state == DocState::Approved.code()
        && let (Some(total), Some(grade)) = (
            r.total_x100,
            r.grade
                .as_deref()
                .and_then(jixiao_domain::grade::Grade::parse),
        )
    {
        scored.total = Some(from_hundredths(total));
        scored.grade = Some(grade);
    }
    Some((scored, explanations))
}

/// The live check of the form as typed (web: shown while the user types; API: `POST …/check`).
pub async fn check(
    actor: &Actor<'_>,
    id: i64,
    input: &FormInput,
) -> Result<Result<(SelfEvaluationScore, Vec<String>), Vec<FieldProblem>>, AppError> {
    let r = visible(actor, id).await?;
    let rows = store::rows(actor.store, id).await?;
    let settings = regions::settings(actor.store, &r.region_code).await?;
    Ok(match check_input(&settings, &r, &rows, input) {
        Ok(c) => Ok((c.score, c.explanations)),
        Err(AppError::Invalid(p)) => Err(p),
        Err(e) => return Err(e),
    })
}

/// Saves the unit's entries (draft or returned) with the scores they give.
pub async fn save(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &FormInput,
) -> Result<SelfEvaluationScore, AppError> {
    let r = visible(actor, id).await?;
    if !may_edit(actor, &r).await? {
        return Err(edit_refusal(actor, &r).await?);
    }
    let rows = store::rows(actor.store, id).await?;
    let settings = regions::settings(actor.store, &r.region_code).await?;
    let checked = check_input(&settings, &r, &rows, input)?;
    let mut tx = actor.store.begin().await?;
    store::fill(&mut tx, id, row_version, &checked.fill).await?;
    actor
        .audit(
            &mut tx,
            "evaluation.save",
            KIND,
            id,
            &json(
                &serde_json::json!({"budget_fen": r.budget_fen, "executed_fen": r.executed_fen,
                "total_x100": r.total_x100, "filled": r.filled_at.is_some()}),
            ),
            &json(&serde_json::json!({"budget_fen": checked.fill.budget.0,
                "executed_fen": checked.fill.executed.0, "total_x100": checked.fill.total_x100,
                "grade": checked.fill.grade})),
        )
        .await?;
    tx.commit().await?;
    Ok(checked.score)
}

async fn edit_refusal(actor: &Actor<'_>, r: &Record) -> Result<AppError, AppError> {
    let state = DocState::parse(&r.state);
    Ok(if r.kind != "self" {
        AppError::Refused("部门评价和财政重点评价不在此填报".into())
    } else if !state.is_some_and(DocState::is_editable) {
        AppError::Refused(format!(
            "绩效自评{}，不能修改",
            state.map_or("已锁定".to_string(), |s| format!(
                "已是“{}”状态",
                s.label()
            ))
        ))
    } else if !actor.is_unit_user() || !actor.may_write_for_unit(r.unit_id).await? {
        AppError::Denied("绩效自评由本单位填报，只有本单位的填报员或审核员可以修改".into())
    } else {
        AppError::Forbidden
    })
}

// ---------------------------------------------------------------------------------------------
// Workflow

/// A reviewer's reduction as posted: the row, the reduced score, the reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReductionInput {
    pub seq: i32,
    #[serde(deserialize_with = "text_or_number")]
    pub score: String,
    pub reason: String,
}

/// A move of a self-evaluation: submit / resubmit (the unit approver), approve or return
/// (finance; an approval may reduce over-achieved indicators), start_review.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EvaluationAction {
    pub action: String,
    pub row_version: i32,
    /// 审核意见 / 退回原因.
    pub text: String,
    pub reductions: Vec<ReductionInput>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationOutcome {
    pub state: String,
    pub total: Option<String>,
    pub grade: Option<String>,
    /// The next-year recommendation given by an approval (project evaluations).
    pub recommendation: Option<String>,
    /// A rectification notice drafted by this approval.
    pub notice: Option<i64>,
}

fn parse_reductions(rows: &[Row], input: &[ReductionInput]) -> Result<Vec<Reduction>, AppError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for r in input {
        if r.score.trim().is_empty() && r.reason.trim().is_empty() {
            continue;
        }
        let Some(index) = rows.iter().position(|row| row.seq == r.seq) else {
            problems.push(FieldProblem::new(
                "调减得分",
                format!("第 {} 行指标不存在", r.seq),
            ));
            continue;
        };
        match parse_loose(&r.score) {
            Some(score) => out.push(Reduction {
                indicator: index,
                score,
                reason: r.reason.trim().chars().take(MAX_TEXT).collect(),
            }),
            None => problems.push(FieldProblem::new(
                "调减得分",
                format!("第 {} 行：“{}”不是有效的分数", r.seq, r.score),
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Invalid(problems))
    }
}

pub async fn act(
    actor: &Actor<'_>,
    id: i64,
    input: &EvaluationAction,
) -> Result<EvaluationOutcome, AppError> {
    let r = visible(actor, id).await?;
    let what = match r.kind.as_str() {
        "self" => "绩效自评",
        "department" => "部门评价",
        _ => "财政重点评价",
    };
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
    let rows = store::rows(actor.store, id).await?;
    let unchanged = |state: DocState| EvaluationOutcome {
        state: state.code().into(),
        total: r.total_x100.map(|t| trim(from_hundredths(t))),
        grade: r.grade.clone(),
        recommendation: None,
        notice: None,
    };
    match action {
        DocAction::Submit | DocAction::Resubmit => {
            if r.kind == "finance" {
                if !is_engaged_evaluator(actor, &r).await? {
                    return Err(AppError::Denied(
                        "财政重点评价由受托机构的评价人员在签署回避声明后提交".into(),
                    ));
                }
            } else if !actor.is_unit_user() || !actor.may_write_for_unit(r.unit_id).await? {
                return Err(AppError::Denied(format!("{what}由本单位的审核员提交")));
            }
            workflow::transition(from, action, roles, own, text)?;
            let errors: Vec<String> = if r.kind != "self" {
                let Some(scored) = crate::department_evaluation::stored_score(&settings, &r, &rows)
                else {
                    return Err(AppError::Refused(format!(
                        "{what}尚未填写评价指标，请先填写并保存"
                    )));
                };
                scored
                    .findings
                    .iter()
                    .filter(|f| f.error)
                    .map(|f| f.message.clone())
                    .collect()
            } else {
                let Some((scored, _)) = stored_score(&settings, &r, &rows) else {
                    return Err(AppError::Refused(
                        "绩效自评尚未填写执行数和指标完成值，请先填写并保存".into(),
                    ));
                };
                scored
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .map(|f| match f.indicator {
                        Some(n) => format!(
                            "第 {} 行“{}”：{}",
                            n + 1,
                            rows.get(n).map_or("", |r| r.name.as_str()),
                            f.message
                        ),
                        None => f.message.clone(),
                    })
                    .collect()
            };
            if !errors.is_empty() {
                return Err(AppError::Refused(format!(
                    "{what}不完整，不能提交：{}",
                    errors.join("；")
                )));
            }
            let s = workflow::transition(from, action, roles, own, text)?;
            let mut tx = actor.store.begin().await?;
            store::set_state(
                &mut tx,
                id,
                input.row_version,
                &store::Move {
                    state: s.to.code(),
                    submitted: true,
                    ..Default::default()
                },
            )
            .await?;
            record_move(actor, &mut tx, &r, from, action, s.to, input.text.trim()).await?;
            audit_move(actor, &mut tx, &r, action, s.to, input, None).await?;
            tx.commit().await?;
            Ok(unchanged(s.to))
        }
        DocAction::StartReview => {
            let s = workflow::transition(from, action, roles, own, None)?;
            let mut tx = actor.store.begin().await?;
            store::set_state(
                &mut tx,
                id,
                input.row_version,
                &store::Move {
                    state: s.to.code(),
                    ..Default::default()
                },
            )
            .await?;
            record_move(actor, &mut tx, &r, from, action, s.to, "").await?;
            audit_move(actor, &mut tx, &r, action, s.to, input, None).await?;
            tx.commit().await?;
            Ok(unchanged(s.to))
        }
        DocAction::Approve | DocAction::Return => {
            let steps = review_path(from, action, roles, own, text)?;
            let final_score = if action == DocAction::Approve && r.kind != "self" {
                if !input.reductions.iter().all(|x| x.score.trim().is_empty()) {
                    return Err(AppError::invalid(
                        "调减得分",
                        "部门评价和财政重点评价按评价指标计分，不在审核时调减",
                    ));
                }
                let scored = crate::department_evaluation::stored_score(&settings, &r, &rows);
                let Some((total, grade)) = scored.and_then(|s| s.total.zip(s.grade)) else {
                    return Err(AppError::Refused(format!(
                        "{what}的评价指标尚未填写完整，不能审核通过"
                    )));
                };
                Some((Vec::new(), total, grade))
            } else if action == DocAction::Approve {
                let Some((scored, _)) = stored_score(&settings, &r, &rows) else {
                    return Err(AppError::Refused("绩效自评尚未填写，不能审核通过".into()));
                };
                let reductions = parse_reductions(&rows, &input.reductions)?;
                let (total, grade) =
                    scoring::reduce(&settings, &scored, &reductions).map_err(|errors| {
                        AppError::Invalid(
                            errors
                                .into_iter()
                                .map(|e| FieldProblem::new("调减得分", e.to_string()))
                                .collect(),
                        )
                    })?;
                Some((reductions, total, grade))
            } else {
                if !input.reductions.iter().all(|x| x.score.trim().is_empty()) {
                    return Err(AppError::invalid(
                        "调减得分",
                        "退回时不调减得分；调减在审核通过时填写",
                    ));
                }
                None
            };
            // A notice still open from an earlier approval is not drafted again (read before the
            // transaction: SQLite's writer holds its one connection until the commit).
            let open_notice =
                jixiao_store::rectifications::of_source(actor.store, "evaluation", id)
                    .await?
                    .iter()
                    .any(|k| k.state != RectificationState::Closed.code());
            let mut tx = actor.store.begin().await?;
            for (version, (a, act, b)) in (input.row_version..).zip(steps.iter()) {
                let approved = (*b == DocState::Approved)
                    .then_some(final_score.as_ref())
                    .flatten()
                    .map(|(_, total, grade)| (Some(to_hundredths(*total)), Some(grade.code())));
                store::set_state(
                    &mut tx,
                    id,
                    version,
                    &store::Move {
                        state: b.code(),
                        submitted: false,
                        review: (*act != DocAction::StartReview).then_some(input.text.trim()),
                        approved,
                    },
                )
                .await?;
                let opinion = match (act, &final_score) {
                    (DocAction::StartReview, _) => String::new(),
                    (_, Some((reductions, total, grade))) if !reductions.is_empty() => format!(
                        "调减 {} 项超额完成指标得分，核定总分 {}（{}）。{}",
                        reductions.len(),
                        jixiao_domain::decimal::fixed2(*total),
                        grade.label(),
                        input.text.trim()
                    ),
                    _ => input.text.trim().to_string(),
                };
                record_move(actor, &mut tx, &r, *a, *act, *b, &opinion).await?;
            }
            let to = steps.last().map(|s| s.2).unwrap_or(from);
            let mut outcome = unchanged(to);
            if let (DocState::Approved, Some((reductions, total, grade))) = (to, &final_score) {
                let stored: Vec<(i32, i64, String)> = reductions
                    .iter()
                    .filter_map(|x| {
                        rows.get(x.indicator)
                            .map(|row| (row.seq, to_hundredths(x.score), x.reason.clone()))
                    })
                    .collect();
                store::set_reductions(&mut tx, id, &stored).await?;
                outcome.total = Some(trim(*total));
                outcome.grade = Some(grade.code().into());
                let applied = result_application::apply(&settings.result_application, *grade);
                if r.project_id.is_some() || r.object_kind == "unit" {
                    store::delete_recommendations(&mut tx, id).await?;
                    jixiao_store::evaluations::insert_result_application(
                        &mut tx,
                        &jixiao_store::evaluations::NewResultApplication {
                            region: &r.region_code,
                            fiscal_year: r.fiscal_year,
                            evaluation_id: id,
                            project_id: r.project_id,
                            // Evaluated after the year ends (Y+1), it informs the budget compiled
                            // for the year after (Y+2), as the demo's 2022 results inform 2024.
                            next_year: r.fiscal_year + 2,
                            recommendation: applied.recommendation.code(),
                        },
                    )
                    .await?;
                    outcome.recommendation = Some(applied.recommendation.code().into());
                }
                if applied.rectification && !open_notice {
                    outcome.notice =
                        Some(draft_notice(actor, &mut tx, &r, *total, grade.label()).await?);
                }
            }
            audit_move(
                actor,
                &mut tx,
                &r,
                action,
                to,
                input,
                final_score.as_ref().map(|(_, t, g)| (*t, g.code())),
            )
            .await?;
            tx.commit().await?;
            Ok(outcome)
        }
        DocAction::Adjust => Err(AppError::Refused(
            "绩效自评审核通过后不能调整；如有错误，请财政部门在核查中更正".into(),
        )),
    }
}

/// Drafts the rectification notice a grade calls for (SPEC §10: 一般 → 整改后安排), for finance
/// to confirm and issue.
async fn draft_notice(
    actor: &Actor<'_>,
    tx: &mut Tx,
    r: &Record,
    total: Decimal,
    grade: &str,
) -> Result<i64, AppError> {
    let deadline = jixiao_store::deadlines::today()
        + chrono::Duration::days(crate::rectification::DEFAULT_DAYS);
    let problem = format!(
        "{} 年度{}“{}”得分 {}，评价等级为“{grade}”",
        r.fiscal_year,
        match r.kind.as_str() {
            "department" => "部门评价",
            "finance" => "财政重点评价",
            _ => "绩效自评",
        },
        r.title,
        trim(total)
    );
    let requirement = "请对照自评发现的问题分析原因，制定整改措施，限期整改并报送整改情况及佐证材料；整改完成后方可安排次年预算。";
    let id = jixiao_store::rectifications::insert(
        tx,
        &jixiao_store::rectifications::NewRectification {
            region: &r.region_code,
            fiscal_year: r.fiscal_year,
            unit_id: r.unit_id,
            project_id: r.project_id,
            source_kind: "evaluation",
            source_id: Some(r.id),
            problem: &problem,
            requirement,
            deadline,
            state: RectificationState::Draft.code(),
            response: "",
            warning_kind: "",
        },
    )
    .await?;
    actor
        .audit(
            tx,
            "rectification.draft",
            crate::rectification::KIND,
            id,
            "",
            &json(
                &serde_json::json!({"source": "evaluation", "evaluation_id": r.id,
                "problem": problem, "deadline": deadline}),
            ),
        )
        .await?;
    Ok(id)
}

async fn record_move(
    actor: &Actor<'_>,
    tx: &mut Tx,
    r: &Record,
    from: DocState,
    action: DocAction,
    to: DocState,
    opinion: &str,
) -> Result<(), AppError> {
    actor
        .history(
            tx,
            r.fiscal_year,
            KIND,
            r.id,
            from.code(),
            to.code(),
            action.code(),
            opinion,
        )
        .await
}

async fn audit_move(
    actor: &Actor<'_>,
    tx: &mut Tx,
    r: &Record,
    action: DocAction,
    to: DocState,
    input: &EvaluationAction,
    result: Option<(Decimal, &str)>,
) -> Result<(), AppError> {
    actor
        .audit(
            tx,
            &format!("evaluation.{}", action.code()),
            KIND,
            r.id,
            &json(
                &serde_json::json!({"state": r.state, "total_x100": r.total_x100,
                "grade": r.grade}),
            ),
            &json(
                &serde_json::json!({"state": to.code(), "opinion": input.text.trim(),
                "total": result.map(|(t, _)| trim(t)), "grade": result.map(|(_, g)| g),
                "reductions": input.reductions}),
            ),
        )
        .await
}
