//! 部门评价 (SPEC §8.1, §8.4, issue 11 item 3): a department chooses projects of its own to
//! evaluate and sees the coverage of its choice against the 20% rule; each chosen project gets a
//! draft on the framework template, which the department may edit (items, weights) and fills
//! (rates, tiers, notes) with the report's text; the score and grade are the domain's. The
//! unit approver submits and finance approves or returns it, as a self-evaluation
//! ([`crate::evaluation::act`]); approval gives the project its recommendation (§10).

use crate::input::{json, text_or_number};
use crate::{Actor, AppError, FieldProblem};
use jixiao_domain::Fen;
use jixiao_domain::coverage::{Coverage, coverage};
use jixiao_domain::decimal::{from_hundredths, parse_loose, to_hundredths};
use jixiao_domain::framework::{self, FrameworkItem, FrameworkScore, ItemKind};
use jixiao_domain::indicator::Sign;
use jixiao_domain::settings::Settings;
use jixiao_domain::workflow::DocState;
use jixiao_store::browse::Scope;
use jixiao_store::evaluations::EvaluationIndicator;
use jixiao_store::framework_evaluation::{self as store, Candidate, Sections};
use jixiao_store::regions;
use jixiao_store::self_evaluation::{Record, Row};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The units whose department evaluations the user plans or oversees: `None` for finance.
async fn planning_units(actor: &Actor<'_>) -> Result<Option<Vec<i64>>, AppError> {
    match actor.scope().await? {
        Scope::Region if actor.is_finance() => Ok(None),
        Scope::Units(ids) => Ok(Some(ids)),
        _ => Err(AppError::Forbidden),
    }
}

/// One unit's coverage: its project funds, the part chosen for department evaluations and the
/// part approved, each against the minimum share.
#[derive(Debug, Clone, Serialize)]
pub struct UnitCoverage {
    pub unit_id: i64,
    pub unit_name: String,
    pub chosen: Coverage,
    pub approved: Coverage,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub fiscal_year: i32,
    /// The minimum share in percent (20).
    pub min_share: Decimal,
    pub units: Vec<UnitCoverage>,
    pub candidates: Vec<Candidate>,
}

/// The planning view: coverage per unit and the projects to choose from (paged).
pub async fn plan(
    actor: &Actor<'_>,
    fiscal_year: i32,
    limit: i64,
    offset: i64,
) -> Result<Plan, AppError> {
    let units = planning_units(actor).await?;
    let region = &actor.user.region;
    let settings = regions::settings(actor.store, region).await?;
    let funds = store::unit_funds(actor.store, region, fiscal_year, units.as_deref()).await?;
    Ok(Plan {
        fiscal_year,
        min_share: settings.coverage.min_share * Decimal::ONE_HUNDRED,
        units: funds
            .iter()
            .map(|u| UnitCoverage {
                unit_id: u.unit_id,
                unit_name: u.unit_name.clone(),
                chosen: coverage(&settings.coverage, Fen(u.funds_fen), Fen(u.chosen_fen)),
                approved: coverage(&settings.coverage, Fen(u.funds_fen), Fen(u.approved_fen)),
            })
            .collect(),
        candidates: store::candidates(
            actor.store,
            region,
            fiscal_year,
            units.as_deref(),
            limit,
            offset,
        )
        .await?,
    })
}

/// The live coverage of a choice not yet made: the unit's funds, what it has chosen so far
/// plus the projects ticked.
pub async fn coverage_of_choice(
    actor: &Actor<'_>,
    fiscal_year: i32,
    ticked: &[i64],
) -> Result<Vec<UnitCoverage>, AppError> {
    let units = planning_units(actor).await?;
    let region = &actor.user.region;
    let settings = regions::settings(actor.store, region).await?;
    let funds = store::unit_funds(actor.store, region, fiscal_year, units.as_deref()).await?;
    let ticked = store::ticked_funds(actor.store, region, fiscal_year, ticked).await?;
    Ok(funds
        .iter()
        .map(|u| {
            // Only the unit's own ticked projects add to its coverage.
            let extra: i64 = ticked
                .iter()
                .filter(|(unit, _)| *unit == u.unit_id)
                .map(|(_, fen)| *fen)
                .sum();
            UnitCoverage {
                unit_id: u.unit_id,
                unit_name: u.unit_name.clone(),
                chosen: coverage(
                    &settings.coverage,
                    Fen(u.funds_fen),
                    Fen(u.chosen_fen.saturating_add(extra)),
                ),
                approved: coverage(&settings.coverage, Fen(u.funds_fen), Fen(u.approved_fen)),
            }
        })
        .collect())
}

/// The projects a department chooses for the year.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChooseInput {
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
    pub project_ids: Vec<i64>,
}

/// The template's items as stored rows (nothing filled).
pub(crate) fn template_rows() -> Vec<EvaluationIndicator> {
    framework::project_template()
        .iter()
        .map(|i| item_row(i, &framework::ItemInput::default(), None))
        .collect()
}

/// A framework item as an `evaluation_indicators` row (see the migration 0014 comment).
fn item_row(
    i: &FrameworkItem,
    filled: &framework::ItemInput,
    score: Option<Decimal>,
) -> EvaluationIndicator {
    let (sign, target, unit, actual) = match i.kind {
        ItemKind::Rate => (
            Sign::Ge.symbol().to_string(),
            "100".to_string(),
            "%".to_string(),
            filled
                .rate
                .map(|r| r.normalize().to_string())
                .unwrap_or_default(),
        ),
        ItemKind::Judged => (
            Sign::Qualitative.symbol().to_string(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    EvaluationIndicator {
        level1: i.level1.trim().to_string(),
        level2: i.level2.trim().to_string(),
        name: i.name.trim().to_string(),
        sign,
        target_value: target,
        actual_value: actual,
        unit_of_measure: unit,
        weight_x100: Some(to_hundredths(i.weight)),
        score_x100: score.map(to_hundredths),
        tier: filled.tier.map(|t| t as i32),
        deviation_reason: filled.note.trim().to_string(),
        chosen_x100: filled.chosen.map(to_hundredths),
        standard: i.standard.trim().to_string(),
        ..Default::default()
    }
}

/// Creates the drafts of the chosen projects (unit users of their units), audited.
pub async fn choose(actor: &Actor<'_>, input: &ChooseInput) -> Result<Vec<i64>, AppError> {
    if !actor.is_unit_user() {
        return Err(AppError::Denied(
            "部门评价由预算部门（单位）选择项目并组织实施".into(),
        ));
    }
    let Some(year) = input
        .fiscal_year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        return Err(AppError::invalid(
            "评价年度",
            format!("“{}”不是有效的年度", input.fiscal_year),
        ));
    };
    if input.project_ids.is_empty() {
        return Err(AppError::invalid("评价项目", "请至少选择一个项目"));
    }
    if input.project_ids.len() > 500 {
        return Err(AppError::invalid("评价项目", "一次最多选择 500 个项目"));
    }
    let region = &actor.user.region;
    for id in &input.project_ids {
        let Some(p) = jixiao_store::projects::get(actor.store, region, *id).await? else {
            return Err(AppError::invalid("评价项目", format!("项目 {id} 不存在")));
        };
        if !actor.may_write_for_unit(p.unit_id).await? {
            return Err(AppError::Forbidden);
        }
        if p.fiscal_year != year {
            return Err(AppError::invalid(
                "评价项目",
                format!("项目“{}”不是 {year} 年度的项目", p.name),
            ));
        }
    }
    let mut tx = actor.store.begin().await?;
    let ids = store::create(&mut tx, region, year, &input.project_ids, &template_rows()).await?;
    if ids.is_empty() {
        return Err(AppError::Refused(
            "所选项目都已有部门评价，或尚未入库执行，没有新建评价".into(),
        ));
    }
    for id in &ids {
        actor
            .audit(
                &mut tx,
                "evaluation.choose",
                crate::evaluation::KIND,
                *id,
                "",
                &json(&serde_json::json!({"kind": "department", "fiscal_year": year})),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(ids)
}

// ---------------------------------------------------------------------------------------------
// The form

/// A framework item as the department types it (web form, API).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ItemInput {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub standard: String,
    /// `rate` or `judged`.
    pub kind: String,
    #[serde(deserialize_with = "text_or_number")]
    pub weight: String,
    /// Rate items: the rate in percent.
    #[serde(deserialize_with = "text_or_number")]
    pub rate: String,
    /// Judged items: the tier (index or label).
    #[serde(deserialize_with = "text_or_number")]
    pub tier: String,
    /// Judged items: the score chosen inside the tier's band (optional).
    #[serde(deserialize_with = "text_or_number")]
    pub chosen: String,
    /// 扣分原因 / 评价说明.
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FormInput {
    pub items: Vec<ItemInput>,
    #[serde(flatten)]
    pub sections: Sections,
}

/// The framework as typed, parsed (every field problem at once); blank rows are dropped.
pub fn parse(
    settings: &Settings,
    input: &FormInput,
) -> Result<(Vec<FrameworkItem>, Vec<framework::ItemInput>), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut items = Vec::new();
    let mut filled = Vec::new();
    let rows = input
        .items
        .iter()
        .filter(|i| !(i.name.trim().is_empty() && i.weight.trim().is_empty()));
    for (n, i) in rows.enumerate() {
        let field = |what: &str| format!("第 {} 项{what}", n + 1);
        let kind = ItemKind::parse(i.kind.trim()).unwrap_or(ItemKind::Judged);
        let weight = parse_loose(i.weight.trim());
        if weight.is_none() {
            problems.push(FieldProblem::new(
                &field("分值"),
                format!("“{}”不是有效的分值", i.weight.trim()),
            ));
        }
        let rate = match i.rate.trim() {
            "" => None,
            t => {
                let r = parse_loose(t.trim_end_matches(['%', '％']));
                if r.is_none() {
                    problems.push(FieldProblem::new(
                        &field("比率"),
                        format!("“{t}”不是有效的百分数"),
                    ));
                }
                r
            }
        };
        let tiers = &settings.scoring.qualitative_tiers;
        let tier = match i.tier.trim() {
            "" => None,
            t => match t
                .parse::<usize>()
                .ok()
                .filter(|n| *n < tiers.len())
                .or_else(|| tiers.iter().position(|b| b.label == t))
            {
                Some(n) => Some(n),
                None => {
                    problems.push(FieldProblem::new(
                        &field("档次"),
                        format!("未知的档次“{t}”"),
                    ));
                    None
                }
            },
        };
        let chosen = match i.chosen.trim() {
            "" => None,
            t => {
                let c = parse_loose(t);
                if c.is_none() {
                    problems.push(FieldProblem::new(
                        &field("得分"),
                        format!("“{t}”不是有效的分数"),
                    ));
                }
                c
            }
        };
        for (what, text, max) in [
            ("一级指标", &i.level1, 20),
            ("二级指标", &i.level2, 50),
            ("三级指标", &i.name, 100),
            ("评分标准", &i.standard, 500),
            ("说明", &i.note, 2000),
        ] {
            if text.chars().count() > max {
                problems.push(FieldProblem::new(
                    &field(what),
                    format!("不能超过 {max} 个字"),
                ));
            }
        }
        items.push(FrameworkItem {
            level1: i.level1.trim().to_string(),
            level2: i.level2.trim().to_string(),
            name: i.name.trim().to_string(),
            standard: i.standard.trim().to_string(),
            kind,
            weight: weight.unwrap_or_default(),
        });
        filled.push(framework::ItemInput {
            rate: rate.filter(|_| kind == ItemKind::Rate),
            tier: tier.filter(|_| kind == ItemKind::Judged),
            chosen: chosen.filter(|_| kind == ItemKind::Judged),
            note: i.note.trim().to_string(),
        });
    }
    if items.len() > 100 {
        problems.push(FieldProblem::new("评价指标", "最多 100 项"));
    }
    let s = &input.sections;
    for (what, text) in [
        ("基本情况", &s.report_basics),
        ("评价工作开展情况", &s.report_process),
        ("绩效分析", &s.report_analysis),
        ("存在问题及原因", &s.report_problems),
        ("有关建议", &s.report_suggestions),
    ] {
        if text.chars().count() > 20_000 {
            problems.push(FieldProblem::new(what, "不能超过 20000 个字"));
        }
    }
    if problems.is_empty() {
        Ok((items, filled))
    } else {
        Err(problems)
    }
}

/// The stored framework as the domain reads it.
pub fn stored(rows: &[Row]) -> (Vec<FrameworkItem>, Vec<framework::ItemInput>) {
    rows.iter()
        .map(|r| {
            let kind = if Sign::parse(&r.sign) == Some(Sign::Qualitative) {
                ItemKind::Judged
            } else {
                ItemKind::Rate
            };
            (
                FrameworkItem {
                    level1: r.level1.clone(),
                    level2: r.level2.clone(),
                    name: r.name.clone(),
                    standard: r.standard.clone(),
                    kind,
                    weight: r.weight_x100.map(from_hundredths).unwrap_or_default(),
                },
                framework::ItemInput {
                    rate: (kind == ItemKind::Rate)
                        .then(|| parse_loose(&r.actual_value))
                        .flatten(),
                    tier: r.tier.map(|t| t as usize),
                    chosen: r.chosen_x100.map(from_hundredths),
                    note: r.deviation_reason.clone(),
                },
            )
        })
        .unzip()
}

/// The score of a stored department evaluation (`None` until it was filled); an approved one
/// keeps the total and grade it was approved with.
pub fn stored_score(settings: &Settings, r: &Record, rows: &[Row]) -> Option<FrameworkScore> {
    let approved = r.state == DocState::Approved.code();
    if r.filled_at.is_none() && !approved {
        return None;
    }
    let (items, inputs) = stored(rows);
    let mut s = framework::score(settings, &items, &inputs);
    if approved
        && let (Some(total), Some(grade)) = (
            r.total_x100,
            r.grade
                .as_deref()
                .and_then(jixiao_domain::grade::Grade::parse),
        )
    {
        // As approved: the item scores and the total recorded then (a recorded evaluation keeps
        // the scheme it was graded with).
        for (item, row) in s.items.iter_mut().zip(rows) {
            if let Some(x) = row.score_x100 {
                item.score = Some(from_hundredths(x));
            }
        }
        for g in s.groups.iter_mut() {
            g.2 = rows
                .iter()
                .filter(|row| row.level1.trim() == g.0)
                .filter_map(|row| row.score_x100)
                .map(from_hundredths)
                .sum();
        }
        s.total = Some(from_hundredths(total));
        s.grade = Some(grade);
    }
    Some(s)
}

/// The live check as typed.
pub async fn check(
    actor: &Actor<'_>,
    id: i64,
    input: &FormInput,
) -> Result<Result<FrameworkScore, Vec<FieldProblem>>, AppError> {
    let r = crate::evaluation::visible(actor, id).await?;
    let settings = regions::settings(actor.store, &r.region_code).await?;
    Ok(parse(&settings, input).map(|(items, filled)| framework::score(&settings, &items, &filled)))
}

/// Saves the framework as filled (the department, while a draft or returned).
pub async fn save(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &FormInput,
) -> Result<FrameworkScore, AppError> {
    let r = crate::evaluation::visible(actor, id).await?;
    if !matches!(r.kind.as_str(), "department" | "finance") {
        return Err(AppError::Refused("这份评价不按评价指标体系填写".into()));
    }
    if !crate::evaluation::may_edit(actor, &r).await? {
        return Err(AppError::Refused(if r.kind == "finance" {
            "财政重点评价由受托机构的评价人员在签署回避声明后、草稿或退回修改时填写".into()
        } else {
            "部门评价由本单位在草稿或退回修改时填写".into()
        }));
    }
    let settings = regions::settings(actor.store, &r.region_code).await?;
    let (items, filled) = parse(&settings, input).map_err(AppError::Invalid)?;
    let scored = framework::score(&settings, &items, &filled);
    let rows: Vec<EvaluationIndicator> = items
        .iter()
        .zip(&filled)
        .zip(&scored.items)
        .map(|((i, f), s)| item_row(i, f, s.score))
        .collect();
    let mut tx = actor.store.begin().await?;
    store::save(
        &mut tx,
        id,
        row_version,
        &store::Save {
            rows: &rows,
            executed_fen: r.executed_fen,
            total_x100: scored.total.map(to_hundredths),
            grade: scored.grade.map(|g| g.code()),
            sections: &input.sections,
        },
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "evaluation.save",
            crate::evaluation::KIND,
            id,
            &json(&serde_json::json!({"total_x100": r.total_x100})),
            &json(
                &serde_json::json!({"kind": "department", "items": rows.len(),
                "total_x100": scored.total.map(to_hundredths)}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(scored)
}

/// The owner kind of an evaluation's signed report.
pub const SIGNED_REPORT: &str = "evaluation_report";

/// Attaches the signed evaluation report (PDF) to a department or finance evaluation: by whoever
/// fills it (the department, or the engaged agency's evaluator) or the finance office. Audited.
pub async fn attach_signed_report(
    actor: &Actor<'_>,
    id: i64,
    file_name: &str,
    body: &[u8],
) -> Result<i64, AppError> {
    let r = crate::evaluation::visible(actor, id).await?;
    if !matches!(r.kind.as_str(), "department" | "finance") {
        return Err(AppError::Refused(
            "只有部门评价和财政重点评价上传签章的评价报告".into(),
        ));
    }
    let filler = match r.kind.as_str() {
        "finance" => crate::evaluation::is_engaged_evaluator(actor, &r).await?,
        _ => actor.is_unit_user() && actor.may_write_for_unit(r.unit_id).await?,
    };
    if !filler && !actor.user.has(jixiao_domain::types::Role::FinanceAdmin) {
        return Err(AppError::Denied(
            "签章的评价报告由评价的填写方或财政绩效管理员上传".into(),
        ));
    }
    if crate::input::file_type(file_name, body) != Some("application/pdf") {
        return Err(AppError::invalid("评价报告", "请上传签章后扫描的 PDF 文件"));
    }
    if body.len() > 20 * 1024 * 1024 {
        return Err(AppError::invalid("评价报告", "文件不能超过 20 MB"));
    }
    let name = crate::input::clean_file_name(file_name);
    let mut tx = actor.store.begin().await?;
    let att = jixiao_store::attachments::insert(
        &mut tx,
        &jixiao_store::attachments::NewAttachment {
            region: &actor.user.region,
            fiscal_year: r.fiscal_year,
            owner_kind: SIGNED_REPORT,
            owner_id: id,
            file_name: &name,
            content_type: "application/pdf",
            body,
            uploaded_by: Some(actor.user.id),
        },
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "evaluation.attach_report",
            crate::evaluation::KIND,
            id,
            "",
            &json(
                &serde_json::json!({"attachment_id": att, "file_name": name, "size": body.len()}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(att)
}
