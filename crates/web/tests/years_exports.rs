//! Issue 9 §6 and §9: the working year comes from the data (never a year written into the code),
//! the home page totals come from one SQL aggregate, and every export holds every row its filter
//! selects.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Reader, Xlsx};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory, Role, UnitKind};
use jixiao_store::testing::on_every_store;
use jixiao_store::{Store, projects, regions, units, users};
use tower::ServiceExt;

const REGION: &str = "652825000";

/// A fresh county (no demo) with one unit, a finance administrator `jxg` and `count` projects
/// of `year`; returns the unit and the projects' total in 分.
async fn county(store: &Store, year: i32, count: usize) -> (i64, i64) {
    let mut tx = store.begin().await.expect("begin");
    regions::insert(&mut tx, REGION, "且末县", None)
        .await
        .expect("region");
    let unit = units::insert(
        &mut tx,
        &units::NewUnit {
            region: REGION,
            code: "101001",
            name: "且末县教育局",
            parent_id: None,
            level: 1,
            kind: UnitKind::Administrative,
            finance_desk: "教科文股",
        },
    )
    .await
    .expect("unit");
    let hash = users::hash_password("Fresh#2025x").expect("hash");
    users::insert(
        &mut tx,
        &users::NewUser {
            region: REGION,
            username: "jxg",
            display_name: "绩效股",
            password_hash: &hash,
            unit_id: None,
            agency_id: None,
            must_change_password: false,
            roles: &[Role::FinanceAdmin],
        },
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    let total = add_projects(store, unit, year, count, 0).await;
    (unit, total)
}

/// Adds `count` projects of `year` with amounts that differ (1 234.56 元 upwards); returns
/// their total in 分.
async fn add_projects(store: &Store, unit: i64, year: i32, count: usize, from: usize) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let mut total = 0;
    for i in from..from + count {
        let fen = 123_456 + 7_919 * i as i64;
        total += fen;
        let code = format!("P{year}{i:05}");
        let name = format!("项目{i}");
        projects::insert(
            &mut tx,
            &projects::NewProject {
                region: REGION,
                fiscal_year: year,
                code: &code,
                name: &name,
                unit_id: unit,
                is_policy: false,
                budget_type: BudgetType::GeneralPublic,
                category: ProjectCategory::SpecificPurpose,
                continuity: Continuity::New,
                timing: BudgetTiming::Initial,
                start_year: year,
                end_year: year,
                current: Fen(fen),
                carryover: Fen::ZERO,
                other: Fen::ZERO,
                is_major: false,
                library_status: "in_library",
                previous_project_id: None,
            },
        )
        .await
        .expect("project");
    }
    tx.commit().await.expect("commit");
    total
}

async fn get(store: &Store, app: &Router, path: &str) -> (StatusCode, Vec<u8>) {
    let user = users::by_username(store, "jxg")
        .await
        .expect("query")
        .expect("jxg");
    let (secret, _) = jixiao_store::sessions::create(store, Some(user.id), "browser", "", "")
        .await
        .expect("session");
    let res = app
        .clone()
        .oneshot(
            Request::builder()
                .uri(path)
                .header(header::COOKIE, format!("jixiao_sid={secret}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .expect("body");
    (status, body.to_vec())
}

async fn html(store: &Store, app: &Router, path: &str) -> String {
    let (status, body) = get(store, app, path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    without_csrf_token(String::from_utf8(body).expect("utf-8"))
}

/// The page with its random CSRF token masked, so that a check for a year
/// such as "2023" cannot match four digits of the token by chance.
fn without_csrf_token(page: String) -> String {
    let marker = "<meta name=\"csrf-token\" content=\"";
    let Some(start) = page.find(marker).map(|i| i + marker.len()) else {
        return page;
    };
    let token = &page[start..start + page[start..].find('"').expect("closing quote")];
    if token.is_empty() {
        return page;
    }
    page.replace(token, "CSRF-TOKEN")
}

/// The data rows of an exported list (below its title and header rows).
fn data_rows(xlsx: Vec<u8>) -> Vec<Vec<String>> {
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).expect("sheet");
    range
        .rows()
        .skip(2)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn project_export_holds_every_project_past_500() {
    on_every_store(
        "project_export_holds_every_project_past_500",
        async |store: &Store| {
            county(store, 2025, 650).await;
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let page = html(store, &app, "/projects?year=2025").await;
            assert!(page.contains("650"), "the page counts 650 projects");
            let (status, xlsx) = get(store, &app, "/projects/export.xlsx?year=2025").await;
            assert_eq!(status, StatusCode::OK);
            let rows = data_rows(xlsx);
            assert_eq!(rows.len(), 650, "every project is exported");
            let mut codes: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), 650, "no project twice");
            // Sorted by amount, the chunks still join without gaps or repeats.
            let (_, xlsx) = get(store, &app, "/projects/export.xlsx?year=2025&sort=amount").await;
            let rows = data_rows(xlsx);
            let mut codes: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), 650);
        },
    )
    .await;
}

#[tokio::test]
async fn a_long_list_pages_in_sql_and_its_export_holds_every_row() {
    on_every_store(
        "list_export_holds_every_row_past_the_page_cap",
        async |store: &Store| {
            let (unit, _) = county(store, 2025, 1).await;
            let mut tx = store.begin().await.expect("begin");
            for i in 0..2_050 {
                jixiao_store::rectifications::insert(
                    &mut tx,
                    &jixiao_store::rectifications::NewRectification {
                        region: REGION,
                        fiscal_year: 2025,
                        unit_id: unit,
                        project_id: None,
                        source_kind: "review",
                        source_id: None,
                        problem: &format!("问题{i}"),
                        requirement: "整改",
                        deadline: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
                        state: "issued",
                        response: "",
                        warning_kind: "",
                    },
                )
                .await
                .expect("rectification");
            }
            tx.commit().await.expect("commit");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let page = html(store, &app, "/rectifications?year=2025").await;
            // The page counts every row and pages in the database (issue 14): no cap.
            assert!(
                page.contains("共 2050 条，第 1 / 21 页"),
                "the page counts every row"
            );
            assert_eq!(
                page.matches("/rectifications/").count()
                    - page.matches("/rectifications/export").count(),
                100,
                "one page of rows"
            );
            // Sorted by the 问题 column, descending, in SQL: the largest text first.
            let sorted = html(
                store,
                &app,
                "/rectifications?year=2025&sort=4&dir=desc&page=1",
            )
            .await;
            let first = sorted.find("问题999").expect("问题999 on the first page");
            assert!(
                sorted.find("问题998").is_some_and(|next| next > first),
                "in order"
            );
            // The last page holds the rest, and a page past the end shows the last one.
            let last = html(store, &app, "/rectifications?year=2025&page=21").await;
            assert!(last.contains("第 21 / 21 页"));
            let past = html(store, &app, "/rectifications?year=2025&page=99").await;
            assert!(
                past.contains("第 21 / 21 页"),
                "past the end: the last page"
            );
            // The API pages too and says the total: nothing is cut off silently.
            let jxg = users::by_username(store, "jxg")
                .await
                .expect("query")
                .expect("jxg");
            let (token, _) = jixiao_store::sessions::create(store, Some(jxg.id), "api", "", "")
                .await
                .expect("token");
            let api = async |path: &str| {
                let res = app
                    .clone()
                    .oneshot(
                        Request::builder()
                            .uri(path)
                            .header(header::AUTHORIZATION, format!("Bearer {token}"))
                            .body(Body::empty())
                            .expect("request"),
                    )
                    .await
                    .expect("response");
                let status = res.status();
                let total = res
                    .headers()
                    .get("x-total-count")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let body = axum::body::to_bytes(res.into_body(), 1 << 24)
                    .await
                    .expect("body");
                (
                    status,
                    total,
                    serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default(),
                )
            };
            let (status, total, rows) = api("/api/v1/rectifications?year=2025").await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(total.as_deref(), Some("2050"));
            assert_eq!(rows.as_array().map(Vec::len), Some(100), "a default page");
            let (_, _, rows) = api("/api/v1/rectifications?year=2025&per_page=2000").await;
            assert_eq!(
                rows.as_array().map(Vec::len),
                Some(2000),
                "the largest page"
            );
            let (_, total, rows) =
                api("/api/v1/rectifications?year=2025&per_page=100&page=21").await;
            assert_eq!(total.as_deref(), Some("2050"));
            assert_eq!(rows.as_array().map(Vec::len), Some(50), "the last page");
            let (status, _, _) = api("/api/v1/rectifications?per_page=0").await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            let (status, xlsx) = get(store, &app, "/rectifications/export.xlsx?year=2025").await;
            assert_eq!(status, StatusCode::OK);
            let rows = data_rows(xlsx);
            assert_eq!(rows.len(), 2_050, "the export is not capped");
            let mut problems: Vec<&str> = rows.iter().map(|r| r[4].as_str()).collect();
            problems.sort_unstable();
            problems.dedup();
            assert_eq!(problems.len(), 2_050, "no row twice");
        },
    )
    .await;
}

#[tokio::test]
async fn home_totals_past_500_projects_equal_the_sql_sum() {
    on_every_store(
        "home_totals_past_500_projects_equal_the_sql_sum",
        async |store: &Store| {
            let (_, total) = county(store, 2025, 650).await;
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let home = html(store, &app, "/").await;
            assert!(home.contains("2025 年度项目"), "{home}");
            assert!(home.contains("650 个"));
            let amount = format!("{} 万元", Fen(total).wan_2dp());
            assert!(home.contains(&amount), "home shows {amount}");
            let sum: i64 = match store {
                Store::Sqlite(p) => sqlx::query_scalar(
                    "SELECT CAST(SUM(current_fen + carryover_fen + other_fen) AS BIGINT) FROM projects",
                )
                .fetch_one(p)
                .await
                .expect("sum"),
                Store::Postgres(p) => sqlx::query_scalar(
                    "SELECT CAST(SUM(current_fen + carryover_fen + other_fen) AS BIGINT) FROM projects",
                )
                .fetch_one(p)
                .await
                .expect("sum"),
            };
            assert_eq!(sum, total);
        },
    )
    .await;
}

#[tokio::test]
async fn a_fresh_database_works_in_the_year_of_its_data() {
    on_every_store(
        "a_fresh_database_works_in_the_year_of_its_data",
        async |store: &Store| {
            let (unit, _) = county(store, 2025, 3).await;
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let dashboard = html(store, &app, "/dashboard").await;
            assert!(dashboard.contains("2025 年度绩效看板"), "{dashboard}");
            assert!(!dashboard.contains("2023"), "no demo year");
            assert!(dashboard.contains("/dashboard/charts/grades.json?year=2025"));
            let home = html(store, &app, "/").await;
            assert!(home.contains("2025 年度项目") && home.contains("3 个"));
            assert!(!home.contains("2023"));
            let imports = html(store, &app, "/imports").await;
            assert!(imports.contains("2025"), "the upload form proposes 2025");
            assert!(!imports.contains("2023"));

            // ?year= picks another year of the data; a year without data falls back.
            add_projects(store, unit, 2024, 2, 10).await;
            let dashboard = html(store, &app, "/dashboard?year=2024").await;
            assert!(dashboard.contains("2024 年度绩效看板"));
            let dashboard = html(store, &app, "/dashboard?year=1999").await;
            assert!(dashboard.contains("2025 年度绩效看板"));
            let home = html(store, &app, "/?year=2024").await;
            assert!(home.contains("2024 年度项目") && home.contains("2 个"));
            let (status, _) = get(store, &app, "/dashboard/charts/grades.json?year=2024").await;
            assert_eq!(status, StatusCode::OK);
        },
    )
    .await;
}
