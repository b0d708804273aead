//! The document workflows of SPEC §3–§6 over the JSON API: project library, ex-ante assessment
//! and targets. Every handler is a thin wrapper around the operations of `jixiao_app`, which check input,
//! scope, roles and the workflow tables; refusals come back as the Chinese JSON errors of
//! `WebError`.

use crate::access::{Access, Registry};
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::{AppState, ClientIp};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post, put};
use jixiao_app::Actor;
use jixiao_app::ex_ante::{self as xa_app, ExAnteSheetInput, NewExAnteInput};
use jixiao_app::project::{self, ProjectInput};
use jixiao_app::review::ActionInput;
use jixiao_app::target::{self as target_app, NewTargetInput, TargetInput};
use jixiao_domain::workflow::{self, ProjectAction, ProjectState};
use jixiao_store::{ex_ante as xa, history, targets};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Registers the workflow endpoints. Each row is `Access::AnyUser`: the flows check roles and
/// scope themselves (a wrong role is a 409 with the workflow's message, a record outside the
/// user's scope a 403).
pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::POST,
        "/api/v1/projects",
        Access::AnyUser,
        post(create_project),
    )
    .add(
        Method::PUT,
        "/api/v1/projects/{id}",
        Access::AnyUser,
        put(update_project),
    )
    .add(
        Method::POST,
        "/api/v1/projects/{id}/actions",
        Access::AnyUser,
        post(project_action),
    )
    .add(
        Method::GET,
        "/api/v1/projects/{id}/facts",
        Access::AnyUser,
        get(project_facts),
    )
    .add(
        Method::POST,
        "/api/v1/ex-ante",
        Access::AnyUser,
        post(create_ex_ante),
    )
    .add(
        Method::GET,
        "/api/v1/ex-ante/{id}",
        Access::AnyUser,
        get(ex_ante),
    )
    .add(
        Method::PUT,
        "/api/v1/ex-ante/{id}",
        Access::AnyUser,
        put(save_ex_ante),
    )
    .add(
        Method::POST,
        "/api/v1/ex-ante/{id}/actions",
        Access::AnyUser,
        post(ex_ante_action),
    )
    .add(
        Method::POST,
        "/api/v1/targets",
        Access::AnyUser,
        post(create_target),
    )
    .add(
        Method::GET,
        "/api/v1/targets/{id}",
        Access::AnyUser,
        get(target),
    )
    .add(
        Method::PUT,
        "/api/v1/targets/{id}",
        Access::AnyUser,
        put(save_target),
    )
    .add(
        Method::POST,
        "/api/v1/targets/{id}/actions",
        Access::AnyUser,
        post(target_action),
    )
}

/// A JSON body whose rejection is a Chinese 422, never axum's English text.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(json_refusal(&e)),
        }
    }
}

fn json_refusal(e: &JsonRejection) -> WebError {
    let whole = |m: &str| WebError::BadRequest(vec![(String::new(), m.to_string())]);
    match e {
        JsonRejection::MissingJsonContentType(_) => {
            whole("请求体应为 JSON，并带有 Content-Type: application/json")
        }
        JsonRejection::JsonSyntaxError(_) => whole("请求体不是有效的 JSON"),
        JsonRejection::JsonDataError(d) => {
            // "Failed to deserialize …: <path>: <serde message>": keep only the field path.
            let text = d.body_text();
            let path = text
                .split_once("target type: ")
                .and_then(|(_, rest)| rest.split_once(": "))
                .map(|(p, _)| p.to_string())
                .filter(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
                });
            match path {
                Some(p) => WebError::BadRequest(vec![(
                    p,
                    "类型不正确（例如数字字段应填写数字，文字字段应加引号）".into(),
                )]),
                None => whole("请求体的字段类型不正确，或缺少必需的字段"),
            }
        }
        _ => whole("无法读取请求体"),
    }
}

fn actor<'a>(state: &'a AppState, user: &'a CurrentUser, ip: &'a ClientIp) -> Actor<'a> {
    crate::pages::actor(state, user, &ip.0)
}

#[derive(Serialize)]
pub struct Created {
    id: i64,
}

fn created(id: i64) -> (StatusCode, axum::Json<Created>) {
    (StatusCode::CREATED, axum::Json(Created { id }))
}

/// A body that carries the `row_version` the client read, next to the fields of the form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Versioned<T> {
    row_version: Option<i32>,
    #[serde(flatten)]
    pub body: T,
}

impl<T> Versioned<T> {
    pub fn row_version(&self) -> Result<i32, WebError> {
        self.row_version.ok_or_else(|| {
            WebError::BadRequest(vec![(
                "row_version".into(),
                "请提供读取记录时的 row_version（用于检测并发修改）".into(),
            )])
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------------

pub async fn create_project(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<ProjectInput>,
) -> Result<(StatusCode, axum::Json<Created>), WebError> {
    let id = project::create(&actor(&state, &user, &ip), &input).await?;
    Ok(created(id))
}

pub async fn update_project(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<ProjectInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip);
    project::update(&a, id, input.row_version()?, &input.body).await?;
    let p = project::visible(&a, id).await?;
    Ok(axum::Json(json!({
        "id": p.id, "row_version": p.row_version, "is_major": p.is_major,
        "library_status": p.library_status,
    })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectActionBody {
    action: String,
    row_version: Option<i32>,
    text: String,
}

pub async fn project_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<ProjectActionBody>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip);
    let Some(row_version) = input.row_version else {
        return Err(WebError::BadRequest(vec![(
            "row_version".into(),
            "请提供读取记录时的 row_version（用于检测并发修改）".into(),
        )]));
    };
    let text = Some(input.text.as_str()).filter(|t| !t.trim().is_empty());
    let to = project::act(&a, id, row_version, &input.action, text).await?;
    let p = project::visible(&a, id).await?;
    Ok(axum::Json(json!({
        "library_status": to.code(), "library_status_label": to.label(),
        "row_version": p.row_version,
    })))
}

pub async fn project_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip);
    let p = project::visible(&a, id).await?;
    let facts = project::facts(&state.store, &p).await?;
    let own = history::last_actor(&state.store, "project", id, &["create"])
        .await?
        .is_some_and(|creator| creator == user.id);
    let from = ProjectState::parse(&p.library_status);
    let actions: Vec<Value> = from
        .map(|from| {
            workflow::available_actions(from, &user.roles, own)
                .into_iter()
                .map(|action: ProjectAction| {
                    // Whether the gates of SPEC §5 let it through now (text is asked at the time).
                    let blocked = workflow::library_transition(
                        from,
                        action,
                        &user.roles,
                        own,
                        Some("—"),
                        &facts,
                    )
                    .err()
                    .map(|e| e.to_string());
                    json!({"action": action.code(), "label": action.label(), "blocked_by": blocked})
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(axum::Json(json!({
        "id": p.id,
        "requires_ex_ante": facts.requires_ex_ante,
        "approved_ex_ante": facts.approved_ex_ante.map(|c| c.code()),
        "has_approved_target": facts.has_approved_target,
        "library_status": p.library_status,
        "row_version": p.row_version,
        "available_actions": actions,
    })))
}

// ---------------------------------------------------------------------------------------------
// Ex-ante assessments
// ---------------------------------------------------------------------------------------------

pub async fn create_ex_ante(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<NewExAnteInput>,
) -> Result<(StatusCode, axum::Json<Created>), WebError> {
    if input.project_id <= 0 {
        return Err(WebError::BadRequest(vec![(
            "project_id".into(),
            "请指定要评估的项目".into(),
        )]));
    }
    let id = xa_app::create(&actor(&state, &user, &ip), &input).await?;
    Ok(created(id))
}

#[derive(Serialize)]
pub struct ExAnteJson {
    #[serde(flatten)]
    record: xa::ExAnteRecord,
    conclusion_label: Option<&'static str>,
    scores: Vec<xa::ScoreRecord>,
    history: Vec<Value>,
}

pub async fn ex_ante(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<ExAnteJson>, WebError> {
    let a = actor(&state, &user, &ip);
    let record = xa_app::visible(&a, id).await?;
    let scores = xa::scores(&state.store, id).await?;
    let conclusion_label = record
        .conclusion
        .as_deref()
        .and_then(jixiao_domain::ex_ante::ExAnteConclusion::parse)
        .map(|c| c.label());
    Ok(axum::Json(ExAnteJson {
        history: timeline(&state, "ex_ante", id).await?,
        record,
        conclusion_label,
        scores,
    }))
}

pub async fn save_ex_ante(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<ExAnteSheetInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip);
    let r = xa_app::save(&a, id, input.row_version()?, &input.body).await?;
    let x = xa_app::visible(&a, id).await?;
    Ok(axum::Json(json!({
        "total": r.total, "conclusion": r.conclusion, "unscored": r.unscored,
        "row_version": x.row_version,
    })))
}

pub async fn ex_ante_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<ActionInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip);
    let to = xa_app::act(&a, id, &input).await?;
    let x = xa_app::visible(&a, id).await?;
    Ok(axum::Json(json!({
        "state": to.code(), "state_label": to.label(), "row_version": x.row_version,
    })))
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

pub async fn create_target(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<NewTargetInput>,
) -> Result<(StatusCode, axum::Json<Created>), WebError> {
    let id = target_app::create(&actor(&state, &user, &ip), &input).await?;
    Ok(created(id))
}

#[derive(Serialize)]
pub struct VersionJson {
    id: i64,
    version_no: i32,
    state: String,
    is_current: bool,
}

#[derive(Serialize)]
pub struct TargetJson {
    #[serde(flatten)]
    record: targets::TargetRecord,
    indicators: Vec<targets::TargetIndicator>,
    tasks: Vec<targets::TaskRecord>,
    versions: Vec<VersionJson>,
    findings: Vec<target_app::CheckFinding>,
    history: Vec<Value>,
}

pub async fn target(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<TargetJson>, WebError> {
    let a = actor(&state, &user, &ip);
    let record = target_app::visible(&a, id).await?;
    let store = &state.store;
    let versions = target_app::visible_versions(&a, &record)
        .await?
        .into_iter()
        .map(|v| VersionJson {
            id: v.id,
            version_no: v.version_no,
            state: v.state,
            is_current: v.is_current,
        })
        .collect();
    Ok(axum::Json(TargetJson {
        indicators: targets::indicators(store, id).await?,
        tasks: targets::tasks(store, id).await?,
        findings: target_app::stored_findings(&state.store, &record).await?,
        history: timeline(&state, "target", id).await?,
        versions,
        record,
    }))
}

pub async fn save_target(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<TargetInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip);
    let findings = target_app::save(&a, id, input.row_version()?, &input.body).await?;
    let t = target_app::visible(&a, id).await?;
    Ok(axum::Json(json!({
        "findings": findings,
        "has_errors": findings.iter().any(|f| f.error),
        "row_version": t.row_version,
    })))
}

pub async fn target_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<ActionInput>,
) -> Result<axum::Json<target_app::TargetOutcome>, WebError> {
    let a = actor(&state, &user, &ip);
    Ok(axum::Json(target_app::act(&a, id, &input).await?))
}

/// The workflow history of a document, oldest first (who, when, what, opinion).
async fn timeline(state: &AppState, kind: &str, id: i64) -> Result<Vec<Value>, WebError> {
    Ok(history::timeline(&state.store, kind, id)
        .await?
        .into_iter()
        .map(|h| {
            json!({"from_state": h.from_state, "to_state": h.to_state, "action": h.action,
                "actor_id": h.actor_id, "actor_name": h.actor_name, "opinion": h.opinion,
                "at": h.at.to_rfc3339()})
        })
        .collect())
}
