//! SPEC §10, §14, §16: the record lists show what the data says, scoped, and export as .xlsx.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use tower::ServiceExt;

mod common;

#[tokio::test]
async fn result_applications_and_units_list_and_export() {
    on_every_store(
        "result_applications_and_units_list_and_export",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let get = async |user: &str, path: &str| {
                let u = jixiao_store::users::by_username(store, user)
                    .await
                    .expect("q")
                    .expect("user");
                let (secret, _) =
                    jixiao_store::sessions::create(store, Some(u.id), "browser", "", "")
                        .await
                        .expect("session");
                app.clone()
                    .oneshot(
                        Request::builder()
                            .uri(path)
                            .header(header::COOKIE, format!("jixiao_sid={secret}"))
                            .body(Body::empty())
                            .expect("req"),
                    )
                    .await
                    .expect("response")
            };
            let body = async |res: axum::http::Response<Body>| {
                String::from_utf8_lossy(
                    &axum::body::to_bytes(res.into_body(), 1 << 24)
                        .await
                        .expect("body"),
                )
                .into_owned()
            };
            // 143 project self-evaluations of 2022 → 143 recommendations for 2024 (SPEC §10).
            let res = get("jxg", "/result-applications?year=2022").await;
            assert_eq!(res.status(), StatusCode::OK);
            let html = body(res).await;
            assert!(
                html.contains("共 143 条") && html.contains("优先保障"),
                "result applications listed"
            );
            // Issue 14: the total is counted once per database version. A row removed behind
            // the application's back is counted after the next audited event (a login); the
            // rows themselves are read anew every time.
            let sql = "DELETE FROM result_applications WHERE id = \
                       (SELECT MIN(id) FROM result_applications WHERE fiscal_year = 2022)";
            match store {
                Store::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
                Store::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            }
            .expect("delete");
            let html = body(get("jxg", "/result-applications?year=2022").await).await;
            assert!(html.contains("共 143 条"), "the count of this version");
            // The last page is not full: its total is its offset and rows, never counted.
            let html = body(get("jxg", "/result-applications?year=2022&page=2").await).await;
            assert!(html.contains("共 142 条"), "the last page counts itself");
            let _ = common::demo_token(&app, "jxg").await;
            let html = body(get("jxg", "/result-applications?year=2022").await).await;
            assert!(html.contains("共 142 条"), "counted again after a change");
            // A unit user sees only its unit's.
            let html = body(get("jyj_tb", "/result-applications?year=2022").await).await;
            assert!(!html.contains("共 143 条") && html.contains("且末县教育局"));
            // Exports are real workbooks.
            for path in [
                "/result-applications/export.xlsx?year=2022",
                "/units/export.xlsx",
            ] {
                let res = get("jxg", path).await;
                assert_eq!(res.status(), StatusCode::OK, "{path}");
                assert_eq!(
                    res.headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok()),
                    Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                );
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
                    .await
                    .expect("body");
                assert!(bytes.starts_with(b"PK"), "{path} is a zip");
            }
            let html = body(get("jxg", "/units?q=教育").await).await;
            assert!(
                html.contains("且末县教育局") && html.contains("共 1 条"),
                "units filtered by name"
            );
        },
    )
    .await;
}

/// Issue 14: every sort column of every record list runs on both databases, keeps the total,
/// and pages without overlap (the list's own order breaks ties down to the id).
#[tokio::test]
async fn every_list_sorts_by_every_column_in_sql() {
    use jixiao_store::browse::{self, ListFilter, Scope};
    on_every_store(
        "every_list_sorts_by_every_column_in_sql",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let region = jixiao_demo::REGION_CODE;
            let scope = Scope::Region;
            // (list, its column count, total and the ids of one window for a filter)
            macro_rules! check {
                ($name:literal, $columns:expr, $fetch:expr) => {{
                    let all = $fetch(ListFilter::default()).await;
                    let total = all.first().map_or(0, |r| r.total);
                    assert!(total > 0, "{}: the demo has rows", $name);
                    for column in 0..$columns.len() {
                        for descending in [false, true] {
                            let window = |offset| ListFilter {
                                sort: Some((column, descending)),
                                limit: Some(3),
                                offset,
                                ..ListFilter::default()
                            };
                            let first = $fetch(window(0)).await;
                            let second = $fetch(window(3)).await;
                            assert_eq!(
                                first.first().map_or(0, |r| r.total),
                                total,
                                "{} by column {column}",
                                $name
                            );
                            for r in &second {
                                assert!(
                                    first.iter().all(|f| f.id != r.id),
                                    "{} by column {column}: pages overlap",
                                    $name
                                );
                            }
                            // Two pages in a row are the first six rows in the same order.
                            let six = $fetch(ListFilter {
                                limit: Some(6),
                                ..window(0)
                            })
                            .await;
                            let paged: Vec<i64> =
                                first.iter().chain(&second).map(|r| r.id).collect();
                            let whole: Vec<i64> = six.iter().map(|r| r.id).collect();
                            assert_eq!(paged, whole, "{} by column {column}", $name);
                        }
                    }
                }};
            }
            // Search (issue 14): names in any case, wildcards taken literally, the total of
            // the matching rows; no search reads every row.
            let all = browse::targets(store, region, &scope, &ListFilter::default())
                .await
                .expect("targets");
            let expected = all
                .iter()
                .filter(|t| t.object_name.contains("教育") || t.unit_name.contains("教育"))
                .count();
            assert!(expected > 0 && expected < all.len());
            let found = browse::targets(
                store,
                region,
                &scope,
                &ListFilter {
                    search: Some(" 教育 ".into()),
                    ..ListFilter::default()
                },
            )
            .await
            .expect("search");
            assert_eq!(found.len(), expected);
            assert_eq!(found.first().map(|t| t.total), Some(expected as i64));
            for wildcard in ["%", "_", "\\"] {
                let none = browse::targets(
                    store,
                    region,
                    &scope,
                    &ListFilter {
                        search: Some(wildcard.into()),
                        ..ListFilter::default()
                    },
                )
                .await
                .expect("wildcard");
                assert!(none.is_empty(), "{wildcard} is a character, not a pattern");
            }
            // A total the caller knows is not counted again, unless the window is not full
            // (then its rows are the last ones).
            let known = |limit| ListFilter {
                limit: Some(limit),
                known_total: Some(7),
                ..ListFilter::default()
            };
            let full = browse::targets(store, region, &scope, &known(3))
                .await
                .expect("known");
            assert_eq!(full.first().map(|t| t.total), Some(7));
            let short = browse::targets(store, region, &scope, &known(100_000))
                .await
                .expect("short");
            assert_eq!(short.first().map(|t| t.total), Some(all.len() as i64));
            check!("targets", browse::TARGET_SORT, async |f: ListFilter| {
                browse::targets(store, region, &scope, &f)
                    .await
                    .expect("targets")
            });
            check!("ex_ante", browse::EX_ANTE_SORT, async |f: ListFilter| {
                browse::ex_ante(store, region, &scope, &f)
                    .await
                    .expect("ex_ante")
            });
            check!(
                "monitoring",
                browse::MONITORING_SORT,
                async |f: ListFilter| {
                    browse::monitoring_reports(store, region, &scope, &f)
                        .await
                        .expect("monitoring")
                }
            );
            check!(
                "evaluations",
                browse::EVALUATION_SORT,
                async |f: ListFilter| {
                    browse::evaluations(store, region, &scope, &f)
                        .await
                        .expect("evaluations")
                }
            );
            check!(
                "rectifications",
                browse::RECTIFICATION_SORT,
                async |f: ListFilter| {
                    browse::rectifications(store, region, &scope, &f)
                        .await
                        .expect("rectifications")
                }
            );
            check!(
                "result_applications",
                browse::RESULT_APPLICATION_SORT,
                async |f: ListFilter| {
                    browse::result_applications(store, region, &scope, &f)
                        .await
                        .expect("result applications")
                }
            );
        },
    )
    .await;
}
