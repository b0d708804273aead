//! Quality checks of a performance target (SPEC §6.3), run on save and before submission:
//! errors block submission, warnings do not. Principles: 高度关联、重点突出、量化易评.

use crate::indicator::{Level1, Sign};
use crate::money::Fen;
use crate::scoring::{Finding, Severity};
use crate::workflow::{DocAction, DocState};
use rust_decimal::Decimal;

/// The action code of the finance bureau's review of a target with its rating (SPEC §6.3): not
/// a [`DocAction`], since it approves or returns by the rating.
pub const REVIEW_ACTION: &str = "review";

crate::code_enum! {
    /// 审核评级 of a target by the finance bureau (SPEC §6.3).
    ReviewRating {
        Excellent = "excellent", "优";
        Good = "good", "良";
        Fair = "fair", "中";
        Poor = "poor", "差";
    }
}

/// What a review rating does to the target (SPEC §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewOutcome {
    /// The move of the document: approve (优, 良) or return (中, 差).
    pub action: DocAction,
    /// 良: approved, with suggested refinements in the opinion.
    pub refinements_suggested: bool,
    /// 差: the project may not be budgeted this round.
    pub blocks_budget: bool,
}

impl ReviewRating {
    pub fn outcome(self) -> ReviewOutcome {
        match self {
            ReviewRating::Excellent => ReviewOutcome {
                action: DocAction::Approve,
                refinements_suggested: false,
                blocks_budget: false,
            },
            ReviewRating::Good => ReviewOutcome {
                action: DocAction::Approve,
                refinements_suggested: true,
                blocks_budget: false,
            },
            ReviewRating::Fair => ReviewOutcome {
                action: DocAction::Return,
                refinements_suggested: false,
                blocks_budget: false,
            },
            ReviewRating::Poor => ReviewOutcome {
                action: DocAction::Return,
                refinements_suggested: false,
                blocks_budget: true,
            },
        }
    }
}

/// Whether a target's object serves the public, so that a 满意度 indicator is expected (SPEC
/// §6.3): specific-purpose projects and units' overall targets do; personnel and running costs
/// (`None` category = a unit-overall target).
pub fn serves_public(category: Option<crate::types::ProjectCategory>) -> bool {
    !matches!(
        category,
        Some(crate::types::ProjectCategory::Personnel | crate::types::ProjectCategory::Operation)
    )
}

/// Whether a target version may be read (SPEC §6): a draft — a new target, or the draft of an
/// adjustment — is its unit's own until submitted, so only readers scoped to units
/// (`unit_reader`) see it; finance, leaders and agencies neither open nor list it. The list
/// queries of `store::browse` apply the same rule in SQL.
pub fn version_readable(state: DocState, unit_reader: bool) -> bool {
    unit_reader || state != DocState::Draft
}

/// Whether a project has a target that allows budgeting (SPEC §5, §6.3): some version approved,
/// and the latest review of the current version not rated 差 (a 差 blocks this round even when
/// an earlier version stands).
pub fn permits_budget(any_version_approved: bool, latest_rating: Option<ReviewRating>) -> bool {
    any_version_approved && !latest_rating.is_some_and(|r| r.outcome().blocks_budget)
}

/// One indicator row of a target, as the checks see it.
#[derive(Debug, Clone, Default)]
pub struct TargetIndicator {
    pub level1: Option<Level1>,
    pub name: String,
    pub sign: Option<Sign>,
    /// The numeric target value of a quantitative indicator.
    pub value: Option<Decimal>,
    /// The value as written, for messages.
    pub value_text: String,
    pub unit: Option<String>,
    /// A `其中` row: checked for its values, not counted as an indicator of its own.
    pub sub_item: bool,
    /// Picked from the indicator library.
    pub from_library: bool,
    /// Last year's target value for a continuing project, when known.
    pub last_year_value: Option<String>,
}

/// The amounts of a target: 总额 = 财政拨款 + 其他.
#[derive(Debug, Clone, Copy)]
pub struct TargetAmounts {
    pub total: Fen,
    pub fiscal: Fen,
    pub other: Fen,
}

/// What the checks need to know about the target as a whole.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetContext {
    /// The project serves the public, so a 满意度 indicator is expected.
    pub serves_public: bool,
    /// Whether library membership is known (otherwise that warning is not given).
    pub library_known: bool,
}

fn error(indicator: Option<usize>, message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        indicator,
        message,
        column: None,
    }
}

fn warning(indicator: Option<usize>, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        indicator,
        message,
        column: None,
    }
}

/// Runs the checks of SPEC §6.3. `indicator` in a finding is the index of the row.
pub fn check(
    indicators: &[TargetIndicator],
    amounts: Option<TargetAmounts>,
    ctx: TargetContext,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let main: Vec<(usize, &TargetIndicator)> = indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.sub_item)
        .collect();
    for (n, i) in &main {
        let n = *n;
        let name = i.name.trim();
        if name.is_empty() {
            out.push(error(Some(n), "三级指标名称未填写".into()));
        }
        match i.sign {
            None => out.push(error(Some(n), "未写指标符号（≥ ≤ = > < 或定性）".into())),
            Some(Sign::Qualitative) => {}
            Some(_) => {
                if i.value.is_none() {
                    out.push(error(
                        Some(n),
                        format!("定量指标的年度指标值“{}”不是数值", i.value_text),
                    ));
                }
                if i.unit.as_deref().is_none_or(|u| u.trim().is_empty()) {
                    out.push(error(Some(n), "定量指标未写计量单位".into()));
                }
            }
        }
        if !name.is_empty() {
            match seen.iter().find(|(s, _)| *s == name) {
                Some((_, first)) => out.push(error(
                    Some(n),
                    format!("指标名称与第 {} 个指标重复", first + 1),
                )),
                None => seen.push((name, n)),
            }
        }
        if ctx.library_known && !i.from_library {
            out.push(warning(
                Some(n),
                "该指标不在指标库中，请确认或提交入库申请".into(),
            ));
        }
        if let Some(last) = &i.last_year_value
            && last.trim() == i.value_text.trim()
            && !i.value_text.trim().is_empty()
        {
            out.push(warning(
                Some(n),
                "延续项目的指标值与上年相同，请确认目标是否有所提高".into(),
            ));
        }
    }
    let has = |l: Level1| main.iter().any(|(_, i)| i.level1 == Some(l));
    if !has(Level1::Output) {
        out.push(error(None, "没有产出指标".into()));
    }
    if !has(Level1::Benefit) {
        out.push(error(None, "没有效益指标".into()));
    }
    if !has(Level1::Cost) {
        out.push(warning(None, "没有成本指标".into()));
    }
    if ctx.serves_public && !has(Level1::Satisfaction) {
        out.push(warning(None, "面向公众的项目没有满意度指标".into()));
    }
    if !main.is_empty() {
        let quantitative = main
            .iter()
            .filter(|(_, i)| i.sign.is_some_and(Sign::is_quantitative))
            .count();
        // Fewer than 60% quantitative: quantitative × 5 < total × 3, in integers.
        if quantitative * 5 < main.len() * 3 {
            out.push(warning(
                None,
                format!(
                    "定量指标 {} 个，占 {} 个指标的不足 60%，应尽量量化",
                    quantitative,
                    main.len()
                ),
            ));
        }
    }
    if let Some(a) = amounts {
        if a.total.is_negative() || a.fiscal.is_negative() || a.other.is_negative() {
            out.push(error(None, "金额不能为负数".into()));
        }
        if a.total != a.fiscal + a.other {
            out.push(error(
                None,
                format!(
                    "资金总额 {} 万元不等于财政拨款 {} 万元与其他资金 {} 万元之和",
                    a.total.wan_2dp(),
                    a.fiscal.wan_2dp(),
                    a.other.wan_2dp()
                ),
            ));
        }
    }
    out
}

/// The 分值 check of SPEC §6.3 with the self-evaluation's rule (SPEC §8.2,
/// [`crate::scoring::weight_findings`]): every indicator row that is not a `其中` sub-item has a
/// 分值, and they add up to 100 less the execution weight. `rows` are (sub-item, 分值) per
/// indicator row, in the order of the rows given to [`check`]; the findings are errors, which
/// block submission.
pub fn check_weights(
    rules: &crate::settings::ScoringSettings,
    rows: impl IntoIterator<Item = (bool, Option<Decimal>)>,
) -> Vec<Finding> {
    crate::scoring::weight_findings(rules, rows)
}

/// A one-line summary of the error findings, for a refusal: `第 N 个指标：…；…`.
pub fn errors_text(findings: &[Finding]) -> String {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| match f.indicator {
            Some(n) => format!("第 {} 个指标：{}", n + 1, f.message),
            None => f.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_draft_is_its_units_own_until_submitted() {
        assert!(version_readable(DocState::Draft, true));
        assert!(!version_readable(DocState::Draft, false));
        for s in [DocState::Submitted, DocState::Approved, DocState::Returned] {
            assert!(version_readable(s, false) && version_readable(s, true));
        }
    }

    fn quant(level: Level1, name: &str) -> TargetIndicator {
        TargetIndicator {
            level1: Some(level),
            name: name.into(),
            sign: Some(Sign::Ge),
            value: Some(dec!(10)),
            value_text: "10".into(),
            unit: Some("个".into()),
            from_library: true,
            ..TargetIndicator::default()
        }
    }

    fn messages(f: &[Finding], severity: Severity) -> Vec<String> {
        f.iter()
            .filter(|x| x.severity == severity)
            .map(|x| x.message.clone())
            .collect()
    }

    #[test]
    fn review_ratings_of_spec_6_3() {
        use ReviewRating::*;
        let table = [
            (Excellent, DocAction::Approve, false, false),
            (Good, DocAction::Approve, true, false),
            (Fair, DocAction::Return, false, false),
            (Poor, DocAction::Return, false, true),
        ];
        for (rating, action, refine, blocks) in table {
            let o = rating.outcome();
            assert_eq!(o.action, action, "{rating}");
            assert_eq!(o.refinements_suggested, refine, "{rating}");
            assert_eq!(o.blocks_budget, blocks, "{rating}");
        }
        assert_eq!(ReviewRating::parse("优"), Some(Excellent));
        assert_eq!(ReviewRating::parse("poor"), Some(Poor));
    }

    #[test]
    fn satisfaction_is_expected_where_the_public_is_served() {
        use crate::types::ProjectCategory as C;
        assert!(serves_public(Some(C::SpecificPurpose)));
        assert!(serves_public(None), "a unit's overall target");
        assert!(!serves_public(Some(C::Personnel)));
        assert!(!serves_public(Some(C::Operation)));
    }

    #[test]
    fn budget_needs_an_approved_version_and_no_poor_rating() {
        assert!(permits_budget(true, None));
        assert!(permits_budget(true, Some(ReviewRating::Good)));
        assert!(permits_budget(true, Some(ReviewRating::Fair)));
        assert!(!permits_budget(true, Some(ReviewRating::Poor)));
        assert!(!permits_budget(false, Some(ReviewRating::Excellent)));
        assert!(!permits_budget(false, None));
    }

    fn good() -> Vec<TargetIndicator> {
        vec![
            quant(Level1::Output, "新建渠道长度"),
            quant(Level1::Cost, "项目成本"),
            quant(Level1::Benefit, "受益人口"),
            quant(Level1::Satisfaction, "群众满意度"),
        ]
    }

    #[test]
    fn a_good_target_passes_spec_6_3() {
        let amounts = TargetAmounts {
            total: Fen::from_wan(10),
            fiscal: Fen::from_wan(8),
            other: Fen::from_wan(2),
        };
        let f = check(
            &good(),
            Some(amounts),
            TargetContext {
                serves_public: true,
                library_known: true,
            },
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn errors_block_submission_spec_6_3() {
        let mut rows = vec![quant(Level1::Output, "长度"), quant(Level1::Output, "长度")];
        rows[1].unit = None;
        rows.push(TargetIndicator {
            level1: Some(Level1::Output),
            name: "质量".into(),
            sign: None,
            ..TargetIndicator::default()
        });
        rows.push(TargetIndicator {
            value: None,
            value_text: "若干".into(),
            ..quant(Level1::Output, "数量")
        });
        let amounts = TargetAmounts {
            total: Fen::from_wan(10),
            fiscal: Fen::from_wan(9),
            other: Fen::from_wan(2),
        };
        let f = check(&rows, Some(amounts), TargetContext::default());
        let errors = messages(&f, Severity::Error);
        for expected in [
            "没有效益指标",
            "定量指标未写计量单位",
            "未写指标符号",
            "不是数值",
            "重复",
            "不等于财政拨款",
        ] {
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{expected}: {errors:?}"
            );
        }
        assert!(!errors.iter().any(|e| e.contains("没有产出指标")));
    }

    #[test]
    fn warnings_do_not_block_spec_6_3() {
        let mut rows = vec![
            quant(Level1::Output, "长度"),
            quant(Level1::Benefit, "效益"),
        ];
        rows.push(TargetIndicator {
            level1: Some(Level1::Benefit),
            name: "改善".into(),
            sign: Some(Sign::Qualitative),
            value_text: "有效改善".into(),
            ..TargetIndicator::default()
        });
        rows.push(TargetIndicator {
            level1: Some(Level1::Benefit),
            name: "提升".into(),
            sign: Some(Sign::Qualitative),
            value_text: "明显".into(),
            ..TargetIndicator::default()
        });
        rows[0].last_year_value = Some("10".into());
        rows[1].from_library = false;
        let f = check(
            &rows,
            None,
            TargetContext {
                serves_public: true,
                library_known: true,
            },
        );
        assert!(messages(&f, Severity::Error).is_empty(), "{f:?}");
        let warnings = messages(&f, Severity::Warning);
        for expected in [
            "没有成本指标",
            "满意度",
            "不足 60%",
            "与上年相同",
            "不在指标库",
        ] {
            assert!(
                warnings.iter().any(|w| w.contains(expected)),
                "{expected}: {warnings:?}"
            );
        }
    }

    #[test]
    fn sixty_percent_boundary_spec_6_3() {
        // 3 of 5 quantitative is exactly 60%: no warning.
        let mut rows = good();
        rows.push(TargetIndicator {
            level1: Some(Level1::Benefit),
            name: "定性".into(),
            sign: Some(Sign::Qualitative),
            ..TargetIndicator::default()
        });
        rows[3].sign = Some(Sign::Qualitative);
        let f = check(&rows, None, TargetContext::default());
        assert!(
            !messages(&f, Severity::Warning)
                .iter()
                .any(|w| w.contains("60%")),
            "{f:?}"
        );
        rows[2].sign = Some(Sign::Qualitative);
        let f = check(&rows, None, TargetContext::default());
        assert!(
            messages(&f, Severity::Warning)
                .iter()
                .any(|w| w.contains("60%"))
        );
    }

    #[test]
    fn sub_items_are_not_counted_spec_6_2() {
        let mut rows = good();
        rows.push(TargetIndicator {
            sub_item: true,
            name: "其中：教学楼".into(),
            ..TargetIndicator::default()
        });
        let f = check(&rows, None, TargetContext::default());
        assert!(messages(&f, Severity::Error).is_empty(), "{f:?}");
    }

    #[test]
    fn weights_are_checked_with_the_self_evaluation_rule_spec_6_3() {
        let rules = crate::settings::ScoringSettings::default();
        let errors = |rows: &[(bool, Option<Decimal>)]| -> Vec<Finding> {
            check_weights(&rules, rows.iter().copied())
        };
        // 40 + 30 + 20 = 90 = 100 − the execution rate's 10: passes; a 其中 row needs none.
        assert!(
            errors(&[
                (false, Some(dec!(40))),
                (true, None),
                (false, Some(dec!(30))),
                (false, Some(dec!(20))),
            ])
            .is_empty()
        );
        // Adding up to 50 or 80 is an error, naming the sum and what it should be.
        for (a, sum) in [(dec!(0), "50"), (dec!(30), "80")] {
            let f = errors(&[(false, Some(dec!(30))), (false, Some(dec!(20) + a))]);
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].severity, Severity::Error);
            assert_eq!(f[0].indicator, None);
            assert!(
                f[0].message.contains(&format!("合计为 {sum}")) && f[0].message.contains("应为 90"),
                "{}",
                f[0].message
            );
        }
        // A row without a weight is an error on that row (and the sum is short).
        let f = errors(&[
            (false, Some(dec!(60))),
            (false, None),
            (false, Some(dec!(30))),
        ]);
        assert_eq!(f[0].indicator, Some(1));
        assert_eq!(f[0].message, "该指标没有分值");
        assert_eq!(f.len(), 1, "60 + 30 = 90: only the missing weight");
        // No weights at all: every row is named, and the sum.
        let f = errors(&[(false, None), (false, None)]);
        assert_eq!(f.len(), 3);
        assert!(f.iter().all(|x| x.severity == Severity::Error));
        assert_eq!(
            errors_text(&f),
            "第 1 个指标：该指标没有分值；第 2 个指标：该指标没有分值；指标分值合计为 0，应为 90（总分 100 减去预算执行率的 10 分）"
        );
        // The rule follows the settings: with an execution weight of 20 the indicators carry 80.
        let rules20 = crate::settings::ScoringSettings {
            execution_weight: dec!(20),
            ..Default::default()
        };
        assert!(
            check_weights(&rules20, [(false, Some(dec!(50))), (false, Some(dec!(30)))]).is_empty()
        );
    }
}
