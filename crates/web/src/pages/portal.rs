//! The public portal (SPEC §12): published material only, no login.

use crate::AppState;
use crate::error::WebError;
use crate::pages::render;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use jixiao_domain::Fen;

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    region: String,
    rows: Vec<(i32, String, String, String, i64)>,
}

pub async fn page(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let regions = jixiao_store::report::regions_with_data(&state.store).await?;
    let Some(region) = regions.first() else {
        return render(&PortalPage {
            region: String::new(),
            rows: vec![],
        });
    };
    let rows = jixiao_store::browse::published_projects(&state.store, &region.code, None)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.fiscal_year,
                p.unit_name,
                p.name,
                Fen(p.total_fen).wan_2dp(),
                p.indicators,
            )
        })
        .collect();
    render(&PortalPage {
        region: region.name.clone(),
        rows,
    })
}
