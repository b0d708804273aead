//! The ex-ante performance assessment report (事前绩效评估报告, SPEC §5, §14): the facts of one
//! assessment and the composition of its report in the outline SPEC §5 prescribes — 评估对象基本情况 ·
//! 评估工作开展情况 · 综合评估情况与评估结论 · 相关建议 · 其他需要说明的问题. Every number in the
//! sentences and the score table comes from [`ExAnteReportFacts`].

use super::{Block, Document, Table};
use crate::decimal::fixed2;
use crate::ex_ante::{ExAnteConclusion, ExAnteObject};
use crate::money::Fen;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Everything the report states about one assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExAnteReportFacts {
    /// The region, e.g. 且末县.
    pub region_name: String,
    pub fiscal_year: i32,
    pub object_kind: ExAnteObject,
    /// The project's or policy's name.
    pub object_name: String,
    /// The budget unit proposing it.
    pub unit_name: String,
    pub amount: Fen,
    /// 一般公共预算 …
    pub budget_type_label: String,
    /// 新增 / 延续.
    pub continuity_label: String,
    pub start_year: i32,
    pub end_year: i32,
    /// 财政部门 / 预算单位 / 第三方机构.
    pub assessor_label: String,
    /// The agency's name for a third-party assessment.
    pub agency_name: Option<String>,
    /// The dimensions in rubric order.
    pub dimensions: Vec<DimensionFacts>,
    pub total: Decimal,
    pub conclusion: ExAnteConclusion,
    /// One suggestion per line; may be empty.
    pub suggestions: String,
    /// 草稿 / 已通过 …
    pub state_label: String,
    /// (date text, what happened), in order, for 评估工作开展情况.
    pub timeline: Vec<(String, String)>,
    /// May be empty.
    pub other_notes: String,
}

/// One dimension of the score sheet with its weight, score and sub-items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionFacts {
    pub name: String,
    pub weight: Decimal,
    pub score: Decimal,
    pub items: Vec<ItemFacts>,
}

/// One sub-item (评估要点) with the assessor's opinion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemFacts {
    pub name: String,
    pub weight: Decimal,
    pub score: Decimal,
    pub opinion: String,
}

/// The outline of SPEC §5, numbered as the report prints it.
pub const SECTIONS: [&str; 5] = [
    "一、评估对象基本情况",
    "二、评估工作开展情况",
    "三、综合评估情况与评估结论",
    "四、相关建议",
    "五、其他需要说明的问题",
];

/// Who assessed: the agency's name for a third-party assessment, otherwise the assessor.
fn assessor(f: &ExAnteReportFacts) -> String {
    match f.agency_name.as_deref().map(str::trim) {
        Some(agency) if !agency.is_empty() => agency.to_string(),
        _ => f.assessor_label.trim().to_string(),
    }
}

/// The assessor in a sentence: "第三方机构某某事务所" or "财政部门".
fn assessor_phrase(f: &ExAnteReportFacts) -> String {
    let label = f.assessor_label.trim();
    match f.agency_name.as_deref().map(str::trim) {
        Some(agency) if !agency.is_empty() && !label.is_empty() => format!("{label}{agency}"),
        Some(agency) if !agency.is_empty() => agency.to_string(),
        _ => label.to_string(),
    }
}

/// "甲、乙和丙", as Chinese lists are written.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}和{last}", rest.join("、")),
    }
}

/// A sentence ending in exactly one full stop.
fn sentence(text: &str) -> String {
    let t = text
        .trim()
        .trim_end_matches(['。', '.', '；', ';', '，', ',']);
    format!("{t}。")
}

fn period(start: i32, end: i32) -> String {
    if start == end {
        format!("{start} 年")
    } else {
        format!("{start} 年至 {end} 年")
    }
}

fn basic_situation(f: &ExAnteReportFacts, noun: &str) -> String {
    let name = f.object_name.trim();
    let unit = f.unit_name.trim();
    let mut text = match (f.object_kind, unit.is_empty()) {
        (_, true) => name.to_string(),
        (ExAnteObject::Project, false) => format!("{name}由{unit}申报"),
        (ExAnteObject::Policy, false) => format!("{name}由{unit}提出"),
    };
    let continuity = f.continuity_label.trim();
    if !continuity.is_empty() {
        text.push_str(&format!("，为{continuity}{noun}"));
    }
    let money = match f.object_kind {
        ExAnteObject::Project => "申请资金",
        ExAnteObject::Policy => "涉及资金",
    };
    text.push_str(&format!("，{money} {} 万元", f.amount.wan_text()));
    let budget_type = f.budget_type_label.trim();
    if !budget_type.is_empty() {
        text.push_str(&format!("，资金来源为{budget_type}"));
    }
    text.push_str(&format!(
        "，实施期限为 {}。",
        period(f.start_year, f.end_year)
    ));
    text
}

fn work_done(f: &ExAnteReportFacts, noun: &str) -> Vec<Block> {
    let who = assessor_phrase(f);
    let dims: Vec<String> = f
        .dimensions
        .iter()
        .map(|d| format!("{}（{} 分）", d.name, fixed2(d.weight)))
        .collect();
    let items: usize = f.dimensions.iter().map(|d| d.items.len().max(1)).sum();
    let mut text = if who.is_empty() {
        format!("本次评估对{}开展事前绩效评估", f.object_name.trim())
    } else {
        format!("本次评估由{who}对{}开展事前绩效评估", f.object_name.trim())
    };
    if dims.is_empty() {
        text.push('。');
    } else {
        text.push_str(&format!(
            "，从{} {} 个维度、{items} 个评估要点对该{noun}进行评分，满分 {} 分。",
            join_and(&dims),
            dims.len(),
            fixed2(f.dimensions.iter().map(|d| d.weight).sum())
        ));
    }
    let state = f.state_label.trim();
    if !state.is_empty() {
        text.push_str(&format!("评估结果当前状态为“{state}”。"));
    }
    let mut out = vec![Block::Paragraph { text }];
    let steps: Vec<String> = f
        .timeline
        .iter()
        .filter(|(_, what)| !what.trim().is_empty())
        .map(|(date, what)| match date.trim() {
            "" => sentence(what),
            d => sentence(&format!("{d}，{}", what.trim())),
        })
        .collect();
    if !steps.is_empty() {
        out.push(Block::Paragraph {
            text: format!("评估工作按以下步骤开展：{}", steps.concat()),
        });
    }
    out
}

fn score_table(f: &ExAnteReportFacts) -> Table {
    let mut rows = Vec::new();
    for d in &f.dimensions {
        if d.items.is_empty() {
            rows.push(vec![
                d.name.clone(),
                d.name.clone(),
                fixed2(d.weight),
                fixed2(d.score),
                String::new(),
            ]);
            continue;
        }
        for (i, item) in d.items.iter().enumerate() {
            rows.push(vec![
                if i == 0 {
                    d.name.clone()
                } else {
                    String::new()
                },
                item.name.clone(),
                fixed2(item.weight),
                fixed2(item.score),
                item.opinion.trim().to_string(),
            ]);
        }
    }
    let total_weight: Decimal = f.dimensions.iter().map(|d| d.weight).sum();
    rows.push(vec![
        "合计".into(),
        String::new(),
        fixed2(total_weight),
        fixed2(f.total),
        f.conclusion.label().into(),
    ]);
    Table {
        caption: "表 1  事前绩效评估评分表".into(),
        headers: vec![
            "评估维度".into(),
            "评估要点".into(),
            "分值".into(),
            "得分".into(),
            "评估意见".into(),
        ],
        numeric: vec![false, false, true, true, false],
        rows,
        note: "分值、得分单位：分。".into(),
    }
}

fn conclusion(f: &ExAnteReportFacts, noun: &str) -> String {
    let mut text = format!(
        "经综合评估，该{noun}得分为 {} 分，评估结论为“{}”。",
        fixed2(f.total),
        f.conclusion.label()
    );
    if !f.dimensions.is_empty() {
        let parts: Vec<String> = f
            .dimensions
            .iter()
            .map(|d| {
                format!(
                    "{}得 {} 分（分值 {} 分）",
                    d.name,
                    fixed2(d.score),
                    fixed2(d.weight)
                )
            })
            .collect();
        text.push_str(&format!("其中，{}。", parts.join("，")));
    }
    text
}

fn lines_or_none(text: &str) -> Vec<Block> {
    let paragraphs: Vec<Block> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Block::Paragraph {
            text: l.to_string(),
        })
        .collect();
    if paragraphs.is_empty() {
        vec![Block::Paragraph {
            text: "无。".into(),
        }]
    } else {
        paragraphs
    }
}

fn heading(i: usize) -> Block {
    Block::Heading {
        level: 1,
        text: SECTIONS[i].into(),
    }
}

/// Composes the report in the outline of SPEC §5.
pub fn compose(f: &ExAnteReportFacts) -> Document {
    let noun = f.object_kind.label();
    let mut blocks = vec![
        heading(0),
        Block::Paragraph {
            text: basic_situation(f, noun),
        },
        heading(1),
    ];
    blocks.extend(work_done(f, noun));
    blocks.push(heading(2));
    blocks.push(Block::Table(score_table(f)));
    blocks.push(Block::Paragraph {
        text: conclusion(f, noun),
    });
    blocks.push(heading(3));
    blocks.extend(lines_or_none(&f.suggestions));
    blocks.push(heading(4));
    blocks.extend(lines_or_none(&f.other_notes));

    let who = assessor(f);
    let mut subtitle = format!("{} {}年度", f.region_name.trim(), f.fiscal_year);
    if !who.is_empty() {
        subtitle.push_str(&format!(" · 评估主体：{who}"));
    }
    Document {
        title: format!("{}事前绩效评估报告", f.object_name.trim()),
        subtitle: subtitle.trim().to_string(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's assessment (SPEC §5, §15): one project of 563.4万元 scored 96, 予以支持.
    fn seed_example() -> ExAnteReportFacts {
        let settings = crate::settings::Settings::default();
        let scores = [10, 10, 9, 10, 10, 9, 10, 9, 10, 9];
        let mut next = scores.iter();
        let dimensions = settings
            .ex_ante
            .project_dimensions
            .iter()
            .map(|d| {
                let items: Vec<ItemFacts> = d
                    .sub_items
                    .iter()
                    .map(|(name, weight)| {
                        let score = Decimal::from(*next.next().unwrap_or(&0));
                        ItemFacts {
                            name: name.clone(),
                            weight: *weight,
                            score,
                            opinion: if score == *weight {
                                "符合要求".into()
                            } else {
                                "基本符合要求，论证有待细化".into()
                            },
                        }
                    })
                    .collect();
                DimensionFacts {
                    name: d.name.clone(),
                    weight: d.weight,
                    score: items.iter().map(|i| i.score).sum(),
                    items,
                }
            })
            .collect::<Vec<_>>();
        ExAnteReportFacts {
            region_name: "且末县".into(),
            fiscal_year: 2023,
            object_kind: ExAnteObject::Project,
            object_name: "且末县农村饮水安全巩固提升工程".into(),
            unit_name: "且末县水利局".into(),
            amount: Fen::parse_wan("563.4").unwrap(),
            budget_type_label: "一般公共预算".into(),
            continuity_label: "新增".into(),
            start_year: 2023,
            end_year: 2023,
            assessor_label: "财政部门".into(),
            agency_name: None,
            total: dimensions.iter().map(|d| d.score).sum(),
            dimensions,
            conclusion: ExAnteConclusion::Support,
            suggestions: "细化项目实施进度安排。\n\n  加强资金使用监管。  ".into(),
            state_label: "已通过".into(),
            timeline: vec![
                (
                    "2023年3月1日".into(),
                    "预算单位提交评估申请及相关材料".into(),
                ),
                (
                    "2023年3月10日".into(),
                    "财政部门完成材料审核与评分。".into(),
                ),
            ],
            other_notes: String::new(),
        }
    }

    fn paragraphs(doc: &Document) -> Vec<&str> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn all_text(doc: &Document) -> String {
        paragraphs(doc).join("\n")
    }

    fn headings(doc: &Document) -> Vec<&str> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level: 1, text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn table(doc: &Document) -> &Table {
        doc.blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .expect("a score table")
    }

    /// The paragraphs between level-1 heading `i` and the next one.
    fn section(doc: &Document, i: usize) -> Vec<String> {
        let start = doc
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Heading { text, .. } if text == SECTIONS[i]))
            .expect("section present");
        doc.blocks[start + 1..]
            .iter()
            .take_while(|b| !matches!(b, Block::Heading { level: 1, .. }))
            .filter_map(|b| match b {
                Block::Paragraph { text } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn seed_example_has_the_outline_spec_5() {
        let doc = compose(&seed_example());
        assert_eq!(headings(&doc), SECTIONS.to_vec());
        assert_eq!(doc.title, "且末县农村饮水安全巩固提升工程事前绩效评估报告");
        assert_eq!(doc.subtitle, "且末县 2023年度 · 评估主体：财政部门");
    }

    #[test]
    fn seed_example_states_amount_score_and_conclusion() {
        let doc = compose(&seed_example());
        let text = all_text(&doc);
        for expected in [
            "且末县农村饮水安全巩固提升工程由且末县水利局申报，为新增项目，申请资金 563.4 万元，资金来源为一般公共预算，实施期限为 2023 年。",
            "本次评估由财政部门对且末县农村饮水安全巩固提升工程开展事前绩效评估，从立项必要性（20.00 分）、投入经济性（20.00 分）、实施方案可行性（20.00 分）、绩效目标合理性（20.00 分）和筹资合规性（20.00 分） 5 个维度、10 个评估要点对该项目进行评分，满分 100.00 分。",
            "评估结果当前状态为“已通过”。",
            "评估工作按以下步骤开展：2023年3月1日，预算单位提交评估申请及相关材料。2023年3月10日，财政部门完成材料审核与评分。",
            "经综合评估，该项目得分为 96.00 分，评估结论为“予以支持”。",
            "其中，立项必要性得 20.00 分（分值 20.00 分），投入经济性得 19.00 分（分值 20.00 分）",
        ] {
            assert!(text.contains(expected), "missing: {expected}\n---\n{text}");
        }
    }

    #[test]
    fn score_table_has_one_row_per_item_and_a_total() {
        let doc = compose(&seed_example());
        let t = table(&doc);
        assert_eq!(
            t.headers,
            ["评估维度", "评估要点", "分值", "得分", "评估意见"]
        );
        assert_eq!(t.rows.len(), 11);
        assert!(t.rows.iter().all(|r| r.len() == t.headers.len()));
        assert_eq!(
            t.rows[0],
            ["立项必要性", "政策相关性", "10.00", "10.00", "符合要求"]
        );
        assert_eq!(t.rows[1][0], "", "the dimension is named once");
        assert_eq!(t.rows[2][0], "投入经济性");
        assert_eq!(t.rows[2][3], "9.00");
        assert_eq!(t.rows[10], ["合计", "", "100.00", "96.00", "予以支持"]);
        // The table sits in section 三, before the conclusion.
        let at = |pred: &dyn Fn(&Block) -> bool| doc.blocks.iter().position(pred).unwrap();
        let three = at(&|b| matches!(b, Block::Heading { text, .. } if text == SECTIONS[2]));
        let table_at = at(&|b| matches!(b, Block::Table(_)));
        let four = at(&|b| matches!(b, Block::Heading { text, .. } if text == SECTIONS[3]));
        assert!(three < table_at && table_at < four);
    }

    #[test]
    fn suggestions_are_one_paragraph_per_line() {
        let doc = compose(&seed_example());
        assert_eq!(
            section(&doc, 3),
            ["细化项目实施进度安排。", "加强资金使用监管。"]
        );
        assert_eq!(section(&doc, 4), ["无。"]);
    }

    #[test]
    fn empty_suggestions_and_notes_say_none() {
        let mut f = seed_example();
        f.suggestions = " \n ".into();
        f.other_notes = "评估依据的部分材料为复印件。".into();
        let doc = compose(&f);
        assert_eq!(section(&doc, 3), ["无。"]);
        assert_eq!(section(&doc, 4), ["评估依据的部分材料为复印件。"]);
    }

    #[test]
    fn a_policy_says_policy() {
        let mut f = seed_example();
        f.object_kind = ExAnteObject::Policy;
        f.object_name = "且末县高校毕业生就业补贴政策".into();
        f.unit_name = "且末县人力资源和社会保障局".into();
        f.start_year = 2024;
        f.end_year = 2026;
        f.conclusion = ExAnteConclusion::SupportAfterAdjustment;
        f.total = Decimal::new(8550, 2);
        let doc = compose(&f);
        let text = all_text(&doc);
        assert!(text.contains("该政策得分为 85.50 分，评估结论为“调整完善后予以支持”。"));
        assert!(text.contains("由且末县人力资源和社会保障局提出，为新增政策，涉及资金 563.4 万元"));
        assert!(text.contains("实施期限为 2024 年至 2026 年。"));
        assert!(text.contains("对该政策进行评分"));
        assert!(!text.contains("该项目"));
        assert_eq!(doc.title, "且末县高校毕业生就业补贴政策事前绩效评估报告");
    }

    #[test]
    fn a_third_party_is_named() {
        let mut f = seed_example();
        f.assessor_label = "第三方机构".into();
        f.agency_name = Some("新疆某某会计师事务所".into());
        let doc = compose(&f);
        assert_eq!(
            doc.subtitle,
            "且末县 2023年度 · 评估主体：新疆某某会计师事务所"
        );
        assert!(all_text(&doc).contains("本次评估由第三方机构新疆某某会计师事务所对"));
    }

    #[test]
    fn no_timeline_no_steps_paragraph() {
        let mut f = seed_example();
        f.timeline.clear();
        let doc = compose(&f);
        assert!(!all_text(&doc).contains("评估工作按以下步骤开展"));
        assert_eq!(section(&doc, 1).len(), 1);
    }
}
