//! Performance targets (绩效目标, SPEC §6): a unit starts and fills in a target, the §6.3 quality
//! checks gate its submission, the finance bureau reviews it with a rating, and an approved
//! target changes only through an adjustment that opens a new version.

use crate::input::{text_or_number, wan};
use crate::review::{ActionInput, review_path};
use crate::{Actor, AppError, FieldProblem, default_year, hidden};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{from_hundredths, parse_loose, to_hundredths};
use jixiao_domain::indicator::{Level1, Sign, parse_written_value};
use jixiao_domain::scoring::{Finding, Severity};
use jixiao_domain::settings::ScoringSettings;
use jixiao_domain::target::{self, ReviewRating, TargetAmounts, TargetContext};
use jixiao_domain::types::{ObjectKind, ProjectCategory};
use jixiao_domain::workflow::{self, DocAction, DocState, ProjectState};
use jixiao_store::browse::Scope;
use jixiao_store::{Store, projects, targets};
use serde::{Deserialize, Serialize};

/// Starts a target: for a project, or (unit-overall) for a unit and year.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewTargetInput {
    pub project_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub fiscal_year: Option<i32>,
}

/// Why a project cannot have a new target: it has one (修改 or 调整 it instead), or it is
/// terminated.
fn project_refusal(
    p: &projects::ProjectRecord,
    current: Option<&targets::TargetRecord>,
) -> Option<AppError> {
    if let Some(t) = current {
        return Some(AppError::Refused(format!(
            "该项目已有绩效目标（第 {} 版，{}），请在原目标上修改或发起调整",
            t.version_no,
            DocState::parse(&t.state).map(|s| s.label()).unwrap_or("")
        )));
    }
    if matches!(
        ProjectState::parse(&p.library_status),
        Some(ProjectState::Terminated)
    ) {
        return Some(AppError::Refused("项目已终止，不能申报绩效目标".into()));
    }
    None
}

/// Why the user cannot declare a target for the unit: targets are declared by the unit itself
/// (SPEC §6), for units the user may write for.
async fn declarer_refusal(actor: &Actor<'_>, unit_id: i64) -> Result<Option<AppError>, AppError> {
    if !actor.is_unit_user() {
        return Ok(Some(AppError::Denied(
            "绩效目标由预算单位申报，财政部门负责审核".into(),
        )));
    }
    if !actor.may_write_for_unit(unit_id).await? {
        return Ok(Some(AppError::Forbidden));
    }
    Ok(None)
}

/// Whether the user may start a target for the project now (`current`: its current target):
/// what [`create`] enforces, for the project page's button.
pub async fn may_start_for_project(
    actor: &Actor<'_>,
    p: &projects::ProjectRecord,
    current: Option<&targets::TargetRecord>,
) -> Result<bool, AppError> {
    Ok(
        project_refusal(p, current).is_none()
            && declarer_refusal(actor, p.unit_id).await?.is_none(),
    )
}

pub async fn create(actor: &Actor<'_>, input: &NewTargetInput) -> Result<i64, AppError> {
    let store = actor.store;
    let region = &actor.user.region;
    let (kind, project, unit_id, year, amounts) = match input.project_id {
        Some(pid) => {
            let p = crate::project::visible(actor, pid).await?;
            let current = targets::current_for_project(store, pid).await?;
            if let Some(refusal) = project_refusal(&p, current.as_ref()) {
                return Err(refusal);
            }
            let fiscal = Fen(p.current_fen + p.carryover_fen);
            (
                ObjectKind::Project,
                Some(pid),
                p.unit_id,
                p.fiscal_year,
                (p.total(), fiscal, Fen(p.other_fen)),
            )
        }
        None => {
            let Some(unit_id) = input.unit_id.or(actor.user.unit_id) else {
                return Err(AppError::Invalid(vec![FieldProblem::new(
                    "预算单位",
                    "请选择预算单位",
                )]));
            };
            if jixiao_store::units::get(store, region, unit_id)
                .await?
                .is_none()
            {
                return Err(AppError::Invalid(vec![FieldProblem::new(
                    "预算单位",
                    "该预算单位不存在",
                )]));
            }
            let year = input.fiscal_year.unwrap_or_else(default_year);
            if let Some(t) = targets::current_for_unit(store, region, unit_id, year).await? {
                return Err(AppError::Refused(format!(
                    "该单位 {year} 年已有部门整体绩效目标（第 {} 版），请在原目标上修改或发起调整",
                    t.version_no
                )));
            }
            (
                ObjectKind::Unit,
                None,
                unit_id,
                year,
                (Fen(0), Fen(0), Fen(0)),
            )
        }
    };
    if let Some(refusal) = declarer_refusal(actor, unit_id).await? {
        return Err(refusal);
    }
    let mut tx = store.begin().await?;
    let id = targets::insert(
        &mut tx,
        &targets::NewTarget {
            region,
            fiscal_year: year,
            object_kind: kind,
            project_id: project,
            unit_id,
            state: DocState::Draft.code(),
            total: amounts.0,
            fiscal: amounts.1,
            other: amounts.2,
            overall_goal: String::new(),
            review_rating: None,
            review_opinion: "",
            indicators: vec![],
            tasks: vec![],
        },
    )
    .await?;
    actor
        .history(&mut tx, year, "target", id, "draft", "draft", "create", "")
        .await?;
    let after = serde_json::json!({"object_kind": kind.code(), "project_id": project, "unit_id": unit_id, "fiscal_year": year});
    actor
        .audit(
            &mut tx,
            "target.create",
            "target",
            id,
            "",
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether a reader in `scope` may see this version: [`target::version_readable`] (a draft is
/// its unit's own until submitted), and for a published-material reader only an approved
/// version ([`Scope::reads_document`]).
pub fn readable(t: &targets::TargetRecord, scope: &Scope) -> bool {
    scope.reads_document(&t.state)
        && DocState::parse(&t.state)
            .is_none_or(|s| target::version_readable(s, matches!(scope, Scope::Units(_))))
}

/// The target version if the user may see it (its project or unit in scope).
pub async fn visible(actor: &Actor<'_>, id: i64) -> Result<targets::TargetRecord, AppError> {
    let scope = actor.scope().await?;
    let hidden = || hidden(&scope, "绩效目标");
    let Some(t) = targets::get(actor.store, &actor.user.region, id).await? else {
        return Err(hidden());
    };
    // A draft (a new target, or the draft of an adjustment) is the unit's own until submitted;
    // a leader reads approved versions only.
    if !readable(&t, &scope) {
        return Err(hidden());
    }
    let visible = match (&scope, t.project_id) {
        (Scope::Region, _) => true,
        (Scope::Published, None) => true,
        (Scope::Units(ids), _) => ids.contains(&t.unit_id),
        (Scope::Agency(_) | Scope::Published, Some(pid)) => {
            crate::project::visible(actor, pid).await.is_ok()
        }
        _ => false,
    };
    if visible { Ok(t) } else { Err(hidden()) }
}

/// One indicator row as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IndicatorInput {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    #[serde(deserialize_with = "text_or_number")]
    pub target_value: String,
    pub unit_of_measure: String,
    #[serde(deserialize_with = "text_or_number")]
    pub weight: String,
    pub basis: String,
    pub library_id: Option<i64>,
    pub is_core: bool,
    pub explanation: String,
}

/// One 年度主要任务 row of a unit-overall target, amounts in 万元.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TaskInput {
    pub task: String,
    pub content: String,
    #[serde(deserialize_with = "text_or_number")]
    pub total_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub other_wan: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TargetInput {
    pub term: String,
    #[serde(deserialize_with = "text_or_number")]
    pub total_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub other_wan: String,
    pub overall_goal: String,
    pub medium_goal: String,
    pub indicators: Vec<IndicatorInput>,
    pub tasks: Vec<TaskInput>,
}

/// A finding with the row it is about (1-based), for the form.
#[derive(Debug, Clone, Serialize)]
pub struct CheckFinding {
    pub error: bool,
    pub row: Option<usize>,
    pub message: String,
}

/// What a target form holds after the edge checks: rows to store, and the §6.3 findings.
pub struct CheckedTarget {
    pub total: Fen,
    pub fiscal: Fen,
    pub other: Fen,
    pub indicators: Vec<targets::IndicatorRow>,
    pub tasks: Vec<targets::NewTask>,
    pub findings: Vec<CheckFinding>,
}

impl CheckedTarget {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.error)
    }
}

/// Reads a target form: input errors (bad amounts, bad weights) are refused outright; the
/// quality checks of SPEC §6.3 come back as findings (errors block submission, not saving).
pub fn check_input(
    input: &TargetInput,
    serves_public: bool,
    last_year: &[targets::TargetIndicator],
    scoring: &ScoringSettings,
) -> Result<CheckedTarget, AppError> {
    let mut errors: Vec<FieldProblem> = Vec::new();
    let total = wan("资金总额", &input.total_wan, &mut errors);
    let fiscal = wan("财政拨款", &input.fiscal_wan, &mut errors);
    let other = wan("其他资金", &input.other_wan, &mut errors);
    let mut rows = Vec::new();
    let mut domain_rows = Vec::new();
    let blank = |i: &IndicatorInput| {
        i.name.trim().is_empty() && i.target_value.trim().is_empty() && i.level1.trim().is_empty()
    };
    for (n, i) in input.indicators.iter().filter(|i| !blank(i)).enumerate() {
        let place = format!("第 {} 个指标", n + 1);
        let weight_x100 = match i.weight.trim() {
            "" => None,
            t => match parse_loose(t) {
                Some(w) if !w.is_sign_negative() => Some(to_hundredths(w)),
                _ => {
                    errors.push(FieldProblem::new(
                        &place,
                        format!("分值“{t}”不是有效的非负数"),
                    ));
                    None
                }
            },
        };
        let sign = Sign::parse(i.sign.trim());
        let written = parse_written_value(&i.target_value);
        let unit = Some(i.unit_of_measure.trim().to_string())
            .filter(|u| !u.is_empty())
            .or(written.unit.clone());
        let name = i.name.trim().to_string();
        domain_rows.push(target::TargetIndicator {
            level1: Level1::classify(&i.level1, &i.level2),
            name: name.clone(),
            sign,
            value: written.number,
            value_text: i.target_value.trim().to_string(),
            unit: unit.clone(),
            sub_item: name.starts_with("其中"),
            from_library: i.library_id.is_some(),
            last_year_value: last_year
                .iter()
                .find(|l| l.name == name)
                .map(|l| l.target_value.clone()),
        });
        rows.push(targets::IndicatorRow {
            level1: i.level1.trim().to_string(),
            level2: i.level2.trim().to_string(),
            name,
            sign: sign.map(|s| s.symbol().to_string()).unwrap_or_default(),
            target_value: i.target_value.trim().to_string(),
            unit_of_measure: unit.unwrap_or_default(),
            weight_x100,
            basis: i.basis.trim().to_string(),
            library_id: i.library_id,
            is_core: i.is_core,
            explanation: i.explanation.trim().to_string(),
        });
    }
    let mut tasks = Vec::new();
    for (n, k) in input.tasks.iter().enumerate() {
        if k.task.trim().is_empty() && k.content.trim().is_empty() && k.total_wan.trim().is_empty()
        {
            continue;
        }
        let place = format!("第 {} 项年度主要任务", n + 1);
        if k.task.trim().is_empty() {
            errors.push(FieldProblem::new(&place, "请填写任务名称"));
        }
        let t = wan(&format!("{place}资金总额"), &k.total_wan, &mut errors);
        let f = wan(&format!("{place}财政拨款"), &k.fiscal_wan, &mut errors);
        let o = wan(&format!("{place}其他资金"), &k.other_wan, &mut errors);
        if t != f + o {
            errors.push(FieldProblem::new(
                &place,
                "资金总额应等于财政拨款与其他资金之和",
            ));
        }
        tasks.push(targets::NewTask {
            task: k.task.trim().to_string(),
            content: k.content.trim().to_string(),
            total: t,
            fiscal: f,
            other: o,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let weights: Vec<(bool, Option<jixiao_domain::Decimal>)> = rows
        .iter()
        .zip(&domain_rows)
        .map(|(r, d)| (d.sub_item, r.weight_x100.map(from_hundredths)))
        .collect();
    let mut findings = target::check(
        &domain_rows,
        Some(TargetAmounts {
            total,
            fiscal,
            other,
        }),
        TargetContext {
            serves_public,
            library_known: true,
        },
    );
    // The 分值 by the self-evaluation's rule, so a unit learns of it when it declares (§6.3).
    findings.extend(target::check_weights(scoring, weights));
    Ok(CheckedTarget {
        total,
        fiscal,
        other,
        indicators: rows,
        tasks,
        findings: findings.into_iter().map(finding).collect(),
    })
}

fn finding(f: Finding) -> CheckFinding {
    CheckFinding {
        error: f.severity == Severity::Error,
        row: f.indicator.map(|n| n + 1),
        message: match f.indicator {
            Some(n) => format!("第 {} 个指标：{}", n + 1, f.message),
            None => f.message,
        },
    }
}

/// Last year's indicators of a continuing project (for the "same as last year" warning).
pub async fn last_year_indicators(
    store: &Store,
    t: &targets::TargetRecord,
) -> Result<Vec<targets::TargetIndicator>, AppError> {
    let Some(pid) = t.project_id else {
        return Ok(vec![]);
    };
    let Some(p) = projects::get(store, &t.region_code, pid).await? else {
        return Ok(vec![]);
    };
    let Some(prev) = p.previous_project_id else {
        return Ok(vec![]);
    };
    match targets::current_for_project(store, prev).await? {
        Some(old) => Ok(targets::indicators(store, old.id).await?),
        None => Ok(vec![]),
    }
}

/// Whether the object of a target serves the public (`target::serves_public` of its project's
/// category).
pub async fn serves_public(store: &Store, t: &targets::TargetRecord) -> Result<bool, AppError> {
    let category = match t.project_id {
        Some(pid) => projects::get(store, &t.region_code, pid)
            .await?
            .and_then(|p| ProjectCategory::parse(&p.category)),
        None => None,
    };
    Ok(target::serves_public(category))
}

/// The versions of a target the user may open: all of them for its unit, the approved ones for
/// a leader, the submitted ones for everyone else ([`readable`]).
pub async fn visible_versions(
    actor: &Actor<'_>,
    t: &targets::TargetRecord,
) -> Result<Vec<targets::TargetRecord>, AppError> {
    let scope = actor.scope().await?;
    Ok(targets::versions(actor.store, t)
        .await?
        .into_iter()
        .filter(|v| readable(v, &scope))
        .collect())
}

/// Whether the user may edit the content of this target now.
pub async fn may_edit(actor: &Actor<'_>, t: &targets::TargetRecord) -> Result<bool, AppError> {
    Ok(DocState::parse(&t.state).is_some_and(DocState::is_editable)
        && t.is_current
        && actor.is_unit_user()
        && actor.may_write_for_unit(t.unit_id).await?)
}

pub async fn save(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &TargetInput,
) -> Result<Vec<CheckFinding>, AppError> {
    let t = visible(actor, id).await?;
    if !actor.is_unit_user() {
        return Err(AppError::Denied(
            "绩效目标由预算单位填报，财政部门在审核时给出意见和评级".into(),
        ));
    }
    if !actor.may_write_for_unit(t.unit_id).await? {
        return Err(AppError::Forbidden);
    }
    let state = DocState::parse(&t.state).unwrap_or(DocState::Draft);
    if !state.is_editable() || !t.is_current {
        return Err(AppError::Refused(format!(
            "绩效目标当前为“{}”，不能修改；已通过的目标须发起调整申请",
            state.label()
        )));
    }
    let last = last_year_indicators(actor.store, &t).await?;
    let public = serves_public(actor.store, &t).await?;
    let settings = jixiao_store::regions::settings(actor.store, &t.region_code).await?;
    let checked = check_input(input, public, &last, &settings.scoring)?;
    let term = if input.term == "medium" {
        "medium"
    } else {
        "annual"
    };
    let mut tx = actor.store.begin().await?;
    targets::update(
        &mut tx,
        id,
        row_version,
        &targets::TargetEdit {
            term,
            total: checked.total,
            fiscal: checked.fiscal,
            other: checked.other,
            overall_goal: input.overall_goal.trim(),
            medium_goal: input.medium_goal.trim(),
            indicators: &checked.indicators,
            tasks: &checked.tasks,
        },
    )
    .await?;
    let before = serde_json::json!({"total_fen": t.total_fen, "overall_goal": t.overall_goal});
    let after = serde_json::json!({"total_fen": checked.total.0, "overall_goal": input.overall_goal.trim(),
        "indicators": checked.indicators.len(), "tasks": checked.tasks.len(),
        "errors": checked.findings.iter().filter(|f| f.error).count()});
    actor
        .audit(
            &mut tx,
            "target.save",
            "target",
            id,
            &before.to_string(),
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(checked.findings)
}

/// A stored target as its form shows it (amounts in 万元 with two decimals).
pub fn form_of(
    t: &targets::TargetRecord,
    rows: Vec<targets::TargetIndicator>,
    tasks: Vec<targets::TaskRecord>,
) -> TargetInput {
    let fen = |f: i64| Fen(f).wan_2dp();
    TargetInput {
        term: t.term.clone(),
        total_wan: fen(t.total_fen),
        fiscal_wan: fen(t.fiscal_fen),
        other_wan: fen(t.other_fen),
        overall_goal: t.overall_goal.clone(),
        medium_goal: t.medium_goal.clone(),
        indicators: rows
            .into_iter()
            .map(|r| IndicatorInput {
                level1: r.level1,
                level2: r.level2,
                name: r.name,
                sign: r.sign,
                target_value: r.target_value,
                unit_of_measure: r.unit_of_measure,
                weight: r
                    .weight_x100
                    .map(|w| {
                        jixiao_domain::decimal::fixed2(jixiao_domain::decimal::from_hundredths(w))
                    })
                    .unwrap_or_default(),
                basis: r.basis,
                library_id: r.library_id,
                is_core: r.is_core,
                explanation: r.explanation,
            })
            .collect(),
        tasks: tasks
            .into_iter()
            .map(|k| TaskInput {
                task: k.task,
                content: k.content,
                total_wan: fen(k.total_fen),
                fiscal_wan: fen(k.fiscal_fen),
                other_wan: fen(k.other_fen),
            })
            .collect(),
    }
}

/// The §6.3 findings of a stored target (for submission and for its page).
pub async fn stored_findings(
    store: &Store,
    t: &targets::TargetRecord,
) -> Result<Vec<CheckFinding>, AppError> {
    let input = form_of(
        t,
        targets::indicators(store, t.id).await?,
        targets::tasks(store, t.id).await?,
    );
    let last = last_year_indicators(store, t).await?;
    let public = serves_public(store, t).await?;
    let settings = jixiao_store::regions::settings(store, &t.region_code).await?;
    Ok(
        match check_input(&input, public, &last, &settings.scoring) {
            Ok(c) => c.findings,
            Err(e) => vec![CheckFinding {
                error: true,
                row: None,
                message: e.to_string(),
            }],
        },
    )
}

/// The outcome of a target action: the new state and, for an adjustment, the new version.
#[derive(Debug, Clone, Serialize)]
pub struct TargetOutcome {
    pub state: String,
    pub target_id: i64,
}

pub async fn act(
    actor: &Actor<'_>,
    id: i64,
    input: &ActionInput,
) -> Result<TargetOutcome, AppError> {
    let t = visible(actor, id).await?;
    let from = DocState::parse(&t.state).unwrap_or(DocState::Draft);
    let text = Some(input.text.as_str()).filter(|s| !s.trim().is_empty());
    let own = actor.submitted("target", id).await?;
    let roles = &actor.user.roles;
    let store = actor.store;
    if !t.is_current {
        return Err(AppError::Refused(format!(
            "这是第 {} 版（已被新版本取代），只能查看",
            t.version_no
        )));
    }
    let action = if input.action == jixiao_domain::target::REVIEW_ACTION {
        None
    } else {
        Some(DocAction::parse(&input.action).ok_or_else(|| {
            AppError::Invalid(vec![FieldProblem::new(
                "操作",
                format!("未知的操作“{}”", input.action),
            )])
        })?)
    };
    let unit_side = matches!(
        action,
        Some(DocAction::Submit | DocAction::Resubmit | DocAction::Adjust)
    );
    if unit_side && actor.is_unit_user() && !actor.may_write_for_unit(t.unit_id).await? {
        return Err(AppError::Forbidden);
    }
    // Submission is checked (role, then the §6.3 quality checks) before the transaction opens:
    // the checks read through the pool, which a one-connection pool (in-memory SQLite) cannot
    // serve while the transaction holds it.
    if let Some(a @ (DocAction::Submit | DocAction::Resubmit)) = action {
        workflow::transition(from, a, roles, own, text)?;
        let findings = stored_findings(actor.store, &t).await?;
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.error)
            .map(|f| f.message.clone())
            .collect();
        if !errors.is_empty() {
            return Err(AppError::Refused(format!(
                "绩效目标未通过质量检查，不能提交：{}",
                errors.join("；")
            )));
        }
    }
    let mut tx = store.begin().await?;
    let outcome = match action {
        Some(a @ (DocAction::Submit | DocAction::Resubmit)) => {
            let s = workflow::transition(from, a, roles, own, text)?;
            targets::set_state(
                &mut tx,
                id,
                input.row_version,
                &targets::StateChange {
                    state: s.to.code(),
                    submitted: true,
                    ..Default::default()
                },
            )
            .await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    id,
                    from.code(),
                    s.to.code(),
                    a.code(),
                    input.text.trim(),
                )
                .await?;
            TargetOutcome {
                state: s.to.code().into(),
                target_id: id,
            }
        }
        Some(DocAction::Adjust) => {
            let s = workflow::transition(from, DocAction::Adjust, roles, own, text)?;
            let new_id = targets::new_version(&mut tx, &t, input.text.trim()).await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    id,
                    from.code(),
                    from.code(),
                    "adjust",
                    input.text.trim(),
                )
                .await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    new_id,
                    from.code(),
                    s.to.code(),
                    "adjust",
                    input.text.trim(),
                )
                .await?;
            TargetOutcome {
                state: s.to.code().into(),
                target_id: new_id,
            }
        }
        Some(DocAction::StartReview) => {
            let s = workflow::transition(from, DocAction::StartReview, roles, own, None)?;
            targets::set_state(
                &mut tx,
                id,
                input.row_version,
                &targets::StateChange {
                    state: s.to.code(),
                    ..Default::default()
                },
            )
            .await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    id,
                    from.code(),
                    s.to.code(),
                    "start_review",
                    "",
                )
                .await?;
            TargetOutcome {
                state: s.to.code().into(),
                target_id: id,
            }
        }
        // A review: the rating decides approve or return (SPEC §6.3).
        _ => {
            let Some(rating) = ReviewRating::parse(&input.rating) else {
                return Err(AppError::Invalid(vec![FieldProblem::new(
                    "审核评级",
                    "请选择审核评级：优、良、中或差",
                )]));
            };
            let outcome = rating.outcome();
            if outcome.action == DocAction::Return && text.is_none() {
                return Err(AppError::Invalid(vec![FieldProblem::new(
                    "审核意见",
                    format!("评级为“{}”须退回修改，请填写退回原因", rating.label()),
                )]));
            }
            let steps = review_path(from, outcome.action, roles, own, text)?;
            // Each step bumps the row version by one.
            for (version, (a, act, b)) in (input.row_version..).zip(steps.iter()) {
                let review =
                    (*act != DocAction::StartReview).then_some((rating.code(), input.text.trim()));
                targets::set_state(
                    &mut tx,
                    id,
                    version,
                    &targets::StateChange {
                        state: b.code(),
                        approved: *b == DocState::Approved,
                        review,
                        ..Default::default()
                    },
                )
                .await?;
                let opinion = if *act == DocAction::StartReview {
                    String::new()
                } else {
                    format!("评级：{}。{}", rating.label(), input.text.trim())
                };
                actor
                    .history(
                        &mut tx,
                        t.fiscal_year,
                        "target",
                        id,
                        a.code(),
                        b.code(),
                        act.code(),
                        &opinion,
                    )
                    .await?;
            }
            TargetOutcome {
                state: steps.last().map(|s| s.2).unwrap_or(from).code().into(),
                target_id: id,
            }
        }
    };
    actor
        .audit(
            &mut tx,
            &format!("target.{}", input.action),
            "target",
            id,
            &serde_json::json!({"state": from.code(), "version_no": t.version_no}).to_string(),
            &serde_json::json!({"state": outcome.state, "target_id": outcome.target_id,
                "rating": input.rating, "opinion": input.text.trim()})
            .to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(level1: &str, name: &str, sign: &str, value: &str, unit: &str) -> IndicatorInput {
        IndicatorInput {
            level1: level1.into(),
            name: name.into(),
            sign: sign.into(),
            target_value: value.into(),
            unit_of_measure: unit.into(),
            weight: "10".into(),
            ..Default::default()
        }
    }

    /// Issue 9: the 分值 are checked when the target is declared, by the same rule the
    /// self-evaluation uses (indicators add up to 100 less the execution weight).
    #[test]
    fn the_weights_are_part_of_the_target_checks_spec_6_3() {
        let weighted = |w: &[&str]| TargetInput {
            indicators: w
                .iter()
                .enumerate()
                .map(|(n, w)| IndicatorInput {
                    weight: (*w).into(),
                    ..row(
                        ["产出指标", "效益指标", "满意度指标"][n % 3],
                        &format!("指标{n}"),
                        "≥",
                        "90",
                        "%",
                    )
                })
                .collect(),
            ..Default::default()
        };
        let rules = ScoringSettings::default();
        let weight_errors = |input: &TargetInput| {
            check_input(input, true, &[], &rules)
                .unwrap()
                .findings
                .into_iter()
                .filter(|f| f.error && f.message.contains("分值"))
                .count()
        };
        assert_eq!(weight_errors(&weighted(&["50", "30", "10"])), 0);
        assert!(
            weight_errors(&weighted(&["20", "20", "10"])) > 0,
            "50 in all"
        );
        assert!(
            weight_errors(&weighted(&["50", "30", ""])) > 0,
            "a row without 分值"
        );
    }

    #[test]
    fn a_target_form_is_read_and_checked_by_spec_6_3() {
        let mut input = TargetInput {
            total_wan: "620.5".into(),
            fiscal_wan: "600".into(),
            other_wan: "20.5".into(),
            indicators: vec![
                row("产出指标", "新建教学楼面积", "≥", "3200", "平方米"),
                row("成本指标", "每平方米造价", "≤", "1900", "元"),
                IndicatorInput::default(),
            ],
            ..Default::default()
        };
        let checked = check_input(&input, true, &[], &ScoringSettings::default()).unwrap();
        // Blank rows are dropped; amounts are exact.
        assert_eq!(checked.indicators.len(), 2);
        assert_eq!(checked.total, Fen(620_500_000));
        assert!(checked.has_errors(), "no 效益 indicator is an error");
        assert!(
            checked
                .findings
                .iter()
                .any(|f| f.error && f.message == "没有效益指标")
        );
        input
            .indicators
            .push(row("效益指标", "新增学位数", "≥", "600", "个"));
        input
            .indicators
            .push(row("满意度指标", "学生满意度", "≥", "90", "%"));
        // 分值 adding up to 90 (the execution rate takes the other 10).
        for (i, w) in [(0, "30"), (1, "20"), (3, "30"), (4, "10")] {
            input.indicators[i].weight = w.into();
        }
        let checked = check_input(&input, true, &[], &ScoringSettings::default()).unwrap();
        assert!(
            !checked.has_errors(),
            "{:?}",
            checked
                .findings
                .iter()
                .map(|f| &f.message)
                .collect::<Vec<_>>()
        );
        // Not from the library: a warning per row.
        assert_eq!(checked.findings.iter().filter(|f| !f.error).count(), 4);
        // Bad input is refused outright with the field named.
        input.indicators[0].weight = "十".into();
        let Err(AppError::Invalid(fields)) =
            check_input(&input, true, &[], &ScoringSettings::default())
        else {
            panic!("a bad weight is refused");
        };
        assert_eq!(fields[0].field, "第 1 个指标");
        // The same value as last year for a continuing project: a warning.
        input.indicators[0].weight = "10".into();
        let last = vec![targets::TargetIndicator {
            seq: 1,
            level1: "产出指标".into(),
            level2: String::new(),
            name: "新建教学楼面积".into(),
            sign: "≥".into(),
            target_value: "3200".into(),
            unit_of_measure: "平方米".into(),
            weight_x100: None,
            basis: String::new(),
            library_id: None,
            is_core: false,
            explanation: String::new(),
        }];
        let checked = check_input(&input, true, &last, &ScoringSettings::default()).unwrap();
        assert!(
            checked
                .findings
                .iter()
                .any(|f| f.message.contains("与上年相同"))
        );
    }
}
