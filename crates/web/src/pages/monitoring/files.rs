//! Monitoring downloads: the unit's pre-filled workbook and the task's 汇总表.

use super::*;

// ---------------------------------------------------------------------------------------------
// Workbooks

/// An .xlsx download named `name` (UTF-8), with an ASCII `fallback` for old clients.
pub(crate) fn xlsx_download(bytes: Vec<u8>, fallback: &str, name: &str) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The unit's pre-filled workbook of a task: one sheet per report of its units, as the reader
/// takes it back (upload it on the 数据导入 page as 项目监控).
pub async fn workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    // A unit downloads its own units' reports; finance the whole task's.
    let units = if user.is_finance() {
        None
    } else if user.is_unit_user() {
        flow::progress_units(&a).await?
    } else {
        return Err(WebError::Forbidden);
    };
    let bytes = task_workbook(&state, &user.region, t.id, units.as_deref()).await?;
    Ok(xlsx_download(
        bytes,
        "monitoring.xlsx",
        &format!("{}（填报表）.xlsx", t.name),
    ))
}

/// The round's 汇总表: every report of the task with its figures and warnings.
pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, &ip.0);
    let t = flow::task(&a, id).await?;
    let scope = a.scope().await?;
    let bytes = task_summary(&state, &user.region, &scope, &t).await?;
    Ok(xlsx_download(
        bytes,
        "monitoring.xlsx",
        &format!("{}汇总表.xlsx", t.name),
    ))
}

// ---------------------------------------------------------------------------------------------
// The workbook and the 汇总表

/// The forms' target of a stored indicator row (sign code, 年度指标值, unit).
pub(crate) fn form_target(
    sign: &str,
    value: &str,
    unit: &str,
) -> jixiao_forms::xlsx::write::Target {
    use jixiao_domain::indicator::Sign;
    use jixiao_forms::xlsx::write::Target;
    match (
        Sign::parse(sign).filter(|s| *s != Sign::Qualitative),
        jixiao_domain::decimal::parse_loose(value),
    ) {
        (Some(sign), Some(value)) => Target::Quantitative {
            sign,
            value,
            unit: unit.to_string(),
        },
        _ => Target::Qualitative(value.to_string()),
    }
}

/// A value as the unit typed it: a number when it reads as one, else its text.
pub(crate) fn form_value(text: &str) -> Option<jixiao_forms::xlsx::write::Value> {
    use jixiao_forms::xlsx::write::Value;
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    Some(match jixiao_domain::decimal::parse_loose(t) {
        Some(n) => Value::Number(n),
        None => Value::Text(t.to_string()),
    })
}

/// One report as the 项目支出绩效目标执行监控表, pre-filled with what is stored (the target and
/// budget, and whatever the unit has entered).
pub(super) fn report_form(
    r: &ReportRecord,
    rows: &[IndicatorRecord],
) -> jixiao_forms::xlsx::write::Form {
    use jixiao_forms::xlsx::write::{
        Form, Indicator, MonitoredIndicator, MonitoringForm, MonitoringFunds, MonitoringLine,
    };
    let filled = r.filled_at.is_some();
    let line = |budget: Option<i64>| MonitoringLine {
        budget: budget.map(Fen),
        executed: None,
        forecast: None,
    };
    let funds = MonitoringFunds {
        total: MonitoringLine {
            budget: Some(Fen(r.budget_fen)),
            executed: filled.then_some(Fen(r.executed_fen)),
            forecast: filled.then_some(Fen(r.expected_fen)),
        },
        current: line(r.current_fen),
        carried: line(r.carryover_fen),
        other: line(r.other_fen),
    };
    Form::Monitoring(MonitoringForm {
        fiscal_year: r.fiscal_year,
        period_end_month: u8::try_from(chrono::Datelike::month(&r.period_end)).unwrap_or(12),
        project: r.object_name.clone(),
        department: r.unit_name.clone(),
        implementer: r.unit_name.clone(),
        funds,
        goal: r.goal.clone(),
        goal_progress: r.progress_text.clone(),
        goal_forecast: r.goal_forecast.clone(),
        completion_rate: r.reported_completion_x100.map(from_hundredths),
        indicators: rows
            .iter()
            .map(|row| {
                let mut i = Indicator::new(
                    &row.level1,
                    &row.level2,
                    &row.name,
                    form_target(&row.sign, &row.target_value, &row.unit_of_measure),
                );
                i.weight = row.weight_x100.map(from_hundredths);
                i.sub_item = row.parent_seq.is_some();
                let deviation = [
                    row.deviation_causes.as_str(),
                    row.deviation_text.as_str(),
                    row.measures.as_str(),
                ]
                .iter()
                .filter(|s| !s.trim().is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("；");
                MonitoredIndicator {
                    indicator: i,
                    to_date: form_value(&row.to_date_value),
                    forecast: form_value(&row.expected_value),
                    deviation,
                    likelihood: Likelihood::parse(&row.likelihood)
                        .map(|l| l.label().to_string())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    })
}

/// The workbook of a task for some units (`None`: all), one sheet per project report.
pub(super) async fn task_workbook(
    state: &AppState,
    region: &str,
    task_id: i64,
    units: Option<&[i64]>,
) -> Result<Vec<u8>, WebError> {
    let reports = store::task_reports(&state.store, region, task_id, units).await?;
    let reports: Vec<&ReportRecord> = reports.iter().filter(|r| r.project_id.is_some()).collect();
    if reports.is_empty() {
        return Err(WebError::Conflict(
            "该监控任务中没有您可填报的项目监控报告".into(),
        ));
    }
    if reports.len() > 500 {
        return Err(WebError::Conflict(format!(
            "该任务有 {} 份项目报告，超过单个工作簿 500 张工作表的上限；请按单位下载",
            reports.len()
        )));
    }
    let mut forms = Vec::with_capacity(reports.len());
    for r in reports {
        let rows = store::indicators(&state.store, r.id).await?;
        forms.push(report_form(r, &rows));
    }
    jixiao_forms::xlsx::write::write_forms(&forms)
        .map_err(|e| WebError::Internal(format!("生成填报表失败：{e}")))
}

/// The 汇总表 of a task: one row per report the reader may open.
pub(super) async fn task_summary(
    state: &AppState,
    region: &str,
    scope: &jixiao_store::browse::Scope,
    t: &store::Task,
) -> Result<Vec<u8>, WebError> {
    let reports = jixiao_store::browse::task_reports(&state.store, region, scope, t.id).await?;
    let warnings = jixiao_store::browse::task_warnings(&state.store, region, scope, t.id).await?;
    let cutoff = jixiao_store::deadlines::end_of_day(t.deadline);
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            let ws: Vec<String> = warnings
                .iter()
                .filter(|w| w.report_id == r.id)
                .map(|w| {
                    format!(
                        "{}{}",
                        WarningLevel::parse(&w.level).map_or(w.level.as_str(), |l| l.label()),
                        WarningKind::parse(&w.kind)
                            .map(|k| format!("（{}）", k.label()))
                            .unwrap_or_default()
                    )
                })
                .collect();
            vec![
                r.unit_name.clone(),
                r.object_name.clone(),
                DocState::parse(&r.state).map_or(r.state.clone(), |s| s.label().into()),
                match r.submitted_at {
                    Some(at) if at < cutoff => "按时".into(),
                    Some(_) => "逾期".into(),
                    None => "未提交".into(),
                },
                crate::pages::show::score(r.execution_rate_x100),
                crate::pages::show::score(r.reported_completion_x100),
                crate::pages::show::score(r.completion_estimate_x100),
                crate::pages::show::score(r.deviation_x100),
                crate::pages::show::score(r.review_score_x100),
                ws.join("、"),
            ]
        })
        .collect();
    let title = format!("{}汇总表", t.name);
    jixiao_forms::xlsx::list::write_list(&jixiao_forms::xlsx::list::ListTable {
        title: &title,
        headers: &[
            "单位",
            "监控对象",
            "状态",
            "报送",
            "预算执行率（%）",
            "总体完成率（%）",
            "按指标测算完成率（%）",
            "偏差（百分点）",
            "审核得分",
            "预警",
        ],
        numeric: &[
            false, false, false, false, true, true, true, true, true, false,
        ],
        rows: &rows,
    })
    .map_err(|e| WebError::Internal(e.to_string()))
}
