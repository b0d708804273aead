//! Exact decimals and the one rounding rule of the system (SPEC §17): rates and scores are
//! rounded half-up (away from zero at the midpoint) to 2 decimal places, here and nowhere else.

pub use rust_decimal::Decimal;
use rust_decimal::RoundingStrategy;

/// Rounds half-up to 2 decimal places (SPEC §17, §8.3 "each score half-up to 2 decimals").
pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A value in hundredths (e.g. a score of 96.5 is 9650), the way scores and rates are stored.
pub fn to_hundredths(value: Decimal) -> i64 {
    let rounded = round2(value) * Decimal::ONE_HUNDRED;
    // A rounded score or rate always fits: scores are ≤ 100 and rates are bounded by money.
    i64::try_from(rounded.trunc()).unwrap_or(i64::MAX)
}

/// The inverse of [`to_hundredths`].
pub fn from_hundredths(value: i64) -> Decimal {
    Decimal::new(value, 2)
}

/// Renders a decimal without trailing zeros ("96", "563.4", "6927.25").
pub fn trim(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Renders a decimal with exactly two places ("96.00").
pub fn fixed2(value: Decimal) -> String {
    let mut v = round2(value);
    v.rescale(2);
    v.to_string()
}

/// Renders a ratio for a reader's explanation of a score ("0.9567"): at most 4 places, trailing
/// zeros trimmed. Display only; no stored or compared value goes through it.
pub fn ratio_text(value: Decimal) -> String {
    value
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

/// Parses a decimal written by a person: ASCII or full-width digits, optional thousands
/// separators and surrounding spaces. Returns `None` for anything else.
pub fn parse_loose(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' => Some('.'),
            '－' => Some('-'),
            ',' | '，' | ' ' | '\u{a0}' => None,
            _ => Some(c),
        })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    cleaned.parse::<Decimal>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn round2_is_half_up_spec_17() {
        assert_eq!(round2(dec!(1.005)), dec!(1.01));
        assert_eq!(round2(dec!(1.004)), dec!(1.00));
        assert_eq!(round2(dec!(2.675)), dec!(2.68));
        assert_eq!(round2(dec!(-1.005)), dec!(-1.01));
        assert_eq!(round2(dec!(66.666666)), dec!(66.67));
    }

    #[test]
    fn hundredths_round_trip() {
        assert_eq!(to_hundredths(dec!(96)), 9600);
        assert_eq!(to_hundredths(dec!(89.995)), 9000);
        assert_eq!(from_hundredths(9650), dec!(96.50));
    }

    #[test]
    fn trim_and_fixed() {
        assert_eq!(trim(dec!(563.40)), "563.4");
        assert_eq!(trim(dec!(101108.00)), "101108");
        assert_eq!(fixed2(dec!(96)), "96.00");
        assert_eq!(fixed2(dec!(0.125)), "0.13");
    }

    #[test]
    fn parse_loose_accepts_what_people_write() {
        assert_eq!(parse_loose("1,234.50"), Some(dec!(1234.50)));
        assert_eq!(parse_loose(" ２６６ "), Some(dec!(266)));
        assert_eq!(parse_loose("abc"), None);
        assert_eq!(parse_loose(""), None);
    }
}
