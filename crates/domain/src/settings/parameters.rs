//! 规则参数: the single-number thresholds of [`Settings`] as one table, so the finance
//! performance office can change them on a settings page (and the rules page explains them with
//! the new values). Each parameter knows its label, its unit, its § and its allowed range; the
//! values the page posts are parsed and checked here, all of them at once.
//!
//! Lists (the ex-ante rubric, the review rubric, the execution schedule, qualitative tiers) have
//! pages or defaults of their own and are not in this table.

use super::Settings;
use crate::decimal::{parse_loose, trim};
use crate::money::Fen;
use rust_decimal::Decimal;

/// How a parameter is written and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 万元, stored as 分.
    Wan,
    /// Points (分).
    Points,
    /// Percentage points (个百分点).
    PercentagePoints,
    /// A percentage written "20", stored as the fraction 0.2.
    Percent,
    /// A whole number of items (个).
    Count,
    /// A whole number of days (天).
    Days,
    /// A rate written and stored in percent ("40" is 40%).
    Rate,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Wan => "万元",
            Unit::Points => "分",
            Unit::PercentagePoints => "个百分点",
            Unit::Percent => "%",
            Unit::Count => "个",
            Unit::Days => "天",
            Unit::Rate => "%",
        }
    }

    fn whole(self) -> bool {
        matches!(self, Unit::Count | Unit::Days)
    }
}

/// One single-number parameter of the rules.
pub struct Parameter {
    /// Form field name.
    pub key: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    /// The § of `docs/rules.md` it belongs to.
    pub section: &'static str,
    /// Inclusive bounds, in the unit as written.
    pub min: i64,
    pub max: i64,
    get: fn(&Settings) -> Decimal,
    set: fn(&mut Settings, Decimal),
}

impl Parameter {
    /// The current value as a person writes it ("500", "20", "0.5").
    pub fn text(&self, settings: &Settings) -> String {
        trim((self.get)(settings))
    }
}

/// A whole number already checked to be within its range.
fn count(v: Decimal) -> u32 {
    u32::try_from(v.trunc()).unwrap_or(0)
}

fn as_decimal(n: u32) -> Decimal {
    Decimal::from(n)
}

/// The execution rate the schedule asks by the end of `month` (0 when the month has no point).
fn schedule_at(s: &Settings, month: u32) -> Decimal {
    s.monitoring
        .schedule
        .iter()
        .find(|(m, _)| *m == month)
        .map_or(Decimal::ZERO, |(_, r)| *r)
}

fn set_schedule(s: &mut Settings, month: u32, rate: Decimal) {
    match s.monitoring.schedule.iter_mut().find(|(m, _)| *m == month) {
        Some(point) => point.1 = rate,
        None => {
            s.monitoring.schedule.push((month, rate));
            s.monitoring.schedule.sort_by_key(|(m, _)| *m);
        }
    }
}

/// The maximum of the review rubric's item `n` (0 when the rubric is shorter).
fn rubric_max(s: &Settings, n: usize) -> Decimal {
    s.monitoring
        .review_rubric
        .get(n)
        .map_or(Decimal::ZERO, |(_, m)| *m)
}

fn set_rubric_max(s: &mut Settings, n: usize, max: Decimal) {
    if let Some(item) = s.monitoring.review_rubric.get_mut(n) {
        item.1 = max;
    }
}

fn hundred() -> Decimal {
    Decimal::ONE_HUNDRED
}

/// The table, in the order of the rules page.
pub const PARAMETERS: &[Parameter] = &[
    Parameter {
        key: "major_threshold",
        label: "重大项目金额标准",
        unit: Unit::Wan,
        section: "§3",
        min: 1,
        max: 100_000_000,
        get: |s| s.project.major_threshold.wan(),
        set: |s, v| {
            s.project.major_threshold =
                Fen::from_wan_decimal(v).unwrap_or(s.project.major_threshold)
        },
    },
    Parameter {
        key: "deviation_red",
        label: "双监控偏差红色预警线",
        unit: Unit::PercentagePoints,
        section: "§7",
        min: 1,
        max: 100,
        get: |s| s.monitoring.deviation_red,
        set: |s, v| s.monitoring.deviation_red = v,
    },
    Parameter {
        key: "review_red",
        label: "监控审核得分红色预警线",
        unit: Unit::Points,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| s.monitoring.review_red,
        set: |s, v| s.monitoring.review_red = v,
    },
    Parameter {
        key: "completion_gap_warning",
        label: "完成率估算与填报差距提示线",
        unit: Unit::PercentagePoints,
        section: "§7",
        min: 1,
        max: 100,
        get: |s| s.monitoring.completion_gap_warning,
        set: |s, v| s.monitoring.completion_gap_warning = v,
    },
    Parameter {
        key: "likely_possible",
        label: "“有可能”完成计入的完成度",
        unit: Unit::Percent,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| s.monitoring.likely_possible * hundred(),
        set: |s, v| s.monitoring.likely_possible = v / hundred(),
    },
    Parameter {
        key: "schedule_4",
        label: "4月末序时支出进度",
        unit: Unit::Rate,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| schedule_at(s, 4),
        set: |s, v| set_schedule(s, 4, v),
    },
    Parameter {
        key: "schedule_6",
        label: "6月末序时支出进度",
        unit: Unit::Rate,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| schedule_at(s, 6),
        set: |s, v| set_schedule(s, 6, v),
    },
    Parameter {
        key: "schedule_8",
        label: "8月末序时支出进度",
        unit: Unit::Rate,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| schedule_at(s, 8),
        set: |s, v| set_schedule(s, 8, v),
    },
    Parameter {
        key: "schedule_10",
        label: "10月末序时支出进度",
        unit: Unit::Rate,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| schedule_at(s, 10),
        set: |s, v| set_schedule(s, 10, v),
    },
    Parameter {
        key: "rubric_timeliness",
        label: "监控审核评分：填报及时性满分",
        unit: Unit::Points,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| rubric_max(s, 0),
        set: |s, v| set_rubric_max(s, 0, v),
    },
    Parameter {
        key: "rubric_accuracy",
        label: "监控审核评分：数据完整准确满分",
        unit: Unit::Points,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| rubric_max(s, 1),
        set: |s, v| set_rubric_max(s, 1, v),
    },
    Parameter {
        key: "rubric_analysis",
        label: "监控审核评分：偏差分析合理性满分",
        unit: Unit::Points,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| rubric_max(s, 2),
        set: |s, v| set_rubric_max(s, 2, v),
    },
    Parameter {
        key: "rubric_measures",
        label: "监控审核评分：整改措施可行性满分",
        unit: Unit::Points,
        section: "§7",
        min: 0,
        max: 100,
        get: |s| rubric_max(s, 3),
        set: |s, v| set_rubric_max(s, 3, v),
    },
    Parameter {
        key: "coverage_min_share",
        label: "部门评价覆盖率下限",
        unit: Unit::Percent,
        section: "§8.1",
        min: 0,
        max: 100,
        get: |s| s.coverage.min_share * hundred(),
        set: |s, v| s.coverage.min_share = v / hundred(),
    },
    Parameter {
        key: "execution_weight",
        label: "预算执行率分值",
        unit: Unit::Points,
        section: "§8.3",
        min: 0,
        max: 50,
        get: |s| s.scoring.execution_weight,
        set: |s, v| s.scoring.execution_weight = v,
    },
    Parameter {
        key: "over_achievement",
        label: "超额完成认定线（超过目标值）",
        unit: Unit::Percent,
        section: "§8.3",
        min: 1,
        max: 1000,
        get: |s| s.scoring.over_achievement * hundred(),
        set: |s, v| s.scoring.over_achievement = v / hundred(),
    },
    Parameter {
        key: "split_tolerance",
        label: "指标分值结构偏离提示线",
        unit: Unit::Points,
        section: "§8.2",
        min: 0,
        max: 100,
        get: |s| s.scoring.split_tolerance,
        set: |s, v| s.scoring.split_tolerance = v,
    },
    Parameter {
        key: "grade_excellent",
        label: "“优秀”最低分",
        unit: Unit::Points,
        section: "§8.5",
        min: 1,
        max: 100,
        get: |s| s.grades.excellent,
        set: |s, v| s.grades.excellent = v,
    },
    Parameter {
        key: "grade_good",
        label: "“良好”最低分",
        unit: Unit::Points,
        section: "§8.5",
        min: 1,
        max: 100,
        get: |s| s.grades.good,
        set: |s, v| s.grades.good = v,
    },
    Parameter {
        key: "grade_fair",
        label: "“一般”最低分",
        unit: Unit::Points,
        section: "§8.5",
        min: 1,
        max: 100,
        get: |s| s.grades.fair,
        set: |s, v| s.grades.fair = v,
    },
    Parameter {
        key: "sample_share",
        label: "真实性核查抽查比例",
        unit: Unit::Percent,
        section: "§8.6",
        min: 1,
        max: 100,
        get: |s| s.verification.sample_share * hundred(),
        set: |s, v| s.verification.sample_share = v / hundred(),
    },
    Parameter {
        key: "sample_min",
        label: "真实性核查最少抽查数",
        unit: Unit::Count,
        section: "§8.6",
        min: 0,
        max: 10_000,
        get: |s| as_decimal(s.verification.sample_min),
        set: |s, v| s.verification.sample_min = count(v),
    },
    Parameter {
        key: "inaccurate_gap",
        label: "自评不准确认定差距",
        unit: Unit::Points,
        section: "§8.6",
        min: 1,
        max: 100,
        get: |s| s.verification.inaccurate_gap,
        set: |s, v| s.verification.inaccurate_gap = v,
    },
    Parameter {
        key: "commended",
        label: "考核通报表扬名额",
        unit: Unit::Count,
        section: "§11",
        min: 0,
        max: 1000,
        get: |s| as_decimal(s.assessment.commended),
        set: |s, v| s.assessment.commended = count(v),
    },
    Parameter {
        key: "interviewed",
        label: "考核约谈名额（末位）",
        unit: Unit::Count,
        section: "§11",
        min: 0,
        max: 1000,
        get: |s| as_decimal(s.assessment.interviewed),
        set: |s, v| s.assessment.interviewed = count(v),
    },
    Parameter {
        key: "interview_below",
        label: "考核约谈分数线（低于）",
        unit: Unit::Points,
        section: "§11",
        min: 0,
        max: 100,
        get: |s| s.assessment.interview_below,
        set: |s, v| s.assessment.interview_below = v,
    },
    Parameter {
        key: "due_soon_days",
        label: "申报“即将到期”提前天数",
        unit: Unit::Days,
        section: "§16",
        min: 0,
        max: 90,
        get: |s| as_decimal(s.deadlines.due_soon_days),
        set: |s, v| s.deadlines.due_soon_days = count(v),
    },
];

/// A parameter's problem: (label, message).
pub type ParameterProblem = (String, String);

/// `base` with the posted values applied: `values` holds (key, text) pairs; a key that is absent
/// keeps its value. Every problem is reported; nothing is applied unless all are valid.
pub fn apply(
    base: &Settings,
    values: &[(String, String)],
) -> Result<Settings, Vec<ParameterProblem>> {
    let mut out = base.clone();
    let mut problems = Vec::new();
    for p in PARAMETERS {
        let Some((_, text)) = values.iter().find(|(k, _)| k == p.key) else {
            continue;
        };
        let text = text.trim();
        let Some(v) = parse_loose(text) else {
            problems.push((p.label.to_string(), format!("“{text}”不是有效的数字")));
            continue;
        };
        let (min, max) = (Decimal::from(p.min), Decimal::from(p.max));
        if v < min || v > max {
            problems.push((
                p.label.to_string(),
                format!("应在 {} 至 {} {}之间", p.min, p.max, p.unit.label()),
            ));
            continue;
        }
        if p.unit.whole() && v.fract() != Decimal::ZERO {
            problems.push((p.label.to_string(), "应为整数".to_string()));
            continue;
        }
        if p.unit == Unit::Wan && Fen::from_wan_decimal(v).is_err() {
            problems.push((p.label.to_string(), "金额最多精确到分".to_string()));
            continue;
        }
        if v.scale() > 2 && p.unit != Unit::Wan {
            problems.push((p.label.to_string(), "最多保留两位小数".to_string()));
            continue;
        }
        (p.set)(&mut out, v);
    }
    let g = &out.grades;
    if problems.is_empty() && !(g.excellent > g.good && g.good > g.fair) {
        problems.push((
            "评价等级".to_string(),
            "分数线应满足 “优秀” > “良好” > “一般”".to_string(),
        ));
    }
    let rubric: Decimal = out.monitoring.review_rubric.iter().map(|(_, m)| *m).sum();
    if problems.is_empty() && rubric != Decimal::ONE_HUNDRED {
        problems.push((
            "监控审核评分".to_string(),
            format!("各项满分合计应为 100 分，现为 {} 分", trim(rubric)),
        ));
    }
    let rates: Vec<Decimal> = out.monitoring.schedule.iter().map(|(_, r)| *r).collect();
    if problems.is_empty() && rates.windows(2).any(|w| w[0] > w[1]) {
        problems.push((
            "序时支出进度".to_string(),
            "各月末的序时进度应逐月不减".to_string(),
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What is wrong with stored settings (none when valid): every parameter within its range,
/// grade lines descending, and the ex-ante and assessment rubrics well formed. Used by
/// `jixiao check`.
pub fn validate(s: &Settings) -> Vec<String> {
    let values: Vec<(String, String)> = PARAMETERS
        .iter()
        .map(|p| (p.key.to_string(), p.text(s)))
        .collect();
    let mut out: Vec<String> = match apply(s, &values) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .into_iter()
            .map(|(label, message)| format!("{label}：{message}"))
            .collect(),
    };
    for (name, rubric) in [
        ("项目评分表", &s.ex_ante.project_dimensions),
        ("政策评分表", &s.ex_ante.policy_dimensions),
    ] {
        if let Err(problems) = crate::ex_ante::validate_rubric(rubric) {
            out.extend(problems.into_iter().map(|p| format!("事前评估{name}：{p}")));
        }
    }
    if let Err(problems) = crate::assessment::validate_rubric(&s.assessment.items) {
        out.extend(problems.into_iter().map(|p| format!("考核评分表：{p}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_monitoring_schedule_likelihood_and_review_rubric_are_parameters_spec_7() {
        let s = Settings::default();
        let changed = apply(
            &s,
            &pairs(&[
                ("schedule_6", "45"),
                ("likely_possible", "50"),
                ("rubric_timeliness", "10"),
                ("rubric_accuracy", "40"),
            ]),
        )
        .expect("valid");
        assert_eq!(
            changed.monitoring.schedule,
            vec![
                (4, Decimal::from(25)),
                (6, Decimal::from(45)),
                (8, Decimal::from(60)),
                (10, Decimal::from(80))
            ]
        );
        assert_eq!(changed.monitoring.likely_possible, Decimal::new(5, 1));
        assert_eq!(changed.monitoring.review_rubric[0].1, Decimal::from(10));
        assert_eq!(changed.monitoring.review_rubric[1].1, Decimal::from(40));
        // The rubric must add up to 100; the schedule may not fall from one month to the next.
        let bad = apply(&s, &pairs(&[("rubric_timeliness", "30")])).expect_err("sum 110");
        assert!(bad[0].1.contains("合计应为 100 分，现为 110 分"), "{bad:?}");
        let bad = apply(&s, &pairs(&[("schedule_8", "30")])).expect_err("falls");
        assert!(bad[0].1.contains("逐月不减"), "{bad:?}");
    }

    #[test]
    fn defaults_read_back_as_written() {
        let s = Settings::default();
        let text = |key: &str| {
            PARAMETERS
                .iter()
                .find(|p| p.key == key)
                .expect(key)
                .text(&s)
        };
        assert_eq!(text("major_threshold"), "500");
        assert_eq!(text("deviation_red"), "20");
        assert_eq!(text("coverage_min_share"), "20");
        assert_eq!(text("over_achievement"), "20");
        assert_eq!(text("sample_min"), "5");
        assert_eq!(text("due_soon_days"), "7");
        // Every default is within its own range.
        let all: Vec<(String, String)> = PARAMETERS
            .iter()
            .map(|p| (p.key.to_string(), p.text(&s)))
            .collect();
        assert_eq!(apply(&s, &all).expect("defaults are valid"), s);
    }

    #[test]
    fn values_are_applied_in_their_units() {
        let s = apply(
            &Settings::default(),
            &pairs(&[
                ("major_threshold", "1000.5"),
                ("deviation_red", "15"),
                ("coverage_min_share", "25"),
                ("sample_min", "8"),
                ("grade_excellent", "92.5"),
            ]),
        )
        .expect("valid");
        assert_eq!(s.project.major_threshold, Fen::parse_wan("1000.5").unwrap());
        assert_eq!(s.monitoring.deviation_red, dec!(15));
        assert_eq!(s.coverage.min_share, dec!(0.25));
        assert_eq!(s.verification.sample_min, 8);
        assert_eq!(s.grades.excellent, dec!(92.5));
        // Untouched keys keep their values.
        assert_eq!(s.monitoring.review_red, dec!(60));
    }

    #[test]
    fn every_problem_is_reported_and_nothing_applied() {
        let e = apply(
            &Settings::default(),
            &pairs(&[
                ("deviation_red", "abc"),
                ("review_red", "101"),
                ("sample_min", "2.5"),
                ("execution_weight", "10.125"),
            ]),
        )
        .expect_err("refused");
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].1.contains("不是有效的数字"));
        assert!(e.iter().any(|(_, m)| m.contains("应在 0 至 100 分之间")));
        assert!(e.iter().any(|(_, m)| m == "应为整数"));
        assert!(e.iter().any(|(_, m)| m == "最多保留两位小数"));
    }

    #[test]
    fn the_defaults_are_valid_and_a_broken_setting_is_named() {
        assert!(validate(&Settings::default()).is_empty());
        let mut s = Settings::default();
        s.grades.good = dec!(95);
        s.monitoring.deviation_red = dec!(500);
        let problems = validate(&s);
        assert!(
            problems.iter().any(|p| p.contains("双监控偏差红色预警线")),
            "{problems:?}"
        );
    }

    #[test]
    fn grade_lines_must_descend() {
        let e =
            apply(&Settings::default(), &pairs(&[("grade_good", "90")])).expect_err("优秀 = 良好");
        assert_eq!(e[0].0, "评价等级");
    }
}
