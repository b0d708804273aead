//! 真实性核查 on the web and the JSON API (SPEC §8.6): the year's sample drawn from a recorded
//! seed, chosen self-evaluations added, each re-scored with evidence. Every decision is
//! `jixiao_app::verification`'s.

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
use axum::routing::{get, post, put};
use jixiao_app::verification::{self as flow, DrawInput, VerifyInput};
use jixiao_domain::decimal::{from_hundredths, trim};
use jixiao_domain::types::Role;
use serde::Deserialize;
use serde_json::{Value, json};

/// Who reads the sample: finance (the region) and the units (their own rows).
const READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];
const VERIFIERS: &[Role] = &[Role::FinanceAdmin];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/verifications",
        Access::Roles(READERS),
        get(page),
    )
    .add(
        Method::POST,
        "/verifications/draw",
        Access::Roles(VERIFIERS),
        post(draw),
    )
    .add(
        Method::POST,
        "/verifications/add",
        Access::Roles(VERIFIERS),
        post(add),
    )
    .add(
        Method::POST,
        "/verifications/{id}",
        Access::Roles(VERIFIERS),
        post(verify),
    )
    .add(
        Method::GET,
        "/api/v1/verifications",
        Access::Roles(READERS),
        get(api_list),
    )
    .add(
        Method::POST,
        "/api/v1/verifications/draw",
        Access::AnyUser,
        post(api_draw),
    )
    .add(
        Method::POST,
        "/api/v1/verifications",
        Access::AnyUser,
        post(api_add),
    )
    .add(
        Method::PUT,
        "/api/v1/verifications/{id}",
        Access::AnyUser,
        put(api_verify),
    )
}

const PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    page: Option<i64>,
    done: Option<String>,
}

/// The year shown by default: the latest evaluated year with a self-evaluation round.
async fn default_year(state: &AppState, region: &str) -> Result<i32, WebError> {
    let rounds = jixiao_store::self_evaluation::rounds(&state.store, region).await?;
    Ok(rounds
        .iter()
        .map(|r| r.fiscal_year)
        .max()
        .unwrap_or_else(|| jixiao_app::default_year() - 1))
}

struct RowView {
    id: i64,
    evaluation_id: i64,
    title: String,
    code: String,
    unit_name: String,
    how: &'static str,
    own: String,
    verified: String,
    gap: String,
    inaccurate: bool,
    evidence: String,
    verified_by: String,
    row_version: i32,
}

/// The year's recorded sample draw: its seed, from how many, how many, on which day and by whom.
struct DrawView {
    seed: i64,
    population: i32,
    drawn: i32,
    on: String,
    by: String,
}

#[derive(Template)]
#[template(path = "verifications.html")]
struct VerificationsPage {
    layout: Layout,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    may_verify: bool,
    draw: Option<DrawView>,
    population: String,
    would_draw: String,
    sampled: i64,
    verified: i64,
    inaccurate: i64,
    rows: Vec<RowView>,
    page: i64,
    more: bool,
    seed: String,
    gap_line: String,
    share: String,
    minimum: u32,
}

#[allow(clippy::too_many_arguments)]
async fn view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    page: i64,
    message: Option<String>,
    errors: Vec<String>,
    seed: String,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let page = page.clamp(0, 1_000_000);
    let o = flow::overview(&a, year, PAGE + 1, page * PAGE).await?;
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let more = o.rows.len() as i64 > PAGE;
    let rows = o
        .rows
        .iter()
        .take(PAGE as usize)
        .map(|r| RowView {
            id: r.id,
            evaluation_id: r.evaluation_id,
            title: r.title.clone(),
            code: r.project_code.clone().unwrap_or_default(),
            unit_name: r.unit_name.clone(),
            how: if r.chosen { "指定" } else { "随机抽取" },
            own: trim(from_hundredths(r.self_x100)),
            verified: r
                .verified_x100
                .map(|v| trim(from_hundredths(v)))
                .unwrap_or_default(),
            gap: r
                .verified_x100
                .map(|v| trim(from_hundredths((r.self_x100 - v).abs())))
                .unwrap_or_default(),
            inaccurate: r.inaccurate,
            evidence: r.evidence.clone(),
            verified_by: r.verified_by_name.clone().unwrap_or_default(),
            row_version: r.row_version,
        })
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&VerificationsPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        year,
        message,
        errors,
        may_verify: user.has(Role::FinanceAdmin),
        draw: o.draw.as_ref().map(|d| DrawView {
            seed: d.seed,
            population: d.population,
            drawn: d.sample_size,
            on: jixiao_store::deadlines::local_date(d.drawn_at).to_string(),
            by: d.drawn_by_name.clone().unwrap_or_default(),
        }),
        population: o.population.map(|n| n.to_string()).unwrap_or_default(),
        would_draw: o.would_draw.map(|n| n.to_string()).unwrap_or_default(),
        sampled: o.summary.sampled,
        verified: o.summary.verified,
        inaccurate: o.summary.inaccurate,
        rows,
        page,
        more,
        seed,
        gap_line: trim(settings.verification.inaccurate_gap),
        share: trim(settings.verification.sample_share * rust_decimal::Decimal::ONE_HUNDRED),
        minimum: settings.verification.sample_min,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let year = match q.year {
        Some(y) => y,
        None => default_year(&state, &user.region).await?,
    };
    let message = q.done.map(|d| match d.as_str() {
        "verified" => "核查得分已记录。".to_string(),
        "added" => "已加入核查样本。".to_string(),
        other => format!("已抽取核查样本：{other}"),
    });
    view(
        &state,
        &session,
        &user,
        year,
        q.page.unwrap_or(0),
        message,
        vec![],
        String::new(),
    )
    .await
}

/// A refused form: the page again with the reasons, and the status of the refusal.
async fn refused_page(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    e: &WebError,
    seed: String,
) -> Result<Response, WebError> {
    let html = view(state, session, user, year, 0, None, messages_of(e), seed).await?;
    Ok((status_of(e), html).into_response())
}

fn year_of(pairs: &Pairs) -> Option<i32> {
    field(pairs, "fiscal_year").trim().parse().ok()
}

pub async fn draw(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = DrawInput {
        fiscal_year: field(&pairs, "fiscal_year").into(),
        seed: field(&pairs, "seed").into(),
    };
    let year = match year_of(&pairs) {
        Some(y) => y,
        None => default_year(&state, &user.region).await?,
    };
    match flow::draw(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(d) => Ok(see_other(&format!(
            "/verifications?year={year}&done={}",
            form_urlencoded::byte_serialize(
                format!(
                    "{} 份审核通过的项目自评中抽取 {} 份，随机种子 {}",
                    d.population, d.drawn, d.seed
                )
                .as_bytes()
            )
            .collect::<String>()
        ))),
        Err(e) if is_user_error(&e) => {
            refused_page(&state, &session, &user, year, &e, input.seed).await
        }
        Err(e) => Err(e),
    }
}

pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let Ok(id) = field(&pairs, "evaluation_id").trim().parse::<i64>() else {
        return Err(WebError::BadRequest(vec![(
            "evaluation_id".into(),
            "请选择要加入核查的绩效自评".into(),
        )]));
    };
    flow::add(&actor(&state, &user, &ip.0), id).await?;
    Ok(see_other(&format!("/evaluations/{id}?done=verification")))
}

pub async fn verify(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = VerifyInput {
        row_version: super::project_flow::row_version(&pairs)?,
        score: field(&pairs, "score").into(),
        evidence: field(&pairs, "evidence").into(),
    };
    let year = match year_of(&pairs) {
        Some(y) => y,
        None => default_year(&state, &user.region).await?,
    };
    match flow::verify(&actor(&state, &user, &ip.0), id, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!(
            "/verifications?year={year}&done=verified#v{id}"
        ))),
        Err(e) if is_user_error(&e) => {
            refused_page(&state, &session, &user, year, &e, String::new()).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<axum::Json<flow::Overview>, WebError> {
    let year = match q.year {
        Some(y) => y,
        None => default_year(&state, &user.region).await?,
    };
    let page = q.page.unwrap_or(0);
    if !(0..=1_000_000).contains(&page) {
        return Err(WebError::BadRequest(vec![(
            "page".into(),
            "须在 0 到 1000000 之间".into(),
        )]));
    }
    let a = actor(&state, &user, "");
    Ok(axum::Json(
        flow::overview(&a, year, PAGE, page * PAGE).await?,
    ))
}

pub async fn api_draw(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    super::api_flows::Body(input): super::api_flows::Body<DrawInput>,
) -> Result<Response, WebError> {
    let d = flow::draw(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(d)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddInput {
    evaluation_id: i64,
}

pub async fn api_add(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    super::api_flows::Body(input): super::api_flows::Body<AddInput>,
) -> Result<Response, WebError> {
    let id = flow::add(&actor(&state, &user, &ip.0), input.evaluation_id).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
}

pub async fn api_verify(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    super::api_flows::Body(input): super::api_flows::Body<VerifyInput>,
) -> Result<axum::Json<Value>, WebError> {
    let v = flow::verify(&actor(&state, &user, &ip.0), id, &input).await?;
    Ok(axum::Json(json!(v)))
}
