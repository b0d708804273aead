//! 待办 of finance (SPEC §3, §5, §16): a major project in reserve waits for its ex-ante
//! assessment, and a unit's indicator proposal waits for a decision; on SQLite and PostgreSQL.

mod common;

use common::*;
use jixiao_domain::Fen;
use jixiao_domain::indicator_library::{EntryForm, check_entry};
use jixiao_domain::types::{BudgetTiming, Role};
use jixiao_store::browse::Scope;
use jixiao_store::indicator_library as library;
use jixiao_store::{ex_ante, projects, todos, users};

async fn major(store: &Store, unit: i64, code: &str, status: &str, is_major: bool) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let mut p = project(code, code, unit, BudgetTiming::Initial, Fen::from_wan(600));
    p.is_major = is_major;
    p.library_status = status;
    let id = projects::insert(&mut tx, &p).await.expect("project");
    tx.commit().await.expect("commit");
    id
}

#[tokio::test]
async fn finance_is_told_of_major_projects_awaiting_ex_ante_and_of_proposals() {
    on_every_store(
        "finance_is_told_of_major_projects_awaiting_ex_ante_and_of_proposals",
        async |store: &Store| {
            seed_region(store).await;
            let unit = seed_unit(store, "101001", "且末县教育局").await;
            let waiting = major(store, unit, "重大待评估项目", "reserve", true).await;
            let started = major(store, unit, "重大已启动评估项目", "reserve", true).await;
            major(store, unit, "一般储备项目", "reserve", false).await;
            major(store, unit, "重大已入库项目", "in_library", true).await;
            let mut tx = store.begin().await.expect("begin");
            ex_ante::insert(
                &mut tx,
                &ex_ante::NewExAnte {
                    region: REGION,
                    fiscal_year: 2023,
                    object_kind: "project",
                    project_id: Some(started),
                    object_name: "重大已启动评估项目",
                    amount: Fen::from_wan(600),
                    assessor_kind: "finance",
                    engagement_id: None,
                    state: "draft",
                    total_x100: None,
                    conclusion: None,
                    suggestions: "",
                    scores: vec![],
                },
            )
            .await
            .expect("assessment");
            let proposer = users::insert(
                &mut tx,
                &users::NewUser {
                    region: REGION,
                    username: "jyj_tb",
                    display_name: "填报员",
                    password_hash: "x",
                    unit_id: Some(unit),
                    agency_id: None,
                    must_change_password: false,
                    roles: &[Role::UnitPreparer],
                },
            )
            .await
            .expect("user");
            let entry = |name: &'static str| {
                check_entry(&EntryForm {
                    level1: "产出指标",
                    level2: "数量指标",
                    name,
                    definition: "当年建成的智慧教室间数",
                    unit_of_measure: "间",
                    sign: "≥",
                    scoring_rule: "",
                    basis: "计划标准",
                    industry: "教育",
                })
                .expect("valid")
            };
            library::propose(
                &mut tx,
                REGION,
                unit,
                proposer,
                &entry("智慧教室建设数量"),
                "",
            )
            .await
            .expect("proposal");
            let decided =
                library::propose(&mut tx, REGION, unit, proposer, &entry("远程课堂数量"), "")
                    .await
                    .expect("proposal");
            library::decide(&mut tx, REGION, decided, None, true, "")
                .await
                .expect("decision");
            tx.commit().await.expect("commit");

            for role in ["finance_admin", "finance_desk"] {
                let list = todos::for_user(store, REGION, &Scope::Region, role)
                    .await
                    .expect("todos");
                let ex_ante: Vec<&todos::Todo> = list
                    .iter()
                    .filter(|t| t.what.starts_with("开展事前绩效评估"))
                    .collect();
                assert_eq!(ex_ante.len(), 1, "{role}: {list:#?}");
                assert!(ex_ante[0].what.contains("重大待评估项目"));
                assert_eq!(ex_ante[0].link, format!("/projects/{waiting}"));
                assert_eq!(ex_ante[0].object, "且末县教育局");
                let proposals: Vec<&todos::Todo> = list
                    .iter()
                    .filter(|t| t.what.starts_with("审核新增指标申请"))
                    .collect();
                assert_eq!(proposals.len(), 1, "{role}: {list:#?}");
                assert!(proposals[0].what.contains("智慧教室建设数量"));
                assert_eq!(proposals[0].link, "/indicators#pending");
            }
            // Units, agencies and leaders are not given finance's work.
            for (role, scope) in [
                ("unit_preparer", Scope::Units(vec![unit])),
                ("evaluator", Scope::Agency(1)),
                ("viewer", Scope::Region),
            ] {
                let list = todos::for_user(store, REGION, &scope, role)
                    .await
                    .expect("todos");
                assert!(
                    list.iter().all(|t| !t.what.starts_with("开展事前绩效评估")
                        && !t.what.starts_with("审核新增指标申请")),
                    "{role}: {list:#?}"
                );
            }
        },
    )
    .await;
}
