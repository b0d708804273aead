//! Issue 14: the generated province has the shape it claims (a tree of regions, units, projects
//! with targets of 15 indicators, a monitoring report and an engine-scored self-evaluation per
//! project), rolls up through the region tree, and is the same every time.
//!
//! Runs the small province on SQLite, and on PostgreSQL when `JIXIAO_TEST_POSTGRES_URL` is set.

use jixiao_demo::province::{self, PROVINCE_CODE, Scale};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;

async fn scalar(store: &Store, sql: &str) -> i64 {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{e}: {sql}"))
}

#[tokio::test]
async fn the_small_province_has_its_shape_and_rolls_up_through_the_tree() {
    on_every_store(
        "the_small_province_has_its_shape_and_rolls_up_through_the_tree",
        async |store: &Store| {
            let scale = Scale::SMALL;
            let mut steps = 0;
            let summary = province::load(store, &scale, &mut |_, _, _| steps += 1)
                .await
                .expect("the province loads");
            assert!(steps > scale.counties(), "progress is reported per county");
            let counties = scale.counties();
            let projects = counties * scale.projects_per_county;
            assert_eq!(summary.regions, 1 + scale.prefectures + counties);
            assert_eq!(summary.units, counties * scale.units_per_county);
            assert_eq!(summary.projects, projects);
            assert_eq!(summary.targets, projects);
            assert_eq!(summary.target_indicators, projects * 15);
            assert_eq!(summary.monitoring_reports, projects);
            assert_eq!(summary.evaluations, projects);

            // The database holds what the summary says.
            assert_eq!(
                scalar(store, "SELECT COUNT(*) FROM target_indicators").await,
                (projects * 15) as i64
            );
            assert_eq!(
                scalar(store, "SELECT COUNT(*) FROM warnings").await,
                summary.warnings as i64
            );
            assert!(summary.warnings > 0, "lagging projects are warned");
            // Every self-evaluation was scored and graded by the engine; a few are not 优.
            assert_eq!(
                scalar(
                    store,
                    "SELECT COUNT(*) FROM evaluations WHERE total_x100 IS NULL OR grade IS NULL"
                )
                .await,
                0
            );
            assert!(
                scalar(
                    store,
                    "SELECT COUNT(*) FROM evaluations WHERE grade <> 'excellent'"
                )
                .await
                    > 0
            );
            // The target weights add up to 90 (10 more for the execution rate), as §6.3 asks.
            assert_eq!(
                scalar(
                    store,
                    "SELECT COUNT(*) FROM (SELECT target_id FROM target_indicators GROUP BY target_id \
                     HAVING SUM(weight_x100) <> 9000) x"
                )
                .await,
                0
            );

            // The tree: the province over its prefectures over their counties.
            let tree = jixiao_store::regions::subtree(store, PROVINCE_CODE)
                .await
                .expect("tree");
            assert_eq!(tree.len(), summary.regions);
            assert_eq!(
                tree.iter().filter(|n| n.depth == 2).count(),
                counties,
                "{tree:?}"
            );
            // The province's roll-up: its own level, then each prefecture with its counties.
            let rollup = jixiao_store::dashboard::rollup(store, PROVINCE_CODE, province::YEAR)
                .await
                .expect("rollup");
            assert_eq!(rollup.len(), 1 + scale.prefectures);
            let total: i64 = rollup.iter().map(|r| r.headline.projects).sum();
            assert_eq!(total, projects as i64);
            for r in rollup.iter().filter(|r| !r.own) {
                assert_eq!(
                    r.headline.projects,
                    (scale.counties_per_prefecture * scale.projects_per_county) as i64,
                    "{r:?}"
                );
                assert_eq!(
                    r.units,
                    (scale.counties_per_prefecture * scale.units_per_county) as i64
                );
            }
            let evaluated = jixiao_store::dashboard::rollup(
                store,
                PROVINCE_CODE,
                province::YEAR + 1,
            )
            .await
            .expect("rollup of the evaluation year");
            let graded: i64 = evaluated
                .iter()
                .flat_map(|r| r.grades.iter().map(|(_, n)| n))
                .sum();
            assert_eq!(graded, projects as i64);
        },
    )
    .await;
}

#[tokio::test]
async fn the_province_is_the_same_every_time() {
    let digest = async || {
        let store = Store::memory().await.expect("store");
        store.migrate().await.expect("migrate");
        province::load(&store, &Scale::SMALL, &mut |_, _, _| {})
            .await
            .expect("load");
        let mut out = Vec::new();
        for sql in [
            "SELECT CAST(SUM(total_x100) AS BIGINT) FROM evaluations",
            "SELECT CAST(SUM(current_fen + other_fen) AS BIGINT) FROM projects",
            "SELECT COUNT(*) FROM warnings",
            "SELECT CAST(SUM(deviation_x100) AS BIGINT) FROM monitoring_reports",
        ] {
            out.push(scalar(&store, sql).await);
        }
        out
    };
    assert_eq!(digest().await, digest().await);
}
