//! Performance monitoring (绩效运行监控, "双监控", SPEC §7): execution rate, indicator
//! completion, the completion estimate, the deviation between money and targets, the finance
//! review score, and the warnings (预警) that follow.
//!
//! Units, once for the whole module:
//! - **rates are percentages**: an execution rate, a completion estimate and a reported 总体完成率
//!   of `65.5` mean 65.5%; they are rounded half-up to 2 decimals;
//! - the **deviation** is in percentage points (pp): |execution rate − completion rate| with both
//!   in percent, which is the SPEC's `|execution_rate − completion_rate| × 100` with fractions;
//! - an **indicator completion** is a fraction in [0, 1] (exact, not rounded), as the qualitative
//!   credits in the settings are (确定能 1 · 有可能 0.6 · 完全不可能 0).

use crate::decimal::{round2, trim};
use crate::indicator::Sign;
use crate::money::{Fen, ratio};
use crate::scoring::{Finding, Severity};
use crate::settings::MonitoringSettings;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// 完成目标可能性 (SPEC §7).
    Likelihood {
        Certain = "certain", "确定能";
        Possible = "possible", "有可能";
        Impossible = "impossible", "完全不可能";
    }
}

impl Likelihood {
    /// Reads the value as forms write it, including the 黄石 form's “不可能” and “能”.
    pub fn parse_written(text: &str) -> Option<Likelihood> {
        Likelihood::parse(text).or_else(|| match text.trim() {
            "能" | "确定" | "确定能完成" | "达成" => Some(Likelihood::Certain),
            "可能" | "有可能完成" => Some(Likelihood::Possible),
            "不可能" | "完全不可能完成" | "不能" => Some(Likelihood::Impossible),
            _ => None,
        })
    }
}

crate::code_enum! {
    /// 偏差原因 categories (SPEC §7).
    DeviationCause {
        Funding = "funding", "经费保障";
        Institutional = "institutional", "制度保障";
        Staffing = "staffing", "人员保障";
        Facilities = "facilities", "硬件条件保障";
        Other = "other", "其他";
    }
}

crate::code_enum! {
    /// The four kinds of warning (SPEC §7).
    WarningKind {
        Deviation = "deviation", "双监控偏差";
        ReviewScore = "review_score", "监控审核得分偏低";
        SlowExecution = "slow_execution", "预算执行缓慢";
        Unlikely = "unlikely", "目标可能无法完成";
    }
}

crate::code_enum! {
    /// 预警等级 (SPEC §7).
    WarningLevel {
        Red = "red", "红色预警";
        Yellow = "yellow", "黄色预警";
    }
}

/// A warning on a monitoring report (SPEC §7). Red ones require rectification: they generate a
/// draft rectification notice for the reviewer to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub level: WarningLevel,
    pub requires_rectification: bool,
    pub message: String,
}

impl Warning {
    fn new(kind: WarningKind, level: WarningLevel, message: String) -> Warning {
        Warning {
            kind,
            level,
            requires_rectification: level == WarningLevel::Red,
            message,
        }
    }
}

fn pct(v: Decimal) -> String {
    format!("{}%", trim(v))
}

fn warning(indicator: Option<usize>, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        indicator,
        message,
        column: None,
    }
}

fn error(indicator: Option<usize>, message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        indicator,
        message,
        column: None,
    }
}

/// An execution rate with the data warning of a zero budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRate {
    /// 执行数 / 全年预算数 in percent, 2 decimals; 0 when the budget is 0.
    pub rate: Decimal,
    /// Set when the budget is 0.
    pub warning: Option<Finding>,
}

/// `execution_rate = 执行数 / 全年预算数` in percent (SPEC §7); 0 with a data warning when the
/// budget is 0. Not capped: spending beyond the budget shows above 100%.
pub fn execution_rate(budget: Fen, executed: Fen) -> ExecutionRate {
    match ratio(executed, budget) {
        Some(r) => ExecutionRate {
            rate: round2(r * Decimal::ONE_HUNDRED),
            warning: None,
        },
        None => ExecutionRate {
            rate: Decimal::ZERO,
            warning: Some(warning(
                None,
                "全年预算数为 0，预算执行率按 0 计，请核实资金数据".into(),
            )),
        },
    }
}

/// The completion credited to a likelihood (configurable, SPEC §7), within [0, 1].
pub fn likelihood_completion(settings: &MonitoringSettings, likelihood: Likelihood) -> Decimal {
    let v = match likelihood {
        Likelihood::Certain => settings.likely_certain,
        Likelihood::Possible => settings.likely_possible,
        Likelihood::Impossible => settings.likely_impossible,
    };
    v.clamp(Decimal::ZERO, Decimal::ONE)
}

/// One indicator's completion, a fraction in [0, 1] (SPEC §7), or `None` when the values it needs
/// are missing. A = 年度指标值, B = the value completed so far (1–N月完成值).
/// - `≥`/`>`: min(B/A, 1); B ≥ A counts as 1 even for `>`, as the formula gives;
/// - `≤`/`<`: B ≤ A → 1, else A/B;
/// - `=`: 1 if B = A, else max(0, 1 − |B−A|/|A|);
/// - 定性: the likelihood's credit (确定能 1 · 有可能 0.6 · 完全不可能 0).
///
/// Where the formula would divide by zero (A = 0 for `≥`, `=`; B = 0 for `≤`), the indicator is
/// complete when B satisfies the sign and 0 otherwise; results are clamped to [0, 1].
pub fn indicator_completion(
    settings: &MonitoringSettings,
    sign: Sign,
    target: Option<Decimal>,
    value: Option<Decimal>,
    likelihood: Option<Likelihood>,
) -> Option<Decimal> {
    if sign == Sign::Qualitative {
        return likelihood.map(|l| likelihood_completion(settings, l));
    }
    let (a, b) = (target?, value?);
    let zero = Decimal::ZERO;
    let one = Decimal::ONE;
    let c = match sign {
        Sign::Ge | Sign::Gt => {
            if b >= a {
                one
            } else if a > zero {
                // b < a: the quotient is below 1; only a huge negative b overflows, to 0.
                b.checked_div(a).unwrap_or(zero)
            } else {
                zero
            }
        }
        Sign::Le | Sign::Lt => {
            if b <= a {
                one
            } else if b > zero && a >= zero {
                a / b
            } else {
                zero
            }
        }
        Sign::Eq => {
            if b == a {
                one
            } else if a.is_zero() {
                zero
            } else {
                // Overflow means |B−A| dwarfs |A|: completion 0.
                b.checked_sub(a)
                    .and_then(|d| d.abs().checked_div(a.abs()))
                    .map_or(zero, |q| one - q.min(one))
            }
        }
        Sign::Qualitative => return None,
    };
    Some(c.clamp(zero, one))
}

/// An indicator row of a monitoring report, as the rules see it (SPEC §7).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoredIndicator {
    pub name: String,
    pub sign: Option<Sign>,
    /// A: 年度指标值 (quantitative).
    pub target: Option<Decimal>,
    /// B: 1–N月完成值, completed by the period end (quantitative).
    pub to_date: Option<Decimal>,
    /// 分值, when the target gives one.
    pub weight: Option<Decimal>,
    /// 完成目标可能性.
    pub likelihood: Option<Likelihood>,
    /// A `其中` row: carries values, not counted on its own.
    pub sub_item: bool,
    /// 偏差原因 given (a category or text).
    pub has_cause: bool,
    /// 拟采取的措施 given.
    pub has_measures: bool,
}

impl MonitoredIndicator {
    /// This indicator's completion (see [`indicator_completion`]); `None` for sub-items and
    /// rows without the values needed.
    pub fn completion(&self, settings: &MonitoringSettings) -> Option<Decimal> {
        if self.sub_item {
            return None;
        }
        indicator_completion(
            settings,
            self.sign?,
            self.target,
            self.to_date,
            self.likelihood,
        )
    }
}

/// `completion_estimate` (SPEC §7): the weighted mean of the indicators' completions, weights =
/// 分值, in percent with 2 decimals. Equal weights unless every counted indicator has a 分值 and
/// they add up to more than 0. Sub-items and rows without the values needed are not counted;
/// `None` when nothing can be counted.
pub fn completion_estimate(
    settings: &MonitoringSettings,
    indicators: &[MonitoredIndicator],
) -> Option<Decimal> {
    let counted: Vec<(Decimal, Option<Decimal>)> = indicators
        .iter()
        .filter_map(|i| i.completion(settings).map(|c| (c, i.weight)))
        .collect();
    if counted.is_empty() {
        return None;
    }
    let weighted = counted
        .iter()
        .all(|(_, w)| w.is_some_and(|w| w >= Decimal::ZERO))
        && counted
            .iter()
            .filter_map(|(_, w)| *w)
            .fold(Decimal::ZERO, Decimal::saturating_add)
            > Decimal::ZERO;
    let (sum, total_weight) =
        counted
            .iter()
            .fold((Decimal::ZERO, Decimal::ZERO), |(sum, total), (c, w)| {
                let w = if weighted {
                    w.unwrap_or_default()
                } else {
                    Decimal::ONE
                };
                (
                    sum.saturating_add(c.saturating_mul(w)),
                    total.saturating_add(w),
                )
            });
    // sum ≤ total_weight (each completion ≤ 1), so the quotient is within [0, 1]; `min` only
    // guards the saturated case of absurd weights.
    Some(round2(
        (sum / total_weight).min(Decimal::ONE) * Decimal::ONE_HUNDRED,
    ))
}

/// `deviation = |execution_rate − completion_rate|` in percentage points, both rates in percent
/// (SPEC §7), 2 decimals.
pub fn deviation(execution_rate: Decimal, completion_rate: Decimal) -> Decimal {
    round2(execution_rate.saturating_sub(completion_rate).abs())
}

/// The execution rate the schedule requires at the end of `month` (SPEC §7): the latest schedule
/// point at or before that month (25% by April, 40% by June, 60% by August, 80% by October);
/// `None` before the first point.
pub fn scheduled_rate(settings: &MonitoringSettings, month: u32) -> Option<Decimal> {
    settings
        .schedule
        .iter()
        .filter(|(m, _)| *m <= month)
        .max_by_key(|(m, _)| *m)
        .map(|(_, rate)| *rate)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("审核评分应有 {expected} 项，实际为 {got} 项")]
    ItemCount { expected: usize, got: usize },
    #[error("“{item}”得分 {score} 超过该项满分 {max}")]
    AboveMax {
        item: String,
        score: String,
        max: String,
    },
    #[error("“{item}”得分 {score} 不能为负数")]
    Negative { item: String, score: String },
}

/// The finance review score of a report (SPEC §7) from the rubric items' scores, in the order of
/// [`MonitoringSettings::review_rubric`] (填报及时性 20 · 数据完整准确 30 · 偏差分析合理性 30 ·
/// 整改措施可行性 20). Each item is 0 ≤ score ≤ its max and rounded to 2 decimals; the score is
/// their sum.
pub fn review_score(
    settings: &MonitoringSettings,
    scores: &[Decimal],
) -> Result<Decimal, Vec<ReviewError>> {
    let rubric = &settings.review_rubric;
    if rubric.len() != scores.len() {
        return Err(vec![ReviewError::ItemCount {
            expected: rubric.len(),
            got: scores.len(),
        }]);
    }
    let mut errors = Vec::new();
    let mut total = Decimal::ZERO;
    for ((item, max), score) in rubric.iter().zip(scores) {
        if *score < Decimal::ZERO {
            errors.push(ReviewError::Negative {
                item: item.clone(),
                score: trim(*score),
            });
        } else if score > max {
            errors.push(ReviewError::AboveMax {
                item: item.clone(),
                score: trim(*score),
                max: trim(*max),
            });
        } else {
            total += round2(*score);
        }
    }
    if errors.is_empty() {
        Ok(total)
    } else {
        Err(errors)
    }
}

/// A monitoring report as the rules see it (SPEC §7). Amounts are the totals over fund sources.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoringReport {
    /// The month whose end the data is as of (1–12; "1–4月" → 4).
    pub period_end_month: u32,
    /// 全年预算数.
    pub budget: Fen,
    /// 执行数 to the period end.
    pub executed: Fen,
    /// 总体完成率 as reported by the unit, in percent.
    pub reported_completion: Option<Decimal>,
    pub indicators: Vec<MonitoredIndicator>,
    /// The finance review score, once the report has been reviewed.
    pub review_score: Option<Decimal>,
}

/// Everything computed from a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Percent; 0 when the budget is 0 (with a finding).
    pub execution_rate: Decimal,
    /// Each indicator's completion (fraction), in report order.
    pub indicator_completions: Vec<Option<Decimal>>,
    /// Percent; shown beside the reported 总体完成率.
    pub completion_estimate: Option<Decimal>,
    /// The completion rate compared with execution: the reported one, or the estimate when the
    /// unit reported none (a finding says so).
    pub completion_rate: Option<Decimal>,
    /// Percentage points; `None` without a completion rate or with a zero budget.
    pub deviation: Option<Decimal>,
    /// The execution rate the schedule requires by the period end.
    pub scheduled_rate: Option<Decimal>,
    pub warnings: Vec<Warning>,
    /// Data warnings and the errors that block submission.
    pub findings: Vec<Finding>,
}

/// Analyses a report (SPEC §7): the computed figures, the warnings and the findings.
///
/// With a zero budget the execution rate is a placeholder, so the deviation and slow-execution
/// warnings, which would compare it, are not raised; the data warning says why.
pub fn analyse(settings: &MonitoringSettings, report: &MonitoringReport) -> Analysis {
    let mut findings = Vec::new();
    let exec = execution_rate(report.budget, report.executed);
    let budget_known = exec.warning.is_none();
    findings.extend(exec.warning);
    let execution_rate = exec.rate;

    let indicator_completions: Vec<Option<Decimal>> = report
        .indicators
        .iter()
        .map(|i| i.completion(settings))
        .collect();
    let estimate = completion_estimate(settings, &report.indicators);

    for (n, (i, c)) in report
        .indicators
        .iter()
        .zip(&indicator_completions)
        .enumerate()
    {
        if i.sub_item {
            continue;
        }
        if c.is_none() {
            let why = match i.sign {
                None => "缺少指标符号",
                Some(Sign::Qualitative) => "未选择完成目标可能性",
                Some(_) if i.target.is_none() => "缺少年度指标值",
                Some(_) => "缺少截至本期的完成值",
            };
            findings.push(warning(
                Some(n),
                format!("指标“{}”{}，未计入完成率测算", i.name, why),
            ));
        }
        match i.likelihood {
            None => findings.push(error(
                Some(n),
                format!("指标“{}”未选择完成目标可能性", i.name),
            )),
            Some(Likelihood::Certain) => {}
            Some(l) if !(i.has_cause && i.has_measures) => findings.push(error(
                Some(n),
                format!(
                    "指标“{}”完成目标可能性为“{}”，须填写偏差原因分析和拟采取的措施",
                    i.name,
                    l.label()
                ),
            )),
            Some(_) => {}
        }
    }

    let reported = report.reported_completion;
    match reported {
        None => findings.push(error(None, "未填写总体完成率".into())),
        Some(r) if r < Decimal::ZERO || r > Decimal::ONE_HUNDRED => findings.push(error(
            None,
            format!("总体完成率 {} 应在 0% 至 100% 之间", pct(r)),
        )),
        Some(_) => {}
    }
    if let (Some(e), Some(r)) = (estimate, reported) {
        let gap = round2(e.saturating_sub(r).abs());
        if gap > settings.completion_gap_warning {
            findings.push(warning(
                None,
                format!(
                    "按指标测算的完成率 {} 与填报的总体完成率 {} 相差 {} 个百分点，请核实",
                    pct(e),
                    pct(r),
                    trim(gap)
                ),
            ));
        }
    }
    let completion_rate = reported.or(estimate);
    let deviation = completion_rate
        .filter(|_| budget_known)
        .map(|c| deviation(execution_rate, c));
    let scheduled = scheduled_rate(settings, report.period_end_month);

    let mut warnings = Vec::new();
    if let (Some(dev), Some(c)) = (deviation, completion_rate)
        && dev > settings.deviation_red
    {
        let basis = if reported.is_some() {
            "总体完成率"
        } else {
            "按指标测算的完成率"
        };
        warnings.push(Warning::new(
            WarningKind::Deviation,
            WarningLevel::Red,
            format!(
                "预算执行率 {} 与{basis} {} 偏差 {} 个百分点，超过 {} 个百分点，须整改纠偏",
                pct(execution_rate),
                pct(c),
                trim(dev),
                trim(settings.deviation_red)
            ),
        ));
    }
    if let Some(score) = report.review_score
        && score < settings.review_red
    {
        warnings.push(Warning::new(
            WarningKind::ReviewScore,
            WarningLevel::Red,
            format!(
                "监控审核得分 {} 分，低于 {} 分，须整改",
                trim(score),
                trim(settings.review_red)
            ),
        ));
    }
    if let (true, Some(required)) = (budget_known, scheduled)
        && execution_rate < required
    {
        warnings.push(Warning::new(
            WarningKind::SlowExecution,
            WarningLevel::Yellow,
            format!(
                "截至 {} 月末预算执行率 {}，低于序时进度要求的 {}",
                report.period_end_month,
                pct(execution_rate),
                pct(required)
            ),
        ));
    }
    let impossible: Vec<&str> = report
        .indicators
        .iter()
        .filter(|i| i.likelihood == Some(Likelihood::Impossible))
        .map(|i| i.name.as_str())
        .collect();
    if !impossible.is_empty() {
        warnings.push(Warning::new(
            WarningKind::Unlikely,
            WarningLevel::Red,
            format!(
                "指标“{}”完成目标可能性为“完全不可能”，须整改",
                impossible.join("”“")
            ),
        ));
    }

    Analysis {
        execution_rate,
        indicator_completions,
        completion_estimate: estimate,
        completion_rate,
        deviation,
        scheduled_rate: scheduled,
        warnings,
        findings,
    }
}

/// The warnings of a report (SPEC §7), in the order deviation, review score, slow execution,
/// unlikely to complete.
pub fn warnings(settings: &MonitoringSettings, report: &MonitoringReport) -> Vec<Warning> {
    analyse(settings, report).warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn settings() -> MonitoringSettings {
        MonitoringSettings::default()
    }

    fn quant(name: &str, sign: Sign, a: Decimal, b: Decimal) -> MonitoredIndicator {
        MonitoredIndicator {
            name: name.into(),
            sign: Some(sign),
            target: Some(a),
            to_date: Some(b),
            likelihood: Some(Likelihood::Certain),
            ..MonitoredIndicator::default()
        }
    }

    fn report(
        month: u32,
        budget_wan: i64,
        executed_wan: i64,
        reported: Decimal,
    ) -> MonitoringReport {
        MonitoringReport {
            period_end_month: month,
            budget: Fen::from_wan(budget_wan),
            executed: Fen::from_wan(executed_wan),
            reported_completion: Some(reported),
            indicators: vec![quant("完成道路硬化", Sign::Ge, dec!(266), dec!(133))],
            review_score: None,
        }
    }

    fn kinds(w: &[Warning]) -> Vec<(WarningKind, WarningLevel, bool)> {
        w.iter()
            .map(|w| (w.kind, w.level, w.requires_rectification))
            .collect()
    }

    #[test]
    fn execution_rate_spec_7() {
        let table = [
            (Fen::from_wan(100), Fen::from_wan(25), dec!(25)),
            (Fen(20_264), Fen(13_291), dec!(65.59)),
            (Fen(3), Fen(1), dec!(33.33)),
            (Fen(100), Fen(150), dec!(150)),
        ];
        for (budget, executed, rate) in table {
            let r = execution_rate(budget, executed);
            assert_eq!(r.rate, rate);
            assert_eq!(r.warning, None);
        }
        let r = execution_rate(Fen::ZERO, Fen(5));
        assert_eq!(r.rate, dec!(0));
        let w = r.warning.unwrap();
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.contains("全年预算数为 0"));
    }

    #[test]
    fn indicator_completion_by_sign_spec_7() {
        let s = settings();
        let table = [
            // ≥ / >: min(B/A, 1)
            (Sign::Ge, dec!(100), dec!(50), dec!(0.5)),
            (Sign::Ge, dec!(100), dec!(100), dec!(1)),
            (Sign::Ge, dec!(100), dec!(150), dec!(1)),
            (Sign::Gt, dec!(100), dec!(100), dec!(1)),
            (Sign::Gt, dec!(4), dec!(1), dec!(0.25)),
            (Sign::Ge, dec!(0), dec!(0), dec!(1)),
            (Sign::Ge, dec!(0), dec!(-1), dec!(0)),
            (Sign::Ge, dec!(100), dec!(-5), dec!(0)),
            // ≤ / <: B ≤ A → 1, else A/B
            (Sign::Le, dec!(100), dec!(80), dec!(1)),
            (Sign::Le, dec!(100), dec!(125), dec!(0.8)),
            (Sign::Lt, dec!(50), dec!(200), dec!(0.25)),
            (Sign::Le, dec!(0), dec!(0), dec!(1)),
            (Sign::Le, dec!(0), dec!(5), dec!(0)),
            // =: 1 if B = A else max(0, 1 − |B−A|/|A|)
            (Sign::Eq, dec!(100), dec!(100), dec!(1)),
            (Sign::Eq, dec!(100), dec!(90), dec!(0.9)),
            (Sign::Eq, dec!(100), dec!(110), dec!(0.9)),
            (Sign::Eq, dec!(100), dec!(300), dec!(0)),
            (Sign::Eq, dec!(0), dec!(1), dec!(0)),
            (Sign::Eq, dec!(-10), dec!(-9), dec!(0.9)),
        ];
        for (sign, a, b, expected) in table {
            assert_eq!(
                indicator_completion(&s, sign, Some(a), Some(b), None),
                Some(expected),
                "{sign} A={a} B={b}"
            );
        }
        assert_eq!(
            indicator_completion(&s, Sign::Ge, None, Some(dec!(1)), None),
            None
        );
        assert_eq!(
            indicator_completion(&s, Sign::Ge, Some(dec!(1)), None, None),
            None
        );
    }

    #[test]
    fn qualitative_completion_from_likelihood_spec_7() {
        let s = settings();
        let table = [
            (Some(Likelihood::Certain), Some(dec!(1))),
            (Some(Likelihood::Possible), Some(dec!(0.6))),
            (Some(Likelihood::Impossible), Some(dec!(0))),
            (None, None),
        ];
        for (l, expected) in table {
            assert_eq!(
                indicator_completion(&s, Sign::Qualitative, None, None, l),
                expected,
                "{l:?}"
            );
        }
        // The credits are configurable.
        let custom = MonitoringSettings {
            likely_possible: dec!(0.5),
            ..settings()
        };
        assert_eq!(
            likelihood_completion(&custom, Likelihood::Possible),
            dec!(0.5)
        );
    }

    #[test]
    fn completion_estimate_weighted_or_equal_spec_7() {
        let s = settings();
        let mut a = quant("a", Sign::Ge, dec!(100), dec!(50)); // 0.5
        let mut b = quant("b", Sign::Ge, dec!(100), dec!(100)); // 1
        // Equal weights without 分值.
        assert_eq!(
            completion_estimate(&s, &[a.clone(), b.clone()]),
            Some(dec!(75))
        );
        // Weighted by 分值: (0.5 × 30 + 1 × 10) / 40 = 62.5%.
        a.weight = Some(dec!(30));
        b.weight = Some(dec!(10));
        assert_eq!(
            completion_estimate(&s, &[a.clone(), b.clone()]),
            Some(dec!(62.5))
        );
        // One weight missing → equal weights.
        b.weight = None;
        assert_eq!(
            completion_estimate(&s, &[a.clone(), b.clone()]),
            Some(dec!(75))
        );
        // Sub-items and rows without values are not counted.
        let mut sub = quant("其中：x", Sign::Ge, dec!(10), dec!(0));
        sub.sub_item = true;
        let mut missing = quant("y", Sign::Ge, dec!(10), dec!(0));
        missing.to_date = None;
        let q = MonitoredIndicator {
            name: "群众满意".into(),
            sign: Some(Sign::Qualitative),
            likelihood: Some(Likelihood::Possible),
            ..MonitoredIndicator::default()
        };
        assert_eq!(
            completion_estimate(&s, &[sub, missing, q.clone()]),
            Some(dec!(60))
        );
        // Thirds round half-up.
        let third = quant("z", Sign::Ge, dec!(3), dec!(1));
        assert_eq!(
            completion_estimate(&s, &[third, q.clone(), q]),
            Some(dec!(51.11))
        );
        assert_eq!(completion_estimate(&s, &[]), None);
    }

    #[test]
    fn deviation_in_percentage_points_spec_7() {
        let table = [
            (dec!(65.59), dec!(40), dec!(25.59)),
            (dec!(40), dec!(65.59), dec!(25.59)),
            (dec!(50), dec!(50), dec!(0)),
        ];
        for (e, c, d) in table {
            assert_eq!(deviation(e, c), d);
        }
    }

    #[test]
    fn schedule_by_period_end_month_spec_7() {
        let s = settings();
        let table = [
            (1, None),
            (3, None),
            (4, Some(dec!(25))),
            (5, Some(dec!(25))),
            (6, Some(dec!(40))),
            (7, Some(dec!(40))),
            (8, Some(dec!(60))),
            (9, Some(dec!(60))),
            (10, Some(dec!(80))),
            (12, Some(dec!(80))),
        ];
        for (month, expected) in table {
            assert_eq!(scheduled_rate(&s, month), expected, "month {month}");
        }
        // An unsorted configuration works the same.
        let unsorted = MonitoringSettings {
            schedule: vec![(10, dec!(80)), (4, dec!(25)), (8, dec!(60)), (6, dec!(40))],
            ..settings()
        };
        assert_eq!(scheduled_rate(&unsorted, 9), Some(dec!(60)));
    }

    #[test]
    fn deviation_warning_boundary_spec_7() {
        let s = settings();
        // execution 50% by June; reported completion varies.
        let table = [
            (dec!(70), false),   // 20 pp: not above 20
            (dec!(70.01), true), // 20.01 pp
            (dec!(29.99), true), // 20.01 pp the other way
            (dec!(30), false),
        ];
        for (reported, red) in table {
            let w = warnings(&s, &report(6, 100, 50, reported));
            let has = w.iter().any(|w| w.kind == WarningKind::Deviation);
            assert_eq!(has, red, "reported {reported}");
            if red {
                let w = w.iter().find(|w| w.kind == WarningKind::Deviation).unwrap();
                assert_eq!(w.level, WarningLevel::Red);
                assert!(w.requires_rectification);
            }
        }
        let w = warnings(&s, &report(6, 100, 50, dec!(80)));
        assert_eq!(
            w[0].message,
            "预算执行率 50% 与总体完成率 80% 偏差 30 个百分点，超过 20 个百分点，须整改纠偏"
        );
    }

    #[test]
    fn review_score_warning_boundary_spec_7() {
        let s = settings();
        for (score, red) in [(dec!(60), false), (dec!(59.99), true), (dec!(0), true)] {
            let mut r = report(6, 100, 50, dec!(50));
            r.review_score = Some(score);
            let w = warnings(&s, &r);
            assert_eq!(
                kinds(&w),
                if red {
                    vec![(WarningKind::ReviewScore, WarningLevel::Red, true)]
                } else {
                    vec![]
                },
                "score {score}"
            );
        }
        let mut r = report(6, 100, 50, dec!(50));
        r.review_score = Some(dec!(55));
        assert_eq!(
            warnings(&s, &r)[0].message,
            "监控审核得分 55 分，低于 60 分，须整改"
        );
    }

    #[test]
    fn slow_execution_warning_spec_7() {
        let s = settings();
        let table = [
            (3, 0, false), // before April: no requirement
            (4, 24, true),
            (4, 25, false),
            (5, 24, true), // May uses April's 25%
            (6, 39, true),
            (6, 40, false),
            (8, 59, true),
            (9, 60, false),
            (10, 79, true),
            (12, 80, false),
        ];
        for (month, executed, yellow) in table {
            // Keep the deviation small so only slow execution can fire.
            let r = report(month, 100, executed, Decimal::from(executed));
            let w = warnings(&s, &r);
            assert_eq!(
                kinds(&w),
                if yellow {
                    vec![(WarningKind::SlowExecution, WarningLevel::Yellow, false)]
                } else {
                    vec![]
                },
                "month {month}, executed {executed}%"
            );
        }
        let w = warnings(&s, &report(8, 100, 50, dec!(50)));
        assert_eq!(
            w[0].message,
            "截至 8 月末预算执行率 50%，低于序时进度要求的 60%"
        );
    }

    #[test]
    fn unlikely_to_complete_is_red_spec_7() {
        let s = settings();
        let mut r = report(6, 100, 50, dec!(50));
        let mut i = quant("新建蓄水池", Sign::Ge, dec!(4), dec!(2));
        i.likelihood = Some(Likelihood::Impossible);
        i.has_cause = true;
        i.has_measures = true;
        r.indicators.push(i);
        let w = warnings(&s, &r);
        assert_eq!(
            kinds(&w),
            vec![(WarningKind::Unlikely, WarningLevel::Red, true)]
        );
        assert_eq!(
            w[0].message,
            "指标“新建蓄水池”完成目标可能性为“完全不可能”，须整改"
        );
        // 有可能 is not a warning.
        r.indicators[1].likelihood = Some(Likelihood::Possible);
        assert!(warnings(&s, &r).is_empty());
    }

    #[test]
    fn all_four_warnings_in_order_spec_7() {
        let s = settings();
        let mut r = report(10, 100, 30, dec!(90));
        r.review_score = Some(dec!(45));
        r.indicators[0].likelihood = Some(Likelihood::Impossible);
        let w = warnings(&s, &r);
        assert_eq!(
            kinds(&w),
            vec![
                (WarningKind::Deviation, WarningLevel::Red, true),
                (WarningKind::ReviewScore, WarningLevel::Red, true),
                (WarningKind::SlowExecution, WarningLevel::Yellow, false),
                (WarningKind::Unlikely, WarningLevel::Red, true),
            ]
        );
    }

    #[test]
    fn zero_budget_warns_and_raises_no_rate_warnings_spec_7() {
        let s = settings();
        let r = report(8, 0, 0, dec!(90));
        let a = analyse(&s, &r);
        assert_eq!(a.execution_rate, dec!(0));
        assert_eq!(a.deviation, None);
        assert!(a.warnings.is_empty());
        assert!(
            a.findings
                .iter()
                .any(|f| f.message.contains("全年预算数为 0"))
        );
    }

    #[test]
    fn cause_and_measures_required_unless_certain_spec_7() {
        let s = settings();
        let table = [
            (Some(Likelihood::Certain), false, false, None),
            (Some(Likelihood::Possible), true, true, None),
            (
                Some(Likelihood::Possible),
                true,
                false,
                Some("指标“x”完成目标可能性为“有可能”，须填写偏差原因分析和拟采取的措施"),
            ),
            (
                Some(Likelihood::Impossible),
                false,
                true,
                Some("指标“x”完成目标可能性为“完全不可能”，须填写偏差原因分析和拟采取的措施"),
            ),
            (None, true, true, Some("指标“x”未选择完成目标可能性")),
        ];
        for (likelihood, cause, measures, expected) in table {
            let mut r = report(6, 100, 50, dec!(50));
            r.indicators[0].name = "x".into();
            r.indicators[0].likelihood = likelihood;
            r.indicators[0].has_cause = cause;
            r.indicators[0].has_measures = measures;
            let analysis = analyse(&s, &r);
            let errors: Vec<&str> = analysis
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.message.as_str())
                .collect();
            assert_eq!(
                errors,
                expected.into_iter().collect::<Vec<_>>(),
                "{likelihood:?}"
            );
        }
    }

    #[test]
    fn reported_completion_checks_and_gap_spec_7() {
        let s = settings();
        // Estimate 50% (133/266); reported 70.01% → gap 20.01 > 20 → data warning.
        let a = analyse(&s, &report(6, 100, 50, dec!(70.01)));
        assert_eq!(a.completion_estimate, Some(dec!(50)));
        assert!(a.findings.iter().any(|f| f.severity == Severity::Warning
            && f.message
                == "按指标测算的完成率 50% 与填报的总体完成率 70.01% 相差 20.01 个百分点，请核实"));
        let a = analyse(&s, &report(6, 100, 50, dec!(70)));
        assert!(a.findings.is_empty(), "{:?}", a.findings);
        // Missing reported rate: an error, and the estimate stands in for the deviation.
        let mut r = report(6, 100, 80, dec!(0));
        r.reported_completion = None;
        let a = analyse(&s, &r);
        assert_eq!(a.completion_rate, Some(dec!(50)));
        assert_eq!(a.deviation, Some(dec!(30)));
        assert!(a.findings.iter().any(|f| f.message == "未填写总体完成率"));
        assert!(a.warnings[0].message.contains("按指标测算的完成率"));
        // Out of range.
        let a = analyse(&s, &report(6, 100, 50, dec!(120)));
        assert!(
            a.findings
                .iter()
                .any(|f| f.message == "总体完成率 120% 应在 0% 至 100% 之间")
        );
    }

    #[test]
    fn uncomputable_indicators_are_reported_spec_7() {
        let s = settings();
        let mut r = report(6, 100, 50, dec!(50));
        r.indicators[0].to_date = None;
        let a = analyse(&s, &r);
        assert_eq!(a.indicator_completions, vec![None]);
        assert_eq!(a.completion_estimate, None);
        assert!(a.findings.iter().any(|f| f.indicator == Some(0)
            && f.message == "指标“完成道路硬化”缺少截至本期的完成值，未计入完成率测算"));
    }

    #[test]
    fn review_score_from_rubric_spec_7() {
        let s = settings();
        assert_eq!(
            review_score(&s, &[dec!(20), dec!(30), dec!(30), dec!(20)]),
            Ok(dec!(100))
        );
        assert_eq!(
            review_score(&s, &[dec!(15), dec!(20.5), dec!(10), dec!(5)]),
            Ok(dec!(50.5))
        );
        assert_eq!(
            review_score(&s, &[dec!(0.005), dec!(0), dec!(0), dec!(0)]),
            Ok(dec!(0.01))
        );
        let errors = review_score(&s, &[dec!(21), dec!(30), dec!(-1), dec!(20)]).unwrap_err();
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec![
                "“填报及时性”得分 21 超过该项满分 20",
                "“偏差分析合理性”得分 -1 不能为负数"
            ]
        );
        assert_eq!(
            review_score(&s, &[dec!(20)]).unwrap_err()[0].to_string(),
            "审核评分应有 4 项，实际为 1 项"
        );
    }

    #[test]
    fn likelihood_parses_as_written() {
        let table = [
            ("确定能", Some(Likelihood::Certain)),
            ("certain", Some(Likelihood::Certain)),
            ("有可能", Some(Likelihood::Possible)),
            ("完全不可能", Some(Likelihood::Impossible)),
            ("不可能", Some(Likelihood::Impossible)),
            ("也许", None),
        ];
        for (t, expected) in table {
            assert_eq!(Likelihood::parse_written(t), expected, "{t}");
        }
        assert_eq!(
            DeviationCause::parse("硬件条件保障"),
            Some(DeviationCause::Facilities)
        );
    }
}
