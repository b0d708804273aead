//! The year's assessment page's actions: opening a year, the rubric, the manual scores, finalising, and the report.

use super::*;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub(super) year: Option<i32>,
    pub(super) done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let year = match q.year {
        Some(y) if (2000..=2100).contains(&y) => y,
        _ => default_year(&state, &user.region).await?,
    };
    let message = q.done.map(|d| match d.as_str() {
        "opened" => "已开启本年度考核，考核细则取自当前规则参数。".to_string(),
        "rubric" => "考核细则已保存。".to_string(),
        "manual" => "人工评分已保存。".to_string(),
        "finalized" => "考核已定稿：排名和名单已确定，约谈单位已收到整改通知。".to_string(),
        _ => "已保存。".to_string(),
    });
    view(&state, &session, &user, year, message, vec![], None).await
}

pub(super) async fn refused(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    e: &WebError,
    typed: Option<&Pairs>,
) -> Result<Response, WebError> {
    let html = view(state, session, user, year, None, messages_of(e), typed).await?;
    Ok((status_of(e), html).into_response())
}

pub async fn open(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = OpenInput {
        fiscal_year: field(&pairs, "fiscal_year").into(),
    };
    match flow::open(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(year) => Ok(see_other(&format!("/assessments?year={year}&done=opened"))),
        Err(e) if is_user_error(&e) => {
            let year = match input.fiscal_year.trim().parse() {
                Ok(y) => y,
                Err(_) => default_year(&state, &user.region).await?,
            };
            refused(&state, &session, &user, year, &e, None).await
        }
        Err(e) => Err(e),
    }
}

pub(crate) fn rubric_input(pairs: &Pairs) -> Result<RubricInput, WebError> {
    let mut items = std::collections::BTreeMap::new();
    for (k, v) in pairs {
        if let Some(key) = k.strip_prefix("name_") {
            items
                .entry(key.to_string())
                .or_insert_with(RubricItemInput::default)
                .name = v.clone();
        } else if let Some(key) = k.strip_prefix("max_") {
            items
                .entry(key.to_string())
                .or_insert_with(RubricItemInput::default)
                .max = v.clone();
        }
    }
    Ok(RubricInput {
        row_version: super::super::project_flow::row_version(pairs)?,
        items,
        new_name: field(pairs, "new_name").into(),
        new_max: field(pairs, "new_max").into(),
        commended: field(pairs, "commended").into(),
        interviewed: field(pairs, "interviewed").into(),
        interview_below: field(pairs, "interview_below").into(),
    })
}

pub async fn rubric(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    match flow::set_rubric(&actor(&state, &user, &ip.0), year, &rubric_input(&pairs)?)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("/assessments?year={year}&done=rubric"))),
        Err(e) if is_user_error(&e) => {
            refused(&state, &session, &user, year, &e, Some(&pairs)).await
        }
        Err(e) => Err(e),
    }
}

pub(super) fn manual_entries(pairs: &Pairs) -> Vec<ManualEntry> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix("m_")?;
            let (unit, item) = rest.split_once('_')?;
            Some(ManualEntry {
                unit_id: unit.parse().ok()?,
                item: item.to_string(),
                score: v.clone(),
            })
        })
        .collect()
}

pub async fn manual(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    match flow::set_manual(&actor(&state, &user, &ip.0), year, &manual_entries(&pairs))
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!(
            "/assessments?year={year}&done=manual#ranking"
        ))),
        Err(e) if is_user_error(&e) => {
            refused(&state, &session, &user, year, &e, Some(&pairs)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn finalize(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(year): Path<i32>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = FinalizeInput {
        row_version: super::super::project_flow::row_version(&pairs)?,
        interview_deadline: field(&pairs, "interview_deadline").into(),
    };
    match flow::finalize(&actor(&state, &user, &ip.0), year, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!(
            "/assessments?year={year}&done=finalized"
        ))),
        Err(e) if is_user_error(&e) => refused(&state, &session, &user, year, &e, None).await,
        Err(e) => Err(e),
    }
}

pub(super) async fn report_of(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
) -> Result<jixiao_domain::report::Document, WebError> {
    Ok(flow::report(&actor(state, user, ""), year).await?)
}

pub async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<Response, WebError> {
    let doc = report_of(&state, &user, year).await?;
    let bytes =
        jixiao_forms::render::to_docx(&doc).map_err(|e| WebError::Internal(e.to_string()))?;
    let encoded: String =
        form_urlencoded::byte_serialize(format!("{}.docx", doc.title).as_bytes()).collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"assessment-{year}.docx\"; filename*=UTF-8''{encoded}"
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<Response, WebError> {
    let doc = report_of(&state, &user, year).await?;
    let name = doc.title.clone();
    crate::pages::report_file(
        doc,
        crate::pages::ReportFormat::Pdf,
        &format!("assessment-{year}"),
        &name,
    )
    .await
}

pub async fn report_html(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> Result<Html<String>, WebError> {
    let doc = report_of(&state, &user, year).await?;
    Ok(Html(jixiao_forms::render::to_html(&doc)))
}
