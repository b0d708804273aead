//! The JSON API of monitoring (tasks, reports, analysis).

use super::*;

// ---------------------------------------------------------------------------------------------
// API

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn api_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<axum::Json<Value>, WebError> {
    let year = match q.year {
        Some(y) => y,
        None => {
            jixiao_store::years::of_region(&state.store, &user.region)
                .await?
                .current
        }
    };
    let tasks = store::tasks(&state.store, &user.region, year).await?;
    Ok(axum::Json(json!({"year": year, "tasks": tasks})))
}

pub async fn api_issue(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<TaskInput>,
) -> Result<(StatusCode, axum::Json<flow::TaskIssued>), WebError> {
    let t = flow::issue_task(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(t)))
}

pub async fn api_task(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    let units = flow::progress_units(&a).await?;
    let progress = store::progress(&state.store, &t, units.as_deref()).await?;
    let scope = a.scope().await?;
    let warnings =
        jixiao_store::browse::task_warnings(&state.store, &user.region, &scope, id).await?;
    Ok(axum::Json(
        json!({"task": t, "progress": progress, "warnings": warnings}),
    ))
}

pub async fn api_reanalyse(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let (n, drafted) = flow::reanalyse(&actor(&state, &user, &ip.0), id).await?;
    Ok(axum::Json(
        json!({"analysed": n, "notices_drafted": drafted}),
    ))
}

#[derive(Serialize)]
pub struct AnalysisJson {
    execution_rate: String,
    completion_estimate: Option<String>,
    completion_rate: Option<String>,
    deviation: Option<String>,
    scheduled_rate: Option<String>,
    indicator_completions: Vec<Option<String>>,
    warnings: Vec<Value>,
    findings: Vec<Value>,
}

pub(super) fn analysis_json(a: &Analysis) -> AnalysisJson {
    let pc = |v: rust_decimal::Decimal| fixed2(v);
    AnalysisJson {
        execution_rate: pc(a.execution_rate),
        completion_estimate: a.completion_estimate.map(pc),
        completion_rate: a.completion_rate.map(pc),
        deviation: a.deviation.map(pc),
        scheduled_rate: a.scheduled_rate.map(pc),
        indicator_completions: a
            .indicator_completions
            .iter()
            .map(|c| c.map(|c| pc(c * rust_decimal::Decimal::ONE_HUNDRED)))
            .collect(),
        warnings: a
            .warnings
            .iter()
            .map(|w| json!({"kind": w.kind.code(), "level": w.level.code(), "message": w.message}))
            .collect(),
        findings: a
            .findings
            .iter()
            .map(|f| {
                json!({"error": f.severity == Severity::Error, "indicator": f.indicator,
                "message": f.message})
            })
            .collect(),
    }
}

pub async fn api_report(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let r = flow::visible(&a, id).await?;
    let rows = store::indicators(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let analysis =
        flow::stored_analysis(&settings.monitoring, &r, &rows).map(|a| analysis_json(&a));
    let warnings = jixiao_store::browse::report_warnings(&state.store, id).await?;
    let history: Vec<Value> = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(|h| {
            json!({"from_state": h.from_state, "to_state": h.to_state, "action": h.action,
                "actor_name": h.actor_name, "opinion": h.opinion, "at": h.at.to_rfc3339()})
        })
        .collect();
    Ok(axum::Json(json!({
        "report": r, "indicators": rows, "analysis": analysis,
        "warnings": warnings.iter().map(|w| json!({"kind": w.kind, "level": w.level,
            "message": w.message, "rectification_state": w.rectification_state})).collect::<Vec<_>>(),
        "may_edit": flow::may_edit(&a, &r).await?,
        "history": history,
    })))
}

pub async fn api_save(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<ReportInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let analysis = flow::save(&a, id, input.row_version()?, &input.body).await?;
    let r = flow::visible(&a, id).await?;
    Ok(axum::Json(json!({
        "analysis": analysis_json(&analysis),
        "row_version": r.row_version,
    })))
}

pub async fn api_check(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<ReportInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    Ok(axum::Json(match flow::check(&a, id, &input).await? {
        Ok(an) => json!({"analysis": analysis_json(&an), "problems": []}),
        Err(p) => json!({"analysis": null, "problems": p.iter().map(|p| json!({"field": p.field,
            "message": p.message})).collect::<Vec<_>>()}),
    }))
}

pub async fn api_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<ReportAction>,
) -> Result<axum::Json<flow::ReportOutcome>, WebError> {
    let a = actor(&state, &user, &ip.0);
    Ok(axum::Json(flow::act(&a, id, &input).await?))
}
