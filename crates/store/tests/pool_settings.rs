//! `Store::connect_with` (issue 14): the pool's size is the one asked for on both backends, on
//! SQLite every connection maps the size asked for, and on PostgreSQL a statement running past
//! the timeout is cancelled with an error, not left to run.

use jixiao_store::{PoolSettings, Store};
use std::time::Duration;

#[tokio::test]
async fn the_pool_has_the_size_asked_for_and_postgres_cancels_a_long_statement() {
    let file = std::env::temp_dir().join(format!("jixiao-pool-{}.db", std::process::id()));
    let url = format!("sqlite://{}", file.display());
    let settings = PoolSettings {
        max_connections: 3,
        statement_timeout: Some(Duration::from_millis(300)),
        sqlite_mmap_mib: 16,
    };
    let store = Store::connect_with(&url, settings).await.expect("sqlite");
    let Store::Sqlite(pool) = &store else {
        panic!("a SQLite URL opens SQLite");
    };
    assert_eq!(pool.options().get_max_connections(), 3);
    let mmap: i64 = sqlx::query_scalar("PRAGMA mmap_size")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(mmap, 16 << 20, "every connection maps what was asked for");
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }

    let Some(url) = std::env::var(jixiao_store::testing::POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        eprintln!("PostgreSQL part skipped: JIXIAO_TEST_POSTGRES_URL is not set");
        return;
    };
    let store = Store::connect_with(&url, settings).await.expect("postgres");
    let Store::Postgres(pool) = &store else {
        panic!("a PostgreSQL URL opens PostgreSQL");
    };
    assert_eq!(pool.options().get_max_connections(), 3);
    let quick: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(pool)
        .await
        .expect("a quick statement runs");
    assert_eq!(quick, 1);
    let err = sqlx::query("SELECT pg_sleep(5)")
        .execute(pool)
        .await
        .expect_err("a 5 s statement is cancelled after 300 ms");
    assert!(err.to_string().contains("statement timeout"), "{err}");
    store.close().await;

    // Without a timeout the same pool settings leave statements alone.
    let store = Store::connect_with(&url, PoolSettings::default())
        .await
        .expect("postgres");
    let Store::Postgres(pool) = &store else {
        panic!("PostgreSQL");
    };
    sqlx::query("SELECT pg_sleep(0.5)")
        .execute(pool)
        .await
        .expect("no timeout by default");
    store.close().await;
}
