//! SPEC §6.3 with §8.2's rule: a target whose 分值 are missing or do not add up to 100 less the
//! execution weight cannot be submitted, whoever submits it.

mod common;

use common::*;
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, ObjectKind};
use jixiao_store::{StoreError, projects, targets};

fn row(name: &str, weight: Option<i64>) -> targets::IndicatorRow {
    targets::IndicatorRow {
        level1: "产出指标".into(),
        level2: "数量指标".into(),
        name: name.into(),
        sign: "≥".into(),
        target_value: "10".into(),
        unit_of_measure: "个".into(),
        weight_x100: weight.map(|w| w * 100),
        basis: String::new(),
        library_id: None,
        is_core: false,
        explanation: String::new(),
    }
}

async fn draft(store: &Store, unit: i64, code: &str, rows: Vec<targets::IndicatorRow>) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let pid = projects::insert(
        &mut tx,
        &project(code, code, unit, BudgetTiming::Initial, Fen(100_000)),
    )
    .await
    .expect("project");
    let id = targets::insert(
        &mut tx,
        &targets::NewTarget {
            region: REGION,
            fiscal_year: 2023,
            object_kind: ObjectKind::Project,
            project_id: Some(pid),
            unit_id: unit,
            state: "draft",
            total: Fen(100_000),
            fiscal: Fen(100_000),
            other: Fen::ZERO,
            overall_goal: "目标".into(),
            review_rating: None,
            review_opinion: "",
            indicators: rows,
            tasks: vec![],
        },
    )
    .await
    .expect("target");
    tx.commit().await.expect("commit");
    id
}

async fn submit(store: &Store, id: i64) -> Result<(), StoreError> {
    let mut tx = store.begin().await.expect("begin");
    let r = targets::set_state(
        &mut tx,
        id,
        1,
        &targets::StateChange {
            state: "submitted",
            submitted: true,
            ..Default::default()
        },
    )
    .await;
    if r.is_ok() {
        tx.commit().await.expect("commit");
    }
    r
}

#[tokio::test]
async fn submission_is_refused_until_the_weights_add_up() {
    on_every_store(
        "submission_is_refused_until_the_weights_add_up",
        async |store: &Store| {
            seed_region(store).await;
            let unit = seed_unit(store, "101001", "且末县教育局").await;
            let weightless = draft(store, unit, "P1", vec![row("a", None), row("b", None)]).await;
            let fifty = draft(
                store,
                unit,
                "P2",
                vec![row("a", Some(30)), row("b", Some(20))],
            )
            .await;
            let eighty = draft(
                store,
                unit,
                "P3",
                vec![row("a", Some(50)), row("b", Some(30))],
            )
            .await;
            let good = draft(
                store,
                unit,
                "P4",
                vec![
                    row("a", Some(50)),
                    row("其中：甲", None),
                    row("b", Some(40)),
                ],
            )
            .await;
            for (id, expected) in [
                (weightless, "第 1 个指标：该指标没有分值"),
                (fifty, "指标分值合计为 50，应为 90"),
                (eighty, "指标分值合计为 80，应为 90"),
            ] {
                match submit(store, id).await {
                    Err(StoreError::Refused(why)) => {
                        assert!(why.contains("不能提交") && why.contains(expected), "{why}")
                    }
                    other => panic!("target {id} submitted: {other:?}"),
                }
                let t = targets::get(store, REGION, id)
                    .await
                    .expect("get")
                    .expect("target");
                assert_eq!(t.state, "draft", "nothing changed");
            }
            submit(store, good).await.expect("90 in all is submitted");
            let t = targets::get(store, REGION, good)
                .await
                .expect("get")
                .expect("target");
            assert_eq!(t.state, "submitted");
        },
    )
    .await;
}
