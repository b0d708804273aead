//! The indicator library story (SPEC §3 "Indicator library", §6.1): built-in entries, search by
//! name and pinyin, a unit's proposal and finance's decision; on SQLite and PostgreSQL.

mod common;

use common::{REGION, on_every_store, seed_region, seed_unit};
use jixiao_domain::indicator_library::{EntryForm, check_entry};
use jixiao_domain::types::Role;
use jixiao_store::indicator_library::{self as library, Query};
use jixiao_store::{Store, StoreError, users};

async fn seeded(store: &Store) -> u64 {
    seed_region(store).await;
    let mut tx = store.begin().await.expect("begin");
    let n = library::seed_defaults(&mut tx, REGION).await.expect("seed");
    tx.commit().await.expect("commit");
    n
}

async fn user(store: &Store, username: &str, unit: i64) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = users::insert(
        &mut tx,
        &users::NewUser {
            region: REGION,
            username,
            display_name: username,
            password_hash: "x",
            unit_id: Some(unit),
            agency_id: None,
            must_change_password: false,
            roles: &[Role::UnitPreparer],
        },
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    id
}

fn names(entries: &[library::LibraryEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

#[tokio::test]
async fn built_in_entries_are_seeded_once_spec_3() {
    on_every_store(
        "built_in_entries_are_seeded_once_spec_3",
        async |store: &Store| {
            let n = seeded(store).await;
            assert_eq!(n as usize, library::SEED.len());
            assert_eq!(
                library::count(store, REGION).await.unwrap(),
                library::SEED.len() as i64
            );
            // Seeding again inserts nothing: the region keeps one copy of each entry.
            let mut tx = store.begin().await.unwrap();
            assert_eq!(library::seed_defaults(&mut tx, REGION).await.unwrap(), 0);
            tx.commit().await.unwrap();
            assert_eq!(
                library::count(store, REGION).await.unwrap(),
                library::SEED.len() as i64
            );
            // An empty query lists everything in dictionary order: 产出 first, 满意度 last.
            let (all, total) = library::page(store, REGION, &Query::default(), 0, 1000)
                .await
                .unwrap();
            assert_eq!(total, library::SEED.len() as i64);
            assert_eq!(all.first().map(|e| e.level1.as_str()), Some("产出指标"));
            assert_eq!(all.last().map(|e| e.level1.as_str()), Some("满意度指标"));
            let (second_page, _) = library::page(store, REGION, &Query::default(), 100, 100)
                .await
                .unwrap();
            assert_eq!(second_page.len(), library::SEED.len() - 100);
            assert_eq!(second_page[0], all[100]);
        },
    )
    .await;
}

#[tokio::test]
async fn search_by_name_and_pinyin_spec_3() {
    on_every_store("search_by_name_and_pinyin_spec_3", async |store: &Store| {
        seeded(store).await;
        // Name substring.
        let found = library::search(store, REGION, "校舍", None, None, 20)
            .await
            .unwrap();
        assert_eq!(names(&found), vec!["新建改扩建校舍面积"]);
        let e = &found[0];
        assert_eq!(
            (
                e.level1.as_str(),
                e.level2.as_str(),
                e.unit_of_measure.as_str(),
                e.sign.as_str(),
                e.basis.as_str(),
                e.industry.as_str()
            ),
            ("产出指标", "数量指标", "平方米", "≥", "计划标准", "教育")
        );
        assert_eq!(
            library::get(store, REGION, e.id).await.unwrap().as_ref(),
            Some(e)
        );
        // Pinyin initials, as a prefix and inside the name, and full pinyin.
        let found = library::search(store, REGION, "zjzcl", None, None, 20)
            .await
            .unwrap();
        assert_eq!(names(&found), vec!["资金支出率"]);
        let found = library::search(store, REGION, "XSMJ", None, None, 20)
            .await
            .unwrap();
        assert_eq!(names(&found), vec!["新建改扩建校舍面积"]);
        let found = library::search(store, REGION, "zijinzhichu", None, None, 20)
            .await
            .unwrap();
        assert_eq!(names(&found), vec!["资金支出率"]);
        // An exact name comes before names that merely contain it.
        let found = library::search(store, REGION, "服务对象满意度", None, None, 20)
            .await
            .unwrap();
        assert_eq!(found[0].name, "服务对象满意度");
        // The level-1 filter and the limit.
        let found = library::search(store, REGION, "率", Some("成本指标"), None, 50)
            .await
            .unwrap();
        assert!(!found.is_empty());
        assert!(found.iter().all(|e| e.level1 == "成本指标"), "{found:?}");
        let found = library::search(store, REGION, "率", None, None, 5)
            .await
            .unwrap();
        assert_eq!(found.len(), 5);
        // LIKE wildcards are text, not patterns.
        let found = library::search(store, REGION, "%", None, None, 5)
            .await
            .unwrap();
        assert!(found.is_empty(), "{found:?}");
        // Another region sees nothing.
        assert!(
            library::search(store, "652800000", "率", None, None, 5)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn a_proposal_enters_the_library_only_when_finance_approves_spec_3() {
    on_every_store(
        "a_proposal_enters_the_library_only_when_finance_approves_spec_3",
        async |store: &Store| {
            seeded(store).await;
            let edu = seed_unit(store, "101", "且末县教育局").await;
            let health = seed_unit(store, "102", "且末县卫生健康委员会").await;
            let edu_user = user(store, "jyj_tb", edu).await;
            let health_user = user(store, "wjw_tb", health).await;
            let before = library::count(store, REGION).await.unwrap();
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
            let mut tx = store.begin().await.unwrap();
            let a = library::propose(
                &mut tx,
                REGION,
                edu,
                edu_user,
                &entry("智慧教室建设数量"),
                "信息化项目常用",
            )
            .await
            .unwrap();
            let b = library::propose(
                &mut tx,
                REGION,
                health,
                health_user,
                &entry("远程会诊室数量"),
                "",
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            // Pending: not in the library, not counted, visible to the proposing unit only.
            assert_eq!(library::count(store, REGION).await.unwrap(), before);
            let pending = library::pending(store, REGION).await.unwrap();
            assert_eq!(
                pending.iter().map(|p| p.entry.id).collect::<Vec<_>>(),
                vec![a, b]
            );
            assert_eq!(pending[0].unit_name, "且末县教育局");
            assert_eq!(pending[0].proposer, "jyj_tb");
            assert_eq!(pending[0].proposal_reason, "信息化项目常用");
            assert_eq!(pending[0].entry.status, "proposed");
            assert!(pending[0].created_at.is_some());
            let search = async |q: &str, unit: Option<i64>| {
                names(
                    &library::search(store, REGION, q, None, unit, 20)
                        .await
                        .unwrap(),
                )
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
            };
            assert!(search("zhjs", None).await.is_empty());
            assert_eq!(search("zhjs", Some(edu)).await, vec!["智慧教室建设数量"]);
            assert!(search("zhjs", Some(health)).await.is_empty());
            // The same entry cannot be proposed twice while pending, nor a library entry again.
            let mut tx = store.begin().await.unwrap();
            let err = library::propose(
                &mut tx,
                REGION,
                health,
                health_user,
                &entry("智慧教室建设数量"),
                "",
            )
            .await
            .unwrap_err();
            assert!(
                matches!(err, StoreError::Invalid(ref m) if m.contains("待审核")),
                "{err}"
            );
            let err = library::propose(
                &mut tx,
                REGION,
                health,
                health_user,
                &entry("教师培训人次"),
                "",
            )
            .await
            .unwrap_err();
            assert!(
                matches!(err, StoreError::Invalid(ref m) if m.contains("已在指标库中")),
                "{err}"
            );
            drop(tx);
            // Approve one, reject the other.
            let mut tx = store.begin().await.unwrap();
            let approved = library::decide(&mut tx, REGION, a, None, true, "同意入库")
                .await
                .unwrap();
            let rejected = library::decide(&mut tx, REGION, b, None, false, "与已有指标重复")
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(
                (approved.status.as_str(), approved.review_opinion.as_str()),
                ("approved", "同意入库")
            );
            assert_eq!(rejected.status, "rejected");
            assert_eq!(library::count(store, REGION).await.unwrap(), before + 1);
            assert_eq!(search("zhjs", None).await, vec!["智慧教室建设数量"]);
            assert_eq!(search("zhjs", Some(health)).await, vec!["智慧教室建设数量"]);
            assert!(search("远程会诊", None).await.is_empty());
            assert!(search("远程会诊", Some(health)).await.is_empty());
            assert!(library::pending(store, REGION).await.unwrap().is_empty());
            // A decided proposal cannot be decided again.
            let mut tx = store.begin().await.unwrap();
            let err = library::decide(&mut tx, REGION, a, None, false, "")
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Conflict), "{err:?}");
            drop(tx);
            // The unit sees what became of its proposals, with the opinion.
            let mine = library::proposals_of_unit(store, REGION, health)
                .await
                .unwrap();
            assert_eq!(mine.len(), 1);
            assert_eq!(mine[0].entry.review_opinion, "与已有指标重复");
            // A rejected entry may be proposed again, in place.
            let mut tx = store.begin().await.unwrap();
            let again = library::propose(
                &mut tx,
                REGION,
                health,
                health_user,
                &entry("远程会诊室数量"),
                "补充说明",
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(again, b);
            let pending = library::pending(store, REGION).await.unwrap();
            assert_eq!(pending.len(), 1);
            assert_eq!(
                (
                    pending[0].entry.review_opinion.as_str(),
                    pending[0].proposal_reason.as_str()
                ),
                ("", "补充说明")
            );
        },
    )
    .await;
}
