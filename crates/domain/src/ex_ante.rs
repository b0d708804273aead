//! Ex-ante performance assessment (事前绩效评估, SPEC §5): whether a project or policy needs one,
//! the score sheet (five dimensions with sub-items, each sub-item ≤ its weight), the total and the
//! conclusion that gates entry into the project library (see [`crate::workflow::can_enter_library`]).

use crate::decimal::round2;
use crate::money::Fen;
use crate::settings::{ExAnteSettings, ProjectSettings, RubricDimension};
use crate::types::{AssessorKind, Continuity, Role};
use crate::workflow::{DocState, ProjectState};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// 评估结论 (SPEC §5): S ≥ 90 → 予以支持; 70 ≤ S < 90 → 调整完善后予以支持; S < 70 → 不予支持.
    ExAnteConclusion {
        Support = "support", "予以支持";
        SupportAfterAdjustment = "support_after_adjustment", "调整完善后予以支持";
        Reject = "reject", "不予支持";
    }
}

impl ExAnteConclusion {
    /// Whether a project with this conclusion may enter the library (SPEC §5).
    pub fn permits_library(self) -> bool {
        matches!(
            self,
            ExAnteConclusion::Support | ExAnteConclusion::SupportAfterAdjustment
        )
    }

    /// Reads a conclusion as documents write it: the code, the full label, or the short forms
    /// the seed uses (审核结果为“支持”), “调整后支持”, “不支持”.
    pub fn parse_written(text: &str) -> Option<ExAnteConclusion> {
        if let Some(c) = ExAnteConclusion::parse(text) {
            return Some(c);
        }
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '“' | '”' | '"' | '建' | '议'))
            .collect();
        match t.as_str() {
            "支持" | "予以支持" => Some(ExAnteConclusion::Support),
            "调整后支持" | "调整后予以支持" | "调整完善后支持" | "调整完善后予以支持" => {
                Some(ExAnteConclusion::SupportAfterAdjustment)
            }
            "不支持" | "不予支持" => Some(ExAnteConclusion::Reject),
            _ => None,
        }
    }
}

crate::code_enum! {
    /// What is assessed: the two rubrics of SPEC §5.
    ExAnteObject {
        Project = "project", "项目";
        Policy = "policy", "政策";
    }
}

/// Whether a project is major (重大项目): amount ≥ the threshold, default 500万元 (SPEC §3).
pub fn is_major(settings: &ProjectSettings, amount: Fen) -> bool {
    amount >= settings.major_threshold
}

/// Whether an ex-ante assessment is required (SPEC §5): new major projects and new policies.
/// It is optional for everything else.
pub fn is_required(
    settings: &ProjectSettings,
    object: ExAnteObject,
    continuity: Continuity,
    amount: Fen,
) -> bool {
    continuity == Continuity::New
        && match object {
            ExAnteObject::Policy => true,
            ExAnteObject::Project => is_major(settings, amount),
        }
}

/// An assessment of the project not yet approved (at most one may be open, SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAssessment {
    pub id: i64,
    pub state: DocState,
}

/// Why an ex-ante assessment may not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartRefusal {
    /// The user's roles do not match the assessor kind.
    #[error("{0}")]
    WrongParty(&'static str),
    /// A unit user asked for a unit assessment of another unit's project.
    #[error("该项目不属于本单位")]
    NotOwnUnit,
    /// Only a project in reserve is assessed: the assessment is what lets it into the library.
    #[error("项目当前为“{}”，只有“储备”状态的项目可以发起事前绩效评估", .0.label())]
    ProjectState(ProjectState),
    /// One open assessment per project.
    #[error("该项目已有一份{}的事前绩效评估（编号 {}），请在原评估上继续", .0.state.label(), .0.id)]
    AlreadyOpen(OpenAssessment),
}

/// Who may start an ex-ante assessment, of a project in which state (SPEC §5): the finance
/// bureau assesses itself or engages a third-party agency; the project's own unit assesses
/// itself (`writes_for_unit`: the user may write for the project's unit); only a project in
/// reserve; and no other assessment of it still open. The operation enforces it; the project page
/// shows its buttons from it.
pub fn may_start(
    kind: AssessorKind,
    roles: &[Role],
    writes_for_unit: bool,
    project: ProjectState,
    open: Option<OpenAssessment>,
) -> Result<(), StartRefusal> {
    match kind {
        AssessorKind::Finance | AssessorKind::Agency if !Role::any_in(roles, Role::FINANCE) => {
            return Err(StartRefusal::WrongParty(
                "财政部门自行评估或委托第三方机构评估须由财政部门发起；预算单位可发起单位自行评估",
            ));
        }
        AssessorKind::Unit if !Role::any_in(roles, Role::UNIT) => {
            return Err(StartRefusal::WrongParty(
                "单位自行评估由项目所属预算单位发起；财政部门可自行评估或委托第三方机构",
            ));
        }
        AssessorKind::Unit if !writes_for_unit => return Err(StartRefusal::NotOwnUnit),
        _ => {}
    }
    if project != ProjectState::Reserve {
        return Err(StartRefusal::ProjectState(project));
    }
    match open {
        Some(open) => Err(StartRefusal::AlreadyOpen(open)),
        None => Ok(()),
    }
}

/// The rubric of an object from the settings (SPEC §5: five dimensions, default 20 each).
pub fn rubric(settings: &ExAnteSettings, object: ExAnteObject) -> &[RubricDimension] {
    match object {
        ExAnteObject::Project => &settings.project_dimensions,
        ExAnteObject::Policy => &settings.policy_dimensions,
    }
}

/// One sub-item on a score sheet, with the weight copied from the rubric when the sheet was made
/// (a later change of the settings does not change a recorded assessment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubItem {
    pub name: String,
    pub weight: Decimal,
    pub score: Option<Decimal>,
}

/// One dimension of a score sheet: its score is the sum of its sub-items (SPEC §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub sub_items: Vec<SubItem>,
}

impl Dimension {
    /// The dimension's weight: the sum of its sub-items' weights.
    pub fn weight(&self) -> Decimal {
        self.sub_items.iter().map(|s| s.weight).sum()
    }
}

/// A blank score sheet for a rubric. A dimension configured without sub-items becomes one
/// sub-item carrying the dimension's name and weight, so every score sits on a sub-item.
pub fn blank_sheet(rubric: &[RubricDimension]) -> Vec<Dimension> {
    rubric
        .iter()
        .map(|d| Dimension {
            name: d.name.clone(),
            sub_items: if d.sub_items.is_empty() {
                vec![SubItem {
                    name: d.name.clone(),
                    weight: d.weight,
                    score: None,
                }]
            } else {
                d.sub_items
                    .iter()
                    .map(|(name, weight)| SubItem {
                        name: name.clone(),
                        weight: *weight,
                        score: None,
                    })
                    .collect()
            },
        })
        .collect()
}

/// Why a score sheet or a rubric cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExAnteError {
    #[error("“{dimension}—{item}”尚未评分")]
    Missing { dimension: String, item: String },
    #[error("“{dimension}—{item}”得分 {score} 超过该项分值 {weight}")]
    AboveWeight {
        dimension: String,
        item: String,
        score: String,
        weight: String,
    },
    #[error("“{dimension}—{item}”得分 {score} 不能为负数")]
    Negative {
        dimension: String,
        item: String,
        score: String,
    },
    #[error("评分表没有任何评估维度")]
    Empty,
    #[error("评估维度“{dimension}”的分值 {weight} 与其子项分值合计 {sum} 不一致")]
    DimensionWeight {
        dimension: String,
        weight: String,
        sum: String,
    },
    #[error("评估维度分值合计为 {0}，应为 100")]
    RubricTotal(String),
}

fn text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Checks a configured rubric: each dimension's weight is the sum of its sub-items (when it has
/// any) and the weights add up to 100 (SPEC §5, five dimensions of 20 by default).
pub fn validate_rubric(rubric: &[RubricDimension]) -> Result<(), Vec<ExAnteError>> {
    let mut errors = Vec::new();
    if rubric.is_empty() {
        errors.push(ExAnteError::Empty);
    }
    for d in rubric {
        if d.sub_items.is_empty() {
            continue;
        }
        let sum: Decimal = d.sub_items.iter().map(|(_, w)| *w).sum();
        if sum != d.weight {
            errors.push(ExAnteError::DimensionWeight {
                dimension: d.name.clone(),
                weight: text(d.weight),
                sum: text(sum),
            });
        }
    }
    let total: Decimal = rubric.iter().map(|d| d.weight).sum();
    if !rubric.is_empty() && total != Decimal::ONE_HUNDRED {
        errors.push(ExAnteError::RubricTotal(text(total)));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A rubric as finance staff write it on the settings page (SPEC §5 "configurable sub-items and
/// weights"): one dimension per line, `维度：子项 分值；子项 分值`, e.g.
/// `立项必要性：政策相关性 10；需求迫切性 10`. A dimension without sub-items is `维度 20`.
pub fn rubric_text(rubric: &[RubricDimension]) -> String {
    rubric
        .iter()
        .map(|d| {
            if d.sub_items.is_empty() {
                format!("{} {}", d.name, text(d.weight))
            } else {
                let items: Vec<String> = d
                    .sub_items
                    .iter()
                    .map(|(n, w)| format!("{n} {}", text(*w)))
                    .collect();
                format!("{}：{}", d.name, items.join("；"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads [`rubric_text`]'s format back, then checks it with [`validate_rubric`]. Every problem
/// is reported, naming the line.
pub fn parse_rubric_text(input: &str) -> Result<Vec<RubricDimension>, Vec<String>> {
    fn named_weight(part: &str) -> Option<(String, Decimal)> {
        let part = part.trim();
        let split = part.rfind(|c: char| c.is_whitespace())?;
        let (name, weight) = part.split_at(split);
        let weight = crate::decimal::parse_loose(weight.trim())?;
        let name = name.trim();
        (!name.is_empty() && weight > Decimal::ZERO).then(|| (name.to_string(), weight))
    }
    let mut problems = Vec::new();
    let mut rubric = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("第 {} 行", n + 1);
        match line.split_once(['：', ':']) {
            Some((name, items)) => {
                let mut subs = Vec::new();
                for part in items.split(['；', ';']).filter(|p| !p.trim().is_empty()) {
                    match named_weight(part) {
                        Some(s) => subs.push(s),
                        None => problems.push(format!(
                            "{at}：“{}”应写成“子项名称 分值”，分值为正数",
                            part.trim()
                        )),
                    }
                }
                if name.trim().is_empty() || subs.is_empty() {
                    problems.push(format!("{at}：应写成“维度：子项 分值；子项 分值”"));
                    continue;
                }
                rubric.push(RubricDimension {
                    name: name.trim().to_string(),
                    weight: subs.iter().map(|(_, w)| *w).sum(),
                    sub_items: subs,
                });
            }
            None => match named_weight(line) {
                Some((name, weight)) => rubric.push(RubricDimension {
                    name,
                    weight,
                    sub_items: vec![],
                }),
                None => problems.push(format!(
                    "{at}：应写成“维度：子项 分值；子项 分值”或“维度 分值”"
                )),
            },
        }
    }
    if problems.is_empty()
        && let Err(errors) = validate_rubric(&rubric)
    {
        problems.extend(errors.into_iter().map(|e| e.to_string()));
    }
    if problems.is_empty() {
        Ok(rubric)
    } else {
        Err(problems)
    }
}

/// The scored sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExAnteScore {
    /// Each dimension's score (sum of its rounded sub-item scores), in sheet order.
    pub dimensions: Vec<(String, Decimal)>,
    pub total: Decimal,
    pub conclusion: ExAnteConclusion,
}

/// The conclusion of a total score S (SPEC §5, thresholds in [`ExAnteSettings`]).
pub fn conclusion(settings: &ExAnteSettings, total: Decimal) -> ExAnteConclusion {
    if total >= settings.support {
        ExAnteConclusion::Support
    } else if total >= settings.support_after_adjustment {
        ExAnteConclusion::SupportAfterAdjustment
    } else {
        ExAnteConclusion::Reject
    }
}

/// Scores a sheet (SPEC §5): every sub-item must be scored, 0 ≤ score ≤ its weight; each score
/// is rounded half-up to 2 decimals, a dimension is the sum of its sub-items, the total the sum of
/// the dimensions. All problems are reported at once.
pub fn score(
    settings: &ExAnteSettings,
    sheet: &[Dimension],
) -> Result<ExAnteScore, Vec<ExAnteError>> {
    let mut errors = Vec::new();
    if sheet.is_empty() {
        errors.push(ExAnteError::Empty);
    }
    let mut dimensions = Vec::with_capacity(sheet.len());
    for d in sheet {
        let mut sum = Decimal::ZERO;
        for s in &d.sub_items {
            match s.score {
                None => errors.push(ExAnteError::Missing {
                    dimension: d.name.clone(),
                    item: s.name.clone(),
                }),
                Some(v) if v < Decimal::ZERO => errors.push(ExAnteError::Negative {
                    dimension: d.name.clone(),
                    item: s.name.clone(),
                    score: text(v),
                }),
                Some(v) if v > s.weight => errors.push(ExAnteError::AboveWeight {
                    dimension: d.name.clone(),
                    item: s.name.clone(),
                    score: text(v),
                    weight: text(s.weight),
                }),
                Some(v) => sum += round2(v),
            }
        }
        dimensions.push((d.name.clone(), sum));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let total = round2(dimensions.iter().map(|(_, s)| *s).sum());
    Ok(ExAnteScore {
        conclusion: conclusion(settings, total),
        dimensions,
        total,
    })
}

#[cfg(test)]
mod start_tests {
    use super::*;

    const FINANCE: &[Role] = &[Role::FinanceDesk];
    const UNIT: &[Role] = &[Role::UnitPreparer];

    #[test]
    fn finance_and_agency_assessments_are_started_by_finance_unit_ones_by_the_unit() {
        let reserve = ProjectState::Reserve;
        assert_eq!(
            may_start(AssessorKind::Finance, FINANCE, true, reserve, None),
            Ok(())
        );
        assert_eq!(
            may_start(AssessorKind::Agency, FINANCE, true, reserve, None),
            Ok(())
        );
        assert_eq!(
            may_start(AssessorKind::Unit, UNIT, true, reserve, None),
            Ok(())
        );
        assert!(matches!(
            may_start(AssessorKind::Agency, UNIT, true, reserve, None),
            Err(StartRefusal::WrongParty(m)) if m.contains("须由财政部门发起")
        ));
        assert!(matches!(
            may_start(AssessorKind::Unit, FINANCE, true, reserve, None),
            Err(StartRefusal::WrongParty(_))
        ));
        assert_eq!(
            may_start(AssessorKind::Unit, UNIT, false, reserve, None),
            Err(StartRefusal::NotOwnUnit)
        );
        assert!(may_start(AssessorKind::Finance, &[Role::Viewer], true, reserve, None).is_err());
    }

    #[test]
    fn only_a_project_in_reserve_without_an_open_assessment_is_assessed() {
        for s in ProjectState::ALL.iter().copied() {
            let got = may_start(AssessorKind::Finance, FINANCE, true, s, None);
            if s == ProjectState::Reserve {
                assert_eq!(got, Ok(()));
            } else {
                assert_eq!(got, Err(StartRefusal::ProjectState(s)));
                assert!(got.unwrap_err().to_string().contains("只有“储备”状态"));
            }
        }
        let open = OpenAssessment {
            id: 7,
            state: DocState::Submitted,
        };
        let got = may_start(
            AssessorKind::Unit,
            UNIT,
            true,
            ProjectState::Reserve,
            Some(open),
        );
        assert_eq!(got, Err(StartRefusal::AlreadyOpen(open)));
        assert_eq!(
            got.unwrap_err().to_string(),
            "该项目已有一份单位已提交的事前绩效评估（编号 7），请在原评估上继续"
        );
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn rubric_text_round_trips_and_is_checked() {
        let settings = ExAnteSettings::default();
        let text = rubric_text(&settings.project_dimensions);
        assert!(
            text.starts_with("立项必要性：政策相关性 10；需求迫切性 10\n"),
            "{text}"
        );
        assert_eq!(
            parse_rubric_text(&text).unwrap(),
            settings.project_dimensions
        );
        // Weights other than 20 each, a dimension without sub-items, ASCII punctuation.
        let custom = "立项必要性: 政策相关性 15; 需求迫切性 10\n投入经济性 15\n实施方案可行性：方案 20\n\
                      绩效目标合理性：目标 10；指标 10\n筹资合规性：来源 20";
        let r = parse_rubric_text(custom).unwrap();
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].weight, Decimal::from(25));
        assert!(r[1].sub_items.is_empty());
        // Not adding up to 100, and a malformed item, are refused with the line.
        let bad = parse_rubric_text("立项必要性：政策相关性 10\n投入经济性：成本").unwrap_err();
        assert!(bad.iter().any(|m| m.starts_with("第 2 行")), "{bad:?}");
        let short = parse_rubric_text("立项必要性：政策相关性 10").unwrap_err();
        assert!(short.iter().any(|m| m.contains("应为 100")), "{short:?}");
        assert!(parse_rubric_text("").is_err());
    }

    use super::*;
    use crate::settings::Settings;
    use rust_decimal_macros::dec;

    fn settings() -> ExAnteSettings {
        ExAnteSettings::default()
    }

    /// A project sheet with the sub-item scores given in order (10 sub-items of 10).
    fn filled(scores: [Decimal; 10]) -> Vec<Dimension> {
        let mut sheet = blank_sheet(rubric(&settings(), ExAnteObject::Project));
        let mut it = scores.into_iter();
        for d in &mut sheet {
            for s in &mut d.sub_items {
                s.score = it.next();
            }
        }
        sheet
    }

    #[test]
    fn conclusion_boundaries_spec_5() {
        let table = [
            (dec!(100), ExAnteConclusion::Support),
            (dec!(96), ExAnteConclusion::Support),
            (dec!(90), ExAnteConclusion::Support),
            (dec!(89.99), ExAnteConclusion::SupportAfterAdjustment),
            (dec!(70), ExAnteConclusion::SupportAfterAdjustment),
            (dec!(69.99), ExAnteConclusion::Reject),
            (dec!(0), ExAnteConclusion::Reject),
        ];
        for (s, expected) in table {
            assert_eq!(conclusion(&settings(), s), expected, "S = {s}");
        }
    }

    #[test]
    fn conclusion_thresholds_are_configurable_spec_5() {
        let s = ExAnteSettings {
            support: dec!(80),
            support_after_adjustment: dec!(60),
            ..settings()
        };
        assert_eq!(conclusion(&s, dec!(85)), ExAnteConclusion::Support);
        assert_eq!(
            conclusion(&s, dec!(60)),
            ExAnteConclusion::SupportAfterAdjustment
        );
        assert_eq!(conclusion(&s, dec!(59.99)), ExAnteConclusion::Reject);
    }

    #[test]
    fn seed_example_96_points_is_supported_spec_5_15() {
        // 且末县 2023: 1 project, 563.4万元, 96 points, 支持 → entered the library.
        let s = Settings::default();
        let amount = Fen::parse_wan("563.4").unwrap();
        assert!(is_major(&s.project, amount));
        assert!(is_required(
            &s.project,
            ExAnteObject::Project,
            Continuity::New,
            amount
        ));
        let sheet = filled([
            dec!(10),
            dec!(10),
            dec!(9),
            dec!(10),
            dec!(9),
            dec!(10),
            dec!(10),
            dec!(9),
            dec!(10),
            dec!(9),
        ]);
        let r = score(&s.ex_ante, &sheet).unwrap();
        assert_eq!(r.total, dec!(96));
        assert_eq!(r.conclusion, ExAnteConclusion::Support);
        assert!(r.conclusion.permits_library());
        assert_eq!(
            r.dimensions,
            vec![
                ("立项必要性".to_string(), dec!(20)),
                ("投入经济性".to_string(), dec!(19)),
                ("实施方案可行性".to_string(), dec!(19)),
                ("绩效目标合理性".to_string(), dec!(19)),
                ("筹资合规性".to_string(), dec!(19)),
            ]
        );
        assert_eq!(
            ExAnteConclusion::parse_written("支持"),
            Some(ExAnteConclusion::Support)
        );
    }

    #[test]
    fn totals_at_the_boundaries_spec_5() {
        let with_last = |each: Decimal, last: Decimal| {
            let mut scores = [each; 10];
            scores[9] = last;
            scores
        };
        let table = [
            (
                with_last(dec!(9), dec!(9)),
                dec!(90),
                ExAnteConclusion::Support,
            ),
            (
                with_last(dec!(9), dec!(8.99)),
                dec!(89.99),
                ExAnteConclusion::SupportAfterAdjustment,
            ),
            (
                with_last(dec!(7), dec!(7)),
                dec!(70),
                ExAnteConclusion::SupportAfterAdjustment,
            ),
            (
                with_last(dec!(7), dec!(6.99)),
                dec!(69.99),
                ExAnteConclusion::Reject,
            ),
        ];
        for (scores, total, expected) in table {
            let r = score(&settings(), &filled(scores)).unwrap();
            assert_eq!(r.total, total);
            assert_eq!(r.conclusion, expected, "S = {total}");
        }
    }

    #[test]
    fn sub_item_above_its_weight_is_an_error_spec_5() {
        let mut sheet = filled([dec!(10); 10]);
        sheet[1].sub_items[0].score = Some(dec!(10.01));
        sheet[4].sub_items[1].score = Some(dec!(-1));
        sheet[2].sub_items[1].score = None;
        let errors = score(&settings(), &sheet).unwrap_err();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "“投入经济性—投入成本合理性”得分 10.01 超过该项分值 10",
                "“实施方案可行性—保障措施可行性”尚未评分",
                "“筹资合规性—财政支出责任”得分 -1 不能为负数",
            ]
        );
        // A score exactly at the weight is fine.
        assert_eq!(
            score(&settings(), &filled([dec!(10); 10])).unwrap().total,
            dec!(100)
        );
    }

    #[test]
    fn empty_sheet_is_refused_spec_5() {
        assert_eq!(
            score(&settings(), &[]).unwrap_err(),
            vec![ExAnteError::Empty]
        );
    }

    #[test]
    fn sub_item_scores_are_rounded_half_up_spec_17() {
        let mut scores = [dec!(10); 10];
        scores[0] = dec!(9.005);
        let r = score(&settings(), &filled(scores)).unwrap();
        assert_eq!(r.dimensions[0].1, dec!(19.01));
        assert_eq!(r.total, dec!(99.01));
    }

    #[test]
    fn required_for_new_major_projects_and_new_policies_spec_5() {
        let p = ProjectSettings::default();
        let major = Fen::from_wan(500);
        let minor = Fen(Fen::from_wan(500).0 - 1);
        let table = [
            (ExAnteObject::Project, Continuity::New, major, true),
            (ExAnteObject::Project, Continuity::New, minor, false),
            (ExAnteObject::Project, Continuity::Continuing, major, false),
            (ExAnteObject::Policy, Continuity::New, Fen::ZERO, true),
            (ExAnteObject::Policy, Continuity::Continuing, major, false),
        ];
        for (object, continuity, amount, expected) in table {
            assert_eq!(
                is_required(&p, object, continuity, amount),
                expected,
                "{object} {continuity} {}",
                amount.wan_text()
            );
        }
        assert!(is_major(&p, major));
        assert!(!is_major(&p, minor));
    }

    #[test]
    fn policies_use_their_own_dimensions_spec_5() {
        let s = settings();
        let names: Vec<&str> = rubric(&s, ExAnteObject::Policy)
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "政策设立必要性",
                "政策保障充分性",
                "政策目标合理性",
                "政策实施可持续性",
                "政策资金合规性"
            ]
        );
    }

    #[test]
    fn default_rubrics_are_valid_and_bad_ones_are_not_spec_5() {
        let s = settings();
        assert_eq!(validate_rubric(&s.project_dimensions), Ok(()));
        assert_eq!(validate_rubric(&s.policy_dimensions), Ok(()));
        let mut bad = s.project_dimensions.clone();
        bad[0].weight = dec!(25);
        let errors = validate_rubric(&bad).unwrap_err();
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec![
                "评估维度“立项必要性”的分值 25 与其子项分值合计 20 不一致",
                "评估维度分值合计为 105，应为 100",
            ]
        );
        assert_eq!(validate_rubric(&[]), Err(vec![ExAnteError::Empty]));
    }

    #[test]
    fn dimension_without_sub_items_scores_as_one_item_spec_5() {
        let rubric = vec![RubricDimension {
            name: "立项必要性".into(),
            weight: dec!(100),
            sub_items: vec![],
        }];
        let mut sheet = blank_sheet(&rubric);
        assert_eq!(sheet[0].weight(), dec!(100));
        sheet[0].sub_items[0].score = Some(dec!(75));
        let r = score(&settings(), &sheet).unwrap();
        assert_eq!(r.conclusion, ExAnteConclusion::SupportAfterAdjustment);
    }

    #[test]
    fn conclusions_parse_as_written() {
        let table = [
            ("予以支持", Some(ExAnteConclusion::Support)),
            ("support", Some(ExAnteConclusion::Support)),
            ("“支持”", Some(ExAnteConclusion::Support)),
            ("建议予以支持", Some(ExAnteConclusion::Support)),
            ("调整后支持", Some(ExAnteConclusion::SupportAfterAdjustment)),
            (
                "调整完善后予以支持",
                Some(ExAnteConclusion::SupportAfterAdjustment),
            ),
            ("不予支持", Some(ExAnteConclusion::Reject)),
            ("不支持", Some(ExAnteConclusion::Reject)),
            ("同意", None),
        ];
        for (t, expected) in table {
            assert_eq!(ExAnteConclusion::parse_written(t), expected, "{t}");
        }
        assert!(!ExAnteConclusion::Reject.permits_library());
        assert!(ExAnteConclusion::SupportAfterAdjustment.permits_library());
    }
}
