//! SPEC §1: a leader (领导/人大查询, `Scope::Published`) reads approved and published material
//! only — projects that have entered the library, approved targets, ex-ante assessments,
//! monitoring reports and evaluations — and every row of its lists opens.

mod common;

use chrono::NaiveDate;
use common::*;
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, ObjectKind};
use jixiao_store::browse::{self, ListFilter, ProjectFilter, Scope};
use jixiao_store::{evaluations, ex_ante, history, monitoring, projects, targets};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// The records of the county, by what a leader may see of them.
struct County {
    /// Projects in the library, and terminated after entering it.
    library: i64,
    terminated_late: i64,
    /// Projects in reserve, and terminated before entering the library.
    reserve: i64,
    terminated_early: i64,
    /// Approved documents (of the library project).
    target: i64,
    ex_ante: i64,
    evaluation: i64,
    report: i64,
    /// Documents not approved (of the library project), and approved ones of the reserve project.
    hidden_targets: Vec<i64>,
    hidden_ex_ante: Vec<i64>,
    hidden_evaluations: Vec<i64>,
    hidden_reports: Vec<i64>,
}

async fn evaluation(tx: &mut jixiao_store::Tx, unit_id: i64, pid: i64, state: &str) -> i64 {
    evaluations::insert(
        tx,
        &evaluations::NewEvaluation {
            region: REGION,
            fiscal_year: 2023,
            conducted_year: 2024,
            kind: "self",
            object_kind: "project",
            project_id: Some(pid),
            unit_id,
            engagement_id: None,
            title: "评价",
            state,
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

async fn target(tx: &mut jixiao_store::Tx, unit_id: i64, pid: i64, state: &str) -> i64 {
    targets::insert(
        tx,
        &targets::NewTarget {
            region: REGION,
            fiscal_year: 2023,
            object_kind: ObjectKind::Project,
            project_id: Some(pid),
            unit_id,
            state,
            total: Fen(1_000_000),
            fiscal: Fen(1_000_000),
            other: Fen::ZERO,
            overall_goal: "目标".into(),
            review_rating: None,
            review_opinion: "",
            indicators: vec![],
            tasks: vec![],
        },
    )
    .await
    .expect("target")
}

async fn assessment(tx: &mut jixiao_store::Tx, pid: i64, state: &str) -> i64 {
    ex_ante::insert(
        tx,
        &ex_ante::NewExAnte {
            region: REGION,
            fiscal_year: 2023,
            object_kind: "project",
            project_id: Some(pid),
            object_name: "评估对象",
            amount: Fen(1_000_000),
            assessor_kind: "unit",
            engagement_id: None,
            state,
            total_x100: None,
            conclusion: None,
            suggestions: "",
            scores: vec![],
        },
    )
    .await
    .expect("ex ante")
}

async fn report(tx: &mut jixiao_store::Tx, task: i64, unit_id: i64, pid: i64, state: &str) -> i64 {
    monitoring::insert_report(
        tx,
        &monitoring::NewReport {
            region: REGION,
            fiscal_year: 2023,
            task_id: task,
            unit_id,
            project_id: Some(pid),
            state,
            budget: Fen(100),
            executed: Fen(50),
            expected: Fen(50),
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
    .expect("report")
}

async fn county(store: &Store) -> County {
    seed_region(store).await;
    let unit_id = seed_unit(store, "101001", "且末县教育局").await;
    let mut tx = store.begin().await.expect("begin");
    let mut ids = Vec::new();
    for (code, status) in [
        ("P-LIB", "budgeted"),
        ("P-TLATE", "terminated"),
        ("P-RES", "reserve"),
        ("P-TEARLY", "terminated"),
    ] {
        let mut p = project(code, code, unit_id, BudgetTiming::Initial, Fen(1_000_000));
        p.library_status = status;
        ids.push(projects::insert(&mut tx, &p).await.expect("project"));
    }
    let (library, terminated_late, reserve, terminated_early) = (ids[0], ids[1], ids[2], ids[3]);
    for (id, steps) in [
        (
            terminated_late,
            &[("reserve", "in_library"), ("in_library", "terminated")][..],
        ),
        (terminated_early, &[("reserve", "terminated")][..]),
    ] {
        for (from, to) in steps {
            history::record(
                &mut tx,
                &history::NewTransition {
                    region: REGION,
                    fiscal_year: 2023,
                    doc_kind: "project",
                    doc_id: id,
                    from_state: from,
                    to_state: to,
                    action: if *to == "in_library" {
                        "enter_library"
                    } else {
                        "terminate"
                    },
                    actor_id: None,
                    opinion: "",
                    at: jixiao_store::now(),
                },
            )
            .await
            .expect("history");
        }
    }
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
    let mut c = County {
        library,
        terminated_late,
        reserve,
        terminated_early,
        target: target(&mut tx, unit_id, library, "approved").await,
        ex_ante: assessment(&mut tx, library, "approved").await,
        evaluation: evaluation(&mut tx, unit_id, library, "approved").await,
        report: report(&mut tx, task, unit_id, library, "approved").await,
        hidden_targets: vec![],
        hidden_ex_ante: vec![],
        hidden_evaluations: vec![],
        hidden_reports: vec![],
    };
    // Approved documents of the reserve project, and every unapproved state in the library.
    c.hidden_targets
        .push(target(&mut tx, unit_id, reserve, "approved").await);
    c.hidden_ex_ante
        .push(assessment(&mut tx, reserve, "approved").await);
    c.hidden_evaluations
        .push(evaluation(&mut tx, unit_id, reserve, "approved").await);
    c.hidden_reports
        .push(report(&mut tx, task, unit_id, reserve, "approved").await);
    for state in ["draft", "submitted", "under_review", "returned"] {
        c.hidden_ex_ante
            .push(assessment(&mut tx, library, state).await);
        c.hidden_evaluations
            .push(evaluation(&mut tx, unit_id, library, state).await);
        // One report per project and task (migration 0011): each state in a task of its own.
        let round = monitoring::insert_task(
            &mut tx,
            &monitoring::NewTask {
                region: REGION,
                fiscal_year: 2023,
                kind: "project",
                name: state,
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
        c.hidden_reports
            .push(report(&mut tx, round, unit_id, library, state).await);
    }
    // Targets of the project terminated after entering the library: one per state; each is
    // its own object (no supersedes link), so only the approved one is listed.
    for state in ["draft", "submitted", "under_review", "returned"] {
        c.hidden_targets
            .push(target(&mut tx, unit_id, terminated_late, state).await);
    }
    tx.commit().await.expect("commit");
    c
}

#[tokio::test]
async fn a_leaders_lists_hold_only_library_projects_and_approved_documents_spec_1() {
    on_every_store(
        "a_leaders_lists_hold_only_library_projects_and_approved_documents_spec_1",
        async |store: &Store| {
            let c = county(store).await;
            let scope = Scope::Published;
            let f = ListFilter::default();
            // Projects: in the library, or terminated after entering it.
            let (rows, total) = browse::projects(
                store,
                REGION,
                &scope,
                &ProjectFilter {
                    per_page: 50,
                    ..ProjectFilter::default()
                },
            )
            .await
            .expect("projects");
            let mut ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            ids.sort_unstable();
            let mut want = vec![c.library, c.terminated_late];
            want.sort_unstable();
            assert_eq!(ids, want);
            assert_eq!(total, 2);
            for id in [c.reserve, c.terminated_early] {
                assert!(
                    browse::project(store, REGION, &scope, id)
                        .await
                        .expect("project")
                        .is_none(),
                    "project {id} is not the leader's"
                );
            }
            let (count, _) = browse::project_totals(store, REGION, &scope, 2023)
                .await
                .expect("totals");
            assert_eq!(count, 2);
            // Documents: the approved ones of library projects, each of which opens.
            let targets: Vec<i64> = browse::targets(store, REGION, &scope, &f)
                .await
                .expect("targets")
                .iter()
                .map(|t| t.id)
                .collect();
            assert_eq!(targets, vec![c.target]);
            let reports: Vec<i64> = browse::monitoring_reports(store, REGION, &scope, &f)
                .await
                .expect("reports")
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(reports, vec![c.report]);
            let evals: Vec<i64> = browse::evaluations(store, REGION, &scope, &f)
                .await
                .expect("evaluations")
                .iter()
                .map(|e| e.id)
                .collect();
            assert_eq!(evals, vec![c.evaluation]);
            let assessments: Vec<i64> = browse::ex_ante(store, REGION, &scope, &f)
                .await
                .expect("ex ante")
                .iter()
                .map(|x| x.id)
                .collect();
            assert_eq!(assessments, vec![c.ex_ante]);
            // List ⊆ openable, and the hidden ones do not open.
            assert!(
                browse::monitoring_report(store, REGION, &scope, c.report)
                    .await
                    .expect("report")
                    .is_some()
            );
            assert!(
                browse::evaluation(store, REGION, &scope, c.evaluation)
                    .await
                    .expect("evaluation")
                    .is_some()
            );
            assert!(
                browse::ex_ante_in_scope(store, REGION, &scope, c.ex_ante)
                    .await
                    .expect("ex ante")
            );
            for &id in &c.hidden_reports {
                assert!(
                    browse::monitoring_report(store, REGION, &scope, id)
                        .await
                        .expect("report")
                        .is_none(),
                    "report {id}"
                );
            }
            for &id in &c.hidden_evaluations {
                assert!(
                    browse::evaluation(store, REGION, &scope, id)
                        .await
                        .expect("evaluation")
                        .is_none(),
                    "evaluation {id}"
                );
            }
            for &id in &c.hidden_ex_ante {
                assert!(
                    !browse::ex_ante_in_scope(store, REGION, &scope, id)
                        .await
                        .expect("ex ante"),
                    "ex-ante {id}"
                );
            }
            assert!(!c.hidden_targets.is_empty());
            // The project page's own lists follow the same rule.
            let shown = browse::project_target(store, c.terminated_late, &scope)
                .await
                .expect("target");
            assert!(shown.is_none(), "no approved target of that project");
            let evals = browse::project_evaluations(store, c.library, &scope)
                .await
                .expect("evaluations");
            assert_eq!(
                evals.iter().map(|e| e.id).collect::<Vec<_>>(),
                vec![c.evaluation]
            );
            // The finance bureau still reads everything.
            let all = browse::evaluations(store, REGION, &Scope::Region, &f)
                .await
                .expect("evaluations");
            assert_eq!(all.len(), 1 + c.hidden_evaluations.len());
        },
    )
    .await;
}
