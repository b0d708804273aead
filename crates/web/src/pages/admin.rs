//! User and role administration for the system administrator (SPEC §1, §17): create accounts,
//! reset passwords (forcing a change at next login), disable and enable. Every change audited.

use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use axum::{Extension, Form};
use jixiao_domain::types::Role;
use serde::Deserialize;

pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub belongs: String,
    pub roles: String,
    pub status: String,
    pub disabled: bool,
}

/// A role a new user may be given: its code and label.
struct RoleOption {
    code: &'static str,
    label: &'static str,
}

/// A unit or agency a new user may belong to: its id and name.
struct BelongOption {
    id: i64,
    name: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserView>,
    roles: Vec<RoleOption>,
    units: Vec<BelongOption>,
    agencies: Vec<BelongOption>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct Flash {
    done: Option<String>,
}

async fn page_with(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let now = jixiao_store::now();
    let users = jixiao_store::users::list(&state.store, &user.region)
        .await?
        .into_iter()
        .map(|u| UserView {
            id: u.id,
            belongs: u.unit_name.or(u.agency_name).unwrap_or_default(),
            roles: u
                .roles
                .split(',')
                .filter_map(Role::parse)
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join("、"),
            status: if u.disabled {
                "已停用".into()
            } else if u.locked_until.is_some_and(|t| t > now) {
                "已锁定".into()
            } else if u.must_change_password {
                "待修改密码".into()
            } else {
                "正常".into()
            },
            disabled: u.disabled,
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    let units = jixiao_store::units::list(&state.store, &user.region)
        .await?
        .into_iter()
        .map(|u| BelongOption {
            id: u.id,
            name: u.name,
        })
        .collect();
    let agencies = region_agencies(state, &user.region).await?;
    let region = region_name(state, &user.region).await?;
    render(&UsersPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/admin/users"),
        users,
        roles: Role::ALL
            .iter()
            .map(|r| RoleOption {
                code: r.code(),
                label: r.label(),
            })
            .collect(),
        units,
        agencies,
        message,
        errors,
    })
}

/// The region's third-party agencies, for linking an evaluator account (SPEC §9).
async fn region_agencies(state: &AppState, region: &str) -> Result<Vec<BelongOption>, WebError> {
    Ok(jixiao_store::browse::agencies(
        &state.store,
        region,
        &jixiao_store::browse::ListFilter::default(),
    )
    .await?
    .into_iter()
    .map(|a| BelongOption {
        id: a.id,
        name: a.name,
    })
    .collect())
}

pub async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(flash): Query<Flash>,
) -> Result<Html<String>, WebError> {
    let message = flash.done.map(|d| match d.as_str() {
        "created" => "用户已创建，首次登录须修改密码。".to_string(),
        "reset" => "密码已重置，用户下次登录须修改密码。".to_string(),
        "disabled" => "用户已停用。".to_string(),
        "enabled" => "用户已启用。".to_string(),
        _ => String::new(),
    });
    page_with(
        &state,
        &session,
        &user,
        message.filter(|m| !m.is_empty()),
        vec![],
    )
    .await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    unit_id: Option<String>,
    /// The agency of an evaluator (第三方机构人员): required for that role, ignored otherwise.
    agency_id: Option<String>,
    password: String,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    admin: CurrentUser,
    ip: ClientIp,
    form: Result<Form<NewUserForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    use axum::response::IntoResponse;
    let Ok(Form(form)) = form else {
        return Err(WebError::BadRequest(vec![(
            String::new(),
            "请完整填写新建用户表单".into(),
        )]));
    };
    let mut errors = Vec::new();
    let username = form.username.trim().to_string();
    if username.len() < 3
        || username.len() > 32
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    {
        errors.push("用户名应为 3–32 位字母、数字或 _ . -".to_string());
    }
    if form.display_name.trim().is_empty() {
        errors.push("请填写姓名".to_string());
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push("请选择角色".to_string());
    }
    let unit_id = form
        .unit_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<i64>().ok());
    if matches!(role, Some(Role::UnitPreparer | Role::UnitApprover)) && unit_id.is_none() {
        errors.push("单位用户须选择所属单位".to_string());
    }
    // Only a unit of the administrator's own region (a posted id of another region's unit would
    // give the new user that region's records).
    if let Some(id) = unit_id {
        let known = jixiao_store::units::list(&state.store, &admin.region).await?;
        if !known.iter().any(|u| u.id == id) {
            errors.push("所选单位不存在".to_string());
        }
    }
    // An evaluator sees only its agency's engagements, so it must belong to one of the region's
    // agencies; no other role carries an agency.
    let agency_id = if role == Some(Role::Evaluator) {
        let chosen = form
            .agency_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| s.parse::<i64>().ok());
        let known = region_agencies(&state, &admin.region).await?;
        match chosen {
            Some(id) if known.iter().any(|a| a.id == id) => Some(id),
            Some(_) => {
                errors.push("所选第三方机构不存在".to_string());
                None
            }
            None => {
                errors.push("第三方机构人员须选择所属机构".to_string());
                None
            }
        }
    } else {
        None
    };
    let unit_id = if role == Some(Role::Evaluator) {
        None
    } else {
        unit_id
    };
    if let Err(problems) =
        jixiao_domain::password::check(&state.config.policy, &username, &form.password)
    {
        errors.extend(problems.iter().map(|p| p.to_string()));
    }
    if jixiao_store::users::by_username(&state.store, &username)
        .await?
        .is_some()
    {
        errors.push(format!("用户名 {username} 已存在"));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        let page = page_with(&state, &session, &admin, None, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || jixiao_store::users::hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    let mut tx = state.store.begin().await?;
    let id = jixiao_store::users::insert(
        &mut tx,
        &jixiao_store::users::NewUser {
            region: &admin.region,
            username: &username,
            display_name: form.display_name.trim(),
            password_hash: &hash,
            unit_id,
            agency_id,
            must_change_password: true,
            roles: &[role],
        },
    )
    .await?;
    let after = serde_json::json!({"id": id, "username": username, "role": role.code(),
        "unit_id": unit_id, "agency_id": agency_id})
    .to_string();
    audit(&mut tx, &admin, &ip.0, "user.create", &username, "", &after).await?;
    tx.commit().await?;
    Ok(see_other("/admin/users?done=created"))
}

async fn audit(
    tx: &mut jixiao_store::Tx,
    admin: &CurrentUser,
    ip: &str,
    action: &str,
    object: &str,
    before: &str,
    after: &str,
) -> Result<(), WebError> {
    jixiao_store::audit::append(
        tx,
        &jixiao_store::audit::Entry {
            user_id: Some(admin.id),
            username: &admin.username,
            role: admin.main_role().code(),
            ip,
            action,
            object_kind: "user",
            object_id: object,
            before_json: before,
            after_json: after,
        },
    )
    .await?;
    Ok(())
}

async fn target(
    state: &AppState,
    admin: &CurrentUser,
    id: i64,
) -> Result<jixiao_store::users::User, WebError> {
    match jixiao_store::users::by_id(&state.store, id).await? {
        Some(u) if u.region_code == admin.region => Ok(u),
        _ => Err(WebError::NotFound("用户".into())),
    }
}

/// Resets a password to a random one shown once; the user must change it at next login.
pub async fn reset(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    admin: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let user = target(&state, &admin, id).await?;
    // 16 characters from the four classes, so the policy of SPEC §17 holds.
    let temporary = jixiao_store::users::temporary_password(&user.username);
    let temp = temporary.clone();
    let hash = tokio::task::spawn_blocking(move || jixiao_store::users::hash_password(&temp))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    let mut tx = state.store.begin().await?;
    jixiao_store::users::set_password(&mut tx, user.id, &hash, true).await?;
    audit(
        &mut tx,
        &admin,
        &ip.0,
        "user.reset_password",
        &user.username,
        "",
        "must_change_password",
    )
    .await?;
    tx.commit().await?;
    jixiao_store::sessions::delete_for_user(&state.store, user.id).await?;
    page_with(
        &state,
        &session,
        &admin,
        Some(format!(
            "{} 的临时密码：{temporary}（仅显示一次，请当面或电话告知；下次登录须修改）",
            user.username
        )),
        vec![],
    )
    .await
}

pub async fn disable(
    State(state): State<AppState>,
    admin: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    set_disabled(state, admin, ip, id, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    admin: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    set_disabled(state, admin, ip, id, false).await
}

async fn set_disabled(
    state: AppState,
    admin: CurrentUser,
    ip: ClientIp,
    id: i64,
    disabled: bool,
) -> Result<Response, WebError> {
    let user = target(&state, &admin, id).await?;
    if user.id == admin.id && disabled {
        return Err(WebError::Conflict("不能停用自己的账号".into()));
    }
    let mut tx = state.store.begin().await?;
    jixiao_store::users::set_disabled(&mut tx, user.id, disabled).await?;
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit(
        &mut tx,
        &admin,
        &ip.0,
        action,
        &user.username,
        &format!("{{\"disabled\":{}}}", user.disabled),
        &format!("{{\"disabled\":{disabled}}}"),
    )
    .await?;
    tx.commit().await?;
    if disabled {
        jixiao_store::sessions::delete_for_user(&state.store, user.id).await?;
    }
    Ok(see_other(if disabled {
        "/admin/users?done=disabled"
    } else {
        "/admin/users?done=enabled"
    }))
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, SYSADMIN};
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(
        Method::GET,
        "/admin/users",
        Access::Roles(SYSADMIN),
        get(list),
    )
    .add(
        Method::POST,
        "/admin/users",
        Access::Roles(SYSADMIN),
        post(create),
    )
    .add(
        Method::POST,
        "/admin/users/{id}/reset",
        Access::Roles(SYSADMIN),
        post(reset),
    )
    .add(
        Method::POST,
        "/admin/users/{id}/disable",
        Access::Roles(SYSADMIN),
        post(disable),
    )
    .add(
        Method::POST,
        "/admin/users/{id}/enable",
        Access::Roles(SYSADMIN),
        post(enable),
    )
}
