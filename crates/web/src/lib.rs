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
pub mod cache;
pub mod error;
mod guards;
pub mod idempotency;
mod layout;
pub mod login_guard;
mod pages;
pub mod throttle;

use access::{Access, Matrix};
use auth::{CurrentUser, SessionInfo};
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use error::{ErrorInfo, WebError};
use futures_util::FutureExt;
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
    /// Bounds on login attempts and password verifications (issue 13).
    pub login_limits: login_guard::GuardLimits,
    /// Bounds on imports per user and imports running at once (issue 13).
    pub import_limits: throttle::ImportLimits,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub matrix: Arc<Matrix>,
    pub guard: Arc<login_guard::LoginGuard>,
    pub imports: Arc<throttle::ImportGuard>,
    /// Roll-ups of regions over the regions below them, by (region, year).
    pub rollups: Arc<cache::Rollups>,
    /// The years of a region's subtree, by region.
    pub subtree_years: Arc<cache::VersionedCache<String, jixiao_store::years::Years>>,
    /// How many rows the record lists' filters select, by database version.
    pub totals: Arc<cache::Totals>,
}

/// The application: routes, their access rows, and the layers.
pub fn router(store: Store, config: WebConfig) -> Router {
    let (routes, matrix) = pages::routes().finish();
    let state = AppState {
        store,
        guard: Arc::new(login_guard::LoginGuard::new(config.login_limits.clone())),
        imports: Arc::new(throttle::ImportGuard::new(config.import_limits.clone())),
        rollups: Arc::default(),
        subtree_years: Arc::default(),
        totals: Arc::default(),
        config: Arc::new(config),
        matrix,
    };
    routes
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            guards::enforce_access,
        ))
        .fallback(|| async { WebError::NotFound("页面不存在".into()) })
        .layer(middleware::from_fn(guards::input_guard))
        .layer(middleware::from_fn(guards::csrf_guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guards::audit_denials,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), load_session))
        .layer(middleware::from_fn(frame))
        .with_state(state)
}

/// The routes and who may call them (for tests and documentation).
pub fn route_matrix() -> Arc<Matrix> {
    pages::routes().finish().1
}

/// The client's address, when the server was started with connect info. Behind the reverse
/// proxy the README prescribes (on the same host), every connection comes from loopback; the
/// proxy's `X-Forwarded-For` (its last entry, the address the proxy itself saw) or `X-Real-IP`
/// then names the client, so the login throttle and the audit log see real addresses rather
/// than one shared 127.0.0.1. A client connecting directly is never loopback, so it cannot
/// choose its address with these headers.
pub fn client_ip(req: &Request) -> String {
    address(req.extensions(), req.headers())
}

fn address(extensions: &axum::http::Extensions, headers: &axum::http::HeaderMap) -> String {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    forwarded_client(peer, headers)
        .or(peer)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

fn forwarded_client(
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
) -> Option<std::net::IpAddr> {
    if !peer.is_some_and(|p| p.is_loopback()) {
        return None;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("x-forwarded-for")
        .and_then(|v| v.rsplit(',').next())
        .or_else(|| header("x-real-ip"))
        .and_then(|v| v.trim().parse().ok())
}

/// Request ID, security headers on every response (SPEC §17), and rendering of errors as pages
/// or JSON.
async fn frame(req: Request, next: Next) -> Response {
    let request_id = jixiao_store::sessions::new_secret()[..16].to_string();
    let wants_json = req.uri().path().starts_with("/api/");
    // A panic in a handler is a 500 with the request id, never a dropped connection (issue 13).
    let mut res = match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(res) => res,
        Err(_) => WebError::Internal("处理请求时程序出现异常".into()).into_response(),
    };
    // axum's own rejections (a malformed path, query, form or JSON body; a wrong method) come as
    // English plain text: answer them in Chinese like every other error (issue 13).
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if plain && res.extensions().get::<ErrorInfo>().is_none() {
        let status = res.status();
        if let Some(message) = error::rejection_message(status) {
            res.extensions_mut().insert(ErrorInfo {
                status,
                message: message.to_string(),
                fields: Vec::new(),
            });
        }
    }
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
        let requested_region = if is_api {
            req.headers()
                .get(auth::REGION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        } else {
            None
        };
        match auth::load(
            &state,
            &secret,
            &state.config.policy,
            requested_region.as_deref(),
        )
        .await
        {
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
        Ok(ClientIp(address(&parts.extensions, &parts.headers)))
    }
}

/// Status codes the pages use for redirects after a POST.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

#[cfg(test)]
mod tests {
    use super::frame;
    use crate::guards::tokens_match;
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    async fn body(res: axum::response::Response) -> String {
        String::from_utf8_lossy(
            &axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap(),
        )
        .into_owned()
    }

    /// Issue 13: a panic answers a Chinese 500 with the request id; axum's rejections answer
    /// in Chinese (HTML for pages, JSON under /api/).
    #[tokio::test]
    async fn panics_and_rejections_answer_in_chinese() {
        async fn boom() -> &'static str {
            panic!("boom")
        }
        async fn number(axum::extract::Path(n): axum::extract::Path<i64>) -> String {
            n.to_string()
        }
        let app = Router::new()
            .route("/boom", get(boom))
            .route("/n/{n}", get(number))
            .route("/api/n/{n}", get(number))
            .layer(axum::middleware::from_fn(frame));
        let res = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let text = body(res).await;
        assert!(text.contains("服务器内部错误"), "{text}");
        assert!(!text.contains("boom"));
        let res = app
            .clone()
            .oneshot(Request::get("/n/abc").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let text = body(res).await;
        assert!(
            text.contains("请求格式有误") && text.contains("lang=\"zh-CN\""),
            "{text}"
        );
        let res = app
            .clone()
            .oneshot(Request::get("/api/n/abc").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let json: serde_json::Value = serde_json::from_str(&body(res).await).unwrap();
        assert_eq!(json["error"], "请求格式有误");
        let res = app
            .oneshot(Request::post("/n/1").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(body(res).await.contains("不支持该请求方法"));
    }

    #[test]
    fn the_proxys_forwarded_address_counts_only_from_loopback() {
        use super::forwarded_client;
        use axum::http::HeaderMap;
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 10.1.2.3".parse().unwrap());
        let loopback = Some("127.0.0.1".parse().unwrap());
        let outside = Some("10.9.9.9".parse().unwrap());
        // The last entry is what the proxy saw; earlier ones are the client's own claims.
        assert_eq!(forwarded_client(loopback, &h), "10.1.2.3".parse().ok());
        assert_eq!(
            forwarded_client(outside, &h),
            None,
            "a direct client cannot choose"
        );
        assert_eq!(forwarded_client(None, &h), None);
        let mut r = HeaderMap::new();
        r.insert("x-real-ip", "10.4.5.6".parse().unwrap());
        assert_eq!(forwarded_client(loopback, &r), "10.4.5.6".parse().ok());
        let mut bad = HeaderMap::new();
        bad.insert("x-forwarded-for", "not-an-address".parse().unwrap());
        assert_eq!(forwarded_client(loopback, &bad), None);
    }

    #[test]
    fn csrf_tokens_match_only_exactly() {
        assert!(tokens_match(Some("abc123"), Some("abc123")));
        assert!(!tokens_match(Some("abc124"), Some("abc123")));
        assert!(!tokens_match(Some("abc12"), Some("abc123")));
        assert!(!tokens_match(None, Some("abc123")));
        assert!(!tokens_match(Some("abc123"), None));
        assert!(!tokens_match(None, None), "no session token: refused");
    }
}
