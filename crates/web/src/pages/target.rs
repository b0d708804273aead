//! A performance target (SPEC §6): the declaration form with indicator rows picked from the
//! library and the §6.3 checks shown as the user types, submission, the finance review with its
//! rating, adjustments as new versions, and two versions side by side.

use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use super::projects::{HistoryView, history_view};
use super::show::label;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::actor;
use crate::pages::{region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use jixiao_app::review::ActionInput;
use jixiao_app::target::{
    self as flow, CheckFinding, IndicatorInput, NewTargetInput, TargetInput, TaskInput,
};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths};
use jixiao_domain::indicator::{Level1, Sign};
use jixiao_domain::target::ReviewRating;
use jixiao_domain::types::ObjectKind;
use jixiao_domain::workflow::{self, DocAction, DocState};
use jixiao_store::targets;

/// Level-2 names of the default dictionary (SPEC §6.1), for the picker: the domain's one
/// definition.
const LEVEL2: &[(&str, &[&str])] = jixiao_domain::indicator::DEFAULT_DICTIONARY;

/// The signs in the picker's order, from the domain's code list.
const SIGNS: [&str; 6] = [
    Sign::Ge.symbol(),
    Sign::Le.symbol(),
    Sign::Eq.symbol(),
    Sign::Gt.symbol(),
    Sign::Lt.symbol(),
    Sign::Qualitative.symbol(),
];

pub struct VersionView {
    pub id: i64,
    pub version_no: i32,
    pub state: String,
    pub current: bool,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "target.html")]
struct Page {
    layout: Layout,
    id: i64,
    title: String,
    project_id: Option<i64>,
    is_unit_target: bool,
    year: i32,
    version_no: i32,
    state: String,
    state_code: String,
    row_version: i32,
    rating: String,
    opinion: String,
    adjustment_reason: String,
    f: TargetInput,
    editable: bool,
    findings: Vec<CheckFinding>,
    submit_actions: Vec<crate::pages::SubmitView>,
    may_review: bool,
    may_adjust: bool,
    versions: Vec<VersionView>,
    /// An earlier version the user may see exists, so "与上一版本对比" has something to show.
    has_previous: bool,
    timeline: Vec<HistoryView>,
    level1: Vec<&'static str>,
    level2: Vec<&'static str>,
    signs: &'static [&'static str],
    ratings: Vec<crate::pages::Choice>,
    blank_rows: Vec<usize>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// Reads the posted form: `ind.N.field` rows and `task.N.field` rows, in index order.
pub fn input_of(pairs: &Pairs) -> TargetInput {
    let mut inds: std::collections::BTreeMap<usize, IndicatorInput> = Default::default();
    let mut tasks: std::collections::BTreeMap<usize, TaskInput> = Default::default();
    for (k, v) in pairs {
        let mut parts = k.splitn(3, '.');
        let (Some(kind), Some(n), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else {
            continue;
        };
        if n > 500 {
            continue;
        }
        match kind {
            "ind" => {
                let i = inds.entry(n).or_default();
                match name {
                    "level1" => i.level1 = v.clone(),
                    "level2" => i.level2 = v.clone(),
                    "name" => i.name = v.clone(),
                    "sign" => i.sign = v.clone(),
                    "target_value" => i.target_value = v.clone(),
                    "unit_of_measure" => i.unit_of_measure = v.clone(),
                    "weight" => i.weight = v.clone(),
                    "basis" => i.basis = v.clone(),
                    "library_id" => i.library_id = v.trim().parse().ok(),
                    "is_core" => i.is_core = !v.is_empty(),
                    "explanation" => i.explanation = v.clone(),
                    _ => {}
                }
            }
            "task" => {
                let k = tasks.entry(n).or_default();
                match name {
                    "task" => k.task = v.clone(),
                    "content" => k.content = v.clone(),
                    "total_wan" => k.total_wan = v.clone(),
                    "fiscal_wan" => k.fiscal_wan = v.clone(),
                    "other_wan" => k.other_wan = v.clone(),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    TargetInput {
        term: field(pairs, "term").into(),
        total_wan: field(pairs, "total_wan").into(),
        fiscal_wan: field(pairs, "fiscal_wan").into(),
        other_wan: field(pairs, "other_wan").into(),
        overall_goal: field(pairs, "overall_goal").into(),
        medium_goal: field(pairs, "medium_goal").into(),
        indicators: inds.into_values().collect(),
        tasks: tasks.into_values().collect(),
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    session: &SessionInfo,
    id: i64,
    typed: Option<TargetInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    // Reads only: the page asks the predicates its operations enforce.
    let actor = &actor(state, user, "");
    let t = flow::visible(actor, id).await?;
    let doc_state = DocState::parse(&t.state).unwrap_or(DocState::Draft);
    let editable = flow::may_edit(actor, &t).await?;
    let own = actor.submitted("target", id).await?;
    let writes = actor.may_write_for_unit(t.unit_id).await?;
    let available = if t.is_current {
        workflow::available_actions(doc_state, &user.roles, own)
    } else {
        vec![]
    };
    let unit_side = writes && actor.is_unit_user();
    let submit_actions = available
        .iter()
        .filter(|a| unit_side && matches!(a, DocAction::Submit | DocAction::Resubmit))
        .map(|a| crate::pages::SubmitView {
            action: a.code(),
            label: a.label(),
        })
        .collect();
    let may_review = actor.is_finance()
        && available
            .iter()
            .any(|a| matches!(a, DocAction::StartReview | DocAction::Approve));
    let may_adjust = available.contains(&DocAction::Adjust) && (unit_side || actor.is_finance());
    let (findings, f) = match typed {
        Some(input) => (check_findings(state, &t, &input).await?, input),
        None => {
            let stored = flow::form_of(
                &t,
                targets::indicators(&state.store, id).await?,
                targets::tasks(&state.store, id).await?,
            );
            let findings = flow::stored_findings(&state.store, &t).await?;
            (findings, stored)
        }
    };
    let title = match t.project_id {
        Some(pid) => jixiao_store::projects::get(&state.store, &user.region, pid)
            .await?
            .map(|p| format!("{} 绩效目标", p.name))
            .unwrap_or_default(),
        None => jixiao_store::units::get(&state.store, &user.region, t.unit_id)
            .await?
            .map(|u| format!("{} {} 年度部门整体绩效目标", u.name, t.fiscal_year))
            .unwrap_or_default(),
    };
    let versions = flow::visible_versions(actor, &t).await?;
    let has_previous = versions.iter().any(|v| v.version_no < t.version_no);
    let versions = versions
        .into_iter()
        .map(|v| VersionView {
            id: v.id,
            version_no: v.version_no,
            state: label(&v.state, DocState::parse, DocState::label),
            current: v.is_current,
            reason: v.adjustment_reason,
        })
        .collect();
    let timeline = jixiao_store::history::timeline(&state.store, "target", id)
        .await?
        .into_iter()
        .map(history_view)
        .collect();
    let region = region_name(state, &user.region).await?;
    let blank = if editable { 3 } else { 0 };
    render(&Page {
        layout: Layout::new(session, user, &region, &state.matrix, "/targets"),
        id,
        title,
        project_id: t.project_id,
        is_unit_target: t.object_kind == ObjectKind::Unit.code(),
        year: t.fiscal_year,
        version_no: t.version_no,
        state: doc_state.label().into(),
        state_code: doc_state.code().into(),
        row_version: t.row_version,
        rating: t
            .review_rating
            .as_deref()
            .map(|r| label(r, ReviewRating::parse, ReviewRating::label))
            .unwrap_or_default(),
        opinion: t.review_opinion.clone(),
        adjustment_reason: t.adjustment_reason.clone(),
        blank_rows: (f.indicators.len()..f.indicators.len() + blank).collect(),
        f,
        editable,
        findings,
        submit_actions,
        may_review,
        may_adjust,
        versions,
        has_previous,
        timeline,
        level1: vec![
            Level1::Output.label(),
            Level1::Cost.label(),
            Level1::Benefit.label(),
            Level1::Satisfaction.label(),
        ],
        level2: LEVEL2
            .iter()
            .flat_map(|(_, l2)| l2.iter().copied())
            .collect(),
        signs: &SIGNS,
        ratings: ReviewRating::ALL
            .iter()
            .map(|r| crate::pages::Choice::new((r.code(), r.label())))
            .collect(),
        message,
        errors,
    })
}

async fn check_findings(
    state: &AppState,
    t: &targets::TargetRecord,
    input: &TargetInput,
) -> Result<Vec<CheckFinding>, WebError> {
    let last = flow::last_year_indicators(&state.store, t).await?;
    let public = flow::serves_public(&state.store, t).await?;
    let settings = jixiao_store::regions::settings(&state.store, &t.region_code).await?;
    Ok(
        match flow::check_input(input, public, &last, &settings.scoring) {
            Ok(c) => c.findings,
            Err(e) => messages_of(&e.into())
                .into_iter()
                .map(|m| CheckFinding {
                    error: true,
                    row: None,
                    message: m,
                })
                .collect(),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "created" => "绩效目标已创建，请填写总体目标和绩效指标。".to_string(),
        "saved" => "绩效目标已保存。".to_string(),
        "adjusted" => "已发起调整，新版本为草稿，修改后重新提交审核；原版本保留可查。".to_string(),
        "first_version" => "这是该绩效目标最早的版本，没有上一版本可对比。".to_string(),
        code => format!(
            "操作成功，绩效目标当前状态：{}。",
            DocState::parse(code).map(|s| s.label()).unwrap_or("")
        ),
    });
    Ok(page(&state, &user, &session, id, None, message, vec![])
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
    let input = NewTargetInput {
        project_id: field(&pairs, "project_id").parse().ok(),
        unit_id: field(&pairs, "unit_id").parse().ok(),
        fiscal_year: field(&pairs, "fiscal_year").parse().ok(),
    };
    let actor = actor(&state, &user, &ip.0);
    match flow::create(&actor, &input).await.map_err(WebError::from) {
        Ok(id) => Ok(see_other(&format!("/targets/{id}?done=created"))),
        Err(e) if is_user_error(&e) => match input.project_id {
            Some(pid) => {
                let html = super::projects::detail_page(
                    &state,
                    &session,
                    &user,
                    pid,
                    None,
                    messages_of(&e),
                )
                .await?;
                Ok((status_of(&e), html).into_response())
            }
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

pub async fn save(
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
    flow::visible(&actor, id).await?;
    let input = input_of(&pairs);
    let row_version: i32 = super::project_flow::row_version(&pairs)?;
    match flow::save(&actor, id, row_version, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/targets/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = page(
                &state,
                &user,
                &session,
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

/// The §6.3 findings of the form as it stands, for htmx to show while the user types.
pub async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Html<String>, WebError> {
    let pairs = pairs_of(form)?;
    let actor = actor(&state, &user, "");
    let t = flow::visible(&actor, id).await?;
    let findings = check_findings(&state, &t, &input_of(&pairs)).await?;
    render(&Findings { findings })
}

#[derive(Template)]
#[template(path = "target_findings.html")]
struct Findings {
    findings: Vec<CheckFinding>,
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
    let actor = actor(&state, &user, &ip.0);
    // A record out of sight answers the same whatever was sent.
    flow::visible(&actor, id).await?;
    let input = ActionInput {
        action: field(&pairs, "action").into(),
        row_version: super::project_flow::row_version(&pairs)?,
        text: field(&pairs, "text").into(),
        rating: field(&pairs, "rating").into(),
    };
    match flow::act(&actor, id, &input).await.map_err(WebError::from) {
        Ok(o) if o.target_id != id => Ok(see_other(&format!(
            "/targets/{}?done=adjusted",
            o.target_id
        ))),
        Ok(o) => Ok(see_other(&format!("/targets/{id}?done={}", o.state))),
        Err(e) if is_user_error(&e) => {
            let html = page(&state, &user, &session, id, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub struct DiffRow {
    pub name: String,
    pub left: String,
    pub right: String,
    /// `same`, `changed`, `added`, `removed`.
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "target_compare.html")]
struct ComparePage {
    layout: Layout,
    title: String,
    left: VersionView,
    right: VersionView,
    goal_left: String,
    goal_right: String,
    amount_left: String,
    amount_right: String,
    rows: Vec<DiffRow>,
}

#[derive(serde::Deserialize)]
pub struct CompareQuery {
    with: Option<i64>,
}

fn describe(i: &targets::TargetIndicator) -> String {
    let weight = i
        .weight_x100
        .map(|w| format!("，分值 {}", fixed2(from_hundredths(w))))
        .unwrap_or_default();
    format!(
        "{}/{}：{}{}{}{}",
        i.level1, i.level2, i.sign, i.target_value, i.unit_of_measure, weight
    )
}

/// The indicators of two versions side by side, matched by name (SPEC §4: all versions stay
/// readable; §6 adjustments).
pub fn diff(left: &[targets::TargetIndicator], right: &[targets::TargetIndicator]) -> Vec<DiffRow> {
    let mut rows = Vec::new();
    for l in left {
        match right.iter().find(|r| r.name == l.name) {
            Some(r) => {
                let (a, b) = (describe(l), describe(r));
                rows.push(DiffRow {
                    name: l.name.clone(),
                    kind: if a == b { "same" } else { "changed" },
                    left: a,
                    right: b,
                });
            }
            None => rows.push(DiffRow {
                name: l.name.clone(),
                left: describe(l),
                right: String::new(),
                kind: "removed",
            }),
        }
    }
    for r in right {
        if !left.iter().any(|l| l.name == r.name) {
            rows.push(DiffRow {
                name: r.name.clone(),
                left: String::new(),
                right: describe(r),
                kind: "added",
            });
        }
    }
    rows
}

pub async fn compare(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<CompareQuery>,
) -> Result<Response, WebError> {
    let actor = actor(&state, &user, "");
    let right = flow::visible(&actor, id).await?;
    let all = flow::visible_versions(&actor, &right).await?;
    let left = match q.with {
        Some(other) => all
            .iter()
            .find(|v| v.id == other)
            .cloned()
            .ok_or_else(|| WebError::NotFound("该目标的另一版本".into()))?,
        None => match all.iter().rfind(|v| v.version_no < right.version_no) {
            Some(v) => v.clone(),
            // A first version has nothing before it: back to its page, which says so.
            None => return Ok(see_other(&format!("/targets/{id}?done=first_version"))),
        },
    };
    let (left, right) = if left.version_no > right.version_no {
        (right, left)
    } else {
        (left, right)
    };
    let li = targets::indicators(&state.store, left.id).await?;
    let ri = targets::indicators(&state.store, right.id).await?;
    let view = |v: &targets::TargetRecord| VersionView {
        id: v.id,
        version_no: v.version_no,
        state: label(&v.state, DocState::parse, DocState::label),
        current: v.is_current,
        reason: v.adjustment_reason.clone(),
    };
    let region = region_name(&state, &user.region).await?;
    Ok(render(&ComparePage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/targets"),
        title: "绩效目标版本对比".into(),
        left: view(&left),
        right: view(&right),
        goal_left: left.overall_goal.clone(),
        goal_right: right.overall_goal.clone(),
        amount_left: Fen(left.total_fen).wan_2dp(),
        amount_right: Fen(right.total_fen).wan_2dp(),
        rows: diff(&li, &ri),
    })?
    .into_response())
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, DOCUMENT_ACTORS, PROJECT_WRITERS};
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(
        Method::POST,
        "/targets",
        Access::Roles(PROJECT_WRITERS),
        post(create),
    )
    .add(Method::GET, "/targets/{id}", Access::AnyUser, get(show))
    .add(
        Method::POST,
        "/targets/{id}",
        Access::Roles(DOCUMENT_ACTORS),
        post(save),
    )
    .add(
        Method::POST,
        "/targets/{id}/check",
        Access::Roles(DOCUMENT_ACTORS),
        post(check),
    )
    .add(
        Method::POST,
        "/targets/{id}/action",
        Access::Roles(DOCUMENT_ACTORS),
        post(action),
    )
    .add(
        Method::GET,
        "/targets/{id}/compare",
        Access::AnyUser,
        get(compare),
    )
}
