//! The annual summary report (SPEC §13) in the browser and as .docx.

use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use jixiao_domain::report::annual;

#[derive(Template)]
#[template(path = "reports.html")]
struct IndexPage {
    layout: Layout,
    years: Vec<i32>,
}

pub async fn index(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    // The years of the data and the years after them (an evaluation of year Y is conducted in
    // Y + 1 and belongs to that year's report).
    let data = jixiao_store::years::of_region(&state.store, &user.region).await?;
    let mut candidates: Vec<i32> = data.all.iter().flat_map(|y| [y + 1, *y]).collect();
    candidates.sort_unstable_by(|a, b| b.cmp(a));
    candidates.dedup();
    let mut years = Vec::new();
    for year in candidates {
        if jixiao_store::report::has_year(&state.store, &user.region, year).await? {
            years.push(year);
        }
    }
    let region = region_name(&state, &user.region).await?;
    render(&IndexPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/reports"),
        years,
    })
}

/// A year from the URL; anything else is "no such report" rather than a parse error.
fn year_of(text: &str) -> Result<i32, WebError> {
    jixiao_domain::types::FiscalYear::parse(text)
        .map(|y| y.get())
        .map_err(|_| WebError::NotFound(format!("“{text}”年度的报告")))
}

async fn document(
    state: &AppState,
    region: &str,
    year: i32,
) -> Result<jixiao_domain::report::Document, WebError> {
    if !jixiao_store::report::has_year(&state.store, region, year).await? {
        return Err(WebError::NotFound(format!("{year} 年度的数据")));
    }
    let figures = jixiao_store::report::annual_figures(&state.store, region, year).await?;
    let narrative = jixiao_store::narratives::for_year(&state.store, region, year).await?;
    Ok(annual::compose(&figures, &narrative))
}

pub async fn annual_html(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<Html<String>, WebError> {
    let year = year_of(&year)?;
    let doc = document(&state, &user.region, year).await?;
    Ok(Html(jixiao_forms::render::to_html(&doc)))
}

pub async fn annual_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<Response, WebError> {
    let year = year_of(&year)?;
    let doc = document(&state, &user.region, year).await?;
    let bytes =
        jixiao_forms::render::to_docx(&doc).map_err(|e| WebError::Internal(e.to_string()))?;
    let file = format!("annual-report-{}-{year}.docx", user.region);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}
