//! The annual summary report (SPEC §13) in the browser and as .docx.

use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use jixiao_domain::report::annual;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "reports.html")]
struct IndexPage {
    layout: Layout,
    years: Vec<i32>,
    may_edit: bool,
}

pub async fn index(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    // The years of the data and the years after them (an evaluation of year Y is conducted in
    // Y + 1 and belongs to that year's report).
    // A prefecture or province reports over its subtree (issue 14), so its years are those of
    // the regions below it.
    let data = jixiao_store::years::of_subtree(&state.store, &user.region).await?;
    let mut candidates: Vec<i32> = data.all.iter().flat_map(|y| [y + 1, *y]).collect();
    candidates.sort_unstable_by(|a, b| b.cmp(a));
    candidates.dedup();
    let mut years = Vec::new();
    for year in candidates {
        if jixiao_store::report::has_year(&state.store, &user.region, year).await? {
            years.push(year);
        }
    }
    let region = region_name(&state, &user.region).await?;
    render(&IndexPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/reports"),
        years,
        may_edit: user.has(jixiao_domain::types::Role::FinanceAdmin),
    })
}

/// A year from the URL; anything else is "no such report" rather than a parse error.
fn year_of(text: &str) -> Result<i32, WebError> {
    jixiao_domain::types::FiscalYear::parse(text)
        .map(|y| y.get())
        .map_err(|_| WebError::NotFound(format!("“{text}”年度的报告")))
}

async fn document(
    state: &AppState,
    region: &str,
    year: i32,
) -> Result<jixiao_domain::report::Document, WebError> {
    if !jixiao_store::report::has_year(&state.store, region, year).await? {
        return Err(WebError::NotFound(format!("{year} 年度的数据")));
    }
    let figures = jixiao_store::report::annual_figures(&state.store, region, year).await?;
    let narrative = jixiao_store::narratives::for_year(&state.store, region, year).await?;
    Ok(annual::compose(&figures, &narrative))
}

pub async fn annual_html(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<Html<String>, WebError> {
    let year = year_of(&year)?;
    let doc = document(&state, &user.region, year).await?;
    Ok(Html(jixiao_forms::render::to_html(&doc)))
}

pub async fn annual_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<Response, WebError> {
    let year = year_of(&year)?;
    let doc = document(&state, &user.region, year).await?;
    let bytes =
        jixiao_forms::render::to_docx(&doc).map_err(|e| WebError::Internal(e.to_string()))?;
    let file = format!("annual-report-{}-{year}.docx", user.region);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The editable narrative (SPEC §13, issue 12 item 4).

struct ParagraphView {
    key: &'static str,
    label: &'static str,
    text: String,
    edited: bool,
    rows: usize,
}

#[derive(Template)]
#[template(path = "report_narrative.html")]
struct NarrativePage {
    layout: Layout,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    paragraphs: Vec<ParagraphView>,
    /// The report as it would read with the typed paragraphs (a preview), as a whole HTML page.
    preview: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn narrative_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    typed: Option<&BTreeMap<String, String>>,
    message: Option<String>,
    errors: Vec<String>,
    preview: Option<String>,
) -> Result<Html<String>, WebError> {
    let a = crate::pages::actor(state, user, "");
    let paragraphs = jixiao_app::report::narrative(&a, year)
        .await?
        .into_iter()
        .map(|p| {
            let text = typed.and_then(|t| t.get(p.key).cloned()).unwrap_or(p.text);
            ParagraphView {
                key: p.key,
                label: p.label,
                rows: (text.chars().count() / 60 + 2).clamp(2, 16),
                text,
                edited: p.edited,
            }
        })
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&NarrativePage {
        layout: Layout::new(session, user, &region, &state.matrix, "/reports"),
        year,
        message,
        errors,
        paragraphs,
        preview,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn narrative_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(year): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let year = year_of(&year)?;
    let message = q
        .done
        .map(|n| format!("已保存（{n} 段有改动），年度报告已按新的说明文字生成。"));
    narrative_view(&state, &session, &user, year, None, message, vec![], None).await
}

pub async fn narrative_post(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: crate::ClientIp,
    Path(year): Path<String>,
    form: Result<axum::Form<super::project_flow::Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    use super::project_flow::{field, is_user_error, messages_of, pairs_of, status_of};
    let year = year_of(&year)?;
    let pairs = pairs_of(form)?;
    let typed: BTreeMap<String, String> = pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("n_").map(|k| (k.to_string(), v.clone())))
        .collect();
    let a = crate::pages::actor(&state, &user, &ip.0);
    if field(&pairs, "preview") == "1" {
        // Not saved: the report as it would read.
        let result = jixiao_app::report::check(&typed).map_err(WebError::from);
        return match result {
            Ok(checked) => {
                if !jixiao_store::report::has_year(&state.store, &user.region, year).await? {
                    return Err(WebError::NotFound(format!("{year} 年度的数据")));
                }
                let figures =
                    jixiao_store::report::annual_figures(&state.store, &user.region, year).await?;
                let mut narrative =
                    jixiao_store::narratives::for_year(&state.store, &user.region, year).await?;
                narrative.extend(checked.into_iter().filter(|(_, v)| !v.is_empty()));
                let html = jixiao_forms::render::to_html(&annual::compose(&figures, &narrative));
                Ok(narrative_view(
                    &state,
                    &session,
                    &user,
                    year,
                    Some(&typed),
                    Some("预览：以下为按填写内容生成的报告，尚未保存。".into()),
                    vec![],
                    Some(html),
                )
                .await?
                .into_response())
            }
            Err(e) => {
                let html = narrative_view(
                    &state,
                    &session,
                    &user,
                    year,
                    Some(&typed),
                    None,
                    messages_of(&e),
                    None,
                )
                .await?;
                Ok((status_of(&e), html).into_response())
            }
        };
    }
    match jixiao_app::report::save(&a, year, &typed)
        .await
        .map_err(WebError::from)
    {
        Ok(n) => Ok(crate::see_other(&format!(
            "/reports/annual/{year}/narrative?done={n}"
        ))),
        Err(e) if is_user_error(&e) => {
            let html = narrative_view(
                &state,
                &session,
                &user,
                year,
                Some(&typed),
                None,
                messages_of(&e),
                None,
            )
            .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn api_narrative(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<axum::Json<Vec<jixiao_app::report::Paragraph>>, WebError> {
    let year = year_of(&year)?;
    Ok(axum::Json(
        jixiao_app::report::narrative(&crate::pages::actor(&state, &user, ""), year).await?,
    ))
}

pub async fn api_narrative_put(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: crate::ClientIp,
    Path(year): Path<String>,
    super::api_flows::Body(typed): super::api_flows::Body<BTreeMap<String, String>>,
) -> Result<axum::Json<serde_json::Value>, WebError> {
    let year = year_of(&year)?;
    let n =
        jixiao_app::report::save(&crate::pages::actor(&state, &user, &ip.0), year, &typed).await?;
    Ok(axum::Json(serde_json::json!({"changed": n})))
}

pub async fn annual_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<Response, WebError> {
    let year = year_of(&year)?;
    let doc = document(&state, &user.region, year).await?;
    let name = doc.title.clone();
    super::report_file(
        doc,
        super::ReportFormat::Pdf,
        &format!("annual-report-{}-{year}", user.region),
        &name,
    )
    .await
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, FINANCE_AND_VIEWERS};
    use axum::http::Method;
    use axum::routing::{get, post, put};
    reg.add(
        Method::GET,
        "/reports",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(index),
    )
    .add(
        Method::GET,
        "/reports/annual/{year}",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(annual_html),
    )
    .add(
        Method::GET,
        "/reports/annual/{year}/docx",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(annual_docx),
    )
    .add(
        Method::GET,
        "/reports/annual/{year}/pdf",
        Access::Roles(FINANCE_AND_VIEWERS),
        get(annual_pdf),
    )
    .add(
        Method::GET,
        "/reports/annual/{year}/narrative",
        Access::Roles(&[jixiao_domain::types::Role::FinanceAdmin]),
        get(narrative_page),
    )
    .add(
        Method::POST,
        "/reports/annual/{year}/narrative",
        Access::Roles(&[jixiao_domain::types::Role::FinanceAdmin]),
        post(narrative_post),
    )
    .add(
        Method::GET,
        "/api/v1/reports/annual/{year}/narrative",
        Access::AnyUser,
        get(api_narrative),
    )
    .add(
        Method::PUT,
        "/api/v1/reports/annual/{year}/narrative",
        Access::AnyUser,
        put(api_narrative_put),
    )
}
