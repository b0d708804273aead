//! 部门评价 on the web and the JSON API (SPEC §8.1, §8.4): the department's choice of projects
//! with the live coverage, and the evaluation on the framework whose score builds as it is
//! filled. Submission and review are the evaluation actions (`/evaluations/{id}/action`).
//! Every decision is `jixiao_app::department_evaluation`'s.

mod api;
mod form;
mod plan;
pub use self::api::*;
pub use self::form::*;
pub use self::plan::*;

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
use jixiao_app::department_evaluation::{
    self as flow, ChooseInput, FormInput, ItemInput, UnitCoverage,
};
use jixiao_app::evaluation as evaluation_flow;
use jixiao_domain::Fen;
use jixiao_domain::coverage::Coverage;
use jixiao_domain::decimal::{fixed2, from_hundredths, trim};
use jixiao_domain::framework::{FrameworkScore, LEVEL1};
use jixiao_domain::result_application::Recommendation;
use jixiao_domain::types::Role;
use jixiao_domain::workflow::{DocAction, DocState};
use jixiao_store::self_evaluation::{self as store, Record};
use serde::Deserialize;
use serde_json::{Value, json};

const PLANNERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/evaluations/department",
        Access::Roles(PLANNERS),
        get(plan_page),
    )
    .add(
        Method::POST,
        "/evaluations/department",
        // The department chooses its projects; finance oversees the plan (SPEC §8.1).
        Access::Roles(Role::UNIT),
        post(choose),
    )
    .add(
        Method::POST,
        "/evaluations/department/coverage",
        Access::Roles(PLANNERS),
        post(coverage_partial),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/report.pdf",
        Access::AnyUser,
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/report.docx",
        Access::AnyUser,
        get(report_docx),
    )
    .add(
        Method::POST,
        "/evaluations/{id}/signed-report",
        Access::AnyUser,
        post(upload_signed_report),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/files/{att}",
        Access::AnyUser,
        get(download_file),
    )
    .add(
        Method::POST,
        "/api/v1/evaluations/{id}/signed-report",
        Access::AnyUser,
        post(api_signed_report),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}/report.docx",
        Access::AnyUser,
        get(report_docx),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}/report.pdf",
        Access::AnyUser,
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/api/v1/department-evaluations",
        Access::Roles(PLANNERS),
        get(api_plan),
    )
    .add(
        Method::POST,
        "/api/v1/department-evaluations",
        Access::AnyUser,
        post(api_choose),
    )
    .add(
        Method::PUT,
        "/api/v1/department-evaluations/{id}",
        Access::AnyUser,
        put(api_save),
    )
    .add(
        Method::POST,
        "/api/v1/department-evaluations/{id}/check",
        Access::AnyUser,
        post(api_check),
    )
}

const PAGE: i64 = 200;
