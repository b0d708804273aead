//! 公开 (SPEC §12, issue 12 item 2): the finance performance office publishes approved targets
//! and approved evaluation results, one by one or all those a filter selects, each with its
//! publication date, and withdraws a publication only with a reason. Both are audited. The
//! public portal reads only what is published.

use crate::input::{json, text_or_number};
use crate::{Actor, AppError, FieldProblem};
use chrono::NaiveDate;
use jixiao_domain::types::Role;
use jixiao_store::disclosure::{self as store, Filter, Item};
use serde::{Deserialize, Serialize};

pub const KIND: &str = "disclosure";

fn finance_admin(actor: &Actor<'_>) -> Result<(), AppError> {
    if actor.user.has(Role::FinanceAdmin) {
        Ok(())
    } else {
        Err(AppError::Denied("信息公开由财政绩效管理员办理".into()))
    }
}

/// `target` or `evaluation`.
fn kind_of(text: &str) -> Result<&'static str, AppError> {
    match text.trim() {
        "target" | "绩效目标" => Ok("target"),
        "evaluation" | "评价结果" => Ok("evaluation"),
        other => Err(AppError::invalid(
            "公开内容",
            format!("“{other}”不是可公开的内容（绩效目标或评价结果）"),
        )),
    }
}

/// The filter as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FilterInput {
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
    pub kind: String,
    pub unit_id: Option<i64>,
    /// `published`, `unpublished` or empty (both).
    pub state: String,
}

fn filter_of(input: &FilterInput) -> Result<(&'static str, Filter), AppError> {
    let kind = kind_of(&input.kind)?;
    let Some(year) = input
        .fiscal_year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        return Err(AppError::invalid(
            "年度",
            format!("“{}”不是有效的年度", input.fiscal_year),
        ));
    };
    Ok((
        kind,
        Filter {
            fiscal_year: year,
            unit_id: input.unit_id,
            published: match input.state.trim() {
                "published" => Some(true),
                "unpublished" => Some(false),
                _ => None,
            },
        },
    ))
}

/// What may be published and what is, for finance (the page and the API).
pub async fn items(
    actor: &Actor<'_>,
    input: &FilterInput,
    limit: i64,
    offset: i64,
) -> Result<Vec<Item>, AppError> {
    if !actor.is_finance() {
        return Err(AppError::Forbidden);
    }
    let (kind, filter) = filter_of(input)?;
    Ok(store::items(
        actor.store,
        &actor.user.region,
        kind,
        &filter,
        limit,
        offset,
    )
    .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PublishInput {
    #[serde(flatten)]
    pub filter: FilterInput,
    /// The items to publish; empty with `all` to publish every unpublished one of the filter.
    pub ids: Vec<i64>,
    pub all: bool,
    /// 公开日期 (YYYY-MM-DD); empty: today.
    pub date: String,
}

/// Publishes; returns how many items were published (already published or ineligible ones are
/// skipped and not counted).
pub async fn publish(actor: &Actor<'_>, input: &PublishInput) -> Result<usize, AppError> {
    finance_admin(actor)?;
    let (kind, filter) = filter_of(&input.filter)?;
    let date = match input.date.trim() {
        "" => jixiao_store::deadlines::today(),
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| AppError::invalid("公开日期", format!("“{t}”不是有效的日期")))?,
    };
    if date > jixiao_store::deadlines::today() {
        return Err(AppError::invalid("公开日期", "公开日期不能晚于今天"));
    }
    if !input.all && input.ids.is_empty() {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "公开内容",
            "请选择要公开的项目，或选择按筛选条件全部公开",
        )]));
    }
    let at = date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let ids = (!input.all).then_some(input.ids.as_slice());
    let mut tx = actor.store.begin().await?;
    let done = store::publish(
        &mut tx,
        &actor.user.region,
        kind,
        &filter,
        ids,
        at,
        Some(actor.user.id),
    )
    .await?;
    if done.is_empty() {
        return Err(AppError::Refused(
            "没有可公开的内容：所选的已经公开，或尚未审核通过".into(),
        ));
    }
    actor
        .audit(
            &mut tx,
            "disclosure.publish",
            KIND,
            done[0],
            "",
            &json(&serde_json::json!({
            "kind": kind, "fiscal_year": filter.fiscal_year, "date": date, "ids": done})),
        )
        .await?;
    tx.commit().await?;
    Ok(done.len())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct UnpublishInput {
    pub kind: String,
    pub object_id: i64,
    pub reason: String,
}

/// Withdraws a publication; a reason is required. Audited with it.
pub async fn unpublish(actor: &Actor<'_>, input: &UnpublishInput) -> Result<(), AppError> {
    finance_admin(actor)?;
    let kind = kind_of(&input.kind)?;
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "撤回原因",
            "撤回公开须写明原因（不超过 500 个字）",
        ));
    }
    let mut tx = actor.store.begin().await?;
    if !store::unpublish(&mut tx, &actor.user.region, kind, input.object_id).await? {
        return Err(AppError::NotFound("公开记录".into()));
    }
    actor
        .audit(
            &mut tx,
            "disclosure.unpublish",
            KIND,
            input.object_id,
            "",
            &json(&serde_json::json!({
            "kind": kind, "object_id": input.object_id, "reason": reason})),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What the 人大报送材料 of a year holds: the published targets of the year and the published
/// results of the evaluations done in it (of the year before), read in full in pages.
pub struct Package {
    pub targets: Vec<Item>,
    pub results: Vec<Item>,
}

pub async fn package(actor: &Actor<'_>, year: i32) -> Result<Package, AppError> {
    if !actor.is_finance() {
        return Err(AppError::Forbidden);
    }
    let all = |kind: &'static str, fiscal_year: i32| async move {
        let filter = Filter {
            fiscal_year,
            unit_id: None,
            published: Some(true),
        };
        let mut out = Vec::new();
        const PAGE: i64 = 10_000;
        loop {
            let page = store::items(
                actor.store,
                &actor.user.region,
                kind,
                &filter,
                PAGE,
                out.len() as i64,
            )
            .await?;
            let done = (page.len() as i64) < PAGE;
            out.extend(page);
            if done {
                break;
            }
        }
        Ok::<_, AppError>(out)
    };
    Ok(Package {
        targets: all("target", year).await?,
        results: all("evaluation", year - 1).await?,
    })
}
