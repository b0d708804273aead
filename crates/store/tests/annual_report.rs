//! `report::annual_figures` (SPEC §13) on a dataset small enough to count by hand, on every
//! backend: each figure of the report is asserted exactly.

mod common;

use chrono::NaiveDate;
use common::{REGION, REGION_NAME, on_every_store, project, seed_region, seed_unit};
use jixiao_domain::Fen;
use jixiao_domain::grade::Grade;
use jixiao_domain::report::annual::{
    Evaluated, EvaluationFigures, ExAnteFigures, GradeCount, MonitoringFigures, TargetFigures,
    UnitRow,
};
use jixiao_domain::settings::Settings;
use jixiao_domain::types::{BudgetTiming, ObjectKind};
use jixiao_store::{Store, Tx, evaluations, ex_ante, monitoring, projects, report, targets};
use rust_decimal::Decimal;

const YEAR: i32 = 2023;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

async fn target(
    tx: &mut Tx,
    kind: ObjectKind,
    unit_id: i64,
    project_id: Option<i64>,
    state: &str,
    total: Fen,
) {
    targets::insert(
        tx,
        &targets::NewTarget {
            region: REGION,
            fiscal_year: YEAR,
            object_kind: kind,
            project_id,
            unit_id,
            state,
            total,
            fiscal: total,
            other: Fen::ZERO,
            overall_goal: String::new(),
            review_rating: None,
            review_opinion: "",
            indicators: vec![],
            tasks: vec![],
        },
    )
    .await
    .expect("insert target");
}

fn self_evaluation<'a>(
    unit_id: i64,
    project_id: i64,
    state: &'a str,
    executed: Fen,
    total_x100: i64,
    grade: &'a str,
) -> evaluations::NewEvaluation<'a> {
    evaluations::NewEvaluation {
        region: REGION,
        fiscal_year: YEAR - 1,
        conducted_year: YEAR,
        kind: "self",
        object_kind: "project",
        project_id: Some(project_id),
        unit_id,
        engagement_id: None,
        title: "项目支出绩效自评",
        state,
        initial_budget: executed,
        budget: executed,
        executed,
        amount: executed,
        execution_rate_x100: Some(10000),
        execution_score_x100: Some(1000),
        total_x100: Some(total_x100),
        grade: Some(grade),
        overall_goal: String::new(),
        overall_actual: String::new(),
        indicators: vec![],
    }
}

fn unit_report<'a>(task_id: i64, unit_id: i64) -> monitoring::NewReport<'a> {
    monitoring::NewReport {
        region: REGION,
        fiscal_year: YEAR,
        task_id,
        unit_id,
        project_id: None,
        state: "submitted",
        budget: Fen(900_000_000),
        executed: Fen(400_000_000),
        expected: Fen(900_000_000),
        progress_text: String::new(),
        reported_completion_x100: None,
        execution_rate_x100: None,
        completion_estimate_x100: None,
        deviation_x100: None,
        review_score_x100: None,
        indicators: vec![],
    }
}

/// 1 region, 2 level-1 units, 2 projects (one 年初预算), approved targets for both units and both
/// projects, 1 approved ex-ante assessment (support, 96.00), 1 unit-overall monitoring round due
/// 2023-06-20 with both units reporting, and 2 approved self-evaluations conducted in 2023 of
/// 2022's spending (优秀, 良好). A draft target and a draft evaluation must not be counted.
async fn seed(store: &Store) {
    seed_region(store).await;
    let edu = seed_unit(store, "101", "且末县教育局").await;
    let health = seed_unit(store, "102", "且末县卫生健康委员会").await;

    let mut tx = store.begin().await.unwrap();
    let meals = projects::insert(
        &mut tx,
        &project(
            "P001",
            "学生营养改善计划",
            edu,
            BudgetTiming::Initial,
            Fen(563_400_000),
        ),
    )
    .await
    .unwrap();
    let clinics = projects::insert(
        &mut tx,
        &project(
            "P002",
            "乡镇卫生院设备购置",
            health,
            BudgetTiming::Supplementary,
            Fen(125_000_050),
        ),
    )
    .await
    .unwrap();

    target(
        &mut tx,
        ObjectKind::Unit,
        edu,
        None,
        "approved",
        Fen(900_000_000),
    )
    .await;
    target(
        &mut tx,
        ObjectKind::Unit,
        health,
        None,
        "approved",
        Fen(300_000_001),
    )
    .await;
    target(
        &mut tx,
        ObjectKind::Project,
        edu,
        Some(meals),
        "approved",
        Fen(563_400_000),
    )
    .await;
    target(
        &mut tx,
        ObjectKind::Project,
        health,
        Some(clinics),
        "approved",
        Fen(125_000_050),
    )
    .await;
    target(
        &mut tx,
        ObjectKind::Project,
        health,
        Some(clinics),
        "draft",
        Fen(777),
    )
    .await;

    ex_ante::insert(
        &mut tx,
        &ex_ante::NewExAnte {
            region: REGION,
            fiscal_year: YEAR,
            object_kind: "project",
            project_id: Some(meals),
            object_name: "学生营养改善计划",
            amount: Fen(563_400_000),
            assessor_kind: "finance",
            engagement_id: None,
            state: "approved",
            total_x100: Some(9600),
            conclusion: Some("support"),
            suggestions: "",
            scores: vec![ex_ante::ScoreRow {
                dimension: "立项必要性".into(),
                sub_item: "政策相关性".into(),
                weight_x100: 1000,
                score_x100: Some(1000),
                opinion: String::new(),
            }],
        },
    )
    .await
    .unwrap();

    let task = monitoring::insert_task(
        &mut tx,
        &monitoring::NewTask {
            region: REGION,
            fiscal_year: YEAR,
            kind: "unit",
            name: "2023年1—5月部门整体绩效运行监控",
            period_end: date(2023, 5, 31),
            deadline: date(2023, 6, 20),
            state: "issued",
            scope: "all",
            scope_text: "",
            issued_by: None,
        },
    )
    .await
    .unwrap();
    monitoring::insert_report(&mut tx, &unit_report(task, edu))
        .await
        .unwrap();
    monitoring::insert_report(&mut tx, &unit_report(task, health))
        .await
        .unwrap();

    evaluations::insert(
        &mut tx,
        &self_evaluation(edu, meals, "approved", Fen(98_765_432), 9250, "excellent"),
    )
    .await
    .unwrap();
    evaluations::insert(
        &mut tx,
        &self_evaluation(health, clinics, "approved", Fen(12_345_678), 8575, "good"),
    )
    .await
    .unwrap();
    evaluations::insert(
        &mut tx,
        &self_evaluation(health, clinics, "draft", Fen(1), 5000, "poor"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn annual_figures_on_a_hand_counted_dataset() {
    on_every_store(
        "annual_figures_on_a_hand_counted_dataset",
        async |store: &Store| {
            seed(store).await;
            let f = report::annual_figures(store, REGION, YEAR).await.unwrap();

            assert_eq!(f.region_name, REGION_NAME);
            assert_eq!(f.year, YEAR);

            // §5: one approved assessment, supported, 96.00 points.
            let defaults = Settings::default();
            assert_eq!(
                f.ex_ante,
                ExAnteFigures {
                    count: 1,
                    amount: Fen(563_400_000),
                    scores: vec![Decimal::new(9600, 2)],
                    supported: 1,
                    supported_after_adjustment: 0,
                    refused: 0,
                    dimensions: defaults
                        .ex_ante
                        .project_dimensions
                        .iter()
                        .map(|d| d.name.clone())
                        .collect(),
                }
            );

            // §6: the draft target is not counted; only P001 is 年初预算.
            assert_eq!(
                f.targets,
                TargetFigures {
                    unit_count: 2,
                    unit_amount: Fen(1_200_000_001),
                    project_count: 2,
                    project_amount: Fen(688_400_050),
                    initial_count: 1,
                    initial_amount: Fen(563_400_000),
                }
            );

            // §7: one unit-overall round in June covering both units; no project round.
            assert_eq!(
                f.monitoring,
                MonitoringFigures {
                    unit_months: vec![6],
                    unit_count: 2,
                    project_months: vec![],
                    project_count: 0,
                    red_warnings: 0,
                    yellow_warnings: 0,
                    rectifications: 0,
                    rectifications_closed: 0,
                    deviation_threshold: Decimal::from(20),
                    review_threshold: Decimal::from(60),
                }
            );

            // §8: two approved project self-evaluations of 2022; the draft is left out.
            assert_eq!(
                f.evaluation,
                EvaluationFigures {
                    evaluated_year: 2022,
                    unit_self: Evaluated::default(),
                    project_self: Evaluated {
                        count: 2,
                        amount: Fen(111_111_110),
                        by_grade: vec![
                            GradeCount {
                                grade: Grade::Excellent,
                                count: 1,
                                amount: Fen(98_765_432),
                            },
                            GradeCount {
                                grade: Grade::Good,
                                count: 1,
                                amount: Fen(12_345_678),
                            },
                        ],
                    },
                    department: Evaluated::default(),
                    department_min_share: Decimal::from(20),
                    finance: Evaluated::default(),
                    finance_by_agency: 0,
                    finance_objects: vec![],
                }
            );

            assert_eq!(f.verifications, 0);
            assert_eq!(f.disclosures, 0);
            assert_eq!(
                f.by_unit,
                [
                    UnitRow {
                        unit: "且末县教育局".into(),
                        unit_target_amount: Fen(900_000_000),
                        project_targets: 1,
                        project_target_amount: Fen(563_400_000),
                        self_evaluations: 1,
                        self_executed: Fen(98_765_432),
                        average_score: Some(Decimal::new(9250, 2)),
                    },
                    UnitRow {
                        unit: "且末县卫生健康委员会".into(),
                        unit_target_amount: Fen(300_000_001),
                        project_targets: 1,
                        project_target_amount: Fen(125_000_050),
                        self_evaluations: 1,
                        self_executed: Fen(12_345_678),
                        average_score: Some(Decimal::new(8575, 2)),
                    },
                ]
            );
            assert!(f.warnings_by_unit.is_empty());
            assert!(f.recommendations.is_empty());

            // Another year of the same region has none of it.
            let empty = report::annual_figures(store, REGION, 2024).await.unwrap();
            assert_eq!(empty.targets, TargetFigures::default());
            assert_eq!(empty.ex_ante.count, 0);
            assert_eq!(empty.evaluation.project_self, Evaluated::default());
            assert_eq!(empty.by_unit.len(), 2, "every level-1 unit has a row");
        },
    )
    .await;
}

#[tokio::test]
async fn annual_figures_of_an_unknown_region_is_not_found() {
    on_every_store(
        "annual_figures_of_an_unknown_region_is_not_found",
        async |store: &Store| {
            let err = report::annual_figures(store, "000000000", YEAR)
                .await
                .unwrap_err();
            assert!(
                matches!(err, jixiao_store::StoreError::NotFound(_)),
                "{err:?}"
            );
        },
    )
    .await;
}

/// The report of a region with regions below it (issue 14): its figures cover its whole subtree,
/// and its tables have one row for its own level (本级) and one per region directly below it.
/// The county below still reports on itself alone.
#[tokio::test]
async fn an_upper_level_reports_over_its_subtree_issue_14() {
    on_every_store(
        "an_upper_level_reports_over_its_subtree_issue_14",
        async |store: &Store| {
            use jixiao_domain::report::annual::Breakdown;
            seed(store).await;
            let county = report::annual_figures(store, REGION, YEAR).await.unwrap();
            assert_eq!(county.breakdown, Breakdown::Units);

            // A region below REGION with one unit, a unit target and an approved project target.
            const BELOW: &str = "652825100";
            let mut tx = store.begin().await.unwrap();
            jixiao_store::regions::insert(&mut tx, BELOW, "塔提让镇", Some(REGION))
                .await
                .unwrap();
            let unit = jixiao_store::units::insert(
                &mut tx,
                &jixiao_store::units::NewUnit {
                    region: BELOW,
                    ..common::unit("900001", "塔提让镇人民政府")
                },
            )
            .await
            .unwrap();
            let road = projects::insert(
                &mut tx,
                &projects::NewProject {
                    region: BELOW,
                    ..project("P900", "村道养护", unit, BudgetTiming::Initial, Fen(10_000))
                },
            )
            .await
            .unwrap();
            for (kind, project_id, total) in [
                (ObjectKind::Unit, None, Fen(50_000)),
                (ObjectKind::Project, Some(road), Fen(10_000)),
            ] {
                targets::insert(
                    &mut tx,
                    &targets::NewTarget {
                        region: BELOW,
                        fiscal_year: YEAR,
                        object_kind: kind,
                        project_id,
                        unit_id: unit,
                        state: "approved",
                        total,
                        fiscal: total,
                        other: Fen::ZERO,
                        overall_goal: String::new(),
                        review_rating: None,
                        review_opinion: "",
                        indicators: vec![],
                        tasks: vec![],
                    },
                )
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();

            let upper = report::annual_figures(store, REGION, YEAR).await.unwrap();
            assert_eq!(upper.breakdown, Breakdown::Regions);
            assert_eq!(
                upper.targets,
                TargetFigures {
                    unit_count: county.targets.unit_count + 1,
                    unit_amount: county.targets.unit_amount + Fen(50_000),
                    project_count: county.targets.project_count + 1,
                    project_amount: county.targets.project_amount + Fen(10_000),
                    initial_count: county.targets.initial_count + 1,
                    initial_amount: county.targets.initial_amount + Fen(10_000),
                }
            );
            assert_eq!(upper.ex_ante, county.ex_ante, "nothing assessed below");
            assert_eq!(
                upper.evaluation, county.evaluation,
                "nothing evaluated below"
            );
            let names: Vec<&str> = upper.by_unit.iter().map(|r| r.unit.as_str()).collect();
            assert_eq!(names, [format!("{REGION_NAME}本级").as_str(), "塔提让镇"]);
            // The own level sums the county's unit rows; the region below has its own.
            let own = &upper.by_unit[0];
            let sum = |f: fn(&UnitRow) -> Fen| county.by_unit.iter().map(f).sum::<Fen>();
            assert_eq!(own.unit_target_amount, sum(|r| r.unit_target_amount));
            assert_eq!(own.project_target_amount, sum(|r| r.project_target_amount));
            assert_eq!(own.self_executed, sum(|r| r.self_executed));
            assert_eq!(own.project_targets, 2);
            assert_eq!(own.self_evaluations, 2);
            assert_eq!(
                upper.by_unit[1],
                UnitRow {
                    unit: "塔提让镇".into(),
                    unit_target_amount: Fen(50_000),
                    project_targets: 1,
                    project_target_amount: Fen(10_000),
                    self_evaluations: 0,
                    self_executed: Fen::ZERO,
                    average_score: None,
                }
            );
            assert!(upper.charts.execution.is_empty());

            // The region below reports on itself alone, by unit.
            let below = report::annual_figures(store, BELOW, YEAR).await.unwrap();
            assert_eq!(below.breakdown, Breakdown::Units);
            assert_eq!(below.targets.unit_count, 1);
            assert_eq!(below.targets.project_amount, Fen(10_000));
            assert_eq!(below.by_unit.len(), 1);
            assert!(report::has_year(store, REGION, YEAR).await.unwrap());
        },
    )
    .await;
}
