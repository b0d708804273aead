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
