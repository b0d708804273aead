//! SPEC §5: an ex-ante assessment is started only on a project in reserve (it is what lets the
//! project into the library), by the right party, one open at a time. The JSON API refuses a
//! budgeted project with a Chinese 409, and the project page offers no start button for it: both
//! ask `jixiao_domain::ex_ante::may_start`. On SQLite and PostgreSQL.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use serde_json::{Value, json};
use tower::ServiceExt;

const FINANCE_BUTTON: &str = "发起事前绩效评估</button>";
const UNIT_BUTTON: &str = "单位开展事前绩效评估</button>";

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<String>, String) {
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
    (
        status,
        cookies,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Sends a JSON API request with a bearer token: (status, JSON body).
async fn call(
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
    let (status, _, text) = send(app, req).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn token(app: &Router, username: &str) -> String {
    let (status, body) = call(
        app,
        Method::POST,
        "/api/v1/auth/login",
        "",
        json!({"username": username, "password": jixiao_demo::DEMO_PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "login {username}: {body}");
    body["token"].as_str().expect("token").to_string()
}

/// Logs in through the login form; returns the session cookie (`name=value`).
async fn browser_login(app: &Router, username: &str) -> String {
    let req = Request::builder()
        .uri("/login")
        .body(Body::empty())
        .expect("req");
    let (_, cookies, html) = send(app, req).await;
    let anonymous = cookies.first().expect("a session cookie").clone();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field");
    let form = format!(
        "csrf={csrf}&next=%2F&username={username}&password={}",
        jixiao_demo::DEMO_PASSWORD.replace('#', "%23")
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

async fn project_page(app: &Router, cookie: &str, id: i64) -> String {
    let req = Request::builder()
        .uri(format!("/projects/{id}"))
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("req");
    let (status, _, html) = send(app, req).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    html
}

#[tokio::test]
async fn a_budgeted_project_gets_no_ex_ante_assessment_spec_5() {
    on_every_store(
        "a_budgeted_project_gets_no_ex_ante_assessment_spec_5",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let unit = token(&app, "jyj_tb").await;
            let finance = token(&app, "jxg").await;
            let (status, created) = call(
                &app,
                Method::POST,
                "/api/v1/projects",
                &unit,
                json!({"fiscal_year": 2024, "name": "且末县第三小学操场改造项目",
                    "budget_type": "general_public", "category": "specific_purpose",
                    "continuity": "new", "timing": "initial", "current_wan": "80"}),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let pid = created["id"].as_i64().expect("id");

            // In reserve: both start buttons are offered to their parties.
            let finance_page = browser_login(&app, "jxg").await;
            let unit_page = browser_login(&app, "jyj_tb").await;
            assert!(
                project_page(&app, &finance_page, pid)
                    .await
                    .contains(FINANCE_BUTTON)
            );
            assert!(
                project_page(&app, &unit_page, pid)
                    .await
                    .contains(UNIT_BUTTON)
            );

            // The project goes through the library and is budgeted.
            let p = jixiao_store::projects::get(store, jixiao_demo::REGION_CODE, pid)
                .await
                .expect("query")
                .expect("the project");
            let mut tx = store.begin().await.expect("tx");
            jixiao_store::projects::set_status(&mut tx, pid, p.row_version, "budgeted")
                .await
                .expect("budgeted");
            tx.commit().await.expect("commit");

            for (token, kind) in [(&finance, "finance"), (&finance, "agency"), (&unit, "unit")] {
                let (status, body) = call(
                    &app,
                    Method::POST,
                    "/api/v1/ex-ante",
                    token,
                    json!({"project_id": pid, "assessor_kind": kind, "agency_id": 1}),
                )
                .await;
                assert_eq!(status, StatusCode::CONFLICT, "{kind}: {body}");
                let message = body["error"].as_str().unwrap_or_default();
                assert!(
                    message
                        .contains("项目当前为“已批复”，只有“储备”状态的项目可以发起事前绩效评估"),
                    "{kind}: {body}"
                );
            }
            let assessments = jixiao_store::ex_ante::for_project(store, pid)
                .await
                .expect("query");
            assert!(assessments.is_empty(), "nothing was started");
            assert!(
                !project_page(&app, &finance_page, pid)
                    .await
                    .contains(FINANCE_BUTTON)
            );
            assert!(
                !project_page(&app, &unit_page, pid)
                    .await
                    .contains(UNIT_BUTTON)
            );
        },
    )
    .await;
}
