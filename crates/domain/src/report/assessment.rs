//! 部门预算绩效管理工作考核情况报告 (SPEC §11): the year's assessment for the county Party
//! committee and government, composed from the finalised result: how the assessment was done, the
//! results with their spread, the score of every item, the ranking, the commended list and the
//! interview list with its deadline.

use super::{Block, Document, Table};
use crate::assessment::UnitAssessment;
use crate::decimal::{round2, trim};
use crate::settings::AssessmentSettings;
use rust_decimal::Decimal;

/// One ranked unit.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedUnit {
    pub rank: u32,
    pub unit_name: String,
    pub assessment: UnitAssessment,
    /// `commended`, `interviewed` or empty.
    pub listed: String,
}

/// What the report says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AssessmentFacts {
    pub region_name: String,
    pub fiscal_year: i32,
    pub rubric: AssessmentSettings,
    /// In ranking order.
    pub units: Vec<RankedUnit>,
    /// YYYY-MM-DD, the interviews' rectification deadline.
    pub interview_deadline: String,
    /// YYYY-MM-DD, the day it was finalised (empty while open: the report then says so).
    pub finalized_on: String,
}

fn two(d: Decimal) -> String {
    format!("{:.2}", round2(d))
}

fn list_label(code: &str) -> &'static str {
    match code {
        "commended" => "通报表彰",
        "interviewed" => "约谈",
        _ => "",
    }
}

pub fn compose(f: &AssessmentFacts) -> Document {
    let mut blocks = Vec::new();
    let n = f.units.len();
    if f.finalized_on.is_empty() {
        blocks.push(Block::Paragraph {
            text: "（本年度考核尚未定稿，以下为当前计算结果，仅供审阅。）".into(),
        });
    }
    blocks.push(Block::Heading {
        level: 1,
        text: "一、考核基本情况".into(),
    });
    let automatic: Vec<String> = f
        .rubric
        .items
        .iter()
        .filter(|i| i.automatic && crate::assessment::formula(&i.key).is_some())
        .map(|i| i.name.clone())
        .collect();
    let manual: Vec<String> = f
        .rubric
        .items
        .iter()
        .filter(|i| !(i.automatic && crate::assessment::formula(&i.key).is_some()))
        .map(|i| i.name.clone())
        .collect();
    blocks.push(Block::Paragraph {
        text: format!(
            "按照预算绩效管理工作考核办法，对{} {} 个一级预算单位 {} 年度预算绩效管理工作进行了考核。考核满分 100 分，共设 {} 个考核项目；其中{}共 {} 项由系统依据预算绩效管理信息系统中的事前评估、目标申报、运行监控、绩效评价、整改和公开记录自动计算，{}共 {} 项由财政部门人工评分；对自动计算结果作出调整的，均记录了调整理由。",
            f.region_name,
            n,
            f.fiscal_year,
            f.rubric.items.len(),
            automatic.join("、"),
            automatic.len(),
            manual.join("、"),
            manual.len()
        ),
    });
    blocks.push(Block::Heading {
        level: 1,
        text: "二、考核结果".into(),
    });
    if n > 0 {
        let totals: Vec<Decimal> = f.units.iter().map(|u| u.assessment.total).collect();
        let sum: Decimal = totals.iter().copied().sum();
        let max = totals.iter().copied().max().unwrap_or_default();
        let min = totals.iter().copied().min().unwrap_or_default();
        let band = |lo: Decimal, hi: Option<Decimal>| {
            totals
                .iter()
                .filter(|t| **t >= lo && hi.is_none_or(|h| **t < h))
                .count()
        };
        let d = |v: i64| Decimal::from(v);
        blocks.push(Block::Paragraph {
            text: format!(
                "{n} 个单位平均得分 {} 分，最高 {} 分，最低 {} 分。90 分及以上 {} 个，80（含）至 90 分 {} 个，60（含）至 80 分 {} 个，60 分以下 {} 个。",
                two(sum / Decimal::from(n)),
                two(max),
                two(min),
                band(d(90), None),
                band(d(80), Some(d(90))),
                band(d(60), Some(d(80))),
                band(Decimal::MIN, Some(d(60))),
            ),
        });
        let rows = f
            .rubric
            .items
            .iter()
            .map(|item| {
                let scores: Vec<Decimal> = f
                    .units
                    .iter()
                    .filter_map(|u| u.assessment.items.iter().find(|i| i.key == item.key))
                    .map(|i| i.score)
                    .collect();
                let avg = if scores.is_empty() {
                    Decimal::ZERO
                } else {
                    scores.iter().copied().sum::<Decimal>() / Decimal::from(scores.len())
                };
                let rate = if item.max > Decimal::ZERO {
                    format!("{}%", two(avg / item.max * Decimal::ONE_HUNDRED))
                } else {
                    "—".into()
                };
                vec![item.name.clone(), trim(item.max), two(avg), rate]
            })
            .collect();
        blocks.push(Block::Table(Table {
            caption: "表1 各考核项目得分情况".into(),
            headers: vec![
                "考核项目".into(),
                "满分".into(),
                "平均得分".into(),
                "得分率".into(),
            ],
            rows,
            numeric: vec![false, true, true, true],
            note: String::new(),
        }));
        let rows = f
            .units
            .iter()
            .map(|u| {
                vec![
                    u.rank.to_string(),
                    u.unit_name.clone(),
                    two(u.assessment.total),
                    list_label(&u.listed).to_string(),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            caption: "表2 考核得分及排名".into(),
            headers: vec!["排名".into(), "单位".into(), "得分".into(), "名单".into()],
            rows,
            numeric: vec![true, false, true, false],
            note: "得分相同的单位并列同一名次。".into(),
        }));
    } else {
        blocks.push(Block::Paragraph {
            text: "本年度没有参加考核的单位。".into(),
        });
    }
    let names = |code: &str| -> Vec<String> {
        f.units
            .iter()
            .filter(|u| u.listed == code)
            .map(|u| u.unit_name.clone())
            .collect()
    };
    let commended = names("commended");
    let interviewed = names("interviewed");
    blocks.push(Block::Heading {
        level: 1,
        text: "三、通报表彰".into(),
    });
    blocks.push(Block::Paragraph {
        text: if commended.is_empty() {
            "本年度无列入通报表彰名单的单位。".into()
        } else {
            format!(
                "考核得分排名前 {} 位的{}等 {} 个单位列入通报表彰名单。",
                f.rubric.commended,
                commended.join("、"),
                commended.len()
            )
        },
    });
    blocks.push(Block::Heading {
        level: 1,
        text: "四、约谈及整改".into(),
    });
    blocks.push(Block::Paragraph {
        text: if interviewed.is_empty() {
            "本年度无列入约谈名单的单位。".into()
        } else {
            format!(
                "考核得分排名后 {} 位及得分低于 {} 分的{}等 {} 个单位列入约谈名单。财政部门已向上述单位下达整改通知，要求针对失分项目逐项整改{}，整改情况纳入下一年度考核。",
                f.rubric.interviewed,
                trim(f.rubric.interview_below),
                interviewed.join("、"),
                interviewed.len(),
                if f.interview_deadline.is_empty() {
                    String::new()
                } else {
                    format!("，并于 {} 前报送整改情况", f.interview_deadline)
                }
            )
        },
    });
    Document {
        title: format!(
            "{}{}年度部门预算绩效管理工作考核情况报告",
            f.region_name, f.fiscal_year
        ),
        subtitle: if f.finalized_on.is_empty() {
            "（未定稿）".into()
        } else {
            format!("{} 定稿", f.finalized_on)
        },
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::{Records, UnitInput, assess};
    use crate::types::UnitCode;
    use rust_decimal_macros::dec;

    #[test]
    fn report_states_the_results_spec_11() {
        let rubric = AssessmentSettings::default();
        let input = |code: &str, basic: Decimal| UnitInput {
            unit: UnitCode::parse(code).unwrap(),
            records: Records::default(),
            manual: [
                ("basic".to_string(), basic),
                ("reporting".to_string(), dec!(5)),
            ]
            .into_iter()
            .collect(),
            adjustments: vec![],
        };
        let out = assess(
            &rubric,
            &[
                input("001", dec!(15)),
                input("002", dec!(0)),
                input("003", dec!(10)),
            ],
        )
        .unwrap();
        let names = ["教育局", "卫健委", "水利局"];
        let units: Vec<RankedUnit> = out
            .ranking
            .iter()
            .map(|r| {
                let i = out.units.iter().position(|u| u.unit == r.unit).unwrap();
                RankedUnit {
                    rank: r.rank,
                    unit_name: names[i].into(),
                    assessment: out.units[i].clone(),
                    listed: if out.lists.interviewed.contains(&r.unit) {
                        "interviewed".into()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        let doc = compose(&AssessmentFacts {
            region_name: "且末县".into(),
            fiscal_year: 2023,
            rubric,
            units,
            interview_deadline: "2024-03-31".into(),
            finalized_on: "2024-01-15".into(),
        });
        assert_eq!(doc.title, "且末县2023年度部门预算绩效管理工作考核情况报告");
        let text: String = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        assert!(
            text.contains("3 个单位平均得分 93.33 分，最高 100.00 分，最低 85.00 分"),
            "{text}"
        );
        assert!(
            text.contains("90 分及以上 2 个，80（含）至 90 分 1 个"),
            "{text}"
        );
        assert!(
            text.contains("教育局、水利局、卫健委等 3 个单位列入约谈名单"),
            "{text}"
        );
        assert!(text.contains("2024-03-31 前报送整改情况"), "{text}");
        let Some(Block::Table(t)) = doc
            .blocks
            .iter()
            .find(|b| matches!(b, Block::Table(t) if t.caption.starts_with("表2")))
        else {
            panic!("ranking table");
        };
        assert_eq!(t.rows[0], vec!["1", "教育局", "100.00", "约谈"]);
        assert_eq!(t.rows[2], vec!["3", "卫健委", "85.00", "约谈"]);
    }
}
