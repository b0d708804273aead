//! SPEC §4: an approved target changes only through an adjustment that starts a new version;
//! until that version is approved the old one stays in force — in the annual figures, on the
//! public portal (never a draft), and for the budget gate.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use tower::ServiceExt;

const REGION: &str = jixiao_demo::REGION_CODE;

#[tokio::test]
async fn an_adjustment_under_way_leaves_the_approved_target_in_force() {
    on_every_store(
        "an_adjustment_under_way_leaves_the_approved_target_in_force",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let before = jixiao_store::report::annual_figures(store, REGION, 2023)
                .await
                .expect("figures");
            let published = jixiao_store::browse::published_projects(store, REGION, Some(2023))
                .await
                .expect("published");
            // A published 2023 target of 教育局, the demo unit users' unit.
            let user = jixiao_store::users::by_username(store, "jyj_tb")
                .await
                .expect("q")
                .expect("user");
            let unit = user.unit_id.expect("unit");
            let projects = jixiao_store::projects::list(store, REGION, 2023)
                .await
                .expect("projects");
            let project = projects
                .iter()
                .find(|p| p.unit_id == unit && published.iter().any(|x| x.id == p.id))
                .expect("a published education project");
            let target = jixiao_store::targets::current_for_project(store, project.id)
                .await
                .expect("q")
                .expect("target");
            assert_eq!(target.state, "approved");
            let (secret, csrf) =
                jixiao_store::sessions::create(store, Some(user.id), "browser", "", "")
                    .await
                    .expect("session");
            let body = format!(
                "csrf={csrf}&action=adjust&row_version={}&text={}",
                target.row_version,
                form_urlencoded::byte_serialize("下半年任务调整".as_bytes()).collect::<String>()
            );
            let res = app
                .clone()
                .oneshot(
                    Request::builder()
                        .method("POST")
                        .uri(format!("/targets/{}/action", target.id))
                        .header(header::COOKIE, format!("jixiao_sid={secret}"))
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from(body))
                        .expect("request"),
                )
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let draft = jixiao_store::targets::current_for_project(store, project.id)
                .await
                .expect("q")
                .expect("new version");
            assert_eq!((draft.version_no, draft.state.as_str()), (2, "draft"));
            assert_eq!(draft.adjustment_reason, "下半年任务调整");
            assert_eq!(
                jixiao_store::targets::indicators(store, draft.id)
                    .await
                    .expect("q")
                    .len(),
                jixiao_store::targets::indicators(store, target.id)
                    .await
                    .expect("q")
                    .len(),
                "the new version starts as a copy"
            );
            // The figures and the portal still count and show version 1.
            let after = jixiao_store::report::annual_figures(store, REGION, 2023)
                .await
                .expect("figures");
            assert_eq!(after, before);
            let shown = jixiao_store::browse::published_projects(store, REGION, Some(2023))
                .await
                .expect("published");
            assert_eq!(shown.len(), published.len());
            assert!(shown.iter().any(|x| x.id == project.id));
            // The project stays budgetable on the approved version.
            assert!(
                jixiao_store::targets::any_approved(store, project.id)
                    .await
                    .expect("q")
            );
        },
    )
    .await;
}

/// "与上一版本对比" is offered only where an earlier version exists; a first version's compare
/// link says so instead of answering 404.
#[tokio::test]
async fn compare_is_offered_only_where_a_previous_version_exists() {
    on_every_store(
        "compare_is_offered_only_where_a_previous_version_exists",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let user = jixiao_store::users::by_username(store, "jyj_tb")
                .await
                .expect("q")
                .expect("user");
            let unit = user.unit_id.expect("unit");
            let mut found = None;
            for p in jixiao_store::projects::list(store, REGION, 2023)
                .await
                .expect("projects")
                .into_iter()
                .filter(|p| p.unit_id == unit)
            {
                if let Some(t) = jixiao_store::targets::current_for_project(store, p.id)
                    .await
                    .expect("q")
                    && t.version_no == 1
                    && t.state == "approved"
                {
                    found = Some((p, t));
                    break;
                }
            }
            let (project, v1) = found.expect("an approved first version of 教育局");
            let (secret, csrf) =
                jixiao_store::sessions::create(store, Some(user.id), "browser", "", "")
                    .await
                    .expect("session");
            let send = async |method: &str, uri: String, body: String| {
                let res = app
                    .clone()
                    .oneshot(
                        Request::builder()
                            .method(method)
                            .uri(uri)
                            .header(header::COOKIE, format!("jixiao_sid={secret}"))
                            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .body(Body::from(body))
                            .expect("request"),
                    )
                    .await
                    .expect("response");
                let status = res.status();
                let location = res
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
                    .await
                    .expect("body");
                (
                    status,
                    location,
                    String::from_utf8_lossy(&bytes).into_owned(),
                )
            };
            // A first version alone: no link, and its compare URL says why.
            let (status, _, page) = send("GET", format!("/targets/{}", v1.id), String::new()).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                !page.contains("与上一版本对比"),
                "no link on a first version"
            );
            let (status, to, _) =
                send("GET", format!("/targets/{}/compare", v1.id), String::new()).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "not a 404");
            assert_eq!(to, format!("/targets/{}?done=first_version", v1.id));
            let (_, _, page) = send("GET", to, String::new()).await;
            assert!(page.contains("没有上一版本可对比"), "the page says so");

            // After an adjustment the new version compares with version 1; version 1 still has
            // nothing before it.
            let body = format!(
                "csrf={csrf}&action=adjust&row_version={}&text={}",
                v1.row_version,
                form_urlencoded::byte_serialize("任务调整".as_bytes()).collect::<String>()
            );
            let (status, _, _) = send("POST", format!("/targets/{}/action", v1.id), body).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let v2 = jixiao_store::targets::current_for_project(store, project.id)
                .await
                .expect("q")
                .expect("new version");
            assert_eq!(v2.version_no, 2);
            let (_, _, page) = send("GET", format!("/targets/{}", v2.id), String::new()).await;
            assert!(
                page.contains(&format!("/targets/{}/compare", v2.id)),
                "v2 offers it"
            );
            let (status, _, page) =
                send("GET", format!("/targets/{}/compare", v2.id), String::new()).await;
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains("第 1 版") && page.contains("第 2 版"));
            let (_, _, page) = send("GET", format!("/targets/{}", v1.id), String::new()).await;
            assert!(page.contains("全部版本"), "both versions are listed");
            assert!(
                !page.contains("与上一版本对比"),
                "v1 has no previous version"
            );
        },
    )
    .await;
}
