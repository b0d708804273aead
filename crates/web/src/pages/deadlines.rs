//! 申报期限: the finance bureau sets, per fiscal year, the day by which each kind of document is
//! due; this page lists them with where every unit stands on its target declarations (projects
//! needing a target, submitted, late, overdue and still missing — SPEC §6, counted in §11).
//! Setting a date is audited (`deadline.set`, before and after) in the same transaction.

use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use chrono::Datelike;
use jixiao_domain::deadline::{self, DeadlineKind};
use jixiao_domain::types::{FiscalYear, Role};
use jixiao_store::deadlines::{self as store_deadlines, UnitDeclaration};
use serde::Deserialize;

pub struct KindRow {
    pub code: &'static str,
    pub label: &'static str,
    pub due_on: String,
    pub set_by: String,
    pub updated_at: String,
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    kinds: Vec<KindRow>,
    declaration_due: String,
    units: Vec<UnitDeclaration>,
    total: UnitDeclaration,
    can_set: bool,
    message: Option<String>,
    errors: Vec<String>,
    /// The values of a refused form, shown again.
    form: SetForm,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    year: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct SetForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub due_on: String,
}

async fn page_with(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: Option<i32>,
    message: Option<String>,
    errors: Vec<String>,
    form: SetForm,
) -> Result<Html<String>, WebError> {
    let store = &state.store;
    let mut years = store_deadlines::years(store, &user.region).await?;
    let year = year
        .or_else(|| years.first().copied())
        .unwrap_or_else(|| store_deadlines::today().year());
    if !years.contains(&year) {
        years.push(year);
        years.sort_by(|a, b| b.cmp(a));
    }
    let set = store_deadlines::list(store, &user.region, year).await?;
    let kinds = DeadlineKind::ALL
        .iter()
        .map(|k| {
            let d = set.iter().find(|d| d.kind == *k);
            KindRow {
                code: k.code(),
                label: k.label(),
                due_on: d
                    .map(|d| d.due_on.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                set_by: d.and_then(|d| d.set_by_name.clone()).unwrap_or_default(),
                updated_at: d
                    .map(|d| {
                        store_deadlines::local_date(d.updated_at)
                            .format("%Y-%m-%d")
                            .to_string()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect::<Vec<_>>();
    let declaration_due = kinds
        .iter()
        .find(|k| k.code == DeadlineKind::TargetDeclaration.code())
        .map(|k| k.due_on.clone())
        .unwrap_or_default();
    let units =
        store_deadlines::declaration_status(store, &user.region, year, store_deadlines::today())
            .await?;
    let total = units.iter().fold(UnitDeclaration::default(), |mut t, u| {
        t.projects += u.projects;
        t.submitted += u.submitted;
        t.late += u.late;
        t.overdue_missing += u.overdue_missing;
        t.due_soon += u.due_soon;
        t
    });
    let region = region_name(state, &user.region).await?;
    let form = SetForm {
        year: if form.year.is_empty() {
            year.to_string()
        } else {
            form.year
        },
        ..form
    };
    render(&DeadlinesPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/deadlines"),
        year,
        years,
        kinds,
        declaration_due,
        units,
        total,
        can_set: user.has(Role::FinanceAdmin),
        message,
        errors,
        form,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    let year = q
        .year
        .as_deref()
        .filter(|y| !y.trim().is_empty())
        .map(|y| FiscalYear::parse(y).map(FiscalYear::get))
        .transpose()
        .map_err(|e| WebError::BadRequest(vec![("year".into(), e.to_string())]))?;
    let message = q
        .done
        .filter(|d| d == "set")
        .map(|_| "申报期限已保存。".to_string());
    page_with(
        &state,
        &session,
        &user,
        year,
        message,
        vec![],
        SetForm::default(),
    )
    .await
}

/// Sets one kind's deadline of a year (finance administrators only, by the access matrix).
pub async fn set(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<Form<SetForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let mut errors = Vec::new();
    let year = match FiscalYear::parse(&form.year) {
        Ok(y) => Some(y.get()),
        Err(e) => {
            errors.push(e.to_string());
            None
        }
    };
    let kind = DeadlineKind::parse(&form.kind);
    if kind.is_none() {
        errors.push("请选择期限类型".to_string());
    }
    let due = if form.due_on.trim().is_empty() {
        errors.push("请填写截止日期".to_string());
        None
    } else {
        match deadline::parse_date(&form.due_on) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        }
    };
    if let (Some(year), Some(due)) = (year, due)
        && let Err(e) = deadline::check_due_on(year, due)
    {
        errors.push(e.to_string());
    }
    let (Some(year), Some(kind), Some(due), true) = (year, kind, due, errors.is_empty()) else {
        let page = page_with(&state, &session, &user, year, None, errors, form).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let due_on = chrono::NaiveDate::from_ymd_opt(due.year(), due.month(), due.day())
        .ok_or_else(|| WebError::Internal(format!("日期 {due} 无法保存")))?;
    let mut tx = state.store.begin().await?;
    let before =
        store_deadlines::set(&mut tx, &user.region, year, kind, due_on, Some(user.id)).await?;
    let object = format!("{year}/{}", kind.code());
    let before_json = before
        .map(|b| {
            serde_json::json!({"fiscal_year": year, "kind": kind.code(), "due_on": b.format("%Y-%m-%d").to_string()})
                .to_string()
        })
        .unwrap_or_default();
    let after_json =
        serde_json::json!({"fiscal_year": year, "kind": kind.code(), "due_on": due.to_string()})
            .to_string();
    jixiao_store::audit::append(
        &mut tx,
        &jixiao_store::audit::Entry {
            user_id: Some(user.id),
            username: &user.username,
            role: user.main_role().code(),
            ip: &ip.0,
            action: "deadline.set",
            object_kind: "deadline",
            object_id: &object,
            before_json: &before_json,
            after_json: &after_json,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/deadlines?year={year}&done=set")))
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, DEADLINE_SETTERS, FINANCE_AND_VIEWERS};
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(
        Method::GET,
        "/deadlines",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(page),
    )
    .add(
        Method::POST,
        "/deadlines",
        Access::Roles(DEADLINE_SETTERS),
        post(set),
    )
}
