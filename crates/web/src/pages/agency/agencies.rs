//! Registering agencies, their list and one agency's page.

use super::*;

// ---------------------------------------------------------------------------------------------
// Registration

#[derive(Template)]
#[template(path = "agency_new.html")]
pub(super) struct NewPage {
    layout: Layout,
    input: AgencyInput,
    types: Vec<crate::pages::Choice>,
    errors: Vec<String>,
}

pub(super) async fn new_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    input: AgencyInput,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let region = region_name(state, &user.region).await?;
    render(&NewPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/agencies"),
        input,
        types: AgencyType::ALL
            .iter()
            .map(|t| crate::pages::Choice::new((t.code(), t.label())))
            .collect(),
        errors,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    new_view(&state, &session, &user, AgencyInput::default(), vec![]).await
}

pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = AgencyInput {
        name: field(&pairs, "name").into(),
        credit_code: field(&pairs, "credit_code").into(),
        agency_type: field(&pairs, "agency_type").into(),
        qualifications: field(&pairs, "qualifications").into(),
        staff_count: field(&pairs, "staff_count").into(),
        contact: field(&pairs, "contact").into(),
    };
    match flow::register(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(id) => Ok(see_other(&format!("/agencies/{id}?done=registered"))),
        Err(e) if is_user_error(&e) => {
            let html = new_view(&state, &session, &user, input, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// The agency

/// An engagement of the agency: year, id, title, fee, whether the declaration is signed, and
/// the quality score and grade.
pub(super) struct AgencyEngagement {
    year: i32,
    id: i64,
    title: String,
    fee: String,
    declaration: &'static str,
    quality: String,
    grade: String,
}

/// A status the agency may be given: its code and label.
pub(super) struct StatusOption {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "agency.html")]
pub(super) struct AgencyPage {
    layout: Layout,
    a: jixiao_store::agencies::AgencyRecord,
    type_label: String,
    status_label: String,
    engagements: Vec<AgencyEngagement>,
    may_manage: bool,
    statuses: Vec<StatusOption>,
    year: i32,
    /// The engagement form as typed (after a refusal), by field name.
    typed: Pairs,
    message: Option<String>,
    errors: Vec<String>,
}

impl AgencyPage {
    fn typed(&self, name: &str) -> &str {
        field(&self.typed, name)
    }
}

pub(super) async fn agency_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    agency_view_typed(state, session, user, id, message, errors, Pairs::new()).await
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn agency_view_typed(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    message: Option<String>,
    errors: Vec<String>,
    typed: Pairs,
) -> Result<Html<String>, WebError> {
    let a = flow::visible(&actor(state, user, ""), id).await?;
    let engagements = jixiao_store::agencies::engagements_of(&state.store, &user.region, id)
        .await?
        .into_iter()
        .map(|g| AgencyEngagement {
            year: g.fiscal_year,
            id: g.id,
            title: g.title,
            fee: Fen(g.fee_fen).wan_2dp(),
            declaration: if g.coi_declared {
                "已签署"
            } else {
                "未签署"
            },
            quality: g
                .quality_x100
                .map(|q| fixed2(from_hundredths(q)))
                .unwrap_or_default(),
            grade: g
                .quality_grade
                .as_deref()
                .and_then(Grade::parse)
                .map_or(String::new(), |g| g.label().to_string()),
        })
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&AgencyPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/agencies"),
        type_label: AgencyType::parse(&a.agency_type)
            .map_or(a.agency_type.clone(), |t| t.label().into()),
        status_label: AgencyStatus::parse(&a.status).map_or(a.status.clone(), |s| s.label().into()),
        engagements,
        may_manage: user.has(Role::FinanceAdmin),
        statuses: AgencyStatus::ALL
            .iter()
            .map(|s| StatusOption {
                code: s.code(),
                label: s.label(),
            })
            .collect(),
        year: jixiao_app::default_year() - 1,
        typed,
        message,
        errors,
        a,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "registered" => "第三方机构已登记。".to_string(),
        _ => "机构状态已保存。".to_string(),
    });
    agency_view(&state, &session, &user, id, message, vec![]).await
}

pub async fn status(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = StatusInput {
        status: field(&pairs, "status").into(),
        date: field(&pairs, "date").into(),
        reason: field(&pairs, "reason").into(),
    };
    match flow::set_status(&actor(&state, &user, &ip.0), id, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("/agencies/{id}?done=status"))),
        Err(e) if is_user_error(&e) => {
            let html = agency_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The engagement form: project codes (one per line) resolved in the year.
pub(super) async fn engagement_input(
    state: &AppState,
    region: &str,
    agency_id: i64,
    pairs: &Pairs,
) -> Result<Result<EngagementInput, WebError>, WebError> {
    let year: Option<i32> = field(pairs, "fiscal_year").trim().parse().ok();
    let codes: Vec<String> = field(pairs, "project_codes")
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut ids = Vec::new();
    if let Some(year) = year {
        let (found, unknown) =
            jixiao_store::projects::ids_by_code(&state.store, region, year, &codes).await?;
        if !unknown.is_empty() {
            return Ok(Err(WebError::BadRequest(vec![(
                "评价项目编码".into(),
                format!("{year} 年度没有这些项目：{}", unknown.join("、")),
            )])));
        }
        ids = found;
    }
    Ok(Ok(EngagementInput {
        agency_id,
        fiscal_year: field(pairs, "fiscal_year").into(),
        title: field(pairs, "title").into(),
        procurement_method: field(pairs, "procurement_method").into(),
        contract_no: field(pairs, "contract_no").into(),
        start_date: field(pairs, "start_date").into(),
        end_date: field(pairs, "end_date").into(),
        fee_wan: field(pairs, "fee_wan").into(),
        team: field(pairs, "team").into(),
        project_ids: ids,
    }))
}

pub async fn engage(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let result = match engagement_input(&state, &user.region, id, &pairs).await? {
        Ok(input) => flow::engage(&actor(&state, &user, &ip.0), &input)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(g) => Ok(see_other(&format!("/engagements/{}?done=created", g.id))),
        Err(e) if is_user_error(&e) => {
            let html = agency_view_typed(&state, &session, &user, id, None, messages_of(&e), pairs)
                .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}
