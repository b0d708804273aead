//! Fixtures of the storage story; the two-database harness is `jixiao_store::testing`.

#![allow(dead_code)]

pub use jixiao_store::Store;
pub use jixiao_store::testing::*;

// ---------------------------------------------------------------------------------------------
// Fixtures: the smallest valid rows, so each test states only what it is about.

use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory, UnitKind};
use jixiao_store::{projects, regions, units};

/// 且末县, the region every fixture lives in.
pub const REGION: &str = "652825000";
pub const REGION_NAME: &str = "且末县";

/// Inserts [`REGION`] and commits.
pub async fn seed_region(store: &Store) {
    let mut tx = store.begin().await.expect("begin");
    regions::insert(&mut tx, REGION, REGION_NAME, None)
        .await
        .expect("insert region");
    tx.commit().await.expect("commit region");
}

/// A level-1 administrative unit of [`REGION`].
pub fn unit<'a>(code: &'a str, name: &'a str) -> units::NewUnit<'a> {
    units::NewUnit {
        region: REGION,
        code,
        name,
        parent_id: None,
        level: 1,
        kind: UnitKind::Administrative,
        finance_desk: "行政政法股",
    }
}

/// Inserts a unit and commits, returning its id.
pub async fn seed_unit(store: &Store, code: &str, name: &str) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = units::insert(&mut tx, &unit(code, name))
        .await
        .expect("insert unit");
    tx.commit().await.expect("commit unit");
    id
}

/// A 2023 specific-purpose project of `unit_id` funded entirely from the current year.
pub fn project<'a>(
    code: &'a str,
    name: &'a str,
    unit_id: i64,
    timing: BudgetTiming,
    current: Fen,
) -> projects::NewProject<'a> {
    projects::NewProject {
        region: REGION,
        fiscal_year: 2023,
        code,
        name,
        unit_id,
        is_policy: false,
        budget_type: BudgetType::GeneralPublic,
        category: ProjectCategory::SpecificPurpose,
        continuity: Continuity::New,
        timing,
        start_year: 2023,
        end_year: 2023,
        current,
        carryover: Fen::ZERO,
        other: Fen::ZERO,
        is_major: false,
        library_status: "in_library",
        previous_project_id: None,
    }
}
