//! Login, logout and password change (SPEC §17).

use crate::auth::{self, CurrentUser, LOGIN_FAILED, SessionInfo};
use crate::error::WebError;
use crate::pages::render;
use crate::{AppState, audit_event, audit_user, client_ip, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// A demo login shown on the login page: its username, role label and description.
struct DemoLoginView {
    username: String,
    role: String,
    description: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    message: Option<String>,
    demo_logins: Vec<DemoLoginView>,
    demo_password: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after logging in: a path on this site only (no open redirect). Browsers drop tabs
/// and newlines from a `Location` and read `\` as `/`, so `/\t/evil-host/x` would leave the site (issue 13):
/// any control character, whitespace or backslash refuses the target, as does `//`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn login_page(
    state: &AppState,
    csrf: String,
    next: String,
    username: String,
    message: Option<String>,
) -> Result<axum::response::Html<String>, WebError> {
    let (demo_logins, demo_password) = state.config.demo.clone().unwrap_or_default();
    render(&LoginPage {
        csrf,
        next,
        username,
        message,
        demo_logins: demo_logins
            .into_iter()
            .map(|(username, role, description)| DemoLoginView {
                username,
                role,
                description,
            })
            .collect(),
        demo_password,
    })
}

/// The login form. An anonymous session carries the form's CSRF token.
pub async fn form(
    State(state): State<AppState>,
    session: Option<Extension<SessionInfo>>,
    Query(q): Query<NextQuery>,
    req: Request,
) -> Result<Response, WebError> {
    let next = safe_next(q.next.as_deref());
    if let Some(Extension(s)) = &session {
        if s.user.is_some() {
            return Ok(see_other(&next));
        }
        return Ok(login_page(&state, s.csrf.clone(), next, String::new(), None)?.into_response());
    }
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (secret, csrf) =
        jixiao_store::sessions::create(&state.store, None, "browser", &client_ip(&req), ua).await?;
    let page = login_page(&state, csrf, next, String::new(), None)?;
    Ok((
        [(
            header::SET_COOKIE,
            auth::session_cookie(&secret, state.config.secure_cookies),
        )],
        page,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    req: Request,
) -> Result<Response, WebError> {
    let ip = client_ip(&req);
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let axum::extract::Form(form) = axum::extract::Form::<LoginForm>::from_request(req, &state)
        .await
        .map_err(|_| WebError::BadRequest(vec![(String::new(), "请填写用户名和密码".into())]))?;
    let next = safe_next(form.next.as_deref());
    let outcome = match auth::authenticate(&state, &form.username, &form.password, &ip).await {
        Ok(user) => Ok(user),
        // Throttled: the same form, with the reason, and 429.
        Err(e @ WebError::TooManyRequests) => Err(e),
        Err(other) => return Err(other),
    };
    let Ok(Some(user)) = outcome else {
        let (status, message) = match outcome {
            Err(e) => (axum::http::StatusCode::TOO_MANY_REQUESTS, e.message()),
            _ => (
                axum::http::StatusCode::UNAUTHORIZED,
                LOGIN_FAILED.to_string(),
            ),
        };
        let page = login_page(
            &state,
            session.csrf.clone(),
            next,
            form.username.clone(),
            Some(message),
        )?;
        return Ok((status, page).into_response());
    };
    // A new session id at login (SPEC §17): the anonymous one is dropped.
    jixiao_store::sessions::delete(&state.store, &session.secret).await?;
    let (secret, _) =
        jixiao_store::sessions::create(&state.store, Some(user.id), "browser", &ip, &ua).await?;
    audit_event(
        &state,
        Some(&user),
        &ip,
        "login.success",
        "user",
        &user.username,
        "",
    )
    .await?;
    let to = if user.must_change_password {
        "/password".to_string()
    } else {
        next
    };
    let mut res = see_other(&to);
    if let Ok(v) = auth::session_cookie(&secret, state.config.secure_cookies).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    req: Request,
) -> Result<Response, WebError> {
    jixiao_store::sessions::delete(&state.store, &session.secret).await?;
    audit_user(
        &state,
        &user,
        &client_ip(&req),
        "logout",
        "user",
        &user.username,
        "",
    )
    .await?;
    let mut res = see_other("/login");
    if let Ok(v) = auth::clear_cookie(state.config.secure_cookies).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    csrf: String,
    forced: bool,
    messages: Vec<String>,
}

pub async fn password_form(
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<axum::response::Html<String>, WebError> {
    render(&PasswordPage {
        csrf: session.csrf,
        forced: user.must_change_password,
        messages: vec![],
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new_password: String,
    confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    req: Request,
) -> Result<Response, WebError> {
    let ip = client_ip(&req);
    let axum::extract::Form(form) = axum::extract::Form::<PasswordForm>::from_request(req, &state)
        .await
        .map_err(|_| WebError::BadRequest(vec![(String::new(), "请完整填写表单".into())]))?;
    let record = jixiao_store::users::by_id(&state.store, user.id)
        .await?
        .ok_or(WebError::Unauthorized)?;
    let mut messages = Vec::new();
    let hash = record.password_hash.clone();
    let current = form.current.clone();
    let ok =
        tokio::task::spawn_blocking(move || jixiao_store::users::verify_password(&current, &hash))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
    if !ok {
        messages.push("原密码不正确".to_string());
    }
    if form.new_password != form.confirm {
        messages.push("两次输入的新密码不一致".to_string());
    }
    if form.new_password == form.current {
        messages.push(jixiao_domain::password::PasswordProblem::Unchanged.to_string());
    }
    if let Err(problems) =
        jixiao_domain::password::check(&state.config.policy, &user.username, &form.new_password)
    {
        messages.extend(problems.iter().map(|p| p.to_string()));
    } else if ok && form.new_password != form.current {
        // Not one of the last five passwords (issue 13); only the hashes are kept.
        let history = jixiao_domain::password::HISTORY;
        let hashes =
            jixiao_store::users::recent_password_hashes(&state.store, user.id, history).await?;
        let candidate = form.new_password.clone();
        let reused = tokio::task::spawn_blocking(move || {
            hashes
                .iter()
                .any(|h| jixiao_store::users::verify_password(&candidate, h))
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
        if reused {
            messages.push(jixiao_domain::password::PasswordProblem::Reused(history).to_string());
        }
    }
    if !messages.is_empty() {
        let page = render(&PasswordPage {
            csrf: session.csrf,
            forced: user.must_change_password,
            messages,
        })?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let new_password = form.new_password.clone();
    let new_hash =
        tokio::task::spawn_blocking(move || jixiao_store::users::hash_password(&new_password))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))??;
    let mut tx = state.store.begin().await?;
    jixiao_store::users::set_password(&mut tx, user.id, &new_hash, false).await?;
    jixiao_store::audit::append(
        &mut tx,
        &jixiao_store::audit::Entry {
            user_id: Some(user.id),
            username: &user.username,
            role: user.main_role().code(),
            ip: &ip,
            action: "password.change",
            object_kind: "user",
            object_id: &user.username,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    // Every other session of the user ends; this one continues under a new id.
    jixiao_store::sessions::delete_for_user(&state.store, user.id).await?;
    let (secret, _) =
        jixiao_store::sessions::create(&state.store, Some(user.id), "browser", &ip, "").await?;
    let mut res = see_other("/");
    if let Ok(v) = auth::session_cookie(&secret, state.config.secure_cookies).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

use axum::extract::FromRequest;

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::Access;
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(Method::GET, "/login", Access::Public, get(form))
        .add(Method::POST, "/login", Access::Public, post(submit))
        .add(Method::POST, "/logout", Access::AnyUser, post(logout))
        .add(
            Method::GET,
            "/password",
            Access::AnyUser,
            get(password_form),
        )
        .add(
            Method::POST,
            "/password",
            Access::AnyUser,
            post(password_submit),
        )
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_redirects() {
        assert_eq!(
            safe_next(Some("/projects?year=2023")),
            "/projects?year=2023"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // issue 13: browsers strip the tab and land on //evil-host.
        assert_eq!(safe_next(Some("/\t/evil-host/x")), "/");
        assert_eq!(safe_next(Some("/\n/evil-host/x")), "/");
        assert_eq!(safe_next(Some("/\\evil-host/x")), "/");
        assert_eq!(safe_next(Some("/ /evil-host")), "/");
        assert_eq!(safe_next(Some("/\u{2028}/evil")), "/");
    }
}
