//! Issue 10: a monitoring round and its rectifications end to end through the JSON API and the
//! pages, on a database that holds only what a county enters before monitoring starts (a region,
//! units, users, projects with approved targets) — no demo rows. On SQLite and PostgreSQL.
//!
//! Finance issues a task (drafts for every project with a target in force); a unit fills its
//! report deviating by 30 points; the approver submits; finance scores it 55 and approves; the
//! two red warnings (deviation, review score) draft notices; finance issues one; the unit
//! responds with evidence; finance reopens it once, then closes it. Another notice passes its
//! deadline and shows overdue. No unit sees another unit's reports or notices.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{PASSWORD, browser_login, call, get, get_bytes, ok, page_of, refused, token, upload};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory, Role, UnitKind};
use jixiao_store::testing::on_every_store;
use jixiao_store::{Store, projects, regions, targets, units, users};
use serde_json::{Value, json};

const REGION: &str = "652825000";

struct County {
    /// Unit A (教育局) and unit B (卫健委).
    project_a: i64,
    project_b: i64,
}

/// A county as it stands when monitoring starts: two units with one project each whose target
/// was approved, a third project whose target is still a draft, and the users of SPEC §1.
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
    let hash = users::hash_password(PASSWORD).expect("hash");
    for (username, unit, role) in [
        ("fin", None, Role::FinanceAdmin),
        ("desk", None, Role::FinanceDesk),
        ("prep_a", Some(unit_ids[0]), Role::UnitPreparer),
        ("appr_a", Some(unit_ids[0]), Role::UnitApprover),
        ("appr_b", Some(unit_ids[1]), Role::UnitApprover),
        ("leader", None, Role::Viewer),
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
    let mut project_ids = Vec::new();
    for (n, (code, name, unit, approved)) in [
        ("P-A", "学生营养改善计划", unit_ids[0], true),
        ("P-B", "基层医疗设备购置", unit_ids[1], true),
        ("P-C", "未批复目标的项目", unit_ids[0], false),
    ]
    .into_iter()
    .enumerate()
    {
        let id = projects::insert(
            &mut tx,
            &projects::NewProject {
                region: REGION,
                fiscal_year: 2023,
                code,
                name,
                unit_id: unit,
                is_policy: false,
                budget_type: BudgetType::GeneralPublic,
                category: ProjectCategory::SpecificPurpose,
                continuity: Continuity::New,
                timing: BudgetTiming::Initial,
                start_year: 2023,
                end_year: 2023,
                current: Fen::from_wan(80),
                carryover: Fen::from_wan(20),
                other: Fen::ZERO,
                is_major: false,
                library_status: "executing",
                previous_project_id: None,
            },
        )
        .await
        .expect("project");
        targets::insert(
            &mut tx,
            &targets::NewTarget {
                region: REGION,
                fiscal_year: 2023,
                object_kind: jixiao_domain::types::ObjectKind::Project,
                project_id: Some(id),
                unit_id: unit,
                state: if approved { "approved" } else { "draft" },
                total: Fen::from_wan(100),
                fiscal: Fen::from_wan(100),
                other: Fen::ZERO,
                overall_goal: format!("目标{n}：保障项目按期实施"),
                indicators: vec![
                    targets::IndicatorRow {
                        level1: "产出指标".into(),
                        level2: "数量指标".into(),
                        name: "受益学生人数".into(),
                        sign: "≥".into(),
                        target_value: "230".into(),
                        unit_of_measure: "人".into(),
                        weight_x100: Some(5000),
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
                ],
                review_rating: approved.then_some("good"),
                review_opinion: "",
                tasks: vec![],
            },
        )
        .await
        .expect("target");
        project_ids.push(id);
    }
    tx.commit().await.expect("commit");
    County {
        project_a: project_ids[0],
        project_b: project_ids[1],
    }
}

async fn report_of(store: &Store, project: i64) -> i64 {
    jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
        "SELECT id FROM monitoring_reports WHERE project_id = $1"
    )
    .bind(project)
    .fetch_one(p)
    .await
    .expect("report"))
}

async fn audited(store: &Store, action: &str) -> i64 {
    jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = $1"
    )
    .bind(action)
    .fetch_one(p)
    .await
    .expect("count"))
}

fn report_body(row_version: i64, executed_wan: &str, reported: &str) -> Value {
    json!({
        "row_version": row_version,
        "executed_wan": executed_wan,
        "expected_wan": "100",
        "progress_text": "已完成春季学期供餐",
        "goal_forecast": "预计年底完成",
        "reported_completion": reported,
        "indicators": [
            {"seq": 1, "to_date": "92", "expected": "230", "likelihood": "有可能",
             "causes": ["funding"], "cause_text": "资金拨付滞后", "measures": "加快拨付"},
            {"seq": 2, "to_date": "满意", "expected": "满意", "likelihood": "certain"}
        ]
    })
}

#[tokio::test]
async fn a_monitoring_round_and_its_rectifications_on_a_fresh_database_issue_10() {
    on_every_store("monitoring_round_issue_10", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let desk = token(&app, "desk").await;
        let prep_a = token(&app, "prep_a").await;
        let appr_a = token(&app, "appr_a").await;
        let appr_b = token(&app, "appr_b").await;
        let leader = token(&app, "leader").await;

        // Only the finance performance office issues tasks; the input is checked field by field.
        let task = json!({"kind": "project", "fiscal_year": 2023, "period_end_month": 7,
            "deadline": "2099-08-20"});
        refused(
            &call(&app, Method::POST, "/api/v1/monitoring-tasks", &appr_b, task.clone()).await,
            StatusCode::FORBIDDEN,
            "只有财政绩效管理员可以下达监控任务",
        );
        refused(
            &call(&app, Method::POST, "/api/v1/monitoring-tasks", &fin,
                json!({"kind": "project", "fiscal_year": 2023, "period_end_month": 13, "deadline": "2023-08-20"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "监控期间",
        );
        let issued = call(&app, Method::POST, "/api/v1/monitoring-tasks", &fin, task).await;
        assert_eq!(issued.0, StatusCode::CREATED, "{}", issued.1);
        // One draft per project with a target in force: not the project whose target is a draft.
        assert_eq!(issued.1["drafts"], 2);
        let task_id = issued.1["id"].as_i64().expect("id");
        assert_eq!(audited(store, "monitoring.issue_task").await, 1);
        let ra = report_of(store, c.project_a).await;
        let rb = report_of(store, c.project_b).await;

        // The draft is pre-filled from the target and the budget; nothing is entered yet.
        let got = get(&app, &format!("/api/v1/monitoring-reports/{ra}"), &appr_a).await;
        let r = ok(&got);
        assert_eq!(r["report"]["budget_fen"], 100_000_000);
        assert_eq!(r["report"]["filled_at"], Value::Null);
        assert_eq!(r["analysis"], Value::Null);
        assert_eq!(r["may_edit"], true);
        assert_eq!(r["indicators"].as_array().map(Vec::len), Some(2));
        assert_eq!(r["indicators"][0]["likelihood"], "", "no likelihood nobody chose");
        // No unit sees another unit's report; the leader sees no draft.
        assert_eq!(get(&app, &format!("/api/v1/monitoring-reports/{ra}"), &appr_b).await.0, StatusCode::FORBIDDEN);
        assert_eq!(get(&app, &format!("/api/v1/monitoring-reports/{ra}"), &leader).await.0, StatusCode::NOT_FOUND);
        let list = get(&app, "/api/v1/monitoring-reports", &appr_b).await;
        assert!(!list.1.to_string().contains("学生营养改善计划"), "{}", list.1);
        // Submitting an unfilled draft is refused with a clear message.
        refused(
            &call(&app, Method::POST, &format!("/api/v1/monitoring-reports/{ra}/actions"), &appr_a,
                json!({"action": "submit", "row_version": 1})).await,
            StatusCode::CONFLICT,
            "尚未填写",
        );

        // The unit fills the report: 10万 of 100万 spent (10%) against a reported 40%: 30 points.
        let check = call(&app, Method::POST, &format!("/api/v1/monitoring-reports/{ra}/check"), &prep_a,
            report_body(1, "10", "40")).await;
        let a = &ok(&check)["analysis"];
        assert_eq!(a["execution_rate"], "10.00");
        assert_eq!(a["deviation"], "30.00");
        // 受益学生人数 92/230 = 40%; 有可能 credits 60%: (40 + 60) / 2 … and 满意 is 定性 确定能.
        assert_eq!(a["indicator_completions"][0], "40.00");
        assert_eq!(a["indicator_completions"][1], "100.00");
        assert_eq!(a["completion_estimate"], "70.00");
        let kinds: Vec<&str> = a["warnings"].as_array().expect("warnings").iter()
            .filter_map(|w| w["kind"].as_str()).collect();
        assert!(kinds.contains(&"deviation") && kinds.contains(&"slow_execution"), "{kinds:?}");
        // A likelihood that is not 确定能 needs its cause and measures.
        let mut incomplete = report_body(1, "10", "40");
        incomplete["indicators"][0]["cause_text"] = json!("");
        incomplete["indicators"][0]["measures"] = json!("");
        incomplete["indicators"][0]["causes"] = json!([]);
        let check = call(&app, Method::POST, &format!("/api/v1/monitoring-reports/{ra}/check"), &prep_a, incomplete).await;
        assert!(ok(&check)["analysis"]["findings"].to_string().contains("须填写偏差原因分析"), "{}", check.1);
        // Hostile input is a field-level 422.
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/monitoring-reports/{ra}"), &prep_a,
                report_body(1, "十万", "140")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "总体完成率",
        );
        let saved = call(&app, Method::PUT, &format!("/api/v1/monitoring-reports/{ra}"), &prep_a, report_body(1, "10", "40")).await;
        assert_eq!(ok(&saved)["row_version"], 2);
        // Another unit may not write it; a stale row_version is refused.
        assert_eq!(call(&app, Method::PUT, &format!("/api/v1/monitoring-reports/{ra}"), &appr_b, report_body(2, "10", "40")).await.0, StatusCode::FORBIDDEN);
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/monitoring-reports/{ra}"), &prep_a, report_body(1, "10", "40")).await,
            StatusCode::CONFLICT,
            "刷新",
        );
        // The preparer does not submit; the approver does.
        refused(
            &call(&app, Method::POST, &format!("/api/v1/monitoring-reports/{ra}/actions"), &prep_a,
                json!({"action": "submit", "row_version": 2})).await,
            StatusCode::FORBIDDEN,
            "只能由以下角色执行",
        );
        let submitted = call(&app, Method::POST, &format!("/api/v1/monitoring-reports/{ra}/actions"), &appr_a,
            json!({"action": "submit", "row_version": 2})).await;
        assert_eq!(ok(&submitted)["state"], "submitted");
        // Submitted: locked for the unit.
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/monitoring-reports/{ra}"), &prep_a, report_body(3, "20", "40")).await,
            StatusCode::CONFLICT,
            "不能修改",
        );

        // Finance scores it with the rubric: 10 + 15 + 15 + 15 = 55 < 60, and approves.
        refused(
            &call(&app, Method::POST, &format!("/api/v1/monitoring-reports/{ra}/actions"), &fin,
                json!({"action": "approve", "row_version": 3, "scores": ["25", "15", "15", "15"]})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "超过该项满分",
        );
        let approved = call(&app, Method::POST, &format!("/api/v1/monitoring-reports/{ra}/actions"), &fin,
            json!({"action": "approve", "row_version": 3, "scores": ["10", "15", "15", "15"],
                   "text": "偏差较大，须整改"})).await;
        let o = ok(&approved);
        assert_eq!(o["state"], "approved");
        assert_eq!(o["review_score"], "55");
        let notices: Vec<i64> = o["notices_drafted"].as_array().expect("notices").iter()
            .filter_map(Value::as_i64).collect();
        assert_eq!(notices.len(), 2, "deviation and review score: {o}");
        let r = get(&app, &format!("/api/v1/monitoring-reports/{ra}"), &fin).await;
        let kinds = r.1["warnings"].to_string();
        assert!(kinds.contains("review_score") && kinds.contains("deviation"), "{kinds}");

        // The drafts are the finance bureau's until issued: the unit does not see them.
        let (n1, n2) = (notices[0], notices[1]);
        assert_eq!(get(&app, &format!("/api/v1/rectifications/{n1}"), &appr_a).await.0, StatusCode::FORBIDDEN);
        let draft = get(&app, &format!("/api/v1/rectifications/{n1}"), &fin).await;
        assert_eq!(ok(&draft)["rectification"]["state"], "draft");
        let rv = draft.1["rectification"]["row_version"].as_i64().expect("rv");
        refused(
            &call(&app, Method::PUT, &format!("/api/v1/rectifications/{n1}"), &fin,
                json!({"row_version": rv, "problem": "", "requirement": "x", "deadline": "2099-13-01"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "整改期限",
        );
        let edited = call(&app, Method::PUT, &format!("/api/v1/rectifications/{n1}"), &fin,
            json!({"row_version": rv, "problem": "预算执行率与总体完成率偏差 30 个百分点",
                   "requirement": "请于期限内分析原因并加快支出", "deadline": "2099-09-30",
                   "disposal": "suspend"})).await;
        let rv = ok(&edited)["row_version"].as_i64().expect("rv");
        // A unit cannot issue it.
        assert!(call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &appr_a,
            json!({"action": "issue", "row_version": rv})).await.0.is_client_error());
        let issued = call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &fin,
            json!({"action": "issue", "row_version": rv})).await;
        assert_eq!(ok(&issued)["state"], "issued");
        let seen = get(&app, &format!("/api/v1/rectifications/{n1}"), &appr_a).await;
        assert_eq!(ok(&seen)["rectification"]["disposal"], "suspend");
        assert_eq!(get(&app, &format!("/api/v1/rectifications/{n1}"), &appr_b).await.0, StatusCode::FORBIDDEN);

        // The unit attaches evidence and responds; a text file disguised as a PDF is refused.
        refused(
            &upload(&app, &format!("/api/v1/rectifications/{n1}/evidence"), &appr_a, &[], ("x.pdf", b"not a pdf")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "PDF",
        );
        let up = upload(&app, &format!("/api/v1/rectifications/{n1}/evidence"), &appr_a, &[], ("支付凭证.pdf", b"%PDF-1.4 evidence")).await;
        assert_eq!(up.0, StatusCode::CREATED, "{}", up.1);
        let rv = get(&app, &format!("/api/v1/rectifications/{n1}"), &appr_a).await.1["rectification"]["row_version"].as_i64().expect("rv");
        refused(
            &call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &appr_a,
                json!({"action": "respond", "row_version": rv})).await,
            StatusCode::CONFLICT,
            "整改情况说明",
        );
        let responded = call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &appr_a,
            json!({"action": "respond", "row_version": rv, "text": "已拨付资金 30 万元"})).await;
        let rv = ok(&responded)["row_version"].as_i64().expect("rv");
        // Finance reopens it once (a reason is required), then closes it.
        refused(
            &call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &desk,
                json!({"action": "reopen", "row_version": rv})).await,
            StatusCode::CONFLICT,
            "不予销号的原因",
        );
        let reopened = call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &desk,
            json!({"action": "reopen", "row_version": rv, "text": "佐证不足"})).await;
        let rv = ok(&reopened)["row_version"].as_i64().expect("rv");
        let responded = call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &prep_a,
            json!({"action": "respond", "row_version": rv, "text": "补充支付凭证"})).await;
        let rv = ok(&responded)["row_version"].as_i64().expect("rv");
        let closed = call(&app, Method::POST, &format!("/api/v1/rectifications/{n1}/actions"), &fin,
            json!({"action": "close", "row_version": rv})).await;
        assert_eq!(ok(&closed)["state"], "closed");
        let done = get(&app, &format!("/api/v1/rectifications/{n1}"), &fin).await;
        assert_eq!(done.1["rectification"]["reopen_count"], 1);
        assert_eq!(done.1["evidence"].as_array().map(Vec::len), Some(1));
        let steps: Vec<&str> = done.1["history"].as_array().expect("history").iter()
            .filter_map(|h| h["action"].as_str()).collect();
        assert_eq!(steps, ["issue", "respond", "reopen", "respond", "close"]);

        // The second notice is issued and then passes its deadline: overdue, and in the unit's
        // to-dos in red.
        let rv = get(&app, &format!("/api/v1/rectifications/{n2}"), &fin).await.1["rectification"]["row_version"].as_i64().expect("rv");
        ok(&call(&app, Method::POST, &format!("/api/v1/rectifications/{n2}/actions"), &fin,
            json!({"action": "issue", "row_version": rv})).await);
        jixiao_store::on_pool!(store, |p| sqlx::query("UPDATE rectifications SET deadline = $1 WHERE id = $2")
            .bind(NaiveDate::from_ymd_opt(2023, 9, 30).expect("date"))
            .bind(n2)
            .execute(p)
            .await
            .map(|_| ())
            .expect("deadline passes"));
        let late = get(&app, &format!("/api/v1/rectifications/{n2}"), &appr_a).await;
        assert_eq!(ok(&late)["overdue"], true);
        let todos = jixiao_store::todos::for_user(store, REGION, &jixiao_store::browse::Scope::Units(vec![
            late.1["rectification"]["unit_id"].as_i64().expect("unit")]), "unit_approver").await.expect("todos");
        assert!(todos.iter().any(|t| t.overdue && t.link == format!("/rectifications/{n2}")), "{todos:?}");

        // Unit B's draft is in its to-dos, with the task's deadline.
        let b_unit: i64 = get(&app, &format!("/api/v1/monitoring-reports/{rb}"), &appr_b).await.1["report"]["unit_id"].as_i64().expect("unit");
        let todos = jixiao_store::todos::for_user(store, REGION, &jixiao_store::browse::Scope::Units(vec![b_unit]), "unit_approver").await.expect("todos");
        assert!(todos.iter().any(|t| t.link == format!("/monitoring/{rb}") && t.deadline == "2099-08-20"), "{todos:?}");

        // The task's progress: finance sees both units; a unit only itself.
        let all = get(&app, &format!("/api/v1/monitoring-tasks/{task_id}"), &fin).await;
        assert_eq!(ok(&all)["progress"].as_array().map(Vec::len), Some(2));
        let own = get(&app, &format!("/api/v1/monitoring-tasks/{task_id}"), &appr_b).await;
        assert_eq!(ok(&own)["progress"].as_array().map(Vec::len), Some(1));
        assert!(!own.1["warnings"].to_string().contains("学生营养改善计划"), "{}", own.1);
        assert_eq!(all.1["progress"][0]["on_time"], 1);

        // Re-analysing after a settings change is explicit and audited.
        assert!(call(&app, Method::POST, &format!("/api/v1/monitoring-tasks/{task_id}/reanalyse"), &appr_a, json!({})).await.0.is_client_error());
        let re = call(&app, Method::POST, &format!("/api/v1/monitoring-tasks/{task_id}/reanalyse"), &fin, json!({})).await;
        assert_eq!(ok(&re)["analysed"], 1);
        assert_eq!(re.1["notices_drafted"], 0, "the notices already exist");
        assert_eq!(audited(store, "monitoring.reanalyse").await, 1);

        // Every move is audited.
        for action in ["monitoring.save", "monitoring.submit", "monitoring.approve", "rectification.draft",
            "rectification.edit", "rectification.issue", "rectification.attach", "rectification.respond",
            "rectification.reopen", "rectification.close"] {
            assert!(audited(store, action).await >= 1, "{action}");
        }

        // The downloads: the notice as .docx, the round's 汇总表 (finance and leaders only).
        let (status, docx) = get_bytes(&app, &format!("/api/v1/rectifications/{n1}/notice.docx"), &appr_a).await;
        assert_eq!(status, StatusCode::OK);
        assert!(docx.starts_with(b"PK"));
        let (status, xlsx) = get_bytes(&app, &format!("/api/v1/monitoring-tasks/{task_id}/summary.xlsx"), &fin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(xlsx.starts_with(b"PK"));
        assert_eq!(get_bytes(&app, &format!("/api/v1/monitoring-tasks/{task_id}/summary.xlsx"), &appr_a).await.0, StatusCode::FORBIDDEN);

        // The pages, in a browser session: the task overview, the report, the notice.
        let cookie = browser_login(&app, "fin").await;
        let page = page_of(&app, &cookie, &format!("/monitoring/tasks/{task_id}")).await;
        assert!(page.contains("报送进度") && page.contains("<svg") && page.contains("双监控偏差"), "{page}");
        let page_r = page_of(&app, &cookie, &format!("/monitoring/{ra}")).await;
        assert!(page_r.contains("审核得分") && page_r.contains("55.00"), "{page_r}");
        // Per project: the project page lists its reports with their warnings.
        let project_page = page_of(&app, &cookie, &format!("/projects/{}", c.project_a)).await;
        assert!(
            project_page.contains("project-monitoring") && project_page.contains("红色 2"),
            "{project_page}"
        );
        let unit_cookie = browser_login(&app, "appr_a").await;
        let notice = page_of(&app, &unit_cookie, &format!("/rectifications/{n2}")).await;
        assert!(notice.contains("已逾期"), "{notice}");
        let home = page_of(&app, &unit_cookie, "/").await;
        assert!(home.contains(&format!("/rectifications/{n2}")), "{home}");
    })
    .await;
}

#[tokio::test]
async fn a_downloaded_workbook_filled_and_uploaded_gives_the_figures_typed_on_the_web_issue_10() {
    on_every_store("monitoring_workbook_issue_10", async |store: &Store| {
        let c = county(store).await;
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let fin = token(&app, "fin").await;
        let appr_b = token(&app, "appr_b").await;
        let issued = call(&app, Method::POST, "/api/v1/monitoring-tasks", &fin,
            json!({"kind": "project", "fiscal_year": "2023", "period_end_month": "7", "deadline": "2099-08-20",
                   "units": []})).await;
        let task_id = ok(&issued)["id"].as_i64().expect("id");
        let rb = report_of(store, c.project_b).await;
        // Typed on the web.
        let saved = call(&app, Method::PUT, &format!("/api/v1/monitoring-reports/{rb}"), &appr_b, report_body(1, "37.5", "55")).await;
        let typed = ok(&saved)["analysis"].clone();
        // The unit's workbook holds its own reports only, pre-filled with what it entered.
        let (status, book) = get_bytes(&app, &format!("/api/v1/monitoring-tasks/{task_id}/workbook.xlsx"), &appr_b).await;
        assert_eq!(status, StatusCode::OK);
        // Something else is typed, then the workbook is uploaded: the figures are the workbook's.
        ok(&call(&app, Method::PUT, &format!("/api/v1/monitoring-reports/{rb}"), &appr_b, report_body(2, "90", "10")).await);
        let up = upload(&app, "/api/v1/imports", &appr_b, &[("kind", "monitoring"), ("year", "2023")], ("监控表.xlsx", &book)).await;
        assert_eq!(ok(&up)["status"], "imported", "{}", up.1);
        let r = get(&app, &format!("/api/v1/monitoring-reports/{rb}"), &appr_b).await;
        let a = &ok(&r)["analysis"];
        for key in ["execution_rate", "completion_estimate", "deviation", "indicator_completions", "warnings"] {
            assert_eq!(a[key], typed[key], "{key}: uploaded {} typed {}", a[key], typed[key]);
        }
        assert_eq!(r.1["report"]["state"], "draft", "an upload lands in the draft");
        assert_eq!(report_of(store, c.project_b).await, rb, "no second report");
        // Unit A's report is not in unit B's workbook: one sheet, its own project.
        let read = jixiao_forms::xlsx::read_with_limits(book, jixiao_forms::xlsx::Limits::default())
            .await
            .expect("the workbook reads back");
        let names: Vec<&str> = read.forms.iter().map(|f| f.sheet.as_str()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    })
    .await;
}
