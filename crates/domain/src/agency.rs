//! Third-party agencies (第三方机构, SPEC §9): the 统一社会信用代码 check and the quality rating
//! of an agency's work on an engagement (执业质量评价).

use crate::decimal::round2;
use crate::grade::{Grade, grade};
use crate::settings::Settings;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The characters of a 统一社会信用代码 (GB 32100-2015), in the order of their values: the digits
/// and the capitals without I, O, S, V and Z.
const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weights of positions 1–17 (3^(i−1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a credit code is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为 18 位（现为 {0} 位）")]
    Length(usize),
    #[error("统一社会信用代码第 {0} 位“{1}”不是有效字符（数字或除 I、O、S、V、Z 外的大写字母）")]
    Character(usize, char),
    #[error("统一社会信用代码校验位错误：按前 17 位计算应为“{0}”")]
    CheckDigit(char),
}

/// Checks a 统一社会信用代码 (GB 32100-2015): 18 characters of the code set, the last one the
/// check character 31 − (Σ value × weight mod 31). Lower-case letters are read as capitals;
/// returns the code as stored (upper case, trimmed).
///
/// ```
/// use jixiao_domain::agency::check_credit_code;
/// assert_eq!(check_credit_code(" 91330100799655058b ").unwrap(), "91330100799655058B");
/// assert!(check_credit_code("91330100799655058C").is_err());
/// ```
pub fn check_credit_code(text: &str) -> Result<String, CreditCodeError> {
    let code: String = text.trim().to_uppercase();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(CreditCodeError::Length(chars.len()));
    }
    let mut values = Vec::with_capacity(18);
    for (n, c) in chars.iter().enumerate() {
        match CHARS.find(*c) {
            Some(v) => values.push(v as u32),
            None => return Err(CreditCodeError::Character(n + 1, *c)),
        }
    }
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    let expected = CHARS.as_bytes()[check as usize] as char;
    if chars[17] != expected {
        return Err(CreditCodeError::CheckDigit(expected));
    }
    Ok(code)
}

/// One item of the quality rating with its maximum points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityItem {
    pub key: String,
    pub label: String,
    pub max: Decimal,
}

/// The default items (方案质量 20 · 工作底稿 20 · 报告质量 40 · 时效 10 · 廉洁与保密 10).
pub fn quality_items() -> Vec<QualityItem> {
    [
        ("plan", "方案质量", 20),
        ("working_papers", "工作底稿", 20),
        ("report", "报告质量", 40),
        ("timeliness", "时效", 10),
        ("integrity", "廉洁与保密", 10),
    ]
    .iter()
    .map(|(k, l, m)| QualityItem {
        key: (*k).into(),
        label: (*l).into(),
        max: Decimal::from(*m),
    })
    .collect()
}

/// Why a rating cannot be recorded: every item problem at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("“{0}”的得分须在 0 到 {1} 分之间，最多两位小数")]
    OutOfRange(String, String),
    #[error("“{0}”未评分")]
    Missing(String),
}

/// The rating: the total of the item scores (each 0..=max) and its grade by §8.5.
pub fn rate(
    settings: &Settings,
    items: &[QualityItem],
    scores: &[Option<Decimal>],
) -> Result<(Decimal, Grade), Vec<RatingError>> {
    let mut errors = Vec::new();
    let mut total = Decimal::ZERO;
    for (n, i) in items.iter().enumerate() {
        match scores.get(n).copied().flatten() {
            None => errors.push(RatingError::Missing(i.label.clone())),
            Some(s) if s < Decimal::ZERO || s > i.max || s != round2(s) => errors.push(
                RatingError::OutOfRange(i.label.clone(), i.max.normalize().to_string()),
            ),
            Some(s) => total += s,
        }
    }
    if errors.is_empty() {
        let total = round2(total);
        Ok((total, grade(&settings.grades, total)))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn real_credit_codes_pass_and_a_wrong_check_character_is_refused() {
        for code in [
            "914403001922038216",
            "9144030071526726XG",
            "91330100799655058B",
            "91110000802100433B",
            "91310000717866186P",
            "91110108551385082Q",
        ] {
            assert_eq!(check_credit_code(code).as_deref(), Ok(code));
        }
        assert_eq!(
            check_credit_code("911100007109354140"),
            Err(CreditCodeError::CheckDigit('N'))
        );
        assert_eq!(
            check_credit_code("9133010079965505"),
            Err(CreditCodeError::Length(16))
        );
        assert_eq!(
            check_credit_code("9133010079965505IB"),
            Err(CreditCodeError::Character(17, 'I'))
        );
    }

    #[test]
    fn a_rating_totals_its_items_and_is_graded() {
        let s = Settings::default();
        let items = quality_items();
        assert_eq!(items.iter().map(|i| i.max).sum::<Decimal>(), dec!(100));
        let scores = [
            Some(dec!(18)),
            Some(dec!(17.5)),
            Some(dec!(36)),
            Some(dec!(9)),
            Some(dec!(10)),
        ];
        assert_eq!(
            rate(&s, &items, &scores),
            Ok((dec!(90.5), Grade::Excellent))
        );
        let bad = [
            Some(dec!(21)),
            None,
            Some(dec!(36)),
            Some(dec!(9)),
            Some(dec!(10)),
        ];
        let e = rate(&s, &items, &bad).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(
            e[0].to_string(),
            "“方案质量”的得分须在 0 到 20 分之间，最多两位小数"
        );
        assert_eq!(e[1].to_string(), "“工作底稿”未评分");
    }
}
