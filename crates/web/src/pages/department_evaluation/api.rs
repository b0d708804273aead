//! The JSON API of department and finance evaluations, and the signed report.

use super::*;

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<axum::Json<flow::Plan>, WebError> {
    let page = q.page.unwrap_or(0);
    if !(0..=1_000_000).contains(&page) {
        return Err(WebError::BadRequest(vec![(
            "page".into(),
            "须在 0 到 1000000 之间".into(),
        )]));
    }
    let a = actor(&state, &user, "");
    Ok(axum::Json(
        flow::plan(&a, q.year.unwrap_or_else(default_year), PAGE, page * PAGE).await?,
    ))
}

pub async fn api_choose(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<ChooseInput>,
) -> Result<Response, WebError> {
    let ids = flow::choose(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"ids": ids}))).into_response())
}

pub(super) fn score_json(s: &FrameworkScore) -> Value {
    json!({
        "total": s.total.map(fixed2),
        "grade": s.grade.map(|g| g.code()),
        "groups": s.groups.iter().map(|g| json!({"level1": g.0, "weight": trim(g.1), "score": fixed2(g.2)})).collect::<Vec<_>>(),
        "items": s.items.iter().map(|i| json!({"score": i.score.map(fixed2), "rule": i.rule})).collect::<Vec<_>>(),
        "findings": s.findings,
    })
}

/// The score JSON of a stored department evaluation (for `GET /api/v1/evaluations/{id}`).
pub fn stored_score_json(
    settings: &jixiao_domain::settings::Settings,
    r: &Record,
    rows: &[store::Row],
) -> Option<Value> {
    flow::stored_score(settings, r, rows).map(|s| score_json(&s))
}

pub async fn api_save(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<FormInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let s = flow::save(&a, id, input.row_version()?, &input.body).await?;
    let r = evaluation_flow::visible(&a, id).await?;
    Ok(axum::Json(
        json!({"score": score_json(&s), "row_version": r.row_version}),
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
        Ok(s) => json!({"score": score_json(&s), "problems": []}),
        Err(p) => json!({"score": null, "problems": p.iter().map(|p| json!({"field": p.field,
            "message": p.message})).collect::<Vec<_>>()}),
    }))
}

/// Uploads the signed evaluation report (multipart: `file`; CSRF token in `?csrf=`).
pub async fn upload_signed_report(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    let r = evaluation_flow::visible(&a, id).await?;
    let result = async {
        let (_, name, bytes) = crate::pages::read_upload(multipart, "评价报告").await?;
        Ok::<_, WebError>(flow::attach_signed_report(&a, id, &name, &bytes).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/evaluations/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html =
                evaluation_view(&state, &session, &user, r, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A file of an evaluation (its signed report), for whoever may read the evaluation.
pub async fn download_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, att)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    evaluation_flow::visible(&a, id).await?;
    match jixiao_store::attachments::get(&state.store, &user.region, att).await? {
        Some(f) if f.owner_kind == flow::SIGNED_REPORT && f.owner_id == id => {
            Ok(crate::pages::send_file(f))
        }
        _ => Err(WebError::NotFound("评价报告".into())),
    }
}

/// `POST /api/v1/evaluations/{id}/signed-report` (multipart: `file`).
pub async fn api_signed_report(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let (_, name, bytes) = crate::pages::read_upload(multipart, "评价报告").await?;
    let att = flow::attach_signed_report(&actor(&state, &user, &ip.0), id, &name, &bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": att}))).into_response())
}
