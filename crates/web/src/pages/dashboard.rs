//! The dashboard for finance staff and leaders (SPEC §16): headline figures of the year and four
//! charts, each an ECharts option served as JSON and drawn by /assets/app.js.

use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::home::YearQuery;
use crate::pages::{StatCard, region_name, render};
use askama::Template;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use jixiao_domain::Fen;
use jixiao_domain::decimal::{Decimal, fixed2, from_hundredths, round2};
use jixiao_domain::grade::Grade;
use serde_json::{Value, json};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    year: i32,
    /// The other years of the data, for `?year=`.
    years: Vec<i32>,
    cards: Vec<StatCard>,
    min_share: String,
    /// The red deviation line of §7, from the region's settings.
    deviation_red: String,
    coverage_note: String,
}

/// The year a dashboard request shows: `?year=` if the data holds it, else the current year.
async fn year_of(
    state: &AppState,
    region: &str,
    q: &YearQuery,
) -> Result<(i32, Vec<i32>), WebError> {
    let years = jixiao_store::years::of_region(&state.store, region).await?;
    Ok((years.pick(q.year), years.all))
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let (year, years) = year_of(&state, &user.region, &q).await?;
    let scope = crate::pages::scope(&state, &user).await?;
    let h = jixiao_store::dashboard::headline(&state.store, &user.region, year, &scope).await?;
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let average = if h.self_evaluations > 0 {
        fixed2(from_hundredths(h.score_x100_sum) / Decimal::from(h.self_evaluations))
    } else {
        "—".into()
    };
    let cards = vec![
        StatCard::new("项目数", format!("{} 个", h.projects)),
        StatCard::new("项目金额", format!("{} 万元", Fen(h.project_fen).wan_2dp())),
        StatCard::new(
            "部门整体目标金额",
            format!("{} 万元", Fen(h.unit_target_fen).wan_2dp()),
        ),
        StatCard::new("监控报告", format!("{} 份", h.monitoring_reports)),
        StatCard::new("红色预警", format!("{} 个", h.red_warnings)),
        StatCard::new("未办结整改", format!("{} 份", h.open_rectifications)),
        StatCard::new(
            format!("{} 年度项目自评", year - 1),
            format!("{} 个", h.self_evaluations),
        ),
        StatCard::new("自评平均分", average),
    ];
    let coverage = coverage(&state, &user.region, &settings, year).await?;
    let shortfalls = coverage
        .departments
        .iter()
        .filter(|d| d.coverage.shortfall)
        .count();
    let coverage_note = format!(
        "全县部门评价覆盖 {}%；{} 个有项目的单位中 {} 个未达到要求。",
        coverage
            .region
            .share
            .map(fixed2)
            .unwrap_or_else(|| "—".into()),
        coverage.departments.len(),
        shortfalls
    );
    let region = region_name(&state, &user.region).await?;
    render(&DashboardPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/dashboard"),
        year,
        years,
        cards,
        min_share: jixiao_domain::decimal::trim(settings.coverage.min_share * Decimal::ONE_HUNDRED),
        deviation_red: jixiao_domain::decimal::trim(settings.monitoring.deviation_red),
        coverage_note,
    })
}

async fn coverage(
    state: &AppState,
    region: &str,
    settings: &jixiao_domain::settings::Settings,
    year: i32,
) -> Result<jixiao_domain::coverage::RegionCoverage, WebError> {
    let inputs = jixiao_store::dashboard::coverage_inputs(&state.store, region, year).await?;
    let departments: Vec<jixiao_domain::coverage::DepartmentFunds> = inputs
        .iter()
        .filter_map(|(code, _, funds, evaluated)| {
            Some(jixiao_domain::coverage::DepartmentFunds {
                unit: jixiao_domain::types::UnitCode::parse(code).ok()?,
                project_funds: Fen(*funds),
                evaluated_funds: Fen(*evaluated),
            })
        })
        .collect();
    Ok(jixiao_domain::coverage::region_coverage(
        &settings.coverage,
        &departments,
    ))
}

fn pct(x100: i64) -> f64 {
    // Chart coordinates only; figures shown as text are formatted from exact decimals.
    x100 as f64 / 100.0
}

pub async fn chart(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, WebError> {
    let region = &user.region;
    let (year, _) = year_of(&state, region, &q).await?;
    let option = match name.as_str() {
        "execution.json" => {
            let points =
                jixiao_store::dashboard::execution_points(&state.store, region, year).await?;
            let data: Vec<Value> = points
                .iter()
                .map(|(n, e, c)| json!({"name": n, "value": [pct(*e), pct(*c)]}))
                .collect();
            // The band of the region's deviation line (§7); chart coordinates only.
            let settings = jixiao_store::regions::settings(&state.store, region).await?;
            let d = settings
                .monitoring
                .deviation_red
                .to_string()
                .parse::<f64>()
                .unwrap_or(20.0);
            json!({
                "tooltip": {"trigger": "item"},
                "grid": {"left": 50, "right": 20, "top": 20, "bottom": 40},
                "xAxis": {"name": "预算执行率 %", "nameLocation": "middle", "nameGap": 25, "min": 0, "max": 100},
                "yAxis": {"name": "目标完成率 %", "min": 0, "max": 100},
                "series": [
                    {"type": "scatter", "symbolSize": 7, "data": data},
                    {"type": "line", "data": [[0.0, d], [100.0 - d, 100.0]], "lineStyle": {"type": "dashed", "color": "#b91c1c"}, "symbol": "none", "silent": true},
                    {"type": "line", "data": [[d, 0.0], [100.0, 100.0 - d]], "lineStyle": {"type": "dashed", "color": "#b91c1c"}, "symbol": "none", "silent": true}
                ]
            })
        }
        "warnings.json" => {
            let rows =
                jixiao_store::dashboard::warnings_by_unit(&state.store, region, year).await?;
            let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).rev().collect();
            let red: Vec<i64> = rows.iter().map(|r| r.1).rev().collect();
            let yellow: Vec<i64> = rows.iter().map(|r| r.2).rev().collect();
            json!({
                "tooltip": {"trigger": "axis"},
                "legend": {"data": ["红色预警", "黄色预警"], "top": 0, "right": 10},
                "grid": {"left": 170, "right": 20, "top": 30, "bottom": 20},
                "xAxis": {"type": "value", "minInterval": 1},
                "yAxis": {"type": "category", "data": names},
                "series": [
                    {"name": "红色预警", "type": "bar", "stack": "w", "data": red, "itemStyle": {"color": "#b91c1c"}},
                    {"name": "黄色预警", "type": "bar", "stack": "w", "data": yellow, "itemStyle": {"color": "#d97706"}}
                ]
            })
        }
        "grades.json" => {
            let rows = jixiao_store::dashboard::grades(&state.store, region, year).await?;
            let data: Vec<Value> = Grade::ALL
                .iter()
                .map(|g| {
                    let n = rows.iter().find(|r| r.0 == g.code()).map_or(0, |r| r.1);
                    json!({"name": g.label(), "value": n})
                })
                .collect();
            json!({
                "tooltip": {"trigger": "item", "formatter": "{b}：{c} 个（{d}%）"},
                "legend": {"bottom": 0},
                "series": [{"type": "pie", "radius": ["35%", "65%"], "data": data}]
            })
        }
        "coverage.json" => {
            let settings = jixiao_store::regions::settings(&state.store, region).await?;
            let inputs =
                jixiao_store::dashboard::coverage_inputs(&state.store, region, year).await?;
            let mut rows: Vec<(String, f64)> = inputs
                .iter()
                .map(|(_, name, funds, evaluated)| {
                    let c = jixiao_domain::coverage::coverage(
                        &settings.coverage,
                        Fen(*funds),
                        Fen(*evaluated),
                    );
                    let share = c.share.map(round2).unwrap_or_default();
                    (
                        name.clone(),
                        share.to_string().parse::<f64>().unwrap_or(0.0),
                    )
                })
                .collect();
            rows.sort_by(|a, b| a.1.total_cmp(&b.1));
            let line = (settings.coverage.min_share * Decimal::ONE_HUNDRED)
                .to_string()
                .parse::<f64>()
                .unwrap_or(20.0);
            json!({
                "tooltip": {"trigger": "axis"},
                "grid": {"left": 190, "right": 30, "top": 20, "bottom": 20},
                "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
                "yAxis": {"type": "category", "axisLabel": {"interval": 0, "fontSize": 11}, "data": rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>()},
                "series": [{
                    "type": "bar",
                    "data": rows.iter().map(|r| json!({"value": r.1, "itemStyle": {"color": if r.1 < line { "#b91c1c" } else { "#1d4ed8" }}})).collect::<Vec<_>>(),
                    "markLine": {"symbol": "none", "data": [{"xAxis": line}], "lineStyle": {"color": "#b91c1c", "type": "dashed"}}
                }]
            })
        }
        _ => return Err(WebError::NotFound("图表".into())),
    };
    Ok(Json(option))
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, FINANCE_AND_VIEWERS};
    use axum::http::Method;
    use axum::routing::get;
    reg.add(
        Method::GET,
        "/dashboard",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(page),
    )
    .add(
        Method::GET,
        "/dashboard/charts/{name}",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(chart),
    )
}
