//! SPEC §15: the demo county, loaded and read back through the report queries, yields every
//! figure of the seed document — on SQLite, and on PostgreSQL when JIXIAO_TEST_POSTGRES_URL is set.

use jixiao_domain::Fen;
use jixiao_domain::decimal::Decimal;
use jixiao_domain::grade::Grade;
use jixiao_domain::report::Block;
use jixiao_domain::report::annual::compose;
use jixiao_store::testing::on_every_store;
use jixiao_store::{Store, audit, narratives, report};

fn wan(text: &str) -> Fen {
    Fen::parse_wan(text).expect("a test amount")
}

async fn load(store: &Store) {
    jixiao_demo::load(store, &mut |_, _, _| {})
        .await
        .expect("the demo loads");
}

#[tokio::test]
async fn figures_equal_the_seed_spec_15() {
    on_every_store("figures_equal_the_seed_spec_15", async |store: &Store| {
        load(store).await;
        let f = report::annual_figures(store, jixiao_demo::REGION_CODE, 2023)
            .await
            .expect("figures");
        assert_eq!(f.region_name, "且末县");
        // Ex-ante: 1 project, 563.4万元, 96 points, 予以支持.
        assert_eq!(f.ex_ante.count, 1);
        assert_eq!(f.ex_ante.amount, wan("563.4"));
        assert_eq!(f.ex_ante.scores, vec![Decimal::from(96)]);
        assert_eq!(f.ex_ante.supported, 1);
        // Targets.
        assert_eq!(
            (f.targets.unit_count, f.targets.unit_amount),
            (57, wan("101108"))
        );
        assert_eq!(
            (f.targets.project_count, f.targets.project_amount),
            (132, wan("36972"))
        );
        assert_eq!(
            (f.targets.initial_count, f.targets.initial_amount),
            (36, wan("8688"))
        );
        // Monitoring: units in June, projects in May and August.
        assert_eq!(
            (f.monitoring.unit_months.clone(), f.monitoring.unit_count),
            (vec![6], 57)
        );
        assert_eq!(
            (
                f.monitoring.project_months.clone(),
                f.monitoring.project_count
            ),
            (vec![5, 8], 132)
        );
        assert!(f.monitoring.red_warnings > 0 && f.monitoring.rectifications > 0);
        // Evaluation of 2022.
        let e = &f.evaluation;
        assert_eq!(e.evaluated_year, 2022);
        assert_eq!((e.unit_self.count, e.unit_self.amount), (57, wan("132693")));
        assert_eq!(e.unit_self.by_grade.len(), 1);
        assert_eq!(e.unit_self.by_grade[0].grade, Grade::Excellent);
        assert_eq!(
            (e.project_self.count, e.project_self.amount),
            (143, wan("46083"))
        );
        let grades: Vec<(Grade, i64, Fen)> = e
            .project_self
            .by_grade
            .iter()
            .map(|g| (g.grade, g.count, g.amount))
            .collect();
        assert_eq!(
            grades,
            vec![
                (Grade::Excellent, 137, wan("45881")),
                (Grade::Good, 6, wan("202"))
            ]
        );
        assert_eq!(
            (e.department.count, e.department.amount),
            (33, wan("26299"))
        );
        assert_eq!((e.finance.count, e.finance.amount), (10, wan("6927.25")));
        assert_eq!(e.finance.by_grade.len(), 1);
        assert_eq!(e.finance.by_grade[0].grade, Grade::Excellent);
        assert_eq!(
            e.finance_objects,
            vec![
                "一般公共预算项目",
                "政府采购项目",
                "政府债务项目",
                "部门整体绩效评价项目"
            ]
        );
        // The load and the finance user's year-end work (publications, the assessment) are
        // audited and the chain is intact.
        assert!(matches!(
            audit::verify(store).await.expect("verify"),
            audit::Verdict::Intact {
                rows: 10,
                signatures: audit::Signatures::NotChecked
            }
        ));
    })
    .await;
}

#[tokio::test]
async fn report_sentences_follow_the_seed_spec_13() {
    on_every_store("report_sentences_follow_the_seed_spec_13", async |store: &Store| {
        load(store).await;
        let f = report::annual_figures(store, jixiao_demo::REGION_CODE, 2023).await.expect("figures");
        let n = narratives::for_year(store, jixiao_demo::REGION_CODE, 2023).await.expect("narrative");
        let doc = compose(&f, &n);
        let text: String = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        for sentence in [
            "2023年且末县开展事前绩效评估项目 1个，涉及金额 563.4万元，从立项必要性、投入经济性、实施方案可行性、绩效目标合理性、筹资合规性 5个方面进行评价，评估得分 96分，审核结果为“支持”，可以纳入财政预算。",
            "2023 年，完成对县级 57 家预算单位的部门整体支出绩效目标申报，涉及金额 101108 万元，完成 132 个项目绩效目标申报，涉及金额 36972 万元，其中年初预算项目 36 个，涉及金额 8688 万元。",
            "2023 年 6 月完成对 57 家一级预算单位的整体绩效监控，2023 年 5 月、8 月完成对 132 个项目的项目绩效监控。",
            "2023 年完成 2022 年度 57 个一级预算单位整体绩效自评工作，执行金额 132693万元，评价结果均为“优秀”；完成 2022 年度 143 个项目绩效自评工作，执行金额 46083万元，其中：评价结果为“优秀”的项目 137 个 45881 万元，评价结果为“良好”的项目 6 个 202 万元。",
            "按照项目资金总额不低于 20%的要求开展部门绩效评价 33 个，涉及金额 26299 万元，并形成自评报告。",
            "聘请第三方机构独立实施 2022 年度重点项目绩效评价 10 个，涉及金额 6927.25万元。内容涵盖一般公共预算项目、政府采购项目、政府债务项目和部门整体绩效评价项目。",
            "评价结果均为“优秀”。",
            "一是建立绩效评估机制。",
        ] {
            assert!(text.contains(sentence), "missing: {sentence}");
        }
        assert_eq!(doc.title, "且末县本级汇总的预算绩效情况说明");
    })
    .await;
}

#[tokio::test]
async fn the_demo_is_deterministic() {
    let a = Store::memory().await.expect("sqlite");
    a.migrate().await.expect("migrate");
    let b = Store::memory().await.expect("sqlite");
    b.migrate().await.expect("migrate");
    load(&a).await;
    load(&b).await;
    let fa = report::annual_figures(&a, jixiao_demo::REGION_CODE, 2023)
        .await
        .expect("figures");
    let fb = report::annual_figures(&b, jixiao_demo::REGION_CODE, 2023)
        .await
        .expect("figures");
    assert_eq!(fa, fb);
}

#[tokio::test]
async fn every_stored_self_evaluation_score_is_the_engines() {
    // SPEC §15: "every score is produced by the scoring engine from indicator values".
    let store = Store::memory().await.expect("sqlite");
    store.migrate().await.expect("migrate");
    load(&store).await;
    let settings = jixiao_domain::settings::Settings::default();
    let evals = jixiao_store::evaluations::list(&store, jixiao_demo::REGION_CODE, 2023, "self")
        .await
        .expect("list");
    assert_eq!(evals.len(), 57 + 143);
    for e in evals {
        let rows = jixiao_store::evaluations::indicators(&store, e.id)
            .await
            .expect("indicators");
        let inputs: Vec<_> = rows
            .iter()
            .map(|r| {
                let sign = jixiao_domain::indicator::Sign::parse(&r.sign);
                let qualitative = sign == Some(jixiao_domain::indicator::Sign::Qualitative);
                jixiao_domain::scoring::IndicatorInput {
                    level1: jixiao_domain::indicator::Level1::classify(&r.level1, &r.level2),
                    sign,
                    target: jixiao_domain::decimal::parse_loose(&r.target_value),
                    actual: jixiao_domain::decimal::parse_loose(&r.actual_value),
                    weight: r.weight_x100.map(jixiao_domain::decimal::from_hundredths),
                    tier: r.tier.map(|t| t as usize),
                    chosen: if qualitative {
                        r.score_x100.map(jixiao_domain::decimal::from_hundredths)
                    } else {
                        None
                    },
                    has_explanation: !r.deviation_reason.is_empty(),
                    ..Default::default()
                }
            })
            .collect();
        let funds = jixiao_domain::scoring::Funds {
            budget: Fen(e.budget_fen),
            executed: Fen(e.executed_fen),
        };
        let scored = jixiao_domain::scoring::score_self_evaluation(&settings, Some(funds), &inputs);
        assert_eq!(
            scored.total.map(jixiao_domain::decimal::to_hundredths),
            e.total_x100,
            "{}",
            e.title
        );
        assert_eq!(
            scored.grade.map(|g| g.code().to_string()),
            e.grade,
            "{}",
            e.title
        );
    }
}
