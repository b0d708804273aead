//! The public portal (SPEC §12): published material only, no login, usable on a phone.

use super::show::{score, shown_values};
use crate::AppState;
use crate::error::WebError;
use crate::pages::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use jixiao_domain::Fen;
use jixiao_domain::grade::Grade;

/// A published evaluation in the portal's list.
struct EvaluationRow {
    year: i32,
    unit: String,
    id: i64,
    title: String,
    executed_wan: String,
    score: String,
    grade: String,
}

/// A project whose targets are published, in the portal's list.
struct ProjectRow {
    year: i32,
    unit: String,
    name: String,
    total_wan: String,
    indicators: i64,
    id: i64,
}

/// An indicator of a published evaluation: its levels, name, target, actual, weight and score.
struct IndicatorRow {
    level1: String,
    level2: String,
    name: String,
    target: String,
    actual: String,
    weight: String,
    score: String,
}

/// The public's ratings of a project: how many, and the share of 4 and 5.
struct RatingsView {
    ratings: i64,
    satisfied_share: String,
}

/// A published comment: its rating, text and date.
struct CommentView {
    rating: i32,
    comment: String,
    date: String,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    region: String,
    rows: Vec<ProjectRow>,
    evaluations: Vec<EvaluationRow>,
    /// The filter as given, and what it may choose from.
    year: String,
    unit: String,
    q: String,
    years: Vec<i32>,
    units: Vec<String>,
    page: i64,
    more: bool,
    /// The filter as a query string (for the paging links), without `page`.
    query: String,
}

/// The portal's filter: year, unit (by name), words of the name, page.
#[derive(serde::Deserialize, Default)]
pub struct PortalQuery {
    year: Option<String>,
    unit: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

const PORTAL_PAGE: i64 = 50;

fn grade(code: Option<&str>) -> String {
    code.and_then(Grade::parse)
        .map(|g| g.label().to_string())
        .unwrap_or_default()
}

/// The region the portal shows: the deployment's county (the first region holding units).
async fn region(state: &AppState) -> Result<Option<jixiao_store::regions::Region>, WebError> {
    Ok(jixiao_store::report::regions_with_data(&state.store)
        .await?
        .into_iter()
        .next())
}

pub async fn page(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<PortalQuery>,
) -> Result<Html<String>, WebError> {
    let year = query
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y));
    let unit = query
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| u.chars().take(100).collect::<String>());
    let q = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| {
            q.chars()
                .filter(|c| !c.is_control())
                .take(50)
                .collect::<String>()
        });
    let page = query.page.unwrap_or(0).clamp(0, 100_000);
    let Some(region) = region(&state).await? else {
        return render(&PortalPage {
            region: String::new(),
            rows: vec![],
            evaluations: vec![],
            year: String::new(),
            unit: String::new(),
            q: String::new(),
            years: vec![],
            units: vec![],
            page: 0,
            more: false,
            query: String::new(),
        });
    };
    let filter = jixiao_store::browse::PortalFilter {
        year,
        unit: unit.clone(),
        q: q.clone(),
        limit: PORTAL_PAGE + 1,
        offset: page * PORTAL_PAGE,
    };
    let projects =
        jixiao_store::browse::published_projects_where(&state.store, &region.code, &filter).await?;
    let published =
        jixiao_store::browse::published_evaluations_where(&state.store, &region.code, &filter)
            .await?;
    let more = projects.len() as i64 > PORTAL_PAGE || published.len() as i64 > PORTAL_PAGE;
    let rows = projects
        .into_iter()
        .take(PORTAL_PAGE as usize)
        .map(|p| ProjectRow {
            year: p.fiscal_year,
            unit: p.unit_name,
            name: p.name,
            total_wan: Fen(p.total_fen).wan_2dp(),
            indicators: p.indicators,
            id: p.id,
        })
        .collect();
    let evaluations = published
        .into_iter()
        .take(PORTAL_PAGE as usize)
        .map(|e| EvaluationRow {
            year: e.fiscal_year,
            unit: e.unit_name,
            id: e.id,
            title: e.title,
            executed_wan: Fen(e.executed_fen).wan_2dp(),
            score: score(e.total_x100),
            grade: grade(e.grade.as_deref()),
        })
        .collect();
    let (units, years) =
        jixiao_store::browse::published_units_and_years(&state.store, &region.code).await?;
    let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let query = format!(
        "year={}&unit={}&q={}",
        year.map(|y| y.to_string()).unwrap_or_default(),
        enc(unit.as_deref().unwrap_or_default()),
        enc(q.as_deref().unwrap_or_default())
    );
    render(&PortalPage {
        region: region.name,
        rows,
        evaluations,
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        unit: unit.unwrap_or_default(),
        q: q.unwrap_or_default(),
        years,
        units,
        page,
        more,
        query,
    })
}

#[derive(Template)]
#[template(path = "portal_evaluation.html")]
struct EvaluationPage {
    region: String,
    title: String,
    unit: String,
    year: i32,
    executed: String,
    score: String,
    grade: String,
    indicators: Vec<IndicatorRow>,
}

/// One published evaluation with its indicators' target, actual and score. Anything not
/// published is "not found", whether or not it exists.
pub async fn evaluation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let not_found = || WebError::NotFound("公开信息".into());
    let region = region(&state).await?.ok_or_else(not_found)?;
    let e = jixiao_store::browse::published_evaluation(&state.store, &region.code, id)
        .await?
        .ok_or_else(not_found)?;
    let indicators = jixiao_store::evaluations::indicators(&state.store, e.id)
        .await?
        .into_iter()
        .map(|i| {
            let (target, actual) =
                shown_values(&i.sign, i.target_value, i.actual_value, &i.unit_of_measure);
            IndicatorRow {
                level1: i.level1,
                level2: i.level2,
                name: i.name,
                target,
                actual,
                weight: score(i.weight_x100),
                score: score(i.score_x100),
            }
        })
        .collect();
    render(&EvaluationPage {
        region: region.name,
        title: e.title,
        unit: e.unit_name,
        year: e.fiscal_year,
        executed: Fen(e.executed_fen).wan_2dp(),
        score: score(e.total_x100),
        grade: grade(e.grade.as_deref()),
        indicators,
    })
}

// ---------------------------------------------------------------------------------------------
// A published project and its satisfaction survey (issue 12 item 3)

#[derive(Template)]
#[template(path = "portal_project.html")]
struct ProjectPage {
    region: String,
    p: jixiao_store::feedback::PublicProject,
    total: String,
    csrf: String,
    /// (count, share of 4 and 5)
    evidence: Option<RatingsView>,
    /// (rating, comment, day)
    comments: Vec<CommentView>,
    question: String,
    qa: u32,
    qb: u32,
    qs: String,
    message: Option<String>,
    errors: Vec<String>,
}

/// The challenge's signature: only the session that was shown the question can answer it.
fn challenge_signature(csrf: &str, a: u32, b: u32) -> String {
    use sha2::Digest;
    format!(
        "{:x}",
        sha2::Sha256::digest(format!("jixiao-survey|{csrf}|{a}|{b}").as_bytes())
    )
}

/// A small sum written in Chinese numerals (一 … 九).
fn chinese(n: u32) -> &'static str {
    ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"][(n % 10) as usize]
}

#[allow(clippy::too_many_arguments)]
async fn project_view(
    state: &AppState,
    csrf: &str,
    id: i64,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let not_found = || WebError::NotFound("公开信息".into());
    let region = region(state).await?.ok_or_else(not_found)?;
    let p = jixiao_store::feedback::public_project(&state.store, &region.code, id)
        .await?
        .ok_or_else(not_found)?;
    let ratings = jixiao_store::feedback::ratings(&state.store, id).await?;
    let comments = jixiao_store::feedback::comments(&state.store, id, "approved", 50)
        .await?
        .into_iter()
        .map(|c| CommentView {
            rating: c.rating,
            comment: c.comment,
            date: jixiao_store::deadlines::local_date(c.created_at).to_string(),
        })
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(7);
    let (qa, qb) = (1 + nanos % 9, 1 + (nanos / 10) % 9);
    render(&ProjectPage {
        region: region.name,
        total: Fen(p.total_fen).wan_2dp(),
        csrf: csrf.to_string(),
        evidence: jixiao_app::feedback::evidence(ratings).map(|(ratings, satisfied_share)| {
            RatingsView {
                ratings,
                satisfied_share,
            }
        }),
        comments,
        question: format!("{}加{}等于几？（请填阿拉伯数字）", chinese(qa), chinese(qb)),
        qa,
        qb,
        qs: challenge_signature(csrf, qa, qb),
        message,
        errors,
        p,
    })
}

/// A published project's page with its survey. A visitor without a session gets one (as on the
/// login page), so the survey form carries a CSRF token and a challenge signed for it.
pub async fn project(
    State(state): State<AppState>,
    session: Option<axum::Extension<crate::auth::SessionInfo>>,
    ip: crate::ClientIp,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let message = q.done.map(|d| {
        if d == "pending" {
            "感谢您的评价！您的意见经审核后公开显示。".to_string()
        } else {
            "感谢您的评价！".to_string()
        }
    });
    if let Some(s) = session {
        return Ok(project_view(&state, &s.0.csrf, id, message, vec![])
            .await?
            .into_response());
    }
    // Published or not found, before any session is made for the visitor.
    let page = project_view(&state, "", id, None, vec![]).await?;
    drop(page);
    let (secret, csrf) =
        jixiao_store::sessions::create(&state.store, None, "browser", &ip.0, "").await?;
    let page = project_view(&state, &csrf, id, message, vec![]).await?;
    Ok((
        [(
            axum::http::header::SET_COOKIE,
            crate::auth::session_cookie(&secret, state.config.secure_cookies),
        )],
        page,
    )
        .into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `POST /public/projects/{id}/feedback`: a visitor's rating and comment.
pub async fn feedback(
    State(state): State<AppState>,
    session: Option<axum::Extension<crate::auth::SessionInfo>>,
    ip: crate::ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<super::project_flow::Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<axum::response::Response, WebError> {
    use super::project_flow::{field, messages_of, pairs_of, status_of};
    use axum::response::IntoResponse;
    let pairs = pairs_of(form)?;
    let csrf = session.map(|s| s.0.csrf).unwrap_or_default();
    let not_found = || WebError::NotFound("公开信息".into());
    let region = region(&state).await?.ok_or_else(not_found)?;
    let a: u32 = field(&pairs, "qa").trim().parse().unwrap_or(0);
    let b: u32 = field(&pairs, "qb").trim().parse().unwrap_or(0);
    let signed = !csrf.is_empty() && challenge_signature(&csrf, a, b) == field(&pairs, "qs");
    let answer_ok = signed && field(&pairs, "answer").trim().parse::<u32>().ok() == Some(a + b);
    let entry = jixiao_app::feedback::Entry {
        rating: field(&pairs, "rating").into(),
        comment: field(&pairs, "comment").into(),
        answer_ok,
    };
    let ip_hash = {
        use sha2::Digest;
        format!(
            "{:x}",
            sha2::Sha256::digest(format!("{}|{}", region.code, ip.0).as_bytes())
        )
    };
    match jixiao_app::feedback::submit(&state.store, &region.code, id, &entry, &ip_hash)
        .await
        .map_err(WebError::from)
    {
        Ok(pending) => Ok(crate::see_other(&format!(
            "/public/projects/{id}?done={}",
            if pending { "pending" } else { "rated" }
        ))),
        Err(e) if super::project_flow::is_user_error(&e) => {
            let html = project_view(&state, &csrf, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::Access;
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(Method::GET, "/public", Access::Public, get(page))
        .add(
            Method::GET,
            "/public/evaluations/{id}",
            Access::Public,
            get(evaluation),
        )
        .add(
            Method::GET,
            "/public/projects/{id}",
            Access::Public,
            get(project),
        )
        .add(
            Method::POST,
            "/public/projects/{id}/feedback",
            Access::Public,
            post(feedback),
        )
}
