//! Issue 14, regions above the county: a prefecture (州) reads the roll-up of its counties and
//! may look into one of them read-only, never into another prefecture's; a county cannot look
//! up or sideways; an administrator adds a subordinate region with its first administrator.
//!
//! The tree: the demo's 巴音郭楞蒙古自治州 over 且末县 (the demo county) and a second county
//! 若羌县 with one library project; and 阿克苏地区 over 阿克苏市, another prefecture with its own
//! finance office. Runs on SQLite, and on PostgreSQL when `JIXIAO_TEST_POSTGRES_URL` is set.

mod common;

use axum::Router;
use axum::http::{Method, StatusCode, header};
use common::{call, csrf_of, demo_token, enc, get, page_of, post_form, session_cookie};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory, Role, UnitKind};
use jixiao_store::Store;
use jixiao_store::browse::Scope;
use jixiao_store::testing::on_every_store;
use serde_json::{Value, json};

const ZHOU: &str = jixiao_demo::PARENT_CODE;
const QIEMO: &str = jixiao_demo::REGION_CODE;
const RUOQIANG: &str = "652824000";
const AKESU: &str = "652900000";
const AKESU_CITY: &str = "652901000";

/// Adds 若羌县 under the prefecture with one library project of 300 万元, and 阿克苏地区 with
/// 阿克苏市 and a finance user `aks` of the prefecture.
async fn tree(store: &Store) {
    jixiao_demo::load(store, &mut |_, _, _| {})
        .await
        .expect("the demo loads");
    let hash = jixiao_store::users::hash_password(jixiao_demo::DEMO_PASSWORD).expect("hash");
    let qiemo_unit = jixiao_store::units::list(store, QIEMO)
        .await
        .expect("units")[0]
        .id;
    let mut tx = store.begin().await.expect("tx");
    jixiao_store::regions::insert(&mut tx, RUOQIANG, "若羌县", Some(ZHOU))
        .await
        .expect("county");
    jixiao_store::regions::insert(&mut tx, AKESU, "阿克苏地区", None)
        .await
        .expect("prefecture");
    jixiao_store::regions::insert(&mut tx, AKESU_CITY, "阿克苏市", Some(AKESU))
        .await
        .expect("city");
    let unit = jixiao_store::units::insert(
        &mut tx,
        &jixiao_store::units::NewUnit {
            region: RUOQIANG,
            code: "201",
            name: "若羌县水利局",
            parent_id: None,
            level: 1,
            kind: UnitKind::Administrative,
            finance_desk: "",
        },
    )
    .await
    .expect("unit");
    for (region, unit, code, status) in [
        (RUOQIANG, unit, "RQ-1", "in_library"),
        (RUOQIANG, unit, "RQ-2", "reserve"),
        (QIEMO, qiemo_unit, "QM-R", "reserve"),
    ] {
        jixiao_store::projects::insert(
            &mut tx,
            &jixiao_store::projects::NewProject {
                region,
                fiscal_year: 2023,
                code,
                name: "若羌县农田水利配套项目",
                unit_id: unit,
                is_policy: false,
                budget_type: BudgetType::GeneralPublic,
                category: ProjectCategory::SpecificPurpose,
                continuity: Continuity::New,
                timing: BudgetTiming::Initial,
                start_year: 2023,
                end_year: 2023,
                current: Fen(300_000_000),
                carryover: Fen(0),
                other: Fen(0),
                is_major: false,
                library_status: status,
                previous_project_id: None,
            },
        )
        .await
        .expect("project");
    }
    for (region, username, role) in [
        (AKESU, "aks", Role::FinanceAdmin),
        (ZHOU, "bz_admin", Role::Sysadmin),
    ] {
        jixiao_store::users::insert(
            &mut tx,
            &jixiao_store::users::NewUser {
                region,
                username,
                display_name: username,
                password_hash: &hash,
                unit_id: None,
                agency_id: None,
                must_change_password: false,
                roles: &[role],
            },
        )
        .await
        .expect("user");
    }
    tx.commit().await.expect("commit");
}

fn app(store: &Store) -> Router {
    jixiao_web::router(store.clone(), jixiao_web::WebConfig::default())
}

/// A GET with a bearer token and `X-Jixiao-Region`.
async fn get_in(app: &Router, uri: &str, token: &str, region: &str) -> (StatusCode, Value) {
    let req = axum::http::Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("X-Jixiao-Region", region)
        .body(axum::body::Body::empty())
        .expect("request");
    let (status, _, bytes) = common::send(app, req).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn row<'a>(rollup: &'a Value, code: &str) -> &'a Value {
    rollup["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code} in {rollup}"))
}

#[tokio::test]
async fn a_prefecture_reads_the_rollup_of_its_counties_and_nothing_of_another_prefecture() {
    on_every_store(
        "a_prefecture_reads_the_rollup_of_its_counties_and_nothing_of_another_prefecture",
        async |store: &Store| {
            tree(store).await;
            let app = app(store);
            let bz = demo_token(&app, "bz_jxk").await;
            let (status, rollup) = get(&app, "/api/v1/regions/rollup", &bz).await;
            assert_eq!(status, StatusCode::OK, "{rollup}");
            assert_eq!(rollup["region"], ZHOU);
            let year = rollup["year"].as_i64().expect("year") as i32;
            assert_eq!(year, 2023, "the latest year of the subtree's data");
            let codes: Vec<&str> = rollup["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| r["code"].as_str().expect("code"))
                .collect();
            assert_eq!(
                codes,
                vec![ZHOU, RUOQIANG, QIEMO],
                "本级 first, then by code"
            );
            assert!(!rollup.to_string().contains(AKESU_CITY));

            // 且末县's row is what its own leaders' dashboard counts.
            let h = jixiao_store::dashboard::headline(store, QIEMO, year, &Scope::Published)
                .await
                .expect("headline");
            let qiemo = row(&rollup, QIEMO);
            assert!(h.projects > 100, "{h:?}");
            assert_eq!(qiemo["projects"], h.projects);
            assert_eq!(qiemo["project_fen"], h.project_fen);
            assert_eq!(qiemo["monitoring_reports"], h.monitoring_reports);
            assert_eq!(qiemo["red_warnings"], h.red_warnings);
            assert_eq!(qiemo["self_evaluations"], h.self_evaluations);
            assert_eq!(qiemo["open_rectifications"], h.open_rectifications);
            let graded: i64 = qiemo["grades"]
                .as_object()
                .expect("grades")
                .values()
                .map(|v| v.as_i64().expect("count"))
                .sum();
            assert_eq!(graded, h.self_evaluations);
            // 若羌县: the library project counts, the reserve one does not.
            let rq = row(&rollup, RUOQIANG);
            assert_eq!(rq["projects"], 1);
            assert_eq!(rq["project_fen"], 300_000_000);
            assert_eq!(rq["units"], 1);
            assert_eq!(row(&rollup, ZHOU)["projects"], 0);

            // The page shows the same, with a way into each county.
            let bz_cookie = session_cookie(store, "bz_jxk").await;
            let html = page_of(&app, &bz_cookie, "/regions").await;
            assert!(html.contains("若羌县") && html.contains("且末县"), "{html}");
            assert!(html.contains("id=\"view-652825000\""), "{html}");
            assert!(!html.contains("阿克苏"), "{html}");
            assert!(
                html.contains("区划汇总"),
                "the navigation offers the roll-up"
            );

            // The roll-up is computed once per database version (the latest audit entry): a
            // change made behind the application's back shows after the next audited event.
            let sql = "UPDATE projects SET current_fen = current_fen + 100 WHERE region_code = $1";
            match store {
                Store::Sqlite(p) => sqlx::query(sql).bind(RUOQIANG).execute(p).await.map(|_| ()),
                Store::Postgres(p) => sqlx::query(sql).bind(RUOQIANG).execute(p).await.map(|_| ()),
            }
            .expect("update");
            let (_, cached) = get(&app, "/api/v1/regions/rollup", &bz).await;
            assert_eq!(row(&cached, RUOQIANG)["project_fen"], 300_000_000);
            let _ = demo_token(&app, "jxg").await; // a login is audited
            let (_, fresh) = get(&app, "/api/v1/regions/rollup", &bz).await;
            assert_eq!(row(&fresh, RUOQIANG)["project_fen"], 300_000_100);

            // The prefecture's annual report covers its counties, one table row per county.
            let reports = page_of(&app, &bz_cookie, "/reports").await;
            assert!(reports.contains("/reports/annual/2023"), "{reports}");
            let report = page_of(&app, &bz_cookie, "/reports/annual/2023").await;
            assert!(report.contains("本级及所辖地区"), "{report}");
            assert!(report.contains("各地区"), "{report}");
            assert!(report.contains("且末县") && report.contains("若羌县"));
            assert!(!report.contains("阿克苏"));

            // The other prefecture sees its own city, and none of 巴州.
            let aks = demo_token(&app, "aks").await;
            let (status, theirs) = get(&app, "/api/v1/regions/rollup", &aks).await;
            assert_eq!(status, StatusCode::OK);
            assert!(theirs.to_string().contains(AKESU_CITY));
            assert!(!theirs.to_string().contains(QIEMO), "{theirs}");
            let (status, _) = get_in(&app, "/api/v1/projects", &aks, QIEMO).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "another prefecture's county");
            let (status, tree) = get(&app, "/api/v1/regions", &aks).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(tree.as_array().map(Vec::len), Some(2), "{tree}");

            // A county reads no roll-up of anyone else and cannot look up or sideways.
            let jxg = demo_token(&app, "jxg").await;
            for region in [ZHOU, RUOQIANG, AKESU_CITY] {
                let (status, body) = get_in(&app, "/api/v1/projects", &jxg, region).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{region}: {body}");
            }
            let (_, own) = get(&app, "/api/v1/regions/rollup", &jxg).await;
            assert_eq!(own["rows"].as_array().map(Vec::len), Some(1), "{own}");
            let jxg_cookie = session_cookie(store, "jxg").await;
            let home = page_of(&app, &jxg_cookie, "/").await;
            assert!(
                !home.contains("href=\"/regions\""),
                "no roll-up link for a county"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn looking_into_a_county_is_read_only_and_published_material_only() {
    on_every_store(
        "looking_into_a_county_is_read_only_and_published_material_only",
        async |store: &Store| {
            tree(store).await;
            let app = app(store);
            let bz = session_cookie(store, "bz_jxk").await;
            let csrf = csrf_of(&page_of(&app, &bz, "/regions").await);

            // Another prefecture's county is refused, and nothing changes.
            let (status, _, _) = post_form(
                &app,
                &bz,
                "/regions/view",
                &format!("csrf={}&code={AKESU_CITY}", enc(&csrf)),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let html = page_of(&app, &bz, "/dashboard").await;
            assert!(!html.contains("viewing-banner"), "still at home");

            let (status, location, _) = post_form(
                &app,
                &bz,
                "/regions/view",
                &format!("csrf={}&code={QIEMO}", enc(&csrf)),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert_eq!(location.as_deref(), Some("/dashboard"));
            let html = page_of(&app, &bz, "/dashboard").await;
            assert!(html.contains("viewing-banner") && html.contains("且末县"), "{html}");

            // The county's library projects open; its reserve projects do not exist for a
            // reader of published material.
            let reserve: i64 = match store {
                Store::Sqlite(p) => sqlx::query_scalar(
                    "SELECT id FROM projects WHERE region_code = $1 AND library_status = 'reserve' LIMIT 1",
                )
                .bind(QIEMO)
                .fetch_one(p)
                .await,
                Store::Postgres(p) => sqlx::query_scalar(
                    "SELECT id FROM projects WHERE region_code = $1 AND library_status = 'reserve' LIMIT 1",
                )
                .bind(QIEMO)
                .fetch_one(p)
                .await,
            }
            .expect("a reserve project");
            let req = axum::http::Request::builder()
                .uri(format!("/projects/{reserve}"))
                .header(header::COOKIE, &bz)
                .body(axum::body::Body::empty())
                .expect("req");
            let (status, _, _) = common::send(&app, req).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let list = page_of(&app, &bz, "/projects").await;
            assert!(list.contains("且末县"), "the county's list");

            // Nothing may be written there.
            let (status, _, _) = post_form(
                &app,
                &bz,
                "/projects",
                &format!("csrf={}&name=x", enc(&csrf)),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);

            // The audit log names the real user.
            let audited: i64 = match store {
                Store::Sqlite(p) => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'region.view' AND username = 'bz_jxk' AND object_id = $1",
                )
                .bind(QIEMO)
                .fetch_one(p)
                .await,
                Store::Postgres(p) => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'region.view' AND username = 'bz_jxk' AND object_id = $1",
                )
                .bind(QIEMO)
                .fetch_one(p)
                .await,
            }
            .expect("audit");
            assert_eq!(audited, 1);

            // Back home.
            let (status, _, _) = post_form(
                &app,
                &bz,
                "/regions/view",
                &format!("csrf={}&code=", enc(&csrf)),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let html = page_of(&app, &bz, "/dashboard").await;
            assert!(!html.contains("viewing-banner"), "{html}");

            // The API looks in per request, with the same rule.
            let token = demo_token(&app, "bz_jxk").await;
            let (status, projects) = get_in(&app, "/api/v1/projects", &token, QIEMO).await;
            assert_eq!(status, StatusCode::OK, "{projects}");
            assert!(projects["total"].as_i64().is_some_and(|n| n > 100), "{projects}");
            let (status, own) = get(&app, "/api/v1/projects", &token).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(own["total"], 0, "the prefecture's own level");
            let req = axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/projects")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header("X-Jixiao-Region", QIEMO)
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(
                    json!({
                        "fiscal_year": 2023, "name": "越级新增项目", "budget_type": "general_public",
                        "category": "specific_purpose", "continuity": "new", "timing": "initial",
                        "current_wan": "60",
                    })
                    .to_string(),
                ))
                .expect("req");
            let (status, _, _) = common::send(&app, req).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "no writing in a county");
        },
    )
    .await;
}

#[tokio::test]
async fn an_administrator_adds_a_subordinate_region_with_its_first_administrator() {
    on_every_store(
        "an_administrator_adds_a_subordinate_region_with_its_first_administrator",
        async |store: &Store| {
            tree(store).await;
            let app = app(store);
            let admin = session_cookie(store, "bz_admin").await;
            let page = page_of(&app, &admin, "/admin/regions").await;
            assert!(page.contains("且末县") && page.contains("若羌县"), "{page}");
            assert!(!page.contains("阿克苏"), "{page}");
            let csrf = csrf_of(&page);
            let form = |code: &str, parent: &str, user: &str, password: &str| {
                format!(
                    "csrf={}&code={code}&name={}&parent={parent}&admin_username={user}&admin_display_name={}&admin_password={}",
                    enc(&csrf),
                    enc("轮台县"),
                    enc("轮台县财政局 管理员"),
                    enc(password)
                )
            };
            // Every problem at once; nothing written.
            let (status, _, html) =
                post_form(&app, &admin, "/admin/regions", &form("65x", AKESU, "a", "short")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            for needle in ["区划代码", "上级区划", "管理员用户名", "初始密码"] {
                assert!(html.contains(needle), "{needle}: {html}");
            }
            let (status, _, html) = post_form(
                &app,
                &admin,
                "/admin/regions",
                &form(QIEMO, ZHOU, "lt_admin", "Luntai#Admin2026"),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(html.contains("已存在"), "{html}");

            let (status, location, _) = post_form(
                &app,
                &admin,
                "/admin/regions",
                &form("652822000", ZHOU, "lt_admin", "Luntai#Admin2026"),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert_eq!(location.as_deref(), Some("/admin/regions?done=created"));
            let nodes = jixiao_store::regions::subtree(store, ZHOU)
                .await
                .expect("tree");
            assert!(nodes.iter().any(|n| n.code == "652822000" && n.depth == 1));
            assert!(
                jixiao_store::regions::is_below(store, ZHOU, "652822000")
                    .await
                    .expect("below")
            );
            let new_admin = jixiao_store::users::by_username(store, "lt_admin")
                .await
                .expect("query")
                .expect("the first administrator");
            assert_eq!(new_admin.region_code, "652822000");
            assert!(new_admin.must_change_password);
            // The prefecture's roll-up now has the county, empty.
            let bz = demo_token(&app, "bz_jxk").await;
            let (_, rollup) = get(&app, "/api/v1/regions/rollup", &bz).await;
            assert_eq!(row(&rollup, "652822000")["projects"], 0);
            // A finance user is not an administrator.
            let bz_cookie = session_cookie(store, "bz_jxk").await;
            let bz_csrf = csrf_of(&page_of(&app, &bz_cookie, "/regions").await);
            let (status, _, _) = post_form(
                &app,
                &bz_cookie,
                "/admin/regions",
                &format!("csrf={}&code=652823000", enc(&bz_csrf)),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
        },
    )
    .await;
}

/// The mark form's API body for one region's item.
fn mark(region: &str, item: &str, score: &str, adjust: &str, reason: &str) -> Value {
    json!({"region": region, "item": item, "score": score, "adjust": adjust, "reason": reason})
}

/// Issue 14 item 1: the prefecture assesses its counties with the §11 machinery — counts summed
/// over each county's units, manual items, adjustments with reasons, finalising with ranks —
/// and each county reads its own result, never another's; a county assesses nobody.
#[tokio::test]
async fn a_prefecture_assesses_its_counties_and_each_county_reads_its_own_result() {
    on_every_store(
        "a_prefecture_assesses_its_counties_and_each_county_reads_its_own_result",
        async |store: &Store| {
            tree(store).await;
            let app = app(store);
            let bz = demo_token(&app, "bz_jxk").await;
            let jxg = demo_token(&app, "jxg").await;
            let ld = demo_token(&app, "ld").await;
            let url = "/api/v1/region-assessments/2023";

            // Before opening: the rubric and the counties it would assess, by code.
            let (status, before) = get(&app, url, &bz).await;
            assert_eq!(status, StatusCode::OK, "{before}");
            assert!(before["round"].is_null());
            let codes: Vec<&str> = before["subjects"]
                .as_array()
                .expect("subjects")
                .iter()
                .map(|s| s["code"].as_str().expect("code"))
                .collect();
            assert_eq!(codes, [RUOQIANG, QIEMO]);

            // A county has no region below it; a reader may not open anything.
            let open = json!({"fiscal_year": 2023});
            let (status, body) = call(&app, Method::POST, "/api/v1/region-assessments", &jxg, open.clone()).await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert!(body.to_string().contains("没有下级区划"), "{body}");
            let (status, _) = call(&app, Method::POST, "/api/v1/region-assessments", &ld, open.clone()).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, body) = call(&app, Method::POST, "/api/v1/region-assessments", &bz, open.clone()).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let (status, _) = call(&app, Method::POST, "/api/v1/region-assessments", &bz, open).await;
            assert_eq!(status, StatusCode::CONFLICT, "opened once");

            // 且末县's counts are the sum of its units' counts under the unit assessment.
            let (_, o) = get(&app, url, &bz).await;
            let qiemo = o["subjects"]
                .as_array()
                .expect("subjects")
                .iter()
                .find(|s| s["code"] == QIEMO)
                .expect("且末县")
                .clone();
            let units = jixiao_store::assessment::records(
                store,
                QIEMO,
                2023,
                jixiao_store::deadlines::today(),
            )
            .await
            .expect("records");
            let mut sum = jixiao_domain::assessment::Records::default();
            for r in units.values() {
                sum.merge(r);
            }
            assert!(sum.targets_on_time.total > 100, "{sum:?}");
            assert_eq!(qiemo["records"], serde_json::to_value(sum).expect("json"));
            assert_eq!(qiemo["pending"], 2, "基础工作 and 日常数据上报 are manual");
            assert_eq!(o["complete"], false);

            // Every mistake is refused with its reason, and nothing is written.
            for (body, needle) in [
                (mark(QIEMO, "targets", "10", "", ""), "自动计算"),
                (mark(QIEMO, "basic", "16", "", ""), "0 至 15"),
                (mark(QIEMO, "ex_ante", "", "-2", ""), "理由"),
                (mark(AKESU_CITY, "basic", "10", "", ""), "直接下级区划"),
                (mark(QIEMO, "nothing", "1", "", ""), "没有编码"),
            ] {
                let (status, answer) = call(&app, Method::POST, &format!("{url}/marks"), &bz, body).await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
                assert!(answer.to_string().contains(needle), "{needle}: {answer}");
            }
            let (status, _) = call(&app, Method::POST, &format!("{url}/marks"), &jxg, mark(QIEMO, "basic", "15", "", "")).await;
            assert_eq!(status, StatusCode::CONFLICT, "a county marks nobody");

            // Two counties: the prefecture sets its own list sizes for the round (the rule
            // parameters' "bottom 3" would put both on the interview list).
            let bz_page = session_cookie(store, "bz_jxk").await;
            let html = page_of(&app, &bz_page, "/regions/assessment?year=2023").await;
            assert!(html.contains("id=\"region-lists-warning\""), "every county would be listed");
            let (_, o) = get(&app, url, &bz).await;
            let lists = json!({"row_version": o["round"]["row_version"], "commended": "1",
                "interviewed": "0", "interview_below": "60"});
            let (status, body) =
                call(&app, Method::PUT, &format!("{url}/rubric"), &bz, lists.clone()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["rubric"]["interviewed"], 0);
            let html = page_of(&app, &bz_page, "/regions/assessment?year=2023").await;
            assert!(!html.contains("region-lists-warning"), "one commended of two");
            let (status, _) = call(&app, Method::PUT, &format!("{url}/rubric"), &bz, lists).await;
            assert_eq!(status, StatusCode::CONFLICT, "a stale row_version");
            let (status, _) = call(
                &app,
                Method::PUT,
                &format!("{url}/rubric"),
                &jxg,
                json!({"row_version": 1}),
            )
            .await;
            assert_eq!(status, StatusCode::CONFLICT, "a county has no round to edit");

            for body in [
                mark(QIEMO, "basic", "15", "", ""),
                mark(QIEMO, "reporting", "5", "", ""),
                mark(RUOQIANG, "basic", "9.5", "", ""),
                mark(RUOQIANG, "reporting", "3", "", ""),
                mark(RUOQIANG, "ex_ante", "", "-2", "未按规定报送事前评估材料"),
            ] {
                let got = call(&app, Method::POST, &format!("{url}/marks"), &bz, body).await;
                common::ok(&got);
            }
            let (_, o) = get(&app, url, &bz).await;
            assert_eq!(o["complete"], true, "{o}");
            let rq = o["subjects"]
                .as_array()
                .expect("subjects")
                .iter()
                .find(|s| s["code"] == RUOQIANG)
                .expect("若羌县")
                .clone();
            let ex_ante = rq["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["key"] == "ex_ante")
                .expect("ex_ante")
                .clone();
            // 若羌县 has nothing due: the ratio is 1, so 10 points, less the 2 deducted.
            let points = |v: &Value| -> f64 { v.as_str().expect("decimal").parse().expect("number") };
            assert_eq!(points(&ex_ante["computed"]), 10.0);
            assert_eq!(points(&ex_ante["score"]), 8.0);
            assert_eq!(ex_ante["reasons"][0], "未按规定报送事前评估材料");

            // The county reads nothing of it while open; leaders of the prefecture neither.
            let (_, own) = get(&app, "/api/v1/region-assessments/own", &jxg).await;
            assert_eq!(own, json!([]));

            let version = o["round"]["row_version"].clone();
            let (status, done) = call(
                &app,
                Method::POST,
                &format!("{url}/finalize"),
                &bz,
                json!({"row_version": version, "interview_deadline": "2024-03-31"}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{done}");
            assert_eq!(done["regions"], 2);
            let (status, _) = call(&app, Method::POST, &format!("{url}/marks"), &bz, mark(QIEMO, "basic", "1", "", "")).await;
            assert_eq!(status, StatusCode::CONFLICT, "finalised rounds do not change");

            let (_, o) = get(&app, url, &bz).await;
            let ranked: Vec<(i64, f64)> = o["subjects"]
                .as_array()
                .expect("subjects")
                .iter()
                .map(|s| {
                    (
                        s["rank"].as_i64().expect("rank"),
                        s["total"].as_str().expect("total").parse().expect("number"),
                    )
                })
                .collect();
            assert_eq!(ranked.len(), 2);
            assert!(ranked[0].0 <= ranked[1].0 && ranked[0].1 >= ranked[1].1, "{ranked:?}");
            assert!(ranked.iter().all(|r| r.1 >= 60.0), "{ranked:?}");
            assert_eq!(o["interviewed"], json!([]), "no bottom list, nobody below 60");
            assert_eq!(o["commended"].as_array().map(Vec::len), Some(1));
            assert_eq!(o["commended"][0], o["subjects"][0]["name"]);

            // Each county reads its own result; the other prefecture has nothing of it.
            let (_, own) = get(&app, "/api/v1/region-assessments/own", &jxg).await;
            assert_eq!(own.as_array().map(Vec::len), Some(1), "{own}");
            assert_eq!(own[0]["subject"]["code"], QIEMO);
            assert_eq!(own[0]["of"], 2);
            assert_eq!(own[0]["assessor"], "巴音郭楞蒙古自治州");
            assert_eq!(own[0]["interview_deadline"], "2024-03-31");
            assert!(!own.to_string().contains(RUOQIANG));
            let aks = demo_token(&app, "aks").await;
            let (_, theirs) = get(&app, url, &aks).await;
            assert!(theirs["round"].is_null());
            assert!(!theirs.to_string().contains(QIEMO), "{theirs}");
            let (status, _) = get(&app, url, &ld).await;
            assert_eq!(status, StatusCode::OK, "a county's leader reads its own region's (empty) view");

            // The pages: the prefecture's table and the county's own result.
            let bz_cookie = session_cookie(store, "bz_jxk").await;
            let html = page_of(&app, &bz_cookie, "/regions/assessment?year=2023").await;
            assert!(html.contains("id=\"region-assessment-table\""), "{html}");
            assert!(html.contains("若羌县") && html.contains("且末县"));
            assert!(html.contains("区划考核"), "the navigation offers it");
            assert!(!html.contains("id=\"region-mark-form\""), "finalised: no marks");
            let jxg_cookie = session_cookie(store, "jxg").await;
            let html = page_of(&app, &jxg_cookie, "/regions/assessment").await;
            assert!(html.contains("id=\"own-2023\""), "{html}");
            assert!(html.contains("巴音郭楞蒙古自治州考核"));
            assert!(!html.contains("id=\"region-assessment-table\""));

            // The audit trail names each step.
            let sql = "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'region_assessment.%' AND username = 'bz_jxk'";
            let n: i64 = match store {
                Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
                Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
            }
            .expect("count");
            assert_eq!(n, 1 + 1 + 5 + 1, "open, the lists, five marks, finalise");
        },
    )
    .await;
}

/// The mark form in the browser: a refused entry re-renders the page with the message and what
/// was typed (422), a good one saves.
#[tokio::test]
async fn the_region_assessment_form_keeps_what_was_typed_when_refused() {
    on_every_store(
        "the_region_assessment_form_keeps_what_was_typed_when_refused",
        async |store: &Store| {
            tree(store).await;
            let app = app(store);
            let bz = session_cookie(store, "bz_jxk").await;
            let html = page_of(&app, &bz, "/regions/assessment?year=2023").await;
            let csrf = csrf_of(&html);
            assert!(html.contains("id=\"region-assessment-open\""), "{html}");
            let (status, location, _) = post_form(
                &app,
                &bz,
                "/regions/assessment/open",
                &format!("csrf={}&fiscal_year=2023", enc(&csrf)),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert_eq!(
                location.as_deref(),
                Some("/regions/assessment?year=2023&done=opened")
            );
            let form = |score: &str| {
                format!(
                    "csrf={}&region={QIEMO}&item=basic&score={}&adjust=&reason=",
                    enc(&csrf),
                    enc(score)
                )
            };
            let (status, _, html) =
                post_form(&app, &bz, "/regions/assessment/2023/mark", &form("20")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(html.contains("0 至 15"), "{html}");
            assert!(html.contains("value=\"20\""), "what was typed stays");
            let (status, location, _) =
                post_form(&app, &bz, "/regions/assessment/2023/mark", &form("12")).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert_eq!(
                location.as_deref(),
                Some("/regions/assessment?year=2023&done=marked")
            );
            let html = page_of(&app, &bz, "/regions/assessment?year=2023").await;
            assert!(html.contains("12.00"), "{html}");

            // Issue 9: a malformed row_version is a 400 on every finalising form, never version 0.
            let jxg = session_cookie(store, "jxg").await;
            let jxg_csrf = csrf_of(&page_of(&app, &jxg, "/assessments?year=2023").await);
            for (who, token, path) in [
                (&bz, &csrf, "/regions/assessment/2023/finalize"),
                (&jxg, &jxg_csrf, "/assessments/2023/finalize"),
                (&jxg, &jxg_csrf, "/assessments/2023/rubric"),
            ] {
                let (status, _, body) = post_form(
                    &app,
                    who,
                    path,
                    &format!("csrf={}&row_version=abc&interview_deadline=", enc(token)),
                )
                .await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
                assert!(body.contains("版本号"), "{path}: {body}");
            }
        },
    )
    .await;
}
