//! The department-evaluation plan: coverage per unit and choosing the projects.

use super::*;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    pub(super) year: Option<i32>,
    pub(super) page: Option<i64>,
    pub(super) done: Option<String>,
}

/// The year planned by default: the year before the current one (evaluated after it ends).
pub(super) fn default_year() -> i32 {
    jixiao_app::default_year() - 1
}

pub(super) fn share(c: &Coverage) -> String {
    c.share
        .map(|s| format!("{}%", fixed2(s)))
        .unwrap_or_else(|| "—".into())
}

pub(super) struct CoverageView {
    name: String,
    funds: String,
    chosen: String,
    chosen_share: String,
    approved_share: String,
    short: bool,
}

pub(super) fn coverage_views(units: &[UnitCoverage]) -> Vec<CoverageView> {
    units
        .iter()
        .map(|u| CoverageView {
            name: u.unit_name.clone(),
            funds: u.chosen.project_funds.wan_2dp(),
            chosen: u.chosen.evaluated_funds.wan_2dp(),
            chosen_share: share(&u.chosen),
            approved_share: share(&u.approved),
            short: u.chosen.shortfall,
        })
        .collect()
}

pub(super) struct CandidateView {
    project_id: i64,
    code: String,
    name: String,
    unit_name: String,
    funds: String,
    evaluation: Option<EvaluationLink>,
}

/// The evaluation a candidate project already has: its id and its state's label.
pub(super) struct EvaluationLink {
    id: i64,
    state: String,
}

#[derive(Template)]
#[template(path = "department_plan.html")]
pub(super) struct PlanPage {
    layout: Layout,
    year: i32,
    message: Option<String>,
    errors: Vec<String>,
    min_share: String,
    units: Vec<CoverageView>,
    candidates: Vec<CandidateView>,
    may_choose: bool,
    page: i64,
    more: bool,
}

#[derive(Template)]
#[template(path = "department_coverage.html")]
pub(super) struct CoveragePartial {
    min_share: String,
    units: Vec<CoverageView>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn plan_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    page: i64,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let page = page.clamp(0, 1_000_000);
    let plan = flow::plan(&a, year, PAGE + 1, page * PAGE).await?;
    let more = plan.candidates.len() as i64 > PAGE;
    let region = region_name(state, &user.region).await?;
    render(&PlanPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        year,
        message,
        errors,
        min_share: trim(plan.min_share),
        units: coverage_views(&plan.units),
        candidates: plan
            .candidates
            .iter()
            .take(PAGE as usize)
            .map(|c| CandidateView {
                project_id: c.project_id,
                code: c.code.clone(),
                name: c.name.clone(),
                unit_name: c.unit_name.clone(),
                funds: Fen(c.funds_fen).wan_2dp(),
                evaluation: c.evaluation_id.map(|id| EvaluationLink {
                    id,
                    state: c
                        .evaluation_state
                        .as_deref()
                        .and_then(DocState::parse)
                        .map_or("", |s| s.label())
                        .to_string(),
                }),
            })
            .collect(),
        may_choose: a.is_unit_user(),
        page,
        more,
    })
}

pub async fn plan_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<PlanQuery>,
) -> Result<Html<String>, WebError> {
    let message = q
        .done
        .map(|n| format!("已建立 {n} 份部门评价，请逐份填写评价指标和评价报告。"));
    plan_view(
        &state,
        &session,
        &user,
        q.year.unwrap_or_else(default_year),
        q.page.unwrap_or(0),
        message,
        vec![],
    )
    .await
}

pub(super) fn choice_of(pairs: &Pairs) -> ChooseInput {
    ChooseInput {
        fiscal_year: field(pairs, "fiscal_year").into(),
        project_ids: pairs
            .iter()
            .filter(|(k, _)| k == "project")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect(),
    }
}

pub async fn choose(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = choice_of(&pairs);
    let year = input
        .fiscal_year
        .trim()
        .parse()
        .unwrap_or_else(|_| default_year());
    match flow::choose(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(ids) => Ok(see_other(&format!(
            "/evaluations/department?year={year}&done={}",
            ids.len()
        ))),
        Err(e) if is_user_error(&e) => {
            let html = plan_view(&state, &session, &user, year, 0, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The live coverage of the ticked projects (htmx).
pub async fn coverage_partial(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Html<String>, WebError> {
    let pairs = pairs_of(form)?;
    let input = choice_of(&pairs);
    let year = input
        .fiscal_year
        .trim()
        .parse()
        .unwrap_or_else(|_| default_year());
    let a = actor(&state, &user, "");
    let units = flow::coverage_of_choice(&a, year, &input.project_ids).await?;
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    render(&CoveragePartial {
        min_share: trim(settings.coverage.min_share * rust_decimal::Decimal::ONE_HUNDRED),
        units: coverage_views(&units),
    })
}
