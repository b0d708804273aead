//! 部门评价 on the web and the JSON API (SPEC §8.1, §8.4): the department's choice of projects
//! with the live coverage, and the evaluation on the framework whose score builds as it is
//! filled. Submission and review are the evaluation actions (`/evaluations/{id}/action`).
//! Every decision is `jixiao_app::department_evaluation`'s.

use super::api_flows::{Body, Versioned};
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use super::projects::{HistoryView, history_view};
use crate::access::{Access, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use jixiao_app::department_evaluation::{
    self as flow, ChooseInput, FormInput, ItemInput, UnitCoverage,
};
use jixiao_app::evaluation as evaluation_flow;
use jixiao_domain::Fen;
use jixiao_domain::coverage::Coverage;
use jixiao_domain::decimal::{fixed2, from_hundredths, trim};
use jixiao_domain::framework::{FrameworkScore, LEVEL1};
use jixiao_domain::result_application::Recommendation;
use jixiao_domain::types::Role;
use jixiao_domain::workflow::{DocAction, DocState};
use jixiao_store::self_evaluation::{self as store, Record};
use serde::Deserialize;
use serde_json::{Value, json};

const PLANNERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/evaluations/department",
        Access::Roles(PLANNERS),
        get(plan_page),
    )
    .add(
        Method::POST,
        "/evaluations/department",
        Access::Roles(PLANNERS),
        post(choose),
    )
    .add(
        Method::POST,
        "/evaluations/department/coverage",
        Access::Roles(PLANNERS),
        post(coverage_partial),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/report.pdf",
        Access::AnyUser,
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/report.docx",
        Access::AnyUser,
        get(report_docx),
    )
    .add(
        Method::POST,
        "/evaluations/{id}/signed-report",
        Access::AnyUser,
        post(upload_signed_report),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/files/{att}",
        Access::AnyUser,
        get(download_file),
    )
    .add(
        Method::POST,
        "/api/v1/evaluations/{id}/signed-report",
        Access::AnyUser,
        post(api_signed_report),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}/report.docx",
        Access::AnyUser,
        get(report_docx),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}/report.pdf",
        Access::AnyUser,
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/api/v1/department-evaluations",
        Access::Roles(PLANNERS),
        get(api_plan),
    )
    .add(
        Method::POST,
        "/api/v1/department-evaluations",
        Access::AnyUser,
        post(api_choose),
    )
    .add(
        Method::PUT,
        "/api/v1/department-evaluations/{id}",
        Access::AnyUser,
        put(api_save),
    )
    .add(
        Method::POST,
        "/api/v1/department-evaluations/{id}/check",
        Access::AnyUser,
        post(api_check),
    )
}

const PAGE: i64 = 200;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    year: Option<i32>,
    page: Option<i64>,
    done: Option<String>,
}

/// The year planned by default: the year before the current one (evaluated after it ends).
fn default_year() -> i32 {
    jixiao_app::default_year() - 1
}

fn share(c: &Coverage) -> String {
    c.share
        .map(|s| format!("{}%", fixed2(s)))
        .unwrap_or_else(|| "—".into())
}

struct CoverageView {
    name: String,
    funds: String,
    chosen: String,
    chosen_share: String,
    approved_share: String,
    short: bool,
}

fn coverage_views(units: &[UnitCoverage]) -> Vec<CoverageView> {
    units
        .iter()
        .map(|u| CoverageView {
            name: u.unit_name.clone(),
            funds: u.chosen.project_funds.wan_2dp(),
            chosen: u.chosen.evaluated_funds.wan_2dp(),
            chosen_share: share(&u.chosen),
            approved_share: share(&u.approved),
            short: u.chosen.shortfall,
        })
        .collect()
}

struct CandidateView {
    project_id: i64,
    code: String,
    name: String,
    unit_name: String,
    funds: String,
    evaluation: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "department_plan.html")]
struct PlanPage {
    layout: Layout,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    min_share: String,
    units: Vec<CoverageView>,
    candidates: Vec<CandidateView>,
    may_choose: bool,
    page: i64,
    more: bool,
}

#[derive(Template)]
#[template(path = "department_coverage.html")]
struct CoveragePartial {
    min_share: String,
    units: Vec<CoverageView>,
}

#[allow(clippy::too_many_arguments)]
async fn plan_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    page: i64,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let page = page.clamp(0, 1_000_000);
    let plan = flow::plan(&a, year, PAGE + 1, page * PAGE).await?;
    let more = plan.candidates.len() as i64 > PAGE;
    let region = region_name(state, &user.region).await?;
    render(&PlanPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        year,
        message,
        errors,
        min_share: trim(plan.min_share),
        units: coverage_views(&plan.units),
        candidates: plan
            .candidates
            .iter()
            .take(PAGE as usize)
            .map(|c| CandidateView {
                project_id: c.project_id,
                code: c.code.clone(),
                name: c.name.clone(),
                unit_name: c.unit_name.clone(),
                funds: Fen(c.funds_fen).wan_2dp(),
                evaluation: c.evaluation_id.map(|id| {
                    (
                        id,
                        c.evaluation_state
                            .as_deref()
                            .and_then(DocState::parse)
                            .map_or("", |s| s.label())
                            .to_string(),
                    )
                }),
            })
            .collect(),
        may_choose: a.is_unit_user(),
        page,
        more,
    })
}

pub async fn plan_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<Html<String>, WebError> {
    let message = q
        .done
        .map(|n| format!("已建立 {n} 份部门评价，请逐份填写评价指标和评价报告。"));
    plan_view(
        &state,
        &session,
        &user,
        q.year.unwrap_or_else(default_year),
        q.page.unwrap_or(0),
        message,
        vec![],
    )
    .await
}

fn choice_of(pairs: &Pairs) -> ChooseInput {
    ChooseInput {
        fiscal_year: field(pairs, "fiscal_year").into(),
        project_ids: pairs
            .iter()
            .filter(|(k, _)| k == "project")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect(),
    }
}

pub async fn choose(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = choice_of(&pairs);
    let year = input
        .fiscal_year
        .trim()
        .parse()
        .unwrap_or_else(|_| default_year());
    match flow::choose(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(ids) => Ok(see_other(&format!(
            "/evaluations/department?year={year}&done={}",
            ids.len()
        ))),
        Err(e) if is_user_error(&e) => {
            let html = plan_view(&state, &session, &user, year, 0, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The live coverage of the ticked projects (htmx).
pub async fn coverage_partial(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Html<String>, WebError> {
    let pairs = pairs_of(form)?;
    let input = choice_of(&pairs);
    let year = input
        .fiscal_year
        .trim()
        .parse()
        .unwrap_or_else(|_| default_year());
    let a = actor(&state, &user, "");
    let units = flow::coverage_of_choice(&a, year, &input.project_ids).await?;
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    render(&CoveragePartial {
        min_share: trim(settings.coverage.min_share * rust_decimal::Decimal::ONE_HUNDRED),
        units: coverage_views(&units),
    })
}

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

pub struct FigView {
    problems: Vec<String>,
    groups: Vec<(String, String, String)>,
    total: String,
    grade: String,
    /// (points, rule)
    rows: Vec<(String, String)>,
    /// (error, message)
    findings: Vec<(bool, String)>,
}

fn fig_view(s: &FrameworkScore) -> FigView {
    FigView {
        problems: vec![],
        groups: s
            .groups
            .iter()
            .map(|g| (g.0.clone(), trim(g.1), fixed2(g.2)))
            .collect(),
        total: s.total.map(fixed2).unwrap_or_else(|| "—".into()),
        grade: s.grade.map_or("—".to_string(), |g| g.label().to_string()),
        rows: s
            .items
            .iter()
            .map(|i| {
                (
                    i.score.map(fixed2).unwrap_or_else(|| "—".into()),
                    i.rule.clone(),
                )
            })
            .collect(),
        findings: s
            .findings
            .iter()
            .map(|f| (f.error, f.message.clone()))
            .collect(),
    }
}

fn empty_fig(problems: Vec<String>) -> FigView {
    FigView {
        problems,
        groups: vec![],
        total: "—".into(),
        grade: "—".into(),
        rows: vec![],
        findings: vec![],
    }
}

#[derive(Template)]
#[template(path = "department_evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    r: Record,
    /// The signed reports: (attachment id, file name).
    files: Vec<(i64, String)>,
    may_upload: bool,
    /// 部门评价 / 财政重点评价.
    kind_label: &'static str,
    /// A finance evaluation's engagement: (id, agency, declaration made).
    engagement: Option<(i64, String, bool)>,
    state: String,
    amount: String,
    rows: Vec<ItemView>,
    fig: FigView,
    level1: Vec<&'static str>,
    tiers: Vec<(usize, String)>,
    sections: Vec<(&'static str, &'static str, String)>,
    editable: bool,
    submit_action: Option<(&'static str, &'static str)>,
    may_review: bool,
    recommendation: Option<(String, String)>,
    timeline: Vec<HistoryView>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "department_score.html")]
struct ScorePartial {
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
fn stored_input(
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

const SECTIONS: [(&str, &str); 5] = [
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
            points: fig.rows.get(n).map(|p| p.0.clone()).unwrap_or_default(),
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
        DocState::Draft if may(DocAction::Submit) => Some(("submit", "提交评价")),
        DocState::Returned if may(DocAction::Resubmit) => Some(("resubmit", "重新提交")),
        _ => None,
    };
    let own = a.submitted(evaluation_flow::KIND, id).await?;
    let may_review =
        user.is_finance() && matches!(doc, DocState::Submitted | DocState::UnderReview) && !own;
    let recommendation = match doc {
        DocState::Approved => store::recommendation_of(&state.store, id).await?.map(|x| {
            (
                Recommendation::parse(&x.recommendation)
                    .map_or(x.recommendation.clone(), |r| r.label().to_string()),
                x.next_year.to_string(),
            )
        }),
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
            .map(|g| (g.id, g.agency_name, g.coi_declared)),
        None => None,
    };
    let files = jixiao_store::attachments::of_owner(&state.store, flow::SIGNED_REPORT, id)
        .await?
        .into_iter()
        .map(|f| (f.id, f.file_name))
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
            .map(|(n, t)| (n, t.label.clone()))
            .collect(),
        sections: SECTIONS
            .iter()
            .zip(texts)
            .map(|((k, l), t)| (*k, *l, t.clone()))
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
    let row_version = super::project_flow::row_version(pairs)?;
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
    report(&state, &user, id, super::ReportFormat::Docx).await
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    report(&state, &user, id, super::ReportFormat::Pdf).await
}

async fn report(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    format: super::ReportFormat,
) -> Result<Response, WebError> {
    let state = state.clone();
    let user = user.clone();
    use jixiao_domain::report::evaluation::{ReportFacts, compose};
    let a = actor(&state, &user, "");
    let r = evaluation_flow::visible(&a, id).await?;
    if !matches!(r.kind.as_str(), "department" | "finance") {
        return Err(WebError::NotFound("评价报告".into()));
    }
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let sections = jixiao_store::framework_evaluation::sections(&state.store, id).await?;
    let scored = flow::stored_score(&settings, &r, &rows);
    let facts = ReportFacts {
        region_name: region_name(&state, &user.region).await?,
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
    super::report_file(
        compose(&facts),
        format,
        "evaluation-report",
        &format!("{}绩效评价报告", r.title),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<axum::Json<flow::Plan>, WebError> {
    let page = q.page.unwrap_or(0);
    if !(0..=1_000_000).contains(&page) {
        return Err(WebError::BadRequest(vec![(
            "page".into(),
            "须在 0 到 1000000 之间".into(),
        )]));
    }
    let a = actor(&state, &user, "");
    Ok(axum::Json(
        flow::plan(&a, q.year.unwrap_or_else(default_year), PAGE, page * PAGE).await?,
    ))
}

pub async fn api_choose(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<ChooseInput>,
) -> Result<Response, WebError> {
    let ids = flow::choose(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"ids": ids}))).into_response())
}

fn score_json(s: &FrameworkScore) -> Value {
    json!({
        "total": s.total.map(fixed2),
        "grade": s.grade.map(|g| g.code()),
        "groups": s.groups.iter().map(|g| json!({"level1": g.0, "weight": trim(g.1), "score": fixed2(g.2)})).collect::<Vec<_>>(),
        "items": s.items.iter().map(|i| json!({"score": i.score.map(fixed2), "rule": i.rule})).collect::<Vec<_>>(),
        "findings": s.findings,
    })
}

/// The score JSON of a stored department evaluation (for `GET /api/v1/evaluations/{id}`).
pub fn stored_score_json(
    settings: &jixiao_domain::settings::Settings,
    r: &Record,
    rows: &[store::Row],
) -> Option<Value> {
    flow::stored_score(settings, r, rows).map(|s| score_json(&s))
}

pub async fn api_save(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<FormInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let s = flow::save(&a, id, input.row_version()?, &input.body).await?;
    let r = evaluation_flow::visible(&a, id).await?;
    Ok(axum::Json(
        json!({"score": score_json(&s), "row_version": r.row_version}),
    ))
}

pub async fn api_check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Body(input): Body<FormInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    Ok(axum::Json(match flow::check(&a, id, &input).await? {
        Ok(s) => json!({"score": score_json(&s), "problems": []}),
        Err(p) => json!({"score": null, "problems": p.iter().map(|p| json!({"field": p.field,
            "message": p.message})).collect::<Vec<_>>()}),
    }))
}

/// Uploads the signed evaluation report (multipart: `file`; CSRF token in `?csrf=`).
pub async fn upload_signed_report(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    let r = evaluation_flow::visible(&a, id).await?;
    let result = async {
        let (_, name, bytes) = super::read_upload(multipart, "评价报告").await?;
        Ok::<_, WebError>(flow::attach_signed_report(&a, id, &name, &bytes).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/evaluations/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html =
                evaluation_view(&state, &session, &user, r, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A file of an evaluation (its signed report), for whoever may read the evaluation.
pub async fn download_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, att)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    evaluation_flow::visible(&a, id).await?;
    match jixiao_store::attachments::get(&state.store, &user.region, att).await? {
        Some(f) if f.owner_kind == flow::SIGNED_REPORT && f.owner_id == id => {
            Ok(super::send_file(f))
        }
        _ => Err(WebError::NotFound("评价报告".into())),
    }
}

/// `POST /api/v1/evaluations/{id}/signed-report` (multipart: `file`).
pub async fn api_signed_report(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let (_, name, bytes) = super::read_upload(multipart, "评价报告").await?;
    let att = flow::attach_signed_report(&actor(&state, &user, &ip.0), id, &name, &bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": att}))).into_response())
}
