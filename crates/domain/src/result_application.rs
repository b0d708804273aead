//! Result application (结果应用, SPEC §10): each evaluated project's next-year budget
//! recommendation from its grade, whether a rectification notice is opened, and the override a
//! budget for a 较差 project needs.

use crate::grade::Grade;
use crate::settings::ResultApplicationSettings;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// 次年预算安排建议 (SPEC §10).
    Recommendation {
        Priority = "priority", "优先保障";
        AfterRectification = "after_rectification", "整改后安排";
        NotArranged = "not_arranged", "原则上不予安排";
    }
}

impl Recommendation {
    /// A budget for next year under this recommendation needs an explicit override with a
    /// reason (SPEC §10: "a budget for a 较差 project needs an explicit override").
    pub fn needs_override(self) -> bool {
        self == Recommendation::NotArranged
    }
}

/// The recommendation of a grade under the configured mapping (default 优秀, 良好 → 优先保障;
/// 一般 → 整改后安排; 较差 → 原则上不予安排).
pub fn recommendation(settings: &ResultApplicationSettings, grade: Grade) -> Recommendation {
    match grade {
        Grade::Excellent => settings.excellent,
        Grade::Good => settings.good,
        Grade::Fair => settings.fair,
        Grade::Poor => settings.poor,
    }
}

/// Whether an evaluation with this grade opens a rectification notice (default 一般 and 较差).
pub fn requires_rectification(settings: &ResultApplicationSettings, grade: Grade) -> bool {
    settings.rectification_grades.contains(&grade)
}

/// Everything result application decides for one evaluated project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub grade: Grade,
    pub recommendation: Recommendation,
    /// Open a rectification notice automatically.
    pub rectification: bool,
    /// A next-year budget needs an explicit override with a reason.
    pub override_required: bool,
}

/// Applies the rules to an approved evaluation's grade (SPEC §10).
pub fn apply(settings: &ResultApplicationSettings, grade: Grade) -> Application {
    let recommendation = recommendation(settings, grade);
    Application {
        grade,
        recommendation,
        rectification: requires_rectification(settings, grade),
        override_required: recommendation.needs_override(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("该项目上年绩效评价结果的安排建议为“{0}”，如仍安排次年预算，须填写安排理由")]
    ReasonRequired(&'static str),
}

/// Checks the budgeting of next year's continuing project against its recommendation (SPEC §10):
/// under 原则上不予安排 a non-blank reason is required; otherwise nothing is.
pub fn check_budget_override(
    recommendation: Recommendation,
    reason: Option<&str>,
) -> Result<(), OverrideError> {
    if recommendation.needs_override() && reason.is_none_or(|r| r.trim().is_empty()) {
        Err(OverrideError::ReasonRequired(recommendation.label()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ResultApplicationSettings {
        ResultApplicationSettings::default()
    }

    #[test]
    fn default_mapping_spec_10() {
        use Recommendation as R;
        let table = [
            (Grade::Excellent, R::Priority, false, false),
            (Grade::Good, R::Priority, false, false),
            (Grade::Fair, R::AfterRectification, true, false),
            (Grade::Poor, R::NotArranged, true, true),
        ];
        for (grade, rec, rectification, override_required) in table {
            assert_eq!(
                apply(&settings(), grade),
                Application {
                    grade,
                    recommendation: rec,
                    rectification,
                    override_required
                },
                "{grade}"
            );
        }
    }

    #[test]
    fn mapping_is_configurable_spec_10() {
        let s = ResultApplicationSettings {
            good: Recommendation::AfterRectification,
            rectification_grades: vec![Grade::Fair],
            ..settings()
        };
        assert_eq!(
            recommendation(&s, Grade::Good),
            Recommendation::AfterRectification
        );
        assert!(!requires_rectification(&s, Grade::Poor));
        assert!(requires_rectification(&s, Grade::Fair));
    }

    #[test]
    fn poor_project_budget_needs_a_reason_spec_10() {
        use Recommendation as R;
        let table = [
            (R::Priority, None, true),
            (R::AfterRectification, None, true),
            (R::NotArranged, None, false),
            (R::NotArranged, Some(""), false),
            (R::NotArranged, Some(" \t"), false),
            (R::NotArranged, Some("县委重点工作，整改已完成"), true),
        ];
        for (rec, reason, ok) in table {
            assert_eq!(
                check_budget_override(rec, reason).is_ok(),
                ok,
                "{rec} {reason:?}"
            );
        }
        assert_eq!(
            check_budget_override(R::NotArranged, None)
                .unwrap_err()
                .to_string(),
            "该项目上年绩效评价结果的安排建议为“原则上不予安排”，如仍安排次年预算，须填写安排理由"
        );
    }

    #[test]
    fn codes_and_labels() {
        assert_eq!(
            Recommendation::parse("优先保障"),
            Some(Recommendation::Priority)
        );
        assert_eq!(Recommendation::NotArranged.code(), "not_arranged");
        assert_eq!(Recommendation::ALL.len(), 3);
    }
}
