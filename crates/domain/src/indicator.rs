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
    pub fn symbol(self) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;

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
