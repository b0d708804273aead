//! SPEC §1: every route of the router, for every role and for an anonymous visitor, answers as
//! its row of the access matrix says. The matrix is built with the router, so a route cannot
//! exist without a row; this test walks all rows.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use jixiao_domain::types::Role;
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use jixiao_web::access::Access;
use tower::ServiceExt;

/// A logged-in session for a demo user: (cookie secret, csrf token).
async fn session_for(store: &Store, username: &str) -> (String, String) {
    let user = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .expect("demo user");
    jixiao_store::sessions::create(store, Some(user.id), "browser", "127.0.0.1", "test")
        .await
        .expect("session")
}

/// The demo login holding `role`.
fn login_of(role: Role) -> &'static str {
    jixiao_demo::logins()
        .into_iter()
        .find(|l| l.role == role)
        .map(|l| l.username)
        .expect("a demo login per role")
}

/// Ids of records of 且末县教育局 (the demo unit users' unit) for each kind of `{id}` route.
struct Ids {
    project: i64,
    task: i64,
    rectification: i64,
    evaluation: i64,
    report: i64,
    target: i64,
    ex_ante: i64,
    round: i64,
}

fn concrete(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/evaluations/rounds/")
        || path.starts_with("/api/v1/evaluation-rounds/")
    {
        ids.round
    } else if path.starts_with("/evaluations/") {
        ids.evaluation
    } else if path.starts_with("/monitoring/tasks/")
        || path.starts_with("/api/v1/monitoring-tasks/")
    {
        ids.task
    } else if path.starts_with("/rectifications/") || path.starts_with("/api/v1/rectifications/") {
        ids.rectification
    } else if path.starts_with("/monitoring/") {
        ids.report
    } else if path.starts_with("/targets/") {
        ids.target
    } else if path.starts_with("/ex-ante/") {
        ids.ex_ante
    } else {
        ids.project
    };
    path.replace("{id}", &id.to_string())
        .replace("{year}", "2023")
        .replace("{att}", "1")
        .replace("{*path}", "app.css")
        .replace("{name}", "grades.json")
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says_spec_1() {
    on_every_store(
        "every_route_answers_every_role_as_the_matrix_says_spec_1",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            // A project of 且末县教育局, the unit of the demo unit users.
            let education = jixiao_store::units::list(store, jixiao_demo::REGION_CODE)
                .await
                .expect("units")
                .into_iter()
                .find(|u| u.name == "且末县教育局")
                .expect("教育局");
            let project = jixiao_store::projects::list(store, jixiao_demo::REGION_CODE, 2023)
                .await
                .expect("projects")
                .into_iter()
                .find(|p| p.unit_id == education.id)
                .expect("an education project")
                .id;
            let scope = jixiao_store::browse::Scope::Units(vec![education.id]);
            let filter = jixiao_store::browse::ListFilter::default();
            // The project's target, and an ex-ante assessment the unit makes of it.
            let target = jixiao_store::targets::current_for_project(store, project)
                .await
                .expect("target")
                .expect("the demo project has a target")
                .id;
            let mut tx = store.begin().await.expect("tx");
            let ex_ante = jixiao_store::ex_ante::insert(
                &mut tx,
                &jixiao_store::ex_ante::NewExAnte {
                    region: jixiao_demo::REGION_CODE,
                    fiscal_year: 2023,
                    object_kind: "project",
                    project_id: Some(project),
                    object_name: "教育项目",
                    amount: jixiao_domain::Fen(100),
                    assessor_kind: "unit",
                    engagement_id: None,
                    state: "draft",
                    total_x100: None,
                    conclusion: None,
                    suggestions: "",
                    scores: vec![],
                },
            )
            .await
            .expect("ex-ante");
            tx.commit().await.expect("commit");
            // A monitoring task of 2023, and an issued notice of 教育局 (a unit sees issued ones).
            let task = jixiao_store::monitoring::tasks(store, jixiao_demo::REGION_CODE, 2023)
                .await
                .expect("tasks")[0]
                .id;
            let mut tx = store.begin().await.expect("begin");
            let rectification = jixiao_store::rectifications::insert(
                &mut tx,
                &jixiao_store::rectifications::NewRectification {
                    region: jixiao_demo::REGION_CODE,
                    fiscal_year: 2023,
                    unit_id: education.id,
                    project_id: Some(project),
                    source_kind: "review",
                    source_id: None,
                    problem: "资料不全",
                    requirement: "补齐资料",
                    deadline: chrono::NaiveDate::from_ymd_opt(2099, 1, 1).expect("date"),
                    state: "issued",
                    response: "",
                    warning_kind: "",
                },
            )
            .await
            .expect("an education notice");
            tx.commit().await.expect("commit");
            let round =
                jixiao_store::self_evaluation::round_of_year(store, jixiao_demo::REGION_CODE, 2022)
                    .await
                    .expect("rounds")
                    .expect("the demo's 2022 round");
            let ids = Ids {
                round,
                target,
                ex_ante,
                project,
                task,
                rectification,
                evaluation: jixiao_store::browse::evaluations(
                    store,
                    jixiao_demo::REGION_CODE,
                    &scope,
                    &filter,
                )
                .await
                .expect("evaluations")[0]
                    .id,
                report: jixiao_store::browse::monitoring_reports(
                    store,
                    jixiao_demo::REGION_CODE,
                    &scope,
                    &filter,
                )
                .await
                .expect("reports")[0]
                    .id,
            };
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let matrix = jixiao_web::route_matrix();
            assert!(matrix.rows().len() >= 15, "the matrix lists every route");
            let mut checked = 0;
            for row in matrix.rows() {
                let path = concrete(row.path, &ids);
                // Anonymous.
                let mut req = Request::builder().method(row.method.clone()).uri(&path);
                if row.path.starts_with("/api/") && row.method == Method::POST {
                    req = req.header(header::CONTENT_TYPE, "application/json");
                }
                let res = app
                    .clone()
                    .oneshot(req.body(Body::from("{}")).expect("request"))
                    .await
                    .expect("response");
                let status = res.status();
                match row.access {
                    Access::Public => assert_ne!(
                        status,
                        StatusCode::UNAUTHORIZED,
                        "{} {path} anonymous",
                        row.method
                    ),
                    _ => assert!(
                        status == StatusCode::UNAUTHORIZED
                            || status == StatusCode::SEE_OTHER
                            || status == StatusCode::FORBIDDEN,
                        "{} {path} anonymous got {status}",
                        row.method
                    ),
                }
                if row.path.starts_with("/api/") {
                    // The API is reached with bearer tokens; the page sessions below do not apply.
                    continue;
                }
                for role in Role::ALL {
                    let (secret, csrf) = session_for(store, login_of(*role)).await;
                    let req = Request::builder()
                        .method(row.method.clone())
                        .uri(&path)
                        .header(header::COOKIE, format!("jixiao_sid={secret}"))
                        .header("x-csrf-token", &csrf)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from(format!("csrf={csrf}")))
                        .expect("request");
                    let status = app.clone().oneshot(req).await.expect("response").status();
                    // The route may be open to a role whose data scope still excludes the record: the
                    // evaluator's agency has no engagement on this education project.
                    let out_of_scope = row.path.contains("{id}")
                        && *role == Role::Evaluator
                        && row.access != Access::Public;
                    let allowed = row.access.allows(&[*role]) && !out_of_scope;
                    // The ex-ante record is the unit's draft: a leader reads approved material
                    // only (SPEC §1), and region-wide readers get "not found" for what they may
                    // not see.
                    if allowed
                        && *role == Role::Viewer
                        && row.method == Method::GET
                        && row.path.starts_with("/ex-ante/{id}")
                    {
                        assert_eq!(status, StatusCode::NOT_FOUND, "{path} as viewer");
                    }
                    if allowed {
                        assert_ne!(
                            status,
                            StatusCode::FORBIDDEN,
                            "{} {path} as {} should be allowed",
                            row.method,
                            role.code()
                        );
                        assert_ne!(
                            status,
                            StatusCode::UNAUTHORIZED,
                            "{} {path} as {}",
                            row.method,
                            role.code()
                        );
                    } else {
                        assert_eq!(
                            status,
                            StatusCode::FORBIDDEN,
                            "{} {path} as {} should be refused",
                            row.method,
                            role.code()
                        );
                    }
                    checked += 1;
                }
            }
            assert!(checked > 50);

            // Issue 15: each computed figure on a form links to its rule on 规则说明.
            // The ex-ante draft is the unit's own, so its preparer opens it.
            for (role, path, anchors) in [
                (
                    Role::FinanceAdmin,
                    format!("/evaluations/{}", ids.evaluation),
                    &["s8-3", "s8-5"][..],
                ),
                (
                    Role::FinanceAdmin,
                    format!("/monitoring/{}", ids.report),
                    &["s7"][..],
                ),
                (
                    Role::FinanceAdmin,
                    format!("/targets/{}", ids.target),
                    &["s6-3"][..],
                ),
                (
                    Role::UnitPreparer,
                    format!("/ex-ante/{}", ids.ex_ante),
                    &["s5"][..],
                ),
            ] {
                let (secret, _) = session_for(store, login_of(role)).await;
                let req = Request::builder()
                    .uri(&path)
                    .header(header::COOKIE, format!("jixiao_sid={secret}"))
                    .body(Body::empty())
                    .expect("request");
                let res = app.clone().oneshot(req).await.expect("response");
                assert_eq!(res.status(), StatusCode::OK, "{path}");
                let body = axum::body::to_bytes(res.into_body(), 1 << 24)
                    .await
                    .expect("body");
                let html = String::from_utf8_lossy(&body);
                for anchor in anchors {
                    assert!(
                        html.contains(&format!("href=\"/rules#{anchor}\"")),
                        "{path} links to /rules#{anchor}"
                    );
                }
            }
        },
    )
    .await;
}

#[tokio::test]
async fn a_unit_user_cannot_open_another_units_project_spec_1() {
    on_every_store(
        "a_unit_user_cannot_open_another_units_project_spec_1",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let units = jixiao_store::units::list(store, jixiao_demo::REGION_CODE)
                .await
                .expect("units");
            let education = units
                .iter()
                .find(|u| u.name == "且末县教育局")
                .expect("教育局")
                .id;
            let projects = jixiao_store::projects::list(store, jixiao_demo::REGION_CODE, 2023)
                .await
                .expect("projects");
            let own = projects
                .iter()
                .find(|p| p.unit_id == education)
                .expect("own")
                .id;
            let other = projects
                .iter()
                .find(|p| p.unit_id != education)
                .expect("other")
                .id;
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let (secret, _) = session_for(store, "jyj_tb").await;
            let get = |path: String| {
                Request::builder()
                    .uri(path)
                    .header(header::COOKIE, format!("jixiao_sid={secret}"))
                    .body(Body::empty())
                    .expect("request")
            };
            let res = app
                .clone()
                .oneshot(get(format!("/projects/{own}")))
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::OK);
            let res = app
                .clone()
                .oneshot(get(format!("/projects/{other}")))
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            // A project that does not exist looks the same as one of another unit.
            let res = app
                .clone()
                .oneshot(get("/projects/999999".into()))
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            // The list shows only the unit's own projects.
            let res = app
                .clone()
                .oneshot(get("/projects?year=2023".into()))
                .await
                .expect("response");
            let body = axum::body::to_bytes(res.into_body(), 1 << 22)
                .await
                .expect("body");
            let html = String::from_utf8_lossy(&body);
            assert!(html.contains(&format!("/projects/{own}\"")));
            assert!(!html.contains(&format!("/projects/{other}\"")));
        },
    )
    .await;
}
