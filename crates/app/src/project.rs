//! The project library (SPEC §3, §5): propose and edit a project, move it through the library,
//! and the facts the library gates read.

use crate::input::{json, text_or_number, wan};
use crate::{Actor, AppError, FieldProblem, default_year, hidden};
use jixiao_domain::ex_ante::{self, ExAnteConclusion, ExAnteObject};
use jixiao_domain::project::{Field, ProjectProposal, ProposalInput};
use jixiao_domain::settings::ProjectSettings;
use jixiao_domain::target::{self, ReviewRating};
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory};
use jixiao_domain::workflow::{self, ProjectAction, ProjectFacts, ProjectState};
use jixiao_store::browse::Scope;
use jixiao_store::{Store, StoreError, ex_ante as xa, history, projects, targets};
use serde::{Deserialize, Serialize};

/// A project as a form or an API client sends it. Amounts in 万元 as text.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProjectInput {
    pub fiscal_year: Option<i32>,
    pub unit_id: Option<i64>,
    /// Empty: the next free code of the unit.
    pub code: String,
    pub name: String,
    pub is_policy: bool,
    pub budget_type: String,
    pub category: String,
    pub continuity: String,
    pub timing: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    #[serde(deserialize_with = "text_or_number")]
    pub current_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub carryover_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub other_wan: String,
    pub previous_project_id: Option<i64>,
}

/// Reads the form's text into the domain's proposal and parses it there: the one set of
/// project rules the form, the API and the import share (`domain::project`).
fn check_project(
    p: &ProjectInput,
    year: i32,
    settings: &ProjectSettings,
) -> Result<ProjectProposal, AppError> {
    let mut errors: Vec<FieldProblem> = Vec::new();
    let current = wan("当年财政拨款", &p.current_wan, &mut errors);
    let carryover = wan("上年结转", &p.carryover_wan, &mut errors);
    let other = wan("其他资金", &p.other_wan, &mut errors);
    let unreadable_amount = !errors.is_empty();
    let input = ProposalInput {
        code: p.code.clone(),
        name: p.name.clone(),
        budget_type: BudgetType::parse(&p.budget_type),
        category: ProjectCategory::parse(&p.category),
        continuity: Continuity::parse(&p.continuity),
        timing: BudgetTiming::parse(&p.timing),
        start_year: p.start_year,
        end_year: p.end_year,
        current,
        carryover,
        other,
    };
    match ProjectProposal::parse(&input, year, settings) {
        Ok(proposal) if errors.is_empty() => Ok(proposal),
        Ok(_) => Err(AppError::Invalid(errors)),
        Err(problems) => {
            errors.extend(
                problems
                    .into_iter()
                    // An unreadable amount counts as 0; "the total is 0" would only repeat it.
                    .filter(|p| !(unreadable_amount && p.field == Field::Total))
                    .map(|p| FieldProblem::new(p.field.label(), p.message)),
            );
            Err(AppError::Invalid(errors))
        }
    }
}

/// The project if the user may see it; otherwise the answer a scoped user gets for a record
/// that does not exist.
pub async fn visible(actor: &Actor<'_>, id: i64) -> Result<projects::ProjectRecord, AppError> {
    let scope = actor.scope().await?;
    let hidden = || hidden(&scope, "项目");
    let Some(p) = projects::get(actor.store, &actor.user.region, id).await? else {
        return Err(hidden());
    };
    let visible = match &scope {
        Scope::Region => true,
        Scope::Units(ids) => ids.contains(&p.unit_id),
        Scope::Agency(_) | Scope::Published => {
            jixiao_store::browse::project(actor.store, &actor.user.region, &scope, id)
                .await?
                .is_some()
        }
        Scope::Nothing => false,
    };
    if visible { Ok(p) } else { Err(hidden()) }
}

pub async fn create(actor: &Actor<'_>, input: &ProjectInput) -> Result<i64, AppError> {
    // Who may propose at all comes before what was entered: a reader's proposal is a denial,
    // not a form to correct.
    if !actor.is_finance() && !actor.is_unit_user() {
        return Err(AppError::Denied(
            "没有权限申报项目：只有财政人员和预算单位可以申报".into(),
        ));
    }
    let store = actor.store;
    let region = &actor.user.region;
    let year = input.fiscal_year.unwrap_or_else(default_year);
    if !(2000..=2100).contains(&year) {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "预算年度",
            "年度应在 2000–2100 之间",
        )]));
    }
    let unit_id = match (input.unit_id, actor.user.unit_id) {
        (Some(u), _) => u,
        (None, Some(u)) if actor.is_unit_user() => u,
        _ => {
            return Err(AppError::Invalid(vec![FieldProblem::new(
                "预算单位",
                "请选择预算单位",
            )]));
        }
    };
    let Some(unit) = jixiao_store::units::get(store, region, unit_id).await? else {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "预算单位",
            "该预算单位不存在",
        )]));
    };
    if !actor.may_write_for_unit(unit_id).await? {
        return Err(AppError::Forbidden);
    }
    let settings = jixiao_store::regions::settings(store, region).await?;
    let c = check_project(input, year, &settings.project)?;
    check_previous(actor, input.previous_project_id, unit_id, year).await?;
    let auto_code = c.code.is_empty();
    if !auto_code && projects::code_taken(store, region, year, &c.code).await? {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "项目编码",
            format!("{year} 年已有编码为 {} 的项目", c.code),
        )]));
    }
    let total = c.total;
    let is_major = c.is_major;
    let name = c.name.as_str();
    // An automatic code is the unit's next free one; when a concurrent proposal took it first,
    // take the next (issue 13: a third of concurrent creates in one unit were refused).
    let mut attempt = 0;
    let (mut tx, id, code) = loop {
        attempt += 1;
        let mut tx = store.begin().await?;
        let code = if auto_code {
            projects::next_code_in(&mut tx, region, year, &unit.code).await?
        } else {
            c.code.clone()
        };
        let inserted = projects::insert(
            &mut tx,
            &projects::NewProject {
                region,
                fiscal_year: year,
                code: &code,
                name,
                unit_id,
                is_policy: input.is_policy,
                budget_type: c.budget_type,
                category: c.category,
                continuity: c.continuity,
                timing: c.timing,
                start_year: c.start_year,
                end_year: c.end_year,
                current: c.current,
                carryover: c.carryover,
                other: c.other,
                is_major,
                library_status: ProjectState::Reserve.code(),
                previous_project_id: input.previous_project_id,
            },
        )
        .await;
        match inserted {
            Ok(id) => break (tx, id, code),
            Err(StoreError::Duplicate(_)) if auto_code && attempt < 20 => {
                drop(tx);
                continue;
            }
            Err(e) => return Err(insert_refusal(e, year, &code)),
        }
    };
    actor
        .history(
            &mut tx, year, "project", id, "reserve", "reserve", "create", "",
        )
        .await?;
    let after = serde_json::json!({"code": code, "name": name, "unit_id": unit_id,
        "total_fen": total.0, "is_major": is_major, "budget_type": c.budget_type.code()});
    actor
        .audit(
            &mut tx,
            "project.create",
            "project",
            id,
            "",
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A continuing project's link to its previous project must stay inside the unit, and point to
/// an earlier year (issue 13: it could name another unit's project, and leak whether that
/// project's indicators matched).
async fn check_previous(
    actor: &Actor<'_>,
    previous: Option<i64>,
    unit_id: i64,
    year: i32,
) -> Result<(), AppError> {
    let Some(prev) = previous else {
        return Ok(());
    };
    let found = projects::get(actor.store, &actor.user.region, prev).await?;
    match found {
        Some(p) if p.unit_id == unit_id && p.fiscal_year < year => Ok(()),
        _ => Err(AppError::Invalid(vec![FieldProblem::new(
            "上年项目",
            "上年项目应为本单位以前年度的项目",
        )])),
    }
}

/// Only a taken code is the user's to fix (409); any other failure of the insert is the store's.
fn insert_refusal(e: StoreError, year: i32, code: &str) -> AppError {
    match e {
        StoreError::Duplicate(_) => AppError::Refused(format!(
            "保存失败：{year} 年编码 {code} 已被占用，请刷新后重试"
        )),
        other => other.into(),
    }
}

/// Why the user may not edit the project's own data: not their unit's (403), or no longer in
/// reserve ([`ProjectState::is_editable`]).
async fn edit_refusal(
    actor: &Actor<'_>,
    p: &projects::ProjectRecord,
) -> Result<Option<AppError>, AppError> {
    if !actor.may_write_for_unit(p.unit_id).await? {
        return Ok(Some(AppError::Forbidden));
    }
    if !ProjectState::parse(&p.library_status).is_some_and(ProjectState::is_editable) {
        return Ok(Some(AppError::Refused(format!(
            "项目已{}，不能再修改；如需变更请由财政部门处理",
            label_of_project_state(&p.library_status)
        ))));
    }
    Ok(None)
}

/// Whether the user may edit the project now: what [`update`] enforces, for the page's button.
pub async fn may_edit(actor: &Actor<'_>, p: &projects::ProjectRecord) -> Result<bool, AppError> {
    Ok(edit_refusal(actor, p).await?.is_none())
}

pub async fn update(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &ProjectInput,
) -> Result<(), AppError> {
    let p = visible(actor, id).await?;
    if let Some(refusal) = edit_refusal(actor, &p).await? {
        return Err(refusal);
    }
    let store = actor.store;
    let settings = jixiao_store::regions::settings(store, &actor.user.region).await?;
    let c = check_project(input, p.fiscal_year, &settings.project)?;
    check_previous(actor, input.previous_project_id, p.unit_id, p.fiscal_year).await?;
    let total = c.total;
    let is_major = c.is_major;
    let mut tx = store.begin().await?;
    projects::update(
        &mut tx,
        id,
        row_version,
        &projects::ProjectEdit {
            name: c.name.as_str(),
            is_policy: input.is_policy,
            budget_type: c.budget_type,
            category: c.category,
            continuity: c.continuity,
            timing: c.timing,
            start_year: c.start_year,
            end_year: c.end_year,
            current: c.current,
            carryover: c.carryover,
            other: c.other,
            is_major,
            previous_project_id: input.previous_project_id,
        },
    )
    .await?;
    let after = serde_json::json!({"name": input.name.trim(), "total_fen": total.0,
        "is_major": is_major, "budget_type": c.budget_type.code()});
    actor
        .audit(
            &mut tx,
            "project.update",
            "project",
            id,
            &json(&p),
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

fn label_of_project_state(code: &str) -> &'static str {
    ProjectState::parse(code).map(|s| s.label()).unwrap_or("")
}

/// What the library gates know about a project (SPEC §5).
pub async fn facts(store: &Store, p: &projects::ProjectRecord) -> Result<ProjectFacts, AppError> {
    let settings = jixiao_store::regions::settings(store, &p.region_code).await?;
    let object = if p.is_policy {
        ExAnteObject::Policy
    } else {
        ExAnteObject::Project
    };
    let continuity = Continuity::parse(&p.continuity).unwrap_or(Continuity::New);
    let requires_ex_ante = ex_ante::is_required(&settings.project, object, continuity, p.total());
    let approved_ex_ante = xa::approved_conclusion(store, p.id)
        .await?
        .as_deref()
        .and_then(ExAnteConclusion::parse);
    let any_approved = targets::any_approved(store, p.id).await?;
    let latest_rating = targets::current_for_project(store, p.id)
        .await?
        .and_then(|t| t.review_rating)
        .as_deref()
        .and_then(ReviewRating::parse);
    Ok(ProjectFacts {
        requires_ex_ante,
        approved_ex_ante,
        has_approved_target: target::permits_budget(any_approved, latest_rating),
    })
}

/// Whether the user created the project (the "application" finance decides on).
pub async fn proposed_by(actor: &Actor<'_>, id: i64) -> Result<bool, AppError> {
    Ok(history::last_actor(actor.store, "project", id, &["create"])
        .await?
        .is_some_and(|a| a == actor.user.id))
}

/// A library move (SPEC §5): enter the library, budget, start, complete, evaluate, terminate.
pub async fn act(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    action: &str,
    text: Option<&str>,
) -> Result<ProjectState, AppError> {
    let p = visible(actor, id).await?;
    let Some(action) = ProjectAction::parse(action) else {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "操作",
            format!("未知的操作“{action}”"),
        )]));
    };
    if actor.is_unit_user() && !actor.is_finance() && !actor.may_write_for_unit(p.unit_id).await? {
        return Err(AppError::Forbidden);
    }
    let from = ProjectState::parse(&p.library_status)
        .ok_or_else(|| StoreError::Invalid(format!("项目状态“{}”无法识别", p.library_status)))?;
    let facts = facts(actor.store, &p).await?;
    let own = proposed_by(actor, id).await?;
    let step = workflow::library_transition(from, action, &actor.user.roles, own, text, &facts)?;
    // SPEC §10: budgeting a project whose predecessor's evaluation says 原则上不予安排 needs a
    // reason, recorded on the recommendation and audited.
    let overridden = if action == ProjectAction::Budget {
        budget_override(actor, &p, text).await?
    } else {
        None
    };
    let mut tx = actor.store.begin().await?;
    projects::set_status(&mut tx, id, row_version, step.to.code()).await?;
    if let Some((rec, reason)) = &overridden {
        jixiao_store::self_evaluation::set_override(&mut tx, rec.id, reason).await?;
        actor
            .audit(
                &mut tx,
                "result_application.override",
                "result_application",
                rec.id,
                &serde_json::json!({"recommendation": rec.recommendation, "override_reason": rec.override_reason}).to_string(),
                &serde_json::json!({"project_id": id, "override_reason": reason}).to_string(),
            )
            .await?;
    }
    actor
        .history(
            &mut tx,
            p.fiscal_year,
            "project",
            id,
            from.code(),
            step.to.code(),
            action.code(),
            text.unwrap_or_default().trim(),
        )
        .await?;
    actor
        .audit(
            &mut tx,
            &format!("project.{}", action.code()),
            "project",
            id,
            &serde_json::json!({"library_status": from.code()}).to_string(),
            &serde_json::json!({"library_status": step.to.code(), "opinion": text.unwrap_or_default()}).to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(step.to)
}

/// The recommendation that reaches this project from its predecessor's evaluation, checked for
/// a budgeting: `Some` when it needs the override that `text` gives.
async fn budget_override(
    actor: &Actor<'_>,
    p: &projects::ProjectRecord,
    text: Option<&str>,
) -> Result<Option<(jixiao_store::self_evaluation::Recommendation, String)>, AppError> {
    use jixiao_domain::result_application::{Recommendation, check_budget_override};
    let Some(rec) = jixiao_store::self_evaluation::recommendation_into(
        actor.store,
        &p.region_code,
        p.fiscal_year,
        &p.code,
        p.previous_project_id,
    )
    .await?
    else {
        return Ok(None);
    };
    let Some(kind) = Recommendation::parse(&rec.recommendation) else {
        return Ok(None);
    };
    check_budget_override(kind, text).map_err(|e| AppError::Refused(e.to_string()))?;
    Ok(kind
        .needs_override()
        .then(|| (rec, text.unwrap_or_default().trim().to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_taken_code_is_the_users_to_fix() {
        let refused = insert_refusal(StoreError::Duplicate("code".into()), 2024, "P001");
        assert!(
            matches!(&refused, AppError::Refused(m) if m.contains("2024 年编码 P001 已被占用")),
            "{refused:?}"
        );
        let broken = insert_refusal(StoreError::Invalid("外键".into()), 2024, "P001");
        assert!(matches!(broken, AppError::Store(_)), "{broken:?}");
    }

    #[test]
    fn api_clients_may_send_numbers_for_amounts_and_scores() {
        let s: crate::ex_ante::ScoreInput =
            serde_json::from_str(r#"{"seq": 1, "score": 9.5}"#).unwrap();
        assert_eq!(s.score, "9.5");
        let p: ProjectInput = serde_json::from_str(
            r#"{"current_wan": 563.4, "other_wan": "20.50", "carryover_wan": null}"#,
        )
        .unwrap();
        assert_eq!(
            (
                p.current_wan.as_str(),
                p.other_wan.as_str(),
                p.carryover_wan.as_str()
            ),
            ("563.4", "20.50", "")
        );
        let mut errors: Vec<FieldProblem> = Vec::new();
        assert_eq!(
            wan("金额", &p.current_wan, &mut errors),
            jixiao_domain::Fen(563_400_000)
        );
        assert!(errors.is_empty());
    }
}
