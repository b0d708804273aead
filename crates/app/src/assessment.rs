//! 部门预算绩效管理工作考核 (SPEC §11, issue 12 item 1): the finance performance office opens a
//! year's assessment with its rubric, enters the manual items, adjusts any item with a reason,
//! and finalises it: the scores, the ranking, the commended list and the interview list, each
//! interview opening a rectification notice for the unit. The automatic items are computed from
//! the year's records ([`jixiao_store::assessment`]); the scoring, ranking and lists are
//! `jixiao_domain::assessment`'s. A unit reads its own finalised score sheet, not the others';
//! leaders read the finalised ranking.

use crate::input::{json, text_or_number};
use crate::{Actor, AppError, FieldProblem};
use chrono::NaiveDate;
use jixiao_domain::assessment::{
    self as rules, Adjustment, AssessmentError, Count, ItemScore, Lists, Measure, Records,
    UnitAssessment, UnitInput,
};
use jixiao_domain::decimal::{from_hundredths, parse_loose, round2, to_hundredths, trim};
use jixiao_domain::settings::{AssessmentItem, AssessmentSettings};
use jixiao_domain::types::{Role, UnitCode};
use jixiao_domain::workflow::RectificationState;
use jixiao_store::assessment::{self as store, Counted, Mark, ResultItem, Round};
use jixiao_store::browse::Scope;
use jixiao_store::deadlines::today;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The object kind of a round in audit entries and history.
pub const KIND: &str = "assessment";

/// Days from finalising to the default interview deadline.
pub const INTERVIEW_DAYS: i64 = 30;

pub const OPEN: &str = "open";
pub const FINALIZED: &str = "finalized";

fn may_manage(actor: &Actor<'_>) -> Result<(), AppError> {
    if actor.user.has(Role::FinanceAdmin) {
        Ok(())
    } else {
        Err(AppError::Denied("部门考核由财政绩效管理员办理".into()))
    }
}

/// Whether the user manages the assessment (for the pages' buttons).
pub fn manages(actor: &Actor<'_>) -> bool {
    actor.user.has(Role::FinanceAdmin)
}

pub(crate) fn check_year(text: &str) -> Result<i32, AppError> {
    match text.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(AppError::invalid(
            "考核年度",
            format!("“{text}”不是有效的年度"),
        )),
    }
}

pub(crate) fn rubric_of(round: &Round) -> Result<AssessmentSettings, AppError> {
    serde_json::from_str(&round.rubric)
        .map_err(|_| AppError::Refused("本年度考核细则无法读取，请联系系统管理员".into()))
}

async fn round_of(actor: &Actor<'_>, year: i32) -> Result<Round, AppError> {
    store::round(actor.store, &actor.user.region, year)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{year} 年度部门考核")))
}

fn open_round(round: &Round) -> Result<(), AppError> {
    if round.state == OPEN {
        Ok(())
    } else {
        Err(AppError::Refused(format!(
            "{} 年度部门考核已定稿，不能再修改",
            round.fiscal_year
        )))
    }
}

/// Who reads the year's ranking: finance staff while open and after; leaders and
/// administrators once finalised. Unit users read their own sheet only.
async fn may_read_ranking(actor: &Actor<'_>, round: &Round) -> Result<(), AppError> {
    match actor.scope().await? {
        Scope::Region if actor.is_finance() => Ok(()),
        Scope::Region | Scope::Published if round.state == FINALIZED => Ok(()),
        Scope::Region | Scope::Published => Err(AppError::Refused(format!(
            "{} 年度部门考核尚未定稿",
            round.fiscal_year
        ))),
        _ => Err(AppError::Forbidden),
    }
}

/// Whether the user reads unit `unit_id`'s sheet of the round.
async fn may_read_sheet(actor: &Actor<'_>, round: &Round, unit_id: i64) -> Result<(), AppError> {
    match actor.scope().await? {
        Scope::Units(ids) if ids.contains(&unit_id) && round.state == FINALIZED => Ok(()),
        Scope::Units(ids) if ids.contains(&unit_id) => Err(AppError::Refused(format!(
            "{} 年度部门考核尚未定稿，定稿后可查看本单位得分",
            round.fiscal_year
        ))),
        Scope::Units(_) | Scope::Agency(_) | Scope::Nothing => Err(AppError::Forbidden),
        _ => may_read_ranking(actor, round).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// One unit's line of the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub items: Vec<ItemScore>,
    pub total: Decimal,
    /// Manual items not scored yet (open rounds).
    pub pending: usize,
    /// Problems other than pending items (an entered score above a lowered maximum …).
    pub problems: Vec<String>,
    /// Once every unit is fully scored (or finalised).
    pub rank: Option<u32>,
    /// `commended`, `interviewed` or empty.
    pub listed: String,
    pub rectification_id: Option<i64>,
    #[serde(skip)]
    pub records: Records,
}

/// The year's assessment as its page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub fiscal_year: i32,
    pub round: Option<Round>,
    pub rubric: AssessmentSettings,
    /// In ranking order once ranked, otherwise by unit code.
    pub units: Vec<UnitRow>,
    /// Every unit fully scored without problems: the ranking and lists are drawn.
    pub complete: bool,
    pub commended: Vec<String>,
    pub interviewed: Vec<String>,
}

fn x100(d: Decimal) -> i64 {
    to_hundredths(d)
}

fn item_from_result(i: &ResultItem) -> ItemScore {
    ItemScore {
        key: i.item_key.clone(),
        name: i.name.clone(),
        max: from_hundredths(i.max_x100),
        automatic: i.automatic,
        computed: from_hundredths(i.auto_x100.unwrap_or(0)),
        adjustment: from_hundredths(i.adjust_x100),
        reasons: if i.reason.is_empty() {
            vec![]
        } else {
            vec![i.reason.clone()]
        },
        score: from_hundredths(i.final_x100),
        pending: false,
    }
}

fn code(c: &str) -> UnitCode {
    UnitCode::parse(c).unwrap_or_else(|_| UnitCode::parse("X").expect("a valid code"))
}

fn input_of(unit: &(i64, String, String), records: Records, marks: &[&Mark]) -> UnitInput {
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
        unit: code(&unit.1),
        records,
        manual,
        adjustments,
    }
}

/// The live scoring of an open round (or the finalised result).
async fn compute(actor: &Actor<'_>, round: &Round) -> Result<Overview, AppError> {
    let region = &actor.user.region;
    let rubric = rubric_of(round)?;
    if round.state == FINALIZED {
        let results = store::results(actor.store, region, round.fiscal_year, None).await?;
        let items = store::result_items(actor.store, region, round.fiscal_year, None).await?;
        let mut units = Vec::with_capacity(results.len());
        let (mut commended, mut interviewed) = (Vec::new(), Vec::new());
        for r in results {
            match r.listed.as_str() {
                "commended" => commended.push(r.unit_name.clone()),
                "interviewed" => interviewed.push(r.unit_name.clone()),
                _ => {}
            }
            units.push(UnitRow {
                unit_id: r.unit_id,
                unit_code: r.unit_code,
                unit_name: r.unit_name,
                items: items
                    .get(&r.id)
                    .map(|v| v.iter().map(item_from_result).collect())
                    .unwrap_or_default(),
                total: from_hundredths(r.total_x100),
                pending: 0,
                problems: vec![],
                rank: u32::try_from(r.rank).ok(),
                listed: r.listed,
                rectification_id: r.rectification_id,
                records: serde_json::from_str(&r.records).unwrap_or_default(),
            });
        }
        return Ok(Overview {
            fiscal_year: round.fiscal_year,
            round: Some(round.clone()),
            rubric,
            units,
            complete: true,
            commended,
            interviewed,
        });
    }
    let level_one = jixiao_store::units::level_one(actor.store, region).await?;
    let records = store::records(actor.store, region, round.fiscal_year, today()).await?;
    let marks = store::marks(actor.store, round.id).await?;
    let mut by_unit: BTreeMap<i64, Vec<&Mark>> = BTreeMap::new();
    for m in &marks {
        by_unit.entry(m.unit_id).or_default().push(m);
    }
    let mut units = Vec::with_capacity(level_one.len());
    let mut inputs = Vec::with_capacity(level_one.len());
    for u in &level_one {
        let r = records.get(&u.0).copied().unwrap_or_default();
        let input = input_of(u, r, by_unit.get(&u.0).map(Vec::as_slice).unwrap_or(&[]));
        let (a, problems): (UnitAssessment, Vec<AssessmentError>) =
            rules::score_provisional(&rubric, &input);
        units.push(UnitRow {
            unit_id: u.0,
            unit_code: u.1.clone(),
            unit_name: u.2.clone(),
            pending: a.items.iter().filter(|i| i.pending).count(),
            items: a.items,
            total: a.total,
            problems: problems.iter().map(ToString::to_string).collect(),
            rank: None,
            listed: String::new(),
            rectification_id: None,
            records: r,
        });
        inputs.push(input);
    }
    let mut overview = Overview {
        fiscal_year: round.fiscal_year,
        round: Some(round.clone()),
        rubric: rubric.clone(),
        units,
        complete: false,
        commended: vec![],
        interviewed: vec![],
    };
    if let Ok(outcome) = rules::assess(&rubric, &inputs) {
        apply_outcome(&mut overview, &outcome.ranking, &outcome.lists);
    }
    Ok(overview)
}

fn apply_outcome(o: &mut Overview, ranking: &[rules::Ranked], lists: &Lists) {
    let position: BTreeMap<&str, (usize, u32)> = ranking
        .iter()
        .enumerate()
        .map(|(n, r)| (r.unit.as_str(), (n, r.rank)))
        .collect();
    for u in &mut o.units {
        if let Some((_, rank)) = position.get(u.unit_code.as_str()) {
            u.rank = Some(*rank);
        }
        let c = code(&u.unit_code);
        u.listed = if lists.interviewed.contains(&c) {
            "interviewed".into()
        } else if lists.commended.contains(&c) {
            "commended".into()
        } else {
            String::new()
        };
    }
    o.units.sort_by_key(|u| {
        position
            .get(u.unit_code.as_str())
            .map_or(usize::MAX, |p| p.0)
    });
    let names = |want: &[UnitCode]| -> Vec<String> {
        want.iter()
            .filter_map(|c| o.units.iter().find(|u| u.unit_code == c.as_str()))
            .map(|u| u.unit_name.clone())
            .collect()
    };
    o.commended = names(&lists.commended);
    o.interviewed = names(&lists.interviewed);
    o.complete = true;
}

/// The years with a round, latest first.
pub async fn rounds(actor: &Actor<'_>) -> Result<Vec<Round>, AppError> {
    Ok(store::rounds(actor.store, &actor.user.region).await?)
}

/// The year's assessment: the ranking for finance (and, once finalised, for leaders).
pub async fn overview(actor: &Actor<'_>, year: i32) -> Result<Overview, AppError> {
    let Some(round) = store::round(actor.store, &actor.user.region, year).await? else {
        // Nothing opened yet: finance sees the rubric it would open with.
        match actor.scope().await? {
            Scope::Region | Scope::Published => {}
            _ => return Err(AppError::Forbidden),
        }
        let settings = jixiao_store::regions::settings(actor.store, &actor.user.region).await?;
        return Ok(Overview {
            fiscal_year: year,
            round: None,
            rubric: settings.assessment,
            units: vec![],
            complete: false,
            commended: vec![],
            interviewed: vec![],
        });
    };
    may_read_ranking(actor, &round).await?;
    compute(actor, &round).await
}

/// The finalised results of the units a unit user may read, for its own page.
pub async fn own_results(actor: &Actor<'_>, year: i32) -> Result<Vec<store::ResultRow>, AppError> {
    let Scope::Units(ids) = actor.scope().await? else {
        return Ok(vec![]);
    };
    let Some(round) = store::round(actor.store, &actor.user.region, year).await? else {
        return Ok(vec![]);
    };
    if round.state != FINALIZED {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for id in ids {
        out.extend(store::results(actor.store, &actor.user.region, year, Some(id)).await?);
    }
    Ok(out)
}

/// One count behind an item, as the sheet shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SheetCount {
    pub measure: Measure,
    pub label: &'static str,
    pub count: Count,
    /// done / total as a percentage with 2 decimals ("100.00" when nothing was due).
    pub percent: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetItem {
    pub score: ItemScore,
    pub formula: Option<&'static str>,
    pub counts: Vec<SheetCount>,
    /// "无应计事项，按满分计" when an automatic item had nothing to count.
    pub note: String,
}

/// One unit's score sheet with the explanations.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    pub fiscal_year: i32,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub state: String,
    pub items: Vec<SheetItem>,
    pub total: Decimal,
    pub pending: usize,
    pub problems: Vec<String>,
    pub rank: Option<u32>,
    pub of: usize,
    pub listed: String,
    pub rectification_id: Option<i64>,
    pub row_version: i32,
}

pub async fn sheet(actor: &Actor<'_>, year: i32, unit_id: i64) -> Result<Sheet, AppError> {
    let round = round_of(actor, year).await?;
    may_read_sheet(actor, &round, unit_id).await?;
    let o = compute(actor, &round).await?;
    let of = o.units.len();
    let Some(u) = o.units.into_iter().find(|u| u.unit_id == unit_id) else {
        return Err(AppError::NotFound("该单位的考核结果".into()));
    };
    let items = u
        .items
        .iter()
        .map(|i| {
            let counts: Vec<SheetCount> = if i.automatic {
                rules::measures(&i.key)
                    .iter()
                    .map(|m| {
                        let count = m.count(&u.records);
                        SheetCount {
                            measure: *m,
                            label: m.label(),
                            count,
                            percent: trim(round2(count.ratio() * Decimal::ONE_HUNDRED)),
                        }
                    })
                    .collect()
            } else {
                vec![]
            };
            let note = if i.automatic && counts.iter().all(|c| c.count.total == 0) {
                "无应计事项，按满分计".to_string()
            } else if !i.automatic {
                "人工评分".to_string()
            } else {
                String::new()
            };
            SheetItem {
                formula: if i.automatic {
                    rules::formula(&i.key)
                } else {
                    None
                },
                score: i.clone(),
                counts,
                note,
            }
        })
        .collect();
    Ok(Sheet {
        fiscal_year: year,
        unit_id,
        unit_code: u.unit_code,
        unit_name: u.unit_name,
        state: round.state.clone(),
        items,
        total: u.total,
        pending: u.pending,
        problems: u.problems,
        rank: u.rank,
        of,
        listed: u.listed,
        rectification_id: u.rectification_id,
        row_version: round.row_version,
    })
}

/// The records behind one count of a unit's sheet (as they stand now).
pub async fn counted(
    actor: &Actor<'_>,
    year: i32,
    unit_id: i64,
    measure: &str,
) -> Result<(Measure, Vec<Counted>), AppError> {
    let round = round_of(actor, year).await?;
    may_read_sheet(actor, &round, unit_id).await?;
    let Some(m) = Measure::parse(measure) else {
        return Err(AppError::NotFound(format!("考核计数“{measure}”")));
    };
    let rows = store::counted(actor.store, &actor.user.region, year, today(), unit_id, m).await?;
    Ok((m, rows))
}

// ---------------------------------------------------------------------------------------------
// Changing.

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OpenInput {
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
}

/// Opens the year's assessment with the region's rubric (规则参数) as it stands.
pub async fn open(actor: &Actor<'_>, input: &OpenInput) -> Result<i32, AppError> {
    may_manage(actor)?;
    let year = check_year(&input.fiscal_year)?;
    let region = &actor.user.region;
    if store::round(actor.store, region, year).await?.is_some() {
        return Err(AppError::Refused(format!("{year} 年度部门考核已开启")));
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
    // Two finance users opening the same year at once: the second finds it open (issue 12 review).
    let id = store::open_round(&mut tx, region, year, &body, actor.user.id)
        .await
        .map_err(|e| match e {
            jixiao_store::StoreError::Duplicate(_) => {
                AppError::Refused(format!("{year} 年度部门考核已开启"))
            }
            other => other.into(),
        })?;
    actor
        .history(&mut tx, year, KIND, id, "", OPEN, "open", "")
        .await?;
    actor
        .audit(&mut tx, "assessment.open", KIND, id, "", &body)
        .await?;
    tx.commit().await?;
    Ok(year)
}

/// The rubric as finance edits it: each item's name and maximum, a new manual item, the list
/// sizes and the interview threshold.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RubricInput {
    pub row_version: i32,
    /// By item key: (name, maximum).
    pub items: BTreeMap<String, RubricItemInput>,
    pub new_name: String,
    #[serde(deserialize_with = "text_or_number")]
    pub new_max: String,
    #[serde(deserialize_with = "text_or_number")]
    pub commended: String,
    #[serde(deserialize_with = "text_or_number")]
    pub interviewed: String,
    #[serde(deserialize_with = "text_or_number")]
    pub interview_below: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RubricItemInput {
    pub name: String,
    #[serde(deserialize_with = "text_or_number")]
    pub max: String,
}

pub(crate) fn points(field: &str, text: &str, errors: &mut Vec<FieldProblem>) -> Option<Decimal> {
    match parse_loose(text) {
        Some(d) if d.scale() <= 2 || round2(d) == d => Some(round2(d)),
        Some(_) => {
            errors.push(FieldProblem::new(field, "分值最多保留两位小数"));
            None
        }
        None => {
            errors.push(FieldProblem::new(
                field,
                format!("“{}”不是有效的分值", text.trim()),
            ));
            None
        }
    }
}

fn count_of(field: &str, text: &str, errors: &mut Vec<FieldProblem>) -> u32 {
    match text.trim().parse::<u32>() {
        Ok(n) if n <= 1000 => n,
        _ => {
            errors.push(FieldProblem::new(
                field,
                format!("“{}”不是 0 到 1000 之间的整数", text.trim()),
            ));
            0
        }
    }
}

pub async fn set_rubric(actor: &Actor<'_>, year: i32, input: &RubricInput) -> Result<(), AppError> {
    may_manage(actor)?;
    let round = round_of(actor, year).await?;
    open_round(&round)?;
    let after = edited_rubric(&rubric_of(&round)?, input)?;
    let body = json(&after);
    let mut tx = actor.store.begin().await?;
    store::set_rubric(&mut tx, round.id, input.row_version, &body).await?;
    actor
        .audit(
            &mut tx,
            "assessment.rubric",
            KIND,
            round.id,
            &round.rubric,
            &body,
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The rubric `before` as edited by `input`: every problem at once, and the maxima still adding
/// up to 100. Shared by the unit assessment and the upper level's assessment of its regions.
pub(crate) fn edited_rubric(
    before: &AssessmentSettings,
    input: &RubricInput,
) -> Result<AssessmentSettings, AppError> {
    let mut errors = Vec::new();
    let mut items: Vec<AssessmentItem> = Vec::with_capacity(before.items.len() + 1);
    for i in &before.items {
        let mut item = i.clone();
        if let Some(given) = input.items.get(&i.key) {
            let name = given.name.trim();
            if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
                errors.push(FieldProblem::new(&i.name, "项目名称应为 1 至 40 个字"));
            } else {
                item.name = name.to_string();
            }
            if let Some(max) = points(&format!("{}满分", i.name), &given.max, &mut errors) {
                if max < Decimal::ZERO || max > Decimal::ONE_HUNDRED {
                    errors.push(FieldProblem::new(
                        &format!("{}满分", i.name),
                        "满分应在 0 至 100 之间",
                    ));
                }
                item.max = max;
            }
        }
        items.push(item);
    }
    let new_name = input.new_name.trim();
    if !new_name.is_empty() {
        if new_name.chars().count() > 40 || new_name.chars().any(char::is_control) {
            errors.push(FieldProblem::new("新增项目", "项目名称应为 1 至 40 个字"));
        }
        if let Some(max) = points("新增项目满分", &input.new_max, &mut errors) {
            if max <= Decimal::ZERO || max > Decimal::ONE_HUNDRED {
                errors.push(FieldProblem::new("新增项目满分", "满分应在 0 至 100 之间"));
            }
            let n = (1..).find(|n| !items.iter().any(|i| i.key == format!("custom{n}")));
            items.push(AssessmentItem {
                key: format!("custom{}", n.unwrap_or(1)),
                name: new_name.to_string(),
                max,
                automatic: false,
            });
        }
    }
    let commended = count_of("通报表彰名额", &input.commended, &mut errors);
    let interviewed = count_of("约谈名额", &input.interviewed, &mut errors);
    let below = points("约谈分数线", &input.interview_below, &mut errors);
    if errors.is_empty()
        && let Err(e) = rules::validate_rubric(&items)
    {
        errors.extend(
            e.iter()
                .map(|e| FieldProblem::new("考核细则", e.to_string())),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(AssessmentSettings {
        items,
        commended,
        interviewed,
        interview_below: below.unwrap_or(before.interview_below),
    })
}

/// One manual score as entered (empty clears it).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ManualEntry {
    pub unit_id: i64,
    pub item: String,
    #[serde(deserialize_with = "text_or_number")]
    pub score: String,
}

/// Enters manual scores, all or nothing. Returns how many changed.
pub async fn set_manual(
    actor: &Actor<'_>,
    year: i32,
    entries: &[ManualEntry],
) -> Result<usize, AppError> {
    may_manage(actor)?;
    let round = round_of(actor, year).await?;
    open_round(&round)?;
    let rubric = rubric_of(&round)?;
    // Looked up by key, not scanned per entry: a province enters 3,000 units at once.
    let units: HashMap<i64, _> = jixiao_store::units::level_one(actor.store, &actor.user.region)
        .await?
        .into_iter()
        .map(|u| (u.0, u))
        .collect();
    let marks: HashMap<(i64, String), Option<i64>> = store::marks(actor.store, round.id)
        .await?
        .into_iter()
        .map(|m| ((m.unit_id, m.item_key), m.manual_x100))
        .collect();
    let mut errors = Vec::new();
    let mut changes: Vec<(i64, String, Option<i64>)> = Vec::new();
    for e in entries {
        let Some(unit) = units.get(&e.unit_id) else {
            errors.push(FieldProblem::new(
                "单位",
                format!("编号 {} 不是本地区的一级预算单位", e.unit_id),
            ));
            continue;
        };
        let Some(item) = rubric.items.iter().find(|i| i.key == e.item) else {
            errors.push(FieldProblem::new(
                &unit.2,
                format!("考核细则中没有编码为“{}”的项目", e.item),
            ));
            continue;
        };
        if item.automatic && rules::automatic_ratio(&item.key, &Records::default()).is_some() {
            errors.push(FieldProblem::new(
                &format!("{} {}", unit.2, item.name),
                "由系统自动计算，不能直接填写得分；如需改变，请在单位得分表中调整并说明理由",
            ));
            continue;
        }
        let field = format!("{} {}", unit.2, item.name);
        let value = if e.score.trim().is_empty() {
            None
        } else {
            match points(&field, &e.score, &mut errors) {
                Some(s) if s < Decimal::ZERO || s > item.max => {
                    errors.push(FieldProblem::new(
                        &field,
                        format!("得分 {} 应在 0 至 {} 分之间", trim(s), trim(item.max)),
                    ));
                    None
                }
                Some(s) => Some(x100(s)),
                None => None,
            }
        };
        let old = marks.get(&(e.unit_id, e.item.clone())).copied().flatten();
        if old != value {
            changes.push((e.unit_id, e.item.clone(), value));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if changes.is_empty() {
        return Ok(0);
    }
    let mut tx = actor.store.begin().await?;
    for (unit, key, value) in &changes {
        store::set_manual(&mut tx, round.id, *unit, key, *value, actor.user.id).await?;
    }
    let after: Vec<serde_json::Value> = changes
        .iter()
        .map(|(u, k, v)| serde_json::json!({"unit_id": u, "item": k, "score_x100": v}))
        .collect();
    actor
        .audit(
            &mut tx,
            "assessment.manual",
            KIND,
            round.id,
            "",
            &json(&after),
        )
        .await?;
    tx.commit().await?;
    Ok(changes.len())
}

/// An adjustment as entered: empty points remove it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AdjustInput {
    pub item: String,
    #[serde(deserialize_with = "text_or_number")]
    pub points: String,
    pub reason: String,
}

pub async fn adjust(
    actor: &Actor<'_>,
    year: i32,
    unit_id: i64,
    input: &AdjustInput,
) -> Result<(), AppError> {
    may_manage(actor)?;
    let round = round_of(actor, year).await?;
    open_round(&round)?;
    let rubric = rubric_of(&round)?;
    let units = jixiao_store::units::level_one(actor.store, &actor.user.region).await?;
    if !units.iter().any(|u| u.0 == unit_id) {
        return Err(AppError::NotFound("该一级预算单位".into()));
    }
    let Some(item) = rubric.items.iter().find(|i| i.key == input.item) else {
        return Err(AppError::invalid(
            "考核项目",
            format!("考核细则中没有编码为“{}”的项目", input.item),
        ));
    };
    let mut errors = Vec::new();
    let reason = input.reason.trim();
    let value = if input.points.trim().is_empty() {
        None
    } else {
        let p = points("调整分值", &input.points, &mut errors);
        if let Some(p) = p {
            if p == Decimal::ZERO {
                errors.push(FieldProblem::new(
                    "调整分值",
                    "调整分值不能为 0；如需取消调整，请清空分值",
                ));
            } else if p.abs() > item.max {
                errors.push(FieldProblem::new(
                    "调整分值",
                    format!("调整幅度不能超过该项满分 {}", trim(item.max)),
                ));
            }
        }
        if reason.is_empty() {
            errors.push(FieldProblem::new(
                "调整理由",
                AssessmentError::ReasonRequired(item.name.clone()).to_string(),
            ));
        } else if reason.chars().count() > 500 {
            errors.push(FieldProblem::new("调整理由", "理由不能超过 500 字"));
        }
        p.map(x100)
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let before = store::marks(actor.store, round.id)
        .await?
        .into_iter()
        .find(|m| m.unit_id == unit_id && m.item_key == item.key);
    let mut tx = actor.store.begin().await?;
    store::set_adjustment(
        &mut tx,
        round.id,
        unit_id,
        &item.key,
        value.map(|v| (v, reason)),
        actor.user.id,
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "assessment.adjust",
            KIND,
            round.id,
            &before
                .map(|m| {
                    json(&serde_json::json!({"adjust_x100": m.adjust_x100, "reason": m.reason}))
                })
                .unwrap_or_default(),
            &json(&serde_json::json!({"unit_id": unit_id, "item": item.key,
                "adjust_x100": value, "reason": if value.is_some() { reason } else { "" }})),
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

/// The interviews' deadline as typed: empty is 30 days from today (or from the year's end, when
/// finalising early); a date must lie after the assessed year's end, since an interview follows
/// the year (an assessment entered late may carry a date that is already past).
pub(crate) fn interview_deadline(text: &str, year: i32) -> Result<NaiveDate, AppError> {
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MIN);
    match text.trim() {
        "" => Ok(today().max(year_end) + chrono::Duration::days(INTERVIEW_DAYS)),
        t => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) if d > year_end => Ok(d),
            Ok(_) => Err(AppError::invalid(
                "约谈整改期限",
                format!("期限应晚于 {year} 年末"),
            )),
            Err(_) => Err(AppError::invalid(
                "约谈整改期限",
                format!("“{t}”不是有效的日期（YYYY-MM-DD）"),
            )),
        },
    }
}

/// What finalising wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Finalized {
    pub units: usize,
    pub commended: usize,
    pub interviewed: usize,
    /// The interview notices opened.
    pub rectifications: Vec<i64>,
}

/// Finalises the year: every unit scored, ranked and listed, each interview a rectification
/// notice issued to the unit. Refused while any manual item is unscored.
pub async fn finalize(
    actor: &Actor<'_>,
    year: i32,
    input: &FinalizeInput,
) -> Result<Finalized, AppError> {
    may_manage(actor)?;
    let round = round_of(actor, year).await?;
    open_round(&round)?;
    // An interview follows the assessed year: its deadline lies after the year's end (an
    // assessment entered late, or taken over from an earlier system, may carry a past one).
    let deadline = interview_deadline(&input.interview_deadline, year)?;
    let rubric = rubric_of(&round)?;
    let region = &actor.user.region;
    let level_one = jixiao_store::units::level_one(actor.store, region).await?;
    if level_one.is_empty() {
        return Err(AppError::Refused(
            "本地区还没有一级预算单位，无可考核".into(),
        ));
    }
    let records = store::records(actor.store, region, year, today()).await?;
    let marks = store::marks(actor.store, round.id).await?;
    let mut marks_of: HashMap<i64, Vec<&Mark>> = HashMap::new();
    for m in &marks {
        marks_of.entry(m.unit_id).or_default().push(m);
    }
    let mut inputs = Vec::with_capacity(level_one.len());
    for u in &level_one {
        let m = marks_of.remove(&u.0).unwrap_or_default();
        inputs.push(input_of(
            u,
            records.get(&u.0).copied().unwrap_or_default(),
            &m,
        ));
    }
    let outcome = rules::assess(&rubric, &inputs).map_err(|errors| {
        let mut by_unit: BTreeMap<String, usize> = BTreeMap::new();
        for (unit, _) in &errors {
            *by_unit.entry(unit.as_str().to_string()).or_default() += 1;
        }
        let first: Vec<String> = errors
            .iter()
            .take(5)
            .map(|(unit, e)| {
                let name = level_one
                    .iter()
                    .find(|u| u.1 == unit.as_str())
                    .map_or(unit.as_str(), |u| u.2.as_str());
                format!("{name}：{e}")
            })
            .collect();
        AppError::Refused(format!(
            "还有 {} 个单位未完成评分，不能定稿。{}{}",
            by_unit.len(),
            first.join("；"),
            if errors.len() > 5 { "……" } else { "" }
        ))
    })?;
    let mut tx = actor.store.begin().await?;
    store::finalize_round(
        &mut tx,
        round.id,
        input.row_version,
        actor.user.id,
        deadline,
    )
    .await?;
    let mut rectifications = Vec::new();
    let n = outcome.ranking.len();
    let ranks: HashMap<_, _> = outcome.ranking.iter().map(|r| (&r.unit, r.rank)).collect();
    for (unit, a) in level_one.iter().zip(&outcome.units) {
        let rank = ranks.get(&a.unit).copied().unwrap_or(0);
        let listed = if outcome.lists.interviewed.contains(&a.unit) {
            "interviewed"
        } else if outcome.lists.commended.contains(&a.unit) {
            "commended"
        } else {
            ""
        };
        let records = records.get(&unit.0).copied().unwrap_or_default();
        let id = store::insert_result(
            &mut tx,
            &store::NewResult {
                region,
                fiscal_year: year,
                unit_id: unit.0,
                total_x100: x100(a.total),
                rank: i32::try_from(rank).unwrap_or(i32::MAX),
                listed,
                records: &json(&records),
            },
        )
        .await?;
        for i in &a.items {
            store::insert_item(
                &mut tx,
                id,
                &ResultItem {
                    item_key: i.key.clone(),
                    name: i.name.clone(),
                    automatic: i.automatic,
                    max_x100: x100(i.max),
                    auto_x100: Some(x100(i.computed)),
                    adjust_x100: x100(i.adjustment),
                    final_x100: x100(i.score),
                    reason: i.reasons.join("；"),
                },
            )
            .await?;
        }
        if listed == "interviewed" {
            let low: Vec<String> = a
                .items
                .iter()
                .filter(|i| i.score < i.max)
                .map(|i| format!("{}（{}/{}）", i.name, trim(i.score), trim(i.max)))
                .collect();
            let problem = format!(
                "{year}年度预算绩效管理工作考核得分 {}，在 {n} 个单位中排名第 {rank}，列入约谈名单。失分项目：{}。",
                trim(a.total),
                if low.is_empty() {
                    "无".to_string()
                } else {
                    low.join("、")
                }
            );
            let requirement = "请单位主要负责人按通知参加约谈，针对失分项目逐项分析原因，制定整改措施，限期整改并报送整改情况及佐证材料。";
            let rect = jixiao_store::rectifications::insert(
                &mut tx,
                &jixiao_store::rectifications::NewRectification {
                    region,
                    fiscal_year: year,
                    unit_id: unit.0,
                    project_id: None,
                    source_kind: KIND,
                    source_id: Some(id),
                    problem: &problem,
                    requirement,
                    deadline,
                    state: RectificationState::Issued.code(),
                    response: "",
                    warning_kind: "",
                },
            )
            .await?;
            store::set_result_rectification(&mut tx, id, rect).await?;
            actor
                .history(
                    &mut tx,
                    year,
                    crate::rectification::KIND,
                    rect,
                    "",
                    RectificationState::Issued.code(),
                    "issue",
                    "部门考核约谈",
                )
                .await?;
            actor
                .audit(
                    &mut tx,
                    "rectification.issue",
                    crate::rectification::KIND,
                    rect,
                    "",
                    &json(&serde_json::json!({"source": KIND, "assessment_id": id,
                        "unit_id": unit.0, "problem": problem, "deadline": deadline})),
                )
                .await?;
            rectifications.push(rect);
        }
    }
    actor
        .history(
            &mut tx, year, KIND, round.id, OPEN, FINALIZED, "finalize", "",
        )
        .await?;
    actor
        .audit(
            &mut tx,
            "assessment.finalize",
            KIND,
            round.id,
            "",
            &json(&serde_json::json!({
                "ranking": outcome.ranking.iter().map(|r| serde_json::json!({"unit": r.unit.as_str(), "total": trim(r.total), "rank": r.rank})).collect::<Vec<_>>(),
                "commended": outcome.lists.commended.iter().map(UnitCode::as_str).collect::<Vec<_>>(),
                "interviewed": outcome.lists.interviewed.iter().map(UnitCode::as_str).collect::<Vec<_>>(),
                "interview_deadline": deadline,
            })),
        )
        .await?;
    tx.commit().await?;
    Ok(Finalized {
        units: outcome.units.len(),
        commended: outcome.lists.commended.len(),
        interviewed: outcome.lists.interviewed.len(),
        rectifications,
    })
}

/// The assessment report (SPEC §11) for the Party committee and government: from the finalised
/// result, or, while open and fully scored, the current one marked as not final.
pub async fn report(
    actor: &Actor<'_>,
    year: i32,
) -> Result<jixiao_domain::report::Document, AppError> {
    use jixiao_domain::report::assessment::{AssessmentFacts, RankedUnit, compose};
    let o = overview(actor, year).await?;
    let Some(round) = &o.round else {
        return Err(AppError::NotFound(format!("{year} 年度部门考核")));
    };
    if !o.complete {
        return Err(AppError::Refused(
            "尚有单位的人工评分项未评分，评分完成后才能生成考核报告".into(),
        ));
    }
    let region = jixiao_store::regions::get(actor.store, &actor.user.region)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let units = o
        .units
        .iter()
        .map(|u| RankedUnit {
            rank: u.rank.unwrap_or(0),
            unit_name: u.unit_name.clone(),
            assessment: UnitAssessment {
                unit: code(&u.unit_code),
                items: u.items.clone(),
                total: u.total,
            },
            listed: u.listed.clone(),
        })
        .collect();
    Ok(compose(&AssessmentFacts {
        region_name: region,
        fiscal_year: year,
        rubric: o.rubric.clone(),
        units,
        interview_deadline: round
            .interview_deadline
            .map(|d| d.to_string())
            .unwrap_or_default(),
        finalized_on: round
            .finalized_at
            .map(|t| jixiao_store::deadlines::local_date(t).to_string())
            .unwrap_or_default(),
    }))
}
