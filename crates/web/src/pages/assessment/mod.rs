//! 部门考核 on the web and the JSON API (SPEC §11, issue 12 item 1): the year's ranking with the
//! rubric and the manual items, a unit's score sheet with its formulas, counts and adjustments,
//! the records behind each count, finalising, and the report. Every decision is
//! `jixiao_app::assessment`'s.

mod actions;
mod api;
mod sheet;
pub use self::actions::*;
pub use self::api::*;
pub use self::sheet::*;

use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use crate::access::{Access, Registry};
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
use jixiao_app::assessment::{
    self as flow, AdjustInput, FinalizeInput, ManualEntry, OpenInput, RubricInput, RubricItemInput,
};
use jixiao_domain::assessment::{ItemScore, Measure, formula};
use jixiao_domain::decimal::trim;
use jixiao_domain::types::Role;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

/// Who opens the page: finance, leaders and administrators (the ranking), unit users (their
/// own sheet).
const READERS: &[Role] = &[
    Role::FinanceAdmin,
    Role::FinanceDesk,
    Role::Viewer,
    Role::Sysadmin,
    Role::UnitPreparer,
    Role::UnitApprover,
];
const MANAGERS: &[Role] = &[Role::FinanceAdmin];
/// Who read the ranking and its report: finance, leaders and administrators.
const RANKING_READERS: &[Role] = Role::REGION_READERS;

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/assessments",
        Access::Roles(READERS),
        get(page),
    )
    .add(
        Method::POST,
        "/assessments/open",
        Access::Roles(MANAGERS),
        post(open),
    )
    .add(
        Method::POST,
        "/assessments/{year}/rubric",
        Access::Roles(MANAGERS),
        post(rubric),
    )
    .add(
        Method::POST,
        "/assessments/{year}/manual",
        Access::Roles(MANAGERS),
        post(manual),
    )
    .add(
        Method::POST,
        "/assessments/{year}/finalize",
        Access::Roles(MANAGERS),
        post(finalize),
    )
    .add(
        Method::GET,
        "/assessments/{year}/report.docx",
        Access::Roles(RANKING_READERS),
        get(report_docx),
    )
    .add(
        Method::GET,
        "/assessments/{year}/report.html",
        Access::Roles(RANKING_READERS),
        get(report_html),
    )
    .add(
        Method::GET,
        "/assessments/{year}/units/{unit}",
        Access::Roles(READERS),
        get(sheet_page),
    )
    .add(
        Method::POST,
        "/assessments/{year}/units/{unit}/adjust",
        Access::Roles(MANAGERS),
        post(adjust),
    )
    .add(
        Method::GET,
        "/assessments/{year}/units/{unit}/records/{measure}",
        Access::Roles(READERS),
        get(records_page),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}",
        Access::AnyUser,
        get(api_overview),
    )
    .add(
        Method::POST,
        "/api/v1/assessments",
        Access::AnyUser,
        post(api_open),
    )
    .add(
        Method::PUT,
        "/api/v1/assessments/{year}/rubric",
        Access::AnyUser,
        put(api_rubric),
    )
    .add(
        Method::PUT,
        "/api/v1/assessments/{year}/manual",
        Access::AnyUser,
        put(api_manual),
    )
    .add(
        Method::POST,
        "/api/v1/assessments/{year}/units/{unit}/adjustments",
        Access::AnyUser,
        post(api_adjust),
    )
    .add(
        Method::POST,
        "/api/v1/assessments/{year}/finalize",
        Access::AnyUser,
        post(api_finalize),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/report.docx",
        Access::AnyUser,
        get(report_docx),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/report.pdf",
        Access::AnyUser,
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/assessments/{year}/report.pdf",
        Access::Roles(RANKING_READERS),
        get(report_pdf),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/units/{unit}",
        Access::AnyUser,
        get(api_sheet),
    )
    .add(
        Method::GET,
        "/api/v1/assessments/{year}/units/{unit}/records/{measure}",
        Access::AnyUser,
        get(api_records),
    )
}

/// The year shown by default: the latest with a round, else last year (the year just assessed).
async fn default_year(state: &AppState, region: &str) -> Result<i32, WebError> {
    let rounds = jixiao_store::assessment::rounds(&state.store, region).await?;
    Ok(rounds
        .first()
        .map(|r| r.fiscal_year)
        .unwrap_or_else(|| jixiao_app::default_year() - 1))
}

fn two(d: Decimal) -> String {
    format!("{:.2}", jixiao_domain::decimal::round2(d))
}

fn listed_label(code: &str) -> &'static str {
    match code {
        "commended" => "通报表彰",
        "interviewed" => "约谈",
        _ => "",
    }
}

struct CellView {
    score: String,
    adjusted: bool,
    pending: bool,
}

fn cell(i: &ItemScore) -> CellView {
    CellView {
        score: if i.pending {
            "待评".into()
        } else {
            two(i.score)
        },
        adjusted: i.adjustment != Decimal::ZERO,
        pending: i.pending,
    }
}

struct UnitView {
    unit_id: i64,
    name: String,
    cells: Vec<CellView>,
    total: String,
    pending: usize,
    problems: Vec<String>,
    rank: String,
    listed: &'static str,
    listed_code: String,
    rectification_id: Option<i64>,
}

struct RubricView {
    key: String,
    name: String,
    max: String,
    automatic: bool,
    formula: String,
}

/// A unit's row of the manual scores: its name and an input per manual item.
struct ManualView {
    name: String,
    inputs: Vec<ManualInput>,
}

/// A manual-score input: the field name, the item's key, and the value shown.
struct ManualInput {
    field: String,
    key: String,
    value: String,
}

/// A unit user's own result: the unit's id and name, its total and rank.
struct OwnResult {
    unit_id: i64,
    name: String,
    total: String,
    rank: i32,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    layout: Layout,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    manages: bool,
    opened: bool,
    open: bool,
    finalized_on: String,
    interview_deadline: String,
    row_version: i32,
    rubric: Vec<RubricView>,
    commended_n: u32,
    interviewed_n: u32,
    below: String,
    units: Vec<UnitView>,
    manual_items: Vec<String>,
    manual: Vec<ManualView>,
    complete: bool,
    pending_units: usize,
    commended: Vec<String>,
    interviewed: Vec<String>,
    /// A unit user's own results.
    own: Vec<OwnResult>,
    unit_user: bool,
}

#[allow(clippy::too_many_arguments)]
async fn view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    typed: Option<&Pairs>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let region = region_name(state, &user.region).await?;
    let layout = Layout::new(session, user, &region, &state.matrix, "/assessments");
    let unit_user = user.is_unit_user() && !user.is_finance();
    let (o, own) = if unit_user {
        let own = flow::own_results(&a, year)
            .await?
            .into_iter()
            .map(|r| OwnResult {
                unit_id: r.unit_id,
                name: r.unit_name,
                total: two(jixiao_domain::decimal::from_hundredths(r.total_x100)),
                rank: r.rank,
            })
            .collect();
        (None, own)
    } else {
        match flow::overview(&a, year).await {
            Ok(o) => (Some(o), vec![]),
            Err(jixiao_app::AppError::Refused(m)) => {
                let mut errors = errors;
                errors.push(m);
                return render(&AssessmentPage {
                    layout,
                    year,
                    message,
                    errors,
                    manages: false,
                    opened: true,
                    open: true,
                    finalized_on: String::new(),
                    interview_deadline: String::new(),
                    row_version: 0,
                    rubric: vec![],
                    commended_n: 0,
                    interviewed_n: 0,
                    below: String::new(),
                    units: vec![],
                    manual_items: vec![],
                    manual: vec![],
                    complete: false,
                    pending_units: 0,
                    commended: vec![],
                    interviewed: vec![],
                    own: vec![],
                    unit_user,
                });
            }
            Err(e) => return Err(e.into()),
        }
    };
    let manages = flow::manages(&a);
    let Some(o) = o else {
        return render(&AssessmentPage {
            layout,
            year,
            message,
            errors,
            manages: false,
            opened: true,
            open: false,
            finalized_on: String::new(),
            interview_deadline: String::new(),
            row_version: 0,
            rubric: vec![],
            commended_n: 0,
            interviewed_n: 0,
            below: String::new(),
            units: vec![],
            manual_items: vec![],
            manual: vec![],
            complete: false,
            pending_units: 0,
            commended: vec![],
            interviewed: vec![],
            own,
            unit_user,
        });
    };
    let typed_value = |name: &str, stored: String| -> String {
        typed
            .and_then(|p| p.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .unwrap_or(stored)
    };
    let rubric: Vec<RubricView> = o
        .rubric
        .items
        .iter()
        .map(|i| {
            let auto = i.automatic && formula(&i.key).is_some();
            RubricView {
                key: i.key.clone(),
                name: typed_value(&format!("name_{}", i.key), i.name.clone()),
                max: typed_value(&format!("max_{}", i.key), trim(i.max)),
                automatic: auto,
                formula: formula(&i.key)
                    .filter(|_| auto)
                    .unwrap_or("人工评分")
                    .to_string(),
            }
        })
        .collect();
    let manual_keys: Vec<(String, String)> = rubric
        .iter()
        .filter(|r| !r.automatic)
        .map(|r| (r.key.clone(), r.name.clone()))
        .collect();
    let manual = o
        .units
        .iter()
        .map(|u| ManualView {
            name: u.unit_name.clone(),
            inputs: manual_keys
                .iter()
                .map(|(k, _)| {
                    let stored = u
                        .items
                        .iter()
                        .find(|i| &i.key == k && !i.pending)
                        .map(|i| trim(i.computed))
                        .unwrap_or_default();
                    let name = format!("m_{}_{}", u.unit_id, k);
                    let value = typed_value(&name, stored);
                    ManualInput {
                        field: name,
                        key: k.clone(),
                        value,
                    }
                })
                .collect(),
        })
        .collect();
    let units: Vec<UnitView> = o
        .units
        .iter()
        .map(|u| UnitView {
            unit_id: u.unit_id,
            name: u.unit_name.clone(),
            cells: u.items.iter().map(cell).collect(),
            total: two(u.total),
            pending: u.pending,
            problems: u.problems.clone(),
            rank: u.rank.map(|r| r.to_string()).unwrap_or_default(),
            listed: listed_label(&u.listed),
            listed_code: u.listed.clone(),
            rectification_id: u.rectification_id,
        })
        .collect();
    let round = o.round.as_ref();
    render(&AssessmentPage {
        layout,
        year,
        message,
        errors,
        manages,
        opened: round.is_some(),
        open: round.is_some_and(|r| r.state == flow::OPEN),
        finalized_on: round
            .and_then(|r| r.finalized_at)
            .map(|t| jixiao_store::deadlines::local_date(t).to_string())
            .unwrap_or_default(),
        interview_deadline: round
            .and_then(|r| r.interview_deadline)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        row_version: round.map_or(0, |r| r.row_version),
        rubric,
        commended_n: o.rubric.commended,
        interviewed_n: o.rubric.interviewed,
        below: trim(o.rubric.interview_below),
        pending_units: units
            .iter()
            .filter(|u| u.pending > 0 || !u.problems.is_empty())
            .count(),
        units,
        manual_items: manual_keys.into_iter().map(|(_, n)| n).collect(),
        manual,
        complete: o.complete,
        commended: o.commended,
        interviewed: o.interviewed,
        own,
        unit_user,
    })
}
