//! Issue 13, HIGH findings of the security probe, each reproduced and now held:
//! - parallel password guesses cannot get more than the lockout's number of guesses verified;
//! - one address is throttled with 429 (and the throttling is audited);
//! - on a file SQLite database with several connections, concurrent logins and denials answer
//!   401/403, never 500, and every attempt is in the audit log.
//!
//! Runs on SQLite, and on PostgreSQL when `JIXIAO_TEST_POSTGRES_URL` is set.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{call, call_without_body, form, get, post_form, response, text, token_with};
use jixiao_domain::types::Role;
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use jixiao_web::login_guard::GuardLimits;
use tower::ServiceExt;

const REGION: &str = "652801000";
const PASSWORD: &str = "Right#2026a";

async fn fixture(store: &Store, users: &[(&str, Role)]) {
    let mut tx = store.begin().await.expect("tx");
    jixiao_store::regions::insert(&mut tx, REGION, "测试市", None)
        .await
        .expect("region");
    tx.commit().await.expect("commit");
    add_users(store, users).await;
}

/// Users of the region without a unit.
async fn add_users(store: &Store, users: &[(&str, Role)]) {
    let hash = jixiao_store::users::hash_password(PASSWORD).expect("hash");
    let mut tx = store.begin().await.expect("tx");
    for (username, role) in users {
        jixiao_store::users::insert(
            &mut tx,
            &jixiao_store::users::NewUser {
                region: REGION,
                username,
                display_name: username,
                password_hash: &hash,
                unit_id: None,
                agency_id: None,
                must_change_password: false,
                roles: &[*role],
            },
        )
        .await
        .expect("user");
    }
    tx.commit().await.expect("commit");
}

fn app(store: &Store, limits: GuardLimits) -> Router {
    jixiao_web::router(
        store.clone(),
        jixiao_web::WebConfig {
            login_limits: limits,
            ..Default::default()
        },
    )
}

fn roomy() -> GuardLimits {
    GuardLimits {
        queue: 1000,
        per_address: 100_000,
        ..GuardLimits::default()
    }
}

fn login(username: &str, password: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::json!({"username": username, "password": password}).to_string(),
        ))
        .expect("request")
}

async fn audit_count(store: &Store, action: &str, why: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND ($2 = '' OR after_json = $2)";
    match store {
        Store::Sqlite(p) => {
            sqlx::query_scalar(sql)
                .bind(action)
                .bind(why)
                .fetch_one(p)
                .await
        }
        Store::Postgres(p) => {
            sqlx::query_scalar(sql)
                .bind(action)
                .bind(why)
                .fetch_one(p)
                .await
        }
    }
    .expect("audit count")
}

/// Sends all requests at once and returns their statuses.
async fn all_at_once(app: &Router, requests: Vec<Request<Body>>) -> Vec<StatusCode> {
    let handles: Vec<_> = requests
        .into_iter()
        .map(|req| {
            let app = app.clone();
            tokio::spawn(async move { app.oneshot(req).await.expect("response").status() })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_get_no_more_than_the_allowed_verifications() {
    on_every_store("parallel_guesses", async |store: &Store| {
        fixture(store, &[("fin", Role::FinanceAdmin), ("desk", Role::FinanceDesk)]).await;
        let app = app(store, roomy());

        // 39 wrong passwords and the right one, at the same instant.
        let mut requests: Vec<_> = (0..39).map(|i| login("fin", &format!("Wrong#{i}xyz"))).collect();
        requests.insert(20, login("fin", PASSWORD));
        let statuses = all_at_once(&app, requests).await;
        assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
        let verified_wrong = audit_count(store, "login.failure", "wrong password").await;
        let succeeded = statuses.iter().filter(|s| **s == StatusCode::OK).count() as i64;
        assert!(
            verified_wrong + succeeded <= 5,
            "{verified_wrong} wrong passwords and {succeeded} successes were verified: at most 5 guesses may be"
        );
        let refused = audit_count(store, "login.refused", "").await;
        assert_eq!(verified_wrong + succeeded + refused, 40, "every attempt is audited");

        // 40 wrong guesses at once lock the account after exactly 5 verified ones; the right
        // password afterwards is refused.
        let requests: Vec<_> = (0..40).map(|i| login("desk", &format!("Wrong#{i}xyz"))).collect();
        let statuses = all_at_once(&app, requests).await;
        assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
        let before = verified_wrong;
        let now_wrong = audit_count(store, "login.failure", "wrong password").await;
        assert_eq!(now_wrong - before, 5, "exactly five guesses verified");
        let res = response(&app, login("desk", PASSWORD)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "locked");
    })
    .await;
}

#[tokio::test]
async fn one_address_is_throttled_with_429() {
    on_every_store("address_throttle", async |store: &Store| {
        fixture(store, &[("fin", Role::FinanceAdmin)]).await;
        let app = app(
            store,
            GuardLimits {
                per_address: 3,
                ..GuardLimits::default()
            },
        );
        for _ in 0..3 {
            let res = response(&app, login("nobody", "Wrong#1xyz")).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let res = response(&app, login("fin", PASSWORD)).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let body = text(res).await;
        assert!(body.contains("登录尝试过于频繁"), "{body}");
        assert_eq!(
            audit_count(store, "login.throttled", "address limit").await,
            1
        );
    })
    .await;
}

/// The probe's finding on SQLite: deferred transactions failed their lock upgrade under
/// concurrency ("database is locked", HTTP 500) and denials went missing from the audit log.
/// A file database with several connections, as `jixiao serve` uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_logins_and_denials_on_sqlite_never_answer_500() {
    let dir = std::env::temp_dir().join(format!("jixiao-concurrency-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("c.db");
    let _ = std::fs::remove_file(&path);
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("file database");
    store.migrate().await.expect("migrate");
    fixture(
        &store,
        &[("fin", Role::FinanceAdmin), ("lead", Role::Viewer)],
    )
    .await;
    let app = app(&store, roomy());
    let lead = jixiao_store::users::by_username(&store, "lead")
        .await
        .expect("query")
        .expect("lead");
    let (secret, _) = jixiao_store::sessions::create(&store, Some(lead.id), "browser", "", "")
        .await
        .expect("session");
    let mut requests: Vec<_> = (0..40)
        .map(|i| login(&format!("ghost{i}"), "Wrong#1xyz"))
        .collect();
    for _ in 0..24 {
        // The viewer may not open user administration: a denial, audited.
        requests.push(
            Request::builder()
                .uri("/admin/users")
                .header(header::COOKIE, format!("jixiao_sid={secret}"))
                .body(Body::empty())
                .expect("request"),
        );
    }
    let statuses = all_at_once(&app, requests).await;
    assert!(
        statuses.iter().all(|s| !s.is_server_error()),
        "no 5xx: {statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count(),
        40
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::FORBIDDEN)
            .count(),
        24
    );
    assert_eq!(
        audit_count(&store, "login.failure", "unknown user").await,
        40
    );
    assert_eq!(audit_count(&store, "access.denied", "").await, 24);
    assert!(
        matches!(
            jixiao_store::audit::verify(&store).await.expect("verify"),
            jixiao_store::audit::Verdict::Intact { .. }
        ),
        "the chain holds"
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 13's load criterion: 64 concurrent mixed requests on a file SQLite database (failed
/// logins, denials, exports and writes, sixteen of each) answer without a 5xx, and the audit
/// log holds one row per attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_mixed_requests_on_sqlite_answer_and_are_all_audited() {
    let dir = tempfile_dir("mixed");
    let path = dir.join("m.db");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("file database");
    store.migrate().await.expect("migrate");
    let _ = unit_fixture(&store).await;
    add_users(
        &store,
        &[("fin", Role::FinanceAdmin), ("lead", Role::Viewer)],
    )
    .await;
    let app = app(&store, roomy());
    let tb = token_with(&app, "tb", PASSWORD).await;
    let mut cookies = Vec::new();
    for username in ["lead", "fin"] {
        let user = jixiao_store::users::by_username(&store, username)
            .await
            .expect("query")
            .expect("user");
        let (secret, _) = jixiao_store::sessions::create(&store, Some(user.id), "browser", "", "")
            .await
            .expect("session");
        cookies.push(format!("jixiao_sid={secret}"));
    }
    let page = |uri: &str, cookie: &str| {
        Request::builder()
            .uri(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request")
    };
    let mut requests = Vec::new();
    for i in 0..16 {
        requests.push(login(&format!("ghost{i}"), "Wrong#1xyz"));
        // The viewer may not open user administration; the finance office exports the list.
        requests.push(page("/admin/users", &cookies[0]));
        requests.push(page("/projects/export.xlsx?year=2025", &cookies[1]));
        let body = serde_json::json!({
            "fiscal_year": 2025, "name": format!("并发写入{i}"), "budget_type": "general_public",
            "category": "specific_purpose", "continuity": "new", "timing": "initial",
            "current_wan": "60",
        });
        requests.push(
            Request::builder()
                .method("POST")
                .uri("/api/v1/projects")
                .header(header::AUTHORIZATION, format!("Bearer {tb}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        );
    }
    let statuses = all_at_once(&app, requests).await;
    assert!(
        statuses.iter().all(|s| !s.is_server_error()),
        "no 5xx: {statuses:?}"
    );
    let count = |wanted: StatusCode| statuses.iter().filter(|s| **s == wanted).count();
    assert_eq!(count(StatusCode::UNAUTHORIZED), 16, "{statuses:?}");
    assert_eq!(count(StatusCode::FORBIDDEN), 16, "{statuses:?}");
    assert_eq!(count(StatusCode::OK), 16, "{statuses:?}");
    assert_eq!(count(StatusCode::CREATED), 16, "{statuses:?}");
    assert_eq!(
        audit_count(&store, "login.failure", "unknown user").await,
        16
    );
    assert_eq!(audit_count(&store, "access.denied", "").await, 16);
    assert_eq!(audit_count(&store, "export", "").await, 16);
    assert_eq!(audit_count(&store, "project.create", "").await, 16);
    assert!(
        matches!(
            jixiao_store::audit::verify(&store).await.expect("verify"),
            jixiao_store::audit::Verdict::Intact { .. }
        ),
        "the chain holds"
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("jixiao-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn execute(store: &Store, sql: &str) {
    match store {
        Store::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Store::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .expect(sql);
}

/// Issue 13: API tokens can be revoked, sessions end after 12 hours however active, and
/// sessions that can no longer be used are purged (anonymous login-form ones included).
#[tokio::test]
async fn tokens_are_revoked_and_sessions_expire() {
    on_every_store("tokens_and_sessions", async |store: &Store| {
        fixture(store, &[("fin", Role::FinanceAdmin)]).await;
        let app = app(store, roomy());

        // Logout revokes the token it was called with, and is audited.
        let t = token_with(&app, "fin", PASSWORD).await;
        let (status, _) = get(&app, "/api/v1/projects", &t).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = call_without_body(&app, Method::POST, "/api/v1/auth/logout", &t).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = get(&app, "/api/v1/projects", &t).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked token is refused");
        assert_eq!(audit_count(store, "logout", "api").await, 1);

        // A token used every minute still ends 12 hours after it was issued.
        let t = token_with(&app, "fin", PASSWORD).await;
        execute(
            store,
            "UPDATE sessions SET created_at = '2000-01-01 00:00:00+00:00', last_seen_at = created_at \
             WHERE kind = 'api'",
        )
        .await;
        let fresh = jixiao_store::now();
        match store {
            Store::Sqlite(p) => sqlx::query("UPDATE sessions SET last_seen_at = $1").bind(fresh).execute(p).await.map(|_| ()),
            Store::Postgres(p) => sqlx::query("UPDATE sessions SET last_seen_at = $1").bind(fresh).execute(p).await.map(|_| ()),
        }
        .expect("recently seen");
        let (status, _) = get(&app, "/api/v1/projects", &t).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "past the absolute lifetime");

        // Anonymous login-form sessions and expired ones are purged; live ones stay.
        for _ in 0..3 {
            let res = response(&app, Request::builder().uri("/login").body(Body::empty()).expect("req")).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        let live = token_with(&app, "fin", PASSWORD).await;
        execute(
            store,
            "UPDATE sessions SET last_seen_at = '2000-01-01 00:00:00+00:00' WHERE user_id IS NULL",
        )
        .await;
        let purged = jixiao_store::sessions::purge(store, 30, 12).await.expect("purge");
        assert!(purged >= 3, "purged {purged}");
        let (status, _) = get(&app, "/api/v1/projects", &live).await;
        assert_eq!(status, StatusCode::OK, "a live token survives the purge");
    })
    .await;
}

/// Issue 13 (LOW): a password may not repeat the last five; usernames are unique ignoring case
/// and found ignoring case at login.
#[tokio::test]
async fn passwords_do_not_repeat_and_usernames_ignore_case() {
    on_every_store("password_history", async |store: &Store| {
        fixture(store, &[("fin", Role::FinanceAdmin)]).await;
        let app = app(store, roomy());
        let fin = jixiao_store::users::by_username(store, "fin")
            .await
            .expect("query")
            .expect("fin");
        let change = async |current: &str, new: &str| {
            let (sid, csrf) =
                jixiao_store::sessions::create(store, Some(fin.id), "browser", "", "")
                    .await
                    .expect("session");
            let fields = form(&[
                ("csrf", &csrf),
                ("current", current),
                ("new_password", new),
                ("confirm", new),
            ]);
            let (status, _, body) =
                post_form(&app, &format!("jixiao_sid={sid}"), "/password", &fields).await;
            (status, body)
        };
        let passwords: Vec<String> = (1..=5).map(|i| format!("Change#{i}Pw")).collect();
        let mut current = PASSWORD.to_string();
        for p in &passwords {
            let (status, body) = change(&current, p).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{p}: {body}");
            current = p.clone();
        }
        // The first of the last five is refused …
        let (status, body) = change(&current, &passwords[0]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("不能与最近 5 次使用过的密码相同"), "{body}");
        // … the sixth-last (the fixture's) is allowed again.
        let (status, body) = change(&current, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        // A common password is refused.
        let (status, body) = change(PASSWORD, "Admin@123").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("密码过于常见"), "{body}");

        // JXG beside jxg: refused by the database; login ignores case.
        let mut tx = store.begin().await.expect("tx");
        let dup = jixiao_store::users::insert(
            &mut tx,
            &jixiao_store::users::NewUser {
                region: REGION,
                username: "FIN",
                display_name: "FIN",
                password_hash: &fin.password_hash,
                unit_id: None,
                agency_id: None,
                must_change_password: false,
                roles: &[Role::Viewer],
            },
        )
        .await;
        assert!(dup.is_err(), "FIN beside fin must be refused");
        drop(tx);
        let res = response(&app, login("FIN", PASSWORD)).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "login ignores the case of the username"
        );
    })
    .await;
}

/// Issue 13 (LOW): NUL and other control characters, and invalid UTF-8, are refused at the edge
/// for every form and JSON body, with a Chinese 422, before any handler stores them.
#[tokio::test]
async fn control_characters_and_invalid_utf8_are_refused_at_the_edge() {
    on_every_store("text_guard", async |store: &Store| {
        fixture(store, &[("fin", Role::FinanceAdmin)]).await;
        let app = app(store, roomy());
        let res = response(&app, login("fin\u{0}x", PASSWORD)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
        assert_eq!(v["error"], "提交的内容包含不可见的控制字符", "{v}");

        let fin = jixiao_store::users::by_username(store, "fin")
            .await
            .expect("query")
            .expect("fin");
        let (sid, csrf) = jixiao_store::sessions::create(store, Some(fin.id), "browser", "", "")
            .await
            .expect("session");
        let cookie = format!("jixiao_sid={sid}");
        for (raw, expected) in [
            ("deviation_red=%FF%FE", "无效的字符编码"),
            ("deviation_red=1%002", "控制字符"),
        ] {
            let (status, _, body) = post_form(
                &app,
                &cookie,
                "/settings/rules",
                &format!("csrf={csrf}&{raw}"),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{raw}");
            assert!(body.contains(expected), "{raw}");
        }
        // Tabs and line breaks in text are kept: an ordinary form still goes through.
        let (status, _, _) = post_form(
            &app,
            &cookie,
            "/settings/rules",
            &format!("csrf={csrf}&deviation_red=18"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    })
    .await;
}

async fn unit_fixture(store: &Store) -> (i64, i64) {
    let hash = jixiao_store::users::hash_password(PASSWORD).expect("hash");
    let mut tx = store.begin().await.expect("tx");
    jixiao_store::regions::insert(&mut tx, REGION, "测试市", None)
        .await
        .expect("region");
    let mut units = Vec::new();
    for (code, name) in [("101", "测试市教育局"), ("102", "测试市卫生健康委员会")] {
        units.push(
            jixiao_store::units::insert(
                &mut tx,
                &jixiao_store::units::NewUnit {
                    region: REGION,
                    code,
                    name,
                    parent_id: None,
                    level: 1,
                    kind: jixiao_domain::types::UnitKind::Administrative,
                    finance_desk: "",
                },
            )
            .await
            .expect("unit"),
        );
    }
    for (username, unit) in [("tb", units[0]), ("wjw", units[1])] {
        jixiao_store::users::insert(
            &mut tx,
            &jixiao_store::users::NewUser {
                region: REGION,
                username,
                display_name: username,
                password_hash: &hash,
                unit_id: Some(unit),
                agency_id: None,
                must_change_password: false,
                roles: &[Role::UnitPreparer],
            },
        )
        .await
        .expect("user");
    }
    tx.commit().await.expect("commit");
    (units[0], units[1])
}

/// Issue 13 (HIGH 4 and LOW): amounts are bounded, codes are bounded and readable, the previous
/// project stays inside the unit, and concurrent proposals with automatic codes all succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn project_proposals_are_bounded_and_concurrent_codes_do_not_collide() {
    on_every_store("project_bounds", async |store: &Store| {
        let _ = unit_fixture(store).await;
        let app = app(store, roomy());
        let tb = token_with(&app, "tb", PASSWORD).await;
        let wjw = token_with(&app, "wjw", PASSWORD).await;
        let base = serde_json::json!({
            "fiscal_year": 2025, "name": "校舍维修", "budget_type": "general_public",
            "category": "specific_purpose", "continuity": "new", "timing": "initial",
            "current_wan": "600",
        });
        let with = |key: &str, value: serde_json::Value| {
            let mut b = base.clone();
            b[key] = value;
            b
        };
        // 9 万亿万元 was accepted and overflowed every sum.
        let (status, body) = call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &tb,
            with("current_wan", "9000000000000".into()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"].as_str().unwrap_or("").contains("金额过大"),
            "{body}"
        );
        let (status, body) = call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &tb,
            with("code", "x".repeat(100_000).into()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or("")
                .contains("项目编码不能超过"),
            "{body}"
        );
        let (status, body) = call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &tb,
            with("name", "\u{200B}\u{200B}".into()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // Another unit's project as the "previous" one is refused.
        let (status, other) = call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &wjw,
            with("fiscal_year", 2024.into()),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{other}");
        let (status, body) = call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &tb,
            with("previous_project_id", other["id"].clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"].as_str().unwrap_or("").contains("上年项目"),
            "{body}"
        );

        // Sixteen proposals at once, codes assigned automatically: all created, all distinct.
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (app, tb, body) = (
                    app.clone(),
                    tb.clone(),
                    with("name", format!("并发项目{i}").into()),
                );
                tokio::spawn(async move {
                    call(&app, Method::POST, "/api/v1/projects", &tb, body).await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for h in handles {
            let (status, body) = h.await.expect("task");
            assert_eq!(status, StatusCode::CREATED, "{body}");
            ids.push(body["id"].as_i64().expect("id"));
        }
        let projects = jixiao_store::projects::list(store, REGION, 2025)
            .await
            .expect("list");
        let mut codes: Vec<&str> = projects.iter().map(|p| p.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 16);
    })
    .await;
}

fn multipart_report(uri: &str, sid: &str, body: &[u8]) -> Request<Body> {
    let boundary = "XjixiaoBoundary";
    let mut data = Vec::new();
    data.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    data.extend_from_slice(body);
    data.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, format!("jixiao_sid={sid}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(data))
        .expect("request")
}

/// Issue 13 (MEDIUM): an approved ex-ante assessment is frozen, its signed report included;
/// a draft still takes one.
#[tokio::test]
async fn an_approved_assessments_report_cannot_be_replaced() {
    on_every_store("frozen_report", async |store: &Store| {
        let (unit, _) = unit_fixture(store).await;
        let app = app(store, roomy());
        let mut tx = store.begin().await.expect("tx");
        let project = jixiao_store::projects::insert(
            &mut tx,
            &jixiao_store::projects::NewProject {
                region: REGION,
                fiscal_year: 2025,
                code: "P1",
                name: "校舍建设",
                unit_id: unit,
                is_policy: false,
                budget_type: jixiao_domain::types::BudgetType::GeneralPublic,
                category: jixiao_domain::types::ProjectCategory::SpecificPurpose,
                continuity: jixiao_domain::types::Continuity::New,
                timing: jixiao_domain::types::BudgetTiming::Initial,
                start_year: 2025,
                end_year: 2025,
                current: jixiao_domain::Fen::from_wan(600),
                carryover: jixiao_domain::Fen(0),
                other: jixiao_domain::Fen(0),
                is_major: true,
                library_status: "reserve",
                previous_project_id: None,
            },
        )
        .await
        .expect("project");
        let mut ids = Vec::new();
        for state in ["approved", "draft"] {
            ids.push(
                jixiao_store::ex_ante::insert(
                    &mut tx,
                    &jixiao_store::ex_ante::NewExAnte {
                        region: REGION,
                        fiscal_year: 2025,
                        object_kind: "project",
                        project_id: Some(project),
                        object_name: "校舍建设",
                        amount: jixiao_domain::Fen::from_wan(600),
                        assessor_kind: "unit",
                        engagement_id: None,
                        state,
                        total_x100: None,
                        conclusion: None,
                        suggestions: "",
                        scores: vec![],
                    },
                )
                .await
                .expect("ex-ante"),
            );
        }
        tx.commit().await.expect("commit");
        let tb = jixiao_store::users::by_username(store, "tb")
            .await
            .expect("query")
            .expect("tb");
        let (sid, csrf) = jixiao_store::sessions::create(store, Some(tb.id), "browser", "", "")
            .await
            .expect("session");
        let pdf = b"%PDF-1.4 signed report";
        let res = response(
            &app,
            multipart_report(
                &format!("/ex-ante/{}/report?csrf={csrf}", ids[0]),
                &sid,
                pdf,
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(text(res).await.contains("评估报告不能再更换"));
        let res = response(
            &app,
            multipart_report(
                &format!("/ex-ante/{}/report?csrf={csrf}", ids[1]),
                &sid,
                pdf,
            ),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "a draft takes its report"
        );
        // Issue 9: a malformed row_version is a 400, never read as version 0.
        let cookie = format!("jixiao_sid={sid}");
        for path in [
            format!("/ex-ante/{}/action", ids[1]),
            format!("/ex-ante/{}", ids[1]),
        ] {
            let fields = form(&[
                ("csrf", &csrf),
                ("row_version", "abc"),
                ("action", "submit"),
            ]);
            let (status, _, body) = post_form(&app, &cookie, &path, &fields).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            assert!(body.contains("版本号"), "{path}");
        }
    })
    .await;
}
