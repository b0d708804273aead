//! The JSON API of the annual assessment.

use super::*;

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<axum::Json<flow::Overview>, WebError> {
    Ok(axum::Json(
        flow::overview(&actor(&state, &user, ""), year).await?,
    ))
}

pub async fn api_open(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<OpenInput>,
) -> Result<Response, WebError> {
    let year = flow::open(&actor(&state, &user, &ip.0), &input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"fiscal_year": year})),
    )
        .into_response())
}

pub async fn api_rubric(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<RubricInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::set_rubric(&a, year, &input).await?;
    Ok(axum::Json(json!(flow::overview(&a, year).await?.rubric)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ManualBody {
    entries: Vec<ManualEntry>,
}

pub async fn api_manual(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<ManualBody>,
) -> Result<axum::Json<Value>, WebError> {
    let n = flow::set_manual(&actor(&state, &user, &ip.0), year, &input.entries).await?;
    Ok(axum::Json(json!({"changed": n})))
}

pub async fn api_adjust(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path((year, unit)): Path<(i32, i64)>,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<AdjustInput>,
) -> Result<axum::Json<flow::Sheet>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::adjust(&a, year, unit, &input).await?;
    Ok(axum::Json(flow::sheet(&a, year, unit).await?))
}

pub async fn api_finalize(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    crate::pages::api_flows::Body(input): crate::pages::api_flows::Body<FinalizeInput>,
) -> Result<axum::Json<flow::Finalized>, WebError> {
    Ok(axum::Json(
        flow::finalize(&actor(&state, &user, &ip.0), year, &input).await?,
    ))
}

pub async fn api_sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((year, unit)): Path<(i32, i64)>,
) -> Result<axum::Json<flow::Sheet>, WebError> {
    Ok(axum::Json(
        flow::sheet(&actor(&state, &user, ""), year, unit).await?,
    ))
}

pub async fn api_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((year, unit, measure)): Path<(i32, i64, String)>,
) -> Result<axum::Json<Value>, WebError> {
    let (m, rows) = flow::counted(&actor(&state, &user, ""), year, unit, &measure).await?;
    Ok(axum::Json(json!({
        "measure": m,
        "label": m.label(),
        "done": rows.iter().filter(|r| r.done).count(),
        "total": rows.len(),
        "records": rows,
    })))
}
