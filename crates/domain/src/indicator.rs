//! Indicators (SPEC §6.1, §6.2): the level-1/level-2 dictionary and the sign of a value.

use serde::{Deserialize, Serialize};

/// 指标方向 / 符号 (SPEC §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sign {
    #[serde(rename = "≥")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "≤")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "定性")]
    Qualitative,
}

impl Sign {
    pub const ALL: [Sign; 6] = [
        Sign::Ge,
        Sign::Gt,
        Sign::Le,
        Sign::Lt,
        Sign::Eq,
        Sign::Qualitative,
    ];

    /// The canonical symbol stored and shown.
    pub const fn symbol(self) -> &'static str {
        match self {
            Sign::Ge => "≥",
            Sign::Gt => ">",
            Sign::Le => "≤",
            Sign::Lt => "<",
            Sign::Eq => "=",
            Sign::Qualitative => "定性",
        }
    }

    /// Reads every written form of a sign people use (SPEC §6.2): `≥ >= ＞＝ ≧ 大于等于 不低于` …
    pub fn parse(text: &str) -> Option<Sign> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let sign = match t.as_str() {
            "≥" | ">=" | "＞＝" | "＞=" | ">＝" | "≧" | "大于等于" | "不低于" | "不少于" => {
                Sign::Ge
            }
            ">" | "＞" | "大于" | "高于" => Sign::Gt,
            "≤" | "<=" | "＜＝" | "＜=" | "<＝" | "≦" | "小于等于" | "不高于" | "不超过"
            | "不多于" => Sign::Le,
            "<" | "＜" | "小于" | "低于" => Sign::Lt,
            "=" | "＝" | "等于" => Sign::Eq,
            "定性" => Sign::Qualitative,
            _ => return None,
        };
        Some(sign)
    }

    pub fn is_quantitative(self) -> bool {
        self != Sign::Qualitative
    }
}

impl std::fmt::Display for Sign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

/// The default level-1 → level-2 dictionary (SPEC §6.1). Configurable through settings.
pub const DEFAULT_DICTIONARY: &[(&str, &[&str])] = &[
    ("产出指标", &["数量指标", "质量指标", "时效指标"]),
    (
        "成本指标",
        &["经济成本指标", "社会成本指标", "生态环境成本指标"],
    ),
    (
        "效益指标",
        &[
            "经济效益指标",
            "社会效益指标",
            "生态效益指标",
            "可持续影响指标",
        ],
    ),
    ("满意度指标", &["服务对象满意度指标"]),
];

/// Level 1 of the tree, as far as the rules care (SPEC §6.1, §6.2 sign inference, §8.2 split).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level1 {
    Output,
    Cost,
    Benefit,
    Satisfaction,
}

impl Level1 {
    pub fn label(self) -> &'static str {
        match self {
            Level1::Output => "产出指标",
            Level1::Cost => "成本指标",
            Level1::Benefit => "效益指标",
            Level1::Satisfaction => "满意度指标",
        }
    }

    /// Classifies a level-1 label as written on a form (`产出指标(50分)`, `效益`), and the older
    /// forms that put 成本指标 under 产出 as a level 2 (SPEC §6.1) when `level2` says so.
    pub fn classify(level1: &str, level2: &str) -> Option<Level1> {
        if level2.contains("成本") {
            return Some(Level1::Cost);
        }
        if level1.contains("产出") {
            Some(Level1::Output)
        } else if level1.contains("成本") {
            Some(Level1::Cost)
        } else if level1.contains("满意") {
            Some(Level1::Satisfaction)
        } else if level1.contains("效益") || level1.contains("效果") {
            Some(Level1::Benefit)
        } else {
            None
        }
    }

    /// The sign read for a quantitative value written without one (SPEC §6.2): `≤` under 成本,
    /// `≥` otherwise. Callers must warn that the sign was inferred.
    pub fn inferred_sign(level: Option<Level1>) -> Sign {
        match level {
            Some(Level1::Cost) => Sign::Le,
            _ => Sign::Ge,
        }
    }
}

/// A value as written in one cell of a form (SPEC §6.2): an optional sign, a number and a unit of
/// measure, e.g. `≥266米`, `<=475元/亩`, `≥100百分比`, `95%以上`, `20万元`, or plain text such as
/// `效果明显` (no number: a qualitative value).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WrittenValue {
    /// The sign written in the cell (`≥`, `>=`, `＞＝`, `不低于`, … or a trailing `以上`/`以下`).
    pub sign: Option<Sign>,
    pub number: Option<rust_decimal::Decimal>,
    /// The unit after the number, `百分比`/`％` normalised to `%`; `None` when nothing follows.
    pub unit: Option<String>,
    /// A template placeholder (`**`, `XX`) stands where the number should be.
    pub placeholder: bool,
}

/// Written signs, longest first so that `>=` is not read as `>` followed by `=`.
const WRITTEN_SIGNS: &[&str] = &[
    "大于等于",
    "小于等于",
    "不低于",
    "不少于",
    "不高于",
    "不超过",
    "不多于",
    "大于",
    "小于",
    "高于",
    "低于",
    "等于",
    "＞＝",
    "＞=",
    ">＝",
    "＜＝",
    "＜=",
    "<＝",
    ">=",
    "<=",
    "≥",
    "≤",
    "≧",
    "≦",
    "＞",
    "＜",
    ">",
    "<",
    "＝",
    "=",
];

/// Reads one cell's value the way people write it (SPEC §6.2). Never fails: what is not a
/// number is left for the caller as text (`number` is `None`).
pub fn parse_written_value(text: &str) -> WrittenValue {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    let mut rest = t.as_str();
    let mut sign = None;
    for s in WRITTEN_SIGNS {
        if let Some(r) = rest.strip_prefix(s) {
            sign = Sign::parse(s);
            rest = r;
            break;
        }
    }
    let number_len: usize = rest
        .char_indices()
        .take_while(|(i, c)| {
            c.is_ascii_digit()
                || ('０'..='９').contains(c)
                || matches!(c, '.' | '．' | ',' | '，')
                || (*i == 0 && matches!(c, '-' | '－' | '+'))
        })
        .map(|(_, c)| c.len_utf8())
        .sum();
    let (digits, mut unit) = rest.split_at(number_len);
    let digits = digits.trim_end_matches([',', '，']);
    let number = crate::decimal::parse_loose(digits.trim_start_matches('+'));
    let placeholder = number.is_none()
        && (unit.starts_with("**") || unit.starts_with("XX") || unit.starts_with("xx"));
    if number.is_some() {
        for (suffix, s) in [
            ("及以上", Sign::Ge),
            ("以上", Sign::Ge),
            ("及以下", Sign::Le),
            ("以下", Sign::Le),
            ("以内", Sign::Le),
        ] {
            if let Some(u) = unit.strip_suffix(suffix) {
                unit = u;
                sign = sign.or(Some(s));
                break;
            }
        }
    }
    let unit = match unit {
        "" => None,
        "百分比" | "％" | "%" => Some("%".to_string()),
        u if number.is_some() => Some(u.to_string()),
        _ => None,
    };
    WrittenValue {
        sign,
        number,
        unit,
        placeholder,
    }
}

/// Normalises a unit of measure as written (`百分比`, `％` → `%`).
pub fn normalise_unit(unit: &str) -> String {
    let u: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
    match u.as_str() {
        "百分比" | "％" => "%".to_string(),
        _ => u,
    }
}

/// The qualitative tier (index into the default tiers of SPEC §8.3: 0 达成, 1 部分达成, 2 未达成)
/// that a written actual value states. An actual identical to the target counts as 达成.
/// `None` when the text says nothing recognisable (the caller reports it).
pub fn written_tier(actual: &str, target: Option<&str>) -> Option<usize> {
    let a: String = actual.chars().filter(|c| !c.is_whitespace()).collect();
    if a.is_empty() {
        return None;
    }
    const NOT: &[&str] = &[
        "未达成",
        "未完成",
        "未达到",
        "未实现",
        "较差",
        "不达标",
        "不合格",
        "不满意",
        "未按",
    ];
    const PARTLY: &[&str] = &["部分", "基本"];
    const MET: &[&str] = &[
        "达成", "达到", "完成", "实现", "合格", "达标", "合规", "符合", "及时", "明显", "显著",
        "有效", "良好", "满意", "按时", "按期", "提升", "改善", "提高", "是",
    ];
    if NOT.iter().any(|w| a.contains(w)) {
        Some(2)
    } else if PARTLY.iter().any(|w| a.contains(w)) {
        Some(1)
    } else if target.is_some_and(|t| t.chars().filter(|c| !c.is_whitespace()).eq(a.chars()))
        || MET.iter().any(|w| a.contains(w))
    {
        Some(0)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_values_spec_6_2() {
        use rust_decimal::Decimal;
        let d = |s: &str| s.parse::<Decimal>().ok();
        type Case<'a> = (&'a str, Option<Sign>, Option<Decimal>, Option<&'a str>);
        let table: &[Case] = &[
            ("≥266米", Some(Sign::Ge), d("266"), Some("米")),
            ("<=475元/亩", Some(Sign::Le), d("475"), Some("元/亩")),
            ("≥95%", Some(Sign::Ge), d("95"), Some("%")),
            ("≥100百分比", Some(Sign::Ge), d("100"), Some("%")),
            ("=8个", Some(Sign::Eq), d("8"), Some("个")),
            ("100%", None, d("100"), Some("%")),
            ("20万元", None, d("20"), Some("万元")),
            ("95%以上", Some(Sign::Ge), d("95"), Some("%")),
            ("＞＝９０％", Some(Sign::Ge), d("90"), Some("%")),
            ("1,234.5元", None, d("1234.5"), Some("元")),
            ("≤ 10 次", Some(Sign::Le), d("10"), Some("次")),
            ("不低于2.61万元", Some(Sign::Ge), d("2.61"), Some("万元")),
            ("22.5", None, d("22.5"), None),
            ("效果明显", None, None, None),
        ];
        for (text, sign, number, unit) in table {
            let v = parse_written_value(text);
            assert_eq!(v.sign, *sign, "{text}");
            assert_eq!(v.number, *number, "{text}");
            assert_eq!(v.unit.as_deref(), *unit, "{text}");
            assert!(!v.placeholder, "{text}");
        }
        let v = parse_written_value("≥**个");
        assert_eq!(
            (v.sign, v.number, v.placeholder),
            (Some(Sign::Ge), None, true)
        );
    }

    #[test]
    fn written_tiers_spec_8_3() {
        assert_eq!(written_tier("达成预期指标", None), Some(0));
        assert_eq!(
            written_tier("部分达成预期指标并具有一定效果", None),
            Some(1)
        );
        assert_eq!(written_tier("未达成预期指标且效果较差", None), Some(2));
        assert_eq!(written_tier("显著提升", Some("显著提升")), Some(0));
        assert_eq!(written_tier("待定", Some("显著提升")), None);
        assert_eq!(written_tier("", None), None);
        assert_eq!(normalise_unit("百分比"), "%");
    }

    #[test]
    fn sign_written_forms_spec_6_2() {
        for t in ["≥", ">=", "＞＝", " ≥ ", "大于等于"] {
            assert_eq!(Sign::parse(t), Some(Sign::Ge), "{t}");
        }
        for t in ["≤", "<=", "＜＝"] {
            assert_eq!(Sign::parse(t), Some(Sign::Le), "{t}");
        }
        assert_eq!(Sign::parse("＞"), Some(Sign::Gt));
        assert_eq!(Sign::parse("="), Some(Sign::Eq));
        assert_eq!(Sign::parse("定性"), Some(Sign::Qualitative));
        assert_eq!(Sign::parse("约"), None);
    }

    #[test]
    fn level1_classification_and_sign_inference_spec_6_2() {
        assert_eq!(
            Level1::classify("产出指标(50分)", "数量指标"),
            Some(Level1::Output)
        );
        assert_eq!(Level1::classify("产出指标", "成本指标"), Some(Level1::Cost));
        assert_eq!(
            Level1::classify("满意度指标", ""),
            Some(Level1::Satisfaction)
        );
        assert_eq!(Level1::inferred_sign(Some(Level1::Cost)), Sign::Le);
        assert_eq!(Level1::inferred_sign(Some(Level1::Output)), Sign::Ge);
        assert_eq!(Level1::inferred_sign(None), Sign::Ge);
    }
}
