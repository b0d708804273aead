//! 规则说明 (issue 15): every rule the program computes with, explained in Chinese with the
//! region's current settings filled in (`domain::rules::explain`). Readable by every logged-in
//! user; computed figures on the forms link here by anchor (`/rules#s8-3`).

use crate::AppState;
use crate::access::Access;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::Method;
use axum::response::Html;
use jixiao_domain::rules::{RuleSection, explain};

#[derive(Template)]
#[template(path = "rules.html")]
struct Page {
    layout: Layout,
    sections: Vec<Section>,
    /// The finance performance office changes parameters; others may only look at them.
    may_edit: bool,
}

struct Section {
    inner: RuleSection,
    /// The settings page, shown only to those who may open it.
    settings_link: Option<&'static str>,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let sections = explain(&settings)
        .into_iter()
        .map(|inner| {
            let settings_link = inner.settings_page.filter(|path| {
                state
                    .matrix
                    .lookup(&Method::GET, path)
                    .is_some_and(|a: Access| a.allows(&user.roles))
            });
            Section {
                inner,
                settings_link,
            }
        })
        .collect();
    let region = region_name(&state, &user.region).await?;
    render(&Page {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/rules"),
        sections,
        may_edit: user.has(jixiao_domain::types::Role::FinanceAdmin),
    })
}
