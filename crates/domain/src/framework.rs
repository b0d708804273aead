//! The indicator framework of department and finance evaluations (部门评价、财政重点评价, SPEC
//! §8.4): a template copied into each evaluation and editable there, its checks, and its score.
//!
//! Each item is one of two kinds:
//! - a **rate** (资金到位率, 预算执行率, 实际完成率, 质量达标率): the evaluator enters the rate in
//!   percent and the item scores like a quantitative indicator with the target ≥ 100%,
//!   min(rate ÷ 100%, 1) × W ("B/A×W");
//! - a **judged** item (立项依据充分性 …): the evaluator places it in a qualitative tier (达成 ·
//!   部分达成 · 未达成 …) and may choose the score inside the tier's band, as §8.3 scores a
//!   qualitative indicator.
//!
//! The scores are the engine's ([`crate::scoring::score_indicator`]), never typed totals. The
//! weights add up to 100 and 产出 + 效益 must be at least 60 (10号 [M]); both are errors.

use crate::decimal::round2;
use crate::grade::{Grade, grade};
use crate::indicator::Sign;
use crate::scoring::{IndicatorInput, explain_indicator, score_indicator};
use crate::settings::Settings;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The four level-1 groups of the project framework, in order.
pub const LEVEL1: [&str; 4] = ["决策", "过程", "产出", "效益"];

/// 产出 + 效益 must weigh at least this much.
pub const OUTPUT_AND_OUTCOME_MIN: i64 = 60;

crate::code_enum! {
    /// How an item is scored.
    ItemKind {
        Rate = "rate", "比率（按完成比例计分）";
        Judged = "judged", "评判（按档次计分）";
    }
}

/// One item of a framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkItem {
    pub level1: String,
    pub level2: String,
    pub name: String,
    /// 评分标准 / 指标解释 as the evaluator reads it.
    pub standard: String,
    pub kind: ItemKind,
    /// 分值.
    pub weight: Decimal,
}

fn item(
    level1: &str,
    level2: &str,
    name: &str,
    kind: ItemKind,
    weight: i64,
    standard: &str,
) -> FrameworkItem {
    FrameworkItem {
        level1: level1.into(),
        level2: level2.into(),
        name: name.into(),
        standard: standard.into(),
        kind,
        weight: Decimal::from(weight),
    }
}

/// The project framework (10号 annex 项目支出绩效评价指标体系框架 [M]) with the default weights
/// 决策 20 · 过程 20 · 产出 30 · 效益 30.
pub fn project_template() -> Vec<FrameworkItem> {
    use ItemKind::{Judged, Rate};
    vec![
        item(
            "决策",
            "项目立项",
            "立项依据充分性",
            Judged,
            3,
            "符合法律法规、相关政策、发展规划和部门职责",
        ),
        item(
            "决策",
            "项目立项",
            "立项程序规范性",
            Judged,
            3,
            "按规定程序申请设立，审批文件、材料齐全",
        ),
        item(
            "决策",
            "绩效目标",
            "绩效目标合理性",
            Judged,
            3,
            "目标与实际工作内容相关，预期产出效益和效果符合正常业绩水平",
        ),
        item(
            "决策",
            "绩效目标",
            "绩效指标明确性",
            Judged,
            3,
            "目标细化分解为清晰、可衡量的指标",
        ),
        item(
            "决策",
            "资金投入",
            "预算编制科学性",
            Judged,
            4,
            "预算编制经过论证，内容与项目内容匹配，额度测算依据充分",
        ),
        item(
            "决策",
            "资金投入",
            "资金分配合理性",
            Judged,
            4,
            "资金分配依据充分，额度与实际相适应",
        ),
        item(
            "过程",
            "资金管理",
            "资金到位率",
            Rate,
            4,
            "实际到位资金 ÷ 预算资金 × 100%",
        ),
        item(
            "过程",
            "资金管理",
            "预算执行率",
            Rate,
            4,
            "实际支出资金 ÷ 实际到位资金 × 100%",
        ),
        item(
            "过程",
            "资金管理",
            "资金使用合规性",
            Judged,
            4,
            "符合财务管理制度和资金管理办法，无截留、挤占、挪用、虚列支出",
        ),
        item(
            "过程",
            "组织实施",
            "管理制度健全性",
            Judged,
            4,
            "已制定相应的业务管理和财务管理制度，且合法合规、完整",
        ),
        item(
            "过程",
            "组织实施",
            "制度执行有效性",
            Judged,
            4,
            "遵守相关法律法规和管理规定，调整及支出调整手续完备",
        ),
        item(
            "产出",
            "产出数量",
            "实际完成率",
            Rate,
            10,
            "实际产出数 ÷ 计划产出数 × 100%",
        ),
        item(
            "产出",
            "产出质量",
            "质量达标率",
            Rate,
            8,
            "质量达标产出数 ÷ 实际产出数 × 100%",
        ),
        item(
            "产出",
            "产出时效",
            "完成及时性",
            Judged,
            6,
            "按计划时间完成",
        ),
        item(
            "产出",
            "产出成本",
            "成本节约率",
            Judged,
            6,
            "（计划成本 − 实际成本）÷ 计划成本，在计划成本内完成",
        ),
        item(
            "效益",
            "项目效益",
            "社会效益",
            Judged,
            12,
            "项目实施对社会发展的影响",
        ),
        item(
            "效益",
            "项目效益",
            "可持续影响",
            Judged,
            8,
            "项目实施对可持续发展的影响",
        ),
        item(
            "效益",
            "项目效益",
            "服务对象满意度",
            Judged,
            10,
            "服务对象对项目实施效果的满意程度",
        ),
    ]
}

/// An item as the evaluator filled it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemInput {
    /// A rate item's rate in percent.
    pub rate: Option<Decimal>,
    /// A judged item's tier (index in the qualitative tiers, 0 = 达成).
    pub tier: Option<usize>,
    /// A judged item's score chosen inside its tier's band (optional).
    pub chosen: Option<Decimal>,
    /// 扣分原因 / 评价说明.
    pub note: String,
}

/// A finding on the framework or an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkFinding {
    pub error: bool,
    /// The item (0-based) it is about.
    pub item: Option<usize>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    pub score: Option<Decimal>,
    /// How the points came about ("B/A×W = 0.96×4 = 3.84", "达成 → 满分 3.00").
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkScore {
    pub items: Vec<ItemScore>,
    /// Per level-1 group in order of first appearance: (name, weight, score).
    pub groups: Vec<(String, Decimal, Decimal)>,
    /// `None` while an error stands.
    pub total: Option<Decimal>,
    pub grade: Option<Grade>,
    pub findings: Vec<FrameworkFinding>,
}

/// Checks the framework's shape: names, level-1 groups, weights adding up to 100, and 产出 +
/// 效益 at least 60. Every problem at once.
pub fn check_shape(items: &[FrameworkItem]) -> Vec<FrameworkFinding> {
    let mut out = Vec::new();
    let err = |item: Option<usize>, message: String| FrameworkFinding {
        error: true,
        item,
        message,
    };
    if items.is_empty() {
        out.push(err(None, "评价指标体系没有指标".into()));
        return out;
    }
    for (n, i) in items.iter().enumerate() {
        if i.name.trim().is_empty() {
            out.push(err(Some(n), format!("第 {} 项：未填写三级指标名称", n + 1)));
        }
        if !LEVEL1.contains(&i.level1.trim()) {
            out.push(err(
                Some(n),
                format!(
                    "第 {} 项：一级指标应为决策、过程、产出或效益，而不是“{}”",
                    n + 1,
                    i.level1
                ),
            ));
        }
        if i.weight <= Decimal::ZERO
            || i.weight > Decimal::ONE_HUNDRED
            || i.weight != round2(i.weight)
        {
            out.push(err(
                Some(n),
                format!(
                    "第 {} 项“{}”：分值应大于 0、不超过 100，最多两位小数",
                    n + 1,
                    i.name
                ),
            ));
        }
    }
    let total: Decimal = items.iter().map(|i| i.weight).sum();
    if total != Decimal::ONE_HUNDRED {
        out.push(err(
            None,
            format!("指标分值合计为 {}，应为 100", total.normalize()),
        ));
    }
    let results: Decimal = items
        .iter()
        .filter(|i| matches!(i.level1.trim(), "产出" | "效益"))
        .map(|i| i.weight)
        .sum();
    if results < Decimal::from(OUTPUT_AND_OUTCOME_MIN) {
        out.push(err(
            None,
            format!(
                "产出和效益指标分值合计为 {}，应不低于 {OUTPUT_AND_OUTCOME_MIN}",
                results.normalize()
            ),
        ));
    }
    out
}

/// Scores a filled framework: each item by the engine with its rule, the groups, the total and
/// the grade (only when the shape is right and every item is filled).
pub fn score(settings: &Settings, items: &[FrameworkItem], inputs: &[ItemInput]) -> FrameworkScore {
    let mut findings = check_shape(items);
    let mut scores = Vec::with_capacity(items.len());
    let mut groups: Vec<(String, Decimal, Decimal)> = Vec::new();
    for (n, i) in items.iter().enumerate() {
        let filled = inputs.get(n).cloned().unwrap_or_default();
        let input = match i.kind {
            ItemKind::Rate => IndicatorInput {
                sign: Some(Sign::Ge),
                target: Some(Decimal::ONE_HUNDRED),
                actual: filled.rate,
                weight: Some(i.weight),
                has_explanation: true,
                ..IndicatorInput::default()
            },
            ItemKind::Judged => IndicatorInput {
                sign: Some(Sign::Qualitative),
                weight: Some(i.weight),
                tier: filled.tier,
                chosen: filled.chosen,
                has_explanation: true,
                ..IndicatorInput::default()
            },
        };
        let missing = match i.kind {
            ItemKind::Rate => filled.rate.is_none(),
            ItemKind::Judged => filled.tier.is_none(),
        };
        if missing {
            findings.push(FrameworkFinding {
                error: true,
                item: Some(n),
                message: format!(
                    "第 {} 项“{}”：{}",
                    n + 1,
                    i.name,
                    match i.kind {
                        ItemKind::Rate => "未填写比率",
                        ItemKind::Judged => "未选择评价档次",
                    }
                ),
            });
        }
        if filled.rate.is_some_and(|r| r < Decimal::ZERO) {
            findings.push(FrameworkFinding {
                error: true,
                item: Some(n),
                message: format!("第 {} 项“{}”：比率不能为负数", n + 1, i.name),
            });
        }
        let s = score_indicator(&settings.scoring, &input);
        let points = if missing { None } else { s.score.map(round2) };
        if points.is_some_and(|p| p < i.weight) && filled.note.trim().is_empty() {
            findings.push(FrameworkFinding {
                error: false,
                item: Some(n),
                message: format!("第 {} 项“{}”：扣分的指标宜写明扣分原因", n + 1, i.name),
            });
        }
        let rule = if missing {
            String::new()
        } else {
            explain_indicator(&settings.scoring, &input, &s)
        };
        let level1 = i.level1.trim().to_string();
        match groups.iter_mut().find(|g| g.0 == level1) {
            Some(g) => {
                g.1 += i.weight;
                g.2 += points.unwrap_or_default();
            }
            None => groups.push((level1, i.weight, points.unwrap_or_default())),
        }
        scores.push(ItemScore {
            score: points,
            rule,
        });
    }
    let complete = !findings.iter().any(|f| f.error);
    let total = complete.then(|| round2(scores.iter().filter_map(|s| s.score).sum()));
    FrameworkScore {
        items: scores,
        groups,
        grade: total.map(|t| grade(&settings.grades, t)),
        total,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn all_met() -> Vec<ItemInput> {
        project_template()
            .iter()
            .map(|i| match i.kind {
                ItemKind::Rate => ItemInput {
                    rate: Some(dec!(100)),
                    ..Default::default()
                },
                ItemKind::Judged => ItemInput {
                    tier: Some(0),
                    ..Default::default()
                },
            })
            .collect()
    }

    #[test]
    fn the_template_weighs_100_with_60_for_outputs_and_outcomes() {
        let t = project_template();
        assert!(check_shape(&t).is_empty(), "{:?}", check_shape(&t));
        let by =
            |l: &str| -> Decimal { t.iter().filter(|i| i.level1 == l).map(|i| i.weight).sum() };
        assert_eq!(
            [by("决策"), by("过程"), by("产出"), by("效益")],
            [dec!(20), dec!(20), dec!(30), dec!(30)]
        );
    }

    #[test]
    fn shape_errors_are_all_reported() {
        let mut t = project_template();
        // Move 5 points from 效益 to 决策: still 100, but 产出 + 效益 = 55.
        t[0].weight += dec!(5);
        t[15].weight -= dec!(5);
        let f = check_shape(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].message, "产出和效益指标分值合计为 55，应不低于 60");
        t[1].level1 = "投入".into();
        t[2].name = " ".into();
        t[3].weight = dec!(0);
        let f = check_shape(&t);
        let text: Vec<&str> = f.iter().map(|x| x.message.as_str()).collect();
        assert!(
            text.iter()
                .any(|m| m.contains("一级指标应为决策、过程、产出或效益")),
            "{text:?}"
        );
        assert!(text.iter().any(|m| m.contains("未填写三级指标名称")));
        assert!(text.iter().any(|m| m.contains("分值应大于 0")));
        assert!(
            text.iter()
                .any(|m| m.contains("指标分值合计为 97，应为 100"))
        );
    }

    #[test]
    fn everything_met_scores_100_and_rates_score_proportionally() {
        let s = Settings::default();
        let t = project_template();
        let full = score(&s, &t, &all_met());
        assert_eq!(full.total, Some(dec!(100)));
        assert_eq!(full.grade, Some(Grade::Excellent));
        assert_eq!(full.groups[2], ("产出".to_string(), dec!(30), dec!(30)));
        // 实际完成率 85% of W 10 → 8.50; 服务对象满意度 部分达成 at its default share.
        let mut inputs = all_met();
        inputs[11].rate = Some(dec!(85));
        inputs[11].note = "部分村组未完工".into();
        inputs[17] = ItemInput {
            tier: Some(1),
            chosen: Some(dec!(7)),
            note: "满意度调查 78%".into(),
            ..Default::default()
        };
        let r = score(&s, &t, &inputs);
        assert_eq!(r.items[11].score, Some(dec!(8.50)));
        assert_eq!(r.items[11].rule, "B/A×W = 0.85×10 = 8.50");
        assert_eq!(r.items[17].score, Some(dec!(7)));
        assert_eq!(r.total, Some(dec!(95.50)));
        assert_eq!(r.grade, Some(Grade::Excellent));
        // A rate above 100% scores the full weight.
        inputs[6].rate = Some(dec!(120));
        assert_eq!(score(&s, &t, &inputs).items[6].score, Some(dec!(4)));
    }

    #[test]
    fn an_unfilled_item_or_a_bad_shape_gives_no_total() {
        let s = Settings::default();
        let t = project_template();
        let mut inputs = all_met();
        inputs[0].tier = None;
        let r = score(&s, &t, &inputs);
        assert_eq!(r.total, None);
        assert!(
            r.findings
                .iter()
                .any(|f| f.error && f.message == "第 1 项“立项依据充分性”：未选择评价档次")
        );
        let mut t2 = t.clone();
        t2[17].weight = dec!(5);
        let r = score(&s, &t2, &all_met());
        assert_eq!(r.total, None);
        assert!(
            r.findings
                .iter()
                .any(|f| f.message == "指标分值合计为 95，应为 100")
        );
        // A deduction without a note is a warning, not an error.
        let mut inputs = all_met();
        inputs[11].rate = Some(dec!(50));
        let r = score(&s, &t, &inputs);
        assert_eq!(r.total, Some(dec!(95)));
        assert!(
            r.findings
                .iter()
                .any(|f| !f.error && f.message.contains("扣分原因"))
        );
    }
}
