//! 规则说明 (issue 15): every logged-in user reads the rules with the region's current settings;
//! a threshold changed on a settings page shows on the rules page at once; forms link each
//! computed figure to its rule. Runs on a fresh region (no demo), on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{browser_session, form, get_page, post_form, response};
use jixiao_domain::types::Role;
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;

const REGION: &str = "652801000";

/// A body with askama's HTML escapes undone, so assertions read as the user reads.
fn unescaped(html: &str) -> String {
    html.replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A fresh region as `jixiao init` leaves it, with one user per role that reads the rules.
async fn fresh_region(store: &Store) {
    let hash = jixiao_store::users::hash_password("Rules#2026a").expect("hash");
    let mut tx = store.begin().await.expect("tx");
    jixiao_store::regions::insert(&mut tx, REGION, "测试市", None)
        .await
        .expect("region");
    for (username, role) in [
        ("fin", Role::FinanceAdmin),
        ("desk", Role::FinanceDesk),
        ("lead", Role::Viewer),
    ] {
        jixiao_store::users::insert(
            &mut tx,
            &jixiao_store::users::NewUser {
                region: REGION,
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

#[tokio::test]
async fn the_rules_page_shows_the_current_settings_issue_15() {
    on_every_store("rules_page_current_settings", async |store: &Store| {
        fresh_region(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());

        // Not logged in: to the login page.
        let res = response(
            &app,
            Request::builder()
                .uri("/rules")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(res.status().is_redirection(), "{}", res.status());

        // Every role reads it, with the defaults filled in, and it is in the navigation.
        for who in ["fin", "desk", "lead"] {
            let (sid, _) = browser_session(store, who).await;
            let (status, page) = get_page(&app, &sid, "/rules").await;
            assert_eq!(status, StatusCode::OK, "{who}");
            let page = unescaped(&page);
            assert!(page.contains("<a href=\"/rules\""), "{who}: no nav link");
            assert!(page.contains("id=\"s8-3\""), "{who}");
            assert!(
                page.contains("min(全年执行数 ÷ 全年预算数, 1) × 10"),
                "{who}"
            );
            assert!(page.contains("偏差 > 20 个百分点为红色预警"), "{who}");
            assert!(page.contains("总分 ≥ 90 分为“予以支持”"), "{who}");
            if who == "fin" {
                assert!(
                    page.contains("href=\"/settings/ex-ante\">修改本节参数"),
                    "fin sees the settings link"
                );
            }
        }

        // The finance office moves the support threshold to 85 on the settings page …
        let (fin, csrf) = browser_session(store, "fin").await;
        let defaults = jixiao_domain::settings::Settings::default();
        let project = jixiao_domain::ex_ante::rubric_text(&defaults.ex_ante.project_dimensions);
        let policy = jixiao_domain::ex_ante::rubric_text(&defaults.ex_ante.policy_dimensions);
        let (status, _, _) = post_form(
            &app,
            &fin,
            "/settings/ex-ante",
            &form(&[
                ("csrf", &csrf),
                ("project", &project),
                ("policy", &policy),
                ("support", "85"),
                ("support_after_adjustment", "65"),
            ]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // … and the rules page says so, for every reader.
        let (lead, _) = browser_session(store, "lead").await;
        let page = unescaped(&get_page(&app, &lead, "/rules").await.1);
        assert!(page.contains("总分 ≥ 85 分为“予以支持”"), "{page}");
        assert!(page.contains("65 分 ≤ 总分 < 85 分"), "{page}");
        assert!(!page.contains("总分 ≥ 90 分为“予以支持”"));

        // 规则参数: the desk and leaders read them but may not change them.
        let (desk, desk_csrf) = browser_session(store, "desk").await;
        let (status, _) = get_page(&app, &desk, "/settings/rules").await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = post_form(
            &app,
            &desk,
            "/settings/rules",
            &form(&[("csrf", &desk_csrf), ("deviation_red", "15")]),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A bad value is refused with every problem named, and nothing is saved.
        let (status, _, page) = post_form(
            &app,
            &fin,
            "/settings/rules",
            &form(&[
                ("csrf", &csrf),
                ("deviation_red", "abc"),
                ("grade_good", "95"),
            ]),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = unescaped(&page);
        assert!(
            page.contains("双监控偏差红色预警线：“abc”不是有效的数字"),
            "{page}"
        );
        let stored = jixiao_store::regions::settings(store, REGION)
            .await
            .expect("settings");
        assert_eq!(
            stored.monitoring.deviation_red,
            defaults.monitoring.deviation_red
        );
        // The finance office moves the deviation line to 15 and the excellent grade to 92.5 …
        let (status, _, _) = post_form(
            &app,
            &fin,
            "/settings/rules",
            &form(&[
                ("csrf", &csrf),
                ("deviation_red", "15"),
                ("grade_excellent", "92.5"),
            ]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // … the rules page says so, and the change is in the audit log.
        let page = unescaped(&get_page(&app, &lead, "/rules").await.1);
        assert!(page.contains("偏差 > 15 个百分点为红色预警"), "{page}");
        assert!(page.contains("总分 ≥ 92.5 分为优秀"), "{page}");
        let stored = jixiao_store::regions::settings(store, REGION)
            .await
            .expect("settings");
        assert_eq!(
            stored.monitoring.deviation_red,
            jixiao_domain::Decimal::from(15)
        );
        assert_eq!(stored.monitoring.review_red, defaults.monitoring.review_red);
        let sql = "SELECT COUNT(*) FROM audit_log WHERE action = 'settings.parameters'";
        let n: i64 = match store {
            Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.expect("audit"),
            Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.expect("audit"),
        };
        assert_eq!(n, 1);
        // The result-application mapping (issue 11 item 7): 良好 → 整改后安排 with a notice; an
        // unknown recommendation is refused with nothing saved.
        let page = unescaped(&get_page(&app, &fin, "/settings/rules").await.1);
        assert!(page.contains("id=\"result-application-mapping\""), "{page}");
        let mapping = |good: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("ra_excellent", "priority".to_string()),
                ("ra_good", good.to_string()),
                ("ra_fair", "after_rectification".to_string()),
                ("ra_poor", "not_arranged".to_string()),
                ("ra_rect_good", "1".to_string()),
                ("ra_rect_fair", "1".to_string()),
                ("ra_rect_poor", "1".to_string()),
            ]
        };
        let bad = mapping("whatever");
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, _) = post_form(&app, &fin, "/settings/rules", &form(&bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let good = mapping("after_rectification");
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, _) = post_form(&app, &fin, "/settings/rules", &form(&good)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let stored = jixiao_store::regions::settings(store, REGION)
            .await
            .expect("settings");
        use jixiao_domain::grade::Grade;
        use jixiao_domain::result_application::Recommendation;
        assert_eq!(
            stored.result_application.good,
            Recommendation::AfterRectification
        );
        assert_eq!(
            stored.result_application.rectification_grades,
            vec![Grade::Good, Grade::Fair, Grade::Poor]
        );
        // The numbers saved before are kept.
        assert_eq!(
            stored.monitoring.deviation_red,
            jixiao_domain::Decimal::from(15)
        );
    })
    .await;
}
