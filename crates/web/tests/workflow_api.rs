//! SPEC §5, §6 and §16 over the JSON API, on SQLite and PostgreSQL: a unit declares a new major
//! project, the library gate asks for an ex-ante assessment, a third-party agency scores it,
//! finance approves it; the target goes through quality checks, the submitter rule, a return and
//! an approval; the project is budgeted; an adjustment opens a second version. Every refusal is a
//! Chinese message, every step leaves an audit entry and a timeline row.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{call, demo_app, demo_token, get, ok, refused_in_chinese, send};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use serde_json::{Value, json};

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("an integer: {v}"))
}

/// A score written as people write it, from hundredths.
fn hundredths(x: i64) -> String {
    format!("{}.{:02}", x / 100, x % 100)
}

/// Indicator rows of the target form; without the 效益 row unless `with_benefit`. With it the
/// 分值 add up to 90 (100 less the execution rate's 10, SPEC §6.3 / §8.2).
fn indicators(with_benefit: bool, classrooms: &str) -> Value {
    let mut rows = vec![
        json!({"level1": "产出指标", "level2": "数量指标", "name": "新建教学楼面积", "sign": "≥",
               "target_value": classrooms, "unit_of_measure": "平方米", "weight": "20"}),
        json!({"level1": "产出指标", "level2": "质量指标", "name": "工程验收合格率", "sign": "=",
               "target_value": "100", "unit_of_measure": "%", "weight": "10"}),
        json!({"level1": "产出指标", "level2": "时效指标", "name": "工程完工时间", "sign": "≤",
               "target_value": "12", "unit_of_measure": "月", "weight": "10"}),
        json!({"level1": "成本指标", "level2": "经济成本指标", "name": "项目总成本", "sign": "≤",
               "target_value": "600", "unit_of_measure": "万元", "weight": "10"}),
        json!({"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "师生满意度",
               "sign": "≥", "target_value": "90", "unit_of_measure": "%", "weight": "10"}),
    ];
    if with_benefit {
        rows.push(
            json!({"level1": "效益指标", "level2": "社会效益指标", "name": "新增学位数",
            "sign": "≥", "target_value": "600", "unit_of_measure": "个", "weight": "30"}),
        );
    }
    Value::Array(rows)
}

fn target_body(row_version: i64, with_benefit: bool, area: &str) -> Value {
    json!({
        "row_version": row_version,
        "total_wan": "600", "fiscal_wan": "600", "other_wan": "0",
        "overall_goal": "新建第二中学教学楼一栋，改善办学条件，新增学位 600 个。",
        "indicators": indicators(with_benefit, area),
    })
}

async fn row_version(app: &Router, uri: &str, token: &str) -> i64 {
    let got = get(app, uri, token).await;
    int(&ok(&got)["row_version"])
}

/// Actions recorded in the audit log whose action starts with `prefix`.
async fn audited(store: &Store, prefix: &str, object_id: i64) -> Vec<String> {
    jixiao_store::audit::search(store, prefix, 10_000)
        .await
        .expect("audit")
        .into_iter()
        .filter(|r| r.action.starts_with(prefix) && r.object_id == object_id.to_string())
        .map(|r| r.action)
        .collect()
}

async fn timeline(store: &Store, kind: &str, id: i64) -> Vec<String> {
    jixiao_store::history::timeline(store, kind, id)
        .await
        .expect("history")
        .into_iter()
        .map(|h| h.action)
        .collect()
}

#[tokio::test]
async fn a_major_project_goes_from_declaration_to_budget_over_the_api_spec_5_6() {
    on_every_store(
        "a_major_project_goes_from_declaration_to_budget_over_the_api_spec_5_6",
        async |store: &Store| {
            let app = demo_app(store).await;
            let jxg = demo_token(&app, "jxg").await;
            let jyj_tb = demo_token(&app, "jyj_tb").await;
            let jyj_sh = demo_token(&app, "jyj_sh").await;
            let wjw_tb = demo_token(&app, "wjw_tb").await;
            let pj = demo_token(&app, "pj_tianshan").await;
            let ld = demo_token(&app, "ld").await;

            // a. The unit declares a new major project (≥ 500万元): reserve, major.
            let project = json!({
                "fiscal_year": 2024, "name": "且末县第二中学教学楼建设项目",
                "budget_type": "general_public", "category": "specific_purpose",
                "continuity": "new", "timing": "initial", "current_wan": "600",
            });
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    "/api/v1/projects",
                    &jyj_tb,
                    json!({"fiscal_year": 2024}),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "请填写项目名称",
            );
            let (status, _, body) = send(
                &app,
                Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/projects")
                    .header(header::AUTHORIZATION, format!("Bearer {jyj_tb}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from("{\"name\": "))
                    .expect("request"),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            let body: Value = serde_json::from_slice(&body).expect("json error");
            assert_eq!(body["error"], "请求体不是有效的 JSON", "{body}");
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    "/api/v1/projects",
                    &jyj_tb,
                    json!({"fiscal_year": "二〇二四"}),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "类型不正确",
            );
            let education = jixiao_store::users::by_username(store, "jyj_tb")
                .await
                .expect("query")
                .expect("preparer")
                .unit_id
                .expect("a unit");
            let mut for_education = project.clone();
            for_education["unit_id"] = json!(education);
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    "/api/v1/projects",
                    &ld,
                    for_education.clone(),
                )
                .await,
                StatusCode::FORBIDDEN,
                "没有权限",
            );
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    "/api/v1/projects",
                    &wjw_tb,
                    for_education,
                )
                .await,
                StatusCode::FORBIDDEN,
                "没有权限",
            );
            let created = call(
                &app,
                Method::POST,
                "/api/v1/projects",
                &jyj_tb,
                project.clone(),
            )
            .await;
            assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
            let pid = int(&created.1["id"]);
            let uri = format!("/api/v1/projects/{pid}");
            let got = get(&app, &uri, &jyj_tb).await;
            let p = ok(&got);
            assert_eq!(p["library_status"], "reserve");
            assert_eq!(p["is_major"], true);
            assert_eq!(p["amount_wan"], "600.00");
            let v1 = int(&p["row_version"]);
            // An edit, then a second edit from the same stale copy (f: concurrency).
            let mut edit = project.clone();
            edit["row_version"] = json!(v1);
            edit["name"] = json!("且末县第二中学教学楼新建项目");
            let got = call(&app, Method::PUT, &uri, &jyj_tb, edit.clone()).await;
            assert!(int(&ok(&got)["row_version"]) > v1);
            refused_in_chinese(
                &call(&app, Method::PUT, &uri, &jyj_tb, edit).await,
                StatusCode::CONFLICT,
                "记录已被他人修改，请刷新后重试",
            );
            refused_in_chinese(
                &get(&app, &uri, &wjw_tb).await,
                StatusCode::FORBIDDEN,
                "没有权限",
            );

            // b. The library gate asks for the ex-ante assessment.
            let facts_uri = format!("/api/v1/projects/{pid}/facts");
            let got = get(&app, &facts_uri, &jxg).await;
            let facts = ok(&got).clone();
            assert_eq!(facts["requires_ex_ante"], true, "{facts}");
            assert_eq!(facts["approved_ex_ante"], Value::Null);
            assert_eq!(facts["library_status"], "reserve");
            let enter = facts["available_actions"]
                .as_array()
                .expect("actions")
                .iter()
                .find(|a| a["action"] == "enter_library")
                .expect("finance may enter the library")
                .clone();
            assert!(
                enter["blocked_by"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("事前绩效评估"),
                "{enter}"
            );
            let actions = format!("/api/v1/projects/{pid}/actions");
            let v = int(&facts["row_version"]);
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &actions,
                    &jxg,
                    json!({"action": "enter_library", "row_version": v}),
                )
                .await,
                StatusCode::CONFLICT,
                "事前绩效评估",
            );

            // c. Finance assigns the assessment to the evaluator's agency.
            let agency = jixiao_store::users::by_username(store, "pj_tianshan")
                .await
                .expect("query")
                .expect("evaluator")
                .agency_id
                .expect("an agency");
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    "/api/v1/ex-ante",
                    &jyj_tb,
                    json!({"project_id": pid, "assessor_kind": "agency", "agency_id": agency}),
                )
                .await,
                StatusCode::FORBIDDEN,
                "须由财政部门发起",
            );
            let got = call(
                &app,
                Method::POST,
                "/api/v1/ex-ante",
                &jxg,
                json!({"project_id": pid, "assessor_kind": "agency", "agency_id": agency}),
            )
            .await;
            assert_eq!(got.0, StatusCode::CREATED, "{}", got.1);
            let xid = int(&got.1["id"]);
            let xuri = format!("/api/v1/ex-ante/{xid}");
            refused_in_chinese(
                &get(&app, &xuri, &wjw_tb).await,
                StatusCode::FORBIDDEN,
                "没有权限",
            );
            let got = get(&app, &xuri, &pj).await;
            let x = ok(&got).clone();
            assert_eq!(x["state"], "draft");
            assert_eq!(x["agency_id"], agency);
            let rows = x["scores"].as_array().expect("scores").clone();
            assert!(rows.len() >= 5, "{x}");
            let weights: i64 = rows.iter().map(|r| int(&r["weight_x100"])).sum();
            assert_eq!(weights, 10_000, "five dimensions of 20");
            // A score above its weight names the sub-item.
            let first = rows[0]["sub_item"].as_str().expect("sub-item").to_string();
            let sheet = |over: bool| {
                let scores: Vec<Value> = rows
                    .iter()
                    .enumerate()
                    .map(|(n, r)| {
                        let w = int(&r["weight_x100"]);
                        let s = match n {
                            0 if over => w + 100,
                            0 => w - 100,
                            _ => w,
                        };
                        json!({"seq": r["seq"], "score": hundredths(s), "opinion": "论证充分"})
                    })
                    .collect();
                json!({"row_version": x["row_version"], "scores": scores,
                       "suggestions": "建议细化分年度建设计划。"})
            };
            refused_in_chinese(
                &call(&app, Method::PUT, &xuri, &pj, sheet(true)).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                &first,
            );
            refused_in_chinese(
                &call(&app, Method::PUT, &xuri, &jyj_tb, sheet(false)).await,
                StatusCode::FORBIDDEN,
                "只有本评估的评估主体",
            );
            // A draft may be saved part-filled (scores sent as JSON numbers); the total waits
            // and submission is refused until every sub-item is scored.
            let partial: Vec<Value> = rows
                .iter()
                .take(2)
                .map(|r| json!({"seq": r["seq"], "score": 9.5, "opinion": "基本充分"}))
                .collect();
            let got = call(
                &app,
                Method::PUT,
                &xuri,
                &pj,
                json!({"row_version": x["row_version"], "scores": partial}),
            )
            .await;
            let r = ok(&got);
            assert_eq!(r["total"], "");
            assert_eq!(int(&r["unscored"]), rows.len() as i64 - 2);
            let pv = int(&r["row_version"]);
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &format!("/api/v1/ex-ante/{xid}/actions"),
                    &pj,
                    json!({"action": "submit", "row_version": pv}),
                )
                .await,
                StatusCode::CONFLICT,
                "尚未全部评分",
            );
            let mut full = sheet(false);
            full["row_version"] = json!(pv);
            let got = call(&app, Method::PUT, &xuri, &pj, full).await;
            let r = ok(&got);
            assert_eq!(r["total"], "99.00");
            assert_eq!(r["conclusion"], "予以支持");
            let xv = int(&r["row_version"]);
            let xactions = format!("/api/v1/ex-ante/{xid}/actions");
            let got = call(
                &app,
                Method::POST,
                &xactions,
                &pj,
                json!({"action": "submit", "row_version": xv}),
            )
            .await;
            assert_eq!(ok(&got)["state"], "submitted");
            let xv = int(&got.1["row_version"]);
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &xactions,
                    &pj,
                    json!({"action": "approve", "row_version": xv}),
                )
                .await,
                StatusCode::FORBIDDEN,
                "只能由以下角色执行",
            );
            let got = call(
                &app,
                Method::POST,
                &xactions,
                &jxg,
                json!({"action": "approve", "row_version": xv, "text": "同意评估结论"}),
            )
            .await;
            assert_eq!(ok(&got)["state"], "approved");
            let got = get(&app, &xuri, &jxg).await;
            assert_eq!(ok(&got)["conclusion"], "support");
            let steps: Vec<&str> = got.1["history"]
                .as_array()
                .expect("history")
                .iter()
                .filter_map(|h| h["action"].as_str())
                .collect();
            assert_eq!(steps, ["create", "submit", "start_review", "approve"]);

            let v = row_version(&app, &uri, &jxg).await;
            let got = call(
                &app,
                Method::POST,
                &actions,
                &jxg,
                json!({"action": "enter_library", "row_version": v}),
            )
            .await;
            assert_eq!(ok(&got)["library_status"], "in_library");

            // d. No approved target: no budget.
            let v = int(&got.1["row_version"]);
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &actions,
                    &jxg,
                    json!({"action": "budget", "row_version": v}),
                )
                .await,
                StatusCode::CONFLICT,
                "绩效目标",
            );

            // e. The target: quality checks, the submitter rule, a return, an approval.
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    "/api/v1/targets",
                    &wjw_tb,
                    json!({"project_id": pid}),
                )
                .await,
                StatusCode::FORBIDDEN,
                "没有权限",
            );
            let got = call(
                &app,
                Method::POST,
                "/api/v1/targets",
                &jyj_tb,
                json!({"project_id": pid}),
            )
            .await;
            assert_eq!(got.0, StatusCode::CREATED, "{}", got.1);
            let tid = int(&got.1["id"]);
            let turi = format!("/api/v1/targets/{tid}");
            let tactions = format!("/api/v1/targets/{tid}/actions");
            let tv = row_version(&app, &turi, &jyj_tb).await;
            let got = call(
                &app,
                Method::PUT,
                &turi,
                &jyj_tb,
                target_body(tv, false, "5000"),
            )
            .await;
            let saved = ok(&got).clone();
            assert_eq!(saved["has_errors"], true, "{saved}");
            assert!(
                saved["findings"]
                    .as_array()
                    .expect("findings")
                    .iter()
                    .any(|f| f["error"] == true
                        && f["message"].as_str().unwrap_or_default().contains("效益")),
                "{saved}"
            );
            let tv = int(&saved["row_version"]);
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &tactions,
                    &jyj_sh,
                    json!({"action": "submit", "row_version": tv}),
                )
                .await,
                StatusCode::CONFLICT,
                "质量检查",
            );
            let got = call(
                &app,
                Method::PUT,
                &turi,
                &jyj_tb,
                target_body(tv, true, "5000"),
            )
            .await;
            assert_eq!(ok(&got)["has_errors"], false, "{}", got.1);
            let tv = int(&got.1["row_version"]);
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &tactions,
                    &jyj_tb,
                    json!({"action": "submit", "row_version": tv}),
                )
                .await,
                StatusCode::FORBIDDEN,
                "只能由以下角色执行",
            );
            let got = call(
                &app,
                Method::POST,
                &tactions,
                &jyj_sh,
                json!({"action": "submit", "row_version": tv}),
            )
            .await;
            assert_eq!(ok(&got)["state"], "submitted");
            refused_in_chinese(
                &call(
                    &app,
                    Method::PUT,
                    &turi,
                    &jyj_tb,
                    target_body(tv + 1, true, "5200"),
                )
                .await,
                StatusCode::CONFLICT,
                "不能修改",
            );
            let tv = row_version(&app, &turi, &jxg).await;
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &tactions,
                    &jxg,
                    json!({"action": "review", "rating": "fair", "row_version": tv}),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "退回原因",
            );
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &tactions,
                    &jxg,
                    json!({"action": "review", "rating": "甲", "row_version": tv}),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "审核评级",
            );
            let got = call(
                &app,
                Method::POST,
                &tactions,
                &jxg,
                json!({"action": "review", "rating": "fair", "row_version": tv,
                            "text": "数量指标偏低，请按设计方案核实建筑面积"}),
            )
            .await;
            assert_eq!(ok(&got)["state"], "returned");
            assert_eq!(got.1["target_id"], tid);
            let got = get(&app, &turi, &jyj_tb).await;
            assert_eq!(ok(&got)["review_rating"], "fair");
            let tv = int(&got.1["row_version"]);
            // f. A save from a stale copy is refused, not merged.
            refused_in_chinese(
                &call(
                    &app,
                    Method::PUT,
                    &turi,
                    &jyj_tb,
                    target_body(tv - 1, true, "5200"),
                )
                .await,
                StatusCode::CONFLICT,
                "记录已被他人修改，请刷新后重试",
            );
            let got = call(
                &app,
                Method::PUT,
                &turi,
                &jyj_tb,
                target_body(tv, true, "5200"),
            )
            .await;
            assert_eq!(ok(&got)["has_errors"], false);
            let tv = int(&got.1["row_version"]);
            let got = call(
                &app,
                Method::POST,
                &tactions,
                &jyj_sh,
                json!({"action": "resubmit", "row_version": tv, "text": "已按意见修改"}),
            )
            .await;
            assert_eq!(ok(&got)["state"], "submitted");
            let tv = row_version(&app, &turi, &jxg).await;
            let got = call(
                &app,
                Method::POST,
                &tactions,
                &jxg,
                json!({"action": "review", "rating": "优", "row_version": tv, "text": "目标明确"}),
            )
            .await;
            assert_eq!(ok(&got)["state"], "approved");

            let v = row_version(&app, &uri, &jxg).await;
            let got = call(
                &app,
                Method::POST,
                &actions,
                &jxg,
                json!({"action": "budget", "row_version": v}),
            )
            .await;
            assert_eq!(ok(&got)["library_status"], "budgeted");

            // g. An adjustment opens version 2; version 1 stays approved, the project budgetable.
            let tv = row_version(&app, &turi, &jyj_tb).await;
            refused_in_chinese(
                &call(
                    &app,
                    Method::POST,
                    &tactions,
                    &jyj_tb,
                    json!({"action": "adjust", "row_version": tv}),
                )
                .await,
                StatusCode::CONFLICT,
                "调整原因",
            );
            refused_in_chinese(
                &call(
                    &app,
                    Method::PUT,
                    &turi,
                    &jyj_tb,
                    target_body(tv, true, "5300"),
                )
                .await,
                StatusCode::CONFLICT,
                "调整申请",
            );
            let got = call(
                &app,
                Method::POST,
                &tactions,
                &jyj_tb,
                json!({"action": "adjust", "row_version": tv, "text": "设计变更，建筑面积调整"}),
            )
            .await;
            let out = ok(&got).clone();
            assert_eq!(out["state"], "draft");
            let t2 = int(&out["target_id"]);
            assert_ne!(t2, tid);
            let got = get(&app, &format!("/api/v1/targets/{t2}"), &jyj_tb).await;
            let v2 = ok(&got).clone();
            let versions = v2["versions"].as_array().expect("versions");
            assert_eq!(versions.len(), 2, "{v2}");
            assert_eq!(versions[0]["id"], tid);
            assert_eq!(versions[0]["state"], "approved");
            assert_eq!(versions[0]["is_current"], false);
            assert_eq!(versions[1]["id"], t2);
            assert_eq!(versions[1]["version_no"], 2);
            assert_eq!(versions[1]["state"], "draft");
            assert_eq!(
                v2["indicators"].as_array().map(Vec::len),
                Some(6),
                "the content is carried over"
            );
            let got = get(&app, &turi, &jxg).await;
            assert_eq!(ok(&got)["state"], "approved");
            let got = get(&app, &facts_uri, &jxg).await;
            let facts = ok(&got);
            assert_eq!(facts["library_status"], "budgeted");
            assert_eq!(facts["has_approved_target"], true);
            assert_eq!(facts["approved_ex_ante"], "support");

            // h. Every step is in the audit log and on the timelines.
            let mut p_audit = audited(store, "project.", pid).await;
            p_audit.sort();
            assert_eq!(
                p_audit,
                [
                    "project.budget",
                    "project.create",
                    "project.enter_library",
                    "project.update"
                ]
            );
            let mut x_audit = audited(store, "ex_ante.", xid).await;
            x_audit.sort();
            assert_eq!(
                x_audit,
                [
                    "ex_ante.approve",
                    "ex_ante.create",
                    "ex_ante.save",
                    "ex_ante.save",
                    "ex_ante.submit"
                ]
            );
            let mut t_audit = audited(store, "target.", tid).await;
            t_audit.sort();
            assert_eq!(
                t_audit,
                [
                    "target.adjust",
                    "target.create",
                    "target.resubmit",
                    "target.review",
                    "target.review",
                    "target.save",
                    "target.save",
                    "target.save",
                    "target.submit",
                ]
            );
            assert_eq!(
                timeline(store, "project", pid).await,
                ["create", "enter_library", "budget"]
            );
            assert_eq!(
                timeline(store, "target", tid).await,
                [
                    "create",
                    "submit",
                    "start_review",
                    "return",
                    "resubmit",
                    "start_review",
                    "approve",
                    "adjust",
                ]
            );
            assert_eq!(timeline(store, "target", t2).await, ["adjust"]);
            assert!(
                matches!(
                    jixiao_store::audit::verify(store).await.expect("verify"),
                    jixiao_store::audit::Verdict::Intact { .. }
                ),
                "the audit chain holds"
            );
        },
    )
    .await;
}

/// SPEC §16: every `/api/v1` route is in the OpenAPI document, with its method.
#[tokio::test]
async fn every_api_route_is_documented_spec_16() {
    on_every_store(
        "every_api_route_is_documented_spec_16",
        async |store: &Store| {
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let got = get(&app, "/api/v1/openapi.json", "").await;
            let doc = ok(&got);
            assert_eq!(doc["openapi"], "3.0.3");
            for row in jixiao_web::route_matrix().rows() {
                if !row.path.starts_with("/api/v1/") || row.path == "/api/v1/openapi.json" {
                    continue;
                }
                let method = row.method.as_str().to_lowercase();
                let op = &doc["paths"][row.path][&method];
                assert!(
                    op.is_object(),
                    "{} {} is not documented",
                    row.method,
                    row.path
                );
                let codes: &[&str] = match row.method {
                    Method::GET => &["200", "401"],
                    // Logout takes no input, so it has nothing to refuse as invalid.
                    _ if row.path == "/api/v1/auth/logout" => &["204", "401"],
                    _ => &["401", "422"],
                };
                for code in codes {
                    assert!(
                        op["responses"][code].is_object(),
                        "{} {} lacks {code}",
                        row.method,
                        row.path
                    );
                }
            }
        },
    )
    .await;
}
