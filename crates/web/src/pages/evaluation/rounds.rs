//! Self-evaluation rounds: the list, opening one, and a round's overview.

use super::*;

// ---------------------------------------------------------------------------------------------
// Rounds

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub(super) done: Option<String>,
}

pub struct RoundView {
    pub id: i64,
    pub fiscal_year: i32,
    pub name: String,
    pub deadline: String,
    pub carried: bool,
    pub evaluations: i64,
    pub submitted: i64,
    pub approved: i64,
}

pub(super) fn round_view(r: &store::Round) -> RoundView {
    RoundView {
        id: r.id,
        fiscal_year: r.fiscal_year,
        name: r.name.clone(),
        deadline: r.deadline.to_string(),
        carried: r.include_carried_over,
        evaluations: r.evaluations,
        submitted: r.submitted,
        approved: r.approved,
    }
}

#[derive(Template)]
#[template(path = "evaluation_rounds.html")]
pub(super) struct RoundsPage {
    layout: Layout,
    rounds: Vec<RoundView>,
    may_open: bool,
    year: String,
    deadline: String,
    name: String,
    carried: bool,
    errors: Vec<String>,
    may_verify_read: bool,
}

pub(super) async fn rounds_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    typed: Option<RoundInput>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    if matches!(
        a.scope().await?,
        jixiao_store::browse::Scope::Agency(_) | jixiao_store::browse::Scope::Nothing
    ) {
        return Err(WebError::Forbidden);
    }
    let rounds = store::rounds(&state.store, &user.region).await?;
    let years = jixiao_store::years::of_region(&state.store, &user.region).await?;
    // The year to evaluate is, by default, the year before the current one.
    let default_year = years.current.min(jixiao_app::default_year() - 1);
    let typed = typed.unwrap_or_else(|| RoundInput {
        fiscal_year: default_year.to_string(),
        ..Default::default()
    });
    let region = region_name(state, &user.region).await?;
    render(&RoundsPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        rounds: rounds.iter().map(round_view).collect(),
        may_open: user.has(Role::FinanceAdmin),
        may_verify_read: jixiao_app::verification::reader_units(&a).await.is_ok(),
        year: typed.fiscal_year,
        deadline: typed.deadline,
        name: typed.name,
        carried: typed.include_carried_over,
        errors,
    })
}

pub async fn rounds_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    rounds_view(&state, &session, &user, None, vec![]).await
}

pub(super) fn round_input_of(pairs: &Pairs) -> RoundInput {
    RoundInput {
        fiscal_year: field(pairs, "fiscal_year").into(),
        deadline: field(pairs, "deadline").into(),
        name: field(pairs, "name").into(),
        include_carried_over: matches!(field(pairs, "include_carried_over"), "on" | "true" | "1"),
    }
}

pub async fn open_round(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = round_input_of(&pairs);
    match flow::open_round(&actor(&state, &user, &ip.0), &input)
        .await
        .map_err(WebError::from)
    {
        Ok(o) => Ok(see_other(&format!(
            "/evaluations/rounds/{}?done={}-{}-{}-{}",
            o.id,
            o.drafts.projects,
            o.drafts.units,
            o.drafts.adopted,
            o.drafts.units_without_target
        ))),
        Err(e) if is_user_error(&e) => {
            let html = rounds_view(&state, &session, &user, Some(input), messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub struct ProgressView {
    pub unit_name: String,
    pub evaluations: i64,
    pub submitted: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub approved: i64,
    pub overdue: bool,
}

pub struct RoundRowView {
    pub id: i64,
    pub object: String,
    pub title: String,
    pub code: String,
    pub unit_name: String,
    pub state: String,
    pub state_code: String,
    pub total: String,
    pub grade: String,
}

#[derive(Template)]
#[template(path = "evaluation_round.html")]
pub(super) struct RoundPage {
    layout: Layout,
    r: RoundView,
    message: Option<String>,
    overdue: bool,
    units: Vec<ProgressView>,
    totals: ProgressView,
    rows: Vec<RoundRowView>,
    page: i64,
    more: bool,
    /// The reader fills forms (a unit) or oversees them (finance): the workbook link.
    may_download: bool,
    finance: bool,
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    done: Option<String>,
    page: Option<i64>,
}

pub(super) const PAGE: i64 = 100;

pub async fn round_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> Result<Html<String>, WebError> {
    let a = actor(&state, &user, "");
    let round = flow::round(&a, id).await?;
    let units = flow::progress_units(&a).await?;
    let overdue = jixiao_store::deadlines::today() > round.deadline;
    let progress = store::progress(&state.store, &round, units.as_deref()).await?;
    let view = |u: &store::UnitProgress| ProgressView {
        unit_name: u.unit_name.clone(),
        evaluations: u.evaluations,
        submitted: u.submitted,
        on_time: u.on_time,
        late: u.late,
        missing: u.evaluations - u.submitted,
        approved: u.approved,
        overdue: overdue && u.evaluations > u.submitted,
    };
    let mut totals = ProgressView {
        unit_name: "合计".into(),
        evaluations: 0,
        submitted: 0,
        on_time: 0,
        late: 0,
        missing: 0,
        approved: 0,
        overdue,
    };
    for u in &progress {
        totals.evaluations += u.evaluations;
        totals.submitted += u.submitted;
        totals.on_time += u.on_time;
        totals.late += u.late;
        totals.missing += u.evaluations - u.submitted;
        totals.approved += u.approved;
    }
    let page = q.page.unwrap_or(0).clamp(0, 100_000);
    let mut rows =
        store::round_rows(&state.store, id, units.as_deref(), PAGE + 1, page * PAGE).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let message = q.done.as_deref().map(|d| {
        let n: Vec<&str> = d.split('-').collect();
        match n.as_slice() {
            [p, u, a, w] => format!(
                "自评已部署：项目自评 {p} 份、部门整体自评 {u} 份{}，已列入各单位待办。{}",
                if *a == "0" {
                    String::new()
                } else {
                    format!("，另有此前导入的自评 {a} 份并入本轮")
                },
                if *w == "0" {
                    String::new()
                } else {
                    format!(
                        "另有 {w} 个一级预算单位没有生效的部门整体绩效目标，未生成部门整体自评表。"
                    )
                }
            ),
            _ => "操作成功。".into(),
        }
    });
    let region = region_name(&state, &user.region).await?;
    render(&RoundPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/evaluations"),
        r: round_view(&round),
        message,
        overdue,
        may_download: flow::workbook_units(&a).await.is_ok(),
        finance: a.is_finance(),
        units: progress.iter().map(view).collect(),
        totals,
        rows: rows
            .into_iter()
            .map(|e| RoundRowView {
                id: e.id,
                object: if e.object_kind == "unit" {
                    "部门整体".into()
                } else {
                    "项目".into()
                },
                title: e.title,
                code: e.project_code.unwrap_or_default(),
                unit_name: e.unit_name,
                state: DocState::parse(&e.state).map_or(e.state.clone(), |s| s.label().into()),
                state_code: e.state,
                total: score_text(e.total_x100),
                grade: grade_label(e.grade.as_deref()),
            })
            .collect(),
        page,
        more,
    })
}
