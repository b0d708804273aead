//! The web layer of Jixiao (SPEC §16, §17): pages and the JSON API over one router.
//!
//! Layers, outermost first: request ID, security headers and error rendering → session loading
//! (cookie or bearer token) → CSRF check on every non-GET browser request → the access matrix
//! (route × role, [`access`]) → handlers. Handlers are thin: extract, call the operations of
//! `jixiao_app` (or, for lists, ask the store with the user's data scope), render.

// The OpenAPI document is one large `serde_json::json!` literal.
#![recursion_limit = "512"]

pub mod access;
pub mod assets;
pub mod auth;
pub mod error;
mod layout;
mod pages;

use access::{Access, Matrix};
use auth::{CurrentUser, SessionInfo};
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use error::{ErrorInfo, WebError};
use jixiao_domain::password::LoginPolicy;
use jixiao_store::Store;
use std::sync::Arc;

/// One demo login shown on the login page in demo mode: username, role label, description.
pub type DemoLogin = (String, String, String);

/// Settings of the web layer.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    pub policy: LoginPolicy,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Demo mode: the demo logins and their password, shown on the login page.
    pub demo: Option<(Vec<DemoLogin>, String)>,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub matrix: Arc<Matrix>,
}

/// The application: routes, their access rows, and the layers.
pub fn router(store: Store, config: WebConfig) -> Router {
    let (routes, matrix) = pages::routes().finish();
    let state = AppState {
        store,
        config: Arc::new(config),
        matrix,
    };
    routes
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            enforce_access,
        ))
        .fallback(|| async { WebError::NotFound("页面不存在".into()) })
        .layer(middleware::from_fn_with_state(state.clone(), csrf_guard))
        .layer(middleware::from_fn_with_state(state.clone(), load_session))
        .layer(middleware::from_fn(frame))
        .with_state(state)
}

/// The routes and who may call them (for tests and documentation).
pub fn route_matrix() -> Arc<Matrix> {
    pages::routes().finish().1
}

/// The client's address, when the server was started with connect info.
pub fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// Request ID, security headers on every response (SPEC §17), and rendering of errors as pages
/// or JSON.
async fn frame(req: Request, next: Next) -> Response {
    let request_id = jixiao_store::sessions::new_secret()[..16].to_string();
    let wants_json = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if let Some(info) = res.extensions().get::<ErrorInfo>().cloned() {
        let headers = std::mem::take(res.headers_mut());
        res = error::render(&info, &request_id, wants_json);
        for (k, v) in headers.iter() {
            if k == header::SET_COOKIE || k == header::LOCATION {
                res.headers_mut().append(k, v.clone());
            }
        }
    }
    let h = res.headers_mut();
    // No inline script anywhere; inline *styles* are allowed because ECharts positions its
    // tooltips with them.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        ),
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
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    res
}

/// Loads the session from the cookie, or the API token from `Authorization: Bearer`.
async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    if req.uri().path().starts_with("/assets/") {
        // Static files need no session: skip the database round trip.
        return next.run(req).await;
    }
    let is_api = req.uri().path().starts_with("/api/");
    // The API authenticates by bearer token only, so a browser's cookie cannot be used against
    // it from another site; pages use the cookie only.
    let secret = if is_api {
        bearer
    } else {
        auth::cookie(req.headers(), auth::COOKIE)
    };
    if let Some(secret) = secret {
        match auth::load(&state, &secret, &state.config.policy).await {
            Ok(Some(info)) => {
                if is_api && info.user.as_ref().is_some_and(|u| !u.api) {
                    // A browser session id presented as a bearer token is not an API token.
                } else {
                    req.extensions_mut().insert(info);
                }
            }
            Ok(None) => {}
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

/// SPEC §17 CSRF: every state-changing browser request must carry the session's token (form
/// field `csrf` or header `X-CSRF-Token`) and must not come from another site.
async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let ip = client_ip(&req);
    let cross_site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v != "same-origin" && v != "none");
    let origin_mismatch = match (
        req.headers().get(header::ORIGIN),
        req.headers().get(header::HOST),
    ) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let host = host.to_str().unwrap_or_default();
            origin.split_once("://").map(|(_, h)| h) != Some(host)
        }
        _ => false,
    };
    let session = req.extensions().get::<SessionInfo>().cloned();
    let header_token = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let session_token = session.as_ref().map(|s| s.csrf.clone());
    let user = session.as_ref().and_then(|s| s.user.clone());
    let refuse = async |path: &str| {
        let _ = audit_denial(&state, user.as_ref(), &ip, path, "csrf").await;
        WebError::Forbidden.into_response()
    };
    if cross_site || origin_mismatch {
        return refuse(req.uri().path()).await;
    }
    // File uploads are streamed to the handler, not buffered here: a plain HTML form cannot
    // set a header, so its token travels in the query (`?csrf=…`, same-origin only).
    if content_type.starts_with("multipart/form-data") {
        let query_token = req.uri().query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
        });
        let token = header_token.or(query_token);
        if session_token.is_none() || token != session_token {
            return refuse(req.uri().path()).await;
        }
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, 2 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return WebError::BadRequest(vec![(String::new(), "请求内容过大".into())])
                .into_response();
        }
    };
    let form_token = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
    } else {
        None
    };
    let token = header_token.or(form_token);
    if session_token.is_none() || token != session_token {
        return refuse(parts.uri.path()).await;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The access matrix, applied to the matched route.
async fn enforce_access(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let access = state.matrix.lookup(req.method(), &path);
    let is_api = path.starts_with("/api/");
    let ip = client_ip(&req);
    let user = req
        .extensions()
        .get::<SessionInfo>()
        .and_then(|s| s.user.clone());
    match (access, user) {
        // A route without a row is refused for everyone (a test makes sure none exists).
        (None, user) => {
            let _ = audit_denial(&state, user.as_ref(), &ip, &path, "unlisted route").await;
            WebError::Forbidden.into_response()
        }
        (Some(Access::Public), _) => next.run(req).await,
        (Some(_), None) => {
            if is_api {
                WebError::Unauthorized.into_response()
            } else if req.method() == Method::GET {
                let next_path = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let encoded: String =
                    form_urlencoded::byte_serialize(next_path.as_bytes()).collect();
                Redirect::to(&format!("/login?next={encoded}")).into_response()
            } else {
                WebError::Unauthorized.into_response()
            }
        }
        (Some(access), Some(user)) => {
            if user.must_change_password && !path.starts_with("/password") && path != "/logout" {
                return if is_api {
                    WebError::BadRequest(vec![(String::new(), "须先修改密码".into())])
                        .into_response()
                } else {
                    Redirect::to("/password").into_response()
                };
            }
            if access.allows(&user.roles) {
                next.run(req).await
            } else {
                let _ = audit_denial(&state, Some(&user), &ip, &path, "role").await;
                WebError::Forbidden.into_response()
            }
        }
    }
}

/// Appends one audit entry in a transaction of its own, for events that change nothing else
/// (logins, denials, exports); changes write their entry in their own transaction instead.
async fn append_alone(
    state: &AppState,
    entry: &jixiao_store::audit::Entry<'_>,
) -> Result<(), WebError> {
    let mut tx = state.store.begin().await?;
    jixiao_store::audit::append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a login-related event for a stored user (or an unknown username) in the audit log.
pub async fn audit_event(
    state: &AppState,
    user: Option<&jixiao_store::users::User>,
    ip: &str,
    action: &str,
    object_kind: &str,
    object_id: &str,
    detail: &str,
) -> Result<(), WebError> {
    append_alone(
        state,
        &jixiao_store::audit::Entry {
            user_id: user.map(|u| u.id),
            username: user.map(|u| u.username.as_str()).unwrap_or(object_id),
            ip,
            action,
            object_kind,
            object_id,
            after_json: detail,
            ..Default::default()
        },
    )
    .await
}

/// Records an event of the logged-in user (logout, export) in the audit log.
pub async fn audit_user(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    action: &str,
    object_kind: &str,
    object_id: &str,
    detail: &str,
) -> Result<(), WebError> {
    append_alone(
        state,
        &jixiao_store::audit::Entry {
            user_id: Some(user.id),
            username: &user.username,
            role: user.main_role().code(),
            ip,
            action,
            object_kind,
            object_id,
            after_json: detail,
            ..Default::default()
        },
    )
    .await
}

/// Records a permission denial (SPEC §17).
pub async fn audit_denial(
    state: &AppState,
    user: Option<&CurrentUser>,
    ip: &str,
    path: &str,
    why: &str,
) -> Result<(), WebError> {
    append_alone(
        state,
        &jixiao_store::audit::Entry {
            user_id: user.map(|u| u.id),
            username: user.map(|u| u.username.as_str()).unwrap_or(""),
            role: user.map(|u| u.main_role().code()).unwrap_or(""),
            ip,
            action: "access.denied",
            object_kind: "route",
            object_id: path,
            after_json: why,
            ..Default::default()
        },
    )
    .await
}

impl axum::extract::FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionInfo>()
            .and_then(|s| s.user.clone())
            .ok_or(WebError::Unauthorized)
    }
}

/// The client's address as an extractor (empty when the server runs without connect info).
pub struct ClientIp(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default(),
        ))
    }
}

/// Status codes the pages use for redirects after a POST.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}
