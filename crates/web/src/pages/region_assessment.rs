//! 下级区划考核 on the web and the JSON API (issue 14 item 1): an upper level's assessment of the
//! regions directly below it — opening the year, the score table with each region's counts, the
//! assessor's marks, finalising — and a region's own results as the level above finalised them.
//! Every decision is `jixiao_app::region_assessment`'s.

use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use crate::access::{Access, FINANCE_AND_VIEWERS, Registry};
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
use axum::routing::{get, post};
use jixiao_app::region_assessment::{self as flow, FinalizeInput, MarkInput, OpenInput};
use jixiao_domain::assessment::{ItemScore, Records, formula};
use jixiao_domain::decimal::{round2, trim};
use jixiao_domain::types::Role;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

const MANAGERS: &[Role] = &[Role::FinanceAdmin];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/regions/assessment",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(page),
    )
    .add(
        Method::POST,
        "/regions/assessment/open",
        Access::Roles(MANAGERS),
        post(open),
    )
    .add(
        Method::POST,
        "/regions/assessment/{year}/mark",
        Access::Roles(MANAGERS),
        post(mark),
    )
    .add(
        Method::POST,
        "/regions/assessment/{year}/rubric",
        Access::Roles(MANAGERS),
        post(rubric),
    )
    .add(
        Method::PUT,
        "/api/v1/region-assessments/{year}/rubric",
        Access::AnyUser,
        axum::routing::put(api_rubric),
    )
    .add(
        Method::POST,
        "/regions/assessment/{year}/finalize",
        Access::Roles(MANAGERS),
        post(finalize),
    )
    .add(
        Method::GET,
        "/api/v1/region-assessments/{year}",
        Access::AnyUser,
        get(api_overview),
    )
    .add(
        Method::POST,
        "/api/v1/region-assessments",
        Access::AnyUser,
        post(api_open),
    )
    .add(
        Method::POST,
        "/api/v1/region-assessments/{year}/marks",
        Access::AnyUser,
        post(api_mark),
    )
    .add(
        Method::POST,
        "/api/v1/region-assessments/{year}/finalize",
        Access::AnyUser,
        post(api_finalize),
    )
    .add(
        Method::GET,
        "/api/v1/region-assessments/own",
        Access::AnyUser,
        get(api_own),
    )
}

fn two(d: Decimal) -> String {
    format!("{:.2}", round2(d))
}

fn listed_label(code: &str) -> &'static str {
    match code {
        "commended" => "通报表彰",
        "interviewed" => "约谈",
        _ => "",
    }
}

/// The counts behind a region's automatic items, in words.
fn counts(r: &Records) -> String {
    let c = |label: &str, x: jixiao_domain::assessment::Count| {
        format!("{label} {}/{}", x.done, x.total)
    };
    [
        c("事前评估", r.ex_ante),
        c("目标按时申报", r.targets_on_time),
        c("目标一次通过", r.targets_first_time),
        c("监控按时报送", r.monitoring_reports),
        c("红色预警已整改", r.red_warnings),
        c("自评按时", r.self_evaluations),
        format!("核查 {} 个、不实 {} 个", r.verified, r.inaccurate),
        c("整改按期办结", r.rectifications),
        c("附件齐全", r.attachments),
        c("公开", r.disclosures),
    ]
    .join("；")
}

struct CellView {
    score: String,
    pending: bool,
    /// The adjustment and its reasons, when adjusted.
    note: String,
}

fn cell(i: &ItemScore) -> CellView {
    CellView {
        score: if i.pending {
            "待评".into()
        } else {
            two(i.score)
        },
        pending: i.pending,
        note: if i.adjustment == Decimal::ZERO {
            String::new()
        } else {
            format!(
                "计算 {}，调整 {}：{}",
                two(i.computed),
                trim(i.adjustment),
                i.reasons.join("；")
            )
        },
    }
}

struct SubjectView {
    code: String,
    name: String,
    cells: Vec<CellView>,
    total: String,
    rank: String,
    listed: &'static str,
    listed_code: String,
    problems: Vec<String>,
    counts: String,
}

struct ItemView {
    key: String,
    name: String,
    max: String,
    automatic: bool,
    formula: String,
}

struct OwnView {
    year: i32,
    assessor: String,
    total: String,
    rank: String,
    listed: &'static str,
    deadline: String,
    items: Vec<OwnItemView>,
    counts: String,
}

/// An item of the region's own assessment: its name, the points it got and its maximum.
struct OwnItemView {
    name: String,
    score: String,
    max: String,
}

#[derive(Template)]
#[template(path = "region_assessment.html")]
struct RegionAssessmentPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    message: Option<String>,
    errors: Vec<String>,
    /// The user's region has regions below it (and the user reads the round).
    upper: bool,
    manages: bool,
    opened: bool,
    open: bool,
    finalized_on: String,
    interview_deadline: String,
    row_version: i32,
    items: Vec<ItemView>,
    commended_n: u32,
    interviewed_n: u32,
    below: String,
    /// The lists as sized would name every subject region by rank alone.
    lists_take_all: bool,
    subjects: Vec<SubjectView>,
    complete: bool,
    pending: usize,
    commended: Vec<String>,
    interviewed: Vec<String>,
    own: Vec<OwnView>,
    /// The user's region has a region above it (whose assessment it may have received).
    has_parent: bool,
    /// What was typed in the mark form (kept when it is refused).
    typed: MarkInput,
    /// The interview deadline typed in the finalising form (kept when it is refused).
    typed_deadline: String,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    done: Option<String>,
}

/// The year shown by default: the latest with a round, else last year (the year just assessed).
async fn default_year(state: &AppState, region: &str) -> Result<i32, WebError> {
    let rounds = jixiao_store::region_assessment::rounds(&state.store, region).await?;
    Ok(rounds
        .first()
        .map(|r| r.fiscal_year)
        .unwrap_or_else(|| jixiao_app::default_year() - 1))
}

#[allow(clippy::too_many_arguments)]
async fn view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    typed: MarkInput,
    typed_deadline: Option<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let has_parent = jixiao_store::regions::get(&state.store, &user.region)
        .await?
        .is_some_and(|r| r.parent_code.is_some());
    let upper = user.user.sees_region()
        && jixiao_store::regions::has_subordinates(&state.store, &user.region).await?;
    let manages = flow::manages(&a).await?;
    let mut years: Vec<i32> = jixiao_store::region_assessment::rounds(&state.store, &user.region)
        .await?
        .iter()
        .map(|r| r.fiscal_year)
        .collect();
    if !years.contains(&year) {
        years.push(year);
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let mut page = RegionAssessmentPage {
        layout: Layout::new(
            session,
            user,
            &region_name(state, &user.region).await?,
            &state.matrix,
            "/regions/assessment",
        ),
        year,
        years,
        message,
        errors,
        upper,
        manages,
        opened: false,
        open: false,
        finalized_on: String::new(),
        interview_deadline: String::new(),
        row_version: 0,
        items: vec![],
        commended_n: 0,
        interviewed_n: 0,
        lists_take_all: false,
        below: String::new(),
        subjects: vec![],
        complete: false,
        pending: 0,
        commended: vec![],
        interviewed: vec![],
        own: vec![],
        has_parent,
        typed,
        typed_deadline: String::new(),
    };
    if upper {
        // Leaders read a round once finalised; before that the table stays empty for them.
        match flow::overview(&a, year).await {
            Ok(o) => fill(&mut page, &o),
            Err(jixiao_app::AppError::Refused(m)) => page.errors.push(m),
            Err(e) => return Err(e.into()),
        }
    }
    page.typed_deadline = typed_deadline.unwrap_or_else(|| page.interview_deadline.clone());
    page.own = flow::own_results(&a)
        .await?
        .into_iter()
        .map(|o| OwnView {
            year: o.fiscal_year,
            assessor: o.assessor,
            total: two(o.subject.total),
            rank: o
                .subject
                .rank
                .map(|r| format!("{r} / {}", o.of))
                .unwrap_or_default(),
            listed: listed_label(&o.subject.listed),
            deadline: o
                .interview_deadline
                .map(|d| d.to_string())
                .unwrap_or_default(),
            counts: counts(&o.subject.records),
            items: o
                .subject
                .items
                .iter()
                .map(|i| OwnItemView {
                    name: i.name.clone(),
                    score: two(i.score),
                    max: trim(i.max),
                })
                .collect(),
        })
        .collect();
    render(&page)
}

fn fill(page: &mut RegionAssessmentPage, o: &flow::Overview) {
    page.items = o
        .rubric
        .items
        .iter()
        .map(|i| {
            let automatic = i.automatic && formula(&i.key).is_some();
            ItemView {
                key: i.key.clone(),
                name: i.name.clone(),
                max: trim(i.max),
                automatic,
                formula: if automatic {
                    format!(
                        "{}（按所辖全部一级预算单位合计）",
                        formula(&i.key).unwrap_or("")
                    )
                } else {
                    "人工评分".into()
                },
            }
        })
        .collect();
    page.commended_n = o.rubric.commended;
    page.interviewed_n = o.rubric.interviewed;
    page.below = trim(o.rubric.interview_below);
    page.lists_take_all =
        jixiao_domain::assessment::lists_take_whole_field(&o.rubric, o.subjects.len());
    if let Some(r) = &o.round {
        page.opened = true;
        page.open = r.state == flow::OPEN;
        page.row_version = r.row_version;
        page.finalized_on = r
            .finalized_at
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        page.interview_deadline = r
            .interview_deadline
            .map(|d| d.to_string())
            .unwrap_or_default();
    }
    page.complete = o.complete;
    page.pending = o.subjects.iter().filter(|s| s.pending > 0).count();
    page.commended = o.commended.clone();
    page.interviewed = o.interviewed.clone();
    page.subjects = o
        .subjects
        .iter()
        .map(|s| SubjectView {
            code: s.code.clone(),
            name: s.name.clone(),
            cells: s.items.iter().map(cell).collect(),
            total: if page.opened {
                two(s.total)
            } else {
                String::new()
            },
            rank: s.rank.map(|r| r.to_string()).unwrap_or_default(),
            listed: listed_label(&s.listed),
            listed_code: s.listed.clone(),
            problems: s.problems.clone(),
            counts: if page.opened {
                counts(&s.records)
            } else {
                String::new()
            },
        })
        .collect();
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let year = match q.year {
        Some(y) if (2000..=2100).contains(&y) => y,
        _ => default_year(&state, &user.region).await?,
    };
    let message = q.done.map(|d| match d.as_str() {
        "opened" => "已开启本年度下级区划考核，考核细则取自本级规则参数。".to_string(),
        "marked" => "评分已保存。".to_string(),
        "rubric" => "考核细则已保存。".to_string(),
        "finalized" => "考核已定稿：得分、排名和名单已确定。".to_string(),
        _ => "已保存。".to_string(),
    });
    view(
        &state,
        &session,
        &user,
        year,
        message,
        vec![],
        MarkInput::default(),
        None,
    )
    .await
}

/// A refused form: the page again with the messages, answered with the error's status.
async fn refused(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    e: &WebError,
    typed: MarkInput,
    typed_deadline: Option<String>,
) -> Result<Response, WebError> {
    let html = view(
        state,
        session,
        user,
        year,
        None,
        messages_of(e),
        typed,
        typed_deadline,
    )
    .await?;
    Ok((status_of(e), html).into_response())
}

pub async fn open(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = OpenInput {
        fiscal_year: field(&pairs, "fiscal_year").into(),
    };
    match flow::open(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(year) => Ok(see_other(&format!(
            "/regions/assessment?year={year}&done=opened"
        ))),
        Err(e) if is_user_error(&e) => {
            let year = match input.fiscal_year.trim().parse() {
                Ok(y) => y,
                Err(_) => default_year(&state, &user.region).await?,
            };
            refused(
                &state,
                &session,
                &user,
                year,
                &e,
                MarkInput::default(),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

fn mark_input(pairs: &Pairs) -> MarkInput {
    MarkInput {
        region: field(pairs, "region").into(),
        item: field(pairs, "item").into(),
        score: field(pairs, "score").into(),
        adjust: field(pairs, "adjust").into(),
        reason: field(pairs, "reason").into(),
    }
}

pub async fn mark(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = mark_input(&pairs);
    match flow::mark(&actor(&state, &user, &ip.0), year, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!(
            "/regions/assessment?year={year}&done=marked"
        ))),
        Err(e) if is_user_error(&e) => {
            refused(&state, &session, &user, year, &e, input, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn rubric(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = super::assessment::rubric_input(&pairs)?;
    match flow::set_rubric(&actor(&state, &user, &ip.0), year, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!(
            "/regions/assessment?year={year}&done=rubric"
        ))),
        Err(e) if is_user_error(&e) => {
            refused(
                &state,
                &session,
                &user,
                year,
                &e,
                MarkInput::default(),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn finalize(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = FinalizeInput {
        row_version: super::project_flow::row_version(&pairs)?,
        interview_deadline: field(&pairs, "interview_deadline").into(),
    };
    let typed = Some(input.interview_deadline.clone());
    match flow::finalize(&actor(&state, &user, &ip.0), year, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!(
            "/regions/assessment?year={year}&done=finalized"
        ))),
        Err(e) if is_user_error(&e) => {
            refused(
                &state,
                &session,
                &user,
                year,
                &e,
                MarkInput::default(),
                typed,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<axum::Json<flow::Overview>, WebError> {
    Ok(axum::Json(
        flow::overview(&actor(&state, &user, ""), year).await?,
    ))
}

pub async fn api_open(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<OpenInput>,
) -> Result<Response, WebError> {
    let year = flow::open(&actor(&state, &user, &ip.0), &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"fiscal_year": year})),
    )
        .into_response())
}

pub async fn api_mark(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<MarkInput>,
) -> Result<axum::Json<flow::Overview>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::mark(&a, year, &input).await?;
    Ok(axum::Json(flow::overview(&a, year).await?))
}

pub async fn api_rubric(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<
        jixiao_app::assessment::RubricInput,
    >,
) -> Result<axum::Json<flow::Overview>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::set_rubric(&a, year, &input).await?;
    Ok(axum::Json(flow::overview(&a, year).await?))
}

pub async fn api_finalize(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<FinalizeInput>,
) -> Result<axum::Json<flow::Finalized>, WebError> {
    Ok(axum::Json(
        flow::finalize(&actor(&state, &user, &ip.0), year, &input).await?,
    ))
}

pub async fn api_own(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<Vec<flow::OwnResult>>, WebError> {
    Ok(axum::Json(
        flow::own_results(&actor(&state, &user, "")).await?,
    ))
}
