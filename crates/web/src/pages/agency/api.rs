//! The JSON API of agencies and engagements.

use super::*;

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_create(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<AgencyInput>,
) -> Result<Response, WebError> {
    let id = flow::register(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
}

pub async fn api_agency(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = flow::visible(&actor(&state, &user, ""), id).await?;
    let engagements =
        jixiao_store::agencies::engagements_of(&state.store, &user.region, id).await?;
    Ok(axum::Json(json!({"agency": a, "engagements": engagements})))
}

pub async fn api_status(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<StatusInput>,
) -> Result<axum::Json<Value>, WebError> {
    flow::set_status(&actor(&state, &user, &ip.0), id, &input).await?;
    Ok(axum::Json(json!({"ok": true})))
}

pub async fn api_engage(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<EngagementInput>,
) -> Result<Response, WebError> {
    let g = flow::engage(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(g)).into_response())
}

pub async fn api_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let g = flow::engagement(&actor(&state, &user, ""), id).await?;
    let evaluations = jixiao_store::agencies::engagement_evaluations(&state.store, id).await?;
    Ok(axum::Json(
        json!({"engagement": g, "evaluations": evaluations.iter().map(|e| json!({
        "id": e.0, "title": e.1, "unit_name": e.2, "state": e.3, "total_x100": e.4})).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclarationInput {
    statement: String,
}

pub async fn api_declare(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<DeclarationInput>,
) -> Result<axum::Json<Value>, WebError> {
    flow::declare(&actor(&state, &user, &ip.0), id, &input.statement).await?;
    Ok(axum::Json(json!({"ok": true})))
}

pub async fn api_rate(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<RatingInput>,
) -> Result<axum::Json<flow::Rated>, WebError> {
    Ok(axum::Json(
        flow::rate(&actor(&state, &user, &ip.0), id, &input).await?,
    ))
}

/// Uploads a deliverable (multipart: `which`, `file`; CSRF token in `?csrf=`).
pub async fn upload_deliverable(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::engagement(&a, id).await?;
    let result = async {
        let (fields, name, bytes) = crate::pages::read_upload(multipart, "评价成果").await?;
        let which = fields
            .iter()
            .find(|(k, _)| k == "which")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        Ok::<_, WebError>(flow::attach_deliverable(&a, id, which, &name, &bytes).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/engagements/{id}?done=delivered"))),
        Err(e) if is_user_error(&e) => {
            let html = engagement_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn download_deliverable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, att)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    flow::engagement(&actor(&state, &user, ""), id).await?;
    match jixiao_store::attachments::get(&state.store, &user.region, att).await? {
        Some(f) if f.owner_kind.starts_with("engagement_") && f.owner_id == id => {
            Ok(crate::pages::send_file(f))
        }
        _ => Err(WebError::NotFound("评价成果".into())),
    }
}

/// `POST /api/v1/engagements/{id}/deliverables` (multipart: `which`, `file`).
pub async fn api_deliverable(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let (fields, name, bytes) = crate::pages::read_upload(multipart, "评价成果").await?;
    let which = fields
        .iter()
        .find(|(k, _)| k == "which")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let att =
        flow::attach_deliverable(&actor(&state, &user, &ip.0), id, &which, &name, &bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": att}))).into_response())
}
