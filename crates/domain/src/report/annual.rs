//! The annual summary report (预算绩效情况说明, SPEC §13): the figures a query computes and the
//! composition of the county's account from them. The narrative paragraphs that are not data
//! (organisation, rules adopted, the purpose of each kind of work) are editable text kept per
//! year; every number in the sentences comes from [`AnnualFigures`].

use super::{Block, Document, Table};
use crate::decimal::{fixed2, round2, trim};
use crate::grade::Grade;
use crate::money::Fen;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Count and amount of evaluations of one grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeCount {
    pub grade: Grade,
    pub count: i64,
    pub amount: Fen,
}

/// A group of evaluations: how many, the amount (执行金额 or 涉及金额), and by grade (best first,
/// grades without evaluations left out).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Evaluated {
    pub count: i64,
    pub amount: Fen,
    pub by_grade: Vec<GradeCount>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExAnteFigures {
    pub count: i64,
    pub amount: Fen,
    /// Total scores of the approved assessments.
    pub scores: Vec<Decimal>,
    pub supported: i64,
    pub supported_after_adjustment: i64,
    pub refused: i64,
    /// The dimensions assessed (SPEC §5), in order.
    pub dimensions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TargetFigures {
    pub unit_count: i64,
    pub unit_amount: Fen,
    pub project_count: i64,
    pub project_amount: Fen,
    pub initial_count: i64,
    pub initial_amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoringFigures {
    /// Months (1–12) of the unit-overall monitoring rounds.
    pub unit_months: Vec<u32>,
    pub unit_count: i64,
    pub project_months: Vec<u32>,
    pub project_count: i64,
    pub red_warnings: i64,
    pub yellow_warnings: i64,
    pub rectifications: i64,
    pub rectifications_closed: i64,
    /// The deviation threshold in percentage points and the review score threshold (SPEC §7).
    pub deviation_threshold: Decimal,
    pub review_threshold: Decimal,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EvaluationFigures {
    /// The year whose spending was evaluated (the report's year − 1 for self-evaluations).
    pub evaluated_year: i32,
    pub unit_self: Evaluated,
    pub project_self: Evaluated,
    pub department: Evaluated,
    /// Minimum department-evaluation coverage in percent (SPEC §8.1).
    pub department_min_share: Decimal,
    pub finance: Evaluated,
    /// How many of the finance key evaluations a third-party agency carried out (those with an
    /// engagement, SPEC §9): the report names a third party only for these.
    #[serde(default)]
    pub finance_by_agency: i64,
    /// What the finance key evaluations covered, as Chinese phrases (一般公共预算项目 …).
    pub finance_objects: Vec<String>,
}

/// One row of the table by unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRow {
    pub unit: String,
    pub unit_target_amount: Fen,
    pub project_targets: i64,
    pub project_target_amount: Fen,
    pub self_evaluations: i64,
    pub self_executed: Fen,
    pub average_score: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningRow {
    pub unit: String,
    pub red: i64,
    pub yellow: i64,
    pub rectifications: i64,
    pub closed: i64,
}

/// One unit's place in the year's finalised assessment (SPEC §11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRow {
    pub rank: i64,
    pub unit: String,
    pub total: Decimal,
    /// 通报表彰, 约谈 or empty.
    pub listed: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationRow {
    pub recommendation: String,
    pub count: i64,
    pub amount: Fen,
}

/// What the rows of the report's tables are (issue 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Breakdown {
    /// A county's report: one row per first-level budget unit.
    #[default]
    Units,
    /// The report of a prefecture or province over everything below it: one row for its own
    /// level (本级) where it has units, and one per region directly below it, each summed over
    /// that region's whole subtree.
    Regions,
}

impl Breakdown {
    /// The heading of the tables' first column.
    pub fn column(self) -> &'static str {
        match self {
            Breakdown::Units => "单位",
            Breakdown::Regions => "地区",
        }
    }
}

/// Everything the annual report states, computed from live data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AnnualFigures {
    pub region_name: String,
    pub year: i32,
    /// Units of one region, or the regions below it summed (its figures cover its subtree).
    #[serde(default)]
    pub breakdown: Breakdown,
    pub ex_ante: ExAnteFigures,
    pub targets: TargetFigures,
    pub monitoring: MonitoringFigures,
    pub evaluation: EvaluationFigures,
    pub verifications: i64,
    pub disclosures: i64,
    pub by_unit: Vec<UnitRow>,
    pub warnings_by_unit: Vec<WarningRow>,
    pub recommendations: Vec<RecommendationRow>,
    /// The year's finalised assessment of units, by rank; empty before it is finalised.
    #[serde(default)]
    pub assessment: Vec<AssessmentRow>,
    /// The data of the charts.
    #[serde(default)]
    pub charts: ChartFigures,
}

/// What the report's charts draw (SPEC §13).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChartFigures {
    /// Approved project self-evaluations carried out in the year, by grade.
    pub grades: Vec<(Grade, i64)>,
    /// The year's latest project monitoring round: (project, execution rate %, completion %).
    pub execution: Vec<(String, Decimal, Decimal)>,
    /// The deviation band of §7 (points).
    pub band: Decimal,
    /// Per unit with project funds: the share of its funds covered by department evaluations
    /// carried out in the year (%).
    pub coverage: Vec<(String, Decimal)>,
}

/// The most points or bars a chart draws; the rest are left out with a note.
pub const CHART_LIMIT: usize = 60;

/// The editable narrative keys, in report order, with what each holds.
pub const NARRATIVE_KEYS: &[(&str, &str)] = &[
    ("title", "报告标题"),
    ("org_heading", "（一）组织与制度的小标题"),
    ("org_body", "（一）组织与制度的正文"),
    ("work_heading", "（二）年度工作的小标题"),
    ("ex_ante_intro", "一是事前绩效评估的引言"),
    ("targets_intro", "二是绩效目标管理的引言"),
    ("monitoring_intro", "三是绩效运行监控的引言"),
    ("evaluation_intro", "四是绩效评价和结果应用的引言"),
    ("finance_eval_content", "重点评价的评价内容说明"),
    ("other_work", "核查、培训、公开等其他工作"),
    ("closing", "结尾（公开与监督）"),
];

/// The text of a narrative key for `region` and `year` when none is stored: neutral wording a
/// finance bureau can edit.
pub fn default_narrative(key: &str, region: &str, year: i32) -> String {
    match key {
        "title" => format!("{region}本级汇总的预算绩效情况说明"),
        "org_heading" => "强化组织领导，健全预算绩效管理制度".into(),
        "org_body" => format!(
            "{region}将一般公共预算、政府性基金预算、国有资本经营预算、社会保险基金预算全部纳入绩效管理，\
             建立事前评估、目标管理、运行监控、绩效评价、结果应用的全过程预算绩效管理机制。"
        ),
        "work_heading" => format!("统筹协调，科学规范开展 {year} 年度绩效管理工作"),
        "ex_ante_intro" => "一是开展事前绩效评估。对新出台重大政策、项目开展事前绩效评估，评估结果作为项目入库和预算安排的重要依据。".into(),
        "targets_intro" => "二是强化绩效目标管理。将绩效目标设置作为预算安排的前置条件，加强绩效目标审核。".into(),
        "monitoring_intro" => "三是做好绩效运行监控。对绩效目标实现程度和预算执行进度实行“双监控”，及时发现问题并督促整改。".into(),
        "evaluation_intro" => "四是开展绩效评价和结果应用。评价结果分为“优秀、良好、一般、较差”四个等级，并与次年预算安排挂钩。".into(),
        "finance_eval_content" => String::new(),
        "other_work" => String::new(),
        "closing" => String::new(),
        _ => String::new(),
    }
}

/// "5 月、8 月"
fn months(year: i32, months: &[u32]) -> String {
    let list: Vec<String> = months.iter().map(|m| format!("{m} 月")).collect();
    format!("{year} 年 {}", list.join("、"))
}

/// 县级 / 区级 / 市级 from the region's name.
fn level_word(region: &str) -> &'static str {
    match region.chars().last() {
        Some('县') => "县级",
        Some('区') => "区级",
        Some('市') => "市级",
        Some('省') => "省级",
        _ => "本级",
    }
}

/// "评价结果均为“优秀”" or "其中：评价结果为“优秀”的项目 137 个 45881 万元，…".
fn grade_clause(e: &Evaluated, noun: &str) -> String {
    match e.by_grade.as_slice() {
        [] => String::new(),
        [only] if only.count == e.count => format!("评价结果均为“{}”", only.grade.label()),
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|g| {
                    format!(
                        "评价结果为“{}”的{noun} {} 个 {} 万元",
                        g.grade.label(),
                        g.count,
                        g.amount.wan_text()
                    )
                })
                .collect();
            format!("其中：{}", parts.join("，"))
        }
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

fn join_paragraph(intro: &str, data: &str) -> String {
    match (intro.trim(), data.trim()) {
        ("", d) => d.to_string(),
        (i, "") => i.to_string(),
        (i, d) => format!("{i}{d}"),
    }
}

/// Composes the report: the narrative sections in the order of the seed document, then tables.
pub fn compose(f: &AnnualFigures, narrative: &BTreeMap<String, String>) -> Document {
    let text = |key: &str| -> String {
        narrative
            .get(key)
            .cloned()
            .unwrap_or_else(|| default_narrative(key, &f.region_name, f.year))
    };
    let y = f.year;
    let region = &f.region_name;
    let mut blocks = vec![
        Block::Heading {
            level: 1,
            text: "一、工作开展情况".into(),
        },
        Block::Heading {
            level: 2,
            text: format!("（一）{}", text("org_heading")),
        },
        Block::Paragraph {
            text: text("org_body"),
        },
        Block::Heading {
            level: 2,
            text: format!("（二）{}", text("work_heading")),
        },
    ];

    // 一是 ex-ante assessment (SPEC §5).
    let ea = &f.ex_ante;
    let ex_ante = if ea.count == 0 {
        format!("{y}年{region}未开展事前绩效评估。")
    } else {
        let score = if ea.scores.len() == 1 {
            format!("评估得分 {}分", trim(ea.scores[0]))
        } else {
            let sum: Decimal = ea.scores.iter().copied().sum();
            let n = Decimal::from(ea.scores.len().max(1));
            format!("平均得分 {}分", trim(round2(sum / n)))
        };
        let result = if ea.supported == ea.count {
            "审核结果为“支持”，可以纳入财政预算".to_string()
        } else {
            format!(
                "其中予以支持 {} 个、调整完善后予以支持 {} 个、不予支持 {} 个",
                ea.supported, ea.supported_after_adjustment, ea.refused
            )
        };
        format!(
            "{y}年{region}开展事前绩效评估项目 {}个，涉及金额 {}万元，从{} {}个方面进行评价，{score}，{result}。",
            ea.count,
            ea.amount.wan_text(),
            ea.dimensions.join("、"),
            ea.dimensions.len()
        )
    };
    blocks.push(Block::Paragraph {
        text: join_paragraph(&text("ex_ante_intro"), &ex_ante),
    });

    // 二是 targets (SPEC §6).
    let t = &f.targets;
    let targets = format!(
        "{y} 年，完成对{} {} 家预算单位的部门整体支出绩效目标申报，涉及金额 {} 万元，完成 {} 个项目绩效目标申报，涉及金额 {} 万元，其中年初预算项目 {} 个，涉及金额 {} 万元。",
        match f.breakdown {
            Breakdown::Units => level_word(region),
            Breakdown::Regions => "本级及所辖地区",
        },
        t.unit_count,
        t.unit_amount.wan_text(),
        t.project_count,
        t.project_amount.wan_text(),
        t.initial_count,
        t.initial_amount.wan_text()
    );
    blocks.push(Block::Paragraph {
        text: join_paragraph(&text("targets_intro"), &targets),
    });

    // 三是 monitoring (SPEC §7).
    let m = &f.monitoring;
    let mut mon = Vec::new();
    if m.unit_count > 0 {
        mon.push(format!(
            "{}完成对 {} 家一级预算单位的整体绩效监控",
            months(y, &m.unit_months),
            m.unit_count
        ));
    }
    if m.project_count > 0 {
        mon.push(format!(
            "{}完成对 {} 个项目的项目绩效监控",
            months(y, &m.project_months),
            m.project_count
        ));
    }
    let mut monitoring = if mon.is_empty() {
        format!("{y} 年未开展绩效运行监控。")
    } else {
        // The thresholds are the region's settings (SPEC §7), stated only where monitoring ran.
        format!(
            "{}。对预算资金执行率与总体完成率偏差超过 {} 个百分点及监控审核得分低于 {} 分的项目提出整改意见。",
            mon.join("，"),
            trim(m.deviation_threshold),
            trim(m.review_threshold)
        )
    };
    if m.red_warnings + m.yellow_warnings > 0 {
        monitoring.push_str(&format!(
            "监控中发现红色预警 {} 个、黄色预警 {} 个，下发整改通知 {} 份，已完成整改 {} 份。",
            m.red_warnings, m.yellow_warnings, m.rectifications, m.rectifications_closed
        ));
    }
    blocks.push(Block::Paragraph {
        text: join_paragraph(&text("monitoring_intro"), &monitoring),
    });

    // 四是 evaluation and result application (SPEC §8, §10).
    let e = &f.evaluation;
    let ey = e.evaluated_year;
    let mut ev = Vec::new();
    if e.unit_self.count > 0 {
        ev.push(format!(
            "{y} 年完成 {ey} 年度 {} 个一级预算单位整体绩效自评工作，执行金额 {}万元，{}",
            e.unit_self.count,
            e.unit_self.amount.wan_text(),
            grade_clause(&e.unit_self, "单位")
        ));
    }
    if e.project_self.count > 0 {
        ev.push(format!(
            "完成 {ey} 年度 {} 个项目绩效自评工作，执行金额 {}万元，{}",
            e.project_self.count,
            e.project_self.amount.wan_text(),
            grade_clause(&e.project_self, "项目")
        ));
    }
    let mut evaluation = if ev.is_empty() {
        String::new()
    } else {
        format!("{}。", ev.join("；"))
    };
    if e.department.count > 0 {
        evaluation.push_str(&format!(
            "按照项目资金总额不低于 {}%的要求开展部门绩效评价 {} 个，涉及金额 {} 万元，并形成自评报告。",
            trim(e.department_min_share),
            e.department.count,
            e.department.amount.wan_text()
        ));
    }
    if e.finance.count > 0 {
        // A third party is named only where an agency evaluation exists (SPEC §9, §13).
        let (who, of_which) = if e.finance_by_agency >= e.finance.count {
            ("聘请第三方机构独立实施", String::new())
        } else if e.finance_by_agency == 0 {
            ("财政部门组织实施", String::new())
        } else {
            (
                "财政部门组织实施",
                format!("（其中聘请第三方机构独立实施 {} 个）", e.finance_by_agency),
            )
        };
        evaluation.push_str(&format!(
            "{who} {ey} 年度重点项目绩效评价 {} 个{of_which}，涉及金额 {}万元。",
            e.finance.count,
            e.finance.amount.wan_text()
        ));
        if !e.finance_objects.is_empty() {
            evaluation.push_str(&format!("内容涵盖{}。", join_and(&e.finance_objects)));
        }
        let content = text("finance_eval_content");
        let clause = grade_clause(&e.finance, "项目");
        if content.trim().is_empty() {
            evaluation.push_str(&format!("{clause}。"));
        } else {
            evaluation.push_str(&format!(
                "{}，{clause}。",
                content.trim().trim_end_matches('。')
            ));
        }
    }
    if evaluation.is_empty() {
        evaluation = format!("{y} 年未开展绩效评价。");
    }
    blocks.push(Block::Paragraph {
        text: join_paragraph(&text("evaluation_intro"), &evaluation),
    });

    let other = text("other_work");
    let mut other_data = String::new();
    if f.verifications > 0 {
        other_data.push_str(&format!(
            "全年对 {} 个项目自评结果开展真实性核查。",
            f.verifications
        ));
    }
    if f.disclosures > 0 {
        other_data.push_str(&format!(
            "向社会公开绩效目标和评价结果 {} 项。",
            f.disclosures
        ));
    }
    let other_para = join_paragraph(&other, &other_data);
    if !other_para.is_empty() {
        blocks.push(Block::Paragraph { text: other_para });
    }
    let closing = text("closing");
    if !closing.trim().is_empty() {
        blocks.push(Block::Paragraph { text: closing });
    }

    blocks.push(Block::Heading {
        level: 1,
        text: "二、附表".into(),
    });
    blocks.extend(tables(f));
    Document {
        // An upper level's report covers its subtree, not its own level alone (本级).
        title: match (narrative.get("title"), f.breakdown) {
            (None, Breakdown::Regions) => format!("{region}及所辖地区预算绩效情况说明"),
            _ => text("title"),
        },
        subtitle: format!("{region} · {y} 年度"),
        blocks,
    }
}

fn pct(part: Fen, whole: Fen) -> String {
    crate::money::ratio(part, whole)
        .map(|r| format!("{}%", fixed2(r * Decimal::ONE_HUNDRED)))
        .unwrap_or_else(|| "—".into())
}

fn tables(f: &AnnualFigures) -> Vec<Block> {
    let ey = f.evaluation.evaluated_year;
    let mut out = Vec::new();
    let rows: Vec<Vec<String>> = f
        .by_unit
        .iter()
        .map(|r| {
            vec![
                r.unit.clone(),
                r.unit_target_amount.wan_2dp(),
                r.project_targets.to_string(),
                r.project_target_amount.wan_2dp(),
                r.self_evaluations.to_string(),
                r.self_executed.wan_2dp(),
                r.average_score.map(fixed2).unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    let column = f.breakdown.column();
    let each = format!("各{column}");
    out.push(Block::Table(Table {
        caption: format!("表 1  {each} {} 年绩效目标与 {ey} 年度项目自评情况", f.year),
        headers: vec![
            column.into(),
            "整体目标金额".into(),
            "项目目标数".into(),
            "项目目标金额".into(),
            "自评项目数".into(),
            "自评执行金额".into(),
            "自评平均分".into(),
        ],
        numeric: vec![false, true, true, true, true, true, true],
        rows,
        note: "金额单位：万元。".into(),
    }));

    let ps = &f.evaluation.project_self;
    let grade_rows = crate::grade::Grade::ALL
        .iter()
        .map(|g| {
            let found = ps.by_grade.iter().find(|c| c.grade == *g);
            let (count, amount) = found.map_or((0, Fen::ZERO), |c| (c.count, c.amount));
            vec![
                g.label().to_string(),
                count.to_string(),
                amount.wan_2dp(),
                pct(amount, ps.amount),
            ]
        })
        .collect();
    out.push(Block::Table(Table {
        caption: format!("表 2  {ey} 年度项目自评结果等级分布"),
        headers: vec![
            "等级".into(),
            "项目数".into(),
            "执行金额".into(),
            "金额占比".into(),
        ],
        numeric: vec![false, true, true, true],
        rows: grade_rows,
        note: "金额单位：万元。".into(),
    }));

    let warn_rows = f
        .warnings_by_unit
        .iter()
        .map(|w| {
            vec![
                w.unit.clone(),
                w.red.to_string(),
                w.yellow.to_string(),
                w.rectifications.to_string(),
                w.closed.to_string(),
            ]
        })
        .collect();
    out.push(Block::Table(Table {
        caption: format!("表 3  {} 年绩效运行监控预警与整改情况", f.year),
        headers: vec![
            column.into(),
            "红色预警".into(),
            "黄色预警".into(),
            "整改通知".into(),
            "已完成整改".into(),
        ],
        numeric: vec![false, true, true, true, true],
        rows: warn_rows,
        note: format!("仅列出有预警的{column}。"),
    }));

    let rec_rows = f
        .recommendations
        .iter()
        .map(|r| {
            vec![
                r.recommendation.clone(),
                r.count.to_string(),
                r.amount.wan_2dp(),
            ]
        })
        .collect();
    out.push(Block::Table(Table {
        caption: format!("表 4  {ey} 年度评价结果应用：次年预算安排建议"),
        headers: vec!["安排建议".into(), "项目数".into(), "执行金额".into()],
        numeric: vec![false, true, true],
        rows: rec_rows,
        note: "金额单位：万元。".into(),
    }));
    if !f.assessment.is_empty() {
        out.push(Block::Table(Table {
            caption: format!("表 5  {} 年度部门预算绩效管理工作考核排名", f.year),
            headers: vec!["排名".into(), "单位".into(), "得分".into(), "名单".into()],
            numeric: vec![true, false, true, false],
            rows: f
                .assessment
                .iter()
                .map(|a| {
                    vec![
                        a.rank.to_string(),
                        a.unit.clone(),
                        fixed2(a.total),
                        a.listed.clone(),
                    ]
                })
                .collect(),
            note: "得分相同的单位并列同一名次。".into(),
        }));
    }
    charts(f, &mut out);
    out
}

fn charts(f: &AnnualFigures, out: &mut Vec<Block>) {
    use super::{Bar, Chart, ChartKind, Point};
    let ey = f.year - 1;
    let mut n = 0;
    let mut caption = |title: String| {
        n += 1;
        format!("图 {n}  {title}")
    };
    if f.charts.grades.iter().any(|g| g.1 > 0) {
        out.push(Block::Chart(Chart {
            caption: caption(format!("{ey} 年度项目自评结果等级分布")),
            kind: ChartKind::Bars {
                bars: Grade::ALL
                    .iter()
                    .map(|g| Bar {
                        label: g.label().into(),
                        value: Decimal::from(
                            f.charts
                                .grades
                                .iter()
                                .filter(|(x, _)| x == g)
                                .map(|x| x.1)
                                .sum::<i64>(),
                        ),
                    })
                    .collect(),
                max: None,
                unit: "个".into(),
            },
            note: format!("{} 年开展、审核通过的项目绩效自评。", f.year),
        }));
    }
    if !f.charts.execution.is_empty() {
        let total = f.charts.execution.len();
        out.push(Block::Chart(Chart {
            caption: caption(format!("{} 年项目预算执行率与目标完成率", f.year)),
            kind: ChartKind::Scatter {
                x_label: "预算执行率（%）".into(),
                y_label: "目标完成率（%）".into(),
                points: f
                    .charts
                    .execution
                    .iter()
                    .take(CHART_LIMIT * 10)
                    .map(|(label, x, y)| Point {
                        label: label.clone(),
                        x: *x,
                        y: *y,
                    })
                    .collect(),
                band: f.charts.band,
            },
            note: if total > CHART_LIMIT * 10 {
                format!(
                    "最近一轮项目监控，共 {total} 个项目，图中为前 {} 个；虚线之间为偏差 {} 个百分点以内。",
                    CHART_LIMIT * 10,
                    trim(f.charts.band)
                )
            } else {
                format!(
                    "最近一轮项目监控，{total} 个项目；虚线之间为偏差 {} 个百分点以内。",
                    trim(f.charts.band)
                )
            },
        }));
    }
    if !f.charts.coverage.is_empty() {
        let mut rows = f.charts.coverage.clone();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let total = rows.len();
        out.push(Block::Chart(Chart {
            caption: caption(match f.breakdown {
                Breakdown::Units => format!("{} 年各部门评价覆盖率", f.year),
                Breakdown::Regions => format!("{} 年各地区部门评价覆盖率", f.year),
            }),
            kind: ChartKind::Bars {
                bars: rows
                    .into_iter()
                    .take(CHART_LIMIT)
                    .map(|(label, value)| Bar { label, value })
                    .collect(),
                max: Some(Decimal::ONE_HUNDRED),
                unit: "%".into(),
            },
            note: format!(
                "部门评价涉及金额占{} {ey} 年项目资金的比例{}。",
                match f.breakdown {
                    Breakdown::Units => "本部门",
                    Breakdown::Regions => "本地区",
                },
                if total > CHART_LIMIT {
                    format!(
                        "；共 {total} 个{}，图中为覆盖率最高的 {CHART_LIMIT} 个",
                        match f.breakdown {
                            Breakdown::Units => "部门",
                            Breakdown::Regions => "地区",
                        }
                    )
                } else {
                    String::new()
                }
            ),
        }));
    }
    if !f.assessment.is_empty() {
        out.push(Block::Chart(Chart {
            caption: caption(format!("{} 年度部门预算绩效管理工作考核得分", f.year)),
            kind: ChartKind::Bars {
                bars: f
                    .assessment
                    .iter()
                    .take(CHART_LIMIT)
                    .map(|a| Bar {
                        label: format!("{}. {}", a.rank, a.unit),
                        value: a.total,
                    })
                    .collect(),
                max: Some(Decimal::ONE_HUNDRED),
                unit: "分".into(),
            },
            note: if f.assessment.len() > CHART_LIMIT {
                format!(
                    "共 {} 个单位，图中为前 {CHART_LIMIT} 名。",
                    f.assessment.len()
                )
            } else {
                String::new()
            },
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_figures() -> AnnualFigures {
        let wan = Fen::from_wan;
        AnnualFigures {
            region_name: "且末县".into(),
            year: 2023,
            ex_ante: ExAnteFigures {
                count: 1,
                amount: Fen::parse_wan("563.4").unwrap(),
                scores: vec![Decimal::from(96)],
                supported: 1,
                supported_after_adjustment: 0,
                refused: 0,
                dimensions: vec![
                    "立项必要性".into(),
                    "投入经济性".into(),
                    "实施方案可行性".into(),
                    "绩效目标合理性".into(),
                    "筹资合规性".into(),
                ],
            },
            targets: TargetFigures {
                unit_count: 57,
                unit_amount: wan(101108),
                project_count: 132,
                project_amount: wan(36972),
                initial_count: 36,
                initial_amount: wan(8688),
            },
            monitoring: MonitoringFigures {
                unit_months: vec![6],
                unit_count: 57,
                project_months: vec![5, 8],
                project_count: 132,
                deviation_threshold: Decimal::from(20),
                review_threshold: Decimal::from(60),
                ..MonitoringFigures::default()
            },
            evaluation: EvaluationFigures {
                evaluated_year: 2022,
                unit_self: Evaluated {
                    count: 57,
                    amount: wan(132693),
                    by_grade: vec![GradeCount {
                        grade: Grade::Excellent,
                        count: 57,
                        amount: wan(132693),
                    }],
                },
                project_self: Evaluated {
                    count: 143,
                    amount: wan(46083),
                    by_grade: vec![
                        GradeCount {
                            grade: Grade::Excellent,
                            count: 137,
                            amount: wan(45881),
                        },
                        GradeCount {
                            grade: Grade::Good,
                            count: 6,
                            amount: wan(202),
                        },
                    ],
                },
                department: Evaluated {
                    count: 33,
                    amount: wan(26299),
                    by_grade: vec![],
                },
                department_min_share: Decimal::from(20),
                finance: Evaluated {
                    count: 10,
                    amount: Fen::parse_wan("6927.25").unwrap(),
                    by_grade: vec![GradeCount {
                        grade: Grade::Excellent,
                        count: 10,
                        amount: Fen::parse_wan("6927.25").unwrap(),
                    }],
                },
                finance_by_agency: 10,
                finance_objects: vec![],
            },
            ..AnnualFigures::default()
        }
    }

    fn all_text(doc: &Document) -> String {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn seed_sentences_spec_13() {
        let doc = compose(&seed_figures(), &BTreeMap::new());
        let text = all_text(&doc);
        for expected in [
            "2023年且末县开展事前绩效评估项目 1个，涉及金额 563.4万元",
            "评估得分 96分，审核结果为“支持”，可以纳入财政预算。",
            "完成对县级 57 家预算单位的部门整体支出绩效目标申报，涉及金额 101108 万元，完成 132 个项目绩效目标申报，涉及金额 36972 万元，其中年初预算项目 36 个，涉及金额 8688 万元",
            "2023 年 6 月完成对 57 家一级预算单位的整体绩效监控，2023 年 5 月、8 月完成对 132 个项目的项目绩效监控",
            "2023 年完成 2022 年度 57 个一级预算单位整体绩效自评工作，执行金额 132693万元，评价结果均为“优秀”",
            "完成 2022 年度 143 个项目绩效自评工作，执行金额 46083万元，其中：评价结果为“优秀”的项目 137 个 45881 万元，评价结果为“良好”的项目 6 个 202 万元",
            "按照项目资金总额不低于 20%的要求开展部门绩效评价 33 个，涉及金额 26299 万元",
            "偏差超过 20 个百分点及监控审核得分低于 60 分的项目提出整改意见",
            "聘请第三方机构独立实施 2022 年度重点项目绩效评价 10 个，涉及金额 6927.25万元",
            "评价结果均为“优秀”。",
        ] {
            assert!(text.contains(expected), "missing: {expected}\n---\n{text}");
        }
    }

    /// Issue 9: the report names a third party only for evaluations an agency carried out.
    #[test]
    fn a_third_party_is_named_only_where_an_agency_evaluated_spec_13() {
        let mut f = seed_figures();
        f.evaluation.finance_by_agency = 0;
        let text = all_text(&compose(&f, &BTreeMap::new()));
        assert!(!text.contains("第三方"), "{text}");
        assert!(
            text.contains("财政部门组织实施 2022 年度重点项目绩效评价 10 个，涉及金额 6927.25万元")
        );
        f.evaluation.finance_by_agency = 4;
        let text = all_text(&compose(&f, &BTreeMap::new()));
        assert!(text.contains(
            "财政部门组织实施 2022 年度重点项目绩效评价 10 个（其中聘请第三方机构独立实施 4 个），涉及金额 6927.25万元"
        ));
    }

    /// Issue 9: the thresholds the report states are the region's settings, not the defaults.
    #[test]
    fn thresholds_in_the_text_come_from_the_figures_spec_13() {
        let mut f = seed_figures();
        f.evaluation.department_min_share = Decimal::from(25);
        f.monitoring.deviation_threshold = Decimal::from(15);
        f.monitoring.review_threshold = Decimal::from(65);
        let text = all_text(&compose(&f, &BTreeMap::new()));
        assert!(text.contains("按照项目资金总额不低于 25%的要求开展部门绩效评价 33 个"));
        assert!(text.contains("偏差超过 15 个百分点及监控审核得分低于 65 分的项目提出整改意见"));
    }

    #[test]
    fn narrative_overrides_defaults_spec_13() {
        let mut n = BTreeMap::new();
        n.insert("org_body".to_string(), "自定义正文".to_string());
        let doc = compose(&seed_figures(), &n);
        assert!(all_text(&doc).contains("自定义正文"));
        assert_eq!(doc.title, "且末县本级汇总的预算绩效情况说明");
    }

    #[test]
    fn empty_year_says_so() {
        let f = AnnualFigures {
            region_name: "某县".into(),
            year: 2030,
            ..AnnualFigures::default()
        };
        let text = all_text(&compose(&f, &BTreeMap::new()));
        assert!(text.contains("2030年某县未开展事前绩效评估"));
        assert!(text.contains("未开展绩效运行监控"));
    }

    /// A prefecture's report over its counties (issue 14): the tables are by region and the
    /// target sentence names the subordinate regions, not a level of government.
    #[test]
    fn an_upper_level_report_is_by_region() {
        let f = AnnualFigures {
            region_name: "巴音郭楞蒙古自治州".into(),
            breakdown: Breakdown::Regions,
            by_unit: vec![UnitRow {
                unit: "且末县".into(),
                unit_target_amount: Fen::from_wan(10),
                project_targets: 2,
                project_target_amount: Fen::from_wan(30),
                self_evaluations: 1,
                self_executed: Fen::from_wan(5),
                average_score: Some(Decimal::from(91)),
            }],
            charts: ChartFigures {
                coverage: vec![("且末县".into(), Decimal::from(12))],
                ..ChartFigures::default()
            },
            ..seed_figures()
        };
        let doc = compose(&f, &BTreeMap::new());
        assert!(all_text(&doc).contains("完成对本级及所辖地区 "));
        assert_eq!(doc.title, "巴音郭楞蒙古自治州及所辖地区预算绩效情况说明");
        let Some(Block::Table(first)) = doc.blocks.iter().find(|b| matches!(b, Block::Table(_)))
        else {
            panic!("no table");
        };
        assert!(first.caption.contains("各地区"), "{}", first.caption);
        assert_eq!(first.headers[0], "地区");
        assert_eq!(first.rows[0][0], "且末县");
        let county = compose(&seed_figures(), &BTreeMap::new());
        assert!(all_text(&county).contains("完成对县级 "));
        let Some(Block::Table(first)) = county.blocks.iter().find(|b| matches!(b, Block::Table(_)))
        else {
            panic!("no table");
        };
        assert_eq!(first.headers[0], "单位");
    }

    #[test]
    fn tables_follow_the_narrative() {
        let doc = compose(&seed_figures(), &BTreeMap::new());
        let tables = doc
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::Table(_)))
            .count();
        assert_eq!(tables, 4);
        let Some(Block::Table(grades)) = doc
            .blocks
            .iter()
            .find(|b| matches!(b, Block::Table(t) if t.caption.contains("等级分布")))
        else {
            panic!("no grade table");
        };
        assert_eq!(grades.rows[0], vec!["优秀", "137", "45881.00", "99.56%"]);
    }
}
