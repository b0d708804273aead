//! One engagement: declaration, deliverables and the quality rating.

use super::*;
use crate::pages::FileLink;

// ---------------------------------------------------------------------------------------------
// The engagement

/// A deliverable on the engagement page: its code and label, the day handed in and its files.
pub(super) struct Deliverable {
    code: &'static str,
    label: &'static str,
    handed_in: String,
    files: Vec<FileLink>,
}

/// An evaluation done under the engagement: its id, title, unit, state and total score.
pub(super) struct EngagementEvaluation {
    id: i64,
    title: String,
    unit: String,
    state: String,
    total: String,
}

/// The engagement's quality rating: the score and the grade's label.
pub(super) struct QualityView {
    score: String,
    grade: String,
}

/// An item of the quality rating form: its label, maximum and the score given.
pub(super) struct RatingItem {
    label: String,
    max: String,
    score: String,
}

#[derive(Template)]
#[template(path = "engagement.html")]
pub(super) struct EngagementPage {
    layout: Layout,
    g: jixiao_store::agencies::EngagementRecord,
    period: String,
    fee: String,
    declared_on: Option<String>,
    may_declare: bool,
    may_rate: bool,
    evaluations: Vec<EngagementEvaluation>,
    quality: Option<QualityView>,
    deliverables: Vec<Deliverable>,
    may_deliver: bool,
    items: Vec<RatingItem>,
    message: Option<String>,
    errors: Vec<String>,
}

pub(super) async fn engagement_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    id: i64,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let g = flow::engagement(&actor(state, user, ""), id).await?;
    let evaluations = jixiao_store::agencies::engagement_evaluations(&state.store, id)
        .await?
        .into_iter()
        .map(|(eid, title, unit, st, total)| EngagementEvaluation {
            id: eid,
            title,
            unit,
            state: DocState::parse(&st).map_or(st.clone(), |s| s.label().to_string()),
            total: total
                .map(|t| fixed2(from_hundredths(t)))
                .unwrap_or_default(),
        })
        .collect();
    let given: Vec<Value> = serde_json::from_str(&g.quality_items).unwrap_or_default();
    let items = jixiao_domain::agency::quality_items()
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let score = given
                .get(n)
                .and_then(|v| {
                    v["score"]
                        .as_str()
                        .map(String::from)
                        .or_else(|| v["score"].as_f64().map(|_| v["score"].to_string()))
                })
                .unwrap_or_default();
            RatingItem {
                label: i.label,
                max: i.max.normalize().to_string(),
                score,
            }
        })
        .collect();
    let files = jixiao_store::attachments::of_owner(&state.store, "engagement_", id).await?;
    let deliverables = flow::DELIVERABLES
        .iter()
        .map(|(code, label)| {
            let day = match *code {
                "plan" => g.plan_date,
                "draft" => g.draft_report_date,
                _ => g.final_report_date,
            };
            let owner = format!("engagement_{code}");
            Deliverable {
                code,
                label,
                handed_in: day.map(|d| d.to_string()).unwrap_or_default(),
                files: files
                    .iter()
                    .filter(|f| f.owner_kind == owner)
                    .map(|f| FileLink {
                        id: f.id,
                        name: f.file_name.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let may_deliver = user.has(Role::FinanceAdmin)
        || (user.has(Role::Evaluator) && user.agency_id == Some(g.agency_id) && g.coi_declared);
    let region = region_name(state, &user.region).await?;
    render(&EngagementPage {
        deliverables,
        may_deliver,
        layout: Layout::new(session, user, &region, &state.matrix, "/agencies"),
        period: match (g.start_date, g.end_date) {
            (Some(s), Some(e)) => format!("{s} 至 {e}"),
            _ => String::new(),
        },
        fee: Fen(g.fee_fen).wan_2dp(),
        declared_on: g
            .coi_declared_at
            .map(|t| jixiao_store::deadlines::local_date(t).to_string()),
        may_declare: !g.coi_declared
            && user.has(Role::Evaluator)
            && user.agency_id == Some(g.agency_id),
        may_rate: user.has(Role::FinanceAdmin),
        evaluations,
        quality: g.quality_x100.map(|q| QualityView {
            score: fixed2(from_hundredths(q)),
            grade: g
                .quality_grade
                .as_deref()
                .and_then(Grade::parse)
                .map_or(String::new(), |g| g.label().to_string()),
        }),
        items,
        message,
        errors,
        g,
    })
}

pub async fn engagement_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "created" => "已委托；受托机构评价人员签署回避声明后即可填写评价。".to_string(),
        "declared" => "回避声明已签署。".to_string(),
        "delivered" => "评价成果已上传。".to_string(),
        _ => "执业质量评价已保存。".to_string(),
    });
    engagement_view(&state, &session, &user, id, message, vec![]).await
}

pub async fn declare(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    match flow::declare(&actor(&state, &user, &ip.0), id, field(&pairs, "statement"))
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!("/engagements/{id}?done=declared"))),
        Err(e) if is_user_error(&e) => {
            let html = engagement_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn rate(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = RatingInput {
        scores: (0..jixiao_domain::agency::quality_items().len())
            .map(|n| field(&pairs, &format!("score.{n}")).to_string())
            .collect(),
        findings: field(&pairs, "findings").into(),
    };
    match flow::rate(&actor(&state, &user, &ip.0), id, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(see_other(&format!("/engagements/{id}?done=rated"))),
        Err(e) if is_user_error(&e) => {
            let html = engagement_view(&state, &session, &user, id, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}
