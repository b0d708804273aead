//! One monitoring report: the form with its live figures, saving, the check and the workflow actions.

use super::*;
use jixiao_domain::workflow::RectificationState;

// ---------------------------------------------------------------------------------------------
// The report

use crate::pages::{BudgetLine, Choice, SubmitView};

/// A warning on the report page, with the rectification notice drafted from it.
pub(super) struct WarningView {
    level: String,
    label: String,
    message: String,
    notice: Option<NoticeLink>,
}

/// A rectification notice a warning led to: its id and state label.
pub(super) struct NoticeLink {
    id: i64,
    state: String,
}

/// One item of the finance bureau's review: name, score given, maximum.
pub(super) struct ReviewItemView {
    item: String,
    score: String,
    max: String,
}

/// One item of the review rubric: name and maximum.
pub(super) struct RubricItem {
    name: String,
    max: String,
}

#[derive(Template)]
#[template(path = "monitoring_report.html")]
pub(super) struct ReportPage {
    layout: Layout,
    r: ReportRecord,
    state: String,
    budget: Vec<BudgetLine>,
    executed_wan: String,
    expected_wan: String,
    progress_text: String,
    goal_forecast: String,
    reported_completion: String,
    rows: Vec<RowView>,
    fig: FiguresView,
    editable: bool,
    submit_action: Option<SubmitView>,
    may_review: bool,
    rubric: Vec<RubricItem>,
    review_items: Vec<ReviewItemView>,
    review_score: String,
    warnings: Vec<WarningView>,
    timeline: Vec<HistoryView>,
    likelihoods: Vec<Choice>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub(super) async fn report_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    typed: Option<ReportInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let r = flow::visible(&a, id).await?;
    let rows = store::indicators(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let editable = flow::may_edit(&a, &r).await?;
    let doc = DocState::parse(&r.state).unwrap_or(DocState::Draft);
    let fig = match &typed {
        Some(input) => match flow::check_input(&settings.monitoring, &r, &rows, input) {
            Ok(c) => figures(
                &c.analysis,
                c.fill.reported_completion_x100.map(from_hundredths),
            ),
            Err(e) => empty_figures(messages_of(&e.into())),
        },
        None => match flow::stored_analysis(&settings.monitoring, &r, &rows) {
            Some(an) => figures(&an, r.reported_completion_x100.map(from_hundredths)),
            None => empty_figures(vec![]),
        },
    };
    let row_views: Vec<RowView> = rows
        .iter()
        .map(|row| {
            let typed_row = typed
                .as_ref()
                .and_then(|t| t.indicators.iter().find(|i| i.seq == row.seq));
            row_view(row, typed_row.or(None).filter(|_| typed.is_some()))
        })
        .collect();
    let filled = r.filled_at.is_some();
    let (executed_wan, expected_wan, progress_text, goal_forecast, reported_completion) =
        match &typed {
            Some(t) => (
                t.executed_wan.clone(),
                t.expected_wan.clone(),
                t.progress_text.clone(),
                t.goal_forecast.clone(),
                t.reported_completion.clone(),
            ),
            None if filled => (
                trim(Fen(r.executed_fen).wan()),
                trim(Fen(r.expected_fen).wan()),
                r.progress_text.clone(),
                r.goal_forecast.clone(),
                r.reported_completion_x100
                    .map(|v| trim(from_hundredths(v)))
                    .unwrap_or_default(),
            ),
            // Nothing entered yet: empty fields, never a 0 that looks reported.
            None => (
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
    let unit_side = user.is_unit_user() && a.may_write_for_unit(r.unit_id).await?;
    // The button shows when the workflow table lets this user make the move (SPEC §4).
    let may = |action| {
        unit_side
            && jixiao_domain::workflow::transition(doc, action, &user.roles, false, None).is_ok()
    };
    let submit_action = match doc {
        DocState::Draft if may(DocAction::Submit) => Some(SubmitView {
            action: DocAction::Submit.code(),
            label: "提交监控报告",
        }),
        DocState::Returned if may(DocAction::Resubmit) => Some(SubmitView {
            action: DocAction::Resubmit.code(),
            label: "重新提交",
        }),
        _ => None,
    };
    let own = a.submitted(flow::KIND, id).await?;
    let may_review =
        user.is_finance() && matches!(doc, DocState::Submitted | DocState::UnderReview) && !own;
    let review_items: Vec<ReviewItemView> = serde_json::from_str::<Vec<Value>>(&r.review_items)
        .unwrap_or_default()
        .into_iter()
        .map(|v| ReviewItemView {
            item: v["item"].as_str().unwrap_or_default().to_string(),
            score: v["score"].as_str().unwrap_or_default().to_string(),
            max: v["max"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    let warnings = jixiao_store::browse::report_warnings(&state.store, id)
        .await?
        .into_iter()
        .map(|w| WarningView {
            label: format!(
                "{}·{}",
                WarningLevel::parse(&w.level).map_or(w.level.as_str(), |l| l.label()),
                WarningKind::parse(&w.kind).map_or(w.kind.as_str(), |k| k.label())
            ),
            level: w.level,
            message: w.message,
            // A unit sees a notice once it is issued; finance sees its drafts.
            notice: w
                .rectification_id
                .zip(w.rectification_state)
                .filter(|(_, s)| {
                    user.is_finance()
                        || RectificationState::parse(s) != Some(RectificationState::Draft)
                })
                .map(|(id, s)| NoticeLink {
                    id,
                    state: RectificationState::parse(&s)
                        .map_or(s.clone(), |s| s.label().to_string()),
                }),
        })
        .collect();
    let timeline = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(history_view)
        .collect();
    let line = |label: &str, fen: i64| BudgetLine {
        label: label.into(),
        wan: wan(fen),
    };
    let mut budget = vec![line("年度资金总额", r.budget_fen)];
    if r.project_id.is_some() {
        budget.push(line(
            "其中：当年财政拨款",
            r.current_fen.unwrap_or_default(),
        ));
        budget.push(line("上年结转资金", r.carryover_fen.unwrap_or_default()));
        budget.push(line("其他资金", r.other_fen.unwrap_or_default()));
    }
    let region = region_name(state, &user.region).await?;
    render(&ReportPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/monitoring"),
        state: doc.label().into(),
        budget,
        executed_wan,
        expected_wan,
        progress_text,
        goal_forecast,
        reported_completion,
        rows: row_views,
        fig,
        editable,
        submit_action,
        may_review,
        rubric: settings
            .monitoring
            .review_rubric
            .iter()
            .map(|(n, m)| RubricItem {
                name: n.clone(),
                max: trim(*m),
            })
            .collect(),
        review_items,
        review_score: r
            .review_score_x100
            .map(|s| fixed2(from_hundredths(s)))
            .unwrap_or_default(),
        warnings,
        timeline,
        likelihoods: Likelihood::ALL
            .iter()
            .map(|l| Choice {
                code: l.code(),
                label: l.label(),
            })
            .collect(),
        message,
        errors,
        r,
    })
}

pub async fn report_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "saved" => "监控报告已保存。".to_string(),
        code => format!(
            "操作成功，监控报告当前状态：{}。",
            DocState::parse(code).map(|s| s.label()).unwrap_or("")
        ),
    });
    Ok(
        report_view(&state, &session, &user, id, None, message, vec![])
            .await?
            .into_response(),
    )
}

pub async fn save(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, &ip.0);
    flow::visible(&a, id).await?;
    let row_version = crate::pages::project_flow::row_version(&pairs)?;
    let input = input_of(&pairs);
    match flow::save(&a, id, row_version, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/monitoring/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = report_view(
                &state,
                &session,
                &user,
                id,
                Some(input),
                None,
                messages_of(&e),
            )
            .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "monitoring_figures.html")]
pub(super) struct FiguresPartial {
    fig: FiguresView,
}

/// The figures of the form as typed, for htmx to show while the user types.
pub async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Html<String>, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, "");
    let input = input_of(&pairs);
    let reported = jixiao_domain::decimal::parse_loose(
        input
            .reported_completion
            .trim()
            .trim_end_matches(['%', '％']),
    );
    let fig = match flow::check(&a, id, &input).await? {
        Ok(an) => figures(&an, reported),
        Err(problems) => empty_figures(
            problems
                .into_iter()
                .map(|p| format!("{}：{}", p.field, p.message))
                .collect(),
        ),
    };
    render(&FiguresPartial { fig })
}

pub async fn action(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, &ip.0);
    flow::visible(&a, id).await?;
    let mut scores: Vec<(usize, String)> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("score.")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n < 50)
                .map(|n| (n, v.clone()))
        })
        .collect();
    scores.sort_by_key(|(n, _)| *n);
    let input = ReportAction {
        action: field(&pairs, "action").into(),
        row_version: crate::pages::project_flow::row_version(&pairs)?,
        text: field(&pairs, "text").into(),
        scores: if field(&pairs, "action") == DocAction::Return.code()
            && scores.iter().all(|(_, v)| v.trim().is_empty())
        {
            vec![]
        } else {
            scores.into_iter().map(|(_, v)| v).collect()
        },
    };
    match flow::act(&a, id, &input).await.map_err(WebError::from) {
        Ok(o) => Ok(see_other(&format!("/monitoring/{id}?done={}", o.state))),
        Err(e) if is_user_error(&e) => {
            let html =
                report_view(&state, &session, &user, id, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}
