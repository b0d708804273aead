//! Issue 14: every record list, the dashboard headline and the region roll-up reach their rows
//! through an index, on both databases, for every kind of reader. A province holds 100,000
//! projects: a list that scans a whole table is fine on the demo county and slow there.
//!
//! SQLite: `EXPLAIN QUERY PLAN` may not `SCAN` a table of the list (a `SEARCH` through an index
//! or the primary key is required; a `SCAN` of a subquery's result or a temporary b-tree for
//! the order is fine). PostgreSQL: with sequential scans discouraged (`enable_seqscan = off`) the
//! plan may still hold a `Seq Scan` only where no index can serve, so none may appear.

mod common;

use common::*;
use jixiao_store::browse::{self, ListFilter, ProjectFilter, Scope};

/// The tables whose full scan a list may not need (small code tables are not among them).
const BIG: &[&str] = &[
    "projects",
    "targets",
    "target_indicators",
    "monitoring_reports",
    "warnings",
    "evaluations",
    "rectifications",
    "result_applications",
    "ex_ante_assessments",
    "workflow_history",
    "units",
    "region_paths",
];

/// The plan of `sql` with the region in `$1` and the text binds after it, one line per step.
async fn plan(store: &Store, sql: &str, binds: &[String]) -> Vec<String> {
    plan_with(store, sql, binds, None).await
}

/// The plan of `sql` with the region in `$1`, then the year if given, then the text binds.
async fn plan_with(store: &Store, sql: &str, binds: &[String], year: Option<i32>) -> Vec<String> {
    match store {
        Store::Sqlite(pool) => {
            let text = format!("EXPLAIN QUERY PLAN {sql}");
            let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&text).bind(REGION);
            if let Some(y) = year {
                q = q.bind(y);
            }
            for b in binds {
                q = q.bind(b);
            }
            q.fetch_all(pool)
                .await
                .unwrap_or_else(|e| panic!("{e}: {sql}"))
                .into_iter()
                .map(|r| r.3)
                .collect()
        }
        Store::Postgres(pool) => {
            let mut c = pool.acquire().await.expect("connection");
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *c)
                .await
                .expect("set");
            let text = format!("EXPLAIN {sql}");
            let mut q = sqlx::query_scalar::<_, String>(&text).bind(REGION);
            if let Some(y) = year {
                q = q.bind(y);
            }
            for b in binds {
                q = q.bind(b);
            }
            let lines = q
                .fetch_all(&mut *c)
                .await
                .unwrap_or_else(|e| panic!("{e}: {sql}"));
            sqlx::query("RESET enable_seqscan")
                .execute(&mut *c)
                .await
                .expect("reset");
            lines
        }
    }
}

/// The aliases the list statements give their big tables (`u`, the units of a region, and the
/// small code tables are left out: a region's units may be read whole).
const BIG_ALIASES: &[&str] = &["t", "r", "e", "k", "a", "x", "p", "w", "n", "i", "lh"];

/// The full scans of big tables in a plan.
fn full_scans(store: &Store, lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            let l = l.trim();
            match store {
                Store::Sqlite(_) => BIG_ALIASES
                    .iter()
                    .any(|a| l == format!("SCAN {a}") || l.starts_with(&format!("SCAN {a} "))),
                Store::Postgres(_) => BIG.iter().any(|t| {
                    l.contains(&format!("Seq Scan on {t} "))
                        || l.ends_with(&format!("Seq Scan on {t}"))
                }),
            }
        })
        .cloned()
        .collect()
}

/// Every reader the lists serve.
fn scopes() -> Vec<(&'static str, Scope)> {
    vec![
        ("region", Scope::Region),
        ("published", Scope::Published),
        ("units", Scope::Units(vec![1, 2])),
        ("agency", Scope::Agency(1)),
    ]
}

fn filters() -> Vec<(&'static str, ListFilter)> {
    vec![
        ("default", ListFilter::default()),
        (
            "year and search",
            ListFilter {
                year: Some(2023),
                search: Some("jy".into()),
                limit: Some(100),
                offset: 200,
                sort: Some((1, true)),
                ..ListFilter::default()
            },
        ),
    ]
}

#[tokio::test]
async fn every_list_reaches_its_rows_through_an_index() {
    on_every_store(
        "every_list_reaches_its_rows_through_an_index",
        async |store: &Store| {
            seed_region(store).await;
            let mut problems = Vec::new();
            for (scope_name, scope) in scopes() {
                for (filter_name, f) in filters() {
                    let like = vec!["%jy%".to_string()];
                    let lists = [
                        ("targets", browse::targets_sql(&scope, &f)),
                        ("targets count", browse::targets_count_sql(&scope, &f)),
                        ("monitoring", browse::monitoring_reports_sql(&scope, &f)),
                        (
                            "monitoring count",
                            browse::monitoring_reports_count_sql(&scope, &f),
                        ),
                        ("evaluations", browse::evaluations_sql(&scope, &f)),
                        ("evaluations count", browse::evaluations_count_sql(&scope, &f)),
                        ("rectifications", browse::rectifications_sql(&scope, &f)),
                        (
                            "rectifications count",
                            browse::rectifications_count_sql(&scope, &f),
                        ),
                        (
                            "result applications",
                            browse::result_applications_sql(&scope, &f),
                        ),
                        (
                            "result applications count",
                            browse::result_applications_count_sql(&scope, &f),
                        ),
                        ("ex-ante", browse::ex_ante_sql(&scope, &f)),
                        ("ex-ante count", browse::ex_ante_count_sql(&scope, &f)),
                    ];
                    for (list, sql) in lists {
                        let lines = plan(store, &sql, &like).await;
                        let scans = full_scans(store, &lines);
                        if !scans.is_empty() {
                            problems.push(format!(
                                "{list} ({scope_name}, {filter_name}): {scans:?}\n  plan: {lines:#?}"
                            ));
                        }
                    }
                    let pf = ProjectFilter {
                        year: f.year,
                        search: f.search.clone(),
                        page: 3,
                        per_page: 100,
                        ..Default::default()
                    };
                    let (list_sql, count_sql, binds) = browse::projects_sql(&scope, &pf);
                    for (what, sql) in [("projects", list_sql), ("project count", count_sql)] {
                        let lines = plan(store, &sql, &binds).await;
                        let scans = full_scans(store, &lines);
                        if !scans.is_empty() {
                            problems.push(format!(
                                "{what} ({scope_name}, {filter_name}): {scans:?}\n  plan: {lines:#?}"
                            ));
                        }
                    }
                }
            }
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        },
    )
    .await;
}

#[tokio::test]
async fn the_dashboard_headline_and_the_region_rollup_reach_their_rows_through_an_index() {
    on_every_store(
        "the_dashboard_headline_and_the_region_rollup_reach_their_rows_through_an_index",
        async |store: &Store| {
            seed_region(store).await;
            let mut problems = Vec::new();
            let mut statements =
                vec![("rollup".to_string(), jixiao_store::dashboard::rollup_sql())];
            for (name, scope) in scopes() {
                statements.push((
                    format!("headline ({name})"),
                    jixiao_store::dashboard::headline_sql(&scope),
                ));
            }
            for (what, sql) in statements {
                let lines = plan_with(store, &sql, &[], Some(2023)).await;
                let scans = full_scans(store, &lines);
                if !scans.is_empty() {
                    problems.push(format!("{what}: {scans:?}\n  plan: {lines:#?}"));
                }
            }
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        },
    )
    .await;
}
