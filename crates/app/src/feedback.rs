//! 满意度调查 on the public portal (SPEC §12, issue 12 item 3): anyone may rate a published project
//! 1–5 and leave a short comment after a challenge that needs no external service; an address
//! may send a few a day; ratings count at once, a comment shows after the unit or finance
//! approves it. The aggregate is offered as evidence on the unit's self-evaluation form.

use crate::input::json;
use crate::{Actor, AppError, FieldProblem};
use jixiao_store::Store;
use jixiao_store::feedback::{self as store, Comment, Ratings};

pub const KIND: &str = "feedback";
/// Entries one address may send in a day.
pub const PER_ADDRESS_PER_DAY: i64 = 5;
/// A comment's maximum length.
pub const COMMENT_MAX: usize = 300;

/// What a visitor sends.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub rating: String,
    pub comment: String,
    /// The challenge's answer, and whether the challenge it answers is genuine (checked by the
    /// caller, which holds the session that signed it).
    pub answer_ok: bool,
}

/// Records a visitor's entry on a published project; returns whether a comment awaits
/// moderation.
pub async fn submit(
    store: &Store,
    region: &str,
    project_id: i64,
    entry: &Entry,
    ip_hash: &str,
) -> Result<bool, AppError> {
    let Some(p) = store::public_project(store, region, project_id).await? else {
        return Err(AppError::NotFound("公开的项目".into()));
    };
    let mut problems = Vec::new();
    let rating = entry
        .rating
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|r| (1..=5).contains(r));
    if rating.is_none() {
        problems.push(FieldProblem::new("评分", "请选择 1 到 5 分"));
    }
    let comment = entry.comment.trim();
    if comment.chars().count() > COMMENT_MAX {
        problems.push(FieldProblem::new(
            "意见",
            format!("不能超过 {COMMENT_MAX} 个字"),
        ));
    }
    if comment.chars().any(|c| c.is_control() && c != '\n') {
        problems.push(FieldProblem::new("意见", "含有不能识别的字符"));
    }
    if !entry.answer_ok {
        problems.push(FieldProblem::new("验证", "验证题答案不正确，请重新计算"));
    }
    let (Some(rating), true) = (rating, problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let since = chrono::Utc::now() - chrono::Duration::hours(24);
    if store::recent_from(store, ip_hash, since).await? >= PER_ADDRESS_PER_DAY {
        return Err(AppError::Refused(
            "您今天提交的次数已达上限，请明天再来".into(),
        ));
    }
    let state = if comment.is_empty() {
        "approved"
    } else {
        "pending"
    };
    let mut tx = store.begin().await?;
    store::insert(
        &mut tx,
        region,
        p.fiscal_year,
        project_id,
        rating,
        comment,
        state,
        ip_hash,
    )
    .await?;
    tx.commit().await?;
    Ok(!comment.is_empty())
}

/// The comments the user moderates: finance the region's, a unit user its units'.
pub async fn pending(actor: &Actor<'_>) -> Result<Vec<Comment>, AppError> {
    let units = moderator_units(actor).await?;
    Ok(store::pending(actor.store, &actor.user.region, units.as_deref(), 500).await?)
}

async fn moderator_units(actor: &Actor<'_>) -> Result<Option<Vec<i64>>, AppError> {
    use jixiao_store::browse::Scope;
    match actor.scope().await? {
        Scope::Region if actor.is_finance() => Ok(None),
        Scope::Units(ids) if actor.is_unit_user() => Ok(Some(ids)),
        _ => Err(AppError::Forbidden),
    }
}

/// Approves (shows) or hides a pending comment; audited.
pub async fn moderate(actor: &Actor<'_>, id: i64, approve: bool) -> Result<(), AppError> {
    let units = moderator_units(actor).await?;
    let Some(c) = store::get(actor.store, &actor.user.region, id).await? else {
        return Err(AppError::NotFound("意见".into()));
    };
    if units.as_ref().is_some_and(|u| !u.contains(&c.unit_id)) {
        return Err(AppError::Forbidden);
    }
    let state = if approve { "approved" } else { "hidden" };
    let mut tx = actor.store.begin().await?;
    if !store::moderate(&mut tx, id, state).await? {
        return Err(AppError::Refused("这条意见已经处理过".into()));
    }
    actor
        .audit(
            &mut tx,
            "feedback.moderate",
            KIND,
            id,
            "",
            &json(&serde_json::json!({
            "state": state, "project_id": c.project_id})),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A project's ratings as evidence: (count, share of 4 and 5 in percent, two decimals).
pub fn evidence(r: Ratings) -> Option<(i64, String)> {
    (r.count > 0).then(|| {
        let share =
            rust_decimal::Decimal::from(r.good * 100) / rust_decimal::Decimal::from(r.count);
        (r.count, jixiao_domain::decimal::fixed2(share))
    })
}
