//! 信息公开 on the web and the JSON API (SPEC §12): publishing approved targets and evaluation
//! results and withdrawing a publication with a reason. Every decision is
//! `jixiao_app::disclosure`'s.

use super::api_flows::Body;
use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use crate::access::{Access, Registry};
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{actor, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use jixiao_app::disclosure::{self as flow, FilterInput, PublishInput, UnpublishInput};
use jixiao_domain::decimal::{fixed2, from_hundredths};
use jixiao_domain::grade::Grade;
use jixiao_domain::types::Role;
use serde::Deserialize;
use serde_json::{Value, json};

const FINANCE: &[Role] = &[Role::FinanceAdmin, Role::FinanceDesk];

pub fn register(reg: Registry<AppState>) -> Registry<AppState> {
    reg.add(
        Method::GET,
        "/disclosures",
        Access::Roles(FINANCE),
        get(page),
    )
    .add(
        Method::POST,
        "/disclosures/publish",
        Access::Roles(&[Role::FinanceAdmin]),
        post(publish),
    )
    .add(
        Method::POST,
        "/disclosures/unpublish",
        Access::Roles(&[Role::FinanceAdmin]),
        post(unpublish),
    )
    .add(
        Method::GET,
        "/disclosures/package/{year}",
        Access::Roles(FINANCE),
        get(package),
    )
    .add(
        Method::GET,
        "/api/v1/disclosures/package/{year}",
        Access::Roles(FINANCE),
        get(package),
    )
    .add(
        Method::GET,
        "/api/v1/disclosures",
        Access::Roles(FINANCE),
        get(api_items),
    )
    .add(
        Method::POST,
        "/api/v1/disclosures",
        Access::AnyUser,
        post(api_publish),
    )
    .add(
        Method::POST,
        "/api/v1/disclosures/unpublish",
        Access::AnyUser,
        post(api_unpublish),
    )
}

const PAGE: i64 = 200;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    year: Option<String>,
    kind: Option<String>,
    unit: Option<String>,
    state: Option<String>,
    page: Option<i64>,
    done: Option<String>,
}

struct RowView {
    id: i64,
    title: String,
    unit: String,
    kind: &'static str,
    total: String,
    grade: String,
    published: String,
    link: String,
}

/// A first-level unit of the unit filter: its id and name.
struct UnitOption {
    id: i64,
    name: String,
}

#[derive(Template)]
#[template(path = "disclosures.html")]
struct DisclosurePage {
    layout: Layout,
    year: String,
    kind: String,
    unit: String,
    state: String,
    units: Vec<UnitOption>,
    rows: Vec<RowView>,
    may_publish: bool,
    today: String,
    page: i64,
    more: bool,
    message: Option<String>,
    errors: Vec<String>,
}

fn filter_of(year: &str, kind: &str, unit: &str, state: &str) -> FilterInput {
    FilterInput {
        fiscal_year: year.into(),
        kind: kind.into(),
        unit_id: unit.trim().parse().ok(),
        state: state.into(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    filter: FilterInput,
    page: i64,
    message: Option<String>,
    mut errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let page = page.clamp(0, 1_000_000);
    let rows = match flow::items(&a, &filter, PAGE + 1, page * PAGE).await {
        Ok(rows) => rows,
        Err(e) => {
            errors.extend(messages_of(&WebError::from(e)));
            Vec::new()
        }
    };
    let more = rows.len() as i64 > PAGE;
    let kind = if filter.kind == "evaluation" {
        "evaluation"
    } else {
        "target"
    };
    let units = jixiao_store::units::list(&state.store, &user.region)
        .await?
        .into_iter()
        .filter(|u| u.level == 1)
        .map(|u| UnitOption {
            id: u.id,
            name: u.name,
        })
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&DisclosurePage {
        layout: Layout::new(session, user, &region, &state.matrix, "/disclosures"),
        year: filter.fiscal_year.clone(),
        kind: kind.into(),
        unit: filter.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        state: filter.state.clone(),
        units,
        rows: rows
            .into_iter()
            .take(PAGE as usize)
            .map(|r| RowView {
                id: r.object_id,
                link: if kind == "target" {
                    format!("/projects/{}", r.object_id)
                } else {
                    format!("/evaluations/{}", r.object_id)
                },
                title: r.title,
                unit: r.unit_name,
                kind: match r.kind.as_str() {
                    "self" => "单位自评",
                    "department" => "部门评价",
                    "finance" => "财政重点评价",
                    _ => "",
                },
                total: r
                    .total_x100
                    .map(|t| fixed2(from_hundredths(t)))
                    .unwrap_or_default(),
                grade: r
                    .grade
                    .as_deref()
                    .and_then(Grade::parse)
                    .map_or(String::new(), |g| g.label().to_string()),
                published: r
                    .published_at
                    .map(|t| t.date_naive().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        may_publish: user.has(Role::FinanceAdmin),
        today: jixiao_store::deadlines::today().to_string(),
        page,
        more,
        message,
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, WebError> {
    let year = q
        .year
        .unwrap_or_else(|| (jixiao_app::default_year() - 1).to_string());
    let filter = filter_of(
        &year,
        q.kind.as_deref().unwrap_or("target"),
        q.unit.as_deref().unwrap_or(""),
        q.state.as_deref().unwrap_or(""),
    );
    let message = q.done.map(|d| match d.as_str() {
        "withdrawn" => "已撤回公开。".to_string(),
        n => format!("已公开 {n} 项。"),
    });
    view(
        &state,
        &session,
        &user,
        filter,
        q.page.unwrap_or(0),
        message,
        vec![],
    )
    .await
}

fn back_to(f: &FilterInput) -> String {
    format!(
        "/disclosures?year={}&kind={}&unit={}&state={}",
        f.fiscal_year.trim(),
        f.kind.trim(),
        f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        f.state.trim()
    )
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let filter = filter_of(
        field(&pairs, "fiscal_year"),
        field(&pairs, "kind"),
        field(&pairs, "unit_id"),
        field(&pairs, "state"),
    );
    let input = PublishInput {
        filter: filter.clone(),
        ids: pairs
            .iter()
            .filter(|(k, _)| k == "id")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect(),
        all: !field(&pairs, "all").is_empty(),
        date: field(&pairs, "date").into(),
    };
    match flow::publish(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(n) => Ok(see_other(&format!("{}&done={n}", back_to(&filter)))),
        Err(e) if is_user_error(&e) => {
            let html = view(&state, &session, &user, filter, 0, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn unpublish(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let filter = filter_of(field(&pairs, "fiscal_year"), field(&pairs, "kind"), "", "");
    let input = UnpublishInput {
        kind: field(&pairs, "kind").into(),
        object_id: field(&pairs, "object_id").trim().parse().unwrap_or(0),
        reason: field(&pairs, "reason").into(),
    };
    match flow::unpublish(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("{}&done=withdrawn", back_to(&filter)))),
        Err(e) if is_user_error(&e) => {
            let html = view(&state, &session, &user, filter, 0, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub struct ApiQuery {
    year: Option<String>,
    kind: Option<String>,
    unit: Option<i64>,
    state: Option<String>,
    page: Option<i64>,
}

pub async fn api_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ApiQuery>,
) -> Result<axum::Json<Vec<jixiao_store::disclosure::Item>>, WebError> {
    let page = q.page.unwrap_or(0);
    if !(0..=1_000_000).contains(&page) {
        return Err(WebError::BadRequest(vec![(
            "page".into(),
            "须在 0 到 1000000 之间".into(),
        )]));
    }
    let filter = FilterInput {
        fiscal_year: q
            .year
            .unwrap_or_else(|| (jixiao_app::default_year() - 1).to_string()),
        kind: q.kind.unwrap_or_else(|| "target".into()),
        unit_id: q.unit,
        state: q.state.unwrap_or_default(),
    };
    Ok(axum::Json(
        flow::items(&actor(&state, &user, ""), &filter, PAGE, page * PAGE).await?,
    ))
}

pub async fn api_publish(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<PublishInput>,
) -> Result<axum::Json<Value>, WebError> {
    let n = flow::publish(&actor(&state, &user, &ip.0), &input).await?;
    Ok(axum::Json(json!({"published": n})))
}

pub async fn api_unpublish(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Body(input): Body<UnpublishInput>,
) -> Result<axum::Json<Value>, WebError> {
    flow::unpublish(&actor(&state, &user, &ip.0), &input).await?;
    Ok(axum::Json(json!({"ok": true})))
}

/// `GET /disclosures/package/{year}`: the 人大报送材料 as one .zip — the published targets of the
/// year and the published results of the evaluations done in it as .xlsx, and the year's
/// summary report (.docx) when the year has data. Nothing unpublished is in it.
pub async fn package(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(year): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    use jixiao_forms::xlsx::list::{ListTable, write_list};
    let Ok(year) = jixiao_domain::types::FiscalYear::parse(&year).map(|y| y.get()) else {
        return Err(WebError::NotFound(format!("“{year}”年度的报送材料")));
    };
    let p = flow::package(&actor(&state, &user, ""), year).await?;
    let day = |i: &jixiao_store::disclosure::Item| {
        i.published_at
            .map(|t| t.date_naive().to_string())
            .unwrap_or_default()
    };
    let target_rows: Vec<Vec<String>> = p
        .targets
        .iter()
        .map(|i| {
            vec![
                i.unit_name.clone(),
                i.title.clone(),
                i.fiscal_year.to_string(),
                day(i),
            ]
        })
        .collect();
    let title = format!("{year}年度公开的项目绩效目标");
    let targets = write_list(&ListTable {
        title: &title,
        headers: &["单位", "项目", "预算年度", "公开日期"],
        numeric: &[false, false, false, false],
        rows: &target_rows,
    })
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let result_rows: Vec<Vec<String>> = p
        .results
        .iter()
        .map(|i| {
            vec![
                i.unit_name.clone(),
                i.title.clone(),
                match i.kind.as_str() {
                    "self" => "单位自评",
                    "department" => "部门评价",
                    _ => "财政重点评价",
                }
                .to_string(),
                i.fiscal_year.to_string(),
                i.total_x100
                    .map(|t| fixed2(from_hundredths(t)))
                    .unwrap_or_default(),
                i.grade
                    .as_deref()
                    .and_then(Grade::parse)
                    .map_or(String::new(), |g| g.label().to_string()),
                day(i),
            ]
        })
        .collect();
    let title = format!("{year}年度公开的绩效评价结果");
    let results = write_list(&ListTable {
        title: &title,
        headers: &[
            "单位",
            "评价对象",
            "评价类型",
            "评价年度",
            "得分",
            "等级",
            "公开日期",
        ],
        numeric: &[false, false, false, false, true, false, false],
        rows: &result_rows,
    })
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let mut files = vec![
        (format!("{year}年度公开的项目绩效目标.xlsx"), targets),
        (format!("{year}年度公开的绩效评价结果.xlsx"), results),
    ];
    if jixiao_store::report::has_year(&state.store, &user.region, year).await? {
        let figures =
            jixiao_store::report::annual_figures(&state.store, &user.region, year).await?;
        let narrative =
            jixiao_store::narratives::for_year(&state.store, &user.region, year).await?;
        let doc = jixiao_domain::report::annual::compose(&figures, &narrative);
        let docx =
            jixiao_forms::render::to_docx(&doc).map_err(|e| WebError::Internal(e.to_string()))?;
        files.push((format!("{year}年度预算绩效管理工作情况.docx"), docx));
    }
    let zipped = jixiao_forms::package::zip_files(&files).map_err(WebError::Internal)?;
    let name = format!("{year}年度人大报送材料（预算绩效）.zip");
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/zip".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"npc-package-{year}.zip\"; filename*=UTF-8''{encoded}"
                ),
            ),
        ],
        zipped,
    )
        .into_response())
}
