//! The JSON API under /api/v1 (SPEC §16): bearer-token auth with the same lockout and the same
//! data scope as the pages; errors as `{"error", "fields", "request_id"}` in Chinese.

use crate::auth::{self, CurrentUser};
use crate::error::WebError;
use crate::pages::scope;
use crate::{AppState, audit_event, client_ip};
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use jixiao_domain::Fen;
use jixiao_store::browse;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

#[derive(Serialize)]
pub struct TokenBody {
    token: String,
    token_type: &'static str,
    idle_timeout_minutes: i64,
}

/// Revokes the bearer token the request was made with (issue 13: tokens could not be revoked).
pub async fn logout(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<crate::auth::SessionInfo>,
    user: CurrentUser,
    req: Request,
) -> Result<axum::http::StatusCode, WebError> {
    let ip = client_ip(&req);
    jixiao_store::sessions::delete(&state.store, &session.secret).await?;
    crate::audit_user(&state, &user, &ip, "logout", "user", &user.username, "api").await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

pub async fn login(
    State(state): State<AppState>,
    req: Request,
) -> Result<Json<TokenBody>, WebError> {
    let ip = client_ip(&req);
    let ua = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let Json(body) =
        <Json<LoginBody> as axum::extract::FromRequest<AppState>>::from_request(req, &state)
            .await
            .map_err(|_| {
                WebError::BadRequest(vec![(
                    String::new(),
                    "请求体应为 JSON：{\"username\": …, \"password\": …}".into(),
                )])
            })?;
    let mut fields = Vec::new();
    let username = body.username.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    if username.trim().is_empty() {
        fields.push(("username".to_string(), "请填写用户名".to_string()));
    }
    if password.is_empty() {
        fields.push(("password".to_string(), "请填写密码".to_string()));
    }
    if !fields.is_empty() {
        return Err(WebError::BadRequest(fields));
    }
    let Some(user) = auth::authenticate(&state, &username, &password, &ip).await? else {
        return Err(WebError::LoginFailed);
    };
    let (secret, _) =
        jixiao_store::sessions::create(&state.store, Some(user.id), "api", &ip, &ua).await?;
    audit_event(
        &state,
        Some(&user),
        &ip,
        "login.success",
        "user",
        &user.username,
        "api",
    )
    .await?;
    Ok(Json(TokenBody {
        token: secret,
        token_type: "Bearer",
        idle_timeout_minutes: state.config.policy.idle_minutes,
    }))
}

#[derive(Serialize)]
pub struct ProjectJson {
    id: i64,
    fiscal_year: i32,
    code: String,
    name: String,
    unit: String,
    budget_type: String,
    timing: String,
    library_status: String,
    /// 万元, 2 decimals.
    amount_wan: String,
    is_major: bool,
}

impl From<browse::ProjectRow> for ProjectJson {
    fn from(p: browse::ProjectRow) -> Self {
        ProjectJson {
            id: p.id,
            fiscal_year: p.fiscal_year,
            code: p.code,
            name: p.name,
            unit: p.unit_name,
            budget_type: p.budget_type,
            timing: p.timing,
            library_status: p.library_status,
            amount_wan: Fen(p.total_fen).wan_2dp(),
            is_major: p.is_major,
        }
    }
}

#[derive(Serialize)]
pub struct Page<T> {
    items: Vec<T>,
    total: i64,
    page: i64,
    per_page: i64,
}

#[derive(Deserialize, Default)]
pub struct ApiQuery {
    year: Option<String>,
    budget_type: Option<String>,
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub async fn projects(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ApiQuery>,
) -> Result<Json<Page<ProjectJson>>, WebError> {
    let mut fields = Vec::new();
    let year = match q.year.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(y) => match jixiao_domain::types::FiscalYear::parse(y) {
            Ok(y) => Some(y.get()),
            Err(e) => {
                fields.push(("year".into(), e.to_string()));
                None
            }
        },
    };
    let page = int_param(
        &mut fields,
        ("page", "页码"),
        q.page.as_deref(),
        1,
        1..=browse::MAX_PAGE,
    );
    if let Some(b) = q.budget_type.as_deref().filter(|s| !s.is_empty())
        && jixiao_domain::types::BudgetType::parse(b).is_none()
    {
        {
            fields.push((
                "budget_type".into(),
                "预算类型应为 general_public、gov_fund、state_capital 或 social_insurance".into(),
            ));
        }
    }
    if !fields.is_empty() {
        return Err(WebError::BadRequest(fields));
    }
    let scope = scope(&state, &user).await?;
    let filter = browse::ProjectFilter {
        year,
        budget_type: q.budget_type.clone().filter(|s| !s.is_empty()),
        status: q.status.clone().filter(|s| !s.is_empty()),
        search: q.q.clone(),
        page,
        per_page: 100,
        ..Default::default()
    };
    let (rows, total) = browse::projects(&state.store, &user.region, &scope, &filter).await?;
    Ok(Json(Page {
        items: rows.into_iter().map(ProjectJson::from).collect(),
        total,
        page,
        per_page: 100,
    }))
}

/// One project with what a client needs to change it: the `row_version` to send back with an
/// edit or a library action (a stale one is refused, SPEC §4).
#[derive(Serialize)]
pub struct ProjectDetailJson {
    #[serde(flatten)]
    project: ProjectJson,
    row_version: i32,
}

pub async fn project(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ProjectDetailJson>, WebError> {
    let scope = scope(&state, &user).await?;
    match browse::project(&state.store, &user.region, &scope, id).await? {
        Some(p) => {
            let row_version = jixiao_store::projects::get(&state.store, &user.region, id)
                .await?
                .map(|r| r.row_version)
                .ok_or_else(|| WebError::NotFound("项目".into()))?;
            Ok(Json(ProjectDetailJson {
                project: p.into(),
                row_version,
            }))
        }
        None => Err(jixiao_app::hidden(&scope, "项目").into()),
    }
}

#[derive(Deserialize, Default)]
pub struct RecordQuery {
    year: Option<String>,
    q: Option<String>,
    /// 1-based page of `per_page` rows (issue 14: a list is never cut off silently; the
    /// `X-Total-Count` header says how many rows the filter selects in all). Read as text, so
    /// that `page=abc` is a 422 naming the parameter like every other bad value, not a bare 400.
    page: Option<String>,
    per_page: Option<String>,
}

/// The most rows one page of a record list holds through the API.
const MAX_PER_PAGE: i64 = browse::LIST_CAP;
/// The rows of a page when the caller names no `per_page` (as for projects): a county's year
/// of 1,000 targets in one answer made every default call cost ten pages (issue 14).
const DEFAULT_PER_PAGE: i64 = 100;

/// A page of a record list: the rows as a JSON array, the total in `X-Total-Count`.
fn paged<T: serde::Serialize>(rows: Vec<T>, total: i64) -> Response {
    let mut res = Json(rows).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&total.to_string()) {
        res.headers_mut().insert("x-total-count", v);
    }
    res
}

/// An integer query parameter in `range`, or its problem (the same words for every list).
fn int_param(
    fields: &mut Vec<(String, String)>,
    (name, label): (&str, &str),
    text: Option<&str>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> i64 {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => default,
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .unwrap_or_else(|| {
                fields.push((
                    name.into(),
                    format!("{label}应为 {}–{} 之间的整数", range.start(), range.end()),
                ));
                default
            }),
    }
}

impl RecordQuery {
    /// The filter of the query, or every problem of it at once (422).
    fn filter(&self) -> Result<browse::ListFilter, WebError> {
        let mut fields = Vec::new();
        let year = match self.year.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(y) => match jixiao_domain::types::FiscalYear::parse(y) {
                Ok(y) => Some(y.get()),
                Err(e) => {
                    fields.push(("year".into(), e.to_string()));
                    None
                }
            },
        };
        let per_page = int_param(
            &mut fields,
            ("per_page", "每页条数"),
            self.per_page.as_deref(),
            DEFAULT_PER_PAGE,
            1..=MAX_PER_PAGE,
        );
        let page = int_param(
            &mut fields,
            ("page", "页码"),
            self.page.as_deref(),
            1,
            1..=browse::MAX_PAGE,
        );
        if !fields.is_empty() {
            return Err(WebError::BadRequest(fields));
        }
        Ok(browse::ListFilter {
            year,
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            limit: Some(per_page),
            offset: (page - 1) * per_page,
            ..browse::ListFilter::default()
        })
    }
}

pub async fn targets(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Response, WebError> {
    let scope = scope(&state, &user).await?;
    let f = q.filter()?;
    let (store, region, sc) = (&state.store, user.region.as_str(), &scope);
    let rows = crate::pages::windowed(&state, "targets", region, sc, &f, |f| async move {
        browse::targets(store, region, sc, &f).await
    })
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(paged(rows, total))
}

pub async fn monitoring_reports(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Response, WebError> {
    let scope = scope(&state, &user).await?;
    let f = q.filter()?;
    let (store, region, sc) = (&state.store, user.region.as_str(), &scope);
    let rows = crate::pages::windowed(
        &state,
        "monitoring_reports",
        region,
        sc,
        &f,
        |f| async move { browse::monitoring_reports(store, region, sc, &f).await },
    )
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(paged(rows, total))
}

pub async fn evaluations(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Response, WebError> {
    let scope = scope(&state, &user).await?;
    let f = q.filter()?;
    let (store, region, sc) = (&state.store, user.region.as_str(), &scope);
    let rows = crate::pages::windowed(&state, "evaluations", region, sc, &f, |f| async move {
        browse::evaluations(store, region, sc, &f).await
    })
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(paged(rows, total))
}

/// Next-year budget recommendations for the budget-compilation system (SPEC §10).
pub async fn result_applications(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Response, WebError> {
    let scope = scope(&state, &user).await?;
    let f = q.filter()?;
    let (store, region, sc) = (&state.store, user.region.as_str(), &scope);
    let rows = crate::pages::windowed(
        &state,
        "result_applications",
        region,
        sc,
        &f,
        |f| async move { browse::result_applications(store, region, sc, &f).await },
    )
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(paged(rows, total))
}

pub async fn rectifications(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Response, WebError> {
    let scope = scope(&state, &user).await?;
    let f = q.filter()?;
    let (store, region, sc) = (&state.store, user.region.as_str(), &scope);
    let rows = crate::pages::windowed(&state, "rectifications", region, sc, &f, |f| async move {
        browse::rectifications(store, region, sc, &f).await
    })
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(paged(rows, total))
}

pub async fn docs() -> Result<axum::response::Html<String>, WebError> {
    #[derive(askama::Template)]
    #[template(path = "api_docs.html")]
    struct Docs;
    crate::pages::render(&Docs)
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::Access;
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(
        Method::POST,
        "/api/v1/auth/login",
        Access::Public,
        post(login),
    )
    .add(
        Method::POST,
        "/api/v1/auth/logout",
        Access::AnyUser,
        post(logout),
    )
    .add(
        Method::GET,
        "/api/v1/projects",
        Access::AnyUser,
        get(projects),
    )
    .add(
        Method::GET,
        "/api/v1/projects/{id}",
        Access::AnyUser,
        get(project),
    )
    .add(Method::GET, "/api/docs", Access::Public, get(docs))
    .add(
        Method::GET,
        "/api/v1/targets",
        Access::AnyUser,
        get(targets),
    )
    .add(
        Method::GET,
        "/api/v1/monitoring-reports",
        Access::AnyUser,
        get(monitoring_reports),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations",
        Access::AnyUser,
        get(evaluations),
    )
    .add(
        Method::GET,
        "/api/v1/rectifications",
        Access::AnyUser,
        get(rectifications),
    )
    .add(
        Method::GET,
        "/api/v1/result-applications",
        Access::AnyUser,
        get(result_applications),
    )
}
