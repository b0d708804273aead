//! 待办 of the document workflows (SPEC §4, §16): the assessor sees the assessment assigned to
//! it, the unit its draft target, finance what was submitted for review — each only within its
//! own scope.

mod common;

use axum::http::StatusCode;
use common::{browser_session, demo_app, form, get_page, page_of, post_form};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;

const REGION: &str = jixiao_demo::REGION_CODE;

#[tokio::test]
async fn documents_waiting_for_a_user_are_on_their_to_do_list() {
    on_every_store(
        "documents_waiting_for_a_user_are_on_their_to_do_list",
        async |store: &Store| {
            let app = demo_app(store).await;
            let (jxg, jxg_csrf) = browser_session(store, "jxg").await;
            let (jyj_tb, jyj_csrf) = browser_session(store, "jyj_tb").await;
            let (wjw_tb, _) = browser_session(store, "wjw_tb").await;
            let (pj, _) = browser_session(store, "pj_tianshan").await;
            let agency = jixiao_store::users::by_username(store, "pj_tianshan")
                .await
                .expect("q")
                .expect("evaluator")
                .agency_id
                .expect("agency");
            // 教育局 proposes a project; finance assigns its assessment to the agency.
            let (status, _, _) = post_form(
                &app,
                &jyj_tb,
                "/projects",
                &form(&[
                    ("csrf", &jyj_csrf),
                    ("fiscal_year", "2024"),
                    ("name", "待办测试项目"),
                    ("budget_type", "general_public"),
                    ("category", "specific_purpose"),
                    ("continuity", "new"),
                    ("timing", "initial"),
                    ("current_wan", "800"),
                ]),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let project = jixiao_store::projects::list(store, REGION, 2024)
                .await
                .expect("projects")
                .into_iter()
                .find(|p| p.name == "待办测试项目")
                .expect("created")
                .id;
            let (status, _, _) = post_form(
                &app,
                &jxg,
                "/ex-ante",
                &form(&[
                    ("csrf", &jxg_csrf),
                    ("project_id", &project.to_string()),
                    ("assessor_kind", "agency"),
                    ("agency_id", &agency.to_string()),
                ]),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert!(
                page_of(&app, &pj, "/")
                    .await
                    .contains("填写并提交事前绩效评估：待办测试项目")
            );
            // The unit starts the target: its draft is on the unit's list, not on another unit's,
            // and not on finance's until submitted.
            let (status, _, _) = post_form(
                &app,
                &jyj_tb,
                "/targets",
                &form(&[("csrf", &jyj_csrf), ("project_id", &project.to_string())]),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert!(
                page_of(&app, &jyj_tb, "/")
                    .await
                    .contains("完善并提交绩效目标：待办测试项目")
            );
            assert!(!page_of(&app, &wjw_tb, "/").await.contains("待办测试项目"));
            assert!(
                !page_of(&app, &jxg, "/")
                    .await
                    .contains("审核绩效目标：待办测试项目")
            );
            // A draft is the unit's own (SPEC §17): finance and leaders neither open nor list it.
            let draft = jixiao_store::targets::current_for_project(store, project)
                .await
                .expect("q")
                .expect("draft");
            let (ld, _) = browser_session(store, "ld").await;
            let path = format!("/targets/{}", draft.id);
            assert_eq!(get_page(&app, &jyj_tb, &path).await.0, StatusCode::OK);
            assert_eq!(get_page(&app, &jxg, &path).await.0, StatusCode::NOT_FOUND);
            assert_eq!(get_page(&app, &ld, &path).await.0, StatusCode::NOT_FOUND);
            let (_, list) = get_page(&app, &jxg, "/targets?year=2024").await;
            assert!(
                list.contains("共 0 条") && !list.contains("待办测试项目"),
                "finance's list leaves drafts out"
            );
        },
    )
    .await;
}
