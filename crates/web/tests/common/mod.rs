//! What the router tests share (issue 9: one test kit instead of a copy per file): sending a
//! request through the real router, the JSON API with a bearer token, a browser login with its
//! session cookie and CSRF token, and the assertions on success and refusal.
#![allow(dead_code, reason = "each test file uses part of the kit")]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The password of every fixture user.
pub const PASSWORD: &str = "Jixiao#Test2026";
const BOUNDARY: &str = "jixiao-test-boundary";

/// The demo loaded into `store`, behind the router with the default configuration.
pub async fn demo_app(store: &jixiao_store::Store) -> Router {
    jixiao_demo::load(store, &mut |_, _, _| {})
        .await
        .expect("demo");
    jixiao_web::router(store.clone(), jixiao_web::WebConfig::default())
}

/// Sends a request through the router: the whole response, for tests that read its headers.
pub async fn response(app: &Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.expect("response")
}

/// The body of a response as text.
pub async fn text(res: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Sends a request through the router: (status, cookies set as `name=value`, body).
pub async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<String>, Vec<u8>) {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let cookies = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .collect();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    (status, cookies, bytes.to_vec())
}

pub async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let (status, _, bytes) = send(app, req).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A bearer-token request without a body (and without a Content-Type): (status, JSON body, or
/// the text when it is not JSON).
pub async fn call_without_body(
    app: &Router,
    method: Method,
    uri: &str,
    token: &str,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let (status, _, bytes) = send(app, req).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub async fn get(app: &Router, uri: &str, token: &str) -> (StatusCode, Value) {
    call_without_body(app, Method::GET, uri, token).await
}

/// [`get`] as raw text, for assertions on the JSON as sent.
pub async fn get_text(app: &Router, uri: &str, token: &str) -> (StatusCode, String) {
    let (status, bytes) = get_bytes(app, uri, token).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub async fn get_bytes(app: &Router, uri: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let (status, _, bytes) = send(app, req).await;
    (status, bytes)
}

pub async fn upload(
    app: &Router,
    uri: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> (StatusCode, Value) {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend(file.1);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("request");
    let (status, _, bytes) = send(app, req).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Logs in through the login form; returns the session cookie (`name=value`).
pub async fn browser_login(app: &Router, username: &str) -> String {
    browser_login_with(app, username, PASSWORD).await
}

/// [`browser_login`] as a user of the demo (password `Demo#2023`).
pub async fn demo_login(app: &Router, username: &str) -> String {
    browser_login_with(app, username, jixiao_demo::DEMO_PASSWORD).await
}

/// A browser session of `username` made directly in the store, as a cookie (`name=value`): for
/// tests about what a logged-in user sees, not about logging in.
pub async fn session_cookie(store: &jixiao_store::Store, username: &str) -> String {
    let user = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no user {username}"));
    let (secret, _) =
        jixiao_store::sessions::create(store, Some(user.id), "browser", "127.0.0.1", "test")
            .await
            .expect("session");
    format!("jixiao_sid={secret}")
}

/// Logs in through the login form with a password; returns the session cookie.
pub async fn browser_login_with(app: &Router, username: &str, password: &str) -> String {
    let req = Request::builder()
        .uri("/login")
        .body(Body::empty())
        .expect("req");
    let (_, cookies, html) = send(app, req).await;
    let html = String::from_utf8_lossy(&html).into_owned();
    let anonymous = cookies.first().expect("a session cookie").clone();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field");
    let form = format!(
        "csrf={csrf}&next=%2F&username={username}&password={}",
        enc(password)
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::COOKIE, anonymous)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .expect("req");
    let (status, cookies, _) = send(app, req).await;
    assert!(status.is_redirection(), "login {username}: {status}");
    cookies.first().expect("a new session cookie").clone()
}

/// A page opened with the session cookie; asserts it answers 200.
pub async fn page_of(app: &Router, cookie: &str, uri: &str) -> String {
    let (status, html) = get_page(app, cookie, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {html}");
    html
}

/// A page opened with the session cookie, whatever it answers: (status, body).
pub async fn get_page(app: &Router, cookie: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("req");
    let (status, _, html) = send(app, req).await;
    (status, String::from_utf8_lossy(&html).into_owned())
}

pub async fn token(app: &Router, username: &str) -> String {
    token_with(app, username, PASSWORD).await
}

/// [`token`] of a user of the demo (password `Demo#2023`).
pub async fn demo_token(app: &Router, username: &str) -> String {
    token_with(app, username, jixiao_demo::DEMO_PASSWORD).await
}

/// An API token of `username` logged in with `password`.
pub async fn token_with(app: &Router, username: &str, password: &str) -> String {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/v1/auth/login",
        "",
        json!({"username": username, "password": password}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "login {username}: {body}");
    body["token"].as_str().expect("token").to_string()
}

#[track_caller]
pub fn ok(got: &(StatusCode, Value)) -> &Value {
    assert!(
        got.0.is_success(),
        "expected success, got {} {}",
        got.0,
        got.1
    );
    &got.1
}

#[track_caller]
pub fn refused(got: &(StatusCode, Value), status: StatusCode, needle: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    let text = got.1.to_string();
    assert!(text.contains(needle), "expected “{needle}” in {text}");
}

/// Whether a text holds Chinese (the refusals are written for the people who read them).
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A stricter [`refused`]: the status, a Chinese `error` message containing `needle`, and a
/// request id.
#[track_caller]
pub fn refused_in_chinese(got: &(StatusCode, Value), status: StatusCode, needle: &str) {
    let (s, body) = got;
    assert_eq!(*s, status, "{body}");
    let message = body["error"].as_str().unwrap_or_default();
    assert!(has_chinese(message), "a Chinese message: {body}");
    assert!(
        message.contains(needle),
        "the message should mention “{needle}”: {body}"
    );
    assert!(body["request_id"].as_str().is_some(), "{body}");
}

/// The CSRF token a page carries in its forms.
#[track_caller]
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field")
        .to_string()
}

/// Posts a form with the session cookie: (status, Location header, body).
pub async fn post_form(
    app: &Router,
    cookie: &str,
    uri: &str,
    form: &str,
) -> (StatusCode, Option<String>, String) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .expect("req");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Percent-encodes a form value.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form body of `pairs`, each name and value URL-encoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        body.append_pair(name, value);
    }
    body.finish()
}

/// A browser session of `username` made directly in the store: (cookie as `name=value`, CSRF
/// token), for tests that post forms as a logged-in user. Made without an IP address or a user
/// agent, as these tests always made them.
pub async fn browser_session(store: &jixiao_store::Store, username: &str) -> (String, String) {
    let user = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no user {username}"));
    let (secret, csrf) = jixiao_store::sessions::create(store, Some(user.id), "browser", "", "")
        .await
        .expect("session");
    (format!("jixiao_sid={secret}"), csrf)
}

/// A page opened with the session cookie: the whole response, for tests that read its headers
/// or its bytes.
pub async fn page_response(app: &Router, cookie: &str, uri: &str) -> Response<Body> {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("req");
    response(app, req).await
}
