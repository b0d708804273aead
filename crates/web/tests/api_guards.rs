//! Issue 13, the findings left after the first round:
//! - a role refusal in the API is a 403 (SPEC §1 "every denial is a 403"), and every denial,
//!   a record out of sight included, is in the audit log;
//! - `Idempotency-Key`: a retry gets the first answer instead of a second record; the key
//!   cannot be reused for another request; a refused request does not spend it;
//! - imports are limited per user.
//!
//! Runs on SQLite, and on PostgreSQL when `JIXIAO_TEST_POSTGRES_URL` is set.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, call, token, upload};
use jixiao_domain::types::{Role, UnitKind};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use serde_json::{Value, json};

const REGION: &str = "652801000";

/// A region with two units: `tb` prepares for the first, `wjw` for the second, `fin` is the
/// finance office.
async fn county(store: &Store) {
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
                    kind: UnitKind::Administrative,
                    finance_desk: "",
                },
            )
            .await
            .expect("unit"),
        );
    }
    for (username, unit, role) in [
        ("tb", Some(units[0]), Role::UnitPreparer),
        ("sh", Some(units[0]), Role::UnitApprover),
        ("wjw", Some(units[1]), Role::UnitPreparer),
        ("fin", None, Role::FinanceAdmin),
    ] {
        jixiao_store::users::insert(
            &mut tx,
            &jixiao_store::users::NewUser {
                region: REGION,
                username,
                display_name: username,
                password_hash: &hash,
                unit_id: unit,
                agency_id: None,
                must_change_password: false,
                roles: &[role],
            },
        )
        .await
        .expect("user");
    }
    tx.commit().await.expect("commit");
}

fn app(store: &Store, import_limits: jixiao_web::throttle::ImportLimits) -> Router {
    jixiao_web::router(
        store.clone(),
        jixiao_web::WebConfig {
            import_limits,
            ..Default::default()
        },
    )
}

fn proposal(name: &str) -> Value {
    json!({
        "fiscal_year": 2025, "name": name, "budget_type": "general_public",
        "category": "specific_purpose", "continuity": "new", "timing": "initial",
        "current_wan": "60",
    })
}

/// Audit entries of an action whose object (the request path) and text match.
async fn audited(store: &Store, action: &str, path: &str, text: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_id = $2 \
               AND after_json LIKE $3";
    let like = format!("%{text}%");
    match store {
        Store::Sqlite(p) => {
            sqlx::query_scalar(sql)
                .bind(action)
                .bind(path)
                .bind(&like)
                .fetch_one(p)
                .await
        }
        Store::Postgres(p) => {
            sqlx::query_scalar(sql)
                .bind(action)
                .bind(path)
                .bind(&like)
                .fetch_one(p)
                .await
        }
    }
    .expect("audit count")
}

async fn projects_named(store: &Store, name: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM projects WHERE name = $1";
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).bind(name).fetch_one(p).await,
        Store::Postgres(p) => sqlx::query_scalar(sql).bind(name).fetch_one(p).await,
    }
    .expect("count")
}

/// A POST of JSON with an `Idempotency-Key`; returns the status, the replay header and the body.
async fn keyed(app: &Router, token: &str, key: &str, body: &Value) -> (StatusCode, bool, Value) {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/projects")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(Body::from(body.to_string()))
        .expect("request");
    let res = tower::ServiceExt::oneshot(app.clone(), req)
        .await
        .expect("response");
    let status = res.status();
    let replayed = res.headers().get("idempotent-replayed").is_some();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        replayed,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn role_refusals_are_403_and_every_denial_is_audited() {
    on_every_store("role_refusals_403", async |store: &Store| {
        county(store).await;
        let app = app(store, Default::default());
        let (tb, sh, wjw) = (
            token(&app, "tb").await,
            token(&app, "sh").await,
            token(&app, "wjw").await,
        );
        // A unit approver may call the route (it reads rounds) but may not open one: the
        // operation's role check. It was a 409 and not in the audit log.
        let round = json!({"fiscal_year": "2024", "deadline": "2099-03-31"});
        let got = call(&app, Method::POST, "/api/v1/evaluation-rounds", &sh, round).await;
        assert_eq!(got.0, StatusCode::FORBIDDEN, "{:?}", got.1);
        assert!(
            got.1["error"]
                .as_str()
                .unwrap_or("")
                .contains("只有财政绩效管理员"),
            "the refusal says who may: {:?}",
            got.1
        );
        assert_eq!(
            audited(
                store,
                "access.denied",
                "/api/v1/evaluation-rounds",
                "只有财政绩效管理员"
            )
            .await,
            1,
            "the role refusal is audited"
        );
        // A workflow action by the wrong role: a preparer may not submit (the approver does).
        let created = call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &tb,
            proposal("校舍维修"),
        )
        .await;
        assert_eq!(created.0, StatusCode::CREATED, "{:?}", created.1);
        let id = created.1["id"].as_i64().expect("id");
        // Another unit's project is out of sight: a 403, audited as well.
        let path = format!("/api/v1/projects/{id}");
        let (status, _) = common::get(&app, &path, &wjw).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(audited(store, "access.denied", &path, "").await, 1);
        // What is allowed leaves no denial behind.
        let (status, _) = common::get(&app, &path, &tb).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(audited(store, "access.denied", &path, "").await, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_replays_the_first_answer() {
    on_every_store("idempotency_key", async |store: &Store| {
        county(store).await;
        let app = app(store, Default::default());
        let (tb, wjw) = (token(&app, "tb").await, token(&app, "wjw").await);

        // The retry of a lost answer gets the same project, not a second one.
        let first = keyed(&app, &tb, "k-0001", &proposal("重试的项目")).await;
        assert_eq!(first.0, StatusCode::CREATED, "{:?}", first.2);
        assert!(!first.1, "the first answer is not a replay");
        let again = keyed(&app, &tb, "k-0001", &proposal("重试的项目")).await;
        assert_eq!(again.0, StatusCode::CREATED);
        assert!(again.1, "Idempotent-Replayed: true");
        assert_eq!(again.2, first.2, "the same answer");
        assert_eq!(projects_named(store, "重试的项目").await, 1);

        // The same key for another request is refused; keys are per user.
        let other = keyed(&app, &tb, "k-0001", &proposal("另一个项目")).await;
        assert_eq!(other.0, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", other.2);
        assert!(
            other.2["error"]
                .as_str()
                .unwrap_or("")
                .contains("另一个请求")
        );
        assert_eq!(projects_named(store, "另一个项目").await, 0);
        let theirs = keyed(&app, &wjw, "k-0001", &proposal("重试的项目")).await;
        assert_eq!(theirs.0, StatusCode::CREATED, "another user's key space");
        assert_ne!(theirs.2["id"], first.2["id"]);

        // A refused request does not spend its key: fixed, it runs.
        let mut bad = proposal("金额有误的项目");
        bad["current_wan"] = json!("-5");
        let refused = keyed(&app, &tb, "k-0002", &bad).await;
        assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY);
        let again = keyed(&app, &tb, "k-0002", &bad).await;
        assert_eq!(
            again.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a refusal is not replayed"
        );
        assert!(!again.1);
        let fixed = keyed(&app, &tb, "k-0002", &proposal("金额有误的项目")).await;
        assert_eq!(fixed.0, StatusCode::CREATED, "{:?}", fixed.2);
        assert_eq!(projects_named(store, "金额有误的项目").await, 1);

        // Eight copies at once: one runs, the others wait their turn (409) or replay it.
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (app, tb) = (app.clone(), tb.clone());
                tokio::spawn(
                    async move { keyed(&app, &tb, "k-burst", &proposal("并发重试")).await },
                )
            })
            .collect();
        let mut ids = Vec::new();
        for h in handles {
            let (status, _, body) = h.await.expect("task");
            match status {
                StatusCode::CREATED => ids.push(body["id"].clone()),
                StatusCode::CONFLICT => {}
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert!(!ids.is_empty());
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        assert_eq!(projects_named(store, "并发重试").await, 1);

        // Without a key nothing changes: two posts, two projects. A key of 300 characters is
        // refused before anything runs.
        for _ in 0..2 {
            let got = call(
                &app,
                Method::POST,
                "/api/v1/projects",
                &tb,
                proposal("无键项目"),
            )
            .await;
            assert_eq!(got.0, StatusCode::CREATED);
        }
        assert_eq!(projects_named(store, "无键项目").await, 2);
        let long = keyed(&app, &tb, &"k".repeat(300), &proposal("长键项目")).await;
        assert_eq!(long.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(projects_named(store, "长键项目").await, 0);
        // The OpenAPI document names the header on every write but the login.
        let (_, doc) = common::get(&app, "/api/v1/openapi.json", &tb).await;
        let key = json!({"$ref": "#/components/parameters/IdempotencyKey"});
        let writes = doc["paths"]["/api/v1/projects"]["post"]["parameters"]
            .as_array()
            .cloned();
        assert!(writes.is_some_and(|p| p.contains(&key)), "documented");
        assert!(doc["paths"]["/api/v1/auth/login"]["post"]["parameters"].is_null());
        // Old keys are purged after their 24 hours; fresh ones stay.

        assert_eq!(
            jixiao_store::idempotency::purge(store)
                .await
                .expect("purge"),
            0
        );
    })
    .await;
}

#[tokio::test]
async fn imports_are_limited_per_user() {
    on_every_store("import_limit", async |store: &Store| {
        county(store).await;
        let app = app(
            store,
            jixiao_web::throttle::ImportLimits {
                per_user: 2,
                ..Default::default()
            },
        );
        let (tb, wjw) = (token(&app, "tb").await, token(&app, "wjw").await);
        let fields = [("kind", "projects"), ("year", "2025")];
        let not_a_workbook: &[u8] = b"not a workbook";
        for _ in 0..2 {
            let (status, body) = upload(
                &app,
                "/api/v1/imports",
                &tb,
                &fields,
                ("p.xlsx", not_a_workbook),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        let (status, body) = upload(
            &app,
            "/api/v1/imports",
            &tb,
            &fields,
            ("p.xlsx", not_a_workbook),
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or("")
                .contains("导入过于频繁"),
            "{body}"
        );
        // Another user is not held back by it.
        let (status, _) = upload(
            &app,
            "/api/v1/imports",
            &wjw,
            &fields,
            ("p.xlsx", not_a_workbook),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}
