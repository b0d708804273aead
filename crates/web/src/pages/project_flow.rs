//! Proposing and editing projects, and moving them through the library (SPEC §3, §5). The rules
//! are in `jixiao_app::project`; these handlers turn forms into its inputs and its refusals into pages.

use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::actor;
use crate::pages::{region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jixiao_app::project::{self, ProjectInput};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory};
use jixiao_store::browse::Scope;

/// The body of a urlencoded form as pairs (repeated and indexed names allowed).
pub type Pairs = Vec<(String, String)>;

pub fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The `row_version` a form sends back with an edit (SPEC §4): a malformed one is a 400, never
/// version 0 (issue 9), since 0 could match a record and overwrite it unseen.
pub fn row_version(pairs: &Pairs) -> Result<i32, WebError> {
    field(pairs, "row_version").trim().parse().map_err(|_| {
        WebError::Malformed("表单缺少有效的版本号（row_version），请刷新页面后重试".into())
    })
}

/// Reads a posted form into pairs, or says the form could not be read.
pub fn pairs_of(
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Pairs, WebError> {
    form.map(|axum::Form(p)| p).map_err(|_| {
        WebError::BadRequest(vec![(
            String::new(),
            "表单内容无法读取，请刷新页面后重试".into(),
        )])
    })
}

/// Messages of a refusal, for a page: field errors one by one, anything else as one line.
pub fn messages_of(e: &WebError) -> Vec<String> {
    match e {
        WebError::BadRequest(fields) => fields
            .iter()
            .map(|(f, m)| {
                if f.is_empty() {
                    m.clone()
                } else {
                    format!("{f}：{m}")
                }
            })
            .collect(),
        other => vec![other.message()],
    }
}

/// Whether an error is the user's to fix on the page (re-render) rather than an error page.
pub fn is_user_error(e: &WebError) -> bool {
    matches!(e, WebError::BadRequest(_) | WebError::Conflict(_))
}

pub fn status_of(e: &WebError) -> StatusCode {
    match e {
        WebError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    }
}

/// A unit the project may belong to: its id and name.
struct UnitOption {
    id: i64,
    name: String,
}

/// A choice of a coded field: the code the form sends and its label.
struct CodeOption {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct FormPage {
    layout: Layout,
    title: String,
    action: String,
    editing: bool,
    row_version: i32,
    f: ProjectInput,
    errors: Vec<String>,
    units: Vec<UnitOption>,
    budget_types: Vec<CodeOption>,
    categories: Vec<CodeOption>,
    continuities: Vec<CodeOption>,
    timings: Vec<CodeOption>,
    threshold: String,
}

fn options<T: Copy>(all: &[T], f: impl Fn(T) -> (&'static str, &'static str)) -> Vec<CodeOption> {
    all.iter()
        .copied()
        .map(|t| {
            let (code, label) = f(t);
            CodeOption { code, label }
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    editing: Option<(i64, i32)>,
    f: ProjectInput,
    errors: Vec<String>,
) -> Result<axum::response::Html<String>, WebError> {
    let scope = crate::pages::scope(state, user).await?;
    let units = jixiao_store::units::list(&state.store, &user.region)
        .await?
        .into_iter()
        .filter(|u| match &scope {
            Scope::Region => true,
            Scope::Units(ids) => ids.contains(&u.id),
            _ => false,
        })
        .map(|u| UnitOption {
            id: u.id,
            name: u.name,
        })
        .collect();
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let region = region_name(state, &user.region).await?;
    render(&FormPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/projects"),
        title: if editing.is_some() {
            format!("修改项目：{}", f.name)
        } else {
            "新建项目".into()
        },
        action: match editing {
            Some((id, _)) => format!("/projects/{id}"),
            None => "/projects".into(),
        },
        editing: editing.is_some(),
        row_version: editing.map(|e| e.1).unwrap_or(0),
        f,
        errors,
        units,
        budget_types: options(BudgetType::ALL, |b| (b.code(), b.label())),
        categories: options(ProjectCategory::ALL, |b| (b.code(), b.label())),
        continuities: options(Continuity::ALL, |b| (b.code(), b.label())),
        timings: options(BudgetTiming::ALL, |b| (b.code(), b.label())),
        threshold: settings.project.major_threshold.wan_text(),
    })
}

fn input_of(p: &Pairs) -> ProjectInput {
    let num = |n: &str| field(p, n).trim().parse::<i32>().ok();
    ProjectInput {
        fiscal_year: num("fiscal_year"),
        unit_id: field(p, "unit_id").trim().parse().ok(),
        code: field(p, "code").to_string(),
        name: field(p, "name").to_string(),
        is_policy: !field(p, "is_policy").is_empty(),
        budget_type: field(p, "budget_type").to_string(),
        category: field(p, "category").to_string(),
        continuity: field(p, "continuity").to_string(),
        timing: field(p, "timing").to_string(),
        start_year: num("start_year"),
        end_year: num("end_year"),
        current_wan: field(p, "current_wan").to_string(),
        carryover_wan: field(p, "carryover_wan").to_string(),
        other_wan: field(p, "other_wan").to_string(),
        previous_project_id: field(p, "previous_project_id").trim().parse().ok(),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let year = jixiao_app::default_year() + 1;
    let f = ProjectInput {
        fiscal_year: Some(year),
        unit_id: user.unit_id,
        budget_type: BudgetType::GeneralPublic.code().into(),
        category: ProjectCategory::SpecificPurpose.code().into(),
        continuity: Continuity::New.code().into(),
        timing: BudgetTiming::Initial.code().into(),
        start_year: Some(year),
        end_year: Some(year),
        ..Default::default()
    };
    Ok(form_page(&state, &session, &user, None, f, vec![])
        .await?
        .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = input_of(&pairs);
    let actor = actor(&state, &user, &ip.0);
    match project::create(&actor, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(id) => Ok(see_other(&format!("/projects/{id}?done=created"))),
        Err(e) if is_user_error(&e) => {
            let page = form_page(&state, &session, &user, None, input, messages_of(&e)).await?;
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = actor(&state, &user, &ip.0);
    let p = project::visible(&actor, id).await?;
    let wan = |f: i64| {
        if f == 0 {
            String::new()
        } else {
            Fen(f).wan_text()
        }
    };
    let f = ProjectInput {
        fiscal_year: Some(p.fiscal_year),
        unit_id: Some(p.unit_id),
        code: p.code.clone(),
        name: p.name.clone(),
        is_policy: p.is_policy,
        budget_type: p.budget_type.clone(),
        category: p.category.clone(),
        continuity: p.continuity.clone(),
        timing: p.timing.clone(),
        start_year: Some(p.start_year),
        end_year: Some(p.end_year),
        current_wan: wan(p.current_fen),
        carryover_wan: wan(p.carryover_fen),
        other_wan: wan(p.other_fen),
        previous_project_id: p.previous_project_id,
    };
    Ok(form_page(
        &state,
        &session,
        &user,
        Some((id, p.row_version)),
        f,
        vec![],
    )
    .await?
    .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let actor = actor(&state, &user, &ip.0);
    // A record out of sight answers the same whatever was sent.
    project::visible(&actor, id).await?;
    let input = input_of(&pairs);
    let row_version: i32 = row_version(&pairs)?;
    match project::update(&actor, id, row_version, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("/projects/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let page = form_page(
                &state,
                &session,
                &user,
                Some((id, row_version)),
                input,
                messages_of(&e),
            )
            .await?;
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A library move from the project page (SPEC §5); a refusal comes back on the page.
pub async fn action(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let actor = actor(&state, &user, &ip.0);
    // A record out of sight answers the same whatever was sent.
    project::visible(&actor, id).await?;
    let row_version: i32 = row_version(&pairs)?;
    let text = field(&pairs, "text");
    match project::act(&actor, id, row_version, field(&pairs, "action"), Some(text))
        .await
        .map_err(WebError::from)
    {
        Ok(to) => Ok(see_other(&format!("/projects/{id}?done={}", to.code()))),
        Err(e) if is_user_error(&e) => {
            let page =
                super::projects::detail_page(&state, &session, &user, id, None, messages_of(&e))
                    .await?;
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, LIBRARY_ACTORS, PROJECT_WRITERS};
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(
        Method::GET,
        "/projects/new",
        Access::Roles(PROJECT_WRITERS),
        get(new_form),
    )
    .add(
        Method::POST,
        "/projects",
        Access::Roles(PROJECT_WRITERS),
        post(create),
    )
    .add(
        Method::GET,
        "/projects/{id}/edit",
        Access::Roles(PROJECT_WRITERS),
        get(edit_form),
    )
    .add(
        Method::POST,
        "/projects/{id}",
        Access::Roles(PROJECT_WRITERS),
        post(update),
    )
    .add(
        Method::POST,
        "/projects/{id}/action",
        Access::Roles(LIBRARY_ACTORS),
        post(action),
    )
}
