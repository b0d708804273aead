//! 绩效评价报告 (SPEC §8.4): the report of a department (or finance) evaluation, composed from
//! the record in the outline of the 10号 annex — 基本情况 · 绩效评价工作开展情况 · 综合评价结论 ·
//! 绩效分析 · 主要经验做法、存在问题及原因 · 有关建议 — with the framework's scores as tables.

use super::{Block, Document, Table};

/// What the report says; the texts are the evaluators', the figures the engine's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportFacts {
    pub region_name: String,
    pub title: String,
    pub fiscal_year: i32,
    pub unit_name: String,
    /// 评价金额 in 万元, two decimals.
    pub amount_wan: String,
    /// The total (two decimals); `None` while the framework is incomplete.
    pub total: Option<String>,
    pub grade: Option<String>,
    /// Per level-1 group: (name, weight, score).
    pub groups: Vec<(String, String, String)>,
    /// Per item: 一级, 二级, 三级, 分值, 得分, 说明.
    pub items: Vec<Vec<String>>,
    pub basics: String,
    pub process: String,
    pub analysis: String,
    pub problems: String,
    pub suggestions: String,
    /// The evaluation's state as its label (a draft report says so).
    pub state: String,
}

fn text_or_blank(text: &str) -> String {
    if text.trim().is_empty() {
        "（未填写）".into()
    } else {
        text.trim().to_string()
    }
}

fn paragraphs(blocks: &mut Vec<Block>, text: &str) {
    for line in text_or_blank(text).lines().filter(|l| !l.trim().is_empty()) {
        blocks.push(Block::Paragraph {
            text: line.trim().to_string(),
        });
    }
}

pub fn compose(f: &ReportFacts) -> Document {
    let mut blocks = Vec::new();
    let heading = |text: &str| Block::Heading {
        level: 1,
        text: text.into(),
    };
    blocks.push(heading("一、基本情况"));
    blocks.push(Block::Paragraph {
        text: format!(
            "评价对象：{}；实施单位：{}；评价年度：{} 年；评价金额：{} 万元。",
            f.title, f.unit_name, f.fiscal_year, f.amount_wan
        ),
    });
    paragraphs(&mut blocks, &f.basics);
    blocks.push(heading("二、绩效评价工作开展情况"));
    paragraphs(&mut blocks, &f.process);
    blocks.push(heading("三、综合评价情况及评价结论"));
    blocks.push(Block::Paragraph {
        text: match (&f.total, &f.grade) {
            (Some(t), Some(g)) => format!("经评价，该项目综合得分 {t} 分，评价等级为“{g}”。"),
            _ => "评价指标尚未填写完整，暂无综合得分。".into(),
        },
    });
    if !f.groups.is_empty() {
        blocks.push(Block::Table(Table {
            caption: "表1 各类指标得分".into(),
            headers: vec!["一级指标".into(), "分值".into(), "得分".into()],
            rows: f
                .groups
                .iter()
                .map(|g| vec![g.0.clone(), g.1.clone(), g.2.clone()])
                .collect(),
            numeric: vec![false, true, true],
            note: String::new(),
        }));
    }
    blocks.push(heading("四、绩效分析"));
    paragraphs(&mut blocks, &f.analysis);
    if !f.items.is_empty() {
        blocks.push(Block::Table(Table {
            caption: "表2 绩效评价指标得分".into(),
            headers: [
                "一级指标",
                "二级指标",
                "三级指标",
                "分值",
                "得分",
                "扣分原因及说明",
            ]
            .iter()
            .map(|h| h.to_string())
            .collect(),
            rows: f.items.clone(),
            numeric: vec![false, false, false, true, true, false],
            note: String::new(),
        }));
    }
    blocks.push(heading("五、主要经验做法、存在问题及原因"));
    paragraphs(&mut blocks, &f.problems);
    blocks.push(heading("六、有关建议"));
    paragraphs(&mut blocks, &f.suggestions);
    Document {
        title: format!("{}绩效评价报告", f.title),
        subtitle: if f.state.is_empty() || f.state == "已通过" {
            format!("{} · {} 年度", f.region_name, f.fiscal_year)
        } else {
            format!(
                "{} · {} 年度 · {}（未审定稿）",
                f.region_name, f.fiscal_year, f.state
            )
        },
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_and_the_conclusion_come_from_the_record() {
        let f = ReportFacts {
            region_name: "且末县".into(),
            title: "学生营养改善计划".into(),
            fiscal_year: 2022,
            unit_name: "且末县教育局".into(),
            amount_wan: "100.00".into(),
            total: Some("95.50".into()),
            grade: Some("优秀".into()),
            groups: vec![("产出".into(), "30".into(), "28.50".into())],
            items: vec![vec![
                "产出".into(),
                "产出数量".into(),
                "实际完成率".into(),
                "10".into(),
                "8.50".into(),
                "部分未完工".into(),
            ]],
            basics: "项目覆盖全县学生。\n\n资金已全部到位。".into(),
            state: "已通过".into(),
            ..Default::default()
        };
        let d = compose(&f);
        assert_eq!(d.title, "学生营养改善计划绩效评价报告");
        assert_eq!(d.subtitle, "且末县 · 2022 年度");
        let headings: Vec<&str> = d
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(headings.len(), 6);
        assert!(d.blocks.iter().any(|b| matches!(b, Block::Paragraph { text } if text == "经评价，该项目综合得分 95.50 分，评价等级为“优秀”。")));
        assert!(
            d.blocks
                .iter()
                .any(|b| matches!(b, Block::Paragraph { text } if text == "资金已全部到位。"))
        );
        assert!(
            d.blocks
                .iter()
                .any(|b| matches!(b, Block::Paragraph { text } if text == "（未填写）"))
        );
        let draft = compose(&ReportFacts {
            state: "草稿".into(),
            ..f
        });
        assert!(draft.subtitle.contains("未审定稿"));
    }
}
