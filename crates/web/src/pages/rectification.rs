//! 整改 notices on the web and the JSON API (SPEC §10): the notice page with its actions (finance
//! edits and issues a draft, the unit responds with evidence, finance closes or reopens it), the
//! evidence files and the printable 整改通知书 (.docx). Every decision is
//! `jixiao_app::rectification`'s.

use super::api_flows::{Body, Versioned};
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use crate::access::{Access, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{Choice, actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{Method, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use jixiao_app::rectification::{self as flow, NoticeAction, NoticeInput};
use jixiao_domain::workflow::{Disposal, RectificationAction, RectificationState};
use jixiao_store::rectifications::{self as store, Record};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    let upload = axum::extract::DefaultBodyLimit::max(21 * 1024 * 1024);
    reg.add(
        Method::GET,
        "/rectifications/{id}",
        Access::AnyUser,
        get(page),
    )
    .add(
        Method::POST,
        "/rectifications/{id}",
        Access::AnyUser,
        post(edit),
    )
    .add(
        Method::POST,
        "/rectifications/{id}/action",
        Access::AnyUser,
        post(action),
    )
    .add(
        Method::POST,
        "/rectifications/{id}/evidence",
        Access::AnyUser,
        post(evidence_upload).layer(upload),
    )
    .add(
        Method::GET,
        "/rectifications/{id}/evidence/{att}",
        Access::AnyUser,
        get(evidence_download),
    )
    .add(
        Method::GET,
        "/rectifications/{id}/notice.docx",
        Access::AnyUser,
        get(notice_docx),
    )
    .add(
        Method::GET,
        "/api/v1/rectifications/{id}/notice.docx",
        Access::AnyUser,
        get(notice_docx),
    )
    .add(
        Method::GET,
        "/api/v1/rectifications/{id}",
        Access::AnyUser,
        get(api_get),
    )
    .add(
        Method::PUT,
        "/api/v1/rectifications/{id}",
        Access::AnyUser,
        put(api_edit),
    )
    .add(
        Method::POST,
        "/api/v1/rectifications/{id}/actions",
        Access::AnyUser,
        post(api_action),
    )
    .add(
        Method::POST,
        "/api/v1/rectifications/{id}/evidence",
        Access::AnyUser,
        post(api_evidence).layer(upload),
    )
}

fn state_label(code: &str) -> String {
    RectificationState::parse(code).map_or(code.to_string(), |s| s.label().to_string())
}

fn source_label(code: &str) -> &'static str {
    jixiao_domain::workflow::RectificationSource::parse(code).map_or("其他", |s| s.label())
}

fn action_label(code: &str) -> String {
    RectificationAction::parse(code).map_or(code.to_string(), |a| a.label().to_string())
}

pub struct Step {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub to: String,
    pub opinion: String,
}

async fn steps(state: &AppState, id: i64) -> Result<Vec<Step>, WebError> {
    Ok(
        jixiao_store::history::timeline(&state.store, flow::KIND, id)
            .await?
            .into_iter()
            .map(|h| Step {
                at: h
                    .at
                    .with_timezone(&super::projects::chrono_tz_shanghai())
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                actor: h.actor_name.unwrap_or_default(),
                action: action_label(&h.action),
                to: state_label(&h.to_state),
                opinion: h.opinion,
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "rectification.html")]
struct Page {
    layout: Layout,
    k: Record,
    state: String,
    source: String,
    disposal: String,
    overdue: bool,
    f: NoticeInput,
    may_edit: bool,
    may_respond: bool,
    may_verify: bool,
    disposals: Vec<Choice>,
    evidence: Vec<store::Evidence>,
    steps: Vec<Step>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    typed: Option<NoticeInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let k = flow::visible(&a, id).await?;
    let s = RectificationState::parse(&k.state).unwrap_or(RectificationState::Draft);
    let finance = user.is_finance();
    let unit_side = !finance && user.is_unit_user() && a.may_write_for_unit(k.unit_id).await?;
    let responded_by_me =
        jixiao_store::history::last_actor(&state.store, flow::KIND, id, &["respond"])
            .await?
            .is_some_and(|a| a == user.id);
    let f = typed.unwrap_or_else(|| NoticeInput {
        problem: k.problem.clone(),
        requirement: k.requirement.clone(),
        deadline: k.deadline.to_string(),
        disposal: if k.disposal.is_empty() {
            "continue".into()
        } else {
            k.disposal.clone()
        },
        row_version: k.row_version,
    });
    let region = region_name(state, &user.region).await?;
    render(&Page {
        layout: Layout::new(session, user, &region, &state.matrix, "/rectifications"),
        state: s.label().into(),
        source: source_label(&k.source_kind).into(),
        disposal: Disposal::parse(&k.disposal).map_or(String::new(), |d| d.label().to_string()),
        overdue: flow::overdue(&k),
        may_edit: finance && s == RectificationState::Draft,
        may_respond: unit_side
            && matches!(s, RectificationState::Issued | RectificationState::Reopened),
        may_verify: finance && s == RectificationState::Responded && !responded_by_me,
        disposals: Disposal::ALL
            .iter()
            .map(|d| Choice::new((d.code(), d.label())))
            .collect(),
        evidence: store::evidence(&state.store, id).await?,
        steps: steps(state, id).await?,
        f,
        message,
        errors,
        k,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "saved" => "整改通知已保存。".to_string(),
        "uploaded" => "佐证材料已上传。".to_string(),
        code => format!("操作成功，当前状态：{}。", state_label(code)),
    });
    view(&state, &session, &user, id, None, message, vec![]).await
}

fn notice_of(pairs: &Pairs) -> Result<NoticeInput, WebError> {
    Ok(NoticeInput {
        problem: field(pairs, "problem").into(),
        requirement: field(pairs, "requirement").into(),
        deadline: field(pairs, "deadline").into(),
        disposal: field(pairs, "disposal").into(),
        row_version: super::project_flow::row_version(pairs)?,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, &ip.0);
    flow::visible(&a, id).await?;
    let input = notice_of(&pairs)?;
    let issue = field(&pairs, "then") == "issue";
    let result = async {
        flow::edit(&a, id, &input).await?;
        if issue {
            flow::act(
                &a,
                id,
                &NoticeAction {
                    action: "issue".into(),
                    row_version: input.row_version + 1,
                    text: String::new(),
                },
            )
            .await?;
        }
        Ok::<_, jixiao_app::AppError>(())
    }
    .await
    .map_err(WebError::from);
    match result {
        Ok(()) if issue => Ok(see_other(&format!("/rectifications/{id}?done=issued"))),
        Ok(()) => Ok(see_other(&format!("/rectifications/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = view(
                &state,
                &session,
                &user,
                id,
                Some(input),
                None,
                messages_of(&e),
            )
            .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn action(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, &ip.0);
    flow::visible(&a, id).await?;
    let input = NoticeAction {
        action: field(&pairs, "action").into(),
        row_version: super::project_flow::row_version(&pairs)?,
        text: field(&pairs, "text").into(),
    };
    match flow::act(&a, id, &input).await.map_err(WebError::from) {
        Ok(s) => Ok(see_other(&format!("/rectifications/{id}?done={s}"))),
        Err(e) if is_user_error(&e) => {
            let html = view(&state, &session, &user, id, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The first file of a multipart body: (name, bytes).
async fn first_file(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Vec<u8>), WebError> {
    let Ok(mut multipart) = multipart else {
        return Err(WebError::BadRequest(vec![(
            "佐证材料".into(),
            "请选择要上传的文件".into(),
        )]));
    };
    while let Ok(Some(f)) = multipart.next_field().await {
        if f.name() != Some("file") {
            continue;
        }
        let name = f.file_name().unwrap_or("佐证材料").to_string();
        let bytes = f.bytes().await.map_err(|_| {
            WebError::BadRequest(vec![(
                "佐证材料".into(),
                "文件上传不完整或超过 20 MB，请重试".into(),
            )])
        })?;
        return Ok((name, bytes.to_vec()));
    }
    Err(WebError::BadRequest(vec![(
        "佐证材料".into(),
        "请选择要上传的文件".into(),
    )]))
}

/// The unit uploads evidence (multipart: `file`; CSRF token in `?csrf=`).
pub async fn evidence_upload(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::visible(&a, id).await?;
    let result = async {
        let (name, bytes) = first_file(multipart).await?;
        Ok::<_, WebError>(flow::attach_evidence(&a, id, &name, &bytes).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/rectifications/{id}?done=uploaded"))),
        Err(e) if is_user_error(&e) => {
            let html = view(&state, &session, &user, id, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn evidence_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, att)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    flow::visible(&a, id).await?;
    let Some(file) = jixiao_store::attachments::get(&state.store, &user.region, att).await? else {
        return Err(WebError::NotFound("佐证材料".into()));
    };
    if file.owner_kind != flow::KIND || file.owner_id != id {
        return Err(WebError::NotFound("佐证材料".into()));
    }
    let encoded: String = form_urlencoded::byte_serialize(file.file_name.as_bytes()).collect();
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"evidence-{att}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        file.body,
    )
        .into_response())
}

/// The printable 整改通知书.
pub async fn notice_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    use jixiao_domain::report::rectification::{NoticeFacts, compose};
    let a = actor(&state, &user, "");
    let k = flow::visible(&a, id).await?;
    let source = match (k.source_kind.as_str(), k.source_id) {
        ("monitoring", Some(rid)) => {
            jixiao_store::monitoring::report(&state.store, &user.region, rid)
                .await?
                .map(|r| r.task_name)
                .unwrap_or_else(|| source_label("monitoring").into())
        }
        (kind, _) => source_label(kind).into(),
    };
    let facts = NoticeFacts {
        region_name: region_name(&state, &user.region).await?,
        number: k.id,
        fiscal_year: k.fiscal_year,
        unit_name: k.unit_name.clone(),
        object_name: k.object_name.clone(),
        source,
        problem: k.problem.clone(),
        requirement: k.requirement.clone(),
        disposal: Disposal::parse(&k.disposal)
            .filter(|d| *d != Disposal::Continue)
            .map_or(String::new(), |d| d.label().to_string()),
        deadline: k.deadline.to_string(),
        issued_on: k
            .issued_at
            .map(|t| jixiao_store::deadlines::local_date(t).to_string())
            .unwrap_or_default(),
        state: state_label(&k.state),
        timeline: steps(&state, id)
            .await?
            .into_iter()
            .map(|s| {
                (
                    s.at.chars().take(10).collect(),
                    format!(
                        "{} {}{}",
                        s.actor,
                        s.action,
                        if s.opinion.is_empty() {
                            String::new()
                        } else {
                            format!("：{}", s.opinion)
                        }
                    ),
                )
            })
            .collect(),
    };
    let bytes = jixiao_forms::render::to_docx(&compose(&facts))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let encoded: String = form_urlencoded::byte_serialize(
        format!("整改通知书-{}-{}.docx", k.unit_name, k.id).as_bytes(),
    )
    .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"rectification-{id}.docx\"; filename*=UTF-8''{encoded}"
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_get(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let k = flow::visible(&a, id).await?;
    let history: Vec<Value> = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(|h| {
            json!({"from_state": h.from_state, "to_state": h.to_state, "action": h.action,
                "actor_name": h.actor_name, "opinion": h.opinion, "at": h.at.to_rfc3339()})
        })
        .collect();
    Ok(axum::Json(json!({
        "rectification": k,
        "overdue": flow::overdue(&k),
        "evidence": store::evidence(&state.store, id).await?,
        "history": history,
    })))
}

pub async fn api_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<NoticeInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let mut body = input.body.clone();
    body.row_version = input.row_version()?;
    flow::edit(&a, id, &body).await?;
    let k = flow::visible(&a, id).await?;
    Ok(axum::Json(json!({"row_version": k.row_version})))
}

pub async fn api_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<NoticeAction>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let s = flow::act(&a, id, &input).await?;
    let k = flow::visible(&a, id).await?;
    Ok(axum::Json(
        json!({"state": s, "row_version": k.row_version}),
    ))
}

pub async fn api_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(axum::http::StatusCode, axum::Json<Value>), WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::visible(&a, id).await?;
    let (name, bytes) = first_file(multipart).await?;
    let att = flow::attach_evidence(&a, id, &name, &bytes).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(json!({"id": att})),
    ))
}
