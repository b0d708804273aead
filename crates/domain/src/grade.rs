//! 评价等级 (SPEC §8.5), used by every kind of evaluation and by agency quality ratings (§9).

use crate::settings::GradeScheme;
use rust_decimal::Decimal;

crate::code_enum! {
    /// 优秀 · 良好 · 一般 · 较差.
    Grade {
        Excellent = "excellent", "优秀";
        Good = "good", "良好";
        Fair = "fair", "一般";
        Poor = "poor", "较差";
    }
}

/// The grade of a total score S: 优秀 S ≥ 90 · 良好 80 ≤ S < 90 · 一般 60 ≤ S < 80 · 较差 S < 60.
pub fn grade(scheme: &GradeScheme, total: Decimal) -> Grade {
    if total >= scheme.excellent {
        Grade::Excellent
    } else if total >= scheme.good {
        Grade::Good
    } else if total >= scheme.fair {
        Grade::Fair
    } else {
        Grade::Poor
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn grade_boundaries_spec_8_5() {
        let s = GradeScheme::default();
        let table = [
            (dec!(100), Grade::Excellent),
            (dec!(90), Grade::Excellent),
            (dec!(89.99), Grade::Good),
            (dec!(80), Grade::Good),
            (dec!(79.99), Grade::Fair),
            (dec!(60), Grade::Fair),
            (dec!(59.99), Grade::Poor),
            (dec!(0), Grade::Poor),
        ];
        for (score, expected) in table {
            assert_eq!(grade(&s, score), expected, "S = {score}");
        }
    }

    #[test]
    fn custom_scheme_spec_8_5_configurable() {
        let s = GradeScheme {
            excellent: dec!(95),
            good: dec!(85),
            fair: dec!(70),
        };
        assert_eq!(grade(&s, dec!(94)), Grade::Good);
        assert_eq!(grade(&s, dec!(69.99)), Grade::Poor);
    }
}
