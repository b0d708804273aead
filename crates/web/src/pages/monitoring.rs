//! 绩效运行监控 on the web and the JSON API (SPEC §7): tasks issued by the finance office, the
//! per-task overview (reporting progress per unit, warnings by kind and unit, the execution versus
//! completion scatter, rectification status), the report form with its figures computed while the
//! user types, the review with the rubric, the unit's pre-filled workbook and the round's 汇总表.
//! Every decision is `jixiao_app::monitoring`'s.

use super::api_flows::{Body, Versioned};
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use super::projects::{HistoryView, history_view};
use crate::access::{Access, FINANCE_AND_VIEWERS, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use jixiao_app::monitoring::{self as flow, IndicatorInput, ReportAction, ReportInput, TaskInput};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths, trim};
use jixiao_domain::monitoring::{Analysis, DeviationCause, Likelihood, WarningKind, WarningLevel};
use jixiao_domain::scoring::Severity;
use jixiao_domain::types::{MonitoringKind, Role};
use jixiao_domain::workflow::{DocAction, DocState};
use jixiao_store::monitoring::{self as store, IndicatorRecord, ReportRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Who downloads a task's workbook: finance (every report) and units (their own).
const WORKBOOK_READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::UnitPreparer,
    Role::UnitApprover,
];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/monitoring/tasks",
        Access::AnyUser,
        get(tasks_page),
    )
    .add(
        Method::POST,
        "/monitoring/tasks",
        Access::Roles(&[Role::FinanceAdmin]),
        post(issue),
    )
    .add(
        Method::GET,
        "/monitoring/tasks/{id}",
        Access::AnyUser,
        get(task_page),
    )
    .add(
        Method::POST,
        "/monitoring/tasks/{id}/reanalyse",
        Access::Roles(&[Role::FinanceAdmin]),
        post(reanalyse),
    )
    .add(
        Method::GET,
        "/monitoring/tasks/{id}/workbook.xlsx",
        Access::Roles(WORKBOOK_READERS),
        get(workbook),
    )
    .add(
        Method::GET,
        "/monitoring/tasks/{id}/summary.xlsx",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(summary),
    )
    .add(
        Method::GET,
        "/monitoring/{id}",
        Access::AnyUser,
        get(report_page),
    )
    .add(
        Method::POST,
        "/monitoring/{id}",
        Access::AnyUser,
        post(save),
    )
    .add(
        Method::POST,
        "/monitoring/{id}/check",
        Access::AnyUser,
        post(check),
    )
    .add(
        Method::POST,
        "/monitoring/{id}/action",
        Access::AnyUser,
        post(action),
    )
    .add(
        Method::GET,
        "/api/v1/monitoring-tasks",
        Access::AnyUser,
        get(api_tasks),
    )
    .add(
        Method::POST,
        "/api/v1/monitoring-tasks",
        Access::AnyUser,
        post(api_issue),
    )
    .add(
        Method::GET,
        "/api/v1/monitoring-tasks/{id}",
        Access::AnyUser,
        get(api_task),
    )
    .add(
        Method::POST,
        "/api/v1/monitoring-tasks/{id}/reanalyse",
        Access::AnyUser,
        post(api_reanalyse),
    )
    .add(
        Method::GET,
        "/api/v1/monitoring-tasks/{id}/workbook.xlsx",
        Access::Roles(WORKBOOK_READERS),
        get(workbook),
    )
    .add(
        Method::GET,
        "/api/v1/monitoring-tasks/{id}/summary.xlsx",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(summary),
    )
    .add(
        Method::GET,
        "/api/v1/monitoring-reports/{id}",
        Access::AnyUser,
        get(api_report),
    )
    .add(
        Method::PUT,
        "/api/v1/monitoring-reports/{id}",
        Access::AnyUser,
        put(api_save),
    )
    .add(
        Method::POST,
        "/api/v1/monitoring-reports/{id}/check",
        Access::AnyUser,
        post(api_check),
    )
    .add(
        Method::POST,
        "/api/v1/monitoring-reports/{id}/actions",
        Access::AnyUser,
        post(api_action),
    )
}

// ---------------------------------------------------------------------------------------------
// Views

fn pct_d(v: Option<rust_decimal::Decimal>) -> String {
    v.map(|v| format!("{}%", fixed2(v)))
        .unwrap_or_else(|| "—".into())
}

fn wan(fen: i64) -> String {
    Fen(fen).wan_2dp()
}

/// The figures of a report (stored or as typed), for the live panel.
pub struct FiguresView {
    pub execution_rate: String,
    pub scheduled_rate: String,
    pub estimate: String,
    pub reported: String,
    pub deviation: String,
    pub deviation_red: bool,
    /// (level code, label, message)
    pub warnings: Vec<(String, String, String)>,
    /// (error?, message)
    pub findings: Vec<(bool, String)>,
    /// Per indicator row (by position): completion in percent.
    pub completions: Vec<String>,
    pub problems: Vec<String>,
}

fn figures(a: &Analysis, reported: Option<rust_decimal::Decimal>) -> FiguresView {
    FiguresView {
        execution_rate: pct_d(Some(a.execution_rate)),
        scheduled_rate: pct_d(a.scheduled_rate),
        estimate: pct_d(a.completion_estimate),
        reported: pct_d(reported),
        deviation: a
            .deviation
            .map(|d| format!("{} 个百分点", fixed2(d)))
            .unwrap_or_else(|| "—".into()),
        deviation_red: a.warnings.iter().any(|w| w.kind == WarningKind::Deviation),
        warnings: a
            .warnings
            .iter()
            .map(|w| {
                (
                    w.level.code().to_string(),
                    format!("{}·{}", w.level.label(), w.kind.label()),
                    w.message.clone(),
                )
            })
            .collect(),
        findings: a
            .findings
            .iter()
            .map(|f| (f.severity == Severity::Error, f.message.clone()))
            .collect(),
        completions: a
            .indicator_completions
            .iter()
            .map(|c| {
                c.map(|c| format!("{}%", fixed2(c * rust_decimal::Decimal::ONE_HUNDRED)))
                    .unwrap_or_else(|| "—".into())
            })
            .collect(),
        problems: vec![],
    }
}

fn empty_figures(problems: Vec<String>) -> FiguresView {
    FiguresView {
        execution_rate: "—".into(),
        scheduled_rate: "—".into(),
        estimate: "—".into(),
        reported: "—".into(),
        deviation: "—".into(),
        deviation_red: false,
        warnings: vec![],
        findings: vec![],
        completions: vec![],
        problems,
    }
}

/// One indicator row of the form.
pub struct RowView {
    pub seq: i32,
    pub level1: String,
    pub name: String,
    pub target: String,
    pub weight: String,
    pub sub_item: bool,
    pub to_date: String,
    pub expected: String,
    pub likelihood: String,
    pub causes: Vec<(&'static str, &'static str, bool)>,
    pub cause_text: String,
    pub measures: String,
    pub completion: String,
}

fn row_view(r: &IndicatorRecord, input: Option<&IndicatorInput>) -> RowView {
    let target = if r.sign == "定性" {
        r.target_value.clone()
    } else {
        format!("{}{}{}", r.sign, r.target_value, r.unit_of_measure)
    };
    let (to_date, expected, likelihood, causes, cause_text, measures) = match input {
        Some(i) => (
            i.to_date.clone(),
            i.expected.clone(),
            Likelihood::parse_written(&i.likelihood)
                .map(|l| l.code().to_string())
                .unwrap_or_default(),
            i.causes
                .iter()
                .filter_map(|c| DeviationCause::parse(c))
                .collect::<Vec<_>>(),
            i.cause_text.clone(),
            i.measures.clone(),
        ),
        None => (
            r.to_date_value.clone(),
            r.expected_value.clone(),
            Likelihood::parse_written(&r.likelihood)
                .map(|l| l.code().to_string())
                .unwrap_or_default(),
            r.deviation_causes
                .split('、')
                .filter_map(DeviationCause::parse)
                .collect(),
            r.deviation_text.clone(),
            r.measures.clone(),
        ),
    };
    RowView {
        seq: r.seq,
        level1: r.level1.clone(),
        name: r.name.clone(),
        target,
        weight: r
            .weight_x100
            .map(|w| trim(from_hundredths(w)))
            .unwrap_or_default(),
        sub_item: r.parent_seq.is_some(),
        to_date,
        expected,
        likelihood,
        causes: DeviationCause::ALL
            .iter()
            .map(|c| (c.code(), c.label(), causes.contains(c)))
            .collect(),
        cause_text,
        measures,
        completion: r
            .completion_x100
            .map(|c| format!("{}%", fixed2(from_hundredths(c))))
            .unwrap_or_else(|| "—".into()),
    }
}

/// Reads the posted report form: `executed_wan`, … and `ind.{seq}.{field}` (causes repeated).
pub fn input_of(pairs: &Pairs) -> ReportInput {
    let mut rows: std::collections::BTreeMap<i32, IndicatorInput> = Default::default();
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
        let i = rows.entry(seq).or_insert_with(|| IndicatorInput {
            seq,
            ..Default::default()
        });
        match name {
            "to_date" => i.to_date = v.clone(),
            "expected" => i.expected = v.clone(),
            "likelihood" => i.likelihood = v.clone(),
            "cause" => i.causes.push(v.clone()),
            "cause_text" => i.cause_text = v.clone(),
            "measures" => i.measures = v.clone(),
            _ => {}
        }
    }
    ReportInput {
        executed_wan: field(pairs, "executed_wan").into(),
        expected_wan: field(pairs, "expected_wan").into(),
        progress_text: field(pairs, "progress_text").into(),
        goal_forecast: field(pairs, "goal_forecast").into(),
        reported_completion: field(pairs, "reported_completion").into(),
        indicators: rows.into_values().collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tasks

#[derive(Deserialize, Default)]
pub struct TasksQuery {
    year: Option<i32>,
    done: Option<String>,
}

pub struct TaskRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub period_end: String,
    pub deadline: String,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "monitoring_tasks.html")]
struct TasksPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    tasks: Vec<TaskRow>,
    may_issue: bool,
    /// Level-1 units for the scope picker: (id, "code name", chosen).
    units: Vec<(i64, String, bool)>,
    f: TaskForm,
    errors: Vec<String>,
    message: Option<String>,
}

#[derive(Default)]
struct TaskForm {
    kind: String,
    name: String,
    month: String,
    deadline: String,
    units: Vec<i64>,
    project_codes: String,
}

async fn tasks_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: Option<i32>,
    f: TaskForm,
    errors: Vec<String>,
    message: Option<String>,
) -> Result<Html<String>, WebError> {
    let years = jixiao_store::years::of_region(&state.store, &user.region).await?;
    let year = year.unwrap_or(years.current);
    let years = years.all;
    let tasks = store::tasks(&state.store, &user.region, year)
        .await?
        .into_iter()
        .map(|t| TaskRow {
            id: t.id,
            kind: MonitoringKind::parse(&t.kind).map_or(t.kind.clone(), |k| k.label().into()),
            period_end: t.period_end.to_string(),
            deadline: t.deadline.to_string(),
            scope: if t.scope_text.is_empty() {
                "全部".into()
            } else {
                t.scope_text.clone()
            },
            name: t.name,
        })
        .collect();
    let may_issue = user.has(Role::FinanceAdmin);
    let units = if may_issue {
        jixiao_store::units::level_one(&state.store, &user.region)
            .await?
            .into_iter()
            .map(|(id, code, name)| (id, format!("{code} {name}"), f.units.contains(&id)))
            .collect()
    } else {
        vec![]
    };
    let region = region_name(state, &user.region).await?;
    render(&TasksPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/monitoring"),
        year,
        years,
        tasks,
        may_issue,
        units,
        f,
        errors,
        message,
    })
}

pub async fn tasks_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<TasksQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|_| "已重新分析。".to_string());
    tasks_view(
        &state,
        &session,
        &user,
        q.year,
        TaskForm::default(),
        vec![],
        message,
    )
    .await
}

pub async fn issue(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let units: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "units")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let codes = field(&pairs, "project_codes").to_string();
    let year = field(&pairs, "fiscal_year").trim().parse::<i32>().ok();
    let f = TaskForm {
        kind: field(&pairs, "kind").into(),
        name: field(&pairs, "name").into(),
        month: field(&pairs, "period_end_month").into(),
        deadline: field(&pairs, "deadline").into(),
        units: units.clone(),
        project_codes: codes.clone(),
    };
    let result = async {
        let codes: Vec<String> = codes
            .split([',', '，', '、', ' ', '\n', ';', '；'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let (projects, unknown) = jixiao_store::projects::ids_by_code(
            &state.store,
            &user.region,
            year.unwrap_or_default(),
            &codes,
        )
        .await?;
        if !unknown.is_empty() {
            return Err(WebError::BadRequest(vec![(
                "监控范围".into(),
                format!(
                    "{} 年度没有编码为 {} 的项目",
                    year.unwrap_or_default(),
                    unknown.join("、")
                ),
            )]));
        }
        let input = TaskInput {
            kind: field(&pairs, "kind").into(),
            name: field(&pairs, "name").into(),
            fiscal_year: field(&pairs, "fiscal_year").into(),
            period_end_month: field(&pairs, "period_end_month").into(),
            deadline: field(&pairs, "deadline").into(),
            units,
            projects,
        };
        Ok(flow::issue_task(&actor(&state, &user, &ip.0), &input).await?)
    }
    .await;
    match result {
        Ok(t) => Ok(see_other(&format!(
            "/monitoring/tasks/{}?issued={}",
            t.id, t.drafts
        ))),
        Err(e) if is_user_error(&e) => {
            let html = tasks_view(&state, &session, &user, year, f, messages_of(&e), None).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub struct UnitRow {
    pub unit_name: String,
    pub reports: i64,
    pub submitted: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub approved: i64,
    pub red: i64,
    pub yellow: i64,
    pub overdue: bool,
}

pub struct ReportRow {
    pub id: i64,
    pub object: String,
    pub unit: String,
    pub state: String,
    pub state_code: String,
    pub rate: String,
    pub completion: String,
    pub deviation: String,
    pub review: String,
    pub timeliness: String,
    pub late: bool,
}

pub struct WarningRow {
    pub report_id: i64,
    pub kind: String,
    pub object: String,
    pub unit: String,
    pub level: String,
    pub label: String,
    pub message: String,
    pub notice: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "monitoring_task.html")]
struct TaskPage {
    layout: Layout,
    t: store::Task,
    kind: String,
    overdue: bool,
    issued: Option<String>,
    message: Option<String>,
    totals: UnitRow,
    units: Vec<UnitRow>,
    reports: Vec<ReportRow>,
    warnings: Vec<WarningRow>,
    by_kind: Vec<(String, i64, i64)>,
    rectifications: Vec<(String, i64)>,
    scatter: String,
    deviation_red: String,
    may_reanalyse: bool,
    may_download: bool,
    may_summary: bool,
}

#[derive(Deserialize, Default)]
pub struct TaskQuery {
    issued: Option<i64>,
    done: Option<String>,
}

pub async fn task_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Query(q): Query<TaskQuery>,
) -> Result<Html<String>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    let units_scope = flow::progress_units(&a).await?;
    let scope = a.scope().await?;
    let today = jixiao_store::deadlines::today();
    let overdue = today > t.deadline;
    let progress = store::progress(&state.store, &t, units_scope.as_deref()).await?;
    let mut totals = UnitRow {
        unit_name: "合计".into(),
        reports: 0,
        submitted: 0,
        on_time: 0,
        late: 0,
        missing: 0,
        approved: 0,
        red: 0,
        yellow: 0,
        overdue,
    };
    let units: Vec<UnitRow> = progress
        .into_iter()
        .map(|p| {
            let missing = p.reports - p.submitted;
            totals.reports += p.reports;
            totals.submitted += p.submitted;
            totals.on_time += p.on_time;
            totals.late += p.late;
            totals.missing += missing;
            totals.approved += p.approved;
            totals.red += p.red;
            totals.yellow += p.yellow;
            UnitRow {
                unit_name: p.unit_name,
                reports: p.reports,
                submitted: p.submitted,
                on_time: p.on_time,
                late: p.late,
                missing,
                approved: p.approved,
                red: p.red,
                yellow: p.yellow,
                overdue: overdue && missing > 0,
            }
        })
        .collect();
    let reports =
        jixiao_store::browse::task_reports(&state.store, &user.region, &scope, t.id).await?;
    let cutoff = jixiao_store::deadlines::end_of_day(t.deadline);
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let points: Vec<(f64, f64, bool)> = reports
        .iter()
        .filter_map(|r| {
            let (e, c) = (
                r.execution_rate_x100?,
                r.reported_completion_x100.or(r.completion_estimate_x100)?,
            );
            // Chart coordinates only: the figures themselves stay exact.
            Some((e as f64 / 100.0, c as f64 / 100.0, r.red > 0))
        })
        .collect();
    let deviation_red = trim(settings.monitoring.deviation_red);
    let scatter = scatter_svg(
        &points,
        settings.monitoring.deviation_red.try_into().unwrap_or(20.0),
    );
    let report_rows = reports
        .iter()
        .map(|r| {
            let (timeliness, late) = match r.submitted_at {
                Some(at) if at < cutoff => ("按时".to_string(), false),
                Some(_) => ("逾期提交".to_string(), true),
                None if overdue => ("逾期未报".to_string(), true),
                None => ("未提交".to_string(), false),
            };
            ReportRow {
                id: r.id,
                object: r.object_name.clone(),
                unit: r.unit_name.clone(),
                state: DocState::parse(&r.state).map_or(r.state.clone(), |s| s.label().into()),
                state_code: r.state.clone(),
                rate: crate::pages::show::percent_or_dash(r.execution_rate_x100),
                completion: crate::pages::show::percent_or_dash(
                    r.reported_completion_x100.or(r.completion_estimate_x100),
                ),
                deviation: r
                    .deviation_x100
                    .map(|d| fixed2(from_hundredths(d)))
                    .unwrap_or_else(|| "—".into()),
                review: r
                    .review_score_x100
                    .map(|d| fixed2(from_hundredths(d)))
                    .unwrap_or_else(|| "—".into()),
                timeliness,
                late,
            }
        })
        .collect();
    let warnings: Vec<WarningRow> =
        jixiao_store::browse::task_warnings(&state.store, &user.region, &scope, t.id)
            .await?
            .into_iter()
            .map(|w| WarningRow {
                report_id: w.report_id,
                object: w.object_name,
                unit: w.unit_name,
                label: format!(
                    "{}·{}",
                    WarningLevel::parse(&w.level).map_or(w.level.as_str(), |l| l.label()),
                    WarningKind::parse(&w.kind).map_or(w.kind.as_str(), |k| k.label())
                ),
                kind: w.kind,
                level: w.level,
                message: w.message,
                notice: w.rectification_id.map(|id| {
                    (
                        id,
                        w.rectification_state
                            .as_deref()
                            .and_then(jixiao_domain::workflow::RectificationState::parse)
                            .map_or(String::new(), |s| s.label().to_string()),
                    )
                }),
            })
            .collect();
    let by_kind = WarningKind::ALL
        .iter()
        .map(|k| {
            let of = |level: &str| {
                warnings
                    .iter()
                    .filter(|w| w.level == level && w.kind == k.code())
                    .count() as i64
            };
            (k.label().to_string(), of("red"), of("yellow"))
        })
        .collect();
    let mut rectifications: Vec<(String, i64)> = Vec::new();
    for w in &warnings {
        if let Some((_, s)) = &w.notice {
            match rectifications.iter_mut().find(|(l, _)| l == s) {
                Some((_, n)) => *n += 1,
                None => rectifications.push((s.clone(), 1)),
            }
        }
    }
    let region = region_name(&state, &user.region).await?;
    render(&TaskPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/monitoring"),
        kind: MonitoringKind::parse(&t.kind).map_or(t.kind.clone(), |k| k.label().into()),
        overdue,
        issued: q.issued.map(|n| {
            format!("监控任务已下达，已为 {n} 个监控对象生成报告草稿，各单位可在待办中填报。")
        }),
        message: q.done.map(|d| d.replace('_', "，")),
        totals,
        units,
        reports: report_rows,
        warnings,
        by_kind,
        rectifications,
        scatter,
        deviation_red,
        may_reanalyse: user.has(Role::FinanceAdmin),
        may_download: user.is_unit_user(),
        may_summary: user.sees_region(),
        t,
    })
}

/// The execution-versus-completion scatter with the ±band (SVG, no script, no external asset).
fn scatter_svg(points: &[(f64, f64, bool)], band: f64) -> String {
    let (w, h, pad) = (420.0, 320.0, 40.0);
    let x = |v: f64| pad + v.clamp(0.0, 120.0) / 120.0 * (w - 2.0 * pad);
    let y = |v: f64| h - pad - v.clamp(0.0, 120.0) / 120.0 * (h - 2.0 * pad);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"预算执行率与目标完成率散点图，偏差带 ±{band} 个百分点\" class=\"scatter\">"
    );
    // The band between completion = execution ± band.
    s.push_str(&format!(
        "<polygon points=\"{},{} {},{} {},{} {},{}\" fill=\"#e8f3ea\" />",
        x(0.0),
        y(band),
        x(120.0 - band),
        y(120.0),
        x(120.0),
        y(120.0 - band),
        x(band),
        y(0.0)
    ));
    s.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#6a8\" stroke-dasharray=\"4 3\" />",
        x(0.0),
        y(0.0),
        x(120.0),
        y(120.0)
    ));
    for t in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0] {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{t}</text><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{t}</text>",
            x(t),
            h - pad + 14.0,
            pad - 4.0,
            y(t) + 3.0
        ));
    }
    s.push_str(&format!(
        "<rect x=\"{pad}\" y=\"{pad}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\" />",
        w - 2.0 * pad,
        h - 2.0 * pad
    ));
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">预算执行率（%）</text>",
        w / 2.0,
        h - 6.0
    ));
    s.push_str(&format!(
        "<text x=\"12\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 {})\">目标完成率（%）</text>",
        h / 2.0,
        h / 2.0
    ));
    for (e, c, red) in points {
        s.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\" />",
            x(*e),
            y(*c),
            if *red { "#c0392b" } else { "#2c6fbb" }
        ));
    }
    s.push_str("</svg>");
    s
}

pub async fn reanalyse(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (n, drafted) = flow::reanalyse(&actor(&state, &user, &ip.0), id).await?;
    Ok(see_other(&format!(
        "/monitoring/tasks/{id}?done=已按当前参数重新分析 {n} 份报告_新拟整改通知 {drafted} 份"
    )))
}

// ---------------------------------------------------------------------------------------------
// Workbooks

/// An .xlsx download named `name` (UTF-8), with an ASCII `fallback` for old clients.
pub(crate) fn xlsx_download(bytes: Vec<u8>, fallback: &str, name: &str) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The unit's pre-filled workbook of a task: one sheet per report of its units, as the reader
/// takes it back (upload it on the 数据导入 page as 项目监控).
pub async fn workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    // A unit downloads its own units' reports; finance the whole task's.
    let units = if user.is_finance() {
        None
    } else if user.is_unit_user() {
        flow::progress_units(&a).await?
    } else {
        return Err(WebError::Forbidden);
    };
    let bytes = task_workbook(&state, &user.region, t.id, units.as_deref()).await?;
    Ok(xlsx_download(
        bytes,
        "monitoring.xlsx",
        &format!("{}（填报表）.xlsx", t.name),
    ))
}

/// The round's 汇总表: every report of the task with its figures and warnings.
pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    let scope = a.scope().await?;
    let bytes = task_summary(&state, &user.region, &scope, &t).await?;
    Ok(xlsx_download(
        bytes,
        "monitoring.xlsx",
        &format!("{}汇总表.xlsx", t.name),
    ))
}

// ---------------------------------------------------------------------------------------------
// The report

/// A warning on the report page: (level code, label, message, the notice: id and state).
type WarningView = (String, String, String, Option<(i64, String)>);

#[derive(Template)]
#[template(path = "monitoring_report.html")]
struct ReportPage {
    layout: Layout,
    r: ReportRecord,
    state: String,
    budget: Vec<(String, String)>,
    executed_wan: String,
    expected_wan: String,
    progress_text: String,
    goal_forecast: String,
    reported_completion: String,
    rows: Vec<RowView>,
    fig: FiguresView,
    editable: bool,
    submit_action: Option<(&'static str, &'static str)>,
    may_review: bool,
    rubric: Vec<(String, String)>,
    review_items: Vec<(String, String, String)>,
    review_score: String,
    /// (level, label, message, notice)
    warnings: Vec<WarningView>,
    timeline: Vec<HistoryView>,
    likelihoods: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn report_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    typed: Option<ReportInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let r = flow::visible(&a, id).await?;
    let rows = store::indicators(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let editable = flow::may_edit(&a, &r).await?;
    let doc = DocState::parse(&r.state).unwrap_or(DocState::Draft);
    let fig = match &typed {
        Some(input) => match flow::check_input(&settings.monitoring, &r, &rows, input) {
            Ok(c) => figures(
                &c.analysis,
                c.fill.reported_completion_x100.map(from_hundredths),
            ),
            Err(e) => empty_figures(messages_of(&e.into())),
        },
        None => match flow::stored_analysis(&settings.monitoring, &r, &rows) {
            Some(an) => figures(&an, r.reported_completion_x100.map(from_hundredths)),
            None => empty_figures(vec![]),
        },
    };
    let row_views: Vec<RowView> = rows
        .iter()
        .map(|row| {
            let typed_row = typed
                .as_ref()
                .and_then(|t| t.indicators.iter().find(|i| i.seq == row.seq));
            row_view(row, typed_row.or(None).filter(|_| typed.is_some()))
        })
        .collect();
    let filled = r.filled_at.is_some();
    let (executed_wan, expected_wan, progress_text, goal_forecast, reported_completion) =
        match &typed {
            Some(t) => (
                t.executed_wan.clone(),
                t.expected_wan.clone(),
                t.progress_text.clone(),
                t.goal_forecast.clone(),
                t.reported_completion.clone(),
            ),
            None if filled => (
                trim(Fen(r.executed_fen).wan()),
                trim(Fen(r.expected_fen).wan()),
                r.progress_text.clone(),
                r.goal_forecast.clone(),
                r.reported_completion_x100
                    .map(|v| trim(from_hundredths(v)))
                    .unwrap_or_default(),
            ),
            // Nothing entered yet: empty fields, never a 0 that looks reported.
            None => (
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
    let unit_side = user.is_unit_user() && a.may_write_for_unit(r.unit_id).await?;
    // The button shows when the workflow table lets this user make the move (SPEC §4).
    let may = |action| {
        unit_side
            && jixiao_domain::workflow::transition(doc, action, &user.roles, false, None).is_ok()
    };
    let submit_action = match doc {
        DocState::Draft if may(DocAction::Submit) => Some(("submit", "提交监控报告")),
        DocState::Returned if may(DocAction::Resubmit) => Some(("resubmit", "重新提交")),
        _ => None,
    };
    let own = a.submitted(flow::KIND, id).await?;
    let may_review =
        user.is_finance() && matches!(doc, DocState::Submitted | DocState::UnderReview) && !own;
    let review_items: Vec<(String, String, String)> =
        serde_json::from_str::<Vec<Value>>(&r.review_items)
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                (
                    v["item"].as_str().unwrap_or_default().to_string(),
                    v["score"].as_str().unwrap_or_default().to_string(),
                    v["max"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
    let warnings = jixiao_store::browse::report_warnings(&state.store, id)
        .await?
        .into_iter()
        .map(|w| {
            (
                w.level.clone(),
                format!(
                    "{}·{}",
                    WarningLevel::parse(&w.level).map_or(w.level.as_str(), |l| l.label()),
                    WarningKind::parse(&w.kind).map_or(w.kind.as_str(), |k| k.label())
                ),
                w.message,
                // A unit sees a notice once it is issued; finance sees its drafts.
                w.rectification_id
                    .zip(w.rectification_state.clone())
                    .filter(|(_, s)| user.is_finance() || s != "draft")
                    .map(|(id, s)| {
                        (
                            id,
                            jixiao_domain::workflow::RectificationState::parse(&s)
                                .map_or(s.clone(), |s| s.label().to_string()),
                        )
                    }),
            )
        })
        .collect();
    let timeline = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(history_view)
        .collect();
    let mut budget = vec![("年度资金总额".to_string(), wan(r.budget_fen))];
    if r.project_id.is_some() {
        budget.push((
            "其中：当年财政拨款".into(),
            wan(r.current_fen.unwrap_or_default()),
        ));
        budget.push((
            "上年结转资金".into(),
            wan(r.carryover_fen.unwrap_or_default()),
        ));
        budget.push(("其他资金".into(), wan(r.other_fen.unwrap_or_default())));
    }
    let region = region_name(state, &user.region).await?;
    render(&ReportPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/monitoring"),
        state: doc.label().into(),
        budget,
        executed_wan,
        expected_wan,
        progress_text,
        goal_forecast,
        reported_completion,
        rows: row_views,
        fig,
        editable,
        submit_action,
        may_review,
        rubric: settings
            .monitoring
            .review_rubric
            .iter()
            .map(|(n, m)| (n.clone(), trim(*m)))
            .collect(),
        review_items,
        review_score: r
            .review_score_x100
            .map(|s| fixed2(from_hundredths(s)))
            .unwrap_or_default(),
        warnings,
        timeline,
        likelihoods: Likelihood::ALL
            .iter()
            .map(|l| (l.code(), l.label()))
            .collect(),
        message,
        errors,
        r,
    })
}

pub async fn report_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "saved" => "监控报告已保存。".to_string(),
        code => format!(
            "操作成功，监控报告当前状态：{}。",
            DocState::parse(code).map(|s| s.label()).unwrap_or("")
        ),
    });
    Ok(
        report_view(&state, &session, &user, id, None, message, vec![])
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
    flow::visible(&a, id).await?;
    let row_version = super::project_flow::row_version(&pairs)?;
    let input = input_of(&pairs);
    match flow::save(&a, id, row_version, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/monitoring/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = report_view(
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

#[derive(Template)]
#[template(path = "monitoring_figures.html")]
struct FiguresPartial {
    fig: FiguresView,
}

/// The figures of the form as typed, for htmx to show while the user types.
pub async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Html<String>, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, "");
    let input = input_of(&pairs);
    let reported = jixiao_domain::decimal::parse_loose(
        input
            .reported_completion
            .trim()
            .trim_end_matches(['%', '％']),
    );
    let fig = match flow::check(&a, id, &input).await? {
        Ok(an) => figures(&an, reported),
        Err(problems) => empty_figures(
            problems
                .into_iter()
                .map(|p| format!("{}：{}", p.field, p.message))
                .collect(),
        ),
    };
    render(&FiguresPartial { fig })
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
    let mut scores: Vec<(usize, String)> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("score.")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n < 50)
                .map(|n| (n, v.clone()))
        })
        .collect();
    scores.sort_by_key(|(n, _)| *n);
    let input = ReportAction {
        action: field(&pairs, "action").into(),
        row_version: super::project_flow::row_version(&pairs)?,
        text: field(&pairs, "text").into(),
        scores: if field(&pairs, "action") == DocAction::Return.code()
            && scores.iter().all(|(_, v)| v.trim().is_empty())
        {
            vec![]
        } else {
            scores.into_iter().map(|(_, v)| v).collect()
        },
    };
    match flow::act(&a, id, &input).await.map_err(WebError::from) {
        Ok(o) => Ok(see_other(&format!("/monitoring/{id}?done={}", o.state))),
        Err(e) if is_user_error(&e) => {
            let html =
                report_view(&state, &session, &user, id, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// API

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn api_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<axum::Json<Value>, WebError> {
    let year = match q.year {
        Some(y) => y,
        None => {
            jixiao_store::years::of_region(&state.store, &user.region)
                .await?
                .current
        }
    };
    let tasks = store::tasks(&state.store, &user.region, year).await?;
    Ok(axum::Json(json!({"year": year, "tasks": tasks})))
}

pub async fn api_issue(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<TaskInput>,
) -> Result<(StatusCode, axum::Json<flow::TaskIssued>), WebError> {
    let t = flow::issue_task(&actor(&state, &user, &ip.0), &input).await?;
    Ok((StatusCode::CREATED, axum::Json(t)))
}

pub async fn api_task(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    let units = flow::progress_units(&a).await?;
    let progress = store::progress(&state.store, &t, units.as_deref()).await?;
    let scope = a.scope().await?;
    let warnings =
        jixiao_store::browse::task_warnings(&state.store, &user.region, &scope, id).await?;
    Ok(axum::Json(
        json!({"task": t, "progress": progress, "warnings": warnings}),
    ))
}

pub async fn api_reanalyse(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let (n, drafted) = flow::reanalyse(&actor(&state, &user, &ip.0), id).await?;
    Ok(axum::Json(
        json!({"analysed": n, "notices_drafted": drafted}),
    ))
}

#[derive(Serialize)]
pub struct AnalysisJson {
    execution_rate: String,
    completion_estimate: Option<String>,
    completion_rate: Option<String>,
    deviation: Option<String>,
    scheduled_rate: Option<String>,
    indicator_completions: Vec<Option<String>>,
    warnings: Vec<Value>,
    findings: Vec<Value>,
}

fn analysis_json(a: &Analysis) -> AnalysisJson {
    let pc = |v: rust_decimal::Decimal| fixed2(v);
    AnalysisJson {
        execution_rate: pc(a.execution_rate),
        completion_estimate: a.completion_estimate.map(pc),
        completion_rate: a.completion_rate.map(pc),
        deviation: a.deviation.map(pc),
        scheduled_rate: a.scheduled_rate.map(pc),
        indicator_completions: a
            .indicator_completions
            .iter()
            .map(|c| c.map(|c| pc(c * rust_decimal::Decimal::ONE_HUNDRED)))
            .collect(),
        warnings: a
            .warnings
            .iter()
            .map(|w| json!({"kind": w.kind.code(), "level": w.level.code(), "message": w.message}))
            .collect(),
        findings: a
            .findings
            .iter()
            .map(|f| {
                json!({"error": f.severity == Severity::Error, "indicator": f.indicator,
                "message": f.message})
            })
            .collect(),
    }
}

pub async fn api_report(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let r = flow::visible(&a, id).await?;
    let rows = store::indicators(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let analysis =
        flow::stored_analysis(&settings.monitoring, &r, &rows).map(|a| analysis_json(&a));
    let warnings = jixiao_store::browse::report_warnings(&state.store, id).await?;
    let history: Vec<Value> = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(|h| {
            json!({"from_state": h.from_state, "to_state": h.to_state, "action": h.action,
                "actor_name": h.actor_name, "opinion": h.opinion, "at": h.at.to_rfc3339()})
        })
        .collect();
    Ok(axum::Json(json!({
        "report": r, "indicators": rows, "analysis": analysis,
        "warnings": warnings.iter().map(|w| json!({"kind": w.kind, "level": w.level,
            "message": w.message, "rectification_state": w.rectification_state})).collect::<Vec<_>>(),
        "may_edit": flow::may_edit(&a, &r).await?,
        "history": history,
    })))
}

pub async fn api_save(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<Versioned<ReportInput>>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let analysis = flow::save(&a, id, input.row_version()?, &input.body).await?;
    let r = flow::visible(&a, id).await?;
    Ok(axum::Json(json!({
        "analysis": analysis_json(&analysis),
        "row_version": r.row_version,
    })))
}

pub async fn api_check(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<ReportInput>,
) -> Result<axum::Json<Value>, WebError> {
    let a = actor(&state, &user, &ip.0);
    Ok(axum::Json(match flow::check(&a, id, &input).await? {
        Ok(an) => json!({"analysis": analysis_json(&an), "problems": []}),
        Err(p) => json!({"analysis": null, "problems": p.iter().map(|p| json!({"field": p.field,
            "message": p.message})).collect::<Vec<_>>()}),
    }))
}

pub async fn api_action(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Body(input): Body<ReportAction>,
) -> Result<axum::Json<flow::ReportOutcome>, WebError> {
    let a = actor(&state, &user, &ip.0);
    Ok(axum::Json(flow::act(&a, id, &input).await?))
}

// ---------------------------------------------------------------------------------------------
// The workbook and the 汇总表

/// The forms' target of a stored indicator row (sign code, 年度指标值, unit).
pub(crate) fn form_target(
    sign: &str,
    value: &str,
    unit: &str,
) -> jixiao_forms::xlsx::write::Target {
    use jixiao_domain::indicator::Sign;
    use jixiao_forms::xlsx::write::Target;
    match (
        Sign::parse(sign).filter(|s| *s != Sign::Qualitative),
        jixiao_domain::decimal::parse_loose(value),
    ) {
        (Some(sign), Some(value)) => Target::Quantitative {
            sign,
            value,
            unit: unit.to_string(),
        },
        _ => Target::Qualitative(value.to_string()),
    }
}

/// A value as the unit typed it: a number when it reads as one, else its text.
pub(crate) fn form_value(text: &str) -> Option<jixiao_forms::xlsx::write::Value> {
    use jixiao_forms::xlsx::write::Value;
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    Some(match jixiao_domain::decimal::parse_loose(t) {
        Some(n) => Value::Number(n),
        None => Value::Text(t.to_string()),
    })
}

/// One report as the 项目支出绩效目标执行监控表, pre-filled with what is stored (the target and
/// budget, and whatever the unit has entered).
fn report_form(r: &ReportRecord, rows: &[IndicatorRecord]) -> jixiao_forms::xlsx::write::Form {
    use jixiao_forms::xlsx::write::{
        Form, Indicator, MonitoredIndicator, MonitoringForm, MonitoringFunds, MonitoringLine,
    };
    let filled = r.filled_at.is_some();
    let line = |budget: Option<i64>| MonitoringLine {
        budget: budget.map(Fen),
        executed: None,
        forecast: None,
    };
    let funds = MonitoringFunds {
        total: MonitoringLine {
            budget: Some(Fen(r.budget_fen)),
            executed: filled.then_some(Fen(r.executed_fen)),
            forecast: filled.then_some(Fen(r.expected_fen)),
        },
        current: line(r.current_fen),
        carried: line(r.carryover_fen),
        other: line(r.other_fen),
    };
    Form::Monitoring(MonitoringForm {
        fiscal_year: r.fiscal_year,
        period_end_month: u8::try_from(chrono::Datelike::month(&r.period_end)).unwrap_or(12),
        project: r.object_name.clone(),
        department: r.unit_name.clone(),
        implementer: r.unit_name.clone(),
        funds,
        goal: r.goal.clone(),
        goal_progress: r.progress_text.clone(),
        goal_forecast: r.goal_forecast.clone(),
        completion_rate: r.reported_completion_x100.map(from_hundredths),
        indicators: rows
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
                let deviation = [
                    row.deviation_causes.as_str(),
                    row.deviation_text.as_str(),
                    row.measures.as_str(),
                ]
                .iter()
                .filter(|s| !s.trim().is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("；");
                MonitoredIndicator {
                    indicator: i,
                    to_date: form_value(&row.to_date_value),
                    forecast: form_value(&row.expected_value),
                    deviation,
                    likelihood: Likelihood::parse(&row.likelihood)
                        .map(|l| l.label().to_string())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    })
}

/// The workbook of a task for some units (`None`: all), one sheet per project report.
async fn task_workbook(
    state: &AppState,
    region: &str,
    task_id: i64,
    units: Option<&[i64]>,
) -> Result<Vec<u8>, WebError> {
    let reports = store::task_reports(&state.store, region, task_id, units).await?;
    let reports: Vec<&ReportRecord> = reports.iter().filter(|r| r.project_id.is_some()).collect();
    if reports.is_empty() {
        return Err(WebError::Conflict(
            "该监控任务中没有您可填报的项目监控报告".into(),
        ));
    }
    if reports.len() > 500 {
        return Err(WebError::Conflict(format!(
            "该任务有 {} 份项目报告，超过单个工作簿 500 张工作表的上限；请按单位下载",
            reports.len()
        )));
    }
    let mut forms = Vec::with_capacity(reports.len());
    for r in reports {
        let rows = store::indicators(&state.store, r.id).await?;
        forms.push(report_form(r, &rows));
    }
    jixiao_forms::xlsx::write::write_forms(&forms)
        .map_err(|e| WebError::Internal(format!("生成填报表失败：{e}")))
}

/// The 汇总表 of a task: one row per report the reader may open.
async fn task_summary(
    state: &AppState,
    region: &str,
    scope: &jixiao_store::browse::Scope,
    t: &store::Task,
) -> Result<Vec<u8>, WebError> {
    let reports = jixiao_store::browse::task_reports(&state.store, region, scope, t.id).await?;
    let warnings = jixiao_store::browse::task_warnings(&state.store, region, scope, t.id).await?;
    let cutoff = jixiao_store::deadlines::end_of_day(t.deadline);
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            let ws: Vec<String> = warnings
                .iter()
                .filter(|w| w.report_id == r.id)
                .map(|w| {
                    format!(
                        "{}{}",
                        WarningLevel::parse(&w.level).map_or(w.level.as_str(), |l| l.label()),
                        WarningKind::parse(&w.kind)
                            .map(|k| format!("（{}）", k.label()))
                            .unwrap_or_default()
                    )
                })
                .collect();
            vec![
                r.unit_name.clone(),
                r.object_name.clone(),
                DocState::parse(&r.state).map_or(r.state.clone(), |s| s.label().into()),
                match r.submitted_at {
                    Some(at) if at < cutoff => "按时".into(),
                    Some(_) => "逾期".into(),
                    None => "未提交".into(),
                },
                crate::pages::show::score(r.execution_rate_x100),
                crate::pages::show::score(r.reported_completion_x100),
                crate::pages::show::score(r.completion_estimate_x100),
                crate::pages::show::score(r.deviation_x100),
                crate::pages::show::score(r.review_score_x100),
                ws.join("、"),
            ]
        })
        .collect();
    let title = format!("{}汇总表", t.name);
    jixiao_forms::xlsx::list::write_list(&jixiao_forms::xlsx::list::ListTable {
        title: &title,
        headers: &[
            "单位",
            "监控对象",
            "状态",
            "报送",
            "预算执行率（%）",
            "总体完成率（%）",
            "按指标测算完成率（%）",
            "偏差（百分点）",
            "审核得分",
            "预警",
        ],
        numeric: &[
            false, false, false, false, true, true, true, true, true, false,
        ],
        rows: &rows,
    })
    .map_err(|e| WebError::Internal(e.to_string()))
}
