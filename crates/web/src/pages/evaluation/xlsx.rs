//! A self-evaluation as the standard .xlsx form, and the round's workbook.

use super::*;

// ---------------------------------------------------------------------------------------------
// The form as .xlsx

/// A self-evaluation as the 项目支出绩效自评表 / 部门整体支出绩效自评表 in the central layout,
/// pre-filled with the target and budget and whatever the unit has entered. The import reads it
/// back into the same draft (`jixiao_store::imports`), so a unit may fill it in Excel.
pub(super) fn self_evaluation_form(
    settings: &jixiao_domain::settings::Settings,
    r: &Record,
    rows: &[Row],
) -> jixiao_forms::xlsx::write::Form {
    use crate::pages::monitoring::{form_target, form_value};
    use jixiao_forms::xlsx::write::{
        EvaluatedIndicator, FundsLine, Indicator, ProjectSelfEvaluationForm, SelfEvaluationFunds,
        UnitSelfEvaluationForm,
    };
    let filled = r.filled_at.is_some();
    let line = |fen: Option<i64>| FundsLine {
        start: None,
        budget: fen.map(Fen),
        executed: None,
    };
    let funds = SelfEvaluationFunds {
        total: FundsLine {
            start: Some(Fen(r.initial_budget_fen)),
            budget: Some(Fen(r.budget_fen)),
            executed: filled.then_some(Fen(r.executed_fen)),
        },
        current: line(r.current_fen),
        carried: line(r.carryover_fen.filter(|f| *f != 0)),
        other: line(r.other_fen.filter(|f| *f != 0)),
        weight: Some(settings.scoring.execution_weight),
        rate: r
            .execution_rate_x100
            .filter(|_| filled)
            .map(from_hundredths),
        score: r
            .execution_score_x100
            .filter(|_| filled)
            .map(from_hundredths),
    };
    let indicators = rows
        .iter()
        .map(|row| {
            let mut i = Indicator::new(
                &row.level1,
                &row.level2,
                &row.name,
                form_target(&row.sign, &row.target_value, &row.unit_of_measure),
            );
            i.weight = row.weight_x100.map(from_hundredths);
            i.sub_item = row.parent_seq.is_some();
            EvaluatedIndicator {
                indicator: i,
                actual: form_value(&row.actual_value),
                score: row
                    .reduced_x100
                    .or(row.score_x100)
                    .filter(|_| filled)
                    .map(from_hundredths),
                explanation: row.deviation_reason.clone(),
            }
        })
        .collect();
    let total_score = r.total_x100.filter(|_| filled).map(from_hundredths);
    if r.object_kind == "unit" {
        UnitSelfEvaluationForm {
            fiscal_year: r.fiscal_year,
            unit: r.unit_name.clone(),
            funds,
            goal_expected: r.overall_goal.clone(),
            goal_actual: r.overall_actual.clone(),
            indicators,
            total_score,
        }
        .into()
    } else {
        ProjectSelfEvaluationForm {
            fiscal_year: r.fiscal_year,
            project: r.title.clone(),
            department: r.unit_name.clone(),
            implementer: r.unit_name.clone(),
            funds,
            goal_expected: r.overall_goal.clone(),
            goal_actual: r.overall_actual.clone(),
            indicators,
            total_score,
        }
        .into()
    }
}

/// `GET /evaluations/{id}/form.xlsx`: one self-evaluation as its pre-filled form, for whoever may
/// open it.
pub async fn form_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    let r = flow::visible(&a, id).await?;
    if r.kind != "self" {
        return Err(WebError::NotFound(
            "只有绩效自评有填报表；部门评价和财政评价请在评价页面查看".into(),
        ));
    }
    let rows = store::rows(&state.store, id).await?;
    let settings = jixiao_store::regions::settings(&state.store, &r.region_code).await?;
    let bytes = jixiao_forms::xlsx::write::write_form(&self_evaluation_form(&settings, &r, &rows))
        .map_err(|e| WebError::Internal(format!("生成自评表失败：{e}")))?;
    Ok(crate::pages::monitoring::xlsx_download(
        bytes,
        "self-evaluation.xlsx",
        &format!("{}（{}年度绩效自评表）.xlsx", r.title, r.fiscal_year),
    ))
}

/// Forms in one workbook at most: Excel copes, people do not.
pub(super) const WORKBOOK_FORMS: i64 = 500;

/// `GET /evaluations/rounds/{id}/workbook.xlsx`: the round's forms of the reader's units (finance:
/// all), one sheet each, to fill in Excel and upload on 数据导入 as 绩效自评.
pub async fn round_workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let a = actor(&state, &user, "");
    let round = flow::round(&a, id).await?;
    let units = flow::workbook_units(&a).await?;
    let listed = store::round_rows(
        &state.store,
        round.id,
        units.as_deref(),
        WORKBOOK_FORMS + 1,
        0,
    )
    .await?;
    if listed.is_empty() {
        return Err(WebError::Conflict(
            "该自评任务中没有您可填报的绩效自评".into(),
        ));
    }
    if listed.len() as i64 > WORKBOOK_FORMS {
        return Err(WebError::Conflict(format!(
            "该自评任务超过 {WORKBOOK_FORMS} 份自评表，超出单个工作簿的上限；请在各单位的自评页面逐份下载"
        )));
    }
    let settings = jixiao_store::regions::settings(&state.store, &user.region).await?;
    let mut forms = Vec::with_capacity(listed.len());
    for row in &listed {
        let Some(r) = store::record(&state.store, &user.region, row.id).await? else {
            continue;
        };
        let rows = store::rows(&state.store, r.id).await?;
        forms.push(self_evaluation_form(&settings, &r, &rows));
    }
    let bytes = jixiao_forms::xlsx::write::write_forms(&forms)
        .map_err(|e| WebError::Internal(format!("生成自评表失败：{e}")))?;
    Ok(crate::pages::monitoring::xlsx_download(
        bytes,
        "self-evaluations.xlsx",
        &format!("{}（填报表）.xlsx", round.name),
    ))
}
