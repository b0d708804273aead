//! The document workflows of SPEC §3–§6 (project library, ex-ante assessment, targets) as one
//! set of operations, shared by the pages and the JSON API. Each operation: checks the input
//! (field-level Chinese messages), checks the user's scope (a record outside it answers the same
//! as a missing one), asks the domain whether the move is allowed, then writes the change, its
//! workflow history and its audit entry in one transaction, refusing a stale `row_version`.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use jixiao_domain::Fen;
use jixiao_domain::decimal::{parse_loose, to_hundredths};
use jixiao_domain::ex_ante::{self, ExAnteConclusion, ExAnteObject};
use jixiao_domain::indicator::{Level1, Sign, parse_written_value};
use jixiao_domain::scoring::{Finding, Severity};
use jixiao_domain::target::{self, ReviewRating, TargetAmounts, TargetContext};
use jixiao_domain::types::{
    AssessorKind, BudgetTiming, BudgetType, Continuity, ObjectKind, ProjectCategory, Role,
};
use jixiao_domain::workflow::{
    self, DocAction, DocState, ProjectAction, ProjectFacts, ProjectState,
};
use jixiao_store::browse::Scope;
use jixiao_store::{Tx, audit, ex_ante as xa, history, projects, targets};
use serde::{Deserialize, Serialize};

/// A field-level problem: (field label, message).
pub type FieldErrors = Vec<(String, String)>;

fn bad(field: &str, message: impl Into<String>) -> (String, String) {
    (field.to_string(), message.into())
}

/// Who acts and from where, for the audit entry. The user's data scope is looked up once per
/// request, however many checks ask for it.
pub struct Actor<'a> {
    pub state: &'a AppState,
    pub user: &'a CurrentUser,
    pub ip: &'a str,
    scope: tokio::sync::OnceCell<Scope>,
}

impl<'a> Actor<'a> {
    pub fn new(state: &'a AppState, user: &'a CurrentUser, ip: &'a str) -> Actor<'a> {
        Actor {
            state,
            user,
            ip,
            scope: tokio::sync::OnceCell::new(),
        }
    }

    async fn scope(&self) -> Result<Scope, WebError> {
        self.scope
            .get_or_try_init(|| crate::pages::scope(self.state, self.user))
            .await
            .cloned()
    }

    async fn audit(
        &self,
        tx: &mut Tx,
        action: &str,
        kind: &str,
        id: i64,
        before: &str,
        after: &str,
    ) -> Result<(), WebError> {
        audit::append(
            tx,
            &audit::Entry {
                user_id: Some(self.user.id),
                username: &self.user.username,
                role: self.user.main_role().code(),
                ip: self.ip,
                action,
                object_kind: kind,
                object_id: &id.to_string(),
                before_json: before,
                after_json: after,
            },
        )
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn history(
        &self,
        tx: &mut Tx,
        year: i32,
        kind: &str,
        id: i64,
        from: &str,
        to: &str,
        action: &str,
        opinion: &str,
    ) -> Result<(), WebError> {
        history::record(
            tx,
            &history::NewTransition {
                region: &self.user.region,
                fiscal_year: year,
                doc_kind: kind,
                doc_id: id,
                from_state: from,
                to_state: to,
                action,
                actor_id: Some(self.user.id),
                opinion,
                at: jixiao_store::now(),
            },
        )
        .await?;
        Ok(())
    }

    pub fn is_unit_user(&self) -> bool {
        self.user.has(Role::UnitPreparer) || self.user.has(Role::UnitApprover)
    }

    pub fn is_finance(&self) -> bool {
        self.user.has(Role::FinanceAdmin) || self.user.has(Role::FinanceDesk)
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn workflow_refusal(e: workflow::WorkflowError) -> WebError {
    WebError::Conflict(e.to_string())
}

/// A money field in 万元 as typed ("563.4", "1,200", empty = 0).
fn wan(field: &str, text: &str, errors: &mut FieldErrors) -> Fen {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Fen(0);
    }
    match Fen::parse_wan(&t) {
        Ok(f) if f.is_negative() => {
            errors.push(bad(field, "金额不能为负数"));
            Fen(0)
        }
        Ok(f) => f,
        Err(_) => {
            errors.push(bad(field, format!("“{text}”不是有效的金额（万元）")));
            Fen(0)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Projects (SPEC §3, §5)
// ---------------------------------------------------------------------------------------------

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

struct CheckedProject {
    budget_type: BudgetType,
    category: ProjectCategory,
    continuity: Continuity,
    timing: BudgetTiming,
    start_year: i32,
    end_year: i32,
    current: Fen,
    carryover: Fen,
    other: Fen,
}

fn check_project(p: &ProjectInput, year: i32) -> Result<CheckedProject, WebError> {
    let mut errors = FieldErrors::new();
    if p.name.trim().is_empty() {
        errors.push(bad("项目名称", "请填写项目名称"));
    } else if p.name.trim().chars().count() > 100 {
        errors.push(bad("项目名称", "项目名称不能超过 100 个字"));
    }
    let budget_type = BudgetType::parse(&p.budget_type);
    if budget_type.is_none() {
        errors.push(bad(
            "预算类型",
            "请选择一般公共预算、政府性基金预算、国有资本经营预算或社会保险基金预算",
        ));
    }
    let category = ProjectCategory::parse(&p.category);
    if category.is_none() {
        errors.push(bad("项目类别", "请选择人员类、运转类或特定目标类"));
    }
    let continuity = Continuity::parse(&p.continuity);
    if continuity.is_none() {
        errors.push(bad("新增/延续", "请选择新增或延续"));
    }
    let timing = BudgetTiming::parse(&p.timing);
    if timing.is_none() {
        errors.push(bad("年初/追加", "请选择年初预算或年中追加"));
    }
    let start_year = p.start_year.unwrap_or(year);
    let end_year = p.end_year.unwrap_or(start_year);
    if end_year < start_year {
        errors.push(bad("实施期", "结束年度不能早于开始年度"));
    }
    if !(start_year..=end_year).contains(&year) {
        errors.push(bad(
            "实施期",
            format!("实施期 {start_year}–{end_year} 年不含预算年度 {year} 年"),
        ));
    }
    if end_year - start_year > 10 {
        errors.push(bad("实施期", "实施期不能超过 10 年"));
    }
    let current = wan("当年财政拨款", &p.current_wan, &mut errors);
    let carryover = wan("上年结转", &p.carryover_wan, &mut errors);
    let other = wan("其他资金", &p.other_wan, &mut errors);
    if errors.is_empty() && (current + carryover + other).0 == 0 {
        errors.push(bad("金额", "项目金额合计不能为 0"));
    }
    if continuity == Some(Continuity::Continuing) && p.previous_project_id.is_none() {
        // Allowed (the link is optional), but only when the previous project is unknown.
    }
    match (budget_type, category, continuity, timing) {
        (Some(budget_type), Some(category), Some(continuity), Some(timing))
            if errors.is_empty() =>
        {
            Ok(CheckedProject {
                budget_type,
                category,
                continuity,
                timing,
                start_year,
                end_year,
                current,
                carryover,
                other,
            })
        }
        _ => Err(WebError::BadRequest(errors)),
    }
}

/// The project if the user may see it; otherwise the answer a scoped user gets for a record
/// that does not exist.
pub async fn visible_project(
    actor: &Actor<'_>,
    id: i64,
) -> Result<projects::ProjectRecord, WebError> {
    let scope = actor.scope().await?;
    let hidden = || hidden(&scope, "项目");
    let Some(p) = projects::get(&actor.state.store, &actor.user.region, id).await? else {
        return Err(hidden());
    };
    let visible = match &scope {
        Scope::Region => true,
        Scope::Units(ids) => ids.contains(&p.unit_id),
        Scope::Agency(_) => {
            jixiao_store::browse::project(&actor.state.store, &actor.user.region, &scope, id)
                .await?
                .is_some()
        }
        Scope::Nothing => false,
    };
    if visible { Ok(p) } else { Err(hidden()) }
}

/// The answer for a record the user may not see: "not found" for region-wide readers, and for a
/// scoped user the same 403 whether the record is another unit's or does not exist (SPEC §1).
pub fn hidden(scope: &Scope, what: &str) -> WebError {
    if *scope == Scope::Region {
        WebError::NotFound(what.into())
    } else {
        WebError::Forbidden
    }
}

/// A unit user may write for units in their scope; finance staff for every unit.
pub async fn may_write_for_unit(actor: &Actor<'_>, unit_id: i64) -> Result<bool, WebError> {
    if actor.is_finance() {
        return Ok(true);
    }
    if !actor.is_unit_user() {
        return Ok(false);
    }
    Ok(match actor.scope().await? {
        Scope::Units(ids) => ids.contains(&unit_id),
        _ => false,
    })
}

pub async fn create_project(actor: &Actor<'_>, input: &ProjectInput) -> Result<i64, WebError> {
    let store = &actor.state.store;
    let region = &actor.user.region;
    let year = input.fiscal_year.unwrap_or_else(default_year);
    if !(2000..=2100).contains(&year) {
        return Err(WebError::BadRequest(vec![bad(
            "预算年度",
            "年度应在 2000–2100 之间",
        )]));
    }
    let unit_id = match (input.unit_id, actor.user.unit_id) {
        (Some(u), _) => u,
        (None, Some(u)) if actor.is_unit_user() => u,
        _ => {
            return Err(WebError::BadRequest(vec![bad(
                "预算单位",
                "请选择预算单位",
            )]));
        }
    };
    let Some(unit) = jixiao_store::units::get(store, region, unit_id).await? else {
        return Err(WebError::BadRequest(vec![bad(
            "预算单位",
            "该预算单位不存在",
        )]));
    };
    if !may_write_for_unit(actor, unit_id).await? {
        return Err(WebError::Forbidden);
    }
    let c = check_project(input, year)?;
    let code = if input.code.trim().is_empty() {
        projects::next_code(store, region, year, &unit.code).await?
    } else {
        let code = input.code.trim().to_string();
        if projects::code_taken(store, region, year, &code).await? {
            return Err(WebError::BadRequest(vec![bad(
                "项目编码",
                format!("{year} 年已有编码为 {code} 的项目"),
            )]));
        }
        code
    };
    let settings = jixiao_store::regions::settings(store, region).await?;
    let total = c.current + c.carryover + c.other;
    let is_major = ex_ante::is_major(&settings.project, total);
    let name = input.name.trim();
    let mut tx = store.begin().await?;
    let id = projects::insert(
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
    .await
    .map_err(|e| match e {
        jixiao_store::StoreError::Database(_) => WebError::Conflict(format!(
            "保存失败：{year} 年编码 {code} 可能已被占用，请刷新后重试"
        )),
        other => other.into(),
    })?;
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

/// The year new documents default to: the next budget year (the work of a year prepares the
/// next), unless the database has nothing later than this year.
pub fn default_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

pub async fn update_project(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &ProjectInput,
) -> Result<(), WebError> {
    let p = visible_project(actor, id).await?;
    if !may_write_for_unit(actor, p.unit_id).await? {
        return Err(WebError::Forbidden);
    }
    if !ProjectState::parse(&p.library_status).is_some_and(ProjectState::is_editable) {
        return Err(WebError::Conflict(format!(
            "项目已{}，不能再修改；如需变更请由财政部门处理",
            label_of_project_state(&p.library_status)
        )));
    }
    let c = check_project(input, p.fiscal_year)?;
    let store = &actor.state.store;
    let settings = jixiao_store::regions::settings(store, &actor.user.region).await?;
    let total = c.current + c.carryover + c.other;
    let is_major = ex_ante::is_major(&settings.project, total);
    let mut tx = store.begin().await?;
    projects::update(
        &mut tx,
        id,
        row_version,
        &projects::ProjectEdit {
            name: input.name.trim(),
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
pub async fn project_facts(
    state: &AppState,
    p: &projects::ProjectRecord,
) -> Result<ProjectFacts, WebError> {
    let store = &state.store;
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
pub async fn proposed_by(state: &AppState, user: &CurrentUser, id: i64) -> Result<bool, WebError> {
    Ok(
        history::last_actor(&state.store, "project", id, &["create"])
            .await?
            .is_some_and(|a| a == user.id),
    )
}

/// A library move (SPEC §5): enter the library, budget, start, complete, evaluate, terminate.
pub async fn project_action(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    action: &str,
    text: Option<&str>,
) -> Result<ProjectState, WebError> {
    let p = visible_project(actor, id).await?;
    let Some(action) = ProjectAction::parse(action) else {
        return Err(WebError::BadRequest(vec![bad(
            "操作",
            format!("未知的操作“{action}”"),
        )]));
    };
    if actor.is_unit_user() && !actor.is_finance() && !may_write_for_unit(actor, p.unit_id).await? {
        return Err(WebError::Forbidden);
    }
    let from = ProjectState::parse(&p.library_status)
        .ok_or_else(|| WebError::Internal(format!("项目状态“{}”无法识别", p.library_status)))?;
    let facts = project_facts(actor.state, &p).await?;
    let own = proposed_by(actor.state, actor.user, id).await?;
    let step = workflow::library_transition(from, action, &actor.user.roles, own, text, &facts)
        .map_err(workflow_refusal)?;
    let mut tx = actor.state.store.begin().await?;
    projects::set_status(&mut tx, id, row_version, step.to.code()).await?;
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

// ---------------------------------------------------------------------------------------------
// Ex-ante assessment (SPEC §5)
// ---------------------------------------------------------------------------------------------

/// Starts an assessment of a project: by the finance bureau, by the unit, or assigned to a
/// third-party agency (which creates the engagement).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewExAnteInput {
    pub project_id: i64,
    /// `finance`, `unit` or `agency`.
    pub assessor_kind: String,
    /// For `agency`.
    pub agency_id: Option<i64>,
}

pub async fn create_ex_ante(actor: &Actor<'_>, input: &NewExAnteInput) -> Result<i64, WebError> {
    if input.project_id <= 0 {
        return Err(WebError::BadRequest(vec![bad(
            "评估对象",
            "请从项目页面发起事前绩效评估（缺少项目）",
        )]));
    }
    let p = visible_project(actor, input.project_id).await?;
    let store = &actor.state.store;
    let Some(kind) = AssessorKind::parse(&input.assessor_kind) else {
        return Err(WebError::BadRequest(vec![bad(
            "评估主体",
            "请选择财政部门、预算单位或第三方机构",
        )]));
    };
    match kind {
        AssessorKind::Finance | AssessorKind::Agency if !actor.is_finance() => {
            return Err(WebError::Conflict(
                "财政部门自行评估或委托第三方机构评估须由财政部门发起；预算单位可发起单位自行评估"
                    .into(),
            ));
        }
        AssessorKind::Unit if !actor.is_unit_user() => {
            return Err(WebError::Conflict(
                "单位自行评估由项目所属预算单位发起；财政部门可自行评估或委托第三方机构".into(),
            ));
        }
        AssessorKind::Unit if !may_write_for_unit(actor, p.unit_id).await? => {
            return Err(WebError::Forbidden);
        }
        _ => {}
    }
    let existing = xa::for_project(store, p.id).await?;
    if let Some(open) = existing
        .iter()
        .find(|x| x.state != DocState::Approved.code())
    {
        return Err(WebError::Conflict(format!(
            "该项目已有一份{}的事前绩效评估（编号 {}），请在原评估上继续",
            DocState::parse(&open.state)
                .map(|s| s.label())
                .unwrap_or(""),
            open.id
        )));
    }
    let settings = jixiao_store::regions::settings(store, &actor.user.region).await?;
    let object = if p.is_policy {
        ExAnteObject::Policy
    } else {
        ExAnteObject::Project
    };
    let sheet = ex_ante::blank_sheet(ex_ante::rubric(&settings.ex_ante, object));
    let scores: Vec<xa::ScoreRow> = sheet
        .iter()
        .flat_map(|d| {
            d.sub_items.iter().map(|s| xa::ScoreRow {
                dimension: d.name.clone(),
                sub_item: s.name.clone(),
                weight_x100: to_hundredths(s.weight),
                score_x100: None,
                opinion: String::new(),
            })
        })
        .collect();
    // The agency is checked before the transaction opens: the check reads through the pool, which
    // a one-connection pool (in-memory SQLite) cannot serve while the transaction holds it.
    let agency_id = if kind == AssessorKind::Agency {
        let Some(agency_id) = input.agency_id else {
            return Err(WebError::BadRequest(vec![bad(
                "第三方机构",
                "请选择第三方机构",
            )]));
        };
        let agencies = jixiao_store::browse::agencies(
            store,
            &actor.user.region,
            &jixiao_store::browse::ListFilter::default(),
        )
        .await?;
        let Some(agency) = agencies.iter().find(|a| a.id == agency_id) else {
            return Err(WebError::BadRequest(vec![bad(
                "第三方机构",
                "该机构不存在",
            )]));
        };
        if !jixiao_domain::types::AgencyStatus::parse(&agency.status)
            .is_some_and(|s| s.may_be_engaged())
        {
            return Err(WebError::BadRequest(vec![bad(
                "第三方机构",
                format!("{}当前不在可委托名录中", agency.name),
            )]));
        }
        Some(agency_id)
    } else {
        None
    };
    let mut tx = store.begin().await?;
    let engagement_id = if let Some(agency_id) = agency_id {
        Some(
            jixiao_store::agencies::insert_engagement(
                &mut tx,
                &jixiao_store::agencies::NewEngagement {
                    region: &actor.user.region,
                    fiscal_year: p.fiscal_year,
                    agency_id,
                    principal_unit_id: None,
                    kind: "ex_ante",
                    title: &format!("{}事前绩效评估", p.name),
                    procurement_method: "",
                    contract_no: "",
                    start_date: chrono::Utc::now().date_naive(),
                    end_date: chrono::Utc::now().date_naive() + chrono::Duration::days(30),
                    fee: Fen(0),
                    team: "",
                    quality_x100: None,
                    quality_grade: None,
                },
            )
            .await?,
        )
    } else {
        None
    };
    let id = xa::insert(
        &mut tx,
        &xa::NewExAnte {
            region: &actor.user.region,
            fiscal_year: p.fiscal_year,
            object_kind: object.code(),
            project_id: Some(p.id),
            object_name: &p.name,
            amount: p.total(),
            assessor_kind: kind.code(),
            engagement_id,
            state: DocState::Draft.code(),
            total_x100: None,
            conclusion: None,
            suggestions: "",
            scores,
        },
    )
    .await?;
    actor
        .history(
            &mut tx,
            p.fiscal_year,
            "ex_ante",
            id,
            "draft",
            "draft",
            "create",
            "",
        )
        .await?;
    let after = serde_json::json!({"project_id": p.id, "assessor_kind": kind.code(),
        "engagement_id": engagement_id, "agency_id": input.agency_id});
    actor
        .audit(
            &mut tx,
            "ex_ante.create",
            "ex_ante",
            id,
            "",
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The assessment if the user may see it (its project visible; an evaluator only their
/// agency's).
pub async fn visible_ex_ante(actor: &Actor<'_>, id: i64) -> Result<xa::ExAnteRecord, WebError> {
    let scope = actor.scope().await?;
    let hidden = || hidden(&scope, "事前绩效评估");
    let Some(x) = xa::get(&actor.state.store, &actor.user.region, id).await? else {
        return Err(hidden());
    };
    if let Scope::Agency(agency) = scope {
        return if x.agency_id == Some(agency) {
            Ok(x)
        } else {
            Err(hidden())
        };
    }
    match x.project_id {
        Some(pid) => {
            visible_project(actor, pid).await.map_err(|_| hidden())?;
        }
        None if scope != Scope::Region => return Err(hidden()),
        None => {}
    }
    Ok(x)
}

/// Whether the user is the assessor of an assessment (may fill in its sheet).
pub async fn is_assessor(actor: &Actor<'_>, x: &xa::ExAnteRecord) -> Result<bool, WebError> {
    Ok(match AssessorKind::parse(&x.assessor_kind) {
        Some(AssessorKind::Finance) => actor.is_finance(),
        Some(AssessorKind::Agency) => {
            actor.user.has(Role::Evaluator)
                && actor.user.agency_id.is_some()
                && actor.user.agency_id == x.agency_id
        }
        Some(AssessorKind::Unit) => match x.project_id {
            Some(pid) => {
                let p = visible_project(actor, pid).await?;
                actor.is_unit_user() && may_write_for_unit(actor, p.unit_id).await?
            }
            None => false,
        },
        None => false,
    })
}

/// One sub-item's score and opinion as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ScoreInput {
    pub seq: i32,
    #[serde(deserialize_with = "text_or_number")]
    pub score: String,
    pub opinion: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExAnteSheetInput {
    pub scores: Vec<ScoreInput>,
    pub suggestions: String,
}

/// The result of saving a sheet: total and conclusion computed by the domain.
#[derive(Debug, Clone, Serialize)]
pub struct SheetResult {
    /// Empty while some sub-item is not scored.
    pub total: String,
    pub conclusion: String,
    /// Sub-items not scored yet.
    pub unscored: usize,
}

pub async fn save_ex_ante(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &ExAnteSheetInput,
) -> Result<SheetResult, WebError> {
    let x = visible_ex_ante(actor, id).await?;
    if !is_assessor(actor, &x).await? {
        return Err(WebError::Conflict(format!(
            "只有本评估的评估主体（{}）可以填写、上传或提交评估",
            assessor_label(&x)
        )));
    }
    let state = DocState::parse(&x.state).unwrap_or(DocState::Draft);
    if !state.is_editable() {
        return Err(WebError::Conflict(format!(
            "评估当前为“{}”，不能修改；已通过的评估须发起调整",
            state.label()
        )));
    }
    let store = &actor.state.store;
    let rows = xa::scores(store, id).await?;
    let settings = jixiao_store::regions::settings(store, &actor.user.region).await?;
    let mut errors = FieldErrors::new();
    let mut sheet: Vec<ex_ante::Dimension> = Vec::new();
    let mut saved = Vec::new();
    for r in &rows {
        let given = input.scores.iter().find(|s| s.seq == r.seq);
        let place = format!("{}—{}", r.dimension, r.sub_item);
        let score = match given.map(|g| g.score.trim()).filter(|s| !s.is_empty()) {
            None => None,
            Some(t) => match parse_loose(t) {
                Some(v) => Some(v),
                None => {
                    errors.push(bad(&place, format!("“{t}”不是有效的分数")));
                    None
                }
            },
        };
        let weight = jixiao_domain::decimal::from_hundredths(r.weight_x100);
        match sheet.last_mut() {
            Some(d) if d.name == r.dimension => d.sub_items.push(ex_ante::SubItem {
                name: r.sub_item.clone(),
                weight,
                score,
            }),
            _ => sheet.push(ex_ante::Dimension {
                name: r.dimension.clone(),
                sub_items: vec![ex_ante::SubItem {
                    name: r.sub_item.clone(),
                    weight,
                    score,
                }],
            }),
        }
        saved.push(xa::ScoreRow {
            dimension: r.dimension.clone(),
            sub_item: r.sub_item.clone(),
            weight_x100: r.weight_x100,
            score_x100: score.map(to_hundredths),
            opinion: given
                .map(|g| g.opinion.trim().to_string())
                .unwrap_or_default(),
        });
    }
    // A draft may be saved part-filled: sub-items not yet scored are kept empty and the total
    // waits until every one is scored (submission requires it). Every other problem refuses.
    let mut unscored = 0;
    let scored = match ex_ante::score(&settings.ex_ante, &sheet) {
        Ok(s) => Some(s),
        Err(problems) => {
            for p in problems {
                if matches!(p, ex_ante::ExAnteError::Missing { .. }) {
                    unscored += 1;
                } else {
                    errors.push(bad("评分", p.to_string()));
                }
            }
            None
        }
    };
    if !errors.is_empty() {
        return Err(WebError::BadRequest(errors));
    }
    let total = scored.as_ref().map(|s| to_hundredths(s.total));
    let conclusion = scored.as_ref().map(|s| s.conclusion);
    let mut tx = store.begin().await?;
    xa::save_sheet(
        &mut tx,
        id,
        row_version,
        &xa::SheetEdit {
            total_x100: total,
            conclusion: conclusion.map(|c| c.code()),
            suggestions: input.suggestions.trim(),
            scores: &saved,
        },
    )
    .await?;
    let after = serde_json::json!({"total_x100": total, "conclusion": conclusion.map(|c| c.code()),
        "unscored": unscored, "suggestions": input.suggestions.trim()});
    let before = serde_json::json!({"total_x100": x.total_x100, "conclusion": x.conclusion});
    actor
        .audit(
            &mut tx,
            "ex_ante.save",
            "ex_ante",
            id,
            &before.to_string(),
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(SheetResult {
        total: scored
            .as_ref()
            .map(|s| jixiao_domain::decimal::fixed2(s.total))
            .unwrap_or_default(),
        conclusion: conclusion
            .map(|c| c.label().to_string())
            .unwrap_or_default(),
        unscored,
    })
}

/// The review decision of a document: approve or return, with an opinion.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActionInput {
    /// `submit`, `resubmit`, `start_review`, `approve`, `return`, `adjust`, `review` (targets:
    /// with a rating) or a library action for projects.
    pub action: String,
    pub row_version: i32,
    /// Opinion, reason or explanation.
    pub text: String,
    /// Target review: `excellent`/`good`/`fair`/`poor` or 优/良/中/差.
    pub rating: String,
}

pub async fn submitted_by_me(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    id: i64,
) -> Result<bool, WebError> {
    Ok(
        history::last_actor(&state.store, kind, id, &["submit", "resubmit"])
            .await?
            .is_some_and(|a| a == user.id),
    )
}

/// Plans the moves of a review: a submitted document is first taken into review, then
/// approved or returned, both recorded (SPEC §4).
fn review_path(
    from: DocState,
    decision: DocAction,
    roles: &[Role],
    own: bool,
    text: Option<&str>,
) -> Result<Vec<(DocState, DocAction, DocState)>, WebError> {
    let mut steps = Vec::new();
    let mut at = from;
    if at == DocState::Submitted && matches!(decision, DocAction::Approve | DocAction::Return) {
        let s = workflow::transition(at, DocAction::StartReview, roles, own, None)
            .map_err(workflow_refusal)?;
        steps.push((at, DocAction::StartReview, s.to));
        at = s.to;
    }
    let s = workflow::transition(at, decision, roles, own, text).map_err(workflow_refusal)?;
    steps.push((at, decision, s.to));
    Ok(steps)
}

pub async fn ex_ante_action(
    actor: &Actor<'_>,
    id: i64,
    input: &ActionInput,
) -> Result<DocState, WebError> {
    let x = visible_ex_ante(actor, id).await?;
    let Some(action) = DocAction::parse(&input.action) else {
        return Err(WebError::BadRequest(vec![bad(
            "操作",
            format!("未知的操作“{}”", input.action),
        )]));
    };
    let from = DocState::parse(&x.state).unwrap_or(DocState::Draft);
    let text = Some(input.text.as_str()).filter(|t| !t.trim().is_empty());
    let own = submitted_by_me(actor.state, actor.user, "ex_ante", id).await?;
    let steps = match action {
        DocAction::Submit | DocAction::Resubmit => {
            if !is_assessor(actor, &x).await? {
                return Err(WebError::Conflict(format!(
                    "只有本评估的评估主体（{}）可以填写、上传或提交评估",
                    assessor_label(&x)
                )));
            }
            if x.total_x100.is_none() {
                return Err(WebError::Conflict(
                    "评估尚未全部评分，请先填写每一项评分并保存后再提交".into(),
                ));
            }
            let s = workflow::transition(from, action, &actor.user.roles, own, text)
                .map_err(workflow_refusal)?;
            vec![(from, action, s.to)]
        }
        DocAction::Adjust => {
            return Err(WebError::Conflict(
                "已通过的事前绩效评估不能调整；如结论需变更，请重新开展一次评估".into(),
            ));
        }
        other => review_path(from, other, &actor.user.roles, own, text)?,
    };
    let mut tx = actor.state.store.begin().await?;
    // Each step bumps the row version by one.
    for (version, (a, act, b)) in (input.row_version..).zip(steps.iter()) {
        xa::set_state(&mut tx, id, version, b.code()).await?;
        let opinion = if *act == DocAction::StartReview {
            ""
        } else {
            input.text.trim()
        };
        actor
            .history(
                &mut tx,
                x.fiscal_year,
                "ex_ante",
                id,
                a.code(),
                b.code(),
                act.code(),
                opinion,
            )
            .await?;
    }
    let to = steps.last().map(|s| s.2).unwrap_or(from);
    actor
        .audit(
            &mut tx,
            &format!("ex_ante.{}", action.code()),
            "ex_ante",
            id,
            &serde_json::json!({"state": from.code()}).to_string(),
            &serde_json::json!({"state": to.code(), "opinion": input.text.trim()}).to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(to)
}

/// Stores the assessment report file (.docx or .pdf) the assessor uploads.
pub async fn attach_ex_ante_report(
    actor: &Actor<'_>,
    id: i64,
    file_name: &str,
    body: &[u8],
) -> Result<i64, WebError> {
    let x = visible_ex_ante(actor, id).await?;
    if !is_assessor(actor, &x).await? {
        return Err(WebError::Conflict(format!(
            "只有本评估的评估主体（{}）可以填写、上传或提交评估",
            assessor_label(&x)
        )));
    }
    let lower = file_name.to_lowercase();
    let content_type = if lower.ends_with(".pdf") && body.starts_with(b"%PDF") {
        "application/pdf"
    } else if lower.ends_with(".docx") && body.starts_with(b"PK") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else {
        return Err(WebError::BadRequest(vec![bad(
            "评估报告",
            "请上传 .docx 或 .pdf 格式的评估报告",
        )]));
    };
    if body.len() > 20 * 1024 * 1024 {
        return Err(WebError::BadRequest(vec![bad(
            "评估报告",
            "文件不能超过 20 MB",
        )]));
    }
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(120)
        .collect();
    let mut tx = actor.state.store.begin().await?;
    let att = jixiao_store::attachments::insert(
        &mut tx,
        &jixiao_store::attachments::NewAttachment {
            region: &actor.user.region,
            fiscal_year: x.fiscal_year,
            owner_kind: "ex_ante",
            owner_id: id,
            file_name: &name,
            content_type,
            body,
            uploaded_by: Some(actor.user.id),
        },
    )
    .await?;
    xa::set_report(&mut tx, id, att).await?;
    actor
        .audit(
            &mut tx,
            "ex_ante.attach_report",
            "ex_ante",
            id,
            "",
            &serde_json::json!({"attachment_id": att, "file_name": name, "size": body.len()})
                .to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(att)
}

// ---------------------------------------------------------------------------------------------
// Targets (SPEC §6)
// ---------------------------------------------------------------------------------------------

/// Starts a target: for a project, or (unit-overall) for a unit and year.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewTargetInput {
    pub project_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub fiscal_year: Option<i32>,
}

pub async fn create_target(actor: &Actor<'_>, input: &NewTargetInput) -> Result<i64, WebError> {
    let store = &actor.state.store;
    let region = &actor.user.region;
    let (kind, project, unit_id, year, amounts) = match input.project_id {
        Some(pid) => {
            let p = visible_project(actor, pid).await?;
            if let Some(t) = targets::current_for_project(store, pid).await? {
                return Err(WebError::Conflict(format!(
                    "该项目已有绩效目标（第 {} 版，{}），请在原目标上修改或发起调整",
                    t.version_no,
                    DocState::parse(&t.state).map(|s| s.label()).unwrap_or("")
                )));
            }
            if matches!(
                ProjectState::parse(&p.library_status),
                Some(ProjectState::Terminated)
            ) {
                return Err(WebError::Conflict("项目已终止，不能申报绩效目标".into()));
            }
            let fiscal = Fen(p.current_fen + p.carryover_fen);
            (
                ObjectKind::Project,
                Some(pid),
                p.unit_id,
                p.fiscal_year,
                (p.total(), fiscal, Fen(p.other_fen)),
            )
        }
        None => {
            let Some(unit_id) = input.unit_id.or(actor.user.unit_id) else {
                return Err(WebError::BadRequest(vec![bad(
                    "预算单位",
                    "请选择预算单位",
                )]));
            };
            if jixiao_store::units::get(store, region, unit_id)
                .await?
                .is_none()
            {
                return Err(WebError::BadRequest(vec![bad(
                    "预算单位",
                    "该预算单位不存在",
                )]));
            }
            let year = input.fiscal_year.unwrap_or_else(default_year);
            if let Some(t) = targets::current_for_unit(store, region, unit_id, year).await? {
                return Err(WebError::Conflict(format!(
                    "该单位 {year} 年已有部门整体绩效目标（第 {} 版），请在原目标上修改或发起调整",
                    t.version_no
                )));
            }
            (
                ObjectKind::Unit,
                None,
                unit_id,
                year,
                (Fen(0), Fen(0), Fen(0)),
            )
        }
    };
    if !actor.is_unit_user() {
        return Err(WebError::Conflict(
            "绩效目标由预算单位申报，财政部门负责审核".into(),
        ));
    }
    if !may_write_for_unit(actor, unit_id).await? {
        return Err(WebError::Forbidden);
    }
    let mut tx = store.begin().await?;
    let id = targets::insert(
        &mut tx,
        &targets::NewTarget {
            region,
            fiscal_year: year,
            object_kind: kind,
            project_id: project,
            unit_id,
            state: DocState::Draft.code(),
            total: amounts.0,
            fiscal: amounts.1,
            other: amounts.2,
            overall_goal: String::new(),
            review_rating: None,
            review_opinion: "",
            indicators: vec![],
            tasks: vec![],
        },
    )
    .await?;
    actor
        .history(&mut tx, year, "target", id, "draft", "draft", "create", "")
        .await?;
    let after = serde_json::json!({"object_kind": kind.code(), "project_id": project, "unit_id": unit_id, "fiscal_year": year});
    actor
        .audit(
            &mut tx,
            "target.create",
            "target",
            id,
            "",
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The target version if the user may see it (its project or unit in scope).
pub async fn visible_target(actor: &Actor<'_>, id: i64) -> Result<targets::TargetRecord, WebError> {
    let scope = actor.scope().await?;
    let hidden = || hidden(&scope, "绩效目标");
    let Some(t) = targets::get(&actor.state.store, &actor.user.region, id).await? else {
        return Err(hidden());
    };
    // A draft (a new target, or the draft of an adjustment) is the unit's own until submitted.
    if t.state == DocState::Draft.code() && !matches!(scope, Scope::Units(_)) {
        return Err(hidden());
    }
    let visible = match (&scope, t.project_id) {
        (Scope::Region, _) => true,
        (Scope::Units(ids), _) => ids.contains(&t.unit_id),
        (Scope::Agency(_), Some(pid)) => visible_project(actor, pid).await.is_ok(),
        _ => false,
    };
    if visible { Ok(t) } else { Err(hidden()) }
}

/// One indicator row as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IndicatorInput {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: String,
    #[serde(deserialize_with = "text_or_number")]
    pub target_value: String,
    pub unit_of_measure: String,
    #[serde(deserialize_with = "text_or_number")]
    pub weight: String,
    pub basis: String,
    pub library_id: Option<i64>,
    pub is_core: bool,
    pub explanation: String,
}

/// One 年度主要任务 row of a unit-overall target, amounts in 万元.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TaskInput {
    pub task: String,
    pub content: String,
    #[serde(deserialize_with = "text_or_number")]
    pub total_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub other_wan: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TargetInput {
    pub term: String,
    #[serde(deserialize_with = "text_or_number")]
    pub total_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_wan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub other_wan: String,
    pub overall_goal: String,
    pub medium_goal: String,
    pub indicators: Vec<IndicatorInput>,
    pub tasks: Vec<TaskInput>,
}

/// A finding with the row it is about (1-based), for the form.
#[derive(Debug, Clone, Serialize)]
pub struct CheckFinding {
    pub error: bool,
    pub row: Option<usize>,
    pub message: String,
}

/// What a target form holds after the edge checks: rows to store, and the §6.3 findings.
pub struct CheckedTarget {
    pub total: Fen,
    pub fiscal: Fen,
    pub other: Fen,
    pub indicators: Vec<targets::IndicatorRow>,
    pub tasks: Vec<targets::NewTask>,
    pub findings: Vec<CheckFinding>,
}

impl CheckedTarget {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.error)
    }
}

/// Reads a target form: input errors (bad amounts, bad weights) are refused outright; the
/// quality checks of SPEC §6.3 come back as findings (errors block submission, not saving).
pub fn check_target_input(
    input: &TargetInput,
    serves_public: bool,
    last_year: &[targets::TargetIndicator],
) -> Result<CheckedTarget, WebError> {
    let mut errors = FieldErrors::new();
    let total = wan("资金总额", &input.total_wan, &mut errors);
    let fiscal = wan("财政拨款", &input.fiscal_wan, &mut errors);
    let other = wan("其他资金", &input.other_wan, &mut errors);
    let mut rows = Vec::new();
    let mut domain_rows = Vec::new();
    let blank = |i: &IndicatorInput| {
        i.name.trim().is_empty() && i.target_value.trim().is_empty() && i.level1.trim().is_empty()
    };
    for (n, i) in input.indicators.iter().filter(|i| !blank(i)).enumerate() {
        let place = format!("第 {} 个指标", n + 1);
        let weight_x100 = match i.weight.trim() {
            "" => None,
            t => match parse_loose(t) {
                Some(w) if !w.is_sign_negative() => Some(to_hundredths(w)),
                _ => {
                    errors.push(bad(&place, format!("分值“{t}”不是有效的非负数")));
                    None
                }
            },
        };
        let sign = Sign::parse(i.sign.trim());
        let written = parse_written_value(&i.target_value);
        let unit = Some(i.unit_of_measure.trim().to_string())
            .filter(|u| !u.is_empty())
            .or(written.unit.clone());
        let name = i.name.trim().to_string();
        domain_rows.push(target::TargetIndicator {
            level1: Level1::classify(&i.level1, &i.level2),
            name: name.clone(),
            sign,
            value: written.number,
            value_text: i.target_value.trim().to_string(),
            unit: unit.clone(),
            sub_item: name.starts_with("其中"),
            from_library: i.library_id.is_some(),
            last_year_value: last_year
                .iter()
                .find(|l| l.name == name)
                .map(|l| l.target_value.clone()),
        });
        rows.push(targets::IndicatorRow {
            level1: i.level1.trim().to_string(),
            level2: i.level2.trim().to_string(),
            name,
            sign: sign.map(|s| s.symbol().to_string()).unwrap_or_default(),
            target_value: i.target_value.trim().to_string(),
            unit_of_measure: unit.unwrap_or_default(),
            weight_x100,
            basis: i.basis.trim().to_string(),
            library_id: i.library_id,
            is_core: i.is_core,
            explanation: i.explanation.trim().to_string(),
        });
    }
    let mut tasks = Vec::new();
    for (n, k) in input.tasks.iter().enumerate() {
        if k.task.trim().is_empty() && k.content.trim().is_empty() && k.total_wan.trim().is_empty()
        {
            continue;
        }
        let place = format!("第 {} 项年度主要任务", n + 1);
        if k.task.trim().is_empty() {
            errors.push(bad(&place, "请填写任务名称"));
        }
        let t = wan(&format!("{place}资金总额"), &k.total_wan, &mut errors);
        let f = wan(&format!("{place}财政拨款"), &k.fiscal_wan, &mut errors);
        let o = wan(&format!("{place}其他资金"), &k.other_wan, &mut errors);
        if t != f + o {
            errors.push(bad(&place, "资金总额应等于财政拨款与其他资金之和"));
        }
        tasks.push(targets::NewTask {
            task: k.task.trim().to_string(),
            content: k.content.trim().to_string(),
            total: t,
            fiscal: f,
            other: o,
        });
    }
    if !errors.is_empty() {
        return Err(WebError::BadRequest(errors));
    }
    let findings = target::check(
        &domain_rows,
        Some(TargetAmounts {
            total,
            fiscal,
            other,
        }),
        TargetContext {
            serves_public,
            library_known: true,
        },
    );
    Ok(CheckedTarget {
        total,
        fiscal,
        other,
        indicators: rows,
        tasks,
        findings: findings.into_iter().map(finding).collect(),
    })
}

fn finding(f: Finding) -> CheckFinding {
    CheckFinding {
        error: f.severity == Severity::Error,
        row: f.indicator.map(|n| n + 1),
        message: match f.indicator {
            Some(n) => format!("第 {} 个指标：{}", n + 1, f.message),
            None => f.message,
        },
    }
}

/// Last year's indicators of a continuing project (for the "same as last year" warning).
pub async fn last_year_indicators(
    state: &AppState,
    t: &targets::TargetRecord,
) -> Result<Vec<targets::TargetIndicator>, WebError> {
    let Some(pid) = t.project_id else {
        return Ok(vec![]);
    };
    let Some(p) = projects::get(&state.store, &t.region_code, pid).await? else {
        return Ok(vec![]);
    };
    let Some(prev) = p.previous_project_id else {
        return Ok(vec![]);
    };
    match targets::current_for_project(&state.store, prev).await? {
        Some(old) => Ok(targets::indicators(&state.store, old.id).await?),
        None => Ok(vec![]),
    }
}

/// Whether the object of a target serves the public (`target::serves_public` of its project's
/// category).
pub async fn serves_public(state: &AppState, t: &targets::TargetRecord) -> Result<bool, WebError> {
    let category = match t.project_id {
        Some(pid) => projects::get(&state.store, &t.region_code, pid)
            .await?
            .and_then(|p| ProjectCategory::parse(&p.category)),
        None => None,
    };
    Ok(target::serves_public(category))
}

/// The versions of a target the user may open: all of them for its unit, the submitted ones for
/// everyone else.
pub async fn visible_versions(
    actor: &Actor<'_>,
    t: &targets::TargetRecord,
) -> Result<Vec<targets::TargetRecord>, WebError> {
    let units = matches!(actor.scope().await?, Scope::Units(_));
    Ok(targets::versions(&actor.state.store, t)
        .await?
        .into_iter()
        .filter(|v| units || v.state != DocState::Draft.code())
        .collect())
}

/// Whether the user may edit the content of this target now.
pub async fn may_edit_target(
    actor: &Actor<'_>,
    t: &targets::TargetRecord,
) -> Result<bool, WebError> {
    Ok(DocState::parse(&t.state).is_some_and(DocState::is_editable)
        && t.is_current
        && actor.is_unit_user()
        && may_write_for_unit(actor, t.unit_id).await?)
}

pub async fn save_target(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &TargetInput,
) -> Result<Vec<CheckFinding>, WebError> {
    let t = visible_target(actor, id).await?;
    if !actor.is_unit_user() {
        return Err(WebError::Conflict(
            "绩效目标由预算单位填报，财政部门在审核时给出意见和评级".into(),
        ));
    }
    if !may_write_for_unit(actor, t.unit_id).await? {
        return Err(WebError::Forbidden);
    }
    let state = DocState::parse(&t.state).unwrap_or(DocState::Draft);
    if !state.is_editable() || !t.is_current {
        return Err(WebError::Conflict(format!(
            "绩效目标当前为“{}”，不能修改；已通过的目标须发起调整申请",
            state.label()
        )));
    }
    let last = last_year_indicators(actor.state, &t).await?;
    let public = serves_public(actor.state, &t).await?;
    let checked = check_target_input(input, public, &last)?;
    let term = if input.term == "medium" {
        "medium"
    } else {
        "annual"
    };
    let mut tx = actor.state.store.begin().await?;
    targets::update(
        &mut tx,
        id,
        row_version,
        &targets::TargetEdit {
            term,
            total: checked.total,
            fiscal: checked.fiscal,
            other: checked.other,
            overall_goal: input.overall_goal.trim(),
            medium_goal: input.medium_goal.trim(),
            indicators: &checked.indicators,
            tasks: &checked.tasks,
        },
    )
    .await?;
    let before = serde_json::json!({"total_fen": t.total_fen, "overall_goal": t.overall_goal});
    let after = serde_json::json!({"total_fen": checked.total.0, "overall_goal": input.overall_goal.trim(),
        "indicators": checked.indicators.len(), "tasks": checked.tasks.len(),
        "errors": checked.findings.iter().filter(|f| f.error).count()});
    actor
        .audit(
            &mut tx,
            "target.save",
            "target",
            id,
            &before.to_string(),
            &after.to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(checked.findings)
}

/// A stored target as its form shows it (amounts in 万元 with two decimals).
pub fn target_input(
    t: &targets::TargetRecord,
    rows: Vec<targets::TargetIndicator>,
    tasks: Vec<targets::TaskRecord>,
) -> TargetInput {
    let fen = |f: i64| Fen(f).wan_2dp();
    TargetInput {
        term: t.term.clone(),
        total_wan: fen(t.total_fen),
        fiscal_wan: fen(t.fiscal_fen),
        other_wan: fen(t.other_fen),
        overall_goal: t.overall_goal.clone(),
        medium_goal: t.medium_goal.clone(),
        indicators: rows
            .into_iter()
            .map(|r| IndicatorInput {
                level1: r.level1,
                level2: r.level2,
                name: r.name,
                sign: r.sign,
                target_value: r.target_value,
                unit_of_measure: r.unit_of_measure,
                weight: r
                    .weight_x100
                    .map(|w| {
                        jixiao_domain::decimal::fixed2(jixiao_domain::decimal::from_hundredths(w))
                    })
                    .unwrap_or_default(),
                basis: r.basis,
                library_id: r.library_id,
                is_core: r.is_core,
                explanation: r.explanation,
            })
            .collect(),
        tasks: tasks
            .into_iter()
            .map(|k| TaskInput {
                task: k.task,
                content: k.content,
                total_wan: fen(k.total_fen),
                fiscal_wan: fen(k.fiscal_fen),
                other_wan: fen(k.other_fen),
            })
            .collect(),
    }
}

/// The §6.3 findings of a stored target (for submission and for its page).
pub async fn stored_findings(
    state: &AppState,
    t: &targets::TargetRecord,
) -> Result<Vec<CheckFinding>, WebError> {
    let input = target_input(
        t,
        targets::indicators(&state.store, t.id).await?,
        targets::tasks(&state.store, t.id).await?,
    );
    let last = last_year_indicators(state, t).await?;
    let public = serves_public(state, t).await?;
    Ok(match check_target_input(&input, public, &last) {
        Ok(c) => c.findings,
        Err(e) => vec![CheckFinding {
            error: true,
            row: None,
            message: e.message(),
        }],
    })
}

/// The outcome of a target action: the new state and, for an adjustment, the new version.
#[derive(Debug, Clone, Serialize)]
pub struct TargetOutcome {
    pub state: String,
    pub target_id: i64,
}

pub async fn target_action(
    actor: &Actor<'_>,
    id: i64,
    input: &ActionInput,
) -> Result<TargetOutcome, WebError> {
    let t = visible_target(actor, id).await?;
    let from = DocState::parse(&t.state).unwrap_or(DocState::Draft);
    let text = Some(input.text.as_str()).filter(|s| !s.trim().is_empty());
    let own = submitted_by_me(actor.state, actor.user, "target", id).await?;
    let roles = &actor.user.roles;
    let store = &actor.state.store;
    if !t.is_current {
        return Err(WebError::Conflict(format!(
            "这是第 {} 版（已被新版本取代），只能查看",
            t.version_no
        )));
    }
    let action = if input.action == "review" {
        None
    } else {
        Some(DocAction::parse(&input.action).ok_or_else(|| {
            WebError::BadRequest(vec![bad("操作", format!("未知的操作“{}”", input.action))])
        })?)
    };
    let unit_side = matches!(
        action,
        Some(DocAction::Submit | DocAction::Resubmit | DocAction::Adjust)
    );
    if unit_side && actor.is_unit_user() && !may_write_for_unit(actor, t.unit_id).await? {
        return Err(WebError::Forbidden);
    }
    // Submission is checked (role, then the §6.3 quality checks) before the transaction opens:
    // the checks read through the pool, which a one-connection pool (in-memory SQLite) cannot
    // serve while the transaction holds it.
    if let Some(a @ (DocAction::Submit | DocAction::Resubmit)) = action {
        workflow::transition(from, a, roles, own, text).map_err(workflow_refusal)?;
        let findings = stored_findings(actor.state, &t).await?;
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.error)
            .map(|f| f.message.clone())
            .collect();
        if !errors.is_empty() {
            return Err(WebError::Conflict(format!(
                "绩效目标未通过质量检查，不能提交：{}",
                errors.join("；")
            )));
        }
    }
    let mut tx = store.begin().await?;
    let outcome = match action {
        Some(a @ (DocAction::Submit | DocAction::Resubmit)) => {
            let s = workflow::transition(from, a, roles, own, text).map_err(workflow_refusal)?;
            targets::set_state(
                &mut tx,
                id,
                input.row_version,
                &targets::StateChange {
                    state: s.to.code(),
                    submitted: true,
                    ..Default::default()
                },
            )
            .await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    id,
                    from.code(),
                    s.to.code(),
                    a.code(),
                    input.text.trim(),
                )
                .await?;
            TargetOutcome {
                state: s.to.code().into(),
                target_id: id,
            }
        }
        Some(DocAction::Adjust) => {
            let s = workflow::transition(from, DocAction::Adjust, roles, own, text)
                .map_err(workflow_refusal)?;
            let new_id = targets::new_version(&mut tx, &t, input.text.trim()).await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    id,
                    from.code(),
                    from.code(),
                    "adjust",
                    input.text.trim(),
                )
                .await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    new_id,
                    from.code(),
                    s.to.code(),
                    "adjust",
                    input.text.trim(),
                )
                .await?;
            TargetOutcome {
                state: s.to.code().into(),
                target_id: new_id,
            }
        }
        Some(DocAction::StartReview) => {
            let s = workflow::transition(from, DocAction::StartReview, roles, own, None)
                .map_err(workflow_refusal)?;
            targets::set_state(
                &mut tx,
                id,
                input.row_version,
                &targets::StateChange {
                    state: s.to.code(),
                    ..Default::default()
                },
            )
            .await?;
            actor
                .history(
                    &mut tx,
                    t.fiscal_year,
                    "target",
                    id,
                    from.code(),
                    s.to.code(),
                    "start_review",
                    "",
                )
                .await?;
            TargetOutcome {
                state: s.to.code().into(),
                target_id: id,
            }
        }
        // A review: the rating decides approve or return (SPEC §6.3).
        _ => {
            let Some(rating) = ReviewRating::parse(&input.rating) else {
                return Err(WebError::BadRequest(vec![bad(
                    "审核评级",
                    "请选择审核评级：优、良、中或差",
                )]));
            };
            let outcome = rating.outcome();
            if outcome.action == DocAction::Return && text.is_none() {
                return Err(WebError::BadRequest(vec![bad(
                    "审核意见",
                    format!("评级为“{}”须退回修改，请填写退回原因", rating.label()),
                )]));
            }
            let steps = review_path(from, outcome.action, roles, own, text)?;
            // Each step bumps the row version by one.
            for (version, (a, act, b)) in (input.row_version..).zip(steps.iter()) {
                let review =
                    (*act != DocAction::StartReview).then_some((rating.code(), input.text.trim()));
                targets::set_state(
                    &mut tx,
                    id,
                    version,
                    &targets::StateChange {
                        state: b.code(),
                        approved: *b == DocState::Approved,
                        review,
                        ..Default::default()
                    },
                )
                .await?;
                let opinion = if *act == DocAction::StartReview {
                    String::new()
                } else {
                    format!("评级：{}。{}", rating.label(), input.text.trim())
                };
                actor
                    .history(
                        &mut tx,
                        t.fiscal_year,
                        "target",
                        id,
                        a.code(),
                        b.code(),
                        act.code(),
                        &opinion,
                    )
                    .await?;
            }
            TargetOutcome {
                state: steps.last().map(|s| s.2).unwrap_or(from).code().into(),
                target_id: id,
            }
        }
    };
    actor
        .audit(
            &mut tx,
            &format!("target.{}", input.action),
            "target",
            id,
            &serde_json::json!({"state": from.code(), "version_no": t.version_no}).to_string(),
            &serde_json::json!({"state": outcome.state, "target_id": outcome.target_id,
                "rating": input.rating, "opinion": input.text.trim()})
            .to_string(),
        )
        .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Who assesses, as the messages name it.
fn assessor_label(x: &xa::ExAnteRecord) -> String {
    match (&x.agency_name, AssessorKind::parse(&x.assessor_kind)) {
        (Some(a), _) => format!("第三方机构{a}"),
        (None, Some(k)) => k.label().to_string(),
        (None, None) => x.assessor_kind.clone(),
    }
}

/// A text field that API clients may also send as a JSON number (`"score": 9.5`,
/// `"current_wan": 600`); `null` reads as empty. Amounts and scores are then parsed exactly from
/// the text, never through binary floating point arithmetic.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Option::<Given>::deserialize(d)? {
        Some(Given::Text(t)) => t,
        Some(Given::Number(n)) => n.to_string(),
        None => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_clients_may_send_numbers_for_amounts_and_scores() {
        let s: ScoreInput = serde_json::from_str(r#"{"seq": 1, "score": 9.5}"#).unwrap();
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
        let mut errors = FieldErrors::new();
        assert_eq!(wan("金额", &p.current_wan, &mut errors), Fen(563_400_000));
        assert!(errors.is_empty());
    }

    fn row(level1: &str, name: &str, sign: &str, value: &str, unit: &str) -> IndicatorInput {
        IndicatorInput {
            level1: level1.into(),
            name: name.into(),
            sign: sign.into(),
            target_value: value.into(),
            unit_of_measure: unit.into(),
            weight: "10".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_target_form_is_read_and_checked_by_spec_6_3() {
        let mut input = TargetInput {
            total_wan: "620.5".into(),
            fiscal_wan: "600".into(),
            other_wan: "20.5".into(),
            indicators: vec![
                row("产出指标", "新建教学楼面积", "≥", "3200", "平方米"),
                row("成本指标", "每平方米造价", "≤", "1900", "元"),
                IndicatorInput::default(),
            ],
            ..Default::default()
        };
        let checked = check_target_input(&input, true, &[]).unwrap();
        // Blank rows are dropped; amounts are exact.
        assert_eq!(checked.indicators.len(), 2);
        assert_eq!(checked.total, Fen(620_500_000));
        assert!(checked.has_errors(), "no 效益 indicator is an error");
        assert!(
            checked
                .findings
                .iter()
                .any(|f| f.error && f.message == "没有效益指标")
        );
        input
            .indicators
            .push(row("效益指标", "新增学位数", "≥", "600", "个"));
        input
            .indicators
            .push(row("满意度指标", "学生满意度", "≥", "90", "%"));
        let checked = check_target_input(&input, true, &[]).unwrap();
        assert!(
            !checked.has_errors(),
            "{:?}",
            checked
                .findings
                .iter()
                .map(|f| &f.message)
                .collect::<Vec<_>>()
        );
        // Not from the library: a warning per row.
        assert_eq!(checked.findings.iter().filter(|f| !f.error).count(), 4);
        // Bad input is refused outright with the field named.
        input.indicators[0].weight = "十".into();
        let Err(WebError::BadRequest(fields)) = check_target_input(&input, true, &[]) else {
            panic!("a bad weight is refused");
        };
        assert_eq!(fields[0].0, "第 1 个指标");
        // The same value as last year for a continuing project: a warning.
        input.indicators[0].weight = "10".into();
        let last = vec![targets::TargetIndicator {
            seq: 1,
            level1: "产出指标".into(),
            level2: String::new(),
            name: "新建教学楼面积".into(),
            sign: "≥".into(),
            target_value: "3200".into(),
            unit_of_measure: "平方米".into(),
            weight_x100: None,
            basis: String::new(),
            library_id: None,
            is_core: false,
            explanation: String::new(),
        }];
        let checked = check_target_input(&input, true, &last).unwrap();
        assert!(
            checked
                .findings
                .iter()
                .any(|f| f.message.contains("与上年相同"))
        );
    }

    #[test]
    fn a_review_of_a_submitted_document_takes_it_into_review_first() {
        let finance = [Role::FinanceAdmin];
        let path = review_path(
            DocState::Submitted,
            DocAction::Approve,
            &finance,
            false,
            None,
        )
        .unwrap();
        assert_eq!(
            path,
            vec![
                (
                    DocState::Submitted,
                    DocAction::StartReview,
                    DocState::UnderReview
                ),
                (
                    DocState::UnderReview,
                    DocAction::Approve,
                    DocState::Approved
                ),
            ]
        );
        // Returning needs a reason; one's own submission cannot be reviewed.
        assert!(
            review_path(
                DocState::Submitted,
                DocAction::Return,
                &finance,
                false,
                None
            )
            .is_err()
        );
        assert!(
            review_path(
                DocState::Submitted,
                DocAction::Approve,
                &finance,
                true,
                None
            )
            .is_err()
        );
        assert!(
            review_path(DocState::Draft, DocAction::Approve, &finance, false, None).is_err(),
            "a draft is not reviewed"
        );
    }
}
