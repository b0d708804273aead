//! 第三方机构 and their engagements on the web and the JSON API (SPEC §9): registration, status,
//! engagement for key evaluations, the evaluator's 回避声明 and the quality rating. Every
//! decision is `jixiao_app::agency`'s.

mod agencies;
mod api;
mod engagement;
pub use self::agencies::*;
pub use self::api::*;
pub use self::engagement::*;

use super::api_flows::Body;
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
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
use axum::routing::{get, post};
use jixiao_app::agency::{self as flow, AgencyInput, EngagementInput, RatingInput, StatusInput};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths};
use jixiao_domain::grade::Grade;
use jixiao_domain::types::{AgencyStatus, AgencyType, Role};
use jixiao_domain::workflow::DocState;
use serde::Deserialize;
use serde_json::{Value, json};

/// Who reads agencies and engagements: the region's readers, and an agency's evaluators (their
/// own agency; `jixiao_app::agency` checks which).
const READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::Viewer,
    Role::Sysadmin,
    Role::Evaluator,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    let admin: &'static [Role] = &[Role::FinanceAdmin];
    reg.add(
        Method::GET,
        "/agencies/new",
        Access::Roles(admin),
        get(new_page),
    )
    .add(
        Method::POST,
        "/agencies",
        Access::Roles(admin),
        post(create),
    )
    .add(
        Method::GET,
        "/agencies/{id}",
        Access::Roles(READERS),
        get(show),
    )
    .add(
        Method::POST,
        "/agencies/{id}/status",
        Access::Roles(admin),
        post(status),
    )
    .add(
        Method::POST,
        "/agencies/{id}/engagements",
        Access::Roles(admin),
        post(engage),
    )
    .add(
        Method::GET,
        "/engagements/{id}",
        Access::Roles(READERS),
        get(engagement_page),
    )
    .add(
        Method::POST,
        "/engagements/{id}/declaration",
        Access::Roles(&[Role::Evaluator]),
        post(declare),
    )
    .add(
        Method::POST,
        "/engagements/{id}/rating",
        Access::Roles(admin),
        post(rate),
    )
    .add(
        Method::POST,
        "/engagements/{id}/deliverables",
        Access::Roles(&[Role::FinanceAdmin, Role::Evaluator]),
        post(upload_deliverable),
    )
    .add(
        Method::GET,
        "/engagements/{id}/files/{att}",
        Access::Roles(READERS),
        get(download_deliverable),
    )
    .add(
        Method::POST,
        "/api/v1/engagements/{id}/deliverables",
        Access::AnyUser,
        post(api_deliverable),
    )
    .add(
        Method::POST,
        "/api/v1/agencies",
        Access::AnyUser,
        post(api_create),
    )
    .add(
        Method::GET,
        "/api/v1/agencies/{id}",
        Access::Roles(READERS),
        get(api_agency),
    )
    .add(
        Method::POST,
        "/api/v1/agencies/{id}/status",
        Access::AnyUser,
        post(api_status),
    )
    .add(
        Method::POST,
        "/api/v1/engagements",
        Access::AnyUser,
        post(api_engage),
    )
    .add(
        Method::GET,
        "/api/v1/engagements/{id}",
        Access::Roles(READERS),
        get(api_engagement),
    )
    .add(
        Method::POST,
        "/api/v1/engagements/{id}/declaration",
        Access::AnyUser,
        post(api_declare),
    )
    .add(
        Method::POST,
        "/api/v1/engagements/{id}/rating",
        Access::AnyUser,
        post(api_rate),
    )
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}
