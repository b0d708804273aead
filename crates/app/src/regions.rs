//! Regions above the county (SPEC §3, issue 14): a province (省) over its prefectures (州/市) over
//! their counties (县). Each region has its own finance bureau and users; an upper level reads
//! the roll-up of the regions below it and may look into one of them, read-only, as its leaders
//! do (published material only). It never writes in a subordinate region: its users act there
//! only through the viewer role of a drill-down.
//!
//! An upper level's administrator adds a subordinate region together with that region's first
//! administrator, who then manages the region's own units and users.

use crate::{Actor, AppError, FieldProblem};
use jixiao_domain::password::{self, LoginPolicy};
use jixiao_domain::types::Role;
use jixiao_store::{regions, users};

/// The audited kind of a region.
pub const KIND: &str = "region";

/// What an administrator enters to add a subordinate region.
#[derive(Debug, Clone, Default)]
pub struct NewRegion {
    /// The administrative division code (行政区划代码), 6 to 12 digits.
    pub code: String,
    pub name: String,
    /// The region it sits under: the administrator's own region or one below it.
    pub parent: String,
    /// The new region's first administrator (系统管理员), who must change the password at the
    /// first login.
    pub admin_username: String,
    pub admin_display_name: String,
    pub admin_password: String,
}

/// Whether the user may add regions below their own: the administrator of a region.
pub fn may_add(user: &crate::User) -> bool {
    user.has(Role::Sysadmin)
}

/// Whether a user reads the regions below their own (roll-up and drill-down): a region-wide
/// reader of a region that has subordinate regions.
pub fn may_oversee(user: &crate::User) -> bool {
    user.sees_region()
}

/// Checks the form and returns every problem found, field by field.
fn check(input: &NewRegion, policy: &LoginPolicy) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let code = input.code.trim();
    if !(6..=12).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_digit()) {
        problems.push(FieldProblem::new("区划代码", "应为 6–12 位数字"));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        problems.push(FieldProblem::new("区划名称", "请填写，最多 40 个字"));
    }
    let username = input.admin_username.trim();
    if username.len() < 3
        || username.len() > 32
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    {
        problems.push(FieldProblem::new(
            "管理员用户名",
            "应为 3–32 位字母、数字或 _ . -",
        ));
    }
    if input.admin_display_name.trim().is_empty() {
        problems.push(FieldProblem::new("管理员姓名", "请填写"));
    }
    if let Err(found) = password::check(policy, username, &input.admin_password) {
        problems.extend(
            found
                .iter()
                .map(|p| FieldProblem::new("初始密码", p.to_string())),
        );
    }
    problems
}

/// Adds a region below the administrator's own region (or below one of its subordinates) and
/// its first administrator, audited, in one transaction.
pub async fn create(
    actor: &Actor<'_>,
    policy: &LoginPolicy,
    input: &NewRegion,
) -> Result<(), AppError> {
    if !may_add(actor.user) {
        return Err(AppError::Denied("只有系统管理员可以添加下级区划".into()));
    }
    let mut problems = check(input, policy);
    let code = input.code.trim();
    let parent = input.parent.trim();
    let store = actor.store;
    let parent_ok =
        parent == actor.user.region || regions::is_below(store, &actor.user.region, parent).await?;
    if !parent_ok {
        problems.push(FieldProblem::new(
            "上级区划",
            "只能在本区划或其下级区划之下添加",
        ));
    }
    if problems.is_empty() && regions::get(store, code).await?.is_some() {
        problems.push(FieldProblem::new("区划代码", format!("{code} 已存在")));
    }
    let username = input.admin_username.trim();
    if problems.is_empty() && users::by_username(store, username).await?.is_some() {
        problems.push(FieldProblem::new(
            "管理员用户名",
            format!("{username} 已存在"),
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let secret = input.admin_password.clone();
    let hash = tokio::task::spawn_blocking(move || users::hash_password(&secret))
        .await
        .map_err(|e| AppError::Store(jixiao_store::StoreError::Invalid(e.to_string())))??;
    let settings = regions::settings(store, parent).await?;
    let mut tx = store.begin().await?;
    regions::insert(&mut tx, code, input.name.trim(), Some(parent)).await?;
    // A new region starts with its parent's rule parameters and the built-in indicator library
    // (SPEC §3); its finance bureau may change both.
    regions::save_settings(&mut tx, code, &settings).await?;
    jixiao_store::indicator_library::seed_defaults(&mut tx, code).await?;
    users::insert(
        &mut tx,
        &users::NewUser {
            region: code,
            username,
            display_name: input.admin_display_name.trim(),
            password_hash: &hash,
            unit_id: None,
            agency_id: None,
            must_change_password: true,
            roles: &[Role::Sysadmin],
        },
    )
    .await?;
    let after = serde_json::json!({
        "code": code, "name": input.name.trim(), "parent": parent, "admin": username,
    })
    .to_string();
    actor
        .audit_ref(&mut tx, "region.create", KIND, code, "", &after)
        .await?;
    tx.commit().await?;
    Ok(())
}
