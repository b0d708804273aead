//! 整改 rectification notices (SPEC §10), shared by every source (monitoring warnings, evaluation
//! grades, verification, review): a red warning drafts a notice; finance confirms or edits it
//! (problem, requirement, deadline, disposal) and issues it; the unit responds with text and
//! evidence and submits; finance verifies it: closed, or reopened with a reason. Past its
//! deadline and still with the unit, it is overdue ([`jixiao_domain::workflow::is_overdue`]).

use crate::input::json;
use crate::{Actor, AppError, FieldProblem, hidden};
use chrono::NaiveDate;
use jixiao_domain::workflow::{self, Disposal, RectificationAction, RectificationState};
use jixiao_store::Tx;
use jixiao_store::monitoring::{ReportRecord, StoredWarning};
use jixiao_store::rectifications::{self as store, Record};
use serde::{Deserialize, Serialize};

pub const KIND: &str = "rectification";

/// The requirement a drafted notice proposes; finance confirms or edits it before issuing.
pub const DEFAULT_REQUIREMENT: &str =
    "请分析偏差原因，制定纠偏措施，限期整改并报送整改情况及佐证材料。";

/// Days from the drafting to the proposed deadline.
pub const DEFAULT_DAYS: i64 = 30;

/// Drafts a notice for every red warning of an approved report that has none yet (SPEC §7 "a red
/// warning drafts a notice"). Returns the new notices.
pub(crate) async fn draft_for_warnings(
    actor: &Actor<'_>,
    tx: &mut Tx,
    r: &ReportRecord,
    warnings: &[StoredWarning],
) -> Result<Vec<i64>, AppError> {
    let deadline = jixiao_store::deadlines::today() + chrono::Duration::days(DEFAULT_DAYS);
    let mut ids = Vec::new();
    for w in warnings
        .iter()
        .filter(|w| w.level == "red" && w.rectification_id.is_none())
    {
        let problem = format!("{}：{}", r.task_name, w.message);
        let id = store::insert(
            tx,
            &store::NewRectification {
                region: &r.region_code,
                fiscal_year: r.fiscal_year,
                unit_id: r.unit_id,
                project_id: r.project_id,
                source_kind: "monitoring",
                source_id: Some(r.id),
                problem: &problem,
                requirement: DEFAULT_REQUIREMENT,
                deadline,
                state: RectificationState::Draft.code(),
                response: "",
                warning_kind: &w.kind,
            },
        )
        .await?;
        jixiao_store::monitoring::link_rectification(tx, w.id, id).await?;
        actor
            .audit(
                tx,
                "rectification.draft",
                KIND,
                id,
                "",
                &json(
                    &serde_json::json!({"source": "monitoring", "report_id": r.id,
                    "warning": w.kind, "problem": problem, "deadline": deadline}),
                ),
            )
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// A notice the user may read, by the rule of the notice list (`browse::rectifications`): the
/// region's for finance, its units' for a unit, its engagements' projects for an agency, library
/// projects for leaders; drafts only for the whole region's readers.
pub async fn visible(actor: &Actor<'_>, id: i64) -> Result<Record, AppError> {
    let scope = actor.scope().await?;
    let k = store::get(actor.store, &actor.user.region, id)
        .await?
        .ok_or_else(|| hidden(&scope, "整改通知"))?;
    // The list's own rule, so the list never shows a notice its reader cannot open.
    if !jixiao_store::browse::rectification_readable(actor.store, &actor.user.region, &scope, id)
        .await?
    {
        return Err(hidden(&scope, "整改通知"));
    }
    Ok(k)
}

/// Whether the notice is overdue today (SPEC §10).
pub fn overdue(k: &Record) -> bool {
    RectificationState::parse(&k.state).is_some_and(|s| {
        workflow::is_overdue(
            s,
            jixiao_store::deadlines::domain_date(k.deadline),
            jixiao_store::deadlines::domain_date(jixiao_store::deadlines::today()),
        )
    })
}

/// Finance edits a notice before issuing it (or creates one by hand, [`create`]).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NoticeInput {
    pub problem: String,
    pub requirement: String,
    /// YYYY-MM-DD.
    pub deadline: String,
    /// `continue` / `adjust` / `suspend` / `withdraw` or their labels.
    pub disposal: String,
    pub row_version: i32,
}

struct ParsedNotice {
    problem: String,
    requirement: String,
    deadline: NaiveDate,
    disposal: Disposal,
}

fn parse_notice(input: &NoticeInput) -> Result<ParsedNotice, AppError> {
    let mut errors = Vec::new();
    let problem = input.problem.trim().to_string();
    if problem.is_empty() {
        errors.push(FieldProblem::new("存在问题", "请填写存在的问题"));
    } else if problem.chars().count() > 1000 {
        errors.push(FieldProblem::new("存在问题", "不能超过 1000 个字"));
    }
    let requirement = input.requirement.trim().to_string();
    if requirement.is_empty() {
        errors.push(FieldProblem::new("整改要求", "请填写整改要求"));
    } else if requirement.chars().count() > 1000 {
        errors.push(FieldProblem::new("整改要求", "不能超过 1000 个字"));
    }
    let deadline = NaiveDate::parse_from_str(input.deadline.trim(), "%Y-%m-%d").ok();
    match deadline {
        None => errors.push(FieldProblem::new(
            "整改期限",
            format!("“{}”不是有效的日期（格式：2023-09-30）", input.deadline),
        )),
        Some(d) if d < jixiao_store::deadlines::today() => errors.push(FieldProblem::new(
            "整改期限",
            format!("整改期限 {d} 已经过去"),
        )),
        Some(_) => {}
    }
    let disposal = match input.disposal.trim() {
        "" => Some(Disposal::Continue),
        t => Disposal::parse(t),
    };
    if disposal.is_none() {
        errors.push(FieldProblem::new(
            "资金处理",
            format!(
                "“{}”无效，应为整改后继续执行、同步调整预算和绩效目标、暂缓拨付资金或收回资金",
                input.disposal
            ),
        ));
    }
    match (deadline, disposal) {
        (Some(deadline), Some(disposal)) if errors.is_empty() => Ok(ParsedNotice {
            problem,
            requirement,
            deadline,
            disposal,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

fn require_finance(actor: &Actor<'_>, what: &str) -> Result<(), AppError> {
    if actor.is_finance() {
        Ok(())
    } else {
        Err(AppError::Denied(format!("只有财政部门可以{what}")))
    }
}

/// Finance edits a draft notice.
pub async fn edit(actor: &Actor<'_>, id: i64, input: &NoticeInput) -> Result<(), AppError> {
    let k = visible(actor, id).await?;
    require_finance(actor, "修改整改通知")?;
    if k.state != RectificationState::Draft.code() {
        return Err(AppError::Refused(
            "整改通知已下发，不能再修改；如需补充要求，请在核查时不予销号并说明".into(),
        ));
    }
    let n = parse_notice(input)?;
    let mut tx = actor.store.begin().await?;
    store::edit_draft(
        &mut tx,
        id,
        input.row_version,
        &store::DraftEdit {
            problem: &n.problem,
            requirement: &n.requirement,
            deadline: n.deadline,
            disposal: n.disposal.code(),
        },
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "rectification.edit",
            KIND,
            id,
            &json(
                &serde_json::json!({"problem": k.problem, "requirement": k.requirement,
                "deadline": k.deadline, "disposal": k.disposal}),
            ),
            &json(
                &serde_json::json!({"problem": n.problem, "requirement": n.requirement,
                "deadline": n.deadline, "disposal": n.disposal.code()}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A move of a notice: `issue` (finance), `respond` (the unit, with its account), `close` or
/// `reopen` (finance, with the reason for reopening).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NoticeAction {
    pub action: String,
    pub row_version: i32,
    pub text: String,
}

pub async fn act(actor: &Actor<'_>, id: i64, input: &NoticeAction) -> Result<String, AppError> {
    let k = visible(actor, id).await?;
    let from = RectificationState::parse(&k.state).unwrap_or(RectificationState::Draft);
    let Some(action) = RectificationAction::parse(input.action.trim()) else {
        return Err(AppError::invalid(
            "操作",
            format!("未知的操作“{}”", input.action),
        ));
    };
    let text = Some(input.text.trim()).filter(|s| !s.is_empty());
    if text.is_some_and(|t| t.chars().count() > 2000) {
        return Err(AppError::invalid("说明", "不能超过 2000 个字"));
    }
    if action == RectificationAction::Respond && !actor.may_write_for_unit(k.unit_id).await? {
        return Err(AppError::Denied("整改情况由被通知单位反馈".into()));
    }
    if action == RectificationAction::Respond && actor.is_finance() {
        return Err(AppError::Denied(
            "整改情况由被通知单位反馈，财政部门负责核查".into(),
        ));
    }
    // One may not verify the account one gave (the own-submission rule, SPEC §4).
    let own = jixiao_store::history::last_actor(actor.store, KIND, id, &["respond"])
        .await?
        .is_some_and(|a| a == actor.user.id);
    let s = workflow::transition(from, action, &actor.user.roles, own, text)?;
    let mut tx = actor.store.begin().await?;
    store::set_state(
        &mut tx,
        id,
        input.row_version,
        s.to.code(),
        (action == RectificationAction::Respond).then_some(input.text.trim()),
    )
    .await?;
    actor
        .history(
            &mut tx,
            k.fiscal_year,
            KIND,
            id,
            from.code(),
            s.to.code(),
            action.code(),
            input.text.trim(),
        )
        .await?;
    actor
        .audit(
            &mut tx,
            &format!("rectification.{}", action.code()),
            KIND,
            id,
            &json(&serde_json::json!({"state": from.code()})),
            &json(&serde_json::json!({"state": s.to.code(), "text": input.text.trim()})),
        )
        .await?;
    tx.commit().await?;
    Ok(s.to.code().to_string())
}

/// The unit attaches evidence to its response (while the notice is with the unit).
pub async fn attach_evidence(
    actor: &Actor<'_>,
    id: i64,
    file_name: &str,
    body: &[u8],
) -> Result<i64, AppError> {
    let k = visible(actor, id).await?;
    if actor.is_finance() || !actor.may_write_for_unit(k.unit_id).await? {
        return Err(AppError::Denied("整改佐证材料由被通知单位上传".into()));
    }
    let state = RectificationState::parse(&k.state);
    if !matches!(
        state,
        Some(RectificationState::Issued | RectificationState::Reopened)
    ) {
        return Err(AppError::Refused(format!(
            "整改通知当前为“{}”，不能上传佐证材料",
            state.map_or(k.state.as_str(), |s| s.label())
        )));
    }
    let content_type = crate::input::file_type(file_name, body).ok_or_else(|| {
        AppError::invalid(
            "佐证材料",
            "请上传 PDF、Word（.docx）、Excel（.xlsx）或图片（.jpg、.png）文件",
        )
    })?;
    if body.len() > 20 * 1024 * 1024 {
        return Err(AppError::invalid("佐证材料", "文件不能超过 20 MB"));
    }
    if body.is_empty() {
        return Err(AppError::invalid("佐证材料", "文件是空的"));
    }
    let name = crate::input::clean_file_name(file_name);
    let mut tx = actor.store.begin().await?;
    let att = jixiao_store::attachments::insert(
        &mut tx,
        &jixiao_store::attachments::NewAttachment {
            region: &actor.user.region,
            fiscal_year: k.fiscal_year,
            owner_kind: KIND,
            owner_id: id,
            file_name: &name,
            content_type,
            body,
            uploaded_by: Some(actor.user.id),
        },
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "rectification.attach",
            KIND,
            id,
            "",
            &json(
                &serde_json::json!({"attachment_id": att, "file_name": name, "size": body.len()}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(att)
}
