//! SPEC §9: an engagement records a conflict-of-interest declaration only when one was made.

mod common;

use chrono::NaiveDate;
use common::*;
use jixiao_domain::Fen;
use jixiao_store::agencies;

#[tokio::test]
async fn engagement_holds_no_coi_declaration_until_one_is_made() {
    on_every_store(
        "engagement_holds_no_coi_declaration_until_one_is_made",
        async |store: &Store| {
            seed_region(store).await;
            let mut tx = store.begin().await.expect("begin");
            let agency = agencies::insert(
                &mut tx,
                &agencies::NewAgency {
                    region: REGION,
                    name: "天山评价",
                    credit_code: "91650000000000001A",
                    agency_type: "consulting",
                    qualifications: "",
                    staff_count: 5,
                    contact: "",
                },
            )
            .await
            .expect("agency");
            let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).expect("date");
            let engagement = agencies::insert_engagement(
                &mut tx,
                &agencies::NewEngagement {
                    region: REGION,
                    fiscal_year: 2025,
                    agency_id: agency,
                    principal_unit_id: None,
                    kind: "ex_ante",
                    title: "事前绩效评估",
                    procurement_method: "",
                    contract_no: "",
                    start_date: day(3, 1),
                    end_date: day(4, 30),
                    fee: Fen::ZERO,
                    team: "",
                    quality_x100: None,
                    quality_grade: None,
                },
            )
            .await
            .expect("engagement");
            tx.commit().await.expect("commit");
            assert_eq!(
                agencies::coi_declared(store, engagement)
                    .await
                    .expect("read"),
                Some(false),
                "nobody declared anything yet"
            );
            let mut tx = store.begin().await.expect("begin");
            agencies::declare_conflict_of_interest(&mut tx, engagement)
                .await
                .expect("declare");
            assert!(
                agencies::declare_conflict_of_interest(&mut tx, engagement + 1000)
                    .await
                    .is_err(),
                "no such engagement"
            );
            tx.commit().await.expect("commit");
            assert_eq!(
                agencies::coi_declared(store, engagement)
                    .await
                    .expect("read"),
                Some(true)
            );
        },
    )
    .await;
}
