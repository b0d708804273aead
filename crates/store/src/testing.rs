//! Test support shared by every crate's database tests: the harness of the storage story: every test runs the same body on an in-memory SQLite
//! database and, when `JIXIAO_TEST_POSTGRES_URL` is set, on PostgreSQL too (STYLE.md "One
//! storage test suite, two databases"). Each test gets a fresh database: a new in-memory SQLite,
//! and on PostgreSQL a schema of its own, pinned through `search_path`, so tests can run in
//! parallel against one server without seeing each other's rows.

use crate::Store;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The variable that opts the suite into PostgreSQL.
pub const POSTGRES_URL_VAR: &str = "JIXIAO_TEST_POSTGRES_URL";

static SCHEMA_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Fresh, migrated stores, each named by its backend: SQLite always, PostgreSQL when
/// `JIXIAO_TEST_POSTGRES_URL` is set. A set but unreachable server fails the test: a suite that
/// silently skips its second database would report green for code it never ran.
pub async fn stores() -> Vec<(String, Store)> {
    let sqlite = Store::memory().await.expect("in-memory SQLite opens");
    sqlite.migrate().await.expect("SQLite migrations apply");
    let mut out = vec![("sqlite".to_string(), sqlite)];
    if let Some(url) = postgres_url() {
        out.push(("postgres".to_string(), postgres_store(&url).await));
    }
    out
}

fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A schema name no other test (in this or a parallel process) will pick.
fn unique_schema() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t_{}_{}_{}",
        std::process::id(),
        SCHEMA_COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

async fn postgres_store(url: &str) -> Store {
    let schema = unique_schema();
    let mut admin = PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unreachable: {e}"));
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("creating schema {schema}: {e}"));
    admin.close().await.ok();
    let opts = PgConnectOptions::from_str(url)
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a PostgreSQL URL: {e}"))
        .options([("search_path", schema.as_str())]);
    let store = Store::connect_postgres(opts)
        .await
        .unwrap_or_else(|e| panic!("connecting to schema {schema}: {e}"));
    store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL migrations in schema {schema}: {e}"));
    store
}

/// Closes the stores and drops the PostgreSQL schemas. Called only when a test body succeeded:
/// a failing test leaves its schema behind for inspection.
pub async fn cleanup(stores: Vec<(String, Store)>) {
    for (_, store) in stores {
        if let Store::Postgres(pool) = &store {
            let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
                .fetch_one(pool)
                .await
                .expect("current_schema");
            store.close().await;
            let url = postgres_url().expect("a PostgreSQL store implies the URL is set");
            let mut admin = PgConnection::connect(&url)
                .await
                .expect("PostgreSQL reachable for cleanup");
            sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("dropping schema {schema}: {e}"));
            admin.close().await.ok();
        } else {
            store.close().await;
        }
    }
}

/// Runs `body` once on every store of [`stores`], naming the backend in any failure, then
/// cleans up and reports which backends the test ran on.
pub async fn on_every_store(test: &str, body: impl AsyncFn(&Store)) {
    let stores = stores().await;
    let names: Vec<String> = stores.iter().map(|(n, _)| n.clone()).collect();
    for (backend, store) in &stores {
        eprintln!("{test}: running on {backend}");
        body(store).await;
    }
    cleanup(stores).await;
    eprintln!("{test}: passed on {}", names.join(", "));
}
