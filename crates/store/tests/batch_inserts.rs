//! The multi-row inserts of an import (issue 14): every column as the one-row insert writes it,
//! ids in the order given, statements split under the databases' bind limits; on both
//! databases.

mod common;

use common::{REGION, on_every_store, project, seed_region, seed_unit, unit};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, UnitKind};
use jixiao_store::imports::{self, NewImport, Outcome, Payload, UnitIn, Who};
use jixiao_store::{on_pool, projects, units};

/// Every column of the region's projects of a year but the id, the year and the time of
/// creation, by id.
async fn project_rows(store: &common::Store, year: i32) -> Vec<(i64, String)> {
    let sql = "SELECT id, code || '|' || name || '|' || CAST(unit_id AS TEXT) || '|' || \
               CAST(is_policy AS TEXT) || '|' || budget_type || '|' || category || '|' || continuity || '|' || \
               timing || '|' || CAST(start_year - fiscal_year AS TEXT) || '|' || \
               CAST(end_year - fiscal_year AS TEXT) || '|' || CAST(current_fen AS TEXT) || '|' || \
               CAST(carryover_fen AS TEXT) || '|' || CAST(other_fen AS TEXT) || '|' || \
               CAST(is_major AS TEXT) || '|' || library_status || '|' || \
               COALESCE(CAST(previous_project_id AS TEXT), '-') || '|' || pinyin || '|' || \
               CAST(row_version AS TEXT) FROM projects WHERE region_code = $1 AND fiscal_year = $2 ORDER BY id";
    on_pool!(store, |p| sqlx::query_as(sql)
        .bind(REGION)
        .bind(year)
        .fetch_all(p)
        .await
        .expect("project rows"))
}

#[tokio::test]
async fn many_projects_are_written_as_one_by_one() {
    on_every_store("many_projects_are_written_as_one_by_one", async |store| {
        seed_region(store).await;
        let unit_id = seed_unit(store, "101", "且末县教育局").await;
        // More rows than one statement takes (30,000 binds / 20 columns = 1,500 rows).
        let codes: Vec<String> = (0..3_100).map(|i| format!("P{i:05}")).collect();
        let names: Vec<String> = (0..3_100)
            .map(|i| format!("教育项目{i}号（校舍维修）"))
            .collect();
        let rows = |year: i32| -> Vec<projects::NewProject> {
            codes
                .iter()
                .zip(&names)
                .enumerate()
                .map(|(i, (code, name))| projects::NewProject {
                    fiscal_year: year,
                    start_year: year,
                    end_year: year,
                    carryover: Fen(i as i64),
                    other: Fen(7),
                    is_major: i % 3 == 0,
                    library_status: "reserve",
                    ..project(
                        code,
                        name,
                        unit_id,
                        if i % 2 == 0 {
                            BudgetTiming::Initial
                        } else {
                            BudgetTiming::Supplementary
                        },
                        Fen(100 * i as i64),
                    )
                })
                .collect()
        };
        let mut tx = store.begin().await.expect("begin");
        for p in rows(2023) {
            projects::insert(&mut tx, &p).await.expect("insert");
        }
        let n = projects::insert_many(&mut tx, &rows(2024))
            .await
            .expect("insert many");
        tx.commit().await.expect("commit");
        assert_eq!(n, 3_100);
        let one = project_rows(store, 2023).await;
        let many = project_rows(store, 2024).await;
        assert_eq!(
            one.iter().map(|r| &r.1).collect::<Vec<_>>(),
            many.iter().map(|r| &r.1).collect::<Vec<_>>(),
            "the same columns, in the same order of ids"
        );
        let first = many[0].0;
        assert!(first > one.last().expect("rows").0);
        assert!(
            many.iter()
                .enumerate()
                .all(|(i, r)| r.0 == first + i as i64),
            "ids follow the order given"
        );
        assert!(many[1].1.contains("|jyxm"), "pinyin key: {}", many[1].1);

        // A code taken is a duplicate and the transaction writes nothing.
        let mut tx = store.begin().await.expect("begin");
        let again = rows(2024);
        let err = projects::insert_many(&mut tx, &again[3_000..])
            .await
            .expect_err("taken");
        assert!(err.to_string().contains("2024 年项目编码"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn many_units_are_written_as_one_by_one() {
    on_every_store("many_units_are_written_as_one_by_one", async |store| {
        seed_region(store).await;
        let codes: Vec<String> = (0..4_000).map(|i| format!("U{i:05}")).collect();
        let names: Vec<String> = (0..4_000).map(|i| format!("且末县第{i}中学")).collect();
        let rows: Vec<units::NewUnit> = codes
            .iter()
            .zip(&names)
            .map(|(c, n)| units::NewUnit {
                kind: UnitKind::Institution,
                ..unit(c, n)
            })
            .collect();
        let mut tx = store.begin().await.expect("begin");
        let one = units::insert(&mut tx, &unit("X1", "且末县教育局"))
            .await
            .expect("insert");
        let ids = units::insert_many(&mut tx, &rows).await.expect("many");
        tx.commit().await.expect("commit");
        assert_eq!(ids.len(), 4_000);
        for (i, (code, id)) in ids.iter().enumerate() {
            assert_eq!(code, &codes[i]);
            assert_eq!(*id, one + 1 + i as i64, "ids follow the order given");
        }
        let listed = units::list(store, REGION).await.expect("list");
        let u = listed.iter().find(|u| u.code == "U00017").expect("stored");
        assert_eq!(
            (u.name.as_str(), u.kind.as_str(), u.level, u.parent_id),
            ("且末县第17中学", "institution", 1, None)
        );
        let pinyin: Vec<(String, String)> = on_pool!(store, |p| sqlx::query_as(
            "SELECT code, pinyin FROM units WHERE region_code = $1 AND code IN ('X1', 'U00017')"
        )
        .bind(REGION)
        .fetch_all(p)
        .await
        .expect("pinyin"));
        assert!(pinyin.iter().all(|(_, p)| !p.is_empty()), "{pinyin:?}");
    })
    .await;
}

/// A unit list whose children come before or after their parents lands with the ids, levels and
/// parents that inserting in passes one by one gives: A, A1, C, then B (waiting for C).
#[tokio::test]
async fn a_unit_list_keeps_the_order_of_its_passes() {
    on_every_store("a_unit_list_keeps_the_order_of_its_passes", async |store| {
        seed_region(store).await;
        let root = seed_unit(store, "100", "且末县人民政府").await;
        let u = |code: &str, parent: Option<&str>| UnitIn {
            code: code.into(),
            name: format!("单位{code}"),
            parent_code: parent.map(str::to_string),
            kind: UnitKind::Administrative,
            finance_desk: String::new(),
        };
        let list = vec![
            u("A", None),
            u("A1", Some("A")),
            u("B", Some("C")),
            u("C", Some("100")),
            u("A11", Some("A1")),
        ];
        let outcome = imports::write(
            store,
            &NewImport {
                region: REGION,
                fiscal_year: 2023,
                file_name: "units.xlsx",
                sha256: "00",
                who: Who::default(),
                payload: Payload::Units(list),
            },
        )
        .await
        .expect("write");
        assert!(matches!(outcome, Outcome::Imported(r) if r.documents == 5));
        let units = units::list(store, REGION).await.expect("list");
        let get = |code: &str| units.iter().find(|u| u.code == code).expect(code);
        let (a, a1, a11, b, c) = (get("A"), get("A1"), get("A11"), get("B"), get("C"));
        let ids: Vec<i64> = [a, a1, c, a11, b].iter().map(|u| u.id).collect();
        assert_eq!(
            ids,
            (0..5).map(|i| root + 1 + i).collect::<Vec<_>>(),
            "pass 1: A, A1, C, A11; pass 2: B"
        );
        assert_eq!((a.level, a.parent_id), (1, None));
        assert_eq!((a1.level, a1.parent_id), (2, Some(a.id)));
        assert_eq!((a11.level, a11.parent_id), (3, Some(a1.id)));
        assert_eq!((c.level, c.parent_id), (2, Some(root)));
        assert_eq!((b.level, b.parent_id), (3, Some(c.id)));

        // A parent that never comes: nothing is written.
        let err = imports::write(
            store,
            &NewImport {
                region: REGION,
                fiscal_year: 2023,
                file_name: "bad.xlsx",
                sha256: "01",
                who: Who::default(),
                payload: Payload::Units(vec![u("D", None), u("E", Some("F"))]),
            },
        )
        .await
        .expect_err("no parent F");
        assert!(err.to_string().contains("E（上级 F）"), "{err}");
        assert!(
            units::list(store, REGION)
                .await
                .expect("list")
                .iter()
                .all(|u| u.code != "D")
        );
    })
    .await;
}
