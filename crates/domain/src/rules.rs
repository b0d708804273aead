//! 规则说明: the rules of `docs/rules.md` explained in Chinese with a region's current settings
//! filled in, for the rules page every logged-in user can read (issue 15). Each section carries
//! the anchor (`s8-3` for §8.3) that computed figures on forms link to, so a reader can go from
//! a score, a warning or a grade to the rule that produced it.
//!
//! The text is built from [`Settings`], never from constants: change a threshold on a settings
//! page and the explanation changes with it.

use crate::decimal::trim;
use crate::grade::Grade;
use crate::result_application::recommendation;
use crate::settings::{RubricDimension, Settings};
use rust_decimal::Decimal;

/// One rule: a short name and its explanation with the current values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub text: String,
}

/// A section of the rules reference (§ number and anchor as in `docs/rules.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSection {
    /// HTML anchor: `s8-3` for §8.3.
    pub anchor: &'static str,
    /// "§8.3".
    pub section: &'static str,
    pub title: &'static str,
    /// Where a finance administrator changes the parameters of this section, if anywhere.
    pub settings_page: Option<&'static str>,
    pub rules: Vec<Rule>,
}

/// The anchor of a § number as used on the rules page: "§8.3" → "s8-3".
pub fn anchor_of(section: &str) -> String {
    let digits = section.trim_start_matches('§');
    format!("s{}", digits.replace('.', "-"))
}

fn rule(name: &str, text: impl Into<String>) -> Rule {
    Rule {
        name: name.to_string(),
        text: text.into(),
    }
}

/// A number as people write it: "20", "0.6", "22.5".
fn n(value: Decimal) -> String {
    trim(value)
}

/// A fraction as a percentage: 0.2 → "20".
fn pct(fraction: Decimal) -> String {
    trim(fraction * Decimal::ONE_HUNDRED)
}

fn rubric(dimensions: &[RubricDimension]) -> String {
    dimensions
        .iter()
        .map(|d| {
            let subs = d
                .sub_items
                .iter()
                .map(|(name, w)| format!("{name} {}", n(*w)))
                .collect::<Vec<_>>()
                .join("、");
            if subs.is_empty() {
                format!("{} {} 分", d.name, n(d.weight))
            } else {
                format!("{} {} 分（{subs}）", d.name, n(d.weight))
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Every section of the rules page under `settings`.
pub fn explain(settings: &Settings) -> Vec<RuleSection> {
    let s = settings;
    let indicator_points = Decimal::ONE_HUNDRED - s.scoring.execution_weight;
    let g = &s.grades;
    let m = &s.monitoring;
    let schedule = m
        .schedule
        .iter()
        .map(|(month, rate)| format!("{month} 月底 {}%", n(*rate)))
        .collect::<Vec<_>>()
        .join("、");
    let review = m
        .review_rubric
        .iter()
        .map(|(name, w)| format!("{name} {}", n(*w)))
        .collect::<Vec<_>>()
        .join("、");
    let tiers = s
        .scoring
        .qualitative_tiers
        .iter()
        .map(|t| {
            format!(
                "“{}”得 W 的 {}%～{}%（未打分时按 {}%）",
                t.label,
                pct(t.low),
                pct(t.high),
                pct(t.default_share)
            )
        })
        .collect::<Vec<_>>()
        .join("；");
    let split = &s.scoring.recommended_split;
    let ra = &s.result_application;
    let grades_text = [Grade::Excellent, Grade::Good, Grade::Fair, Grade::Poor]
        .iter()
        .map(|grade| format!("{} → {}", grade.label(), recommendation(ra, *grade).label()))
        .collect::<Vec<_>>()
        .join("；");
    let rectification_grades = ra
        .rectification_grades
        .iter()
        .map(|g| g.label())
        .collect::<Vec<_>>()
        .join("、");
    let items = s
        .assessment
        .items
        .iter()
        .map(|i| {
            format!(
                "{} {} 分（{}）",
                i.name,
                n(i.max),
                if i.automatic {
                    "系统按记录计算"
                } else {
                    "考核人录入"
                }
            )
        })
        .collect::<Vec<_>>()
        .join("；");

    vec![
        RuleSection {
            anchor: "s2",
            section: "§2",
            title: "金额与舍入",
            settings_page: None,
            rules: vec![
                rule(
                    "金额",
                    "金额以“分”为单位精确保存，不使用浮点数；页面和表格按财务习惯以万元显示，表格中保留两位小数。",
                ),
                rule(
                    "舍入",
                    "得分、比率一律四舍五入保留两位小数（0.005 进为 0.01），只在最后一步舍入一次。",
                ),
            ],
        },
        RuleSection {
            anchor: "s3",
            section: "§3",
            title: "重大项目",
            settings_page: Some("/settings/rules"),
            rules: vec![rule(
                "重大项目标准",
                format!(
                    "新增项目申报金额 ≥ {} 万元为重大项目，入库前须完成事前绩效评估。",
                    s.project.major_threshold.wan_text()
                ),
            )],
        },
        RuleSection {
            anchor: "s5",
            section: "§5",
            title: "事前绩效评估",
            settings_page: Some("/settings/ex-ante"),
            rules: vec![
                rule(
                    "项目评分表",
                    format!(
                        "总分 = 各子项得分之和，满分 100：{}。每个子项得分不超过其分值，须逐项填写意见。",
                        rubric(&s.ex_ante.project_dimensions)
                    ),
                ),
                rule("政策评分表", rubric(&s.ex_ante.policy_dimensions)),
                rule(
                    "评估结论",
                    format!(
                        "总分 ≥ {} 分为“予以支持”；{} 分 ≤ 总分 < {} 分为“调整完善后予以支持”；总分 < {} 分为“不予支持”。",
                        n(s.ex_ante.support),
                        n(s.ex_ante.support_after_adjustment),
                        n(s.ex_ante.support),
                        n(s.ex_ante.support_after_adjustment)
                    ),
                ),
                rule(
                    "入库条件",
                    "须评估的项目，只有经财政审核通过、结论为“予以支持”或“调整完善后予以支持”的评估，才能入库。",
                ),
            ],
        },
        RuleSection {
            anchor: "s6-3",
            section: "§6.3",
            title: "绩效目标质量检查",
            settings_page: None,
            rules: vec![
                rule(
                    "指标完整",
                    "每个指标须有一级、二级、三级指标名称和年度指标值；定量指标须写明方向（≥、≤、=）、数值和计量单位。产出指标和效益指标不可缺少，面向公众或服务对象的项目须设满意度指标。",
                ),
                rule(
                    "指标分值",
                    format!(
                        "预算执行率占 {} 分，各指标分值合计应为 {} 分，与单位自评的评分规则一致。",
                        n(s.scoring.execution_weight),
                        n(indicator_points)
                    ),
                ),
                rule(
                    "检查结果",
                    "“错误”须改正后才能提交；“提示”不阻止提交，例如与上年指标完全相同、未使用指标库中的指标。",
                ),
                rule(
                    "审核评级",
                    "财政审核评为“优”“良”的目标审核通过；“中”退回修改；“差”退回，且本轮不得批复预算。",
                ),
            ],
        },
        RuleSection {
            anchor: "s7",
            section: "§7",
            title: "绩效运行监控（双监控）",
            settings_page: Some("/settings/rules"),
            rules: vec![
                rule(
                    "预算执行率",
                    "预算执行率 = 执行数 ÷ 全年预算数 × 100%，不封顶（超支时高于 100%）。",
                ),
                rule(
                    "指标完成率",
                    format!(
                        "正向指标（≥）= min(完成值 ÷ 目标值, 1)；反向指标（≤）= 完成值不超过目标值时为 1，否则为 目标值 ÷ 完成值；定性指标按完成目标可能性：确定能 {}、有可能 {}、完全不可能 {}。",
                        n(m.likely_certain),
                        n(m.likely_possible),
                        n(m.likely_impossible)
                    ),
                ),
                rule(
                    "完成率估算",
                    format!(
                        "按指标分值加权平均各指标完成率；与单位填报的总体完成率相差超过 {} 个百分点时提示核实数据。",
                        n(m.completion_gap_warning)
                    ),
                ),
                rule(
                    "双监控偏差",
                    format!(
                        "偏差 = |预算执行率 − 总体完成率|；偏差 > {} 个百分点为红色预警，须整改。",
                        n(m.deviation_red)
                    ),
                ),
                rule(
                    "执行进度",
                    format!("预算执行率应不低于：{schedule}；低于当期进度为黄色预警。"),
                ),
                rule(
                    "监控审核",
                    format!(
                        "财政审核按 {review} 评分；审核得分 < {} 分为红色预警，须整改。任一指标“完全不可能”完成亦为红色预警。",
                        n(m.review_red)
                    ),
                ),
            ],
        },
        RuleSection {
            anchor: "s8-1",
            section: "§8.1",
            title: "部门评价覆盖面",
            settings_page: Some("/settings/rules"),
            rules: vec![rule(
                "覆盖率",
                format!(
                    "覆盖率 = 部门评价覆盖的项目金额 ÷ 部门项目支出 × 100%；低于 {}% 的部门予以提示。",
                    pct(s.coverage.min_share)
                ),
            )],
        },
        RuleSection {
            anchor: "s8-2",
            section: "§8.2",
            title: "单位自评表",
            settings_page: Some("/settings/rules"),
            rules: vec![
                rule(
                    "分值结构",
                    format!(
                        "预算执行率 {} 分，指标合计 {} 分；建议产出指标（含成本）{} 分、效益指标 {} 分、满意度指标 {} 分，偏离建议超过 {} 分时提示。",
                        n(s.scoring.execution_weight),
                        n(indicator_points),
                        n(split[0]),
                        n(split[1]),
                        n(split[2]),
                        n(s.scoring.split_tolerance)
                    ),
                ),
                rule(
                    "偏差说明",
                    "未完成目标或超额完成的指标，须填写偏差原因分析及改进措施，否则不能提交。",
                ),
            ],
        },
        RuleSection {
            anchor: "s8-3",
            section: "§8.3",
            title: "自评评分",
            settings_page: Some("/settings/rules"),
            rules: vec![
                rule(
                    "执行率得分",
                    format!(
                        "执行率得分 = min(全年执行数 ÷ 全年预算数, 1) × {}（按调整后的全年预算数计算）。",
                        n(s.scoring.execution_weight)
                    ),
                ),
                rule(
                    "定量指标",
                    "达到目标得满分 W；未达到时：正向指标（≥）得 实际值 B ÷ 目标值 A × W，反向指标（≤）得 A ÷ B × W，等于型指标（=）得 W × max(0, 1 − |B − A| ÷ |A|)。得分不超过 W、不低于 0。",
                ),
                rule(
                    "超额完成",
                    format!(
                        "实际值超过目标值 {}% 以上为超额完成：仍得满分，但须说明原因，审核时可酌情扣分。",
                        pct(s.scoring.over_achievement)
                    ),
                ),
                rule("定性指标", format!("{tiers}。")),
                rule(
                    "总分",
                    "总分 = 执行率得分 + 各指标得分之和，最高 100 分；导入表格中原有的得分与重新计算不一致时，两者并列显示。",
                ),
            ],
        },
        RuleSection {
            anchor: "s8-5",
            section: "§8.5",
            title: "评价等级",
            settings_page: Some("/settings/rules"),
            rules: vec![rule(
                "等级",
                format!(
                    "总分 ≥ {} 分为优秀；{} 分 ≤ 总分 < {} 分为良好；{} 分 ≤ 总分 < {} 分为一般；总分 < {} 分为较差。",
                    n(g.excellent),
                    n(g.good),
                    n(g.excellent),
                    n(g.fair),
                    n(g.good),
                    n(g.fair)
                ),
            )],
        },
        RuleSection {
            anchor: "s8-6",
            section: "§8.6",
            title: "真实性核查",
            settings_page: Some("/settings/rules"),
            rules: vec![rule(
                "抽查",
                format!(
                    "财政按 {}% 抽取自评项目核查（不少于 {} 个）；自评得分与核查得分相差 ≥ {} 分的，认定自评不准确。",
                    pct(s.verification.sample_share),
                    s.verification.sample_min,
                    n(s.verification.inaccurate_gap)
                ),
            )],
        },
        RuleSection {
            anchor: "s10",
            section: "§10",
            title: "结果应用与整改",
            settings_page: None,
            rules: vec![
                rule("次年预算安排建议", format!("{grades_text}。")),
                rule(
                    "整改",
                    format!(
                        "评价等级为 {rectification_grades} 的项目，以及运行监控中的红色预警，均下发整改通知；“原则上不予安排”的项目安排次年预算须说明理由。"
                    ),
                ),
            ],
        },
        RuleSection {
            anchor: "s11",
            section: "§11",
            title: "部门预算绩效管理工作考核",
            settings_page: Some("/settings/rules"),
            rules: vec![
                rule("考核项目", format!("{items}。")),
                rule(
                    "计算方法",
                    "自动计算的项目得分 = 满分 × 完成比例（比例取自系统记录）；没有可计算记录的项目得满分并注明。",
                ),
                rule(
                    "结果",
                    format!(
                        "按总分排名，前 {} 名予以通报表扬；后 {} 名及低于 {} 分的单位约谈。",
                        s.assessment.commended,
                        s.assessment.interviewed,
                        n(s.assessment.interview_below)
                    ),
                ),
            ],
        },
        RuleSection {
            anchor: "s16",
            section: "§16",
            title: "申报期限",
            settings_page: Some("/settings/rules"),
            rules: vec![rule(
                "待办提醒",
                format!(
                    "截止日前 {} 天内尚未提交的，待办中显示“即将到期”；逾期未提交的显示为逾期，截止后提交的记为迟交。",
                    s.deadlines.due_soon_days
                ),
            )],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fen;
    use rust_decimal_macros::dec;

    fn text_of(sections: &[RuleSection], anchor: &str) -> String {
        let section = sections
            .iter()
            .find(|s| s.anchor == anchor)
            .unwrap_or_else(|| panic!("no section {anchor}"));
        section
            .rules
            .iter()
            .map(|r| format!("{}：{}", r.name, r.text))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn default_settings_read_as_the_rules_reference_says() {
        let sections = explain(&Settings::default());
        assert!(text_of(&sections, "s8-3").contains("min(全年执行数 ÷ 全年预算数, 1) × 10"));
        assert!(text_of(&sections, "s7").contains("偏差 > 20 个百分点为红色预警"));
        assert!(text_of(&sections, "s7").contains("4 月底 25%、6 月底 40%"));
        assert!(text_of(&sections, "s5").contains("总分 ≥ 90 分为“予以支持”"));
        assert!(text_of(&sections, "s8-5").contains("总分 ≥ 90 分为优秀"));
        assert!(text_of(&sections, "s8-1").contains("低于 20% 的部门"));
        assert!(text_of(&sections, "s3").contains("≥ 500 万元"));
        assert!(text_of(&sections, "s6-3").contains("各指标分值合计应为 90 分"));
        assert!(text_of(&sections, "s8-3").contains("超过目标值 20% 以上"));
        assert!(text_of(&sections, "s10").contains("较差 → 原则上不予安排"));
    }

    #[test]
    fn changed_settings_change_the_text() {
        let mut s = Settings::default();
        s.monitoring.deviation_red = dec!(15);
        s.ex_ante.support = dec!(85);
        s.grades.excellent = dec!(92.5);
        s.project.major_threshold = Fen::from_wan(1000);
        s.scoring.execution_weight = dec!(20);
        let sections = explain(&s);
        assert!(text_of(&sections, "s7").contains("偏差 > 15 个百分点为红色预警"));
        assert!(text_of(&sections, "s5").contains("总分 ≥ 85 分为“予以支持”"));
        assert!(text_of(&sections, "s8-5").contains("总分 ≥ 92.5 分为优秀"));
        assert!(text_of(&sections, "s3").contains("≥ 1000 万元"));
        assert!(text_of(&sections, "s8-3").contains("× 20"));
        assert!(text_of(&sections, "s6-3").contains("合计应为 80 分"));
    }

    #[test]
    fn anchors_follow_the_section_numbers() {
        assert_eq!(anchor_of("§8.3"), "s8-3");
        assert_eq!(anchor_of("§7"), "s7");
        for section in explain(&Settings::default()) {
            assert_eq!(anchor_of(section.section), section.anchor);
        }
    }
}
