//! 待办 of the document workflows (SPEC §4, §16): the assessor sees the assessment assigned to
//! it, the unit its draft target, finance what was submitted for review — each only within its
//! own scope.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use tower::ServiceExt;

const REGION: &str = jixiao_demo::REGION_CODE;

async fn send(app: &Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.expect("response")
}

async fn home(app: &Router, secret: &str) -> String {
    let res = send(
        app,
        Request::builder()
            .uri("/")
            .header(header::COOKIE, format!("jixiao_sid={secret}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    String::from_utf8_lossy(
        &axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .expect("body"),
    )
    .into_owned()
}

async fn session(store: &Store, username: &str) -> (String, String) {
    let user = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .expect("user");
    jixiao_store::sessions::create(store, Some(user.id), "browser", "", "")
        .await
        .expect("session")
}

fn post(path: &str, secret: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        body.append_pair(k, v);
    }
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, format!("jixiao_sid={secret}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.finish()))
        .expect("request")
}

#[tokio::test]
async fn documents_waiting_for_a_user_are_on_their_to_do_list() {
    on_every_store(
        "documents_waiting_for_a_user_are_on_their_to_do_list",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let (jxg, jxg_csrf) = session(store, "jxg").await;
            let (jyj_tb, jyj_csrf) = session(store, "jyj_tb").await;
            let (wjw_tb, _) = session(store, "wjw_tb").await;
            let (pj, _) = session(store, "pj_tianshan").await;
            let agency = jixiao_store::users::by_username(store, "pj_tianshan")
                .await
                .expect("q")
                .expect("evaluator")
                .agency_id
                .expect("agency");
            // 教育局 proposes a project; finance assigns its assessment to the agency.
            let res = send(
                &app,
                post(
                    "/projects",
                    &jyj_tb,
                    &[
                        ("csrf", &jyj_csrf),
                        ("fiscal_year", "2024"),
                        ("name", "待办测试项目"),
                        ("budget_type", "general_public"),
                        ("category", "specific_purpose"),
                        ("continuity", "new"),
                        ("timing", "initial"),
                        ("current_wan", "800"),
                    ],
                ),
            )
            .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let project = jixiao_store::projects::list(store, REGION, 2024)
                .await
                .expect("projects")
                .into_iter()
                .find(|p| p.name == "待办测试项目")
                .expect("created")
                .id;
            let res = send(
                &app,
                post(
                    "/ex-ante",
                    &jxg,
                    &[
                        ("csrf", &jxg_csrf),
                        ("project_id", &project.to_string()),
                        ("assessor_kind", "agency"),
                        ("agency_id", &agency.to_string()),
                    ],
                ),
            )
            .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert!(
                home(&app, &pj)
                    .await
                    .contains("填写并提交事前绩效评估：待办测试项目")
            );
            // The unit starts the target: its draft is on the unit's list, not on another unit's,
            // and not on finance's until submitted.
            let res = send(
                &app,
                post(
                    "/targets",
                    &jyj_tb,
                    &[("csrf", &jyj_csrf), ("project_id", &project.to_string())],
                ),
            )
            .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert!(
                home(&app, &jyj_tb)
                    .await
                    .contains("完善并提交绩效目标：待办测试项目")
            );
            assert!(!home(&app, &wjw_tb).await.contains("待办测试项目"));
            assert!(
                !home(&app, &jxg)
                    .await
                    .contains("审核绩效目标：待办测试项目")
            );
            // A draft is the unit's own (SPEC §17): finance and leaders neither open nor list it.
            let draft = jixiao_store::targets::current_for_project(store, project)
                .await
                .expect("q")
                .expect("draft");
            let (ld, _) = session(store, "ld").await;
            let get = async |secret: &str, path: &str| {
                send(
                    &app,
                    Request::builder()
                        .uri(path)
                        .header(header::COOKIE, format!("jixiao_sid={secret}"))
                        .body(Body::empty())
                        .expect("request"),
                )
                .await
            };
            let path = format!("/targets/{}", draft.id);
            assert_eq!(get(&jyj_tb, &path).await.status(), StatusCode::OK);
            assert_eq!(get(&jxg, &path).await.status(), StatusCode::NOT_FOUND);
            assert_eq!(get(&ld, &path).await.status(), StatusCode::NOT_FOUND);
            let list = get(&jxg, "/targets?year=2024").await;
            let list = String::from_utf8_lossy(
                &axum::body::to_bytes(list.into_body(), 1 << 24)
                    .await
                    .expect("body"),
            )
            .into_owned();
            assert!(
                list.contains("共 0 条") && !list.contains("待办测试项目"),
                "finance's list leaves drafts out"
            );
        },
    )
    .await;
}
