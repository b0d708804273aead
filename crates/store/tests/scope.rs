//! SPEC §1, §9: an agency's lists show only what it may open — the records of the projects of its
//! own engagements — and the detail reads agree with the lists.

mod common;

use chrono::NaiveDate;
use common::*;
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, ObjectKind};
use jixiao_store::browse::{self, ListFilter, Scope};
use jixiao_store::{agencies, evaluations, ex_ante, monitoring, projects, rectifications, targets};

struct County {
    /// The agency under test and the other one.
    ours: i64,
    /// Project evaluated by our agency, project assessed ex ante by our agency, project of the
    /// other agency's engagement, project of nobody's engagement.
    evaluated: i64,
    assessed: i64,
    theirs: i64,
    nobody: i64,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn agency(tx: &mut jixiao_store::Tx, name: &str, code: &str) -> i64 {
    agencies::insert(
        tx,
        &agencies::NewAgency {
            region: REGION,
            name,
            credit_code: code,
            agency_type: "consulting",
            qualifications: "",
            staff_count: 5,
            contact: "",
        },
    )
    .await
    .expect("agency")
}

async fn engagement(tx: &mut jixiao_store::Tx, agency_id: i64, kind: &str) -> i64 {
    agencies::insert_engagement(
        tx,
        &agencies::NewEngagement {
            region: REGION,
            fiscal_year: 2023,
            agency_id,
            principal_unit_id: None,
            kind,
            title: "委托",
            procurement_method: "",
            contract_no: "",
            start_date: date(2023, 3, 1),
            end_date: date(2023, 6, 30),
            fee: Fen(100_000),
            team: "",
            quality_x100: None,
            quality_grade: None,
        },
    )
    .await
    .expect("engagement")
}

async fn evaluation(
    tx: &mut jixiao_store::Tx,
    unit_id: i64,
    project_id: i64,
    engagement_id: Option<i64>,
) -> i64 {
    evaluations::insert(
        tx,
        &evaluations::NewEvaluation {
            region: REGION,
            fiscal_year: 2023,
            conducted_year: 2024,
            kind: if engagement_id.is_some() {
                "finance"
            } else {
                "self"
            },
            object_kind: "project",
            project_id: Some(project_id),
            unit_id,
            engagement_id,
            title: "评价",
            state: "approved",
            initial_budget: Fen(100),
            budget: Fen(100),
            executed: Fen(100),
            amount: Fen(100),
            execution_rate_x100: None,
            execution_score_x100: None,
            total_x100: Some(9000),
            grade: Some("excellent"),
            overall_goal: String::new(),
            overall_actual: String::new(),
            indicators: vec![],
        },
    )
    .await
    .expect("evaluation")
}

/// One unit with four projects; each project has an approved target, a draft adjustment of it
/// on the first, a monitoring report, a rectification and a result application.
async fn county(store: &Store) -> County {
    seed_region(store).await;
    let unit_id = seed_unit(store, "101001", "且末县教育局").await;
    let mut tx = store.begin().await.expect("begin");
    let ours = agency(&mut tx, "天山评价", "91650000000000001A").await;
    let other = agency(&mut tx, "昆仑评价", "91650000000000002B").await;
    let mut ids = Vec::new();
    for (i, name) in ["评价项目", "评估项目", "他家项目", "无委托项目"]
        .into_iter()
        .enumerate()
    {
        let code = format!("P{i}");
        let id = projects::insert(
            &mut tx,
            &project(&code, name, unit_id, BudgetTiming::Initial, Fen(1_000_000)),
        )
        .await
        .expect("project");
        ids.push(id);
    }
    let (evaluated, assessed, theirs, nobody) = (ids[0], ids[1], ids[2], ids[3]);
    let our_evaluation = engagement(&mut tx, ours, "evaluation").await;
    let our_ex_ante = engagement(&mut tx, ours, "ex_ante").await;
    let their_evaluation = engagement(&mut tx, other, "evaluation").await;
    ex_ante::insert(
        &mut tx,
        &ex_ante::NewExAnte {
            region: REGION,
            fiscal_year: 2023,
            object_kind: "project",
            project_id: Some(assessed),
            object_name: "评估项目",
            amount: Fen(1_000_000),
            assessor_kind: "agency",
            engagement_id: Some(our_ex_ante),
            state: "approved",
            total_x100: Some(9000),
            conclusion: Some("support"),
            suggestions: "",
            scores: vec![],
        },
    )
    .await
    .expect("ex ante");
    let task = monitoring::insert_task(
        &mut tx,
        &monitoring::NewTask {
            region: REGION,
            fiscal_year: 2023,
            kind: "project",
            name: "2023年1-7月监控",
            period_end: date(2023, 7, 31),
            deadline: date(2023, 8, 15),
            state: "closed",
            scope: "all",
            scope_text: "",
            issued_by: None,
        },
    )
    .await
    .expect("task");
    for &pid in &ids {
        let engagement_id = if pid == evaluated {
            Some(our_evaluation)
        } else if pid == theirs {
            Some(their_evaluation)
        } else {
            None
        };
        let evaluation_id = evaluation(&mut tx, unit_id, pid, engagement_id).await;
        targets::insert(
            &mut tx,
            &targets::NewTarget {
                region: REGION,
                fiscal_year: 2023,
                object_kind: ObjectKind::Project,
                project_id: Some(pid),
                unit_id,
                state: "approved",
                total: Fen(1_000_000),
                fiscal: Fen(1_000_000),
                other: Fen::ZERO,
                overall_goal: "目标".into(),
                review_rating: Some("excellent"),
                review_opinion: "",
                indicators: vec![],
                tasks: vec![],
            },
        )
        .await
        .expect("target");
        monitoring::insert_report(
            &mut tx,
            &monitoring::NewReport {
                region: REGION,
                fiscal_year: 2023,
                task_id: task,
                unit_id,
                project_id: Some(pid),
                state: "approved",
                budget: Fen(100),
                executed: Fen(50),
                expected: Fen(60),
                progress_text: String::new(),
                reported_completion_x100: None,
                execution_rate_x100: None,
                completion_estimate_x100: None,
                deviation_x100: None,
                review_score_x100: None,
                indicators: vec![],
            },
        )
        .await
        .expect("report");
        rectifications::insert(
            &mut tx,
            &rectifications::NewRectification {
                region: REGION,
                fiscal_year: 2023,
                unit_id,
                project_id: Some(pid),
                source_kind: "evaluation",
                source_id: Some(evaluation_id),
                problem: "问题",
                requirement: "要求",
                deadline: date(2024, 6, 30),
                state: "issued",
                response: "",
                warning_kind: "",
            },
        )
        .await
        .expect("rectification");
        evaluations::insert_result_application(
            &mut tx,
            &evaluations::NewResultApplication {
                region: REGION,
                fiscal_year: 2023,
                evaluation_id,
                project_id: Some(pid),
                next_year: 2025,
                recommendation: "priority",
            },
        )
        .await
        .expect("result application");
    }
    // A unit-level rectification and monitoring report (no project): never an agency's.
    rectifications::insert(
        &mut tx,
        &rectifications::NewRectification {
            region: REGION,
            fiscal_year: 2023,
            unit_id,
            project_id: None,
            source_kind: "review",
            source_id: None,
            problem: "单位问题",
            requirement: "要求",
            deadline: date(2024, 6, 30),
            state: "issued",
            response: "",
            warning_kind: "",
        },
    )
    .await
    .expect("unit rectification");
    tx.commit().await.expect("commit");
    County {
        ours,
        evaluated,
        assessed,
        theirs,
        nobody,
    }
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v.dedup();
    v
}

#[tokio::test]
async fn agency_lists_hold_only_records_it_may_open() {
    on_every_store(
        "agency_lists_hold_only_records_it_may_open",
        async |store: &Store| {
            let c = county(store).await;
            let scope = Scope::Agency(c.ours);
            let f = ListFilter::default();
            let mine = sorted(vec![c.evaluated, c.assessed]);

            // The projects it may open are those of its engagements.
            for pid in [c.evaluated, c.assessed, c.theirs, c.nobody] {
                let open = browse::project(store, REGION, &scope, pid)
                    .await
                    .expect("project")
                    .is_some();
                assert_eq!(open, mine.contains(&pid), "project {pid}");
            }

            let targets = browse::targets(store, REGION, &scope, &f)
                .await
                .expect("targets");
            assert_eq!(
                sorted(targets.iter().filter_map(|t| t.project_id).collect()),
                mine
            );
            assert_eq!(targets.len(), 2, "{targets:?}");

            let reports = browse::monitoring_reports(store, REGION, &scope, &f)
                .await
                .expect("reports");
            assert_eq!(
                sorted(reports.iter().filter_map(|r| r.project_id).collect()),
                mine
            );
            assert_eq!(reports.len(), 2);
            // The detail read agrees with the list: each listed report opens, no other does.
            let all = browse::monitoring_reports(store, REGION, &Scope::Region, &f)
                .await
                .expect("all reports");
            assert_eq!(all.len(), 4);
            for r in &all {
                let open = browse::monitoring_report(store, REGION, &scope, r.id)
                    .await
                    .expect("report")
                    .is_some();
                assert_eq!(
                    open,
                    reports.iter().any(|x| x.id == r.id),
                    "report {}",
                    r.id
                );
            }

            let rects = browse::rectifications(store, REGION, &scope, &f)
                .await
                .expect("rectifications");
            assert_eq!(rects.len(), 2, "{rects:?}");
            assert!(
                rects
                    .iter()
                    .all(|k| k.project_id.is_some_and(|p| mine.contains(&p)))
            );

            let apps = browse::result_applications(store, REGION, &scope, &f)
                .await
                .expect("result applications");
            assert_eq!(apps.len(), 2, "{apps:?}");
            assert!(
                apps.iter()
                    .all(|a| a.project_id.is_some_and(|p| mine.contains(&p)))
            );

            // Region-wide readers still see every record; a unit user its unit's.
            let region = Scope::Region;
            assert_eq!(
                browse::rectifications(store, REGION, &region, &f)
                    .await
                    .expect("all")
                    .len(),
                5
            );
            assert_eq!(
                browse::result_applications(store, REGION, &region, &f)
                    .await
                    .expect("all")
                    .len(),
                4
            );
        },
    )
    .await;
}
