//! The home page: the user's to-do list (待办) and the year at a glance.

use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{StatCard, region_name, render, scope};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Html;

/// `?year=`: another year of the data instead of the current one.
#[derive(Debug, Default, serde::Deserialize)]
pub struct YearQuery {
    #[serde(default, deserialize_with = "year_or_none")]
    pub year: Option<i32>,
}

/// A malformed or empty `year` is no choice (the current year), not a 400.
fn year_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(text.and_then(|t| t.trim().parse().ok()))
}

pub struct Todo {
    pub what: String,
    pub object: String,
    pub deadline: String,
    pub overdue: bool,
    pub due_soon: bool,
    pub state: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    todos: Vec<Todo>,
    cards: Vec<StatCard>,
    reports: Vec<i32>,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let region = region_name(&state, &user.region).await?;
    let scope = scope(&state, &user).await?;
    let todos =
        jixiao_store::todos::for_user(&state.store, &user.region, &scope, user.main_role().code())
            .await?
            .into_iter()
            .map(|t| Todo {
                overdue: t.overdue,
                due_soon: t.due_soon,
                what: t.what,
                object: t.object,
                deadline: t.deadline,
                state: t.state,
                link: t.link,
            })
            .collect();
    let years = jixiao_store::years::of_region(&state.store, &user.region).await?;
    let year = years.pick(q.year);
    let mut cards = Vec::new();
    for year in std::iter::once(year).chain(years.previous(year)) {
        let (total, amount) =
            jixiao_store::browse::project_totals(&state.store, &user.region, &scope, year).await?;
        if total > 0 {
            cards.push(StatCard::new(
                format!("{year} 年度项目"),
                format!("{total} 个"),
            ));
            cards.push(StatCard::new(
                format!("{year} 年度项目金额"),
                format!("{} 万元", jixiao_domain::Fen(amount).wan_2dp()),
            ));
        }
    }
    let reports = if scope.is_region_wide()
        && jixiao_store::report::has_year(&state.store, &user.region, year).await?
    {
        vec![year]
    } else {
        vec![]
    };
    let layout = Layout::new(&session, &user, &region, &state.matrix, "/");
    render(&HomePage {
        layout,
        todos,
        cards,
        reports,
    })
}
