//! Logins and sessions (SPEC §17): Argon2id passwords, lockout after repeated failures with one
//! answer for every kind of failure, idle timeout, a new session id at login, HttpOnly cookies,
//! and bearer tokens for API clients with the same rules.

use crate::error::WebError;
use crate::{AppState, audit_event};
use jixiao_app::User;
use jixiao_domain::password::{self, LoginPolicy};
use jixiao_store::{sessions, users};

pub const COOKIE: &str = "jixiao_sid";

/// The logged-in user of a request: the application's [`User`] (reached through `Deref`: `user.region`,
/// `user.has(..)`, `user.is_finance()`), and what only the web needs to know about the login.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub must_change_password: bool,
    /// Authenticated by a bearer token (API) rather than a browser cookie.
    pub api: bool,
    /// Set when an upper-level user looks into a subordinate region (drill-down, issue 14): the
    /// request then acts as a reader of that region's published material (`user` has the
    /// subordinate region and the viewer role), and this holds who the user is at home.
    pub home: Option<Home>,
    /// Whether the user's home region has regions below it (the roll-up is theirs to read).
    pub oversees: bool,
}

/// An upper-level user's own region and roles, kept while they look into a subordinate region.
#[derive(Debug, Clone)]
pub struct Home {
    pub region: String,
    pub roles: Vec<jixiao_domain::types::Role>,
}

/// The header with which an API client looks into a subordinate region, per request.
pub const REGION_HEADER: &str = "x-jixiao-region";

impl CurrentUser {
    /// The user's own region (not the one looked into).
    pub fn home_region(&self) -> &str {
        self.home
            .as_ref()
            .map_or(self.user.region.as_str(), |h| h.region.as_str())
    }

    /// The user's own roles (not the viewer role of a drill-down).
    pub fn home_roles(&self) -> &[jixiao_domain::types::Role] {
        self.home
            .as_ref()
            .map_or(self.user.roles.as_slice(), |h| h.roles.as_slice())
    }
}

impl std::ops::Deref for CurrentUser {
    type Target = User;

    fn deref(&self) -> &User {
        &self.user
    }
}

/// The session of a request: its secret, CSRF token, and the user if logged in.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub secret: String,
    pub csrf: String,
    pub user: Option<CurrentUser>,
}

/// Reads a cookie from the Cookie header.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The Set-Cookie value for a session secret.
pub fn session_cookie(secret: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Loads the session named by `secret` and its user.
///
/// `requested_region` is an API client's `X-Jixiao-Region`; a browser session keeps its choice
/// in the session. A region below the user's own, asked for by a user who reads region-wide,
/// makes the request a published-material reader of that region; any other region asked for by
/// header is refused, and a stale choice in a session is dropped.
pub async fn load(
    state: &AppState,
    secret: &str,
    policy: &LoginPolicy,
    requested_region: Option<&str>,
) -> Result<Option<SessionInfo>, WebError> {
    let Some(session) = sessions::touch(
        &state.store,
        secret,
        policy.idle_minutes,
        policy.session_hours,
    )
    .await?
    else {
        return Ok(None);
    };
    let user = match session.user_id {
        None => None,
        Some(id) => match users::by_id(&state.store, id).await? {
            Some(u) if !u.disabled => {
                let roles = users::roles(&state.store, u.id).await?;
                let age = (jixiao_store::now() - u.password_changed_at).num_days();
                let oversees =
                    jixiao_store::regions::has_subordinates(&state.store, &u.region_code).await?;
                let mut current = CurrentUser {
                    user: User {
                        id: u.id,
                        username: u.username,
                        display_name: u.display_name,
                        region: u.region_code,
                        roles,
                        unit_id: u.unit_id,
                        agency_id: u.agency_id,
                    },
                    must_change_password: u.must_change_password
                        || password::is_expired(policy, age),
                    api: session.kind == "api",
                    home: None,
                    oversees,
                };
                let wanted = requested_region
                    .map(str::to_string)
                    .or(session.viewing_region.clone());
                if let Some(region) = wanted.filter(|r| *r != current.user.region) {
                    let may = oversees
                        && jixiao_app::regions::may_oversee(&current.user)
                        && jixiao_store::regions::is_below(
                            &state.store,
                            &current.user.region,
                            &region,
                        )
                        .await?;
                    if may {
                        current.home = Some(Home {
                            region: std::mem::replace(&mut current.user.region, region),
                            roles: std::mem::replace(
                                &mut current.user.roles,
                                vec![jixiao_domain::types::Role::Viewer],
                            ),
                        });
                        current.user.unit_id = None;
                        current.user.agency_id = None;
                    } else if requested_region.is_some() {
                        return Err(WebError::Denied(format!(
                            "区划 {region} 不在您的管辖范围内"
                        )));
                    } else {
                        sessions::set_viewing_region(&state.store, secret, None).await?;
                    }
                }
                Some(current)
            }
            _ => None,
        },
    };
    Ok(Some(SessionInfo {
        secret: secret.to_string(),
        csrf: session.csrf_token,
        user,
    }))
}

/// The one answer to every failed login (SPEC §17: unknown user, wrong password and locked
/// account look the same).
pub const LOGIN_FAILED: &str =
    "用户名或密码错误，或账号已被暂时锁定（连续 5 次失败将锁定 15 分钟）";

/// Checks a username and password under the lockout rules; on success returns the user.
///
/// The order matters (issue 13): the address throttle first; then the attempt is counted on the
/// account in one statement, before any verification, so parallel guesses each get their own
/// number and only the first `max_failures` are verified; verification runs in the bounded
/// [`LoginGuard`](crate::login_guard::LoginGuard); a success is accepted only if the account was
/// not locked meanwhile.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<Option<users::User>, WebError> {
    let policy = &state.config.policy;
    if state.guard.admit(ip).is_err() {
        audit_event(
            state,
            None,
            ip,
            "login.throttled",
            "user",
            username,
            "address limit",
        )
        .await?;
        return Err(WebError::TooManyRequests);
    }
    let user = users::by_username(&state.store, username.trim()).await?;
    let Some(user) = user else {
        // Verify even for unknown users, so timing does not reveal which usernames exist.
        let candidate = password.to_string();
        let verified = state
            .guard
            .verify(move |memory| users::verify_password_in(memory, &candidate, DUMMY_HASH))
            .await;
        if verified.is_err() {
            return Err(WebError::TooManyRequests);
        }
        audit_event(
            state,
            None,
            ip,
            "login.failure",
            "user",
            username,
            "unknown user",
        )
        .await?;
        return Ok(None);
    };
    let attempt = users::begin_attempt(&state.store, user.id).await?;
    let now = jixiao_store::now();
    let refused = if attempt.disabled || attempt.locked_until.is_some_and(|t| t > now) {
        Some("locked or disabled")
    } else if attempt.attempts > policy.max_failures {
        // Parallel guesses beyond the allowed number are not verified at all.
        Some("too many attempts in progress")
    } else {
        None
    };
    if let Some(why) = refused {
        audit_event(
            state,
            Some(&user),
            ip,
            "login.refused",
            "user",
            &user.username,
            why,
        )
        .await?;
        return Ok(None);
    }
    let candidate = password.to_string();
    let hash = user.password_hash.clone();
    let verified = match state
        .guard
        .verify(move |memory| users::verify_password_in(memory, &candidate, &hash))
        .await
    {
        Ok(v) => v,
        Err(_) => return Err(WebError::TooManyRequests),
    };
    if !verified {
        audit_event(
            state,
            Some(&user),
            ip,
            "login.failure",
            "user",
            &user.username,
            "wrong password",
        )
        .await?;
        if attempt.attempts >= policy.max_failures {
            users::lock(&state.store, user.id, policy.lock_minutes).await?;
            sessions::delete_for_user(&state.store, user.id).await?;
            audit_event(
                state,
                Some(&user),
                ip,
                "account.lock",
                "user",
                &user.username,
                "too many failures",
            )
            .await?;
        }
        return Ok(None);
    }
    state.guard.forgive(ip);
    if !users::finish_success(&state.store, user.id).await? {
        audit_event(
            state,
            Some(&user),
            ip,
            "login.refused",
            "user",
            &user.username,
            "locked meanwhile",
        )
        .await?;
        return Ok(None);
    }
    Ok(Some(user))
}

/// A valid Argon2id hash of a random string, verified against for unknown usernames.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3H+5pMC9sRxKUgVwqA6qUa1g2oR8JwVHvJ1Kv0b5ZlQ";
