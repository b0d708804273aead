//! The rules of Jixiao (SPEC.md §3–§13) as pure functions and types.
//!
//! Nothing in this crate does IO, runs async code or knows SQL: every rule can be tested with
//! plain values, table by table against the SPEC's worked examples. Thresholds and weights come
//! from [`settings::Settings`], whose `Default` is the SPEC's default, so a province can change
//! them without code.

pub mod agency;
pub mod assessment;
pub mod coverage;
pub mod deadline;
pub mod decimal;
pub mod ex_ante;
pub mod framework;
pub mod grade;
pub mod indicator;
pub mod indicator_library;
pub mod money;
pub mod monitoring;
pub mod password;
pub mod project;
pub mod report;
pub mod result_application;
pub mod rules;
pub mod scoring;
pub mod settings;
pub mod target;
pub mod types;
pub mod verification;
pub mod workflow;

pub use decimal::{Decimal, round2};
pub use money::Fen;
