//! Properties of the rules that must hold for every input, not just the SPEC's examples.

use jixiao_domain::assessment::{self, Adjustment, Count, Records, UnitInput};
use jixiao_domain::coverage;
use jixiao_domain::ex_ante::{self, ExAnteObject};
use jixiao_domain::grade::{Grade, grade};
use jixiao_domain::indicator::{Level1, Sign};
use jixiao_domain::monitoring::{self, Likelihood, MonitoredIndicator};
use jixiao_domain::scoring::{
    Band, BandRow, Funds, IndicatorInput, score_indicator, score_self_evaluation,
};
use jixiao_domain::settings::{
    AssessmentSettings, CoverageSettings, ExAnteSettings, GradeScheme, MonitoringSettings,
    ScoringSettings, Settings,
};
use jixiao_domain::types::UnitCode;
use jixiao_domain::{Decimal, Fen};
use proptest::prelude::*;
use proptest::sample::select;

/// Any decimal in ±1 000 000 with up to 3 places.
fn any_value() -> impl Strategy<Value = Decimal> {
    (-1_000_000i64..=1_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s))
}

/// A non-negative decimal up to `max` with up to 2 places.
fn non_negative(max: i64) -> impl Strategy<Value = Decimal> {
    (0..=max * 100).prop_map(|m| Decimal::new(m, 2))
}

fn any_sign() -> impl Strategy<Value = Sign> {
    select(Sign::ALL.to_vec())
}

fn quantitative_sign() -> impl Strategy<Value = Sign> {
    select(vec![Sign::Ge, Sign::Gt, Sign::Le, Sign::Lt, Sign::Eq])
}

fn any_band() -> impl Strategy<Value = Option<Band>> {
    prop_oneof![
        Just(None),
        (any_value(), non_negative(50), non_negative(20)).prop_map(|(full_at, step, deduction)| {
            Some(Band::Steps {
                full_at,
                step,
                deduction,
            })
        }),
        prop::collection::vec((any_value(), any_value()), 0..4).prop_map(|rows| {
            Some(Band::Table {
                rows: rows
                    .into_iter()
                    .map(|(at_least, points)| BandRow { at_least, points })
                    .collect(),
            })
        }),
    ]
}

fn any_indicator() -> impl Strategy<Value = IndicatorInput> {
    (
        any_sign(),
        prop::option::of(any_value()),
        prop::option::of(any_value()),
        prop::option::of(non_negative(100)),
        prop::option::of(0usize..4),
        prop::option::of(any_value()),
        any_band(),
        select(vec![
            None,
            Some(Level1::Output),
            Some(Level1::Cost),
            Some(Level1::Benefit),
            Some(Level1::Satisfaction),
        ]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(sign, target, actual, weight, tier, chosen, band, level1, sub_item, expl)| {
                IndicatorInput {
                    level1,
                    sign: Some(sign),
                    target,
                    actual,
                    weight,
                    tier,
                    chosen,
                    band,
                    sub_item,
                    has_explanation: expl,
                }
            },
        )
}

fn ge_input(sign: Sign, a: Decimal, b: Decimal, w: Decimal) -> IndicatorInput {
    IndicatorInput {
        sign: Some(sign),
        target: Some(a),
        actual: Some(b),
        weight: Some(w),
        ..IndicatorInput::default()
    }
}

fn expected_grade(s: Decimal) -> Grade {
    if s >= Decimal::from(90) {
        Grade::Excellent
    } else if s >= Decimal::from(80) {
        Grade::Good
    } else if s >= Decimal::from(60) {
        Grade::Fair
    } else {
        Grade::Poor
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// SPEC §8.3: "Never above W, never below 0", whatever the sign, A, B, tier, band.
    #[test]
    fn indicator_score_within_zero_and_w_spec_8_3(input in any_indicator()) {
        let s = score_indicator(&ScoringSettings::default(), &input);
        if let Some(score) = s.score {
            let w = input.weight.unwrap_or_default();
            prop_assert!(score >= Decimal::ZERO, "{score} < 0");
            prop_assert!(score <= w, "{score} > W = {w}");
            prop_assert_eq!(score, score.round_dp(2));
        }
    }

    /// SPEC §8.3: for `≥` and `>` the score never drops when B grows.
    #[test]
    fn ge_score_monotone_in_b_spec_8_3(
        sign in select(vec![Sign::Ge, Sign::Gt]),
        a in any_value(),
        b1 in any_value(),
        b2 in any_value(),
        w in non_negative(100),
    ) {
        let (lo, hi) = if b1 <= b2 { (b1, b2) } else { (b2, b1) };
        let r = ScoringSettings::default();
        let s_lo = score_indicator(&r, &ge_input(sign, a, lo, w)).score;
        let s_hi = score_indicator(&r, &ge_input(sign, a, hi, w)).score;
        prop_assert!(s_lo <= s_hi, "A={a} B={lo}→{s_lo:?} B={hi}→{s_hi:?}");
    }

    /// SPEC §8.3: for `≤` and `<` the score never rises when B grows.
    #[test]
    fn le_score_monotone_in_b_spec_8_3(
        sign in select(vec![Sign::Le, Sign::Lt]),
        a in any_value(),
        b1 in any_value(),
        b2 in any_value(),
        w in non_negative(100),
    ) {
        let (lo, hi) = if b1 <= b2 { (b1, b2) } else { (b2, b1) };
        let r = ScoringSettings::default();
        let s_lo = score_indicator(&r, &ge_input(sign, a, lo, w)).score;
        let s_hi = score_indicator(&r, &ge_input(sign, a, hi, w)).score;
        prop_assert!(s_lo >= s_hi, "A={a} B={lo}→{s_lo:?} B={hi}→{s_hi:?}");
    }

    /// SPEC §8.3: the total is within [0, 100] and graded by §8.5.
    #[test]
    fn self_evaluation_total_within_0_and_100_spec_8_3(
        indicators in prop::collection::vec(any_indicator(), 0..10),
        budget in 0i64..10_000_000_000,
        executed in 0i64..20_000_000_000,
        has_funds in any::<bool>(),
    ) {
        let funds = has_funds.then_some(Funds { budget: Fen(budget), executed: Fen(executed) });
        let settings = Settings::default();
        let r = score_self_evaluation(&settings, funds, &indicators);
        if let Some(total) = r.total {
            prop_assert!(total >= Decimal::ZERO && total <= Decimal::ONE_HUNDRED, "{total}");
            prop_assert_eq!(r.grade, Some(grade(&settings.grades, total)));
        } else {
            prop_assert_eq!(r.grade, None);
        }
    }

    /// SPEC §8.5: 优秀 S ≥ 90 · 良好 80 ≤ S < 90 · 一般 60 ≤ S < 80 · 较差 S < 60, and a higher
    /// score never gets a worse grade.
    #[test]
    fn grade_boundaries_spec_8_5(s1 in non_negative(120), s2 in non_negative(120)) {
        let scheme = GradeScheme::default();
        prop_assert_eq!(grade(&scheme, s1), expected_grade(s1));
        let (lo, hi) = if s1 <= s2 { (s1, s2) } else { (s2, s1) };
        // Grades are declared best first, so a better grade is a smaller one.
        prop_assert!(grade(&scheme, hi) <= grade(&scheme, lo));
    }

    /// SPEC §7: an indicator's completion is a fraction in [0, 1].
    #[test]
    fn monitoring_completion_within_0_and_1_spec_7(
        sign in any_sign(),
        a in prop::option::of(any_value()),
        b in prop::option::of(any_value()),
        likelihood in prop::option::of(select(Likelihood::ALL.to_vec())),
    ) {
        let s = MonitoringSettings::default();
        if let Some(c) = monitoring::indicator_completion(&s, sign, a, b, likelihood) {
            prop_assert!(c >= Decimal::ZERO && c <= Decimal::ONE, "{sign} A={a:?} B={b:?}: {c}");
        }
    }

    /// SPEC §7: the estimate is a percentage in [0, 100]; the deviation is never negative.
    #[test]
    fn completion_estimate_within_0_and_100_spec_7(
        rows in prop::collection::vec(
            (quantitative_sign(), any_value(), any_value(), prop::option::of(non_negative(50))),
            0..8,
        ),
        execution in non_negative(200),
    ) {
        let s = MonitoringSettings::default();
        let indicators: Vec<MonitoredIndicator> = rows
            .into_iter()
            .map(|(sign, a, b, weight)| MonitoredIndicator {
                name: "x".into(),
                sign: Some(sign),
                target: Some(a),
                to_date: Some(b),
                weight,
                ..MonitoredIndicator::default()
            })
            .collect();
        if let Some(e) = monitoring::completion_estimate(&s, &indicators) {
            prop_assert!(e >= Decimal::ZERO && e <= Decimal::ONE_HUNDRED, "{e}");
            prop_assert!(monitoring::deviation(execution, e) >= Decimal::ZERO);
        } else {
            prop_assert!(indicators.is_empty());
        }
    }

    /// SPEC §5: a higher total never gets a worse conclusion.
    #[test]
    fn ex_ante_conclusion_monotone_spec_5(s1 in non_negative(100), s2 in non_negative(100)) {
        let settings = ExAnteSettings::default();
        let (lo, hi) = if s1 <= s2 { (s1, s2) } else { (s2, s1) };
        // Conclusions are declared best first.
        prop_assert!(ex_ante::conclusion(&settings, hi) <= ex_ante::conclusion(&settings, lo));
    }

    /// SPEC §5: a sheet with every sub-item within its weight totals within [0, 100].
    #[test]
    fn ex_ante_total_within_0_and_100_spec_5(shares in prop::collection::vec(0u32..=100, 10)) {
        let settings = ExAnteSettings::default();
        let mut sheet = ex_ante::blank_sheet(ex_ante::rubric(&settings, ExAnteObject::Project));
        let mut it = shares.into_iter();
        for d in &mut sheet {
            for s in &mut d.sub_items {
                let share = Decimal::from(it.next().unwrap_or(0)) / Decimal::ONE_HUNDRED;
                s.score = Some(s.weight * share);
            }
        }
        let r = ex_ante::score(&settings, &sheet).expect("in range");
        prop_assert!(r.total >= Decimal::ZERO && r.total <= Decimal::ONE_HUNDRED);
        prop_assert_eq!(r.conclusion, ex_ante::conclusion(&settings, r.total));
    }

    /// SPEC §11: each item within [0, max], the total their sum, whatever the records and
    /// adjustments.
    #[test]
    fn assessment_items_within_bounds_spec_11(
        counts in prop::collection::vec((0u32..20, 0u32..20), 9),
        verified in 0u32..10,
        inaccurate in 0u32..15,
        basic in non_negative(15),
        reporting in non_negative(5),
        adjustments in prop::collection::vec(
            (select(vec!["ex_ante", "targets", "monitoring", "basic"]), any_value()),
            0..4,
        ),
    ) {
        let c = |i: usize| Count::new(counts[i].0, counts[i].1);
        let input = UnitInput {
            unit: UnitCode::parse("001").expect("code"),
            records: Records {
                ex_ante: c(0),
                targets_on_time: c(1),
                targets_first_time: c(1),
                monitoring_reports: c(2),
                red_warnings: c(3),
                self_evaluations: c(4),
                verified,
                inaccurate,
                rectifications: c(5),
                attachments: c(6),
                disclosures: c(7),
            },
            manual: [("basic".to_string(), basic), ("reporting".to_string(), reporting)]
                .into_iter()
                .collect(),
            adjustments: adjustments
                .into_iter()
                .map(|(item, points)| Adjustment {
                    item: item.into(),
                    points,
                    reason: "核实".into(),
                })
                .collect(),
        };
        let a = assessment::score_unit(&AssessmentSettings::default(), &input).expect("valid");
        for i in &a.items {
            prop_assert!(i.score >= Decimal::ZERO && i.score <= i.max, "{}: {}", i.key, i.score);
        }
        prop_assert_eq!(a.total, a.items.iter().map(|i| i.score).sum::<Decimal>());
        prop_assert!(a.total <= Decimal::ONE_HUNDRED);
    }

    /// SPEC §11: ranks never decrease down the list, ties share a rank, and nobody is both
    /// commended and interviewed.
    #[test]
    fn ranking_and_lists_are_consistent_spec_11(
        totals in prop::collection::vec(non_negative(100), 0..20),
    ) {
        let units: Vec<(UnitCode, Decimal)> = totals
            .into_iter()
            .enumerate()
            .map(|(n, t)| (UnitCode::parse(&format!("U{n:03}")).expect("code"), t))
            .collect();
        let ranking = assessment::rank(&units);
        prop_assert_eq!(ranking.len(), units.len());
        for pair in ranking.windows(2) {
            prop_assert!(pair[0].total >= pair[1].total);
            prop_assert!(pair[0].rank <= pair[1].rank);
            prop_assert_eq!(pair[0].total == pair[1].total, pair[0].rank == pair[1].rank);
            if pair[0].total == pair[1].total {
                prop_assert!(pair[0].unit < pair[1].unit);
            }
        }
        let s = AssessmentSettings::default();
        let lists = assessment::lists(&s, &ranking);
        for u in &lists.commended {
            prop_assert!(!lists.interviewed.contains(u));
        }
        for r in &ranking {
            if r.total < s.interview_below {
                prop_assert!(lists.interviewed.contains(&r.unit));
            }
        }
        prop_assert!(lists.interviewed.len() >= ranking.len().min(s.interviewed as usize));
    }

    /// SPEC §8.1: a department without project funds is never flagged; one with funds is flagged
    /// exactly when its shown share is below the minimum.
    #[test]
    fn coverage_flag_spec_8_1(funds in 0i64..1_000_000_000, evaluated in 0i64..1_000_000_000) {
        let s = CoverageSettings::default();
        let c = coverage::coverage(&s, Fen(funds), Fen(evaluated));
        match c.share {
            None => prop_assert!(funds == 0 && !c.shortfall),
            Some(share) => prop_assert_eq!(c.shortfall, share < Decimal::from(20)),
        }
    }
}

/// Any decimal at all, from the tiniest to `Decimal::MAX`, as a hostile file could write it.
fn extreme() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        any_value(),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..=28
        )
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        select(vec![
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
            Decimal::new(-1, 28)
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// No value typed into a form makes scoring panic (SPEC §14: a bad file gives an error).
    #[test]
    fn scoring_never_panics(
        sign in any_sign(),
        a in prop::option::of(extreme()),
        b in prop::option::of(extreme()),
        w in prop::option::of(extreme()),
        chosen in prop::option::of(extreme()),
        tier in prop::option::of(0usize..4),
    ) {
        let input = IndicatorInput {
            sign: Some(sign),
            target: a,
            actual: b,
            weight: w,
            chosen,
            tier,
            ..IndicatorInput::default()
        };
        let _ = score_indicator(&ScoringSettings::default(), &input);
    }

    /// No form, however absurd its numbers, makes the whole self-evaluation panic.
    #[test]
    fn self_evaluation_never_panics(
        rows in prop::collection::vec(
            (any_sign(), prop::option::of(extreme()), prop::option::of(extreme()),
             prop::option::of(extreme()), prop::option::of(extreme())),
            0..6,
        ),
        budget in any::<i64>(),
        executed in any::<i64>(),
    ) {
        let indicators: Vec<IndicatorInput> = rows
            .into_iter()
            .map(|(sign, target, actual, weight, chosen)| IndicatorInput {
                level1: Some(Level1::Output),
                sign: Some(sign),
                target,
                actual,
                weight,
                chosen,
                tier: Some(1),
                ..IndicatorInput::default()
            })
            .collect();
        let funds = Funds { budget: Fen(budget), executed: Fen(executed) };
        let r = score_self_evaluation(&Settings::default(), Some(funds), &indicators);
        if let Some(total) = r.total {
            prop_assert!(total <= Decimal::ONE_HUNDRED);
        }
    }

    /// No value typed into a monitoring report makes the analysis panic.
    #[test]
    fn monitoring_never_panics(
        sign in any_sign(),
        a in prop::option::of(extreme()),
        b in prop::option::of(extreme()),
        w in prop::option::of(extreme()),
        reported in prop::option::of(extreme()),
        review in prop::option::of(extreme()),
        budget in any::<i64>(),
        executed in any::<i64>(),
        month in 0u32..20,
    ) {
        let report = monitoring::MonitoringReport {
            period_end_month: month,
            budget: Fen(budget),
            executed: Fen(executed),
            reported_completion: reported,
            indicators: vec![
                MonitoredIndicator {
                    name: "x".into(),
                    sign: Some(sign),
                    target: a,
                    to_date: b,
                    weight: w,
                    ..MonitoredIndicator::default()
                },
                MonitoredIndicator {
                    name: "y".into(),
                    sign: Some(Sign::Ge),
                    target: Some(Decimal::ONE),
                    to_date: Some(Decimal::ONE),
                    weight: w,
                    ..MonitoredIndicator::default()
                },
            ],
            review_score: review,
        };
        let a = monitoring::analyse(&MonitoringSettings::default(), &report);
        if let Some(e) = a.completion_estimate {
            prop_assert!(e >= Decimal::ZERO && e <= Decimal::ONE_HUNDRED);
        }
    }

    /// No adjustment or manual score makes the assessment panic.
    #[test]
    fn assessment_never_panics(
        basic in extreme(),
        points in prop::collection::vec(extreme(), 0..4),
    ) {
        let input = UnitInput {
            unit: UnitCode::parse("001").expect("code"),
            records: Records::default(),
            manual: [("basic".to_string(), basic), ("reporting".to_string(), Decimal::ONE)]
                .into_iter()
                .collect(),
            adjustments: points
                .into_iter()
                .map(|points| Adjustment { item: "targets".into(), points, reason: "r".into() })
                .collect(),
        };
        if let Ok(a) = assessment::score_unit(&AssessmentSettings::default(), &input) {
            prop_assert!(a.total <= Decimal::ONE_HUNDRED);
        }
    }

    /// No score typed into an ex-ante sheet makes it panic.
    #[test]
    fn ex_ante_never_panics(scores in prop::collection::vec(extreme(), 10)) {
        let settings = ExAnteSettings::default();
        let mut sheet = ex_ante::blank_sheet(ex_ante::rubric(&settings, ExAnteObject::Project));
        let mut it = scores.into_iter();
        for d in &mut sheet {
            for s in &mut d.sub_items {
                s.score = it.next();
            }
        }
        let _ = ex_ante::score(&settings, &sheet);
    }
}
