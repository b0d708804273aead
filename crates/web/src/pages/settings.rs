//! The rules finance staff configure: the ex-ante rubric's dimensions, sub-items and weights and
//! the conclusion thresholds (SPEC §5, `/settings/ex-ante`), and the single-number thresholds of
//! the other rules (规则参数, `/settings/rules`). Read by finance staff and leaders, changed by the
//! finance performance office; every change audited with before and after.

use super::project_flow::{Pairs, field, pairs_of};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jixiao_domain::decimal::parse_loose;
use jixiao_domain::ex_ante::{parse_rubric_text, rubric_text};
use jixiao_domain::settings::parameters::{self, PARAMETERS};
use jixiao_domain::types::Role;

#[derive(Template)]
#[template(path = "settings_ex_ante.html")]
struct Page {
    layout: Layout,
    project: String,
    policy: String,
    support: String,
    support_after_adjustment: String,
    may_edit: bool,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    typed: Option<(String, String, String, String)>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<axum::response::Html<String>, WebError> {
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let x = &settings.ex_ante;
    let (project, policy, support, adj) = typed.unwrap_or_else(|| {
        (
            rubric_text(&x.project_dimensions),
            rubric_text(&x.policy_dimensions),
            x.support.normalize().to_string(),
            x.support_after_adjustment.normalize().to_string(),
        )
    });
    let region = region_name(state, &user.region).await?;
    render(&Page {
        layout: Layout::new(session, user, &region, &state.matrix, "/settings/ex-ante"),
        project,
        policy,
        support,
        support_after_adjustment: adj,
        may_edit: user.has(Role::FinanceAdmin),
        message,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let message = q.done.map(|_| {
        "事前绩效评估规则已保存；此后新建的评估使用新的评分表，已有评估不受影响。".to_string()
    });
    Ok(page(&state, &session, &user, None, message, vec![])
        .await?
        .into_response())
}

pub async fn save(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let typed = (
        field(&pairs, "project").to_string(),
        field(&pairs, "policy").to_string(),
        field(&pairs, "support").to_string(),
        field(&pairs, "support_after_adjustment").to_string(),
    );
    let mut errors = Vec::new();
    let project = parse_rubric_text(&typed.0).map_err(|e| {
        errors.extend(e.into_iter().map(|m| format!("项目评分表{m}")));
    });
    let policy = parse_rubric_text(&typed.1).map_err(|e| {
        errors.extend(e.into_iter().map(|m| format!("政策评分表{m}")));
    });
    let support = parse_loose(typed.2.trim());
    let adj = parse_loose(typed.3.trim());
    let hundred = jixiao_domain::decimal::from_hundredths(10_000);
    let zero = jixiao_domain::decimal::from_hundredths(0);
    match (support, adj) {
        (Some(s), Some(a)) if zero < a && a < s && s <= hundred => {}
        _ => errors.push(
            "结论分数线应满足 0 < “调整完善后予以支持”分数线 < “予以支持”分数线 ≤ 100".to_string(),
        ),
    }
    let (Ok(project), Ok(policy), Some(support), Some(adj), true) =
        (project, policy, support, adj, errors.is_empty())
    else {
        let html = page(&state, &session, &user, Some(typed), None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    };
    let mut settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let before = serde_json::to_string(&settings.ex_ante).unwrap_or_default();
    settings.ex_ante.project_dimensions = project;
    settings.ex_ante.policy_dimensions = policy;
    settings.ex_ante.support = support;
    settings.ex_ante.support_after_adjustment = adj;
    let after = serde_json::to_string(&settings.ex_ante).unwrap_or_default();
    store_settings(
        &state,
        &user,
        &ip,
        "settings.ex_ante",
        &settings,
        &before,
        &after,
    )
    .await?;
    Ok(see_other("/settings/ex-ante?done=saved"))
}

/// Saves a region's settings and its audit entry (with before and after) in one transaction.
async fn store_settings(
    state: &AppState,
    user: &CurrentUser,
    ip: &ClientIp,
    action: &str,
    settings: &jixiao_domain::settings::Settings,
    before_json: &str,
    after_json: &str,
) -> Result<(), WebError> {
    let mut tx = state.store.begin().await?;
    jixiao_store::regions::save_settings(&mut tx, &user.region, settings).await?;
    jixiao_store::audit::append(
        &mut tx,
        &jixiao_store::audit::Entry {
            user_id: Some(user.id),
            username: &user.username,
            role: user.main_role().code(),
            ip: &ip.0,
            action,
            object_kind: "settings",
            object_id: &user.region,
            before_json,
            after_json,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 规则参数 (/settings/rules): the single-number thresholds of the rules
// (`domain::settings::parameters`), read by finance staff and leaders, changed by the finance
// performance office, every change audited with before and after.

/// 结果应用 (SPEC §10) for one grade: its code and label, the recommendation code chosen for
/// it, and whether it opens a rectification.
struct GradeMapping {
    grade: &'static str,
    label: &'static str,
    chosen: &'static str,
    rectify: bool,
}

/// A budget recommendation a grade may be mapped to: its code and label.
struct RecommendationOption {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "settings_rules.html")]
struct RulesPage {
    layout: Layout,
    rows: Vec<ParameterRow>,
    /// 结果应用 (SPEC §10): per grade, and the recommendations to choose from.
    mapping: Vec<GradeMapping>,
    recommendations: Vec<RecommendationOption>,
    may_edit: bool,
    message: Option<String>,
    errors: Vec<String>,
}

struct ParameterRow {
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    section: &'static str,
    anchor: String,
    value: String,
    range: String,
}

async fn rules_page(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    typed: Option<&[(String, String)]>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<axum::response::Html<String>, WebError> {
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let rows = PARAMETERS
        .iter()
        .map(|p| ParameterRow {
            key: p.key,
            label: p.label,
            unit: p.unit.label(),
            section: p.section,
            anchor: jixiao_domain::rules::anchor_of(p.section),
            value: typed
                .and_then(|t| t.iter().find(|(k, _)| k == p.key).map(|(_, v)| v.clone()))
                .unwrap_or_else(|| p.text(&settings)),
            range: format!("{}–{}", p.min, p.max),
        })
        .collect();
    let ra = &settings.result_application;
    let mapping = jixiao_domain::grade::Grade::ALL
        .iter()
        .map(|g| {
            let key = g.code();
            let chosen = typed
                .and_then(|t| t.iter().find(|(k, _)| k == &format!("ra_{key}")))
                .and_then(|(_, v)| Recommendation::parse(v))
                .unwrap_or_else(|| recommendation_of(ra, *g));
            let rect = match typed {
                Some(t) => t.iter().any(|(k, _)| k == &format!("ra_rect_{key}")),
                None => ra.rectification_grades.contains(g),
            };
            GradeMapping {
                grade: key,
                label: g.label(),
                chosen: chosen.code(),
                rectify: rect,
            }
        })
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&RulesPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/settings/rules"),
        mapping,
        recommendations: Recommendation::ALL
            .iter()
            .map(|r| RecommendationOption {
                code: r.code(),
                label: r.label(),
            })
            .collect(),
        rows,
        may_edit: user.has(Role::FinanceAdmin),
        message,
        errors,
    })
}

pub async fn rules_show(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let message = q.done.map(|_| {
        "规则参数已保存；规则说明和此后的计算使用新的参数，已生成的记录保留当时的结果。".to_string()
    });
    Ok(rules_page(&state, &session, &user, None, message, vec![])
        .await?
        .into_response())
}

pub async fn rules_save(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let mut typed: Vec<(String, String)> = PARAMETERS
        .iter()
        .map(|p| (p.key.to_string(), field(&pairs, p.key).to_string()))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    // The result-application mapping (selects and checkboxes) rides along with the numbers.
    let mapping: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k.starts_with("ra_"))
        .cloned()
        .collect();
    let before = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let applied = parameters::apply(&before, &typed).and_then(|mut after| {
        if mapping.is_empty() {
            return Ok(after);
        }
        let mut problems = Vec::new();
        let mut rect = Vec::new();
        for g in jixiao_domain::grade::Grade::ALL {
            let key = format!("ra_{}", g.code());
            match Recommendation::parse(field(&pairs, &key)) {
                Some(r) => set_recommendation(&mut after.result_application, *g, r),
                None => problems.push((
                    "结果应用",
                    format!("“{}”等级的预算安排建议未选择或无效", g.label()),
                )),
            }
            if !field(&pairs, &format!("ra_rect_{}", g.code())).is_empty() {
                rect.push(*g);
            }
        }
        after.result_application.rectification_grades = rect;
        if problems.is_empty() {
            Ok(after)
        } else {
            Err(problems
                .into_iter()
                .map(|(a, b)| (a.to_string(), b))
                .collect())
        }
    });
    typed.extend(mapping);
    let after = match applied {
        Ok(after) => after,
        Err(problems) => {
            let errors = problems
                .into_iter()
                .map(|(label, message)| format!("{label}：{message}"))
                .collect();
            let html = rules_page(&state, &session, &user, Some(&typed), None, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
        }
    };
    let values = |s: &jixiao_domain::settings::Settings| {
        let mut map: serde_json::Map<String, serde_json::Value> = PARAMETERS
            .iter()
            .map(|p| (p.key.to_string(), serde_json::Value::String(p.text(s))))
            .collect();
        map.insert(
            "result_application".into(),
            serde_json::to_value(&s.result_application).unwrap_or_default(),
        );
        serde_json::Value::Object(map).to_string()
    };
    let (before_json, after_json) = (values(&before), values(&after));
    store_settings(
        &state,
        &user,
        &ip,
        "settings.parameters",
        &after,
        &before_json,
        &after_json,
    )
    .await?;
    Ok(see_other("/settings/rules?done=saved"))
}

use jixiao_domain::result_application::Recommendation;

fn recommendation_of(
    ra: &jixiao_domain::settings::ResultApplicationSettings,
    g: jixiao_domain::grade::Grade,
) -> Recommendation {
    use jixiao_domain::grade::Grade;
    match g {
        Grade::Excellent => ra.excellent,
        Grade::Good => ra.good,
        Grade::Fair => ra.fair,
        Grade::Poor => ra.poor,
    }
}

fn set_recommendation(
    ra: &mut jixiao_domain::settings::ResultApplicationSettings,
    g: jixiao_domain::grade::Grade,
    r: Recommendation,
) {
    use jixiao_domain::grade::Grade;
    match g {
        Grade::Excellent => ra.excellent = r,
        Grade::Good => ra.good = r,
        Grade::Fair => ra.fair = r,
        Grade::Poor => ra.poor = r,
    }
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
        "/settings/ex-ante",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(show),
    )
    .add(
        Method::POST,
        "/settings/ex-ante",
        Access::Roles(DEADLINE_SETTERS),
        post(save),
    )
    .add(
        Method::GET,
        "/settings/rules",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(rules_show),
    )
    .add(
        Method::POST,
        "/settings/rules",
        Access::Roles(DEADLINE_SETTERS),
        post(rules_save),
    )
}
