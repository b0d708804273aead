//! Errors of the web layer as responses (SPEC §16, §17): a Chinese page or JSON body with the
//! request ID, never a stack trace, SQL or the existence of a record the user may not see.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jixiao_app::AppError;
use jixiao_store::StoreError;

#[derive(Debug)]
pub enum WebError {
    /// Not logged in (API: 401; pages redirect to the login page before getting here).
    Unauthorized,
    /// A login attempt failed: one answer whatever the cause (SPEC §17).
    LoginFailed,
    /// Logged in but not allowed; says nothing about the record.
    Forbidden,
    /// The user's role may not take this action at all; says which party does (403).
    Denied(String),
    NotFound(String),
    /// Invalid input, with field-level messages.
    BadRequest(Vec<(String, String)>),
    /// A request that no form of ours sends (a missing or garbled hidden field): 400.
    Malformed(String),
    Conflict(String),
    /// Too many login attempts from one address, or too many logins in progress (issue 13).
    TooManyRequests,
    /// Another bound was reached (imports per user, imports running at once): 429 with why.
    Busy(String),
    Internal(String),
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized | WebError::LoginFailed => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Denied(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Malformed(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests | WebError::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> String {
        match self {
            WebError::Unauthorized => "请先登录".into(),
            WebError::LoginFailed => crate::auth::LOGIN_FAILED.into(),
            WebError::Forbidden => "没有权限访问该页面或记录".into(),
            WebError::NotFound(what) => format!("未找到：{what}"),
            WebError::BadRequest(fields) => fields
                .iter()
                .map(|(f, m)| {
                    if f.is_empty() {
                        m.clone()
                    } else {
                        format!("{f}：{m}")
                    }
                })
                .collect::<Vec<_>>()
                .join("；"),
            WebError::Conflict(m) | WebError::Denied(m) => m.clone(),
            WebError::Malformed(m) => m.clone(),
            WebError::TooManyRequests => "登录尝试过于频繁，请稍后再试".into(),
            WebError::Busy(why) => why.clone(),
            WebError::Internal(_) => "服务器内部错误，请稍后重试或联系系统管理员".into(),
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => WebError::NotFound(what),
            StoreError::Conflict => WebError::Conflict("记录已被他人修改，请刷新后重试".into()),
            StoreError::Refused(why) => WebError::Conflict(why),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(problems) => {
                WebError::BadRequest(problems.into_iter().map(|p| (p.field, p.message)).collect())
            }
            AppError::Forbidden => WebError::Forbidden,
            AppError::Denied(message) => WebError::Denied(message),
            AppError::NotFound(what) => WebError::NotFound(what),
            AppError::Refused(message) => WebError::Conflict(message),
            AppError::Stale => WebError::Conflict(AppError::Stale.to_string()),
            AppError::Store(e) => e.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
}

/// Marks a 403 whose denial is already in the audit log, so that the denial layer does not
/// write it twice (issue 13: every denial is audited once).
#[derive(Clone, Copy, Debug)]
pub struct DenialAudited;

/// Marks an error response so that the outer layer can add the request ID and choose JSON or
/// HTML by the request.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub message: String,
    pub fields: Vec<(String, String)>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let WebError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let fields = match &self {
            WebError::BadRequest(f) => f.clone(),
            _ => Vec::new(),
        };
        let info = ErrorInfo {
            status,
            message: self.message(),
            fields,
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(info);
        res
    }
}

/// The Chinese answer to a status axum's extractors and router give on their own (a path that
/// does not parse, a bad query or body, a wrong method), or `None` for other statuses.
pub fn rejection_message(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        400 => "请求格式有误",
        405 => "不支持该请求方法",
        411 => "请求缺少内容长度",
        413 => "请求内容过大",
        414 => "请求地址过长",
        415 => "不支持该内容类型",
        422 => "请求内容有误",
        431 => "请求头过大",
        _ => return None,
    })
}

/// Renders an error as the page or JSON the client expects; `request_id` ties it to the log.
pub fn render(info: &ErrorInfo, request_id: &str, wants_json: bool) -> Response {
    if wants_json {
        let fields: serde_json::Map<String, serde_json::Value> = info
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        return (
            info.status,
            Json(serde_json::json!({
                "error": info.message,
                "fields": fields,
                "request_id": request_id,
            })),
        )
            .into_response();
    }
    let title = match info.status.as_u16() {
        401 => "请先登录",
        403 => "没有权限",
        404 => "页面不存在",
        400 | 405 | 411 | 413 | 414 | 415 | 431 => "请求有误",
        409 => "操作冲突",
        422 => "输入有误",
        429 => "请求过于频繁",
        _ => "系统错误",
    };
    let page = ErrorPage {
        status: info.status.as_u16(),
        title,
        message: format!("{}（请求编号 {request_id}）", info.message),
    };
    (
        info.status,
        Html(page.render().unwrap_or_else(|_| info.message.clone())),
    )
        .into_response()
}
