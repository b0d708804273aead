//! 整改通知书 (SPEC §10): the printable notice the finance bureau sends a unit, composed from the
//! notice as issued.

use super::{Block, Document, Table};

/// What the notice says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NoticeFacts {
    pub region_name: String,
    /// The notice's number in the region (its id).
    pub number: i64,
    pub fiscal_year: i32,
    pub unit_name: String,
    /// The project, or empty for a unit-overall matter.
    pub object_name: String,
    /// Where the problem was found, e.g. "2023年1-7月项目绩效运行监控".
    pub source: String,
    pub problem: String,
    pub requirement: String,
    /// The disposal of the funds, as its label ("暂缓拨付资金" …).
    pub disposal: String,
    /// YYYY-MM-DD.
    pub deadline: String,
    /// The day it was issued (YYYY-MM-DD), empty while a draft.
    pub issued_on: String,
    /// The state as its label ("已下发" …).
    pub state: String,
    /// The unit's response and the verification so far, oldest first: (day, who and what).
    pub timeline: Vec<(String, String)>,
}

pub fn compose(f: &NoticeFacts) -> Document {
    let mut blocks = Vec::new();
    blocks.push(Block::Paragraph {
        text: format!("{}：", f.unit_name),
    });
    let object = if f.object_name.is_empty() || f.object_name == f.unit_name {
        "你单位".to_string()
    } else {
        format!("你单位“{}”", f.object_name)
    };
    let source = if f.source.is_empty() {
        String::new()
    } else {
        format!("根据{}结果，", f.source)
    };
    blocks.push(Block::Paragraph {
        text: format!("{source}{object}存在以下问题，现通知如下："),
    });
    blocks.push(Block::Heading {
        level: 1,
        text: "一、存在的问题".into(),
    });
    blocks.push(Block::Paragraph {
        text: f.problem.clone(),
    });
    blocks.push(Block::Heading {
        level: 1,
        text: "二、整改要求".into(),
    });
    blocks.push(Block::Paragraph {
        text: f.requirement.clone(),
    });
    if !f.disposal.is_empty() {
        blocks.push(Block::Heading {
            level: 1,
            text: "三、资金处理".into(),
        });
        blocks.push(Block::Paragraph {
            text: f.disposal.clone(),
        });
    }
    blocks.push(Block::Heading {
        level: 1,
        text: format!(
            "{}、整改期限",
            if f.disposal.is_empty() { "三" } else { "四" }
        ),
    });
    blocks.push(Block::Paragraph {
        text: format!(
            "请于 {} 前完成整改，并将整改情况及佐证材料报送{}财政局。逾期未完成整改的，纳入年度预算绩效管理工作考核。",
            f.deadline, f.region_name
        ),
    });
    if !f.timeline.is_empty() {
        blocks.push(Block::Table(Table {
            caption: "办理记录".into(),
            headers: vec!["日期".into(), "事项".into()],
            rows: f
                .timeline
                .iter()
                .map(|(d, w)| vec![d.clone(), w.clone()])
                .collect(),
            numeric: vec![false, false],
            note: format!("当前状态：{}", f.state),
        }));
    }
    blocks.push(Block::Paragraph {
        text: format!(
            "{}财政局　　{}",
            f.region_name,
            if f.issued_on.is_empty() {
                "（未下发）".to_string()
            } else {
                f.issued_on.clone()
            }
        ),
    });
    Document {
        title: "预算绩效整改通知书".into(),
        subtitle: format!(
            "{}财政局 · {} 年度 · 第 {} 号",
            f.region_name, f.fiscal_year, f.number
        ),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_names_the_unit_the_problem_the_deadline_and_the_disposal() {
        let doc = compose(&NoticeFacts {
            region_name: "示范县".into(),
            number: 7,
            fiscal_year: 2023,
            unit_name: "县教育局".into(),
            object_name: "营养午餐".into(),
            source: "2023年1-7月项目绩效运行监控".into(),
            problem: "预算执行率 10% 与总体完成率 45% 偏差 35 个百分点".into(),
            requirement: "请分析原因".into(),
            disposal: "暂缓拨付资金".into(),
            deadline: "2023-09-30".into(),
            issued_on: "2023-08-25".into(),
            state: "已下发".into(),
            timeline: vec![],
        });
        let text: Vec<String> = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Heading { text, .. } | Block::Paragraph { text } => text.clone(),
                Block::Table(t) => t.caption.clone(),
                Block::Chart(c) => c.caption.clone(),
            })
            .collect();
        assert_eq!(text[0], "县教育局：");
        assert!(text[1].contains("根据2023年1-7月项目绩效运行监控结果，你单位“营养午餐”"));
        assert!(text.contains(&"三、资金处理".to_string()));
        assert!(text.contains(&"暂缓拨付资金".to_string()));
        assert!(
            text.iter()
                .any(|t| t.contains("请于 2023-09-30 前完成整改"))
        );
        assert_eq!(doc.subtitle, "示范县财政局 · 2023 年度 · 第 7 号");
        // Without a disposal the deadline is the third section.
        let plain = compose(&NoticeFacts {
            disposal: String::new(),
            ..NoticeFacts::default()
        });
        assert!(
            plain
                .blocks
                .iter()
                .any(|b| matches!(b, Block::Heading { text, .. } if text == "三、整改期限"))
        );
    }
}
