//! Issue 11: a self-evaluation round end to end through the JSON API and the pages, on a
//! database that holds only what a county enters before evaluation starts (a region, units,
//! users, projects with approved targets) — no demo rows. On SQLite and PostgreSQL.
//!
//! Finance opens the 2023 round (drafts for every project with a target in force and every
//! level-1 unit); the unit sees the score build with the rule of each row, is refused without a
//! 偏差原因, fixes it and submits; another unit over-achieves and finance reduces that score with
//! a reason; approvals give next-year recommendations, a 较差 grade drafts a notice, and next
//! year's continuing project cannot be budgeted without the override reason. No unit sees
//! another unit's self-evaluation.

mod common;

use axum::http::{Method, StatusCode};
use common::{
    browser_login, call, csrf_of, enc, get, get_bytes, ok, page_of, post_form, refused, token,
};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory, Role, UnitKind};
use jixiao_store::testing::on_every_store;
use jixiao_store::{Store, projects, regions, targets, units, users};
use serde_json::{Value, json};

const REGION: &str = "652825000";

struct County {
    project_a: i64,
    project_b: i64,
    /// Unit 1's project with a draft target (spending all the same).
    project_c: i64,
    /// Project A continued in 2025 (the budget its 2023 evaluation informs, compiled in 2024),
    /// in the library with an approved target.
    next_a: i64,
}

fn indicators() -> Vec<targets::IndicatorRow> {
    vec![
        targets::IndicatorRow {
            level1: "产出指标".into(),
            level2: "数量指标".into(),
            name: "受益学生人数".into(),
            sign: "≥".into(),
            target_value: "230".into(),
            unit_of_measure: "人".into(),
            weight_x100: Some(4000),
            ..Default::default()
        },
        targets::IndicatorRow {
            level1: "满意度指标".into(),
            level2: "服务对象满意度指标".into(),
            name: "家长满意度".into(),
            sign: "定性".into(),
            target_value: "满意".into(),
            unit_of_measure: String::new(),
            weight_x100: Some(5000),
            ..Default::default()
        },
    ]
}

/// Two units; projects A (unit 1) and B (unit 2) with approved 2023 targets, C with a draft
/// target, D funded only by carried-over money; A's continuation in 2025; the users of SPEC §1.
async fn county(store: &Store) -> County {
    let mut tx = store.begin().await.expect("begin");
    regions::insert(&mut tx, REGION, "且末县", None)
        .await
        .expect("region");
    let mut unit_ids = Vec::new();
    for (code, name) in [("101", "且末县教育局"), ("102", "且末县卫生健康委员会")] {
        unit_ids.push(
            units::insert(
                &mut tx,
                &units::NewUnit {
                    region: REGION,
                    code,
                    name,
                    parent_id: None,
                    level: 1,
                    kind: UnitKind::Administrative,
                    finance_desk: "行政政法股",
                },
            )
            .await
            .expect("unit"),
        );
    }
    let hash = users::hash_password(common::PASSWORD).expect("hash");
    for (username, unit, role) in [
        ("fin", None, Role::FinanceAdmin),
        ("prep_a", Some(unit_ids[0]), Role::UnitPreparer),
        ("appr_a", Some(unit_ids[0]), Role::UnitApprover),
        ("appr_b", Some(unit_ids[1]), Role::UnitApprover),
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
    let mut ids = Vec::new();
    for (year, code, unit, approved, current, carryover, status, previous) in [
        (2023, "P-A", unit_ids[0], true, 80, 20, "executing", None),
        (2023, "P-B", unit_ids[1], true, 100, 0, "executing", None),
        (2023, "P-C", unit_ids[0], false, 100, 0, "executing", None),
        (2023, "P-D", unit_ids[0], true, 0, 50, "executing", None),
        (2025, "P-A", unit_ids[0], true, 90, 0, "in_library", Some(0)),
    ] {
        let id = projects::insert(
            &mut tx,
            &projects::NewProject {
                region: REGION,
                fiscal_year: year,
                code,
                name: &format!("{code} 学生营养改善计划"),
                unit_id: unit,
                is_policy: false,
                budget_type: BudgetType::GeneralPublic,
                category: ProjectCategory::SpecificPurpose,
                continuity: if previous.is_some() {
                    Continuity::Continuing
                } else {
                    Continuity::New
                },
                timing: BudgetTiming::Initial,
                start_year: 2023,
                end_year: 2025,
                current: Fen::from_wan(current),
                carryover: Fen::from_wan(carryover),
                other: Fen::ZERO,
                is_major: false,
                library_status: status,
                previous_project_id: previous.map(|n: usize| ids[n]),
            },
        )
        .await
        .expect("project");
        let total = Fen::from_wan(current + carryover);
        targets::insert(
            &mut tx,
            &targets::NewTarget {
                region: REGION,
                fiscal_year: year,
                object_kind: jixiao_domain::types::ObjectKind::Project,
                project_id: Some(id),
                unit_id: unit,
                state: if approved { "approved" } else { "draft" },
                total,
                fiscal: total,
                other: Fen::ZERO,
                overall_goal: format!("{code}：保障项目按期实施"),
                indicators: indicators(),
                review_rating: approved.then_some("good"),
                review_opinion: "",
                tasks: vec![],
            },
        )
        .await
        .expect("target");
        ids.push(id);
    }
    // Unit 1 declared its unit-overall target; unit 2 did not.
    targets::insert(
        &mut tx,
        &targets::NewTarget {
            region: REGION,
            fiscal_year: 2023,
            object_kind: jixiao_domain::types::ObjectKind::Unit,
            project_id: None,
            unit_id: unit_ids[0],
            state: "approved",
            total: Fen::from_wan(500),
            fiscal: Fen::from_wan(500),
            other: Fen::ZERO,
            overall_goal: "全面完成年度教育工作任务".into(),
            indicators: indicators(),
            review_rating: Some("good"),
            review_opinion: "",
            tasks: vec![],
        },
    )
    .await
    .expect("unit target");
    tx.commit().await.expect("commit");
    County {
        project_a: ids[0],
        project_b: ids[1],
        project_c: ids[2],
        next_a: ids[4],
    }
}

async fn evaluation_of(store: &Store, project: i64) -> i64 {
    jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
        "SELECT id FROM evaluations WHERE project_id = $1"
    )
    .bind(project)
    .fetch_one(p)
    .await
    .expect("evaluation"))
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    jixiao_store::on_pool!(store, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await
        .expect("scalar"))
}

fn form(row_version: i64, executed: &str, actual: &str, tier: &str, reason: &str) -> Value {
    json!({
        "row_version": row_version,
        "executed_wan": executed,
        "overall_actual": "按计划实施",
        "indicators": [
            {"seq": 1, "actual": actual, "reason": reason},
            {"seq": 2, "actual": "基本满意", "tier": tier, "reason": reason}
        ]
    })
}

fn version(v: &Value) -> i64 {
    v["evaluation"]["row_version"]
        .as_i64()
        .expect("row_version")
}

#[tokio::test]
async fn a_self_evaluation_round_on_a_fresh_database_issue_11() {
    on_every_store("self_evaluation_round_issue_11", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;

        // Only the finance performance office opens a round; the input is checked.
        let round = json!({"fiscal_year": 2023, "deadline": "2099-04-30"});
        refused(
            &call(&app, Method::POST, "/api/v1/evaluation-rounds", &appr_b, round.clone()).await,
            StatusCode::FORBIDDEN,
            "只有财政绩效管理员",
        );
        refused(
            &call(&app, Method::POST, "/api/v1/evaluation-rounds", &fin,
                json!({"fiscal_year": 2023, "deadline": "2023-06-30"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "晚于 2023-12-31",
        );
        let opened = call(&app, Method::POST, "/api/v1/evaluation-rounds", &fin, round.clone()).await;
        assert_eq!(opened.0, StatusCode::CREATED, "{}", opened.1);
        // A and B (C's target is a draft; D is carried over only and was not chosen), and unit 1
        // (unit 2 has no unit-overall target in force, and is counted).
        assert_eq!(opened.1["drafts"]["projects"], 2, "{}", opened.1);
        assert_eq!(opened.1["drafts"]["units"], 1);
        assert_eq!(opened.1["drafts"]["units_without_target"], 1);
        let round_id = opened.1["id"].as_i64().expect("id");
        refused(
            &call(&app, Method::POST, "/api/v1/evaluation-rounds", &fin, round).await,
            StatusCode::CONFLICT,
            "已经部署",
        );
        let ea = evaluation_of(store, c.project_a).await;
        let eb = evaluation_of(store, c.project_b).await;

        // The draft is pre-filled from the target and the budget; nothing is entered yet.
        let got = get(&app, &format!("/api/v1/evaluations/{ea}"), &appr_a).await;
        let e = ok(&got);
        assert_eq!(e["evaluation"]["budget_fen"], 100_000_000);
        assert_eq!(e["evaluation"]["filled_at"], Value::Null);
        assert_eq!(e["score"], Value::Null);
        assert_eq!(e["indicators"][0]["weight_x100"], 4000);
        assert_eq!(e["indicators"][0]["target_value"], "230");
        // Another unit's self-evaluation: the same 403 as a record that does not exist (SPEC §1).
        assert_eq!(get(&app, &format!("/api/v1/evaluations/{ea}"), &appr_b).await.0, StatusCode::FORBIDDEN);
        assert_eq!(get(&app, "/api/v1/evaluations/999999", &appr_b).await.0, StatusCode::FORBIDDEN);
        // The round's table and progress, scoped: unit B sees only its own rows.
        let got = get(&app, &format!("/api/v1/evaluation-rounds/{round_id}"), &appr_b).await;
        let r = ok(&got);
        assert_eq!(r["evaluations"].as_array().map(Vec::len), Some(1), "{r}");
        assert!(r["evaluations"].as_array().unwrap().iter().all(|e| e["unit_name"] == "且末县卫生健康委员会"));

        // The live check: each row with the rule that gave its points, and the missing 偏差原因.
        let got = call(&app, Method::POST, &format!("/api/v1/evaluations/{ea}/check"), &appr_a,
            form(0, "96", "200", "1", "")).await;
        let s = &ok(&got)["score"];
        assert_eq!(s["indicators"][0]["rule"], "B/A×W = 0.8696×40 = 34.78", "{s}");
        assert_eq!(s["indicators"][1]["rule"], "部分达成年度指标并具有一定效果 → 60% × 50 = 30.00");
        assert_eq!(s["execution_score"], "9.60");
        assert_eq!(s["total"], "74.38");
        assert_eq!(s["grade"], "fair");
        assert!(s["findings"].to_string().contains("偏差原因"), "{s}");

        // Submitting before anything is saved, or with a missing 偏差原因, is refused.
        refused(
            &call(&app, Method::POST, &format!("/api/v1/evaluations/{ea}/actions"), &appr_a,
                json!({"action": "submit", "row_version": version(e)})).await,
            StatusCode::CONFLICT,
            "尚未填写",
        );
        let saved = call(&app, Method::PUT, &format!("/api/v1/evaluations/{ea}"), &appr_a,
            form(version(e), "50", "100", "2", "")).await;
        let rv = ok(&saved)["row_version"].as_i64().expect("rv");
        refused(
            &call(&app, Method::POST, &format!("/api/v1/evaluations/{ea}/actions"), &appr_a,
                json!({"action": "submit", "row_version": rv})).await,
            StatusCode::CONFLICT,
            "偏差原因",
        );
        // B's approver cannot write A's form.
        assert_eq!(
            call(&app, Method::PUT, &format!("/api/v1/evaluations/{ea}"), &appr_b,
                form(rv, "50", "100", "2", "x")).await.0,
            StatusCode::FORBIDDEN
        );
        let saved = call(&app, Method::PUT, &format!("/api/v1/evaluations/{ea}"), &appr_a,
            form(rv, "50", "100", "2", "受益学生减少，资金拨付滞后")).await;
        let s = &ok(&saved)["score"];
        // 5.00 + 100/230×40 = 17.39 + 未达成 0 = 22.39: 较差.
        assert_eq!(s["total"], "22.39", "{s}");
        assert_eq!(s["grade"], "poor");
        let rv = ok(&saved)["row_version"].as_i64().expect("rv");
        let submitted = call(&app, Method::POST, &format!("/api/v1/evaluations/{ea}/actions"), &appr_a,
            json!({"action": "submit", "row_version": rv})).await;
        assert_eq!(ok(&submitted)["state"], "submitted");
        // The stale version is refused.
        assert_eq!(
            call(&app, Method::PUT, &format!("/api/v1/evaluations/{ea}"), &appr_a,
                form(rv, "50", "100", "2", "x")).await.0,
            StatusCode::CONFLICT
        );

        // Unit B over-achieves (300 against ≥ 230, beyond 20%) and must explain it.
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &appr_b).await;
        let saved = call(&app, Method::PUT, &format!("/api/v1/evaluations/{eb}"), &appr_b,
            form(version(ok(&got)), "100", "300", "0", "新增两所学校纳入")).await;
        let s = &ok(&saved)["score"];
        assert_eq!(s["indicators"][0]["over_achieved"], true);
        assert!(s["indicators"][0]["rule"].as_str().unwrap().contains("超过目标 20% 以上，须说明"));
        assert_eq!(s["total"], "100.00");
        let rv = ok(&saved)["row_version"].as_i64().expect("rv");
        ok(&call(&app, Method::POST, &format!("/api/v1/evaluations/{eb}/actions"), &appr_b,
            json!({"action": "submit", "row_version": rv})).await);

        // Finance: a reduction only on an over-achieved row, with a reason; a return needs one.
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &fin).await;
        let rv = version(ok(&got));
        refused(
            &call(&app, Method::POST, &format!("/api/v1/evaluations/{eb}/actions"), &fin,
                json!({"action": "approve", "row_version": rv,
                    "reductions": [{"seq": 2, "score": "40", "reason": "x"}]})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "未超额完成",
        );
        refused(
            &call(&app, Method::POST, &format!("/api/v1/evaluations/{eb}/actions"), &fin,
                json!({"action": "approve", "row_version": rv,
                    "reductions": [{"seq": 1, "score": "30", "reason": " "}]})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "须说明理由",
        );
        let approved = call(&app, Method::POST, &format!("/api/v1/evaluations/{eb}/actions"), &fin,
            json!({"action": "approve", "row_version": rv, "text": "同意",
                "reductions": [{"seq": 1, "score": 30, "reason": "目标明显偏低"}]})).await;
        let o = ok(&approved);
        assert_eq!(o["state"], "approved");
        assert_eq!(o["total"], "90");
        assert_eq!(o["grade"], "excellent");
        assert_eq!(o["recommendation"], "priority");
        assert_eq!(o["notice"], Value::Null);
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &appr_b).await;
        let e = ok(&got);
        assert_eq!(e["indicators"][0]["reduced_x100"], 3000);
        assert_eq!(e["indicators"][0]["reduction_reason"], "目标明显偏低");
        assert_eq!(e["evaluation"]["total_x100"], 9000);
        // The form shows the approved total, after the reduction, not the engine's 100.
        assert_eq!(e["score"]["total"], "90.00", "{}", e["score"]);

        // A is 较差: 原则上不予安排, and a notice is drafted for finance to confirm.
        let got = get(&app, &format!("/api/v1/evaluations/{ea}"), &fin).await;
        let o = call(&app, Method::POST, &format!("/api/v1/evaluations/{ea}/actions"), &fin,
            json!({"action": "approve", "row_version": version(ok(&got))})).await;
        let o = ok(&o);
        assert_eq!(o["recommendation"], "not_arranged");
        let notice = o["notice"].as_i64().expect("a drafted notice");
        assert_eq!(
            scalar(store, &format!("SELECT COUNT(*) FROM rectifications WHERE id = {notice} \
                AND source_kind = 'evaluation' AND state = 'draft'")).await,
            1
        );
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM result_applications").await, 2);
        // The recommendations, for the budget-compilation system: finance all, a unit its own.
        let got = get(&app, "/api/v1/result-applications?year=2023", &fin).await;
        let list = ok(&got).as_array().expect("a list").clone();
        assert_eq!(list.len(), 2, "{list:?}");
        assert!(list.iter().all(|a| a["next_year"] == 2025), "{list:?}");
        let got = get(&app, "/api/v1/result-applications", &appr_b).await;
        let list = ok(&got).as_array().expect("a list").clone();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["recommendation"], "priority");
        assert_eq!(list[0]["total_x100"], 9000);
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM audit_log WHERE action = 'evaluation.approve'").await, 2);

        // Next year's continuation shows the recommendation and needs a reason to be budgeted.
        let fin_cookie = browser_login(&app, "fin").await;
        let page = page_of(&app, &fin_cookie, &format!("/projects/{}", c.next_a)).await;
        assert!(page.contains("id=\"carried-recommendation\""), "{page}");
        assert!(page.contains("原则上不予安排"));
        let got = get(&app, &format!("/api/v1/projects/{}", c.next_a), &fin).await;
        let rv = ok(&got)["row_version"].as_i64().or_else(|| ok(&got)["project"]["row_version"].as_i64()).expect("rv");
        refused(
            &call(&app, Method::POST, &format!("/api/v1/projects/{}/actions", c.next_a), &fin,
                json!({"action": "budget", "row_version": rv})).await,
            StatusCode::CONFLICT,
            "须填写安排理由",
        );
        ok(&call(&app, Method::POST, &format!("/api/v1/projects/{}/actions", c.next_a), &fin,
            json!({"action": "budget", "row_version": rv, "text": "县委常委会研究同意继续安排"})).await);
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM result_applications WHERE override_reason = '县委常委会研究同意继续安排'").await,
            1
        );
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM audit_log WHERE action = 'result_application.override'").await, 1);

        // The pages: the unit's to-do, the form with its live score, and the review form.
        let prep = browser_login(&app, "prep_a").await;
        let home = page_of(&app, &prep, "/").await;
        // A's is approved; the unit-overall draft of unit 1 is still to do.
        assert!(home.contains("填报并提交绩效自评"), "{home}");
        let units_eval: i64 = scalar(store, "SELECT id FROM evaluations WHERE object_kind = 'unit' \
            AND unit_id = (SELECT unit_id FROM projects WHERE code = 'P-A' AND fiscal_year = 2023)").await;
        let page = page_of(&app, &prep, &format!("/evaluations/{units_eval}")).await;
        assert!(page.contains("部门整体支出绩效自评表"));
        assert!(page.contains("hx-post=\"/evaluations/"), "the form checks as the user types");
        let csrf = csrf_of(&page);
        let (status, _, html) = post_form(&app, &prep, &format!("/evaluations/{units_eval}/check"),
            &format!("csrf={csrf}&executed_wan=90&ind.1.actual=230&ind.1.reason=&ind.2.tier=0")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("实际 230 ≥ 目标 230，达成 → 满分 40.00"), "{html}");
        let page = page_of(&app, &fin_cookie, &format!("/evaluations/{eb}")).await;
        assert!(page.contains("审核调减为 30.00（目标明显偏低）"), "{page}");
        assert!(page.contains("优先保障"));
        let rounds = page_of(&app, &fin_cookie, "/evaluations/rounds").await;
        assert!(rounds.contains("2023年度绩效自评"));
        let round_page = page_of(&app, &fin_cookie, &format!("/evaluations/rounds/{round_id}")).await;
        assert!(round_page.contains("id=\"progress\""));
        // Opening a round on the page: a second one for the year is refused with the reason.
        let (status, _, html) = post_form(&app, &fin_cookie, "/evaluations/rounds",
            &format!("csrf={}&fiscal_year=2023&deadline=2099-05-01&name={}", csrf_of(&rounds), enc("再来一次"))).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("已经部署"));
    })
    .await;
}

/// Issue 11 item 2: the form goes out pre-filled as .xlsx and comes back through the import into
/// the same draft, with the same score as typed on the web; a unit's workbook holds its own forms.
#[tokio::test]
async fn a_self_evaluation_goes_out_as_xlsx_and_comes_back_into_its_draft() {
    on_every_store("self_evaluation_xlsx_round_trip", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;
        let opened = call(
            &app,
            Method::POST,
            "/api/v1/evaluation-rounds",
            &fin,
            json!({"fiscal_year": 2023, "deadline": "2099-04-30"}),
        )
        .await;
        let round_id = ok(&opened)["id"].as_i64().expect("id");
        let eb = evaluation_of(store, c.project_b).await;
        let ea = evaluation_of(store, c.project_a).await;

        // Typed on the web, then downloaded: the form holds what was typed.
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &appr_b).await;
        let saved = call(
            &app,
            Method::PUT,
            &format!("/api/v1/evaluations/{eb}"),
            &appr_b,
            form(version(ok(&got)), "96", "200", "1", "受益学生减少"),
        )
        .await;
        let typed = ok(&saved)["score"].clone();
        let (status, book) = get_bytes(
            &app,
            &format!("/api/v1/evaluations/{eb}/form.xlsx"),
            &appr_b,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let read = jixiao_forms::xlsx::read_with_limits(
            book.clone(),
            jixiao_forms::xlsx::Limits::default(),
        )
        .await
        .expect("the form reads back");
        assert_eq!(read.forms.len(), 1);
        let f = &read.forms[0];
        assert_eq!(f.project.as_deref(), Some("P-B 学生营养改善计划"));
        assert_eq!(f.indicators.len(), 2);
        assert_eq!(
            f.indicators[0].explanation_text.trim(),
            "受益学生减少",
            "{:?}",
            f.indicators[0]
        );
        // `jixiao forms check` scores the downloaded form as the web form did.
        let wb = jixiao_forms::xlsx::read_workbook(&book, &jixiao_forms::xlsx::Limits::default())
            .expect("the form reads back");
        let report = jixiao_forms::xlsx::check::check_workbook(
            "自评表.xlsx",
            &wb,
            &jixiao_domain::settings::Settings::default(),
        );
        let checked = report.forms[0].total.map(|t| format!("{t:.2}"));
        assert_eq!(
            checked.as_deref(),
            typed["total"].as_str(),
            "forms check {:?} web {}",
            report.forms[0].total,
            typed
        );
        // Another unit's form is out of sight.
        assert_eq!(
            get_bytes(
                &app,
                &format!("/api/v1/evaluations/{eb}/form.xlsx"),
                &appr_a
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );

        // Something else is typed, then the form is uploaded: the figures are the form's.
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &appr_b).await;
        ok(&call(
            &app,
            Method::PUT,
            &format!("/api/v1/evaluations/{eb}"),
            &appr_b,
            form(version(ok(&got)), "10", "10", "0", "x"),
        )
        .await);
        let before = scalar(store, "SELECT COUNT(*) FROM evaluations").await;
        let up = common::upload(
            &app,
            "/api/v1/imports",
            &appr_b,
            &[("kind", "self_evaluations"), ("year", "2023")],
            ("自评表.xlsx", &book),
        )
        .await;
        assert_eq!(ok(&up)["status"], "imported", "{}", up.1);
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM evaluations").await,
            before,
            "no second evaluation"
        );
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &appr_b).await;
        let e = ok(&got);
        assert_eq!(
            e["evaluation"]["state"], "draft",
            "an upload lands in the draft"
        );
        assert_eq!(e["evaluation"]["round_id"], round_id);
        assert_eq!(
            e["score"]["total"], typed["total"],
            "uploaded {} typed {}",
            e["score"], typed
        );
        assert_eq!(e["indicators"][0]["actual_value"], "200");
        assert_eq!(e["indicators"][0]["deviation_reason"], "受益学生减少");
        // The unit submits the uploaded form like one typed on the web.
        ok(&call(
            &app,
            Method::POST,
            &format!("/api/v1/evaluations/{eb}/actions"),
            &appr_b,
            json!({"action": "submit", "row_version": version(e)}),
        )
        .await);
        // The round's workbook: unit B gets its one form; finance all three; A's draft is in A's.
        let (status, unit_book) = get_bytes(
            &app,
            &format!("/api/v1/evaluation-rounds/{round_id}/workbook.xlsx"),
            &appr_b,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let read = jixiao_forms::xlsx::read_with_limits(
            unit_book.clone(),
            jixiao_forms::xlsx::Limits::default(),
        )
        .await
        .expect("reads");
        assert_eq!(read.forms.len(), 1);
        // Once submitted, a form of it filled elsewhere is not read over it: named, nothing written.
        let other = other_form_of_b();
        let up = common::upload(
            &app,
            "/api/v1/imports",
            &appr_b,
            &[("kind", "self_evaluations"), ("year", "2023")],
            ("另一份自评表.xlsx", &other),
        )
        .await;
        assert_eq!(up.1["status"], "refused", "{}", up.1);
        assert!(
            up.1["problems"]
                .to_string()
                .contains("已提交，不能再导入覆盖"),
            "{}",
            up.1
        );
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &appr_b).await;
        assert_eq!(ok(&got)["indicators"][0]["actual_value"], "200");
        let (status, all) = get_bytes(
            &app,
            &format!("/api/v1/evaluation-rounds/{round_id}/workbook.xlsx"),
            &fin,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let read = jixiao_forms::xlsx::read_with_limits(all, jixiao_forms::xlsx::Limits::default())
            .await
            .expect("reads");
        assert_eq!(read.forms.len(), 3);
        assert_eq!(
            get_bytes(
                &app,
                &format!("/api/v1/evaluations/{ea}/form.xlsx"),
                &appr_a
            )
            .await
            .0,
            StatusCode::OK
        );
        // The page links both downloads.
        let cookie = browser_login(&app, "appr_b").await;
        let page = page_of(&app, &cookie, &format!("/evaluations/rounds/{round_id}")).await;
        assert!(page.contains("workbook.xlsx"), "{page}");
        let page = page_of(&app, &cookie, &format!("/evaluations/{eb}")).await;
        assert!(page.contains(&format!("/evaluations/{eb}/form.xlsx")));
    })
    .await;
}

/// Project B's self-evaluation as another office filled it (not downloaded from Jixiao).
fn other_form_of_b() -> Vec<u8> {
    use jixiao_domain::indicator::Sign;
    use jixiao_forms::xlsx::write::{
        EvaluatedIndicator, FundsLine, Indicator, ProjectSelfEvaluationForm, SelfEvaluationFunds,
        Target, Value,
    };
    use rust_decimal::Decimal;
    let line = FundsLine {
        start: Some(Fen::from_wan(100)),
        budget: Some(Fen::from_wan(100)),
        executed: Some(Fen::from_wan(100)),
    };
    let row = |level1: &str,
               level2: &str,
               name: &str,
               target: Target,
               weight: i64,
               actual: Value,
               score: i64| EvaluatedIndicator {
        indicator: Indicator::new(level1, level2, name, target).weight(Decimal::from(weight)),
        actual: Some(actual),
        score: Some(Decimal::from(score)),
        explanation: String::new(),
    };
    let form = ProjectSelfEvaluationForm {
        fiscal_year: 2023,
        project: "P-B 学生营养改善计划".into(),
        department: "且末县卫生健康委员会".into(),
        implementer: "且末县卫生健康委员会".into(),
        funds: SelfEvaluationFunds {
            total: line.clone(),
            current: line,
            weight: Some(Decimal::TEN),
            ..Default::default()
        },
        goal_expected: String::new(),
        goal_actual: String::new(),
        indicators: vec![
            row(
                "产出指标",
                "数量指标",
                "受益学生人数",
                Target::Quantitative {
                    sign: Sign::Ge,
                    value: Decimal::from(230),
                    unit: "人".into(),
                },
                40,
                Value::Number(Decimal::from(230)),
                40,
            ),
            row(
                "满意度指标",
                "服务对象满意度指标",
                "家长满意度",
                Target::Qualitative("满意".into()),
                50,
                Value::Text("满意".into()),
                50,
            ),
        ],
        total_score: Some(Decimal::from(100)),
    };
    jixiao_forms::xlsx::write::write_form(&form.into()).expect("a form")
}

/// Issue 11 item 5: finance draws the year's sample from a recorded seed, re-scores with
/// evidence; a gap of 10 points marks the self-evaluation inaccurate and drafts a notice. Only
/// finance draws and verifies; a unit reads its own verdicts.
#[tokio::test]
async fn verification_draws_a_seeded_sample_and_marks_an_inaccurate_self_evaluation() {
    on_every_store("verification_issue_11", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;
        ok(&call(&app, Method::POST, "/api/v1/evaluation-rounds", &fin,
            json!({"fiscal_year": 2023, "deadline": "2099-04-30"})).await);
        // The dashboard counts results, not the round's drafts.
        let h = jixiao_store::dashboard::headline(store, REGION, 2024, &jixiao_store::browse::Scope::Region).await.expect("headline");
        assert_eq!((h.self_evaluations, h.score_x100_sum), (0, 0));
        // Nothing approved yet: nothing to draw.
        refused(
            &call(&app, Method::POST, "/api/v1/verifications/draw", &fin, json!({"fiscal_year": 2023})).await,
            StatusCode::CONFLICT,
            "还没有审核通过",
        );
        // A and B filled, submitted and approved.
        for (project, unit, executed, actual) in [(c.project_a, &appr_a, "100", "230"), (c.project_b, &appr_b, "100", "230")] {
            let e = evaluation_of(store, project).await;
            let got = get(&app, &format!("/api/v1/evaluations/{e}"), unit).await;
            let saved = call(&app, Method::PUT, &format!("/api/v1/evaluations/{e}"), unit,
                form(version(ok(&got)), executed, actual, "0", "")).await;
            let rv = ok(&saved)["row_version"].as_i64().expect("rv");
            ok(&call(&app, Method::POST, &format!("/api/v1/evaluations/{e}/actions"), unit,
                json!({"action": "submit", "row_version": rv})).await);
            let got = get(&app, &format!("/api/v1/evaluations/{e}"), &fin).await;
            ok(&call(&app, Method::POST, &format!("/api/v1/evaluations/{e}/actions"), &fin,
                json!({"action": "approve", "row_version": version(ok(&got))})).await);
        }
        let ea = evaluation_of(store, c.project_a).await;
        let h = jixiao_store::dashboard::headline(store, REGION, 2024, &jixiao_store::browse::Scope::Region).await.expect("headline");
        assert_eq!(h.self_evaluations, 2);

        // Only the finance office draws; the seed must be a number.
        refused(
            &call(&app, Method::POST, "/api/v1/verifications/draw", &appr_a, json!({"fiscal_year": 2023})).await,
            StatusCode::FORBIDDEN,
            "财政绩效管理员",
        );
        refused(
            &call(&app, Method::POST, "/api/v1/verifications/draw", &fin, json!({"fiscal_year": 2023, "seed": "abc"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "随机种子",
        );
        let drawn = call(&app, Method::POST, "/api/v1/verifications/draw", &fin, json!({"fiscal_year": 2023, "seed": 42})).await;
        assert_eq!(drawn.0, StatusCode::CREATED, "{}", drawn.1);
        // 2 approved: 10 % rounded up is 1, at least 5, at most 2.
        assert_eq!(drawn.1, json!({"seed": 42, "population": 2, "drawn": 2}));
        refused(
            &call(&app, Method::POST, "/api/v1/verifications/draw", &fin, json!({"fiscal_year": 2023})).await,
            StatusCode::CONFLICT,
            "随机种子 42",
        );
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM audit_log WHERE action = 'verification.draw'").await, 1);
        // Already sampled: not added twice.
        refused(
            &call(&app, Method::POST, "/api/v1/verifications", &fin, json!({"evaluation_id": ea})).await,
            StatusCode::CONFLICT,
            "已在核查样本中",
        );

        let got = get(&app, "/api/v1/verifications?year=2023", &fin).await;
        let o = ok(&got);
        assert_eq!(o["summary"]["sampled"], 2, "{o}");
        assert_eq!(o["draw"]["seed"], 42);
        let row = o["rows"].as_array().unwrap().iter().find(|r| r["evaluation_id"] == ea).expect("A sampled").clone();
        let vid = row["id"].as_i64().expect("id");
        let own = row["self_x100"].as_i64().expect("own");
        // A score without evidence, or out of range, is refused; a unit may not verify.
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/verifications/{vid}"), &fin,
                json!({"row_version": row["row_version"], "score": 80, "evidence": " "})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "核查依据",
        );
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/verifications/{vid}"), &fin,
                json!({"row_version": row["row_version"], "score": "101", "evidence": "x"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "0 到 100",
        );
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/verifications/{vid}"), &appr_a,
                json!({"row_version": row["row_version"], "score": "80", "evidence": "x"})).await,
            StatusCode::FORBIDDEN,
            "财政绩效管理员",
        );
        // Ten points below the unit's own: inaccurate, a notice drafted.
        let verified = format!("{}.{:02}", (own - 1000) / 100, (own - 1000) % 100);
        let v = call(&app, Method::PUT, &format!("/api/v1/verifications/{vid}"), &fin,
            json!({"row_version": row["row_version"], "score": verified, "evidence": "抽查支付凭证，受益人数与名册不符"})).await;
        let v = ok(&v);
        assert_eq!(v["inaccurate"], true, "{v}");
        assert_eq!(v["gap"], "10");
        let notice = v["notice"].as_i64().expect("a drafted notice");
        assert_eq!(
            scalar(store, &format!("SELECT COUNT(*) FROM rectifications WHERE id = {notice} \
                AND source_kind = 'verification' AND state = 'draft'")).await,
            1
        );
        // A stale version is refused; a correction with the fresh one is kept, no second notice.
        assert_eq!(
            call(&app, Method::PUT, &format!("/api/v1/verifications/{vid}"), &fin,
                json!({"row_version": row["row_version"], "score": "90", "evidence": "x"})).await.0,
            StatusCode::CONFLICT
        );
        let v2 = call(&app, Method::PUT, &format!("/api/v1/verifications/{vid}"), &fin,
            json!({"row_version": v["row_version"], "score": verified, "evidence": "复核支付凭证和受益人名册"})).await;
        assert_eq!(ok(&v2)["notice"], Value::Null);

        // The unit reads its own verdict, not B's; the page shows it on the form.
        let got = get(&app, "/api/v1/verifications?year=2023", &appr_a).await;
        let o = ok(&got);
        assert_eq!(o["rows"].as_array().map(Vec::len), Some(1), "{o}");
        assert_eq!(o["population"], Value::Null);
        assert_eq!(o["summary"]["inaccurate"], 1);
        let got = get(&app, "/api/v1/verifications?year=2023", &appr_b).await;
        assert_eq!(ok(&got)["summary"]["inaccurate"], 0);
        let cookie = browser_login(&app, "appr_a").await;
        let page = page_of(&app, &cookie, &format!("/evaluations/{ea}")).await;
        assert!(page.contains("id=\"evaluation-verification\""), "{page}");
        assert!(page.contains("自评不实"));
        let fin_cookie = browser_login(&app, "fin").await;
        let page = page_of(&app, &fin_cookie, "/verifications?year=2023").await;
        assert!(page.contains("随机种子 <strong>42</strong>"), "{page}");
        assert!(page.contains("复核支付凭证和受益人名册"));
        // The page form records a score too.
        let (status, _, html) = post_form(&app, &fin_cookie, &format!("/verifications/{vid}"),
            &format!("csrf={}&row_version={}&fiscal_year=2023&score=&evidence=x", csrf_of(&page), ok(&v2)["row_version"])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("不是有效的分数"), "{html}");
    })
    .await;
}

/// Issue 11 item 3: a department chooses a project with the coverage computed live, fills the
/// §8.4 framework (the score built by the engine, 产出 + 效益 ≥ 60 enforced), submits; finance
/// approves, and the project gets its recommendation; the report comes out as .docx.
#[tokio::test]
async fn a_department_evaluation_on_the_framework_with_its_coverage() {
    on_every_store("department_evaluation_issue_11", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let prep_a = token(&app, "prep_a").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;

        // The plan: unit 1 spends P-A 100 + P-C 100 + P-D 50 = 250 万元 in 2023.
        let got = get(&app, "/api/v1/department-evaluations?year=2023", &appr_a).await;
        let plan = ok(&got);
        assert_eq!(plan["candidates"].as_array().map(Vec::len), Some(3), "{plan}");
        assert_eq!(plan["units"][0]["chosen"]["project_funds"], 250_000_000);
        // Finance oversees; it does not choose for the department.
        refused(
            &call(&app, Method::POST, "/api/v1/department-evaluations", &fin,
                json!({"fiscal_year": 2023, "project_ids": [c.project_a]})).await,
            StatusCode::FORBIDDEN,
            "预算部门",
        );
        assert_eq!(
            call(&app, Method::POST, "/api/v1/department-evaluations", &prep_a,
                json!({"fiscal_year": 2023, "project_ids": [c.project_b]})).await.0,
            StatusCode::FORBIDDEN,
            "another unit's project"
        );
        let chosen = call(&app, Method::POST, "/api/v1/department-evaluations", &prep_a,
            json!({"fiscal_year": 2023, "project_ids": [c.project_a]})).await;
        assert_eq!(chosen.0, StatusCode::CREATED, "{}", chosen.1);
        let id = chosen.1["ids"][0].as_i64().expect("id");
        refused(
            &call(&app, Method::POST, "/api/v1/department-evaluations", &prep_a,
                json!({"fiscal_year": 2023, "project_ids": [c.project_a]})).await,
            StatusCode::CONFLICT,
            "都已有部门评价",
        );
        // 100 of 250: 40 %, no shortfall; unit 2 has chosen nothing and falls short.
        let got = get(&app, "/api/v1/department-evaluations?year=2023", &fin).await;
        let units = ok(&got)["units"].as_array().unwrap().clone();
        let share = |name: &str, key: &str| {
            units.iter().find(|u| u["unit_name"] == name).map(|u| u[key].clone()).expect("unit")
        };
        assert_eq!(share("且末县教育局", "chosen")["share"], "40.00", "{units:?}");
        assert_eq!(share("且末县教育局", "chosen")["shortfall"], false);
        assert_eq!(share("且末县卫生健康委员会", "chosen")["shortfall"], true);
        assert_eq!(share("且末县教育局", "approved")["share"], "0");

        let prep_cookie = browser_login(&app, "prep_a").await;
        let home = page_of(&app, &prep_cookie, "/").await;
        assert!(home.contains("填报并提交部门评价"), "{home}");
        // The draft holds the framework template, nothing filled.
        let got = get(&app, &format!("/api/v1/evaluations/{id}"), &appr_a).await;
        let e = ok(&got).clone();
        assert_eq!(e["indicators"].as_array().map(Vec::len), Some(18));
        assert_eq!(e["score"], Value::Null);
        let items = |rate_85: bool, move_outcome: bool| -> Vec<Value> {
            e["indicators"].as_array().unwrap().iter().enumerate().map(|(n, r)| {
                let rate = r["sign"] != "定性";
                let mut weight = r["weight_x100"].as_i64().unwrap() / 100;
                if move_outcome && n == 0 { weight += 5; }
                if move_outcome && n == 15 { weight -= 5; }
                json!({
                    "level1": r["level1"], "level2": r["level2"], "name": r["name"], "standard": r["standard"],
                    "kind": if rate { "rate" } else { "judged" }, "weight": weight.to_string(),
                    "rate": if rate { if rate_85 && r["name"] == "实际完成率" { "85" } else { "100" } } else { "" },
                    "tier": if rate { "" } else { "0" },
                    "note": if rate_85 && r["name"] == "实际完成率" { "部分村组未完工" } else { "" },
                })
            }).collect()
        };
        // Moving 5 points from 效益 to 决策 leaves 产出 + 效益 at 55: an error, no total.
        let got = call(&app, Method::POST, &format!("/api/v1/department-evaluations/{id}/check"), &prep_a,
            json!({"items": items(true, true)})).await;
        let s = &ok(&got)["score"];
        assert_eq!(s["total"], Value::Null, "{s}");
        assert!(s["findings"].to_string().contains("产出和效益指标分值合计为 55，应不低于 60"), "{s}");
        let rv = e["evaluation"]["row_version"].as_i64().unwrap();
        let saved = call(&app, Method::PUT, &format!("/api/v1/department-evaluations/{id}"), &prep_a,
            json!({"row_version": rv, "items": items(true, false), "report_basics": "覆盖全县 12 所学校。",
                "report_problems": "部分村组未按期完工。", "report_suggestions": "加快实施进度。"})).await;
        let s = &ok(&saved)["score"];
        // 100 − 10 + 8.50 = 98.50.
        assert_eq!(s["total"], "98.50", "{s}");
        assert_eq!(s["grade"], "excellent");
        let rule = s["items"].as_array().unwrap().iter().find_map(|i| i["rule"].as_str().filter(|r| r.starts_with("B/A"))).map(String::from);
        assert_eq!(rule.as_deref(), Some("B/A×W = 0.85×10 = 8.50"));
        let rv = ok(&saved)["row_version"].as_i64().unwrap();
        // The unit's approver submits; finance approves.
        ok(&call(&app, Method::POST, &format!("/api/v1/evaluations/{id}/actions"), &appr_a,
            json!({"action": "submit", "row_version": rv})).await);
        assert_eq!(
            call(&app, Method::PUT, &format!("/api/v1/department-evaluations/{id}"), &prep_a,
                json!({"row_version": rv + 1, "items": items(false, false)})).await.0,
            StatusCode::CONFLICT,
            "a submitted evaluation is not edited"
        );
        let got = get(&app, &format!("/api/v1/evaluations/{id}"), &fin).await;
        let approved = call(&app, Method::POST, &format!("/api/v1/evaluations/{id}/actions"), &fin,
            json!({"action": "approve", "row_version": version(ok(&got)), "text": "同意"})).await;
        let o = ok(&approved);
        assert_eq!(o["state"], "approved", "{o}");
        assert_eq!(o["grade"], "excellent");
        assert_eq!(o["recommendation"], "priority");
        let got = get(&app, "/api/v1/department-evaluations?year=2023", &appr_a).await;
        assert_eq!(ok(&got)["units"][0]["approved"]["share"], "40.00");
        // Another unit does not see it; the report is a Word file.
        assert_eq!(get(&app, &format!("/api/v1/evaluations/{id}"), &appr_b).await.0, StatusCode::FORBIDDEN);
        let (status, docx) = get_bytes(&app, &format!("/api/v1/evaluations/{id}/report.docx"), &appr_a).await;
        assert_eq!(status, StatusCode::OK);
        assert!(docx.starts_with(b"PK"));

        // The pages: the plan with its live coverage, and the evaluation.
        let cookie = browser_login(&app, "prep_a").await;
        let page = page_of(&app, &cookie, "/evaluations/department?year=2023").await;
        assert!(page.contains("id=\"coverage-table\""), "{page}");
        let (status, _, html) = post_form(&app, &cookie, "/evaluations/department/coverage",
            &format!("csrf={}&fiscal_year=2023&project={}", csrf_of(&page), c.project_c)).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        // P-A chosen (100) and P-C ticked (100) of 250: 80 %.
        assert!(html.contains("80.00%"), "{html}");
        let page = page_of(&app, &cookie, &format!("/evaluations/{id}")).await;
        assert!(page.contains("部门评价") && page.contains("98.50"), "{page}");
    })
    .await;
}

/// Issue 11 item 4: finance registers agencies (the credit code's check character verified),
/// blacklists one (it cannot be engaged), engages another for a key evaluation; the agency's
/// evaluator declares its independence, fills the framework and submits; finance approves and
/// rates the agency's work; a second engagement on the same unit carries the 回避 warning.
#[tokio::test]
async fn a_key_evaluation_through_an_agency() {
    on_every_store("agency_issue_11", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let appr_a = token(&app, "appr_a").await;
        let agency = json!({"name": "新疆天山绩效评价咨询有限公司", "credit_code": "91650100MA77XK3T2B",
            "agency_type": "consulting", "staff_count": "18", "contact": "0996-7620000"});
        refused(
            &call(&app, Method::POST, "/api/v1/agencies", &fin, agency.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "校验位错误：按前 17 位计算应为“2”",
        );
        refused(
            &call(&app, Method::POST, "/api/v1/agencies", &appr_a, agency.clone()).await,
            StatusCode::FORBIDDEN,
            "财政绩效管理员",
        );
        let mut good = agency.clone();
        good["credit_code"] = json!("91650100MA77XK3T22");
        let created = call(&app, Method::POST, "/api/v1/agencies", &fin, good.clone()).await;
        assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
        let agency_id = created.1["id"].as_i64().expect("id");
        refused(
            &call(&app, Method::POST, "/api/v1/agencies", &fin, good).await,
            StatusCode::CONFLICT,
            "已经登记",
        );
        let other = call(&app, Method::POST, "/api/v1/agencies", &fin, json!({"name": "巴州正信会计师事务所有限公司",
            "credit_code": "91652800MA78A1LQ54", "agency_type": "会计师事务所"})).await;
        let other_id = ok(&other)["id"].as_i64().expect("id");
        refused(
            &call(&app, Method::POST, &format!("/api/v1/agencies/{other_id}/status"), &fin,
                json!({"status": "blacklisted"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "须写明原因",
        );
        ok(&call(&app, Method::POST, &format!("/api/v1/agencies/{other_id}/status"), &fin,
            json!({"status": "blacklisted", "date": "2024-03-01", "reason": "出具虚假评价报告"})).await);

        // The evaluator accounts, linked to their agencies by the administrator.
        let hash = users::hash_password(common::PASSWORD).expect("hash");
        let mut tx = store.begin().await.expect("begin");
        for (username, agency) in [("eva", agency_id), ("eva_other", other_id)] {
            users::insert(&mut tx, &users::NewUser {
                region: REGION, username, display_name: username, password_hash: &hash, unit_id: None,
                agency_id: Some(agency), must_change_password: false, roles: &[Role::Evaluator],
            }).await.expect("evaluator");
        }
        tx.commit().await.expect("commit");
        let eva = token(&app, "eva").await;
        let eva_other = token(&app, "eva_other").await;

        let engagement = |agency: i64, projects: Vec<i64>, title: &str| json!({"agency_id": agency, "fiscal_year": 2023,
            "title": title, "procurement_method": "竞争性磋商", "contract_no": "QMCZ-PJ-2024-01",
            "start_date": "2024-04-10", "end_date": "2024-09-30", "fee_wan": "3.8", "team": "项目负责人1名、评价人员4名",
            "project_ids": projects});
        refused(
            &call(&app, Method::POST, "/api/v1/engagements", &fin, engagement(other_id, vec![c.project_a], "x")).await,
            StatusCode::CONFLICT,
            "不能委托",
        );
        let engaged = call(&app, Method::POST, "/api/v1/engagements", &fin,
            engagement(agency_id, vec![c.project_a], "2023年度学生营养改善计划重点评价")).await;
        assert_eq!(engaged.0, StatusCode::CREATED, "{}", engaged.1);
        assert_eq!(engaged.1["warning"], "");
        let gid = engaged.1["id"].as_i64().expect("id");
        let eid = engaged.1["evaluations"][0].as_i64().expect("evaluation");
        // The same agency on the same unit's other project this year: the 回避 warning.
        let second = call(&app, Method::POST, "/api/v1/engagements", &fin,
            engagement(agency_id, vec![c.project_c], "第二项评价")).await;
        assert!(second.1["warning"].as_str().unwrap_or("").contains("请核实是否需要回避"), "{}", second.1);

        // Another agency's evaluator sees neither; the unit reads its project's evaluation.
        assert_eq!(get(&app, &format!("/api/v1/engagements/{gid}"), &eva_other).await.0, StatusCode::FORBIDDEN);
        assert_eq!(get(&app, &format!("/api/v1/evaluations/{eid}"), &eva_other).await.0, StatusCode::FORBIDDEN);
        // Before the declaration the evaluator cannot fill the form.
        let got = get(&app, &format!("/api/v1/evaluations/{eid}"), &eva).await;
        let e = ok(&got).clone();
        assert_eq!(e["may_edit"], false);
        let items: Vec<Value> = e["indicators"].as_array().unwrap().iter().map(|r| {
            let rate = r["sign"] != "定性";
            json!({"level1": r["level1"], "level2": r["level2"], "name": r["name"], "standard": r["standard"],
                "kind": if rate { "rate" } else { "judged" }, "weight": (r["weight_x100"].as_i64().unwrap() / 100).to_string(),
                "rate": if rate { "100" } else { "" }, "tier": if rate { "" } else { "0" }})
        }).collect();
        let rv = e["evaluation"]["row_version"].as_i64().unwrap();
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/department-evaluations/{eid}"), &eva,
                json!({"row_version": rv, "items": items})).await,
            StatusCode::CONFLICT,
            "回避声明",
        );
        refused(
            &call(&app, Method::POST, &format!("/api/v1/engagements/{gid}/declaration"), &fin,
                json!({"statement": "本机构与被评价单位不存在利害关系。"})).await,
            StatusCode::FORBIDDEN,
            "受托机构的评价人员",
        );
        let eva_cookie = browser_login(&app, "eva").await;
        let home = page_of(&app, &eva_cookie, "/").await;
        assert!(home.contains("签署回避声明"), "{home}");
        ok(&call(&app, Method::POST, &format!("/api/v1/engagements/{gid}/declaration"), &eva,
            json!({"statement": "本机构及评价人员与委托方、被评价单位不存在利害关系。"})).await);
        let home = page_of(&app, &eva_cookie, "/").await;
        assert!(home.contains("填报并提交财政重点评价"), "{home}");
        // The deliverables and the signed report: files checked by their first bytes.
        refused(
            &common::upload(&app, &format!("/api/v1/engagements/{gid}/deliverables"), &eva, &[("which", "plan")],
                ("方案.pdf", b"not a pdf")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "PDF",
        );
        let up = common::upload(&app, &format!("/api/v1/engagements/{gid}/deliverables"), &eva, &[("which", "plan")],
            ("评价方案.pdf", b"%PDF-1.4 plan")).await;
        assert_eq!(up.0, StatusCode::CREATED, "{}", up.1);
        assert_eq!(
            common::upload(&app, &format!("/api/v1/engagements/{gid}/deliverables"), &eva_other, &[("which", "plan")],
                ("评价方案.pdf", b"%PDF-1.4 plan")).await.0,
            StatusCode::FORBIDDEN
        );
        let up = common::upload(&app, &format!("/api/v1/evaluations/{eid}/signed-report"), &eva, &[],
            ("评价报告（签章）.pdf", b"%PDF-1.4 signed")).await;
        assert_eq!(up.0, StatusCode::CREATED, "{}", up.1);
        assert_eq!(
            common::upload(&app, &format!("/api/v1/evaluations/{eid}/signed-report"), &appr_a, &[],
                ("x.pdf", b"%PDF-1.4 x")).await.0,
            StatusCode::FORBIDDEN,
            "the evaluated unit does not upload the agency's report"
        );
        let saved = call(&app, Method::PUT, &format!("/api/v1/department-evaluations/{eid}"), &eva,
            json!({"row_version": rv, "items": items, "report_basics": "项目覆盖全县学生。"})).await;
        assert_eq!(ok(&saved)["score"]["total"], "100.00");
        let rv = ok(&saved)["row_version"].as_i64().unwrap();
        ok(&call(&app, Method::POST, &format!("/api/v1/evaluations/{eid}/actions"), &eva,
            json!({"action": "submit", "row_version": rv})).await);
        let fin_cookie = browser_login(&app, "fin").await;
        let home = page_of(&app, &fin_cookie, "/").await;
        assert!(home.contains("审核财政重点评价"), "{home}");
        let got = get(&app, &format!("/api/v1/evaluations/{eid}"), &fin).await;
        let o = call(&app, Method::POST, &format!("/api/v1/evaluations/{eid}/actions"), &fin,
            json!({"action": "approve", "row_version": version(ok(&got))})).await;
        assert_eq!(ok(&o)["grade"], "excellent");
        assert_eq!(ok(&o)["recommendation"], "priority");

        // The quality rating: computed from the items, graded; an item out of range is refused.
        refused(
            &call(&app, Method::POST, &format!("/api/v1/engagements/{gid}/rating"), &fin,
                json!({"scores": ["21", "17.5", "36", "9", "10"]})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "“方案质量”的得分须在 0 到 20 分之间",
        );
        let rated = call(&app, Method::POST, &format!("/api/v1/engagements/{gid}/rating"), &fin,
            json!({"scores": ["18", "17.5", "36", "9", "10"], "findings": "底稿较完整"})).await;
        assert_eq!(ok(&rated)["total"], "90.50");
        assert_eq!(ok(&rated)["grade"], "excellent");
        let got = get(&app, &format!("/api/v1/agencies/{agency_id}"), &fin).await;
        let history = ok(&got)["engagements"].as_array().unwrap().clone();
        assert_eq!(history.len(), 2);
        assert!(history.iter().any(|g| g["quality_x100"] == 9050));
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM audit_log WHERE action IN ('agency.register', 'agency.status', \
            'engagement.create', 'engagement.declare', 'engagement.rate')").await, 7);
        // The pages.
        let cookie = browser_login(&app, "fin").await;
        let page = page_of(&app, &cookie, &format!("/agencies/{agency_id}")).await;
        assert!(page.contains("id=\"agency-engagements\"") && page.contains("90.50"), "{page}");
        let page = page_of(&app, &cookie, &format!("/engagements/{gid}")).await;
        assert!(page.contains("已签署") && page.contains("评价方案.pdf"), "{page}");
        let page = page_of(&app, &cookie, &format!("/agencies/{other_id}")).await;
        assert!(page.contains("黑名单") && page.contains("出具虚假评价报告"), "{page}");
        // A refused engagement keeps what was typed; a refused action keeps the framework page.
        let page = page_of(&app, &cookie, &format!("/agencies/{agency_id}")).await;
        let (status, _, html) = post_form(&app, &cookie, &format!("/agencies/{agency_id}/engagements"),
            &format!("csrf={}&fiscal_year=2023&title={}&start_date=2024-04-10&end_date=2024-09-30&fee_wan=1&project_codes=NOPE",
                csrf_of(&page), enc("保留所填内容"))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("没有这些项目：NOPE") && html.contains("value=\"保留所填内容\""), "{html}");
        // The annual report of the year the evaluation was done counts it from the record.
        let report = page_of(&app, &cookie, "/reports/annual/2024").await;
        assert!(report.contains("聘请第三方机构独立实施 2023 年度重点项目绩效评价 1 个"), "{report}");
        let e2 = second.1["evaluations"][0].as_i64().expect("the second evaluation");
        let page = page_of(&app, &cookie, &format!("/evaluations/{e2}")).await;
        let rv = scalar(store, &format!("SELECT CAST(row_version AS BIGINT) FROM evaluations WHERE id = {e2}")).await;
        let (status, _, html) = post_form(&app, &cookie, &format!("/evaluations/{e2}/action"),
            &format!("csrf={}&action=approve&row_version={rv}", csrf_of(&page))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{html}");
        assert!(html.contains("· 财政重点评价") && !html.contains("项目支出绩效自评表"), "{html}");
        let page = page_of(&app, &eva_cookie, &format!("/evaluations/{eid}")).await;
        assert!(page.contains("财政重点评价"), "{page}");
    })
    .await;
}

/// Issue 12 item 2 (and issue 11's "the grade shows on the portal after publication"): finance
/// publishes an approved result and the year's targets; the portal shows them; a withdrawal needs
/// a reason and takes the item off the portal; nothing unapproved is ever published.
#[tokio::test]
async fn published_results_reach_the_portal_and_a_withdrawal_takes_them_off() {
    on_every_store("disclosure_issue_12", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;
        ok(&call(
            &app,
            Method::POST,
            "/api/v1/evaluation-rounds",
            &fin,
            json!({"fiscal_year": 2023, "deadline": "2099-04-30"}),
        )
        .await);
        let eb = evaluation_of(store, c.project_b).await;
        let ea = evaluation_of(store, c.project_a).await;
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &appr_b).await;
        let saved = call(
            &app,
            Method::PUT,
            &format!("/api/v1/evaluations/{eb}"),
            &appr_b,
            form(version(ok(&got)), "100", "230", "0", ""),
        )
        .await;
        let rv = ok(&saved)["row_version"].as_i64().expect("rv");
        ok(&call(
            &app,
            Method::POST,
            &format!("/api/v1/evaluations/{eb}/actions"),
            &appr_b,
            json!({"action": "submit", "row_version": rv}),
        )
        .await);
        let got = get(&app, &format!("/api/v1/evaluations/{eb}"), &fin).await;
        ok(&call(
            &app,
            Method::POST,
            &format!("/api/v1/evaluations/{eb}/actions"),
            &fin,
            json!({"action": "approve", "row_version": version(ok(&got))}),
        )
        .await);

        let publish = |ids: Vec<i64>, kind: &str, all: bool| {
            json!({"fiscal_year": 2023, "kind": kind, "ids": ids,
            "all": all, "date": "2024-06-30"})
        };
        // Only the finance office publishes; a draft is never published.
        refused(
            &call(
                &app,
                Method::POST,
                "/api/v1/disclosures",
                &appr_a,
                publish(vec![eb], "evaluation", false),
            )
            .await,
            StatusCode::FORBIDDEN,
            "财政绩效管理员",
        );
        refused(
            &call(
                &app,
                Method::POST,
                "/api/v1/disclosures",
                &fin,
                publish(vec![ea], "evaluation", false),
            )
            .await,
            StatusCode::CONFLICT,
            "尚未审核通过",
        );
        let portal = page_of(&app, "", "/public").await;
        assert!(!portal.contains("P-A 学生营养改善计划"), "{portal}");
        let done = call(
            &app,
            Method::POST,
            "/api/v1/disclosures",
            &fin,
            publish(vec![eb, ea], "evaluation", false),
        )
        .await;
        assert_eq!(ok(&done)["published"], 1, "only the approved one");
        let portal = page_of(&app, "", "/public").await;
        assert!(
            portal.contains("P-B 学生营养改善计划") && portal.contains("优秀"),
            "{portal}"
        );
        assert!(!portal.contains("P-A 学生营养改善计划"), "{portal}");
        // The year's targets in force, all at once: A, B and D (C's target is a draft).
        let done = call(
            &app,
            Method::POST,
            "/api/v1/disclosures",
            &fin,
            publish(vec![], "target", true),
        )
        .await;
        assert_eq!(ok(&done)["published"], 3, "{}", done.1);
        let got = get(
            &app,
            "/api/v1/disclosures?year=2023&kind=target&state=unpublished",
            &fin,
        )
        .await;
        assert_eq!(ok(&got).as_array().map(Vec::len), Some(0));
        let portal = page_of(&app, "", "/public").await;
        assert!(
            portal.contains("P-D 学生营养改善计划") && !portal.contains("P-C 学生营养改善计划"),
            "{portal}"
        );

        // The 人大 package of 2024 (the year the evaluations were done) holds the published result
        // and nothing else; the 2023 package the three published targets.
        let (status, zipped) = get_bytes(&app, "/api/v1/disclosures/package/2024", &fin).await;
        assert_eq!(status, StatusCode::OK);
        let files = jixiao_forms::package::unzip_files(&zipped, 1 << 24).expect("a zip");
        let results = files
            .iter()
            .find(|(n, _)| n.contains("评价结果"))
            .expect("the results workbook");
        let text = xlsx_text(&results.1);
        assert!(
            text.contains("P-B 学生营养改善计划") && !text.contains("P-A 学生营养改善计划"),
            "{text}"
        );
        let (_, zipped) = get_bytes(&app, "/api/v1/disclosures/package/2023", &fin).await;
        let files = jixiao_forms::package::unzip_files(&zipped, 1 << 24).expect("a zip");
        let targets = files
            .iter()
            .find(|(n, _)| n.contains("绩效目标"))
            .expect("the targets workbook");
        let text = xlsx_text(&targets.1);
        assert!(
            text.contains("P-D 学生营养改善计划") && !text.contains("P-C 学生营养改善计划"),
            "{text}"
        );
        assert_eq!(
            get_bytes(&app, "/api/v1/disclosures/package/2024", &appr_a)
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        // A withdrawal needs a reason; then the result is off the portal, and it is audited.
        refused(
            &call(
                &app,
                Method::POST,
                "/api/v1/disclosures/unpublish",
                &fin,
                json!({"kind": "evaluation", "object_id": eb, "reason": " "}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "须写明原因",
        );
        ok(&call(
            &app,
            Method::POST,
            "/api/v1/disclosures/unpublish",
            &fin,
            json!({"kind": "evaluation", "object_id": eb, "reason": "评价结论有误，待复核"}),
        )
        .await);
        let portal = page_of(&app, "", "/public").await;
        assert!(!portal.contains("优秀"), "{portal}");
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'disclosure.publish'"
            )
            .await,
            2
        );
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'disclosure.unpublish'"
            )
            .await,
            1
        );
        // Withdrawn, it is out of the package too.
        let (_, zipped) = get_bytes(&app, "/api/v1/disclosures/package/2024", &fin).await;
        let files = jixiao_forms::package::unzip_files(&zipped, 1 << 24).expect("a zip");
        let results = files
            .iter()
            .find(|(n, _)| n.contains("评价结果"))
            .expect("the results workbook");
        assert!(!xlsx_text(&results.1).contains("P-B 学生营养改善计划"));
        // The page: the filter and the withdrawal form.
        let cookie = browser_login(&app, "fin").await;
        let page = page_of(&app, &cookie, "/disclosures?year=2023&kind=evaluation").await;
        assert!(
            page.contains("id=\"disclosure-rows\"") && page.contains("未公开"),
            "{page}"
        );
    })
    .await;
}

/// Every cell of a workbook's first sheet, as text.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).expect("sheet");
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("|")
}

/// Issue 12 item 3: an anonymous visitor rates a published project after a challenge; the
/// rating counts at once, the comment shows after the unit approves it; an address is limited;
/// the aggregate is evidence on the unit's self-evaluation form.
#[tokio::test]
async fn the_public_rates_a_published_project_and_comments_wait_for_moderation() {
    on_every_store("feedback_issue_12", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;
        // Nothing published: no survey.
        let (status, _, _) = common::send(
            &app,
            axum::http::Request::builder()
                .uri(format!("/public/projects/{}", c.project_b))
                .body(axum::body::Body::empty())
                .expect("req"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        ok(&call(
            &app,
            Method::POST,
            "/api/v1/disclosures",
            &fin,
            json!({"fiscal_year": 2023, "kind": "target", "all": true}),
        )
        .await);

        // A visitor's page: its session, the challenge.
        let (status, cookies, html) = common::send(
            &app,
            axum::http::Request::builder()
                .uri(format!("/public/projects/{}", c.project_b))
                .body(axum::body::Body::empty())
                .expect("req"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let html = String::from_utf8_lossy(&html).into_owned();
        let cookie = cookies.join("; ");
        let hidden = |name: &str| -> String {
            let key = format!("name=\"{name}\" value=\"");
            let i = html
                .find(&key)
                .unwrap_or_else(|| panic!("{name} in {html}"))
                + key.len();
            html[i..].split('"').next().unwrap_or_default().to_string()
        };
        let (qa, qb, qs, csrf) = (hidden("qa"), hidden("qb"), hidden("qs"), hidden("csrf"));
        let answer = qa.parse::<u32>().unwrap() + qb.parse::<u32>().unwrap();
        let post = |rating: &str, comment: &str, answer: u32| {
            format!(
                "csrf={csrf}&qa={qa}&qb={qb}&qs={qs}&rating={rating}&comment={}&answer={answer}",
                enc(comment)
            )
        };
        let uri = format!("/public/projects/{}/feedback", c.project_b);
        let (status, _, body) =
            post_form(&app, &cookie, &uri, &post("5", "营养餐很好", answer + 1)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("验证题答案不正确"));
        let (status, _, body) = post_form(&app, &cookie, &uri, &post("9", "", answer)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _, _) = post_form(&app, &cookie, &uri, &post("5", "营养餐很好", answer)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let page = page_of(&app, &cookie, &format!("/public/projects/{}", c.project_b)).await;
        assert!(
            page.contains("1 人评分，满意（4 分及以上）占 100.00%"),
            "{page}"
        );
        assert!(
            !page.contains("营养餐很好"),
            "the comment waits for moderation"
        );
        // Moderation: the project's unit (not another unit) approves.
        let got = get(&app, "/api/v1/feedback", &appr_a).await;
        assert_eq!(ok(&got).as_array().map(Vec::len), Some(0));
        let got = get(&app, "/api/v1/feedback", &appr_b).await;
        let pending = ok(&got).as_array().expect("pending").clone();
        assert_eq!(pending.len(), 1);
        let fid = pending[0]["id"].as_i64().expect("id");
        assert_eq!(
            call(
                &app,
                Method::POST,
                &format!("/api/v1/feedback/{fid}"),
                &appr_a,
                json!({"decision": "approve"})
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        ok(&call(
            &app,
            Method::POST,
            &format!("/api/v1/feedback/{fid}"),
            &appr_b,
            json!({"decision": "approve"}),
        )
        .await);
        let page = page_of(&app, &cookie, &format!("/public/projects/{}", c.project_b)).await;
        assert!(page.contains("营养餐很好"), "{page}");
        // One address: five a day.
        for n in 0..4 {
            let (status, _, body) = post_form(&app, &cookie, &uri, &post("3", "", answer)).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{n}: {body}");
        }
        let (status, _, body) = post_form(&app, &cookie, &uri, &post("3", "", answer)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("次数已达上限"));
        // A burst of 1,000 more from the same address: every one refused, nothing stored,
        // nothing unmoderated shown.
        for n in 0..1000 {
            let (status, _, _) =
                post_form(&app, &cookie, &uri, &post("1", &format!("刷屏{n}"), answer)).await;
            assert_eq!(status, StatusCode::CONFLICT, "post {n}");
        }
        let stored: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM feedback WHERE project_id = $1"
        )
        .bind(c.project_b)
        .fetch_one(p)
        .await
        .expect("count"));
        assert_eq!(stored, 5);
        let page = page_of(&app, &cookie, &format!("/public/projects/{}", c.project_b)).await;
        assert!(!page.contains("刷屏"), "{page}");
        // The evidence on B's self-evaluation: 5 ratings, 1 of 4 or 5.
        ok(&call(
            &app,
            Method::POST,
            "/api/v1/evaluation-rounds",
            &fin,
            json!({"fiscal_year": 2023, "deadline": "2099-04-30"}),
        )
        .await);
        let eb = evaluation_of(store, c.project_b).await;
        let b_cookie = browser_login(&app, "appr_b").await;
        let page = page_of(&app, &b_cookie, &format!("/evaluations/{eb}")).await;
        assert!(
            page.contains("5 人评分，满意（4 分及以上）占 20.00%"),
            "{page}"
        );
    })
    .await;
}
