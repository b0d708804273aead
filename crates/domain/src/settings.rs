//! Every threshold and weight of the rules, with the SPEC's defaults (SPEC: "Where this file picks a
//! default for a rule that differs between places, the rule is configurable"). Stored per region
//! as JSON; `Settings::default()` is the SPEC.

use crate::grade::Grade;
use crate::money::Fen;
use crate::result_application::Recommendation;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub mod parameters;

fn d(v: i64) -> Decimal {
    Decimal::from(v)
}

fn pct(v: i64) -> Decimal {
    Decimal::new(v, 2)
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub project: ProjectSettings,
    pub scoring: ScoringSettings,
    pub grades: GradeScheme,
    pub ex_ante: ExAnteSettings,
    pub monitoring: MonitoringSettings,
    pub coverage: CoverageSettings,
    pub verification: VerificationSettings,
    pub assessment: AssessmentSettings,
    pub result_application: ResultApplicationSettings,
    pub deadlines: DeadlineSettings,
}

/// SPEC §3: a project is major when its amount ≥ the threshold (default 500万元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectSettings {
    pub major_threshold: Fen,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        ProjectSettings {
            major_threshold: Fen::from_wan(500),
        }
    }
}

/// A band of a qualitative tier as fractions of W (SPEC §8.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierBand {
    pub label: String,
    /// Inclusive lower bound, a fraction of W.
    pub low: Decimal,
    /// Upper bound, a fraction of W (inclusive only for the top tier).
    pub high: Decimal,
    /// Share of W given when the unit chose the tier but no score.
    pub default_share: Decimal,
}

/// SPEC §8.2, §8.3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoringSettings {
    /// Weight of the execution rate (预算执行率 10).
    pub execution_weight: Decimal,
    /// `=` targets are met within this absolute tolerance (default 0).
    pub eq_tolerance: Decimal,
    /// B beyond A by more than this share of A is over-achievement (default 20%).
    pub over_achievement: Decimal,
    /// 达成 / 部分达成 / 未达成 tiers, best first.
    pub qualitative_tiers: Vec<TierBand>,
    /// Recommended split of the indicator part: 产出 (with 成本) 50 · 效益 30 · 满意度 10.
    pub recommended_split: [Decimal; 3],
    /// A level-1 share further than this from the recommendation is a warning (§8.2).
    pub split_tolerance: Decimal,
}

impl Default for ScoringSettings {
    fn default() -> Self {
        ScoringSettings {
            execution_weight: d(10),
            eq_tolerance: Decimal::ZERO,
            over_achievement: pct(20),
            qualitative_tiers: vec![
                TierBand {
                    label: "达成年度指标".into(),
                    low: pct(80),
                    high: d(1),
                    default_share: d(1),
                },
                TierBand {
                    label: "部分达成年度指标并具有一定效果".into(),
                    low: pct(60),
                    high: pct(80),
                    default_share: pct(60),
                },
                TierBand {
                    label: "未达成年度指标且效果较差".into(),
                    low: Decimal::ZERO,
                    high: pct(60),
                    default_share: Decimal::ZERO,
                },
            ],
            recommended_split: [d(50), d(30), d(10)],
            split_tolerance: d(10),
        }
    }
}

/// SPEC §8.5: 优秀 S ≥ 90 · 良好 80 ≤ S < 90 · 一般 60 ≤ S < 80 · 较差 S < 60.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GradeScheme {
    pub excellent: Decimal,
    pub good: Decimal,
    pub fair: Decimal,
}

impl Default for GradeScheme {
    fn default() -> Self {
        GradeScheme {
            excellent: d(90),
            good: d(80),
            fair: d(60),
        }
    }
}

/// One dimension of the ex-ante rubric with its sub-items (SPEC §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricDimension {
    pub name: String,
    pub weight: Decimal,
    /// Sub-items and their weights; they add up to the dimension's weight.
    pub sub_items: Vec<(String, Decimal)>,
}

fn dimension(name: &str, subs: &[(&str, i64)]) -> RubricDimension {
    RubricDimension {
        name: name.into(),
        weight: d(subs.iter().map(|(_, w)| w).sum()),
        sub_items: subs
            .iter()
            .map(|(n, w)| ((*n).to_string(), d(*w)))
            .collect(),
    }
}

/// SPEC §5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExAnteSettings {
    pub project_dimensions: Vec<RubricDimension>,
    pub policy_dimensions: Vec<RubricDimension>,
    /// S ≥ this → 予以支持 (90).
    pub support: Decimal,
    /// S ≥ this → 调整完善后予以支持 (70); below → 不予支持.
    pub support_after_adjustment: Decimal,
}

impl Default for ExAnteSettings {
    fn default() -> Self {
        ExAnteSettings {
            project_dimensions: vec![
                dimension("立项必要性", &[("政策相关性", 10), ("需求迫切性", 10)]),
                dimension(
                    "投入经济性",
                    &[("投入成本合理性", 10), ("资金安排合理性", 10)],
                ),
                dimension(
                    "实施方案可行性",
                    &[("实施方案完整性", 10), ("保障措施可行性", 10)],
                ),
                dimension(
                    "绩效目标合理性",
                    &[("目标明确性", 10), ("指标可衡量性", 10)],
                ),
                dimension(
                    "筹资合规性",
                    &[("资金来源合规性", 10), ("财政支出责任", 10)],
                ),
            ],
            policy_dimensions: vec![
                dimension("政策设立必要性", &[("政策依据", 10), ("现实需求", 10)]),
                dimension("政策保障充分性", &[("资金保障", 10), ("组织保障", 10)]),
                dimension(
                    "政策目标合理性",
                    &[("目标明确性", 10), ("目标可实现性", 10)],
                ),
                dimension("政策实施可持续性", &[("财力可承受", 10), ("长效机制", 10)]),
                dimension(
                    "政策资金合规性",
                    &[("资金来源合规性", 10), ("支出方向合规性", 10)],
                ),
            ],
            support: d(90),
            support_after_adjustment: d(70),
        }
    }
}

/// SPEC §7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MonitoringSettings {
    /// |execution − completion| above this many percentage points → red (20).
    pub deviation_red: Decimal,
    /// A review score below this → red (60).
    pub review_red: Decimal,
    /// Review rubric: 填报及时性 20 · 数据完整准确 30 · 偏差分析合理性 30 · 整改措施可行性 20.
    pub review_rubric: Vec<(String, Decimal)>,
    /// Execution schedule: by the end of month M the rate should be at least P percent.
    pub schedule: Vec<(u32, Decimal)>,
    /// Completion credited to qualitative likelihoods: 确定能 1 · 有可能 0.6 · 完全不可能 0.
    pub likely_certain: Decimal,
    pub likely_possible: Decimal,
    pub likely_impossible: Decimal,
    /// A gap above this many points between computed and reported completion is a data warning.
    pub completion_gap_warning: Decimal,
}

impl Default for MonitoringSettings {
    fn default() -> Self {
        MonitoringSettings {
            deviation_red: d(20),
            review_red: d(60),
            review_rubric: vec![
                ("填报及时性".into(), d(20)),
                ("数据完整准确".into(), d(30)),
                ("偏差分析合理性".into(), d(30)),
                ("整改措施可行性".into(), d(20)),
            ],
            schedule: vec![(4, d(25)), (6, d(40)), (8, d(60)), (10, d(80))],
            likely_certain: d(1),
            likely_possible: pct(60),
            likely_impossible: Decimal::ZERO,
            completion_gap_warning: d(20),
        }
    }
}

/// Declaration deadlines (待办, SPEC §16; timeliness counts in §11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeadlineSettings {
    /// A document not yet submitted is due soon this many days (or fewer) before its deadline (7).
    pub due_soon_days: u32,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings { due_soon_days: 7 }
    }
}

/// SPEC §8.1: department evaluations must cover ≥ 20% of a department's project funds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoverageSettings {
    pub min_share: Decimal,
}

impl Default for CoverageSettings {
    fn default() -> Self {
        CoverageSettings { min_share: pct(20) }
    }
}

/// SPEC §8.6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerificationSettings {
    pub sample_share: Decimal,
    pub sample_min: u32,
    /// |self − verified| ≥ this marks the self-evaluation inaccurate (10).
    pub inaccurate_gap: Decimal,
}

impl Default for VerificationSettings {
    fn default() -> Self {
        VerificationSettings {
            sample_share: pct(10),
            sample_min: 5,
            inaccurate_gap: d(10),
        }
    }
}

/// One item of the annual assessment rubric (SPEC §11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentItem {
    pub key: String,
    pub name: String,
    pub max: Decimal,
    /// Computed from the system's records (true) or entered by the assessor (false).
    pub automatic: bool,
}

fn item(key: &str, name: &str, max: i64, automatic: bool) -> AssessmentItem {
    AssessmentItem {
        key: key.into(),
        name: name.into(),
        max: d(max),
        automatic,
    }
}

/// SPEC §11.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessmentSettings {
    pub items: Vec<AssessmentItem>,
    pub commended: u32,
    pub interviewed: u32,
    pub interview_below: Decimal,
}

impl Default for AssessmentSettings {
    fn default() -> Self {
        AssessmentSettings {
            items: vec![
                item("basic", "基础工作（制度、组织）", 15, false),
                item("ex_ante", "事前评估", 10, true),
                item("targets", "目标管理", 15, true),
                item("monitoring", "运行监控", 15, true),
                item("evaluation", "绩效评价", 15, true),
                item("rectification", "结果应用与整改", 15, true),
                item("archives", "档案管理", 5, true),
                item("disclosure", "信息公开", 5, true),
                item("reporting", "日常数据上报", 5, false),
            ],
            commended: 5,
            interviewed: 3,
            interview_below: d(60),
        }
    }
}

/// SPEC §10: the next-year budget recommendation of each grade, and the grades that open a
/// rectification notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultApplicationSettings {
    /// 优秀 → 优先保障.
    pub excellent: Recommendation,
    /// 良好 → 优先保障.
    pub good: Recommendation,
    /// 一般 → 整改后安排.
    pub fair: Recommendation,
    /// 较差 → 原则上不予安排.
    pub poor: Recommendation,
    /// Grades whose evaluation opens a rectification notice automatically: 一般 (result
    /// application, §10) and 较差 (a notice "comes from … evaluation (grade 一般 or 较差)", §10).
    pub rectification_grades: Vec<Grade>,
}

impl Default for ResultApplicationSettings {
    fn default() -> Self {
        ResultApplicationSettings {
            excellent: Recommendation::Priority,
            good: Recommendation::Priority,
            fair: Recommendation::AfterRectification,
            poor: Recommendation::NotArranged,
            rectification_grades: vec![Grade::Fair, Grade::Poor],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_spec() {
        let s = Settings::default();
        assert_eq!(s.project.major_threshold, Fen::from_wan(500));
        let ex: Decimal = s.ex_ante.project_dimensions.iter().map(|d| d.weight).sum();
        assert_eq!(ex, d(100));
        assert!(
            s.ex_ante
                .project_dimensions
                .iter()
                .all(|dim| dim.weight == d(20))
        );
        let rubric: Decimal = s.assessment.items.iter().map(|i| i.max).sum();
        assert_eq!(rubric, d(100));
        let review: Decimal = s.monitoring.review_rubric.iter().map(|(_, w)| *w).sum();
        assert_eq!(review, d(100));
    }
}
