//! SPEC §17 in the router: logins, lockout, session rotation and timeout, CSRF, bearer tokens,
//! security headers and the audit trail of it all — on SQLite and PostgreSQL.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use common::{csrf_of, demo_app, get, get_page, post_form, response, text};
use jixiao_store::testing::on_every_store;
use jixiao_store::{Store, on_pool};

fn sid(res: &Response<Body>) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix("jixiao_sid=")
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
        .filter(|s| !s.is_empty())
}

/// Opens the login form: (anonymous session secret, csrf token).
async fn login_form(app: &Router) -> (String, String) {
    let res = response(
        app,
        Request::builder()
            .uri("/login")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    let secret = sid(&res).expect("an anonymous session cookie");
    let csrf = csrf_of(&text(res).await);
    (secret, csrf)
}

async fn post_login(
    app: &Router,
    secret: &str,
    csrf: &str,
    user: &str,
    password: &str,
) -> Response<Body> {
    let body = format!(
        "csrf={csrf}&username={user}&password={}",
        password.replace('#', "%23")
    );
    response(
        app,
        Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::COOKIE, format!("jixiao_sid={secret}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req"),
    )
    .await
}

async fn api_login(app: &Router, user: &str, password: &str) -> Response<Body> {
    response(
        app,
        Request::builder()
            .method("POST")
            .uri("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"username": user, "password": password}).to_string(),
            ))
            .expect("req"),
    )
    .await
}

#[tokio::test]
async fn login_rotates_the_session_and_logout_ends_it_spec_17() {
    on_every_store(
        "login_rotates_the_session_and_logout_ends_it_spec_17",
        async |store: &Store| {
            let app = demo_app(store).await;
            let (anon, csrf) = login_form(&app).await;
            let res = post_login(&app, &anon, &csrf, "jxg", "Demo#2023").await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let cookie = res
                .headers()
                .get(header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
                "{cookie}"
            );
            let session = sid(&res).expect("a new session");
            assert_ne!(session, anon, "the session id changes at login");
            // The old anonymous id no longer works.
            let (status, _) = get_page(&app, &format!("jixiao_sid={anon}"), "/").await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let logged_in = format!("jixiao_sid={session}");
            let (status, html) = get_page(&app, &logged_in, "/").await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("待办事项"));
            // Logout needs the session's CSRF token, which the page carries.
            let token = html
                .split("name=\"csrf-token\" content=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .expect("meta csrf")
                .to_string();
            let (status, _, _) =
                post_form(&app, &logged_in, "/logout", &format!("csrf={token}")).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let (status, _) = get_page(&app, &logged_in, "/").await;
            assert_eq!(status, StatusCode::SEE_OTHER, "logged out");
            let actions: Vec<String> = jixiao_store::audit::recent(store, 50)
                .await
                .expect("audit")
                .into_iter()
                .map(|r| r.action)
                .collect();
            assert!(actions.contains(&"login.success".to_string()));
            assert!(actions.contains(&"logout".to_string()));
            assert!(matches!(
                jixiao_store::audit::verify(store).await.expect("verify"),
                jixiao_store::audit::Verdict::Intact { .. }
            ));
        },
    )
    .await;
}

#[tokio::test]
async fn six_wrong_passwords_lock_the_account_even_for_the_right_one_spec_17() {
    on_every_store(
        "six_wrong_passwords_lock_the_account_even_for_the_right_one_spec_17",
        async |store: &Store| {
            let app = demo_app(store).await;
            let unknown = api_login(&app, "nobody", "Wrong#2023").await;
            assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
            let unknown_body: serde_json::Value =
                serde_json::from_str(&text(unknown).await).expect("json");
            for _ in 0..6 {
                let res = api_login(&app, "ld", "Wrong#2023").await;
                assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
                let body: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
                assert_eq!(
                    body["error"], unknown_body["error"],
                    "one answer for every failure"
                );
            }
            let right = api_login(&app, "ld", "Demo#2023").await;
            assert_eq!(
                right.status(),
                StatusCode::UNAUTHORIZED,
                "locked even for the right password"
            );
            let body: serde_json::Value = serde_json::from_str(&text(right).await).expect("json");
            assert_eq!(body["error"], unknown_body["error"]);
            // The browser form is locked too.
            let (anon, csrf) = login_form(&app).await;
            assert_eq!(
                post_login(&app, &anon, &csrf, "ld", "Demo#2023")
                    .await
                    .status(),
                StatusCode::UNAUTHORIZED
            );
            // Another account is not affected.
            assert_eq!(
                api_login(&app, "jxg", "Demo#2023").await.status(),
                StatusCode::OK
            );
            let actions: Vec<String> = jixiao_store::audit::recent(store, 100)
                .await
                .expect("audit")
                .into_iter()
                .map(|r| r.action)
                .collect();
            assert!(actions.contains(&"account.lock".to_string()));
            assert!(actions.contains(&"login.refused".to_string()));
        },
    )
    .await;
}

#[tokio::test]
async fn posts_without_the_csrf_token_or_from_another_site_are_refused_spec_17() {
    on_every_store(
        "posts_without_the_csrf_token_or_from_another_site_are_refused_spec_17",
        async |store: &Store| {
            let app = demo_app(store).await;
            let (anon, csrf) = login_form(&app).await;
            // No token.
            let res = response(
                &app,
                Request::builder()
                    .method("POST")
                    .uri("/login")
                    .header(header::COOKIE, format!("jixiao_sid={anon}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("username=jxg&password=Demo%232023"))
                    .expect("req"),
            )
            .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            // A wrong token.
            assert_eq!(
                post_login(&app, &anon, "0000", "jxg", "Demo#2023")
                    .await
                    .status(),
                StatusCode::FORBIDDEN
            );
            // The right token from another site.
            let res = response(
                &app,
                Request::builder()
                    .method("POST")
                    .uri("/login")
                    .header(header::COOKIE, format!("jixiao_sid={anon}"))
                    .header("sec-fetch-site", "cross-site")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!(
                        "csrf={csrf}&username=jxg&password=Demo%232023"
                    )))
                    .expect("req"),
            )
            .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            // A foreign Origin.
            let res = response(
                &app,
                Request::builder()
                    .method("POST")
                    .uri("/login")
                    .header(header::HOST, "jixiao.local")
                    .header(header::ORIGIN, "http://evil.example")
                    .header(header::COOKIE, format!("jixiao_sid={anon}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!(
                        "csrf={csrf}&username=jxg&password=Demo%232023"
                    )))
                    .expect("req"),
            )
            .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            let page = text(res).await;
            assert!(
                page.contains("没有权限") && page.contains("请求编号"),
                "{page}"
            );
            // The token from the same site works.
            assert_eq!(
                post_login(&app, &anon, &csrf, "jxg", "Demo#2023")
                    .await
                    .status(),
                StatusCode::SEE_OTHER
            );
        },
    )
    .await;
}

#[tokio::test]
async fn api_uses_bearer_tokens_only_spec_16() {
    on_every_store(
        "api_uses_bearer_tokens_only_spec_16",
        async |store: &Store| {
            let app = demo_app(store).await;
            let res = response(
                &app,
                Request::builder()
                    .uri("/api/v1/projects")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
            let token: serde_json::Value =
                serde_json::from_str(&text(api_login(&app, "jyj_tb", "Demo#2023").await).await)
                    .expect("json");
            let token = token["token"].as_str().expect("token").to_string();
            let (status, page) = get(&app, "/api/v1/projects?year=2023", &token).await;
            assert_eq!(status, StatusCode::OK);
            let items = page["items"].as_array().expect("items");
            assert!(!items.is_empty());
            assert!(
                items.iter().all(|p| p["unit"] == "且末县教育局"),
                "a unit user sees only its unit"
            );
            // A browser cookie does not authenticate the API.
            let (anon, csrf) = login_form(&app).await;
            let res = post_login(&app, &anon, &csrf, "jxg", "Demo#2023").await;
            let session = sid(&res).expect("session");
            let (status, _) =
                get_page(&app, &format!("jixiao_sid={session}"), "/api/v1/projects").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            // Field-level errors in Chinese.
            let (status, body) = get(&app, "/api/v1/projects?year=abc&page=0", &token).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                body["fields"]["year"]
                    .as_str()
                    .is_some_and(|m| m.contains("预算年度"))
            );
            assert!(body["fields"]["page"].as_str().is_some());
            // The record lists follow the same scope.
            for path in [
                "/api/v1/targets?year=2023",
                "/api/v1/evaluations",
                "/api/v1/monitoring-reports",
                "/api/v1/rectifications",
            ] {
                let (status, rows) = get(&app, path, &token).await;
                assert_eq!(status, StatusCode::OK, "{path}");
                let rows = rows.as_array().expect("array");
                assert!(
                    rows.iter().all(|r| r["unit_name"] == "且末县教育局"),
                    "{path}: a unit user sees only its unit"
                );
            }
            let (status, _) = get(&app, "/api/v1/targets?year=1900", &token).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            // The documentation page loads the vendored Swagger UI, nothing from outside.
            let res = response(
                &app,
                Request::builder()
                    .uri("/api/docs")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK);
            let page = text(res).await;
            assert!(
                page.contains("/assets/vendor/swagger/swagger-ui-bundle.js")
                    && !page.contains("http")
            );
            // The OpenAPI document.
            let res = response(
                &app,
                Request::builder()
                    .uri("/api/v1/openapi.json")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await;
            let doc: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
            assert_eq!(doc["openapi"], "3.0.3");
            assert!(doc["paths"]["/api/v1/projects"]["get"].is_object());
        },
    )
    .await;
}

#[tokio::test]
async fn idle_sessions_end_and_headers_are_everywhere_spec_17() {
    on_every_store(
        "idle_sessions_end_and_headers_are_everywhere_spec_17",
        async |store: &Store| {
            let app = demo_app(store).await;
            let (anon, csrf) = login_form(&app).await;
            let session =
                sid(&post_login(&app, &anon, &csrf, "jxg", "Demo#2023").await).expect("session");
            let past = jixiao_store::now() - chrono::Duration::minutes(31);
            on_pool!(store, |p| sqlx::query(
                "UPDATE sessions SET last_seen_at = $1"
            )
            .bind(past)
            .execute(p)
            .await
            .map(|_| ())
            .expect("age sessions"));
            let (status, _) = get_page(&app, &format!("jixiao_sid={session}"), "/").await;
            assert_eq!(status, StatusCode::SEE_OTHER, "an idle session is over");
            for path in ["/login", "/no-such-page", "/assets/app.css", "/public"] {
                let res = response(
                    &app,
                    Request::builder()
                        .uri(path)
                        .body(Body::empty())
                        .expect("req"),
                )
                .await;
                let h = res.headers();
                assert!(
                    h.get(header::CONTENT_SECURITY_POLICY)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.contains("frame-ancestors 'none'")),
                    "{path}"
                );
                assert_eq!(
                    h.get(header::X_CONTENT_TYPE_OPTIONS)
                        .and_then(|v| v.to_str().ok()),
                    Some("nosniff"),
                    "{path}"
                );
                assert!(h.get(header::REFERRER_POLICY).is_some(), "{path}");
            }
            let res = response(
                &app,
                Request::builder()
                    .uri("/no-such-page")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            let page = text(res).await;
            assert!(page.contains("页面不存在") && page.contains("请求编号"));
        },
    )
    .await;
}

#[tokio::test]
async fn cookies_are_secure_behind_tls_spec_17() {
    let store = Store::memory().await.expect("sqlite");
    store.migrate().await.expect("migrate");
    jixiao_demo::load(&store, &mut |_, _, _| {})
        .await
        .expect("demo");
    let config = jixiao_web::WebConfig {
        secure_cookies: true,
        ..Default::default()
    };
    let app = jixiao_web::router(store.clone(), config);
    let res = response(
        &app,
        Request::builder()
            .uri("/login")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}
