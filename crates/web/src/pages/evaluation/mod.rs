//! 绩效评价 on the web and the JSON API (SPEC §8): self-evaluation rounds opened by the finance
//! office with their per-unit progress, the self-evaluation form whose score builds while the
//! unit types (each row with the rule that gave its points), submission, and the review that may
//! reduce an over-achieved indicator's score. Every decision is `jixiao_app::evaluation`'s.

mod api;
mod form;
mod rounds;
mod xlsx;
pub use self::api::*;
pub use self::form::*;
pub use self::rounds::*;
pub use self::xlsx::*;

use super::api_flows::{Body, Versioned};
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use super::projects::{HistoryView, history_view};
use crate::access::{Access, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use jixiao_app::evaluation::{
    self as flow, EvaluationAction, FormInput, ReductionInput, RoundInput, RowInput,
};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths, trim};
use jixiao_domain::grade::Grade;
use jixiao_domain::result_application::Recommendation;
use jixiao_domain::scoring::{SelfEvaluationScore, Severity};
use jixiao_domain::types::Role;
use jixiao_domain::workflow::{DocAction, DocState};
use jixiao_store::self_evaluation::{self as store, Record, Row};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Who reads self-evaluation rounds: the region's finance and leaders, and the units (their
/// own rows). Agencies' evaluators and the system administrator have no part in them.
const ROUND_READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
    Role::Viewer,
];

/// Who downloads a round's workbook: finance (the whole round) and the units (their own forms).
const WORKBOOK_ROLES: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/evaluations/rounds",
        Access::Roles(ROUND_READERS),
        get(rounds_page),
    )
    .add(
        Method::POST,
        "/evaluations/rounds",
        Access::Roles(&[Role::FinanceAdmin]),
        post(open_round),
    )
    .add(
        Method::GET,
        "/evaluations/rounds/{id}",
        Access::Roles(ROUND_READERS),
        get(round_page),
    )
    .add(
        Method::GET,
        "/evaluations/{id}",
        Access::AnyUser,
        get(evaluation_page),
    )
    .add(
        Method::POST,
        "/evaluations/{id}",
        Access::AnyUser,
        post(save),
    )
    .add(
        Method::POST,
        "/evaluations/{id}/check",
        Access::AnyUser,
        post(check),
    )
    .add(
        Method::POST,
        "/evaluations/{id}/action",
        Access::AnyUser,
        post(action),
    )
    .add(
        Method::GET,
        "/api/v1/evaluation-rounds",
        Access::Roles(ROUND_READERS),
        get(api_rounds),
    )
    .add(
        Method::POST,
        "/api/v1/evaluation-rounds",
        Access::AnyUser,
        post(api_open_round),
    )
    .add(
        Method::GET,
        "/api/v1/evaluation-rounds/{id}",
        Access::Roles(ROUND_READERS),
        get(api_round),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}",
        Access::AnyUser,
        get(api_evaluation),
    )
    .add(
        Method::PUT,
        "/api/v1/evaluations/{id}",
        Access::AnyUser,
        put(api_save),
    )
    .add(
        Method::POST,
        "/api/v1/evaluations/{id}/check",
        Access::AnyUser,
        post(api_check),
    )
    .add(
        Method::POST,
        "/api/v1/evaluations/{id}/actions",
        Access::AnyUser,
        post(api_action),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/form.xlsx",
        Access::AnyUser,
        get(form_xlsx),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}/form.xlsx",
        Access::AnyUser,
        get(form_xlsx),
    )
    .add(
        Method::GET,
        "/evaluations/rounds/{id}/workbook.xlsx",
        Access::Roles(WORKBOOK_ROLES),
        get(round_workbook),
    )
    .add(
        Method::GET,
        "/api/v1/evaluation-rounds/{id}/workbook.xlsx",
        Access::Roles(WORKBOOK_ROLES),
        get(round_workbook),
    )
}

fn score_text(x100: Option<i64>) -> String {
    x100.map(|v| fixed2(from_hundredths(v)))
        .unwrap_or_else(|| "—".into())
}

fn grade_label(code: Option<&str>) -> String {
    code.and_then(Grade::parse)
        .map_or("—".to_string(), |g| g.label().to_string())
}
