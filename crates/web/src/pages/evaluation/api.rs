//! The JSON API of self-evaluation (rounds, evaluations, actions).

use super::*;

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_rounds(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    if matches!(
        a.scope().await?,
        jixiao_store::browse::Scope::Agency(_) | jixiao_store::browse::Scope::Nothing
    ) {
        return Err(WebError::Forbidden);
    }
    let rounds = store::rounds(&state.store, &user.region).await?;
    Ok(axum::Json(json!({"rounds": rounds})))
}

pub async fn api_open_round(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<RoundInput>,
) -> Result<(StatusCode, axum::Json<flow::RoundOpened>), WebError> {
    let o = flow::open_round(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(o)))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn api_round(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    let round = flow::round(&a, id).await?;
    let units = flow::progress_units(&a).await?;
    let progress = store::progress(&state.store, &round, units.as_deref()).await?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let offset = q.offset.unwrap_or(0).max(0);
    let rows = store::round_rows(&state.store, id, units.as_deref(), limit, offset).await?;
    Ok(axum::Json(json!({
        "round": round, "progress": progress, "evaluations": rows,
        "limit": limit, "offset": offset,
    })))
}

#[derive(Serialize)]
pub struct ScoreJson {
    execution_rate: Option<String>,
    execution_score: Option<String>,
    total: Option<String>,
    grade: Option<String>,
    indicators: Vec<Value>,
    findings: Vec<Value>,
}

pub(super) fn score_json(s: &SelfEvaluationScore, explanations: &[String]) -> ScoreJson {
    ScoreJson {
        execution_rate: s.execution.as_ref().and_then(|e| e.rate).map(fixed2),
        execution_score: s.execution.as_ref().map(|e| fixed2(e.score)),
        total: s.total.map(fixed2),
        grade: s.grade.map(|g| g.code().to_string()),
        indicators: s
            .indicators
            .iter()
            .zip(explanations)
            .map(|(i, e)| {
                json!({"score": i.score.map(fixed2), "met": i.met, "over_achieved": i.over_achieved,
                "needs_explanation": i.needs_explanation, "rule": e})
            })
            .collect(),
        findings: s
            .findings
            .iter()
            .map(|f| {
                json!({"error": f.severity == Severity::Error, "indicator": f.indicator,
                "message": f.message})
            })
            .collect(),
    }
}

pub async fn api_evaluation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    let r = flow::visible(&a, id).await?;
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let score = if matches!(r.kind.as_str(), "department" | "finance") {
        crate::pages::department_evaluation::stored_score_json(&settings, &r, &rows)
    } else {
        flow::stored_score(&settings, &r, &rows).map(|(s, e)| json!(score_json(&s, &e)))
    };
    let history: Vec<Value> = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(|h| {
            json!({"from_state": h.from_state, "to_state": h.to_state, "action": h.action,
                "actor_name": h.actor_name, "opinion": h.opinion, "at": h.at.to_rfc3339()})
        })
        .collect();
    let recommendation = store::recommendation_of(&state.store, id).await?;
    Ok(axum::Json(json!({
        "evaluation": r, "indicators": rows, "score": score,
        "may_edit": flow::may_edit(&a, &r).await?,
        "recommendation": recommendation,
        "history": history,
    })))
}

pub async fn api_save(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<FormInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::save(&a, id, input.row_version()?, &input.body).await?;
    let r = flow::visible(&a, id).await?;
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let score = flow::stored_score(&settings, &r, &rows).map(|(s, e)| score_json(&s, &e));
    Ok(axum::Json(
        json!({"score": score, "row_version": r.row_version}),
    ))
}

pub async fn api_check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Body(input): Body<FormInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    Ok(axum::Json(match flow::check(&a, id, &input).await? {
        Ok((s, e)) => json!({"score": score_json(&s, &e), "problems": []}),
        Err(p) => json!({"score": null, "problems": p.iter().map(|p| json!({"field": p.field,
            "message": p.message})).collect::<Vec<_>>()}),
    }))
}

pub async fn api_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<EvaluationAction>,
) -> Result<axum::Json<flow::EvaluationOutcome>, WebError> {
    let o = flow::act(&actor(&state, &user, &ip.0), id, &input).await?;
    Ok(axum::Json(o))
}
