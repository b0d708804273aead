//! 绩效运行监控 on the web and the JSON API (SPEC §7): tasks issued by the finance office, the
//! per-task overview (reporting progress per unit, warnings by kind and unit, the execution versus
//! completion scatter, rectification status), the report form with its figures computed while the
//! user types, the review with the rubric, the unit's pre-filled workbook and the round's 汇总表.
//! Every decision is `jixiao_app::monitoring`'s.

mod api;
mod files;
mod report;
mod tasks;
pub use self::api::*;
pub use self::files::*;
pub use self::report::*;
pub use self::tasks::*;

use super::api_flows::{Body, Versioned};
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use super::projects::{HistoryView, history_view};
use crate::access::{Access, FINANCE_AND_VIEWERS, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{FindingView, actor, region_name, render};
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
    pub warnings: Vec<FigureWarning>,
    pub findings: Vec<FindingView>,
    /// Per indicator row (by position): completion in percent.
    pub completions: Vec<String>,
    pub problems: Vec<String>,
}

/// A warning the figures raise: its level code, "level·kind" label and message.
pub struct FigureWarning {
    pub level: String,
    pub label: String,
    pub message: String,
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
            .map(|w| FigureWarning {
                level: w.level.code().to_string(),
                label: format!("{}·{}", w.level.label(), w.kind.label()),
                message: w.message.clone(),
            })
            .collect(),
        findings: a
            .findings
            .iter()
            .map(|f| FindingView {
                error: f.severity == Severity::Error,
                message: f.message.clone(),
            })
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
    pub causes: Vec<CauseView>,
    pub cause_text: String,
    pub measures: String,
    pub completion: String,
}

/// A deviation cause (SPEC §7) as a checkbox of a row.
pub struct CauseView {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

fn row_view(r: &IndicatorRecord, input: Option<&IndicatorInput>) -> RowView {
    let target = if jixiao_domain::indicator::Sign::parse(&r.sign)
        == Some(jixiao_domain::indicator::Sign::Qualitative)
    {
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
            .map(|c| CauseView {
                code: c.code(),
                label: c.label(),
                checked: causes.contains(c),
            })
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
