//! Ex-ante performance assessment (事前绩效评估, SPEC §5): start one on a project in reserve,
//! the assessor scores the sheet and uploads the report, the finance bureau reviews it.

use crate::input::text_or_number;
use crate::review::{ActionInput, review_path};
use crate::{Actor, AppError, FieldProblem, hidden};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{parse_loose, to_hundredths};
use jixiao_domain::ex_ante::{self, ExAnteObject, OpenAssessment, StartRefusal};
use jixiao_domain::types::{AssessorKind, Role};
use jixiao_domain::workflow::{self, DocAction, DocState, ProjectState};
use jixiao_store::browse::Scope;
use jixiao_store::projects::ProjectRecord;
use jixiao_store::{StoreError, ex_ante as xa};
use serde::{Deserialize, Serialize};

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

/// The assessment of a project still open (not approved), if any: a project has at most one.
pub fn open_of(records: &[xa::ExAnteRecord]) -> Option<OpenAssessment> {
    records
        .iter()
        .find(|x| x.state != DocState::Approved.code())
        .map(|x| OpenAssessment {
            id: x.id,
            state: DocState::parse(&x.state).unwrap_or(DocState::Draft),
        })
}

/// Whether the user may start an assessment of `kind` on the project now
/// ([`ex_ante::may_start`]): what [`create`] enforces and the project page shows its buttons
/// from. `existing` are the project's assessments.
pub async fn start_verdict(
    actor: &Actor<'_>,
    p: &ProjectRecord,
    kind: AssessorKind,
    existing: &[xa::ExAnteRecord],
) -> Result<Result<(), StartRefusal>, AppError> {
    let writes = actor.may_write_for_unit(p.unit_id).await?;
    let state = ProjectState::parse(&p.library_status)
        .ok_or_else(|| StoreError::Invalid(format!("项目状态“{}”无法识别", p.library_status)))?;
    Ok(ex_ante::may_start(
        kind,
        &actor.user.roles,
        writes,
        state,
        open_of(existing),
    ))
}

pub async fn create(actor: &Actor<'_>, input: &NewExAnteInput) -> Result<i64, AppError> {
    if input.project_id <= 0 {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "评估对象",
            "请从项目页面发起事前绩效评估（缺少项目）",
        )]));
    }
    let p = crate::project::visible(actor, input.project_id).await?;
    let store = actor.store;
    let Some(kind) = AssessorKind::parse(&input.assessor_kind) else {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "评估主体",
            "请选择财政部门、预算单位或第三方机构",
        )]));
    };
    let existing = xa::for_project(store, p.id).await?;
    start_verdict(actor, &p, kind, &existing)
        .await?
        .map_err(|refusal| match refusal {
            StartRefusal::NotOwnUnit => AppError::Forbidden,
            StartRefusal::WrongParty(why) => AppError::Denied(why.to_string()),
            other => AppError::Refused(other.to_string()),
        })?;
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
            return Err(AppError::Invalid(vec![FieldProblem::new(
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
            return Err(AppError::Invalid(vec![FieldProblem::new(
                "第三方机构",
                "该机构不存在",
            )]));
        };
        if !jixiao_domain::types::AgencyStatus::parse(&agency.status)
            .is_some_and(|s| s.may_be_engaged())
        {
            return Err(AppError::Invalid(vec![FieldProblem::new(
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
pub async fn visible(actor: &Actor<'_>, id: i64) -> Result<xa::ExAnteRecord, AppError> {
    let scope = actor.scope().await?;
    let hidden = || hidden(&scope, "事前绩效评估");
    let Some(x) = xa::get(actor.store, &actor.user.region, id).await? else {
        return Err(hidden());
    };
    // A published-material reader: the list's own condition (approved, project readable).
    if scope == Scope::Published {
        return if jixiao_store::browse::ex_ante_in_scope(
            actor.store,
            &actor.user.region,
            &scope,
            id,
        )
        .await?
        {
            Ok(x)
        } else {
            Err(hidden())
        };
    }
    if let Scope::Agency(agency) = scope {
        return if x.agency_id == Some(agency) {
            Ok(x)
        } else {
            Err(hidden())
        };
    }
    match x.project_id {
        Some(pid) => {
            crate::project::visible(actor, pid)
                .await
                .map_err(|_| hidden())?;
        }
        None if !scope.is_region_wide() => return Err(hidden()),
        None => {}
    }
    Ok(x)
}

/// Whether the user is the assessor of an assessment (may fill in its sheet).
pub async fn is_assessor(actor: &Actor<'_>, x: &xa::ExAnteRecord) -> Result<bool, AppError> {
    Ok(match AssessorKind::parse(&x.assessor_kind) {
        Some(AssessorKind::Finance) => actor.is_finance(),
        Some(AssessorKind::Agency) => {
            actor.user.has(Role::Evaluator)
                && actor.user.agency_id.is_some()
                && actor.user.agency_id == x.agency_id
        }
        Some(AssessorKind::Unit) => match x.project_id {
            Some(pid) => {
                let p = crate::project::visible(actor, pid).await?;
                actor.is_unit_user() && actor.may_write_for_unit(p.unit_id).await?
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

pub async fn save(
    actor: &Actor<'_>,
    id: i64,
    row_version: i32,
    input: &ExAnteSheetInput,
) -> Result<SheetResult, AppError> {
    let x = visible(actor, id).await?;
    if !is_assessor(actor, &x).await? {
        return Err(AppError::Denied(format!(
            "只有本评估的评估主体（{}）可以填写、上传或提交评估",
            assessor_label(&x)
        )));
    }
    let state = DocState::parse(&x.state).unwrap_or(DocState::Draft);
    if !state.is_editable() {
        return Err(AppError::Refused(format!(
            "评估当前为“{}”，不能修改；已通过的评估须发起调整",
            state.label()
        )));
    }
    let store = actor.store;
    let rows = xa::scores(store, id).await?;
    let settings = jixiao_store::regions::settings(store, &actor.user.region).await?;
    let mut errors: Vec<FieldProblem> = Vec::new();
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
                    errors.push(FieldProblem::new(&place, format!("“{t}”不是有效的分数")));
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
                    errors.push(FieldProblem::new("评分", p.to_string()));
                }
            }
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
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

pub async fn act(actor: &Actor<'_>, id: i64, input: &ActionInput) -> Result<DocState, AppError> {
    let x = visible(actor, id).await?;
    let Some(action) = DocAction::parse(&input.action) else {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "操作",
            format!("未知的操作“{}”", input.action),
        )]));
    };
    let from = DocState::parse(&x.state).unwrap_or(DocState::Draft);
    let text = Some(input.text.as_str()).filter(|t| !t.trim().is_empty());
    let own = actor.submitted("ex_ante", id).await?;
    let steps = match action {
        DocAction::Submit | DocAction::Resubmit => {
            if !is_assessor(actor, &x).await? {
                return Err(AppError::Denied(format!(
                    "只有本评估的评估主体（{}）可以填写、上传或提交评估",
                    assessor_label(&x)
                )));
            }
            if x.total_x100.is_none() {
                return Err(AppError::Refused(
                    "评估尚未全部评分，请先填写每一项评分并保存后再提交".into(),
                ));
            }
            let s = workflow::transition(from, action, &actor.user.roles, own, text)?;
            vec![(from, action, s.to)]
        }
        DocAction::Adjust => {
            return Err(AppError::Refused(
                "已通过的事前绩效评估不能调整；如结论需变更，请重新开展一次评估".into(),
            ));
        }
        other => review_path(from, other, &actor.user.roles, own, text)?,
    };
    let mut tx = actor.store.begin().await?;
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
pub async fn attach_report(
    actor: &Actor<'_>,
    id: i64,
    file_name: &str,
    body: &[u8],
) -> Result<i64, AppError> {
    let x = visible(actor, id).await?;
    if !is_assessor(actor, &x).await? {
        return Err(AppError::Denied(format!(
            "只有本评估的评估主体（{}）可以填写、上传或提交评估",
            assessor_label(&x)
        )));
    }
    // A submitted or approved assessment is frozen, its signed report included (issue 13: an
    // approved assessment's report could be replaced by upload).
    let state = jixiao_domain::workflow::DocState::parse(&x.state);
    if !state.is_some_and(jixiao_domain::workflow::DocState::is_editable) {
        return Err(AppError::Refused(format!(
            "评估已{}，评估报告不能再更换",
            state.map_or("锁定", |s| s.label())
        )));
    }
    let lower = file_name.to_lowercase();
    let content_type = if lower.ends_with(".pdf") && body.starts_with(b"%PDF") {
        "application/pdf"
    } else if lower.ends_with(".docx") && body.starts_with(b"PK") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "评估报告",
            "请上传 .docx 或 .pdf 格式的评估报告",
        )]));
    };
    if body.len() > 20 * 1024 * 1024 {
        return Err(AppError::Invalid(vec![FieldProblem::new(
            "评估报告",
            "文件不能超过 20 MB",
        )]));
    }
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(120)
        .collect();
    let mut tx = actor.store.begin().await?;
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

/// Who assesses, as the messages name it.
fn assessor_label(x: &xa::ExAnteRecord) -> String {
    match (&x.agency_name, AssessorKind::parse(&x.assessor_kind)) {
        (Some(a), _) => format!("第三方机构{a}"),
        (None, Some(k)) => k.label().to_string(),
        (None, None) => x.assessor_kind.clone(),
    }
}
