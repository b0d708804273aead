//! One self-evaluation: the form with its live score, saving, the check, the workflow actions and the report.

use super::*;
use jixiao_domain::workflow::RectificationState;

// ---------------------------------------------------------------------------------------------
// The form

/// The score of the form (stored or as typed), for the live panel.
pub struct ScoreView {
    pub execution_rate: String,
    pub execution_score: String,
    pub total: String,
    pub grade: String,
    /// Per row, by position.
    pub rows: Vec<PointsView>,
    pub findings: Vec<FindingView>,
    pub problems: Vec<String>,
}

pub(super) fn score_view(
    s: &SelfEvaluationScore,
    explanations: &[String],
    rows: &[Row],
) -> ScoreView {
    let place = |n: Option<usize>| {
        n.and_then(|n| rows.get(n))
            .map_or(String::new(), |r| format!("第 {} 行“{}”：", r.seq, r.name))
    };
    ScoreView {
        execution_rate: s
            .execution
            .as_ref()
            .and_then(|e| e.rate)
            .map_or("—".into(), |r| format!("{}%", fixed2(r))),
        execution_score: s.execution.as_ref().map_or("—".into(), |e| fixed2(e.score)),
        total: s.total.map_or("—".into(), fixed2),
        grade: s.grade.map_or("—".into(), |g| g.label().to_string()),
        rows: s
            .indicators
            .iter()
            .zip(explanations)
            .map(|(i, e)| PointsView {
                points: i.score.map_or("—".into(), fixed2),
                rule: e.clone(),
                over: i.over_achieved,
            })
            .collect(),
        findings: s
            .findings
            .iter()
            .map(|f| FindingView {
                error: f.severity == Severity::Error,
                message: format!("{}{}", place(f.indicator), f.message),
            })
            .collect(),
        problems: vec![],
    }
}

pub(super) fn empty_score(problems: Vec<String>) -> ScoreView {
    ScoreView {
        execution_rate: "—".into(),
        execution_score: "—".into(),
        total: "—".into(),
        grade: "—".into(),
        rows: vec![],
        findings: vec![],
        problems,
    }
}

/// One indicator row of the form.
pub struct RowView {
    pub seq: i32,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub target: String,
    pub weight: String,
    pub sub_item: bool,
    pub qualitative: bool,
    pub actual: String,
    pub tier: String,
    pub chosen: String,
    pub reason: String,
    pub points: String,
    pub over: bool,
    /// The reviewer's reduction of the row's score.
    pub reduced: Option<Reduction>,
}

pub(super) fn row_view(r: &Row, input: Option<&RowInput>, points: Option<&PointsView>) -> RowView {
    let qualitative = jixiao_domain::indicator::Sign::parse(&r.sign)
        == Some(jixiao_domain::indicator::Sign::Qualitative);
    let target = if qualitative {
        r.target_value.clone()
    } else {
        format!("{}{}{}", r.sign, r.target_value, r.unit_of_measure)
    };
    let (actual, tier, chosen, reason) = match input {
        Some(i) => (
            i.actual.clone(),
            i.tier.clone(),
            i.chosen.clone(),
            i.reason.clone(),
        ),
        None => (
            r.actual_value.clone(),
            r.tier.map(|t| t.to_string()).unwrap_or_default(),
            r.chosen_x100
                .map(|c| trim(from_hundredths(c)))
                .unwrap_or_default(),
            r.deviation_reason.clone(),
        ),
    };
    RowView {
        seq: r.seq,
        level1: r.level1.clone(),
        level2: r.level2.clone(),
        name: r.name.clone(),
        target,
        weight: r
            .weight_x100
            .map(|w| trim(from_hundredths(w)))
            .unwrap_or_default(),
        sub_item: r.parent_seq.is_some(),
        qualitative,
        actual,
        tier,
        chosen,
        reason,
        points: points.map_or_else(|| score_text(r.score_x100), |p| p.points.clone()),
        over: points.is_some_and(|p| p.over),
        reduced: r.reduced_x100.map(|v| Reduction {
            score: fixed2(from_hundredths(v)),
            reason: r.reduction_reason.clone(),
        }),
    }
}

/// Reads the posted form: `budget_wan`, `executed_wan`, `overall_actual` and
/// `ind.{seq}.{actual|tier|chosen|reason}`.
pub fn input_of(pairs: &Pairs) -> FormInput {
    let mut rows: std::collections::BTreeMap<i32, RowInput> = Default::default();
    for (k, v) in pairs {
        let mut parts = k.splitn(3, '.');
        let (Some("ind"), Some(n), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(seq) = n.parse::<i32>() else {
            continue;
        };
        if !(1..=1000).contains(&seq) {
            continue;
        }
        let i = rows.entry(seq).or_insert_with(|| RowInput {
            seq,
            ..Default::default()
        });
        match name {
            "actual" => i.actual = v.clone(),
            "tier" => i.tier = v.clone(),
            "chosen" => i.chosen = v.clone(),
            "reason" => i.reason = v.clone(),
            _ => {}
        }
    }
    FormInput {
        budget_wan: field(pairs, "budget_wan").into(),
        executed_wan: field(pairs, "executed_wan").into(),
        overall_actual: field(pairs, "overall_actual").into(),
        indicators: rows.into_values().collect(),
    }
}

/// A reviewer's reduction of a row's score, with its reason.
pub struct Reduction {
    pub score: String,
    pub reason: String,
}

use crate::pages::{BudgetLine, FindingView, PointsView, RecommendationView, SubmitView, TierView};

/// A rectification notice raised from the self-evaluation or its verification.
pub(super) struct NoticeView {
    id: i64,
    problem: String,
    state: String,
}

/// The verification of the self-evaluation (§8.6); `score` is empty while it is sampled but not
/// yet verified.
pub(super) struct VerificationView {
    score: String,
    gap: String,
    inaccurate: bool,
    evidence: String,
}

/// The public's ratings of the project: evidence for the 服务对象满意度 indicator.
pub(super) struct SurveyView {
    ratings: i64,
    satisfied_share: String,
}

#[derive(Template)]
#[template(path = "self_evaluation.html")]
pub(super) struct EvaluationPage {
    layout: Layout,
    r: Record,
    state: String,
    object: String,
    budget: Vec<BudgetLine>,
    budget_wan: String,
    executed_wan: String,
    overall_actual: String,
    rows: Vec<RowView>,
    fig: ScoreView,
    tiers: Vec<TierView>,
    editable: bool,
    submit_action: Option<SubmitView>,
    may_review: bool,
    recommendation: Option<RecommendationView>,
    notices: Vec<NoticeView>,
    timeline: Vec<HistoryView>,
    message: Option<String>,
    errors: Vec<String>,
    verification: Option<VerificationView>,
    /// Finance may add this approved self-evaluation to the year's sample.
    may_add_verification: bool,
    finance: bool,
    survey: Option<SurveyView>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn evaluation_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    r: Record,
    typed: Option<FormInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let id = r.id;
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let editable = flow::may_edit(&a, &r).await?;
    let doc = DocState::parse(&r.state).unwrap_or(DocState::Draft);
    let fig = match &typed {
        Some(input) => match flow::check_input(&settings, &r, &rows, input) {
            Ok(c) => score_view(&c.score, &c.explanations, &rows),
            Err(e) => empty_score(messages_of(&e.into())),
        },
        None => match flow::stored_score(&settings, &r, &rows) {
            Some((s, e)) => score_view(&s, &e, &rows),
            None => empty_score(vec![]),
        },
    };
    let row_views: Vec<RowView> = rows
        .iter()
        .enumerate()
        .map(|(n, row)| {
            let typed_row = typed
                .as_ref()
                .and_then(|t| t.indicators.iter().find(|i| i.seq == row.seq));
            row_view(row, typed_row, fig.rows.get(n))
        })
        .collect();
    let filled = r.filled_at.is_some();
    let (budget_wan, executed_wan, overall_actual) = match &typed {
        Some(t) => (
            t.budget_wan.clone(),
            t.executed_wan.clone(),
            t.overall_actual.clone(),
        ),
        None => (
            trim(Fen(r.budget_fen).wan()),
            // Nothing entered yet: an empty field, never a 0 that looks reported.
            if filled {
                trim(Fen(r.executed_fen).wan())
            } else {
                String::new()
            },
            r.overall_actual.clone(),
        ),
    };
    let unit_side = user.is_unit_user() && a.may_write_for_unit(r.unit_id).await?;
    let may = |action| {
        unit_side
            && jixiao_domain::workflow::transition(doc, action, &user.roles, false, None).is_ok()
    };
    let submit_action = match doc {
        DocState::Draft if may(DocAction::Submit) => Some(SubmitView {
            action: DocAction::Submit.code(),
            label: "提交自评",
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
    let recommendation = match doc {
        DocState::Approved => {
            store::recommendation_of(&state.store, id)
                .await?
                .map(|x| RecommendationView {
                    label: Recommendation::parse(&x.recommendation)
                        .map_or(x.recommendation.clone(), |r| r.label().to_string()),
                    next_year: x.next_year.to_string(),
                })
        }
        _ => None,
    };
    let verified = jixiao_app::verification::of_evaluation(&a, id).await?;
    // A notice drafted by an inaccurate verification belongs to this self-evaluation too.
    let mut sources =
        jixiao_store::rectifications::of_source(&state.store, "evaluation", id).await?;
    if let Some(v) = &verified {
        sources.extend(
            jixiao_store::rectifications::of_source(
                &state.store,
                jixiao_app::verification::KIND,
                v.id,
            )
            .await?,
        );
    }
    let may_add_verification =
        verified.is_none() && doc == DocState::Approved && user.has(Role::FinanceAdmin);
    // A unit sees the verdict once it is recorded; finance sees the row as soon as it is sampled.
    let verification = verified
        .filter(|v| user.is_finance() || v.verified_x100.is_some())
        .map(|v| VerificationView {
            score: v
                .verified_x100
                .map(|x| trim(from_hundredths(x)))
                .unwrap_or_default(),
            gap: v
                .verified_x100
                .map(|x| trim(from_hundredths((v.self_x100 - x).abs())))
                .unwrap_or_default(),
            inaccurate: v.inaccurate,
            evidence: v.evidence,
        });
    let notices = sources
        .into_iter()
        .filter(|k| {
            user.is_finance()
                || RectificationState::parse(&k.state) != Some(RectificationState::Draft)
        })
        .map(|k| NoticeView {
            id: k.id,
            state: RectificationState::parse(&k.state)
                .map_or(k.state.clone(), |s| s.label().to_string()),
            problem: k.problem,
        })
        .collect();
    let timeline = jixiao_store::history::timeline(&state.store, flow::KIND, id)
        .await?
        .into_iter()
        .map(history_view)
        .collect();
    let line = |label: &str, fen: i64| BudgetLine {
        label: label.into(),
        wan: Fen(fen).wan_2dp(),
    };
    let mut budget = vec![line("年度资金总额（年初预算数）", r.initial_budget_fen)];
    if r.project_id.is_some() {
        budget.push(line(
            "其中：当年财政拨款",
            r.current_fen.unwrap_or_default(),
        ));
        budget.push(line("上年结转资金", r.carryover_fen.unwrap_or_default()));
        budget.push(line("其他资金", r.other_fen.unwrap_or_default()));
    }
    let region = region_name(state, &user.region).await?;
    render(&EvaluationPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/evaluations"),
        verification,
        may_add_verification,
        finance: user.is_finance(),
        survey: match r.project_id {
            Some(p) => jixiao_app::feedback::evidence(
                jixiao_store::feedback::ratings(&state.store, p).await?,
            )
            .map(|(ratings, satisfied_share)| SurveyView {
                ratings,
                satisfied_share,
            }),
            None => None,
        },
        state: doc.label().into(),
        object: if r.object_kind == "unit" {
            "部门整体支出绩效自评表".into()
        } else {
            "项目支出绩效自评表".into()
        },
        budget,
        budget_wan,
        executed_wan,
        overall_actual,
        rows: row_views,
        fig,
        tiers: settings
            .scoring
            .qualitative_tiers
            .iter()
            .enumerate()
            .map(|(index, t)| TierView {
                index,
                label: t.label.clone(),
            })
            .collect(),
        editable,
        submit_action,
        may_review,
        recommendation,
        notices,
        timeline,
        message,
        errors,
        r,
    })
}

/// An evaluation's page: the self-evaluation form and workflow; department and finance
/// evaluations keep their record page.
pub async fn evaluation_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    let r = flow::visible(&a, id).await?;
    if matches!(r.kind.as_str(), "department" | "finance") {
        let message = q.done.map(|d| match d.as_str() {
            "saved" => "评价已保存。".to_string(),
            code => format!(
                "操作成功，评价当前状态：{}。",
                DocState::parse(code).map(|s| s.label()).unwrap_or("")
            ),
        });
        return Ok(crate::pages::department_evaluation::evaluation_view(
            &state,
            &session,
            &user,
            r,
            None,
            message,
            vec![],
        )
        .await?
        .into_response());
    }
    if r.kind != "self" {
        return Ok(crate::pages::records::evaluation(
            State(state),
            Extension(session),
            user,
            Path(id),
        )
        .await?
        .into_response());
    }
    let message = q.done.map(|d| match d.as_str() {
        "saved" => "绩效自评已保存。".to_string(),
        "verification" => "已加入本年度真实性核查样本。".to_string(),
        code => format!(
            "操作成功，绩效自评当前状态：{}。",
            DocState::parse(code).map(|s| s.label()).unwrap_or("")
        ),
    });
    Ok(
        evaluation_view(&state, &session, &user, r, None, message, vec![])
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
    let r = flow::visible(&a, id).await?;
    if matches!(r.kind.as_str(), "department" | "finance") {
        return crate::pages::department_evaluation::save(
            &state, &session, &user, &ip.0, r, &pairs,
        )
        .await;
    }
    let row_version = crate::pages::project_flow::row_version(&pairs)?;
    let input = input_of(&pairs);
    match flow::save(&a, id, row_version, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/evaluations/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = evaluation_view(
                &state,
                &session,
                &user,
                r,
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
#[template(path = "self_evaluation_score.html")]
pub(super) struct ScorePartial {
    fig: ScoreView,
}

/// The score of the form as typed, for htmx to show while the user types.
pub async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Html<String>, WebError> {
    let pairs = pairs_of(form)?;
    let a = actor(&state, &user, "");
    if matches!(
        flow::visible(&a, id).await?.kind.as_str(),
        "department" | "finance"
    ) {
        return crate::pages::department_evaluation::check(&state, &user, id, &pairs).await;
    }
    let input = input_of(&pairs);
    let rows = store::rows(&state.store, id).await?;
    let fig = match flow::check(&a, id, &input).await? {
        Ok((s, e)) => score_view(&s, &e, &rows),
        Err(problems) => empty_score(
            problems
                .into_iter()
                .map(|p| format!("{}：{}", p.field, p.message))
                .collect(),
        ),
    };
    render(&ScorePartial { fig })
}

/// Reads the reviewer's reductions: `cut.{seq}.score` and `cut.{seq}.reason`.
pub(super) fn reductions_of(pairs: &Pairs) -> Vec<ReductionInput> {
    let mut rows: std::collections::BTreeMap<i32, ReductionInput> = Default::default();
    for (k, v) in pairs {
        let mut parts = k.splitn(3, '.');
        let (Some("cut"), Some(n), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(seq) = n.parse::<i32>() else {
            continue;
        };
        if !(1..=1000).contains(&seq) {
            continue;
        }
        let i = rows.entry(seq).or_insert_with(|| ReductionInput {
            seq,
            ..Default::default()
        });
        match name {
            "score" => i.score = v.clone(),
            "reason" => i.reason = v.clone(),
            _ => {}
        }
    }
    rows.into_values().collect()
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
    let is_return = field(&pairs, "action") == DocAction::Return.code();
    let input = EvaluationAction {
        action: field(&pairs, "action").into(),
        row_version: crate::pages::project_flow::row_version(&pairs)?,
        text: field(&pairs, "text").into(),
        reductions: if is_return {
            vec![]
        } else {
            reductions_of(&pairs)
        },
    };
    match flow::act(&a, id, &input).await.map_err(WebError::from) {
        Ok(o) => Ok(see_other(&format!("/evaluations/{id}?done={}", o.state))),
        Err(e) if is_user_error(&e) => {
            let r = flow::visible(&a, id).await?;
            let html = if matches!(r.kind.as_str(), "department" | "finance") {
                crate::pages::department_evaluation::evaluation_view(
                    &state,
                    &session,
                    &user,
                    r,
                    None,
                    None,
                    messages_of(&e),
                )
                .await?
            } else {
                evaluation_view(&state, &session, &user, r, None, None, messages_of(&e)).await?
            };
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}
