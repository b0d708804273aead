//! Issue 12 item 1: the annual assessment of units (SPEC §11) end to end through the JSON API and
//! the pages, on a database holding only what a county records during a year (units, users,
//! projects, targets, a returned review, an overdue notice, one publication) — no demo rows. On
//! SQLite and PostgreSQL.
//!
//! Finance opens 2023's assessment; the automatic items are computed from those records, each
//! count listing the records behind it (a sub-unit's project rolls up to its level-1 unit);
//! manual scores are entered all or nothing; one item is adjusted with a reason; the ranking and
//! lists follow the rubric as edited; finalising opens the interview notice. A unit reads its own
//! sheet only, and only once finalised.

mod common;

use axum::http::{Method, StatusCode};
use common::{
    browser_login, call, csrf_of, get, get_bytes, ok, page_of, post_form, refused, token,
};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory, Role, UnitKind};
use jixiao_store::testing::on_every_store;
use jixiao_store::{Store, projects, regions, targets, units, users};
use serde_json::{Value, json};

const REGION: &str = "652825000";

struct County {
    edu: i64,
    health: i64,
    /// The health commission's project target, returned once before approval.
    health_target: i64,
}

async fn exec(store: &Store, sql: &str) {
    jixiao_store::on_pool!(store, |p| sqlx::query(sql)
        .execute(p)
        .await
        .map(|_| ())
        .expect(sql));
}

async fn county(store: &Store) -> County {
    let mut tx = store.begin().await.expect("begin");
    regions::insert(&mut tx, REGION, "且末县", None)
        .await
        .expect("region");
    let specs: [(&str, &str, Option<i64>); 2] = [
        ("101", "且末县教育局", None),
        ("102", "且末县卫生健康委员会", None),
    ];
    let mut ids = Vec::new();
    for (code, name, parent) in specs {
        ids.push(
            units::insert(
                &mut tx,
                &units::NewUnit {
                    region: REGION,
                    code,
                    name,
                    parent_id: parent,
                    level: 1,
                    kind: UnitKind::Administrative,
                    finance_desk: "行政政法股",
                },
            )
            .await
            .expect("unit"),
        );
    }
    let school = units::insert(
        &mut tx,
        &units::NewUnit {
            region: REGION,
            code: "101001",
            name: "且末县第一中学",
            parent_id: Some(ids[0]),
            level: 2,
            kind: UnitKind::Institution,
            finance_desk: "行政政法股",
        },
    )
    .await
    .expect("school");
    let hash = users::hash_password(common::PASSWORD).expect("hash");
    for (username, unit, role) in [
        ("fin", None, Role::FinanceAdmin),
        ("lead", None, Role::Viewer),
        ("appr_a", Some(ids[0]), Role::UnitApprover),
        ("appr_b", Some(ids[1]), Role::UnitApprover),
    ] {
        users::insert(
            &mut tx,
            &users::NewUser {
                region: REGION,
                username,
                display_name: username,
                password_hash: &hash,
                unit_id: unit,
                agency_id: None,
                must_change_password: false,
                roles: &[role],
            },
        )
        .await
        .expect("user");
    }
    let mut targets_of = Vec::new();
    // P-A (教育局) and P-B (卫健委) have approved targets; P-S (the school, under 教育局) none.
    for (code, unit, with_target) in [
        ("P-A", ids[0], true),
        ("P-B", ids[1], true),
        ("P-S", school, false),
    ] {
        let id = projects::insert(
            &mut tx,
            &projects::NewProject {
                region: REGION,
                fiscal_year: 2023,
                code,
                name: &format!("{code} 项目"),
                unit_id: unit,
                is_policy: false,
                budget_type: BudgetType::GeneralPublic,
                category: ProjectCategory::SpecificPurpose,
                continuity: Continuity::New,
                timing: BudgetTiming::Initial,
                start_year: 2023,
                end_year: 2023,
                current: Fen::from_wan(100),
                carryover: Fen::ZERO,
                other: Fen::ZERO,
                is_major: false,
                library_status: "executing",
                previous_project_id: None,
            },
        )
        .await
        .expect("project");
        if with_target {
            targets_of.push((
                id,
                targets::insert(
                    &mut tx,
                    &targets::NewTarget {
                        region: REGION,
                        fiscal_year: 2023,
                        object_kind: jixiao_domain::types::ObjectKind::Project,
                        project_id: Some(id),
                        unit_id: unit,
                        state: "approved",
                        total: Fen::from_wan(100),
                        fiscal: Fen::from_wan(100),
                        other: Fen::ZERO,
                        overall_goal: "按期实施".into(),
                        indicators: vec![],
                        review_rating: Some("good"),
                        review_opinion: "",
                        tasks: vec![],
                    },
                )
                .await
                .expect("target"),
            ));
        }
    }
    tx.commit().await.expect("commit");
    let (project_a, _) = targets_of[0];
    let (_, health_target) = targets_of[1];
    // 卫健委's target was returned once before approval; its notice is overdue; 教育局's target is
    // published.
    exec(
        store,
        &format!(
            "INSERT INTO workflow_history (region_code, fiscal_year, doc_kind, doc_id, from_state, to_state, action, opinion, at) \
             VALUES ('{REGION}', 2023, 'target', {health_target}, 'under_review', 'returned', 'return', '指标不细化', '2023-02-01T02:00:00Z')"
        ),
    )
    .await;
    exec(
        store,
        &format!(
            "INSERT INTO rectifications (region_code, fiscal_year, unit_id, source_kind, problem, requirement, deadline, state, created_at) \
             VALUES ('{REGION}', 2023, {}, 'review', '资金拨付滞后', '限期整改', '2023-06-30', 'issued', '2023-05-01T02:00:00Z')",
            ids[1]
        ),
    )
    .await;
    exec(
        store,
        &format!(
            "INSERT INTO disclosures (region_code, fiscal_year, object_kind, object_id, published_at) \
             VALUES ('{REGION}', 2023, 'target', {project_a}, '2023-03-01T02:00:00Z')"
        ),
    )
    .await;
    County {
        edu: ids[0],
        health: ids[1],
        health_target,
    }
}

fn num(v: &Value) -> rust_decimal::Decimal {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a decimal: {v}"))
}

fn unit_of(o: &Value, id: i64) -> &Value {
    o["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit_id"] == id)
        .expect("unit row")
}

fn item<'a>(items: &'a Value, key: &str) -> &'a Value {
    items
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["key"] == key || i["score"]["key"] == key)
        .expect("item")
}

#[tokio::test]
async fn finance_assesses_units_from_their_records() {
    on_every_store("assessment_flow", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let lead = token(&app, "lead").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;

        // Only the finance performance office opens it, once.
        refused(
            &call(
                &app,
                Method::POST,
                "/api/v1/assessments",
                &appr_a,
                json!({"fiscal_year": 2023}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "财政绩效管理员",
        );
        let opened = call(
            &app,
            Method::POST,
            "/api/v1/assessments",
            &fin,
            json!({"fiscal_year": 2023}),
        )
        .await;
        assert_eq!(opened.0, StatusCode::CREATED, "{}", opened.1);
        refused(
            &call(
                &app,
                Method::POST,
                "/api/v1/assessments",
                &fin,
                json!({"fiscal_year": 2023}),
            )
            .await,
            StatusCode::CONFLICT,
            "已开启",
        );

        // Level-1 units only, the manual items pending.
        let o = ok(&get(&app, "/api/v1/assessments/2023", &fin).await).clone();
        assert_eq!(o["units"].as_array().map(Vec::len), Some(2));
        assert_eq!(o["complete"], false);
        assert_eq!(unit_of(&o, c.edu)["pending"], 2);

        // The automatic items from the records: 教育局 declared 1 of its 2 projects' targets (the
        // school's project rolls up to it), 卫健委's was returned once, its notice is overdue,
        // and only 教育局's target is published.
        let sheet = ok(&get(
            &app,
            &format!("/api/v1/assessments/2023/units/{}", c.edu),
            &fin,
        )
        .await)
        .clone();
        let targets = item(&sheet["items"], "targets");
        assert_eq!(
            num(&targets["score"]["computed"]),
            num(&json!("11.25")),
            "{targets}"
        );
        assert_eq!(
            targets["counts"][0]["count"],
            json!({"done": 1, "total": 2})
        );
        assert_eq!(
            num(&item(&sheet["items"], "disclosure")["score"]["score"]),
            num(&json!("5"))
        );
        assert_eq!(
            item(&sheet["items"], "ex_ante")["note"],
            "无应计事项，按满分计"
        );
        let rows = ok(&get(
            &app,
            &format!(
                "/api/v1/assessments/2023/units/{}/records/targets_on_time",
                c.edu
            ),
            &fin,
        )
        .await)
        .clone();
        assert_eq!(rows["total"], 2);
        let missing: Vec<&Value> = rows["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["done"] == false)
            .collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0]["title"], "P-S 项目");
        assert_eq!(missing[0]["note"], "未申报绩效目标");

        let health = ok(&get(
            &app,
            &format!("/api/v1/assessments/2023/units/{}", c.health),
            &fin,
        )
        .await)
        .clone();
        assert_eq!(
            num(&item(&health["items"], "targets")["score"]["computed"]),
            num(&json!("7.5"))
        );
        assert_eq!(
            num(&item(&health["items"], "rectification")["score"]["score"]),
            num(&json!("0"))
        );
        assert_eq!(
            num(&item(&health["items"], "disclosure")["score"]["score"]),
            num(&json!("0"))
        );
        let first = ok(&get(
            &app,
            &format!(
                "/api/v1/assessments/2023/units/{}/records/targets_first_time",
                c.health
            ),
            &fin,
        )
        .await)
        .clone();
        assert_eq!(first["records"][0]["doc_id"], c.health_target);
        assert_eq!(
            first["records"][0]["href"],
            format!("/targets/{}", c.health_target)
        );
        assert_eq!(first["records"][0]["note"], "曾被退回修改");

        // Manual scores: all or nothing, and never on an automatic item.
        let bad = call(
            &app,
            Method::PUT,
            "/api/v1/assessments/2023/manual",
            &fin,
            json!({"entries": [
                {"unit_id": c.edu, "item": "basic", "score": "14"},
                {"unit_id": c.health, "item": "basic", "score": "16"},
                {"unit_id": c.health, "item": "targets", "score": "15"}
            ]}),
        )
        .await;
        refused(
            &bad,
            StatusCode::UNPROCESSABLE_ENTITY,
            "应在 0 至 15 分之间",
        );
        refused(&bad, StatusCode::UNPROCESSABLE_ENTITY, "由系统自动计算");
        let o = ok(&get(&app, "/api/v1/assessments/2023", &fin).await).clone();
        assert_eq!(
            unit_of(&o, c.edu)["pending"],
            2,
            "nothing of a refused batch is kept"
        );
        let saved = call(
            &app,
            Method::PUT,
            "/api/v1/assessments/2023/manual",
            &fin,
            json!({"entries": [
                {"unit_id": c.edu, "item": "basic", "score": "14"},
                {"unit_id": c.edu, "item": "reporting", "score": 5},
                {"unit_id": c.health, "item": "basic", "score": "15"},
                {"unit_id": c.health, "item": "reporting", "score": "5"}
            ]}),
        )
        .await;
        assert_eq!(ok(&saved)["changed"], 4);

        // One winner, one interview.
        let o = ok(&get(&app, "/api/v1/assessments/2023", &fin).await).clone();
        let rv = o["round"]["row_version"].as_i64().unwrap();
        let bad_rubric = call(
            &app,
            Method::PUT,
            "/api/v1/assessments/2023/rubric",
            &fin,
            json!({"row_version": rv, "items": {"basic": {"name": "基础工作", "max": "20"}},
                   "commended": 1, "interviewed": 1, "interview_below": 60}),
        )
        .await;
        refused(&bad_rubric, StatusCode::UNPROCESSABLE_ENTITY, "应为 100");
        ok(&call(
            &app,
            Method::PUT,
            "/api/v1/assessments/2023/rubric",
            &fin,
            json!({"row_version": rv, "commended": 1, "interviewed": 1, "interview_below": 60}),
        )
        .await);

        // An adjustment needs its reason and shows beside the computed value.
        let adjust = format!("/api/v1/assessments/2023/units/{}/adjustments", c.health);
        refused(
            &call(
                &app,
                Method::POST,
                &adjust,
                &fin,
                json!({"item": "disclosure", "points": 2}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "必须填写理由",
        );
        let adjusted = ok(&call(
            &app,
            Method::POST,
            &adjust,
            &fin,
            json!({"item": "disclosure", "points": "2", "reason": "已在部门网站公开，系统未登记"}),
        )
        .await)
        .clone();
        let d = item(&adjusted["items"], "disclosure");
        assert_eq!(num(&d["score"]["computed"]), num(&json!("0")));
        assert_eq!(num(&d["score"]["adjustment"]), num(&json!("2")));
        assert_eq!(num(&d["score"]["score"]), num(&json!("2")));
        assert_eq!(d["score"]["reasons"][0], "已在部门网站公开，系统未登记");

        let o = ok(&get(&app, "/api/v1/assessments/2023", &fin).await).clone();
        assert_eq!(o["complete"], true);
        assert_eq!(o["units"][0]["unit_id"], c.edu);
        assert_eq!(num(&o["units"][0]["total"]), num(&json!("95.25")));
        assert_eq!(o["units"][0]["rank"], 1);
        assert_eq!(num(&o["units"][1]["total"]), num(&json!("74.5")));
        assert_eq!(o["commended"], json!(["且末县教育局"]));
        assert_eq!(o["interviewed"], json!(["且末县卫生健康委员会"]));

        // Before finalising, units and leaders see nothing of it.
        let own = format!("/api/v1/assessments/2023/units/{}", c.health);
        refused(
            &get(&app, &own, &appr_b).await,
            StatusCode::CONFLICT,
            "尚未定稿",
        );
        refused(
            &get(&app, "/api/v1/assessments/2023", &lead).await,
            StatusCode::CONFLICT,
            "尚未定稿",
        );

        let done = ok(&call(
            &app,
            Method::POST,
            "/api/v1/assessments/2023/finalize",
            &fin,
            json!({"row_version": o["round"]["row_version"], "interview_deadline": "2030-01-31"}),
        )
        .await)
        .clone();
        assert_eq!(done["interviewed"], 1);
        let notice = done["rectifications"][0].as_i64().expect("notice");
        refused(
            &call(
                &app,
                Method::POST,
                "/api/v1/assessments/2023/finalize",
                &fin,
                json!({"row_version": 0}),
            )
            .await,
            StatusCode::CONFLICT,
            "已定稿",
        );
        refused(
            &call(
                &app,
                Method::PUT,
                "/api/v1/assessments/2023/manual",
                &fin,
                json!({"entries": [{"unit_id": c.edu, "item": "basic", "score": "1"}]}),
            )
            .await,
            StatusCode::CONFLICT,
            "已定稿",
        );

        // The interview notice is the unit's, issued, with its deadline.
        let n = ok(&get(&app, &format!("/api/v1/rectifications/{notice}"), &appr_b).await).clone();
        assert_eq!(n["rectification"]["state"], "issued", "{n}");
        assert_eq!(n["rectification"]["source_kind"], "assessment");
        assert!(
            n["rectification"]["problem"]
                .as_str()
                .unwrap()
                .contains("列入约谈名单"),
            "{n}"
        );
        assert_eq!(
            get(&app, &format!("/api/v1/rectifications/{notice}"), &appr_a)
                .await
                .0,
            StatusCode::FORBIDDEN
        );

        // Each unit its own sheet, not the other's nor the ranking; leaders the ranking.
        let mine = ok(&get(&app, &own, &appr_b).await).clone();
        assert_eq!(num(&mine["total"]), num(&json!("74.5")));
        assert_eq!(mine["rank"], 2);
        assert_eq!(mine["rectification_id"], notice);
        assert_eq!(
            item(&mine["items"], "disclosure")["score"]["reasons"][0],
            "已在部门网站公开，系统未登记"
        );
        for uri in [
            format!("/api/v1/assessments/2023/units/{}", c.edu),
            format!(
                "/api/v1/assessments/2023/units/{}/records/targets_on_time",
                c.edu
            ),
            "/api/v1/assessments/2023".to_string(),
        ] {
            assert_eq!(
                get(&app, &uri, &appr_b).await.0,
                StatusCode::FORBIDDEN,
                "{uri}"
            );
        }
        let seen = ok(&get(&app, "/api/v1/assessments/2023", &lead).await).clone();
        assert_eq!(num(&seen["units"][0]["total"]), num(&json!("95.25")));

        // The pages: finance's ranking and report, the unit's own results only.
        let cookie = browser_login(&app, "fin").await;
        let html = page_of(&app, &cookie, "/assessments?year=2023").await;
        assert!(
            html.contains("得分及排名") && html.contains("且末县卫生健康委员会"),
            "{html}"
        );
        assert!(!html.contains("manual-form"), "no entry after finalising");
        let (status, docx) = get_bytes(&app, "/api/v1/assessments/2023/report.docx", &fin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(docx.starts_with(b"PK"));
        let report = page_of(&app, &cookie, "/assessments/2023/report.html").await;
        assert!(
            report.contains("且末县2023年度部门预算绩效管理工作考核情况报告"),
            "{report}"
        );
        assert!(
            report.contains("且末县卫生健康委员会等 1 个单位列入约谈名单"),
            "{report}"
        );
        let unit_cookie = browser_login(&app, "appr_b").await;
        let html = page_of(&app, &unit_cookie, "/assessments?year=2023").await;
        assert!(
            html.contains("本单位考核结果") && html.contains("74.50"),
            "{html}"
        );
        assert!(!html.contains("且末县教育局"), "{html}");
        let sheet = page_of(
            &app,
            &unit_cookie,
            &format!("/assessments/2023/units/{}", c.health),
        )
        .await;
        assert!(
            sheet.contains("首次审核即通过 / 已审核的绩效目标"),
            "{sheet}"
        );
        assert!(!sheet.contains("adjust-disclosure"), "a unit cannot adjust");
    })
    .await;
}

#[tokio::test]
async fn the_page_opens_enters_and_adjusts() {
    on_every_store("assessment_page", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let cookie = browser_login(&app, "fin").await;
        let html = page_of(&app, &cookie, "/assessments?year=2023").await;
        assert!(html.contains("考核尚未开启"), "{html}");
        let csrf = csrf_of(&html);
        let (status, to, _) = post_form(&app, &cookie, "/assessments/open", &format!("csrf={csrf}&fiscal_year=2023")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page_of(&app, &cookie, to.as_deref().unwrap()).await;
        assert!(html.contains("manual-form") && html.contains("待评"), "{html}");

        // A bad score comes back with the typed values and nothing saved.
        let form = format!(
            "csrf={csrf}&m_{e}_basic=14&m_{e}_reporting=9&m_{h}_basic=15&m_{h}_reporting=5",
            e = c.edu,
            h = c.health
        );
        let (status, _, body) = post_form(&app, &cookie, "/assessments/2023/manual", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("应在 0 至 5 分之间") && body.contains("value=\"9\""), "{body}");
        let fin = token(&app, "fin").await;
        let o = ok(&get(&app, "/api/v1/assessments/2023", &fin).await).clone();
        assert_eq!(unit_of(&o, c.health)["pending"], 2);
        let form = form.replace("reporting=9", "reporting=4");
        let (status, _, _) = post_form(&app, &cookie, "/assessments/2023/manual", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        let sheet_uri = format!("/assessments/2023/units/{}", c.edu);
        let sheet = page_of(&app, &cookie, &sheet_uri).await;
        assert!(sheet.contains("adjust-targets"), "{sheet}");
        let (status, _, body) = post_form(
            &app,
            &cookie,
            &format!("{sheet_uri}/adjust"),
            &format!("csrf={csrf}&item=targets&points=-1&reason="),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("必须填写理由"), "{body}");
        let (status, _, _) = post_form(
            &app,
            &cookie,
            &format!("{sheet_uri}/adjust"),
            &format!("csrf={csrf}&item=targets&points=-1&reason={}", common::enc("目标申报材料不全")),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let sheet = page_of(&app, &cookie, &sheet_uri).await;
        assert!(sheet.contains("-1.00") && sheet.contains("目标申报材料不全") && sheet.contains("10.25"), "{sheet}");

        // The audit trail has every step.
        let audited: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('assessment.open', 'assessment.manual', 'assessment.adjust')"
        )
        .fetch_one(p)
        .await
        .expect("count"));
        assert_eq!(audited, 3);
    })
    .await;
}
