//! The guards every request passes (SPEC §17, issue 13): the access matrix on the matched
//! route, CSRF on state-changing browser requests, text input checked once for control
//! characters and invalid UTF-8, and the audit entry of every denial.

use super::*;

/// Why a request was denied, for the audit entry the denial layer writes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Denial(&'static str);

/// A 403 from a guard, with the reason the audit entry records.
pub(crate) fn denied(why: &'static str) -> Response {
    let mut res = WebError::Forbidden.into_response();
    res.extensions_mut().insert(Denial(why));
    res
}

/// Writes one audit entry for every 403 (SPEC §17: the audit log records every permission
/// denial): a guard's (CSRF, the access matrix), a record out of the user's sight, or an action
/// the user's role may not take (issue 13). A denial that cannot be recorded is not answered as
/// if it had been: the client gets the error instead.
pub(crate) async fn audit_denials(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let user = req
        .extensions()
        .get::<SessionInfo>()
        .and_then(|s| s.user.clone());
    let ip = client_ip(&req);
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if res.status() != StatusCode::FORBIDDEN {
        return res;
    }
    let why = match (
        res.extensions().get::<Denial>(),
        res.extensions().get::<ErrorInfo>(),
    ) {
        (Some(d), _) => d.0.to_string(),
        (None, Some(info)) => format!("record: {}", info.message),
        (None, None) => "record".to_string(),
    };
    match audit_denial(&state, user.as_ref(), &ip, &path, &why).await {
        Ok(()) => res,
        Err(e) => e.into_response(),
    }
}

/// SPEC §17 CSRF: every state-changing browser request must carry the session's token (form
/// field `csrf` or header `X-CSRF-Token`) and must not come from another site.
pub(crate) async fn csrf_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
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
    if cross_site || origin_mismatch {
        return denied("csrf");
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
        if !tokens_match(token.as_deref(), session_token.as_deref()) {
            return denied("csrf");
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
    if !tokens_match(token.as_deref(), session_token.as_deref()) {
        return denied("csrf");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Why a text value cannot be stored as a person typed it, if it cannot: control characters
/// (NUL was cut off by SQLite and refused by PostgreSQL with a 500) other than tab and line
/// breaks.
pub(crate) fn text_problem(text: &str) -> Option<&'static str> {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .then_some("包含不可见的控制字符")
}

pub(crate) fn json_problem(value: &serde_json::Value) -> Option<&'static str> {
    match value {
        serde_json::Value::String(s) => text_problem(s),
        serde_json::Value::Array(items) => items.iter().find_map(json_problem),
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| text_problem(k).or_else(|| json_problem(v))),
        _ => None,
    }
}

/// Every form field and JSON string of a state-changing request is valid UTF-8 without control
/// characters, checked once here for all handlers (issue 13: invalid UTF-8 was stored as U+FFFD,
/// NUL truncated names). File uploads are checked by their readers.
pub(crate) async fn input_guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 2 * 1024 * 1024).await else {
        return WebError::BadRequest(vec![(String::new(), "请求内容过大".into())]).into_response();
    };
    let problem = if form {
        bytes.split(|b| *b == b'&').find_map(|pair| {
            let decoded: Vec<u8> = percent_encoding::percent_decode(
                &pair
                    .iter()
                    .map(|b| if *b == b'+' { b' ' } else { *b })
                    .collect::<Vec<u8>>(),
            )
            .collect();
            match std::str::from_utf8(&decoded) {
                Ok(text) => text_problem(text),
                Err(_) => Some("包含无效的字符编码（应为 UTF-8）"),
            }
        })
    } else {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| json_problem(&v))
    };
    if let Some(problem) = problem {
        return WebError::BadRequest(vec![(String::new(), format!("提交的内容{problem}"))])
            .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether the request's CSRF token is the session's, compared in constant time so the
/// comparison does not reveal how much of a guess was right (issue 13).
pub(crate) fn tokens_match(sent: Option<&str>, expected: Option<&str>) -> bool {
    let (Some(sent), Some(expected)) = (sent, expected) else {
        return false;
    };
    let (a, b) = (sent.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The access matrix, applied to the matched route.
pub(crate) async fn enforce_access(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let access = state.matrix.lookup(req.method(), &path);
    let is_api = path.starts_with("/api/");
    let user = req
        .extensions()
        .get::<SessionInfo>()
        .and_then(|s| s.user.clone());
    match (access, user) {
        // A route without a row is refused for everyone (a test makes sure none exists).
        (None, _) => denied("unlisted route"),
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
                denied("role")
            }
        }
    }
}
