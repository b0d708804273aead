//! How stored values are shown on pages: scores and rates from hundredths, codes as labels.

use jixiao_domain::decimal::{fixed2, from_hundredths};

/// A score or rate stored in hundredths, with two decimals; empty when absent.
pub fn score(x100: Option<i64>) -> String {
    x100.map(|s| fixed2(from_hundredths(s))).unwrap_or_default()
}

/// The same, with "—" when absent (detail pages, where a blank would look like a mistake).
pub fn score_or_dash(x100: Option<i64>) -> String {
    x100.map(|s| fixed2(from_hundredths(s)))
        .unwrap_or_else(|| "—".into())
}

/// A rate in percent with its sign, "—" when absent.
pub fn percent_or_dash(x100: Option<i64>) -> String {
    x100.map(|s| format!("{}%", fixed2(from_hundredths(s))))
        .unwrap_or_else(|| "—".into())
}

/// The Chinese label of a stored code, or the code itself when it is unknown.
pub fn label<T: Copy>(
    code: &str,
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
) -> String {
    parse(code).map(label).unwrap_or(code).to_string()
}

/// An indicator's target and actual values as shown: a quantitative one with its sign and unit
/// of measure (≥230人, 230人), a qualitative one as written.
pub fn shown_values(
    sign: &str,
    target: String,
    actual: String,
    unit_of_measure: &str,
) -> (String, String) {
    use jixiao_domain::indicator::Sign;
    if Sign::parse(sign) == Some(Sign::Qualitative) {
        return (target, actual);
    }
    let with_unit = |v: String| {
        if v.is_empty() {
            v
        } else {
            format!("{v}{unit_of_measure}")
        }
    };
    (format!("{sign}{}", with_unit(target)), with_unit(actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(score(Some(9650)), "96.50");
        assert_eq!(score(None), "");
        assert_eq!(score_or_dash(None), "—");
        assert_eq!(percent_or_dash(Some(6559)), "65.59%");
        assert_eq!(
            label(
                "good",
                jixiao_domain::grade::Grade::parse,
                jixiao_domain::grade::Grade::label
            ),
            "良好"
        );
        assert_eq!(
            label(
                "x",
                jixiao_domain::grade::Grade::parse,
                jixiao_domain::grade::Grade::label
            ),
            "x"
        );
    }

    #[test]
    fn values_carry_their_sign_and_unit_unless_qualitative() {
        let v = |sign: &str, t: &str, a: &str| shown_values(sign, t.into(), a.into(), "人");
        assert_eq!(v("≥", "230", "235"), ("≥230人".into(), "235人".into()));
        assert_eq!(
            v("≥", "230", ""),
            ("≥230人".into(), String::new()),
            "no actual yet"
        );
        assert_eq!(
            v("定性", "达到预期", "基本达到"),
            ("达到预期".into(), "基本达到".into())
        );
    }
}
