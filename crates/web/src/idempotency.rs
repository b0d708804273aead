//! `Idempotency-Key` on API writes (issue 13): a client that lost the answer to a POST may send
//! it again with the same key and get the first answer back (`Idempotent-Replayed: true`)
//! instead of a second project, notice or import. The key is per user; reusing it for another
//! request is a 422, and a retry while the first is still running a 409. Only successful
//! answers are kept: after a refusal the client may fix the request and send it with the same
//! key. Requests without the header are not affected.

use crate::AppState;
use crate::auth::SessionInfo;
use crate::error::WebError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jixiao_store::idempotency::{self, Claim};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";

/// The most a request with a key may carry (an import's workbook is at most 10 MiB).
const MAX_REQUEST: usize = 12 * 1024 * 1024;
/// The most of an answer kept for replay; a larger one is passed on and its key released.
const MAX_KEPT: usize = 1024 * 1024;

/// A key as clients make them (a UUID, a hash, a counter): 1 to 255 visible ASCII characters.
fn valid(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let writes = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if !writes || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k) if valid(k) => k.to_string(),
        _ => {
            return WebError::BadRequest(vec![(
                "Idempotency-Key".into(),
                "应为 1 到 255 个可见的 ASCII 字符".into(),
            )])
            .into_response();
        }
    };
    // Keys belong to a user; an anonymous request goes on to be refused by the access check.
    let Some(user_id) = req
        .extensions()
        .get::<SessionInfo>()
        .and_then(|s| s.user.as_ref())
        .map(|u| u.id)
    else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_REQUEST).await {
        Ok(b) => b,
        Err(_) => {
            return WebError::BadRequest(vec![(String::new(), "请求内容过大".into())])
                .into_response();
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(
        parts
            .uri
            .path_and_query()
            .map_or("", |p| p.as_str())
            .as_bytes(),
    );
    hasher.update(b"\n");
    // The content type carries a multipart body's boundary, which a retry may change; the body
    // of a retry is the same bytes only for JSON. Hash the type without its parameters.
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    hasher.update(content_type.as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let fingerprint = format!("{:x}", hasher.finalize());
    match idempotency::claim(&state.store, user_id, &key, &fingerprint).await {
        Err(e) => return WebError::from(e).into_response(),
        Ok(Claim::InFlight) => {
            return WebError::Conflict(
                "使用同一 Idempotency-Key 的请求正在处理，请稍后重试".into(),
            )
            .into_response();
        }
        Ok(Claim::Mismatch) => {
            return WebError::BadRequest(vec![(
                "Idempotency-Key".into(),
                "该键已用于另一个请求，请为新的请求使用新的键".into(),
            )])
            .into_response();
        }
        Ok(Claim::Done {
            status,
            content_type,
            body,
        }) => {
            let mut res = Response::new(Body::from(body));
            *res.status_mut() =
                axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                res.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return res;
        }
        Ok(Claim::Reserved) => {}
    }
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let release = async || {
        if let Err(e) = idempotency::release(&state.store, user_id, &key).await {
            tracing::warn!("releasing an idempotency key failed: {e}");
        }
    };
    if !res.status().is_success() {
        release().await;
        return res;
    }
    // Only an answer of known, modest size is kept (every JSON answer); any other is passed on
    // as it is and the key released, so a retry runs again rather than failing.
    let size = axum::body::HttpBody::size_hint(res.body()).exact();
    if size.is_none_or(|n| n > MAX_KEPT as u64) {
        release().await;
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_KEPT).await {
        Ok(b) => b,
        Err(_) => {
            release().await;
            return WebError::Internal("读取应答失败".into()).into_response();
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Err(e) = idempotency::complete(
        &state.store,
        user_id,
        &key,
        parts.status.as_u16(),
        content_type,
        &bytes,
    )
    .await
    {
        // The work is done and answered; a retry would find the key running until it is
        // abandoned, which is safer than doing the work twice.
        tracing::warn!("keeping an idempotent answer failed: {e}");
    }
    Response::from_parts(parts, Body::from(bytes))
}
