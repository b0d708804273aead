//! Detail pages of evaluations and monitoring reports, scoped like the lists: out of scope and
//! absent look the same to a scoped user.

use super::show::{percent_or_dash, score_or_dash, shown_values};
use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render, scope};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Html;
use jixiao_domain::Fen;
use jixiao_domain::grade::Grade;
use jixiao_domain::types::EvaluationKind;
use jixiao_store::browse;

/// An indicator row of an evaluation as shown: its levels, name, target and actual values,
/// weight, score and the reason for a deviation.
struct IndicatorRow {
    level1: String,
    level2: String,
    name: String,
    target: String,
    actual: String,
    weight: String,
    score: String,
    deviation_reason: String,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    e: browse::EvaluationListRow,
    kind: String,
    agency: String,
    budget: String,
    executed: String,
    rate: String,
    exec_score: String,
    total: String,
    grade: String,
    goal: String,
    actual: String,
    indicators: Vec<IndicatorRow>,
}

pub async fn evaluation(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let scope = scope(&state, &user).await?;
    let e = browse::evaluation(&state.store, &user.region, &scope, id)
        .await?
        .ok_or_else(|| jixiao_app::hidden(&scope, "评价"))?;
    let funds = browse::evaluation_funds(&state.store, id)
        .await?
        .ok_or_else(|| jixiao_app::hidden(&scope, "评价"))?;
    let indicators = jixiao_store::evaluations::indicators(&state.store, id)
        .await?
        .into_iter()
        .map(|i| {
            let (target, actual) =
                shown_values(&i.sign, i.target_value, i.actual_value, &i.unit_of_measure);
            IndicatorRow {
                level1: i.level1,
                level2: i.level2,
                name: i.name,
                target,
                actual,
                weight: score_or_dash(i.weight_x100),
                score: score_or_dash(i.score_x100),
                deviation_reason: i.deviation_reason,
            }
        })
        .collect();
    let region = region_name(&state, &user.region).await?;
    render(&EvaluationPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/evaluations"),
        kind: EvaluationKind::parse(&e.kind).map_or(e.kind.clone(), |k| k.label().to_string()),
        agency: e.agency.clone().unwrap_or_else(|| "—".into()),
        budget: Fen(funds.budget_fen).wan_2dp(),
        executed: Fen(funds.executed_fen).wan_2dp(),
        rate: percent_or_dash(funds.execution_rate_x100),
        exec_score: score_or_dash(funds.execution_score_x100),
        total: score_or_dash(e.total_x100),
        grade: e
            .grade
            .as_deref()
            .and_then(Grade::parse)
            .map_or("—".to_string(), |g| g.label().to_string()),
        goal: funds.overall_goal,
        actual: funds.overall_actual,
        indicators,
        e,
    })
}
