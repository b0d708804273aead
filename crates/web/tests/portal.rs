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

/// Issue 12 item 3: the portal lists published projects by unit and year with search, a page at
/// a time; hostile search text is only text.
#[tokio::test]
async fn the_portal_filters_by_unit_year_and_name() {
    on_every_store(
        "the_portal_filters_by_unit_year_and_name",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let page = async |path: &str| -> String {
                let res = app
                    .clone()
                    .oneshot(
                        Request::builder()
                            .uri(path)
                            .body(Body::empty())
                            .expect("req"),
                    )
                    .await
                    .expect("response");
                assert_eq!(res.status(), StatusCode::OK, "{path}");
                String::from_utf8_lossy(
                    &axum::body::to_bytes(res.into_body(), 1 << 24)
                        .await
                        .expect("body"),
                )
                .into_owned()
            };
            // 132 published targets and 143 results: a first page and a next one.
            let first = page("/public").await;
            assert!(first.contains("id=\"portal-search\"") && first.contains("id=\"portal-next\""));
            let cells = |html: &str| -> Vec<String> {
                html.split("<td data-label=\"单位\">")
                    .skip(1)
                    .filter_map(|s| s.split("</td>").next().map(str::to_string))
                    .collect()
            };
            assert_eq!(cells(&first).len(), 100, "50 results and 50 targets");
            let unit = "且末县教育局";
            let enc: String = form_urlencoded::byte_serialize(unit.as_bytes()).collect();
            let html = page(&format!("/public?unit={enc}&year=2023")).await;
            let units = cells(&html);
            assert!(!units.is_empty());
            assert!(units.iter().all(|u| u == unit), "{units:?}");
            assert!(
                !html.contains("<td data-label=\"年度\">2022</td>"),
                "{html}"
            );
            // Words of the name; wildcards and markup are only text.
            let named = page("/public?q=%E8%90%A5%E5%85%BB").await; // 营养
            for title in named.split("<td data-label=\"项目\">").skip(1) {
                assert!(
                    title
                        .split("</td>")
                        .next()
                        .unwrap_or_default()
                        .contains("营养")
                );
            }
            let wild = page("/public?q=%25").await;
            assert!(cells(&wild).is_empty(), "a % matches only a %");
            let hostile = page("/public?q=%3Cscript%3E").await;
            assert!(!hostile.contains("<script>"), "{hostile}");
        },
    )
    .await;
}
