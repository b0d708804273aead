//! The home page: the user's to-do list (待办) and the year at a glance.

use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render, scope};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;
use jixiao_store::browse::{ProjectFilter, Scope};

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
    cards: Vec<(String, String)>,
    reports: Vec<i32>,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
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
    let mut cards = Vec::new();
    for year in [2023, 2022] {
        let (rows, total) = jixiao_store::browse::projects(
            &state.store,
            &user.region,
            &scope,
            &ProjectFilter {
                year: Some(year),
                per_page: 500,
                page: 1,
                ..Default::default()
            },
        )
        .await?;
        if total > 0 {
            let amount: i64 = rows.iter().map(|r| r.total_fen).sum();
            cards.push((format!("{year} 年度项目"), format!("{total} 个")));
            cards.push((
                format!("{year} 年度项目金额"),
                format!("{} 万元", jixiao_domain::Fen(amount).wan_2dp()),
            ));
        }
    }
    let reports = if scope == Scope::Region {
        vec![2023]
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
