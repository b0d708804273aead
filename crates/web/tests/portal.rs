//! SPEC §12: the public portal shows published material only, without a login.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use tower::ServiceExt;

#[tokio::test]
async fn only_published_results_reach_the_public_spec_12() {
    on_every_store(
        "only_published_results_reach_the_public_spec_12",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let get = |path: String| {
                Request::builder()
                    .uri(path)
                    .body(Body::empty())
                    .expect("request")
            };
            let res = app
                .clone()
                .oneshot(get("/public".into()))
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::OK);
            let html = String::from_utf8_lossy(
                &axum::body::to_bytes(res.into_body(), 1 << 24)
                    .await
                    .expect("body"),
            )
            .into_owned();
            assert!(
                html.contains("项目绩效评价结果") && html.contains("优秀") && html.contains("良好")
            );
            // A published project self-evaluation opens with its indicators.
            let published =
                jixiao_store::browse::published_evaluations(store, jixiao_demo::REGION_CODE)
                    .await
                    .expect("published");
            assert_eq!(published.len(), 143);
            let res = app
                .clone()
                .oneshot(get(format!("/public/evaluations/{}", published[0].id)))
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::OK);
            let html = String::from_utf8_lossy(
                &axum::body::to_bytes(res.into_body(), 1 << 22)
                    .await
                    .expect("body"),
            )
            .into_owned();
            assert!(html.contains("实际完成值") && html.contains("满意度指标"));
            // A unit-overall self-evaluation is not published: the public cannot open it.
            let unpublished =
                jixiao_store::evaluations::list(store, jixiao_demo::REGION_CODE, 2023, "self")
                    .await
                    .expect("list")
                    .into_iter()
                    .find(|e| !published.iter().any(|p| p.id == e.id))
                    .expect("an unpublished evaluation");
            let res = app
                .clone()
                .oneshot(get(format!("/public/evaluations/{}", unpublished.id)))
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            let res = app
                .clone()
                .oneshot(get("/public/evaluations/99999999".into()))
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
        },
    )
    .await;
}
