//! Self-evaluation scoring (SPEC §8.2, §8.3): the execution score, each indicator's score, the
//! total and the grade. Notation of the SPEC: A = target value, B = actual value, W = 分值.
//!
//! Every score is rounded half-up to 2 decimals (through [`round2`]) and the total is the sum of
//! the rounded parts, capped at 100.

use crate::decimal::round2;
use crate::grade::{Grade, grade};
use crate::indicator::{Level1, Sign};
use crate::money::{Fen, ratio};
use crate::settings::{ScoringSettings, Settings};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The funds block of a form: the adjusted full-year budget (全年预算数 / 调整后预算数, SPEC §14)
/// and the amount executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funds {
    pub budget: Fen,
    pub executed: Fen,
}

/// The execution part of a self-evaluation (SPEC §8.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// 执行率 in percent, 2 decimals; `None` when the budget is zero.
    pub rate: Option<Decimal>,
    pub weight: Decimal,
    pub score: Decimal,
}

/// Execution score = min(全年执行数 / 全年预算数, 1) × 10 (SPEC §8.3). A zero budget scores 0 and
/// the caller reports it.
pub fn execution(settings: &ScoringSettings, funds: Funds) -> Execution {
    let weight = settings.execution_weight;
    match ratio(funds.executed, funds.budget) {
        None => Execution {
            rate: None,
            weight,
            score: Decimal::ZERO,
        },
        Some(r) => Execution {
            rate: Some(round2(r * Decimal::ONE_HUNDRED)),
            weight,
            score: round2(r.clamp(Decimal::ZERO, Decimal::ONE) * weight),
        },
    }
}

/// A custom scoring rule of one indicator, overriding the default by sign (SPEC §8.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Band {
    /// B ≥ `full_at` → W; each `step` (or part of it) below deducts `deduction` points.
    /// e.g. 满意率 ≥ 90% → W, each 5 points below −1: `full_at` 90, `step` 5, `deduction` 1.
    Steps {
        full_at: Decimal,
        step: Decimal,
        deduction: Decimal,
    },
    /// The first row (highest `at_least` first) with B ≥ `at_least` gives its points; none → 0.
    Table { rows: Vec<BandRow> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    pub at_least: Decimal,
    pub points: Decimal,
}

/// One indicator row as the scoring rules see it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndicatorInput {
    pub level1: Option<Level1>,
    /// `None` only when the form gave no sign and none could be inferred.
    pub sign: Option<Sign>,
    /// A, for quantitative indicators.
    pub target: Option<Decimal>,
    /// B, for quantitative indicators.
    pub actual: Option<Decimal>,
    /// W; sub-items (`其中`) have none.
    pub weight: Option<Decimal>,
    /// Qualitative: index of the tier in [`ScoringSettings::qualitative_tiers`] (0 = 达成).
    pub tier: Option<usize>,
    /// Qualitative: the score the unit chose inside its tier's band.
    pub chosen: Option<Decimal>,
    pub band: Option<Band>,
    /// A `其中` row: carries values, has no weight or score of its own.
    pub sub_item: bool,
    /// Whether 偏差原因分析及改进措施 has text.
    pub has_explanation: bool,
}

/// Why a score was computed the way it was, for the reader of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Note {
    /// A = 0 or B = 0 where the rule divides: met → W, else 0.
    DivisionByZero,
    NoActual,
    NoTarget,
    NoWeight,
    NoSign,
    NoTier,
    /// The chosen qualitative score lay outside its tier's band and was brought inside.
    ChosenOutsideTier {
        low: Decimal,
        high: Decimal,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    /// `None` when the indicator cannot be scored (no weight, no actual, sub-item).
    pub score: Option<Decimal>,
    /// Whether the target was met; `None` when unknown.
    pub met: Option<bool>,
    /// B beyond A by more than the threshold (default 20% of A).
    pub over_achieved: bool,
    /// Not met or over-achieved: 偏差原因 is required (SPEC §8.3).
    pub needs_explanation: bool,
    pub notes: Vec<Note>,
}

impl IndicatorScore {
    fn unscored(notes: Vec<Note>) -> IndicatorScore {
        IndicatorScore {
            score: None,
            met: None,
            over_achieved: false,
            needs_explanation: false,
            notes,
        }
    }
}

/// Whether B satisfies "B sign A" (SPEC §8.3 "met").
pub fn is_met(sign: Sign, target: Decimal, actual: Decimal, eq_tolerance: Decimal) -> bool {
    match sign {
        Sign::Ge => actual >= target,
        Sign::Gt => actual > target,
        Sign::Le => actual <= target,
        Sign::Lt => actual < target,
        Sign::Eq => actual.saturating_sub(target).abs() <= eq_tolerance,
        Sign::Qualitative => false,
    }
}

/// Scores one indicator (SPEC §8.3).
pub fn score_indicator(settings: &ScoringSettings, input: &IndicatorInput) -> IndicatorScore {
    if input.sub_item {
        return IndicatorScore::unscored(Vec::new());
    }
    let Some(sign) = input.sign else {
        return IndicatorScore::unscored(vec![Note::NoSign]);
    };
    if sign == Sign::Qualitative {
        return score_qualitative(settings, input);
    }
    let (Some(a), Some(b)) = (input.target, input.actual) else {
        let note = if input.target.is_none() {
            Note::NoTarget
        } else {
            Note::NoActual
        };
        return IndicatorScore::unscored(vec![note]);
    };
    let met = is_met(sign, a, b, settings.eq_tolerance);
    let over_achieved = is_over_achieved(settings, sign, a, b);
    let needs_explanation = !met || over_achieved;
    let Some(w) = input.weight else {
        return IndicatorScore {
            score: None,
            met: Some(met),
            over_achieved,
            needs_explanation,
            notes: vec![Note::NoWeight],
        };
    };
    let mut notes = Vec::new();
    let raw = if let Some(band) = &input.band {
        band_score(band, b, w)
    } else if met {
        w
    } else {
        let quotient = match sign {
            Sign::Ge | Sign::Gt => (!a.is_zero()).then(|| saturating_div(b, a)),
            Sign::Le | Sign::Lt => (!b.is_zero()).then(|| saturating_div(a, b)),
            Sign::Eq => (!a.is_zero()).then(|| {
                Decimal::ONE.saturating_sub(saturating_div(b.saturating_sub(a).abs(), a.abs()))
            }),
            Sign::Qualitative => None,
        };
        match quotient {
            Some(q) => q.saturating_mul(w),
            None => {
                notes.push(Note::DivisionByZero);
                Decimal::ZERO
            }
        }
    };
    IndicatorScore {
        score: Some(round2(raw.clamp(Decimal::ZERO, w.max(Decimal::ZERO)))),
        met: Some(met),
        over_achieved,
        needs_explanation,
        notes,
    }
}

/// `x / y` for `y ≠ 0`, saturating at the bounds of Decimal: a form can hold any number
/// (SPEC §14), and scoring must give a score, not a panic.
fn saturating_div(x: Decimal, y: Decimal) -> Decimal {
    x.checked_div(y)
        .unwrap_or(if x.is_sign_negative() == y.is_sign_negative() {
            Decimal::MAX
        } else {
            Decimal::MIN
        })
}

/// B beyond A, in the indicator's good direction, by more than the threshold share of |A|.
fn is_over_achieved(settings: &ScoringSettings, sign: Sign, a: Decimal, b: Decimal) -> bool {
    if a.is_zero() {
        return false;
    }
    // A value beyond the range of Decimal cannot be exceeded: `checked_*` → `None` → false.
    let Some(margin) = a.abs().checked_mul(settings.over_achievement) else {
        return false;
    };
    match sign {
        Sign::Ge | Sign::Gt => a.checked_add(margin).is_some_and(|limit| b > limit),
        Sign::Le | Sign::Lt => a.checked_sub(margin).is_some_and(|limit| b < limit),
        Sign::Eq | Sign::Qualitative => false,
    }
}

fn band_score(band: &Band, b: Decimal, w: Decimal) -> Decimal {
    match band {
        Band::Steps {
            full_at,
            step,
            deduction,
        } => {
            if b >= *full_at {
                w
            } else if step.is_zero() {
                Decimal::ZERO
            } else {
                // Any shortfall starts the first step: 89 against ≥ 90 already loses one.
                let steps = saturating_div(full_at.saturating_sub(b), *step).ceil();
                w.saturating_sub(steps.saturating_mul(*deduction))
            }
        }
        Band::Table { rows } => {
            let mut sorted: Vec<&BandRow> = rows.iter().collect();
            sorted.sort_by_key(|r| std::cmp::Reverse(r.at_least));
            sorted
                .into_iter()
                .find(|r| b >= r.at_least)
                .map_or(Decimal::ZERO, |r| r.points)
        }
    }
}

fn score_qualitative(settings: &ScoringSettings, input: &IndicatorInput) -> IndicatorScore {
    let Some(w) = input.weight else {
        let met = input.tier.map(|t| t == 0);
        return IndicatorScore {
            score: None,
            met,
            over_achieved: false,
            needs_explanation: met == Some(false),
            notes: vec![Note::NoWeight],
        };
    };
    let tiers = &settings.qualitative_tiers;
    let Some((index, tier)) = input.tier.and_then(|i| tiers.get(i).map(|t| (i, t))) else {
        // No tier: a score typed by the unit still counts, inside [0, W].
        return match input.chosen {
            Some(c) => {
                let score = round2(c.clamp(Decimal::ZERO, w.max(Decimal::ZERO)));
                let met = score == w;
                IndicatorScore {
                    score: Some(score),
                    met: Some(met),
                    over_achieved: false,
                    needs_explanation: !met,
                    notes: vec![Note::NoTier],
                }
            }
            None => IndicatorScore::unscored(vec![Note::NoActual]),
        };
    };
    let low = tier.low.saturating_mul(w);
    let high = tier.high.saturating_mul(w);
    let top = index == 0;
    let mut notes = Vec::new();
    let score = match input.chosen {
        None => tier.default_share.saturating_mul(w),
        Some(c) => {
            let inside = c >= low && (c < high || (top && c <= high));
            if inside {
                c
            } else {
                notes.push(Note::ChosenOutsideTier {
                    low: round2(low),
                    high: round2(high),
                });
                if c < low {
                    low
                } else if top {
                    high
                } else {
                    // The band's upper bound is exclusive: the highest score below it.
                    high.saturating_sub(Decimal::new(1, 2)).max(low)
                }
            }
        }
    };
    IndicatorScore {
        score: Some(round2(score.clamp(Decimal::ZERO, w.max(Decimal::ZERO)))),
        met: Some(top),
        over_achieved: false,
        needs_explanation: !top,
        notes,
    }
}

/// How an indicator's points came about, for the reader of the form (issue 11: "B/A×W =
/// 0.96×10 = 9.60", "达成 → 100%", "超过目标 20% 以上，须说明"). Written from the same inputs
/// and score as [`score_indicator`], so the text and the number cannot disagree.
pub fn explain_indicator(
    settings: &ScoringSettings,
    input: &IndicatorInput,
    score: &IndicatorScore,
) -> String {
    let f = |d: Decimal| crate::decimal::fixed2(d);
    let t = |d: Decimal| d.normalize().to_string();
    if input.sub_item {
        return "其中项，不单独计分".into();
    }
    let mut text = match (input.sign, score.score) {
        (None, _) => "缺少指标符号，无法计分".to_string(),
        (Some(Sign::Qualitative), None) => {
            if input.weight.is_none() {
                "没有分值，不计分".into()
            } else {
                "未选择完成档次，无法计分".into()
            }
        }
        (Some(Sign::Qualitative), Some(points)) => {
            let w = input.weight.unwrap_or_default();
            match input
                .tier
                .and_then(|i| settings.qualitative_tiers.get(i).map(|b| (i, b)))
            {
                Some((_, band)) if input.chosen.is_none() => format!(
                    "{} → {}% × {} = {}",
                    band.label,
                    t(band.default_share * Decimal::ONE_HUNDRED),
                    t(w),
                    f(points)
                ),
                Some((_, band)) => format!(
                    "{}（区间 {}–{} 分），自评 {} 分",
                    band.label,
                    f(band.low * w),
                    f(band.high * w),
                    f(points)
                ),
                None => format!("未选档次，按填写的得分 {} 计", f(points)),
            }
        }
        (Some(_), None) => match (input.target, input.actual, input.weight) {
            (None, _, _) => "未填写年度指标值，无法计分".into(),
            (_, None, _) => "未填写实际完成值，无法计分".into(),
            _ => "没有分值，不计分".into(),
        },
        (Some(sign), Some(points)) => {
            let (a, b, w) = (
                input.target.unwrap_or_default(),
                input.actual.unwrap_or_default(),
                input.weight.unwrap_or_default(),
            );
            if input.band.is_some() {
                format!("按本指标的评分规则，实际 {} → {}", t(b), f(points))
            } else if score.met == Some(true) {
                format!(
                    "实际 {} {} 目标 {}，达成 → 满分 {}",
                    t(b),
                    sign.symbol(),
                    t(a),
                    f(points)
                )
            } else if score.notes.contains(&Note::DivisionByZero) {
                "目标值或实际值为 0，未达成 → 0.00".into()
            } else {
                let ratio = crate::decimal::ratio_text;
                match sign {
                    Sign::Ge | Sign::Gt => format!(
                        "B/A×W = {}×{} = {}",
                        ratio(saturating_div(b, a)),
                        t(w),
                        f(points)
                    ),
                    Sign::Le | Sign::Lt => format!(
                        "A/B×W = {}×{} = {}",
                        ratio(saturating_div(a, b)),
                        t(w),
                        f(points)
                    ),
                    _ => format!(
                        "(1−|B−A|/|A|)×W = {}×{} = {}",
                        ratio(
                            Decimal::ONE
                                .saturating_sub(saturating_div(b.saturating_sub(a).abs(), a.abs()))
                                .max(Decimal::ZERO)
                        ),
                        t(w),
                        f(points)
                    ),
                }
            }
        }
    };
    if score.over_achieved {
        text.push_str(&format!(
            "；超过目标 {}% 以上，须说明",
            t(settings.over_achievement * Decimal::ONE_HUNDRED)
        ));
    }
    text
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem with a form, for its reader; `indicator` is the index of the row it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub indicator: Option<usize>,
    pub message: String,
    /// The column of the indicator's row the finding is about, when it is one (a form reader
    /// cites that cell, not the indicator's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<FindingColumn>,
}

/// The column of an indicator row a finding concerns, where it is not the indicator as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingColumn {
    /// 偏差原因分析及改进措施.
    Explanation,
}

impl Finding {
    pub fn error(indicator: Option<usize>, message: String) -> Finding {
        Finding {
            severity: Severity::Error,
            indicator,
            message,
            column: None,
        }
    }
    pub fn warning(indicator: Option<usize>, message: String) -> Finding {
        Finding {
            severity: Severity::Warning,
            indicator,
            message,
            column: None,
        }
    }
    /// The same finding, about `column` of its row.
    pub fn at(self, column: FindingColumn) -> Finding {
        Finding {
            column: Some(column),
            ..self
        }
    }
}

/// The scored self-evaluation form (SPEC §8.2, §8.3, §8.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfEvaluationScore {
    pub execution: Option<Execution>,
    pub indicators: Vec<IndicatorScore>,
    /// `None` when the form cannot be scored; a finding says why.
    pub total: Option<Decimal>,
    pub grade: Option<Grade>,
    pub findings: Vec<Finding>,
}

/// The 分值 an indicator part must add up to (SPEC §8.2): 100 less the execution weight.
pub fn expected_indicator_weight(rules: &ScoringSettings) -> Decimal {
    Decimal::ONE_HUNDRED - rules.execution_weight
}

/// The weight rule of SPEC §8.2, one for the self-evaluation scoring and the §6.3 target checks
/// (so a unit learns at declaration what its self-evaluation will require): every indicator row
/// that is not a `其中` sub-item carries a 分值, and the 分值 add up to 100 less the execution
/// weight. `rows` are (sub-item, weight) per indicator row, in order; every finding is an error,
/// tied to its row for a missing weight and to no row for the sum.
pub fn weight_findings(
    rules: &ScoringSettings,
    rows: impl IntoIterator<Item = (bool, Option<Decimal>)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut sum = Decimal::ZERO;
    for (n, (sub_item, weight)) in rows.into_iter().enumerate() {
        if sub_item {
            continue;
        }
        match weight {
            Some(w) => sum = sum.saturating_add(w),
            None => out.push(Finding::error(Some(n), "该指标没有分值".into())),
        }
    }
    let expected = expected_indicator_weight(rules);
    if sum != expected {
        out.push(Finding::error(
            None,
            format!(
                "指标分值合计为 {}，应为 {}（总分 100 减去预算执行率的 {} 分）",
                sum.normalize(),
                expected.normalize(),
                rules.execution_weight.normalize()
            ),
        ));
    }
    out
}

/// Scores a whole self-evaluation form: the execution part, each indicator, the checks of §8.2
/// (weights add up to 100 − execution weight, level-1 split) and §8.3 (deviation explanations).
pub fn score_self_evaluation(
    settings: &Settings,
    funds: Option<Funds>,
    indicators: &[IndicatorInput],
) -> SelfEvaluationScore {
    let rules = &settings.scoring;
    let mut findings = Vec::new();
    let execution = funds.map(|f| execution(rules, f));
    if let Some(f) = funds {
        if f.budget == Fen::ZERO {
            findings.push(Finding::warning(
                None,
                "全年预算数为 0，无法计算预算执行率，执行率得分按 0 计".into(),
            ));
        }
    } else {
        findings.push(Finding::warning(
            None,
            "表中没有资金情况，预算执行率不计分".into(),
        ));
    }

    let scores: Vec<IndicatorScore> = indicators
        .iter()
        .map(|i| score_indicator(rules, i))
        .collect();
    let weighted: Vec<usize> = indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.sub_item && i.weight.is_some())
        .map(|(n, _)| n)
        .collect();
    let main_rows = indicators.iter().filter(|i| !i.sub_item).count();

    let mut scorable = true;
    if weighted.is_empty() {
        scorable = false;
        findings.push(Finding::warning(
            None,
            "表中没有指标分值，只核对完成情况，不计算得分".into(),
        ));
    } else {
        let problems = weight_findings(rules, indicators.iter().map(|i| (i.sub_item, i.weight)));
        if weighted.len() < main_rows {
            scorable = false;
        }
        let sum_ok = !problems.iter().any(|f| f.indicator.is_none());
        findings.extend(problems);
        if sum_ok {
            split_warnings(rules, indicators, &mut findings);
        }
    }

    for (n, (input, score)) in indicators.iter().zip(&scores).enumerate() {
        for note in &score.notes {
            match note {
                Note::DivisionByZero => findings.push(Finding::warning(
                    Some(n),
                    "目标值或实际值为 0，按“达成得满分、未达成不得分”计分".into(),
                )),
                Note::NoActual if !input.sub_item && input.weight.is_some() => {
                    scorable = false;
                    findings.push(Finding::error(Some(n), "未填写实际完成值".into()));
                }
                Note::NoTarget => {
                    scorable = false;
                    findings.push(Finding::error(Some(n), "未填写年度指标值".into()));
                }
                Note::NoSign => {
                    scorable = false;
                    findings.push(Finding::error(
                        Some(n),
                        "缺少指标符号（≥ ≤ = 或定性）".into(),
                    ));
                }
                Note::ChosenOutsideTier { low, high } => findings.push(Finding::warning(
                    Some(n),
                    format!("定性指标得分不在所选档次的区间 [{low}, {high}] 内，已按区间边界计分"),
                )),
                _ => {}
            }
        }
        if score.over_achieved {
            findings.push(Finding::warning(
                Some(n),
                format!(
                    "实际完成值超出目标值 {}% 以上，需说明原因（目标可能设定偏低）",
                    (rules.over_achievement * Decimal::ONE_HUNDRED).normalize()
                ),
            ));
        }
        if score.needs_explanation && !input.has_explanation {
            findings.push(
                Finding::error(
                    Some(n),
                    "未完成或超额完成的指标须填写偏差原因分析及改进措施".into(),
                )
                .at(FindingColumn::Explanation),
            );
        }
    }

    let total = if scorable {
        let parts = scores
            .iter()
            .filter_map(|s| s.score)
            .fold(Decimal::ZERO, Decimal::saturating_add);
        let exec = execution.as_ref().map_or(Decimal::ZERO, |e| e.score);
        Some(round2(parts.saturating_add(exec)).min(Decimal::ONE_HUNDRED))
    } else {
        None
    };
    SelfEvaluationScore {
        grade: total.map(|t| grade(&settings.grades, t)),
        execution,
        indicators: scores,
        total,
        findings,
    }
}

/// A reviewer's reduction of an over-achieved indicator's score (SPEC §8.3: targets set too low
/// are penalised), with its reason; `indicator` is the row's index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reduction {
    pub indicator: usize,
    pub score: Decimal,
    pub reason: String,
}

/// Why a reduction is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReductionError {
    #[error("第 {0} 行指标不存在")]
    NoSuchIndicator(usize),
    #[error("第 {0} 行指标未超额完成，不能调减得分（只有超出目标值规定比例的指标可以调减）")]
    NotOverAchieved(usize),
    #[error("第 {0} 行指标调减后的得分应在 0 至原得分 {1} 之间")]
    OutOfRange(usize, String),
    #[error("第 {0} 行指标调减得分须说明理由")]
    NoReason(usize),
    #[error("自评表尚不能计分，不能调减")]
    Unscored,
}

/// The total and grade after the reviewer's reductions: each reduced indicator counts with its
/// reduced score, the rest as scored; the total is again the sum of the parts, ≤ 100. Every
/// reduction must concern an over-achieved indicator, lie in [0, its score] and give a reason.
pub fn reduce(
    settings: &Settings,
    scored: &SelfEvaluationScore,
    reductions: &[Reduction],
) -> Result<(Decimal, Grade), Vec<ReductionError>> {
    let mut errors = Vec::new();
    if scored.total.is_none() {
        return Err(vec![ReductionError::Unscored]);
    }
    let mut parts: Vec<Decimal> = scored
        .indicators
        .iter()
        .map(|i| i.score.unwrap_or_default())
        .collect();
    for r in reductions {
        let row = r.indicator + 1;
        let Some(s) = scored.indicators.get(r.indicator) else {
            errors.push(ReductionError::NoSuchIndicator(row));
            continue;
        };
        let original = s.score.unwrap_or_default();
        if !s.over_achieved {
            errors.push(ReductionError::NotOverAchieved(row));
        } else if r.score < Decimal::ZERO || r.score > original || r.score != round2(r.score) {
            errors.push(ReductionError::OutOfRange(
                row,
                crate::decimal::fixed2(original),
            ));
        } else if r.reason.trim().is_empty() {
            errors.push(ReductionError::NoReason(row));
        } else {
            parts[r.indicator] = r.score;
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let exec = scored.execution.as_ref().map_or(Decimal::ZERO, |e| e.score);
    let total = round2(
        parts
            .into_iter()
            .fold(Decimal::ZERO, Decimal::saturating_add)
            .saturating_add(exec),
    )
    .min(Decimal::ONE_HUNDRED);
    Ok((total, grade(&settings.grades, total)))
}

/// §8.2: a level-1 split far from the recommendation (产出+成本 50 · 效益 30 · 满意度 10) warns.
fn split_warnings(
    rules: &ScoringSettings,
    indicators: &[IndicatorInput],
    findings: &mut Vec<Finding>,
) {
    let mut parts = [Decimal::ZERO; 3];
    for i in indicators.iter().filter(|i| !i.sub_item) {
        let slot = match i.level1 {
            Some(Level1::Output | Level1::Cost) => 0,
            Some(Level1::Benefit) => 1,
            Some(Level1::Satisfaction) => 2,
            None => continue,
        };
        parts[slot] = parts[slot].saturating_add(i.weight.unwrap_or_default());
    }
    let names = ["产出（含成本）", "效益", "满意度"];
    for ((part, recommended), name) in parts.iter().zip(rules.recommended_split).zip(names) {
        if part.saturating_sub(recommended).abs() > rules.split_tolerance {
            findings.push(Finding::warning(
                None,
                format!(
                    "{name}指标分值合计 {}，与建议的 {} 分相差较大",
                    part.normalize(),
                    recommended.normalize()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn rules() -> ScoringSettings {
        ScoringSettings::default()
    }

    fn quant(sign: Sign, a: Decimal, b: Decimal, w: Decimal) -> IndicatorInput {
        IndicatorInput {
            level1: Some(Level1::Output),
            sign: Some(sign),
            target: Some(a),
            actual: Some(b),
            weight: Some(w),
            has_explanation: true,
            ..IndicatorInput::default()
        }
    }

    fn score(i: &IndicatorInput) -> Option<Decimal> {
        score_indicator(&rules(), i).score
    }

    #[test]
    fn execution_score_spec_8_3() {
        let table = [
            (20_000, 20_000, Some(dec!(100)), dec!(10)),
            (20_264, 13_291, Some(dec!(65.59)), dec!(6.56)),
            (100, 120, Some(dec!(120)), dec!(10)),
            (0, 0, None, dec!(0)),
        ];
        for (budget, executed, rate, points) in table {
            let e = execution(
                &rules(),
                Funds {
                    budget: Fen(budget),
                    executed: Fen(executed),
                },
            );
            assert_eq!(e.rate, rate, "{budget}/{executed}");
            assert_eq!(e.score, points, "{budget}/{executed}");
        }
    }

    #[test]
    fn quantitative_met_gives_full_weight_spec_8_3() {
        assert_eq!(
            score(&quant(Sign::Ge, dec!(266), dec!(266), dec!(10))),
            Some(dec!(10))
        );
        assert_eq!(
            score(&quant(Sign::Le, dec!(202.6), dec!(132.9), dec!(10))),
            Some(dec!(10))
        );
        assert_eq!(
            score(&quant(Sign::Eq, dec!(5), dec!(5), dec!(8))),
            Some(dec!(8))
        );
        assert_eq!(
            score(&quant(Sign::Gt, dec!(5), dec!(6), dec!(8))),
            Some(dec!(8))
        );
        assert_eq!(
            score(&quant(Sign::Lt, dec!(5), dec!(4), dec!(8))),
            Some(dec!(8))
        );
    }

    #[test]
    fn quantitative_not_met_is_proportional_spec_8_3() {
        // ≥: B/A × W
        assert_eq!(
            score(&quant(Sign::Ge, dec!(100), dec!(80), dec!(10))),
            Some(dec!(8))
        );
        assert_eq!(
            score(&quant(Sign::Ge, dec!(3), dec!(2), dec!(10))),
            Some(dec!(6.67))
        );
        // ≤: A/B × W
        assert_eq!(
            score(&quant(Sign::Le, dec!(80), dec!(100), dec!(10))),
            Some(dec!(8))
        );
        // =: W × max(0, 1 − |B−A|/|A|)
        assert_eq!(
            score(&quant(Sign::Eq, dec!(100), dec!(90), dec!(10))),
            Some(dec!(9))
        );
        assert_eq!(
            score(&quant(Sign::Eq, dec!(100), dec!(250), dec!(10))),
            Some(dec!(0))
        );
    }

    #[test]
    fn zero_target_or_actual_needs_no_division_spec_8_3() {
        let s = score_indicator(&rules(), &quant(Sign::Le, dec!(0), dec!(0), dec!(5)));
        assert_eq!(s.score, Some(dec!(5)));
        let s = score_indicator(&rules(), &quant(Sign::Lt, dec!(0), dec!(0), dec!(5)));
        assert_eq!(s.score, Some(dec!(0)));
        assert_eq!(s.notes, vec![Note::DivisionByZero]);
        let s = score_indicator(&rules(), &quant(Sign::Eq, dec!(0), dec!(3), dec!(5)));
        assert_eq!(s.score, Some(dec!(0)));
        assert_eq!(s.notes, vec![Note::DivisionByZero]);
    }

    #[test]
    fn over_achievement_is_flagged_but_scores_w_spec_8_3() {
        let s = score_indicator(&rules(), &quant(Sign::Ge, dec!(100), dec!(121), dec!(10)));
        assert_eq!(s.score, Some(dec!(10)));
        assert!(s.over_achieved && s.needs_explanation);
        let s = score_indicator(&rules(), &quant(Sign::Ge, dec!(100), dec!(120), dec!(10)));
        assert!(!s.over_achieved && !s.needs_explanation);
        let s = score_indicator(&rules(), &quant(Sign::Le, dec!(100), dec!(79), dec!(10)));
        assert!(s.over_achieved);
    }

    fn qual(tier: Option<usize>, chosen: Option<Decimal>) -> IndicatorInput {
        IndicatorInput {
            level1: Some(Level1::Benefit),
            sign: Some(Sign::Qualitative),
            weight: Some(dec!(10)),
            tier,
            chosen,
            has_explanation: true,
            ..IndicatorInput::default()
        }
    }

    #[test]
    fn qualitative_tiers_spec_8_3() {
        let table = [
            (Some(0), None, Some(dec!(10))),
            (Some(0), Some(dec!(8.5)), Some(dec!(8.5))),
            (Some(0), Some(dec!(7)), Some(dec!(8))),
            (Some(1), None, Some(dec!(6))),
            (Some(1), Some(dec!(7.5)), Some(dec!(7.5))),
            (Some(1), Some(dec!(8)), Some(dec!(7.99))),
            (Some(2), None, Some(dec!(0))),
            (Some(2), Some(dec!(5)), Some(dec!(5))),
            (Some(2), Some(dec!(9)), Some(dec!(5.99))),
            (None, None, None),
        ];
        for (tier, chosen, expected) in table {
            assert_eq!(score(&qual(tier, chosen)), expected, "{tier:?} {chosen:?}");
        }
    }

    #[test]
    fn custom_band_steps_spec_8_3() {
        // 满意率 ≥ 90% → W, each 5 points below −1.
        let mut i = quant(Sign::Ge, dec!(90), dec!(90), dec!(10));
        i.band = Some(Band::Steps {
            full_at: dec!(90),
            step: dec!(5),
            deduction: dec!(1),
        });
        let table = [
            (dec!(95), dec!(10)),
            (dec!(90), dec!(10)),
            (dec!(85), dec!(9)),
            (dec!(84), dec!(8)),
            (dec!(10), dec!(0)),
        ];
        for (b, expected) in table {
            i.actual = Some(b);
            assert_eq!(score(&i), Some(expected), "B = {b}");
        }
    }

    #[test]
    fn custom_band_table_spec_8_3() {
        let mut i = quant(Sign::Ge, dec!(95), dec!(95), dec!(10));
        i.band = Some(Band::Table {
            rows: vec![
                BandRow {
                    at_least: dec!(80),
                    points: dec!(6),
                },
                BandRow {
                    at_least: dec!(95),
                    points: dec!(10),
                },
            ],
        });
        for (b, expected) in [
            (dec!(96), dec!(10)),
            (dec!(85), dec!(6)),
            (dec!(50), dec!(0)),
        ] {
            i.actual = Some(b);
            assert_eq!(score(&i), Some(expected), "B = {b}");
        }
    }

    fn full_form() -> Vec<IndicatorInput> {
        let mut v = vec![
            quant(Sign::Ge, dec!(266), dec!(266), dec!(20)),
            quant(Sign::Ge, dec!(100), dec!(100), dec!(15)),
            quant(Sign::Le, dec!(20), dec!(18), dec!(15)),
            quant(Sign::Ge, dec!(95), dec!(95), dec!(30)),
            quant(Sign::Ge, dec!(90), dec!(95), dec!(10)),
        ];
        v[2].level1 = Some(Level1::Cost);
        v[3].level1 = Some(Level1::Benefit);
        v[4].level1 = Some(Level1::Satisfaction);
        v
    }

    #[test]
    fn whole_form_total_and_grade_spec_8_3_8_5() {
        let s = Settings::default();
        let funds = Funds {
            budget: Fen::from_wan(20),
            executed: Fen::from_wan(20),
        };
        let r = score_self_evaluation(&s, Some(funds), &full_form());
        assert_eq!(r.total, Some(dec!(100)));
        assert_eq!(r.grade, Some(Grade::Excellent));
        assert!(r.findings.is_empty(), "{:?}", r.findings);

        let mut form = full_form();
        form[0].actual = Some(dec!(133)); // 133/266 × 20 = 10
        let r = score_self_evaluation(&s, Some(funds), &form);
        assert_eq!(r.total, Some(dec!(90)));
        assert_eq!(r.grade, Some(Grade::Excellent));
    }

    #[test]
    fn weights_must_add_to_ninety_spec_8_2() {
        let s = Settings::default();
        let mut form = full_form();
        form[0].weight = Some(dec!(40)); // 110 in all, as in a real 衔接资金 form
        let r = score_self_evaluation(&s, None, &form);
        assert!(
            r.findings
                .iter()
                .any(|f| f.severity == Severity::Error && f.message.contains("110"))
        );
        assert!(r.total.unwrap() <= dec!(100));
    }

    #[test]
    fn form_without_weights_is_not_scored_spec_14() {
        let s = Settings::default();
        let mut form = full_form();
        for i in &mut form {
            i.weight = None;
        }
        let r = score_self_evaluation(&s, None, &form);
        assert_eq!(r.total, None);
        assert_eq!(r.grade, None);
        assert!(
            r.findings
                .iter()
                .any(|f| f.message.contains("没有指标分值"))
        );
    }

    #[test]
    fn unexplained_deviation_is_an_error_spec_8_3() {
        let s = Settings::default();
        let mut form = full_form();
        form[1].actual = Some(dec!(50));
        form[1].has_explanation = false;
        let r = score_self_evaluation(&s, None, &form);
        assert!(
            r.findings
                .iter()
                .any(|f| f.indicator == Some(1) && f.severity == Severity::Error)
        );
    }

    #[test]
    fn sub_items_carry_no_score_spec_6_2() {
        let mut i = quant(Sign::Ge, dec!(10), dec!(10), dec!(5));
        i.sub_item = true;
        assert_eq!(score(&i), None);
    }

    #[test]
    fn each_score_is_explained_with_the_rule_that_gave_it() {
        let explain =
            |i: &IndicatorInput| explain_indicator(&rules(), i, &score_indicator(&rules(), i));
        assert_eq!(
            explain(&quant(Sign::Ge, dec!(100), dec!(96), dec!(10))),
            "B/A×W = 0.96×10 = 9.60"
        );
        assert_eq!(
            explain(&quant(Sign::Le, dec!(30), dec!(40), dec!(10))),
            "A/B×W = 0.75×10 = 7.50"
        );
        assert_eq!(
            explain(&quant(Sign::Ge, dec!(95), dec!(98), dec!(20))),
            "实际 98 ≥ 目标 95，达成 → 满分 20.00"
        );
        assert_eq!(
            explain(&quant(Sign::Ge, dec!(100), dec!(130), dec!(10))),
            "实际 130 ≥ 目标 100，达成 → 满分 10.00；超过目标 20% 以上，须说明"
        );
        assert_eq!(
            explain(&quant(Sign::Ge, dec!(3), dec!(2), dec!(10))),
            "B/A×W = 0.6667×10 = 6.67"
        );
        let mut q = quant(Sign::Qualitative, dec!(0), dec!(0), dec!(10));
        q.target = None;
        q.actual = None;
        q.tier = Some(0);
        assert_eq!(explain(&q), "达成年度指标 → 100% × 10 = 10.00");
        q.tier = Some(1);
        q.chosen = Some(dec!(7));
        assert_eq!(
            explain(&q),
            "部分达成年度指标并具有一定效果（区间 6.00–8.00 分），自评 7.00 分"
        );
        let mut none = quant(Sign::Ge, dec!(10), dec!(10), dec!(5));
        none.actual = None;
        assert_eq!(explain(&none), "未填写实际完成值，无法计分");
    }

    #[test]
    fn a_reviewer_reduces_only_an_over_achieved_indicator_with_a_reason() {
        let settings = Settings::default();
        let rows = vec![
            quant(Sign::Ge, dec!(100), dec!(130), dec!(40)),
            quant(Sign::Ge, dec!(100), dec!(100), dec!(50)),
        ];
        let funds = Funds {
            budget: Fen(100),
            executed: Fen(100),
        };
        let scored = score_self_evaluation(&settings, Some(funds), &rows);
        assert_eq!(scored.total, Some(dec!(100)));
        let cut = |indicator, score, reason: &str| Reduction {
            indicator,
            score,
            reason: reason.into(),
        };
        assert_eq!(
            reduce(&settings, &scored, &[cut(0, dec!(30), "目标明显偏低")]),
            Ok((dec!(90), Grade::Excellent))
        );
        assert_eq!(
            reduce(&settings, &scored, &[cut(0, dec!(20), "目标明显偏低")]),
            Ok((dec!(80), Grade::Good))
        );
        assert_eq!(
            reduce(&settings, &scored, &[cut(1, dec!(30), "x")]),
            Err(vec![ReductionError::NotOverAchieved(2)])
        );
        assert_eq!(
            reduce(&settings, &scored, &[cut(0, dec!(41), "x")]),
            Err(vec![ReductionError::OutOfRange(1, "40.00".into())])
        );
        assert_eq!(
            reduce(&settings, &scored, &[cut(0, dec!(30), " ")]),
            Err(vec![ReductionError::NoReason(1)])
        );
        assert_eq!(
            reduce(&settings, &scored, &[cut(5, dec!(1), "x")]),
            Err(vec![ReductionError::NoSuchIndicator(6)])
        );
    }
}
