//! The application layer of Jixiao: what a user can do. Every operation takes an [`Actor`] (the
//! acting user, the client address and the store) and its input, and goes the same way: check
//! the input (field-level Chinese messages, [`AppError::Invalid`]), check the user's scope (a
//! record outside it answers as [`actor::hidden`] says), ask the domain whether the move is
//! allowed, then write the change, its workflow history and its audit entry in one transaction,
//! refusing a stale `row_version` ([`AppError::Stale`]).
//!
//! The web pages, the JSON API and the CLI call these operations; none of them decides a rule of
//! its own. A page that shows a button asks the same predicate the operation enforces (e.g.
//! [`jixiao_domain::ex_ante::may_start`], [`target::may_edit`]).
//!
//! One module per area:
//! - [`project`]: the project library (SPEC §3, §5): propose, edit, the library moves, the facts
//!   its gates read;
//! - [`ex_ante`]: ex-ante assessments (SPEC §5): start, score, submit and review, the report;
//! - [`target`]: performance targets (SPEC §6): start, fill in, the §6.3 checks, submit, review
//!   with a rating, adjust into a new version;
//! - [`review`]: what every reviewed document (SPEC §4) shares: the action input and the path of
//!   a review;
//! - [`monitoring`]: monitoring (SPEC §7): tasks and their drafts, the unit's report with its
//!   figures, submission, the review with the rubric, re-analysis;
//! - [`evaluation`]: evaluations (SPEC §8): self-evaluation rounds and their drafts, the form
//!   with its live score, submission, the review with reductions, and the result application
//!   (SPEC §10) an approval gives;
//! - [`rectification`]: rectification notices (SPEC §10), shared by every source: drafted from
//!   red warnings, edited and issued by finance, answered with evidence, closed or reopened.
//!
//! Where the areas that come next belong, each as its own module beside these: department and finance
//! evaluations and verification in [`evaluation`], `agency` (§9: the agency register and engagements), `assessment` (§11: the annual assessment
//! of units), `disclosure` and `feedback` (§12). The indicator library, deadlines, users and the
//! import orchestration move here from the web and import crates as they are reworked.

pub mod actor;
pub mod agency;
pub mod assessment;
pub mod department_evaluation;
pub mod disclosure;
pub mod error;
pub mod evaluation;
pub mod ex_ante;
pub mod feedback;
mod input;
pub mod monitoring;
pub mod project;
pub mod rectification;
pub mod region_assessment;
pub mod regions;
pub mod report;
pub mod review;
pub mod target;
pub mod verification;

pub use actor::{Actor, User, hidden, scope_of};
pub use error::{AppError, FieldProblem};

/// The year new documents default to: the current calendar year.
pub fn default_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}
