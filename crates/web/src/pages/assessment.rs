//! 部门考核 on the web and the JSON API (SPEC §11, issue 12 item 1): the year's ranking with the
//! rubric and the manual items, a unit's score sheet with its formulas, counts and adjustments,
//! the records behind each count, finalising, and the report. Every decision is
//! `jixiao_app::assessment`'s.

use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use crate::access::{Access, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use jixiao_app::assessment::{
    self as flow, AdjustInput, FinalizeInput, ManualEntry, OpenInput, RubricInput, RubricItemInput,
};
use jixiao_domain::assessment::{ItemScore, Measure, formula};
use jixiao_domain::decimal::trim;
use jixiao_domain::types::Role;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

/// Who opens the page: finance, leaders and administrators (the ranking), unit users (their
/// own sheet).
const READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::Viewer,
    Role::Sysadmin,
    Role::UnitPreparer,
    Role::UnitApprover,
];
const MANAGERS: &[Role] = &[Role::FinanceAdmin];
/// Who read the ranking and its report: finance, leaders and administrators.
const RANKING_READERS: &[Role] = Role::REGION_READERS;

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/assessments",
        Access::Roles(READERS),
        get(page),
    )
    .add(
        Method::POST,
        "/assessments/open",
        Access::Roles(MANAGERS),
        post(open),
    )
    .add(
        Method::POST,
        "/assessments/{year}/rubric",
        Access::Roles(MANAGERS),
        post(rubric),
    )
    .add(
        Method::POST,
        "/assessments/{year}/manual",
        Access::Roles(MANAGERS),
        post(manual),
    )
    .add(
        Method::POST,
        "/assessments/{year}/finalize",
        Access::Roles(MANAGERS),
        post(finalize),
    )
    .add(
        Method::GET,
        "/assessments/{year}/report.docx",
        Access::Roles(RANKING_READERS),
        get(report_docx),
    )
    .add(
        Method::GET,
        "/assessments/{year}/report.html",
        Access::Roles(RANKING_READERS),
        get(report_html),
    )
    .add(
        Method::GET,
        "/assessments/{year}/units/{unit}",
        Access::Roles(READERS),
        get(sheet_page),
    )
    .add(
        Method::POST,
        "/assessments/{year}/units/{unit}/adjust",
        Access::Roles(MANAGERS),
        post(adjust),
    )
    .add(
        Method::GET,
        "/assessments/{year}/units/{unit}/records/{measure}",
        Access::Roles(READERS),
        get(records_page),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}",
        Access::AnyUser,
        get(api_overview),
    )
    .add(
        Method::POST,
        "/api/v1/assessments",
        Access::AnyUser,
        post(api_open),
    )
    .add(
        Method::PUT,
        "/api/v1/assessments/{year}/rubric",
        Access::AnyUser,
        put(api_rubric),
    )
    .add(
        Method::PUT,
        "/api/v1/assessments/{year}/manual",
        Access::AnyUser,
        put(api_manual),
    )
    .add(
        Method::POST,
        "/api/v1/assessments/{year}/units/{unit}/adjustments",
        Access::AnyUser,
        post(api_adjust),
    )
    .add(
        Method::POST,
        "/api/v1/assessments/{year}/finalize",
        Access::AnyUser,
        post(api_finalize),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/report.docx",
        Access::AnyUser,
        get(report_docx),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/report.pdf",
        Access::AnyUser,
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/assessments/{year}/report.pdf",
        Access::Roles(RANKING_READERS),
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/units/{unit}",
        Access::AnyUser,
        get(api_sheet),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/units/{unit}/records/{measure}",
        Access::AnyUser,
        get(api_records),
    )
}

/// The year shown by default: the latest with a round, else last year (the year just assessed).
async fn default_year(state: &AppState, region: &str) -> Result<i32, WebError> {
    let rounds = jixiao_store::assessment::rounds(&state.store, region).await?;
    Ok(rounds
        .first()
        .map(|r| r.fiscal_year)
        .unwrap_or_else(|| jixiao_app::default_year() - 1))
}

fn two(d: Decimal) -> String {
    format!("{:.2}", jixiao_domain::decimal::round2(d))
}

fn listed_label(code: &str) -> &'static str {
    match code {
        "commended" => "通报表彰",
        "interviewed" => "约谈",
        _ => "",
    }
}

struct CellView {
    score: String,
    adjusted: bool,
    pending: bool,
}

fn cell(i: &ItemScore) -> CellView {
    CellView {
        score: if i.pending {
            "待评".into()
        } else {
            two(i.score)
        },
        adjusted: i.adjustment != Decimal::ZERO,
        pending: i.pending,
    }
}

struct UnitView {
    unit_id: i64,
    name: String,
    cells: Vec<CellView>,
    total: String,
    pending: usize,
    problems: Vec<String>,
    rank: String,
    listed: &'static str,
    listed_code: String,
    rectification_id: Option<i64>,
}

struct RubricView {
    key: String,
    name: String,
    max: String,
    automatic: bool,
    formula: String,
}

/// A manual-score input: (unit, key, value).
struct ManualView {
    name: String,
    inputs: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    layout: Layout,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    manages: bool,
    opened: bool,
    open: bool,
    finalized_on: String,
    interview_deadline: String,
    row_version: i32,
    rubric: Vec<RubricView>,
    commended_n: u32,
    interviewed_n: u32,
    below: String,
    units: Vec<UnitView>,
    manual_items: Vec<String>,
    manual: Vec<ManualView>,
    complete: bool,
    pending_units: usize,
    commended: Vec<String>,
    interviewed: Vec<String>,
    /// A unit user's own results: (unit id, name, total, rank).
    own: Vec<(i64, String, String, i32)>,
    unit_user: bool,
}

#[allow(clippy::too_many_arguments)]
async fn view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    typed: Option<&Pairs>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let region = region_name(state, &user.region).await?;
    let layout = Layout::new(session, user, &region, &state.matrix, "/assessments");
    let unit_user = user.is_unit_user() && !user.is_finance();
    let (o, own) = if unit_user {
        let own = flow::own_results(&a, year)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.unit_id,
                    r.unit_name,
                    two(jixiao_domain::decimal::from_hundredths(r.total_x100)),
                    r.rank,
                )
            })
            .collect();
        (None, own)
    } else {
        match flow::overview(&a, year).await {
            Ok(o) => (Some(o), vec![]),
            Err(jixiao_app::AppError::Refused(m)) => {
                let mut errors = errors;
                errors.push(m);
                return render(&AssessmentPage {
                    layout,
                    year,
                    message,
                    errors,
                    manages: false,
                    opened: true,
                    open: true,
                    finalized_on: String::new(),
                    interview_deadline: String::new(),
                    row_version: 0,
                    rubric: vec![],
                    commended_n: 0,
                    interviewed_n: 0,
                    below: String::new(),
                    units: vec![],
                    manual_items: vec![],
                    manual: vec![],
                    complete: false,
                    pending_units: 0,
                    commended: vec![],
                    interviewed: vec![],
                    own: vec![],
                    unit_user,
                });
            }
            Err(e) => return Err(e.into()),
        }
    };
    let manages = flow::manages(&a);
    let Some(o) = o else {
        return render(&AssessmentPage {
            layout,
            year,
            message,
            errors,
            manages: false,
            opened: true,
            open: false,
            finalized_on: String::new(),
            interview_deadline: String::new(),
            row_version: 0,
            rubric: vec![],
            commended_n: 0,
            interviewed_n: 0,
            below: String::new(),
            units: vec![],
            manual_items: vec![],
            manual: vec![],
            complete: false,
            pending_units: 0,
            commended: vec![],
            interviewed: vec![],
            own,
            unit_user,
        });
    };
    let typed_value = |name: &str, stored: String| -> String {
        typed
            .and_then(|p| p.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .unwrap_or(stored)
    };
    let rubric: Vec<RubricView> = o
        .rubric
        .items
        .iter()
        .map(|i| {
            let auto = i.automatic && formula(&i.key).is_some();
            RubricView {
                key: i.key.clone(),
                name: typed_value(&format!("name_{}", i.key), i.name.clone()),
                max: typed_value(&format!("max_{}", i.key), trim(i.max)),
                automatic: auto,
                formula: formula(&i.key)
                    .filter(|_| auto)
                    .unwrap_or("人工评分")
                    .to_string(),
            }
        })
        .collect();
    let manual_keys: Vec<(String, String)> = rubric
        .iter()
        .filter(|r| !r.automatic)
        .map(|r| (r.key.clone(), r.name.clone()))
        .collect();
    let manual = o
        .units
        .iter()
        .map(|u| ManualView {
            name: u.unit_name.clone(),
            inputs: manual_keys
                .iter()
                .map(|(k, _)| {
                    let stored = u
                        .items
                        .iter()
                        .find(|i| &i.key == k && !i.pending)
                        .map(|i| trim(i.computed))
                        .unwrap_or_default();
                    let name = format!("m_{}_{}", u.unit_id, k);
                    let value = typed_value(&name, stored);
                    (name, k.clone(), value)
                })
                .collect(),
        })
        .collect();
    let units: Vec<UnitView> = o
        .units
        .iter()
        .map(|u| UnitView {
            unit_id: u.unit_id,
            name: u.unit_name.clone(),
            cells: u.items.iter().map(cell).collect(),
            total: two(u.total),
            pending: u.pending,
            problems: u.problems.clone(),
            rank: u.rank.map(|r| r.to_string()).unwrap_or_default(),
            listed: listed_label(&u.listed),
            listed_code: u.listed.clone(),
            rectification_id: u.rectification_id,
        })
        .collect();
    let round = o.round.as_ref();
    render(&AssessmentPage {
        layout,
        year,
        message,
        errors,
        manages,
        opened: round.is_some(),
        open: round.is_some_and(|r| r.state == flow::OPEN),
        finalized_on: round
            .and_then(|r| r.finalized_at)
            .map(|t| jixiao_store::deadlines::local_date(t).to_string())
            .unwrap_or_default(),
        interview_deadline: round
            .and_then(|r| r.interview_deadline)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        row_version: round.map_or(0, |r| r.row_version),
        rubric,
        commended_n: o.rubric.commended,
        interviewed_n: o.rubric.interviewed,
        below: trim(o.rubric.interview_below),
        pending_units: units
            .iter()
            .filter(|u| u.pending > 0 || !u.problems.is_empty())
            .count(),
        units,
        manual_items: manual_keys.into_iter().map(|(_, n)| n).collect(),
        manual,
        complete: o.complete,
        commended: o.commended,
        interviewed: o.interviewed,
        own,
        unit_user,
    })
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    done: Option<String>,
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
        "opened" => "已开启本年度考核，考核细则取自当前规则参数。".to_string(),
        "rubric" => "考核细则已保存。".to_string(),
        "manual" => "人工评分已保存。".to_string(),
        "finalized" => "考核已定稿：排名和名单已确定，约谈单位已收到整改通知。".to_string(),
        _ => "已保存。".to_string(),
    });
    view(&state, &session, &user, year, message, vec![], None).await
}

async fn refused(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    e: &WebError,
    typed: Option<&Pairs>,
) -> Result<Response, WebError> {
    let html = view(state, session, user, year, None, messages_of(e), typed).await?;
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
        Ok(year) => Ok(see_other(&format!("/assessments?year={year}&done=opened"))),
        Err(e) if is_user_error(&e) => {
            let year = match input.fiscal_year.trim().parse() {
                Ok(y) => y,
                Err(_) => default_year(&state, &user.region).await?,
            };
            refused(&state, &session, &user, year, &e, None).await
        }
        Err(e) => Err(e),
    }
}

fn rubric_input(pairs: &Pairs) -> RubricInput {
    let mut items = std::collections::BTreeMap::new();
    for (k, v) in pairs {
        if let Some(key) = k.strip_prefix("name_") {
            items
                .entry(key.to_string())
                .or_insert_with(RubricItemInput::default)
                .name = v.clone();
        } else if let Some(key) = k.strip_prefix("max_") {
            items
                .entry(key.to_string())
                .or_insert_with(RubricItemInput::default)
                .max = v.clone();
        }
    }
    RubricInput {
        row_version: field(pairs, "row_version").trim().parse().unwrap_or(0),
        items,
        new_name: field(pairs, "new_name").into(),
        new_max: field(pairs, "new_max").into(),
        commended: field(pairs, "commended").into(),
        interviewed: field(pairs, "interviewed").into(),
        interview_below: field(pairs, "interview_below").into(),
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
    match flow::set_rubric(&actor(&state, &user, &ip.0), year, &rubric_input(&pairs))
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("/assessments?year={year}&done=rubric"))),
        Err(e) if is_user_error(&e) => {
            refused(&state, &session, &user, year, &e, Some(&pairs)).await
        }
        Err(e) => Err(e),
    }
}

fn manual_entries(pairs: &Pairs) -> Vec<ManualEntry> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix("m_")?;
            let (unit, item) = rest.split_once('_')?;
            Some(ManualEntry {
                unit_id: unit.parse().ok()?,
                item: item.to_string(),
                score: v.clone(),
            })
        })
        .collect()
}

pub async fn manual(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    match flow::set_manual(&actor(&state, &user, &ip.0), year, &manual_entries(&pairs))
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!(
            "/assessments?year={year}&done=manual#ranking"
        ))),
        Err(e) if is_user_error(&e) => {
            refused(&state, &session, &user, year, &e, Some(&pairs)).await
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
        row_version: field(&pairs, "row_version").trim().parse().unwrap_or(0),
        interview_deadline: field(&pairs, "interview_deadline").into(),
    };
    match flow::finalize(&actor(&state, &user, &ip.0), year, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!(
            "/assessments?year={year}&done=finalized"
        ))),
        Err(e) if is_user_error(&e) => refused(&state, &session, &user, year, &e, None).await,
        Err(e) => Err(e),
    }
}

async fn report_of(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
) -> Result<jixiao_domain::report::Document, WebError> {
    Ok(flow::report(&actor(state, user, ""), year).await?)
}

pub async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<Response, WebError> {
    let doc = report_of(&state, &user, year).await?;
    let bytes =
        jixiao_forms::render::to_docx(&doc).map_err(|e| WebError::Internal(e.to_string()))?;
    let encoded: String =
        form_urlencoded::byte_serialize(format!("{}.docx", doc.title).as_bytes()).collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"assessment-{year}.docx\"; filename*=UTF-8''{encoded}"
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<Response, WebError> {
    let doc = report_of(&state, &user, year).await?;
    let name = doc.title.clone();
    super::report_file(
        doc,
        super::ReportFormat::Pdf,
        &format!("assessment-{year}"),
        &name,
    )
    .await
}

pub async fn report_html(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<Html<String>, WebError> {
    let doc = report_of(&state, &user, year).await?;
    Ok(Html(jixiao_forms::render::to_html(&doc)))
}

// ---------------------------------------------------------------------------------------------
// A unit's sheet and the records behind a count.

struct CountView {
    code: &'static str,
    label: &'static str,
    done: u32,
    total: u32,
    percent: String,
}

struct SheetItemView {
    key: String,
    name: String,
    max: String,
    formula: String,
    note: String,
    counts: Vec<CountView>,
    computed: String,
    adjustment: String,
    reasons: String,
    score: String,
    adjust_points: String,
    adjust_reason: String,
}

#[derive(Template)]
#[template(path = "assessment_sheet.html")]
struct SheetPage {
    layout: Layout,
    year: i32,
    unit_id: i64,
    unit_name: String,
    open: bool,
    manages: bool,
    errors: Vec<String>,
    message: Option<String>,
    items: Vec<SheetItemView>,
    total: String,
    pending: usize,
    problems: Vec<String>,
    rank: String,
    of: usize,
    listed: &'static str,
    rectification_id: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
async fn sheet_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    unit_id: i64,
    message: Option<String>,
    errors: Vec<String>,
    typed: Option<(&str, &str, &str)>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let s = flow::sheet(&a, year, unit_id).await?;
    let region = region_name(state, &user.region).await?;
    let items = s
        .items
        .iter()
        .map(|i| {
            let (points, reason) = match typed {
                Some((k, p, r)) if k == i.score.key => (p.to_string(), r.to_string()),
                _ => (
                    if i.score.adjustment == Decimal::ZERO {
                        String::new()
                    } else {
                        trim(i.score.adjustment)
                    },
                    i.score.reasons.join("；"),
                ),
            };
            SheetItemView {
                key: i.score.key.clone(),
                name: i.score.name.clone(),
                max: trim(i.score.max),
                formula: i.formula.unwrap_or_default().to_string(),
                note: i.note.clone(),
                counts: i
                    .counts
                    .iter()
                    .map(|c| CountView {
                        code: c.measure.code(),
                        label: c.label,
                        done: c.count.done,
                        total: c.count.total,
                        percent: c.percent.clone(),
                    })
                    .collect(),
                computed: if i.score.pending {
                    "待评".into()
                } else {
                    two(i.score.computed)
                },
                adjustment: if i.score.adjustment == Decimal::ZERO {
                    String::new()
                } else if i.score.adjustment > Decimal::ZERO {
                    format!("+{}", two(i.score.adjustment))
                } else {
                    two(i.score.adjustment)
                },
                reasons: i.score.reasons.join("；"),
                score: if i.score.pending {
                    "待评".into()
                } else {
                    two(i.score.score)
                },
                adjust_points: points,
                adjust_reason: reason,
            }
        })
        .collect();
    render(&SheetPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/assessments"),
        year,
        unit_id,
        unit_name: s.unit_name,
        open: s.state == flow::OPEN,
        manages: flow::manages(&a),
        errors,
        message,
        items,
        total: two(s.total),
        pending: s.pending,
        problems: s.problems,
        rank: s.rank.map(|r| r.to_string()).unwrap_or_default(),
        of: s.of,
        listed: listed_label(&s.listed),
        rectification_id: s.rectification_id,
    })
}

pub async fn sheet_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path((year, unit)): Path<(i32, i64)>,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|_| "调整已保存。".to_string());
    sheet_view(&state, &session, &user, year, unit, message, vec![], None).await
}

pub async fn adjust(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path((year, unit)): Path<(i32, i64)>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = AdjustInput {
        item: field(&pairs, "item").into(),
        points: field(&pairs, "points").into(),
        reason: field(&pairs, "reason").into(),
    };
    match flow::adjust(&actor(&state, &user, &ip.0), year, unit, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!(
            "/assessments/{year}/units/{unit}?done=adjusted#item-{}",
            input.item
        ))),
        Err(e) if is_user_error(&e) => {
            let html = sheet_view(
                &state,
                &session,
                &user,
                year,
                unit,
                None,
                messages_of(&e),
                Some((&input.item, &input.points, &input.reason)),
            )
            .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

struct RecordView {
    href: String,
    title: String,
    done: bool,
    note: String,
}

#[derive(Template)]
#[template(path = "assessment_records.html")]
struct RecordsPage {
    layout: Layout,
    year: i32,
    unit_id: i64,
    label: &'static str,
    done: usize,
    rows: Vec<RecordView>,
}

pub async fn records_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path((year, unit, measure)): Path<(i32, i64, String)>,
) -> Result<Html<String>, WebError> {
    let (m, rows) = flow::counted(&actor(&state, &user, ""), year, unit, &measure).await?;
    let region = region_name(&state, &user.region).await?;
    render(&RecordsPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/assessments"),
        year,
        unit_id: unit,
        label: Measure::label(m),
        done: rows.iter().filter(|r| r.done).count(),
        rows: rows
            .into_iter()
            .map(|r| RecordView {
                href: r.href,
                title: r.title,
                done: r.done,
                note: r.note,
            })
            .collect(),
    })
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
    super::api_flows::Body(input): super::api_flows::Body<OpenInput>,
) -> Result<Response, WebError> {
    let year = flow::open(&actor(&state, &user, &ip.0), &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"fiscal_year": year})),
    )
        .into_response())
}

pub async fn api_rubric(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    super::api_flows::Body(input): super::api_flows::Body<RubricInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::set_rubric(&a, year, &input).await?;
    Ok(axum::Json(json!(flow::overview(&a, year).await?.rubric)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ManualBody {
    entries: Vec<ManualEntry>,
}

pub async fn api_manual(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    super::api_flows::Body(input): super::api_flows::Body<ManualBody>,
) -> Result<axum::Json<Value>, WebError> {
    let n = flow::set_manual(&actor(&state, &user, &ip.0), year, &input.entries).await?;
    Ok(axum::Json(json!({"changed": n})))
}

pub async fn api_adjust(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path((year, unit)): Path<(i32, i64)>,
    super::api_flows::Body(input): super::api_flows::Body<AdjustInput>,
) -> Result<axum::Json<flow::Sheet>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::adjust(&a, year, unit, &input).await?;
    Ok(axum::Json(flow::sheet(&a, year, unit).await?))
}

pub async fn api_finalize(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    super::api_flows::Body(input): super::api_flows::Body<FinalizeInput>,
) -> Result<axum::Json<flow::Finalized>, WebError> {
    Ok(axum::Json(
        flow::finalize(&actor(&state, &user, &ip.0), year, &input).await?,
    ))
}

pub async fn api_sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((year, unit)): Path<(i32, i64)>,
) -> Result<axum::Json<flow::Sheet>, WebError> {
    Ok(axum::Json(
        flow::sheet(&actor(&state, &user, ""), year, unit).await?,
    ))
}

pub async fn api_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((year, unit, measure)): Path<(i32, i64, String)>,
) -> Result<axum::Json<Value>, WebError> {
    let (m, rows) = flow::counted(&actor(&state, &user, ""), year, unit, &measure).await?;
    Ok(axum::Json(json!({
        "measure": m,
        "label": m.label(),
        "done": rows.iter().filter(|r| r.done).count(),
        "total": rows.len(),
        "records": rows,
    })))
}
