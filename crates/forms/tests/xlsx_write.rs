//! Issue 4 part 5: the form writers. What we write, our own reader reads back identically
//! (property tests over generated forms of every kind), and the written sheets look as the
//! central layout does (key cells, merges, no formulas, checked through calamine).

use calamine::{Data, Reader, Xlsx};
use jixiao_domain::decimal::{parse_loose, round2};
use jixiao_domain::indicator::{DEFAULT_DICTIONARY, Sign};
use jixiao_domain::money::{Fen, ratio};
use jixiao_domain::monitoring::{self, Likelihood, MonitoringReport};
use jixiao_domain::scoring::Severity;
use jixiao_domain::settings::MonitoringSettings;
use jixiao_forms::xlsx::write::{
    EvaluatedIndicator, Form, FundsLine, Indicator, MonitoredIndicator, MonitoringForm,
    MonitoringFunds, MonitoringLine, ProjectSelfEvaluationForm, ProjectTargetForm,
    SelfEvaluationFunds, Target, TargetFunds, Task, UnitSelfEvaluationForm, UnitTargetForm, Value,
    write_form, write_forms,
};
use jixiao_forms::xlsx::{
    FormKind, FundsRead, Limits, ParsedForm, monitoring_input, read_workbook,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::io::Cursor;

// ---------------------------------------------------------------------------------------------
// Generators

/// Words names are made of: ordinary ones, and some that the reader looks for elsewhere on a
/// sheet (监控, 整体, 自评, 合计, 总计 …) so that a name can never be taken for a label.
const WORDS: &[&str] = &[
    "道路",
    "养护",
    "农村",
    "学校",
    "监控",
    "整体",
    "评价",
    "合计",
    "总计",
    "培训",
    "服务",
    "补助",
    "设备",
    "采购",
    "（一期）",
    "医疗",
    "卫生",
    "饮水",
    "安全",
    "覆盖",
    "人员",
    "自评",
    "结论",
    "改造",
    "数量",
    "质量",
    "（县级）",
    "系统",
    "申报",
];
/// A name may begin with what a spreadsheet takes for a formula.
const PREFIXES: &[&str] = &["", "", "", "=", "+", "-", "@"];
const UNITS: &[&str] = &[
    "个",
    "人",
    "%",
    "万元",
    "米",
    "元/亩",
    "天",
    "次",
    "平方米",
    "户",
    "",
];
const QUAL_TARGETS: &[&str] = &["达到预期", "有效改善", "效果明显", "逐步提升", "按期完成"];
const QUAL_ACTUALS: &[&str] = &["达成预期指标", "部分达成", "未达成", "效果明显", "达到预期"];
const LIKELIHOOD: &[&str] = &["确定能", "有可能", "完全不可能", ""];

fn words(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), min..=max).prop_map(|w| w.concat())
}

/// A name. An indicator named exactly 合计/总计 cannot be told from the total row that ends
/// the table (some layouts put that label in the name column), so no name is only that.
fn name() -> impl Strategy<Value = String> {
    (prop::sample::select(PREFIXES), words(1, 5))
        .prop_map(|(p, w)| format!("{p}{w}"))
        .prop_filter("a name that is only a total label", |n| {
            !matches!(n.as_str(), "合计" | "总计" | "总分")
        })
}

/// A decimal with two places, 0 ≤ d < 10 000.
fn dec2() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000).prop_map(|c| Decimal::new(c, 2))
}

fn fen() -> impl Strategy<Value = Fen> {
    (0i64..10_000_000_000).prop_map(Fen)
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => (
            prop::sample::select(&[Sign::Ge, Sign::Gt, Sign::Le, Sign::Lt, Sign::Eq][..]),
            dec2(),
            prop::sample::select(UNITS),
        )
            .prop_map(|(sign, value, unit)| Target::Quantitative { sign, value, unit: unit.into() }),
        1 => (prop::sample::select(&["", "+", "-", "@"][..]), prop::sample::select(QUAL_TARGETS))
            .prop_map(|(p, t)| Target::Qualitative(format!("{p}{t}"))),
    ]
}

fn indicator() -> impl Strategy<Value = Indicator> {
    (
        0..DEFAULT_DICTIONARY.len(),
        0usize..4,
        name(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        target(),
        prop::option::weighted(0.9, dec2()),
    )
        .prop_map(|(l1, l2, name, core, sub_item, target, weight)| {
            let (level1, level2s) = DEFAULT_DICTIONARY[l1];
            Indicator {
                level1: level1.into(),
                level2: level2s[l2 % level2s.len()].into(),
                name,
                core,
                sub_item,
                target,
                weight,
            }
        })
}

/// 1–20 indicators; the first is never a sub-item, sub-items keep their parent's levels.
fn indicators() -> impl Strategy<Value = Vec<Indicator>> {
    prop::collection::vec(indicator(), 1..=20).prop_map(|mut v| {
        v[0].sub_item = false;
        for i in 1..v.len() {
            if v[i].sub_item {
                v[i].level1 = v[i - 1].level1.clone();
                v[i].level2 = v[i - 1].level2.clone();
            }
        }
        v
    })
}

fn actual_for(ind: &Indicator) -> BoxedStrategy<Option<Value>> {
    match ind.target {
        Target::Quantitative { .. } => {
            prop::option::weighted(0.9, dec2().prop_map(Value::Number)).boxed()
        }
        Target::Qualitative(_) => prop::option::weighted(
            0.9,
            prop::sample::select(QUAL_ACTUALS).prop_map(|t| Value::Text(t.into())),
        )
        .boxed(),
    }
}

fn evaluated() -> impl Strategy<Value = Vec<EvaluatedIndicator>> {
    indicators().prop_flat_map(|inds| {
        let rows: Vec<_> = inds
            .into_iter()
            .map(|ind| {
                (
                    actual_for(&ind),
                    prop::option::weighted(0.8, dec2()),
                    prop_oneof![Just(String::new()), name()],
                )
                    .prop_map(move |(actual, score, explanation)| {
                        EvaluatedIndicator {
                            indicator: ind.clone(),
                            actual,
                            score,
                            explanation,
                        }
                    })
            })
            .collect();
        rows
    })
}

fn monitored() -> impl Strategy<Value = Vec<MonitoredIndicator>> {
    indicators().prop_flat_map(|inds| {
        let rows: Vec<_> = inds
            .into_iter()
            .map(|ind| {
                (
                    actual_for(&ind),
                    actual_for(&ind),
                    prop_oneof![Just(String::new()), name()],
                    prop::sample::select(LIKELIHOOD),
                )
                    .prop_map(move |(to_date, forecast, deviation, likelihood)| {
                        MonitoredIndicator {
                            indicator: ind.clone(),
                            to_date,
                            forecast,
                            deviation,
                            likelihood: likelihood.into(),
                        }
                    })
            })
            .collect();
        rows
    })
}

fn target_funds() -> impl Strategy<Value = TargetFunds> {
    (fen(), fen()).prop_map(|(finance, other)| TargetFunds {
        total: finance + other,
        finance,
        other,
    })
}

fn opt_sum(parts: &[Option<Fen>]) -> Option<Fen> {
    let v: Vec<Fen> = parts.iter().flatten().copied().collect();
    (!v.is_empty()).then(|| v.into_iter().sum())
}

fn funds_line() -> impl Strategy<Value = FundsLine> {
    (
        prop::option::weighted(0.7, fen()),
        prop::option::weighted(0.8, fen()),
        prop::option::weighted(0.8, fen()),
    )
        .prop_map(|(start, budget, executed)| FundsLine {
            start,
            budget,
            executed,
        })
}

/// The total line is the sum of its parts, as a consistent form has it.
fn self_evaluation_funds() -> impl Strategy<Value = SelfEvaluationFunds> {
    (
        funds_line(),
        funds_line(),
        funds_line(),
        prop::option::of(Just(Decimal::TEN)),
        prop::option::of(dec2()),
        prop::option::of(dec2()),
    )
        .prop_map(|(current, carried, other, weight, rate, score)| {
            let sum =
                |f: fn(&FundsLine) -> Option<Fen>| opt_sum(&[f(&current), f(&carried), f(&other)]);
            SelfEvaluationFunds {
                total: FundsLine {
                    start: sum(|l| l.start),
                    budget: sum(|l| l.budget),
                    executed: sum(|l| l.executed),
                },
                current,
                carried,
                other,
                weight,
                rate,
                score,
            }
        })
}

fn monitoring_line() -> impl Strategy<Value = MonitoringLine> {
    (
        prop::option::weighted(0.8, fen()),
        prop::option::weighted(0.8, fen()),
        prop::option::weighted(0.5, fen()),
    )
        .prop_map(|(budget, executed, forecast)| MonitoringLine {
            budget,
            executed,
            forecast,
        })
}

fn monitoring_funds() -> impl Strategy<Value = MonitoringFunds> {
    (monitoring_line(), monitoring_line(), monitoring_line()).prop_map(
        |(current, carried, other)| {
            let sum = |f: fn(&MonitoringLine) -> Option<Fen>| {
                opt_sum(&[f(&current), f(&carried), f(&other)])
            };
            MonitoringFunds {
                total: MonitoringLine {
                    budget: sum(|l| l.budget),
                    executed: sum(|l| l.executed),
                    forecast: sum(|l| l.forecast),
                },
                current,
                carried,
                other,
            }
        },
    )
}

fn year() -> impl Strategy<Value = i32> {
    2015i32..=2035
}

fn project_target_form() -> impl Strategy<Value = ProjectTargetForm> {
    (
        year(),
        name(),
        name(),
        name(),
        target_funds(),
        words(0, 8),
        indicators(),
    )
        .prop_map(
            |(fiscal_year, project, department, implementer, funds, goal, indicators)| {
                ProjectTargetForm {
                    fiscal_year,
                    project,
                    department,
                    implementer,
                    funds,
                    goal,
                    indicators,
                }
            },
        )
}

fn unit_target_form() -> impl Strategy<Value = UnitTargetForm> {
    let task =
        (name(), words(0, 6), fen(), fen()).prop_map(|(name, content, finance, other)| Task {
            name,
            content,
            total: finance + other,
            finance,
            other,
        });
    (
        year(),
        name(),
        target_funds(),
        prop::collection::vec(task, 0..6),
        words(0, 8),
        indicators(),
    )
        .prop_map(
            |(fiscal_year, unit, funds, tasks, goal, indicators)| UnitTargetForm {
                fiscal_year,
                unit,
                funds,
                tasks,
                goal,
                indicators,
            },
        )
}

fn monitoring_form() -> impl Strategy<Value = MonitoringForm> {
    (
        (year(), 1u8..=12, name(), name(), name()),
        monitoring_funds(),
        (words(0, 6), words(0, 6), words(0, 6)),
        prop::option::of(dec2()),
        monitored(),
    )
        .prop_map(
            |(
                (fiscal_year, period_end_month, project, department, implementer),
                funds,
                (goal, goal_progress, goal_forecast),
                completion_rate,
                indicators,
            )| MonitoringForm {
                fiscal_year,
                period_end_month,
                project,
                department,
                implementer,
                funds,
                goal,
                goal_progress,
                goal_forecast,
                completion_rate,
                indicators,
            },
        )
}

fn project_self_evaluation_form() -> impl Strategy<Value = ProjectSelfEvaluationForm> {
    (
        (year(), name(), name(), name()),
        self_evaluation_funds(),
        (words(0, 8), words(0, 8)),
        evaluated(),
        prop::option::of(dec2()),
    )
        .prop_map(
            |(
                (fiscal_year, project, department, implementer),
                funds,
                (goal_expected, goal_actual),
                indicators,
                total_score,
            )| ProjectSelfEvaluationForm {
                fiscal_year,
                project,
                department,
                implementer,
                funds,
                goal_expected,
                goal_actual,
                indicators,
                total_score,
            },
        )
}

fn unit_self_evaluation_form() -> impl Strategy<Value = UnitSelfEvaluationForm> {
    (
        (year(), name()),
        self_evaluation_funds(),
        (words(0, 8), words(0, 8)),
        evaluated(),
        prop::option::of(dec2()),
    )
        .prop_map(
            |(
                (fiscal_year, unit),
                funds,
                (goal_expected, goal_actual),
                indicators,
                total_score,
            )| {
                UnitSelfEvaluationForm {
                    fiscal_year,
                    unit,
                    funds,
                    goal_expected,
                    goal_actual,
                    indicators,
                    total_score,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Comparison

/// The rules' view of a monitoring form as written, without the reader (SPEC §7).
fn domain_report(f: &MonitoringForm) -> MonitoringReport {
    MonitoringReport {
        period_end_month: u32::from(f.period_end_month),
        budget: f.funds.total.budget.unwrap_or(Fen::ZERO),
        executed: f.funds.total.executed.unwrap_or(Fen::ZERO),
        reported_completion: f.completion_rate,
        indicators: f
            .indicators
            .iter()
            .map(|m| {
                let ind = &m.indicator;
                let (sign, target) = match &ind.target {
                    Target::Quantitative { sign, value, .. } => (*sign, Some(*value)),
                    Target::Qualitative(_) => (Sign::Qualitative, None),
                };
                monitoring::MonitoredIndicator {
                    name: ind.name.clone(),
                    sign: Some(sign),
                    target,
                    to_date: match &m.to_date {
                        Some(Value::Number(n)) if sign != Sign::Qualitative => Some(*n),
                        _ => None,
                    },
                    weight: if ind.sub_item { None } else { ind.weight },
                    likelihood: Likelihood::parse_written(&m.likelihood),
                    sub_item: ind.sub_item,
                    has_cause: !m.deviation.is_empty(),
                    has_measures: !m.deviation.is_empty(),
                }
            })
            .collect(),
        review_score: None,
    }
}

fn read_one(form: &Form) -> ParsedForm {
    let bytes = write_form(form).expect("written");
    let book = read_workbook(&bytes, &Limits::default()).expect("read back");
    assert_eq!(book.forms.len(), 1, "one form per sheet: {:#?}", book.forms);
    book.forms.into_iter().next().expect("one form")
}

/// What every indicator row must read back as; `weights`: whether the form has a 分值 column.
struct Expected<'a> {
    ind: &'a Indicator,
    actual: Option<&'a Value>,
    score: Option<Decimal>,
    explanation: bool,
}

fn check_indicators(read: &ParsedForm, expected: &[Expected<'_>], weights: bool) {
    assert_eq!(
        read.indicators.len(),
        expected.len(),
        "indicator count; read: {:#?}",
        read.indicators
    );
    let mut parent = None;
    for (i, (got, want)) in read.indicators.iter().zip(expected).enumerate() {
        let w = want.ind;
        let at = format!("row {} ({})", got.row, got.cell);
        assert_eq!(got.level1, w.level1, "{at} level1");
        assert_eq!(got.level2, w.level2, "{at} level2");
        assert_eq!(got.name, w.name, "{at} name");
        assert_eq!(got.core, w.core, "{at} core");
        assert_eq!(got.sub_item, w.sub_item, "{at} sub_item");
        assert!(!got.sign_inferred, "{at} sign inferred");
        match &w.target {
            Target::Quantitative { sign, value, unit } => {
                assert_eq!(got.sign, Some(*sign), "{at} sign");
                assert!(!got.qualitative, "{at} qualitative");
                assert_eq!(got.target, Some(*value), "{at} target");
                let unit = (!unit.is_empty()).then(|| unit.clone());
                assert_eq!(got.unit, unit, "{at} unit");
            }
            Target::Qualitative(text) => {
                assert_eq!(got.sign, Some(Sign::Qualitative), "{at} sign");
                assert!(got.qualitative, "{at} qualitative");
                assert_eq!(got.target, None, "{at} target");
                assert_eq!(&got.target_text, text, "{at} target text");
                assert_eq!(got.unit, None, "{at} unit");
            }
        }
        let weight = if weights && !w.sub_item {
            w.weight
        } else {
            None
        };
        assert_eq!(got.weight, weight, "{at} weight");
        match want.actual {
            None => {
                assert_eq!(got.actual, None, "{at} actual");
                assert_eq!(got.actual_text, "", "{at} actual text");
            }
            Some(Value::Number(d)) => assert_eq!(got.actual, Some(*d), "{at} actual"),
            Some(Value::Text(t)) => assert_eq!(&got.actual_text, t, "{at} actual text"),
        }
        let score = if w.sub_item { None } else { want.score };
        assert_eq!(got.stated_score, score, "{at} score");
        assert_eq!(got.has_explanation, want.explanation, "{at} explanation");
        if w.sub_item {
            assert_eq!(got.parent, parent, "{at} parent");
        } else {
            assert_eq!(got.parent, None, "{at} parent");
            parent = Some(i);
        }
    }
}

fn no_errors(read: &ParsedForm) {
    let errors: Vec<_> = read
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "errors on a written form: {errors:#?}");
}

fn check_target_funds(read: &ParsedForm, funds: &TargetFunds) {
    let got = read.funds.as_ref().expect("funds");
    assert_eq!(got.budget, Some(funds.total), "funds total");
}

fn check_self_evaluation(
    read: &ParsedForm,
    funds: &SelfEvaluationFunds,
    indicators: &[EvaluatedIndicator],
    total: Option<Decimal>,
) {
    let got: &FundsRead = read.funds.as_ref().expect("funds");
    assert_eq!(got.budget, funds.total.budget, "funds budget");
    assert_eq!(got.executed, funds.total.executed, "funds executed");
    assert_eq!(got.start_budget, funds.total.start, "funds start");
    assert_eq!(got.stated_rate, funds.rate, "funds rate");
    assert_eq!(got.stated_score, funds.score, "funds score");
    let expected: Vec<Expected<'_>> = indicators
        .iter()
        .map(|e| Expected {
            ind: &e.indicator,
            actual: e.actual.as_ref(),
            score: e.score,
            explanation: !e.explanation.is_empty(),
        })
        .collect();
    assert!(read.has_weight_column);
    check_indicators(read, &expected, true);
    assert_eq!(read.stated_total, total, "总分");
    let weights: Vec<Decimal> = funds
        .weight
        .into_iter()
        .chain(
            indicators
                .iter()
                .filter(|e| !e.indicator.sub_item)
                .filter_map(|e| e.indicator.weight),
        )
        .collect();
    let weight_total = (!weights.is_empty()).then(|| weights.into_iter().sum::<Decimal>());
    assert_eq!(read.stated_weight_total, weight_total, "分值 total");
    no_errors(read);
}

fn target_expected(indicators: &[Indicator]) -> Vec<Expected<'_>> {
    indicators
        .iter()
        .map(|ind| Expected {
            ind,
            actual: None,
            score: None,
            explanation: false,
        })
        .collect()
}

fn value_matches(text: &str, v: &Option<Value>) -> bool {
    match v {
        None => text.is_empty(),
        Some(Value::Number(d)) => parse_loose(text) == Some(*d),
        Some(Value::Text(t)) => text == t,
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn project_target_round_trip(f in project_target_form()) {
        let read = read_one(&f.clone().into());
        prop_assert_eq!(read.kind, FormKind::ProjectTarget);
        prop_assert_eq!(read.project.as_deref(), Some(f.project.as_str()));
        prop_assert_eq!(read.department.as_deref(), Some(f.department.as_str()));
        prop_assert_eq!(read.implementer.as_deref(), Some(f.implementer.as_str()));
        prop_assert_eq!(read.fiscal_year, Some(f.fiscal_year));
        check_target_funds(&read, &f.funds);
        let weights = f.indicators.iter().any(|i| i.weight.is_some());
        prop_assert_eq!(read.has_weight_column, weights);
        check_indicators(&read, &target_expected(&f.indicators), weights);
        no_errors(&read);
    }

    #[test]
    fn unit_target_round_trip(f in unit_target_form()) {
        let read = read_one(&f.clone().into());
        prop_assert_eq!(read.kind, FormKind::UnitTarget);
        prop_assert_eq!(read.project.as_deref(), None);
        prop_assert_eq!(read.department.as_deref(), Some(f.unit.as_str()));
        prop_assert_eq!(read.fiscal_year, Some(f.fiscal_year));
        check_target_funds(&read, &f.funds);
        let weights = f.indicators.iter().any(|i| i.weight.is_some());
        check_indicators(&read, &target_expected(&f.indicators), weights);
        no_errors(&read);
    }

    #[test]
    fn monitoring_round_trip(f in monitoring_form()) {
        let read = read_one(&f.clone().into());
        prop_assert_eq!(read.kind, FormKind::Monitoring);
        prop_assert_eq!(read.project.as_deref(), Some(f.project.as_str()));
        prop_assert_eq!(read.department.as_deref(), Some(f.department.as_str()));
        prop_assert_eq!(read.implementer.as_deref(), Some(f.implementer.as_str()));
        prop_assert_eq!(read.fiscal_year, Some(f.fiscal_year));
        let got = read.funds.as_ref().expect("funds");
        prop_assert_eq!(got.budget, f.funds.total.budget);
        prop_assert_eq!(got.executed, f.funds.total.executed);
        let rate = match (f.funds.total.budget, f.funds.total.executed) {
            (Some(b), Some(e)) => ratio(e, b).map(|r| round2(r * Decimal::ONE_HUNDRED)),
            _ => None,
        };
        prop_assert_eq!(got.stated_rate, rate);
        let expected: Vec<Expected<'_>> = f
            .indicators
            .iter()
            .map(|m| Expected {
                ind: &m.indicator,
                actual: m.to_date.as_ref(),
                score: None,
                explanation: !m.deviation.is_empty(),
            })
            .collect();
        // A 分值 column is written when any indicator has a weight.
        let weights = f.indicators.iter().any(|m| m.indicator.weight.is_some());
        check_indicators(&read, &expected, weights);
        prop_assert_eq!(got.forecast, f.funds.total.forecast);
        prop_assert_eq!(read.period_end_month, Some(u32::from(f.period_end_month.max(1))));
        prop_assert_eq!(read.reported_completion, f.completion_rate);
        for (got, m) in read.indicators.iter().zip(&f.indicators) {
            prop_assert!(value_matches(&got.forecast_text, &m.forecast), "forecast {:?} vs {:?}", got.forecast_text, m.forecast);
            let forecast_number = match &m.forecast {
                Some(Value::Number(n)) if !got.qualitative => Some(*n),
                _ => None,
            };
            prop_assert_eq!(got.forecast, forecast_number);
            let to_date_number = match &m.to_date {
                Some(Value::Number(n)) if !got.qualitative => Some(*n),
                _ => None,
            };
            prop_assert_eq!(got.actual, to_date_number);
            prop_assert_eq!(&got.likelihood_text, &m.likelihood);
            prop_assert_eq!(got.likelihood, Likelihood::parse_written(&m.likelihood));
            prop_assert_eq!(&got.explanation_text, &m.deviation);
        }
        no_errors(&read);
    }

    /// Several monitoring forms in one workbook, read back: the rules (SPEC §7) give the same
    /// figures, warnings and findings as for the values written.
    #[test]
    fn monitoring_analysis_round_trip(forms in prop::collection::vec(monitoring_form(), 1..=3)) {
        let written: Vec<Form> = forms.iter().cloned().map(Form::from).collect();
        let bytes = write_forms(&written).expect("written");
        let book = read_workbook(&bytes, &Limits::default()).expect("read");
        prop_assert_eq!(book.forms.len(), forms.len());
        let settings = MonitoringSettings::default();
        for (got, f) in book.forms.iter().zip(&forms) {
            let direct = monitoring::analyse(&settings, &domain_report(f));
            let through = monitoring::analyse(&settings, &monitoring_input(got));
            prop_assert_eq!(through, direct);
        }
    }

    #[test]
    fn project_self_evaluation_round_trip(f in project_self_evaluation_form()) {
        let read = read_one(&f.clone().into());
        prop_assert_eq!(read.kind, FormKind::ProjectSelfEvaluation);
        prop_assert_eq!(read.project.as_deref(), Some(f.project.as_str()));
        prop_assert_eq!(read.department.as_deref(), Some(f.department.as_str()));
        prop_assert_eq!(read.implementer.as_deref(), Some(f.implementer.as_str()));
        prop_assert_eq!(read.fiscal_year, Some(f.fiscal_year));
        check_self_evaluation(&read, &f.funds, &f.indicators, f.total_score);
    }

    #[test]
    fn unit_self_evaluation_round_trip(f in unit_self_evaluation_form()) {
        let read = read_one(&f.clone().into());
        prop_assert_eq!(read.kind, FormKind::UnitSelfEvaluation);
        prop_assert_eq!(read.project.as_deref(), None);
        prop_assert_eq!(read.department.as_deref(), Some(f.unit.as_str()));
        prop_assert_eq!(read.fiscal_year, Some(f.fiscal_year));
        check_self_evaluation(&read, &f.funds, &f.indicators, f.total_score);
    }

    /// All five kinds in one workbook come back as five forms, in order.
    #[test]
    fn one_workbook_many_forms(
        a in project_target_form(),
        b in unit_target_form(),
        c in monitoring_form(),
        d in project_self_evaluation_form(),
        e in unit_self_evaluation_form(),
    ) {
        let forms: Vec<Form> = vec![a.into(), b.into(), c.into(), d.into(), e.into()];
        let bytes = write_forms(&forms).expect("written");
        let book = read_workbook(&bytes, &Limits::default()).expect("read");
        let kinds: Vec<FormKind> = book.forms.iter().map(|f| f.kind).collect();
        prop_assert_eq!(kinds, vec![
            FormKind::ProjectTarget,
            FormKind::UnitTarget,
            FormKind::Monitoring,
            FormKind::ProjectSelfEvaluation,
            FormKind::UnitSelfEvaluation,
        ]);
    }
}

// ---------------------------------------------------------------------------------------------
// Examples: the sheets as people see them

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn q(sign: Sign, value: &str, unit: &str) -> Target {
    Target::Quantitative {
        sign,
        value: d(value),
        unit: unit.into(),
    }
}

fn sample_self_evaluation() -> ProjectSelfEvaluationForm {
    let line = |b: i64, e: i64| FundsLine {
        start: Some(Fen::from_wan(b)),
        budget: Some(Fen::from_wan(b)),
        executed: Some(Fen::from_wan(e)),
    };
    let mut core =
        Indicator::new("产出指标", "数量指标", "修缮校舍", q(Sign::Eq, "8", "个")).weight(d("20"));
    core.core = true;
    let mut sub = Indicator::new(
        "产出指标",
        "数量指标",
        "教学楼（栋）",
        q(Sign::Ge, "3", "个"),
    );
    sub.sub_item = true;
    ProjectSelfEvaluationForm {
        fiscal_year: 2023,
        project: "=HYPERLINK(\"http://x\",\"校舍维修\")".into(),
        department: "且末县教育局".into(),
        implementer: "且末县第一中学".into(),
        funds: SelfEvaluationFunds {
            total: line(20, 18),
            current: line(20, 18),
            weight: Some(Decimal::TEN),
            rate: Some(d("90")),
            score: Some(d("9")),
            ..SelfEvaluationFunds::default()
        },
        goal_expected: "维修校舍 8 个".into(),
        goal_actual: "已维修 8 个".into(),
        indicators: vec![
            EvaluatedIndicator {
                indicator: core,
                actual: Some(Value::Number(d("8"))),
                score: Some(d("20")),
                explanation: String::new(),
            },
            EvaluatedIndicator {
                indicator: sub,
                actual: Some(Value::Number(d("3"))),
                score: None,
                explanation: String::new(),
            },
            EvaluatedIndicator {
                indicator: Indicator::new(
                    "产出指标",
                    "质量指标",
                    "验收合格率",
                    q(Sign::Ge, "95", "百分比"),
                )
                .weight(d("30")),
                actual: Some(Value::Number(d("100"))),
                score: Some(d("30")),
                explanation: "-超额完成，已说明".into(),
            },
            EvaluatedIndicator {
                indicator: Indicator::new(
                    "效益指标",
                    "社会效益指标",
                    "办学条件",
                    Target::Qualitative("有效改善".into()),
                )
                .weight(d("30")),
                actual: Some(Value::Text("达成预期指标".into())),
                score: Some(d("30")),
                explanation: String::new(),
            },
            EvaluatedIndicator {
                indicator: Indicator::new(
                    "满意度指标",
                    "服务对象满意度指标",
                    "师生满意度",
                    q(Sign::Ge, "90", "%"),
                )
                .weight(d("10")),
                actual: Some(Value::Number(d("85.5"))),
                score: Some(d("9.5")),
                explanation: "@宿舍改造未完成".into(),
            },
        ],
        total_score: Some(d("98.5")),
    }
}

struct Opened {
    range: calamine::Range<Data>,
    merges: Vec<String>,
    formulas: usize,
    sheet_xml: String,
    workbook_xml: String,
    styles_xml: String,
}

fn a1(r: u32, c: u32) -> String {
    format!("{}{}", (b'A' + c as u8) as char, r + 1)
}

fn open(bytes: &[u8]) -> Opened {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    let merges = book
        .merge_cells_by_sheet_name(&name)
        .expect("merges")
        .iter()
        .map(|m| format!("{}:{}", a1(m.start.0, m.start.1), a1(m.end.0, m.end.1)))
        .collect();
    let formulas = book
        .worksheet_formula(&name)
        .expect("formulas")
        .used_cells()
        .filter(|(_, _, f)| !f.is_empty())
        .count();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut read = |path: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(path).expect(path), &mut s).expect("utf-8");
        s
    };
    Opened {
        range,
        merges,
        formulas,
        sheet_xml: read("xl/worksheets/sheet1.xml"),
        workbook_xml: read("xl/workbook.xml"),
        styles_xml: read("xl/styles.xml"),
    }
}

impl Opened {
    fn text(&self, cell: &str) -> String {
        let col = u32::from(cell.as_bytes()[0] - b'A');
        let row: u32 = cell[1..].parse::<u32>().expect("row") - 1;
        match self.range.get_value((row, col)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => format!("{f}"),
            Some(Data::Empty) | None => String::new(),
            Some(other) => format!("{other:?}"),
        }
    }

    fn merged(&self, range: &str) -> bool {
        self.merges.iter().any(|m| m == range)
    }
}

#[test]
fn project_self_evaluation_sheet_in_the_central_layout() {
    let form = sample_self_evaluation();
    let bytes = write_form(&form.clone().into()).expect("written");
    let s = open(&bytes);
    assert_eq!(s.text("A1"), "项目支出绩效自评表");
    assert!(s.merged("A1:I1"), "{:?}", s.merges);
    assert_eq!(s.text("A2"), "（2023年度）");
    // A formula-looking project name is text, never a formula.
    assert_eq!(s.text("A3"), "项目名称");
    assert_eq!(s.text("C3"), "=HYPERLINK(\"http://x\",\"校舍维修\")");
    assert!(s.merged("C3:I3"));
    assert_eq!(s.formulas, 0, "no formula is written");
    assert_eq!(
        [s.text("A4"), s.text("C4"), s.text("F4"), s.text("G4")],
        ["主管部门", "且末县教育局", "实施单位", "且末县第一中学"]
    );
    // Funds block: 万元 as numbers shown with 2 decimals, the rate in percentage points.
    assert_eq!(s.text("A5"), "项目资金（万元）");
    assert!(s.merged("A5:B9"));
    let headers: Vec<String> = ["D5", "E5", "F5", "G5", "H5", "I5"]
        .iter()
        .map(|c| s.text(c))
        .collect();
    assert_eq!(
        headers,
        [
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分"
        ]
    );
    assert_eq!(
        [s.text("C6"), s.text("E6"), s.text("F6"), s.text("H6")],
        ["年度资金总额", "20", "18", "90"]
    );
    assert_eq!(s.text("C7"), "其中：当年财政拨款");
    assert_eq!(s.text("A10"), "年度总体目标");
    // Indicator table: header, merged level labels, ★ and 其中, "=8个" as text.
    assert_eq!(s.text("A12"), "绩效指标");
    assert!(s.merged("A12:A17"), "{:?}", s.merges);
    assert_eq!(
        ["B12", "C12", "D12", "E12", "F12", "G12", "H12", "I12"].map(|c| s.text(c)),
        [
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施"
        ]
    );
    assert_eq!(s.text("B13"), "产出指标");
    assert!(s.merged("B13:B15"), "{:?}", s.merges);
    assert!(s.merged("C13:C14"), "{:?}", s.merges);
    assert_eq!(s.text("D13"), "★修缮校舍");
    assert_eq!(s.text("E13"), "=8个");
    assert_eq!(s.text("D14"), "其中：教学楼（栋）");
    assert_eq!(s.text("G14"), "", "a sub-item has no weight of its own");
    assert_eq!(s.text("E15"), "≥95%", "百分比 is written %");
    assert_eq!(s.text("E16"), "有效改善");
    assert_eq!(s.text("I15"), "-超额完成，已说明");
    assert_eq!(s.text("I17"), "@宿舍改造未完成");
    assert_eq!(s.text("A18"), "总分");
    assert!(s.merged("A18:F18"));
    assert_eq!([s.text("G18"), s.text("H18")], ["100", "98.5"]);
    // Number formats, borders and print setup.
    assert!(
        s.styles_xml.contains("quotePrefix=\"1\""),
        "formula-like text carries Excel's quote prefix"
    );
    assert!(s.styles_xml.contains("#,##0.00") && s.styles_xml.contains("0.00&quot;%&quot;"));
    assert!(s.styles_xml.contains("<left style=\"thin\""), "borders");
    assert!(
        s.sheet_xml.contains("orientation=\"landscape\""),
        "{}",
        s.sheet_xml
    );
    assert!(s.sheet_xml.contains("paperSize=\"9\""));
    assert!(s.sheet_xml.contains("fitToHeight=\"0\""));
    assert!(s.sheet_xml.contains("<cols>"));
    assert!(
        s.workbook_xml.contains("_xlnm.Print_Titles") && s.workbook_xml.contains("$12:$12"),
        "the indicator header repeats on every page: {}",
        s.workbook_xml
    );
}

#[test]
fn written_self_evaluation_scores_through_the_checker() {
    use jixiao_domain::settings::Settings;
    use jixiao_forms::xlsx::check_workbook;
    let bytes = write_form(&sample_self_evaluation().into()).expect("written");
    let book = read_workbook(&bytes, &Limits::default()).expect("read");
    let report = check_workbook("sample.xlsx", &book, &Settings::default());
    let form = &report.forms[0];
    assert_eq!(form.kind, "project_self_evaluation");
    // 9 (execution 18/20) + 20 + 30 + 30 + 10 × 85.5/90 = 98.5.
    assert_eq!(form.total, Some(98.5), "{form:#?}");
    assert_eq!(form.stated_total, Some(98.5));
    assert_eq!(form.indicators[1].parent, Some(0));
    assert!(
        form.findings.iter().all(|f| f.severity != Severity::Error),
        "{:#?}",
        form.findings
    );
}

#[test]
fn unit_target_sheet_with_tasks() {
    let form = UnitTargetForm {
        fiscal_year: 2024,
        unit: "且末县卫生健康委员会".into(),
        funds: TargetFunds {
            total: Fen(1_234_567_800),
            finance: Fen(1_000_000_000),
            other: Fen(234_567_800),
        },
        tasks: vec![
            Task {
                name: "基本公共卫生服务".into(),
                content: "+ 为辖区居民提供 14 类基本公共卫生服务".into(),
                total: Fen(1_000_000_000),
                finance: Fen(1_000_000_000),
                other: Fen::ZERO,
            },
            Task {
                name: "医疗设备购置".into(),
                content: "购置 DR 设备 2 台".into(),
                total: Fen(234_567_800),
                finance: Fen::ZERO,
                other: Fen(234_567_800),
            },
        ],
        goal: "保障基本公共卫生服务全覆盖".into(),
        indicators: vec![
            Indicator::new(
                "产出指标",
                "数量指标",
                "服务人口",
                q(Sign::Ge, "6.5", "万人"),
            ),
            Indicator::new(
                "成本指标",
                "经济成本指标",
                "人均服务成本",
                q(Sign::Le, "89", "元"),
            ),
        ],
    };
    let bytes = write_form(&form.clone().into()).expect("written");
    let s = open(&bytes);
    assert_eq!(s.text("A1"), "部门（单位）整体支出绩效目标申报表");
    assert!(s.merged("A1:G1"));
    assert_eq!(
        [s.text("A3"), s.text("C3")],
        ["部门（单位）名称", "且末县卫生健康委员会"]
    );
    assert_eq!(
        [s.text("A4"), s.text("C4"), s.text("E4")],
        ["部门资金（万元）", "年度资金总额", "1234.5678"]
    );
    assert_eq!(s.text("A7"), "年度主要任务");
    assert!(s.merged("A7:B9"), "{:?}", s.merges);
    assert_eq!(
        ["C7", "D7", "E7", "F7", "G7"].map(|c| s.text(c)),
        [
            "任务名称",
            "主要内容",
            "预算数（万元）",
            "其中：财政拨款",
            "其中：其他资金"
        ]
    );
    assert_eq!(
        ["C8", "D8", "E8", "F8", "G8"].map(|c| s.text(c)),
        [
            "基本公共卫生服务",
            "+ 为辖区居民提供 14 类基本公共卫生服务",
            "1000",
            "1000",
            "0"
        ]
    );
    assert_eq!(s.text("A10"), "年度总体目标");
    assert_eq!(s.text("E11"), "指标值");
    assert_eq!(s.text("F11"), "", "no 分值 column without weights");
    assert!(s.merged("E12:G12"), "{:?}", s.merges);
    assert_eq!(s.text("E13"), "≤89元");
    assert!(s.sheet_xml.contains("orientation=\"portrait\"") || !s.sheet_xml.contains("landscape"));
    assert_eq!(s.formulas, 0);
    let read = read_one(&form.into());
    assert_eq!(read.kind, FormKind::UnitTarget);
    assert_eq!(read.funds.and_then(|f| f.budget), Some(Fen(1_234_567_800)));
    assert!(read.findings.iter().all(|f| f.severity != Severity::Error));
}

#[test]
fn monitoring_sheet() {
    let line = MonitoringLine {
        budget: Some(Fen::from_wan(300)),
        executed: Some(Fen::from_wan(100)),
        forecast: Some(Fen::from_wan(290)),
    };
    let form = MonitoringForm {
        fiscal_year: 2023,
        period_end_month: 6,
        project: "农村饮水安全巩固提升".into(),
        department: "且末县水利局".into(),
        implementer: "且末县水利局".into(),
        funds: MonitoringFunds {
            total: line.clone(),
            current: line,
            ..MonitoringFunds::default()
        },
        goal: "完成 3 个村的管网改造".into(),
        goal_progress: "已完成 1 个村".into(),
        goal_forecast: "年底前完成".into(),
        completion_rate: Some(d("40")),
        indicators: vec![MonitoredIndicator {
            indicator: Indicator::new(
                "产出指标",
                "数量指标",
                "改造管网",
                q(Sign::Ge, "12", "公里"),
            ),
            to_date: Some(Value::Number(d("4"))),
            forecast: Some(Value::Number(d("12"))),
            deviation: "经费保障：资金下达较晚".into(),
            likelihood: "有可能".into(),
        }],
    };
    let bytes = write_form(&form.clone().into()).expect("written");
    let s = open(&bytes);
    assert_eq!(s.text("A1"), "项目支出绩效目标执行监控表");
    assert_eq!(
        ["D5", "E5", "F5", "G5"].map(|c| s.text(c)),
        ["全年预算数", "1-6月执行数", "执行率", "全年预计执行数"]
    );
    assert_eq!(
        [s.text("C6"), s.text("D6"), s.text("E6"), s.text("F6")],
        ["年度资金总额", "300", "100", "33.33"]
    );
    assert_eq!([s.text("A12"), s.text("C12")], ["总体完成率（%）", "40"]);
    assert_eq!(
        ["E13", "F13", "G13", "H13", "I13"].map(|c| s.text(c)),
        [
            "年度指标值",
            "1-6月完成值",
            "全年预计完成值",
            "偏差原因分析",
            "完成目标可能性"
        ]
    );
    assert_eq!(
        ["E14", "F14", "G14", "I14"].map(|c| s.text(c)),
        ["≥12公里", "4", "12", "有可能"]
    );
    assert!(s.workbook_xml.contains("$13:$13"), "{}", s.workbook_xml);
    let read = read_one(&form.into());
    assert_eq!(read.kind, FormKind::Monitoring);
    assert_eq!(read.indicators[0].actual, Some(d("4")));
    assert_eq!(read.indicators[0].likelihood_text, "有可能");
    assert_eq!(read.indicators[0].likelihood, Some(Likelihood::Possible));
    assert_eq!(read.indicators[0].forecast, Some(d("12")));
    assert_eq!(read.indicators[0].target, Some(d("12")));
    assert_eq!(
        read.indicators[0].explanation_text,
        "经费保障：资金下达较晚"
    );
    assert_eq!(read.period_end_month, Some(6));
    assert_eq!(read.reported_completion, Some(d("40")));
    let funds = read.funds.as_ref().expect("funds");
    assert_eq!(
        (funds.budget, funds.executed, funds.forecast),
        (
            Some(Fen::from_wan(300)),
            Some(Fen::from_wan(100)),
            Some(Fen::from_wan(290))
        )
    );
}

#[test]
fn a_qualitative_sign_on_a_quantitative_target_is_refused() {
    let form = ProjectTargetForm {
        fiscal_year: 2023,
        project: "p".into(),
        department: "d".into(),
        implementer: "i".into(),
        funds: TargetFunds::default(),
        goal: String::new(),
        indicators: vec![Indicator::new(
            "产出指标",
            "数量指标",
            "n",
            q(Sign::Qualitative, "1", "个"),
        )],
    };
    let err = write_form(&form.into()).expect_err("refused");
    assert!(err.to_string().contains("定性"), "{err}");
}

#[test]
fn sheet_names_are_unique_and_valid() {
    let mut f = sample_self_evaluation();
    f.project = "a/b:c*d?[e]".repeat(5);
    let forms: Vec<Form> = vec![f.clone().into(), f.into()];
    let bytes = write_forms(&forms).expect("written");
    let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
    let names = book.sheet_names();
    assert_eq!(names.len(), 2);
    assert_ne!(names[0], names[1]);
    assert!(
        names
            .iter()
            .all(|n| n.chars().count() <= 31 && !n.contains('/'))
    );
}
