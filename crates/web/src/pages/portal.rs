//! The public portal (SPEC §12): published material only, no login, usable on a phone.

use super::show::score;
use crate::AppState;
use crate::error::WebError;
use crate::pages::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use jixiao_domain::Fen;
use jixiao_domain::grade::Grade;

type EvaluationRow = (i32, String, i64, String, String, String, String);

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    region: String,
    rows: Vec<(i32, String, String, String, i64)>,
    evaluations: Vec<EvaluationRow>,
}

fn grade(code: Option<&str>) -> String {
    code.and_then(Grade::parse)
        .map(|g| g.label().to_string())
        .unwrap_or_default()
}

/// The region the portal shows: the deployment's county (the first region holding units).
async fn region(state: &AppState) -> Result<Option<jixiao_store::regions::Region>, WebError> {
    Ok(jixiao_store::report::regions_with_data(&state.store)
        .await?
        .into_iter()
        .next())
}

pub async fn page(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let Some(region) = region(&state).await? else {
        return render(&PortalPage {
            region: String::new(),
            rows: vec![],
            evaluations: vec![],
        });
    };
    let rows = jixiao_store::browse::published_projects(&state.store, &region.code, None)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.fiscal_year,
                p.unit_name,
                p.name,
                Fen(p.total_fen).wan_2dp(),
                p.indicators,
            )
        })
        .collect();
    let evaluations = jixiao_store::browse::published_evaluations(&state.store, &region.code)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.fiscal_year,
                e.unit_name,
                e.id,
                e.title,
                Fen(e.executed_fen).wan_2dp(),
                score(e.total_x100),
                grade(e.grade.as_deref()),
            )
        })
        .collect();
    render(&PortalPage {
        region: region.name,
        rows,
        evaluations,
    })
}

#[derive(Template)]
#[template(path = "portal_evaluation.html")]
struct EvaluationPage {
    region: String,
    title: String,
    unit: String,
    year: i32,
    executed: String,
    score: String,
    grade: String,
    indicators: Vec<(String, String, String, String, String, String, String)>,
}

/// One published evaluation with its indicators' target, actual and score. Anything not
/// published is "not found", whether or not it exists.
pub async fn evaluation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let not_found = || WebError::NotFound("公开信息".into());
    let region = region(&state).await?.ok_or_else(not_found)?;
    let e = jixiao_store::browse::published_evaluation(&state.store, &region.code, id)
        .await?
        .ok_or_else(not_found)?;
    let indicators = jixiao_store::evaluations::indicators(&state.store, e.id)
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
                score(i.weight_x100),
                score(i.score_x100),
            )
        })
        .collect();
    render(&EvaluationPage {
        region: region.name,
        title: e.title,
        unit: e.unit_name,
        year: e.fiscal_year,
        executed: Fen(e.executed_fen).wan_2dp(),
        score: score(e.total_x100),
        grade: grade(e.grade.as_deref()),
        indicators,
    })
}
