//! 第三方机构 and their engagements on the web and the JSON API (SPEC §9): registration, status,
//! engagement for key evaluations, the evaluator's 回避声明 and the quality rating. Every
//! decision is `jixiao_app::agency`'s.

use super::api_flows::Body;
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
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use jixiao_app::agency::{self as flow, AgencyInput, EngagementInput, RatingInput, StatusInput};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths};
use jixiao_domain::grade::Grade;
use jixiao_domain::types::{AgencyStatus, AgencyType, Role};
use jixiao_domain::workflow::DocState;
use serde::Deserialize;
use serde_json::{Value, json};

/// Who reads agencies and engagements: the region's readers, and an agency's evaluators (their
/// own agency; `jixiao_app::agency` checks which).
const READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::Viewer,
    Role::Sysadmin,
    Role::Evaluator,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    let admin: &'static [Role] = &[Role::FinanceAdmin];
    reg.add(
        Method::GET,
        "/agencies/new",
        Access::Roles(admin),
        get(new_page),
    )
    .add(
        Method::POST,
        "/agencies",
        Access::Roles(admin),
        post(create),
    )
    .add(
        Method::GET,
        "/agencies/{id}",
        Access::Roles(READERS),
        get(show),
    )
    .add(
        Method::POST,
        "/agencies/{id}/status",
        Access::Roles(admin),
        post(status),
    )
    .add(
        Method::POST,
        "/agencies/{id}/engagements",
        Access::Roles(admin),
        post(engage),
    )
    .add(
        Method::GET,
        "/engagements/{id}",
        Access::Roles(READERS),
        get(engagement_page),
    )
    .add(
        Method::POST,
        "/engagements/{id}/declaration",
        Access::Roles(&[Role::Evaluator]),
        post(declare),
    )
    .add(
        Method::POST,
        "/engagements/{id}/rating",
        Access::Roles(admin),
        post(rate),
    )
    .add(
        Method::POST,
        "/engagements/{id}/deliverables",
        Access::Roles(&[Role::FinanceAdmin, Role::Evaluator]),
        post(upload_deliverable),
    )
    .add(
        Method::GET,
        "/engagements/{id}/files/{att}",
        Access::Roles(READERS),
        get(download_deliverable),
    )
    .add(
        Method::POST,
        "/api/v1/engagements/{id}/deliverables",
        Access::AnyUser,
        post(api_deliverable),
    )
    .add(
        Method::POST,
        "/api/v1/agencies",
        Access::AnyUser,
        post(api_create),
    )
    .add(
        Method::GET,
        "/api/v1/agencies/{id}",
        Access::Roles(READERS),
        get(api_agency),
    )
    .add(
        Method::POST,
        "/api/v1/agencies/{id}/status",
        Access::AnyUser,
        post(api_status),
    )
    .add(
        Method::POST,
        "/api/v1/engagements",
        Access::AnyUser,
        post(api_engage),
    )
    .add(
        Method::GET,
        "/api/v1/engagements/{id}",
        Access::Roles(READERS),
        get(api_engagement),
    )
    .add(
        Method::POST,
        "/api/v1/engagements/{id}/declaration",
        Access::AnyUser,
        post(api_declare),
    )
    .add(
        Method::POST,
        "/api/v1/engagements/{id}/rating",
        Access::AnyUser,
        post(api_rate),
    )
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Registration

#[derive(Template)]
#[template(path = "agency_new.html")]
struct NewPage {
    layout: Layout,
    input: AgencyInput,
    types: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
}

async fn new_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    input: AgencyInput,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let region = region_name(state, &user.region).await?;
    render(&NewPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/agencies"),
        input,
        types: AgencyType::ALL
            .iter()
            .map(|t| (t.code(), t.label()))
            .collect(),
        errors,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    new_view(&state, &session, &user, AgencyInput::default(), vec![]).await
}

pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = AgencyInput {
        name: field(&pairs, "name").into(),
        credit_code: field(&pairs, "credit_code").into(),
        agency_type: field(&pairs, "agency_type").into(),
        qualifications: field(&pairs, "qualifications").into(),
        staff_count: field(&pairs, "staff_count").into(),
        contact: field(&pairs, "contact").into(),
    };
    match flow::register(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(id) => Ok(see_other(&format!("/agencies/{id}?done=registered"))),
        Err(e) if is_user_error(&e) => {
            let html = new_view(&state, &session, &user, input, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// The agency

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    layout: Layout,
    a: jixiao_store::agencies::AgencyRecord,
    type_label: String,
    status_label: String,
    /// (year, id, title, fee, declaration, quality, grade)
    engagements: Vec<(i32, i64, String, String, &'static str, String, String)>,
    may_manage: bool,
    statuses: Vec<(&'static str, &'static str)>,
    year: i32,
    /// The engagement form as typed (after a refusal), by field name.
    typed: Pairs,
    message: Option<String>,
    errors: Vec<String>,
}

impl AgencyPage {
    fn typed(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
}

async fn agency_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    agency_view_typed(state, session, user, id, message, errors, Pairs::new()).await
}

#[allow(clippy::too_many_arguments)]
async fn agency_view_typed(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    message: Option<String>,
    errors: Vec<String>,
    typed: Pairs,
) -> Result<Html<String>, WebError> {
    let a = flow::visible(&actor(state, user, ""), id).await?;
    let engagements = jixiao_store::agencies::engagements_of(&state.store, &user.region, id)
        .await?
        .into_iter()
        .map(|g| {
            (
                g.fiscal_year,
                g.id,
                g.title,
                Fen(g.fee_fen).wan_2dp(),
                if g.coi_declared {
                    "已签署"
                } else {
                    "未签署"
                },
                g.quality_x100
                    .map(|q| fixed2(from_hundredths(q)))
                    .unwrap_or_default(),
                g.quality_grade
                    .as_deref()
                    .and_then(Grade::parse)
                    .map_or(String::new(), |g| g.label().to_string()),
            )
        })
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&AgencyPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/agencies"),
        type_label: AgencyType::parse(&a.agency_type)
            .map_or(a.agency_type.clone(), |t| t.label().into()),
        status_label: AgencyStatus::parse(&a.status).map_or(a.status.clone(), |s| s.label().into()),
        engagements,
        may_manage: user.has(Role::FinanceAdmin),
        statuses: AgencyStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        year: jixiao_app::default_year() - 1,
        typed,
        message,
        errors,
        a,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "registered" => "第三方机构已登记。".to_string(),
        _ => "机构状态已保存。".to_string(),
    });
    agency_view(&state, &session, &user, id, message, vec![]).await
}

pub async fn status(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = StatusInput {
        status: field(&pairs, "status").into(),
        date: field(&pairs, "date").into(),
        reason: field(&pairs, "reason").into(),
    };
    match flow::set_status(&actor(&state, &user, &ip.0), id, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("/agencies/{id}?done=status"))),
        Err(e) if is_user_error(&e) => {
            let html = agency_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The engagement form: project codes (one per line) resolved in the year.
async fn engagement_input(
    state: &AppState,
    region: &str,
    agency_id: i64,
    pairs: &Pairs,
) -> Result<Result<EngagementInput, WebError>, WebError> {
    let year: Option<i32> = field(pairs, "fiscal_year").trim().parse().ok();
    let codes: Vec<String> = field(pairs, "project_codes")
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut ids = Vec::new();
    if let Some(year) = year {
        let (found, unknown) =
            jixiao_store::projects::ids_by_code(&state.store, region, year, &codes).await?;
        if !unknown.is_empty() {
            return Ok(Err(WebError::BadRequest(vec![(
                "评价项目编码".into(),
                format!("{year} 年度没有这些项目：{}", unknown.join("、")),
            )])));
        }
        ids = found;
    }
    Ok(Ok(EngagementInput {
        agency_id,
        fiscal_year: field(pairs, "fiscal_year").into(),
        title: field(pairs, "title").into(),
        procurement_method: field(pairs, "procurement_method").into(),
        contract_no: field(pairs, "contract_no").into(),
        start_date: field(pairs, "start_date").into(),
        end_date: field(pairs, "end_date").into(),
        fee_wan: field(pairs, "fee_wan").into(),
        team: field(pairs, "team").into(),
        project_ids: ids,
    }))
}

pub async fn engage(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let result = match engagement_input(&state, &user.region, id, &pairs).await? {
        Ok(input) => flow::engage(&actor(&state, &user, &ip.0), &input)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(g) => Ok(see_other(&format!("/engagements/{}?done=created", g.id))),
        Err(e) if is_user_error(&e) => {
            let html = agency_view_typed(&state, &session, &user, id, None, messages_of(&e), pairs)
                .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// The engagement

/// A deliverable on the engagement page: (code, label, day handed in, files (id, name)).
type Deliverable = (&'static str, &'static str, String, Vec<(i64, String)>);

#[derive(Template)]
#[template(path = "engagement.html")]
struct EngagementPage {
    layout: Layout,
    g: jixiao_store::agencies::EngagementRecord,
    period: String,
    fee: String,
    declared_on: Option<String>,
    may_declare: bool,
    may_rate: bool,
    /// (id, title, unit, state, total)
    evaluations: Vec<(i64, String, String, String, String)>,
    quality: Option<(String, String)>,
    /// Per deliverable: (code, label, day handed in, files (id, name)).
    deliverables: Vec<Deliverable>,
    may_deliver: bool,
    /// (key, label, max, score given)
    items: Vec<(String, String, String, String)>,
    message: Option<String>,
    errors: Vec<String>,
}

async fn engagement_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let g = flow::engagement(&actor(state, user, ""), id).await?;
    let evaluations = jixiao_store::agencies::engagement_evaluations(&state.store, id)
        .await?
        .into_iter()
        .map(|(eid, title, unit, st, total)| {
            (
                eid,
                title,
                unit,
                DocState::parse(&st).map_or(st.clone(), |s| s.label().to_string()),
                total
                    .map(|t| fixed2(from_hundredths(t)))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let given: Vec<Value> = serde_json::from_str(&g.quality_items).unwrap_or_default();
    let items = jixiao_domain::agency::quality_items()
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let score = given
                .get(n)
                .and_then(|v| {
                    v["score"]
                        .as_str()
                        .map(String::from)
                        .or_else(|| v["score"].as_f64().map(|_| v["score"].to_string()))
                })
                .unwrap_or_default();
            (i.key, i.label, i.max.normalize().to_string(), score)
        })
        .collect();
    let files = jixiao_store::attachments::of_owner(&state.store, "engagement_", id).await?;
    let deliverables = flow::DELIVERABLES
        .iter()
        .map(|(code, label)| {
            let day = match *code {
                "plan" => g.plan_date,
                "draft" => g.draft_report_date,
                _ => g.final_report_date,
            };
            let owner = format!("engagement_{code}");
            (
                *code,
                *label,
                day.map(|d| d.to_string()).unwrap_or_default(),
                files
                    .iter()
                    .filter(|f| f.owner_kind == owner)
                    .map(|f| (f.id, f.file_name.clone()))
                    .collect(),
            )
        })
        .collect();
    let may_deliver = user.has(Role::FinanceAdmin)
        || (user.has(Role::Evaluator) && user.agency_id == Some(g.agency_id) && g.coi_declared);
    let region = region_name(state, &user.region).await?;
    render(&EngagementPage {
        deliverables,
        may_deliver,
        layout: Layout::new(session, user, &region, &state.matrix, "/agencies"),
        period: match (g.start_date, g.end_date) {
            (Some(s), Some(e)) => format!("{s} 至 {e}"),
            _ => String::new(),
        },
        fee: Fen(g.fee_fen).wan_2dp(),
        declared_on: g
            .coi_declared_at
            .map(|t| jixiao_store::deadlines::local_date(t).to_string()),
        may_declare: !g.coi_declared
            && user.has(Role::Evaluator)
            && user.agency_id == Some(g.agency_id),
        may_rate: user.has(Role::FinanceAdmin),
        evaluations,
        quality: g.quality_x100.map(|q| {
            (
                fixed2(from_hundredths(q)),
                g.quality_grade
                    .as_deref()
                    .and_then(Grade::parse)
                    .map_or(String::new(), |g| g.label().to_string()),
            )
        }),
        items,
        message,
        errors,
        g,
    })
}

pub async fn engagement_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "created" => "已委托；受托机构评价人员签署回避声明后即可填写评价。".to_string(),
        "declared" => "回避声明已签署。".to_string(),
        "delivered" => "评价成果已上传。".to_string(),
        _ => "执业质量评价已保存。".to_string(),
    });
    engagement_view(&state, &session, &user, id, message, vec![]).await
}

pub async fn declare(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    match flow::declare(&actor(&state, &user, &ip.0), id, field(&pairs, "statement"))
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("/engagements/{id}?done=declared"))),
        Err(e) if is_user_error(&e) => {
            let html = engagement_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn rate(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = RatingInput {
        scores: (0..jixiao_domain::agency::quality_items().len())
            .map(|n| field(&pairs, &format!("score.{n}")).to_string())
            .collect(),
        findings: field(&pairs, "findings").into(),
    };
    match flow::rate(&actor(&state, &user, &ip.0), id, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/engagements/{id}?done=rated"))),
        Err(e) if is_user_error(&e) => {
            let html = engagement_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_create(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<AgencyInput>,
) -> Result<Response, WebError> {
    let id = flow::register(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
}

pub async fn api_agency(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = flow::visible(&actor(&state, &user, ""), id).await?;
    let engagements =
        jixiao_store::agencies::engagements_of(&state.store, &user.region, id).await?;
    Ok(axum::Json(json!({"agency": a, "engagements": engagements})))
}

pub async fn api_status(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<StatusInput>,
) -> Result<axum::Json<Value>, WebError> {
    flow::set_status(&actor(&state, &user, &ip.0), id, &input).await?;
    Ok(axum::Json(json!({"ok": true})))
}

pub async fn api_engage(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<EngagementInput>,
) -> Result<Response, WebError> {
    let g = flow::engage(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(g)).into_response())
}

pub async fn api_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let g = flow::engagement(&actor(&state, &user, ""), id).await?;
    let evaluations = jixiao_store::agencies::engagement_evaluations(&state.store, id).await?;
    Ok(axum::Json(
        json!({"engagement": g, "evaluations": evaluations.iter().map(|e| json!({
        "id": e.0, "title": e.1, "unit_name": e.2, "state": e.3, "total_x100": e.4})).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclarationInput {
    statement: String,
}

pub async fn api_declare(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<DeclarationInput>,
) -> Result<axum::Json<Value>, WebError> {
    flow::declare(&actor(&state, &user, &ip.0), id, &input.statement).await?;
    Ok(axum::Json(json!({"ok": true})))
}

pub async fn api_rate(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<RatingInput>,
) -> Result<axum::Json<flow::Rated>, WebError> {
    Ok(axum::Json(
        flow::rate(&actor(&state, &user, &ip.0), id, &input).await?,
    ))
}

/// Uploads a deliverable (multipart: `which`, `file`; CSRF token in `?csrf=`).
pub async fn upload_deliverable(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::engagement(&a, id).await?;
    let result = async {
        let (fields, name, bytes) = super::read_upload(multipart, "评价成果").await?;
        let which = fields
            .iter()
            .find(|(k, _)| k == "which")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok::<_, WebError>(flow::attach_deliverable(&a, id, which, &name, &bytes).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/engagements/{id}?done=delivered"))),
        Err(e) if is_user_error(&e) => {
            let html = engagement_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn download_deliverable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, att)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    flow::engagement(&actor(&state, &user, ""), id).await?;
    match jixiao_store::attachments::get(&state.store, &user.region, att).await? {
        Some(f) if f.owner_kind.starts_with("engagement_") && f.owner_id == id => {
            Ok(super::send_file(f))
        }
        _ => Err(WebError::NotFound("评价成果".into())),
    }
}

/// `POST /api/v1/engagements/{id}/deliverables` (multipart: `which`, `file`).
pub async fn api_deliverable(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let (fields, name, bytes) = super::read_upload(multipart, "评价成果").await?;
    let which = fields
        .iter()
        .find(|(k, _)| k == "which")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let att =
        flow::attach_deliverable(&actor(&state, &user, &ip.0), id, &which, &name, &bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": att}))).into_response())
}
