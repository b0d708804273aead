//! One department or finance evaluation: the framework form with its live score, saving, the check and the report.

use super::*;
use crate::pages::{FileLink, FindingView, PointsView, RecommendationView, SubmitView, TierView};

// ---------------------------------------------------------------------------------------------
// The evaluation

pub struct ItemView {
    n: usize,
    level1: String,
    level2: String,
    name: String,
    standard: String,
    rate_kind: bool,
    weight: String,
    rate: String,
    tier: String,
    chosen: String,
    points: String,
    note: String,
}

/// The score of one level-1 group of the framework: its name, maximum and score.
pub struct GroupScore {
    name: String,
    max: String,
    score: String,
}

pub struct FigView {
    problems: Vec<String>,
    groups: Vec<GroupScore>,
    total: String,
    grade: String,
    rows: Vec<PointsView>,
    findings: Vec<FindingView>,
}

pub(super) fn fig_view(s: &FrameworkScore) -> FigView {
    FigView {
        problems: vec![],
        groups: s
            .groups
            .iter()
            .map(|g| GroupScore {
                name: g.0.clone(),
                max: trim(g.1),
                score: fixed2(g.2),
            })
            .collect(),
        total: s.total.map(fixed2).unwrap_or_else(|| "—".into()),
        grade: s.grade.map_or("—".to_string(), |g| g.label().to_string()),
        rows: s
            .items
            .iter()
            .map(|i| PointsView {
                points: i.score.map(fixed2).unwrap_or_else(|| "—".into()),
                rule: i.rule.clone(),
                over: false,
            })
            .collect(),
        findings: s
            .findings
            .iter()
            .map(|f| FindingView {
                error: f.error,
                message: f.message.clone(),
            })
            .collect(),
    }
}

pub(super) fn empty_fig(problems: Vec<String>) -> FigView {
    FigView {
        problems,
        groups: vec![],
        total: "—".into(),
        grade: "—".into(),
        rows: vec![],
        findings: vec![],
    }
}

/// The engagement a finance evaluation is done under, and whether its agency has declared
/// its conflicts of interest.
pub(super) struct EngagementView {
    id: i64,
    agency: String,
    declared: bool,
}

/// One section of the evaluation report: field name, label, text.
pub(super) struct SectionView {
    name: &'static str,
    label: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "department_evaluation.html")]
pub(super) struct EvaluationPage {
    layout: Layout,
    r: Record,
    /// The signed reports.
    files: Vec<FileLink>,
    may_upload: bool,
    /// 部门评价 / 财政重点评价.
    kind_label: &'static str,
    engagement: Option<EngagementView>,
    state: String,
    amount: String,
    rows: Vec<ItemView>,
    fig: FigView,
    level1: Vec<&'static str>,
    tiers: Vec<TierView>,
    sections: Vec<SectionView>,
    editable: bool,
    submit_action: Option<SubmitView>,
    may_review: bool,
    recommendation: Option<RecommendationView>,
    timeline: Vec<HistoryView>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "department_score.html")]
pub(super) struct ScorePartial {
    fig: FigView,
}

/// The form's fields read back into the input (`item.N.field`, the report's sections).
pub fn input_of(pairs: &Pairs) -> FormInput {
    let mut items: std::collections::BTreeMap<usize, ItemInput> = Default::default();
    for (k, v) in pairs {
        let mut parts = k.splitn(3, '.');
        let (Some("item"), Some(n), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        if !(1..=200).contains(&n) {
            continue;
        }
        let i = items.entry(n).or_default();
        let v = v.clone();
        match name {
            "level1" => i.level1 = v,
            "level2" => i.level2 = v,
            "name" => i.name = v,
            "standard" => i.standard = v,
            "kind" => i.kind = v,
            "weight" => i.weight = v,
            "rate" => i.rate = v,
            "tier" => i.tier = v,
            "chosen" => i.chosen = v,
            "note" => i.note = v,
            _ => {}
        }
    }
    FormInput {
        items: items.into_values().collect(),
        sections: jixiao_store::framework_evaluation::Sections {
            report_basics: field(pairs, "report_basics").into(),
            report_process: field(pairs, "report_process").into(),
            report_analysis: field(pairs, "report_analysis").into(),
            report_problems: field(pairs, "report_problems").into(),
            report_suggestions: field(pairs, "report_suggestions").into(),
        },
    }
}

/// The stored framework as the form shows it.
pub(super) fn stored_input(
    rows: &[store::Row],
    sections: jixiao_store::framework_evaluation::Sections,
) -> FormInput {
    FormInput {
        items: rows
            .iter()
            .map(|r| {
                let rate = jixiao_domain::indicator::Sign::parse(&r.sign)
                    != Some(jixiao_domain::indicator::Sign::Qualitative);
                ItemInput {
                    level1: r.level1.clone(),
                    level2: r.level2.clone(),
                    name: r.name.clone(),
                    standard: r.standard.clone(),
                    kind: if rate { "rate" } else { "judged" }.into(),
                    weight: r
                        .weight_x100
                        .map(|w| trim(from_hundredths(w)))
                        .unwrap_or_default(),
                    rate: if rate {
                        r.actual_value.clone()
                    } else {
                        String::new()
                    },
                    tier: r.tier.map(|t| t.to_string()).unwrap_or_default(),
                    chosen: r
                        .chosen_x100
                        .map(|c| trim(from_hundredths(c)))
                        .unwrap_or_default(),
                    note: r.deviation_reason.clone(),
                }
            })
            .collect(),
        sections,
    }
}

pub(super) const SECTIONS: [(&str, &str); 5] = [
    (
        "report_basics",
        "一、基本情况（项目概况、资金投入和使用、绩效目标）",
    ),
    (
        "report_process",
        "二、绩效评价工作开展情况（评价目的、对象、范围、方法、过程）",
    ),
    (
        "report_analysis",
        "三、绩效分析（决策、过程、产出、效益情况）",
    ),
    ("report_problems", "四、主要经验做法、存在问题及原因"),
    ("report_suggestions", "五、有关建议"),
];

#[allow(clippy::too_many_arguments)]
pub async fn evaluation_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    r: Record,
    typed: Option<FormInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let id = r.id;
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let editable = evaluation_flow::may_edit(&a, &r).await?;
    let doc = DocState::parse(&r.state).unwrap_or(DocState::Draft);
    let (fig, input) = match typed {
        Some(input) => (
            match flow::parse(&settings, &input) {
                Ok((items, filled)) => {
                    fig_view(&jixiao_domain::framework::score(&settings, &items, &filled))
                }
                Err(p) => empty_fig(
                    p.into_iter()
                        .map(|p| format!("{}：{}", p.field, p.message))
                        .collect(),
                ),
            },
            input,
        ),
        None => {
            let sections = jixiao_store::framework_evaluation::sections(&state.store, id).await?;
            (
                flow::stored_score(&settings, &r, &rows)
                    .map_or_else(|| empty_fig(vec![]), |s| fig_view(&s)),
                stored_input(&rows, sections),
            )
        }
    };
    let mut items = input.items.clone();
    if editable {
        items.extend((0..3).map(|_| ItemInput::default()));
    }
    let row_views = items
        .iter()
        .enumerate()
        .map(|(n, i)| ItemView {
            n: n + 1,
            level1: i.level1.clone(),
            level2: i.level2.clone(),
            name: i.name.clone(),
            standard: i.standard.clone(),
            rate_kind: i.kind == "rate",
            weight: i.weight.clone(),
            rate: i.rate.clone(),
            tier: i.tier.clone(),
            chosen: i.chosen.clone(),
            points: fig
                .rows
                .get(n)
                .map(|p| p.points.clone())
                .unwrap_or_default(),
            note: i.note.clone(),
        })
        .collect();
    let unit_side = if r.kind == "finance" {
        evaluation_flow::is_engaged_evaluator(&a, &r).await?
    } else {
        user.is_unit_user() && a.may_write_for_unit(r.unit_id).await?
    };
    let may = |action| {
        unit_side
            && jixiao_domain::workflow::transition(doc, action, &user.roles, false, None).is_ok()
    };
    let submit_action = match doc {
        DocState::Draft if may(DocAction::Submit) => Some(SubmitView {
            action: DocAction::Submit.code(),
            label: "提交评价",
        }),
        DocState::Returned if may(DocAction::Resubmit) => Some(SubmitView {
            action: DocAction::Resubmit.code(),
            label: "重新提交",
        }),
        _ => None,
    };
    let own = a.submitted(evaluation_flow::KIND, id).await?;
    let may_review =
        user.is_finance() && matches!(doc, DocState::Submitted | DocState::UnderReview) && !own;
    let recommendation = match doc {
        DocState::Approved => {
            store::recommendation_of(&state.store, id)
                .await?
                .map(|x| RecommendationView {
                    label: Recommendation::parse(&x.recommendation)
                        .map_or(x.recommendation.clone(), |r| r.label().to_string()),
                    next_year: x.next_year.to_string(),
                })
        }
        _ => None,
    };
    let timeline = jixiao_store::history::timeline(&state.store, evaluation_flow::KIND, id)
        .await?
        .into_iter()
        .map(history_view)
        .collect();
    let s = &input.sections;
    let texts = [
        &s.report_basics,
        &s.report_process,
        &s.report_analysis,
        &s.report_problems,
        &s.report_suggestions,
    ];
    let region = region_name(state, &user.region).await?;
    let engagement = match r.engagement_id {
        Some(g) => jixiao_store::agencies::engagement(&state.store, &user.region, g)
            .await?
            .map(|g| EngagementView {
                id: g.id,
                agency: g.agency_name,
                declared: g.coi_declared,
            }),
        None => None,
    };
    let files = jixiao_store::attachments::of_owner(&state.store, flow::SIGNED_REPORT, id)
        .await?
        .into_iter()
        .map(|f| FileLink {
            id: f.id,
            name: f.file_name,
        })
        .collect();
    let may_upload = doc != DocState::Approved && (unit_side || user.has(Role::FinanceAdmin));
    render(&EvaluationPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        files,
        may_upload,
        kind_label: if r.kind == "finance" {
            "财政重点评价"
        } else {
            "部门评价"
        },
        engagement,
        state: doc.label().into(),
        amount: Fen(r.budget_fen).wan_2dp(),
        rows: row_views,
        fig,
        level1: LEVEL1.to_vec(),
        tiers: settings
            .scoring
            .qualitative_tiers
            .iter()
            .enumerate()
            .map(|(index, t)| TierView {
                index,
                label: t.label.clone(),
            })
            .collect(),
        sections: SECTIONS
            .iter()
            .zip(texts)
            .map(|((name, label), text)| SectionView {
                name,
                label,
                text: text.clone(),
            })
            .collect(),
        editable,
        submit_action,
        may_review,
        recommendation,
        timeline,
        message,
        errors,
        r,
    })
}

/// `POST /evaluations/{id}` for a department evaluation.
pub async fn save(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    ip: &str,
    r: Record,
    pairs: &Pairs,
) -> Result<Response, WebError> {
    let a = actor(state, user, ip);
    let id = r.id;
    let row_version = crate::pages::project_flow::row_version(pairs)?;
    let input = input_of(pairs);
    match flow::save(&a, id, row_version, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/evaluations/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = evaluation_view(state, session, user, r, Some(input), None, messages_of(&e))
                .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `POST /evaluations/{id}/check` for a department evaluation (htmx partial).
pub async fn check(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    pairs: &Pairs,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let input = input_of(pairs);
    let fig = match flow::check(&a, id, &input).await? {
        Ok(s) => fig_view(&s),
        Err(p) => empty_fig(
            p.into_iter()
                .map(|p| format!("{}：{}", p.field, p.message))
                .collect(),
        ),
    };
    render(&ScorePartial { fig })
}

/// The evaluation report (10号 annex outline) generated from the record, as .docx.
pub async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    report(&state, &user, id, crate::pages::ReportFormat::Docx).await
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    report(&state, &user, id, crate::pages::ReportFormat::Pdf).await
}

pub(super) async fn report(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    format: crate::pages::ReportFormat,
) -> Result<Response, WebError> {
    use jixiao_domain::report::evaluation::{ReportFacts, compose};
    let a = actor(state, user, "");
    let r = evaluation_flow::visible(&a, id).await?;
    if !matches!(r.kind.as_str(), "department" | "finance") {
        return Err(WebError::NotFound("评价报告".into()));
    }
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let sections = jixiao_store::framework_evaluation::sections(&state.store, id).await?;
    let scored = flow::stored_score(&settings, &r, &rows);
    let facts = ReportFacts {
        region_name: region_name(state, &user.region).await?,
        title: r.title.clone(),
        fiscal_year: r.fiscal_year,
        unit_name: r.unit_name.clone(),
        amount_wan: Fen(r.budget_fen).wan_2dp(),
        total: scored.as_ref().and_then(|s| s.total).map(fixed2),
        grade: scored
            .as_ref()
            .and_then(|s| s.grade)
            .map(|g| g.label().to_string()),
        groups: scored
            .as_ref()
            .map(|s| {
                s.groups
                    .iter()
                    .map(|g| (g.0.clone(), trim(g.1), fixed2(g.2)))
                    .collect()
            })
            .unwrap_or_default(),
        items: rows
            .iter()
            .enumerate()
            .map(|(n, row)| {
                vec![
                    row.level1.clone(),
                    row.level2.clone(),
                    row.name.clone(),
                    row.weight_x100
                        .map(|w| trim(from_hundredths(w)))
                        .unwrap_or_default(),
                    scored
                        .as_ref()
                        .and_then(|s| s.items.get(n))
                        .and_then(|i| i.score)
                        .map(fixed2)
                        .unwrap_or_default(),
                    row.deviation_reason.clone(),
                ]
            })
            .collect(),
        basics: sections.report_basics,
        process: sections.report_process,
        analysis: sections.report_analysis,
        problems: sections.report_problems,
        suggestions: sections.report_suggestions,
        state: DocState::parse(&r.state).map_or(r.state.clone(), |s| s.label().to_string()),
    };
    crate::pages::report_file(
        compose(&facts),
        format,
        "evaluation-report",
        &format!("{}绩效评价报告", r.title),
    )
    .await
}
