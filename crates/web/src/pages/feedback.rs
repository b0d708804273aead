//! 群众意见审核 (SPEC §12): the comments the public left on published projects wait for the
//! unit or the finance office. Every decision is `jixiao_app::feedback`'s.

use super::project_flow::{Pairs, field, pairs_of};
use crate::access::{Access, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{Html, Response};
use axum::routing::{get, post};
use jixiao_app::feedback as flow;
use jixiao_domain::types::Role;
use serde::Deserialize;
use serde_json::{Value, json};

const MODERATORS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/feedback",
        Access::Roles(MODERATORS),
        get(page),
    )
    .add(
        Method::POST,
        "/feedback/{id}",
        Access::Roles(MODERATORS),
        post(moderate),
    )
    .add(
        Method::GET,
        "/api/v1/feedback",
        Access::Roles(MODERATORS),
        get(api_pending),
    )
    .add(
        Method::POST,
        "/api/v1/feedback/{id}",
        Access::AnyUser,
        post(api_moderate),
    )
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    layout: Layout,
    rows: Vec<jixiao_store::feedback::Comment>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let rows = flow::pending(&actor(&state, &user, "")).await?;
    let region = region_name(&state, &user.region).await?;
    render(&FeedbackPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/feedback"),
        rows,
        message: q.done.map(|d| {
            if d == "approve" {
                "意见已公开。"
            } else {
                "意见不予公开。"
            }
            .to_string()
        }),
        errors: vec![],
    })
}

pub async fn moderate(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let approve = field(&pairs, "decision") == "approve";
    flow::moderate(&actor(&state, &user, &ip.0), id, approve).await?;
    Ok(see_other(&format!(
        "/feedback?done={}",
        if approve { "approve" } else { "hide" }
    )))
}

pub async fn api_pending(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<Vec<jixiao_store::feedback::Comment>>, WebError> {
    Ok(axum::Json(flow::pending(&actor(&state, &user, "")).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Decision {
    /// `approve` or `hide`.
    decision: String,
}

pub async fn api_moderate(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    super::api_flows::Body(d): super::api_flows::Body<Decision>,
) -> Result<axum::Json<Value>, WebError> {
    let approve = match d.decision.as_str() {
        "approve" => true,
        "hide" => false,
        _ => {
            return Err(WebError::BadRequest(vec![(
                "decision".into(),
                "应为 approve（公开）或 hide（不予公开）".into(),
            )]));
        }
    };
    flow::moderate(&actor(&state, &user, &ip.0), id, approve).await?;
    Ok(axum::Json(json!({"ok": true})))
}
