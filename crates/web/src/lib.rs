//! The web layer of Jixiao. This foundation version serves a status page and the annual report
//! (HTML and .docx); logins, roles, forms and dashboards arrive with the web application issue.
//! Every response carries the security headers of SPEC §17.

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use jixiao_domain::report::annual;
use jixiao_store::{Store, StoreError};
use std::sync::Arc;

/// One demo login shown on the status page: username, role label, description.
pub type DemoLogin = (String, String, String);

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Set in demo mode only: the demo logins and their password.
    pub demo: Option<Arc<(Vec<DemoLogin>, String)>>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(status))
        .route("/healthz", get(|| async { "ok" }))
        .route("/report/annual/{region}/{year}", get(report_html))
        .route("/report/annual/{region}/{year}/docx", get(report_docx))
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// SPEC §17: headers on every response, errors and 404s included.
async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Errors of this layer as responses: a Chinese message, never internals.
pub enum WebError {
    NotFound(String),
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => WebError::NotFound(what),
            other => {
                tracing::error!(error = %other, "store error");
                WebError::Internal("服务器内部错误，请稍后重试或联系系统管理员".into())
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            WebError::NotFound(what) => (StatusCode::NOT_FOUND, format!("未找到：{what}")),
            WebError::Internal(text) => (StatusCode::INTERNAL_SERVER_ERROR, text),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            text,
        };
        (status, Html(page.render().unwrap_or_default())).into_response()
    }
}

#[derive(Template)]
#[template(
    source = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{{ status }}</title></head><body><h1>{{ status }}</h1><p>{{ text }}</p><p><a href=\"/\">返回首页</a></p></body></html>",
    ext = "html"
)]
struct ErrorPage {
    status: u16,
    text: String,
}

async fn not_found() -> WebError {
    WebError::NotFound("页面不存在".into())
}

struct YearRow {
    year: i32,
    projects: i64,
    targets: i64,
}

struct RegionRow {
    code: String,
    name: String,
    years: Vec<YearRow>,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    regions: Vec<RegionRow>,
    demo: bool,
    demo_password: String,
    logins: Vec<DemoLogin>,
}

async fn status(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let mut regions = Vec::new();
    for r in jixiao_store::report::regions_with_data(&state.store).await? {
        let years = jixiao_store::report::year_counts(&state.store, &r.code)
            .await?
            .into_iter()
            .map(|(year, projects, targets)| YearRow {
                year,
                projects,
                targets,
            })
            .collect();
        regions.push(RegionRow {
            code: r.code,
            name: r.name,
            years,
        });
    }
    let (logins, password) = state
        .demo
        .as_deref()
        .map(|(l, p)| (l.clone(), p.clone()))
        .unwrap_or_default();
    let page = StatusPage {
        regions,
        demo: state.demo.is_some(),
        demo_password: password,
        logins,
    };
    page.render()
        .map(Html)
        .map_err(|e| WebError::Internal(format!("页面渲染失败：{e}")))
}

async fn figures_document(
    state: &AppState,
    region: &str,
    year: i32,
) -> Result<jixiao_domain::report::Document, WebError> {
    let figures = jixiao_store::report::annual_figures(&state.store, region, year).await?;
    let narrative = jixiao_store::narratives::for_year(&state.store, region, year).await?;
    Ok(annual::compose(&figures, &narrative))
}

async fn report_html(
    State(state): State<AppState>,
    Path((region, year)): Path<(String, i32)>,
) -> Result<Html<String>, WebError> {
    let doc = figures_document(&state, &region, year).await?;
    Ok(Html(jixiao_forms::render::to_html(&doc)))
}

async fn report_docx(
    State(state): State<AppState>,
    Path((region, year)): Path<(String, i32)>,
) -> Result<Response, WebError> {
    let doc = figures_document(&state, &region, year).await?;
    let bytes =
        jixiao_forms::render::to_docx(&doc).map_err(|e| WebError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"annual-report-{region}-{year}.docx\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}
