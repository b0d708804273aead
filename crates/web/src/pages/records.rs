//! Detail pages of evaluations and monitoring reports, scoped like the lists: out of scope and
//! absent look the same to a scoped user.

use super::show::{percent_or_dash, score_or_dash};
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
use jixiao_domain::monitoring::{Likelihood, WarningKind, WarningLevel};
use jixiao_domain::types::EvaluationKind;
use jixiao_domain::workflow::RectificationState;
use jixiao_store::browse;

/// A row of cells as shown, in column order.
type Cells8 = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);
type Cells7 = (String, String, String, String, String, String, String);

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
    indicators: Vec<Cells8>,
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
            // A quantitative value is shown with its unit of measure (≥230人, 230人).
            let (target, actual) = if i.sign == "定性" {
                (i.target_value, i.actual_value)
            } else {
                let with_unit = |v: String| {
                    if v.is_empty() {
                        v
                    } else {
                        format!("{v}{}", i.unit_of_measure)
                    }
                };
                (
                    format!("{}{}", i.sign, with_unit(i.target_value)),
                    with_unit(i.actual_value),
                )
            };
            (
                i.level1,
                i.level2,
                i.name,
                target,
                actual,
                score_or_dash(i.weight_x100),
                score_or_dash(i.score_x100),
                i.deviation_reason,
            )
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

#[derive(Template)]
#[template(path = "monitoring_report.html")]
struct ReportPage {
    layout: Layout,
    r: browse::MonitoringListRow,
    rate: String,
    completion: String,
    deviation: String,
    review: String,
    warnings: Vec<(String, String, String, String)>,
    indicators: Vec<Cells7>,
}

pub async fn monitoring_report(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let scope = scope(&state, &user).await?;
    let r = browse::monitoring_report(&state.store, &user.region, &scope, id)
        .await?
        .ok_or_else(|| jixiao_app::hidden(&scope, "监控报告"))?;
    let warnings = browse::report_warnings(&state.store, id)
        .await?
        .into_iter()
        .map(|w| {
            (
                w.level.clone(),
                format!(
                    "{}·{}",
                    WarningLevel::parse(&w.level).map_or(w.level.as_str(), |l| l.label()),
                    WarningKind::parse(&w.kind).map_or(w.kind.as_str(), |k| k.label())
                ),
                w.message,
                w.rectification_state
                    .as_deref()
                    .map(|s| {
                        RectificationState::parse(s)
                            .map_or(s, |s| s.label())
                            .to_string()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect();
    let indicators = browse::monitoring_indicators(&state.store, id)
        .await?
        .into_iter()
        .map(|i| {
            let target = if i.sign == "定性" {
                i.target_value
            } else {
                format!("{}{}{}", i.sign, i.target_value, i.unit_of_measure)
            };
            (
                i.level1,
                i.name,
                target,
                i.to_date_value,
                Likelihood::parse(&i.likelihood)
                    .map_or(i.likelihood.clone(), |l| l.label().to_string()),
                score_or_dash(i.completion_x100),
                i.deviation_text,
            )
        })
        .collect();
    let region = region_name(&state, &user.region).await?;
    render(&ReportPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/monitoring"),
        rate: percent_or_dash(r.execution_rate_x100),
        completion: percent_or_dash(r.reported_completion_x100),
        deviation: score_or_dash(r.deviation_x100),
        review: score_or_dash(r.review_score_x100),
        warnings,
        indicators,
        r,
    })
}
