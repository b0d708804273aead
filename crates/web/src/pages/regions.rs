//! Regions above the county (issue 14): the roll-up of an upper level over the regions below it,
//! the drill-down into one of them (read-only, as its leaders read it), and the administrator's
//! page that adds a subordinate region with its first administrator. The rules are in
//! [`jixiao_app::regions`]; the figures in [`jixiao_store::dashboard::rollup`].

use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::home::YearQuery;
use crate::pages::{region_name, render};
use crate::{ClientIp, audit_user, see_other};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form, Json};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{Decimal, fixed2, from_hundredths};
use jixiao_domain::grade::Grade;
use jixiao_store::dashboard::RollupRow;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// One row of the roll-up table as the page shows it.
struct RollupView {
    code: String,
    name: String,
    own: bool,
    units: i64,
    projects: i64,
    amount_wan: String,
    reports: i64,
    red: i64,
    rectifications: i64,
    evaluations: i64,
    average: String,
    /// Counts by grade, in [`Grade::ALL`] order.
    grades: Vec<i64>,
}

fn average(sum_x100: i64, n: i64) -> String {
    if n > 0 {
        fixed2(from_hundredths(sum_x100) / Decimal::from(n))
    } else {
        "—".into()
    }
}

fn grade_counts(grades: &[(String, i64)]) -> Vec<i64> {
    Grade::ALL
        .iter()
        .map(|g| {
            grades
                .iter()
                .filter(|(c, _)| c == g.code())
                .map(|(_, n)| n)
                .sum()
        })
        .collect()
}

fn view(r: &RollupRow) -> RollupView {
    let h = &r.headline;
    RollupView {
        code: r.code.clone(),
        name: if r.own {
            format!("{}（本级）", r.name)
        } else {
            r.name.clone()
        },
        own: r.own,
        units: r.units,
        projects: h.projects,
        amount_wan: Fen(h.project_fen).wan_2dp(),
        reports: h.monitoring_reports,
        red: h.red_warnings,
        rectifications: h.open_rectifications,
        evaluations: h.self_evaluations,
        average: average(h.score_x100_sum, h.self_evaluations),
        grades: grade_counts(&r.grades),
    }
}

/// The sum of the rows: the whole region with everything below it.
fn total(rows: &[RollupRow], name: &str) -> RollupView {
    let mut sum = RollupRow {
        code: String::new(),
        name: name.to_string(),
        own: false,
        units: 0,
        headline: Default::default(),
        grades: Vec::new(),
    };
    for r in rows {
        let (h, s) = (&r.headline, &mut sum.headline);
        sum.units += r.units;
        s.projects += h.projects;
        s.project_fen += h.project_fen;
        s.unit_target_fen += h.unit_target_fen;
        s.monitoring_reports += h.monitoring_reports;
        s.red_warnings += h.red_warnings;
        s.open_rectifications += h.open_rectifications;
        s.self_evaluations += h.self_evaluations;
        s.score_x100_sum += h.score_x100_sum;
        sum.grades.extend(r.grades.iter().cloned());
    }
    view(&sum)
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RollupPage {
    layout: Layout,
    home_name: String,
    year: i32,
    years: Vec<i32>,
    grade_labels: Vec<&'static str>,
    rows: Vec<RollupView>,
    total: RollupView,
    /// The region looked into, if any.
    viewing: Option<String>,
}

/// The years of `home`'s subtree and its roll-up for the year asked (or the current one), from
/// the cache while nothing has changed ([`crate::cache`]).
async fn rollup(
    state: &AppState,
    home: &str,
    asked: Option<i32>,
) -> Result<(jixiao_store::years::Years, Arc<Vec<RollupRow>>), WebError> {
    let version = jixiao_store::audit::version(&state.store).await?;
    let years = state
        .subtree_years
        .get_or_compute(
            home.to_string(),
            version,
            jixiao_store::years::of_subtree(&state.store, home),
        )
        .await?;
    let year = years.pick(asked);
    let rows = state
        .rollups
        .get_or_compute((home.to_string(), year), version, async {
            jixiao_store::dashboard::rollup(&state.store, home, year)
                .await
                .map(Arc::new)
        })
        .await?;
    Ok((years, rows))
}

/// The roll-up of the user's own region over the regions below it.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let home = user.home_region().to_string();
    let (years, rows) = rollup(&state, &home, q.year).await?;
    let year = years.pick(q.year);
    let home_name = region_name(&state, &home).await?;
    let shown = region_name(&state, &user.region).await?;
    render(&RollupPage {
        layout: Layout::new(&session, &user, &shown, &state.matrix, "/regions"),
        total: total(&rows, &format!("{home_name}合计")),
        rows: rows.iter().map(view).collect(),
        home_name,
        year,
        years: years.all,
        grade_labels: Grade::ALL.iter().map(|g| g.label()).collect(),
        viewing: user.home.as_ref().map(|_| shown.clone()),
    })
}

#[derive(Deserialize)]
pub struct ViewForm {
    /// The region to look into; empty to return to one's own.
    #[serde(default)]
    code: String,
}

/// Looks into a subordinate region (or returns home): the session remembers the choice, checked
/// again on every request.
pub async fn choose(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Form(form): Form<ViewForm>,
) -> Result<Response, WebError> {
    let code = form.code.trim();
    let home = user.home_region().to_string();
    if code.is_empty() || code == home {
        jixiao_store::sessions::set_viewing_region(&state.store, &session.secret, None).await?;
        return Ok(see_other("/regions"));
    }
    let home_user = jixiao_app::User {
        region: home.clone(),
        roles: user.home_roles().to_vec(),
        ..user.user.clone()
    };
    if !jixiao_app::regions::may_oversee(&home_user)
        || !jixiao_store::regions::is_below(&state.store, &home, code).await?
    {
        return Err(WebError::Denied(format!("区划 {code} 不在您的管辖范围内")));
    }
    jixiao_store::sessions::set_viewing_region(&state.store, &session.secret, Some(code)).await?;
    audit_user(&state, &user, &ip.0, "region.view", "region", code, "").await?;
    Ok(see_other("/dashboard"))
}

/// `GET /api/v1/regions`: the user's own region and every region below it, in tree order.
pub async fn api_tree(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Value>, WebError> {
    let nodes = jixiao_store::regions::subtree(&state.store, user.home_region()).await?;
    Ok(Json(json!(
        nodes
            .iter()
            .map(|n| json!({"code": n.code, "name": n.name, "parent_code": n.parent_code, "depth": n.depth}))
            .collect::<Vec<_>>()
    )))
}

/// `GET /api/v1/regions/rollup?year=`: the roll-up the page shows, amounts in 分.
pub async fn api_rollup(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, WebError> {
    let home = user.home_region();
    let (years, rows) = rollup(&state, home, q.year).await?;
    let year = years.pick(q.year);
    let body: Vec<Value> = rows
        .iter()
        .map(|r| {
            let h = &r.headline;
            json!({
                "code": r.code, "name": r.name, "own": r.own, "units": r.units,
                "projects": h.projects, "project_fen": h.project_fen,
                "unit_target_fen": h.unit_target_fen,
                "monitoring_reports": h.monitoring_reports, "red_warnings": h.red_warnings,
                "open_rectifications": h.open_rectifications,
                "self_evaluations": h.self_evaluations,
                "average_score": (h.self_evaluations > 0)
                    .then(|| average(h.score_x100_sum, h.self_evaluations)),
                "grades": Grade::ALL.iter().zip(grade_counts(&r.grades))
                    .map(|(g, n)| (g.code().to_string(), json!(n)))
                    .collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    Ok(Json(json!({"region": home, "year": year, "rows": body})))
}

/// A region of the administrator's subtree: its code, name indented by depth, and depth.
struct RegionNode {
    code: String,
    name: String,
    depth: String,
}

#[derive(Template)]
#[template(path = "admin_regions.html")]
struct AdminPage {
    layout: Layout,
    nodes: Vec<RegionNode>,
    errors: Vec<String>,
    message: Option<String>,
    form: NewRegionForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewRegionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    admin_username: String,
    #[serde(default)]
    admin_display_name: String,
    #[serde(default)]
    admin_password: String,
}

#[derive(Deserialize)]
pub struct Flash {
    done: Option<String>,
}

async fn admin_page(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    errors: Vec<String>,
    message: Option<String>,
    mut form: NewRegionForm,
) -> Result<Html<String>, WebError> {
    let nodes = jixiao_store::regions::subtree(&state.store, &user.region)
        .await?
        .into_iter()
        .map(|n| {
            let indent = "\u{3000}".repeat(n.depth as usize);
            RegionNode {
                code: n.code,
                name: format!("{indent}{}", n.name),
                depth: n.depth.to_string(),
            }
        })
        .collect();
    form.admin_password.clear();
    let name = region_name(state, &user.region).await?;
    render(&AdminPage {
        layout: Layout::new(session, user, &name, &state.matrix, "/admin/regions"),
        nodes,
        errors,
        message,
        form,
    })
}

pub async fn admin_list(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(flash): Query<Flash>,
) -> Result<Html<String>, WebError> {
    let message = flash
        .done
        .filter(|d| d == "created")
        .map(|_| "区划已添加；其管理员首次登录须修改密码。".to_string());
    admin_page(
        &state,
        &session,
        &user,
        vec![],
        message,
        NewRegionForm::default(),
    )
    .await
}

pub async fn admin_create(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Form(form): Form<NewRegionForm>,
) -> Result<Response, WebError> {
    let input = jixiao_app::regions::NewRegion {
        code: form.code.clone(),
        name: form.name.clone(),
        parent: form.parent.clone(),
        admin_username: form.admin_username.clone(),
        admin_display_name: form.admin_display_name.clone(),
        admin_password: form.admin_password.clone(),
    };
    let actor = crate::pages::actor(&state, &user, &ip.0);
    match jixiao_app::regions::create(&actor, &state.config.policy, &input).await {
        Ok(()) => Ok(see_other("/admin/regions?done=created")),
        Err(jixiao_app::AppError::Invalid(problems)) => {
            let errors = problems
                .iter()
                .map(|p| format!("{}：{}", p.field, p.message))
                .collect();
            let page = admin_page(&state, &session, &user, errors, None, form).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, FINANCE_AND_VIEWERS, SYSADMIN};
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(
        Method::GET,
        "/regions",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(page),
    )
    .add(
        Method::POST,
        "/regions/view",
        Access::Roles(FINANCE_AND_VIEWERS),
        post(choose),
    )
    .add(
        Method::GET,
        "/api/v1/regions",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(api_tree),
    )
    .add(
        Method::GET,
        "/api/v1/regions/rollup",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(api_rollup),
    )
    .add(
        Method::GET,
        "/admin/regions",
        Access::Roles(SYSADMIN),
        get(admin_list),
    )
    .add(
        Method::POST,
        "/admin/regions",
        Access::Roles(SYSADMIN),
        post(admin_create),
    )
}
