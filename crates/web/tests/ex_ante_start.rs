//! SPEC §5: an ex-ante assessment is started only on a project in reserve (it is what lets the
//! project into the library), by the right party, one open at a time. The JSON API refuses a
//! budgeted project with a Chinese 409, and the project page offers no start button for it: both
//! ask `jixiao_domain::ex_ante::may_start`. On SQLite and PostgreSQL.

mod common;

use axum::Router;
use axum::http::{Method, StatusCode};
use common::call;
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use serde_json::json;

const FINANCE_BUTTON: &str = "发起事前绩效评估</button>";
const UNIT_BUTTON: &str = "单位开展事前绩效评估</button>";

async fn project_page(app: &Router, cookie: &str, id: i64) -> String {
    common::page_of(app, cookie, &format!("/projects/{id}")).await
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
            let unit = common::demo_token(&app, "jyj_tb").await;
            let finance = common::demo_token(&app, "jxg").await;
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
            let finance_page = common::demo_login(&app, "jxg").await;
            let unit_page = common::demo_login(&app, "jyj_tb").await;
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
