//! The storage story: each repository's verbs, run unchanged on SQLite and (when
//! `JIXIAO_TEST_POSTGRES_URL` is set) on PostgreSQL, each test on a fresh database.

mod common;

use common::{REGION, REGION_NAME, on_every_store, project, seed_region, seed_unit, unit};
use jixiao_domain::Fen;
use jixiao_domain::settings::Settings;
use jixiao_domain::types::{BudgetTiming, ObjectKind, Role};
use jixiao_store::audit::{self, Key, Signatures, Verdict};
use jixiao_store::{
    Store, StoreError, evaluations, history, narratives, on_pool, projects, regions, targets,
    units, users,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Migrations

/// `(version, file name)` of every migration in `migrations/<backend>`, by version.
fn migration_files(backend: &str) -> Vec<(i64, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut out: Vec<(i64, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| {
            let name = entry.expect("directory entry").file_name();
            let name = name.to_str().expect("UTF-8 file name").to_string();
            let version = name
                .split_once('_')
                .and_then(|(v, _)| v.parse::<i64>().ok())
                .unwrap_or_else(|| panic!("{backend}/{name} lacks a <version>_ prefix"));
            assert!(
                name.ends_with(".sql"),
                "{backend}/{name} is not a .sql file"
            );
            (version, name)
        })
        .collect();
    out.sort();
    out
}

/// The two migration folders must list the same versions under the same names, or one backend
/// silently lacks a table the other has (STYLE.md: vaultwarden's folders drifted to 112/92/110).
#[test]
fn migration_lists_are_identical_for_sqlite_and_postgres() {
    let sqlite = migration_files("sqlite");
    let postgres = migration_files("postgres");
    assert!(!sqlite.is_empty(), "no SQLite migrations found");
    assert_eq!(sqlite, postgres, "migration folders differ");
    let versions: BTreeSet<i64> = sqlite.iter().map(|m| m.0).collect();
    assert_eq!(versions.len(), sqlite.len(), "duplicate migration versions");
}

/// What `migrate` recorded as applied is exactly the folder's version list, on each backend.
#[tokio::test]
async fn migrate_applies_every_version_and_is_idempotent() {
    on_every_store(
        "migrate_applies_every_version_and_is_idempotent",
        async |store: &Store| {
            let expected: Vec<i64> = migration_files("sqlite").iter().map(|m| m.0).collect();
            let sql = "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version";
            let applied: Vec<i64> = on_pool!(store, |p| sqlx::query_scalar(sql).fetch_all(p).await)
                .expect("read _sqlx_migrations");
            assert_eq!(applied, expected);
            // Running again on a migrated database is a no-op, not an error.
            store.migrate().await.expect("second migrate");
            assert!(store.is_initialised().await.unwrap());
            assert!(
                !store.has_data().await.unwrap(),
                "fresh database has no region"
            );
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Connecting

#[tokio::test]
async fn connect_rejects_unknown_schemes_with_bad_url() {
    let err = Store::connect("mysql://x").await.unwrap_err();
    assert!(
        matches!(err, StoreError::BadUrl(ref u) if u == "mysql://x"),
        "{err:?}"
    );
    assert!(err.to_string().contains("数据库地址"), "{err}");
}

// Port 1 refuses connections; sqlx's pool retries until its 10 s acquire timeout, so each of
// these takes about 10 s. They are separate tests so that they wait in parallel.
#[tokio::test]
async fn connect_failure_is_a_chinese_message() {
    let err = Store::connect("postgres://nobody@127.0.0.1:1/x")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("无法连接数据库"), "{message}");
    assert!(
        message.contains("postgres://nobody@127.0.0.1:1/x"),
        "{message}"
    );
}

#[tokio::test]
async fn connect_failure_never_shows_the_password() {
    let err = Store::connect("postgres://nobody:s3cr3t-pw@127.0.0.1:1/x")
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    assert!(message.starts_with("无法连接数据库"), "{message}");
    assert!(!message.contains("s3cr3t-pw"), "password leaked: {message}");
    assert!(
        !format!("{err:?}").contains("s3cr3t-pw"),
        "password leaked: {err:?}"
    );
    assert!(message.contains("nobody:***@127.0.0.1:1"), "{message}");
}

/// A SQLite file is created when missing, in WAL mode with foreign keys on (SPEC §17).
#[tokio::test]
async fn connect_creates_a_sqlite_file_in_wal_mode() {
    let path = std::env::temp_dir().join(format!(
        "jixiao-store-test-{}-{}.db",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url)
        .await
        .expect("connect creates the file");
    assert!(path.exists());
    assert!(!store.is_initialised().await.unwrap());
    store.migrate().await.unwrap();
    assert!(store.is_initialised().await.unwrap());
    let Store::Sqlite(pool) = &store else {
        panic!("a sqlite URL opened {:?}", store.backend())
    };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(fk, 1);
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Every reference is enforced on both backends: a unit of an unknown region is refused.
#[tokio::test]
async fn foreign_keys_are_enforced() {
    on_every_store("foreign_keys_are_enforced", async |store: &Store| {
        let mut tx = store.begin().await.unwrap();
        let err = units::insert(&mut tx, &unit("101", "无区划的单位"))
            .await
            .expect_err("unit of a missing region");
        drop(tx);
        assert!(
            matches!(&err, StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation()),
            "{err:?}"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Regions and settings (SPEC §3)

#[tokio::test]
async fn region_and_settings_round_trip() {
    on_every_store("region_and_settings_round_trip", async |store: &Store| {
        let mut tx = store.begin().await.unwrap();
        regions::insert(&mut tx, "652800000", "巴音郭楞蒙古自治州", None)
            .await
            .unwrap();
        regions::insert(&mut tx, REGION, REGION_NAME, Some("652800000"))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let county = regions::get(store, REGION).await.unwrap().expect("county");
        assert_eq!(
            county,
            regions::Region {
                code: REGION.into(),
                name: REGION_NAME.into(),
                parent_code: Some("652800000".into()),
            }
        );
        assert_eq!(regions::get(store, "000000000").await.unwrap(), None);
        let codes: Vec<String> = regions::list(store)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(codes, ["652800000", REGION]);

        // Nothing stored: the SPEC's defaults.
        assert_eq!(
            regions::settings(store, REGION).await.unwrap(),
            Settings::default()
        );

        let mut custom = Settings::default();
        custom.project.major_threshold = Fen::from_wan(300);
        custom.grades.excellent = Decimal::from(95);
        custom.grades.good = Decimal::new(855, 1);
        custom.grades.fair = Decimal::from(70);
        let mut tx = store.begin().await.unwrap();
        regions::save_settings(&mut tx, REGION, &custom)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let read = regions::settings(store, REGION).await.unwrap();
        assert_eq!(read, custom);
        assert_eq!(read.project.major_threshold, Fen(300_000_000));
        assert_eq!(read.grades.good, Decimal::new(855, 1));

        // Saving again replaces the document (upsert), and other regions keep the defaults.
        custom.project.major_threshold = Fen::from_wan(800);
        let mut tx = store.begin().await.unwrap();
        regions::save_settings(&mut tx, REGION, &custom)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            regions::settings(store, REGION)
                .await
                .unwrap()
                .project
                .major_threshold,
            Fen(800_000_000)
        );
        assert_eq!(
            regions::settings(store, "652800000").await.unwrap(),
            Settings::default()
        );
        assert!(store.has_data().await.unwrap());
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Units (SPEC §3)

#[tokio::test]
async fn unit_insert_list_by_code_and_unique_code_per_region() {
    on_every_store(
        "unit_insert_list_by_code_and_unique_code_per_region",
        async |store: &Store| {
            seed_region(store).await;
            let bureau = seed_unit(store, "101", "且末县教育局").await;
            let mut tx = store.begin().await.unwrap();
            let school = units::insert(
                &mut tx,
                &units::NewUnit {
                    parent_id: Some(bureau),
                    level: 2,
                    kind: jixiao_domain::types::UnitKind::Institution,
                    ..unit("101-01", "且末县第一中学")
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();

            let list = units::list(store, REGION).await.unwrap();
            assert_eq!(list.len(), 2);
            assert_eq!(list[0].code, "101");
            assert_eq!(list[1].code, "101-01");

            let found = units::by_code(store, REGION, "101-01")
                .await
                .unwrap()
                .expect("by_code");
            assert_eq!(
                found,
                units::Unit {
                    id: school,
                    region_code: REGION.into(),
                    code: "101-01".into(),
                    name: "且末县第一中学".into(),
                    parent_id: Some(bureau),
                    level: 2,
                    kind: "institution".into(),
                    finance_desk: "行政政法股".into(),
                }
            );
            assert_eq!(units::by_code(store, REGION, "999").await.unwrap(), None);
            assert_eq!(
                units::by_code(store, "652800000", "101").await.unwrap(),
                None
            );

            // The same code twice in one region violates UNIQUE (region_code, code).
            let mut tx = store.begin().await.unwrap();
            let err = units::insert(&mut tx, &unit("101", "重复的教育局"))
                .await
                .expect_err("duplicate unit code must fail");
            drop(tx);
            match &err {
                StoreError::Database(sqlx::Error::Database(db)) => {
                    assert!(db.is_unique_violation(), "{err:?}")
                }
                other => panic!("expected a unique violation, got {other:?}"),
            }
            assert_eq!(units::list(store, REGION).await.unwrap().len(), 2);

            // The same code in another region is a different unit.
            let mut tx = store.begin().await.unwrap();
            regions::insert(&mut tx, "652822000", "若羌县", None)
                .await
                .unwrap();
            units::insert(
                &mut tx,
                &units::NewUnit {
                    region: "652822000",
                    ..unit("101", "若羌县教育局")
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(units::list(store, "652822000").await.unwrap().len(), 1);
            assert_eq!(units::list(store, REGION).await.unwrap().len(), 2);
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Projects (SPEC §3, §5): money is exact integer 分

/// A project code is unique within its region and year: the second insert is a
/// `StoreError::Duplicate` naming the code, not a bare database error.
#[tokio::test]
async fn a_taken_project_code_is_a_duplicate() {
    on_every_store(
        "a_taken_project_code_is_a_duplicate",
        async |store: &Store| {
            seed_region(store).await;
            let unit_id = seed_unit(store, "101", "且末县教育局").await;
            let p = project(
                "P001",
                "学生营养改善计划",
                unit_id,
                BudgetTiming::Initial,
                Fen(1),
            );
            let mut tx = store.begin().await.unwrap();
            projects::insert(&mut tx, &p).await.unwrap();
            tx.commit().await.unwrap();
            let mut tx = store.begin().await.unwrap();
            let err = projects::insert(&mut tx, &p)
                .await
                .expect_err("the code is taken");
            drop(tx);
            assert!(
                matches!(&err, StoreError::Duplicate(what) if what.contains("P001")),
                "{err:?}"
            );
            // Another failure stays a database error (unknown unit: a foreign key).
            let mut tx = store.begin().await.unwrap();
            let err = projects::insert(
                &mut tx,
                &project(
                    "P002",
                    "另一个",
                    unit_id + 999,
                    BudgetTiming::Initial,
                    Fen(1),
                ),
            )
            .await
            .expect_err("no such unit");
            drop(tx);
            assert!(matches!(&err, StoreError::Database(_)), "{err:?}");
        },
    )
    .await;
}

#[tokio::test]
async fn project_insert_and_list_keep_fen_exact() {
    on_every_store(
        "project_insert_and_list_keep_fen_exact",
        async |store: &Store| {
            seed_region(store).await;
            let unit_id = seed_unit(store, "101", "且末县教育局").await;
            // 2^53 + 1 分 cannot survive a trip through f64: the column must be an integer.
            let beyond_f64 = 9_007_199_254_740_993;
            let mut tx = store.begin().await.unwrap();
            let big = projects::insert(
                &mut tx,
                &projects::NewProject {
                    carryover: Fen(beyond_f64),
                    other: Fen(7),
                    is_major: true,
                    ..project(
                        "P002",
                        "义务教育薄弱环节改善",
                        unit_id,
                        BudgetTiming::Supplementary,
                        Fen(563_400_000),
                    )
                },
            )
            .await
            .unwrap();
            let small = projects::insert(
                &mut tx,
                &project(
                    "P001",
                    "学生营养改善计划",
                    unit_id,
                    BudgetTiming::Initial,
                    Fen(1),
                ),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();

            let list = projects::list(store, REGION, 2023).await.unwrap();
            assert_eq!(list.len(), 2);
            assert_eq!(
                list[0],
                projects::Project {
                    id: small,
                    fiscal_year: 2023,
                    code: "P001".into(),
                    name: "学生营养改善计划".into(),
                    unit_id,
                    budget_type: "general_public".into(),
                    category: "specific_purpose".into(),
                    continuity: "new".into(),
                    timing: "initial".into(),
                    current_fen: 1,
                    carryover_fen: 0,
                    other_fen: 0,
                    is_major: false,
                    library_status: "in_library".into(),
                }
            );
            let p = &list[1];
            assert_eq!(p.id, big);
            assert_eq!(p.timing, "supplementary");
            assert_eq!(p.current_fen, 563_400_000);
            assert_eq!(p.carryover_fen, beyond_f64);
            assert_eq!(p.other_fen, 7);
            assert!(p.is_major);
            assert_eq!(p.total(), Fen(563_400_000 + beyond_f64 + 7));
            assert!(
                projects::list(store, REGION, 2022)
                    .await
                    .unwrap()
                    .is_empty()
            );
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Targets (SPEC §6)

fn indicator(
    level1: &str,
    level2: &str,
    name: &str,
    sign: &str,
    value: &str,
) -> targets::IndicatorRow {
    targets::IndicatorRow {
        level1: level1.into(),
        level2: level2.into(),
        name: name.into(),
        sign: sign.into(),
        target_value: value.into(),
        unit_of_measure: String::new(),
        weight_x100: None,
        ..Default::default()
    }
}

#[tokio::test]
async fn target_with_indicators_and_tasks_reads_back_in_order() {
    on_every_store(
        "target_with_indicators_and_tasks_reads_back_in_order",
        async |store: &Store| {
            seed_region(store).await;
            let unit_id = seed_unit(store, "101", "且末县教育局").await;
            let rows = vec![
                targets::IndicatorRow {
                    unit_of_measure: "人".into(),
                    weight_x100: Some(2000),
                    ..indicator("产出指标", "数量指标", "受益学生人数", "≥", "2660")
                },
                targets::IndicatorRow {
                    unit_of_measure: "%".into(),
                    weight_x100: Some(1550),
                    ..indicator("产出指标", "质量指标", "资金到位率", "=", "95.5")
                },
                indicator("效益指标", "社会效益指标", "办学条件", "定性", "明显改善"),
            ];
            let mut tx = store.begin().await.unwrap();
            let id = targets::insert(
                &mut tx,
                &targets::NewTarget {
                    region: REGION,
                    fiscal_year: 2023,
                    object_kind: ObjectKind::Unit,
                    project_id: None,
                    unit_id,
                    state: "approved",
                    total: Fen(900_000_000),
                    fiscal: Fen(850_000_000),
                    other: Fen(50_000_000),
                    overall_goal: "保障全县义务教育均衡发展".into(),
                    review_rating: Some("good"),
                    review_opinion: "目标明确",
                    indicators: rows.clone(),
                    tasks: vec![
                        targets::NewTask {
                            task: "义务教育保障".into(),
                            content: "营养餐、校舍维修".into(),
                            total: Fen(600_000_000),
                            fiscal: Fen(600_000_000),
                            other: Fen::ZERO,
                        },
                        targets::NewTask {
                            task: "教师培训".into(),
                            content: String::new(),
                            total: Fen(300_000_000),
                            fiscal: Fen(250_000_000),
                            other: Fen(50_000_000),
                        },
                    ],
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();

            let read = targets::indicators(store, id).await.unwrap();
            let expected: Vec<targets::TargetIndicator> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| targets::TargetIndicator {
                    seq: i as i32 + 1,
                    level1: r.level1.clone(),
                    level2: r.level2.clone(),
                    name: r.name.clone(),
                    sign: r.sign.clone(),
                    target_value: r.target_value.clone(),
                    unit_of_measure: r.unit_of_measure.clone(),
                    weight_x100: r.weight_x100,
                    basis: r.basis.clone(),
                    library_id: r.library_id,
                    is_core: r.is_core,
                    explanation: r.explanation.clone(),
                })
                .collect();
            assert_eq!(read, expected);
            assert!(
                targets::indicators(store, id + 1000)
                    .await
                    .unwrap()
                    .is_empty()
            );

            // Tasks have no reader yet; check the rows the insert wrote.
            let sql = "SELECT seq, task, total_fen, fiscal_fen, other_fen FROM target_tasks \
                       WHERE target_id = $1 ORDER BY seq";
            let tasks: Vec<(i32, String, i64, i64, i64)> =
                on_pool!(store, |p| sqlx::query_as(sql).bind(id).fetch_all(p).await).unwrap();
            assert_eq!(
                tasks,
                [
                    (1, "义务教育保障".into(), 600_000_000, 600_000_000, 0),
                    (2, "教师培训".into(), 300_000_000, 250_000_000, 50_000_000),
                ]
            );
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Evaluations (SPEC §8)

#[tokio::test]
async fn evaluation_insert_indicators_and_list() {
    on_every_store(
        "evaluation_insert_indicators_and_list",
        async |store: &Store| {
            seed_region(store).await;
            let unit_id = seed_unit(store, "101", "且末县教育局").await;
            let rows = vec![
                evaluations::EvaluationIndicator {
                    level1: "产出指标".into(),
                    level2: "数量指标".into(),
                    name: "受益学生人数".into(),
                    sign: "≥".into(),
                    target_value: "2660".into(),
                    actual_value: "2701".into(),
                    unit_of_measure: "人".into(),
                    weight_x100: Some(2000),
                    score_x100: Some(2000),
                    tier: None,
                    deviation_reason: String::new(),
                    stated_score_x100: Some(1800),
                    parent_seq: None,
                    chosen_x100: None,
                    standard: String::new(),
                },
                evaluations::EvaluationIndicator {
                    level1: "满意度指标".into(),
                    level2: "服务对象满意度指标".into(),
                    name: "家长满意度".into(),
                    sign: "定性".into(),
                    target_value: "达到预期".into(),
                    actual_value: "基本达到".into(),
                    weight_x100: Some(1000),
                    score_x100: Some(650),
                    tier: Some(2),
                    deviation_reason: "部分学校供餐时间调整".into(),
                    ..Default::default()
                },
            ];
            let new = evaluations::NewEvaluation {
                region: REGION,
                fiscal_year: 2022,
                conducted_year: 2023,
                kind: "self",
                object_kind: "project",
                project_id: None,
                unit_id,
                engagement_id: None,
                title: "2022年学生营养改善计划绩效自评",
                state: "approved",
                initial_budget: Fen(100_000_000),
                budget: Fen(563_400_000),
                executed: Fen(563_399_999),
                amount: Fen(563_400_000),
                execution_rate_x100: Some(10000),
                execution_score_x100: Some(1000),
                total_x100: Some(9650),
                grade: Some("excellent"),
                overall_goal: "保障营养餐供应".into(),
                overall_actual: "全年供餐".into(),
                indicators: rows.clone(),
            };
            let mut tx = store.begin().await.unwrap();
            let id = evaluations::insert(&mut tx, &new).await.unwrap();
            let draft = evaluations::insert(
                &mut tx,
                &evaluations::NewEvaluation {
                    state: "draft",
                    title: "草稿",
                    total_x100: None,
                    grade: None,
                    indicators: vec![],
                    ..new.clone()
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();

            let read = evaluations::indicators(store, id).await.unwrap();
            assert_eq!(read.len(), 2);
            // The one writer keeps the printed score too (issue 9: two writers drifted).
            let sql = "SELECT stated_score_x100 FROM evaluation_indicators \
                       WHERE evaluation_id = $1 ORDER BY seq";
            let stated: Vec<Option<i64>> = match store {
                Store::Sqlite(p) => sqlx::query_scalar(sql).bind(id).fetch_all(p).await,
                Store::Postgres(p) => sqlx::query_scalar(sql).bind(id).fetch_all(p).await,
            }
            .unwrap();
            assert_eq!(stated, vec![Some(1800), None]);
            for (i, (got, want)) in read.iter().zip(&rows).enumerate() {
                assert_eq!(
                    got,
                    &evaluations::StoredIndicator {
                        seq: i as i32 + 1,
                        level1: want.level1.clone(),
                        level2: want.level2.clone(),
                        name: want.name.clone(),
                        sign: want.sign.clone(),
                        target_value: want.target_value.clone(),
                        actual_value: want.actual_value.clone(),
                        unit_of_measure: want.unit_of_measure.clone(),
                        weight_x100: want.weight_x100,
                        score_x100: want.score_x100,
                        tier: want.tier,
                        deviation_reason: want.deviation_reason.clone(),
                    }
                );
            }
            assert!(
                evaluations::indicators(store, draft)
                    .await
                    .unwrap()
                    .is_empty()
            );

            let list = evaluations::list(store, REGION, 2023, "self")
                .await
                .unwrap();
            assert_eq!(
                list,
                [
                    evaluations::EvaluationSummary {
                        id,
                        kind: "self".into(),
                        title: "2022年学生营养改善计划绩效自评".into(),
                        budget_fen: 563_400_000,
                        executed_fen: 563_399_999,
                        execution_score_x100: Some(1000),
                        total_x100: Some(9650),
                        grade: Some("excellent".into()),
                    },
                    evaluations::EvaluationSummary {
                        id: draft,
                        kind: "self".into(),
                        title: "草稿".into(),
                        budget_fen: 563_400_000,
                        executed_fen: 563_399_999,
                        execution_score_x100: Some(1000),
                        total_x100: None,
                        grade: None,
                    },
                ]
            );
            assert!(
                evaluations::list(store, REGION, 2023, "finance")
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert!(
                evaluations::list(store, REGION, 2022, "self")
                    .await
                    .unwrap()
                    .is_empty()
            );
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Audit log (SPEC §17): hash-chained, tampering detected

fn entry(action: &str) -> audit::Entry<'_> {
    audit::Entry {
        user_id: Some(1),
        username: "admin",
        role: "sysadmin",
        ip: "127.0.0.1",
        action,
        object_kind: "unit",
        object_id: "101",
        before_json: "",
        after_json: r#"{"name":"且末县教育局"}"#,
    }
}

async fn execute(store: &Store, sql: &str, id: i64) {
    let affected = on_pool!(store, |p| sqlx::query(sql)
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
    .expect(sql);
    assert_eq!(affected, 1, "{sql} with id {id}");
}

/// Drops the triggers that keep the audit log append-only, as someone with the database owner's
/// rights could before tampering.
async fn drop_audit_triggers(store: &Store) {
    for t in ["audit_log_no_update", "audit_log_no_delete"] {
        let sql = match store {
            Store::Sqlite(_) => format!("DROP TRIGGER {t}"),
            Store::Postgres(_) => format!("DROP TRIGGER {t} ON audit_log"),
        };
        on_pool!(store, |p| sqlx::query(&sql).execute(p).await.map(|_| ())).expect("drop trigger");
    }
}

/// Runs one statement, returning the database's error message if it fails.
async fn try_sql(store: &Store, sql: &str) -> std::result::Result<u64, String> {
    on_pool!(store, |p| sqlx::query(sql)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| e.to_string())
}

const UNCHECKED: Signatures = Signatures::NotChecked;

#[tokio::test]
async fn audit_chain_verifies_and_detects_edits_and_deletions() {
    on_every_store(
        "audit_chain_verifies_and_detects_edits_and_deletions",
        async |store: &Store| {
            assert_eq!(
                audit::verify(store).await.unwrap(),
                Verdict::Intact {
                    rows: 0,
                    signatures: UNCHECKED
                }
            );

            let mut tx = store.begin().await.unwrap();
            let mut ids = Vec::new();
            for action in ["create", "update", "approve"] {
                ids.push(audit::append(&mut tx, &entry(action)).await.unwrap());
            }
            tx.commit().await.unwrap();
            assert_eq!(
                audit::verify(store).await.unwrap(),
                Verdict::Intact {
                    rows: 3,
                    signatures: UNCHECKED
                }
            );

            let recent = audit::recent(store, 2).await.unwrap();
            assert_eq!(
                recent.iter().map(|r| r.id).collect::<Vec<_>>(),
                [ids[2], ids[1]]
            );
            assert_eq!(recent[1].action, "update");
            assert_eq!(recent[1].after_json, r#"{"name":"且末县教育局"}"#);
            assert_eq!(recent[0].prev_hash, recent[1].hash, "rows are chained");

            // Editing a row (with the append-only trigger dropped) breaks the chain at that row.
            drop_audit_triggers(store).await;
            execute(
                store,
                "UPDATE audit_log SET action = 'x' WHERE id = $1",
                ids[1],
            )
            .await;
            match audit::verify(store).await.unwrap() {
                Verdict::Broken { id, reason } => {
                    assert_eq!(id, ids[1]);
                    assert!(reason.contains("修改"), "{reason}");
                }
                v => panic!("tampered chain verified as {v:?}"),
            }

            // Restoring the field restores the chain: the hash covers content, nothing else.
            execute(
                store,
                "UPDATE audit_log SET action = 'update' WHERE id = $1",
                ids[1],
            )
            .await;
            assert_eq!(
                audit::verify(store).await.unwrap(),
                Verdict::Intact {
                    rows: 3,
                    signatures: UNCHECKED
                }
            );

            // Deleting the middle row breaks the link of the row after it.
            execute(store, "DELETE FROM audit_log WHERE id = $1", ids[1]).await;
            match audit::verify(store).await.unwrap() {
                Verdict::Broken { id, reason } => {
                    assert_eq!(id, ids[2]);
                    assert!(reason.contains("删除"), "{reason}");
                }
                v => panic!("chain with a deleted row verified as {v:?}"),
            }
        },
    )
    .await;
}

#[tokio::test]
async fn audit_entries_without_user_chain_across_transactions() {
    on_every_store(
        "audit_entries_without_user_chain_across_transactions",
        async |store: &Store| {
            for action in ["login", "logout"] {
                let mut tx = store.begin().await.unwrap();
                audit::append(
                    &mut tx,
                    &audit::Entry {
                        user_id: None,
                        ..entry(action)
                    },
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
            assert_eq!(
                audit::verify(store).await.unwrap(),
                Verdict::Intact {
                    rows: 2,
                    signatures: UNCHECKED
                }
            );
            let rows = audit::recent(store, 10).await.unwrap();
            assert_eq!(rows[1].prev_hash, audit::GENESIS);
            assert_eq!(rows[0].user_id, None);
        },
    )
    .await;
}

#[tokio::test]
async fn audit_log_refuses_update_and_delete() {
    on_every_store(
        "audit_log_refuses_update_and_delete",
        async |store: &Store| {
            let mut tx = store.begin().await.unwrap();
            audit::append(&mut tx, &entry("create")).await.unwrap();
            tx.commit().await.unwrap();
            for sql in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"] {
                let err = try_sql(store, sql).await.expect_err(sql);
                assert!(
                    err.contains("操作日志只能追加，不能修改或删除"),
                    "{sql}: {err}"
                );
            }
            if let Store::Postgres(_) = store {
                let err = try_sql(store, "TRUNCATE audit_log")
                    .await
                    .expect_err("truncate");
                assert!(err.contains("操作日志只能追加"), "{err}");
            }
            assert_eq!(
                audit::verify(store).await.unwrap(),
                Verdict::Intact {
                    rows: 1,
                    signatures: UNCHECKED
                }
            );
            // Reset (demo --reset) drops the table, triggers and all, and can start again.
            store.reset().await.unwrap();
            store.migrate().await.unwrap();
            assert_eq!(
                audit::verify(store).await.unwrap(),
                Verdict::Intact {
                    rows: 0,
                    signatures: UNCHECKED
                }
            );
        },
    )
    .await;
}

#[tokio::test]
async fn audit_rewrite_with_a_recomputed_chain_is_caught_by_the_mac() {
    on_every_store(
        "audit_rewrite_with_a_recomputed_chain_is_caught_by_the_mac",
        async |store: &Store| {
            let key = Key::generate();
            let mut tx = store.begin().await.unwrap();
            let mut ids = Vec::new();
            for action in ["create", "update", "approve"] {
                ids.push(
                    audit::append_with(&mut tx, &entry(action), Some(&key))
                        .await
                        .unwrap(),
                );
            }
            tx.commit().await.unwrap();
            let signed = Signatures::Checked { unsigned: 0 };
            assert_eq!(
                audit::verify_with(store, Some(&key)).await.unwrap(),
                Verdict::Intact {
                    rows: 3,
                    signatures: signed.clone()
                }
            );
            assert!(audit::head_signed(store).await.unwrap());

            // A wrong key fails at the first signed row.
            match audit::verify_with(store, Some(&Key::generate()))
                .await
                .unwrap()
            {
                Verdict::Broken { id, reason } => {
                    assert_eq!(id, ids[0]);
                    assert!(reason.contains("签名不符"), "{reason}");
                }
                v => panic!("a wrong key verified as {v:?}"),
            }

            // Rewrite the second row and recompute the plain chain from there, head included.
            drop_audit_triggers(store).await;
            let mut rows = audit::recent(store, 10).await.unwrap();
            rows.reverse();
            let mut prev = rows[0].hash.clone();
            for (i, r) in rows.iter().enumerate().skip(1) {
                let action = if i == 1 { "delete" } else { r.action.as_str() };
                let e = audit::Entry {
                    user_id: r.user_id,
                    username: &r.username,
                    role: &r.role,
                    ip: &r.ip,
                    action,
                    object_kind: &r.object_kind,
                    object_id: &r.object_id,
                    before_json: &r.before_json,
                    after_json: &r.after_json,
                };
                let hash = audit::digest(&prev, &r.at, &e);
                let sql = format!(
                    "UPDATE audit_log SET action = '{action}', prev_hash = '{prev}', hash = '{hash}' WHERE id = {}",
                    r.id
                );
                assert_eq!(try_sql(store, &sql).await, Ok(1));
                prev = hash;
            }
            let sql = format!("UPDATE audit_head SET last_hash = '{prev}' WHERE id = 1");
            assert_eq!(try_sql(store, &sql).await, Ok(1));

            // The plain chain is fooled (the probe of issue 13)…
            assert_eq!(
                audit::verify_with(store, None).await.unwrap(),
                Verdict::Intact {
                    rows: 3,
                    signatures: UNCHECKED
                }
            );
            // …the MAC is not.
            match audit::verify_with(store, Some(&key)).await.unwrap() {
                Verdict::Broken { id, reason } => {
                    assert_eq!(id, ids[1]);
                    assert!(reason.contains("签名不符"), "{reason}");
                }
                v => panic!("a re-chained rewrite verified as {v:?}"),
            }
            // Stripping the signatures instead is no better once any row is signed.
            let sql = format!("UPDATE audit_log SET mac = '' WHERE id >= {}", ids[1]);
            assert_eq!(try_sql(store, &sql).await, Ok(2));
            match audit::verify_with(store, Some(&key)).await.unwrap() {
                Verdict::Broken { id, reason } => {
                    assert_eq!(id, ids[1]);
                    assert!(reason.contains("没有签名"), "{reason}");
                }
                v => panic!("stripped signatures verified as {v:?}"),
            }
        },
    )
    .await;
}

#[tokio::test]
async fn deleting_the_last_50_audit_rows_is_caught_by_the_head() {
    on_every_store(
        "deleting_the_last_50_audit_rows_is_caught_by_the_head",
        async |store: &Store| {
            let key = Key::generate();
            let mut tx = store.begin().await.unwrap();
            let mut ids = Vec::new();
            for i in 0..60 {
                let action = format!("update.{i}");
                ids.push(
                    audit::append_with(&mut tx, &entry(&action), Some(&key))
                        .await
                        .unwrap(),
                );
            }
            tx.commit().await.unwrap();
            assert!(matches!(
                audit::verify_with(store, Some(&key)).await.unwrap(),
                Verdict::Intact { rows: 60, .. }
            ));

            drop_audit_triggers(store).await;
            let sql = format!("DELETE FROM audit_log WHERE id > {}", ids[9]);
            assert_eq!(try_sql(store, &sql).await, Ok(50));
            let cut = Verdict::Truncated {
                last_id: ids[9],
                rows: 10,
                expected: 60,
            };
            // Noticed with the key and, as long as the head is untouched, without it.
            assert_eq!(audit::verify_with(store, Some(&key)).await.unwrap(), cut);
            assert_eq!(audit::verify_with(store, None).await.unwrap(), cut);
            let problem = cut.problem().unwrap();
            assert!(problem.contains("操作日志末尾被删除"), "{problem}");
            assert!(problem.contains(&format!("第 {} 条", ids[9])), "{problem}");

            // Moving the head back to the cut end needs the key to sign it.
            let rows = audit::recent(store, 1).await.unwrap();
            let sql = format!(
                "UPDATE audit_head SET entries = 10, last_id = {}, last_hash = '{}' WHERE id = 1",
                rows[0].id, rows[0].hash
            );
            assert_eq!(try_sql(store, &sql).await, Ok(1));
            match audit::verify_with(store, Some(&key)).await.unwrap() {
                Verdict::HeadInvalid { reason } => assert!(reason.contains("签名不符"), "{reason}"),
                v => panic!("a re-written head verified as {v:?}"),
            }
            let sql = "UPDATE audit_head SET mac = '' WHERE id = 1";
            assert_eq!(try_sql(store, sql).await, Ok(1));
            match audit::verify_with(store, Some(&key)).await.unwrap() {
                Verdict::HeadInvalid { reason } => assert!(reason.contains("没有签名"), "{reason}"),
                v => panic!("an unsigned head verified as {v:?}"),
            }
        },
    )
    .await;
}

#[tokio::test]
async fn audit_rows_from_before_signing_are_counted_not_failed() {
    on_every_store(
        "audit_rows_from_before_signing_are_counted_not_failed",
        async |store: &Store| {
            let key = Key::generate();
            for signing in [None, None, Some(&key), Some(&key)] {
                let mut tx = store.begin().await.unwrap();
                audit::append_with(&mut tx, &entry("create"), signing)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
            assert_eq!(
                audit::verify_with(store, Some(&key)).await.unwrap(),
                Verdict::Intact {
                    rows: 4,
                    signatures: Signatures::Checked { unsigned: 2 }
                }
            );
            // An unsigned entry after signed ones is not "from before signing".
            let mut tx = store.begin().await.unwrap();
            let late = audit::append_with(&mut tx, &entry("create"), None)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            match audit::verify_with(store, Some(&key)).await.unwrap() {
                Verdict::Broken { id, reason } => {
                    assert_eq!(id, late);
                    assert!(reason.contains("没有签名"), "{reason}");
                }
                v => panic!("an unsigned entry after signed ones verified as {v:?}"),
            }
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Transactions (SPEC §17 "all or nothing")

#[tokio::test]
async fn dropped_transaction_leaves_nothing() {
    on_every_store(
        "dropped_transaction_leaves_nothing",
        async |store: &Store| {
            seed_region(store).await;
            {
                let mut tx = store.begin().await.unwrap();
                units::insert(&mut tx, &unit("101", "且末县教育局"))
                    .await
                    .unwrap();
                audit::append(&mut tx, &entry("create")).await.unwrap();
                tx.set_meta("demo", "1").await.unwrap();
                // Dropped here without commit.
            }
            assert!(units::list(store, REGION).await.unwrap().is_empty());
            assert_eq!(
                audit::verify(store).await.unwrap(),
                Verdict::Intact {
                    rows: 0,
                    signatures: UNCHECKED
                }
            );
            assert_eq!(store.meta("demo").await.unwrap(), None);

            // A failed statement takes the whole transaction's writes with it.
            let mut tx = store.begin().await.unwrap();
            units::insert(&mut tx, &unit("102", "且末县卫生健康委员会"))
                .await
                .unwrap();
            assert!(
                units::insert(&mut tx, &unit("102", "重复")).await.is_err(),
                "duplicate code must fail"
            );
            drop(tx);
            assert!(units::list(store, REGION).await.unwrap().is_empty());

            // The connection is usable afterwards and a committed write sticks.
            seed_unit(store, "103", "且末县财政局").await;
            let codes: Vec<String> = units::list(store, REGION)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.code)
                .collect();
            assert_eq!(codes, ["103"]);
        },
    )
    .await;
}

#[tokio::test]
async fn meta_set_and_read() {
    on_every_store("meta_set_and_read", async |store: &Store| {
        assert_eq!(store.meta("demo").await.unwrap(), None);
        let mut tx = store.begin().await.unwrap();
        tx.set_meta("demo", "1").await.unwrap();
        tx.set_meta("demo", "2023").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.meta("demo").await.unwrap().as_deref(), Some("2023"));
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Narratives (SPEC §13)

#[tokio::test]
async fn narratives_upsert_per_region_and_year() {
    on_every_store(
        "narratives_upsert_per_region_and_year",
        async |store: &Store| {
            seed_region(store).await;
            let mut tx = store.begin().await.unwrap();
            narratives::set(&mut tx, REGION, 2023, "title", "初稿标题")
                .await
                .unwrap();
            narratives::set(
                &mut tx,
                REGION,
                2023,
                "organisation",
                "成立绩效管理领导小组",
            )
            .await
            .unwrap();
            narratives::set(&mut tx, REGION, 2022, "title", "上年标题")
                .await
                .unwrap();
            tx.commit().await.unwrap();

            let mut tx = store.begin().await.unwrap();
            narratives::set(
                &mut tx,
                REGION,
                2023,
                "title",
                "且末县2023年度预算绩效情况说明",
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();

            let expected: BTreeMap<String, String> = [
                ("organisation", "成立绩效管理领导小组"),
                ("title", "且末县2023年度预算绩效情况说明"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            assert_eq!(
                narratives::for_year(store, REGION, 2023).await.unwrap(),
                expected
            );
            assert_eq!(
                narratives::for_year(store, REGION, 2022).await.unwrap()["title"],
                "上年标题"
            );
            assert!(
                narratives::for_year(store, REGION, 2021)
                    .await
                    .unwrap()
                    .is_empty()
            );
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Users (SPEC §1, §17)

#[tokio::test]
async fn users_insert_by_username_and_roles() {
    on_every_store("users_insert_by_username_and_roles", async |store: &Store| {
        seed_region(store).await;
        let unit_id = seed_unit(store, "101", "且末县教育局").await;
        let hash = users::hash_password("Demo#2023").unwrap();
        let mut tx = store.begin().await.unwrap();
        let id = users::insert(
            &mut tx,
            &users::NewUser {
                region: REGION,
                username: "jyj_tb",
                display_name: "教育局填报员",
                password_hash: &hash,
                unit_id: Some(unit_id),
                agency_id: None,
                must_change_password: true,
                roles: &[Role::UnitPreparer, Role::UnitApprover],
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let user = users::by_username(store, "jyj_tb").await.unwrap().expect("user");
        assert_eq!(
            user,
            users::User {
                id,
                region_code: REGION.into(),
                username: "jyj_tb".into(),
                display_name: "教育局填报员".into(),
                password_hash: hash.clone(),
                unit_id: Some(unit_id),
                agency_id: None,
                must_change_password: true,
                disabled: false,
                failed_logins: 0,
                locked_until: None,
                password_changed_at: user.password_changed_at,
            }
        );
        assert!(users::verify_password("Demo#2023", &user.password_hash));
        assert!(!users::verify_password("demo#2023", &user.password_hash));
        // Roles come back ordered by their stored code.
        assert_eq!(
            users::roles(store, id).await.unwrap(),
            [Role::UnitApprover, Role::UnitPreparer]
        );
        // Usernames are found ignoring case (issue 13: JXG beside jxg could both exist).
        assert_eq!(
            users::by_username(store, "JYJ_TB").await.unwrap().map(|u| u.id),
            Some(id)
        );
        assert_eq!(users::count(store).await.unwrap(), 1);

        // Usernames are unique, ignoring case.
        let mut tx = store.begin().await.unwrap();
        let err = users::insert(
            &mut tx,
            &users::NewUser {
                region: REGION,
                username: "JYJ_tb",
                display_name: "另一个",
                password_hash: &hash,
                unit_id: None,
                agency_id: None,
                must_change_password: false,
                roles: &[],
            },
        )
        .await
        .expect_err("duplicate username");
        drop(tx);
        assert!(
            matches!(&err, StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation()),
            "{err:?}"
        );
        assert_eq!(users::count(store).await.unwrap(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Workflow history (SPEC §4)

#[tokio::test]
async fn workflow_history_timeline_in_order() {
    on_every_store(
        "workflow_history_timeline_in_order",
        async |store: &Store| {
            seed_region(store).await;
            let at = jixiao_store::now();
            let mut tx = store.begin().await.unwrap();
            for (i, (from, to, action)) in [
                ("draft", "submitted", "submit"),
                ("submitted", "approved", "approve"),
            ]
            .into_iter()
            .enumerate()
            {
                history::record(
                    &mut tx,
                    &history::NewTransition {
                        region: REGION,
                        fiscal_year: 2023,
                        doc_kind: "target",
                        doc_id: 7,
                        from_state: from,
                        to_state: to,
                        action,
                        actor_id: None,
                        opinion: "同意",
                        at: at + chrono::Duration::seconds(i as i64),
                    },
                )
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
            let timeline = history::timeline(store, "target", 7).await.unwrap();
            assert_eq!(
                timeline
                    .iter()
                    .map(|t| t.action.as_str())
                    .collect::<Vec<_>>(),
                ["submit", "approve"]
            );
            assert_eq!(timeline[0].at, at, "timestamps survive to the microsecond");
            assert_eq!(timeline[1].to_state, "approved");
            assert!(
                history::timeline(store, "target", 8)
                    .await
                    .unwrap()
                    .is_empty()
            );
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Reset (`demo --reset`)

#[tokio::test]
async fn reset_drops_everything_and_migrate_rebuilds() {
    on_every_store(
        "reset_drops_everything_and_migrate_rebuilds",
        async |store: &Store| {
            seed_region(store).await;
            seed_unit(store, "101", "且末县教育局").await;
            assert!(store.is_initialised().await.unwrap());
            assert!(store.has_data().await.unwrap());

            store.reset().await.unwrap();
            assert!(!store.is_initialised().await.unwrap());
            assert!(!store.has_data().await.unwrap());

            store.migrate().await.unwrap();
            assert!(store.is_initialised().await.unwrap());
            assert!(!store.has_data().await.unwrap());
            assert!(regions::list(store).await.unwrap().is_empty());
            // The rebuilt schema takes writes again.
            seed_region(store).await;
            assert_eq!(seed_unit(store, "101", "且末县教育局").await, 1);
        },
    )
    .await;
}
