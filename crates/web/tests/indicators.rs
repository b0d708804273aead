//! SPEC §3 "Indicator library": the tree and its search (name or pinyin initials) for every user,
//! the JSON search of the target picker and the API, a unit's proposal, finance's decision, each
//! change audited; on SQLite and PostgreSQL.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use tower::ServiceExt;

async fn send(app: &Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.expect("response")
}

async fn text(res: Response<Body>) -> String {
    String::from_utf8_lossy(
        &axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .expect("body"),
    )
    .into_owned()
}

/// A session of a demo user: (secret, csrf). `kind` is `browser` or `api`.
async fn session(store: &Store, username: &str, kind: &str) -> (String, String) {
    let user = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .expect("user");
    jixiao_store::sessions::create(store, Some(user.id), kind, "", "")
        .await
        .expect("session")
}

fn get(path: &str, secret: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header(header::COOKIE, format!("jixiao_sid={secret}"))
        .body(Body::empty())
        .expect("request")
}

fn post(path: &str, secret: &str, body: String) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, format!("jixiao_sid={secret}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request")
}

async fn json(res: Response<Body>) -> serde_json::Value {
    assert_eq!(res.status(), StatusCode::OK);
    serde_json::from_str(&text(res).await).expect("json")
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn the_library_is_searched_by_name_and_pinyin_spec_3() {
    on_every_store(
        "the_library_is_searched_by_name_and_pinyin_spec_3",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let (unit, _) = session(store, "jyj_tb", "browser").await;
            // The tree: every level 1 of SPEC §6.1, the entries under their level 2.
            let res = send(&app, get("/indicators", &unit)).await;
            assert_eq!(res.status(), StatusCode::OK);
            let html = text(res).await;
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
            let html = text(send(&app, get("/indicators?q=zjzcl", &unit)).await).await;
            assert!(
                html.contains("资金支出率") && html.contains("共 1 条"),
                "{html}"
            );
            let html = text(
                send(
                    &app,
                    get(&format!("/indicators?level1={}", enc("满意度指标")), &unit),
                )
                .await,
            )
            .await;
            assert!(html.contains("服务对象满意度") && !html.contains("资金支出率"));
            // The picker's JSON search.
            let v = json(send(&app, get("/indicators/search?q=xsmj", &unit)).await).await;
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
            let v = json(
                send(
                    &app,
                    get(&format!("/indicators/search?q={}", enc("率")), &unit),
                )
                .await,
            )
            .await;
            assert_eq!(v.as_array().map(Vec::len), Some(20), "at most 20");
            let v = json(
                send(
                    &app,
                    get(
                        &format!(
                            "/indicators/search?q={}&level1={}",
                            enc("率"),
                            enc("成本指标")
                        ),
                        &unit,
                    ),
                )
                .await,
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
            let (token, _) = session(store, "ld", "api").await;
            let res = send(
                &app,
                Request::builder()
                    .uri("/api/v1/indicators?q=zijinzhichu")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
            assert_eq!(names(&json(res).await), vec!["资金支出率"]);
            let res = send(
                &app,
                Request::builder()
                    .uri("/api/v1/indicators?q=x")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
            let doc: serde_json::Value = serde_json::from_str(
                &text(
                    send(
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
            let (finance, _) = session(store, "jxg", "browser").await;
            let res = send(&app, get("/indicators/export.xlsx", &finance)).await;
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
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let (unit, unit_csrf) = session(store, "jyj_tb", "browser").await;
            let (approver, approver_csrf) = session(store, "jyj_sh", "browser").await;
            let (finance, finance_csrf) = session(store, "jxg", "browser").await;
            let (desk, _) = session(store, "ysg", "browser").await;
            let (other_unit, _) = session(store, "wjw_tb", "browser").await;
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
            let res = send(&app, post("/indicators/proposals", &unit, proposal("", "间").replacen("csrf=&", "", 1))).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            // A quantitative entry without a unit of measure is sent back with the reason.
            let res = send(&app, post("/indicators/proposals", &unit, proposal(&unit_csrf, ""))).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = text(res).await;
            assert!(html.contains("定量指标须填写计量单位") && html.contains("智慧教室建设数量"), "form kept");
            // Finance cannot propose; the unit user can.
            let res = send(&app, post("/indicators/proposals", &finance, proposal(&finance_csrf, "间"))).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            let res = send(&app, post("/indicators/proposals", &unit, proposal(&unit_csrf, "间"))).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            // Twice is refused while it is pending.
            let res = send(&app, post("/indicators/proposals", &unit, proposal(&unit_csrf, "间"))).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert!(text(res).await.contains("已有待审核的申请"));
            // Pending: the proposing unit finds it, nobody else does.
            let v = json(send(&app, get("/indicators/search?q=zhjs", &unit)).await).await;
            assert_eq!(names(&v), vec!["智慧教室建设数量"]);
            assert_eq!(v[0]["status"], "proposed");
            let id = v[0]["id"].as_i64().expect("id");
            for s in [&finance, &other_unit] {
                let v = json(send(&app, get("/indicators/search?q=zhjs", s)).await).await;
                assert!(names(&v).is_empty());
            }
            let html = text(send(&app, get("/indicators", &unit)).await).await;
            assert!(html.contains("待审核") && html.contains("智慧教室建设数量"), "the unit sees its proposal");
            // Finance sees it awaiting review.
            let html = text(send(&app, get("/indicators", &finance)).await).await;
            assert!(html.contains("待审核的新增指标申请（1）") && html.contains(&format!("/indicators/{id}/decision")));
            // A unit user cannot decide; nor can anyone without the token.
            let res = send(&app, post(&format!("/indicators/{id}/decision"), &approver, format!("csrf={approver_csrf}&decision=approve&opinion=x"))).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            let res = send(&app, post(&format!("/indicators/{id}/decision"), &finance, "decision=approve".into())).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            // Rejecting needs an opinion.
            let res = send(&app, post(&format!("/indicators/{id}/decision"), &finance, format!("csrf={finance_csrf}&decision=reject&opinion="))).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            // Finance approves: the entry is in the library for everyone.
            let res = send(&app, post(&format!("/indicators/{id}/decision"), &finance, format!("csrf={finance_csrf}&decision=approve&opinion={}", enc("同意入库")))).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            for s in [&desk, &other_unit, &unit] {
                let v = json(send(&app, get("/indicators/search?q=zhjs", s)).await).await;
                assert_eq!(names(&v), vec!["智慧教室建设数量"]);
                assert_eq!(v[0]["status"], "approved");
            }
            // Deciding again is a conflict.
            let res = send(&app, post(&format!("/indicators/{id}/decision"), &finance, format!("csrf={finance_csrf}&decision=reject&opinion=x"))).await;
            assert_eq!(res.status(), StatusCode::CONFLICT);
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
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let (unit, unit_csrf) = session(store, "wjw_tb", "browser").await;
            let (desk, desk_csrf) = session(store, "ysg", "browser").await;
            let body = format!(
                "csrf={unit_csrf}&level={}&name={}&sign={}&basis={}",
                enc("效益指标/社会效益指标"),
                enc("群众健康意识提升情况"),
                enc("定性"),
                enc("其他标准"),
            );
            let res = send(&app, post("/indicators/proposals", &unit, body)).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let v = json(
                send(
                    &app,
                    get(&format!("/indicators/search?q={}", enc("健康意识")), &unit),
                )
                .await,
            )
            .await;
            let id = v[0]["id"].as_i64().expect("id");
            assert_eq!(v[0]["unit_of_measure"], "");
            let res = send(
                &app,
                post(
                    &format!("/indicators/{id}/decision"),
                    &desk,
                    format!(
                        "csrf={desk_csrf}&decision=reject&opinion={}",
                        enc("与居民健康素养水平重复")
                    ),
                ),
            )
            .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            let v = json(
                send(
                    &app,
                    get(&format!("/indicators/search?q={}", enc("健康意识")), &unit),
                )
                .await,
            )
            .await;
            assert!(names(&v).is_empty(), "a rejected proposal is not offered");
            let html = text(send(&app, get("/indicators", &unit)).await).await;
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
