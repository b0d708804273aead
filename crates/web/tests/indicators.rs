//! SPEC §3 "Indicator library": the tree and its search (name or pinyin initials) for every user,
//! the JSON search of the target picker and the API, a unit's proposal, finance's decision, each
//! change audited; on SQLite and PostgreSQL.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{
    browser_session, demo_app, enc, get, get_page, page_of, page_response, post_form, response,
    send, text,
};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;

/// An API session of a demo user made directly in the store: its bearer token.
async fn api_token(store: &Store, username: &str) -> String {
    let user = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .expect("user");
    let (secret, _) = jixiao_store::sessions::create(store, Some(user.id), "api", "", "")
        .await
        .expect("session");
    secret
}

/// The JSON a page answers with the session cookie; asserts it answers 200.
async fn json(app: &Router, cookie: &str, uri: &str) -> serde_json::Value {
    serde_json::from_str(&page_of(app, cookie, uri).await).expect("json")
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect()
}

#[tokio::test]
async fn the_library_is_searched_by_name_and_pinyin_spec_3() {
    on_every_store(
        "the_library_is_searched_by_name_and_pinyin_spec_3",
        async |store: &Store| {
            let app = demo_app(store).await;
            let (unit, _) = browser_session(store, "jyj_tb").await;
            // The tree: every level 1 of SPEC §6.1, the entries under their level 2.
            let (status, html) = get_page(&app, &unit, "/indicators").await;
            assert_eq!(status, StatusCode::OK);
            for label in [
                "产出指标",
                "成本指标",
                "效益指标",
                "满意度指标",
                "数量指标",
                "资金支出率",
                "服务对象满意度",
            ] {
                assert!(html.contains(label), "{label}");
            }
            assert!(
                html.contains("href=\"/indicators\""),
                "navigation links the library"
            );
            assert!(html.contains("申请新增指标") && !html.contains("待审核的新增指标申请"));
            // Filtered by pinyin initials on the page.
            let html = get_page(&app, &unit, "/indicators?q=zjzcl").await.1;
            assert!(
                html.contains("资金支出率") && html.contains("共 1 条"),
                "{html}"
            );
            let html = get_page(
                &app,
                &unit,
                &format!("/indicators?level1={}", enc("满意度指标")),
            )
            .await
            .1;
            assert!(html.contains("服务对象满意度") && !html.contains("资金支出率"));
            // The picker's JSON search.
            let v = json(&app, &unit, "/indicators/search?q=xsmj").await;
            assert_eq!(names(&v), vec!["新建改扩建校舍面积"]);
            let e = &v[0];
            assert_eq!(
                (
                    &e["level1"],
                    &e["level2"],
                    &e["unit_of_measure"],
                    &e["sign"],
                    &e["basis"],
                    &e["status"]
                ),
                (
                    &serde_json::json!("产出指标"),
                    &serde_json::json!("数量指标"),
                    &serde_json::json!("平方米"),
                    &serde_json::json!("≥"),
                    &serde_json::json!("计划标准"),
                    &serde_json::json!("approved")
                )
            );
            assert!(e["id"].is_i64() && e["definition"].as_str().is_some_and(|d| !d.is_empty()));
            let v = json(&app, &unit, &format!("/indicators/search?q={}", enc("率"))).await;
            assert_eq!(v.as_array().map(Vec::len), Some(20), "at most 20");
            let v = json(
                &app,
                &unit,
                &format!(
                    "/indicators/search?q={}&level1={}",
                    enc("率"),
                    enc("成本指标")
                ),
            )
            .await;
            assert!(
                v.as_array()
                    .expect("array")
                    .iter()
                    .all(|e| e["level1"] == "成本指标"),
                "{v}"
            );
            // The API, with a bearer token.
            let token = api_token(store, "ld").await;
            let (status, v) = get(&app, "/api/v1/indicators?q=zijinzhichu", &token).await;
            assert_eq!(status, StatusCode::OK, "{v}");
            assert_eq!(names(&v), vec!["资金支出率"]);
            let (status, _, _) = send(
                &app,
                Request::builder()
                    .uri("/api/v1/indicators?q=x")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            let doc: serde_json::Value = serde_json::from_str(
                &text(
                    response(
                        &app,
                        Request::builder()
                            .uri("/api/v1/openapi.json")
                            .body(Body::empty())
                            .expect("request"),
                    )
                    .await,
                )
                .await,
            )
            .expect("json");
            assert!(doc["paths"]["/api/v1/indicators"]["get"].is_object());
            // The export is a workbook.
            let (finance, _) = browser_session(store, "jxg").await;
            let res = page_response(&app, &finance, "/indicators/export.xlsx").await;
            assert_eq!(res.status(), StatusCode::OK);
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
                .await
                .expect("body");
            assert!(bytes.starts_with(b"PK"));
        },
    )
    .await;
}

#[tokio::test]
async fn a_unit_proposes_and_finance_approves_spec_3() {
    on_every_store(
        "a_unit_proposes_and_finance_approves_spec_3",
        async |store: &Store| {
            let app = demo_app(store).await;
            let (unit, unit_csrf) = browser_session(store, "jyj_tb").await;
            let (approver, approver_csrf) = browser_session(store, "jyj_sh").await;
            let (finance, finance_csrf) = browser_session(store, "jxg").await;
            let (desk, _) = browser_session(store, "ysg").await;
            let (other_unit, _) = browser_session(store, "wjw_tb").await;
            let proposal = |csrf: &str, unit_of_measure: &str| {
                format!(
                    "csrf={csrf}&level={}&name={}&sign={}&unit_of_measure={}&basis={}&industry={}&definition={}&reason={}",
                    enc("产出指标/数量指标"),
                    enc("智慧教室建设数量"),
                    enc("≥"),
                    enc(unit_of_measure),
                    enc("计划标准"),
                    enc("教育"),
                    enc("当年建成并投入使用的智慧教室间数"),
                    enc("教育信息化项目常用"),
                )
            };
            // Without the CSRF token the proposal is refused.
            let (status, _, _) = post_form(&app, &unit, "/indicators/proposals", &proposal("", "间").replacen("csrf=&", "", 1)).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            // A quantitative entry without a unit of measure is sent back with the reason.
            let (status, _, html) = post_form(&app, &unit, "/indicators/proposals", &proposal(&unit_csrf, "")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(html.contains("定量指标须填写计量单位") && html.contains("智慧教室建设数量"), "form kept");
            // Finance cannot propose; the unit user can.
            let (status, _, _) = post_form(&app, &finance, "/indicators/proposals", &proposal(&finance_csrf, "间")).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _, _) = post_form(&app, &unit, "/indicators/proposals", &proposal(&unit_csrf, "间")).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            // Twice is refused while it is pending.
            let (status, _, html) = post_form(&app, &unit, "/indicators/proposals", &proposal(&unit_csrf, "间")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(html.contains("已有待审核的申请"));
            // Pending: the proposing unit finds it, nobody else does.
            let v = json(&app, &unit, "/indicators/search?q=zhjs").await;
            assert_eq!(names(&v), vec!["智慧教室建设数量"]);
            assert_eq!(v[0]["status"], "proposed");
            let id = v[0]["id"].as_i64().expect("id");
            for s in [&finance, &other_unit] {
                let v = json(&app, s, "/indicators/search?q=zhjs").await;
                assert!(names(&v).is_empty());
            }
            let html = get_page(&app, &unit, "/indicators").await.1;
            assert!(html.contains("待审核") && html.contains("智慧教室建设数量"), "the unit sees its proposal");
            // Finance sees it awaiting review.
            let html = get_page(&app, &finance, "/indicators").await.1;
            assert!(html.contains("待审核的新增指标申请（1）") && html.contains(&format!("/indicators/{id}/decision")));
            // A unit user cannot decide; nor can anyone without the token.
            let (status, _, _) = post_form(&app, &approver, &format!("/indicators/{id}/decision"), &format!("csrf={approver_csrf}&decision=approve&opinion=x")).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _, _) = post_form(&app, &finance, &format!("/indicators/{id}/decision"), "decision=approve").await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            // Rejecting needs an opinion.
            let (status, _, _) = post_form(&app, &finance, &format!("/indicators/{id}/decision"), &format!("csrf={finance_csrf}&decision=reject&opinion=")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            // Finance approves: the entry is in the library for everyone.
            let (status, _, _) = post_form(&app, &finance, &format!("/indicators/{id}/decision"), &format!("csrf={finance_csrf}&decision=approve&opinion={}", enc("同意入库"))).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            for s in [&desk, &other_unit, &unit] {
                let v = json(&app, s, "/indicators/search?q=zhjs").await;
                assert_eq!(names(&v), vec!["智慧教室建设数量"]);
                assert_eq!(v[0]["status"], "approved");
            }
            // Deciding again is a conflict.
            let (status, _, _) = post_form(&app, &finance, &format!("/indicators/{id}/decision"), &format!("csrf={finance_csrf}&decision=reject&opinion=x")).await;
            assert_eq!(status, StatusCode::CONFLICT);
            // Both steps are in the audit log.
            let log = jixiao_store::audit::recent(store, 50).await.expect("audit");
            let actions: Vec<(&str, &str, &str)> = log
                .iter()
                .filter(|r| r.object_kind == "indicator")
                .map(|r| (r.action.as_str(), r.username.as_str(), r.object_id.as_str()))
                .collect();
            let id = id.to_string();
            assert!(actions.contains(&("indicator.propose", "jyj_tb", id.as_str())), "{actions:?}");
            assert!(actions.contains(&("indicator.approve", "jxg", id.as_str())), "{actions:?}");
            assert!(matches!(
                jixiao_store::audit::verify(store).await.expect("verify"),
                jixiao_store::audit::Verdict::Intact { .. }
            ));
        },
    )
    .await;
}

#[tokio::test]
async fn finance_rejects_with_an_opinion_the_unit_reads_spec_3() {
    on_every_store(
        "finance_rejects_with_an_opinion_the_unit_reads_spec_3",
        async |store: &Store| {
            let app = demo_app(store).await;
            let (unit, unit_csrf) = browser_session(store, "wjw_tb").await;
            let (desk, desk_csrf) = browser_session(store, "ysg").await;
            let body = format!(
                "csrf={unit_csrf}&level={}&name={}&sign={}&basis={}",
                enc("效益指标/社会效益指标"),
                enc("群众健康意识提升情况"),
                enc("定性"),
                enc("其他标准"),
            );
            let (status, _, _) = post_form(&app, &unit, "/indicators/proposals", &body).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let v = json(
                &app,
                &unit,
                &format!("/indicators/search?q={}", enc("健康意识")),
            )
            .await;
            let id = v[0]["id"].as_i64().expect("id");
            assert_eq!(v[0]["unit_of_measure"], "");
            let (status, _, _) = post_form(
                &app,
                &desk,
                &format!("/indicators/{id}/decision"),
                &format!(
                    "csrf={desk_csrf}&decision=reject&opinion={}",
                    enc("与居民健康素养水平重复")
                ),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let v = json(
                &app,
                &unit,
                &format!("/indicators/search?q={}", enc("健康意识")),
            )
            .await;
            assert!(names(&v).is_empty(), "a rejected proposal is not offered");
            let html = get_page(&app, &unit, "/indicators").await.1;
            assert!(html.contains("未通过") && html.contains("与居民健康素养水平重复"));
            let log = jixiao_store::audit::recent(store, 10).await.expect("audit");
            assert!(
                log.iter()
                    .any(|r| r.action == "indicator.reject" && r.username == "ysg")
            );
        },
    )
    .await;
}
