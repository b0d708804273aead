//! The project library: a filtered, paged list and a detail page with the target's indicators,
//! its workflow timeline and the project's evaluations. Scoped to what the user may see.

mod export;
pub use self::export::*;

use super::show::label;
use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render, scope};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths};
use jixiao_domain::grade::Grade;
use jixiao_domain::types::{AssessorKind, BudgetTiming, BudgetType, Continuity, EvaluationKind};
use jixiao_domain::workflow::{DocAction, DocState, ProjectAction, ProjectState};
use jixiao_store::browse::{self, ProjectFilter, ProjectSort};
use serde::Deserialize;

pub struct Row {
    pub id: i64,
    pub year: i32,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub budget_type: String,
    pub timing: String,
    pub continuity: String,
    pub amount: String,
    pub status: String,
    pub status_code: String,
    pub major: bool,
}

impl From<browse::ProjectRow> for Row {
    fn from(p: browse::ProjectRow) -> Row {
        Row {
            id: p.id,
            year: p.fiscal_year,
            budget_type: label(&p.budget_type, BudgetType::parse, BudgetType::label),
            timing: label(&p.timing, BudgetTiming::parse, BudgetTiming::label),
            continuity: label(&p.continuity, Continuity::parse, Continuity::label),
            status: label(&p.library_status, ProjectState::parse, ProjectState::label),
            amount: Fen(p.total_fen).wan_2dp(),
            status_code: p.library_status.clone(),
            code: p.code,
            name: p.name,
            unit: p.unit_name,
            major: p.is_major,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    year: Option<String>,
    budget_type: Option<String>,
    status: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    layout: Layout,
    can_create: bool,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    years: Vec<i32>,
    budget_types: Vec<crate::pages::Choice>,
    statuses: Vec<crate::pages::Choice>,
    sorts: Vec<crate::pages::Choice>,
    filter_year: String,
    filter_budget: String,
    filter_status: String,
    filter_q: String,
    filter_sort: String,
    prev_link: String,
    next_link: String,
    export_link: String,
}

const PER_PAGE: i64 = 50;

pub fn filter_of(q: &ListQuery) -> ProjectFilter {
    ProjectFilter {
        year: q.year.as_deref().and_then(|y| y.parse().ok()),
        unit_id: None,
        budget_type: q
            .budget_type
            .clone()
            .filter(|b| BudgetType::parse(b).is_some()),
        status: q
            .status
            .clone()
            .filter(|s| ProjectState::parse(s).is_some()),
        search: q.q.clone(),
        sort: match q.sort.as_deref() {
            Some("name") => ProjectSort::Name,
            Some("amount") => ProjectSort::AmountDesc,
            Some("unit") => ProjectSort::Unit,
            _ => ProjectSort::Code,
        },
        // A page past any possible row count is an empty page (no overflowing offset or link).
        page: q.page.unwrap_or(1).clamp(1, browse::MAX_PAGE),
        per_page: PER_PAGE,
    }
}

pub async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let scope = scope(&state, &user).await?;
    let filter = filter_of(&q);
    let (rows, total) = browse::projects(&state.store, &user.region, &scope, &filter).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |page: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("year", q.year.clone()),
            ("budget_type", q.budget_type.clone()),
            ("status", q.status.clone()),
            ("q", q.q.clone()),
            ("sort", q.sort.clone()),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                s.append_pair(k, &v);
            }
        }
        s.append_pair("page", &page.to_string());
        format!("/projects?{}", s.finish())
    };
    let region = region_name(&state, &user.region).await?;
    let page = ListPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/projects"),
        can_create: user
            .roles
            .iter()
            .any(|r| crate::access::PROJECT_WRITERS.contains(r)),
        rows: rows.into_iter().map(Row::from).collect(),
        total,
        page: filter.page,
        pages,
        years: jixiao_store::projects::years(&state.store, &user.region).await?,
        budget_types: BudgetType::ALL
            .iter()
            .map(|b| crate::pages::Choice::new((b.code(), b.label())))
            .collect(),
        statuses: ProjectState::ALL
            .iter()
            .map(|s| crate::pages::Choice::new((s.code(), s.label())))
            .collect(),
        sorts: [
            ("code", "按编码"),
            ("name", "按名称"),
            ("amount", "按金额（大到小）"),
            ("unit", "按单位"),
        ]
        .into_iter()
        .map(crate::pages::Choice::new)
        .collect(),
        filter_year: q.year.clone().unwrap_or_default(),
        filter_budget: q.budget_type.clone().unwrap_or_default(),
        filter_status: q.status.clone().unwrap_or_default(),
        filter_q: q.q.clone().unwrap_or_default(),
        filter_sort: q.sort.clone().unwrap_or_else(|| "code".into()),
        export_link: link(1).replacen("/projects?", "/projects/export.xlsx?", 1),
        prev_link: link(filter.page - 1),
        next_link: link(filter.page + 1),
    };
    render(&page)
}

pub struct TargetView {
    pub id: i64,
    pub version: i32,
    pub state: String,
    pub goal: String,
    pub total: String,
    pub fiscal: String,
    pub other: String,
    pub rating: String,
    pub opinion: String,
}

pub struct IndicatorView {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    pub weight: String,
}

pub struct HistoryView {
    pub at: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub actor: String,
    pub opinion: String,
}

pub struct EvaluationView {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub year: i32,
    pub score: String,
    pub grade: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct DetailPage {
    layout: Layout,
    message: Option<String>,
    errors: Vec<String>,
    library: LibraryView,
    project_timeline: Vec<HistoryView>,
    p: Row,
    target: Option<TargetView>,
    indicators: Vec<IndicatorView>,
    timeline: Vec<HistoryView>,
    evaluations: Vec<EvaluationView>,
    /// The predecessor's evaluation result reaching this project.
    carried: Option<CarriedView>,
    ex_ante: Vec<ExAnteView>,
    monitoring: Vec<MonitoringView>,
}

/// One monitoring report in the project's 运行监控 section.
pub struct MonitoringView {
    pub id: i64,
    pub task: String,
    pub rate: String,
    pub completion: String,
    pub deviation: String,
    pub review: String,
    pub red: i64,
    pub yellow: i64,
}

fn state_label(code: &str) -> String {
    label(code, DocState::parse, DocState::label)
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    detail_page(&state, &session, &user, id, q.done, vec![]).await
}

/// The predecessor's evaluation result reaching a continuing project (SPEC §10).
pub struct CarriedView {
    pub recommendation: String,
    pub grade: String,
    pub score: String,
    pub evaluation_id: i64,
    pub override_reason: String,
}

/// A move of the project through the library that the user may make.
pub struct ActionView {
    pub code: &'static str,
    pub label: &'static str,
    /// The move needs a text (a reason, an opinion), labelled so.
    pub needs_text: bool,
    pub text_label: &'static str,
    /// It cannot be undone (termination): the button asks first.
    pub confirm: bool,
}

/// An agency that may be engaged: id and name.
pub struct AgencyOption {
    pub id: i64,
    pub name: String,
}

/// One ex-ante assessment in the project's list.
pub struct ExAnteView {
    pub id: i64,
    pub assessor: String,
    pub state: String,
    pub state_code: String,
    pub score: String,
    pub conclusion: String,
    pub suggestions: String,
}

/// The library panel: where the project stands at each gate and what the user may do.
pub struct LibraryView {
    pub row_version: i32,
    /// An assessment is required and none approved supports the project yet.
    pub ex_ante_missing: bool,
    pub ex_ante_status: String,
    pub target_status: String,
    pub actions: Vec<ActionView>,
    pub may_edit: bool,
    pub may_create_ex_ante_finance: bool,
    pub may_create_ex_ante_unit: bool,
    pub may_create_target: bool,
    pub target_id: Option<i64>,
    pub agencies: Vec<AgencyOption>,
}

fn done_message(done: &str) -> Option<String> {
    Some(match done {
        "created" => "项目已创建，当前为“储备”状态。".into(),
        "saved" => "项目已保存。".into(),
        code => format!(
            "操作成功，项目当前状态：{}。",
            ProjectState::parse(code)?.label()
        ),
    })
}

/// The project page, with a message after a change or the refusal of one.
pub async fn detail_page(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    done: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let scope = scope(state, user).await?;
    let Some(project) = browse::project(&state.store, &user.region, &scope, id).await? else {
        // Outside the scope and absent look the same to a scoped user (SPEC §1).
        return Err(jixiao_app::hidden(&scope, "项目").into());
    };
    let actor = super::actor(state, user, "");
    let record = jixiao_app::project::visible(&actor, id).await?;
    let facts = jixiao_app::project::facts(&state.store, &record).await?;
    let target = browse::project_target(&state.store, id, &scope).await?;
    let (indicators, timeline) = match &target {
        Some(t) => (
            jixiao_store::targets::indicators(&state.store, t.id).await?,
            jixiao_store::history::timeline(&state.store, "target", t.id).await?,
        ),
        None => (vec![], vec![]),
    };
    let project_timeline = jixiao_store::history::timeline(&state.store, "project", id).await?;
    let evaluations = browse::project_evaluations(&state.store, id, &scope).await?;
    let monitoring = browse::project_monitoring(&state.store, &user.region, &scope, id)
        .await?
        .into_iter()
        .map(|r| MonitoringView {
            id: r.id,
            task: r.task_name,
            rate: crate::pages::show::percent_or_dash(r.execution_rate_x100),
            completion: crate::pages::show::percent_or_dash(r.reported_completion_x100),
            deviation: crate::pages::show::score_or_dash(r.deviation_x100),
            review: crate::pages::show::score_or_dash(r.review_score_x100),
            red: r.red,
            yellow: r.yellow,
        })
        .collect();
    let ex_ante_records = jixiao_store::ex_ante::for_project(&state.store, id).await?;
    let ex_ante: Vec<ExAnteView> = ex_ante_records
        .iter()
        // A leader reads approved assessments only (the rule of `browse::ex_ante`).
        .filter(|x| scope.reads_document(&x.state))
        .map(|x| ExAnteView {
            id: x.id,
            assessor: match &x.agency_name {
                Some(a) => format!("第三方机构（{a}）"),
                None => label(
                    &x.assessor_kind,
                    jixiao_domain::types::AssessorKind::parse,
                    jixiao_domain::types::AssessorKind::label,
                ),
            },
            state: state_label(&x.state),
            state_code: x.state.clone(),
            score: x
                .total_x100
                .map(|s| fixed2(from_hundredths(s)))
                .unwrap_or_default(),
            conclusion: x
                .conclusion
                .as_deref()
                .map(|c| {
                    label(
                        c,
                        jixiao_domain::ex_ante::ExAnteConclusion::parse,
                        jixiao_domain::ex_ante::ExAnteConclusion::label,
                    )
                })
                .unwrap_or_default(),
            suggestions: x.suggestions.clone(),
        })
        .collect();
    let from = ProjectState::parse(&record.library_status).unwrap_or(ProjectState::Reserve);
    let own = jixiao_app::project::proposed_by(&actor, id).await?;
    let writes_unit = actor.may_write_for_unit(record.unit_id).await?;
    // The recommendation of the predecessor's evaluation (SPEC §10), shown beside the proposal,
    // review and budgeting; under 原则上不予安排 the budgeting asks for a reason.
    let carried_recommendation = jixiao_store::self_evaluation::recommendation_into(
        &state.store,
        &record.region_code,
        record.fiscal_year,
        &record.code,
        record.previous_project_id,
    )
    .await?;
    let needs_override = carried_recommendation.as_ref().is_some_and(|r| {
        jixiao_domain::result_application::Recommendation::parse(&r.recommendation)
            .is_some_and(|k| k.needs_override())
    });
    let actions = if user.sees_region() || writes_unit {
        jixiao_domain::workflow::available_actions(from, &user.roles, own)
            .into_iter()
            .map(|a| {
                let needs = jixiao_domain::workflow::PROJECT_TRANSITIONS
                    .iter()
                    .find(|t| t.from == from && t.action == a)
                    .and_then(|t| t.requires_text)
                    .or((a == ProjectAction::Budget && needs_override)
                        .then_some("上年绩效评价建议原则上不予安排，如仍安排预算须填写理由"));
                ActionView {
                    code: a.code(),
                    label: a.label(),
                    needs_text: needs.is_some(),
                    text_label: needs.unwrap_or("意见"),
                    confirm: a == ProjectAction::Terminate,
                }
            })
            .collect()
    } else {
        vec![]
    };
    // The start buttons ask the rule the operation enforces (who, which state, one open).
    let may_start_ex_ante = async |kind| {
        jixiao_app::ex_ante::start_verdict(&actor, &record, kind, &ex_ante_records)
            .await
            .map(|verdict| verdict.is_ok())
    };
    let may_create_ex_ante_finance = may_start_ex_ante(AssessorKind::Finance).await?;
    let may_create_ex_ante_unit = may_start_ex_ante(AssessorKind::Unit).await?;
    let current_target = jixiao_store::targets::current_for_project(&state.store, id).await?;
    let agencies = if actor.is_finance() {
        browse::agencies(&state.store, &user.region, &browse::ListFilter::default())
            .await?
            .into_iter()
            .filter(|a| {
                jixiao_domain::types::AgencyStatus::parse(&a.status)
                    .is_some_and(|s| s.may_be_engaged())
            })
            .map(|a| AgencyOption {
                id: a.id,
                name: a.name,
            })
            .collect()
    } else {
        vec![]
    };
    let library = LibraryView {
        row_version: record.row_version,
        ex_ante_missing: facts.requires_ex_ante
            && !facts.approved_ex_ante.is_some_and(|c| c.permits_library()),
        ex_ante_status: match (facts.requires_ex_ante, facts.approved_ex_ante) {
            (_, Some(c)) => format!("已通过审核，结论为“{}”", c.label()),
            (true, None) => {
                "须开展事前绩效评估（新增重大项目或新出台政策），尚无审核通过的评估".into()
            }
            (false, None) => "不强制要求（非新增重大项目或新出台政策）".into(),
        },
        target_status: match &current_target {
            Some(t) if !jixiao_app::target::readable(t, &scope) => {
                if DocState::parse(&t.state) == Some(DocState::Draft) {
                    format!("第 {} 版由单位填报中（草稿，提交后可见）", t.version_no)
                } else {
                    format!("第 {} 版审核中（审核通过后可见）", t.version_no)
                }
            }
            Some(t) => format!(
                "第 {} 版，{}{}",
                t.version_no,
                state_label(&t.state),
                if facts.has_approved_target {
                    "；已有审核通过的版本，可以批复预算"
                } else {
                    ""
                }
            ),
            None => "尚未申报".into(),
        },
        actions,
        may_edit: jixiao_app::project::may_edit(&actor, &record).await?,
        may_create_ex_ante_finance,
        may_create_ex_ante_unit,
        may_create_target: jixiao_app::target::may_start_for_project(
            &actor,
            &record,
            current_target.as_ref(),
        )
        .await?,
        target_id: current_target
            .filter(|t| jixiao_app::target::readable(t, &scope))
            .map(|t| t.id),
        agencies,
    };
    let region = region_name(state, &user.region).await?;
    let page = DetailPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/projects"),
        message: done.as_deref().and_then(done_message),
        errors,
        library,
        project_timeline: project_timeline.into_iter().map(history_view).collect(),
        p: Row::from(project),
        target: target.map(|t| TargetView {
            id: t.id,
            version: t.version_no,
            state: state_label(&t.state),
            goal: t.overall_goal,
            total: Fen(t.total_fen).wan_2dp(),
            fiscal: Fen(t.fiscal_fen).wan_2dp(),
            other: Fen(t.other_fen).wan_2dp(),
            rating: t
                .review_rating
                .as_deref()
                .map(|r| {
                    label(
                        r,
                        jixiao_domain::target::ReviewRating::parse,
                        jixiao_domain::target::ReviewRating::label,
                    )
                })
                .unwrap_or_default(),
            opinion: t.review_opinion,
        }),
        indicators: indicators
            .into_iter()
            .map(|i| IndicatorView {
                level1: i.level1,
                level2: i.level2,
                name: i.name,
                sign: i.sign,
                target_value: i.target_value,
                unit_of_measure: i.unit_of_measure,
                weight: i
                    .weight_x100
                    .map(|w| fixed2(from_hundredths(w)))
                    .unwrap_or_default(),
            })
            .collect(),
        timeline: timeline.into_iter().map(history_view).collect(),
        monitoring,
        carried: carried_recommendation.map(|r| CarriedView {
            recommendation: jixiao_domain::result_application::Recommendation::parse(
                &r.recommendation,
            )
            .map_or(r.recommendation.clone(), |k| k.label().to_string()),
            grade: r
                .grade
                .as_deref()
                .map(|g| label(g, Grade::parse, Grade::label))
                .unwrap_or_default(),
            score: r
                .total_x100
                .map(|s| fixed2(from_hundredths(s)))
                .unwrap_or_default(),
            evaluation_id: r.evaluation_id,
            override_reason: r.override_reason,
        }),
        evaluations: evaluations
            .into_iter()
            .map(|e| EvaluationView {
                id: e.id,
                kind: label(&e.kind, EvaluationKind::parse, EvaluationKind::label),
                title: e.title,
                year: e.fiscal_year,
                score: e
                    .total_x100
                    .map(|s| fixed2(from_hundredths(s)))
                    .unwrap_or_default(),
                grade: e
                    .grade
                    .as_deref()
                    .map(|g| label(g, Grade::parse, Grade::label))
                    .unwrap_or_default(),
            })
            .collect(),
        ex_ante,
    };
    render(&page)
}

/// A timeline step as shown: time in China Standard Time, actor, labels of states and actions
/// of any of the three machines.
pub fn history_view(h: jixiao_store::history::Transition) -> HistoryView {
    HistoryView {
        at: h
            .at
            .with_timezone(&chrono_tz_shanghai())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        action: action_label(&h.action),
        from: any_state_label(&h.from_state),
        to: any_state_label(&h.to_state),
        actor: h.actor_name.unwrap_or_default(),
        opinion: h.opinion,
    }
}

fn action_label(code: &str) -> String {
    if code == "create" {
        return "创建".into();
    }
    if let Some(a) = DocAction::parse(code) {
        return a.label().into();
    }
    label(
        code,
        jixiao_domain::workflow::ProjectAction::parse,
        jixiao_domain::workflow::ProjectAction::label,
    )
}

fn any_state_label(code: &str) -> String {
    if let Some(s) = DocState::parse(code) {
        return s.label().into();
    }
    label(code, ProjectState::parse, ProjectState::label)
}

/// China Standard Time (UTC+8, no daylight saving), for showing times.
pub fn chrono_tz_shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::Access;
    use axum::http::Method;
    use axum::routing::get;
    reg.add(Method::GET, "/projects", Access::AnyUser, get(list))
        .add(
            Method::GET,
            "/projects/export.xlsx",
            Access::AnyUser,
            get(export),
        )
        .add(Method::GET, "/projects/{id}", Access::AnyUser, get(detail))
}
