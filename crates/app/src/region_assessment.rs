//! 下级区划预算绩效管理工作考核 (issue 14 item 1): a prefecture or province assesses the
//! performance-management work of the regions directly below it, with the machinery of the unit
//! assessment (SPEC §11) and regions in place of units. The finance performance office of the
//! upper level opens the year with its rubric (规则参数 as they stand), scores the manual items,
//! adjusts any item with a reason, and finalises: scores, ranking, the commended list and the
//! interview list with its deadline. A subject region's automatic items are counted over every
//! level-1 unit of its subtree ([`jixiao_store::region_assessment::records`]); scoring, ranking
//! and lists are `jixiao_domain::assessment`'s, the same as for units.
//!
//! Who reads what: the upper level's finance staff read the round while open and after; its
//! leaders (viewers) once finalised; a subordinate region's finance staff and leaders read their
//! own region's finalised result, not the others'.

use crate::assessment::{check_year, interview_deadline, points, rubric_of};
use crate::input::{json, text_or_number};
use crate::{Actor, AppError, FieldProblem};
use chrono::NaiveDate;
use jixiao_domain::assessment::{self as rules, Adjustment, ItemScore, Records, UnitInput};
use jixiao_domain::decimal::{from_hundredths, to_hundredths, trim};
use jixiao_domain::settings::AssessmentSettings;
use jixiao_domain::types::{Role, UnitCode};
use jixiao_store::assessment::Round;
use jixiao_store::deadlines::today;
use jixiao_store::region_assessment::{self as store, Mark};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The object kind of a round in audit entries and history.
pub const KIND: &str = "region_assessment";

pub const OPEN: &str = "open";
pub const FINALIZED: &str = "finalized";

/// Whether the user runs the assessment of the regions below its own: the finance performance
/// administrator of a region that has regions below it.
pub async fn manages(actor: &Actor<'_>) -> Result<bool, AppError> {
    Ok(actor.user.has(Role::FinanceAdmin)
        && jixiao_store::regions::has_subordinates(actor.store, &actor.user.region).await?)
}

async fn may_manage(actor: &Actor<'_>) -> Result<(), AppError> {
    if !actor.user.has(Role::FinanceAdmin) {
        return Err(AppError::Denied("下级区划考核由财政绩效管理员办理".into()));
    }
    if !jixiao_store::regions::has_subordinates(actor.store, &actor.user.region).await? {
        return Err(AppError::Refused("本区划没有下级区划，无可考核".into()));
    }
    Ok(())
}

/// The round's readers: the region's finance staff always, its other region-wide readers
/// (leaders) once finalised.
fn may_read(actor: &Actor<'_>, round: Option<&Round>) -> Result<(), AppError> {
    if !actor.user.sees_region() {
        return Err(AppError::Forbidden);
    }
    match round {
        _ if actor.is_finance() => Ok(()),
        Some(r) if r.state == FINALIZED => Ok(()),
        Some(r) => Err(AppError::Refused(format!(
            "{} 年度下级区划考核尚未定稿",
            r.fiscal_year
        ))),
        None => Ok(()),
    }
}

async fn round_of(actor: &Actor<'_>, year: i32) -> Result<Round, AppError> {
    store::round(actor.store, &actor.user.region, year)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{year} 年度下级区划考核")))
}

fn open_round(round: &Round) -> Result<(), AppError> {
    if round.state == OPEN {
        Ok(())
    } else {
        Err(AppError::Refused(format!(
            "{} 年度下级区划考核已定稿，不能再修改",
            round.fiscal_year
        )))
    }
}

/// The domain ranks by code; a region code is a valid one.
fn code(c: &str) -> UnitCode {
    UnitCode::parse(c).unwrap_or_else(|_| UnitCode::parse("X").expect("a valid code"))
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// One assessed region's line.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectRow {
    pub code: String,
    pub name: String,
    pub items: Vec<ItemScore>,
    pub total: Decimal,
    /// Manual items not scored yet (open rounds).
    pub pending: usize,
    /// Problems other than pending items.
    pub problems: Vec<String>,
    /// Once every region is fully scored (or finalised).
    pub rank: Option<u32>,
    /// `commended`, `interviewed` or empty.
    pub listed: String,
    /// The counts of its subtree the automatic items are computed from.
    pub records: Records,
}

/// The year's assessment of the regions below the user's own.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub fiscal_year: i32,
    pub round: Option<Round>,
    pub rubric: AssessmentSettings,
    /// In ranking order once ranked, otherwise by region code.
    pub subjects: Vec<SubjectRow>,
    /// Every region fully scored without problems: the ranking and lists are drawn.
    pub complete: bool,
    pub commended: Vec<String>,
    pub interviewed: Vec<String>,
}

fn input_of(subject: &str, records: Records, marks: &[&Mark]) -> UnitInput {
    let mut manual = BTreeMap::new();
    let mut adjustments = Vec::new();
    for m in marks {
        if let Some(s) = m.manual_x100 {
            manual.insert(m.item_key.clone(), from_hundredths(s));
        }
        if let Some(a) = m.adjust_x100 {
            adjustments.push(Adjustment {
                item: m.item_key.clone(),
                points: from_hundredths(a),
                reason: m.reason.clone(),
            });
        }
    }
    UnitInput {
        unit: code(subject),
        records,
        manual,
        adjustments,
    }
}

/// The regions directly below the user's: (code, name).
async fn subjects_of(actor: &Actor<'_>) -> Result<Vec<(String, String)>, AppError> {
    Ok(
        jixiao_store::regions::children(actor.store, &actor.user.region)
            .await?
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect(),
    )
}

/// Each subject's inputs as of today.
async fn inputs(
    actor: &Actor<'_>,
    round: &Round,
    subjects: &[(String, String)],
) -> Result<Vec<UnitInput>, AppError> {
    let marks = store::marks(actor.store, round.id).await?;
    let mut by_subject: HashMap<&str, Vec<&Mark>> = HashMap::new();
    for m in &marks {
        by_subject
            .entry(m.subject_code.as_str())
            .or_default()
            .push(m);
    }
    let mut out = Vec::with_capacity(subjects.len());
    for (c, _) in subjects {
        let records = store::records(actor.store, c, round.fiscal_year, today()).await?;
        out.push(input_of(
            c,
            records,
            by_subject.get(c.as_str()).map(Vec::as_slice).unwrap_or(&[]),
        ));
    }
    Ok(out)
}

fn listed(lists: &rules::Lists, c: &UnitCode) -> &'static str {
    if lists.interviewed.contains(c) {
        "interviewed"
    } else if lists.commended.contains(c) {
        "commended"
    } else {
        ""
    }
}

async fn compute(actor: &Actor<'_>, round: &Round) -> Result<Overview, AppError> {
    let rubric = rubric_of(round)?;
    let mut o = Overview {
        fiscal_year: round.fiscal_year,
        round: Some(round.clone()),
        rubric: rubric.clone(),
        subjects: Vec::new(),
        complete: false,
        commended: Vec::new(),
        interviewed: Vec::new(),
    };
    if round.state == FINALIZED {
        for r in store::results(actor.store, round.id).await? {
            match r.listed.as_str() {
                "commended" => o.commended.push(r.subject_name.clone()),
                "interviewed" => o.interviewed.push(r.subject_name.clone()),
                _ => {}
            }
            o.subjects.push(SubjectRow {
                items: serde_json::from_str(&r.items).unwrap_or_default(),
                records: serde_json::from_str(&r.records).unwrap_or_default(),
                code: r.subject_code,
                name: r.subject_name,
                total: from_hundredths(r.total_x100),
                pending: 0,
                problems: vec![],
                rank: u32::try_from(r.rank).ok(),
                listed: r.listed,
            });
        }
        o.complete = true;
        return Ok(o);
    }
    let subjects = subjects_of(actor).await?;
    let inputs = inputs(actor, round, &subjects).await?;
    for ((c, name), input) in subjects.iter().zip(&inputs) {
        let (a, problems) = rules::score_provisional(&rubric, input);
        o.subjects.push(SubjectRow {
            code: c.clone(),
            name: name.clone(),
            pending: a.items.iter().filter(|i| i.pending).count(),
            items: a.items,
            total: a.total,
            problems: problems.iter().map(ToString::to_string).collect(),
            rank: None,
            listed: String::new(),
            records: input.records,
        });
    }
    if let Ok(outcome) = rules::assess(&rubric, &inputs) {
        let position: HashMap<&str, (usize, u32)> = outcome
            .ranking
            .iter()
            .enumerate()
            .map(|(n, r)| (r.unit.as_str(), (n, r.rank)))
            .collect();
        for s in &mut o.subjects {
            s.rank = position.get(s.code.as_str()).map(|p| p.1);
            s.listed = listed(&outcome.lists, &code(&s.code)).to_string();
        }
        o.subjects
            .sort_by_key(|s| position.get(s.code.as_str()).map_or(usize::MAX, |p| p.0));
        let names = |want: &[UnitCode]| -> Vec<String> {
            want.iter()
                .filter_map(|c| subjects.iter().find(|s| s.0 == c.as_str()))
                .map(|s| s.1.clone())
                .collect()
        };
        o.commended = names(&outcome.lists.commended);
        o.interviewed = names(&outcome.lists.interviewed);
        o.complete = true;
    }
    Ok(o)
}

/// The years with a round, latest first.
pub async fn rounds(actor: &Actor<'_>) -> Result<Vec<Round>, AppError> {
    may_read(actor, None)?;
    Ok(store::rounds(actor.store, &actor.user.region).await?)
}

/// The year's assessment of the regions below the user's own.
pub async fn overview(actor: &Actor<'_>, year: i32) -> Result<Overview, AppError> {
    let round = store::round(actor.store, &actor.user.region, year).await?;
    may_read(actor, round.as_ref())?;
    match round {
        Some(r) => compute(actor, &r).await,
        None => {
            // Nothing opened yet: the rubric it would open with and the regions it would assess.
            let settings = jixiao_store::regions::settings(actor.store, &actor.user.region).await?;
            Ok(Overview {
                fiscal_year: year,
                round: None,
                rubric: settings.assessment,
                subjects: subjects_of(actor)
                    .await?
                    .into_iter()
                    .map(|(code, name)| SubjectRow {
                        code,
                        name,
                        items: vec![],
                        total: Decimal::ZERO,
                        pending: 0,
                        problems: vec![],
                        rank: None,
                        listed: String::new(),
                        records: Records::default(),
                    })
                    .collect(),
                complete: false,
                commended: vec![],
                interviewed: vec![],
            })
        }
    }
}

/// What the level above finalised about the user's own region.
#[derive(Debug, Clone, Serialize)]
pub struct OwnResult {
    pub fiscal_year: i32,
    /// The assessing region.
    pub assessor: String,
    pub subject: SubjectRow,
    /// How many regions were assessed with it.
    pub of: usize,
    pub interview_deadline: Option<NaiveDate>,
}

/// The finalised results of the user's own region, latest year first: what its finance staff
/// and leaders read (never the other regions' sheets).
pub async fn own_results(actor: &Actor<'_>) -> Result<Vec<OwnResult>, AppError> {
    if !actor.user.sees_region() {
        return Err(AppError::Forbidden);
    }
    let region = &actor.user.region;
    let Some(parent) = jixiao_store::regions::get(actor.store, region)
        .await?
        .and_then(|r| r.parent_code)
    else {
        return Ok(Vec::new());
    };
    let assessor = jixiao_store::regions::get(actor.store, &parent)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let mut out = Vec::new();
    for year in store::years_of(actor.store, region).await? {
        let (Some(round), Some(r)) = (
            store::round(actor.store, &parent, year).await?,
            store::result_of(actor.store, region, year).await?,
        ) else {
            continue;
        };
        let of = store::results(actor.store, round.id).await?.len();
        out.push(OwnResult {
            fiscal_year: year,
            assessor: assessor.clone(),
            of,
            interview_deadline: round.interview_deadline,
            subject: SubjectRow {
                items: serde_json::from_str(&r.items).unwrap_or_default(),
                records: serde_json::from_str(&r.records).unwrap_or_default(),
                code: r.subject_code,
                name: r.subject_name,
                total: from_hundredths(r.total_x100),
                pending: 0,
                problems: vec![],
                rank: u32::try_from(r.rank).ok(),
                listed: r.listed,
            },
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Changing.

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OpenInput {
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
}

/// Opens the year's assessment of the regions below with the region's rubric (规则参数).
pub async fn open(actor: &Actor<'_>, input: &OpenInput) -> Result<i32, AppError> {
    may_manage(actor).await?;
    let year = check_year(&input.fiscal_year)?;
    let region = &actor.user.region;
    let taken = || AppError::Refused(format!("{year} 年度下级区划考核已开启"));
    if store::round(actor.store, region, year).await?.is_some() {
        return Err(taken());
    }
    let rubric = jixiao_store::regions::settings(actor.store, region)
        .await?
        .assessment;
    rules::validate_rubric(&rubric.items).map_err(|e| {
        AppError::Refused(
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("；"),
        )
    })?;
    let body = json(&rubric);
    let mut tx = actor.store.begin().await?;
    let id = store::open_round(&mut tx, region, year, &body, actor.user.id)
        .await
        .map_err(|e| match e {
            jixiao_store::StoreError::Duplicate(_) => taken(),
            other => other.into(),
        })?;
    actor
        .history(&mut tx, year, KIND, id, "", OPEN, "open", "")
        .await?;
    actor
        .audit(&mut tx, "region_assessment.open", KIND, id, "", &body)
        .await?;
    tx.commit().await?;
    Ok(year)
}

/// Edits the round's rubric while it is open: item names and maxima, a new manual item, the
/// sizes of the commended and interview lists and the interview threshold. A prefecture with few
/// counties sets its own list sizes here; the defaults come from its rule parameters, made for
/// ranking its dozens of units.
pub async fn set_rubric(
    actor: &Actor<'_>,
    year: i32,
    input: &crate::assessment::RubricInput,
) -> Result<(), AppError> {
    may_manage(actor).await?;
    let round = round_of(actor, year).await?;
    open_round(&round)?;
    let after = crate::assessment::edited_rubric(&rubric_of(&round)?, input)?;
    let body = json(&after);
    let mut tx = actor.store.begin().await?;
    store::set_rubric(&mut tx, round.id, input.row_version, &body).await?;
    actor
        .audit(
            &mut tx,
            "region_assessment.rubric",
            KIND,
            round.id,
            &round.rubric,
            &body,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// One region's item as the assessor enters it: the score of a manual item, and an adjustment
/// of any item with its reason. Empty fields clear them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MarkInput {
    /// The assessed region's code.
    pub region: String,
    pub item: String,
    #[serde(deserialize_with = "text_or_number")]
    pub score: String,
    #[serde(deserialize_with = "text_or_number")]
    pub adjust: String,
    pub reason: String,
}

/// Sets one region's mark for one item; every problem of the form is reported at once.
pub async fn mark(actor: &Actor<'_>, year: i32, input: &MarkInput) -> Result<(), AppError> {
    may_manage(actor).await?;
    let round = round_of(actor, year).await?;
    open_round(&round)?;
    let rubric = rubric_of(&round)?;
    let subjects = subjects_of(actor).await?;
    let Some((subject, name)) = subjects.iter().find(|s| s.0 == input.region.trim()) else {
        return Err(AppError::invalid(
            "地区",
            format!("“{}”不是本区划的直接下级区划", input.region.trim()),
        ));
    };
    let Some(item) = rubric.items.iter().find(|i| i.key == input.item.trim()) else {
        return Err(AppError::invalid(
            "考核项目",
            format!("考核细则中没有编码为“{}”的项目", input.item.trim()),
        ));
    };
    let automatic = rules::automatic_ratio(&item.key, &Records::default()).is_some();
    let field = format!("{name} {}", item.name);
    let mut errors = Vec::new();
    let score = match input.score.trim() {
        "" => None,
        _ if automatic => {
            errors.push(FieldProblem::new(
                &field,
                "由系统自动计算，不能直接填写得分；如需改变，请填写调整分值及理由",
            ));
            None
        }
        t => match points(&field, t, &mut errors) {
            Some(s) if s < Decimal::ZERO || s > item.max => {
                errors.push(FieldProblem::new(
                    &field,
                    format!("得分 {} 应在 0 至 {} 分之间", trim(s), trim(item.max)),
                ));
                None
            }
            s => s.map(to_hundredths),
        },
    };
    let reason = input.reason.trim();
    let adjust = match input.adjust.trim() {
        "" => None,
        t => {
            let p = points("调整分值", t, &mut errors);
            match p {
                Some(p) if p == Decimal::ZERO => errors.push(FieldProblem::new(
                    "调整分值",
                    "调整分值不能为 0；如需取消调整，请清空分值",
                )),
                Some(p) if p.abs() > item.max => errors.push(FieldProblem::new(
                    "调整分值",
                    format!("调整幅度不能超过该项满分 {}", trim(item.max)),
                )),
                _ => {}
            }
            if reason.is_empty() {
                errors.push(FieldProblem::new(
                    "调整理由",
                    rules::AssessmentError::ReasonRequired(item.name.clone()).to_string(),
                ));
            } else if reason.chars().count() > 500 {
                errors.push(FieldProblem::new("调整理由", "理由不能超过 500 字"));
            }
            p.map(to_hundredths)
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let before = store::marks(actor.store, round.id)
        .await?
        .into_iter()
        .find(|m| &m.subject_code == subject && m.item_key == item.key);
    let mut tx = actor.store.begin().await?;
    store::set_mark(
        &mut tx,
        round.id,
        subject,
        &item.key,
        score,
        adjust.map(|a| (a, reason)),
        actor.user.id,
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "region_assessment.mark",
            KIND,
            round.id,
            &before.map(|m| json(&m)).unwrap_or_default(),
            &json(&serde_json::json!({"region": subject, "item": item.key,
                "score_x100": score, "adjust_x100": adjust,
                "reason": if adjust.is_some() { reason } else { "" }})),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FinalizeInput {
    pub row_version: i32,
    /// The interviews' deadline (YYYY-MM-DD); empty: 30 days from today.
    pub interview_deadline: String,
}

/// What finalising wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Finalized {
    pub regions: usize,
    pub commended: usize,
    pub interviewed: usize,
}

/// Finalises the year: every region below scored, ranked and listed. Refused while any manual
/// item is unscored.
pub async fn finalize(
    actor: &Actor<'_>,
    year: i32,
    input: &FinalizeInput,
) -> Result<Finalized, AppError> {
    may_manage(actor).await?;
    let round = round_of(actor, year).await?;
    open_round(&round)?;
    let deadline = interview_deadline(&input.interview_deadline, year)?;
    let rubric = rubric_of(&round)?;
    let subjects = subjects_of(actor).await?;
    let inputs = inputs(actor, &round, &subjects).await?;
    let outcome = rules::assess(&rubric, &inputs).map_err(|errors| {
        let first: Vec<String> = errors
            .iter()
            .take(5)
            .map(|(c, e)| {
                let name = subjects
                    .iter()
                    .find(|s| s.0 == c.as_str())
                    .map_or(c.as_str(), |s| s.1.as_str());
                format!("{name}：{e}")
            })
            .collect();
        AppError::Refused(format!(
            "还有地区未完成评分，不能定稿。{}{}",
            first.join("；"),
            if errors.len() > 5 { "……" } else { "" }
        ))
    })?;
    let ranks: HashMap<&UnitCode, u32> =
        outcome.ranking.iter().map(|r| (&r.unit, r.rank)).collect();
    let mut tx = actor.store.begin().await?;
    store::finalize_round(
        &mut tx,
        round.id,
        input.row_version,
        actor.user.id,
        deadline,
    )
    .await?;
    for ((c, _), (input, a)) in subjects.iter().zip(inputs.iter().zip(&outcome.units)) {
        store::insert_result(
            &mut tx,
            &store::NewResult {
                round_id: round.id,
                subject: c,
                total_x100: to_hundredths(a.total),
                rank: i32::try_from(ranks.get(&a.unit).copied().unwrap_or(0)).unwrap_or(i32::MAX),
                listed: listed(&outcome.lists, &a.unit),
                records: &json(&input.records),
                items: &json(&a.items),
            },
        )
        .await?;
    }
    let done = Finalized {
        regions: subjects.len(),
        commended: outcome.lists.commended.len(),
        interviewed: outcome.lists.interviewed.len(),
    };
    actor
        .history(
            &mut tx, year, KIND, round.id, OPEN, FINALIZED, "finalize", "",
        )
        .await?;
    actor
        .audit(
            &mut tx,
            "region_assessment.finalize",
            KIND,
            round.id,
            "",
            &json(
                &serde_json::json!({"regions": done.regions, "commended": done.commended,
                "interviewed": done.interviewed, "interview_deadline": deadline}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(done)
}
