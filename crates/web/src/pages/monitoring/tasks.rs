//! Monitoring tasks: the list, issuing one, the task's overview with its scatter, and re-analysis.

use super::*;

// ---------------------------------------------------------------------------------------------
// Tasks

#[derive(Deserialize, Default)]
pub struct TasksQuery {
    year: Option<i32>,
    done: Option<String>,
}

pub struct TaskRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub period_end: String,
    pub deadline: String,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "monitoring_tasks.html")]
pub(super) struct TasksPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    tasks: Vec<TaskRow>,
    may_issue: bool,
    /// Level-1 units for the scope picker.
    units: Vec<ScopeUnit>,
    f: TaskForm,
    errors: Vec<String>,
    message: Option<String>,
}

/// A level-1 unit of the scope picker: its id, "code name", and whether it is chosen.
pub(super) struct ScopeUnit {
    id: i64,
    name: String,
    chosen: bool,
}

#[derive(Default)]
pub(super) struct TaskForm {
    kind: String,
    name: String,
    month: String,
    deadline: String,
    units: Vec<i64>,
    project_codes: String,
}

pub(super) async fn tasks_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: Option<i32>,
    f: TaskForm,
    errors: Vec<String>,
    message: Option<String>,
) -> Result<Html<String>, WebError> {
    let years = jixiao_store::years::of_region(&state.store, &user.region).await?;
    let year = year.unwrap_or(years.current);
    let years = years.all;
    let tasks = store::tasks(&state.store, &user.region, year)
        .await?
        .into_iter()
        .map(|t| TaskRow {
            id: t.id,
            kind: MonitoringKind::parse(&t.kind).map_or(t.kind.clone(), |k| k.label().into()),
            period_end: t.period_end.to_string(),
            deadline: t.deadline.to_string(),
            scope: if t.scope_text.is_empty() {
                "全部".into()
            } else {
                t.scope_text.clone()
            },
            name: t.name,
        })
        .collect();
    let may_issue = user.has(Role::FinanceAdmin);
    let units = if may_issue {
        jixiao_store::units::level_one(&state.store, &user.region)
            .await?
            .into_iter()
            .map(|(id, code, name)| ScopeUnit {
                id,
                name: format!("{code} {name}"),
                chosen: f.units.contains(&id),
            })
            .collect()
    } else {
        vec![]
    };
    let region = region_name(state, &user.region).await?;
    render(&TasksPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/monitoring"),
        year,
        years,
        tasks,
        may_issue,
        units,
        f,
        errors,
        message,
    })
}

pub async fn tasks_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<TasksQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|_| "已重新分析。".to_string());
    tasks_view(
        &state,
        &session,
        &user,
        q.year,
        TaskForm::default(),
        vec![],
        message,
    )
    .await
}

pub async fn issue(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let units: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "units")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let codes = field(&pairs, "project_codes").to_string();
    let year = field(&pairs, "fiscal_year").trim().parse::<i32>().ok();
    let f = TaskForm {
        kind: field(&pairs, "kind").into(),
        name: field(&pairs, "name").into(),
        month: field(&pairs, "period_end_month").into(),
        deadline: field(&pairs, "deadline").into(),
        units: units.clone(),
        project_codes: codes.clone(),
    };
    let result = async {
        let codes: Vec<String> = codes
            .split([',', '，', '、', ' ', '\n', ';', '；'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let (projects, unknown) = jixiao_store::projects::ids_by_code(
            &state.store,
            &user.region,
            year.unwrap_or_default(),
            &codes,
        )
        .await?;
        if !unknown.is_empty() {
            return Err(WebError::BadRequest(vec![(
                "监控范围".into(),
                format!(
                    "{} 年度没有编码为 {} 的项目",
                    year.unwrap_or_default(),
                    unknown.join("、")
                ),
            )]));
        }
        let input = TaskInput {
            kind: field(&pairs, "kind").into(),
            name: field(&pairs, "name").into(),
            fiscal_year: field(&pairs, "fiscal_year").into(),
            period_end_month: field(&pairs, "period_end_month").into(),
            deadline: field(&pairs, "deadline").into(),
            units,
            projects,
        };
        Ok(flow::issue_task(&actor(&state, &user, &ip.0), &input).await?)
    }
    .await;
    match result {
        Ok(t) => Ok(see_other(&format!(
            "/monitoring/tasks/{}?issued={}",
            t.id, t.drafts
        ))),
        Err(e) if is_user_error(&e) => {
            let html = tasks_view(&state, &session, &user, year, f, messages_of(&e), None).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub struct UnitRow {
    pub unit_name: String,
    pub reports: i64,
    pub submitted: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub approved: i64,
    pub red: i64,
    pub yellow: i64,
    pub overdue: bool,
}

pub struct ReportRow {
    pub id: i64,
    pub object: String,
    pub unit: String,
    pub state: String,
    pub state_code: String,
    pub rate: String,
    pub completion: String,
    pub deviation: String,
    pub review: String,
    pub timeliness: String,
    pub late: bool,
}

pub struct WarningRow {
    pub report_id: i64,
    pub kind: String,
    pub object: String,
    pub unit: String,
    pub level: String,
    pub label: String,
    pub message: String,
    pub notice: Option<RectificationLink>,
}

/// The rectification notice a warning led to: its id and state label.
pub struct RectificationLink {
    pub id: i64,
    pub state: String,
}

/// Warnings of one kind on the task: the kind's label and how many are red and yellow.
pub(super) struct KindCount {
    label: String,
    red: i64,
    yellow: i64,
}

/// Rectification notices in one state: the state's label and how many.
pub(super) struct StateCount {
    state: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "monitoring_task.html")]
pub(super) struct TaskPage {
    layout: Layout,
    t: store::Task,
    kind: String,
    overdue: bool,
    issued: Option<String>,
    message: Option<String>,
    totals: UnitRow,
    units: Vec<UnitRow>,
    reports: Vec<ReportRow>,
    warnings: Vec<WarningRow>,
    by_kind: Vec<KindCount>,
    rectifications: Vec<StateCount>,
    scatter: String,
    deviation_red: String,
    may_reanalyse: bool,
    may_download: bool,
    may_summary: bool,
}

#[derive(Deserialize, Default)]
pub struct TaskQuery {
    issued: Option<i64>,
    done: Option<String>,
}

pub async fn task_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Query(q): Query<TaskQuery>,
) -> Result<Html<String>, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    let units_scope = flow::progress_units(&a).await?;
    let scope = a.scope().await?;
    let today = jixiao_store::deadlines::today();
    let overdue = today > t.deadline;
    let progress = store::progress(&state.store, &t, units_scope.as_deref()).await?;
    let mut totals = UnitRow {
        unit_name: "合计".into(),
        reports: 0,
        submitted: 0,
        on_time: 0,
        late: 0,
        missing: 0,
        approved: 0,
        red: 0,
        yellow: 0,
        overdue,
    };
    let units: Vec<UnitRow> = progress
        .into_iter()
        .map(|p| {
            let missing = p.reports - p.submitted;
            totals.reports += p.reports;
            totals.submitted += p.submitted;
            totals.on_time += p.on_time;
            totals.late += p.late;
            totals.missing += missing;
            totals.approved += p.approved;
            totals.red += p.red;
            totals.yellow += p.yellow;
            UnitRow {
                unit_name: p.unit_name,
                reports: p.reports,
                submitted: p.submitted,
                on_time: p.on_time,
                late: p.late,
                missing,
                approved: p.approved,
                red: p.red,
                yellow: p.yellow,
                overdue: overdue && missing > 0,
            }
        })
        .collect();
    let reports =
        jixiao_store::browse::task_reports(&state.store, &user.region, &scope, t.id).await?;
    let cutoff = jixiao_store::deadlines::end_of_day(t.deadline);
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let points: Vec<(f64, f64, bool)> = reports
        .iter()
        .filter_map(|r| {
            let (e, c) = (
                r.execution_rate_x100?,
                r.reported_completion_x100.or(r.completion_estimate_x100)?,
            );
            // Chart coordinates only: the figures themselves stay exact.
            Some((e as f64 / 100.0, c as f64 / 100.0, r.red > 0))
        })
        .collect();
    let deviation_red = trim(settings.monitoring.deviation_red);
    let scatter = scatter_svg(
        &points,
        settings.monitoring.deviation_red.try_into().unwrap_or(20.0),
    );
    let report_rows = reports
        .iter()
        .map(|r| {
            let (timeliness, late) = match r.submitted_at {
                Some(at) if at < cutoff => ("按时".to_string(), false),
                Some(_) => ("逾期提交".to_string(), true),
                None if overdue => ("逾期未报".to_string(), true),
                None => ("未提交".to_string(), false),
            };
            ReportRow {
                id: r.id,
                object: r.object_name.clone(),
                unit: r.unit_name.clone(),
                state: DocState::parse(&r.state).map_or(r.state.clone(), |s| s.label().into()),
                state_code: r.state.clone(),
                rate: crate::pages::show::percent_or_dash(r.execution_rate_x100),
                completion: crate::pages::show::percent_or_dash(
                    r.reported_completion_x100.or(r.completion_estimate_x100),
                ),
                deviation: r
                    .deviation_x100
                    .map(|d| fixed2(from_hundredths(d)))
                    .unwrap_or_else(|| "—".into()),
                review: r
                    .review_score_x100
                    .map(|d| fixed2(from_hundredths(d)))
                    .unwrap_or_else(|| "—".into()),
                timeliness,
                late,
            }
        })
        .collect();
    let warnings: Vec<WarningRow> =
        jixiao_store::browse::task_warnings(&state.store, &user.region, &scope, t.id)
            .await?
            .into_iter()
            .map(|w| WarningRow {
                report_id: w.report_id,
                object: w.object_name,
                unit: w.unit_name,
                label: format!(
                    "{}·{}",
                    WarningLevel::parse(&w.level).map_or(w.level.as_str(), |l| l.label()),
                    WarningKind::parse(&w.kind).map_or(w.kind.as_str(), |k| k.label())
                ),
                kind: w.kind,
                level: w.level,
                message: w.message,
                notice: w.rectification_id.map(|id| RectificationLink {
                    id,
                    state: w
                        .rectification_state
                        .as_deref()
                        .and_then(jixiao_domain::workflow::RectificationState::parse)
                        .map_or(String::new(), |s| s.label().to_string()),
                }),
            })
            .collect();
    let by_kind = WarningKind::ALL
        .iter()
        .map(|k| {
            let of = |level: &str| {
                warnings
                    .iter()
                    .filter(|w| w.level == level && w.kind == k.code())
                    .count() as i64
            };
            KindCount {
                label: k.label().to_string(),
                red: of("red"),
                yellow: of("yellow"),
            }
        })
        .collect();
    let mut rectifications: Vec<StateCount> = Vec::new();
    for w in &warnings {
        if let Some(n) = &w.notice {
            match rectifications.iter_mut().find(|c| c.state == n.state) {
                Some(c) => c.count += 1,
                None => rectifications.push(StateCount {
                    state: n.state.clone(),
                    count: 1,
                }),
            }
        }
    }
    let region = region_name(&state, &user.region).await?;
    render(&TaskPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/monitoring"),
        kind: MonitoringKind::parse(&t.kind).map_or(t.kind.clone(), |k| k.label().into()),
        overdue,
        issued: q.issued.map(|n| {
            format!("监控任务已下达，已为 {n} 个监控对象生成报告草稿，各单位可在待办中填报。")
        }),
        message: q.done.map(|d| d.replace('_', "，")),
        totals,
        units,
        reports: report_rows,
        warnings,
        by_kind,
        rectifications,
        scatter,
        deviation_red,
        may_reanalyse: user.has(Role::FinanceAdmin),
        may_download: user.is_unit_user(),
        may_summary: user.sees_region(),
        t,
    })
}

/// The execution-versus-completion scatter with the ±band (SVG, no script, no external asset).
pub(super) fn scatter_svg(points: &[(f64, f64, bool)], band: f64) -> String {
    let (w, h, pad) = (420.0, 320.0, 40.0);
    let x = |v: f64| pad + v.clamp(0.0, 120.0) / 120.0 * (w - 2.0 * pad);
    let y = |v: f64| h - pad - v.clamp(0.0, 120.0) / 120.0 * (h - 2.0 * pad);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"预算执行率与目标完成率散点图，偏差带 ±{band} 个百分点\" class=\"scatter\">"
    );
    // The band between completion = execution ± band.
    s.push_str(&format!(
        "<polygon points=\"{},{} {},{} {},{} {},{}\" fill=\"#e8f3ea\" />",
        x(0.0),
        y(band),
        x(120.0 - band),
        y(120.0),
        x(120.0),
        y(120.0 - band),
        x(band),
        y(0.0)
    ));
    s.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#6a8\" stroke-dasharray=\"4 3\" />",
        x(0.0),
        y(0.0),
        x(120.0),
        y(120.0)
    ));
    for t in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0] {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{t}</text><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{t}</text>",
            x(t),
            h - pad + 14.0,
            pad - 4.0,
            y(t) + 3.0
        ));
    }
    s.push_str(&format!(
        "<rect x=\"{pad}\" y=\"{pad}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\" />",
        w - 2.0 * pad,
        h - 2.0 * pad
    ));
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">预算执行率（%）</text>",
        w / 2.0,
        h - 6.0
    ));
    s.push_str(&format!(
        "<text x=\"12\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 {})\">目标完成率（%）</text>",
        h / 2.0,
        h / 2.0
    ));
    for (e, c, red) in points {
        s.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\" />",
            x(*e),
            y(*c),
            if *red { "#c0392b" } else { "#2c6fbb" }
        ));
    }
    s.push_str("</svg>");
    s
}

pub async fn reanalyse(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (n, drafted) = flow::reanalyse(&actor(&state, &user, &ip.0), id).await?;
    Ok(see_other(&format!(
        "/monitoring/tasks/{id}?done=已按当前参数重新分析 {n} 份报告_新拟整改通知 {drafted} 份"
    )))
}
