//! 绩效评价 on the web and the JSON API (SPEC §8): self-evaluation rounds opened by the finance
//! office with their per-unit progress, the self-evaluation form whose score builds while the
//! unit types (each row with the rule that gave its points), submission, and the review that may
//! reduce an over-achieved indicator's score. Every decision is `jixiao_app::evaluation`'s.

use super::api_flows::{Body, Versioned};
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use super::projects::{HistoryView, history_view};
use crate::access::{Access, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use jixiao_app::evaluation::{
    self as flow, EvaluationAction, FormInput, ReductionInput, RoundInput, RowInput,
};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths, trim};
use jixiao_domain::grade::Grade;
use jixiao_domain::result_application::Recommendation;
use jixiao_domain::scoring::{SelfEvaluationScore, Severity};
use jixiao_domain::types::Role;
use jixiao_domain::workflow::{DocAction, DocState};
use jixiao_store::self_evaluation::{self as store, Record, Row};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Who reads self-evaluation rounds: the region's finance and leaders, and the units (their
/// own rows). Agencies' evaluators and the system administrator have no part in them.
const ROUND_READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
    Role::Viewer,
];

/// Who downloads a round's workbook: finance (the whole round) and the units (their own forms).
const WORKBOOK_ROLES: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/evaluations/rounds",
        Access::Roles(ROUND_READERS),
        get(rounds_page),
    )
    .add(
        Method::POST,
        "/evaluations/rounds",
        Access::Roles(&[Role::FinanceAdmin]),
        post(open_round),
    )
    .add(
        Method::GET,
        "/evaluations/rounds/{id}",
        Access::Roles(ROUND_READERS),
        get(round_page),
    )
    .add(
        Method::GET,
        "/evaluations/{id}",
        Access::AnyUser,
        get(evaluation_page),
    )
    .add(
        Method::POST,
        "/evaluations/{id}",
        Access::AnyUser,
        post(save),
    )
    .add(
        Method::POST,
        "/evaluations/{id}/check",
        Access::AnyUser,
        post(check),
    )
    .add(
        Method::POST,
        "/evaluations/{id}/action",
        Access::AnyUser,
        post(action),
    )
    .add(
        Method::GET,
        "/api/v1/evaluation-rounds",
        Access::Roles(ROUND_READERS),
        get(api_rounds),
    )
    .add(
        Method::POST,
        "/api/v1/evaluation-rounds",
        Access::AnyUser,
        post(api_open_round),
    )
    .add(
        Method::GET,
        "/api/v1/evaluation-rounds/{id}",
        Access::Roles(ROUND_READERS),
        get(api_round),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}",
        Access::AnyUser,
        get(api_evaluation),
    )
    .add(
        Method::PUT,
        "/api/v1/evaluations/{id}",
        Access::AnyUser,
        put(api_save),
    )
    .add(
        Method::POST,
        "/api/v1/evaluations/{id}/check",
        Access::AnyUser,
        post(api_check),
    )
    .add(
        Method::POST,
        "/api/v1/evaluations/{id}/actions",
        Access::AnyUser,
        post(api_action),
    )
    .add(
        Method::GET,
        "/evaluations/{id}/form.xlsx",
        Access::AnyUser,
        get(form_xlsx),
    )
    .add(
        Method::GET,
        "/api/v1/evaluations/{id}/form.xlsx",
        Access::AnyUser,
        get(form_xlsx),
    )
    .add(
        Method::GET,
        "/evaluations/rounds/{id}/workbook.xlsx",
        Access::Roles(WORKBOOK_ROLES),
        get(round_workbook),
    )
    .add(
        Method::GET,
        "/api/v1/evaluation-rounds/{id}/workbook.xlsx",
        Access::Roles(WORKBOOK_ROLES),
        get(round_workbook),
    )
}

fn score_text(x100: Option<i64>) -> String {
    x100.map(|v| fixed2(from_hundredths(v)))
        .unwrap_or_else(|| "—".into())
}

fn grade_label(code: Option<&str>) -> String {
    code.and_then(Grade::parse)
        .map_or("—".to_string(), |g| g.label().to_string())
}

// ---------------------------------------------------------------------------------------------
// Rounds

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub struct RoundView {
    pub id: i64,
    pub fiscal_year: i32,
    pub name: String,
    pub deadline: String,
    pub carried: bool,
    pub evaluations: i64,
    pub submitted: i64,
    pub approved: i64,
}

fn round_view(r: &store::Round) -> RoundView {
    RoundView {
        id: r.id,
        fiscal_year: r.fiscal_year,
        name: r.name.clone(),
        deadline: r.deadline.to_string(),
        carried: r.include_carried_over,
        evaluations: r.evaluations,
        submitted: r.submitted,
        approved: r.approved,
    }
}

#[derive(Template)]
#[template(path = "evaluation_rounds.html")]
struct RoundsPage {
    layout: Layout,
    rounds: Vec<RoundView>,
    may_open: bool,
    year: String,
    deadline: String,
    name: String,
    carried: bool,
    errors: Vec<String>,
    may_verify_read: bool,
}

async fn rounds_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    typed: Option<RoundInput>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    if matches!(
        a.scope().await?,
        jixiao_store::browse::Scope::Agency(_) | jixiao_store::browse::Scope::Nothing
    ) {
        return Err(WebError::Forbidden);
    }
    let rounds = store::rounds(&state.store, &user.region).await?;
    let years = jixiao_store::years::of_region(&state.store, &user.region).await?;
    // The year to evaluate is, by default, the year before the current one.
    let default_year = years.current.min(jixiao_app::default_year() - 1);
    let typed = typed.unwrap_or_else(|| RoundInput {
        fiscal_year: default_year.to_string(),
        ..Default::default()
    });
    let region = region_name(state, &user.region).await?;
    render(&RoundsPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        rounds: rounds.iter().map(round_view).collect(),
        may_open: user.has(Role::FinanceAdmin),
        may_verify_read: jixiao_app::verification::reader_units(&a).await.is_ok(),
        year: typed.fiscal_year,
        deadline: typed.deadline,
        name: typed.name,
        carried: typed.include_carried_over,
        errors,
    })
}

pub async fn rounds_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    rounds_view(&state, &session, &user, None, vec![]).await
}

fn round_input_of(pairs: &Pairs) -> RoundInput {
    RoundInput {
        fiscal_year: field(pairs, "fiscal_year").into(),
        deadline: field(pairs, "deadline").into(),
        name: field(pairs, "name").into(),
        include_carried_over: matches!(field(pairs, "include_carried_over"), "on" | "true" | "1"),
    }
}

pub async fn open_round(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = round_input_of(&pairs);
    match flow::open_round(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(o) => Ok(see_other(&format!(
            "/evaluations/rounds/{}?done={}-{}-{}-{}",
            o.id,
            o.drafts.projects,
            o.drafts.units,
            o.drafts.adopted,
            o.drafts.units_without_target
        ))),
        Err(e) if is_user_error(&e) => {
            let html = rounds_view(&state, &session, &user, Some(input), messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub struct ProgressView {
    pub unit_name: String,
    pub evaluations: i64,
    pub submitted: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub approved: i64,
    pub overdue: bool,
}

pub struct RoundRowView {
    pub id: i64,
    pub object: String,
    pub title: String,
    pub code: String,
    pub unit_name: String,
    pub state: String,
    pub state_code: String,
    pub total: String,
    pub grade: String,
}

#[derive(Template)]
#[template(path = "evaluation_round.html")]
struct RoundPage {
    layout: Layout,
    r: RoundView,
    message: Option<String>,
    overdue: bool,
    units: Vec<ProgressView>,
    totals: ProgressView,
    rows: Vec<RoundRowView>,
    page: i64,
    more: bool,
    /// The reader fills forms (a unit) or oversees them (finance): the workbook link.
    may_download: bool,
    finance: bool,
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    done: Option<String>,
    page: Option<i64>,
}

const PAGE: i64 = 100;

pub async fn round_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> Result<Html<String>, WebError> {
    let a = actor(&state, &user, "");
    let round = flow::round(&a, id).await?;
    let units = flow::progress_units(&a).await?;
    let overdue = jixiao_store::deadlines::today() > round.deadline;
    let progress = store::progress(&state.store, &round, units.as_deref()).await?;
    let view = |u: &store::UnitProgress| ProgressView {
        unit_name: u.unit_name.clone(),
        evaluations: u.evaluations,
        submitted: u.submitted,
        on_time: u.on_time,
        late: u.late,
        missing: u.evaluations - u.submitted,
        approved: u.approved,
        overdue: overdue && u.evaluations > u.submitted,
    };
    let mut totals = ProgressView {
        unit_name: "合计".into(),
        evaluations: 0,
        submitted: 0,
        on_time: 0,
        late: 0,
        missing: 0,
        approved: 0,
        overdue,
    };
    for u in &progress {
        totals.evaluations += u.evaluations;
        totals.submitted += u.submitted;
        totals.on_time += u.on_time;
        totals.late += u.late;
        totals.missing += u.evaluations - u.submitted;
        totals.approved += u.approved;
    }
    let page = q.page.unwrap_or(0).clamp(0, 100_000);
    let mut rows =
        store::round_rows(&state.store, id, units.as_deref(), PAGE + 1, page * PAGE).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let message = q.done.as_deref().map(|d| {
        let n: Vec<&str> = d.split('-').collect();
        match n.as_slice() {
            [p, u, a, w] => format!(
                "自评已部署：项目自评 {p} 份、部门整体自评 {u} 份{}，已列入各单位待办。{}",
                if *a == "0" {
                    String::new()
                } else {
                    format!("，另有此前导入的自评 {a} 份并入本轮")
                },
                if *w == "0" {
                    String::new()
                } else {
                    format!(
                        "另有 {w} 个一级预算单位没有生效的部门整体绩效目标，未生成部门整体自评表。"
                    )
                }
            ),
            _ => "操作成功。".into(),
        }
    });
    let region = region_name(&state, &user.region).await?;
    render(&RoundPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/evaluations"),
        r: round_view(&round),
        message,
        overdue,
        may_download: flow::workbook_units(&a).await.is_ok(),
        finance: a.is_finance(),
        units: progress.iter().map(view).collect(),
        totals,
        rows: rows
            .into_iter()
            .map(|e| RoundRowView {
                id: e.id,
                object: if e.object_kind == "unit" {
                    "部门整体".into()
                } else {
                    "项目".into()
                },
                title: e.title,
                code: e.project_code.unwrap_or_default(),
                unit_name: e.unit_name,
                state: DocState::parse(&e.state).map_or(e.state.clone(), |s| s.label().into()),
                state_code: e.state,
                total: score_text(e.total_x100),
                grade: grade_label(e.grade.as_deref()),
            })
            .collect(),
        page,
        more,
    })
}

// ---------------------------------------------------------------------------------------------
// The form

/// The score of the form (stored or as typed), for the live panel.
pub struct ScoreView {
    pub execution_rate: String,
    pub execution_score: String,
    pub total: String,
    pub grade: String,
    /// Per row, by position: (points, the rule that gave them, over-achieved).
    pub rows: Vec<(String, String, bool)>,
    /// (error?, message)
    pub findings: Vec<(bool, String)>,
    pub problems: Vec<String>,
}

fn score_view(s: &SelfEvaluationScore, explanations: &[String], rows: &[Row]) -> ScoreView {
    let place = |n: Option<usize>| {
        n.and_then(|n| rows.get(n))
            .map_or(String::new(), |r| format!("第 {} 行“{}”：", r.seq, r.name))
    };
    ScoreView {
        execution_rate: s
            .execution
            .as_ref()
            .and_then(|e| e.rate)
            .map_or("—".into(), |r| format!("{}%", fixed2(r))),
        execution_score: s.execution.as_ref().map_or("—".into(), |e| fixed2(e.score)),
        total: s.total.map_or("—".into(), fixed2),
        grade: s.grade.map_or("—".into(), |g| g.label().to_string()),
        rows: s
            .indicators
            .iter()
            .zip(explanations)
            .map(|(i, e)| {
                (
                    i.score.map_or("—".into(), fixed2),
                    e.clone(),
                    i.over_achieved,
                )
            })
            .collect(),
        findings: s
            .findings
            .iter()
            .map(|f| {
                (
                    f.severity == Severity::Error,
                    format!("{}{}", place(f.indicator), f.message),
                )
            })
            .collect(),
        problems: vec![],
    }
}

fn empty_score(problems: Vec<String>) -> ScoreView {
    ScoreView {
        execution_rate: "—".into(),
        execution_score: "—".into(),
        total: "—".into(),
        grade: "—".into(),
        rows: vec![],
        findings: vec![],
        problems,
    }
}

/// One indicator row of the form.
pub struct RowView {
    pub seq: i32,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub target: String,
    pub weight: String,
    pub sub_item: bool,
    pub qualitative: bool,
    pub actual: String,
    pub tier: String,
    pub chosen: String,
    pub reason: String,
    pub points: String,
    pub over: bool,
    /// The reviewer's reduction: (reduced score, reason).
    pub reduced: Option<(String, String)>,
}

fn row_view(r: &Row, input: Option<&RowInput>, points: Option<&(String, String, bool)>) -> RowView {
    let qualitative = r.sign == "定性";
    let target = if qualitative {
        r.target_value.clone()
    } else {
        format!("{}{}{}", r.sign, r.target_value, r.unit_of_measure)
    };
    let (actual, tier, chosen, reason) = match input {
        Some(i) => (
            i.actual.clone(),
            i.tier.clone(),
            i.chosen.clone(),
            i.reason.clone(),
        ),
        None => (
            r.actual_value.clone(),
            r.tier.map(|t| t.to_string()).unwrap_or_default(),
            r.chosen_x100
                .map(|c| trim(from_hundredths(c)))
                .unwrap_or_default(),
            r.deviation_reason.clone(),
        ),
    };
    RowView {
        seq: r.seq,
        level1: r.level1.clone(),
        level2: r.level2.clone(),
        name: r.name.clone(),
        target,
        weight: r
            .weight_x100
            .map(|w| trim(from_hundredths(w)))
            .unwrap_or_default(),
        sub_item: r.parent_seq.is_some(),
        qualitative,
        actual,
        tier,
        chosen,
        reason,
        points: points.map_or_else(|| score_text(r.score_x100), |p| p.0.clone()),
        over: points.is_some_and(|p| p.2),
        reduced: r
            .reduced_x100
            .map(|v| (fixed2(from_hundredths(v)), r.reduction_reason.clone())),
    }
}

/// Reads the posted form: `budget_wan`, `executed_wan`, `overall_actual` and
/// `ind.{seq}.{actual|tier|chosen|reason}`.
pub fn input_of(pairs: &Pairs) -> FormInput {
    let mut rows: std::collections::BTreeMap<i32, RowInput> = Default::default();
    for (k, v) in pairs {
        let mut parts = k.splitn(3, '.');
        let (Some("ind"), Some(n), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(seq) = n.parse::<i32>() else {
            continue;
        };
        if !(1..=1000).contains(&seq) {
            continue;
        }
        let i = rows.entry(seq).or_insert_with(|| RowInput {
            seq,
            ..Default::default()
        });
        match name {
            "actual" => i.actual = v.clone(),
            "tier" => i.tier = v.clone(),
            "chosen" => i.chosen = v.clone(),
            "reason" => i.reason = v.clone(),
            _ => {}
        }
    }
    FormInput {
        budget_wan: field(pairs, "budget_wan").into(),
        executed_wan: field(pairs, "executed_wan").into(),
        overall_actual: field(pairs, "overall_actual").into(),
        indicators: rows.into_values().collect(),
    }
}

#[derive(Template)]
#[template(path = "self_evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    r: Record,
    state: String,
    object: String,
    budget: Vec<(String, String)>,
    budget_wan: String,
    executed_wan: String,
    overall_actual: String,
    rows: Vec<RowView>,
    fig: ScoreView,
    tiers: Vec<(usize, String)>,
    editable: bool,
    submit_action: Option<(&'static str, &'static str)>,
    may_review: bool,
    recommendation: Option<(String, String)>,
    notices: Vec<(i64, String, String)>,
    timeline: Vec<HistoryView>,
    message: Option<String>,
    errors: Vec<String>,
    /// The verification (§8.6): (verified score, gap, inaccurate, evidence); empty score while
    /// sampled but not yet verified.
    verification: Option<(String, String, bool, String)>,
    /// Finance may add this approved self-evaluation to the year's sample.
    may_add_verification: bool,
    finance: bool,
    /// The public's ratings of the project (count, share of 4 and 5): evidence for the
    /// 服务对象满意度 indicator.
    survey: Option<(i64, String)>,
}

#[allow(clippy::too_many_arguments)]
async fn evaluation_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    r: Record,
    typed: Option<FormInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let id = r.id;
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let editable = flow::may_edit(&a, &r).await?;
    let doc = DocState::parse(&r.state).unwrap_or(DocState::Draft);
    let fig = match &typed {
        Some(input) => match flow::check_input(&settings, &r, &rows, input) {
            Ok(c) => score_view(&c.score, &c.explanations, &rows),
            Err(e) => empty_score(messages_of(&e.into())),
        },
        None => match flow::stored_score(&settings, &r, &rows) {
            Some((s, e)) => score_view(&s, &e, &rows),
            None => empty_score(vec![]),
        },
    };
    let row_views: Vec<RowView> = rows
        .iter()
        .enumerate()
        .map(|(n, row)| {
            let typed_row = typed
                .as_ref()
                .and_then(|t| t.indicators.iter().find(|i| i.seq == row.seq));
            row_view(row, typed_row, fig.rows.get(n))
        })
        .collect();
    let filled = r.filled_at.is_some();
    let (budget_wan, executed_wan, overall_actual) = match &typed {
        Some(t) => (
            t.budget_wan.clone(),
            t.executed_wan.clone(),
            t.overall_actual.clone(),
        ),
        None => (
            trim(Fen(r.budget_fen).wan()),
            // Nothing entered yet: an empty field, never a 0 that looks reported.
            if filled {
                trim(Fen(r.executed_fen).wan())
            } else {
                String::new()
            },
            r.overall_actual.clone(),
        ),
    };
    let unit_side = user.is_unit_user() && a.may_write_for_unit(r.unit_id).await?;
    let may = |action| {
        unit_side
            && jixiao_domain::workflow::transition(doc, action, &user.roles, false, None).is_ok()
    };
    let submit_action = match doc {
        DocState::Draft if may(DocAction::Submit) => Some(("submit", "提交自评")),
        DocState::Returned if may(DocAction::Resubmit) => Some(("resubmit", "重新提交")),
        _ => None,
    };
    let own = a.submitted(flow::KIND, id).await?;
    let may_review =
        user.is_finance() && matches!(doc, DocState::Submitted | DocState::UnderReview) && !own;
    let recommendation = match doc {
        DocState::Approved => store::recommendation_of(&state.store, id).await?.map(|x| {
            (
                Recommendation::parse(&x.recommendation)
                    .map_or(x.recommendation.clone(), |r| r.label().to_string()),
                x.next_year.to_string(),
            )
        }),
        _ => None,
    };
    let verified = jixiao_app::verification::of_evaluation(&a, id).await?;
    // A notice drafted by an inaccurate verification belongs to this self-evaluation too.
    let mut sources =
        jixiao_store::rectifications::of_source(&state.store, "evaluation", id).await?;
    if let Some(v) = &verified {
        sources.extend(
            jixiao_store::rectifications::of_source(
                &state.store,
                jixiao_app::verification::KIND,
                v.id,
            )
            .await?,
        );
    }
    let may_add_verification =
        verified.is_none() && doc == DocState::Approved && user.has(Role::FinanceAdmin);
    // A unit sees the verdict once it is recorded; finance sees the row as soon as it is sampled.
    let verification = verified
        .filter(|v| user.is_finance() || v.verified_x100.is_some())
        .map(|v| {
            (
                v.verified_x100
                    .map(|x| trim(from_hundredths(x)))
                    .unwrap_or_default(),
                v.verified_x100
                    .map(|x| trim(from_hundredths((v.self_x100 - x).abs())))
                    .unwrap_or_default(),
                v.inaccurate,
                v.evidence,
            )
        });
    let notices = sources
        .into_iter()
        .filter(|k| user.is_finance() || k.state != "draft")
        .map(|k| {
            (
                k.id,
                k.problem.clone(),
                jixiao_domain::workflow::RectificationState::parse(&k.state)
                    .map_or(k.state.clone(), |s| s.label().to_string()),
            )
        })
        .collect();
    let timeline = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(history_view)
        .collect();
    let mut budget = vec![(
        "年度资金总额（年初预算数）".to_string(),
        Fen(r.initial_budget_fen).wan_2dp(),
    )];
    if r.project_id.is_some() {
        budget.push((
            "其中：当年财政拨款".into(),
            Fen(r.current_fen.unwrap_or_default()).wan_2dp(),
        ));
        budget.push((
            "上年结转资金".into(),
            Fen(r.carryover_fen.unwrap_or_default()).wan_2dp(),
        ));
        budget.push((
            "其他资金".into(),
            Fen(r.other_fen.unwrap_or_default()).wan_2dp(),
        ));
    }
    let region = region_name(state, &user.region).await?;
    render(&EvaluationPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        verification,
        may_add_verification,
        finance: user.is_finance(),
        survey: match r.project_id {
            Some(p) => jixiao_app::feedback::evidence(
                jixiao_store::feedback::ratings(&state.store, p).await?,
            ),
            None => None,
        },
        state: doc.label().into(),
        object: if r.object_kind == "unit" {
            "部门整体支出绩效自评表".into()
        } else {
            "项目支出绩效自评表".into()
        },
        budget,
        budget_wan,
        executed_wan,
        overall_actual,
        rows: row_views,
        fig,
        tiers: settings
            .scoring
            .qualitative_tiers
            .iter()
            .enumerate()
            .map(|(n, t)| (n, t.label.clone()))
            .collect(),
        editable,
        submit_action,
        may_review,
        recommendation,
        notices,
        timeline,
        message,
        errors,
        r,
    })
}

/// An evaluation's page: the self-evaluation form and workflow; department and finance
/// evaluations keep their record page.
pub async fn evaluation_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    let r = flow::visible(&a, id).await?;
    if matches!(r.kind.as_str(), "department" | "finance") {
        let message = q.done.map(|d| match d.as_str() {
            "saved" => "评价已保存。".to_string(),
            code => format!(
                "操作成功，评价当前状态：{}。",
                DocState::parse(code).map(|s| s.label()).unwrap_or("")
            ),
        });
        return Ok(super::department_evaluation::evaluation_view(
            &state,
            &session,
            &user,
            r,
            None,
            message,
            vec![],
        )
        .await?
        .into_response());
    }
    if r.kind != "self" {
        return Ok(
            super::records::evaluation(State(state), Extension(session), user, Path(id))
                .await?
                .into_response(),
        );
    }
    let message = q.done.map(|d| match d.as_str() {
        "saved" => "绩效自评已保存。".to_string(),
        "verification" => "已加入本年度真实性核查样本。".to_string(),
        code => format!(
            "操作成功，绩效自评当前状态：{}。",
            DocState::parse(code).map(|s| s.label()).unwrap_or("")
        ),
    });
    Ok(
        evaluation_view(&state, &session, &user, r, None, message, vec![])
            .await?
            .into_response(),
    )
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
    let a = actor(&state, &user, &ip.0);
    let r = flow::visible(&a, id).await?;
    if matches!(r.kind.as_str(), "department" | "finance") {
        return super::department_evaluation::save(&state, &session, &user, &ip.0, r, &pairs).await;
    }
    let row_version = super::project_flow::row_version(&pairs)?;
    let input = input_of(&pairs);
    match flow::save(&a, id, row_version, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/evaluations/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = evaluation_view(
                &state,
                &session,
                &user,
                r,
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

#[derive(Template)]
#[template(path = "self_evaluation_score.html")]
struct ScorePartial {
    fig: ScoreView,
}

/// The score of the form as typed, for htmx to show while the user types.
pub async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Html<String>, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, "");
    if matches!(
        flow::visible(&a, id).await?.kind.as_str(),
        "department" | "finance"
    ) {
        return super::department_evaluation::check(&state, &user, id, &pairs).await;
    }
    let input = input_of(&pairs);
    let rows = store::rows(&state.store, id).await?;
    let fig = match flow::check(&a, id, &input).await? {
        Ok((s, e)) => score_view(&s, &e, &rows),
        Err(problems) => empty_score(
            problems
                .into_iter()
                .map(|p| format!("{}：{}", p.field, p.message))
                .collect(),
        ),
    };
    render(&ScorePartial { fig })
}

/// Reads the reviewer's reductions: `cut.{seq}.score` and `cut.{seq}.reason`.
fn reductions_of(pairs: &Pairs) -> Vec<ReductionInput> {
    let mut rows: std::collections::BTreeMap<i32, ReductionInput> = Default::default();
    for (k, v) in pairs {
        let mut parts = k.splitn(3, '.');
        let (Some("cut"), Some(n), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(seq) = n.parse::<i32>() else {
            continue;
        };
        if !(1..=1000).contains(&seq) {
            continue;
        }
        let i = rows.entry(seq).or_insert_with(|| ReductionInput {
            seq,
            ..Default::default()
        });
        match name {
            "score" => i.score = v.clone(),
            "reason" => i.reason = v.clone(),
            _ => {}
        }
    }
    rows.into_values().collect()
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
    let is_return = field(&pairs, "action") == DocAction::Return.code();
    let input = EvaluationAction {
        action: field(&pairs, "action").into(),
        row_version: super::project_flow::row_version(&pairs)?,
        text: field(&pairs, "text").into(),
        reductions: if is_return {
            vec![]
        } else {
            reductions_of(&pairs)
        },
    };
    match flow::act(&a, id, &input).await.map_err(WebError::from) {
        Ok(o) => Ok(see_other(&format!("/evaluations/{id}?done={}", o.state))),
        Err(e) if is_user_error(&e) => {
            let r = flow::visible(&a, id).await?;
            let html = if matches!(r.kind.as_str(), "department" | "finance") {
                super::department_evaluation::evaluation_view(
                    &state,
                    &session,
                    &user,
                    r,
                    None,
                    None,
                    messages_of(&e),
                )
                .await?
            } else {
                evaluation_view(&state, &session, &user, r, None, None, messages_of(&e)).await?
            };
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// API

pub async fn api_rounds(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    if matches!(
        a.scope().await?,
        jixiao_store::browse::Scope::Agency(_) | jixiao_store::browse::Scope::Nothing
    ) {
        return Err(WebError::Forbidden);
    }
    let rounds = store::rounds(&state.store, &user.region).await?;
    Ok(axum::Json(json!({"rounds": rounds})))
}

pub async fn api_open_round(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<RoundInput>,
) -> Result<(StatusCode, axum::Json<flow::RoundOpened>), WebError> {
    let o = flow::open_round(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(o)))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn api_round(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    let round = flow::round(&a, id).await?;
    let units = flow::progress_units(&a).await?;
    let progress = store::progress(&state.store, &round, units.as_deref()).await?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let offset = q.offset.unwrap_or(0).max(0);
    let rows = store::round_rows(&state.store, id, units.as_deref(), limit, offset).await?;
    Ok(axum::Json(json!({
        "round": round, "progress": progress, "evaluations": rows,
        "limit": limit, "offset": offset,
    })))
}

#[derive(Serialize)]
pub struct ScoreJson {
    execution_rate: Option<String>,
    execution_score: Option<String>,
    total: Option<String>,
    grade: Option<String>,
    indicators: Vec<Value>,
    findings: Vec<Value>,
}

fn score_json(s: &SelfEvaluationScore, explanations: &[String]) -> ScoreJson {
    ScoreJson {
        execution_rate: s.execution.as_ref().and_then(|e| e.rate).map(fixed2),
        execution_score: s.execution.as_ref().map(|e| fixed2(e.score)),
        total: s.total.map(fixed2),
        grade: s.grade.map(|g| g.code().to_string()),
        indicators: s
            .indicators
            .iter()
            .zip(explanations)
            .map(|(i, e)| {
                json!({"score": i.score.map(fixed2), "met": i.met, "over_achieved": i.over_achieved,
                "needs_explanation": i.needs_explanation, "rule": e})
            })
            .collect(),
        findings: s
            .findings
            .iter()
            .map(|f| {
                json!({"error": f.severity == Severity::Error, "indicator": f.indicator,
                "message": f.message})
            })
            .collect(),
    }
}

pub async fn api_evaluation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    let r = flow::visible(&a, id).await?;
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let score = if matches!(r.kind.as_str(), "department" | "finance") {
        super::department_evaluation::stored_score_json(&settings, &r, &rows)
    } else {
        flow::stored_score(&settings, &r, &rows).map(|(s, e)| json!(score_json(&s, &e)))
    };
    let history: Vec<Value> = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(|h| {
            json!({"from_state": h.from_state, "to_state": h.to_state, "action": h.action,
                "actor_name": h.actor_name, "opinion": h.opinion, "at": h.at.to_rfc3339()})
        })
        .collect();
    let recommendation = store::recommendation_of(&state.store, id).await?;
    Ok(axum::Json(json!({
        "evaluation": r, "indicators": rows, "score": score,
        "may_edit": flow::may_edit(&a, &r).await?,
        "recommendation": recommendation,
        "history": history,
    })))
}

pub async fn api_save(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<FormInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    flow::save(&a, id, input.row_version()?, &input.body).await?;
    let r = flow::visible(&a, id).await?;
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let score = flow::stored_score(&settings, &r, &rows).map(|(s, e)| score_json(&s, &e));
    Ok(axum::Json(
        json!({"score": score, "row_version": r.row_version}),
    ))
}

pub async fn api_check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Body(input): Body<FormInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, "");
    Ok(axum::Json(match flow::check(&a, id, &input).await? {
        Ok((s, e)) => json!({"score": score_json(&s, &e), "problems": []}),
        Err(p) => json!({"score": null, "problems": p.iter().map(|p| json!({"field": p.field,
            "message": p.message})).collect::<Vec<_>>()}),
    }))
}

pub async fn api_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<EvaluationAction>,
) -> Result<axum::Json<flow::EvaluationOutcome>, WebError> {
    let o = flow::act(&actor(&state, &user, &ip.0), id, &input).await?;
    Ok(axum::Json(o))
}

// ---------------------------------------------------------------------------------------------
// The form as .xlsx

/// A self-evaluation as the 项目支出绩效自评表 / 部门整体支出绩效自评表 in the central layout,
/// pre-filled with the target and budget and whatever the unit has entered. The import reads it
/// back into the same draft (`jixiao_store::imports`), so a unit may fill it in Excel.
fn self_evaluation_form(
    settings: &jixiao_domain::settings::Settings,
    r: &Record,
    rows: &[Row],
) -> jixiao_forms::xlsx::write::Form {
    use super::monitoring::{form_target, form_value};
    use jixiao_forms::xlsx::write::{
        EvaluatedIndicator, FundsLine, Indicator, ProjectSelfEvaluationForm, SelfEvaluationFunds,
        UnitSelfEvaluationForm,
    };
    let filled = r.filled_at.is_some();
    let line = |fen: Option<i64>| FundsLine {
        start: None,
        budget: fen.map(Fen),
        executed: None,
    };
    let funds = SelfEvaluationFunds {
        total: FundsLine {
            start: Some(Fen(r.initial_budget_fen)),
            budget: Some(Fen(r.budget_fen)),
            executed: filled.then_some(Fen(r.executed_fen)),
        },
        current: line(r.current_fen),
        carried: line(r.carryover_fen.filter(|f| *f != 0)),
        other: line(r.other_fen.filter(|f| *f != 0)),
        weight: Some(settings.scoring.execution_weight),
        rate: r
            .execution_rate_x100
            .filter(|_| filled)
            .map(from_hundredths),
        score: r
            .execution_score_x100
            .filter(|_| filled)
            .map(from_hundredths),
    };
    let indicators = rows
        .iter()
        .map(|row| {
            let mut i = Indicator::new(
                &row.level1,
                &row.level2,
                &row.name,
                form_target(&row.sign, &row.target_value, &row.unit_of_measure),
            );
            i.weight = row.weight_x100.map(from_hundredths);
            i.sub_item = row.parent_seq.is_some();
            EvaluatedIndicator {
                indicator: i,
                actual: form_value(&row.actual_value),
                score: row
                    .reduced_x100
                    .or(row.score_x100)
                    .filter(|_| filled)
                    .map(from_hundredths),
                explanation: row.deviation_reason.clone(),
            }
        })
        .collect();
    let total_score = r.total_x100.filter(|_| filled).map(from_hundredths);
    if r.object_kind == "unit" {
        UnitSelfEvaluationForm {
            fiscal_year: r.fiscal_year,
            unit: r.unit_name.clone(),
            funds,
            goal_expected: r.overall_goal.clone(),
            goal_actual: r.overall_actual.clone(),
            indicators,
            total_score,
        }
        .into()
    } else {
        ProjectSelfEvaluationForm {
            fiscal_year: r.fiscal_year,
            project: r.title.clone(),
            department: r.unit_name.clone(),
            implementer: r.unit_name.clone(),
            funds,
            goal_expected: r.overall_goal.clone(),
            goal_actual: r.overall_actual.clone(),
            indicators,
            total_score,
        }
        .into()
    }
}

/// `GET /evaluations/{id}/form.xlsx`: one self-evaluation as its pre-filled form, for whoever may
/// open it.
pub async fn form_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    let r = flow::visible(&a, id).await?;
    if r.kind != "self" {
        return Err(WebError::NotFound(
            "只有绩效自评有填报表；部门评价和财政评价请在评价页面查看".into(),
        ));
    }
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let bytes = jixiao_forms::xlsx::write::write_form(&self_evaluation_form(&settings, &r, &rows))
        .map_err(|e| WebError::Internal(format!("生成自评表失败：{e}")))?;
    Ok(super::monitoring::xlsx_download(
        bytes,
        "self-evaluation.xlsx",
        &format!("{}（{}年度绩效自评表）.xlsx", r.title, r.fiscal_year),
    ))
}

/// Forms in one workbook at most: Excel copes, people do not.
const WORKBOOK_FORMS: i64 = 500;

/// `GET /evaluations/rounds/{id}/workbook.xlsx`: the round's forms of the reader's units (finance:
/// all), one sheet each, to fill in Excel and upload on 数据导入 as 绩效自评.
pub async fn round_workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    let round = flow::round(&a, id).await?;
    let units = flow::workbook_units(&a).await?;
    let listed = store::round_rows(
        &state.store,
        round.id,
        units.as_deref(),
        WORKBOOK_FORMS + 1,
        0,
    )
    .await?;
    if listed.is_empty() {
        return Err(WebError::Conflict(
            "该自评任务中没有您可填报的绩效自评".into(),
        ));
    }
    if listed.len() as i64 > WORKBOOK_FORMS {
        return Err(WebError::Conflict(format!(
            "该自评任务超过 {WORKBOOK_FORMS} 份自评表，超出单个工作簿的上限；请在各单位的自评页面逐份下载"
        )));
    }
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let mut forms = Vec::with_capacity(listed.len());
    for row in &listed {
        let Some(r) = store::record(&state.store, &user.region, row.id).await? else {
            continue;
        };
        let rows = store::rows(&state.store, r.id).await?;
        forms.push(self_evaluation_form(&settings, &r, &rows));
    }
    let bytes = jixiao_forms::xlsx::write::write_forms(&forms)
        .map_err(|e| WebError::Internal(format!("生成自评表失败：{e}")))?;
    Ok(super::monitoring::xlsx_download(
        bytes,
        "self-evaluations.xlsx",
        &format!("{}（填报表）.xlsx", round.name),
    ))
}
