//! The ex-ante assessment (事前绩效评估, SPEC §5): the score sheet the assessor fills in, its
//! submission and the finance bureau's review, the uploaded report and the generated one.

use super::project_flow::{Pairs, field, is_user_error, messages_of, pairs_of, status_of};
use super::projects::{HistoryView, history_view};
use super::show::label;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::actor;
use crate::pages::{SubmitView, region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::Extension;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jixiao_app::ex_ante::{self as flow, ExAnteSheetInput, NewExAnteInput, ScoreInput};
use jixiao_app::review::ActionInput;
use jixiao_domain::Fen;
use jixiao_domain::decimal::{fixed2, from_hundredths};
use jixiao_domain::ex_ante::ExAnteConclusion;
use jixiao_domain::types::AssessorKind;
use jixiao_domain::workflow::{self, DocAction, DocState};

pub struct ScoreView {
    pub seq: i32,
    pub dimension: String,
    /// The dimension's first row carries its name and row span.
    pub first_of_dimension: bool,
    pub span: usize,
    pub sub_item: String,
    pub weight: String,
    pub score: String,
    pub opinion: String,
}

#[derive(Template)]
#[template(path = "ex_ante.html")]
struct Page {
    layout: Layout,
    id: i64,
    project_id: Option<i64>,
    object_name: String,
    amount: String,
    assessor: String,
    state: String,
    state_code: String,
    row_version: i32,
    total: String,
    conclusion: String,
    suggestions: String,
    scores: Vec<ScoreView>,
    editable: bool,
    submit_actions: Vec<SubmitView>,
    may_review: bool,
    has_report: bool,
    timeline: Vec<HistoryView>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    session: &SessionInfo,
    id: i64,
    typed: Option<&ExAnteSheetInput>,
    message: Option<String>,
    errors: Vec<String>,
) -> Result<axum::response::Html<String>, WebError> {
    // Reads only: the page asks the predicates its operations enforce.
    let actor = &actor(state, user, "");
    let x = flow::visible(actor, id).await?;
    let rows = jixiao_store::ex_ante::scores(&state.store, id).await?;
    let doc_state = DocState::parse(&x.state).unwrap_or(DocState::Draft);
    let assessor = flow::is_assessor(actor, &x).await?;
    let editable = assessor && doc_state.is_editable();
    let own = actor.submitted("ex_ante", id).await?;
    let available = workflow::available_actions(doc_state, &user.roles, own);
    let submit_actions = if assessor {
        available
            .iter()
            .filter(|a| matches!(a, DocAction::Submit | DocAction::Resubmit))
            .map(|a| SubmitView {
                action: a.code(),
                label: a.label(),
            })
            .collect()
    } else {
        vec![]
    };
    let may_review = available
        .iter()
        .any(|a| matches!(a, DocAction::StartReview | DocAction::Approve));
    let mut scores = Vec::new();
    for (n, r) in rows.iter().enumerate() {
        let first = n == 0 || rows[n - 1].dimension != r.dimension;
        let span = rows[n..]
            .iter()
            .take_while(|o| o.dimension == r.dimension)
            .count();
        let typed_row = typed.and_then(|t| t.scores.iter().find(|s| s.seq == r.seq));
        scores.push(ScoreView {
            seq: r.seq,
            dimension: r.dimension.clone(),
            first_of_dimension: first,
            span,
            sub_item: r.sub_item.clone(),
            weight: fixed2(from_hundredths(r.weight_x100)),
            score: match typed_row {
                Some(t) => t.score.clone(),
                None => r
                    .score_x100
                    .map(|v| fixed2(from_hundredths(v)))
                    .unwrap_or_default(),
            },
            opinion: typed_row
                .map(|t| t.opinion.clone())
                .unwrap_or_else(|| r.opinion.clone()),
        });
    }
    let timeline = jixiao_store::history::timeline(&state.store, "ex_ante", id)
        .await?
        .into_iter()
        .map(history_view)
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&Page {
        layout: Layout::new(session, user, &region, &state.matrix, "/projects"),
        id,
        project_id: x.project_id,
        object_name: x.object_name.clone(),
        amount: Fen(x.amount_fen).wan_2dp(),
        assessor: match &x.agency_name {
            Some(a) => format!("第三方机构（{a}）"),
            None => label(&x.assessor_kind, AssessorKind::parse, AssessorKind::label),
        },
        state: doc_state.label().into(),
        state_code: doc_state.code().into(),
        row_version: x.row_version,
        total: x
            .total_x100
            .map(|t| fixed2(from_hundredths(t)))
            .unwrap_or_else(|| "未评分".into()),
        conclusion: x
            .conclusion
            .as_deref()
            .map(|c| label(c, ExAnteConclusion::parse, ExAnteConclusion::label))
            .unwrap_or_default(),
        suggestions: typed
            .map(|t| t.suggestions.clone())
            .unwrap_or_else(|| x.suggestions.clone()),
        scores,
        editable,
        submit_actions,
        may_review,
        has_report: x.report_attachment_id.is_some(),
        timeline,
        message,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let message = q.done.map(|d| match d.as_str() {
        "created" => "事前绩效评估已创建，请评估主体填写评分。".to_string(),
        "saved" => "评分已保存，总分和结论已按规则计算。".to_string(),
        "partial" => {
            "评分已暂存；尚有未评分的项目，全部评分后计算总分和结论，方可提交。".to_string()
        }
        "report" => "评估报告已上传。".to_string(),
        code => format!(
            "操作成功，评估当前状态：{}。",
            DocState::parse(code).map(|s| s.label()).unwrap_or("")
        ),
    });
    Ok(page(&state, &user, &session, id, None, message, vec![])
        .await?
        .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let project_id: i64 = field(&pairs, "project_id").parse().unwrap_or(0);
    if project_id <= 0 {
        return Err(WebError::BadRequest(vec![(
            "评估对象".into(),
            "请从项目页面发起事前绩效评估（缺少项目）".into(),
        )]));
    }
    let input = NewExAnteInput {
        project_id,
        assessor_kind: field(&pairs, "assessor_kind").into(),
        agency_id: field(&pairs, "agency_id").parse().ok(),
    };
    let actor = actor(&state, &user, &ip.0);
    match flow::create(&actor, &input).await.map_err(WebError::from) {
        Ok(id) => Ok(see_other(&format!("/ex-ante/{id}?done=created"))),
        Err(e) if is_user_error(&e) => {
            let page = super::projects::detail_page(
                &state,
                &session,
                &user,
                project_id,
                None,
                messages_of(&e),
            )
            .await?;
            Ok((status_of(&e), page).into_response())
        }
        Err(e) => Err(e),
    }
}

fn sheet_of(pairs: &Pairs) -> ExAnteSheetInput {
    let mut scores: Vec<ScoreInput> = Vec::new();
    for (k, v) in pairs {
        let (slot, seq) = match (k.strip_prefix("score."), k.strip_prefix("opinion.")) {
            (Some(n), _) => (0, n),
            (_, Some(n)) => (1, n),
            _ => continue,
        };
        let Ok(seq) = seq.parse::<i32>() else {
            continue;
        };
        let at = match scores.iter().position(|s| s.seq == seq) {
            Some(i) => i,
            None => {
                scores.push(ScoreInput {
                    seq,
                    ..Default::default()
                });
                scores.len() - 1
            }
        };
        if slot == 0 {
            scores[at].score = v.clone();
        } else {
            scores[at].opinion = v.clone();
        }
    }
    ExAnteSheetInput {
        scores,
        suggestions: field(pairs, "suggestions").into(),
    }
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
    let actor = actor(&state, &user, &ip.0);
    // A record out of sight answers the same whatever was sent.
    flow::visible(&actor, id).await?;
    let sheet = sheet_of(&pairs);
    let row_version: i32 = super::project_flow::row_version(&pairs)?;
    match flow::save(&actor, id, row_version, &sheet)
        .await
        .map_err(WebError::from)
    {
        Ok(r) if r.unscored > 0 => Ok(see_other(&format!("/ex-ante/{id}?done=partial"))),
        Ok(_) => Ok(see_other(&format!("/ex-ante/{id}?done=saved"))),
        Err(e) if is_user_error(&e) => {
            let html = page(
                &state,
                &user,
                &session,
                id,
                Some(&sheet),
                None,
                messages_of(&e),
            )
            .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
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
    let actor = actor(&state, &user, &ip.0);
    // A record out of sight answers the same whatever was sent.
    flow::visible(&actor, id).await?;
    let input = ActionInput {
        action: field(&pairs, "action").into(),
        row_version: super::project_flow::row_version(&pairs)?,
        text: field(&pairs, "text").into(),
        rating: String::new(),
    };
    match flow::act(&actor, id, &input).await.map_err(WebError::from) {
        Ok(to) => Ok(see_other(&format!("/ex-ante/{id}?done={}", to.code()))),
        Err(e) if is_user_error(&e) => {
            let html = page(&state, &user, &session, id, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The assessor uploads the signed report (multipart: `file`; CSRF token in `?csrf=`).
pub async fn upload_report(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let actor = actor(&state, &user, &ip.0);
    // A record out of scope answers the same whatever was sent.
    flow::visible(&actor, id).await?;
    let Ok(mut multipart) = multipart else {
        return Err(WebError::BadRequest(vec![(
            "评估报告".into(),
            "请通过上传表单选择文件".into(),
        )]));
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(f)) = multipart.next_field().await {
        if f.name() == Some("file") {
            let name = f.file_name().unwrap_or("report").to_string();
            let bytes = f.bytes().await.map_err(|_| {
                WebError::BadRequest(vec![("评估报告".into(), "文件过大或上传中断".into())])
            })?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let result = match file.filter(|(_, b)| !b.is_empty()) {
        None => Err(WebError::BadRequest(vec![(
            "评估报告".into(),
            "请选择要上传的文件".into(),
        )])),
        Some((name, body)) => flow::attach_report(&actor, id, &name, &body)
            .await
            .map_err(WebError::from),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/ex-ante/{id}?done=report"))),
        Err(e) if is_user_error(&e) => {
            let html = page(&state, &user, &session, id, None, None, messages_of(&e)).await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Downloads the uploaded report.
pub async fn download_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = actor(&state, &user, "");
    let x = flow::visible(&actor, id).await?;
    let Some(att) = x.report_attachment_id else {
        return Err(WebError::NotFound("评估报告".into()));
    };
    let Some(a) = jixiao_store::attachments::get(&state.store, &user.region, att).await? else {
        return Err(WebError::NotFound("评估报告".into()));
    };
    let ascii: String = a
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(a.file_name.as_bytes()).collect();
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        a.body,
    )
        .into_response())
}

/// The assessment report generated from the record (SPEC §5 outline), as .docx.
pub async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    report(&state, &user, id, super::ReportFormat::Docx).await
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    report(&state, &user, id, super::ReportFormat::Pdf).await
}

async fn report(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    format: super::ReportFormat,
) -> Result<Response, WebError> {
    use jixiao_domain::report::ex_ante::{DimensionFacts, ExAnteReportFacts, ItemFacts, compose};
    let actor = actor(state, user, "");
    let x = flow::visible(&actor, id).await?;
    let (Some(total), Some(conclusion)) = (
        x.total_x100,
        x.conclusion.as_deref().and_then(ExAnteConclusion::parse),
    ) else {
        return Err(WebError::Conflict(
            "评估尚未评分，不能生成评估报告；请评估主体先填写评分并保存".into(),
        ));
    };
    let project = match x.project_id {
        Some(pid) => jixiao_store::projects::get(&state.store, &user.region, pid).await?,
        None => None,
    };
    let unit_name = match &project {
        Some(p) => jixiao_store::units::get(&state.store, &user.region, p.unit_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut dimensions: Vec<DimensionFacts> = Vec::new();
    for r in jixiao_store::ex_ante::scores(&state.store, id).await? {
        let item = ItemFacts {
            name: r.sub_item.clone(),
            weight: from_hundredths(r.weight_x100),
            score: from_hundredths(r.score_x100.unwrap_or_default()),
            opinion: r.opinion.clone(),
        };
        match dimensions.last_mut() {
            Some(d) if d.name == r.dimension => {
                d.weight += item.weight;
                d.score += item.score;
                d.items.push(item);
            }
            _ => dimensions.push(DimensionFacts {
                name: r.dimension.clone(),
                weight: item.weight,
                score: item.score,
                items: vec![item],
            }),
        }
    }
    let timeline = jixiao_store::history::timeline(&state.store, "ex_ante", id)
        .await?
        .into_iter()
        .map(|h| {
            let v = history_view(h);
            let who = if v.actor.is_empty() {
                String::new()
            } else {
                format!("{} ", v.actor)
            };
            (
                v.at.chars().take(10).collect(),
                format!("{who}{}", v.action),
            )
        })
        .collect();
    let facts = ExAnteReportFacts {
        region_name: region_name(state, &user.region).await?,
        fiscal_year: x.fiscal_year,
        object_kind: jixiao_domain::ex_ante::ExAnteObject::parse(&x.object_kind)
            .unwrap_or(jixiao_domain::ex_ante::ExAnteObject::Project),
        object_name: x.object_name.clone(),
        unit_name,
        amount: Fen(x.amount_fen),
        budget_type_label: project
            .as_ref()
            .map(|p| {
                label(
                    &p.budget_type,
                    jixiao_domain::types::BudgetType::parse,
                    jixiao_domain::types::BudgetType::label,
                )
            })
            .unwrap_or_default(),
        continuity_label: project
            .as_ref()
            .map(|p| {
                label(
                    &p.continuity,
                    jixiao_domain::types::Continuity::parse,
                    jixiao_domain::types::Continuity::label,
                )
            })
            .unwrap_or_default(),
        start_year: project
            .as_ref()
            .map(|p| p.start_year)
            .unwrap_or(x.fiscal_year),
        end_year: project
            .as_ref()
            .map(|p| p.end_year)
            .unwrap_or(x.fiscal_year),
        assessor_label: label(&x.assessor_kind, AssessorKind::parse, AssessorKind::label),
        agency_name: x.agency_name.clone(),
        dimensions,
        total: from_hundredths(total),
        conclusion,
        suggestions: x.suggestions.clone(),
        state_label: label(&x.state, DocState::parse, DocState::label),
        timeline,
        other_notes: String::new(),
    };
    super::report_file(
        compose(&facts),
        format,
        &format!("ex-ante-{id}"),
        &format!("{}事前绩效评估报告", x.object_name),
    )
    .await
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, DOCUMENT_ACTORS, PROJECT_WRITERS};
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(
        Method::POST,
        "/ex-ante",
        Access::Roles(PROJECT_WRITERS),
        post(create),
    )
    .add(Method::GET, "/ex-ante/{id}", Access::AnyUser, get(show))
    .add(
        Method::POST,
        "/ex-ante/{id}",
        Access::Roles(DOCUMENT_ACTORS),
        post(save),
    )
    .add(
        Method::POST,
        "/ex-ante/{id}/action",
        Access::Roles(DOCUMENT_ACTORS),
        post(action),
    )
    .add(
        Method::POST,
        "/ex-ante/{id}/report",
        Access::Roles(DOCUMENT_ACTORS),
        post(upload_report).layer(axum::extract::DefaultBodyLimit::max(21 * 1024 * 1024)),
    )
    .add(
        Method::GET,
        "/ex-ante/{id}/report",
        Access::AnyUser,
        get(download_report),
    )
    .add(
        Method::GET,
        "/ex-ante/{id}/report.docx",
        Access::AnyUser,
        get(report_docx),
    )
    .add(
        Method::GET,
        "/ex-ante/{id}/report.pdf",
        Access::AnyUser,
        get(report_pdf),
    )
}
