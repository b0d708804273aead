//! Level-3 entries of the indicator library (SPEC §3 "Indicator library", §6.1, §6.2): what a
//! proposed entry must satisfy before it is stored. Units propose, finance approves; both the
//! proposal form and the built-in seed go through [`check_entry`].

use crate::indicator::{DEFAULT_DICTIONARY, Sign, normalise_unit};

/// 指标值设定依据 (SPEC §3): the four value-setting bases.
pub const BASES: [&str; 4] = ["计划标准", "行业标准", "历史标准", "其他标准"];

/// Longest name and definition accepted, in characters.
pub const NAME_MAX: usize = 60;
pub const DEFINITION_MAX: usize = 500;

/// The level-2 labels of a level-1 label in the default dictionary (SPEC §6.1).
pub fn level2_of(level1: &str) -> Option<&'static [&'static str]> {
    DEFAULT_DICTIONARY
        .iter()
        .find(|(l1, _)| *l1 == level1)
        .map(|(_, l2)| *l2)
}

/// An entry as a user writes it on the proposal form (untrimmed text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryForm<'a> {
    pub level1: &'a str,
    pub level2: &'a str,
    pub name: &'a str,
    pub definition: &'a str,
    pub unit_of_measure: &'a str,
    pub sign: &'a str,
    pub scoring_rule: &'a str,
    pub basis: &'a str,
    pub industry: &'a str,
}

/// An entry that passed [`check_entry`]: trimmed, the sign canonical, the unit normalised (and
/// empty for a qualitative indicator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub definition: String,
    pub unit_of_measure: String,
    pub sign: Sign,
    pub scoring_rule: String,
    pub basis: String,
    pub industry: String,
}

/// Why a proposed entry cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryProblem {
    #[error("一级指标“{0}”不在指标体系中（应为产出、成本、效益或满意度指标）")]
    UnknownLevel1(String),
    #[error("二级指标“{level2}”不属于一级指标“{level1}”")]
    Level2NotUnder { level1: String, level2: String },
    #[error("请填写三级指标名称")]
    NameMissing,
    #[error("指标名称不超过 {NAME_MAX} 个字")]
    NameTooLong,
    #[error("指标解释不超过 {DEFINITION_MAX} 个字")]
    DefinitionTooLong,
    #[error("指标方向“{0}”无效：应为 ≥、≤、=、>、< 或 定性")]
    BadSign(String),
    #[error("定量指标须填写计量单位（如 %、人、万元、个、天）")]
    UnitMissing,
    #[error("指标值设定依据应为计划标准、行业标准、历史标准或其他标准")]
    BadBasis,
}

/// Checks a proposed level-3 entry (SPEC §3, §6.1, §6.2) and returns it cleaned, or every
/// problem found.
pub fn check_entry(form: &EntryForm<'_>) -> Result<Entry, Vec<EntryProblem>> {
    let mut problems = Vec::new();
    let level1 = form.level1.trim();
    let level2 = form.level2.trim();
    match level2_of(level1) {
        None => problems.push(EntryProblem::UnknownLevel1(level1.to_string())),
        Some(l2) if !l2.contains(&level2) => problems.push(EntryProblem::Level2NotUnder {
            level1: level1.to_string(),
            level2: level2.to_string(),
        }),
        Some(_) => {}
    }
    let name = form.name.trim();
    if name.is_empty() {
        problems.push(EntryProblem::NameMissing);
    } else if name.chars().count() > NAME_MAX {
        problems.push(EntryProblem::NameTooLong);
    }
    let definition = form.definition.trim();
    if definition.chars().count() > DEFINITION_MAX {
        problems.push(EntryProblem::DefinitionTooLong);
    }
    let sign = Sign::parse(form.sign);
    let unit = normalise_unit(form.unit_of_measure);
    match sign {
        None => problems.push(EntryProblem::BadSign(form.sign.trim().to_string())),
        Some(s) if s.is_quantitative() && unit.is_empty() => {
            problems.push(EntryProblem::UnitMissing)
        }
        Some(_) => {}
    }
    let basis = form.basis.trim();
    if !BASES.contains(&basis) {
        problems.push(EntryProblem::BadBasis);
    }
    match sign {
        Some(sign) if problems.is_empty() => Ok(Entry {
            level1: level1.to_string(),
            level2: level2.to_string(),
            name: name.to_string(),
            definition: definition.to_string(),
            unit_of_measure: if sign.is_quantitative() {
                unit
            } else {
                String::new()
            },
            sign,
            scoring_rule: form.scoring_rule.trim().to_string(),
            basis: basis.to_string(),
            industry: form.industry.trim().to_string(),
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> EntryForm<'static> {
        EntryForm {
            level1: "产出指标",
            level2: "数量指标",
            name: " 新建校舍面积 ",
            definition: "当年新建校舍建筑面积",
            unit_of_measure: "平方米",
            sign: ">=",
            scoring_rule: "",
            basis: "计划标准",
            industry: "教育",
        }
    }

    #[test]
    fn a_good_entry_is_cleaned_spec_3() {
        let e = check_entry(&good()).expect("valid");
        assert_eq!(e.name, "新建校舍面积");
        assert_eq!(e.sign, Sign::Ge);
        assert_eq!(e.unit_of_measure, "平方米");
        let e = check_entry(&EntryForm {
            unit_of_measure: "百分比",
            ..good()
        })
        .expect("valid");
        assert_eq!(e.unit_of_measure, "%");
        // A qualitative entry needs no unit and keeps none.
        let e = check_entry(&EntryForm {
            level1: "效益指标",
            level2: "社会效益指标",
            sign: "定性",
            unit_of_measure: "个",
            ..good()
        })
        .expect("valid");
        assert_eq!(
            (e.sign, e.unit_of_measure.as_str()),
            (Sign::Qualitative, "")
        );
    }

    #[test]
    fn level2_must_belong_to_level1_spec_6_1() {
        assert_eq!(level2_of("成本指标").map(|l| l.len()), Some(3));
        assert_eq!(level2_of("其他"), None);
        let table: &[(&str, &str, EntryProblem)] = &[
            (
                "产出指标",
                "社会效益指标",
                EntryProblem::Level2NotUnder {
                    level1: "产出指标".into(),
                    level2: "社会效益指标".into(),
                },
            ),
            (
                "效果指标",
                "数量指标",
                EntryProblem::UnknownLevel1("效果指标".into()),
            ),
        ];
        for (l1, l2, problem) in table {
            let err = check_entry(&EntryForm {
                level1: l1,
                level2: l2,
                ..good()
            })
            .unwrap_err();
            assert_eq!(err, vec![problem.clone()], "{l1}/{l2}");
        }
    }

    #[test]
    fn every_problem_is_reported_in_chinese_spec_6_2() {
        let err = check_entry(&EntryForm {
            name: "  ",
            sign: "约",
            basis: "",
            ..good()
        })
        .unwrap_err();
        assert_eq!(
            err,
            vec![
                EntryProblem::NameMissing,
                EntryProblem::BadSign("约".into()),
                EntryProblem::BadBasis
            ]
        );
        assert!(err[1].to_string().contains("≥、≤、=、>、< 或 定性"));
        let err = check_entry(&EntryForm {
            unit_of_measure: " ",
            ..good()
        })
        .unwrap_err();
        assert_eq!(err, vec![EntryProblem::UnitMissing]);
        assert!(err[0].to_string().contains("计量单位"));
        let long = "长".repeat(NAME_MAX + 1);
        let err = check_entry(&EntryForm {
            name: &long,
            ..good()
        })
        .unwrap_err();
        assert_eq!(err, vec![EntryProblem::NameTooLong]);
    }

    #[test]
    fn every_sign_of_spec_6_2_is_accepted() {
        for s in ["≥", "≤", "=", ">", "<", "定性"] {
            let e = check_entry(&EntryForm { sign: s, ..good() }).expect(s);
            assert_eq!(e.sign.symbol(), s);
        }
    }
}
